//! The `LimitRanger` admission plugin (`plugin/pkg/admission/limitranger`, v1.32) and the
//! LimitRange's own defaulting and validation.
//!
//! On pod creation every LimitRange of the namespace (by name) first fills in missing
//! container requests and limits from its `Container` item's `defaultRequest` and `default`
//! and records what it set in the `kubernetes.io/limit-ranger` annotation; after validation it
//! enforces `min`, `max` and `maxLimitRequestRatio` per Container and per Pod, and storage
//! `min`/`max` per PersistentVolumeClaim, rejecting with the plugin's exact texts. Go walks the
//! resources of a limit in map order (random); kubedojo walks them by name.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, LimitRange, LimitRangeItem, Pod};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::sim::api::errors::{aggregate, ApiError, BadValue, FieldError};
use crate::sim::api::validate::{validate_object_meta, NameRule};
use crate::sim::quantity::{canonical, parse_milli, parse_value};
use crate::sim::{Kind, Object, World};

pub const ANNOTATION: &str = "kubernetes.io/limit-ranger";

type List = BTreeMap<String, Quantity>;

/// `SetDefaults_LimitRangeItem`: for a Container item, a missing default limit is the max, a
/// missing default request is the default limit, else the min.
pub fn default_limit_range(lr: &mut LimitRange) {
    for item in lr.spec.iter_mut().flat_map(|s| s.limits.iter_mut()) {
        if item.type_ != "Container" {
            continue;
        }
        let default = item.default.get_or_insert_with(BTreeMap::new);
        for (k, v) in item.max.iter().flatten() {
            default.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let default = default.clone();
        let request = item.default_request.get_or_insert_with(BTreeMap::new);
        for (k, v) in &default {
            request.entry(k.clone()).or_insert_with(|| v.clone());
        }
        for (k, v) in item.min.iter().flatten() {
            request.entry(k.clone()).or_insert_with(|| v.clone());
        }
        // Go omits empty maps from JSON.
        if item.default.as_ref().is_some_and(|m| m.is_empty()) {
            item.default = None;
        }
        if item.default_request.as_ref().is_some_and(|m| m.is_empty()) {
            item.default_request = None;
        }
    }
}

fn cmp(a: &Quantity, b: &Quantity) -> std::cmp::Ordering {
    let (x, y) = enforced_values(Some(a), None, b);
    x.0.cmp(&y)
}

/// `requestLimitEnforcedValues`: milli-units when none overflows, whole units otherwise.
/// Returns ((request, limit), enforced).
fn enforced_values(req: Option<&Quantity>, lim: Option<&Quantity>, enforced: &Quantity) -> ((i64, i64), i64) {
    let v = |q: Option<&Quantity>| q.and_then(|q| parse_value(&q.0).ok()).unwrap_or(0);
    let m = |q: Option<&Quantity>| q.and_then(|q| parse_milli(&q.0).ok()).unwrap_or(0);
    const MAX_MILLI: i64 = i64::MAX / 1000;
    let (r, l, e) = (v(req), v(lim), v(Some(enforced)));
    if r <= MAX_MILLI && l <= MAX_MILLI && e <= MAX_MILLI {
        ((m(req), m(lim)), m(Some(enforced)))
    } else {
        ((r, l), e)
    }
}

/// A subset of `ValidateLimitRange` with its messages.
pub fn validate_limit_range(lr: &LimitRange) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&lr.metadata, NameRule::Dns1123Subdomain);
    let mut seen: Vec<&str> = Vec::new();
    for (i, item) in lr.spec.iter().flat_map(|s| s.limits.iter()).enumerate() {
        let path = format!("spec.limits[{i}]");
        if !matches!(item.type_.as_str(), "Pod" | "Container" | "PersistentVolumeClaim") && !item.type_.contains('/') {
            // validateLimitRangeTypeName: a standard type or a qualified name.
            errs.push(FieldError::invalid(
                format!("{path}.type"),
                BadValue::Str(item.type_.clone()),
                "must be a standard limit type or fully qualified",
            ));
        }
        if seen.contains(&item.type_.as_str()) {
            errs.push(FieldError::duplicate(format!("{path}.type"), BadValue::Str(item.type_.clone())));
        }
        seen.push(&item.type_);
        let get = |m: &Option<List>| m.clone().unwrap_or_default();
        let (min, max, def, def_req, ratio) = (
            get(&item.min),
            get(&item.max),
            get(&item.default),
            get(&item.default_request),
            get(&item.max_limit_request_ratio),
        );
        if item.type_ == "Pod" {
            if !def.is_empty() {
                errs.push(FieldError::forbidden(
                    format!("{path}.default"),
                    "may not be specified when `type` is 'Pod'",
                ));
            }
            if !def_req.is_empty() {
                errs.push(FieldError::forbidden(
                    format!("{path}.defaultRequest"),
                    "may not be specified when `type` is 'Pod'",
                ));
            }
        }
        if item.type_ == "PersistentVolumeClaim" && !min.contains_key("storage") && !max.contains_key("storage") {
            errs.push(FieldError::required(
                format!("{path}.limits"),
                "either minimum or maximum storage value is required, but neither was provided",
            ));
        }
        let mut keys: Vec<&String> =
            min.keys().chain(max.keys()).chain(def.keys()).chain(def_req.keys()).chain(ratio.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let s = |q: &Quantity| canonical(&q.0);
            let bad = |q: &Quantity| BadValue::Str(canonical(&q.0));
            let gt = |a: &Quantity, b: &Quantity| cmp(a, b) == std::cmp::Ordering::Greater;
            if let (Some(mn), Some(mx)) = (min.get(k), max.get(k)) {
                if gt(mn, mx) {
                    errs.push(FieldError::invalid(
                        format!("{path}.min[{k}]"),
                        bad(mn),
                        format!("min value {} is greater than max value {}", s(mn), s(mx)),
                    ));
                }
            }
            if let Some(dr) = def_req.get(k) {
                if let Some(mn) = min.get(k).filter(|mn| gt(mn, dr)) {
                    errs.push(FieldError::invalid(
                        format!("{path}.defaultRequest[{k}]"),
                        bad(dr),
                        format!("min value {} is greater than default request value {}", s(mn), s(dr)),
                    ));
                }
                if let Some(mx) = max.get(k).filter(|mx| gt(dr, mx)) {
                    errs.push(FieldError::invalid(
                        format!("{path}.defaultRequest[{k}]"),
                        bad(dr),
                        format!("default request value {} is greater than max value {}", s(dr), s(mx)),
                    ));
                }
                if let Some(d) = def.get(k).filter(|d| gt(dr, d)) {
                    errs.push(FieldError::invalid(
                        format!("{path}.defaultRequest[{k}]"),
                        bad(dr),
                        format!("default request value {} is greater than default limit value {}", s(dr), s(d)),
                    ));
                }
            }
            if let Some(d) = def.get(k) {
                if let Some(mn) = min.get(k).filter(|mn| gt(mn, d)) {
                    errs.push(FieldError::invalid(
                        format!("{path}.default[{k}]"),
                        bad(mn),
                        format!("min value {} is greater than default value {}", s(mn), s(d)),
                    ));
                }
                if let Some(mx) = max.get(k).filter(|mx| gt(d, mx)) {
                    // (Go reports the max as the bad value here.)
                    errs.push(FieldError::invalid(
                        format!("{path}.default[{k}]"),
                        bad(mx),
                        format!("default value {} is greater than max value {}", s(d), s(mx)),
                    ));
                }
            }
            if let Some(r) = ratio.get(k) {
                if parse_milli(&r.0).is_ok_and(|v| v < 1000) {
                    errs.push(FieldError::invalid(
                        format!("{path}.maxLimitRequestRatio[{k}]"),
                        bad(r),
                        format!("ratio {} is less than 1", s(r)),
                    ));
                }
            }
        }
    }
    errs
}

/// The namespace's LimitRanges, by name.
fn ranges(w: &World, ns: &str) -> Vec<LimitRange> {
    w.store
        .list(Kind::LimitRange, Some(ns))
        .into_iter()
        .filter_map(|o| match o {
            Object::LimitRange(l) => Some((**l).clone()),
            _ => None,
        })
        .collect()
}

fn container_items(lr: &LimitRange) -> impl Iterator<Item = &LimitRangeItem> {
    lr.spec.iter().flat_map(|s| s.limits.iter()).filter(|i| i.type_ == "Container")
}

/// `mergeContainerResources`: fills what the container lacks; returns the annotation parts.
fn merge_container(c: &mut Container, requests: &List, limits: &List, prefix: &str, notes: &mut Vec<String>) {
    let res = c.resources.get_or_insert_with(Default::default);
    let mut set_limits: Vec<String> = Vec::new();
    let mut set_requests: Vec<String> = Vec::new();
    for (k, v) in limits {
        let l = res.limits.get_or_insert_with(BTreeMap::new);
        if !l.contains_key(k) {
            l.insert(k.clone(), v.clone());
            set_limits.push(k.clone());
        }
    }
    for (k, v) in requests {
        let r = res.requests.get_or_insert_with(BTreeMap::new);
        if !r.contains_key(k) {
            r.insert(k.clone(), v.clone());
            set_requests.push(k.clone());
        }
    }
    if !set_requests.is_empty() {
        notes.push(format!("{} request for {prefix} {}", set_requests.join(", "), c.name));
    }
    if !set_limits.is_empty() {
        notes.push(format!("{} limit for {prefix} {}", set_limits.join(", "), c.name));
    }
}

/// `PodMutateLimitFunc`, for each LimitRange of the namespace.
pub fn mutate(w: &World, obj: &mut Object) {
    let Object::Pod(pod) = obj else { return };
    let pod = std::sync::Arc::make_mut(pod);
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    for lr in ranges(w, &ns) {
        let mut requests = List::new();
        let mut limits = List::new();
        for item in container_items(&lr) {
            requests.extend(item.default_request.clone().unwrap_or_default());
            limits.extend(item.default.clone().unwrap_or_default());
        }
        let mut notes = Vec::new();
        if let Some(spec) = pod.spec.as_mut() {
            for c in spec.containers.iter_mut() {
                merge_container(c, &requests, &limits, "container", &mut notes);
            }
            for c in spec.init_containers.iter_mut().flatten() {
                merge_container(c, &requests, &limits, "init container", &mut notes);
            }
        }
        if !notes.is_empty() {
            pod.metadata
                .annotations
                .get_or_insert_with(BTreeMap::new)
                .insert(ANNOTATION.to_string(), format!("LimitRanger plugin set: {}", notes.join("; ")));
        }
    }
}

fn min_constraint(ty: &str, k: &str, enforced: &Quantity, req: &List, lim: &List) -> Option<String> {
    let (r, l) = (req.get(k), lim.get(k));
    let ((rv, lv), ev) = enforced_values(r, l, enforced);
    let e = canonical(&enforced.0);
    match r {
        None => Some(format!("minimum {k} usage per {ty} is {e}.  No request is specified")),
        Some(r) if rv < ev => Some(format!("minimum {k} usage per {ty} is {e}, but request is {}", canonical(&r.0))),
        _ => match l {
            Some(l) if lv < ev => Some(format!("minimum {k} usage per {ty} is {e}, but limit is {}", canonical(&l.0))),
            _ => None,
        },
    }
}

fn max_constraint(ty: &str, k: &str, enforced: &Quantity, req: &List, lim: &List) -> Option<String> {
    let (r, l) = (req.get(k), lim.get(k));
    let ((rv, lv), ev) = enforced_values(r, l, enforced);
    let e = canonical(&enforced.0);
    match l {
        None => Some(format!("maximum {k} usage per {ty} is {e}.  No limit is specified")),
        Some(l) if lv > ev => Some(format!("maximum {k} usage per {ty} is {e}, but limit is {}", canonical(&l.0))),
        _ => match r {
            Some(r) if rv > ev => {
                Some(format!("maximum {k} usage per {ty} is {e}, but request is {}", canonical(&r.0)))
            }
            _ => None,
        },
    }
}

fn max_request_constraint(ty: &str, k: &str, enforced: &Quantity, req: &List) -> Option<String> {
    let r = req.get(k);
    let ((rv, _), ev) = enforced_values(r, None, enforced);
    let e = canonical(&enforced.0);
    match r {
        None => Some(format!("maximum {k} usage per {ty} is {e}.  No request is specified")),
        Some(r) if rv > ev => Some(format!("maximum {k} usage per {ty} is {e}, but request is {}", canonical(&r.0))),
        _ => None,
    }
}

fn ratio_constraint(ty: &str, k: &str, enforced: &Quantity, req: &List, lim: &List) -> Option<String> {
    let (r, l) = (req.get(k), lim.get(k));
    let ((rv, lv), _) = enforced_values(r, l, enforced);
    let e = canonical(&enforced.0);
    if r.is_none() || rv == 0 {
        return Some(format!(
            "{k} max limit to request ratio per {ty} is {e}, but no request is specified or request is 0"
        ));
    }
    if l.is_none() || lv == 0 {
        return Some(format!(
            "{k} max limit to request ratio per {ty} is {e}, but no limit is specified or limit is 0"
        ));
    }
    let observed = lv as f64 / rv as f64;
    let max = parse_milli(&enforced.0).unwrap_or(0) as f64;
    if observed * 1000.0 > max {
        return Some(format!("{k} max limit to request ratio per {ty} is {e}, but provided ratio is {observed:.6}"));
    }
    None
}

fn check_item(item: &LimitRangeItem, ty: &str, req: &List, lim: &List, errs: &mut Vec<String>) {
    for (k, v) in item.min.iter().flatten() {
        errs.extend(min_constraint(ty, k, v, req, lim));
    }
    for (k, v) in item.max.iter().flatten() {
        errs.extend(max_constraint(ty, k, v, req, lim));
    }
    for (k, v) in item.max_limit_request_ratio.iter().flatten() {
        errs.extend(ratio_constraint(ty, k, v, req, lim));
    }
}

fn lists(c: &Container) -> (List, List) {
    let r = c.resources.as_ref();
    (r.and_then(|r| r.requests.clone()).unwrap_or_default(), r.and_then(|r| r.limits.clone()).unwrap_or_default())
}

/// The pod's total requests or limits as the plugin sums them: the containers added up, then
/// the larger of that and each init container (milli-units, printed canonically).
fn pod_totals(pod: &Pod, limits: bool) -> List {
    let Some(spec) = pod.spec.as_ref() else { return List::new() };
    let pick = |c: &Container| if limits { lists(c).1 } else { lists(c).0 };
    let mut sum: BTreeMap<String, (i64, String)> = BTreeMap::new();
    let mut keys_in_all: Option<Vec<String>> = None;
    for c in &spec.containers {
        let l = pick(c);
        keys_in_all = Some(match keys_in_all {
            None => l.keys().cloned().collect(),
            Some(k) => k.into_iter().filter(|k| l.contains_key(k)).collect(),
        });
        for (k, q) in l {
            let e = sum.entry(k).or_insert((0, q.0.clone()));
            e.0 += parse_milli(&q.0).unwrap_or(0);
        }
    }
    for c in spec.init_containers.iter().flatten() {
        for (k, q) in pick(c) {
            let v = parse_milli(&q.0).unwrap_or(0);
            let e = sum.entry(k).or_insert((0, q.0.clone()));
            e.0 = e.0.max(v);
        }
    }
    sum.into_iter()
        .map(|(k, (milli, first))| {
            let format = crate::sim::quantity::parse_format(&first).unwrap_or(crate::sim::quantity::Format::DecimalSI);
            (k, Quantity(crate::sim::quantity::format_milli(milli, format)))
        })
        .collect()
}

/// `PodValidateLimitFunc` and `PersistentVolumeClaimValidateLimitFunc`, per LimitRange.
pub fn validate(w: &World, obj: &Object) -> Result<(), ApiError> {
    let (resource, ns) = match obj {
        Object::Pod(_) => ("pods", obj.namespace()),
        Object::PersistentVolumeClaim(_) => ("persistentvolumeclaims", obj.namespace()),
        _ => return Ok(()),
    };
    for lr in ranges(w, ns) {
        let mut errs: Vec<String> = Vec::new();
        for item in lr.spec.iter().flat_map(|s| s.limits.iter()) {
            match obj {
                Object::Pod(pod) => {
                    let Some(spec) = pod.spec.as_ref() else { continue };
                    if item.type_ == "Container" {
                        for c in spec.containers.iter().chain(spec.init_containers.iter().flatten()) {
                            let (req, lim) = lists(c);
                            check_item(item, "Container", &req, &lim, &mut errs);
                        }
                    }
                    if item.type_ == "Pod" {
                        check_item(item, "Pod", &pod_totals(pod, false), &pod_totals(pod, true), &mut errs);
                    }
                }
                Object::PersistentVolumeClaim(pvc) if item.type_ == "PersistentVolumeClaim" => {
                    let req = pvc
                        .spec
                        .as_ref()
                        .and_then(|s| s.resources.as_ref())
                        .and_then(|r| r.requests.clone())
                        .unwrap_or_default();
                    for (k, v) in item.min.iter().flatten() {
                        errs.extend(min_constraint("PersistentVolumeClaim", k, v, &req, &List::new()));
                    }
                    for (k, v) in item.max.iter().flatten() {
                        errs.extend(max_request_constraint("PersistentVolumeClaim", k, v, &req));
                    }
                }
                _ => {}
            }
        }
        if !errs.is_empty() {
            return Err(ApiError::forbidden(resource, obj.name(), &aggregate(errs)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_follow_max_and_min() {
        let mut lr: LimitRange = serde_json::from_value(json!({
            "metadata": {"name": "lr"},
            "spec": {"limits": [{"type": "Container", "max": {"cpu": "500m"}, "min": {"memory": "64Mi"}}]}
        }))
        .unwrap();
        default_limit_range(&mut lr);
        let item = &lr.spec.as_ref().unwrap().limits[0];
        assert_eq!(item.default.as_ref().unwrap()["cpu"].0, "500m");
        assert_eq!(item.default_request.as_ref().unwrap()["cpu"].0, "500m");
        assert_eq!(item.default_request.as_ref().unwrap()["memory"].0, "64Mi");
    }

    #[test]
    fn constraint_texts() {
        let q = |s: &str| Quantity(s.to_string());
        let l = |k: &str, v: &str| List::from([(k.to_string(), q(v))]);
        assert_eq!(
            max_constraint("Container", "cpu", &q("500m"), &l("cpu", "1"), &l("cpu", "1")).unwrap(),
            "maximum cpu usage per Container is 500m, but limit is 1"
        );
        assert_eq!(
            min_constraint("Container", "memory", &q("64Mi"), &List::new(), &List::new()).unwrap(),
            "minimum memory usage per Container is 64Mi.  No request is specified"
        );
        assert_eq!(
            ratio_constraint("Container", "cpu", &q("2"), &l("cpu", "100m"), &l("cpu", "500m")).unwrap(),
            "cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000"
        );
        assert_eq!(max_constraint("Container", "cpu", &q("1"), &l("cpu", "1000m"), &l("cpu", "1")), None);
    }
}
