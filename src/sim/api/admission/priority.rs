//! The Priority admission plugin: a pod naming a PriorityClass gets that class's value and
//! preemption policy; a class that does not exist is refused in the plugin's words. (A pod
//! naming no class gets 0, set with the other pod defaults in `api::defaults`.)

use crate::sim::api::errors::ApiError;
use crate::sim::{Kind, Object, World};

/// The two classes every API server creates at start.
pub const SYSTEM_CLASSES: &[(&str, i32, &str)] = &[
    (
        "system-cluster-critical",
        2_000_000_000,
        "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
    ),
    (
        "system-node-critical",
        2_000_001_000,
        "Used for system critical pods that must not be moved from their current node.",
    ),
];

pub fn mutate(w: &World, obj: &mut Object) -> Result<(), ApiError> {
    let Object::Pod(pod) = obj else { return Ok(()) };
    let pod = std::sync::Arc::make_mut(pod);
    let name = pod.metadata.name.clone().unwrap_or_default();
    let Some(spec) = pod.spec.as_mut() else { return Ok(()) };
    let Some(class) = spec.priority_class_name.clone().filter(|c| !c.is_empty()) else { return Ok(()) };
    match w.store.get(Kind::PriorityClass, "", &class) {
        Some(Object::PriorityClass(pc)) => {
            spec.priority = Some(pc.value);
            spec.preemption_policy =
                Some(pc.preemption_policy.clone().unwrap_or_else(|| "PreemptLowerPriority".into()));
            Ok(())
        }
        _ => Err(ApiError::forbidden("pods", &name, &format!("no PriorityClass with name {class} was found"))),
    }
}
