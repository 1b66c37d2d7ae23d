//! `kubectl logs`: a container's output, the previous instance's with `--previous`, the
//! default-container choice for multi-container pods, and the server's refusals.

use std::cmp::Ordering;

use clap::{Arg, ArgAction};
use k8s_openapi::api::core::v1::Pod;

use super::{command, flag, namespace, opt, parse};
use crate::kubectl::Ctx;
use crate::sim::api::selector::Selector;
use crate::sim::kubelet::{CState, CtrRt, PodRt};
use crate::sim::Kind;

/// Resolves `web`, `pod/web`, `deploy/web` to the pod `kubectl exec` (and attach, cp,
/// port-forward) uses: `AttachablePodForObject`, the controller's most active pod
/// (`GetFirstPod` sorted by `sort.Reverse(podutils.ActivePods)`).
pub(crate) fn pod_name(ctx: &Ctx, ns: &str, arg: &str) -> Result<String, String> {
    match target_pods(ctx, ns, arg)? {
        Target::Pod(name) => Ok(name),
        Target::Controller(mut pods) => {
            // The list comes sorted by name; Go's sort of a few pods keeps ties in place.
            pods.sort_by(|a, b| active_less(b, a));
            Ok(pods[0].metadata.name.clone().unwrap_or_default())
        }
    }
}

/// `podutils.ActivePods.Less(a, b)` as an ordering (Less: `a` is the less active pod):
/// unassigned < assigned; Pending < Unknown < Running (other phases count as Pending); not
/// ready < ready; ready more recently < ready for longer; more restarts < fewer; newer <
/// older.
fn active_less(a: &Pod, b: &Pod) -> Ordering {
    let node = |p: &Pod| p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
    let (na, nb) = (node(a), node(b));
    if na != nb && (na.is_empty() || nb.is_empty()) {
        return if na.is_empty() { Ordering::Less } else { Ordering::Greater };
    }
    let phase = |p: &Pod| match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
        Some("Running") => 2,
        Some("Unknown") => 1,
        _ => 0,
    };
    if phase(a) != phase(b) {
        return phase(a).cmp(&phase(b));
    }
    let ready_since = |p: &Pod| {
        p.status.as_ref().and_then(|s| s.conditions.as_ref()).and_then(|cs| {
            cs.iter()
                .find(|c| c.type_ == "Ready" && c.status == "True")
                .map(|c| c.last_transition_time.as_ref().map(|t| t.0))
        })
    };
    let (ra, rb) = (ready_since(a), ready_since(b));
    if ra.is_some() != rb.is_some() {
        return if ra.is_none() { Ordering::Less } else { Ordering::Greater };
    }
    // afterOrZero(t1, t2): t1 is zero or later than t2.
    let after_or_zero =
        |t1: Option<chrono::DateTime<chrono::Utc>>, t2: Option<chrono::DateTime<chrono::Utc>>| match (t1, t2) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(x), Some(y)) => x > y,
        };
    if let (Some(x), Some(y)) = (ra, rb) {
        if x != y {
            return if after_or_zero(x, y) { Ordering::Less } else { Ordering::Greater };
        }
    }
    let restarts = |p: &Pod| {
        p.status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .and_then(|cs| cs.iter().map(|c| c.restart_count).max())
            .unwrap_or(0)
    };
    if restarts(a) != restarts(b) {
        return if restarts(a) > restarts(b) { Ordering::Less } else { Ordering::Greater };
    }
    let (ca, cb) =
        (a.metadata.creation_timestamp.as_ref().map(|t| t.0), b.metadata.creation_timestamp.as_ref().map(|t| t.0));
    if ca != cb {
        return if after_or_zero(ca, cb) { Ordering::Less } else { Ordering::Greater };
    }
    Ordering::Equal
}

/// What a `POD` or `TYPE/NAME` argument names: a pod, or the pods of a controller (never
/// empty).
enum Target {
    Pod(String),
    Controller(Vec<Pod>),
}

fn target_pods(ctx: &Ctx, ns: &str, arg: &str) -> Result<Target, String> {
    let Some((t, n)) = arg.split_once('/') else { return Ok(Target::Pod(arg.to_string())) };
    let kind = crate::sim::api::discovery::resolve(t)
        .ok_or_else(|| format!("error: the server doesn't have a resource type \"{t}\""))?;
    if kind == Kind::Pod {
        return Ok(Target::Pod(n.to_string()));
    }
    let obj = ctx.world.store.get(kind, ns, n).ok_or_else(|| super::get::not_found(kind, n))?;
    let v = obj.to_value();
    let selector = v.pointer("/spec/selector/matchLabels").or_else(|| v.pointer("/spec/selector")).cloned();
    let labels: std::collections::BTreeMap<String, String> =
        selector.and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default();
    let pods: Vec<Pod> = ctx
        .world
        .store
        .list(Kind::Pod, Some(ns))
        .into_iter()
        .filter(|p| {
            let pl = p.meta().labels.clone().unwrap_or_default();
            !labels.is_empty() && labels.iter().all(|(k, v)| pl.get(k) == Some(v))
        })
        .filter_map(|p| p.as_pod().cloned())
        .collect();
    if pods.is_empty() {
        return Err(format!("error: no pods found for {}/{n}", kind.plural()));
    }
    Ok(Target::Controller(pods))
}

/// The pod whose logs `kubectl logs TYPE/NAME` shows: kubectl sorts the controller's pods
/// "by logging" and takes the first, saying so when there was a choice.
fn pod_for_logs(ctx: &mut Ctx, ns: &str, arg: &str) -> Result<String, String> {
    match target_pods(ctx, ns, arg)? {
        Target::Pod(name) => Ok(name),
        Target::Controller(mut pods) => {
            pods.sort_by(by_logging);
            let name = pods[0].metadata.name.clone().unwrap_or_default();
            if pods.len() > 1 {
                ctx.out.err(&format!("Found {} pods, using pod/{name}\n", pods.len()));
            }
            Ok(name)
        }
    }
}

/// kubectl's `podutils.ByLogging`: scheduled before unscheduled; Running before Unknown before
/// Pending (other phases rank with Running); ready before not ready; ready for longer first;
/// more restarts first; older first.
fn by_logging(a: &Pod, b: &Pod) -> Ordering {
    let node = |p: &Pod| p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
    let (na, nb) = (node(a), node(b));
    if na != nb && (na.is_empty() || nb.is_empty()) {
        return if na.is_empty() { Ordering::Greater } else { Ordering::Less };
    }
    let phase = |p: &Pod| match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
        Some("Unknown") => 1,
        Some("Pending") => 2,
        _ => 0,
    };
    if phase(a) != phase(b) {
        return phase(a).cmp(&phase(b));
    }
    let ready_since = |p: &Pod| {
        p.status.as_ref().and_then(|s| s.conditions.as_ref()).and_then(|cs| {
            cs.iter().find(|c| c.type_ == "Ready" && c.status == "True").map(|c| c.last_transition_time.clone())
        })
    };
    let (ra, rb) = (ready_since(a), ready_since(b));
    if ra.is_some() != rb.is_some() {
        return if ra.is_some() { Ordering::Less } else { Ordering::Greater };
    }
    // A zero time sorts last.
    let older_first = |x: Option<chrono::DateTime<chrono::Utc>>, y: Option<chrono::DateTime<chrono::Utc>>| match (x, y)
    {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    if let (Some(x), Some(y)) = (ra, rb) {
        let o = older_first(x.map(|t| t.0), y.map(|t| t.0));
        if o != Ordering::Equal {
            return o;
        }
    }
    let restarts = |p: &Pod| {
        p.status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .and_then(|cs| cs.iter().map(|c| c.restart_count).max())
            .unwrap_or(0)
    };
    if restarts(a) != restarts(b) {
        return restarts(b).cmp(&restarts(a));
    }
    older_first(
        a.metadata.creation_timestamp.as_ref().map(|t| t.0),
        b.metadata.creation_timestamp.as_ref().map(|t| t.0),
    )
}

/// Picks the container: `-c`, the default-container annotation, or the first one (with
/// kubectl's "Defaulted container" notice when there are several).
pub(crate) fn pick_container(ctx: &mut Ctx, ns: &str, pod: &str, requested: Option<&String>) -> Result<String, String> {
    choose_container(ctx, ns, pod, requested, false)
}

/// `podcmd.FindOrDefaultContainerByName` with no name: the annotated default container or
/// the first, with the notice unless `quiet`.
pub(crate) fn default_container(ctx: &mut Ctx, ns: &str, pod: &str, quiet: bool) -> Result<String, String> {
    choose_container(ctx, ns, pod, None, quiet)
}

fn choose_container(
    ctx: &mut Ctx,
    ns: &str,
    pod: &str,
    requested: Option<&String>,
    quiet: bool,
) -> Result<String, String> {
    let obj = ctx.world.store.get(Kind::Pod, ns, pod).and_then(|o| o.as_pod()).cloned();
    let Some(p) = obj else { return Err(super::get::not_found(Kind::Pod, pod)) };
    let spec = p.spec.clone().unwrap_or_default();
    let names: Vec<String> = spec.containers.iter().map(|c| c.name.clone()).collect();
    let init: Vec<String> = spec.init_containers.iter().flatten().map(|c| c.name.clone()).collect();
    if let Some(c) = requested {
        if names.contains(c) || init.contains(c) {
            return Ok(c.clone());
        }
        return Err(format!("error: container {c} is not valid for pod {pod}"));
    }
    let annotated = p
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("kubectl.kubernetes.io/default-container"))
        .filter(|c| names.contains(c))
        .cloned();
    let chosen = annotated.clone().or_else(|| names.first().cloned()).unwrap_or_default();
    if names.len() + init.len() > 1 && annotated.is_none() && !quiet {
        let mut all = names.join(", ");
        if !init.is_empty() {
            all.push_str(&format!(", {} (init)", init.join(" (init), ")));
        }
        ctx.out.err(&format!("Defaulted container \"{chosen}\" out of: {all}\n"));
    }
    Ok(chosen)
}

fn waiting_text(c: &CtrRt) -> String {
    match &c.state {
        CState::Waiting { reason, .. } if reason == "ImagePullBackOff" || reason == "ErrImagePull" => {
            "trying and failing to pull image".into()
        }
        CState::Waiting { reason, .. } => reason.clone(),
        _ => "ContainerCreating".into(),
    }
}

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = command("logs")
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(Arg::new("container").short('c').long("container").num_args(1))
        .arg(Arg::new("previous").short('p').long("previous").action(ArgAction::SetTrue))
        .arg(Arg::new("follow").short('f').long("follow").action(ArgAction::SetTrue))
        .arg(opt("tail"))
        .arg(opt("since"))
        .arg(flag("timestamps"))
        .arg(flag("all-containers"))
        .arg(flag("prefix"))
        .arg(Arg::new("selector").short('l').long("selector").num_args(1));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let ns = namespace(ctx, &m);
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    let selector = m.get_one::<String>("selector").filter(|s| !s.is_empty());
    let tail: Option<usize> =
        m.get_one::<String>("tail").and_then(|t| t.parse::<i64>().ok()).filter(|t| *t >= 0).map(|t| t as usize);
    let usage = if positional.len() > 2 || (selector.is_none() && positional.is_empty()) {
        Some("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command")
    } else if selector.is_some() && !positional.is_empty() {
        Some("only a selector (-l) or a POD name is allowed")
    } else {
        None
    };
    if let Some(why) = usage {
        return ctx.out.fail(&format!("error: {why}\nSee 'kubectl logs -h' for help and examples"));
    }
    let pods: Vec<String> = match (selector, positional.first()) {
        (None, None) => return,
        (Some(sel), _) => {
            // `-l`: every matching pod, in name order (kubectl's own order is its map's), each
            // with its last 10 lines unless --tail says otherwise.
            let sel = match Selector::parse(sel) {
                Ok(s) => s,
                Err(e) => return ctx.out.fail(&format!("error: {e}")),
            };
            if let Err(e) = super::auth::authorize_kind(ctx, "list", Kind::Pod, &ns, "") {
                return ctx.out.fail(&e);
            }
            let pods: Vec<String> = ctx
                .world
                .store
                .list(Kind::Pod, Some(&ns))
                .into_iter()
                .filter(|p| sel.matches(&p.meta().labels.clone().unwrap_or_default()))
                .map(|p| p.name().to_string())
                .collect();
            if pods.is_empty() {
                ctx.out.err(&format!("No resources found in {ns} namespace.\n"));
                return;
            }
            pods
        }
        (None, Some(target)) => match pod_for_logs(ctx, &ns, target) {
            Ok(p) => vec![p],
            Err(e) => return ctx.out.fail(&e),
        },
    };
    let tail = if selector.is_some() && m.get_one::<String>("tail").is_none() { Some(10) } else { tail };
    let container = positional.get(1).or(m.get_one::<String>("container")).cloned();
    for pod in pods {
        if !pod_logs(ctx, &m, &ns, &pod, container.as_ref(), tail) {
            return;
        }
    }
}

/// Prints the logs of one pod's container(s); false after an error (printed).
fn pod_logs(
    ctx: &mut Ctx,
    m: &clap::ArgMatches,
    ns: &str,
    pod: &str,
    container: Option<&String>,
    tail: Option<usize>,
) -> bool {
    let (ns, pod) = (ns.to_string(), pod.to_string());
    if let Err(e) = super::auth::authorize_kind(ctx, "get", Kind::Pod, &ns, &pod) {
        ctx.out.fail(&e);
        return false;
    }
    if ctx.world.store.get(Kind::Pod, &ns, &pod).is_none() {
        ctx.out.fail(&super::get::not_found(Kind::Pod, &pod));
        return false;
    }
    let containers: Vec<String> = if m.get_flag("all-containers") {
        let p = ctx.world.store.get(Kind::Pod, &ns, &pod).and_then(|o| o.as_pod()).cloned().unwrap_or_default();
        let spec = p.spec.unwrap_or_default();
        spec.init_containers.iter().flatten().chain(spec.containers.iter()).map(|c| c.name.clone()).collect()
    } else {
        match pick_container(ctx, &ns, &pod, container) {
            Ok(c) => vec![c],
            Err(e) => {
                ctx.out.fail(&e);
                return false;
            }
        }
    };
    let log_request = crate::sim::api::rbac::Attributes::for_kind("get", Kind::Pod, &ns, &pod).with_subresource("log");
    if let Err(e) = super::auth::authorize(ctx, &log_request) {
        ctx.out.fail(&e);
        return false;
    }
    for cname in containers {
        let rt: Option<PodRt> = ctx.world.kubelet.find(&ns, &pod).cloned();
        let Some(c) = rt.as_ref().and_then(|r| r.container(&cname)).cloned() else {
            ctx.out.fail(&format!(
                "Error from server (BadRequest): container \"{cname}\" in pod \"{pod}\" is waiting to start: ContainerCreating"
            ));
            return false;
        };
        let lines = if m.get_flag("previous") {
            match (&c.state, &c.prev_log) {
                (_, Some(prev)) => (**prev).clone(),
                _ => {
                    ctx.out.fail(&format!(
                        "Error from server (BadRequest): previous terminated container \"{cname}\" in pod \"{pod}\" not found"
                    ));
                    return false;
                }
            }
        } else {
            match &c.state {
                CState::Waiting { .. } if c.last.is_some() => c.prev_log.as_deref().cloned().unwrap_or_default(),
                CState::Waiting { .. } => {
                    ctx.out.fail(&format!(
                        "Error from server (BadRequest): container \"{cname}\" in pod \"{pod}\" is waiting to start: {}",
                        waiting_text(&c)
                    ));
                    return false;
                }
                _ => c.log.clone(),
            }
        };
        let mut partial = String::new();
        if !m.get_flag("previous") && c.is_running() {
            partial = c.partial.clone();
        }
        let skip = tail.map(|t| lines.len().saturating_sub(t)).unwrap_or(0);
        for (tick, line) in lines.iter().skip(skip) {
            if m.get_flag("timestamps") {
                ctx.out.out(&format!("{} ", tick.datetime().format("%Y-%m-%dT%H:%M:%S%.9fZ")));
            }
            if m.get_flag("prefix") {
                ctx.out.out(&format!("[pod/{pod}/{cname}] "));
            }
            ctx.out.out(line);
            ctx.out.out("\n");
        }
        ctx.out.out(&partial);
    }
    true
}
