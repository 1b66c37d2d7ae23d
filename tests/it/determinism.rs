//! Determinism: the same seed and script give the same bytes, event log included; another
//! seed changes what is random (generated names, uids) but not what is not.

use super::run_script;

const SCRIPT: &str = "kubectl create deployment web --image=nginx --replicas=3
kubectl run one --image=nginx
kubectl run two --image=busybox:1.36 -- sh -c 'echo hi; exit 1'
sleep 45
kubectl get pods -o wide
kubectl get events -A -o yaml
kubectl get pods -o jsonpath='{.items[*].metadata.uid}'
";

#[test]
fn same_seed_same_bytes() {
    let a = run_script(SCRIPT, 42);
    let b = run_script(SCRIPT, 42);
    assert!(a.contains("kind: Event"), "the event log should be in the transcript:\n{a}");
    assert_eq!(a, b, "two runs with seed 42 differ (reproduce with KUBEDOJO_SEED=42)");
}

#[test]
fn another_seed_changes_random_choices() {
    let a = run_script(SCRIPT, 1);
    let b = run_script(SCRIPT, 2);
    assert_ne!(a, b, "uids come from the seeded RNG, so seeds 1 and 2 must differ");
}

/// Several clusters (issue 5): each cluster's world is seeded from the run's seed and its
/// name, so two runs give the same bytes, and the same Deployment made in both clusters gets
/// different pod names.
#[test]
fn several_clusters_same_seed_same_bytes() {
    const MULTI: &str = "kubectl create deployment web --image=nginx --replicas=2
kubectl config use-context prod
kubectl create deployment web --image=nginx --replicas=2
sleep 30
kubectl get pods -o name
kubectl --context dev get pods -o name
kubectl get events -A -o yaml
kubectl --context dev get events -A -o yaml
";
    let path = "tests/scenarios/two-clusters.yaml";
    let a = super::run_scenario_script(path, MULTI);
    let b = super::run_scenario_script(path, MULTI);
    assert!(a.contains("kind: Event"), "the event logs should be in the transcript:\n{a}");
    assert_eq!(a, b, "two runs of {path} differ");
    let pods = |section: &str| -> Vec<String> {
        let start = a.find(section).unwrap() + section.len();
        a[start..].lines().skip(1).take_while(|l| l.starts_with("pod/")).map(str::to_string).collect()
    };
    let (prod, dev) = (pods("$ kubectl get pods -o name"), pods("$ kubectl --context dev get pods -o name"));
    assert_eq!((prod.len(), dev.len()), (2, 2), "{a}");
    assert!(prod.iter().all(|p| !dev.contains(p)), "the clusters drew the same names: {prod:?} {dev:?}");
}
