//! The scheduler's place in the tick: pick pending pods from the queue (highest priority,
//! then oldest first), run a scheduling cycle for each against a snapshot of the nodes, bind
//! the pod or record why it fits nowhere (the FailedScheduling event and the PodScheduled
//! condition), and retry unschedulable pods with back-off when the cluster changes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Pod, PodCondition, PodStatus};

use super::events::{EventType, Source};
use super::indexed::{LookupMap, LookupSet};
use super::scheduler::{CycleOptions, LabelSets, PodInfo, Snapshot};
use super::{Kind, ObjKey, Object, Tick, World};

/// Retry bookkeeping of an unschedulable pod.
#[derive(Clone, Debug, Default)]
pub struct Attempt {
    pub at: Tick,
    /// Store resourceVersion at the attempt: a retry waits for the cluster to change.
    pub resource_version: u64,
    pub backoff_s: u64,
}

/// The scheduling queue's memory of failed attempts, by pod uid.
#[derive(Clone, Debug, Default)]
pub struct Queue {
    /// Looked up only, never read in order: hashed.
    pub attempts: LookupMap<String, Attempt>,
    /// Pods in their binding cycle, waiting for their volumes to be bound (by uid). Read in
    /// order (the order of the bindings): ordered.
    pub volume_waits: BTreeMap<String, super::volumebinding::Waiting>,
    /// The scheduler cache: the snapshot kept up to date from the store's change log, and
    /// the pods waiting to be scheduled.
    pub cache: Cache,
}

/// kube-scheduler's cache and active queue, fed by the store's change log (its informers), so
/// a scheduling pass costs in proportion to what changed rather than to the cluster's size.
/// The snapshot it keeps is the one [`snapshot`] would build: nodes in name order, each
/// node's pods in namespace/name order (pods assumed this tick come last until their binding
/// is seen).
#[derive(Clone, Debug, Default)]
pub struct Cache {
    cursor: u64,
    synced: bool,
    snap: Snapshot,
    /// Pod → index of the node it is counted on in `snap`. Looked up only: hashed.
    placed: LookupMap<ObjKey, usize>,
    /// Pods waiting for a node (unbound, not being deleted, for the default scheduler). Read
    /// whole each pass: ordered.
    pending: BTreeSet<ObjKey>,
    /// Pods placed by the last pass, counted at the end of their node's list. Looked up
    /// only: hashed.
    assumed: LookupSet<ObjKey>,
    /// One copy of each distinct label set of the pods in `snap`.
    labels: LabelSets,
}

impl Cache {
    /// Rebuilds everything from the store.
    fn relist(&mut self, w: &World) {
        // Collected, then built in one go (the tables sized once).
        let mut placed = Vec::new();
        let mut pending = Vec::new();
        self.snap = bound_snapshot_with(w, &mut self.labels, |o, at| {
            if let Some(i) = at {
                // Keyed as the pod's info names it (`PodInfo::namespace`).
                let ns = o.meta().namespace.as_deref().unwrap_or("default");
                placed.push((ObjKey::new(ns, o.name()), i));
            } else if o.as_pod().is_some_and(is_pending) {
                pending.push(o.key());
            }
        });
        self.placed = placed.into_iter().collect();
        self.pending = pending.into_iter().collect();
        self.assumed.clear();
    }

    /// Catches up with the store's changes.
    fn sync(&mut self, w: &World) {
        let rv = w.store.resource_version();
        // The keys as the log shares them: a converging tick changes every pod, some
        // several times, and most changes leave the cache as it is.
        let changes: Option<Vec<(Kind, Arc<ObjKey>)>> = if self.synced {
            w.store.watch(self.cursor).map(|it| {
                it.filter(|e| matches!(e.kind, Kind::Pod | Kind::Node | Kind::Namespace))
                    .map(|e| (e.kind, Arc::clone(&e.key)))
                    .collect()
            })
        } else {
            None
        };
        self.cursor = rv;
        self.synced = true;
        let Some(changes) = changes else {
            self.relist(w);
            return;
        };
        // Nodes coming or going, or namespaces changing, change the order or the labels
        // everywhere: rebuild (rare). A node's own fields are refreshed in place.
        let mut nodes: BTreeSet<String> = BTreeSet::new();
        let mut pods: Vec<Arc<ObjKey>> = Vec::new();
        for (kind, key) in changes {
            match kind {
                Kind::Pod => {
                    pods.push(key);
                }
                Kind::Node => {
                    nodes.insert(key.name.clone());
                }
                _ => {
                    self.relist(w);
                    return;
                }
            }
        }
        for name in nodes {
            let node = w.store.get(Kind::Node, "", &name).and_then(|o| o.as_node());
            match (node, self.snap.node_index(&name)) {
                (Some(n), Some(i)) => {
                    self.snap.set_node(i, n);
                }
                _ => {
                    self.relist(w);
                    return;
                }
            }
        }
        // Each changed pod once, in the log's order: what its entry does depends on the pod as
        // the store has it now and on the cache, not on the order (each node's pods are put in
        // order at the end). Told apart by the store's shared key, so nothing is compared: a
        // pod deleted and created again under its name is read twice, to the same effect.
        let mut seen = LookupSet::default();
        pods.retain(|k| seen.insert(Arc::as_ptr(k) as usize));
        // Nodes whose pods were added to: each is put back in order once, at the end (a
        // converging tick binds some thirty pods to every node).
        let mut unsorted: Vec<usize> = Vec::new();
        for key in pods {
            let key: &ObjKey = &key;
            let pod = w.store.get(Kind::Pod, &key.namespace, &key.name).and_then(|o| o.as_pod());
            if pod.is_some_and(is_pending) {
                if !self.pending.contains(key) {
                    self.pending.insert(key.clone());
                }
            } else {
                self.pending.remove(key);
            }
            let want = pod.filter(|p| !is_terminal(p)).and_then(|p| {
                let node = p.spec.as_ref()?.node_name.as_deref()?;
                Some((self.snap.node_index(node)?, p))
            });
            let assumed = self.assumed.remove(key);
            if let (Some(&i), Some((j, p))) = (self.placed.get(key), want) {
                // Counted already, on the same node: keep it unless what the scheduler knows
                // of the pod changed (labels, deletion). A pod the last pass placed, its
                // binding now seen, is among the last of its node's pods, which is then put
                // in order; any other is where the order puts it. (On a node whose order
                // waits for the end of this pass the search may miss it: it is then taken
                // out and put back, as a changed pod is.)
                if i == j {
                    let pods = &self.snap.nodes()[i].pods;
                    let at = if assumed {
                        pods.iter().rposition(|x| cmp_key(x, key).is_eq())
                    } else {
                        pods.binary_search_by(|x| cmp_key(x, key)).ok()
                    };
                    let same = at.is_some_and(|at| {
                        let x = &pods[at];
                        x.terminating == p.metadata.deletion_timestamp.is_some()
                            && p.metadata.labels.as_ref().map_or(x.labels.is_empty(), |l| *l == *x.labels)
                    });
                    if same {
                        if assumed {
                            unsorted.push(j);
                        }
                        continue;
                    }
                }
            }
            if let Some(i) = self.placed.remove(key) {
                self.snap.remove_pod(i, &key.namespace, &key.name);
            }
            if let Some((j, p)) = want {
                let info = PodInfo::from_pod_sharing(p, &mut self.labels);
                self.snap.add_pod(j, info);
                unsorted.push(j);
                self.placed.insert(key.clone(), j);
            }
        }
        unsorted.sort_unstable();
        unsorted.dedup();
        for j in unsorted {
            self.snap.sort_node_pods(j);
        }
    }
}

/// Orders pods like the store's list: namespace, then name.
fn cmp_key(p: &PodInfo, key: &ObjKey) -> std::cmp::Ordering {
    (p.namespace.as_str(), p.name.as_str()).cmp(&(key.namespace.as_str(), key.name.as_str()))
}

/// podMaxInUnschedulablePodsDuration: an unschedulable pod is retried at least this often.
const MAX_UNSCHEDULABLE_S: u64 = 300;
/// Back-off between attempts: 1 s doubling to 10 s (podInitialBackoffSeconds/podMaxBackoffSeconds).
const BACKOFF_MAX_S: u64 = 10;

fn is_pending(p: &Pod) -> bool {
    let spec = p.spec.as_ref();
    spec.is_some_and(|s| s.node_name.is_none())
        && p.metadata.deletion_timestamp.is_none()
        && spec.and_then(|s| s.scheduler_name.as_deref()).unwrap_or("default-scheduler") == "default-scheduler"
}

fn is_terminal(p: &Pod) -> bool {
    matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
}

/// Builds the scheduler's snapshot of nodes and the pods bound to them, with the pods whose
/// binding cycle waits for their volumes assumed on their node (last, in uid order).
pub fn snapshot(w: &World) -> Snapshot {
    let mut snap = bound_snapshot(w, &mut LabelSets::default());
    assume_volume_waits(w, &mut snap);
    snap
}

/// The snapshot of nodes and the pods bound to them (each node's pods in namespace/name
/// order), without the pods waiting for their volumes.
fn bound_snapshot(w: &World, label_sets: &mut LabelSets) -> Snapshot {
    bound_snapshot_with(w, label_sets, |_, _| {})
}

/// [`bound_snapshot`], telling `seen` of every pod in key order with the index of the node
/// it is counted on (None: not counted).
fn bound_snapshot_with(
    w: &World,
    label_sets: &mut LabelSets,
    mut seen: impl FnMut(&Object, Option<usize>),
) -> Snapshot {
    let mut snap = Snapshot::new();
    for o in w.store.list(Kind::Node, None) {
        if let Some(n) = o.as_node() {
            snap.add_node(n);
        }
    }
    for o in w.store.list(Kind::Namespace, None) {
        let labels = o.meta().labels.clone().unwrap_or_default();
        snap.set_namespace_labels(o.name(), labels);
    }
    for o in w.store.list(Kind::Pod, None) {
        let at = o.as_pod().filter(|p| !is_terminal(p)).and_then(|p| {
            let node = p.spec.as_ref().and_then(|s| s.node_name.as_deref())?;
            let i = snap.node_index(node)?;
            snap.add_pod(i, PodInfo::from_pod_sharing(p, label_sets));
            Some(i)
        });
        seen(o, at);
    }
    snap
}

/// Pods whose binding cycle waits for their volumes are assumed on their node, after the
/// bound ones.
fn assume_volume_waits(w: &World, snap: &mut Snapshot) {
    for wait in w.sched_queue.volume_waits.values() {
        let Some(p) = w.store.get(Kind::Pod, &wait.namespace, &wait.name).and_then(|o| o.as_pod()) else { continue };
        if let Some(i) = snap.node_index(&wait.node) {
            snap.add_pod(i, PodInfo::from_pod(p));
        }
    }
}

/// Takes the pods waiting for their volumes back out of the cache's snapshot (they are
/// assumed afresh, last on their node, at the start of each pass, as [`snapshot`] does).
fn unassume_volume_waits(w: &mut World) {
    let queue = &mut w.sched_queue;
    let cache = &mut queue.cache;
    for wait in queue.volume_waits.values() {
        let key = ObjKey::new(&wait.namespace, &wait.name);
        cache.assumed.remove(&key);
        let at = cache.placed.remove(&key).or_else(|| cache.snap.node_index(&wait.node));
        if let Some(i) = at {
            cache.snap.remove_pod(i, &key.namespace, &key.name);
        }
    }
}

/// Binds a pod to its node: the binding API call and the `Scheduled` event. The pod is
/// taken as the store shares it, and let go of before the write, so that the binding sets
/// the node name in place rather than copying the pod.
fn bind(w: &mut World, pod: Arc<Pod>, node: &str) {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    // The event refers to the pod as the scheduler saw it (its resourceVersion before the
    // binding).
    let reference = crate::sim::events::pod_reference(&pod, None);
    drop(pod);
    let _ = w.store.modify_keeping_owners(Kind::Pod, &ns, &name, |o| {
        let Object::Pod(p) = o else { return false };
        if p.spec.as_ref().is_some_and(|s| s.node_name.as_deref() == Some(node)) {
            return false;
        }
        Arc::make_mut(p).spec.get_or_insert_with(Default::default).node_name = Some(node.to_string());
        true
    });
    w.record_event_ref(
        crate::sim::store::ObjectRef::of(&reference),
        EventType::Normal,
        "Scheduled",
        &format!("Successfully assigned {ns}/{name} to {node}"),
        "default-scheduler",
        None,
    );
}

/// Finishes the binding cycles waiting for volumes: binds the pods whose claims are now
/// bound, and sends back to the queue those whose binding failed.
fn finish_volume_waits(w: &mut World) {
    if w.sched_queue.volume_waits.is_empty() {
        return;
    }
    let waits: Vec<(String, super::volumebinding::Waiting)> =
        w.sched_queue.volume_waits.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    for (uid, wait) in waits {
        let pod = match w.store.get(Kind::Pod, &wait.namespace, &wait.name) {
            Some(Object::Pod(p)) => Some(Arc::clone(p)),
            _ => None,
        };
        let Some(pod) = pod.filter(|p| p.metadata.uid.as_deref() == Some(uid.as_str())) else {
            w.sched_queue.volume_waits.remove(&uid);
            continue;
        };
        match super::volumebinding::check(w, &wait) {
            Ok(false) => {}
            Ok(true) => {
                w.sched_queue.volume_waits.remove(&uid);
                bind(w, pod, &wait.node);
            }
            Err(message) => {
                w.sched_queue.volume_waits.remove(&uid);
                let rv = w.store.resource_version();
                record_failure(w, &pod, &uid, &message, "SchedulerError", rv);
            }
        }
    }
}

/// The pod fits nowhere (or its binding failed): back-off bookkeeping, the PodScheduled
/// condition and the `FailedScheduling` event.
fn record_failure(w: &mut World, pod: &Pod, uid: &str, message: &str, reason: &str, rv: u64) {
    let now = w.now;
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let prev = w.sched_queue.attempts.get(uid).map(|a| a.backoff_s).unwrap_or(0);
    w.sched_queue.attempts.insert(
        uid.to_string(),
        Attempt { at: now, resource_version: rv, backoff_s: if prev == 0 { 1 } else { (prev * 2).min(BACKOFF_MAX_S) } },
    );
    let _ = w.store.modify(Kind::Pod, &ns, &name, |o| {
        if let Object::Pod(p) = o {
            let p = std::sync::Arc::make_mut(p);
            let qos = super::kubelet::status::qos_class(p).to_string();
            let status = p.status.get_or_insert_with(PodStatus::default);
            status.phase = Some("Pending".into());
            let same = status
                .conditions
                .as_ref()
                .and_then(|c| c.iter().find(|c| c.type_ == "PodScheduled"))
                .map(|c| c.last_transition_time.clone());
            let cond = PodCondition {
                type_: "PodScheduled".into(),
                status: "False".into(),
                reason: Some(reason.into()),
                message: Some(message.to_string()),
                last_probe_time: None,
                last_transition_time: same.flatten().or_else(|| Some(now.time())),
            };
            status.conditions = Some(vec![cond]);
            status.qos_class = Some(qos);
        }
    });
    let reference = crate::sim::events::pod_reference(pod, None);
    w.record_event(reference, EventType::Warning, "FailedScheduling", message, Source::scheduler());
}

/// The active queue's order: higher priority first, then older, then by namespace and name.
fn queue_cmp(a: &Pod, b: &Pod) -> std::cmp::Ordering {
    queue_key_head(a).cmp(&queue_key_head(b)).then_with(|| queue_key_tail(a).cmp(&queue_key_tail(b)))
}

/// The first keys of the queue's order: priority (higher first), then creation time.
fn queue_key_head(p: &Pod) -> (std::cmp::Reverse<i32>, Option<chrono::DateTime<chrono::Utc>>) {
    (
        std::cmp::Reverse(p.spec.as_ref().and_then(|s| s.priority).unwrap_or(0)),
        p.metadata.creation_timestamp.as_ref().map(|t| t.0),
    )
}

/// The last keys of the queue's order: namespace, then name.
fn queue_key_tail(p: &Pod) -> (Option<&str>, Option<&str>) {
    (p.metadata.namespace.as_deref(), p.metadata.name.as_deref())
}

pub fn schedule_pending(w: &mut World) {
    finish_volume_waits(w);
    let now = w.now;
    let rv = w.store.resource_version();
    let mut cache = std::mem::take(&mut w.sched_queue.cache);
    cache.sync(w);
    assume_volume_waits(w, &mut cache.snap);
    // The pods as the store shares them: references, not copies.
    let mut pending: Vec<Arc<Pod>> = cache
        .pending
        .iter()
        .filter_map(|k| match w.store.get(Kind::Pod, &k.namespace, &k.name) {
            Some(Object::Pod(p)) => Some(p),
            _ => None,
        })
        .filter(|p| is_pending(p))
        .filter(|p| !w.sched_queue.volume_waits.contains_key(p.metadata.uid.as_deref().unwrap_or("")))
        .filter(|p| match w.sched_queue.attempts.get(p.metadata.uid.as_deref().unwrap_or_default()) {
            None => true,
            Some(a) => {
                let waited = now.since(a.at);
                (a.resource_version != rv && waited >= a.backoff_s) || waited >= MAX_UNSCHEDULABLE_S
            }
        })
        .cloned()
        .collect();
    if pending.is_empty() {
        w.sched_queue.cache = cache;
        unassume_volume_waits(w);
        return;
    }
    // The active queue pops by priority, then by the time the pod entered the queue, then by
    // namespace and name (`queue_cmp`). `pending` is in namespace/name order already (the
    // cache's set is), so a stable sort by the first two keys alone gives that order while
    // reading each pod once, not at every comparison.
    debug_assert!(pending.windows(2).all(|w| queue_key_tail(&w[0]) < queue_key_tail(&w[1])));
    pending.sort_by_cached_key(|p| queue_key_head(p));
    debug_assert!(pending.windows(2).all(|w| queue_cmp(&w[0], &w[1]).is_lt()));
    // The pods placed below are assumed in the snapshot at once; the cache sees their
    // bindings (and re-sorts them) when it next catches up.
    let mut snap = std::mem::take(&mut cache.snap);
    w.sched_queue.cache = cache;
    for pod in pending {
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let volumes = super::volumebinding::for_pod(w, &pod);
        let result = {
            let World { scheduler, rng, .. } = w;
            let opts = CycleOptions {
                volumes: volumes.as_ref().map(|v| v as &dyn super::scheduler::VolumeBinding),
                ..Default::default()
            };
            scheduler.schedule_with(&pod, &snap, &opts, rng)
        };
        match result {
            Ok(placement) => {
                let key = ObjKey::new(
                    pod.metadata.namespace.as_deref().unwrap_or_default(),
                    pod.metadata.name.as_deref().unwrap_or_default(),
                );
                let cache = &mut w.sched_queue.cache;
                cache.placed.insert(key.clone(), placement.node_index);
                cache.assumed.insert(key);
                // Its labels as the cache shares them: the info is kept once the binding
                // shows up (`Cache::sync`).
                let mut info = placement.pod_info;
                info.labels = cache.labels.share(Some(&info.labels));
                snap.add_pod(placement.node_index, info);
                w.sched_queue.attempts.remove(&uid);
                // Reserve and PreBind: the pod's volumes are bound for the node first.
                match super::volumebinding::bind_volumes(w, &pod, &placement.node_name) {
                    Some(wait) => {
                        w.sched_queue.volume_waits.insert(uid.clone(), wait);
                    }
                    None => bind(w, pod, &placement.node_name),
                }
            }
            Err(fit) => record_failure(w, &pod, &uid, &fit.message, "Unschedulable", rv),
        }
    }
    w.sched_queue.cache.snap = snap;
    unassume_volume_waits(w);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api::WriteOptions;

    #[test]
    fn a_relist_indexes_the_pods_of_its_snapshot() {
        let mut w = World::new(6);
        let deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 12\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: nginx}]\n";
        let v: serde_json::Value = serde_yaml::from_str(deploy).unwrap();
        w.api_create(Object::from_value(Kind::Deployment, v).unwrap(), WriteOptions::default()).unwrap();
        // A pod no node fits stays pending.
        let stuck = "apiVersion: v1\nkind: Pod\nmetadata: {name: stuck}\nspec:\n  nodeSelector: {disk: none}\n  containers: [{name: c, image: nginx}]\n";
        let v: serde_json::Value = serde_yaml::from_str(stuck).unwrap();
        w.api_create(Object::from_value(Kind::Pod, v).unwrap(), WriteOptions::default()).unwrap();
        let mut seen_both = (false, false);
        for _ in 0..4 {
            w.advance(1);
            let mut cache = Cache::default();
            cache.relist(&w);
            // Every pod counted on a node, by the key its info names, and every pending pod.
            let mut placed = LookupMap::default();
            for (i, n) in cache.snap.nodes().iter().enumerate() {
                for p in &n.pods {
                    placed.insert(ObjKey::new(&p.namespace, &p.name), i);
                }
            }
            let pending: BTreeSet<ObjKey> = w
                .store
                .list(Kind::Pod, None)
                .into_iter()
                .filter(|o| o.as_pod().is_some_and(is_pending))
                .map(|o| o.key())
                .collect();
            seen_both.0 |= !placed.is_empty();
            seen_both.1 |= !pending.is_empty();
            assert_eq!(cache.placed, placed);
            assert_eq!(cache.pending, pending);
        }
        assert_eq!(seen_both, (true, true), "the scenario should have had pods placed and pending");
    }

    /// The cache, caught up with the store, holds what a snapshot built afresh holds, in the
    /// same order: through scaling, relabelling, deletions and a rollout, with the pods each
    /// pass placed kept from their placement once their bindings show up.
    #[test]
    fn the_cache_caught_up_is_a_fresh_snapshot() {
        let mut w = World::new(11);
        let deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 12\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: nginx, resources: {requests: {cpu: 10m}}}]\n";
        let v: serde_json::Value = serde_yaml::from_str(deploy).unwrap();
        w.api_create(Object::from_value(Kind::Deployment, v).unwrap(), WriteOptions::default()).unwrap();
        let describe = |snap: &Snapshot| -> Vec<String> {
            let pods = snap.nodes().iter().flat_map(|n| n.pods.iter().map(move |p| (n, p)));
            pods.map(|(n, p)| {
                format!(
                    "{} {}/{} {:?} {} {:?} {:?}",
                    n.name, p.namespace, p.name, p.labels, p.terminating, p.requests, p.priority
                )
            })
            .collect()
        };
        let edit = |w: &mut World, kind: Kind, name: &str, f: &dyn Fn(&mut Object)| {
            let mut o = w.store.get(kind, "default", name).unwrap().clone();
            f(&mut o);
            w.api_update(o, WriteOptions::default()).unwrap();
        };
        let mut checked = 0;
        for step in 0..40 {
            match step {
                5 => edit(&mut w, Kind::Deployment, "web", &|o| {
                    if let Object::Deployment(d) = o {
                        Arc::make_mut(d).spec.as_mut().unwrap().replicas = Some(20);
                    }
                }),
                10 | 12 => {
                    let first = w.store.list(Kind::Pod, Some("default"))[0].name().to_string();
                    if step == 10 {
                        edit(&mut w, Kind::Pod, &first, &|o| {
                            o.meta_mut().labels.get_or_insert_with(Default::default).insert("extra".into(), "1".into());
                        });
                    } else {
                        w.api_delete(Kind::Pod, "default", &first, None, WriteOptions::default()).unwrap();
                    }
                }
                15 => edit(&mut w, Kind::Deployment, "web", &|o| {
                    if let Object::Deployment(d) = o {
                        Arc::make_mut(d).spec.as_mut().unwrap().replicas = Some(5);
                    }
                }),
                20 => edit(&mut w, Kind::Deployment, "web", &|o| {
                    if let Object::Deployment(d) = o {
                        let spec = Arc::make_mut(d).spec.as_mut().unwrap();
                        spec.replicas = Some(9);
                        spec.template.spec.as_mut().unwrap().containers[0].image = Some("nginx:1.26".into());
                    }
                }),
                _ => {}
            }
            w.advance(1);
            let mut cache = w.sched_queue.cache.clone();
            cache.sync(&w);
            let fresh = bound_snapshot(&w, &mut LabelSets::default());
            assert_eq!(describe(&cache.snap), describe(&fresh), "step {step}");
            checked += fresh.nodes().iter().map(|n| n.pods.len()).sum::<usize>();
        }
        assert!(checked > 200, "the run should have had pods bound ({checked})");
    }
}
