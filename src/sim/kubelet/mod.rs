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
mod probes;
pub mod programs;
pub mod status;
mod volumes;

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::Pod;

use super::clock::Tick;
use super::events::{object_reference, EventType, Source};
use super::object::{Kind, Object};
use super::World;
use crate::shell::vfs::{VolumeId, Volumes};

pub use containers::{CState, CtrRt, Term};
pub use exec::Proc;
pub use programs::Program;

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
    /// Volume name → its shared filesystem (emptyDir, projected ConfigMap/Secret...).
    pub volumes: BTreeMap<String, VolumeId>,
    pub init: Vec<CtrRt>,
    pub containers: Vec<CtrRt>,
    /// Condition type → (status, last transition).
    pub conditions: BTreeMap<String, (bool, Tick)>,
    /// Tick when graceful termination must end with SIGKILL.
    pub kill_deadline: Option<Tick>,
    pub last_failed_mount_event: Option<Tick>,
    /// Set when the kubelet evicted the pod: (status.reason, status.message).
    pub evicted: Option<(String, String)>,
}

/// All kubelets' state (one map for the whole cluster; each pod knows its node).
#[derive(Clone, Debug, Default)]
pub struct Kubelets {
    pub pods: BTreeMap<String, PodRt>,
    /// node → image references present on it.
    pub node_images: BTreeMap<String, BTreeSet<String>>,
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
        self.pods.values().find(|p| p.namespace == namespace && p.name == name)
    }

    pub fn find_mut(&mut self, namespace: &str, name: &str) -> Option<&mut PodRt> {
        self.pods.values_mut().find(|p| p.namespace == namespace && p.name == name)
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

/// Syncs every pod bound to a node, then forgets pods that no longer exist.
pub fn sync_all(w: &mut World) {
    let bound: Vec<(String, String, String)> = w
        .store
        .list(Kind::Pod, None)
        .into_iter()
        .filter_map(|o| {
            let p = o.as_pod()?;
            let node = p.spec.as_ref()?.node_name.clone()?;
            Some((o.namespace().to_string(), o.name().to_string(), node))
        })
        .collect();
    let mut live = BTreeSet::new();
    for (ns, name, node) in bound {
        if !w.nodes.kubelet_syncs(&node) {
            // A silent kubelet (node down, kubelet stopped, partitioned) syncs nothing; its
            // pods' runtime state waits for it.
            if let Some(uid) = w.store.get(Kind::Pod, &ns, &name).and_then(|o| o.meta().uid.clone()) {
                live.insert(uid);
            }
            continue;
        }
        if let Some(uid) = sync_pod(w, &ns, &name) {
            live.insert(uid);
        }
    }
    let gone: Vec<String> = w.kubelet.pods.keys().filter(|k| !live.contains(*k)).cloned().collect();
    for uid in gone {
        if let Some(rt) = w.kubelet.pods.remove(&uid) {
            if let Some(ip) = rt.ip {
                w.network.release(&ip);
            }
        }
    }
}

/// One kubelet sync of one pod; returns its uid while the pod still exists.
fn sync_pod(w: &mut World, ns: &str, name: &str) -> Option<String> {
    let pod: Pod = w.store.get(Kind::Pod, ns, name)?.as_pod()?.clone();
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let node = pod.spec.as_ref()?.node_name.clone()?;
    let mut rt = match w.kubelet.pods.remove(&uid) {
        Some(rt) => rt,
        None => PodRt::new(w, &pod, &node),
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
        if let Some(ip) = rt.ip.take() {
            w.network.release(&ip);
        }
        return None;
    }
    status::write_status(w, &pod, &mut rt);
    w.kubelet.pods.insert(uid.clone(), rt);
    Some(uid)
}

impl PodRt {
    fn new(w: &mut World, pod: &Pod, node: &str) -> PodRt {
        let spec = pod.spec.clone().unwrap_or_default();
        let init = spec.init_containers.unwrap_or_default().into_iter().map(|c| CtrRt::new(c, true)).collect();
        let containers = spec.containers.into_iter().map(|c| CtrRt::new(c, false)).collect();
        let mut conditions = BTreeMap::new();
        conditions.insert("PodScheduled".to_string(), (true, w.now));
        PodRt {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            name: pod.metadata.name.clone().unwrap_or_default(),
            uid: pod.metadata.uid.clone().unwrap_or_default(),
            node: node.to_string(),
            ip: None,
            sandbox_ready: false,
            started_at: w.now,
            volumes: BTreeMap::new(),
            init,
            containers,
            conditions,
            kill_deadline: None,
            last_failed_mount_event: None,
            evicted: None,
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
        .and_then(|s| s.hostname.clone())
        .filter(|h| !h.is_empty())
        .or_else(|| pod.metadata.name.clone())
        .unwrap_or_default();
    name.chars().take(63).collect::<String>().trim_end_matches(['-', '.']).to_string()
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
        w.kubelet.pods.insert(uid, rt);
    }
}

/// Records an event about a pod (optionally one of its containers) from its node's kubelet.
pub(crate) fn pod_event(w: &mut World, pod: &Pod, container: Option<&str>, t: EventType, reason: &str, msg: &str) {
    let node = pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
    let field_path = container.map(|c| container_field_path(pod, c));
    let obj = Object::Pod(pod.clone());
    let reference = object_reference(&obj, field_path.as_deref());
    w.record_event(reference, t, reason, msg, Source::kubelet(&node));
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
