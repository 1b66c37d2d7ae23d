//! Server-side printing: the API server turns objects into a `meta.k8s.io/v1` Table — column
//! definitions (name, type, format, description, priority) and rows of cells, each with the
//! object it came from — as kubernetes v1.32's `pkg/printers/internalversion/printers.go` does,
//! cell for cell. kubectl asks for exactly this (`Accept: application/json;as=Table;...`) and
//! formats it generically (`kubectl::table_printer`), so the same Table can later be served as
//! JSON to the real kubectl.
//!
//! Like the real server (`printers/storage.TableConvertor`), the Table always carries the wide
//! columns (priority 1); the client drops them unless `-o wide`. Kinds without a printer
//! (Role, ClusterRole, LimitRange) get the generic `NAME  CREATED AT` table of the API server's
//! default table convertor.
//!
//! Ages are apimachinery's `duration.HumanDuration` ([`human_duration`]), which kubectl also
//! uses; it lives here because `sim` must not depend on `kubectl`.

mod docs;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use k8s_openapi::api::core::v1 as core;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::{json, Value};

use self::docs::*;
use crate::sim::{Kind, Object};

// ---------------------------------------------------------------------------------------------
// Durations

/// apimachinery's `HumanDuration` for a duration of `s` whole seconds: exact seconds up to
/// two minutes, then coarser units the older it gets (`2m5s`, `15m`, `3h20m`, `2d5h`,
/// `400d`, `3y12d`).
pub fn human_duration(s: i64) -> String {
    // Up to 2 s in the future counts as "now" (clock skew tolerance in Go).
    if s < -1 {
        return "<invalid>".into();
    }
    if s < 0 {
        return "0s".into();
    }
    if s < 120 {
        return format!("{s}s");
    }
    let minutes = s / 60;
    if minutes < 10 {
        let sec = s % 60;
        return if sec == 0 { format!("{minutes}m") } else { format!("{minutes}m{sec}s") };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = s / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 { format!("{hours}h") } else { format!("{hours}h{m}m") };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 { format!("{}d", hours / 24) } else { format!("{}d{h}h", hours / 24) };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 { format!("{}y", hours / 24 / 365) } else { format!("{}y{dy}d", hours / 24 / 365) };
    }
    format!("{}y", hours / 24 / 365)
}

/// The printers' `translateTimestampSince`: `<unknown>` for a missing timestamp, else the
/// human duration from `t` to `now`.
pub fn since(t: Option<&DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match t {
        None => "<unknown>".into(),
        Some(t) => human_duration((now - *t).num_seconds()),
    }
}

fn since_time(t: Option<&Time>, now: DateTime<Utc>) -> String {
    since(t.map(|t| &t.0), now)
}

fn age(m: &ObjectMeta, now: DateTime<Utc>) -> String {
    since_time(m.creation_timestamp.as_ref(), now)
}

// ---------------------------------------------------------------------------------------------
// The Table

/// One column of a Table (`metav1.TableColumnDefinition`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnDefinition {
    /// Human-readable name (`Nominated Node`); kubectl upper-cases it for the header.
    pub name: String,
    /// OpenAPI type: `string`, `integer`, `boolean`, `date`.
    pub type_: String,
    /// `name` marks the column holding the object's name (kubectl prefixes `kind/` to it).
    pub format: String,
    pub description: String,
    /// 0 for the default view; 1 for columns shown only with `-o wide`.
    pub priority: i32,
}

/// A cell value, typed as in the JSON Table (kubectl prints integers and booleans with Go's
/// `fmt.Sprint`: `3`, `true`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    Str(String),
    Int(i64),
    Bool(bool),
    /// A cell with no value (JSON null), printed empty.
    Null,
}

impl Cell {
    /// The text kubectl prints for the cell.
    pub fn text(&self) -> String {
        match self {
            Cell::Str(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Null => String::new(),
        }
    }

    fn to_value(&self) -> Value {
        match self {
            Cell::Str(s) => json!(s),
            Cell::Int(n) => json!(n),
            Cell::Bool(b) => json!(b),
            Cell::Null => Value::Null,
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Str(s)
    }
}
impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Str(s.to_string())
    }
}
impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Int(n)
    }
}
impl From<i32> for Cell {
    fn from(n: i32) -> Cell {
        Cell::Int(n as i64)
    }
}
impl From<bool> for Cell {
    fn from(b: bool) -> Cell {
        Cell::Bool(b)
    }
}

/// `metav1.TableRowCondition`: the printers mark finished pods `Completed`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowCondition {
    pub type_: String,
    pub status: String,
    pub reason: String,
    pub message: String,
}

/// One row: its cells (one per column definition, wide ones included) and the object it
/// came from (borrowed: listing 150,000 pods must not copy them).
#[derive(Clone, Debug, PartialEq)]
pub struct TableRow<'a> {
    pub cells: Vec<Cell>,
    pub conditions: Vec<RowCondition>,
    pub object: &'a Object,
}

/// A `meta.k8s.io/v1` Table.
#[derive(Clone, Debug, PartialEq)]
pub struct Table<'a> {
    pub column_definitions: Vec<ColumnDefinition>,
    pub rows: Vec<TableRow<'a>>,
}

impl Table<'_> {
    /// Whether a column shows: default columns always, priority-1 ones only when `wide`.
    fn shown(&self, wide: bool) -> impl Iterator<Item = usize> + '_ {
        self.column_definitions.iter().enumerate().filter(move |(_, c)| wide || c.priority == 0).map(|(i, _)| i)
    }

    /// The headers kubectl prints (`NOMINATED NODE`), without the wide ones unless `wide`.
    pub fn headers(&self, wide: bool) -> Vec<String> {
        self.shown(wide).map(|i| self.column_definitions[i].name.to_uppercase()).collect()
    }

    /// The rows' cells as text, for the columns [`Table::headers`] names.
    pub fn text_rows(&self, wide: bool) -> Vec<Vec<String>> {
        let cols: Vec<usize> = self.shown(wide).collect();
        self.rows
            .iter()
            .map(|r| cols.iter().map(|&i| r.cells.get(i).map(Cell::text).unwrap_or_default()).collect())
            .collect()
    }

    /// The Table as the API server serves it (rows carry the full object, as with
    /// `?includeObject=Object`).
    pub fn to_value(&self) -> Value {
        let columns: Vec<Value> = self
            .column_definitions
            .iter()
            .map(|c| {
                json!({
                    "name": c.name,
                    "type": c.type_,
                    "format": c.format,
                    "description": c.description,
                    "priority": c.priority,
                })
            })
            .collect();
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| {
                let mut row = serde_json::Map::new();
                row.insert("cells".into(), Value::Array(r.cells.iter().map(Cell::to_value).collect()));
                if !r.conditions.is_empty() {
                    let conds = r
                        .conditions
                        .iter()
                        .map(|c| json!({"type": c.type_, "status": c.status, "reason": c.reason, "message": c.message}))
                        .collect();
                    row.insert("conditions".into(), Value::Array(conds));
                }
                row.insert("object".into(), r.object.to_value());
                Value::Object(row)
            })
            .collect();
        json!({
            "kind": "Table",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": {},
            "columnDefinitions": columns,
            "rows": rows,
        })
    }
}

/// The Table for objects of one kind, as the API server prints a list of them.
pub fn table_for<'a>(kind: Kind, objs: &[&'a Object], now: DateTime<Utc>) -> Table<'a> {
    Table {
        column_definitions: columns(kind),
        rows: objs
            .iter()
            .map(|o| {
                let (cells, conditions) = row(o, now);
                TableRow { cells, conditions, object: o }
            })
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Column definitions

fn col(name: &str, type_: &str, description: &str) -> ColumnDefinition {
    ColumnDefinition {
        name: name.into(),
        type_: type_.into(),
        format: String::new(),
        description: description.into(),
        priority: 0,
    }
}

fn wide(name: &str, type_: &str, description: &str) -> ColumnDefinition {
    ColumnDefinition { priority: 1, ..col(name, type_, description) }
}

fn name_col() -> ColumnDefinition {
    ColumnDefinition { format: "name".into(), ..col("Name", "string", D_NAME) }
}

fn age_col() -> ColumnDefinition {
    col("Age", "string", D_CREATED)
}

const CONTAINERS: &str = "Names of each container in the template.";
const IMAGES: &str = "Images referenced by each container in the template.";

/// The column definitions of a kind's Table.
pub fn columns(kind: Kind) -> Vec<ColumnDefinition> {
    let s = "string";
    let i = "integer";
    match kind {
        Kind::Pod => vec![
            name_col(),
            col("Ready", s, "The aggregate readiness state of this pod for accepting traffic."),
            col("Status", s, "The aggregate status of the containers in this pod."),
            col("Restarts", s, "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
            age_col(),
            wide("IP", s, D_POD_IP),
            wide("Node", s, D_NODE_NAME),
            wide("Nominated Node", s, D_NOMINATED),
            wide("Readiness Gates", s, D_READINESS_GATES),
        ],
        Kind::PodDisruptionBudget => vec![
            name_col(),
            col("Min Available", s, "The minimum number of pods that must be available."),
            col("Max Unavailable", s, "The maximum number of pods that may be unavailable."),
            col("Allowed Disruptions", i, "Calculated number of pods that may be disrupted at this time."),
            age_col(),
        ],
        Kind::ReplicaSet => vec![
            name_col(),
            col("Desired", i, D_RS_REPLICAS),
            col("Current", i, D_RS_STATUS_REPLICAS),
            col("Ready", i, D_RS_READY),
            age_col(),
            wide("Containers", s, CONTAINERS),
            wide("Images", s, IMAGES),
            wide("Selector", s, D_RS_SELECTOR),
        ],
        Kind::DaemonSet => vec![
            name_col(),
            col("Desired", i, D_DS_DESIRED),
            col("Current", i, D_DS_CURRENT),
            col("Ready", i, D_DS_READY),
            col("Up-to-date", i, D_DS_UPDATED),
            col("Available", i, D_DS_AVAILABLE),
            col("Node Selector", s, D_NODE_SELECTOR),
            age_col(),
            wide("Containers", s, CONTAINERS),
            wide("Images", s, IMAGES),
            wide("Selector", s, D_DS_SELECTOR),
        ],
        Kind::Job => vec![
            name_col(),
            col("Status", s, "Status of the job."),
            col("Completions", s, D_JOB_SUCCEEDED),
            col("Duration", s, "Time required to complete the job."),
            age_col(),
            wide("Containers", s, CONTAINERS),
            wide("Images", s, IMAGES),
            wide("Selector", s, D_JOB_SELECTOR),
        ],
        Kind::CronJob => vec![
            name_col(),
            col("Schedule", s, D_CJ_SCHEDULE),
            col("Timezone", s, D_CJ_TIMEZONE),
            col("Suspend", "boolean", D_CJ_SUSPEND),
            col("Active", i, D_CJ_ACTIVE),
            col("Last Schedule", s, D_CJ_LAST_SCHEDULE),
            age_col(),
            wide("Containers", s, CONTAINERS),
            wide("Images", s, IMAGES),
            wide("Selector", s, D_JOB_SELECTOR),
        ],
        Kind::Service => vec![
            name_col(),
            col("Type", s, D_SVC_TYPE),
            col("Cluster-IP", s, D_SVC_CLUSTER_IP),
            col("External-IP", s, D_SVC_EXTERNAL_IPS),
            col("Port(s)", s, D_SVC_PORTS),
            age_col(),
            wide("Selector", s, D_SVC_SELECTOR),
        ],
        Kind::Ingress => vec![
            name_col(),
            col("Class", s, "The name of the IngressClass resource that should be used for additional configuration"),
            col("Hosts", s, "Hosts that incoming requests are matched against before the ingress rule"),
            col("Address", s, "Address is a list containing ingress points for the load-balancer"),
            col("Ports", s, "Ports of TLS configurations that open"),
            age_col(),
        ],
        Kind::IngressClass => vec![
            name_col(),
            col("Controller", s, "Controller that is responsible for handling this class"),
            col("Parameters", s, "A reference to a resource with additional parameters"),
            age_col(),
        ],
        Kind::StatefulSet => vec![
            name_col(),
            col("Ready", s, "Number of the pod with ready state"),
            age_col(),
            wide("Containers", s, CONTAINERS),
            wide("Images", s, IMAGES),
        ],
        Kind::Endpoints => vec![name_col(), col("Endpoints", s, D_EP_SUBSETS), age_col()],
        Kind::Node => vec![
            name_col(),
            col("Status", s, "The status of the node"),
            col("Roles", s, "The roles of the node"),
            age_col(),
            col("Version", s, D_KUBELET_VERSION),
            wide("Internal-IP", s, D_NODE_ADDRESSES),
            wide("External-IP", s, D_NODE_ADDRESSES),
            wide("OS-Image", s, D_OS_IMAGE),
            wide("Kernel-Version", s, D_KERNEL),
            wide("Container-Runtime", s, D_RUNTIME),
        ],
        Kind::Event => vec![
            col("Last Seen", s, D_EV_LAST),
            col("Type", s, D_EV_TYPE),
            col("Reason", s, D_EV_REASON),
            col("Object", s, D_EV_OBJECT),
            wide("Subobject", s, D_EV_FIELD_PATH),
            wide("Source", s, D_EV_SOURCE),
            col("Message", s, D_EV_MESSAGE),
            wide("First Seen", s, D_EV_FIRST),
            wide("Count", s, D_EV_COUNT),
            ColumnDefinition { priority: 1, ..name_col() },
        ],
        Kind::Namespace => vec![name_col(), col("Status", s, "The status of the namespace"), age_col()],
        Kind::Secret => vec![name_col(), col("Type", s, D_SECRET_TYPE), col("Data", s, D_SECRET_DATA), age_col()],
        Kind::ServiceAccount => vec![name_col(), col("Secrets", s, D_SA_SECRETS), age_col()],
        Kind::PersistentVolume => vec![
            name_col(),
            col("Capacity", s, D_PV_CAPACITY),
            col("Access Modes", s, D_PV_ACCESS),
            col("Reclaim Policy", s, D_PV_RECLAIM),
            col("Status", s, D_PV_PHASE),
            col("Claim", s, D_PV_CLAIM),
            col("StorageClass", s, "StorageClass of the pv"),
            col("VolumeAttributesClass", s, "VolumeAttributesClass of the pv"),
            col("Reason", s, D_PV_REASON),
            age_col(),
            wide("VolumeMode", s, D_PV_MODE),
        ],
        Kind::PersistentVolumeClaim => vec![
            name_col(),
            col("Status", s, D_PVC_PHASE),
            col("Volume", s, D_PVC_VOLUME),
            col("Capacity", s, D_PVC_CAPACITY),
            col("Access Modes", s, D_PVC_ACCESS),
            col("StorageClass", s, "StorageClass of the pvc"),
            col("VolumeAttributesClass", s, "VolumeAttributesClass of the pvc"),
            age_col(),
            wide("VolumeMode", s, D_PVC_MODE),
        ],
        Kind::Deployment => vec![
            name_col(),
            col("Ready", s, "Number of the pod with ready state"),
            col("Up-to-date", s, D_DEP_UPDATED),
            col("Available", s, D_DEP_AVAILABLE),
            age_col(),
            wide("Containers", s, CONTAINERS),
            wide("Images", s, IMAGES),
            wide("Selector", s, D_DEP_SELECTOR),
        ],
        Kind::HorizontalPodAutoscaler => vec![
            name_col(),
            col("Reference", s, D_HPA_REF),
            col("Targets", s, D_HPA_METRICS),
            col("MinPods", s, D_HPA_MIN),
            col("MaxPods", s, D_HPA_MAX),
            col("Replicas", s, D_HPA_CURRENT),
            age_col(),
        ],
        Kind::ConfigMap => vec![name_col(), col("Data", s, D_CM_DATA), age_col()],
        Kind::NetworkPolicy => vec![name_col(), col("Pod-Selector", s, D_NP_POD_SELECTOR), age_col()],
        Kind::RoleBinding => vec![
            name_col(),
            col("Role", s, D_RB_ROLE_REF),
            age_col(),
            wide("Users", s, "Users in the roleBinding"),
            wide("Groups", s, "Groups in the roleBinding"),
            wide("ServiceAccounts", s, "ServiceAccounts in the roleBinding"),
        ],
        Kind::ClusterRoleBinding => vec![
            name_col(),
            col("Role", s, D_CRB_ROLE_REF),
            age_col(),
            wide("Users", s, "Users in the clusterRoleBinding"),
            wide("Groups", s, "Groups in the clusterRoleBinding"),
            wide("ServiceAccounts", s, "ServiceAccounts in the clusterRoleBinding"),
        ],
        Kind::Lease => vec![name_col(), col("Holder", s, D_LEASE_HOLDER), age_col()],
        Kind::StorageClass => vec![
            name_col(),
            col("Provisioner", s, D_SC_PROVISIONER),
            col("ReclaimPolicy", s, D_SC_RECLAIM),
            col("VolumeBindingMode", s, D_SC_BINDING),
            col("AllowVolumeExpansion", s, D_SC_EXPANSION),
            age_col(),
        ],
        Kind::ControllerRevision => vec![
            name_col(),
            col("Controller", s, "Controller of the object"),
            col("Revision", s, D_CR_REVISION),
            age_col(),
        ],
        Kind::ResourceQuota => vec![
            name_col(),
            col("Request", s, "Request represents a minimum amount of cpu/memory that a container may consume."),
            col("Limit", s, "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
            age_col(),
        ],
        // No priority: the server always prints wide, so this column shows in the default
        // view too (`PREEMPTIONPOLICY`), as on a real cluster.
        Kind::PriorityClass => vec![
            name_col(),
            col("Value", i, D_PC_VALUE),
            col("Global-Default", "boolean", D_PC_DEFAULT),
            age_col(),
            col("PreemptionPolicy", s, D_PC_PREEMPTION),
        ],
        Kind::EndpointSlice => vec![
            name_col(),
            col("AddressType", s, D_ES_ADDRESS_TYPE),
            col("Ports", s, D_ES_PORTS),
            col("Endpoints", s, D_ES_ENDPOINTS),
            age_col(),
        ],
        // The API server's default table convertor.
        Kind::Role | Kind::ClusterRole | Kind::LimitRange => {
            vec![name_col(), col("Created At", "date", D_CREATED)]
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rows

fn pod_completed(reason: &str, message: &str) -> Vec<RowCondition> {
    vec![RowCondition {
        type_: "Completed".into(),
        status: "True".into(),
        reason: reason.into(),
        message: message.into(),
    }]
}

/// The cells (all columns, wide ones included) and row conditions of one object.
pub fn row(obj: &Object, now: DateTime<Utc>) -> (Vec<Cell>, Vec<RowCondition>) {
    let m = obj.meta();
    let name = || Cell::Str(m.name.clone().unwrap_or_default());
    let age = || Cell::Str(age(m, now));
    let cells: Vec<Cell> = match obj {
        Object::Pod(p) => {
            let conditions = match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
                Some("Succeeded") => pod_completed("Succeeded", "The pod has completed successfully."),
                Some("Failed") => pod_completed("Failed", "The pod failed."),
                _ => vec![],
            };
            return (pod_cells(p, now), conditions);
        }
        Object::Node(n) => node_cells(n, now),
        Object::Namespace(n) => {
            vec![name(), n.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default().into(), age()]
        }
        Object::ConfigMap(c) => {
            let n = c.data.as_ref().map_or(0, |d| d.len()) + c.binary_data.as_ref().map_or(0, |d| d.len());
            vec![name(), (n as i64).into(), age()]
        }
        Object::Secret(sec) => vec![
            name(),
            sec.type_.clone().unwrap_or_default().into(),
            (sec.data.as_ref().map_or(0, |d| d.len()) as i64).into(),
            age(),
        ],
        Object::Event(e) => event_cells(e, now),
        Object::ServiceAccount(sa) => {
            vec![name(), (sa.secrets.as_ref().map_or(0, |v| v.len()) as i64).into(), age()]
        }
        Object::Service(svc) => service_cells(svc, now),
        Object::Endpoints(ep) => vec![name(), format_endpoints(ep).into(), age()],
        Object::PersistentVolume(pv) => pv_cells(pv, now),
        Object::PersistentVolumeClaim(pvc) => pvc_cells(pvc, now),
        Object::ResourceQuota(q) => quota_cells(q, now),
        Object::LimitRange(_) | Object::Role(_) | Object::ClusterRole(_) => {
            // RFC 3339 in UTC; a missing timestamp prints Go's zero time.
            let created = match &m.creation_timestamp {
                Some(t) => t.0.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                None => "0001-01-01T00:00:00Z".to_string(),
            };
            vec![name(), created.into()]
        }
        Object::Deployment(d) => {
            let spec = d.spec.clone().unwrap_or_default();
            let st = d.status.clone().unwrap_or_default();
            let (names, images) = layout_containers(spec.template.spec.as_ref());
            vec![
                name(),
                format!("{}/{}", st.ready_replicas.unwrap_or(0), spec.replicas.unwrap_or(1)).into(),
                st.updated_replicas.unwrap_or(0).into(),
                st.available_replicas.unwrap_or(0).into(),
                age(),
                names.into(),
                images.into(),
                selector_string(Some(&spec.selector)).into(),
            ]
        }
        Object::ReplicaSet(rs) => {
            let spec = rs.spec.clone().unwrap_or_default();
            let st = rs.status.clone().unwrap_or_default();
            let (names, images) = layout_containers(spec.template.as_ref().and_then(|t| t.spec.as_ref()));
            vec![
                name(),
                spec.replicas.unwrap_or(1).into(),
                st.replicas.into(),
                st.ready_replicas.unwrap_or(0).into(),
                age(),
                names.into(),
                images.into(),
                format_label_selector(Some(&spec.selector)).into(),
            ]
        }
        Object::DaemonSet(ds) => {
            let spec = ds.spec.clone().unwrap_or_default();
            let st = ds.status.clone().unwrap_or_default();
            let pod_spec = spec.template.spec.as_ref();
            let (names, images) = layout_containers(pod_spec);
            vec![
                name(),
                st.desired_number_scheduled.into(),
                st.current_number_scheduled.into(),
                st.number_ready.into(),
                st.updated_number_scheduled.unwrap_or(0).into(),
                st.number_available.unwrap_or(0).into(),
                format_labels(pod_spec.and_then(|s| s.node_selector.as_ref())).into(),
                age(),
                names.into(),
                images.into(),
                format_label_selector(Some(&spec.selector)).into(),
            ]
        }
        Object::StatefulSet(sts) => {
            let spec = sts.spec.clone().unwrap_or_default();
            let st = sts.status.clone().unwrap_or_default();
            let (names, images) = layout_containers(spec.template.spec.as_ref());
            vec![
                name(),
                format!("{}/{}", st.ready_replicas.unwrap_or(0), spec.replicas.unwrap_or(1)).into(),
                age(),
                names.into(),
                images.into(),
            ]
        }
        Object::ControllerRevision(cr) => {
            let controller = m
                .owner_references
                .iter()
                .flatten()
                .find(|r| r.controller == Some(true))
                .map(|r| {
                    let group = r.api_version.rsplit_once('/').map_or("", |(g, _)| g);
                    let gk = if group.is_empty() { r.kind.clone() } else { format!("{}.{group}", r.kind) };
                    format!("{}/{}", gk.to_lowercase(), r.name)
                })
                .unwrap_or_else(|| "<none>".into());
            vec![name(), controller.into(), cr.revision.into(), age()]
        }
        Object::Job(j) => job_cells(j, now),
        Object::CronJob(cj) => {
            let spec = cj.spec.clone().unwrap_or_default();
            let st = cj.status.clone().unwrap_or_default();
            let job_spec = spec.job_template.spec.clone().unwrap_or_default();
            let (names, images) = layout_containers(job_spec.template.spec.as_ref());
            let last = match &st.last_schedule_time {
                Some(t) => since_time(Some(t), now),
                None => "<none>".into(),
            };
            vec![
                name(),
                spec.schedule.clone().into(),
                spec.time_zone.clone().unwrap_or_else(|| "<none>".into()).into(),
                print_bool_ptr(spec.suspend).into(),
                (st.active.as_ref().map_or(0, |a| a.len()) as i64).into(),
                last.into(),
                age(),
                names.into(),
                images.into(),
                format_label_selector(job_spec.selector.as_ref()).into(),
            ]
        }
        Object::HorizontalPodAutoscaler(h) => {
            let spec = h.spec.clone().unwrap_or_default();
            let st = h.status.clone().unwrap_or_default();
            let reference = format!("{}/{}", spec.scale_target_ref.kind, spec.scale_target_ref.name);
            let min = spec.min_replicas.map_or_else(|| "<unset>".to_string(), |n| n.to_string());
            vec![
                name(),
                reference.into(),
                format_hpa_metrics(
                    spec.metrics.as_deref().unwrap_or(&[]),
                    st.current_metrics.as_deref().unwrap_or(&[]),
                )
                .into(),
                min.into(),
                spec.max_replicas.into(),
                st.current_replicas.unwrap_or(0).into(),
                age(),
            ]
        }
        Object::Ingress(ing) => {
            let spec = ing.spec.clone().unwrap_or_default();
            let class = spec.ingress_class_name.clone().unwrap_or_else(|| "<none>".into());
            let addresses: Vec<(Option<String>, Option<String>)> = ing
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|lb| lb.ingress.as_ref())
                .map(|v| v.iter().map(|i| (i.ip.clone(), i.hostname.clone())).collect())
                .unwrap_or_default();
            let ports = if spec.tls.as_ref().is_some_and(|t| !t.is_empty()) { "80, 443" } else { "80" };
            vec![
                name(),
                class.into(),
                format_hosts(spec.rules.as_deref().unwrap_or(&[])).into(),
                load_balancer_string(&addresses).into(),
                ports.into(),
                age(),
            ]
        }
        Object::IngressClass(ic) => {
            let spec = ic.spec.clone().unwrap_or_default();
            let parameters = match &spec.parameters {
                Some(p) => {
                    let mut s = p.kind.clone();
                    if let Some(g) = &p.api_group {
                        s = format!("{s}.{g}");
                    }
                    format!("{s}/{}", p.name)
                }
                None => "<none>".into(),
            };
            vec![name(), spec.controller.clone().unwrap_or_default().into(), parameters.into(), age()]
        }
        Object::NetworkPolicy(np) => {
            let selector = np.spec.as_ref().map(|s| s.pod_selector.clone()).unwrap_or_default();
            vec![name(), format_label_selector(Some(&selector)).into(), age()]
        }
        Object::EndpointSlice(es) => {
            let ports: Vec<String> = es
                .ports
                .iter()
                .flatten()
                .map(|p| match (p.port, &p.name) {
                    (Some(n), _) => n.to_string(),
                    (None, Some(name)) => name.clone(),
                    (None, None) => "*".into(),
                })
                .collect();
            let addresses: Vec<String> = es.endpoints.iter().flat_map(|e| e.addresses.iter().cloned()).collect();
            vec![
                name(),
                es.address_type.clone().into(),
                list_with_more(&ports, 3).into(),
                list_with_more(&addresses, 3).into(),
                age(),
            ]
        }
        Object::StorageClass(sc) => {
            let mut n = m.name.clone().unwrap_or_default();
            if is_default_class(m) {
                n.push_str(" (default)");
            }
            vec![
                n.into(),
                sc.provisioner.clone().into(),
                sc.reclaim_policy.clone().unwrap_or_else(|| "Delete".into()).into(),
                sc.volume_binding_mode.clone().unwrap_or_else(|| "Immediate".into()).into(),
                sc.allow_volume_expansion.unwrap_or(false).into(),
                age(),
            ]
        }
        Object::PodDisruptionBudget(pdb) => {
            let spec = pdb.spec.clone().unwrap_or_default();
            let st = pdb.status.clone().unwrap_or_default();
            vec![
                name(),
                spec.min_available.as_ref().map_or_else(|| "N/A".to_string(), int_or_string).into(),
                spec.max_unavailable.as_ref().map_or_else(|| "N/A".to_string(), int_or_string).into(),
                st.disruptions_allowed.into(),
                age(),
            ]
        }
        Object::RoleBinding(rb) => {
            binding_cells(name(), &rb.role_ref.kind, &rb.role_ref.name, age(), rb.subjects.as_deref().unwrap_or(&[]))
        }
        Object::ClusterRoleBinding(rb) => {
            binding_cells(name(), &rb.role_ref.kind, &rb.role_ref.name, age(), rb.subjects.as_deref().unwrap_or(&[]))
        }
        Object::PriorityClass(pc) => vec![
            name(),
            pc.value.into(),
            pc.global_default.unwrap_or(false).into(),
            age(),
            pc.preemption_policy.clone().unwrap_or_default().into(),
        ],
        Object::Lease(l) => {
            let holder = l.spec.as_ref().and_then(|s| s.holder_identity.clone()).unwrap_or_default();
            vec![name(), holder.into(), age()]
        }
    };
    (cells, vec![])
}

// --- Pods ---

fn is_restartable_init(c: Option<&core::Container>) -> bool {
    c.is_some_and(|c| c.restart_policy.as_deref() == Some("Always"))
}

fn finished_at(cs: &core::ContainerStatus) -> Option<DateTime<Utc>> {
    cs.last_state.as_ref()?.terminated.as_ref()?.finished_at.as_ref().map(|t| t.0)
}

/// Keeps the later of two restart times (`lastRestartDate.Before(&terminatedDate)`); a
/// termination with no finish time is Go's zero time and never wins.
fn later(cur: Option<DateTime<Utc>>, t: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (cur, t) {
        (Some(c), Some(t)) if t > c => Some(t),
        (None, Some(t)) => Some(t),
        (c, _) => c,
    }
}

fn has_condition(conds: &[core::PodCondition], type_: &str) -> bool {
    conds.iter().any(|c| c.type_ == type_ && c.status == "True")
}

/// printPod: NAME, READY, STATUS, RESTARTS, AGE, IP, NODE, NOMINATED NODE, READINESS GATES.
fn pod_cells(pod: &core::Pod, now: DateTime<Utc>) -> Vec<Cell> {
    let empty_spec = core::PodSpec::default();
    let empty_status = core::PodStatus::default();
    let spec = pod.spec.as_ref().unwrap_or(&empty_spec);
    let status = pod.status.as_ref().unwrap_or(&empty_status);
    let conditions = status.conditions.as_deref().unwrap_or(&[]);
    let init_specs = spec.init_containers.as_deref().unwrap_or(&[]);

    let mut restarts: i64 = 0;
    let mut restartable_restarts: i64 = 0;
    let mut total = spec.containers.len();
    let mut ready = 0;
    let mut last_restart: Option<DateTime<Utc>> = None;
    let mut last_restartable_restart: Option<DateTime<Utc>> = None;

    let phase = status.phase.clone().unwrap_or_default();
    let mut reason = phase.clone();
    if let Some(r) = status.reason.as_deref().filter(|r| !r.is_empty()) {
        reason = r.to_string();
    }
    if conditions.iter().any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated")) {
        reason = "SchedulingGated".into();
    }

    let init_by_name: BTreeMap<&str, &core::Container> = init_specs.iter().map(|c| (c.name.as_str(), c)).collect();
    total += init_specs.iter().filter(|c| is_restartable_init(Some(c))).count();

    let mut initializing = false;
    for (i, cs) in status.init_container_statuses.iter().flatten().enumerate() {
        let restartable = is_restartable_init(init_by_name.get(cs.name.as_str()).copied());
        restarts += cs.restart_count as i64;
        last_restart = later(last_restart, finished_at(cs));
        if restartable {
            restartable_restarts += cs.restart_count as i64;
            last_restartable_restart = later(last_restartable_restart, finished_at(cs));
        }
        let state = cs.state.clone().unwrap_or_default();
        if state.terminated.as_ref().is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        if restartable && cs.started == Some(true) {
            if cs.ready {
                ready += 1;
            }
            continue;
        }
        if let Some(t) = &state.terminated {
            // Initialization failed.
            reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None if t.signal.unwrap_or(0) != 0 => format!("Init:Signal:{}", t.signal.unwrap_or(0)),
                None => format!("Init:ExitCode:{}", t.exit_code),
            };
        } else if let Some(r) = state
            .waiting
            .as_ref()
            .and_then(|w| w.reason.as_deref())
            .filter(|r| !r.is_empty() && *r != "PodInitializing")
        {
            reason = format!("Init:{r}");
        } else {
            reason = format!("Init:{i}/{}", init_specs.len());
        }
        initializing = true;
        break;
    }

    if !initializing || has_initialized_true(conditions) {
        restarts = restartable_restarts;
        last_restart = last_restartable_restart;
        let mut has_running = false;
        for cs in status.container_statuses.iter().flatten().rev() {
            restarts += cs.restart_count as i64;
            last_restart = later(last_restart, finished_at(cs));
            let state = cs.state.clone().unwrap_or_default();
            let waiting_reason = state.waiting.as_ref().and_then(|w| w.reason.clone()).unwrap_or_default();
            if !waiting_reason.is_empty() {
                reason = waiting_reason;
            } else if let Some(t) = &state.terminated {
                reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => r.to_string(),
                    None if t.signal.unwrap_or(0) != 0 => format!("Signal:{}", t.signal.unwrap_or(0)),
                    None => format!("ExitCode:{}", t.exit_code),
                };
            } else if cs.ready && state.running.is_some() {
                has_running = true;
                ready += 1;
            }
        }
        // Back to "Running" if at least one container still runs.
        if reason == "Completed" && has_running {
            reason = if has_condition(conditions, "Ready") { "Running".into() } else { "NotReady".into() };
        }
    }

    if pod.metadata.deletion_timestamp.is_some() && status.reason.as_deref() == Some("NodeLost") {
        reason = "Unknown".into();
    } else if pod.metadata.deletion_timestamp.is_some() && phase != "Succeeded" && phase != "Failed" {
        reason = "Terminating".into();
    }

    let restarts_text = match last_restart {
        Some(t) if restarts != 0 => format!("{restarts} ({} ago)", since(Some(&t), now)),
        _ => restarts.to_string(),
    };

    let or_none = |s: Option<&str>| s.filter(|s| !s.is_empty()).unwrap_or("<none>").to_string();
    let ip = or_none(status.pod_ips.as_ref().and_then(|v| v.first()).map(|ip| ip.ip.as_str()));
    let readiness_gates = match spec.readiness_gates.as_deref() {
        Some(gates) if !gates.is_empty() => {
            let true_conditions = gates
                .iter()
                .filter(|g| conditions.iter().find(|c| c.type_ == g.condition_type).is_some_and(|c| c.status == "True"))
                .count();
            format!("{true_conditions}/{}", gates.len())
        }
        _ => "<none>".into(),
    };
    vec![
        pod.metadata.name.clone().unwrap_or_default().into(),
        format!("{ready}/{total}").into(),
        reason.into(),
        restarts_text.into(),
        age(&pod.metadata, now).into(),
        ip.into(),
        or_none(spec.node_name.as_deref()).into(),
        or_none(status.nominated_node_name.as_deref()).into(),
        readiness_gates.into(),
    ]
}

/// `isPodInitializedConditionTrue`: the first Initialized condition decides.
fn has_initialized_true(conds: &[core::PodCondition]) -> bool {
    conds.iter().find(|c| c.type_ == "Initialized").is_some_and(|c| c.status == "True")
}

// --- Nodes ---

fn node_cells(n: &core::Node, now: DateTime<Utc>) -> Vec<Cell> {
    let st = n.status.clone().unwrap_or_default();
    // Only the Ready condition makes the STATUS column (the last one of that type wins, as
    // in the printer's condition map).
    let mut status: Vec<String> = Vec::new();
    if let Some(c) = st.conditions.iter().flatten().rfind(|c| c.type_ == "Ready") {
        status.push(if c.status == "True" { "Ready".into() } else { "NotReady".into() });
    }
    if status.is_empty() {
        status.push("Unknown".into());
    }
    if n.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false) {
        status.push("SchedulingDisabled".into());
    }
    let roles = node_roles(n.metadata.labels.as_ref());
    let roles = if roles.is_empty() { "<none>".to_string() } else { roles.join(",") };
    let info = st.node_info.clone().unwrap_or_default();
    let address = |ty: &str| {
        st.addresses
            .iter()
            .flatten()
            .find(|a| a.type_ == ty)
            .map(|a| a.address.clone())
            .unwrap_or_else(|| "<none>".into())
    };
    let unknown = |s: String| if s.is_empty() { "<unknown>".to_string() } else { s };
    vec![
        n.metadata.name.clone().unwrap_or_default().into(),
        status.join(",").into(),
        roles.into(),
        age(&n.metadata, now).into(),
        info.kubelet_version.clone().into(),
        address("InternalIP").into(),
        address("ExternalIP").into(),
        unknown(info.os_image).into(),
        unknown(info.kernel_version).into(),
        unknown(info.container_runtime_version).into(),
    ]
}

/// findNodeRoles: `node-role.kubernetes.io/<role>` labels and `kubernetes.io/role=<role>`,
/// sorted and deduplicated.
pub fn node_roles(labels: Option<&BTreeMap<String, String>>) -> Vec<String> {
    let mut roles: Vec<String> = Vec::new();
    for (k, v) in labels.into_iter().flatten() {
        if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
            if !role.is_empty() {
                roles.push(role.to_string());
            }
        } else if k == "kubernetes.io/role" && !v.is_empty() {
            roles.push(v.clone());
        }
    }
    roles.sort();
    roles.dedup();
    roles
}

// --- Events ---

fn event_cells(e: &core::Event, now: DateTime<Utc>) -> Vec<Cell> {
    let first = match (&e.first_timestamp, &e.event_time) {
        (Some(t), _) => since(Some(&t.0), now),
        (None, Some(t)) => since(Some(&t.0), now),
        (None, None) => "<unknown>".into(),
    };
    let mut last = match &e.last_timestamp {
        Some(t) => since(Some(&t.0), now),
        None => first.clone(),
    };
    let mut count = e.count.unwrap_or(0);
    if let Some(series) = &e.series {
        last = since(series.last_observed_time.as_ref().map(|t| &t.0), now);
        count = series.count.unwrap_or(0);
    } else if count == 0 {
        // Singleton events of the new API have no count.
        count = 1;
    }
    let kind = e.involved_object.kind.clone().unwrap_or_default().to_lowercase();
    let target = match e.involved_object.name.as_deref() {
        Some(n) if !n.is_empty() => format!("{kind}/{n}"),
        _ => kind,
    };
    let source = e.source.clone().unwrap_or_default();
    let first_non_empty = |a: Option<String>, b: Option<String>| {
        a.filter(|s| !s.is_empty()).or(b.filter(|s| !s.is_empty())).unwrap_or_default()
    };
    let component = first_non_empty(source.component, e.reporting_component.clone());
    let instance = first_non_empty(source.host, e.reporting_instance.clone());
    let source = if instance.is_empty() { component } else { format!("{component}, {instance}") };
    vec![
        last.into(),
        e.type_.clone().unwrap_or_default().into(),
        e.reason.clone().unwrap_or_default().into(),
        target.into(),
        e.involved_object.field_path.clone().unwrap_or_default().into(),
        source.into(),
        e.message.clone().unwrap_or_default().trim().into(),
        first.into(),
        (count as i64).into(),
        e.metadata.name.clone().unwrap_or_default().into(),
    ]
}

// --- Services and endpoints ---

fn service_cells(svc: &core::Service, now: DateTime<Utc>) -> Vec<Cell> {
    let spec = svc.spec.clone().unwrap_or_default();
    let type_ = spec.type_.clone().unwrap_or_default();
    let cluster_ip = spec.cluster_ips.as_ref().and_then(|v| v.first().cloned()).unwrap_or_else(|| "<none>".into());
    let external_ips = spec.external_ips.clone().unwrap_or_default();
    let external = match type_.as_str() {
        "ClusterIP" | "NodePort" => {
            if external_ips.is_empty() {
                "<none>".to_string()
            } else {
                external_ips.join(",")
            }
        }
        "LoadBalancer" => {
            let addresses: Vec<(Option<String>, Option<String>)> = svc
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|lb| lb.ingress.as_ref())
                .map(|v| v.iter().map(|i| (i.ip.clone(), i.hostname.clone())).collect())
                .unwrap_or_default();
            let lb = load_balancer_string(&addresses);
            if !external_ips.is_empty() {
                let mut all: Vec<String> =
                    if lb.is_empty() { vec![] } else { lb.split(',').map(str::to_string).collect() };
                all.extend(external_ips);
                all.join(",")
            } else if !lb.is_empty() {
                lb
            } else {
                "<pending>".to_string()
            }
        }
        "ExternalName" => spec.external_name.clone().unwrap_or_default(),
        _ => "<unknown>".to_string(),
    };
    let ports: Vec<String> = spec
        .ports
        .iter()
        .flatten()
        .map(|p| {
            let proto = p.protocol.clone().unwrap_or_default();
            match p.node_port {
                Some(np) if np > 0 => format!("{}:{np}/{proto}", p.port),
                _ => format!("{}/{proto}", p.port),
            }
        })
        .collect();
    let ports = if ports.is_empty() { "<none>".to_string() } else { ports.join(",") };
    vec![
        svc.metadata.name.clone().unwrap_or_default().into(),
        type_.into(),
        cluster_ip.into(),
        external.into(),
        ports.into(),
        age(&svc.metadata, now).into(),
        format_labels(spec.selector.as_ref()).into(),
    ]
}

/// The load balancer's addresses (IP, else hostname), sorted and deduplicated. The server
/// prints wide, so the 16-character clipping of the non-wide printer never applies.
fn load_balancer_string(ingress: &[(Option<String>, Option<String>)]) -> String {
    let mut v: Vec<String> = ingress
        .iter()
        .filter_map(|(ip, host)| {
            ip.clone().filter(|s| !s.is_empty()).or_else(|| host.clone().filter(|s| !s.is_empty()))
        })
        .collect();
    v.sort();
    v.dedup();
    v.join(",")
}

/// `net.JoinHostPort`: IPv6 addresses in brackets.
fn join_host_port(host: &str, port: i32) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// formatEndpoints: up to three `ip:port`, then `+ N more...`.
fn format_endpoints(ep: &core::Endpoints) -> String {
    let subsets = ep.subsets.as_deref().unwrap_or(&[]);
    if subsets.is_empty() {
        return "<none>".into();
    }
    const MAX: usize = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    for ss in subsets {
        let addresses = ss.addresses.as_deref().unwrap_or(&[]);
        let ports = ss.ports.as_deref().unwrap_or(&[]);
        if ports.is_empty() {
            // Headless services with no ports.
            count += addresses.len();
            for a in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(a.ip.clone());
            }
            continue;
        }
        for p in ports {
            count += addresses.len();
            for a in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(join_host_port(&a.ip, p.port));
            }
        }
    }
    let ret = list.join(",");
    if more {
        format!("{ret} + {} more...", count - MAX)
    } else {
        ret
    }
}

/// listWithMoreString: the first `max` items, `+ N more...`, or `<unset>` when empty.
fn list_with_more(items: &[String], max: usize) -> String {
    let ret = items.iter().take(max).cloned().collect::<Vec<_>>().join(",");
    if items.len() > max {
        return format!("{ret} + {} more...", items.len() - max);
    }
    if ret.is_empty() {
        "<unset>".into()
    } else {
        ret
    }
}

fn format_hosts(rules: &[k8s_openapi::api::networking::v1::IngressRule]) -> String {
    const MAX: usize = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    for r in rules {
        if list.len() == MAX {
            more = true;
        }
        if let Some(h) = r.host.as_deref().filter(|h| !h.is_empty()) {
            if !more {
                list.push(h.to_string());
            }
        }
    }
    if list.is_empty() {
        return "*".into();
    }
    let ret = list.join(",");
    if more {
        format!("{ret} + {} more...", rules.len() - MAX)
    } else {
        ret
    }
}

// --- Storage ---

/// GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order.
fn access_modes(modes: Option<&Vec<String>>) -> String {
    let modes = modes.map(|v| v.as_slice()).unwrap_or(&[]);
    let has = |m: &str| modes.iter().any(|x| x == m);
    [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")]
        .iter()
        .filter(|(m, _)| has(m))
        .map(|(_, s)| *s)
        .collect::<Vec<_>>()
        .join(",")
}

/// The storage class of a PV or PVC: the beta annotation wins over the field.
fn storage_class(m: &ObjectMeta, field: Option<&String>) -> String {
    if let Some(c) = m.annotations.as_ref().and_then(|a| a.get("volume.beta.kubernetes.io/storage-class")) {
        return c.clone();
    }
    field.cloned().unwrap_or_default()
}

fn pv_cells(pv: &core::PersistentVolume, now: DateTime<Utc>) -> Vec<Cell> {
    let spec = pv.spec.clone().unwrap_or_default();
    let st = pv.status.clone().unwrap_or_default();
    let claim = spec
        .claim_ref
        .as_ref()
        .map(|c| format!("{}/{}", c.namespace.clone().unwrap_or_default(), c.name.clone().unwrap_or_default()))
        .unwrap_or_default();
    let size = quantity_string(spec.capacity.as_ref().and_then(|c| c.get("storage")));
    let mut phase = st.phase.clone().unwrap_or_default();
    if pv.metadata.deletion_timestamp.is_some() {
        phase = "Terminating".into();
    }
    vec![
        pv.metadata.name.clone().unwrap_or_default().into(),
        size.into(),
        access_modes(spec.access_modes.as_ref()).into(),
        spec.persistent_volume_reclaim_policy.clone().unwrap_or_default().into(),
        phase.into(),
        claim.into(),
        storage_class(&pv.metadata, spec.storage_class_name.as_ref()).into(),
        spec.volume_attributes_class_name.clone().unwrap_or_else(|| "<unset>".into()).into(),
        st.reason.clone().unwrap_or_default().into(),
        age(&pv.metadata, now).into(),
        spec.volume_mode.clone().unwrap_or_else(|| "<unset>".into()).into(),
    ]
}

fn pvc_cells(pvc: &core::PersistentVolumeClaim, now: DateTime<Utc>) -> Vec<Cell> {
    let spec = pvc.spec.clone().unwrap_or_default();
    let st = pvc.status.clone().unwrap_or_default();
    let mut phase = st.phase.clone().unwrap_or_default();
    if pvc.metadata.deletion_timestamp.is_some() {
        phase = "Terminating".into();
    }
    let volume = spec.volume_name.clone().unwrap_or_default();
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (quantity_string(st.capacity.as_ref().and_then(|c| c.get("storage"))), access_modes(st.access_modes.as_ref()))
    };
    vec![
        pvc.metadata.name.clone().unwrap_or_default().into(),
        phase.into(),
        volume.into(),
        capacity.into(),
        modes.into(),
        storage_class(&pvc.metadata, spec.storage_class_name.as_ref()).into(),
        spec.volume_attributes_class_name.clone().unwrap_or_else(|| "<unset>".into()).into(),
        age(&pvc.metadata, now).into(),
        spec.volume_mode.clone().unwrap_or_else(|| "<unset>".into()).into(),
    ]
}

fn is_default_class(m: &ObjectMeta) -> bool {
    let a = m.annotations.clone().unwrap_or_default();
    a.get("storageclass.kubernetes.io/is-default-class").map(String::as_str) == Some("true")
        || a.get("storageclass.beta.kubernetes.io/is-default-class").map(String::as_str) == Some("true")
}

/// `Quantity.String()`: the canonical form (`1.5Gi` → `1536Mi`, `1000M` → `1G`); a missing
/// quantity is Go's zero Quantity, `0`.
fn quantity_string(q: Option<&Quantity>) -> String {
    let Some(q) = q else { return "0".into() };
    match (crate::sim::quantity::parse_milli(&q.0), crate::sim::quantity::parse_format(&q.0)) {
        (Ok(milli), Ok(format)) => crate::sim::quantity::format_milli(milli, format),
        _ => q.0.clone(),
    }
}

/// `(*Quantity).String()` on a pointer: `<nil>` for a nil one.
fn quantity_ptr_string(q: Option<&Quantity>) -> String {
    match q {
        Some(_) => quantity_string(q),
        None => "<nil>".into(),
    }
}

fn quota_cells(q: &core::ResourceQuota, now: DateTime<Utc>) -> Vec<Cell> {
    let st = q.status.clone().unwrap_or_default();
    let hard = st.hard.unwrap_or_default();
    let used = st.used.unwrap_or_default();
    let mut request: Vec<String> = Vec::new();
    let mut limit: Vec<String> = Vec::new();
    // BTreeMap: resource names come sorted, as the printer sorts them.
    for (resource, h) in &hard {
        let text = format!("{resource}: {}/{}", quantity_string(used.get(resource)), quantity_string(Some(h)));
        let pieces: Vec<&str> = resource.split('.').collect();
        if pieces.len() > 1 && pieces[0] == "limits" {
            limit.push(text);
        } else {
            request.push(text);
        }
    }
    vec![
        q.metadata.name.clone().unwrap_or_default().into(),
        request.join(", ").into(),
        limit.join(", ").into(),
        age(&q.metadata, now).into(),
    ]
}

// --- Workloads ---

fn job_cells(j: &k8s_openapi::api::batch::v1::Job, now: DateTime<Utc>) -> Vec<Cell> {
    let spec = j.spec.clone().unwrap_or_default();
    let st = j.status.clone().unwrap_or_default();
    let succeeded = st.succeeded.unwrap_or(0);
    let completions = match spec.completions {
        Some(c) => format!("{succeeded}/{c}"),
        None => {
            let parallelism = spec.parallelism.unwrap_or(0);
            if parallelism > 1 {
                format!("{succeeded}/1 of {parallelism}")
            } else {
                format!("{succeeded}/1")
            }
        }
    };
    let duration = match (&st.start_time, &st.completion_time) {
        (None, _) => String::new(),
        (Some(s), None) => human_duration((now - s.0).num_seconds()),
        (Some(s), Some(c)) => human_duration((c.0 - s.0).num_seconds()),
    };
    let conds = st.conditions.clone().unwrap_or_default();
    // hasJobCondition: the first condition of the type decides.
    let has = |t: &str| conds.iter().find(|c| c.type_ == t).is_some_and(|c| c.status == "True");
    let status = if has("Complete") {
        "Complete"
    } else if has("Failed") {
        "Failed"
    } else if j.metadata.deletion_timestamp.is_some() {
        "Terminating"
    } else if has("Suspended") {
        "Suspended"
    } else if has("FailureTarget") {
        "FailureTarget"
    } else {
        "Running"
    };
    let (names, images) = layout_containers(spec.template.spec.as_ref());
    vec![
        j.metadata.name.clone().unwrap_or_default().into(),
        status.into(),
        completions.into(),
        duration.into(),
        age(&j.metadata, now).into(),
        names.into(),
        images.into(),
        format_label_selector(spec.selector.as_ref()).into(),
    ]
}

/// layoutContainerCells: container names and images, comma-separated.
fn layout_containers(spec: Option<&core::PodSpec>) -> (String, String) {
    let containers = spec.map(|s| s.containers.as_slice()).unwrap_or(&[]);
    let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
    let images: Vec<String> = containers.iter().map(|c| c.image.clone().unwrap_or_default()).collect();
    (names.join(","), images.join(","))
}

fn print_bool_ptr(b: Option<bool>) -> String {
    match b {
        Some(true) => "True".into(),
        Some(false) => "False".into(),
        None => "<unset>".into(),
    }
}

fn int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

fn format_hpa_metrics(
    specs: &[k8s_openapi::api::autoscaling::v2::MetricSpec],
    statuses: &[k8s_openapi::api::autoscaling::v2::MetricStatus],
) -> String {
    if specs.is_empty() {
        return "<none>".into();
    }
    let unknown = || "<unknown>".to_string();
    let mut list: Vec<String> = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let status = statuses.get(i);
        let text = match spec.type_.as_str() {
            "External" => {
                let target = spec.external.as_ref().map(|e| e.target.clone()).unwrap_or_default();
                let current = status.and_then(|s| s.external.as_ref()).map(|e| e.current.clone());
                if target.average_value.is_some() {
                    let cur = current.and_then(|c| c.average_value).map_or_else(unknown, |q| quantity_string(Some(&q)));
                    format!("{cur}/{} (avg)", quantity_ptr_string(target.average_value.as_ref()))
                } else {
                    let cur = current.map_or_else(unknown, |c| quantity_ptr_string(c.value.as_ref()));
                    format!("{cur}/{}", quantity_ptr_string(target.value.as_ref()))
                }
            }
            "Pods" => {
                let target = spec.pods.as_ref().map(|p| p.target.clone()).unwrap_or_default();
                let cur = status
                    .and_then(|s| s.pods.as_ref())
                    .map_or_else(unknown, |p| quantity_ptr_string(p.current.average_value.as_ref()));
                format!("{cur}/{}", quantity_ptr_string(target.average_value.as_ref()))
            }
            "Object" => {
                let target = spec.object.as_ref().map(|o| o.target.clone()).unwrap_or_default();
                let current = status.and_then(|s| s.object.as_ref()).map(|o| o.current.clone());
                if target.average_value.is_some() {
                    let cur = current.and_then(|c| c.average_value).map_or_else(unknown, |q| quantity_string(Some(&q)));
                    format!("{cur}/{} (avg)", quantity_ptr_string(target.average_value.as_ref()))
                } else {
                    let cur = current.map_or_else(unknown, |c| quantity_ptr_string(c.value.as_ref()));
                    format!("{cur}/{}", quantity_ptr_string(target.value.as_ref()))
                }
            }
            "Resource" => {
                let src = spec.resource.clone().unwrap_or_default();
                let current = status.and_then(|s| s.resource.as_ref()).map(|r| r.current.clone());
                resource_metric_text(&src.name, &src.target, current)
            }
            "ContainerResource" => {
                let src = spec.container_resource.clone().unwrap_or_default();
                let current = status.and_then(|s| s.container_resource.as_ref()).map(|r| r.current.clone());
                resource_metric_text(&src.name, &src.target, current)
            }
            _ => "<unknown type>".into(),
        };
        list.push(text);
    }
    const MAX: usize = 2;
    let count = list.len();
    if count > MAX {
        list.truncate(MAX);
        return format!("{} + {} more...", list.join(", "), count - MAX);
    }
    list.join(", ")
}

fn resource_metric_text(
    name: &str,
    target: &k8s_openapi::api::autoscaling::v2::MetricTarget,
    current: Option<k8s_openapi::api::autoscaling::v2::MetricValueStatus>,
) -> String {
    if target.average_value.is_some() {
        let cur = current.map_or_else(|| "<unknown>".to_string(), |c| quantity_ptr_string(c.average_value.as_ref()));
        format!("{name}: {cur}/{}", quantity_ptr_string(target.average_value.as_ref()))
    } else {
        let cur =
            current.and_then(|c| c.average_utilization).map_or_else(|| "<unknown>".to_string(), |u| format!("{u}%"));
        let tgt = target.average_utilization.map_or_else(|| "<auto>".to_string(), |u| format!("{u}%"));
        format!("{name}: {cur}/{tgt}")
    }
}

// --- RBAC ---

fn binding_cells(
    name: Cell,
    role_kind: &str,
    role_name: &str,
    age: Cell,
    subjects: &[k8s_openapi::api::rbac::v1::Subject],
) -> Vec<Cell> {
    let (mut users, mut groups, mut sas) = (Vec::new(), Vec::new(), Vec::new());
    for s in subjects {
        match s.kind.as_str() {
            "ServiceAccount" => sas.push(format!("{}/{}", s.namespace.clone().unwrap_or_default(), s.name)),
            "User" => users.push(s.name.clone()),
            "Group" => groups.push(s.name.clone()),
            _ => {}
        }
    }
    vec![
        name,
        format!("{role_kind}/{role_name}").into(),
        age,
        users.join(", ").into(),
        groups.join(", ").into(),
        sas.join(", ").into(),
    ]
}

// ---------------------------------------------------------------------------------------------
// Labels and selectors

/// `labels.FormatLabels`: sorted `k=v` joined by commas, `<none>` when empty.
pub fn format_labels(labels: Option<&BTreeMap<String, String>>) -> String {
    let s = labels.into_iter().flatten().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
    if s.is_empty() {
        "<none>".into()
    } else {
        s
    }
}

/// `LabelSelectorAsSelector(sel).String()`: requirements sorted by key (`app=web`,
/// `tier in (a,b)`, `env notin (x)`, `canary`, `!legacy`); empty for a nil or empty selector.
pub fn selector_string(sel: Option<&LabelSelector>) -> String {
    let Some(sel) = sel else { return String::new() };
    let mut reqs: Vec<(String, String)> = Vec::new();
    for (k, v) in sel.match_labels.iter().flatten() {
        reqs.push((k.clone(), format!("{k}={v}")));
    }
    for e in sel.match_expressions.iter().flatten() {
        let mut values = e.values.clone().unwrap_or_default();
        values.sort();
        let k = &e.key;
        let text = match e.operator.as_str() {
            "In" => format!("{k} in ({})", values.join(",")),
            "NotIn" => format!("{k} notin ({})", values.join(",")),
            "Exists" => k.clone(),
            "DoesNotExist" => format!("!{k}"),
            // An invalid operator makes LabelSelectorAsSelector fail.
            _ => return "<error>".into(),
        };
        reqs.push((k.clone(), text));
    }
    // A stable sort keeps matchLabels before expressions on the same key.
    reqs.sort_by(|a, b| a.0.cmp(&b.0));
    reqs.into_iter().map(|(_, t)| t).collect::<Vec<_>>().join(",")
}

/// `metav1.FormatLabelSelector`: the selector string, `<none>` when it selects nothing or
/// everything.
pub fn format_label_selector(sel: Option<&LabelSelector>) -> String {
    let s = selector_string(sel);
    if s.is_empty() {
        "<none>".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests;
