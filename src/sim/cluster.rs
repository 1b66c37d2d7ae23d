//! The clusters a world can start from. The default (target `empty`) is a kubeadm-style
//! cluster like the exam's: `controlplane` (tainted NoSchedule) and workers `node01`,
//! `node02`, each 4 CPU and 8Gi, with the four standard namespaces, created some days before
//! the learner arrives.

use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Node, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use serde_json::json;

use super::clock::{Tick, ARRIVAL};
use super::{Kind, Object, World};

/// How long before the learner arrives the cluster was installed (so AGE columns look
/// lived-in): [`ARRIVAL`] in seconds.
pub const CLUSTER_AGE_S: i64 = ARRIVAL.0 as i64;

/// Configuration of one node of a cluster.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    pub name: String,
    pub cpu: String,
    pub memory: String,
    pub pods: u32,
    pub control_plane: bool,
    pub labels: Vec<(String, String)>,
    pub taints: Vec<(String, String, String)>,
}

impl NodeConfig {
    pub fn worker(name: &str) -> NodeConfig {
        NodeConfig {
            name: name.into(),
            cpu: "4".into(),
            memory: "8Gi".into(),
            pods: 110,
            control_plane: false,
            labels: vec![],
            taints: vec![],
        }
    }
    pub fn control_plane(name: &str) -> NodeConfig {
        NodeConfig {
            control_plane: true,
            taints: vec![("node-role.kubernetes.io/control-plane".into(), String::new(), "NoSchedule".into())],
            ..NodeConfig::worker(name)
        }
    }
}

/// When the cluster's own objects were created: tick 0.
pub fn install_time(_w: &World) -> Time {
    Tick(0).time()
}

/// The default cluster: `controlplane`, `node01`, `node02`, with the default StorageClass.
pub fn install_default(w: &mut World) {
    install(w, &default_nodes(), &[], true);
}

/// The default cluster's nodes.
pub fn default_nodes() -> Vec<NodeConfig> {
    vec![NodeConfig::control_plane("controlplane"), NodeConfig::worker("node01"), NodeConfig::worker("node02")]
}

/// Installs a cluster on a bare world, as kubeadm would have twelve days before the learner
/// arrives: the standard namespaces, the control-plane nodes, the API server's own Services
/// (and the default StorageClass when `storage_class`), the add-ons (`sim::addons`), then the
/// workers joining, then `namespaces`. The add-ons come up through the real controllers,
/// scheduler and kubelets during a warm-up from tick 0; then the clock jumps to
/// [`ARRIVAL`] (`arrive`).
///
/// The add-ons draw from an RNG of their own (derived from the seed), so the names and UIDs
/// of everything else — and of whatever the learner creates — do not depend on them.
pub fn install(w: &mut World, nodes: &[NodeConfig], namespaces: &[String], storage_class: bool) {
    let arrival = w.now.max(ARRIVAL);
    w.now = Tick(0);
    // metrics-server's readings start when the learner arrives.
    let metrics = std::mem::replace(&mut w.metrics.enabled, false);
    for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        add_namespace(w, ns);
    }
    // The control plane first: kubeadm init, the add-ons, then the workers join.
    let (control, workers): (Vec<&NodeConfig>, Vec<&NodeConfig>) = nodes.iter().partition(|n| n.control_plane);
    for n in &control {
        add_node(w, n);
    }
    // The API server advertises the first node's address (192.168.1.10).
    let apiserver_ip = node_ip(0);
    if storage_class {
        super::storage::install_default_class(w);
        super::services::install_builtin(w, &apiserver_ip);
    }
    with_own_rng(w, |w| {
        if let Err(e) = super::addons::install_priority_classes(w) {
            debug_assert!(false, "priority classes: {e}");
        }
        for (i, n) in control.iter().enumerate() {
            if let Err(e) = super::addons::install_static_pods(w, &n.name, &node_ip(i)) {
                debug_assert!(false, "static pods: {e}");
            }
        }
        if let Err(e) = super::addons::install_cluster_addons(w, &apiserver_ip) {
            debug_assert!(false, "add-ons: {e}");
        }
        // kubeadm init waits for the control plane; CoreDNS lands on it before any worker
        // joins (it tolerates the control-plane taint).
        warm_up(w, 60);
    });
    for n in &workers {
        add_node(w, n);
    }
    with_own_rng(w, |w| warm_up(w, 120));
    for ns in namespaces {
        add_namespace(w, ns);
    }
    w.metrics.enabled = metrics;
    if metrics {
        // metrics-server has been running all along: it read the kubelets a resolution
        // before the learner arrives and reads them again as they do, so `kubectl top` has
        // figures at once.
        w.now = Tick(arrival.0 - super::metrics::RESOLUTION_S as u64);
        super::metrics::scrape(w);
    }
    arrive(w, arrival);
    if metrics {
        super::metrics::scrape(w);
    }
}

/// The InternalIP of the `index`th node (192.168.1.10, .11, ... as `add_node` assigns).
fn node_ip(index: usize) -> String {
    std::net::Ipv4Addr::from(u32::from(std::net::Ipv4Addr::new(192, 168, 1, 10)) + index as u32).to_string()
}

/// Runs `f` with an RNG stream of its own in place of the world's, then puts the world's back
/// untouched.
fn with_own_rng(w: &mut World, f: impl FnOnce(&mut World)) {
    use rand::SeedableRng;
    let own = rand_chacha::ChaCha8Rng::seed_from_u64(w.seed ^ 0x6164_646f_6e73_2d31);
    let saved = std::mem::replace(&mut w.rng, own);
    f(w);
    w.rng = saved;
}

/// Ticks until the add-ons run (every pod Running and Ready), at most `max` ticks.
fn warm_up(w: &mut World, max: u64) {
    let _ = w.run_until(super::addons::settled, max);
    // The controllers report the pods' readiness in their status a tick later.
    w.advance(3);
}

/// The clock jumps from the install to the learner's arrival. Twelve days passed: the
/// kubelets kept renewing their leases and reporting their nodes, the events of the install
/// expired (the API server keeps events for an hour), and metrics-server starts afresh.
fn arrive(w: &mut World, arrival: Tick) {
    w.now = arrival;
    super::nodes::resume(w);
    // The scheduler was restarted since (the learner's pods are placed as on a fresh one).
    w.scheduler.restart();
    for k in w.store.keys(Kind::Event, None) {
        let _ = w.store.delete(Kind::Event, &k.namespace, &k.name);
    }
}

/// Memory in Ki as the kubelet reports it, from a quantity like `8Gi`.
fn memory_ki(q: &str) -> i64 {
    super::quantity::parse_value(q).unwrap_or(8 << 30) / 1024
}

pub fn add_node(w: &mut World, cfg: &NodeConfig) {
    let index = w.store.count(super::Kind::Node).min(u16::MAX as usize) as u16;
    w.network.add_node(&cfg.name, index);
    let created = install_time(w);
    let mut labels = serde_json::Map::new();
    for (k, v) in [
        ("beta.kubernetes.io/arch", "amd64"),
        ("beta.kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
        ("kubernetes.io/hostname", cfg.name.as_str()),
        ("kubernetes.io/os", "linux"),
    ] {
        labels.insert(k.into(), json!(v));
    }
    if cfg.control_plane {
        labels.insert("node-role.kubernetes.io/control-plane".into(), json!(""));
        labels.insert("node.kubernetes.io/exclude-from-external-load-balancers".into(), json!(""));
    }
    for (k, v) in &cfg.labels {
        labels.insert(k.clone(), json!(v));
    }
    let taints: Vec<_> = cfg
        .taints
        .iter()
        .map(
            |(k, v, e)| {
                if v.is_empty() {
                    json!({"key": k, "effect": e})
                } else {
                    json!({"key": k, "value": v, "effect": e})
                }
            },
        )
        .collect();
    // A VM's memory as the kernel reports it: the nominal size less what firmware and the
    // kernel keep (about 56Mi), so capacity reads like a real node's (`8331264Ki`).
    let mem_ki = (memory_ki(&cfg.memory) - 57_344).max(0);
    // The kubelet reserves 100Mi for its hard eviction threshold.
    let alloc_ki = (mem_ki - 102_400).max(0);
    // 192.168.1.10, .11, ... and on into 192.168.2.0 and beyond in a large cluster.
    let ip = node_ip(usize::from(index));
    let pod_cidr = w.network.pod_cidr(&cfg.name).unwrap_or_default();
    let ts = json!(created);
    // The kubelet last reported its status at most 5 minutes ago (nodeStatusReportFrequency).
    let beat = json!(w.now.time());
    let ready_msg = "kubelet is posting ready status";
    let uid = w.new_uid();
    let machine = w.random_hex(32);
    let boot = w.new_uid();
    let node = json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": cfg.name,
            "uid": uid,
            "creationTimestamp": ts,
            "labels": labels,
            "annotations": {
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true"
            }
        },
        "spec": {
            "podCIDR": pod_cidr,
            "podCIDRs": [pod_cidr],
            "taints": if taints.is_empty() { serde_json::Value::Null } else { json!(taints) }
        },
        "status": {
            "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": cfg.name}],
            "allocatable": {"cpu": cfg.cpu, "ephemeral-storage": "47093746742", "hugepages-1Gi": "0", "hugepages-2Mi": "0", "memory": format!("{alloc_ki}Ki"), "pods": cfg.pods.to_string()},
            "capacity": {"cpu": cfg.cpu, "ephemeral-storage": "51098600Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0", "memory": format!("{mem_ki}Ki"), "pods": cfg.pods.to_string()},
            "conditions": [
                {"type": "MemoryPressure", "status": "False", "lastHeartbeatTime": beat, "lastTransitionTime": ts, "reason": "KubeletHasSufficientMemory", "message": "kubelet has sufficient memory available"},
                {"type": "DiskPressure", "status": "False", "lastHeartbeatTime": beat, "lastTransitionTime": ts, "reason": "KubeletHasNoDiskPressure", "message": "kubelet has no disk pressure"},
                {"type": "PIDPressure", "status": "False", "lastHeartbeatTime": beat, "lastTransitionTime": ts, "reason": "KubeletHasSufficientPID", "message": "kubelet has sufficient PID available"},
                {"type": "Ready", "status": "True", "lastHeartbeatTime": beat, "lastTransitionTime": ts, "reason": "KubeletReady", "message": ready_msg}
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": boot,
                "containerRuntimeVersion": "containerd://1.7.24",
                "kernelVersion": "6.8.0-1015-gcp",
                "kubeProxyVersion": "v1.32.0",
                "kubeletVersion": "v1.32.0",
                "machineID": machine,
                "operatingSystem": "linux",
                "osImage": "Ubuntu 24.04.1 LTS",
                "systemUUID": w.new_uid()
            }
        }
    });
    if let Ok(n) = serde_json::from_value::<Node>(node) {
        let _ = w.store.create(Object::Node(Box::new(n)));
    }
    // The node's Lease in kube-node-lease, renewed by its kubelet every 10 s.
    let lease_uid = w.new_uid();
    let lease = json!({
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {
            "name": cfg.name,
            "namespace": "kube-node-lease",
            "uid": lease_uid,
            "creationTimestamp": ts,
            "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": cfg.name, "uid": uid}]
        },
        "spec": {
            "holderIdentity": cfg.name,
            "leaseDurationSeconds": 40,
            "renewTime": w.now.datetime().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
        }
    });
    if let Ok(l) = serde_json::from_value::<k8s_openapi::api::coordination::v1::Lease>(lease) {
        let _ = w.store.create(Object::Lease(Box::new(l)));
    }
}

/// Creates a namespace with what its controllers add at once: the `default` ServiceAccount and
/// the `kube-root-ca.crt` ConfigMap.
pub fn add_namespace(w: &mut World, name: &str) {
    let created = w.now.time();
    let uid = w.new_uid();
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(name.into()),
            uid: Some(uid),
            creation_timestamp: Some(created.clone()),
            labels: Some([("kubernetes.io/metadata.name".to_string(), name.to_string())].into()),
            ..Default::default()
        },
        spec: Some(k8s_openapi::api::core::v1::NamespaceSpec { finalizers: Some(vec!["kubernetes".into()]) }),
        status: Some(k8s_openapi::api::core::v1::NamespaceStatus {
            phase: Some("Active".into()),
            ..Default::default()
        }),
    };
    let _ = w.store.create(Object::Namespace(Box::new(ns)));
    populate_namespace(w, name, created);
}

/// The objects the service-account and root-CA-publisher controllers put in every namespace.
pub fn populate_namespace(w: &mut World, name: &str, created: Time) {
    let sa_uid = w.new_uid();
    let sa = ServiceAccount {
        metadata: ObjectMeta {
            name: Some("default".into()),
            namespace: Some(name.into()),
            uid: Some(sa_uid),
            creation_timestamp: Some(created.clone()),
            ..Default::default()
        },
        ..Default::default()
    };
    let _ = w.store.create(Object::ServiceAccount(Box::new(sa)));
    let cm_uid = w.new_uid();
    let cm = ConfigMap {
        metadata: ObjectMeta {
            name: Some("kube-root-ca.crt".into()),
            namespace: Some(name.into()),
            uid: Some(cm_uid),
            creation_timestamp: Some(created),
            annotations: Some([("kubernetes.io/description".to_string(), "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.".to_string())].into()),
            ..Default::default()
        },
        data: Some([("ca.crt".to_string(), ROOT_CA.to_string())].into()),
        ..Default::default()
    };
    let _ = w.store.create(Object::ConfigMap(Box::new(cm)));
}

/// A stand-in cluster CA certificate (not a real key pair; nothing verifies it).
const ROOT_CA: &str = "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIKubeDojoSimMA0GCSqGSIb3DQEBCwUAMBUxEzARBgNVBAMT\nCmt1YmVybmV0ZXMwHhcNMjQxMjIwMDAwMDAwWhcNMzQxMjE4MDAwMDAwWjAVMRMw\nEQYDVQQDEwprdWJlcm5ldGVzMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKC\n-----END CERTIFICATE-----\n";
