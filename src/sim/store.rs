//! The object store: what etcd is to the API server. It keeps typed objects by kind and key,
//! stamps resourceVersions and keeps a change log that watchers and controllers read. It knows
//! nothing of validation or defaulting; that is the API layer's job (`sim::api`).
//!
//! Events, the most numerous objects, are kept apart in a compact form (see [`events`]); the
//! verbs read and write them like any other kind.

mod events;

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::indexed::{IndexedMap, LookupMap};
use super::object::{KeyRef, Kind, ObjKey, Object};

pub(crate) use events::format_uid;
pub use events::{EventView, ObjectRef, Recorded, Series};

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
    /// Shared with the store's own key of the object: logging a write copies no strings.
    pub key: Arc<ObjKey>,
    /// For a Pod, the workload kinds it named as its controller when written.
    pub controllers: Controllers,
    /// A modification that left the object's uid and its owner references' uids as they
    /// were (most writes: a status, a Lease renewed). The garbage collector's graph holds
    /// nothing else of an object, so it passes over such an entry without looking the object
    /// up. Always false for Added and Deleted entries, and for Events.
    pub owners_same: bool,
}

/// Which objects a watcher has already read in one batch of changes, so that it can pass over
/// the repeats: a watcher reads each changed object as the store has it now, not as the entry
/// found it, so a second modification of the same object in the batch reads the same object
/// again, to the same effect (a converging tick writes each pod three or four times before a
/// watcher looks, and at 150,000 pods each read is a lookup and cache misses). The entries are
/// told apart by their shared key (`Arc::ptr_eq`): an object deleted and created again under
/// its name has another key. Only membership is asked, never an order, so runs stay
/// deterministic.
///
/// A watcher whose reading of an object also depends on other objects calls
/// [`Repeats::barrier`] when one of those changes in the batch: a repeat after it is read
/// again.
#[derive(Debug, Default)]
pub struct Repeats {
    /// Key address → the barrier count when that object was last read.
    seen: LookupMap<usize, u64>,
    barriers: u64,
}

impl Repeats {
    /// Whether the entry (`key`, `change`) modifies an object already read in this batch since
    /// the last barrier; if not, the object counts as read now. Additions and deletions are
    /// never repeats: a watcher may tell them apart from modifications.
    pub fn is_repeat(&mut self, key: &Arc<ObjKey>, change: Change) -> bool {
        let at = Arc::as_ptr(key) as usize;
        if change == Change::Modified && self.seen.get(&at) == Some(&self.barriers) {
            return true;
        }
        self.seen.insert(at, self.barriers);
        false
    }

    /// Something the watcher's reading of objects depends on changed: what it read so far
    /// must be read again.
    pub fn barrier(&mut self) {
        self.barriers += 1;
    }
}

/// An object's uid and its owner references' uids as one byte string (each length-prefixed, so
/// that any content compares exactly), on the stack for the usual uid and one or two owners: a
/// write compares it before and after, so it must cost little more than the copy itself.
struct Owners {
    len: usize,
    inline: [u8; Owners::INLINE],
    /// The bytes, when they do not fit inline.
    spilled: Vec<u8>,
}

impl Owners {
    const INLINE: usize = 128;

    fn of(obj: &Object) -> Owners {
        let m = obj.meta();
        let refs = m.owner_references.as_deref().unwrap_or_default();
        let uid = m.uid.as_deref();
        let len = 8 * (1 + refs.len()) + uid.map_or(0, str::len) + refs.iter().map(|r| r.uid.len()).sum::<usize>();
        let mut o = Owners { len, inline: [0; Owners::INLINE], spilled: Vec::new() };
        let buf: &mut [u8] = if len <= Owners::INLINE {
            &mut o.inline[..len]
        } else {
            o.spilled.resize(len, 0);
            &mut o.spilled
        };
        // Each string as its length (u64::MAX for none) and its bytes.
        let mut at = 0;
        for s in std::iter::once(uid).chain(refs.iter().map(|r| Some(r.uid.as_str()))) {
            buf[at..at + 8].copy_from_slice(&s.map_or(u64::MAX, |s| s.len() as u64).to_le_bytes());
            at += 8;
            let bytes = s.unwrap_or_default().as_bytes();
            buf[at..at + bytes.len()].copy_from_slice(bytes);
            at += bytes.len();
        }
        o
    }

    fn bytes(&self) -> &[u8] {
        if self.len <= Owners::INLINE {
            &self.inline[..self.len]
        } else {
            &self.spilled
        }
    }

    /// Whether `a` and `b` hold the same uid and owner uids (what [`Owners::of`] would compare).
    fn same(a: &Object, b: &Object) -> bool {
        let (a, b) = (a.meta(), b.meta());
        a.uid == b.uid
            && a.owner_references.iter().flatten().map(|r| &r.uid).eq(b
                .owner_references
                .iter()
                .flatten()
                .map(|r| &r.uid))
    }
}

/// Which workload kinds (ReplicaSet, Job, StatefulSet, DaemonSet) an object names in a
/// controller reference (`ownerReferences[].controller: true`), as of one write, so that each
/// of those controllers can pass over the writes of pods that are not its own without looking
/// them up. Known for Pods only; for any other object every kind may be named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Controllers(u8);

impl Controllers {
    const KINDS: [Kind; 4] = [Kind::ReplicaSet, Kind::Job, Kind::StatefulSet, Kind::DaemonSet];
    const UNKNOWN: Controllers = Controllers(u8::MAX);

    /// What `obj` names, read as the controllers read it (`informer::controller_ref`: any
    /// controller reference whose kind and apiVersion are the workload's).
    fn of(obj: &Object) -> Controllers {
        if obj.kind() != Kind::Pod {
            return Controllers::UNKNOWN;
        }
        let mut bits = 0;
        for r in obj.meta().owner_references.iter().flatten().filter(|r| r.controller == Some(true)) {
            for (i, k) in Controllers::KINDS.iter().enumerate() {
                if r.kind == k.name() && r.api_version == k.api_version() {
                    bits |= 1 << i;
                }
            }
        }
        Controllers(bits)
    }

    /// Whether the object may have named a controller of `kind` (always, for a kind not
    /// tracked or an object other than a Pod).
    pub fn may_include(self, kind: Kind) -> bool {
        match Controllers::KINDS.iter().position(|k| *k == kind) {
            Some(i) => self.0 & (1 << i) != 0,
            None => true,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    NotFound,
    AlreadyExists,
    /// The update carried a resourceVersion that is no longer current.
    Conflict,
}

/// How many change-log entries are kept at least: watchers further behind must relist, as
/// with etcd compaction.
const LOG_CAPACITY: usize = 100_000;

/// The change log. Entries are compacted down to [`LOG_CAPACITY`], except those written since
/// the start of the previous tick: every watcher reads the log once a tick, so none has to
/// relist because a tick wrote more than the capacity (150,000 pods starting at once do; see
/// [`Store::watch`]). A relist gives a watcher the same result; an entry is a few words (its
/// key is shared with the store), so keeping a tick's writes is cheap.
///
/// What is no longer kept is dropped a little at each write ([`COMPACT_PER_WRITE`] entries),
/// not all at once: after a converging tick the log holds near a million entries, and
/// dropping them releases a million keys scattered over the heap (about 150 ms at 150,000
/// pods), which would all land on whichever write comes first. Spread out, each write pays
/// for a couple. The pace depends on the writes only, so runs stay deterministic.
#[derive(Clone, Debug, Default)]
struct Log {
    entries: VecDeque<WatchEvent>,
    /// The resourceVersions at the start of the previous and of the current tick.
    tick_starts: [u64; 2],
}

/// At most how many old entries a write drops: more than one, so an excess shrinks.
const COMPACT_PER_WRITE: usize = 2;

impl Log {
    fn push(&mut self, e: WatchEvent) {
        for _ in 0..COMPACT_PER_WRITE {
            if self.entries.len() < LOG_CAPACITY
                || self.entries.front().is_none_or(|f| f.resource_version > self.tick_starts[0])
            {
                break;
            }
            self.entries.pop_front();
        }
        self.entries.push_back(e);
    }
}

#[derive(Clone, Debug, Default)]
pub struct Store {
    /// By kind, then namespace and name: ordered for lists, hashed for lookups (most of the
    /// store's use, see [`IndexedMap`]).
    /// Each key is held once and shared (`Arc`) by the map's order, its slot and the change
    /// log's entries for the object.
    objects: BTreeMap<Kind, IndexedMap<Arc<ObjKey>, Object>>,
    /// Kind::Event objects (never in `objects`).
    events: events::EventTable,
    resource_version: u64,
    log: Log,
    /// Kind → the resourceVersion of the latest write of an object of that kind, so a cache
    /// built from one kind can tell cheaply that nothing of it changed since.
    last_write: BTreeMap<Kind, u64>,
}

/// Hands out the next resourceVersion for a change and logs it (the store's fields, so that a
/// writer holding one of its objects can log the change it made). `e` is the entry but for
/// its resourceVersion.
fn log_change(resource_version: &mut u64, last_write: &mut BTreeMap<Kind, u64>, log: &mut Log, e: WatchEvent) -> u64 {
    *resource_version += 1;
    last_write.insert(e.kind, *resource_version);
    log.push(WatchEvent { resource_version: *resource_version, ..e });
    *resource_version
}

impl Store {
    pub fn new() -> Store {
        Store::default()
    }

    /// A tick begins: what the log must keep moves on (see [`Log`]).
    pub fn begin_tick(&mut self) {
        self.log.tick_starts = [self.log.tick_starts[1], self.resource_version];
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

    fn bump(&mut self, change: Change, kind: Kind, key: Arc<ObjKey>, controllers: Controllers) -> u64 {
        self.bump_owned(change, kind, key, controllers, false)
    }

    fn bump_owned(
        &mut self,
        change: Change,
        kind: Kind,
        key: Arc<ObjKey>,
        controllers: Controllers,
        owners_same: bool,
    ) -> u64 {
        let e = WatchEvent { resource_version: 0, change, kind, key, controllers, owners_same };
        log_change(&mut self.resource_version, &mut self.last_write, &mut self.log, e)
    }

    /// Stores a new object and returns it as stored (with its resourceVersion).
    pub fn create(&mut self, obj: Object) -> Result<Object, StoreError> {
        let (kind, key) = (obj.kind(), obj.key());
        self.add(obj)?;
        if kind == Kind::Event {
            return self.events.owned(&key.namespace, &key.name).ok_or(StoreError::NotFound);
        }
        self.objects.get(&kind).and_then(|m| m.get(&key)).cloned().ok_or(StoreError::NotFound)
    }

    /// Stores a new object, for a writer that does not need it back (no copy is made), and
    /// returns its resourceVersion.
    pub fn add(&mut self, mut obj: Object) -> Result<u64, StoreError> {
        self.trim();
        let kind = obj.kind();
        if kind == Kind::Event {
            if self.events.contains(obj.namespace(), obj.name()) {
                return Err(StoreError::AlreadyExists);
            }
            let rv = self.bump(Change::Added, kind, Arc::new(obj.key()), Controllers::UNKNOWN);
            obj.meta_mut().resource_version = Some(rv.to_string());
            let key = self.events.key(obj.namespace(), obj.name());
            self.events.insert(key, obj);
            return Ok(rv);
        }
        let key = Arc::new(obj.key());
        if self.objects.get(&kind).is_some_and(|m| m.contains_key(&*key)) {
            return Err(StoreError::AlreadyExists);
        }
        let rv = self.bump(Change::Added, kind, Arc::clone(&key), Controllers::of(&obj));
        obj.meta_mut().resource_version = Some(rv.to_string());
        self.objects.entry(kind).or_default().insert(key, obj);
        Ok(rv)
    }

    /// Stores a new Event as the recorder writes it ([`Recorded::event`]), like `add` would,
    /// but kept as a record straight from its parts when it fits one (the usual case), so the
    /// hot path builds no Event to take apart again. Returns its resourceVersion.
    pub fn add_recorded_event(&mut self, namespace: &str, r: &Recorded<'_>) -> Result<u64, StoreError> {
        let Some(parts) = r.compact_parts() else { return self.add(Object::Event(Box::new(r.event(namespace)))) };
        self.trim();
        // The table looks for the name and inserts in one search, with the resourceVersion
        // the write is about to take; the change is logged only if the name was free.
        let rv = self.resource_version + 1;
        if !self.events.insert_recorded(namespace, r, parts, rv) {
            return Err(StoreError::AlreadyExists);
        }
        let logged = self.bump(
            Change::Added,
            Kind::Event,
            Arc::new(ObjKey::new(namespace, &r.name(parts.0))),
            Controllers::UNKNOWN,
        );
        debug_assert_eq!(logged, rv);
        Ok(rv)
    }

    /// Stores an object the API server writes as it starts (the RBAC bootstrap policy)
    /// without a resourceVersion or a change-log entry: no client can be watching yet, and
    /// start-up content must not renumber the resourceVersions of everything written later.
    /// An object already there is kept.
    pub fn insert_bootstrap(&mut self, obj: Object) {
        self.trim();
        let kind = obj.kind();
        if kind == Kind::Event {
            if !self.events.contains(obj.namespace(), obj.name()) {
                let key = self.events.key(obj.namespace(), obj.name());
                self.events.insert(key, obj);
            }
            return;
        }
        self.objects.entry(kind).or_default().get_or_insert_with(Arc::new(obj.key()), || obj);
    }

    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<&Object> {
        if kind == Kind::Event {
            return self.events.get(namespace, name);
        }
        self.objects.get(&kind)?.get(&(namespace, name) as &dyn KeyRef)
    }

    /// Objects of a kind, in one namespace or (None) all, ordered by namespace then name.
    pub fn list(&self, kind: Kind, namespace: Option<&str>) -> Vec<&Object> {
        if kind == Kind::Event {
            return self.events.views(namespace).map(|v| v.object()).collect();
        }
        let Some(m) = self.objects.get(&kind) else { return Vec::new() };
        match namespace {
            None => m.values().collect(),
            Some(ns) => {
                // Bounded at both ends rather than checked key by key: `ns` followed by NUL
                // is the first namespace after `ns` (names hold no NUL), so no key is read on
                // the way (each would be a pointer chase at a hundred thousand pods).
                let (start, end) = (ObjKey::new(ns, ""), ObjKey::new(&format!("{ns}\0"), ""));
                m.range::<ObjKey, _>(start..end).map(|(_, o)| o).collect()
            }
        }
    }

    /// The keys of the objects of a kind, in one namespace or (None) all, ordered by
    /// namespace then name (what [`Store::list`] would return, without reading them).
    pub fn keys(&self, kind: Kind, namespace: Option<&str>) -> Vec<ObjKey> {
        if kind == Kind::Event {
            return self.events.views(namespace).map(|v| v.key()).collect();
        }
        self.list(kind, namespace).into_iter().map(Object::key).collect()
    }

    /// The keys of the objects of a kind other than Event, ordered by namespace then name,
    /// shared with the store rather than copied (a list of 150,000 pod keys is then no
    /// allocations but its own).
    pub fn shared_keys(&self, kind: Kind) -> Vec<Arc<ObjKey>> {
        debug_assert!(kind != Kind::Event, "Events are not kept under shared keys");
        self.objects.get(&kind).map_or_else(Vec::new, |m| m.keys().cloned().collect())
    }

    /// An Event read in place: its fields without building the object (see [`EventView`]).
    pub fn event_view(&self, namespace: &str, name: &str) -> Option<EventView<'_>> {
        self.events.view(namespace, name)
    }

    /// The Events of one namespace or (None) all, ordered by namespace then name, read in
    /// place.
    pub fn event_views(&self, namespace: Option<&str>) -> impl Iterator<Item = EventView<'_>> {
        self.events.views(namespace)
    }

    /// Every Event, read in place, in an order that means nothing: for a reader whose result
    /// does not depend on it (the table keeps its order only for ordered reads, at a cost
    /// paid by the first one after writes).
    pub fn event_views_unordered(&self) -> impl Iterator<Item = EventView<'_>> {
        self.events.views_unordered()
    }

    /// The event recorder's repeat: if an Event of `series` exists in `namespace` (the first
    /// by name), its count goes up by one and its lastTimestamp becomes `now`, as one update
    /// (a resourceVersion and a change-log entry). Returns whether there was one. Neither
    /// finding nor bumping it builds the object.
    pub fn repeat_event(&mut self, namespace: &str, series: &Series<'_>, now: &Time) -> bool {
        self.trim();
        let Some((slot, key)) = self.events.find_series(namespace, series) else { return false };
        let key = Arc::new(ObjKey::new(key.namespace(), &key.name()));
        let rv = self.bump(Change::Modified, Kind::Event, key, Controllers::UNKNOWN);
        self.events.bump_count(slot, now, rv);
        true
    }

    /// Drops the Event objects built for readers (they are built again on demand). Every
    /// write does this first, so a big read costs its copies only until the next write.
    pub fn trim(&mut self) {
        self.events.trim();
    }

    pub fn count(&self, kind: Kind) -> usize {
        if kind == Kind::Event {
            return self.events.len();
        }
        self.objects.get(&kind).map_or(0, |m| m.len())
    }

    /// Replaces an object. A non-empty resourceVersion on `obj` must match the stored one.
    pub fn update(&mut self, mut obj: Object) -> Result<Object, StoreError> {
        self.trim();
        let kind = obj.kind();
        let (key, current_rv, owners_same) = if kind == Kind::Event {
            let key = Arc::new(obj.key());
            let rv = self.events.resource_version(&key.namespace, &key.name).ok_or(StoreError::NotFound)?;
            (key, rv, false)
        } else {
            let k = (obj.namespace(), obj.name());
            let (key, current) =
                self.objects.get(&kind).and_then(|m| m.get_key_value(&k as &dyn KeyRef)).ok_or(StoreError::NotFound)?;
            (Arc::clone(key), current.meta().resource_version.clone(), Owners::same(current, &obj))
        };
        if let Some(rv) = obj.meta().resource_version.as_deref() {
            if !rv.is_empty() && Some(rv) != current_rv.as_deref() {
                return Err(StoreError::Conflict);
            }
        }
        let rv = self.bump_owned(Change::Modified, kind, Arc::clone(&key), Controllers::of(&obj), owners_same);
        obj.meta_mut().resource_version = Some(rv.to_string());
        if kind == Kind::Event {
            let k = self.events.key(&key.namespace, &key.name);
            self.events.insert(k, obj.clone());
            return Ok(obj);
        }
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
        // The change is found by comparing with a copy (for a Pod, a reference: `f` copies it
        // on write).
        self.modify_reported(kind, namespace, name, |o| {
            let before = o.clone();
            f(o);
            *o != before
        })
        .map(|_| ())
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
        self.modify_inner(kind, namespace, name, false, f)
    }

    /// [`Store::modify_reported`] for a writer that never changes the object's uid or owner
    /// references (a status, a heartbeat, a binding): the log marks the owners unchanged
    /// without reading them before and after, which for a Lease renewed every ten seconds or
    /// a pod's status is most of what the write would otherwise touch of the object's
    /// metadata. (Checked in debug builds.)
    pub fn modify_keeping_owners<F: FnOnce(&mut Object) -> bool>(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        f: F,
    ) -> Result<bool, StoreError> {
        self.modify_inner(kind, namespace, name, true, f)
    }

    fn modify_inner<F: FnOnce(&mut Object) -> bool>(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        keeps_owners: bool,
        f: F,
    ) -> Result<bool, StoreError> {
        self.trim();
        if kind == Kind::Event {
            // The event is taken out as an object, changed and stored again (as a record if
            // it still fits one).
            let (key, mut obj) = self.events.remove(namespace, name).ok_or(StoreError::NotFound)?;
            let changed = f(&mut obj);
            if changed {
                let rv =
                    self.bump(Change::Modified, kind, Arc::new(ObjKey::new(namespace, name)), Controllers::UNKNOWN);
                obj.meta_mut().resource_version = Some(rv.to_string());
            }
            self.events.insert(key, obj);
            return Ok(changed);
        }
        // One search: the object is stamped through the reference `f` changed it through
        // (the log and the counter are other fields of the store).
        let (key, obj) = self
            .objects
            .get_mut(&kind)
            .and_then(|m| m.get_key_value_mut(&(namespace, name) as &dyn KeyRef))
            .ok_or(StoreError::NotFound)?;
        let before = (!keeps_owners || cfg!(debug_assertions)).then(|| Owners::of(obj));
        let changed = f(obj);
        if changed {
            let key = Arc::clone(key);
            let owners_same = match &before {
                Some(b) => {
                    let same = Owners::of(obj).bytes() == b.bytes();
                    debug_assert!(same || !keeps_owners, "a write that keeps the owners changed them");
                    same
                }
                None => true,
            };
            let controllers = Controllers::of(obj);
            let e = WatchEvent { resource_version: 0, change: Change::Modified, kind, key, controllers, owners_same };
            let rv = log_change(&mut self.resource_version, &mut self.last_write, &mut self.log, e);
            obj.meta_mut().resource_version = Some(rv.to_string());
        }
        Ok(changed)
    }

    pub fn delete(&mut self, kind: Kind, namespace: &str, name: &str) -> Result<Object, StoreError> {
        self.trim();
        let (key, obj) = if kind == Kind::Event {
            let obj = self.events.remove(namespace, name).map(|(_, o)| o).ok_or(StoreError::NotFound)?;
            (Arc::new(ObjKey::new(namespace, name)), obj)
        } else {
            self.objects
                .get_mut(&kind)
                .and_then(|m| m.remove_entry(&(namespace, name) as &dyn KeyRef))
                .ok_or(StoreError::NotFound)?
        };
        self.bump(Change::Deleted, kind, key, Controllers::of(&obj));
        Ok(obj)
    }

    /// Changes after `resource_version`, oldest first. None if the log no longer reaches back
    /// that far (the watcher must relist, as an informer does after "too old resource
    /// version"). Every watcher reads the log at least once a tick, and the log keeps what
    /// was written since the previous tick began, so none is ever made to relist by a tick
    /// that wrote a lot: reading the backlog of a tick that started 150,000 pods costs a
    /// lookup or two per change, while relisting rebuilds a watcher's whole cache, and a tick
    /// that only wrote the pods' statuses leaves most caches as they were.
    pub fn watch(&self, resource_version: u64) -> Option<impl Iterator<Item = &WatchEvent>> {
        if let Some(first) = self.log.entries.front() {
            if first.resource_version > resource_version + 1 && resource_version < self.resource_version {
                return None;
            }
        }
        // The log is ordered by resourceVersion: find the start by binary search, so a watcher
        // that is nearly caught up pays for what changed, not for the whole log.
        let start = self.log.entries.partition_point(|e| e.resource_version <= resource_version);
        Some(self.log.entries.range(start..))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{ConfigMap, Event, EventSource, ObjectReference};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn cm(ns: &str, name: &str) -> Object {
        Object::ConfigMap(Box::new(ConfigMap {
            metadata: ObjectMeta { name: Some(name.into()), namespace: Some(ns.into()), ..Default::default() },
            ..Default::default()
        }))
    }

    /// An Event as `World::record_event` writes it.
    fn recorded(ns: &str, pod: &str, nanos: u64, reason: &str) -> Event {
        let t = crate::sim::clock::ARRIVAL.time();
        Event {
            metadata: ObjectMeta {
                name: Some(format!("{pod}.{nanos:x}")),
                namespace: Some(ns.into()),
                creation_timestamp: Some(t.clone()),
                uid: Some("6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5".into()),
                ..Default::default()
            },
            involved_object: ObjectReference {
                api_version: Some("v1".into()),
                kind: Some("Pod".into()),
                name: Some(pod.into()),
                namespace: Some(ns.into()),
                uid: Some("0a1b2c3d-4e5f-4a0b-8c1d-2e3f4a5b6c7d".into()),
                resource_version: Some("41".into()),
                field_path: Some("spec.containers{app}".into()),
            },
            reason: Some(reason.into()),
            message: Some(format!("{reason} container app")),
            source: Some(EventSource { component: Some("kubelet".into()), host: Some("node-1".into()) }),
            first_timestamp: Some(t.clone()),
            last_timestamp: Some(t),
            count: Some(1),
            type_: Some("Normal".into()),
            reporting_component: Some("kubelet".into()),
            reporting_instance: Some("node-1".into()),
            ..Default::default()
        }
    }

    fn stamped(mut e: Event, rv: u64) -> Object {
        e.metadata.resource_version = Some(rv.to_string());
        Object::Event(Box::new(e))
    }

    #[test]
    fn a_repeat_is_a_second_modification_of_the_same_object_since_the_last_barrier() {
        let mut s = Store::new();
        s.add(cm("default", "a")).unwrap();
        s.modify_changed(Kind::ConfigMap, "default", "a", |o| o.meta_mut().labels = Some(Default::default())).unwrap();
        s.modify_changed(Kind::ConfigMap, "default", "a", |o| o.meta_mut().labels = None).unwrap();
        s.delete(Kind::ConfigMap, "default", "a").unwrap();
        // Created again under the same name: another object, with another key.
        s.add(cm("default", "a")).unwrap();
        s.modify_changed(Kind::ConfigMap, "default", "a", |o| o.meta_mut().labels = Some(Default::default())).unwrap();
        let log: Vec<WatchEvent> = s.watch(0).unwrap().cloned().collect();
        let changes: Vec<Change> = log.iter().map(|e| e.change).collect();
        use Change::*;
        assert_eq!(changes, [Added, Modified, Modified, Deleted, Added, Modified]);
        let mut r = Repeats::default();
        let repeats: Vec<bool> = log.iter().map(|e| r.is_repeat(&e.key, e.change)).collect();
        assert_eq!(repeats, [false, true, true, false, false, true]);
        // After a barrier the object is read again, once.
        let mut r = Repeats::default();
        assert!(!r.is_repeat(&log[0].key, Added));
        r.barrier();
        assert!(!r.is_repeat(&log[1].key, Modified));
        assert!(r.is_repeat(&log[2].key, Modified));
    }

    #[test]
    fn a_recorded_event_is_kept_compact_and_reads_back_the_same() {
        let mut s = Store::new();
        let e = recorded("default", "web", 0x180f3a2b3c4d5e6f, "Started");
        let rv = s.add(Object::Event(Box::new(e.clone()))).unwrap();
        assert_eq!(s.events.compact_count(), 1);
        assert_eq!(s.get(Kind::Event, "default", "web.180f3a2b3c4d5e6f"), Some(&stamped(e.clone(), rv)));
        assert_eq!(s.list(Kind::Event, Some("default")), [&stamped(e.clone(), rv)]);
        assert_eq!(s.list(Kind::Event, Some("defaul")), Vec::<&Object>::new());
        assert_eq!(s.count(Kind::Event), 1);
        let v = s.event_view("default", "web.180f3a2b3c4d5e6f").unwrap();
        assert_eq!((v.reason(), v.involved_uid()), (Some("Started"), e.involved_object.uid.as_deref()));
        assert_eq!(s.keys(Kind::Event, None), [ObjKey::new("default", "web.180f3a2b3c4d5e6f")]);
        assert_eq!(s.delete(Kind::Event, "default", "web.180f3a2b3c4d5e6f"), Ok(stamped(e, rv)));
        assert_eq!(s.count(Kind::Event), 0);
    }

    #[test]
    fn an_event_with_more_than_the_recorder_writes_is_kept_whole() {
        let mut s = Store::new();
        let mut e = recorded("default", "web", 7, "Started");
        e.metadata.name = Some("my-event".into());
        e.metadata.labels = Some([("app".to_string(), "web".to_string())].into());
        e.action = Some("Starting".into());
        e.series = Some(k8s_openapi::api::core::v1::EventSeries {
            count: Some(3),
            last_observed_time: Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime(
                crate::sim::clock::ARRIVAL.datetime() + chrono::Duration::microseconds(250),
            )),
        });
        e.first_timestamp = Some(Time(crate::sim::clock::ARRIVAL.datetime() + chrono::Duration::milliseconds(5)));
        let created = s.create(Object::Event(Box::new(e.clone()))).unwrap();
        assert_eq!(created, stamped(e.clone(), 1));
        assert_eq!(s.events.compact_count(), 0);
        assert_eq!(s.get(Kind::Event, "default", "my-event"), Some(&created));
        e.count = Some(2);
        e.metadata.resource_version = Some("1".into());
        let updated = s.update(Object::Event(Box::new(e.clone()))).unwrap();
        assert_eq!(updated, stamped(e.clone(), 2));
        assert_eq!(s.get(Kind::Event, "default", "my-event"), Some(&updated));
        assert_eq!(s.update(Object::Event(Box::new(e))), Err(StoreError::Conflict));
        // Each oddity on its own is enough to keep an event whole.
        let odd: [fn(&mut Event); 5] = [
            |e| e.metadata.uid = Some("not-a-uuid".into()),
            |e| e.involved_object.resource_version = Some("007".into()),
            |e| e.count = None,
            |e| e.metadata.annotations = Some(Default::default()),
            |e| e.source.as_mut().unwrap().component = None,
        ];
        for (i, f) in odd.iter().enumerate() {
            let mut e = recorded("odd", "web", i as u64, "Pulled");
            f(&mut e);
            let rv = s.add(Object::Event(Box::new(e.clone()))).unwrap();
            assert_eq!(s.get(Kind::Event, "odd", &format!("web.{i:x}")), Some(&stamped(e, rv)));
        }
        assert_eq!(s.events.compact_count(), 0);
    }

    #[test]
    fn a_recorded_event_added_from_its_parts_is_stored_as_the_full_event_would_be() {
        let t = crate::sim::clock::ARRIVAL.time();
        let r = recorded("default", "web", 1, "Pulled");
        let with = |rv: Option<&'static str>, field_path, nanos, host| Recorded {
            involved: ObjectRef { resource_version: rv, field_path, ..ObjectRef::of(&r.involved_object) },
            type_: "Normal",
            reason: "Pulled",
            message: "Successfully pulled image \"nginx\"",
            component: "kubelet",
            host,
            nanos,
            uid: 0x0a1b2c3d_4e5f_4a0b_8c1d_2e3f4a5b6c7d,
            now: &t,
        };
        let cases = [
            with(Some("41"), Some("spec.containers{app}"), 0x180f3a2b3c4d5e6f, Some("node-1")),
            with(None, None, 0x180f3a2b3c4d5e70, None),
            // Not from the parts: a resourceVersion no record holds (kept whole), a name
            // number past u64 (a record keyed by the whole name).
            with(Some("007"), None, 0x10, Some("node-1")),
            with(Some("41"), None, u128::from(u64::MAX) + 5, Some("node-1")),
        ];
        let (mut direct, mut full) = (Store::new(), Store::new());
        for r in &cases {
            let a = direct.add_recorded_event("default", r).unwrap();
            let b = full.add(Object::Event(Box::new(r.event("default")))).unwrap();
            assert_eq!(a, b);
        }
        assert_eq!(direct.events.compact_count(), 3);
        assert_eq!(direct.list(Kind::Event, None), full.list(Kind::Event, None));
        assert_eq!(direct.watch(0).unwrap().collect::<Vec<_>>(), full.watch(0).unwrap().collect::<Vec<_>>());
        // The same name again is refused, as a create would be.
        assert_eq!(direct.add_recorded_event("default", &cases[0]), Err(StoreError::AlreadyExists));
        let name = format!("web.{:x}", 0x180f3a2b3c4d5e6fu64);
        let e = direct.get(Kind::Event, "default", &name).and_then(|o| o.as_event()).unwrap();
        assert_eq!(e.metadata.uid.as_deref(), Some("0a1b2c3d-4e5f-4a0b-8c1d-2e3f4a5b6c7d"));
        assert_eq!(e.reporting_instance.as_deref(), Some("node-1"));
        // Repeats find it.
        let series =
            Series { involved: cases[0].involved, reason: "Pulled", message: cases[0].message, component: "kubelet" };
        assert!(direct.repeat_event("default", &series, &t));
        assert!(full.repeat_event("default", &series, &t));
        assert_eq!(direct.list(Kind::Event, None), full.list(Kind::Event, None));
    }

    #[test]
    fn repeats_bump_count_in_place_and_show_in_get_list_and_watch() {
        let mut s = Store::new();
        let e = recorded("default", "web", 0x10, "Pulled");
        let other = recorded("default", "web", 0x11, "Created");
        s.add(Object::Event(Box::new(e.clone()))).unwrap();
        s.add(Object::Event(Box::new(other.clone()))).unwrap();
        let later = crate::sim::clock::ARRIVAL.plus_s(30).time();
        let series = Series {
            involved: ObjectRef::of(&e.involved_object),
            reason: "Pulled",
            message: "Pulled container app",
            component: "kubelet",
        };
        assert!(s.repeat_event("default", &series, &later));
        let elsewhere = Series { component: "default-scheduler", ..series };
        assert!(!s.repeat_event("default", &elsewhere, &later));
        assert!(!s.repeat_event("kube-system", &series, &later));
        let mut want = e.clone();
        want.count = Some(2);
        want.last_timestamp = Some(later);
        assert_eq!(s.get(Kind::Event, "default", "web.10"), Some(&stamped(want.clone(), 3)));
        assert_eq!(s.list(Kind::Event, None), [&stamped(want, 3), &stamped(other, 2)]);
        let changes: Vec<_> = s.watch(2).unwrap().map(|w| (w.change, w.key.name.clone())).collect();
        assert_eq!(changes, [(Change::Modified, "web.10".to_string())]);
        assert_eq!(s.events.compact_count(), 2);
        // The generic write path keeps the record too.
        s.modify(Kind::Event, "default", "web.11", |o| {
            if let Object::Event(e) = o {
                e.count = Some(5);
            }
        })
        .unwrap();
        assert_eq!(s.get(Kind::Event, "default", "web.11").and_then(|o| o.as_event()).and_then(|e| e.count), Some(5));
        assert_eq!(s.resource_version(), 4);
        s.modify(Kind::Event, "default", "web.11", |_| {}).unwrap();
        assert_eq!(s.resource_version(), 4, "no change, no write");
        assert_eq!(s.events.compact_count(), 2);
    }

    #[test]
    fn built_objects_are_dropped_at_the_next_write_or_trim() {
        let mut s = Store::new();
        for i in 0..3 {
            s.add(Object::Event(Box::new(recorded("default", "web", i, "Started")))).unwrap();
        }
        assert_eq!(s.events.cached(), 0);
        assert_eq!(s.list(Kind::Event, None).len(), 3);
        assert_eq!(s.events.cached(), 3);
        s.trim();
        assert_eq!(s.events.cached(), 0);
        s.get(Kind::Event, "default", "web.1").unwrap();
        assert_eq!(s.events.cached(), 1);
        s.create(cm("default", "a")).unwrap();
        assert_eq!(s.events.cached(), 0);
        // Reading fields in place builds nothing.
        assert_eq!(s.event_views(Some("default")).filter(|v| v.reason() == Some("Started")).count(), 3);
        assert_eq!(s.events.cached(), 0);
    }

    #[test]
    fn the_log_keeps_what_was_written_since_the_previous_tick_began() {
        let mut s = Store::new();
        s.create(cm("default", "a")).unwrap();
        let touch = |s: &mut Store| s.modify_changed(Kind::ConfigMap, "default", "a", |_| {}).unwrap();
        // A watcher that read at the end of the last tick, then a tick writing past the
        // capacity: the watcher can still follow.
        s.begin_tick();
        let cursor = s.resource_version();
        s.begin_tick();
        for _ in 0..LOG_CAPACITY + 10 {
            touch(&mut s);
        }
        assert_eq!(s.watch(cursor).map(Iterator::count), Some(LOG_CAPACITY + 10));
        assert_eq!(s.watch(cursor + 10).map(Iterator::count), Some(LOG_CAPACITY));
        // Two ticks on, the old writes are compacted away, a couple at each write: a watcher
        // that far behind relists.
        s.begin_tick();
        s.begin_tick();
        let before = s.log.entries.len();
        assert_eq!(before, LOG_CAPACITY + 10);
        touch(&mut s);
        assert_eq!(s.log.entries.len(), before + 1 - COMPACT_PER_WRITE);
        assert!(s.watch(cursor).is_none());
        let mut writes = 1;
        while s.log.entries.len() > LOG_CAPACITY {
            touch(&mut s);
            writes += 1;
        }
        assert_eq!(writes, 10);
        touch(&mut s);
        assert_eq!(s.log.entries.len(), LOG_CAPACITY);
        let recent = s.resource_version() - 5;
        assert_eq!(s.watch(recent).map(Iterator::count), Some(5));
        // The entries share the store's key.
        let logged = &s.log.entries.back().unwrap().key;
        assert!(Arc::strong_count(logged) > LOG_CAPACITY);
    }

    #[test]
    fn the_log_tells_which_workloads_a_pod_named_as_its_controller() {
        use k8s_openapi::api::core::v1::Pod;
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
        let owner = |api: &str, kind: &str, controller: Option<bool>| OwnerReference {
            api_version: api.into(),
            kind: kind.into(),
            name: "o".into(),
            uid: "u".into(),
            controller,
            ..Default::default()
        };
        let pod = |name: &str, refs: Vec<OwnerReference>| {
            Object::Pod(Arc::new(Pod {
                metadata: ObjectMeta {
                    name: Some(name.into()),
                    namespace: Some("default".into()),
                    owner_references: Some(refs),
                    ..Default::default()
                },
                ..Default::default()
            }))
        };
        let mut s = Store::new();
        s.create(pod("rs", vec![owner("apps/v1", "ReplicaSet", Some(true))])).unwrap();
        // Two controllers (the API server would refuse it; the controllers would each see it).
        s.create(pod("two", vec![owner("batch/v1", "Job", Some(true)), owner("apps/v1", "DaemonSet", Some(true))]))
            .unwrap();
        // Owners that are not controllers, or not of the workload's apiVersion, name none.
        s.create(pod("plain", vec![owner("batch/v1", "Job", None), owner("apps/v1", "StatefulSet", Some(false))]))
            .unwrap();
        s.create(pod("other", vec![owner("example.com/v1", "Job", Some(true))])).unwrap();
        s.create(cm("default", "cm")).unwrap();
        // Modified and Deleted entries are tagged from the object as written and as removed.
        s.modify_changed(Kind::Pod, "default", "plain", |o| {
            if let Object::Pod(p) = o {
                Arc::make_mut(p).metadata.owner_references = Some(vec![owner("apps/v1", "StatefulSet", Some(true))]);
            }
        })
        .unwrap();
        s.delete(Kind::Pod, "default", "two").unwrap();
        let kinds = [Kind::ReplicaSet, Kind::Job, Kind::StatefulSet, Kind::DaemonSet, Kind::Deployment];
        let tags: Vec<(String, Vec<bool>)> = s
            .watch(0)
            .unwrap()
            .map(|e| (e.key.name.clone(), kinds.iter().map(|k| e.controllers.may_include(*k)).collect()))
            .collect();
        let (t, f) = (true, false);
        assert_eq!(
            tags,
            vec![
                ("rs".to_string(), vec![t, f, f, f, t]),
                ("two".to_string(), vec![f, t, f, t, t]),
                ("plain".to_string(), vec![f, f, f, f, t]),
                ("other".to_string(), vec![f, f, f, f, t]),
                ("cm".to_string(), vec![t, t, t, t, t]),
                ("plain".to_string(), vec![f, f, t, f, t]),
                ("two".to_string(), vec![f, t, f, t, t]),
            ]
        );
    }

    #[test]
    fn the_log_tells_which_writes_left_the_uid_and_owners_alone() {
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
        let owner = |uid: &str| OwnerReference { uid: uid.into(), ..Default::default() };
        let set_owners = |refs: Option<Vec<OwnerReference>>| {
            move |o: &mut Object| {
                o.meta_mut().owner_references = refs.clone();
            }
        };
        let mut s = Store::new();
        let mut obj = cm("default", "a");
        obj.meta_mut().uid = Some("u-1".into());
        s.create(obj).unwrap();
        let mut expect = vec![false]; // Added
        let mut step = |s: &mut Store, f: &dyn Fn(&mut Object), same: bool| {
            s.modify_changed(Kind::ConfigMap, "default", "a", f).unwrap();
            expect.push(same);
        };
        let set_data = |data: Option<BTreeMap<String, String>>| {
            move |o: &mut Object| {
                if let Object::ConfigMap(c) = o {
                    c.data = data.clone();
                }
            }
        };
        let edit_owner = |i: usize, f: fn(&mut OwnerReference)| {
            move |o: &mut Object| f(&mut o.meta_mut().owner_references.get_or_insert_with(Vec::new)[i])
        };
        // A data change: owners alone.
        step(&mut s, &set_data(Some([("k".to_string(), "v".to_string())].into())), true);
        // No owners → an empty list: the same (no uid either way).
        step(&mut s, &set_owners(Some(vec![])), true);
        step(&mut s, &set_owners(Some(vec![owner("o-1")])), false);
        // Another owner reference with the same uid (other fields are not the graph's).
        step(&mut s, &edit_owner(0, |r| r.name = "renamed".into()), true);
        // The uid changed in place, to one of the same length.
        step(&mut s, &edit_owner(0, |r| r.uid.replace_range(2..3, "2")), false);
        // A second owner; then the object's own uid.
        step(&mut s, &set_owners(Some(vec![owner("o-2"), owner("o-2")])), false);
        step(&mut s, &|o: &mut Object| o.meta_mut().uid = Some("u-2".into()), false);
        // More owners than the snapshot holds inline: a data change, then the last uid's last
        // byte changed in place.
        let long: Vec<OwnerReference> =
            (0..5).map(|i| owner(&format!("{i}-0000000-0000-0000-0000-000000000000"))).collect();
        step(&mut s, &set_owners(Some(long)), false);
        step(&mut s, &set_data(None), true);
        step(&mut s, &edit_owner(4, |r| r.uid.replace_range(35..36, "1")), false);
        step(&mut s, &set_owners(Some(vec![owner("o-2"), owner("o-2")])), false);
        // Updates compare with the stored object: the same owners, then one fewer.
        let mut o = s.get(Kind::ConfigMap, "default", "a").unwrap().clone();
        o.meta_mut().labels = Some([("l".to_string(), "1".to_string())].into());
        let mut o = s.update(o).unwrap();
        expect.push(true);
        o.meta_mut().owner_references = Some(vec![owner("o-2")]);
        s.update(o).unwrap();
        expect.push(false);
        s.delete(Kind::ConfigMap, "default", "a").unwrap();
        expect.push(false);
        let got: Vec<bool> = s.watch(0).unwrap().map(|e| e.owners_same).collect();
        assert_eq!(got, expect);
    }

    /// A write that keeps the owners logs them unchanged without reading them, and says
    /// whether it changed anything as `modify_reported` does; one that does change them is
    /// caught in a debug build.
    #[test]
    fn a_write_that_keeps_the_owners_logs_them_unchanged() {
        let mut s = Store::new();
        s.add(cm("default", "a")).unwrap();
        let set = |v: &'static str| {
            move |o: &mut Object| {
                let labels = o.meta_mut().labels.get_or_insert_with(Default::default);
                labels.insert("l".into(), v.into()).as_deref() != Some(v)
            }
        };
        assert_eq!(s.modify_keeping_owners(Kind::ConfigMap, "default", "a", set("1")), Ok(true));
        assert_eq!(s.modify_keeping_owners(Kind::ConfigMap, "default", "a", set("1")), Ok(false));
        assert_eq!(s.modify_keeping_owners(Kind::ConfigMap, "x", "a", set("1")), Err(StoreError::NotFound));
        let log: Vec<(Change, bool)> = s.watch(0).unwrap().map(|e| (e.change, e.owners_same)).collect();
        assert_eq!(log, [(Change::Added, false), (Change::Modified, true)]);
        if cfg!(debug_assertions) {
            let mut s = s.clone();
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                s.modify_keeping_owners(Kind::ConfigMap, "default", "a", |o| {
                    o.meta_mut().uid = Some("other".into());
                    true
                })
            }));
            assert!(caught.is_err(), "a changed uid should be caught");
        }
    }

    #[test]
    fn verbs_and_watch() {
        let mut s = Store::new();
        s.create(cm("default", "b")).unwrap();
        s.create(cm("default", "a")).unwrap();
        s.create(cm("other", "a")).unwrap();
        s.create(cm("default2", "0")).unwrap();
        s.create(cm("defaul", "z")).unwrap();
        assert_eq!(s.create(cm("default", "a")), Err(StoreError::AlreadyExists));
        let names: Vec<_> = s.list(Kind::ConfigMap, Some("default")).iter().map(|o| o.name().to_string()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(s.list(Kind::ConfigMap, None).len(), 5);
        let mut stale = cm("default", "a");
        stale.meta_mut().resource_version = Some("1".into());
        assert_eq!(s.update(stale), Err(StoreError::Conflict));
        s.delete(Kind::ConfigMap, "default", "b").unwrap();
        let changes: Vec<_> = s.watch(5).unwrap().map(|e| (e.change, e.key.name.clone())).collect();
        assert_eq!(changes, [(Change::Deleted, "b".to_string())]);
    }
}
