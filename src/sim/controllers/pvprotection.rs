//! The pvc-protection and pv-protection controllers: a claim marked for deletion keeps its
//! `kubernetes.io/pvc-protection` finalizer (and stays `Terminating`) while a scheduled pod
//! uses it; a volume keeps `kubernetes.io/pv-protection` while it is Bound.

use crate::sim::storage::{self, PVC_PROTECTION, PV_PROTECTION};
use crate::sim::{Kind, World};

fn has(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, f: &str) -> bool {
    meta.finalizers.as_ref().is_some_and(|l| l.iter().any(|x| x == f))
}

/// Whether a pod bound to a node refers to the claim (`podUsesPVC`).
fn in_use(w: &World, ns: &str, claim: &str) -> bool {
    w.store.list(Kind::Pod, Some(ns)).into_iter().filter_map(|o| o.as_pod()).any(|p| {
        p.spec.as_ref().is_some_and(|s| {
            s.node_name.is_some()
                && s.volumes
                    .iter()
                    .flatten()
                    .any(|v| v.persistent_volume_claim.as_ref().is_some_and(|c| c.claim_name == claim))
        })
    })
}

pub fn reconcile(w: &mut World) {
    let claims: Vec<(String, String)> = w
        .store
        .list(Kind::PersistentVolumeClaim, None)
        .into_iter()
        .filter(|o| o.meta().deletion_timestamp.is_some() && has(o.meta(), PVC_PROTECTION))
        .map(|o| (o.namespace().to_string(), o.name().to_string()))
        .collect();
    for (ns, name) in claims {
        if !in_use(w, &ns, &name) {
            w.remove_finalizer(Kind::PersistentVolumeClaim, &ns, &name, PVC_PROTECTION);
        }
    }
    let volumes: Vec<String> = storage::volumes(&w.store)
        .into_iter()
        .filter(|pv| {
            pv.metadata.deletion_timestamp.is_some()
                && has(&pv.metadata, PV_PROTECTION)
                && pv.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Bound")
        })
        .map(|pv| pv.metadata.name.clone().unwrap_or_default())
        .collect();
    for name in volumes {
        w.remove_finalizer(Kind::PersistentVolume, "", &name, PV_PROTECTION);
    }
}
