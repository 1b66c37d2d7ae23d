//! kube-scheduler v1.32 with the default profile, as a pure library: filters, scores,
//! node sampling, random tie-breaking and the exact `FailedScheduling` message.
//!
//! Ported from kubernetes/pkg/scheduler (schedule_one.go, framework/types.go, the default
//! plugins and DefaultPreemption). Plugin order and weights are the v1.32 default profile:
//!
//! | plugin                          | filter | score weight |
//! |---------------------------------|--------|--------------|
//! | NodeUnschedulable               | yes    | -            |
//! | NodeName                        | yes    | -            |
//! | TaintToleration                 | yes    | 3            |
//! | NodeAffinity                    | yes    | 2            |
//! | NodePorts                       | yes    | -            |
//! | NodeResourcesFit (LeastAllocated) | yes  | 1            |
//! | PodTopologySpread               | DoNotSchedule | 2 (ScheduleAnyway + system defaults) |
//! | InterPodAffinity                | yes    | 2            |
//! | NodeResourcesBalancedAllocation | -      | 1            |
//! | ImageLocality                   | -      | 1 (not ported) |
//!
//! Performance: everything a filter or score needs from the nodes and their pods is
//! precomputed in a [`Snapshot`] that the caller keeps up to date incrementally
//! (`add_pod`/`remove_pod`/`set_node`), like the scheduler cache's NodeInfo: requested and
//! non-zero-requested sums, host ports in use, and counters of pods with (anti-)affinity so
//! the InterPodAffinity work is skipped when no pod in the cluster uses it.
//!
//! No I/O, no clock; the only randomness is the caller's RNG (ties between best nodes, and the
//! random offset of preemption's dry run).

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{
    Affinity, Container, Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodAffinityTerm, Taint, Toleration,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use rand::Rng;

use crate::sim::quantity::{parse_milli, parse_value};

/// The CPU the scores assume for a container that requests none (`schedutil.DefaultMilliCPURequest`).
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
/// The memory the scores assume for a container that requests none (`schedutil.DefaultMemoryRequest`).
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;
/// `minFeasibleNodesToFind`.
const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// `minFeasibleNodesPercentageToFind`.
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: usize = 5;
/// `framework.MaxNodeScore`.
const MAX_NODE_SCORE: i64 = 100;
/// DefaultPreemption's `MinCandidateNodesPercentage` and `MinCandidateNodesAbsolute`.
const MIN_CANDIDATE_NODES_PERCENTAGE: usize = 10;
const MIN_CANDIDATE_NODES_ABSOLUTE: usize = 100;
/// InterPodAffinity's default `hardPodAffinityWeight`.
const HARD_POD_AFFINITY_WEIGHT: i64 = 1;

const WEIGHT_TAINT_TOLERATION: i64 = 3;
const WEIGHT_NODE_AFFINITY: i64 = 2;
const WEIGHT_NODE_RESOURCES_FIT: i64 = 1;
const WEIGHT_INTER_POD_AFFINITY: i64 = 2;
const WEIGHT_BALANCED_ALLOCATION: i64 = 1;
const WEIGHT_POD_TOPOLOGY_SPREAD: i64 = 2;

/// The message of `ErrNoNodesAvailable`.
pub const ERR_NO_NODES_AVAILABLE: &str = "no nodes available to schedule pods";
const ERR_REASON_UNSCHEDULABLE: &str = "node(s) were unschedulable";
const ERR_REASON_NODE_NAME: &str = "node(s) didn't match the requested node name";
const ERR_REASON_NODE_AFFINITY: &str = "node(s) didn't match Pod's node affinity/selector";
const ERR_REASON_NODE_AFFINITY_CONFLICT: &str = "pod affinity terms conflict";
const ERR_REASON_NODE_PORTS: &str = "node(s) didn't have free ports for the requested pod ports";
const ERR_REASON_AFFINITY: &str = "node(s) didn't match pod affinity rules";
const ERR_REASON_ANTI_AFFINITY: &str = "node(s) didn't match pod anti-affinity rules";
const ERR_REASON_EXISTING_ANTI_AFFINITY: &str = "node(s) didn't satisfy existing pods anti-affinity rules";
const ERR_REASON_SPREAD: &str = "node(s) didn't match pod topology spread constraints";
const ERR_REASON_SPREAD_LABEL: &str = "node(s) didn't match pod topology spread constraints (missing required label)";
const PREEMPTION_NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
const PREEMPTION_NO_VICTIMS: &str = "No preemption victims found for incoming pod";
const PREEMPTION_NEVER: &str = "not eligible due to preemptionPolicy=Never.";

// ---------------------------------------------------------------------------------------------
// Resources

/// Requested or allocatable amounts of the resources the scheduler accounts for.
/// Extended resources (`nvidia.com/gpu`, hugepages) are not tracked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Resources {
    pub milli_cpu: i64,
    /// Bytes.
    pub memory: i64,
    /// Bytes.
    pub ephemeral_storage: i64,
    /// Allocatable pod count (unused in requests).
    pub pods: i64,
}

impl Resources {
    fn from_list(list: Option<&BTreeMap<String, Quantity>>) -> Resources {
        let mut r = Resources::default();
        if let Some(list) = list {
            r.add_list(list);
        }
        r
    }

    fn add_list(&mut self, list: &BTreeMap<String, Quantity>) {
        for (name, q) in list {
            // Invalid quantities are rejected by API validation; count them as zero here.
            match name.as_str() {
                "cpu" => self.milli_cpu = self.milli_cpu.saturating_add(parse_milli(&q.0).unwrap_or(0)),
                "memory" => self.memory = self.memory.saturating_add(parse_value(&q.0).unwrap_or(0)),
                "ephemeral-storage" => {
                    self.ephemeral_storage = self.ephemeral_storage.saturating_add(parse_value(&q.0).unwrap_or(0))
                }
                "pods" => self.pods = self.pods.saturating_add(parse_value(&q.0).unwrap_or(0)),
                _ => {}
            }
        }
    }

    fn add(&mut self, o: &Resources) {
        self.milli_cpu = self.milli_cpu.saturating_add(o.milli_cpu);
        self.memory = self.memory.saturating_add(o.memory);
        self.ephemeral_storage = self.ephemeral_storage.saturating_add(o.ephemeral_storage);
        self.pods = self.pods.saturating_add(o.pods);
    }

    fn sub(&mut self, o: &Resources) {
        self.milli_cpu = self.milli_cpu.saturating_sub(o.milli_cpu);
        self.memory = self.memory.saturating_sub(o.memory);
        self.ephemeral_storage = self.ephemeral_storage.saturating_sub(o.ephemeral_storage);
        self.pods = self.pods.saturating_sub(o.pods);
    }

    fn max(&mut self, o: &Resources) {
        self.milli_cpu = self.milli_cpu.max(o.milli_cpu);
        self.memory = self.memory.max(o.memory);
        self.ephemeral_storage = self.ephemeral_storage.max(o.ephemeral_storage);
        self.pods = self.pods.max(o.pods);
    }
}

/// A container's requests; with `non_zero`, CPU and memory that are absent get the scheduler's
/// defaults (`applyNonMissing`: only a missing key is defaulted, an explicit `0` stays 0).
fn container_requests(c: &Container, non_zero: bool) -> Resources {
    let list = c.resources.as_ref().and_then(|r| r.requests.as_ref());
    let mut r = Resources::from_list(list);
    if non_zero {
        if !list.is_some_and(|l| l.contains_key("cpu")) {
            r.milli_cpu = r.milli_cpu.saturating_add(DEFAULT_MILLI_CPU_REQUEST);
        }
        if !list.is_some_and(|l| l.contains_key("memory")) {
            r.memory = r.memory.saturating_add(DEFAULT_MEMORY_REQUEST);
        }
    }
    r
}

/// A pod's effective requests, as component-helpers' `PodRequests`: the sum of the containers
/// and of the native sidecars (init containers with `restartPolicy: Always`), at least the
/// largest "init container plus the sidecars started before it", plus `spec.overhead`.
pub fn pod_requests(pod: &Pod, non_zero: bool) -> Resources {
    let Some(spec) = pod.spec.as_ref() else {
        return Resources::default();
    };
    let mut reqs = Resources::default();
    for c in &spec.containers {
        reqs.add(&container_requests(c, non_zero));
    }
    let mut sidecars = Resources::default();
    let mut init_max = Resources::default();
    for c in spec.init_containers.iter().flatten() {
        let r = container_requests(c, non_zero);
        let use_now = if c.restart_policy.as_deref() == Some("Always") {
            reqs.add(&r);
            sidecars.add(&r);
            sidecars
        } else {
            let mut t = r;
            t.add(&sidecars);
            t
        };
        init_max.max(&use_now);
    }
    reqs.max(&init_max);
    if let Some(o) = spec.overhead.as_ref() {
        reqs.add_list(o);
    }
    reqs.pods = 0;
    reqs
}

// ---------------------------------------------------------------------------------------------
// Selectors

#[derive(Clone, Debug)]
enum LabelOp {
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    DoesNotExist,
}

/// A compiled `metav1.LabelSelector` (`LabelSelectorAsSelector`).
#[derive(Clone, Debug)]
enum Selector {
    /// A nil selector, or one that failed to parse: matches nothing.
    Nothing,
    /// ANDed requirements; empty matches everything.
    Reqs(Vec<(String, LabelOp)>),
}

impl Selector {
    fn compile(sel: Option<&LabelSelector>) -> Selector {
        let Some(sel) = sel else {
            return Selector::Nothing;
        };
        let mut reqs = Vec::new();
        for (k, v) in sel.match_labels.iter().flatten() {
            reqs.push((k.clone(), LabelOp::In(vec![v.clone()])));
        }
        for e in sel.match_expressions.iter().flatten() {
            let values = e.values.clone().unwrap_or_default();
            let op = match e.operator.as_str() {
                "In" => LabelOp::In(values),
                "NotIn" => LabelOp::NotIn(values),
                "Exists" => LabelOp::Exists,
                "DoesNotExist" => LabelOp::DoesNotExist,
                _ => return Selector::Nothing,
            };
            reqs.push((e.key.clone(), op));
        }
        Selector::Reqs(reqs)
    }

    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        match self {
            Selector::Nothing => false,
            Selector::Reqs(reqs) => reqs.iter().all(|(k, op)| match op {
                LabelOp::In(vals) => labels.get(k).is_some_and(|v| vals.contains(v)),
                LabelOp::NotIn(vals) => labels.get(k).is_none_or(|v| !vals.contains(v)),
                LabelOp::Exists => labels.contains_key(k),
                LabelOp::DoesNotExist => !labels.contains_key(k),
            }),
        }
    }
}

/// One node selector requirement against a label (or field) value.
fn node_requirement_matches(r: &NodeSelectorRequirement, value: Option<&String>) -> bool {
    let values = r.values.as_deref().unwrap_or_default();
    match r.operator.as_str() {
        "In" => value.is_some_and(|v| values.contains(v)),
        "NotIn" => value.is_none_or(|v| !values.contains(v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(v), [want]) = (value, values) else {
                return false;
            };
            let (Ok(have), Ok(want)) = (v.parse::<i64>(), want.parse::<i64>()) else {
                return false;
            };
            if r.operator == "Gt" {
                have > want
            } else {
                have < want
            }
        }
        _ => false,
    }
}

/// A node selector term: requirements ANDed; a term with none matches nothing.
fn node_selector_term_matches(t: &NodeSelectorTerm, node: &NodeInfo) -> bool {
    let exprs = t.match_expressions.as_deref().unwrap_or_default();
    let fields = t.match_fields.as_deref().unwrap_or_default();
    if exprs.is_empty() && fields.is_empty() {
        return false;
    }
    exprs.iter().all(|r| node_requirement_matches(r, node.labels.get(&r.key)))
        && fields.iter().all(|r| {
            // Only metadata.name is a supported field (validation rejects others).
            r.key == "metadata.name" && node_requirement_matches(r, Some(&node.name))
        })
}

/// A pod (anti-)affinity term, compiled (`framework.AffinityTerm`).
#[derive(Clone, Debug)]
pub struct AffinityTerm {
    namespaces: Vec<String>,
    namespace_selector: Option<Selector>,
    selector: Selector,
    topology_key: String,
}

impl AffinityTerm {
    fn compile(pod_namespace: &str, t: &PodAffinityTerm) -> AffinityTerm {
        let mut namespaces = t.namespaces.clone().unwrap_or_default();
        // No namespaces and no namespace selector means "the pod's own namespace".
        if namespaces.is_empty() && t.namespace_selector.is_none() {
            namespaces.push(pod_namespace.to_string());
        }
        AffinityTerm {
            namespaces,
            namespace_selector: t.namespace_selector.as_ref().map(|s| Selector::compile(Some(s))),
            selector: Selector::compile(t.label_selector.as_ref()),
            topology_key: t.topology_key.clone(),
        }
    }

    fn matches(&self, pod: &PodInfo, ns_labels: &dyn Fn(&str) -> BTreeMap<String, String>) -> bool {
        let ns_ok = self.namespaces.contains(&pod.namespace)
            || self.namespace_selector.as_ref().is_some_and(|s| s.matches(&ns_labels(&pod.namespace)));
        ns_ok && self.selector.matches(&pod.labels)
    }
}

/// The pod (anti-)affinity of a pod, compiled once.
#[derive(Clone, Debug, Default)]
pub struct PodAffinityInfo {
    required_affinity: Vec<AffinityTerm>,
    required_anti_affinity: Vec<AffinityTerm>,
    preferred_affinity: Vec<(i64, AffinityTerm)>,
    preferred_anti_affinity: Vec<(i64, AffinityTerm)>,
}

impl PodAffinityInfo {
    fn compile(namespace: &str, a: Option<&Affinity>) -> Option<PodAffinityInfo> {
        let a = a?;
        if a.pod_affinity.is_none() && a.pod_anti_affinity.is_none() {
            return None;
        }
        let req = |ts: Option<&Vec<PodAffinityTerm>>| {
            ts.into_iter().flatten().map(|t| AffinityTerm::compile(namespace, t)).collect::<Vec<_>>()
        };
        let pref = |ts: Option<&Vec<k8s_openapi::api::core::v1::WeightedPodAffinityTerm>>| {
            ts.into_iter()
                .flatten()
                .map(|t| (i64::from(t.weight), AffinityTerm::compile(namespace, &t.pod_affinity_term)))
                .collect::<Vec<_>>()
        };
        let pa = a.pod_affinity.as_ref();
        let paa = a.pod_anti_affinity.as_ref();
        Some(PodAffinityInfo {
            required_affinity: req(pa.and_then(|p| p.required_during_scheduling_ignored_during_execution.as_ref())),
            required_anti_affinity: req(
                paa.and_then(|p| p.required_during_scheduling_ignored_during_execution.as_ref())
            ),
            preferred_affinity: pref(pa.and_then(|p| p.preferred_during_scheduling_ignored_during_execution.as_ref())),
            preferred_anti_affinity: pref(
                paa.and_then(|p| p.preferred_during_scheduling_ignored_during_execution.as_ref()),
            ),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Pods and nodes

/// A host port a pod uses (`hostIP` defaults to 0.0.0.0, protocol to TCP).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPort {
    pub ip: String,
    pub protocol: String,
    pub port: i32,
}

impl HostPort {
    /// `HostPortInfo.CheckConflict`: same protocol and port, and either side on 0.0.0.0 or the
    /// same IP.
    fn conflicts(&self, o: &HostPort) -> bool {
        self.port == o.port
            && self.protocol == o.protocol
            && (self.ip == o.ip || self.ip == "0.0.0.0" || o.ip == "0.0.0.0")
    }
}

/// What the scheduler needs to know about a pod bound to a node (the scheduler cache's
/// `PodInfo`). Build it once with [`PodInfo::from_pod`]; cloning is cheap (labels and affinity
/// are shared).
#[derive(Clone, Debug)]
pub struct PodInfo {
    pub namespace: String,
    pub name: String,
    pub labels: Arc<BTreeMap<String, String>>,
    /// `spec.priority` (set by admission from the PriorityClass; 0 without one).
    pub priority: i32,
    /// Requests as NodeResourcesFit counts them (`computePodResourceRequest`).
    pub requests: Resources,
    /// Requests with the non-zero defaults for CPU and memory (used by LeastAllocated).
    pub non_zero_requests: Resources,
    pub host_ports: Vec<HostPort>,
    pub affinity: Option<Arc<PodAffinityInfo>>,
    /// `metadata.deletionTimestamp` is set (topology spreading does not count it).
    pub terminating: bool,
}

/// The label sets of the pods the scheduler keeps, one copy of each distinct set (the pods
/// of a ReplicaSet have the same labels).
#[derive(Clone, Debug, Default)]
pub struct LabelSets {
    /// Looked up only (and swept, which keeps or drops each set whatever the order): hashed,
    /// so that finding a set reads its labels once instead of comparing them with a dozen.
    sets: super::indexed::LookupSet<Arc<BTreeMap<String, String>>>,
    /// Size at which sets no pod holds any more are next dropped.
    sweep_at: usize,
}

impl LabelSets {
    /// The shared copy of `labels`.
    pub fn share(&mut self, labels: Option<&BTreeMap<String, String>>) -> Arc<BTreeMap<String, String>> {
        let empty = BTreeMap::new();
        let labels = labels.unwrap_or(&empty);
        if let Some(found) = self.sets.get(labels) {
            return found.clone();
        }
        if self.sets.len() >= self.sweep_at {
            self.sets.retain(|s| Arc::strong_count(s) > 1);
            self.sweep_at = (2 * self.sets.len()).max(64);
        }
        let set = Arc::new(labels.clone());
        self.sets.insert(set.clone());
        set
    }
}

impl PodInfo {
    pub fn from_pod(pod: &Pod) -> PodInfo {
        PodInfo::with_labels(pod, Arc::new(pod.metadata.labels.clone().unwrap_or_default()))
    }

    /// The pod's info, its labels shared through `sets`.
    pub fn from_pod_sharing(pod: &Pod, sets: &mut LabelSets) -> PodInfo {
        PodInfo::with_labels(pod, sets.share(pod.metadata.labels.as_ref()))
    }

    fn with_labels(pod: &Pod, labels: Arc<BTreeMap<String, String>>) -> PodInfo {
        let meta = &pod.metadata;
        let namespace = meta.namespace.clone().unwrap_or_else(|| "default".to_string());
        let spec = pod.spec.as_ref();
        let host_ports = spec
            .into_iter()
            .flat_map(|s| s.containers.iter())
            .flat_map(|c| c.ports.iter().flatten())
            .filter(|p| p.host_port.unwrap_or(0) > 0)
            .map(|p| HostPort {
                ip: p.host_ip.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "0.0.0.0".to_string()),
                protocol: p.protocol.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "TCP".to_string()),
                port: p.host_port.unwrap_or(0),
            })
            .collect();
        let affinity = PodAffinityInfo::compile(&namespace, spec.and_then(|s| s.affinity.as_ref())).map(Arc::new);
        PodInfo {
            name: meta.name.clone().unwrap_or_default(),
            labels,
            priority: spec.and_then(|s| s.priority).unwrap_or(0),
            requests: pod_requests(pod, false),
            non_zero_requests: pod_requests(pod, true),
            host_ports,
            affinity,
            terminating: meta.deletion_timestamp.is_some(),
            namespace,
        }
    }

    fn has_required_anti_affinity(&self) -> bool {
        self.affinity.as_ref().is_some_and(|a| !a.required_anti_affinity.is_empty())
    }
}

/// A node with the sums the filters and scores need, kept up to date by [`Snapshot`].
///
/// `repr(C)` with the fields every filter and score reads first, so that the hot path over
/// hundreds of nodes touches two cache lines per node.
#[derive(Clone, Debug)]
#[repr(C)]
pub struct NodeInfo {
    /// `status.allocatable` (or `status.capacity` when allocatable is absent, as the API
    /// server's defaulting does).
    pub allocatable: Resources,
    /// Sum of the pods' requests; `pods` here is the number of pods.
    pub requested: Resources,
    /// Sum of the pods' requests with the non-zero defaults.
    pub non_zero_requested: Resources,
    pub taints: Vec<Taint>,
    pub unschedulable: bool,
    /// Changes whenever the node or its pods change (globally unique, like the scheduler
    /// cache's generation); keys the score cache.
    pub generation: u64,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    /// The `kubernetes.io/hostname` and `topology.kubernetes.io/zone` labels, cached.
    pub hostname_label: Option<String>,
    pub zone_label: Option<String>,
    /// Pods bound to the node that are not terminated.
    pub pods: Vec<PodInfo>,
    pub used_ports: Vec<HostPort>,
    /// How many pods here have pod affinity or anti-affinity of any kind.
    pub pods_with_affinity: usize,
    /// How many pods here have required pod anti-affinity.
    pub pods_with_required_anti_affinity: usize,
}

/// Source of [`NodeInfo::generation`] values (the scheduler's `nextGeneration`). Only cache
/// validity depends on it, never any output.
static NEXT_GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_generation() -> u64 {
    NEXT_GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl NodeInfo {
    pub fn new(node: &Node) -> NodeInfo {
        let mut n = NodeInfo {
            name: String::new(),
            labels: BTreeMap::new(),
            taints: Vec::new(),
            unschedulable: false,
            allocatable: Resources::default(),
            pods: Vec::new(),
            requested: Resources::default(),
            non_zero_requested: Resources::default(),
            used_ports: Vec::new(),
            pods_with_affinity: 0,
            pods_with_required_anti_affinity: 0,
            generation: 0,
            hostname_label: None,
            zone_label: None,
        };
        n.set_node(node);
        n
    }

    /// Refreshes the node's own fields (labels, taints, allocatable...), keeping its pods.
    pub fn set_node(&mut self, node: &Node) {
        self.name = node.metadata.name.clone().unwrap_or_default();
        self.labels = node.metadata.labels.clone().unwrap_or_default();
        self.hostname_label = self.labels.get(LABEL_HOSTNAME).cloned();
        self.zone_label = self.labels.get(LABEL_ZONE).cloned();
        let spec = node.spec.as_ref();
        self.taints = spec.and_then(|s| s.taints.clone()).unwrap_or_default();
        self.unschedulable = spec.and_then(|s| s.unschedulable).unwrap_or(false);
        let status = node.status.as_ref();
        let alloc = status.and_then(|s| s.allocatable.as_ref()).or_else(|| status.and_then(|s| s.capacity.as_ref()));
        self.allocatable = Resources::from_list(alloc);
        self.generation = next_generation();
    }

    fn add_pod(&mut self, p: PodInfo) {
        self.generation = next_generation();
        self.requested.add(&p.requests);
        self.requested.pods += 1;
        self.non_zero_requested.add(&p.non_zero_requests);
        self.used_ports.extend(p.host_ports.iter().cloned());
        if p.affinity.is_some() {
            self.pods_with_affinity += 1;
        }
        if p.has_required_anti_affinity() {
            self.pods_with_required_anti_affinity += 1;
        }
        self.pods.push(p);
    }

    fn remove_pod(&mut self, namespace: &str, name: &str) -> Option<PodInfo> {
        let i = self.pods.iter().position(|p| p.namespace == namespace && p.name == name)?;
        let p = self.pods.remove(i);
        self.generation = next_generation();
        self.requested.sub(&p.requests);
        self.requested.pods = self.requested.pods.saturating_sub(1);
        self.non_zero_requested.sub(&p.non_zero_requests);
        for hp in &p.host_ports {
            if let Some(j) = self.used_ports.iter().position(|u| u == hp) {
                self.used_ports.remove(j);
            }
        }
        if p.affinity.is_some() {
            self.pods_with_affinity = self.pods_with_affinity.saturating_sub(1);
        }
        if p.has_required_anti_affinity() {
            self.pods_with_required_anti_affinity = self.pods_with_required_anti_affinity.saturating_sub(1);
        }
        Some(p)
    }
}

/// The scheduler's view of the cluster: nodes in a stable order with their pods. Keep one
/// alive and update it as pods are bound and deleted and nodes change.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    nodes: Vec<NodeInfo>,
    pods_with_affinity: usize,
    pods_with_required_anti_affinity: usize,
    namespace_labels: BTreeMap<String, BTreeMap<String, String>>,
    /// Node name → index, for nominated nodes and `matchFields` (DaemonSet pods).
    by_name: BTreeMap<String, usize>,
}

impl Snapshot {
    pub fn new() -> Snapshot {
        Snapshot::default()
    }

    /// The nodes, in the order the scheduler walks them.
    pub fn nodes(&self) -> &[NodeInfo] {
        &self.nodes
    }

    pub fn node_index(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// Adds a node at the end of the order; returns its index.
    pub fn add_node(&mut self, node: &Node) -> usize {
        let n = NodeInfo::new(node);
        let index = self.nodes.len();
        self.by_name.insert(n.name.clone(), index);
        self.nodes.push(n);
        index
    }

    /// Refreshes a node's labels, taints, allocatable...; false if the index is out of range.
    pub fn set_node(&mut self, index: usize, node: &Node) -> bool {
        let Some(n) = self.nodes.get_mut(index) else {
            return false;
        };
        let old = std::mem::take(&mut n.name);
        n.set_node(node);
        if old != n.name {
            self.by_name.remove(&old);
            self.by_name.insert(n.name.clone(), index);
        }
        true
    }

    /// Removes a node and its pods, keeping the order of the others (indices after it shift).
    pub fn remove_node(&mut self, index: usize) -> Option<NodeInfo> {
        if index >= self.nodes.len() {
            return None;
        }
        let n = self.nodes.remove(index);
        self.by_name = self.nodes.iter().enumerate().map(|(i, n)| (n.name.clone(), i)).collect();
        self.pods_with_affinity = self.pods_with_affinity.saturating_sub(n.pods_with_affinity);
        self.pods_with_required_anti_affinity =
            self.pods_with_required_anti_affinity.saturating_sub(n.pods_with_required_anti_affinity);
        Some(n)
    }

    /// Records a pod as bound to a node (also an "assumed" pod right after scheduling).
    pub fn add_pod(&mut self, index: usize, pod: PodInfo) -> bool {
        let Some(n) = self.nodes.get_mut(index) else {
            return false;
        };
        self.pods_with_affinity += usize::from(pod.affinity.is_some());
        self.pods_with_required_anti_affinity += usize::from(pod.has_required_anti_affinity());
        n.add_pod(pod);
        true
    }

    /// Puts a node's pods in namespace/name order (the order a fresh snapshot lists them in).
    pub fn sort_node_pods(&mut self, index: usize) {
        if let Some(n) = self.nodes.get_mut(index) {
            n.pods
                .sort_by(|a, b| (a.namespace.as_str(), a.name.as_str()).cmp(&(b.namespace.as_str(), b.name.as_str())));
        }
    }

    /// Forgets a pod (deleted, or terminated: Succeeded/Failed pods free their resources).
    pub fn remove_pod(&mut self, index: usize, namespace: &str, name: &str) -> Option<PodInfo> {
        let p = self.nodes.get_mut(index)?.remove_pod(namespace, name)?;
        self.pods_with_affinity = self.pods_with_affinity.saturating_sub(usize::from(p.affinity.is_some()));
        self.pods_with_required_anti_affinity =
            self.pods_with_required_anti_affinity.saturating_sub(usize::from(p.has_required_anti_affinity()));
        Some(p)
    }

    /// Sets a namespace's labels, for `namespaceSelector` in pod affinity terms. A namespace
    /// never set has only `kubernetes.io/metadata.name`, as the API server always adds.
    pub fn set_namespace_labels(&mut self, namespace: &str, labels: BTreeMap<String, String>) {
        self.namespace_labels.insert(namespace.to_string(), labels);
    }

    fn ns_labels(&self, ns: &str) -> BTreeMap<String, String> {
        let mut l = self.namespace_labels.get(ns).cloned().unwrap_or_default();
        l.insert("kubernetes.io/metadata.name".to_string(), ns.to_string());
        l
    }
}

// ---------------------------------------------------------------------------------------------
// Results

/// Where a pod goes: the node's index in the snapshot, and the pod's [`PodInfo`] ready to be
/// added to it (`snapshot.add_pod(p.node_index, p.pod_info)`).
#[derive(Clone, Debug)]
pub struct Placement {
    pub node_index: usize,
    pub node_name: String,
    pub pod_info: PodInfo,
    /// How many nodes were examined (`EvaluatedNodes`).
    pub evaluated_nodes: usize,
    /// How many of them fit (`FeasibleNodes`).
    pub feasible_nodes: usize,
}

/// Preemption found room: evict these pods, and set the pod's `status.nominatedNodeName`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nomination {
    pub node_index: usize,
    pub node_name: String,
    /// (namespace, name) of the pods to evict, most important first.
    pub victims: Vec<(String, String)>,
}

/// The pod fits nowhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FitError {
    pub num_nodes: usize,
    /// The exact `FailedScheduling` event message (also the PodScheduled condition message).
    pub message: String,
    /// Set when preemption chose a node and victims; the message then has no preemption part.
    pub nomination: Option<Nomination>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Code {
    Unschedulable,
    UnschedulableAndUnresolvable,
}

#[derive(Clone, Debug)]
struct Status {
    code: Code,
    reasons: Vec<String>,
}

impl Status {
    fn new(code: Code, reason: &str) -> Status {
        Status { code, reasons: vec![reason.to_string()] }
    }
}

/// `FitError.Error()` without the PreFilter part: "0/N nodes are available: <sorted histogram>."
fn histogram_message(num_all: usize, statuses: &[Option<Status>], absent: Option<&Status>) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut present = 0;
    for s in statuses.iter().flatten() {
        present += 1;
        for r in &s.reasons {
            *counts.entry(r.as_str()).or_default() += 1;
        }
    }
    if let Some(a) = absent {
        if present < num_all {
            for r in &a.reasons {
                *counts.entry(r.as_str()).or_default() += num_all - present;
            }
        }
    }
    // Go formats "%v %v" (count then reason) and sorts those strings bytewise.
    let mut parts: Vec<String> = counts.iter().map(|(r, n)| format!("{n} {r}")).collect();
    parts.sort();
    let mut msg = format!("0/{num_all} nodes are available:");
    if !parts.is_empty() {
        msg.push(' ');
        msg.push_str(&parts.join(", "));
        msg.push('.');
    }
    msg
}

// ---------------------------------------------------------------------------------------------
// The incoming pod, prepared once per cycle

/// Whether any of `tolerations` tolerates `taint` (core/v1 Toleration.ToleratesTaint).
pub(crate) fn tolerates(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| {
        // k8s.io/api/core/v1 Toleration.ToleratesTaint.
        if let Some(e) = t.effect.as_deref().filter(|e| !e.is_empty()) {
            if e != taint.effect {
                return false;
            }
        }
        if let Some(k) = t.key.as_deref().filter(|k| !k.is_empty()) {
            if k != taint.key {
                return false;
            }
        }
        match t.operator.as_deref().unwrap_or("") {
            "" | "Equal" => t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or(""),
            "Exists" => true,
            _ => false,
        }
    })
}

/// InterPodAffinity's PreFilter state: topology pairs → counts.
#[derive(Default)]
struct AffinityState {
    active: bool,
    affinity_counts: BTreeMap<(String, String), i64>,
    anti_affinity_counts: BTreeMap<(String, String), i64>,
    existing_anti_affinity_counts: BTreeMap<(String, String), i64>,
}

struct Cycle<'p> {
    pod: &'p Pod,
    info: PodInfo,
    tolerations: &'p [Toleration],
    node_name: Option<&'p str>,
    node_selector: Option<&'p BTreeMap<String, String>>,
    required_terms: Option<&'p [NodeSelectorTerm]>,
    preferred_terms: &'p [k8s_openapi::api::core::v1::PreferredSchedulingTerm],
    affinity: AffinityState,
    spread: Vec<SpreadConstraint>,
    volumes: Option<&'p dyn VolumeBinding>,
}

/// A `DoNotSchedule` topology spread constraint with its PreFilter counts.
struct SpreadConstraint {
    max_skew: i64,
    min_domains: usize,
    topology_key: String,
    selector: Selector,
    /// Topology value → matching pods, over the eligible nodes.
    counts: BTreeMap<String, i64>,
    /// The smallest count over the domains (0 when there are fewer than `min_domains`).
    min_match: i64,
}

impl<'p> Cycle<'p> {
    fn new(pod: &'p Pod, volumes: Option<&'p dyn VolumeBinding>) -> Cycle<'p> {
        let spec = pod.spec.as_ref();
        let node_affinity = spec.and_then(|s| s.affinity.as_ref()).and_then(|a| a.node_affinity.as_ref());
        Cycle {
            pod,
            info: PodInfo::from_pod(pod),
            tolerations: spec.and_then(|s| s.tolerations.as_deref()).unwrap_or_default(),
            node_name: spec.and_then(|s| s.node_name.as_deref()).filter(|n| !n.is_empty()),
            node_selector: spec.and_then(|s| s.node_selector.as_ref()),
            required_terms: node_affinity
                .and_then(|n| n.required_during_scheduling_ignored_during_execution.as_ref())
                .map(|r| r.node_selector_terms.as_slice()),
            preferred_terms: node_affinity
                .and_then(|n| n.preferred_during_scheduling_ignored_during_execution.as_deref())
                .unwrap_or_default(),
            affinity: AffinityState::default(),
            spread: Vec::new(),
            volumes,
        }
    }

    /// NodeAffinity PreFilter: the node names `matchFields metadata.name In` restricts to, or
    /// an error when the terms conflict.
    fn node_affinity_prefilter(&self) -> Result<Option<Vec<String>>, Status> {
        let Some(terms) = self.required_terms else {
            return Ok(None);
        };
        if terms.is_empty() {
            return Ok(None);
        }
        let mut names: Vec<String> = Vec::new();
        for t in terms {
            let mut term_names: Option<Vec<String>> = None;
            for r in t.match_fields.iter().flatten() {
                if r.key == "metadata.name" && r.operator == "In" {
                    let s: Vec<String> = r.values.clone().unwrap_or_default();
                    term_names = Some(match term_names {
                        None => s,
                        Some(prev) => prev.into_iter().filter(|n| s.contains(n)).collect(),
                    });
                }
            }
            let Some(term_names) = term_names else {
                // A term without a name restriction: all nodes are eligible (terms are ORed).
                return Ok(None);
            };
            for n in term_names {
                if !names.contains(&n) {
                    names.push(n);
                }
            }
        }
        if names.is_empty() {
            return Err(Status::new(Code::UnschedulableAndUnresolvable, ERR_REASON_NODE_AFFINITY_CONFLICT));
        }
        Ok(Some(names))
    }

    /// PodTopologySpread PreFilter for `DoNotSchedule` constraints: matching pods per domain
    /// over the nodes that carry every constraint's key and (nodeAffinityPolicy Honor, the
    /// default) match the pod's node selector and required node affinity; taints are ignored
    /// (nodeTaintsPolicy Ignore, the default).
    fn topology_spread_prefilter(&mut self, snap: &Snapshot) {
        let Some(spec) = self.pod.spec.as_ref() else {
            return;
        };
        let labels = self.info.labels.clone();
        let mut constraints: Vec<SpreadConstraint> = Vec::new();
        for c in spec.topology_spread_constraints.iter().flatten() {
            if c.when_unsatisfiable != "DoNotSchedule" {
                continue;
            }
            let selector = spread_selector(c, &labels);
            constraints.push(SpreadConstraint {
                max_skew: i64::from(c.max_skew),
                min_domains: c.min_domains.and_then(|m| usize::try_from(m).ok()).unwrap_or(1),
                topology_key: c.topology_key.clone(),
                selector,
                counts: BTreeMap::new(),
                min_match: 0,
            });
        }
        if constraints.is_empty() {
            return;
        }
        for node in &snap.nodes {
            if !constraints.iter().all(|c| node.labels.contains_key(&c.topology_key))
                || !self.node_affinity_matches(node)
            {
                continue;
            }
            for c in constraints.iter_mut() {
                let Some(v) = node.labels.get(&c.topology_key) else {
                    continue;
                };
                let n = count_pods_matching(&node.pods, &c.selector, &self.info.namespace);
                *c.counts.entry(v.clone()).or_default() += n;
            }
        }
        for c in constraints.iter_mut() {
            c.min_match =
                if c.counts.len() < c.min_domains { 0 } else { c.counts.values().copied().min().unwrap_or(0) };
        }
        self.spread = constraints;
    }

    /// InterPodAffinity PreFilter: counts over all nodes.
    fn inter_pod_affinity_prefilter(&mut self, snap: &Snapshot) {
        let mine = self.info.affinity.clone();
        let has_required_own =
            mine.as_ref().is_some_and(|a| !a.required_affinity.is_empty() || !a.required_anti_affinity.is_empty());
        if !has_required_own && snap.pods_with_required_anti_affinity == 0 {
            return;
        }
        self.affinity.active = true;
        let ns = |n: &str| snap.ns_labels(n);
        for node in &snap.nodes {
            if node.pods_with_required_anti_affinity > 0 {
                for existing in &node.pods {
                    let Some(a) = existing.affinity.as_ref() else {
                        continue;
                    };
                    for t in &a.required_anti_affinity {
                        if t.matches(&self.info, &ns) {
                            if let Some(v) = node.labels.get(&t.topology_key) {
                                *self
                                    .affinity
                                    .existing_anti_affinity_counts
                                    .entry((t.topology_key.clone(), v.clone()))
                                    .or_default() += 1;
                            }
                        }
                    }
                }
            }
            let Some(a) = mine.as_ref() else {
                continue;
            };
            if !has_required_own {
                continue;
            }
            for existing in &node.pods {
                if !a.required_affinity.is_empty() && a.required_affinity.iter().all(|t| t.matches(existing, &ns)) {
                    for t in &a.required_affinity {
                        if let Some(v) = node.labels.get(&t.topology_key) {
                            *self.affinity.affinity_counts.entry((t.topology_key.clone(), v.clone())).or_default() += 1;
                        }
                    }
                }
                for t in &a.required_anti_affinity {
                    if t.matches(existing, &ns) {
                        if let Some(v) = node.labels.get(&t.topology_key) {
                            *self
                                .affinity
                                .anti_affinity_counts
                                .entry((t.topology_key.clone(), v.clone()))
                                .or_default() += 1;
                        }
                    }
                }
            }
        }
    }

    /// The Filter plugins in profile order; the first failure is the node's status.
    fn filter(&self, snap: &Snapshot, node: &NodeInfo) -> Option<Status> {
        // NodeUnschedulable
        if node.unschedulable {
            let t = Taint {
                key: "node.kubernetes.io/unschedulable".to_string(),
                effect: "NoSchedule".to_string(),
                ..Default::default()
            };
            if !tolerates(self.tolerations, &t) {
                return Some(Status::new(Code::UnschedulableAndUnresolvable, ERR_REASON_UNSCHEDULABLE));
            }
        }
        // NodeName
        if let Some(n) = self.node_name {
            if n != node.name {
                return Some(Status::new(Code::UnschedulableAndUnresolvable, ERR_REASON_NODE_NAME));
            }
        }
        // TaintToleration: the first NoSchedule/NoExecute taint not tolerated.
        for t in &node.taints {
            if (t.effect == "NoSchedule" || t.effect == "NoExecute") && !tolerates(self.tolerations, t) {
                return Some(Status::new(
                    Code::UnschedulableAndUnresolvable,
                    &format!("node(s) had untolerated taint {{{}: {}}}", t.key, t.value.as_deref().unwrap_or("")),
                ));
            }
        }
        // NodeAffinity: nodeSelector AND (required terms ORed).
        if !self.node_affinity_matches(node) {
            return Some(Status::new(Code::UnschedulableAndUnresolvable, ERR_REASON_NODE_AFFINITY));
        }
        // NodePorts
        if !self.info.host_ports.is_empty()
            && self.info.host_ports.iter().any(|p| node.used_ports.iter().any(|u| u.conflicts(p)))
        {
            return Some(Status::new(Code::Unschedulable, ERR_REASON_NODE_PORTS));
        }
        // NodeResourcesFit
        if let Some(s) = self.fit(node) {
            return Some(s);
        }
        // VolumeBinding
        if let Some(v) = self.volumes {
            let reasons = v.filter(node);
            if !reasons.is_empty() {
                return Some(Status {
                    code: Code::UnschedulableAndUnresolvable,
                    reasons: reasons.into_iter().map(str::to_string).collect(),
                });
            }
        }
        // PodTopologySpread (DoNotSchedule constraints)
        for c in &self.spread {
            let Some(v) = node.labels.get(&c.topology_key) else {
                return Some(Status::new(Code::UnschedulableAndUnresolvable, ERR_REASON_SPREAD_LABEL));
            };
            let self_match = i64::from(c.selector.matches(&self.info.labels));
            let skew = c.counts.get(v).copied().unwrap_or(0) + self_match - c.min_match;
            // (counts are bounded by the number of pods: no overflow)
            if skew > c.max_skew {
                return Some(Status::new(Code::Unschedulable, ERR_REASON_SPREAD));
            }
        }
        // InterPodAffinity
        if self.affinity.active {
            if let Some(s) = self.inter_pod_affinity_filter(snap, node) {
                return Some(s);
            }
        }
        None
    }

    fn node_affinity_matches(&self, node: &NodeInfo) -> bool {
        if let Some(sel) = self.node_selector {
            if !sel.iter().all(|(k, v)| node.labels.get(k) == Some(v)) {
                return false;
            }
        }
        match self.required_terms {
            // `requiredDuringScheduling` with an empty term list matches nothing.
            Some(terms) => terms.iter().any(|t| node_selector_term_matches(t, node)),
            None => true,
        }
    }

    /// NodeResourcesFit `fitsRequest`: every insufficient resource is a reason.
    fn fit(&self, node: &NodeInfo) -> Option<Status> {
        let mut reasons = Vec::new();
        let req = &self.info.requests;
        if node.requested.pods >= node.allocatable.pods {
            reasons.push("Too many pods".to_string());
        }
        let a = &node.allocatable;
        let u = &node.requested;
        if req.milli_cpu > 0 && req.milli_cpu > a.milli_cpu.saturating_sub(u.milli_cpu) {
            reasons.push("Insufficient cpu".to_string());
        }
        if req.memory > 0 && req.memory > a.memory.saturating_sub(u.memory) {
            reasons.push("Insufficient memory".to_string());
        }
        if req.ephemeral_storage > 0 && req.ephemeral_storage > a.ephemeral_storage.saturating_sub(u.ephemeral_storage)
        {
            reasons.push("Insufficient ephemeral-storage".to_string());
        }
        if reasons.is_empty() {
            None
        } else {
            // v1.32 always reports Unschedulable here (Unresolvable came in v1.34).
            Some(Status { code: Code::Unschedulable, reasons })
        }
    }

    fn inter_pod_affinity_filter(&self, snap: &Snapshot, node: &NodeInfo) -> Option<Status> {
        let st = &self.affinity;
        if let Some(a) = self.info.affinity.as_ref() {
            // satisfyPodAffinity
            let mut pods_exist = true;
            for t in &a.required_affinity {
                match node.labels.get(&t.topology_key) {
                    Some(v) => {
                        if st.affinity_counts.get(&(t.topology_key.clone(), v.clone())).copied().unwrap_or(0) <= 0 {
                            pods_exist = false;
                        }
                    }
                    None => {
                        return Some(Status::new(Code::UnschedulableAndUnresolvable, ERR_REASON_AFFINITY));
                    }
                }
            }
            if !pods_exist {
                // The first pod of a group with affinity to itself may go anywhere that has
                // the topology labels.
                let self_match = st.affinity_counts.is_empty()
                    && a.required_affinity.iter().all(|t| t.matches(&self.info, &|n: &str| snap.ns_labels(n)));
                if !self_match {
                    return Some(Status::new(Code::UnschedulableAndUnresolvable, ERR_REASON_AFFINITY));
                }
            }
            // satisfyPodAntiAffinity
            if !st.anti_affinity_counts.is_empty() {
                for t in &a.required_anti_affinity {
                    if let Some(v) = node.labels.get(&t.topology_key) {
                        if st.anti_affinity_counts.get(&(t.topology_key.clone(), v.clone())).is_some_and(|c| *c > 0) {
                            return Some(Status::new(Code::Unschedulable, ERR_REASON_ANTI_AFFINITY));
                        }
                    }
                }
            }
        }
        // satisfyExistingPodsAntiAffinity
        if !st.existing_anti_affinity_counts.is_empty() {
            for (k, v) in &node.labels {
                if st.existing_anti_affinity_counts.get(&(k.clone(), v.clone())).is_some_and(|c| *c > 0) {
                    return Some(Status::new(Code::Unschedulable, ERR_REASON_EXISTING_ANTI_AFFINITY));
                }
            }
        }
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Scores

/// `leastRequestedScore`.
fn least_requested(requested: i64, capacity: i64) -> i64 {
    if capacity <= 0 || requested > capacity {
        return 0;
    }
    if requested >= 0 && capacity <= i64::MAX / MAX_NODE_SCORE {
        return (capacity - requested) * MAX_NODE_SCORE / capacity;
    }
    // i128: absurd capacities (saturated parses) must not overflow.
    let score = (i128::from(capacity) - i128::from(requested)) * i128::from(MAX_NODE_SCORE) / i128::from(capacity);
    i64::try_from(score).unwrap_or(0)
}

/// NodeResourcesFit with the LeastAllocated strategy over cpu and memory (weight 1 each),
/// counting the non-zero defaults.
fn least_allocated_score(pod: &PodInfo, node: &NodeInfo) -> i64 {
    let mut score = 0;
    let mut weights = 0;
    let pairs = [
        (node.allocatable.milli_cpu, node.non_zero_requested.milli_cpu.saturating_add(pod.non_zero_requests.milli_cpu)),
        (node.allocatable.memory, node.non_zero_requested.memory.saturating_add(pod.non_zero_requests.memory)),
    ];
    for (alloc, req) in pairs {
        if alloc == 0 {
            continue;
        }
        score += least_requested(req, alloc);
        weights += 1;
    }
    if weights == 0 {
        0
    } else {
        score / weights
    }
}

/// NodeResourcesBalancedAllocation over cpu and memory, on actual requests (v1.32 does not
/// apply the non-zero defaults here, nor skip best-effort pods).
fn balanced_allocation_score(pod: &PodInfo, node: &NodeInfo) -> i64 {
    let mut fractions = [0f64; 2];
    let mut n = 0;
    let pairs = [
        (node.allocatable.milli_cpu, node.requested.milli_cpu.saturating_add(pod.requests.milli_cpu)),
        (node.allocatable.memory, node.requested.memory.saturating_add(pod.requests.memory)),
    ];
    for (alloc, req) in pairs {
        if alloc == 0 {
            continue;
        }
        let f = (req as f64 / alloc as f64).min(1.0);
        fractions[n] = f;
        n += 1;
    }
    let std = if n == 2 { ((fractions[0] - fractions[1]) / 2.0).abs() } else { 0.0 };
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}

/// `helper.DefaultNormalizeScore`.
fn default_normalize(scores: &mut [i64], reverse: bool) {
    let max = scores.iter().copied().max().unwrap_or(0).max(0);
    if max == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = MAX_NODE_SCORE);
        }
        return;
    }
    for s in scores.iter_mut() {
        let v = MAX_NODE_SCORE * *s / max;
        *s = if reverse { MAX_NODE_SCORE - v } else { v };
    }
}

// ---------------------------------------------------------------------------------------------
// The scheduler

/// Facts for one cycle that come from objects other than the pod and the nodes.
#[derive(Clone, Debug, Default)]
pub struct CycleOptions<'a> {
    /// The selectors of the pod's owning ReplicaSet / StatefulSet / ReplicationController and
    /// of the Services that select it (as `matchLabels`). Their conjunction is the selector of
    /// the system default topology spreading (`DefaultSelector`); empty means no default
    /// spreading, as for a bare pod.
    pub default_spread_selectors: &'a [LabelSelector],
    /// The VolumeBinding plugin's view of the pod's claims (None: the pod uses none).
    pub volumes: Option<&'a dyn VolumeBinding>,
}

/// What the VolumeBinding plugin knows of a pod's PersistentVolumeClaims, supplied by the
/// caller (claims, volumes and classes are not in the snapshot); see `sim::volumebinding`.
pub trait VolumeBinding: std::fmt::Debug {
    /// PreFilter: Err(message) makes the pod unschedulable and unresolvable on every node
    /// (`pod has unbound immediate PersistentVolumeClaims`, `persistentvolumeclaim "x" not
    /// found`).
    fn pre_filter(&self) -> Result<(), String>;
    /// Filter: the conflict reasons on this node (none: the pod's volumes fit here).
    fn filter(&self, node: &NodeInfo) -> Vec<&'static str>;
}

/// Topology domains and their matching-pod counts: a short list searched linearly (zones are
/// few), indexed by a map once it grows.
#[derive(Clone, Default)]
struct Domains<'a> {
    list: Vec<(Option<&'a str>, i64)>,
    index: BTreeMap<Option<&'a str>, usize>,
}

impl<'a> Domains<'a> {
    const LINEAR_MAX: usize = 16;

    fn position(&self, d: Option<&str>) -> Option<usize> {
        if self.list.len() <= Self::LINEAR_MAX {
            self.list.iter().position(|(k, _)| *k == d)
        } else {
            self.index.get(&d).copied()
        }
    }

    fn insert(&mut self, d: Option<&'a str>) {
        if self.position(d).is_some() {
            return;
        }
        self.list.push((d, 0));
        if self.list.len() == Self::LINEAR_MAX + 1 {
            self.index = self.list.iter().enumerate().map(|(i, (k, _))| (*k, i)).collect();
        } else if self.list.len() > Self::LINEAR_MAX + 1 {
            self.index.insert(d, self.list.len() - 1);
        }
    }

    fn get(&self, d: Option<&str>) -> Option<&i64> {
        self.position(d).and_then(|i| self.list.get(i)).map(|(_, c)| c)
    }

    fn get_mut(&mut self, d: Option<&str>) -> Option<&mut i64> {
        let i = self.position(d)?;
        self.list.get_mut(i).map(|(_, c)| c)
    }

    fn len(&self) -> usize {
        self.list.len()
    }
}

const LABEL_HOSTNAME: &str = "kubernetes.io/hostname";
const LABEL_ZONE: &str = "topology.kubernetes.io/zone";

/// Which label a topology key is: the two well-known ones are read from fields cached on the
/// node instead of a map lookup per node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyKind {
    Hostname,
    Zone,
    Other,
}

impl KeyKind {
    fn of(key: &str) -> KeyKind {
        match key {
            LABEL_HOSTNAME => KeyKind::Hostname,
            LABEL_ZONE => KeyKind::Zone,
            _ => KeyKind::Other,
        }
    }
}

fn node_label<'n>(n: &'n NodeInfo, kind: KeyKind, key: &str) -> Option<&'n str> {
    match kind {
        KeyKind::Hostname => n.hostname_label.as_deref(),
        KeyKind::Zone => n.zone_label.as_deref(),
        KeyKind::Other => n.labels.get(key).map(String::as_str),
    }
}

/// A spreading selector with the namespace it counts in, fingerprinted for the count cache.
#[derive(Clone)]
struct SpreadSelector {
    selector: Selector,
    namespace: String,
    fingerprint: u64,
}

impl SpreadSelector {
    fn new(selector: Selector, namespace: &str) -> SpreadSelector {
        // FNV-1a over a canonical rendering: only cache hits depend on it.
        let text = format!("{namespace}\0{selector:?}");
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in text.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        SpreadSelector { selector, namespace: namespace.to_string(), fingerprint: h }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct SpreadCountEntry {
    generation: u64,
    fingerprint: u64,
    count: i64,
}

/// A topology spread constraint's selector, with `matchLabelKeys` merged in from the pod's
/// own labels.
fn spread_selector(
    c: &k8s_openapi::api::core::v1::TopologySpreadConstraint,
    labels: &BTreeMap<String, String>,
) -> Selector {
    let mut selector = Selector::compile(c.label_selector.as_ref());
    if let Selector::Reqs(reqs) = &mut selector {
        for k in c.match_label_keys.iter().flatten() {
            if let Some(v) = labels.get(k) {
                reqs.push((k.clone(), LabelOp::In(vec![v.clone()])));
            }
        }
    }
    selector
}

/// `countPodsMatchSelector`: same namespace, not terminating; an empty selector counts none.
fn count_pods_matching(pods: &[PodInfo], selector: &Selector, namespace: &str) -> i64 {
    if matches!(selector, Selector::Reqs(r) if r.is_empty()) {
        return 0;
    }
    pods.iter().filter(|p| !p.terminating && p.namespace == namespace && selector.matches(&p.labels)).count() as i64
}

/// kube-scheduler's scheduling cycle for one profile (the default one).
#[derive(Clone, Debug, Default)]
pub struct Scheduler {
    /// Where the next cycle starts walking the nodes (`nextStartNodeIndex`).
    next_start_node_index: usize,
    /// `percentageOfNodesToScore`; `None` or `Some(0)` is the adaptive default.
    pub percentage_of_nodes_to_score: Option<u32>,
    /// Per node index: the resource scores (LeastAllocated + BalancedAllocation, weighted) for
    /// the last pod requests seen on that node generation. Replicas of one template request
    /// the same, so most nodes are scored once per change instead of once per pod.
    score_cache: Vec<ScoreCacheEntry>,
    /// Reused between cycles to keep allocation off the hot path.
    feasible_buf: Vec<usize>,
    /// Per node index: matching-pod count for the last spreading selector seen.
    spread_count_cache: Vec<SpreadCountEntry>,
}

impl Scheduler {
    /// kube-scheduler restarted (as it does when its static pod is updated): it walks the
    /// nodes from the first again, with nothing cached.
    pub fn restart(&mut self) {
        *self = Scheduler { percentage_of_nodes_to_score: self.percentage_of_nodes_to_score, ..Scheduler::default() };
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct ScoreCacheEntry {
    generation: u64,
    key: [i64; 4],
    score: i64,
}

impl Scheduler {
    pub fn new() -> Scheduler {
        Scheduler::default()
    }

    /// `numFeasibleNodesToFind`: all nodes under 100; otherwise a percentage (adaptive:
    /// 50 - nodes/125, at least 5 %) but never fewer than 100.
    pub fn num_feasible_nodes_to_find(&self, num_all_nodes: usize) -> usize {
        if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND {
            return num_all_nodes;
        }
        let mut percentage = self.percentage_of_nodes_to_score.unwrap_or(0) as usize;
        if percentage == 0 {
            percentage = 50usize.saturating_sub(num_all_nodes / 125).max(MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
        }
        let n = num_all_nodes * percentage / 100;
        n.max(MIN_FEASIBLE_NODES_TO_FIND)
    }

    /// One scheduling cycle (`schedulePod` + the PostFilter on failure).
    pub fn schedule(&mut self, pod: &Pod, snap: &Snapshot, rng: &mut impl Rng) -> Result<Placement, FitError> {
        self.schedule_with(pod, snap, &CycleOptions::default(), rng)
    }

    /// [`Scheduler::schedule`] with facts from other objects (see [`CycleOptions`]).
    pub fn schedule_with(
        &mut self,
        pod: &Pod,
        snap: &Snapshot,
        opts: &CycleOptions,
        rng: &mut impl Rng,
    ) -> Result<Placement, FitError> {
        let num_all = snap.nodes.len();
        if num_all == 0 {
            return Err(FitError { num_nodes: 0, message: ERR_NO_NODES_AVAILABLE.to_string(), nomination: None });
        }
        let mut cycle = Cycle::new(pod, opts.volumes);

        // PreFilter
        let restricted =
            match cycle.node_affinity_prefilter().and_then(|r| match cycle.volumes.map(|v| v.pre_filter()) {
                Some(Err(msg)) => Err(Status::new(Code::UnschedulableAndUnresolvable, &msg)),
                _ => Ok(r),
            }) {
                Ok(r) => r,
                Err(status) => {
                    // All nodes get the PreFilter status; the message shows it once.
                    let mut message = format!("0/{num_all} nodes are available: {}.", status.reasons.join(", "));
                    let statuses: Vec<Option<Status>> = vec![None; num_all];
                    let post = self.post_filter(&cycle, snap, &statuses, Some(&status), rng);
                    return Err(finish(num_all, &mut message, post));
                }
            };
        cycle.topology_spread_prefilter(snap);
        cycle.inter_pod_affinity_prefilter(snap);

        // A pod nominated by an earlier preemption tries that node first and takes it if it
        // fits (`evaluateNominatedNode`), without scoring or moving the start index.
        let nominated = cycle
            .pod
            .status
            .as_ref()
            .and_then(|s| s.nominated_node_name.as_deref())
            .filter(|n| !n.is_empty())
            .and_then(|n| snap.node_index(n))
            .filter(|&i| {
                let allowed = restricted
                    .as_ref()
                    .is_none_or(|names| names.iter().any(|n| Some(n) == snap.nodes.get(i).map(|x| &x.name)));
                allowed && snap.nodes.get(i).is_some_and(|n| cycle.filter(snap, n).is_none())
            });
        if let Some(i) = nominated {
            return Ok(Placement {
                node_index: i,
                node_name: snap.nodes.get(i).map(|n| n.name.clone()).unwrap_or_default(),
                pod_info: cycle.info,
                evaluated_nodes: 1,
                feasible_nodes: 1,
            });
        }

        // The nodes to walk: all, or those named by the PreFilter result (in its order).
        let candidates: Vec<usize> = match &restricted {
            None => Vec::new(),
            Some(names) => names.iter().filter_map(|n| snap.node_index(n)).collect(),
        };
        let walk_len = if restricted.is_some() { candidates.len() } else { num_all };
        let absent = restricted.as_ref().map(|_| {
            Status::new(Code::UnschedulableAndUnresolvable, "node(s) didn't satisfy plugin(s) [NodeAffinity]")
        });

        // Filter, from nextStartNodeIndex, until enough feasible nodes are found.
        let to_find = self.num_feasible_nodes_to_find(walk_len);
        // A pod with no node name, selector, node affinity, host ports or pod affinity in play
        // passes every filter on an untainted, schedulable node that has room: check that
        // inline and run the full filter chain only otherwise (it also explains failures).
        let simple = cycle.node_name.is_none()
            && cycle.node_selector.is_none_or(|s| s.is_empty())
            && cycle.required_terms.is_none()
            && cycle.info.host_ports.is_empty()
            && !cycle.affinity.active
            && cycle.spread.is_empty()
            && cycle.volumes.is_none();
        let mut feasible = std::mem::take(&mut self.feasible_buf);
        feasible.clear();
        let mut statuses: Vec<Option<Status>> = Vec::new();
        let mut failed = 0usize;
        let mut failed_list: Vec<(usize, Status)> = Vec::new();
        // Walk with a wrapping cursor rather than a modulo per node: this loop is the hot path.
        let mut k = if walk_len == 0 { 0 } else { self.next_start_node_index % walk_len };
        for _ in 0..walk_len {
            if feasible.len() >= to_find {
                break;
            }
            let idx = if restricted.is_some() { candidates.get(k).copied().unwrap_or(usize::MAX) } else { k };
            k += 1;
            if k == walk_len {
                k = 0;
            }
            let Some(node) = snap.nodes.get(idx) else {
                continue;
            };
            if simple && fast_fits(&cycle.info.requests, node) {
                feasible.push(idx);
                continue;
            }
            match cycle.filter(snap, node) {
                None => feasible.push(idx),
                Some(s) => {
                    failed += 1;
                    failed_list.push((idx, s));
                }
            }
        }
        let processed = feasible.len() + failed;
        self.next_start_node_index = (self.next_start_node_index + processed) % num_all;

        if feasible.is_empty() {
            statuses.resize(num_all, None);
            for (idx, s) in failed_list {
                if let Some(slot) = statuses.get_mut(idx) {
                    *slot = Some(s);
                }
            }
            let mut message = histogram_message(num_all, &statuses, absent.as_ref());
            let post = self.post_filter(&cycle, snap, &statuses, absent.as_ref(), rng);
            return Err(finish(num_all, &mut message, post));
        }

        let evaluated = processed;
        let chosen = if feasible.len() == 1 {
            feasible[0]
        } else {
            let totals = self.prioritize(&cycle, snap, opts, &feasible);
            select_host(&feasible, &totals, rng)
        };
        let feasible_nodes = feasible.len();
        self.feasible_buf = feasible;
        Ok(Placement {
            node_index: chosen,
            node_name: snap.nodes.get(chosen).map(|n| n.name.clone()).unwrap_or_default(),
            pod_info: cycle.info,
            evaluated_nodes: evaluated,
            feasible_nodes,
        })
    }

    /// The Score plugins, normalised and weighted; one total per feasible node.
    /// Plugins whose raw scores are all equal are not computed node by node: their
    /// normalised value is then the same constant for every node.
    fn prioritize(&mut self, cycle: &Cycle, snap: &Snapshot, opts: &CycleOptions, feasible: &[usize]) -> Vec<i64> {
        let nodes: Vec<&NodeInfo> = feasible.iter().filter_map(|&i| snap.nodes.get(i)).collect();
        debug_assert_eq!(nodes.len(), feasible.len());
        if self.score_cache.len() != snap.nodes.len() {
            self.score_cache = vec![ScoreCacheEntry::default(); snap.nodes.len()];
        }
        let p = &cycle.info;
        let key = [p.non_zero_requests.milli_cpu, p.non_zero_requests.memory, p.requests.milli_cpu, p.requests.memory];
        let mut totals: Vec<i64> = Vec::with_capacity(nodes.len());
        for (&idx, n) in feasible.iter().zip(&nodes) {
            let fresh = |n: &NodeInfo| {
                WEIGHT_NODE_RESOURCES_FIT * least_allocated_score(p, n)
                    + WEIGHT_BALANCED_ALLOCATION * balanced_allocation_score(p, n)
            };
            let score = match self.score_cache.get_mut(idx) {
                Some(e) if e.generation == n.generation && e.key == key => e.score,
                Some(e) => {
                    let s = fresh(n);
                    *e = ScoreCacheEntry { generation: n.generation, key, score: s };
                    s
                }
                None => fresh(n),
            };
            totals.push(score);
        }

        // TaintToleration: intolerable PreferNoSchedule taints, fewer is better. With no such
        // taint anywhere every node normalises to 100.
        if nodes.iter().any(|n| n.taints.iter().any(|t| t.effect == "PreferNoSchedule")) {
            let prefer: Vec<Toleration> = cycle
                .tolerations
                .iter()
                .filter(|t| matches!(t.effect.as_deref(), None | Some("") | Some("PreferNoSchedule")))
                .cloned()
                .collect();
            let mut scores: Vec<i64> = nodes
                .iter()
                .map(|n| {
                    n.taints.iter().filter(|t| t.effect == "PreferNoSchedule" && !tolerates(&prefer, t)).count() as i64
                })
                .collect();
            default_normalize(&mut scores, true);
            for (t, s) in totals.iter_mut().zip(scores) {
                *t += WEIGHT_TAINT_TOLERATION * s;
            }
        } else {
            for t in totals.iter_mut() {
                *t += WEIGHT_TAINT_TOLERATION * MAX_NODE_SCORE;
            }
        }

        // NodeAffinity: sum of the weights of the preferred terms that match.
        if !cycle.preferred_terms.is_empty() {
            let mut scores: Vec<i64> = nodes
                .iter()
                .map(|n| {
                    cycle
                        .preferred_terms
                        .iter()
                        .filter(|t| t.weight != 0 && node_selector_term_matches(&t.preference, n))
                        .map(|t| i64::from(t.weight))
                        .sum()
                })
                .collect();
            default_normalize(&mut scores, false);
            for (t, s) in totals.iter_mut().zip(scores) {
                *t += WEIGHT_NODE_AFFINITY * s;
            }
        }

        let ipa_scores = self.inter_pod_affinity_scores(cycle, snap, &nodes);
        for (t, s) in totals.iter_mut().zip(ipa_scores) {
            *t += WEIGHT_INTER_POD_AFFINITY * s;
        }

        let spread_scores = self.topology_spread_scores(cycle, snap, opts, feasible, &nodes);
        for (t, s) in totals.iter_mut().zip(spread_scores) {
            *t += WEIGHT_POD_TOPOLOGY_SPREAD * s;
        }
        totals
    }

    /// Pods on a node in `namespace` matched by `selector`, not terminating
    /// (`countPodsMatchSelector`), cached per node generation for the last selector seen.
    fn count_matching(&mut self, idx: usize, node: &NodeInfo, sel: &SpreadSelector) -> i64 {
        if self.spread_count_cache.len() <= idx {
            self.spread_count_cache.resize(idx + 1, SpreadCountEntry::default());
        }
        if let Some(e) = self.spread_count_cache.get(idx) {
            if e.generation == node.generation && e.fingerprint == sel.fingerprint {
                return e.count;
            }
        }
        let count = count_pods_matching(&node.pods, &sel.selector, &sel.namespace);
        if let Some(e) = self.spread_count_cache.get_mut(idx) {
            *e = SpreadCountEntry { generation: node.generation, fingerprint: sel.fingerprint, count };
        }
        count
    }

    /// PodTopologySpread scoring: the pod's `ScheduleAnyway` constraints, or, when it has no
    /// constraints of its own, the system defaults (hostname maxSkew 3, zone maxSkew 5) over
    /// the pods its owners and Services select. Fewer matching pods in a node's domains is
    /// better.
    fn topology_spread_scores(
        &mut self,
        cycle: &Cycle,
        snap: &Snapshot,
        opts: &CycleOptions,
        feasible: &[usize],
        nodes: &[&NodeInfo],
    ) -> Vec<i64> {
        struct C {
            key: String,
            kind: KeyKind,
            max_skew: i64,
            sel: SpreadSelector,
        }
        let spec = cycle.pod.spec.as_ref();
        let own = spec.and_then(|s| s.topology_spread_constraints.as_deref()).unwrap_or_default();
        let ns = cycle.info.namespace.as_str();
        let mut constraints: Vec<C> = Vec::new();
        let require_all = !own.is_empty();
        if require_all {
            for c in own.iter().filter(|c| c.when_unsatisfiable == "ScheduleAnyway") {
                constraints.push(C {
                    key: c.topology_key.clone(),
                    kind: KeyKind::of(&c.topology_key),
                    max_skew: i64::from(c.max_skew),
                    sel: SpreadSelector::new(spread_selector(c, &cycle.info.labels), ns),
                });
            }
        } else {
            let mut reqs = Vec::new();
            for sel in opts.default_spread_selectors {
                if let Selector::Reqs(r) = Selector::compile(Some(sel)) {
                    reqs.extend(r);
                }
            }
            if reqs.is_empty() {
                return Vec::new();
            }
            let sel = SpreadSelector::new(Selector::Reqs(reqs), ns);
            for (key, max_skew) in [(LABEL_HOSTNAME, 3), (LABEL_ZONE, 5)] {
                constraints.push(C { key: key.to_string(), kind: KeyKind::of(key), max_skew, sel: sel.clone() });
            }
        }
        if constraints.is_empty() {
            return Vec::new();
        }
        let has_all = |n: &NodeInfo| constraints.iter().all(|c| node_label(n, c.kind, &c.key).is_some());
        // Domains among the candidate nodes; without requireAllTopologies a missing label
        // is the domain "".
        let ignored: Vec<bool> = nodes.iter().map(|n| require_all && !has_all(n)).collect();
        let considered = ignored.iter().filter(|i| !**i).count();
        // Keys are `None` for a missing (or empty) label, the domain Go calls "": comparing
        // empty strings goes through a pathologically slow memcmp of dangling pointers.
        fn domain<'n>(n: &'n NodeInfo, c: &C) -> Option<&'n str> {
            node_label(n, c.kind, &c.key).filter(|v| !v.is_empty())
        }
        let mut pair_counts: Vec<Domains> = vec![Domains::default(); constraints.len()];
        let mut weights = vec![0f64; constraints.len()];
        for (i, c) in constraints.iter().enumerate() {
            let size = if c.kind == KeyKind::Hostname {
                considered
            } else {
                let Some(m) = pair_counts.get_mut(i) else {
                    continue;
                };
                for (n, ig) in nodes.iter().zip(&ignored) {
                    if !*ig {
                        m.insert(domain(n, c));
                    }
                }
                m.len()
            };
            if let Some(w) = weights.get_mut(i) {
                *w = ((size + 2) as f64).ln();
            }
        }
        // Matching pods per domain over all nodes (hostname counts are per node, below). Only
        // worth it when some candidate node carries the key: the others skip the constraint.
        let zoned: Vec<bool> = constraints
            .iter()
            .map(|c| {
                c.kind != KeyKind::Hostname
                    && nodes.iter().zip(&ignored).any(|(n, ig)| !*ig && node_label(n, c.kind, &c.key).is_some())
            })
            .collect();
        if zoned.iter().any(|z| *z) {
            for (idx, n) in snap.nodes.iter().enumerate() {
                if (require_all && !has_all(n)) || !cycle.node_affinity_matches(n) {
                    continue;
                }
                for (i, c) in constraints.iter().enumerate() {
                    if !zoned.get(i).copied().unwrap_or(false) {
                        continue;
                    }
                    let v = domain(n, c);
                    if pair_counts.get(i).is_none_or(|m| m.get(v).is_none()) {
                        continue;
                    }
                    let cnt = self.count_matching(idx, n, &c.sel);
                    if let Some(slot) = pair_counts.get_mut(i).and_then(|m| m.get_mut(v)) {
                        *slot += cnt;
                    }
                }
            }
        }
        let mut raw: Vec<Option<i64>> = Vec::with_capacity(nodes.len());
        for ((&idx, n), ig) in feasible.iter().zip(nodes).zip(&ignored) {
            if *ig {
                raw.push(None);
                continue;
            }
            let mut score = 0f64;
            for (i, c) in constraints.iter().enumerate() {
                if node_label(n, c.kind, &c.key).is_none() {
                    continue;
                }
                let v = domain(n, c);
                let cnt = if c.kind == KeyKind::Hostname {
                    self.count_matching(idx, n, &c.sel)
                } else {
                    pair_counts.get(i).and_then(|m| m.get(v)).copied().unwrap_or(0)
                };
                let w = weights.get(i).copied().unwrap_or(0.0);
                score += cnt as f64 * w + (c.max_skew - 1) as f64;
            }
            raw.push(Some(score.round() as i64));
        }
        let min = raw.iter().flatten().copied().min().unwrap_or(0);
        let max = raw.iter().flatten().copied().max().unwrap_or(0);
        raw.iter()
            .map(|s| match s {
                None => 0,
                Some(_) if max == 0 => MAX_NODE_SCORE,
                Some(s) => MAX_NODE_SCORE * (max + min - s) / max,
            })
            .collect()
    }

    /// InterPodAffinity scoring: preferred terms of the pod, and the terms of existing pods
    /// (required affinity counts with `hardPodAffinityWeight`), summed per topology pair, then
    /// scaled to 0..100 between the lowest and highest node.
    fn inter_pod_affinity_scores(&self, cycle: &Cycle, snap: &Snapshot, nodes: &[&NodeInfo]) -> Vec<i64> {
        let mine = cycle.info.affinity.as_ref();
        let has_preferred =
            mine.is_some_and(|a| !a.preferred_affinity.is_empty() || !a.preferred_anti_affinity.is_empty());
        if !has_preferred && snap.pods_with_affinity == 0 {
            return Vec::new();
        }
        let ns = |n: &str| snap.ns_labels(n);
        let mut topology_score: BTreeMap<(String, String), i64> = BTreeMap::new();
        let mut add = |node: &NodeInfo, key: &str, w: i64| {
            if let Some(v) = node.labels.get(key) {
                *topology_score.entry((key.to_string(), v.clone())).or_default() += w;
            }
        };
        for node in &snap.nodes {
            if !has_preferred && node.pods_with_affinity == 0 {
                continue;
            }
            for existing in &node.pods {
                if let Some(a) = mine {
                    for (w, t) in &a.preferred_affinity {
                        if t.matches(existing, &ns) {
                            add(node, &t.topology_key, *w);
                        }
                    }
                    for (w, t) in &a.preferred_anti_affinity {
                        if t.matches(existing, &ns) {
                            add(node, &t.topology_key, -*w);
                        }
                    }
                }
                if let Some(ea) = existing.affinity.as_ref() {
                    for t in &ea.required_affinity {
                        if t.matches(&cycle.info, &ns) {
                            add(node, &t.topology_key, HARD_POD_AFFINITY_WEIGHT);
                        }
                    }
                    for (w, t) in &ea.preferred_affinity {
                        if t.matches(&cycle.info, &ns) {
                            add(node, &t.topology_key, *w);
                        }
                    }
                    for (w, t) in &ea.preferred_anti_affinity {
                        if t.matches(&cycle.info, &ns) {
                            add(node, &t.topology_key, -*w);
                        }
                    }
                }
            }
        }
        if topology_score.is_empty() {
            return Vec::new();
        }
        let raw: Vec<i64> = nodes
            .iter()
            .map(|n| n.labels.iter().filter_map(|(k, v)| topology_score.get(&(k.clone(), v.clone()))).sum())
            .collect();
        let min = raw.iter().copied().min().unwrap_or(0);
        let max = raw.iter().copied().max().unwrap_or(0);
        let diff = max - min;
        raw.iter()
            .map(|s| if diff > 0 { (MAX_NODE_SCORE as f64 * ((s - min) as f64 / diff as f64)) as i64 } else { 0 })
            .collect()
    }

    /// DefaultPreemption's PostFilter: the " preemption: ..." part of the message, or a
    /// nomination when evicting lower-priority pods makes room.
    fn post_filter(
        &self,
        cycle: &Cycle,
        snap: &Snapshot,
        statuses: &[Option<Status>],
        absent: Option<&Status>,
        rng: &mut impl Rng,
    ) -> PostFilter {
        let spec = cycle.pod.spec.as_ref();
        if spec.and_then(|s| s.preemption_policy.as_deref()) == Some("Never") {
            return PostFilter::Message(format!("preemption: {PREEMPTION_NEVER}"));
        }
        let num_all = snap.nodes.len();
        // Nodes where removing pods might help: those whose status is plain Unschedulable.
        let potential: Vec<usize> = (0..num_all)
            .filter(|&i| match statuses.get(i).and_then(|s| s.as_ref()) {
                Some(s) => s.code == Code::Unschedulable,
                None => absent.is_some_and(|a| a.code == Code::Unschedulable),
            })
            .collect();
        let mut pre_statuses: Vec<Option<Status>> = vec![None; num_all];
        let not_helpful = Status::new(Code::UnschedulableAndUnresolvable, PREEMPTION_NOT_HELPFUL);
        if potential.is_empty() {
            let msg = histogram_message(num_all, &pre_statuses, Some(&not_helpful));
            return PostFilter::Message(format!("preemption: {msg}"));
        }
        // DryRunPreemption: from a random offset, until enough candidates are found.
        let n = potential.len();
        let num_candidates = (n * MIN_CANDIDATE_NODES_PERCENTAGE / 100).max(MIN_CANDIDATE_NODES_ABSOLUTE).min(n);
        let offset = rng.gen_range(0..n);
        let mut candidates: Vec<(usize, Vec<PodInfo>)> = Vec::new();
        for i in 0..n {
            if candidates.len() >= num_candidates {
                break;
            }
            let Some(&idx) = potential.get((offset + i) % n) else {
                continue;
            };
            let Some(node) = snap.nodes.get(idx) else {
                continue;
            };
            match select_victims(cycle, snap, node) {
                Ok(victims) => candidates.push((idx, victims)),
                Err(s) => pre_statuses[idx] = Some(s),
            }
        }
        if candidates.is_empty() {
            let msg = histogram_message(num_all, &pre_statuses, Some(&not_helpful));
            return PostFilter::Message(format!("preemption: {msg}"));
        }
        // pickOneNodeForPreemption (no PDBs, no start times): lowest highest-victim priority,
        // then lowest priority sum, then fewest victims, then the first.
        let key = |v: &Vec<PodInfo>| {
            let highest = v.iter().map(|p| p.priority).max().unwrap_or(i32::MIN);
            let sum: i64 = v.iter().map(|p| i64::from(p.priority) + i64::from(i32::MAX) + 1).sum();
            (highest, sum, v.len())
        };
        let mut best = 0;
        for (i, c) in candidates.iter().enumerate() {
            if let Some(b) = candidates.get(best) {
                if key(&c.1) < key(&b.1) {
                    best = i;
                }
            }
        }
        let Some((idx, victims)) = candidates.into_iter().nth(best) else {
            return PostFilter::Message(String::new());
        };
        PostFilter::Nominate(Nomination {
            node_index: idx,
            node_name: snap.nodes.get(idx).map(|n| n.name.clone()).unwrap_or_default(),
            victims: victims.into_iter().map(|p| (p.namespace, p.name)).collect(),
        })
    }
}

enum PostFilter {
    Message(String),
    Nominate(Nomination),
}

fn finish(num_all: usize, message: &mut String, post: PostFilter) -> FitError {
    let nomination = match post {
        PostFilter::Message(m) => {
            if !m.is_empty() {
                message.push(' ');
                message.push_str(&m);
            }
            None
        }
        PostFilter::Nominate(n) => Some(n),
    };
    FitError { num_nodes: num_all, message: std::mem::take(message), nomination }
}

/// DefaultPreemption `SelectVictimsOnNode`: remove every lower-priority pod; if the pod then
/// fits, add them back most important first while it still fits; the rest are the victims.
fn select_victims(cycle: &Cycle, snap: &Snapshot, node: &NodeInfo) -> Result<Vec<PodInfo>, Status> {
    let prio = cycle.info.priority;
    let mut trial = node.clone();
    let mut potential: Vec<PodInfo> = Vec::new();
    for p in &node.pods {
        if p.priority < prio {
            potential.push(p.clone());
        }
    }
    if potential.is_empty() {
        return Err(Status::new(Code::UnschedulableAndUnresolvable, PREEMPTION_NO_VICTIMS));
    }
    for p in &potential {
        trial.remove_pod(&p.namespace, &p.name);
    }
    if let Some(s) = cycle.filter(snap, &trial) {
        return Err(s);
    }
    // Most important first: higher priority (start time is not tracked; stable order).
    potential.sort_by_key(|p| std::cmp::Reverse(p.priority));
    let mut victims = Vec::new();
    for p in potential {
        trial.add_pod(p.clone());
        if cycle.filter(snap, &trial).is_some() {
            trial.remove_pod(&p.namespace, &p.name);
            victims.push(p);
        }
    }
    Ok(victims)
}

/// The fast path of the filters (see `simple` in `schedule`): exactly NodeResourcesFit's test,
/// plus no taint and not unschedulable.
#[inline(always)]
fn fast_fits(req: &Resources, node: &NodeInfo) -> bool {
    let a = &node.allocatable;
    let u = &node.requested;
    !node.unschedulable
        && node.taints.is_empty()
        && u.pods < a.pods
        && (req.milli_cpu <= 0 || req.milli_cpu <= a.milli_cpu.saturating_sub(u.milli_cpu))
        && (req.memory <= 0 || req.memory <= a.memory.saturating_sub(u.memory))
        && (req.ephemeral_storage <= 0
            || req.ephemeral_storage <= a.ephemeral_storage.saturating_sub(u.ephemeral_storage))
}

/// `selectHost`: the highest total wins; ties are broken uniformly at random. kube-scheduler
/// draws once per extra tied node (reservoir sampling); one draw over the tie count gives the
/// same uniform choice with far fewer draws.
fn select_host(feasible: &[usize], totals: &[i64], rng: &mut impl Rng) -> usize {
    let best = totals.iter().copied().max().unwrap_or(0);
    let ties = totals.iter().filter(|&&t| t == best).count();
    let pick = if ties > 1 { rng.gen_range(0..ties) } else { 0 };
    totals
        .iter()
        .zip(feasible)
        .filter(|(t, _)| **t == best)
        .nth(pick)
        .map(|(_, &i)| i)
        .or_else(|| feasible.first().copied())
        .unwrap_or(0)
}

/// Builds a uniform cluster and schedules `pods` identical pods (100m CPU, 128Mi) onto
/// `nodes` nodes (32 CPU, 128Gi, 110 pods), binding each as it is placed; returns how many were
/// placed. The workload of the `kubedojo bench` scheduler figure (5,000 nodes, 150,000 pods);
/// the caller times it. `owner_spreading` passes the pods' ReplicaSet selector, as for
/// Deployment replicas, turning on the system default topology spreading score.
pub fn bench_workload(nodes: usize, pods: usize, seed: u64, owner_spreading: bool) -> usize {
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut snap = Snapshot::new();
    for i in 0..nodes {
        let mut node = Node::default();
        node.metadata.name = Some(format!("node-{i}"));
        node.metadata.labels = Some(BTreeMap::from([("kubernetes.io/hostname".to_string(), format!("node-{i}"))]));
        node.status = Some(k8s_openapi::api::core::v1::NodeStatus {
            allocatable: Some(BTreeMap::from([
                ("cpu".to_string(), Quantity("32".to_string())),
                ("memory".to_string(), Quantity("128Gi".to_string())),
                ("pods".to_string(), Quantity("110".to_string())),
            ])),
            ..Default::default()
        });
        snap.add_node(&node);
    }
    let mut pod = Pod::default();
    pod.metadata.namespace = Some("default".to_string());
    pod.metadata.labels = Some(BTreeMap::from([("app".to_string(), "web".to_string())]));
    pod.spec = Some(k8s_openapi::api::core::v1::PodSpec {
        containers: vec![Container {
            name: "web".to_string(),
            resources: Some(k8s_openapi::api::core::v1::ResourceRequirements {
                requests: Some(BTreeMap::from([
                    ("cpu".to_string(), Quantity("100m".to_string())),
                    ("memory".to_string(), Quantity("128Mi".to_string())),
                ])),
                ..Default::default()
            }),
            ..Default::default()
        }],
        ..Default::default()
    });
    let selectors = [LabelSelector {
        match_labels: Some(BTreeMap::from([("app".to_string(), "web".to_string())])),
        ..Default::default()
    }];
    let opts =
        CycleOptions { default_spread_selectors: if owner_spreading { &selectors } else { &[] }, ..Default::default() };
    let mut sched = Scheduler::new();
    let mut placed = 0;
    for i in 0..pods {
        pod.metadata.name = Some(format!("web-{i}"));
        if let Ok(p) = sched.schedule_with(&pod, &snap, &opts, &mut rng) {
            snap.add_pod(p.node_index, p.pod_info);
            placed += 1;
        }
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use serde_json::{json, Value};

    fn node(name: &str, cpu: &str, memory: &str, extra: Value) -> Node {
        let mut v = json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
            "spec": {},
            "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": "110",
                                        "ephemeral-storage": "20Gi"}}
        });
        merge(&mut v, extra);
        serde_json::from_value(v).expect("node json")
    }

    fn pod(name: &str, extra: Value) -> Pod {
        let mut v = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}
        });
        merge(&mut v, extra);
        serde_json::from_value(v).expect("pod json")
    }

    fn requests(cpu: &str, memory: &str) -> Value {
        json!({"spec": {"containers": [{"name": "c", "image": "nginx",
            "resources": {"requests": {"cpu": cpu, "memory": memory}}}]}})
    }

    /// JSON merge patch (RFC 7386), enough for test fixtures.
    fn merge(base: &mut Value, patch: Value) {
        match (base, patch) {
            (Value::Object(b), Value::Object(p)) => {
                for (k, v) in p {
                    match b.get_mut(&k) {
                        Some(slot) if v.is_object() => merge(slot, v),
                        _ => {
                            b.insert(k, v);
                        }
                    }
                }
            }
            (b, p) => *b = p,
        }
    }

    fn snapshot(nodes: &[Node], bound: &[(&str, Pod)]) -> Snapshot {
        let mut s = Snapshot::new();
        for n in nodes {
            s.add_node(n);
        }
        for (node_name, p) in bound {
            let i = s.node_index(node_name).expect("node");
            s.add_pod(i, PodInfo::from_pod(p));
        }
        s
    }

    fn run(snap: &Snapshot, p: &Pod) -> Result<String, String> {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        Scheduler::new().schedule(p, snap, &mut rng).map(|pl| pl.node_name).map_err(|e| e.message)
    }

    fn control_plane_taint() -> Value {
        json!({"spec": {"taints": [{"key": "node-role.kubernetes.io/control-plane",
                                    "effect": "NoSchedule"}]}})
    }

    #[test]
    fn failure_message_taint_and_cpu() {
        let nodes = [
            node("cp", "4", "8Gi", control_plane_taint()),
            node("w1", "2", "8Gi", json!({})),
            node("w2", "2", "8Gi", json!({})),
        ];
        let hog = pod("hog", requests("1500m", "1Gi"));
        let snap = snapshot(&nodes, &[("w1", hog.clone()), ("w2", hog)]);
        assert_eq!(
            run(&snap, &pod("p", requests("1", "100Mi"))),
            Err("0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.".to_string())
        );
    }

    #[test]
    fn failure_message_counts_every_resource_and_sorts_bytewise() {
        // 10 nodes short of cpu and memory, 2 cordoned: "10 ..." sorts before "2 ...".
        let mut nodes = Vec::new();
        for i in 0..10 {
            nodes.push(node(&format!("n{i}"), "1", "1Gi", json!({})));
        }
        for i in 0..2 {
            nodes.push(node(&format!("c{i}"), "8", "8Gi", json!({"spec": {"unschedulable": true}})));
        }
        let snap = snapshot(&nodes, &[]);
        assert_eq!(
            run(&snap, &pod("p", requests("2", "2Gi"))),
            Err("0/12 nodes are available: 10 Insufficient cpu, 10 Insufficient memory, 2 node(s) were unschedulable. preemption: 0/12 nodes are available: 10 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.".to_string())
        );
    }

    #[test]
    fn too_many_pods_and_ports() {
        let full = node("full", "8", "8Gi", json!({"status": {"allocatable": {"pods": "1"}}}));
        let ports = node("ports", "8", "8Gi", json!({}));
        let with_port = json!({"spec": {"containers": [{"name": "c", "image": "nginx",
            "ports": [{"containerPort": 80, "hostPort": 8080}]}]}});
        let snap = snapshot(&[full, ports], &[("full", pod("a", json!({}))), ("ports", pod("b", with_port.clone()))]);
        assert_eq!(
            run(&snap, &pod("p", with_port)),
            Err("0/2 nodes are available: 1 Too many pods, 1 node(s) didn't have free ports for the requested pod ports. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.".to_string())
        );
        // A different host port, or another protocol, does not conflict.
        let udp = json!({"spec": {"containers": [{"name": "c", "image": "nginx",
            "ports": [{"containerPort": 80, "hostPort": 8080, "protocol": "UDP"}]}]}});
        assert_eq!(run(&snap, &pod("q", udp)), Ok("ports".to_string()));
    }

    #[test]
    fn no_nodes() {
        let snap = Snapshot::new();
        assert_eq!(run(&snap, &pod("p", json!({}))), Err("no nodes available to schedule pods".to_string()));
    }

    #[test]
    fn tolerations() {
        let nodes = [node("cp", "4", "8Gi", control_plane_taint())];
        let snap = snapshot(&nodes, &[]);
        let cases: &[(Value, bool)] = &[
            (
                json!([{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}]),
                true,
            ),
            (json!([{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists"}]), true),
            (json!([{"operator": "Exists"}]), true),
            (
                json!([{"key": "node-role.kubernetes.io/control-plane", "operator": "Equal", "value": "", "effect": "NoSchedule"}]),
                true,
            ),
            (json!([{"key": "node-role.kubernetes.io/control-plane", "operator": "Equal", "value": "x"}]), false),
            (
                json!([{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoExecute"}]),
                false,
            ),
            (json!([{"key": "other", "operator": "Exists"}]), false),
        ];
        for (tol, ok) in cases {
            let p = pod("p", json!({"spec": {"tolerations": tol}}));
            let got = run(&snap, &p);
            assert_eq!(got.is_ok(), *ok, "{tol}: {got:?}");
        }
        // PreferNoSchedule never filters.
        let soft = node(
            "soft",
            "4",
            "8Gi",
            json!({"spec": {"taints": [{"key": "k", "value": "v", "effect": "PreferNoSchedule"}]}}),
        );
        assert_eq!(run(&snapshot(&[soft], &[]), &pod("p", json!({}))), Ok("soft".to_string()));
    }

    #[test]
    fn taint_message_shows_value() {
        let n = node(
            "n",
            "4",
            "8Gi",
            json!({"spec": {"taints": [{"key": "gpu", "value": "true", "effect": "NoExecute"}]}}),
        );
        assert_eq!(
            run(&snapshot(&[n], &[]), &pod("p", json!({}))),
            Err("0/1 nodes are available: 1 node(s) had untolerated taint {gpu: true}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.".to_string())
        );
    }

    #[test]
    fn cordoned_node_tolerated_by_daemonset_style_toleration() {
        let n = node("n", "4", "8Gi", json!({"spec": {"unschedulable": true}}));
        let snap = snapshot(&[n], &[]);
        assert_eq!(
            run(&snap, &pod("p", json!({}))),
            Err("0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.".to_string())
        );
        let tol = json!({"spec": {"tolerations": [{"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}]}});
        assert_eq!(run(&snap, &pod("p", tol)), Ok("n".to_string()));
    }

    #[test]
    fn node_name_and_selector() {
        let nodes = [
            node("a", "4", "8Gi", json!({"metadata": {"labels": {"disktype": "ssd", "cores": "8"}}})),
            node("b", "4", "8Gi", json!({"metadata": {"labels": {"disktype": "hdd", "cores": "2"}}})),
        ];
        let snap = snapshot(&nodes, &[]);
        assert_eq!(run(&snap, &pod("p", json!({"spec": {"nodeSelector": {"disktype": "ssd"}}}))), Ok("a".to_string()));
        assert_eq!(
            run(&snap, &pod("p", json!({"spec": {"nodeSelector": {"disktype": "nvme"}}}))),
            Err("0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.".to_string())
        );
        assert_eq!(
            run(&snap, &pod("p", json!({"spec": {"nodeName": "zzz"}}))),
            Err("0/2 nodes are available: 2 node(s) didn't match the requested node name. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.".to_string())
        );
    }

    #[test]
    fn required_node_affinity_operators() {
        let nodes = [
            node("a", "4", "8Gi", json!({"metadata": {"labels": {"disktype": "ssd", "cores": "8"}}})),
            node("b", "4", "8Gi", json!({"metadata": {"labels": {"disktype": "hdd", "cores": "2"}}})),
        ];
        let snap = snapshot(&nodes, &[]);
        let aff = |terms: Value| {
            pod(
                "p",
                json!({"spec": {"affinity": {"nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}}}}),
            )
        };
        let expr = |key: &str, op: &str, values: Value| json!([{"matchExpressions": [{"key": key, "operator": op, "values": values}]}]);
        let none = "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.";
        let cases: Vec<(Value, Result<&str, &str>)> = vec![
            (expr("disktype", "In", json!(["ssd"])), Ok("a")),
            (expr("disktype", "NotIn", json!(["ssd"])), Ok("b")),
            (expr("cores", "Gt", json!(["4"])), Ok("a")),
            (expr("cores", "Lt", json!(["4"])), Ok("b")),
            (expr("gpu", "Exists", Value::Null), Err(none)),
            (
                json!([{"matchExpressions": [{"key": "gpu", "operator": "DoesNotExist"},
                                           {"key": "disktype", "operator": "In", "values": ["hdd"]}]}]),
                Ok("b"),
            ),
            // Terms are ORed; an empty term matches nothing.
            (json!([{}, {"matchExpressions": [{"key": "disktype", "operator": "In", "values": ["hdd"]}]}]), Ok("b")),
            (json!([{"matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["a"]}]}]), Ok("b")),
        ];
        for (terms, want) in cases {
            let got = run(&snap, &aff(terms.clone()));
            assert_eq!(got, want.map(str::to_string).map_err(str::to_string), "{terms}");
        }
    }

    #[test]
    fn match_fields_restricts_nodes_like_a_daemonset() {
        let nodes =
            [node("a", "1", "8Gi", json!({})), node("b", "4", "8Gi", json!({})), node("c", "4", "8Gi", json!({}))];
        let snap = snapshot(&nodes, &[]);
        let ds = |req: Value| {
            let mut p = pod("ds", req);
            let aff: k8s_openapi::api::core::v1::Affinity = serde_json::from_value(json!({"nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                    {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["a"]}]}]}}}))
            .expect("affinity");
            if let Some(s) = p.spec.as_mut() {
                s.affinity = Some(aff);
            }
            p
        };
        assert_eq!(run(&snap, &ds(json!({}))), Ok("a".to_string()));
        assert_eq!(
            run(&snap, &ds(requests("2", "1Gi"))),
            Err("0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.".to_string())
        );
        // Conflicting name terms fail at PreFilter.
        let conflict = pod(
            "p",
            json!({"spec": {"affinity": {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["a"]},
                                  {"key": "metadata.name", "operator": "In", "values": ["b"]}]}]}}}}}),
        );
        assert_eq!(
            run(&snap, &conflict),
            Err("0/3 nodes are available: pod affinity terms conflict. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.".to_string())
        );
    }

    fn anti_affinity(app: &str, key: &str) -> Value {
        json!({"metadata": {"labels": {"app": app}}, "spec": {"affinity": {"podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [{
                "labelSelector": {"matchLabels": {"app": app}}, "topologyKey": key}]}}}})
    }

    #[test]
    fn required_anti_affinity_spreads_then_fails() {
        let nodes =
            [node("a", "4", "8Gi", json!({})), node("b", "4", "8Gi", json!({})), node("c", "4", "8Gi", json!({}))];
        let mut snap = snapshot(&nodes, &[]);
        let mut sched = Scheduler::new();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut placed = Vec::new();
        for i in 0..3 {
            let p = pod(&format!("r{i}"), anti_affinity("cache", "kubernetes.io/hostname"));
            let pl = sched.schedule(&p, &snap, &mut rng).expect("fits");
            placed.push(pl.node_name.clone());
            snap.add_pod(pl.node_index, pl.pod_info);
        }
        placed.sort();
        assert_eq!(placed, ["a", "b", "c"]);
        let p = pod("r3", anti_affinity("cache", "kubernetes.io/hostname"));
        assert_eq!(
            sched.schedule(&p, &snap, &mut rng).map(|p| p.node_name).map_err(|e| e.message),
            Err("0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.".to_string())
        );
        // A pod without affinity but matched by the existing pods' anti-affinity is refused too.
        let plain = pod("x", json!({"metadata": {"labels": {"app": "cache"}}}));
        assert_eq!(
            sched.schedule(&plain, &snap, &mut rng).map(|p| p.node_name).map_err(|e| e.message),
            Err("0/3 nodes are available: 3 node(s) didn't satisfy existing pods anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.".to_string())
        );
        // Other namespaces are not affected.
        let other = pod("y", json!({"metadata": {"namespace": "dev", "labels": {"app": "cache"}}}));
        assert!(sched.schedule(&other, &snap, &mut rng).is_ok());
    }

    #[test]
    fn required_pod_affinity() {
        let zone = |z: &str| json!({"metadata": {"labels": {"topology.kubernetes.io/zone": z}}});
        let nodes =
            [node("a", "4", "8Gi", zone("z1")), node("b", "4", "8Gi", zone("z2")), node("c", "4", "8Gi", json!({}))];
        let with_aff = |app: &str| {
            json!({"spec": {"affinity": {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{
                "labelSelector": {"matchLabels": {"app": app}}, "topologyKey": "topology.kubernetes.io/zone"}]}}}})
        };
        // No db pod anywhere: unresolvable.
        let snap = snapshot(&nodes, &[]);
        assert_eq!(
            run(&snap, &pod("p", with_aff("db"))),
            Err("0/3 nodes are available: 3 node(s) didn't match pod affinity rules. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.".to_string())
        );
        // The first pod of a self-affine group may go to any node with the topology label.
        assert!(matches!(run(&snap, &pod("p", with_aff("web"))).as_deref(), Ok("a") | Ok("b")));
        // With a db pod in zone z2, only b qualifies.
        let snap = snapshot(&nodes, &[("b", pod("db", json!({"metadata": {"labels": {"app": "db"}}})))]);
        assert_eq!(run(&snap, &pod("p", with_aff("db"))), Ok("b".to_string()));
    }

    #[test]
    fn preferred_node_affinity_and_prefer_no_schedule_steer_the_choice() {
        let nodes = [
            node("a", "4", "8Gi", json!({"metadata": {"labels": {"disktype": "ssd"}}})),
            node("b", "4", "8Gi", json!({})),
        ];
        let snap = snapshot(&nodes, &[]);
        let p = pod(
            "p",
            json!({"spec": {"affinity": {"nodeAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 1, "preference": {"matchExpressions": [{"key": "disktype", "operator": "In", "values": ["ssd"]}]}}]}}}}),
        );
        for seed in 0..20 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let got = Scheduler::new().schedule(&p, &snap, &mut rng).map(|p| p.node_name);
            assert_eq!(got, Ok("a".to_string()));
        }
        let nodes = [
            node("a", "4", "8Gi", json!({"spec": {"taints": [{"key": "k", "effect": "PreferNoSchedule"}]}})),
            node("b", "4", "8Gi", json!({})),
        ];
        let snap = snapshot(&nodes, &[]);
        for seed in 0..20 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let got = Scheduler::new().schedule(&pod("p", json!({})), &snap, &mut rng).map(|p| p.node_name);
            assert_eq!(got, Ok("b".to_string()));
        }
    }

    #[test]
    fn preferred_pod_anti_affinity_spreads() {
        let nodes = [node("a", "4", "8Gi", json!({})), node("b", "4", "8Gi", json!({}))];
        let snap = snapshot(&nodes, &[("a", pod("w0", json!({})))]);
        let p = pod(
            "w1",
            json!({"spec": {"affinity": {"podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": {
                "labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}}]}}}}),
        );
        for seed in 0..20 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            assert_eq!(Scheduler::new().schedule(&p, &snap, &mut rng).map(|p| p.node_name), Ok("b".to_string()));
        }
    }

    #[test]
    fn spreads_over_equal_nodes() {
        let nodes =
            [node("a", "4", "8Gi", json!({})), node("b", "4", "8Gi", json!({})), node("c", "4", "8Gi", json!({}))];
        let mut snap = snapshot(&nodes, &[]);
        let mut sched = Scheduler::new();
        let mut rng = ChaCha8Rng::seed_from_u64(42);
        // Best-effort pods too: the non-zero defaults make LeastAllocated spread them.
        for (i, extra) in [requests("100m", "128Mi"), json!({})].into_iter().enumerate() {
            for j in 0..30 {
                let p = pod(&format!("p{i}-{j}"), extra.clone());
                let pl = sched.schedule(&p, &snap, &mut rng).expect("fits");
                snap.add_pod(pl.node_index, pl.pod_info);
            }
        }
        let counts: Vec<usize> = snap.nodes().iter().map(|n| n.pods.len()).collect();
        assert_eq!(counts, [20, 20, 20]);
    }

    #[test]
    fn default_topology_spreading_over_owner_selector() {
        let nodes = [node("big", "64", "256Gi", json!({})), node("small", "4", "8Gi", json!({}))];
        let place = |selectors: &[LabelSelector]| {
            let mut snap = snapshot(&nodes, &[]);
            let mut sched = Scheduler::new();
            let mut rng = ChaCha8Rng::seed_from_u64(9);
            let opts = CycleOptions { default_spread_selectors: selectors, ..Default::default() };
            for i in 0..10 {
                let p = pod(&format!("web-{i}"), requests("100m", "128Mi"));
                let pl = sched.schedule_with(&p, &snap, &opts, &mut rng).expect("fits");
                snap.add_pod(pl.node_index, pl.pod_info);
            }
            snap.nodes().iter().map(|n| n.pods.len()).collect::<Vec<_>>()
        };
        // Resources alone favour the big node for every replica...
        assert_eq!(place(&[]), [10, 0]);
        // ...the ReplicaSet's selector spreads them (hostname maxSkew 3 as a score).
        let rs: LabelSelector = serde_json::from_value(json!({"matchLabels": {"app": "web"}})).expect("selector");
        assert_eq!(place(&[rs]), [5, 5]);
    }

    #[test]
    fn deterministic_for_a_seed() {
        let nodes: Vec<Node> = (0..10).map(|i| node(&format!("n{i}"), "4", "8Gi", json!({}))).collect();
        let place = |seed| {
            let snap = snapshot(&nodes, &[]);
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut sched = Scheduler::new();
            (0..5)
                .map(|i| {
                    sched
                        .schedule(&pod(&format!("p{i}"), json!({})), &snap, &mut rng)
                        .map(|p| p.node_name)
                        .map_err(|e| e.message)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(place(3), place(3));
        let distinct: std::collections::BTreeSet<_> = place(3).into_iter().collect();
        assert!(distinct.len() > 1, "ties are broken at random, not always the first node");
    }

    #[test]
    fn sampling_at_5000_nodes() {
        let sched = Scheduler::new();
        assert_eq!(sched.num_feasible_nodes_to_find(3), 3);
        assert_eq!(sched.num_feasible_nodes_to_find(99), 99);
        assert_eq!(sched.num_feasible_nodes_to_find(100), 100);
        assert_eq!(sched.num_feasible_nodes_to_find(500), 230); // 46 %
        assert_eq!(sched.num_feasible_nodes_to_find(1000), 420); // 42 %
        assert_eq!(sched.num_feasible_nodes_to_find(5000), 500); // 10 %
        assert_eq!(sched.num_feasible_nodes_to_find(6000), 300); // 5 % floor
        let fixed = Scheduler { percentage_of_nodes_to_score: Some(1), ..Scheduler::new() };
        assert_eq!(fixed.num_feasible_nodes_to_find(5000), 100);

        let nodes: Vec<Node> = (0..5000).map(|i| node(&format!("n{i}"), "4", "8Gi", json!({}))).collect();
        let snap = snapshot(&nodes, &[]);
        let mut sched = Scheduler::new();
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let p = pod("p", json!({}));
        let first = sched.schedule(&p, &snap, &mut rng).expect("fits");
        assert_eq!((first.evaluated_nodes, first.feasible_nodes), (500, 500));
        assert!(first.node_index < 500);
        // The next cycle starts where this one stopped.
        let second = sched.schedule(&p, &snap, &mut rng).expect("fits");
        assert!((500..1000).contains(&second.node_index), "{}", second.node_index);
    }

    #[test]
    fn preemption_evicts_lower_priority_pods() {
        let nodes = [node("a", "2", "8Gi", json!({})), node("b", "2", "8Gi", json!({}))];
        let low = |name: &str| {
            let mut v = requests("1500m", "1Gi");
            merge(&mut v, json!({"metadata": {"name": name}, "spec": {"priority": -1}}));
            pod(name, v)
        };
        let snap = snapshot(&nodes, &[("a", low("low-a")), ("b", pod("mid-b", requests("1500m", "1Gi")))]);
        let p = pod(
            "vip",
            json!({"spec": {"priority": 1000, "containers": [{"name": "c", "image": "nginx",
            "resources": {"requests": {"cpu": "1"}}}]}}),
        );
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let err = Scheduler::new().schedule(&p, &snap, &mut rng).expect_err("no room");
        // b's pod has priority 0 < 1000 too; both are candidates with one victim each; the
        // lower highest-victim priority wins: low-a (-1) on a.
        assert_eq!(err.message, "0/2 nodes are available: 2 Insufficient cpu.");
        assert_eq!(
            err.nomination,
            Some(Nomination {
                node_index: 0,
                node_name: "a".to_string(),
                victims: vec![("default".to_string(), "low-a".to_string())],
            })
        );
        let never = pod(
            "n",
            json!({"spec": {"priority": 1000, "preemptionPolicy": "Never",
            "containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": "1"}}}]}}),
        );
        assert_eq!(
            run(&snap, &never),
            Err("0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never."
                .to_string())
        );
    }

    #[test]
    fn nominated_node_is_tried_first() {
        let nodes: Vec<Node> = (0..3).map(|i| node(&format!("n{i}"), "4", "8Gi", json!({}))).collect();
        let snap = snapshot(&nodes, &[]);
        let p = pod("p", json!({"status": {"nominatedNodeName": "n2"}}));
        for seed in 0..5 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let got = Scheduler::new().schedule(&p, &snap, &mut rng).map(|p| p.node_name);
            assert_eq!(got.map_err(|e| e.message), Ok("n2".to_string()));
        }
    }

    #[test]
    fn pod_requests_with_init_containers_sidecars_and_overhead() {
        let p = pod(
            "p",
            json!({"spec": {
            "overhead": {"cpu": "10m", "memory": "1Mi"},
            "initContainers": [
                {"name": "sidecar", "image": "x", "restartPolicy": "Always",
                 "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}},
                {"name": "setup", "image": "x", "resources": {"requests": {"cpu": "2", "memory": "16Mi"}}}
            ],
            "containers": [
                {"name": "a", "image": "x", "resources": {"requests": {"cpu": "250m", "memory": "128Mi"}}},
                {"name": "b", "image": "x"}
            ]}}),
        );
        let r = pod_requests(&p, false);
        // cpu: max(250 + 100 sidecar, 2000 + 100 sidecar) + 10 overhead.
        assert_eq!(r.milli_cpu, 2110);
        // memory: max(128 + 64, 16 + 64) Mi + 1Mi.
        assert_eq!(r.memory, 193 << 20);
        let nz = pod_requests(&p, true);
        // Container b gets the defaults: cpu max(250+100+100, 2000+100) + 10.
        assert_eq!(nz.milli_cpu, 2110);
        assert_eq!(nz.memory, (128 + 200 + 64 + 1) << 20);
    }

    #[test]
    fn removing_pods_frees_room() {
        let nodes = [node("a", "1", "8Gi", json!({}))];
        let mut snap = snapshot(&nodes, &[("a", pod("hog", requests("1", "1Gi")))]);
        assert!(run(&snap, &pod("p", requests("500m", "1Gi"))).is_err());
        assert!(snap.remove_pod(0, "default", "hog").is_some());
        assert_eq!(run(&snap, &pod("p", requests("500m", "1Gi"))), Ok("a".to_string()));
        assert_eq!(snap.nodes()[0].requested, Resources::default());
    }

    #[test]
    fn topology_spread_do_not_schedule() {
        let zone = |z: &str| json!({"metadata": {"labels": {"topology.kubernetes.io/zone": z}}});
        let nodes =
            [node("a", "4", "8Gi", zone("z1")), node("b", "4", "8Gi", zone("z2")), node("c", "4", "8Gi", json!({}))];
        let spread = json!({"spec": {"topologySpreadConstraints": [{"maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "DoNotSchedule",
            "labelSelector": {"matchLabels": {"app": "web"}}}]}});
        let snap = snapshot(&nodes, &[("a", pod("w0", json!({})))]);
        for seed in 0..10 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let got = Scheduler::new().schedule(&pod("w1", spread.clone()), &snap, &mut rng);
            assert_eq!(got.map(|p| p.node_name).map_err(|e| e.message), Ok("b".to_string()));
        }
        let full_b = json!({"metadata": {"labels": {"app": "hog"}}, "spec": {"containers": [{"name": "c", "image": "x",
            "resources": {"requests": {"cpu": "4"}}}]}});
        let snap = snapshot(&nodes, &[("a", pod("w0", json!({}))), ("b", pod("hog", full_b))]);
        let mut want = pod("w1", spread);
        if let Some(s) = want.spec.as_mut() {
            s.containers[0].resources = serde_json::from_value(json!({"requests": {"cpu": "1"}})).ok();
        }
        assert_eq!(
            run(&snap, &want),
            Err("0/3 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match pod topology spread constraints, 1 node(s) didn't match pod topology spread constraints (missing required label). preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.".to_string())
        );
    }

    #[test]
    fn snapshot_node_bookkeeping() {
        let mut snap = snapshot(
            &[node("a", "1", "1Gi", json!({})), node("b", "1", "1Gi", json!({}))],
            &[("a", pod("x", anti_affinity("db", "kubernetes.io/hostname")))],
        );
        assert_eq!(snap.node_index("b"), Some(1));
        assert_eq!(snap.remove_node(0).map(|n| n.pods.len()), Some(1));
        assert_eq!((snap.node_index("a"), snap.node_index("b")), (None, Some(0)));
        assert!(snap.set_node(0, &node("c", "2", "2Gi", json!({"spec": {"unschedulable": true}}))));
        assert_eq!((snap.node_index("b"), snap.node_index("c")), (None, Some(0)));
        assert!(snap.nodes()[0].unschedulable);
        assert_eq!(snap.nodes()[0].allocatable.milli_cpu, 2000);
        assert!(!snap.set_node(5, &node("z", "1", "1Gi", json!({}))));
        assert!(snap.remove_pod(3, "default", "x").is_none());
    }

    /// The scale workload (5,000 nodes, 150,000 pods, default sampling), untimed: `sim` may
    /// not read a clock, so time it from outside, e.g. `cargo test --release --lib -- --ignored
    /// scale_workload_places_every_pod` under `time`, or from `kubedojo bench`.
    #[test]
    #[ignore]
    fn scale_workload_places_every_pod() {
        assert_eq!(bench_workload(5000, 150_000, 1, false), 150_000);
        assert_eq!(bench_workload(5000, 150_000, 1, true), 150_000);
    }
}
