//! `kubectl label` and `kubectl annotate`: add, overwrite (`--overwrite`) and remove (`key-`)
//! labels or annotations on named objects, by selector or `--all`.

use std::collections::BTreeMap;

use clap::{Arg, ArgAction};

use super::{command, dry_run, dry_run_arg, flag, namespace, parse, DryRun};
use crate::kubectl::Ctx;
use crate::sim::api::selector::Selector;
use crate::sim::api::WriteOptions;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Label,
    Annotate,
}

pub fn run(ctx: &mut Ctx, args: &[String], which: Which) {
    let name = if which == Which::Label { "label" } else { "annotate" };
    let cmd = dry_run_arg(command(name))
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(flag("overwrite"))
        .arg(flag("all"))
        .arg(Arg::new("all-namespaces").short('A').long("all-namespaces").action(ArgAction::SetTrue))
        .arg(Arg::new("selector").short('l').long("selector").num_args(1))
        .arg(Arg::new("output").short('o').long("output").num_args(1))
        .arg(flag("list"));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let dry = match dry_run(&m) {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    let ns = namespace(ctx, &m);
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    // Resource arguments come first; `k=v` and `k-` are the changes.
    let (changes, resources): (Vec<String>, Vec<String>) =
        positional.into_iter().partition(|a| a.contains('=') || (a.ends_with('-') && !a.contains('/')));
    let mut set: BTreeMap<String, String> = BTreeMap::new();
    let mut remove: Vec<String> = Vec::new();
    for c in &changes {
        if let Some((k, v)) = c.split_once('=') {
            set.insert(k.to_string(), v.to_string());
        } else if let Some(k) = c.strip_suffix('-') {
            remove.push(k.to_string());
        }
    }
    if changes.is_empty() && !m.get_flag("list") {
        ctx.out.fail(&format!(
            "error: at least one {} update is required\nSee 'kubectl {name} -h' for help and examples",
            if which == Which::Label { "label" } else { "annotation" }
        ));
        return;
    }
    let targets = match super::get::targets(&resources) {
        Ok(t) => t,
        Err(e) => return ctx.out.fail(&e),
    };
    if targets.items.is_empty() {
        ctx.out.fail(&format!("error: one or more resources must be specified as <resource> <name> or <resource>/<name>\nSee 'kubectl {name} -h' for help and examples"));
        return;
    }
    let selector = match Selector::parse(m.get_one::<String>("selector").map(String::as_str).unwrap_or("")) {
        Ok(s) => s,
        Err(e) => return ctx.out.fail(&format!("error: {e}")),
    };
    let mut objs = Vec::new();
    for (kind, n) in &targets.items {
        let k_ns = if kind.namespaced() { ns.as_str() } else { "" };
        match n {
            Some(n) => {
                if let Err(e) = super::auth::authorize_read(ctx, *kind, k_ns, Some(n)) {
                    ctx.out.fail(&e);
                    continue;
                }
                match ctx.world.store.get(*kind, k_ns, n) {
                    Some(o) => objs.push(o.clone()),
                    None => {
                        ctx.out.fail(&super::get::not_found(*kind, n));
                    }
                }
            }
            None => {
                if !m.get_flag("all") && selector.is_empty() {
                    ctx.out.fail(&format!("error: resource(s) were provided, but no name was specified\nSee 'kubectl {name} -h' for help and examples"));
                    return;
                }
                let list_ns = if m.get_flag("all-namespaces") || !kind.namespaced() { None } else { Some(k_ns) };
                if let Err(e) = super::auth::authorize_read(ctx, *kind, list_ns.unwrap_or(""), None) {
                    ctx.out.fail(&e);
                    continue;
                }
                for o in ctx.world.store.list(*kind, list_ns) {
                    if selector.matches(&o.meta().labels.clone().unwrap_or_default()) {
                        objs.push(o.clone());
                    }
                }
            }
        }
    }
    for mut obj in objs {
        let kind = obj.kind();
        let key = format!("{}/{}", kind.qualified_singular(), obj.name());
        let map = {
            let meta = obj.meta_mut();
            if which == Which::Label {
                meta.labels.get_or_insert_with(BTreeMap::new)
            } else {
                meta.annotations.get_or_insert_with(BTreeMap::new)
            }
        };
        let before = map.clone();
        for (k, v) in &set {
            if let Some(old) = map.get(k) {
                if old != v && !m.get_flag("overwrite") {
                    ctx.out.fail(&format!("error: '{k}' already has a value ({old}), and --overwrite is false"));
                    return;
                }
            }
            map.insert(k.clone(), v.clone());
        }
        for k in &remove {
            map.remove(k);
        }
        let changed = *map != before;
        let verb = match (which, changed, !remove.is_empty() && set.is_empty()) {
            (Which::Label, false, _) => "not labeled",
            (Which::Label, true, true) => "unlabeled",
            (Which::Label, true, false) => "labeled",
            (Which::Annotate, false, _) => "not annotated",
            (Which::Annotate, true, _) => "annotated",
        };
        if dry != DryRun::Client {
            // kubectl sends its merge patch even when nothing changes.
            if let Err(e) = super::auth::authorize_write(ctx, "patch", kind, obj.namespace(), obj.name(), "") {
                ctx.out.fail(&e);
                continue;
            }
        }
        if changed && dry != DryRun::Client {
            if let Err(e) = ctx.world.api_update(obj, WriteOptions { dry_run: dry == DryRun::Server }) {
                ctx.out.fail(&e.kubectl_text());
                continue;
            }
        }
        let suffix = match dry {
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
            DryRun::None => "",
        };
        ctx.out.out(&format!("{key} {verb}{suffix}\n"));
    }
}
