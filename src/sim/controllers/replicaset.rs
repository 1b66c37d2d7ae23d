//! The ReplicaSet controller, ported from `pkg/controller/replicaset` (v1.32): for each queued
//! ReplicaSet it claims its pods (adopting orphans its selector matches, releasing pods it no
//! longer selects), creates or deletes pods until the number of active pods matches
//! `spec.replicas` — deleting the least valuable first, as `ActivePodsWithRanks` orders them —
//! and writes its status (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas,
//! observedGeneration, the ReplicaFailure condition).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetCondition, ReplicaSetStatus};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

use super::pods::{self, controller_ref, is_active};
use crate::sim::api::errors::ApiError;
use crate::sim::api::selector::Selector;
use crate::sim::clock::tick_of;
use crate::sim::{Kind, ObjKey, Object, Tick, World};

/// The name the controller reports its events under.
pub const COMPONENT: &str = "replicaset-controller";

/// `burstReplicas`: at most this many pods are created or deleted in one sync.
const BURST_REPLICAS: i32 = 500;

/// The annotation that lowers or raises a pod's chance of being deleted on scale-down.
const POD_DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";

pub fn reconcile(w: &mut World) {
    let now = w.now;
    for key in w.controllers.replicaset.take(now) {
        sync(w, &key);
    }
}

/// `syncReplicaSet` for one key.
fn sync(w: &mut World, key: &ObjKey) {
    let Some(Object::ReplicaSet(rs)) = w.store.get(Kind::ReplicaSet, &key.namespace, &key.name).cloned() else {
        return;
    };
    let owner = Object::ReplicaSet(rs.clone());
    let Some(spec) = rs.spec.clone() else { return };
    let uid = rs.metadata.uid.clone().unwrap_or_default();
    let deleting = rs.metadata.deletion_timestamp.is_some();
    let now = w.now;

    // Status counts come from the pods as they are before this sync's creates and deletes;
    // the watch events those cause bring the next sync, as in the real controller. They are
    // counted as the pods are claimed, so each pod is looked up once.
    let (names, counts) = claim_pods(w, &rs, &owner, now);
    let min_ready = spec.min_ready_seconds.unwrap_or(0);

    let mut manage_err: Option<ApiError> = None;
    if !deleting {
        manage_err = manage_replicas(w, &rs, &owner, &names);
    }

    // A failed create or delete (a quota, a LimitRange) is retried with the rate limiter's
    // back-off, as the real controller's AddRateLimited does.
    if manage_err.is_some() {
        w.controllers.replicaset.add_rate_limited(key.clone(), now);
    } else {
        w.controllers.replicaset.forget(key);
    }

    let mut status = calculate_status(&rs, &counts, manage_err.as_ref(), now);
    status.observed_generation = rs.metadata.generation;
    if rs.status.as_ref() != Some(&status) {
        let _ = w.store.modify(Kind::ReplicaSet, &key.namespace, &key.name, |o| {
            if let Object::ReplicaSet(r) = o {
                if r.metadata.uid.as_deref() == Some(uid.as_str()) {
                    r.status = Some(status);
                }
            }
        });
    }

    // A ready pod becomes available minReadySeconds later, with no event to say so: look
    // again then (the real controller enqueues after minReadySeconds on readiness).
    if min_ready > 0 {
        if let Some(at) = counts.next_available {
            w.controllers.replicaset.add_at(key.clone(), at, now);
        }
    }
}

/// What the status counts from the claimed pods.
struct Counts {
    replicas: i32,
    fully_labeled: i32,
    ready: i32,
    available: i32,
    /// The earliest tick at which a ready but not yet available pod becomes available.
    next_available: Option<Tick>,
}

/// The claimed pods, by reference (no copies: a ReplicaSet may have thousands).
fn lookup<'a>(w: &'a World, ns: &str, names: &[String]) -> Vec<&'a Pod> {
    names.iter().filter_map(|n| w.store.get(Kind::Pod, ns, n).and_then(|o| o.as_pod())).collect()
}

/// Counts the claimed pods for the status as they are claimed.
struct Counter {
    template_sel: Selector,
    min_ready: i32,
    now: Tick,
    counts: Counts,
}

impl Counter {
    fn new(rs: &ReplicaSet, now: Tick) -> Counter {
        let spec = rs.spec.as_ref();
        let template_labels =
            spec.and_then(|s| s.template.as_ref()).and_then(|t| t.metadata.as_ref()).and_then(|m| m.labels.clone());
        let template_sel =
            Selector::from_label_selector(&k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector {
                match_labels: template_labels,
                match_expressions: None,
            });
        Counter {
            template_sel,
            min_ready: spec.and_then(|s| s.min_ready_seconds).unwrap_or(0),
            now,
            counts: Counts { replicas: 0, fully_labeled: 0, ready: 0, available: 0, next_available: None },
        }
    }

    fn add(&mut self, p: &Pod) {
        let c = &mut self.counts;
        c.replicas += 1;
        if self.template_sel.matches(p.metadata.labels.as_ref().unwrap_or(&BTreeMap::new())) {
            c.fully_labeled += 1;
        }
        if pods::is_ready(p) {
            c.ready += 1;
            match pods::available_at(p, self.min_ready) {
                Some(t) if t <= self.now => c.available += 1,
                Some(t) => c.next_available = Some(c.next_available.map_or(t, |n: Tick| n.min(t))),
                None => {}
            }
        }
    }
}

/// `claimPods`: the names of the active pods this ReplicaSet controls and still selects,
/// after adopting matching orphans and releasing owned pods that no longer match, and the
/// status counts of those pods.
fn claim_pods(w: &mut World, rs: &ReplicaSet, owner: &Object, now: Tick) -> (Vec<String>, Counts) {
    let mut counter = Counter::new(rs, now);
    let ns = rs.metadata.namespace.clone().unwrap_or_default();
    let key = ObjKey::new(&ns, rs.metadata.name.as_deref().unwrap_or(""));
    let uid = rs.metadata.uid.clone().unwrap_or_default();
    let deleting = rs.metadata.deletion_timestamp.is_some();
    // `selector_matches`, with the selector parsed once.
    let selector = rs.spec.as_ref().map(|s| Selector::from_label_selector(&s.selector));
    let idx = &w.controllers.apps.pods;
    let none = BTreeSet::new();
    let owned = idx.owned_set(Kind::ReplicaSet, &key).unwrap_or(&none);
    let orphans = idx.orphan_set(&ns).unwrap_or(&none);
    let mut claimed = Vec::new();
    let mut to_adopt = Vec::new();
    let mut to_release = Vec::new();
    let empty = BTreeMap::new();
    // The candidates in name order: the pods it owns and the namespace's orphans.
    for name in owned.union(orphans) {
        let Some(pod) = w.store.get(Kind::Pod, &ns, name).and_then(|o| o.as_pod()) else { continue };
        if !is_active(pod) {
            continue;
        }
        let matches = selector.as_ref().is_some_and(|s| s.matches(pod.metadata.labels.as_ref().unwrap_or(&empty)));
        let name = name.clone();
        match controller_ref(&pod.metadata) {
            Some(r) if r.uid == uid => {
                if matches {
                    counter.add(pod);
                    claimed.push(name);
                } else if !deleting {
                    to_release.push(name);
                }
            }
            Some(_) => {}
            None => {
                if matches && !deleting {
                    to_adopt.push(name);
                }
            }
        }
    }
    for name in to_release {
        release(w, &ns, &name, &uid);
    }
    for name in to_adopt {
        if adopt(w, &ns, &name, owner) {
            // Adoption changes only the owner references, nothing the counts read.
            if let Some(pod) = w.store.get(Kind::Pod, &ns, &name).and_then(|o| o.as_pod()) {
                counter.add(pod);
            }
            claimed.push(name);
        }
    }
    (claimed, counter.counts)
}

/// `AdoptPod`: the pod gains this ReplicaSet as its controller.
fn adopt(w: &mut World, ns: &str, name: &str, owner: &Object) -> bool {
    let reference: OwnerReference = pods::new_controller_ref(owner);
    w.store
        .modify(Kind::Pod, ns, name, |o| {
            if let Object::Pod(p) = o {
                p.metadata.owner_references.get_or_insert_with(Vec::new).push(reference);
            }
        })
        .is_ok()
}

/// `ReleasePod`: the owner reference to this ReplicaSet is removed.
fn release(w: &mut World, ns: &str, name: &str, uid: &str) {
    let _ = w.store.modify(Kind::Pod, ns, name, |o| {
        if let Object::Pod(p) = o {
            if let Some(refs) = p.metadata.owner_references.as_mut() {
                refs.retain(|r| r.uid != uid);
                if refs.is_empty() {
                    p.metadata.owner_references = None;
                }
            }
        }
    });
}

/// `manageReplicas`: creates or deletes pods so that the active ones match spec.replicas.
fn manage_replicas(w: &mut World, rs: &ReplicaSet, owner: &Object, names: &[String]) -> Option<ApiError> {
    let spec = rs.spec.as_ref()?;
    let replicas = spec.replicas.unwrap_or(1);
    let diff = names.len() as i32 - replicas;
    if diff < 0 {
        let template = spec.template.clone()?;
        // slowStartBatch stops at the first failed batch; the first batch is one pod.
        for _ in 0..(-diff).min(BURST_REPLICAS) {
            if let Err(e) = pods::create_pod(w, &template, owner, COMPONENT) {
                return Some(e);
            }
        }
    } else if diff > 0 {
        let ns = rs.metadata.namespace.clone().unwrap_or_default();
        let victims = {
            let pods = lookup(w, &ns, names);
            let related_names = related_pod_names(w, rs);
            let related = lookup(w, &ns, &related_names);
            pods_to_delete(&pods, &related, diff.min(BURST_REPLICAS) as usize, w.now)
        };
        let mut err = None;
        for name in victims {
            if let Err(e) = pods::delete_pod(w, &ns, &name, owner, COMPONENT) {
                err.get_or_insert(e);
            }
        }
        return err;
    }
    None
}

/// `getIndirectlyRelatedPods`: the pods of every ReplicaSet with the same controller as this
/// one (its Deployment's other ReplicaSets), or this one's own if it has no controller.
fn related_pod_names(w: &World, rs: &ReplicaSet) -> Vec<String> {
    let ns = rs.metadata.namespace.clone().unwrap_or_default();
    let siblings: Vec<String> = match controller_ref(&rs.metadata) {
        Some(r) => w.controllers.apps.replica_sets.owned_by_name(&r.kind, &ObjKey::new(&ns, &r.name)),
        None => vec![rs.metadata.name.clone().unwrap_or_default()],
    };
    siblings.iter().flat_map(|s| w.controllers.apps.pods.owned_by(Kind::ReplicaSet, &ObjKey::new(&ns, s))).collect()
}

/// `log2` of a duration in nanoseconds, truncated, as `logarithmicRankDiff` buckets ages
/// (-1 for an age of zero or less).
fn log_bucket(now: Tick, t: Tick) -> i64 {
    let d_s = now.0 as i64 - t.0 as i64;
    if d_s <= 0 {
        return -1;
    }
    ((d_s as f64) * 1e9).log2() as i64
}

/// `getPodsToDelete`: the `n` pods to delete first. Ordered as `ActivePodsWithRanks.Less`
/// (with LogarithmicScaleDown, on by default): unscheduled < scheduled; Pending < Unknown <
/// Running; not ready < ready; lower pod-deletion-cost first; more related pods on the same
/// node first; ready for less time first (by powers of two); more restarts first; newer
/// first (by powers of two); then by uid.
pub fn pods_to_delete(pods: &[&Pod], related: &[&Pod], n: usize, now: Tick) -> Vec<String> {
    let name = |p: &Pod| p.metadata.name.clone().unwrap_or_default();
    if n >= pods.len() {
        return pods.iter().map(|p| name(p)).collect();
    }
    let mut on_node: BTreeMap<String, i64> = BTreeMap::new();
    for p in related.iter().filter(|p| is_active(p)) {
        let node = p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
        *on_node.entry(node).or_default() += 1;
    }
    let mut keyed: Vec<(RankKey, &Pod)> = pods.iter().map(|p| (rank_key(p, &on_node, now), *p)).collect();
    // A total order built from the comparator's steps, so the sort is well defined.
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().take(n).map(|(_, p)| name(p)).collect()
}

type RankKey = (bool, u8, bool, i32, Reverse<i64>, i64, Reverse<i32>, Reverse<i32>, i64, String);

fn rank_key(p: &Pod, on_node: &BTreeMap<String, i64>, now: Tick) -> RankKey {
    let node = p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
    let phase = match pods::phase(p) {
        "Unknown" => 1,
        "Running" => 2,
        _ => 0, // Pending, and phases missing from podPhaseToOrdinal
    };
    let ready = pods::is_ready(p);
    let cost: i32 = p
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(POD_DELETION_COST))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let rank = on_node.get(&node).copied().unwrap_or(0);
    // Zero times sort first (afterOrZero), before any bucket.
    let ready_bucket = if ready { pods::ready_since(p).map_or(i64::MIN, |t| log_bucket(now, t)) } else { 0 };
    let (restarts, sidecar_restarts) = pods::max_container_restarts(p);
    let created = p.metadata.creation_timestamp.as_ref().map_or(i64::MIN, |t| log_bucket(now, tick_of(t)));
    (
        !node.is_empty(),
        phase,
        ready,
        cost,
        Reverse(rank),
        ready_bucket,
        Reverse(restarts),
        Reverse(sidecar_restarts),
        created,
        p.metadata.uid.clone().unwrap_or_default(),
    )
}

/// `calculateStatus`: the counts of the claimed pods, and the ReplicaFailure condition when
/// creating or deleting failed. Zero counts are left out, as the API's omitempty does.
fn calculate_status(rs: &ReplicaSet, c: &Counts, err: Option<&ApiError>, now: Tick) -> ReplicaSetStatus {
    let mut status = rs.status.clone().unwrap_or_default();
    let replicas = rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let has_failure = status.conditions.as_ref().is_some_and(|c| c.iter().any(|c| c.type_ == "ReplicaFailure"));
    match err {
        Some(e) if !has_failure => {
            let diff = c.replicas - replicas;
            let reason = if diff < 0 {
                "FailedCreate"
            } else if diff > 0 {
                "FailedDelete"
            } else {
                ""
            };
            status.conditions.get_or_insert_with(Vec::new).push(ReplicaSetCondition {
                type_: "ReplicaFailure".into(),
                status: "True".into(),
                reason: Some(reason.to_string()).filter(|r| !r.is_empty()),
                message: Some(e.message.clone()),
                last_transition_time: Some(now.time()),
            });
        }
        None if has_failure => {
            if let Some(conds) = status.conditions.as_mut() {
                conds.retain(|c| c.type_ != "ReplicaFailure");
            }
            if status.conditions.as_ref().is_some_and(|c| c.is_empty()) {
                status.conditions = None;
            }
        }
        _ => {}
    }
    let opt = |n: i32| if n == 0 { None } else { Some(n) };
    status.replicas = c.replicas;
    status.fully_labeled_replicas = opt(c.fully_labeled);
    status.ready_replicas = opt(c.ready);
    status.available_replicas = opt(c.available);
    status
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{PodCondition, PodSpec, PodStatus};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn pod(name: &str, node: &str, phase: &str, ready_at: Option<u64>, created: u64) -> Pod {
        Pod {
            metadata: ObjectMeta {
                name: Some(name.into()),
                uid: Some(format!("uid-{name}")),
                creation_timestamp: Some(Tick(created).time()),
                ..Default::default()
            },
            spec: Some(PodSpec { node_name: Some(node.to_string()).filter(|n| !n.is_empty()), ..Default::default() }),
            status: Some(PodStatus {
                phase: Some(phase.into()),
                conditions: ready_at.map(|t| {
                    vec![PodCondition {
                        type_: "Ready".into(),
                        status: "True".into(),
                        last_transition_time: Some(Tick(t).time()),
                        ..Default::default()
                    }]
                }),
                ..Default::default()
            }),
        }
    }

    fn names(v: Vec<String>) -> Vec<String> {
        v
    }

    fn refs(v: &[Pod]) -> Vec<&Pod> {
        v.iter().collect()
    }

    #[test]
    fn deletes_unscheduled_then_pending_then_unready_then_youngest() {
        let pods = vec![
            pod("old-ready", "node01", "Running", Some(10), 5),
            pod("young-ready", "node02", "Running", Some(1000), 990),
            pod("unready", "node01", "Running", None, 5),
            pod("pending", "node02", "Pending", None, 5),
            pod("unscheduled", "", "Pending", None, 5),
        ];
        let now = Tick(2000);
        assert_eq!(
            names(pods_to_delete(&refs(&pods), &refs(&pods), 4, now)),
            ["unscheduled", "pending", "unready", "young-ready"]
        );
        // Doubled-up pods go before lonely ones of the same standing.
        let pods = vec![
            pod("alone", "node02", "Running", Some(10), 5),
            pod("crowded", "node01", "Running", Some(10), 5),
            pod("crowded2", "node01", "Running", Some(10), 5),
        ];
        assert!(names(pods_to_delete(&refs(&pods), &refs(&pods), 1, now))[0].starts_with("crowded"));
    }
}
