//! The daemonset controller (`pkg/controller/daemon`, v1.32): one pod per eligible node.
//!
//! A node is eligible when the DaemonSet's pod, with the tolerations the controller adds to
//! every daemon pod (not-ready and unreachable NoExecute; disk-, memory- and pid-pressure and
//! unschedulable NoSchedule; network-unavailable for hostNetwork pods), matches its
//! nodeSelector and required node affinity and tolerates its NoSchedule and NoExecute taints
//! (`nodeShouldRunDaemonPod`). Each pod is pinned to its node with required node affinity
//! `matchFields metadata.name In [node]` and bound by the scheduler, as in v1.32.
//!
//! Updates: RollingUpdate (maxUnavailable, maxSurge) replaces pods whose
//! `controller-revision-hash` is not the current template's; OnDelete waits for the user.
//! Revisions are ControllerRevisions (`sim::controllers::history`). The controller looks at a
//! DaemonSet when it, one of its pods, or a node's labels, taints or schedulability change.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::apps::v1::DaemonSetStatus;
use k8s_openapi::api::core::v1::{
    Affinity, Node, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, PodTemplateSpec, Taint,
    Toleration,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::history;
use super::informer::{controller_ref, Cursor, DueQueue, OwnerIndex};
use super::podcontrol;
use crate::sim::clock::tick_of;
use crate::sim::events::{object_reference, EventType, Source};
use crate::sim::store::Change;
use crate::sim::{Kind, ObjKey, Object, Tick, World};

const COMPONENT: &str = "daemonset-controller";

/// The daemonset controller's caches and queue.
#[derive(Clone, Debug, Default)]
pub struct State {
    cursor: Cursor,
    pods: OwnerIndex,
    due: DueQueue,
    /// What of each node decides eligibility (labels, taints, unschedulable), to tell a
    /// heartbeat from a change that matters.
    nodes: BTreeMap<String, String>,
}

fn node_fingerprint(n: &Node) -> String {
    let spec = n.spec.as_ref();
    serde_json::json!([n.metadata.labels, spec.and_then(|s| s.taints.clone()), spec.and_then(|s| s.unschedulable),])
        .to_string()
}

pub fn reconcile(w: &mut World) {
    let now = w.now;
    let mut dirty: BTreeSet<ObjKey> = BTreeSet::new();
    let mut all = false;
    {
        let World { store, controllers, .. } = w;
        let st = &mut controllers.daemonset;
        match st.cursor.drain_of(store, &[Kind::DaemonSet, Kind::Pod, Kind::Node]) {
            Some(events) => {
                for ev in events {
                    match ev.kind {
                        Kind::DaemonSet => {
                            dirty.insert((*ev.key).clone());
                        }
                        Kind::Pod => {
                            // A write of a pod no DaemonSet controlled, to a pod not in the
                            // index, changes nothing here (a later write that made it one's
                            // is in this batch too): passed over without a lookup.
                            if !ev.controllers.may_include(Kind::DaemonSet) && st.pods.owner_of(&ev.key).is_none() {
                                continue;
                            }
                            let obj = store.get(Kind::Pod, &ev.key.namespace, &ev.key.name);
                            if obj.is_none() && ev.change != Change::Deleted {
                                continue;
                            }
                            dirty.extend(st.pods.observe(&ev.key, obj, Kind::DaemonSet));
                        }
                        Kind::Node => {
                            let fp =
                                store.get(Kind::Node, "", &ev.key.name).and_then(|o| o.as_node()).map(node_fingerprint);
                            let changed = match &fp {
                                Some(fp) => st.nodes.get(&ev.key.name) != Some(fp),
                                None => st.nodes.contains_key(&ev.key.name),
                            };
                            match fp {
                                Some(fp) => st.nodes.insert(ev.key.name.clone(), fp),
                                None => st.nodes.remove(&ev.key.name),
                            };
                            all |= changed;
                        }
                        _ => {}
                    }
                }
            }
            None => {
                st.pods.clear();
                st.nodes.clear();
                for o in store.list(Kind::Pod, None) {
                    st.pods.observe(&o.key(), Some(o), Kind::DaemonSet);
                }
                for o in store.list(Kind::Node, None) {
                    if let Some(n) = o.as_node() {
                        st.nodes.insert(o.name().to_string(), node_fingerprint(n));
                    }
                }
                all = true;
            }
        }
        if all {
            dirty.extend(store.list(Kind::DaemonSet, None).iter().map(|o| o.key()));
        }
        dirty.extend(st.due.pop_due(now));
    }
    for key in dirty {
        sync(w, &key);
    }
}

/// The tolerations every daemon pod gets (`AddOrUpdateDaemonPodTolerations`).
fn add_daemon_tolerations(tols: &mut Vec<Toleration>, host_network: bool) {
    let mut wanted = vec![
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if host_network {
        wanted.push(("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    for (key, effect) in wanted {
        let t = Toleration {
            key: Some(key.into()),
            operator: Some("Exists".into()),
            effect: Some(effect.into()),
            ..Default::default()
        };
        // AddOrUpdateTolerationInPodSpec: an existing toleration of the same key, operator,
        // value and effect is replaced.
        match tols
            .iter_mut()
            .find(|x| x.key == t.key && x.effect == t.effect && x.operator.as_deref().unwrap_or("Equal") == "Exists")
        {
            Some(x) => *x = t,
            None => tols.push(t),
        }
    }
}

/// `ReplaceDaemonSetPodNodeNameNodeAffinity`: every required term pins the node by name.
fn pin_to_node(affinity: Option<Affinity>, node: &str) -> Affinity {
    let req = NodeSelectorRequirement {
        key: "metadata.name".into(),
        operator: "In".into(),
        values: Some(vec![node.to_string()]),
    };
    let mut aff = affinity.unwrap_or_default();
    let na = aff.node_affinity.get_or_insert_with(NodeAffinity::default);
    let sel = na
        .required_during_scheduling_ignored_during_execution
        .get_or_insert_with(|| NodeSelector { node_selector_terms: vec![] });
    if sel.node_selector_terms.is_empty() {
        sel.node_selector_terms.push(NodeSelectorTerm { match_fields: Some(vec![req]), match_expressions: None });
    } else {
        for t in sel.node_selector_terms.iter_mut() {
            t.match_fields = Some(vec![req.clone()]);
        }
    }
    aff
}

fn requirement_matches(r: &NodeSelectorRequirement, value: Option<&String>) -> bool {
    let values = r.values.as_deref().unwrap_or_default();
    match r.operator.as_str() {
        "In" => value.is_some_and(|v| values.contains(v)),
        "NotIn" => value.is_none_or(|v| !values.contains(v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            match (value.and_then(|v| v.parse::<i64>().ok()), values.first().and_then(|v| v.parse::<i64>().ok())) {
                (Some(have), Some(want)) => {
                    if r.operator == "Gt" {
                        have > want
                    } else {
                        have < want
                    }
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// `nodeaffinity.GetRequiredNodeAffinity(pod).Match(node)`: nodeSelector and the required
/// terms (ORed; a term's requirements ANDed; an empty term matches nothing).
fn fits_node_affinity(template: &PodTemplateSpec, node: &Node) -> bool {
    let empty = BTreeMap::new();
    let labels = node.metadata.labels.as_ref().unwrap_or(&empty);
    let name = node.metadata.name.clone().unwrap_or_default();
    let spec = template.spec.as_ref();
    if let Some(sel) = spec.and_then(|s| s.node_selector.as_ref()) {
        if !sel.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            return false;
        }
    }
    let terms = spec
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|n| n.required_during_scheduling_ignored_during_execution.as_ref());
    match terms {
        None => true,
        Some(sel) => sel.node_selector_terms.iter().any(|t| {
            let exprs = t.match_expressions.as_deref().unwrap_or_default();
            let fields = t.match_fields.as_deref().unwrap_or_default();
            (!exprs.is_empty() || !fields.is_empty())
                && exprs.iter().all(|r| requirement_matches(r, labels.get(&r.key)))
                && fields.iter().all(|r| r.key == "metadata.name" && requirement_matches(r, Some(&name)))
        }),
    }
}

fn tolerates(tols: &[Toleration], taint: &Taint) -> bool {
    tols.iter().any(|t| {
        if t.effect.as_deref().is_some_and(|e| !e.is_empty() && e != taint.effect) {
            return false;
        }
        if t.key.as_deref().is_some_and(|k| !k.is_empty() && k != taint.key) {
            return false;
        }
        match t.operator.as_deref().unwrap_or("") {
            "" | "Equal" => t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or(""),
            "Exists" => true,
            _ => false,
        }
    })
}

/// `NodeShouldRunDaemonPod`: (should run, should continue running).
fn should_run(template: &PodTemplateSpec, node: &Node) -> (bool, bool) {
    let mut tols = template.spec.as_ref().and_then(|s| s.tolerations.clone()).unwrap_or_default();
    let host_network = template.spec.as_ref().and_then(|s| s.host_network).unwrap_or(false);
    add_daemon_tolerations(&mut tols, host_network);
    if !fits_node_affinity(template, node) {
        return (false, false);
    }
    let taints = node.spec.as_ref().and_then(|s| s.taints.clone()).unwrap_or_default();
    let untolerated = |effect: &str| taints.iter().any(|t| t.effect == effect && !tolerates(&tols, t));
    let no_execute = untolerated("NoExecute");
    (!no_execute && !untolerated("NoSchedule"), !no_execute)
}

fn available(p: &Pod, min_ready_s: i32, now: Tick) -> bool {
    podcontrol::is_ready(p)
        && (min_ready_s <= 0 || podcontrol::ready_since(p).is_some_and(|t| now.since(t) >= min_ready_s as u64))
}

/// An int-or-percent of `total`, rounded up or down as `GetScaledValueFromIntOrPercent`.
fn scaled(v: &IntOrString, total: i32, round_up: bool) -> i32 {
    match v {
        IntOrString::Int(i) => *i,
        IntOrString::String(s) => {
            let p: i64 = s.trim_end_matches('%').parse().unwrap_or(0);
            let x = p * total as i64;
            (if round_up { (x + 99) / 100 } else { x / 100 }) as i32
        }
    }
}

fn pod_node(p: &Pod) -> Option<String> {
    if let Some(n) = p.spec.as_ref().and_then(|s| s.node_name.clone()) {
        return Some(n);
    }
    // Not bound yet: the node it is pinned to.
    let terms = &p
        .spec
        .as_ref()?
        .affinity
        .as_ref()?
        .node_affinity
        .as_ref()?
        .required_during_scheduling_ignored_during_execution
        .as_ref()?
        .node_selector_terms;
    terms
        .iter()
        .flat_map(|t| t.match_fields.iter().flatten())
        .find(|r| r.key == "metadata.name" && r.operator == "In")
        .and_then(|r| r.values.as_ref()?.first().cloned())
}

fn hash_of(p: &Pod) -> Option<&str> {
    p.metadata.labels.as_ref()?.get("controller-revision-hash").map(String::as_str)
}

fn sync(w: &mut World, key: &ObjKey) {
    let now = w.now;
    let Some(Object::DaemonSet(ds)) = w.store.get(Kind::DaemonSet, &key.namespace, &key.name).cloned() else {
        return;
    };
    if ds.metadata.deletion_timestamp.is_some() {
        return;
    }
    let ds_obj = Object::DaemonSet(ds.clone());
    let uid = ds.metadata.uid.clone().unwrap_or_default();
    let spec = ds.spec.clone().unwrap_or_default();
    let min_ready = spec.min_ready_seconds.unwrap_or(0);
    let template_labels = spec.template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
    let Some(rev_name) =
        history::ensure_revision(w, &ds_obj, &spec.template, &template_labels, "controller-revision-hash")
    else {
        return;
    };
    let hash = rev_name.strip_prefix(&format!("{}-", key.name)).unwrap_or(&rev_name).to_string();

    // Daemon pods by node.
    let pods: Vec<Pod> = w
        .controllers
        .daemonset
        .pods
        .owned(key)
        .iter()
        .filter_map(|k| w.store.get(Kind::Pod, &k.namespace, &k.name))
        .filter(|o| controller_ref(o, Kind::DaemonSet).is_some_and(|r| r.uid == uid))
        .filter_map(|o| o.as_pod().cloned())
        .collect();
    let mut by_node: BTreeMap<String, Vec<Pod>> = BTreeMap::new();
    for p in pods {
        if let Some(n) = pod_node(&p) {
            by_node.entry(n).or_default().push(p);
        }
    }
    for v in by_node.values_mut() {
        v.sort_by_key(|p| (p.metadata.creation_timestamp.as_ref().map(tick_of), p.metadata.name.clone()));
    }
    let nodes: Vec<Node> = w.store.list(Kind::Node, None).into_iter().filter_map(|o| o.as_node().cloned()).collect();

    let (max_surge, max_unavailable, rolling) = match spec.update_strategy.as_ref() {
        Some(s) if s.type_.as_deref() == Some("OnDelete") => (IntOrString::Int(0), IntOrString::Int(0), false),
        s => {
            let ru = s.and_then(|s| s.rolling_update.clone()).unwrap_or_default();
            (
                ru.max_surge.clone().unwrap_or(IntOrString::Int(0)),
                ru.max_unavailable.clone().unwrap_or(IntOrString::Int(1)),
                true,
            )
        }
    };

    let mut to_create: Vec<String> = Vec::new();
    let mut to_delete: Vec<Pod> = Vec::new();
    let mut desired = 0;
    let mut eligible: Vec<String> = Vec::new();
    for node in &nodes {
        let name = node.metadata.name.clone().unwrap_or_default();
        let (run, keep) = should_run(&spec.template, node);
        let on_node: Vec<Pod> = by_node.get(&name).cloned().unwrap_or_default();
        if run {
            desired += 1;
            eligible.push(name.clone());
        }
        if run && on_node.is_empty() {
            to_create.push(name.clone());
        } else if keep || run {
            // Failed pods are killed (and replaced once gone); surplus pods beyond the oldest
            // go too, unless a surge is in progress (the rolling update decides then).
            let live: Vec<&Pod> = on_node.iter().filter(|p| p.metadata.deletion_timestamp.is_none()).collect();
            let mut healthy: Vec<&Pod> = Vec::new();
            for p in live {
                if podcontrol::phase(p) == "Failed" {
                    let reference = object_reference(&ds_obj, None);
                    w.record_event(
                        reference,
                        EventType::Warning,
                        "FailedDaemonPod",
                        &format!(
                            "Found failed daemon pod {}/{} on node {name}, will try to kill it",
                            key.namespace,
                            p.metadata.name.as_deref().unwrap_or("")
                        ),
                        Source::controller(COMPONENT),
                    );
                    to_delete.push(p.clone());
                } else {
                    healthy.push(p);
                }
            }
            let surge_in_progress = healthy.len() == 2 && healthy.iter().any(|p| hash_of(p) == Some(hash.as_str()));
            if healthy.len() > 1 && !(surge_in_progress && rolling) {
                to_delete.extend(healthy[1..].iter().map(|p| (*p).clone()));
            }
        } else {
            to_delete.extend(on_node.iter().filter(|p| p.metadata.deletion_timestamp.is_none()).cloned());
        }
    }

    // Rolling update over the eligible nodes that have pods.
    if rolling && to_create.is_empty() {
        let surge = scaled(&max_surge, desired, true);
        let unavailable_max = scaled(&max_unavailable, desired, true);
        let mut num_unavailable = 0;
        let mut replace: Vec<Pod> = Vec::new();
        let mut candidates: Vec<Pod> = Vec::new();
        let mut surge_nodes: Vec<String> = Vec::new();
        for name in &eligible {
            let live: Vec<&Pod> = by_node
                .get(name)
                .into_iter()
                .flatten()
                .filter(|p| p.metadata.deletion_timestamp.is_none() && podcontrol::phase(p) != "Failed")
                .collect();
            let new = live.iter().find(|p| hash_of(p) == Some(hash.as_str()));
            let old = live.iter().find(|p| hash_of(p) != Some(hash.as_str()));
            match (new, old) {
                (None, None) => num_unavailable += 1,
                (Some(_), Some(o)) => {
                    // A surge pod: the old one goes once the new one is available.
                    if surge > 0 && new.is_some_and(|n| available(n, min_ready, now)) {
                        replace.push((*o).clone());
                    } else {
                        num_unavailable += 1;
                    }
                }
                (Some(n), None) => {
                    if !available(n, min_ready, now) {
                        num_unavailable += 1;
                    }
                }
                (None, Some(o)) => {
                    if !available(o, min_ready, now) {
                        replace.push((*o).clone());
                    } else if surge > 0 {
                        surge_nodes.push(name.clone());
                    } else if num_unavailable < unavailable_max {
                        candidates.push((*o).clone());
                    }
                }
            }
        }
        if surge > 0 {
            let budget = surge.max(0) as usize;
            let surging = eligible
                .iter()
                .filter(|n| {
                    by_node.get(*n).is_some_and(|ps| {
                        ps.iter().any(|p| hash_of(p) == Some(hash.as_str()))
                            && ps.iter().any(|p| hash_of(p) != Some(hash.as_str()))
                    })
                })
                .count();
            to_create.extend(surge_nodes.into_iter().take(budget.saturating_sub(surging)));
            to_delete.extend(replace);
        } else {
            let remaining = (unavailable_max - num_unavailable).max(0) as usize;
            to_delete.extend(replace);
            to_delete.extend(candidates.into_iter().take(remaining));
        }
    }

    // syncNodes: create and delete.
    let generation = crate::sim::api::template_generation(&ds_obj).max(1);
    for node in &to_create {
        let mut t = spec.template.clone();
        let tm = t.metadata.get_or_insert_with(Default::default);
        let labels = tm.labels.get_or_insert_with(BTreeMap::new);
        labels.insert("controller-revision-hash".into(), hash.clone());
        labels.insert("pod-template-generation".into(), generation.to_string());
        if let Some(s) = t.spec.as_mut() {
            let host_network = s.host_network.unwrap_or(false);
            add_daemon_tolerations(s.tolerations.get_or_insert_with(Vec::new), host_network);
            s.affinity = Some(pin_to_node(s.affinity.take(), node));
        }
        let pod = podcontrol::pod_from_template(&t, &ds_obj, None, &format!("{}-", key.name));
        let _ = podcontrol::create_pod(w, &ds_obj, pod, COMPONENT);
    }
    let mut seen = BTreeSet::new();
    for p in to_delete {
        let name = p.metadata.name.clone().unwrap_or_default();
        if seen.insert(name.clone()) {
            podcontrol::delete_pod(w, &ds_obj, &key.namespace, &name, COMPONENT);
        }
    }

    // Status (`updateDaemonSetStatus`), from the pods as they are now.
    let mut current = 0;
    let mut misscheduled = 0;
    let mut ready = 0;
    let mut avail = 0;
    let mut updated = 0;
    let live_pods: Vec<Pod> = w
        .controllers
        .daemonset
        .pods
        .owned(key)
        .iter()
        .filter_map(|k| w.store.get(Kind::Pod, &k.namespace, &k.name))
        .filter(|o| controller_ref(o, Kind::DaemonSet).is_some_and(|r| r.uid == uid))
        .filter_map(|o| o.as_pod().cloned())
        .collect();
    let mut pods_by_node: BTreeMap<String, Vec<Pod>> = BTreeMap::new();
    for p in live_pods {
        if let Some(n) = pod_node(&p) {
            pods_by_node.entry(n).or_default().push(p);
        }
    }
    let mut wait_ready: Option<Tick> = None;
    for node in &nodes {
        let name = node.metadata.name.clone().unwrap_or_default();
        let (run, _) = should_run(&spec.template, node);
        let Some(ps) = pods_by_node.get(&name) else { continue };
        let scheduled: Vec<&Pod> =
            ps.iter().filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some()).collect();
        if scheduled.is_empty() {
            continue;
        }
        if !run {
            misscheduled += 1;
            continue;
        }
        current += 1;
        let p = scheduled[0];
        if podcontrol::is_ready(p) {
            ready += 1;
            if available(p, min_ready, now) {
                avail += 1;
            } else if let Some(t) = podcontrol::ready_since(p) {
                let at = t.plus_s(min_ready as u64);
                wait_ready = Some(wait_ready.map_or(at, |w: Tick| w.min(at)));
            }
        }
        if scheduled.iter().any(|p| hash_of(p) == Some(hash.as_str())) {
            updated += 1;
        }
    }
    if let Some(t) = wait_ready {
        w.controllers.daemonset.due.add_at(key, t);
    }
    let old = ds.status.clone().unwrap_or_default();
    let status = DaemonSetStatus {
        collision_count: old.collision_count,
        conditions: old.conditions.clone(),
        current_number_scheduled: current,
        desired_number_scheduled: desired,
        number_available: Some(avail).filter(|n| *n > 0),
        number_misscheduled: misscheduled,
        number_ready: ready,
        number_unavailable: Some(desired - avail).filter(|n| *n > 0),
        observed_generation: ds.metadata.generation,
        updated_number_scheduled: Some(updated).filter(|n| *n > 0),
    };
    let _ = w.store.modify(Kind::DaemonSet, &key.namespace, &key.name, |o| {
        if let Object::DaemonSet(d) = o {
            d.status = Some(status.clone());
        }
    });
    let mut in_use: BTreeSet<String> =
        pods_by_node.values().flatten().filter_map(|p| hash_of(p).map(|h| format!("{}-{h}", key.name))).collect();
    in_use.insert(rev_name);
    history::truncate_history(w, &ds_obj, spec.revision_history_limit.unwrap_or(10), &in_use);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_scale_like_intstr() {
        assert_eq!(scaled(&IntOrString::String("25%".into()), 3, true), 1);
        assert_eq!(scaled(&IntOrString::String("25%".into()), 3, false), 0);
        assert_eq!(scaled(&IntOrString::Int(2), 3, true), 2);
    }
}
