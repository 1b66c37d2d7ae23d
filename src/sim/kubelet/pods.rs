//! The kubelets' runtime states by pod uid: a map that behaves as a `BTreeMap<String, PodRt>`
//! to everyone (it is an [`IndexedMap`]: ordered, found by hash), except that the kubelet's
//! sync takes a pod's state out of it *in place*.
//!
//! A sync needs the pod's state and the whole `World` mutably at once, so the state is taken
//! out of the map for the sync and put back after. Removing and inserting a large value in a
//! B-tree every sync (shifting values, rebalancing) was a large part of the kubelets' cost, so
//! the entry stays and only its value is taken: a taken-out entry is hidden by every accessor
//! here, so code that reads the runtimes during a sync (a container's program reaching other
//! pods, a fault) sees exactly what it saw when the state was removed.

use std::fmt;

use crate::sim::indexed::IndexedMap;

use super::PodRt;

/// Runtime state by pod uid (see the module doc). Iteration is in uid order.
#[derive(Clone, Default)]
pub struct PodRts {
    /// `None`: the pod's state is taken out for its sync (absent to every accessor).
    map: IndexedMap<String, Option<PodRt>>,
    /// How many entries hold a state.
    len: usize,
}

impl PodRts {
    pub fn get(&self, uid: &str) -> Option<&PodRt> {
        self.map.get(uid)?.as_ref()
    }

    pub fn get_mut(&mut self, uid: &str) -> Option<&mut PodRt> {
        self.map.get_mut(uid)?.as_mut()
    }

    pub fn contains_key(&self, uid: &str) -> bool {
        self.get(uid).is_some()
    }

    /// Stores a pod's state, returning the one it replaces (as `BTreeMap::insert`).
    pub fn insert(&mut self, uid: String, rt: PodRt) -> Option<PodRt> {
        let old = match self.map.get_mut(&uid) {
            Some(slot) => slot.replace(rt),
            None => {
                self.map.insert(uid, Some(rt));
                None
            }
        };
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    /// Removes a pod's state (as `BTreeMap::remove`; a taken-out one is not there).
    pub fn remove(&mut self, uid: &str) -> Option<PodRt> {
        let rt = self.map.get_mut(uid)?.take()?;
        self.map.remove(uid);
        self.len -= 1;
        Some(rt)
    }

    /// Takes a pod's state out for its sync, leaving its entry (hidden) in place: to everyone
    /// else it is removed until [`PodRts::put_back`] or [`PodRts::discard`].
    pub(super) fn take(&mut self, uid: &str) -> Option<PodRt> {
        let rt = self.map.get_mut(uid)?.take()?;
        self.len -= 1;
        Some(rt)
    }

    /// Puts a state back after its sync: the same as `insert`, into the entry [`PodRts::take`]
    /// left when it is still there.
    pub(super) fn put_back(&mut self, uid: String, rt: PodRt) {
        self.insert(uid, rt);
    }

    /// Forgets the entry a [`PodRts::take`] left when its state is not put back (the pod is
    /// gone). A state stored meanwhile under the uid stays, as it would in a plain map.
    pub(super) fn discard(&mut self, uid: &str) {
        if matches!(self.map.get(uid), Some(None)) {
            self.map.remove(uid);
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &PodRt)> {
        self.map.iter().filter_map(|(k, v)| Some((k, v.as_ref()?)))
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &PodRt> {
        self.map.values().filter_map(Option::as_ref)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut PodRt> {
        self.map.values_mut().filter_map(Option::as_mut)
    }
}

impl fmt::Debug for PodRts {
    /// As the plain map of the states there (taken-out ones are not).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::Tick;
    use std::collections::BTreeMap;

    fn rt(uid: &str) -> PodRt {
        PodRt {
            namespace: "default".into(),
            name: format!("p-{uid}"),
            uid: uid.into(),
            node: "n".into(),
            ip: None,
            sandbox_ready: false,
            started_at: Tick(0),
            volumes: Vec::new(),
            init: Vec::new(),
            containers: Vec::new(),
            conditions: Vec::new(),
            kill_deadline: None,
            last_failed_mount_event: None,
            evicted: None,
            synced_rv: None,
            metrics_slot: None,
        }
    }

    fn uids(p: &PodRts) -> Vec<&str> {
        p.values().map(|r| r.uid.as_str()).collect()
    }

    #[test]
    fn a_taken_out_state_is_absent_until_put_back() {
        let mut p = PodRts::default();
        for u in ["a", "b", "c"] {
            p.insert(u.into(), rt(u));
        }
        let b = p.take("b").unwrap();
        assert_eq!(uids(&p), ["a", "c"]);
        assert_eq!(p.keys().collect::<Vec<_>>(), ["a", "c"]);
        assert_eq!(p.len(), 2);
        assert!(p.get("b").is_none() && p.get_mut("b").is_none() && !p.contains_key("b"));
        assert!(p.remove("b").is_none() && p.take("b").is_none());
        assert_eq!(format!("{p:?}"), format!("{:?}", p.iter().collect::<BTreeMap<_, _>>()));
        p.put_back("b".into(), b);
        assert_eq!(uids(&p), ["a", "b", "c"]);
        assert_eq!(p.len(), 3);
    }

    #[test]
    fn a_state_stored_while_taken_out_is_replaced_by_the_put_back_or_kept_on_discard() {
        let mut p = PodRts::default();
        p.insert("a".into(), rt("a"));
        let mut a = p.take("a").unwrap();
        assert!(p.insert("a".into(), rt("other")).is_none());
        assert_eq!(p.len(), 1);
        a.node = "mine".into();
        p.put_back("a".into(), a);
        assert_eq!(p.get("a").unwrap().node, "mine");
        assert_eq!(p.len(), 1);

        let _gone = p.take("a").unwrap();
        p.discard("a");
        assert!(p.is_empty() && p.iter().next().is_none());
        p.insert("b".into(), rt("b"));
        let _b = p.take("b").unwrap();
        p.insert("b".into(), rt("again"));
        p.discard("b");
        assert_eq!(uids(&p), ["again"]);
    }
}
