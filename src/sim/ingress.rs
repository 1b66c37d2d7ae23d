//! Ingress: the API server's checks for the kind (validation, the DefaultIngressClass
//! admission plugin) and a simulated ingress-nginx controller. The controller is a program
//! in a pod, as in a real cluster: a pod running the `registry.k8s.io/ingress-nginx/controller`
//! image serves the Ingresses of its class on ports 80 and 443 (routing by host and path to a
//! Service's endpoints, 404 when nothing matches, 503 when the backend has no endpoints) and
//! publishes its address on their status every 60 seconds, like its status syncer.
//!
//! [`install_nginx`] installs it the way the ingress-nginx bare-metal manifest does (its own
//! namespace, a Deployment, a NodePort Service, the `nginx` IngressClass), for scenarios.
//!
//! Routing rules (ingress-nginx v1.12): a rule's host is matched exactly or as a `*.`
//! wildcard of one label; rules without host and `spec.defaultBackend` serve the catch-all
//! server; within a host an `Exact` path wins, else the longest matching prefix (`Prefix`
//! element-wise, `ImplementationSpecific` as a plain prefix, or as a case-insensitive regex
//! when `nginx.ingress.kubernetes.io/use-regex` or `rewrite-target` is set).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::Container;
use k8s_openapi::api::networking::v1::{
    Ingress, IngressBackend, IngressLoadBalancerIngress, IngressLoadBalancerStatus, IngressStatus,
};
use serde_json::json;

use super::api::errors::{BadValue, FieldError};
use super::object::{Kind, ObjKey, Object};
use super::store::{Repeats, Store};
use super::World;

/// ingress-nginx's default `--controller-class`.
pub const NGINX_CONTROLLER: &str = "k8s.io/ingress-nginx";
/// The controller image repository.
pub const CONTROLLER_IMAGE: &str = "registry.k8s.io/ingress-nginx/controller";
/// The version [`install_nginx`] installs.
pub const CONTROLLER_VERSION: &str = "v1.12.0";
const DEFAULT_CLASS_ANNOTATION: &str = "ingressclass.kubernetes.io/is-default-class";
const CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";
const REWRITE_TARGET: &str = "nginx.ingress.kubernetes.io/rewrite-target";
const USE_REGEX: &str = "nginx.ingress.kubernetes.io/use-regex";
/// The status syncer's period (`updateInterval`).
const STATUS_SYNC_S: u64 = 60;

/// The controllers' bookkeeping.
#[derive(Clone, Debug, Default)]
pub struct State {
    synced_rv: u64,
    started: bool,
    /// Pods running the controller image.
    controllers: BTreeSet<ObjKey>,
    /// Round-robin position per backend (namespace, service, port), as the Lua balancer keeps.
    pub round_robin: BTreeMap<(String, String, String), usize>,
}

/// A controller's command-line configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub ingress_class: String,
    pub controller_class: String,
    pub publish_service: Option<(String, String)>,
    pub watch_without_class: bool,
}

/// The configuration of a controller container from its command and args.
pub fn config(c: &Container, namespace: &str) -> Config {
    let mut cfg = Config {
        ingress_class: "nginx".into(),
        controller_class: NGINX_CONTROLLER.into(),
        publish_service: None,
        watch_without_class: false,
    };
    let argv: Vec<String> = c.command.iter().flatten().chain(c.args.iter().flatten()).cloned().collect();
    let mut i = 0;
    while i < argv.len() {
        let a = argv[i].replace("$(POD_NAMESPACE)", namespace);
        if let Some(flag) = a.strip_prefix("--") {
            let (k, v) = match flag.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (flag.to_string(), None),
            };
            let mut value = || {
                v.clone().or_else(|| {
                    i += 1;
                    argv.get(i).map(|s| s.replace("$(POD_NAMESPACE)", namespace))
                })
            };
            match k.as_str() {
                "ingress-class" => cfg.ingress_class = value().unwrap_or_default(),
                "controller-class" => cfg.controller_class = value().unwrap_or_default(),
                "publish-service" => {
                    cfg.publish_service = value().and_then(|s| s.split_once('/').map(|(n, s)| (n.into(), s.into())))
                }
                "watch-ingress-without-class" => cfg.watch_without_class = v.as_deref().unwrap_or("true") == "true",
                _ => {}
            }
        }
        i += 1;
    }
    cfg
}

fn is_controller_pod(p: &k8s_openapi::api::core::v1::Pod) -> bool {
    p.spec.iter().flat_map(|s| s.containers.iter()).any(is_controller_container)
}

pub fn is_controller_container(c: &Container) -> bool {
    c.image.as_deref().is_some_and(|i| i.starts_with(CONTROLLER_IMAGE))
}

/// Whether a controller with `cfg` serves `ing`.
pub fn handles(store: &Store, cfg: &Config, ing: &Ingress) -> bool {
    if let Some(a) = ing.metadata.annotations.as_ref().and_then(|a| a.get(CLASS_ANNOTATION)) {
        return *a == cfg.ingress_class;
    }
    match ing.spec.as_ref().and_then(|s| s.ingress_class_name.as_deref()) {
        Some(name) => match store.get(Kind::IngressClass, "", name) {
            Some(Object::IngressClass(c)) => {
                c.spec.as_ref().and_then(|s| s.controller.as_deref()) == Some(cfg.controller_class.as_str())
            }
            _ => false,
        },
        None => cfg.watch_without_class,
    }
}

/// The DefaultIngressClass admission plugin: an Ingress created without a class gets the
/// cluster's default one, if exactly one IngressClass is marked default.
pub fn admit(store: &Store, ing: &mut Ingress) {
    let spec = ing.spec.get_or_insert_with(Default::default);
    if spec.ingress_class_name.is_some()
        || ing.metadata.annotations.as_ref().is_some_and(|a| a.contains_key(CLASS_ANNOTATION))
    {
        return;
    }
    let defaults: Vec<String> = store
        .list(Kind::IngressClass, None)
        .iter()
        .filter(|o| {
            o.meta().annotations.as_ref().and_then(|a| a.get(DEFAULT_CLASS_ANNOTATION)).map(String::as_str)
                == Some("true")
        })
        .map(|o| o.name().to_string())
        .collect();
    if defaults.len() == 1 {
        spec.ingress_class_name = Some(defaults[0].clone());
    }
}

/// `ValidateIngressSpec` (the parts learners meet): a default backend or rules, path types,
/// absolute paths, exactly one backend kind, a service port given by name or number.
pub fn validate_ingress(ing: &Ingress) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(spec) = &ing.spec else { return errs };
    if spec.default_backend.is_none() && spec.rules.as_ref().is_none_or(|r| r.is_empty()) {
        errs.push(FieldError::invalid(
            "spec",
            BadValue::Raw("[]networking.IngressRule(nil)".into()),
            "either `defaultBackend` or `rules` must be specified",
        ));
    }
    if let Some(b) = &spec.default_backend {
        validate_backend(b, "spec.defaultBackend", &mut errs);
    }
    for (i, rule) in spec.rules.iter().flatten().enumerate() {
        for (j, p) in rule.http.iter().flat_map(|h| h.paths.iter()).enumerate() {
            let base = format!("spec.rules[{i}].http.paths[{j}]");
            match p.path_type.as_str() {
                "" => errs.push(FieldError::required(format!("{base}.pathType"), "pathType must be specified")),
                "Exact" | "Prefix" => {
                    let path = p.path.clone().unwrap_or_default();
                    if !path.starts_with('/') {
                        errs.push(FieldError::invalid(
                            format!("{base}.path"),
                            BadValue::Str(path),
                            "must be an absolute path",
                        ));
                    }
                }
                "ImplementationSpecific" => {
                    let path = p.path.clone().unwrap_or_default();
                    if !path.is_empty() && !path.starts_with('/') {
                        errs.push(FieldError::invalid(
                            format!("{base}.path"),
                            BadValue::Str(path),
                            "must be an absolute path",
                        ));
                    }
                }
                other => errs.push(FieldError::not_supported(
                    format!("{base}.pathType"),
                    BadValue::Str(other.into()),
                    &["Exact", "ImplementationSpecific", "Prefix"],
                )),
            }
            validate_backend(&p.backend, &format!("{base}.backend"), &mut errs);
        }
    }
    errs
}

fn validate_backend(b: &IngressBackend, path: &str, errs: &mut Vec<FieldError>) {
    match (&b.service, &b.resource) {
        (Some(_), Some(_)) => errs.push(FieldError::invalid(
            path.to_string(),
            BadValue::Raw("{...}".into()),
            "cannot set both service and resource backends",
        )),
        (None, None) => errs.push(FieldError::invalid(
            path.to_string(),
            BadValue::Raw("{...}".into()),
            "must specify a service or resource backend",
        )),
        (Some(s), None) => {
            let port = s.port.clone().unwrap_or_default();
            match (&port.name, port.number) {
                (Some(_), Some(_)) => errs.push(FieldError::invalid(
                    format!("{path}.service.port"),
                    BadValue::Raw("{...}".into()),
                    "cannot set both port name & port number",
                )),
                (None, None) => {
                    errs.push(FieldError::required(format!("{path}.service.port"), "port name or number is required"))
                }
                _ => {}
            }
        }
        _ => {}
    }
}

/// Where an HTTP request to the controller goes.
#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    /// A Service port (by number, or by name when `number` is None) and the path the backend
    /// sees (after `rewrite-target`).
    Backend { namespace: String, service: String, port_number: Option<i32>, port_name: Option<String>, path: String },
    /// No rule matches and there is no default backend: the controller's 404.
    NotFound,
}

fn backend_route(ns: &str, b: &IngressBackend, path: String) -> Route {
    match &b.service {
        Some(s) => {
            let port = s.port.clone().unwrap_or_default();
            Route::Backend {
                namespace: ns.to_string(),
                service: s.name.clone(),
                port_number: port.number,
                port_name: port.name,
                path,
            }
        }
        None => Route::NotFound,
    }
}

/// Element-wise prefix match (`/foo` matches `/foo`, `/foo/`, `/foo/bar`, not `/foobar`).
fn prefix_matches(rule: &str, path: &str) -> bool {
    let rule = rule.trim_end_matches('/');
    if rule.is_empty() {
        return true;
    }
    path == rule || path.strip_prefix(rule).is_some_and(|r| r.starts_with('/'))
}

/// Routes a request for `host` (the Host header, port removed) and `path` among the
/// Ingresses a controller with `cfg` serves.
pub fn route(store: &Store, cfg: &Config, host: &str, path: &str) -> Route {
    let host = host.to_ascii_lowercase();
    let path = path.split('?').next().unwrap_or("/").to_string();
    let ings: Vec<&Ingress> = store
        .list(Kind::Ingress, None)
        .into_iter()
        .filter_map(|o| match o {
            Object::Ingress(i) => Some(&**i),
            _ => None,
        })
        .filter(|i| handles(store, cfg, i))
        .collect();
    // Server selection: the exact host, else a wildcard, else the catch-all server.
    let rule_host_matches = |rh: &str, exact: bool| {
        if exact {
            rh == host
        } else {
            rh.strip_prefix("*.").is_some_and(|suffix| {
                host.strip_suffix(suffix)
                    .and_then(|h| h.strip_suffix('.'))
                    .is_some_and(|label| !label.is_empty() && !label.contains('.'))
            })
        }
    };
    for server in [Some(true), Some(false), None] {
        // (specificity: exact 1 / prefix 0, path length) → route
        let mut best: Option<((u8, usize), Route)> = None;
        let mut any_rule = false;
        for ing in &ings {
            let ns = ing.metadata.namespace.clone().unwrap_or_default();
            let ann = ing.metadata.annotations.clone().unwrap_or_default();
            let rewrite = ann.get(REWRITE_TARGET).cloned();
            let regex_mode = rewrite.is_some() || ann.get(USE_REGEX).map(String::as_str) == Some("true");
            for rule in ing.spec.iter().flat_map(|s| s.rules.iter().flatten()) {
                let rh = rule.host.clone().unwrap_or_default().to_ascii_lowercase();
                let selected = match server {
                    Some(exact) => !rh.is_empty() && rule_host_matches(&rh, exact),
                    None => rh.is_empty(),
                };
                if !selected {
                    continue;
                }
                any_rule = true;
                for p in rule.http.iter().flat_map(|h| h.paths.iter()) {
                    let rp = p.path.clone().unwrap_or_else(|| "/".into());
                    let (matched, exact, captures) = if regex_mode {
                        match regex::Regex::new(&format!("(?i)^{rp}")) {
                            Ok(re) => match re.captures(&path) {
                                Some(c) => {
                                    let caps: Vec<String> = (0..c.len())
                                        .map(|i| c.get(i).map(|m| m.as_str().to_string()).unwrap_or_default())
                                        .collect();
                                    (true, false, caps)
                                }
                                None => (false, false, vec![]),
                            },
                            Err(_) => (false, false, vec![]),
                        }
                    } else {
                        match p.path_type.as_str() {
                            "Exact" => (path == rp, true, vec![]),
                            "Prefix" => (prefix_matches(&rp, &path), false, vec![]),
                            _ => (path.starts_with(&rp), false, vec![]),
                        }
                    };
                    if !matched {
                        continue;
                    }
                    let score = (u8::from(exact), rp.len());
                    if best.as_ref().is_some_and(|(s, _)| *s >= score) {
                        continue;
                    }
                    let target_path = match &rewrite {
                        Some(t) => {
                            let mut out = t.clone();
                            for (i, c) in captures.iter().enumerate().rev() {
                                out = out.replace(&format!("${i}"), c);
                            }
                            if out.is_empty() {
                                "/".into()
                            } else {
                                out
                            }
                        }
                        None => path.clone(),
                    };
                    best = Some((score, backend_route(&ns, &p.backend, target_path)));
                }
            }
        }
        if let Some((_, r)) = best {
            return r;
        }
        if server.is_none() {
            // The catch-all server's default location: an Ingress's defaultBackend.
            if let Some(ing) = ings.iter().find(|i| i.spec.as_ref().and_then(|s| s.default_backend.as_ref()).is_some())
            {
                let ns = ing.metadata.namespace.clone().unwrap_or_default();
                if let Some(b) = ing.spec.as_ref().and_then(|s| s.default_backend.as_ref()) {
                    return backend_route(&ns, b, path.clone());
                }
            }
        }
        if any_rule {
            // The host has a server, so its own catch-all location answers: 404.
            return Route::NotFound;
        }
    }
    Route::NotFound
}

/// ingress-nginx's error pages (`server_tokens off`: no version).
pub fn error_page(status: u16) -> (String, String) {
    let reason = match status {
        404 => "Not Found",
        502 => "Bad Gateway",
        503 => "Service Temporarily Unavailable",
        504 => "Gateway Time-out",
        _ => "Internal Server Error",
    };
    let body = format!(
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    (reason.to_string(), body)
}

/// The controllers' part of the tick: follow which pods run the controller, and publish the
/// address on the Ingresses each one serves when its status syncer runs.
pub fn reconcile(w: &mut World) {
    let st = &mut w.network.ingress;
    // Which pods are controllers matters only to Ingresses: with none, the pods' changes are
    // not followed (a converging cluster changes every pod several times), and the first
    // Ingress makes the next pass list them all.
    if w.store.count(Kind::Ingress) == 0 {
        st.started = false;
        st.controllers.clear();
        return;
    }
    // The keys as the log shares them (a converging tick changes every pod several times).
    let events: Option<Vec<std::sync::Arc<ObjKey>>> = if st.started {
        // Whether a pod is a controller is read from the pod alone: once a batch will do.
        let mut repeats = Repeats::default();
        w.store.watch(st.synced_rv).map(|it| {
            it.filter(|e| e.kind == Kind::Pod && !repeats.is_repeat(&e.key, e.change)).map(|e| e.key.clone()).collect()
        })
    } else {
        None
    };
    match events {
        Some(keys) => {
            for k in keys {
                refresh_controller(&w.store, st, &k);
            }
        }
        None => {
            st.controllers.clear();
            st.started = true;
            let keys: Vec<ObjKey> = w.store.list(Kind::Pod, None).iter().map(|o| o.key()).collect();
            for k in keys {
                refresh_controller(&w.store, st, &k);
            }
        }
    }
    st.synced_rv = w.store.resource_version();
    if st.controllers.is_empty() || w.store.count(Kind::Ingress) == 0 {
        return;
    }
    let controllers: Vec<ObjKey> = st.controllers.iter().cloned().collect();
    for key in controllers {
        let Some(pod) = w.store.get(Kind::Pod, &key.namespace, &key.name).and_then(|o| o.as_pod()).cloned() else {
            continue;
        };
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let Some(rt) = w.kubelet.pods.get(&uid) else { continue };
        let Some(ctr) = rt.containers.iter().find(|c| is_controller_container(&c.spec)) else { continue };
        let started = match &ctr.proc {
            Some(super::kubelet::Proc::Program(p)) if ctr.is_running() => p.started,
            _ => continue,
        };
        let up = w.now.since(started);
        if up == 0 || !up.is_multiple_of(STATUS_SYNC_S) {
            continue;
        }
        let cfg = config(&ctr.spec, &key.namespace);
        let node = rt.node.clone();
        sync_status(w, &cfg, &node);
    }
    w.network.ingress.synced_rv = w.store.resource_version();
}

fn refresh_controller(store: &Store, st: &mut State, key: &ObjKey) {
    match store.get(Kind::Pod, &key.namespace, &key.name).and_then(|o| o.as_pod()) {
        Some(p) if is_controller_pod(p) => {
            st.controllers.insert(key.clone());
        }
        _ => {
            st.controllers.remove(key);
        }
    }
}

/// The addresses a controller publishes: its `--publish-service`'s (load-balancer ingress,
/// external IPs or ClusterIP), else the InternalIP of the node it runs on.
fn addresses(w: &World, cfg: &Config, node: &str) -> Vec<IngressLoadBalancerIngress> {
    if let Some((ns, name)) = &cfg.publish_service {
        let Some(svc) = w.store.get(Kind::Service, ns, name).and_then(|o| o.as_service()) else { return vec![] };
        let spec = svc.spec.clone().unwrap_or_default();
        return match spec.type_.as_deref().unwrap_or("ClusterIP") {
            "ExternalName" => vec![IngressLoadBalancerIngress { hostname: spec.external_name, ..Default::default() }],
            "LoadBalancer" => svc
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|l| l.ingress.clone())
                .unwrap_or_default()
                .into_iter()
                .map(|i| IngressLoadBalancerIngress { ip: i.ip, hostname: i.hostname, ..Default::default() })
                .collect(),
            _ => match spec.external_ips.filter(|v| !v.is_empty()) {
                Some(ips) => ips
                    .into_iter()
                    .map(|ip| IngressLoadBalancerIngress { ip: Some(ip), ..Default::default() })
                    .collect(),
                None => spec
                    .cluster_ip
                    .into_iter()
                    .map(|ip| IngressLoadBalancerIngress { ip: Some(ip), ..Default::default() })
                    .collect(),
            },
        };
    }
    let ip = w
        .store
        .get(Kind::Node, "", node)
        .and_then(|o| o.as_node())
        .and_then(|n| n.status.as_ref()?.addresses.clone())
        .and_then(|a| a.into_iter().find(|a| a.type_ == "InternalIP"))
        .map(|a| a.address);
    ip.into_iter().map(|ip| IngressLoadBalancerIngress { ip: Some(ip), ..Default::default() }).collect()
}

fn sync_status(w: &mut World, cfg: &Config, node: &str) {
    let addrs = addresses(w, cfg, node);
    let status = IngressStatus {
        load_balancer: Some(IngressLoadBalancerStatus { ingress: (!addrs.is_empty()).then_some(addrs) }),
    };
    let keys: Vec<ObjKey> = w
        .store
        .list(Kind::Ingress, None)
        .into_iter()
        .filter(|o| matches!(o, Object::Ingress(i) if handles(&w.store, cfg, i)))
        .map(|o| o.key())
        .collect();
    for k in keys {
        let _ = w.store.modify(Kind::Ingress, &k.namespace, &k.name, |o| {
            if let Object::Ingress(i) = o {
                i.status = Some(status.clone());
            }
        });
    }
}

/// Installs ingress-nginx as its bare-metal manifest does: the `ingress-nginx` namespace, the
/// `nginx` IngressClass, the controller Deployment and its NodePort Service (HTTP on
/// `http_node_port`, HTTPS on `https_node_port`). For scenarios.
pub fn install_nginx(w: &mut World, http_node_port: i32, https_node_port: i32) -> Result<(), String> {
    let labels = json!({
        "app.kubernetes.io/component": "controller",
        "app.kubernetes.io/instance": "ingress-nginx",
        "app.kubernetes.io/name": "ingress-nginx",
        "app.kubernetes.io/part-of": "ingress-nginx",
        "app.kubernetes.io/version": CONTROLLER_VERSION.trim_start_matches('v'),
    });
    let selector = json!({
        "app.kubernetes.io/component": "controller",
        "app.kubernetes.io/instance": "ingress-nginx",
        "app.kubernetes.io/name": "ingress-nginx",
    });
    let docs = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ingress-nginx",
            "labels": {"app.kubernetes.io/instance": "ingress-nginx", "app.kubernetes.io/name": "ingress-nginx"}}}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "nginx", "labels": labels},
            "spec": {"controller": NGINX_CONTROLLER}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ingress-nginx-controller", "namespace": "ingress-nginx", "labels": labels},
        "spec": {"type": "NodePort", "ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv4"], "selector": selector,
            "ports": [
                {"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http", "appProtocol": "http", "nodePort": http_node_port},
                {"name": "https", "port": 443, "protocol": "TCP", "targetPort": "https", "appProtocol": "https", "nodePort": https_node_port}
            ]}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "ingress-nginx-controller", "namespace": "ingress-nginx", "labels": labels},
        "spec": {"replicas": 1, "revisionHistoryLimit": 10, "minReadySeconds": 0,
            "selector": {"matchLabels": selector},
            "template": {"metadata": {"labels": labels}, "spec": {
                "containers": [{
                    "name": "controller",
                    "image": format!("{CONTROLLER_IMAGE}:{CONTROLLER_VERSION}"),
                    "imagePullPolicy": "IfNotPresent",
                    "args": ["/nginx-ingress-controller", "--election-id=ingress-nginx-leader", "--controller-class=k8s.io/ingress-nginx",
                        "--ingress-class=nginx", "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller"],
                    "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                        {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}],
                    "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}, {"name": "https", "containerPort": 443, "protocol": "TCP"}],
                    "readinessProbe": {"httpGet": {"path": "/healthz", "port": 10254, "scheme": "HTTP"}, "initialDelaySeconds": 10, "periodSeconds": 10},
                    "livenessProbe": {"httpGet": {"path": "/healthz", "port": 10254, "scheme": "HTTP"}, "initialDelaySeconds": 10, "periodSeconds": 10, "failureThreshold": 5},
                    "resources": {"requests": {"cpu": "100m", "memory": "90Mi"}}
                }],
                "nodeSelector": {"kubernetes.io/os": "linux"},
                "terminationGracePeriodSeconds": 300
            }}}}),
    ];
    for d in docs {
        super::addons::create(w, d)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(ings: &[&str]) -> Store {
        let mut s = Store::new();
        let class: k8s_openapi::api::networking::v1::IngressClass =
            serde_yaml::from_str("metadata: {name: nginx}\nspec: {controller: k8s.io/ingress-nginx}\n").unwrap();
        s.create(Object::IngressClass(Box::new(class))).unwrap();
        for y in ings {
            let i: Ingress = serde_yaml::from_str(y).unwrap();
            s.create(Object::Ingress(Box::new(i))).unwrap();
        }
        s
    }

    fn cfg() -> Config {
        config(&Container::default(), "ingress-nginx")
    }

    fn svc(r: Route) -> String {
        match r {
            Route::Backend { service, path, .. } => format!("{service} {path}"),
            Route::NotFound => "404".into(),
        }
    }

    #[test]
    fn hosts_and_paths() {
        let s = store(&[
            "metadata: {name: a, namespace: default}\nspec:\n  ingressClassName: nginx\n  rules:\n  - http:\n      paths:\n      - {path: /app, pathType: Prefix, backend: {service: {name: app, port: {number: 80}}}}\n      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}\n      - {path: /api/v2, pathType: Exact, backend: {service: {name: v2, port: {number: 80}}}}\n",
            "metadata: {name: b, namespace: default}\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: shop.example.com\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}\n  - host: '*.example.com'\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: wild, port: {number: 80}}}}\n",
            "metadata: {name: other, namespace: default}\nspec:\n  ingressClassName: traefik\n  defaultBackend: {service: {name: nope, port: {number: 80}}}\n",
        ]);
        let c = cfg();
        assert_eq!(svc(route(&s, &c, "192.168.1.11", "/app")), "app /app");
        assert_eq!(svc(route(&s, &c, "192.168.1.11", "/app/x?y=1")), "app /app/x");
        assert_eq!(svc(route(&s, &c, "192.168.1.11", "/apple")), "404");
        assert_eq!(svc(route(&s, &c, "192.168.1.11", "/api/v2")), "v2 /api/v2");
        assert_eq!(svc(route(&s, &c, "192.168.1.11", "/api/v2/x")), "api /api/v2/x");
        assert_eq!(svc(route(&s, &c, "SHOP.example.com", "/app")), "shop /app");
        assert_eq!(svc(route(&s, &c, "blog.example.com", "/")), "wild /");
        assert_eq!(svc(route(&s, &c, "a.b.example.com", "/app")), "app /app");
        assert_eq!(svc(route(&s, &c, "x", "/")), "404");
    }

    #[test]
    fn rewrite_target_and_default_backend() {
        let s = store(&[
            "metadata: {name: a, namespace: default, annotations: {nginx.ingress.kubernetes.io/rewrite-target: /$2}}\nspec:\n  ingressClassName: nginx\n  defaultBackend: {service: {name: fallback, port: {number: 80}}}\n  rules:\n  - http:\n      paths:\n      - {path: /shop(/|$)(.*), pathType: ImplementationSpecific, backend: {service: {name: shop, port: {number: 80}}}}\n",
        ]);
        let c = cfg();
        assert_eq!(svc(route(&s, &c, "h", "/shop/cart")), "shop /cart");
        assert_eq!(svc(route(&s, &c, "h", "/shop")), "shop /");
        assert_eq!(svc(route(&s, &c, "h", "/other")), "fallback /other");
    }

    #[test]
    fn install_creates_the_controller_objects() {
        let mut w = World::new(1);
        install_nginx(&mut w, 30080, 30443).unwrap();
        assert!(w.store.get(Kind::Namespace, "", "ingress-nginx").is_some());
        assert!(w.store.get(Kind::IngressClass, "", "nginx").is_some());
        assert!(w.store.get(Kind::Deployment, "ingress-nginx", "ingress-nginx-controller").is_some());
        let svc = w
            .store
            .get(Kind::Service, "ingress-nginx", "ingress-nginx-controller")
            .and_then(|o| o.as_service())
            .unwrap();
        let ports: Vec<i32> =
            svc.spec.iter().flat_map(|s| s.ports.iter().flatten()).filter_map(|p| p.node_port).collect();
        assert_eq!(ports, [30080, 30443]);
    }

    #[test]
    fn controller_flags() {
        let c: Container = serde_yaml::from_str(
            "name: c\nargs: [/nginx-ingress-controller, --publish-service=$(POD_NAMESPACE)/ingress-nginx-controller, --ingress-class, internal, --watch-ingress-without-class=true]\n",
        )
        .unwrap();
        let cfg = config(&c, "ingress-nginx");
        assert_eq!(cfg.publish_service, Some(("ingress-nginx".into(), "ingress-nginx-controller".into())));
        assert_eq!(cfg.ingress_class, "internal");
        assert!(cfg.watch_without_class);
    }
}
