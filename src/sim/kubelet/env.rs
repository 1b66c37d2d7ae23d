//! A container's environment as the kubelet builds it: the image's env, service-link
//! variables (the API server's `KUBERNETES_*`, and `WEB_SERVICE_HOST`, `WEB_PORT_80_TCP`...
//! for every Service of the namespace unless `enableServiceLinks: false`), `envFrom`, then
//! `env` in order with `valueFrom` references and `$(VAR)` expansion — failing with the
//! kubelet's CreateContainerConfigError messages when a referenced ConfigMap, Secret or key
//! is missing — and finally `HOME`, which the runtime sets from the user's passwd entry.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use k8s_openapi::api::core::v1::{Container, Pod};

use super::volumes::{config_map_data, secret_data};
use super::PodRt;
use crate::sim::World;

/// The value of a downward-API field path (`metadata.name`, `status.podIP`,
/// `metadata.labels['app']`...).
pub fn field_value(pod: &Pod, path: &str, rt: &PodRt) -> Option<String> {
    let m = &pod.metadata;
    let spec = pod.spec.as_ref();
    let map_get = |map: &Option<BTreeMap<String, String>>, key: &str| map.as_ref().and_then(|l| l.get(key).cloned());
    if let Some(rest) = path.strip_prefix("metadata.labels['").and_then(|r| r.strip_suffix("']")) {
        return Some(map_get(&m.labels, rest).unwrap_or_default());
    }
    if let Some(rest) = path.strip_prefix("metadata.annotations['").and_then(|r| r.strip_suffix("']")) {
        return Some(map_get(&m.annotations, rest).unwrap_or_default());
    }
    let fmt_map = |map: &Option<BTreeMap<String, String>>| {
        map.iter().flatten().map(|(k, v)| format!("{k}=\"{v}\"")).collect::<Vec<_>>().join("\n")
    };
    Some(match path {
        "metadata.name" => m.name.clone().unwrap_or_default(),
        "metadata.namespace" => m.namespace.clone().unwrap_or_default(),
        "metadata.uid" => m.uid.clone().unwrap_or_default(),
        "metadata.labels" => fmt_map(&m.labels),
        "metadata.annotations" => fmt_map(&m.annotations),
        "spec.nodeName" => rt.node.clone(),
        "spec.serviceAccountName" => spec.and_then(|s| s.service_account_name.clone()).unwrap_or_default(),
        "status.podIP" | "status.podIPs" => rt.ip.clone().unwrap_or_default(),
        "status.hostIP" | "status.hostIPs" => pod.status.as_ref().and_then(|s| s.host_ip.clone()).unwrap_or_default(),
        _ => return None,
    })
}

/// Expands `$(VAR)` references from `env` (`$$(VAR)` escapes), as Kubernetes does for env
/// values, command and args. Unknown references stay as written.
pub fn expand<'a>(s: &str, env: impl Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(a) = after.strip_prefix("$(") {
            out.push_str("$(");
            rest = a;
            continue;
        }
        if let Some(inner) = after.strip_prefix('(') {
            if let Some(end) = inner.find(')') {
                let name = &inner[..end];
                if let Some(v) = env(name) {
                    out.push_str(v);
                } else {
                    out.push_str(&format!("$({name})"));
                }
                rest = &inner[end + 1..];
                continue;
            }
        }
        out.push('$');
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Resource values for resourceFieldRef (`limits.memory` in bytes, `requests.cpu` in cores
/// rounded up) with an optional divisor.
fn resource_value(c: &Container, resource: &str, divisor: Option<&str>, node_alloc: (i64, i64)) -> String {
    use crate::sim::quantity::{parse_milli, parse_value};
    let (section, name) = resource.split_once('.').unwrap_or(("limits", resource));
    let res = c.resources.as_ref();
    let q = match section {
        "requests" => res.and_then(|r| r.requests.as_ref()).and_then(|m| m.get(name)),
        _ => res.and_then(|r| r.limits.as_ref()).and_then(|m| m.get(name)),
    };
    if name == "cpu" {
        let milli =
            q.and_then(|q| parse_milli(&q.0).ok()).unwrap_or(if section == "limits" { node_alloc.0 } else { 0 });
        let div = divisor.and_then(|d| parse_milli(d).ok()).filter(|d| *d > 0).unwrap_or(1000);
        return ((milli + div - 1) / div).to_string();
    }
    let bytes = q.and_then(|q| parse_value(&q.0).ok()).unwrap_or(if section == "limits" { node_alloc.1 } else { 0 });
    let div = divisor.and_then(|d| parse_value(d).ok()).filter(|d| *d > 0).unwrap_or(1);
    ((bytes + div - 1) / div).to_string()
}

/// A container's environment as the kubelet resolved it, in the order the variables were
/// set, in three parts: what comes before the service links, the namespace's service links
/// (shared by every container of the namespace, never copied: at scale they are hundreds of
/// variables), and what comes after (`envFrom`, `env`, `HOME`). A name set again overrides
/// the earlier setting and moves to the end ([`Parts::merged`]).
#[derive(Clone, Debug, Default)]
pub struct Parts {
    pub pre: Vec<(String, String)>,
    pub links: Option<Arc<Vec<(String, String)>>>,
    pub post: Vec<(String, String)>,
}

impl Parts {
    /// The latest setting of `name` (what `$(NAME)` expands to).
    pub fn get(&self, name: &str) -> Option<&str> {
        fn find<'a>(list: &'a [(String, String)], name: &str) -> Option<&'a str> {
            list.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
        }
        find(&self.post, name)
            .or_else(|| self.links.as_deref().and_then(|l| find(l, name)))
            .or_else(|| find(&self.pre, name))
    }

    /// Every setting in order, earlier settings of a name dropped.
    pub fn merged(&self) -> Vec<(String, String)> {
        let links = self.links.as_deref().map(Vec::as_slice).unwrap_or_default();
        last_settings(self.pre.iter().chain(links).chain(&self.post).cloned().collect())
    }
}

/// The environment of a container. Err carries the CreateContainerConfigError message
/// (`configmap "x" not found`, `couldn't find key k in ConfigMap default/x`).
pub fn resolve(
    w: &World,
    pod: &Pod,
    c: &Container,
    rt: &PodRt,
    image_env: &BTreeMap<String, String>,
) -> Result<Parts, String> {
    let ns = rt.namespace.as_str();
    // A variable set again moves to the end with its new value. Settings are appended and
    // the earlier ones dropped when the parts are merged ([`last_settings`]). Reading the
    // parts meanwhile (`$(VAR)` expansion) looks from the end, so it sees the latest value.
    let mut env = Parts::default();
    let pre = &mut env.pre;
    pre.push(("PATH".into(), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into()));
    for (k, v) in image_env {
        pre.push((k.clone(), v.clone()));
    }
    pre.push(("HOSTNAME".into(), super::pod_hostname(pod)));
    // Service links for the API server's own Service, present in every namespace.
    for (k, v) in [
        ("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
        ("KUBERNETES_SERVICE_PORT", "443"),
        ("KUBERNETES_SERVICE_PORT_HTTPS", "443"),
        ("KUBERNETES_PORT", "tcp://10.96.0.1:443"),
        ("KUBERNETES_PORT_443_TCP", "tcp://10.96.0.1:443"),
        ("KUBERNETES_PORT_443_TCP_PROTO", "tcp"),
        ("KUBERNETES_PORT_443_TCP_PORT", "443"),
        ("KUBERNETES_PORT_443_TCP_ADDR", "10.96.0.1"),
    ] {
        pre.push((k.into(), v.into()));
    }
    let links = pod.spec.as_ref().and_then(|s| s.enable_service_links).unwrap_or(true);
    if links {
        env.links = Some(w.kubelet.links.get(w, ns));
    }
    for from in c.env_from.iter().flatten() {
        let prefix = from.prefix.clone().unwrap_or_default();
        if let Some(r) = &from.config_map_ref {
            match config_map_data(w, ns, &r.name) {
                Some(data) => {
                    for (k, v) in data {
                        env.post.push((format!("{prefix}{k}"), String::from_utf8_lossy(&v).into_owned()));
                    }
                }
                None if r.optional == Some(true) => {}
                None => return Err(format!("configmap \"{}\" not found", r.name)),
            }
        }
        if let Some(r) = &from.secret_ref {
            match secret_data(w, ns, &r.name) {
                Some(data) => {
                    for (k, v) in data {
                        env.post.push((format!("{prefix}{k}"), String::from_utf8_lossy(&v).into_owned()));
                    }
                }
                None if r.optional == Some(true) => {}
                None => return Err(format!("secret \"{}\" not found", r.name)),
            }
        }
    }
    let node_alloc = || node_allocatable(w, &rt.node);
    for e in c.env.iter().flatten() {
        let value = if let Some(vf) = &e.value_from {
            if let Some(r) = &vf.config_map_key_ref {
                match config_map_data(w, ns, &r.name) {
                    Some(data) => match data.get(&r.key) {
                        Some(v) => String::from_utf8_lossy(v).into_owned(),
                        None if r.optional == Some(true) => continue,
                        None => return Err(format!("couldn't find key {} in ConfigMap {}/{}", r.key, ns, r.name)),
                    },
                    None if r.optional == Some(true) => continue,
                    None => return Err(format!("configmap \"{}\" not found", r.name)),
                }
            } else if let Some(r) = &vf.secret_key_ref {
                match secret_data(w, ns, &r.name) {
                    Some(data) => match data.get(&r.key) {
                        Some(v) => String::from_utf8_lossy(v).into_owned(),
                        None if r.optional == Some(true) => continue,
                        None => return Err(format!("couldn't find key {} in Secret {}/{}", r.key, ns, r.name)),
                    },
                    None if r.optional == Some(true) => continue,
                    None => return Err(format!("secret \"{}\" not found", r.name)),
                }
            } else if let Some(f) = &vf.field_ref {
                field_value(pod, &f.field_path, rt).unwrap_or_default()
            } else if let Some(r) = &vf.resource_field_ref {
                let target = r
                    .container_name
                    .as_ref()
                    .and_then(|n| pod.spec.as_ref()?.containers.iter().find(|x| &x.name == n))
                    .unwrap_or(c);
                resource_value(target, &r.resource, r.divisor.as_ref().map(|d| d.0.as_str()), node_alloc())
            } else {
                String::new()
            }
        } else {
            expand(e.value.as_deref().unwrap_or(""), |n| env.get(n))
        };
        env.post.push((e.name.clone(), value));
    }
    // runc sets HOME when the process environment lacks it: the user's home directory from
    // the image's /etc/passwd, "/" for a uid it does not list. Images run as root here.
    // (No service-link variable is named HOME: they all end in _HOST, _PORT... .)
    if !env.pre.iter().chain(&env.post).any(|(k, _)| k == "HOME") {
        let uid = c
            .security_context
            .as_ref()
            .and_then(|s| s.run_as_user)
            .or_else(|| pod.spec.as_ref()?.security_context.as_ref()?.run_as_user)
            .unwrap_or(0);
        env.post.push(("HOME".into(), if uid == 0 { "/root".into() } else { "/".into() }));
    }
    Ok(env)
}

/// Keeps each variable's last setting, where it was made (what removing the earlier setting
/// at each new one gives).
fn last_settings(env: Vec<(String, String)>) -> Vec<(String, String)> {
    // Most environments set each variable once: a set finds that out cheaply (it only
    // answers yes or no; the order kept is the list's own).
    let mut names: BTreeSet<&str> = BTreeSet::new();
    if env.iter().all(|(k, _)| names.insert(k.as_str())) {
        return env;
    }
    drop(names);
    let mut last: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, (k, _)) in env.iter().enumerate() {
        last.insert(k, i);
    }
    if last.len() == env.len() {
        return env;
    }
    let keep: Vec<bool> = env.iter().enumerate().map(|(i, (k, _))| last.get(k.as_str()) == Some(&i)).collect();
    drop(last);
    env.into_iter().zip(keep).filter_map(|(kv, k)| k.then_some(kv)).collect()
}

/// The service-link variables of each namespace, as [`service_links`] makes them, kept
/// until a Service of the namespace changes: every container started in a namespace reads
/// the same list (hundreds of variables where there are dozens of Services), and building
/// it is most of the cost of starting a container at scale. An entry is checked against the
/// namespace's Services (names and resourceVersions) before use, so it can never be stale.
#[derive(Debug, Default)]
pub struct LinksCache(Mutex<BTreeMap<String, Links>>);

/// One namespace's service links and what they were made from.
#[derive(Debug)]
struct Links {
    /// (name, resourceVersion) of every Service of the namespace, in name order.
    services: Vec<(String, String)>,
    /// The store's latest write of any Service when `services` was last found current: while
    /// no Service has been written since, the list needs no checking.
    checked_at: u64,
    vars: Arc<Vec<(String, String)>>,
}

impl Clone for LinksCache {
    /// A copy starts empty: the cache is only a shortcut.
    fn clone(&self) -> LinksCache {
        LinksCache::default()
    }
}

impl LinksCache {
    /// The service-link variables of `ns` now.
    pub fn get(&self, w: &World, ns: &str) -> Arc<Vec<(String, String)>> {
        let written = w.store.last_write(crate::sim::Kind::Service);
        let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(l) = cache.get(ns).filter(|l| l.checked_at == written) {
            return l.vars.clone();
        }
        let services = w.store.list(crate::sim::Kind::Service, Some(ns));
        if let Some(l) = cache.get_mut(ns) {
            let same = l.services.len() == services.len()
                && l.services.iter().zip(&services).all(|((name, rv), o)| {
                    o.name() == name.as_str() && o.meta().resource_version.as_deref() == Some(rv.as_str())
                });
            if same {
                l.checked_at = written;
                return l.vars.clone();
            }
        }
        let vars = Arc::new(service_links(w, ns));
        // Only Services that carry a resourceVersion (all but the API server's bootstrap
        // content) can be checked later.
        let stamps: Option<Vec<(String, String)>> =
            services.iter().map(|o| Some((o.name().to_string(), o.meta().resource_version.clone()?))).collect();
        match stamps {
            Some(services) => {
                cache.insert(ns.to_string(), Links { services, checked_at: written, vars: vars.clone() });
            }
            None => {
                cache.remove(ns);
            }
        }
        vars
    }
}

/// The Docker-link style variables of the Services in `ns` that have a cluster IP, as
/// the kubelet's `envvars.FromServices` makes them (`MY_SVC_SERVICE_HOST`,
/// `MY_SVC_SERVICE_PORT`, `MY_SVC_SERVICE_PORT_<NAME>`, `MY_SVC_PORT`,
/// `MY_SVC_PORT_80_TCP{,_PROTO,_PORT,_ADDR}`), in name order.
fn service_links(w: &World, ns: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for obj in w.store.list(crate::sim::Kind::Service, Some(ns)) {
        let Some(svc) = obj.as_service() else { continue };
        let name = svc.metadata.name.clone().unwrap_or_default();
        if ns == "default" && name == "kubernetes" {
            continue; // Already set above, for every namespace.
        }
        let Some(spec) = svc.spec.as_ref() else { continue };
        let ip = spec.cluster_ip.clone().unwrap_or_default();
        if ip.is_empty() || ip == "None" {
            continue;
        }
        let ports = spec.ports.clone().unwrap_or_default();
        let Some(first) = ports.first() else { continue };
        let prefix = name.replace('-', "_").to_uppercase();
        out.push((format!("{prefix}_SERVICE_HOST"), ip.clone()));
        out.push((format!("{prefix}_SERVICE_PORT"), first.port.to_string()));
        for p in &ports {
            if let Some(pn) = p.name.as_ref().filter(|n| !n.is_empty()) {
                out.push((
                    format!("{prefix}_SERVICE_PORT_{}", pn.replace('-', "_").to_uppercase()),
                    p.port.to_string(),
                ));
            }
        }
        for (i, p) in ports.iter().enumerate() {
            let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
            let lower = proto.to_lowercase();
            let host_port = if ip.contains(':') { format!("[{ip}]:{}", p.port) } else { format!("{ip}:{}", p.port) };
            if i == 0 {
                out.push((format!("{prefix}_PORT"), format!("{lower}://{host_port}")));
            }
            let pp = format!("{prefix}_PORT_{}_{}", p.port, proto.to_uppercase());
            out.push((pp.clone(), format!("{lower}://{host_port}")));
            out.push((format!("{pp}_PROTO"), lower));
            out.push((format!("{pp}_PORT"), p.port.to_string()));
            out.push((format!("{pp}_ADDR"), ip.clone()));
        }
    }
    out
}

/// (cpu milli, memory bytes) allocatable on a node — the defaults for unset limits.
fn node_allocatable(w: &World, node: &str) -> (i64, i64) {
    use crate::sim::quantity::{parse_milli, parse_value};
    let alloc = w
        .store
        .get(crate::sim::Kind::Node, "", node)
        .and_then(|o| o.as_node())
        .and_then(|n| n.status.as_ref())
        .and_then(|s| s.allocatable.clone())
        .unwrap_or_default();
    let cpu = alloc.get("cpu").and_then(|q| parse_milli(&q.0).ok()).unwrap_or(4000);
    let mem = alloc.get("memory").and_then(|q| parse_value(&q.0).ok()).unwrap_or(8 << 30);
    (cpu, mem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variable_set_again_moves_to_the_end() {
        let kv = |k: &str, v: &str| (k.to_string(), v.to_string());
        let env = vec![kv("A", "1"), kv("B", "2"), kv("A", "3"), kv("C", "4"), kv("B", "5")];
        assert_eq!(last_settings(env), vec![kv("A", "3"), kv("C", "4"), kv("B", "5")]);
    }

    #[test]
    fn cached_service_links_follow_service_changes() {
        use crate::sim::api::WriteOptions;
        use crate::sim::{Kind, Object};
        let svc = |port: i32| {
            let v = serde_json::json!({
                "apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "web-app", "namespace": "default"},
                "spec": {"selector": {"app": "web"}, "ports": [{"port": port}]}
            });
            Object::from_value(Kind::Service, v).unwrap()
        };
        let mut w = World::new(1);
        w.api_create(svc(80), WriteOptions::default()).unwrap();
        let first = w.kubelet.links.get(&w, "default");
        assert_eq!(*first, service_links(&w, "default"));
        assert!(first.iter().any(|(k, v)| k == "WEB_APP_SERVICE_PORT" && v == "80"));
        // Unchanged Services: the same list, not a new one.
        assert!(Arc::ptr_eq(&first, &w.kubelet.links.get(&w, "default")));
        let mut changed = svc(8080);
        let stored = w.store.get(Kind::Service, "default", "web-app").unwrap();
        changed.meta_mut().resource_version = stored.meta().resource_version.clone();
        if let (Object::Service(c), Object::Service(s)) = (&mut changed, stored) {
            c.spec.as_mut().unwrap().cluster_ip = s.spec.as_ref().unwrap().cluster_ip.clone();
            c.spec.as_mut().unwrap().cluster_ips = s.spec.as_ref().unwrap().cluster_ips.clone();
        }
        w.api_update(changed, WriteOptions::default()).unwrap();
        let second = w.kubelet.links.get(&w, "default");
        assert_eq!(*second, service_links(&w, "default"));
        assert!(second.iter().any(|(k, v)| k == "WEB_APP_SERVICE_PORT" && v == "8080"));
    }

    #[test]
    fn dollar_paren_expansion() {
        let env = Parts { pre: vec![("A".to_string(), "x".to_string())], ..Parts::default() };
        assert_eq!(expand("$(A)-$(B)-$$(A)-$", |n| env.get(n)), "x-$(B)-$(A)-$");
    }
}
