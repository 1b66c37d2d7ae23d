//! `kubectl expose (-f FILENAME | TYPE NAME) [--port] [--protocol] [--target-port] [--name]
//! [--type] [--selector] [-l labels] [--cluster-ip] [--session-affinity] [--external-ip]
//! [--load-balancer-ip] [--overrides]`: a Service for a pod, service, deployment or replica
//! set, with the exposed object's selector, ports, protocols and labels, as kubectl v1.32's
//! `createService` builds it (port names `port-1`, `port-2`... when several are copied).

use std::collections::BTreeMap;

use clap::{Arg, ArgAction};
use serde_json::{json, Map, Value};

use super::{command, dry_run, dry_run_arg, flag, namespace, opt, output_args, parse, DryRun};
use crate::kubectl::print::{self, Format};
use crate::kubectl::Ctx;
use crate::sim::api::WriteOptions;
use crate::sim::{Kind, Object};

const NO_RESOURCES: &str = "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'";

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = output_args(dry_run_arg(command("expose")))
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(opt("protocol"))
        .arg(opt("port"))
        .arg(opt("type"))
        .arg(opt("load-balancer-ip"))
        .arg(opt("selector"))
        .arg(Arg::new("labels").short('l').long("labels").num_args(1))
        .arg(opt("target-port"))
        .arg(opt("container-port"))
        .arg(opt("external-ip"))
        .arg(opt("name"))
        .arg(opt("session-affinity"))
        .arg(opt("cluster-ip"))
        .arg(opt("field-manager"))
        .arg(opt("overrides"))
        .arg(opt("override-type"))
        .arg(Arg::new("filename").short('f').long("filename").num_args(1).action(ArgAction::Append))
        .arg(Arg::new("recursive").short('R').long("recursive").action(ArgAction::SetTrue))
        .arg(Arg::new("kustomize").short('k').long("kustomize").num_args(1))
        .arg(flag("save-config"))
        .arg(flag("record"));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let dry = match dry_run(&m) {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    let format = match Format::from_flags(ctx, &m) {
        Ok(f) => f,
        Err(e) => return ctx.out.fail(&e),
    };
    let ns = namespace(ctx, &m);
    let ns_given = m.get_one::<String>("namespace").is_some();
    let get = |k: &str| m.get_one::<String>(k).cloned().unwrap_or_default();
    let flags = Flags {
        protocol: get("protocol"),
        port: get("port"),
        kind: get("type"),
        load_balancer_ip: get("load-balancer-ip"),
        selector: get("selector"),
        labels: get("labels"),
        target_port: if m.get_one::<String>("target-port").is_some() {
            get("target-port")
        } else {
            get("container-port")
        },
        external_ip: get("external-ip"),
        name: get("name"),
        session_affinity: get("session-affinity"),
        cluster_ip: get("cluster-ip"),
    };
    // The objects to expose: from files as written, else from the server.
    let files: Vec<String> = m.get_many::<String>("filename").map(|v| v.cloned().collect()).unwrap_or_default();
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    let kustomize = m.get_one::<String>("kustomize").cloned();
    let mut objects: Vec<Object> = Vec::new();
    if !files.is_empty() || kustomize.is_some() {
        let read = match &kustomize {
            Some(dir) => super::apply::read_kustomize(ctx, dir),
            None => super::apply::read_objects(ctx, &files, m.get_flag("recursive"), true),
        };
        let docs = match read {
            Ok(d) => d,
            Err(e) => return ctx.out.fail(&e),
        };
        for d in docs {
            match d.object {
                Ok(mut o) => {
                    if o.kind().namespaced() && o.namespace().is_empty() {
                        o.meta_mut().namespace = Some(ns.clone());
                    }
                    objects.push(o);
                }
                Err(e) => return ctx.out.fail(&e),
            }
        }
    } else {
        if positional.is_empty() {
            return ctx.out.fail(NO_RESOURCES);
        }
        let targets = match super::get::targets(&positional) {
            Ok(t) => t,
            Err(e) => return ctx.out.fail(&e),
        };
        for (kind, name) in targets.items {
            let Some(name) = name else {
                return ctx.out.fail("error: resource(s) were provided, but no name was specified");
            };
            let k_ns = if kind.namespaced() { ns.as_str() } else { "" };
            if let Err(e) = super::auth::authorize_read(ctx, kind, k_ns, Some(&name)) {
                return ctx.out.fail(&e);
            }
            match ctx.world.store.get(kind, k_ns, &name) {
                Some(o) => objects.push(o.clone()),
                None => return ctx.out.fail(&super::get::not_found(kind, &name)),
            }
        }
    }
    let suffix = match dry {
        DryRun::Client => " (dry run)",
        DryRun::Server => " (server dry run)",
        DryRun::None => "",
    };
    for obj in objects {
        let mut svc = match service_for(&obj, &flags) {
            Ok(s) => s,
            Err(e) => return ctx.out.fail(&format!("error: {e}")),
        };
        if let Some(o) = m.get_one::<String>("overrides") {
            let patch: Value = match serde_json::from_str(o) {
                Ok(p) => p,
                Err(e) => return ctx.out.fail(&format!("error: {e}")),
            };
            match m.get_one::<String>("override-type").map(String::as_str).unwrap_or("merge") {
                // A strategic merge of a Service without list keys in play is a merge patch.
                "merge" | "strategic" => merge_patch(&mut svc, &patch),
                "json" => return ctx.out.fail("error: kubedojo does not simulate --override-type=json yet"),
                other => {
                    return ctx
                        .out
                        .fail(&format!("error: invalid override type: {other}. Supported: json, merge, strategic"))
                }
            }
        }
        let name = svc.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string();
        if dry == DryRun::Client {
            if ns_given {
                if let Some(meta) = svc.get_mut("metadata").and_then(Value::as_object_mut) {
                    meta.insert("namespace".into(), Value::String(ns.clone()));
                }
            }
            if format.is_table() {
                ctx.out.out(&format!("service/{name} exposed{suffix}\n"));
            } else {
                print::print_value(ctx, &format, &svc);
            }
            continue;
        }
        if m.get_flag("save-config") {
            let text = crate::kubectl::output::json::to_json_compact(&svc);
            if let Some(meta) = svc.get_mut("metadata").and_then(Value::as_object_mut) {
                let ann = meta.entry("annotations").or_insert_with(|| Value::Object(Map::new()));
                if let Some(a) = ann.as_object_mut() {
                    a.insert(super::apply::LAST_APPLIED.into(), Value::String(format!("{text}\n")));
                }
            }
        }
        let mut obj = match Object::from_value(Kind::Service, svc) {
            Ok(o) => o,
            Err(e) => return ctx.out.fail(&format!("error: {e}")),
        };
        obj.meta_mut().namespace = Some(ns.clone());
        obj.meta_mut().creation_timestamp = None;
        if let Err(e) = super::auth::authorize_write(ctx, "create", Kind::Service, &ns, "", "") {
            return ctx.out.fail(&e);
        }
        match ctx.world.api_create(obj, WriteOptions { dry_run: dry == DryRun::Server }) {
            Ok(created) => {
                if format.is_table() {
                    ctx.out.out(&format!("service/{name} exposed{suffix}\n"));
                } else {
                    print::print_written(ctx, &format, &[created]);
                }
            }
            Err(e) => return ctx.out.fail(&e.kubectl_text()),
        }
    }
}

struct Flags {
    protocol: String,
    port: String,
    kind: String,
    load_balancer_ip: String,
    selector: String,
    labels: String,
    target_port: String,
    external_ip: String,
    name: String,
    session_affinity: String,
    cluster_ip: String,
}

/// `polymorphichelpers.MakeLabels`.
fn make_labels(m: &BTreeMap<String, String>) -> String {
    m.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
}

/// The pod template spec of a workload, or the pod's own spec.
fn pod_spec(obj: &Object) -> Option<Value> {
    let v = obj.to_value();
    match obj.kind() {
        Kind::Pod => v.get("spec").cloned(),
        _ => v.pointer("/spec/template/spec").cloned(),
    }
}

/// `MapBasedSelectorForObjectFn`.
fn selector_of(obj: &Object) -> Result<String, String> {
    let v = obj.to_value();
    match obj.kind() {
        Kind::Pod => {
            let labels = obj.meta().labels.clone().unwrap_or_default();
            if labels.is_empty() {
                return Err("the pod has no labels and cannot be exposed".into());
            }
            Ok(make_labels(&labels))
        }
        Kind::Service => {
            let sel: Option<BTreeMap<String, String>> =
                v.pointer("/spec/selector").and_then(|s| serde_json::from_value(s.clone()).ok());
            match sel {
                Some(s) => Ok(make_labels(&s)),
                None => Err("the service has no pod selector set".into()),
            }
        }
        kind => {
            let what = if kind == Kind::Deployment { "deployment" } else { "replicaset" };
            let Some(sel) = v.pointer("/spec/selector") else {
                return Err(format!("invalid {what}: no selectors, therefore cannot be exposed"));
            };
            if let Some(exprs) = sel.get("matchExpressions").and_then(Value::as_array).filter(|e| !e.is_empty()) {
                let shown: Vec<String> = exprs
                    .iter()
                    .map(|e| {
                        let vals: Vec<&str> =
                            e["values"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                        format!(
                            "{{Key:{} Operator:{} Values:[{}]}}",
                            e["key"].as_str().unwrap_or(""),
                            e["operator"].as_str().unwrap_or(""),
                            vals.join(" ")
                        )
                    })
                    .collect();
                return Err(format!(
                    "couldn't convert expressions - \"[{}]\" to map-based selector format",
                    shown.join(" ")
                ));
            }
            let labels: BTreeMap<String, String> =
                sel.get("matchLabels").and_then(|l| serde_json::from_value(l.clone()).ok()).unwrap_or_default();
            Ok(make_labels(&labels))
        }
    }
}

/// `PortsForObjectFn` and `MultiProtocolsForObjectFn`: the container (or service) port
/// numbers, and the protocols each one is served with.
fn ports_and_protocols(obj: &Object) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
    let mut ports = Vec::new();
    let mut protocols: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |port: i64, proto: &str| {
        let p = port.to_string();
        if !ports.contains(&p) {
            ports.push(p.clone());
        }
        let list = protocols.entry(p).or_default();
        if !list.iter().any(|x| x == proto) {
            list.push(proto.to_string());
        }
    };
    if obj.kind() == Kind::Service {
        for p in obj.to_value().pointer("/spec/ports").and_then(Value::as_array).into_iter().flatten() {
            add(p["port"].as_i64().unwrap_or(0), p["protocol"].as_str().unwrap_or("TCP"));
        }
    } else if let Some(spec) = pod_spec(obj) {
        for c in spec["containers"].as_array().into_iter().flatten() {
            for p in c["ports"].as_array().into_iter().flatten() {
                add(p["containerPort"].as_i64().unwrap_or(0), p["protocol"].as_str().unwrap_or("TCP"));
            }
        }
    }
    (ports, protocols)
}

/// `parseLabels`.
fn parse_labels(spec: &str) -> Result<BTreeMap<String, String>, String> {
    if spec.is_empty() {
        return Err("no label spec passed".into());
    }
    let mut out = BTreeMap::new();
    for part in spec.split(',') {
        let kv: Vec<&str> = part.split('=').collect();
        if kv.len() != 2 {
            return Err(format!("unexpected label spec: {part}"));
        }
        if kv[0].is_empty() {
            return Err("unexpected empty label key".into());
        }
        out.insert(kv[0].to_string(), kv[1].to_string());
    }
    Ok(out)
}

/// `strconv.Atoi`'s error text.
fn atoi(s: &str) -> Result<i64, String> {
    s.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {}: invalid syntax", crate::sim::api::errors::go_quote(s)))
}

/// The Service `kubectl expose` sends for `obj` (RunExpose + createService).
fn service_for(obj: &Object, f: &Flags) -> Result<Value, String> {
    let kind = obj.kind();
    if !matches!(kind, Kind::Pod | Kind::Service | Kind::Deployment | Kind::ReplicaSet) {
        let gk =
            if kind.group().is_empty() { kind.name().to_string() } else { format!("{}.{}", kind.name(), kind.group()) };
        return Err(format!("cannot expose a {gk}"));
    }
    // DNS1035LabelMaxLength (names from a file may not be valid yet: cut on a character).
    let default_name: String = obj.name().chars().take(63).collect();
    let selector = if f.selector.is_empty() {
        selector_of(obj)
            .map_err(|e| format!("couldn't retrieve selectors via --selector flag or introspection: {e}"))?
    } else {
        f.selector.clone()
    };
    let headless = f.cluster_ip == "None";
    let (obj_ports, protocols) = ports_and_protocols(obj);
    let port_string = if f.port.is_empty() {
        match obj_ports.len() {
            0 if !headless => return Err("couldn't find port via --port flag or introspection".into()),
            0 => String::new(),
            _ => obj_ports.join(","),
        }
    } else {
        f.port.clone()
    };
    let labels = if f.labels.is_empty() {
        obj.meta().labels.clone().filter(|l| !l.is_empty()).map(|l| make_labels(&l)).unwrap_or_default()
    } else {
        f.labels.clone()
    };
    if selector.is_empty() {
        return Err("selector must be specified".into());
    }
    let selector = parse_labels(&selector)?;
    let labels = if labels.is_empty() { None } else { Some(parse_labels(&labels)?) };
    let name = if f.name.is_empty() { default_name } else { f.name.clone() };
    if name.is_empty() {
        return Err("name must be specified".into());
    }
    let mut ports: Vec<Value> = Vec::new();
    if !port_string.is_empty() {
        let list: Vec<&str> = port_string.split(',').collect();
        for (i, p) in list.iter().enumerate() {
            let port = atoi(p)?;
            let pname = if list.len() > 1 { format!("port-{}", i + 1) } else { String::new() };
            let mut protocol = f.protocol.clone();
            if protocol.is_empty() {
                protocol = "TCP".into();
                if let Some(ps) = protocols.get(*p) {
                    if ps.len() == 1 {
                        protocol = ps[0].clone();
                    } else {
                        for pr in ps {
                            ports.push(json!({"name": format!("port-{}-{}", i + 1, pr.to_lowercase()), "port": port, "protocol": pr}));
                        }
                        continue;
                    }
                }
            }
            let mut pv = json!({"port": port, "protocol": protocol});
            if !pname.is_empty() {
                pv["name"] = json!(pname);
            }
            ports.push(pv);
        }
    }
    for p in ports.iter_mut() {
        let target = if f.target_port.is_empty() {
            p["port"].clone()
        } else {
            match f.target_port.parse::<i64>() {
                Ok(n) => json!(n),
                Err(_) => json!(f.target_port),
            }
        };
        p["targetPort"] = target;
    }
    let mut metadata = json!({"name": name, "creationTimestamp": null});
    if let Some(l) = labels {
        metadata["labels"] = json!(l);
    }
    let mut spec = json!({"selector": selector});
    if !ports.is_empty() {
        spec["ports"] = json!(ports);
    }
    if !f.external_ip.is_empty() {
        spec["externalIPs"] = json!([f.external_ip]);
    }
    if !f.kind.is_empty() {
        spec["type"] = json!(f.kind);
    }
    if f.kind == "LoadBalancer" && !f.load_balancer_ip.is_empty() {
        spec["loadBalancerIP"] = json!(f.load_balancer_ip);
    }
    match f.session_affinity.as_str() {
        "" => {}
        "None" | "ClientIP" => spec["sessionAffinity"] = json!(f.session_affinity),
        other => return Err(format!("unknown session affinity: {other}")),
    }
    if !f.cluster_ip.is_empty() {
        spec["clusterIP"] = json!(f.cluster_ip);
    }
    Ok(
        json!({"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec, "status": {"loadBalancer": {}}}),
    )
}

/// RFC 7386 JSON merge patch.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags() -> Flags {
        Flags {
            protocol: String::new(),
            port: String::new(),
            kind: String::new(),
            load_balancer_ip: String::new(),
            selector: String::new(),
            labels: String::new(),
            target_port: String::new(),
            external_ip: String::new(),
            name: String::new(),
            session_affinity: String::new(),
            cluster_ip: String::new(),
        }
    }

    fn obj(kind: Kind, yaml: &str) -> Object {
        Object::from_value(kind, serde_yaml::from_str(yaml).unwrap()).unwrap()
    }

    #[test]
    fn copies_selector_ports_and_protocols() {
        let d = obj(
            Kind::Deployment,
            "metadata: {name: web, labels: {app: web}}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n        ports: [{containerPort: 80}, {containerPort: 53, protocol: UDP}, {containerPort: 53, protocol: TCP}]\n",
        );
        let s = service_for(&d, &flags()).unwrap();
        assert_eq!(
            s["spec"],
            json!({"selector": {"app": "web"}, "ports": [
                {"name": "port-1", "port": 80, "protocol": "TCP", "targetPort": 80},
                {"name": "port-2-udp", "port": 53, "protocol": "UDP", "targetPort": 53},
                {"name": "port-2-tcp", "port": 53, "protocol": "TCP", "targetPort": 53}
            ]})
        );
        let f = Flags { port: "8080".into(), target_port: "http".into(), kind: "NodePort".into(), ..flags() };
        let s = service_for(&d, &f).unwrap();
        assert_eq!(s["spec"]["ports"], json!([{"port": 8080, "protocol": "TCP", "targetPort": "http"}]));
        assert_eq!(s["metadata"]["labels"], json!({"app": "web"}));
    }

    #[test]
    fn errors() {
        let p = obj(Kind::Pod, "metadata: {name: p}\nspec:\n  containers: [{name: c, image: nginx}]\n");
        assert_eq!(
            service_for(&p, &flags()).unwrap_err(),
            "couldn't retrieve selectors via --selector flag or introspection: the pod has no labels and cannot be exposed"
        );
        let p =
            obj(Kind::Pod, "metadata: {name: p, labels: {run: p}}\nspec:\n  containers: [{name: c, image: nginx}]\n");
        assert_eq!(service_for(&p, &flags()).unwrap_err(), "couldn't find port via --port flag or introspection");
        let f = Flags { port: "x".into(), ..flags() };
        assert_eq!(service_for(&p, &f).unwrap_err(), "strconv.Atoi: parsing \"x\": invalid syntax");
        let n = obj(Kind::DaemonSet, "metadata: {name: d}\n");
        assert_eq!(service_for(&n, &flags()).unwrap_err(), "cannot expose a DaemonSet.apps");
    }
}
