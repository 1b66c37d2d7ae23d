//! What client-go's informers and work queues are to kube-controller-manager, for the
//! controllers that use them (Job, CronJob, DaemonSet, StatefulSet): a cursor over the
//! store's change log (so a controller looks only at what changed since its last run), an
//! index from owners to the objects they control (so it finds a Job's pods without listing
//! every pod), and a due-time queue (`AddAfter`: back-off, cron schedules, deadlines, TTLs).
//!
//! Together they make a controller cost in proportion to what happened, not to the number of
//! objects in the cluster.

use std::collections::BTreeSet;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

use crate::sim::indexed::LookupMap;
use crate::sim::store::{Store, WatchEvent};
use crate::sim::{Kind, ObjKey, Object, Tick};

/// A position in the store's change log.
#[derive(Clone, Debug, Default)]
pub struct Cursor {
    resource_version: u64,
}

impl Cursor {
    /// The changes since the last call, oldest first, and moves past them. None when the log
    /// no longer reaches back that far: the caller must relist, as an informer does after a
    /// "too old resource version" answer.
    pub fn drain(&mut self, store: &Store) -> Option<Vec<WatchEvent>> {
        let events: Option<Vec<WatchEvent>> = store.watch(self.resource_version).map(|it| it.cloned().collect());
        self.resource_version = store.resource_version();
        events
    }

    /// Like [`Cursor::drain`], keeping only the changes to objects of `kinds`: a controller
    /// skips the rest of the log (Leases, Events, kinds it does not watch) without copying
    /// it, and the whole of it when none of `kinds` was written since its last call.
    pub fn drain_of(&mut self, store: &Store, kinds: &[Kind]) -> Option<Vec<WatchEvent>> {
        let since = self.resource_version;
        self.resource_version = store.resource_version();
        let log = store.watch(since)?;
        if kinds.iter().all(|k| store.last_write(*k) <= since) {
            return Some(Vec::new());
        }
        Some(log.filter(|e| kinds.contains(&e.kind)).cloned().collect())
    }
}

/// The controller reference of an object (`metav1.GetControllerOf`) when it names `kind`.
pub fn controller_ref(obj: &Object, kind: Kind) -> Option<&OwnerReference> {
    obj.meta()
        .owner_references
        .as_ref()?
        .iter()
        .find(|r| r.controller == Some(true) && r.kind == kind.name() && r.api_version == kind.api_version())
}

/// Which owner (by namespace and name) controls each object of one kind, and the reverse.
///
/// Both maps are only looked up (every change to a pod looks its owner up), never read in
/// order: hashed. An owner's set of objects is read in key order: ordered.
#[derive(Clone, Debug, Default)]
pub struct OwnerIndex {
    owner_of: LookupMap<ObjKey, ObjKey>,
    owned: LookupMap<ObjKey, BTreeSet<ObjKey>>,
}

impl OwnerIndex {
    /// Records the current state of an object (None: deleted) whose controller may be of
    /// `owner_kind`; returns the owners to wake: the old one and the new one.
    pub fn observe(&mut self, key: &ObjKey, obj: Option<&Object>, owner_kind: Kind) -> Vec<ObjKey> {
        let new_owner = obj.and_then(|o| controller_ref(o, owner_kind)).map(|r| ObjKey::new(&key.namespace, &r.name));
        let old_owner = self.owner_of.get(key).cloned();
        let mut wake = Vec::new();
        if old_owner != new_owner {
            if let Some(old) = &old_owner {
                if let Some(set) = self.owned.get_mut(old) {
                    set.remove(key);
                    if set.is_empty() {
                        self.owned.remove(old);
                    }
                }
                self.owner_of.remove(key);
                wake.push(old.clone());
            }
            if let Some(new) = &new_owner {
                self.owned.entry(new.clone()).or_default().insert(key.clone());
                self.owner_of.insert(key.clone(), new.clone());
            }
        }
        if let Some(new) = new_owner {
            if !wake.contains(&new) {
                wake.push(new);
            }
        }
        wake
    }

    /// The keys of the objects `owner` controls, in key order.
    pub fn owned(&self, owner: &ObjKey) -> Vec<ObjKey> {
        self.owned.get(owner).map(|s| s.iter().cloned().collect()).unwrap_or_default()
    }

    pub fn owner_of(&self, key: &ObjKey) -> Option<&ObjKey> {
        self.owner_of.get(key)
    }

    /// Forgets everything (before a relist).
    pub fn clear(&mut self) {
        self.owner_of.clear();
        self.owned.clear();
    }
}

/// Keys waiting to be looked at again at a given tick; one entry per key, the earliest wins
/// (the work queue's `AddAfter`).
#[derive(Clone, Debug, Default)]
pub struct DueQueue {
    by_time: BTreeSet<(Tick, ObjKey)>,
    /// Looked up only (the order is `by_time`'s): hashed.
    at: LookupMap<ObjKey, Tick>,
}

impl DueQueue {
    pub fn add_at(&mut self, key: &ObjKey, t: Tick) {
        if let Some(prev) = self.at.get(key).copied() {
            if prev <= t {
                return;
            }
            self.by_time.remove(&(prev, key.clone()));
        }
        self.at.insert(key.clone(), t);
        self.by_time.insert((t, key.clone()));
    }

    /// Removes and returns the keys due at or before `now`.
    pub fn pop_due(&mut self, now: Tick) -> Vec<ObjKey> {
        let mut out = Vec::new();
        while let Some((t, _)) = self.by_time.first() {
            if *t > now {
                break;
            }
            if let Some((_, key)) = self.by_time.pop_first() {
                self.at.remove(&key);
                out.push(key);
            }
        }
        out
    }

    /// When `key` is next due, if it is queued.
    pub fn due_at(&self, key: &ObjKey) -> Option<Tick> {
        self.at.get(key).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drain_of_keeps_the_kinds_asked_for_and_skips_the_rest() {
        use k8s_openapi::api::core::v1::ConfigMap;
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
        let cm = |name: &str| {
            Object::ConfigMap(Box::new(ConfigMap {
                metadata: ObjectMeta {
                    name: Some(name.into()),
                    namespace: Some("default".into()),
                    ..Default::default()
                },
                ..Default::default()
            }))
        };
        let mut store = Store::new();
        let (mut all, mut some) = (Cursor::default(), Cursor::default());
        store.add(cm("a")).unwrap();
        let names =
            |v: Option<Vec<WatchEvent>>| v.map(|v| v.into_iter().map(|e| e.key.name.clone()).collect::<Vec<_>>());
        assert_eq!(names(some.drain_of(&store, &[Kind::ConfigMap])), Some(vec!["a".to_string()]));
        assert_eq!(names(all.drain(&store)), Some(vec!["a".to_string()]));
        // Nothing of the kinds asked for: an empty answer, and the cursor moves on.
        store.add(cm("b")).unwrap();
        assert_eq!(names(some.drain_of(&store, &[Kind::Secret])), Some(vec![]));
        assert_eq!(names(some.drain_of(&store, &[Kind::ConfigMap])), Some(vec![]));
        store.delete(Kind::ConfigMap, "default", "a").unwrap();
        assert_eq!(names(some.drain_of(&store, &[Kind::Secret, Kind::ConfigMap])), Some(vec!["a".to_string()]));
        assert_eq!(names(all.drain(&store)), Some(vec!["b".to_string(), "a".to_string()]));
    }

    #[test]
    fn due_queue_keeps_the_earliest_time() {
        let mut q = DueQueue::default();
        let a = ObjKey::new("default", "a");
        let b = ObjKey::new("default", "b");
        q.add_at(&a, Tick(10));
        q.add_at(&a, Tick(20));
        q.add_at(&b, Tick(5));
        q.add_at(&a, Tick(7));
        assert_eq!(q.pop_due(Tick(4)), Vec::<ObjKey>::new());
        assert_eq!(q.pop_due(Tick(7)), vec![b, a.clone()]);
        assert_eq!(q.due_at(&a), None);
        assert_eq!(q.pop_due(Tick(100)), Vec::<ObjKey>::new());
    }
}
