//! The persistentvolume controller (`pkg/controller/volume/persistentvolume`, v1.32): binds
//! claims to volumes and keeps both phases right, asks provisioners for volumes, and reclaims
//! released volumes.
//!
//! - A claim is bound to the volume pre-bound to it (`spec.volumeName`, or a volume whose
//!   `claimRef` names it), else to the smallest Available volume of its class that offers its
//!   access modes, size and selector. Binding writes the volume's `claimRef`, the claim's
//!   `volumeName`, the `pv.kubernetes.io/bind-completed` and `bound-by-controller` annotations,
//!   then both phases `Bound` (the claim's status copies the volume's modes and capacity).
//! - A claim of a WaitForFirstConsumer class is left to the scheduler until it picks a node
//!   (`volume.kubernetes.io/selected-node`): `WaitForFirstConsumer` / `WaitForPodScheduled`.
//! - With nothing to bind and a class, the claim is provisioned: the provisioner annotations
//!   and `ExternalProvisioning` (every provisioner is external in v1.32, see
//!   `sim::controllers::provisioner`); without a class, `FailedBinding`.
//! - A volume whose claim is gone is `Released`, then reclaimed by its policy: Retain keeps it
//!   (and its data), Delete removes it (a provisioner's volume by its provisioner; an in-tree
//!   hostPath only under /tmp, otherwise it fails `VolumeFailedDelete`), Recycle scrubs it.
//!
//! Like the real controller it acts on changes (a new claim, a provisioned volume) and
//! resyncs everything every 15 s: a claim created before its volume binds at the next resync.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{ObjectReference, PersistentVolume, PersistentVolumeClaim};

use crate::sim::api::WriteOptions;
use crate::sim::events::{object_reference, EventType, Source};
use crate::sim::storage::{self, *};
use crate::sim::store::Change;
use crate::sim::{Kind, ObjKey, Object, World};

const COMPONENT: &str = "persistentvolume-controller";
/// `--pvclaimbinder-sync-period`.
const RESYNC_S: u64 = 15;

/// The controller's cursor and work queues.
#[derive(Clone, Debug, Default)]
pub struct State {
    resource_version: u64,
}

/// In-tree provisioners that v1.32 migrates to their CSI drivers (so they are external).
fn migrated(provisioner: &str) -> Option<&'static str> {
    Some(match provisioner {
        "kubernetes.io/aws-ebs" => "ebs.csi.aws.com",
        "kubernetes.io/gce-pd" => "pd.csi.storage.gke.io",
        "kubernetes.io/azure-disk" => "disk.csi.azure.com",
        "kubernetes.io/azure-file" => "file.csi.azure.com",
        "kubernetes.io/cinder" => "cinder.csi.openstack.org",
        "kubernetes.io/vsphere-volume" => "csi.vsphere.vmware.com",
        "kubernetes.io/portworx-volume" => "pxd.portworx.com",
        _ => return None,
    })
}

fn event(w: &mut World, obj: &Object, t: EventType, reason: &str, msg: &str) {
    w.record_event(object_reference(obj, None), t, reason, msg, Source::controller(COMPONENT));
}

pub fn reconcile(w: &mut World) {
    let from = w.controllers.pv.resource_version;
    let to = w.store.resource_version();
    w.controllers.pv.resource_version = to;
    let mut claims: BTreeSet<ObjKey> = BTreeSet::new();
    let mut volumes: BTreeSet<String> = BTreeSet::new();
    let mut deleted_claims: Vec<ObjKey> = Vec::new();
    let resync = w.now.0.is_multiple_of(RESYNC_S);
    if from != to {
        match w.store.watch(from) {
            Some(events) => {
                for e in events {
                    match e.kind {
                        Kind::PersistentVolumeClaim => {
                            if e.change == Change::Deleted {
                                deleted_claims.push((*e.key).clone());
                            }
                            claims.insert((*e.key).clone());
                        }
                        Kind::PersistentVolume => {
                            volumes.insert(e.key.name.clone());
                        }
                        _ => {}
                    }
                }
            }
            None => {
                claims.extend(w.store.list(Kind::PersistentVolumeClaim, None).iter().map(|o| o.key()));
                volumes.extend(w.store.list(Kind::PersistentVolume, None).iter().map(|o| o.name().to_string()));
            }
        }
    }
    if resync {
        claims.extend(w.store.list(Kind::PersistentVolumeClaim, None).iter().map(|o| o.key()));
        volumes.extend(w.store.list(Kind::PersistentVolume, None).iter().map(|o| o.name().to_string()));
    }
    // A deleted claim's volume is synced at once, so it is Released without waiting.
    if !deleted_claims.is_empty() {
        for pv in storage::volumes(&w.store) {
            if let Some(r) = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) {
                let key = ObjKey::new(r.namespace.as_deref().unwrap_or(""), r.name.as_deref().unwrap_or(""));
                if deleted_claims.contains(&key) {
                    volumes.insert(pv.metadata.name.clone().unwrap_or_default());
                }
            }
        }
    }
    if claims.is_empty() && volumes.is_empty() {
        return;
    }
    for name in volumes {
        if let Some(claim) = sync_volume(w, &name) {
            claims.insert(claim);
        }
    }
    for key in claims {
        sync_claim(w, &key.namespace, &key.name);
    }
}

fn set_claim_phase(w: &mut World, pvc: &PersistentVolumeClaim, phase: &str, volume: Option<&PersistentVolume>) {
    let ns = pvc.metadata.namespace.clone().unwrap_or_default();
    let name = pvc.metadata.name.clone().unwrap_or_default();
    let _ = w.store.modify(Kind::PersistentVolumeClaim, &ns, &name, |o| {
        if let Object::PersistentVolumeClaim(c) = o {
            let status = c.status.get_or_insert_with(Default::default);
            status.phase = Some(phase.to_string());
            match volume {
                Some(v) => {
                    let spec = v.spec.as_ref();
                    status.access_modes = spec.and_then(|s| s.access_modes.clone());
                    status.capacity = spec.and_then(|s| s.capacity.clone());
                }
                None if phase != "Bound" => {
                    status.access_modes = None;
                    status.capacity = None;
                }
                None => {}
            }
        }
    });
}

/// `updateVolumePhase`: the phase, its message, and the transition time when it changes.
fn set_volume_phase(w: &mut World, name: &str, phase: &str, message: &str) {
    let now = w.now.time();
    let _ = w.store.modify(Kind::PersistentVolume, "", name, |o| {
        if let Object::PersistentVolume(v) = o {
            let status = v.status.get_or_insert_with(Default::default);
            if status.phase.as_deref() != Some(phase) {
                status.phase = Some(phase.to_string());
                status.last_phase_transition_time = Some(now.clone());
            }
            status.message = Some(message.to_string()).filter(|m| !m.is_empty());
        }
    });
}

fn claim_reference(pvc: &PersistentVolumeClaim) -> ObjectReference {
    ObjectReference {
        api_version: Some("v1".into()),
        kind: Some("PersistentVolumeClaim".into()),
        name: pvc.metadata.name.clone(),
        namespace: pvc.metadata.namespace.clone(),
        uid: pvc.metadata.uid.clone(),
        resource_version: pvc.metadata.resource_version.clone(),
        field_path: None,
    }
}

fn annotate(meta: &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, key: &str, value: &str) {
    meta.annotations.get_or_insert_with(BTreeMap::new).insert(key.to_string(), value.to_string());
}

/// `bind`: volume to claim, volume Bound, claim to volume, claim Bound.
pub fn bind(w: &mut World, pv_name: &str, ns: &str, claim_name: &str) {
    let (Some(pv), Some(pvc)) =
        (storage::volume(&w.store, pv_name).cloned(), storage::claim(&w.store, ns, claim_name).cloned())
    else {
        return;
    };
    let by_controller = !is_bound_to(&pv, &pvc);
    let reference = claim_reference(&pvc);
    let _ = w.store.modify(Kind::PersistentVolume, "", pv_name, |o| {
        if let Object::PersistentVolume(v) = o {
            let spec = v.spec.get_or_insert_with(Default::default);
            let current = spec.claim_ref.as_ref();
            if current.map(|r| (&r.name, &r.namespace, &r.uid))
                != Some((&reference.name, &reference.namespace, &reference.uid))
            {
                spec.claim_ref = Some(reference.clone());
            }
            if by_controller && !has_annotation(&v.metadata, ANN_BOUND_BY_CONTROLLER) {
                annotate(&mut v.metadata, ANN_BOUND_BY_CONTROLLER, "yes");
            }
        }
    });
    set_volume_phase(w, pv_name, "Bound", "");
    let claim_by_controller = pvc.spec.as_ref().and_then(|s| s.volume_name.as_deref()) != Some(pv_name);
    let _ = w.store.modify(Kind::PersistentVolumeClaim, ns, claim_name, |o| {
        if let Object::PersistentVolumeClaim(c) = o {
            c.spec.get_or_insert_with(Default::default).volume_name = Some(pv_name.to_string());
            if claim_by_controller && !has_annotation(&c.metadata, ANN_BOUND_BY_CONTROLLER) {
                annotate(&mut c.metadata, ANN_BOUND_BY_CONTROLLER, "yes");
            }
            annotate(&mut c.metadata, ANN_BIND_COMPLETED, "yes");
        }
    });
    let pv = storage::volume(&w.store, pv_name).cloned();
    if let Some(pvc) = storage::claim(&w.store, ns, claim_name).cloned() {
        set_claim_phase(w, &pvc, "Bound", pv.as_ref());
    }
}

fn sync_claim(w: &mut World, ns: &str, name: &str) {
    let Some(pvc) = storage::claim(&w.store, ns, name).cloned() else { return };
    if has_annotation(&pvc.metadata, ANN_BIND_COMPLETED) {
        sync_bound_claim(w, &pvc);
    } else {
        sync_unbound_claim(w, &pvc);
    }
}

/// `checkVolumeSatisfyClaim`.
fn volume_satisfies(pv: &PersistentVolume, pvc: &PersistentVolumeClaim) -> Result<(), String> {
    if pv.metadata.deletion_timestamp.is_some() {
        return Err(format!("the volume is marked for deletion {:?}", pv.metadata.name.as_deref().unwrap_or("")));
    }
    if volume_capacity_bytes(pv) < claim_request_bytes(pvc) {
        return Err("requested PV is too small".into());
    }
    if volume_class(pv) != claim_class(pvc) {
        return Err("storageClassName does not match".into());
    }
    if volume_mode_mismatch(pvc, pv) {
        return Err("incompatible volumeMode".into());
    }
    if !check_access_modes(pvc, pv) {
        return Err("incompatible accessMode".into());
    }
    Ok(())
}

/// Pods not yet scheduled that use the claim (`findNonScheduledPodsByPVC`).
fn waiting_pods(w: &World, pvc: &PersistentVolumeClaim) -> Vec<String> {
    let ns = pvc.metadata.namespace.as_deref().unwrap_or("");
    let name = pvc.metadata.name.as_deref().unwrap_or("");
    w.store
        .list(Kind::Pod, Some(ns))
        .into_iter()
        .filter_map(|o| o.as_pod())
        .filter(|p| p.spec.as_ref().is_some_and(|s| s.node_name.is_none()))
        .filter(|p| {
            p.spec.as_ref().and_then(|s| s.volumes.as_ref()).is_some_and(|vs| {
                vs.iter().any(|v| v.persistent_volume_claim.as_ref().is_some_and(|c| c.claim_name == name))
            })
        })
        .map(|p| p.metadata.name.clone().unwrap_or_default())
        .collect()
}

fn sync_unbound_claim(w: &mut World, pvc: &PersistentVolumeClaim) {
    let ns = pvc.metadata.namespace.clone().unwrap_or_default();
    let name = pvc.metadata.name.clone().unwrap_or_default();
    let obj = Object::PersistentVolumeClaim(Box::new(pvc.clone()));
    let requested = pvc.spec.as_ref().and_then(|s| s.volume_name.clone()).filter(|v| !v.is_empty());
    let Some(pv_name) = requested else {
        let delay = is_delay_binding(&w.store, pvc);
        let found = {
            let vols = storage::volumes(&w.store);
            find_best_match(pvc, &vols, delay).and_then(|v| v.metadata.name.clone())
        };
        if let Some(pv_name) = found {
            bind(w, &pv_name, &ns, &name);
            return;
        }
        // RetroactiveDefaultStorageClass: a claim created before any default class gets it.
        if !claim_has_class(pvc) {
            if let Some(def) = default_class(&w.store) {
                let class = def.metadata.name.clone();
                let _ = w.store.modify(Kind::PersistentVolumeClaim, &ns, &name, |o| {
                    if let Object::PersistentVolumeClaim(c) = o {
                        c.spec.get_or_insert_with(Default::default).storage_class_name = class.clone();
                    }
                });
                return;
            }
        }
        if delay && !has_annotation(&pvc.metadata, ANN_SELECTED_NODE) {
            let pods = waiting_pods(w, pvc);
            let (reason, msg) = match pods.len() {
                0 => ("WaitForFirstConsumer", "waiting for first consumer to be created before binding".to_string()),
                1 => ("WaitForPodScheduled", format!("waiting for pod {} to be scheduled", pods[0])),
                _ => ("WaitForPodScheduled", format!("waiting for pods {} to be scheduled", pods.join(","))),
            };
            event(w, &obj, EventType::Normal, reason, &msg);
        } else if !claim_class(pvc).is_empty() {
            provision(w, pvc);
            return;
        } else {
            event(
                w,
                &obj,
                EventType::Normal,
                "FailedBinding",
                "no persistent volumes available for this claim and no storage class is set",
            );
        }
        set_claim_phase(w, pvc, "Pending", None);
        return;
    };
    // The user asked for a volume by name.
    let Some(pv) = storage::volume(&w.store, &pv_name).cloned() else {
        set_claim_phase(w, pvc, "Pending", None);
        return;
    };
    if pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).is_none() {
        match volume_satisfies(&pv, pvc) {
            Ok(()) => bind(w, &pv_name, &ns, &name),
            Err(why) => {
                event(
                    w,
                    &obj,
                    EventType::Warning,
                    "VolumeMismatch",
                    &format!("Cannot bind to requested volume {:?}: {why}", pv_name),
                );
                set_claim_phase(w, pvc, "Pending", None);
            }
        }
    } else if is_bound_to(&pv, pvc) {
        bind(w, &pv_name, &ns, &name);
    } else if !has_annotation(&pvc.metadata, ANN_BOUND_BY_CONTROLLER) {
        event(
            w,
            &obj,
            EventType::Warning,
            "FailedBinding",
            &format!("volume {:?} already bound to a different claim.", pv_name),
        );
        set_claim_phase(w, pvc, "Pending", None);
    }
}

fn sync_bound_claim(w: &mut World, pvc: &PersistentVolumeClaim) {
    let ns = pvc.metadata.namespace.clone().unwrap_or_default();
    let name = pvc.metadata.name.clone().unwrap_or_default();
    let obj = Object::PersistentVolumeClaim(Box::new(pvc.clone()));
    let lost = |w: &mut World, msg: &str| {
        if pvc.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Lost") {
            event(w, &obj, EventType::Warning, "ClaimLost", msg);
            set_claim_phase(w, pvc, "Lost", None);
        }
    };
    let Some(pv_name) = pvc.spec.as_ref().and_then(|s| s.volume_name.clone()).filter(|v| !v.is_empty()) else {
        lost(w, "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
        return;
    };
    let Some(pv) = storage::volume(&w.store, &pv_name).cloned() else {
        lost(w, "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
        return;
    };
    let claim_ref = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref());
    match claim_ref {
        None => bind(w, &pv_name, &ns, &name),
        Some(r) if r.uid == pvc.metadata.uid => {
            let bound = pvc.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound")
                && pv.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound");
            if !bound {
                bind(w, &pv_name, &ns, &name);
            }
        }
        Some(_) => {
            if pvc.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Lost") {
                event(
                    w,
                    &obj,
                    EventType::Warning,
                    "ClaimMisbound",
                    "Two claims are bound to the same volume, this one is bound incorrectly",
                );
                set_claim_phase(w, pvc, "Lost", None);
            }
        }
    }
}

/// `provisionClaim`: every provisioner is external in v1.32 (in-tree ones are migrated to
/// CSI or gone), so the controller annotates the claim for it and waits.
fn provision(w: &mut World, pvc: &PersistentVolumeClaim) {
    let obj = Object::PersistentVolumeClaim(Box::new(pvc.clone()));
    let class = claim_class(pvc);
    let Some(sc) = storage::storage_class(&w.store, &class).cloned() else {
        event(
            w,
            &obj,
            EventType::Warning,
            "ProvisioningFailed",
            &format!("storageclass.storage.k8s.io {:?} not found", class),
        );
        return;
    };
    let provisioner = match migrated(&sc.provisioner) {
        Some(csi) => csi.to_string(),
        None if sc.provisioner.starts_with("kubernetes.io/") => {
            event(
                w,
                &obj,
                EventType::Warning,
                "ProvisioningFailed",
                &format!("no volume plugin matched name: {}", sc.provisioner),
            );
            return;
        }
        None => sc.provisioner.clone(),
    };
    let ns = pvc.metadata.namespace.clone().unwrap_or_default();
    let name = pvc.metadata.name.clone().unwrap_or_default();
    let _ = w.store.modify(Kind::PersistentVolumeClaim, &ns, &name, |o| {
        if let Object::PersistentVolumeClaim(c) = o {
            annotate(&mut c.metadata, ANN_BETA_STORAGE_PROVISIONER, &provisioner);
            annotate(&mut c.metadata, ANN_STORAGE_PROVISIONER, &provisioner);
        }
    });
    let obj = w.store.get(Kind::PersistentVolumeClaim, &ns, &name).cloned().unwrap_or(obj);
    event(
        w,
        &obj,
        EventType::Normal,
        "ExternalProvisioning",
        &format!(
            "Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."
        ),
    );
}

/// `syncVolume`; returns a claim to sync next (a volume waiting for its claim to bind).
fn sync_volume(w: &mut World, name: &str) -> Option<ObjKey> {
    let pv = storage::volume(&w.store, name)?.clone();
    let phase = pv.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    let Some(r) = pv.spec.as_ref().and_then(|s| s.claim_ref.clone()) else {
        if phase != "Available" {
            set_volume_phase(w, name, "Available", "");
        }
        return None;
    };
    let key = ObjKey::new(r.namespace.as_deref().unwrap_or(""), r.name.as_deref().unwrap_or(""));
    if r.uid.as_deref().unwrap_or("").is_empty() {
        // Pre-bound by the user to a claim name: available to that claim only.
        if phase != "Available" {
            set_volume_phase(w, name, "Available", "");
        }
        return Some(key);
    }
    let claim = storage::claim(&w.store, &key.namespace, &key.name).filter(|c| c.metadata.uid == r.uid).cloned();
    let Some(claim) = claim else {
        if phase != "Released" && phase != "Failed" {
            set_volume_phase(w, name, "Released", "");
        }
        reclaim(w, name);
        return None;
    };
    let claim_volume = claim.spec.as_ref().and_then(|s| s.volume_name.clone()).unwrap_or_default();
    if claim_volume.is_empty() {
        return Some(key);
    }
    if claim_volume == name {
        if phase != "Bound" {
            set_volume_phase(w, name, "Bound", "");
        }
        return None;
    }
    // The claim is bound to another volume.
    let dynamic = has_annotation(&pv.metadata, ANN_PROVISIONED_BY);
    let policy = pv.spec.as_ref().and_then(|s| s.persistent_volume_reclaim_policy.clone()).unwrap_or_default();
    if dynamic && policy == "Delete" {
        if phase != "Released" && phase != "Failed" {
            set_volume_phase(w, name, "Released", "");
        }
        reclaim(w, name);
    } else if has_annotation(&pv.metadata, ANN_BOUND_BY_CONTROLLER) {
        let _ = w.store.modify(Kind::PersistentVolume, "", name, |o| {
            if let Object::PersistentVolume(v) = o {
                if let Some(s) = v.spec.as_mut() {
                    s.claim_ref = None;
                }
                if let Some(a) = v.metadata.annotations.as_mut() {
                    a.remove(ANN_BOUND_BY_CONTROLLER);
                }
            }
        });
        set_volume_phase(w, name, "Available", "");
    }
    None
}

/// The control plane's nodes (where the controller manager's in-tree deleter runs).
fn control_plane_nodes(w: &World) -> Vec<String> {
    w.store
        .list(Kind::Node, None)
        .into_iter()
        .filter(|o| o.meta().labels.as_ref().is_some_and(|l| l.contains_key("node-role.kubernetes.io/control-plane")))
        .map(|o| o.name().to_string())
        .collect()
}

/// `reclaimVolume` by the volume's policy.
fn reclaim(w: &mut World, name: &str) {
    let Some(pv) = storage::volume(&w.store, name).cloned() else { return };
    let obj = Object::PersistentVolume(Box::new(pv.clone()));
    let policy = pv.spec.as_ref().and_then(|s| s.persistent_volume_reclaim_policy.clone()).unwrap_or_default();
    match policy.as_str() {
        "Retain" => {}
        "Recycle" => {
            // The recycler pod scrubs the volume (`rm -rf /scrub/*`); the volume is available again.
            for node in w.store.list(Kind::Node, None).iter().map(|o| o.name().to_string()).collect::<Vec<_>>() {
                storage::wipe(w, &backing_key(&pv, &node));
            }
            let _ = w.store.modify(Kind::PersistentVolume, "", name, |o| {
                if let Object::PersistentVolume(v) = o {
                    if let Some(s) = v.spec.as_mut() {
                        s.claim_ref = None;
                    }
                }
            });
            set_volume_phase(w, name, "Available", "");
            event(w, &obj, EventType::Normal, "VolumeRecycled", "Volume recycled");
        }
        "Delete" => {
            if pv.metadata.deletion_timestamp.is_some() {
                return;
            }
            if let Some(p) = pv.metadata.annotations.as_ref().and_then(|a| a.get(ANN_PROVISIONED_BY)) {
                if !p.starts_with("kubernetes.io/") {
                    // An external provisioner deletes what it provisioned.
                    return;
                }
            }
            let result = match pv.spec.as_ref().and_then(|s| s.host_path.as_ref()) {
                Some(h) => {
                    let under_tmp = h.path.strip_prefix("/tmp/").is_some_and(|rest| !rest.is_empty());
                    if under_tmp {
                        for node in control_plane_nodes(w) {
                            storage::wipe(w, &BackingKey::HostPath(node, h.path.clone()));
                        }
                        Ok(())
                    } else {
                        Err(format!("host_path deleter only supports /tmp/.+ but received provided {}", h.path))
                    }
                }
                None => Err(format!(
                    "error getting deleter volume plugin for volume {:?}: no deletable volume plugin matched",
                    name
                )),
            };
            match result {
                Ok(()) => {
                    let _ = w.api_delete(Kind::PersistentVolume, "", name, None, WriteOptions::default());
                }
                Err(msg) => {
                    set_volume_phase(w, name, "Failed", &msg);
                    event(w, &obj, EventType::Warning, "VolumeFailedDelete", &msg);
                }
            }
        }
        _ => {
            set_volume_phase(w, name, "Failed", "Volume has unrecognized PersistentVolumeReclaimPolicy");
            event(
                w,
                &obj,
                EventType::Warning,
                "VolumeUnknownReclaimPolicy",
                "Volume has unrecognized PersistentVolumeReclaimPolicy",
            );
        }
    }
}
