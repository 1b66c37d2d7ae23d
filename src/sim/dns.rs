//! Cluster DNS: what CoreDNS answers with kubeadm's default Corefile (the `kubernetes` plugin
//! for `cluster.local` and the reverse zones with `pods insecure`, `forward` to the upstream
//! resolver for everything else, `loadbalance` shuffling A records), and the stub resolver a
//! pod's libc runs over its `/etc/resolv.conf` (search list, `ndots:5`).
//!
//! Records served (CoreDNS kubernetes plugin):
//! - `<svc>.<ns>.svc.cluster.local`: the ClusterIP; for a headless Service its ready
//!   endpoints' IPs; for an ExternalName Service a CNAME to its external name.
//! - `<hostname>.<svc>.<ns>.svc.cluster.local` for endpoints of headless Services (a pod's
//!   `hostname` when its `subdomain` is the Service, else its IP with dashes).
//! - `<a-b-c-d>.<ns>.pod.cluster.local`: the IP written in the name.
//! - PTR records of ClusterIPs and endpoint IPs.
//!
//! The world outside the cluster is `Network::external_hosts` (a scenario hook); a name
//! there is answered non-authoritatively, as the upstream resolver would.

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::endpoints::backends;
use super::network::{ip_to_u32, Network};
use super::object::{Kind, ObjKey, Object};
use super::store::Store;

pub const CLUSTER_DOMAIN: &str = "cluster.local";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rcode {
    NoError,
    NxDomain,
}

impl Rcode {
    pub fn as_str(self) -> &'static str {
        match self {
            Rcode::NoError => "NOERROR",
            Rcode::NxDomain => "NXDOMAIN",
        }
    }
}

/// One resource record of an answer: owner name (no trailing dot), type, data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub name: String,
    pub rtype: &'static str,
    pub data: String,
}

/// A DNS reply: its rcode, whether the server is authoritative (the AA bit), the answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub rcode: Rcode,
    pub authoritative: bool,
    pub records: Vec<Record>,
}

impl Answer {
    fn nx(authoritative: bool) -> Answer {
        Answer { rcode: Rcode::NxDomain, authoritative, records: vec![] }
    }
    fn nodata(authoritative: bool) -> Answer {
        Answer { rcode: Rcode::NoError, authoritative, records: vec![] }
    }
    fn records(records: Vec<Record>) -> Answer {
        Answer { rcode: Rcode::NoError, authoritative: true, records }
    }
    /// The A-record addresses of the answer.
    pub fn addresses(&self) -> Vec<String> {
        self.records.iter().filter(|r| r.rtype == "A").map(|r| r.data.clone()).collect()
    }
}

fn a(name: &str, ip: &str) -> Record {
    Record { name: name.to_string(), rtype: "A", data: ip.to_string() }
}

/// `10.244.1.5` → `10-244-1-5`, the name CoreDNS gives an endpoint without a hostname.
pub fn dashed(ip: &str) -> String {
    ip.replace('.', "-")
}

/// What CoreDNS answers for one question. `qtype` is `A`, `AAAA`, `CNAME`, `PTR`, `SRV`...
pub fn query(store: &Store, net: &Network, rng: &mut ChaCha8Rng, name: &str, qtype: &str) -> Answer {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let qtype = qtype.to_ascii_uppercase();
    if let Some(rest) = name.strip_suffix(".in-addr.arpa") {
        return reverse(store, net, rest);
    }
    let zone = if name == CLUSTER_DOMAIN { Some("") } else { name.strip_suffix(&format!(".{CLUSTER_DOMAIN}")) };
    match zone {
        Some(inner) => cluster(store, net, rng, &name, inner, &qtype),
        None => external(net, &name, &qtype),
    }
}

fn external(net: &Network, name: &str, qtype: &str) -> Answer {
    match net.external_hosts.get(name) {
        Some(ips) if qtype == "A" || qtype == "ANY" => {
            Answer { rcode: Rcode::NoError, authoritative: false, records: ips.iter().map(|ip| a(name, ip)).collect() }
        }
        Some(_) => Answer::nodata(false),
        None => Answer::nx(false),
    }
}

fn cluster(store: &Store, net: &Network, rng: &mut ChaCha8Rng, fqdn: &str, inner: &str, qtype: &str) -> Answer {
    let mut labels: Vec<&str> = if inner.is_empty() { vec![] } else { inner.split('.').collect() };
    labels.reverse();
    let ns_exists = |ns: &str| store.get(Kind::Namespace, "", ns).is_some();
    match labels.as_slice() {
        [] | ["svc"] | ["pod"] => Answer::nodata(true),
        ["svc", ns] | ["pod", ns] => {
            if ns_exists(ns) {
                Answer::nodata(true)
            } else {
                Answer::nx(true)
            }
        }
        ["pod", _ns, ip] => {
            let ip = ip.replace('-', ".");
            if ip_to_u32(&ip).is_none() {
                return Answer::nx(true);
            }
            if qtype == "A" || qtype == "ANY" {
                Answer::records(vec![a(fqdn, &ip)])
            } else {
                Answer::nodata(true)
            }
        }
        ["svc", ns, svc] => service_records(store, net, rng, fqdn, ns, svc, qtype),
        ["svc", ns, svc, ep] => {
            let Some(Object::Service(s)) = store.get(Kind::Service, ns, svc) else { return Answer::nx(true) };
            let headless = s.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None");
            if !headless {
                return Answer::nx(true);
            }
            let ips: Vec<String> = backends(store, &net.endpoints, &ObjKey::new(ns, svc), None)
                .into_iter()
                .filter(|b| b.ready && b.hostname.clone().unwrap_or_else(|| dashed(&b.ip)) == *ep)
                .map(|b| b.ip)
                .collect();
            if ips.is_empty() {
                Answer::nx(true)
            } else if qtype == "A" || qtype == "ANY" {
                Answer::records(ips.iter().map(|ip| a(fqdn, ip)).collect())
            } else {
                Answer::nodata(true)
            }
        }
        _ => Answer::nx(true),
    }
}

fn service_records(
    store: &Store,
    net: &Network,
    rng: &mut ChaCha8Rng,
    fqdn: &str,
    ns: &str,
    svc: &str,
    qtype: &str,
) -> Answer {
    let Some(Object::Service(s)) = store.get(Kind::Service, ns, svc) else { return Answer::nx(true) };
    let spec = s.spec.clone().unwrap_or_default();
    if spec.type_.as_deref() == Some("ExternalName") {
        let target = spec.external_name.clone().unwrap_or_default().trim_end_matches('.').to_ascii_lowercase();
        let mut records = vec![Record { name: fqdn.to_string(), rtype: "CNAME", data: target.clone() }];
        if qtype == "A" {
            // CoreDNS resolves the target itself and adds what it finds.
            let found = query(store, net, rng, &target, "A");
            records.extend(found.records.into_iter().filter(|r| r.rtype == "A"));
        }
        return Answer::records(records);
    }
    let ips: Vec<String> = if spec.cluster_ip.as_deref() == Some("None") {
        let mut ips: Vec<String> = backends(store, &net.endpoints, &ObjKey::new(ns, svc), None)
            .into_iter()
            .filter(|b| b.ready)
            .map(|b| b.ip)
            .collect();
        ips.dedup();
        if ips.is_empty() {
            return Answer::nx(true);
        }
        // The `loadbalance` plugin shuffles the records of each answer.
        ips.shuffle(rng);
        ips
    } else {
        spec.cluster_ip.clone().into_iter().filter(|ip| !ip.is_empty()).collect()
    };
    if qtype == "A" || qtype == "ANY" {
        Answer::records(ips.iter().map(|ip| a(fqdn, ip)).collect())
    } else {
        Answer::nodata(true)
    }
}

/// PTR records: a ClusterIP names its Service, an endpoint IP its endpoint name.
fn reverse(store: &Store, net: &Network, rest: &str) -> Answer {
    let mut octets: Vec<&str> = rest.split('.').collect();
    octets.reverse();
    let ip = octets.join(".");
    let qname = format!("{rest}.in-addr.arpa");
    if octets.len() != 4 || ip_to_u32(&ip).is_none() {
        return Answer::nx(true);
    }
    let ptr = |target: String| Answer::records(vec![Record { name: qname.clone(), rtype: "PTR", data: target }]);
    if let Some(key) = net.services.service_for_ip(&ip) {
        return ptr(format!("{}.{}.svc.{CLUSTER_DOMAIN}", key.name, key.namespace));
    }
    for o in store.list(Kind::EndpointSlice, None) {
        let Object::EndpointSlice(s) = o else { continue };
        let Some(svc) = s.metadata.labels.as_ref().and_then(|l| l.get(super::endpoints::SERVICE_NAME)) else {
            continue;
        };
        for e in &s.endpoints {
            if e.addresses.contains(&ip) {
                let host = e.hostname.clone().unwrap_or_else(|| dashed(&ip));
                return ptr(format!("{host}.{svc}.{}.svc.{CLUSTER_DOMAIN}", o.namespace()));
            }
        }
    }
    // Not a cluster address: the kubernetes plugin falls through to the upstream resolver.
    Answer::nx(false)
}

/// A pod's hostname (`spec.hostname`, else its name) and, when it has a `subdomain`, its
/// FQDN `<hostname>.<subdomain>.<namespace>.svc.cluster.local` — what the kubelet puts in
/// its /etc/hostname and /etc/hosts.
pub fn pod_hostname(pod: &k8s_openapi::api::core::v1::Pod) -> (String, Option<String>) {
    let spec = pod.spec.as_ref();
    let host = super::kubelet::pod_hostname(pod);
    let fqdn = spec.and_then(|s| s.subdomain.clone()).filter(|s| !s.is_empty()).map(|sub| {
        let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
        format!("{host}.{sub}.{ns}.svc.{CLUSTER_DOMAIN}")
    });
    (host, fqdn)
}

/// The search list kubelet writes into a `ClusterFirst` pod's `/etc/resolv.conf`.
pub fn search_list(namespace: &str) -> Vec<String> {
    vec![format!("{namespace}.svc.{CLUSTER_DOMAIN}"), format!("svc.{CLUSTER_DOMAIN}"), CLUSTER_DOMAIN.to_string()]
}

/// What getaddrinfo finds: the name that answered and its addresses (CNAMEs followed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    Found { fqdn: String, ips: Vec<String> },
    NotFound,
}

/// The libc stub resolver (`ndots:5`): a name with fewer than five dots is tried with each
/// search domain first, then as is; the first name with addresses wins.
pub fn getaddrinfo(store: &Store, net: &Network, rng: &mut ChaCha8Rng, name: &str, namespace: &str) -> Lookup {
    let mut candidates = Vec::new();
    if let Some(abs) = name.strip_suffix('.') {
        candidates.push(abs.to_string());
    } else {
        let search: Vec<String> = search_list(namespace).into_iter().map(|d| format!("{name}.{d}")).collect();
        if name.matches('.').count() >= 5 {
            candidates.push(name.to_string());
            candidates.extend(search);
        } else {
            candidates.extend(search);
            candidates.push(name.to_string());
        }
    }
    for c in candidates {
        let ans = query(store, net, rng, &c, "A");
        let ips = ans.addresses();
        if !ips.is_empty() {
            return Lookup::Found { fqdn: c, ips };
        }
    }
    Lookup::NotFound
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api::WriteOptions;
    use crate::sim::World;

    fn create(w: &mut World, yaml: &str) {
        let v: serde_json::Value = serde_yaml::from_str(yaml).unwrap();
        let kind = Kind::from_api_version_kind(v["apiVersion"].as_str().unwrap(), v["kind"].as_str().unwrap()).unwrap();
        w.api_create(Object::from_value(kind, v).unwrap(), WriteOptions::default()).unwrap();
    }

    fn q(w: &mut World, name: &str, t: &str) -> Answer {
        let World { store, network, rng, .. } = w;
        query(store, network, rng, name, t)
    }

    #[test]
    fn services_pods_and_reverse() {
        let mut w = World::new(1);
        let k = q(&mut w, "kubernetes.default.svc.cluster.local", "A");
        assert_eq!(k.addresses(), ["10.96.0.1"]);
        assert!(k.authoritative);
        assert_eq!(q(&mut w, "kubernetes.default.svc.cluster.local", "AAAA"), Answer::nodata(true));
        assert_eq!(q(&mut w, "nope.default.svc.cluster.local", "A").rcode, Rcode::NxDomain);
        assert_eq!(q(&mut w, "default.svc.cluster.local", "A"), Answer::nodata(true));
        assert_eq!(q(&mut w, "kubernetes.svc.cluster.local", "A").rcode, Rcode::NxDomain);
        assert_eq!(q(&mut w, "10-244-1-5.default.pod.cluster.local", "A").addresses(), ["10.244.1.5"]);
        let r = q(&mut w, "1.0.96.10.in-addr.arpa", "PTR");
        assert_eq!(r.records[0].data, "kubernetes.default.svc.cluster.local");
        assert_eq!(q(&mut w, "example.com", "A"), Answer::nx(false));
        w.network.external_hosts.insert("db.example.com".into(), vec!["203.0.113.7".into()]);
        create(&mut w, "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {type: ExternalName, externalName: db.example.com}\n");
        let r = q(&mut w, "db.default.svc.cluster.local", "A");
        assert_eq!(
            r.records[0],
            Record { name: "db.default.svc.cluster.local".into(), rtype: "CNAME", data: "db.example.com".into() }
        );
        assert_eq!(r.addresses(), ["203.0.113.7"]);
        let World { store, network, rng, .. } = &mut w;
        assert_eq!(
            getaddrinfo(store, network, rng, "kubernetes.default", "default"),
            Lookup::Found { fqdn: "kubernetes.default.svc.cluster.local".into(), ips: vec!["10.96.0.1".into()] }
        );
        assert_eq!(getaddrinfo(store, network, rng, "web", "default"), Lookup::NotFound);
    }
}
