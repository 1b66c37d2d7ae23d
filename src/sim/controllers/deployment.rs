//! The Deployment controller, ported from `pkg/controller/deployment` (v1.32): for each queued
//! Deployment it claims its ReplicaSets, finds or creates the new one (named
//! `<deployment>-<pod-template-hash>`), and moves pods from the old ReplicaSets to the new one —
//! RollingUpdate within maxSurge/maxUnavailable, Recreate by scaling the old ones to zero and
//! waiting for their pods to be gone — or, when paused or only scaled, resizes the
//! ReplicaSets proportionally. It keeps the revision annotations, cleans up beyond
//! revisionHistoryLimit, and writes status with the Available and Progressing conditions
//! (including ProgressDeadlineExceeded, checked again when the deadline falls due).
//!
//! Rollback (`kubectl rollout undo`) is done by kubectl in apps/v1, not here.

pub mod hash;
pub mod spew;
pub mod util;

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentStatus, ReplicaSet, ReplicaSetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use self::util::*;
use super::pods::{self, controller_ref, labels_of, selector_is_empty, selector_matches};
use crate::sim::api::WriteOptions;
use crate::sim::events::{meta_reference, EventType, Source};
use crate::sim::{Kind, ObjKey, Object, Tick, World};

/// The name the controller reports its events under.
pub const COMPONENT: &str = "deployment-controller";

pub fn reconcile(w: &mut World) {
    let now = w.now;
    for key in w.controllers.deployment.take(now) {
        sync_deployment(w, &key);
    }
}

fn get_deployment(w: &World, key: &ObjKey) -> Option<Dep> {
    match w.store.get(Kind::Deployment, &key.namespace, &key.name)? {
        Object::Deployment(d) => Some(Arc::clone(d)),
        _ => None,
    }
}

fn event(w: &mut World, d: &Deployment, t: EventType, reason: &str, msg: &str) {
    let reference = meta_reference(Kind::Deployment, &d.metadata, None);
    w.record_event(reference, t, reason, msg, Source::controller(COMPONENT));
}

/// `UpdateStatus`: writes the status and the annotations (the revision) the controller keeps
/// on the Deployment; `d` takes the stored resourceVersion.
fn update_status(w: &mut World, d: &mut Dep) {
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let name = d.metadata.name.clone().unwrap_or_default();
    let status = d.status.clone();
    let annotations = d.metadata.annotations.clone();
    let uid = d.metadata.uid.clone();
    // Compared with what is stored before writing, so the write needs no copy of the whole
    // Deployment to find out whether it changed anything.
    let differs = |o: &Object| {
        matches!(o, Object::Deployment(cur) if cur.metadata.uid == uid
            && (cur.status != status || cur.metadata.annotations != annotations))
    };
    if !w.store.get(Kind::Deployment, &ns, &name).is_some_and(differs) {
        return;
    }
    let _ = w.store.modify_changed(Kind::Deployment, &ns, &name, |o| {
        if let Object::Deployment(cur) = o {
            let cur = Arc::make_mut(cur);
            cur.status = status;
            cur.metadata.annotations = annotations;
        }
    });
}

/// Sets the Deployment's status and writes it. When `d` is still the stored Deployment itself
/// (shared, not yet changed here), the status is written where it is stored and `d` then
/// points at the result: setting it on `d` first would copy the whole Deployment, pod
/// template and all, only to copy the status again into the store.
fn write_status(w: &mut World, d: &mut Dep, status: DeploymentStatus) {
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let name = d.metadata.name.clone().unwrap_or_default();
    let stored = |w: &World| match w.store.get(Kind::Deployment, &ns, &name) {
        Some(Object::Deployment(cur)) => Some(cur.clone()),
        _ => None,
    };
    if !matches!(w.store.get(Kind::Deployment, &ns, &name), Some(Object::Deployment(cur)) if Arc::ptr_eq(cur, d)) {
        Arc::make_mut(d).status = Some(status);
        update_status(w, d);
        return;
    }
    // Let go of this pointer so that the store's is the only one and is written in place.
    *d = Arc::new(Deployment::default());
    let _ = w.store.modify_changed(Kind::Deployment, &ns, &name, |o| {
        if let Object::Deployment(cur) = o {
            Arc::make_mut(cur).status = Some(status);
        }
    });
    if let Some(cur) = stored(w) {
        *d = cur;
    }
}

/// `syncDeployment` for one key.
fn sync_deployment(w: &mut World, key: &ObjKey) {
    let Some(mut d) = get_deployment(w, key) else { return };
    let Some(spec) = d.spec.as_ref() else { return };
    let paused = spec.paused == Some(true);
    if selector_is_empty(&spec.selector) {
        event(
            w,
            &d,
            EventType::Warning,
            "SelectingAll",
            "This deployment is selecting all pods. A non-empty selector is required.",
        );
        let dm = Arc::make_mut(&mut d);
        let status = dm.status.get_or_insert_with(Default::default);
        if status.observed_generation.unwrap_or(0) < dm.metadata.generation.unwrap_or(0) {
            status.observed_generation = dm.metadata.generation;
            update_status(w, &mut d);
        }
        return;
    }
    let rs_list = claim_replica_sets(w, &d);
    if d.metadata.deletion_timestamp.is_some() {
        let (new_rs, old) = get_all_rss_and_sync_revision(w, &mut d, &rs_list, false);
        let all = with_new(&old, new_rs.as_ref());
        sync_deployment_status(w, &mut d, &all, new_rs.as_ref());
        return;
    }
    check_paused_conditions(w, &mut d);
    if paused {
        sync(w, &mut d, &rs_list);
        return;
    }
    if is_scaling_event(w, &mut d, &rs_list) {
        sync(w, &mut d, &rs_list);
        return;
    }
    if is_recreate(&d) {
        rollout_recreate(w, &mut d, &rs_list);
    } else {
        rollout_rolling(w, &mut d, &rs_list);
    }
}

fn with_new(old: &[Rs], new_rs: Option<&Rs>) -> Vec<Rs> {
    let mut all = old.to_vec();
    all.extend(new_rs.cloned());
    all
}

/// `getReplicaSetsForDeployment`: the ReplicaSets this Deployment controls and selects,
/// adopting matching orphans and releasing those it no longer selects.
fn claim_replica_sets(w: &mut World, d: &Dep) -> Vec<Rs> {
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let key = ObjKey::new(&ns, d.metadata.name.as_deref().unwrap_or(""));
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let deleting = d.metadata.deletion_timestamp.is_some();
    let selector = d.spec.as_ref().map(|s| &s.selector);
    let idx = &w.controllers.apps.replica_sets;
    let mut names = idx.owned_by(Kind::Deployment, &key);
    names.extend(idx.orphans(&ns));
    names.sort();
    names.dedup();
    let mut out = Vec::new();
    for name in names {
        let Some(Object::ReplicaSet(rs)) = w.store.get(Kind::ReplicaSet, &ns, &name) else { continue };
        let matches = selector_matches(selector, rs.metadata.labels.as_ref().unwrap_or(&BTreeMap::new()));
        match controller_ref(&rs.metadata) {
            Some(r) if r.uid == uid => {
                if matches {
                    out.push(Arc::clone(rs));
                } else if !deleting {
                    let _ = w.store.modify(Kind::ReplicaSet, &ns, &name, |o| {
                        if let Some(refs) = o.meta_mut().owner_references.as_mut() {
                            refs.retain(|r| r.uid != uid);
                        }
                        if o.meta().owner_references.as_ref().is_some_and(|r| r.is_empty()) {
                            o.meta_mut().owner_references = None;
                        }
                    });
                }
            }
            Some(_) => {}
            None => {
                if matches && !deleting && rs.metadata.deletion_timestamp.is_none() {
                    let reference = pods::new_controller_ref(&Object::Deployment(Arc::clone(d)));
                    let _ = w.store.modify(Kind::ReplicaSet, &ns, &name, |o| {
                        o.meta_mut().owner_references.get_or_insert_with(Vec::new).push(reference);
                    });
                    if let Some(Object::ReplicaSet(rs)) = w.store.get(Kind::ReplicaSet, &ns, &name) {
                        out.push(Arc::clone(rs));
                    }
                }
            }
        }
    }
    out
}

/// `checkPausedConditions`: Progressing becomes Unknown/DeploymentPaused on pause and
/// Unknown/DeploymentResumed on resume, so a long pause never counts as lack of progress.
fn check_paused_conditions(w: &mut World, d: &mut Dep) {
    if !has_progress_deadline(d) {
        return;
    }
    let now = w.now;
    let status = d.status.clone().unwrap_or_default();
    let cond = get_condition(&status, "Progressing");
    if cond.is_some_and(|c| c.reason.as_deref() == Some(TIMED_OUT_REASON)) {
        return;
    }
    let paused_cond = cond.is_some_and(|c| c.reason.as_deref() == Some(PAUSED_REASON));
    let paused = d.spec.as_ref().and_then(|s| s.paused) == Some(true);
    let c = if paused && !paused_cond {
        new_condition("Progressing", "Unknown", PAUSED_REASON, "Deployment is paused", now)
    } else if !paused && paused_cond {
        new_condition("Progressing", "Unknown", RESUMED_REASON, "Deployment is resumed", now)
    } else {
        return;
    };
    set_condition(Arc::make_mut(d).status.get_or_insert_with(Default::default), c);
    update_status(w, d);
}

/// `getAllReplicaSetsAndSyncRevision`: the new ReplicaSet (created if asked and missing)
/// and all the old ones.
fn get_all_rss_and_sync_revision(w: &mut World, d: &mut Dep, rs_list: &[Rs], create: bool) -> (Option<Rs>, Vec<Rs>) {
    let existing = find_new_rs(d, rs_list);
    let old = old_rss(rs_list, existing.as_ref());
    let new_rs = get_new_rs(w, d, existing, &old, create);
    (new_rs, old)
}

/// `getNewReplicaSet`, given what `FindNewReplicaSet` found.
fn get_new_rs(w: &mut World, d: &mut Dep, existing: Option<Rs>, old: &[Rs], create: bool) -> Option<Rs> {
    let now = w.now;
    let new_revision = max_revision(old) + 1;
    if let Some(existing) = existing {
        // `SetNewReplicaSetAnnotations` on a copy (an existing ReplicaSet's annotations are
        // all it may change): the ReplicaSet itself is copied only if they did change.
        let mut rs = Arc::clone(&existing);
        let mut annotations_updated = false;
        if util::revision_annotations_need_update(d, existing.metadata.annotations.as_ref(), new_revision) {
            let mut annotations = existing.metadata.annotations.clone();
            annotations_updated =
                set_revision_annotations(d, annotations.get_or_insert_with(BTreeMap::new), new_revision) == Some(true);
            if annotations != existing.metadata.annotations {
                Arc::make_mut(&mut rs).metadata.annotations = annotations;
            }
        }
        let d_min_ready = d.spec.as_ref().and_then(|s| s.min_ready_seconds);
        let min_ready = rs.spec.as_ref().and_then(|s| s.min_ready_seconds);
        let min_ready_changed = min_ready.unwrap_or(0) != d_min_ready.unwrap_or(0);
        if annotations_updated || min_ready_changed {
            Arc::make_mut(&mut rs).spec.get_or_insert_with(Default::default).min_ready_seconds = d_min_ready;
            return match w.api_update(Object::ReplicaSet(rs), WriteOptions::default()) {
                Ok(Object::ReplicaSet(updated)) => Some(updated),
                _ => Some(existing),
            };
        }
        let rev = rs.metadata.annotations.as_ref().and_then(|a| a.get(REVISION_ANNOTATION)).cloned();
        let mut needs_update = set_deployment_revision(d, rev.as_deref().unwrap_or(""));
        let deadline = has_progress_deadline(d);
        if d.status.is_none() {
            Arc::make_mut(d).status = Some(Default::default());
        }
        // Read first: the Deployment is copied only if the condition must be added.
        if deadline && d.status.as_ref().is_some_and(|s| get_condition(s, "Progressing").is_none()) {
            let msg = format!("Found new replica set {:?}", rs.metadata.name.as_deref().unwrap_or(""));
            let status = Arc::make_mut(d).status.get_or_insert_with(Default::default);
            set_condition(status, new_condition("Progressing", "True", FOUND_NEW_RS_REASON, &msg, now));
            needs_update = true;
        }
        if needs_update {
            update_status(w, d);
        }
        return Some(rs);
    }
    if !create {
        return None;
    }
    // A new ReplicaSet: the template with the pod-template-hash label, named after it.
    let spec = d.spec.clone()?;
    let collision = d.status.as_ref().and_then(|s| s.collision_count);
    let template_hash = hash::compute_hash(&spec.template, collision);
    let mut template = spec.template.clone();
    template
        .metadata
        .get_or_insert_with(Default::default)
        .labels
        .get_or_insert_with(BTreeMap::new)
        .insert(POD_TEMPLATE_HASH.into(), template_hash.clone());
    let mut selector: LabelSelector = spec.selector.clone();
    selector.match_labels.get_or_insert_with(BTreeMap::new).insert(POD_TEMPLATE_HASH.into(), template_hash.clone());
    let name = format!("{}-{}", d.metadata.name.as_deref().unwrap_or(""), template_hash);
    let new_rs = ReplicaSet {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: d.metadata.namespace.clone(),
            owner_references: Some(vec![pods::new_controller_ref(&Object::Deployment(Arc::clone(d)))]),
            labels: template.metadata.as_ref().and_then(|m| m.labels.clone()),
            ..Default::default()
        },
        spec: Some(ReplicaSetSpec {
            replicas: Some(0),
            min_ready_seconds: spec.min_ready_seconds,
            selector,
            template: Some(template),
        }),
        status: None,
    };
    let mut new_rs = Arc::new(new_rs);
    let all = with_new(old, Some(&new_rs));
    let new_replicas = new_rs_new_replicas(d, &all, &new_rs);
    drop(all);
    let new_rs_mut = Arc::make_mut(&mut new_rs);
    if let Some(s) = new_rs_mut.spec.as_mut() {
        s.replicas = Some(new_replicas);
    }
    set_new_rs_annotations(d, new_rs_mut, new_revision, false);
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let mut already_exists = false;
    let created = match w.api_create(Object::ReplicaSet(new_rs), WriteOptions::default()) {
        Ok(Object::ReplicaSet(rs)) => rs,
        Ok(_) => return None,
        Err(e) if e.code == 409 => {
            already_exists = true;
            let Some(Object::ReplicaSet(rs)) = w.store.get(Kind::ReplicaSet, &ns, &name).cloned() else { return None };
            let ours = controller_ref(&rs.metadata).is_some_and(|r| Some(&r.uid) == d.metadata.uid.as_ref());
            let same = rs
                .spec
                .as_ref()
                .and_then(|s| s.template.as_ref())
                .is_some_and(|t| equal_ignore_hash(t, &spec.template));
            if !(ours && same) {
                // A hash collision: bump collisionCount and try again with a new hash.
                let status = Arc::make_mut(d).status.get_or_insert_with(Default::default);
                status.collision_count = Some(status.collision_count.unwrap_or(0) + 1);
                update_status(w, d);
                return None;
            }
            rs
        }
        Err(e) => {
            let msg = format!("Failed to create new replica set {name:?}: {}", e.message);
            if has_progress_deadline(d) {
                set_condition(
                    Arc::make_mut(d).status.get_or_insert_with(Default::default),
                    new_condition("Progressing", "False", FAILED_RS_CREATE_REASON, &msg, now),
                );
                update_status(w, d);
            }
            event(w, d, EventType::Warning, FAILED_RS_CREATE_REASON, &msg);
            return None;
        }
    };
    if !already_exists && new_replicas > 0 {
        event(
            w,
            d,
            EventType::Normal,
            "ScalingReplicaSet",
            &format!(
                "Scaled up replica set {} from 0 to {new_replicas}",
                created.metadata.name.as_deref().unwrap_or("")
            ),
        );
    }
    let mut needs_update = set_deployment_revision(d, &new_revision.to_string());
    if !already_exists && has_progress_deadline(d) {
        let msg = format!("Created new replica set {:?}", created.metadata.name.as_deref().unwrap_or(""));
        set_condition(
            Arc::make_mut(d).status.get_or_insert_with(Default::default),
            new_condition("Progressing", "True", NEW_RS_REASON, &msg, now),
        );
        needs_update = true;
    }
    if needs_update {
        update_status(w, d);
    }
    Some(created)
}

/// `isScalingEvent`: an active ReplicaSet was sized for another replica count.
fn is_scaling_event(w: &mut World, d: &mut Dep, rs_list: &[Rs]) -> bool {
    let (new_rs, old) = get_all_rss_and_sync_revision(w, d, rs_list, false);
    let all = with_new(&old, new_rs.as_ref());
    active(&all).iter().any(|rs| desired_replicas_annotation(rs).is_some_and(|v| v != replicas(d)))
}

/// `sync`: resizing when paused or scaled, without rolling anything out.
fn sync(w: &mut World, d: &mut Dep, rs_list: &[Rs]) {
    let (new_rs, old) = get_all_rss_and_sync_revision(w, d, rs_list, false);
    scale(w, d, new_rs.as_ref(), &old);
    if d.spec.as_ref().and_then(|s| s.paused) == Some(true) {
        cleanup_deployment(w, d, &old);
    }
    let all = with_new(&old, new_rs.as_ref());
    sync_deployment_status(w, d, &all, new_rs.as_ref());
}

/// `scale`: proportional scaling of the active ReplicaSets when the replica count changes
/// in the middle of a rollout (or while paused).
fn scale(w: &mut World, d: &Deployment, new_rs: Option<&Rs>, old: &[Rs]) {
    let r = replicas(d);
    if let Some(rs) = find_active_or_latest(new_rs, old) {
        if rs_replicas(&rs) != r {
            scale_rs_and_record_event(w, &rs, r, d);
        }
        return;
    }
    if is_saturated(d, new_rs) {
        for rs in active(old) {
            scale_rs_and_record_event(w, &rs, 0, d);
        }
        return;
    }
    if !is_rolling_update(d) {
        return;
    }
    let mut all = active(&with_new(old, new_rs));
    let all_replicas = spec_replicas_sum(&all);
    let allowed = if r > 0 { r + max_surge(d) } else { 0 };
    let to_add = allowed - all_replicas;
    if to_add > 0 {
        sort_by_size_newer(&mut all);
    } else if to_add < 0 {
        sort_by_size_older(&mut all);
    }
    let mut added = 0;
    let mut sizes: Vec<i32> = Vec::new();
    for rs in &all {
        if to_add != 0 {
            let p = proportion(rs, d, to_add, added);
            sizes.push(rs_replicas(rs) + p);
            added += p;
        } else {
            sizes.push(rs_replicas(rs));
        }
    }
    for (i, rs) in all.iter().enumerate() {
        if i == 0 && to_add != 0 {
            sizes[0] = (sizes[0] + to_add - added).max(0);
        }
        scale_rs(w, rs, sizes[i], d);
    }
}

/// `scaleReplicaSetAndRecordEvent`: true if the size changed.
fn scale_rs_and_record_event(w: &mut World, rs: &Rs, new_scale: i32, d: &Deployment) -> (bool, Rs) {
    if rs_replicas(rs) == new_scale {
        return (false, rs.clone());
    }
    scale_rs(w, rs, new_scale, d)
}

/// `scaleReplicaSet`: sets spec.replicas and the replicas annotations, and records
/// `Scaled up replica set web-7c5ddbdf54 from 1 to 3`.
fn scale_rs(w: &mut World, rs: &Rs, new_scale: i32, d: &Deployment) -> (bool, Rs) {
    let old_scale = rs_replicas(rs);
    let size_changed = old_scale != new_scale;
    let (desired, max) = (replicas(d), replicas(d) + max_surge(d));
    if !size_changed && !replicas_annotations_need_update(rs, desired, max) {
        return (false, rs.clone());
    }
    let mut copy = ReplicaSet::clone(rs);
    copy.spec.get_or_insert_with(Default::default).replicas = Some(new_scale);
    set_replicas_annotations(&mut copy, desired, max);
    match w.api_update(Object::ReplicaSet(Arc::new(copy)), WriteOptions::default()) {
        Ok(Object::ReplicaSet(updated)) => {
            if size_changed {
                let op = if old_scale < new_scale { "up" } else { "down" };
                let msg = format!(
                    "Scaled {op} replica set {} from {old_scale} to {new_scale}",
                    updated.metadata.name.as_deref().unwrap_or("")
                );
                event(w, d, EventType::Normal, "ScalingReplicaSet", &msg);
            }
            (size_changed, updated)
        }
        _ => (false, rs.clone()),
    }
}

/// `cleanupDeployment`: deletes the oldest old ReplicaSets beyond revisionHistoryLimit that
/// are scaled to zero and settled.
fn cleanup_deployment(w: &mut World, d: &Deployment, old: &[Rs]) {
    let Some(limit) = d.spec.as_ref().and_then(|s| s.revision_history_limit) else { return };
    let mut cleanable: Vec<Rs> = old.iter().filter(|rs| rs.metadata.deletion_timestamp.is_none()).cloned().collect();
    let diff = cleanable.len() as i32 - limit;
    if diff <= 0 {
        return;
    }
    sort_by_revision(&mut cleanable);
    for rs in cleanable.iter().take(diff as usize) {
        let observed = rs.status.as_ref().and_then(|s| s.observed_generation).unwrap_or(0);
        if rs_status_replicas(rs) != 0 || rs_replicas(rs) != 0 || rs.metadata.generation.unwrap_or(0) > observed {
            continue;
        }
        let ns = rs.metadata.namespace.clone().unwrap_or_default();
        let name = rs.metadata.name.clone().unwrap_or_default();
        if w.api_delete(Kind::ReplicaSet, &ns, &name, None, WriteOptions::default()).is_err() {
            return;
        }
    }
}

/// `calculateStatus`: counts from the ReplicaSets and the Available condition.
fn calculate_status(d: &Deployment, all: &[Rs], new_rs: Option<&Rs>, now: Tick) -> DeploymentStatus {
    let available = available_sum(all);
    let total = spec_replicas_sum(all);
    let unavailable = (total - available).max(0);
    let opt = |n: i32| if n == 0 { None } else { Some(n) };
    let prev = d.status.as_ref();
    let mut status = DeploymentStatus {
        observed_generation: d.metadata.generation,
        replicas: opt(actual_replicas_sum(all)),
        updated_replicas: opt(new_rs.map_or(0, |r| rs_status_replicas(r))),
        ready_replicas: opt(ready_sum(all)),
        available_replicas: opt(available),
        unavailable_replicas: opt(unavailable),
        collision_count: prev.and_then(|p| p.collision_count),
        conditions: prev.and_then(|p| p.conditions.clone()),
    };
    if available >= replicas(d) - max_unavailable(d) {
        set_condition(
            &mut status,
            new_condition("Available", "True", MIN_AVAILABLE_REASON, "Deployment has minimum availability.", now),
        );
    } else {
        set_condition(
            &mut status,
            new_condition(
                "Available",
                "False",
                MIN_UNAVAILABLE_REASON,
                "Deployment does not have minimum availability.",
                now,
            ),
        );
    }
    status
}

/// `syncDeploymentStatus`: writes the calculated status if it changed.
fn sync_deployment_status(w: &mut World, d: &mut Dep, all: &[Rs], new_rs: Option<&Rs>) {
    let status = calculate_status(d, all, new_rs, w.now);
    if d.status.as_ref() == Some(&status) {
        return;
    }
    write_status(w, d, status);
}

/// `syncRolloutStatus`: the status with the Progressing condition — progressing, complete
/// (NewReplicaSetAvailable) or timed out (ProgressDeadlineExceeded) — and the ReplicaSets'
/// ReplicaFailure. When nothing changed, the Deployment is looked at again when its
/// progress deadline falls due.
fn sync_rollout_status(w: &mut World, d: &mut Dep, all: &[Rs], new_rs: Option<&Rs>) {
    let now = w.now;
    let mut status = calculate_status(d, all, new_rs, now);
    if !has_progress_deadline(d) {
        remove_condition(&mut status, "Progressing");
    }
    let prev = d.status.clone().unwrap_or_default();
    let current = get_condition(&prev, "Progressing").cloned();
    let complete_already = status.replicas == status.updated_replicas
        && current.as_ref().is_some_and(|c| c.reason.as_deref() == Some(NEW_RS_AVAILABLE_REASON));
    let name_msg = |what: &str| match new_rs {
        Some(rs) => format!("ReplicaSet {:?} {what}", rs.metadata.name.as_deref().unwrap_or("")),
        None => format!("Deployment {:?} {what}", d.metadata.name.as_deref().unwrap_or("")),
    };
    if has_progress_deadline(d) && !complete_already {
        if deployment_complete(d, &status) {
            let msg = name_msg("has successfully progressed.");
            set_condition(&mut status, new_condition("Progressing", "True", NEW_RS_AVAILABLE_REASON, &msg, now));
        } else if deployment_progressing(d, &status) {
            let msg = name_msg("is progressing.");
            let mut c = new_condition("Progressing", "True", RS_UPDATED_REASON, &msg, now);
            if let Some(cur) = &current {
                if cur.status == "True" {
                    c.last_transition_time = cur.last_transition_time.clone();
                }
                remove_condition(&mut status, "Progressing");
            }
            set_condition(&mut status, c);
        } else if deployment_timed_out(d, &status, now) {
            let msg = name_msg("has timed out progressing.");
            set_condition(&mut status, new_condition("Progressing", "False", TIMED_OUT_REASON, &msg, now));
        }
    }
    // The ReplicaSets' ReplicaFailure condition, moved onto the Deployment.
    let failure = new_rs
        .into_iter()
        .chain(all.iter())
        .find_map(|rs| rs.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == "ReplicaFailure").cloned());
    match failure {
        Some(f) => set_condition(
            &mut status,
            k8s_openapi::api::apps::v1::DeploymentCondition {
                type_: "ReplicaFailure".into(),
                status: f.status,
                reason: f.reason,
                message: f.message,
                last_update_time: f.last_transition_time.clone(),
                last_transition_time: f.last_transition_time,
            },
        ),
        None => remove_condition(&mut status, "ReplicaFailure"),
    }
    if d.status.as_ref() == Some(&status) {
        requeue_stuck_deployment(w, d, &status);
        return;
    }
    write_status(w, d, status);
}

/// `requeueStuckDeployment`: look again just after the progress deadline passes.
fn requeue_stuck_deployment(w: &mut World, d: &Deployment, status: &DeploymentStatus) {
    let prev = d.status.clone().unwrap_or_default();
    let Some(c) = get_condition(&prev, "Progressing") else { return };
    if !has_progress_deadline(d) || deployment_complete(d, status) || c.reason.as_deref() == Some(TIMED_OUT_REASON) {
        return;
    }
    let from = c.last_update_time.as_ref().map(crate::sim::clock::tick_of).unwrap_or_default();
    let at = from.plus_s(progress_deadline_s(d) as u64 + 1);
    let key = ObjKey::new(d.metadata.namespace.as_deref().unwrap_or(""), d.metadata.name.as_deref().unwrap_or(""));
    let now = w.now;
    w.controllers.deployment.add_at(key, at.max(now.plus_s(1)), now);
}

/// `rolloutRolling`.
fn rollout_rolling(w: &mut World, d: &mut Dep, rs_list: &[Rs]) {
    let (new_rs, old) = get_all_rss_and_sync_revision(w, d, rs_list, true);
    let Some(new_rs) = new_rs else { return };
    let all = with_new(&old, Some(&new_rs));
    if reconcile_new_rs(w, d, &all, &new_rs) {
        sync_rollout_status(w, d, &all, Some(&new_rs));
        return;
    }
    if reconcile_old_rss(w, d, &all, &active(&old), &new_rs) {
        sync_rollout_status(w, d, &all, Some(&new_rs));
        return;
    }
    if deployment_complete(d, d.status.as_ref().unwrap_or(&DeploymentStatus::default())) {
        cleanup_deployment(w, d, &old);
    }
    sync_rollout_status(w, d, &all, Some(&new_rs));
}

/// `reconcileNewReplicaSet`: scales the new ReplicaSet up as far as maxSurge allows (or
/// down to replicas).
fn reconcile_new_rs(w: &mut World, d: &Deployment, all: &[Rs], new_rs: &Rs) -> bool {
    let r = replicas(d);
    let cur = rs_replicas(new_rs);
    if cur == r {
        return false;
    }
    if cur > r {
        return scale_rs_and_record_event(w, new_rs, r, d).0;
    }
    let count = new_rs_new_replicas(d, all, new_rs);
    scale_rs_and_record_event(w, new_rs, count, d).0
}

/// `reconcileOldReplicaSets`: scales old ReplicaSets down as far as maxUnavailable allows,
/// their unhealthy replicas first.
fn reconcile_old_rss(w: &mut World, d: &Deployment, all: &[Rs], old: &[Rs], new_rs: &Rs) -> bool {
    let old_pods = spec_replicas_sum(old);
    if old_pods == 0 {
        return false;
    }
    let all_pods = spec_replicas_sum(all);
    let min_available = replicas(d) - max_unavailable(d);
    let new_unavailable = rs_replicas(new_rs) - rs_available(new_rs);
    let max_scaled_down = all_pods - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return false;
    }
    let (old, cleaned) = cleanup_unhealthy_replicas(w, d, old, max_scaled_down);
    let all = with_new(&old, Some(new_rs));
    let scaled = scale_down_old_rss_for_rolling_update(w, d, &all, &old);
    cleaned + scaled > 0
}

/// `cleanupUnhealthyReplicas`.
fn cleanup_unhealthy_replicas(w: &mut World, d: &Deployment, old: &[Rs], max_cleanup: i32) -> (Vec<Rs>, i32) {
    let mut old = old.to_vec();
    sort_by_creation(&mut old);
    let mut total = 0;
    for rs in old.iter_mut() {
        if total >= max_cleanup {
            break;
        }
        let cur = rs_replicas(rs);
        if cur == 0 || cur == rs_available(rs) {
            continue;
        }
        let down = (max_cleanup - total).min(cur - rs_available(rs));
        let (_, updated) = scale_rs_and_record_event(w, rs, cur - down, d);
        *rs = updated;
        total += down;
    }
    (old, total)
}

/// `scaleDownOldReplicaSetsForRollingUpdate`: removes available old pods beyond
/// replicas - maxUnavailable, oldest ReplicaSets first.
fn scale_down_old_rss_for_rolling_update(w: &mut World, d: &Deployment, all: &[Rs], old: &[Rs]) -> i32 {
    let min_available = replicas(d) - max_unavailable(d);
    let available = available_sum(all);
    if available <= min_available {
        return 0;
    }
    let mut old = old.to_vec();
    sort_by_creation(&mut old);
    let to_scale_down = available - min_available;
    let mut total = 0;
    for rs in &old {
        if total >= to_scale_down {
            break;
        }
        let cur = rs_replicas(rs);
        if cur == 0 {
            continue;
        }
        let down = cur.min(to_scale_down - total);
        scale_rs_and_record_event(w, rs, cur - down, d);
        total += down;
    }
    total
}

/// `rolloutRecreate`: old ReplicaSets to zero; once none of their pods is left (running or
/// terminating), the new ReplicaSet is created and scaled up.
fn rollout_recreate(w: &mut World, d: &mut Dep, rs_list: &[Rs]) {
    let (mut new_rs, mut old) = get_all_rss_and_sync_revision(w, d, rs_list, false);
    let mut all = with_new(&old, new_rs.as_ref());
    let mut scaled_down = false;
    for rs in active(&old) {
        if rs_replicas(&rs) == 0 {
            continue;
        }
        if scale_rs_and_record_event(w, &rs, 0, d).0 {
            scaled_down = true;
        }
    }
    if scaled_down {
        sync_rollout_status(w, d, &all, new_rs.as_ref());
        return;
    }
    if old_pods_running(w, d, new_rs.as_ref(), &old) {
        sync_rollout_status(w, d, &all, new_rs.as_ref());
        return;
    }
    if new_rs.is_none() {
        let (n, o) = get_all_rss_and_sync_revision(w, d, rs_list, true);
        new_rs = n;
        old = o;
        all = with_new(&old, new_rs.as_ref());
    }
    if let Some(rs) = &new_rs {
        scale_rs_and_record_event(w, rs, replicas(d), d);
    }
    if deployment_complete(d, d.status.as_ref().unwrap_or(&DeploymentStatus::default())) {
        cleanup_deployment(w, d, &old);
    }
    sync_rollout_status(w, d, &all, new_rs.as_ref());
}

/// `oldPodsRunning`: an old ReplicaSet still reports pods, or a pod of one (selected by the
/// Deployment, terminating or not) has not finished.
fn old_pods_running(w: &World, d: &Deployment, new_rs: Option<&Rs>, old: &[Rs]) -> bool {
    if actual_replicas_sum(old) > 0 {
        return true;
    }
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let selector = d.spec.as_ref().map(|s| &s.selector);
    for rs in old {
        if new_rs.is_some_and(|n| n.metadata.uid == rs.metadata.uid) {
            continue;
        }
        let rs_key = ObjKey::new(&ns, rs.metadata.name.as_deref().unwrap_or(""));
        for name in w.controllers.apps.pods.owned_by(Kind::ReplicaSet, &rs_key) {
            let Some(p) = w.store.get(Kind::Pod, &ns, &name).and_then(|o| o.as_pod()) else { continue };
            if !selector_matches(selector, &labels_of(&p.metadata)) {
                continue;
            }
            if !pods::is_controlled_by(&p.metadata, Kind::ReplicaSet, rs.metadata.uid.as_deref().unwrap_or("")) {
                continue;
            }
            if !matches!(pods::phase(p), "Succeeded" | "Failed") {
                return true;
            }
        }
    }
    false
}
