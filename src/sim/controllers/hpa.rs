//! The horizontal pod autoscaler controller (pkg/controller/podautoscaler, `autoscaling/v2`):
//! every sync period it reads its target's scale subresource and the pods' resource metrics
//! from the metrics API, computes the replica count the metrics call for, stabilizes and
//! limits it, writes the target's scale and the HPA's status (current and desired replicas,
//! current metrics, the AbleToScale / ScalingActive / ScalingLimited conditions) and records
//! its events (`SuccessfulRescale`, `FailedGetResourceMetric`, `FailedComputeMetricsReplicas`,
//! `FailedGetScale`...), in the controller's own words.
//!
//! Default values (kube-controller-manager v1.32): sync period 15 s (a new HPA is first
//! processed 15 s after it appears), tolerance 0.1, downscale stabilization window 5 min,
//! CPU initialization period 5 min, initial readiness delay 30 s; without `behavior`, scale up
//! to at most max(2 × current, 4) at a time.
//!
//! Resource metrics (`Resource` and `ContainerResource`, Utilization and AverageValue) come
//! from metrics-server (`sim::metrics`). kubedojo runs no custom or external metrics adapter,
//! so `Pods`, `Object` and `External` metrics fail as they do on a cluster without one.

use std::collections::BTreeMap;

use k8s_openapi::api::autoscaling::v2::{
    ContainerResourceMetricStatus, HPAScalingRules, HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition,
    HorizontalPodAutoscalerStatus, MetricSpec, MetricStatus, MetricTarget, MetricValueStatus, ResourceMetricStatus,
};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::sim::api::selector::Selector;
use crate::sim::api::WriteOptions;
use crate::sim::clock::{tick_of, Tick};
use crate::sim::events::{object_reference, EventType, Source};
use crate::sim::metrics::PodMetrics;
use crate::sim::object::{Kind, Object};
use crate::sim::World;

/// `--horizontal-pod-autoscaler-sync-period`.
pub const SYNC_PERIOD_S: u64 = 15;
/// `--horizontal-pod-autoscaler-tolerance`.
pub const TOLERANCE: f64 = 0.1;
/// `--horizontal-pod-autoscaler-downscale-stabilization`.
pub const DOWNSCALE_STABILIZATION_S: u64 = 300;
/// `--horizontal-pod-autoscaler-cpu-initialization-period`.
pub const CPU_INITIALIZATION_PERIOD_S: u64 = 300;
/// `--horizontal-pod-autoscaler-initial-readiness-delay`.
pub const INITIAL_READINESS_DELAY_S: u64 = 30;

const COMPONENT: &str = "horizontal-pod-autoscaler";

type Key = (String, String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ScaleEvent {
    change: i32,
    at: Tick,
    outdated: bool,
}

/// The controller's memory: when each HPA is next synced, its recent recommendations and
/// scale events (for stabilization windows and scaling policies).
#[derive(Clone, Debug, Default)]
pub struct State {
    due: BTreeMap<Key, Tick>,
    recommendations: BTreeMap<Key, Vec<(i32, Tick)>>,
    scale_up_events: BTreeMap<Key, Vec<ScaleEvent>>,
    scale_down_events: BTreeMap<Key, Vec<ScaleEvent>>,
}

/// Syncs every HPA whose period is due. A new HPA is queued with the sync period's delay
/// (the controller's rate-limited queue); a deleted one is forgotten.
pub fn reconcile(w: &mut World) {
    let now = w.now;
    let keys: Vec<Key> = w
        .store
        .list(Kind::HorizontalPodAutoscaler, None)
        .iter()
        .map(|o| (o.namespace().to_string(), o.name().to_string()))
        .collect();
    let st = &mut w.controllers.hpa;
    st.due.retain(|k, _| keys.contains(k));
    st.recommendations.retain(|k, _| keys.contains(k));
    st.scale_up_events.retain(|k, _| keys.contains(k));
    st.scale_down_events.retain(|k, _| keys.contains(k));
    let mut work = Vec::new();
    for k in keys {
        let due = *st.due.entry(k.clone()).or_insert(now.plus_s(SYNC_PERIOD_S));
        if due <= now {
            st.due.insert(k.clone(), now.plus_s(SYNC_PERIOD_S));
            work.push(k);
        }
    }
    for k in work {
        reconcile_one(w, &k);
    }
}

/// The scale subresource of a target: spec and status replicas and the pods' selector.
struct Scale {
    obj: Object,
    spec_replicas: i32,
    selector: Option<Selector>,
}

/// `RESTMapper.RESTMappings` for the kinds the cluster serves: the resource of a kind in a group.
fn resource_of(group: &str, kind: &str) -> Option<(&'static str, Option<Kind>)> {
    Some(match (group, kind) {
        ("apps", "Deployment") => ("deployments", Some(Kind::Deployment)),
        ("apps", "ReplicaSet") => ("replicasets", Some(Kind::ReplicaSet)),
        ("apps", "StatefulSet") => ("statefulsets", Some(Kind::StatefulSet)),
        ("", "ReplicationController") => ("replicationcontrollers", None),
        // Served, but without a scale subresource.
        ("apps", "DaemonSet") | ("apps", "ControllerRevision") | ("batch", "Job") | ("batch", "CronJob") => ("", None),
        ("", "Pod") | ("", "Service") | ("", "ConfigMap") | ("", "Secret") => ("", None),
        _ => return None,
    })
}

/// GET `<resource>/<name>/scale`; Err is the API's message.
fn get_scale(w: &World, ns: &str, api_version: &str, kind: &str, name: &str) -> Result<Scale, String> {
    let gv: Vec<&str> = api_version.split('/').collect();
    let group = match gv.len() {
        0 | 1 => "",
        2 => gv[0],
        _ => return Err(format!("unexpected GroupVersion string: {api_version}")),
    };
    let Some((resource, stored)) = resource_of(group, kind) else {
        return Err(format!("no matches for kind \"{kind}\" in group \"{group}\""));
    };
    let Some(stored) = stored else {
        return Err("the server could not find the requested resource".into());
    };
    let qualified = if group.is_empty() { format!("{resource}/scale") } else { format!("{resource}/scale.{group}") };
    let Some(obj) = w.store.get(stored, ns, name) else {
        return Err(format!("{qualified} \"{name}\" not found"));
    };
    let v = obj.to_value();
    let spec_replicas = v.pointer("/spec/replicas").and_then(|r| r.as_i64()).unwrap_or(1) as i32;
    let selector = match obj {
        Object::Deployment(d) => d.spec.as_ref().map(|s| &s.selector),
        Object::ReplicaSet(r) => r.spec.as_ref().map(|s| &s.selector),
        Object::StatefulSet(s) => s.spec.as_ref().map(|s| &s.selector),
        _ => None,
    }
    .map(Selector::from_label_selector)
    .filter(|s| !s.is_empty());
    Ok(Scale { obj: obj.clone(), spec_replicas, selector })
}

fn set_condition(hpa: &mut HorizontalPodAutoscaler, type_: &str, status: bool, reason: &str, message: &str, now: Tick) {
    let st = hpa.status.get_or_insert_with(Default::default);
    let conds = st.conditions.get_or_insert_with(Vec::new);
    let status = if status { "True" } else { "False" };
    let i = match conds.iter().position(|c| c.type_ == type_) {
        Some(i) => i,
        None => {
            conds.push(HorizontalPodAutoscalerCondition { type_: type_.to_string(), ..Default::default() });
            conds.len() - 1
        }
    };
    let c = &mut conds[i];
    if c.status != status {
        c.last_transition_time = Some(now.time());
    }
    c.status = status.to_string();
    c.reason = Some(reason.to_string());
    c.message = Some(message.to_string());
}

fn event(w: &mut World, hpa: &HorizontalPodAutoscaler, t: EventType, reason: &str, msg: &str) {
    let r = object_reference(&Object::HorizontalPodAutoscaler(Box::new(hpa.clone())), None);
    w.record_event(r, t, reason, msg, Source::controller(COMPONENT));
}

/// Writes the status when it changed (`updateStatusIfNeeded`).
fn update_status_if_needed(
    w: &mut World,
    original: &Option<HorizontalPodAutoscalerStatus>,
    hpa: &HorizontalPodAutoscaler,
) {
    if original.as_ref() == hpa.status.as_ref() {
        return;
    }
    let _ = w.api_update_status(Object::HorizontalPodAutoscaler(Box::new(hpa.clone())));
}

/// `setStatus`: current and desired replicas and the metrics; the time of a rescale.
fn set_status(
    hpa: &mut HorizontalPodAutoscaler,
    current: i32,
    desired: i32,
    metrics: Option<Vec<MetricStatus>>,
    rescale: bool,
    now: Tick,
) {
    let st = hpa.status.get_or_insert_with(Default::default);
    st.current_replicas = Some(current);
    st.desired_replicas = desired;
    st.current_metrics = metrics.filter(|m| !m.is_empty());
    if rescale {
        st.last_scale_time = Some(now.time());
    }
}

fn reconcile_one(w: &mut World, key: &Key) {
    let now = w.now;
    let Some(mut hpa) = w.store.get(Kind::HorizontalPodAutoscaler, &key.0, &key.1).and_then(|o| match o {
        Object::HorizontalPodAutoscaler(h) => Some(h.clone()),
        _ => None,
    }) else {
        return;
    };
    let original = hpa.status.clone();
    let spec = hpa.spec.clone().unwrap_or_default();
    let target = &spec.scale_target_ref;
    let ns = key.0.clone();

    let scale = match get_scale(w, &ns, target.api_version.as_deref().unwrap_or(""), &target.kind, &target.name) {
        Ok(s) => s,
        Err(e) => {
            event(w, &hpa, EventType::Warning, "FailedGetScale", &e);
            set_condition(
                &mut hpa,
                "AbleToScale",
                false,
                "FailedGetScale",
                &format!("the HPA controller was unable to get the target's current scale: {e}"),
                now,
            );
            update_status_if_needed(w, &original, &hpa);
            return;
        }
    };
    set_condition(
        &mut hpa,
        "AbleToScale",
        true,
        "SucceededGetScale",
        "the HPA controller was able to get the target's current scale",
        now,
    );
    let current = scale.spec_replicas;
    w.controllers.hpa.recommendations.entry(key.clone()).or_insert_with(|| vec![(current, now)]);
    let min = spec.min_replicas.unwrap_or(1);
    let max = spec.max_replicas;

    let mut desired = 0;
    let mut reason = String::new();
    let mut rescale = true;
    let mut statuses: Option<Vec<MetricStatus>> = None;
    if current == 0 && min != 0 {
        rescale = false;
        set_condition(
            &mut hpa,
            "ScalingActive",
            false,
            "ScalingDisabled",
            "scaling is disabled since the replica count of the target is zero",
            now,
        );
    } else if current > max {
        reason = "Current number of replicas above Spec.MaxReplicas".into();
        desired = max;
    } else if current < min {
        reason = "Current number of replicas below Spec.MinReplicas".into();
        desired = min;
    } else {
        let specs = spec.metrics.clone().unwrap_or_default();
        let outcome = compute_replicas_for_metrics(w, &mut hpa, &scale, &specs);
        statuses = Some(outcome.statuses);
        if let Some(err) = outcome.error.filter(|_| outcome.replicas == -1) {
            let desired_before = hpa.status.as_ref().map_or(0, |s| s.desired_replicas);
            set_status(&mut hpa, current, desired_before, statuses, false, now);
            update_status_if_needed(w, &original, &hpa);
            event(w, &hpa, EventType::Warning, "FailedComputeMetricsReplicas", &err);
            return;
        }
        let mut rescale_metric = String::new();
        if outcome.replicas > desired {
            desired = outcome.replicas;
            rescale_metric = outcome.metric;
        }
        if desired > current {
            reason = format!("{rescale_metric} above target");
        }
        if desired < current {
            reason = "All metrics below target".into();
        }
        desired = match &spec.behavior {
            None => normalize(w, &mut hpa, key, current, desired, min, max),
            Some(b) => normalize_with_behavior(w, &mut hpa, key, b, current, desired, min, max),
        };
        rescale = desired != current;
    }

    if rescale {
        let mut obj = scale.obj.clone();
        match &mut obj {
            Object::Deployment(d) => {
                std::sync::Arc::make_mut(d).spec.get_or_insert_with(Default::default).replicas = Some(desired)
            }
            Object::ReplicaSet(r) => {
                std::sync::Arc::make_mut(r).spec.get_or_insert_with(Default::default).replicas = Some(desired)
            }
            Object::StatefulSet(s) => s.spec.get_or_insert_with(Default::default).replicas = Some(desired),
            _ => {}
        }
        if let Err(e) = w.api_update(obj, WriteOptions::default()) {
            event(
                w,
                &hpa,
                EventType::Warning,
                "FailedRescale",
                &format!("New size: {desired}; reason: {reason}; error: {}", e.message),
            );
            set_condition(
                &mut hpa,
                "AbleToScale",
                false,
                "FailedUpdateScale",
                &format!("the HPA controller was unable to update the target scale: {}", e.message),
                now,
            );
            let desired_before = hpa.status.as_ref().map_or(0, |s| s.desired_replicas);
            set_status(&mut hpa, current, desired_before, statuses, false, now);
            update_status_if_needed(w, &original, &hpa);
            return;
        }
        set_condition(
            &mut hpa,
            "AbleToScale",
            true,
            "SucceededRescale",
            &format!("the HPA controller was able to update the target scale to {desired}"),
            now,
        );
        event(w, &hpa, EventType::Normal, "SuccessfulRescale", &format!("New size: {desired}; reason: {reason}"));
        store_scale_event(w, key, spec.behavior.as_ref(), current, desired);
    } else {
        desired = current;
    }
    set_status(&mut hpa, current, desired, statuses, rescale, now);
    update_status_if_needed(w, &original, &hpa);
}

struct MetricsOutcome {
    replicas: i32,
    metric: String,
    statuses: Vec<MetricStatus>,
    error: Option<String>,
}

/// A failed metric: the condition to set and the error.
struct MetricFailure {
    reason: &'static str,
    message: String,
    error: String,
}

fn compute_replicas_for_metrics(
    w: &mut World,
    hpa: &mut HorizontalPodAutoscaler,
    scale: &Scale,
    specs: &[MetricSpec],
) -> MetricsOutcome {
    let now = w.now;
    let Some(selector) = scale.selector.clone() else {
        event(w, hpa, EventType::Warning, "SelectorRequired", "selector is required");
        set_condition(
            hpa,
            "ScalingActive",
            false,
            "InvalidSelector",
            "the HPA target's scale is missing a selector",
            now,
        );
        return MetricsOutcome {
            replicas: -1,
            metric: String::new(),
            statuses: vec![],
            error: Some("selector is required".into()),
        };
    };
    let mut statuses = vec![MetricStatus::default(); specs.len()];
    let mut replicas = 0;
    let mut metric = String::new();
    let mut invalid = 0;
    let mut first_failure: Option<MetricFailure> = None;
    for (i, spec) in specs.iter().enumerate() {
        match compute_replicas_for_metric(w, hpa, spec, scale, &selector) {
            Ok((proposal, name, status)) => {
                statuses[i] = status;
                if replicas == 0 || proposal > replicas {
                    replicas = proposal;
                    metric = name;
                }
            }
            Err(f) => {
                if invalid == 0 {
                    first_failure = Some(f);
                }
                invalid += 1;
            }
        }
    }
    let error = first_failure
        .as_ref()
        .map(|f| format!("invalid metrics ({invalid} invalid out of {}), first error is: {}", specs.len(), f.error));
    if invalid >= specs.len() || (invalid > 0 && replicas < scale.spec_replicas) {
        if let Some(f) = &first_failure {
            set_condition(hpa, "ScalingActive", false, f.reason, &f.message, now);
        }
        return MetricsOutcome { replicas: -1, metric: String::new(), statuses, error };
    }
    set_condition(
        hpa,
        "ScalingActive",
        true,
        "ValidMetricFound",
        &format!("the HPA was able to successfully calculate a replica count from {metric}"),
        now,
    );
    MetricsOutcome { replicas, metric, statuses, error }
}

/// `getUnableComputeReplicaCountCondition`: records the event and makes the condition.
fn unable(
    w: &mut World,
    hpa: &HorizontalPodAutoscaler,
    reason: &'static str,
    err: &str,
    wrapped: String,
) -> MetricFailure {
    event(w, hpa, EventType::Warning, reason, err);
    MetricFailure { reason, message: format!("the HPA was unable to compute the replica count: {err}"), error: wrapped }
}

fn compute_replicas_for_metric(
    w: &mut World,
    hpa: &HorizontalPodAutoscaler,
    spec: &MetricSpec,
    scale: &Scale,
    selector: &Selector,
) -> Result<(i32, String, MetricStatus), MetricFailure> {
    let ns = hpa.metadata.namespace.clone().unwrap_or_default();
    match spec.type_.as_str() {
        "Resource" => {
            let src = spec.resource.clone().unwrap_or_default();
            match resource_replicas(w, &ns, scale.spec_replicas, &src.target, &src.name, "", selector, false) {
                Ok((r, name, current)) => Ok((
                    r,
                    name,
                    MetricStatus {
                        type_: "Resource".into(),
                        resource: Some(ResourceMetricStatus { name: src.name.clone(), current }),
                        ..Default::default()
                    },
                )),
                Err(e) => {
                    let wrapped = format!("failed to get {} resource metric value: {e}", src.name);
                    Err(unable(w, hpa, "FailedGetResourceMetric", &e, wrapped))
                }
            }
        }
        "ContainerResource" => {
            let src = spec.container_resource.clone().unwrap_or_default();
            match resource_replicas(w, &ns, scale.spec_replicas, &src.target, &src.name, &src.container, selector, true)
            {
                Ok((r, name, current)) => Ok((
                    r,
                    name,
                    MetricStatus {
                        type_: "ContainerResource".into(),
                        container_resource: Some(ContainerResourceMetricStatus {
                            name: src.name.clone(),
                            container: src.container.clone(),
                            current,
                        }),
                        ..Default::default()
                    },
                )),
                Err(e) => {
                    let wrapped = format!("failed to get {} container metric value: {e}", src.container);
                    Err(unable(w, hpa, "FailedGetContainerResourceMetric", &e, wrapped))
                }
            }
        }
        // No custom metrics adapter (prometheus-adapter...) runs in the cluster.
        "Pods" => {
            let name = spec.pods.as_ref().map(|p| p.metric.name.clone()).unwrap_or_default();
            let e = format!(
                "unable to get metric {name}: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered"
            );
            let wrapped = format!("failed to get pods metric value: {e}");
            Err(unable(w, hpa, "FailedGetPodsMetric", &e, wrapped))
        }
        "Object" => {
            let o = spec.object.clone().unwrap_or_default();
            let e = format!(
                "unable to get metric {}: {} on {} {}/unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered",
                o.metric.name, o.described_object.kind, ns, o.described_object.name
            );
            let wrapped = format!("failed to get object metric value: {e}");
            Err(unable(w, hpa, "FailedGetObjectMetric", &e, wrapped))
        }
        "External" => {
            let name = spec.external.as_ref().map(|x| x.metric.name.clone()).unwrap_or_default();
            let inner = format!(
                "unable to get external metric {ns}/{name}/nil: unable to fetch metrics from external metrics API: the server could not find the requested resource (get {name}.external.metrics.k8s.io)"
            );
            let e = format!("failed to get external metric {name}: {inner}");
            let wrapped = format!("failed to get {name} external metric value: {e}");
            Err(unable(w, hpa, "FailedGetExternalMetric", &inner, wrapped))
        }
        other => {
            let e = format!("unknown metric source type \"{other}\"");
            Err(unable(w, hpa, "InvalidMetricSourceType", &e, e.clone()))
        }
    }
}

/// One pod's metric, as the HPA's metrics client returns it (milli-units).
#[derive(Clone, Copy, Debug)]
struct PodMetric {
    value: i64,
    timestamp: i64,
    window_s: i64,
}

/// `resourceMetricsClient.GetResourceMetric`.
fn get_resource_metric(
    w: &World,
    ns: &str,
    resource: &str,
    selector: &Selector,
    container: &str,
) -> Result<(BTreeMap<String, PodMetric>, i64), String> {
    let items: Vec<PodMetrics> = w
        .list_pod_metrics(Some(ns), selector)
        .map_err(|e| format!("unable to fetch metrics from resource metrics API: {}", e.message))?;
    if items.is_empty() {
        return Err("no metrics returned from resource metrics API".into());
    }
    // Quantity.MilliValue() of a container's usage: CPU rounds up to a millicore, memory is
    // bytes × 1000.
    let milli = |c: &crate::sim::metrics::ContainerMetrics| match resource {
        "cpu" => (c.cpu_nano + 999_999).div_euclid(1_000_000),
        "memory" => c.memory * 1000,
        _ => 0,
    };
    let known = matches!(resource, "cpu" | "memory");
    let mut res = BTreeMap::new();
    for m in &items {
        if !container.is_empty() {
            match m.containers.iter().find(|c| c.name == container) {
                Some(c) => {
                    if known {
                        res.insert(
                            m.name.clone(),
                            PodMetric { value: milli(c), timestamp: m.timestamp, window_s: m.window_s },
                        );
                    }
                }
                None => {
                    return Err(format!(
                        "failed to get container metrics: container {container} not present in metrics for pod {}/{}",
                        m.namespace, m.name
                    ))
                }
            }
        } else if known && !m.containers.is_empty() {
            let sum = m.containers.iter().map(milli).sum();
            res.insert(m.name.clone(), PodMetric { value: sum, timestamp: m.timestamp, window_s: m.window_s });
        }
    }
    Ok((res, items[0].timestamp))
}

fn quantity_milli(m: i64) -> Quantity {
    Quantity(crate::sim::quantity::format_cpu_milli(m))
}

/// `computeStatusForResourceMetricGeneric`: the proposal, the metric's name and its current value.
#[allow(clippy::too_many_arguments)]
fn resource_replicas(
    w: &World,
    ns: &str,
    current: i32,
    target: &MetricTarget,
    resource: &str,
    container: &str,
    selector: &Selector,
    container_metric: bool,
) -> Result<(i32, String, MetricValueStatus), String> {
    if let Some(av) = &target.average_value {
        let target_milli = crate::sim::quantity::parse_milli(&av.0).unwrap_or(0);
        let (r, usage) = raw_resource_replicas(w, ns, current, target_milli, resource, selector, container)
            .map_err(|e| format!("failed to get {resource} usage: {e}"))?;
        return Ok((
            r,
            format!("{resource} resource"),
            MetricValueStatus { average_value: Some(quantity_milli(usage)), ..Default::default() },
        ));
    }
    let Some(util) = target.average_utilization else {
        return Err(
            "invalid resource metric source: neither an average utilization target nor an average value (usage) target was set"
                .into(),
        );
    };
    let (r, pct, raw) = utilization_replicas(w, ns, current, util, resource, selector, container)
        .map_err(|e| format!("failed to get {resource} utilization: {e}"))?;
    let name = if container_metric {
        format!("{resource} container resource utilization (percentage of request)")
    } else {
        format!("{resource} resource utilization (percentage of request)")
    };
    Ok((
        r,
        name,
        MetricValueStatus {
            average_utilization: Some(pct),
            average_value: Some(quantity_milli(raw)),
            ..Default::default()
        },
    ))
}

fn pod_condition_ready(p: &Pod) -> Option<(bool, Option<Tick>)> {
    let c = p.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == "Ready")?;
    Some((c.status == "True", c.last_transition_time.as_ref().map(tick_of)))
}

struct Groups {
    ready: usize,
    unready: Vec<String>,
    missing: Vec<String>,
    ignored: Vec<String>,
}

/// `groupPods`.
fn group_pods(pods: &[&Pod], metrics: &BTreeMap<String, PodMetric>, resource: &str, now: Tick) -> Groups {
    let mut g = Groups { ready: 0, unready: vec![], missing: vec![], ignored: vec![] };
    for p in pods {
        let name = p.metadata.name.clone().unwrap_or_default();
        let phase = p.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("");
        if p.metadata.deletion_timestamp.is_some() || phase == "Failed" {
            g.ignored.push(name);
            continue;
        }
        if phase == "Pending" {
            g.unready.push(name);
            continue;
        }
        let Some(metric) = metrics.get(&name) else {
            g.missing.push(name);
            continue;
        };
        if resource == "cpu" {
            let start = p.status.as_ref().and_then(|s| s.start_time.as_ref()).map(tick_of);
            let unready = match (pod_condition_ready(p), start) {
                (Some((ready, transition)), Some(start)) => {
                    let transition = transition.map_or(0, |t| t.0 as i64);
                    if start.plus_s(CPU_INITIALIZATION_PERIOD_S) > now {
                        // Still initialising: ignore an unready pod, or a sample that does not
                        // cover a full window since the pod's last readiness change.
                        !ready || metric.timestamp < transition + metric.window_s
                    } else {
                        // Ignore a pod that is unready and never was ready.
                        !ready && (start.plus_s(INITIAL_READINESS_DELAY_S).0 as i64) > transition
                    }
                }
                _ => true,
            };
            if unready {
                g.unready.push(name);
                continue;
            }
        }
        g.ready += 1;
    }
    g
}

/// `calculatePodRequests`: each pod's request of the resource (milli-units).
fn pod_requests(pods: &[&Pod], container: &str, resource: &str) -> Result<BTreeMap<String, i64>, String> {
    let mut out = BTreeMap::new();
    for p in pods {
        let name = p.metadata.name.clone().unwrap_or_default();
        let spec = p.spec.clone().unwrap_or_default();
        let mut cs = spec.containers.clone();
        for c in spec.init_containers.iter().flatten() {
            if c.restart_policy.as_deref() == Some("Always") {
                cs.push(c.clone());
            }
        }
        let mut sum = 0;
        for c in &cs {
            if container.is_empty() || container == c.name {
                match c.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get(resource)) {
                    Some(q) => sum += crate::sim::quantity::parse_milli(&q.0).unwrap_or(0),
                    None => {
                        return Err(format!("missing request for {resource} in container {} of Pod {name}", c.name))
                    }
                }
            }
        }
        out.insert(name, sum);
    }
    Ok(out)
}

/// The pods the HPA's lister sees for the selector, by name.
fn selected_pods<'a>(w: &'a World, ns: &str, selector: &Selector) -> Vec<&'a Pod> {
    w.store
        .list(Kind::Pod, Some(ns))
        .into_iter()
        .filter(|o| selector.matches(&o.meta().labels.clone().unwrap_or_default()))
        .filter_map(|o| o.as_pod())
        .collect()
}

/// `GetResourceUtilizationRatio`: (ratio, utilization %, average raw value).
fn utilization_ratio(
    metrics: &BTreeMap<String, PodMetric>,
    requests: &BTreeMap<String, i64>,
    target: i32,
) -> Result<(f64, i32, i64), String> {
    let (mut total, mut req_total, mut n) = (0i64, 0i64, 0i64);
    for (pod, m) in metrics {
        let Some(r) = requests.get(pod) else { continue };
        total += m.value;
        req_total += r;
        n += 1;
    }
    if req_total == 0 {
        return Err("no metrics returned matched known pods".into());
    }
    let util = (total * 100 / req_total) as i32;
    Ok((f64::from(util) / f64::from(target), util, total / n))
}

/// `ReplicaCalculator.GetResourceReplicas`: (replicas, utilization %, raw average).
fn utilization_replicas(
    w: &World,
    ns: &str,
    current: i32,
    target: i32,
    resource: &str,
    selector: &Selector,
    container: &str,
) -> Result<(i32, i32, i64), String> {
    let (mut metrics, _) = get_resource_metric(w, ns, resource, selector, container)
        .map_err(|e| format!("unable to get metrics for resource {resource}: {e}"))?;
    let pods = selected_pods(w, ns, selector);
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    let g = group_pods(&pods, &metrics, resource, w.now);
    for p in g.ignored.iter().chain(g.unready.iter()) {
        metrics.remove(p);
    }
    if metrics.is_empty() {
        return Err("did not receive metrics for targeted pods (pods might be unready)".into());
    }
    let requests = pod_requests(&pods, container, resource)?;
    let (ratio, util, raw) = utilization_ratio(&metrics, &requests, target)?;
    let scale_up_with_unready = !g.unready.is_empty() && ratio > 1.0;
    if !scale_up_with_unready && g.missing.is_empty() {
        if (1.0 - ratio).abs() <= TOLERANCE {
            return Ok((current, util, raw));
        }
        return Ok(((ratio * g.ready as f64).ceil() as i32, util, raw));
    }
    if !g.missing.is_empty() {
        if ratio < 1.0 {
            // On a scale down, a pod without metrics counts as using all its request (or the
            // target, when that is above 100 %).
            let fallback = i64::from(target.max(100));
            for p in &g.missing {
                let r = requests.get(p).copied().unwrap_or(0);
                metrics.insert(p.clone(), PodMetric { value: r * fallback / 100, timestamp: 0, window_s: 0 });
            }
        } else if ratio > 1.0 {
            for p in &g.missing {
                metrics.insert(p.clone(), PodMetric { value: 0, timestamp: 0, window_s: 0 });
            }
        }
    }
    if scale_up_with_unready {
        for p in &g.unready {
            metrics.insert(p.clone(), PodMetric { value: 0, timestamp: 0, window_s: 0 });
        }
    }
    let (new_ratio, _, _) = utilization_ratio(&metrics, &requests, target)?;
    if (1.0 - new_ratio).abs() <= TOLERANCE || (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0) {
        return Ok((current, util, raw));
    }
    let new = (new_ratio * metrics.len() as f64).ceil() as i32;
    if (new_ratio < 1.0 && new > current) || (new_ratio > 1.0 && new < current) {
        return Ok((current, util, raw));
    }
    Ok((new, util, raw))
}

/// `GetRawResourceReplicas` / `calcPlainMetricReplicas`: (replicas, average usage).
fn raw_resource_replicas(
    w: &World,
    ns: &str,
    current: i32,
    target: i64,
    resource: &str,
    selector: &Selector,
    container: &str,
) -> Result<(i32, i64), String> {
    let (mut metrics, _) = get_resource_metric(w, ns, resource, selector, container)
        .map_err(|e| format!("unable to get metrics for resource {resource}: {e}"))?;
    let pods = selected_pods(w, ns, selector);
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    let g = group_pods(&pods, &metrics, resource, w.now);
    for p in g.ignored.iter().chain(g.unready.iter()) {
        metrics.remove(p);
    }
    if metrics.is_empty() {
        return Err("did not receive metrics for targeted pods (pods might be unready)".into());
    }
    let usage_of = |m: &BTreeMap<String, PodMetric>| {
        let total: i64 = m.values().map(|p| p.value).sum();
        let usage = total / m.len() as i64;
        (usage as f64 / target as f64, usage)
    };
    let (ratio, usage) = usage_of(&metrics);
    let scale_up_with_unready = !g.unready.is_empty() && ratio > 1.0;
    if !scale_up_with_unready && g.missing.is_empty() {
        if (1.0 - ratio).abs() <= TOLERANCE {
            return Ok((current, usage));
        }
        return Ok(((ratio * g.ready as f64).ceil() as i32, usage));
    }
    if !g.missing.is_empty() {
        let fill = if ratio < 1.0 {
            Some(target)
        } else if ratio > 1.0 {
            Some(0)
        } else {
            None
        };
        if let Some(v) = fill {
            for p in &g.missing {
                metrics.insert(p.clone(), PodMetric { value: v, timestamp: 0, window_s: 0 });
            }
        }
    }
    if scale_up_with_unready {
        for p in &g.unready {
            metrics.insert(p.clone(), PodMetric { value: 0, timestamp: 0, window_s: 0 });
        }
    }
    let (new_ratio, _) = usage_of(&metrics);
    if (1.0 - new_ratio).abs() <= TOLERANCE || (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0) {
        return Ok((current, usage));
    }
    let new = (new_ratio * metrics.len() as f64).ceil() as i32;
    if (new_ratio < 1.0 && new > current) || (new_ratio > 1.0 && new < current) {
        return Ok((current, usage));
    }
    Ok((new, usage))
}

/// `normalizeDesiredReplicas` (no `behavior`): the highest recommendation of the downscale
/// stabilization window, then min/max and the scale-up limit max(2 × current, 4).
fn normalize(
    w: &mut World,
    hpa: &mut HorizontalPodAutoscaler,
    key: &Key,
    current: i32,
    desired: i32,
    min: i32,
    max: i32,
) -> i32 {
    let now = w.now;
    let stabilized = {
        let recs = w.controllers.hpa.recommendations.entry(key.clone()).or_default();
        let cutoff = now.0 as i64 - DOWNSCALE_STABILIZATION_S as i64;
        let mut best = desired;
        let mut old: Option<usize> = None;
        for (i, (r, t)) in recs.iter().enumerate() {
            if (t.0 as i64) < cutoff {
                old = Some(i);
            } else if *r > best {
                best = *r;
            }
        }
        match old {
            Some(i) => recs[i] = (desired, now),
            None => recs.push((desired, now)),
        }
        best
    };
    if stabilized != desired {
        set_condition(
            hpa,
            "AbleToScale",
            true,
            "ScaleDownStabilized",
            "recent recommendations were higher than current one, applying the highest recent recommendation",
            now,
        );
    } else {
        set_condition(hpa, "AbleToScale", true, "ReadyForNewScale", "recommended size matches current size", now);
    }
    let scale_up_limit = (2.0 * f64::from(current)).max(4.0) as i32;
    let (max_allowed, mut reason, mut message) = if max > scale_up_limit {
        (scale_up_limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
    } else {
        (max, "TooManyReplicas", "the desired replica count is more than the maximum replica count")
    };
    let result = if stabilized < min {
        reason = "TooFewReplicas";
        message = "the desired replica count is less than the minimum replica count";
        min
    } else if stabilized > max_allowed {
        max_allowed
    } else {
        reason = "DesiredWithinRange";
        message = "the desired count is within the acceptable range";
        stabilized
    };
    set_condition(hpa, "ScalingLimited", result != stabilized, reason, message, now);
    result
}

fn replicas_changed_within(period_s: i32, events: &[ScaleEvent], now: Tick) -> i32 {
    let cutoff = now.0 as i64 - i64::from(period_s);
    events.iter().filter(|e| (e.at.0 as i64) > cutoff).map(|e| e.change).sum()
}

fn policies(r: &HPAScalingRules) -> &[k8s_openapi::api::autoscaling::v2::HPAScalingPolicy] {
    r.policies.as_deref().unwrap_or(&[])
}

/// `normalizeDesiredReplicasWithBehaviors`: stabilization windows for both directions, then
/// the scaling policies' rate limits and min/max.
#[allow(clippy::too_many_arguments)]
fn normalize_with_behavior(
    w: &mut World,
    hpa: &mut HorizontalPodAutoscaler,
    key: &Key,
    behavior: &k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerBehavior,
    current: i32,
    desired: i32,
    min: i32,
    max: i32,
) -> i32 {
    let now = w.now;
    let up = behavior.scale_up.clone().unwrap_or_default();
    let mut down = behavior.scale_down.clone().unwrap_or_default();
    if down.stabilization_window_seconds.is_none() {
        down.stabilization_window_seconds = Some(DOWNSCALE_STABILIZATION_S as i32);
    }
    // stabilizeRecommendationWithBehaviors.
    let stabilized = {
        let recs = w.controllers.hpa.recommendations.entry(key.clone()).or_default();
        let up_cutoff = now.0 as i64 - i64::from(up.stabilization_window_seconds.unwrap_or(0));
        let down_cutoff = now.0 as i64 - i64::from(down.stabilization_window_seconds.unwrap_or(0));
        let (mut up_rec, mut down_rec) = (desired, desired);
        let mut old: Option<usize> = None;
        for (i, (r, t)) in recs.iter().enumerate() {
            let t = t.0 as i64;
            if t > up_cutoff {
                up_rec = up_rec.min(*r);
            }
            if t > down_cutoff {
                down_rec = down_rec.max(*r);
            }
            if t < up_cutoff && t < down_cutoff {
                old = Some(i);
            }
        }
        let mut rec = current;
        if rec < up_rec {
            rec = up_rec;
        }
        if rec > down_rec {
            rec = down_rec;
        }
        match old {
            Some(i) => recs[i] = (desired, now),
            None => recs.push((desired, now)),
        }
        rec
    };
    if stabilized != desired {
        if desired >= current {
            set_condition(
                hpa,
                "AbleToScale",
                true,
                "ScaleUpStabilized",
                "recent recommendations were lower than current one, applying the lowest recent recommendation",
                now,
            );
        } else {
            set_condition(
                hpa,
                "AbleToScale",
                true,
                "ScaleDownStabilized",
                "recent recommendations were higher than current one, applying the highest recent recommendation",
                now,
            );
        }
    } else {
        set_condition(hpa, "AbleToScale", true, "ReadyForNewScale", "recommended size matches current size", now);
    }
    // convertDesiredReplicasWithBehaviorRate.
    let ups = w.controllers.hpa.scale_up_events.get(key).cloned().unwrap_or_default();
    let downs = w.controllers.hpa.scale_down_events.get(key).cloned().unwrap_or_default();
    let (mut result, mut reason, mut message) =
        (stabilized, "DesiredWithinRange", "the desired count is within the acceptable range");
    if stabilized > current {
        let limit = scale_up_limit(current, &ups, &downs, &up, now).max(current);
        let (max_allowed, r, m) = if max > limit {
            (limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
        } else {
            (max, "TooManyReplicas", "the desired replica count is more than the maximum replica count")
        };
        if stabilized > max_allowed {
            (result, reason, message) = (max_allowed, r, m);
        }
    } else if stabilized < current {
        let limit = scale_down_limit(current, &ups, &downs, &down, now).min(current);
        let (min_allowed, r, m) = if min < limit {
            (limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate")
        } else {
            (min, "TooFewReplicas", "the desired replica count is less than the minimum replica count")
        };
        if stabilized < min_allowed {
            (result, reason, message) = (min_allowed, r, m);
        }
    }
    set_condition(hpa, "ScalingLimited", result != stabilized, reason, message, now);
    result
}

/// `calculateScaleUpLimitWithScalingRules`.
fn scale_up_limit(current: i32, ups: &[ScaleEvent], downs: &[ScaleEvent], rules: &HPAScalingRules, now: Tick) -> i32 {
    let select = rules.select_policy.as_deref().unwrap_or("Max");
    if select == "Disabled" {
        return current;
    }
    let mut result = if select == "Min" { i32::MAX } else { i32::MIN };
    for p in policies(rules) {
        let added = replicas_changed_within(p.period_seconds, ups, now);
        let deleted = replicas_changed_within(p.period_seconds, downs, now);
        let start = current - added + deleted;
        let proposed = match p.type_.as_str() {
            "Pods" => start + p.value,
            _ => (f64::from(start) * (1.0 + f64::from(p.value) / 100.0)).ceil() as i32,
        };
        result = if select == "Min" { result.min(proposed) } else { result.max(proposed) };
    }
    result
}

/// `calculateScaleDownLimitWithBehaviors`.
fn scale_down_limit(current: i32, ups: &[ScaleEvent], downs: &[ScaleEvent], rules: &HPAScalingRules, now: Tick) -> i32 {
    let select = rules.select_policy.as_deref().unwrap_or("Max");
    if select == "Disabled" {
        return current;
    }
    let mut result = if select == "Min" { i32::MIN } else { i32::MAX };
    for p in policies(rules) {
        let added = replicas_changed_within(p.period_seconds, ups, now);
        let deleted = replicas_changed_within(p.period_seconds, downs, now);
        let start = current - added + deleted;
        let proposed = match p.type_.as_str() {
            "Pods" => start - p.value,
            _ => (f64::from(start) * (1.0 - f64::from(p.value) / 100.0)) as i32,
        };
        result = if select == "Min" { result.max(proposed) } else { result.min(proposed) };
    }
    result
}

/// `storeScaleEvent`: remembered only for HPAs with a behavior (policies need them).
fn store_scale_event(
    w: &mut World,
    key: &Key,
    behavior: Option<&k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerBehavior>,
    prev: i32,
    new: i32,
) {
    let Some(b) = behavior else { return };
    let now = w.now;
    let (rules, events, change) = if new > prev {
        (
            b.scale_up.clone().unwrap_or_default(),
            w.controllers.hpa.scale_up_events.entry(key.clone()).or_default(),
            new - prev,
        )
    } else {
        (
            b.scale_down.clone().unwrap_or_default(),
            w.controllers.hpa.scale_down_events.entry(key.clone()).or_default(),
            prev - new,
        )
    };
    let longest = policies(&rules).iter().map(|p| p.period_seconds).max().unwrap_or(0);
    let cutoff = now.0 as i64 - i64::from(longest);
    let mut old: Option<usize> = None;
    for (i, e) in events.iter_mut().enumerate() {
        if (e.at.0 as i64) < cutoff {
            e.outdated = true;
        }
        if e.outdated {
            old = Some(i);
        }
    }
    let ev = ScaleEvent { change, at: now, outdated: false };
    match old {
        Some(i) => events[i] = ev,
        None => events.push(ev),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utilization_is_total_usage_over_total_requests() {
        let m = |v| PodMetric { value: v, timestamp: 0, window_s: 15 };
        let metrics: BTreeMap<String, PodMetric> = [("a".to_string(), m(150)), ("b".to_string(), m(50))].into();
        let requests: BTreeMap<String, i64> = [("a".to_string(), 100), ("b".to_string(), 100)].into();
        let (ratio, util, raw) = utilization_ratio(&metrics, &requests, 50).unwrap();
        assert_eq!((util, raw), (100, 100));
        assert!((ratio - 2.0).abs() < 1e-9);
    }

    #[test]
    fn default_policies_limit_scale_up_to_four_pods_or_double() {
        let rules = HPAScalingRules {
            stabilization_window_seconds: Some(0),
            select_policy: Some("Max".into()),
            policies: Some(vec![
                k8s_openapi::api::autoscaling::v2::HPAScalingPolicy {
                    type_: "Pods".into(),
                    value: 4,
                    period_seconds: 15,
                },
                k8s_openapi::api::autoscaling::v2::HPAScalingPolicy {
                    type_: "Percent".into(),
                    value: 100,
                    period_seconds: 15,
                },
            ]),
        };
        assert_eq!(scale_up_limit(1, &[], &[], &rules, Tick(100)), 5);
        assert_eq!(scale_up_limit(10, &[], &[], &rules, Tick(100)), 20);
        // 4 pods were added 10 s ago: within the period the start was 1.
        let ev = [ScaleEvent { change: 4, at: Tick(90), outdated: false }];
        assert_eq!(scale_up_limit(5, &ev, &[], &rules, Tick(100)), 5);
        assert_eq!(scale_up_limit(5, &ev, &[], &rules, Tick(106)), 10);
    }

    #[test]
    fn percent_scale_down_limit_rounds_down() {
        let rules = HPAScalingRules {
            stabilization_window_seconds: None,
            select_policy: Some("Max".into()),
            policies: Some(vec![k8s_openapi::api::autoscaling::v2::HPAScalingPolicy {
                type_: "Percent".into(),
                value: 10,
                period_seconds: 60,
            }]),
        };
        assert_eq!(scale_down_limit(10, &[], &[], &rules, Tick(100)), 9);
        assert_eq!(scale_down_limit(5, &[], &[], &rules, Tick(100)), 4);
    }
}
