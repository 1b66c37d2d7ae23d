//! The resource quota controller (`pkg/controller/resourcequota`): keeps each ResourceQuota's
//! `status.hard` (its spec) and `status.used` (what the namespace's objects use, by the
//! evaluators of `sim::api::admission::quota`) up to date. A quota is recalculated in the tick
//! after anything in its namespace changes — the replenishment that frees quota when a pod
//! is deleted or finishes.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{ResourceQuota, ResourceQuotaStatus};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::sim::api::admission::quota::{add, quota_matches, usage, Amount, Usage};
use crate::sim::quantity::canonical;
use crate::sim::{Kind, Object, World};

/// The controller's cursor over the store's changes.
#[derive(Clone, Debug, Default)]
pub struct State {
    resource_version: u64,
}

/// Recalculates one quota's status from the objects of its namespace.
pub fn sync_quota(w: &mut World, namespace: &str, name: &str) {
    let Some(Object::ResourceQuota(q)) = w.store.get(Kind::ResourceQuota, namespace, name).cloned() else {
        return;
    };
    let status = compute(w, &q);
    if q.status.as_ref() != Some(&status) {
        let _ = w.store.modify(Kind::ResourceQuota, namespace, name, |o| {
            if let Object::ResourceQuota(q) = o {
                q.status = Some(status.clone());
            }
        });
    }
}

fn compute(w: &World, q: &ResourceQuota) -> ResourceQuotaStatus {
    let ns = q.metadata.namespace.as_deref().unwrap_or("");
    let hard: BTreeMap<String, Quantity> = q
        .spec
        .as_ref()
        .and_then(|s| s.hard.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, Quantity(canonical(&v.0))))
        .collect();
    // Only the kinds a hard resource can count are listed.
    let mut kinds: BTreeSet<Kind> = BTreeSet::new();
    for k in hard.keys() {
        match k.as_str() {
            "pods" | "cpu" | "memory" | "ephemeral-storage" => {
                kinds.insert(Kind::Pod);
            }
            "services" | "services.nodeports" | "services.loadbalancers" => {
                kinds.insert(Kind::Service);
            }
            "configmaps" => {
                kinds.insert(Kind::ConfigMap);
            }
            "secrets" => {
                kinds.insert(Kind::Secret);
            }
            "resourcequotas" => {
                kinds.insert(Kind::ResourceQuota);
            }
            "persistentvolumeclaims" => {
                kinds.insert(Kind::PersistentVolumeClaim);
            }
            r if r.starts_with("requests.") || r.starts_with("limits.") || r.starts_with("hugepages-") => {
                if r == "requests.storage" || r.contains(".storageclass.") {
                    kinds.insert(Kind::PersistentVolumeClaim);
                } else {
                    kinds.insert(Kind::Pod);
                }
            }
            r if r.contains(".storageclass.storage.k8s.io/") => {
                kinds.insert(Kind::PersistentVolumeClaim);
            }
            r => {
                if let Some(res) = r.strip_prefix("count/") {
                    if let Some(k) = Kind::ALL.iter().copied().find(|k| k.namespaced() && k.qualified_plural() == res) {
                        kinds.insert(k);
                    }
                }
            }
        }
    }
    let mut used = Usage::new();
    for kind in kinds {
        for o in w.store.list(kind, Some(ns)) {
            if quota_matches(q, o) {
                let u: Usage = usage(w, o).into_iter().filter(|(k, _)| hard.contains_key(k)).collect();
                add(&mut used, &u);
            }
        }
    }
    ResourceQuotaStatus {
        used: Some(
            hard.keys().map(|k| (k.clone(), Quantity(used.get(k).copied().unwrap_or(Amount::zero()).text()))).collect(),
        ),
        hard: Some(hard),
    }
}

/// Recalculates the quotas of every namespace where something changed since the last run.
pub fn reconcile(w: &mut World) {
    let from = w.controllers.quota.resource_version;
    let to = w.store.resource_version();
    if from == to {
        return;
    }
    w.controllers.quota.resource_version = to;
    // Most clusters have no quota: then there is nothing to look at.
    if w.store.count(Kind::ResourceQuota) == 0 {
        return;
    }
    let mut namespaces: BTreeSet<String> = BTreeSet::new();
    match w.store.watch(from) {
        Some(events) => {
            for e in events {
                if e.kind != Kind::Event && !e.key.namespace.is_empty() {
                    namespaces.insert(e.key.namespace.clone());
                }
            }
        }
        None => {
            for o in w.store.list(Kind::ResourceQuota, None) {
                namespaces.insert(o.namespace().to_string());
            }
        }
    }
    for ns in namespaces {
        let names: Vec<String> =
            w.store.list(Kind::ResourceQuota, Some(&ns)).iter().map(|o| o.name().to_string()).collect();
        for name in names {
            sync_quota(w, &ns, &name);
        }
    }
}
