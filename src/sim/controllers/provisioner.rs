//! The external provisioner of the default cluster's StorageClass: Rancher's local-path
//! provisioner (`rancher.io/local-path`, built on sig-storage-lib-external-provisioner), as
//! it runs on kubeadm practice clusters, k3s and kind. A claim annotated for it with a
//! selected node gets a `hostPath` volume `pvc-<claim uid>` under
//! `/opt/local-path-provisioner` on that node (with node affinity to it), after its helper
//! pod has made the directory; a released volume of policy Delete is removed with its data.
//!
//! Its events come from `rancher.io/local-path_<its pod>_<uuid>`, the identity the library
//! gives the provisioner; kubedojo does not run the provisioner's Deployment and helper pods.
//! Like the real one it refuses ReadWriteMany/ReadOnlyMany, Block volumes, and claims without
//! a selected node (an Immediate class), retrying with back-off.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    HostPathVolumeSource, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, ObjectReference, PersistentVolume,
    PersistentVolumeClaim, PersistentVolumeSpec, VolumeNodeAffinity,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::sim::api::WriteOptions;
use crate::sim::events::{object_reference, EventType, Source};
use crate::sim::storage::{self, *};
use crate::sim::{Kind, ObjKey, Object, Tick, World};

/// Where the provisioner makes volume directories on a node (its `nodePathMap` default).
pub const BASE_PATH: &str = "/opt/local-path-provisioner";
/// How long the helper pod takes to create or remove a volume's directory.
const HELPER_S: u64 = 2;
const BACKOFF_INITIAL_S: u64 = 15;
const BACKOFF_MAX_S: u64 = 1000;

#[derive(Clone, Debug, Default)]
pub struct State {
    /// The provisioner's identity (`<name>_<pod>_<uuid>`), drawn when it first acts.
    identity: Option<String>,
    /// Claims being provisioned: when the helper pod is done.
    provisioning: BTreeMap<ObjKey, Tick>,
    /// Claims whose provisioning failed: when to retry, and the current back-off.
    retry: BTreeMap<ObjKey, (Tick, u64)>,
    /// Volumes being deleted: when the helper pod is done.
    deleting: BTreeMap<String, Tick>,
}

fn identity(w: &mut World) -> String {
    if let Some(id) = &w.controllers.provisioner.identity {
        return id.clone();
    }
    // local-path-provisioner-<replicaset hash>-<pod suffix>, then a fresh UUID.
    let hash = w.random_suffix(10);
    let pod = w.random_suffix(5);
    let uuid = w.new_uid();
    let id = format!("{LOCAL_PATH_PROVISIONER}_local-path-provisioner-{hash}-{pod}_{uuid}");
    w.controllers.provisioner.identity = Some(id.clone());
    id
}

fn event(w: &mut World, pvc: &PersistentVolumeClaim, t: EventType, reason: &str, msg: &str) {
    let source = Source::controller(&identity(w));
    w.record_event(
        object_reference(&Object::PersistentVolumeClaim(Box::new(pvc.clone())), None),
        t,
        reason,
        msg,
        source,
    );
}

/// Claims waiting for this provisioner.
fn wanted(w: &World) -> Vec<PersistentVolumeClaim> {
    w.store
        .list(Kind::PersistentVolumeClaim, None)
        .into_iter()
        .filter_map(|o| match o {
            Object::PersistentVolumeClaim(c) => Some(&**c),
            _ => None,
        })
        .filter(|c| {
            c.metadata.annotations.as_ref().and_then(|a| a.get(ANN_STORAGE_PROVISIONER)).map(String::as_str)
                == Some(LOCAL_PATH_PROVISIONER)
                && c.spec.as_ref().and_then(|s| s.volume_name.as_deref()).unwrap_or("").is_empty()
                && c.metadata.deletion_timestamp.is_none()
        })
        .cloned()
        .collect()
}

pub fn reconcile(w: &mut World) {
    let now = w.now;
    for pvc in wanted(w) {
        let key =
            ObjKey::new(pvc.metadata.namespace.as_deref().unwrap_or(""), pvc.metadata.name.as_deref().unwrap_or(""));
        let pv_name = format!("pvc-{}", pvc.metadata.uid.as_deref().unwrap_or(""));
        if storage::volume(&w.store, &pv_name).is_some() {
            continue;
        }
        let class = claim_class(&pvc);
        let Some(sc) = storage::storage_class(&w.store, &class).cloned() else { continue };
        if sc.provisioner != LOCAL_PATH_PROVISIONER {
            continue;
        }
        let selected = pvc.metadata.annotations.as_ref().and_then(|a| a.get(ANN_SELECTED_NODE)).cloned();
        let delay = sc.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer");
        // shouldProvision: a WaitForFirstConsumer claim waits for the scheduler's choice.
        if delay && selected.is_none() {
            continue;
        }
        match w.controllers.provisioner.provisioning.get(&key).copied() {
            None => {
                if w.controllers.provisioner.retry.get(&key).is_some_and(|(at, _)| *at > now) {
                    continue;
                }
                let msg =
                    format!("External provisioner is provisioning volume for claim \"{}/{}\"", key.namespace, key.name);
                event(w, &pvc, EventType::Normal, "Provisioning", &msg);
                w.controllers.provisioner.provisioning.insert(key, now.plus_s(HELPER_S));
            }
            Some(at) if at <= now => {
                w.controllers.provisioner.provisioning.remove(&key);
                match provision(w, &pvc, &sc, selected.as_deref(), &pv_name) {
                    Ok(()) => {
                        w.controllers.provisioner.retry.remove(&key);
                        event(
                            w,
                            &pvc,
                            EventType::Normal,
                            "ProvisioningSucceeded",
                            &format!("Successfully provisioned volume {pv_name}"),
                        );
                    }
                    Err(why) => {
                        let msg = format!("failed to provision volume with StorageClass {:?}: {why}", class);
                        event(w, &pvc, EventType::Warning, "ProvisioningFailed", &msg);
                        let backoff = match w.controllers.provisioner.retry.get(&key) {
                            Some((_, b)) => (b * 2).min(BACKOFF_MAX_S),
                            None => BACKOFF_INITIAL_S,
                        };
                        w.controllers.provisioner.retry.insert(key, (now.plus_s(backoff), backoff));
                    }
                }
            }
            Some(_) => {}
        }
    }
    delete_released(w);
}

fn provision(
    w: &mut World,
    pvc: &PersistentVolumeClaim,
    sc: &k8s_openapi::api::storage::v1::StorageClass,
    node: Option<&str>,
    pv_name: &str,
) -> Result<(), String> {
    let spec = pvc.spec.clone().unwrap_or_default();
    if spec.volume_mode.as_deref() == Some("Block") {
        return Err(format!("{LOCAL_PATH_PROVISIONER} does not support block volume provisioning"));
    }
    let modes = spec.access_modes.clone().unwrap_or_default();
    if modes.iter().any(|m| m != "ReadWriteOnce" && m != "ReadWriteOncePod") {
        return Err("NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes".into());
    }
    let Some(node) = node else {
        return Err("configuration error, no node was specified".into());
    };
    let ns = pvc.metadata.namespace.clone().unwrap_or_default();
    let claim = pvc.metadata.name.clone().unwrap_or_default();
    let path = format!("{BASE_PATH}/{pv_name}_{ns}_{claim}");
    let capacity = spec.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get("storage")).cloned();
    let pv = PersistentVolume {
        metadata: ObjectMeta {
            name: Some(pv_name.to_string()),
            annotations: Some(
                [
                    ("local.path.provisioner/selected-node".to_string(), node.to_string()),
                    (ANN_PROVISIONED_BY.to_string(), LOCAL_PATH_PROVISIONER.to_string()),
                ]
                .into(),
            ),
            ..Default::default()
        },
        spec: Some(PersistentVolumeSpec {
            access_modes: Some(modes),
            capacity: capacity.map(|q| [("storage".to_string(), q)].into()),
            claim_ref: Some(ObjectReference {
                api_version: Some("v1".into()),
                kind: Some("PersistentVolumeClaim".into()),
                name: Some(claim.clone()),
                namespace: Some(ns.clone()),
                resource_version: pvc.metadata.resource_version.clone(),
                uid: pvc.metadata.uid.clone(),
                field_path: None,
            }),
            host_path: Some(HostPathVolumeSource { path, type_: Some("DirectoryOrCreate".into()) }),
            node_affinity: Some(VolumeNodeAffinity {
                required: Some(NodeSelector {
                    node_selector_terms: vec![NodeSelectorTerm {
                        match_expressions: Some(vec![NodeSelectorRequirement {
                            key: "kubernetes.io/hostname".into(),
                            operator: "In".into(),
                            values: Some(vec![node.to_string()]),
                        }]),
                        match_fields: None,
                    }],
                }),
            }),
            persistent_volume_reclaim_policy: sc.reclaim_policy.clone(),
            storage_class_name: sc.metadata.name.clone(),
            volume_mode: Some("Filesystem".into()),
            mount_options: sc.mount_options.clone(),
            ..Default::default()
        }),
        status: None,
    };
    w.api_create(Object::PersistentVolume(Box::new(pv)), WriteOptions::default()).map(|_| ()).map_err(|e| e.message)
}

/// The library's deleter: a released volume of policy Delete that this provisioner made goes,
/// with its directory, once the helper pod has removed it.
fn delete_released(w: &mut World) {
    let now = w.now;
    let released: Vec<PersistentVolume> = storage::volumes(&w.store)
        .into_iter()
        .filter(|pv| {
            pv.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Released")
                && pv.spec.as_ref().and_then(|s| s.persistent_volume_reclaim_policy.as_deref()) == Some("Delete")
                && pv.metadata.annotations.as_ref().and_then(|a| a.get(ANN_PROVISIONED_BY)).map(String::as_str)
                    == Some(LOCAL_PATH_PROVISIONER)
                && pv.metadata.deletion_timestamp.is_none()
        })
        .cloned()
        .collect();
    for pv in released {
        let name = pv.metadata.name.clone().unwrap_or_default();
        match w.controllers.provisioner.deleting.get(&name).copied() {
            None => {
                w.controllers.provisioner.deleting.insert(name, now.plus_s(HELPER_S / 2));
            }
            Some(at) if at <= now => {
                w.controllers.provisioner.deleting.remove(&name);
                let node = pv
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("local.path.provisioner/selected-node"))
                    .cloned()
                    .unwrap_or_default();
                storage::wipe(w, &backing_key(&pv, &node));
                let _ = w.api_delete(Kind::PersistentVolume, "", &name, None, WriteOptions::default());
            }
            Some(_) => {}
        }
    }
}
