//! The garbage collector: objects whose owner (by ownerReferences uid) is gone are deleted —
//! background cascading deletion, as `kubectl delete deployment web` relies on.

use std::collections::BTreeSet;

use crate::sim::api::WriteOptions;
use crate::sim::{Kind, World};

pub fn reconcile(w: &mut World) {
    let mut uids: BTreeSet<String> = BTreeSet::new();
    let mut owned: Vec<(Kind, String, String, Vec<String>)> = Vec::new();
    for kind in Kind::ALL.iter().copied() {
        if kind == Kind::Event {
            continue;
        }
        for o in w.store.list(kind, None) {
            let m = o.meta();
            if let Some(uid) = &m.uid {
                uids.insert(uid.clone());
            }
            if let Some(refs) = &m.owner_references {
                if !refs.is_empty() {
                    owned.push((
                        kind,
                        o.namespace().to_string(),
                        o.name().to_string(),
                        refs.iter().map(|r| r.uid.clone()).collect(),
                    ));
                }
            }
        }
    }
    for (kind, ns, name, owners) in owned {
        // Deleted only when every owner is gone (an object may have several owners).
        if owners.iter().all(|u| !uids.contains(u)) {
            let _ = w.api_delete(kind, &ns, &name, None, WriteOptions::default());
        }
    }
}
