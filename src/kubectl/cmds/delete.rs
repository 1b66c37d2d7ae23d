//! `kubectl delete`: by type and name, `TYPE/NAME`, `-l`, `--field-selector`, `--all`, or `-f`
//! manifests; with graceful termination (`--grace-period`, `--now`, `--force`) and, by
//! default, waiting until the objects are gone — which advances the simulated cluster.

use clap::{Arg, ArgAction};

use super::{command, flag, namespace, opt, parse};
use crate::kubectl::Ctx;
use crate::sim::api::selector::{FieldSelector, Selector};
use crate::sim::api::WriteOptions;
use crate::sim::Kind;

/// How long `delete --wait` waits at most for graceful termination.
const WAIT_MAX_S: u64 = 3600;

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = command("delete")
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(Arg::new("filename").short('f').long("filename").num_args(1).action(ArgAction::Append))
        .arg(Arg::new("recursive").short('R').long("recursive").action(ArgAction::SetTrue))
        .arg(Arg::new("selector").short('l').long("selector").num_args(1))
        .arg(opt("field-selector"))
        .arg(flag("all"))
        .arg(Arg::new("all-namespaces").short('A').long("all-namespaces").action(ArgAction::SetTrue))
        .arg(opt("grace-period").allow_negative_numbers(true))
        .arg(flag("force"))
        .arg(flag("now"))
        .arg(Arg::new("wait").long("wait").num_args(0..=1).require_equals(true).default_missing_value("true"))
        .arg(flag("ignore-not-found"))
        .arg(opt("cascade").num_args(0..=1).require_equals(true).default_missing_value("background"))
        .arg(opt("timeout"))
        .arg(Arg::new("output").short('o').long("output").num_args(1));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let ns = namespace(ctx, &m);
    let force = m.get_flag("force");
    let mut grace: Option<i64> = match m.get_one::<String>("grace-period") {
        None => None,
        Some(g) => match g.parse::<i64>() {
            Ok(v) if v < 0 => None,
            Ok(v) => Some(v),
            Err(_) => {
                return ctx.out.fail(&format!("error: invalid argument \"{g}\" for \"--grace-period\" flag: strconv.ParseInt: parsing \"{g}\": invalid syntax"))
            }
        },
    };
    if m.get_flag("now") {
        if grace.is_some() {
            return ctx.out.fail("error: --now and --grace-period cannot be specified together");
        }
        grace = Some(1);
    }
    if force && grace.is_none() {
        grace = Some(0);
    }
    if grace == Some(0) && !force {
        // kubectl turns --grace-period=0 into 1 unless --force is given.
        grace = Some(1);
    }
    if force {
        ctx.out.err("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
    }
    let wait = m.get_one::<String>("wait").map(|w| w != "false").unwrap_or(true);
    let name_output = m.get_one::<String>("output").is_some_and(|o| o == "name");
    let ignore_nf = m.get_flag("ignore-not-found");

    let mut victims: Vec<(Kind, String, String)> = Vec::new();
    let files: Vec<String> = m.get_many::<String>("filename").map(|v| v.cloned().collect()).unwrap_or_default();
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    if !files.is_empty() {
        match super::apply::read_objects(ctx, &files, m.get_flag("recursive"), true) {
            Ok(docs) => {
                for d in docs {
                    match d.object {
                        Ok(o) => {
                            let k_ns = if o.kind().namespaced() {
                                if o.namespace().is_empty() {
                                    ns.clone()
                                } else {
                                    o.namespace().to_string()
                                }
                            } else {
                                String::new()
                            };
                            victims.push((o.kind(), k_ns, o.name().to_string()));
                        }
                        Err(e) => ctx.out.fail(&e),
                    }
                }
            }
            Err(e) => return ctx.out.fail(&e),
        }
    } else {
        if positional.is_empty() {
            ctx.out.fail("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
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
        let field_text = m.get_one::<String>("field-selector").map(String::as_str).unwrap_or("");
        let fields = match FieldSelector::parse(field_text) {
            Ok(f) => f,
            Err(e) => return ctx.out.fail(&format!("error: {e}")),
        };
        for (kind, n) in &targets.items {
            let k_ns = if kind.namespaced() { ns.clone() } else { String::new() };
            match n {
                Some(n) => victims.push((*kind, k_ns, n.clone())),
                None => {
                    if !m.get_flag("all")
                        && m.get_one::<String>("selector").is_none()
                        && m.get_one::<String>("field-selector").is_none()
                    {
                        ctx.out.fail("error: resource(s) were provided, but no name was specified");
                        return;
                    }
                    if let Some(bad) = fields.unsupported(kind.name()) {
                        return ctx.out.fail(&format!(
                            "Error from server (BadRequest): Unable to find \"{}/{}, Resource={}\" that match label selector \"{}\", field selector \"{field_text}\": field label not supported: {bad}",
                            kind.group(), kind.version(), kind.plural(),
                            m.get_one::<String>("selector").map(String::as_str).unwrap_or(""),
                        ));
                    }
                    let list_ns =
                        if m.get_flag("all-namespaces") || !kind.namespaced() { None } else { Some(k_ns.as_str()) };
                    let found: Vec<(Kind, String, String)> = ctx
                        .world
                        .store
                        .list(*kind, list_ns)
                        .into_iter()
                        .filter(|o| selector.matches(&o.meta().labels.clone().unwrap_or_default()))
                        .filter(|o| fields.0.is_empty() || fields.matches(&o.to_value()))
                        .map(|o| (*kind, o.namespace().to_string(), o.name().to_string()))
                        .collect();
                    victims.extend(found);
                }
            }
        }
        if victims.is_empty() {
            ctx.out.err("No resources found\n");
            return;
        }
    }
    let mut deleted: Vec<(Kind, String, String)> = Vec::new();
    for (kind, k_ns, n) in victims {
        if let Err(e) = super::auth::authorize_kind(ctx, "delete", kind, &k_ns, &n) {
            ctx.out.fail(&e);
            continue;
        }
        match ctx.world.api_delete(kind, &k_ns, &n, grace, WriteOptions::default()) {
            Ok(_) => {
                if name_output {
                    ctx.out.out(&format!("{}/{n}\n", kind.qualified_singular()));
                } else if force {
                    ctx.out.out(&format!("{} \"{n}\" force deleted\n", kind.qualified_singular()));
                } else {
                    ctx.out.out(&format!("{} \"{n}\" deleted\n", kind.qualified_singular()));
                }
                deleted.push((kind, k_ns, n));
            }
            Err(e) => {
                if ignore_nf && e.code == 404 {
                    continue;
                }
                ctx.out.fail(&e.kubectl_text());
            }
        }
    }
    if wait && !force {
        let deadline = ctx.world.now.plus_s(WAIT_MAX_S);
        while ctx.world.now < deadline && deleted.iter().any(|(k, ns, n)| ctx.world.store.get(*k, ns, n).is_some()) {
            ctx.world.tick();
        }
    }
}
