//! `kubectl describe`: the describers of kubectl v1.32
//! (`staging/src/k8s.io/kubectl/pkg/describe/describe.go`), ported line by line so that the
//! text is the same: the prefix writer's two-space levels, Go's tabwriter alignment, `<none>`
//! and `<unset>`, label and annotation lists, condition tables and the Events table.
//!
//! A describer reads what kubectl would fetch from the API server — related objects (a
//! Deployment's ReplicaSets, a Node's pods and Lease, a Service's Endpoints, a Namespace's
//! quotas) and the Events whose `involvedObject` matches the object — from the [`World`]'s
//! store, and measures ages against the simulated clock.
//!
//! Kinds without a describer in kubectl (Lease, ControllerRevision, Event) get kubectl's
//! generic describer, which prints the object's fields as a tree.

mod config;
mod generic;
mod gosort;
mod network;
mod node;
mod pod;
mod tabwriter;
mod workloads;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1::{Event, Pod, Taint, Toleration};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference, Time};

use crate::kubectl::age;
use crate::sim::{Kind, Object, World};

use tabwriter::TabWriter;

/// Describes `obj` as `kubectl describe` does. With `show_events` false (`--show-events=false`)
/// the Events section is left out entirely, as kubectl does.
pub fn describe(world: &World, obj: &Object, show_events: bool) -> String {
    let d = Describer { world, now: world.now.datetime(), show_events };
    match obj {
        Object::Pod(p) => pod::describe_pod(&d, p),
        Object::Node(n) => node::describe_node(&d, n),
        Object::Namespace(ns) => config::describe_namespace(&d, ns),
        Object::ConfigMap(cm) => config::describe_config_map(&d, cm),
        Object::Secret(s) => config::describe_secret(s),
        Object::ServiceAccount(sa) => config::describe_service_account(&d, sa),
        Object::ResourceQuota(q) => config::describe_quota(q),
        Object::LimitRange(l) => config::describe_limit_range(l),
        Object::PersistentVolume(pv) => config::describe_pv(&d, pv),
        Object::PersistentVolumeClaim(pvc) => config::describe_pvc(&d, pvc),
        Object::StorageClass(sc) => config::describe_storage_class(&d, sc),
        Object::PodDisruptionBudget(pdb) => config::describe_pdb(&d, pdb),
        Object::Role(r) => config::describe_role(&r.metadata, r.rules.as_deref().unwrap_or_default()),
        Object::ClusterRole(r) => config::describe_role(&r.metadata, r.rules.as_deref().unwrap_or_default()),
        Object::RoleBinding(b) => config::describe_binding(&b.metadata, &b.role_ref, b.subjects.as_deref()),
        Object::ClusterRoleBinding(b) => config::describe_binding(&b.metadata, &b.role_ref, b.subjects.as_deref()),
        Object::PriorityClass(pc) => config::describe_priority_class(&d, pc),
        Object::Service(s) => network::describe_service(&d, s),
        Object::Endpoints(e) => network::describe_endpoints(&d, e),
        Object::EndpointSlice(e) => network::describe_endpoint_slice(&d, e),
        Object::Ingress(i) => network::describe_ingress(&d, i),
        Object::IngressClass(i) => network::describe_ingress_class(&d, i),
        Object::NetworkPolicy(n) => network::describe_network_policy(n),
        Object::Deployment(dep) => workloads::describe_deployment(&d, dep),
        Object::ReplicaSet(rs) => workloads::describe_replica_set(&d, rs),
        Object::DaemonSet(ds) => workloads::describe_daemon_set(&d, ds),
        Object::StatefulSet(sts) => workloads::describe_stateful_set(&d, sts),
        Object::Job(j) => workloads::describe_job(&d, j),
        Object::CronJob(cj) => workloads::describe_cron_job(&d, cj),
        Object::HorizontalPodAutoscaler(h) => workloads::describe_hpa(&d, h),
        Object::Lease(_) | Object::ControllerRevision(_) | Object::Event(_) => generic::describe_generic(&d, obj),
    }
}

/// What every describer may read: the cluster, the clock and the settings.
struct Describer<'a> {
    world: &'a World,
    now: DateTime<Utc>,
    show_events: bool,
}

impl Describer<'_> {
    /// kubectl's `searchEvents` for an object: None when events are not shown (the section is
    /// then left out), else the events whose involvedObject has the object's name, namespace,
    /// kind (when `kind` is given) and uid, in the order the API server lists them.
    fn events(&self, meta: &ObjectMeta, kind: Option<Kind>) -> Option<Vec<Event>> {
        if !self.show_events {
            return None;
        }
        let uid = meta.uid.clone().unwrap_or_default();
        Some(self.search_events(meta, kind, &uid))
    }

    fn search_events(&self, meta: &ObjectMeta, kind: Option<Kind>, uid: &str) -> Vec<Event> {
        let name = meta.name.as_deref().unwrap_or("");
        let ns = meta.namespace.as_deref().unwrap_or("");
        // Cluster-scoped objects: kubectl lists events in all namespaces.
        let list_ns = if ns.is_empty() { None } else { Some(ns) };
        // The events are read in place; only those about the object are built.
        self.world
            .store
            .event_views(list_ns)
            .filter(|e| {
                e.involved_name().unwrap_or("") == name
                    && e.involved_namespace().unwrap_or("") == ns
                    && kind.is_none_or(|k| e.involved_kind().unwrap_or("") == k.name())
                    && (uid.is_empty() || e.involved_uid().unwrap_or("") == uid)
            })
            .filter_map(|e| e.object().as_event().cloned())
            .collect()
    }

    /// `translateTimestampSince`: `<unknown>` for a missing time.
    fn since(&self, t: Option<&Time>) -> String {
        age::since(t.map(|t| &t.0), self.now)
    }

    /// Pods of a namespace whose labels match `selector` and whose controller is `uid`, counted
    /// by phase: kubectl's `getPodStatusForController`.
    fn pod_status_for_controller(&self, ns: &str, selector: &LabelSelector, uid: &str) -> (u32, u32, u32, u32) {
        let sel = crate::sim::api::selector::Selector::from_label_selector(selector);
        let (mut running, mut waiting, mut succeeded, mut failed) = (0, 0, 0, 0);
        for p in self.world.store.list(Kind::Pod, Some(ns)).into_iter().filter_map(|o| o.as_pod()) {
            if !sel.matches(&p.metadata.labels.clone().unwrap_or_default()) {
                continue;
            }
            if controller_of(&p.metadata).is_none_or(|c| c.uid != uid) {
                continue;
            }
            match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
                Some("Running") => running += 1,
                Some("Pending") => waiting += 1,
                Some("Succeeded") => succeeded += 1,
                Some("Failed") => failed += 1,
                _ => {}
            }
        }
        (running, waiting, succeeded, failed)
    }

    fn pods_in(&self, ns: &str) -> Vec<&Pod> {
        self.world.store.list(Kind::Pod, Some(ns)).into_iter().filter_map(|o| o.as_pod()).collect()
    }
}

/// kubectl's `PrefixWriter` over Go's tabwriter: `write(level, text)` indents by two spaces a
/// level; `line(text)` writes a whole line without indentation. A nested writer (`indent`)
/// adds levels to everything, including `line`.
struct Pw {
    tw: TabWriter,
    indent: usize,
}

impl Pw {
    fn new() -> Pw {
        Pw { tw: TabWriter::new(), indent: 0 }
    }

    fn w(&mut self, level: usize, text: &str) {
        let mut s = "  ".repeat(level + self.indent);
        s.push_str(text);
        self.tw.write(&escape(&s));
    }

    fn line(&mut self, text: &str) {
        let s = format!("{text}\n");
        if self.indent == 0 {
            self.tw.write(&escape(&s));
        } else {
            self.w(0, &s);
        }
    }

    fn flush(&mut self) {
        self.tw.flush();
    }

    fn finish(self) -> String {
        self.tw.finish()
    }
}

/// cli-runtime's `WriteEscaped`: terminal escape characters are made visible.
fn escape(s: &str) -> String {
    if !s.contains(['\x1b', '\r']) {
        return s.to_string();
    }
    s.replace('\x1b', "^[").replace('\r', "\\r")
}

/// The annotation kubectl never shows.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// Longest annotation line before kubectl folds and shortens it.
const MAX_ANNOTATION_LEN: usize = 140;

fn print_labels_multiline(w: &mut Pw, title: &str, labels: Option<&BTreeMap<String, String>>) {
    print_labels_multiline_with_indent(w, "", title, "\t", labels);
}

fn print_labels_multiline_with_indent(
    w: &mut Pw,
    initial_indent: &str,
    title: &str,
    inner_indent: &str,
    labels: Option<&BTreeMap<String, String>>,
) {
    w.w(0, &format!("{initial_indent}{title}:{inner_indent}"));
    let labels = match labels {
        Some(l) if !l.is_empty() => l,
        _ => return w.line("<none>"),
    };
    for (i, (k, v)) in labels.iter().enumerate() {
        if i != 0 {
            w.w(0, initial_indent);
            w.w(0, inner_indent);
        }
        w.w(0, &format!("{k}={v}\n"));
    }
}

fn print_annotations_multiline(w: &mut Pw, title: &str, annotations: Option<&BTreeMap<String, String>>) {
    w.w(0, &format!("{title}:\t"));
    let keys: Vec<(&String, &String)> =
        annotations.into_iter().flatten().filter(|(k, _)| k.as_str() != LAST_APPLIED).collect();
    if keys.is_empty() {
        return w.line("<none>");
    }
    let indent = "\t";
    for (i, (key, value)) in keys.into_iter().enumerate() {
        if i != 0 {
            w.w(0, indent);
        }
        let value = value.strip_suffix('\n').unwrap_or(value);
        if value.len() + key.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
            w.w(0, &format!("{key}:\n"));
            for s in value.split('\n') {
                w.w(0, &format!("{indent}  {}\n", shorten(s, MAX_ANNOTATION_LEN - 2)));
            }
        } else {
            w.w(0, &format!("{key}: {value}\n"));
        }
    }
}

/// Go's `s[:n] + "..."` on a string longer than `n` bytes (cut at a char boundary here).
fn shorten(s: &str, max: usize) -> String {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}...", &s[..cut])
    } else {
        s.to_string()
    }
}

/// `Taint.ToString()`: `key=value:effect`, `key:effect`, `key=value:`.
fn taint_string(t: &Taint) -> String {
    let value = t.value.as_deref().unwrap_or("");
    if value.is_empty() {
        format!("{}:{}", t.key, t.effect)
    } else {
        format!("{}={}:{}", t.key, value, t.effect)
    }
}

fn print_taints_multiline(w: &mut Pw, title: &str, taints: &[Taint]) {
    w.w(0, &format!("{title}:\t"));
    if taints.is_empty() {
        return w.line("<none>");
    }
    let mut taints: Vec<&Taint> = taints.iter().collect();
    // sort.Slice by "effect,key" (not stable; ties keep their order for these small lists).
    gosort::sort(&mut taints, |a, b| format!("{},{}", a.effect, a.key) < format!("{},{}", b.effect, b.key));
    for (i, t) in taints.iter().enumerate() {
        if i != 0 {
            w.w(0, "\t");
        }
        w.w(0, &format!("{}\n", taint_string(t)));
    }
}

fn print_tolerations_multiline(w: &mut Pw, title: &str, tolerations: &[Toleration]) {
    print_tolerations_multiline_with_indent(w, "", title, "\t", tolerations);
}

fn print_tolerations_multiline_with_indent(
    w: &mut Pw,
    initial_indent: &str,
    title: &str,
    inner_indent: &str,
    tolerations: &[Toleration],
) {
    w.w(0, &format!("{initial_indent}{title}:{inner_indent}"));
    if tolerations.is_empty() {
        return w.line("<none>");
    }
    let mut tols: Vec<&Toleration> = tolerations.iter().collect();
    gosort::sort(&mut tols, |a, b| a.key.as_deref().unwrap_or("") < b.key.as_deref().unwrap_or(""));
    for (i, t) in tols.iter().enumerate() {
        if i != 0 {
            w.w(0, initial_indent);
            w.w(0, inner_indent);
        }
        let key = t.key.as_deref().unwrap_or("");
        let value = t.value.as_deref().unwrap_or("");
        let effect = t.effect.as_deref().unwrap_or("");
        let mut s = key.to_string();
        if !value.is_empty() {
            s.push_str(&format!("={value}"));
        }
        if !effect.is_empty() {
            s.push_str(&format!(":{effect}"));
        }
        // `operator: Exists` with no value tolerates everything with that key (or everything).
        if t.operator.as_deref() == Some("Exists") && value.is_empty() {
            if !key.is_empty() || !effect.is_empty() {
                s.push_str(" op=Exists");
            } else {
                s.push_str("op=Exists");
            }
        }
        if let Some(secs) = t.toleration_seconds {
            s.push_str(&format!(" for {secs}s"));
        }
        w.w(0, &format!("{s}\n"));
    }
}

fn print_pods_multiline(w: &mut Pw, title: &str, pods: &[&Pod]) {
    w.w(0, &format!("{title}:\t"));
    if pods.is_empty() {
        return w.line("<none>");
    }
    let mut pods = pods.to_vec();
    gosort::sort(&mut pods, |a, b| a.metadata.name < b.metadata.name);
    for (i, p) in pods.iter().enumerate() {
        if i != 0 {
            w.w(0, "\t");
        }
        w.w(0, &format!("{}\n", p.metadata.name.as_deref().unwrap_or("")));
    }
}

/// kubectl's `DescribeEvents`: `Events:  <none>` or the table, sorted by last timestamp.
fn describe_events(d: &Describer, w: &mut Pw, events: &[Event]) {
    if events.is_empty() {
        return w.w(0, "Events:\t<none>\n");
    }
    w.flush();
    let mut events: Vec<&Event> = events.iter().collect();
    gosort::sort(&mut events, |a, b| ts(a.last_timestamp.as_ref()) < ts(b.last_timestamp.as_ref()));
    w.w(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.w(1, "----\t------\t----\t----\t-------\n");
    for e in events {
        let first = match &e.event_time {
            Some(t) => age::since(Some(&t.0), d.now),
            None => d.since(e.first_timestamp.as_ref()),
        };
        let interval = if let Some(series) = &e.series {
            let last = age::since(series.last_observed_time.as_ref().map(|t| &t.0), d.now);
            format!("{last} (x{} over {first})", series.count.unwrap_or(0))
        } else if e.count.unwrap_or(0) > 1 {
            format!("{} (x{} over {first})", d.since(e.last_timestamp.as_ref()), e.count.unwrap_or(0))
        } else {
            first
        };
        let mut source = e.source.as_ref().and_then(|s| s.component.clone()).unwrap_or_default();
        if source.is_empty() {
            source = e.reporting_component.clone().unwrap_or_default();
        }
        // (kubectl v1.32 does not prefix the message with the involved object's fieldPath.)
        let message = e.message.as_deref().unwrap_or("").trim();
        w.w(
            1,
            &format!(
                "{}\t{}\t{}\t{}\t{}\n",
                e.type_.as_deref().unwrap_or(""),
                e.reason.as_deref().unwrap_or(""),
                interval,
                source,
                message
            ),
        );
    }
}

/// A timestamp as a sortable instant (a missing one is Go's zero time, earliest of all).
fn ts(t: Option<&Time>) -> DateTime<Utc> {
    t.map(|t| t.0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Go's `time.RFC1123Z` in UTC (the simulated cluster's zone): `Wed, 01 Jan 2025 00:00:05 +0000`.
/// A missing time prints as Go's zero time.
fn rfc1123z(t: Option<&Time>) -> String {
    match t {
        Some(t) => t.0.format("%a, %d %b %Y %H:%M:%S %z").to_string(),
        None => "Mon, 01 Jan 0001 00:00:00 +0000".to_string(),
    }
}

/// A quantity as `Quantity.String()` prints it: the canonical form of what the API server
/// stores (`0.5` → `500m`, `1024Mi` → `1Gi`).
fn qty(q: &Quantity) -> String {
    canonical(&q.0)
}

fn canonical(s: &str) -> String {
    use crate::sim::quantity::{format_milli, parse_format, parse_milli};
    match (parse_milli(s), parse_format(s)) {
        (Ok(m), Ok(f)) if m != i64::MAX && m != i64::MIN => format_milli(m, f),
        _ => s.to_string(),
    }
}

/// `labels.FormatLabels`: `k=v,k2=v2` sorted, or `<none>`.
fn format_labels(m: Option<&BTreeMap<String, String>>) -> String {
    let s = m.into_iter().flatten().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
    if s.is_empty() {
        "<none>".into()
    } else {
        s
    }
}

/// `metav1.LabelSelectorAsSelector(sel).String()`: requirements sorted by key; `""` for an
/// empty or missing selector.
fn selector_string(sel: Option<&LabelSelector>) -> String {
    let Some(sel) = sel else { return String::new() };
    let mut reqs: Vec<(String, String)> = Vec::new();
    for (k, v) in sel.match_labels.iter().flatten() {
        reqs.push((k.clone(), format!("{k}={v}")));
    }
    for e in sel.match_expressions.iter().flatten() {
        let mut values = e.values.clone().unwrap_or_default();
        values.sort();
        let s = match e.operator.as_str() {
            "In" => format!("{} in ({})", e.key, values.join(",")),
            "NotIn" => format!("{} notin ({})", e.key, values.join(",")),
            "Exists" => e.key.clone(),
            "DoesNotExist" => format!("!{}", e.key),
            _ => return "<error>".into(),
        };
        reqs.push((e.key.clone(), s));
    }
    gosort::sort(&mut reqs, |a, b| a.0 < b.0);
    reqs.into_iter().map(|(_, s)| s).collect::<Vec<_>>().join(",")
}

/// `metav1.FormatLabelSelector`: the selector string, or `<none>` when it selects everything.
fn format_label_selector(sel: Option<&LabelSelector>) -> String {
    let s = selector_string(sel);
    if s.is_empty() {
        "<none>".into()
    } else {
        s
    }
}

/// The owner reference with `controller: true`.
fn controller_of(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references.iter().flatten().find(|o| o.controller == Some(true))
}

/// `Kind/name` of the controller, for `Controlled By:`.
fn print_controller(meta: &ObjectMeta) -> Option<String> {
    controller_of(meta).map(|c| format!("{}/{}", c.kind, c.name))
}

fn name(meta: &ObjectMeta) -> &str {
    meta.name.as_deref().unwrap_or("")
}

fn namespace(meta: &ObjectMeta) -> &str {
    meta.namespace.as_deref().unwrap_or("")
}

/// `printBool`: `True` / `False`.
fn print_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// `printBoolPtr`: `True`, `False` or `<unset>`.
fn print_bool_ptr(b: Option<bool>) -> &'static str {
    match b {
        Some(b) => print_bool(b),
        None => "<unset>",
    }
}

/// Go's `%v` of a `[]string`: `[a b c]`.
fn go_list(v: &[String]) -> String {
    format!("[{}]", v.join(" "))
}

/// `stringOrNone`.
fn or_none(s: &str) -> &str {
    if s.is_empty() {
        "<none>"
    } else {
        s
    }
}

#[cfg(test)]
mod tests;
