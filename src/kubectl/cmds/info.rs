//! Cluster-wide information commands: `kubectl version`, `cluster-info`, `api-resources` and
//! `api-versions`, printed as kubectl v1.32 against a kubeadm v1.32 cluster prints them.

use clap::{Arg, ArgAction};
use serde_json::json;

use super::config::tabwrite;
use super::{command, flag, opt, parse};
use crate::kubectl::output::{json as json_out, yaml};
use crate::kubectl::Ctx;
use crate::sim::Kind;

/// The version the simulated cluster and kubectl report.
pub const VERSION: &str = "v1.32.0";
const SERVER: &str = "https://192.168.1.10:6443";

const FULL_VERBS: &str = "create delete deletecollection get list patch update watch";

/// (name, short names, apiVersion, namespaced, kind, verbs, categories): the built-in
/// resources of a v1.32 kubeadm cluster with metrics-server, in discovery order.
const RESOURCES: &[(&str, &str, &str, bool, &str, &str, &str)] = &[
    ("bindings", "", "v1", true, "Binding", "create", ""),
    ("componentstatuses", "cs", "v1", false, "ComponentStatus", "get list", ""),
    ("configmaps", "cm", "v1", true, "ConfigMap", FULL_VERBS, ""),
    ("endpoints", "ep", "v1", true, "Endpoints", FULL_VERBS, ""),
    ("events", "ev", "v1", true, "Event", FULL_VERBS, ""),
    ("limitranges", "limits", "v1", true, "LimitRange", FULL_VERBS, ""),
    ("namespaces", "ns", "v1", false, "Namespace", "create delete get list patch update watch", ""),
    ("nodes", "no", "v1", false, "Node", FULL_VERBS, ""),
    ("persistentvolumeclaims", "pvc", "v1", true, "PersistentVolumeClaim", FULL_VERBS, ""),
    ("persistentvolumes", "pv", "v1", false, "PersistentVolume", FULL_VERBS, ""),
    ("pods", "po", "v1", true, "Pod", FULL_VERBS, "all"),
    ("podtemplates", "", "v1", true, "PodTemplate", FULL_VERBS, ""),
    ("replicationcontrollers", "rc", "v1", true, "ReplicationController", FULL_VERBS, "all"),
    ("resourcequotas", "quota", "v1", true, "ResourceQuota", FULL_VERBS, ""),
    ("secrets", "", "v1", true, "Secret", FULL_VERBS, ""),
    ("serviceaccounts", "sa", "v1", true, "ServiceAccount", FULL_VERBS, ""),
    ("services", "svc", "v1", true, "Service", "create delete deletecollection get list patch update watch", "all"),
    (
        "mutatingwebhookconfigurations",
        "",
        "admissionregistration.k8s.io/v1",
        false,
        "MutatingWebhookConfiguration",
        FULL_VERBS,
        "api-extensions",
    ),
    (
        "validatingadmissionpolicies",
        "",
        "admissionregistration.k8s.io/v1",
        false,
        "ValidatingAdmissionPolicy",
        FULL_VERBS,
        "api-extensions",
    ),
    (
        "validatingadmissionpolicybindings",
        "",
        "admissionregistration.k8s.io/v1",
        false,
        "ValidatingAdmissionPolicyBinding",
        FULL_VERBS,
        "api-extensions",
    ),
    (
        "validatingwebhookconfigurations",
        "",
        "admissionregistration.k8s.io/v1",
        false,
        "ValidatingWebhookConfiguration",
        FULL_VERBS,
        "api-extensions",
    ),
    (
        "customresourcedefinitions",
        "crd,crds",
        "apiextensions.k8s.io/v1",
        false,
        "CustomResourceDefinition",
        FULL_VERBS,
        "api-extensions",
    ),
    ("apiservices", "", "apiregistration.k8s.io/v1", false, "APIService", FULL_VERBS, "api-extensions"),
    ("controllerrevisions", "", "apps/v1", true, "ControllerRevision", FULL_VERBS, ""),
    ("daemonsets", "ds", "apps/v1", true, "DaemonSet", FULL_VERBS, "all"),
    ("deployments", "deploy", "apps/v1", true, "Deployment", FULL_VERBS, "all"),
    ("replicasets", "rs", "apps/v1", true, "ReplicaSet", FULL_VERBS, "all"),
    ("statefulsets", "sts", "apps/v1", true, "StatefulSet", FULL_VERBS, "all"),
    ("selfsubjectreviews", "", "authentication.k8s.io/v1", false, "SelfSubjectReview", "create", ""),
    ("tokenreviews", "", "authentication.k8s.io/v1", false, "TokenReview", "create", ""),
    ("localsubjectaccessreviews", "", "authorization.k8s.io/v1", true, "LocalSubjectAccessReview", "create", ""),
    ("selfsubjectaccessreviews", "", "authorization.k8s.io/v1", false, "SelfSubjectAccessReview", "create", ""),
    ("selfsubjectrulesreviews", "", "authorization.k8s.io/v1", false, "SelfSubjectRulesReview", "create", ""),
    ("subjectaccessreviews", "", "authorization.k8s.io/v1", false, "SubjectAccessReview", "create", ""),
    ("horizontalpodautoscalers", "hpa", "autoscaling/v2", true, "HorizontalPodAutoscaler", FULL_VERBS, "all"),
    ("cronjobs", "cj", "batch/v1", true, "CronJob", FULL_VERBS, "all"),
    ("jobs", "", "batch/v1", true, "Job", FULL_VERBS, "all"),
    ("certificatesigningrequests", "csr", "certificates.k8s.io/v1", false, "CertificateSigningRequest", FULL_VERBS, ""),
    ("leases", "", "coordination.k8s.io/v1", true, "Lease", FULL_VERBS, ""),
    ("endpointslices", "", "discovery.k8s.io/v1", true, "EndpointSlice", FULL_VERBS, ""),
    ("events", "ev", "events.k8s.io/v1", true, "Event", FULL_VERBS, ""),
    ("flowschemas", "", "flowcontrol.apiserver.k8s.io/v1", false, "FlowSchema", FULL_VERBS, ""),
    (
        "prioritylevelconfigurations",
        "",
        "flowcontrol.apiserver.k8s.io/v1",
        false,
        "PriorityLevelConfiguration",
        FULL_VERBS,
        "",
    ),
    ("nodes", "", "metrics.k8s.io/v1beta1", false, "NodeMetrics", "get list", ""),
    ("pods", "", "metrics.k8s.io/v1beta1", true, "PodMetrics", "get list", ""),
    ("ingressclasses", "", "networking.k8s.io/v1", false, "IngressClass", FULL_VERBS, ""),
    ("ingresses", "ing", "networking.k8s.io/v1", true, "Ingress", FULL_VERBS, ""),
    ("networkpolicies", "netpol", "networking.k8s.io/v1", true, "NetworkPolicy", FULL_VERBS, ""),
    ("runtimeclasses", "", "node.k8s.io/v1", false, "RuntimeClass", FULL_VERBS, ""),
    ("poddisruptionbudgets", "pdb", "policy/v1", true, "PodDisruptionBudget", FULL_VERBS, ""),
    ("clusterrolebindings", "", "rbac.authorization.k8s.io/v1", false, "ClusterRoleBinding", FULL_VERBS, ""),
    ("clusterroles", "", "rbac.authorization.k8s.io/v1", false, "ClusterRole", FULL_VERBS, ""),
    ("rolebindings", "", "rbac.authorization.k8s.io/v1", true, "RoleBinding", FULL_VERBS, ""),
    ("roles", "", "rbac.authorization.k8s.io/v1", true, "Role", FULL_VERBS, ""),
    ("priorityclasses", "pc", "scheduling.k8s.io/v1", false, "PriorityClass", FULL_VERBS, ""),
    ("csidrivers", "", "storage.k8s.io/v1", false, "CSIDriver", FULL_VERBS, ""),
    ("csinodes", "", "storage.k8s.io/v1", false, "CSINode", FULL_VERBS, ""),
    ("csistoragecapacities", "", "storage.k8s.io/v1", true, "CSIStorageCapacity", FULL_VERBS, ""),
    ("storageclasses", "sc", "storage.k8s.io/v1", false, "StorageClass", FULL_VERBS, ""),
    ("volumeattachments", "", "storage.k8s.io/v1", false, "VolumeAttachment", FULL_VERBS, ""),
];

pub fn version(ctx: &mut Ctx, args: &[String]) {
    let cmd = command("version").arg(flag("client")).arg(Arg::new("output").short('o').long("output").num_args(1));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let info = |v: &str| {
        json!({
            "major": "1", "minor": "32", "gitVersion": v, "gitCommit": "70d3cc986aa8221cd1dfb1121852688902d3bf53",
            "gitTreeState": "clean", "buildDate": "2024-12-11T17:59:15Z", "goVersion": "go1.23.3",
            "compiler": "gc", "platform": "linux/amd64"
        })
    };
    let mut doc = json!({"clientVersion": info(VERSION), "kustomizeVersion": "v5.5.0"});
    if !m.get_flag("client") {
        doc["serverVersion"] = info(VERSION);
    }
    match m.get_one::<String>("output").map(String::as_str) {
        None => {
            ctx.out.out(&format!("Client Version: {VERSION}\nKustomize Version: v5.5.0\n"));
            if !m.get_flag("client") {
                ctx.out.out(&format!("Server Version: {VERSION}\n"));
            }
        }
        Some("json") => ctx.out.out(&json_out::to_json(&doc)),
        Some("yaml") => ctx.out.out(&yaml::to_yaml(&doc)),
        Some(_) => ctx.out.fail("error: --output must be 'yaml' or 'json'"),
    }
}

pub fn cluster_info(ctx: &mut Ctx, args: &[String]) {
    if args.first().map(String::as_str) == Some("dump") {
        return ctx
            .out
            .fail("error: kubedojo does not simulate \"kubectl cluster-info dump\"; use kubectl get and describe");
    }
    let cmd = command("cluster-info");
    if parse(ctx, cmd, args).is_none() {
        return;
    }
    let mut s = format!("Kubernetes control plane is running at {SERVER}\n");
    if ctx.world.store.get(Kind::Service, "kube-system", "kube-dns").is_some() {
        s.push_str(&format!(
            "CoreDNS is running at {SERVER}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n"
        ));
    }
    s.push_str("\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n");
    ctx.out.out(&s);
}

pub fn api_versions(ctx: &mut Ctx, args: &[String]) {
    let cmd = command("api-versions");
    if parse(ctx, cmd, args).is_none() {
        return;
    }
    // metrics.k8s.io is served only while metrics-server is installed.
    let metrics = ctx.world.metrics_api_available();
    let mut versions: Vec<&str> =
        RESOURCES.iter().map(|r| r.2).filter(|v| metrics || !v.starts_with("metrics.k8s.io/")).collect();
    for extra in ["autoscaling/v1", "storage.k8s.io/v1beta1", "authentication.k8s.io/v1", "events.k8s.io/v1"] {
        versions.push(extra);
    }
    versions.sort_unstable();
    versions.dedup();
    let mut s = String::new();
    for v in versions {
        s.push_str(v);
        s.push('\n');
    }
    ctx.out.out(&s);
}

pub fn api_resources(ctx: &mut Ctx, args: &[String]) {
    let cmd = command("api-resources")
        .arg(Arg::new("output").short('o').long("output").num_args(1))
        .arg(flag("no-headers"))
        .arg(opt("api-group"))
        .arg(Arg::new("namespaced").long("namespaced").num_args(0..=1).default_missing_value("true"))
        .arg(opt("sort-by"))
        .arg(Arg::new("verbs").long("verbs").num_args(1).action(ArgAction::Append))
        .arg(opt("categories"))
        .arg(flag("cached"));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let output = m.get_one::<String>("output").cloned().unwrap_or_default();
    if !matches!(output.as_str(), "" | "wide" | "name") {
        return ctx.out.fail(&format!("error: --output {output} is not available"));
    }
    let sort_by = m.get_one::<String>("sort-by").cloned().unwrap_or_default();
    if !matches!(sort_by.as_str(), "" | "name" | "kind") {
        return ctx.out.fail("error: --sort-by accepts only name or kind");
    }
    let group = m.get_one::<String>("api-group").cloned();
    let namespaced = m.get_one::<String>("namespaced").map(|v| v == "true");
    let verbs: Vec<String> = m
        .get_many::<String>("verbs")
        .map(|v| v.flat_map(|s| s.split(',').map(str::to_string).collect::<Vec<_>>()).collect())
        .unwrap_or_default();
    let metrics = ctx.world.metrics_api_available();
    let mut rows: Vec<_> = RESOURCES
        .iter()
        .filter(|r| metrics || !r.2.starts_with("metrics.k8s.io/"))
        .filter(|r| {
            let g = r.2.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
            group.as_ref().is_none_or(|want| want == g)
        })
        .filter(|r| namespaced.is_none_or(|n| n == r.3))
        .filter(|r| verbs.iter().all(|v| r.5.split(' ').any(|x| x == v)))
        .collect();
    match sort_by.as_str() {
        "name" => rows.sort_by_key(|r| r.0),
        "kind" => rows.sort_by_key(|r| r.4),
        _ => {}
    }
    if output == "name" {
        let mut s = String::new();
        for r in rows {
            let g = r.2.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
            if g.is_empty() {
                s.push_str(&format!("{}\n", r.0));
            } else {
                s.push_str(&format!("{}.{g}\n", r.0));
            }
        }
        return ctx.out.out(&s);
    }
    let wide = output == "wide";
    let mut table: Vec<Vec<String>> = Vec::new();
    if !m.get_flag("no-headers") {
        let mut h: Vec<String> = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"].map(String::from).to_vec();
        if wide {
            h.push("VERBS".into());
            h.push("CATEGORIES".into());
        }
        table.push(h);
    }
    for r in rows {
        let mut row = vec![r.0.to_string(), r.1.to_string(), r.2.to_string(), r.3.to_string(), r.4.to_string()];
        if wide {
            row.push(format!("[{}]", r.5));
            row.push(if r.6.is_empty() { String::new() } else { format!("[{}]", r.6) });
        }
        table.push(row);
    }
    ctx.out.out(&tabwrite(&table));
}
