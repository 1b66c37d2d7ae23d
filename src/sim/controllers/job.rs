//! The job controller (`pkg/controller/job`, v1.32) and the TTL-after-finished controller.
//!
//! A Job runs pods until `completions` of them succeed (NonIndexed), or until every index
//! `0..completions` has a succeeded pod (Indexed), at most `parallelism` at a time. Failed
//! pods are replaced after the pod-failure back-off (10 s doubling, at most 10 minutes, as
//! `DefaultJobPodFailureBackOff`/`MaxJobPodFailureBackOff` say); more than `backoffLimit`
//! failures (default 6), a restart count reaching it under `restartPolicy: OnFailure`,
//! `activeDeadlineSeconds` or a `podFailurePolicy` FailJob rule fail the Job. As in v1.32 (the
//! JobPodReplacementPolicy and JobSuccessPolicy gates on), the controller first adds the
//! interim `FailureTarget` / `SuccessCriteriaMet` condition, deletes what still runs, and adds
//! `Failed` / `Complete` once no pod is terminating.
//!
//! Pods carry the `batch.kubernetes.io/job-tracking` finalizer until the controller has
//! counted them in `.status.succeeded`/`.status.failed`. kubedojo's API server does not hold
//! objects for finalizers, so a pod that disappears before it was counted is remembered here
//! and counted then — the net effect the finalizer guarantees.
//!
//! Not simulated: `backoffLimitPerIndex`/`maxFailedIndexes`, `successPolicy`, `managedBy`,
//! adoption of orphan pods, `.status.uncountedTerminatedPods` entries (it is always `{}`: the
//! controller counts and removes finalizers in one step).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::batch::v1::{Job, JobCondition, JobStatus, PodFailurePolicy, UncountedTerminatedPods};
use k8s_openapi::api::core::v1::{EnvVar, EnvVarSource, ObjectFieldSelector, Pod};

use super::informer::{controller_ref, Cursor, DueQueue, OwnerIndex};
use super::podcontrol;
use crate::sim::api::WriteOptions;
use crate::sim::clock::tick_of;
use crate::sim::events::{object_reference, EventType, Source};
use crate::sim::store::Change;
use crate::sim::{Kind, ObjKey, Object, Tick, World};

const COMPONENT: &str = "job-controller";
pub const TRACKING_FINALIZER: &str = "batch.kubernetes.io/job-tracking";
pub const COMPLETION_INDEX: &str = "batch.kubernetes.io/job-completion-index";
/// Pod failure back-off: 10 s doubling, at most 10 minutes (job_controller.go).
pub const POD_FAILURE_BACKOFF_S: u64 = 10;
pub const POD_FAILURE_BACKOFF_MAX_S: u64 = 600;

/// `backoffRecord`: failures since the last success and when the last one finished.
#[derive(Clone, Debug, Default, PartialEq)]
struct BackoffRecord {
    failures_after_last_success: u32,
    last_failure: Option<Tick>,
}

impl BackoffRecord {
    /// `getRemainingTime`: seconds until a replacement pod may be created.
    fn remaining_s(&self, now: Tick) -> u64 {
        if self.failures_after_last_success == 0 {
            return 0;
        }
        let mut delay = POD_FAILURE_BACKOFF_S;
        for _ in 1..self.failures_after_last_success {
            delay *= 2;
            if delay >= POD_FAILURE_BACKOFF_MAX_S {
                delay = POD_FAILURE_BACKOFF_MAX_S;
                break;
            }
        }
        let elapsed = now.since(self.last_failure.unwrap_or(now));
        delay.saturating_sub(elapsed)
    }
}

/// A pod this controller has seen, as far as counting it needs.
#[derive(Clone, Debug)]
struct PodMemo {
    owner_uid: String,
    tracked: bool,
    succeeded: bool,
    index: Option<i32>,
    finished: Tick,
}

/// A tracked pod that left the store before it was counted.
#[derive(Clone, Debug)]
struct Vanished {
    owner_uid: String,
    succeeded: bool,
    index: Option<i32>,
    finished: Tick,
}

/// The job controller's caches and queues.
#[derive(Clone, Debug, Default)]
pub struct State {
    cursor: Cursor,
    pods: OwnerIndex,
    due: DueQueue,
    backoff: BTreeMap<ObjKey, BackoffRecord>,
    memo: BTreeMap<ObjKey, PodMemo>,
    vanished: BTreeMap<ObjKey, Vec<Vanished>>,
}

/// Runs the controller: syncs the Jobs whose Job or pods changed, and those due now.
pub fn reconcile(w: &mut World) {
    let mut dirty: BTreeSet<ObjKey> = BTreeSet::new();
    let now = w.now;
    {
        let World { store, controllers, .. } = w;
        let st = &mut controllers.job;
        match st.cursor.drain_of(store, &[Kind::Job, Kind::Pod]) {
            Some(events) => {
                for ev in events {
                    match ev.kind {
                        Kind::Job => {
                            dirty.insert((*ev.key).clone());
                        }
                        Kind::Pod => {
                            // A write of a pod no Job controlled, to a pod this controller has
                            // no record of, changes nothing here (a later write that made it a
                            // Job's is in this batch too): passed over without a lookup.
                            if !ev.controllers.may_include(Kind::Job)
                                && !st.memo.contains_key(&*ev.key)
                                && st.pods.owner_of(&ev.key).is_none()
                            {
                                continue;
                            }
                            let obj = store.get(Kind::Pod, &ev.key.namespace, &ev.key.name);
                            if obj.is_none() && ev.change != Change::Deleted {
                                // Gone since: its Deleted event follows.
                                continue;
                            }
                            observe_pod(st, &ev.key, obj, ev.change, now);
                            dirty.extend(st.pods.observe(&ev.key, obj, Kind::Job));
                        }
                        _ => {}
                    }
                }
            }
            None => {
                st.pods.clear();
                for o in store.list(Kind::Pod, None) {
                    let key = o.key();
                    observe_pod(st, &key, Some(o), Change::Modified, now);
                    st.pods.observe(&key, Some(o), Kind::Job);
                }
                dirty.extend(store.list(Kind::Job, None).iter().map(|o| o.key()));
            }
        }
        dirty.extend(st.due.pop_due(now));
    }
    for key in dirty {
        sync_job(w, &key);
    }
}

fn observe_pod(st: &mut State, key: &ObjKey, obj: Option<&Object>, change: Change, now: Tick) {
    match obj.and_then(|o| o.as_pod()) {
        Some(p) => {
            let Some(r) = obj.and_then(|o| controller_ref(o, Kind::Job)) else {
                st.memo.remove(key);
                return;
            };
            st.memo.insert(
                key.clone(),
                PodMemo {
                    owner_uid: r.uid.clone(),
                    tracked: has_tracking_finalizer(p),
                    succeeded: podcontrol::phase(p) == "Succeeded",
                    index: completion_index(p),
                    finished: finished_time(p, now),
                },
            );
        }
        None => {
            if change != Change::Deleted {
                return;
            }
            if let Some(m) = st.memo.remove(key) {
                if m.tracked {
                    if let Some(owner) = st.pods.owner_of(key).cloned() {
                        st.vanished.entry(owner).or_default().push(Vanished {
                            owner_uid: m.owner_uid,
                            succeeded: m.succeeded,
                            index: m.index,
                            finished: if m.succeeded { m.finished } else { now },
                        });
                    }
                }
            }
        }
    }
}

/// Marks a pod as counted (or released on purpose), so its disappearance is not counted.
fn untrack(st: &mut State, namespace: &str, name: &str) {
    if let Some(m) = st.memo.get_mut(&ObjKey::new(namespace, name)) {
        m.tracked = false;
    }
}

fn has_tracking_finalizer(p: &Pod) -> bool {
    p.metadata.finalizers.as_ref().is_some_and(|f| f.iter().any(|f| f == TRACKING_FINALIZER))
}

/// `getCompletionIndex`: the index annotation, when it is a non-negative integer.
fn completion_index(p: &Pod) -> Option<i32> {
    p.metadata.annotations.as_ref()?.get(COMPLETION_INDEX)?.parse::<i32>().ok().filter(|i| *i >= 0)
}

/// `getFinishedTime`: when the last container terminated, else when the pod stopped being
/// ready, else its deletion, else now.
fn finished_time(p: &Pod, now: Tick) -> Tick {
    let status = p.status.as_ref();
    let mut latest: Option<Tick> = None;
    for cs in status.and_then(|s| s.container_statuses.as_ref()).into_iter().flatten() {
        if let Some(t) = cs.state.as_ref().and_then(|s| s.terminated.as_ref()).and_then(|t| t.finished_at.as_ref()) {
            let t = tick_of(t);
            latest = Some(latest.map_or(t, |l| l.max(t)));
        }
    }
    if let Some(t) = latest {
        return t;
    }
    let ready_false = status
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready" && c.status == "False"))
        .and_then(|c| c.last_transition_time.as_ref())
        .map(tick_of);
    ready_false.or_else(|| p.metadata.deletion_timestamp.as_ref().map(tick_of)).unwrap_or(now)
}

fn find_condition<'a>(conds: &'a [JobCondition], type_: &str) -> Option<&'a JobCondition> {
    conds.iter().find(|c| c.type_ == type_)
}

fn condition_true(conds: &[JobCondition], type_: &str) -> bool {
    find_condition(conds, type_).is_some_and(|c| c.status == "True")
}

/// `IsJobFinished`: a Complete or Failed condition is True.
pub fn is_finished(job: &Job) -> Option<&'static str> {
    let conds = job.status.as_ref().and_then(|s| s.conditions.as_deref()).unwrap_or_default();
    if condition_true(conds, "Complete") {
        Some("Complete")
    } else if condition_true(conds, "Failed") {
        Some("Failed")
    } else {
        None
    }
}

fn new_condition(type_: &str, status: &str, reason: &str, message: &str, now: Tick) -> JobCondition {
    JobCondition {
        type_: type_.into(),
        status: status.into(),
        reason: Some(reason.into()).filter(|r: &String| !r.is_empty()),
        message: Some(message.into()).filter(|m: &String| !m.is_empty()),
        last_probe_time: Some(now.time()),
        last_transition_time: Some(now.time()),
    }
}

/// `ensureJobConditionStatus`: sets a condition, appending it unless it would be False.
fn ensure_condition(
    conds: &mut Vec<JobCondition>,
    type_: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: Tick,
) -> bool {
    if let Some(c) = conds.iter_mut().find(|c| c.type_ == type_) {
        if c.status != status
            || c.reason.as_deref().unwrap_or("") != reason
            || c.message.as_deref().unwrap_or("") != message
        {
            *c = new_condition(type_, status, reason, message, now);
            return true;
        }
        return false;
    }
    if status != "False" {
        conds.push(new_condition(type_, status, reason, message, now));
        return true;
    }
    false
}

/// `isPodFailed`: Failed, or (unless only failed pods are replaced) being deleted without
/// having succeeded.
fn is_pod_failed(p: &Pod, job: &Job) -> bool {
    if podcontrol::phase(p) == "Failed" {
        return true;
    }
    if only_replace_failed(job) {
        return false;
    }
    p.metadata.deletion_timestamp.is_some() && podcontrol::phase(p) != "Succeeded"
}

fn only_replace_failed(job: &Job) -> bool {
    let spec = job.spec.as_ref();
    spec.and_then(|s| s.pod_replacement_policy.as_deref()) == Some("Failed")
        || spec.is_some_and(|s| s.pod_failure_policy.is_some())
}

/// What a podFailurePolicy says of a failed pod: (FailJob message, whether it counts towards
/// the backoff limit). `matchPodFailurePolicy`.
fn match_pod_failure_policy(policy: &PodFailurePolicy, pod: &Pod) -> (Option<String>, bool) {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("");
    let name = pod.metadata.name.as_deref().unwrap_or("");
    let status = pod.status.as_ref();
    for (i, rule) in policy.rules.iter().enumerate() {
        let mut matched: Option<String> = None;
        if let Some(req) = &rule.on_exit_codes {
            let statuses = status
                .and_then(|s| s.init_container_statuses.as_ref())
                .into_iter()
                .flatten()
                .chain(status.and_then(|s| s.container_statuses.as_ref()).into_iter().flatten());
            for cs in statuses {
                if req.container_name.as_deref().is_some_and(|n| n != cs.name) {
                    continue;
                }
                let Some(code) = cs.state.as_ref().and_then(|s| s.terminated.as_ref()).map(|t| t.exit_code) else {
                    continue;
                };
                if code == 0 {
                    continue;
                }
                let inside = req.values.contains(&code);
                let hit = match req.operator.as_str() {
                    "In" => inside,
                    "NotIn" => !inside,
                    _ => false,
                };
                if hit {
                    matched = Some(format!(
                        "Container {} for pod {ns}/{name} failed with exit code {code} matching {} rule at index {i}",
                        cs.name, rule.action
                    ));
                    break;
                }
            }
        }
        if let Some(patterns) = &rule.on_pod_conditions {
            for pat in patterns {
                let want = pat.status.as_str();
                let has = status
                    .and_then(|s| s.conditions.as_ref())
                    .is_some_and(|c| c.iter().any(|c| c.type_ == pat.type_ && c.status == want));
                if has {
                    matched = Some(format!(
                        "Pod {ns}/{name} has condition {} matching {} rule at index {i}",
                        pat.type_, rule.action
                    ));
                    break;
                }
            }
        }
        if let Some(msg) = matched {
            return match rule.action.as_str() {
                "FailJob" => (Some(msg), true),
                "Ignore" => (None, false),
                _ => (None, true),
            };
        }
    }
    (None, true)
}

/// Sorted intervals of completed indexes, printed as `.status.completedIndexes` is
/// (`0-2,4,6,7`).
fn format_indexes(indexes: &BTreeSet<i32>) -> String {
    let mut out = String::new();
    let mut it = indexes.iter().copied().peekable();
    while let Some(first) = it.next() {
        let mut last = first;
        while it.peek() == Some(&(last + 1)) {
            last += 1;
            it.next();
        }
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(&first.to_string());
        if last > first {
            out.push(if last == first + 1 { ',' } else { '-' });
            out.push_str(&last.to_string());
        }
    }
    out
}

/// Parses `.status.completedIndexes`, keeping the indexes below `completions`.
fn parse_indexes(s: &str, completions: i32) -> BTreeSet<i32> {
    let mut out = BTreeSet::new();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.parse::<i32>(), b.parse::<i32>()),
            None => (part.parse::<i32>(), part.parse::<i32>()),
        };
        if let (Ok(a), Ok(b)) = (a, b) {
            for i in a.max(0)..=b.min(completions - 1) {
                out.insert(i);
            }
        }
    }
    out
}

/// Sort key of `controller.ActivePods`: pods earlier in their life are deleted first.
fn removal_rank(p: &Pod) -> (u8, u8, u8, std::cmp::Reverse<Option<Tick>>) {
    let scheduled = p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some();
    let phase_rank = match podcontrol::phase(p) {
        "Pending" | "" => 0,
        "Unknown" => 1,
        _ => 2,
    };
    (
        scheduled as u8,
        phase_rank,
        podcontrol::is_ready(p) as u8,
        std::cmp::Reverse(p.metadata.creation_timestamp.as_ref().map(tick_of)),
    )
}

fn record(w: &mut World, job: &Job, t: EventType, reason: &str, msg: &str) {
    let reference = object_reference(&Object::Job(Box::new(job.clone())), None);
    w.record_event(reference, t, reason, msg, Source::controller(COMPONENT));
}

/// One `syncJob`.
fn sync_job(w: &mut World, key: &ObjKey) {
    let now = w.now;
    let Some(job) = w.store.get(Kind::Job, &key.namespace, &key.name).and_then(|o| match o {
        Object::Job(j) => Some(j.clone()),
        _ => None,
    }) else {
        let st = &mut w.controllers.job;
        st.backoff.remove(key);
        st.vanished.remove(key);
        return;
    };
    let uid = job.metadata.uid.clone().unwrap_or_default();
    if is_finished(&job).is_some() {
        w.controllers.job.backoff.remove(key);
        w.controllers.job.vanished.remove(key);
        ttl_after_finished(w, &job, key);
        return;
    }
    let Some(spec) = job.spec.clone() else { return };
    let indexed = spec.completion_mode.as_deref() == Some("Indexed");
    let completions = spec.completions;
    let backoff_limit = spec.backoff_limit.unwrap_or(6);
    let suspended = spec.suspend == Some(true);

    // The pods this Job controls (by uid: a recreated Job of the same name owns none).
    let pods: Vec<Pod> = w
        .controllers
        .job
        .pods
        .owned(key)
        .iter()
        .filter_map(|k| w.store.get(Kind::Pod, &k.namespace, &k.name))
        .filter(|o| controller_ref(o, Kind::Job).is_some_and(|r| r.uid == uid))
        .filter_map(|o| o.as_pod().cloned())
        .collect();
    let vanished: Vec<Vanished> =
        w.controllers.job.vanished.remove(key).unwrap_or_default().into_iter().filter(|v| v.owner_uid == uid).collect();

    let valid_index = |p: &Pod| !indexed || completion_index(p).is_some_and(|i| i < completions.unwrap_or(0));
    let active_pods: Vec<&Pod> = pods.iter().filter(|p| podcontrol::is_active(p)).collect();
    let mut terminating: i32 =
        pods.iter().filter(|p| p.metadata.deletion_timestamp.is_some() && !podcontrol::is_terminal(p)).count() as i32;
    let mut ready: i32 = active_pods.iter().filter(|p| podcontrol::is_ready(p)).count() as i32;
    let mut active = active_pods.len() as i32;

    let mut status = job.status.clone().unwrap_or_default();
    let mut conds = status.conditions.clone().unwrap_or_default();

    // Newly finished pods: tracked (finalizer) and not yet counted.
    let new_succeeded: Vec<&Pod> = pods
        .iter()
        .filter(|p| has_tracking_finalizer(p) && valid_index(p) && podcontrol::phase(p) == "Succeeded")
        .collect();
    let new_failed: Vec<&Pod> =
        pods.iter().filter(|p| has_tracking_finalizer(p) && valid_index(p) && is_pod_failed(p, &job)).collect();
    let vanished_ok: Vec<&Vanished> = vanished.iter().filter(|v| v.succeeded).collect();
    let vanished_failed: Vec<&Vanished> = vanished.iter().filter(|v| !v.succeeded).collect();
    let counts_failed = |p: &Pod| match &spec.pod_failure_policy {
        Some(policy) => match_pod_failure_policy(policy, p).1,
        None => true,
    };
    let mut succeeded = status.succeeded.unwrap_or(0) + new_succeeded.len() as i32 + vanished_ok.len() as i32;
    let failed = status.failed.unwrap_or(0)
        + new_failed.iter().filter(|p| counts_failed(p)).count() as i32
        + vanished_failed.len() as i32;

    if status.start_time.is_none() && !suspended {
        status.start_time = Some(now.time());
    }

    // newBackoffRecord.
    let mut backoff = w.controllers.job.backoff.get(key).cloned().unwrap_or_default();
    {
        let mut ok_times: Vec<Tick> = new_succeeded.iter().map(|p| finished_time(p, now)).collect();
        ok_times.extend(vanished_ok.iter().map(|v| v.finished));
        let mut fail_times: Vec<Tick> = new_failed.iter().map(|p| finished_time(p, now)).collect();
        fail_times.extend(vanished_failed.iter().map(|v| v.finished));
        ok_times.sort();
        fail_times.sort();
        if ok_times.is_empty() {
            if let Some(last) = fail_times.last() {
                backoff.failures_after_last_success += fail_times.len() as u32;
                backoff.last_failure = Some(*last);
            }
        } else {
            backoff = BackoffRecord::default();
            let last_ok = ok_times[ok_times.len() - 1];
            for t in fail_times.iter().rev() {
                if *t <= last_ok {
                    break;
                }
                if backoff.last_failure.is_none() {
                    backoff.last_failure = Some(*t);
                }
                backoff.failures_after_last_success += 1;
            }
        }
    }

    // The finished condition, if any (a Failed or Complete one is derived from its interim
    // FailureTarget / SuccessCriteriaMet).
    let mut finished: Option<JobCondition> =
        find_condition(&conds, "SuccessCriteriaMet").filter(|c| c.status == "True").cloned();
    if finished.is_none() {
        if let Some(ft) = find_condition(&conds, "FailureTarget").filter(|c| c.status == "True") {
            finished = Some(new_condition(
                "Failed",
                "True",
                ft.reason.as_deref().unwrap_or(""),
                ft.message.as_deref().unwrap_or(""),
                now,
            ));
        } else if let Some(policy) = &spec.pod_failure_policy {
            if let Some(msg) =
                pods.iter().filter(|p| is_pod_failed(p, &job)).find_map(|p| match_pod_failure_policy(policy, p).0)
            {
                finished = Some(new_condition("FailureTarget", "True", "PodFailurePolicy", &msg, now));
            }
        }
    }
    if finished.is_none() {
        let past_backoff_on_failure =
            spec.template.spec.as_ref().and_then(|s| s.restart_policy.as_deref()) == Some("OnFailure") && {
                let restarts: i32 = pods
                    .iter()
                    .filter(|p| matches!(podcontrol::phase(p), "Running" | "Pending"))
                    .flat_map(|p| {
                        let s = p.status.as_ref();
                        s.and_then(|s| s.init_container_statuses.clone())
                            .unwrap_or_default()
                            .into_iter()
                            .chain(s.and_then(|s| s.container_statuses.clone()).unwrap_or_default())
                    })
                    .map(|c| c.restart_count)
                    .sum();
                if backoff_limit == 0 {
                    restarts > 0
                } else {
                    restarts >= backoff_limit
                }
            };
        let start = status.start_time.as_ref().map(tick_of);
        let deadline = match (spec.active_deadline_seconds, start, suspended) {
            (Some(ads), Some(start), false) => Some(start.plus_s(ads.max(0) as u64)),
            _ => None,
        };
        if failed > backoff_limit || past_backoff_on_failure {
            finished = Some(new_condition(
                "FailureTarget",
                "True",
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit",
                now,
            ));
        } else if deadline.is_some_and(|d| now >= d) {
            finished = Some(new_condition(
                "FailureTarget",
                "True",
                "DeadlineExceeded",
                "Job was active longer than specified deadline",
                now,
            ));
        } else if let Some(d) = deadline {
            w.controllers.job.due.add_at(key, d);
        }
    }

    // Completed indexes (Indexed jobs).
    let mut succeeded_indexes: BTreeSet<i32> = BTreeSet::new();
    if indexed {
        let c = completions.unwrap_or(0);
        succeeded_indexes = parse_indexes(status.completed_indexes.as_deref().unwrap_or(""), c);
        succeeded_indexes.extend(new_succeeded.iter().filter_map(|p| completion_index(p)).filter(|i| *i < c));
        succeeded_indexes.extend(vanished_ok.iter().filter_map(|v| v.index).filter(|i| *i < c));
        succeeded = succeeded_indexes.len() as i32;
    }

    let job_obj = Object::Job(job.clone());
    let mut deleted_names: BTreeSet<String> = BTreeSet::new();
    if finished.is_some() {
        // Remove what still runs.
        for p in &active_pods {
            let name = p.metadata.name.clone().unwrap_or_default();
            if podcontrol::delete_pod(w, &job_obj, &key.namespace, &name, COMPONENT) {
                active -= 1;
                terminating += 1;
                if podcontrol::is_ready(p) {
                    ready -= 1;
                }
                deleted_names.insert(name);
            }
        }
    } else {
        if job.metadata.deletion_timestamp.is_none() {
            active = manage_job(
                w,
                &job,
                key,
                &active_pods,
                succeeded,
                &succeeded_indexes,
                &backoff,
                &mut terminating,
                &mut ready,
            );
        }
        let complete = match completions {
            None => succeeded > 0 && active == 0,
            Some(c) => succeeded >= c && active == 0,
        };
        if complete {
            finished = Some(new_condition(
                "SuccessCriteriaMet",
                "True",
                "CompletionsReached",
                "Reached expected number of succeeded pods",
                now,
            ));
        } else if suspended {
            if ensure_condition(&mut conds, "Suspended", "True", "JobSuspended", "Job suspended", now) {
                record(w, &job, EventType::Normal, "Suspended", "Job suspended");
            }
        } else if ensure_condition(&mut conds, "Suspended", "False", "JobResumed", "Job resumed", now) {
            record(w, &job, EventType::Normal, "Resumed", "Job resumed");
            status.start_time = Some(now.time());
        }
    }

    // trackJobStatusAndRemoveFinalizers: count finished pods and release their finalizers.
    let finishing_failed = finished.as_ref().is_some_and(|c| c.type_ != "SuccessCriteriaMet" && c.type_ != "Complete");
    let mut release: Vec<String> = Vec::new();
    let mut new_ok = 0;
    let mut new_fail = 0;
    for p in &pods {
        if !has_tracking_finalizer(p) {
            continue;
        }
        let name = p.metadata.name.clone().unwrap_or_default();
        let considered_failed = is_pod_failed(p, &job) || deleted_names.contains(&name);
        let can_release = finished.is_some() || podcontrol::phase(p) == "Succeeded" || considered_failed;
        if !can_release {
            continue;
        }
        release.push(name);
        if podcontrol::phase(p) == "Succeeded" {
            if !indexed {
                new_ok += 1;
            }
        } else if (considered_failed || finishing_failed) && valid_index(p) && counts_failed(p) {
            new_fail += 1;
        }
    }
    new_ok += vanished_ok.len() as i32;
    new_fail += vanished_failed.len() as i32;
    if indexed {
        status.succeeded = Some(succeeded_indexes.len() as i32);
        status.completed_indexes = Some(format_indexes(&succeeded_indexes));
    } else {
        status.succeeded = Some(status.succeeded.unwrap_or(0) + new_ok);
    }
    status.failed = Some(status.failed.unwrap_or(0) + new_fail);
    for name in &release {
        untrack(&mut w.controllers.job, &key.namespace, name);
        let _ = w.store.modify(Kind::Pod, &key.namespace, name, |o| {
            if let Some(f) = o.meta_mut().finalizers.as_mut() {
                f.retain(|f| f != TRACKING_FINALIZER);
                if f.is_empty() {
                    o.meta_mut().finalizers = None;
                }
            }
        });
    }
    w.controllers.job.backoff.insert(key.clone(), backoff);

    let mut final_condition: Option<JobCondition> = None;
    if let Some(c) = finished {
        match c.type_.as_str() {
            "FailureTarget" => {
                conds.push(c.clone());
                final_condition = Some(new_condition(
                    "Failed",
                    "True",
                    c.reason.as_deref().unwrap_or(""),
                    c.message.as_deref().unwrap_or(""),
                    now,
                ));
            }
            "SuccessCriteriaMet" => {
                if find_condition(&conds, "SuccessCriteriaMet").is_none() {
                    conds.push(c.clone());
                }
                final_condition = Some(new_condition(
                    "Complete",
                    "True",
                    c.reason.as_deref().unwrap_or(""),
                    c.message.as_deref().unwrap_or(""),
                    now,
                ));
            }
            _ => final_condition = Some(c),
        }
    }
    // enactJobFinished: only once nothing is terminating any more.
    let mut job_finished: Option<JobCondition> = None;
    if let Some(c) = final_condition {
        if terminating == 0 {
            ensure_condition(
                &mut conds,
                &c.type_,
                &c.status,
                c.reason.as_deref().unwrap_or(""),
                c.message.as_deref().unwrap_or(""),
                now,
            );
            if c.type_ == "Complete" {
                status.completion_time = Some(now.time());
            }
            job_finished = Some(c);
        }
        // Otherwise the terminating pods' deletion wakes the Job again.
    }

    status.active = Some(active).filter(|a| *a > 0);
    status.ready = Some(ready.max(0));
    status.terminating = Some(terminating.max(0));
    status.succeeded = status.succeeded.filter(|s| *s > 0);
    status.failed = status.failed.filter(|f| *f > 0);
    status.completed_indexes = status.completed_indexes.filter(|_| indexed);
    status.uncounted_terminated_pods = Some(UncountedTerminatedPods::default());
    status.conditions = Some(conds).filter(|c| !c.is_empty());
    let new_status: JobStatus = status;
    let _ = w.store.modify(Kind::Job, &key.namespace, &key.name, |o| {
        if let Object::Job(j) = o {
            j.status = Some(new_status.clone());
        }
    });
    if let Some(c) = job_finished {
        let stored = match w.store.get(Kind::Job, &key.namespace, &key.name) {
            Some(Object::Job(j)) => j.clone(),
            _ => job.clone(),
        };
        if c.type_ == "Complete" {
            record(w, &stored, EventType::Normal, "Completed", "Job completed");
        } else {
            record(
                w,
                &stored,
                EventType::Warning,
                c.reason.as_deref().unwrap_or(""),
                c.message.as_deref().unwrap_or(""),
            );
        }
        ttl_after_finished(w, &stored, key);
    }
}

/// `manageJob`: deletes surplus pods, or creates missing ones once the back-off allows.
/// Returns the number of active pods afterwards.
#[allow(clippy::too_many_arguments)]
fn manage_job(
    w: &mut World,
    job: &Job,
    key: &ObjKey,
    active_pods: &[&Pod],
    succeeded: i32,
    succeeded_indexes: &BTreeSet<i32>,
    backoff: &BackoffRecord,
    terminating: &mut i32,
    ready: &mut i32,
) -> i32 {
    let now = w.now;
    let Some(spec) = job.spec.as_ref() else { return active_pods.len() as i32 };
    let job_obj = Object::Job(Box::new(job.clone()));
    let mut active = active_pods.len() as i32;
    let parallelism = spec.parallelism.unwrap_or(1).max(0);
    let indexed = spec.completion_mode.as_deref() == Some("Indexed");
    // deleteJobPods: the finalizer goes first, so a pod removed on purpose is not counted.
    let mut delete = |w: &mut World, pods: Vec<&Pod>, active: &mut i32| {
        for p in pods {
            let name = p.metadata.name.clone().unwrap_or_default();
            untrack(&mut w.controllers.job, &key.namespace, &name);
            let _ = w.store.modify(Kind::Pod, &key.namespace, &name, |o| {
                if let Some(f) = o.meta_mut().finalizers.as_mut() {
                    f.retain(|f| f != TRACKING_FINALIZER);
                    if f.is_empty() {
                        o.meta_mut().finalizers = None;
                    }
                }
            });
            if podcontrol::delete_pod(w, &job_obj, &key.namespace, &name, COMPONENT) {
                *active -= 1;
                *terminating += 1;
                if podcontrol::is_ready(p) {
                    *ready -= 1;
                }
            }
        }
    };
    if spec.suspend == Some(true) {
        delete(w, active_pods.to_vec(), &mut active);
        return active;
    }
    let want_active = match spec.completions {
        None => {
            if succeeded > 0 {
                active
            } else {
                parallelism
            }
        }
        Some(c) => (c - succeeded).clamp(0, parallelism),
    };
    // Pods to remove: duplicated or out-of-range indexes first, then the surplus.
    let mut rm: Vec<&Pod> = Vec::new();
    let mut left: Vec<&Pod> = Vec::new();
    if indexed {
        let c = spec.completions.unwrap_or(0);
        let mut by_index: BTreeMap<i32, Vec<&Pod>> = BTreeMap::new();
        for p in active_pods {
            match completion_index(p).filter(|i| *i < c && !succeeded_indexes.contains(i)) {
                Some(i) => by_index.entry(i).or_default().push(p),
                None => rm.push(p),
            }
        }
        for (_, mut ps) in by_index {
            ps.sort_by_key(|p| removal_rank(p));
            let keep = ps.pop();
            rm.extend(ps);
            left.extend(keep);
        }
    } else {
        left = active_pods.to_vec();
    }
    let rm_at_least = (active - want_active).max(0) as usize;
    if rm.len() < rm_at_least {
        left.sort_by_key(|p| removal_rank(p));
        let n = rm_at_least - rm.len();
        rm.extend(left.into_iter().take(n));
    }
    if !rm.is_empty() {
        delete(w, rm, &mut active);
        return active;
    }
    let term = if only_replace_failed(job) { *terminating } else { 0 };
    let diff = want_active - term - active;
    if diff <= 0 {
        return active;
    }
    let remaining = backoff.remaining_s(now);
    if remaining > 0 {
        w.controllers.job.due.add_at(key, now.plus_s(remaining));
        return active;
    }
    let mut template = spec.template.clone();
    let indexes: Vec<Option<i32>> = if indexed {
        // firstPendingIndexes: the lowest indexes neither succeeded nor running.
        let c = spec.completions.unwrap_or(0);
        let running: BTreeSet<i32> = active_pods.iter().filter_map(|p| completion_index(p)).collect();
        (0..c)
            .filter(|i| !succeeded_indexes.contains(i) && !running.contains(i))
            .take(diff as usize)
            .map(Some)
            .collect()
    } else {
        vec![None; diff as usize]
    };
    if indexed {
        add_completion_index_env(&mut template);
    }
    let tm = template.metadata.get_or_insert_with(Default::default);
    let fins = tm.finalizers.get_or_insert_with(Vec::new);
    if !fins.iter().any(|f| f == TRACKING_FINALIZER) {
        fins.push(TRACKING_FINALIZER.to_string());
    }
    let name = key.name.clone();
    for index in indexes {
        let mut t = template.clone();
        let generate_name = match index {
            Some(i) => {
                let tm = t.metadata.get_or_insert_with(Default::default);
                tm.annotations.get_or_insert_with(BTreeMap::new).insert(COMPLETION_INDEX.into(), i.to_string());
                tm.labels.get_or_insert_with(BTreeMap::new).insert(COMPLETION_INDEX.into(), i.to_string());
                if let Some(s) = t.spec.as_mut() {
                    s.hostname = Some(format!("{name}-{i}"));
                }
                generate_name_prefix(&format!("{name}-{i}-"))
            }
            None => generate_name_prefix(&format!("{name}-")),
        };
        let pod = podcontrol::pod_from_template(&t, &job_obj, None, &generate_name);
        if podcontrol::create_pod(w, &job_obj, pod, COMPONENT).is_ok() {
            active += 1;
        } else {
            // The slow start stops at the first failure; the next sync tries again.
            w.controllers.job.due.add_at(key, now.plus_s(1));
            break;
        }
    }
    active
}

/// `names.SimpleNameGenerator`: a generateName prefix is cut to leave room for the 5 random
/// characters within 63.
fn generate_name_prefix(prefix: &str) -> String {
    const MAX_GENERATED_NAME_LENGTH: usize = 63 - 5;
    prefix.chars().take(MAX_GENERATED_NAME_LENGTH).collect()
}

/// `addCompletionIndexEnvVariables`: JOB_COMPLETION_INDEX from the index annotation.
fn add_completion_index_env(t: &mut k8s_openapi::api::core::v1::PodTemplateSpec) {
    let Some(spec) = t.spec.as_mut() else { return };
    for c in spec.init_containers.iter_mut().flatten().chain(spec.containers.iter_mut()) {
        let env = c.env.get_or_insert_with(Vec::new);
        if env.iter().any(|e| e.name == "JOB_COMPLETION_INDEX") {
            continue;
        }
        env.push(EnvVar {
            name: "JOB_COMPLETION_INDEX".into(),
            value: None,
            value_from: Some(EnvVarSource {
                field_ref: Some(ObjectFieldSelector {
                    api_version: Some("v1".into()),
                    field_path: format!("metadata.annotations['{COMPLETION_INDEX}']"),
                }),
                ..Default::default()
            }),
        });
    }
}

/// The TTL-after-finished controller: a finished Job with `ttlSecondsAfterFinished` is
/// deleted that long after it finished (its pods go with it, by the garbage collector).
fn ttl_after_finished(w: &mut World, job: &Job, key: &ObjKey) {
    let Some(ttl) = job.spec.as_ref().and_then(|s| s.ttl_seconds_after_finished) else { return };
    if job.metadata.deletion_timestamp.is_some() {
        return;
    }
    let conds = job.status.as_ref().and_then(|s| s.conditions.as_deref()).unwrap_or_default();
    let finish = conds
        .iter()
        .filter(|c| (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True")
        .filter_map(|c| c.last_transition_time.as_ref().map(tick_of))
        .max();
    let Some(finish) = finish else { return };
    let expire = finish.plus_s(ttl.max(0) as u64);
    if w.now >= expire {
        let _ = w.api_delete(Kind::Job, &key.namespace, &key.name, None, WriteOptions::default());
    } else {
        w.controllers.job.due.add_at(key, expire);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_indexes_are_printed_like_the_api() {
        let s: BTreeSet<i32> = [0, 1, 2, 4, 6, 7, 9].into_iter().collect();
        assert_eq!(format_indexes(&s), "0-2,4,6,7,9");
        assert_eq!(parse_indexes("0-2,4,6,7,9", 8), [0, 1, 2, 4, 6, 7].into_iter().collect());
        assert_eq!(format_indexes(&BTreeSet::new()), "");
    }

    #[test]
    fn pod_failure_backoff_doubles_from_ten_seconds() {
        let mut b = BackoffRecord { failures_after_last_success: 1, last_failure: Some(Tick(100)) };
        assert_eq!(b.remaining_s(Tick(101)), 9);
        b.failures_after_last_success = 3;
        assert_eq!(b.remaining_s(Tick(100)), 40);
        b.failures_after_last_success = 12;
        assert_eq!(b.remaining_s(Tick(100)), 600);
        assert_eq!(b.remaining_s(Tick(800)), 0);
    }
}
