//! How Go's `encoding/json` writes a typed Kubernetes object, which is what kubectl prints for
//! the objects its generators build (and for what its typed clients get back): fields in the
//! order of the Go struct (not sorted), and struct-typed fields that have no `omitempty` effect
//! written even when empty — `creationTimestamp: null`, `resources: {}`, `status: {}`,
//! `strategy: {}`, `status.loadBalancer: {}`.
//!
//! [`goify`] turns a plain JSON object (as a generator or the API layer builds it) into a
//! [`GoValue`]: the same data with those always-written fields added and every known struct's
//! fields in Go order. `-o json` prints the `GoValue` as it is; `-o yaml` and jsonpath work on
//! [`GoValue::to_value`], whose keys are sorted again — kubectl's YAML printer goes through a
//! map, so it sorts too.
//!
//! The field tables below follow k8s.io/api v1.32. Types that are not listed keep their keys
//! sorted (what kubectl prints for maps), so a missing table makes output less exact, never
//! wrong in content.

use serde_json::{Map, Number, Value};

/// What Go writes for a field that is absent from our JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum D {
    /// `omitempty` (or a nil pointer/slice/map with omitempty): nothing.
    Omit,
    /// A struct-typed field: always written, `{}` plus its own always-written fields.
    Obj,
    /// A nil slice or pointer without omitempty (`rules: null`), or a zero `metav1.Time`.
    Null,
    /// An integer without omitempty.
    Zero,
}

use D::{Null, Obj, Omit, Zero};

type Field = (&'static str, &'static str, D);

const TYPE_META: [Field; 2] = [("kind", "", Omit), ("apiVersion", "", Omit)];

/// The fields of a Go type after its TypeMeta, in declaration order.
fn fields(ty: &str) -> Option<&'static [Field]> {
    Some(match ty {
        "ObjectMeta" => &[
            ("name", "", Omit),
            ("generateName", "", Omit),
            ("namespace", "", Omit),
            ("selfLink", "", Omit),
            ("uid", "", Omit),
            ("resourceVersion", "", Omit),
            ("generation", "", Omit),
            ("creationTimestamp", "", Null),
            ("deletionTimestamp", "", Omit),
            ("deletionGracePeriodSeconds", "", Omit),
            ("labels", "", Omit),
            ("annotations", "", Omit),
            ("ownerReferences", "OwnerReference", Omit),
            ("finalizers", "", Omit),
            ("managedFields", "ManagedFieldsEntry", Omit),
        ],
        "OwnerReference" => &[
            ("apiVersion", "", Omit),
            ("kind", "", Omit),
            ("name", "", Omit),
            ("uid", "", Omit),
            ("controller", "", Omit),
            ("blockOwnerDeletion", "", Omit),
        ],
        "ManagedFieldsEntry" => &[
            ("manager", "", Omit),
            ("operation", "", Omit),
            ("apiVersion", "", Omit),
            ("time", "", Omit),
            ("fieldsType", "", Omit),
            ("fieldsV1", "", Omit),
            ("subresource", "", Omit),
        ],
        "LabelSelector" => &[("matchLabels", "", Omit), ("matchExpressions", "LabelSelectorRequirement", Omit)],
        "LabelSelectorRequirement" => &[("key", "", Omit), ("operator", "", Omit), ("values", "", Omit)],
        // apps/v1
        "Deployment" => {
            &[("metadata", "ObjectMeta", Obj), ("spec", "DeploymentSpec", Obj), ("status", "DeploymentStatus", Obj)]
        }
        "DeploymentSpec" => &[
            ("replicas", "", Omit),
            ("selector", "LabelSelector", Omit),
            ("template", "PodTemplateSpec", Obj),
            ("strategy", "DeploymentStrategy", Obj),
            ("minReadySeconds", "", Omit),
            ("revisionHistoryLimit", "", Omit),
            ("paused", "", Omit),
            ("progressDeadlineSeconds", "", Omit),
        ],
        "DeploymentStrategy" => &[("type", "", Omit), ("rollingUpdate", "RollingUpdateDeployment", Omit)],
        "RollingUpdateDeployment" => &[("maxUnavailable", "", Omit), ("maxSurge", "", Omit)],
        "DeploymentStatus" => &[
            ("observedGeneration", "", Omit),
            ("replicas", "", Omit),
            ("updatedReplicas", "", Omit),
            ("readyReplicas", "", Omit),
            ("availableReplicas", "", Omit),
            ("unavailableReplicas", "", Omit),
            ("conditions", "DeploymentCondition", Omit),
            ("collisionCount", "", Omit),
        ],
        "DeploymentCondition" => &[
            ("type", "", Omit),
            ("status", "", Omit),
            ("lastUpdateTime", "", Omit),
            ("lastTransitionTime", "", Omit),
            ("reason", "", Omit),
            ("message", "", Omit),
        ],
        // core/v1: pods
        "Pod" => &[("metadata", "ObjectMeta", Obj), ("spec", "PodSpec", Obj), ("status", "PodStatus", Obj)],
        "PodTemplateSpec" => &[("metadata", "ObjectMeta", Obj), ("spec", "PodSpec", Obj)],
        "PodSpec" => &[
            ("volumes", "Volume", Omit),
            ("initContainers", "Container", Omit),
            ("containers", "Container", Null),
            ("ephemeralContainers", "", Omit),
            ("restartPolicy", "", Omit),
            ("terminationGracePeriodSeconds", "", Omit),
            ("activeDeadlineSeconds", "", Omit),
            ("dnsPolicy", "", Omit),
            ("nodeSelector", "", Omit),
            ("serviceAccountName", "", Omit),
            ("serviceAccount", "", Omit),
            ("automountServiceAccountToken", "", Omit),
            ("nodeName", "", Omit),
            ("hostNetwork", "", Omit),
            ("hostPID", "", Omit),
            ("hostIPC", "", Omit),
            ("shareProcessNamespace", "", Omit),
            ("securityContext", "PodSecurityContext", Omit),
            ("imagePullSecrets", "", Omit),
            ("hostname", "", Omit),
            ("subdomain", "", Omit),
            ("affinity", "", Omit),
            ("schedulerName", "", Omit),
            ("tolerations", "Toleration", Omit),
            ("hostAliases", "", Omit),
            ("priorityClassName", "", Omit),
            ("priority", "", Omit),
            ("dnsConfig", "", Omit),
            ("readinessGates", "", Omit),
            ("runtimeClassName", "", Omit),
            ("enableServiceLinks", "", Omit),
            ("preemptionPolicy", "", Omit),
            ("overhead", "", Omit),
            ("topologySpreadConstraints", "", Omit),
            ("setHostnameAsFQDN", "", Omit),
            ("os", "", Omit),
            ("hostUsers", "", Omit),
            ("schedulingGates", "", Omit),
            ("resourceClaims", "", Omit),
            ("resources", "ResourceRequirements", Omit),
        ],
        "PodSecurityContext" => &[
            ("seLinuxOptions", "", Omit),
            ("windowsOptions", "", Omit),
            ("runAsUser", "", Omit),
            ("runAsGroup", "", Omit),
            ("runAsNonRoot", "", Omit),
            ("supplementalGroups", "", Omit),
            ("supplementalGroupsPolicy", "", Omit),
            ("fsGroup", "", Omit),
            ("sysctls", "", Omit),
            ("fsGroupChangePolicy", "", Omit),
            ("seccompProfile", "", Omit),
            ("appArmorProfile", "", Omit),
            ("seLinuxChangePolicy", "", Omit),
        ],
        "Container" => &[
            ("name", "", Omit),
            ("image", "", Omit),
            ("command", "", Omit),
            ("args", "", Omit),
            ("workingDir", "", Omit),
            ("ports", "ContainerPort", Omit),
            ("envFrom", "", Omit),
            ("env", "EnvVar", Omit),
            ("resources", "ResourceRequirements", Obj),
            ("resizePolicy", "", Omit),
            ("restartPolicy", "", Omit),
            ("volumeMounts", "VolumeMount", Omit),
            ("volumeDevices", "", Omit),
            ("livenessProbe", "Probe", Omit),
            ("readinessProbe", "Probe", Omit),
            ("startupProbe", "Probe", Omit),
            ("lifecycle", "", Omit),
            ("terminationMessagePath", "", Omit),
            ("terminationMessagePolicy", "", Omit),
            ("imagePullPolicy", "", Omit),
            ("securityContext", "SecurityContext", Omit),
            ("stdin", "", Omit),
            ("stdinOnce", "", Omit),
            ("tty", "", Omit),
        ],
        "ContainerPort" => &[
            ("name", "", Omit),
            ("hostPort", "", Omit),
            ("containerPort", "", Zero),
            ("protocol", "", Omit),
            ("hostIP", "", Omit),
        ],
        "EnvVar" => &[("name", "", Omit), ("value", "", Omit), ("valueFrom", "", Omit)],
        "ResourceRequirements" => &[("limits", "", Omit), ("requests", "", Omit), ("claims", "", Omit)],
        "SecurityContext" => &[
            ("capabilities", "", Omit),
            ("privileged", "", Omit),
            ("seLinuxOptions", "", Omit),
            ("windowsOptions", "", Omit),
            ("runAsUser", "", Omit),
            ("runAsGroup", "", Omit),
            ("runAsNonRoot", "", Omit),
            ("readOnlyRootFilesystem", "", Omit),
            ("allowPrivilegeEscalation", "", Omit),
            ("procMount", "", Omit),
            ("seccompProfile", "", Omit),
            ("appArmorProfile", "", Omit),
        ],
        "VolumeMount" => &[
            ("name", "", Omit),
            ("readOnly", "", Omit),
            ("recursiveReadOnly", "", Omit),
            ("mountPath", "", Omit),
            ("subPath", "", Omit),
            ("mountPropagation", "", Omit),
            ("subPathExpr", "", Omit),
        ],
        "Probe" => &[
            ("exec", "", Omit),
            ("httpGet", "", Omit),
            ("tcpSocket", "", Omit),
            ("grpc", "", Omit),
            ("initialDelaySeconds", "", Omit),
            ("timeoutSeconds", "", Omit),
            ("periodSeconds", "", Omit),
            ("successThreshold", "", Omit),
            ("failureThreshold", "", Omit),
            ("terminationGracePeriodSeconds", "", Omit),
        ],
        "Toleration" => &[
            ("key", "", Omit),
            ("operator", "", Omit),
            ("value", "", Omit),
            ("effect", "", Omit),
            ("tolerationSeconds", "", Omit),
        ],
        "Volume" => &[
            ("name", "", Omit),
            ("hostPath", "", Omit),
            ("emptyDir", "", Omit),
            ("gcePersistentDisk", "", Omit),
            ("awsElasticBlockStore", "", Omit),
            ("gitRepo", "", Omit),
            ("secret", "", Omit),
            ("nfs", "", Omit),
            ("iscsi", "", Omit),
            ("glusterfs", "", Omit),
            ("persistentVolumeClaim", "", Omit),
            ("rbd", "", Omit),
            ("flexVolume", "", Omit),
            ("cinder", "", Omit),
            ("cephfs", "", Omit),
            ("flocker", "", Omit),
            ("downwardAPI", "", Omit),
            ("fc", "", Omit),
            ("azureFile", "", Omit),
            ("configMap", "", Omit),
            ("vsphereVolume", "", Omit),
            ("quobyte", "", Omit),
            ("azureDisk", "", Omit),
            ("photonPersistentDisk", "", Omit),
            ("projected", "", Omit),
            ("portworxVolume", "", Omit),
            ("scaleIO", "", Omit),
            ("storageos", "", Omit),
            ("csi", "", Omit),
            ("ephemeral", "", Omit),
            ("image", "", Omit),
        ],
        "PodStatus" => &[
            ("phase", "", Omit),
            ("conditions", "PodCondition", Omit),
            ("message", "", Omit),
            ("reason", "", Omit),
            ("nominatedNodeName", "", Omit),
            ("hostIP", "", Omit),
            ("hostIPs", "", Omit),
            ("podIP", "", Omit),
            ("podIPs", "", Omit),
            ("startTime", "", Omit),
            ("initContainerStatuses", "", Omit),
            ("containerStatuses", "", Omit),
            ("qosClass", "", Omit),
            ("ephemeralContainerStatuses", "", Omit),
            ("resize", "", Omit),
            ("resourceClaimStatuses", "", Omit),
        ],
        "PodCondition" => &[
            ("type", "", Omit),
            ("status", "", Omit),
            ("lastProbeTime", "", Null),
            ("lastTransitionTime", "", Null),
            ("reason", "", Omit),
            ("message", "", Omit),
        ],
        // core/v1: services
        "Service" => &[("metadata", "ObjectMeta", Obj), ("spec", "ServiceSpec", Obj), ("status", "ServiceStatus", Obj)],
        "ServiceSpec" => &[
            ("ports", "ServicePort", Omit),
            ("selector", "", Omit),
            ("clusterIP", "", Omit),
            ("clusterIPs", "", Omit),
            ("type", "", Omit),
            ("externalIPs", "", Omit),
            ("sessionAffinity", "", Omit),
            ("loadBalancerIP", "", Omit),
            ("loadBalancerSourceRanges", "", Omit),
            ("externalName", "", Omit),
            ("externalTrafficPolicy", "", Omit),
            ("healthCheckNodePort", "", Omit),
            ("publishNotReadyAddresses", "", Omit),
            ("sessionAffinityConfig", "", Omit),
            ("ipFamilies", "", Omit),
            ("ipFamilyPolicy", "", Omit),
            ("allocateLoadBalancerNodePorts", "", Omit),
            ("loadBalancerClass", "", Omit),
            ("internalTrafficPolicy", "", Omit),
            ("trafficDistribution", "", Omit),
        ],
        "ServicePort" => &[
            ("name", "", Omit),
            ("protocol", "", Omit),
            ("appProtocol", "", Omit),
            ("port", "", Zero),
            ("targetPort", "", Zero),
            ("nodePort", "", Omit),
        ],
        "ServiceStatus" => &[("loadBalancer", "LoadBalancerStatus", Obj), ("conditions", "", Omit)],
        "LoadBalancerStatus" => &[("ingress", "", Omit)],
        // core/v1: the rest
        "ConfigMap" => {
            &[("metadata", "ObjectMeta", Obj), ("immutable", "", Omit), ("data", "", Omit), ("binaryData", "", Omit)]
        }
        "Secret" => &[
            ("metadata", "ObjectMeta", Obj),
            ("immutable", "", Omit),
            ("data", "", Omit),
            ("stringData", "", Omit),
            ("type", "", Omit),
        ],
        "Namespace" => {
            &[("metadata", "ObjectMeta", Obj), ("spec", "NamespaceSpec", Obj), ("status", "NamespaceStatus", Obj)]
        }
        "NamespaceSpec" => &[("finalizers", "", Omit)],
        "NamespaceStatus" => &[("phase", "", Omit), ("conditions", "", Omit)],
        "ServiceAccount" => &[
            ("metadata", "ObjectMeta", Obj),
            ("secrets", "", Omit),
            ("imagePullSecrets", "", Omit),
            ("automountServiceAccountToken", "", Omit),
        ],
        "ResourceQuota" => &[
            ("metadata", "ObjectMeta", Obj),
            ("spec", "ResourceQuotaSpec", Obj),
            ("status", "ResourceQuotaStatus", Obj),
        ],
        "ResourceQuotaSpec" => &[("hard", "", Omit), ("scopes", "", Omit), ("scopeSelector", "", Omit)],
        "ResourceQuotaStatus" => &[("hard", "", Omit), ("used", "", Omit)],
        // batch/v1
        "Job" => &[("metadata", "ObjectMeta", Obj), ("spec", "JobSpec", Obj), ("status", "JobStatus", Obj)],
        "JobSpec" => &[
            ("parallelism", "", Omit),
            ("completions", "", Omit),
            ("activeDeadlineSeconds", "", Omit),
            ("podFailurePolicy", "", Omit),
            ("successPolicy", "", Omit),
            ("backoffLimit", "", Omit),
            ("backoffLimitPerIndex", "", Omit),
            ("maxFailedIndexes", "", Omit),
            ("selector", "LabelSelector", Omit),
            ("manualSelector", "", Omit),
            ("template", "PodTemplateSpec", Obj),
            ("ttlSecondsAfterFinished", "", Omit),
            ("completionMode", "", Omit),
            ("suspend", "", Omit),
            ("podReplacementPolicy", "", Omit),
            ("managedBy", "", Omit),
        ],
        "JobStatus" => &[
            ("conditions", "", Omit),
            ("startTime", "", Omit),
            ("completionTime", "", Omit),
            ("active", "", Omit),
            ("succeeded", "", Omit),
            ("failed", "", Omit),
            ("terminating", "", Omit),
            ("completedIndexes", "", Omit),
            ("failedIndexes", "", Omit),
            ("uncountedTerminatedPods", "", Omit),
            ("ready", "", Omit),
        ],
        "CronJob" => &[("metadata", "ObjectMeta", Obj), ("spec", "CronJobSpec", Obj), ("status", "CronJobStatus", Obj)],
        "CronJobSpec" => &[
            ("schedule", "", Omit),
            ("timeZone", "", Omit),
            ("startingDeadlineSeconds", "", Omit),
            ("concurrencyPolicy", "", Omit),
            ("suspend", "", Omit),
            ("jobTemplate", "JobTemplateSpec", Obj),
            ("successfulJobsHistoryLimit", "", Omit),
            ("failedJobsHistoryLimit", "", Omit),
        ],
        "JobTemplateSpec" => &[("metadata", "ObjectMeta", Obj), ("spec", "JobSpec", Obj)],
        "CronJobStatus" => &[("active", "", Omit), ("lastScheduleTime", "", Omit), ("lastSuccessfulTime", "", Omit)],
        // rbac.authorization.k8s.io/v1
        "Role" => &[("metadata", "ObjectMeta", Obj), ("rules", "PolicyRule", Null)],
        "ClusterRole" => &[
            ("metadata", "ObjectMeta", Obj),
            ("rules", "PolicyRule", Null),
            ("aggregationRule", "AggregationRule", Omit),
        ],
        "PolicyRule" => &[
            ("verbs", "", Null),
            ("apiGroups", "", Omit),
            ("resources", "", Omit),
            ("resourceNames", "", Omit),
            ("nonResourceURLs", "", Omit),
        ],
        "AggregationRule" => &[("clusterRoleSelectors", "LabelSelector", Omit)],
        "RoleBinding" | "ClusterRoleBinding" => {
            &[("metadata", "ObjectMeta", Obj), ("subjects", "Subject", Omit), ("roleRef", "RoleRef", Obj)]
        }
        "Subject" => &[("kind", "", Omit), ("apiGroup", "", Omit), ("name", "", Omit), ("namespace", "", Omit)],
        "RoleRef" => &[("apiGroup", "", Omit), ("kind", "", Omit), ("name", "", Omit)],
        // networking.k8s.io/v1
        "Ingress" => &[("metadata", "ObjectMeta", Obj), ("spec", "IngressSpec", Obj), ("status", "IngressStatus", Obj)],
        "IngressSpec" => &[
            ("ingressClassName", "", Omit),
            ("defaultBackend", "IngressBackend", Omit),
            ("tls", "IngressTLS", Omit),
            ("rules", "IngressRule", Omit),
        ],
        "IngressBackend" => &[("service", "IngressServiceBackend", Omit), ("resource", "", Omit)],
        "IngressServiceBackend" => &[("name", "", Omit), ("port", "ServiceBackendPort", Obj)],
        "ServiceBackendPort" => &[("name", "", Omit), ("number", "", Omit)],
        "IngressTLS" => &[("hosts", "", Omit), ("secretName", "", Omit)],
        "IngressRule" => &[("host", "", Omit), ("http", "HTTPIngressRuleValue", Omit)],
        "HTTPIngressRuleValue" => &[("paths", "HTTPIngressPath", Null)],
        "HTTPIngressPath" => &[("path", "", Omit), ("pathType", "", Null), ("backend", "IngressBackend", Obj)],
        "IngressStatus" => &[("loadBalancer", "IngressLoadBalancerStatus", Obj)],
        "IngressLoadBalancerStatus" => &[("ingress", "", Omit)],
        // policy/v1
        "PodDisruptionBudget" => &[
            ("metadata", "ObjectMeta", Obj),
            ("spec", "PodDisruptionBudgetSpec", Obj),
            ("status", "PodDisruptionBudgetStatus", Obj),
        ],
        "PodDisruptionBudgetSpec" => &[
            ("minAvailable", "", Omit),
            ("selector", "LabelSelector", Omit),
            ("maxUnavailable", "", Omit),
            ("unhealthyPodEvictionPolicy", "", Omit),
        ],
        "PodDisruptionBudgetStatus" => &[
            ("observedGeneration", "", Omit),
            ("disruptedPods", "", Omit),
            ("disruptionsAllowed", "", Zero),
            ("currentHealthy", "", Zero),
            ("desiredHealthy", "", Zero),
            ("expectedPods", "", Zero),
            ("conditions", "", Omit),
        ],
        // scheduling.k8s.io/v1
        "PriorityClass" => &[
            ("metadata", "ObjectMeta", Obj),
            ("value", "", Zero),
            ("globalDefault", "", Omit),
            ("description", "", Omit),
            ("preemptionPolicy", "", Omit),
        ],
        // authentication.k8s.io/v1
        "TokenRequest" => {
            &[("metadata", "ObjectMeta", Obj), ("spec", "TokenRequestSpec", Obj), ("status", "TokenRequestStatus", Obj)]
        }
        "TokenRequestSpec" => &[("audiences", "", Null), ("expirationSeconds", "", Omit), ("boundObjectRef", "", Omit)],
        "TokenRequestStatus" => &[("token", "", Omit), ("expirationTimestamp", "", Null)],
        _ => return None,
    })
}

/// Top-level kinds start with TypeMeta.
fn is_kind(ty: &str) -> bool {
    matches!(
        ty,
        "Deployment"
            | "Pod"
            | "Service"
            | "ConfigMap"
            | "Secret"
            | "Namespace"
            | "ServiceAccount"
            | "ResourceQuota"
            | "Job"
            | "CronJob"
            | "Role"
            | "ClusterRole"
            | "RoleBinding"
            | "ClusterRoleBinding"
            | "Ingress"
            | "PodDisruptionBudget"
            | "PriorityClass"
            | "TokenRequest"
    )
}

/// A JSON value whose objects keep their key order (Go struct order).
#[derive(Clone, Debug, PartialEq)]
pub enum GoValue {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<GoValue>),
    Object(Vec<(String, GoValue)>),
}

impl GoValue {
    /// The same data as a plain JSON value (keys sorted).
    pub fn to_value(&self) -> Value {
        match self {
            GoValue::Null => Value::Null,
            GoValue::Bool(b) => Value::Bool(*b),
            GoValue::Number(n) => Value::Number(n.clone()),
            GoValue::String(s) => Value::String(s.clone()),
            GoValue::Array(a) => Value::Array(a.iter().map(GoValue::to_value).collect()),
            GoValue::Object(fields) => {
                let mut m = Map::new();
                for (k, v) in fields {
                    m.insert(k.clone(), v.to_value());
                }
                Value::Object(m)
            }
        }
    }

    /// `json.MarshalIndent(v, "", "    ")` plus a newline: kubectl's `-o json`.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_indented(&mut out, 0);
        out.push('\n');
        out
    }

    /// `json.Marshal(v)`: the form of the last-applied-configuration annotation.
    pub fn to_json_compact(&self) -> String {
        let mut out = String::new();
        self.write_compact(&mut out);
        out
    }

    fn write_indented(&self, out: &mut String, depth: usize) {
        let newline = |out: &mut String, depth: usize| {
            out.push('\n');
            for _ in 0..depth {
                out.push_str("    ");
            }
        };
        match self {
            GoValue::Array(items) if !items.is_empty() => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    item.write_indented(out, depth + 1);
                }
                newline(out, depth);
                out.push(']');
            }
            GoValue::Object(fields) if !fields.is_empty() => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    crate::kubectl::output::json::write_string(out, k);
                    out.push_str(": ");
                    v.write_indented(out, depth + 1);
                }
                newline(out, depth);
                out.push('}');
            }
            other => other.write_compact(out),
        }
    }

    fn write_compact(&self, out: &mut String) {
        match self {
            GoValue::Null => out.push_str("null"),
            GoValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            GoValue::Number(n) => out.push_str(&crate::kubectl::output::json::number_text(n)),
            GoValue::String(s) => crate::kubectl::output::json::write_string(out, s),
            GoValue::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_compact(out);
                }
                out.push(']');
            }
            GoValue::Object(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    crate::kubectl::output::json::write_string(out, k);
                    out.push(':');
                    v.write_compact(out);
                }
                out.push('}');
            }
        }
    }
}

/// The Go-typed form of `v` read as Go type `ty` (a kind name such as `Deployment`, or a
/// nested type name); `""` means an untyped map or scalar (keys stay sorted).
pub fn goify(v: &Value, ty: &str) -> GoValue {
    match v {
        Value::Null => GoValue::Null,
        Value::Bool(b) => GoValue::Bool(*b),
        Value::Number(n) => GoValue::Number(n.clone()),
        Value::String(s) => GoValue::String(s.clone()),
        Value::Array(items) => GoValue::Array(items.iter().map(|i| goify(i, ty)).collect()),
        Value::Object(map) => {
            let Some(known) = fields(ty) else {
                return GoValue::Object(map.iter().map(|(k, v)| (k.clone(), goify(v, ""))).collect());
            };
            let mut out = Vec::new();
            let head: &[Field] = if is_kind(ty) { &TYPE_META } else { &[] };
            for (name, child, default) in head.iter().chain(known.iter()) {
                match map.get(*name) {
                    Some(v) => out.push((name.to_string(), goify(v, child))),
                    None => match default {
                        Omit => {}
                        Null => out.push((name.to_string(), GoValue::Null)),
                        Zero => out.push((name.to_string(), GoValue::Number(0.into()))),
                        Obj => out.push((name.to_string(), goify(&Value::Object(Map::new()), child))),
                    },
                }
            }
            // Fields our tables do not know keep their data, after the known ones.
            for (k, v) in map {
                if !head.iter().chain(known.iter()).any(|(n, _, _)| n == k) {
                    out.push((k.clone(), goify(v, "")));
                }
            }
            GoValue::Object(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deployment_in_go_order_with_always_written_fields() {
        let v = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}, "replicas": 1}});
        let g = goify(&v, "Deployment");
        assert_eq!(
            g.to_json_compact(),
            r#"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","creationTimestamp":null,"labels":{"app":"web"}},"spec":{"replicas":1,"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"nginx","image":"nginx","resources":{}}]}},"strategy":{}},"status":{}}"#
        );
    }

    #[test]
    fn unknown_types_keep_sorted_keys() {
        let g = goify(&json!({"b": 1, "a": {"d": 1, "c": 2}}), "");
        assert_eq!(g.to_json_compact(), r#"{"a":{"c":2,"d":1},"b":1}"#);
    }
}
