//! Events, recorded the way the kubelet's and scheduler's event recorders do: one Event object
//! per (object, reason, message, source), its count and lastTimestamp bumped when it repeats.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::clock::Tick;
use super::object::{Kind, Object};
use super::store::{Change, Store};
use super::World;

/// Normal or Warning, as Event.type says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Normal,
    Warning,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// Who reports an event: the component and, for kubelets, the node.
#[derive(Clone, Debug)]
pub struct Source {
    pub component: String,
    pub host: Option<String>,
}

impl Source {
    pub fn kubelet(node: &str) -> Source {
        Source { component: "kubelet".into(), host: Some(node.into()) }
    }
    pub fn scheduler() -> Source {
        Source { component: "default-scheduler".into(), host: None }
    }
    pub fn controller(name: &str) -> Source {
        Source { component: name.into(), host: None }
    }
}

/// A reference to the object an event is about.
pub fn object_reference(obj: &Object, field_path: Option<&str>) -> ObjectReference {
    reference_to(obj.kind(), obj.meta(), field_path)
}

/// A reference to a pod (without copying it into an [`Object`] first).
pub fn pod_reference(pod: &k8s_openapi::api::core::v1::Pod, field_path: Option<&str>) -> ObjectReference {
    reference_to(Kind::Pod, &pod.metadata, field_path)
}

/// A reference to an object of `kind` with metadata `m` (without copying it into an
/// [`Object`] first).
pub fn meta_reference(
    kind: Kind,
    m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    field_path: Option<&str>,
) -> ObjectReference {
    reference_to(kind, m, field_path)
}

fn reference_to(
    kind: Kind,
    m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    field_path: Option<&str>,
) -> ObjectReference {
    ObjectReference {
        api_version: Some(kind.api_version().to_string()),
        kind: Some(kind.name().to_string()),
        name: m.name.clone(),
        namespace: m.namespace.clone(),
        uid: m.uid.clone(),
        resource_version: m.resource_version.clone(),
        field_path: field_path.map(str::to_string),
    }
}

impl World {
    /// Records an event about `involved`; a repeat of the same event bumps its count.
    pub fn record_event(
        &mut self,
        involved: ObjectReference,
        type_: EventType,
        reason: &str,
        message: &str,
        source: Source,
    ) {
        let ns = involved.namespace.clone().unwrap_or_else(|| "default".to_string());
        let now = self.now;
        let hash = series_hash(&ns, &involved, reason, message, &source.component);
        self.event_index.sync(&self.store);
        let same = self.event_index.find(&self.store, &ns, hash, |e| {
            e.involved_object.uid == involved.uid
                && e.involved_object.field_path == involved.field_path
                && e.involved_object.name == involved.name
                && e.reason.as_deref() == Some(reason)
                && e.message.as_deref() == Some(message)
                && e.source.as_ref().and_then(|s| s.component.as_deref()) == Some(source.component.as_str())
        });
        if let Some(name) = same {
            let _ = self.store.modify_changed(Kind::Event, &ns, &name, |o| {
                if let Object::Event(e) = o {
                    e.count = Some(e.count.unwrap_or(1) + 1);
                    e.last_timestamp = Some(now.time());
                }
            });
            return;
        }
        self.event_seq += 1;
        // The recorder names events <object>.<unix nanos in hex>; the sequence keeps names
        // unique within one simulated second.
        let nanos = (now.unix_s() as u128) * 1_000_000_000 + self.event_seq as u128;
        let name = format!("{}.{:x}", involved.name.clone().unwrap_or_default(), nanos);
        let event = Event {
            metadata: ObjectMeta {
                name: Some(name),
                namespace: Some(ns),
                creation_timestamp: Some(now.time()),
                uid: Some(self.new_uid()),
                ..Default::default()
            },
            involved_object: involved,
            reason: Some(reason.to_string()),
            message: Some(message.to_string()),
            source: Some(EventSource { component: Some(source.component.clone()), host: source.host.clone() }),
            first_timestamp: Some(now.time()),
            last_timestamp: Some(now.time()),
            count: Some(1),
            type_: Some(type_.as_str().to_string()),
            reporting_component: Some(source.component),
            reporting_instance: Some(source.host.unwrap_or_default()),
            ..Default::default()
        };
        let _ = self.store.add(Object::Event(Box::new(event)));
    }

    /// Events about an object, oldest first (by last seen, then name).
    pub fn events_for(&self, kind: Kind, namespace: &str, name: &str) -> Vec<&Event> {
        let ns = if namespace.is_empty() { "default" } else { namespace };
        let mut v: Vec<&Event> = self
            .store
            .list(Kind::Event, Some(ns))
            .into_iter()
            .filter_map(|o| o.as_event())
            .filter(|e| {
                e.involved_object.kind.as_deref() == Some(kind.name())
                    && e.involved_object.name.as_deref() == Some(name)
            })
            .collect();
        v.sort_by_key(|e| (e.first_timestamp.as_ref().map(|t| t.0), e.metadata.name.clone()));
        v
    }
}

/// The tick an event was last seen.
pub fn last_seen(e: &Event) -> Tick {
    e.last_timestamp.as_ref().or(e.first_timestamp.as_ref()).map(super::clock::tick_of).unwrap_or_default()
}

/// What makes two events "the same" for the recorder (object, field path, reason, message,
/// source component) as a hash: the key of [`Index`]. A hash, not the data, because the index
/// has an entry per event; candidates are compared in full.
fn series_hash(ns: &str, involved: &ObjectReference, reason: &str, message: &str, component: &str) -> u64 {
    // `DefaultHasher::new()` has fixed keys: the same input hashes the same in every run. The
    // hash only finds candidates; it never reaches behaviour or output.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (ns, &involved.uid, &involved.field_path, &involved.name, reason, message, component).hash(&mut h);
    h.finish()
}

fn event_hash(e: &Event) -> u64 {
    let ns = e.metadata.namespace.as_deref().unwrap_or("");
    let component = e.source.as_ref().and_then(|s| s.component.as_deref());
    // An event without reason, message or component never matches a recorded one: no entry.
    match (e.reason.as_deref(), e.message.as_deref(), component) {
        (Some(r), Some(m), Some(c)) => series_hash(ns, &e.involved_object, r, m, c),
        _ => 0,
    }
}

/// Adds `name` to a sorted list of names, once.
fn insert_sorted(names: &mut Vec<String>, name: String) {
    if let Err(i) = names.binary_search(&name) {
        names.insert(i, name);
    }
}

/// The event recorder's index of the Events in the store by [`series_hash`], kept from the
/// store's change log, so recording an event costs the same however many events exist.
#[derive(Clone, Debug, Default)]
pub struct Index {
    cursor: u64,
    synced: bool,
    /// (namespace, hash) → names of events that hashed so when last written, sorted (entries
    /// for events since deleted or changed are dropped when found stale). A sorted `Vec`
    /// rather than a set: nearly every entry holds one name, and a set's node is ten times
    /// its size.
    by_hash: BTreeMap<(String, u64), Vec<String>>,
}

impl Index {
    /// Catches up with the store's change log (relisting every Event if it was outrun).
    fn sync(&mut self, store: &Store) {
        let rv = store.resource_version();
        if self.synced && self.cursor == rv {
            return;
        }
        let events: Option<Vec<(Change, String, String)>> = if self.synced {
            store.watch(self.cursor).map(|it| {
                it.filter(|e| e.kind == Kind::Event)
                    .map(|e| (e.change, e.key.namespace.clone(), e.key.name.clone()))
                    .collect()
            })
        } else {
            None
        };
        match events {
            Some(events) => {
                for (change, ns, name) in events {
                    if change == Change::Deleted {
                        continue;
                    }
                    if let Some(e) = store.get(Kind::Event, &ns, &name).and_then(|o| o.as_event()) {
                        insert_sorted(self.by_hash.entry((ns, event_hash(e))).or_default(), name);
                    }
                }
            }
            None => {
                self.by_hash.clear();
                for o in store.list(Kind::Event, None) {
                    if let Some(e) = o.as_event() {
                        let key = (o.namespace().to_string(), event_hash(e));
                        insert_sorted(self.by_hash.entry(key).or_default(), o.name().to_string());
                    }
                }
            }
        }
        self.cursor = rv;
        self.synced = true;
    }

    /// The first event (by name, as a namespace list returns them) with this hash that
    /// `matches`; stale entries met on the way are dropped.
    fn find(&mut self, store: &Store, ns: &str, hash: u64, matches: impl Fn(&Event) -> bool) -> Option<String> {
        let key = (ns.to_string(), hash);
        let names = self.by_hash.get_mut(&key)?;
        let mut found = None;
        let mut stale = Vec::new();
        for name in names.iter() {
            match store.get(Kind::Event, ns, name).and_then(|o| o.as_event()) {
                Some(e) if event_hash(e) == hash => {
                    if matches(e) {
                        found = Some(name.clone());
                        break;
                    }
                }
                _ => stale.push(name.clone()),
            }
        }
        names.retain(|n| !stale.contains(n));
        if names.is_empty() {
            self.by_hash.remove(&key);
        }
        found
    }
}
