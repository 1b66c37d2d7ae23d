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
