//! Services: the service registry's REST storage (`pkg/registry/core/service/storage`) —
//! ClusterIP allocation from 10.96.0.0/12, NodePort allocation from 30000–32767, IP-family
//! defaults, the rules for updates — the cluster's own Services (`kubernetes`, `kube-dns`), a
//! load-balancer implementation fed by the scenario's address pool, and the networking
//! controllers' place in the tick ([`reconcile`]).
//!
//! The allocators hold what the stored Services hold: they follow the store's change log
//! (like the API server's repair loops, but at once), so a dry-run or a failed create holds
//! nothing and a deleted Service frees its IP and ports for the next request.
//!
//! Default values (kube-apiserver v1.32): `--service-cluster-ip-range=10.96.0.0/12`,
//! `--service-node-port-range=30000-32767`; dynamic allocation draws a random address from
//! the upper part of each range first (the lower 256 IPs and 86 ports are kept for static
//! requests, KEP-3070/3668).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{
    Endpoints, LoadBalancerIngress, LoadBalancerStatus, Service, ServicePort, ServiceSpec, ServiceStatus,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use super::api::errors::{ApiError, BadValue, FieldError};
use super::api::validate::NODE_PORT_RANGE;
use super::network::{ip_to_u32, u32_to_ip};
use super::object::{Kind, ObjKey, Object};
use super::store::Store;
use super::World;

/// `--service-cluster-ip-range`.
pub const SERVICE_CIDR: &str = "10.96.0.0/12";
/// The `kubernetes` Service's ClusterIP (the first address of the range).
pub const KUBERNETES_SERVICE_IP: &str = "10.96.0.1";
/// The `kube-dns` Service's ClusterIP (kubeadm's default: the tenth address).
pub const DNS_SERVICE_IP: &str = "10.96.0.10";
/// The API server's secure port behind the `kubernetes` Service.
pub const APISERVER_PORT: i32 = 6443;

const CIDR_BASE: u32 = 0x0A60_0000; // 10.96.0.0
const CIDR_SIZE: u32 = 1 << 20; // a /12
/// Allocatable addresses (network and broadcast excluded): bit `i` is `CIDR_BASE + 1 + i`.
const IP_MAX: u32 = CIDR_SIZE - 2;
/// `calculateRangeOffset` for a /12: min(max(16, size/16), 256).
const IP_OFFSET: u32 = 256;
/// `calculateRangeOffset` for the NodePort range: min(max(16, size/32), 128).
const PORT_OFFSET: u16 = 86;

/// What one stored Service holds.
#[derive(Clone, Debug, Default, PartialEq)]
struct Held {
    ips: Vec<u32>,
    node_ports: Vec<u16>,
    lb_ips: Vec<String>,
    external_ips: Vec<String>,
}

/// The ClusterIP and NodePort allocators, following the stored Services.
#[derive(Clone, Debug, Default)]
pub struct Allocator {
    synced_rv: u64,
    ips: BTreeMap<u32, ObjKey>,
    node_ports: BTreeMap<u16, ObjKey>,
    lb_ips: BTreeMap<String, ObjKey>,
    /// `spec.externalIPs` → the Services accepting traffic for them (kube-proxy's rules).
    external_ips: BTreeMap<String, BTreeSet<ObjKey>>,
    held: BTreeMap<ObjKey, Held>,
    /// LoadBalancer Services waiting for an address, and others whose stale address must go.
    lb_pending: BTreeSet<ObjKey>,
}

impl Allocator {
    /// Catches up with the Services created, changed or deleted since the last call.
    pub fn sync(&mut self, store: &Store) {
        let rv = store.resource_version();
        if rv == self.synced_rv {
            return;
        }
        let keys: Option<BTreeSet<ObjKey>> = store
            .watch(self.synced_rv)
            .map(|it| it.filter(|e| e.kind == Kind::Service).map(|e| (*e.key).clone()).collect());
        match keys {
            Some(keys) => {
                for k in keys {
                    self.refresh(store, &k);
                }
            }
            None => {
                // The change log no longer reaches back: rebuild from a full list.
                *self = Allocator::default();
                let keys: Vec<ObjKey> = store.list(Kind::Service, None).iter().map(|o| o.key()).collect();
                for k in keys {
                    self.refresh(store, &k);
                }
            }
        }
        self.synced_rv = rv;
    }

    fn refresh(&mut self, store: &Store, key: &ObjKey) {
        if let Some(old) = self.held.remove(key) {
            for ip in old.ips {
                self.ips.remove(&ip);
            }
            for p in old.node_ports {
                self.node_ports.remove(&p);
            }
            for ip in old.lb_ips {
                self.lb_ips.remove(&ip);
            }
            for ip in old.external_ips {
                if let Some(set) = self.external_ips.get_mut(&ip) {
                    set.remove(key);
                    if set.is_empty() {
                        self.external_ips.remove(&ip);
                    }
                }
            }
        }
        self.lb_pending.remove(key);
        let Some(svc) = store.get(Kind::Service, &key.namespace, &key.name).and_then(|o| o.as_service()) else {
            return;
        };
        let held = holdings(svc);
        for ip in &held.ips {
            self.ips.insert(*ip, key.clone());
        }
        for p in &held.node_ports {
            self.node_ports.insert(*p, key.clone());
        }
        for ip in &held.lb_ips {
            self.lb_ips.insert(ip.clone(), key.clone());
        }
        for ip in &held.external_ips {
            self.external_ips.entry(ip.clone()).or_default().insert(key.clone());
        }
        let is_lb = spec_type(svc) == "LoadBalancer";
        if is_lb == held.lb_ips.is_empty() {
            self.lb_pending.insert(key.clone());
        }
        self.held.insert(key.clone(), held);
    }

    /// The Service whose ClusterIP is `ip`.
    pub fn service_for_ip(&self, ip: &str) -> Option<&ObjKey> {
        self.ips.get(&ip_to_u32(ip)?)
    }

    /// The Service that holds NodePort `port`.
    pub fn service_for_node_port(&self, port: u16) -> Option<&ObjKey> {
        self.node_ports.get(&port)
    }

    /// The Services listing `ip` in their `spec.externalIPs`.
    pub fn services_for_external_ip(&self, ip: &str) -> impl Iterator<Item = &ObjKey> {
        self.external_ips.get(ip).into_iter().flatten()
    }

    /// The LoadBalancer Service with ingress address `ip`.
    pub fn service_for_lb_ip(&self, ip: &str) -> Option<&ObjKey> {
        self.lb_ips.get(ip)
    }

    fn ip_taken_by_other(&self, ip: u32, me: &ObjKey) -> bool {
        self.ips.get(&ip).is_some_and(|k| k != me)
    }

    fn port_taken_by_other(&self, port: u16, me: &ObjKey) -> bool {
        self.node_ports.get(&port).is_some_and(|k| k != me)
    }

    /// `AllocateNext` with the random-scan-with-offset strategy: a random start in the upper
    /// subrange, scanning forward; the lower subrange only when the upper one is full.
    fn next_ip(&self, rng: &mut ChaCha8Rng) -> Option<u32> {
        let upper = IP_MAX - IP_OFFSET;
        let start = rng.gen_range(0..upper);
        for i in 0..upper.min(self.ips.len() as u32 + 1) {
            let at = IP_OFFSET + (start + i) % upper;
            if !self.ips.contains_key(&(CIDR_BASE + 1 + at)) {
                return Some(CIDR_BASE + 1 + at);
            }
        }
        let start = rng.gen_range(0..IP_OFFSET);
        (0..IP_OFFSET).map(|i| CIDR_BASE + 1 + (start + i) % IP_OFFSET).find(|ip| !self.ips.contains_key(ip))
    }

    fn next_port(&self, rng: &mut ChaCha8Rng, also_taken: &BTreeSet<u16>) -> Option<u16> {
        let (lo, hi) = (NODE_PORT_RANGE.0 as u16, NODE_PORT_RANGE.1 as u16);
        let size = hi - lo + 1;
        let upper = size - PORT_OFFSET;
        let free = |p: u16| !self.node_ports.contains_key(&p) && !also_taken.contains(&p);
        let start = rng.gen_range(0..upper);
        if let Some(p) = (0..upper).map(|i| lo + PORT_OFFSET + (start + i) % upper).find(|p| free(*p)) {
            return Some(p);
        }
        let start = rng.gen_range(0..PORT_OFFSET);
        (0..PORT_OFFSET).map(|i| lo + (start + i) % PORT_OFFSET).find(|p| free(*p))
    }
}

fn spec_type(svc: &Service) -> &str {
    svc.spec.as_ref().and_then(|s| s.type_.as_deref()).unwrap_or("ClusterIP")
}

fn needs_cluster_ip(svc: &Service) -> bool {
    spec_type(svc) != "ExternalName"
}

fn needs_node_port(svc: &Service) -> bool {
    matches!(spec_type(svc), "NodePort" | "LoadBalancer")
}

fn is_headless(svc: &Service) -> bool {
    let spec = svc.spec.as_ref();
    spec.and_then(|s| s.cluster_ip.as_deref()) == Some("None")
        || spec.and_then(|s| s.cluster_ips.as_ref()).and_then(|v| v.first()).map(String::as_str) == Some("None")
}

fn has_selector(svc: &Service) -> bool {
    svc.spec.as_ref().and_then(|s| s.selector.as_ref()).is_some_and(|m| !m.is_empty())
}

fn holdings(svc: &Service) -> Held {
    let mut h = Held::default();
    let Some(spec) = &svc.spec else { return h };
    if needs_cluster_ip(svc) {
        for ip in spec.cluster_ips.iter().flatten() {
            if let Some(n) = ip_to_u32(ip) {
                h.ips.push(n);
            }
        }
        if h.ips.is_empty() {
            if let Some(n) = spec.cluster_ip.as_deref().and_then(ip_to_u32) {
                h.ips.push(n);
            }
        }
    }
    for p in spec.ports.iter().flatten() {
        if let Some(np) = p.node_port.filter(|n| *n > 0) {
            if !h.node_ports.contains(&(np as u16)) {
                h.node_ports.push(np as u16);
            }
        }
    }
    if let Some(hc) = spec.health_check_node_port.filter(|n| *n > 0) {
        h.node_ports.push(hc as u16);
    }
    if needs_cluster_ip(svc) {
        h.external_ips = spec.external_ips.clone().unwrap_or_default();
    }
    if spec_type(svc) == "LoadBalancer" {
        for ing in svc
            .status
            .as_ref()
            .and_then(|s| s.load_balancer.as_ref())
            .and_then(|l| l.ingress.as_ref())
            .into_iter()
            .flatten()
        {
            if let Some(ip) = &ing.ip {
                h.lb_ips.push(ip.clone());
            }
        }
    }
    h
}

fn invalid(name: &str, errs: Vec<FieldError>) -> ApiError {
    ApiError::invalid("", "Service", name, &errs)
}

/// Go's `%#v` of a `[]string` (`[]string{"10.96.0.10"}`), as field errors on clusterIPs print it.
fn go_string_slice(v: &[String]) -> String {
    let items: Vec<String> = v.iter().map(|s| super::api::errors::go_quote(s)).collect();
    format!("[]string{{{}}}", items.join(", "))
}

/// `NormalizeClusterIPs`: an old client that sets only `clusterIP` gets `clusterIPs` too; an
/// update that leaves them out keeps them.
fn normalize_cluster_ips(new: &mut ServiceSpec, old: Option<&ServiceSpec>) {
    let Some(old) = old else {
        if new.cluster_ip.as_deref().is_some_and(|s| !s.is_empty())
            && new.cluster_ips.as_ref().is_none_or(|v| v.is_empty())
        {
            new.cluster_ips = new.cluster_ip.clone().map(|ip| vec![ip]);
        }
        return;
    };
    let old_ips = old.cluster_ips.clone().unwrap_or_default();
    let new_ips = new.cluster_ips.clone().unwrap_or_default();
    if !old_ips.is_empty() && !new_ips.is_empty() && old.cluster_ip == new.cluster_ip {
        new.cluster_ips = old.cluster_ips.clone();
    }
    if old.cluster_ip != new.cluster_ip {
        let new_ip = new.cluster_ip.clone().unwrap_or_default();
        if old.cluster_ip.as_deref().is_some_and(|s| !s.is_empty()) && new_ip.is_empty() && old_ips == new_ips {
            new.cluster_ips = None;
        }
        if !new_ip.is_empty() && old_ips == new.cluster_ips.clone().unwrap_or_default() {
            new.cluster_ips = Some(vec![new_ip]);
        }
    }
}

/// `initIPFamilyFields` for this single-stack IPv4 cluster: the policy defaults to
/// SingleStack (RequireDualStack for a headless Service without selector, which may list both
/// families), families to `[IPv4]`.
fn init_ip_families(svc: &mut Service, old: Option<&Service>) -> Result<(), ApiError> {
    if !needs_cluster_ip(svc) {
        return Ok(());
    }
    let headless = is_headless(svc);
    let selectorless = !has_selector(svc);
    let name = svc.metadata.name.clone().unwrap_or_default();
    let spec = svc.spec.get_or_insert_with(Default::default);
    if spec.ip_family_policy.is_none() {
        spec.ip_family_policy = Some(match old.and_then(|o| o.spec.as_ref()?.ip_family_policy.clone()) {
            Some(p) => p,
            None if headless && selectorless => "RequireDualStack".into(),
            None => "SingleStack".into(),
        });
    }
    let policy = spec.ip_family_policy.clone().unwrap_or_default();
    let mut errs = Vec::new();
    if !matches!(policy.as_str(), "SingleStack" | "PreferDualStack" | "RequireDualStack") {
        errs.push(FieldError::not_supported(
            "spec.ipFamilyPolicy",
            BadValue::Str(policy.clone()),
            &["PreferDualStack", "RequireDualStack", "SingleStack"],
        ));
        return Err(invalid(&name, errs));
    }
    let families = spec.ip_families.get_or_insert_with(Vec::new);
    for (i, f) in families.iter().enumerate() {
        if f != "IPv4" && f != "IPv6" {
            errs.push(FieldError::not_supported(
                format!("spec.ipFamilies[{i}]"),
                BadValue::Str(f.clone()),
                &["IPv4", "IPv6"],
            ));
        }
    }
    if !errs.is_empty() {
        return Err(invalid(&name, errs));
    }
    if headless && selectorless {
        if families.is_empty() {
            families.push("IPv4".into());
        }
        if families.len() < 2 && policy != "SingleStack" {
            let alt = if families[0] == "IPv4" { "IPv6" } else { "IPv4" };
            families.push(alt.into());
        }
        return Ok(());
    }
    if policy == "RequireDualStack" {
        errs.push(FieldError::invalid(
            "spec.ipFamilyPolicy",
            BadValue::Str(policy.clone()),
            "this cluster is not configured for dual-stack services",
        ));
    }
    for (i, f) in families.iter().enumerate() {
        if f != "IPv4" {
            errs.push(FieldError::invalid(
                format!("spec.ipFamilies[{i}]"),
                BadValue::Str(f.clone()),
                "not configured on this cluster",
            ));
        }
    }
    if !errs.is_empty() {
        return Err(invalid(&name, errs));
    }
    if families.is_empty() {
        families.push("IPv4".into());
    }
    Ok(())
}

/// The clusterIP checks of `ValidateService` that concern the value itself.
fn validate_cluster_ips(svc: &Service) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(spec) = &svc.spec else { return errs };
    let ty = spec_type(svc);
    for (i, ip) in spec.cluster_ips.iter().flatten().enumerate() {
        if ip == "None" {
            if i == 0 && matches!(ty, "NodePort" | "LoadBalancer") {
                errs.push(FieldError::invalid(
                    "spec.clusterIPs[0]",
                    BadValue::Str(ip.clone()),
                    format!("may not be set to 'None' for {ty} services"),
                ));
            }
            continue;
        }
        if ip_to_u32(ip).is_none() {
            errs.push(FieldError::invalid(
                format!("spec.clusterIPs[{i}]"),
                BadValue::Str(ip.clone()),
                "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            ));
        }
    }
    if ty == "ExternalName" && spec.cluster_ip.as_deref().is_some_and(|s| !s.is_empty()) {
        errs.push(FieldError::forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
    }
    errs
}

/// Allocates (or reserves the requested) ClusterIP; Err in the REST storage's words.
fn alloc_cluster_ip(w: &mut World, svc: &mut Service, key: &ObjKey) -> Result<(), ApiError> {
    if !needs_cluster_ip(svc) || is_headless(svc) {
        return Ok(());
    }
    let name = key.name.clone();
    let spec = svc.spec.get_or_insert_with(Default::default);
    let requested = spec
        .cluster_ips
        .as_ref()
        .and_then(|v| v.first().cloned())
        .or_else(|| spec.cluster_ip.clone())
        .unwrap_or_default();
    let ip = if requested.is_empty() {
        let Some(ip) = w.network.services.next_ip(&mut w.rng) else {
            return Err(ApiError::internal("failed to allocate a serviceIP: range is full"));
        };
        ip
    } else {
        let shown = spec.cluster_ips.clone().unwrap_or_else(|| vec![requested.clone()]);
        let fail = |why: String| {
            invalid(
                &name,
                vec![FieldError::invalid(
                    "spec.clusterIPs",
                    BadValue::Raw(go_string_slice(&shown)),
                    format!("failed to allocate IP {requested}: {why}"),
                )],
            )
        };
        let n = ip_to_u32(&requested).unwrap_or(0);
        if n <= CIDR_BASE || n > CIDR_BASE + IP_MAX {
            return Err(fail(format!(
                "the provided IP ({requested}) is not in the valid range. The range of valid IPs is {SERVICE_CIDR}"
            )));
        }
        if w.network.services.ip_taken_by_other(n, key) {
            return Err(fail("provided IP is already allocated".into()));
        }
        n
    };
    let text = u32_to_ip(ip);
    spec.cluster_ip = Some(text.clone());
    spec.cluster_ips = Some(vec![text]);
    Ok(())
}

/// `initNodePorts` / `updateNodePorts`: requested ports are reserved, missing ones allocated
/// (one per service port number, shared by its TCP and UDP entries).
fn alloc_node_ports(w: &mut World, svc: &mut Service, key: &ObjKey) -> Result<(), ApiError> {
    let needs = needs_node_port(svc);
    let allocate_lb = svc.spec.as_ref().and_then(|s| s.allocate_load_balancer_node_ports) != Some(false)
        || spec_type(svc) != "LoadBalancer";
    let name = key.name.clone();
    let Some(spec) = svc.spec.as_mut() else { return Ok(()) };
    let Some(ports) = spec.ports.as_mut() else { return Ok(()) };
    let mut by_port: BTreeMap<i32, i32> = BTreeMap::new();
    let mut taken_here: BTreeSet<u16> = BTreeSet::new();
    // Requested values first, so that an allocated one never collides with a later request.
    for p in ports.iter() {
        if let Some(np) = p.node_port.filter(|n| *n > 0) {
            taken_here.insert(np as u16);
        }
    }
    let mut reserved: BTreeSet<u16> = BTreeSet::new();
    for (i, p) in ports.iter_mut().enumerate() {
        let requested = p.node_port.unwrap_or(0);
        if requested == 0 && !(needs && allocate_lb) {
            continue;
        }
        if requested != 0 {
            let np = requested as u16;
            if !reserved.contains(&np) && w.network.services.port_taken_by_other(np, key) {
                return Err(invalid(
                    &name,
                    vec![FieldError::invalid(
                        format!("spec.ports[{i}].nodePort"),
                        BadValue::Int(i64::from(requested)),
                        "provided port is already allocated",
                    )],
                ));
            }
            reserved.insert(np);
            by_port.entry(p.port).or_insert(requested);
            continue;
        }
        if let Some(np) = by_port.get(&p.port) {
            p.node_port = Some(*np);
            continue;
        }
        let Some(np) = w.network.services.next_port(&mut w.rng, &taken_here) else {
            return Err(ApiError::internal("failed to allocate a nodePort: range is full"));
        };
        taken_here.insert(np);
        reserved.insert(np);
        p.node_port = Some(i32::from(np));
        by_port.insert(p.port, i32::from(np));
    }
    Ok(())
}

/// The create half of the service REST storage, run after validation: IP families,
/// ClusterIP, NodePorts, an empty load-balancer status. Err is the API server's answer.
pub fn allocate(w: &mut World, obj: &mut Object) -> Result<(), ApiError> {
    let Object::Service(svc) = obj else { return Ok(()) };
    w.network.services.sync(&w.store);
    let key =
        ObjKey::new(svc.metadata.namespace.as_deref().unwrap_or("default"), svc.metadata.name.as_deref().unwrap_or(""));
    if let Some(spec) = svc.spec.as_mut() {
        normalize_cluster_ips(spec, None);
    }
    let errs = validate_cluster_ips(svc);
    if !errs.is_empty() {
        return Err(invalid(&key.name, errs));
    }
    init_ip_families(svc, None)?;
    alloc_cluster_ip(w, svc, &key)?;
    alloc_node_ports(w, svc, &key)?;
    // Status is the server's: a new Service has an empty load-balancer status.
    svc.status = Some(ServiceStatus { load_balancer: Some(LoadBalancerStatus::default()), conditions: None });
    Ok(())
}

/// The update half that runs before validation (`PrepareForUpdate`): values the client left
/// out are kept (`patchAllocatedValues`), clusterIPs normalised, fields the new type does not
/// use dropped; then the clusterIP may not change (unless to or from ExternalName).
pub fn prepare_update(w: &mut World, old: &Object, new: &mut Object) -> Result<(), ApiError> {
    let (Object::Service(old), Object::Service(svc)) = (old, new) else { return Ok(()) };
    w.network.services.sync(&w.store);
    let name = svc.metadata.name.clone().unwrap_or_default();
    let (old_needs_ip, new_needs_ip) = (needs_cluster_ip(old), needs_cluster_ip(svc));
    let (old_needs_np, new_needs_np) = (needs_node_port(old), needs_node_port(svc));
    let old_spec = old.spec.clone().unwrap_or_default();
    let spec = svc.spec.get_or_insert_with(Default::default);
    if old_needs_ip && new_needs_ip {
        if spec.cluster_ip.as_deref().is_none_or(str::is_empty) {
            spec.cluster_ip = old_spec.cluster_ip.clone();
        }
        if spec.cluster_ips.as_ref().is_none_or(|v| v.is_empty()) && old_spec.cluster_ips.is_some() {
            spec.cluster_ips = old_spec.cluster_ips.clone();
        }
    }
    if old_needs_np && new_needs_np {
        let used_old: BTreeSet<i32> = old_spec.ports.iter().flatten().filter_map(|p| p.node_port).collect();
        let used_new: BTreeSet<i32> = spec.ports.iter().flatten().filter_map(|p| p.node_port).collect();
        let used: BTreeSet<i32> = used_old.intersection(&used_new).copied().collect();
        let by_name: BTreeMap<String, i32> = old_spec
            .ports
            .iter()
            .flatten()
            .map(|p| (p.name.clone().unwrap_or_default(), p.node_port.unwrap_or(0)))
            .collect();
        for p in spec.ports.iter_mut().flatten() {
            if p.node_port.unwrap_or(0) == 0 {
                let old_val = by_name.get(p.name.as_deref().unwrap_or("")).copied().unwrap_or(0);
                if old_val != 0 && !used.contains(&old_val) {
                    p.node_port = Some(old_val);
                }
            }
        }
        if spec.health_check_node_port.unwrap_or(0) == 0 {
            spec.health_check_node_port = old_spec.health_check_node_port;
        }
    }
    normalize_cluster_ips(spec, Some(&old_spec));
    // dropTypeDependentFields
    if old_needs_ip && !new_needs_ip {
        if spec.cluster_ip == old_spec.cluster_ip && spec.cluster_ips == old_spec.cluster_ips {
            spec.cluster_ip = None;
            spec.cluster_ips = None;
        }
        if spec.ip_families == old_spec.ip_families {
            spec.ip_families = None;
        }
        if spec.ip_family_policy == old_spec.ip_family_policy {
            spec.ip_family_policy = None;
        }
    }
    if old_needs_np && !new_needs_np {
        let same =
            spec.ports.iter().flatten().map(|p| p.node_port).eq(old_spec.ports.iter().flatten().map(|p| p.node_port));
        if same {
            for p in spec.ports.iter_mut().flatten() {
                p.node_port = None;
            }
        }
        spec.health_check_node_port = None;
    }
    if spec.type_.as_deref() != Some("LoadBalancer") {
        spec.allocate_load_balancer_node_ports = None;
    }
    if !new_needs_np {
        spec.external_traffic_policy = None;
    }
    if !new_needs_ip && spec.internal_traffic_policy == old_spec.internal_traffic_policy {
        spec.internal_traffic_policy = None;
    }
    let errs = validate_cluster_ips(svc);
    if !errs.is_empty() {
        return Err(invalid(&name, errs));
    }
    init_ip_families(svc, Some(old))?;
    if old_needs_ip && new_needs_ip {
        let old_first = old_spec.cluster_ips.as_ref().and_then(|v| v.first()).cloned();
        let new_ips = svc.spec.as_ref().and_then(|s| s.cluster_ips.clone()).unwrap_or_default();
        if let (Some(o), Some(n)) = (old_first, new_ips.first()) {
            if &o != n {
                return Err(invalid(
                    &name,
                    vec![FieldError::invalid(
                        "spec.clusterIPs[0]",
                        BadValue::Raw(go_string_slice(&new_ips)),
                        "may not change once set",
                    )],
                ));
            }
        }
    }
    Ok(())
}

/// The update half that runs after validation (`allocateUpdate`): a Service turning from
/// ExternalName gets a ClusterIP; one turning NodePort or LoadBalancer gets its NodePorts.
/// What the old object held and the new one does not is freed when the update is stored.
pub fn allocate_update(w: &mut World, old: &Object, new: &mut Object) -> Result<(), ApiError> {
    let (Object::Service(old), Object::Service(svc)) = (old, new) else { return Ok(()) };
    w.network.services.sync(&w.store);
    let key =
        ObjKey::new(svc.metadata.namespace.as_deref().unwrap_or("default"), svc.metadata.name.as_deref().unwrap_or(""));
    if !needs_cluster_ip(old) && needs_cluster_ip(svc) {
        alloc_cluster_ip(w, svc, &key)?;
    }
    if needs_node_port(svc) {
        alloc_node_ports(w, svc, &key)?;
    }
    Ok(())
}

/// The networking controllers, in the order the tick runs them (step 7 of `World::tick`):
/// the endpoints and EndpointSlice controllers follow the readiness the kubelets just
/// reported; the load-balancer controller hands out addresses; the ingress controllers
/// publish their addresses on the Ingresses they serve.
pub fn reconcile(w: &mut World) {
    flush_access_logs(w);
    w.network.services.sync(&w.store);
    super::endpoints::reconcile(w);
    load_balancers(w);
    super::ingress::reconcile(w);
}

/// A Service was created, changed or deleted through the API: the endpoints controllers
/// catch up at once rather than at the next tick, as the real ones do within milliseconds —
/// so a request made right after `kubectl expose` finds the Service's ready pods.
pub fn service_written(w: &mut World) {
    w.network.services.sync(&w.store);
    super::endpoints::reconcile(w);
}

/// Appends the access-log lines servers wrote while answering requests to their containers'
/// logs (requests are routed while the kubelets' state is borrowed).
pub fn flush_access_logs(w: &mut World) {
    let now = w.now;
    for (uid, ctr, line) in std::mem::take(&mut w.network.pending_logs) {
        if let Some(c) = w.kubelet.pods.get_mut(&uid).and_then(|p| p.container_mut(&ctr)) {
            c.write_log(now, format!("{line}\n").as_bytes());
        }
    }
}

/// A load-balancer implementation (MetalLB-like) fed by `Network::lb_pool`: a LoadBalancer
/// Service gets the requested `spec.loadBalancerIP` if it is in the pool and free, else the
/// first free address; a Service that stopped being a LoadBalancer loses its address.
fn load_balancers(w: &mut World) {
    if w.network.services.lb_pending.is_empty() {
        return;
    }
    let pending: Vec<ObjKey> = w.network.services.lb_pending.iter().cloned().collect();
    for key in pending {
        let Some(svc) = w.store.get(Kind::Service, &key.namespace, &key.name).and_then(|o| o.as_service()).cloned()
        else {
            continue;
        };
        let is_lb = spec_type(&svc) == "LoadBalancer";
        let ingress: Vec<LoadBalancerIngress> = if is_lb {
            if w.network.lb_pool.is_empty() {
                continue;
            }
            let wanted = svc.spec.as_ref().and_then(|s| s.load_balancer_ip.clone()).filter(|s| !s.is_empty());
            let free = |ip: &String| w.network.services.lb_ips.get(ip).is_none_or(|k| *k == key);
            let ip = match wanted {
                Some(ip) if w.network.lb_pool.contains(&ip) && free(&ip) => Some(ip),
                Some(_) => None,
                None => w.network.lb_pool.iter().find(|ip| free(ip)).cloned(),
            };
            let Some(ip) = ip else { continue };
            vec![LoadBalancerIngress { ip: Some(ip), ip_mode: Some("VIP".into()), ..Default::default() }]
        } else {
            Vec::new()
        };
        let _ = w.store.modify(Kind::Service, &key.namespace, &key.name, |o| {
            if let Object::Service(s) = o {
                let st = s.status.get_or_insert_with(Default::default);
                st.load_balancer = Some(LoadBalancerStatus { ingress: (!ingress.is_empty()).then(|| ingress.clone()) });
            }
        });
        w.network.services.sync(&w.store);
    }
}

/// Runs `f` with a side RNG derived from the seed, so that the objects a cluster starts with
/// do not shift the random choices the learner later sees.
pub fn with_install_rng<T>(w: &mut World, f: impl FnOnce(&mut World) -> T) -> T {
    let side = ChaCha8Rng::seed_from_u64(w.seed ^ 0x6e65_7477_6f72_6b73);
    let saved = std::mem::replace(&mut w.rng, side);
    let r = f(w);
    w.rng = saved;
    r
}

/// The Services every cluster has: `kubernetes` (the API server, with the Endpoints and
/// EndpointSlice the API server keeps itself) and CoreDNS's `kube-dns`.
pub fn install_builtin(w: &mut World, apiserver_ip: &str) {
    with_install_rng(w, |w| {
        let created = super::cluster::install_time(w);
        let uid = w.new_uid();
        let kubernetes: Service = serde_json::from_value(json!({
            "metadata": {"name": "kubernetes", "namespace": "default", "uid": uid, "creationTimestamp": created,
                "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": KUBERNETES_SERVICE_IP, "clusterIPs": [KUBERNETES_SERVICE_IP],
                "internalTrafficPolicy": "Cluster", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": APISERVER_PORT}],
                "sessionAffinity": "None", "type": "ClusterIP"},
            "status": {"loadBalancer": {}}
        }))
        .unwrap_or_default();
        let _ = w.store.create(Object::Service(Box::new(kubernetes)));
        let uid = w.new_uid();
        let ep: Endpoints = serde_json::from_value(json!({
            "metadata": {"name": "kubernetes", "namespace": "default", "uid": uid, "creationTimestamp": created,
                "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
            "subsets": [{"addresses": [{"ip": apiserver_ip}], "ports": [{"name": "https", "port": APISERVER_PORT, "protocol": "TCP"}]}]
        }))
        .unwrap_or_default();
        let _ = w.store.create(Object::Endpoints(Box::new(ep)));
        let uid = w.new_uid();
        let slice: EndpointSlice = serde_json::from_value(json!({
            "metadata": {"name": "kubernetes", "namespace": "default", "uid": uid, "creationTimestamp": created,
                "generation": 1, "labels": {"kubernetes.io/service-name": "kubernetes"}},
            "addressType": "IPv4",
            "endpoints": [{"addresses": [apiserver_ip], "conditions": {"ready": true}}],
            "ports": [{"name": "https", "port": APISERVER_PORT, "protocol": "TCP"}]
        }))
        .unwrap_or_default();
        let _ = w.store.create(Object::EndpointSlice(Box::new(slice)));
        let uid = w.new_uid();
        let dns = Service {
            metadata: ObjectMeta {
                name: Some("kube-dns".into()),
                namespace: Some("kube-system".into()),
                uid: Some(uid),
                creation_timestamp: Some(created.clone()),
                labels: Some(
                    [
                        ("k8s-app", "kube-dns"),
                        ("kubernetes.io/cluster-service", "true"),
                        ("kubernetes.io/name", "CoreDNS"),
                    ]
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                ),
                annotations: Some(
                    [("prometheus.io/port", "9153"), ("prometheus.io/scrape", "true")]
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                ),
                ..Default::default()
            },
            spec: Some(ServiceSpec {
                cluster_ip: Some(DNS_SERVICE_IP.into()),
                cluster_ips: Some(vec![DNS_SERVICE_IP.into()]),
                internal_traffic_policy: Some("Cluster".into()),
                ip_families: Some(vec!["IPv4".into()]),
                ip_family_policy: Some("SingleStack".into()),
                ports: Some(vec![port("dns", 53, "UDP"), port("dns-tcp", 53, "TCP"), port("metrics", 9153, "TCP")]),
                selector: Some([("k8s-app".to_string(), "kube-dns".to_string())].into()),
                session_affinity: Some("None".into()),
                type_: Some("ClusterIP".into()),
                ..Default::default()
            }),
            status: Some(ServiceStatus { load_balancer: Some(LoadBalancerStatus::default()), conditions: None }),
        };
        let _ = w.store.create(Object::Service(Box::new(dns)));
        w.network.services.sync(&w.store);
        // The endpoints controllers' first pass makes kube-dns's Endpoints and slice now, dated
        // with the cluster, rather than on the learner's first tick.
        super::endpoints::reconcile_at(w, created);
    });
}

fn port(name: &str, port: i32, protocol: &str) -> ServicePort {
    ServicePort {
        name: Some(name.into()),
        port,
        protocol: Some(protocol.into()),
        target_port: Some(IntOrString::Int(port)),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api::WriteOptions;

    fn svc(yaml: &str) -> Object {
        let s: Service = serde_yaml::from_str(yaml).unwrap();
        Object::Service(Box::new(s))
    }

    fn create(w: &mut World, yaml: &str) -> Result<Service, String> {
        w.api_create(svc(yaml), WriteOptions::default())
            .map(|o| o.into_service().unwrap())
            .map_err(|e| e.kubectl_text())
    }

    #[test]
    fn cluster_ips_and_node_ports() {
        let mut w = World::new(1);
        let s = create(&mut w, "metadata: {name: a}\nspec:\n  selector: {app: a}\n  ports: [{port: 80}]\n").unwrap();
        let spec = s.spec.unwrap();
        let ip = ip_to_u32(spec.cluster_ip.as_deref().unwrap()).unwrap();
        assert!(ip > CIDR_BASE + IP_OFFSET && ip <= CIDR_BASE + IP_MAX, "{:?}", spec.cluster_ip);
        assert_eq!(spec.cluster_ips, spec.cluster_ip.clone().map(|i| vec![i]));
        assert_eq!(spec.ip_families, Some(vec!["IPv4".to_string()]));
        assert_eq!(spec.ip_family_policy.as_deref(), Some("SingleStack"));

        let err =
            create(&mut w, "metadata: {name: b}\nspec:\n  clusterIP: 10.96.0.10\n  ports: [{port: 80}]\n").unwrap_err();
        assert_eq!(err, "The Service \"b\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.96.0.10\"}: failed to allocate IP 10.96.0.10: provided IP is already allocated");
        let err =
            create(&mut w, "metadata: {name: b}\nspec:\n  clusterIP: 10.0.0.5\n  ports: [{port: 80}]\n").unwrap_err();
        assert_eq!(err, "The Service \"b\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.0.0.5\"}: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12");
        let b = create(&mut w, "metadata: {name: b}\nspec:\n  clusterIP: 10.96.0.50\n  ports: [{port: 80}]\n").unwrap();
        assert_eq!(b.spec.unwrap().cluster_ip.as_deref(), Some("10.96.0.50"));

        let n = create(&mut w, "metadata: {name: n}\nspec:\n  type: NodePort\n  ports: [{port: 80, nodePort: 30080}, {port: 443, name: https}]\n")
            .unwrap_err();
        assert!(n.contains("spec.ports[0].name: Required value"), "{n}");
        let n = create(&mut w, "metadata: {name: n}\nspec:\n  type: NodePort\n  ports: [{name: http, port: 80, nodePort: 30080}, {port: 443, name: https}]\n").unwrap();
        let ports = n.spec.unwrap().ports.unwrap();
        assert_eq!(ports[0].node_port, Some(30080));
        let np = ports[1].node_port.unwrap();
        assert!((30086..=32767).contains(&np), "{np}");
        let err =
            create(&mut w, "metadata: {name: m}\nspec:\n  type: NodePort\n  ports: [{port: 80, nodePort: 30080}]\n")
                .unwrap_err();
        assert_eq!(err, "The Service \"m\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated");
        // Deleting the Service frees its port at once.
        w.api_delete(Kind::Service, "default", "n", None, WriteOptions::default()).unwrap();
        create(&mut w, "metadata: {name: m}\nspec:\n  type: NodePort\n  ports: [{port: 80, nodePort: 30080}]\n")
            .unwrap();
        // A dry run holds nothing.
        let dry = w.api_create(
            svc("metadata: {name: d}\nspec:\n  type: NodePort\n  ports: [{port: 80, nodePort: 30081}]\n"),
            WriteOptions { dry_run: true },
        );
        assert!(dry.is_ok());
        create(&mut w, "metadata: {name: e}\nspec:\n  type: NodePort\n  ports: [{port: 80, nodePort: 30081}]\n")
            .unwrap();
    }

    #[test]
    fn headless_and_external_name() {
        let mut w = World::new(1);
        let h = create(
            &mut w,
            "metadata: {name: h}\nspec:\n  clusterIP: None\n  selector: {app: a}\n  ports: [{port: 80}]\n",
        )
        .unwrap();
        let spec = h.spec.unwrap();
        assert_eq!(spec.cluster_ips, Some(vec!["None".to_string()]));
        assert_eq!(spec.ip_family_policy.as_deref(), Some("SingleStack"));
        let h = create(&mut w, "metadata: {name: h2}\nspec:\n  clusterIP: None\n").unwrap();
        let spec = h.spec.unwrap();
        assert_eq!(spec.ip_family_policy.as_deref(), Some("RequireDualStack"));
        assert_eq!(spec.ip_families, Some(vec!["IPv4".to_string(), "IPv6".to_string()]));
        let e = create(&mut w, "metadata: {name: ext}\nspec:\n  type: ExternalName\n  externalName: db.example.com\n")
            .unwrap();
        let spec = e.spec.unwrap();
        assert_eq!(spec.cluster_ip, None);
        assert_eq!(spec.ip_families, None);
        let err =
            create(&mut w, "metadata: {name: x}\nspec:\n  type: NodePort\n  clusterIP: None\n  ports: [{port: 80}]\n")
                .unwrap_err();
        assert_eq!(err, "The Service \"x\" is invalid: spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services");
    }

    #[test]
    fn updates_keep_allocations_and_clusterip_is_immutable() {
        let mut w = World::new(1);
        let s = create(
            &mut w,
            "metadata: {name: a}\nspec:\n  type: NodePort\n  selector: {app: a}\n  ports: [{port: 80}]\n",
        )
        .unwrap();
        let spec = s.spec.clone().unwrap();
        // A client sending the Service without clusterIP and nodePort keeps both.
        let upd = svc("metadata: {name: a, namespace: default}\nspec:\n  type: NodePort\n  selector: {app: b}\n  ports: [{port: 80}]\n");
        let got = w.api_update(upd, WriteOptions::default()).unwrap().into_service().unwrap().spec.unwrap();
        assert_eq!(got.cluster_ip, spec.cluster_ip);
        assert_eq!(got.ports.unwrap()[0].node_port, spec.ports.unwrap()[0].node_port);
        // Back to ClusterIP: the node port goes.
        let upd = svc("metadata: {name: a, namespace: default}\nspec:\n  type: ClusterIP\n  selector: {app: b}\n  ports: [{port: 80}]\n");
        let got = w.api_update(upd, WriteOptions::default()).unwrap().into_service().unwrap().spec.unwrap();
        assert_eq!(got.ports.unwrap()[0].node_port, None);
        assert_eq!(got.external_traffic_policy, None);
        let upd = svc("metadata: {name: a, namespace: default}\nspec:\n  clusterIP: None\n  selector: {app: b}\n  ports: [{port: 80}]\n");
        let err = w.api_update(upd, WriteOptions::default()).unwrap_err().kubectl_text();
        assert_eq!(err, "The Service \"a\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"None\"}: may not change once set");
    }

    #[test]
    fn builtin_services_exist() {
        let w = World::new(1);
        let k = w.store.get(Kind::Service, "default", "kubernetes").and_then(|o| o.as_service()).unwrap();
        assert_eq!(k.spec.as_ref().unwrap().cluster_ip.as_deref(), Some(KUBERNETES_SERVICE_IP));
        let d = w.store.get(Kind::Service, "kube-system", "kube-dns").and_then(|o| o.as_service()).unwrap();
        assert_eq!(d.spec.as_ref().unwrap().cluster_ip.as_deref(), Some(DNS_SERVICE_IP));
        assert_eq!(w.network.services.service_for_ip("10.96.0.10"), Some(&ObjKey::new("kube-system", "kube-dns")));
        assert!(w.store.get(Kind::Endpoints, "kube-system", "kube-dns").is_some());
    }

    #[test]
    fn load_balancer_pool() {
        let mut w = World::new(1);
        create(&mut w, "metadata: {name: lb}\nspec:\n  type: LoadBalancer\n  ports: [{port: 80}]\n").unwrap();
        w.tick();
        let ing = |w: &World| {
            w.store
                .get(Kind::Service, "default", "lb")
                .and_then(|o| o.as_service())
                .unwrap()
                .status
                .clone()
                .unwrap()
                .load_balancer
                .unwrap()
                .ingress
        };
        assert_eq!(ing(&w), None);
        w.network.lb_pool = vec!["192.168.1.240".into(), "192.168.1.241".into()];
        w.tick();
        let got = ing(&w).unwrap();
        assert_eq!(got[0].ip.as_deref(), Some("192.168.1.240"));
        assert_eq!(got[0].ip_mode.as_deref(), Some("VIP"));
        assert_eq!(w.network.services.service_for_lb_ip("192.168.1.240"), Some(&ObjKey::new("default", "lb")));
    }
}
