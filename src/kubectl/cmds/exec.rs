//! `kubectl exec POD [-c C] -- COMMAND...`: runs a command in a running container with
//! kubedojo's shell and prints its output; a non-zero status ends with kubectl's
//! `command terminated with exit code N`.

use clap::{Arg, ArgAction};

use super::{command, namespace, parse};
use crate::kubectl::Ctx;
use crate::sim::kubelet::exec::{exec_once, Outcome};
use crate::sim::Kind;

pub fn run(ctx: &mut Ctx, args: &[String]) {
    // Everything after `--` is the command, untouched by flag parsing.
    let (flags, command_argv): (&[String], Vec<String>) = match args.iter().position(|a| a == "--") {
        Some(i) => (&args[..i], args[i + 1..].to_vec()),
        None => (args, Vec::new()),
    };
    let cmd = command("exec")
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(Arg::new("container").short('c').long("container").num_args(1))
        .arg(Arg::new("stdin").short('i').long("stdin").action(ArgAction::SetTrue))
        .arg(Arg::new("tty").short('t').long("tty").action(ArgAction::SetTrue))
        .arg(Arg::new("quiet").short('q').long("quiet").action(ArgAction::SetTrue));
    let Some(m) = parse(ctx, cmd, flags) else { return };
    let ns = namespace(ctx, &m);
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    let Some(target) = positional.first() else {
        ctx.out.fail("error: you must specify at least one command for the container\nSee 'kubectl exec -h' for help and examples");
        return;
    };
    if positional.len() > 1 {
        ctx.out.fail("error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples");
        return;
    }
    if command_argv.is_empty() {
        ctx.out.fail("error: you must specify at least one command for the container\nSee 'kubectl exec -h' for help and examples");
        return;
    }
    let pod = match super::logs::pod_name(ctx, &ns, target) {
        Ok(p) => p,
        Err(e) => return ctx.out.fail(&e),
    };
    if let Err(e) = super::auth::authorize_kind(ctx, "get", Kind::Pod, &ns, &pod) {
        return ctx.out.fail(&e);
    }
    let Some(obj) = ctx.world.store.get(Kind::Pod, &ns, &pod).and_then(|o| o.as_pod()).cloned() else {
        return ctx.out.fail(&super::get::not_found(Kind::Pod, &pod));
    };
    let phase = obj.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    if phase == "Succeeded" || phase == "Failed" {
        return ctx
            .out
            .fail(&format!("error: cannot exec into a container in a completed pod; current phase is {phase}"));
    }
    // A named container goes to the server as it is (an unknown one fails the upgrade);
    // otherwise FindOrDefaultContainerByName, quiet with -q.
    let cname = match m.get_one::<String>("container") {
        Some(c) => c.clone(),
        None => match super::logs::default_container(ctx, &ns, &pod, m.get_flag("quiet")) {
            Ok(c) => c,
            Err(e) => return ctx.out.fail(&e),
        },
    };
    let rt = ctx.world.kubelet.find(&ns, &pod).cloned();
    let Some((rt, c)) = rt.and_then(|rt| {
        let c = rt.container(&cname).cloned()?;
        Some((rt, c))
    }) else {
        return ctx.out.fail(&format!("error: unable to upgrade connection: container not found (\"{cname}\")"));
    };
    if !c.is_running() {
        return ctx.out.fail(&format!("error: unable to upgrade connection: container not found (\"{cname}\")"));
    }
    if m.get_flag("stdin") && m.get_flag("tty") && is_interactive_shell(&command_argv) {
        ctx.out.fail("error: kubedojo runs no interactive terminal in a script: give the command to run, e.g. kubectl exec POD -- sh -c 'ls /'");
        return;
    }
    let exec_request =
        crate::sim::api::rbac::Attributes::for_kind("create", Kind::Pod, &ns, &pod).with_subresource("exec");
    if let Err(e) = super::auth::authorize(ctx, &exec_request) {
        return ctx.out.fail(&e);
    }
    let arg0 = command_argv[0].clone();
    if !crate::shell::is_command(&arg0) && !arg0.contains('/') {
        return ctx.out.fail(&format!(
            "error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"{}\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"{arg0}\": executable file not found in $PATH: unknown",
            ctx.world.random_hex(64)
        ));
    }
    match exec_once(ctx.world, &rt, &c, &command_argv, 3600) {
        Outcome::Exited(code, out) => {
            ctx.out.out(&out);
            if code != 0 {
                ctx.out.err(&format!("command terminated with exit code {code}\n"));
                ctx.out.code = code;
            }
        }
        Outcome::TimedOut => {
            ctx.out.fail("error: kubedojo stopped the command after an hour of simulated time");
        }
        Outcome::Failed(msg) => ctx.out.fail(&format!("error: {msg}")),
    }
}

/// `sh`, `bash`, `/bin/sh`... with no script: an interactive session.
fn is_interactive_shell(argv: &[String]) -> bool {
    argv.len() == 1 && matches!(argv[0].rsplit('/').next(), Some("sh" | "bash" | "ash"))
}
