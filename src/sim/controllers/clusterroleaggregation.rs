//! The clusterrole-aggregation controller: a ClusterRole with an `aggregationRule` (admin,
//! edit, view, or a learner's own) gets as its rules the rules of every ClusterRole its label
//! selectors match. It wakes only when a ClusterRole changed, and writes only roles whose
//! aggregated rules differ from what they hold.

use k8s_openapi::api::rbac::v1::ClusterRole;

use super::informer::Cursor;
use crate::sim::api::rbac::aggregated_rules;
use crate::sim::{Kind, Object, World};

/// The controller's informer position.
#[derive(Clone, Debug, Default)]
pub struct State {
    cursor: Cursor,
}

pub fn reconcile(w: &mut World) {
    let changed = match w.controllers.clusterrole_aggregation.cursor.drain_of(&w.store, &[Kind::ClusterRole]) {
        Some(events) => !events.is_empty(),
        None => true,
    };
    if !changed {
        return;
    }
    // Roles aggregating roles that aggregate (admin ⊇ edit ⊇ view) settle in a few passes.
    for _ in 0..4 {
        let roles: Vec<ClusterRole> = w
            .store
            .list(Kind::ClusterRole, None)
            .into_iter()
            .filter_map(|o| match o {
                Object::ClusterRole(r) => Some((**r).clone()),
                _ => None,
            })
            .collect();
        let all: Vec<&ClusterRole> = roles.iter().collect();
        let mut wrote = false;
        for r in &roles {
            let Some(rules) = aggregated_rules(r, &all) else { continue };
            if r.rules.as_ref() == Some(&rules) || (r.rules.is_none() && rules.is_empty()) {
                continue;
            }
            let name = r.metadata.name.clone().unwrap_or_default();
            let _ = w.store.modify(Kind::ClusterRole, "", &name, |o| {
                if let Object::ClusterRole(c) = o {
                    c.rules = Some(rules);
                }
            });
            wrote = true;
        }
        if !wrote {
            break;
        }
    }
    // Our own writes are ClusterRole changes too: step past them.
    let _ = w.controllers.clusterrole_aggregation.cursor.drain_of(&w.store, &[Kind::ClusterRole]);
}
