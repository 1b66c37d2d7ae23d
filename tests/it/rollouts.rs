//! Rollouts stepped tick by tick: a RollingUpdate never has fewer than
//! replicas − maxUnavailable ready pods nor more than replicas + maxSurge pods, at any
//! simulated second; a Recreate never runs a new pod while an old one still exists.

use kubedojo::shell::workstation::Workstation;
use kubedojo::sim::{Kind, World};

fn manifest(replicas: i32, strategy: &str, image: &str) -> String {
    format!(
        "cat <<'EOF' | kubectl apply -f -
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: web
  strategy:
{strategy}
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: {image}
        readinessProbe:
          httpGet:
            path: /
            port: 80
          periodSeconds: 2
EOF
"
    )
}

/// Pods of the Deployment that are not terminating: (all, ready, with the new image).
fn count(w: &World, new_image: &str) -> (usize, usize, usize, usize) {
    let mut active = 0;
    let mut ready = 0;
    let mut new = 0;
    let mut old_any = 0;
    for o in w.store.list(Kind::Pod, Some("default")) {
        let p = o.as_pod().unwrap();
        let image = p.spec.as_ref().unwrap().containers[0].image.clone().unwrap_or_default();
        if image == new_image {
            new += 1;
        } else {
            old_any += 1; // old pods, terminating ones included
        }
        if p.metadata.deletion_timestamp.is_some() {
            continue;
        }
        active += 1;
        let is_ready = p
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        if is_ready {
            ready += 1;
        }
    }
    (active, ready, new, old_any)
}

fn rolled_out(w: &World, replicas: i32) -> bool {
    let Some(o) = w.store.get(Kind::Deployment, "default", "web") else { return false };
    let v = o.to_value();
    let n = |p: &str| v.pointer(p).and_then(|x| x.as_i64()).unwrap_or(0);
    let g = v.pointer("/metadata/generation").and_then(|x| x.as_i64()).unwrap_or(0);
    n("/status/observedGeneration") >= g
        && n("/status/updatedReplicas") == replicas as i64
        && n("/status/replicas") == replicas as i64
        && n("/status/availableReplicas") == replicas as i64
}

/// Rolls `replicas` pods from nginx:1.25 to nginx:1.26 and checks the bounds every tick.
fn check_rolling(replicas: i32, strategy: &str, max_surge: usize, max_unavailable: usize) {
    let mut ws = Workstation::new(World::new(7));
    ws.execute(&manifest(replicas, strategy, "nginx:1.25"));
    ws.world.run_until(|w| rolled_out(w, replicas), 300).expect("initial rollout");
    ws.execute("kubectl set image deployment/web web=nginx:1.26");
    let want = replicas as usize;
    let mut saw_new = false;
    for tick in 0..600 {
        ws.world.tick();
        let (active, ready, new, _) = count(&ws.world, "nginx:1.26");
        saw_new |= new > 0;
        assert!(active <= want + max_surge, "tick {tick}: {active} pods exceed replicas {want} + maxSurge {max_surge}");
        assert!(
            ready + max_unavailable >= want,
            "tick {tick}: only {ready} ready pods, below replicas {want} - maxUnavailable {max_unavailable}"
        );
        if rolled_out(&ws.world, replicas) && count(&ws.world, "nginx:1.26").2 == want {
            assert!(saw_new);
            return;
        }
    }
    panic!("the rollout did not finish in 600 ticks (reproduce with KUBEDOJO_SEED=7)");
}

#[test]
fn rolling_update_default_percentages() {
    // 25 %/25 % of 4: maxSurge rounds up to 1, maxUnavailable rounds down to 1.
    check_rolling(4, "    type: RollingUpdate", 1, 1);
}

#[test]
fn rolling_update_absolute_values() {
    check_rolling(10, "    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 3\n      maxUnavailable: 2", 3, 2);
}

#[test]
fn rolling_update_zero_unavailable() {
    // 25 % of 3 rounds maxUnavailable down to 0: the rollout must never lose a ready pod.
    check_rolling(3, "    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 1\n      maxUnavailable: 0", 1, 0);
}

#[test]
fn recreate_removes_old_pods_before_starting_new_ones() {
    let mut ws = Workstation::new(World::new(7));
    ws.execute(&manifest(3, "    type: Recreate", "nginx:1.25"));
    ws.world.run_until(|w| rolled_out(w, 3), 300).expect("initial rollout");
    ws.execute("kubectl set image deployment/web web=nginx:1.26");
    let mut gap_seen = false;
    for tick in 0..600 {
        ws.world.tick();
        let (active, _, new, old) = count(&ws.world, "nginx:1.26");
        assert!(new == 0 || old == 0, "tick {tick}: {new} new pods while {old} old pods still exist");
        gap_seen |= active == 0;
        if rolled_out(&ws.world, 3) && new == 3 {
            assert!(gap_seen, "Recreate should go through a moment with no pods");
            return;
        }
    }
    panic!("the Recreate rollout did not finish in 600 ticks (reproduce with KUBEDOJO_SEED=7)");
}

/// The same seed gives the same ReplicaSet and pod names, events and timings; another seed
/// changes the random pod suffixes but not the pod-template-hash (it depends on the template
/// only).
#[test]
fn rollouts_are_deterministic() {
    let path = format!("{}/tests/transcripts/rollout_history_undo.sh", env!("CARGO_MANIFEST_DIR"));
    let script = std::fs::read_to_string(path).unwrap();
    let script = format!("{script}kubectl get events -o yaml\nkubectl get pods -o name\n");
    let a = super::run_script(&script, 42);
    let b = super::run_script(&script, 42);
    assert_eq!(a, b, "two runs with seed 42 differ (reproduce with KUBEDOJO_SEED=42)");
    let c = super::run_script(&script, 43);
    assert_ne!(a, c, "pod name suffixes come from the seeded RNG");
    assert!(a.contains("web-6cf59bd4d9") && c.contains("web-6cf59bd4d9"), "the hash is the template's, not the seed's");
}
