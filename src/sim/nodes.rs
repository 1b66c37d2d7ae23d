//! Node lifecycle: what keeps nodes honest. Three actors of a real cluster live here:
//!
//! - each node's **kubelet heartbeat** (the Lease it renews every 10 s) and its **eviction
//!   manager** (under memory pressure it evicts BestEffort pods, one every 10 s);
//! - the **node lifecycle controller** (kube-controller-manager): every 5 s it looks at each
//!   node's last heartbeat; after the grace period it marks the node's conditions Unknown
//!   ("Kubelet stopped posting node status."), marks its pods not ready, and taints the node
//!   `node.kubernetes.io/unreachable` (NoSchedule and NoExecute). It also keeps the
//!   condition taints (`not-ready`, `memory-pressure`, `disk-pressure`, `pid-pressure`,
//!   `unschedulable`) in step with the node's conditions and `spec.unschedulable`;
//! - the **taint eviction controller**: a pod on a node with a NoExecute taint it does not
//!   tolerate is deleted at once; one that tolerates it for `tolerationSeconds` (300 s by
//!   default, added by the DefaultTolerationSeconds admission plugin) is deleted when that
//!   time has passed. With the kubelet gone, the deleted pods stay `Terminating` until the
//!   node comes back (or the learner force-deletes them), while their controllers replace
//!   them elsewhere — exactly what a learner sees on a real cluster.
//!
//! Default values (Kubernetes v1.32): node-monitor-period 5 s, node-monitor-grace-period
//! 50 s, lease renew interval 10 s, kubelet eviction-pressure monitoring every 10 s, default
//! toleration of not-ready/unreachable 300 s.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Node, NodeCondition, Pod, PodCondition, Taint};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::api::WriteOptions;
use super::clock::{tick_of, Tick};
use super::events::{object_reference, EventType, Source};
use super::object::{Kind, Object};
use super::World;

/// How often the node lifecycle controller looks at the nodes.
pub const NODE_MONITOR_PERIOD_S: u64 = 5;
/// How long a node may go without a heartbeat before it is marked Unknown.
pub const NODE_MONITOR_GRACE_S: u64 = 50;
/// How often a kubelet renews its node Lease.
pub const LEASE_RENEW_S: u64 = 10;
/// How often the kubelet reports an unchanged node status (nodeStatusReportFrequency).
pub const STATUS_REPORT_S: u64 = 300;
/// How often the kubelet's eviction manager acts under pressure.
pub const EVICTION_INTERVAL_S: u64 = 10;

pub const TAINT_UNREACHABLE: &str = "node.kubernetes.io/unreachable";
pub const TAINT_NOT_READY: &str = "node.kubernetes.io/not-ready";
pub const TAINT_UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";
pub const TAINT_MEMORY_PRESSURE: &str = "node.kubernetes.io/memory-pressure";
pub const TAINT_DISK_PRESSURE: &str = "node.kubernetes.io/disk-pressure";
pub const TAINT_PID_PRESSURE: &str = "node.kubernetes.io/pid-pressure";

/// What is true of a node's machine and kubelet (faults change it; the API only sees its
/// consequences).
#[derive(Clone, Debug)]
pub struct NodeRt {
    /// The machine is on. Off: its containers are gone and its kubelet is silent.
    pub powered: bool,
    /// The kubelet process runs (containers keep running without it).
    pub kubelet_running: bool,
    /// The node is cut off from the control plane and the other nodes.
    pub partitioned: bool,
    /// Last Lease renewal the control plane saw.
    pub last_heartbeat: Tick,
    pub memory_pressure: bool,
    pub disk_pressure: bool,
    /// The machine was powered off since its kubelet last ran: its pods' containers are gone.
    pub rebooted: bool,
    last_eviction: Option<Tick>,
    last_status_report: Tick,
    /// What [`reconcile`] last read of the node's Node object, kept until the change log
    /// shows the Node written again: a quiet node is looked at every ten seconds to renew
    /// its Lease, and its Node, unchanged, need not be read for that.
    node_facts: Option<NodeFacts>,
}

/// What of a Node decides whether its node is quiet (needs none of [`kubelet_status`],
/// [`eviction_manager`], [`monitor`] and [`condition_taints`] this second): it says so until
/// the Node is next written. The runtime's part is [`quiet_rt`].
#[derive(Clone, Copy, Debug)]
struct NodeFacts {
    /// The Node's part of being quiet: its kubelet posted a healthy status, it is
    /// schedulable, and it has none of the taints the conditions control.
    healthy: bool,
    /// It has a NoExecute taint.
    no_execute: bool,
}

impl NodeFacts {
    fn of(n: &Node) -> NodeFacts {
        let status = |ty: &str| condition(n, ty).map(|c| c.status.as_str());
        let taints = n.spec.as_ref().and_then(|s| s.taints.as_deref()).unwrap_or_default();
        NodeFacts {
            healthy: status("Ready") == Some("True")
                && status("MemoryPressure") == Some("False")
                && status("DiskPressure") == Some("False")
                && status("PIDPressure") != Some("True")
                && !n.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false)
                && !taints.iter().any(|t| CONTROLLED_KEYS.contains(&t.key.as_str())),
            no_execute: taints.iter().any(|t| t.effect == "NoExecute"),
        }
    }
}

impl NodeRt {
    fn new(now: Tick) -> NodeRt {
        NodeRt {
            powered: true,
            kubelet_running: true,
            partitioned: false,
            last_heartbeat: now,
            memory_pressure: false,
            disk_pressure: false,
            rebooted: false,
            last_eviction: None,
            last_status_report: now,
            node_facts: None,
        }
    }

    /// Whether the kubelet runs and talks to the API server (so it syncs its pods).
    pub fn kubelet_syncs(&self) -> bool {
        self.powered && self.kubelet_running && !self.partitioned
    }

    /// Whether the node's pods can be reached over the network.
    pub fn reachable(&self) -> bool {
        self.powered && !self.partitioned
    }
}

/// The runtime state of every node and the taint eviction queue.
#[derive(Clone, Debug, Default)]
pub struct Nodes {
    rt: crate::sim::indexed::LookupMap<String, NodeRt>,
    /// Pods due for taint-based eviction: (namespace, name) → (uid, when).
    evictions: BTreeMap<(String, String), (String, Tick)>,
    /// Which nodes [`reconcile`] must look at, and when.
    wake: Wake,
}

/// The nodes [`reconcile`] must look at: those due (a Lease to renew, a status to report, or
/// every second while a node is not quiet), those whose Node object changed (read from
/// the store's change log) and those whose runtime state was touched ([`Nodes::entry`]). A
/// node not among them would have nothing done for it this second, so a tick costs in
/// proportion to what is due or changed, not to the number of nodes.
#[derive(Clone, Debug, Default)]
struct Wake {
    /// Whether every node has been looked at since the start (or since [`resume`]); until
    /// then, or when the change log no longer reaches back to `cursor`, all are looked at.
    synced: bool,
    /// The store resourceVersion up to which Node changes have been read.
    cursor: u64,
    /// The nodes due and the tick each must be looked at by (the earliest asked for).
    due: NodeQueue,
    /// Nodes whose runtime state was handed out for change since the last pass.
    touched: std::collections::BTreeSet<String>,
    /// Tests only: look at every node every second (the reference behaviour).
    #[cfg(test)]
    every_tick: bool,
}

impl Wake {
    /// Asks for `node` to be looked at by tick `t` (an earlier request stands).
    fn add_at(&mut self, node: &str, t: Tick) {
        self.due.add_at(node, t);
    }

    /// Removes the nodes due at or before `now` and adds them to `out` (in no order).
    fn pop_due(&mut self, now: Tick, out: &mut Vec<Arc<str>>) {
        self.due.pop_due(now, out);
    }
}

/// Node names due at a tick, the earliest asked for winning (the controllers' `DueQueue`,
/// made for what the node lifecycle asks of it). At 5,000 nodes some 500 are due every
/// second, each asked for again as it is looked at, so both ends are made cheap: names are
/// kept in buckets by tick, and a name asked for earlier than before is simply added to the
/// earlier bucket; the later entry stays behind and is skipped when its bucket comes due,
/// because `at` no longer names that tick. A name's entry in `at` outlives its pop, marked
/// not queued, and the buckets share its key, so asking for it again allocates nothing; nor
/// does a new bucket, which takes the room of one emptied before.
#[derive(Clone, Debug, Default)]
struct NodeQueue {
    buckets: BTreeMap<Tick, Vec<Arc<str>>>,
    /// Each name ever queued → the tick it is queued for, or None once popped.
    at: crate::sim::indexed::LookupMap<Arc<str>, Option<Tick>>,
    /// Buckets emptied by [`NodeQueue::pop_due`], for reuse.
    spare: Vec<Vec<Arc<str>>>,
}

impl NodeQueue {
    fn add_at(&mut self, node: &str, t: Tick) {
        let name = match self.at.get_key_value_mut(node) {
            Some((_, Some(prev))) if *prev <= t => return,
            Some((name, at)) => {
                *at = Some(t);
                name.clone()
            }
            None => {
                let name: Arc<str> = node.into();
                self.at.insert(name.clone(), Some(t));
                name
            }
        };
        let spare = &mut self.spare;
        self.buckets.entry(t).or_insert_with(|| spare.pop().unwrap_or_default()).push(name);
    }

    /// Moves the names due at or before `now` into `out`.
    fn pop_due(&mut self, now: Tick, out: &mut Vec<Arc<str>>) {
        while let Some(entry) = self.buckets.first_entry() {
            if *entry.key() > now {
                break;
            }
            let (t, mut names) = entry.remove_entry();
            for name in names.drain(..) {
                // Skipped: asked for earlier since (and popped then, or still queued).
                if let Some(at) = self.at.get_mut(&*name).filter(|at| **at == Some(t)) {
                    *at = None;
                    out.push(name);
                }
            }
            self.spare.push(names);
        }
    }
}

impl Nodes {
    /// The runtime state of `node` (a node the faults never touched is healthy).
    pub fn get(&self, node: &str) -> Option<&NodeRt> {
        self.rt.get(node)
    }

    /// Whether the kubelet of `node` syncs its pods (true for nodes never touched by faults).
    pub fn kubelet_syncs(&self, node: &str) -> bool {
        self.rt.get(node).is_none_or(NodeRt::kubelet_syncs)
    }

    /// Whether pods on `node` can be reached over the network.
    pub fn reachable(&self, node: &str) -> bool {
        self.rt.get(node).is_none_or(NodeRt::reachable)
    }

    /// The runtime state of `node`, created healthy on first use.
    pub fn entry(&mut self, node: &str, now: Tick) -> &mut NodeRt {
        // The caller may change anything: the node is looked at in the next pass.
        if !self.wake.touched.contains(node) {
            self.wake.touched.insert(node.to_string());
        }
        self.rt.entry_ref(node).or_insert_with(|| NodeRt::new(now))
    }
}

/// The clock jumped ahead (the learner arrives, `cluster::install`): the kubelets kept
/// renewing their Leases and reporting their nodes all along, so both read as fresh, and the
/// lifecycle state starts again from now as on a cluster first seen.
pub fn resume(w: &mut World) {
    let now = w.now;
    let renew = k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime(now.datetime());
    let t = Time(now.datetime());
    let names: Vec<String> = w.store.list(Kind::Node, None).iter().map(|o| o.name().to_string()).collect();
    for name in &names {
        let _ = w.store.modify(Kind::Lease, "kube-node-lease", name, |o| {
            if let Object::Lease(l) = o {
                l.spec.get_or_insert_with(Default::default).renew_time = Some(renew.clone());
            }
        });
        let _ = w.store.modify(Kind::Node, "", name, |o| {
            if let Object::Node(n) = o {
                for c in n.status.iter_mut().flat_map(|s| s.conditions.iter_mut().flatten()) {
                    c.last_heartbeat_time = Some(t.clone());
                }
            }
        });
    }
    w.nodes.rt = Default::default();
    // Every node is looked at again, its runtime state made anew.
    w.nodes.wake = Wake::default();
}

/// Node lifecycle for one tick: heartbeats, the kubelets' eviction managers, the node
/// lifecycle controller and the taint eviction controller, in that order.
pub fn reconcile(w: &mut World) {
    let now = w.now;
    // The nodes to look at, in name order (the order of their writes).
    let names = to_look_at(w);
    // Most nodes, most seconds, need nothing more than their heartbeats: they are left out
    // of the rest, which would only look at them and find nothing to do. Each node is read
    // once here: what makes it quiet is its own Node and runtime state, which the others'
    // heartbeats do not touch, nor do its own (they move renewTime and lastHeartbeatTime,
    // which `quiet` does not read), so it is judged before they are written.
    let (mut busy, mut no_execute) = (Vec::new(), Vec::new());
    let renew = k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime(now.datetime());
    let reported = Time(now.datetime());
    let World { nodes, store, .. } = &mut *w;
    for name in names {
        let rt = nodes.rt.get_mut(&*name);
        let facts = match rt.as_ref().and_then(|rt| rt.node_facts) {
            Some(f) => Some(f),
            None => {
                let Some(node) = store.get(Kind::Node, "", &name) else { continue };
                node.as_node().map(NodeFacts::of)
            }
        };
        let rt = match rt {
            Some(rt) => rt,
            None => nodes.rt.entry(name.to_string()).or_insert_with(|| NodeRt::new(now)),
        };
        rt.node_facts = facts;
        let renews = rt.kubelet_syncs() && now.since(rt.last_heartbeat) >= LEASE_RENEW_S;
        if renews {
            rt.last_heartbeat = now;
        }
        // nodeStatusReportFrequency: an unchanged status is still reported every 5 minutes.
        let reports = rt.kubelet_syncs() && now.since(rt.last_status_report) >= STATUS_REPORT_S;
        if reports {
            rt.last_status_report = now;
        }
        enum Then {
            Busy,
            NoExecute,
            WakeAt(Tick),
        }
        let then = match facts {
            Some(f) if f.healthy && quiet_rt(rt, now) => {
                if f.no_execute {
                    Then::NoExecute
                } else {
                    // Nothing to do for it until its kubelet next renews its Lease or reports
                    // its status (unless its Node or runtime state changes before).
                    Then::WakeAt(
                        rt.last_heartbeat
                            .plus_s(LEASE_RENEW_S)
                            .min(rt.last_status_report.plus_s(STATUS_REPORT_S))
                            .max(now.plus_s(1)),
                    )
                }
            }
            _ => Then::Busy,
        };
        if renews {
            // A renewal always moves renewTime (at least LEASE_RENEW_S on).
            let _ = store.modify_keeping_owners(Kind::Lease, "kube-node-lease", &name, |o| {
                if let Object::Lease(l) = o {
                    l.spec.get_or_insert_with(Default::default).renew_time = Some(renew.clone());
                }
                true
            });
        }
        if reports {
            // Reported as it is written: a copy of the Node (its images and all) to compare
            // with would cost more than the write.
            let _ = store.modify_keeping_owners(Kind::Node, "", &name, |o| {
                let mut changed = false;
                if let Object::Node(n) = o {
                    for c in n.status.iter_mut().flat_map(|s| s.conditions.iter_mut().flatten()) {
                        if c.status != "Unknown" && c.last_heartbeat_time.as_ref() != Some(&reported) {
                            c.last_heartbeat_time = Some(reported.clone());
                            changed = true;
                        }
                    }
                }
                changed
            });
        }
        match then {
            Then::Busy => busy.push(name),
            Then::NoExecute => no_execute.push(name),
            Then::WakeAt(t) => nodes.wake.add_at(&name, t),
        }
    }
    for name in &busy {
        kubelet_status(w, name);
        eviction_manager(w, name);
    }
    if now.0.is_multiple_of(NODE_MONITOR_PERIOD_S) {
        for name in &busy {
            monitor(w, name);
        }
    }
    for name in &busy {
        condition_taints(w, name);
    }
    // The taint manager looks at every node with a NoExecute taint: the busy ones (their
    // taints may just have changed) and the quiet ones that have one.
    let mut tainted = busy;
    tainted.extend(no_execute);
    tainted.sort_unstable();
    taint_eviction(w, &tainted);
    // A busy node, or one with a NoExecute taint (the taint manager watches its pods), is
    // looked at again next second.
    for name in &tainted {
        if w.nodes.rt.contains_key(&**name) {
            w.nodes.wake.add_at(name, now.plus_s(1));
        }
    }
}

/// The nodes due, changed or touched since the last pass (every node on the first pass, or
/// when the change log no longer reaches back far enough), in name order, and moves past
/// them.
fn to_look_at(w: &mut World) -> Vec<Arc<str>> {
    let now = w.now;
    let wake = &mut w.nodes.wake;
    let mut names: Vec<Arc<str>> = std::mem::take(&mut wake.touched).into_iter().map(Arc::from).collect();
    wake.pop_due(now, &mut names);
    let since = wake.cursor;
    wake.cursor = w.store.resource_version();
    #[cfg(test)]
    let all = wake.every_tick;
    #[cfg(not(test))]
    let all = false;
    let log = if wake.synced && !all { w.store.watch(since) } else { None };
    wake.synced = true;
    let rt = &mut w.nodes.rt;
    // A node whose Node was written is read again (see `NodeRt::node_facts`).
    let mut written = |name: &str| {
        if let Some(rt) = rt.get_mut(name) {
            rt.node_facts = None;
        }
        Arc::from(name)
    };
    match log {
        Some(log) => {
            if w.store.last_write(Kind::Node) > since {
                names.extend(log.filter(|e| e.kind == Kind::Node).map(|e| written(e.key.name.as_str())));
            }
        }
        None => names.extend(w.store.list(Kind::Node, None).iter().map(|o| written(o.name()))),
    }
    names.sort_unstable();
    names.dedup();
    names
}

/// Whether a node is quiet, from its Node and runtime state at once (what `reconcile`
/// decides from [`NodeFacts`] and [`quiet_rt`]).
#[cfg(test)]
fn quiet(n: &Node, rt: &NodeRt, now: Tick) -> bool {
    NodeFacts::of(n).healthy && quiet_rt(rt, now)
}

/// The runtime's part of being quiet: the kubelet syncs, reports no pressure, did not
/// reboot, and its Lease is fresh.
fn quiet_rt(rt: &NodeRt, now: Tick) -> bool {
    rt.kubelet_syncs()
        && !rt.memory_pressure
        && !rt.disk_pressure
        && !rt.rebooted
        && now.since(rt.last_heartbeat) <= NODE_MONITOR_GRACE_S
}

fn node(w: &World, name: &str) -> Option<Node> {
    w.store.get(Kind::Node, "", name)?.as_node().cloned()
}

fn node_event(w: &mut World, n: &Node, t: EventType, reason: &str, msg: &str, source: Source) {
    let mut r = object_reference(&Object::Node(Box::new(n.clone())), None);
    // Node events name the node as their uid and have no namespace (they are stored in
    // `default`), as the kubelet and the node controller record them.
    r.uid = n.metadata.name.clone();
    r.namespace = None;
    r.resource_version = None;
    w.record_event(r, t, reason, msg, source);
}

fn condition_mut<'a>(n: &'a mut Node, ty: &str) -> Option<&'a mut NodeCondition> {
    n.status.as_mut()?.conditions.as_mut()?.iter_mut().find(|c| c.type_ == ty)
}

fn condition<'a>(n: &'a Node, ty: &str) -> Option<&'a NodeCondition> {
    n.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == ty)
}

/// The status the kubelet posts about its own node: its conditions as it sees them. A kubelet
/// that cannot reach the API server posts nothing.
fn kubelet_status(w: &mut World, name: &str) {
    let now = w.now;
    let Some(rt) = w.nodes.get(name).cloned() else { return };
    if !rt.kubelet_syncs() {
        return;
    }
    // Look before copying: most nodes, most seconds, have nothing new to post.
    let Some(n) = w.store.get(Kind::Node, "", name).and_then(|o| o.as_node()) else { return };
    let was_unknown = condition(n, "Ready").is_some_and(|c| c.status != "True");
    let want_mem = if rt.memory_pressure { "True" } else { "False" };
    let want_disk = if rt.disk_pressure { "True" } else { "False" };
    // Compared in place: most nodes, most seconds, have nothing to post.
    if !was_unknown
        && condition(n, "MemoryPressure").map(|c| c.status.as_str()) == Some(want_mem)
        && condition(n, "DiskPressure").map(|c| c.status.as_str()) == Some(want_disk)
    {
        return;
    }
    let mem = condition(n, "MemoryPressure").map(|c| c.status.clone());
    let disk = condition(n, "DiskPressure").map(|c| c.status.clone());
    let n = n.clone();
    let t = Time(now.datetime());
    let set = |n: &mut Node, ty: &str, status: &str, reason: &str, message: &str| {
        if let Some(c) = condition_mut(n, ty) {
            if c.status != status {
                c.last_transition_time = Some(t.clone());
            }
            c.status = status.into();
            c.reason = Some(reason.into());
            c.message = Some(message.into());
            c.last_heartbeat_time = Some(t.clone());
        }
    };
    let mut events: Vec<(EventType, &str, String)> = Vec::new();
    if was_unknown {
        // The kubelet (re)starts: it announces itself as a freshly started kubelet does.
        events.push((EventType::Normal, "Starting", "Starting kubelet.".into()));
        if rt.rebooted {
            let boot =
                n.status.as_ref().and_then(|s| s.node_info.as_ref()).map(|i| i.boot_id.clone()).unwrap_or_default();
            events.push((EventType::Warning, "Rebooted", format!("Node {name} has been rebooted, boot id: {boot}")));
        }
        events.push((
            EventType::Normal,
            "NodeAllocatableEnforced",
            "Updated Node Allocatable limit across pods".into(),
        ));
    }
    let mut updated = n.clone();
    if rt.memory_pressure {
        set(
            &mut updated,
            "MemoryPressure",
            "True",
            "KubeletHasInsufficientMemory",
            "kubelet has insufficient memory available",
        );
    } else {
        set(
            &mut updated,
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
        );
    }
    if rt.disk_pressure {
        set(&mut updated, "DiskPressure", "True", "KubeletHasDiskPressure", "kubelet has disk pressure");
    } else {
        set(&mut updated, "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure");
    }
    set(&mut updated, "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available");
    set(&mut updated, "Ready", "True", "KubeletReady", "kubelet is posting ready status");
    for (ty, now_true, then_true) in [
        ("MemoryPressure", rt.memory_pressure, mem.as_deref() == Some("True")),
        ("DiskPressure", rt.disk_pressure, disk.as_deref() == Some("True")),
    ] {
        if now_true != then_true || was_unknown {
            let status = match (ty, now_true) {
                ("MemoryPressure", true) => "NodeHasInsufficientMemory",
                ("MemoryPressure", false) => "NodeHasSufficientMemory",
                (_, true) => "NodeHasDiskPressure",
                (_, false) => "NodeHasNoDiskPressure",
            };
            events.push((EventType::Normal, status, format!("Node {name} status is now: {status}")));
        }
    }
    if was_unknown {
        events.push((
            EventType::Normal,
            "NodeHasSufficientPID",
            format!("Node {name} status is now: NodeHasSufficientPID"),
        ));
        events.push((EventType::Normal, "NodeReady", format!("Node {name} status is now: NodeReady")));
    }
    let _ = w.store.modify(Kind::Node, "", name, |o| *o = Object::Node(Box::new(updated.clone())));
    if let Some(rt) = w.nodes.rt.get_mut(name) {
        rt.rebooted = false;
    }
    for (t, reason, msg) in events {
        node_event(w, &updated, t, reason, &msg, Source::kubelet(name));
    }
}

/// The kubelet's eviction manager: under memory pressure, evict one BestEffort pod every
/// monitoring interval (the lowest-priority first, as the kubelet ranks them).
fn eviction_manager(w: &mut World, name: &str) {
    let now = w.now;
    let Some(rt) = w.nodes.get(name) else { return };
    if !rt.kubelet_syncs() || !rt.memory_pressure {
        return;
    }
    if rt.last_eviction.is_some_and(|t| now.since(t) < EVICTION_INTERVAL_S) {
        return;
    }
    let victim = w
        .store
        .list(Kind::Pod, None)
        .into_iter()
        .filter_map(|o| o.as_pod())
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name))
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| !matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed")))
        .filter(|p| super::kubelet::status::qos_class(p) == "BestEffort")
        .min_by_key(|p| (p.spec.as_ref().and_then(|s| s.priority).unwrap_or(0), p.metadata.name.clone()))
        .cloned();
    let Some(pod) = victim else { return };
    if let Some(rt) = w.nodes.rt.get_mut(name) {
        rt.last_eviction = Some(now);
    }
    if let Some(n) = node(w, name) {
        node_event(
            w,
            &n,
            EventType::Warning,
            "EvictionThresholdMet",
            "Attempting to reclaim memory",
            Source::kubelet(name),
        );
    }
    let message = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 97280Ki. ";
    super::kubelet::evict(w, &pod, "Evicted", message);
}

/// Sets every condition of a node to Unknown, as the node lifecycle controller does when the
/// kubelet stops posting status.
fn mark_unknown(n: &mut Node, now: Tick) {
    let t = Time(now.datetime());
    if let Some(conds) = n.status.as_mut().and_then(|s| s.conditions.as_mut()) {
        for c in conds.iter_mut() {
            if c.status != "Unknown" {
                c.last_transition_time = Some(t.clone());
            }
            c.status = "Unknown".into();
            c.reason = Some("NodeStatusUnknown".into());
            c.message = Some("Kubelet stopped posting node status.".into());
        }
    }
}

/// The node lifecycle controller's health check of one node.
fn monitor(w: &mut World, name: &str) {
    let now = w.now;
    let Some(rt) = w.nodes.get(name) else { return };
    let Some(n) = w.store.get(Kind::Node, "", name).and_then(|o| o.as_node()) else { return };
    let ready = condition(n, "Ready").map(|c| c.status.as_str()).unwrap_or_default();
    if now.since(rt.last_heartbeat) <= NODE_MONITOR_GRACE_S || ready == "Unknown" {
        return;
    }
    let mut updated = n.clone();
    mark_unknown(&mut updated, now);
    let _ = w.store.modify(Kind::Node, "", name, |o| *o = Object::Node(Box::new(updated.clone())));
    node_event(
        w,
        &updated,
        EventType::Normal,
        "NodeNotReady",
        &format!("Node {name} status is now: NodeNotReady"),
        Source::controller("node-controller"),
    );
    mark_pods_not_ready(w, name);
}

/// MarkPodsNotReady: every pod on the node gets `Ready=False` (so Services stop sending it
/// traffic) and a NodeNotReady event.
fn mark_pods_not_ready(w: &mut World, node_name: &str) {
    let now = w.now;
    let pods: Vec<Pod> = pods_on(w, node_name);
    for p in pods {
        let ns = p.metadata.namespace.clone().unwrap_or_default();
        let pname = p.metadata.name.clone().unwrap_or_default();
        let mut changed = false;
        let _ = w.store.modify(Kind::Pod, &ns, &pname, |o| {
            if let Object::Pod(p) = o {
                let p = std::sync::Arc::make_mut(p);
                if let Some(c) = p
                    .status
                    .as_mut()
                    .and_then(|s| s.conditions.as_mut())
                    .and_then(|cs| cs.iter_mut().find(|c| c.type_ == "Ready"))
                {
                    if c.status != "False" {
                        c.status = "False".into();
                        c.last_transition_time = Some(now.time());
                        changed = true;
                    }
                }
            }
        });
        if changed {
            let r = super::events::pod_reference(&p, None);
            w.record_event(
                r,
                EventType::Warning,
                "NodeNotReady",
                "Node is not ready",
                Source::controller("node-controller"),
            );
        }
    }
}

/// Bound, non-terminal pods on a node, in name order.
fn pods_on(w: &World, node_name: &str) -> Vec<Pod> {
    w.store
        .list(Kind::Pod, None)
        .into_iter()
        .filter_map(|o| o.as_pod())
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node_name))
        .filter(|p| !matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed")))
        .cloned()
        .collect()
}

/// The taints a node's conditions and `spec.unschedulable` call for (TaintNodesByCondition
/// and the NoExecute tainting pass), in the order the controller adds them.
fn wanted_condition_taints(n: &Node, now: Tick) -> Vec<Taint> {
    let status = |ty: &str| condition(n, ty).map_or("", |c| c.status.as_str());
    let mut v = Vec::new();
    let taint = |key: &str, effect: &str, at: Option<Time>| Taint {
        key: key.into(),
        effect: effect.into(),
        time_added: at,
        value: None,
    };
    match status("Ready") {
        "Unknown" => {
            v.push(taint(TAINT_UNREACHABLE, "NoExecute", Some(now.time())));
            v.push(taint(TAINT_UNREACHABLE, "NoSchedule", None));
        }
        "False" => {
            v.push(taint(TAINT_NOT_READY, "NoExecute", Some(now.time())));
            v.push(taint(TAINT_NOT_READY, "NoSchedule", None));
        }
        _ => {}
    }
    if status("MemoryPressure") == "True" {
        v.push(taint(TAINT_MEMORY_PRESSURE, "NoSchedule", None));
    }
    if status("DiskPressure") == "True" {
        v.push(taint(TAINT_DISK_PRESSURE, "NoSchedule", None));
    }
    if status("PIDPressure") == "True" {
        v.push(taint(TAINT_PID_PRESSURE, "NoSchedule", None));
    }
    if n.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false) {
        v.push(taint(TAINT_UNSCHEDULABLE, "NoSchedule", None));
    }
    v
}

const CONTROLLED_KEYS: &[&str] = &[
    TAINT_UNREACHABLE,
    TAINT_NOT_READY,
    TAINT_UNSCHEDULABLE,
    TAINT_MEMORY_PRESSURE,
    TAINT_DISK_PRESSURE,
    TAINT_PID_PRESSURE,
];

/// Keeps the controller-owned taints of a node in step with its state; other taints (the
/// learner's, the control plane's) are left alone.
fn condition_taints(w: &mut World, name: &str) {
    let now = w.now;
    let Some(n) = w.store.get(Kind::Node, "", name).and_then(|o| o.as_node()) else { return };
    let current: &[Taint] = n.spec.as_ref().and_then(|s| s.taints.as_deref()).unwrap_or_default();
    let wanted = wanted_condition_taints(n, now);
    let same = |a: &Taint, b: &Taint| a.key == b.key && a.effect == b.effect;
    let mut next: Vec<Taint> = current
        .iter()
        .filter(|t| !CONTROLLED_KEYS.contains(&t.key.as_str()) || wanted.iter().any(|x| same(x, t)))
        .cloned()
        .collect();
    for t in wanted {
        if !next.iter().any(|x| same(x, &t)) {
            next.push(t);
        }
    }
    if next == current {
        return;
    }
    let _ = w.store.modify(Kind::Node, "", name, |o| {
        if let Object::Node(n) = o {
            n.spec.get_or_insert_with(Default::default).taints =
                if next.is_empty() { None } else { Some(next.clone()) };
        }
    });
}

/// How long a pod may stay on a node with these NoExecute taints: None = it must go now,
/// Some(None) = forever, Some(Some(s)) = `s` seconds (the smallest tolerationSeconds).
fn toleration_time(pod: &Pod, taints: &[&Taint]) -> Option<Option<i64>> {
    let tols = pod.spec.as_ref().and_then(|s| s.tolerations.clone()).unwrap_or_default();
    let mut min: Option<i64> = None;
    for t in taints {
        let used: Vec<_> =
            tols.iter().filter(|tol| super::scheduler::tolerates(std::slice::from_ref(tol), t)).collect();
        if used.is_empty() {
            return None;
        }
        // A toleration without tolerationSeconds tolerates forever.
        if used.iter().any(|tol| tol.toleration_seconds.is_none()) {
            continue;
        }
        let s = used.iter().filter_map(|tol| tol.toleration_seconds).min().unwrap_or(0).max(0);
        min = Some(min.map_or(s, |m: i64| m.min(s)));
    }
    Some(min)
}

/// The taint eviction controller: schedules, cancels and carries out the deletion of pods on
/// nodes with NoExecute taints.
fn taint_eviction(w: &mut World, names: &[Arc<str>]) {
    let now = w.now;
    let mut seen: BTreeMap<(String, String), (String, Tick)> = BTreeMap::new();
    for name in names {
        let Some(n) = w.store.get(Kind::Node, "", name).and_then(|o| o.as_node()) else { continue };
        let taints: &[Taint] = n.spec.as_ref().and_then(|s| s.taints.as_deref()).unwrap_or_default();
        if !taints.iter().any(|t| t.effect == "NoExecute") {
            continue;
        }
        let taints = taints.to_vec();
        let no_exec: Vec<&Taint> = taints.iter().filter(|t| t.effect == "NoExecute").collect();
        // The controller starts counting when it sees the taint.
        let since = no_exec.iter().filter_map(|t| t.time_added.as_ref().map(tick_of)).max().unwrap_or(now);
        for p in pods_on(w, name) {
            if p.metadata.deletion_timestamp.is_some() {
                continue;
            }
            let key = (p.metadata.namespace.clone().unwrap_or_default(), p.metadata.name.clone().unwrap_or_default());
            let uid = p.metadata.uid.clone().unwrap_or_default();
            match toleration_time(&p, &no_exec) {
                None => {
                    seen.insert(key, (uid, now));
                }
                Some(None) => {}
                Some(Some(s)) => {
                    // An eviction already scheduled keeps its time (a taint without
                    // timeAdded is counted from when the controller first saw it).
                    let due = match w.nodes.evictions.get(&key) {
                        Some((u, due)) if *u == uid => *due,
                        _ => since.plus_s(s as u64),
                    };
                    seen.insert(key, (uid, due));
                }
            }
        }
    }
    if seen.is_empty() && w.nodes.evictions.is_empty() {
        return;
    }
    // Pods no longer due (the taint went, the pod went) are forgotten; the rest may be due.
    for (key, (uid, _)) in w.nodes.evictions.clone() {
        if !seen.contains_key(&key) {
            let still_there = w.store.get(Kind::Pod, &key.0, &key.1).is_some_and(|o| {
                o.meta().uid.as_deref() == Some(uid.as_str()) && o.meta().deletion_timestamp.is_none()
            });
            if still_there {
                if let Some(o) = w.store.get(Kind::Pod, &key.0, &key.1).cloned() {
                    let r = object_reference(&o, None);
                    w.record_event(
                        r,
                        EventType::Normal,
                        "TaintManagerEviction",
                        &format!("Cancelling deletion of Pod {}/{}", key.0, key.1),
                        Source::controller("taint-eviction-controller"),
                    );
                }
            }
        }
    }
    w.nodes.evictions = seen.clone();
    for ((ns, name), (_, due)) in seen {
        if due > now {
            continue;
        }
        w.nodes.evictions.remove(&(ns.clone(), name.clone()));
        let Some(o) = w.store.get(Kind::Pod, &ns, &name).cloned() else { continue };
        let r = object_reference(&o, None);
        w.record_event(
            r,
            EventType::Normal,
            "TaintManagerEviction",
            &format!("Marking for deletion Pod {ns}/{name}"),
            Source::controller("taint-eviction-controller"),
        );
        add_pod_condition(
            w,
            &ns,
            &name,
            PodCondition {
                type_: "DisruptionTarget".into(),
                status: "True".into(),
                reason: Some("DeletionByTaintManager".into()),
                message: Some("Taint manager: deleting due to NoExecute taint".into()),
                last_transition_time: Some(now.time()),
                last_probe_time: None,
            },
        );
        let _ = w.api_delete(Kind::Pod, &ns, &name, None, WriteOptions::default());
    }
}

/// Adds (or replaces) a condition in a pod's status, as a controller patching status does.
pub fn add_pod_condition(w: &mut World, ns: &str, name: &str, cond: PodCondition) {
    let _ = w.store.modify(Kind::Pod, ns, name, |o| {
        if let Object::Pod(p) = o {
            let p = std::sync::Arc::make_mut(p);
            let conds = p.status.get_or_insert_with(Default::default).conditions.get_or_insert_with(Vec::new);
            conds.retain(|c| c.type_ != cond.type_);
            conds.push(cond.clone());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{PodSpec, Toleration};

    fn pod_with(tols: Vec<Toleration>) -> Pod {
        Pod { spec: Some(PodSpec { tolerations: Some(tols), ..Default::default() }), ..Default::default() }
    }

    fn tol(key: &str, secs: Option<i64>) -> Toleration {
        Toleration {
            key: Some(key.into()),
            operator: Some("Exists".into()),
            effect: Some("NoExecute".into()),
            toleration_seconds: secs,
            ..Default::default()
        }
    }

    #[test]
    fn toleration_time_takes_the_smallest_and_honours_forever() {
        let t = Taint { key: TAINT_UNREACHABLE.into(), effect: "NoExecute".into(), ..Default::default() };
        assert_eq!(toleration_time(&pod_with(vec![]), &[&t]), None);
        assert_eq!(toleration_time(&pod_with(vec![tol(TAINT_UNREACHABLE, Some(300))]), &[&t]), Some(Some(300)));
        assert_eq!(toleration_time(&pod_with(vec![tol(TAINT_UNREACHABLE, None)]), &[&t]), Some(None));
        let other = Taint { key: "dedicated".into(), effect: "NoExecute".into(), ..Default::default() };
        assert_eq!(toleration_time(&pod_with(vec![tol(TAINT_UNREACHABLE, Some(300))]), &[&t, &other]), None);
        let both = pod_with(vec![tol(TAINT_UNREACHABLE, Some(300)), tol("dedicated", Some(60))]);
        assert_eq!(toleration_time(&both, &[&t, &other]), Some(Some(60)));
    }

    #[test]
    fn wake_keeps_the_earliest_time_and_pops_what_is_due() {
        let mut wk = Wake::default();
        wk.add_at("b", Tick(20));
        wk.add_at("a", Tick(15));
        wk.add_at("b", Tick(12));
        wk.add_at("b", Tick(30));
        let mut out = Vec::new();
        wk.pop_due(Tick(11), &mut out);
        assert!(out.is_empty());
        wk.pop_due(Tick(12), &mut out);
        assert_eq!(out.iter().map(|n| &**n).collect::<Vec<_>>(), ["b"]);
        // Overdue entries come out too (the clock may have moved several seconds).
        wk.pop_due(Tick(100), &mut out);
        assert_eq!(out.iter().map(|n| &**n).collect::<Vec<_>>(), ["b", "a"]);
        let mut rest = Vec::new();
        wk.pop_due(Tick(u64::MAX), &mut rest);
        assert!(rest.is_empty(), "{rest:?}");
        // Asked for again after it was popped, a name comes out again.
        wk.add_at("a", Tick(200));
        wk.add_at("a", Tick(150));
        wk.pop_due(Tick(150), &mut rest);
        assert_eq!(rest.iter().map(|n| &**n).collect::<Vec<_>>(), ["a"]);
        rest.clear();
        wk.pop_due(Tick(300), &mut rest);
        assert!(rest.is_empty(), "{rest:?}");
    }

    /// A world with a Deployment on the default cluster, optionally looking at every node
    /// every second as the node lifecycle did before it followed due times and changes.
    fn world(every_tick: bool) -> World {
        use crate::sim::api::WriteOptions;
        let mut w = World::new(3);
        w.nodes.wake.every_tick = every_tick;
        let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 4\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: nginx}]\n";
        let v: serde_json::Value = serde_yaml::from_str(yaml).unwrap();
        w.api_create(Object::from_value(Kind::Deployment, v).unwrap(), WriteOptions::default()).unwrap();
        w
    }

    fn set_node(w: &mut World, name: &str, f: impl FnOnce(&mut Node)) {
        use crate::sim::api::WriteOptions;
        let Some(Object::Node(mut n)) = w.store.get(Kind::Node, "", name).cloned() else { panic!("no node {name}") };
        f(&mut n);
        w.api_update(Object::Node(n), WriteOptions::default()).unwrap();
    }

    fn lease_renewed(w: &World, node: &str) -> Option<String> {
        let l = w.store.get(Kind::Lease, "kube-node-lease", node)?;
        let Object::Lease(l) = l else { return None };
        Some(format!("{:?}", l.spec.as_ref()?.renew_time))
    }

    #[test]
    fn due_times_and_changes_do_what_looking_at_every_node_every_second_does() {
        use crate::sim::faults::{apply, Fault};
        let (mut a, mut b) = (world(false), world(true));
        let taint = |n: &mut Node, on: bool| {
            let t = n.spec.get_or_insert_with(Default::default).taints.get_or_insert_with(Vec::new);
            t.retain(|t| t.key != "dedicated");
            if on {
                t.push(Taint { key: "dedicated".into(), effect: "NoExecute".into(), ..Default::default() });
            }
        };
        for i in 0..1000u64 {
            for w in [&mut a, &mut b] {
                let fault = match i {
                    20 => Some(Fault::KubeletStop("node01".into())),
                    120 => Some(Fault::KubeletStart("node01".into())),
                    150 => Some(Fault::MemoryPressure("node02".into(), true)),
                    200 => Some(Fault::MemoryPressure("node02".into(), false)),
                    300 => Some(Fault::NodeDown("node02".into())),
                    700 => Some(Fault::NodeUp("node02".into())),
                    800 => Some(Fault::Partition("node01".into())),
                    900 => Some(Fault::Heal("node01".into())),
                    _ => None,
                };
                if let Some(f) = fault {
                    apply(w, &f).unwrap();
                }
                match i {
                    210 => set_node(w, "node02", |n| {
                        n.spec.get_or_insert_with(Default::default).unschedulable = Some(true)
                    }),
                    230 => set_node(w, "node02", |n| n.spec.get_or_insert_with(Default::default).unschedulable = None),
                    240 => set_node(w, "node01", |n| taint(n, true)),
                    260 => set_node(w, "node01", |n| taint(n, false)),
                    _ => {}
                }
                w.tick();
            }
            assert_eq!(a.store.resource_version(), b.store.resource_version(), "tick {i}");
            assert_eq!(lease_renewed(&a, "node01"), lease_renewed(&b, "node01"), "tick {i}");
        }
        for kind in [Kind::Node, Kind::Lease, Kind::Pod, Kind::Event] {
            let dump = |w: &World| format!("{:?}", w.store.list(kind, None));
            assert_eq!(dump(&a), dump(&b), "{kind:?}");
        }
        // The run did exercise what it is meant to: heartbeats and a node gone Unknown and back.
        let ready = |w: &World, n: &str| {
            w.store.get(Kind::Node, "", n).and_then(|o| condition(o.as_node()?, "Ready").map(|c| c.status.clone()))
        };
        assert_eq!(ready(&a, "node02").as_deref(), Some("True"));
        assert!(a.store.list(Kind::Event, None).iter().any(|e| format!("{e:?}").contains("NodeNotReady")));
    }

    #[test]
    fn a_lease_is_renewed_on_the_tick_it_is_due_and_a_changed_node_is_looked_at() {
        let mut w = world(false);
        w.advance(3);
        let last = w.nodes.get("node01").map(|rt| rt.last_heartbeat).unwrap();
        let before = lease_renewed(&w, "node01");
        // Nothing until ten seconds after the last renewal, then a renewal on that tick.
        while w.now < last.plus_s(LEASE_RENEW_S - 1) {
            w.tick();
            assert_eq!(lease_renewed(&w, "node01"), before);
        }
        w.tick();
        assert_eq!(w.now, last.plus_s(LEASE_RENEW_S));
        assert_ne!(lease_renewed(&w, "node01"), before);
        assert_eq!(w.nodes.get("node01").map(|rt| rt.last_heartbeat), Some(w.now));
        // A cordon between two heartbeats gets its taint in the next second.
        set_node(&mut w, "node02", |n| n.spec.get_or_insert_with(Default::default).unschedulable = Some(true));
        w.tick();
        let taints = w.store.get(Kind::Node, "", "node02").and_then(|o| o.as_node()?.spec.as_ref()?.taints.clone());
        assert!(taints.unwrap_or_default().iter().any(|t| t.key == TAINT_UNSCHEDULABLE));
    }

    #[test]
    fn a_node_is_quiet_only_when_nothing_would_be_done_for_it() {
        use k8s_openapi::api::core::v1::{NodeSpec, NodeStatus};
        let cond =
            |ty: &str, status: &str| NodeCondition { type_: ty.into(), status: status.into(), ..Default::default() };
        let healthy = Node {
            status: Some(NodeStatus {
                conditions: Some(vec![
                    cond("MemoryPressure", "False"),
                    cond("DiskPressure", "False"),
                    cond("PIDPressure", "False"),
                    cond("Ready", "True"),
                ]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let now = Tick(1000);
        let rt = NodeRt::new(Tick(990));
        assert!(quiet(&healthy, &rt, now));
        // The kubelet is silent, or its Lease is stale: the lifecycle controller must look.
        assert!(!quiet(&healthy, &NodeRt { kubelet_running: false, ..rt.clone() }, now));
        assert!(!quiet(&healthy, &rt, Tick(990 + NODE_MONITOR_GRACE_S + 1)));
        // A pressure the kubelet has yet to post, or a condition not healthy.
        assert!(!quiet(&healthy, &NodeRt { memory_pressure: true, ..rt.clone() }, now));
        let mut not_ready = healthy.clone();
        condition_mut(&mut not_ready, "Ready").unwrap().status = "Unknown".into();
        assert!(!quiet(&not_ready, &rt, now));
        // Cordoned, or carrying a taint the conditions control (to be removed).
        let cordoned =
            Node { spec: Some(NodeSpec { unschedulable: Some(true), ..Default::default() }), ..healthy.clone() };
        assert!(!quiet(&cordoned, &rt, now));
        let taint = |key: &str| Taint { key: key.into(), effect: "NoSchedule".into(), ..Default::default() };
        let stale = Node {
            spec: Some(NodeSpec { taints: Some(vec![taint(TAINT_NOT_READY)]), ..Default::default() }),
            ..healthy.clone()
        };
        assert!(!quiet(&stale, &rt, now));
        // A taint of the user's own does not need the node looked at.
        let own =
            Node { spec: Some(NodeSpec { taints: Some(vec![taint("dedicated")]), ..Default::default() }), ..healthy };
        assert!(quiet(&own, &rt, now));
    }
}
