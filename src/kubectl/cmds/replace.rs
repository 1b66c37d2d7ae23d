//! `kubectl replace -f FILE|-`: a PUT of each object of the manifests (`pod/web replaced`),
//! with the server's NotFound, Conflict and Invalid (immutable field) errors; and
//! `--force`, which deletes the objects, waits until they are gone (simulated time passes
//! while a pod terminates), and creates them again.

use clap::{Arg, ArgAction};
use serde_json::Value;

use super::apply::{read_objects, Doc, LAST_APPLIED};
use super::{command, dry_run, dry_run_arg, flag, namespace, opt, output_args, parse, DryRun};
use crate::kubectl::print::{self, Format};
use crate::kubectl::Ctx;
use crate::sim::api::WriteOptions;
use crate::sim::{Kind, Object};

/// How long `--force` waits for the old objects to disappear (kubectl's default timeout).
const FORCE_WAIT_S: u64 = 300;

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = output_args(dry_run_arg(command("replace")))
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(Arg::new("filename").short('f').long("filename").num_args(1).action(ArgAction::Append))
        .arg(Arg::new("recursive").short('R').long("recursive").action(ArgAction::SetTrue))
        .arg(Arg::new("kustomize").short('k').long("kustomize").num_args(1))
        .arg(flag("force"))
        .arg(opt("grace-period").allow_negative_numbers(true))
        .arg(opt("timeout"))
        .arg(opt("cascade").num_args(0..=1).require_equals(true).default_missing_value("background"))
        .arg(Arg::new("wait").long("wait").num_args(0..=1).require_equals(true).default_missing_value("true"))
        .arg(flag("save-config"))
        .arg(flag("record"))
        .arg(opt("raw"))
        .arg(opt("subresource"))
        .arg(opt("field-manager"))
        .arg(
            Arg::new("validate").long("validate").num_args(0..=1).require_equals(true).default_missing_value("strict"),
        );
    let Some(m) = parse(ctx, cmd, args) else { return };
    let force = m.get_flag("force");
    let grace: i64 = match m.get_one::<String>("grace-period") {
        None => -1,
        Some(g) => match g.parse::<i64>() {
            Ok(v) => v,
            Err(_) => {
                return ctx.out.fail(&format!(
                    "error: invalid argument \"{g}\" for \"--grace-period\" flag: strconv.ParseInt: parsing \"{g}\": invalid syntax"
                ))
            }
        },
    };
    if grace >= 0 && !force {
        return ctx.out.fail("error: --grace-period must have --force specified");
    }
    if m.get_one::<String>("timeout").is_some_and(|t| t != "0s" && t != "0") && !force {
        return ctx.out.fail("error: --timeout must have --force specified");
    }
    let files: Vec<String> = m.get_many::<String>("filename").map(|v| v.cloned().collect()).unwrap_or_default();
    let kustomize = m.get_one::<String>("kustomize").cloned();
    if kustomize.is_some() && !files.is_empty() {
        return ctx.out.fail("error: only one of -f or -k can be specified");
    }
    if kustomize.is_some() && m.get_flag("recursive") {
        return ctx.out.fail("error: the -k flag can't be used with -f or -R");
    }
    if files.is_empty() && kustomize.is_none() {
        return ctx
            .out
            .fail("error: Must specify --filename to replace\nSee 'kubectl replace -h' for help and examples");
    }
    if m.get_one::<String>("raw").is_some() {
        return ctx.out.fail("error: kubedojo does not simulate \"kubectl replace --raw\" yet");
    }
    if let Some(sub) = m.get_one::<String>("subresource") {
        if !matches!(sub.as_str(), "status" | "scale") {
            return ctx
                .out
                .fail(&format!("error: invalid subresource value: \"{sub}\". Must be one of [status scale]"));
        }
        return ctx.out.fail("error: kubedojo does not simulate replacing subresources yet");
    }
    let dry = match dry_run(&m) {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    let format = match Format::from_flags(ctx, &m) {
        Ok(f) => f,
        Err(e) => return ctx.out.fail(&e),
    };
    let ns_flag = m.get_one::<String>("namespace").cloned();
    let ns = namespace(ctx, &m);
    let validate = m.get_one::<String>("validate").map(|v| v != "false" && v != "ignore").unwrap_or(true);
    let read = match &kustomize {
        Some(dir) => super::apply::read_kustomize(ctx, dir),
        None => read_objects(ctx, &files, m.get_flag("recursive"), validate),
    };
    let docs = match read {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    // Objects with their namespaces settled; errors (decoding, namespace mismatch) printed.
    let mut objects: Vec<(Doc, Object)> = Vec::new();
    for mut doc in docs {
        let mut obj = match std::mem::replace(&mut doc.object, Err(String::new())) {
            Ok(o) => o,
            Err(e) => {
                ctx.out.fail(&e.replace("error when creating", "error when replacing"));
                continue;
            }
        };
        if obj.kind().namespaced() {
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
        objects.push((doc, obj));
    }
    let save_config = m.get_flag("save-config");
    if force {
        return force_replace(ctx, objects, grace, &format, save_config);
    }
    let suffix = match dry {
        DryRun::Client => " (dry run)",
        DryRun::Server => " (server dry run)",
        DryRun::None => "",
    };
    let mut printed = Vec::new();
    for (doc, mut obj) in objects {
        let kind = obj.kind();
        let name = obj.name().to_string();
        let k_ns = obj.namespace().to_string();
        if let Err(e) =
            super::auth::authorize_api(ctx, &crate::sim::api::rbac::Attributes::for_kind("update", kind, &k_ns, &name))
        {
            ctx.out.fail(&e.with_source("replacing", &doc.source).kubectl_text());
            continue;
        }
        let current = ctx.world.store.get(kind, &k_ns, &name).cloned();
        annotate(&mut obj, &doc, current.as_ref(), save_config);
        if dry == DryRun::Client {
            if format.is_table() {
                ctx.out.out(&format!("{}/{name} replaced{suffix}\n", kind.qualified_singular()));
            }
            printed.push(obj);
            continue;
        }
        match ctx.world.api_update(obj, WriteOptions { dry_run: dry == DryRun::Server }) {
            Ok(o) => {
                if format.is_table() {
                    ctx.out.out(&format!("{}/{name} replaced{suffix}\n", kind.qualified_singular()));
                }
                printed.push(o);
            }
            Err(e) => ctx.out.fail(&e.with_source("replacing", &doc.source).kubectl_text()),
        }
    }
    if !format.is_table() && !printed.is_empty() {
        print::print_written(ctx, &format, &printed);
    }
}

/// `CreateOrUpdateAnnotation`: the last-applied configuration is rewritten when the live
/// object has one (or with `--save-config`), so a later `apply` diffs against this file.
fn annotate(obj: &mut Object, doc: &Doc, current: Option<&Object>, save_config: bool) {
    let had = current.and_then(|c| c.meta().annotations.as_ref()).is_some_and(|a| a.contains_key(LAST_APPLIED));
    if !(had || save_config) {
        return;
    }
    let mut applied = doc.raw.clone();
    if let Some(meta) = applied.get_mut("metadata").and_then(|m| m.as_object_mut()) {
        if let Some(Value::Object(a)) = meta.get_mut("annotations") {
            a.remove(LAST_APPLIED);
        }
        meta.entry("annotations").or_insert_with(|| Value::Object(Default::default()));
        if obj.kind().namespaced() {
            meta.insert("namespace".into(), Value::String(obj.namespace().to_string()));
        }
    }
    let text = crate::kubectl::output::json::to_json_compact(&applied);
    obj.meta_mut().annotations.get_or_insert_with(Default::default).insert(LAST_APPLIED.into(), format!("{text}\n"));
}

/// `replace --force`: delete everything, wait until it is gone, create it again.
fn force_replace(ctx: &mut Ctx, objects: Vec<(Doc, Object)>, grace: i64, format: &Format, save_config: bool) {
    let grace_s = if grace >= 0 { Some(grace) } else { None };
    let mut deleted: Vec<(Kind, String, String)> = Vec::new();
    for (doc, obj) in &objects {
        let (kind, k_ns, name) = (obj.kind(), obj.namespace().to_string(), obj.name().to_string());
        if let Err(e) = super::auth::authorize_kind(ctx, "delete", kind, &k_ns, &name) {
            return ctx.out.fail(&e);
        }
        match ctx.world.api_delete(kind, &k_ns, &name, grace_s, WriteOptions::default()) {
            Ok(_) => {
                let op = if grace == 0 { "force deleted" } else { "deleted" };
                ctx.out.out(&format!("{} \"{name}\" {op}\n", kind.qualified_singular()));
                deleted.push((kind, k_ns, name));
            }
            // Objects that are not there are simply created.
            Err(e) if e.code == 404 => {}
            Err(e) => return ctx.out.fail(&e.with_source("deleting", &doc.source).kubectl_text()),
        }
    }
    let deadline = ctx.world.now.plus_s(FORCE_WAIT_S);
    while deleted.iter().any(|(k, ns, n)| ctx.world.store.get(*k, ns, n).is_some()) {
        if ctx.world.now >= deadline {
            return ctx.out.fail("error: timed out waiting for the condition");
        }
        ctx.world.tick();
    }
    let mut printed = Vec::new();
    for (doc, mut obj) in objects {
        let (kind, name) = (obj.kind(), obj.name().to_string());
        if let Err(e) = super::auth::authorize_kind(ctx, "create", kind, obj.namespace(), "") {
            return ctx.out.fail(&e);
        }
        annotate(&mut obj, &doc, None, save_config);
        // A fresh object: the old identity and version do not carry over.
        let m = obj.meta_mut();
        m.resource_version = None;
        m.uid = None;
        match ctx.world.api_create(obj, WriteOptions::default()) {
            Ok(o) => {
                if format.is_table() {
                    ctx.out.out(&format!("{}/{name} replaced\n", kind.qualified_singular()));
                }
                printed.push(o);
            }
            Err(e) => return ctx.out.fail(&e.kubectl_text()),
        }
    }
    if printed.is_empty() {
        return ctx.out.fail("error: no objects passed to replace");
    }
    if !format.is_table() {
        print::print_written(ctx, format, &printed);
    }
}
