//! `kubectl config`: the kubeconfig's contexts — `get-contexts`, `current-context`,
//! `use-context`, `set-context` (`--current --namespace=...`, the exam's favourite),
//! `get-clusters`, `get-users`, `delete-context`, `rename-context` and `view` — with kubectl's
//! messages and layouts.

use clap::{Arg, ArgAction};
use serde_json::{json, Value};

use super::{command, flag, opt, parse};
use crate::kubectl::output::{json as json_out, yaml};
use crate::kubectl::{Ctx, KubeContext};

/// Go's tabwriter as kubectl's `GetNewTabWriter` sets it up (min width 6, padding 3): every
/// cell but a line's last is padded to its column's width.
pub(crate) fn tabwrite(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(|r| r.len().saturating_sub(1)).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for r in rows {
        for (i, c) in r.iter().take(r.len().saturating_sub(1)).enumerate() {
            widths[i] = widths[i].max(c.chars().count() + 3).max(6);
        }
    }
    let mut out = String::new();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i + 1 < r.len() {
                out.push_str(&format!("{c:<w$}", w = widths[i]));
            } else {
                out.push_str(c);
            }
        }
        out.push('\n');
    }
    out
}

fn usage(sub: &str) -> String {
    format!("See 'kubectl config {sub} -h' for help and examples")
}

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let Some(sub) = args.first().map(String::as_str) else {
        ctx.out.out(CONFIG_HELP);
        return;
    };
    let rest = &args[1..];
    match sub {
        "current-context" => {
            let cmd = command("config current-context");
            if parse(ctx, cmd, rest).is_none() {
                return;
            }
            ctx.out.out(&format!("{}\n", ctx.client.context));
        }
        "use-context" | "use" => {
            let cmd = command("config use-context").arg(Arg::new("args").num_args(0..).action(ArgAction::Append));
            let Some(m) = parse(ctx, cmd, rest) else { return };
            let names: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
            if names.len() != 1 {
                return ctx.out.fail(&format!("error: Unexpected args: {names:?}\n{}", usage("use-context")));
            }
            if ctx.client.use_context(&names[0]) {
                ctx.out.out(&format!("Switched to context \"{}\".\n", names[0]));
            } else {
                ctx.out.fail(&format!("error: no context exists with the name: \"{}\"", names[0]));
            }
        }
        "set-context" => {
            let cmd = command("config set-context")
                .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
                .arg(flag("current"))
                .arg(opt("cluster"))
                .arg(opt("user"));
            let Some(m) = parse(ctx, cmd, rest) else { return };
            let names: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
            let current = m.get_flag("current");
            let name = match (names.first(), current) {
                (Some(_), true) => {
                    return ctx.out.fail(&format!(
                        "error: you cannot specify both a context name and --current\n{}",
                        usage("set-context")
                    ))
                }
                (Some(n), false) => n.clone(),
                (None, true) => ctx.client.context.clone(),
                (None, false) => {
                    return ctx.out.fail(&format!(
                        "error: you must specify a non-empty context name or --current\n{}",
                        usage("set-context")
                    ))
                }
            };
            let existing = ctx.client.contexts.iter().find(|c| c.name == name).cloned();
            let mut c = existing.clone().unwrap_or(KubeContext {
                name: name.clone(),
                cluster: String::new(),
                user: String::new(),
                namespace: None,
            });
            if let Some(ns) = m.get_one::<String>("namespace") {
                c.namespace = if ns.is_empty() { None } else { Some(ns.clone()) };
            }
            if let Some(cl) = m.get_one::<String>("cluster") {
                c.cluster = cl.clone();
            }
            if let Some(u) = m.get_one::<String>("user") {
                c.user = u.clone();
            }
            ctx.client.set_context(c);
            let verb = if existing.is_some() { "modified" } else { "created" };
            ctx.out.out(&format!("Context \"{name}\" {verb}.\n"));
        }
        "get-contexts" => {
            let cmd = command("config get-contexts")
                .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
                .arg(flag("no-headers"))
                .arg(Arg::new("output").short('o').long("output").num_args(1));
            let Some(m) = parse(ctx, cmd, rest) else { return };
            let names: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
            let output = m.get_one::<String>("output").cloned().unwrap_or_default();
            if !output.is_empty() && output != "name" {
                return ctx.out.fail(&format!("error: output must be one of '' or 'name': {output}"));
            }
            let mut rows: Vec<Vec<String>> = Vec::new();
            if output.is_empty() && !m.get_flag("no-headers") {
                rows.push(["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"].map(String::from).to_vec());
            }
            let mut missing = Vec::new();
            let mut list: Vec<KubeContext> = ctx.client.contexts.clone();
            list.sort_by(|a, b| a.name.cmp(&b.name));
            if !names.is_empty() {
                for n in &names {
                    if !list.iter().any(|c| c.name == *n) {
                        missing.push(format!("context {n} not found"));
                    }
                }
                list.retain(|c| names.contains(&c.name));
            }
            if output == "name" {
                for c in &list {
                    ctx.out.out(&format!("{}\n", c.name));
                }
            } else {
                for c in &list {
                    let cur = if c.name == ctx.client.context { "*" } else { "" };
                    rows.push(vec![
                        cur.to_string(),
                        c.name.clone(),
                        c.cluster.clone(),
                        c.user.clone(),
                        c.namespace.clone().unwrap_or_default(),
                    ]);
                }
                ctx.out.out(&tabwrite(&rows));
            }
            if !missing.is_empty() {
                ctx.out.fail(&format!("error: {}", crate::sim::api::errors::aggregate(missing)));
            }
        }
        "get-clusters" => {
            let mut s = String::from("NAME\n");
            for (n, _) in &ctx.client.clusters {
                s.push_str(&format!("{n}\n"));
            }
            ctx.out.out(&s);
        }
        "get-users" => {
            let mut s = String::from("NAME\n");
            for u in &ctx.client.users {
                s.push_str(&format!("{u}\n"));
            }
            ctx.out.out(&s);
        }
        "delete-context" => {
            let Some(name) = rest.first() else {
                return ctx.out.fail(&format!("error: unexpected args: []\n{}", usage("delete-context")));
            };
            if !ctx.client.contexts.iter().any(|c| c.name == *name) {
                return ctx.out.fail(&format!("error: cannot delete context {name}, not in kubeconfig"));
            }
            if *name == ctx.client.context {
                ctx.out.err("warning: this removed your active context, use \"kubectl config use-context\" to select a different one\n");
            }
            ctx.client.contexts.retain(|c| c.name != *name);
            ctx.out.out(&format!("deleted context {name} from kubeconfig\n"));
        }
        "rename-context" => {
            if rest.len() != 2 {
                return ctx.out.fail(&format!(
                    "error: Unexpected args: {:?}\n{}",
                    rest.iter().collect::<Vec<_>>(),
                    usage("rename-context")
                ));
            }
            let (old, new) = (&rest[0], &rest[1]);
            if !ctx.client.contexts.iter().any(|c| c.name == *old) {
                return ctx.out.fail(&format!("error: cannot rename the context \"{old}\", it's not in kubeconfig"));
            }
            if ctx.client.contexts.iter().any(|c| c.name == *new) {
                return ctx.out.fail(&format!(
                    "error: cannot rename the context \"{old}\", the context \"{new}\" already exists in kubeconfig"
                ));
            }
            for c in ctx.client.contexts.iter_mut() {
                if c.name == *old {
                    c.name = new.clone();
                }
            }
            if ctx.client.context == *old {
                ctx.client.context = new.clone();
            }
            ctx.out.out(&format!("Context \"{old}\" renamed to \"{new}\".\n"));
        }
        "view" => {
            let cmd = command("config view")
                .arg(flag("minify"))
                .arg(flag("raw"))
                .arg(flag("flatten"))
                .arg(Arg::new("output").short('o').long("output").num_args(1));
            let Some(m) = parse(ctx, cmd, rest) else { return };
            let doc = view(ctx, m.get_flag("minify"), m.get_flag("raw"));
            let format = crate::kubectl::print::Format::from_flags(ctx, &m);
            match format {
                Ok(crate::kubectl::print::Format::Json) => ctx.out.out(&json_out::to_json(&doc)),
                Ok(crate::kubectl::print::Format::Table) | Ok(crate::kubectl::print::Format::Yaml) => {
                    ctx.out.out(&yaml::to_yaml(&doc))
                }
                Ok(f) => crate::kubectl::print::print_value(ctx, &f, &doc),
                Err(e) => ctx.out.fail(&e),
            }
        }
        "-h" | "--help" => ctx.out.out(CONFIG_HELP),
        other => ctx.out.fail(&format!(
            "error: unknown command \"{other}\" for \"kubectl config\"\nRun 'kubectl config --help' for usage."
        )),
    }
}

/// The kubeconfig as `kubectl config view` shows it (credentials redacted unless `--raw`).
fn view(ctx: &Ctx, minify: bool, raw: bool) -> Value {
    let c = &ctx.client;
    let data = |what: &str| if raw { json!(format!("LS0tLS1CRUdJTi{what}")) } else { json!("DATA+OMITTED") };
    // kubectl holds the kubeconfig's lists as maps and writes them back sorted by name.
    let mut contexts: Vec<&KubeContext> = c.contexts.iter().filter(|x| !minify || x.name == c.context).collect();
    contexts.sort_by(|a, b| a.name.cmp(&b.name));
    let mut clusters: Vec<_> =
        c.clusters.iter().filter(|(n, _)| !minify || contexts.iter().any(|x| x.cluster == *n)).collect();
    clusters.sort_by(|a, b| a.0.cmp(&b.0));
    let clusters: Vec<Value> = clusters
        .into_iter()
        .map(|(n, server)| json!({"cluster": {"certificate-authority-data": data("CA"), "server": server}, "name": n}))
        .collect();
    let mut users: Vec<_> = c.users.iter().filter(|u| !minify || contexts.iter().any(|x| x.user == **u)).collect();
    users.sort();
    let users: Vec<Value> = users
        .into_iter()
        .map(|u| json!({"name": u, "user": {"client-certificate-data": data("CERT"), "client-key-data": data("KEY")}}))
        .collect();
    let ctxs: Vec<Value> = contexts
        .iter()
        .map(|x| {
            let mut inner = json!({"cluster": x.cluster, "user": x.user});
            if let Some(ns) = &x.namespace {
                inner["namespace"] = json!(ns);
            }
            json!({"context": inner, "name": x.name})
        })
        .collect();
    json!({
        "apiVersion": "v1",
        "clusters": clusters,
        "contexts": ctxs,
        "current-context": c.context,
        "kind": "Config",
        "preferences": {},
        "users": users,
    })
}

const CONFIG_HELP: &str =
    "Modify kubeconfig files using subcommands like \"kubectl config set current-context my-context\".

Available Commands:
  current-context   Display the current-context
  delete-context    Delete the specified context from the kubeconfig
  get-clusters      Display clusters defined in the kubeconfig
  get-contexts      Describe one or many contexts
  get-users         Display users defined in the kubeconfig
  rename-context    Rename a context from the kubeconfig file
  set-context       Set a context entry in kubeconfig
  use-context       Set the current-context in a kubeconfig file
  view              Display merged kubeconfig settings or a specified kubeconfig file

Usage:
  kubectl config SUBCOMMAND [options]
";

#[cfg(test)]
mod tests {
    use super::tabwrite;

    #[test]
    fn tabwriter_pads_all_but_the_last_cell() {
        let rows = vec![
            vec!["CURRENT".to_string(), "NAME".into(), "NAMESPACE".into()],
            vec!["*".to_string(), "a".into(), "".into()],
        ];
        assert_eq!(tabwrite(&rows), "CURRENT   NAME   NAMESPACE\n*         a      \n");
    }
}
