//! The endpoints controller, the EndpointSlice controller and the EndpointSlice mirroring
//! controller (kube-controller-manager v1.32): for every Service with a selector, an
//! `Endpoints` object and `EndpointSlices` listing the selected pods' IPs and resolved target
//! ports — ready pods as ready, the others in `notReadyAddresses` / with `ready: false` — and,
//! for a Service without selector whose Endpoints someone wrote by hand, slices mirroring them.
//!
//! Cost follows change, not size: the controllers read the store's change log since their
//! last pass, find the Services a changed pod belongs to through an index on one label of each
//! selector, and recompute only those Services. A recomputation reads the controller's own
//! record of each selected pod (kept from the change log, not re-derived from the pods), and
//! brings the stored objects to what it wants in place: entries that are already right are
//! compared and kept, so a pod that became ready costs one new address, not a new object; and
//! a slice that did not change is not written.
//!
//! Default values: at most 100 endpoints per slice (`--max-endpoints-per-slice`), at most
//! 1000 addresses in an Endpoints object (then `endpoints.kubernetes.io/over-capacity:
//! truncated`).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort, EndpointSubset, Endpoints, ObjectReference, Pod, Service, ServicePort,
};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort as SlicePort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::indexed::LookupMap;
use super::object::{KeyRef, Kind, ObjKey, Object};
use super::store::{Change, Repeats, Store};
use super::World;

pub const MANAGED_BY: &str = "endpointslice.kubernetes.io/managed-by";
pub const SERVICE_NAME: &str = "kubernetes.io/service-name";
pub const SLICE_CONTROLLER: &str = "endpointslice-controller.k8s.io";
pub const MIRROR_CONTROLLER: &str = "endpointslicemirroring-controller.k8s.io";
pub const HEADLESS: &str = "service.kubernetes.io/headless";
pub const TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";
const SKIP_MIRROR: &str = "endpointslice.kubernetes.io/skip-mirror";
const OVER_CAPACITY: &str = "endpoints.kubernetes.io/over-capacity";
const ZONE_LABEL: &str = "topology.kubernetes.io/zone";
const MAX_ENDPOINTS_PER_SLICE: usize = 100;
const MAX_ENDPOINTS_ADDRESSES: usize = 1000;

/// The controllers' caches (informers' indexes).
///
/// Every map here is only looked up, never read in its own order (what is read in order is
/// inside: a Service's members by name, the names of its slices): hashed.
#[derive(Clone, Debug, Default)]
pub struct Controller {
    started: bool,
    synced_rv: u64,
    /// Services with a non-empty selector.
    selectors: LookupMap<ObjKey, BTreeMap<String, String>>,
    /// (namespace, key, value) of each selector's first pair → the Services it starts (read
    /// into a set: in any order).
    index: LookupMap<(String, String, String), BTreeSet<String>>,
    /// Pod → the Services selecting it and what the endpoints show of it (only pods some
    /// Service selects). Every record is what [`PodEp::of`] says of the stored pod once the
    /// change log is read: a sync reads these instead of the pods.
    pods: LookupMap<ObjKey, Member>,
    /// Service → the pods it selects, with their records (shared with `pods`).
    members: LookupMap<ObjKey, Members>,
    /// Node → its `topology.kubernetes.io/zone` label (nodes without one are absent), which
    /// each slice endpoint carries.
    zones: LookupMap<String, Arc<str>>,
    /// Service → every EndpointSlice labelled with its name (any manager), for kube-proxy and
    /// DNS; and each slice's Service.
    slices: LookupMap<ObjKey, BTreeSet<String>>,
    slice_service: LookupMap<ObjKey, ObjKey>,
    /// Endpoints → the resourceVersion of the controller's own last write of it. Its watch
    /// event comes back to the controller; a sync then would find nothing to do (everything
    /// it reads that changed since has its own event), so it is skipped.
    written: LookupMap<ObjKey, String>,
    /// Endpoints and slices (of the EndpointSlice controller) → the records their lists
    /// were last made from (see [`Made`]).
    made_endpoints: LookupMap<ObjKey, Made>,
    made_slices: LookupMap<ObjKey, Made>,
    /// Counts changes to `zones`: a slice endpoint carries its node's zone.
    zones_changed: u64,
}

/// What an Endpoints or an EndpointSlice held, item for item, when the controller last
/// brought it to what it wanted: the pod records each of its lists was made from (an
/// Endpoints' subsets' `addresses` and `notReadyAddresses` in turn; a slice's endpoints).
/// While the object is still at `resource_version`, an item whose pod's record is the same
/// one (`Arc::ptr_eq`: a record is replaced, never changed, when the pod changes) is known
/// to be right without reading it. In a Service of a hundred pods, one of them turning
/// ready then costs comparisons of pointers, not of a hundred addresses scattered over the
/// heap. The records are held, so none of their addresses can be reused by another.
#[derive(Clone, Debug, PartialEq)]
struct Made {
    resource_version: String,
    /// For a slice, what else its endpoints were made from: publishNotReadyAddresses and
    /// `Controller::zones_changed`.
    publish: bool,
    zones_changed: u64,
    lists: Vec<Vec<Arc<PodEp>>>,
}

/// A key of `Controller::index` borrowed, to look it up without copying: hashes as the
/// tuple of strings it stands for (the fields in turn).
struct LabelRef<'a>(&'a str, &'a str, &'a str);

impl std::hash::Hash for LabelRef<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.hash(h);
        self.1.hash(h);
        self.2.hash(h);
    }
}

impl crate::sim::indexed::Equivalent<(String, String, String)> for LabelRef<'_> {
    fn equivalent(&self, (a, b, c): &(String, String, String)) -> bool {
        self.0 == a && self.1 == b && self.2 == c
    }
}

/// A selected pod: its Services and its record.
#[derive(Clone, Debug, PartialEq)]
struct Member {
    /// Sorted names. Nearly always one: a Vec, as a one-entry set costs a whole tree node.
    services: Vec<String>,
    ep: Arc<PodEp>,
}

/// The pods a Service selects, in the two orders its objects list them.
#[derive(Clone, Debug, Default, PartialEq)]
struct Members {
    /// By name: the order of slice endpoints.
    by_name: BTreeMap<Arc<str>, Arc<PodEp>>,
    /// By (IP, uid): the order of Endpoints addresses, kept as pods change rather than
    /// sorted at each sync. (A pod's uid is its own, so the order is total.)
    by_ip: Vec<Arc<PodEp>>,
}

impl Members {
    /// The members `eps` make (distinct pods, in name order), as inserting each in turn
    /// would, but built in bulk: one sort rather than a shift of the list per pod.
    fn of_sorted(eps: Vec<Arc<PodEp>>) -> Members {
        let by_name = eps.iter().map(|ep| (ep.name.clone(), ep.clone())).collect();
        let mut by_ip = eps;
        // `insert` puts a pod before those with an equal (IP, uid): among equals, the last
        // inserted first (a stable sort, by name backwards).
        by_ip.sort_by(|a, b| a.ip_key().cmp(&b.ip_key()).then_with(|| b.name.cmp(&a.name)));
        Members { by_name, by_ip }
    }

    fn insert(&mut self, ep: Arc<PodEp>) {
        if let Some(old) = self.by_name.insert(ep.name.clone(), ep.clone()) {
            self.unsort(&old);
        }
        let at = self.by_ip.partition_point(|p| p.ip_key() < ep.ip_key());
        self.by_ip.insert(at, ep);
    }

    fn remove(&mut self, name: &str) {
        if let Some(old) = self.by_name.remove(name) {
            self.unsort(&old);
        }
    }

    fn unsort(&mut self, old: &Arc<PodEp>) {
        let at = self.by_ip.partition_point(|p| p.ip_key() < old.ip_key());
        if let Some(i) = self.by_ip[at..].iter().position(|p| Arc::ptr_eq(p, old)) {
            self.by_ip.remove(at + i);
        }
    }
}

/// What the endpoints say about a pod. One per selected pod: kept small (boxed strings, the
/// name shared with the Services' member maps).
#[derive(Clone, Debug, PartialEq)]
struct PodEp {
    name: Arc<str>,
    uid: Box<str>,
    ip: Option<Box<str>>,
    node: Option<Box<str>>,
    ready: bool,
    terminating: bool,
    /// Whether the pod may appear at all (not Succeeded/Failed for its restart policy).
    alive: bool,
    /// (hostname, subdomain), when the pod has both (only then is the hostname shown).
    host: Option<Box<(Box<str>, Box<str>)>>,
    /// Container ports: (name, number, protocol).
    ports: Box<[ContainerPort]>,
}

/// A container port: (name, number, protocol).
type ContainerPort = (Box<str>, i32, Cow<'static, str>);

/// Pods with their readiness, as one list of an Endpoints' addresses.
type Addrs<'a> = Vec<(&'a Arc<PodEp>, bool)>;

impl PodEp {
    fn of(pod: &Pod) -> PodEp {
        let st = pod.status.as_ref();
        let spec = pod.spec.as_ref();
        let phase = st.and_then(|s| s.phase.as_deref()).unwrap_or("");
        let restart = spec.and_then(|s| s.restart_policy.as_deref()).unwrap_or("Always");
        let alive = match restart {
            "Never" => phase != "Failed" && phase != "Succeeded",
            "OnFailure" => phase != "Succeeded",
            _ => true,
        };
        let ready = st
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        // The protocols the API accepts need no copy of their own.
        let protocol = |p: Option<&str>| match p.unwrap_or("TCP") {
            "TCP" => Cow::Borrowed("TCP"),
            "UDP" => Cow::Borrowed("UDP"),
            "SCTP" => Cow::Borrowed("SCTP"),
            other => Cow::Owned(other.to_string()),
        };
        let ports = spec
            .map(|s| s.containers.as_slice())
            .unwrap_or_default()
            .iter()
            .flat_map(|c| c.ports.iter().flatten())
            .map(|p| (p.name.as_deref().unwrap_or("").into(), p.container_port, protocol(p.protocol.as_deref())))
            .collect();
        let boxed = |s: Option<&String>| s.filter(|s| !s.is_empty()).map(|s| Box::from(s.as_str()));
        let host = boxed(spec.and_then(|s| s.hostname.as_ref()))
            .zip(boxed(spec.and_then(|s| s.subdomain.as_ref())))
            .map(Box::new);
        PodEp {
            name: pod.metadata.name.as_deref().unwrap_or("").into(),
            uid: pod.metadata.uid.as_deref().unwrap_or("").into(),
            ip: boxed(st.and_then(|s| s.pod_ip.as_ref())),
            node: spec.and_then(|s| s.node_name.as_deref()).map(Box::from),
            ready,
            terminating: pod.metadata.deletion_timestamp.is_some(),
            alive,
            host,
            ports,
        }
    }

    /// `ShouldPodBeInEndpoints`.
    fn in_endpoints(&self, include_terminating: bool) -> bool {
        self.ip.is_some() && self.alive && (include_terminating || !self.terminating)
    }

    fn ip(&self) -> &str {
        self.ip.as_deref().unwrap_or("")
    }

    fn ip_key(&self) -> (&str, &str) {
        (self.ip(), &self.uid)
    }

    fn node(&self) -> Option<&str> {
        self.node.as_deref()
    }

    /// The hostname the pod's endpoints carry in Service `svc`: only a pod whose subdomain
    /// is the Service's name has one.
    fn hostname_in(&self, svc: &str) -> Option<&str> {
        self.host.as_deref().filter(|(_, sub)| **sub == *svc).map(|(host, _)| &**host)
    }

    /// `FindPort`: a number is used as is; a name is looked up among the container ports of
    /// the same protocol.
    fn find_port(&self, sp: &ServicePort) -> Option<i32> {
        let proto = sp.protocol.as_deref().unwrap_or("TCP");
        match &sp.target_port {
            None => Some(sp.port),
            Some(IntOrString::Int(n)) => Some(*n),
            Some(IntOrString::String(name)) => match name.parse::<i32>() {
                Ok(n) => Some(n),
                Err(_) => self.ports.iter().find(|(n, _, p)| **n == **name && p == proto).map(|(_, num, _)| *num),
            },
        }
    }

    fn target_ref(&self, namespace: &str) -> ObjectReference {
        ObjectReference {
            kind: Some("Pod".into()),
            name: Some(self.name.to_string()),
            namespace: Some(namespace.into()),
            uid: Some(self.uid.to_string()),
            ..Default::default()
        }
    }

    /// Whether `r` is what [`PodEp::target_ref`] makes.
    fn is_target(&self, r: Option<&ObjectReference>, namespace: &str) -> bool {
        let Some(ObjectReference { api_version, field_path, kind, name, namespace: ns, resource_version, uid }) = r
        else {
            return false;
        };
        api_version.is_none()
            && field_path.is_none()
            && resource_version.is_none()
            && kind.as_deref() == Some("Pod")
            && name.as_deref() == Some(&*self.name)
            && ns.as_deref() == Some(namespace)
            && uid.as_deref() == Some(&*self.uid)
    }

    /// The pod's address in the Endpoints of Service `key`.
    fn address(&self, key: &ObjKey) -> EndpointAddress {
        EndpointAddress {
            ip: self.ip().to_string(),
            node_name: self.node().map(String::from),
            target_ref: Some(self.target_ref(&key.namespace)),
            hostname: self.hostname_in(&key.name).map(String::from),
        }
    }

    /// Whether `a` is what [`PodEp::address`] makes.
    fn is_address(&self, a: &EndpointAddress, key: &ObjKey) -> bool {
        let EndpointAddress { hostname, ip, node_name, target_ref } = a;
        ip == self.ip()
            && node_name.as_deref() == self.node()
            && hostname.as_deref() == self.hostname_in(&key.name)
            && self.is_target(target_ref.as_ref(), &key.namespace)
    }
}

fn selector_of(svc: &Service) -> Option<BTreeMap<String, String>> {
    svc.spec.as_ref().and_then(|s| s.selector.clone()).filter(|m| !m.is_empty())
}

fn matches(sel: &BTreeMap<String, String>, labels: Option<&BTreeMap<String, String>>) -> bool {
    let Some(labels) = labels else { return false };
    sel.iter().all(|(k, v)| labels.get(k) == Some(v))
}

impl Controller {
    fn set_selector(&mut self, store: &Store, key: &ObjKey, sel: Option<BTreeMap<String, String>>) {
        if self.selectors.get(key) == sel.as_ref() {
            return;
        }
        if let Some(old) = self.selectors.remove(key) {
            if let Some((k, v)) = old.iter().next() {
                let ik = LabelRef(&key.namespace, k, v);
                if let Some(set) = self.index.get_mut(&ik) {
                    set.remove(&key.name);
                    if set.is_empty() {
                        self.index.remove(&ik);
                    }
                }
            }
        }
        for pod in self.members.remove(key).unwrap_or_default().by_name.into_keys() {
            let pk = ObjKey::new(&key.namespace, &pod);
            if let Some(m) = self.pods.get_mut(&pk) {
                m.services.retain(|s| *s != key.name);
                if m.services.is_empty() {
                    self.pods.remove(&pk);
                }
            }
        }
        let Some(sel) = sel else { return };
        if let Some((k, v)) = sel.iter().next() {
            self.index.entry((key.namespace.clone(), k.clone(), v.clone())).or_default().insert(key.name.clone());
        }
        // A new selector: the Service's pods are found by listing its namespace.
        let mut eps = Vec::new();
        for o in store.list(Kind::Pod, Some(&key.namespace)) {
            let Some(p) = o.as_pod().filter(|_| matches(&sel, o.meta().labels.as_ref())) else { continue };
            eps.push(self.record(&o.key(), PodEp::of(p), &key.name));
        }
        self.selectors.insert(key.clone(), sel);
        self.members.insert(key.clone(), Members::of_sorted(eps));
    }

    /// The Services of namespace `ns` whose selectors match `labels`, found through the index
    /// by their selectors' first pairs (each at most once: a pod has one value a label).
    fn selecting<'a>(&'a self, ns: &str, labels: Option<&BTreeMap<String, String>>) -> Vec<&'a str> {
        let mut found = Vec::new();
        for (k, v) in labels.into_iter().flatten() {
            let Some(names) = self.index.get(&LabelRef(ns, k, v)) else { continue };
            for n in names {
                let sk = (ns, n.as_str());
                if self.selectors.get(&sk as &dyn KeyRef).is_some_and(|sel| matches(sel, labels)) {
                    found.push(n.as_str());
                }
            }
        }
        found
    }

    /// Sets the selectors of every Service at once, into a controller that knows none: what
    /// [`Controller::set_selector`] does for each in turn, with one pass over the pods
    /// instead of one per Service (a relist at 1,500 Services and 150,000 pods would
    /// otherwise match every pod against every Service of its namespace).
    fn relist_selectors(&mut self, store: &Store, services: Vec<(ObjKey, Option<BTreeMap<String, String>>)>) {
        debug_assert!(self.selectors.is_empty() && self.members.is_empty());
        for (key, sel) in &services {
            let Some(sel) = sel else { continue };
            if let Some((k, v)) = sel.iter().next() {
                self.index.entry((key.namespace.clone(), k.clone(), v.clone())).or_default().insert(key.name.clone());
            }
            self.selectors.insert(key.clone(), sel.clone());
        }
        // Each pod finds the Services that select it through the index, as a pod's change
        // does ([`Controller::pod_changed`]); pods come in key order, so each Service's
        // members do too, as its own namespace's list would give them.
        let mut eps: LookupMap<ObjKey, Vec<Arc<PodEp>>> = LookupMap::default();
        for o in store.list(Kind::Pod, None) {
            let Some(p) = o.as_pod() else { continue };
            let ns = o.namespace();
            let selecting = self.selecting(ns, p.metadata.labels.as_ref());
            if selecting.is_empty() {
                continue;
            }
            let pk = o.key();
            let ep = Arc::new(PodEp::of(p));
            let mut services: Vec<String> = selecting.iter().map(|n| n.to_string()).collect();
            services.sort();
            for n in &services {
                eps.entry(ObjKey::new(ns, n)).or_default().push(ep.clone());
            }
            self.pods.insert(pk, Member { services, ep });
        }
        for (key, sel) in services {
            if sel.is_some() {
                let members = eps.remove(&key).unwrap_or_default();
                self.members.insert(key, Members::of_sorted(members));
            }
        }
    }

    /// Records `ep` as what pod `pk` shows, for every Service that selects it, and adds
    /// Service `svc` to them; returns the shared record.
    fn record(&mut self, pk: &ObjKey, ep: PodEp, svc: &str) -> Arc<PodEp> {
        let m =
            self.pods.entry(pk.clone()).or_insert_with(|| Member { services: Vec::new(), ep: Arc::new(ep.clone()) });
        if *m.ep != ep {
            m.ep = Arc::new(ep);
            for s in &m.services {
                if let Some(set) = self.members.get_mut(&(pk.namespace.as_str(), s.as_str()) as &dyn KeyRef) {
                    set.insert(m.ep.clone());
                }
            }
        }
        if let Err(at) = m.services.binary_search_by(|s| s.as_str().cmp(svc)) {
            m.services.insert(at, svc.to_string());
        }
        m.ep.clone()
    }

    /// Updates the pod's memberships and record; returns the Services concerned (before and
    /// after), none if nothing the endpoints show changed.
    fn pod_changed(&mut self, store: &Store, key: &ObjKey) -> BTreeSet<String> {
        let pod = store.get(Kind::Pod, &key.namespace, &key.name).and_then(|o| o.as_pod());
        let mut new: BTreeSet<String> = pod
            .map(|p| {
                self.selecting(&key.namespace, p.metadata.labels.as_ref()).into_iter().map(str::to_string).collect()
            })
            .unwrap_or_default();
        let ep = pod.filter(|_| !new.is_empty()).map(PodEp::of);
        let old = self.pods.get(key);
        if old.is_some_and(|m| m.services.iter().eq(new.iter()) && Some(&*m.ep) == ep.as_ref()) {
            return BTreeSet::new();
        }
        let old = self.pods.remove(key).map(|m| m.services).unwrap_or_default();
        for gone in old.iter().filter(|s| !new.contains(*s)) {
            if let Some(m) = self.members.get_mut(&(key.namespace.as_str(), gone.as_str()) as &dyn KeyRef) {
                m.remove(&key.name);
            }
        }
        if let Some(ep) = ep {
            let ep = Arc::new(ep);
            for s in &new {
                match self.members.get_mut(&(key.namespace.as_str(), s.as_str()) as &dyn KeyRef) {
                    Some(m) => m.insert(ep.clone()),
                    None => self.members.entry(ObjKey::new(&key.namespace, s)).or_default().insert(ep.clone()),
                }
            }
            self.pods.insert(key.clone(), Member { services: new.iter().cloned().collect(), ep });
        }
        new.extend(old);
        new
    }

    fn node_changed(&mut self, store: &Store, name: &str) {
        let zone = store.get(Kind::Node, "", name).and_then(|o| o.meta().labels.as_ref()?.get(ZONE_LABEL));
        match zone {
            Some(z) => {
                if self.zones.get(name).is_none_or(|old| **old != **z) {
                    self.zones.insert(name.to_string(), Arc::from(z.as_str()));
                    self.zones_changed += 1;
                }
            }
            None => {
                if self.zones.remove(name).is_some() {
                    self.zones_changed += 1;
                }
            }
        }
    }

    fn slice_changed(&mut self, store: &Store, key: &ObjKey) {
        if let Some(svc) = self.slice_service.remove(key) {
            if let Some(set) = self.slices.get_mut(&svc) {
                set.remove(&key.name);
                if set.is_empty() {
                    self.slices.remove(&svc);
                }
            }
        }
        let Some(o) = store.get(Kind::EndpointSlice, &key.namespace, &key.name) else {
            self.made_slices.remove(key);
            return;
        };
        let Some(svc) = o.meta().labels.as_ref().and_then(|l| l.get(SERVICE_NAME)) else { return };
        let sk = ObjKey::new(&key.namespace, svc);
        self.slices.entry(sk.clone()).or_default().insert(key.name.clone());
        self.slice_service.insert(key.clone(), sk);
    }

    /// The names of the EndpointSlices of a Service (kube-proxy's and CoreDNS's view).
    pub fn slices_of(&self, svc: &ObjKey) -> impl Iterator<Item = &String> {
        self.slices.get(svc).into_iter().flatten()
    }
}

/// One endpoint a Service can send traffic to, as kube-proxy and CoreDNS read the slices.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Backend {
    pub ip: String,
    /// The slice port with the Service port's name (None for a slice without ports).
    pub port: Option<i32>,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
    pub hostname: Option<String>,
    pub node: Option<String>,
    pub pod: Option<String>,
}

/// The endpoints of Service `svc` for its port named `port_name` (`""` for an unnamed
/// port), read from all of its EndpointSlices; sorted by IP.
pub fn backends(store: &Store, ctl: &Controller, svc: &ObjKey, port_name: Option<&str>) -> Vec<Backend> {
    let mut out = Vec::new();
    for name in ctl.slices_of(svc) {
        let Some(Object::EndpointSlice(s)) = store.get(Kind::EndpointSlice, &svc.namespace, name) else { continue };
        let port = match port_name {
            None => None,
            Some(pn) => {
                let found =
                    s.ports.iter().flatten().find(|p| p.name.as_deref().unwrap_or("") == pn).and_then(|p| p.port);
                if found.is_none() {
                    continue;
                }
                found
            }
        };
        for e in &s.endpoints {
            let c = e.conditions.clone().unwrap_or_default();
            // A nil `ready` means ready (the API's documented default).
            let ready = c.ready.unwrap_or(true);
            for ip in &e.addresses {
                out.push(Backend {
                    ip: ip.clone(),
                    port,
                    ready,
                    serving: c.serving.unwrap_or(ready),
                    terminating: c.terminating.unwrap_or(false),
                    hostname: e.hostname.clone(),
                    node: e.node_name.clone(),
                    pod: e.target_ref.as_ref().and_then(|r| r.name.clone()),
                });
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// One pass of the controllers, at the current time.
pub fn reconcile(w: &mut World) {
    run(w, None);
}

/// One pass whose objects are dated `created` (the cluster's own, made at install).
pub fn reconcile_at(w: &mut World, created: Time) {
    run(w, Some(created));
}

fn run(w: &mut World, created: Option<Time>) {
    let now = created.clone().unwrap_or_else(|| w.now.time());
    // Service → the time of the change that makes it need a sync.
    let mut dirty: BTreeMap<ObjKey, Time> = BTreeMap::new();
    let ctl = &mut w.network.endpoints;
    let store = &w.store;
    // The keys as the log shares them: a converging tick changes every pod several times.
    let events: Option<Vec<(Kind, Change, std::sync::Arc<ObjKey>)>> = if ctl.started {
        store.watch(ctl.synced_rv).map(|it| {
            it.filter(|e| {
                matches!(e.kind, Kind::Pod | Kind::Service | Kind::Endpoints | Kind::EndpointSlice | Kind::Node)
            })
            .map(|e| (e.kind, e.change, e.key.clone()))
            .collect()
        })
    } else {
        None
    };
    match events {
        None => {
            // First pass, or the log was compacted: relist everything.
            *ctl = Controller { started: true, ..Controller::default() };
            for o in store.list(Kind::Node, None) {
                ctl.node_changed(store, o.name());
            }
            let services: Vec<(ObjKey, Option<BTreeMap<String, String>>)> = store
                .list(Kind::Service, None)
                .into_iter()
                .map(|o| (o.key(), o.as_service().and_then(selector_of)))
                .collect();
            for (key, _) in &services {
                dirty.insert(key.clone(), now.clone());
            }
            ctl.relist_selectors(store, services);
            for o in store.list(Kind::EndpointSlice, None) {
                ctl.slice_changed(store, &o.key());
            }
        }
        Some(events) => {
            // A pod's Services and endpoint depend on the pod and the Services' selectors.
            let mut repeats = Repeats::default();
            for (kind, change, key) in events {
                match kind {
                    Kind::Pod if repeats.is_repeat(&key, change) => {}
                    Kind::Service => {
                        repeats.barrier();
                        let svc = store.get(Kind::Service, &key.namespace, &key.name).and_then(|o| o.as_service());
                        ctl.set_selector(store, &key, svc.and_then(selector_of));
                        // A new Service's endpoints date from its creation.
                        let t = svc
                            .filter(|_| change == Change::Added)
                            .and_then(|s| s.metadata.creation_timestamp.clone())
                            .unwrap_or_else(|| now.clone());
                        dirty.insert((*key).clone(), t);
                    }
                    Kind::Pod => {
                        // A converging tick changes the pods of a Service one after another:
                        // the Service's key is made once.
                        for s in ctl.pod_changed(store, &key) {
                            if !dirty.contains_key(&(key.namespace.as_str(), s.as_str()) as &dyn KeyRef) {
                                dirty.insert(ObjKey::new(&key.namespace, &s), now.clone());
                            }
                        }
                    }
                    // Endpoints of an existing Service: the controller puts back what it owns,
                    // the mirroring controller follows hand-written ones. Endpoints without a
                    // Service are nobody's business.
                    Kind::Endpoints if store.get(Kind::Service, &key.namespace, &key.name).is_some() => {
                        let rv = store
                            .get(Kind::Endpoints, &key.namespace, &key.name)
                            .and_then(|o| o.meta().resource_version.as_ref());
                        if rv.is_none() || rv != ctl.written.get(&*key) {
                            dirty.entry((*key).clone()).or_insert_with(|| now.clone());
                        }
                    }
                    Kind::EndpointSlice => ctl.slice_changed(store, &key),
                    // A node's zone is read when its endpoints are next written, as the real
                    // controller reads its node informer: a new zone alone syncs nothing.
                    Kind::Node => ctl.node_changed(store, &key.name),
                    _ => {}
                }
            }
        }
    }
    for (key, trigger) in dirty {
        sync_service(w, &key, trigger, created.clone());
    }
    // Our own writes need no second look.
    w.network.endpoints.synced_rv = w.store.resource_version();
}

fn str_map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn rfc3339(t: &Time) -> String {
    t.0.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Brings one Service's Endpoints and EndpointSlices to what its pods say.
fn sync_service(w: &mut World, key: &ObjKey, trigger: Time, created: Option<Time>) {
    let svc = w.store.get(Kind::Service, &key.namespace, &key.name).and_then(|o| o.as_service()).cloned();
    let Some(svc) = svc else {
        // The Service is gone: its Endpoints and slices go with it.
        w.network.endpoints.written.remove(key);
        w.network.endpoints.made_endpoints.remove(key);
        if w.store.get(Kind::Endpoints, &key.namespace, &key.name).is_some() {
            let _ = w.store.delete(Kind::Endpoints, &key.namespace, &key.name);
        }
        delete_slices(w, key, |_| true);
        return;
    };
    if selector_of(&svc).is_none() {
        mirror(w, key, &svc, created);
        return;
    }
    let is_external_name = svc.spec.as_ref().and_then(|s| s.type_.as_deref()) == Some("ExternalName");
    // The records, lent by the controller for the sync (which changes no membership).
    let members = w.network.endpoints.members.get_mut(key).map(std::mem::take).unwrap_or_default();
    write_endpoints(w, key, &svc, &members, &trigger, created.clone());
    if is_external_name {
        delete_slices(w, key, |s| managed_by(s) == Some(SLICE_CONTROLLER));
    } else {
        write_slices(w, key, &svc, &members, &trigger, created);
    }
    if let Some(m) = w.network.endpoints.members.get_mut(key) {
        *m = members;
    }
}

fn managed_by(s: &EndpointSlice) -> Option<&str> {
    s.metadata.labels.as_ref().and_then(|l| l.get(MANAGED_BY)).map(String::as_str)
}

fn delete_slices(w: &mut World, key: &ObjKey, pick: impl Fn(&EndpointSlice) -> bool) {
    let names: Vec<String> = w.network.endpoints.slices_of(key).cloned().collect();
    for n in names {
        let doomed =
            matches!(w.store.get(Kind::EndpointSlice, &key.namespace, &n), Some(Object::EndpointSlice(s)) if pick(s));
        if doomed {
            let _ = w.store.delete(Kind::EndpointSlice, &key.namespace, &n);
            w.network.endpoints.slice_changed(&w.store, &ObjKey::new(&key.namespace, &n));
        }
    }
}

fn is_headless(svc: &Service) -> bool {
    svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None")
}

/// The Endpoints controller's labels: the Service's, plus the headless marker.
fn endpoints_labels(svc: &Service) -> BTreeMap<String, String> {
    let mut l = svc.metadata.labels.clone().unwrap_or_default();
    if is_headless(svc) {
        l.insert(HEADLESS.into(), String::new());
    } else {
        l.remove(HEADLESS);
    }
    l
}

/// Makes `v` hold exactly the items `want` describes, in `want`'s order, keeping the items
/// already there that are right: a list that changed a little costs comparisons, and new
/// items only for what changed. `order` places a held item relative to a wanted one (held
/// items ordered before the wanted one are dropped; `Equal` everywhere keeps positions) and
/// must be `Equal` where `same` holds. `known(i, d)` says, without reading it, that the held
/// item at index `i` is what `d` describes (see [`Made`]); it is never wrong, and `order`
/// and `same` are asked only where it does not know. Returns whether `v` changed.
fn merge<T, D>(
    v: &mut Vec<T>,
    want: &[D],
    known: impl Fn(usize, &D) -> bool,
    order: impl Fn(&T, &D) -> Ordering,
    same: impl Fn(&T, &D) -> bool,
    make: impl Fn(&D) -> T,
) -> bool {
    // The usual change keeps every item in its place (an endpoint becomes ready): items are
    // then replaced where they are, the others not moved.
    if v.len() == want.len()
        && v.iter().zip(want).enumerate().all(|(i, (o, d))| known(i, d) || order(o, d) == Ordering::Equal)
    {
        let mut changed = false;
        for (i, (o, d)) in v.iter_mut().zip(want).enumerate() {
            if !known(i, d) && !same(o, d) {
                *o = make(d);
                changed = true;
            }
        }
        return changed;
    }
    let mut old = std::mem::replace(v, Vec::with_capacity(want.len())).into_iter().enumerate().peekable();
    let mut changed = false;
    for d in want {
        while old.next_if(|(i, o)| !known(*i, d) && order(o, d) == Ordering::Less).is_some() {
            changed = true;
        }
        match old.next_if(|(i, o)| known(*i, d) || same(o, d)) {
            Some((_, o)) => v.push(o),
            None => {
                v.push(make(d));
                changed = true;
            }
        }
    }
    changed || old.next().is_some()
}

/// [`merge`]'s `known` for a list last made from `made` (None: nothing is known).
fn made_from<'a>(made: Option<&'a [Arc<PodEp>]>) -> impl Fn(usize, &&Arc<PodEp>) -> bool + 'a {
    move |i, d| made.and_then(|m| m.get(i)).is_some_and(|m| Arc::ptr_eq(m, d))
}

/// One subset the Endpoints controller wants: the pods listed as ready and as not ready
/// (each sorted by IP), and the ports.
struct Subset<'a> {
    ready: Vec<&'a Arc<PodEp>>,
    not_ready: Vec<&'a Arc<PodEp>>,
    ports: Vec<EndpointPort>,
}

/// Brings `held` (an Endpoints' `addresses` or `notReadyAddresses`) to the addresses of
/// `want`, kept as far as they are right (`made`: what they were made from, if known);
/// returns whether it changed.
fn patch_addresses(
    held: &mut Option<Vec<EndpointAddress>>,
    want: &[&Arc<PodEp>],
    key: &ObjKey,
    made: Option<&[Arc<PodEp>]>,
) -> bool {
    if want.is_empty() {
        return held.take().is_some();
    }
    let v = held.get_or_insert_with(Vec::new);
    fn uid(a: &EndpointAddress) -> &str {
        a.target_ref.as_ref().and_then(|r| r.uid.as_deref()).unwrap_or("")
    }
    merge(
        v,
        want,
        made_from(made),
        |a, p| (a.ip.as_str(), uid(a)).cmp(&p.ip_key()),
        |a, p| p.is_address(a, key),
        |p| p.address(key),
    )
}

/// Brings an Endpoints' subsets to `want` (`made`: what their address lists were made
/// from, if known, see [`Made`]); returns whether they changed.
fn patch_subsets(
    held: &mut Option<Vec<EndpointSubset>>,
    want: &[Subset],
    key: &ObjKey,
    made: Option<&[Vec<Arc<PodEp>>]>,
) -> bool {
    if want.is_empty() {
        return held.take().is_some();
    }
    let mut changed = held.is_none();
    let v = held.get_or_insert_with(Vec::new);
    if v.len() != want.len() {
        v.resize_with(want.len(), Default::default);
        changed = true;
    }
    let list = |i: usize| made.and_then(|m| m.get(i)).map(Vec::as_slice);
    for (i, (s, d)) in v.iter_mut().zip(want).enumerate() {
        changed |= patch_addresses(&mut s.addresses, &d.ready, key, list(2 * i));
        changed |= patch_addresses(&mut s.not_ready_addresses, &d.not_ready, key, list(2 * i + 1));
        let ports = (!d.ports.is_empty()).then_some(d.ports.as_slice());
        if s.ports.as_deref() != ports {
            s.ports = ports.map(<[EndpointPort]>::to_vec);
            changed = true;
        }
    }
    changed
}

fn subset_of(s: &Subset, key: &ObjKey) -> EndpointSubset {
    let addresses = |pods: &[&Arc<PodEp>]| (!pods.is_empty()).then(|| pods.iter().map(|p| p.address(key)).collect());
    EndpointSubset {
        addresses: addresses(&s.ready),
        not_ready_addresses: addresses(&s.not_ready),
        ports: (!s.ports.is_empty()).then(|| s.ports.clone()),
    }
}

fn write_endpoints(
    w: &mut World,
    key: &ObjKey,
    svc: &Service,
    members: &Members,
    trigger: &Time,
    created: Option<Time>,
) {
    let spec = svc.spec.as_ref();
    let tolerate = spec.and_then(|s| s.publish_not_ready_addresses).unwrap_or(false);
    let ports: &[ServicePort] = spec.and_then(|s| s.ports.as_deref()).unwrap_or_default();
    let headless = is_headless(svc);
    // (pod, ready) per resolved port: (name, number, protocol).
    let mut by_port: BTreeMap<(&str, i32, &str), Addrs> = BTreeMap::new();
    let mut portless: Addrs = Vec::new();
    if ports.is_empty() && headless {
        // In name order, sorted by IP alone below (pods sharing a host's IP stay in name order).
        for p in members.by_name.values().filter(|p| p.in_endpoints(tolerate)) {
            portless.push((p, tolerate || p.ready));
        }
    }
    // In (IP, uid) order, which each port's list keeps.
    for p in members.by_ip.iter().filter(|_| !ports.is_empty()) {
        if !p.in_endpoints(tolerate) {
            continue;
        }
        let ready = tolerate || p.ready;
        for sp in ports {
            let Some(num) = p.find_port(sp) else { continue };
            let k = (sp.name.as_deref().unwrap_or(""), num, sp.protocol.as_deref().unwrap_or("TCP"));
            by_port.entry(k).or_default().push((p, ready));
        }
    }
    // RepackSubsets: ports offered by the same set of addresses share a subset. (A pod is
    // one address in a Service, so the same record means the same address.)
    let same_set = |a: &[(&Arc<PodEp>, bool)], b: &[(&Arc<PodEp>, bool)]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| Arc::ptr_eq(x.0, y.0) && x.1 == y.1)
    };
    let mut groups: Vec<(Addrs, Vec<EndpointPort>)> = Vec::new();
    for ((name, num, proto), addrs) in by_port {
        let port = EndpointPort {
            name: (!name.is_empty()).then(|| name.to_string()),
            port: num,
            protocol: Some(proto.to_string()),
            app_protocol: ports.iter().find(|sp| sp.port == num).and_then(|sp| sp.app_protocol.clone()),
        };
        match groups.iter_mut().find(|(a, _)| same_set(a, &addrs)) {
            Some((_, ps)) => ps.push(port),
            None => groups.push((addrs, vec![port])),
        }
    }
    if !portless.is_empty() {
        portless.sort_by(|a, b| a.0.ip().cmp(b.0.ip()));
        groups.push((portless, vec![]));
    }
    let mut total = 0;
    let mut truncated = false;
    let subsets: Vec<Subset> = groups
        .into_iter()
        .map(|(addrs, ports)| {
            let (mut ready, mut not_ready): (Vec<_>, Vec<_>) = addrs.into_iter().partition(|(_, r)| *r);
            // The Endpoints API holds at most 1000 addresses: ready ones are kept first.
            let room = MAX_ENDPOINTS_ADDRESSES.saturating_sub(total);
            if ready.len() + not_ready.len() > room {
                truncated = true;
                ready.truncate(room);
                not_ready.truncate(room - ready.len());
            }
            total += ready.len() + not_ready.len();
            Subset {
                ready: ready.into_iter().map(|(p, _)| p).collect(),
                not_ready: not_ready.into_iter().map(|(p, _)| p).collect(),
                ports,
            }
        })
        .collect();
    let labels = endpoints_labels(svc);
    let exists = matches!(w.store.get(Kind::Endpoints, &key.namespace, &key.name), Some(Object::Endpoints(_)));
    if exists {
        // Brought to what is wanted where it is stored: an Endpoints of a large Service is
        // big, and a change to it small.
        let made = w.network.endpoints.made_endpoints.get(key);
        let _ = w.store.modify_reported(Kind::Endpoints, &key.namespace, &key.name, |o| {
            let Object::Endpoints(e) = o else { return false };
            let over = e.metadata.annotations.as_ref().and_then(|a| a.get(OVER_CAPACITY)).is_some();
            let no_labels = BTreeMap::new();
            let same_labels = *e.metadata.labels.as_ref().unwrap_or(&no_labels) == labels;
            let made = made.filter(|m| e.metadata.resource_version.as_ref() == Some(&m.resource_version));
            let changed = patch_subsets(&mut e.subsets, &subsets, key, made.map(|m| m.lists.as_slice()));
            if !changed && same_labels && over == truncated {
                return false;
            }
            e.metadata.labels = (!labels.is_empty()).then(|| labels.clone());
            let a = e.metadata.annotations.get_or_insert_with(BTreeMap::new);
            a.insert(TRIGGER_TIME.into(), rfc3339(trigger));
            if truncated {
                a.insert(OVER_CAPACITY.into(), "truncated".into());
            } else {
                a.remove(OVER_CAPACITY);
            }
            true
        });
    } else {
        let mut annotations = str_map(&[(TRIGGER_TIME, &rfc3339(trigger))]);
        if truncated {
            annotations.insert(OVER_CAPACITY.into(), "truncated".into());
        }
        let subsets: Vec<EndpointSubset> = subsets.iter().map(|s| subset_of(s, key)).collect();
        let ep = Endpoints {
            metadata: ObjectMeta {
                name: Some(key.name.clone()),
                namespace: Some(key.namespace.clone()),
                labels: (!labels.is_empty()).then_some(labels),
                annotations: Some(annotations),
                ..Default::default()
            },
            subsets: (!subsets.is_empty()).then_some(subsets),
        };
        create(w, Object::Endpoints(Box::new(ep)), created);
    }
    if let Some(rv) =
        w.store.get(Kind::Endpoints, &key.namespace, &key.name).and_then(|o| o.meta().resource_version.clone())
    {
        let lists = subsets
            .iter()
            .flat_map(|s| [&s.ready, &s.not_ready])
            .map(|l| l.iter().map(|p| Arc::clone(p)).collect())
            .collect();
        let made = Made { resource_version: rv.clone(), publish: false, zones_changed: 0, lists };
        w.network.endpoints.made_endpoints.insert(key.clone(), made);
        w.network.endpoints.written.insert(key.clone(), rv);
    }
}

/// Stores a controller-made object with what the API server adds (uid, creation time).
fn create(w: &mut World, mut obj: Object, created: Option<Time>) -> Option<String> {
    let uid = w.new_uid();
    let now = created.unwrap_or_else(|| w.now.time());
    if obj.name().is_empty() {
        let prefix = obj.meta().generate_name.clone().unwrap_or_default();
        for _ in 0..10 {
            let name = format!("{prefix}{}", w.random_suffix(5));
            if w.store.get(obj.kind(), obj.namespace(), &name).is_none() {
                obj.meta_mut().name = Some(name);
                break;
            }
        }
    }
    let m = obj.meta_mut();
    m.uid = Some(uid);
    m.creation_timestamp = Some(now);
    if obj.kind() == Kind::EndpointSlice {
        obj.meta_mut().generation = Some(1);
    }
    let name = obj.name().to_string();
    let key = obj.key();
    let kind = obj.kind();
    w.store.create(obj).ok()?;
    if kind == Kind::EndpointSlice {
        w.network.endpoints.slice_changed(&w.store, &key);
    }
    Some(name)
}

fn owner_ref(kind: &str, name: &str, uid: &str) -> OwnerReference {
    OwnerReference {
        api_version: "v1".into(),
        kind: kind.into(),
        name: name.into(),
        uid: uid.into(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// The slice name prefix: `<service>-`, cut to leave room for the 5 generated characters.
fn slice_prefix(service: &str) -> String {
    format!("{service}-").chars().take(58).collect()
}

/// An endpoint a controller wants in a slice, compared with what a slice holds without
/// being built.
trait WantEndpoint {
    /// Where the held `e` sorts relative to this one in the controller's order (`Equal`
    /// when it keeps none).
    fn order(&self, e: &Endpoint) -> Ordering;
    /// Whether `e` is this endpoint.
    fn is(&self, e: &Endpoint) -> bool;
    fn make(&self) -> Endpoint;
    /// The pod record the endpoint is made from (see [`Made`]), if it is.
    fn record(&self) -> Option<&Arc<PodEp>>;
}

/// The mirroring controller's endpoints are copies of the Endpoints' addresses.
impl WantEndpoint for Endpoint {
    fn order(&self, _: &Endpoint) -> Ordering {
        Ordering::Equal
    }
    fn is(&self, e: &Endpoint) -> bool {
        self == e
    }
    fn make(&self) -> Endpoint {
        self.clone()
    }
    fn record(&self) -> Option<&Arc<PodEp>> {
        None
    }
}

/// An endpoint of the EndpointSlice controller: a selected pod, in pod-name order.
struct PodEndpoint<'a> {
    pod: &'a Arc<PodEp>,
    namespace: &'a str,
    ready: bool,
    serving: bool,
    hostname: Option<&'a str>,
    zone: Option<Arc<str>>,
}

impl PodEndpoint<'_> {
    fn conditions(&self) -> EndpointConditions {
        EndpointConditions {
            ready: Some(self.ready),
            serving: Some(self.serving),
            terminating: Some(self.pod.terminating),
        }
    }
}

impl WantEndpoint for PodEndpoint<'_> {
    fn order(&self, e: &Endpoint) -> Ordering {
        let held = e.target_ref.as_ref().and_then(|r| r.name.as_deref()).unwrap_or("");
        held.cmp(&*self.pod.name)
    }
    fn is(&self, e: &Endpoint) -> bool {
        let Endpoint { addresses, conditions, deprecated_topology, hints, hostname, node_name, target_ref, zone } = e;
        addresses.len() == 1
            && addresses[0] == self.pod.ip()
            && conditions.as_ref() == Some(&self.conditions())
            && deprecated_topology.is_none()
            && hints.is_none()
            && hostname.as_deref() == self.hostname
            && node_name.as_deref() == self.pod.node()
            && self.pod.is_target(target_ref.as_ref(), self.namespace)
            && zone.as_deref() == self.zone.as_deref()
    }
    fn make(&self) -> Endpoint {
        Endpoint {
            addresses: vec![self.pod.ip().to_string()],
            conditions: Some(self.conditions()),
            hostname: self.hostname.map(String::from),
            node_name: self.pod.node().map(String::from),
            target_ref: Some(self.pod.target_ref(self.namespace)),
            zone: self.zone.as_deref().map(String::from),
            ..Default::default()
        }
    }
    /// What the endpoint says besides its pod's record comes from what [`Made`] keeps for
    /// a slice: publishNotReadyAddresses and the zones.
    fn record(&self) -> Option<&Arc<PodEp>> {
        Some(self.pod)
    }
}

/// One desired slice: its ports and endpoints.
type Desired<'a, E> = (Option<Vec<SlicePort>>, &'a [E]);

fn write_slices(w: &mut World, key: &ObjKey, svc: &Service, members: &Members, trigger: &Time, created: Option<Time>) {
    let spec = svc.spec.as_ref();
    let publish = spec.and_then(|s| s.publish_not_ready_addresses).unwrap_or(false);
    let sports: &[ServicePort] = spec.and_then(|s| s.ports.as_deref()).unwrap_or_default();
    // Endpoints grouped by the target port each Service port resolves to. (Service ports
    // have distinct names, so the same numbers mean the same slice ports.)
    let mut groups: Vec<(Vec<Option<i32>>, Vec<PodEndpoint>)> = Vec::new();
    let mut nums: Vec<Option<i32>> = Vec::with_capacity(sports.len());
    let zones = &w.network.endpoints.zones;
    for p in members.by_name.values() {
        if !p.in_endpoints(true) {
            continue;
        }
        nums.clear();
        nums.extend(sports.iter().map(|sp| p.find_port(sp)));
        let ep = PodEndpoint {
            pod: p,
            namespace: &key.namespace,
            ready: publish || (p.ready && !p.terminating),
            serving: publish || p.ready,
            hostname: p.hostname_in(&key.name),
            zone: p.node().and_then(|n| zones.get(n)).cloned(),
        };
        match groups.iter_mut().find(|(k, _)| *k == nums) {
            Some((_, eps)) => eps.push(ep),
            None => groups.push((nums.clone(), vec![ep])),
        }
    }
    let mut desired: Vec<Desired<PodEndpoint>> = Vec::new();
    for (nums, eps) in &groups {
        let ports: Vec<SlicePort> = sports
            .iter()
            .zip(nums)
            .filter_map(|(sp, num)| {
                Some(SlicePort {
                    name: Some(sp.name.clone().unwrap_or_default()),
                    port: Some((*num)?),
                    protocol: sp.protocol.clone(),
                    app_protocol: sp.app_protocol.clone(),
                })
            })
            .collect();
        for chunk in eps.chunks(MAX_ENDPOINTS_PER_SLICE) {
            desired.push((Some(ports.clone()), chunk));
        }
    }
    if desired.is_empty() {
        // A placeholder slice: no endpoints, no ports.
        desired.push((None, &[]));
    }
    let mut labels = svc.metadata.labels.clone().unwrap_or_default();
    labels.remove(MANAGED_BY);
    labels.remove(SERVICE_NAME);
    labels.insert(SERVICE_NAME.into(), key.name.clone());
    labels.insert(MANAGED_BY.into(), SLICE_CONTROLLER.into());
    if is_headless(svc) {
        labels.insert(HEADLESS.into(), String::new());
    }
    let owner = owner_ref("Service", &key.name, svc.metadata.uid.as_deref().unwrap_or(""));
    let made_with = Some((publish, w.network.endpoints.zones_changed));
    reconcile_slices(w, key, desired, labels, BTreeMap::new(), owner, SLICE_CONTROLLER, trigger, created, made_with);
}

/// Writes `desired` slices for a Service, reusing its existing slices of the same manager
/// (one with the same ports first), creating what is missing and deleting the rest. A
/// slice already as wanted is not written; one that is not is brought to it in place.
/// `made_with`: for endpoints made from pod records, what else they were made from
/// (publishNotReadyAddresses, `Controller::zones_changed`), so that what each slice was
/// made from is kept ([`Made`]).
#[allow(clippy::too_many_arguments)]
fn reconcile_slices<E: WantEndpoint>(
    w: &mut World,
    key: &ObjKey,
    desired: Vec<Desired<E>>,
    labels: BTreeMap<String, String>,
    extra_annotations: BTreeMap<String, String>,
    owner: OwnerReference,
    manager: &str,
    trigger: &Time,
    created: Option<Time>,
    made_with: Option<(bool, u64)>,
) {
    let remember = |w: &mut World, name: &str, eps: &[E]| {
        let Some((publish, zones_changed)) = made_with else { return };
        let slice = w.store.get(Kind::EndpointSlice, &key.namespace, name);
        let Some(rv) = slice.and_then(|o| o.meta().resource_version.clone()) else { return };
        let list = eps.iter().filter_map(E::record).cloned().collect();
        let made = Made { resource_version: rv, publish, zones_changed, lists: vec![list] };
        w.network.endpoints.made_slices.insert(ObjKey::new(&key.namespace, name), made);
    };
    // (name, ports) of the existing slices.
    let mut existing: Vec<(String, Option<Vec<SlicePort>>)> = w
        .network
        .endpoints
        .slices_of(key)
        .filter_map(|n| match w.store.get(Kind::EndpointSlice, &key.namespace, n) {
            Some(Object::EndpointSlice(s)) if managed_by(s) == Some(manager) => Some((n.clone(), s.ports.clone())),
            _ => None,
        })
        .collect();
    let mut annotations = extra_annotations;
    annotations.insert(TRIGGER_TIME.into(), rfc3339(trigger));
    let mut unplaced: Vec<Desired<E>> = Vec::new();
    let mut writes: Vec<(String, Desired<E>)> = Vec::new();
    for d in desired {
        match existing.iter().position(|(_, ports)| *ports == d.0) {
            Some(i) => writes.push((existing.remove(i).0, d)),
            None => unplaced.push(d),
        }
    }
    for d in unplaced {
        if existing.is_empty() {
            let slice = EndpointSlice {
                metadata: ObjectMeta {
                    generate_name: Some(slice_prefix(&key.name)),
                    namespace: Some(key.namespace.clone()),
                    labels: Some(labels.clone()),
                    annotations: Some(annotations.clone()),
                    owner_references: Some(vec![owner.clone()]),
                    ..Default::default()
                },
                address_type: "IPv4".into(),
                endpoints: d.1.iter().map(E::make).collect(),
                ports: d.0,
            };
            if let Some(name) = create(w, Object::EndpointSlice(Box::new(slice)), created.clone()) {
                remember(w, &name, d.1);
            }
        } else {
            writes.push((existing.remove(0).0, d));
        }
    }
    for (name, (ports, eps)) in writes {
        let made = made_with.and_then(|with| {
            let m = w.network.endpoints.made_slices.get(&(key.namespace.as_str(), name.as_str()) as &dyn KeyRef)?;
            (with == (m.publish, m.zones_changed)).then_some(m)
        });
        let _ = w.store.modify_reported(Kind::EndpointSlice, &key.namespace, &name, |o| {
            let Object::EndpointSlice(s) = o else { return false };
            let made = made.filter(|m| s.metadata.resource_version.as_ref() == Some(&m.resource_version));
            let made_known = made_from(made.and_then(|m| m.lists.first()).map(Vec::as_slice));
            let known = |i: usize, d: &E| d.record().is_some_and(|r| made_known(i, &r));
            let new_ports = s.ports != ports;
            if new_ports {
                s.ports = ports;
            }
            let new_endpoints = merge(&mut s.endpoints, eps, known, |e, d| d.order(e), |e, d| d.is(e), E::make);
            let new_labels = s.metadata.labels.as_ref() != Some(&labels);
            let new_owner = s.metadata.owner_references.as_deref() != Some(std::slice::from_ref(&owner));
            if !(new_ports || new_endpoints || new_labels || new_owner) {
                return false;
            }
            s.metadata.labels = Some(labels.clone());
            s.metadata.owner_references = Some(vec![owner.clone()]);
            let a = s.metadata.annotations.get_or_insert_with(BTreeMap::new);
            for (k, v) in &annotations {
                a.insert(k.clone(), v.clone());
            }
            if new_ports || new_endpoints || new_labels {
                s.metadata.generation = Some(s.metadata.generation.unwrap_or(0) + 1);
            }
            true
        });
        remember(w, &name, eps);
    }
    for (name, _) in existing {
        let _ = w.store.delete(Kind::EndpointSlice, &key.namespace, &name);
        w.network.endpoints.slice_changed(&w.store, &ObjKey::new(&key.namespace, &name));
    }
}

/// The EndpointSlice mirroring controller: a Service without selector whose Endpoints were
/// written by hand gets slices with the same addresses, so kube-proxy routes to them.
fn mirror(w: &mut World, key: &ObjKey, svc: &Service, created: Option<Time>) {
    let ep = match w.store.get(Kind::Endpoints, &key.namespace, &key.name) {
        Some(Object::Endpoints(e)) => Some(e.clone()),
        _ => None,
    };
    let skip = ep.as_ref().is_some_and(|e| e.metadata.labels.as_ref().is_some_and(|l| l.contains_key(SKIP_MIRROR)));
    let Some(ep) = ep.filter(|_| !skip) else {
        delete_slices(w, key, |s| managed_by(s) == Some(MIRROR_CONTROLLER));
        return;
    };
    // (ports, endpoints) per subset.
    let mut subsets: Vec<(Vec<SlicePort>, Vec<Endpoint>)> = Vec::new();
    for subset in ep.subsets.iter().flatten() {
        let ports: Vec<SlicePort> = subset
            .ports
            .iter()
            .flatten()
            .map(|p| SlicePort {
                name: Some(p.name.clone().unwrap_or_default()),
                port: Some(p.port),
                protocol: p.protocol.clone().or_else(|| Some("TCP".into())),
                app_protocol: p.app_protocol.clone(),
            })
            .collect();
        let mut eps = Vec::new();
        for (addrs, ready) in [(&subset.addresses, true), (&subset.not_ready_addresses, false)] {
            for a in addrs.iter().flatten() {
                eps.push(Endpoint {
                    addresses: vec![a.ip.clone()],
                    conditions: Some(EndpointConditions { ready: Some(ready), serving: None, terminating: None }),
                    hostname: a.hostname.clone(),
                    node_name: a.node_name.clone(),
                    target_ref: a.target_ref.clone(),
                    ..Default::default()
                });
            }
        }
        subsets.push((ports, eps));
    }
    let mut desired: Vec<Desired<Endpoint>> = Vec::new();
    for (ports, eps) in &subsets {
        for chunk in eps.chunks(MAX_ENDPOINTS_PER_SLICE) {
            desired.push((Some(ports.clone()), chunk));
        }
    }
    if desired.is_empty() {
        delete_slices(w, key, |s| managed_by(s) == Some(MIRROR_CONTROLLER));
        return;
    }
    let mut labels = ep.metadata.labels.clone().unwrap_or_default();
    labels.insert(SERVICE_NAME.into(), key.name.clone());
    labels.insert(MANAGED_BY.into(), MIRROR_CONTROLLER.into());
    let mut annotations = ep.metadata.annotations.clone().unwrap_or_default();
    annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
    annotations.remove(TRIGGER_TIME);
    let owner = owner_ref("Endpoints", &key.name, ep.metadata.uid.as_deref().unwrap_or(""));
    let trigger = svc.metadata.creation_timestamp.clone().unwrap_or_else(|| w.now.time());
    reconcile_slices(w, key, desired, labels, annotations, owner, MIRROR_CONTROLLER, &trigger, created, None);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api::WriteOptions;

    fn apply(w: &mut World, yaml: &str) {
        let v: serde_json::Value = serde_yaml::from_str(yaml).unwrap();
        let kind = Kind::from_api_version_kind(v["apiVersion"].as_str().unwrap(), v["kind"].as_str().unwrap()).unwrap();
        let o = Object::from_value(kind, v).unwrap();
        w.api_create(o, WriteOptions::default()).unwrap();
    }

    fn ep(w: &World, name: &str) -> Endpoints {
        match w.store.get(Kind::Endpoints, "default", name) {
            Some(Object::Endpoints(e)) => *(e.clone()),
            _ => panic!("no endpoints {name}"),
        }
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: NAME\n  labels: {app: web}\nspec:\n  containers:\n  - name: web\n    image: kubedojo/webapp\n    env: [{name: START_DELAY, value: \"SECONDS\"}]\n    ports: [{name: http, containerPort: 8080}]\n    readinessProbe:\n      httpGet: {path: /ready, port: http}\n      periodSeconds: 1\n";

    #[test]
    fn endpoints_follow_readiness_and_named_ports() {
        let mut w = World::new(3);
        apply(&mut w, "apiVersion: v1\nkind: Service\nmetadata: {name: web, labels: {tier: front}}\nspec:\n  selector: {app: web}\n  ports: [{name: http, port: 80, targetPort: http}]\n");
        apply(&mut w, &POD.replace("NAME", "a").replace("SECONDS", "0"));
        apply(&mut w, &POD.replace("NAME", "b").replace("SECONDS", "30"));
        w.advance(1);
        let e = ep(&w, "web");
        // Scheduled and given IPs in the first tick, not ready yet.
        let s = &e.subsets.as_ref().unwrap()[0];
        assert_eq!((s.addresses.as_ref(), s.not_ready_addresses.as_ref().map(Vec::len)), (None, Some(2)));
        assert_eq!(e.metadata.labels.as_ref().unwrap().get("tier").map(String::as_str), Some("front"));
        w.run_until(|w| ep(w, "web").subsets.is_some_and(|s| s[0].addresses.is_some()), 60).unwrap();
        let s = &ep(&w, "web").subsets.unwrap()[0];
        assert_eq!(s.addresses.as_ref().unwrap().len(), 1);
        assert_eq!(s.not_ready_addresses.as_ref().unwrap().len(), 1);
        assert_eq!(s.ports.as_ref().unwrap()[0].port, 8080);
        assert_eq!(s.ports.as_ref().unwrap()[0].name.as_deref(), Some("http"));
        // The slice says the same.
        let key = ObjKey::new("default", "web");
        let b = backends(&w.store, &w.network.endpoints, &key, Some("http"));
        assert_eq!(b.iter().filter(|b| b.ready).count(), 1);
        assert_eq!(b.len(), 2);
        assert!(b.iter().all(|b| b.port == Some(8080)));
        w.run_until(|w| backends(&w.store, &w.network.endpoints, &key, Some("http")).iter().all(|b| b.ready), 60)
            .unwrap();
        // A deleted pod leaves in the tick it is gone (the webapp stops at SIGTERM).
        w.api_delete(Kind::Pod, "default", "a", None, WriteOptions::default()).unwrap();
        w.advance(1);
        let s = &ep(&w, "web").subsets.unwrap()[0];
        assert_eq!(s.addresses.as_ref().unwrap().len(), 1);
        let b = backends(&w.store, &w.network.endpoints, &key, Some("http"));
        assert_eq!(b.iter().map(|b| b.pod.clone().unwrap_or_default()).collect::<Vec<_>>(), ["b"]);
        // The Service goes, its Endpoints and slices with it.
        w.api_delete(Kind::Service, "default", "web", None, WriteOptions::default()).unwrap();
        w.advance(1);
        assert!(w.store.get(Kind::Endpoints, "default", "web").is_none());
        assert_eq!(w.network.endpoints.slices_of(&key).count(), 0);
    }

    #[test]
    fn publish_not_ready_addresses_and_headless_labels() {
        let mut w = World::new(3);
        apply(&mut w, "apiVersion: v1\nkind: Service\nmetadata: {name: peers}\nspec:\n  clusterIP: None\n  publishNotReadyAddresses: true\n  selector: {app: web}\n  ports: [{name: http, port: 80, targetPort: http}]\n");
        apply(&mut w, &POD.replace("NAME", "a").replace("SECONDS", "300"));
        w.advance(3);
        let e = ep(&w, "peers");
        let s = &e.subsets.as_ref().unwrap()[0];
        // Listed as ready although its probe has not passed.
        assert_eq!((s.addresses.as_ref().map(Vec::len), s.not_ready_addresses.as_ref()), (Some(1), None));
        assert_eq!(e.metadata.labels.unwrap().get(HEADLESS).map(String::as_str), Some(""));
        let b = backends(&w.store, &w.network.endpoints, &ObjKey::new("default", "peers"), None);
        assert!(b[0].ready);
        let slice = w.network.endpoints.slices_of(&ObjKey::new("default", "peers")).next().cloned().unwrap();
        assert!(slice.starts_with("peers-") && slice.len() == "peers-".len() + 5, "{slice}");
    }

    #[test]
    fn selectorless_service_with_manual_endpoints_is_mirrored() {
        let mut w = World::new(3);
        apply(&mut w, "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec:\n  ports: [{port: 5432}]\n");
        apply(&mut w, "apiVersion: v1\nkind: Endpoints\nmetadata: {name: db}\nsubsets:\n- addresses: [{ip: 192.168.1.50}]\n  ports: [{port: 5432}]\n");
        w.advance(1);
        let b = backends(&w.store, &w.network.endpoints, &ObjKey::new("default", "db"), Some(""));
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].ip, "192.168.1.50");
        assert_eq!(b[0].port, Some(5432));
    }

    /// A relisting controller (a fresh one: its first pass recomputes every Service from the
    /// pods) must find nothing to write and build the same caches: what the incremental
    /// passes keep is what the store says.
    fn assert_relist_agrees(w: &mut World) {
        let kept = std::mem::take(&mut w.network.endpoints);
        let rv = w.store.resource_version();
        reconcile(w);
        let writes: Vec<_> = w.store.watch(rv).unwrap().map(|e| (e.kind, e.key.clone())).collect();
        assert!(writes.is_empty(), "at {:?} a relist wrote {writes:?}", w.now);
        let fresh = std::mem::replace(&mut w.network.endpoints, kept);
        let ctl = &w.network.endpoints;
        assert!(fresh.pods == ctl.pods, "pod records differ at {:?}", w.now);
        assert!(fresh.members == ctl.members, "members differ at {:?}", w.now);
        assert_eq!((&fresh.zones, &fresh.slices), (&ctl.zones, &ctl.slices));
    }

    #[test]
    fn merge_reads_only_what_it_does_not_know() {
        let reads = std::cell::Cell::new(0);
        let order = |a: &u32, b: &u32| {
            reads.set(reads.get() + 1);
            a.cmp(b)
        };
        let same = |a: &u32, b: &u32| {
            reads.set(reads.get() + 1);
            a == b
        };
        let held = [1, 2, 3, 4];
        // In place (an order that keeps positions): only the item not known is read.
        let in_place = |_: &u32, _: &u32| {
            reads.set(reads.get() + 1);
            Ordering::Equal
        };
        let mut v = held.to_vec();
        assert!(merge(&mut v, &[1, 2, 5, 4], |i, d| held[i] == *d, in_place, same, |d| *d));
        assert_eq!((v.as_slice(), reads.get()), ([1, 2, 5, 4].as_slice(), 2));
        // Moved: known items are kept without being read; the rest is merged as usual.
        reads.set(0);
        let mut v = held.to_vec();
        assert!(merge(&mut v, &[1, 3, 4, 6], |i, d| held[i] == *d && *d != 3, order, same, |d| *d));
        assert_eq!(v, [1, 3, 4, 6]);
        let unknown_reads = reads.get();
        reads.set(0);
        let mut w = held.to_vec();
        assert!(merge(&mut w, &[1, 3, 4, 6], |_, _| false, order, same, |d| *d));
        assert_eq!(w, v);
        assert!(unknown_reads < reads.get(), "{unknown_reads} reads knowing, {} not", reads.get());
        // Nothing to change.
        let mut v = vec![1, 2];
        assert!(!merge(&mut v, &[1, 2], |_, _| true, order, same, |d| *d));
    }

    #[test]
    fn selectors_set_at_once_agree_with_one_at_a_time() {
        let mut w = World::new(5);
        for ns in ["default", "other"] {
            if ns != "default" {
                apply(&mut w, &format!("apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n"));
            }
            for (name, labels) in [
                ("a", "{app: web, tier: front}"),
                ("b", "{app: web, tier: back}"),
                ("c", "{app: db}"),
                ("d", "{tier: front}"),
            ] {
                apply(&mut w, &format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {ns}, labels: {labels}}}\nspec:\n  containers: [{{name: c, image: nginx}}]\n"));
            }
        }
        let services: Vec<(ObjKey, Option<BTreeMap<String, String>>)> = [
            ("default", "web", vec![("app", "web")]),
            // Found through its first pair (app=web), kept only where the second holds too.
            ("default", "front", vec![("app", "web"), ("tier", "front")]),
            ("default", "fronts", vec![("tier", "front")]),
            ("default", "none", vec![("app", "cache")]),
            ("other", "db", vec![("app", "db")]),
            ("other", "web", vec![("app", "web")]),
        ]
        .into_iter()
        .map(|(ns, n, sel)| {
            (ObjKey::new(ns, n), Some(sel.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()))
        })
        .chain([(ObjKey::new("default", "manual"), None)])
        .collect();
        let mut one_by_one = Controller::default();
        for (key, sel) in &services {
            one_by_one.set_selector(&w.store, key, sel.clone());
        }
        let mut at_once = Controller::default();
        at_once.relist_selectors(&w.store, services);
        assert!(at_once.pods == one_by_one.pods);
        assert!(at_once.members == one_by_one.members);
        assert!(at_once.selectors == one_by_one.selectors);
        assert!(at_once.index == one_by_one.index);
        let names = |svc: &str| -> Vec<String> {
            at_once.members.get(&ObjKey::new("default", svc)).unwrap().by_name.keys().map(|n| n.to_string()).collect()
        };
        assert_eq!(names("front"), ["a"]);
        assert_eq!(names("fronts"), ["a", "d"]);
        assert!(names("none").is_empty());
        assert_eq!(at_once.pods.get(&ObjKey::new("default", "a")).unwrap().services, ["front", "fronts", "web"]);
    }

    #[test]
    fn incremental_passes_agree_with_a_relist() {
        let mut w = World::new(5);
        apply(&mut w, "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{name: http, port: 80, targetPort: http}]\n");
        // Headless, listing pods before they are ready: the pods are in two Services.
        apply(&mut w, "apiVersion: v1\nkind: Service\nmetadata: {name: peers}\nspec:\n  clusterIP: None\n  publishNotReadyAddresses: true\n  selector: {app: web}\n  ports: [{name: http, port: 80, targetPort: 8080}]\n");
        // More pods than one slice holds.
        let deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 110\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      subdomain: peers\n      containers:\n      - name: web\n        image: IMAGE\n        ports: [{name: http, containerPort: 8080}]\n        readinessProbe:\n          httpGet: {path: /ready, port: http}\n          periodSeconds: 1\n";
        apply(&mut w, &deploy.replace("IMAGE", "kubedojo/webapp"));
        w.advance(5);
        assert_relist_agrees(&mut w);
        let key = ObjKey::new("default", "web");
        w.run_until(|w| backends(&w.store, &w.network.endpoints, &key, Some("http")).len() >= 110, 120).unwrap();
        assert!(w.network.endpoints.slices_of(&key).count() >= 2);
        for i in 0..30u64 {
            let pods: Vec<String> =
                w.store.list(Kind::Pod, Some("default")).iter().map(|o| o.name().to_string()).collect();
            // Crashes, a deletion, scaling, and a rollout half-way.
            for k in 0..3 {
                let pod = pods[((i * 7 + k * 13) as usize) % pods.len()].clone();
                let _ = crate::sim::faults::apply(
                    &mut w,
                    &crate::sim::faults::Fault::Kill { namespace: "default".into(), pod, container: None },
                );
            }
            if i % 4 == 1 {
                let pod = &pods[(i as usize * 11) % pods.len()];
                let _ = w.api_delete(Kind::Pod, "default", pod, None, WriteOptions::default());
            }
            if i % 5 == 2 || i == 15 {
                let Some(Object::Deployment(mut d)) = w.store.get(Kind::Deployment, "default", "web").cloned() else {
                    panic!()
                };
                let spec = std::sync::Arc::make_mut(&mut d).spec.as_mut().unwrap();
                spec.replicas = Some(if i % 2 == 0 { 104 } else { 112 });
                if i == 15 {
                    spec.template.spec.as_mut().unwrap().containers[0].image = Some("kubedojo/webapp:2.0".into());
                }
                w.api_update(Object::Deployment(d), WriteOptions::default()).unwrap();
            }
            if i == 20 || i == 25 {
                // A node moves to another zone: every endpoint on it says so at the next
                // write (the pods killed above make one), changed pods or not.
                let node = w.store.list(Kind::Node, None)[1].name().to_string();
                let Some(Object::Node(mut n)) = w.store.get(Kind::Node, "", &node).cloned() else { panic!() };
                let zone = format!("zone-{i}");
                n.metadata.labels.get_or_insert_with(BTreeMap::new).insert(ZONE_LABEL.into(), zone.clone());
                w.api_update(Object::Node(n), WriteOptions::default()).unwrap();
                w.advance(1);
                let slices: Vec<String> = w.network.endpoints.slices_of(&key).cloned().collect();
                let zones: Vec<&str> = slices
                    .iter()
                    .filter_map(|s| match w.store.get(Kind::EndpointSlice, "default", s) {
                        Some(Object::EndpointSlice(s)) => Some(s),
                        _ => None,
                    })
                    .flat_map(|s| &s.endpoints)
                    .filter(|e| e.node_name.as_deref() == Some(&*node))
                    .filter_map(|e| e.zone.as_deref())
                    .collect();
                assert!(!zones.is_empty() && zones.iter().all(|z| *z == zone), "{zones:?}");
            } else {
                w.advance(1);
            }
            assert_relist_agrees(&mut w);
        }
    }
}
