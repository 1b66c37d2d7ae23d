//! Indexes the views need that the store does not keep — pods by node, the latest events,
//! ready/desired samples of each Deployment — maintained from the store's change log (the
//! way an informer keeps a cache), so the cost of keeping them follows what changed and a
//! frame never scans every object.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, VecDeque};

use super::resources;
use super::theme::Health;
use crate::sim::clock::Tick;
use crate::sim::store::Change;
use crate::sim::{Kind, ObjKey, World};

/// How many recent events are remembered for the events strip.
const RECENT_EVENTS: usize = 64;
/// How many samples of a Deployment's readiness the sparkline shows at most.
pub const SAMPLES: usize = 120;

/// Ready and desired replicas of a Deployment over the last ticks.
#[derive(Clone, Debug, Default)]
pub struct Rollout {
    /// (ready, desired), oldest first.
    pub samples: VecDeque<(u32, u32)>,
    /// The last tick the Deployment was rolling out (not all replicas updated and ready).
    pub last_active: Option<Tick>,
}

#[derive(Clone, Debug, Default)]
pub struct Index {
    /// The cluster (kubeconfig name) this index follows (empty: not known, see [`Index::of`]).
    cluster: String,
    /// The store's resourceVersion this index has seen.
    rv: u64,
    /// Pods by node name ("" for pods not scheduled yet).
    pub pods_by_node: BTreeMap<String, BTreeSet<ObjKey>>,
    /// Each pod's node and what its status means, as of its last change (a pod's STATUS
    /// only moves when the pod object does, so the cluster pane's glyphs come from here
    /// without formatting a row per pod per frame).
    pods: BTreeMap<ObjKey, (String, Health)>,
    /// Events added or repeated lately, newest last.
    pub recent_events: VecDeque<ObjKey>,
    pub rollouts: BTreeMap<ObjKey, Rollout>,
}

impl Index {
    pub fn new(world: &World) -> Index {
        let mut i = Index::default();
        i.rebuild(world);
        i
    }

    /// The index of the workstation's active cluster.
    pub fn of(ws: &crate::shell::workstation::Workstation) -> Index {
        let mut i = Index::new(&ws.world);
        i.cluster = ws.cluster().to_string();
        i
    }

    fn rebuild(&mut self, world: &World) {
        self.pods_by_node.clear();
        self.pods.clear();
        self.recent_events.clear();
        let now = world.now.datetime();
        for p in world.store.list(Kind::Pod, None) {
            self.set_pod(p.key(), node_of(p), resources::pod_summary(p, now).health);
        }
        // Read in place: the events are not built as objects for this.
        self.recent_events.extend(latest_events(world));
        self.rv = world.store.resource_version();
    }

    fn set_pod(&mut self, key: ObjKey, node: String, health: Health) {
        if let Some((old, _)) = self.pods.get(&key) {
            if *old != node {
                if let Some(set) = self.pods_by_node.get_mut(old) {
                    set.remove(&key);
                }
            }
        }
        self.pods_by_node.entry(node.clone()).or_default().insert(key.clone());
        self.pods.insert(key, (node, health));
    }

    fn remove_pod(&mut self, key: &ObjKey) {
        if let Some((old, _)) = self.pods.remove(key) {
            if let Some(set) = self.pods_by_node.get_mut(&old) {
                set.remove(key);
            }
        }
    }

    /// What a pod's status meant at its last change.
    pub fn pod_health(&self, key: &ObjKey) -> Health {
        self.pods.get(key).map_or(Health::Unknown, |(_, h)| *h)
    }

    /// Follows the workstation's active cluster: when the current context moved to another
    /// cluster, the index is rebuilt from that cluster's store (its change log is another).
    pub fn follow(&mut self, ws: &crate::shell::workstation::Workstation) {
        if self.cluster != ws.cluster() {
            *self = Index::of(ws);
            self.sample_rollouts(&ws.world);
        }
    }

    /// Follows the store's changes since the last call.
    pub fn refresh(&mut self, world: &World) {
        let store = &world.store;
        let Some(changes) = store.watch(self.rv) else {
            // Too far behind the change log: relist, as an informer does.
            return self.rebuild(world);
        };
        let mut pods: BTreeMap<ObjKey, bool> = BTreeMap::new();
        let mut events: Vec<ObjKey> = Vec::new();
        let mut gone_deploys: Vec<ObjKey> = Vec::new();
        for e in changes {
            match e.kind {
                Kind::Pod => {
                    pods.insert((*e.key).clone(), e.change == Change::Deleted);
                }
                Kind::Event if e.change != Change::Deleted => events.push((*e.key).clone()),
                Kind::Deployment if e.change == Change::Deleted => gone_deploys.push((*e.key).clone()),
                _ => {}
            }
        }
        let now = world.now.datetime();
        for (key, deleted) in pods {
            match store.get(Kind::Pod, &key.namespace, &key.name) {
                Some(p) if !deleted => self.set_pod(key, node_of(p), resources::pod_summary(p, now).health),
                _ => self.remove_pod(&key),
            }
        }
        for key in events {
            if let Some(pos) = self.recent_events.iter().position(|k| *k == key) {
                self.recent_events.remove(pos);
            }
            self.recent_events.push_back(key);
            if self.recent_events.len() > RECENT_EVENTS {
                self.recent_events.pop_front();
            }
        }
        for k in gone_deploys {
            self.rollouts.remove(&k);
        }
        self.rv = store.resource_version();
    }

    /// Takes one sample of every Deployment's ready/desired replicas (once a tick).
    pub fn sample_rollouts(&mut self, world: &World) {
        for o in world.store.list(Kind::Deployment, None) {
            let crate::sim::Object::Deployment(d) = o else { continue };
            let desired = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1).max(0) as u32;
            let st = d.status.as_ref();
            let count = |f: fn(&k8s_openapi::api::apps::v1::DeploymentStatus) -> Option<i32>| {
                st.and_then(f).unwrap_or(0).max(0) as u32
            };
            let ready = count(|s| s.ready_replicas);
            let updated = count(|s| s.updated_replicas);
            let total = count(|s| s.replicas);
            let generation = d.metadata.generation.unwrap_or(0);
            let observed = st.and_then(|s| s.observed_generation).unwrap_or(0);
            let active = ready != desired || updated != desired || total != desired || observed < generation;
            let r = self.rollouts.entry(o.key()).or_default();
            r.samples.push_back((ready, desired));
            if r.samples.len() > SAMPLES {
                r.samples.pop_front();
            }
            if active {
                r.last_active = Some(world.now);
            }
        }
    }

    /// The Deployment that rolled out most recently (for the rollout sparkline).
    pub fn latest_rollout(&self) -> Option<(&ObjKey, &Rollout)> {
        self.rollouts.iter().filter(|(_, r)| r.last_active.is_some()).max_by_key(|(k, r)| (r.last_active, *k))
    }

    pub fn pods_on(&self, node: &str) -> Option<&BTreeSet<ObjKey>> {
        self.pods_by_node.get(node)
    }
}

fn node_of(p: &crate::sim::Object) -> String {
    p.as_pod().and_then(|p| p.spec.as_ref()).and_then(|s| s.node_name.clone()).unwrap_or_default()
}

/// The [`RECENT_EVENTS`] latest Events (by last seen, then key), oldest first. Only they are
/// kept while the rest are read: a big cluster holds some five Events a pod, and listing all
/// their keys to keep 64 would make the TUI's start the peak of the process's memory.
fn latest_events(world: &World) -> Vec<ObjKey> {
    let mut latest: BinaryHeap<Reverse<(Tick, ObjKey)>> = BinaryHeap::with_capacity(RECENT_EVENTS + 1);
    // In no order: what is kept is the greatest by (last seen, key), whatever the order.
    for e in world.store.event_views_unordered() {
        let seen = e.last_seen();
        // Older than all of a full set: its key is not even built.
        if latest.len() == RECENT_EVENTS && latest.peek().is_some_and(|Reverse((oldest, _))| seen < *oldest) {
            continue;
        }
        latest.push(Reverse((seen, e.key())));
        if latest.len() > RECENT_EVENTS {
            latest.pop();
        }
    }
    latest.into_sorted_vec().into_iter().rev().map(|Reverse((_, key))| key).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::workstation::Workstation;

    #[test]
    fn follows_scheduling_deletion_and_events() {
        let mut ws = Workstation::new(World::new(1));
        let mut idx = Index::new(&ws.world);
        ws.execute(&crate::tui::testing::pod_manifest_cmd("web", "nginx"));
        idx.refresh(&ws.world);
        assert!(idx.pods_on("").is_some_and(|s| s.contains(&ObjKey::new("default", "web"))));
        ws.world.tick();
        idx.refresh(&ws.world);
        let web = ObjKey::new("default", "web");
        let node: Vec<_> = idx.pods_by_node.iter().filter(|(_, s)| s.contains(&web)).map(|(n, _)| n.clone()).collect();
        assert_eq!(node.len(), 1);
        assert_ne!(node[0], "");
        assert!(!idx.recent_events.is_empty(), "the scheduler's event is seen");
        ws.execute("kubectl delete pod web --now\n");
        idx.refresh(&ws.world);
        assert!(idx.pods_by_node.values().all(|s| !s.contains(&web)));
    }

    #[test]
    fn the_latest_events_are_the_last_of_all_of_them_sorted() {
        let mut ws = Workstation::new(World::new(2));
        ws.execute("kubectl create deployment web --image=nginx --replicas=30\n");
        for _ in 0..8 {
            ws.world.tick();
        }
        let mut all: Vec<_> = ws.world.store.event_views(None).map(|e| (e.last_seen(), e.key())).collect();
        assert!(all.len() > 2 * RECENT_EVENTS, "{} events", all.len());
        all.sort();
        let want: Vec<_> = all[all.len() - RECENT_EVENTS..].iter().map(|(_, k)| k.clone()).collect();
        assert_eq!(latest_events(&ws.world), want);
    }
}
