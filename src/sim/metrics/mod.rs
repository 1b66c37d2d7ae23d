//! metrics-server and the resource metrics API (`metrics.k8s.io/v1beta1` PodMetrics and
//! NodeMetrics), as `kubectl top` and the HPA controller read them.
//!
//! Like the real metrics-server, [`scrape`] reads every reachable kubelet's resource stats every
//! `--metric-resolution` (15 s) and keeps the last two readings of each container and node; a
//! CPU figure is the rate between the two (cumulative core-seconds over the window), memory is
//! the last working set. So a pod has no metrics until two readings of all its running
//! containers exist — except that a container started 10–15 s before a reading counts from its
//! start (`freshContainerMinMetricsResolution`) — and a restarted container starts over.
//! A node whose kubelet does not answer drops out (`kubectl top node` shows `<unknown>`).
//!
//! The use itself comes from [`usage`]. Per-container accounting lives in the kubelet's
//! runtime state (`CtrRt::stats`, cAdvisor's part); this module holds what metrics-server
//! stores.

pub mod load;
pub mod usage;

use std::collections::BTreeMap;

use serde_json::{json, Value};
use smallvec::SmallVec;

use super::api::errors::{ApiError, Reason};
use super::api::selector::Selector;
use super::clock::{Tick, START_UNIX_S};
use super::kubelet::CState;
use super::object::{Kind, ObjKey};
use super::World;

/// metrics-server's `--metric-resolution`.
pub const RESOLUTION_S: i64 = 15;
/// A container started at least this long before a reading counts from its start.
pub const FRESH_CONTAINER_MIN_S: i64 = 10;

/// One reading of a container or node: cumulative CPU and the working set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Point {
    /// Simulated seconds (tick) of the reading; may be negative for the readings the
    /// metrics-server took before the simulation started.
    pub ts: i64,
    /// When the container (or node) started.
    pub start: i64,
    /// Cumulative CPU, core-nanoseconds.
    pub cpu_ns: u64,
    /// Working set, bytes.
    pub memory: u64,
}

/// A pod's stored readings: updated in place at each scrape (a scrape reads every container
/// of the cluster, so it must neither search nor rebuild what it keeps).
#[derive(Clone, Debug, Default)]
struct PodPoints {
    /// The pod's namespace and name (found through `MetricsServer::index`); none while the
    /// slot is free.
    key: Option<ObjKey>,
    /// Which of the slot's owners this is (see `MetricsServer::allocations`): how a kubelet's
    /// remembered slot is checked without reading the key.
    generation: u64,
    /// The scrape (its number) that last read one of the pod's containers.
    seen: u64,
    /// The pod's node at that scrape: its place in the scrape's list of nodes...
    node: u32,
    /// ... as that list was in this epoch (see `MetricsServer::node_epoch`).
    node_epoch: u64,
    /// Whether one runtime alone wrote the containers at the last scrape that read the pod:
    /// then, while that runtime still owns the slot, its containers are found by their place
    /// in the runtime (`CtrPoints::index`) without comparing names.
    sole: bool,
    /// The containers read: at the last scrape, and during a scrape those read so far.
    containers: Vec<CtrPoints>,
    /// During a scrape that reads two runtimes of the pod (a pod re-created under its name may
    /// briefly have two), the containers as the scrape before left them.
    before: Option<Vec<CtrPoints>>,
}

#[derive(Clone, Debug)]
struct CtrPoints {
    name: String,
    /// The container's place in the runtime that wrote it last (init containers first).
    index: u32,
    last: Point,
    prev: Option<Point>,
    /// The scrape that wrote `last`.
    seen: u64,
}

#[derive(Clone, Debug, Default)]
struct NodePoints {
    last: Option<Point>,
    prev: Option<Point>,
    /// The node's cumulative CPU (system daemons plus every pod).
    cpu_ns: u64,
}

/// metrics-server: whether it is installed and what it has stored.
#[derive(Clone, Debug)]
pub struct MetricsServer {
    /// metrics-server is installed and its APIService `v1beta1.metrics.k8s.io` registered
    /// (default: yes, like an exam cluster). Off: `kubectl top` says `Metrics API not
    /// available` and the HPA cannot read resource metrics.
    pub enabled: bool,
    /// Each pod's readings, in slots that keep their place while the pod is read: the
    /// kubelets' runtime state remembers its pod's slot, so a scrape of 150,000 pods does no
    /// search. Free slots are reused (`free`); a slot's number never reaches any output.
    slots: Vec<PodPoints>,
    free: Vec<u32>,
    /// (namespace, name) → slot, by a hash of the key (see [`key_hash`]): how the API and a
    /// pod new to the scrape find readings. A search compares numbers, not names (the first
    /// scrape of a large cluster looks up every pod); the few slots of a hash are told apart
    /// by their `key`. Only looked up, never read in order.
    index: BTreeMap<u64, SmallVec<[u32; 1]>>,
    /// Slots claimed so far: numbers each owner of a slot. A runtime that finds its pod's
    /// slot by name claims it anew, so a remembered claim also says that no other runtime
    /// has claimed the slot since.
    allocations: u64,
    nodes: BTreeMap<String, NodePoints>,
    /// The names of the nodes the last scrape read, and a number that changes whenever they
    /// do: a pod's remembered place of its node holds while the epoch does.
    node_names: Vec<String>,
    node_epoch: u64,
    last_scrape: Option<i64>,
    /// Scrapes so far.
    scrapes: u64,
}

impl Default for MetricsServer {
    fn default() -> Self {
        MetricsServer {
            enabled: true,
            slots: Vec::new(),
            free: Vec::new(),
            index: BTreeMap::new(),
            allocations: 0,
            nodes: BTreeMap::new(),
            node_names: Vec::new(),
            node_epoch: 0,
            last_scrape: None,
            scrapes: 0,
        }
    }
}

/// The hash of a pod's key that [`MetricsServer::index`] is ordered by.
fn key_hash(namespace: &str, name: &str) -> u64 {
    usage::fnv_extend(
        usage::fnv_extend(usage::fnv_extend(usage::FNV_OFFSET, namespace.as_bytes()), b"/"),
        name.as_bytes(),
    )
}

impl MetricsServer {
    /// The slot of the pod `namespace/name`, if it has one.
    fn find(&self, namespace: &str, name: &str) -> Option<u32> {
        let is = |k: &ObjKey| k.namespace == namespace && k.name == name;
        self.index
            .get(&key_hash(namespace, name))?
            .iter()
            .copied()
            .find(|&slot| self.slots[slot as usize].key.as_ref().is_some_and(is))
    }

    /// The slot of a pod's readings: the one the runtime remembers while no other runtime
    /// has claimed it since, else the pod's by name, else a new one; and whether it was the
    /// remembered one.
    fn slot_of(&mut self, hint: &mut Option<(u32, u64)>, namespace: &str, name: &str) -> (usize, bool) {
        if let Some((slot, generation)) = *hint {
            if self.slots.get(slot as usize).is_some_and(|p| p.key.is_some() && p.generation == generation) {
                return (slot as usize, true);
            }
        }
        let slot = match self.find(namespace, name) {
            Some(slot) => slot,
            None => {
                let slot = self.free.pop().unwrap_or_else(|| {
                    self.slots.push(PodPoints::default());
                    (self.slots.len() - 1) as u32
                });
                self.slots[slot as usize].key = Some(ObjKey::new(namespace, name));
                self.index.entry(key_hash(namespace, name)).or_default().push(slot);
                slot
            }
        };
        self.allocations += 1;
        self.slots[slot as usize].generation = self.allocations;
        *hint = Some((slot, self.allocations));
        (slot as usize, false)
    }

    /// Forgets a pod's readings and frees its slot.
    fn release(&mut self, slot: usize) {
        let p = std::mem::take(&mut self.slots[slot]);
        if let Some(key) = p.key {
            let h = key_hash(&key.namespace, &key.name);
            if let Some(slots) = self.index.get_mut(&h) {
                slots.retain(|s| *s as usize != slot);
                if slots.is_empty() {
                    self.index.remove(&h);
                }
            }
        }
        self.free.push(slot as u32);
    }
}

/// A pod's metrics as the API serves them.
#[derive(Clone, Debug, PartialEq)]
pub struct PodMetrics {
    pub namespace: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    /// Tick of the (earliest) reading.
    pub timestamp: i64,
    pub window_s: i64,
    pub containers: Vec<ContainerMetrics>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerMetrics {
    pub name: String,
    /// CPU in nanocores.
    pub cpu_nano: i64,
    /// Working set in bytes.
    pub memory: i64,
}

impl PodMetrics {
    /// Sum of the containers' CPU, nanocores.
    pub fn cpu_nano(&self) -> i64 {
        self.containers.iter().map(|c| c.cpu_nano).sum()
    }
    pub fn memory(&self) -> i64 {
        self.containers.iter().map(|c| c.memory).sum()
    }

    /// The object as `GET /apis/metrics.k8s.io/v1beta1/namespaces/NS/pods/NAME` returns it.
    pub fn to_value(&self, now: Tick) -> Value {
        let mut meta =
            json!({"name": self.name, "namespace": self.namespace, "creationTimestamp": rfc3339(now.0 as i64)});
        if !self.labels.is_empty() {
            meta["labels"] = json!(self.labels);
        }
        json!({
            "kind": "PodMetrics",
            "apiVersion": "metrics.k8s.io/v1beta1",
            "metadata": meta,
            "timestamp": rfc3339(self.timestamp),
            "window": format!("{}s", self.window_s),
            "containers": self.containers.iter().map(|c| json!({
                "name": c.name,
                "usage": {"cpu": cpu_quantity(c.cpu_nano), "memory": memory_quantity(c.memory)}
            })).collect::<Vec<_>>(),
        })
    }
}

/// A node's metrics as the API serves them.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeMetrics {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub timestamp: i64,
    pub window_s: i64,
    pub cpu_nano: i64,
    pub memory: i64,
}

impl NodeMetrics {
    pub fn to_value(&self, now: Tick) -> Value {
        let mut meta = json!({"name": self.name, "creationTimestamp": rfc3339(now.0 as i64)});
        if !self.labels.is_empty() {
            meta["labels"] = json!(self.labels);
        }
        json!({
            "kind": "NodeMetrics",
            "apiVersion": "metrics.k8s.io/v1beta1",
            "metadata": meta,
            "timestamp": rfc3339(self.timestamp),
            "window": format!("{}s", self.window_s),
            "usage": {"cpu": cpu_quantity(self.cpu_nano), "memory": memory_quantity(self.memory)},
        })
    }
}

fn rfc3339(tick: i64) -> String {
    chrono::DateTime::from_timestamp(START_UNIX_S + tick, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// `resource.NewScaledQuantity(nanocores, -9).String()`.
pub fn cpu_quantity(nano: i64) -> String {
    crate::sim::quantity::format_scaled(nano, -9)
}

/// `resource.NewQuantity(bytes, BinarySI).String()`.
pub fn memory_quantity(bytes: i64) -> String {
    crate::sim::quantity::format_bytes(bytes)
}

/// The CPU and memory a node's system uses outside pods (kubelet, container runtime, the OS):
/// (millicores, MiB).
fn system_use(control_plane: bool) -> (f64, f64) {
    // The control-plane components, CoreDNS and kube-proxy run as pods (`sim::addons`) and
    // are counted with the pods.
    if control_plane {
        (25.0, 732.3)
    } else {
        (22.0, 492.2)
    }
}

/// What one container was using at a reading.
struct Reading {
    /// The pod's place in the kubelets' map, the container's among the pod's (init first)
    /// and the node's in the scrape's list.
    pod: usize,
    index: usize,
    node: usize,
    /// The pod's slot in `MetricsServer::slots`.
    slot: usize,
    /// The slot's containers were written by this runtime alone (see `PodPoints::sole`).
    known: bool,
    cpu_milli: f64,
    memory: u64,
    /// The container's accounting before this reading: cumulative CPU, and the seconds since
    /// it was last read. Step 1 brings the accounting up to now with `cpu_milli` as read;
    /// only a container whose node had its CPU shared out (step 2) is visited again.
    cpu_ns_before: u64,
    dt: i64,
    /// When the container started.
    start: i64,
    /// The container's name, when step 3 needs it (the slot cannot find the container by
    /// its place): copied only then.
    name: Option<String>,
}

/// Runs metrics-server's scrape when one is due: the first tick it runs, then every
/// [`RESOLUTION_S`] seconds.
pub fn tick(w: &mut World) {
    let now = w.now.0 as i64;
    if !w.metrics.enabled {
        return;
    }
    let due = match w.metrics.last_scrape {
        None => true,
        Some(_) => now % RESOLUTION_S == 0,
    };
    if due {
        scrape(w);
    }
}

/// Turns metrics-server off (uninstalled: its APIService is gone) or on again (it starts with
/// an empty store, so metrics come back after its first two readings).
pub fn set_enabled(w: &mut World, on: bool) {
    if w.metrics.enabled == on {
        return;
    }
    w.metrics = MetricsServer { enabled: on, ..MetricsServer::default() };
    // The kubelets' remembered slots were the old store's.
    for rt in w.kubelet.pods.values_mut() {
        rt.metrics_slot = None;
    }
}

/// Reads every reachable kubelet: brings each running container's accounting up to now and
/// stores the readings as metrics-server does.
pub fn scrape(w: &mut World) {
    let now = w.now.0 as i64;
    let first = w.metrics.last_scrape.is_none();
    // Nodes: (name, control plane, allocatable CPU in millicores), those whose kubelet answers.
    let mut nodes: Vec<(String, bool, f64)> = Vec::new();
    for o in w.store.list(Kind::Node, None) {
        let Some(n) = o.as_node() else { continue };
        let name = o.name().to_string();
        if !w.nodes.kubelet_syncs(&name) {
            continue;
        }
        let cp = n.metadata.labels.as_ref().is_some_and(|l| l.contains_key("node-role.kubernetes.io/control-plane"));
        let alloc = n
            .status
            .as_ref()
            .and_then(|s| s.allocatable.as_ref())
            .and_then(|a| a.get("cpu"))
            .and_then(|q| crate::sim::quantity::parse_milli(&q.0).ok())
            .unwrap_or(0) as f64;
        nodes.push((name, cp, alloc));
    }
    let seed = w.seed;
    let World { kubelet, metrics, .. } = w;
    metrics.scrapes += 1;
    let scrape = metrics.scrapes;
    if metrics.node_names.len() != nodes.len() || metrics.node_names.iter().zip(&nodes).any(|(a, (b, _, _))| a != b) {
        metrics.node_names = nodes.iter().map(|(n, _, _)| n.clone()).collect();
        metrics.node_epoch += 1;
    }
    let epoch = metrics.node_epoch;
    // The store lists nodes by name: found by binary search (a cluster has thousands).
    let node_at = |n: &str| nodes.binary_search_by(|(x, _, _)| x.as_str().cmp(n)).ok();

    // 1. What each running container wants and uses now. The readings come in the order of
    //    the kubelets' pods (step 3 walks them again alongside) and name their node by its
    //    place in `nodes`: a scrape reads every container of the cluster.
    let mut readings: Vec<Reading> = Vec::with_capacity(kubelet.pods.len());
    for (pod_at, rt) in kubelet.pods.values_mut().enumerate() {
        if !rt.init.iter().chain(&rt.containers).any(|c| matches!(c.state, CState::Running { .. })) {
            continue;
        }
        let (slot, remembered) = metrics.slot_of(&mut rt.metrics_slot, &rt.namespace, &rt.name);
        // This runtime alone read the pod last time, and the nodes are the same: what it
        // found then holds (a runtime's node never changes).
        let p = &mut metrics.slots[slot];
        let known = remembered && p.sole && p.node_epoch == epoch;
        // The pod's node, where it was at the last scrape if it is still there. (A slot taken
        // for a pod of an unreachable node is freed at the end, unread.)
        let hint = p.node as usize;
        let node = match nodes.get(hint) {
            _ if known => hint,
            Some((name, _, _)) if *name == rt.node => hint,
            _ => {
                let Some(node) = node_at(&rt.node) else { continue };
                node
            }
        };
        (p.node, p.node_epoch) = (node as u32, epoch);
        let first = readings.len();
        for (index, c) in rt.init.iter_mut().chain(rt.containers.iter_mut()).enumerate() {
            let CState::Running { started_at } = c.state else { continue };
            if c.stats.run_started != Some(started_at) {
                c.stats.restart(started_at);
            }
            let dt = now - c.stats.read_at.0 as i64;
            let (served, wakes) = (c.stats.served.get(), c.stats.wakes);
            let (served_per_s, wakes_per_s) = if dt > 0 {
                (
                    (served - c.stats.served_at_read) as f64 / dt as f64,
                    (wakes - c.stats.wakes_at_read) as f64 / dt as f64,
                )
            } else {
                (0.0, 0.0)
            };
            // The noise key, "<namespace>/<pod>/<container>" hashed, is the container's for
            // good: hashed at its first reading (a scrape does not read the names again).
            if c.stats.noise_key == 0 {
                c.stats.noise_key = usage::noise_key(&rt.namespace, &rt.name, &c.name);
                c.stats.limits = (usage::cpu_limit_milli(c), crate::sim::kubelet::exec::memory_limit_bytes(c));
            }
            let key = c.stats.noise_key;
            let demand = usage::cpu_demand_milli(c, served_per_s, wakes_per_s);
            let cpu = usage::cpu_used_milli(
                demand,
                c.stats.limits.0,
                usage::noise_of(seed, key, 1, now),
                usage::noise_of(seed, key, 2, now),
            );
            let memory = match &c.proc {
                Some(p) => usage::memory_reported(
                    usage::proc_memory_bytes(p, c.image.as_deref(), w_now(now)),
                    c.stats.limits.1,
                    usage::noise_of(seed, key, 3, now),
                ),
                None => 0,
            };
            // The accounting is brought up to now here, while the container is at hand: step
            // 3 reads the readings alone (a scrape at 150,000 pods is bound by visits to the
            // containers' memory). Only `cpu_ns` can change after this, when step 2 shares out
            // a node's CPU.
            let dt_read = (now - c.stats.read_at.0 as i64).max(0);
            let cpu_ns_before = c.stats.cpu_ns;
            c.stats.cpu_ns += (cpu * 1e6 * dt_read as f64).round() as u64;
            c.stats.read_at = Tick(now.max(0) as u64);
            c.stats.served_at_read = c.stats.served.get();
            c.stats.wakes_at_read = c.stats.wakes;
            let start = c.stats.run_started.map_or(now, |t| t.0 as i64);
            // Step 3 finds the container's points by its place when the slot is this
            // runtime's alone and has that place; otherwise by name.
            let by_place = known && metrics.slots[slot].containers.iter().any(|x| x.index == index as u32);
            let name = (!by_place).then(|| c.name.clone());
            readings.push(Reading {
                pod: pod_at,
                index,
                node,
                slot,
                known,
                cpu_milli: cpu,
                memory,
                cpu_ns_before,
                dt: dt_read,
                start,
                name,
            });
        }
        if readings.len() > first {
            let p = &mut metrics.slots[slot];
            if p.seen != scrape {
                p.seen = scrape;
            } else if p.before.is_none() {
                // A second runtime of the pod: its readings, like the first's, follow on
                // the scrape before's, which step 3 is about to overwrite.
                p.before = Some(p.containers.clone());
            }
        }
    }

    // 2. A node has only so many cores: when its containers want more, the kernel shares them
    //    out (in proportion, as equal CPU shares would).
    let mut wanted: Vec<f64> = vec![0.0; nodes.len()];
    for r in &readings {
        wanted[r.node] += r.cpu_milli;
    }
    let mut shared_out = vec![false; nodes.len()];
    for r in readings.iter_mut() {
        let (alloc, sys) = (nodes[r.node].2, system_use(nodes[r.node].1).0);
        let total = wanted[r.node];
        let room = (alloc - sys).max(0.0);
        if alloc > 0.0 && total > room {
            r.cpu_milli *= room / total;
            shared_out[r.node] = true;
        }
    }
    // The containers step 3 cannot do without (rare, none at all in most scrapes): those on a
    // node whose CPU was shared out have their accounting redone; a pod read by two runtimes
    // (its slot now has `before`) has its containers found by name.
    let revisit = |r: &Reading| shared_out[r.node] || (r.name.is_none() && metrics.slots[r.slot].before.is_some());
    if readings.iter().any(revisit) {
        let mut next = readings.iter_mut().peekable();
        for (pod_at, rt) in kubelet.pods.values_mut().enumerate() {
            while let Some(r) = next.next_if(|r| r.pod == pod_at) {
                if !revisit(r) {
                    continue;
                }
                let Some(c) = rt.init.iter_mut().chain(rt.containers.iter_mut()).nth(r.index) else { continue };
                c.stats.cpu_ns = r.cpu_ns_before + (r.cpu_milli * 1e6 * r.dt as f64).round() as u64;
                if r.name.is_none() {
                    r.name = Some(c.name.clone());
                }
            }
        }
    }

    // 3. Bring the accounting up to now and record the readings.
    let mut node_sum: Vec<(f64, u64)> = vec![(0.0, 0); nodes.len()];
    for r in &readings {
        let start = r.start;
        let cpu_ns = r.cpu_ns_before + (r.cpu_milli * 1e6 * r.dt as f64).round() as u64;
        let point = Point { ts: now, start, cpu_ns, memory: r.memory };
        let e = &mut node_sum[r.node];
        e.0 += r.cpu_milli;
        e.1 += r.memory;

        // metrics-server's podStorage.Store: the container's points as the scrape before
        // left them, then this reading.
        let entry = &mut metrics.slots[r.slot];
        // A runtime's containers keep their names and places: while the slot holds only
        // this runtime's, the place finds the container. (A second runtime reading the pod
        // this scrape has left `before`, and maybe containers of its own.)
        // Copied in step 1 or on the revisit wherever the lookups below need it.
        let name = r.name.as_deref().unwrap_or_default();
        debug_assert!(r.name.is_some() || (r.known && entry.before.is_none()));
        let at = if r.known && entry.before.is_none() {
            entry.containers.iter().position(|x| x.index == r.index as u32)
        } else {
            entry.containers.iter().position(|x| x.name == name)
        };
        let old = match &entry.before {
            Some(before) => before.iter().find(|o| o.name == name),
            None => at.map(|i| &entry.containers[i]).filter(|o| o.seen != scrape),
        }
        .map(|o| (o.last, o.prev));
        let age = now - start;
        let prev = if start < now && (FRESH_CONTAINER_MIN_S..RESOLUTION_S).contains(&age) {
            Some(Point { ts: start, cpu_ns: 0, ..point })
        } else {
            match old {
                Some((last, _)) if start < last.ts && now > last.ts => Some(last),
                Some((last, prev)) if start < last.ts => prev.filter(|p| p.ts < now),
                _ => None,
            }
        };
        match at.map(|i| &mut entry.containers[i]) {
            // Read already this scrape (the pod's other runtime).
            Some(x) if x.seen == scrape => {
                x.last = point;
                x.prev = prev.or(x.prev);
                x.index = r.index as u32;
            }
            Some(x) => {
                *x = CtrPoints {
                    name: std::mem::take(&mut x.name),
                    index: r.index as u32,
                    last: point,
                    prev,
                    seen: scrape,
                }
            }
            None => entry.containers.push(CtrPoints {
                name: name.to_string(),
                index: r.index as u32,
                last: point,
                prev,
                seen: scrape,
            }),
        }
    }
    // Pods and containers not read are forgotten, as metrics-server replaces its store at
    // each scrape.
    for slot in 0..metrics.slots.len() {
        let p = &mut metrics.slots[slot];
        if p.key.is_none() {
            continue;
        }
        if p.seen == scrape {
            p.sole = p.before.is_none();
            p.before = None;
            p.containers.retain(|c| c.seen == scrape);
            if !p.containers.is_empty() {
                continue;
            }
        }
        metrics.release(slot);
    }

    // 4. Nodes: their system's use plus their pods'.
    // Both lists are in name order: each node's old points are found by walking the old
    // list alongside, and the new map is built from a sorted list.
    let mut old_nodes = std::mem::take(&mut metrics.nodes).into_iter().peekable();
    let mut new_nodes: Vec<(String, NodePoints)> = Vec::with_capacity(nodes.len());
    for (i, (name, cp, _)) in nodes.iter().enumerate() {
        let (sys_cpu, sys_mem) = system_use(*cp);
        let key = format!("node/{name}");
        let cpu_sys = sys_cpu * (0.85 + 0.3 * usage::noise(seed, &key, 1, now));
        let mem_sys = usage::memory_reported(
            crate::sim::kubelet::programs::mib_to_bytes(sys_mem),
            None,
            usage::noise(seed, &key, 3, now),
        );
        let (pods_cpu, pods_mem) = node_sum[i];
        while old_nodes.next_if(|(n, _)| n < name).is_some() {}
        let old = old_nodes.next_if(|(n, _)| n == name).map(|(_, p)| p).unwrap_or_default();
        // The node booted long before the simulation: before the first reading metrics-server
        // already had one, a resolution earlier.
        let (prev_ts, prev_cpu) = match old.last {
            Some(l) => (l.ts, old.cpu_ns),
            None if first => (now - RESOLUTION_S, 0),
            None => (now, old.cpu_ns),
        };
        let dt = (now - prev_ts).max(0);
        let cpu_ns = prev_cpu + ((cpu_sys + pods_cpu) * 1e6 * dt as f64).round() as u64;
        // The node has been up since the install (tick 0).
        let start = 0;
        let point = Point { ts: now, start, cpu_ns, memory: mem_sys + pods_mem };
        let prev = match old.last {
            Some(l) if l.ts < now => Some(l),
            Some(_) => old.prev,
            None if first => Some(Point { ts: now - RESOLUTION_S, start, cpu_ns: 0, memory: point.memory }),
            None => None,
        };
        new_nodes.push((name.clone(), NodePoints { last: Some(point), prev, cpu_ns }));
    }
    metrics.nodes = new_nodes.into_iter().collect();
    metrics.last_scrape = Some(now);
}

fn w_now(now: i64) -> Tick {
    Tick(now.max(0) as u64)
}

/// The error the API answers while metrics-server is not installed.
pub fn not_available(resource: &str) -> ApiError {
    ApiError {
        code: 404,
        reason: Reason::NotFound,
        message: format!("the server could not find the requested resource (get {resource}.metrics.k8s.io)"),
        details: None,
    }
}

impl World {
    /// Whether the `metrics.k8s.io` group is served (kubectl's discovery check).
    pub fn metrics_api_available(&self) -> bool {
        self.metrics.enabled
    }

    fn pod_metrics_of(&self, ns: &str, name: &str, labels: BTreeMap<String, String>) -> Option<PodMetrics> {
        let slot = self.metrics.find(ns, name)?;
        let points = &self.metrics.slots[slot as usize];
        if points.containers.is_empty() {
            return None;
        }
        let mut read: Vec<&CtrPoints> = points.containers.iter().collect();
        read.sort_by(|a, b| a.name.cmp(&b.name));
        let mut containers = Vec::new();
        let mut earliest: Option<(i64, i64)> = None;
        for c in read {
            let (last, prev) = (&c.last, c.prev.as_ref()?);
            let window = last.ts - prev.ts;
            if window <= 0 || last.cpu_ns < prev.cpu_ns {
                continue;
            }
            let cpu_nano = ((last.cpu_ns - prev.cpu_ns) / window as u64) as i64;
            containers.push(ContainerMetrics { name: c.name.clone(), cpu_nano, memory: last.memory as i64 });
            if earliest.is_none_or(|(ts, _)| ts > last.ts) {
                earliest = Some((last.ts, window));
            }
        }
        let (timestamp, window_s) = earliest?;
        Some(PodMetrics { namespace: ns.to_string(), name: name.to_string(), labels, timestamp, window_s, containers })
    }

    /// `GET /apis/metrics.k8s.io/v1beta1/[namespaces/NS/]pods?labelSelector=...`: the metrics
    /// of the matching pods that have them, by namespace then name.
    pub fn list_pod_metrics(&self, namespace: Option<&str>, selector: &Selector) -> Result<Vec<PodMetrics>, ApiError> {
        if !self.metrics.enabled {
            return Err(not_available("pods"));
        }
        let mut out = Vec::new();
        for o in self.store.list(Kind::Pod, namespace) {
            let labels = o.meta().labels.clone().unwrap_or_default();
            if !selector.matches(&labels) {
                continue;
            }
            if let Some(m) = self.pod_metrics_of(o.namespace(), o.name(), labels) {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// `GET .../namespaces/NS/pods/NAME`.
    pub fn get_pod_metrics(&self, namespace: &str, name: &str) -> Result<PodMetrics, ApiError> {
        if !self.metrics.enabled {
            return Err(not_available("pods"));
        }
        let Some(o) = self.store.get(Kind::Pod, namespace, name) else {
            return Err(ApiError::not_found("pods", name));
        };
        let labels = o.meta().labels.clone().unwrap_or_default();
        self.pod_metrics_of(namespace, name, labels)
            .ok_or_else(|| ApiError::not_found("podmetrics.metrics.k8s.io", &format!("{namespace}/{name}")))
    }

    fn node_metrics_of(&self, name: &str, labels: BTreeMap<String, String>) -> Option<NodeMetrics> {
        let p = self.metrics.nodes.get(name)?;
        let (last, prev) = (p.last?, p.prev?);
        let window = last.ts - prev.ts;
        if window <= 0 || last.cpu_ns < prev.cpu_ns {
            return None;
        }
        Some(NodeMetrics {
            name: name.to_string(),
            labels,
            timestamp: last.ts,
            window_s: window,
            cpu_nano: ((last.cpu_ns - prev.cpu_ns) / window as u64) as i64,
            memory: last.memory as i64,
        })
    }

    /// `GET /apis/metrics.k8s.io/v1beta1/nodes?labelSelector=...`.
    pub fn list_node_metrics(&self, selector: &Selector) -> Result<Vec<NodeMetrics>, ApiError> {
        if !self.metrics.enabled {
            return Err(not_available("nodes"));
        }
        let mut out = Vec::new();
        for o in self.store.list(Kind::Node, None) {
            let labels = o.meta().labels.clone().unwrap_or_default();
            if !selector.matches(&labels) {
                continue;
            }
            if let Some(m) = self.node_metrics_of(o.name(), labels) {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// `GET /apis/metrics.k8s.io/v1beta1/nodes/NAME`.
    pub fn get_node_metrics(&self, name: &str) -> Result<NodeMetrics, ApiError> {
        if !self.metrics.enabled {
            return Err(not_available("nodes"));
        }
        let Some(o) = self.store.get(Kind::Node, "", name) else {
            return Err(ApiError::not_found("nodes", name));
        };
        let labels = o.meta().labels.clone().unwrap_or_default();
        self.node_metrics_of(name, labels).ok_or_else(|| ApiError::not_found("nodemetrics.metrics.k8s.io", name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// Slots whose keys share a hash are told apart by their keys.
    #[test]
    fn the_index_tells_apart_keys_of_one_hash() {
        let mut m = MetricsServer::default();
        for name in ["b", "a"] {
            m.slots.push(PodPoints { key: Some(ObjKey::new("ns", name)), ..PodPoints::default() });
        }
        // As if "b" hashed like "a": both under a's hash, b first.
        m.index.insert(key_hash("ns", "a"), SmallVec::from_slice(&[0, 1]));
        assert_eq!(m.find("ns", "a"), Some(1));
        assert_eq!(m.find("ns", "b"), None, "b is not under its own hash");
        assert_eq!(m.find("other", "a"), None);
    }

    #[test]
    fn quantities_print_like_metrics_server() {
        assert_eq!(cpu_quantity(102_783), "102783n");
        assert_eq!(cpu_quantity(2_000_000), "2m");
        assert_eq!(cpu_quantity(0), "0");
        assert_eq!(memory_quantity(6_467_584), "6316Ki");
    }

    #[test]
    fn nodes_have_metrics_from_the_start() {
        let w = World::new(1);
        let n = w.get_node_metrics("node01").expect("node01 metrics");
        assert_eq!(n.window_s, RESOLUTION_S);
        assert!(n.cpu_nano > 10_000_000 && n.cpu_nano < 40_000_000, "{}", n.cpu_nano);
    }

    fn pod(name: &str) -> crate::sim::object::Object {
        let pod: k8s_openapi::api::core::v1::Pod = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]}
        }))
        .unwrap();
        crate::sim::object::Object::Pod(Arc::new(pod))
    }

    /// Every stored pod is in the index under its own key, and every free slot is empty.
    fn check_slots(m: &MetricsServer) {
        let live = m.slots.iter().filter(|p| p.key.is_some()).count();
        assert_eq!(live, m.index.values().map(|v| v.len()).sum::<usize>());
        assert_eq!(live + m.free.len(), m.slots.len());
        for (&h, slots) in &m.index {
            for &slot in slots {
                let key = m.slots[slot as usize].key.as_ref().expect("an indexed slot is taken");
                assert_eq!(key_hash(&key.namespace, &key.name), h);
                assert_eq!(m.find(&key.namespace, &key.name), Some(slot));
            }
        }
        for &slot in &m.free {
            assert!(m.slots[slot as usize].key.is_none() && m.slots[slot as usize].containers.is_empty());
        }
    }

    #[test]
    fn readings_follow_pods_through_reused_slots() {
        let mut w = World::new(1);
        w.api_create(pod("one"), Default::default()).unwrap();
        w.api_create(pod("two"), Default::default()).unwrap();
        w.advance(40);
        assert!(w.get_pod_metrics("default", "one").is_ok());
        let two = w.get_pod_metrics("default", "two").expect("two has metrics");
        check_slots(&w.metrics);

        // `one` goes: its readings are forgotten at the next scrape and its slot is reused by
        // `three`, which the kubelet of `two` must not mistake for its own.
        w.api_delete(Kind::Pod, "default", "one", Some(0), Default::default()).unwrap();
        w.advance(16);
        assert!(w.metrics.find("default", "one").is_none());
        assert_eq!(w.metrics.free.len(), 1);
        check_slots(&w.metrics);
        w.api_create(pod("three"), Default::default()).unwrap();
        w.advance(40);
        check_slots(&w.metrics);
        assert!(w.metrics.free.is_empty(), "three took the free slot");
        assert!(w.get_pod_metrics("default", "three").is_ok());
        let later = w.get_pod_metrics("default", "two").expect("two still has metrics");
        assert!(later.timestamp > two.timestamp && later.window_s == RESOLUTION_S);

        // A remembered slot that has had another owner since is not trusted.
        let three = w.metrics.find("default", "three").unwrap();
        let stale = w.metrics.slots[three as usize].generation - 1;
        let rt = w.kubelet.pods.values_mut().find(|rt| rt.name == "two").unwrap();
        rt.metrics_slot = Some((three, stale));
        w.advance(15);
        check_slots(&w.metrics);
        let rt = w.kubelet.pods.values().find(|rt| rt.name == "two").unwrap();
        let (slot, _) = rt.metrics_slot.unwrap();
        assert_eq!(Some(slot), w.metrics.find("default", "two"));

        // Nor are the slots of a metrics-server that was uninstalled since.
        set_enabled(&mut w, false);
        set_enabled(&mut w, true);
        assert!(w.kubelet.pods.values().all(|rt| rt.metrics_slot.is_none()));
        w.advance(30);
        check_slots(&w.metrics);
        assert!(w.get_pod_metrics("default", "two").is_ok());
        assert_eq!(w.get_pod_metrics("default", "three").unwrap().containers.len(), 1);
    }
    /// Busy containers on one node want more CPU than it has: each gets its share, and the
    /// accounting each container keeps (its cumulative CPU) is what the scrape recorded.
    #[test]
    fn a_busy_node_shares_out_its_cpu_and_the_accounting_agrees() {
        let mut w = World::new(1);
        let node = w.store.list(Kind::Node, None).iter().map(|o| o.name().to_string()).next_back().unwrap();
        for i in 0..6 {
            let pod: k8s_openapi::api::core::v1::Pod = serde_json::from_value(json!({
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("busy{i}"), "namespace": "default"},
                "spec": {"nodeName": node, "containers": [
                    {"name": "spin", "image": "busybox", "command": ["sh", "-c", "while true; do :; done"]}
                ]}
            }))
            .unwrap();
            w.api_create(crate::sim::object::Object::Pod(Arc::new(pod)), Default::default()).unwrap();
        }
        w.advance(50);
        let alloc = w.store.get(Kind::Node, "", &node).and_then(|o| o.as_node()).and_then(|n| {
            let q = n.status.as_ref()?.allocatable.as_ref()?.get("cpu")?;
            crate::sim::quantity::parse_milli(&q.0).ok()
        });
        let alloc = alloc.unwrap() as f64;
        assert!(6000.0 > alloc, "the pods want more than the node has");
        for _ in 0..3 {
            w.advance(15);
            let mut total = 0.0;
            for i in 0..6 {
                let m = w.get_pod_metrics("default", &format!("busy{i}")).expect("read at every scrape");
                let cpu = m.containers[0].cpu_nano as f64 / 1e6;
                assert!(cpu < 1000.0, "busy{i} has a share of the node, not a core: {cpu}");
                total += cpu;
            }
            assert!(total <= alloc, "{total} of {alloc}");
            // Each container's cumulative CPU is the one its last point shows.
            for rt in w.kubelet.pods.values() {
                let slot = w.metrics.find(&rt.namespace, &rt.name).unwrap() as usize;
                for (c, p) in rt.containers.iter().zip(&w.metrics.slots[slot].containers) {
                    assert_eq!(c.stats.cpu_ns, p.last.cpu_ns, "{}", rt.name);
                }
            }
        }
        check_slots(&w.metrics);
    }

    /// A runtime finds its containers' readings by their place in the runtime while it alone
    /// reads the pod: when a container before another stops, the other's readings are no
    /// longer at the same place in the slot, and must still follow on without a gap.
    #[test]
    fn a_container_keeps_its_readings_when_one_before_it_stops() {
        let mut w = World::new(1);
        let pod: k8s_openapi::api::core::v1::Pod = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "pair", "namespace": "default"},
            "spec": {"restartPolicy": "Never", "containers": [
                {"name": "brief", "image": "busybox", "command": ["sh", "-c", "sleep 50"]},
                {"name": "web", "image": "nginx"}
            ]}
        }))
        .unwrap();
        w.api_create(crate::sim::object::Object::Pod(Arc::new(pod)), Default::default()).unwrap();
        w.advance(45);
        let names = |m: &PodMetrics| m.containers.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&w.get_pod_metrics("default", "pair").unwrap()), ["brief", "web"]);
        let slot = w.metrics.find("default", "pair").unwrap() as usize;
        assert!(w.metrics.slots[slot].sole, "one runtime reads the pod");
        let mut last = 0;
        for _ in 0..4 {
            w.advance(15);
            let m = w.get_pod_metrics("default", "pair").expect("web is read at every scrape");
            assert_eq!(names(&m), ["web"]);
            assert!(m.timestamp > last && m.window_s == RESOLUTION_S, "{m:?}");
            last = m.timestamp;
        }
        assert_eq!(w.metrics.slots[slot].containers.len(), 1);
        check_slots(&w.metrics);
    }
}
