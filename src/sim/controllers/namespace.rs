//! The namespace controller (`pkg/controller/namespace`, its `namespacedResourcesDeleter`):
//! a namespace marked for deletion (`Terminating`, with the `kubernetes` finalizer in
//! `spec.finalizers`) has all its content deleted — pods gracefully, objects with finalizers
//! held until their controllers let go — its five deletion conditions reported in its status,
//! and, once nothing is left, the `kubernetes` finalizer removed, which deletes it.
//!
//! While content remains the namespace is looked at again after half the estimate of how long
//! it will take, plus one second (`ResourcesRemainingError`): the longest grace period of its
//! running pods, or 15 s for objects waiting on finalizers (`finalizerEstimateSeconds`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::NamespaceCondition;

use crate::sim::api::WriteOptions;
use crate::sim::clock::Tick;
use crate::sim::{Kind, Object, World};

/// The finalizer the namespace controller owns (`v1.FinalizerKubernetes`).
pub const FINALIZER: &str = "kubernetes";

/// How long to wait for objects held by finalizers (`finalizerEstimateSeconds`).
const FINALIZER_ESTIMATE_S: i64 = 15;

/// When each terminating namespace is due to be looked at again.
#[derive(Clone, Debug, Default)]
pub struct State {
    due: BTreeMap<String, Tick>,
}

/// The five conditions in the order the deleter keeps them, with their "ok" reason and
/// message (`conditionTypes`, `okReasons`, `okMessages`).
const CONDITIONS: [(&str, &str, &str); 5] = [
    ("NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered", "All resources successfully discovered"),
    ("NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions", "All legacy kube types successfully parsed"),
    (
        "NamespaceDeletionContentFailure",
        "ContentDeleted",
        "All content successfully deleted, may be waiting on finalization",
    ),
    ("NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"),
    ("NamespaceFinalizersRemaining", "ContentHasNoFinalizers", "All content-preserving finalizers finished"),
];

pub fn reconcile(w: &mut World) {
    let now = w.now;
    let terminating: Vec<String> = w
        .store
        .list(Kind::Namespace, None)
        .into_iter()
        .filter(|o| o.meta().deletion_timestamp.is_some())
        .map(|o| o.name().to_string())
        .collect();
    w.controllers.namespace.due.retain(|n, _| terminating.contains(n));
    for ns in terminating {
        if w.controllers.namespace.due.get(&ns).is_some_and(|t| *t > now) {
            continue;
        }
        let estimate_s = delete_content(w, &ns);
        if estimate_s > 0 {
            let wait = (estimate_s / 2 + 1) as u64;
            w.controllers.namespace.due.insert(ns, now.plus_s(wait));
        } else {
            w.controllers.namespace.due.remove(&ns);
            finalize(w, &ns);
        }
    }
}

/// `deleteAllContent`: deletes everything in the namespace, reports the conditions and
/// returns the estimate in seconds (0: nothing is left).
fn delete_content(w: &mut World, ns: &str) -> i64 {
    let mut estimate = 0;
    let mut remaining: Vec<String> = Vec::new();
    let mut by_finalizer: BTreeMap<String, usize> = BTreeMap::new();
    for kind in Kind::ALL.iter().copied().filter(|k| k.namespaced()) {
        let objects: Vec<(String, bool)> = w
            .store
            .list(kind, Some(ns))
            .into_iter()
            .map(|o| (o.name().to_string(), o.meta().deletion_timestamp.is_some()))
            .collect();
        if objects.is_empty() {
            continue;
        }
        // estimateGracefulTerminationForPods: the longest grace period of pods not done.
        let pods_estimate: i64 = if kind == Kind::Pod {
            w.store
                .list(Kind::Pod, Some(ns))
                .into_iter()
                .filter_map(Object::as_pod)
                .filter(|p| !matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed")))
                .filter_map(|p| p.spec.as_ref()?.termination_grace_period_seconds)
                .max()
                .unwrap_or(0)
        } else {
            0
        };
        // deleteCollection (background propagation).
        for (name, deleting) in objects {
            if !deleting || kind == Kind::Pod {
                let _ = w.api_delete(kind, ns, &name, None, WriteOptions::default());
            }
        }
        let left: Vec<&Object> = w.store.list(kind, Some(ns));
        if left.is_empty() {
            continue;
        }
        remaining.push(format!("{}.{} has {} resource instances", kind.plural(), kind.group(), left.len()));
        let mut finalizers = false;
        for o in &left {
            for f in o.meta().finalizers.iter().flatten() {
                *by_finalizer.entry(f.clone()).or_default() += 1;
                finalizers = true;
            }
        }
        if pods_estimate > 0 {
            estimate = estimate.max(pods_estimate);
        } else if finalizers {
            estimate = estimate.max(FINALIZER_ESTIMATE_S);
        } else {
            // Nothing should be left; look again soon rather than never.
            estimate = estimate.max(5);
        }
    }
    remaining.sort();
    let mut failing: Vec<(&str, &str, String)> = Vec::new();
    if !remaining.is_empty() {
        failing.push((
            "NamespaceContentRemaining",
            "SomeResourcesRemain",
            format!("Some resources are remaining: {}", remaining.join(", ")),
        ));
    }
    if !by_finalizer.is_empty() {
        let mut list: Vec<String> =
            by_finalizer.iter().map(|(f, n)| format!("{f} in {n} resource instances")).collect();
        list.sort();
        failing.push((
            "NamespaceFinalizersRemaining",
            "SomeFinalizersRemain",
            format!("Some content in the namespace has finalizers remaining: {}", list.join(", ")),
        ));
    }
    update_conditions(w, ns, &failing);
    estimate
}

/// `namespaceConditionUpdater.Update` + `UpdateStatus`: each condition is its failing
/// variant (status True) or its ok one (False); a transition time moves with the status.
fn update_conditions(w: &mut World, ns: &str, failing: &[(&str, &str, String)]) {
    let now = w.now.time();
    let _ = w.store.modify(Kind::Namespace, "", ns, |o| {
        let Object::Namespace(n) = o else { return };
        let status = n.status.get_or_insert_with(Default::default);
        let conditions = status.conditions.get_or_insert_with(Vec::new);
        for (ty, ok_reason, ok_message) in CONDITIONS {
            let (st, reason, message) = match failing.iter().find(|f| f.0 == ty) {
                Some((_, r, m)) => ("True", r.to_string(), m.clone()),
                None => ("False", ok_reason.to_string(), ok_message.to_string()),
            };
            match conditions.iter_mut().find(|c| c.type_ == ty) {
                None => conditions.push(NamespaceCondition {
                    type_: ty.to_string(),
                    status: st.to_string(),
                    last_transition_time: Some(now.clone()),
                    reason: Some(reason),
                    message: Some(message),
                }),
                Some(c) => {
                    if c.status != st {
                        c.last_transition_time = Some(now.clone());
                    }
                    c.status = st.to_string();
                    c.reason = Some(reason);
                    c.message = Some(message);
                }
            }
        }
    });
}

/// `finalizeNamespace`: the `kubernetes` finalizer goes; with no finalizer left the API
/// server deletes the namespace.
fn finalize(w: &mut World, ns: &str) {
    let _ = w.store.modify(Kind::Namespace, "", ns, |o| {
        if let Object::Namespace(n) = o {
            if let Some(spec) = n.spec.as_mut() {
                if let Some(f) = spec.finalizers.as_mut() {
                    f.retain(|x| x != FINALIZER);
                }
            }
        }
    });
    let gone = w.store.get(Kind::Namespace, "", ns).is_some_and(|o| {
        let Object::Namespace(n) = o else { return false };
        n.spec.as_ref().and_then(|s| s.finalizers.as_ref()).is_none_or(|f| f.is_empty())
            && n.metadata.finalizers.as_ref().is_none_or(|f| f.is_empty())
    });
    if gone {
        let _ = w.store.delete(Kind::Namespace, "", ns);
    }
}
