//! The ReplicaSet controller, ported from `pkg/controller/replicaset` (v1.32): for each queued
//! ReplicaSet it claims its pods (adopting orphans its selector matches, releasing pods it no
//! longer selects), creates or deletes pods until the number of active pods matches
//! `spec.replicas` — deleting the least valuable first, as `ActivePodsWithRanks` orders them —
//! and writes its status (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas,
//! observedGeneration, the ReplicaFailure condition).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetCondition, ReplicaSetStatus};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

use super::apps_informer::PodSummary;
use super::pods::{self, controller_ref, is_active};
use crate::sim::api::errors::ApiError;
use crate::sim::api::selector::Selector;
use crate::sim::clock::tick_of;
use crate::sim::indexed::{LookupMap, LookupSet};
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
    let now = w.now;
    // The claim and the counts read the ReplicaSet where it is stored and the pods'
    // summaries in the informer's index: nothing is copied unless something must be written.
    let Some(Object::ReplicaSet(rs)) = w.store.get(Kind::ReplicaSet, &key.namespace, &key.name) else {
        return;
    };
    let Some(spec) = rs.spec.as_ref() else { return };
    let uid = rs.metadata.uid.clone().unwrap_or_default();
    let deleting = rs.metadata.deletion_timestamp.is_some();
    let replicas = spec.replicas.unwrap_or(1);
    let min_ready = spec.min_ready_seconds.unwrap_or(0);
    let generation = rs.metadata.generation;
    let prev_status = rs.status.clone();

    // Status counts come from the pods as they are before this sync's creates and deletes;
    // the watch events those cause bring the next sync, as in the real controller. They are
    // counted as the pods are claimed.
    let mut claim = claim_pods(w, rs, key, now);
    // The ReplicaSet as the owner of what it adopts, creates and deletes: copied only then.
    let owner = (!claim.to_adopt.is_empty() || (!deleting && claim.count() as i32 != replicas))
        .then(|| Object::ReplicaSet(rs.clone()));
    finish_claim(w, &mut claim, &key.namespace, &uid, owner.as_ref());

    let mut manage_err: Option<ApiError> = None;
    if let (false, Some(owner)) = (deleting, owner.as_ref()) {
        manage_err = manage_replicas(w, owner, key, &claim);
    }
    let counter = claim.counter;

    // A failed create or delete (a quota, a LimitRange) is retried with the rate limiter's
    // back-off, as the real controller's AddRateLimited does.
    if manage_err.is_some() {
        w.controllers.replicaset.add_rate_limited(key.clone(), now);
    } else {
        w.controllers.replicaset.forget(key);
    }

    let counts = counter.counts;
    let mut status = calculate_status(prev_status.as_ref(), replicas, &counts, manage_err.as_ref(), now);
    status.observed_generation = generation;
    // Compared with what is stored before writing, so the write needs no copy of the whole
    // ReplicaSet to find out whether it changed anything.
    let differs = |o: &Object| matches!(o, Object::ReplicaSet(r) if r.metadata.uid.as_deref() == Some(uid.as_str()) && r.status.as_ref() != Some(&status));
    if prev_status.as_ref() != Some(&status)
        && w.store.get(Kind::ReplicaSet, &key.namespace, &key.name).is_some_and(differs)
    {
        let _ = w.store.modify_changed(Kind::ReplicaSet, &key.namespace, &key.name, |o| {
            if let Object::ReplicaSet(r) = o {
                Arc::make_mut(r).status = Some(status);
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
#[derive(Default)]
struct Counts {
    replicas: i32,
    fully_labeled: i32,
    ready: i32,
    available: i32,
    /// The earliest tick at which a ready but not yet available pod becomes available.
    next_available: Option<Tick>,
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
            counts: Counts::default(),
        }
    }

    /// Counts a pod by what its status and labels say (`fully_labeled`: its labels match
    /// the template's).
    fn add(&mut self, fully_labeled: bool, ready: bool, ready_since: Option<Tick>) {
        let c = &mut self.counts;
        c.replicas += 1;
        if fully_labeled {
            c.fully_labeled += 1;
        }
        if ready {
            c.ready += 1;
            // `pods::available_at` on these facts.
            let at = if self.min_ready <= 0 {
                Some(Tick(0))
            } else {
                ready_since.map(|t| t.plus_s(self.min_ready as u64 + 1))
            };
            match at {
                Some(t) if t <= self.now => c.available += 1,
                Some(t) => c.next_available = Some(c.next_available.map_or(t, |n: Tick| n.min(t))),
                None => {}
            }
        }
    }

    fn add_pod(&mut self, p: &Pod) {
        let fully_labeled = self.template_sel.matches(p.metadata.labels.as_ref().unwrap_or(&BTreeMap::new()));
        self.add(fully_labeled, pods::is_ready(p), pods::ready_since(p));
    }
}

/// A claim in progress: what `claimPods` decided from the index, before it writes.
struct Claim {
    /// How many of the pods it controls it claimed (their names are listed again only when
    /// some must be deleted: see `claimed_names`).
    owned_claimed: usize,
    /// Pods listed as orphans that it turned out to control, in name order.
    claimed_orphans: Vec<String>,
    /// The orphans it adopted.
    adopted: Vec<String>,
    to_adopt: Vec<String>,
    to_release: Vec<String>,
    counter: Counter,
}

/// `claimPods`, the reading half: the active pods this ReplicaSet controls and still
/// selects (counted as they are claimed), the owned ones it no longer selects (to release)
/// and the orphans it selects (to adopt). Controlled pods are read from their summaries in
/// the informer's index, which is current: the informer catches up just before the
/// ReplicaSet controller runs, and in between only this controller writes pods — each
/// ReplicaSet its own.
fn claim_pods(w: &World, rs: &ReplicaSet, key: &ObjKey, now: Tick) -> Claim {
    let ns = key.namespace.as_str();
    let uid = rs.metadata.uid.as_deref().unwrap_or("");
    let deleting = rs.metadata.deletion_timestamp.is_some();
    // `selector_matches`, with the selector parsed once.
    let selector = rs.spec.as_ref().map(|s| Selector::from_label_selector(&s.selector));
    let idx = &w.controllers.apps.pods;
    let none = BTreeMap::new();
    let owned = idx.owned_summaries(Kind::ReplicaSet, key).unwrap_or(&none);
    let no_orphans = BTreeSet::new();
    let mut orphans = idx.orphan_set(ns).unwrap_or(&no_orphans).iter().peekable();
    let mut claim = Claim {
        owned_claimed: 0,
        claimed_orphans: Vec::new(),
        adopted: Vec::new(),
        to_adopt: Vec::new(),
        to_release: Vec::new(),
        counter: Counter::new(rs, now),
    };
    // Pods made from one template share one labels map: match each distinct map once.
    let mut last: Option<(*const BTreeMap<String, String>, bool, bool)> = None;
    let empty = BTreeMap::new();
    let mut owned = owned.iter().peekable();
    // The candidates in name order: the pods it owns and the namespace's orphans.
    loop {
        let take_orphan = match (owned.peek(), orphans.peek()) {
            (None, None) => break,
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (Some((a, _)), Some(b)) => *b < *a,
        };
        if take_orphan {
            let Some(name) = orphans.next() else { break };
            // An orphan, as the store has it now.
            let Some(pod) = w.store.get(Kind::Pod, ns, name).and_then(|o| o.as_pod()) else { continue };
            if !is_active(pod) {
                continue;
            }
            let matches = selector.as_ref().is_some_and(|s| s.matches(pod.metadata.labels.as_ref().unwrap_or(&empty)));
            match controller_ref(&pod.metadata) {
                Some(r) if r.uid == uid => {
                    if matches {
                        claim.counter.add_pod(pod);
                        claim.claimed_orphans.push(name.clone());
                    } else if !deleting {
                        claim.to_release.push(name.clone());
                    }
                }
                Some(_) => {}
                None => {
                    if matches && !deleting {
                        claim.to_adopt.push(name.clone());
                    }
                }
            }
            continue;
        }
        let Some((name, pod)) = owned.next() else { break };
        if !pod.active || &*pod.controller_uid != uid {
            continue;
        }
        let ptr = Arc::as_ptr(&pod.labels);
        let (matches, fully_labeled) = match last {
            Some((p, m, f)) if p == ptr => (m, f),
            _ => {
                let m = selector.as_ref().is_some_and(|s| s.matches(&pod.labels));
                let f = claim.counter.template_sel.matches(&pod.labels);
                last = Some((ptr, m, f));
                (m, f)
            }
        };
        if matches {
            claim.counter.add(fully_labeled, pod.ready, pod.ready_since);
            claim.owned_claimed += 1;
        } else if !deleting {
            claim.to_release.push(name.clone());
        }
    }
    claim
}

/// `claimPods`, the writing half: releases and adopts what `claim_pods` found, counting
/// the adopted pods.
fn finish_claim(w: &mut World, claim: &mut Claim, ns: &str, uid: &str, owner: Option<&Object>) {
    for name in std::mem::take(&mut claim.to_release) {
        release(w, ns, &name, uid);
    }
    let Some(owner) = owner else { return };
    for name in std::mem::take(&mut claim.to_adopt) {
        if adopt(w, ns, &name, owner) {
            // Adoption changes only the owner references, nothing the counts read.
            if let Some(pod) = w.store.get(Kind::Pod, ns, &name).and_then(|o| o.as_pod()) {
                claim.counter.add_pod(pod);
            }
            claim.adopted.push(name);
        }
    }
}

impl Claim {
    /// How many pods are claimed.
    fn count(&self) -> usize {
        self.owned_claimed + self.claimed_orphans.len() + self.adopted.len()
    }
}

/// The names of the claimed pods in the order `claimPods` lists them: the controlled and
/// selected ones in name order (from the index, as `claim_pods` read it: nothing has been
/// dispatched since), then the adopted ones.
fn claimed_names(w: &World, rs: &ReplicaSet, key: &ObjKey, claim: &Claim) -> Vec<String> {
    let uid = rs.metadata.uid.as_deref().unwrap_or("");
    let selector = rs.spec.as_ref().map(|s| Selector::from_label_selector(&s.selector));
    let mut owned = w
        .controllers
        .apps
        .pods
        .owned_summaries(Kind::ReplicaSet, key)
        .into_iter()
        .flatten()
        .filter(|(_, p)| {
            p.active && &*p.controller_uid == uid && selector.as_ref().is_some_and(|s| s.matches(&p.labels))
        })
        .map(|(n, _)| n)
        .peekable();
    let mut orphans = claim.claimed_orphans.iter().peekable();
    let mut names = Vec::with_capacity(claim.count());
    loop {
        let next = match (owned.peek(), orphans.peek()) {
            (None, None) => break,
            (Some(_), None) => owned.next(),
            (None, Some(_)) => orphans.next(),
            (Some(a), Some(b)) => {
                if b < a {
                    orphans.next()
                } else {
                    owned.next()
                }
            }
        };
        names.extend(next.cloned());
    }
    names.extend(claim.adopted.iter().cloned());
    names
}

/// `AdoptPod`: the pod gains this ReplicaSet as its controller.
fn adopt(w: &mut World, ns: &str, name: &str, owner: &Object) -> bool {
    let reference: OwnerReference = pods::new_controller_ref(owner);
    w.store
        .modify(Kind::Pod, ns, name, |o| {
            if let Object::Pod(p) = o {
                let p = std::sync::Arc::make_mut(p);
                p.metadata.owner_references.get_or_insert_with(Vec::new).push(reference);
            }
        })
        .is_ok()
}

/// `ReleasePod`: the owner reference to this ReplicaSet is removed.
fn release(w: &mut World, ns: &str, name: &str, uid: &str) {
    let _ = w.store.modify(Kind::Pod, ns, name, |o| {
        if let Object::Pod(p) = o {
            let p = std::sync::Arc::make_mut(p);
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
fn manage_replicas(w: &mut World, owner: &Object, key: &ObjKey, claim: &Claim) -> Option<ApiError> {
    let Object::ReplicaSet(rs) = owner else { return None };
    let spec = rs.spec.as_ref()?;
    let replicas = spec.replicas.unwrap_or(1);
    let diff = claim.count() as i32 - replicas;
    if diff < 0 {
        let template = spec.template.as_ref()?;
        // slowStartBatch stops at the first failed batch; the first batch is one pod.
        for _ in 0..(-diff).min(BURST_REPLICAS) {
            if let Err(e) = pods::create_pod(w, template, owner, COMPONENT) {
                return Some(e);
            }
        }
    } else if diff > 0 {
        let ns = rs.metadata.namespace.clone().unwrap_or_default();
        let victims = {
            // Ranked by the informer's summaries, a stored pod read only where its summary
            // may be behind: a ReplicaSet scaled down in a rollout ranks its own pods and its
            // siblings', hundreds of them, at every step.
            let written = w.controllers.apps.written_pods(&w.store, &ns);
            let own = w.controllers.apps.pods.owned_summaries(Kind::ReplicaSet, key);
            let names = claimed_names(w, rs, key, claim);
            let pods: Vec<Rank> =
                names.iter().filter_map(|n| rank(w, &ns, n, own.and_then(|g| g.get(n)), written.as_ref())).collect();
            let related = related_ranks(w, rs, written.as_ref());
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
/// one (its Deployment's other ReplicaSets), or this one's own if it has no controller, as
/// [`rank`] reads them.
fn related_ranks<'a>(w: &'a World, rs: &ReplicaSet, written: Option<&LookupSet<&str>>) -> Vec<Rank<'a>> {
    let ns = rs.metadata.namespace.clone().unwrap_or_default();
    let siblings: Vec<String> = match controller_ref(&rs.metadata) {
        Some(r) => w.controllers.apps.replica_sets.owned_by_name(&r.kind, &ObjKey::new(&ns, &r.name)),
        None => vec![rs.metadata.name.clone().unwrap_or_default()],
    };
    let groups =
        siblings.iter().filter_map(|s| w.controllers.apps.pods.owned_summaries(Kind::ReplicaSet, &ObjKey::new(&ns, s)));
    groups.flatten().filter_map(|(name, summary)| rank(w, &ns, name, Some(summary), written)).collect()
}

/// What a scale-down ranks a pod by (`ActivePodsWithRanks`), read from the pod or from its
/// summary in the informer's index.
#[derive(Clone, Debug, PartialEq)]
pub struct Rank<'a> {
    name: &'a str,
    uid: &'a str,
    /// The node it is bound to ("" if none).
    node: &'a str,
    phase: u8,
    ready: bool,
    ready_since: Option<Tick>,
    cost: i32,
    restarts: (i32, i32),
    created: Option<Tick>,
    active: bool,
}

impl<'a> Rank<'a> {
    pub fn of_pod(p: &'a Pod) -> Rank<'a> {
        let ready = pods::is_ready(p);
        Rank {
            name: p.metadata.name.as_deref().unwrap_or(""),
            uid: p.metadata.uid.as_deref().unwrap_or(""),
            node: node_of(p),
            phase: phase_rank(p),
            ready,
            ready_since: if ready { pods::ready_since(p) } else { None },
            cost: deletion_cost(p),
            restarts: pods::max_container_restarts(p),
            created: p.metadata.creation_timestamp.as_ref().map(tick_of),
            active: is_active(p),
        }
    }

    pub fn of_summary(name: &'a str, s: &'a PodSummary) -> Rank<'a> {
        let f = &s.rank;
        Rank {
            name,
            uid: &f.uid,
            node: f.node.as_deref().unwrap_or(""),
            phase: f.phase,
            ready: s.ready,
            ready_since: if s.ready { s.ready_since } else { None },
            cost: f.cost,
            restarts: f.restarts,
            created: f.created,
            active: s.active,
        }
    }
}

/// The pod `name` of `ns` as a scale-down ranks it: from its summary (if it has one) when it
/// was not written since the informer last read the change log, so the summary says what
/// the pod says; from the stored pod otherwise. None: there is no such pod.
fn rank<'a>(
    w: &'a World,
    ns: &str,
    name: &'a str,
    summary: Option<&'a PodSummary>,
    written: Option<&LookupSet<&str>>,
) -> Option<Rank<'a>> {
    match (summary, written) {
        (Some(s), Some(written)) if !written.contains(name) => {
            let r = Rank::of_summary(name, s);
            debug_assert_eq!(
                Some(&r),
                w.store.get(Kind::Pod, ns, name).and_then(|o| o.as_pod()).map(Rank::of_pod).as_ref(),
                "a pod not written since the informer read the log should rank as its summary says"
            );
            Some(r)
        }
        _ => w.store.get(Kind::Pod, ns, name).and_then(|o| o.as_pod()).map(Rank::of_pod),
    }
}

/// The phase as `podPhaseToOrdinal` ranks it: Pending (and any phase it does not know) 0,
/// Unknown 1, Running 2.
pub fn phase_rank(p: &Pod) -> u8 {
    match pods::phase(p) {
        "Unknown" => 1,
        "Running" => 2,
        _ => 0,
    }
}

/// The pod-deletion-cost annotation's value (0 without one, or when it is not a number).
pub fn deletion_cost(p: &Pod) -> i32 {
    p.metadata.annotations.as_ref().and_then(|a| a.get(POD_DELETION_COST)).and_then(|v| v.parse().ok()).unwrap_or(0)
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
pub fn pods_to_delete(pods: &[Rank], related: &[Rank], n: usize, now: Tick) -> Vec<String> {
    if n >= pods.len() {
        return pods.iter().map(|p| p.name.to_string()).collect();
    }
    // Only looked up: counted by hash (a rollout step ranks hundreds of related pods).
    let mut on_node: LookupMap<&str, i64> = LookupMap::default();
    on_node.reserve(related.len());
    for p in related.iter().filter(|p| p.active) {
        *on_node.entry(p.node).or_default() += 1;
    }
    let mut keyed: Vec<(RankKey, &Rank)> = pods.iter().map(|p| (rank_key(p, &on_node, now), p)).collect();
    // A total order built from the comparator's steps (the uid last), so the `n` first are
    // the same whether the rest is sorted or not: a scale-down usually deletes one pod of a
    // hundred, found without sorting the other ninety-nine.
    if n > 0 {
        keyed.select_nth_unstable_by(n - 1, |a, b| a.0.cmp(&b.0));
    }
    keyed.truncate(n);
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, p)| p.name.to_string()).collect()
}

type RankKey<'a> = (bool, u8, bool, i32, Reverse<i64>, i64, Reverse<i32>, Reverse<i32>, i64, &'a str);

/// The node a pod is bound to ("" if none).
fn node_of(p: &Pod) -> &str {
    p.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or("")
}

fn rank_key<'a>(p: &Rank<'a>, on_node: &LookupMap<&str, i64>, now: Tick) -> RankKey<'a> {
    let rank = on_node.get(p.node).copied().unwrap_or(0);
    // Zero times sort first (afterOrZero), before any bucket.
    let ready_bucket = if p.ready { p.ready_since.map_or(i64::MIN, |t| log_bucket(now, t)) } else { 0 };
    let created = p.created.map_or(i64::MIN, |t| log_bucket(now, t));
    (
        !p.node.is_empty(),
        p.phase,
        p.ready,
        p.cost,
        Reverse(rank),
        ready_bucket,
        Reverse(p.restarts.0),
        Reverse(p.restarts.1),
        created,
        p.uid,
    )
}

/// `calculateStatus`: the counts of the claimed pods, and the ReplicaFailure condition when
/// creating or deleting failed. Zero counts are left out, as the API's omitempty does.
fn calculate_status(
    prev: Option<&ReplicaSetStatus>,
    replicas: i32,
    c: &Counts,
    err: Option<&ApiError>,
    now: Tick,
) -> ReplicaSetStatus {
    let mut status = prev.cloned().unwrap_or_default();
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

    fn refs(v: &[Pod]) -> Vec<Rank<'_>> {
        v.iter().map(Rank::of_pod).collect()
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

    /// A pod's summary in the informer's index ranks it as the pod itself does, whatever of
    /// the ranking it sets; a later summary of the same pod shares its uid and node name.
    #[test]
    fn a_summary_ranks_a_pod_as_the_pod_does() {
        use k8s_openapi::api::core::v1::{Container, ContainerStatus};
        let mut pods = vec![
            pod("ready", "node01", "Running", Some(10), 5),
            pod("unready", "node01", "Running", None, 5),
            pod("unknown", "node02", "Unknown", Some(3), 1),
            pod("odd-phase", "node02", "Weird", None, 1),
            pod("unscheduled", "", "Pending", None, 7),
        ];
        let mut costly = pod("costly", "node03", "Running", Some(4), 2);
        costly.metadata.annotations = Some([(POD_DELETION_COST.to_string(), "-7".to_string())].into());
        pods.push(costly);
        let mut bad_cost = pod("bad-cost", "node03", "Running", Some(4), 2);
        bad_cost.metadata.annotations = Some([(POD_DELETION_COST.to_string(), "high".to_string())].into());
        pods.push(bad_cost);
        let mut restarted = pod("restarted", "node03", "Running", Some(4), 2);
        let sidecar = Container { name: "side".into(), restart_policy: Some("Always".into()), ..Default::default() };
        restarted.spec.as_mut().unwrap().init_containers = Some(vec![sidecar]);
        let status = |name: &str, n: i32| ContainerStatus { name: name.into(), restart_count: n, ..Default::default() };
        let st = restarted.status.as_mut().unwrap();
        st.container_statuses = Some(vec![status("app", 3), status("other", 5)]);
        st.init_container_statuses = Some(vec![status("side", 2)]);
        pods.push(restarted);
        let mut ageless = pod("ageless", "node01", "Running", Some(4), 2);
        ageless.metadata.creation_timestamp = None;
        ageless.metadata.uid = None;
        pods.push(ageless);
        for p in &pods {
            let s = PodSummary::of(p, &[]);
            let name = p.metadata.name.as_deref().unwrap();
            assert_eq!(Rank::of_summary(name, &s), Rank::of_pod(p), "{name}");
        }
        assert_eq!(Rank::of_pod(&pods[7]).restarts, (5, 2));
        assert_eq!(Rank::of_pod(&pods[5]).cost, -7);
        // The same pod written again: its uid and node are the previous summary's.
        let before = PodSummary::of(&pods[0], &[]);
        let mut later = pods[0].clone();
        later.status.as_mut().unwrap().phase = Some("Unknown".into());
        let after = PodSummary::of(&later, &[&before]);
        assert!(Arc::ptr_eq(&before.rank.uid, &after.rank.uid));
        assert!(Arc::ptr_eq(before.rank.node.as_ref().unwrap(), after.rank.node.as_ref().unwrap()));
        assert_eq!(Rank::of_summary("ready", &after), Rank::of_pod(&later));
        // Another pod of the same owner shares neither.
        let other = PodSummary::of(&pods[1], &[&before]);
        assert!(!Arc::ptr_eq(&before.rank.uid, &other.rank.uid));
    }
}
