//! The `ResourceQuota` admission plugin (`apiserver/pkg/admission/plugin/resourcequota`) and
//! the quota evaluators it shares with the resource quota controller
//! (`pkg/quota/v1/evaluator/core`): what an object uses — pods' compute requests and limits,
//! object counts (`pods`, `services`, `configmaps`, `count/deployments.apps`...), claims'
//! storage per class — and the checks and texts of a create request:
//! `exceeded quota: compute-quota, requested: requests.cpu=600m, used: requests.cpu=1,
//! limited: requests.cpu=1500m` and `failed quota: compute-quota: must specify limits.cpu for:
//! nginx; requests.cpu for: nginx`.
//!
//! Quota scopes (`Terminating`, `NotTerminating`, `BestEffort`, `NotBestEffort`, and the
//! `PriorityClass` scope selector) restrict a quota to the pods they match. Updates are not
//! charged (only creates): kubedojo has no update that changes usage but a claim's resize.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, ResourceQuota};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::sim::api::errors::{ApiError, BadValue, FieldError};
use crate::sim::api::validate::{validate_object_meta, NameRule};
use crate::sim::quantity::{canonical, format_milli, parse_format, parse_milli, Format};
use crate::sim::storage;
use crate::sim::{Kind, Object, World};

/// An amount in milli-units with the format of the first quantity that went into it, as
/// apimachinery's `Quantity.Add` keeps the receiver's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Amount {
    pub milli: i64,
    pub format: Format,
}

impl Amount {
    pub fn count(n: i64) -> Amount {
        Amount { milli: n.saturating_mul(1000), format: Format::DecimalSI }
    }
    pub fn of(q: &str) -> Amount {
        Amount { milli: parse_milli(q).unwrap_or(0), format: parse_format(q).unwrap_or(Format::DecimalSI) }
    }
    pub fn zero() -> Amount {
        Amount { milli: 0, format: Format::DecimalSI }
    }
    pub fn text(&self) -> String {
        format_milli(self.milli, self.format)
    }
}

/// A resource list: resource name → amount.
pub type Usage = BTreeMap<String, Amount>;

/// `quota.Add` (`Quantity.Add`: a zero takes the format of what is added to it).
pub fn add(a: &mut Usage, b: &Usage) {
    for (k, v) in b {
        a.entry(k.clone())
            .and_modify(|x| {
                if x.milli == 0 {
                    x.format = v.format;
                }
                x.milli = x.milli.saturating_add(v.milli);
            })
            .or_insert(*v);
    }
}

/// The object-count resource name of a kind (`count/deployments.apps`, `count/pods`).
pub fn count_name(kind: Kind) -> String {
    format!("count/{}", kind.qualified_plural())
}

/// `QuotaV1Pod`: whether a pod's compute resources are still charged (not terminal, not past
/// its deletion grace period).
fn pod_charged(w: &World, pod: &Pod) -> bool {
    if matches!(pod.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed")) {
        return false;
    }
    if let (Some(ts), Some(grace)) = (&pod.metadata.deletion_timestamp, pod.metadata.deletion_grace_period_seconds) {
        let deadline = ts.0 + chrono::Duration::seconds(grace);
        if w.now.datetime() > deadline {
            return false;
        }
    }
    true
}

fn sum_lists<'a>(lists: impl Iterator<Item = &'a BTreeMap<String, Quantity>>) -> Usage {
    let mut u = Usage::new();
    for l in lists {
        for (k, q) in l {
            let a = Amount::of(&q.0);
            u.entry(k.clone()).and_modify(|x| x.milli = x.milli.saturating_add(a.milli)).or_insert(a);
        }
    }
    u
}

/// `resourcehelper.PodRequests`/`PodLimits`: the containers summed, then the larger of that
/// and each init container.
fn pod_resources(pod: &Pod, limits: bool) -> Usage {
    let Some(spec) = pod.spec.as_ref() else { return Usage::new() };
    let pick = |c: &k8s_openapi::api::core::v1::Container| {
        c.resources
            .as_ref()
            .and_then(|r| if limits { r.limits.clone() } else { r.requests.clone() })
            .unwrap_or_default()
    };
    let lists: Vec<_> = spec.containers.iter().map(pick).collect();
    let mut u = sum_lists(lists.iter());
    for c in spec.init_containers.iter().flatten() {
        for (k, q) in pick(c) {
            let a = Amount::of(&q.0);
            u.entry(k).and_modify(|x| x.milli = x.milli.max(a.milli)).or_insert(a);
        }
    }
    u
}

/// `podComputeUsageHelper`.
fn compute_usage(requests: &Usage, limits: &Usage) -> Usage {
    let mut u = Usage::new();
    u.insert("pods".into(), Amount::count(1));
    for r in ["cpu", "memory", "ephemeral-storage"] {
        if let Some(a) = requests.get(r) {
            u.insert(r.into(), *a);
            u.insert(format!("requests.{r}"), *a);
        }
        if let Some(a) = limits.get(r) {
            u.insert(format!("limits.{r}"), *a);
        }
    }
    for (k, a) in requests {
        if k.starts_with("hugepages-") {
            u.insert(k.clone(), *a);
            u.insert(format!("requests.{k}"), *a);
        } else if k.contains('/') && !k.starts_with("kubernetes.io/") {
            u.insert(format!("requests.{k}"), *a);
        }
    }
    u
}

/// What an object uses, by the evaluator of its kind.
pub fn usage(w: &World, obj: &Object) -> Usage {
    let mut u = Usage::new();
    let kind = obj.kind();
    u.insert(count_name(kind), Amount::count(1));
    match obj {
        Object::Pod(pod) if pod_charged(w, pod) => {
            add(&mut u, &compute_usage(&pod_resources(pod, false), &pod_resources(pod, true)));
        }
        Object::Service(svc) => {
            u.insert("services".into(), Amount::count(1));
            let spec = svc.spec.as_ref();
            let ty = spec.and_then(|s| s.type_.as_deref()).unwrap_or("ClusterIP");
            let ports = spec.and_then(|s| s.ports.as_ref()).map_or(0, |p| p.len() as i64);
            let node_ports = match ty {
                "NodePort" => ports,
                "LoadBalancer" if spec.and_then(|s| s.allocate_load_balancer_node_ports) != Some(false) => ports,
                _ => 0,
            };
            u.insert("services.nodeports".into(), Amount::count(node_ports));
            u.insert("services.loadbalancers".into(), Amount::count(i64::from(ty == "LoadBalancer")));
        }
        Object::ConfigMap(_) => {
            u.insert("configmaps".into(), Amount::count(1));
        }
        Object::Secret(_) => {
            u.insert("secrets".into(), Amount::count(1));
        }
        Object::ResourceQuota(_) => {
            u.insert("resourcequotas".into(), Amount::count(1));
        }
        Object::PersistentVolumeClaim(pvc) => {
            u.insert("persistentvolumeclaims".into(), Amount::count(1));
            let class = storage::claim_class(pvc);
            if !class.is_empty() {
                u.insert(format!("{class}.storageclass.storage.k8s.io/persistentvolumeclaims"), Amount::count(1));
            }
            let req = pvc
                .spec
                .as_ref()
                .and_then(|s| s.resources.as_ref())
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get("storage"))
                .map(|q| Amount::of(&q.0));
            if let Some(a) = req {
                u.insert("requests.storage".into(), a);
                if !class.is_empty() {
                    u.insert(format!("{class}.storageclass.storage.k8s.io/requests.storage"), a);
                }
            }
        }
        _ => {}
    }
    u
}

/// Whether the evaluator of `kind` knows `resource` (`MatchingResources`).
fn evaluator_matches(kind: Kind, resource: &str) -> bool {
    if resource == count_name(kind) {
        return true;
    }
    match kind {
        Kind::Pod => {
            matches!(
                resource,
                "pods"
                    | "cpu"
                    | "memory"
                    | "ephemeral-storage"
                    | "requests.cpu"
                    | "requests.memory"
                    | "requests.ephemeral-storage"
                    | "limits.cpu"
                    | "limits.memory"
                    | "limits.ephemeral-storage"
            ) || resource.starts_with("hugepages-")
                || resource.starts_with("requests.")
        }
        Kind::Service => matches!(resource, "services" | "services.nodeports" | "services.loadbalancers"),
        Kind::ConfigMap => resource == "configmaps",
        Kind::Secret => resource == "secrets",
        Kind::ResourceQuota => resource == "resourcequotas",
        Kind::PersistentVolumeClaim => {
            matches!(resource, "persistentvolumeclaims" | "requests.storage")
                || resource.ends_with(".storageclass.storage.k8s.io/requests.storage")
                || resource.ends_with(".storageclass.storage.k8s.io/persistentvolumeclaims")
        }
        _ => false,
    }
}

/// Whether a quota's scopes select the object (scoped quotas only track pods).
pub fn quota_matches(q: &ResourceQuota, obj: &Object) -> bool {
    let spec = q.spec.as_ref();
    let scopes: Vec<String> = spec.and_then(|s| s.scopes.clone()).unwrap_or_default();
    let selector =
        spec.and_then(|s| s.scope_selector.as_ref()).and_then(|s| s.match_expressions.clone()).unwrap_or_default();
    if scopes.is_empty() && selector.is_empty() {
        return true;
    }
    let Object::Pod(pod) = obj else { return false };
    let pod_spec = pod.spec.as_ref();
    let terminating = pod_spec.and_then(|s| s.active_deadline_seconds).is_some_and(|d| d >= 0);
    let best_effort = crate::sim::kubelet::status::qos_class(pod) == "BestEffort";
    let priority_class = pod_spec.and_then(|s| s.priority_class_name.clone()).unwrap_or_default();
    let scope_ok = |scope: &str, op: &str, values: &[String]| match scope {
        "Terminating" => terminating,
        "NotTerminating" => !terminating,
        "BestEffort" => best_effort,
        "NotBestEffort" => !best_effort,
        "PriorityClass" => match op {
            "In" => values.contains(&priority_class),
            "NotIn" => !values.contains(&priority_class),
            "Exists" => !priority_class.is_empty(),
            "DoesNotExist" => priority_class.is_empty(),
            _ => false,
        },
        _ => false,
    };
    scopes.iter().all(|s| scope_ok(s, "Exists", &[]))
        && selector.iter().all(|r| scope_ok(&r.scope_name, &r.operator, r.values.as_deref().unwrap_or_default()))
}

/// The pod evaluator's `Constraints`: with cpu or memory under quota, every container must
/// say its request or limit for it.
fn constraints(pod: &Pod, restricted: &[&str]) -> Option<String> {
    const VALIDATION: &[&str] = &["cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"];
    let required: Vec<&str> = restricted.iter().copied().filter(|r| VALIDATION.contains(r)).collect();
    let mut missing: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let spec = pod.spec.as_ref()?;
    for c in spec.containers.iter().chain(spec.init_containers.iter().flatten()) {
        let res = c.resources.as_ref();
        let req = sum_lists(res.and_then(|r| r.requests.as_ref()).into_iter());
        let lim = sum_lists(res.and_then(|r| r.limits.as_ref()).into_iter());
        let have = compute_usage(&req, &lim);
        for r in &required {
            if !have.contains_key(*r) {
                let names = missing.entry(r.to_string()).or_default();
                if !names.contains(&c.name) {
                    names.push(c.name.clone());
                }
            }
        }
    }
    if missing.is_empty() {
        return None;
    }
    let parts: Vec<String> = missing
        .into_iter()
        .map(|(r, mut names)| {
            names.sort();
            format!("{r} for: {}", names.join(","))
        })
        .collect();
    Some(format!("must specify {}", parts.join("; ")))
}

/// The quota's hard limits (its synced status, else its spec).
pub fn hard(q: &ResourceQuota) -> BTreeMap<String, Quantity> {
    q.status
        .as_ref()
        .and_then(|s| s.hard.clone())
        .or_else(|| q.spec.as_ref().and_then(|s| s.hard.clone()))
        .unwrap_or_default()
}

fn pretty(u: &BTreeMap<String, String>) -> String {
    u.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

/// Admission of a create: checks every quota of the namespace, then charges them.
pub fn admit(w: &mut World, obj: &Object, dry_run: bool) -> Result<(), ApiError> {
    let kind = obj.kind();
    if !kind.namespaced() || kind == Kind::Event {
        return Ok(());
    }
    let ns = obj.namespace().to_string();
    let quotas: Vec<ResourceQuota> = w
        .store
        .list(Kind::ResourceQuota, Some(&ns))
        .into_iter()
        .filter_map(|o| match o {
            Object::ResourceQuota(q) => Some((**q).clone()),
            _ => None,
        })
        .collect();
    if quotas.is_empty() {
        return Ok(());
    }
    let resource = kind.qualified_plural();
    let mut interesting: Vec<ResourceQuota> = Vec::new();
    for q in quotas {
        if !quota_matches(&q, obj) {
            continue;
        }
        let hard = hard(&q);
        let restricted: Vec<&str> = hard.keys().map(String::as_str).filter(|r| evaluator_matches(kind, r)).collect();
        if restricted.is_empty() {
            continue;
        }
        if let Object::Pod(pod) = obj {
            if let Some(msg) = constraints(pod, &restricted) {
                let name = q.metadata.name.clone().unwrap_or_default();
                return Err(ApiError::forbidden(&resource, obj.name(), &format!("failed quota: {name}: {msg}")));
            }
        }
        interesting.push(q);
    }
    if interesting.is_empty() {
        return Ok(());
    }
    let delta = usage(w, obj);
    let mut updates: Vec<(String, Usage)> = Vec::new();
    for q in &interesting {
        let hard = hard(q);
        let requested: Usage =
            delta.iter().filter(|(k, _)| hard.contains_key(*k)).map(|(k, v)| (k.clone(), *v)).collect();
        let mut used: Usage = q
            .status
            .as_ref()
            .and_then(|s| s.used.as_ref())
            .map(|u| u.iter().map(|(k, v)| (k.clone(), Amount::of(&v.0))).collect())
            .unwrap_or_default();
        let used_before = used.clone();
        add(&mut used, &requested);
        let exceeded: Vec<&String> = requested
            .keys()
            .filter(|k| {
                let limit = hard.get(*k).map(|h| Amount::of(&h.0).milli).unwrap_or(i64::MAX);
                used.get(*k).is_some_and(|u| u.milli > limit)
            })
            .collect();
        if !exceeded.is_empty() {
            let mask = |u: &Usage| -> BTreeMap<String, String> {
                exceeded.iter().map(|k| ((*k).clone(), u.get(*k).copied().unwrap_or(Amount::zero()).text())).collect()
            };
            let limited: BTreeMap<String, String> = exceeded
                .iter()
                .map(|k| ((*k).clone(), hard.get(*k).map(|h| canonical(&h.0)).unwrap_or_default()))
                .collect();
            let name = q.metadata.name.clone().unwrap_or_default();
            return Err(ApiError::forbidden(
                &resource,
                obj.name(),
                &format!(
                    "exceeded quota: {name}, requested: {}, used: {}, limited: {}",
                    pretty(&mask(&requested)),
                    pretty(&mask(&used_before)),
                    pretty(&limited)
                ),
            ));
        }
        updates.push((q.metadata.name.clone().unwrap_or_default(), used));
    }
    if dry_run {
        return Ok(());
    }
    for (name, used) in updates {
        let _ = w.store.modify(Kind::ResourceQuota, &ns, &name, |o| {
            if let Object::ResourceQuota(q) = o {
                let status = q.status.get_or_insert_with(Default::default);
                let hard = status.hard.clone().unwrap_or_default();
                status.used = Some(
                    hard.keys()
                        .map(|k| (k.clone(), Quantity(used.get(k).copied().unwrap_or(Amount::zero()).text())))
                        .collect(),
                );
            }
        });
    }
    Ok(())
}

/// A subset of `ValidateResourceQuota`.
pub fn validate_quota(q: &ResourceQuota) -> Vec<FieldError> {
    let mut errs = validate_object_meta(&q.metadata, NameRule::Dns1123Subdomain);
    for (k, v) in q.spec.iter().flat_map(|s| s.hard.iter().flatten()) {
        match parse_milli(&v.0) {
            Ok(m) if m < 0 => errs.push(FieldError::invalid(
                format!("spec.hard[{k}]"),
                BadValue::Str(v.0.clone()),
                "must be greater than or equal to 0",
            )),
            _ => {}
        }
    }
    const SCOPES: &[&str] =
        &["BestEffort", "CrossNamespacePodAffinity", "NotBestEffort", "NotTerminating", "PriorityClass", "Terminating"];
    for (i, s) in q.spec.iter().flat_map(|s| s.scopes.iter().flatten()).enumerate() {
        if !SCOPES.contains(&s.as_str()) {
            errs.push(FieldError::invalid(format!("spec.scopes[{i}]"), BadValue::Str(s.clone()), "unsupported scope"));
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_keep_the_first_format() {
        let mut u = Usage::from([("requests.memory".to_string(), Amount::of("128Mi"))]);
        add(&mut u, &Usage::from([("requests.memory".to_string(), Amount::of("128Mi"))]));
        assert_eq!(u["requests.memory"].text(), "256Mi");
        let mut c = Usage::from([("requests.cpu".to_string(), Amount::of("1"))]);
        add(&mut c, &Usage::from([("requests.cpu".to_string(), Amount::of("500m"))]));
        assert_eq!(c["requests.cpu"].text(), "1500m");
        assert_eq!(Amount::count(2).text(), "2");
        let mut z = Usage::from([("requests.memory".to_string(), Amount::of("0"))]);
        add(&mut z, &Usage::from([("requests.memory".to_string(), Amount::of("256Mi"))]));
        assert_eq!(z["requests.memory"].text(), "256Mi");
    }
}
