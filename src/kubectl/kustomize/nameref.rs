//! kustomize's name references: after prefixes, suffixes and hashes renamed objects, every
//! field that names another object of the build (a pod's ConfigMap volume, `envFrom`, a
//! RoleBinding's roleRef and ServiceAccount subjects, an Ingress backend, an HPA's target...)
//! is rewritten to the new name. The table is kustomize's default `nameReference`
//! configuration (api/konfig/builtinpluginconsts/namereference.go) for the kinds a learner
//! writes.

use serde_json::Value;

use super::transform::visit;
use super::{cluster_scoped, Res};

/// Kinds whose pod spec sits at a path, and that path.
const POD_SPECS: &[(&str, &str)] = &[
    ("Pod", "spec"),
    ("PodTemplate", "template/spec"),
    ("Deployment", "spec/template/spec"),
    ("ReplicaSet", "spec/template/spec"),
    ("DaemonSet", "spec/template/spec"),
    ("StatefulSet", "spec/template/spec"),
    ("Job", "spec/template/spec"),
    ("CronJob", "spec/jobTemplate/spec/template/spec"),
];

const CONFIGMAP_IN_POD: &[&str] = &[
    "volumes/configMap/name",
    "containers/env/valueFrom/configMapKeyRef/name",
    "initContainers/env/valueFrom/configMapKeyRef/name",
    "containers/envFrom/configMapRef/name",
    "initContainers/envFrom/configMapRef/name",
    "volumes/projected/sources/configMap/name",
];

const SECRET_IN_POD: &[&str] = &[
    "volumes/secret/secretName",
    "containers/env/valueFrom/secretKeyRef/name",
    "initContainers/env/valueFrom/secretKeyRef/name",
    "containers/envFrom/secretRef/name",
    "initContainers/envFrom/secretRef/name",
    "imagePullSecrets/name",
    "volumes/projected/sources/secret/name",
];

/// Pod-spec fields naming objects of other kinds, with the workload kinds that carry them.
const OTHER_IN_POD: &[(&str, &str, &[&str])] = &[
    (
        "ServiceAccount",
        "serviceAccountName",
        &["Pod", "StatefulSet", "Deployment", "ReplicationController", "CronJob", "Job", "DaemonSet"],
    ),
    (
        "PersistentVolumeClaim",
        "volumes/persistentVolumeClaim/claimName",
        &["Pod", "StatefulSet", "Deployment", "ReplicationController", "CronJob", "Job", "DaemonSet"],
    ),
    (
        "PriorityClass",
        "priorityClassName",
        &["Pod", "StatefulSet", "Deployment", "ReplicationController", "CronJob", "Job", "DaemonSet"],
    ),
];

/// References outside pod specs: (referenced kind, referrer kind, path).
const OTHER: &[(&str, &str, &str)] = &[
    ("Deployment", "HorizontalPodAutoscaler", "spec/scaleTargetRef/name"),
    ("ReplicationController", "HorizontalPodAutoscaler", "spec/scaleTargetRef/name"),
    ("ReplicaSet", "HorizontalPodAutoscaler", "spec/scaleTargetRef/name"),
    ("StatefulSet", "HorizontalPodAutoscaler", "spec/scaleTargetRef/name"),
    ("ConfigMap", "Role", "rules/resourceNames"),
    ("ConfigMap", "ClusterRole", "rules/resourceNames"),
    ("Secret", "Ingress", "spec/tls/secretName"),
    ("Secret", "ServiceAccount", "imagePullSecrets/name"),
    ("Secret", "Role", "rules/resourceNames"),
    ("Secret", "ClusterRole", "rules/resourceNames"),
    ("Service", "StatefulSet", "spec/serviceName"),
    ("Service", "Ingress", "spec/rules/http/paths/backend/serviceName"),
    ("Service", "Ingress", "spec/backend/serviceName"),
    ("Service", "Ingress", "spec/rules/http/paths/backend/service/name"),
    ("Service", "Ingress", "spec/defaultBackend/service/name"),
    ("Role", "RoleBinding", "roleRef/name"),
    ("ClusterRole", "RoleBinding", "roleRef/name"),
    ("ClusterRole", "ClusterRoleBinding", "roleRef/name"),
    ("PersistentVolume", "PersistentVolumeClaim", "spec/volumeName"),
    ("PersistentVolume", "ClusterRole", "rules/resourceNames"),
    ("StorageClass", "PersistentVolume", "spec/storageClassName"),
    ("StorageClass", "PersistentVolumeClaim", "spec/storageClassName"),
    ("StorageClass", "StatefulSet", "spec/volumeClaimTemplates/spec/storageClassName"),
    ("IngressClass", "Ingress", "spec/ingressClassName"),
];

/// Every (referenced kind, referrer kind, path) of the table, in kustomize's order.
fn table() -> Vec<(&'static str, &'static str, String)> {
    let mut out = Vec::new();
    for (target, fields) in [("ConfigMap", CONFIGMAP_IN_POD), ("Secret", SECRET_IN_POD)] {
        for (kind, prefix) in POD_SPECS {
            for f in fields {
                out.push((target, *kind, format!("{prefix}/{f}")));
            }
        }
    }
    for (target, field, kinds) in OTHER_IN_POD {
        for kind in *kinds {
            let prefix = match *kind {
                "Pod" => "spec",
                "CronJob" => "spec/jobTemplate/spec/template/spec",
                _ => "spec/template/spec",
            };
            out.push((*target, *kind, format!("{prefix}/{field}")));
        }
    }
    for (target, kind, path) in OTHER {
        out.push((*target, *kind, path.to_string()));
    }
    out
}

/// The object a reference named `old` in `referrer` points to, if the build has exactly one.
fn select<'a>(list: &'a [Res], target_kind: &str, old: &str, referrer: &Res) -> Option<&'a Res> {
    let mut cands: Vec<&Res> = list.iter().filter(|r| r.kind() == target_kind && r.had_name(old)).collect();
    if !cluster_scoped(referrer.kind()) {
        let ns = referrer.namespace();
        cands.retain(|r| {
            cluster_scoped(r.kind()) || r.kind() == "ServiceAccount" || super::same_ns(&r.namespace(), &ns)
        });
    }
    if cands.len() == 1 {
        return cands.pop();
    }
    cands.retain(|r| r.original_name() == old);
    if cands.len() == 1 {
        return cands.pop();
    }
    let first = cands.first()?;
    if cands.iter().all(|r| r.name() == first.name()) {
        return Some(first);
    }
    None
}

/// Rewrites every name reference to the referenced object's final name.
pub(super) fn fix(list: &mut [Res]) -> Result<(), String> {
    let table = table();
    let snapshot: Vec<Res> = list.to_vec();
    for res in list.iter_mut() {
        let kind = res.kind().to_string();
        let referrer = res.clone();
        for (target, referrer_kind, path) in &table {
            if *referrer_kind != kind {
                continue;
            }
            // A roleRef names a Role or a ClusterRole, as its own `kind` says.
            if path == "roleRef/name" && res.obj.pointer("/roleRef/kind").and_then(Value::as_str) != Some(target) {
                continue;
            }
            let parts: Vec<&str> = path.split('/').collect();
            visit(&mut res.obj, &parts, false, &mut |v| match v {
                Value::String(old) => {
                    if let Some(t) = select(&snapshot, target, old, &referrer) {
                        *old = t.name();
                    }
                }
                Value::Array(items) => {
                    for item in items {
                        if let Value::String(old) = item {
                            if let Some(t) = select(&snapshot, target, old, &referrer) {
                                *old = t.name();
                            }
                        }
                    }
                }
                _ => {}
            });
        }
        if kind == "RoleBinding" || kind == "ClusterRoleBinding" {
            fix_subjects(res, &snapshot, &referrer);
        }
    }
    Ok(())
}

/// ServiceAccount subjects of a binding follow the account's name and namespace.
fn fix_subjects(res: &mut Res, list: &[Res], referrer: &Res) {
    let Some(Value::Array(subjects)) = res.obj.get_mut("subjects") else { return };
    for s in subjects.iter_mut() {
        if s.get("kind").and_then(Value::as_str) != Some("ServiceAccount") {
            continue;
        }
        let Some(name) = s.get("name").and_then(Value::as_str).map(str::to_string) else { continue };
        let ns = s.get("namespace").and_then(Value::as_str).map(str::to_string);
        let cands: Vec<&Res> = list
            .iter()
            .filter(|r| r.kind() == "ServiceAccount")
            .filter(|r| match &ns {
                Some(ns) => r.ids.iter().any(|(n, s)| *n == name && super::same_ns(s, ns)),
                None => r.had_name(&name) && super::same_ns(r.original_namespace(), &referrer.ids[0].1),
            })
            .collect();
        let [sa] = cands.as_slice() else { continue };
        if let Value::Object(m) = s {
            m.insert("name".into(), Value::String(sa.name()));
            let sa_ns = sa.namespace();
            if !sa_ns.is_empty() {
                m.insert("namespace".into(), Value::String(sa_ns));
            }
        }
    }
}
