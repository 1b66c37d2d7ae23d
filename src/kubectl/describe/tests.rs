//! Unit tests of the describers on hand-built objects. Each expected text was checked against
//! describe.go (v1.32) and against the real kubectl v1.32 describing the same object through a
//! fake API server (see tests/it/oracle_describe.rs, which runs such comparisons).

use super::*;
use crate::sim::clock::ARRIVAL;
use serde_json::json;

fn world_with(objects: &[serde_json::Value]) -> World {
    let mut w = World::bare(1);
    // 2025-01-01T00:10:00Z
    w.now = ARRIVAL.plus_s(600);
    for o in objects {
        let kind = Kind::from_api_version_kind(o["apiVersion"].as_str().unwrap(), o["kind"].as_str().unwrap()).unwrap();
        w.store.create(Object::from_value(kind, o.clone()).unwrap()).unwrap();
    }
    w
}

fn describe_named(w: &World, kind: Kind, ns: &str, name: &str) -> String {
    describe(w, w.store.get(kind, ns, name).unwrap(), true)
}

#[test]
fn pending_pod_with_failed_scheduling_event() {
    let w = world_with(&[
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "big", "namespace": "default", "uid": "u-big", "creationTimestamp": "2025-01-01T00:00:00Z"},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
                "resources": {"requests": {"cpu": "5", "memory": "1Gi"}}}],
                "priority": 0, "serviceAccountName": "default",
                "tolerations": [
                    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}]},
            "status": {"phase": "Pending", "qosClass": "Burstable",
                "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                    "message": "0/3 nodes are available: 3 Insufficient cpu."}]}}),
        json!({"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "big.1816687efbf1ca01", "namespace": "default"},
            "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": "big", "namespace": "default", "uid": "u-big"},
            "reason": "FailedScheduling", "type": "Warning",
            "message": "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
            "firstTimestamp": "2025-01-01T00:00:00Z", "lastTimestamp": "2025-01-01T00:05:00Z", "count": 2,
            "source": {"component": "default-scheduler"}}),
    ]);
    let want = "\
Name:             big
Namespace:        default
Priority:         0
Service Account:  default
Node:             <none>
Labels:           <none>
Annotations:      <none>
Status:           Pending
IP:               
IPs:              <none>
Containers:
  app:
    Image:      nginx:1.27
    Port:       <none>
    Host Port:  <none>
    Requests:
      cpu:        5
      memory:     1Gi
    Environment:  <none>
    Mounts:       <none>
Conditions:
  Type           Status
  PodScheduled   False 
Volumes:         <none>
QoS Class:       Burstable
Node-Selectors:  <none>
Tolerations:     node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
                 node.kubernetes.io/unreachable:NoExecute op=Exists for 300s
Events:
  Type     Reason            Age               From               Message
  ----     ------            ----              ----               -------
  Warning  FailedScheduling  5m (x2 over 10m)  default-scheduler  0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.
";
    assert_eq!(describe_named(&w, Kind::Pod, "default", "big"), want);
}

#[test]
fn events_are_left_out_with_show_events_false_and_none_is_said() {
    let w = world_with(&[json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "default"}, "data": {"k": "v"}})]);
    let cm = w.store.get(Kind::ConfigMap, "default", "c").unwrap();
    let with = describe(&w, cm, true);
    let without = describe(&w, cm, false);
    assert_eq!(
        with,
        "Name:         c\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\n\nData\n====\nk:\n----\nv\n\n\nBinaryData\n====\n\nEvents:  <none>\n"
    );
    assert_eq!(without, with.trim_end_matches("Events:  <none>\n"));
}

#[test]
fn secret_shows_byte_counts_not_values() {
    let w = world_with(&[json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "db", "namespace": "default", "labels": {"app": "db"}},
        "type": "Opaque", "data": {"password": "czNjcjN0", "user": "YWRtaW4="}})]);
    assert_eq!(
        describe_named(&w, Kind::Secret, "default", "db"),
        "Name:         db\nNamespace:    default\nLabels:       app=db\nAnnotations:  <none>\n\nType:  Opaque\n\nData\n====\npassword:  6 bytes\nuser:      5 bytes\n"
    );
}

#[test]
fn probes_read_like_kubectl() {
    let probe = |v: serde_json::Value| {
        let mut p: k8s_openapi::api::core::v1::Probe = serde_json::from_value(v).unwrap();
        p.timeout_seconds = Some(1);
        p.period_seconds = Some(10);
        p.success_threshold = Some(1);
        p.failure_threshold = Some(3);
        pod::describe_probe(&p)
    };
    let attrs = "delay=0s timeout=1s period=10s #success=1 #failure=3";
    assert_eq!(
        probe(json!({"httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"}})),
        format!("http-get http://:8080/healthz {attrs}")
    );
    assert_eq!(probe(json!({"httpGet": {"port": 80, "scheme": "HTTP"}})), format!("http-get http://:80 {attrs}"));
    assert_eq!(
        probe(json!({"httpGet": {"host": "::1", "path": "ready", "port": "http", "scheme": "HTTPS"}})),
        format!("http-get https://[::1]:http/ready {attrs}")
    );
    assert_eq!(
        probe(json!({"httpGet": {"path": "/a b", "port": 80, "scheme": "HTTP"}})),
        format!("http-get http://:80/a%20b {attrs}")
    );
    assert_eq!(probe(json!({"tcpSocket": {"port": 3306}})), format!("tcp-socket :3306 {attrs}"));
    assert_eq!(
        probe(json!({"exec": {"command": ["cat", "/tmp/healthy"]}})),
        format!("exec [cat /tmp/healthy] {attrs}")
    );
    assert_eq!(probe(json!({"grpc": {"port": 2379}})), format!("grpc <pod>:2379  {attrs}"));
    assert_eq!(
        probe(json!({"initialDelaySeconds": 5})),
        "unknown delay=5s timeout=1s period=10s #success=1 #failure=3"
    );
}

#[test]
fn long_and_multiline_annotations_are_folded() {
    let long = "x".repeat(150);
    let w = world_with(&[json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "default",
            "annotations": {"a": "short", "b": long, "c": "line1\nline2\n",
                            "kubectl.kubernetes.io/last-applied-configuration": "{}"}}})]);
    let text = describe(&w, w.store.get(Kind::ConfigMap, "default", "c").unwrap(), false);
    let want = format!(
        "Annotations:  a: short\n              b:\n                {}...\n              c:\n                line1\n                line2\n",
        "x".repeat(138)
    );
    assert!(text.contains(&want), "{text}");
}

#[test]
fn terminal_escapes_are_made_visible() {
    let w = world_with(&[json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "c", "namespace": "default", "labels": {"evil": "a\u{1b}[2Jb"}}})]);
    let text = describe(&w, w.store.get(Kind::ConfigMap, "default", "c").unwrap(), false);
    assert!(text.contains("Labels:       evil=a^[[2Jb\n"), "{text}");
}

#[test]
fn node_allocated_resources_count_init_containers_and_sidecars() {
    let w = world_with(&[
        json!({"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": "n1", "uid": "n1-uid", "creationTimestamp": "2024-12-20T00:00:00Z"},
            "status": {"allocatable": {"cpu": "2", "memory": "4Gi", "pods": "110"},
                       "capacity": {"cpu": "2", "memory": "4Gi", "pods": "110"}}}),
        // Containers 100m + 200m; an init container of 500m dominates; a sidecar of 50m adds
        // to both: requests max(300m+50m, 500m+50m) = 550m. Limits: only the sidecar's 1Gi.
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "default", "creationTimestamp": "2025-01-01T00:09:00Z"},
            "spec": {"nodeName": "n1",
                "initContainers": [
                    {"name": "sidecar", "image": "b", "restartPolicy": "Always", "resources": {"requests": {"cpu": "50m"}, "limits": {"memory": "1Gi"}}},
                    {"name": "init", "image": "b", "resources": {"requests": {"cpu": "500m", "memory": "128Mi"}}}],
                "containers": [
                    {"name": "a", "image": "b", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}},
                    {"name": "b", "image": "b", "resources": {"requests": {"cpu": "0.2"}}}]},
            "status": {"phase": "Running"}}),
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "done", "namespace": "default"},
            "spec": {"nodeName": "n1", "containers": [{"name": "a", "image": "b", "resources": {"requests": {"cpu": "1"}}}]},
            "status": {"phase": "Succeeded"}}),
    ]);
    let text = describe_named(&w, Kind::Node, "", "n1");
    let want = "\
Non-terminated Pods:          (1 in total)
  Namespace                   Name    CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age
  ---------                   ----    ------------  ----------  ---------------  -------------  ---
  default                     p       550m (27%)    0 (0%)      128Mi (3%)       1Gi (25%)      60s
Allocated resources:
  (Total limits may be over 100 percent, i.e., overcommitted.)
  Resource           Requests    Limits
  --------           --------    ------
  cpu                550m (27%)  0 (0%)
  memory             128Mi (3%)  1Gi (25%)
  ephemeral-storage  0 (0%)      0 (0%)
Events:              <none>
";
    assert!(text.ends_with(want), "{text}");
    assert!(text.contains("Lease:              Failed to get lease: leases.coordination.k8s.io \"n1\" not found\n"));
}

#[test]
fn qos_is_computed_when_the_status_has_none() {
    let pod = |resources: serde_json::Value| -> k8s_openapi::api::core::v1::Pod {
        serde_json::from_value(
            json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "resources": resources}]}}),
        )
        .unwrap()
    };
    assert_eq!(pod::qos_class(&pod(json!({}))), "BestEffort");
    assert_eq!(pod::qos_class(&pod(json!({"requests": {"cpu": "100m"}}))), "Burstable");
    let g = json!({"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1000m", "memory": "1Gi"}});
    assert_eq!(pod::qos_class(&pod(g)), "Guaranteed");
    let b = json!({"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}});
    assert_eq!(pod::qos_class(&pod(b)), "Burstable");
}

#[test]
fn quantities_selectors_and_times_print_like_go() {
    assert_eq!(canonical("0.5"), "500m");
    assert_eq!(canonical("1024Mi"), "1Gi");
    assert_eq!(canonical("8388608Ki"), "8Gi");
    assert_eq!(canonical("1000m"), "1");
    assert_eq!(canonical("not-a-quantity"), "not-a-quantity");
    let sel: LabelSelector = serde_json::from_value(json!({
        "matchLabels": {"tier": "db", "app": "web"},
        "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]},
                             {"key": "canary", "operator": "DoesNotExist"}]}))
    .unwrap();
    assert_eq!(selector_string(Some(&sel)), "app=web,!canary,env in (dev,prod),tier=db");
    assert_eq!(format_label_selector(Some(&LabelSelector::default())), "<none>");
    assert_eq!(format_labels(None), "<none>");
    assert_eq!(rfc1123z(Some(&ARRIVAL.plus_s(5).time())), "Wed, 01 Jan 2025 00:00:05 +0000");
    assert_eq!(rfc1123z(None), "Mon, 01 Jan 0001 00:00:00 +0000");
}

#[test]
fn kinds_without_a_describer_get_the_generic_one() {
    let w = world_with(&[json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": {"name": "node01", "namespace": "kube-node-lease", "creationTimestamp": "2024-12-20T00:00:00Z"},
        "spec": {"holderIdentity": "node01", "leaseDurationSeconds": 40}})]);
    let text = describe_named(&w, Kind::Lease, "kube-node-lease", "node01");
    assert_eq!(
        text,
        "Name:         node01\nNamespace:    kube-node-lease\nLabels:       <none>\nAnnotations:  <none>\nAPI Version:  coordination.k8s.io/v1\nKind:         Lease\nMetadata:\n  Creation Timestamp:  2024-12-20T00:00:00Z\n  Resource Version:    1\nSpec:\n  Holder Identity:         node01\n  Lease Duration Seconds:  40\nEvents:                    <none>\n"
    );
}

#[test]
fn bare_objects_of_every_kind_describe_without_panicking() {
    for kind in Kind::ALL {
        let mut meta = json!({"name": "x"});
        if kind.namespaced() {
            meta["namespace"] = json!("default");
        }
        // The fields k8s-openapi requires, each at its zero value.
        let mut v = json!({"apiVersion": kind.api_version(), "kind": kind.name(), "metadata": meta});
        match kind {
            Kind::Event => v["involvedObject"] = json!({}),
            Kind::RoleBinding | Kind::ClusterRoleBinding => {
                v["roleRef"] = json!({"apiGroup": "", "kind": "", "name": ""})
            }
            Kind::StorageClass => v["provisioner"] = json!(""),
            Kind::EndpointSlice => {
                v["addressType"] = json!("IPv4");
                v["endpoints"] = json!([]);
            }
            Kind::PriorityClass => v["value"] = json!(0),
            Kind::ControllerRevision => v["revision"] = json!(0),
            _ => {}
        }
        let w = world_with(&[v]);
        let ns = if kind.namespaced() { "default" } else { "" };
        let text = describe_named(&w, *kind, ns, "x");
        assert!(text.starts_with("Name:"), "{kind:?}: {text}");
    }
}
