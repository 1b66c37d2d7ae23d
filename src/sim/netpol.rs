//! NetworkPolicy: the API server's defaults and validation for the kind, and its enforcement
//! as a policy-enforcing CNI (Calico, Cilium) does it on every new connection: a pod selected
//! by a policy of type Ingress accepts only what one of those policies' ingress rules allow,
//! likewise for Egress; replies of an allowed connection are always allowed; dropped packets
//! get no answer, so the client waits for its timeout.
//!
//! Rules are evaluated after kube-proxy's DNAT: a request to a Service is judged by the pod
//! it lands on and its target port. Named ports are the destination pod's container ports.
//! Traffic that enters through a NodePort is masqueraded: its source is the node's IP.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::api::errors::{BadValue, FieldError};
use super::api::selector::Selector;
use super::network::{ip_to_u32, Cidr};
use super::object::{Kind, Object};
use super::store::Store;

/// One end of a connection: its address and, when it is a pod, what policies look at.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Peer {
    pub ip: String,
    pub pod: Option<PodInfo>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodInfo {
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    /// Container ports: (name, number, protocol).
    pub ports: Vec<(String, i32, String)>,
}

impl Peer {
    /// The pod `namespace/name` as a peer, read from the store.
    pub fn pod(store: &Store, namespace: &str, name: &str, ip: &str) -> Peer {
        let pod = store.get(Kind::Pod, namespace, name).and_then(|o| o.as_pod());
        let info = pod.map(|p| {
            let mut ports = Vec::new();
            for c in p.spec.iter().flat_map(|s| s.containers.iter()) {
                for cp in c.ports.iter().flatten() {
                    ports.push((
                        cp.name.clone().unwrap_or_default(),
                        cp.container_port,
                        cp.protocol.clone().unwrap_or_else(|| "TCP".into()),
                    ));
                }
            }
            PodInfo { namespace: namespace.to_string(), labels: p.metadata.labels.clone().unwrap_or_default(), ports }
        });
        Peer { ip: ip.to_string(), pod: info }
    }

    /// An address that is not a pod (a node, something outside the cluster).
    pub fn host(ip: &str) -> Peer {
        Peer { ip: ip.to_string(), pod: None }
    }
}

/// Whether a new connection from `src` to `dst` on `port`/`protocol` is allowed by both
/// sides' policies.
pub fn allows(store: &Store, src: &Peer, dst: &Peer, port: u16, protocol: &str) -> bool {
    if store.count(Kind::NetworkPolicy) == 0 {
        return true;
    }
    let egress_ok = match &src.pod {
        None => true,
        Some(sp) => {
            let pols = selecting(store, sp, "Egress");
            pols.is_empty()
                || pols.iter().any(|p| {
                    let ns = p.metadata.namespace.as_deref().unwrap_or("");
                    p.spec.as_ref().and_then(|s| s.egress.as_ref()).into_iter().flatten().any(|r| {
                        peers_match(store, ns, r.to.as_deref(), dst)
                            && ports_match(r.ports.as_deref(), dst, port, protocol)
                    })
                })
        }
    };
    if !egress_ok {
        return false;
    }
    match &dst.pod {
        None => true,
        Some(dp) => {
            let pols = selecting(store, dp, "Ingress");
            pols.is_empty()
                || pols.iter().any(|p| {
                    let ns = p.metadata.namespace.as_deref().unwrap_or("");
                    p.spec.as_ref().and_then(|s| s.ingress.as_ref()).into_iter().flatten().any(|r| {
                        peers_match(store, ns, r.from.as_deref(), src)
                            && ports_match(r.ports.as_deref(), dst, port, protocol)
                    })
                })
        }
    }
}

fn policy_types(p: &NetworkPolicy) -> Vec<String> {
    let spec = p.spec.as_ref();
    match spec.and_then(|s| s.policy_types.clone()).filter(|v| !v.is_empty()) {
        Some(t) => t,
        None => {
            let mut t = vec!["Ingress".to_string()];
            if spec.and_then(|s| s.egress.as_ref()).is_some_and(|e| !e.is_empty()) {
                t.push("Egress".into());
            }
            t
        }
    }
}

/// The policies of the pod's namespace that select it for `direction`.
fn selecting<'a>(store: &'a Store, pod: &PodInfo, direction: &str) -> Vec<&'a NetworkPolicy> {
    store
        .list(Kind::NetworkPolicy, Some(&pod.namespace))
        .into_iter()
        .filter_map(|o| match o {
            Object::NetworkPolicy(p) => Some(&**p),
            _ => None,
        })
        .filter(|p| policy_types(p).iter().any(|t| t == direction))
        .filter(|p| {
            let sel = p.spec.as_ref().map(|s| Selector::from_label_selector(&s.pod_selector)).unwrap_or_default();
            sel.matches(&pod.labels)
        })
        .collect()
}

fn namespace_labels(store: &Store, ns: &str) -> BTreeMap<String, String> {
    store.get(Kind::Namespace, "", ns).and_then(|o| o.meta().labels.clone()).unwrap_or_default()
}

fn peers_match(store: &Store, policy_ns: &str, peers: Option<&[NetworkPolicyPeer]>, other: &Peer) -> bool {
    let Some(peers) = peers.filter(|p| !p.is_empty()) else { return true };
    peers.iter().any(|peer| {
        if let Some(block) = &peer.ip_block {
            let Some(ip) = ip_to_u32(&other.ip) else { return false };
            let inside = Cidr::parse(&block.cidr).is_some_and(|c| c.contains(ip));
            let excepted = block.except.iter().flatten().filter_map(|e| Cidr::parse(e)).any(|c| c.contains(ip));
            return inside && !excepted;
        }
        let Some(pod) = &other.pod else { return false };
        let ns_ok = match &peer.namespace_selector {
            Some(ns_sel) => Selector::from_label_selector(ns_sel).matches(&namespace_labels(store, &pod.namespace)),
            None => pod.namespace == policy_ns,
        };
        let pod_ok = match &peer.pod_selector {
            Some(ps) => Selector::from_label_selector(ps).matches(&pod.labels),
            None => true,
        };
        ns_ok && pod_ok
    })
}

fn ports_match(ports: Option<&[NetworkPolicyPort]>, dst: &Peer, port: u16, protocol: &str) -> bool {
    let Some(ports) = ports.filter(|p| !p.is_empty()) else { return true };
    let port = i32::from(port);
    ports.iter().any(|p| {
        if p.protocol.as_deref().unwrap_or("TCP") != protocol {
            return false;
        }
        match &p.port {
            None => true,
            Some(IntOrString::Int(n)) => match p.end_port {
                Some(end) => (*n..=end).contains(&port),
                None => *n == port,
            },
            Some(IntOrString::String(name)) => dst
                .pod
                .as_ref()
                .is_some_and(|d| d.ports.iter().any(|(n, num, proto)| n == name && proto == protocol && *num == port)),
        }
    })
}

/// `SetDefaults_NetworkPolicy`: ports default to TCP; policyTypes to Ingress, plus Egress
/// when there are egress rules.
pub fn default_network_policy(p: &mut NetworkPolicy) {
    let types = policy_types(p);
    let Some(spec) = p.spec.as_mut() else { return };
    let default_ports = |ports: &mut Option<Vec<NetworkPolicyPort>>| {
        for port in ports.iter_mut().flatten() {
            if port.protocol.is_none() {
                port.protocol = Some("TCP".into());
            }
        }
    };
    for r in spec.ingress.iter_mut().flatten() {
        default_ports(&mut r.ports);
    }
    for r in spec.egress.iter_mut().flatten() {
        default_ports(&mut r.ports);
    }
    if spec.policy_types.as_ref().is_none_or(|t| t.is_empty()) {
        spec.policy_types = Some(types);
    }
}

/// `ValidateNetworkPolicySpec` (the peer, port and ipBlock checks).
pub fn validate_network_policy(p: &NetworkPolicy) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(spec) = &p.spec else { return errs };
    for (i, t) in spec.policy_types.iter().flatten().enumerate() {
        if t != "Ingress" && t != "Egress" {
            errs.push(FieldError::not_supported(
                format!("spec.policyTypes[{i}]"),
                BadValue::Str(t.clone()),
                &["Egress", "Ingress"],
            ));
        }
    }
    for (i, r) in spec.ingress.iter().flatten().enumerate() {
        let base = format!("spec.ingress[{i}]");
        validate_ports(r.ports.as_deref(), &base, &mut errs);
        validate_peers(r.from.as_deref(), &format!("{base}.from"), &mut errs);
    }
    for (i, r) in spec.egress.iter().flatten().enumerate() {
        let base = format!("spec.egress[{i}]");
        validate_ports(r.ports.as_deref(), &base, &mut errs);
        validate_peers(r.to.as_deref(), &format!("{base}.to"), &mut errs);
    }
    errs
}

fn validate_ports(ports: Option<&[NetworkPolicyPort]>, base: &str, errs: &mut Vec<FieldError>) {
    for (j, p) in ports.into_iter().flatten().enumerate() {
        let path = format!("{base}.ports[{j}]");
        if let Some(proto) = &p.protocol {
            if !matches!(proto.as_str(), "TCP" | "UDP" | "SCTP") {
                errs.push(FieldError::not_supported(
                    format!("{path}.protocol"),
                    BadValue::Str(proto.clone()),
                    &["SCTP", "TCP", "UDP"],
                ));
            }
        }
        match (&p.port, p.end_port) {
            (Some(IntOrString::Int(n)), end) => {
                if !(1..=65535).contains(n) {
                    errs.push(FieldError::invalid(
                        format!("{path}.port"),
                        BadValue::Int(i64::from(*n)),
                        "must be between 1 and 65535, inclusive",
                    ));
                }
                if let Some(e) = end {
                    if e < *n {
                        errs.push(FieldError::invalid(
                            format!("{path}.endPort"),
                            BadValue::Int(i64::from(e)),
                            "must be greater than or equal to `port`",
                        ));
                    }
                }
            }
            (Some(IntOrString::String(_)), Some(_)) => errs.push(FieldError::forbidden(
                format!("{path}.endPort"),
                "may not be specified when `port` is non-numeric",
            )),
            (None, Some(_)) => errs.push(FieldError::forbidden(
                format!("{path}.endPort"),
                "may not be specified when `port` is not specified",
            )),
            _ => {}
        }
    }
}

fn validate_peers(peers: Option<&[NetworkPolicyPeer]>, base: &str, errs: &mut Vec<FieldError>) {
    for (k, peer) in peers.into_iter().flatten().enumerate() {
        let path = format!("{base}[{k}]");
        let n = usize::from(peer.pod_selector.is_some())
            + usize::from(peer.namespace_selector.is_some())
            + usize::from(peer.ip_block.is_some());
        if n == 0 {
            errs.push(FieldError::required(path.clone(), "must specify a peer"));
        } else if n > 1 && peer.ip_block.is_some() {
            errs.push(FieldError::forbidden(path.clone(), "may not specify both ipBlock and another peer"));
        }
        if let Some(b) = &peer.ip_block {
            let Some(cidr) = Cidr::parse(&b.cidr) else {
                errs.push(FieldError::invalid(
                    format!("{path}.ipBlock.cidr"),
                    BadValue::Str(b.cidr.clone()),
                    "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
                ));
                continue;
            };
            for (e, ex) in b.except.iter().flatten().enumerate() {
                let epath = format!("{path}.ipBlock.except[{e}]");
                match Cidr::parse(ex) {
                    None => errs.push(FieldError::invalid(
                        epath,
                        BadValue::Str(ex.clone()),
                        "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
                    )),
                    Some(c) if !(cidr.covers(&c) && c != cidr) => errs.push(FieldError::invalid(
                        epath,
                        BadValue::Str(ex.clone()),
                        "must be a strict subset of `cidr`",
                    )),
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pol(yaml: &str) -> NetworkPolicy {
        let mut p: NetworkPolicy = serde_yaml::from_str(yaml).unwrap();
        default_network_policy(&mut p);
        p
    }

    fn store_with(pols: &[&str]) -> Store {
        let mut s = Store::new();
        for (ns, labels) in [("default", "default"), ("prod", "prod")] {
            let mut n = k8s_openapi::api::core::v1::Namespace::default();
            n.metadata.name = Some(ns.into());
            n.metadata.labels = Some([("kubernetes.io/metadata.name".to_string(), labels.to_string())].into());
            s.create(Object::Namespace(Box::new(n))).unwrap();
        }
        for y in pols {
            s.create(Object::NetworkPolicy(Box::new(pol(y)))).unwrap();
        }
        s
    }

    fn peer(ns: &str, labels: &[(&str, &str)], ip: &str) -> Peer {
        Peer {
            ip: ip.into(),
            pod: Some(PodInfo {
                namespace: ns.into(),
                labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                ports: vec![("http".into(), 8080, "TCP".into())],
            }),
        }
    }

    #[test]
    fn defaults() {
        let p = pol("metadata: {name: p}\nspec:\n  podSelector: {}\n  egress: [{ports: [{port: 53}]}]\n");
        let spec = p.spec.unwrap();
        assert_eq!(spec.policy_types, Some(vec!["Ingress".to_string(), "Egress".to_string()]));
        assert_eq!(spec.egress.unwrap()[0].ports.as_ref().unwrap()[0].protocol.as_deref(), Some("TCP"));
    }

    #[test]
    fn default_deny_then_allow() {
        let web = peer("default", &[("app", "web")], "10.244.1.2");
        let client = peer("default", &[("run", "client")], "10.244.2.2");
        let other = peer("prod", &[("run", "client")], "10.244.2.3");
        let s = store_with(&["metadata: {name: deny, namespace: default}\nspec:\n  podSelector: {}\n"]);
        assert!(!allows(&s, &client, &web, 8080, "TCP"));
        // Egress is not restricted by an Ingress-only policy.
        assert!(allows(&s, &web, &Peer::host("8.8.8.8"), 53, "UDP"));
        let s = store_with(&[
            "metadata: {name: deny, namespace: default}\nspec:\n  podSelector: {}\n",
            "metadata: {name: allow, namespace: default}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from:\n    - podSelector: {matchLabels: {run: client}}\n    ports: [{port: http}]\n",
        ]);
        assert!(allows(&s, &client, &web, 8080, "TCP"));
        assert!(!allows(&s, &client, &web, 9090, "TCP"));
        assert!(!allows(&s, &other, &web, 8080, "TCP"), "podSelector alone means the policy's namespace");
        let s = store_with(&[
            "metadata: {name: allow, namespace: default}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from:\n    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: prod}}\n      podSelector: {matchLabels: {run: client}}\n",
        ]);
        assert!(allows(&s, &other, &web, 8080, "TCP"));
        assert!(!allows(&s, &client, &web, 8080, "TCP"));
        let s = store_with(&[
            "metadata: {name: ip, namespace: default}\nspec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.244.0.0/16, except: [10.244.2.0/24]}\n    ports: [{port: 8000, endPort: 8100}]\n",
        ]);
        assert!(allows(&s, &peer("default", &[], "10.244.1.9"), &web, 8080, "TCP"));
        assert!(!allows(&s, &client, &web, 8080, "TCP"));
        assert!(!allows(&s, &peer("default", &[], "10.244.1.9"), &web, 8200, "TCP"));
    }

    #[test]
    fn egress_rules() {
        let client = peer("default", &[("run", "client")], "10.244.2.2");
        let web = peer("default", &[("app", "web")], "10.244.1.2");
        let s = store_with(&[
            "metadata: {name: e, namespace: default}\nspec:\n  podSelector: {matchLabels: {run: client}}\n  policyTypes: [Egress]\n  egress:\n  - ports: [{port: 53, protocol: UDP}]\n",
        ]);
        assert!(allows(&s, &client, &Peer::host("10.96.0.10"), 53, "UDP"));
        assert!(!allows(&s, &client, &Peer::host("10.96.0.10"), 53, "TCP"));
        assert!(!allows(&s, &client, &web, 8080, "TCP"));
    }

    #[test]
    fn validation() {
        let p = pol("metadata: {name: p}\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}\n      podSelector: {}\n    - {}\n");
        let msgs: Vec<String> = validate_network_policy(&p).iter().map(|e| e.to_string()).collect();
        assert_eq!(
            msgs,
            [
                "spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer",
                "spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"192.168.0.0/16\": must be a strict subset of `cidr`",
                "spec.ingress[0].from[1]: Required value: must specify a peer",
            ]
        );
    }
}
