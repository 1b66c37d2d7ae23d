//! The resource pane's data: which objects a view lists (kind, namespace, `/` filter), the
//! server-side Tables that give their columns — the same as `kubectl get` prints — and short
//! state summaries (with their [`Health`]) for the cluster pane and the xray view.

use chrono::{DateTime, Utc};

use super::theme::Health;
use crate::sim::api::selector::Selector;
use crate::sim::api::table;
use crate::sim::{Kind, Object, World};

/// An object named by kind, namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjRef {
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
}

impl ObjRef {
    pub fn of(o: &Object) -> ObjRef {
        ObjRef { kind: o.kind(), namespace: o.namespace().to_string(), name: o.name().to_string() }
    }

    pub fn get<'a>(&self, world: &'a World) -> Option<&'a Object> {
        world.store.get(self.kind, &self.namespace, &self.name)
    }

    /// `deployment/web`, as kubectl names objects.
    pub fn slash(&self) -> String {
        format!("{}/{}", self.kind.singular(), self.name)
    }

    /// The words that name this object on a kubectl command line: `pod web -n default`.
    pub fn kubectl_args(&self) -> Vec<String> {
        let mut v = vec![self.kind.singular(), self.name.clone()];
        if self.kind.namespaced() {
            v.push("-n".into());
            v.push(self.namespace.clone());
        }
        v
    }
}

/// A Table as the resource pane draws it: column names and the rows' cells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ViewTable {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl ViewTable {
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h.eq_ignore_ascii_case(name))
    }
}

/// The server-side Table of `objs` (all of `kind`), with the columns `kubectl get` shows
/// by default.
pub fn table(kind: Kind, objs: &[&Object], now: DateTime<Utc>) -> ViewTable {
    count_rows(objs.len());
    let t = table::table_for(kind, objs, now);
    ViewTable { headers: t.headers(false), rows: t.text_rows(false) }
}

/// The resource pane's table as it is on screen: the rows of the window only (a listing of
/// 10,000 pods formats the 40 in view, never the others), with how many there are in all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// Objects the view lists (after the filter).
    pub total: usize,
    /// The index of the first row shown.
    pub offset: usize,
    /// Headers and the rows shown (NAMESPACE first in an all-namespaces view).
    pub table: ViewTable,
    /// What each row's status means (pods, nodes, events), for its colour.
    pub health: Vec<Option<Health>>,
    /// The natural width of each column: its widest cell or header.
    pub widths: Vec<usize>,
}

/// Builds the window of `rows` rows from `offset` of what the view lists. Listing is a walk
/// over the store's references in its order (namespace, then name: the API server's); only
/// the objects in the window are formatted (age, status, ready, restarts...).
pub fn window(
    world: &World,
    kind: Kind,
    namespace: Option<&str>,
    filter: &Filter,
    offset: usize,
    rows: usize,
) -> Window {
    let listing = listing(world, kind, namespace, filter);
    let total = listing.len();
    let offset = offset.min(total.saturating_sub(1));
    let visible = &listing[offset..(offset + rows).min(total)];
    let mut table = table(kind, visible, world.now.datetime());
    let health = table.rows.iter().map(|r| health_of_row(kind, &table, r)).collect();
    if namespace.is_none() && kind.namespaced() {
        table.headers.insert(0, "NAMESPACE".into());
        for (r, o) in table.rows.iter_mut().zip(visible) {
            r.insert(0, o.namespace().to_string());
        }
    }
    let mut widths: Vec<usize> = table.headers.iter().map(|h| h.chars().count()).collect();
    for r in &table.rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    Window { total, offset, table, health, widths }
}

/// What a row's status means, for the kinds whose rows are coloured.
fn health_of_row(kind: Kind, table: &ViewTable, row: &[String]) -> Option<Health> {
    let cell = |name: &str| table.column(name).and_then(|i| row.get(i)).map(String::as_str);
    match kind {
        Kind::Pod => Some(health_of(cell("STATUS")?, cell("READY").unwrap_or(""))),
        Kind::Node => {
            let s = cell("STATUS")?;
            Some(if s.starts_with("Ready") { Health::Good } else { Health::Bad })
        }
        Kind::Event => Some(if cell("TYPE")? == "Warning" { Health::Degraded } else { Health::Good }),
        _ => None,
    }
}

thread_local! {
    /// Rows of objects formatted on this thread (tests count them to prove that a frame
    /// builds only what it shows).
    static ROWS_BUILT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn count_rows(n: usize) {
    ROWS_BUILT.with(|c| c.set(c.get() + n as u64));
}

/// How many object rows (a Table row, a pod's summary) this thread has formatted so far.
pub fn rows_built() -> u64 {
    ROWS_BUILT.with(|c| c.get())
}

/// Where READY, STATUS and RESTARTS are in the pod Table's cells (looked up once).
fn pod_columns() -> (Option<usize>, Option<usize>, Option<usize>) {
    static COLS: std::sync::OnceLock<(Option<usize>, Option<usize>, Option<usize>)> = std::sync::OnceLock::new();
    *COLS.get_or_init(|| {
        let cols = table::columns(Kind::Pod);
        let find = |n: &str| cols.iter().position(|c| c.name.eq_ignore_ascii_case(n));
        (find("Ready"), find("Status"), find("Restarts"))
    })
}

/// Parses a `/` filter: `-l app=web` filters by label selector, anything else is a
/// case-insensitive part of the name (or namespace/name in an all-namespaces view).
#[derive(Clone, Debug)]
pub enum Filter {
    None,
    Text(String),
    Labels(Selector),
    /// A selector that does not parse: nothing matches.
    Invalid,
}

impl Filter {
    pub fn parse(s: &str) -> Filter {
        let s = s.trim();
        if s.is_empty() {
            return Filter::None;
        }
        if let Some(sel) = s.strip_prefix("-l").filter(|r| r.starts_with([' ', '='])) {
            return match Selector::parse(sel.trim_start_matches('=').trim()) {
                Ok(sel) => Filter::Labels(sel),
                Err(_) => Filter::Invalid,
            };
        }
        Filter::Text(s.to_lowercase())
    }

    pub fn matches(&self, o: &Object) -> bool {
        match self {
            Filter::None => true,
            Filter::Invalid => false,
            // `namespace/name` contains a text without a slash when either part does: no
            // string is built per object unless the filter has a slash.
            Filter::Text(t) if t.contains('/') => {
                contains_lower(&format!("{}/{}", o.namespace(), o.name()), t) || contains_lower(o.name(), t)
            }
            Filter::Text(t) => contains_lower(o.name(), t) || contains_lower(o.namespace(), t),
            Filter::Labels(sel) => {
                let empty = Default::default();
                sel.matches(o.meta().labels.as_ref().unwrap_or(&empty))
            }
        }
    }
}

/// Whether `s`, lowercased, contains `lower` (already lowercase). Most names are lowercase
/// already (DNS labels and subdomains), so they are not copied.
fn contains_lower(s: &str, lower: &str) -> bool {
    if s.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
        s.to_lowercase().contains(lower)
    } else {
        s.contains(lower)
    }
}

/// The objects a view lists, in the API server's order (namespace, then name).
pub fn listing<'a>(world: &'a World, kind: Kind, namespace: Option<&str>, filter: &Filter) -> Vec<&'a Object> {
    let ns = if kind.namespaced() { namespace } else { None };
    let mut v = world.store.list(kind, ns);
    if !matches!(filter, Filter::None) {
        v.retain(|o| filter.matches(o));
    }
    v
}

/// What a pod's row says about it: READY, STATUS and RESTARTS as `kubectl get pods`
/// prints them, and what that means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodSummary {
    pub ready: String,
    pub status: String,
    pub restarts: String,
    pub health: Health,
}

pub fn pod_summary(pod: &Object, now: DateTime<Utc>) -> PodSummary {
    count_rows(1);
    let (cells, _) = table::row(pod, now);
    let (r, s, n) = pod_columns();
    let cell = |i: Option<usize>| i.and_then(|i| cells.get(i)).map(|c| c.text()).unwrap_or_default();
    let ready = cell(r);
    let status = cell(s);
    let restarts = cell(n);
    let health = health_of(&status, &ready);
    PodSummary { ready, status, restarts, health }
}

/// The meaning of a pod STATUS (as printed by kubectl) and READY (`1/2`).
pub fn health_of(status: &str, ready: &str) -> Health {
    let all_ready = match ready.split_once('/') {
        Some((a, b)) => a == b && !b.is_empty(),
        None => false,
    };
    match status {
        "Running" if all_ready => Health::Good,
        "Running" | "NotReady" => Health::Degraded,
        "Completed" | "Succeeded" => Health::Done,
        "Terminating" => Health::Leaving,
        "Pending" | "ContainerCreating" | "PodInitializing" | "ContainerStatusUnknown" => Health::Starting,
        "" | "Unknown" => Health::Unknown,
        s if s.starts_with("Init:") && s.contains('/') => Health::Starting,
        s if s.starts_with("SchedulingGated") => Health::Starting,
        _ => Health::Bad,
    }
}

/// Whether a node is Ready, and the conditions that are not as they should be.
pub fn node_state(node: &Object) -> (Health, Vec<String>) {
    let Some(n) = node.as_node() else { return (Health::Unknown, Vec::new()) };
    let mut notes = Vec::new();
    let mut health = Health::Unknown;
    for c in n.status.as_ref().and_then(|s| s.conditions.as_ref()).into_iter().flatten() {
        match (c.type_.as_str(), c.status.as_str()) {
            ("Ready", "True") => health = Health::Good,
            ("Ready", "False") => {
                health = Health::Bad;
                notes.push("NotReady".to_string());
            }
            ("Ready", _) => {
                health = Health::Bad;
                notes.push("NotReady (Unknown)".to_string());
            }
            (t, "True") if t != "Ready" => notes.push(t.to_string()),
            _ => {}
        }
    }
    if n.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
        notes.push("SchedulingDisabled".to_string());
    }
    for t in n.spec.as_ref().and_then(|s| s.taints.as_ref()).into_iter().flatten() {
        let control_plane = t.key == "node-role.kubernetes.io/control-plane";
        let cordon = t.key == "node.kubernetes.io/unschedulable";
        if !control_plane && !cordon {
            notes.push(format!("taint {}:{}", t.key, t.effect));
        }
    }
    (health, notes)
}

/// A node's roles as `kubectl get nodes` shows them (`control-plane`, `<none>`).
pub fn node_roles(node: &Object) -> String {
    let mut roles: Vec<&str> = node
        .meta()
        .labels
        .iter()
        .flatten()
        .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/"))
        .filter(|r| !r.is_empty())
        .collect();
    roles.sort();
    if roles.is_empty() {
        "<none>".to_string()
    } else {
        roles.join(",")
    }
}

/// A one-line state of any object, for the xray tree.
pub fn summary(world: &World, r: &ObjRef) -> (String, Option<Health>) {
    let Some(o) = r.get(world) else { return (String::new(), None) };
    let now = world.now.datetime();
    let replicas = |ready: Option<i32>, desired: Option<i32>| {
        let (a, b) = (ready.unwrap_or(0), desired.unwrap_or(0));
        (format!("{a}/{b} ready"), Some(if a == b { Health::Good } else { Health::Degraded }))
    };
    match o {
        Object::Pod(_) => {
            let s = pod_summary(o, now);
            let mut text = format!("{} {}", s.ready, s.status);
            if !s.restarts.is_empty() && !s.restarts.starts_with('0') {
                text.push_str(&format!(" ↻{}", s.restarts));
            }
            (text, Some(s.health))
        }
        Object::Deployment(d) => replicas(
            d.status.as_ref().and_then(|s| s.ready_replicas),
            Some(d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)),
        ),
        Object::ReplicaSet(d) => replicas(
            d.status.as_ref().and_then(|s| s.ready_replicas),
            Some(d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)),
        ),
        Object::StatefulSet(d) => replicas(
            d.status.as_ref().and_then(|s| s.ready_replicas),
            Some(d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)),
        ),
        Object::DaemonSet(d) => {
            let s = d.status.as_ref();
            replicas(s.map(|s| s.number_ready), s.map(|s| s.desired_number_scheduled))
        }
        Object::Job(j) => {
            let done = j.status.as_ref().and_then(|s| s.succeeded).unwrap_or(0);
            let want = j.spec.as_ref().and_then(|s| s.completions).unwrap_or(1);
            let failed = j.status.as_ref().and_then(|s| s.failed).unwrap_or(0);
            let h = if done >= want {
                Health::Done
            } else if failed > 0 {
                Health::Bad
            } else {
                Health::Starting
            };
            (format!("{done}/{want} complete"), Some(h))
        }
        Object::CronJob(c) => (c.spec.as_ref().map(|s| s.schedule.clone()).unwrap_or_default(), None),
        Object::Node(_) => {
            let (h, notes) = node_state(o);
            let text = if notes.is_empty() { "Ready".to_string() } else { notes.join(", ") };
            (text, Some(h))
        }
        Object::Service(s) => {
            let spec = s.spec.as_ref();
            let ty = spec.and_then(|s| s.type_.clone()).unwrap_or_else(|| "ClusterIP".into());
            let ip = spec.and_then(|s| s.cluster_ip.clone()).unwrap_or_default();
            let ports: Vec<String> = spec
                .and_then(|s| s.ports.as_ref())
                .into_iter()
                .flatten()
                .map(|p| format!("{}/{}", p.port, p.protocol.as_deref().unwrap_or("TCP")))
                .collect();
            (format!("{ty} {ip} {}", ports.join(",")).trim_end().to_string(), None)
        }
        Object::Endpoints(e) => {
            let mut ready = 0;
            let mut not_ready = 0;
            for s in e.subsets.iter().flatten() {
                ready += s.addresses.as_ref().map_or(0, Vec::len);
                not_ready += s.not_ready_addresses.as_ref().map_or(0, Vec::len);
            }
            let h = if ready == 0 { Health::Bad } else { Health::Good };
            let mut text = format!("{ready} ready");
            if not_ready > 0 {
                text.push_str(&format!(", {not_ready} not ready"));
            }
            (text, Some(h))
        }
        Object::Ingress(i) => {
            let hosts: Vec<String> = i
                .spec
                .as_ref()
                .and_then(|s| s.rules.as_ref())
                .into_iter()
                .flatten()
                .map(|r| r.host.clone().unwrap_or_else(|| "*".into()))
                .collect();
            (hosts.join(","), None)
        }
        _ => (String::new(), None),
    }
}

/// Resolves a view name typed after `:` (`pods`, `po`, `deploy`, `ev`) to a kind.
pub fn view_kind(word: &str) -> Option<Kind> {
    crate::sim::api::discovery::resolve(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_follows_kubectl_status() {
        assert_eq!(health_of("Running", "1/1"), Health::Good);
        assert_eq!(health_of("Running", "0/1"), Health::Degraded);
        assert_eq!(health_of("ContainerCreating", "0/1"), Health::Starting);
        assert_eq!(health_of("Init:0/2", "0/1"), Health::Starting);
        assert_eq!(health_of("Init:CrashLoopBackOff", "0/1"), Health::Bad);
        assert_eq!(health_of("CrashLoopBackOff", "0/1"), Health::Bad);
        assert_eq!(health_of("ImagePullBackOff", "0/1"), Health::Bad);
        assert_eq!(health_of("Completed", "0/1"), Health::Done);
        assert_eq!(health_of("Terminating", "1/1"), Health::Leaving);
    }

    #[test]
    fn filters_by_text_or_labels() {
        let mut ws = crate::shell::workstation::Workstation::new(World::new(1));
        for (name, image) in [("web", "nginx"), ("db", "redis")] {
            ws.execute(&crate::tui::testing::pod_manifest_cmd(name, image));
        }
        let names = |f: &str| -> Vec<String> {
            listing(&ws.world, Kind::Pod, Some("default"), &Filter::parse(f)).iter().map(|o| o.name().into()).collect()
        };
        assert_eq!(names(""), ["db", "web"]);
        assert_eq!(names("WE"), ["web"]);
        assert_eq!(names("-l app=db"), ["db"]);
        assert_eq!(names("-l app!=db"), ["web"]);
        assert!(names("-l =bad=").is_empty());
    }
}
