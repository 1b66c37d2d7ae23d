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

use super::api::errors::{ApiError, Reason};
use super::api::selector::Selector;
use super::clock::{Tick, START_UNIX_S};
use super::kubelet::CState;
use super::object::{KeyRef, Kind, ObjKey};
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
/// of the cluster, so it must not rebuild what it keeps).
#[derive(Clone, Debug, Default)]
struct PodPoints {
    /// The scrape (its number) that last read one of the pod's containers.
    seen: u64,
    /// The containers read at that scrape.
    containers: Vec<CtrPoints>,
    /// During a scrape, the containers as the scrape before left them.
    before: Vec<CtrPoints>,
}

#[derive(Clone, Debug)]
struct CtrPoints {
    name: String,
    last: Point,
    prev: Option<Point>,
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
    pods: BTreeMap<ObjKey, PodPoints>,
    nodes: BTreeMap<String, NodePoints>,
    last_scrape: Option<i64>,
    /// Scrapes so far.
    scrapes: u64,
}

impl Default for MetricsServer {
    fn default() -> Self {
        MetricsServer { enabled: true, pods: BTreeMap::new(), nodes: BTreeMap::new(), last_scrape: None, scrapes: 0 }
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
    cpu_milli: f64,
    memory: u64,
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
    // The store lists nodes by name: found by binary search (a cluster has thousands).
    let node_at = |n: &str| nodes.binary_search_by(|(x, _, _)| x.as_str().cmp(n)).ok();

    // 1. What each running container wants and uses now. The readings come in the order of
    //    the kubelets' pods (step 3 walks them again alongside) and name their node by its
    //    place in `nodes`: a scrape reads every container of the cluster.
    let mut readings: Vec<Reading> = Vec::new();
    for (pod_at, rt) in kubelet.pods.values_mut().enumerate() {
        let Some(node) = node_at(&rt.node) else { continue };
        // The noise key is "<namespace>/<pod>/<container>": hashed once up to the container.
        let key_base = usage::fnv_extend(
            usage::fnv_extend(usage::fnv_extend(usage::FNV_OFFSET, rt.namespace.as_bytes()), b"/"),
            rt.name.as_bytes(),
        );
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
            let key = usage::fnv_extend(usage::fnv_extend(key_base, b"/"), c.name.as_bytes());
            let demand = usage::cpu_demand_milli(c, served_per_s, wakes_per_s);
            let cpu = usage::cpu_used_milli(
                demand,
                usage::cpu_limit_milli(c),
                usage::noise_of(seed, key, 1, now),
                usage::noise_of(seed, key, 2, now),
            );
            let memory = match &c.proc {
                Some(p) => usage::memory_reported(
                    usage::proc_memory_bytes(p, c.image.as_deref(), w_now(now)),
                    crate::sim::kubelet::exec::memory_limit_bytes(c),
                    usage::noise_of(seed, key, 3, now),
                ),
                None => 0,
            };
            readings.push(Reading { pod: pod_at, index, node, cpu_milli: cpu, memory });
        }
    }

    // 2. A node has only so many cores: when its containers want more, the kernel shares them
    //    out (in proportion, as equal CPU shares would).
    let mut wanted: Vec<f64> = vec![0.0; nodes.len()];
    for r in &readings {
        wanted[r.node] += r.cpu_milli;
    }
    for r in readings.iter_mut() {
        let (alloc, sys) = (nodes[r.node].2, system_use(nodes[r.node].1).0);
        let total = wanted[r.node];
        let room = (alloc - sys).max(0.0);
        if alloc > 0.0 && total > room {
            r.cpu_milli *= room / total;
        }
    }

    // 3. Bring the accounting up to now and record the readings.
    let mut node_sum: Vec<(f64, u64)> = vec![(0.0, 0); nodes.len()];
    let mut next = readings.iter().peekable();
    metrics.scrapes += 1;
    let scrape = metrics.scrapes;
    for (pod_at, rt) in kubelet.pods.values_mut().enumerate() {
        if next.peek().is_none_or(|r| r.pod != pod_at) {
            continue;
        }
        let found = metrics.pods.get_mut(&(rt.namespace.as_str(), rt.name.as_str()) as &dyn KeyRef);
        let entry = match found {
            Some(e) => e,
            None => metrics.pods.entry(ObjKey::new(&rt.namespace, &rt.name)).or_default(),
        };
        if entry.seen != scrape {
            // The first of the pod's runtimes this scrape (a pod re-created under its name
            // may briefly have two): the readings start over from the last scrape's.
            entry.before = std::mem::take(&mut entry.containers);
            entry.seen = scrape;
        }
        while let Some(r) = next.next_if(|r| r.pod == pod_at) {
            let Some(c) = rt.init.iter_mut().chain(rt.containers.iter_mut()).nth(r.index) else { continue };
            let dt = (now - c.stats.read_at.0 as i64).max(0);
            c.stats.cpu_ns += (r.cpu_milli * 1e6 * dt as f64).round() as u64;
            c.stats.read_at = Tick(now.max(0) as u64);
            c.stats.served_at_read = c.stats.served.get();
            c.stats.wakes_at_read = c.stats.wakes;
            let start = c.stats.run_started.map_or(now, |t| t.0 as i64);
            let point = Point { ts: now, start, cpu_ns: c.stats.cpu_ns, memory: r.memory };
            let e = &mut node_sum[r.node];
            e.0 += r.cpu_milli;
            e.1 += r.memory;

            // metrics-server's podStorage.Store.
            let old = entry.before.iter().find(|o| o.name == c.name);
            let age = now - start;
            let prev = if start < now && (FRESH_CONTAINER_MIN_S..RESOLUTION_S).contains(&age) {
                Some(Point { ts: start, cpu_ns: 0, ..point })
            } else {
                match old {
                    Some(o) if start < o.last.ts && now > o.last.ts => Some(o.last),
                    Some(o) if start < o.last.ts => o.prev.filter(|p| p.ts < now),
                    _ => None,
                }
            };
            match entry.containers.iter_mut().find(|x| x.name == c.name) {
                Some(x) => {
                    x.last = point;
                    x.prev = prev.or(x.prev);
                }
                None => entry.containers.push(CtrPoints { name: c.name.clone(), last: point, prev }),
            }
        }
    }
    // Pods none of whose containers were read are forgotten, as metrics-server replaces its
    // store at each scrape.
    metrics.pods.retain(|_, p| {
        p.before = Vec::new();
        p.seen == scrape && !p.containers.is_empty()
    });

    // 4. Nodes: their system's use plus their pods'.
    let mut new_nodes: BTreeMap<String, NodePoints> = BTreeMap::new();
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
        let old = metrics.nodes.remove(name).unwrap_or_default();
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
        new_nodes.insert(name.clone(), NodePoints { last: Some(point), prev, cpu_ns });
    }
    metrics.nodes = new_nodes;
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
        let points = self.metrics.pods.get(&(ns, name) as &dyn KeyRef)?;
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
}
