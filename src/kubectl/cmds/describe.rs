//! `kubectl describe`: resolves the objects like `get` (by name, by prefix of the name, by
//! selector, or all of a kind) and prints each with its describer (`kubectl::describe`).

use clap::{Arg, ArgAction};

use super::{command, flag, namespace, parse};
use crate::kubectl::{describe, Ctx};
use crate::sim::api::selector::Selector;
use crate::sim::Object;

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = command("describe")
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(Arg::new("selector").short('l').long("selector").num_args(1))
        .arg(Arg::new("all-namespaces").short('A').long("all-namespaces").action(ArgAction::SetTrue))
        .arg(Arg::new("filename").short('f').long("filename").num_args(1).action(ArgAction::Append))
        .arg(Arg::new("recursive").short('R').long("recursive").action(ArgAction::SetTrue))
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
    let show_events = m.get_one::<String>("show-events").map(|v| v != "false").unwrap_or(true);
    let files: Vec<String> = m.get_many::<String>("filename").map(|v| v.cloned().collect()).unwrap_or_default();
    if !files.is_empty() {
        return describe_files(ctx, &files, m.get_flag("recursive"), &ns, show_events);
    }
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
    let mut objs: Vec<Object> = Vec::new();
    let mut errors = Vec::new();
    // Only NotFound falls back to prefix matching; a Forbidden request does not.
    let mut forbidden = false;
    for (kind, name) in &targets.items {
        let k_ns = if kind.namespaced() { ns.as_str() } else { "" };
        let verb = if name.is_some() { "get" } else { "list" };
        let auth_ns = if all_ns && name.is_none() { "" } else { k_ns };
        if let Err(e) = super::auth::authorize_kind(ctx, verb, *kind, auth_ns, name.as_deref().unwrap_or("")) {
            errors.push(e);
            forbidden = true;
            continue;
        }
        match name {
            Some(n) => match ctx.world.store.get(*kind, k_ns, n) {
                Some(o) => objs.push(o.clone()),
                None => errors.push(super::get::not_found(*kind, n)),
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
    // `kubectl describe TYPE NAME` (exactly two arguments) falls back to every object of the
    // type whose name starts with NAME (`kubectl describe pod web` finds web-7c5ddbdf54-x8k2j),
    // printing each followed by a newline; nothing matching keeps the NotFound error.
    if positional.len() == 2 && !positional[0].contains('/') && !errors.is_empty() && !forbidden {
        let prefix = positional[1].as_str();
        let mut matched = false;
        for (kind, _) in &targets.items {
            let list_ns = if all_ns || !kind.namespaced() { None } else { Some(ns.as_str()) };
            let found: Vec<Object> = ctx
                .world
                .store
                .list(*kind, list_ns)
                .into_iter()
                .filter(|o| o.name().starts_with(prefix))
                .cloned()
                .collect();
            for o in found {
                matched = true;
                let text = describe::describe(ctx.world, &o, show_events);
                ctx.out.out(&text);
                ctx.out.out("\n");
            }
        }
        if !matched {
            for e in errors {
                ctx.out.fail(&e);
            }
        }
        return;
    }
    if objs.is_empty() && errors.is_empty() {
        // describe.go says so with the command's namespace even for cluster-scoped kinds.
        if !all_ns {
            ctx.out.err(&format!("No resources found in {ns} namespace.\n"));
        } else {
            ctx.out.err("No resources found\n");
        }
        return;
    }
    // Each description as it is, the next one after a blank line.
    for (i, o) in objs.iter().enumerate() {
        if i > 0 {
            ctx.out.out("\n\n");
        }
        let text = describe::describe(ctx.world, o, show_events);
        ctx.out.out(&text);
    }
    for e in errors {
        ctx.out.fail(&e);
    }
}

/// `kubectl describe -f FILE`: describes the live objects the manifests name (in the
/// manifest's namespace, else the current one).
fn describe_files(ctx: &mut Ctx, files: &[String], recursive: bool, ns: &str, show_events: bool) {
    let docs = match super::apply::read_objects(ctx, files, recursive, false) {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    let mut errors = Vec::new();
    let mut first = true;
    for d in docs {
        let o = match d.object {
            Ok(o) => o,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let kind = o.kind();
        let k_ns = match (kind.namespaced(), o.namespace()) {
            (false, _) => "",
            (true, "") => ns,
            (true, n) => n,
        };
        let Some(live) = ctx.world.store.get(kind, k_ns, o.name()).cloned() else {
            errors.push(super::get::not_found(kind, o.name()));
            continue;
        };
        if !first {
            ctx.out.out("\n\n");
        }
        first = false;
        let text = describe::describe(ctx.world, &live, show_events);
        ctx.out.out(&text);
    }
    for e in errors {
        ctx.out.fail(&e);
    }
}
