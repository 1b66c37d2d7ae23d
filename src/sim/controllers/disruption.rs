//! The disruption controller: keeps each PodDisruptionBudget's status (expected pods,
//! currently and desired healthy, disruptions allowed) in step with its pods, so that the
//! eviction API (`kubectl drain`) can honour it.

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::sim::api::selector::Selector;
use crate::sim::{Kind, Object, World};

/// Whether a pod counts as healthy: Ready and not being deleted.
pub fn pod_healthy(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_none()
        && p.status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// The pods a budget covers (an empty selector selects every pod of the namespace in policy/v1).
pub fn covered_pods<'a>(w: &'a World, pdb: &PodDisruptionBudget) -> Vec<&'a Pod> {
    let ns = pdb.metadata.namespace.clone().unwrap_or_default();
    let sel = pdb.spec.as_ref().and_then(|s| s.selector.as_ref()).map(Selector::from_label_selector);
    w.store
        .list(Kind::Pod, Some(&ns))
        .into_iter()
        .filter_map(|o| o.as_pod())
        .filter(|p| sel.as_ref().is_none_or(|s| s.matches(&p.metadata.labels.clone().unwrap_or_default())))
        .collect()
}

/// The scale of the controllers owning `pods` (a Deployment's replicas for its ReplicaSets'
/// pods, a StatefulSet's, a bare ReplicaSet's), counting each controller once.
fn controllers_scale(w: &World, pods: &[&Pod]) -> i32 {
    let mut seen: Vec<String> = Vec::new();
    let mut total = 0;
    for p in pods {
        let Some(owner) = p.metadata.owner_references.iter().flatten().find(|o| o.controller == Some(true)) else {
            // An unmanaged pod counts for itself.
            total += 1;
            continue;
        };
        let ns = p.metadata.namespace.clone().unwrap_or_default();
        let (uid, replicas) = match owner.kind.as_str() {
            "ReplicaSet" => {
                let Some(rs) = w.store.get(Kind::ReplicaSet, &ns, &owner.name).and_then(|o| match o {
                    Object::ReplicaSet(r) => Some(r),
                    _ => None,
                }) else {
                    continue;
                };
                let dep = rs
                    .metadata
                    .owner_references
                    .iter()
                    .flatten()
                    .find(|o| o.controller == Some(true) && o.kind == "Deployment");
                match dep.and_then(|d| w.store.get(Kind::Deployment, &ns, &d.name)) {
                    Some(Object::Deployment(d)) => (
                        d.metadata.uid.clone().unwrap_or_default(),
                        d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                    ),
                    _ => (owner.uid.clone(), rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)),
                }
            }
            "StatefulSet" => match w.store.get(Kind::StatefulSet, &ns, &owner.name) {
                Some(Object::StatefulSet(s)) => {
                    (owner.uid.clone(), s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1))
                }
                _ => continue,
            },
            _ => (owner.uid.clone(), 1),
        };
        if !seen.contains(&uid) {
            seen.push(uid);
            total += replicas;
        }
    }
    total
}

/// `GetScaledValueFromIntOrPercent` rounding up.
fn scaled(v: &IntOrString, total: i32) -> i32 {
    match v {
        IntOrString::Int(i) => *i,
        IntOrString::String(s) => {
            let pct: i64 = s.trim_end_matches('%').parse().unwrap_or(0);
            ((pct * total as i64 + 99) / 100) as i32
        }
    }
}

/// The status a budget should have now.
pub fn compute_status(w: &World, pdb: &PodDisruptionBudget) -> PodDisruptionBudgetStatus {
    let pods = covered_pods(w, pdb);
    let spec = pdb.spec.clone().unwrap_or_default();
    let (expected, desired) = match (&spec.max_unavailable, &spec.min_available) {
        (Some(max), _) => {
            let expected = controllers_scale(w, &pods);
            (expected, (expected - scaled(max, expected)).max(0))
        }
        (None, Some(IntOrString::Int(min))) => (pods.len() as i32, *min),
        (None, Some(pct)) => {
            let expected = controllers_scale(w, &pods);
            (expected, scaled(pct, expected))
        }
        (None, None) => (pods.len() as i32, 0),
    };
    let healthy = pods.iter().filter(|p| pod_healthy(p)).count() as i32;
    let allowed = if expected <= 0 { 0 } else { (healthy - desired).max(0) };
    let previous = pdb.status.clone().unwrap_or_default();
    let (status, reason) = if allowed > 0 { ("True", "SufficientPods") } else { ("False", "InsufficientPods") };
    let prev_cond = previous.conditions.iter().flatten().find(|c| c.type_ == "DisruptionAllowed");
    let since = match prev_cond {
        Some(c) if c.status == status => c.last_transition_time.clone(),
        _ => w.now.time(),
    };
    PodDisruptionBudgetStatus {
        current_healthy: healthy,
        desired_healthy: desired,
        disruptions_allowed: allowed,
        expected_pods: expected,
        observed_generation: pdb.metadata.generation,
        disrupted_pods: None,
        conditions: Some(vec![Condition {
            type_: "DisruptionAllowed".into(),
            status: status.into(),
            reason: reason.into(),
            message: String::new(),
            last_transition_time: since,
            observed_generation: pdb.metadata.generation,
        }]),
    }
}

/// Brings every budget's status up to date.
pub fn reconcile(w: &mut World) {
    let pdbs: Vec<PodDisruptionBudget> = w
        .store
        .list(Kind::PodDisruptionBudget, None)
        .into_iter()
        .filter_map(|o| match o {
            Object::PodDisruptionBudget(p) => Some((**p).clone()),
            _ => None,
        })
        .collect();
    for pdb in pdbs {
        let status = compute_status(w, &pdb);
        if pdb.status.as_ref() == Some(&status) {
            continue;
        }
        let ns = pdb.metadata.namespace.clone().unwrap_or_default();
        let name = pdb.metadata.name.clone().unwrap_or_default();
        let _ = w.store.modify(Kind::PodDisruptionBudget, &ns, &name, |o| {
            if let Object::PodDisruptionBudget(p) = o {
                p.status = Some(status.clone());
            }
        });
    }
}
