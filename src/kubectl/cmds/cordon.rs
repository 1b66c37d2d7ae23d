//! `kubectl cordon` and `kubectl uncordon`: mark nodes (un)schedulable, as kubectl's drain
//! package does (`spec.unschedulable`), with its `node/X cordoned` / `already cordoned` lines.

use clap::{Arg, ArgAction, ArgMatches};

use super::{command, dry_run, dry_run_arg, parse, DryRun};
use crate::kubectl::Ctx;
use crate::sim::api::selector::Selector;
use crate::sim::api::WriteOptions;
use crate::sim::{Kind, Object};

/// Resolves the NODE arguments (or `-l`) of cordon, uncordon and drain; Err is what kubectl
/// prints. `verb` names the command in usage errors.
pub(crate) fn nodes(ctx: &Ctx, m: &ArgMatches, verb: &str) -> Result<Vec<String>, String> {
    let names: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    let selector = m.get_one::<String>("selector").cloned();
    if names.is_empty() && selector.is_none() {
        return Err(format!("error: USAGE: {verb} NODE [flags]\nSee 'kubectl {verb} -h' for help and examples"));
    }
    if !names.is_empty() && selector.is_some() {
        return Err(format!(
            "error: error: cannot specify both a node name and a --selector option\nSee 'kubectl {verb} -h' for help and examples"
        ));
    }
    if let Some(sel) = selector {
        let sel = Selector::parse(&sel).map_err(|e| format!("error: {e}"))?;
        super::auth::authorize_read(ctx, Kind::Node, "", None)?;
        return Ok(ctx
            .world
            .store
            .list(Kind::Node, None)
            .into_iter()
            .filter(|o| sel.matches(&o.meta().labels.clone().unwrap_or_default()))
            .map(|o| o.name().to_string())
            .collect());
    }
    let mut out = Vec::new();
    for n in names {
        // `kubectl cordon node/node01` works too.
        let n = n.strip_prefix("node/").or_else(|| n.strip_prefix("nodes/")).unwrap_or(&n).to_string();
        super::auth::authorize_read(ctx, Kind::Node, "", Some(&n))?;
        if ctx.world.store.get(Kind::Node, "", &n).is_none() {
            return Err(format!("Error from server (NotFound): nodes \"{n}\" not found"));
        }
        out.push(n);
    }
    Ok(out)
}

/// The `(dry run)` suffix kubectl's name printer adds.
pub(crate) fn dry_suffix(d: DryRun) -> &'static str {
    match d {
        DryRun::Client => " (dry run)",
        DryRun::Server => " (server dry run)",
        DryRun::None => "",
    }
}

/// Sets `spec.unschedulable` on each node, printing kubectl's lines.
pub(crate) fn cordon_nodes(ctx: &mut Ctx, nodes: &[String], desired: bool, dry: DryRun) {
    let verb = if desired { "cordon" } else { "uncordon" };
    for n in nodes {
        let Some(Object::Node(node)) = ctx.world.store.get(Kind::Node, "", n).cloned() else { continue };
        let current = node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false);
        if current == desired {
            ctx.out.out(&format!("node/{n} already {verb}ed{}\n", dry_suffix(dry)));
            continue;
        }
        if dry != DryRun::Client {
            let patch = crate::sim::api::rbac::Attributes::for_kind("patch", Kind::Node, "", n);
            if let Err(e) = super::auth::authorize_api(ctx, &patch) {
                // kubectl reports it and carries on: the command still exits 0.
                ctx.out.err(&format!("error: unable to {verb} node \"{n}\": {}\n", e.message));
                continue;
            }
            let mut updated = node.clone();
            let spec = updated.spec.get_or_insert_with(Default::default);
            spec.unschedulable = if desired { Some(true) } else { None };
            if let Err(e) = ctx.world.api_update(Object::Node(updated), WriteOptions { dry_run: dry == DryRun::Server })
            {
                ctx.out.err(&format!("error: unable to {verb} node \"{n}\": {}\n", e.message));
                continue;
            }
        }
        ctx.out.out(&format!("node/{n} {verb}ed{}\n", dry_suffix(dry)));
    }
}

pub fn run(ctx: &mut Ctx, desired: bool, args: &[String]) {
    let verb = if desired { "cordon" } else { "uncordon" };
    let cmd = dry_run_arg(command(verb))
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(Arg::new("selector").short('l').long("selector").num_args(1));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let dry = match dry_run(&m) {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    let nodes = match nodes(ctx, &m, verb) {
        Ok(n) => n,
        Err(e) => return ctx.out.fail(&e),
    };
    cordon_nodes(ctx, &nodes, desired, dry);
}
