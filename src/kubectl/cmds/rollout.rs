//! `kubectl rollout status|history|undo|pause|resume|restart`, as kubectl v1.32 does them:
//! `status` watches the object (advancing the simulated cluster while it waits) and prints
//! the status viewers' lines; `history` lists a Deployment's revisions from its ReplicaSets
//! (`--revision=N` prints that revision's pod template); `undo` copies an old ReplicaSet's
//! template back into the Deployment, client-side, like kubectl's DeploymentRollbacker;
//! `pause`/`resume` flip spec.paused; `restart` stamps `kubectl.kubernetes.io/restartedAt`.
//!
//! DaemonSets and StatefulSets have status viewers and restart; their history and undo need
//! ControllerRevisions and say they are not simulated yet.

use std::collections::BTreeMap;

use clap::{Arg, ArgAction, ArgMatches};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;

use super::{command, dry_run, dry_run_arg, flag, namespace, opt, parse, DryRun};
use crate::kubectl::pod_template::describe_pod_template;
use crate::kubectl::Ctx;
use crate::sim::api::rbac::Attributes;
use crate::sim::api::selector::Selector;
use crate::sim::api::WriteOptions;
use crate::sim::controllers::deployment::util::{
    self as dutil, equal_ignore_hash, ANNOTATIONS_TO_SKIP, POD_TEMPLATE_HASH, REVISION_ANNOTATION,
};
use crate::sim::controllers::pods::{is_controlled_by, labels_of, selector_matches};
use crate::sim::{Kind, Object};

const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

/// `rollout status` without --timeout waits for ever in kubectl; the simulation stops after
/// an hour of simulated time so that a script cannot hang.
const STATUS_WAIT_MAX_S: u64 = 3600;

const ROLLOUT_USAGE: &str = "Manage the rollout of one or many resources.

 Valid resource types include:

  *  deployments
  *  daemonsets
  *  statefulsets

Examples:
  # Rollback to the previous deployment
  kubectl rollout undo deployment/abc

  # Check the rollout status of a daemonset
  kubectl rollout status daemonset/foo

  # Restart a deployment
  kubectl rollout restart deployment/abc

  # Restart deployments with the 'app=nginx' label
  kubectl rollout restart deployment --selector=app=nginx

Available Commands:
  history       View rollout history
  pause         Mark the provided resource as paused
  restart       Restart a resource
  resume        Resume a paused resource
  status        Show the status of the rollout
  undo          Undo a previous rollout

Usage:
  kubectl rollout SUBCOMMAND [options]

Use \"kubectl rollout <command> --help\" for more information about a given command.
Use \"kubectl options\" for a list of global command-line options (applies to all commands).
";

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let Some(sub) = args.first() else {
        ctx.out.out(ROLLOUT_USAGE);
        return;
    };
    let rest = &args[1..];
    match sub.as_str() {
        "status" => status(ctx, rest),
        "history" => history(ctx, rest),
        "undo" => undo(ctx, rest),
        "pause" => pause_resume(ctx, rest, true),
        "resume" => pause_resume(ctx, rest, false),
        "restart" => restart(ctx, rest),
        "-h" | "--help" => ctx.out.out(ROLLOUT_USAGE),
        other => {
            // cobra runs the parent command (which prints its help) for an unknown subcommand.
            ctx.out.fail(&format!(
                "error: unknown command \"{other}\" for \"kubectl rollout\"\nSee 'kubectl rollout -h' for help and examples"
            ));
        }
    }
}

fn resource_args(cmd: clap::Command) -> clap::Command {
    cmd.arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(Arg::new("selector").short('l').long("selector").num_args(1))
        .arg(Arg::new("filename").short('f').long("filename").num_args(1).action(ArgAction::Append))
        .arg(Arg::new("recursive").short('R').long("recursive").action(ArgAction::SetTrue))
        .arg(Arg::new("output").short('o').long("output").num_args(1))
}

/// Resolves the resource arguments to objects, printing kubectl's errors for missing ones.
fn resolve(ctx: &mut Ctx, m: &ArgMatches, verb: &str) -> Option<Vec<Object>> {
    if m.get_many::<String>("filename").is_some() {
        ctx.out.fail(&format!(
            "error: kubedojo does not simulate \"kubectl rollout {verb} -f\" yet; name the resource instead"
        ));
        return None;
    }
    let ns = namespace(ctx, m);
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    let targets = match super::get::targets(&positional) {
        Ok(t) => t,
        Err(e) => {
            ctx.out.fail(&e);
            return None;
        }
    };
    if targets.items.is_empty() {
        ctx.out.fail(&format!(
            "error: required resource not specified\nSee 'kubectl rollout {verb} -h' for help and examples"
        ));
        return None;
    }
    let selector = match Selector::parse(m.get_one::<String>("selector").map(String::as_str).unwrap_or("")) {
        Ok(s) => s,
        Err(e) => {
            ctx.out.fail(&format!("error: {e}"));
            return None;
        }
    };
    let mut objs = Vec::new();
    for (kind, name) in &targets.items {
        let k_ns = if kind.namespaced() { ns.as_str() } else { "" };
        match name {
            Some(n) => {
                if let Err(e) = super::auth::authorize_read(ctx, *kind, k_ns, Some(n)) {
                    ctx.out.fail(&e);
                    return None;
                }
                match ctx.world.store.get(*kind, k_ns, n) {
                    Some(o) => objs.push(o.clone()),
                    None => {
                        ctx.out.fail(&super::get::not_found(*kind, n));
                        return None;
                    }
                }
            }
            None => {
                if selector.is_empty() && verb != "restart" && verb != "pause" && verb != "resume" {
                    ctx.out.fail("error: resource(s) were provided, but no name was specified");
                    return None;
                }
                if let Err(e) = super::auth::authorize_read(ctx, *kind, k_ns, None) {
                    ctx.out.fail(&e);
                    return None;
                }
                for o in ctx.world.store.list(*kind, if kind.namespaced() { Some(k_ns) } else { None }) {
                    if selector.matches(&o.meta().labels.clone().unwrap_or_default()) {
                        objs.push(o.clone());
                    }
                }
            }
        }
    }
    if objs.is_empty() {
        ctx.out.fail(&format!("error: no resources found in {ns} namespace"));
        return None;
    }
    Some(objs)
}

fn label(o: &Object) -> String {
    format!("{}/{}", o.kind().qualified_singular(), o.name())
}

/// `<resource>.<group> "name"`, as pause/resume/restart errors name an object.
fn resource_quoted(o: &Object) -> String {
    format!("{} \"{}\"", o.kind().qualified_plural(), o.name())
}

// ---- status ----

/// The status viewers of kubectl's polymorphichelpers: (message, done) or an error.
fn status_of(o: &Object, revision: i64) -> Result<(String, bool), String> {
    match o {
        Object::Deployment(d) => deployment_status(d, revision),
        Object::DaemonSet(ds) => daemon_set_status(ds),
        Object::StatefulSet(sts) => stateful_set_status(sts),
        other => Err(format!("no status viewer has been implemented for {}", group_kind(other.kind()))),
    }
}

fn group_kind(k: Kind) -> String {
    if k.group().is_empty() {
        k.name().to_string()
    } else {
        format!("{}.{}", k.name(), k.group())
    }
}

fn deployment_status(d: &Deployment, revision: i64) -> Result<(String, bool), String> {
    let name = d.metadata.name.clone().unwrap_or_default();
    if revision > 0 {
        let rev = d
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(REVISION_ANNOTATION))
            .map_or(Ok(0), |v| v.parse::<i64>())
            .map_err(|e| format!("cannot get the revision of deployment {name:?}: {e}"))?;
        if rev != revision {
            return Err(format!("desired revision ({revision}) is different from the running revision ({rev})"));
        }
    }
    let st = d.status.clone().unwrap_or_default();
    if d.metadata.generation.unwrap_or(0) <= st.observed_generation.unwrap_or(0) {
        let cond = dutil::get_condition(&st, "Progressing");
        if cond.is_some_and(|c| c.reason.as_deref() == Some(dutil::TIMED_OUT_REASON)) {
            return Err(format!("deployment {name:?} exceeded its progress deadline"));
        }
        let n = |v: Option<i32>| v.unwrap_or(0);
        let (updated, replicas, available) = (n(st.updated_replicas), n(st.replicas), n(st.available_replicas));
        if let Some(want) = d.spec.as_ref().and_then(|s| s.replicas) {
            if updated < want {
                return Ok((
                    format!("Waiting for deployment {name:?} rollout to finish: {updated} out of {want} new replicas have been updated...\n"),
                    false,
                ));
            }
        }
        if replicas > updated {
            return Ok((
                format!(
                    "Waiting for deployment {name:?} rollout to finish: {} old replicas are pending termination...\n",
                    replicas - updated
                ),
                false,
            ));
        }
        if available < updated {
            return Ok((
                format!("Waiting for deployment {name:?} rollout to finish: {available} of {updated} updated replicas are available...\n"),
                false,
            ));
        }
        return Ok((format!("deployment {name:?} successfully rolled out\n"), true));
    }
    Ok(("Waiting for deployment spec update to be observed...\n".to_string(), false))
}

fn daemon_set_status(ds: &DaemonSet) -> Result<(String, bool), String> {
    let name = ds.metadata.name.clone().unwrap_or_default();
    let strategy = ds.spec.as_ref().and_then(|s| s.update_strategy.as_ref()).and_then(|s| s.type_.clone());
    if strategy.as_deref() != Some("RollingUpdate") {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    let st = ds.status.clone().unwrap_or_default();
    if ds.metadata.generation.unwrap_or(0) <= st.observed_generation.unwrap_or(0) {
        let updated = st.updated_number_scheduled.unwrap_or(0);
        let desired = st.desired_number_scheduled;
        if updated < desired {
            return Ok((
                format!("Waiting for daemon set {name:?} rollout to finish: {updated} out of {desired} new pods have been updated...\n"),
                false,
            ));
        }
        let available = st.number_available.unwrap_or(0);
        if available < desired {
            return Ok((
                format!("Waiting for daemon set {name:?} rollout to finish: {available} of {desired} updated pods are available...\n"),
                false,
            ));
        }
        return Ok((format!("daemon set {name:?} successfully rolled out\n"), true));
    }
    Ok(("Waiting for daemon set spec update to be observed...\n".to_string(), false))
}

fn stateful_set_status(sts: &StatefulSet) -> Result<(String, bool), String> {
    let spec = sts.spec.clone().unwrap_or_default();
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    if strategy.type_.as_deref() != Some("RollingUpdate") {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    let st = sts.status.clone().unwrap_or_default();
    let observed = st.observed_generation.unwrap_or(0);
    if observed == 0 || sts.metadata.generation.unwrap_or(0) > observed {
        return Ok(("Waiting for statefulset spec update to be observed...\n".to_string(), false));
    }
    let ready = st.ready_replicas.unwrap_or(0);
    if let Some(r) = spec.replicas {
        if ready < r {
            return Ok((format!("Waiting for {} pods to be ready...\n", r - ready), false));
        }
    }
    let updated = st.updated_replicas.unwrap_or(0);
    if let Some(ru) = &strategy.rolling_update {
        if let (Some(r), Some(p)) = (spec.replicas, ru.partition) {
            if updated < r - p {
                return Ok((
                    format!("Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...\n", r - p),
                    false,
                ));
            }
        }
        return Ok((format!("partitioned roll out complete: {updated} new pods have been updated...\n"), true));
    }
    let update_rev = st.update_revision.clone().unwrap_or_default();
    let current_rev = st.current_revision.clone().unwrap_or_default();
    if update_rev != current_rev {
        return Ok((
            format!("waiting for statefulset rolling update to complete {updated} pods at revision {update_rev}...\n"),
            false,
        ));
    }
    Ok((
        format!(
            "statefulset rolling update complete {} pods at revision {current_rev}...\n",
            st.current_replicas.unwrap_or(0)
        ),
        true,
    ))
}

fn status(ctx: &mut Ctx, args: &[String]) {
    let cmd = resource_args(command("status"))
        .arg(
            Arg::new("watch")
                .short('w')
                .long("watch")
                .num_args(0..=1)
                .require_equals(true)
                .default_missing_value("true"),
        )
        .arg(opt("revision"))
        .arg(opt("timeout"));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let watch = m.get_one::<String>("watch").is_none_or(|v| v != "false");
    let revision: i64 = match m.get_one::<String>("revision").map(|v| v.parse::<i64>()) {
        None => 0,
        Some(Ok(r)) => r,
        Some(Err(_)) => {
            let v = m.get_one::<String>("revision").cloned().unwrap_or_default();
            return ctx.out.fail(&format!(
                "error: invalid argument \"{v}\" for \"--revision\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl rollout status --help' for usage."
            ));
        }
    };
    if revision < 0 {
        return ctx.out.fail("error: revision must be a positive integer: -1");
    }
    let timeout_s = match m.get_one::<String>("timeout") {
        None => None,
        Some(t) => match super::wait::parse_duration_s(t) {
            Some(0) => None,
            Some(s) => Some(s),
            None => {
                return ctx.out.fail(&format!(
                    "error: invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\"\nSee 'kubectl rollout status --help' for usage."
                ))
            }
        },
    };
    let Some(objs) = resolve(ctx, &m, "status") else { return };
    if objs.len() > 1 {
        return ctx.out.fail("error: rollout status is only supported on individual resources and resource collections - 2 resources were found");
    }
    let obj = &objs[0];
    let (kind, ns, name) = (obj.kind(), obj.namespace().to_string(), obj.name().to_string());
    // kubectl watches the object: a list and a watch with `metadata.name=<name>`.
    for verb in ["list", "watch"] {
        if let Err(e) = super::auth::authorize_kind(ctx, verb, kind, &ns, &name) {
            return ctx.out.fail(&e);
        }
    }
    let deadline = ctx.world.now.plus_s(timeout_s.unwrap_or(STATUS_WAIT_MAX_S));
    let mut last_rv: Option<String> = None;
    loop {
        let Some(cur) = ctx.world.store.get(kind, &ns, &name).cloned() else {
            return ctx.out.fail("error: object has been deleted");
        };
        // kubectl prints on every watch event of the object (added, then each update).
        if last_rv.as_deref() != cur.meta().resource_version.as_deref() {
            last_rv = cur.meta().resource_version.clone();
            match status_of(&cur, revision) {
                Err(e) => return ctx.out.fail(&format!("error: {e}")),
                Ok((msg, done)) => {
                    ctx.out.out(&msg);
                    if done || !watch {
                        return;
                    }
                }
            }
        }
        if ctx.world.now >= deadline {
            return ctx.out.fail("error: timed out waiting for the condition");
        }
        ctx.world.tick();
    }
}

// ---- history ----

/// `deploymentutil.GetAllReplicaSets` lists the ReplicaSets of the Deployment's namespace.
fn list_replica_sets_allowed(ctx: &Ctx, d: &Deployment) -> Result<(), crate::sim::api::errors::ApiError> {
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    super::auth::authorize_api(ctx, &Attributes::for_kind("list", Kind::ReplicaSet, &ns, ""))
}

/// The ReplicaSets a Deployment controls (`deploymentutil.GetAllReplicaSets`).
fn replica_sets_of(ctx: &Ctx, d: &Deployment) -> Vec<ReplicaSet> {
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let selector = d.spec.as_ref().map(|s| &s.selector);
    ctx.world
        .store
        .list(Kind::ReplicaSet, Some(&ns))
        .into_iter()
        .filter_map(|o| match o {
            Object::ReplicaSet(rs) => Some(&**rs),
            _ => None,
        })
        .filter(|rs| is_controlled_by(&rs.metadata, Kind::Deployment, &uid))
        .filter(|rs| selector_matches(selector, &labels_of(&rs.metadata)))
        .cloned()
        .collect()
}

fn rs_revision(rs: &ReplicaSet) -> Option<i64> {
    match rs.metadata.annotations.as_ref().and_then(|a| a.get(REVISION_ANNOTATION)) {
        None => Some(0),
        Some(v) => v.parse().ok(),
    }
}

/// revision → the ReplicaSet's template with its change-cause, as ViewHistory builds it.
fn history_of(ctx: &Ctx, d: &Deployment) -> BTreeMap<i64, PodTemplateSpec> {
    let mut out = BTreeMap::new();
    for rs in replica_sets_of(ctx, d) {
        let Some(v) = rs_revision(&rs) else { continue };
        let mut t = rs.spec.as_ref().and_then(|s| s.template.clone()).unwrap_or_default();
        if let Some(cause) =
            rs.metadata.annotations.as_ref().and_then(|a| a.get(CHANGE_CAUSE)).filter(|c| !c.is_empty())
        {
            t.metadata
                .get_or_insert_with(Default::default)
                .annotations
                .get_or_insert_with(BTreeMap::new)
                .insert(CHANGE_CAUSE.into(), cause.clone());
        }
        out.insert(v, t);
    }
    out
}

/// Formats rows like a tabwriter with padding 2 (`printers.GetNewTabWriter` / tabbedString).
fn tabbed(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i + 1 < r.len() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
    }
    let mut out = String::new();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            out.push_str(c);
            if i + 1 < r.len() {
                out.push_str(&" ".repeat(widths[i] - c.chars().count() + 2));
            }
        }
        out.push('\n');
    }
    out
}

fn history(ctx: &mut Ctx, args: &[String]) {
    let cmd = resource_args(command("history")).arg(opt("revision"));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let revision: i64 = match m.get_one::<String>("revision").map(|v| v.parse::<i64>()) {
        None => 0,
        Some(Ok(r)) => r,
        Some(Err(_)) => {
            let v = m.get_one::<String>("revision").cloned().unwrap_or_default();
            return ctx.out.fail(&format!(
                "error: invalid argument \"{v}\" for \"--revision\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl rollout history --help' for usage."
            ));
        }
    };
    if revision < 0 {
        return ctx.out.fail(&format!("error: revision must be a positive integer: {revision}"));
    }
    let Some(objs) = resolve(ctx, &m, "history") else { return };
    for o in objs {
        let d = match &o {
            Object::Deployment(d) => d.clone(),
            Object::DaemonSet(_) | Object::StatefulSet(_) => {
                ctx.out.fail(&format!(
                    "error: kubedojo does not simulate \"kubectl rollout history\" of {} yet",
                    o.kind().qualified_plural()
                ));
                continue;
            }
            other => {
                ctx.out
                    .fail(&format!("error: no history viewer has been implemented for {:?}", group_kind(other.kind())));
                continue;
            }
        };
        let name = d.metadata.name.clone().unwrap_or_default();
        if let Err(e) = list_replica_sets_allowed(ctx, &d) {
            ctx.out.fail(&format!("error: failed to retrieve replica sets from deployment {name}: {}", e.message));
            continue;
        }
        let hist = history_of(ctx, &d);
        let text = if hist.is_empty() {
            "No rollout history found.".to_string()
        } else if revision > 0 {
            match hist.get(&revision) {
                Some(t) => describe_pod_template(t),
                None => {
                    ctx.out.fail("error: unable to find the specified revision");
                    continue;
                }
            }
        } else {
            let mut rows = vec![vec!["REVISION".to_string(), "CHANGE-CAUSE".to_string()]];
            for (r, t) in &hist {
                let cause = t
                    .metadata
                    .as_ref()
                    .and_then(|m| m.annotations.as_ref())
                    .and_then(|a| a.get(CHANGE_CAUSE))
                    .cloned()
                    .unwrap_or_else(|| "<none>".into());
                rows.push(vec![r.to_string(), cause]);
            }
            tabbed(&rows)
        };
        let with_revision = if revision > 0 { format!("with revision #{revision}") } else { String::new() };
        ctx.out.out(&format!("{} {with_revision}\n{text}\n", label(&o)));
    }
}

// ---- undo ----

fn undo(ctx: &mut Ctx, args: &[String]) {
    let cmd = dry_run_arg(resource_args(command("undo"))).arg(opt("to-revision"));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let dry = match dry_run(&m) {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    let to_revision: i64 = match m.get_one::<String>("to-revision").map(|v| v.parse::<i64>()) {
        None => 0,
        Some(Ok(r)) => r,
        Some(Err(_)) => {
            let v = m.get_one::<String>("to-revision").cloned().unwrap_or_default();
            return ctx.out.fail(&format!(
                "error: invalid argument \"{v}\" for \"--to-revision\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl rollout undo --help' for usage."
            ));
        }
    };
    let Some(objs) = resolve(ctx, &m, "undo") else { return };
    for o in objs {
        let d = match &o {
            Object::Deployment(d) => d.clone(),
            Object::DaemonSet(_) | Object::StatefulSet(_) => {
                ctx.out.fail(&format!(
                    "error: kubedojo does not simulate \"kubectl rollout undo\" of {} yet",
                    o.kind().qualified_plural()
                ));
                continue;
            }
            other => {
                ctx.out.fail(&format!("error: no rollbacker has been implemented for {:?}", group_kind(other.kind())));
                continue;
            }
        };
        match rollback(ctx, &d, to_revision, dry) {
            Ok(result) => {
                let suffix = match dry {
                    DryRun::Client => " (dry run)",
                    DryRun::Server => " (server dry run)",
                    DryRun::None => "",
                };
                if dry == DryRun::Client {
                    // A client dry run prints the template it would restore.
                    ctx.out.out(&format!("{} {result}\n", label(&o)));
                } else {
                    ctx.out.out(&format!("{} {result}{suffix}\n", label(&o)));
                }
            }
            Err(e) => ctx.out.fail(&format!("error: {e}")),
        }
    }
}

/// `DeploymentRollbacker.Rollback`.
fn rollback(ctx: &mut Ctx, d: &Deployment, to_revision: i64, dry: DryRun) -> Result<String, String> {
    let name = d.metadata.name.clone().unwrap_or_default();
    if to_revision < 0 {
        return Err(format!("unable to find specified revision {to_revision} in history"));
    }
    list_replica_sets_allowed(ctx, d)
        .map_err(|e| format!("failed to retrieve replica sets from deployment {name}: {}", e.message))?;
    let rs = revision_rs(ctx, d, to_revision)?;
    let mut template = rs.spec.as_ref().and_then(|s| s.template.clone()).unwrap_or_default();
    if dry == DryRun::Client {
        return Ok(describe_pod_template(&template));
    }
    if d.spec.as_ref().and_then(|s| s.paused) == Some(true) {
        return Err(format!(
            "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/{name}' and try again"
        ));
    }
    let current = d.spec.as_ref().map(|s| s.template.clone()).unwrap_or_default();
    if equal_ignore_hash(&template, &current) {
        return Ok(format!("skipped rollback (current template already matches revision {to_revision})"));
    }
    if let Some(l) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        l.remove(POD_TEMPLATE_HASH);
    }
    let mut annotations = BTreeMap::new();
    let d_ann = d.metadata.annotations.clone().unwrap_or_default();
    for k in ANNOTATIONS_TO_SKIP {
        if let Some(v) = d_ann.get(*k) {
            annotations.insert(k.to_string(), v.clone());
        }
    }
    for (k, v) in rs.metadata.annotations.clone().unwrap_or_default() {
        if !ANNOTATIONS_TO_SKIP.contains(&k.as_str()) {
            annotations.insert(k, v);
        }
    }
    let mut updated = d.clone();
    if let Some(spec) = updated.spec.as_mut() {
        spec.template = template;
    }
    updated.metadata.annotations = Some(annotations);
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    super::auth::authorize_api(ctx, &Attributes::for_kind("patch", Kind::Deployment, &ns, &name))
        .map_err(|e| format!("failed restoring revision {to_revision}: {}", e.message))?;
    ctx.world
        .api_update(Object::from(updated), WriteOptions { dry_run: dry == DryRun::Server })
        .map_err(|e| format!("failed restoring revision {to_revision}: {}", e.message))?;
    Ok("rolled back".to_string())
}

/// `deploymentRevision`: the ReplicaSet of `to_revision`, or (0) of the previous revision.
fn revision_rs(ctx: &Ctx, d: &Deployment, to_revision: i64) -> Result<ReplicaSet, String> {
    let (mut latest, mut latest_rev, mut previous, mut previous_rev) = (None, -1i64, None, -1i64);
    let mut rss = replica_sets_of(ctx, d);
    dutil::sort_by_creation(&mut rss);
    for rs in rss {
        let Some(v) = rs_revision(&rs) else { continue };
        if to_revision == 0 {
            if latest_rev < v {
                previous_rev = latest_rev;
                previous = latest.take();
                latest_rev = v;
                latest = Some(rs);
            } else if previous_rev < v {
                previous_rev = v;
                previous = Some(rs);
            }
        } else if to_revision == v {
            return Ok(rs);
        }
    }
    if to_revision > 0 {
        return Err(format!("unable to find specified revision {to_revision} in history"));
    }
    previous.ok_or_else(|| {
        format!("no rollout history found for deployment {:?}", d.metadata.name.as_deref().unwrap_or(""))
    })
}

// ---- pause / resume / restart ----

fn pause_resume(ctx: &mut Ctx, args: &[String], pause: bool) {
    let verb = if pause { "pause" } else { "resume" };
    let cmd = resource_args(command(verb)).arg(flag("all"));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let Some(objs) = resolve(ctx, &m, verb) else { return };
    let mut errors = Vec::new();
    for o in objs {
        let Object::Deployment(d) = &o else {
            errors.push(format!(
                "error: {} {}",
                resource_quoted(&o),
                if pause { "pausing is not supported" } else { "resuming is not supported" }
            ));
            continue;
        };
        let paused = d.spec.as_ref().and_then(|s| s.paused) == Some(true);
        if paused == pause {
            errors.push(format!(
                "error: {} {}",
                resource_quoted(&o),
                if pause { "is already paused" } else { "is not paused" }
            ));
            continue;
        }
        if let Err(e) = super::auth::authorize_write(ctx, "patch", o.kind(), o.namespace(), o.name(), "") {
            errors.push(e);
            continue;
        }
        let mut updated = d.clone();
        std::sync::Arc::make_mut(&mut updated).spec.get_or_insert_with(Default::default).paused =
            if pause { Some(true) } else { None };
        match ctx.world.api_update(Object::Deployment(updated), WriteOptions::default()) {
            Ok(_) => ctx.out.out(&format!("{} {}\n", label(&o), if pause { "paused" } else { "resumed" })),
            Err(e) => errors.push(e.kubectl_text()),
        }
    }
    for e in errors {
        ctx.out.fail(&e);
    }
}

fn restart(ctx: &mut Ctx, args: &[String]) {
    let cmd = dry_run_arg(resource_args(command("restart")));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let dry = match dry_run(&m) {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    let Some(objs) = resolve(ctx, &m, "restart") else { return };
    // time.Now().Format(time.RFC3339), in the simulated clock (UTC).
    let now = ctx.world.now.datetime().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut errors = Vec::new();
    for o in objs {
        let mut updated = o.clone();
        let template = match &mut updated {
            Object::Deployment(d) => {
                if d.spec.as_ref().and_then(|s| s.paused) == Some(true) {
                    errors.push(format!(
                        "error: {} can't restart paused deployment (run rollout resume first)",
                        resource_quoted(&o)
                    ));
                    continue;
                }
                std::sync::Arc::make_mut(d).spec.as_mut().map(|s| &mut s.template)
            }
            Object::DaemonSet(ds) => ds.spec.as_mut().map(|s| &mut s.template),
            Object::StatefulSet(sts) => sts.spec.as_mut().map(|s| &mut s.template),
            _ => {
                errors.push(format!("error: {} restarting is not supported", resource_quoted(&o)));
                continue;
            }
        };
        if let Some(t) = template {
            t.metadata
                .get_or_insert_with(Default::default)
                .annotations
                .get_or_insert_with(BTreeMap::new)
                .insert(RESTARTED_AT.into(), now.clone());
        }
        let suffix = match dry {
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
            DryRun::None => "",
        };
        if dry == DryRun::Client {
            ctx.out.out(&format!("{} restarted{suffix}\n", label(&o)));
            continue;
        }
        if let Err(e) = super::auth::authorize_write(ctx, "patch", o.kind(), o.namespace(), o.name(), "") {
            errors.push(e);
            continue;
        }
        match ctx.world.api_update(updated, WriteOptions { dry_run: dry == DryRun::Server }) {
            Ok(_) => ctx.out.out(&format!("{} restarted{suffix}\n", label(&o))),
            Err(e) => errors.push(e.kubectl_text()),
        }
    }
    for e in errors {
        ctx.out.fail(&e);
    }
}
