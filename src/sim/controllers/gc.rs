//! The garbage collector: objects whose owner (by ownerReferences uid) is gone are deleted —
//! background cascading deletion, as `kubectl delete deployment web` relies on.
//!
//! Like kube-controller-manager's graph builder, it keeps a graph of uids and owner
//! references fed by the store's change log, so a tick costs in proportion to what changed:
//! only objects that changed, or whose owner went away, are looked at ("suspects"). Each
//! pass decides on the uids that exist when it starts (a deletion it makes shows up in the
//! next pass, as it does through the real collector's informers), and deletes in kind order,
//! then namespace and name.
//!
//! The graph's maps are only ever looked up: they are hashed (a B-tree of a hundred thousand
//! string keys costs some thirty string comparisons a lookup). Only the suspects, whose order
//! is the order of deletions, are kept sorted.

use std::collections::BTreeSet;

use super::queue::{Changes, WorkQueue};
use crate::sim::api::WriteOptions;
use crate::sim::indexed::{Equivalent, LookupMap};
use crate::sim::store::Change;
use crate::sim::{Kind, ObjKey, Object, World};

/// The collector's graph.
#[derive(Clone, Debug, Default)]
pub struct State {
    log: WorkQueue,
    /// Every uid in the store (Events aside), with how many objects carry it. Looked up
    /// only, never read in order: hashed.
    uids: LookupMap<String, u32>,
    /// Each object's uid and the uids of its owners. Looked up only (for each suspect, in
    /// the suspects' order): hashed.
    nodes: LookupMap<(Kind, ObjKey), (Option<String>, Vec<String>)>,
    /// Owner uid → objects naming it as owner. The map is looked up only (hashed); a set is
    /// read whole into the suspects, which sort it anyway.
    dependents: LookupMap<String, BTreeSet<(Kind, ObjKey)>>,
    /// Objects to look at in the next pass, in the order they are deleted in: ordered.
    suspects: BTreeSet<(Kind, ObjKey)>,
}

/// A graph node's key by reference, to look one up without copying its key: hashes and
/// compares as `(Kind, ObjKey)` does.
#[derive(Hash)]
struct NodeRef<'a>(Kind, &'a ObjKey);

impl Equivalent<(Kind, ObjKey)> for NodeRef<'_> {
    fn equivalent(&self, other: &(Kind, ObjKey)) -> bool {
        self.0 == other.0 && *self.1 == other.1
    }
}

impl State {
    fn forget(&mut self, node: &(Kind, ObjKey)) {
        let Some((uid, owners)) = self.nodes.remove(node) else { return };
        for o in owners {
            if let Some(set) = self.dependents.get_mut(&o) {
                set.remove(node);
                if set.is_empty() {
                    self.dependents.remove(&o);
                }
            }
        }
        if let Some(uid) = uid {
            let gone = match self.uids.get_mut(&uid) {
                Some(n) if *n > 1 => {
                    *n -= 1;
                    false
                }
                _ => true,
            };
            if gone {
                self.uids.remove(&uid);
                // Whoever this object owned may now be garbage.
                if let Some(deps) = self.dependents.get(&uid) {
                    self.suspects.extend(deps.iter().cloned());
                }
            }
        }
    }

    /// Whether the graph already holds `obj` with its uid and owners as they are: most
    /// changes (a status written, a Lease renewed) leave both alone, and are compared in
    /// place, the key not even copied.
    fn unchanged(&self, kind: Kind, key: &ObjKey, obj: &Object) -> bool {
        let m = obj.meta();
        self.nodes.get(&NodeRef(kind, key)).is_some_and(|(uid, old_owners)| {
            *uid == m.uid
                && old_owners.iter().map(String::as_str).eq(m.owner_references.iter().flatten().map(|r| r.uid.as_str()))
        })
    }

    fn observe(&mut self, node: (Kind, ObjKey), obj: &Object) {
        if self.unchanged(node.0, &node.1, obj) {
            return;
        }
        let m = obj.meta();
        let owners: Vec<String> = m.owner_references.iter().flatten().map(|r| r.uid.clone()).collect();
        self.forget(&node);
        if let Some(uid) = &m.uid {
            *self.uids.entry_ref(uid.as_str()).or_default() += 1;
        }
        for o in &owners {
            self.dependents.entry_ref(o.as_str()).or_default().insert(node.clone());
        }
        if !owners.is_empty() {
            self.suspects.insert(node.clone());
        }
        self.nodes.insert(node, (m.uid.clone(), owners));
    }

    /// Builds the graph from the whole store (first pass, or the change log was outrun).
    ///
    /// The graph comes out as observing every object in turn would make it (every object
    /// with owners a suspect), but the ordered sets are built in bulk from sorted entries
    /// rather than entry by entry: a relist of a big cluster otherwise spends its time
    /// comparing keys.
    fn relist(&mut self, w: &World) {
        let log = std::mem::take(&mut self.log);
        let mut nodes = LookupMap::default();
        let mut uids: LookupMap<String, u32> = LookupMap::default();
        let mut edges = Vec::new();
        let mut suspects = Vec::new();
        for kind in Kind::ALL.iter().copied().filter(|k| *k != Kind::Event) {
            let objects = w.store.list(kind, None);
            nodes.reserve(objects.len());
            for o in objects {
                let m = o.meta();
                let node = (kind, o.key());
                let owners: Vec<String> = m.owner_references.iter().flatten().map(|r| r.uid.clone()).collect();
                if let Some(uid) = &m.uid {
                    *uids.entry_ref(uid.as_str()).or_default() += 1;
                }
                edges.extend(owners.iter().map(|u| (u.clone(), node.clone())));
                if !owners.is_empty() {
                    suspects.push(node.clone());
                }
                nodes.insert(node, (m.uid.clone(), owners));
            }
        }
        // Each owner's dependents come out of the sorted edges in order, so each set is built
        // in bulk.
        edges.sort_unstable();
        let mut dependents: Vec<(String, Vec<(Kind, ObjKey)>)> = Vec::new();
        for (owner, node) in edges {
            match dependents.last_mut() {
                Some((last, deps)) if *last == owner => deps.push(node),
                _ => dependents.push((owner, vec![node])),
            }
        }
        *self = State {
            log,
            uids,
            nodes,
            dependents: dependents.into_iter().map(|(owner, deps)| (owner, deps.into_iter().collect())).collect(),
            suspects: suspects.into_iter().collect(),
        };
    }

    /// Brings the graph up to the store's present from the change log (or a relist).
    fn catch_up(&mut self, w: &World) {
        match self.log.changes_where(&w.store, |k| k != Kind::Event) {
            Changes::Relist => self.relist(w),
            Changes::Events(events) => {
                for e in events {
                    // A write that left the uid and owners alone has nothing to add: the graph
                    // holds them as of the last pass, and any write since that changed them
                    // has an entry of its own, read below as the object is now.
                    if e.kind == Kind::Event || e.owners_same {
                        continue;
                    }
                    let current = match e.change {
                        Change::Deleted => None,
                        _ => w.store.get(e.kind, &e.key.namespace, &e.key.name),
                    };
                    match current {
                        Some(o) if self.unchanged(e.kind, &e.key, o) => {}
                        Some(o) => self.observe((e.kind, (*e.key).clone()), o),
                        None => self.forget(&(e.kind, (*e.key).clone())),
                    }
                }
            }
        }
    }
}

pub fn reconcile(w: &mut World) {
    let mut st = std::mem::take(&mut w.controllers.gc);
    st.catch_up(w);
    // Decide on the uids as they are now, then delete: deletions are seen next pass.
    let mut garbage = Vec::new();
    // Deleted only when every owner is gone (an object may have several owners).
    let gone = |owners: &[String]| !owners.is_empty() && owners.iter().all(|u| !st.uids.contains_key(u));
    // In the suspects' order: the order of the deletions.
    for node in std::mem::take(&mut st.suspects) {
        if st.nodes.get(&node).is_some_and(|(_, owners)| gone(owners)) {
            garbage.push(node);
        }
    }
    w.controllers.gc = st;
    for (kind, key) in garbage {
        let _ = w.api_delete(kind, &key.namespace, &key.name, None, WriteOptions::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The graph as observing every object in turn makes it (what the bulk relist must
    /// match).
    fn observed(w: &World) -> State {
        let mut st = State::default();
        for kind in Kind::ALL.iter().copied().filter(|k| *k != Kind::Event) {
            for o in w.store.list(kind, None) {
                st.observe((kind, o.key()), o);
            }
        }
        st
    }

    fn apply(w: &mut World, yaml: &str) {
        let v: serde_json::Value = serde_yaml::from_str(yaml).unwrap();
        let kind = Kind::from_api_version_kind(v["apiVersion"].as_str().unwrap(), v["kind"].as_str().unwrap()).unwrap();
        w.api_create(Object::from_value(kind, v).unwrap(), WriteOptions::default()).unwrap();
    }

    #[test]
    fn a_relist_builds_the_graph_observing_would() {
        let mut w = World::new(4);
        for (name, replicas) in [("web", 5), ("api", 3)] {
            apply(&mut w, &format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      containers: [{{name: c, image: nginx}}]\n"));
        }
        // A pod owned twice, once by an owner that does not exist, and a ConfigMap with the
        // same owner twice.
        apply(&mut w, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: odd\n  ownerReferences:\n  - {apiVersion: v1, kind: ConfigMap, name: x, uid: 00000000-0000-0000-0000-000000000001}\n  - {apiVersion: v1, kind: ConfigMap, name: y, uid: 00000000-0000-0000-0000-000000000002}\nspec:\n  containers: [{name: c, image: nginx}]\n");
        apply(&mut w, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: twice\n  ownerReferences:\n  - {apiVersion: v1, kind: ConfigMap, name: x, uid: 00000000-0000-0000-0000-000000000001}\n  - {apiVersion: v1, kind: ConfigMap, name: x, uid: 00000000-0000-0000-0000-000000000001}\n");
        // Before the collector has run (the odd owners still there), then as pods appear.
        for _ in 0..3 {
            let mut st = State::default();
            st.relist(&w);
            let want = observed(&w);
            assert!(st.nodes.len() > 10 && !st.suspects.is_empty());
            assert_eq!(st.nodes, want.nodes);
            assert_eq!(st.uids, want.uids);
            assert_eq!(st.dependents, want.dependents);
            assert_eq!(st.suspects, want.suspects);
            // Looked up by reference, every object is found as it is.
            for o in w.store.list(Kind::Pod, None) {
                assert!(st.unchanged(Kind::Pod, &o.key(), o), "{:?}", o.key());
            }
            w.advance(1);
        }
    }

    #[test]
    fn following_the_log_keeps_the_graph_a_relist_would_build() {
        let mut w = World::new(4);
        apply(&mut w, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 4\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: nginx}]\n");
        apply(&mut w, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
        apply(&mut w, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n");
        let uid_of =
            |w: &World, name: &str| w.store.get(Kind::ConfigMap, "default", name).unwrap().meta().uid.clone().unwrap();
        let owned_by = |uid: String| {
            move |o: &mut Object| {
                o.meta_mut().owner_references =
                    Some(vec![k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference {
                        api_version: "v1".into(),
                        kind: "ConfigMap".into(),
                        name: "x".into(),
                        uid,
                        ..Default::default()
                    }]);
            }
        };
        for step in 0..8 {
            // Owners changed in place between passes, while the pods' statuses are written.
            let (a, b) = (uid_of(&w, "a"), uid_of(&w, "b"));
            match step {
                2 => w.store.modify_changed(Kind::ConfigMap, "default", "b", owned_by(a)).unwrap(),
                4 => w.store.modify_changed(Kind::ConfigMap, "default", "a", owned_by(b.clone())).unwrap(),
                5 => w
                    .store
                    .modify_changed(Kind::ConfigMap, "default", "a", |o| o.meta_mut().owner_references = None)
                    .unwrap(),
                6 => {
                    let pod = w.store.list(Kind::Pod, None)[0].key();
                    w.store.modify_changed(Kind::Pod, &pod.namespace, &pod.name, owned_by(b)).unwrap();
                }
                _ => {}
            }
            let mut followed = w.controllers.gc.clone();
            followed.catch_up(&w);
            let mut fresh = State::default();
            fresh.relist(&w);
            assert_eq!(followed.nodes, fresh.nodes, "step {step}");
            assert_eq!(followed.uids, fresh.uids, "step {step}");
            assert_eq!(followed.dependents, fresh.dependents, "step {step}");
            w.advance(1);
        }
    }
}
