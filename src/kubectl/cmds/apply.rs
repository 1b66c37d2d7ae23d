//! `kubectl apply -f` and `kubectl create -f` (file, directory, `-` for stdin), and the
//! manifest reading they share with `delete -f`: documents split, decoded strictly by the
//! API layer, and reported with kubectl's "error when creating \"file\"" wording.

use clap::{Arg, ArgAction, ArgMatches};
use serde_json::Value;

use super::{command, dry_run, dry_run_arg, flag, namespace, output_args, parse, DryRun};
use crate::kubectl::print::{self, Format};
use crate::kubectl::Ctx;
use crate::sim::api::{decode, WriteOptions};
use crate::sim::Object;

/// One document of a manifest.
pub(crate) struct Doc {
    /// The file name as kubectl reports it (`pod.yaml`, `STDIN`).
    pub source: String,
    /// The raw document (for last-applied-configuration).
    pub raw: Value,
    /// The decoded object, or the full kubectl error text.
    pub object: Result<Object, String>,
}

pub(crate) const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Reads `-f` arguments: files, directories (their .yaml/.yml/.json files, sorted; `-R`
/// descends), or `-` for stdin.
pub(crate) fn read_objects(
    ctx: &mut Ctx,
    files: &[String],
    recursive: bool,
    validate: bool,
) -> Result<Vec<Doc>, String> {
    let mut sources: Vec<(String, String)> = Vec::new();
    for f in files {
        if f == "-" {
            sources.push(("STDIN".into(), String::from_utf8_lossy(&ctx.stdin).into_owned()));
            continue;
        }
        if f.starts_with("http://") || f.starts_with("https://") {
            return Err(format!(
                "error: unable to read URL \"{f}\": kubedojo runs offline; save the manifest to a file first"
            ));
        }
        let path = crate::shell::vfs::resolve_path(&ctx.cwd, f);
        if ctx.files.is_dir(&path) {
            let mut found = Vec::new();
            walk_manifests(&*ctx.files, &path, recursive, &mut found);
            for p in found {
                let text = ctx.files.read(&p).map_err(|e| format!("error: {e}"))?;
                let shown = p.strip_prefix(&format!("{}/", ctx.cwd.trim_end_matches('/'))).unwrap_or(&p).to_string();
                sources.push((shown, String::from_utf8_lossy(&text).into_owned()));
            }
            continue;
        }
        match ctx.files.read(&path) {
            Ok(text) => sources.push((f.clone(), String::from_utf8_lossy(&text).into_owned())),
            Err(_) => return Err(format!("error: the path \"{f}\" does not exist")),
        }
    }
    let mut docs = Vec::new();
    for (source, text) in sources {
        let manifest = decode::read_manifest(&text, &source, validate);
        for d in manifest.docs {
            docs.push(doc_of(&source, d.value, &d.api_version, &d.kind));
        }
        if let Some(e) = manifest.error {
            docs.push(Doc { source: source.clone(), raw: Value::Null, object: Err(format!("error: {e}")) });
        }
    }
    Ok(docs)
}

/// The manifests of a directory in filepath.Walk's order (each directory's entries by name,
/// descending into subdirectories where they sort, with `-R`): files ending in .yaml, .yml
/// or .json.
fn walk_manifests(files: &dyn crate::shell::Fs, dir: &str, recursive: bool, found: &mut Vec<String>) {
    for name in files.list(dir).unwrap_or_default() {
        let p = format!("{}/{}", dir.trim_end_matches('/'), name);
        if files.is_dir(&p) {
            if recursive {
                walk_manifests(files, &p, recursive, found);
            }
        } else if name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json") {
            found.push(p);
        }
    }
}

/// Decodes one manifest object as kubectl's resource builder does.
fn doc_of(source: &str, raw: Value, api_version: &str, kind: &str) -> Doc {
    let known = crate::sim::Kind::from_api_version_kind(api_version, kind).is_some();
    let object = if known {
        decode::decode_object(&raw).map_err(|e| e.with_source("creating", source).kubectl_text())
    } else {
        let name = raw.pointer("/metadata/name").and_then(|v| v.as_str()).unwrap_or("");
        let ns = raw.pointer("/metadata/namespace").and_then(|v| v.as_str()).unwrap_or("");
        Err(format!("error: {}", decode::no_kind_match_error(name, ns, source, api_version, kind)))
    };
    Doc { source: source.to_string(), raw, object }
}

/// Builds the kustomization directory of `-k DIR` (printing kustomize's warnings) into the
/// objects kubectl then applies, creates or deletes; they are reported as coming from `DIR`.
pub(crate) fn read_kustomize(ctx: &mut Ctx, dir: &str) -> Result<Vec<Doc>, String> {
    let build = crate::kubectl::kustomize::build(&*ctx.files, &ctx.cwd, dir);
    for w in &build.warnings {
        ctx.out.err(&format!("{w}\n"));
    }
    let objects = build.result.map_err(|e| format!("error: {e}"))?;
    Ok(objects
        .into_iter()
        .map(|raw| {
            let api_version = raw.get("apiVersion").and_then(Value::as_str).unwrap_or("").to_string();
            let kind = raw.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
            doc_of(dir, raw, &api_version, &kind)
        })
        .collect())
}

fn file_args(cmd: clap::Command) -> clap::Command {
    cmd.arg(Arg::new("filename").short('f').long("filename").num_args(1).action(ArgAction::Append))
        .arg(Arg::new("recursive").short('R').long("recursive").action(ArgAction::SetTrue))
        .arg(Arg::new("kustomize").short('k').long("kustomize").num_args(1))
        .arg(Arg::new("validate").long("validate").num_args(0..=1).require_equals(true).default_missing_value("strict"))
        .arg(flag("save-config"))
        .arg(flag("record"))
        .arg(Arg::new("selector").short('l').long("selector").num_args(1))
}

/// `kubectl create -f`.
pub fn create_from_files(ctx: &mut Ctx, m: &ArgMatches) {
    run_files(ctx, m, false)
}

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = file_args(output_args(dry_run_arg(command("apply"))))
        .arg(flag("server-side"))
        .arg(flag("force"))
        .arg(flag("prune"))
        .arg(opt_any("field-manager"))
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append));
    let Some(m) = parse(ctx, cmd, args) else { return };
    run_files(ctx, &m, true)
}

fn opt_any(name: &'static str) -> Arg {
    Arg::new(name).long(name).num_args(1)
}

pub(crate) fn create_command() -> clap::Command {
    file_args(output_args(dry_run_arg(command("create")))).arg(opt_any("field-manager"))
}

fn run_files(ctx: &mut Ctx, m: &ArgMatches, apply: bool) {
    let verb = if apply { "apply" } else { "create" };
    let files: Vec<String> = m.get_many::<String>("filename").map(|v| v.cloned().collect()).unwrap_or_default();
    let kustomize = m.get_one::<String>("kustomize").cloned();
    if kustomize.is_some() && !files.is_empty() {
        return ctx.out.fail("error: only one of -f or -k can be specified");
    }
    if kustomize.is_some() && m.get_flag("recursive") {
        return ctx.out.fail("error: the -k flag can't be used with -f or -R");
    }
    if files.is_empty() && kustomize.is_none() {
        ctx.out.fail("error: must specify one of -f and -k");
        return;
    }
    let dry = match dry_run(m) {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    let format = match Format::from_flags(ctx, m) {
        Ok(f) => f,
        Err(e) => return ctx.out.fail(&e),
    };
    let ns_flag = m.get_one::<String>("namespace").cloned();
    let ns = namespace(ctx, m);
    let validate = m.get_one::<String>("validate").map(|v| v != "false" && v != "ignore").unwrap_or(true);
    let read = match &kustomize {
        Some(dir) => read_kustomize(ctx, dir),
        None => read_objects(ctx, &files, m.get_flag("recursive"), validate),
    };
    let docs = match read {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    if docs.is_empty() {
        ctx.out.fail(&format!("error: no objects passed to {verb}"));
        return;
    }
    let mut printed: Vec<Object> = Vec::new();
    for doc in docs {
        let mut obj = match doc.object {
            Ok(o) => o,
            Err(e) => {
                ctx.out.fail(&e);
                continue;
            }
        };
        let kind = obj.kind();
        if kind.namespaced() {
            let doc_ns = obj.namespace().to_string();
            if let Some(flag_ns) = &ns_flag {
                if !doc_ns.is_empty() && doc_ns != *flag_ns {
                    ctx.out.fail(&format!("error: the namespace from the provided object \"{doc_ns}\" does not match the namespace \"{flag_ns}\". You must pass '--namespace={doc_ns}' to perform this operation."));
                    continue;
                }
            }
            if doc_ns.is_empty() {
                obj.meta_mut().namespace = Some(ns.clone());
            }
        }
        let name = obj.name().to_string();
        let k_ns = obj.namespace().to_string();
        if apply {
            if let Err(e) = super::auth::authorize_kind(ctx, "get", kind, &k_ns, &name) {
                ctx.out.fail(&retrieving_error(&e, kind, &name, &k_ns, &doc.source));
                continue;
            }
        }
        let existing = ctx.world.store.get(kind, &k_ns, &name).cloned();
        let write = if existing.is_some() && apply { "patch" } else { "create" };
        let auth_name = if write == "patch" { name.as_str() } else { "" };
        let auth = super::auth::authorize_api(
            ctx,
            &crate::sim::api::rbac::Attributes::for_kind(write, kind, &k_ns, auth_name),
        );
        if write == "create" {
            if let Err(e) = auth {
                ctx.out.fail(&e.with_source("creating", &doc.source).kubectl_text());
                continue;
            }
        }
        let suffix = match dry {
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
            DryRun::None => "",
        };
        if apply {
            // The configuration kubectl records for the next three-way merge.
            let mut applied = doc.raw.clone();
            if let Some(meta) = applied.get_mut("metadata").and_then(|m| m.as_object_mut()) {
                // GetModifiedConfiguration: the manifest without any annotation it carries from
                // an earlier apply, with `annotations: {}` when it has none.
                let annotations = meta.entry("annotations").or_insert_with(|| Value::Object(Default::default()));
                if let Value::Object(a) = annotations {
                    a.remove(LAST_APPLIED);
                }
                if kind.namespaced() {
                    meta.insert("namespace".into(), Value::String(k_ns.clone()));
                }
            }
            let applied_text = crate::kubectl::output::json::to_json_compact(&applied);
            let mut annotated = obj.clone();
            annotated
                .meta_mut()
                .annotations
                .get_or_insert_with(Default::default)
                .insert(LAST_APPLIED.into(), format!("{applied_text}\n"));
            match existing {
                None => {
                    if dry == DryRun::Client {
                        printed.push(annotated.clone());
                        if format.is_table() {
                            ctx.out.out(&format!("{}/{name} created{suffix}\n", kind.qualified_singular()));
                        }
                        continue;
                    }
                    match ctx.world.api_create(annotated, WriteOptions { dry_run: dry == DryRun::Server }) {
                        Ok(o) => {
                            if format.is_table() {
                                ctx.out.out(&format!("{}/{name} created{suffix}\n", kind.qualified_singular()));
                            }
                            printed.push(o);
                        }
                        Err(e) => ctx.out.fail(&e.with_source("creating", &doc.source).kubectl_text()),
                    }
                }
                Some(current) => {
                    let had = current.meta().annotations.as_ref().and_then(|a| a.get(LAST_APPLIED)).cloned();
                    if had.is_none() {
                        ctx.out.err(&format!("Warning: resource {}/{name} is missing the {LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n", kind.qualified_plural()));
                    }
                    if had.as_deref() == Some(format!("{applied_text}\n").as_str()) {
                        if format.is_table() {
                            ctx.out.out(&format!("{}/{name} unchanged{suffix}\n", kind.qualified_singular()));
                        }
                        printed.push(current);
                        continue;
                    }
                    // The three-way patch kubectl sends, shown when the server refuses it.
                    let mut modified = applied.clone();
                    if let Some(meta) = modified.get_mut("metadata").and_then(|m| m.as_object_mut()) {
                        if let Some(Value::Object(a)) = meta.get_mut("annotations") {
                            a.insert(LAST_APPLIED.into(), Value::String(format!("{applied_text}\n")));
                        }
                    }
                    let original: Value =
                        had.as_deref().and_then(|l| serde_json::from_str(l).ok()).unwrap_or(Value::Null);
                    let patch = crate::kubectl::strategicpatch::three_way(
                        kind,
                        &original,
                        &modified,
                        &print::wire_value(&current),
                    );
                    let patch_text = crate::kubectl::output::json::to_json_compact(&patch);
                    if let Err(e) = auth {
                        ctx.out.fail(&patch_error(e, &patch_text, kind, &name, &k_ns, &doc.source));
                        continue;
                    }
                    let merged = merge_apply(&current, &annotated, had.as_deref());
                    if dry == DryRun::Client {
                        printed.push(merged);
                        if format.is_table() {
                            ctx.out.out(&format!("{}/{name} configured{suffix}\n", kind.qualified_singular()));
                        }
                        continue;
                    }
                    match ctx.world.api_update(merged, WriteOptions { dry_run: dry == DryRun::Server }) {
                        Ok(o) => {
                            if format.is_table() {
                                ctx.out.out(&format!("{}/{name} configured{suffix}\n", kind.qualified_singular()));
                            }
                            printed.push(o);
                        }
                        Err(e) => ctx.out.fail(&patch_error(e, &patch_text, kind, &name, &k_ns, &doc.source)),
                    }
                }
            }
        } else {
            if dry == DryRun::Client {
                if format.is_table() {
                    ctx.out.out(&format!("{}/{name} created{suffix}\n", kind.qualified_singular()));
                }
                printed.push(obj);
                continue;
            }
            match ctx.world.api_create(obj, WriteOptions { dry_run: dry == DryRun::Server }) {
                Ok(o) => {
                    if format.is_table() {
                        ctx.out.out(&format!("{}/{name} created{suffix}\n", kind.qualified_singular()));
                    }
                    printed.push(o);
                }
                Err(e) => ctx.out.fail(&e.with_source("creating", &doc.source).kubectl_text()),
            }
        }
    }
    if !format.is_table() && !printed.is_empty() {
        print::print_written(ctx, &format, &printed);
    }
}

/// `resource.Info.String()`: the mapping and the object's name, as apply's errors show them.
fn info_text(kind: crate::sim::Kind, name: &str, ns: &str) -> String {
    let gv = if kind.group().is_empty() { format!("/{}", kind.version()) } else { kind.api_version().to_string() };
    format!(
        "Resource: \"{gv}, Resource={}\", GroupVersionKind: \"{gv}, Kind={}\"\nName: \"{name}\", Namespace: \"{ns}\"",
        kind.plural(),
        kind.name()
    )
}

/// kubectl apply's error when the server refuses its patch: the Patcher's `error when
/// patching "<file>"` wrapped in `error when applying patch:\n<patch>\nto:\n<info>\nfor:`
/// (both `cmdutil.AddSourceToErr`, after the Patcher's retries on a conflict).
fn patch_error(
    e: crate::sim::api::errors::ApiError,
    patch: &str,
    kind: crate::sim::Kind,
    name: &str,
    ns: &str,
    source: &str,
) -> String {
    e.with_source("patching", source)
        .with_source(&format!("applying patch:\n{patch}\nto:\n{}\nfor:", info_text(kind, name, ns)), source)
        .kubectl_text()
}

/// kubectl apply's error when it cannot read the live object.
fn retrieving_error(server_text: &str, kind: crate::sim::Kind, name: &str, ns: &str, source: &str) -> String {
    let reason_and_message = server_text.strip_prefix("Error from server ").unwrap_or(server_text);
    let (reason, message) = reason_and_message.split_once(": ").unwrap_or(("", reason_and_message));
    let gv = if kind.group().is_empty() { format!("/{}", kind.version()) } else { kind.api_version().to_string() };
    format!(
        "Error from server {reason}: error when retrieving current configuration of:\nResource: \"{gv}, Resource={}\", GroupVersionKind: \"{gv}, Kind={}\"\nName: \"{name}\", Namespace: \"{ns}\"\nfrom server for: \"{source}\": {message}",
        kind.plural(),
        kind.name()
    )
}

/// The object an apply produces: the live object with the new configuration laid over it.
/// Fields the previous configuration set and the new one dropped are removed; fields set by
/// the server (status, clusterIP, nodeName...) stay — a simplified three-way merge.
fn merge_apply(current: &Object, desired: &Object, last: Option<&str>) -> Object {
    let mut live = current.to_value();
    let want = desired.to_value();
    let old: Value = last.and_then(|l| serde_json::from_str(l).ok()).unwrap_or(Value::Null);
    three_way(current.kind(), &mut Vec::new(), &mut live, &want, &old);
    Object::from_value(current.kind(), live).unwrap_or_else(|_| desired.clone())
}

/// kubectl apply's three-way strategic merge: what the manifest sets wins, what the last
/// applied manifest had and the new one dropped is removed, and what others added (the
/// server's defaults, the token volume, a controller's annotations) is kept. Lists whose
/// type declares a merge key (containers by name, ports by containerPort...) merge item by
/// item; other lists are replaced.
fn three_way(kind: crate::sim::Kind, path: &mut Vec<String>, live: &mut Value, want: &Value, old: &Value) {
    use crate::sim::api::patch::merge_key;
    match (live, want) {
        (Value::Object(l), Value::Object(w)) => {
            if let Value::Object(o) = old {
                for k in o.keys() {
                    if !w.contains_key(k) && k != "status" {
                        l.remove(k);
                    }
                }
            }
            for (k, wv) in w {
                let ov = old.get(k).cloned().unwrap_or(Value::Null);
                path.push(k.clone());
                match l.get_mut(k) {
                    Some(lv) if (lv.is_object() && wv.is_object()) || (lv.is_array() && wv.is_array()) => {
                        three_way(kind, path, lv, wv, &ov)
                    }
                    _ => {
                        l.insert(k.clone(), wv.clone());
                    }
                }
                path.pop();
            }
        }
        (Value::Array(l), Value::Array(w)) => {
            let Some(key) = merge_key(kind, path) else {
                *l = w.clone();
                return;
            };
            let find = |list: &[Value], kv: &Value| list.iter().position(|x| x.get(key) == Some(kv));
            let old_list: Vec<Value> = old.as_array().cloned().unwrap_or_default();
            let mut out: Vec<Value> = Vec::new();
            for wi in w {
                let Some(kv) = wi.get(key) else {
                    out.push(wi.clone());
                    continue;
                };
                let oi = find(&old_list, kv).map(|i| old_list[i].clone()).unwrap_or(Value::Null);
                match find(l, kv) {
                    Some(i) => {
                        let mut item = l[i].clone();
                        three_way(kind, path, &mut item, wi, &oi);
                        out.push(item);
                    }
                    None => out.push(wi.clone()),
                }
            }
            // Items someone else added (not in the last applied manifest) stay.
            for li in l.iter() {
                let Some(kv) = li.get(key) else { continue };
                if find(w, kv).is_none() && find(&old_list, kv).is_none() {
                    out.push(li.clone());
                }
            }
            *l = out;
        }
        (l, w) => *l = w.clone(),
    }
}
