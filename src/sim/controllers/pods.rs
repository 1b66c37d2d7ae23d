//! What the workload controllers share about pods, ported from `pkg/controller/controller_utils.go`
//! and `pkg/api/v1/pod/util.go`: creating a pod from a template on behalf of an owner (the
//! `PodControl` with its SuccessfulCreate / FailedCreate / SuccessfulDelete events), controller
//! references, and the pod predicates (active, ready, available) every controller counts with.
//!
//! Used by the ReplicaSet and Deployment controllers; the Job, DaemonSet and StatefulSet
//! controllers can use the same helpers.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, PodCondition, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};

use crate::sim::api::errors::ApiError;
use crate::sim::api::selector::Selector;
use crate::sim::api::WriteOptions;
use crate::sim::clock::{tick_of, Tick};
use crate::sim::events::{object_reference, EventType, Source};
use crate::sim::{Kind, Object, World};

/// The controller reference of an object: its owner reference with `controller: true`.
pub fn controller_ref(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references.as_ref()?.iter().find(|r| r.controller == Some(true))
}

/// Whether `meta`'s controller is the object of `kind` with `uid`.
pub fn is_controlled_by(meta: &ObjectMeta, kind: Kind, uid: &str) -> bool {
    controller_ref(meta).is_some_and(|r| r.kind == kind.name() && r.uid == uid)
}

/// `metav1.NewControllerRef`: an owner reference to `owner` with controller and
/// blockOwnerDeletion set, as controllers stamp on what they create or adopt.
pub fn new_controller_ref(owner: &Object) -> OwnerReference {
    let m = owner.meta();
    OwnerReference {
        api_version: owner.kind().api_version().to_string(),
        kind: owner.kind().name().to_string(),
        name: m.name.clone().unwrap_or_default(),
        uid: m.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// `controller.IsPodActive`: not Succeeded, not Failed, and not being deleted.
pub fn is_active(p: &Pod) -> bool {
    let phase = p.status.as_ref().and_then(|s| s.phase.as_deref());
    !matches!(phase, Some("Succeeded" | "Failed")) && p.metadata.deletion_timestamp.is_none()
}

/// The pod's phase ("" when the kubelet has not written a status yet).
pub fn phase(p: &Pod) -> &str {
    p.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("")
}

fn ready_condition(p: &Pod) -> Option<&PodCondition> {
    p.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == "Ready")
}

/// `podutil.IsPodReady`: the Ready condition is True.
pub fn is_ready(p: &Pod) -> bool {
    ready_condition(p).is_some_and(|c| c.status == "True")
}

/// When a ready pod turned Ready (its Ready condition's lastTransitionTime).
pub fn ready_since(p: &Pod) -> Option<Tick> {
    let c = ready_condition(p).filter(|c| c.status == "True")?;
    c.last_transition_time.as_ref().map(tick_of)
}

/// The first tick at which a ready pod counts as available: `podutil.IsPodAvailable` wants
/// `lastTransitionTime + minReadySeconds` strictly before now. None if the pod is not ready.
pub fn available_at(p: &Pod, min_ready_s: i32) -> Option<Tick> {
    if !is_ready(p) {
        return None;
    }
    if min_ready_s <= 0 {
        return Some(Tick(0));
    }
    // A Ready condition without a transition time never becomes available (IsZero check).
    let since = ready_since(p)?;
    Some(since.plus_s(min_ready_s as u64 + 1))
}

/// `podutil.IsPodAvailable(pod, minReadySeconds, now)`.
pub fn is_available(p: &Pod, min_ready_s: i32, now: Tick) -> bool {
    available_at(p, min_ready_s).is_some_and(|t| t <= now)
}

/// Highest restart count among the regular containers, then among the restartable init
/// containers (sidecars), as `compareMaxContainerRestarts` ranks pods.
pub fn max_container_restarts(p: &Pod) -> (i32, i32) {
    let Some(status) = p.status.as_ref() else { return (0, 0) };
    let regular = status.container_statuses.iter().flatten().map(|c| c.restart_count).max().unwrap_or(0);
    let sidecars: Vec<&str> = p
        .spec
        .as_ref()
        .and_then(|s| s.init_containers.as_ref())
        .map(|v| v.iter().filter(|c| c.restart_policy.as_deref() == Some("Always")).map(|c| c.name.as_str()).collect())
        .unwrap_or_default();
    let sidecar = status
        .init_container_statuses
        .iter()
        .flatten()
        .filter(|c| sidecars.contains(&c.name.as_str()))
        .map(|c| c.restart_count)
        .max()
        .unwrap_or(0);
    (regular, sidecar)
}

/// The labels of an object (empty when it has none).
pub fn labels_of(meta: &ObjectMeta) -> BTreeMap<String, String> {
    meta.labels.clone().unwrap_or_default()
}

/// `metav1.LabelSelectorAsSelector` then `Matches`. An empty selector matches everything;
/// a missing one (None) matches nothing.
pub fn selector_matches(sel: Option<&LabelSelector>, labels: &BTreeMap<String, String>) -> bool {
    match sel {
        None => false,
        Some(s) => Selector::from_label_selector(s).matches(labels),
    }
}

/// Whether a LabelSelector selects nothing in particular (`{}`): the controllers refuse to
/// manage everything in a namespace.
pub fn selector_is_empty(sel: &LabelSelector) -> bool {
    sel.match_labels.as_ref().is_none_or(|m| m.is_empty())
        && sel.match_expressions.as_ref().is_none_or(|m| m.is_empty())
}

/// `GetPodFromTemplate`: a pod for `owner` from `template` — the template's labels,
/// annotations and finalizers, `generateName: <owner>-`, the controller reference.
pub fn pod_from_template(template: &PodTemplateSpec, namespace: &str, owner: &Object) -> Pod {
    let tm = template.metadata.clone().unwrap_or_default();
    let non_empty = |m: Option<BTreeMap<String, String>>| m.filter(|m| !m.is_empty());
    Pod {
        metadata: ObjectMeta {
            namespace: Some(namespace.to_string()),
            generate_name: Some(format!("{}-", owner.name())),
            labels: non_empty(tm.labels),
            annotations: non_empty(tm.annotations),
            finalizers: tm.finalizers.filter(|f| !f.is_empty()),
            owner_references: Some(vec![new_controller_ref(owner)]),
            ..Default::default()
        },
        spec: template.spec.clone(),
        status: None,
    }
}

/// `RealPodControl.CreatePods`: creates a pod from `template` for `owner` through the API
/// server and records `SuccessfulCreate` (`Created pod: web-7c5ddbdf54-x8k2j`) or
/// `FailedCreate` (`Error creating: ...`) on the owner, reported by `component`
/// (e.g. `replicaset-controller`). Returns the new pod's name.
pub fn create_pod(
    w: &mut World,
    template: &PodTemplateSpec,
    owner: &Object,
    component: &str,
) -> Result<String, ApiError> {
    let pod = pod_from_template(template, owner.namespace(), owner);
    let reference = object_reference(owner, None);
    match w.api_create(Object::from(pod), WriteOptions::default()) {
        Ok(created) => {
            let name = created.name().to_string();
            w.record_event(
                reference,
                EventType::Normal,
                "SuccessfulCreate",
                &format!("Created pod: {name}"),
                Source::controller(component),
            );
            Ok(name)
        }
        Err(e) => {
            w.record_event(
                reference,
                EventType::Warning,
                "FailedCreate",
                &format!("Error creating: {}", e.message),
                Source::controller(component),
            );
            Err(e)
        }
    }
}

/// `RealPodControl.DeletePod`: deletes a pod (gracefully) on behalf of `owner` and records
/// `SuccessfulDelete` (`Deleted pod: ...`) or `FailedDelete` (`Error deleting: ...`).
pub fn delete_pod(w: &mut World, namespace: &str, name: &str, owner: &Object, component: &str) -> Result<(), ApiError> {
    let reference = object_reference(owner, None);
    match w.api_delete(Kind::Pod, namespace, name, None, WriteOptions::default()) {
        Ok(_) => {
            w.record_event(
                reference,
                EventType::Normal,
                "SuccessfulDelete",
                &format!("Deleted pod: {name}"),
                Source::controller(component),
            );
            Ok(())
        }
        // Already gone: nothing to report (the real PodControl treats NotFound as done).
        Err(e) if e.code == 404 => Ok(()),
        Err(e) => {
            w.record_event(
                reference,
                EventType::Warning,
                "FailedDelete",
                &format!("Error deleting: {}", e.message),
                Source::controller(component),
            );
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::PodStatus;

    fn pod_ready_at(t: Tick) -> Pod {
        Pod {
            status: Some(PodStatus {
                phase: Some("Running".into()),
                conditions: Some(vec![PodCondition {
                    type_: "Ready".into(),
                    status: "True".into(),
                    last_transition_time: Some(t.time()),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn available_strictly_after_min_ready_seconds() {
        let p = pod_ready_at(Tick(10));
        assert!(is_available(&p, 0, Tick(10)));
        assert!(!is_available(&p, 5, Tick(15)));
        assert!(is_available(&p, 5, Tick(16)));
        assert_eq!(available_at(&p, 5), Some(Tick(16)));
        assert!(is_active(&p));
    }
}
