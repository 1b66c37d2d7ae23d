//! The API server's handling of `autoscaling/v2` HorizontalPodAutoscalers: defaulting
//! (pkg/apis/autoscaling/v2/defaults.go) and validation (pkg/apis/autoscaling/validation),
//! with the server's texts.
//!
//! Default values: `minReplicas` 1; no metrics → CPU at 80 % average utilization; a
//! `behavior` that is given is completed (scale up: no stabilization window, policy `Max` of
//! 4 pods or 100 % every 15 s; scale down: the controller's 300 s window, `Max`, 100 % every
//! 15 s).

use k8s_openapi::api::autoscaling::v2::{
    HPAScalingPolicy, HPAScalingRules, HorizontalPodAutoscaler, MetricSpec, MetricTarget, ResourceMetricSource,
};

use super::errors::{BadValue, FieldError};
use super::validate::{validate_object_meta, NameRule};

/// `autoscaling.DefaultCPUUtilization`.
pub const DEFAULT_CPU_UTILIZATION: i32 = 80;

fn default_scale_up() -> HPAScalingRules {
    HPAScalingRules {
        stabilization_window_seconds: Some(0),
        select_policy: Some("Max".into()),
        policies: Some(vec![
            HPAScalingPolicy { type_: "Pods".into(), value: 4, period_seconds: 15 },
            HPAScalingPolicy { type_: "Percent".into(), value: 100, period_seconds: 15 },
        ]),
    }
}

fn default_scale_down() -> HPAScalingRules {
    HPAScalingRules {
        // Left unset: the controller's --horizontal-pod-autoscaler-downscale-stabilization applies.
        stabilization_window_seconds: None,
        select_policy: Some("Max".into()),
        policies: Some(vec![HPAScalingPolicy { type_: "Percent".into(), value: 100, period_seconds: 15 }]),
    }
}

/// `copyHPAScalingRules`: the given fields over the defaults.
fn complete_rules(given: Option<HPAScalingRules>, defaults: HPAScalingRules) -> HPAScalingRules {
    let Some(g) = given else { return defaults };
    HPAScalingRules {
        select_policy: g.select_policy.or(defaults.select_policy),
        stabilization_window_seconds: g.stabilization_window_seconds.or(defaults.stabilization_window_seconds),
        policies: g.policies.or(defaults.policies),
    }
}

/// `SetDefaults_HorizontalPodAutoscaler`.
pub fn default_hpa(h: &mut HorizontalPodAutoscaler) {
    let spec = h.spec.get_or_insert_with(Default::default);
    if spec.min_replicas.is_none() {
        spec.min_replicas = Some(1);
    }
    if spec.metrics.as_ref().is_none_or(|m| m.is_empty()) {
        spec.metrics = Some(vec![MetricSpec {
            type_: "Resource".into(),
            resource: Some(ResourceMetricSource {
                name: "cpu".into(),
                target: MetricTarget {
                    type_: "Utilization".into(),
                    average_utilization: Some(DEFAULT_CPU_UTILIZATION),
                    ..Default::default()
                },
            }),
            ..Default::default()
        }]);
    }
    if let Some(b) = spec.behavior.as_mut() {
        b.scale_up = Some(complete_rules(b.scale_up.take(), default_scale_up()));
        b.scale_down = Some(complete_rules(b.scale_down.take(), default_scale_down()));
    }
    // The status is a Go struct (never omitted) whose `desiredReplicas` has no omitempty: a
    // new HPA reads back with `status: {desiredReplicas: 0}`.
    if h.status.is_none() {
        h.status = Some(Default::default());
    }
}

/// `pathvalidation.IsValidPathSegmentName`.
fn path_segment_errs(s: &str) -> Vec<String> {
    if s == "." || s == ".." {
        return vec![format!("may not be '{s}'")];
    }
    let mut errs = Vec::new();
    for c in ["/", "%"] {
        if s.contains(c) {
            errs.push(format!("may not contain '{c}'"));
        }
    }
    errs
}

fn validate_ref(r: &k8s_openapi::api::autoscaling::v2::CrossVersionObjectReference, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if r.kind.is_empty() {
        errs.push(FieldError::required(format!("{path}.kind"), ""));
    } else {
        for m in path_segment_errs(&r.kind) {
            errs.push(FieldError::invalid(format!("{path}.kind"), BadValue::Str(r.kind.clone()), m));
        }
    }
    if r.name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    } else {
        for m in path_segment_errs(&r.name) {
            errs.push(FieldError::invalid(format!("{path}.name"), BadValue::Str(r.name.clone()), m));
        }
    }
    errs
}

fn quantity_positive(q: &k8s_openapi::apimachinery::pkg::api::resource::Quantity) -> bool {
    crate::sim::quantity::parse_milli(&q.0).is_ok_and(|m| m > 0)
}

fn validate_target(t: &MetricTarget, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if t.type_.is_empty() {
        errs.push(FieldError::required(format!("{path}.type"), "must specify a metric target type"));
    }
    if !matches!(t.type_.as_str(), "Utilization" | "Value" | "AverageValue") {
        errs.push(FieldError::invalid(
            format!("{path}.type"),
            BadValue::Str(t.type_.clone()),
            "must be either Utilization, Value, or AverageValue",
        ));
    }
    if let Some(v) = t.value.as_ref().filter(|v| !quantity_positive(v)) {
        errs.push(FieldError::invalid(format!("{path}.value"), BadValue::Raw(v.0.clone()), "must be positive"));
    }
    if let Some(v) = t.average_value.as_ref().filter(|v| !quantity_positive(v)) {
        errs.push(FieldError::invalid(format!("{path}.averageValue"), BadValue::Raw(v.0.clone()), "must be positive"));
    }
    if let Some(u) = t.average_utilization.filter(|u| *u < 1) {
        errs.push(FieldError::invalid(
            format!("{path}.averageUtilization"),
            BadValue::Int(i64::from(u)),
            "must be greater than 0",
        ));
    }
    errs
}

fn validate_metric_name(name: &str, path: &str) -> Vec<FieldError> {
    if name.is_empty() {
        return vec![FieldError::required(format!("{path}.name"), "must specify a metric name")];
    }
    path_segment_errs(name)
        .into_iter()
        .map(|m| FieldError::invalid(format!("{path}.name"), BadValue::Str(name.to_string()), m))
        .collect()
}

const METRIC_SOURCE_TYPES: &[&str] = &["ContainerResource", "External", "Object", "Pods", "Resource"];

/// `validateMetricSpec`.
fn validate_metric(m: &MetricSpec, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if m.type_.is_empty() {
        errs.push(FieldError::required(format!("{path}.type"), "must specify a metric source type"));
    }
    if !METRIC_SOURCE_TYPES.contains(&m.type_.as_str()) {
        errs.push(FieldError::not_supported(
            format!("{path}.type"),
            BadValue::Str(m.type_.clone()),
            METRIC_SOURCE_TYPES,
        ));
    }
    // The sources present, in the order the server checks them; only the first is validated.
    let mut present: Vec<&str> = Vec::new();
    if let Some(o) = &m.object {
        present.push("object");
        if present.len() == 1 {
            let p = format!("{path}.object");
            errs.extend(validate_ref(&o.described_object, &format!("{p}.describedObject")));
            errs.extend(validate_metric_name(&o.metric.name, &format!("{p}.metric")));
            errs.extend(validate_target(&o.target, &format!("{p}.target")));
            if o.target.value.is_none() && o.target.average_value.is_none() {
                errs.push(FieldError::required(
                    format!("{p}.target.averageValue"),
                    "must set either a target value or averageValue",
                ));
            }
        }
    }
    if let Some(e) = &m.external {
        present.push("external");
        if present.len() == 1 {
            let p = format!("{path}.external");
            errs.extend(validate_metric_name(&e.metric.name, &format!("{p}.metric")));
            errs.extend(validate_target(&e.target, &format!("{p}.target")));
            if e.target.value.is_none() && e.target.average_value.is_none() {
                errs.push(FieldError::required(
                    format!("{p}.target.averageValue"),
                    "must set either a target value for metric or a per-pod target",
                ));
            }
            if e.target.value.is_some() && e.target.average_value.is_some() {
                errs.push(FieldError::forbidden(
                    format!("{p}.target.value"),
                    "may not set both a target value for metric and a per-pod target",
                ));
            }
        }
    }
    if let Some(pods) = &m.pods {
        present.push("pods");
        if present.len() == 1 {
            let p = format!("{path}.pods");
            errs.extend(validate_metric_name(&pods.metric.name, &format!("{p}.metric")));
            errs.extend(validate_target(&pods.target, &format!("{p}.target")));
            if pods.target.average_value.is_none() {
                errs.push(FieldError::required(
                    format!("{p}.target.averageValue"),
                    "must specify a positive target averageValue",
                ));
            }
        }
    }
    let resource_like = |name: &str, target: &MetricTarget, p: &str, errs: &mut Vec<FieldError>| {
        if name.is_empty() {
            errs.push(FieldError::required(format!("{p}.name"), "must specify a resource name"));
        }
        errs.extend(validate_target(target, &format!("{p}.target")));
        if target.average_utilization.is_none() && target.average_value.is_none() {
            errs.push(FieldError::required(
                format!("{p}.target.averageUtilization"),
                "must set either a target raw value or a target utilization",
            ));
        }
        if target.average_utilization.is_some() && target.average_value.is_some() {
            errs.push(FieldError::forbidden(
                format!("{p}.target.averageValue"),
                "may not set both a target raw value and a target utilization",
            ));
        }
    };
    if let Some(r) = &m.resource {
        present.push("resource");
        if present.len() == 1 {
            resource_like(&r.name, &r.target, &format!("{path}.resource"), &mut errs);
        }
    }
    if let Some(r) = &m.container_resource {
        present.push("containerResource");
        if present.len() == 1 {
            let p = format!("{path}.containerResource");
            resource_like(&r.name, &r.target, &p, &mut errs);
            if r.container.is_empty() {
                errs.push(FieldError::required(format!("{p}.container"), "must specify a container"));
            }
        }
    }
    let expected = match m.type_.as_str() {
        "Object" => Some(("object", m.object.is_some())),
        "Pods" => Some(("pods", m.pods.is_some())),
        "Resource" => Some(("resource", m.resource.is_some())),
        "External" => Some(("external", m.external.is_some())),
        "ContainerResource" => Some(("containerResource", m.container_resource.is_some())),
        _ => None,
    };
    match expected {
        Some((field, false)) => errs.push(FieldError::required(
            format!("{path}.{field}"),
            "must populate information for the given metric source",
        )),
        Some(_) => {}
        // The server reports the unsupported type a second time from its switch (the
        // aggregate drops the repeat).
        None => errs.push(FieldError::not_supported(
            format!("{path}.type"),
            BadValue::Str(m.type_.clone()),
            METRIC_SOURCE_TYPES,
        )),
    }
    if present.len() != 1 {
        let expected_field = expected.map(|(f, _)| f).unwrap_or("");
        for t in present.into_iter().filter(|t| *t != expected_field) {
            errs.push(FieldError::forbidden(format!("{path}.{t}"), "must populate the given metric source only"));
        }
    }
    errs
}

fn validate_rules(r: &HPAScalingRules, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(w) = r.stabilization_window_seconds {
        if w < 0 {
            errs.push(FieldError::invalid(
                format!("{path}.stabilizationWindowSeconds"),
                BadValue::Int(i64::from(w)),
                "must be greater than or equal to zero",
            ));
        }
        if w > 3600 {
            errs.push(FieldError::invalid(
                format!("{path}.stabilizationWindowSeconds"),
                BadValue::Int(i64::from(w)),
                "must be less than or equal to 3600",
            ));
        }
    }
    if let Some(p) = r.select_policy.as_ref().filter(|p| !matches!(p.as_str(), "Max" | "Min" | "Disabled")) {
        errs.push(FieldError::not_supported(
            format!("{path}.selectPolicy"),
            BadValue::Str(p.clone()),
            &["Disabled", "Max", "Min"],
        ));
    }
    let policies = r.policies.as_deref().unwrap_or(&[]);
    if policies.is_empty() {
        errs.push(FieldError::required(format!("{path}.policies"), "must specify at least one Policy"));
    }
    for (i, p) in policies.iter().enumerate() {
        let pp = format!("{path}.policies[{i}]");
        if p.type_ != "Pods" && p.type_ != "Percent" {
            errs.push(FieldError::not_supported(
                format!("{pp}.type"),
                BadValue::Str(p.type_.clone()),
                &["Percent", "Pods"],
            ));
        }
        if p.value <= 0 {
            errs.push(FieldError::invalid(
                format!("{pp}.value"),
                BadValue::Int(i64::from(p.value)),
                "must be greater than zero",
            ));
        }
        if p.period_seconds <= 0 {
            errs.push(FieldError::invalid(
                format!("{pp}.periodSeconds"),
                BadValue::Int(i64::from(p.period_seconds)),
                "must be greater than zero",
            ));
        }
        if p.period_seconds > 1800 {
            errs.push(FieldError::invalid(
                format!("{pp}.periodSeconds"),
                BadValue::Int(i64::from(p.period_seconds)),
                "must be less than or equal to 1800",
            ));
        }
    }
    errs
}

/// `ValidateHorizontalPodAutoscaler` (on the defaulted object).
pub fn validate_hpa(h: &HorizontalPodAutoscaler) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&h.metadata, NameRule::Dns1123Subdomain);
    let spec = h.spec.clone().unwrap_or_default();
    if let Some(min) = spec.min_replicas.filter(|m| *m < 1) {
        errs.push(FieldError::invalid(
            "spec.minReplicas",
            BadValue::Int(i64::from(min)),
            "must be greater than or equal to 1",
        ));
    }
    if spec.max_replicas < 1 {
        errs.push(FieldError::invalid(
            "spec.maxReplicas",
            BadValue::Int(i64::from(spec.max_replicas)),
            "must be greater than 0",
        ));
    }
    if spec.min_replicas.is_some_and(|min| spec.max_replicas < min) {
        errs.push(FieldError::invalid(
            "spec.maxReplicas",
            BadValue::Int(i64::from(spec.max_replicas)),
            "must be greater than or equal to `minReplicas`",
        ));
    }
    errs.extend(validate_ref(&spec.scale_target_ref, "spec.scaleTargetRef"));
    for (i, m) in spec.metrics.iter().flatten().enumerate() {
        errs.extend(validate_metric(m, &format!("spec.metrics[{i}]")));
    }
    if let Some(b) = &spec.behavior {
        if let Some(r) = &b.scale_up {
            errs.extend(validate_rules(r, "spec.behavior.scaleUp"));
        }
        if let Some(r) = &b.scale_down {
            errs.extend(validate_rules(r, "spec.behavior.scaleDown"));
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::autoscaling::v2::{CrossVersionObjectReference, HorizontalPodAutoscalerSpec};

    fn hpa(min: Option<i32>, max: i32) -> HorizontalPodAutoscaler {
        HorizontalPodAutoscaler {
            metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                name: Some("web".into()),
                ..Default::default()
            },
            spec: Some(HorizontalPodAutoscalerSpec {
                scale_target_ref: CrossVersionObjectReference {
                    api_version: Some("apps/v1".into()),
                    kind: "Deployment".into(),
                    name: "web".into(),
                },
                min_replicas: min,
                max_replicas: max,
                ..Default::default()
            }),
            status: None,
        }
    }

    #[test]
    fn defaults_fill_min_replicas_and_cpu_metric() {
        let mut h = hpa(None, 5);
        default_hpa(&mut h);
        let spec = h.spec.unwrap();
        assert_eq!(spec.min_replicas, Some(1));
        let m = &spec.metrics.unwrap()[0];
        assert_eq!(m.resource.as_ref().unwrap().target.average_utilization, Some(80));
        assert!(spec.behavior.is_none());
    }

    #[test]
    fn given_behavior_is_completed() {
        let mut h = hpa(Some(1), 5);
        h.spec.as_mut().unwrap().behavior = Some(k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerBehavior {
            scale_down: Some(HPAScalingRules { stabilization_window_seconds: Some(60), ..Default::default() }),
            scale_up: None,
        });
        default_hpa(&mut h);
        let b = h.spec.unwrap().behavior.unwrap();
        assert_eq!(b.scale_down.as_ref().unwrap().stabilization_window_seconds, Some(60));
        assert_eq!(b.scale_down.unwrap().policies.unwrap().len(), 1);
        assert_eq!(b.scale_up.unwrap().policies.unwrap().len(), 2);
    }

    #[test]
    fn replica_bounds_are_validated_with_the_servers_words() {
        let mut h = hpa(Some(7), 5);
        default_hpa(&mut h);
        let errs: Vec<String> = validate_hpa(&h).iter().map(|e| e.to_string()).collect();
        assert_eq!(errs, ["spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`"]);
        let mut h = hpa(Some(0), 0);
        default_hpa(&mut h);
        let errs: Vec<String> = validate_hpa(&h).iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errs,
            [
                "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
                "spec.maxReplicas: Invalid value: 0: must be greater than 0",
            ]
        );
    }
}
