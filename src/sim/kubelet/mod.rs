//! The kubelets and the container runtime: what happens to a pod once it is bound to a node.
//! Image pulls that take time, containers started from the image catalog's programs or from
//! their command run by kubedojo's shell, init containers and native sidecars, probes,
//! restarts with the kubelet's crash-loop back-off, OOM kills and graceful termination — and
//! the pod status the API shows, written back to the store after each sync.
//!
//! Default values (kubelet v1.32): restart back-off 10 s doubling to 300 s, reset after a
//! container ran 10 minutes; image pull back-off the same; probe period 10 s, timeout 1 s,
//! success threshold 1, failure threshold 3; termination grace period 30 s.

mod containers;
mod env;
pub mod exec;
pub mod log;
mod pods;
mod probes;
pub mod programs;
mod shared_env;
pub mod status;
mod volumes;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::Pod;

use super::clock::Tick;
use super::events::{pod_object_ref, EventType};
use super::object::{KeyRef, Kind, ObjKey, Object};
use super::store::{Change, Repeats, Store};
use super::World;
use crate::shell::vfs::{VolumeId, Volumes};

pub use containers::{CState, CtrRt, Term};
pub use exec::Proc;
pub use log::Log;
pub use pods::PodRts;
pub use programs::Program;
pub use shared_env::{Env, SpecCache};

/// Kubelet back-off: 10 s doubling to 300 s (the kubelet's crash-loop and image-pull
/// back-off), forgotten after 2 × the maximum without a new failure.
#[derive(Clone, Debug, Default)]
pub struct Backoff {
    /// Current delay in seconds (0 = no entry yet).
    pub delay_s: u64,
    pub last_update: Tick,
}

pub const BACKOFF_INITIAL_S: u64 = 10;
pub const BACKOFF_MAX_S: u64 = 300;

impl Backoff {
    fn expired(&self, at: Tick) -> bool {
        at.since(self.last_update) > 2 * BACKOFF_MAX_S
    }
    /// Whether an event at `event_time` is still inside the back-off window at `now`.
    pub fn in_backoff_since(&self, event_time: Tick, now: Tick) -> bool {
        self.delay_s > 0 && !self.expired(event_time) && now.since(event_time) < self.delay_s
    }
    /// Moves to the next delay (first 10 s, then doubling), as kubelet's Backoff.Next.
    pub fn next(&mut self, now: Tick) {
        self.delay_s = if self.delay_s == 0 || self.expired(now) {
            BACKOFF_INITIAL_S
        } else {
            (self.delay_s * 2).min(BACKOFF_MAX_S)
        };
        self.last_update = now;
    }
}

/// Runtime state of one pod on its node.
#[derive(Clone, Debug)]
pub struct PodRt {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub node: String,
    pub ip: Option<String>,
    pub sandbox_ready: bool,
    pub started_at: Tick,
    /// Volume name → its shared filesystem (emptyDir, projected ConfigMap/Secret...), in
    /// the order they were set up (a few per pod: a vector is smaller than a map).
    pub volumes: Vec<(String, VolumeId)>,
    pub init: Vec<CtrRt>,
    pub containers: Vec<CtrRt>,
    /// (condition type, status, last transition), for the kubelet's few condition types.
    pub conditions: Vec<(&'static str, bool, Tick)>,
    /// Tick when graceful termination must end with SIGKILL.
    pub kill_deadline: Option<Tick>,
    pub last_failed_mount_event: Option<Tick>,
    /// Set when the kubelet evicted the pod: (status.reason, status.message).
    pub evicted: Option<(String, String)>,
    /// The pod's resourceVersion after the kubelet's last status write (a change to the pod
    /// by anyone else shows as a different one).
    pub synced_rv: Option<String>,
    /// Where metrics-server keeps this pod's readings: a hint it checks before use (see
    /// `metrics::MetricsServer`).
    pub metrics_slot: Option<(u32, u64)>,
}

/// All kubelets' state (one map for the whole cluster; each pod knows its node).
#[derive(Clone, Debug, Default)]
pub struct Kubelets {
    /// Runtime state by pod uid. Code outside the kubelet's sync that changes a pod's runtime
    /// state (kills a container, reboots a node) calls [`Kubelets::wake`] so the pod is synced.
    pub pods: PodRts,
    /// Pod (namespace/name) → uid of its runtime state, so a pod is found without a scan.
    by_key: crate::sim::indexed::LookupMap<ObjKey, String>,
    /// Bound pods due a sync: those that changed in the store or whose runtime changed, and
    /// those not idle (see `settled`). Ordered like the store's list, the order the kubelets
    /// have always synced in.
    busy: BTreeSet<ObjKey>,
    /// Pods out of `busy` until a back-off ends (see `Synced::WaitsUntil`): each pod's tick, and
    /// the pods by tick. A pod woken earlier (it changed, or its runtime did) leaves
    /// `asleep`; its entry in `alarms` is then skipped when it comes due.
    asleep: crate::sim::indexed::LookupMap<ObjKey, Tick>,
    alarms: BTreeMap<Tick, Vec<ObjKey>>,
    /// Runtime states whose pod was deleted since the last pass (checked at its end).
    gone: BTreeSet<String>,
    /// The store resourceVersion the kubelets have seen pod changes up to.
    cursor: u64,
    synced: bool,
    /// The distinct environments of started containers (see [`Env`]).
    pub(crate) env_cache: shared_env::EnvCache,
    /// The first output of container runs, shared by the logs that start alike (see [`Log`]).
    pub(crate) shared_logs: log::SharedLogs,
    /// The distinct container specs of the pods (see [`SpecCache`]).
    pub(crate) spec_cache: SpecCache,
    /// The service-link variables of each namespace (see [`env::LinksCache`]).
    pub(crate) links: env::LinksCache,
    /// The read-only root filesystem layer of each image, by repository (shared by its
    /// containers).
    pub(crate) image_layers: BTreeMap<String, std::sync::Arc<crate::shell::vfs::Tree>>,
    /// The nodes' InternalIPs the pod statuses report, as of the store's last Node write
    /// (`Store::last_write`): read once per node, not at every status build.
    node_ips: (u64, crate::sim::indexed::LookupMap<String, Option<String>>),
    /// node → image references present on it. Only looked up (each pull asks whether its
    /// node has the image): hashed.
    pub node_images: crate::sim::indexed::LookupMap<String, crate::sim::indexed::LookupSet<String>>,
    /// Every filesystem tree: containers' root filesystems and volumes.
    pub fs: Volumes,
    /// hostPath trees by (node, path): they outlive pods.
    pub host_paths: BTreeMap<(String, String), VolumeId>,
    /// The trees of persistent volumes that are not hostPath or local directories (NFS
    /// exports, network disks), by `sim::storage::backing_key`: data that outlives pods and
    /// claims, and follows the volume when it is bound again.
    pub claims: BTreeMap<String, VolumeId>,
}

impl Kubelets {
    pub fn pod(&self, uid: &str) -> Option<&PodRt> {
        self.pods.get(uid)
    }

    /// The runtime state of a pod by namespace and name.
    pub fn find(&self, namespace: &str, name: &str) -> Option<&PodRt> {
        let indexed = self.by_key.get(&ObjKey::new(namespace, name)).and_then(|uid| self.pods.get(uid));
        match indexed {
            Some(p) if p.namespace == namespace && p.name == name => Some(p),
            // Runtime state put in `pods` by other means is still found.
            _ => self.pods.values().find(|p| p.namespace == namespace && p.name == name),
        }
    }

    pub fn find_mut(&mut self, namespace: &str, name: &str) -> Option<&mut PodRt> {
        let uid = self.find(namespace, name)?.uid.clone();
        self.wake(namespace, name);
        self.pods.get_mut(&uid)
    }

    /// The InternalIP of a node (see `status::node_ip`), remembered until the next write of
    /// a Node. A node not in the store is not remembered: one can appear without a write
    /// (`Store::insert_bootstrap`), never change without one.
    pub(crate) fn node_ip(&mut self, store: &Store, node: &str) -> Option<String> {
        let at = store.last_write(Kind::Node);
        let (seen, ips) = &mut self.node_ips;
        if *seen != at {
            ips.clear();
            *seen = at;
        }
        if let Some(ip) = ips.get(node) {
            return ip.clone();
        }
        let ip = status::internal_ip(store.get(Kind::Node, "", node)?.as_node()?);
        ips.insert(node.to_string(), ip.clone());
        ip
    }

    /// How many pods are not idle: due a sync at the next pass, or once a back-off ends.
    pub fn busy_len(&self) -> usize {
        self.busy.len() + self.asleep.len() - self.busy.iter().filter(|k| self.asleep.contains_key(*k)).count()
    }

    /// Moves the pods whose back-off ends by `now` into `busy`, and forgets the sleep of
    /// pods already there (woken since).
    fn wake_due(&mut self, now: Tick) {
        while let Some(entry) = self.alarms.first_entry() {
            if *entry.key() > now {
                break;
            }
            let (at, keys) = entry.remove_entry();
            for key in keys {
                if self.asleep.get(&key) == Some(&at) {
                    self.asleep.remove(&key);
                    self.busy.insert(key);
                }
            }
        }
        if !self.asleep.is_empty() {
            for key in &self.busy {
                self.asleep.remove(key);
            }
        }
    }

    /// Puts a pod to sleep until tick `at` (it has left `busy`).
    fn sleep_until(&mut self, key: ObjKey, at: Tick) {
        self.alarms.entry(at).or_default().push(key.clone());
        self.asleep.insert(key, at);
    }

    /// Marks a pod as due a sync: its runtime state changed outside the kubelet's sync.
    pub fn wake(&mut self, namespace: &str, name: &str) {
        self.busy.insert(ObjKey::new(namespace, name));
    }

    /// Reads the pods' changes from the store since the last pass: a pod that changed (other
    /// than by the kubelet's own status write) is due a sync; a deleted one's runtime state
    /// is checked at the end of the pass.
    fn follow_store(&mut self, store: &Store) {
        let rv = store.resource_version();
        // Every change the log holds: a relist would make every pod due a sync.
        let changes = if self.synced { store.watch(self.cursor) } else { None };
        self.cursor = rv;
        self.synced = true;
        let Some(changes) = changes else {
            // First pass, or the log was outrun: every bound pod is due, every state checked.
            // The store lists in key order, so the due set is built in bulk from a sorted run
            // (a cluster-wide relist otherwise spends its time comparing keys).
            let bound = store
                .list(Kind::Pod, None)
                .into_iter()
                .filter(|o| o.as_pod().and_then(|p| p.spec.as_ref()?.node_name.as_ref()).is_some())
                .map(Object::key);
            if self.busy.is_empty() {
                self.busy = bound.collect();
            } else {
                self.busy.extend(bound);
            }
            if self.gone.is_empty() {
                self.gone = self.pods.keys().cloned().collect();
            } else {
                self.gone.extend(self.pods.keys().cloned());
            }
            return;
        };
        // Read in place (the log is the store's, the state ours): only a pod found due has its
        // key copied.
        // What a pod's entry does depends on the pod and this state alone: once a batch.
        let mut repeats = Repeats::default();
        for e in changes.filter(|e| e.kind == Kind::Pod) {
            if repeats.is_repeat(&e.key, e.change) {
                continue;
            }
            let uid = self.by_key.get(&*e.key);
            if e.change == Change::Deleted {
                if let Some(uid) = uid {
                    self.gone.insert(uid.clone());
                }
                continue;
            }
            let Some(o) = store.get(Kind::Pod, &e.key.namespace, &e.key.name) else { continue };
            let mine = uid
                .and_then(|uid| self.pods.get(uid))
                .is_some_and(|rt| rt.synced_rv.is_some() && rt.synced_rv == o.meta().resource_version);
            if mine {
                // The last write was the kubelet's own status update.
                continue;
            }
            if let Some(uid) = uid {
                if o.meta().uid.as_ref() != Some(uid) {
                    // Deleted and created again under the same name.
                    self.gone.insert(uid.clone());
                }
            }
            self.busy.insert((*e.key).clone());
        }
    }
}

impl PodRt {
    pub fn container(&self, name: &str) -> Option<&CtrRt> {
        self.init.iter().chain(self.containers.iter()).find(|c| c.name == name)
    }
    pub fn container_mut(&mut self, name: &str) -> Option<&mut CtrRt> {
        self.init.iter_mut().chain(self.containers.iter_mut()).find(|c| c.name == name)
    }
}

/// Syncs the pods bound to a node that are due (changed, or not idle), in namespace/name
/// order, then forgets pods that no longer exist. A pod left out is idle, or asleep until a
/// back-off ends: its sync would change nothing (see [`settled`]), so the result is the same
/// as syncing every pod every tick.
pub fn sync_all(w: &mut World) {
    w.kubelet.follow_store(&w.store);
    w.kubelet.wake_due(w.now);
    // The due pods are taken out of `busy` for the pass, rather than copied: a pod woken
    // during the pass goes into the emptied set, and each due pod ends up in it again unless
    // it leaves `busy` (which then also drops a wake-up it got before its own turn), exactly
    // as when the pass went over a copy and removed from `busy` in place.
    let due = std::mem::take(&mut w.kubelet.busy);
    let mut stay: Vec<ObjKey> = Vec::new();
    for key in due {
        let pod = match w.store.get(Kind::Pod, &key.namespace, &key.name) {
            Some(Object::Pod(p)) if p.spec.as_ref().is_some_and(|s| s.node_name.is_some()) => Arc::clone(p),
            _ => {
                // Gone, or not bound yet (the binding will show up as a change).
                w.kubelet.busy.remove(&key);
                continue;
            }
        };
        let node = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or_default();
        if !w.nodes.kubelet_syncs(node) {
            // A silent kubelet (node down, kubelet stopped, partitioned) syncs nothing; its
            // pods' runtime state waits for it.
            stay.push(key);
            continue;
        }
        match sync_pod(w, pod, &key.namespace, &key.name) {
            Some(Synced::Busy) => stay.push(key),
            Some(Synced::WaitsUntil(at)) => {
                w.kubelet.busy.remove(&key);
                w.kubelet.sleep_until(key, at);
            }
            Some(Synced::Idle) | None => {
                w.kubelet.busy.remove(&key);
            }
        }
    }
    if w.kubelet.busy.is_empty() {
        // Usually nobody was woken during the pass: the set is built at once from the sorted
        // keys rather than by inserting them one by one.
        w.kubelet.busy = stay.into_iter().collect();
    } else {
        w.kubelet.busy.extend(stay);
    }
    let gone = std::mem::take(&mut w.kubelet.gone);
    for uid in gone {
        let Some(rt) = w.kubelet.pods.get(&uid) else { continue };
        let live = w.store.get(Kind::Pod, &rt.namespace, &rt.name).is_some_and(|o| {
            o.meta().uid.as_deref() == Some(uid.as_str())
                && o.as_pod().and_then(|p| p.spec.as_ref()?.node_name.as_ref()).is_some()
        });
        if live {
            continue;
        }
        if let Some(rt) = w.kubelet.pods.remove(&uid) {
            let key = ObjKey::new(&rt.namespace, &rt.name);
            if w.kubelet.by_key.get(&key) == Some(&uid) {
                w.kubelet.by_key.remove(&key);
            }
            release_fs(w, &rt);
            if let Some(ip) = rt.ip {
                w.network.release(&ip);
            }
        }
    }
}

/// What the next syncs of a pod can do, after a sync at `now`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Synced {
    /// Nothing, until the pod or its runtime state is changed from outside: the sandbox is
    /// up, no deletion or kill is under way, and every container is either running an idle
    /// program with no probes, or finished for good.
    Idle,
    /// Nothing before this tick either, and then a container's crash back-off or image pull
    /// ends: the same, but for containers waiting out a back-off (CrashLoopBackOff) or a
    /// pull. Syncing such a pod at every tick until then would find it waiting and report the
    /// same status.
    WaitsUntil(Tick),
    /// Something, maybe, at the next pass.
    Busy,
}

fn settled(pod: &Pod, rt: &PodRt, now: Tick) -> Synced {
    if pod.metadata.deletion_timestamp.is_some()
        || !rt.sandbox_ready
        || rt.kill_deadline.is_some()
        || rt.evicted.is_some()
    {
        return Synced::Busy;
    }
    let policy = pod.spec.as_ref().and_then(|s| s.restart_policy.as_deref()).unwrap_or("Always");
    let running_idle = |c: &CtrRt| {
        c.is_running()
            && c.kill.is_none()
            && c.started
            && c.ready
            && c.spec.startup_probe.is_none()
            && c.spec.liveness_probe.is_none()
            && c.spec.readiness_probe.is_none()
            && matches!(&c.proc, Some(Proc::Program(p)) if p.is_idle())
    };
    let finished = |c: &CtrRt, policy: &str| match &c.state {
        CState::Terminated(t) => c.kill.is_none() && (policy == "Never" || (policy == "OnFailure" && t.exit_code == 0)),
        _ => false,
    };
    // When the back-off of a container waiting it out ends: the container step does nothing
    // to it until then (`containers::step`).
    let backing_off = |c: &CtrRt| -> Option<Tick> {
        let CState::Waiting { reason, .. } = &c.state else { return None };
        if c.kill.is_some() || reason != "CrashLoopBackOff" {
            return None;
        }
        let finished = c.last.as_ref()?.finished_at;
        c.crash_backoff.in_backoff_since(finished, now).then(|| finished.plus_s(c.crash_backoff.delay_s))
    };
    // When the image pull of a container waiting for it ends: until then the container step
    // does nothing to it (`containers::ensure_image` answers before anything else), and a
    // converging cluster has every new pod waiting some seconds for its pull.
    let pulling = |c: &CtrRt| -> Option<Tick> {
        let CState::Waiting { reason, .. } = &c.state else { return None };
        if c.kill.is_some() || reason == "CrashLoopBackOff" {
            return None;
        }
        match c.pull {
            containers::Pull::Pulling { until, .. } if now < until => Some(until),
            _ => None,
        }
    };
    let init_policy = if policy == "Never" { "Never" } else { "OnFailure" };
    if !rt.init.iter().all(|c| if c.sidecar { running_idle(c) } else { finished(c, init_policy) }) {
        return Synced::Busy;
    }
    let mut until: Option<Tick> = None;
    for c in &rt.containers {
        if running_idle(c) || finished(c, policy) {
            continue;
        }
        match backing_off(c).or_else(|| pulling(c)) {
            Some(t) => until = Some(until.map_or(t, |u| u.min(t))),
            None => return Synced::Busy,
        }
    }
    until.map_or(Synced::Idle, Synced::WaitsUntil)
}

/// Frees what a pod that vanished without the kubelet stopping it (a forced deletion, its
/// node deleted) held in the kubelets' filesystems: its containers' root layers and its own
/// volumes (hostPath and claims stay), as the kubelet cleans up orphaned pod directories.
/// A pod the kubelet stops frees them as its containers stop (`terminate_pod`).
fn release_fs(w: &mut World, rt: &PodRt) {
    for c in rt.containers.iter().chain(rt.init.iter()) {
        if let Some(root) = c.root {
            w.kubelet.fs.remove(root);
        }
    }
    volumes::teardown(w, rt);
}

/// One kubelet sync of one pod; returns what the next syncs can do, or None once the pod no
/// longer exists. `pod` is the stored pod (bound to a node), shared with the store
/// (`Arc`), not a copy: it is dropped before the status write below so that the write does
/// not copy the pod.
fn sync_pod(w: &mut World, pod: Arc<Pod>, ns: &str, name: &str) -> Option<Synced> {
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let mut rt = match w.kubelet.pods.take(&uid) {
        Some(rt) => rt,
        None => PodRt::new(w, &pod, pod.spec.as_ref()?.node_name.as_deref()?),
    };
    let finished = if pod.metadata.deletion_timestamp.is_some() {
        containers::terminate_pod(w, &pod, &mut rt)
    } else if rt.evicted.is_some() {
        // An evicted pod is done: its containers were stopped and are not restarted.
        false
    } else {
        containers::run_pod(w, &pod, &mut rt);
        false
    };
    if finished {
        // Every container has stopped: the kubelet confirms the deletion (grace period 0).
        let _ = w.store.delete(Kind::Pod, ns, name);
        w.kubelet.pods.discard(&uid);
        if let Some(ip) = rt.ip.take() {
            w.network.release(&ip);
        }
        let key = ObjKey::new(ns, name);
        if w.kubelet.by_key.get(&key) == Some(&uid) {
            w.kubelet.by_key.remove(&key);
        }
        return None;
    }
    let status = status::build_status(w, &pod, &mut rt);
    let settled = settled(&pod, &rt, w.now);
    drop(pod);
    rt.synced_rv = status::write_built(w, &rt, status);
    // Most syncs find the pod already indexed: no key to build then.
    if w.kubelet.by_key.get(&(ns, name) as &dyn KeyRef) != Some(&uid) {
        w.kubelet.by_key.insert(ObjKey::new(ns, name), uid.clone());
    }
    w.kubelet.pods.put_back(uid, rt);
    Some(settled)
}

impl PodRt {
    fn new(w: &mut World, pod: &Pod, node: &str) -> PodRt {
        // Only the containers' volume mounts are copied (and a container spec the shared
        // spec cache has not seen), not the whole spec.
        let spec = pod.spec.as_ref();
        let cache = &mut w.kubelet.spec_cache;
        let mut ctr = |c: &k8s_openapi::api::core::v1::Container, is_init| {
            let (spec, mounts) = cache.share(c);
            CtrRt { volume_mounts: mounts, ..CtrRt::new(spec, is_init) }
        };
        // Slices, not flattened options: their exact length sizes the vectors exactly.
        let init =
            spec.and_then(|s| s.init_containers.as_deref()).unwrap_or(&[]).iter().map(|c| ctr(c, true)).collect();
        let containers = spec.map_or(&[][..], |s| &s.containers[..]).iter().map(|c| ctr(c, false)).collect();
        let conditions = vec![("PodScheduled", true, w.now)];
        PodRt {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            name: pod.metadata.name.clone().unwrap_or_default(),
            uid: pod.metadata.uid.clone().unwrap_or_default(),
            node: node.to_string(),
            ip: None,
            sandbox_ready: false,
            started_at: w.now,
            volumes: Vec::new(),
            init,
            containers,
            conditions,
            kill_deadline: None,
            last_failed_mount_event: None,
            evicted: None,
            synced_rv: None,
            metrics_slot: None,
        }
    }
}

/// The pod's hostname as the kubelet sets it (`GeneratePodHostNameAndDomain`): spec.hostname
/// when set (Indexed Jobs, StatefulSets via their name), else the pod name; at most 63
/// characters.
pub fn pod_hostname(pod: &Pod) -> String {
    let name = pod
        .spec
        .as_ref()
        .and_then(|s| s.hostname.as_deref())
        .filter(|h| !h.is_empty())
        .or(pod.metadata.name.as_deref())
        .unwrap_or_default();
    let cut = name.char_indices().nth(63).map_or(name.len(), |(at, _)| at);
    name[..cut].trim_end_matches(['-', '.']).to_string()
}

/// The kubelet evicts a pod (node pressure): its containers are stopped at once and the pod
/// ends `Failed` with `reason` and `message`, as `kubectl get pods` then shows (`Evicted`).
pub fn evict(w: &mut World, pod: &Pod, reason: &str, message: &str) {
    let Some(uid) = pod.metadata.uid.clone() else { return };
    let Some(mut rt) = w.kubelet.pods.remove(&uid) else { return };
    pod_event(w, pod, None, EventType::Warning, reason, message);
    let mut list: Vec<CtrRt> = rt.containers.drain(..).collect();
    for c in list.iter_mut() {
        if c.is_running() {
            pod_event(w, pod, Some(&c.name), EventType::Normal, "Killing", &format!("Stopping container {}", c.name));
            containers::terminated(w, c, 137, "Error");
        }
    }
    rt.containers = list;
    for c in rt.init.iter_mut() {
        if c.is_running() {
            containers::terminated(w, c, 137, "Error");
        }
    }
    rt.evicted = Some((reason.to_string(), message.to_string()));
    status::write_status(w, pod, &mut rt);
    w.kubelet.wake(&rt.namespace, &rt.name);
    w.kubelet.pods.insert(uid, rt);
}

/// Kills a running container's process from outside (the `chaos kill` fault): it exits 137
/// and the kubelet restarts it per restartPolicy on its next sync.
pub fn kill_container(w: &mut World, c: &mut CtrRt) {
    if c.is_running() {
        containers::terminated(w, c, 137, "Error");
    }
}

/// A node came back from a power cut: its pods' containers and sandboxes are gone, so the
/// kubelet recreates the sandboxes (new IPs) and restarts the containers per restartPolicy.
pub fn node_rebooted(w: &mut World, node: &str) {
    let uids: Vec<String> = w.kubelet.pods.iter().filter(|(_, p)| p.node == node).map(|(k, _)| k.clone()).collect();
    for uid in uids {
        let Some(mut rt) = w.kubelet.pods.remove(&uid) else { continue };
        for c in rt.init.iter_mut().chain(rt.containers.iter_mut()) {
            if c.is_running() {
                containers::terminated(w, c, 255, "Unknown");
            }
        }
        if let Some(ip) = rt.ip.take() {
            w.network.release(&ip);
        }
        if rt.sandbox_ready {
            rt.sandbox_ready = false;
            if let Some(pod) = w.store.get(Kind::Pod, &rt.namespace, &rt.name).and_then(|o| o.as_pod()).cloned() {
                pod_event(
                    w,
                    &pod,
                    None,
                    EventType::Normal,
                    "SandboxChanged",
                    "Pod sandbox changed, it will be killed and re-created.",
                );
            }
        }
        w.kubelet.wake(&rt.namespace, &rt.name);
        w.kubelet.pods.insert(uid, rt);
    }
}

/// Records an event about a pod (optionally one of its containers) from its node's kubelet.
pub(crate) fn pod_event(w: &mut World, pod: &Pod, container: Option<&str>, t: EventType, reason: &str, msg: &str) {
    let node = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or_default();
    let field_path = container.map(|c| container_field_path(pod, c));
    let reference = pod_object_ref(pod, field_path.as_deref());
    w.record_event_ref(reference, t, reason, msg, "kubelet", Some(node));
}

/// `spec.containers{nginx}` / `spec.initContainers{init}`, as the kubelet's event references say.
fn container_field_path(pod: &Pod, name: &str) -> String {
    let is_init =
        pod.spec.as_ref().and_then(|s| s.init_containers.as_ref()).is_some_and(|v| v.iter().any(|c| c.name == name));
    if is_init {
        format!("spec.initContainers{{{name}}}")
    } else {
        format!("spec.containers{{{name}}}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api::WriteOptions;

    #[test]
    fn a_force_deleted_pods_files_are_freed() {
        let mut w = World::new(2);
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: nginx, volumeMounts: [{name: scratch, mountPath: /scratch}]}\n  volumes: [{name: scratch, emptyDir: {}}]\n";
        let v: serde_json::Value = serde_yaml::from_str(yaml).unwrap();
        let before = w.kubelet.fs.count();
        w.api_create(Object::from_value(Kind::Pod, v).unwrap(), WriteOptions::default()).unwrap();
        let running = |w: &World| {
            w.store.get(Kind::Pod, "default", "p").and_then(|o| o.as_pod()?.status.as_ref()?.phase.clone()).as_deref()
                == Some("Running")
        };
        w.run_until(running, 60).unwrap();
        // The emptyDir, the service-account projection and the container's root.
        assert!(w.kubelet.fs.count() >= before + 3, "{} trees, {before} before", w.kubelet.fs.count());
        // Forced: gone from the store at once, before the kubelet stops anything.
        w.api_delete(Kind::Pod, "default", "p", Some(0), WriteOptions::default()).unwrap();
        assert!(w.store.get(Kind::Pod, "default", "p").is_none());
        w.advance(1);
        assert_eq!(w.kubelet.fs.count(), before);
    }

    /// A pod waiting out a crash back-off is not synced until it ends: a twin cluster whose
    /// kubelet syncs the pod at every tick (woken, as by a change) shows the same at every
    /// tick.
    #[test]
    fn a_pod_in_back_off_sleeps_until_it_ends() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: crash}\nspec:\n  containers:\n  - {name: app, image: busybox:1.36, command: [sh, -c, \"sleep 2; exit 3\"]}\n";
        let v: serde_json::Value = serde_yaml::from_str(yaml).unwrap();
        let (mut w, mut every_tick) = (World::new(2), World::new(2));
        for w in [&mut w, &mut every_tick] {
            w.api_create(Object::from_value(Kind::Pod, v.clone()).unwrap(), WriteOptions::default()).unwrap();
        }
        let key = ObjKey::new("default", "crash");
        let seen = |w: &World| -> Vec<serde_json::Value> {
            let pod = w.store.get(Kind::Pod, "default", "crash").map(Object::to_value);
            pod.into_iter()
                .chain(w.store.list(Kind::Event, Some("default")).into_iter().map(|o| o.to_value()))
                .collect()
        };
        let mut slept = 0;
        for _ in 0..400 {
            if w.kubelet.asleep.contains_key(&key) {
                slept += 1;
                assert!(!w.kubelet.busy.contains(&key));
            }
            // Asleep, it is still counted among the pods not idle.
            assert_eq!(w.kubelet.busy_len(), every_tick.kubelet.busy_len());
            every_tick.kubelet.wake("default", "crash");
            w.advance(1);
            every_tick.advance(1);
            assert_eq!(seen(&w), seen(&every_tick), "at {:?}", w.now);
        }
        let restarts = w
            .store
            .get(Kind::Pod, "default", "crash")
            .and_then(|o| o.as_pod()?.status.as_ref()?.container_statuses.as_ref()?.first().map(|c| c.restart_count));
        // Runs of 2 s: the first restart at once, then after back-offs of 10, 20, 40, 80 and
        // 160 s (the next is due after 320 s).
        assert_eq!(restarts, Some(6));
        assert!(slept > 250, "asleep {slept} of 400 ticks");
    }

    #[test]
    fn a_pod_waiting_for_its_pulls_sleeps_until_the_first_ends() {
        // Two images of different pull times (mysql's ~6.5 s, nginx's ~2.8 s, each with its
        // random part), then mysql exits at once without a password and crash-loops, and the
        // registry goes down for the re-pull of a second pod's image: every transition of a
        // pull is in it.
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata: {name: pulls}\nspec:\n  containers:\n  - {name: db, image: mysql:8.4}\n  - {name: web, image: nginx:1.27}\n";
        let again = "apiVersion: v1\nkind: Pod\nmetadata: {name: again}\nspec:\n  containers:\n  - {name: web, image: nginx:1.27, imagePullPolicy: Always}\n";
        let (mut w, mut every_tick) = (World::new(4), World::new(4));
        for w in [&mut w, &mut every_tick] {
            let v: serde_json::Value = serde_yaml::from_str(yaml).unwrap();
            w.api_create(Object::from_value(Kind::Pod, v).unwrap(), WriteOptions::default()).unwrap();
        }
        let seen = |w: &World| -> Vec<serde_json::Value> {
            w.store
                .list(Kind::Pod, Some("default"))
                .into_iter()
                .chain(w.store.list(Kind::Event, Some("default")))
                .map(|o| o.to_value())
                .collect()
        };
        let key = ObjKey::new("default", "pulls");
        let mut slept = 0;
        for t in 0..120 {
            if t == 40 {
                for w in [&mut w, &mut every_tick] {
                    w.registry_down = true;
                    let v: serde_json::Value = serde_yaml::from_str(again).unwrap();
                    w.api_create(Object::from_value(Kind::Pod, v).unwrap(), WriteOptions::default()).unwrap();
                }
            }
            if t == 70 {
                w.registry_down = false;
                every_tick.registry_down = false;
            }
            // The first eight seconds are the pulls (the crash loop's sleeps come after).
            if t < 8 && w.kubelet.asleep.contains_key(&key) {
                slept += 1;
            }
            assert_eq!(w.kubelet.busy_len(), every_tick.kubelet.busy_len());
            every_tick.kubelet.wake("default", "pulls");
            every_tick.kubelet.wake("default", "again");
            w.advance(1);
            every_tick.advance(1);
            assert_eq!(seen(&w), seen(&every_tick), "at {:?}", w.now);
        }
        let pods = w.store.list(Kind::Pod, Some("default"));
        let reasons: Vec<String> = seen(&w)
            .iter()
            .filter(|e| e["kind"] == "Event")
            .map(|e| e["reason"].as_str().unwrap_or_default().to_string())
            .collect();
        for r in ["Pulling", "Pulled", "Started", "BackOff", "Failed"] {
            assert!(reasons.iter().any(|x| x == r), "no {r} event in {reasons:?}");
        }
        assert_eq!(pods.len(), 2);
        assert!(slept >= 4, "asleep {slept} of the pulls' ticks");
    }

    #[test]
    fn backoff_doubles_to_five_minutes_and_resets() {
        let mut b = Backoff::default();
        let mut delays = vec![];
        let mut t = Tick(0);
        for _ in 0..7 {
            b.next(t);
            delays.push(b.delay_s);
            t = t.plus_s(b.delay_s);
        }
        assert_eq!(delays, [10, 20, 40, 80, 160, 300, 300]);
        // Ten minutes without a failure: the next one starts again at 10 s.
        assert!(!b.in_backoff_since(t.plus_s(601), t.plus_s(602)));
        b.next(t.plus_s(2 * BACKOFF_MAX_S + 1));
        assert_eq!(b.delay_s, 10);
    }
}
