//! The cluster network's state: per-node pod CIDRs and pod IP allocation (host-local IPAM: the
//! next free address after the last one handed out, so IPs are not reused at once), and the
//! state of the networking components that live in `World::network` — the Service IP and
//! NodePort allocators, the endpoints controllers' indexes, kube-proxy's session affinity —
//! plus the two hooks a scenario fills in: a LoadBalancer address pool and the names the world
//! outside the cluster resolves.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use super::clock::Tick;
use super::object::ObjKey;

#[derive(Clone, Debug, Default)]
pub struct Network {
    /// node name → (index of its /24 in the cluster CIDR, last host number handed out).
    nodes: super::indexed::LookupMap<String, (u16, u8)>,
    /// The pod IPs handed out, as numbers (compared without reading strings).
    in_use: BTreeSet<u32>,
    /// The Service REST storage's ClusterIP and NodePort allocators.
    pub services: super::services::Allocator,
    /// The endpoints and EndpointSlice controllers' caches.
    pub endpoints: super::endpoints::Controller,
    /// kube-proxy's `ClientIP` session affinity: (service, port name, client IP) → the
    /// endpoint chosen and when it was last used.
    pub affinity: BTreeMap<(ObjKey, String, String), (String, u16, Tick)>,
    /// The ingress controllers' bookkeeping.
    pub ingress: super::ingress::State,
    /// Access-log lines servers wrote while answering requests: (pod uid, container, line),
    /// appended to the container logs by the next networking pass.
    pub pending_logs: Vec<(String, String, String)>,
    /// Hook for scenarios: addresses a load-balancer implementation (MetalLB, a cloud) hands to
    /// `type: LoadBalancer` Services, in order. Empty (the default, like a kubeadm cluster):
    /// their EXTERNAL-IP stays `<pending>`.
    pub lb_pool: Vec<String>,
    /// Hook for scenarios: host names outside the cluster and their addresses, as the
    /// upstream resolver CoreDNS forwards to would answer. Names not listed do not exist.
    pub external_hosts: BTreeMap<String, Vec<String>>,
}

impl Network {
    /// Registers a node's pod CIDR, the `index`th /24: `10.244.<index>.0/24` for the first
    /// 256 nodes (kubeadm's flannel/calico default range), then on through the rest of
    /// 10.0.0.0/8 (10.245.0.0/24, ...), as a cluster of thousands of nodes needs a larger
    /// cluster CIDR.
    pub fn add_node(&mut self, node: &str, index: u16) {
        self.nodes.entry_ref(node).or_insert((index, 1));
    }

    pub fn pod_cidr(&self, node: &str) -> Option<String> {
        self.nodes.get(node).map(|(i, _)| {
            let (b, c) = octets(*i);
            format!("10.{b}.{c}.0/24")
        })
    }

    /// The next free pod IP on `node`, or None if its range is exhausted.
    pub fn allocate(&mut self, node: &str) -> Option<String> {
        let (index, last) = self.nodes.get_mut(node)?;
        let (b, c) = octets(*index);
        for _ in 0..253 {
            *last = if *last >= 254 { 2 } else { *last + 1 };
            if self.in_use.insert(u32::from_be_bytes([10, b, c, *last])) {
                return Some(format!("10.{b}.{c}.{last}"));
            }
        }
        None
    }

    pub fn release(&mut self, ip: &str) {
        if let Some(n) = ip_to_u32(ip) {
            self.in_use.remove(&n);
        }
    }
}

/// The second and third octets of the `index`th node /24 (see [`Network::add_node`]).
fn octets(index: u16) -> (u8, u8) {
    (((244 + u32::from(index) / 256) % 256) as u8, (index % 256) as u8)
}

/// An IPv4 address as a number (None if `s` is not a dotted quad).
pub fn ip_to_u32(s: &str) -> Option<u32> {
    s.parse::<Ipv4Addr>().ok().map(u32::from)
}

pub fn u32_to_ip(n: u32) -> String {
    Ipv4Addr::from(n).to_string()
}

/// A parsed IPv4 CIDR (`10.0.0.0/16`), as NetworkPolicy ipBlocks and Service ranges use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    pub base: u32,
    pub prefix: u8,
}

impl Cidr {
    /// Parses `a.b.c.d/n`. Host bits may be set (`10.0.0.1/8`), as Go's ParseCIDR allows.
    pub fn parse(s: &str) -> Option<Cidr> {
        let (ip, len) = s.split_once('/')?;
        let prefix: u8 = len.parse().ok().filter(|p| *p <= 32)?;
        let ip = ip_to_u32(ip)?;
        Some(Cidr { base: ip & Cidr::mask(prefix), prefix })
    }

    fn mask(prefix: u8) -> u32 {
        if prefix == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(prefix))
        }
    }

    pub fn contains(&self, ip: u32) -> bool {
        ip & Cidr::mask(self.prefix) == self.base
    }

    /// Whether every address of `other` is in `self`.
    pub fn covers(&self, other: &Cidr) -> bool {
        other.prefix >= self.prefix && self.contains(other.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocates_sequentially_from_dot_two() {
        let mut n = Network::default();
        n.add_node("node01", 1);
        assert_eq!(n.allocate("node01").as_deref(), Some("10.244.1.2"));
        assert_eq!(n.allocate("node01").as_deref(), Some("10.244.1.3"));
        n.release("10.244.1.2");
        assert_eq!(n.allocate("node01").as_deref(), Some("10.244.1.4"));
        assert_eq!(n.allocate("nope"), None);
    }

    #[test]
    fn cidrs() {
        let c = Cidr::parse("10.244.0.0/16").unwrap();
        assert!(c.contains(ip_to_u32("10.244.1.5").unwrap()));
        assert!(!c.contains(ip_to_u32("10.245.0.1").unwrap()));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip_to_u32("8.8.8.8").unwrap()));
        assert!(c.covers(&Cidr::parse("10.244.1.0/24").unwrap()));
        assert!(!Cidr::parse("10.244.1.0/24").unwrap().covers(&c));
        assert_eq!(Cidr::parse("10.1.2.3/33"), None);
        assert_eq!(Cidr::parse("10.1.2.3"), None);
    }
}
