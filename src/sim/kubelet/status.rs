//! The pod status the kubelet reports: phase, conditions, container statuses, IPs and QoS
//! class, computed from the runtime state exactly in the shape the API shows.

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting, ContainerStatus, HostIP,
    Node, Pod, PodCondition, PodIP, PodStatus, ResourceRequirements,
};

use super::containers::{CState, CtrRt};
use super::PodRt;
use crate::sim::clock::Tick;
use crate::sim::object::{Kind, Object};
use crate::sim::World;

/// Pod phase from its containers, as the kubelet's getPhase computes it.
pub fn phase(pod: &Pod, rt: &PodRt) -> &'static str {
    if rt.evicted.is_some() {
        return "Failed";
    }
    let restart = pod.spec.as_ref().and_then(|s| s.restart_policy.as_deref()).unwrap_or("Always");
    if !rt.sandbox_ready {
        return "Pending";
    }
    // An init container that failed for good fails the pod.
    for c in &rt.init {
        if let CState::Terminated(t) = &c.state {
            if t.exit_code != 0 && restart == "Never" && !c.sidecar {
                return "Failed";
            }
        }
    }
    if !initialized(rt) {
        return "Pending";
    }
    let (mut running, mut waiting, mut stopped, mut succeeded) = (0, 0, 0, 0);
    for c in &rt.containers {
        match &c.state {
            CState::Running { .. } => running += 1,
            CState::Terminated(t) => {
                stopped += 1;
                if t.exit_code == 0 {
                    succeeded += 1;
                }
            }
            CState::Waiting { .. } => {
                if c.last.is_some() {
                    // Restarting after a crash: counts as running for the phase.
                    running += 1;
                } else {
                    waiting += 1;
                }
            }
        }
    }
    let total = rt.containers.len();
    if waiting > 0 {
        return "Pending";
    }
    if running > 0 {
        return "Running";
    }
    if stopped == total && total > 0 {
        if restart == "Always" {
            // Containers will be restarted.
            return "Running";
        }
        if succeeded == stopped {
            return "Succeeded";
        }
        if restart == "OnFailure" {
            return "Running";
        }
        return "Failed";
    }
    "Pending"
}

/// Whether every (non-sidecar) init container has completed and every sidecar has started.
pub fn initialized(rt: &PodRt) -> bool {
    rt.init.iter().all(|c| {
        if c.sidecar {
            c.started
        } else {
            matches!(&c.state, CState::Terminated(t) if t.exit_code == 0)
        }
    })
}

fn time(t: Tick) -> Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time> {
    Some(t.time())
}

fn state_of(c: &CState) -> ContainerState {
    match c {
        CState::Waiting { reason, message } => ContainerState {
            waiting: Some(ContainerStateWaiting { reason: Some(reason.clone()), message: message.clone() }),
            ..Default::default()
        },
        CState::Running { started_at } => ContainerState {
            running: Some(ContainerStateRunning { started_at: time(*started_at) }),
            ..Default::default()
        },
        CState::Terminated(t) => ContainerState {
            terminated: Some(ContainerStateTerminated {
                container_id: Some(t.container_id.clone()),
                exit_code: t.exit_code,
                finished_at: time(t.finished_at),
                message: t.message.clone(),
                reason: Some(t.reason.clone()),
                signal: None,
                started_at: time(t.started_at),
            }),
            ..Default::default()
        },
    }
}

fn container_status(c: &CtrRt) -> ContainerStatus {
    let created = !c.container_id.is_empty();
    ContainerStatus {
        name: c.name.clone(),
        container_id: created.then(|| c.container_id.clone()),
        // Until the runtime has a container, the kubelet reports the spec's image and no
        // image ID (a CreateContainerConfigError comes after the pull, before any container).
        image: if c.image_ref.is_empty() || !created {
            c.spec.image.clone().unwrap_or_default()
        } else {
            c.image_ref.clone()
        },
        image_id: if created { c.image_id.clone() } else { String::new() },
        last_state: Some(c.last.as_ref().map(|t| state_of(&CState::Terminated((**t).clone()))).unwrap_or_default()),
        ready: c.ready,
        restart_count: c.restarts,
        started: Some(c.started),
        state: Some(state_of(&c.state)),
        ..Default::default()
    }
}

/// Guaranteed, Burstable or BestEffort, from the containers' requests and limits.
pub fn qos_class(pod: &Pod) -> &'static str {
    let Some(spec) = pod.spec.as_ref() else { return "BestEffort" };
    let all: Vec<&ResourceRequirements> = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .filter_map(|c| c.resources.as_ref())
        .collect();
    let any = all.iter().any(|r| {
        r.requests.as_ref().is_some_and(|m| m.keys().any(|k| k == "cpu" || k == "memory"))
            || r.limits.as_ref().is_some_and(|m| m.keys().any(|k| k == "cpu" || k == "memory"))
    });
    if !any {
        return "BestEffort";
    }
    let n = spec.containers.len() + spec.init_containers.as_ref().map_or(0, |v| v.len());
    let guaranteed = all.len() == n
        && all.iter().all(|r| {
            ["cpu", "memory"].iter().all(|k| {
                let Some(l) = r.limits.as_ref().and_then(|m| m.get(*k)) else { return false };
                match r.requests.as_ref().and_then(|m| m.get(*k)) {
                    None => true,
                    Some(q) => {
                        crate::sim::quantity::parse_milli(&q.0).ok() == crate::sim::quantity::parse_milli(&l.0).ok()
                    }
                }
            })
        });
    if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// Sets a condition, keeping its last transition time when the status did not change.
fn set_condition(rt: &mut PodRt, name: &'static str, value: bool, now: Tick) -> Tick {
    match rt.conditions.iter_mut().find(|(n, _, _)| *n == name) {
        Some((_, v, t)) if *v == value => *t,
        Some(c) => {
            *c = (name, value, now);
            now
        }
        None => {
            rt.conditions.push((name, value, now));
            now
        }
    }
}

/// The status the kubelet reports for the pod now (also recording its conditions' transition
/// times in `rt`). Built at every sync, so it makes no more copies than the status needs.
pub fn build_status(w: &mut World, pod: &Pod, rt: &mut PodRt) -> PodStatus {
    let now = w.now;
    let phase = phase(pod, rt);
    let host_ip = w.kubelet.node_ip(&w.store, &rt.node);
    let initialized = initialized(rt);
    let unready: Vec<String> = rt.containers.iter().filter(|c| !c.ready).map(|c| c.name.clone()).collect();
    let incomplete: Vec<String> = rt
        .init
        .iter()
        .filter(|c| if c.sidecar { !c.started } else { !matches!(&c.state, CState::Terminated(t) if t.exit_code == 0) })
        .map(|c| c.name.clone())
        .collect();
    let done = phase == "Succeeded" || phase == "Failed";
    let ready = unready.is_empty() && initialized && !done;
    // The kubelet's five conditions, then those of other components kept below: sized
    // exactly, as the status is stored with every pod.
    let previous = pod.status.as_ref();
    let kept = previous
        .and_then(|p| p.conditions.as_ref())
        .map_or(0, |cs| cs.iter().filter(|c| !KUBELET_CONDITIONS.contains(&c.type_.as_str())).count());
    let mut conds = Vec::with_capacity(KUBELET_CONDITIONS.len() + kept);
    let mut cond = |rt: &mut PodRt, ty: &'static str, value: bool, reason: Option<String>, message: Option<String>| {
        let t = set_condition(rt, ty, value, now);
        conds.push(PodCondition {
            type_: ty.to_string(),
            status: if value { "True".into() } else { "False".into() },
            last_transition_time: time(t),
            last_probe_time: None,
            reason,
            message,
        });
    };
    let completed_reason = match phase {
        "Succeeded" => Some("PodCompleted".to_string()),
        "Failed" => Some("PodFailed".to_string()),
        _ => None,
    };
    cond(rt, "PodReadyToStartContainers", rt.sandbox_ready && !done, None, None);
    if initialized {
        cond(rt, "Initialized", true, completed_reason.clone().filter(|_| phase == "Succeeded"), None);
    } else {
        cond(
            rt,
            "Initialized",
            false,
            Some("ContainersNotInitialized".into()),
            Some(format!("containers with incomplete status: [{}]", incomplete.join(" "))),
        );
    }
    let (reason, message) = if ready {
        (None, None)
    } else if let Some(r) = completed_reason.clone() {
        (Some(r), None)
    } else {
        (
            Some("ContainersNotReady".to_string()),
            Some(format!("containers with unready status: [{}]", unready.join(" "))),
        )
    };
    cond(rt, "Ready", ready, reason.clone(), message.clone());
    cond(rt, "ContainersReady", ready, reason, message);
    cond(rt, "PodScheduled", true, None, None);
    // (Made above in the order the kubelet writes them, `KUBELET_CONDITIONS`.)

    let mut statuses: Vec<ContainerStatus> = rt.containers.iter().map(container_status).collect();
    // The kubelet sorts container statuses by name.
    statuses.sort_by(|a, b| a.name.cmp(&b.name));
    let init_statuses: Vec<ContainerStatus> = rt.init.iter().map(container_status).collect();
    // Conditions other components own (DisruptionTarget from the taint manager or an
    // eviction) survive the kubelet's status update, as with a strategic merge.
    for c in previous.and_then(|p| p.conditions.as_ref()).into_iter().flatten() {
        if !KUBELET_CONDITIONS.contains(&c.type_.as_str()) {
            conds.push(c.clone());
        }
    }
    let (reason, message) = match &rt.evicted {
        Some((r, m)) => (Some(r.clone()), Some(m.clone())),
        None => (None, None),
    };
    debug_assert!(
        previous.and_then(|p| p.qos_class.as_deref()).is_none_or(|q| q == qos_class(pod)),
        "a pod's QoS class does not change"
    );
    PodStatus {
        phase: Some(phase.to_string()),
        conditions: Some(conds),
        host_ip: host_ip.clone(),
        host_ips: host_ip.map(|ip| vec![HostIP { ip }]),
        pod_ip: rt.ip.clone(),
        pod_ips: rt.ip.clone().map(|ip| vec![PodIP { ip }]),
        // The API server set it at creation from the same resources (a resize may not change
        // it): taken from there rather than worked out again at every sync.
        qos_class: Some(previous.and_then(|p| p.qos_class.clone()).unwrap_or_else(|| qos_class(pod).to_string())),
        start_time: previous.and_then(|p| p.start_time.clone()).or_else(|| time(rt.started_at)),
        container_statuses: Some(statuses),
        init_container_statuses: if init_statuses.is_empty() { None } else { Some(init_statuses) },
        reason,
        message,
        ..Default::default()
    }
}

/// The conditions the kubelet owns, in the order it writes them.
const KUBELET_CONDITIONS: [&str; 5] =
    ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"];

/// The InternalIP of a node.
pub fn node_ip(w: &World, node: &str) -> Option<String> {
    internal_ip(w.store.get(Kind::Node, "", node)?.as_node()?)
}

/// The InternalIP among a node's addresses.
pub(super) fn internal_ip(n: &Node) -> Option<String> {
    n.status.as_ref()?.addresses.as_ref()?.iter().find(|a| a.type_ == "InternalIP").map(|a| a.address.clone())
}

pub fn write_status(w: &mut World, pod: &Pod, rt: &mut PodRt) {
    let status = build_status(w, pod, rt);
    write_built(w, rt, status);
}

/// Writes a status [`build_status`] made, unless the stored pod already has it. A caller
/// that holds the pod shared with the store drops its reference first, so that the write
/// changes the stored pod in place instead of copying it. Returns the pod's resourceVersion
/// after the write (None: the pod is gone).
pub fn write_built(w: &mut World, rt: &PodRt, status: PodStatus) -> Option<String> {
    let (ns, name) = (rt.namespace.as_str(), rt.name.as_str());
    // One lookup: most syncs report what is already there, found by comparing in place
    // before anything is copied; a write's resourceVersion is the store's latest.
    let mut unchanged_rv = None;
    let changed = w.store.modify_keeping_owners(Kind::Pod, ns, name, |o| {
        let Object::Pod(p) = o else { return false };
        if p.status.as_ref() == Some(&status) {
            unchanged_rv = Some(p.metadata.resource_version.clone());
            return false;
        }
        std::sync::Arc::make_mut(p).status = Some(status);
        true
    });
    match changed {
        Ok(true) => Some(w.store.resource_version().to_string()),
        Ok(false) => unchanged_rv.flatten(),
        Err(_) => None,
    }
}
