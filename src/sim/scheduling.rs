//! The scheduler's place in the tick: pick pending pods from the queue (highest priority,
//! then oldest first), run a scheduling cycle for each against a snapshot of the nodes, bind
//! the pod or record why it fits nowhere (the FailedScheduling event and the PodScheduled
//! condition), and retry unschedulable pods with back-off when the cluster changes.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, PodCondition, PodStatus};

use super::events::{object_reference, EventType, Source};
use super::scheduler::{CycleOptions, PodInfo, Snapshot};
use super::{Kind, Object, Tick, World};

/// Retry bookkeeping of an unschedulable pod.
#[derive(Clone, Debug, Default)]
pub struct Attempt {
    pub at: Tick,
    /// Store resourceVersion at the attempt: a retry waits for the cluster to change.
    pub resource_version: u64,
    pub backoff_s: u64,
}

/// The scheduling queue's memory of failed attempts, by pod uid.
#[derive(Clone, Debug, Default)]
pub struct Queue {
    pub attempts: BTreeMap<String, Attempt>,
    /// Pods in their binding cycle, waiting for their volumes to be bound (by uid).
    pub volume_waits: BTreeMap<String, super::volumebinding::Waiting>,
}

/// podMaxInUnschedulablePodsDuration: an unschedulable pod is retried at least this often.
const MAX_UNSCHEDULABLE_S: u64 = 300;
/// Back-off between attempts: 1 s doubling to 10 s (podInitialBackoffSeconds/podMaxBackoffSeconds).
const BACKOFF_MAX_S: u64 = 10;

fn is_pending(p: &Pod) -> bool {
    let spec = p.spec.as_ref();
    spec.is_some_and(|s| s.node_name.is_none())
        && p.metadata.deletion_timestamp.is_none()
        && spec.and_then(|s| s.scheduler_name.as_deref()).unwrap_or("default-scheduler") == "default-scheduler"
}

fn is_terminal(p: &Pod) -> bool {
    matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
}

/// Builds the scheduler's snapshot of nodes and the pods bound to them.
pub fn snapshot(w: &World) -> Snapshot {
    let mut snap = Snapshot::new();
    for o in w.store.list(Kind::Node, None) {
        if let Some(n) = o.as_node() {
            snap.add_node(n);
        }
    }
    for o in w.store.list(Kind::Namespace, None) {
        let labels = o.meta().labels.clone().unwrap_or_default();
        snap.set_namespace_labels(o.name(), labels);
    }
    for o in w.store.list(Kind::Pod, None) {
        let Some(p) = o.as_pod() else { continue };
        if is_terminal(p) {
            continue;
        }
        let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.as_deref()) else { continue };
        if let Some(i) = snap.node_index(node) {
            snap.add_pod(i, PodInfo::from_pod(p));
        }
    }
    // Pods whose binding cycle waits for their volumes are assumed on their node.
    for wait in w.sched_queue.volume_waits.values() {
        let Some(p) = w.store.get(Kind::Pod, &wait.namespace, &wait.name).and_then(|o| o.as_pod()) else { continue };
        if let Some(i) = snap.node_index(&wait.node) {
            snap.add_pod(i, PodInfo::from_pod(p));
        }
    }
    snap
}

/// Binds a pod to its node: the binding API call and the `Scheduled` event.
fn bind(w: &mut World, pod: &Pod, node: &str) {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let _ = w.store.modify(Kind::Pod, &ns, &name, |o| {
        if let Object::Pod(p) = o {
            if let Some(spec) = p.spec.as_mut() {
                spec.node_name = Some(node.to_string());
            }
        }
    });
    let reference = object_reference(&Object::Pod(pod.clone()), None);
    w.record_event(
        reference,
        EventType::Normal,
        "Scheduled",
        &format!("Successfully assigned {ns}/{name} to {node}"),
        Source::scheduler(),
    );
}

/// Finishes the binding cycles waiting for volumes: binds the pods whose claims are now
/// bound, and sends back to the queue those whose binding failed.
fn finish_volume_waits(w: &mut World) {
    if w.sched_queue.volume_waits.is_empty() {
        return;
    }
    let waits: Vec<(String, super::volumebinding::Waiting)> =
        w.sched_queue.volume_waits.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    for (uid, wait) in waits {
        let pod = w.store.get(Kind::Pod, &wait.namespace, &wait.name).and_then(|o| o.as_pod()).cloned();
        let Some(pod) = pod.filter(|p| p.metadata.uid.as_deref() == Some(uid.as_str())) else {
            w.sched_queue.volume_waits.remove(&uid);
            continue;
        };
        match super::volumebinding::check(w, &wait) {
            Ok(false) => {}
            Ok(true) => {
                w.sched_queue.volume_waits.remove(&uid);
                bind(w, &pod, &wait.node);
            }
            Err(message) => {
                w.sched_queue.volume_waits.remove(&uid);
                let rv = w.store.resource_version();
                record_failure(w, &pod, &uid, &message, "SchedulerError", rv);
            }
        }
    }
}

/// The pod fits nowhere (or its binding failed): back-off bookkeeping, the PodScheduled
/// condition and the `FailedScheduling` event.
fn record_failure(w: &mut World, pod: &Pod, uid: &str, message: &str, reason: &str, rv: u64) {
    let now = w.now;
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let prev = w.sched_queue.attempts.get(uid).map(|a| a.backoff_s).unwrap_or(0);
    w.sched_queue.attempts.insert(
        uid.to_string(),
        Attempt { at: now, resource_version: rv, backoff_s: if prev == 0 { 1 } else { (prev * 2).min(BACKOFF_MAX_S) } },
    );
    let _ = w.store.modify(Kind::Pod, &ns, &name, |o| {
        if let Object::Pod(p) = o {
            let qos = super::kubelet::status::qos_class(p).to_string();
            let status = p.status.get_or_insert_with(PodStatus::default);
            status.phase = Some("Pending".into());
            let same = status
                .conditions
                .as_ref()
                .and_then(|c| c.iter().find(|c| c.type_ == "PodScheduled"))
                .map(|c| c.last_transition_time.clone());
            let cond = PodCondition {
                type_: "PodScheduled".into(),
                status: "False".into(),
                reason: Some(reason.into()),
                message: Some(message.to_string()),
                last_probe_time: None,
                last_transition_time: same.flatten().or_else(|| Some(now.time())),
            };
            status.conditions = Some(vec![cond]);
            status.qos_class = Some(qos);
        }
    });
    let reference = object_reference(&Object::Pod(pod.clone()), None);
    w.record_event(reference, EventType::Warning, "FailedScheduling", message, Source::scheduler());
}

pub fn schedule_pending(w: &mut World) {
    finish_volume_waits(w);
    let now = w.now;
    let rv = w.store.resource_version();
    let mut pending: Vec<Pod> = w
        .store
        .list(Kind::Pod, None)
        .into_iter()
        .filter_map(|o| o.as_pod())
        .filter(|p| is_pending(p))
        .filter(|p| !w.sched_queue.volume_waits.contains_key(p.metadata.uid.as_deref().unwrap_or("")))
        .filter(|p| {
            let uid = p.metadata.uid.clone().unwrap_or_default();
            match w.sched_queue.attempts.get(&uid) {
                None => true,
                Some(a) => {
                    let waited = now.since(a.at);
                    (a.resource_version != rv && waited >= a.backoff_s) || waited >= MAX_UNSCHEDULABLE_S
                }
            }
        })
        .cloned()
        .collect();
    if pending.is_empty() {
        return;
    }
    // The active queue pops by priority, then by the time the pod entered the queue.
    pending.sort_by_key(|p| {
        (
            std::cmp::Reverse(p.spec.as_ref().and_then(|s| s.priority).unwrap_or(0)),
            p.metadata.creation_timestamp.as_ref().map(|t| t.0),
            p.metadata.namespace.clone(),
            p.metadata.name.clone(),
        )
    });
    let mut snap = snapshot(w);
    for pod in pending {
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let volumes = super::volumebinding::for_pod(w, &pod);
        let result = {
            let World { scheduler, rng, .. } = w;
            let opts = CycleOptions {
                volumes: volumes.as_ref().map(|v| v as &dyn super::scheduler::VolumeBinding),
                ..Default::default()
            };
            scheduler.schedule_with(&pod, &snap, &opts, rng)
        };
        match result {
            Ok(placement) => {
                snap.add_pod(placement.node_index, placement.pod_info);
                w.sched_queue.attempts.remove(&uid);
                // Reserve and PreBind: the pod's volumes are bound for the node first.
                match super::volumebinding::bind_volumes(w, &pod, &placement.node_name) {
                    Some(wait) => {
                        w.sched_queue.volume_waits.insert(uid.clone(), wait);
                    }
                    None => bind(w, &pod, &placement.node_name),
                }
            }
            Err(fit) => record_failure(w, &pod, &uid, &fit.message, "Unschedulable", rv),
        }
    }
}
