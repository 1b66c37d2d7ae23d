//! Events, recorded the way the kubelet's and scheduler's event recorders do: one Event object
//! per (object, reason, message, source), its count and lastTimestamp bumped when it repeats.

use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::clock::Tick;
use super::object::{Kind, Object};
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
    let m = obj.meta();
    ObjectReference {
        api_version: Some(obj.kind().api_version().to_string()),
        kind: Some(obj.kind().name().to_string()),
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
        let same = self.store.list(Kind::Event, Some(&ns)).into_iter().find_map(|o| {
            let e = o.as_event()?;
            (e.involved_object.uid == involved.uid
                && e.involved_object.field_path == involved.field_path
                && e.involved_object.name == involved.name
                && e.reason.as_deref() == Some(reason)
                && e.message.as_deref() == Some(message)
                && e.source.as_ref().and_then(|s| s.component.as_deref()) == Some(source.component.as_str()))
            .then(|| e.metadata.name.clone().unwrap_or_default())
        });
        if let Some(name) = same {
            let _ = self.store.modify(Kind::Event, &ns, &name, |o| {
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
        let _ = self.store.create(Object::Event(event));
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
