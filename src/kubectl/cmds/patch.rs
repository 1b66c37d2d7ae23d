//! `kubectl patch`: strategic merge (the default), JSON merge and JSON patches given with
//! `-p` (JSON or YAML) or `--patch-file`, on `TYPE NAME` or `TYPE/NAME`, with kubectl's
//! `patched` / `patched (no change)` lines and its errors.

use clap::{Arg, ArgAction};

use super::{command, dry_run, dry_run_arg, namespace, opt, output_args, parse, DryRun};
use crate::kubectl::print::{self, Format};
use crate::kubectl::Ctx;
use crate::sim::api::decode::yaml_to_json;
use crate::sim::api::patch::PatchType;
use crate::sim::api::WriteOptions;

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = dry_run_arg(output_args(command("patch")))
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(Arg::new("patch").short('p').long("patch").num_args(1))
        .arg(opt("patch-file"))
        .arg(opt("type"))
        .arg(opt("subresource"))
        .arg(Arg::new("filename").short('f').long("filename").num_args(1).action(ArgAction::Append))
        .arg(opt("field-manager"))
        .arg(Arg::new("local").long("local").action(ArgAction::SetTrue));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let dry = match dry_run(&m) {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    let ty = match m.get_one::<String>("type").map(String::as_str).unwrap_or("strategic") {
        "strategic" => PatchType::Strategic,
        "merge" => PatchType::Merge,
        "json" => PatchType::Json,
        other => return ctx.out.fail(&format!("error: --type must be one of [json merge strategic], not \"{other}\"")),
    };
    let text = match (m.get_one::<String>("patch"), m.get_one::<String>("patch-file")) {
        (Some(_), Some(_)) => return ctx.out.fail("error: cannot specify --patch and --patch-file together"),
        (Some(p), None) => p.clone(),
        (None, Some(f)) => {
            let path = if f.starts_with('/') { f.clone() } else { format!("{}/{f}", ctx.cwd.trim_end_matches('/')) };
            match ctx.files.read(&path) {
                Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                Err(_) => {
                    return ctx
                        .out
                        .fail(&format!("error: unable to read patch file: open {f}: no such file or directory"))
                }
            }
        }
        (None, None) => {
            return ctx.out.fail("error: must specify --patch or --patch-file containing the contents of the patch")
        }
    };
    let patch = match yaml_to_json(&text) {
        Ok(v) => v,
        Err(e) => {
            return ctx.out.fail(&format!(
                "error: unable to parse \"{text}\": {}",
                e.trim_start_matches("error converting YAML to JSON: ")
            ))
        }
    };
    let format = match Format::from_flags(ctx, &m) {
        Ok(f) => f,
        Err(e) => return ctx.out.fail(&e),
    };
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    if positional.is_empty() {
        return ctx.out.fail("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    let targets = match super::get::targets(&positional) {
        Ok(t) => t,
        Err(e) => return ctx.out.fail(&e),
    };
    let ns = namespace(ctx, &m);
    for (kind, name) in targets.items {
        let Some(name) = name else {
            return ctx.out.fail("error: resource(s) were provided, but no name was specified");
        };
        let k_ns = if kind.namespaced() { ns.clone() } else { String::new() };
        if let Err(e) = super::auth::authorize_read(ctx, kind, &k_ns, Some(&name)) {
            ctx.out.fail(&e);
            continue;
        }
        let before = match ctx.world.api_get(kind, &k_ns, &name) {
            Ok(o) => o.clone(),
            Err(e) => {
                ctx.out.fail(&e.kubectl_text());
                continue;
            }
        };
        if dry != DryRun::Client {
            if let Err(e) = super::auth::authorize_write(ctx, "patch", kind, &k_ns, &name, "") {
                ctx.out.fail(&e);
                continue;
            }
        }
        // A client dry run patches the object it read and persists nothing.
        let result = ctx.world.api_patch(kind, &k_ns, &name, ty, &patch, WriteOptions { dry_run: dry != DryRun::None });
        match result {
            Ok(obj) => {
                if format != Format::Table {
                    print::print_written(ctx, &format, &[obj]);
                    continue;
                }
                let unchanged = obj.meta().resource_version == before.meta().resource_version && dry == DryRun::None;
                let suffix = match dry {
                    DryRun::Client => " (dry run)",
                    DryRun::Server => " (server dry run)",
                    DryRun::None if unchanged => " (no change)",
                    DryRun::None => "",
                };
                ctx.out.out(&format!("{}/{name} patched{suffix}\n", kind.qualified_singular()));
            }
            Err(e) => ctx.out.fail(&e.kubectl_text()),
        }
    }
}
