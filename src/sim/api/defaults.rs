//! API-server defaulting, ported from `pkg/apis/core/v1/defaults.go`,
//! `pkg/apis/apps/v1/defaults.go`, `pkg/apis/batch/v1/defaults.go`, plus what the admission
//! plugins and registry strategies add on create (ServiceAccount, DefaultTolerationSeconds,
//! Priority, the Job selector, Namespace finalizers, Service IP families), so that
//! `kubectl get -o yaml` shows what a real v1.32 cluster shows.
//!
//! Not done here: Quantity canonicalisation (`0.5` → `500m`), clusterIP/nodePort allocation,
//! metadata (uid, resourceVersion, timestamps): those belong to the store.

use k8s_openapi::api::apps::v1::{
    DaemonSet, DaemonSetUpdateStrategy, Deployment, DeploymentStrategy, ReplicaSet, RollingUpdateDaemonSet,
    RollingUpdateDeployment, RollingUpdateStatefulSetStrategy, StatefulSet,
    StatefulSetPersistentVolumeClaimRetentionPolicy, StatefulSetUpdateStrategy,
};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    ConfigMapProjection, Container, DownwardAPIProjection, DownwardAPIVolumeFile, EmptyDirVolumeSource, HTTPGetAction,
    KeyToPath, Lifecycle, Namespace, NamespaceSpec, NamespaceStatus, ObjectFieldSelector, Pod, PodSecurityContext,
    PodSpec, PodTemplateSpec, Probe, ProjectedVolumeSource, ResourceRequirements, Secret, Service,
    ServiceAccountTokenProjection, Toleration, Volume, VolumeMount, VolumeProjection,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// Where the ServiceAccount admission plugin mounts the token volume.
pub const SA_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// Defaults a Pod on create: `SetDefaults_Pod`, `SetDefaults_PodSpec` and the nested
/// defaulters, then the admission plugins (ServiceAccount with the `kube-api-access-<suffix>`
/// volume, DefaultTolerationSeconds, Priority). `sa_token_suffix` is the 5 random characters
/// of the token volume's name (drawn by the caller from the world's RNG).
pub fn default_pod(pod: &mut Pod, sa_token_suffix: &str) {
    let spec = pod.spec.get_or_insert_with(PodSpec::default);
    default_pod_spec(spec);
    // SetDefaults_Pod: requests default to limits, for Pods only (not templates).
    for c in spec.containers.iter_mut().chain(spec.init_containers.iter_mut().flatten()) {
        if let Some(res) = c.resources.as_mut() {
            if let Some(limits) = res.limits.as_ref() {
                let req = res.requests.get_or_insert_with(BTreeMap::new);
                for (k, v) in limits {
                    req.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
    }
    if spec.enable_service_links.is_none() {
        spec.enable_service_links = Some(true);
    }
    if spec.host_network == Some(true) {
        for c in spec.containers.iter_mut().chain(spec.init_containers.iter_mut().flatten()) {
            for p in c.ports.iter_mut().flatten() {
                if p.host_port.unwrap_or(0) == 0 {
                    p.host_port = Some(p.container_port);
                }
            }
        }
    }
    // The ServiceAccount plugin leaves mirror pods (a kubelet's static pods) alone.
    let mirror = pod.metadata.annotations.as_ref().is_some_and(|a| a.contains_key("kubernetes.io/config.mirror"));
    let spec = pod.spec.get_or_insert_with(PodSpec::default);
    if !mirror {
        admit_service_account(spec, sa_token_suffix);
    }
    admit_default_tolerations(spec);
    // Priority admission: no priorityClassName and no global default class → 0.
    if spec.priority.is_none() {
        spec.priority = Some(0);
    }
    if spec.preemption_policy.is_none() {
        spec.preemption_policy = Some("PreemptLowerPriority".into());
    }
}

/// `SetDefaults_PodSpec` and the defaulters of everything inside a pod spec (containers,
/// probes, ports, env, volumes). Used for Pods and for pod templates.
pub fn default_pod_spec(spec: &mut PodSpec) {
    set_str(&mut spec.dns_policy, "ClusterFirst");
    set_str(&mut spec.restart_policy, "Always");
    if spec.security_context.is_none() {
        spec.security_context = Some(PodSecurityContext::default());
    }
    if spec.termination_grace_period_seconds.is_none() {
        spec.termination_grace_period_seconds = Some(30);
    }
    set_str(&mut spec.scheduler_name, "default-scheduler");
    for c in spec.containers.iter_mut().chain(spec.init_containers.iter_mut().flatten()) {
        default_container(c);
    }
    for v in spec.volumes.iter_mut().flatten() {
        default_volume(v);
    }
}

/// `SetDefaults_PodSpec` & co. on a pod template (Deployments, Jobs...).
pub fn default_pod_template(t: &mut PodTemplateSpec) {
    default_pod_spec(t.spec.get_or_insert_with(PodSpec::default));
}

fn set_str(field: &mut Option<String>, value: &str) {
    if field.as_deref().unwrap_or("").is_empty() {
        *field = Some(value.to_string());
    }
}

/// The tag `parsers.ParseImageName` finds: "latest" when there is neither tag nor digest.
fn image_tag(image: &str) -> Option<String> {
    if image.is_empty() || image.chars().any(|c| c.is_whitespace()) {
        return None; // an unparsable reference: no tag
    }
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    let tag = last.split_once(':').map(|(_, t)| t.to_string());
    match (tag, digest) {
        (Some(t), _) => Some(t),
        (None, Some(_)) => Some(String::new()),
        (None, None) => Some("latest".into()),
    }
}

/// `SetDefaults_Container` plus the nested defaulters (ports, probes, env, resources).
pub fn default_container(c: &mut Container) {
    if c.image_pull_policy.as_deref().unwrap_or("").is_empty() {
        let tag = image_tag(c.image.as_deref().unwrap_or(""));
        c.image_pull_policy =
            Some(if tag.as_deref() == Some("latest") { "Always".into() } else { "IfNotPresent".into() });
    }
    set_str(&mut c.termination_message_path, "/dev/termination-log");
    set_str(&mut c.termination_message_policy, "File");
    if c.resources.is_none() {
        c.resources = Some(ResourceRequirements::default());
    }
    for p in c.ports.iter_mut().flatten() {
        set_str(&mut p.protocol, "TCP");
    }
    for probe in [c.liveness_probe.as_mut(), c.readiness_probe.as_mut(), c.startup_probe.as_mut()].into_iter().flatten()
    {
        default_probe(probe);
    }
    if let Some(Lifecycle { post_start, pre_stop, .. }) = c.lifecycle.as_mut() {
        for h in [post_start.as_mut(), pre_stop.as_mut()].into_iter().flatten() {
            if let Some(g) = h.http_get.as_mut() {
                default_http_get(g);
            }
        }
    }
    for e in c.env.iter_mut().flatten() {
        if let Some(fr) = e.value_from.as_mut().and_then(|v| v.field_ref.as_mut()) {
            default_field_ref(fr);
        }
    }
}

fn default_field_ref(fr: &mut ObjectFieldSelector) {
    set_str(&mut fr.api_version, "v1");
}

fn default_http_get(g: &mut HTTPGetAction) {
    set_str(&mut g.path, "/");
    set_str(&mut g.scheme, "HTTP");
}

/// `SetDefaults_Probe`: timeout 1 s, period 10 s, success 1, failure 3.
pub fn default_probe(p: &mut Probe) {
    for (field, value) in [
        (&mut p.timeout_seconds, 1),
        (&mut p.period_seconds, 10),
        (&mut p.success_threshold, 1),
        (&mut p.failure_threshold, 3),
    ] {
        if field.unwrap_or(0) == 0 {
            *field = Some(value);
        }
    }
    if let Some(g) = p.http_get.as_mut() {
        default_http_get(g);
    }
}

/// `SetDefaults_Volume` and the volume sources' defaulters (mode 0644 = 420).
pub fn default_volume(v: &mut Volume) {
    let no_source = v.config_map.is_none()
        && v.secret.is_none()
        && v.empty_dir.is_none()
        && v.host_path.is_none()
        && v.persistent_volume_claim.is_none()
        && v.projected.is_none()
        && v.downward_api.is_none()
        && v.nfs.is_none()
        && v.csi.is_none()
        && v.ephemeral.is_none()
        && v.image.is_none()
        && v.iscsi.is_none()
        && v.git_repo.is_none();
    if no_source {
        v.empty_dir = Some(EmptyDirVolumeSource::default());
    }
    if let Some(s) = v.config_map.as_mut() {
        s.default_mode.get_or_insert(420);
    }
    if let Some(s) = v.secret.as_mut() {
        s.default_mode.get_or_insert(420);
    }
    if let Some(s) = v.downward_api.as_mut() {
        s.default_mode.get_or_insert(420);
        for i in s.items.iter_mut().flatten() {
            if let Some(fr) = i.field_ref.as_mut() {
                default_field_ref(fr);
            }
        }
    }
    if let Some(s) = v.projected.as_mut() {
        s.default_mode.get_or_insert(420);
        for src in s.sources.iter_mut().flatten() {
            if let Some(t) = src.service_account_token.as_mut() {
                t.expiration_seconds.get_or_insert(3600);
            }
            for i in src.downward_api.iter_mut().flat_map(|d| d.items.iter_mut().flatten()) {
                if let Some(fr) = i.field_ref.as_mut() {
                    default_field_ref(fr);
                }
            }
        }
    }
    if let Some(h) = v.host_path.as_mut() {
        if h.type_.is_none() {
            h.type_ = Some(String::new());
        }
    }
}

/// The ServiceAccount admission plugin: serviceAccountName "default" and, unless
/// automountServiceAccountToken is false, the projected token volume and its mounts.
fn admit_service_account(spec: &mut PodSpec, suffix: &str) {
    set_str(&mut spec.service_account_name, "default");
    // The deprecated serviceAccount field mirrors serviceAccountName.
    spec.service_account = spec.service_account_name.clone();
    if spec.automount_service_account_token == Some(false) {
        return;
    }
    let name = format!("kube-api-access-{suffix}");
    let mounted_already = |c: &Container| c.volume_mounts.iter().flatten().any(|m| m.mount_path == SA_MOUNT_PATH);
    let mut added = false;
    for c in spec.init_containers.iter_mut().flatten().chain(spec.containers.iter_mut()) {
        if mounted_already(c) {
            continue;
        }
        // Room for exactly one more: every pod keeps these lists for its lifetime, and a
        // push into an empty list makes room for four.
        let mounts = c.volume_mounts.get_or_insert_with(Vec::new);
        mounts.reserve_exact(1);
        mounts.push(VolumeMount {
            mount_path: SA_MOUNT_PATH.into(),
            name: name.clone(),
            read_only: Some(true),
            ..Default::default()
        });
        added = true;
    }
    if !added {
        return;
    }
    let volumes = spec.volumes.get_or_insert_with(Vec::new);
    volumes.reserve_exact(1);
    volumes.push(Volume {
        name,
        projected: Some(ProjectedVolumeSource {
            default_mode: Some(420),
            sources: Some(vec![
                VolumeProjection {
                    service_account_token: Some(ServiceAccountTokenProjection {
                        expiration_seconds: Some(3607),
                        path: "token".into(),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                VolumeProjection {
                    config_map: Some(ConfigMapProjection {
                        name: "kube-root-ca.crt".into(),
                        items: Some(vec![KeyToPath {
                            key: "ca.crt".into(),
                            path: "ca.crt".into(),
                            ..Default::default()
                        }]),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                VolumeProjection {
                    downward_api: Some(DownwardAPIProjection {
                        items: Some(vec![DownwardAPIVolumeFile {
                            field_ref: Some(ObjectFieldSelector {
                                api_version: Some("v1".into()),
                                field_path: "metadata.namespace".into(),
                            }),
                            path: "namespace".into(),
                            ..Default::default()
                        }]),
                    }),
                    ..Default::default()
                },
            ]),
        }),
        ..Default::default()
    });
}

/// DefaultTolerationSeconds: tolerate not-ready and unreachable NoExecute taints for 300 s,
/// unless the pod already tolerates them.
fn admit_default_tolerations(spec: &mut PodSpec) {
    let tols = spec.tolerations.get_or_insert_with(Vec::new);
    for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
        let tolerated = tols.iter().any(|t| {
            let effect_ok = matches!(t.effect.as_deref(), None | Some("") | Some("NoExecute"));
            let key_ok = match t.key.as_deref() {
                None | Some("") => t.operator.as_deref() == Some("Exists"),
                Some(k) => k == key,
            };
            effect_ok && key_ok
        });
        if !tolerated {
            tols.push(Toleration {
                effect: Some("NoExecute".into()),
                key: Some(key.into()),
                operator: Some("Exists".into()),
                toleration_seconds: Some(300),
                ..Default::default()
            });
        }
    }
    tols.shrink_to_fit();
}

/// `SetDefaults_Deployment`: replicas 1, RollingUpdate 25 %/25 %, revisionHistoryLimit 10,
/// progressDeadlineSeconds 600; and the pod template.
pub fn default_deployment(d: &mut Deployment) {
    let spec = d.spec.get_or_insert_with(Default::default);
    spec.replicas.get_or_insert(1);
    let strategy = spec.strategy.get_or_insert_with(DeploymentStrategy::default);
    set_str(&mut strategy.type_, "RollingUpdate");
    if strategy.type_.as_deref() == Some("RollingUpdate") {
        let ru = strategy.rolling_update.get_or_insert_with(RollingUpdateDeployment::default);
        ru.max_unavailable.get_or_insert(IntOrString::String("25%".into()));
        ru.max_surge.get_or_insert(IntOrString::String("25%".into()));
    }
    spec.revision_history_limit.get_or_insert(10);
    spec.progress_deadline_seconds.get_or_insert(600);
    default_pod_template(&mut spec.template);
}

/// `SetDefaults_ReplicaSet`: replicas 1; and the pod template.
pub fn default_replica_set(rs: &mut ReplicaSet) {
    let spec = rs.spec.get_or_insert_with(Default::default);
    spec.replicas.get_or_insert(1);
    if let Some(t) = spec.template.as_mut() {
        default_pod_template(t);
    }
}

/// `SetDefaults_DaemonSet`: RollingUpdate maxUnavailable 1 / maxSurge 0,
/// revisionHistoryLimit 10; and the pod template.
pub fn default_daemon_set(ds: &mut DaemonSet) {
    let spec = ds.spec.get_or_insert_with(Default::default);
    let us = spec.update_strategy.get_or_insert_with(DaemonSetUpdateStrategy::default);
    set_str(&mut us.type_, "RollingUpdate");
    if us.type_.as_deref() == Some("RollingUpdate") {
        let ru = us.rolling_update.get_or_insert_with(RollingUpdateDaemonSet::default);
        ru.max_unavailable.get_or_insert(IntOrString::Int(1));
        ru.max_surge.get_or_insert(IntOrString::Int(0));
    }
    spec.revision_history_limit.get_or_insert(10);
    default_pod_template(&mut spec.template);
}

/// `SetDefaults_StatefulSet`: OrderedReady, RollingUpdate partition 0, PVC retention
/// Retain/Retain, replicas 1, revisionHistoryLimit 10; and the pod template.
pub fn default_stateful_set(ss: &mut StatefulSet) {
    let spec = ss.spec.get_or_insert_with(Default::default);
    set_str(&mut spec.pod_management_policy, "OrderedReady");
    let us = spec.update_strategy.get_or_insert_with(StatefulSetUpdateStrategy::default);
    if us.type_.as_deref().unwrap_or("").is_empty() {
        us.type_ = Some("RollingUpdate".into());
        us.rolling_update.get_or_insert_with(RollingUpdateStatefulSetStrategy::default);
    }
    if us.type_.as_deref() == Some("RollingUpdate") {
        if let Some(ru) = us.rolling_update.as_mut() {
            ru.partition.get_or_insert(0);
        }
    }
    let p = spec
        .persistent_volume_claim_retention_policy
        .get_or_insert_with(StatefulSetPersistentVolumeClaimRetentionPolicy::default);
    set_str(&mut p.when_deleted, "Retain");
    set_str(&mut p.when_scaled, "Retain");
    spec.replicas.get_or_insert(1);
    spec.revision_history_limit.get_or_insert(10);
    default_pod_template(&mut spec.template);
}

/// `SetDefaults_Job` plus the Job strategy's generated selector and labels: completions and
/// parallelism 1, backoffLimit 6, NonIndexed, suspend false, podReplacementPolicy
/// TerminatingOrFailed, selector `batch.kubernetes.io/controller-uid=<uid>`, the template
/// labels `batch.kubernetes.io/controller-uid`, `batch.kubernetes.io/job-name`,
/// `controller-uid`, `job-name`, copied to the Job's own labels when it has none.
pub fn default_job(job: &mut Job, uid: &str) {
    let name = job.metadata.name.clone().unwrap_or_default();
    let spec = job.spec.get_or_insert_with(Default::default);
    if spec.completions.is_none() && spec.parallelism.is_none() {
        spec.completions = Some(1);
        spec.parallelism = Some(1);
    }
    spec.parallelism.get_or_insert(1);
    if spec.backoff_limit.is_none() {
        spec.backoff_limit = Some(if spec.backoff_limit_per_index.is_some() { i32::MAX } else { 6 });
    }
    set_str(&mut spec.completion_mode, "NonIndexed");
    spec.suspend.get_or_insert(false);
    if spec.pod_replacement_policy.is_none() {
        spec.pod_replacement_policy =
            Some(if spec.pod_failure_policy.is_some() { "Failed".into() } else { "TerminatingOrFailed".into() });
    }
    if spec.manual_selector != Some(true) {
        let labels =
            spec.template.metadata.get_or_insert_with(Default::default).labels.get_or_insert_with(BTreeMap::new);
        labels.insert("batch.kubernetes.io/controller-uid".into(), uid.into());
        labels.insert("batch.kubernetes.io/job-name".into(), name.clone());
        labels.insert("controller-uid".into(), uid.into());
        labels.insert("job-name".into(), name);
        if spec.selector.is_none() {
            let mut m = BTreeMap::new();
            m.insert("batch.kubernetes.io/controller-uid".into(), uid.into());
            spec.selector = Some(LabelSelector { match_labels: Some(m), ..Default::default() });
        }
    }
    let template_labels = spec.template.metadata.as_ref().and_then(|m| m.labels.clone());
    if let Some(tl) = template_labels {
        if job.metadata.labels.as_ref().is_none_or(|l| l.is_empty()) {
            job.metadata.labels = Some(tl);
        }
    }
    default_pod_template(&mut spec.template);
}

/// `SetDefaults_CronJob`: Allow, suspend false, history limits 3 and 1; and the job's pod
/// template (the job template's own fields are defaulted only when a Job is made from it).
pub fn default_cron_job(cj: &mut CronJob) {
    let spec = cj.spec.get_or_insert_with(Default::default);
    set_str(&mut spec.concurrency_policy, "Allow");
    spec.suspend.get_or_insert(false);
    spec.successful_jobs_history_limit.get_or_insert(3);
    spec.failed_jobs_history_limit.get_or_insert(1);
    if let Some(js) = spec.job_template.spec.as_mut() {
        default_pod_template(&mut js.template);
    }
}

/// `SetDefaults_Service`: ClusterIP, sessionAffinity None (ClientIP gets its 10800 s
/// timeout), ports TCP with targetPort = port, traffic policies Cluster,
/// allocateLoadBalancerNodePorts for LoadBalancers. (The IP families are the service REST
/// storage's to default: `sim::services::allocate`.)
pub fn default_service(svc: &mut Service) {
    let spec = svc.spec.get_or_insert_with(Default::default);
    set_str(&mut spec.session_affinity, "None");
    if spec.session_affinity.as_deref() == Some("None") {
        spec.session_affinity_config = None;
    }
    if spec.session_affinity.as_deref() == Some("ClientIP")
        && spec.session_affinity_config.as_ref().and_then(|c| c.client_ip.as_ref()?.timeout_seconds).is_none()
    {
        spec.session_affinity_config = Some(k8s_openapi::api::core::v1::SessionAffinityConfig {
            client_ip: Some(k8s_openapi::api::core::v1::ClientIPConfig { timeout_seconds: Some(10800) }),
        });
    }
    set_str(&mut spec.type_, "ClusterIP");
    for p in spec.ports.iter_mut().flatten() {
        set_str(&mut p.protocol, "TCP");
        let unset = match &p.target_port {
            None => true,
            Some(IntOrString::Int(0)) => true,
            Some(IntOrString::String(s)) => s.is_empty(),
            _ => false,
        };
        if unset {
            p.target_port = Some(IntOrString::Int(p.port));
        }
    }
    let ty = spec.type_.clone().unwrap_or_default();
    let external = ty == "NodePort" || ty == "LoadBalancer";
    if external {
        set_str(&mut spec.external_traffic_policy, "Cluster");
    }
    if spec.internal_traffic_policy.is_none() && (external || ty == "ClusterIP") {
        spec.internal_traffic_policy = Some("Cluster".into());
    }
    if ty == "LoadBalancer" {
        spec.allocate_load_balancer_node_ports.get_or_insert(true);
    }
}

/// `SetDefaults_Namespace` + the namespace strategy: the `kubernetes.io/metadata.name`
/// label, the `kubernetes` finalizer and phase Active.
pub fn default_namespace(ns: &mut Namespace) {
    if let Some(name) = ns.metadata.name.clone().filter(|n| !n.is_empty()) {
        ns.metadata.labels.get_or_insert_with(BTreeMap::new).insert("kubernetes.io/metadata.name".into(), name);
    }
    let spec = ns.spec.get_or_insert_with(NamespaceSpec::default);
    let fins = spec.finalizers.get_or_insert_with(Vec::new);
    if !fins.iter().any(|f| f == "kubernetes") {
        fins.push("kubernetes".into());
    }
    let status = ns.status.get_or_insert_with(NamespaceStatus::default);
    set_str(&mut status.phase, "Active");
}

/// `SetDefaults_Secret`: type Opaque. And, as the API server's conversion does on every
/// write, `stringData` is merged into `data` (its keys win) and never stored.
pub fn default_secret(s: &mut Secret) {
    set_str(&mut s.type_, "Opaque");
    if let Some(string_data) = s.string_data.take() {
        let data = s.data.get_or_insert_with(BTreeMap::new);
        for (k, v) in string_data {
            data.insert(k, k8s_openapi::ByteString(v.into_bytes()));
        }
    }
}

/// Defaults any stored object on create or update (idempotent: the token volume is added
/// once). Kinds without defaulting here are left as they are. A Job gets its generated
/// selector only when `metadata.uid` is already set (the uid is its value).
pub fn default_object(o: &mut crate::sim::object::Object, sa_token_suffix: &str) {
    use crate::sim::object::Object;
    match o {
        Object::Pod(p) => default_pod(std::sync::Arc::make_mut(p), sa_token_suffix),
        Object::Deployment(d) => default_deployment(std::sync::Arc::make_mut(d)),
        Object::ReplicaSet(r) => default_replica_set(std::sync::Arc::make_mut(r)),
        Object::DaemonSet(d) => default_daemon_set(d),
        Object::StatefulSet(s) => default_stateful_set(s),
        Object::Job(j) => match j.metadata.uid.clone() {
            Some(uid) => default_job(j, &uid),
            None => {
                let manual = j.spec.as_ref().and_then(|s| s.manual_selector);
                if let Some(spec) = j.spec.as_mut() {
                    // Keep the generated-selector step out until the uid exists.
                    spec.manual_selector = Some(true);
                }
                default_job(j, "");
                if let Some(spec) = j.spec.as_mut() {
                    spec.manual_selector = manual;
                }
            }
        },
        Object::CronJob(c) => default_cron_job(c),
        Object::Service(s) => default_service(s),
        Object::NetworkPolicy(n) => crate::sim::netpol::default_network_policy(n),
        Object::Namespace(n) => default_namespace(n),
        Object::Secret(s) => default_secret(s),
        Object::PersistentVolume(p) => crate::sim::api::storage::default_volume(p),
        Object::PersistentVolumeClaim(p) => crate::sim::api::storage::default_claim(p),
        Object::StorageClass(s) => crate::sim::api::storage::default_storage_class(s),
        Object::LimitRange(l) => crate::sim::api::admission::limitranger::default_limit_range(l),
        Object::HorizontalPodAutoscaler(h) => super::autoscaling::default_hpa(h),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api::decode::{decode_strict, read_manifest};

    fn load<T: serde::de::DeserializeOwned + k8s_openapi::Resource>(yaml: &str) -> T {
        let m = read_manifest(yaml, "x.yaml", true);
        assert_eq!(m.error, None);
        match decode_strict::<T>(&m.docs[0].value) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        }
    }

    /// Reference: the spec `kubectl get pod nginx -o json` shows on a v1.32 cluster for
    /// `kubectl run nginx --image=nginx` (Kubernetes docs' pod outputs; the suffix of
    /// kube-api-access is random there).
    #[test]
    fn minimal_pod_spec_matches_a_real_cluster() {
        let mut pod: Pod = load(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: nginx\nspec:\n  containers:\n  - name: nginx\n    image: nginx\n",
        );
        default_pod(&mut pod, "x8k2j");
        let spec = serde_json::to_string_pretty(&pod.spec).unwrap_or_default();
        let expected = r#"{
  "containers": [
    {
      "image": "nginx",
      "imagePullPolicy": "Always",
      "name": "nginx",
      "resources": {},
      "terminationMessagePath": "/dev/termination-log",
      "terminationMessagePolicy": "File",
      "volumeMounts": [
        {
          "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
          "name": "kube-api-access-x8k2j",
          "readOnly": true
        }
      ]
    }
  ],
  "dnsPolicy": "ClusterFirst",
  "enableServiceLinks": true,
  "preemptionPolicy": "PreemptLowerPriority",
  "priority": 0,
  "restartPolicy": "Always",
  "schedulerName": "default-scheduler",
  "securityContext": {},
  "serviceAccount": "default",
  "serviceAccountName": "default",
  "terminationGracePeriodSeconds": 30,
  "tolerations": [
    {
      "effect": "NoExecute",
      "key": "node.kubernetes.io/not-ready",
      "operator": "Exists",
      "tolerationSeconds": 300
    },
    {
      "effect": "NoExecute",
      "key": "node.kubernetes.io/unreachable",
      "operator": "Exists",
      "tolerationSeconds": 300
    }
  ],
  "volumes": [
    {
      "name": "kube-api-access-x8k2j",
      "projected": {
        "defaultMode": 420,
        "sources": [
          {
            "serviceAccountToken": {
              "expirationSeconds": 3607,
              "path": "token"
            }
          },
          {
            "configMap": {
              "items": [
                {
                  "key": "ca.crt",
                  "path": "ca.crt"
                }
              ],
              "name": "kube-root-ca.crt"
            }
          },
          {
            "downwardAPI": {
              "items": [
                {
                  "fieldRef": {
                    "apiVersion": "v1",
                    "fieldPath": "metadata.namespace"
                  },
                  "path": "namespace"
                }
              ]
            }
          }
        ]
      }
    }
  ]
}"#;
        assert_eq!(spec, expected);
    }

    #[test]
    fn container_details() {
        let mut pod: Pod = load(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  automountServiceAccountToken: false\n  volumes:\n  - name: cfg\n    configMap:\n      name: c\n  - name: scratch\n  containers:\n  - name: a\n    image: nginx:1.27\n    ports:\n    - containerPort: 80\n    env:\n    - name: NODE\n      valueFrom:\n        fieldRef:\n          fieldPath: spec.nodeName\n    readinessProbe:\n      httpGet:\n        port: 80\n    resources:\n      limits:\n        cpu: 500m\n  - name: b\n    image: registry.local:5000/app\n  - name: c\n    image: busybox@sha256:abc\n",
        );
        default_pod(&mut pod, "abcde");
        let v = serde_json::to_value(&pod.spec).unwrap_or_default();
        let c0 = &v["containers"][0];
        assert_eq!(c0["imagePullPolicy"], "IfNotPresent");
        assert_eq!(c0["ports"][0]["protocol"], "TCP");
        assert_eq!(c0["env"][0]["valueFrom"]["fieldRef"]["apiVersion"], "v1");
        assert_eq!(
            c0["readinessProbe"],
            serde_json::json!({"failureThreshold": 3, "httpGet": {"path": "/", "port": 80, "scheme": "HTTP"}, "periodSeconds": 10, "successThreshold": 1, "timeoutSeconds": 1})
        );
        assert_eq!(c0["resources"], serde_json::json!({"limits": {"cpu": "500m"}, "requests": {"cpu": "500m"}}));
        assert_eq!(v["containers"][1]["imagePullPolicy"], "Always");
        assert_eq!(v["containers"][2]["imagePullPolicy"], "IfNotPresent");
        assert_eq!(
            v["volumes"],
            serde_json::json!([{"name": "cfg", "configMap": {"name": "c", "defaultMode": 420}}, {"name": "scratch", "emptyDir": {}}])
        );
        assert_eq!(c0.get("volumeMounts"), None);
    }

    /// Reference: `kubectl get deploy -o yaml` after `kubectl create deployment web --image=nginx`.
    #[test]
    fn deployment_defaults() {
        let mut d: Deployment = load(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n",
        );
        default_deployment(&mut d);
        let v = serde_json::to_value(&d.spec).unwrap_or_default();
        assert_eq!(
            v,
            serde_json::json!({
                "progressDeadlineSeconds": 600,
                "replicas": 1,
                "revisionHistoryLimit": 10,
                "selector": {"matchLabels": {"app": "web"}},
                "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                        "containers": [{"image": "nginx", "imagePullPolicy": "Always", "name": "nginx", "resources": {}, "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}],
                        "dnsPolicy": "ClusterFirst",
                        "restartPolicy": "Always",
                        "schedulerName": "default-scheduler",
                        "securityContext": {},
                        "terminationGracePeriodSeconds": 30
                    }
                }
            })
        );
    }

    #[test]
    fn job_cronjob_service_namespace_secret() {
        let mut j: Job = load(
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: pi\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: pi\n        image: perl:5.34.0\n",
        );
        default_job(&mut j, "u-1");
        let v = serde_json::to_value(&j).unwrap_or_default();
        assert_eq!(v["spec"]["backoffLimit"], 6);
        assert_eq!(v["spec"]["completions"], 1);
        assert_eq!(v["spec"]["parallelism"], 1);
        assert_eq!(v["spec"]["completionMode"], "NonIndexed");
        assert_eq!(v["spec"]["suspend"], false);
        assert_eq!(v["spec"]["podReplacementPolicy"], "TerminatingOrFailed");
        assert_eq!(
            v["spec"]["selector"],
            serde_json::json!({"matchLabels": {"batch.kubernetes.io/controller-uid": "u-1"}})
        );
        let labels = serde_json::json!({"batch.kubernetes.io/controller-uid": "u-1", "batch.kubernetes.io/job-name": "pi", "controller-uid": "u-1", "job-name": "pi"});
        assert_eq!(v["spec"]["template"]["metadata"]["labels"], labels);
        assert_eq!(v["metadata"]["labels"], labels);

        let mut cj: CronJob = load(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  schedule: '*/1 * * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: c\n            image: busybox\n",
        );
        default_cron_job(&mut cj);
        let v = serde_json::to_value(&cj.spec).unwrap_or_default();
        assert_eq!(v["concurrencyPolicy"], "Allow");
        assert_eq!(v["successfulJobsHistoryLimit"], 3);
        assert_eq!(v["failedJobsHistoryLimit"], 1);
        assert_eq!(v["suspend"], false);
        assert_eq!(v["jobTemplate"]["spec"].get("backoffLimit"), None);
        assert_eq!(v["jobTemplate"]["spec"]["template"]["spec"]["dnsPolicy"], "ClusterFirst");

        let mut s: Service = load(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n",
        );
        default_service(&mut s);
        assert_eq!(
            serde_json::to_value(&s.spec).unwrap_or_default(),
            serde_json::json!({"internalTrafficPolicy": "Cluster", "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}], "selector": {"app": "web"}, "sessionAffinity": "None", "type": "ClusterIP"})
        );
        let mut s: Service = load(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    targetPort: http\n",
        );
        default_service(&mut s);
        let v = serde_json::to_value(&s.spec).unwrap_or_default();
        assert_eq!(v["externalTrafficPolicy"], "Cluster");
        assert_eq!(v["ports"][0]["targetPort"], "http");

        let mut ns: Namespace = load("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n");
        default_namespace(&mut ns);
        assert_eq!(
            serde_json::to_value(&ns).unwrap_or_default(),
            serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"labels": {"kubernetes.io/metadata.name": "dev"}, "name": "dev"}, "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
        );
        let mut sec: Secret = load("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n");
        default_secret(&mut sec);
        assert_eq!(sec.type_.as_deref(), Some("Opaque"));
        let mut sec: Secret = load("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  a: eA==\n  b: eA==\nstringData:\n  b: yy\n  c: zzz\n");
        default_secret(&mut sec);
        assert_eq!(sec.string_data, None);
        let data = sec.data.unwrap();
        let sizes: Vec<(&str, usize)> = data.iter().map(|(k, v)| (k.as_str(), v.0.len())).collect();
        assert_eq!(sizes, [("a", 1), ("b", 2), ("c", 3)]);
    }
}
