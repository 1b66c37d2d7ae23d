//! kube-scheduler's VolumeBinding plugin (v1.32) around the pure scheduler library: what it
//! needs from claims, volumes and classes ([`PodVolumes`], the library's
//! [`VolumeBinding`] for PreFilter and Filter), and the Reserve/PreBind steps that run once a
//! node is chosen ([`bind_volumes`]): a matching volume is bound to the claim (its `claimRef`)
//! or the claim is annotated `volume.kubernetes.io/selected-node` for its provisioner, and the
//! pod is bound only when all its claims are — the binding cycle waits, with no event, up to
//! the plugin's 600 s bind timeout.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod};
use k8s_openapi::api::storage::v1::StorageClass;

use super::scheduler::{NodeInfo, VolumeBinding};
use super::storage::{self, *};
use super::{Kind, Object, Tick, World};

const ERR_BIND_CONFLICT: &str = "node(s) didn't find available persistent volumes to bind";
const ERR_NODE_CONFLICT: &str = "node(s) had volume node affinity conflict";
const ERR_PV_NOT_EXIST: &str = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
/// The plugin's `bindTimeoutSeconds`.
pub const BIND_TIMEOUT_S: u64 = 600;

/// A pod whose claims are being bound for the node it was given.
#[derive(Clone, Debug)]
pub struct Waiting {
    pub namespace: String,
    pub name: String,
    pub node: String,
    pub since: Tick,
    /// Claims left to a provisioner (they must keep the selected-node annotation).
    pub provisioned: Vec<String>,
}

/// The pod's claims as the plugin's PreFilter sorted them.
#[derive(Debug)]
pub struct PodVolumes {
    pre_filter_error: Option<String>,
    /// Bound claims: their volume (None: it does not exist).
    bound: Vec<Option<PersistentVolume>>,
    /// Unbound WaitForFirstConsumer claims, smallest request first.
    delayed: Vec<PersistentVolumeClaim>,
    /// The volumes of the delayed claims' classes.
    class_volumes: BTreeMap<String, Vec<PersistentVolume>>,
    classes: BTreeMap<String, StorageClass>,
}

fn claim_names(pod: &Pod) -> Vec<String> {
    pod.spec
        .as_ref()
        .and_then(|s| s.volumes.as_ref())
        .map(|vs| vs.iter().filter_map(|v| v.persistent_volume_claim.as_ref().map(|c| c.claim_name.clone())).collect())
        .unwrap_or_default()
}

/// `isPVCFullyBound`.
fn fully_bound(pvc: &PersistentVolumeClaim) -> bool {
    pvc.spec.as_ref().and_then(|s| s.volume_name.as_deref()).is_some_and(|v| !v.is_empty())
        && has_annotation(&pvc.metadata, ANN_BIND_COMPLETED)
}

/// The plugin's state for a pod; None when the pod uses no claim (the plugin skips it).
pub fn for_pod(w: &World, pod: &Pod) -> Option<PodVolumes> {
    let names = claim_names(pod);
    if names.is_empty() {
        return None;
    }
    let ns = pod.metadata.namespace.as_deref().unwrap_or("");
    let mut pv = PodVolumes {
        pre_filter_error: None,
        bound: Vec::new(),
        delayed: Vec::new(),
        class_volumes: BTreeMap::new(),
        classes: BTreeMap::new(),
    };
    // podHasPVCs
    let mut claims = Vec::new();
    for name in &names {
        let Some(pvc) = storage::claim(&w.store, ns, name) else {
            pv.pre_filter_error = Some(format!("persistentvolumeclaim \"{name}\" not found"));
            return Some(pv);
        };
        if pvc.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Lost") {
            let vol = pvc.spec.as_ref().and_then(|s| s.volume_name.clone()).unwrap_or_default();
            pv.pre_filter_error =
                Some(format!("persistentvolumeclaim \"{name}\" bound to non-existent persistentvolume \"{vol}\""));
            return Some(pv);
        }
        if pvc.metadata.deletion_timestamp.is_some() {
            pv.pre_filter_error = Some(format!("persistentvolumeclaim \"{name}\" is being deleted"));
            return Some(pv);
        }
        claims.push(pvc.clone());
    }
    // GetPodVolumeClaims
    let mut immediate = false;
    for pvc in claims {
        if fully_bound(&pvc) {
            let vol = pvc.spec.as_ref().and_then(|s| s.volume_name.clone()).unwrap_or_default();
            pv.bound.push(storage::volume(&w.store, &vol).cloned());
        } else if is_delay_binding(&w.store, &pvc)
            && pvc.spec.as_ref().and_then(|s| s.volume_name.as_deref()).unwrap_or("").is_empty()
        {
            let class = claim_class(&pvc);
            if let Some(sc) = storage::storage_class(&w.store, &class) {
                pv.classes.insert(class.clone(), sc.clone());
            }
            pv.class_volumes.entry(class.clone()).or_insert_with(|| {
                storage::volumes(&w.store).into_iter().filter(|v| volume_class(v) == class).cloned().collect()
            });
            pv.delayed.push(pvc);
        } else {
            immediate = true;
        }
    }
    if immediate {
        pv.pre_filter_error = Some("pod has unbound immediate PersistentVolumeClaims".into());
    }
    pv.delayed.sort_by_key(claim_request_bytes);
    Some(pv)
}

/// How the pod's delayed claims would be satisfied on a node: (claim, volume) bindings and
/// claims to provision; Err with the conflict reason.
type Plan = (Vec<(String, String)>, Vec<String>);

impl PodVolumes {
    fn plan(&self, node: &str, labels: &BTreeMap<String, String>) -> Result<Plan, Vec<&'static str>> {
        let mut reasons = Vec::new();
        let view = NodeView { name: node, labels };
        let mut bound_ok = true;
        let mut found = true;
        for v in &self.bound {
            match v {
                None => found = false,
                Some(pv) => {
                    if !node_affinity_matches(pv, node, labels) {
                        bound_ok = false;
                    }
                }
            }
        }
        let mut bindings = Vec::new();
        let mut provisions = Vec::new();
        let mut unbound_ok = true;
        let mut chosen: BTreeSet<String> = BTreeSet::new();
        let mut to_provision: Vec<&PersistentVolumeClaim> = Vec::new();
        for pvc in &self.delayed {
            if let Some(sel) = pvc.metadata.annotations.as_ref().and_then(|a| a.get(ANN_SELECTED_NODE)) {
                if sel != node {
                    unbound_ok = false;
                    break;
                }
                to_provision.push(pvc);
                continue;
            }
            let class = claim_class(pvc);
            let vols: Vec<&PersistentVolume> =
                self.class_volumes.get(&class).map(|v| v.iter().collect()).unwrap_or_default();
            match find_matching_volume(pvc, &vols, Some(&view), &chosen, true) {
                Some(v) => {
                    let name = v.metadata.name.clone().unwrap_or_default();
                    chosen.insert(name.clone());
                    bindings.push((pvc.metadata.name.clone().unwrap_or_default(), name));
                }
                None => to_provision.push(pvc),
            }
        }
        if unbound_ok {
            for pvc in to_provision {
                // checkVolumeProvisions: the class must have a provisioner that can serve the node.
                let ok = self.classes.get(&claim_class(pvc)).is_some_and(|sc| {
                    !sc.provisioner.is_empty() && sc.provisioner != NO_PROVISIONER && topology_allows(sc, labels)
                });
                if !ok {
                    unbound_ok = false;
                    break;
                }
                provisions.push(pvc.metadata.name.clone().unwrap_or_default());
            }
        }
        if !bound_ok {
            reasons.push(ERR_NODE_CONFLICT);
        }
        if !unbound_ok {
            reasons.push(ERR_BIND_CONFLICT);
        }
        if !found {
            reasons.push(ERR_PV_NOT_EXIST);
        }
        if reasons.is_empty() {
            Ok((bindings, provisions))
        } else {
            Err(reasons)
        }
    }
}

/// `MatchTopologySelectorTerms` over a class's `allowedTopologies` (none: any node).
fn topology_allows(sc: &StorageClass, labels: &BTreeMap<String, String>) -> bool {
    let terms = sc.allowed_topologies.as_deref().unwrap_or_default();
    if terms.is_empty() {
        return true;
    }
    terms.iter().any(|t| {
        t.match_label_expressions.iter().flatten().all(|e| labels.get(&e.key).is_some_and(|v| e.values.contains(v)))
    })
}

impl VolumeBinding for PodVolumes {
    fn pre_filter(&self) -> Result<(), String> {
        match &self.pre_filter_error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    fn filter(&self, node: &NodeInfo) -> Vec<&'static str> {
        self.plan(&node.name, &node.labels).err().unwrap_or_default()
    }
}

/// Reserve and PreBind's API updates for the chosen node. Returns None when every claim is
/// already bound (the pod can be bound now), else the wait to record.
pub fn bind_volumes(w: &mut World, pod: &Pod, node: &str) -> Option<Waiting> {
    let volumes = for_pod(w, pod)?;
    if volumes.delayed.is_empty() {
        return None;
    }
    let labels = w.store.get(Kind::Node, "", node).and_then(|o| o.meta().labels.clone()).unwrap_or_default();
    let Ok((bindings, provisions)) = volumes.plan(node, &labels) else { return None };
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    for (claim, pv_name) in &bindings {
        let Some(pvc) = storage::claim(&w.store, &ns, claim).cloned() else { continue };
        // GetBindVolumeToClaim: the volume's claimRef, set by the scheduler.
        let _ = w.store.modify(Kind::PersistentVolume, "", pv_name, |o| {
            if let Object::PersistentVolume(v) = o {
                v.spec.get_or_insert_with(Default::default).claim_ref =
                    Some(k8s_openapi::api::core::v1::ObjectReference {
                        api_version: Some("v1".into()),
                        kind: Some("PersistentVolumeClaim".into()),
                        name: pvc.metadata.name.clone(),
                        namespace: pvc.metadata.namespace.clone(),
                        uid: pvc.metadata.uid.clone(),
                        resource_version: pvc.metadata.resource_version.clone(),
                        field_path: None,
                    });
                v.metadata
                    .annotations
                    .get_or_insert_with(BTreeMap::new)
                    .insert(ANN_BOUND_BY_CONTROLLER.into(), "yes".into());
            }
        });
    }
    for claim in &provisions {
        let _ = w.store.modify(Kind::PersistentVolumeClaim, &ns, claim, |o| {
            if let Object::PersistentVolumeClaim(c) = o {
                c.metadata
                    .annotations
                    .get_or_insert_with(BTreeMap::new)
                    .insert(ANN_SELECTED_NODE.into(), node.to_string());
            }
        });
    }
    Some(Waiting {
        namespace: ns,
        name: pod.metadata.name.clone().unwrap_or_default(),
        node: node.to_string(),
        since: w.now,
        provisioned: provisions,
    })
}

/// PreBind's `checkBindings` for a waiting pod: Ok(true) when every claim is bound, Ok(false)
/// to keep waiting, Err with the FailedScheduling message when the binding failed.
pub fn check(w: &World, wait: &Waiting) -> Result<bool, String> {
    let Some(pod) = w.store.get(Kind::Pod, &wait.namespace, &wait.name).and_then(|o| o.as_pod()) else {
        return Ok(false);
    };
    for claim in &wait.provisioned {
        let Some(pvc) = storage::claim(&w.store, &wait.namespace, claim) else {
            return Err(format!(
                "running PreBind plugin \"VolumeBinding\": binding volumes: failed to get pvc \"{}/{claim}\": persistentvolumeclaim \"{claim}\" not found",
                wait.namespace
            ));
        };
        if !has_annotation(&pvc.metadata, ANN_SELECTED_NODE) && !fully_bound(pvc) {
            return Err(format!(
                "running PreBind plugin \"VolumeBinding\": binding volumes: selectedNode annotation reset for PVC \"{claim}\""
            ));
        }
    }
    let all = claim_names(pod).iter().all(|c| {
        storage::claim(&w.store, &wait.namespace, c).is_some_and(|pvc| {
            fully_bound(pvc)
                && storage::volume(&w.store, pvc.spec.as_ref().and_then(|s| s.volume_name.as_deref()).unwrap_or(""))
                    .is_some()
        })
    });
    if all {
        return Ok(true);
    }
    if w.now.since(wait.since) >= BIND_TIMEOUT_S {
        return Err("running PreBind plugin \"VolumeBinding\": binding volumes: context deadline exceeded".into());
    }
    Ok(false)
}
