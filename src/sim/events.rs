//! Events, recorded the way the kubelet's and scheduler's event recorders do: one Event object
//! per (object, reason, message, source), its count and lastTimestamp bumped when it repeats.
//! The store keeps them compactly and finds repeats itself (`sim::store::events`).

use k8s_openapi::api::core::v1::{Event, ObjectReference};

use super::object::{Kind, Object};
use super::store::{ObjectRef, Recorded, Series};
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

/// A reference to a pod, borrowed (what [`pod_reference`] copies).
pub fn pod_object_ref<'a>(pod: &'a k8s_openapi::api::core::v1::Pod, field_path: Option<&'a str>) -> ObjectRef<'a> {
    let m = &pod.metadata;
    ObjectRef {
        api_version: Some(Kind::Pod.api_version()),
        kind: Some(Kind::Pod.name()),
        name: m.name.as_deref(),
        namespace: m.namespace.as_deref(),
        uid: m.uid.as_deref(),
        resource_version: m.resource_version.as_deref(),
        field_path,
    }
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
        self.record_event_ref(
            ObjectRef::of(&involved),
            type_,
            reason,
            message,
            &source.component,
            source.host.as_deref(),
        );
    }

    /// [`World::record_event`] with the reference and source borrowed (hot recorders: the
    /// kubelet's and the scheduler's).
    pub fn record_event_ref(
        &mut self,
        involved: ObjectRef<'_>,
        type_: EventType,
        reason: &str,
        message: &str,
        component: &str,
        host: Option<&str>,
    ) {
        let ns = involved.namespace.unwrap_or("default");
        let now = self.now;
        let t = now.time();
        let series = Series { involved, reason, message, component };
        // A repeat bumps the count of the first event of the series (by name, as a namespace
        // list returns them), found and bumped in place.
        if self.store.repeat_event(ns, &series, &t) {
            return;
        }
        self.event_seq += 1;
        // The recorder names events <object>.<unix nanos in hex>; the sequence keeps names
        // unique within one simulated second.
        let nanos = (now.unix_s() as u128) * 1_000_000_000 + self.event_seq as u128;
        let uid = self.new_uid_bits();
        let event = Recorded { involved, type_: type_.as_str(), reason, message, component, host, nanos, uid, now: &t };
        let _ = self.store.add_recorded_event(ns, &event);
    }

    /// Events about an object, oldest first (by first seen, then name). Only those are
    /// built as objects; the others are read in place.
    pub fn events_for(&self, kind: Kind, namespace: &str, name: &str) -> Vec<&Event> {
        let ns = if namespace.is_empty() { "default" } else { namespace };
        let mut v: Vec<_> = self
            .store
            .event_views(Some(ns))
            .filter(|e| e.involved_kind() == Some(kind.name()) && e.involved_name() == Some(name))
            .map(|e| ((e.first_timestamp().map(|t| t.0), e.name()), e))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v.into_iter().filter_map(|(_, e)| e.object().as_event()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_bits_print_as_the_uid_the_same_draw_makes() {
        use rand::Rng;
        let (mut a, mut b) = (World::bare(7), World::bare(7));
        for _ in 0..200 {
            // The draw printed byte by byte, version 4 and variant bits set (RFC 4122).
            let x: [u8; 16] = b.rng.gen();
            let expected = format!(
                "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-4{:01x}{:02x}-{:01x}{:01x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
                x[0], x[1], x[2], x[3], x[4], x[5], x[6] & 0x0f, x[7], 8 | (x[8] & 0x3), x[8] >> 4, x[9],
                x[10], x[11], x[12], x[13], x[14], x[15]
            );
            assert_eq!(a.new_uid(), expected);
        }
        // And the uid printer agrees with Go's layout for any number.
        let n: u128 = 0x0a1b2c3d_4e5f_4a0b_8c1d_2e3f4a5b6c7d;
        assert_eq!(crate::sim::store::format_uid(n), "0a1b2c3d-4e5f-4a0b-8c1d-2e3f4a5b6c7d");
        assert_eq!(crate::sim::store::format_uid(0), "00000000-0000-0000-0000-000000000000");
    }
}
