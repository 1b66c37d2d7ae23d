//! Pod networking: per-node pod CIDRs and IP allocation (host-local IPAM: the next free
//! address after the last one handed out, so IPs are not reused at once).

use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default)]
pub struct Network {
    /// node name → (third octet of its 10.244.N.0/24 CIDR, last host number handed out).
    nodes: BTreeMap<String, (u8, u8)>,
    in_use: BTreeSet<String>,
}

impl Network {
    /// Registers a node's pod CIDR `10.244.<octet>.0/24`.
    pub fn add_node(&mut self, node: &str, octet: u8) {
        self.nodes.entry(node.to_string()).or_insert((octet, 1));
    }

    pub fn pod_cidr(&self, node: &str) -> Option<String> {
        self.nodes.get(node).map(|(o, _)| format!("10.244.{o}.0/24"))
    }

    /// The next free pod IP on `node`, or None if its range is exhausted.
    pub fn allocate(&mut self, node: &str) -> Option<String> {
        let (octet, last) = self.nodes.get_mut(node)?;
        for _ in 0..253 {
            *last = if *last >= 254 { 2 } else { *last + 1 };
            let ip = format!("10.244.{}.{}", octet, last);
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
