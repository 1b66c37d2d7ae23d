//! `kubectl describe`: resolves the objects like `get` (by name, by prefix of the name, by
//! selector, or all of a kind) and prints each with its describer, separated by blank lines.

use clap::{Arg, ArgAction};

use super::{command, flag, namespace, parse};
use crate::kubectl::{describe, Ctx};
use crate::sim::api::selector::Selector;
use crate::sim::{Kind, Object};

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = command("describe")
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(Arg::new("selector").short('l').long("selector").num_args(1))
        .arg(Arg::new("all-namespaces").short('A').long("all-namespaces").action(ArgAction::SetTrue))
        .arg(Arg::new("filename").short('f').long("filename").num_args(1).action(ArgAction::Append))
        .arg(
            flag("show-events")
                .num_args(0..=1)
                .require_equals(true)
                .default_missing_value("true")
                .action(ArgAction::Set),
        );
    let Some(m) = parse(ctx, cmd, args) else { return };
    let ns = namespace(ctx, &m);
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    if positional.is_empty() {
        ctx.out.fail("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nSee 'kubectl describe -h' for help and examples");
        return;
    }
    let targets = match super::get::targets(&positional) {
        Ok(t) => t,
        Err(e) => return ctx.out.fail(&e),
    };
    let selector = match Selector::parse(m.get_one::<String>("selector").map(String::as_str).unwrap_or("")) {
        Ok(s) => s,
        Err(e) => return ctx.out.fail(&format!("error: {e}")),
    };
    let all_ns = m.get_flag("all-namespaces");
    let show_events = m.get_one::<String>("show-events").map(|v| v != "false").unwrap_or(true);
    let mut objs: Vec<Object> = Vec::new();
    let mut errors = Vec::new();
    for (kind, name) in &targets.items {
        let k_ns = if kind.namespaced() { ns.as_str() } else { "" };
        let verb = if name.is_some() { "get" } else { "list" };
        let auth_ns = if all_ns && name.is_none() { "" } else { k_ns };
        if let Err(e) = super::auth::authorize_kind(ctx, verb, *kind, auth_ns, name.as_deref().unwrap_or("")) {
            errors.push(e);
            continue;
        }
        match name {
            Some(n) => match ctx.world.store.get(*kind, k_ns, n) {
                Some(o) => objs.push(o.clone()),
                None => {
                    // describe also accepts a name prefix (`kubectl describe pod web` finds web-7c5d...).
                    let by_prefix: Vec<Object> = ctx
                        .world
                        .store
                        .list(*kind, if kind.namespaced() { Some(k_ns) } else { None })
                        .into_iter()
                        .filter(|o| o.name().starts_with(n.as_str()))
                        .cloned()
                        .collect();
                    if by_prefix.is_empty() {
                        errors.push(super::get::not_found(*kind, n));
                    }
                    objs.extend(by_prefix);
                }
            },
            None => {
                let list_ns = if all_ns || !kind.namespaced() { None } else { Some(k_ns) };
                for o in ctx.world.store.list(*kind, list_ns) {
                    if selector.matches(&o.meta().labels.clone().unwrap_or_default()) {
                        objs.push(o.clone());
                    }
                }
            }
        }
    }
    if objs.is_empty() && errors.is_empty() {
        let any_namespaced = targets.items.iter().any(|(k, _)| k.namespaced());
        if any_namespaced && !all_ns {
            ctx.out.err(&format!("No resources found in {ns} namespace.\n"));
        } else {
            ctx.out.err("No resources found\n");
        }
        return;
    }
    let now = ctx.world.now.datetime();
    let mut first = true;
    for o in &objs {
        if !first {
            ctx.out.out("\n\n");
        }
        first = false;
        let events: Vec<k8s_openapi::api::core::v1::Event> = if show_events {
            ctx.world.events_for(o.kind(), o.namespace(), o.name()).into_iter().cloned().collect()
        } else {
            Vec::new()
        };
        let event_refs: Vec<&k8s_openapi::api::core::v1::Event> = events.iter().collect();
        let text = match o {
            Object::Pod(p) => describe::describe_pod(p, &event_refs, now),
            Object::Node(n) => {
                let pods: Vec<k8s_openapi::api::core::v1::Pod> = ctx
                    .world
                    .store
                    .list(Kind::Pod, None)
                    .into_iter()
                    .filter_map(|p| p.as_pod())
                    .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == n.metadata.name.as_deref())
                    .cloned()
                    .collect();
                let pod_refs: Vec<&k8s_openapi::api::core::v1::Pod> = pods.iter().collect();
                describe::describe_node(n, &pod_refs, &event_refs, now)
            }
            other => describe::describe_generic(other, &event_refs, now),
        };
        ctx.out.out(text.trim_end_matches('\n'));
        ctx.out.out("\n");
    }
    for e in errors {
        ctx.out.fail(&e);
    }
}
