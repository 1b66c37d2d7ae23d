//! The printers' subtle cells: every branch of printPod's STATUS logic, READY with native
//! sidecars, RESTARTS with the last restart time, and the rows of the kinds that have no
//! controller yet (built by hand here).

use chrono::{Duration, TimeZone};
use serde_json::json;

use super::*;

/// The printing instant of every test: 2025-01-01T01:00:00Z.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 1, 0, 0).unwrap()
}

/// An RFC 3339 timestamp `s` seconds before [`now`].
fn ago(s: i64) -> String {
    (now() - Duration::seconds(s)).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn obj(kind: Kind, v: Value) -> Object {
    Object::from_value(kind, v).unwrap_or_else(|e| panic!("bad test object: {e}"))
}

fn cells(o: &Object) -> Vec<String> {
    row(o, now()).0.iter().map(Cell::text).collect()
}

fn meta(name: &str) -> Value {
    json!({"name": name, "namespace": "default", "creationTimestamp": ago(300)})
}

/// A pod with containers `app` (and `init` containers named in `init`), and the given status.
fn pod(spec_extra: Value, status: Value) -> Object {
    let mut spec = json!({"containers": [{"name": "app", "image": "nginx"}]});
    if let (Some(s), Some(extra)) = (spec.as_object_mut(), spec_extra.as_object()) {
        for (k, v) in extra {
            s.insert(k.clone(), v.clone());
        }
    }
    obj(Kind::Pod, json!({"metadata": meta("p"), "spec": spec, "status": status}))
}

/// READY, STATUS and RESTARTS of a pod.
fn pod_status(o: &Object) -> (String, String, String) {
    let c = cells(o);
    (c[1].clone(), c[2].clone(), c[3].clone())
}

fn s(ready: &str, status: &str, restarts: &str) -> (String, String, String) {
    (ready.into(), status.into(), restarts.into())
}

fn waiting(name: &str, reason: &str) -> Value {
    json!({"name": name, "image": "x", "imageID": "", "ready": false, "restartCount": 0, "started": false,
           "state": {"waiting": {"reason": reason}}})
}

fn running(name: &str, ready: bool) -> Value {
    json!({"name": name, "image": "x", "imageID": "", "ready": ready, "restartCount": 0, "started": true,
           "state": {"running": {"startedAt": ago(100)}}})
}

fn terminated(name: &str, code: i32, reason: Option<&str>, signal: Option<i32>) -> Value {
    let mut t = json!({"exitCode": code, "startedAt": ago(60), "finishedAt": ago(50)});
    if let Some(r) = reason {
        t["reason"] = json!(r);
    }
    if let Some(sig) = signal {
        t["signal"] = json!(sig);
    }
    json!({"name": name, "image": "x", "imageID": "", "ready": false, "restartCount": 0, "started": false,
           "state": {"terminated": t}})
}

fn cond(type_: &str, status: bool) -> Value {
    json!({"type": type_, "status": if status { "True" } else { "False" }})
}

#[test]
fn human_duration_matches_apimachinery() {
    let cases: &[(i64, &str)] = &[
        (-5, "<invalid>"),
        (-1, "0s"),
        (0, "0s"),
        (119, "119s"),
        (120, "2m"),
        (125, "2m5s"),
        (599, "9m59s"),
        (600, "10m"),
        (3 * 3600 - 1, "179m"),
        (3 * 3600, "3h"),
        (3 * 3600 + 20 * 60, "3h20m"),
        (8 * 3600, "8h"),
        (47 * 3600 + 59, "47h"),
        (48 * 3600, "2d"),
        (53 * 3600, "2d5h"),
        (8 * 24 * 3600, "8d"),
        (400 * 24 * 3600, "400d"),
        (2 * 365 * 24 * 3600, "2y"),
        (((3 * 365) + 12) * 24 * 3600, "3y12d"),
        (9 * 365 * 24 * 3600, "9y"),
    ];
    for (secs, want) in cases {
        assert_eq!(human_duration(*secs), *want, "{secs} seconds");
    }
    assert_eq!(since(None, now()), "<unknown>");
}

#[test]
fn pod_pending_unscheduled_and_container_creating() {
    let p = pod(json!({}), json!({"phase": "Pending", "conditions": [cond("PodScheduled", false)]}));
    assert_eq!(pod_status(&p), s("0/1", "Pending", "0"));
    let p = pod(json!({}), json!({"phase": "Pending", "containerStatuses": [waiting("app", "ContainerCreating")]}));
    assert_eq!(pod_status(&p), s("0/1", "ContainerCreating", "0"));
    let p = pod(json!({}), json!({"phase": "Pending", "containerStatuses": [waiting("app", "ErrImagePull")]}));
    assert_eq!(pod_status(&p), s("0/1", "ErrImagePull", "0"));
    let p = pod(json!({}), json!({"phase": "Pending", "containerStatuses": [waiting("app", "ImagePullBackOff")]}));
    assert_eq!(pod_status(&p), s("0/1", "ImagePullBackOff", "0"));
}

#[test]
fn pod_scheduling_gated() {
    let p = pod(
        json!({"schedulingGates": [{"name": "example.com/gate"}]}),
        json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}),
    );
    assert_eq!(pod_status(&p), s("0/1", "SchedulingGated", "0"));
}

#[test]
fn pod_running_ready_and_not_ready() {
    let p = pod(json!({}), json!({"phase": "Running", "containerStatuses": [running("app", true)]}));
    assert_eq!(pod_status(&p), s("1/1", "Running", "0"));
    let p = pod(json!({}), json!({"phase": "Running", "containerStatuses": [running("app", false)]}));
    assert_eq!(pod_status(&p), s("0/1", "Running", "0"));
}

#[test]
fn pod_completed_error_oomkilled_exit_code_signal() {
    let p = pod(
        json!({}),
        json!({"phase": "Succeeded", "containerStatuses": [terminated("app", 0, Some("Completed"), None)]}),
    );
    assert_eq!(pod_status(&p), s("0/1", "Completed", "0"));
    assert_eq!(row(&p, now()).1[0].reason, "Succeeded");
    let p =
        pod(json!({}), json!({"phase": "Failed", "containerStatuses": [terminated("app", 1, Some("Error"), None)]}));
    assert_eq!(pod_status(&p), s("0/1", "Error", "0"));
    assert_eq!(row(&p, now()).1[0].message, "The pod failed.");
    let p = pod(
        json!({}),
        json!({"phase": "Failed", "containerStatuses": [terminated("app", 137, Some("OOMKilled"), None)]}),
    );
    assert_eq!(pod_status(&p), s("0/1", "OOMKilled", "0"));
    let p = pod(json!({}), json!({"phase": "Failed", "containerStatuses": [terminated("app", 3, None, None)]}));
    assert_eq!(pod_status(&p), s("0/1", "ExitCode:3", "0"));
    let p = pod(json!({}), json!({"phase": "Failed", "containerStatuses": [terminated("app", 137, None, Some(9))]}));
    assert_eq!(pod_status(&p), s("0/1", "Signal:9", "0"));
}

#[test]
fn pod_crash_loop_restarts_show_the_last_restart() {
    let mut c = waiting("app", "CrashLoopBackOff");
    c["restartCount"] = json!(3);
    c["lastState"] =
        json!({"terminated": {"exitCode": 1, "reason": "Error", "startedAt": ago(50), "finishedAt": ago(45)}});
    let p = pod(json!({}), json!({"phase": "Running", "containerStatuses": [c]}));
    assert_eq!(pod_status(&p), s("0/1", "CrashLoopBackOff", "3 (45s ago)"));
    // Restarts but no recorded termination: the bare count.
    let mut c = running("app", true);
    c["restartCount"] = json!(2);
    let p = pod(json!({}), json!({"phase": "Running", "containerStatuses": [c]}));
    assert_eq!(pod_status(&p), s("1/1", "Running", "2"));
}

#[test]
fn pod_restarts_sum_containers_and_take_the_latest_termination() {
    let mut a = running("a", true);
    a["restartCount"] = json!(2);
    a["lastState"] = json!({"terminated": {"exitCode": 1, "startedAt": ago(900), "finishedAt": ago(800)}});
    let mut b = running("b", true);
    b["restartCount"] = json!(3);
    b["lastState"] = json!({"terminated": {"exitCode": 1, "startedAt": ago(700), "finishedAt": ago(600)}});
    let p = pod(
        json!({"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "x"}]}),
        json!({"phase": "Running", "containerStatuses": [a, b]}),
    );
    assert_eq!(pod_status(&p), s("2/2", "Running", "5 (10m ago)"));
}

#[test]
fn pod_completed_with_a_container_still_running() {
    let spec = json!({"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "x"}]});
    // Statuses are scanned last to first: "a" (Completed) decides the reason.
    let st = |ready: bool| {
        json!({"phase": "Running", "conditions": [cond("Ready", ready)],
               "containerStatuses": [terminated("a", 0, Some("Completed"), None), running("b", true)]})
    };
    assert_eq!(pod_status(&pod(spec.clone(), st(true))), s("1/2", "Running", "0"));
    assert_eq!(pod_status(&pod(spec, st(false))), s("1/2", "NotReady", "0"));
}

fn init_spec(n: usize) -> Value {
    let inits: Vec<Value> = (0..n).map(|i| json!({"name": format!("init{i}"), "image": "busybox"})).collect();
    json!({"initContainers": inits})
}

#[test]
fn pod_init_containers() {
    let p = pod(
        init_spec(2),
        json!({"phase": "Pending", "initContainerStatuses": [running("init0", false), waiting("init1", "PodInitializing")],
               "containerStatuses": [waiting("app", "PodInitializing")]}),
    );
    assert_eq!(pod_status(&p), s("0/1", "Init:0/2", "0"));
    let p = pod(
        init_spec(2),
        json!({"phase": "Pending", "initContainerStatuses": [terminated("init0", 0, Some("Completed"), None), running("init1", false)],
               "containerStatuses": [waiting("app", "PodInitializing")]}),
    );
    assert_eq!(pod_status(&p), s("0/1", "Init:1/2", "0"));
    let p = pod(init_spec(1), json!({"phase": "Pending", "initContainerStatuses": [waiting("init0", "ErrImagePull")]}));
    assert_eq!(pod_status(&p), s("0/1", "Init:ErrImagePull", "0"));
    let mut c = waiting("init0", "CrashLoopBackOff");
    c["restartCount"] = json!(2);
    c["lastState"] =
        json!({"terminated": {"exitCode": 1, "reason": "Error", "startedAt": ago(30), "finishedAt": ago(20)}});
    let p = pod(init_spec(1), json!({"phase": "Pending", "initContainerStatuses": [c]}));
    assert_eq!(pod_status(&p), s("0/1", "Init:CrashLoopBackOff", "2 (20s ago)"));
    let p = pod(
        init_spec(1),
        json!({"phase": "Failed", "initContainerStatuses": [terminated("init0", 1, Some("Error"), None)]}),
    );
    assert_eq!(pod_status(&p), s("0/1", "Init:Error", "0"));
    let p =
        pod(init_spec(1), json!({"phase": "Failed", "initContainerStatuses": [terminated("init0", 2, None, None)]}));
    assert_eq!(pod_status(&p), s("0/1", "Init:ExitCode:2", "0"));
    let p = pod(
        init_spec(1),
        json!({"phase": "Failed", "initContainerStatuses": [terminated("init0", 137, None, Some(9))]}),
    );
    assert_eq!(pod_status(&p), s("0/1", "Init:Signal:9", "0"));
    // A waiting PodInitializing init container counts as Init:N/M, not Init:PodInitializing.
    let p =
        pod(init_spec(1), json!({"phase": "Pending", "initContainerStatuses": [waiting("init0", "PodInitializing")]}));
    assert_eq!(pod_status(&p), s("0/1", "Init:0/1", "0"));
    // Init done, app container still being created.
    let p = pod(
        init_spec(1),
        json!({"phase": "Pending", "conditions": [cond("Initialized", true)],
               "initContainerStatuses": [terminated("init0", 0, Some("Completed"), None)],
               "containerStatuses": [waiting("app", "PodInitializing")]}),
    );
    assert_eq!(pod_status(&p), s("0/1", "PodInitializing", "0"));
}

fn sidecar_spec() -> Value {
    json!({"initContainers": [{"name": "log", "image": "busybox", "restartPolicy": "Always"}]})
}

#[test]
fn pod_native_sidecars_count_in_ready_and_restarts() {
    // Started and ready: it counts in READY and does not hold initialization.
    let mut sc = running("log", true);
    sc["restartCount"] = json!(1);
    sc["lastState"] = json!({"terminated": {"exitCode": 1, "startedAt": ago(130), "finishedAt": ago(125)}});
    let p = pod(
        sidecar_spec(),
        json!({"phase": "Running", "conditions": [cond("Initialized", true)],
               "initContainerStatuses": [sc], "containerStatuses": [running("app", true)]}),
    );
    assert_eq!(pod_status(&p), s("2/2", "Running", "1 (2m5s ago)"));
    // Not started yet: the pod is still initializing.
    let mut sc = running("log", false);
    sc["started"] = json!(false);
    let p = pod(
        sidecar_spec(),
        json!({"phase": "Pending", "initContainerStatuses": [sc], "containerStatuses": [waiting("app", "PodInitializing")]}),
    );
    assert_eq!(pod_status(&p), s("0/2", "Init:0/1", "0"));
    // Started but not ready: it does not count as ready, the app starts.
    let mut sc = running("log", false);
    sc["started"] = json!(true);
    let p = pod(
        sidecar_spec(),
        json!({"phase": "Running", "conditions": [cond("Initialized", true)],
               "initContainerStatuses": [sc], "containerStatuses": [running("app", true)]}),
    );
    assert_eq!(pod_status(&p), s("1/2", "Running", "0"));
}

#[test]
fn pod_terminating_unknown_and_evicted() {
    let mut p = pod(json!({}), json!({"phase": "Running", "containerStatuses": [running("app", true)]}));
    p.meta_mut().deletion_timestamp = Some(Time(now() + Duration::seconds(30)));
    assert_eq!(pod_status(&p), s("1/1", "Terminating", "0"));
    // A finished pod keeps its status while deleted.
    let mut p = pod(
        json!({}),
        json!({"phase": "Succeeded", "containerStatuses": [terminated("app", 0, Some("Completed"), None)]}),
    );
    p.meta_mut().deletion_timestamp = Some(Time(now()));
    assert_eq!(pod_status(&p), s("0/1", "Completed", "0"));
    let mut p =
        pod(json!({}), json!({"phase": "Running", "reason": "NodeLost", "containerStatuses": [running("app", true)]}));
    p.meta_mut().deletion_timestamp = Some(Time(now()));
    assert_eq!(pod_status(&p), s("1/1", "Unknown", "0"));
    let p = pod(
        json!({}),
        json!({"phase": "Failed", "reason": "Evicted", "message": "The node was low on resource: memory."}),
    );
    assert_eq!(pod_status(&p), s("0/1", "Evicted", "0"));
}

#[test]
fn pod_wide_cells() {
    let p = pod(json!({}), json!({"phase": "Pending"}));
    assert_eq!(cells(&p)[4..], ["5m", "<none>", "<none>", "<none>", "<none>"]);
    let p = pod(
        json!({"nodeName": "node01", "readinessGates": [{"conditionType": "a"}, {"conditionType": "b"}]}),
        json!({"phase": "Running", "podIP": "10.244.1.5", "podIPs": [{"ip": "10.244.1.5"}], "nominatedNodeName": "node02",
               "conditions": [cond("a", true), cond("b", false)], "containerStatuses": [running("app", true)]}),
    );
    assert_eq!(cells(&p)[4..], ["5m", "10.244.1.5", "node01", "node02", "1/2"]);
}

#[test]
fn every_kind_has_as_many_cells_as_columns() {
    for kind in Kind::ALL {
        let mut v = json!({"metadata": {"name": "x", "namespace": "default", "creationTimestamp": ago(60)}});
        // Fields the types require.
        match kind {
            Kind::Pod => v["spec"] = json!({"containers": []}),
            Kind::Event => v["involvedObject"] = json!({}),
            Kind::RoleBinding | Kind::ClusterRoleBinding => {
                v["roleRef"] = json!({"apiGroup": "", "kind": "Role", "name": "r"})
            }
            Kind::StorageClass => v["provisioner"] = json!("p"),
            Kind::ControllerRevision => v["revision"] = json!(1),
            Kind::PriorityClass => v["value"] = json!(1),
            Kind::EndpointSlice => {
                v["addressType"] = json!("IPv4");
                v["endpoints"] = json!([]);
            }
            _ => {}
        }
        let o = obj(*kind, v);
        assert_eq!(cells(&o).len(), columns(*kind).len(), "{kind:?}");
        assert_eq!(columns(*kind).iter().filter(|c| c.format == "name").count(), 1, "{kind:?}");
    }
}

#[test]
fn node_rows() {
    let node = |labels: Value, unschedulable: bool, ready: Option<&str>| {
        let conditions: Vec<Value> = ready.map(|r| json!({"type": "Ready", "status": r})).into_iter().collect();
        obj(
            Kind::Node,
            json!({"metadata": {"name": "n", "labels": labels, "creationTimestamp": ago(12 * 86400)},
                   "spec": {"unschedulable": unschedulable},
                   "status": {"conditions": conditions, "addresses": [{"type": "InternalIP", "address": "192.168.1.10"}],
                              "nodeInfo": {"kubeletVersion": "v1.32.0", "osImage": "Ubuntu 24.04.1 LTS", "kernelVersion": "6.8.0",
                                           "containerRuntimeVersion": "containerd://1.7.24", "architecture": "", "bootID": "",
                                           "kubeProxyVersion": "", "machineID": "", "operatingSystem": "", "systemUUID": ""}}}),
        )
    };
    let cp = node(json!({"node-role.kubernetes.io/control-plane": ""}), false, Some("True"));
    assert_eq!(
        cells(&cp),
        [
            "n",
            "Ready",
            "control-plane",
            "12d",
            "v1.32.0",
            "192.168.1.10",
            "<none>",
            "Ubuntu 24.04.1 LTS",
            "6.8.0",
            "containerd://1.7.24"
        ]
    );
    let w = node(json!({"kubernetes.io/role": "worker", "node-role.kubernetes.io/infra": ""}), true, Some("False"));
    assert_eq!(cells(&w)[1..3], ["NotReady,SchedulingDisabled", "infra,worker"]);
    let w = node(json!({}), false, Some("Unknown"));
    assert_eq!(cells(&w)[1..3], ["NotReady", "<none>"]);
    let w = node(json!({}), true, None);
    assert_eq!(cells(&w)[1], "Unknown,SchedulingDisabled");
}

#[test]
fn event_rows() {
    let e = obj(
        Kind::Event,
        json!({"metadata": {"name": "web.181", "namespace": "default", "creationTimestamp": ago(300)},
               "involvedObject": {"kind": "Pod", "name": "web", "fieldPath": "spec.containers{nginx}"},
               "reason": "Pulled", "message": "Successfully pulled image \"nginx\"\n", "type": "Normal",
               "source": {"component": "kubelet", "host": "node01"},
               "firstTimestamp": ago(300), "lastTimestamp": ago(20), "count": 3}),
    );
    assert_eq!(
        cells(&e),
        [
            "20s",
            "Normal",
            "Pulled",
            "pod/web",
            "spec.containers{nginx}",
            "kubelet, node01",
            "Successfully pulled image \"nginx\"",
            "5m",
            "3",
            "web.181"
        ]
    );
    // New-API events: eventTime, series, reporting controller, no count.
    let e = obj(
        Kind::Event,
        json!({"metadata": {"name": "x.1", "namespace": "default"},
               "involvedObject": {"kind": "Node", "name": ""}, "type": "Warning", "reason": "R",
               "eventTime": format!("{}.000000Z", ago(90).trim_end_matches('Z')), "reportingComponent": "ctrl", "reportingInstance": ""}),
    );
    assert_eq!(cells(&e)[..6], ["90s", "Warning", "R", "node", "", "ctrl"]);
    assert_eq!(cells(&e)[7..9], ["90s", "1"]);
}

#[test]
fn service_rows() {
    let svc = |spec: Value, status: Value| {
        obj(Kind::Service, json!({"metadata": meta("web"), "spec": spec, "status": status}))
    };
    let c = cells(&svc(
        json!({"type": "ClusterIP", "clusterIP": "10.96.12.5", "clusterIPs": ["10.96.12.5"], "selector": {"app": "web", "a": "b"},
               "ports": [{"port": 80, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]}),
        json!({}),
    ));
    assert_eq!(c, ["web", "ClusterIP", "10.96.12.5", "<none>", "80/TCP,53/UDP", "5m", "a=b,app=web"]);
    let c = cells(&svc(
        json!({"type": "NodePort", "clusterIPs": ["10.96.0.9"], "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}]}),
        json!({}),
    ));
    assert_eq!(c[3..5], ["<none>", "80:30080/TCP"]);
    assert_eq!(c[6], "<none>");
    let lb = json!({"type": "LoadBalancer", "clusterIPs": ["10.96.0.9"], "ports": [{"port": 443, "nodePort": 31234, "protocol": "TCP"}]});
    assert_eq!(cells(&svc(lb.clone(), json!({})))[3..5], ["<pending>", "443:31234/TCP"]);
    let st = json!({"loadBalancer": {"ingress": [{"ip": "172.18.0.5"}, {"hostname": "a.example.com"}]}});
    assert_eq!(cells(&svc(lb, st))[3], "172.18.0.5,a.example.com");
    let c = cells(&svc(json!({"type": "ExternalName", "externalName": "db.example.com"}), json!({})));
    assert_eq!(c[2..5], ["<none>", "db.example.com", "<none>"]);
    let c = cells(&svc(json!({"type": "ClusterIP", "clusterIP": "None", "clusterIPs": ["None"]}), json!({})));
    assert_eq!(c[2], "None");
}

#[test]
fn endpoints_rows() {
    let ep = |subsets: Value| obj(Kind::Endpoints, json!({"metadata": meta("web"), "subsets": subsets}));
    assert_eq!(cells(&ep(json!([])))[1], "<none>");
    let addrs: Vec<Value> = (1..=5).map(|i| json!({"ip": format!("10.244.1.{i}")})).collect();
    let c = cells(&ep(json!([{"addresses": addrs, "ports": [{"port": 80}]}])));
    assert_eq!(c[1], "10.244.1.1:80,10.244.1.2:80,10.244.1.3:80 + 2 more...");
    let c = cells(&ep(json!([{"addresses": [{"ip": "10.244.1.1"}]}])));
    assert_eq!(c[1], "10.244.1.1");
}

#[test]
fn config_and_secret_and_namespace_rows() {
    let cm =
        obj(Kind::ConfigMap, json!({"metadata": meta("c"), "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}}));
    assert_eq!(cells(&cm), ["c", "3", "5m"]);
    let sec = obj(Kind::Secret, json!({"metadata": meta("s"), "type": "Opaque", "data": {"a": "MQ=="}}));
    assert_eq!(cells(&sec), ["s", "Opaque", "1", "5m"]);
    let ns = obj(
        Kind::Namespace,
        json!({"metadata": {"name": "dev", "creationTimestamp": ago(7200)}, "status": {"phase": "Terminating"}}),
    );
    assert_eq!(cells(&ns), ["dev", "Terminating", "120m"]);
    let sa = obj(Kind::ServiceAccount, json!({"metadata": meta("default")}));
    assert_eq!(cells(&sa), ["default", "0", "5m"]);
}

fn template(containers: Value) -> Value {
    json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": containers}})
}

#[test]
fn workload_rows() {
    let two = json!([{"name": "nginx", "image": "nginx:1.27"}, {"name": "log", "image": "busybox"}]);
    let d = obj(
        Kind::Deployment,
        json!({"metadata": meta("web"), "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": template(two.clone())},
               "status": {"replicas": 3, "readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}}),
    );
    assert_eq!(cells(&d), ["web", "2/3", "3", "2", "5m", "nginx,log", "nginx:1.27,busybox", "app=web"]);
    let d = obj(
        Kind::Deployment,
        json!({"metadata": meta("new"), "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}}, "template": template(two.clone())}}),
    );
    assert_eq!(cells(&d)[1..4], ["0/2", "0", "0"]);
    let rs = obj(
        Kind::ReplicaSet,
        json!({"metadata": meta("web-7c5ddbdf54"),
               "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web", "pod-template-hash": "7c5ddbdf54"}}, "template": template(two.clone())},
               "status": {"replicas": 3, "readyReplicas": 1}}),
    );
    assert_eq!(
        cells(&rs),
        [
            "web-7c5ddbdf54",
            "3",
            "3",
            "1",
            "5m",
            "nginx,log",
            "nginx:1.27,busybox",
            "app=web,pod-template-hash=7c5ddbdf54"
        ]
    );
    let ds = obj(
        Kind::DaemonSet,
        json!({"metadata": meta("agent"),
               "spec": {"selector": {"matchLabels": {"app": "agent"}},
                        "template": {"metadata": {"labels": {"app": "agent"}}, "spec": {"nodeSelector": {"kubernetes.io/os": "linux"}, "containers": [{"name": "a", "image": "busybox"}]}}},
               "status": {"desiredNumberScheduled": 2, "currentNumberScheduled": 2, "numberReady": 1, "numberMisscheduled": 0, "updatedNumberScheduled": 2, "numberAvailable": 1}}),
    );
    assert_eq!(
        cells(&ds),
        ["agent", "2", "2", "1", "2", "1", "kubernetes.io/os=linux", "5m", "a", "busybox", "app=agent"]
    );
    let sts = obj(
        Kind::StatefulSet,
        json!({"metadata": meta("db"), "spec": {"replicas": 3, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}}, "template": template(json!([{"name": "db", "image": "mysql:9"}]))},
               "status": {"replicas": 2, "readyReplicas": 2}}),
    );
    assert_eq!(cells(&sts), ["db", "2/3", "5m", "db", "mysql:9"]);
    let cr = obj(
        Kind::ControllerRevision,
        json!({"metadata": {"name": "db-5d8f", "namespace": "default", "creationTimestamp": ago(60),
                            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "uid": "u", "controller": true}]},
               "revision": 2}),
    );
    assert_eq!(cells(&cr), ["db-5d8f", "statefulset.apps/db", "2", "60s"]);
}

fn job(spec: Value, status: Value) -> Object {
    let mut spec = spec;
    spec["template"] = template(json!([{"name": "pi", "image": "perl:5.34"}]));
    spec["selector"] = json!({"matchLabels": {"batch.kubernetes.io/controller-uid": "abc"}});
    obj(Kind::Job, json!({"metadata": meta("pi"), "spec": spec, "status": status}))
}

#[test]
fn job_rows() {
    let c = cells(&job(json!({"completions": 1, "parallelism": 1}), json!({"startTime": ago(40), "active": 1})));
    assert_eq!(c, ["pi", "Running", "0/1", "40s", "5m", "pi", "perl:5.34", "batch.kubernetes.io/controller-uid=abc"]);
    let done = json!({"startTime": ago(200), "completionTime": ago(150), "succeeded": 1,
                      "conditions": [cond("SuccessCriteriaMet", true), cond("Complete", true)]});
    assert_eq!(cells(&job(json!({"completions": 1}), done))[1..4], ["Complete", "1/1", "50s"]);
    let failed =
        json!({"startTime": ago(200), "failed": 7, "conditions": [cond("FailureTarget", true), cond("Failed", true)]});
    assert_eq!(cells(&job(json!({"completions": 3}), failed))[1..4], ["Failed", "0/3", "3m20s"]);
    let c = cells(&job(json!({"parallelism": 5}), json!({"conditions": [cond("Suspended", true)]})));
    assert_eq!(c[1..4], ["Suspended", "0/1 of 5", ""]);
    let c = cells(&job(json!({"parallelism": 2}), json!({"conditions": [cond("FailureTarget", true)]})));
    assert_eq!(c[1..3], ["FailureTarget", "0/1 of 2"]);
    let mut j = job(json!({}), json!({}));
    j.meta_mut().deletion_timestamp = Some(Time(now()));
    assert_eq!(cells(&j)[1..3], ["Terminating", "0/1"]);
}

#[test]
fn cronjob_rows() {
    let cj = |spec: Value, status: Value| {
        let mut spec = spec;
        spec["jobTemplate"] = json!({"spec": {"template": template(json!([{"name": "hello", "image": "busybox"}]))}});
        obj(Kind::CronJob, json!({"metadata": meta("hello"), "spec": spec, "status": status}))
    };
    let c = cells(&cj(json!({"schedule": "*/1 * * * *", "suspend": false}), json!({})));
    assert_eq!(c, ["hello", "*/1 * * * *", "<none>", "False", "0", "<none>", "5m", "hello", "busybox", "<none>"]);
    let c = cells(&cj(
        json!({"schedule": "0 0 * * *", "timeZone": "Etc/UTC", "suspend": true}),
        json!({"active": [{"name": "hello-1"}], "lastScheduleTime": ago(50)}),
    ));
    assert_eq!(c[1..7], ["0 0 * * *", "Etc/UTC", "True", "1", "50s", "5m"]);
    assert_eq!(cells(&cj(json!({"schedule": "@hourly"}), json!({})))[3], "<unset>");
}

#[test]
fn hpa_rows() {
    let hpa = |metrics: Value, status: Value| {
        obj(
            Kind::HorizontalPodAutoscaler,
            json!({"metadata": meta("web"),
                   "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 1, "maxReplicas": 10, "metrics": metrics},
                   "status": status}),
        )
    };
    let cpu = json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]);
    assert_eq!(
        cells(&hpa(cpu.clone(), json!({"desiredReplicas": 0}))),
        ["web", "Deployment/web", "cpu: <unknown>/80%", "1", "10", "0", "5m"]
    );
    let st = json!({"currentReplicas": 2, "desiredReplicas": 2,
                    "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 35, "averageValue": "70m"}}}]});
    assert_eq!(cells(&hpa(cpu, st))[2..6], ["cpu: 35%/80%", "1", "10", "2"]);
    let many = json!([
        {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "1.5Gi"}}},
        {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "1k"}}},
        {"type": "External", "external": {"metric": {"name": "queue"}, "target": {"type": "Value", "value": "30"}}}
    ]);
    assert_eq!(cells(&hpa(many, json!({})))[2], "memory: <unknown>/1536Mi, <unknown>/1k + 1 more...");
    assert_eq!(cells(&hpa(json!([]), json!({})))[2], "<none>");
}

#[test]
fn networking_rows() {
    let ing = obj(
        Kind::Ingress,
        json!({"metadata": meta("web"),
               "spec": {"ingressClassName": "nginx", "rules": [{"host": "a.example.com"}, {"host": "b.example.com"}, {}, {"host": "c.example.com"}, {"host": "d.example.com"}],
                        "tls": [{"hosts": ["a.example.com"]}]},
               "status": {"loadBalancer": {"ingress": [{"ip": "192.168.1.10"}]}}}),
    );
    assert_eq!(
        cells(&ing),
        ["web", "nginx", "a.example.com,b.example.com,c.example.com + 2 more...", "192.168.1.10", "80, 443", "5m"]
    );
    let ing = obj(
        Kind::Ingress,
        json!({"metadata": meta("any"), "spec": {"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}}}),
    );
    assert_eq!(cells(&ing), ["any", "<none>", "*", "", "80", "5m"]);
    let ic = obj(
        Kind::IngressClass,
        json!({"metadata": {"name": "nginx", "creationTimestamp": ago(60)},
               "spec": {"controller": "k8s.io/ingress-nginx", "parameters": {"apiGroup": "k8s.example.com", "kind": "IngressParameters", "name": "p"}}}),
    );
    assert_eq!(cells(&ic), ["nginx", "k8s.io/ingress-nginx", "IngressParameters.k8s.example.com/p", "60s"]);
    let np = obj(Kind::NetworkPolicy, json!({"metadata": meta("deny"), "spec": {"podSelector": {}}}));
    assert_eq!(cells(&np), ["deny", "<none>", "5m"]);
    let np = obj(
        Kind::NetworkPolicy,
        json!({"metadata": meta("db"), "spec": {"podSelector": {"matchLabels": {"role": "db"},
               "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "dev"]}, {"key": "canary", "operator": "DoesNotExist"}]}}}),
    );
    assert_eq!(cells(&np)[1], "!canary,env in (dev,prod),role=db");
    let es = obj(
        Kind::EndpointSlice,
        json!({"metadata": meta("web-abc12"), "addressType": "IPv4",
               "ports": [{"name": "http", "port": 80, "protocol": "TCP"}, {"name": "named"}],
               "endpoints": [{"addresses": ["10.244.1.2"]}, {"addresses": ["10.244.2.3"]}]}),
    );
    assert_eq!(cells(&es), ["web-abc12", "IPv4", "80,named", "10.244.1.2,10.244.2.3", "5m"]);
    let es = obj(Kind::EndpointSlice, json!({"metadata": meta("e"), "addressType": "IPv4", "endpoints": []}));
    assert_eq!(cells(&es)[2..4], ["<unset>", "<unset>"]);
}

#[test]
fn storage_rows() {
    let pv = obj(
        Kind::PersistentVolume,
        json!({"metadata": {"name": "pv1", "creationTimestamp": ago(60)},
               "spec": {"capacity": {"storage": "1.5Gi"}, "accessModes": ["ReadWriteMany", "ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Retain",
                        "storageClassName": "manual", "volumeMode": "Filesystem", "claimRef": {"namespace": "default", "name": "data"},
                        "hostPath": {"path": "/data"}},
               "status": {"phase": "Bound"}}),
    );
    assert_eq!(
        cells(&pv),
        ["pv1", "1536Mi", "RWO,RWX", "Retain", "Bound", "default/data", "manual", "<unset>", "", "60s", "Filesystem"]
    );
    let pvc = obj(
        Kind::PersistentVolumeClaim,
        json!({"metadata": meta("data"),
               "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, "storageClassName": "manual", "volumeMode": "Filesystem"},
               "status": {"phase": "Pending"}}),
    );
    assert_eq!(cells(&pvc), ["data", "Pending", "", "", "", "manual", "<unset>", "5m", "Filesystem"]);
    let pvc = obj(
        Kind::PersistentVolumeClaim,
        json!({"metadata": meta("data"), "spec": {"volumeName": "pv1", "resources": {"requests": {"storage": "1Gi"}}},
               "status": {"phase": "Bound", "capacity": {"storage": "2Gi"}, "accessModes": ["ReadWriteOnce"]}}),
    );
    assert_eq!(cells(&pvc)[1..6], ["Bound", "pv1", "2Gi", "RWO", ""]);
    let sc = obj(
        Kind::StorageClass,
        json!({"metadata": {"name": "standard", "creationTimestamp": ago(60), "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
               "provisioner": "rancher.io/local-path", "volumeBindingMode": "WaitForFirstConsumer"}),
    );
    assert_eq!(
        cells(&sc),
        ["standard (default)", "rancher.io/local-path", "Delete", "WaitForFirstConsumer", "false", "60s"]
    );
    let q = obj(
        Kind::ResourceQuota,
        json!({"metadata": meta("q"), "spec": {"hard": {"pods": "10"}},
               "status": {"hard": {"pods": "10", "requests.cpu": "2", "limits.memory": "2Gi", "limits.cpu": "4"},
                          "used": {"pods": "3", "requests.cpu": "500m", "limits.cpu": "1"}}}),
    );
    assert_eq!(cells(&q), ["q", "pods: 3/10, requests.cpu: 500m/2", "limits.cpu: 1/4, limits.memory: 0/2Gi", "5m"]);
}

#[test]
fn policy_rbac_and_misc_rows() {
    let pdb = obj(
        Kind::PodDisruptionBudget,
        json!({"metadata": meta("web"), "spec": {"minAvailable": "50%"},
               "status": {"disruptionsAllowed": 1, "currentHealthy": 3, "desiredHealthy": 2, "expectedPods": 3}}),
    );
    assert_eq!(cells(&pdb), ["web", "50%", "N/A", "1", "5m"]);
    let rb = obj(
        Kind::RoleBinding,
        json!({"metadata": meta("read"), "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
               "subjects": [{"kind": "User", "name": "jane"}, {"kind": "ServiceAccount", "name": "app", "namespace": "dev"},
                            {"kind": "Group", "name": "ops"}, {"kind": "User", "name": "bob"}]}),
    );
    assert_eq!(cells(&rb), ["read", "ClusterRole/view", "5m", "jane, bob", "ops", "dev/app"]);
    let role = obj(
        Kind::Role,
        json!({"metadata": {"name": "pod-reader", "namespace": "default", "creationTimestamp": "2025-01-01T00:00:00Z"}}),
    );
    assert_eq!(cells(&role), ["pod-reader", "2025-01-01T00:00:00Z"]);
    assert_eq!(columns(Kind::ClusterRole)[1].name, "Created At");
    let pc = obj(
        Kind::PriorityClass,
        json!({"metadata": {"name": "high", "creationTimestamp": ago(60)}, "value": 1000000, "preemptionPolicy": "PreemptLowerPriority"}),
    );
    assert_eq!(cells(&pc), ["high", "1000000", "false", "60s", "PreemptLowerPriority"]);
    let lease = obj(
        Kind::Lease,
        json!({"metadata": {"name": "node01", "namespace": "kube-node-lease", "creationTimestamp": ago(60)}, "spec": {"holderIdentity": "node01"}}),
    );
    assert_eq!(cells(&lease), ["node01", "node01", "60s"]);
}

#[test]
fn table_json_is_meta_v1_table() {
    let cm = obj(Kind::ConfigMap, json!({"metadata": meta("c")}));
    let t = table_for(Kind::ConfigMap, &[&cm], now());
    let v = t.to_value();
    assert_eq!(v["kind"], "Table");
    assert_eq!(v["apiVersion"], "meta.k8s.io/v1");
    assert_eq!(v["columnDefinitions"][0]["name"], "Name");
    assert_eq!(v["columnDefinitions"][0]["format"], "name");
    assert_eq!(v["columnDefinitions"][1]["type"], "string");
    assert_eq!(v["rows"][0]["cells"], json!(["c", 0, "5m"]));
    assert_eq!(v["rows"][0]["object"]["metadata"]["name"], "c");
    assert!(v["rows"][0].get("conditions").is_none());
    assert_eq!(t.headers(false), ["NAME", "DATA", "AGE"]);
    assert_eq!(t.text_rows(false), [["c", "0", "5m"]]);
    let p = pod(json!({}), json!({"phase": "Pending"}));
    let t = table_for(Kind::Pod, &[&p], now());
    assert_eq!(t.headers(false), ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    assert_eq!(t.headers(true)[5..], ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]);
    assert_eq!(t.text_rows(true)[0].len(), 9);
    let pod_columns = columns(Kind::Pod);
    let wide: Vec<&str> = pod_columns.iter().filter(|c| c.priority == 1).map(|c| c.name.as_str()).collect();
    assert_eq!(wide, ["IP", "Node", "Nominated Node", "Readiness Gates"]);
}
