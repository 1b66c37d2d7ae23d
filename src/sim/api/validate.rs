//! API-server validation: ported subsets of `pkg/apis/core/validation`, `apps/validation`,
//! `batch/validation` and apimachinery's name/label validators, with their exact messages.
//! Every function returns the `field.ErrorList` (in the order Go appends), turned into an
//! `Invalid` [`ApiError`] with [`invalid`]. Validation runs on defaulted objects, as in
//! the API server.

use crate::sim::api::errors::{go_quote, ApiError, BadValue, FieldError};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    ConfigMap, Container, Namespace, Pod, PodSpec, PodTemplateSpec, Probe, ResourceRequirements, Secret, Service,
    Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

type Errs = Vec<FieldError>;

/// `apierrors.NewInvalid` for a kind (its API group is looked up among the served kinds).
pub fn invalid(kind: &str, name: &str, errs: &[FieldError]) -> ApiError {
    let group = crate::sim::object::Kind::ALL.iter().find(|k| k.name() == kind).map(|k| k.group()).unwrap_or("");
    ApiError::invalid(group, kind, name, errs)
}

/// Validates any object on create (and update): the kinds ported here, and object metadata
/// for the others.
pub fn validate_object(o: &crate::sim::object::Object) -> Vec<FieldError> {
    use crate::sim::object::Object;
    match o {
        Object::Pod(p) => validate_pod(p),
        Object::Deployment(d) => validate_deployment(d),
        Object::Service(s) => validate_service(s),
        Object::ConfigMap(c) => validate_config_map(c),
        Object::Secret(s) => validate_secret(s),
        Object::Namespace(n) => validate_namespace(n),
        Object::Job(j) => validate_job(j),
        Object::CronJob(c) => validate_cron_job(c),
        Object::NetworkPolicy(n) => {
            let mut errs = validate_object_meta(&n.metadata, NameRule::Dns1123Subdomain);
            errs.extend(crate::sim::netpol::validate_network_policy(n));
            errs
        }
        Object::Ingress(i) => {
            let mut errs = validate_object_meta(&i.metadata, NameRule::Dns1123Subdomain);
            errs.extend(crate::sim::ingress::validate_ingress(i));
            errs
        }
        Object::PersistentVolume(p) => crate::sim::api::storage::validate_volume(p),
        Object::PersistentVolumeClaim(p) => crate::sim::api::storage::validate_claim(p),
        Object::StorageClass(s) => crate::sim::api::storage::validate_storage_class(s),
        Object::LimitRange(l) => crate::sim::api::admission::limitranger::validate_limit_range(l),
        Object::ResourceQuota(q) => crate::sim::api::admission::quota::validate_quota(q),
        Object::HorizontalPodAutoscaler(h) => super::autoscaling::validate_hpa(h),
        Object::Role(_) | Object::ClusterRole(_) | Object::RoleBinding(_) | Object::ClusterRoleBinding(_) => {
            validate_object_meta(o.meta(), NameRule::PathSegment)
        }
        other => validate_object_meta(other.meta(), NameRule::Dns1123Subdomain),
    }
}

/// The update-only checks (immutable fields), to add to [`validate_object`]'s.
pub fn validate_update(new: &crate::sim::object::Object, old: &crate::sim::object::Object) -> Vec<FieldError> {
    use crate::sim::object::Object;
    match (new, old) {
        (Object::Pod(n), Object::Pod(o)) => pod_update_errs(n, o),
        (Object::StorageClass(n), Object::StorageClass(o)) => {
            crate::sim::api::storage::validate_storage_class_update(n, o)
        }
        _ => Vec::new(),
    }
}

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";

/// apimachinery's `RegexError`: examples are joined by " or " after a ", " (hence the double
/// space Kubernetes prints).
pub(crate) fn regex_error(msg: &str, fmt: &str, examples: &[&str]) -> String {
    let mut s = msg.to_string();
    if examples.is_empty() {
        return format!("{s} (regex used for validation is '{fmt}')");
    }
    s.push_str(" (e.g. ");
    for (i, e) in examples.iter().enumerate() {
        if i > 0 {
            s.push_str(" or ");
        }
        s.push_str(&format!("'{e}', "));
    }
    s.push_str(&format!("regex used for validation is '{fmt}')"));
    s
}

fn max_len_error(n: usize) -> String {
    format!("must be no more than {n} characters")
}

fn is_alnum_lower(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn matches_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && is_alnum_lower(b[0])
        && is_alnum_lower(b[b.len() - 1])
        && b.iter().all(|c| is_alnum_lower(*c) || *c == b'-')
}

/// `IsDNS1123Label`.
pub fn is_dns1123_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !matches_dns1123_label(s) {
        errs.push(regex_error(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
            DNS1123_LABEL_FMT,
            &["my-name", "123-abc"],
        ));
    }
    errs
}

/// `IsDNS1123Subdomain`.
pub fn is_dns1123_subdomain(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push(max_len_error(253));
    }
    if s.is_empty() || !s.split('.').all(matches_dns1123_label) {
        errs.push(regex_error(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
            DNS1123_SUBDOMAIN_FMT,
            &["example.com"],
        ));
    }
    errs
}

/// `IsDNS1035Label` (Service names).
pub fn is_dns1035_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push(max_len_error(63));
    }
    let b = s.as_bytes();
    let ok = !b.is_empty()
        && b[0].is_ascii_lowercase()
        && is_alnum_lower(b[b.len() - 1])
        && b.iter().all(|c| is_alnum_lower(*c) || *c == b'-');
    if !ok {
        errs.push(regex_error(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
            DNS1035_LABEL_FMT,
            &["my-name", "abc-123"],
        ));
    }
    errs
}

fn matches_qname_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

const QNAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";

/// `IsQualifiedName` (label and annotation keys).
pub fn is_qualified_name(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let parts: Vec<&str> = value.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                errs.push("prefix part must be non-empty".to_string());
            } else {
                for m in is_dns1123_subdomain(prefix) {
                    errs.push(format!("prefix part {m}"));
                }
            }
            *name
        }
        _ => {
            errs.push(regex_error(
                "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                QNAME_FMT,
                &["MyName", "my.name", "123-abc"],
            ));
            return errs;
        }
    };
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        errs.push(format!("name part {}", max_len_error(63)));
    }
    if !matches_qname_part(name) {
        errs.push(format!(
            "name part {}",
            regex_error(
                "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
                QNAME_FMT,
                &["MyName", "my.name", "123-abc"],
            )
        ));
    }
    errs
}

/// `IsValidLabelValue`.
pub fn is_valid_label_value(v: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if v.len() > 63 {
        errs.push(max_len_error(63));
    }
    if !v.is_empty() && !matches_qname_part(v) {
        errs.push(regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
            "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?",
            &["MyValue", "my_value", "12345"],
        ));
    }
    errs
}

/// `ValidateLabels`: keys and values, all reported on the map's path.
pub fn validate_labels(labels: &BTreeMap<String, String>, path: &str) -> Errs {
    let mut errs = Vec::new();
    for (k, v) in labels {
        for m in is_qualified_name(k) {
            errs.push(FieldError::invalid(path, BadValue::Str(k.clone()), m));
        }
        for m in is_valid_label_value(v) {
            errs.push(FieldError::invalid(path, BadValue::Str(v.clone()), m));
        }
    }
    errs
}

/// `ValidateAnnotations`: qualified keys (lower-cased), total size at most 256 KiB.
pub fn validate_annotations(ann: &BTreeMap<String, String>, path: &str) -> Errs {
    let mut errs = Vec::new();
    let mut size = 0usize;
    for (k, v) in ann {
        for m in is_qualified_name(&k.to_lowercase()) {
            errs.push(FieldError::invalid(path, BadValue::Str(k.clone()), m));
        }
        size += k.len() + v.len();
    }
    if size > 256 * 1024 {
        errs.push(FieldError::too_long(path, 256 * 1024));
    }
    errs
}

/// Which name validator an object kind uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameRule {
    Dns1123Subdomain,
    Dns1123Label,
    Dns1035Label,
    /// `path.IsValidPathSegmentName` (RBAC roles and bindings: `system:coredns` is fine).
    PathSegment,
}

/// `path.IsValidPathSegmentName`.
fn path_segment_errors(name: &str) -> Vec<String> {
    if name == "." || name == ".." {
        return vec![format!("may not be '{name}'")];
    }
    ["/", "%"].iter().filter(|c| name.contains(*c)).map(|c| format!("may not contain '{c}'")).collect()
}

/// `ValidateObjectMeta`: name (or generateName) required and well-formed, labels, annotations.
pub fn validate_object_meta(meta: &ObjectMeta, rule: NameRule) -> Errs {
    let mut errs = Vec::new();
    let name = meta.name.as_deref().unwrap_or("");
    let generate = meta.generate_name.as_deref().unwrap_or("");
    if name.is_empty() && generate.is_empty() {
        errs.push(FieldError::required("metadata.name", "name or generateName is required"));
    } else if !name.is_empty() {
        let msgs = match rule {
            NameRule::Dns1123Subdomain => is_dns1123_subdomain(name),
            NameRule::Dns1123Label => is_dns1123_label(name),
            NameRule::Dns1035Label => is_dns1035_label(name),
            NameRule::PathSegment => path_segment_errors(name),
        };
        for m in msgs {
            errs.push(FieldError::invalid("metadata.name", BadValue::Str(name.into()), m));
        }
    }
    if let Some(l) = &meta.labels {
        errs.extend(validate_labels(l, "metadata.labels"));
    }
    if let Some(a) = &meta.annotations {
        errs.extend(validate_annotations(a, "metadata.annotations"));
    }
    if let Some(refs) = &meta.owner_references {
        errs.extend(validate_owner_references(refs, name));
    }
    errs
}

/// `ValidateOwnerReferences` with v1.32's messages. Like the API server's, its paths carry no
/// index (`metadata.ownerReferences.uid`), and every controller reference after the first is
/// one more error naming the first.
fn validate_owner_references(refs: &[OwnerReference], object: &str) -> Errs {
    const PATH: &str = "metadata.ownerReferences";
    let mut errs = Vec::new();
    let mut first_controller: Option<String> = None;
    for (i, r) in refs.iter().enumerate() {
        // `schema.FromAPIVersionAndKind`: "/" and an apiVersion with two slashes parse to
        // nothing.
        let (group, version) = match r.api_version.split_once('/') {
            None => ("", r.api_version.as_str()),
            Some((g, v)) if !v.contains('/') && r.api_version != "/" => (g, v),
            Some(_) => ("", ""),
        };
        let str_err = |field: &str, value: &str, detail: &str| {
            FieldError::invalid(format!("{PATH}.{field}"), BadValue::Str(value.into()), detail)
        };
        if version.is_empty() {
            errs.push(str_err("apiVersion", &r.api_version, "version must not be empty"));
        }
        if r.kind.is_empty() {
            errs.push(str_err("kind", &r.kind, "kind must not be empty"));
        }
        if r.name.is_empty() {
            errs.push(str_err("name", &r.name, "name must not be empty"));
        }
        if r.uid.is_empty() {
            errs.push(str_err("uid", &r.uid, "uid must not be empty"));
        }
        // `BannedOwners`: an Event owns nothing.
        if (group, version, r.kind.as_str()) == ("", "v1", "Event") {
            errs.push(FieldError::invalid(
                PATH,
                BadValue::Raw(go_owner_references(refs, object).swap_remove(i)),
                format!("{group}/{version}, Kind={} is disallowed from being an owner", r.kind),
            ));
        }
        if r.controller == Some(true) {
            let name = format!("{}/{}", r.kind, r.name);
            match &first_controller {
                Some(first) => errs.push(FieldError::invalid(
                    PATH,
                    BadValue::Raw(format!("[]v1.OwnerReference{{{}}}", go_owner_references(refs, object).join(", "))),
                    format!(
                        "Only one reference can have Controller set to true. Found \"true\" in references for {first} and {name}"
                    ),
                )),
                None => first_controller = Some(name),
            }
        }
    }
    errs
}

/// Go's `%#v` of each of a `[]metav1.OwnerReference`. Its `*bool` fields print as heap
/// addresses; the JSON decoder allocates each one in turn from the tiny allocator, so they are
/// consecutive bytes, here after a block made up from the object's name.
fn go_owner_references(refs: &[OwnerReference], object: &str) -> Vec<String> {
    let mut next = crate::sim::api::errors::go_heap_address(object) & !0xf;
    let mut ptr = |b: Option<bool>| match b {
        None => "(*bool)(nil)".to_string(),
        Some(_) => {
            next += 1;
            format!("(*bool)({:#x})", next - 1)
        }
    };
    refs.iter()
        .map(|r| {
            let controller = ptr(r.controller);
            let block = ptr(r.block_owner_deletion);
            format!(
                "v1.OwnerReference{{APIVersion:{}, Kind:{}, Name:{}, UID:{}, Controller:{controller}, BlockOwnerDeletion:{block}}}",
                go_quote(&r.api_version),
                go_quote(&r.kind),
                go_quote(&r.name),
                go_quote(&r.uid),
            )
        })
        .collect()
}

/// `IsValidPortNum`.
fn port_num_errs(p: i32) -> Vec<String> {
    if (1..=65535).contains(&p) {
        Vec::new()
    } else {
        vec!["must be between 1 and 65535, inclusive".to_string()]
    }
}

/// `IsValidPortName` (IANA_SVC_NAME).
pub fn is_valid_port_name(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 15 {
        errs.push(max_len_error(15));
    }
    if !s.bytes().all(|c| is_alnum_lower(c) || c == b'-') || s.is_empty() {
        errs.push("must contain only alphanumeric characters (a-z, 0-9), and hyphens (-)".into());
    }
    if !s.bytes().any(|c| c.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)".into());
    }
    if s.contains("--") {
        errs.push("must not contain consecutive hyphens".into());
    }
    if s.starts_with('-') || s.ends_with('-') {
        errs.push("must not begin or end with a hyphen".into());
    }
    errs
}

fn port_num_or_name(p: &IntOrString, path: &str) -> Errs {
    match p {
        IntOrString::Int(n) => {
            port_num_errs(*n).into_iter().map(|m| FieldError::invalid(path, BadValue::Int(i64::from(*n)), m)).collect()
        }
        IntOrString::String(s) => {
            is_valid_port_name(s).into_iter().map(|m| FieldError::invalid(path, BadValue::Str(s.clone()), m)).collect()
        }
    }
}

/// Nano-units of a quantity, for comparisons (`0.5` = `500m`).
fn quantity_nanos(s: &str) -> Option<i128> {
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-')).unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    let (mult_num, mult_den): (i128, i128) = match suffix {
        "" => (1_000_000_000, 1),
        "n" => (1, 1),
        "u" => (1_000, 1),
        "m" => (1_000_000, 1),
        "k" => (1_000_000_000_000, 1),
        "M" => (1_000_000_000_000_000, 1),
        "G" => (1_000_000_000_000_000_000, 1),
        "T" => (1_000_000_000_000_000_000_000, 1),
        "P" => (1_000_000_000_000_000_000_000_000, 1),
        "E" => (1_000_000_000_000_000_000_000_000_000, 1),
        "Ki" => (1_000_000_000 << 10, 1),
        "Mi" => (1_000_000_000 << 20, 1),
        "Gi" => (1_000_000_000 << 30, 1),
        "Ti" => (1_000_000_000 << 40, 1),
        "Pi" => (1_000_000_000 << 50, 1),
        "Ei" => (1_000_000_000 << 60, 1),
        _ => return None,
    };
    let (int_part, frac_part) = num.split_once('.').unwrap_or((num, ""));
    let neg = int_part.starts_with('-');
    let int_part = int_part.trim_start_matches(['+', '-']);
    let int: i128 = if int_part.is_empty() { 0 } else { int_part.parse().ok()? };
    let mut frac_val: i128 = 0;
    let mut frac_den: i128 = 1;
    for c in frac_part.chars().take(18) {
        frac_val = frac_val * 10 + i128::from(c.to_digit(10)? as u8);
        frac_den *= 10;
    }
    let v = int.checked_mul(mult_num)? + frac_val.checked_mul(mult_num)? / frac_den;
    let v = v / mult_den;
    Some(if neg { -v } else { v })
}

/// What `Quantity.String()` prints, for the common cases (a fraction is shown in milli-units).
fn quantity_string(s: &str) -> String {
    if s.contains('.') {
        if let Some(n) = quantity_nanos(s) {
            if n % 1_000_000 == 0 {
                let m = n / 1_000_000;
                return if m % 1000 == 0 { format!("{}", m / 1000) } else { format!("{m}m") };
            }
        }
    }
    s.to_string()
}

fn validate_resources(r: &ResourceRequirements, path: &str) -> Errs {
    let mut errs = Vec::new();
    let limits = r.limits.clone().unwrap_or_default();
    for (name, q) in &limits {
        if quantity_nanos(&q.0).is_some_and(|n| n < 0) {
            errs.push(FieldError::invalid(
                format!("{path}.limits[{name}]"),
                BadValue::Str(q.0.clone()),
                "must be greater than or equal to 0",
            ));
        }
    }
    for (name, q) in r.requests.iter().flatten() {
        let req = quantity_nanos(&q.0);
        if req.is_some_and(|n| n < 0) {
            errs.push(FieldError::invalid(
                format!("{path}.requests[{name}]"),
                BadValue::Str(q.0.clone()),
                "must be greater than or equal to 0",
            ));
        }
        if let Some(lim) = limits.get(name) {
            if let (Some(a), Some(b)) = (req, quantity_nanos(&lim.0)) {
                let overcommit =
                    !(name.starts_with("hugepages-") || name.contains('/') && !name.starts_with("kubernetes.io/"));
                if a != b && !overcommit {
                    errs.push(FieldError::invalid(
                        format!("{path}.requests"),
                        BadValue::Str(quantity_string(&q.0)),
                        format!("must be equal to {name} limit of {}", quantity_string(&lim.0)),
                    ));
                } else if a > b {
                    errs.push(FieldError::invalid(
                        format!("{path}.requests"),
                        BadValue::Str(quantity_string(&q.0)),
                        format!("must be less than or equal to {name} limit of {}", quantity_string(&lim.0)),
                    ));
                }
            }
        }
    }
    errs
}

fn validate_probe(p: &Probe, path: &str, liveness_or_startup: bool) -> Errs {
    let mut errs = Vec::new();
    let mut n = 0;
    let handlers = [
        ("exec", p.exec.is_some()),
        ("httpGet", p.http_get.is_some()),
        ("tcpSocket", p.tcp_socket.is_some()),
        ("grpc", p.grpc.is_some()),
    ];
    for (name, present) in handlers {
        if !present {
            continue;
        }
        if n > 0 {
            errs.push(FieldError::forbidden(format!("{path}.{name}"), "may not specify more than 1 handler type"));
            continue;
        }
        n += 1;
        match name {
            "exec" if p.exec.as_ref().and_then(|e| e.command.as_ref()).is_none_or(|c| c.is_empty()) => {
                errs.push(FieldError::required(format!("{path}.exec.command"), ""));
            }
            "httpGet" => {
                if let Some(g) = &p.http_get {
                    errs.extend(port_num_or_name(&g.port, &format!("{path}.httpGet.port")));
                    if let Some(s) = g.scheme.as_deref() {
                        if s != "HTTP" && s != "HTTPS" {
                            errs.push(FieldError::not_supported(
                                format!("{path}.httpGet.scheme"),
                                BadValue::Str(s.into()),
                                &["HTTP", "HTTPS"],
                            ));
                        }
                    }
                }
            }
            "tcpSocket" => {
                if let Some(t) = &p.tcp_socket {
                    errs.extend(port_num_or_name(&t.port, &format!("{path}.tcpSocket.port")));
                }
            }
            _ => {}
        }
    }
    if n == 0 {
        errs.push(FieldError::required(path, "must specify a handler type"));
    }
    for (field, v) in [
        ("initialDelaySeconds", p.initial_delay_seconds),
        ("timeoutSeconds", p.timeout_seconds),
        ("periodSeconds", p.period_seconds),
        ("successThreshold", p.success_threshold),
        ("failureThreshold", p.failure_threshold),
    ] {
        if let Some(v) = v.filter(|v| *v < 0) {
            errs.push(FieldError::invalid(
                format!("{path}.{field}"),
                BadValue::Int(i64::from(v)),
                "must be greater than or equal to 0",
            ));
        }
    }
    if liveness_or_startup {
        if let Some(s) = p.success_threshold.filter(|s| *s != 1) {
            errs.push(FieldError::invalid(
                format!("{path}.successThreshold"),
                BadValue::Int(i64::from(s)),
                "must be 1",
            ));
        }
    }
    errs
}

/// `<path>.<field>`. Paths are built for every pod created, whether or not anything is wrong
/// with it, so they are put together by hand rather than with `format!` (ten times the cost).
fn field_path(path: &str, field: &str) -> String {
    [path, ".", field].concat()
}

/// `<path>.<field>[<i>]`, the path of a list item (see [`field_path`]).
fn item_path(path: &str, field: &str, i: usize) -> String {
    [path, ".", field, "[", itoa::Buffer::new().format(i), "]"].concat()
}

/// Validates one container at `path` (`spec.containers[0]`), with the pod's volume names.
fn validate_container(c: &Container, path: &str, volumes: &BTreeMap<String, ()>) -> Errs {
    let mut errs = Vec::new();
    if c.name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    } else {
        for m in is_dns1123_label(&c.name) {
            errs.push(FieldError::invalid(format!("{path}.name"), BadValue::Str(c.name.clone()), m));
        }
    }
    let image = c.image.as_deref().unwrap_or("");
    if image.is_empty() {
        errs.push(FieldError::required(format!("{path}.image"), ""));
    } else if image.trim() != image {
        errs.push(FieldError::invalid(
            format!("{path}.image"),
            BadValue::Str(image.into()),
            "must not have leading or trailing whitespace",
        ));
    }
    if let Some(p) = &c.lifecycle {
        let _ = p; // lifecycle handlers: not validated here
    }
    for (field, probe, strict) in [
        ("livenessProbe", &c.liveness_probe, true),
        ("readinessProbe", &c.readiness_probe, false),
        ("startupProbe", &c.startup_probe, true),
    ] {
        if let Some(p) = probe {
            errs.extend(validate_probe(p, &field_path(path, field), strict));
        }
    }
    let mut port_names = BTreeMap::new();
    for (i, p) in c.ports.iter().flatten().enumerate() {
        let pp = item_path(path, "ports", i);
        if let Some(name) = p.name.as_deref().filter(|n| !n.is_empty()) {
            let msgs = is_valid_port_name(name);
            if !msgs.is_empty() {
                for m in msgs {
                    errs.push(FieldError::invalid(format!("{pp}.name"), BadValue::Str(name.into()), m));
                }
            } else if port_names.insert(name.to_string(), ()).is_some() {
                errs.push(FieldError::duplicate(format!("{pp}.name"), BadValue::Str(name.into())));
            }
        }
        if p.container_port == 0 {
            errs.push(FieldError::required(format!("{pp}.containerPort"), ""));
        } else {
            for m in port_num_errs(p.container_port) {
                errs.push(FieldError::invalid(
                    format!("{pp}.containerPort"),
                    BadValue::Int(i64::from(p.container_port)),
                    m,
                ));
            }
        }
        if let Some(h) = p.host_port.filter(|h| *h != 0) {
            for m in port_num_errs(h) {
                errs.push(FieldError::invalid(format!("{pp}.hostPort"), BadValue::Int(i64::from(h)), m));
            }
        }
        match p.protocol.as_deref() {
            None | Some("") => errs.push(FieldError::required(format!("{pp}.protocol"), "")),
            Some("TCP") | Some("UDP") | Some("SCTP") => {}
            Some(other) => errs.push(FieldError::not_supported(
                format!("{pp}.protocol"),
                BadValue::Str(other.into()),
                &["SCTP", "TCP", "UDP"],
            )),
        }
    }
    for (i, e) in c.env.iter().flatten().enumerate() {
        let ep = format!("{path}.env[{i}].name");
        if e.name.is_empty() {
            errs.push(FieldError::required(ep, ""));
        } else if !e.name.bytes().all(|b| (32..=126).contains(&b) && b != b'=') {
            // RelaxedEnvironmentVariableValidation is on by default in v1.32.
            errs.push(FieldError::invalid(
                ep,
                BadValue::Str(e.name.clone()),
                "a valid environment variable name must consist only of printable ASCII characters other than '='",
            ));
        }
    }
    let mut mount_paths = BTreeMap::new();
    for (i, m) in c.volume_mounts.iter().flatten().enumerate() {
        let mp = item_path(path, "volumeMounts", i);
        if m.name.is_empty() {
            errs.push(FieldError::required(format!("{mp}.name"), ""));
        } else if !volumes.contains_key(&m.name) {
            errs.push(FieldError::not_found(format!("{mp}.name"), BadValue::Str(m.name.clone())));
        }
        if m.mount_path.is_empty() {
            errs.push(FieldError::required(format!("{mp}.mountPath"), ""));
        } else if mount_paths.insert(m.mount_path.clone(), ()).is_some() {
            errs.push(FieldError::invalid(
                format!("{mp}.mountPath"),
                BadValue::Str(m.mount_path.clone()),
                "must be unique",
            ));
        }
    }
    if let Some(r) = &c.resources {
        errs.extend(validate_resources(r, &format!("{path}.resources")));
    }
    if let Some(p) = c.image_pull_policy.as_deref() {
        if !matches!(p, "Always" | "IfNotPresent" | "Never") {
            errs.push(FieldError::not_supported(
                format!("{path}.imagePullPolicy"),
                BadValue::Str(p.into()),
                &["Always", "IfNotPresent", "Never"],
            ));
        }
    }
    errs
}

fn validate_volume(v: &Volume, path: &str) -> Errs {
    let mut errs = Vec::new();
    if v.name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    } else {
        for m in is_dns1123_label(&v.name) {
            errs.push(FieldError::invalid(format!("{path}.name"), BadValue::Str(v.name.clone()), m));
        }
    }
    // Order of the checks in validateVolumeSource.
    let sources = [
        ("emptyDir", v.empty_dir.is_some()),
        ("hostPath", v.host_path.is_some()),
        ("gitRepo", v.git_repo.is_some()),
        ("secret", v.secret.is_some()),
        ("nfs", v.nfs.is_some()),
        ("iscsi", v.iscsi.is_some()),
        ("persistentVolumeClaim", v.persistent_volume_claim.is_some()),
        ("downwardAPI", v.downward_api.is_some()),
        ("configMap", v.config_map.is_some()),
        ("projected", v.projected.is_some()),
        ("csi", v.csi.is_some()),
        ("ephemeral", v.ephemeral.is_some()),
        ("image", v.image.is_some()),
    ];
    let mut n = 0;
    for (name, present) in sources {
        if !present {
            continue;
        }
        if n > 0 {
            errs.push(FieldError::forbidden(format!("{path}.{name}"), "may not specify more than 1 volume type"));
            continue;
        }
        n += 1;
        match name {
            "hostPath" if v.host_path.as_ref().is_some_and(|h| h.path.is_empty()) => {
                errs.push(FieldError::required(format!("{path}.hostPath.path"), ""));
            }
            "secret" if v.secret.as_ref().is_some_and(|s| s.secret_name.as_deref().unwrap_or("").is_empty()) => {
                errs.push(FieldError::required(format!("{path}.secret.secretName"), ""));
            }
            "configMap" if v.config_map.as_ref().is_some_and(|c| c.name.is_empty()) => {
                errs.push(FieldError::required(format!("{path}.configMap.name"), ""));
            }
            "persistentVolumeClaim" if v.persistent_volume_claim.as_ref().is_some_and(|c| c.claim_name.is_empty()) => {
                errs.push(FieldError::required(format!("{path}.persistentVolumeClaim.claimName"), ""));
            }
            _ => {}
        }
    }
    if n == 0 {
        errs.push(FieldError::required(path, "must specify a volume type"));
    }
    errs
}

/// `ValidatePodSpec` (subset) at `path` (`spec` or `spec.template.spec`).
pub fn validate_pod_spec(spec: &PodSpec, path: &str) -> Errs {
    let mut errs = Vec::new();
    let mut vols = BTreeMap::new();
    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        let vp = item_path(path, "volumes", i);
        errs.extend(validate_volume(v, &vp));
        if !v.name.is_empty() && vols.insert(v.name.clone(), ()).is_some() {
            errs.push(FieldError::duplicate(format!("{vp}.name"), BadValue::Str(v.name.clone())));
        }
    }
    let mut names = BTreeMap::new();
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        let cp = item_path(path, "initContainers", i);
        errs.extend(validate_container(c, &cp, &vols));
        if !c.name.is_empty() && names.insert(c.name.clone(), ()).is_some() {
            errs.push(FieldError::duplicate(format!("{cp}.name"), BadValue::Str(c.name.clone())));
        }
    }
    if spec.containers.is_empty() {
        errs.push(FieldError::required(format!("{path}.containers"), ""));
    }
    for (i, c) in spec.containers.iter().enumerate() {
        let cp = item_path(path, "containers", i);
        errs.extend(validate_container(c, &cp, &vols));
        if !c.name.is_empty() && names.insert(c.name.clone(), ()).is_some() {
            errs.push(FieldError::duplicate(format!("{cp}.name"), BadValue::Str(c.name.clone())));
        }
    }
    match spec.restart_policy.as_deref() {
        Some("Always") | Some("OnFailure") | Some("Never") => {}
        None | Some("") => errs.push(FieldError::required(format!("{path}.restartPolicy"), "")),
        Some(other) => errs.push(FieldError::not_supported(
            format!("{path}.restartPolicy"),
            BadValue::Str(other.into()),
            &["Always", "OnFailure", "Never"],
        )),
    }
    match spec.dns_policy.as_deref() {
        Some("ClusterFirstWithHostNet") | Some("ClusterFirst") | Some("Default") | Some("None") => {}
        None | Some("") => errs.push(FieldError::required(format!("{path}.dnsPolicy"), "")),
        Some(other) => errs.push(FieldError::not_supported(
            format!("{path}.dnsPolicy"),
            BadValue::Str(other.into()),
            &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
        )),
    }
    if let Some(ns) = &spec.node_selector {
        errs.extend(validate_labels(ns, &format!("{path}.nodeSelector")));
    }
    if let Some(t) = spec.termination_grace_period_seconds.filter(|t| *t < 0) {
        errs.push(FieldError::invalid(
            format!("{path}.terminationGracePeriodSeconds"),
            BadValue::Int(t),
            "must be greater than or equal to 0",
        ));
    }
    if let Some(a) = spec.active_deadline_seconds.filter(|a| *a <= 0) {
        errs.push(FieldError::invalid(
            format!("{path}.activeDeadlineSeconds"),
            BadValue::Int(a),
            "must be between 1 and 2147483647, inclusive",
        ));
    }
    errs
}

/// `ValidatePodCreate` (subset): metadata then spec.
pub fn validate_pod(pod: &Pod) -> Errs {
    let mut errs = validate_object_meta(&pod.metadata, NameRule::Dns1123Subdomain);
    match &pod.spec {
        Some(s) => errs.extend(validate_pod_spec(s, "spec")),
        None => errs.push(FieldError::required("spec.containers", "")),
    }
    errs
}

/// The fields `ValidatePodUpdate` lets an update change.
const UPDATABLE_POD_SPEC_FIELDS: &str = "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/// `ValidatePodUpdate` (subset): only images, activeDeadlineSeconds, added tolerations and
/// (from negative to 1) terminationGracePeriodSeconds may change. The real message ends with a
/// Go `cmp.Diff` of the internal PodSpec; here it ends with a diff of the changed JSON fields.
pub fn validate_pod_update(new: &Pod, old: &Pod) -> Errs {
    let mut errs = validate_pod(new);
    errs.extend(pod_update_errs(new, old));
    errs
}

fn pod_update_errs(new: &Pod, old: &Pod) -> Errs {
    let mut errs = Vec::new();
    let (Some(ns), Some(os)) = (&new.spec, &old.spec) else {
        return errs;
    };
    let mut munged = ns.clone();
    for (c, oc) in munged.containers.iter_mut().zip(os.containers.iter()) {
        c.image = oc.image.clone();
    }
    for (c, oc) in munged.init_containers.iter_mut().flatten().zip(os.init_containers.iter().flatten()) {
        c.image = oc.image.clone();
    }
    munged.active_deadline_seconds = os.active_deadline_seconds;
    let old_tols = os.tolerations.clone().unwrap_or_default();
    if let Some(t) = munged.tolerations.as_ref() {
        if t.len() >= old_tols.len() && t[..old_tols.len()] == old_tols[..] {
            munged.tolerations = os.tolerations.clone();
        }
    }
    if os.termination_grace_period_seconds.is_some_and(|t| t < 0) && ns.termination_grace_period_seconds == Some(1) {
        munged.termination_grace_period_seconds = os.termination_grace_period_seconds;
    }
    if munged != *os {
        let a = serde_json::to_value(os).unwrap_or_default();
        let b = serde_json::to_value(&munged).unwrap_or_default();
        let mut diff = String::new();
        let empty = serde_json::Map::new();
        let ao = a.as_object().unwrap_or(&empty);
        let bo = b.as_object().unwrap_or(&empty);
        let keys: std::collections::BTreeSet<&String> = ao.keys().chain(bo.keys()).collect();
        for k in keys {
            let (x, y) = (ao.get(k), bo.get(k));
            if x != y {
                if let Some(x) = x {
                    diff.push_str(&format!("- {k}: {x}\n"));
                }
                if let Some(y) = y {
                    diff.push_str(&format!("+ {k}: {y}\n"));
                }
            }
        }
        errs.push(FieldError::forbidden(
            "spec",
            format!("pod updates may not change fields other than {UPDATABLE_POD_SPEC_FIELDS}\n{diff}"),
        ));
    }
    errs
}

fn validate_template(t: &PodTemplateSpec, path: &str) -> Errs {
    let mut errs = Vec::new();
    if let Some(m) = &t.metadata {
        if let Some(l) = &m.labels {
            errs.extend(validate_labels(l, &format!("{path}.metadata.labels")));
        }
        if let Some(a) = &m.annotations {
            errs.extend(validate_annotations(a, &format!("{path}.metadata.annotations")));
        }
    }
    match &t.spec {
        Some(s) => errs.extend(validate_pod_spec(s, &format!("{path}.spec"))),
        None => errs.push(FieldError::required(format!("{path}.spec.containers"), "")),
    }
    errs
}

fn non_negative(v: Option<i32>, path: &str, errs: &mut Errs) {
    if let Some(v) = v.filter(|v| *v < 0) {
        errs.push(FieldError::invalid(path, BadValue::Int(i64::from(v)), "must be greater than or equal to 0"));
    }
}

/// Whether a selector's matchLabels/matchExpressions select `labels`.
fn selector_matches(
    sel: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector,
    labels: &BTreeMap<String, String>,
) -> bool {
    for (k, v) in sel.match_labels.iter().flatten() {
        if labels.get(k) != Some(v) {
            return false;
        }
    }
    for e in sel.match_expressions.iter().flatten() {
        let vals = e.values.clone().unwrap_or_default();
        let ok = match e.operator.as_str() {
            "In" => labels.get(&e.key).is_some_and(|v| vals.contains(v)),
            "NotIn" => labels.get(&e.key).is_none_or(|v| !vals.contains(v)),
            "Exists" => labels.contains_key(&e.key),
            "DoesNotExist" => !labels.contains_key(&e.key),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// `ValidateDeployment` (subset): selector required and matching the template labels,
/// replicas >= 0, strategy, template with restartPolicy Always.
pub fn validate_deployment(d: &Deployment) -> Errs {
    let mut errs = validate_object_meta(&d.metadata, NameRule::Dns1123Subdomain);
    let Some(spec) = &d.spec else {
        errs.push(FieldError::required("spec.selector", ""));
        return errs;
    };
    non_negative(spec.replicas, "spec.replicas", &mut errs);
    let labels = spec.template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
    let sel = &spec.selector;
    let empty = sel.match_labels.as_ref().is_none_or(|m| m.is_empty())
        && sel.match_expressions.as_ref().is_none_or(|m| m.is_empty());
    if empty {
        errs.push(FieldError::required("spec.selector", ""));
    } else {
        if let Some(ml) = &sel.match_labels {
            errs.extend(validate_labels(ml, "spec.selector.matchLabels"));
        }
        if !selector_matches(sel, &labels) {
            errs.push(FieldError::invalid(
                "spec.template.metadata.labels",
                BadValue::StrMap(labels.clone()),
                "`selector` does not match template `labels`",
            ));
        }
    }
    errs.extend(validate_template(&spec.template, "spec.template"));
    if let Some(rp) = spec.template.spec.as_ref().and_then(|s| s.restart_policy.as_deref()) {
        if rp != "Always" {
            errs.push(FieldError::not_supported(
                "spec.template.spec.restartPolicy",
                BadValue::Str(rp.into()),
                &["Always"],
            ));
        }
    }
    if let Some(st) = &spec.strategy {
        match st.type_.as_deref() {
            Some("Recreate") => {
                if st.rolling_update.is_some() {
                    errs.push(FieldError::forbidden(
                        "spec.strategy.rollingUpdate",
                        "may not be specified when strategy `type` is 'Recreate'",
                    ));
                }
            }
            Some("RollingUpdate") => {
                if let Some(ru) = &st.rolling_update {
                    let zero = |v: &Option<IntOrString>| match v {
                        Some(IntOrString::Int(0)) => true,
                        Some(IntOrString::String(s)) => s == "0%" || s == "0",
                        _ => false,
                    };
                    if zero(&ru.max_unavailable) && zero(&ru.max_surge) {
                        let bad = match &ru.max_unavailable {
                            Some(IntOrString::String(s)) => BadValue::Str(s.clone()),
                            _ => BadValue::Int(0),
                        };
                        errs.push(FieldError::invalid(
                            "spec.strategy.rollingUpdate.maxUnavailable",
                            bad,
                            "may not be 0 when `maxSurge` is 0",
                        ));
                    }
                }
            }
            None | Some("") => errs.push(FieldError::required("spec.strategy.type", "")),
            Some(other) => errs.push(FieldError::not_supported(
                "spec.strategy.type",
                BadValue::Str(other.into()),
                &["Recreate", "RollingUpdate"],
            )),
        }
    }
    non_negative(spec.revision_history_limit, "spec.revisionHistoryLimit", &mut errs);
    errs
}

/// The NodePort range of the simulated API server (`--service-node-port-range`).
pub const NODE_PORT_RANGE: (i32, i32) = (30000, 32767);

/// `ValidateService` (subset) plus the NodePort allocator's range check.
pub fn validate_service(svc: &Service) -> Errs {
    let mut errs = validate_object_meta(&svc.metadata, NameRule::Dns1035Label);
    let Some(spec) = &svc.spec else {
        return errs;
    };
    let ty = spec.type_.as_deref().unwrap_or("ClusterIP");
    let ports = spec.ports.clone().unwrap_or_default();
    let headless = spec.cluster_ip.as_deref() == Some("None");
    if ports.is_empty() && ty != "ExternalName" && !headless {
        errs.push(FieldError::required("spec.ports", ""));
    }
    let mut names = BTreeMap::new();
    for (i, p) in ports.iter().enumerate() {
        let pp = format!("spec.ports[{i}]");
        let name = p.name.as_deref().unwrap_or("");
        if ports.len() > 1 && name.is_empty() {
            errs.push(FieldError::required(format!("{pp}.name"), ""));
        } else if !name.is_empty() {
            for m in is_dns1123_label(name) {
                errs.push(FieldError::invalid(format!("{pp}.name"), BadValue::Str(name.into()), m));
            }
            if names.insert(name.to_string(), ()).is_some() {
                errs.push(FieldError::duplicate(format!("{pp}.name"), BadValue::Str(name.into())));
            }
        }
        for m in port_num_errs(p.port) {
            errs.push(FieldError::invalid(format!("{pp}.port"), BadValue::Int(i64::from(p.port)), m));
        }
        match p.protocol.as_deref() {
            None | Some("") => errs.push(FieldError::required(format!("{pp}.protocol"), "")),
            Some("TCP") | Some("UDP") | Some("SCTP") => {}
            Some(other) => errs.push(FieldError::not_supported(
                format!("{pp}.protocol"),
                BadValue::Str(other.into()),
                &["SCTP", "TCP", "UDP"],
            )),
        }
        if let Some(tp) = &p.target_port {
            errs.extend(port_num_or_name(tp, &format!("{pp}.targetPort")));
        }
        if let Some(np) = p.node_port.filter(|n| *n != 0) {
            if ty == "ClusterIP" {
                errs.push(FieldError::forbidden(
                    format!("{pp}.nodePort"),
                    "may not be used when `type` is 'ClusterIP'",
                ));
            } else if np < NODE_PORT_RANGE.0 || np > NODE_PORT_RANGE.1 {
                errs.push(FieldError::invalid(
                    format!("{pp}.nodePort"),
                    BadValue::Int(i64::from(np)),
                    format!(
                        "provided port is not in the valid range. The range of valid ports is {}-{}",
                        NODE_PORT_RANGE.0, NODE_PORT_RANGE.1
                    ),
                ));
            }
        }
    }
    if !matches!(ty, "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName") {
        errs.push(FieldError::not_supported(
            "spec.type",
            BadValue::Str(ty.into()),
            &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"],
        ));
    }
    if ty == "ExternalName" && spec.external_name.as_deref().unwrap_or("").is_empty() {
        errs.push(FieldError::required("spec.externalName", ""));
    }
    if let Some(sel) = &spec.selector {
        errs.extend(validate_labels(sel, "spec.selector"));
    }
    errs
}

/// `IsConfigMapKey`.
pub fn is_config_map_key(k: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if k.len() > 253 {
        errs.push(max_len_error(253));
    }
    if k.is_empty() || !k.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')) {
        errs.push(regex_error(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
            "[-._a-zA-Z0-9]+",
            &["key.name", "KEY_NAME", "key-name"],
        ));
    }
    if k == "." {
        errs.push("must not be '.'".into());
    } else if k == ".." {
        errs.push("must not be '..'".into());
    } else if k.starts_with("..") {
        errs.push("must not start with '..'".into());
    }
    errs
}

/// `ValidateConfigMap`: name, keys (in data then binaryData), 1 MiB total.
pub fn validate_config_map(cm: &ConfigMap) -> Errs {
    let mut errs = validate_object_meta(&cm.metadata, NameRule::Dns1123Subdomain);
    let mut size = 0;
    for (k, v) in cm.data.iter().flatten() {
        for m in is_config_map_key(k) {
            errs.push(FieldError::invalid(format!("data[{k}]"), BadValue::Str(k.clone()), m));
        }
        if cm.binary_data.as_ref().is_some_and(|b| b.contains_key(k)) {
            errs.push(FieldError::invalid(
                format!("data[{k}]"),
                BadValue::Str(k.clone()),
                "duplicate of key present in binaryData",
            ));
        }
        size += k.len() + v.len();
    }
    for (k, v) in cm.binary_data.iter().flatten() {
        for m in is_config_map_key(k) {
            errs.push(FieldError::invalid(format!("binaryData[{k}]"), BadValue::Str(k.clone()), m));
        }
        size += k.len() + v.0.len();
    }
    if size > 1024 * 1024 {
        errs.push(FieldError::too_long("", 1024 * 1024));
    }
    errs
}

/// `ValidateSecret` (subset): name, keys, 1 MiB total.
pub fn validate_secret(s: &Secret) -> Errs {
    let mut errs = validate_object_meta(&s.metadata, NameRule::Dns1123Subdomain);
    let mut size = 0;
    for (k, v) in s.data.iter().flatten() {
        for m in is_config_map_key(k) {
            errs.push(FieldError::invalid(format!("data[{k}]"), BadValue::Str(k.clone()), m));
        }
        size += v.0.len();
    }
    if size > 1024 * 1024 {
        errs.push(FieldError::too_long("data", 1024 * 1024));
    }
    errs
}

/// `ValidateNamespace`: the name is a DNS-1123 label.
pub fn validate_namespace(ns: &Namespace) -> Errs {
    validate_object_meta(&ns.metadata, NameRule::Dns1123Label)
}

/// `ValidateJob` (subset): counts >= 0, template restartPolicy OnFailure or Never.
pub fn validate_job(j: &Job) -> Errs {
    let mut errs = validate_object_meta(&j.metadata, NameRule::Dns1123Subdomain);
    if let Some(spec) = &j.spec {
        errs.extend(validate_job_spec(spec, "spec"));
    }
    errs
}

fn validate_job_spec(spec: &k8s_openapi::api::batch::v1::JobSpec, path: &str) -> Errs {
    let mut errs = Vec::new();
    non_negative(spec.parallelism, &format!("{path}.parallelism"), &mut errs);
    non_negative(spec.completions, &format!("{path}.completions"), &mut errs);
    non_negative(spec.backoff_limit, &format!("{path}.backoffLimit"), &mut errs);
    if let Some(a) = spec.active_deadline_seconds.filter(|a| *a <= 0) {
        errs.push(FieldError::invalid(
            format!("{path}.activeDeadlineSeconds"),
            BadValue::Int(a),
            "must be greater than or equal to 0",
        ));
    }
    errs.extend(validate_template(&spec.template, &format!("{path}.template")));
    let rp = spec.template.spec.as_ref().and_then(|s| s.restart_policy.clone()).unwrap_or_default();
    if rp != "OnFailure" && rp != "Never" {
        errs.push(FieldError::not_supported(
            format!("{path}.template.spec.restartPolicy"),
            BadValue::Str(rp),
            &["OnFailure", "Never"],
        ));
    }
    errs
}

/// A basic check of a cron schedule, worded like robfig/cron's parser.
fn schedule_errs(s: &str) -> Option<String> {
    if s.starts_with('@') {
        return match s {
            "@yearly" | "@annually" | "@monthly" | "@weekly" | "@daily" | "@midnight" | "@hourly" => None,
            _ => Some(format!("unrecognized descriptor: {s}")),
        };
    }
    let fields: Vec<&str> = s.split_whitespace().collect();
    if fields.len() != 5 {
        return Some(format!("expected exactly 5 fields, found {}: [{}]", fields.len(), fields.join(" ")));
    }
    None
}

/// `ValidateCronJob` (subset): schedule present and of 5 fields (or a descriptor), no TZ in
/// it, the job template's spec.
pub fn validate_cron_job(cj: &CronJob) -> Errs {
    let mut errs = validate_object_meta(&cj.metadata, NameRule::Dns1123Subdomain);
    if let Some(n) = cj.metadata.name.as_deref().filter(|n| n.len() > 52) {
        errs.push(FieldError::invalid("metadata.name", BadValue::Str(n.into()), "must be no more than 52 characters"));
    }
    let Some(spec) = &cj.spec else {
        return errs;
    };
    if spec.schedule.is_empty() {
        errs.push(FieldError::required("spec.schedule", ""));
    } else if spec.schedule.contains("TZ") {
        errs.push(FieldError::invalid(
            "spec.schedule",
            BadValue::Str(spec.schedule.clone()),
            "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
        ));
    } else if let Some(m) = schedule_errs(&spec.schedule) {
        errs.push(FieldError::invalid("spec.schedule", BadValue::Str(spec.schedule.clone()), m));
    }
    if let Some(p) = spec.concurrency_policy.as_deref() {
        if !matches!(p, "Allow" | "Forbid" | "Replace") {
            errs.push(FieldError::not_supported(
                "spec.concurrencyPolicy",
                BadValue::Str(p.into()),
                &["Allow", "Forbid", "Replace"],
            ));
        }
    }
    if let Some(js) = &spec.job_template.spec {
        errs.extend(validate_job_spec(js, "spec.jobTemplate.spec"));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api::decode::{decode_strict, read_manifest};
    use crate::sim::api::defaults;

    #[test]
    fn paths_are_built_as_format_would() {
        for i in [0, 7, 10, 105, usize::MAX] {
            assert_eq!(item_path("spec.template.spec", "containers", i), format!("spec.template.spec.containers[{i}]"));
        }
        assert_eq!(field_path("spec.containers[0]", "livenessProbe"), "spec.containers[0].livenessProbe");
    }

    fn load<T: serde::de::DeserializeOwned + k8s_openapi::Resource>(yaml: &str) -> T {
        let m = read_manifest(yaml, "x.yaml", true);
        assert_eq!(m.error, None);
        match decode_strict::<T>(&m.docs[0].value) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        }
    }

    /// Creates a pod from `yaml` as the server does and returns kubectl's text.
    fn pod(yaml: &str) -> String {
        let mut p: Pod = load(yaml);
        defaults::default_pod(&mut p, "abcde");
        let errs = validate_pod(&p);
        let name = p.metadata.name.clone().unwrap_or_default();
        invalid("Pod", &name, &errs).kubectl_text()
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n";

    // Messages from apimachinery's validation sources and issue threads (e.g.
    // kubernetes/kubernetes#121855 for the pod update message).
    #[test]
    fn names() {
        assert_eq!(
            pod(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: Web\nspec:\n  containers:\n  - name: web\n    image: nginx\n"
            ),
            "The Pod \"Web\" is invalid: metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        );
        assert_eq!(
            is_dns1123_label("my_app"),
            vec!["a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')".to_string()]
        );
        let mut svc: Service =
            load("apiVersion: v1\nkind: Service\nmetadata:\n  name: 1web\nspec:\n  ports:\n  - port: 80\n");
        defaults::default_service(&mut svc);
        assert_eq!(
            invalid("Service", "1web", &validate_service(&svc)).kubectl_text(),
            "The Service \"1web\" is invalid: metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
        );
        let cm: ConfigMap = load("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    app: my app\n");
        assert_eq!(
            invalid("ConfigMap", "", &validate_config_map(&cm)).kubectl_text(),
            "The ConfigMap \"\" is invalid: \n* metadata.name: Required value: name or generateName is required\n* metadata.labels: Invalid value: \"my app\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        );
    }

    #[test]
    fn pod_containers() {
        assert_eq!(
            pod(&format!("{POD}  - name: web\n")),
            "The Pod \"web\" is invalid: spec.containers[0].image: Required value"
        );
        assert_eq!(
            pod("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers: []\n"),
            "The Pod \"web\" is invalid: spec.containers: Required value"
        );
        assert_eq!(
            pod(&format!(
                "{POD}  - name: web\n    image: nginx\n  - name: web\n    image: redis\n  restartPolicy: Sometimes\n"
            )),
            "The Pod \"web\" is invalid: \n* spec.containers[1].name: Duplicate value: \"web\"\n* spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""
        );
        assert_eq!(
            pod(&format!(
                "{POD}  - name: web\n    image: nginx\n    ports:\n    - containerPort: 70000\n      name: HTTP\n"
            )),
            "The Pod \"web\" is invalid: \n* spec.containers[0].ports[0].name: Invalid value: \"HTTP\": must contain only alphanumeric characters (a-z, 0-9), and hyphens (-)\n* spec.containers[0].ports[0].name: Invalid value: \"HTTP\": must contain at least one letter (a-z)\n* spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"
        );
    }

    #[test]
    fn pod_probes_resources_volumes() {
        assert_eq!(
            pod(&format!(
                "{POD}  - name: web\n    image: nginx\n    livenessProbe:\n      httpGet:\n        port: 80\n      tcpSocket:\n        port: 80\n"
            )),
            "The Pod \"web\" is invalid: spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"
        );
        assert_eq!(
            pod(&format!(
                "{POD}  - name: web\n    image: nginx\n    readinessProbe:\n      periodSeconds: 5\n"
            )),
            "The Pod \"web\" is invalid: spec.containers[0].readinessProbe: Required value: must specify a handler type"
        );
        assert_eq!(
            pod(&format!(
                "{POD}  - name: web\n    image: nginx\n    resources:\n      requests:\n        cpu: 1\n      limits:\n        cpu: 500m\n"
            )),
            "The Pod \"web\" is invalid: spec.containers[0].resources.requests: Invalid value: \"1\": must be less than or equal to cpu limit of 500m"
        );
        assert_eq!(
            pod(&format!(
                "{POD}  - name: web\n    image: nginx\n    volumeMounts:\n    - name: data\n      mountPath: /data\n"
            )),
            "The Pod \"web\" is invalid: spec.containers[0].volumeMounts[0].name: Not found: \"data\""
        );
        assert_eq!(
            pod(&format!(
                "{POD}  - name: web\n    image: nginx\n  volumes:\n  - name: data\n    emptyDir: {{}}\n    configMap:\n      name: c\n"
            )),
            "The Pod \"web\" is invalid: spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type"
        );
        assert_eq!(pod(&format!("{POD}  - name: web\n    image: nginx\n")), "The Pod \"web\" is invalid");
        assert!(validate_pod(&{
            let mut p: Pod = load(&format!("{POD}  - name: web\n    image: nginx\n"));
            defaults::default_pod(&mut p, "abcde");
            p
        })
        .is_empty());
    }

    #[test]
    fn pod_update() {
        let mut old: Pod = load(&format!("{POD}  - name: web\n    image: nginx\n"));
        defaults::default_pod(&mut old, "abcde");
        let mut new = old.clone();
        if let Some(s) = new.spec.as_mut() {
            s.containers[0].image = Some("nginx:1.27".into());
        }
        assert!(validate_pod_update(&new, &old).is_empty());
        if let Some(s) = new.spec.as_mut() {
            s.restart_policy = Some("Never".into());
        }
        let errs = validate_pod_update(&new, &old);
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0].to_string(),
            "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n- restartPolicy: \"Always\"\n+ restartPolicy: \"Never\"\n"
        );
    }

    #[test]
    fn deployments() {
        let mut d: Deployment = load(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: -1\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: x\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n",
        );
        defaults::default_deployment(&mut d);
        assert_eq!(
            invalid("Deployment", "web", &validate_deployment(&d)).kubectl_text(),
            "The Deployment \"web\" is invalid: \n* spec.replicas: Invalid value: -1: must be greater than or equal to 0\n* spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`"
        );
        let mut d: Deployment = load(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      labels:\n        app: x\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n",
        );
        defaults::default_deployment(&mut d);
        let e = invalid("Deployment", "web", &validate_deployment(&d));
        assert_eq!(e.message, "Deployment.apps \"web\" is invalid: spec.selector: Required value");
    }

    #[test]
    fn services_jobs_configmaps() {
        let mut s: Service = load(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 80\n",
        );
        defaults::default_service(&mut s);
        assert_eq!(
            invalid("Service", "web", &validate_service(&s)).kubectl_text(),
            "The Service \"web\" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767"
        );
        let mut s: Service = load(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: Nodeport\n  ports:\n  - port: 80\n  - port: 81\n",
        );
        defaults::default_service(&mut s);
        assert_eq!(
            invalid("Service", "web", &validate_service(&s)).kubectl_text(),
            "The Service \"web\" is invalid: \n* spec.ports[0].name: Required value\n* spec.ports[1].name: Required value\n* spec.type: Unsupported value: \"Nodeport\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""
        );
        let mut j: Job = load(
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: pi\nspec:\n  template:\n    spec:\n      containers:\n      - name: pi\n        image: perl\n",
        );
        defaults::default_job(&mut j, "uid");
        assert_eq!(
            invalid("Job", "pi", &validate_job(&j)).kubectl_text(),
            "The Job \"pi\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""
        );
        let mut cj: CronJob = load(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  schedule: '*/5 * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: c\n            image: busybox\n",
        );
        defaults::default_cron_job(&mut cj);
        assert_eq!(
            validate_cron_job(&cj).iter().map(|e| e.to_string()).collect::<Vec<_>>(),
            vec!["spec.schedule: Invalid value: \"*/5 * * *\": expected exactly 5 fields, found 4: [*/5 * * *]"
                .to_string()]
        );
        let cm: ConfigMap = load("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  bad key: x\n");
        assert_eq!(
            validate_config_map(&cm).iter().map(|e| e.to_string()).collect::<Vec<_>>(),
            vec!["data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')".to_string()]
        );
        let ns: Namespace = load("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev.team\n");
        assert_eq!(validate_namespace(&ns).len(), 1);
    }

    #[test]
    fn quantities_compare() {
        assert_eq!(quantity_nanos("500m"), quantity_nanos("0.5"));
        assert!(quantity_nanos("1Gi") > quantity_nanos("1G"));
        assert_eq!(quantity_string("0.5"), "500m");
        assert_eq!(quantity_string("1.0"), "1");
    }
}
