//! The controller manager's shared informer for the Deployment and ReplicaSet controllers: it
//! reads the store's change log since it last looked, keeps indexes of who controls which pod
//! and which ReplicaSet (by controllerRef, plus the orphans of each namespace that a controller
//! may adopt), and queues the owners a change concerns — the event handlers of
//! `pkg/controller/replicaset` and `pkg/controller/deployment`. A tick therefore costs in
//! proportion to what changed, not to how many objects exist.
//!
//! Beside each controlled pod the index keeps a small summary (active, ready and since when,
//! controller uid, labels shared among the pods of one template), so that a ReplicaSet sync
//! claims and counts its pods without reading them from the store.
//!
//! Indexes may briefly list objects that have since changed owner; readers of orphans and of
//! other controllers' objects re-read the store and check the controllerRef, as the real
//! controllers re-check their informer cache.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;

use super::pods::{controller_ref, is_active, is_ready, labels_of, ready_since, selector_matches};
use super::queue::{Changes, WorkQueue};
use crate::sim::indexed::{LookupMap, LookupSet};
use crate::sim::store::{Change, Repeats, Store, WatchEvent};
use crate::sim::{Kind, ObjKey, Object, Tick, World};

/// An object's controller: its kind (as the controllerRef names it) and name.
pub type Owner = (String, String);

/// Who controls the objects of one kind: controller (kind, namespace/name) → object names,
/// each with a `V` the index keeps beside it (nothing for ReplicaSets, a [`PodSummary`] for
/// pods), object → controller, and the orphans (no controller) of each namespace.
///
/// The maps from an object to its controller and from a controller to its group are only
/// looked up, never read in order: hashed. A group (read in name order by the controllers)
/// and the orphans are ordered.
#[derive(Clone, Debug)]
pub struct OwnerIndex<V = ()> {
    owner_of: LookupMap<ObjKey, Owner>,
    owned: LookupMap<GroupKey, BTreeMap<String, V>>,
    orphans: BTreeMap<String, BTreeSet<String>>,
}

impl<V> Default for OwnerIndex<V> {
    fn default() -> Self {
        OwnerIndex { owner_of: LookupMap::default(), owned: LookupMap::default(), orphans: BTreeMap::new() }
    }
}

/// The key of an owner's group: the controllerRef's kind, and the owner's namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct GroupKey {
    kind: String,
    namespace: String,
    name: String,
}

/// A [`GroupKey`] borrowed, to look a group up without copying its key. Hashes as the
/// `GroupKey` it names (the fields in turn, as the derived `Hash` does).
struct GroupRef<'a> {
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
}

impl Hash for GroupRef<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.kind.hash(h);
        self.namespace.hash(h);
        self.name.hash(h);
    }
}

impl crate::sim::indexed::Equivalent<GroupKey> for GroupRef<'_> {
    fn equivalent(&self, k: &GroupKey) -> bool {
        self.kind == k.kind && self.namespace == k.namespace && self.name == k.name
    }
}

impl GroupRef<'_> {
    fn to_key(&self) -> GroupKey {
        GroupKey { kind: self.kind.to_string(), namespace: self.namespace.to_string(), name: self.name.to_string() }
    }
}

/// The key of an owner's group: the controllerRef's kind, and the owner in `key`'s namespace.
fn group_key<'a>(key: &'a ObjKey, (kind, name): &'a Owner) -> GroupRef<'a> {
    GroupRef { kind, namespace: &key.namespace, name }
}

impl<V> OwnerIndex<V> {
    /// Records `key` under its controller with `value` beside it (no controller: an orphan,
    /// and `value` is not kept); returns the previous controller.
    fn insert(&mut self, key: &ObjKey, owner: Option<Owner>, value: V) -> Option<Owner> {
        let old = self.remove(key);
        match owner {
            Some(owner) => {
                let gkey = group_key(key, &owner);
                match self.owned.get_mut(&gkey) {
                    Some(group) => {
                        group.insert(key.name.clone(), value);
                    }
                    None => {
                        self.owned.insert(gkey.to_key(), BTreeMap::from([(key.name.clone(), value)]));
                    }
                }
                self.owner_of.insert(key.clone(), owner);
            }
            None => {
                self.orphans.entry(key.namespace.clone()).or_default().insert(key.name.clone());
            }
        }
        old
    }

    /// Forgets `key`; returns its controller if it had one.
    fn remove(&mut self, key: &ObjKey) -> Option<Owner> {
        if let Some(set) = self.orphans.get_mut(&key.namespace) {
            set.remove(&key.name);
        }
        let old = self.owner_of.remove(key);
        if let Some(owner) = &old {
            let okey = group_key(key, owner);
            if let Some(group) = self.owned.get_mut(&okey) {
                group.remove(&key.name);
                if group.is_empty() {
                    self.owned.remove(&okey);
                }
            }
        }
        old
    }

    /// The objects controlled by `owner` of the kind named `kind` (as a controllerRef names
    /// it), by name, with what is kept beside each.
    fn group(&self, kind: &str, owner: &ObjKey) -> Option<&BTreeMap<String, V>> {
        self.owned.get(&GroupRef { kind, namespace: &owner.namespace, name: &owner.name })
    }

    /// Names of the objects controlled by the `kind` object `owner`.
    pub fn owned_by(&self, kind: Kind, owner: &ObjKey) -> Vec<String> {
        self.owned_by_name(kind.name(), owner)
    }

    /// Names of the objects controlled by `owner` of the kind named `kind` (as a
    /// controllerRef names it).
    pub fn owned_by_name(&self, kind: &str, owner: &ObjKey) -> Vec<String> {
        self.group(kind, owner).map(|g| g.keys().cloned().collect()).unwrap_or_default()
    }

    /// The names `orphans` lists, without copying them.
    pub fn orphan_set(&self, namespace: &str) -> Option<&BTreeSet<String>> {
        self.orphans.get(namespace)
    }

    /// Names of the objects of `namespace` that have no controller.
    pub fn orphans(&self, namespace: &str) -> Vec<String> {
        self.orphans.get(namespace).map(|s| s.iter().cloned().collect()).unwrap_or_default()
    }

    /// The controller of `key`, if any.
    pub fn owner_of(&self, key: &ObjKey) -> Option<&Owner> {
        self.owner_of.get(key)
    }

    fn clear(&mut self) {
        *self = OwnerIndex::default();
    }
}

impl OwnerIndex {
    /// Records `key`'s controller (None: an orphan); returns the previous one.
    fn set(&mut self, key: &ObjKey, owner: Option<Owner>) -> Option<Owner> {
        self.insert(key, owner, ())
    }
}

/// What the ReplicaSet controller reads of a pod to claim and count it, kept up to date from
/// the change log so that a sync reads no stored pod: whether it is active, its labels and
/// controller uid (shared with the other pods of its owner when equal, as pods made from one
/// template are), and its readiness.
#[derive(Clone, Debug, PartialEq)]
pub struct PodSummary {
    /// The uid of the pod's controllerRef ("" for an orphan).
    pub controller_uid: Arc<str>,
    pub labels: Arc<BTreeMap<String, String>>,
    /// `controller.IsPodActive`.
    pub active: bool,
    /// `podutil.IsPodReady`.
    pub ready: bool,
    /// When the Ready condition turned True (`pods::ready_since`).
    pub ready_since: Option<Tick>,
    /// The rest of what a ReplicaSet's scale-down ranks the pod by (`replicaset::Rank`).
    pub rank: RankFacts,
}

/// What [`PodSummary`] keeps for a scale-down's ranking beyond readiness (see
/// `replicaset::Rank`), so that ranking a ReplicaSet's pods and its siblings' reads none of
/// them.
#[derive(Clone, Debug, PartialEq)]
pub struct RankFacts {
    /// The pod's uid.
    pub uid: Arc<str>,
    /// `spec.nodeName` (None: not scheduled).
    pub node: Option<Arc<str>>,
    /// `replicaset::phase_rank`.
    pub phase: u8,
    /// The pod-deletion-cost annotation's value (0 without one or when it is not a number).
    pub cost: i32,
    /// `pods::max_container_restarts`.
    pub restarts: (i32, i32),
    /// The creation timestamp's tick.
    pub created: Option<Tick>,
}

impl RankFacts {
    /// The facts of `p`, sharing the uid and node name of `like` (its previous summary's)
    /// when they are equal.
    fn of(p: &Pod, like: Option<&RankFacts>) -> RankFacts {
        let uid = p.metadata.uid.as_deref().unwrap_or("");
        let node = p.spec.as_ref().and_then(|s| s.node_name.as_deref());
        RankFacts {
            uid: like.filter(|l| &*l.uid == uid).map_or_else(|| Arc::from(uid), |l| l.uid.clone()),
            node: node.map(|n| match like.and_then(|l| l.node.as_ref()) {
                Some(l) if &**l == n => l.clone(),
                _ => Arc::from(n),
            }),
            phase: super::replicaset::phase_rank(p),
            cost: super::replicaset::deletion_cost(p),
            restarts: super::pods::max_container_restarts(p),
            created: p.metadata.creation_timestamp.as_ref().map(crate::sim::clock::tick_of),
        }
    }
}

impl PodSummary {
    /// The summary of `p`, sharing the uid and labels of `like` (another pod of the same
    /// owner, or this pod's previous summary) when they are equal.
    pub(crate) fn of(p: &Pod, like: &[&PodSummary]) -> PodSummary {
        let uid = controller_ref(&p.metadata).map_or("", |r| r.uid.as_str());
        let controller_uid = like
            .iter()
            .find(|s| &*s.controller_uid == uid)
            .map_or_else(|| Arc::from(uid), |s| s.controller_uid.clone());
        let empty = BTreeMap::new();
        let labels_ref = p.metadata.labels.as_ref().unwrap_or(&empty);
        let labels = like
            .iter()
            .find(|s| *s.labels == *labels_ref)
            .map_or_else(|| Arc::new(labels_ref.clone()), |s| s.labels.clone());
        // Only the pod's own previous summary has its uid.
        let own = like.iter().find(|s| p.metadata.uid.as_deref() == Some(&*s.rank.uid)).map(|s| &s.rank);
        PodSummary {
            controller_uid,
            labels,
            active: is_active(p),
            ready: is_ready(p),
            ready_since: ready_since(p),
            rank: RankFacts::of(p, own),
        }
    }
}

/// The pods' owner index, with each controlled pod's [`PodSummary`] beside its name.
pub type PodIndex = OwnerIndex<PodSummary>;

impl PodIndex {
    /// Records the pod `p` stored at `key`; returns its previous controller if that is not
    /// its controller now.
    fn set(&mut self, key: &ObjKey, p: &Pod) -> Option<Owner> {
        if let Some(r) = controller_ref(&p.metadata) {
            if self.owner_of.get(key).is_some_and(|(kind, name)| *kind == r.kind && *name == r.name) {
                // The same controller (most writes: a status): only the summary may change,
                // and nothing is copied to find that out.
                let group = GroupRef { kind: &r.kind, namespace: &key.namespace, name: &r.name };
                if let Some(entry) = self.owned.get_mut(&group).and_then(|g| g.get_mut(&key.name)) {
                    let summary = PodSummary::of(p, &[entry]);
                    if *entry != summary {
                        *entry = summary;
                    }
                    return None;
                }
            }
        }
        let owner = owner_tuple(&p.metadata);
        // A pod made from the same template as its owner's other pods shares their labels.
        let summary = {
            let group = owner.as_ref().and_then(|o| self.owned.get(&group_key(key, o)));
            let like: Vec<&PodSummary> = group.and_then(|g| g.values().next()).into_iter().collect();
            PodSummary::of(p, &like)
        };
        let old = self.insert(key, owner.clone(), summary);
        old.filter(|o| Some(o) != owner.as_ref())
    }

    /// The pods controlled by the `kind` object `owner`, by name, with their summaries.
    pub fn owned_summaries(&self, kind: Kind, owner: &ObjKey) -> Option<&BTreeMap<String, PodSummary>> {
        self.group(kind.name(), owner)
    }
}

/// The informer's state: its own place in the change log and the indexes.
#[derive(Clone, Debug, Default)]
pub struct Informer {
    log: WorkQueue,
    pub pods: PodIndex,
    pub replica_sets: OwnerIndex,
}

impl Informer {
    /// The names of the pods of `namespace` written since the informer last read the change
    /// log: the summaries of all others say what the stored pods say. None when nothing can
    /// be told so (the index was never built, or the log no longer reaches back).
    pub fn written_pods<'s>(&self, store: &'s Store, namespace: &str) -> Option<LookupSet<&'s str>> {
        if !self.log.synced {
            return None;
        }
        let log = store.watch(self.log.cursor)?;
        Some(log.filter(|e| e.kind == Kind::Pod && e.key.namespace == namespace).map(|e| e.key.name.as_str()).collect())
    }
}

fn owner_tuple(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> Option<Owner> {
    let r = controller_ref(meta)?;
    Some((r.kind.clone(), r.name.clone()))
}

/// Reads the changes since the last call and queues the work they make for the ReplicaSet
/// and Deployment controllers.
pub fn dispatch(w: &mut World) {
    match w.controllers.apps.log.changes_of(&w.store, &[Kind::Pod, Kind::ReplicaSet, Kind::Deployment]) {
        Changes::Relist => relist(w),
        Changes::Events(events) => {
            // A pod is read for its owner and, an orphan, its labels, matched against the
            // ReplicaSets: a change to one of those reads the pods again.
            let mut repeats = Repeats::default();
            for e in events {
                match e.kind {
                    Kind::Pod if repeats.is_repeat(&e.key, e.change) => continue,
                    Kind::Pod => {}
                    _ => repeats.barrier(),
                }
                handle(w, &e);
            }
        }
    }
}

fn relist(w: &mut World) {
    let c = &mut w.controllers;
    c.apps.pods.clear();
    c.apps.replica_sets.clear();
    for o in w.store.list(Kind::Pod, None) {
        if let Some(p) = o.as_pod() {
            c.apps.pods.set(&o.key(), p);
        }
    }
    for o in w.store.list(Kind::ReplicaSet, None) {
        c.apps.replica_sets.set(&o.key(), owner_tuple(o.meta()));
        c.replicaset.add(o.key());
    }
    for o in w.store.list(Kind::Deployment, None) {
        c.deployment.add(o.key());
    }
}

fn handle(w: &mut World, e: &WatchEvent) {
    match e.kind {
        Kind::Pod => pod_changed(w, e),
        Kind::ReplicaSet => replica_set_changed(w, e),
        Kind::Deployment => w.controllers.deployment.add((*e.key).clone()),
        _ => {}
    }
}

/// The ReplicaSet controller's pod handlers (addPod/updatePod/deletePod) and the Deployment
/// controller's deletePod.
fn pod_changed(w: &mut World, e: &WatchEvent) {
    // Only the controller and, for an orphan, the labels are needed: no copy of the pod.
    let pod = match e.change {
        Change::Deleted => None,
        _ => w.store.get(Kind::Pod, &e.key.namespace, &e.key.name).and_then(|o| o.as_pod()),
    };
    let new = pod.and_then(|p| controller_ref(&p.metadata));
    let labels = match (pod, new) {
        (Some(p), None) => Some(labels_of(&p.metadata)),
        _ => None,
    };
    // The previous controller, when it is not the new one.
    let old = match pod {
        Some(p) => w.controllers.apps.pods.set(&e.key, p),
        None => w.controllers.apps.pods.remove(&e.key),
    };
    let owners = old.iter().map(|(kind, name)| (kind.as_str(), name.as_str()));
    for (kind, name) in owners.chain(new.map(|r| (r.kind.as_str(), r.name.as_str()))) {
        if kind == "ReplicaSet" {
            w.controllers.replicaset.add_named(&e.key.namespace, name);
        }
    }
    let pod = pod.is_some();
    if !pod {
        // A pod is gone: a Recreate rollout may be waiting for exactly that.
        if let Some((kind, rs)) = &old {
            let rs_key = ObjKey::new(&e.key.namespace, rs);
            if let (true, Some((dkind, d))) =
                (kind == "ReplicaSet", w.controllers.apps.replica_sets.owner_of(&rs_key).cloned())
            {
                if dkind == "Deployment" {
                    w.controllers.deployment.add(ObjKey::new(&e.key.namespace, &d));
                }
            }
        }
        return;
    }
    if let Some(labels) = &labels {
        // An orphan: every ReplicaSet whose selector matches may adopt it.
        let keys: Vec<ObjKey> = w
            .store
            .list(Kind::ReplicaSet, Some(&e.key.namespace))
            .into_iter()
            .filter_map(|o| match o {
                Object::ReplicaSet(rs) => Some(&**rs),
                _ => None,
            })
            .filter(|rs| selector_matches(rs.spec.as_ref().map(|s| &s.selector), labels))
            .map(|rs: &ReplicaSet| ObjKey::new(&e.key.namespace, rs.metadata.name.as_deref().unwrap_or("")))
            .collect();
        for k in keys {
            w.controllers.replicaset.add(k);
        }
    }
}

/// The ReplicaSet controller's own handlers, and the Deployment controller's
/// addReplicaSet/updateReplicaSet/deleteReplicaSet.
fn replica_set_changed(w: &mut World, e: &WatchEvent) {
    // Only the controller and, for an orphan, the labels are needed: no copy of the
    // ReplicaSet.
    let rs = match e.change {
        Change::Deleted => None,
        _ => match w.store.get(Kind::ReplicaSet, &e.key.namespace, &e.key.name) {
            Some(Object::ReplicaSet(rs)) => Some(&**rs),
            _ => None,
        },
    };
    let new = rs.and_then(|r| owner_tuple(&r.metadata));
    let orphan_labels = match (rs, &new) {
        (Some(r), None) => Some(labels_of(&r.metadata)),
        _ => None,
    };
    let old = match rs {
        Some(_) => w.controllers.apps.replica_sets.set(&e.key, new.clone()),
        None => w.controllers.apps.replica_sets.remove(&e.key),
    };
    w.controllers.replicaset.add((*e.key).clone());
    for (kind, name) in [old, new].into_iter().flatten() {
        if kind == "Deployment" {
            w.controllers.deployment.add(ObjKey::new(&e.key.namespace, &name));
        }
    }
    if let Some(labels) = orphan_labels {
        // An orphaned ReplicaSet: Deployments whose selector matches may adopt it.
        let keys: Vec<ObjKey> = w
            .store
            .list(Kind::Deployment, Some(&e.key.namespace))
            .into_iter()
            .filter_map(|o| match o {
                Object::Deployment(d) => Some(d),
                _ => None,
            })
            .filter(|d| selector_matches(d.spec.as_ref().map(|s| &s.selector), &labels))
            .map(|d| ObjKey::new(&e.key.namespace, d.metadata.name.as_deref().unwrap_or("")))
            .collect();
        for k in keys {
            w.controllers.deployment.add(k);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(rs_uid: Option<&str>, app: &str, ready: bool) -> Pod {
        use k8s_openapi::api::core::v1::{PodCondition, PodStatus};
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
        Pod {
            metadata: ObjectMeta {
                labels: Some(BTreeMap::from([("app".to_string(), app.to_string())])),
                owner_references: rs_uid.map(|uid| {
                    vec![OwnerReference {
                        kind: "ReplicaSet".into(),
                        name: "web".into(),
                        uid: uid.into(),
                        controller: Some(true),
                        ..Default::default()
                    }]
                }),
                ..Default::default()
            },
            spec: None,
            status: Some(PodStatus {
                phase: Some("Running".into()),
                conditions: Some(vec![PodCondition {
                    type_: "Ready".into(),
                    status: if ready { "True" } else { "False" }.into(),
                    last_transition_time: Some(Tick(7).time()),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn pod_summaries_follow_the_pods_and_share_labels() {
        let mut idx = PodIndex::default();
        let rs = ObjKey::new("default", "web");
        let (a, b) = (ObjKey::new("default", "web-a"), ObjKey::new("default", "web-b"));
        idx.set(&a, &pod(Some("u1"), "web", true));
        idx.set(&b, &pod(Some("u1"), "web", false));
        let group = idx.owned_summaries(Kind::ReplicaSet, &rs).unwrap();
        let (sa, sb) = (&group["web-a"], &group["web-b"]);
        assert!(Arc::ptr_eq(&sa.labels, &sb.labels) && Arc::ptr_eq(&sa.controller_uid, &sb.controller_uid));
        assert_eq!((sa.ready, sa.ready_since, sb.ready, sb.ready_since), (true, Some(Tick(7)), false, None));
        // A status change under the same owner updates the summary in place.
        idx.set(&b, &pod(Some("u1"), "other", true));
        let sb = &idx.owned_summaries(Kind::ReplicaSet, &rs).unwrap()["web-b"];
        assert!(sb.ready && sb.labels["app"] == "other");
        // Released: the pod leaves the group for the orphans.
        assert_eq!(idx.set(&b, &pod(None, "other", true)), Some(("ReplicaSet".into(), "web".into())));
        assert_eq!(idx.owned_by(Kind::ReplicaSet, &rs), ["web-a"]);
        assert!(idx.orphan_set("default").is_some_and(|o| o.contains("web-b")));
    }

    #[test]
    fn index_follows_owner_changes() {
        let mut idx: OwnerIndex = OwnerIndex::default();
        let p = ObjKey::new("default", "web-1");
        let rs = ObjKey::new("default", "web");
        assert_eq!(idx.set(&p, None), None);
        assert_eq!(idx.orphans("default"), ["web-1"]);
        idx.set(&p, Some(("ReplicaSet".into(), "web".into())));
        assert!(idx.orphans("default").is_empty());
        assert_eq!(idx.owned_by(Kind::ReplicaSet, &rs), ["web-1"]);
        assert_eq!(idx.remove(&p), Some(("ReplicaSet".into(), "web".into())));
        assert!(idx.owned_by(Kind::ReplicaSet, &rs).is_empty());
    }
}
