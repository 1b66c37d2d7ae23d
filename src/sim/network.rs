//! Pod networking: per-node pod CIDRs and IP allocation (host-local IPAM: the next free
//! address after the last one handed out, so IPs are not reused at once).

use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default)]
pub struct Network {
    /// node name → (index of its /24 in the cluster CIDR, last host number handed out).
    nodes: BTreeMap<String, (u16, u8)>,
    in_use: BTreeSet<String>,
}

impl Network {
    /// Registers a node's pod CIDR, the `index`th /24: `10.244.<index>.0/24` for the first
    /// 256 nodes (kubeadm's flannel/calico default range), then on through the rest of
    /// 10.0.0.0/8 (10.245.0.0/24, ...), as a cluster of thousands of nodes needs a larger
    /// cluster CIDR.
    pub fn add_node(&mut self, node: &str, index: u16) {
        self.nodes.entry(node.to_string()).or_insert((index, 1));
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
            let ip = format!("10.{b}.{c}.{last}");
            if self.in_use.insert(ip.clone()) {
                return Some(ip);
            }
        }
        None
    }

    pub fn release(&mut self, ip: &str) {
        self.in_use.remove(ip);
    }
}

/// The second and third octets of the `index`th node /24 (see [`Network::add_node`]).
fn octets(index: u16) -> (u8, u8) {
    (((244 + u32::from(index) / 256) % 256) as u8, (index % 256) as u8)
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
}
