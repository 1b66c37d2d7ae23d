//! `kubectl get`: resource arguments, selectors, and every output form.

use clap::{Arg, ArgAction, ArgMatches};

use super::{command, flag, namespace, opt, output_args, parse};
use crate::kubectl::print::{self, Format, TableOpts};
use crate::kubectl::Ctx;
use crate::sim::api::discovery;
use crate::sim::api::selector::{FieldSelector, Selector};
use crate::sim::{Kind, Object};

/// What a resource argument list names: kinds with optional names.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Targets {
    /// (kind, name) pairs; name None means "all of that kind".
    pub items: Vec<(Kind, Option<String>)>,
    /// Whether names were given (so NotFound is an error, and single-object output applies).
    pub named: bool,
}

/// The kinds `kubectl get all` lists, in the order discovery returns the `all` category:
/// core, apps, autoscaling, batch, each group's resources alphabetically.
const ALL: &[Kind] = &[
    Kind::Pod,
    Kind::Service,
    Kind::DaemonSet,
    Kind::Deployment,
    Kind::ReplicaSet,
    Kind::StatefulSet,
    Kind::HorizontalPodAutoscaler,
    Kind::CronJob,
    Kind::Job,
];

fn resolve_kind(arg: &str) -> Result<Vec<Kind>, String> {
    if arg == "all" {
        return Ok(ALL.to_vec());
    }
    discovery::resolve(arg)
        .map(|k| vec![k])
        .ok_or_else(|| format!("error: the server doesn't have a resource type \"{arg}\""))
}

/// Parses `TYPE[,TYPE...] [NAME...]` or `TYPE/NAME...` as kubectl's resource builder does.
pub(crate) fn targets(args: &[String]) -> Result<Targets, String> {
    let Some(first) = args.first() else {
        return Ok(Targets { items: vec![], named: false });
    };
    if first.contains('/') {
        let mut items = Vec::new();
        for a in args {
            let Some((t, n)) = a.split_once('/') else {
                return Err("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".into());
            };
            if n.is_empty() {
                return Err("error: arguments in resource/name form must have a single resource and name".to_string());
            }
            for k in resolve_kind(t)? {
                items.push((k, Some(n.to_string())));
            }
        }
        return Ok(Targets { items, named: true });
    }
    let mut kinds = Vec::new();
    for t in first.split(',').filter(|t| !t.is_empty()) {
        kinds.extend(resolve_kind(t)?);
    }
    let names = &args[1..];
    if names.is_empty() {
        return Ok(Targets { items: kinds.into_iter().map(|k| (k, None)).collect(), named: false });
    }
    let mut items = Vec::new();
    for k in &kinds {
        for n in names {
            items.push((*k, Some(n.clone())));
        }
    }
    Ok(Targets { items, named: true })
}

/// `Error from server (NotFound): pods "web" not found`.
pub(crate) fn not_found(kind: Kind, name: &str) -> String {
    format!("Error from server (NotFound): {} \"{name}\" not found", kind.qualified_plural())
}

pub(crate) const MISSING_RESOURCE: &str = "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples";

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = output_args(command("get"))
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(Arg::new("selector").short('l').long("selector").num_args(1))
        .arg(opt("field-selector"))
        .arg(Arg::new("all-namespaces").short('A').long("all-namespaces").action(ArgAction::SetTrue))
        .arg(flag("show-labels"))
        .arg(Arg::new("label-columns").short('L').long("label-columns").num_args(1).action(ArgAction::Append))
        .arg(flag("no-headers"))
        .arg(opt("sort-by"))
        .arg(Arg::new("watch").short('w').long("watch").action(ArgAction::SetTrue))
        .arg(flag("watch-only"))
        .arg(flag("ignore-not-found"))
        .arg(flag("show-kind"))
        .arg(opt("chunk-size"))
        .arg(Arg::new("filename").short('f').long("filename").num_args(1).action(ArgAction::Append))
        .arg(Arg::new("recursive").short('R').long("recursive").action(ArgAction::SetTrue));
    let Some(m) = parse(ctx, cmd, args) else { return };
    if m.get_flag("watch") || m.get_flag("watch-only") {
        ctx.out.fail("error: kubedojo shows watches live in the TUI; in a script, use `sleep N` and get again");
        return;
    }
    get(ctx, &m);
}

fn get(ctx: &mut Ctx, m: &ArgMatches) {
    let args: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    let files: Vec<String> = m.get_many::<String>("filename").map(|v| v.cloned().collect()).unwrap_or_default();
    if args.is_empty() && files.is_empty() {
        ctx.out.fail(MISSING_RESOURCE);
        return;
    }
    if !args.is_empty() && !files.is_empty() {
        return ctx.out.fail(
            "error: when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well",
        );
    }
    let format = match Format::parse(m.get_one::<String>("output").map(String::as_str)) {
        Ok(f) => f,
        Err(e) => return ctx.out.fail(&e),
    };
    let all_ns = m.get_flag("all-namespaces");
    let ns = namespace(ctx, m);
    let mut errors: Vec<String> = Vec::new();
    // (kind, name, namespace): `-f` names each object of the files, in the namespace the
    // manifest gives (else the current one), as kubectl's resource builder does.
    let (targets, item_ns) = if files.is_empty() {
        match targets(&args) {
            Ok(t) => {
                let item_ns = vec![ns.clone(); t.items.len()];
                (t, item_ns)
            }
            Err(e) => return ctx.out.fail(&e),
        }
    } else {
        let docs = match super::apply::read_objects(ctx, &files, m.get_flag("recursive"), false) {
            Ok(d) => d,
            Err(e) => return ctx.out.fail(&e),
        };
        let (mut items, mut item_ns) = (Vec::new(), Vec::new());
        for d in docs {
            match d.object {
                Ok(o) => {
                    let o_ns = if o.namespace().is_empty() { ns.clone() } else { o.namespace().to_string() };
                    items.push((o.kind(), Some(o.name().to_string())));
                    item_ns.push(o_ns);
                }
                Err(e) => errors.push(e),
            }
        }
        (Targets { items, named: true }, item_ns)
    };
    // kubectl's `singleItemImplied`: one name, or one file (not a folder, not stdin). Such a
    // request prints its object as itself, and only its error when it fails.
    let single_implied = if files.is_empty() {
        targets.named && targets.items.len() == 1
    } else {
        files.len() == 1 && files[0] != "-" && !ctx.files.is_dir(&crate::shell::vfs::resolve_path(&ctx.cwd, &files[0]))
    };
    let selector = match Selector::parse(m.get_one::<String>("selector").map(String::as_str).unwrap_or("")) {
        Ok(s) => s,
        Err(e) => return ctx.out.fail(&format!("error: {e}")),
    };
    let fields = match FieldSelector::parse(m.get_one::<String>("field-selector").map(String::as_str).unwrap_or("")) {
        Ok(f) => f,
        Err(e) => return ctx.out.fail(&format!("error: {e}")),
    };
    if targets.named && all_ns {
        return ctx.out.fail("error: a resource cannot be retrieved by name across all namespaces");
    }
    if !all_ns
        && targets.items.iter().any(|(k, _)| k.namespaced())
        && ctx.world.store.get(Kind::Namespace, "", &ns).is_none()
        && !targets.named
    {
        // Listing in a namespace that does not exist simply finds nothing.
    }
    if m.get_flag("show-labels") && !format.is_table() {
        let o = m.get_one::<String>("output").map(String::as_str).unwrap_or("");
        return ctx.out.fail(&format!("error: --show-labels option cannot be used with {o} printer"));
    }
    let ignore_nf = m.get_flag("ignore-not-found");
    // Objects in the order of the arguments; consecutive ones of a kind share a table, as
    // kubectl starts a new table whenever the resource type changes.
    let mut groups: Vec<(Kind, Vec<Object>)> = Vec::new();
    // The kinds of kubectl's "infos": a list request always yields one (maybe empty), a
    // named one only when found. More than one kind → names print as `kind/name`.
    let mut info_kinds: Vec<Kind> = Vec::new();
    for ((kind, name), ns) in targets.items.iter().zip(&item_ns) {
        let ns_for_kind = if kind.namespaced() { Some(ns.as_str()) } else { None };
        if let Some(bad) = fields.unsupported(kind.name()) {
            errors.push(format!(
                "Error from server (BadRequest): Unable to find \"{}/{}, Resource={}\" that match label selector \"{}\", field selector \"{}\": field label not supported: {bad}",
                kind.group(), kind.version(), kind.plural(),
                m.get_one::<String>("selector").map(String::as_str).unwrap_or(""),
                m.get_one::<String>("field-selector").map(String::as_str).unwrap_or(""),
            ));
            continue;
        }
        let verb = if name.is_some() { "get" } else { "list" };
        let auth_ns = if all_ns && name.is_none() { "" } else { ns.as_str() };
        if let Err(e) = super::auth::authorize_kind(ctx, verb, *kind, auth_ns, name.as_deref().unwrap_or("")) {
            errors.push(e);
            continue;
        }
        let found: Vec<Object> = match name {
            Some(n) => match ctx.world.store.get(*kind, ns_for_kind.unwrap_or(""), n) {
                Some(o) => vec![o.clone()],
                None => {
                    if !ignore_nf {
                        errors.push(not_found(*kind, n));
                    }
                    vec![]
                }
            },
            None => {
                let list_ns = if all_ns { None } else { ns_for_kind };
                ctx.world
                    .store
                    .list(*kind, if kind.namespaced() { list_ns } else { None })
                    .into_iter()
                    .filter(|o| selector.matches(&o.meta().labels.clone().unwrap_or_default()))
                    .filter(|o| fields.0.is_empty() || fields.matches(&o.to_value()))
                    .cloned()
                    .collect()
            }
        };
        if name.is_none() || !found.is_empty() {
            info_kinds.push(*kind);
        }
        match groups.last_mut() {
            Some((k, v)) if k == kind => v.extend(found),
            _ => groups.push((*kind, found)),
        }
    }
    if single_implied && !errors.is_empty() {
        for e in errors {
            ctx.out.fail(&e);
        }
        return;
    }
    info_kinds.dedup();
    let multiple_kinds = info_kinds.iter().any(|k| *k != info_kinds[0]);
    let opts = TableOpts {
        wide: matches!(format, Format::Wide),
        no_headers: m.get_flag("no-headers"),
        show_labels: m.get_flag("show-labels"),
        label_columns: m
            .get_many::<String>("label-columns")
            .map(|v| v.flat_map(|s| s.split(',').map(str::to_string).collect::<Vec<_>>()).collect())
            .unwrap_or_default(),
        all_namespaces: all_ns,
        show_kind: m.get_flag("show-kind") || multiple_kinds,
        sort_by: m.get_one::<String>("sort-by").cloned(),
        named: targets.named,
    };
    let total: usize = groups.iter().map(|(_, v)| v.len()).sum();
    // kubectl's generic printers (yaml, json, jsonpath, name...) print nothing at all, not
    // even an empty List through the template, when one named object could not be had
    // (`printGeneric` returns the error of a single implied item first) or when nothing was
    // found with --ignore-not-found.
    let single_implied = targets.named && targets.items.len() == 1;
    if total == 0 && (single_implied || ignore_nf) && !format.is_table() {
        for e in errors {
            ctx.out.fail(&e);
        }
        return;
    }
    let printed_before = ctx.out.stdout.len();
    let failed_before = ctx.out.code;
    print::print_objects(ctx, &format, &groups, single_implied && total == 1, &opts);
    // kubectl says so when a table printed nothing and nothing went wrong.
    let printed = ctx.out.stdout.len() > printed_before || ctx.out.code != failed_before;
    if !printed && errors.is_empty() && !ignore_nf && format.is_table() {
        let all_namespaced = !all_ns && info_kinds.iter().all(|k| k.namespaced());
        let msg = if all_namespaced {
            format!("No resources found in {ns} namespace.\n")
        } else {
            "No resources found\n".to_string()
        };
        ctx.out.err(&msg);
    }
    for e in errors {
        ctx.out.fail(&e);
    }
}
