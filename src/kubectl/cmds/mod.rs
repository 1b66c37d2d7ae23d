//! kubectl's commands: clap definitions, error texts for bad command lines (kubectl's own
//! words, not clap's), and dispatch to each command's implementation.

mod apply;
pub(crate) mod auth;
mod autoscale;
mod config;
mod cordon;
mod cp;
mod create;
mod delete;
mod describe;
mod drain;
pub mod edit;
mod events;
mod exec;
mod explain;
mod expose;
pub(crate) mod get;
mod info;
mod kustomize;
mod label;
mod logs;
mod patch;
mod replace;
mod rollout;
mod run;
mod scale;
mod set;
mod taint;
mod top;
mod wait;

use clap::{Arg, ArgAction, ArgMatches, Command};

use super::Ctx;

/// Every verb kubectl v1.32 has, for "unknown command" and "not simulated" decisions.
pub const KNOWN_VERBS: &[&str] = &[
    "annotate",
    "api-resources",
    "api-versions",
    "apply",
    "attach",
    "auth",
    "autoscale",
    "certificate",
    "cluster-info",
    "completion",
    "config",
    "cordon",
    "cp",
    "create",
    "debug",
    "delete",
    "describe",
    "diff",
    "drain",
    "edit",
    "events",
    "exec",
    "explain",
    "expose",
    "get",
    "kustomize",
    "label",
    "logs",
    "options",
    "patch",
    "plugin",
    "port-forward",
    "proxy",
    "replace",
    "rollout",
    "run",
    "scale",
    "set",
    "taint",
    "top",
    "uncordon",
    "version",
    "wait",
];

/// Global flags kubectl accepts before the verb (`kubectl -n dev get pods`), with whether
/// they take a value.
const GLOBAL_FLAGS: &[(&str, bool)] = &[
    ("-n", true),
    ("--namespace", true),
    ("--context", true),
    ("--kubeconfig", true),
    ("--cluster", true),
    ("--user", true),
    ("-v", true),
    ("--v", true),
    ("--request-timeout", true),
    ("--as", true),
    ("--as-group", true),
];

/// Moves global flags given before the verb to after the command, where it parses them.
pub(crate) fn hoist_global_flags(args: &[String]) -> Vec<String> {
    let mut before = Vec::new();
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') {
        let a = &args[i];
        let name = a.split('=').next().unwrap_or(a);
        let Some((_, takes_value)) = GLOBAL_FLAGS.iter().find(|(f, _)| *f == name) else { break };
        before.push(a.clone());
        if *takes_value && !a.contains('=') && i + 1 < args.len() {
            before.push(args[i + 1].clone());
            i += 1;
        }
        i += 1;
    }
    if before.is_empty() || i >= args.len() {
        return args.to_vec();
    }
    // After the command's own words (`kubectl -n dev set image ...`, `kubectl -n dev rollout
    // undo ...` have subcommands) but before a `--`, after which the words are a container's
    // command (`kubectl -n dev exec web -- ls`).
    let rest = &args[i..];
    let at = rest.iter().position(|a| a == "--").unwrap_or(rest.len());
    let mut out = rest[..at].to_vec();
    out.extend(before);
    out.extend_from_slice(&rest[at..]);
    out
}

pub fn dispatch(ctx: &mut Ctx, args: &[String]) {
    let args = &hoist_global_flags(args);
    let Some(verb) = args.first() else {
        ctx.out.out(KUBECTL_USAGE);
        return;
    };
    let rest = &args[1..];
    match verb.as_str() {
        "get" => get::run(ctx, rest),
        "describe" => describe::run(ctx, rest),
        "create" => create::run(ctx, rest),
        "apply" => apply::run(ctx, rest),
        "delete" => delete::run(ctx, rest),
        "logs" => logs::run(ctx, rest),
        "exec" => exec::run(ctx, rest),
        "label" => label::run(ctx, rest, label::Which::Label),
        "annotate" => label::run(ctx, rest, label::Which::Annotate),
        "run" => run::run(ctx, rest),
        "wait" => wait::run(ctx, rest),
        "scale" => scale::run(ctx, rest),
        "rollout" => rollout::run(ctx, rest),
        "set" => set::run(ctx, rest),
        "expose" => expose::run(ctx, rest),
        "autoscale" => autoscale::run(ctx, rest),
        "top" => top::run(ctx, rest),
        "cordon" | "uncordon" => cordon::run(ctx, verb == "cordon", rest),
        "drain" => drain::run(ctx, rest),
        "taint" => taint::run(ctx, rest),
        "config" => config::run(ctx, rest),
        "patch" => patch::run(ctx, rest),
        "version" => info::version(ctx, rest),
        "cluster-info" => info::cluster_info(ctx, rest),
        "api-resources" => info::api_resources(ctx, rest),
        "api-versions" => info::api_versions(ctx, rest),
        "auth" => auth::run(ctx, rest),
        "edit" => edit::run(ctx, rest),
        "replace" => replace::run(ctx, rest),
        "explain" => explain::run(ctx, rest),
        "events" => events::run(ctx, rest),
        "cp" => cp::run(ctx, rest),
        "kustomize" => kustomize::run(ctx, rest),
        "completion" => {
            // `source <(kubectl completion bash)` is a common exam habit: accept it quietly.
            ctx.out.out("# kubectl completion is built into kubedojo's prompt\n");
        }
        "-h" | "--help" | "help" => ctx.out.out(KUBECTL_USAGE),
        v if KNOWN_VERBS.contains(&v) => {
            ctx.out.fail(&format!("error: kubedojo does not simulate \"kubectl {v}\" yet"));
        }
        v if v.starts_with('-') => {
            ctx.out.fail(&format!("Error: unknown flag: {v}\nSee 'kubectl --help' for usage."));
        }
        v => {
            let mut msg = format!("error: unknown command \"{v}\" for \"kubectl\"");
            let close: Vec<&str> = KNOWN_VERBS.iter().copied().filter(|k| levenshtein(k, v) <= 2).collect();
            if !close.is_empty() {
                msg.push_str("\n\nDid you mean this?\n");
                for c in close {
                    msg.push_str(&format!("\t{c}\n"));
                }
            } else {
                msg.push('\n');
            }
            msg.push_str("Run 'kubectl --help' for usage.");
            ctx.out.fail(&msg);
        }
    }
}

/// Edit distance, for cobra's "Did you mean this?" suggestions (distance ≤ 2).
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A kubectl subcommand with the global flags every command accepts.
pub(crate) fn command(name: &'static str) -> Command {
    Command::new(name)
        .no_binary_name(true)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .allow_negative_numbers(true)
        .arg(Arg::new("namespace").short('n').long("namespace").num_args(1))
        .arg(Arg::new("context").long("context").num_args(1))
        .arg(Arg::new("kubeconfig").long("kubeconfig").num_args(1))
        .arg(Arg::new("v").short('v').long("v").num_args(1))
        .arg(Arg::new("request-timeout").long("request-timeout").num_args(1))
        .arg(Arg::new("as").long("as").num_args(1))
        .arg(Arg::new("as-group").long("as-group").num_args(1).action(ArgAction::Append))
        .arg(Arg::new("as-uid").long("as-uid").num_args(1))
        .arg(Arg::new("help").short('h').long("help").action(ArgAction::SetTrue))
}

pub(crate) fn flag(name: &'static str) -> Arg {
    Arg::new(name).long(name).action(ArgAction::SetTrue)
}

pub(crate) fn opt(name: &'static str) -> Arg {
    Arg::new(name).long(name).num_args(1)
}

/// Output flag (-o) and friends shared by get/create/run/apply.
pub(crate) fn output_args(cmd: Command) -> Command {
    cmd.arg(Arg::new("output").short('o').long("output").num_args(1))
        .arg(opt("template"))
        .arg(Arg::new("show-managed-fields").long("show-managed-fields").action(ArgAction::SetTrue))
        .arg(
            Arg::new("allow-missing-template-keys")
                .long("allow-missing-template-keys")
                .num_args(0..=1)
                .default_missing_value("true"),
        )
}

/// `--dry-run[=client|server|none]`.
pub(crate) fn dry_run_arg(cmd: Command) -> Command {
    cmd.arg(Arg::new("dry-run").long("dry-run").num_args(0..=1).require_equals(true).default_missing_value("unchanged"))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DryRun {
    None,
    Client,
    Server,
}

/// Parses --dry-run as kubectl does; Err is kubectl's message.
pub(crate) fn dry_run(m: &ArgMatches) -> Result<DryRun, String> {
    match m.get_one::<String>("dry-run").map(String::as_str) {
        None | Some("none") | Some("false") => Ok(DryRun::None),
        Some("client") | Some("true") | Some("unchanged") => Ok(DryRun::Client),
        Some("server") => Ok(DryRun::Server),
        Some(other) => {
            Err(format!("error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."))
        }
    }
}

/// Parses `args` for `cmd`; on error prints kubectl's message and returns None.
pub(crate) fn parse(ctx: &mut Ctx, cmd: Command, args: &[String]) -> Option<ArgMatches> {
    let name = cmd.get_name().to_string();
    match cmd.try_get_matches_from(args) {
        Ok(m) => {
            if m.get_flag("help") {
                ctx.out.out(&format!("Usage: kubectl {name} [options]\n\nkubedojo simulates kubectl {name}; see the Kubernetes documentation for every option.\n"));
                return None;
            }
            if let Some(ctxname) = m.get_one::<String>("context") {
                if ctxname != &ctx.client.context {
                    ctx.out.fail(&format!("error: context \"{ctxname}\" does not exist"));
                    return None;
                }
            }
            Some(m)
        }
        Err(e) => {
            ctx.out.fail(&clap_error_text(&e, &name));
            None
        }
    }
}

/// Turns a clap error into kubectl's (cobra/pflag's) wording: cobra prints flag errors as
/// `Error: <pflag message>` followed by the usage hint.
fn clap_error_text(e: &clap::Error, name: &str) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let invalid = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => s.clone(),
        _ => String::new(),
    };
    let flag = invalid.split(['=', ' ']).next().unwrap_or("").to_string();
    let flag_text = |f: &str| {
        if let Some(short) = f.strip_prefix('-').filter(|s| !s.starts_with('-')) {
            format!("'{short}' in -{short}")
        } else {
            f.to_string()
        }
    };
    let msg = match e.kind() {
        ErrorKind::UnknownArgument => {
            if flag.starts_with("--") {
                format!("Error: unknown flag: {flag}")
            } else {
                let c = flag.trim_start_matches('-').chars().next().unwrap_or('?');
                format!("Error: unknown shorthand flag: '{c}' in {flag}")
            }
        }
        ErrorKind::InvalidValue | ErrorKind::NoEquals | ErrorKind::TooFewValues => {
            format!("Error: flag needs an argument: {}", flag_text(&flag))
        }
        ErrorKind::ArgumentConflict => format!("Error: {}", first_line(&e.to_string())),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            format!("Error: {}", first_line(&e.to_string()))
        }
        _ => format!("Error: {}", first_line(&e.to_string())),
    };
    format!("{msg}\nSee 'kubectl {name} --help' for usage.")
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim_start_matches("error: ").to_string()
}

/// The namespace a command works in: `-n`, else the context's.
pub(crate) fn namespace(ctx: &Ctx, m: &ArgMatches) -> String {
    m.get_one::<String>("namespace").cloned().unwrap_or_else(|| ctx.client.namespace.clone())
}

const KUBECTL_USAGE: &str = "kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Basic Commands (Beginner):
  create          Create a resource from a file or from stdin
  expose          Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service
  run             Run a particular image on the cluster
  set             Set specific features on objects

Basic Commands (Intermediate):
  explain         Get documentation for a resource
  get             Display one or many resources
  edit            Edit a resource on the server
  delete          Delete resources by file names, stdin, resources and names, or by resources and label selector

Troubleshooting and Debugging Commands:
  describe        Show details of a specific resource or group of resources
  logs            Print the logs for a container in a pod
  exec            Execute a command in a container

Advanced Commands:
  apply           Apply a configuration to a resource by file name or stdin
  wait            Experimental: Wait for a specific condition on one or many resources

Settings Commands:
  label           Update the labels on a resource
  annotate        Update the annotations on a resource

Usage:
  kubectl [flags] [options]
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_use_edit_distance() {
        assert_eq!(levenshtein("get", "gt"), 1);
        assert_eq!(levenshtein("logs", "log"), 1);
        assert!(levenshtein("describe", "get") > 2);
    }

    #[test]
    fn global_flags_move_after_subcommands_and_before_a_double_dash() {
        let v = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert_eq!(hoist_global_flags(&v("-n dev set image deploy/api a=b")), v("set image deploy/api a=b -n dev"));
        assert_eq!(
            hoist_global_flags(&v("--namespace=dev --context x rollout undo deploy/api")),
            v("rollout undo deploy/api --namespace=dev --context x")
        );
        assert_eq!(hoist_global_flags(&v("-n dev exec web -- ls -n")), v("exec web -n dev -- ls -n"));
        assert_eq!(hoist_global_flags(&v("get pods -n dev")), v("get pods -n dev"));
    }
}
