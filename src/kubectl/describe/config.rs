//! Describers for configuration, storage, policy and RBAC objects: Namespace (with its
//! quotas and limit ranges), ConfigMap, Secret, ServiceAccount, ResourceQuota, LimitRange,
//! PersistentVolume, PersistentVolumeClaim, StorageClass, PodDisruptionBudget, Role and
//! ClusterRole, RoleBinding and ClusterRoleBinding, PriorityClass.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    ConfigMap, LimitRange, LimitRangeSpec, Namespace, PersistentVolume, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PersistentVolumeClaimStatus, ResourceQuota, Secret, ServiceAccount,
};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{
    describe_events, format_label_selector, format_labels, go_list, name, namespace, print_annotations_multiline,
    print_bool_ptr, print_labels_multiline, print_pods_multiline, qty, rfc1123z, Describer, Pw,
};
use crate::sim::quantity::{format_milli, parse_format, parse_value};
use crate::sim::Kind;

pub(super) fn describe_namespace(d: &Describer, ns: &Namespace) -> String {
    let n = name(&ns.metadata);
    let mut quotas: Vec<&ResourceQuota> = d
        .world
        .store
        .list(Kind::ResourceQuota, Some(n))
        .into_iter()
        .filter_map(|o| match o {
            crate::sim::Object::ResourceQuota(q) => Some(&**q),
            _ => None,
        })
        .collect();
    let limits: Vec<&LimitRange> = d
        .world
        .store
        .list(Kind::LimitRange, Some(n))
        .into_iter()
        .filter_map(|o| match o {
            crate::sim::Object::LimitRange(l) => Some(&**l),
            _ => None,
        })
        .collect();
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{n}\n"));
    print_labels_multiline(&mut w, "Labels", ns.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", ns.metadata.annotations.as_ref());
    let status = ns.status.clone().unwrap_or_default();
    w.w(0, &format!("Status:\t{}\n", status.phase.as_deref().unwrap_or("")));
    if let Some(conds) = status.conditions.as_deref().filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n");
        w.w(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n");
        w.w(1, "----\t------\t------------------\t------\t-------\n");
        for c in conds {
            w.w(
                1,
                &format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    c.type_,
                    c.status,
                    rfc1123z(c.last_transition_time.as_ref()),
                    c.reason.as_deref().unwrap_or(""),
                    c.message.as_deref().unwrap_or("")
                ),
            );
        }
    }
    w.w(0, "\n");
    if quotas.is_empty() {
        w.w(0, "No resource quota.\n");
    } else {
        super::gosort::sort(&mut quotas, |a, b| a.metadata.name < b.metadata.name);
        w.w(0, "Resource Quotas\n");
        for q in quotas {
            w.w(1, &format!("Name:\t{}\n", name(&q.metadata)));
            let spec = q.spec.clone().unwrap_or_default();
            describe_quota_scopes(&mut w, spec.scopes.as_deref().unwrap_or_default(), 1, "* ");
            w.w(1, "Resource\tUsed\tHard\n");
            w.w(1, "--------\t---\t---\n");
            let status = q.status.clone().unwrap_or_default();
            let used = status.used.unwrap_or_default();
            for (res, hard) in status.hard.iter().flatten() {
                let u = used.get(res).map(qty).unwrap_or_else(|| "0".into());
                w.w(1, &format!("{res}\t{u}\t{}\n", qty(hard)));
            }
        }
    }
    w.w(0, "\n");
    if limits.is_empty() {
        w.w(0, "No LimitRange resource.\n");
    } else {
        w.w(0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n");
        w.w(0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n");
        for l in limits {
            describe_limit_range_spec(&mut w, &l.spec.clone().unwrap_or_default(), " ");
        }
    }
    w.finish()
}

fn quota_scope_help(scope: &str) -> &'static str {
    match scope {
        "Terminating" => "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.",
        "NotTerminating" => "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
        "BestEffort" => "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
        "NotBestEffort" => "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.",
        _ => "",
    }
}

fn describe_quota_scopes(w: &mut Pw, scopes: &[String], level: usize, bullet: &str) {
    if scopes.is_empty() {
        return;
    }
    let mut scopes = scopes.to_vec();
    scopes.sort();
    w.w(level, &format!("Scopes:\t{}\n", scopes.join(", ")));
    for s in &scopes {
        let help = quota_scope_help(s);
        if !help.is_empty() {
            w.w(level, &format!("{bullet}{help}\n"));
        }
    }
}

/// One row per resource named anywhere in a limit item. (kubectl walks a Go map here, so its
/// row order within an item varies from run to run; this prints them sorted.)
fn describe_limit_range_spec(w: &mut Pw, spec: &LimitRangeSpec, prefix: &str) {
    for item in &spec.limits {
        let mut set: std::collections::BTreeSet<&String> = std::collections::BTreeSet::new();
        for m in [&item.max, &item.min, &item.default, &item.default_request, &item.max_limit_request_ratio] {
            set.extend(m.iter().flat_map(|m| m.keys()));
        }
        let get = |m: &Option<BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>, k: &str| {
            m.as_ref().and_then(|m| m.get(k)).map(qty).unwrap_or_else(|| "-".into())
        };
        for k in set {
            w.w(
                0,
                &format!(
                    "{prefix}{}\t{k}\t{}\t{}\t{}\t{}\t{}\n",
                    item.type_,
                    get(&item.min, k),
                    get(&item.max, k),
                    get(&item.default_request, k),
                    get(&item.default, k),
                    get(&item.max_limit_request_ratio, k)
                ),
            );
        }
    }
}

pub(super) fn describe_limit_range(l: &LimitRange) -> String {
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&l.metadata)));
    w.w(0, &format!("Namespace:\t{}\n", namespace(&l.metadata)));
    w.w(0, "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n");
    w.w(0, "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n");
    describe_limit_range_spec(&mut w, &l.spec.clone().unwrap_or_default(), "");
    w.finish()
}

pub(super) fn describe_quota(q: &ResourceQuota) -> String {
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&q.metadata)));
    w.w(0, &format!("Namespace:\t{}\n", namespace(&q.metadata)));
    let spec = q.spec.clone().unwrap_or_default();
    describe_quota_scopes(&mut w, spec.scopes.as_deref().unwrap_or_default(), 0, " * ");
    w.w(0, "Resource\tUsed\tHard\n");
    w.w(0, "--------\t----\t----\n");
    let status = q.status.clone().unwrap_or_default();
    let used = status.used.unwrap_or_default();
    for (res, hard) in status.hard.iter().flatten() {
        let hard_format = parse_format(&hard.0).ok();
        let u = match used.get(res) {
            // A used quantity in another format is shown as its whole value in the hard
            // quantity's format.
            Some(u) if parse_format(&u.0).ok() != hard_format => {
                let v = parse_value(&u.0).unwrap_or(0);
                format_milli(v.saturating_mul(1000), hard_format.unwrap_or(crate::sim::quantity::Format::DecimalSI))
            }
            Some(u) => qty(u),
            None => "0".into(),
        };
        w.w(0, &format!("{res}\t{u}\t{}\n", qty(hard)));
    }
    w.finish()
}

pub(super) fn describe_config_map(d: &Describer, cm: &ConfigMap) -> String {
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&cm.metadata)));
    w.w(0, &format!("Namespace:\t{}\n", namespace(&cm.metadata)));
    print_labels_multiline(&mut w, "Labels", cm.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", cm.metadata.annotations.as_ref());
    w.w(0, "\nData\n====\n");
    for (k, v) in cm.data.iter().flatten() {
        w.w(0, &format!("{k}:\n----\n"));
        w.w(0, &format!("{v}\n"));
        w.w(0, "\n");
    }
    w.w(0, "\nBinaryData\n====\n");
    for (k, v) in cm.binary_data.iter().flatten() {
        w.w(0, &format!("{k}: {} bytes\n", v.0.len()));
    }
    w.w(0, "\n");
    if let Some(events) = d.events(&cm.metadata, Some(Kind::ConfigMap)) {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

pub(super) fn describe_secret(s: &Secret) -> String {
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&s.metadata)));
    w.w(0, &format!("Namespace:\t{}\n", namespace(&s.metadata)));
    print_labels_multiline(&mut w, "Labels", s.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", s.metadata.annotations.as_ref());
    let type_ = s.type_.as_deref().unwrap_or("");
    w.w(0, &format!("\nType:\t{type_}\n"));
    w.w(0, "\nData\n====\n");
    for (k, v) in s.data.iter().flatten() {
        if k == "token" && type_ == "kubernetes.io/service-account-token" {
            w.w(0, &format!("{k}:\t{}\n", String::from_utf8_lossy(&v.0)));
        } else {
            w.w(0, &format!("{k}:\t{} bytes\n", v.0.len()));
        }
    }
    w.finish()
}

pub(super) fn describe_service_account(d: &Describer, sa: &ServiceAccount) -> String {
    let events = d.events(&sa.metadata, Some(Kind::ServiceAccount));
    let ns = namespace(&sa.metadata);
    let sa_name = name(&sa.metadata);
    // Legacy token Secrets annotated with this account, and mountable secrets that are gone.
    let secrets: Vec<&Secret> =
        d.world.store.list(Kind::Secret, Some(ns)).into_iter().filter_map(|o| o.as_secret()).collect();
    let tokens: Vec<String> = secrets
        .iter()
        .filter(|s| s.type_.as_deref() == Some("kubernetes.io/service-account-token"))
        .filter(|s| {
            let ann = |k: &str| s.metadata.annotations.as_ref().and_then(|a| a.get(k)).cloned().unwrap_or_default();
            ann("kubernetes.io/service-account.name") == sa_name
                && ann("kubernetes.io/service-account.uid") == sa.metadata.uid.clone().unwrap_or_default()
        })
        .map(|s| name(&s.metadata).to_string())
        .collect();
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{sa_name}\n"));
    w.w(0, &format!("Namespace:\t{ns}\n"));
    print_labels_multiline(&mut w, "Labels", sa.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", sa.metadata.annotations.as_ref());
    let pull: Vec<String> = sa.image_pull_secrets.iter().flatten().map(|s| s.name.clone()).collect();
    let mount: Vec<String> = sa.secrets.iter().flatten().map(|s| s.name.clone().unwrap_or_default()).collect();
    let missing = |n: &str| !secrets.iter().any(|s| name(&s.metadata) == n);
    let empty_header = "                   ";
    for (header, names) in
        [("Image pull secrets:", &pull), ("Mountable secrets: ", &mount), ("Tokens:            ", &tokens)]
    {
        if names.is_empty() {
            w.w(0, &format!("{header}\t<none>\n"));
            continue;
        }
        let mut prefix = header;
        for n in names.iter() {
            if missing(n) {
                w.w(0, &format!("{prefix}\t{n} (not found)\n"));
            } else {
                w.w(0, &format!("{prefix}\t{n}\n"));
            }
            prefix = empty_header;
        }
    }
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

/// `GetAccessModesAsString`: `RWO,ROX,RWX,RWOP` in that order, each once.
fn access_modes(modes: &[String]) -> String {
    let mut out = Vec::new();
    for (mode, short) in
        [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")]
    {
        if modes.iter().any(|m| m == mode) {
            out.push(short);
        }
    }
    out.join(",")
}

/// The storage class of a claim: the beta annotation wins over the field.
fn claim_class(meta: &ObjectMeta, spec: &PersistentVolumeClaimSpec) -> String {
    if let Some(c) = meta.annotations.as_ref().and_then(|a| a.get("volume.beta.kubernetes.io/storage-class")) {
        return c.clone();
    }
    spec.storage_class_name.clone().unwrap_or_default()
}

/// kubectl's `printPersistentVolumeClaim`, for a whole claim (`full`) or a claim template.
pub(super) fn print_persistent_volume_claim(
    w: &mut Pw,
    meta: &ObjectMeta,
    spec: &PersistentVolumeClaimSpec,
    status: Option<&PersistentVolumeClaimStatus>,
    full: bool,
    terminating_for: Option<&str>,
) {
    let status = status.cloned().unwrap_or_default();
    if full {
        w.w(0, &format!("Name:\t{}\n", name(meta)));
        w.w(0, &format!("Namespace:\t{}\n", namespace(meta)));
    }
    w.w(0, &format!("StorageClass:\t{}\n", claim_class(meta, spec)));
    if full {
        match terminating_for {
            Some(age) => w.w(0, &format!("Status:\tTerminating (lasts {age})\n")),
            None => w.w(0, &format!("Status:\t{}\n", status.phase.as_deref().unwrap_or(""))),
        }
    }
    let volume = spec.volume_name.as_deref().unwrap_or("");
    w.w(0, &format!("Volume:\t{volume}\n"));
    print_labels_multiline(w, "Labels", meta.labels.as_ref());
    print_annotations_multiline(w, "Annotations", meta.annotations.as_ref());
    if full {
        w.w(0, &format!("Finalizers:\t{}\n", go_list(meta.finalizers.as_deref().unwrap_or_default())));
    }
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        let cap = status.capacity.as_ref().and_then(|c| c.get("storage")).map(qty).unwrap_or_else(|| "0".into());
        (cap, access_modes(status.access_modes.as_deref().unwrap_or_default()))
    };
    w.w(0, &format!("Capacity:\t{capacity}\n"));
    w.w(0, &format!("Access Modes:\t{modes}\n"));
    if let Some(m) = &spec.volume_mode {
        w.w(0, &format!("VolumeMode:\t{m}\n"));
    }
    if let Some(ds) = &spec.data_source {
        w.w(0, "DataSource:\n");
        if let Some(g) = &ds.api_group {
            w.w(1, &format!("APIGroup:\t{g}\n"));
        }
        w.w(1, &format!("Kind:\t{}\n", ds.kind));
        w.w(1, &format!("Name:\t{}\n", ds.name));
    }
}

pub(super) fn describe_pvc(d: &Describer, pvc: &PersistentVolumeClaim) -> String {
    let ns = namespace(&pvc.metadata);
    let owners: Vec<(&str, &str)> =
        pvc.metadata.owner_references.iter().flatten().map(|o| (o.kind.as_str(), o.uid.as_str())).collect();
    let pods = super::pod::pods_for_pvc(d, ns, name(&pvc.metadata), &owners);
    let events = d.events(&pvc.metadata, Some(Kind::PersistentVolumeClaim));
    let spec = pvc.spec.clone().unwrap_or_default();
    let terminating = pvc.metadata.deletion_timestamp.as_ref().map(|t| d.since(Some(t)));
    let mut w = Pw::new();
    print_persistent_volume_claim(&mut w, &pvc.metadata, &spec, pvc.status.as_ref(), true, terminating.as_deref());
    print_pods_multiline(&mut w, "Used By", &pods);
    if let Some(conds) = pvc.status.as_ref().and_then(|s| s.conditions.as_deref()).filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n");
        w.w(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n");
        w.w(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
        for c in conds {
            w.w(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    c.type_,
                    c.status,
                    rfc1123z(c.last_probe_time.as_ref()),
                    rfc1123z(c.last_transition_time.as_ref()),
                    c.reason.as_deref().unwrap_or(""),
                    c.message.as_deref().unwrap_or("")
                ),
            );
        }
    }
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

pub(super) fn describe_pv(d: &Describer, pv: &PersistentVolume) -> String {
    let events = d.events(&pv.metadata, Some(Kind::PersistentVolume));
    let spec = pv.spec.clone().unwrap_or_default();
    let status = pv.status.clone().unwrap_or_default();
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&pv.metadata)));
    print_labels_multiline(&mut w, "Labels", pv.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", pv.metadata.annotations.as_ref());
    w.w(0, &format!("Finalizers:\t{}\n", go_list(pv.metadata.finalizers.as_deref().unwrap_or_default())));
    let class = pv
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("volume.beta.kubernetes.io/storage-class").cloned())
        .unwrap_or_else(|| spec.storage_class_name.clone().unwrap_or_default());
    w.w(0, &format!("StorageClass:\t{class}\n"));
    match &pv.metadata.deletion_timestamp {
        Some(del) => w.w(0, &format!("Status:\tTerminating (lasts {})\n", d.since(Some(del)))),
        None => w.w(0, &format!("Status:\t{}\n", status.phase.as_deref().unwrap_or(""))),
    }
    match &spec.claim_ref {
        Some(c) => {
            w.w(0, &format!("Claim:\t{}/{}\n", c.namespace.as_deref().unwrap_or(""), c.name.as_deref().unwrap_or("")))
        }
        None => w.w(0, "Claim:\t\n"),
    }
    w.w(0, &format!("Reclaim Policy:\t{}\n", spec.persistent_volume_reclaim_policy.as_deref().unwrap_or("")));
    w.w(0, &format!("Access Modes:\t{}\n", access_modes(spec.access_modes.as_deref().unwrap_or_default())));
    if let Some(m) = &spec.volume_mode {
        w.w(0, &format!("VolumeMode:\t{m}\n"));
    }
    let storage = spec.capacity.as_ref().and_then(|c| c.get("storage")).map(qty).unwrap_or_else(|| "0".into());
    w.w(0, &format!("Capacity:\t{storage}\n"));
    w.w(0, "Node Affinity:\t");
    match spec.node_affinity.as_ref().and_then(|a| a.required.as_ref()) {
        None => w.line("<none>"),
        Some(req) => {
            w.line("");
            w.w(1, "Required Terms:\t");
            if req.node_selector_terms.is_empty() {
                w.line("<none>");
            } else {
                w.line("");
                for (i, term) in req.node_selector_terms.iter().enumerate() {
                    w.w(2, &format!("Term {i}:\t"));
                    let exprs = term.match_expressions.as_deref().unwrap_or_default();
                    if exprs.is_empty() {
                        w.line("<none>");
                        continue;
                    }
                    for (j, e) in exprs.iter().enumerate() {
                        if j != 0 {
                            w.w(2, "\t");
                        }
                        let mut s = format!("{} {}", e.key, e.operator.to_ascii_lowercase());
                        if let Some(v) = e.values.as_ref().filter(|v| !v.is_empty()) {
                            s = format!("{s} [{}]", v.join(", "));
                        }
                        w.w(0, &format!("{s}\n"));
                    }
                }
            }
        }
    }
    w.w(0, &format!("Message:\t{}\n", status.message.as_deref().unwrap_or("")));
    w.w(0, "Source:\n");
    if let Some(h) = &spec.host_path {
        super::pod::print_host_path(&mut w, &h.path, h.type_.as_deref());
    } else if let Some(n) = &spec.nfs {
        super::pod::print_nfs(&mut w, &n.server, &n.path, n.read_only.unwrap_or(false));
    } else if let Some(i) = &spec.iscsi {
        super::pod::print_iscsi(
            &mut w,
            &super::pod::IscsiFields {
                target_portal: &i.target_portal,
                iqn: &i.iqn,
                lun: i.lun,
                iscsi_interface: i.iscsi_interface.as_deref().unwrap_or(""),
                fs_type: i.fs_type.as_deref().unwrap_or(""),
                read_only: i.read_only.unwrap_or(false),
                portals: i.portals.as_deref().unwrap_or_default(),
                discovery_chap: i.chap_auth_discovery.unwrap_or(false),
                session_chap: i.chap_auth_session.unwrap_or(false),
                secret_ref: i.secret_ref.as_ref().map(|s| {
                    format!(
                        "&SecretReference{{Name:{},Namespace:{},}}",
                        s.name.as_deref().unwrap_or(""),
                        s.namespace.as_deref().unwrap_or("")
                    )
                }),
                initiator: i.initiator_name.as_deref(),
            },
        );
    } else if let Some(l) = &spec.local {
        w.w(
            2,
            &format!(
                "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n    Path:\t{}\n",
                l.path
            ),
        );
    } else if let Some(c) = &spec.csi {
        super::pod::print_csi(
            &mut w,
            &c.driver,
            c.fs_type.as_deref().unwrap_or(""),
            Some(&c.volume_handle),
            c.read_only.unwrap_or(false),
            c.volume_attributes.as_ref(),
        );
    } else {
        w.w(1, "<unknown>\n");
    }
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

pub(super) fn describe_storage_class(d: &Describer, sc: &StorageClass) -> String {
    let events = d.events(&sc.metadata, Some(Kind::StorageClass));
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&sc.metadata)));
    let annotations = sc.metadata.annotations.clone().unwrap_or_default();
    let default = match annotations
        .get("storageclass.kubernetes.io/is-default-class")
        .or_else(|| annotations.get("storageclass.beta.kubernetes.io/is-default-class"))
    {
        Some(v) if v == "true" => "Yes",
        Some(_) => "No",
        None => "No",
    };
    w.w(0, &format!("IsDefaultClass:\t{default}\n"));
    w.w(0, &format!("Annotations:\t{}\n", format_labels(sc.metadata.annotations.as_ref())));
    w.w(0, &format!("Provisioner:\t{}\n", sc.provisioner));
    w.w(0, &format!("Parameters:\t{}\n", format_labels(sc.parameters.as_ref())));
    w.w(0, &format!("AllowVolumeExpansion:\t{}\n", print_bool_ptr(sc.allow_volume_expansion)));
    match sc.mount_options.as_deref().filter(|m| !m.is_empty()) {
        None => w.w(0, "MountOptions:\t<none>\n"),
        Some(opts) => {
            w.w(0, "MountOptions:\n");
            for o in opts {
                w.w(1, &format!("{o}\n"));
            }
        }
    }
    if let Some(r) = &sc.reclaim_policy {
        w.w(0, &format!("ReclaimPolicy:\t{r}\n"));
    }
    if let Some(m) = &sc.volume_binding_mode {
        w.w(0, &format!("VolumeBindingMode:\t{m}\n"));
    }
    if let Some(topologies) = &sc.allowed_topologies {
        w.w(0, "AllowedTopologies:\t");
        if topologies.is_empty() {
            w.line("<none>");
        } else {
            w.line("");
            for (i, term) in topologies.iter().enumerate() {
                w.w(1, &format!("Term {i}:\t"));
                let reqs = term.match_label_expressions.as_deref().unwrap_or_default();
                if reqs.is_empty() {
                    w.line("<none>");
                    continue;
                }
                for (j, r) in reqs.iter().enumerate() {
                    if j != 0 {
                        w.w(1, "\t");
                    }
                    let mut s = format!("{} in", r.key);
                    if !r.values.is_empty() {
                        s = format!("{s} [{}]", r.values.join(", "));
                    }
                    w.w(0, &format!("{s}\n"));
                }
            }
        }
    }
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

fn int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

pub(super) fn describe_pdb(d: &Describer, pdb: &PodDisruptionBudget) -> String {
    let events = d.events(&pdb.metadata, Some(Kind::PodDisruptionBudget));
    let spec = pdb.spec.clone().unwrap_or_default();
    let status = pdb.status.clone().unwrap_or_default();
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&pdb.metadata)));
    w.w(0, &format!("Namespace:\t{}\n", namespace(&pdb.metadata)));
    if let Some(m) = &spec.min_available {
        w.w(0, &format!("Min available:\t{}\n", int_or_string(m)));
    } else if let Some(m) = &spec.max_unavailable {
        w.w(0, &format!("Max unavailable:\t{}\n", int_or_string(m)));
    }
    match &spec.selector {
        Some(s) => w.w(0, &format!("Selector:\t{}\n", format_label_selector(Some(s)))),
        None => w.w(0, "Selector:\t<unset>\n"),
    }
    w.w(0, "Status:\n");
    w.w(2, &format!("Allowed disruptions:\t{}\n", status.disruptions_allowed));
    w.w(2, &format!("Current:\t{}\n", status.current_healthy));
    w.w(2, &format!("Desired:\t{}\n", status.desired_healthy));
    w.w(2, &format!("Total:\t{}\n", status.expected_pods));
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

/// The Role and ClusterRole describers: kubectl breaks every rule down to one verb on one
/// group/resource/name (or URL), merges the verbs of rules that name the same single
/// group/resource/name back together, and sorts the result by the rule's protobuf string
/// (`&PolicyRule{Verbs:[...],APIGroups:[...],...}`), so rules come out ordered by their verbs.
pub(super) fn describe_role(meta: &ObjectMeta, rules: &[PolicyRule]) -> String {
    let mut broken: Vec<PolicyRule> = Vec::new();
    for r in rules {
        for g in r.api_groups.iter().flatten() {
            for res in r.resources.iter().flatten() {
                for verb in &r.verbs {
                    let names = r.resource_names.clone().unwrap_or_default();
                    if names.is_empty() {
                        broken.push(PolicyRule {
                            api_groups: Some(vec![g.clone()]),
                            resources: Some(vec![res.clone()]),
                            verbs: vec![verb.clone()],
                            ..Default::default()
                        });
                    } else {
                        for n in names {
                            broken.push(PolicyRule {
                                api_groups: Some(vec![g.clone()]),
                                resources: Some(vec![res.clone()]),
                                resource_names: Some(vec![n]),
                                verbs: vec![verb.clone()],
                                ..Default::default()
                            });
                        }
                    }
                }
            }
        }
        for url in r.non_resource_urls.iter().flatten() {
            for verb in &r.verbs {
                broken.push(PolicyRule {
                    non_resource_urls: Some(vec![url.clone()]),
                    verbs: vec![verb.clone()],
                    ..Default::default()
                });
            }
        }
    }
    let mut compact: Vec<PolicyRule> = Vec::new();
    // (group, resource, resource name) → the merged rule.
    type SimpleKey = (String, String, Option<String>);
    let mut simple: Vec<(SimpleKey, PolicyRule)> = Vec::new();
    for r in broken {
        let is_simple = r.non_resource_urls.as_ref().is_none_or(|u| u.is_empty())
            && r.resource_names.as_ref().is_none_or(|n| n.len() <= 1)
            && r.api_groups.as_ref().is_some_and(|g| g.len() == 1)
            && r.resources.as_ref().is_some_and(|g| g.len() == 1);
        if !is_simple {
            compact.push(r);
            continue;
        }
        let key = (
            r.api_groups.as_ref().map(|g| g[0].clone()).unwrap_or_default(),
            r.resources.as_ref().map(|g| g[0].clone()).unwrap_or_default(),
            r.resource_names.as_ref().and_then(|n| n.first().cloned()),
        );
        match simple.iter_mut().find(|(k, _)| *k == key) {
            Some((_, existing)) => {
                for v in &r.verbs {
                    if !existing.verbs.contains(v) {
                        existing.verbs.push(v.clone());
                    }
                }
            }
            None => simple.push((key, r)),
        }
    }
    compact.extend(simple.into_iter().map(|(_, r)| r));
    let mut compact: Vec<(String, PolicyRule)> = compact.into_iter().map(|r| (rule_string(&r), r)).collect();
    // sort.Stable on the string form.
    compact.sort_by(|a, b| a.0.cmp(&b.0));
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(meta)));
    print_labels_multiline(&mut w, "Labels", meta.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    w.w(0, "PolicyRule:\n");
    w.w(1, "Resources\tNon-Resource URLs\tResource Names\tVerbs\n");
    w.w(1, "---------\t-----------------\t--------------\t-----\n");
    for (_, r) in compact {
        w.w(
            1,
            &format!(
                "{}\t{}\t{}\t{}\n",
                combine_resource_group(
                    r.resources.as_deref().unwrap_or_default(),
                    r.api_groups.as_deref().unwrap_or_default()
                ),
                go_list(r.non_resource_urls.as_deref().unwrap_or_default()),
                go_list(r.resource_names.as_deref().unwrap_or_default()),
                go_list(&r.verbs)
            ),
        );
    }
    w.finish()
}

/// The gogo-protobuf `PolicyRule.String()` kubectl sorts rules by.
fn rule_string(r: &PolicyRule) -> String {
    let l = |v: Option<&[String]>| go_list(v.unwrap_or_default());
    format!(
        "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
        go_list(&r.verbs),
        l(r.api_groups.as_deref()),
        l(r.resources.as_deref()),
        l(r.resource_names.as_deref()),
        l(r.non_resource_urls.as_deref())
    )
}

/// kubectl's `CombineResourceGroup`: `deployments.apps`, `pods/log`, `pods`.
fn combine_resource_group(resources: &[String], groups: &[String]) -> String {
    let Some(first) = resources.first() else { return String::new() };
    let (res, sub) = match first.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (first.as_str(), None),
    };
    let mut s = res.to_string();
    if let Some(g) = groups.first().filter(|g| !g.is_empty()) {
        s = format!("{s}.{g}");
    }
    if let Some(sub) = sub {
        s = format!("{s}/{sub}");
    }
    s
}

pub(super) fn describe_binding(meta: &ObjectMeta, role_ref: &RoleRef, subjects: Option<&[Subject]>) -> String {
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(meta)));
    print_labels_multiline(&mut w, "Labels", meta.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    w.w(0, "Role:\n");
    w.w(1, &format!("Kind:\t{}\n", role_ref.kind));
    w.w(1, &format!("Name:\t{}\n", role_ref.name));
    w.w(0, "Subjects:\n");
    w.w(1, "Kind\tName\tNamespace\n");
    w.w(1, "----\t----\t---------\n");
    for s in subjects.unwrap_or_default() {
        w.w(1, &format!("{}\t{}\t{}\n", s.kind, s.name, s.namespace.as_deref().unwrap_or("")));
    }
    w.finish()
}

pub(super) fn describe_priority_class(d: &Describer, pc: &PriorityClass) -> String {
    let events = d.events(&pc.metadata, Some(Kind::PriorityClass));
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&pc.metadata)));
    w.w(0, &format!("Value:\t{}\n", pc.value));
    w.w(0, &format!("GlobalDefault:\t{}\n", pc.global_default.unwrap_or(false)));
    w.w(0, &format!("PreemptionPolicy:\t{}\n", pc.preemption_policy.as_deref().unwrap_or("")));
    w.w(0, &format!("Description:\t{}\n", pc.description.as_deref().unwrap_or("")));
    w.w(0, &format!("Annotations:\t{}\n", format_labels(pc.metadata.annotations.as_ref())));
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}
