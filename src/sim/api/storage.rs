//! What the API server does around PersistentVolumes, PersistentVolumeClaims and
//! StorageClasses: defaulting (`SetDefaults_PersistentVolume`, `..._PersistentVolumeClaim`,
//! `SetDefaults_StorageClass`), the registry strategies' `PrepareForCreate` (status is the
//! controller's: a new PV is `Pending` with its `lastPhaseTransitionTime`, a new claim
//! `Pending`) and a ported subset of `ValidatePersistentVolume`/`...Claim` with their texts.

use k8s_openapi::api::core::v1::{
    PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimStatus, PersistentVolumeStatus,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::errors::{BadValue, FieldError};
use super::validate::{is_dns1123_subdomain, validate_object_meta, NameRule};
use crate::sim::quantity::parse_milli;

const ACCESS_MODES: &[&str] = &["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];
const VOLUME_MODES: &[&str] = &["Block", "Filesystem"];
const RECLAIM_POLICIES: &[&str] = &["Delete", "Recycle", "Retain"];
const BINDING_MODES: &[&str] = &["Immediate", "WaitForFirstConsumer"];

fn set_default(field: &mut Option<String>, value: &str) {
    if field.as_deref().unwrap_or("").is_empty() {
        *field = Some(value.to_string());
    }
}

/// `SetDefaults_PersistentVolume` (the hostPath type default comes with the volume source).
pub fn default_volume(pv: &mut PersistentVolume) {
    let spec = pv.spec.get_or_insert_with(Default::default);
    set_default(&mut spec.persistent_volume_reclaim_policy, "Retain");
    set_default(&mut spec.volume_mode, "Filesystem");
    if let Some(h) = spec.host_path.as_mut() {
        h.type_.get_or_insert_with(String::new);
    }
    let status = pv.status.get_or_insert_with(PersistentVolumeStatus::default);
    set_default(&mut status.phase, "Pending");
}

/// `SetDefaults_PersistentVolumeClaim` and `..._PersistentVolumeClaimSpec`.
pub fn default_claim(pvc: &mut PersistentVolumeClaim) {
    let spec = pvc.spec.get_or_insert_with(Default::default);
    set_default(&mut spec.volume_mode, "Filesystem");
    let status = pvc.status.get_or_insert_with(PersistentVolumeClaimStatus::default);
    set_default(&mut status.phase, "Pending");
}

/// `SetDefaults_StorageClass`.
pub fn default_storage_class(sc: &mut StorageClass) {
    set_default(&mut sc.reclaim_policy, "Delete");
    set_default(&mut sc.volume_binding_mode, "Immediate");
}

/// `PrepareForCreate`: users do not write status; a new volume starts `Pending` at `now`.
pub fn prepare_volume(pv: &mut PersistentVolume, now: Time) {
    pv.status = Some(PersistentVolumeStatus {
        phase: Some("Pending".into()),
        last_phase_transition_time: Some(now),
        ..Default::default()
    });
}

pub fn prepare_claim(pvc: &mut PersistentVolumeClaim) {
    pvc.status = Some(PersistentVolumeClaimStatus { phase: Some("Pending".into()), ..Default::default() });
}

fn access_mode_errs(modes: &[String], path: &str, required_detail: &str, errs: &mut Vec<FieldError>) {
    if modes.is_empty() {
        errs.push(FieldError::required(path, required_detail));
    }
    for m in modes {
        if !ACCESS_MODES.contains(&m.as_str()) {
            errs.push(FieldError::not_supported(path, BadValue::Str(m.clone()), ACCESS_MODES));
        }
    }
    if modes.iter().any(|m| m == "ReadWriteOncePod") && modes.len() > 1 {
        errs.push(FieldError::forbidden(path, "may not use ReadWriteOncePod with other access modes"));
    }
}

fn class_name_errs(class: Option<&str>, path: &str, errs: &mut Vec<FieldError>) {
    if let Some(c) = class.filter(|c| !c.is_empty()) {
        for msg in is_dns1123_subdomain(c) {
            errs.push(FieldError::invalid(path, BadValue::Str(c.to_string()), msg));
        }
    }
}

/// A subset of `ValidatePersistentVolume`, in the order Go appends.
pub fn validate_volume(pv: &PersistentVolume) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&pv.metadata, NameRule::Dns1123Subdomain);
    let Some(spec) = pv.spec.as_ref() else {
        errs.push(FieldError::required("spec", "must specify a volume type"));
        return errs;
    };
    access_mode_errs(spec.access_modes.as_deref().unwrap_or_default(), "spec.accessModes", "", &mut errs);
    match spec.capacity.as_ref().and_then(|c| c.get("storage")) {
        None => errs.push(FieldError::required("spec.capacity", "")),
        Some(q) => {
            if parse_milli(&q.0).is_ok_and(|v| v < 0) {
                errs.push(FieldError::invalid(
                    "spec.capacity[storage]",
                    BadValue::Str(q.0.clone()),
                    "must be greater than or equal to 0",
                ));
            }
        }
    }
    class_name_errs(spec.storage_class_name.as_deref(), "spec.storageClassName", &mut errs);
    if let Some(m) = spec.volume_mode.as_deref().filter(|m| !VOLUME_MODES.contains(m)) {
        errs.push(FieldError::not_supported("spec.volumeMode", BadValue::Str(m.to_string()), VOLUME_MODES));
    }
    if let Some(p) = spec.persistent_volume_reclaim_policy.as_deref().filter(|p| !RECLAIM_POLICIES.contains(p)) {
        errs.push(FieldError::not_supported(
            "spec.persistentVolumeReclaimPolicy",
            BadValue::Str(p.to_string()),
            RECLAIM_POLICIES,
        ));
    }
    let sources = [
        spec.host_path.is_some(),
        spec.gce_persistent_disk.is_some(),
        spec.aws_elastic_block_store.is_some(),
        spec.glusterfs.is_some(),
        spec.nfs.is_some(),
        spec.rbd.is_some(),
        spec.quobyte.is_some(),
        spec.cephfs.is_some(),
        spec.iscsi.is_some(),
        spec.cinder.is_some(),
        spec.fc.is_some(),
        spec.flocker.is_some(),
        spec.flex_volume.is_some(),
        spec.azure_file.is_some(),
        spec.vsphere_volume.is_some(),
        spec.azure_disk.is_some(),
        spec.photon_persistent_disk.is_some(),
        spec.portworx_volume.is_some(),
        spec.scale_io.is_some(),
        spec.local.is_some(),
        spec.storageos.is_some(),
        spec.csi.is_some(),
    ];
    if let Some(h) = spec.host_path.as_ref() {
        if h.path.is_empty() {
            errs.push(FieldError::required("spec.hostPath.path", ""));
        }
    }
    if let Some(n) = spec.nfs.as_ref() {
        if n.server.is_empty() {
            errs.push(FieldError::required("spec.nfs.server", ""));
        }
        if n.path.is_empty() {
            errs.push(FieldError::required("spec.nfs.path", ""));
        } else if !n.path.starts_with('/') {
            errs.push(FieldError::invalid("spec.nfs.path", BadValue::Str(n.path.clone()), "must be an absolute path"));
        }
    }
    if let Some(l) = spec.local.as_ref() {
        if l.path.is_empty() {
            errs.push(FieldError::required("spec.local.path", ""));
        }
        if spec.node_affinity.is_none() {
            errs.push(FieldError::required("spec.nodeAffinity", "Local volume requires node affinity"));
        }
    }
    match sources.iter().filter(|s| **s).count() {
        0 => errs.push(FieldError::required("spec", "must specify a volume type")),
        1 => {}
        _ => errs.push(FieldError::forbidden("spec", "may not specify more than 1 volume type")),
    }
    errs
}

/// A subset of `ValidatePersistentVolumeClaim`, in the order Go appends.
pub fn validate_claim(pvc: &PersistentVolumeClaim) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&pvc.metadata, NameRule::Dns1123Subdomain);
    let spec = pvc.spec.clone().unwrap_or_default();
    access_mode_errs(
        spec.access_modes.as_deref().unwrap_or_default(),
        "spec.accessModes",
        "at least 1 access mode is required",
        &mut errs,
    );
    match spec.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get("storage")) {
        None => errs.push(FieldError::required("spec.resources[storage]", "")),
        Some(q) => {
            if parse_milli(&q.0).is_ok_and(|v| v <= 0) {
                errs.push(FieldError::invalid(
                    "spec.resources[storage]",
                    BadValue::Str(q.0.clone()),
                    "must be greater than zero",
                ));
            }
        }
    }
    class_name_errs(spec.storage_class_name.as_deref(), "spec.storageClassName", &mut errs);
    if let Some(m) = spec.volume_mode.as_deref().filter(|m| !VOLUME_MODES.contains(m)) {
        errs.push(FieldError::not_supported("spec.volumeMode", BadValue::Str(m.to_string()), VOLUME_MODES));
    }
    errs
}

/// A subset of `ValidateStorageClass`.
pub fn validate_storage_class(sc: &StorageClass) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&sc.metadata, NameRule::Dns1123Subdomain);
    if sc.provisioner.is_empty() {
        errs.push(FieldError::required("provisioner", ""));
    }
    if let Some(p) = sc.reclaim_policy.as_deref().filter(|p| !RECLAIM_POLICIES.contains(p)) {
        errs.push(FieldError::not_supported("reclaimPolicy", BadValue::Str(p.to_string()), RECLAIM_POLICIES));
    }
    if let Some(m) = sc.volume_binding_mode.as_deref().filter(|m| !BINDING_MODES.contains(m)) {
        errs.push(FieldError::not_supported("volumeBindingMode", BadValue::Str(m.to_string()), BINDING_MODES));
    }
    errs
}

/// `ValidateStorageClassUpdate`: parameters, provisioner, reclaimPolicy and volumeBindingMode
/// are immutable.
pub fn validate_storage_class_update(new: &StorageClass, old: &StorageClass) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if new.parameters != old.parameters {
        errs.push(FieldError::forbidden("parameters", "updates to parameters are forbidden."));
    }
    if new.provisioner != old.provisioner {
        errs.push(FieldError::forbidden("provisioner", "updates to provisioner are forbidden."));
    }
    if new.reclaim_policy != old.reclaim_policy {
        errs.push(FieldError::forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
    }
    if new.volume_binding_mode != old.volume_binding_mode {
        errs.push(FieldError::forbidden("volumeBindingMode", "field is immutable"));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lines(errs: &[FieldError]) -> Vec<String> {
        errs.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn claim_and_volume_texts() {
        let pvc: PersistentVolumeClaim = serde_json::from_value(json!({
            "metadata": {"name": "data"},
            "spec": {"accessModes": ["ReadWriteAll"]}
        }))
        .unwrap();
        assert_eq!(
            lines(&validate_claim(&pvc)),
            [
                "spec.accessModes: Unsupported value: \"ReadWriteAll\": supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\"",
                "spec.resources[storage]: Required value",
            ]
        );
        let pv: PersistentVolume = serde_json::from_value(json!({
            "metadata": {"name": "pv1"},
            "spec": {"capacity": {"storage": "1Gi"}}
        }))
        .unwrap();
        assert_eq!(
            lines(&validate_volume(&pv)),
            ["spec.accessModes: Required value", "spec: Required value: must specify a volume type"]
        );
    }
}
