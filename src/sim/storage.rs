//! Storage facts shared by the API server's admission plugins, the persistentvolume
//! controller, the scheduler's VolumeBinding plugin and the kubelet: the annotations and
//! finalizers Kubernetes v1.32 uses, the claim's and volume's class, the default
//! StorageClass, and the volume matching of `pkg/volume/util` (`FindMatchingVolume`, the
//! controller's access-mode index, `CheckNodeAffinity`).
//!
//! The default cluster has one StorageClass, `local-path` (`rancher.io/local-path`,
//! WaitForFirstConsumer, Delete), the class a learner meets on the kubeadm practice clusters
//! (killercoda), k3s and kind (where it is named `standard`): [`install_default_class`].

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{NodeSelectorRequirement, PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use rand::SeedableRng;

use super::api::selector::Selector;
use super::quantity::parse_value;
use super::store::Store;
use super::{Kind, Object, World};

pub const ANN_DEFAULT_CLASS: &str = "storageclass.kubernetes.io/is-default-class";
pub const ANN_BETA_DEFAULT_CLASS: &str = "storageclass.beta.kubernetes.io/is-default-class";
/// The deprecated class annotation, still honoured before `spec.storageClassName`.
pub const ANN_BETA_CLASS: &str = "volume.beta.kubernetes.io/storage-class";
pub const ANN_BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";
pub const ANN_BOUND_BY_CONTROLLER: &str = "pv.kubernetes.io/bound-by-controller";
pub const ANN_SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
pub const ANN_STORAGE_PROVISIONER: &str = "volume.kubernetes.io/storage-provisioner";
pub const ANN_BETA_STORAGE_PROVISIONER: &str = "volume.beta.kubernetes.io/storage-provisioner";
pub const ANN_PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";
pub const PVC_PROTECTION: &str = "kubernetes.io/pvc-protection";
pub const PV_PROTECTION: &str = "kubernetes.io/pv-protection";
/// The provisioner name of StorageClasses for statically created local volumes.
pub const NO_PROVISIONER: &str = "kubernetes.io/no-provisioner";
pub const LOCAL_PATH_PROVISIONER: &str = "rancher.io/local-path";
/// The default class of the default cluster.
pub const DEFAULT_CLASS_NAME: &str = "local-path";

/// Adds the default cluster's StorageClass. Its uid comes from an RNG derived from the seed,
/// not from `World::rng`, so that adding it leaves every other random draw of a run as it was.
pub fn install_default_class(w: &mut World) {
    use rand::Rng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(w.seed ^ 0x5354_4f52_4147_4521);
    let b: [u8; 16] = rng.gen();
    let uid =
        format!(
        "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-4{:01x}{:02x}-{:01x}{:01x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
        b[0], b[1], b[2], b[3], b[4], b[5], b[6] & 0x0f, b[7], 8 | (b[8] & 0x3), b[8] >> 4, b[9],
        b[10], b[11], b[12], b[13], b[14], b[15]
    );
    let sc = StorageClass {
        metadata: ObjectMeta {
            name: Some(DEFAULT_CLASS_NAME.into()),
            uid: Some(uid),
            creation_timestamp: Some(super::cluster::install_time(w)),
            annotations: Some([(ANN_DEFAULT_CLASS.to_string(), "true".to_string())].into()),
            ..Default::default()
        },
        provisioner: LOCAL_PATH_PROVISIONER.into(),
        reclaim_policy: Some("Delete".into()),
        volume_binding_mode: Some("WaitForFirstConsumer".into()),
        ..Default::default()
    };
    let _ = w.store.create(Object::StorageClass(Box::new(sc)));
}

fn annotation<'a>(m: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    m.annotations.as_ref()?.get(key).map(String::as_str)
}

pub fn has_annotation(m: &ObjectMeta, key: &str) -> bool {
    annotation(m, key).is_some()
}

/// `GetPersistentVolumeClaimClass`: the beta annotation, else `spec.storageClassName`, else "".
pub fn claim_class(pvc: &PersistentVolumeClaim) -> String {
    if let Some(c) = annotation(&pvc.metadata, ANN_BETA_CLASS) {
        return c.to_string();
    }
    pvc.spec.as_ref().and_then(|s| s.storage_class_name.clone()).unwrap_or_default()
}

/// `PersistentVolumeClaimHasClass`: whether the claim names a class at all (even "").
pub fn claim_has_class(pvc: &PersistentVolumeClaim) -> bool {
    has_annotation(&pvc.metadata, ANN_BETA_CLASS) || pvc.spec.as_ref().is_some_and(|s| s.storage_class_name.is_some())
}

/// `GetPersistentVolumeClass`.
pub fn volume_class(pv: &PersistentVolume) -> String {
    if let Some(c) = annotation(&pv.metadata, ANN_BETA_CLASS) {
        return c.to_string();
    }
    pv.spec.as_ref().and_then(|s| s.storage_class_name.clone()).unwrap_or_default()
}

/// `IsDefaultAnnotation`.
pub fn is_default_class(sc: &StorageClass) -> bool {
    annotation(&sc.metadata, ANN_DEFAULT_CLASS) == Some("true")
        || annotation(&sc.metadata, ANN_BETA_DEFAULT_CLASS) == Some("true")
}

/// `GetDefaultClass`: of the classes marked default, the newest (then the first by name).
pub fn default_class(store: &Store) -> Option<StorageClass> {
    let mut defaults: Vec<&StorageClass> = store
        .list(Kind::StorageClass, None)
        .into_iter()
        .filter_map(|o| match o {
            Object::StorageClass(sc) => Some(&**sc),
            _ => None,
        })
        .filter(|sc| is_default_class(sc))
        .collect();
    defaults.sort_by(|a, b| {
        let ta = a.metadata.creation_timestamp.as_ref().map(|t| t.0);
        let tb = b.metadata.creation_timestamp.as_ref().map(|t| t.0);
        tb.cmp(&ta).then_with(|| a.metadata.name.cmp(&b.metadata.name))
    });
    defaults.first().map(|sc| (*sc).clone())
}

pub fn storage_class<'a>(store: &'a Store, name: &str) -> Option<&'a StorageClass> {
    match store.get(Kind::StorageClass, "", name)? {
        Object::StorageClass(sc) => Some(sc),
        _ => None,
    }
}

/// `IsDelayBindingMode`: the claim's class exists and binds WaitForFirstConsumer.
pub fn is_delay_binding(store: &Store, pvc: &PersistentVolumeClaim) -> bool {
    let class = claim_class(pvc);
    if class.is_empty() {
        return false;
    }
    storage_class(store, &class).and_then(|sc| sc.volume_binding_mode.as_deref()) == Some("WaitForFirstConsumer")
}

/// The claim's `spec.resources.requests.storage` in bytes (0 when absent).
pub fn claim_request_bytes(pvc: &PersistentVolumeClaim) -> i64 {
    pvc.spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .and_then(|q| parse_value(&q.0).ok())
        .unwrap_or(0)
}

/// The volume's `spec.capacity.storage` in bytes (0 when absent).
pub fn volume_capacity_bytes(pv: &PersistentVolume) -> i64 {
    pv.spec
        .as_ref()
        .and_then(|s| s.capacity.as_ref())
        .and_then(|c| c.get("storage"))
        .and_then(|q| parse_value(&q.0).ok())
        .unwrap_or(0)
}

fn claim_modes(pvc: &PersistentVolumeClaim) -> Vec<String> {
    pvc.spec.as_ref().and_then(|s| s.access_modes.clone()).unwrap_or_default()
}

fn volume_modes(pv: &PersistentVolume) -> Vec<String> {
    pv.spec.as_ref().and_then(|s| s.access_modes.clone()).unwrap_or_default()
}

/// `CheckAccessModes`: the volume offers every mode the claim asks for.
pub fn check_access_modes(pvc: &PersistentVolumeClaim, pv: &PersistentVolume) -> bool {
    let have = volume_modes(pv);
    claim_modes(pvc).iter().all(|m| have.contains(m))
}

/// `CheckVolumeModeMismatches` (both default to Filesystem).
pub fn volume_mode_mismatch(pvc: &PersistentVolumeClaim, pv: &PersistentVolume) -> bool {
    let c = pvc.spec.as_ref().and_then(|s| s.volume_mode.clone()).unwrap_or_else(|| "Filesystem".into());
    let v = pv.spec.as_ref().and_then(|s| s.volume_mode.clone()).unwrap_or_else(|| "Filesystem".into());
    c != v
}

/// `IsVolumeBoundToClaim`: the volume's claimRef names the claim (and its uid, when set).
pub fn is_bound_to(pv: &PersistentVolume, pvc: &PersistentVolumeClaim) -> bool {
    let Some(r) = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) else {
        return false;
    };
    if r.name != pvc.metadata.name || r.namespace != pvc.metadata.namespace {
        return false;
    }
    match r.uid.as_deref() {
        None | Some("") => true,
        uid => uid == pvc.metadata.uid.as_deref(),
    }
}

fn requirement_matches(r: &NodeSelectorRequirement, value: Option<&String>) -> bool {
    let values = r.values.as_deref().unwrap_or_default();
    match r.operator.as_str() {
        "In" => value.is_some_and(|v| values.contains(v)),
        "NotIn" => value.is_none_or(|v| !values.contains(v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => match (value.and_then(|v| v.parse::<i64>().ok()), values.first().and_then(|w| w.parse().ok())) {
            (Some(have), Some(want)) if values.len() == 1 => {
                if r.operator == "Gt" {
                    have > want
                } else {
                    have < want
                }
            }
            _ => false,
        },
        _ => false,
    }
}

/// `CheckNodeAffinity`: the volume's required node affinity admits the node (no affinity
/// admits every node).
pub fn node_affinity_matches(pv: &PersistentVolume, node_name: &str, labels: &BTreeMap<String, String>) -> bool {
    let Some(required) = pv.spec.as_ref().and_then(|s| s.node_affinity.as_ref()).and_then(|a| a.required.as_ref())
    else {
        return true;
    };
    let name = node_name.to_string();
    required.node_selector_terms.iter().any(|t| {
        let exprs = t.match_expressions.as_deref().unwrap_or_default();
        let fields = t.match_fields.as_deref().unwrap_or_default();
        (!exprs.is_empty() || !fields.is_empty())
            && exprs.iter().all(|r| requirement_matches(r, labels.get(&r.key)))
            && fields.iter().all(|r| r.key == "metadata.name" && requirement_matches(r, Some(&name)))
    })
}

/// The node a scheduler walk is checking, for [`find_matching_volume`].
pub struct NodeView<'a> {
    pub name: &'a str,
    pub labels: &'a BTreeMap<String, String>,
}

/// `FindMatchingVolume`: the volume pre-bound to the claim, else the smallest available one
/// that fits the claim's size, volume mode, selector and class (and, on the scheduler's path
/// with a node, its node affinity and access modes). With `delay_binding` and no node (the
/// controller's path) only a pre-bound volume is returned: the scheduler binds the others.
pub fn find_matching_volume<'v>(
    pvc: &PersistentVolumeClaim,
    volumes: &[&'v PersistentVolume],
    node: Option<&NodeView>,
    excluded: &BTreeSet<String>,
    delay_binding: bool,
) -> Option<&'v PersistentVolume> {
    let requested = claim_request_bytes(pvc);
    let class = claim_class(pvc);
    let selector = pvc.spec.as_ref().and_then(|s| s.selector.as_ref()).map(Selector::from_label_selector);
    let mut smallest: Option<(&PersistentVolume, i64)> = None;
    for &pv in volumes {
        let name = pv.metadata.name.clone().unwrap_or_default();
        if excluded.contains(&name) {
            continue;
        }
        if pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).is_some() && !is_bound_to(pv, pvc) {
            continue;
        }
        let size = volume_capacity_bytes(pv);
        if size < requested || volume_mode_mismatch(pvc, pv) || pv.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let affinity_ok = node.is_none_or(|n| node_affinity_matches(pv, n.name, n.labels));
        if is_bound_to(pv, pvc) {
            return affinity_ok.then_some(pv);
        }
        if node.is_none() && delay_binding {
            continue;
        }
        let phase = pv.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("");
        if phase != "Available" {
            continue;
        }
        if let Some(sel) = &selector {
            if !sel.matches(&pv.metadata.labels.clone().unwrap_or_default()) {
                continue;
            }
        }
        if volume_class(pv) != class || !affinity_ok {
            continue;
        }
        if node.is_some() && !check_access_modes(pvc, pv) {
            continue;
        }
        if smallest.is_none_or(|(_, s)| s > size) {
            smallest = Some((pv, size));
        }
    }
    smallest.map(|(pv, _)| pv)
}

/// The persistentvolume controller's `findBestMatchForClaim`: volumes are indexed by their set
/// of access modes; the sets that contain every mode the claim asks for are searched, fewest
/// modes first (ties by the modes' names, where Go's order is unspecified).
pub fn find_best_match<'v>(
    pvc: &PersistentVolumeClaim,
    volumes: &[&'v PersistentVolume],
    delay_binding: bool,
) -> Option<&'v PersistentVolume> {
    let wanted = claim_modes(pvc);
    let mut index: BTreeMap<Vec<String>, Vec<&'v PersistentVolume>> = BTreeMap::new();
    for &pv in volumes {
        let mut modes = volume_modes(pv);
        modes.sort();
        modes.dedup();
        index.entry(modes).or_default().push(pv);
    }
    let mut sets: Vec<(&Vec<String>, &Vec<&PersistentVolume>)> =
        index.iter().filter(|(modes, _)| wanted.iter().all(|m| modes.contains(m))).collect();
    sets.sort_by_key(|(modes, _)| modes.len());
    for (_, vols) in sets {
        if let Some(pv) = find_matching_volume(pvc, vols, None, &BTreeSet::new(), delay_binding) {
            return Some(pv);
        }
    }
    None
}

/// Typed access to stored PVs, claims and classes.
pub fn volumes(store: &Store) -> Vec<&PersistentVolume> {
    store
        .list(Kind::PersistentVolume, None)
        .into_iter()
        .filter_map(|o| match o {
            Object::PersistentVolume(pv) => Some(&**pv),
            _ => None,
        })
        .collect()
}

pub fn volume<'a>(store: &'a Store, name: &str) -> Option<&'a PersistentVolume> {
    match store.get(Kind::PersistentVolume, "", name)? {
        Object::PersistentVolume(pv) => Some(pv),
        _ => None,
    }
}

pub fn claim<'a>(store: &'a Store, namespace: &str, name: &str) -> Option<&'a PersistentVolumeClaim> {
    match store.get(Kind::PersistentVolumeClaim, namespace, name)? {
        Object::PersistentVolumeClaim(pvc) => Some(pvc),
        _ => None,
    }
}

/// Whether a claim is bound as far as its consumers care: it names its volume and the
/// controller has completed the binding.
pub fn claim_is_bound(pvc: &PersistentVolumeClaim) -> bool {
    pvc.spec.as_ref().and_then(|s| s.volume_name.as_deref()).is_some_and(|v| !v.is_empty())
        && pvc.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound")
}

/// Where a volume's data lives, as a key of the kubelets' persistent trees: a hostPath or
/// local volume is a directory on a node (shared with hostPath pod volumes of that path), an
/// NFS volume a path on its server, anything else the volume itself.
pub fn backing_key(pv: &PersistentVolume, node: &str) -> BackingKey {
    let spec = pv.spec.as_ref();
    if let Some(h) = spec.and_then(|s| s.host_path.as_ref()) {
        return BackingKey::HostPath(node.to_string(), h.path.clone());
    }
    if let Some(l) = spec.and_then(|s| s.local.as_ref()) {
        return BackingKey::HostPath(node.to_string(), l.path.clone());
    }
    if let Some(n) = spec.and_then(|s| s.nfs.as_ref()) {
        return BackingKey::Other(format!("nfs://{}{}", n.server, n.path));
    }
    BackingKey::Other(format!(
        "pv://{}/{}",
        pv.metadata.name.as_deref().unwrap_or(""),
        pv.metadata.uid.as_deref().unwrap_or("")
    ))
}

/// See [`backing_key`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum BackingKey {
    /// (node, path): the kubelets' hostPath trees.
    HostPath(String, String),
    Other(String),
}

/// Removes the data of a volume (a deleter or recycler at work).
pub fn wipe(w: &mut World, key: &BackingKey) {
    let id = match key {
        BackingKey::HostPath(node, path) => w.kubelet.host_paths.remove(&(node.clone(), path.clone())),
        BackingKey::Other(k) => w.kubelet.claims.remove(k),
    };
    if let Some(id) = id {
        // A pod still running on it keeps its mount: only forget trees nobody mounts.
        let mounted = w.kubelet.pods.values().any(|p| p.volumes.iter().any(|(_, v)| *v == id));
        if !mounted {
            w.kubelet.fs.remove(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pv(v: serde_json::Value) -> PersistentVolume {
        serde_json::from_value(v).unwrap()
    }
    fn pvc(v: serde_json::Value) -> PersistentVolumeClaim {
        serde_json::from_value(v).unwrap()
    }

    fn available(name: &str, size: &str, modes: &[&str], class: &str) -> PersistentVolume {
        pv(json!({
            "metadata": {"name": name},
            "spec": {"capacity": {"storage": size}, "accessModes": modes, "storageClassName": class,
                     "hostPath": {"path": "/mnt/x"}},
            "status": {"phase": "Available"}
        }))
    }

    #[test]
    fn smallest_volume_that_fits_by_class_and_modes() {
        let a = available("big", "10Gi", &["ReadWriteOnce"], "manual");
        let b = available("small", "1Gi", &["ReadWriteOnce"], "manual");
        let c = available("tiny", "100Mi", &["ReadWriteOnce"], "manual");
        let d = available("other", "1Gi", &["ReadWriteOnce"], "");
        let e = available("rwx", "1Gi", &["ReadWriteOnce", "ReadWriteMany"], "manual");
        let claim = pvc(json!({
            "metadata": {"name": "data", "namespace": "default", "uid": "u1"},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "manual",
                     "resources": {"requests": {"storage": "500Mi"}}}
        }));
        let vols = vec![&a, &b, &c, &d, &e];
        assert_eq!(find_best_match(&claim, &vols, false).and_then(|v| v.metadata.name.clone()), Some("small".into()));
        let rwx = pvc(json!({
            "metadata": {"name": "shared", "namespace": "default"},
            "spec": {"accessModes": ["ReadWriteMany"], "storageClassName": "manual",
                     "resources": {"requests": {"storage": "1Gi"}}}
        }));
        assert_eq!(find_best_match(&rwx, &vols, false).and_then(|v| v.metadata.name.clone()), Some("rwx".into()));
        // The controller leaves WaitForFirstConsumer claims to the scheduler.
        assert!(find_best_match(&claim, &vols, true).is_none());
    }

    #[test]
    fn pre_bound_volume_wins_and_node_affinity_is_checked() {
        let mut a = available("pinned", "1Gi", &["ReadWriteOnce"], "");
        a.spec.as_mut().unwrap().node_affinity = serde_json::from_value(json!({"required": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": ["node01"]}]}
        ]}}))
        .unwrap();
        let claim = pvc(json!({
            "metadata": {"name": "data", "namespace": "default", "uid": "u1"},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "",
                     "resources": {"requests": {"storage": "1Gi"}}}
        }));
        let labels1: BTreeMap<String, String> = [("kubernetes.io/hostname".to_string(), "node01".to_string())].into();
        let labels2: BTreeMap<String, String> = [("kubernetes.io/hostname".to_string(), "node02".to_string())].into();
        let n1 = NodeView { name: "node01", labels: &labels1 };
        let n2 = NodeView { name: "node02", labels: &labels2 };
        let vols = vec![&a];
        assert!(find_matching_volume(&claim, &vols, Some(&n1), &BTreeSet::new(), true).is_some());
        assert!(find_matching_volume(&claim, &vols, Some(&n2), &BTreeSet::new(), true).is_none());
        a.spec.as_mut().unwrap().claim_ref =
            serde_json::from_value(json!({"name": "data", "namespace": "default"})).unwrap();
        a.status.as_mut().unwrap().phase = Some("Bound".into());
        let vols = vec![&a];
        assert!(find_matching_volume(&claim, &vols, None, &BTreeSet::new(), true).is_some());
    }
}
