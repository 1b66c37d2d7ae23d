//! `kubectl edit TYPE NAME | TYPE/NAME`: the edit session of kubectl's editoptions.go. The
//! object (several: a `List`) is written as YAML (or JSON with `-o json`) under kubectl's
//! comment header to `/tmp/kubectl-edit-XXXXX.yaml` in the learner's files, the editor from
//! `KUBE_EDITOR`, else `EDITOR`, else `vi` runs on it through [`crate::kubectl::Editor`], and
//! the change goes back to the server as a patch: `deployment.apps/web edited`,
//! `Edit cancelled, no changes made.`, and on an invalid edit the file is reopened with the
//! errors in its header. A script's editor does the same thing on every run, so there the
//! file is reopened once; a second failure ends the session as kubectl does when the file
//! comes back unchanged: `A copy of your changes has been stored to "..."` and
//! `error: Edit cancelled, no valid changes were saved.`

use clap::{Arg, ArgAction};
use serde_json::{Map, Value};

use super::{command, flag, namespace, opt, parse};
use crate::kubectl::output::{json as json_out, yaml};
use crate::kubectl::Ctx;
use crate::sim::api::errors::{ApiError, Reason};
use crate::sim::api::patch::PatchType;
use crate::sim::api::{decode, WriteOptions};
use crate::sim::{Kind, Object};

/// kubectl's header for a normal edit (`editHeader.writeTo`).
pub(crate) const HEADER: &str = "# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
";

/// A reason the file is reopened (`editReason`): a head line and its causes.
#[derive(Clone, Debug, Default)]
struct Reason2 {
    head: String,
    other: Vec<String>,
}

/// `hashOnLineBreak`: continuation lines of a message stay comments.
fn hash_on_line_break(s: &str) -> String {
    let b: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, c) in b.iter().enumerate() {
        if *c == '\n' && i + 1 < b.len() && b[i + 1] != '#' {
            out.push_str("\n# ");
        } else {
            out.push(*c);
        }
    }
    out
}

/// The header with the reasons of the last failed attempt.
fn header(reasons: &[Reason2]) -> String {
    let mut s = HEADER.to_string();
    for r in reasons {
        if r.other.is_empty() {
            s.push_str(&format!("# {}\n", hash_on_line_break(&r.head)));
        } else {
            s.push_str(&format!("# {}:\n", hash_on_line_break(&r.head)));
        }
        for o in &r.other {
            s.push_str(&format!("# * {}\n", hash_on_line_break(o)));
        }
        s.push_str("#\n");
    }
    s
}

/// `cmdutil.ManualStrip`: drops `#` comment lines (not `#!`).
pub(crate) fn manual_strip(text: &str) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.starts_with('#') && !t.starts_with("#!") {
            continue;
        }
        out.push_str(line);
        if i + 1 < lines.len() {
            out.push('\n');
        }
    }
    out
}

/// `cmdutil.StripComments`: the document as JSON when it parses, else its lines without
/// comments — so that layout alone is not a change.
pub(crate) fn strip_comments(text: &str) -> String {
    match decode::yaml_to_json(text) {
        Ok(v) => v.to_string(),
        Err(_) => manual_strip(text),
    }
}

/// `hasLines`: any line with something other than a comment.
fn has_lines(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    })
}

/// `jsonpatch.CreateMergePatch(original, edited)`: what changed, `null` for what was removed.
pub(crate) fn merge_patch(orig: &Value, edited: &Value) -> Value {
    match (orig, edited) {
        (Value::Object(o), Value::Object(e)) => {
            let mut p = Map::new();
            for (k, ov) in o {
                match e.get(k) {
                    None => {
                        p.insert(k.clone(), Value::Null);
                    }
                    Some(ev) if ev != ov => {
                        let sub = if ov.is_object() && ev.is_object() { merge_patch(ov, ev) } else { ev.clone() };
                        p.insert(k.clone(), sub);
                    }
                    _ => {}
                }
            }
            for (k, ev) in e {
                if !o.contains_key(k) {
                    p.insert(k.clone(), ev.clone());
                }
            }
            Value::Object(p)
        }
        (_, e) => e.clone(),
    }
}

/// How the editor is chosen and started (`defaultEnvEditor` + `Editor.args`): the words of
/// `KUBE_EDITOR`/`EDITOR` (`vi` if neither is set), or the user's shell running it when it
/// has quotes or backslashes. Returns the editor's own words (for error messages) and the
/// full command line with the file.
fn editor_command(ctx: &Ctx, path: &str) -> (Vec<String>, Vec<String>) {
    let editor = ["KUBE_EDITOR", "EDITOR"]
        .iter()
        .filter_map(|k| ctx.env.get(*k))
        .find(|v| !v.is_empty())
        .cloned()
        .unwrap_or_else(|| "vi".to_string());
    let (args, shell) = if !editor.contains(' ') {
        (vec![editor], false)
    } else if !editor.contains(['"', '\'', '\\']) {
        (editor.split(' ').map(str::to_string).collect(), false)
    } else {
        let sh = ctx.env.get("SHELL").filter(|s| !s.is_empty()).cloned().unwrap_or_else(|| "/bin/bash".into());
        (vec![sh, "-c".into(), editor], true)
    };
    let mut full = args.clone();
    if shell {
        let last = full.pop().unwrap_or_default();
        full.push(format!("{last} {}", crate::sim::api::errors::go_quote(path)));
    } else {
        full.push(path.to_string());
    }
    (args, full)
}

/// One object being edited.
#[derive(Clone)]
struct Info {
    kind: Kind,
    namespace: String,
    name: String,
    uid: String,
    value: Value,
}

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = super::output_args(command("edit"))
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(Arg::new("filename").short('f').long("filename").num_args(1).action(ArgAction::Append))
        .arg(Arg::new("recursive").short('R').long("recursive").action(ArgAction::SetTrue))
        .arg(Arg::new("kustomize").short('k').long("kustomize").num_args(1))
        .arg(flag("output-patch"))
        .arg(flag("save-config"))
        .arg(flag("record"))
        .arg(opt("field-manager"))
        .arg(opt("subresource"))
        .arg(
            Arg::new("windows-line-endings").long("windows-line-endings").num_args(0..=1).default_missing_value("true"),
        )
        .arg(
            Arg::new("validate").long("validate").num_args(0..=1).require_equals(true).default_missing_value("strict"),
        );
    let Some(m) = parse(ctx, cmd, args) else { return };
    let json = match m.get_one::<String>("output").map(String::as_str) {
        None | Some("yaml") => false,
        Some("json") => true,
        Some(other) => {
            return ctx.out.fail(&format!(
                "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: json,yaml"
            ))
        }
    };
    if let Some(sub) = m.get_one::<String>("subresource").filter(|s| *s != "status") {
        return ctx.out.fail(&format!("error: invalid subresource value: \"{sub}\". Must be one of [status]"));
    }
    if m.get_one::<String>("subresource").is_some() {
        return ctx.out.fail("error: kubedojo does not simulate editing the status subresource yet");
    }
    if m.get_many::<String>("filename").is_some() || m.get_one::<String>("kustomize").is_some() {
        return ctx
            .out
            .fail("error: kubedojo does not simulate \"kubectl edit -f\" yet: edit the object by type and name");
    }
    let ns = namespace(ctx, &m);
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    if positional.is_empty() {
        return ctx.out.fail("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    let targets = match super::get::targets(&positional) {
        Ok(t) => t,
        Err(e) => return ctx.out.fail(&e),
    };
    let mut infos: Vec<Info> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    for (kind, name) in &targets.items {
        let k_ns = if kind.namespaced() { ns.clone() } else { String::new() };
        let verb = if name.is_some() { "get" } else { "list" };
        if let Err(e) = super::auth::authorize_kind(ctx, verb, *kind, &k_ns, name.as_deref().unwrap_or("")) {
            errors.push(e);
            continue;
        }
        let found: Vec<Object> = match name {
            Some(n) => match ctx.world.api_get(*kind, &k_ns, n) {
                Ok(o) => vec![o.clone()],
                Err(e) => {
                    errors.push(e.kubectl_text());
                    continue;
                }
            },
            None => ctx
                .world
                .store
                .list(*kind, if kind.namespaced() { Some(&k_ns) } else { None })
                .into_iter()
                .cloned()
                .collect(),
        };
        for o in found {
            infos.push(Info {
                kind: o.kind(),
                namespace: o.namespace().to_string(),
                name: o.name().to_string(),
                uid: o.meta().uid.clone().unwrap_or_default(),
                value: crate::kubectl::print::wire_value(&o),
            });
        }
    }
    if !errors.is_empty() {
        for e in errors {
            ctx.out.fail(&e);
        }
        return;
    }
    if infos.is_empty() {
        return ctx.out.fail("error: edit cancelled, no objects found");
    }
    session(ctx, &ns, infos, json);
}

/// The document given to the editor: one object, or a `List` of several.
fn document(infos: &[Info], json: bool) -> String {
    let doc = if infos.len() == 1 {
        infos[0].value.clone()
    } else {
        let mut l = Map::new();
        l.insert("apiVersion".into(), Value::String("v1".into()));
        l.insert("items".into(), Value::Array(infos.iter().map(|i| i.value.clone()).collect()));
        l.insert("kind".into(), Value::String("List".into()));
        l.insert("metadata".into(), Value::Object(Map::new()));
        Value::Object(l)
    };
    if json {
        json_out::to_json(&doc)
    } else {
        yaml::to_yaml(&doc)
    }
}

/// A fresh temp file name: `kubectl-edit-` + 5 of `[a-z0-9]` (kubectl's `randSeq`), drawn
/// from the cluster's RNG.
fn temp_path(ctx: &mut Ctx, json: bool) -> String {
    use rand::Rng;
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    loop {
        let seq: String = (0..5).map(|_| LETTERS[ctx.world.rng.gen_range(0..LETTERS.len())] as char).collect();
        let p = format!("/tmp/kubectl-edit-{seq}{}", if json { ".json" } else { ".yaml" });
        if !ctx.files.exists(&p) {
            return p;
        }
    }
}

/// Runs the editor on `text` in a new temp file; returns the edited text and the file's path.
fn launch(ctx: &mut Ctx, text: &str, json: bool) -> Result<(String, String), String> {
    let now = ctx.world.now.unix_s().max(0) as u64;
    if !ctx.files.is_dir("/tmp") {
        let _ = ctx.files.mkdir("/tmp", now);
    }
    let path = temp_path(ctx, json);
    ctx.files.write(&path, text.as_bytes(), false, now).map_err(|e| format!("open {path}: {e}"))?;
    let (words, argv) = editor_command(ctx, &path);
    let Some(editor) = ctx.editor.take() else {
        return Err(format!("unable to launch the editor {:?}", words.join(" ")));
    };
    let mut io = crate::shell::ExtIo::default();
    let env = ctx.env.clone();
    let cwd = ctx.cwd.clone();
    let r = editor.run_editor(ctx.world, ctx.client, ctx.files, &cwd, &env, &argv, &mut io);
    ctx.editor = Some(editor);
    for (is_err, bytes) in io.chunks {
        let s = String::from_utf8_lossy(&bytes).into_owned();
        if is_err {
            ctx.out.err(&s);
        } else {
            ctx.out.out(&s);
        }
    }
    if let Err(f) = r {
        return Err(if f == crate::kubectl::EditorFailure::NotFound {
            format!("unable to launch the editor {:?}", words.join(" "))
        } else {
            format!("there was a problem with the editor {:?}", words.join(" "))
        });
    }
    let edited = ctx.files.read(&path).map_err(|e| format!("open {path}: {e}"))?;
    Ok((String::from_utf8_lossy(&edited).into_owned(), path))
}

/// What one pass of applying the edited file produced.
#[derive(Default)]
struct Results {
    reasons: Vec<Reason2>,
    retryable: usize,
    notfound: usize,
    edit: usize,
}

/// `preservedFile` + CheckErr: tell where the changes are, then the error.
fn preserved(ctx: &mut Ctx, err: &str, file: &str) {
    if !file.is_empty() && ctx.files.exists(file) {
        ctx.out.err(&format!("A copy of your changes has been stored to \"{file}\"\n"));
    }
    ctx.out.fail(&format!("error: {err}"));
}

fn session(ctx: &mut Ctx, cmd_ns: &str, infos: Vec<Info>, json: bool) {
    let interactive = ctx.editor.as_ref().is_some_and(|e| e.interactive());
    let mut reasons: Vec<Reason2> = Vec::new();
    let mut original = String::new();
    let mut edited = String::new();
    let mut file = String::new();
    let mut contains_error = false;
    let mut reopened = 0;
    loop {
        let mut buf = if json { String::new() } else { header(&reasons) };
        if !contains_error {
            buf.push_str(&document(&infos, json));
            original = buf.clone();
        } else {
            buf.push_str(&manual_strip(&edited));
        }
        let previous = edited.clone();
        let (now_edited, now_file) = match launch(ctx, &buf, json) {
            Ok(x) => x,
            Err(e) => return preserved(ctx, &e, &file),
        };
        edited = now_edited;
        if contains_error && strip_comments(&previous) == strip_comments(&edited) {
            return preserved(ctx, "Edit cancelled, no valid changes were saved.", &now_file);
        }
        if !file.is_empty() {
            let _ = ctx.files.remove(&file);
        }
        file = now_file;
        if strip_comments(&original) == strip_comments(&edited) {
            let _ = ctx.files.remove(&file);
            ctx.out.err("Edit cancelled, no changes made.\n");
            return;
        }
        if !has_lines(&edited) {
            let _ = ctx.files.remove(&file);
            ctx.out.err("Edit cancelled, saved file was empty.\n");
            return;
        }
        let mut results = Results::default();
        let manifest = decode::read_manifest(&edited, "edited-file", false);
        let docs = match manifest.error {
            Some(e) => {
                contains_error = true;
                reasons = vec![Reason2 { head: format!("The edited file had a syntax error: {e}"), other: vec![] }];
                if !interactive && reopened >= 1 {
                    return preserved(ctx, "Edit cancelled, no valid changes were saved.", &file);
                }
                reopened += 1;
                continue;
            }
            None => manifest.docs,
        };
        // The namespace of an edited object cannot change.
        for d in &docs {
            if let Some(ns) = d.value.pointer("/metadata/namespace").and_then(Value::as_str) {
                if !ns.is_empty() && ns != cmd_ns {
                    return preserved(ctx, &format!("the namespace from the provided object \"{ns}\" does not match the namespace \"{cmd_ns}\". You must pass '--namespace={ns}' to perform this operation."), &file);
                }
            }
        }
        for d in &docs {
            let uid = d.value.pointer("/metadata/uid").and_then(Value::as_str).unwrap_or("");
            let Some(orig) = infos.iter().find(|i| i.uid == uid) else {
                return preserved(ctx, &format!("no original object found for {}", d.value), &file);
            };
            if orig.value == d.value {
                ctx.out.out(&format!("{}/{} skipped\n", orig.kind.qualified_singular(), orig.name));
                continue;
            }
            let patch = merge_patch(&orig.value, &d.value);
            let changed_identity = ["apiVersion", "kind"].iter().any(|k| patch.get(*k).is_some())
                || patch.pointer("/metadata/name").is_some()
                || patch.pointer("/metadata/managedFields").is_some();
            if changed_identity {
                return preserved(ctx, "At least one of apiVersion, kind and name was changed", &file);
            }
            let authorized = super::auth::authorize_kind(ctx, "patch", orig.kind, &orig.namespace, &orig.name);
            let result = match authorized {
                Ok(()) => ctx.world.api_patch(
                    orig.kind,
                    &orig.namespace,
                    &orig.name,
                    PatchType::Merge,
                    &patch,
                    WriteOptions::default(),
                ),
                Err(_) => Err(crate::sim::api::rbac::forbidden(
                    &super::auth::current_user(ctx),
                    &crate::sim::api::rbac::Attributes::for_kind("patch", orig.kind, &orig.namespace, &orig.name),
                    "",
                )),
            };
            match result {
                Ok(_) => ctx.out.out(&format!("{}/{} edited\n", orig.kind.qualified_singular(), orig.name)),
                Err(e) => {
                    let line = add_error(&mut results, &e, orig);
                    ctx.out.err(&format!("{line}\n"));
                }
            }
        }
        if results.retryable > 0 {
            ctx.out.err(&format!("You can run `kubectl replace -f {file}` to try this update again.\n"));
            ctx.out.code = 1;
            return;
        }
        if results.notfound > 0 {
            ctx.out.err(&format!("The edits you made on deleted resources have been saved to \"{file}\"\n"));
            ctx.out.code = 1;
            return;
        }
        if results.edit == 0 {
            let _ = ctx.files.remove(&file);
            return;
        }
        // Invalid objects: reopen the file with the server's complaints on top.
        reasons = results.reasons;
        contains_error = true;
        if !interactive && reopened >= 1 {
            // The same editor command would make the same change again.
            ctx.out.code = 1;
            return preserved(ctx, "Edit cancelled, no valid changes were saved.", &file);
        }
        reopened += 1;
    }
}

/// `editResults.addError`: the line printed for a failed object, and how to go on.
fn add_error(r: &mut Results, e: &ApiError, info: &Info) -> String {
    let resource = info.kind.qualified_plural();
    match e.reason {
        Reason::Invalid => {
            r.edit += 1;
            let other = e.details.iter().flat_map(|d| d.causes.iter()).map(|(f, m)| format!("{f}: {m}")).collect();
            r.reasons.push(Reason2 { head: format!("{resource} \"{}\" was not valid", info.name), other });
            format!("error: {resource} \"{}\" is invalid", info.name)
        }
        Reason::NotFound => {
            r.notfound += 1;
            format!("error: {resource} \"{}\" could not be found on the server", info.name)
        }
        _ => {
            r.retryable += 1;
            format!("error: {resource} \"{}\" could not be patched: {}", info.name, e.message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn header_reasons_and_comment_stripping() {
        let h = header(&[Reason2 {
            head: "deployments.apps \"web\" was not valid".into(),
            other: vec!["spec.replicas: Invalid value: -1: must be greater than or equal to 0".into()],
        }]);
        assert!(h.ends_with("#\n# deployments.apps \"web\" was not valid:\n# * spec.replicas: Invalid value: -1: must be greater than or equal to 0\n#\n"));
        assert_eq!(hash_on_line_break("a\nb\n#c"), "a\n# b\n#c");
        assert_eq!(manual_strip("# x\na: 1\n  # y\n#!keep\n"), "a: 1\n#!keep\n");
        assert_eq!(strip_comments("# c\na: 1\n"), strip_comments("a:   1"));
    }

    #[test]
    fn merge_patches_like_create_merge_patch() {
        let o = json!({"a": 1, "b": {"c": 2, "d": 3}, "l": [1, 2]});
        let e = json!({"a": 1, "b": {"c": 5}, "l": [1], "n": true});
        assert_eq!(merge_patch(&o, &e), json!({"b": {"c": 5, "d": null}, "l": [1], "n": true}));
        assert_eq!(merge_patch(&o, &o), json!({}));
    }
}
