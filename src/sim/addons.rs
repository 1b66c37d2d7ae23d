//! The cluster's own workloads, as `kubeadm init` v1.32 leaves them: the control-plane
//! static pods (etcd, kube-apiserver, kube-controller-manager, kube-scheduler) on every
//! control-plane node, the kube-proxy DaemonSet and the CoreDNS Deployment in `kube-system`,
//! with their ServiceAccounts, ConfigMaps and RBAC, and the two system PriorityClasses.
//!
//! They are objects like any other and run through the same controllers, scheduler and
//! kubelets: `kubectl get pods -A` lists them, `kubectl drain` needs `--ignore-daemonsets`
//! for kube-proxy, the kube-dns Service has CoreDNS's endpoints, and a deleted CoreDNS pod
//! comes back. What they do (DNS answers, Service routing, the API) stays `sim`'s own work
//! (`sim::dns`, `sim::net`, `sim::api`); their programs serve only their health endpoints.
//!
//! `cluster::install` applies them during the install, before the learner arrives, drawing
//! names and UIDs from an RNG of their own so the learner's objects are named as before.

use serde_json::{json, Value};

use super::api::admission::priority::SYSTEM_CLASSES;
use super::api::WriteOptions;
use super::{Kind, Object, World};

/// The Kubernetes version the cluster runs (the nodes' kubelets report the same).
pub const VERSION: &str = "v1.32.0";
const COREDNS_IMAGE: &str = "registry.k8s.io/coredns/coredns:v1.11.3";
const ETCD_IMAGE: &str = "registry.k8s.io/etcd:3.5.16-0";

/// CoreDNS's configuration as kubeadm writes it.
const COREFILE: &str = ".:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
";

/// kube-proxy's configuration (the parts kubeadm sets; the rest are the defaults it prints).
const KUBE_PROXY_CONFIG: &str = "apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: \"\"
  burst: 0
  contentType: \"\"
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: 10.244.0.0/16
configSyncPeriod: 0s
conntrack:
  maxPerCore: null
  min: null
  tcpBeLiberal: false
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
  udpStreamTimeout: 0s
  udpTimeout: 0s
detectLocal:
  bridgeInterface: \"\"
  interfaceNamePrefix: \"\"
detectLocalMode: \"\"
enableProfiling: false
healthzBindAddress: \"\"
hostnameOverride: \"\"
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
ipvs:
  excludeCIDRs: null
  minSyncPeriod: 0s
  scheduler: \"\"
  strictARP: false
  syncPeriod: 0s
  tcpFinTimeout: 0s
  tcpTimeout: 0s
  udpTimeout: 0s
kind: KubeProxyConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: \"0\"
    text:
      infoBufferSize: \"0\"
  verbosity: 0
metricsBindAddress: \"\"
mode: \"\"
nftables:
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
nodePortAddresses: null
oomScoreAdj: null
portRange: \"\"
showHiddenMetricsForProbes: \"\"
winkernel:
  enableDSR: false
  forwardHealthCheckVip: false
  networkName: \"\"
  rootHnsEndpointName: \"\"
  sourceVip: \"\"
";

/// The PriorityClasses the API server creates as it starts.
pub fn install_priority_classes(w: &mut World) -> Result<(), String> {
    for (name, value, description) in SYSTEM_CLASSES {
        create(
            w,
            json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
            "metadata": {"name": name}, "value": value, "globalDefault": false,
            "description": description, "preemptionPolicy": "PreemptLowerPriority"}),
        )?;
    }
    Ok(())
}

/// Creates the objects of the cluster-wide add-ons (everything but the static pods).
pub fn install_cluster_addons(w: &mut World, apiserver_ip: &str) -> Result<(), String> {
    let mut docs = rbac();
    docs.extend(kube_proxy(apiserver_ip));
    docs.extend(coredns());
    for d in docs {
        create(w, d)?;
    }
    Ok(())
}

/// Creates one manifest through the API server, as `kubectl create -f` would.
pub(crate) fn create(w: &mut World, d: Value) -> Result<(), String> {
    let kind = d["kind"].as_str().unwrap_or("");
    let api = d["apiVersion"].as_str().unwrap_or("");
    let k = Kind::from_api_version_kind(api, kind).ok_or_else(|| format!("addons: unknown kind {api} {kind}"))?;
    let obj = Object::from_value(k, d)?;
    w.api_create(obj, WriteOptions::default()).map_err(|e| e.kubectl_text())?;
    Ok(())
}

fn rbac() -> Vec<Value> {
    vec![
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "coredns", "namespace": "kube-system"}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "kube-proxy", "namespace": "kube-system"}}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "system:coredns"},
        "rules": [
            {"apiGroups": [""], "resources": ["endpoints", "services", "pods", "namespaces"], "verbs": ["list", "watch"]},
            {"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]},
            {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["list", "watch"]}
        ]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "system:coredns"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:coredns"},
            "subjects": [{"kind": "ServiceAccount", "name": "coredns", "namespace": "kube-system"}]}),
    ]
}

fn kube_proxy(apiserver_ip: &str) -> Vec<Value> {
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt\n    server: https://{apiserver_ip}:6443\n  name: default\ncontexts:\n- context:\n    cluster: default\n    namespace: default\n    user: default\n  name: default\ncurrent-context: default\nusers:\n- name: default\n  user:\n    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token\n"
    );
    let labels = json!({"k8s-app": "kube-proxy"});
    vec![
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kube-proxy", "namespace": "kube-system", "labels": {"app": "kube-proxy"}},
            "data": {"config.conf": KUBE_PROXY_CONFIG, "kubeconfig.conf": kubeconfig}}),
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "kube-proxy", "namespace": "kube-system", "labels": labels},
        "spec": {
            "selector": {"matchLabels": labels},
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
            "template": {"metadata": {"labels": labels}, "spec": {
                "priorityClassName": "system-node-critical",
                "serviceAccountName": "kube-proxy",
                "hostNetwork": true,
                "nodeSelector": {"kubernetes.io/os": "linux"},
                "tolerations": [{"operator": "Exists"}],
                "containers": [{
                    "name": "kube-proxy",
                    "image": format!("registry.k8s.io/kube-proxy:{VERSION}"),
                    "imagePullPolicy": "IfNotPresent",
                    "command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"],
                    "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
                    "securityContext": {"privileged": true},
                    "volumeMounts": [
                        {"name": "kube-proxy", "mountPath": "/var/lib/kube-proxy"},
                        {"name": "xtables-lock", "mountPath": "/run/xtables.lock"},
                        {"name": "lib-modules", "mountPath": "/lib/modules", "readOnly": true}
                    ]
                }],
                "volumes": [
                    {"name": "kube-proxy", "configMap": {"name": "kube-proxy"}},
                    {"name": "xtables-lock", "hostPath": {"path": "/run/xtables.lock", "type": "FileOrCreate"}},
                    {"name": "lib-modules", "hostPath": {"path": "/lib/modules", "type": ""}}
                ]
            }}
        }}),
    ]
}

fn coredns() -> Vec<Value> {
    let labels = json!({"k8s-app": "kube-dns"});
    vec![
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "coredns", "namespace": "kube-system"},
            "data": {"Corefile": COREFILE}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "coredns", "namespace": "kube-system", "labels": labels},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": "25%"}},
            "template": {"metadata": {"labels": labels}, "spec": {
                "priorityClassName": "system-cluster-critical",
                "serviceAccountName": "coredns",
                "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{
                    "weight": 100,
                    "podAffinityTerm": {"labelSelector": {"matchExpressions": [{"key": "k8s-app", "operator": "In", "values": ["kube-dns"]}]},
                        "topologyKey": "kubernetes.io/hostname"}
                }]}},
                "tolerations": [
                    {"key": "CriticalAddonsOnly", "operator": "Exists"},
                    {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
                ],
                "nodeSelector": {"kubernetes.io/os": "linux"},
                "containers": [{
                    "name": "coredns",
                    "image": COREDNS_IMAGE,
                    "imagePullPolicy": "IfNotPresent",
                    "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
                    "args": ["-conf", "/etc/coredns/Corefile"],
                    "volumeMounts": [{"name": "config-volume", "mountPath": "/etc/coredns", "readOnly": true}],
                    "ports": [
                        {"containerPort": 53, "name": "dns", "protocol": "UDP"},
                        {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                        {"containerPort": 9153, "name": "metrics", "protocol": "TCP"}
                    ],
                    "securityContext": {"allowPrivilegeEscalation": false,
                        "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}, "readOnlyRootFilesystem": true},
                    "livenessProbe": {"httpGet": {"path": "/health", "port": 8080, "scheme": "HTTP"},
                        "initialDelaySeconds": 60, "timeoutSeconds": 5, "successThreshold": 1, "failureThreshold": 5},
                    "readinessProbe": {"httpGet": {"path": "/ready", "port": 8181, "scheme": "HTTP"}}
                }],
                "dnsPolicy": "Default",
                "volumes": [{"name": "config-volume", "configMap": {"name": "coredns", "items": [{"key": "Corefile", "path": "Corefile"}]}}]
            }}
        }}),
    ]
}

/// Creates the static pods' mirror pods on the control-plane node `node` (address `ip`), as
/// its kubelet does from /etc/kubernetes/manifests.
pub fn install_static_pods(w: &mut World, node: &str, ip: &str) -> Result<(), String> {
    let node_uid = w.store.get(Kind::Node, "", node).and_then(|o| o.meta().uid.clone()).unwrap_or_default();
    for (component, mut pod) in [
        ("etcd", etcd(node, ip)),
        ("kube-apiserver", apiserver(ip)),
        ("kube-controller-manager", controller_manager()),
        ("kube-scheduler", scheduler()),
    ] {
        // The kubelet hashes the manifest; the mirror pod carries the hash.
        let hash = w.random_hex(32);
        let seen = w.now.datetime().format("%Y-%m-%dT%H:%M:%S%.9fZ").to_string();
        let mut annotations = pod["metadata"]["annotations"].as_object().cloned().unwrap_or_default();
        annotations.insert("kubernetes.io/config.hash".into(), json!(hash));
        annotations.insert("kubernetes.io/config.mirror".into(), json!(hash));
        annotations.insert("kubernetes.io/config.seen".into(), json!(seen));
        annotations.insert("kubernetes.io/config.source".into(), json!("file"));
        pod["apiVersion"] = json!("v1");
        pod["kind"] = json!("Pod");
        pod["metadata"]["name"] = json!(format!("{component}-{node}"));
        pod["metadata"]["namespace"] = json!("kube-system");
        pod["metadata"]["labels"] = json!({"component": component, "tier": "control-plane"});
        pod["metadata"]["annotations"] = Value::Object(annotations);
        pod["metadata"]["ownerReferences"] =
            json!([{"apiVersion": "v1", "kind": "Node", "name": node, "uid": node_uid, "controller": true}]);
        let spec = &mut pod["spec"];
        spec["nodeName"] = json!(node);
        spec["hostNetwork"] = json!(true);
        spec["priorityClassName"] = json!("system-node-critical");
        spec["securityContext"] = json!({"seccompProfile": {"type": "RuntimeDefault"}});
        spec["tolerations"] = json!([{"effect": "NoExecute", "operator": "Exists"}]);
        spec["containers"][0]["name"] = json!(component);
        spec["containers"][0]["imagePullPolicy"] = json!("IfNotPresent");
        create(w, pod)?;
    }
    Ok(())
}

/// A kubeadm probe: HTTP(S) GET on the host network.
fn probe(host: &str, path: &str, port: u16, scheme: &str, failure: u32, initial: u32, period: u32) -> Value {
    let mut p = json!({"httpGet": {"host": host, "path": path, "port": port, "scheme": scheme},
        "periodSeconds": period, "timeoutSeconds": 15, "failureThreshold": failure});
    if initial > 0 {
        p["initialDelaySeconds"] = json!(initial);
    }
    p
}

/// A hostPath volume and its mount.
fn host_path(name: &str, path: &str, kind: &str, read_only: bool) -> (Value, Value) {
    let mut mount = json!({"name": name, "mountPath": path});
    if read_only {
        mount["readOnly"] = json!(true);
    }
    (json!({"name": name, "hostPath": {"path": path, "type": kind}}), mount)
}

/// The CA certificate directories every control-plane component mounts read-only.
fn ca_paths() -> Vec<(Value, Value)> {
    vec![
        host_path("ca-certs", "/etc/ssl/certs", "DirectoryOrCreate", true),
        host_path("etc-ca-certificates", "/etc/ca-certificates", "DirectoryOrCreate", true),
        host_path("k8s-certs", "/etc/kubernetes/pki", "DirectoryOrCreate", true),
        host_path("usr-local-share-ca-certificates", "/usr/local/share/ca-certificates", "DirectoryOrCreate", true),
        host_path("usr-share-ca-certificates", "/usr/share/ca-certificates", "DirectoryOrCreate", true),
    ]
}

fn static_pod(
    command: Vec<String>,
    image: String,
    cpu: &str,
    memory: Option<&str>,
    probes: Value,
    paths: Vec<(Value, Value)>,
) -> Value {
    let (volumes, mounts): (Vec<Value>, Vec<Value>) = paths.into_iter().unzip();
    let mut requests = json!({"cpu": cpu});
    if let Some(m) = memory {
        requests["memory"] = json!(m);
    }
    let mut container =
        json!({"command": command, "image": image, "resources": {"requests": requests}, "volumeMounts": mounts});
    if let Some(p) = probes.as_object() {
        for (k, v) in p {
            container[k] = v.clone();
        }
    }
    json!({"metadata": {}, "spec": {"containers": [container], "volumes": volumes}})
}

fn args(cmd: &str, flags: &[String]) -> Vec<String> {
    std::iter::once(cmd.to_string()).chain(flags.iter().cloned()).collect()
}

fn etcd(node: &str, ip: &str) -> Value {
    let flags: Vec<String> = [
        format!("--advertise-client-urls=https://{ip}:2379"),
        "--cert-file=/etc/kubernetes/pki/etcd/server.crt".into(),
        "--client-cert-auth=true".into(),
        "--data-dir=/var/lib/etcd".into(),
        "--experimental-initial-corrupt-check=true".into(),
        "--experimental-watch-progress-notify-interval=5s".into(),
        format!("--initial-advertise-peer-urls=https://{ip}:2380"),
        format!("--initial-cluster={node}=https://{ip}:2380"),
        "--key-file=/etc/kubernetes/pki/etcd/server.key".into(),
        format!("--listen-client-urls=https://127.0.0.1:2379,https://{ip}:2379"),
        "--listen-metrics-urls=http://127.0.0.1:2381".into(),
        format!("--listen-peer-urls=https://{ip}:2380"),
        format!("--name={node}"),
        "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt".into(),
        "--peer-client-cert-auth=true".into(),
        "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key".into(),
        "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt".into(),
        "--snapshot-count=10000".into(),
        "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt".into(),
    ]
    .into();
    let probes = json!({
        "livenessProbe": probe("127.0.0.1", "/livez", 2381, "HTTP", 8, 10, 10),
        "readinessProbe": probe("127.0.0.1", "/readyz", 2381, "HTTP", 3, 0, 1),
        "startupProbe": probe("127.0.0.1", "/readyz", 2381, "HTTP", 24, 10, 10),
    });
    let mut pod = static_pod(
        args("etcd", &flags),
        ETCD_IMAGE.into(),
        "100m",
        Some("100Mi"),
        probes,
        vec![
            host_path("etcd-certs", "/etc/kubernetes/pki/etcd", "DirectoryOrCreate", false),
            host_path("etcd-data", "/var/lib/etcd", "DirectoryOrCreate", false),
        ],
    );
    pod["metadata"]["annotations"] =
        json!({"kubeadm.kubernetes.io/etcd.advertise-client-urls": format!("https://{ip}:2379")});
    pod
}

fn apiserver(ip: &str) -> Value {
    let flags: Vec<String> = [
        format!("--advertise-address={ip}"),
        "--allow-privileged=true".into(),
        "--authorization-mode=Node,RBAC".into(),
        "--client-ca-file=/etc/kubernetes/pki/ca.crt".into(),
        "--enable-admission-plugins=NodeRestriction".into(),
        "--enable-bootstrap-token-auth=true".into(),
        "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt".into(),
        "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt".into(),
        "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key".into(),
        "--etcd-servers=https://127.0.0.1:2379".into(),
        "--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt".into(),
        "--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key".into(),
        "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname".into(),
        "--proxy-client-cert-file=/etc/kubernetes/pki/front-proxy-client.crt".into(),
        "--proxy-client-key-file=/etc/kubernetes/pki/front-proxy-client.key".into(),
        "--requestheader-allowed-names=front-proxy-client".into(),
        "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt".into(),
        "--requestheader-extra-headers-prefix=X-Remote-Extra-".into(),
        "--requestheader-group-headers=X-Remote-Group".into(),
        "--requestheader-username-headers=X-Remote-User".into(),
        "--secure-port=6443".into(),
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local".into(),
        "--service-account-key-file=/etc/kubernetes/pki/sa.pub".into(),
        "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key".into(),
        "--service-cluster-ip-range=10.96.0.0/12".into(),
        "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt".into(),
        "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key".into(),
    ]
    .into();
    let probes = json!({
        "livenessProbe": probe(ip, "/livez", 6443, "HTTPS", 8, 10, 10),
        "readinessProbe": probe(ip, "/readyz", 6443, "HTTPS", 3, 0, 1),
        "startupProbe": probe(ip, "/livez", 6443, "HTTPS", 24, 10, 10),
    });
    let mut pod = static_pod(
        args("kube-apiserver", &flags),
        format!("registry.k8s.io/kube-apiserver:{VERSION}"),
        "250m",
        None,
        probes,
        ca_paths(),
    );
    pod["metadata"]["annotations"] =
        json!({"kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": format!("{ip}:6443")});
    pod
}

fn controller_manager() -> Value {
    let flags: Vec<String> = [
        "--allocate-node-cidrs=true",
        "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--bind-address=127.0.0.1",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--cluster-cidr=10.244.0.0/16",
        "--cluster-name=kubernetes",
        "--cluster-signing-cert-file=/etc/kubernetes/pki/ca.crt",
        "--cluster-signing-key-file=/etc/kubernetes/pki/ca.key",
        "--controllers=*,bootstrapsigner,tokencleaner",
        "--kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--leader-elect=true",
        "--requestheader-client-ca-file=/etc/kubernetes/pki/front-proxy-ca.crt",
        "--root-ca-file=/etc/kubernetes/pki/ca.crt",
        "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
        "--service-cluster-ip-range=10.96.0.0/12",
        "--use-service-account-credentials=true",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let probes = json!({
        "livenessProbe": probe("127.0.0.1", "/healthz", 10257, "HTTPS", 8, 10, 10),
        "startupProbe": probe("127.0.0.1", "/healthz", 10257, "HTTPS", 24, 10, 10),
    });
    let mut paths = ca_paths();
    paths.insert(
        2,
        host_path("flexvolume-dir", "/usr/libexec/kubernetes/kubelet-plugins/volume/exec", "DirectoryOrCreate", false),
    );
    paths.insert(4, host_path("kubeconfig", "/etc/kubernetes/controller-manager.conf", "FileOrCreate", true));
    static_pod(
        args("kube-controller-manager", &flags),
        format!("registry.k8s.io/kube-controller-manager:{VERSION}"),
        "200m",
        None,
        probes,
        paths,
    )
}

fn scheduler() -> Value {
    let flags: Vec<String> = [
        "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
        "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf",
        "--bind-address=127.0.0.1",
        "--kubeconfig=/etc/kubernetes/scheduler.conf",
        "--leader-elect=true",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let probes = json!({
        "livenessProbe": probe("127.0.0.1", "/livez", 10259, "HTTPS", 8, 10, 10),
        "readinessProbe": probe("127.0.0.1", "/readyz", 10259, "HTTPS", 3, 0, 1),
        "startupProbe": probe("127.0.0.1", "/livez", 10259, "HTTPS", 24, 10, 10),
    });
    static_pod(
        args("kube-scheduler", &flags),
        format!("registry.k8s.io/kube-scheduler:{VERSION}"),
        "100m",
        None,
        probes,
        vec![host_path("kubeconfig", "/etc/kubernetes/scheduler.conf", "FileOrCreate", true)],
    )
}

/// Whether every pod of the add-ons is Running and Ready.
pub fn settled(w: &World) -> bool {
    let pods = w.store.list(Kind::Pod, Some("kube-system"));
    let want_proxies = w.store.count(Kind::Node);
    let proxies = pods.iter().filter(|o| o.name().starts_with("kube-proxy-")).count();
    let dns = pods.iter().filter(|o| o.name().starts_with("coredns-")).count();
    proxies >= want_proxies
        && dns >= 2
        && pods.iter().all(|o| match o {
            Object::Pod(p) => crate::sim::controllers::pods::is_ready(p),
            _ => true,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_classes_are_found() {
        let mut w = World::bare(1);
        install_priority_classes(&mut w).unwrap();
        assert!(
            w.store.get(Kind::PriorityClass, "", "system-node-critical").is_some(),
            "{:?}",
            w.store.list(Kind::PriorityClass, None).iter().map(|o| o.key()).collect::<Vec<_>>()
        );
    }
}
