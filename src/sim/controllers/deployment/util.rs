//! `pkg/controller/deployment/util/deployment_util.go` (v1.32): revisions and the annotations
//! a Deployment stamps on its ReplicaSets, maxSurge/maxUnavailable resolution, the conditions
//! and the progress predicates. Pure functions over the API types.

use std::collections::BTreeMap;

use std::borrow::Borrow;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::sim::clock::tick_of;
use crate::sim::Tick;

pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
pub const REVISION_HISTORY_ANNOTATION: &str = "deployment.kubernetes.io/revision-history";
pub const DESIRED_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/max-replicas";
pub const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";
pub const DEPRECATED_ROLLBACK_TO: &str = "deprecated.deployment.rollback.to";
/// `apps.DefaultDeploymentUniqueLabelKey`.
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";
/// Revision history kept in the revision-history annotation, in characters.
pub const MAX_REV_HISTORY_LENGTH_IN_CHARS: usize = 2000;

// Condition reasons.
/// A ReplicaSet as the controller handles it: shared with the store, so the lists a sync
/// passes around (all, old, active, sorted) copy no ReplicaSet. One that is changed is
/// copied (`Arc::make_mut`) and written back.
pub type Rs = Arc<ReplicaSet>;

/// The Deployment a sync works on: shared with the store until the sync changes it (its
/// status, mostly), so a sync that finds nothing to change copies nothing.
pub type Dep = Arc<Deployment>;

pub const NEW_RS_REASON: &str = "NewReplicaSetCreated";
pub const FOUND_NEW_RS_REASON: &str = "FoundNewReplicaSet";
pub const RS_UPDATED_REASON: &str = "ReplicaSetUpdated";
pub const NEW_RS_AVAILABLE_REASON: &str = "NewReplicaSetAvailable";
pub const TIMED_OUT_REASON: &str = "ProgressDeadlineExceeded";
pub const PAUSED_REASON: &str = "DeploymentPaused";
pub const RESUMED_REASON: &str = "DeploymentResumed";
pub const FAILED_RS_CREATE_REASON: &str = "ReplicaSetCreateError";
pub const MIN_AVAILABLE_REASON: &str = "MinimumReplicasAvailable";
pub const MIN_UNAVAILABLE_REASON: &str = "MinimumReplicasUnavailable";

/// Annotations of a Deployment that are not copied to its ReplicaSets (and that `rollout
/// undo` keeps from the Deployment rather than taking from the ReplicaSet).
pub const ANNOTATIONS_TO_SKIP: &[&str] = &[
    LAST_APPLIED_ANNOTATION,
    REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION,
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    DEPRECATED_ROLLBACK_TO,
];

pub fn replicas(d: &Deployment) -> i32 {
    d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

pub fn rs_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

pub fn rs_status_replicas(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().map_or(0, |s| s.replicas)
}

pub fn rs_available(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().and_then(|s| s.available_replicas).unwrap_or(0)
}

pub fn rs_ready(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0)
}

fn annotation<'a>(rs: &'a ReplicaSet, key: &str) -> Option<&'a str> {
    rs.metadata.annotations.as_ref()?.get(key).map(String::as_str)
}

/// `Revision`: the revision annotation as a number (None if absent or malformed; absent
/// counts as 0 for `MaxRevision`).
pub fn revision(rs: &ReplicaSet) -> Option<i64> {
    match annotation(rs, REVISION_ANNOTATION) {
        None => Some(0),
        Some(v) => v.parse().ok(),
    }
}

/// `MaxRevision`: the highest revision among `rss`.
pub fn max_revision(rss: &[Rs]) -> i64 {
    rss.iter().filter_map(|r| revision(r)).max().unwrap_or(0).max(0)
}

pub fn is_rolling_update(d: &Deployment) -> bool {
    d.spec.as_ref().and_then(|s| s.strategy.as_ref()).and_then(|s| s.type_.as_deref()) == Some("RollingUpdate")
}

pub fn is_recreate(d: &Deployment) -> bool {
    d.spec.as_ref().and_then(|s| s.strategy.as_ref()).and_then(|s| s.type_.as_deref()) == Some("Recreate")
}

/// `intstr.GetScaledValueFromIntOrPercent`: an int as is, `N%` of `total` rounded up or down.
pub fn scaled_value(v: &IntOrString, total: i32, round_up: bool) -> Result<i32, String> {
    match v {
        IntOrString::Int(i) => Ok(*i),
        IntOrString::String(s) => {
            let Some(p) = s.strip_suffix('%') else {
                return Err(format!("invalid type: string is not a percentage: {s:?}"));
            };
            let p: i64 = p.parse().map_err(|_| format!("invalid value for IntOrString: invalid value {s:?}"))?;
            let exact = (p as f64) * (total as f64) / 100.0;
            Ok(if round_up { exact.ceil() } else { exact.floor() } as i32)
        }
    }
}

/// `ResolveFenceposts`: maxSurge (rounded up) and maxUnavailable (rounded down) for `desired`
/// replicas; if both come to zero, maxUnavailable is 1.
pub fn resolve_fenceposts(d: &Deployment, desired: i32) -> (i32, i32) {
    let ru = d.spec.as_ref().and_then(|s| s.strategy.as_ref()).and_then(|s| s.rolling_update.as_ref());
    let zero = IntOrString::Int(0);
    let surge_v = ru.and_then(|r| r.max_surge.as_ref()).unwrap_or(&zero);
    let unavail_v = ru.and_then(|r| r.max_unavailable.as_ref()).unwrap_or(&zero);
    let surge = scaled_value(surge_v, desired, true).unwrap_or(0);
    let mut unavailable = scaled_value(unavail_v, desired, false).unwrap_or(0);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable)
}

/// `MaxUnavailable`: 0 unless RollingUpdate with replicas; never more than replicas.
pub fn max_unavailable(d: &Deployment) -> i32 {
    let r = replicas(d);
    if !is_rolling_update(d) || r == 0 {
        return 0;
    }
    resolve_fenceposts(d, r).1.min(r)
}

/// `MaxSurge`: 0 unless RollingUpdate.
pub fn max_surge(d: &Deployment) -> i32 {
    if !is_rolling_update(d) {
        return 0;
    }
    resolve_fenceposts(d, replicas(d)).0
}

/// Whether two templates' metadata are equal but for the pod-template-hash label (a label
/// map left empty by its removal counting as none), read in place: a Deployment sync
/// compares its template with each of its ReplicaSets'.
fn meta_equal_ignore_hash(a: Option<&ObjectMeta>, b: Option<&ObjectMeta>) -> bool {
    let (Some(a), Some(b)) = (a, b) else { return a.is_none() && b.is_none() };
    // Every field named, so that a field added to ObjectMeta is not forgotten here.
    let ObjectMeta {
        annotations,
        creation_timestamp,
        deletion_grace_period_seconds,
        deletion_timestamp,
        finalizers,
        generate_name,
        generation,
        labels,
        managed_fields,
        name,
        namespace,
        owner_references,
        resource_version,
        self_link,
        uid,
    } = a;
    fn labels_but_hash(l: &Option<BTreeMap<String, String>>) -> impl Iterator<Item = (&String, &String)> {
        l.iter().flatten().filter(|(k, _)| k.as_str() != POD_TEMPLATE_HASH)
    }
    *annotations == b.annotations
        && *creation_timestamp == b.creation_timestamp
        && *deletion_grace_period_seconds == b.deletion_grace_period_seconds
        && *deletion_timestamp == b.deletion_timestamp
        && *finalizers == b.finalizers
        && *generate_name == b.generate_name
        && *generation == b.generation
        && *managed_fields == b.managed_fields
        && *name == b.name
        && *namespace == b.namespace
        && *owner_references == b.owner_references
        && *resource_version == b.resource_version
        && *self_link == b.self_link
        && *uid == b.uid
        && labels_but_hash(labels).eq(labels_but_hash(&b.labels))
}

/// `EqualIgnoreHash`: the templates are equal but for the pod-template-hash label (a deep
/// comparison of the typed templates, as `apiequality.Semantic.DeepEqual` is).
pub fn equal_ignore_hash(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
    meta_equal_ignore_hash(a.metadata.as_ref(), b.metadata.as_ref()) && a.spec == b.spec
}

fn creation(rs: &ReplicaSet) -> Tick {
    rs.metadata.creation_timestamp.as_ref().map(tick_of).unwrap_or_default()
}

/// `ReplicaSetsByCreationTimestamp`: oldest first, then by name.
pub fn sort_by_creation<R: Borrow<ReplicaSet>>(rss: &mut [R]) {
    rss.sort_by(|a, b| {
        let (a, b) = (a.borrow(), b.borrow());
        (creation(a), &a.metadata.name).cmp(&(creation(b), &b.metadata.name))
    });
}

/// `ReplicaSetsBySizeOlder`: larger first; the same size, older first.
pub fn sort_by_size_older(rss: &mut [Rs]) {
    rss.sort_by(|a, b| {
        rs_replicas(b)
            .cmp(&rs_replicas(a))
            .then_with(|| (creation(a), &a.metadata.name).cmp(&(creation(b), &b.metadata.name)))
    });
}

/// `ReplicaSetsBySizeNewer`: larger first; the same size, newer first.
pub fn sort_by_size_newer(rss: &mut [Rs]) {
    rss.sort_by(|a, b| rs_replicas(b).cmp(&rs_replicas(a)).then_with(|| creation(b).cmp(&creation(a))));
}

/// `ReplicaSetsByRevision`: lowest revision first, then oldest.
pub fn sort_by_revision(rss: &mut [Rs]) {
    rss.sort_by(|a, b| {
        let (ra, rb) = (revision(a).unwrap_or(0), revision(b).unwrap_or(0));
        ra.cmp(&rb).then_with(|| (creation(a), &a.metadata.name).cmp(&(creation(b), &b.metadata.name)))
    });
}

/// `FindNewReplicaSet`: the oldest ReplicaSet whose template equals the Deployment's. (Sorts
/// references, not ReplicaSets.)
pub fn find_new_rs(d: &Deployment, rss: &[Rs]) -> Option<Rs> {
    let mut sorted: Vec<&Rs> = rss.iter().collect();
    sorted.sort_by(|a, b| (creation(a), &a.metadata.name).cmp(&(creation(b), &b.metadata.name)));
    let template = &d.spec.as_ref()?.template;
    sorted
        .into_iter()
        .find(|rs| rs.spec.as_ref().and_then(|s| s.template.as_ref()).is_some_and(|t| equal_ignore_hash(t, template)))
        .cloned()
}

/// `FindOldReplicaSets` (all of them): every ReplicaSet but the new one, `new` being what
/// [`find_new_rs`] found. (Go's finds it again; the comparison is a pure function of the
/// same two lists, and the deep one of templates that are most of a sync's cost.)
pub fn old_rss(rss: &[Rs], new: Option<&Rs>) -> Vec<Rs> {
    let new_uid = new.and_then(|rs| rs.metadata.uid.as_ref());
    rss.iter().filter(|rs| new_uid.is_none() || rs.metadata.uid.as_ref() != new_uid).cloned().collect()
}

/// `FilterActiveReplicaSets`: those with spec.replicas > 0.
pub fn active(rss: &[Rs]) -> Vec<Rs> {
    rss.iter().filter(|rs| rs_replicas(rs) > 0).cloned().collect()
}

/// `GetReplicaCountForReplicaSets`: the sum of spec.replicas.
pub fn spec_replicas_sum(rss: &[Rs]) -> i32 {
    rss.iter().map(|r| rs_replicas(r)).sum()
}

/// `GetActualReplicaCountForReplicaSets`: the sum of status.replicas.
pub fn actual_replicas_sum(rss: &[Rs]) -> i32 {
    rss.iter().map(|r| rs_status_replicas(r)).sum()
}

pub fn available_sum(rss: &[Rs]) -> i32 {
    rss.iter().map(|r| rs_available(r)).sum()
}

pub fn ready_sum(rss: &[Rs]) -> i32 {
    rss.iter().map(|r| rs_ready(r)).sum()
}

/// `SetReplicasAnnotations`: desired-replicas and max-replicas; true if they changed.
pub fn set_replicas_annotations(rs: &mut ReplicaSet, desired: i32, max: i32) -> bool {
    let a = rs.metadata.annotations.get_or_insert_with(BTreeMap::new);
    let (d, m) = (desired.to_string(), max.to_string());
    let mut changed = false;
    if a.get(DESIRED_REPLICAS_ANNOTATION) != Some(&d) {
        a.insert(DESIRED_REPLICAS_ANNOTATION.into(), d);
        changed = true;
    }
    if a.get(MAX_REPLICAS_ANNOTATION) != Some(&m) {
        a.insert(MAX_REPLICAS_ANNOTATION.into(), m);
        changed = true;
    }
    changed
}

/// `ReplicasAnnotationsNeedUpdate`.
pub fn replicas_annotations_need_update(rs: &ReplicaSet, desired: i32, max: i32) -> bool {
    annotation(rs, DESIRED_REPLICAS_ANNOTATION) != Some(desired.to_string().as_str())
        || annotation(rs, MAX_REPLICAS_ANNOTATION) != Some(max.to_string().as_str())
}

/// `GetDesiredReplicasAnnotation`.
pub fn desired_replicas_annotation(rs: &ReplicaSet) -> Option<i32> {
    annotation(rs, DESIRED_REPLICAS_ANNOTATION)?.parse().ok()
}

fn max_replicas_annotation(rs: &ReplicaSet) -> Option<i32> {
    annotation(rs, MAX_REPLICAS_ANNOTATION)?.parse().ok()
}

/// `SetNewReplicaSetAnnotations`: copies the Deployment's annotations (but those skipped),
/// raises the revision (keeping the old one in revision-history when a ReplicaSet is
/// reused by a rollback), and on creation stamps the replicas annotations. True if changed.
pub fn set_new_rs_annotations(d: &Deployment, rs: &mut ReplicaSet, new_revision: i64, exists: bool) -> bool {
    let Some(mut changed) =
        set_revision_annotations(d, rs.metadata.annotations.get_or_insert_with(BTreeMap::new), new_revision)
    else {
        return false;
    };
    if !exists && set_replicas_annotations(rs, replicas(d), replicas(d) + max_surge(d)) {
        changed = true;
    }
    changed
}

/// The part of [`set_new_rs_annotations`] that a ReplicaSet which exists already may need:
/// the Deployment's annotations and the revision, on the ReplicaSet's annotations `a`.
/// Whether they changed; None (having maybe changed some) if the revision there is no number.
pub fn set_revision_annotations(d: &Deployment, a: &mut BTreeMap<String, String>, new_revision: i64) -> Option<bool> {
    let mut changed = false;
    for (k, v) in d.metadata.annotations.iter().flatten() {
        if ANNOTATIONS_TO_SKIP.contains(&k.as_str()) || a.get(k) == Some(v) {
            continue;
        }
        a.insert(k.clone(), v.clone());
        changed = true;
    }
    let old = a.get(REVISION_ANNOTATION).cloned();
    let old_int = match old.as_deref() {
        None | Some("") => 0,
        Some(s) => match s.parse::<i64>() {
            Ok(v) => v,
            Err(_) => return None,
        },
    };
    if old_int < new_revision {
        a.insert(REVISION_ANNOTATION.into(), new_revision.to_string());
        changed = true;
    }
    if let (Some(old), true) = (old, old_int < new_revision) {
        let history = a.get(REVISION_HISTORY_ANNOTATION).cloned().unwrap_or_default();
        if history.is_empty() {
            a.insert(REVISION_HISTORY_ANNOTATION.into(), old);
        } else {
            let mut olds: Vec<&str> = history.split(',').collect();
            let mut total = history.len() + old.len() + 1;
            let mut start = 0;
            while total > MAX_REV_HISTORY_LENGTH_IN_CHARS && start < olds.len() {
                total -= olds[start].len() + 1;
                start += 1;
            }
            if total <= MAX_REV_HISTORY_LENGTH_IN_CHARS {
                olds = olds.split_off(start);
                olds.push(&old);
                let joined = olds.join(",");
                a.insert(REVISION_HISTORY_ANNOTATION.into(), joined);
            }
        }
    }
    Some(changed)
}

/// Whether [`set_revision_annotations`] would change annotations `a` (or find a revision
/// there that is no number), read without a copy: for an existing new ReplicaSet it
/// usually would not.
pub fn revision_annotations_need_update(
    d: &Deployment,
    a: Option<&BTreeMap<String, String>>,
    new_revision: i64,
) -> bool {
    let get = |k: &str| a.and_then(|a| a.get(k));
    let copied = d
        .metadata
        .annotations
        .iter()
        .flatten()
        .all(|(k, v)| ANNOTATIONS_TO_SKIP.contains(&k.as_str()) || get(k) == Some(v));
    let revision = match get(REVISION_ANNOTATION).map(String::as_str) {
        None | Some("") => Some(0),
        Some(s) => s.parse::<i64>().ok(),
    };
    !copied || revision.is_none_or(|r| r < new_revision)
}

/// `SetDeploymentRevision`: the Deployment's revision annotation; true if it changed.
pub fn set_deployment_revision(d: &mut Dep, revision: &str) -> bool {
    if d.metadata.annotations.as_ref().and_then(|a| a.get(REVISION_ANNOTATION)).map(String::as_str) == Some(revision) {
        return false;
    }
    let a = Arc::make_mut(d).metadata.annotations.get_or_insert_with(BTreeMap::new);
    a.insert(REVISION_ANNOTATION.into(), revision.to_string());
    true
}

/// `NewRSNewReplicas`: how big the new ReplicaSet may be now. RollingUpdate: up to
/// replicas + maxSurge pods in all; Recreate: replicas.
pub fn new_rs_new_replicas(d: &Deployment, all: &[Rs], new_rs: &ReplicaSet) -> i32 {
    let desired = replicas(d);
    let new_replicas = rs_replicas(new_rs);
    if is_recreate(d) {
        return desired;
    }
    let surge_v = d
        .spec
        .as_ref()
        .and_then(|s| s.strategy.as_ref())
        .and_then(|s| s.rolling_update.as_ref())
        .and_then(|r| r.max_surge.clone())
        .unwrap_or(IntOrString::Int(0));
    let surge = scaled_value(&surge_v, desired, true).unwrap_or(0);
    let current = spec_replicas_sum(all);
    let max_total = desired + surge;
    if current >= max_total {
        return new_replicas;
    }
    let up = (max_total - current).min(desired - new_replicas);
    new_replicas + up
}

/// `IsSaturated`: the new ReplicaSet has all the replicas, annotated and available.
pub fn is_saturated(d: &Deployment, rs: Option<&Rs>) -> bool {
    let Some(rs) = rs else { return false };
    let Some(desired) = desired_replicas_annotation(rs) else { return false };
    let r = replicas(d);
    rs_replicas(rs) == r && desired == r && rs_available(rs) == r
}

/// `FindActiveOrLatest`: the only active ReplicaSet; with none active, the new one or the
/// newest old one; None when several are active.
pub fn find_active_or_latest(new_rs: Option<&Rs>, old: &[Rs]) -> Option<Rs> {
    if new_rs.is_none() && old.is_empty() {
        return None;
    }
    let mut olds = old.to_vec();
    sort_by_creation(&mut olds);
    olds.reverse();
    let mut all = olds.clone();
    all.extend(new_rs.cloned());
    let actives = active(&all);
    match actives.len() {
        0 => new_rs.cloned().or_else(|| olds.first().cloned()),
        1 => actives.into_iter().next(),
        _ => None,
    }
}

/// `GetReplicaSetProportion`: this ReplicaSet's share of a proportional scaling.
pub fn proportion(rs: &ReplicaSet, d: &Deployment, to_add: i32, added: i32) -> i32 {
    if rs_replicas(rs) == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let fraction = fraction(rs, d);
    let allowed = to_add - added;
    if to_add > 0 {
        fraction.min(allowed)
    } else {
        fraction.max(allowed)
    }
}

fn fraction(rs: &ReplicaSet, d: &Deployment) -> i32 {
    let r = replicas(d);
    if r == 0 {
        return -rs_replicas(rs);
    }
    let max_now = r + max_surge(d);
    let mut before = max_replicas_annotation(rs).unwrap_or(0);
    if before == 0 {
        before = d.status.as_ref().and_then(|s| s.replicas).unwrap_or(0);
        if before == 0 {
            return 0;
        }
    }
    let new_size = (rs_replicas(rs) as f64) * (max_now as f64) / (before as f64);
    // integer.RoundToInt32: math.Round, halves away from zero.
    new_size.round() as i32 - rs_replicas(rs)
}

// Conditions.

pub fn get_condition<'a>(status: &'a DeploymentStatus, ty: &str) -> Option<&'a DeploymentCondition> {
    status.conditions.as_ref()?.iter().find(|c| c.type_ == ty)
}

pub fn new_condition(ty: &str, status: &str, reason: &str, message: &str, now: Tick) -> DeploymentCondition {
    DeploymentCondition {
        type_: ty.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_update_time: Some(now.time()),
        last_transition_time: Some(now.time()),
    }
}

/// `SetDeploymentCondition`: replaces the condition of its type unless status and reason
/// are unchanged; keeps lastTransitionTime when the status is; the new one goes last.
pub fn set_condition(status: &mut DeploymentStatus, mut c: DeploymentCondition) {
    if let Some(cur) = get_condition(status, &c.type_) {
        if cur.status == c.status && cur.reason == c.reason {
            return;
        }
        if cur.status == c.status {
            c.last_transition_time = cur.last_transition_time.clone();
        }
    }
    remove_condition(status, &c.type_.clone());
    status.conditions.get_or_insert_with(Vec::new).push(c);
}

pub fn remove_condition(status: &mut DeploymentStatus, ty: &str) {
    if let Some(v) = status.conditions.as_mut() {
        v.retain(|c| c.type_ != ty);
        if v.is_empty() {
            status.conditions = None;
        }
    }
}

/// `HasProgressDeadline`: set and not MaxInt32.
pub fn has_progress_deadline(d: &Deployment) -> bool {
    d.spec.as_ref().and_then(|s| s.progress_deadline_seconds).is_some_and(|s| s != i32::MAX)
}

pub fn progress_deadline_s(d: &Deployment) -> i32 {
    d.spec.as_ref().and_then(|s| s.progress_deadline_seconds).unwrap_or(i32::MAX)
}

fn n(v: Option<i32>) -> i32 {
    v.unwrap_or(0)
}

/// `DeploymentComplete`: every replica updated and available, and the latest spec observed.
pub fn deployment_complete(d: &Deployment, status: &DeploymentStatus) -> bool {
    let r = replicas(d);
    n(status.updated_replicas) == r
        && n(status.replicas) == r
        && n(status.available_replicas) == r
        && status.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0)
}

/// `DeploymentProgressing`: more updated, ready or available pods, or fewer old ones, than
/// the status last written says.
pub fn deployment_progressing(d: &Deployment, new: &DeploymentStatus) -> bool {
    let old = d.status.clone().unwrap_or_default();
    let old_old = n(old.replicas) - n(old.updated_replicas);
    let new_old = n(new.replicas) - n(new.updated_replicas);
    n(new.updated_replicas) > n(old.updated_replicas)
        || new_old < old_old
        || n(new.ready_replicas) > n(old.ready_replicas)
        || n(new.available_replicas) > n(old.available_replicas)
}

/// `DeploymentTimedOut`: no progress for progressDeadlineSeconds since the Progressing
/// condition was last updated (strictly after the deadline).
pub fn deployment_timed_out(d: &Deployment, new: &DeploymentStatus, now: Tick) -> bool {
    if !has_progress_deadline(d) {
        return false;
    }
    let Some(c) = get_condition(new, "Progressing") else { return false };
    match c.reason.as_deref() {
        Some(NEW_RS_AVAILABLE_REASON) => return false,
        Some(TIMED_OUT_REASON) => return true,
        _ => {}
    }
    let from = c.last_update_time.as_ref().map(tick_of).unwrap_or_default();
    from.plus_s(progress_deadline_s(d) as u64) < now
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_equal_but_for_the_hash_label() {
        let t = |labels: Option<&[(&str, &str)]>, image: &str| -> PodTemplateSpec {
            serde_json::from_value(serde_json::json!({
                "metadata": {
                    "labels": labels.map(|l| l.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>()),
                },
                "spec": {"containers": [{"name": "web", "image": image}]},
            }))
            .unwrap()
        };
        let app = t(Some(&[("app", "web")]), "nginx");
        assert!(equal_ignore_hash(&app, &t(Some(&[("app", "web"), (POD_TEMPLATE_HASH, "7c5ddbdf54")]), "nginx")));
        // A label map holding only the hash counts as none, and an empty one too.
        let hash_only = t(Some(&[(POD_TEMPLATE_HASH, "7c5ddbdf54")]), "nginx");
        assert!(equal_ignore_hash(&t(None, "nginx"), &hash_only));
        assert!(equal_ignore_hash(&t(Some(&[]), "nginx"), &hash_only));
        assert!(!equal_ignore_hash(&app, &t(Some(&[("app", "api")]), "nginx")));
        assert!(!equal_ignore_hash(&app, &t(Some(&[("app", "web")]), "nginx:1.26")));
        let mut annotated = app.clone();
        annotated.metadata.as_mut().unwrap().annotations = Some(BTreeMap::from([("a".into(), "b".into())]));
        assert!(!equal_ignore_hash(&app, &annotated));
        // No metadata at all is not the same as empty metadata.
        let mut bare = app.clone();
        bare.metadata = None;
        let mut empty = app.clone();
        empty.metadata = Some(ObjectMeta::default());
        assert!(!equal_ignore_hash(&bare, &empty));
        assert!(equal_ignore_hash(&bare, &bare.clone()));
    }

    #[test]
    fn revision_annotations_need_an_update_exactly_when_setting_them_changes_them() {
        let d = |annotations: &[(&str, &str)]| Deployment {
            metadata: ObjectMeta {
                annotations: Some(annotations.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
                ..Default::default()
            },
            ..Default::default()
        };
        let deployments = [d(&[]), d(&[("team", "a")]), d(&[("team", "a"), (LAST_APPLIED_ANNOTATION, "{}")])];
        let held: [&[(&str, &str)]; 6] = [
            &[],
            &[(REVISION_ANNOTATION, "3")],
            &[(REVISION_ANNOTATION, "3"), ("team", "a")],
            &[(REVISION_ANNOTATION, "2"), ("team", "a")],
            &[(REVISION_ANNOTATION, "x"), ("team", "a")],
            &[(REVISION_ANNOTATION, ""), ("team", "b")],
        ];
        for d in &deployments {
            for a in held {
                let a: BTreeMap<String, String> = a.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
                let mut set = a.clone();
                let result = set_revision_annotations(d, &mut set, 3);
                let changes = result.is_none_or(|changed| changed) || set != a;
                assert_eq!(revision_annotations_need_update(d, Some(&a), 3), changes, "{a:?} {d:?}");
            }
        }
        assert!(revision_annotations_need_update(&d(&[]), None, 1));
    }

    #[test]
    fn percentages_round_surge_up_and_unavailable_down() {
        assert_eq!(scaled_value(&IntOrString::String("25%".into()), 3, true), Ok(1));
        assert_eq!(scaled_value(&IntOrString::String("25%".into()), 3, false), Ok(0));
        assert_eq!(scaled_value(&IntOrString::String("25%".into()), 10, true), Ok(3));
        assert_eq!(scaled_value(&IntOrString::String("25%".into()), 10, false), Ok(2));
        assert_eq!(scaled_value(&IntOrString::Int(2), 10, false), Ok(2));
        assert!(scaled_value(&IntOrString::String("2".into()), 10, false).is_err());
    }
}
