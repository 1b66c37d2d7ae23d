//! The API objects the simulated cluster stores: one enum over the k8s-openapi types, with the
//! facts about each kind (group, version, plural, scope) that the store, the API layer and
//! kubectl's discovery need.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;
use std::sync::Arc;

/// How a stored object is held. Most kinds are boxed; Pods, which controllers, the
/// scheduler and the kubelets copy out of the store many times a second at scale, are
/// shared (`Arc`) and copied on write, so taking a copy is a reference count, not a deep
/// clone of the pod spec.
pub trait ObjPtr<T> {
    /// The object, for writing: a shared one is copied first if anyone else holds it.
    fn get_mut(&mut self) -> &mut T;
    /// The object itself, copied only if anyone else holds it.
    fn into_inner(self) -> T;
}

impl<T> ObjPtr<T> for Box<T> {
    fn get_mut(&mut self) -> &mut T {
        self
    }
    fn into_inner(self) -> T {
        *self
    }
}

impl<T: Clone> ObjPtr<T> for Arc<T> {
    fn get_mut(&mut self) -> &mut T {
        Arc::make_mut(self)
    }
    fn into_inner(self) -> T {
        Arc::unwrap_or_clone(self)
    }
}

macro_rules! kinds {
    ($( $kind:ident => $ty:ty, $namespaced:expr, [$($short:literal),*], $ptr:ident; )*) => {
        /// Every kind the simulated API server serves.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind { $($kind),* }

        /// A stored API object.
        // Every variant is boxed: the k8s-openapi types differ widely in size (a
        // PersistentVolume's or a Pod's inline part is several KB, an Event's a few hundred
        // bytes), and an unboxed enum is as large as its largest variant, so every stored
        // Event (thousands at scale) would take the room of a PersistentVolume.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Object { $($kind($ptr<$ty>)),* }

        $(
        impl From<$ty> for Object {
            fn from(o: $ty) -> Object {
                Object::$kind($ptr::new(o))
            }
        }
        impl From<Box<$ty>> for Object {
            fn from(o: Box<$ty>) -> Object {
                Object::$kind(o.into())
            }
        }
        )*

        impl Kind {
            pub const ALL: &'static [Kind] = &[$(Kind::$kind),*];

            pub fn name(self) -> &'static str {
                match self { $(Kind::$kind => <$ty as k8s_openapi::Resource>::KIND),* }
            }
            pub fn group(self) -> &'static str {
                match self { $(Kind::$kind => <$ty as k8s_openapi::Resource>::GROUP),* }
            }
            pub fn version(self) -> &'static str {
                match self { $(Kind::$kind => <$ty as k8s_openapi::Resource>::VERSION),* }
            }
            pub fn api_version(self) -> &'static str {
                match self { $(Kind::$kind => <$ty as k8s_openapi::Resource>::API_VERSION),* }
            }
            /// The resource name in URLs and messages (`pods`, `deployments`).
            pub fn plural(self) -> &'static str {
                match self { $(Kind::$kind => <$ty as k8s_openapi::Resource>::URL_PATH_SEGMENT),* }
            }
            pub fn namespaced(self) -> bool {
                match self { $(Kind::$kind => $namespaced),* }
            }
            pub fn short_names(self) -> &'static [&'static str] {
                match self { $(Kind::$kind => &[$($short),*]),* }
            }
            /// The kind for an apiVersion/kind pair as written in a manifest.
            pub fn from_api_version_kind(api_version: &str, kind: &str) -> Option<Kind> {
                Kind::ALL.iter().copied().find(|k| k.api_version() == api_version && k.name() == kind)
            }
        }

        impl Object {
            pub fn kind(&self) -> Kind {
                match self { $(Object::$kind(_) => Kind::$kind),* }
            }
            pub fn meta(&self) -> &ObjectMeta {
                match self { $(Object::$kind(o) => &o.metadata),* }
            }
            pub fn meta_mut(&mut self) -> &mut ObjectMeta {
                match self { $(Object::$kind(o) => &mut ObjPtr::get_mut(o).metadata),* }
            }
            /// The object as JSON, with apiVersion and kind set, keys sorted.
            pub fn to_value(&self) -> Value {
                let v = match self { $(Object::$kind(o) => serde_json::to_value(o)),* };
                v.unwrap_or(Value::Null)
            }
            /// Decodes JSON of a known kind, leniently (unknown fields ignored). The API layer
            /// does strict decoding of user input before objects reach this point.
            pub fn from_value(kind: Kind, v: Value) -> Result<Object, String> {
                match kind {
                    $(Kind::$kind => serde_json::from_value::<$ty>(v).map(Object::from).map_err(|e| e.to_string())),*
                }
            }
        }
    };
}

use k8s_openapi::api::{
    apps::v1 as apps, autoscaling::v2 as autoscaling, batch::v1 as batch, coordination::v1 as coordination,
    core::v1 as core, discovery::v1 as discovery, networking::v1 as networking, policy::v1 as policy, rbac::v1 as rbac,
    scheduling::v1 as scheduling, storage::v1 as storage,
};

kinds! {
    Pod => core::Pod, true, ["po"], Arc;
    Node => core::Node, false, ["no"], Box;
    Namespace => core::Namespace, false, ["ns"], Box;
    ConfigMap => core::ConfigMap, true, ["cm"], Box;
    Secret => core::Secret, true, [], Box;
    Event => core::Event, true, ["ev"], Box;
    ServiceAccount => core::ServiceAccount, true, ["sa"], Box;
    Service => core::Service, true, ["svc"], Box;
    Endpoints => core::Endpoints, true, ["ep"], Box;
    PersistentVolume => core::PersistentVolume, false, ["pv"], Box;
    PersistentVolumeClaim => core::PersistentVolumeClaim, true, ["pvc"], Box;
    ResourceQuota => core::ResourceQuota, true, ["quota"], Box;
    LimitRange => core::LimitRange, true, ["limits"], Box;
    Deployment => apps::Deployment, true, ["deploy"], Arc;
    ReplicaSet => apps::ReplicaSet, true, ["rs"], Arc;
    DaemonSet => apps::DaemonSet, true, ["ds"], Box;
    StatefulSet => apps::StatefulSet, true, ["sts"], Box;
    ControllerRevision => apps::ControllerRevision, true, [], Box;
    Job => batch::Job, true, [], Box;
    CronJob => batch::CronJob, true, ["cj"], Box;
    HorizontalPodAutoscaler => autoscaling::HorizontalPodAutoscaler, true, ["hpa"], Box;
    Ingress => networking::Ingress, true, ["ing"], Box;
    IngressClass => networking::IngressClass, false, [], Box;
    NetworkPolicy => networking::NetworkPolicy, true, ["netpol"], Box;
    EndpointSlice => discovery::EndpointSlice, true, [], Box;
    StorageClass => storage::StorageClass, false, ["sc"], Box;
    PodDisruptionBudget => policy::PodDisruptionBudget, true, ["pdb"], Box;
    Role => rbac::Role, true, [], Box;
    RoleBinding => rbac::RoleBinding, true, [], Box;
    ClusterRole => rbac::ClusterRole, false, [], Box;
    ClusterRoleBinding => rbac::ClusterRoleBinding, false, [], Box;
    PriorityClass => scheduling::PriorityClass, false, ["pc"], Box;
    Lease => coordination::Lease, true, [], Box;
}

impl Kind {
    /// Singular lower-case name (`pod`, `deployment`), as kubectl accepts it.
    pub fn singular(self) -> String {
        self.name().to_ascii_lowercase()
    }

    /// `deployment.apps` style (singular qualified by group), as kubectl names objects in
    /// `deployment.apps/web created`.
    pub fn qualified_singular(self) -> String {
        if self.group().is_empty() {
            self.singular()
        } else {
            format!("{}.{}", self.singular(), self.group())
        }
    }

    /// `deployments.apps` style: plural qualified by group (plain plural for the core group).
    pub fn qualified_plural(self) -> String {
        if self.group().is_empty() {
            self.plural().to_string()
        } else {
            format!("{}.{}", self.plural(), self.group())
        }
    }
}

impl Object {
    pub fn name(&self) -> &str {
        self.meta().name.as_deref().unwrap_or("")
    }
    pub fn namespace(&self) -> &str {
        self.meta().namespace.as_deref().unwrap_or("")
    }
    pub fn key(&self) -> ObjKey {
        ObjKey::new(self.namespace(), self.name())
    }
}

/// Namespace and name of an object ("" namespace for cluster-scoped kinds). Ordered, so lists
/// come out sorted by namespace then name, as the API server returns them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ObjKey {
    pub namespace: String,
    pub name: String,
}

impl ObjKey {
    pub fn new(namespace: &str, name: &str) -> ObjKey {
        ObjKey { namespace: namespace.to_string(), name: name.to_string() }
    }
}

/// A key as borrowed strings, so that maps keyed by [`ObjKey`] can be searched without
/// building one (`map.get(&("ns", "name") as &dyn KeyRef)`): lookups are the store's most
/// frequent operation. Ordered like `ObjKey`: namespace, then name.
pub trait KeyRef {
    fn parts(&self) -> (&str, &str);
}

impl KeyRef for ObjKey {
    fn parts(&self) -> (&str, &str) {
        (&self.namespace, &self.name)
    }
}

impl KeyRef for (&str, &str) {
    fn parts(&self) -> (&str, &str) {
        (self.0, self.1)
    }
}

impl<'a> std::borrow::Borrow<dyn KeyRef + 'a> for ObjKey {
    fn borrow(&self) -> &(dyn KeyRef + 'a) {
        self
    }
}

/// A shared key searches like an owned one (for maps whose keys are also kept elsewhere).
impl<'a> std::borrow::Borrow<dyn KeyRef + 'a> for std::sync::Arc<ObjKey> {
    fn borrow(&self) -> &(dyn KeyRef + 'a) {
        &**self
    }
}

/// Hashed like `ObjKey` (its derived hash: namespace, then name), so that hashed maps keyed
/// by `ObjKey` are searched by borrowed parts too.
impl std::hash::Hash for dyn KeyRef + '_ {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let (namespace, name) = self.parts();
        namespace.hash(state);
        name.hash(state);
    }
}

impl PartialEq for dyn KeyRef + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for dyn KeyRef + '_ {}

impl PartialOrd for dyn KeyRef + '_ {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for dyn KeyRef + '_ {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.parts().cmp(&other.parts())
    }
}

/// Accessors for typed objects held in an [`Object`].
macro_rules! typed_accessors {
    ($($fn_ref:ident, $fn_into:ident => $kind:ident, $ty:ty;)*) => {
        impl Object {
            $(
            pub fn $fn_ref(&self) -> Option<&$ty> {
                match self { Object::$kind(o) => Some(&**o), _ => None }
            }
            pub fn $fn_into(self) -> Option<$ty> {
                match self { Object::$kind(o) => Some(ObjPtr::into_inner(o)), _ => None }
            }
            )*
        }
    };
}

typed_accessors! {
    as_pod, into_pod => Pod, core::Pod;
    as_node, into_node => Node, core::Node;
    as_config_map, into_config_map => ConfigMap, core::ConfigMap;
    as_secret, into_secret => Secret, core::Secret;
    as_event, into_event => Event, core::Event;
    as_namespace, into_namespace => Namespace, core::Namespace;
    as_service, into_service => Service, core::Service;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_know_their_api_facts() {
        assert_eq!(Kind::Deployment.api_version(), "apps/v1");
        assert_eq!(Kind::Deployment.plural(), "deployments");
        assert_eq!(Kind::Deployment.qualified_plural(), "deployments.apps");
        assert_eq!(Kind::Pod.qualified_plural(), "pods");
        assert!(!Kind::Node.namespaced());
        assert_eq!(Kind::from_api_version_kind("batch/v1", "CronJob"), Some(Kind::CronJob));
    }

    #[test]
    fn a_key_hashes_as_its_borrowed_parts() {
        use std::hash::BuildHasher;
        let h = foldhash::quality::FixedState::with_seed(0);
        let key = ObjKey::new("default", "web-0");
        assert_eq!(h.hash_one(&key), h.hash_one(&("default", "web-0") as &dyn KeyRef));
        assert_ne!(h.hash_one(&key), h.hash_one(&("defaultweb-0", "") as &dyn KeyRef));
    }
}
