//! The Node describer: roles, taints, the node's Lease, conditions, addresses, capacity,
//! system info, and the table of its non-terminated pods with their share of the node's
//! allocatable CPU and memory.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::{
    describe_events, print_annotations_multiline, print_labels_multiline, print_taints_multiline, qty, rfc1123z,
    Describer, Pw,
};
use crate::sim::quantity::{format_milli, parse_format, parse_milli, Format};
use crate::sim::Kind;

pub(super) fn describe_node(d: &Describer, node: &Node) -> String {
    let node_name = node.metadata.name.clone().unwrap_or_default();
    let pods = super::pod::non_terminated_pods_on(d, &node_name);
    // Controllers report node events with the node's uid, kubelets with its name: kubectl
    // searches both and merges them.
    let events = d.show_events.then(|| {
        let mut evs = d.search_events(&node.metadata, Some(Kind::Node), node.metadata.uid.as_deref().unwrap_or(""));
        evs.extend(d.search_events(&node.metadata, Some(Kind::Node), &node_name));
        evs
    });
    let spec = node.spec.clone().unwrap_or_default();
    let status = node.status.clone().unwrap_or_default();
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{node_name}\n"));
    let roles = node_roles(node);
    if roles.is_empty() {
        w.w(0, "Roles:\t<none>\n");
    } else {
        w.w(0, &format!("Roles:\t{}\n", roles.join(",")));
    }
    print_labels_multiline(&mut w, "Labels", node.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", node.metadata.annotations.as_ref());
    w.w(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(node.metadata.creation_timestamp.as_ref())));
    print_taints_multiline(&mut w, "Taints", spec.taints.as_deref().unwrap_or_default());
    w.w(0, &format!("Unschedulable:\t{}\n", spec.unschedulable.unwrap_or(false)));
    match d.world.store.get(Kind::Lease, "kube-node-lease", &node_name).and_then(|o| match o {
        crate::sim::Object::Lease(l) => Some(l),
        _ => None,
    }) {
        Some(lease) => {
            let spec = lease.spec.clone().unwrap_or_default();
            w.w(0, "Lease:\n");
            w.w(1, &format!("HolderIdentity:\t{}\n", spec.holder_identity.as_deref().unwrap_or("<unset>")));
            let acquire = spec.acquire_time.as_ref().map(|t| t.0.format("%a, %d %b %Y %H:%M:%S %z").to_string());
            w.w(1, &format!("AcquireTime:\t{}\n", acquire.as_deref().unwrap_or("<unset>")));
            let renew = spec.renew_time.as_ref().map(|t| t.0.format("%a, %d %b %Y %H:%M:%S %z").to_string());
            w.w(1, &format!("RenewTime:\t{}\n", renew.as_deref().unwrap_or("<unset>")));
        }
        None => w.w(0, &format!("Lease:\tFailed to get lease: leases.coordination.k8s.io \"{node_name}\" not found\n")),
    }
    if let Some(conds) = status.conditions.as_deref().filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
        w.w(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
        for c in conds {
            w.w(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    c.type_,
                    c.status,
                    rfc1123z(c.last_heartbeat_time.as_ref()),
                    rfc1123z(c.last_transition_time.as_ref()),
                    c.reason.as_deref().unwrap_or(""),
                    c.message.as_deref().unwrap_or("")
                ),
            );
        }
    }
    w.w(0, "Addresses:\n");
    for a in status.addresses.as_deref().unwrap_or_default() {
        w.w(1, &format!("{}:\t{}\n", a.type_, a.address));
    }
    if let Some(cap) = status.capacity.as_ref().filter(|c| !c.is_empty()) {
        w.w(0, "Capacity:\n");
        for (k, v) in cap {
            w.w(0, &format!("  {k}:\t{}\n", qty(v)));
        }
    }
    if let Some(alloc) = status.allocatable.as_ref().filter(|c| !c.is_empty()) {
        w.w(0, "Allocatable:\n");
        for (k, v) in alloc {
            w.w(0, &format!("  {k}:\t{}\n", qty(v)));
        }
    }
    let info = status.node_info.clone().unwrap_or_default();
    w.w(0, "System Info:\n");
    w.w(0, &format!("  Machine ID:\t{}\n", info.machine_id));
    w.w(0, &format!("  System UUID:\t{}\n", info.system_uuid));
    w.w(0, &format!("  Boot ID:\t{}\n", info.boot_id));
    w.w(0, &format!("  Kernel Version:\t{}\n", info.kernel_version));
    w.w(0, &format!("  OS Image:\t{}\n", info.os_image));
    w.w(0, &format!("  Operating System:\t{}\n", info.operating_system));
    w.w(0, &format!("  Architecture:\t{}\n", info.architecture));
    w.w(0, &format!("  Container Runtime Version:\t{}\n", info.container_runtime_version));
    w.w(0, &format!("  Kubelet Version:\t{}\n", info.kubelet_version));
    w.w(0, &format!("  Kube-Proxy Version:\t{}\n", info.kube_proxy_version));
    if let Some(cidr) = spec.pod_cidr.as_deref().filter(|s| !s.is_empty()) {
        w.w(0, &format!("PodCIDR:\t{cidr}\n"));
    }
    if let Some(cidrs) = spec.pod_cidrs.as_deref().filter(|c| !c.is_empty()) {
        w.w(0, &format!("PodCIDRs:\t{}\n", cidrs.join(",")));
    }
    if let Some(p) = spec.provider_id.as_deref().filter(|s| !s.is_empty()) {
        w.w(0, &format!("ProviderID:\t{p}\n"));
    }
    describe_node_resource(d, &mut w, &pods, &status);
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

/// `findNodeRoles`: `node-role.kubernetes.io/<role>` labels and the `kubernetes.io/role`
/// label, sorted.
fn node_roles(node: &Node) -> Vec<String> {
    let mut roles: Vec<String> = Vec::new();
    for (k, v) in node.metadata.labels.iter().flatten() {
        if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
            if !role.is_empty() {
                roles.push(role.to_string());
            }
        } else if k == "kubernetes.io/role" && !v.is_empty() {
            roles.push(v.clone());
        }
    }
    roles.sort();
    roles.dedup();
    roles
}

/// A quantity as Go's `resource.Quantity` arithmetic keeps it: an amount (in thousandths)
/// and the format of the first non-zero operand, which decides how a sum prints.
#[derive(Clone, Copy, Debug)]
struct Q {
    milli: i64,
    format: Format,
}

impl Q {
    fn zero() -> Q {
        Q { milli: 0, format: Format::DecimalSI }
    }
    fn of(q: &Quantity) -> Q {
        Q { milli: parse_milli(&q.0).unwrap_or(0), format: parse_format(&q.0).unwrap_or(Format::DecimalSI) }
    }
    /// `Quantity.Add`: a zero receiver takes the other's format.
    fn add(&mut self, o: Q) {
        if self.milli == 0 {
            self.format = o.format;
        }
        self.milli = self.milli.saturating_add(o.milli);
    }
    /// `Value()`: whole units, rounded up.
    fn value(self) -> i64 {
        (self.milli + 999).div_euclid(1000)
    }
    fn string(self) -> String {
        format_milli(self.milli, self.format)
    }
}

type Res = BTreeMap<String, Q>;

fn add_list(list: &mut Res, new: Option<&BTreeMap<String, Quantity>>) {
    for (k, v) in new.into_iter().flatten() {
        let q = Q::of(v);
        match list.get_mut(k) {
            None => {
                list.insert(k.clone(), q);
            }
            Some(cur) => cur.add(q),
        }
    }
}

fn add_res(list: &mut Res, new: &Res) {
    for (k, q) in new {
        match list.get_mut(k) {
            None => {
                list.insert(k.clone(), *q);
            }
            Some(cur) => cur.add(*q),
        }
    }
}

fn max_res(list: &mut Res, new: &Res) {
    for (k, q) in new {
        match list.get(k) {
            Some(cur) if q.milli <= cur.milli => {}
            _ => {
                list.insert(k.clone(), *q);
            }
        }
    }
}

/// kubectl's `PodRequestsAndLimits`: the sum over containers, at least the largest init
/// container (sidecars count with the containers), plus the pod overhead.
fn pod_requests_and_limits(pod: &Pod) -> (Res, Res) {
    let spec = pod.spec.clone().unwrap_or_default();
    let mut reqs = Res::new();
    let mut limits = Res::new();
    for c in &spec.containers {
        let r = c.resources.as_ref();
        add_list(&mut reqs, r.and_then(|r| r.requests.as_ref()));
        add_list(&mut limits, r.and_then(|r| r.limits.as_ref()));
    }
    let (mut sidecar_reqs, mut sidecar_limits) = (Res::new(), Res::new());
    let (mut init_reqs, mut init_limits) = (Res::new(), Res::new());
    for c in spec.init_containers.iter().flatten() {
        let r = c.resources.as_ref();
        let mut creq = Res::new();
        add_list(&mut creq, r.and_then(|r| r.requests.as_ref()));
        let mut clim = Res::new();
        add_list(&mut clim, r.and_then(|r| r.limits.as_ref()));
        if c.restart_policy.as_deref() == Some("Always") {
            add_res(&mut reqs, &creq);
            add_res(&mut sidecar_reqs, &creq);
            add_res(&mut limits, &clim);
            add_res(&mut sidecar_limits, &clim);
            max_res(&mut init_reqs, &sidecar_reqs.clone());
            max_res(&mut init_limits, &sidecar_limits.clone());
        } else {
            add_res(&mut creq, &sidecar_reqs);
            add_res(&mut clim, &sidecar_limits);
            max_res(&mut init_reqs, &creq);
            max_res(&mut init_limits, &clim);
        }
    }
    max_res(&mut reqs, &init_reqs);
    max_res(&mut limits, &init_limits);
    if let Some(overhead) = &spec.overhead {
        add_list(&mut reqs, Some(overhead));
        for (k, v) in overhead {
            if let Some(cur) = limits.get_mut(k) {
                cur.add(Q::of(v));
            }
        }
    }
    (reqs, limits)
}

/// Go's `int64(float64(a) / float64(b) * 100)`.
fn percent(a: i64, b: i64) -> i64 {
    (a as f64 / b as f64 * 100.0) as i64
}

fn describe_node_resource(d: &Describer, w: &mut Pw, pods: &[&Pod], status: &k8s_openapi::api::core::v1::NodeStatus) {
    w.w(0, &format!("Non-terminated Pods:\t({} in total)\n", pods.len()));
    w.w(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
    w.w(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
    let allocatable: Res = {
        let src = match &status.allocatable {
            Some(a) if !a.is_empty() => Some(a),
            _ => status.capacity.as_ref(),
        };
        src.into_iter().flatten().map(|(k, v)| (k.clone(), Q::of(v))).collect()
    };
    let get = |r: &Res, k: &str| r.get(k).copied().unwrap_or_else(Q::zero);
    let alloc_cpu = get(&allocatable, "cpu").milli;
    let alloc_mem = get(&allocatable, "memory").value();
    let mut total_reqs = Res::new();
    let mut total_limits = Res::new();
    for p in pods {
        let (req, limit) = pod_requests_and_limits(p);
        let (cr, cl, mr, ml) = (get(&req, "cpu"), get(&limit, "cpu"), get(&req, "memory"), get(&limit, "memory"));
        w.w(
            1,
            &format!(
                "{}\t{}\t\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{}\n",
                super::namespace(&p.metadata),
                super::name(&p.metadata),
                cr.string(),
                percent(cr.milli, alloc_cpu),
                cl.string(),
                percent(cl.milli, alloc_cpu),
                mr.string(),
                percent(mr.value(), alloc_mem),
                ml.string(),
                percent(ml.value(), alloc_mem),
                d.since(p.metadata.creation_timestamp.as_ref())
            ),
        );
        add_res(&mut total_reqs, &req);
        add_res(&mut total_limits, &limit);
    }
    w.w(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
    w.w(1, "Resource\tRequests\tLimits\n");
    w.w(1, "--------\t--------\t------\n");
    let frac = |a: i64, b: i64| if b != 0 { percent(a, b) } else { 0 };
    let (cr, cl) = (get(&total_reqs, "cpu"), get(&total_limits, "cpu"));
    w.w(
        1,
        &format!(
            "cpu\t{} ({}%)\t{} ({}%)\n",
            cr.string(),
            frac(cr.milli, alloc_cpu),
            cl.string(),
            frac(cl.milli, alloc_cpu)
        ),
    );
    let (mr, ml) = (get(&total_reqs, "memory"), get(&total_limits, "memory"));
    w.w(
        1,
        &format!(
            "memory\t{} ({}%)\t{} ({}%)\n",
            mr.string(),
            frac(mr.value(), alloc_mem),
            ml.string(),
            frac(ml.value(), alloc_mem)
        ),
    );
    let alloc_eph = get(&allocatable, "ephemeral-storage").value();
    let (er, el) = (get(&total_reqs, "ephemeral-storage"), get(&total_limits, "ephemeral-storage"));
    w.w(
        1,
        &format!(
            "ephemeral-storage\t{} ({}%)\t{} ({}%)\n",
            er.string(),
            frac(er.value(), alloc_eph),
            el.string(),
            frac(el.value(), alloc_eph)
        ),
    );
    let standard = |k: &str| matches!(k, "cpu" | "memory" | "ephemeral-storage") || k.starts_with("hugepages-");
    for (k, a) in allocatable.iter().filter(|(k, _)| k.starts_with("hugepages-")) {
        let (hr, hl) = (get(&total_reqs, k), get(&total_limits, k));
        w.w(
            1,
            &format!(
                "{k}\t{} ({}%)\t{} ({}%)\n",
                hr.string(),
                frac(hr.value(), a.value()),
                hl.string(),
                frac(hl.value(), a.value())
            ),
        );
    }
    for k in allocatable.keys().filter(|k| !standard(k) && k.as_str() != "pods") {
        w.w(1, &format!("{k}\t{}\t{}\n", get(&total_reqs, k).string(), get(&total_limits, k).string()));
    }
}
