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
#[derive(Clone, Debug)]
pub struct EditObject {
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
    uid: String,
    value: Value,
}

pub fn run(ctx: &mut Ctx, args: &[String]) {
    if let Some(s) = open(ctx, args) {
        session(ctx, s);
    }
}

/// Parses `kubectl edit`'s arguments and fetches the objects to edit: the session, before the
/// editor first opens. What goes wrong is printed to `ctx.out` (None is returned).
pub fn open(ctx: &mut Ctx, args: &[String]) -> Option<EditSession> {
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
    let m = parse(ctx, cmd, args)?;
    let json = match m.get_one::<String>("output").map(String::as_str) {
        None | Some("yaml") => false,
        Some("json") => true,
        Some(other) => {
            ctx.out.fail(&format!(
                "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: json,yaml"
            ));
            return None;
        }
    };
    if let Some(sub) = m.get_one::<String>("subresource").filter(|s| *s != "status") {
        ctx.out.fail(&format!("error: invalid subresource value: \"{sub}\". Must be one of [status]"));
        return None;
    }
    if m.get_one::<String>("subresource").is_some() {
        ctx.out.fail("error: kubedojo does not simulate editing the status subresource yet");
        return None;
    }
    if m.get_many::<String>("filename").is_some() || m.get_one::<String>("kustomize").is_some() {
        ctx.out.fail("error: kubedojo does not simulate \"kubectl edit -f\" yet: edit the object by type and name");
        return None;
    }
    let ns = namespace(ctx, &m);
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    if positional.is_empty() {
        ctx.out.fail("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
        return None;
    }
    let targets = match super::get::targets(&positional) {
        Ok(t) => t,
        Err(e) => {
            ctx.out.fail(&e);
            return None;
        }
    };
    let mut infos: Vec<EditObject> = Vec::new();
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
            infos.push(EditObject {
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
        return None;
    }
    if infos.is_empty() {
        ctx.out.fail("error: edit cancelled, no objects found");
        return None;
    }
    let interactive = ctx.editor.as_ref().is_some_and(|e| e.interactive());
    Some(EditSession::new(infos, json, ns, interactive))
}

/// The document given to the editor: one object, or a `List` of several.
fn document(infos: &[EditObject], json: bool) -> String {
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

/// What an edit session works with besides its own state: where the change goes, the
/// edited files and the output. `kubectl edit` in the workstation patches the cluster
/// directly; the TUI, whose editor runs outside the App, patches through the learner's shell
/// (so that a lesson's session log records the change) and keeps its files on the real disk.
pub trait EditHost {
    /// Sends one object's patch (a JSON merge patch, as `kubectl edit` computed it) to the
    /// server, as the current user.
    fn patch(&mut self, obj: &EditObject, patch: &Value) -> Result<(), ApiError>;
    fn file_exists(&mut self, path: &str) -> bool;
    fn remove_file(&mut self, path: &str);
    fn out(&mut self) -> &mut crate::kubectl::Output;
}

impl EditHost for Ctx<'_> {
    fn patch(&mut self, obj: &EditObject, patch: &Value) -> Result<(), ApiError> {
        match super::auth::authorize_kind(self, "patch", obj.kind, &obj.namespace, &obj.name) {
            Ok(()) => self
                .world
                .api_patch(obj.kind, &obj.namespace, &obj.name, PatchType::Merge, patch, WriteOptions::default())
                .map(|_| ()),
            Err(_) => Err(crate::sim::api::rbac::forbidden(
                &super::auth::current_user(self),
                &crate::sim::api::rbac::Attributes::for_kind("patch", obj.kind, &obj.namespace, &obj.name),
                "",
            )),
        }
    }
    fn file_exists(&mut self, path: &str) -> bool {
        self.files.exists(path)
    }
    fn remove_file(&mut self, path: &str) {
        let _ = self.files.remove(path);
    }
    fn out(&mut self) -> &mut crate::kubectl::Output {
        &mut self.out
    }
}

/// How an edit session goes on after a pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Open the editor again, on [`EditSession::buffer`] (the file had errors).
    Reopen,
    /// The session is over.
    Done,
}

/// `kubectl edit`'s session (editoptions.go's loop), one pass per editor run, so that it can
/// wait for an editor that runs outside it (the TUI's).
#[derive(Clone, Debug)]
pub struct EditSession {
    infos: Vec<EditObject>,
    pub json: bool,
    cmd_ns: String,
    interactive: bool,
    reasons: Vec<Reason2>,
    /// The text first given to the editor.
    original: String,
    /// The learner's last text.
    edited: String,
    contains_error: bool,
    reopened: usize,
    /// The file of the last pass.
    file: String,
}

impl EditSession {
    fn new(infos: Vec<EditObject>, json: bool, cmd_ns: String, interactive: bool) -> EditSession {
        EditSession {
            infos,
            json,
            cmd_ns,
            interactive,
            reasons: Vec::new(),
            original: String::new(),
            edited: String::new(),
            contains_error: false,
            reopened: 0,
            file: String::new(),
        }
    }

    /// The objects edited.
    pub fn objects(&self) -> &[EditObject] {
        &self.infos
    }

    /// The text to open the editor on: the header (with the last pass's errors) over the
    /// objects, or over the learner's text when the file is reopened.
    pub fn buffer(&mut self) -> String {
        let mut buf = if self.json { String::new() } else { header(&self.reasons) };
        if !self.contains_error {
            buf.push_str(&document(&self.infos, self.json));
            self.original = buf.clone();
        } else {
            buf.push_str(&manual_strip(&self.edited));
        }
        buf
    }

    /// The editor closed, leaving `edited` in `file`: applies it, printing what kubectl
    /// prints, and says whether to reopen the file.
    pub fn apply(&mut self, host: &mut dyn EditHost, edited: String, file: String) -> Next {
        let previous = std::mem::replace(&mut self.edited, edited);
        let edited = self.edited.clone();
        if self.contains_error && strip_comments(&previous) == strip_comments(&edited) {
            preserved(host, "Edit cancelled, no valid changes were saved.", &file);
            return Next::Done;
        }
        // The file of the previous pass goes.
        if !self.file.is_empty() && self.file != file {
            host.remove_file(&self.file);
        }
        self.file = file.clone();
        if strip_comments(&self.original) == strip_comments(&edited) {
            host.remove_file(&file);
            host.out().err("Edit cancelled, no changes made.\n");
            return Next::Done;
        }
        if !has_lines(&edited) {
            host.remove_file(&file);
            host.out().err("Edit cancelled, saved file was empty.\n");
            return Next::Done;
        }
        let mut results = Results::default();
        let manifest = decode::read_manifest(&edited, "edited-file", false);
        let docs = match manifest.error {
            Some(e) => {
                self.contains_error = true;
                self.reasons =
                    vec![Reason2 { head: format!("The edited file had a syntax error: {e}"), other: vec![] }];
                return self.reopen(host);
            }
            None => manifest.docs,
        };
        // The namespace of an edited object cannot change.
        for d in &docs {
            if let Some(ns) = d.value.pointer("/metadata/namespace").and_then(Value::as_str) {
                if !ns.is_empty() && ns != self.cmd_ns {
                    let msg = format!("the namespace from the provided object \"{ns}\" does not match the namespace \"{}\". You must pass '--namespace={ns}' to perform this operation.", self.cmd_ns);
                    preserved(host, &msg, &file);
                    return Next::Done;
                }
            }
        }
        for d in &docs {
            let uid = d.value.pointer("/metadata/uid").and_then(Value::as_str).unwrap_or("");
            let Some(orig) = self.infos.iter().find(|i| i.uid == uid) else {
                preserved(host, &format!("no original object found for {}", d.value), &file);
                return Next::Done;
            };
            if orig.value == d.value {
                host.out().out(&format!("{}/{} skipped\n", orig.kind.qualified_singular(), orig.name));
                continue;
            }
            // What the learner changed: the edited text against the text they were given, not
            // against the object as it is now — the cluster went on while the editor was open
            // (a pod got its node), and that is not the learner's change.
            let patch = merge_patch(&orig.value, &d.value);
            let changed_identity = ["apiVersion", "kind"].iter().any(|k| patch.get(*k).is_some())
                || patch.pointer("/metadata/name").is_some()
                || patch.pointer("/metadata/managedFields").is_some();
            if changed_identity {
                preserved(host, "At least one of apiVersion, kind and name was changed", &file);
                return Next::Done;
            }
            match host.patch(orig, &patch) {
                Ok(()) => host.out().out(&format!("{}/{} edited\n", orig.kind.qualified_singular(), orig.name)),
                Err(e) => {
                    let line = add_error(&mut results, &e, orig);
                    host.out().err(&format!("{line}\n"));
                }
            }
        }
        if results.retryable > 0 {
            host.out().err(&format!("You can run `kubectl replace -f {file}` to try this update again.\n"));
            host.out().code = 1;
            return Next::Done;
        }
        if results.notfound > 0 {
            host.out().err(&format!("The edits you made on deleted resources have been saved to \"{file}\"\n"));
            host.out().code = 1;
            return Next::Done;
        }
        if results.edit == 0 {
            host.remove_file(&file);
            return Next::Done;
        }
        // Invalid objects: reopen the file with the server's complaints on top.
        self.reasons = results.reasons;
        self.contains_error = true;
        self.reopen(host)
    }

    fn reopen(&mut self, host: &mut dyn EditHost) -> Next {
        if !self.interactive && self.reopened >= 1 {
            // A script's editor would make the same change again.
            host.out().code = 1;
            let file = self.file.clone();
            preserved(host, "Edit cancelled, no valid changes were saved.", &file);
            return Next::Done;
        }
        self.reopened += 1;
        Next::Reopen
    }
}

/// `preservedFile` + CheckErr: tell where the changes are, then the error.
fn preserved(host: &mut dyn EditHost, err: &str, file: &str) {
    if !file.is_empty() && host.file_exists(file) {
        host.out().err(&format!("A copy of your changes has been stored to \"{file}\"\n"));
    }
    host.out().fail(&format!("error: {err}"));
}

/// The session with the workstation's editor: the file is reopened until the edit is valid
/// or given up.
fn session(ctx: &mut Ctx, mut s: EditSession) {
    loop {
        let buf = s.buffer();
        let (edited, file) = match launch(ctx, &buf, s.json) {
            Ok(x) => x,
            Err(e) => {
                let file = s.file.clone();
                return preserved(ctx, &e, &file);
            }
        };
        if s.apply(ctx, edited, file) == Next::Done {
            return;
        }
    }
}

/// `editResults.addError`: the line printed for a failed object, and how to go on.
fn add_error(r: &mut Results, e: &ApiError, info: &EditObject) -> String {
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
