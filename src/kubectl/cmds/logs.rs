//! `kubectl logs`: a container's output, the previous instance's with `--previous`, the
//! default-container choice for multi-container pods, and the server's refusals.

use clap::{Arg, ArgAction};

use super::{command, flag, namespace, opt, parse};
use crate::kubectl::Ctx;
use crate::sim::kubelet::{CState, CtrRt, PodRt};
use crate::sim::Kind;

/// Resolves `web`, `pod/web`, `deploy/web` to a pod name.
pub(crate) fn pod_name(ctx: &Ctx, ns: &str, arg: &str) -> Result<String, String> {
    let Some((t, n)) = arg.split_once('/') else { return Ok(arg.to_string()) };
    let kind = crate::sim::api::discovery::resolve(t)
        .ok_or_else(|| format!("error: the server doesn't have a resource type \"{t}\""))?;
    if kind == Kind::Pod {
        return Ok(n.to_string());
    }
    // Controllers: the first of their pods, as kubectl's polymorphic helpers pick it.
    let obj = ctx.world.store.get(kind, ns, n).ok_or_else(|| super::get::not_found(kind, n))?;
    let v = obj.to_value();
    let selector = v.pointer("/spec/selector/matchLabels").or_else(|| v.pointer("/spec/selector")).cloned();
    let labels: std::collections::BTreeMap<String, String> =
        selector.and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default();
    let pod = ctx
        .world
        .store
        .list(Kind::Pod, Some(ns))
        .into_iter()
        .find(|p| {
            let pl = p.meta().labels.clone().unwrap_or_default();
            !labels.is_empty() && labels.iter().all(|(k, v)| pl.get(k) == Some(v))
        })
        .map(|p| p.name().to_string());
    pod.ok_or_else(|| format!("error: no pods found for {}/{n}", kind.plural()))
}

/// Picks the container: `-c`, the default-container annotation, or the first one (with
/// kubectl's "Defaulted container" notice when there are several).
pub(crate) fn pick_container(ctx: &mut Ctx, ns: &str, pod: &str, requested: Option<&String>) -> Result<String, String> {
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
    if names.len() + init.len() > 1 && annotated.is_none() {
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
    let Some(target) = positional.first() else {
        ctx.out.fail("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples");
        return;
    };
    let pod = match pod_name(ctx, &ns, target) {
        Ok(p) => p,
        Err(e) => return ctx.out.fail(&e),
    };
    if let Err(e) = super::auth::authorize_kind(ctx, "get", Kind::Pod, &ns, &pod) {
        return ctx.out.fail(&e);
    }
    if ctx.world.store.get(Kind::Pod, &ns, &pod).is_none() {
        return ctx.out.fail(&super::get::not_found(Kind::Pod, &pod));
    }
    let containers: Vec<String> = if m.get_flag("all-containers") {
        let p = ctx.world.store.get(Kind::Pod, &ns, &pod).and_then(|o| o.as_pod()).cloned().unwrap_or_default();
        let spec = p.spec.unwrap_or_default();
        spec.init_containers.iter().flatten().chain(spec.containers.iter()).map(|c| c.name.clone()).collect()
    } else {
        match pick_container(ctx, &ns, &pod, positional.get(1).or(m.get_one::<String>("container"))) {
            Ok(c) => vec![c],
            Err(e) => return ctx.out.fail(&e),
        }
    };
    let tail: Option<usize> =
        m.get_one::<String>("tail").and_then(|t| t.parse::<i64>().ok()).filter(|t| *t >= 0).map(|t| t as usize);
    let log_request = crate::sim::api::rbac::Attributes::for_kind("get", Kind::Pod, &ns, &pod).with_subresource("log");
    if let Err(e) = super::auth::authorize(ctx, &log_request) {
        return ctx.out.fail(&e);
    }
    for cname in containers {
        let rt: Option<PodRt> = ctx.world.kubelet.find(&ns, &pod).cloned();
        let Some(c) = rt.as_ref().and_then(|r| r.container(&cname)).cloned() else {
            return ctx.out.fail(&format!(
                "Error from server (BadRequest): container \"{cname}\" in pod \"{pod}\" is waiting to start: ContainerCreating"
            ));
        };
        let lines = if m.get_flag("previous") {
            match (&c.state, &c.prev_log) {
                (_, Some(prev)) => prev.clone(),
                _ => {
                    return ctx.out.fail(&format!(
                        "Error from server (BadRequest): previous terminated container \"{cname}\" in pod \"{pod}\" not found"
                    ))
                }
            }
        } else {
            match &c.state {
                CState::Waiting { .. } if c.last.is_some() => c.prev_log.clone().unwrap_or_default(),
                CState::Waiting { .. } => {
                    return ctx.out.fail(&format!(
                    "Error from server (BadRequest): container \"{cname}\" in pod \"{pod}\" is waiting to start: {}",
                    waiting_text(&c)
                ))
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
}
