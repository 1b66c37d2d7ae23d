//! `controller.RealPodControl` for the Job, DaemonSet and StatefulSet controllers: pods made
//! from a template with a controller reference, deletions, and the events the real one
//! records (`SuccessfulCreate` `Created pod: web-x8k2j`, `FailedCreate`, `SuccessfulDelete`).

use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::sim::api::errors::ApiError;
use crate::sim::api::WriteOptions;
use crate::sim::events::{object_reference, EventType, Source};
use crate::sim::{Kind, Object, World};

/// `metav1.NewControllerRef`: the owner reference a controller puts on what it creates.
pub fn controller_ref_to(owner: &Object) -> OwnerReference {
    let kind = owner.kind();
    OwnerReference {
        api_version: kind.api_version().to_string(),
        kind: kind.name().to_string(),
        name: owner.name().to_string(),
        uid: owner.meta().uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// `GetPodFromTemplate`: a pod with the template's labels, annotations, finalizers and spec,
/// owned by `owner`. `name` is a full name, or with `generate_name` a prefix.
pub fn pod_from_template(template: &PodTemplateSpec, owner: &Object, name: Option<&str>, generate_name: &str) -> Pod {
    let tm = template.metadata.clone().unwrap_or_default();
    Pod {
        metadata: ObjectMeta {
            name: name.map(str::to_string),
            generate_name: if name.is_none() { Some(generate_name.to_string()) } else { None },
            namespace: Some(owner.namespace().to_string()),
            labels: tm.labels.filter(|l| !l.is_empty()),
            annotations: tm.annotations.filter(|a| !a.is_empty()),
            finalizers: tm.finalizers.filter(|f| !f.is_empty()),
            owner_references: Some(vec![controller_ref_to(owner)]),
            ..Default::default()
        },
        spec: template.spec.clone(),
        status: None,
    }
}

/// Creates `pod` on behalf of `owner` and records the controller's event about it. Returns
/// the stored pod's name.
pub fn create_pod(w: &mut World, owner: &Object, pod: Pod, component: &str) -> Result<String, ApiError> {
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

/// Deletes a pod on behalf of `owner` (graceful, as a DELETE without options is) and records
/// `SuccessfulDelete` `Deleted pod: NAME`.
pub fn delete_pod(w: &mut World, owner: &Object, namespace: &str, name: &str, component: &str) -> bool {
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
            true
        }
        Err(e) => {
            w.record_event(
                reference,
                EventType::Warning,
                "FailedDelete",
                &format!("Error deleting: {}", e.message),
                Source::controller(component),
            );
            false
        }
    }
}

/// Whether a pod is terminal (Succeeded or Failed).
pub fn is_terminal(p: &Pod) -> bool {
    matches!(phase(p), "Succeeded" | "Failed")
}

pub fn phase(p: &Pod) -> &str {
    p.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("")
}

/// `controller.IsPodActive`: not terminal and not being deleted.
pub fn is_active(p: &Pod) -> bool {
    !is_terminal(p) && p.metadata.deletion_timestamp.is_none()
}

/// `podutil.IsPodReady`: the Ready condition is True.
pub fn is_ready(p: &Pod) -> bool {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// The tick the Ready condition last turned True (for minReadySeconds / availability).
pub fn ready_since(p: &Pod) -> Option<crate::sim::Tick> {
    let c = p.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == "Ready" && c.status == "True")?;
    c.last_transition_time.as_ref().map(crate::sim::clock::tick_of)
}
