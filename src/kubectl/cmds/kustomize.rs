//! `kubectl kustomize [DIR]`: builds a kustomization directory client-side and prints the
//! objects as YAML documents (`-o FILE` writes them to a file instead). Errors are reported
//! through klog, as kubectl v1.32 does for this command.

use clap::{Arg, ArgAction};

use super::{command, flag, opt, parse};
use crate::kubectl::kustomize::{build_with, Loader};
use crate::kubectl::Ctx;

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = command("kustomize")
        .arg(Arg::new("dir").num_args(0..).action(ArgAction::Append))
        .arg(Arg::new("output").short('o').long("output").num_args(1))
        .arg(opt("load-restrictor"))
        .arg(flag("enable-helm"))
        .arg(flag("enable-alpha-plugins"))
        .arg(flag("as-current-user"))
        .arg(flag("network"))
        .arg(opt("helm-command"))
        .arg(Arg::new("env").short('e').long("env").num_args(1).action(ArgAction::Append));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let dirs: Vec<String> = m.get_many::<String>("dir").map(|v| v.cloned().collect()).unwrap_or_default();
    if dirs.len() > 1 {
        return fail(ctx, "specify one path to kustomization.yaml");
    }
    let dir = dirs.first().cloned().unwrap_or_else(|| ".".into());
    let root_only = match m.get_one::<String>("load-restrictor").map(String::as_str) {
        None | Some("LoadRestrictionsRootOnly") | Some("rootOnly") => true,
        Some("LoadRestrictionsNone") | Some("none") => false,
        Some(other) => {
            return fail(ctx, &format!("illegal flag value --load-restrictor {other}; legal values: [LoadRestrictionsRootOnly LoadRestrictionsNone]"))
        }
    };
    let build = build_with(Loader { fs: &*ctx.files, root_only }, &ctx.cwd, &dir);
    for w in &build.warnings {
        ctx.out.err(&format!("{w}\n"));
    }
    let objects = match build.result {
        Ok(o) => o,
        Err(e) => return fail(ctx, &e),
    };
    let text = crate::kubectl::output::yaml::to_yaml_docs(&objects);
    match m.get_one::<String>("output") {
        None => ctx.out.out(&text),
        Some(path) => {
            let abs = crate::shell::vfs::resolve_path(&ctx.cwd, path);
            let now = ctx.world.now.unix_s().max(0) as u64;
            if let Err(e) = ctx.files.write(&abs, text.as_bytes(), false, now) {
                fail(ctx, &format!("open {abs}: {e}"));
            }
        }
    }
}

/// kubectl reports a failed kustomize build through klog (`"command failed" err=...`).
fn fail(ctx: &mut Ctx, err: &str) {
    super::create::klog(ctx, 'E', "run.go:72", &format!("\"command failed\" err={}", klog_value(err)));
    ctx.out.code = 1;
}

/// klog's rendering of a string value: quoted on one line, or, when it spans lines, each line
/// indented by a tab between `<` and ` >`.
fn klog_value(s: &str) -> String {
    if !s.contains('\n') {
        return crate::sim::api::errors::go_quote(s);
    }
    let mut out = String::from("<\n");
    for line in s.trim_end_matches('\n').split('\n') {
        out.push('\t');
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(" >");
    out
}
