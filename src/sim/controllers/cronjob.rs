//! The cronjob controller (`pkg/controller/cronjob`, the v2 controller of v1.32): Jobs named
//! `<cronjob>-<scheduled time in unix minutes>` made from the job template at each schedule
//! time of simulated wall-clock time, `concurrencyPolicy` Allow/Forbid/Replace, `suspend`,
//! `startingDeadlineSeconds`, `timeZone`, the history limits (3 successful, 1 failed by
//! default), `.status.active`/`lastScheduleTime`/`lastSuccessfulTime` and the controller's
//! events.
//!
//! Schedules are parsed with the `croner` crate (5-field Vixie cron with names, steps, ranges
//! and the `@hourly`-style descriptors, as robfig/cron's `ParseStandard`), evaluated in the
//! CronJob's `timeZone` with `chrono-tz`. A CronJob is looked at when it or one of its Jobs
//! changes, and at its next schedule time (a due-time queue), never by polling.

use std::collections::BTreeSet;
use std::str::FromStr;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use croner::parser::{CronParser, Seconds, Year};
use croner::Cron;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

use super::informer::{controller_ref, Cursor, DueQueue, OwnerIndex};
use super::job::is_finished;
use super::podcontrol::controller_ref_to;
use crate::sim::api::WriteOptions;
use crate::sim::clock::START_UNIX_S;
use crate::sim::events::{object_reference, EventType, Source};
use crate::sim::store::Change;
use crate::sim::{Kind, ObjKey, Object, Tick, World};

const COMPONENT: &str = "cronjob-controller";
pub const SCHEDULED_TIMESTAMP: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/// The cronjob controller's caches and queue.
#[derive(Clone, Debug, Default)]
pub struct State {
    cursor: Cursor,
    jobs: OwnerIndex,
    due: DueQueue,
}

/// A parsed schedule in its time zone.
pub struct Schedule {
    cron: Cron,
    tz: Tz,
}

impl Schedule {
    /// `cron.ParseStandard` on the schedule, in `time_zone` (UTC when None).
    pub fn parse(schedule: &str, time_zone: Option<&str>) -> Result<Schedule, String> {
        let tz = match time_zone {
            None => Tz::UTC,
            Some(name) => Tz::from_str(name).map_err(|_| format!("unknown time zone {name}"))?,
        };
        let cron = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .sloppy_ranges(true)
            .build()
            .parse(schedule)
            .map_err(|e| e.to_string())?;
        Ok(Schedule { cron, tz })
    }

    /// `Schedule.Next`: the first schedule time strictly after `t` (unix seconds).
    pub fn next(&self, t: i64) -> Option<i64> {
        let at = self.tz.from_utc_datetime(&DateTime::<Utc>::from_timestamp(t, 0)?.naive_utc());
        self.cron.find_next_occurrence(&at, false).ok().map(|d| d.timestamp())
    }
}

/// Runs the controller: syncs the CronJobs whose CronJob or Jobs changed, and those due now.
pub fn reconcile(w: &mut World) {
    let now = w.now;
    let mut dirty: BTreeSet<ObjKey> = BTreeSet::new();
    {
        let World { store, controllers, .. } = w;
        let st = &mut controllers.cronjob;
        match st.cursor.drain_of(store, &[Kind::CronJob, Kind::Job]) {
            Some(events) => {
                for ev in events {
                    match ev.kind {
                        Kind::CronJob => {
                            dirty.insert((*ev.key).clone());
                        }
                        Kind::Job => {
                            let obj = store.get(Kind::Job, &ev.key.namespace, &ev.key.name);
                            if obj.is_none() && ev.change != Change::Deleted {
                                continue;
                            }
                            dirty.extend(st.jobs.observe(&ev.key, obj, Kind::CronJob));
                        }
                        _ => {}
                    }
                }
            }
            None => {
                st.jobs.clear();
                for o in store.list(Kind::Job, None) {
                    st.jobs.observe(&o.key(), Some(o), Kind::CronJob);
                }
                dirty.extend(store.list(Kind::CronJob, None).iter().map(|o| o.key()));
            }
        }
        dirty.extend(st.due.pop_due(now));
    }
    for key in dirty {
        sync(w, &key);
    }
}

fn record(w: &mut World, cj: &CronJob, t: EventType, reason: &str, msg: &str) {
    let reference = object_reference(&Object::CronJob(Box::new(cj.clone())), None);
    w.record_event(reference, t, reason, msg, Source::controller(COMPONENT));
}

fn unix_to_tick(t: i64) -> Tick {
    Tick((t - START_UNIX_S).max(0) as u64)
}

fn job_name(cj: &CronJob, scheduled_unix: i64) -> String {
    format!("{}-{}", cj.metadata.name.as_deref().unwrap_or(""), scheduled_unix / 60)
}

/// `mostRecentScheduleTime`: the earliest time considered, the latest schedule time at or
/// before `now` (None if none), and about how many were missed.
fn most_recent_schedule_time(
    cj: &CronJob,
    now: i64,
    sched: &Schedule,
    include_starting_deadline: bool,
) -> Result<(i64, Option<i64>, i64), String> {
    let status = cj.status.as_ref();
    let mut earliest = match status.and_then(|s| s.last_schedule_time.as_ref()) {
        Some(t) => t.0.timestamp(),
        None => cj.metadata.creation_timestamp.as_ref().map(|t| t.0.timestamp()).unwrap_or(now),
    };
    if include_starting_deadline {
        if let Some(sds) = cj.spec.as_ref().and_then(|s| s.starting_deadline_seconds) {
            earliest = earliest.max(now - sds);
        }
    }
    let Some(t1) = sched.next(earliest) else { return Ok((earliest, None, 0)) };
    let Some(t2) = sched.next(t1) else { return Ok((earliest, if now < t1 { None } else { Some(t1) }, 1)) };
    if now < t1 {
        return Ok((earliest, None, 0));
    }
    if now < t2 {
        return Ok((earliest, Some(t1), 1));
    }
    let between = t2 - t1;
    if between < 1 {
        return Err("time difference between two schedules is less than 1 second".into());
    }
    let missed = (now - t1) / between + 1;
    // Go back one interval more than the estimate and walk forward, so irregular schedules
    // (`30 6-16/4 * * 1-5`) land on a real schedule time.
    let mut t = t1 + (missed - 2) * between;
    let mut most_recent = None;
    // Bounded: at most a couple of intervals past the estimate.
    for _ in 0..10_000 {
        match sched.next(t) {
            Some(n) if n <= now => {
                most_recent = Some(n);
                t = n;
            }
            _ => break,
        }
    }
    if most_recent.is_none() {
        // Walk from the beginning when the estimate overshot.
        let mut t = earliest;
        for _ in 0..10_000 {
            match sched.next(t) {
                Some(n) if n <= now => {
                    most_recent = Some(n);
                    t = n;
                }
                _ => break,
            }
        }
    }
    Ok((earliest, most_recent, missed))
}

/// `nextScheduleTimeDuration`, as the tick to look again.
fn next_schedule_tick(cj: &CronJob, now: i64, sched: &Schedule) -> Option<Tick> {
    match most_recent_schedule_time(cj, now, sched, false) {
        Err(_) => Some(unix_to_tick(now + 1)),
        Ok((earliest, recent, _)) => sched.next(recent.unwrap_or(earliest)).map(unix_to_tick),
    }
}

fn job_ref(job: &Object) -> ObjectReference {
    let m = job.meta();
    ObjectReference {
        api_version: Some("batch/v1".into()),
        kind: Some("Job".into()),
        name: m.name.clone(),
        namespace: m.namespace.clone(),
        resource_version: m.resource_version.clone(),
        uid: m.uid.clone(),
        field_path: None,
    }
}

/// Deletes a Job of the CronJob (background propagation) and forgets it in `.status.active`.
fn delete_job(w: &mut World, cj: &mut CronJob, job: &Job) -> bool {
    let ns = job.metadata.namespace.clone().unwrap_or_default();
    let name = job.metadata.name.clone().unwrap_or_default();
    match w.api_delete(Kind::Job, &ns, &name, None, WriteOptions::default()) {
        Ok(_) => {
            if let Some(status) = cj.status.as_mut() {
                if let Some(active) = status.active.as_mut() {
                    active.retain(|r| r.uid != job.metadata.uid);
                }
            }
            record(w, cj, EventType::Normal, "SuccessfulDelete", &format!("Deleted job {name}"));
            true
        }
        Err(e) => {
            record(w, cj, EventType::Warning, "FailedDelete", &format!("Deleted job: {}", e.message));
            false
        }
    }
}

/// `byJobStartTime`: started first, then by name; jobs never started last.
fn by_start_time(a: &Job, b: &Job) -> std::cmp::Ordering {
    let sa = a.status.as_ref().and_then(|s| s.start_time.as_ref()).map(|t| t.0);
    let sb = b.status.as_ref().and_then(|s| s.start_time.as_ref()).map(|t| t.0);
    match (sa, sb) {
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (Some(_), None) => std::cmp::Ordering::Less,
        (x, y) if x == y => a.metadata.name.cmp(&b.metadata.name),
        (x, y) => x.cmp(&y),
    }
}

/// One `sync`: history clean-up, then `syncCronJob`, then one status write.
fn sync(w: &mut World, key: &ObjKey) {
    let Some(Object::CronJob(original)) = w.store.get(Kind::CronJob, &key.namespace, &key.name).cloned() else {
        return;
    };
    let mut cj = original.clone();
    let jobs: Vec<Job> = w
        .controllers
        .cronjob
        .jobs
        .owned(key)
        .iter()
        .filter_map(|k| w.store.get(Kind::Job, &k.namespace, &k.name))
        .filter(|o| controller_ref(o, Kind::CronJob).is_some_and(|r| r.name == key.name))
        .filter_map(|o| match o {
            Object::Job(j) => Some((**j).clone()),
            _ => None,
        })
        .collect();
    cleanup_finished_jobs(w, &mut cj, &jobs);
    // Jobs deleted by the clean-up are gone from the list syncCronJob sees next time only;
    // it tolerates finished ones either way.
    let requeue = sync_cron_job(w, &mut cj, &jobs);
    if cj.status != original.status {
        let status = cj.status.clone();
        let _ = w.store.modify(Kind::CronJob, &key.namespace, &key.name, |o| {
            if let Object::CronJob(c) = o {
                c.status = status.clone();
            }
        });
    }
    if let Some(t) = requeue {
        let t = if t <= w.now { w.now.plus_s(1) } else { t };
        w.controllers.cronjob.due.add_at(key, t);
    }
}

fn cleanup_finished_jobs(w: &mut World, cj: &mut CronJob, jobs: &[Job]) {
    let spec = cj.spec.clone().unwrap_or_default();
    if spec.successful_jobs_history_limit.is_none() && spec.failed_jobs_history_limit.is_none() {
        return;
    }
    let mut ok: Vec<&Job> = jobs.iter().filter(|j| is_finished(j) == Some("Complete")).collect();
    let mut failed: Vec<&Job> = jobs.iter().filter(|j| is_finished(j) == Some("Failed")).collect();
    for (list, limit) in [(&mut ok, spec.successful_jobs_history_limit), (&mut failed, spec.failed_jobs_history_limit)]
    {
        let Some(limit) = limit else { continue };
        let n = list.len() as i64 - limit.max(0) as i64;
        if n <= 0 {
            continue;
        }
        list.sort_by(|a, b| by_start_time(a, b));
        for j in list.iter().take(n as usize) {
            delete_job(w, cj, j);
        }
    }
}

/// `syncCronJob`: returns when to look again.
fn sync_cron_job(w: &mut World, cj: &mut CronJob, jobs: &[Job]) -> Option<Tick> {
    let now_tick = w.now;
    let now = now_tick.unix_s();
    let status = cj.status.get_or_insert_with(Default::default);
    let mut children: BTreeSet<String> = BTreeSet::new();
    let mut events: Vec<(EventType, &str, String)> = Vec::new();
    for j in jobs {
        let uid = j.metadata.uid.clone().unwrap_or_default();
        children.insert(uid.clone());
        let found = status.active.iter().flatten().any(|r| r.uid.as_deref() == Some(uid.as_str()));
        let finished = is_finished(j);
        let name = j.metadata.name.clone().unwrap_or_default();
        if !found && finished.is_none() {
            events.push((
                EventType::Warning,
                "UnexpectedJob",
                format!("Saw a job that the controller did not create or forgot: {name}"),
            ));
        } else if found && finished.is_some() {
            if let Some(a) = status.active.as_mut() {
                a.retain(|r| r.uid.as_deref() != Some(uid.as_str()));
            }
            events.push((
                EventType::Normal,
                "SawCompletedJob",
                format!("Saw completed job: {name}, status: {}", finished.unwrap_or("")),
            ));
        } else if finished == Some("Complete") {
            let ct = j.status.as_ref().and_then(|s| s.completion_time.clone());
            if let Some(ct) = ct {
                if status.last_successful_time.as_ref().is_none_or(|l| ct.0 > l.0) {
                    status.last_successful_time = Some(ct);
                }
            }
        }
        // Go checks the last successful time only in the `else` branch above, so a Job seen
        // completing in this sync updates it on the next one (its status write wakes us).
    }
    // Active jobs that no longer exist.
    let missing: Vec<ObjectReference> = status
        .active
        .iter()
        .flatten()
        .filter(|r| !children.contains(r.uid.as_deref().unwrap_or("")))
        .cloned()
        .collect();
    for r in missing {
        let name = r.name.clone().unwrap_or_default();
        let ns = r.namespace.clone().unwrap_or_default();
        if w.store.get(Kind::Job, &ns, &name).is_none() {
            events.push((EventType::Normal, "MissingJob", format!("Active job went missing: {name}")));
            if let Some(a) = status.active.as_mut() {
                a.retain(|x| x.uid != r.uid);
            }
        }
    }
    if status.active.as_ref().is_some_and(|a| a.is_empty()) {
        status.active = None;
    }
    for (t, reason, msg) in events {
        record(w, cj, t, reason, &msg);
    }
    if cj.metadata.deletion_timestamp.is_some() {
        return None;
    }
    let spec = cj.spec.clone().unwrap_or_default();
    if let Some(tz) = spec.time_zone.as_deref() {
        if Tz::from_str(tz).is_err() {
            record(
                w,
                cj,
                EventType::Warning,
                "UnknownTimeZone",
                &format!("invalid timeZone: {tz:?}: unknown time zone {tz}"),
            );
            return None;
        }
    }
    if spec.suspend == Some(true) {
        return None;
    }
    let sched = match Schedule::parse(&spec.schedule, spec.time_zone.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            record(
                w,
                cj,
                EventType::Warning,
                "UnparseableSchedule",
                &format!("unparseable schedule: {:?} : {e}", spec.schedule),
            );
            return None;
        }
    };
    // nextScheduleTime.
    let scheduled = match most_recent_schedule_time(cj, now, &sched, true) {
        Err(e) => {
            record(w, cj, EventType::Warning, "InvalidSchedule", &format!("invalid schedule: {} : {e}", spec.schedule));
            return None;
        }
        Ok((_, None, _)) => return next_schedule_tick(cj, now, &sched),
        Ok((_, Some(t), missed)) => {
            if missed > 100 {
                record(
                    w,
                    cj,
                    EventType::Warning,
                    "TooManyMissedTimes",
                    &format!("too many missed start times: {missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew"),
                );
            }
            t
        }
    };
    if let Some(sds) = spec.starting_deadline_seconds {
        if scheduled + sds < now {
            let at = Utc.timestamp_opt(scheduled, 0).single().unwrap_or_default();
            record(
                w,
                cj,
                EventType::Warning,
                "MissSchedule",
                &format!("Missed scheduled time to start a job: {}", at.format("%a, %d %b %Y %H:%M:%S %z")),
            );
            return next_schedule_tick(cj, now, &sched);
        }
    }
    let name = job_name(cj, scheduled);
    let status = cj.status.get_or_insert_with(Default::default);
    let already = status.active.iter().flatten().any(|r| r.name.as_deref() == Some(name.as_str()))
        || status.last_schedule_time.as_ref().is_some_and(|t| t.0.timestamp() == scheduled);
    if already {
        return next_schedule_tick(cj, now, &sched);
    }
    let active_count = status.active.as_ref().map_or(0, |a| a.len());
    match spec.concurrency_policy.as_deref() {
        Some("Forbid") if active_count > 0 => {
            record(
                w,
                cj,
                EventType::Normal,
                "JobAlreadyActive",
                "Not starting job because prior execution is running and concurrency policy is Forbid",
            );
            return next_schedule_tick(cj, now, &sched);
        }
        Some("Replace") => {
            let refs: Vec<ObjectReference> = status.active.clone().unwrap_or_default();
            for r in refs {
                let ns = r.namespace.clone().unwrap_or_default();
                let n = r.name.clone().unwrap_or_default();
                let job = match w.store.get(Kind::Job, &ns, &n) {
                    Some(Object::Job(j)) => j.clone(),
                    _ => {
                        record(
                            w,
                            cj,
                            EventType::Warning,
                            "FailedGet",
                            &format!("Get job: jobs.batch \"{n}\" not found"),
                        );
                        return None;
                    }
                };
                if !delete_job(w, cj, &job) {
                    return None;
                }
            }
        }
        _ => {}
    }
    // getJobFromTemplate2.
    let template = spec.job_template.clone();
    let tm = template.metadata.clone().unwrap_or_default();
    let mut annotations = tm.annotations.clone().unwrap_or_default();
    let scheduled_at =
        sched.tz.from_utc_datetime(&Utc.timestamp_opt(scheduled, 0).single().unwrap_or_default().naive_utc());
    annotations.insert(SCHEDULED_TIMESTAMP.into(), scheduled_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let cj_obj = Object::CronJob(Box::new(cj.clone()));
    let job = Job {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(cj.metadata.namespace.clone().unwrap_or_default()),
            labels: tm.labels.clone().filter(|l| !l.is_empty()),
            annotations: Some(annotations),
            owner_references: Some(vec![controller_ref_to(&cj_obj)]),
            ..Default::default()
        },
        spec: template.spec.clone(),
        status: None,
    };
    let created = match w.api_create(Object::Job(Box::new(job)), WriteOptions::default()) {
        Ok(o) => o,
        Err(e) if e.message.ends_with("already exists") => {
            let existing = w.store.get(Kind::Job, cj.metadata.namespace.as_deref().unwrap_or(""), &name).cloned()?;
            let ours =
                controller_ref(&existing, Kind::CronJob).is_some_and(|r| Some(&r.uid) == cj.metadata.uid.as_ref());
            let listed = cj
                .status
                .as_ref()
                .and_then(|s| s.active.as_ref())
                .is_some_and(|a| a.iter().any(|r| r.uid == existing.meta().uid));
            if !ours || listed {
                return None;
            }
            existing
        }
        Err(e) => {
            record(w, cj, EventType::Warning, "FailedCreate", &format!("Error creating job: {}", e.message));
            return None;
        }
    };
    record(w, cj, EventType::Normal, "SuccessfulCreate", &format!("Created job {}", created.name()));
    let status = cj.status.get_or_insert_with(Default::default);
    status.active.get_or_insert_with(Vec::new).push(job_ref(&created));
    status.last_schedule_time = Some(Time(Utc.timestamp_opt(scheduled, 0).single().unwrap_or_default()));
    next_schedule_tick(cj, now, &sched)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).map(|d| d.timestamp()).unwrap_or(0)
    }

    #[test]
    fn schedules_like_robfig_parse_standard() {
        let s = Schedule::parse("*/1 * * * *", None).unwrap();
        assert_eq!(s.next(at("2025-01-01T00:00:00Z")), Some(at("2025-01-01T00:01:00Z")));
        let s = Schedule::parse("@hourly", None).unwrap();
        assert_eq!(s.next(at("2025-01-01T00:00:00Z")), Some(at("2025-01-01T01:00:00Z")));
        let s = Schedule::parse("30 6 * * MON-FRI", None).unwrap();
        // 2025-01-01 is a Wednesday.
        assert_eq!(s.next(at("2025-01-01T07:00:00Z")), Some(at("2025-01-02T06:30:00Z")));
        let s = Schedule::parse("0 9 * * *", Some("Europe/Paris")).unwrap();
        assert_eq!(s.next(at("2025-01-01T00:00:00Z")), Some(at("2025-01-01T08:00:00Z")));
        assert!(Schedule::parse("61 * * * *", None).is_err());
        assert!(Schedule::parse("* * * * * *", None).is_err());
    }

    #[test]
    fn job_names_are_scheduled_unix_minutes() {
        let cj =
            CronJob { metadata: ObjectMeta { name: Some("hello".into()), ..Default::default() }, ..Default::default() };
        assert_eq!(job_name(&cj, at("2025-01-01T00:01:00Z")), "hello-28928161");
    }
}
