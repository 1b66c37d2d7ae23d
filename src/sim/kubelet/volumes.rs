//! Pod volumes as the kubelet's volume plugins set them up: emptyDir (one tree shared by the
//! pod's containers), ConfigMap and Secret projections (files per key, decoded), hostPath
//! (a tree per node and path that outlives pods), persistentVolumeClaim (a tree per claim),
//! downwardAPI, and the projected service-account token volume.

use std::collections::BTreeMap;

use base64::Engine;
use k8s_openapi::api::core::v1::{KeyToPath, Pod, Volume};

use super::PodRt;
use crate::shell::vfs::{Tree, VolumeId};
use crate::sim::object::Kind;
use crate::sim::storage::{self, BackingKey};
use crate::sim::World;

/// Default file mode of projected files (0644, the API's defaultMode 420).
const DEFAULT_MODE: u32 = 0o644;

fn project(
    tree: &mut Tree,
    data: &BTreeMap<String, Vec<u8>>,
    items: Option<&Vec<KeyToPath>>,
    mode: u32,
) -> Result<(), String> {
    match items {
        None => {
            for (k, v) in data {
                tree.add_file(k, v, mode);
            }
        }
        Some(items) => {
            for it in items {
                let Some(v) = data.get(&it.key) else {
                    return Err(format!("configmap references non-existent config key: {}", it.key));
                };
                let m = it.mode.map(|m| m as u32).unwrap_or(mode);
                tree.add_file(&it.path, v, m);
            }
        }
    }
    Ok(())
}

/// Data of a ConfigMap as bytes per key (data and binaryData).
pub fn config_map_data(w: &World, ns: &str, name: &str) -> Option<BTreeMap<String, Vec<u8>>> {
    let cm = w.store.get(Kind::ConfigMap, ns, name)?.as_config_map()?;
    let mut out = BTreeMap::new();
    for (k, v) in cm.data.iter().flatten() {
        out.insert(k.clone(), v.clone().into_bytes());
    }
    for (k, v) in cm.binary_data.iter().flatten() {
        out.insert(k.clone(), v.0.clone());
    }
    Some(out)
}

/// Data of a Secret as decoded bytes per key (data and stringData).
pub fn secret_data(w: &World, ns: &str, name: &str) -> Option<BTreeMap<String, Vec<u8>>> {
    let s = w.store.get(Kind::Secret, ns, name)?.as_secret()?;
    let mut out = BTreeMap::new();
    for (k, v) in s.data.iter().flatten() {
        out.insert(k.clone(), v.0.clone());
    }
    for (k, v) in s.string_data.iter().flatten() {
        out.insert(k.clone(), v.clone().into_bytes());
    }
    Some(out)
}

/// Builds one volume's tree; Err is the FailedMount message. The projections (ConfigMap,
/// Secret, downward API, service-account token) share their content with every pod's volume
/// of the same content (`Volumes::add_shared`): thousands of pods hold one copy of the
/// namespace's `ca.crt`.
fn build(w: &mut World, pod: &Pod, rt: &PodRt, v: &Volume) -> Result<VolumeId, String> {
    let ns = rt.namespace.as_str();
    let fail = |msg: String| format!("MountVolume.SetUp failed for volume \"{}\" : {}", v.name, msg);
    if let Some(cm) = &v.config_map {
        let name = cm.name.clone();
        let mode = cm.default_mode.map(|m| m as u32).unwrap_or(DEFAULT_MODE);
        let mut tree = Tree::new();
        match config_map_data(w, ns, &name) {
            Some(data) => project(&mut tree, &data, cm.items.as_ref(), mode).map_err(fail)?,
            None if cm.optional == Some(true) => {}
            None => return Err(fail(format!("configmap \"{name}\" not found"))),
        }
        return Ok(w.kubelet.fs.add_shared(tree));
    }
    if let Some(s) = &v.secret {
        let name = s.secret_name.clone().unwrap_or_default();
        let mode = s.default_mode.map(|m| m as u32).unwrap_or(DEFAULT_MODE);
        let mut tree = Tree::new();
        match secret_data(w, ns, &name) {
            Some(data) => project(&mut tree, &data, s.items.as_ref(), mode).map_err(fail)?,
            None if s.optional == Some(true) => {}
            None => return Err(fail(format!("secret \"{name}\" not found"))),
        }
        return Ok(w.kubelet.fs.add_shared(tree));
    }
    if let Some(hp) = &v.host_path {
        let key = (rt.node.clone(), hp.path.clone());
        if let Some(id) = w.kubelet.host_paths.get(&key) {
            return Ok(*id);
        }
        let ty = hp.type_.as_deref().unwrap_or("");
        if matches!(ty, "Directory" | "File" | "Socket" | "CharDevice" | "BlockDevice") {
            let what = match ty {
                "Directory" => "directory",
                "File" => "file",
                _ => "socket",
            };
            return Err(fail(format!("hostPath type check failed: {} is not a {what}", hp.path)));
        }
        let id = w.kubelet.fs.add(Tree::new());
        w.kubelet.host_paths.insert(key, id);
        return Ok(id);
    }
    if let Some(pvc) = &v.persistent_volume_claim {
        return claim_tree(w, rt, &v.name, &pvc.claim_name);
    }
    if let Some(projected) = &v.projected {
        let mut tree = Tree::new();
        for src in projected.sources.iter().flatten() {
            if src.service_account_token.is_some() {
                let token = service_account_token(pod, ns);
                tree.add_file("token", token.as_bytes(), DEFAULT_MODE);
            }
            if let Some(cm) = &src.config_map {
                if let Some(data) = config_map_data(w, ns, &cm.name) {
                    project(&mut tree, &data, cm.items.as_ref(), DEFAULT_MODE).map_err(fail)?;
                } else if cm.optional != Some(true) {
                    return Err(fail(format!("configmap \"{}\" not found", cm.name)));
                }
            }
            if let Some(s) = &src.secret {
                if let Some(data) = secret_data(w, ns, &s.name) {
                    project(&mut tree, &data, s.items.as_ref(), DEFAULT_MODE).map_err(fail)?;
                } else if s.optional != Some(true) {
                    return Err(fail(format!("secret \"{}\" not found", s.name)));
                }
            }
            if let Some(d) = &src.downward_api {
                for it in d.items.iter().flatten() {
                    if let Some(f) = &it.field_ref {
                        let val = super::env::field_value(pod, &f.field_path, rt).unwrap_or_default();
                        tree.add_file(&it.path, val.as_bytes(), DEFAULT_MODE);
                    }
                }
            }
        }
        return Ok(w.kubelet.fs.add_shared(tree));
    }
    if let Some(d) = &v.downward_api {
        let mut tree = Tree::new();
        for it in d.items.iter().flatten() {
            if let Some(f) = &it.field_ref {
                let val = super::env::field_value(pod, &f.field_path, rt).unwrap_or_default();
                tree.add_file(&it.path, val.as_bytes(), DEFAULT_MODE);
            }
        }
        return Ok(w.kubelet.fs.add_shared(tree));
    }
    // emptyDir, and any other kind we do not model in detail, is a fresh tree.
    Ok(w.kubelet.fs.add(Tree::new()))
}

/// A claim's volume: the tree of the persistent volume it is bound to (a hostPath or local
/// volume is the node's directory, shared with hostPath pod volumes of the same path), so the
/// data outlives the pod and the claim, and a Retained volume bound again still has it.
fn claim_tree(w: &mut World, rt: &PodRt, volume: &str, claim: &str) -> Result<VolumeId, String> {
    let ns = rt.namespace.as_str();
    // The volume manager's desired-state populator refuses claims it cannot resolve.
    let fail = |why: String| {
        format!(
            "Unable to attach or mount volumes: unmounted volumes=[{volume}], unattached volumes=[], failed to process volumes=[{volume}]: {why}"
        )
    };
    let Some(pvc) = storage::claim(&w.store, ns, claim) else {
        return Err(fail(format!(
            "error processing PVC {ns}/{claim}: failed to fetch PVC from API server: persistentvolumeclaims \"{claim}\" not found"
        )));
    };
    if pvc.metadata.deletion_timestamp.is_some() {
        return Err(fail(format!(
            "error processing PVC {ns}/{claim}: can't start pod because PVC {ns}/{claim} is being deleted"
        )));
    }
    if !storage::claim_is_bound(pvc) {
        return Err(fail(format!("error processing PVC {ns}/{claim}: PVC is not bound")));
    }
    let pv_name = pvc.spec.as_ref().and_then(|s| s.volume_name.clone()).unwrap_or_default();
    let Some(pv) = storage::volume(&w.store, &pv_name) else {
        return Err(fail(format!(
            "error processing PVC {ns}/{claim}: failed to fetch PV {pv_name} from API server: persistentvolumes \"{pv_name}\" not found"
        )));
    };
    let key = storage::backing_key(pv, &rt.node);
    let existing = match &key {
        BackingKey::HostPath(node, path) => w.kubelet.host_paths.get(&(node.clone(), path.clone())).copied(),
        BackingKey::Other(k) => w.kubelet.claims.get(k).copied(),
    };
    if let Some(id) = existing {
        return Ok(id);
    }
    let fresh = w.kubelet.fs.add(Tree::new());
    match key {
        BackingKey::HostPath(node, path) => w.kubelet.host_paths.insert((node, path), fresh),
        BackingKey::Other(k) => w.kubelet.claims.insert(k, fresh),
    };
    Ok(fresh)
}

/// A service-account token: a JWT-shaped string (header.claims.signature), not a real one.
fn service_account_token(pod: &Pod, ns: &str) -> String {
    let sa = pod.spec.as_ref().and_then(|s| s.service_account_name.clone()).unwrap_or_else(|| "default".into());
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(r#"{"alg":"RS256","kid":"kubedojo"}"#);
    let claims = b64.encode(format!(
        r#"{{"aud":["https://kubernetes.default.svc.cluster.local"],"iss":"https://kubernetes.default.svc.cluster.local","sub":"system:serviceaccount:{ns}:{sa}"}}"#
    ));
    format!("{header}.{claims}.c2ltdWxhdGVk")
}

/// Sets up every volume of the pod; Err is the first FailedMount message.
pub fn setup(w: &mut World, pod: &Pod, rt: &mut PodRt) -> Result<(), String> {
    // The pod is the caller's own reference, not part of the world: no copy of its volumes.
    let volumes = pod.spec.as_ref().and_then(|s| s.volumes.as_deref()).unwrap_or_default();
    for v in volumes {
        if rt.volumes.iter().any(|(n, _)| *n == v.name) {
            continue;
        }
        let id = build(w, pod, rt, v)?;
        rt.volumes.push((v.name.clone(), id));
    }
    Ok(())
}

/// Frees the pod's own volumes (emptyDir, projections); hostPath and claims stay.
pub fn teardown(w: &mut World, rt: &PodRt) {
    for (_, id) in &rt.volumes {
        let shared = w.kubelet.host_paths.values().any(|v| v == id) || w.kubelet.claims.values().any(|v| v == id);
        if !shared {
            w.kubelet.fs.remove(*id);
        }
    }
}
