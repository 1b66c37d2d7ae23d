//! `kubectl scale (TYPE NAME | TYPE/NAME | -l SELECTOR | --all) --replicas=N
//! [--current-replicas=N] [--resource-version=V] [--timeout=D] [--dry-run]`: sets
//! spec.replicas through the scale subresource of Deployments, ReplicaSets and StatefulSets,
//! and prints `deployment.apps/web scaled`.

use clap::{Arg, ArgAction};

use super::{command, dry_run, dry_run_arg, flag, namespace, opt, parse, DryRun};
use crate::kubectl::Ctx;
use crate::sim::api::selector::Selector;
use crate::sim::api::WriteOptions;
use crate::sim::{Kind, Object};

fn scalable(kind: Kind) -> bool {
    matches!(kind, Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet)
}

fn spec_replicas(o: &Object) -> Option<i32> {
    match o {
        Object::Deployment(d) => d.spec.as_ref().and_then(|s| s.replicas),
        Object::ReplicaSet(r) => r.spec.as_ref().and_then(|s| s.replicas),
        Object::StatefulSet(s) => s.spec.as_ref().and_then(|s| s.replicas),
        _ => None,
    }
}

fn set_spec_replicas(o: &mut Object, n: i32) {
    match o {
        Object::Deployment(d) => {
            std::sync::Arc::make_mut(d).spec.get_or_insert_with(Default::default).replicas = Some(n)
        }
        Object::ReplicaSet(r) => {
            std::sync::Arc::make_mut(r).spec.get_or_insert_with(Default::default).replicas = Some(n)
        }
        Object::StatefulSet(s) => s.spec.get_or_insert_with(Default::default).replicas = Some(n),
        _ => {}
    }
}

/// `status.replicas` and `status.observedGeneration`, as the scale subresource reports them.
fn status_replicas(o: &Object) -> (i32, i64) {
    let v = o.to_value();
    let r = v.pointer("/status/replicas").and_then(|v| v.as_i64()).unwrap_or(0) as i32;
    let g = v.pointer("/status/observedGeneration").and_then(|v| v.as_i64()).unwrap_or(0);
    (r, g)
}

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = dry_run_arg(command("scale"))
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(opt("replicas"))
        .arg(opt("current-replicas"))
        .arg(opt("resource-version"))
        .arg(opt("timeout"))
        .arg(flag("all"))
        .arg(Arg::new("selector").short('l').long("selector").num_args(1))
        .arg(Arg::new("filename").short('f').long("filename").num_args(1).action(ArgAction::Append))
        .arg(Arg::new("output").short('o').long("output").num_args(1))
        .arg(flag("record"));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let dry = match dry_run(&m) {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    let int_flag = |name: &str| -> Result<Option<i64>, String> {
        match m.get_one::<String>(name) {
            None => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
                format!("error: invalid argument \"{v}\" for \"--{name}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl scale --help' for usage.")
            }),
        }
    };
    let replicas = match int_flag("replicas") {
        Ok(Some(r)) => r,
        Ok(None) => return ctx.out.fail("error: required flag(s) \"replicas\" not set"),
        Err(e) => return ctx.out.fail(&e),
    };
    let current = match int_flag("current-replicas") {
        Ok(c) => c.unwrap_or(-1),
        Err(e) => return ctx.out.fail(&e),
    };
    if replicas < 0 {
        return ctx
            .out
            .fail("error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0");
    }
    if current < -1 {
        return ctx.out.fail("error: The --current-replicas must specify an integer of -1 or greater");
    }
    let timeout_s = match m.get_one::<String>("timeout") {
        None => 0,
        Some(t) => match super::wait::parse_duration_s(t) {
            Some(s) => s,
            None => {
                return ctx.out.fail(&format!(
                    "error: invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\"\nSee 'kubectl scale --help' for usage."
                ))
            }
        },
    };
    if m.get_many::<String>("filename").is_some() {
        return ctx.out.fail("error: kubedojo does not simulate \"kubectl scale -f\" yet; name the resource instead");
    }
    let ns = namespace(ctx, &m);
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    let targets = match super::get::targets(&positional) {
        Ok(t) => t,
        Err(e) => return ctx.out.fail(&e),
    };
    if targets.items.is_empty() {
        return ctx.out.fail("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    let selector = match Selector::parse(m.get_one::<String>("selector").map(String::as_str).unwrap_or("")) {
        Ok(s) => s,
        Err(e) => return ctx.out.fail(&format!("error: {e}")),
    };
    let mut objs: Vec<Object> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    for (kind, name) in &targets.items {
        let k_ns = if kind.namespaced() { ns.as_str() } else { "" };
        match name {
            Some(n) => {
                if let Err(e) = super::auth::authorize_read(ctx, *kind, k_ns, Some(n)) {
                    errors.push(e);
                    continue;
                }
                match ctx.world.store.get(*kind, k_ns, n) {
                    Some(o) => objs.push(o.clone()),
                    None => errors.push(super::get::not_found(*kind, n)),
                }
            }
            None => {
                if !m.get_flag("all") && selector.is_empty() {
                    return ctx.out.fail("error: resource(s) were provided, but no name was specified");
                }
                if let Err(e) = super::auth::authorize_read(ctx, *kind, k_ns, None) {
                    errors.push(e);
                    continue;
                }
                for o in ctx.world.store.list(*kind, if kind.namespaced() { Some(k_ns) } else { None }) {
                    if selector.matches(&o.meta().labels.clone().unwrap_or_default()) {
                        objs.push(o.clone());
                    }
                }
            }
        }
    }
    if m.get_one::<String>("resource-version").is_some() && objs.len() > 1 {
        return ctx.out.fail("error: cannot use --resource-version with multiple resources");
    }
    let suffix = match dry {
        DryRun::Client => " (dry run)",
        DryRun::Server => " (server dry run)",
        DryRun::None => "",
    };
    let mut scaled: Vec<Object> = Vec::new();
    for o in &objs {
        let kind = o.kind();
        let label = format!("{}/{}", kind.qualified_singular(), o.name());
        if !scalable(kind) {
            errors.push("Error from server (NotFound): the server could not find the requested resource".into());
            continue;
        }
        if dry == DryRun::Client {
            ctx.out.out(&format!("{label} scaled{suffix}\n"));
            continue;
        }
        // kubectl patches the scale subresource, or reads and updates it when it has
        // preconditions to check.
        let preconditions = current >= 0 || m.get_one::<String>("resource-version").is_some();
        let auth = if preconditions {
            super::auth::authorize_write(ctx, "get", kind, o.namespace(), o.name(), "scale")
                .and_then(|_| super::auth::authorize_write(ctx, "update", kind, o.namespace(), o.name(), "scale"))
        } else {
            super::auth::authorize_write(ctx, "patch", kind, o.namespace(), o.name(), "scale")
        };
        if let Err(e) = auth {
            errors.push(e);
            continue;
        }
        let have = spec_replicas(o).unwrap_or(1);
        if current >= 0 && have as i64 != current {
            errors.push(format!("error: Expected replicas to be {current}, was {have}"));
            continue;
        }
        if let Some(rv) = m.get_one::<String>("resource-version") {
            if o.meta().resource_version.as_deref() != Some(rv.as_str()) {
                errors.push(format!(
                    "error: Expected resource version to be {rv}, was {}",
                    o.meta().resource_version.as_deref().unwrap_or("")
                ));
                continue;
            }
        }
        let mut updated = o.clone();
        set_spec_replicas(&mut updated, replicas as i32);
        match ctx.world.api_update(updated, WriteOptions { dry_run: dry == DryRun::Server }) {
            Ok(u) => {
                ctx.out.out(&format!("{label} scaled{suffix}\n"));
                scaled.push(u);
            }
            Err(e) => errors.push(e.kubectl_text()),
        }
    }
    for e in &errors {
        ctx.out.fail(e);
    }
    if objs.is_empty() && errors.is_empty() {
        ctx.out.fail("error: no objects passed to scale");
        return;
    }
    // --timeout: wait until each scaled object reports the new size.
    if timeout_s > 0 && dry == DryRun::None {
        let deadline = ctx.world.now.plus_s(timeout_s);
        for o in scaled {
            loop {
                let cur = ctx.world.store.get(o.kind(), o.namespace(), o.name());
                let done = cur.is_none_or(|c| {
                    let (r, g) = status_replicas(c);
                    r == replicas as i32 && g >= c.meta().generation.unwrap_or(0)
                });
                if done {
                    break;
                }
                if ctx.world.now >= deadline {
                    ctx.out.fail("error: timed out waiting for the condition");
                    return;
                }
                ctx.world.tick();
            }
        }
    }
}
