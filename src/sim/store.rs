//! The object store: what etcd is to the API server. It keeps typed objects by kind and key,
//! stamps resourceVersions and keeps a change log that watchers and controllers read. It knows
//! nothing of validation or defaulting; that is the API layer's job (`sim::api`).

use std::collections::{BTreeMap, VecDeque};

use super::object::{KeyRef, Kind, ObjKey, Object};

/// What happened to an object, as a watch reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Added,
    Modified,
    Deleted,
}

/// One entry of the change log.
#[derive(Clone, Debug, PartialEq)]
pub struct WatchEvent {
    pub resource_version: u64,
    pub change: Change,
    pub kind: Kind,
    pub key: ObjKey,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    NotFound,
    AlreadyExists,
    /// The update carried a resourceVersion that is no longer current.
    Conflict,
}

/// How many change-log entries are kept: watchers further behind must relist, as with etcd
/// compaction.
const LOG_CAPACITY: usize = 100_000;

#[derive(Clone, Debug, Default)]
pub struct Store {
    /// `Object` is one pointer wide (its variants are boxed, each at its own size), so map
    /// nodes hold them inline.
    objects: BTreeMap<Kind, BTreeMap<ObjKey, Object>>,
    resource_version: u64,
    log: VecDeque<WatchEvent>,
    /// Kind → the resourceVersion of the latest write of an object of that kind, so a cache
    /// built from one kind can tell cheaply that nothing of it changed since.
    last_write: BTreeMap<Kind, u64>,
}

impl Store {
    pub fn new() -> Store {
        Store::default()
    }

    /// The latest resourceVersion handed out.
    pub fn resource_version(&self) -> u64 {
        self.resource_version
    }

    /// The resourceVersion of the latest create, update or delete of an object of `kind` (0:
    /// none since the store began).
    pub fn last_write(&self, kind: Kind) -> u64 {
        self.last_write.get(&kind).copied().unwrap_or(0)
    }

    fn bump(&mut self, change: Change, kind: Kind, key: ObjKey) -> u64 {
        self.resource_version += 1;
        self.last_write.insert(kind, self.resource_version);
        if self.log.len() >= LOG_CAPACITY {
            self.log.pop_front();
        }
        self.log.push_back(WatchEvent { resource_version: self.resource_version, change, kind, key });
        self.resource_version
    }

    /// Stores a new object and returns it as stored (with its resourceVersion).
    pub fn create(&mut self, obj: Object) -> Result<Object, StoreError> {
        let (kind, key) = (obj.kind(), obj.key());
        self.add(obj)?;
        self.objects.get(&kind).and_then(|m| m.get(&key)).cloned().ok_or(StoreError::NotFound)
    }

    /// Stores a new object, for a writer that does not need it back (no copy is made), and
    /// returns its resourceVersion.
    pub fn add(&mut self, mut obj: Object) -> Result<u64, StoreError> {
        let kind = obj.kind();
        let key = obj.key();
        if self.objects.get(&kind).is_some_and(|m| m.contains_key(&key)) {
            return Err(StoreError::AlreadyExists);
        }
        let rv = self.bump(Change::Added, kind, key.clone());
        obj.meta_mut().resource_version = Some(rv.to_string());
        self.objects.entry(kind).or_default().insert(key, obj);
        Ok(rv)
    }

    /// Stores an object the API server writes as it starts (the RBAC bootstrap policy)
    /// without a resourceVersion or a change-log entry: no client can be watching yet, and
    /// start-up content must not renumber the resourceVersions of everything written later.
    /// An object already there is kept.
    pub fn insert_bootstrap(&mut self, obj: Object) {
        let kind = obj.kind();
        self.objects.entry(kind).or_default().entry(obj.key()).or_insert(obj);
    }

    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<&Object> {
        self.objects.get(&kind)?.get(&(namespace, name) as &dyn KeyRef)
    }

    /// Objects of a kind, in one namespace or (None) all, ordered by namespace then name.
    pub fn list(&self, kind: Kind, namespace: Option<&str>) -> Vec<&Object> {
        let Some(m) = self.objects.get(&kind) else { return Vec::new() };
        match namespace {
            None => m.values().collect(),
            Some(ns) => {
                let start = ObjKey::new(ns, "");
                m.range(start..).take_while(|(k, _)| k.namespace == ns).map(|(_, o)| o).collect()
            }
        }
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.objects.get(&kind).map_or(0, |m| m.len())
    }

    /// Replaces an object. A non-empty resourceVersion on `obj` must match the stored one.
    pub fn update(&mut self, mut obj: Object) -> Result<Object, StoreError> {
        let kind = obj.kind();
        let key = obj.key();
        let current = self.objects.get(&kind).and_then(|m| m.get(&key)).ok_or(StoreError::NotFound)?;
        if let Some(rv) = obj.meta().resource_version.as_deref() {
            if !rv.is_empty() && Some(rv) != current.meta().resource_version.as_deref() {
                return Err(StoreError::Conflict);
            }
        }
        let rv = self.bump(Change::Modified, kind, key.clone());
        obj.meta_mut().resource_version = Some(rv.to_string());
        self.objects.entry(kind).or_default().insert(key, obj.clone());
        Ok(obj)
    }

    /// Applies `f` to the stored object in place and records a modification if it changed.
    pub fn modify<F: FnOnce(&mut Object)>(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        f: F,
    ) -> Result<(), StoreError> {
        let obj = self.get_mut(kind, namespace, name)?;
        let before: Object = obj.clone();
        f(obj);
        if *obj != before {
            self.modified(kind, namespace, name);
        }
        Ok(())
    }

    /// Applies `f`, which the caller knows changes the object, and records the modification:
    /// unlike [`Store::modify`], no copy is made to find out whether anything changed (a Pod
    /// is several KB, and its kubelet writes its status at every change of a container).
    pub fn modify_changed<F: FnOnce(&mut Object)>(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        f: F,
    ) -> Result<(), StoreError> {
        self.modify_reported(kind, namespace, name, |o| {
            f(o);
            true
        })
        .map(|_| ())
    }

    /// Like [`Store::modify_changed`], for a writer that finds out while it writes whether
    /// anything changed: `f` says so, and a modification is recorded only then. A big object
    /// changed a little (an Endpoints of a thousand addresses, one of them now ready) costs
    /// the change only. Returns whether the object changed.
    pub fn modify_reported<F: FnOnce(&mut Object) -> bool>(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        f: F,
    ) -> Result<bool, StoreError> {
        let changed = f(self.get_mut(kind, namespace, name)?);
        if changed {
            self.modified(kind, namespace, name);
        }
        Ok(changed)
    }

    fn get_mut(&mut self, kind: Kind, namespace: &str, name: &str) -> Result<&mut Object, StoreError> {
        self.objects
            .get_mut(&kind)
            .and_then(|m| m.get_mut(&(namespace, name) as &dyn KeyRef))
            .ok_or(StoreError::NotFound)
    }

    /// Stamps a new resourceVersion on an object changed in place and logs the change.
    fn modified(&mut self, kind: Kind, namespace: &str, name: &str) {
        let key = ObjKey::new(namespace, name);
        let rv = self.bump(Change::Modified, kind, key);
        if let Ok(obj) = self.get_mut(kind, namespace, name) {
            obj.meta_mut().resource_version = Some(rv.to_string());
        }
    }

    pub fn delete(&mut self, kind: Kind, namespace: &str, name: &str) -> Result<Object, StoreError> {
        let key = ObjKey::new(namespace, name);
        let obj = self.objects.get_mut(&kind).and_then(|m| m.remove(&key)).ok_or(StoreError::NotFound)?;
        self.bump(Change::Deleted, kind, key);
        Ok(obj)
    }

    /// Changes after `resource_version`, oldest first. None if the log no longer reaches back
    /// that far (the watcher must relist).
    pub fn watch(&self, resource_version: u64) -> Option<impl Iterator<Item = &WatchEvent>> {
        if let Some(first) = self.log.front() {
            if first.resource_version > resource_version + 1 && resource_version < self.resource_version {
                return None;
            }
        }
        // The log is ordered by resourceVersion: find the start by binary search, so a watcher
        // that is nearly caught up pays for what changed, not for the whole log.
        let start = self.log.partition_point(|e| e.resource_version <= resource_version);
        Some(self.log.range(start..))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ConfigMap;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn cm(ns: &str, name: &str) -> Object {
        Object::ConfigMap(Box::new(ConfigMap {
            metadata: ObjectMeta { name: Some(name.into()), namespace: Some(ns.into()), ..Default::default() },
            ..Default::default()
        }))
    }

    #[test]
    fn verbs_and_watch() {
        let mut s = Store::new();
        s.create(cm("default", "b")).unwrap();
        s.create(cm("default", "a")).unwrap();
        s.create(cm("other", "a")).unwrap();
        assert_eq!(s.create(cm("default", "a")), Err(StoreError::AlreadyExists));
        let names: Vec<_> = s.list(Kind::ConfigMap, Some("default")).iter().map(|o| o.name().to_string()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(s.list(Kind::ConfigMap, None).len(), 3);
        let mut stale = cm("default", "a");
        stale.meta_mut().resource_version = Some("1".into());
        assert_eq!(s.update(stale), Err(StoreError::Conflict));
        s.delete(Kind::ConfigMap, "default", "b").unwrap();
        let changes: Vec<_> = s.watch(3).unwrap().map(|e| (e.change, e.key.name.clone())).collect();
        assert_eq!(changes, [(Change::Deleted, "b".to_string())]);
    }
}
