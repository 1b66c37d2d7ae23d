//! The statefulset controller (`pkg/controller/statefulset`, v1.32): pods with stable
//! ordinal names `<sts>-0..N-1`, hostname = pod name and subdomain = serviceName, the
//! `statefulset.kubernetes.io/pod-name` and `apps.kubernetes.io/pod-index` labels, one PVC
//! per volumeClaimTemplate and ordinal (`<claim>-<sts>-<ordinal>`), created before the pod.
//!
//! OrderedReady (the default) creates one pod at a time and waits until it is Running and
//! Ready (and available for minReadySeconds) before the next, and removes surplus pods from
//! the highest ordinal down, one at a time; Parallel creates and deletes without waiting.
//! RollingUpdate replaces pods whose `controller-revision-hash` is not the update revision,
//! from the highest ordinal down to `partition`, one at a time; OnDelete leaves that to the
//! user. Revisions are ControllerRevisions (`sim::controllers::history`).
//!
//! PVC binding is the volume controller's business: the claims are created here and left
//! Pending for it. `persistentVolumeClaimRetentionPolicy` Delete sets the owner references the
//! garbage collector follows (whenDeleted → the StatefulSet, whenScaled → the condemned pod).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, Pod, PodTemplateSpec, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::history;
use super::informer::{controller_ref, Cursor, DueQueue, OwnerIndex};
use super::podcontrol::{self, controller_ref_to};
use crate::sim::api::WriteOptions;
use crate::sim::events::{object_reference, EventType, Source};
use crate::sim::store::Change;
use crate::sim::{Kind, ObjKey, Object, World};

const COMPONENT: &str = "statefulset-controller";
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";
pub const REVISION_LABEL: &str = "controller-revision-hash";

/// The statefulset controller's caches and queue.
#[derive(Clone, Debug, Default)]
pub struct State {
    cursor: Cursor,
    pods: OwnerIndex,
    due: DueQueue,
}

pub fn reconcile(w: &mut World) {
    let now = w.now;
    let mut dirty: BTreeSet<ObjKey> = BTreeSet::new();
    {
        let World { store, controllers, .. } = w;
        let st = &mut controllers.statefulset;
        match st.cursor.drain_of(store, &[Kind::StatefulSet, Kind::Pod]) {
            Some(events) => {
                for ev in events {
                    match ev.kind {
                        Kind::StatefulSet => {
                            dirty.insert((*ev.key).clone());
                        }
                        Kind::Pod => {
                            // A write of a pod no StatefulSet controlled, to a pod not in the
                            // index, changes nothing here (a later write that made it one's
                            // is in this batch too): passed over without a lookup.
                            if !ev.controllers.may_include(Kind::StatefulSet) && st.pods.owner_of(&ev.key).is_none() {
                                continue;
                            }
                            let obj = store.get(Kind::Pod, &ev.key.namespace, &ev.key.name);
                            if obj.is_none() && ev.change != Change::Deleted {
                                continue;
                            }
                            dirty.extend(st.pods.observe(&ev.key, obj, Kind::StatefulSet));
                        }
                        _ => {}
                    }
                }
            }
            None => {
                st.pods.clear();
                for o in store.list(Kind::Pod, None) {
                    st.pods.observe(&o.key(), Some(o), Kind::StatefulSet);
                }
                dirty.extend(store.list(Kind::StatefulSet, None).iter().map(|o| o.key()));
            }
        }
        dirty.extend(st.due.pop_due(now));
    }
    for key in dirty {
        sync(w, &key);
    }
}

fn record(w: &mut World, set: &Object, t: EventType, reason: &str, msg: &str) {
    let reference = object_reference(set, None);
    w.record_event(reference, t, reason, msg, Source::controller(COMPONENT));
}

/// The ordinal of a pod named `<set>-<n>`.
fn ordinal(set_name: &str, pod_name: &str) -> Option<i32> {
    pod_name.strip_prefix(set_name)?.strip_prefix('-')?.parse::<i32>().ok().filter(|n| *n >= 0)
}

fn claim_name(claim: &str, set_name: &str, ord: i32) -> String {
    format!("{claim}-{set_name}-{ord}")
}

fn revision_of(p: &Pod) -> Option<&str> {
    p.metadata.labels.as_ref()?.get(REVISION_LABEL).map(String::as_str)
}

fn running_and_ready(p: &Pod) -> bool {
    podcontrol::phase(p) == "Running" && podcontrol::is_ready(p)
}

/// Running, ready, and ready for at least minReadySeconds.
fn available(p: &Pod, min_ready_s: i32, now: crate::sim::Tick) -> bool {
    running_and_ready(p)
        && (min_ready_s <= 0 || podcontrol::ready_since(p).is_some_and(|t| now.since(t) >= min_ready_s as u64))
}

/// `newVersionedStatefulSetPod`: the pod for an ordinal from the template of a revision.
fn new_pod(set: &StatefulSet, set_obj: &Object, template: &PodTemplateSpec, revision: &str, ord: i32) -> Pod {
    let set_name = set.metadata.name.clone().unwrap_or_default();
    let name = format!("{set_name}-{ord}");
    let mut pod = podcontrol::pod_from_template(template, set_obj, Some(&name), "");
    let labels = pod.metadata.labels.get_or_insert_with(BTreeMap::new);
    labels.insert(POD_NAME_LABEL.into(), name.clone());
    labels.insert(POD_INDEX_LABEL.into(), ord.to_string());
    labels.insert(REVISION_LABEL.into(), revision.to_string());
    let spec = set.spec.clone().unwrap_or_default();
    if let Some(ps) = pod.spec.as_mut() {
        ps.hostname = Some(name.clone());
        if !spec.service_name.is_empty() {
            ps.subdomain = Some(spec.service_name.clone());
        }
        // updateStorage: each claim template becomes a volume of the same name.
        for t in spec.volume_claim_templates.iter().flatten() {
            let claim = t.metadata.name.clone().unwrap_or_default();
            let vol = Volume {
                name: claim.clone(),
                persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                    claim_name: claim_name(&claim, &set_name, ord),
                    read_only: None,
                }),
                ..Default::default()
            };
            let vols = ps.volumes.get_or_insert_with(Vec::new);
            match vols.iter_mut().find(|v| v.name == claim) {
                Some(v) => *v = vol,
                None => vols.push(vol),
            }
        }
    }
    pod
}

/// `createPersistentVolumeClaims`: the claims of an ordinal that do not exist yet.
fn create_claims(w: &mut World, set: &StatefulSet, set_obj: &Object, pod_name: &str, ord: i32) -> bool {
    let spec = set.spec.clone().unwrap_or_default();
    let set_name = set.metadata.name.clone().unwrap_or_default();
    let ns = set.metadata.namespace.clone().unwrap_or_default();
    let when_deleted = spec
        .persistent_volume_claim_retention_policy
        .as_ref()
        .and_then(|p| p.when_deleted.clone())
        .unwrap_or_else(|| "Retain".into());
    for t in spec.volume_claim_templates.iter().flatten() {
        let claim = t.metadata.name.clone().unwrap_or_default();
        let name = claim_name(&claim, &set_name, ord);
        if w.store.get(Kind::PersistentVolumeClaim, &ns, &name).is_some() {
            continue;
        }
        let mut labels = t.metadata.labels.clone().unwrap_or_default();
        if let Some(sel) = spec.selector.match_labels.as_ref() {
            labels.extend(sel.clone());
        }
        let pvc = PersistentVolumeClaim {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: Some(ns.clone()),
                labels: Some(labels).filter(|l| !l.is_empty()),
                annotations: t.metadata.annotations.clone(),
                owner_references: (when_deleted == "Delete").then(|| vec![controller_ref_to(set_obj)]),
                ..Default::default()
            },
            spec: t.spec.clone(),
            status: Some(k8s_openapi::api::core::v1::PersistentVolumeClaimStatus {
                phase: Some("Pending".into()),
                ..Default::default()
            }),
        };
        match w.api_create(Object::PersistentVolumeClaim(Box::new(pvc)), WriteOptions::default()) {
            Ok(_) => record(
                w,
                set_obj,
                EventType::Normal,
                "SuccessfulCreate",
                &format!("create Claim {name} Pod {pod_name} in StatefulSet {set_name} success"),
            ),
            Err(e) => {
                record(
                    w,
                    set_obj,
                    EventType::Warning,
                    "FailedCreate",
                    &format!(
                        "create Claim {name} for Pod {pod_name} in StatefulSet {set_name} failed error: {}",
                        e.message
                    ),
                );
                return false;
            }
        }
    }
    true
}

fn create_pod(w: &mut World, set: &StatefulSet, set_obj: &Object, pod: Pod, ord: i32) -> bool {
    let set_name = set.metadata.name.clone().unwrap_or_default();
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    if !create_claims(w, set, set_obj, &pod_name, ord) {
        return false;
    }
    match w.api_create(Object::from(pod), WriteOptions::default()) {
        Ok(_) => {
            record(
                w,
                set_obj,
                EventType::Normal,
                "SuccessfulCreate",
                &format!("create Pod {pod_name} in StatefulSet {set_name} successful"),
            );
            true
        }
        Err(e) => {
            record(
                w,
                set_obj,
                EventType::Warning,
                "FailedCreate",
                &format!("create Pod {pod_name} in StatefulSet {set_name} failed error: {}", e.message),
            );
            false
        }
    }
}

fn delete_pod(w: &mut World, set: &StatefulSet, set_obj: &Object, pod: &Pod) -> bool {
    let set_name = set.metadata.name.clone().unwrap_or_default();
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    match w.api_delete(Kind::Pod, &ns, &name, None, WriteOptions::default()) {
        Ok(_) => {
            record(
                w,
                set_obj,
                EventType::Normal,
                "SuccessfulDelete",
                &format!("delete Pod {name} in StatefulSet {set_name} successful"),
            );
            true
        }
        Err(e) => {
            record(
                w,
                set_obj,
                EventType::Warning,
                "FailedDelete",
                &format!("delete Pod {name} in StatefulSet {set_name} failed error: {}", e.message),
            );
            false
        }
    }
}

/// `whenScaled: Delete`: a condemned pod's claims become owned by it, so they go with it.
fn claims_follow_pod(w: &mut World, set: &StatefulSet, pod: &Pod, ord: i32) {
    let spec = set.spec.clone().unwrap_or_default();
    let when_scaled = spec.persistent_volume_claim_retention_policy.as_ref().and_then(|p| p.when_scaled.clone());
    if when_scaled.as_deref() != Some("Delete") {
        return;
    }
    let set_name = set.metadata.name.clone().unwrap_or_default();
    let ns = set.metadata.namespace.clone().unwrap_or_default();
    let owner = controller_ref_to(&Object::from(pod.clone()));
    for t in spec.volume_claim_templates.iter().flatten() {
        let name = claim_name(t.metadata.name.as_deref().unwrap_or(""), &set_name, ord);
        let owner = owner.clone();
        let _ = w.store.modify(Kind::PersistentVolumeClaim, &ns, &name, |o| {
            let refs = o.meta_mut().owner_references.get_or_insert_with(Vec::new);
            if !refs.iter().any(|r| r.uid == owner.uid) {
                refs.push(owner.clone());
            }
        });
    }
}

/// One sync of a StatefulSet (`updateStatefulSet` and its status).
fn sync(w: &mut World, key: &ObjKey) {
    let now = w.now;
    let Some(Object::StatefulSet(set)) = w.store.get(Kind::StatefulSet, &key.namespace, &key.name).cloned() else {
        return;
    };
    if set.metadata.deletion_timestamp.is_some() {
        return;
    }
    let set_obj = Object::StatefulSet(set.clone());
    let uid = set.metadata.uid.clone().unwrap_or_default();
    let spec = set.spec.clone().unwrap_or_default();
    let replicas = spec.replicas.unwrap_or(1).max(0);
    let parallel = spec.pod_management_policy.as_deref() == Some("Parallel");
    let min_ready = spec.min_ready_seconds.unwrap_or(0);
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    let on_delete = strategy.type_.as_deref() == Some("OnDelete");
    let partition = strategy.rolling_update.as_ref().and_then(|r| r.partition).unwrap_or(0).max(0);

    // Revisions: the update revision is the current template's.
    let template_labels = spec.template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
    let Some(update_rev) =
        history::ensure_revision(w, &set_obj, &spec.template, &template_labels, "controller.kubernetes.io/hash")
    else {
        return;
    };
    let status = set.status.clone().unwrap_or_default();
    let current_rev = status.current_revision.clone().filter(|r| !r.is_empty()).unwrap_or_else(|| update_rev.clone());
    let revisions = history::owned_revisions(w, &set_obj);
    let template_of = |name: &str| -> PodTemplateSpec {
        revisions
            .iter()
            .find(|r| r.metadata.name.as_deref() == Some(name))
            .and_then(|r| r.data.as_ref())
            .and_then(|d| d.0.get("spec")?.get("template").cloned())
            .and_then(|mut t| {
                if let Some(m) = t.as_object_mut() {
                    m.remove("$patch");
                }
                serde_json::from_value::<PodTemplateSpec>(t).ok()
            })
            .unwrap_or_else(|| spec.template.clone())
    };

    // The pods, by ordinal.
    let pods: Vec<Pod> = w
        .controllers
        .statefulset
        .pods
        .owned(key)
        .iter()
        .filter_map(|k| w.store.get(Kind::Pod, &k.namespace, &k.name))
        .filter(|o| controller_ref(o, Kind::StatefulSet).is_some_and(|r| r.uid == uid))
        .filter_map(|o| o.as_pod().cloned())
        .collect();
    let mut by_ord: BTreeMap<i32, Pod> = BTreeMap::new();
    for p in pods {
        if let Some(o) = ordinal(&key.name, p.metadata.name.as_deref().unwrap_or("")) {
            by_ord.insert(o, p);
        }
    }
    let condemned: Vec<i32> = by_ord.keys().copied().filter(|o| *o >= replicas).rev().collect();

    // Pods that ended (Failed/Succeeded) are deleted and recreated.
    for ord in 0..replicas {
        if let Some(p) = by_ord.get(&ord).cloned() {
            if podcontrol::is_terminal(&p) && p.metadata.deletion_timestamp.is_none() {
                delete_pod(w, &set, &set_obj, &p);
                by_ord.remove(&ord);
            }
        }
    }

    // Create missing pods and wait for unhealthy ones (monotonic: one at a time).
    let mut blocked = false;
    for ord in 0..replicas {
        match by_ord.get(&ord) {
            None => {
                // Ordinals below the partition keep the current revision during a rollout.
                let rev = if !on_delete && ord < partition { current_rev.clone() } else { update_rev.clone() };
                let rev = if on_delete && current_rev != update_rev { current_rev.clone() } else { rev };
                let pod = new_pod(&set, &set_obj, &template_of(&rev), &rev, ord);
                create_pod(w, &set, &set_obj, pod, ord);
                if !parallel {
                    blocked = true;
                    break;
                }
            }
            Some(p) => {
                if parallel {
                    continue;
                }
                if p.metadata.deletion_timestamp.is_some() || !running_and_ready(p) {
                    blocked = true;
                    break;
                }
                if !available(p, min_ready, now) {
                    if let Some(t) = podcontrol::ready_since(p) {
                        w.controllers.statefulset.due.add_at(key, t.plus_s(min_ready as u64));
                    }
                    blocked = true;
                    break;
                }
            }
        }
    }

    // Scale down from the highest ordinal.
    if !blocked {
        for ord in &condemned {
            let Some(p) = by_ord.get(ord).cloned() else { continue };
            if p.metadata.deletion_timestamp.is_some() {
                if !parallel {
                    blocked = true;
                    break;
                }
                continue;
            }
            claims_follow_pod(w, &set, &p, *ord);
            delete_pod(w, &set, &set_obj, &p);
            if !parallel {
                blocked = true;
                break;
            }
        }
    }

    // Rolling update: highest ordinal first, down to the partition, one at a time.
    if !blocked && !on_delete {
        for ord in (partition..replicas).rev() {
            let Some(p) = by_ord.get(&ord) else { continue };
            if revision_of(p) != Some(update_rev.as_str()) && p.metadata.deletion_timestamp.is_none() {
                let p = p.clone();
                delete_pod(w, &set, &set_obj, &p);
                break;
            }
            if !available(p, min_ready, now) {
                break;
            }
        }
    }

    // Status from the pods as they are now.
    let ords: BTreeSet<i32> = by_ord.keys().copied().chain(0..replicas).collect();
    let pods_now: Vec<Pod> = ords
        .into_iter()
        .filter_map(|o| w.store.get(Kind::Pod, &key.namespace, &format!("{}-{o}", key.name)))
        .filter(|o| controller_ref(o, Kind::StatefulSet).is_some_and(|r| r.uid == uid))
        .filter_map(|o| o.as_pod().cloned())
        .collect();
    let count = |f: &dyn Fn(&Pod) -> bool| pods_now.iter().filter(|p| f(p)).count() as i32;
    let current_replicas = count(&|p| revision_of(p) == Some(current_rev.as_str()));
    let updated_replicas = count(&|p| revision_of(p) == Some(update_rev.as_str()));
    let ready_replicas = count(&|p| running_and_ready(p));
    let available_replicas = count(&|p| available(p, min_ready, now));
    let mut new_status = StatefulSetStatus {
        observed_generation: set.metadata.generation,
        replicas: pods_now.len() as i32,
        ready_replicas: Some(ready_replicas).filter(|n| *n > 0),
        current_replicas: Some(current_replicas).filter(|n| *n > 0),
        updated_replicas: Some(updated_replicas).filter(|n| *n > 0),
        available_replicas: Some(available_replicas),
        current_revision: Some(current_rev.clone()),
        update_revision: Some(update_rev.clone()),
        collision_count: Some(status.collision_count.unwrap_or(0)),
        conditions: status.conditions.clone(),
    };
    // The rollout is done when every replica runs the update revision.
    if updated_replicas == replicas && pods_now.len() as i32 == replicas && ready_replicas == replicas {
        new_status.current_revision = Some(update_rev.clone());
        new_status.current_replicas = new_status.updated_replicas;
    }
    let _ = w.store.modify(Kind::StatefulSet, &key.namespace, &key.name, |o| {
        if let Object::StatefulSet(s) = o {
            s.status = Some(new_status.clone());
        }
    });
    let mut in_use: BTreeSet<String> = pods_now.iter().filter_map(|p| revision_of(p).map(str::to_string)).collect();
    in_use.insert(current_rev);
    in_use.insert(update_rev);
    history::truncate_history(w, &set_obj, spec.revision_history_limit.unwrap_or(10), &in_use);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_come_from_names() {
        assert_eq!(ordinal("web", "web-0"), Some(0));
        assert_eq!(ordinal("web", "web-12"), Some(12));
        assert_eq!(ordinal("web", "web-x"), None);
        assert_eq!(ordinal("web", "webby-1"), None);
        assert_eq!(claim_name("www", "web", 2), "www-web-2");
    }
}
