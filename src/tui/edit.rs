//! Editing in the learner's `$EDITOR`: `kubectl edit` (and `e` in a pane), and `vim file`
//! on the workstation's files. The TUI suspends itself, the runtime runs the real editor on a
//! temporary file, and the result comes back here as data. `kubectl edit`'s session follows
//! kubectl's editoptions.go: the commented header, "Edit cancelled, no changes made.", the
//! file reopened with the server's complaints when an edit is invalid, and the copy of the
//! changes kept when the learner gives up.

use serde_json::Value;

use super::resources::ObjRef;
use super::session::Session;
use crate::shell::workstation::Workstation;
use crate::shell::Fs;
use crate::sim::api::decode;
use crate::sim::api::errors::{ApiError, Reason};

const HEADER: &str = "# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
";

/// What is being edited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditTarget {
    /// A file of the workstation (`vim pod.yaml`).
    File { path: String },
    /// An object of the cluster (`kubectl edit deploy web`).
    Object {
        obj: ObjRef,
        /// The text first given to the editor (header and YAML).
        original: String,
        /// The learner's previous text, when the file was reopened after an error.
        retry: Option<String>,
        json: bool,
    },
}

/// A request to run the editor, carried out by the runtime (which owns the terminal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditRequest {
    /// The program the learner named (`vim`, `nano`); None: $KUBE_EDITOR, $EDITOR, then vi,
    /// as kubectl chooses.
    pub program: Option<String>,
    /// The base name of the temporary file (editors pick their syntax from its extension).
    pub file_name: String,
    pub text: String,
    pub target: EditTarget,
}

/// What an edit session printed and whether it goes on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EditOutcome {
    pub output: String,
    /// Open the editor again (the edit was invalid).
    pub reopen: Option<EditRequest>,
    /// Keep the temporary file: the output tells the learner where their changes are.
    pub keep_file: bool,
}

fn kubectl(ws: &mut Workstation, args: &[String]) -> crate::kubectl::Output {
    let cwd = ws.cwd().to_string();
    crate::kubectl::run(&mut ws.world, &mut ws.client, &mut ws.fs, &cwd, args, &[])
}

/// `kubectl edit <args>`: the request to open the editor on the object, or what kubectl
/// prints when it cannot.
pub fn start_kubectl_edit(ws: &mut Workstation, args: &[String]) -> Result<EditRequest, String> {
    let mut positional: Vec<String> = Vec::new();
    let mut namespace: Option<String> = None;
    let mut json = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let value = |i: &mut usize| -> Result<String, String> {
            *i += 1;
            args.get(*i).cloned().ok_or_else(|| {
                format!("error: flag needs an argument: {}\nSee 'kubectl edit --help' for usage.", flag_text(a))
            })
        };
        match a {
            "-n" | "--namespace" => namespace = Some(value(&mut i)?),
            "-o" | "--output" => json = value(&mut i)? == "json",
            "--context" => {
                value(&mut i)?;
            }
            _ if a.starts_with("--namespace=") => namespace = Some(a["--namespace=".len()..].to_string()),
            _ if a.starts_with("-n=") => namespace = Some(a[3..].to_string()),
            _ if a.starts_with("--output=") || a.starts_with("-o=") => json = a.ends_with("=json"),
            _ if a.starts_with("-o") && a.len() > 2 => json = &a[2..] == "json",
            "--record" | "--save-config" | "--windows-line-endings=false" => {}
            _ if a.starts_with('-') => {
                let name = a.split('=').next().unwrap_or(a);
                let msg = if name.starts_with("--") {
                    format!("error: unknown flag: {name}")
                } else {
                    format!("error: unknown shorthand flag: '{}' in {name}", name.chars().nth(1).unwrap_or('?'))
                };
                return Err(format!("{msg}\nSee 'kubectl edit --help' for usage."));
            }
            _ => positional.push(a.to_string()),
        }
        i += 1;
    }
    if positional.is_empty() {
        return Err("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'".into());
    }
    let targets = crate::kubectl::cmds::get::targets(&positional)?;
    let named: Vec<_> = targets.items.iter().filter(|(_, n)| n.is_some()).collect();
    if targets.items.len() != 1 || named.len() != 1 {
        return Err("error: kubedojo edits one object at a time: name it (kubectl edit deployment web)".into());
    }
    let (kind, name) = (targets.items[0].0, targets.items[0].1.clone().unwrap_or_default());
    let ns = namespace.unwrap_or_else(|| ws.client.namespace.clone());
    let obj = ObjRef { kind, namespace: if kind.namespaced() { ns } else { String::new() }, name };
    start_object_edit(ws, &obj, json)
}

fn flag_text(f: &str) -> String {
    match f.strip_prefix('-').filter(|s| !s.starts_with('-')) {
        Some(short) => format!("'{short}' in -{short}"),
        None => f.to_string(),
    }
}

/// Opens the editor on one object (`e` in a pane).
pub fn start_object_edit(ws: &mut Workstation, obj: &ObjRef, json: bool) -> Result<EditRequest, String> {
    let mut args = vec!["get".to_string()];
    args.extend(obj.kubectl_args());
    args.push("-o".into());
    args.push(if json { "json" } else { "yaml" }.into());
    let out = kubectl(ws, &args);
    if out.code != 0 {
        return Err(String::from_utf8_lossy(&out.stderr).trim_end().to_string());
    }
    let body = String::from_utf8_lossy(&out.stdout).into_owned();
    // kubectl leaves the header out of JSON, which has no comments.
    let text = if json { body } else { format!("{HEADER}{body}") };
    Ok(EditRequest {
        program: None,
        file_name: format!("kubectl-edit-{}.{}", obj.name, if json { "json" } else { "yaml" }),
        text: text.clone(),
        target: EditTarget::Object { obj: obj.clone(), original: text, retry: None, json },
    })
}

/// Opens the editor on a workstation file (`vim pod.yaml`).
pub fn start_file_edit(ws: &Workstation, program: &str, arg: &str) -> EditRequest {
    let path = crate::shell::vfs::resolve_path(ws.cwd(), arg);
    let text = ws.fs.read(&path).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    let base = path.rsplit('/').next().unwrap_or("file").to_string();
    EditRequest { program: Some(program.to_string()), file_name: base, text, target: EditTarget::File { path } }
}

/// The editor closed with `edited` in the file (at `path` on the real disk).
pub fn finish(session: &mut Session, req: &EditRequest, edited: &str, path: &str) -> EditOutcome {
    match &req.target {
        EditTarget::File { path: ws_path } => finish_file(session, ws_path, &req.text, edited),
        EditTarget::Object { obj, original, retry, json } => {
            finish_object(session, req, obj, original, retry.as_deref(), *json, edited, path)
        }
    }
}

/// A saved file goes into the workstation through the shell (a heredoc), so that a lesson's
/// session log records it; what the shell says (a missing directory) is what the learner sees.
fn finish_file(session: &mut Session, ws_path: &str, before: &str, edited: &str) -> EditOutcome {
    if edited == before {
        return EditOutcome::default();
    }
    let mut delim = "KUBEDOJO_EOF".to_string();
    while edited.lines().any(|l| l == delim) {
        delim.push('_');
    }
    let body = edited.strip_suffix('\n').unwrap_or(edited);
    let line = format!("cat > {} <<'{delim}'\n{body}\n{delim}", shell_quote(ws_path));
    let out = String::from_utf8_lossy(&session.run(&line)).into_owned();
    EditOutcome { output: out, reopen: None, keep_file: false }
}

/// kubectl's `StripComments`: the document as JSON when it parses (so layout does not
/// count as a change), else its lines without `#` comments.
fn strip_comments(text: &str) -> String {
    match decode::yaml_to_json(text) {
        Ok(v) => v.to_string(),
        Err(_) => manual_strip(text),
    }
}

/// kubectl's `ManualStrip`: drops comment lines (but not `#!`).
fn manual_strip(text: &str) -> String {
    let lines: Vec<&str> = text
        .split('\n')
        .filter(|l| {
            let t = l.trim();
            !t.starts_with('#') || t.starts_with("#!")
        })
        .collect();
    lines.join("\n")
}

/// Whether any line has something other than a comment.
fn has_lines(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    })
}

/// `hashOnLineBreak`: continuation lines of a reason stay comments.
fn hash_on_line_break(s: &str) -> String {
    s.replace('\n', "\n# ")
}

#[allow(clippy::too_many_arguments)]
fn finish_object(
    session: &mut Session,
    req: &EditRequest,
    obj: &ObjRef,
    original: &str,
    retry: Option<&str>,
    json: bool,
    edited: &str,
    path: &str,
) -> EditOutcome {
    let resource = obj.kind.qualified_plural();
    let kept = |msg: String| EditOutcome { output: msg, reopen: None, keep_file: true };
    let preserved = format!("A copy of your changes has been stored to \"{path}\"\n");
    if let Some(prev) = retry {
        if strip_comments(prev) == strip_comments(edited) {
            return kept(format!("{preserved}error: Edit cancelled, no valid changes were saved.\n"));
        }
    }
    if strip_comments(original) == strip_comments(edited) {
        return EditOutcome { output: "Edit cancelled, no changes made.\n".into(), ..Default::default() };
    }
    if !has_lines(edited) {
        return EditOutcome { output: "Edit cancelled, saved file was empty.\n".into(), ..Default::default() };
    }
    let reopen = |reasons: Vec<(String, Vec<String>)>| -> EditRequest {
        let mut text = if json { String::new() } else { HEADER.to_string() };
        for (head, other) in &reasons {
            if other.is_empty() {
                text.push_str(&format!("# {}\n", hash_on_line_break(head)));
            } else {
                text.push_str(&format!("# {}:\n", hash_on_line_break(head)));
            }
            for o in other {
                text.push_str(&format!("# * {}\n", hash_on_line_break(o)));
            }
            text.push_str("#\n");
        }
        text.push_str(&manual_strip(edited));
        EditRequest {
            program: req.program.clone(),
            file_name: req.file_name.clone(),
            text,
            target: EditTarget::Object {
                obj: obj.clone(),
                original: original.to_string(),
                retry: Some(edited.to_string()),
                json,
            },
        }
    };
    // Parse the edited file.
    let manifest = decode::read_manifest(edited, "edited-file", false);
    let doc = match (manifest.docs.first(), &manifest.error) {
        (Some(d), None) => d.value.clone(),
        (_, Some(e)) => {
            let head = format!("The edited file had a syntax error: {e}");
            return EditOutcome { output: String::new(), reopen: Some(reopen(vec![(head, vec![])])), keep_file: false };
        }
        (None, None) => {
            return EditOutcome { output: "Edit cancelled, saved file was empty.\n".into(), ..Default::default() };
        }
    };
    let current = match obj.get(&session.ws().world) {
        Some(o) => o.clone(),
        None => {
            return kept(format!(
                "error: {resource} \"{}\" could not be found on the server\nThe edits you made on deleted resources have been saved to \"{path}\"\n",
                obj.name
            ))
        }
    };
    let current_value = current.to_value();
    let same = |p: &str| doc.pointer(p) == current_value.pointer(p);
    if !same("/apiVersion") || !same("/kind") || !same("/metadata/name") {
        return kept(format!("{preserved}error: At least one of apiVersion, kind and name was changed\n"));
    }
    if obj.kind.namespaced() {
        let ns = doc.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or(&obj.namespace);
        if ns != obj.namespace {
            return kept(format!(
                "{preserved}error: the namespace from the provided object \"{ns}\" does not match the namespace \"{}\". You must pass '--namespace={ns}' to perform this operation.\n",
                obj.namespace
            ));
        }
    }
    let singular = format!("{}/{}", obj.kind.qualified_singular(), obj.name);
    // The server decodes strictly: a misspelt field is refused before anything changes.
    if let Err(e) = decode::decode_object(&doc) {
        return api_error_outcome(&e, &resource, &obj.name, path, reopen);
    }
    // What the learner changed: the edited text against the text they were given (as
    // kubectl's CreateMergePatch does), not against the object now — the cluster went on while
    // the editor was open (a pod got its node), and that is not the learner's change.
    let given = decode::read_manifest(original, "original", false).docs.first().map(|d| d.value.clone());
    let patch = merge_diff(given.as_ref().unwrap_or(&current_value), &doc);
    if patch.as_object().is_some_and(|m| m.is_empty()) {
        return EditOutcome { output: format!("{singular} skipped\n"), ..Default::default() };
    }
    // The change goes through the learner's shell as the merge patch it amounts to, so that a
    // lesson's session log records it and replays it.
    let mut line = format!("kubectl patch {} {}", obj.kind.singular(), obj.name);
    if obj.kind.namespaced() {
        line.push_str(&format!(" -n {}", obj.namespace));
    }
    line.push_str(&format!(" --type=merge -p {}", shell_quote(&patch.to_string())));
    let out = String::from_utf8_lossy(&session.run(&line)).into_owned();
    let first = out.lines().next().unwrap_or("");
    if first.starts_with(&singular) && first.contains(" patched") {
        return EditOutcome { output: format!("{singular} edited\n"), ..Default::default() };
    }
    api_error_outcome(&error_from_text(&out), &resource, &obj.name, path, reopen)
}

/// The JSON merge patch (RFC 7386) that turns `from` into `to`.
pub fn merge_diff(from: &Value, to: &Value) -> Value {
    match (from, to) {
        (Value::Object(a), Value::Object(b)) => {
            let mut p = serde_json::Map::new();
            for (k, bv) in b {
                match a.get(k) {
                    Some(av) if av == bv => {}
                    Some(av) => {
                        p.insert(k.clone(), merge_diff(av, bv));
                    }
                    None => {
                        p.insert(k.clone(), bv.clone());
                    }
                }
            }
            for k in a.keys() {
                if !b.contains_key(k) {
                    p.insert(k.clone(), Value::Null);
                }
            }
            Value::Object(p)
        }
        _ => to.clone(),
    }
}

/// `s` as one word for the shell, in single quotes.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The server's error back from what kubectl printed for it.
fn error_from_text(out: &str) -> ApiError {
    let out = out.trim_end();
    if let Some(rest) = out.strip_prefix("Error from server (NotFound): ") {
        return ApiError { code: 404, reason: Reason::NotFound, message: rest.to_string(), details: None };
    }
    if let Some(i) = out.find(" is invalid: ").filter(|_| out.starts_with("The ")) {
        let rest = &out[i + " is invalid: ".len()..];
        let causes: Vec<(String, String)> = rest
            .split("\n* ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| match c.split_once(": ") {
                Some((f, m)) => (f.to_string(), m.to_string()),
                None => (String::new(), c.to_string()),
            })
            .collect();
        return ApiError {
            code: 422,
            reason: Reason::Invalid,
            message: out.to_string(),
            details: Some(Box::new(crate::sim::api::errors::InvalidDetails {
                group: String::new(),
                kind: String::new(),
                name: String::new(),
                causes,
            })),
        };
    }
    let message = match out.split_once("): ") {
        Some((head, rest)) if head.starts_with("Error from server (") => rest.to_string(),
        _ => out.trim_start_matches("error: ").to_string(),
    };
    ApiError::bad_request(message)
}

fn api_error_outcome(
    e: &ApiError,
    resource: &str,
    name: &str,
    path: &str,
    reopen: impl Fn(Vec<(String, Vec<String>)>) -> EditRequest,
) -> EditOutcome {
    match e.reason {
        Reason::Invalid => {
            let causes: Vec<String> = e
                .details
                .iter()
                .flat_map(|d| d.causes.iter())
                .map(|(f, m)| if f.is_empty() { m.clone() } else { format!("{f}: {m}") })
                .collect();
            let head = format!("{resource} \"{name}\" was not valid");
            EditOutcome {
                output: format!("error: {resource} \"{name}\" is invalid\n"),
                reopen: Some(reopen(vec![(head, causes)])),
                keep_file: false,
            }
        }
        Reason::NotFound => EditOutcome {
            output: format!(
                "error: {resource} \"{name}\" could not be found on the server\nThe edits you made on deleted resources have been saved to \"{path}\"\n"
            ),
            reopen: None,
            keep_file: true,
        },
        _ => EditOutcome {
            output: format!(
                "error: {resource} \"{name}\" could not be patched: {}\nYou can run `kubectl replace -f {path}` to try this update again.\n",
                e.message
            ),
            reopen: None,
            keep_file: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::World;

    fn ws_with_pod() -> Session {
        let mut ws = Workstation::new(World::new(1));
        ws.execute(&crate::tui::testing::pod_manifest_cmd("web", "nginx"));
        Session::Free(ws)
    }

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn unchanged_edit_is_cancelled() {
        let mut ws = ws_with_pod();
        let req = start_kubectl_edit(ws.ws_for_reading(), &args("pod web")).unwrap();
        assert!(req.text.starts_with(HEADER));
        assert!(req.text.contains("\nkind: Pod\n"));
        let out = finish(&mut ws, &req, &req.text.clone(), "/tmp/x.yaml");
        assert_eq!(out.output, "Edit cancelled, no changes made.\n");
        let out = finish(&mut ws, &req, "# nothing\n", "/tmp/x.yaml");
        assert_eq!(out.output, "Edit cancelled, saved file was empty.\n");
    }

    #[test]
    fn a_valid_change_is_applied() {
        let mut ws = ws_with_pod();
        let req = start_kubectl_edit(ws.ws_for_reading(), &args("pod/web")).unwrap();
        let edited = req.text.replace("  labels:\n", "  labels:\n    tier: front\n");
        assert_ne!(edited, req.text);
        let out = finish(&mut ws, &req, &edited, "/tmp/x.yaml");
        assert_eq!(out.output, "pod/web edited\n");
        let labels = ws.ws().world.store.get(crate::sim::Kind::Pod, "default", "web").unwrap().meta().labels.clone();
        assert_eq!(labels.unwrap().get("tier").map(String::as_str), Some("front"));
    }

    /// Regression (issue 7): a pod scheduled while the editor was open could not be edited —
    /// the patch was taken against the object as it now is, so it removed `nodeName`.
    #[test]
    fn the_cluster_moving_on_during_the_edit_is_not_the_learners_change() {
        let mut ws = ws_with_pod();
        let req = start_kubectl_edit(ws.ws_for_reading(), &args("pod web")).unwrap();
        assert!(!req.text.contains("nodeName"), "not scheduled yet:\n{}", req.text);
        ws.tick();
        ws.tick();
        let edited = req.text.replace("  - image: nginx\n", "  - image: nginx:1.27\n");
        assert_ne!(edited, req.text);
        let out = finish(&mut ws, &req, &edited, "/tmp/x.yaml");
        assert_eq!(out.output, "pod/web edited\n");
        let pod = ws.ws().world.store.get(crate::sim::Kind::Pod, "default", "web").unwrap().as_pod().unwrap().clone();
        let spec = pod.spec.unwrap();
        assert_eq!(spec.containers[0].image.as_deref(), Some("nginx:1.27"));
        assert!(spec.node_name.is_some(), "the pod keeps its node");
    }

    #[test]
    fn renaming_is_refused_and_the_copy_kept() {
        let mut ws = ws_with_pod();
        let req = start_kubectl_edit(ws.ws_for_reading(), &args("pod web")).unwrap();
        let edited = req.text.replace("  name: web\n", "  name: other\n");
        let out = finish(&mut ws, &req, &edited, "/tmp/x.yaml");
        assert_eq!(
            out.output,
            "A copy of your changes has been stored to \"/tmp/x.yaml\"\nerror: At least one of apiVersion, kind and name was changed\n"
        );
        assert!(out.keep_file);
    }

    #[test]
    fn syntax_errors_reopen_the_file_and_giving_up_keeps_it() {
        let mut ws = ws_with_pod();
        let req = start_kubectl_edit(ws.ws_for_reading(), &args("pod web")).unwrap();
        let edited = format!("{}\n  bad: [\n", req.text);
        let out = finish(&mut ws, &req, &edited, "/tmp/x.yaml");
        let again = out.reopen.expect("reopened");
        assert!(again.text.contains("# The edited file had a syntax error: "), "{}", again.text);
        let out = finish(&mut ws, &again, &again.text.clone(), "/tmp/x.yaml");
        assert_eq!(
            out.output,
            "A copy of your changes has been stored to \"/tmp/x.yaml\"\nerror: Edit cancelled, no valid changes were saved.\n"
        );
    }

    #[test]
    fn an_invalid_edit_reopens_with_the_servers_complaints() {
        let mut ws = ws_with_pod();
        let req = start_kubectl_edit(ws.ws_for_reading(), &args("pod web")).unwrap();
        let edited = req.text.replace("  - image: nginx\n", "  - image: \"\"\n");
        assert_ne!(edited, req.text);
        let out = finish(&mut ws, &req, &edited, "/tmp/x.yaml");
        assert_eq!(out.output, "error: pods \"web\" is invalid\n");
        let again = out.reopen.expect("reopened");
        assert!(again.text.contains("# pods \"web\" was not valid:\n# * "), "{}", again.text);
        assert!(again.text.contains("image: \"\""), "the learner's text is kept");
    }

    #[test]
    fn merge_diff_gives_what_changed() {
        let a = serde_json::json!({"a": 1, "b": {"c": [1, 2], "d": "x"}, "gone": true});
        let b = serde_json::json!({"a": 1, "b": {"c": [1, 2, 3], "d": "x"}, "new": "y"});
        assert_eq!(merge_diff(&a, &b), serde_json::json!({"b": {"c": [1, 2, 3]}, "gone": null, "new": "y"}));
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }

    #[test]
    fn bad_command_lines_get_kubectl_errors() {
        let mut ws = ws_with_pod();
        assert!(start_kubectl_edit(ws.ws_for_reading(), &[])
            .unwrap_err()
            .starts_with("error: You must provide one or more resources"));
        assert_eq!(
            start_kubectl_edit(ws.ws_for_reading(), &args("pod nope")).unwrap_err(),
            "Error from server (NotFound): pods \"nope\" not found"
        );
        assert_eq!(
            start_kubectl_edit(ws.ws_for_reading(), &args("pod web --bogus")).unwrap_err(),
            "error: unknown flag: --bogus\nSee 'kubectl edit --help' for usage."
        );
    }

    #[test]
    fn files_are_written_back_to_the_workstation() {
        let mut ws = ws_with_pod();
        let req = start_file_edit(ws.ws(), "vim", "notes.txt");
        assert_eq!(req.text, "");
        let out = finish(&mut ws, &req, "hello\n", "/tmp/notes.txt");
        assert_eq!(out, EditOutcome::default());
        assert_eq!(ws.ws().fs.read("/root/notes.txt").unwrap(), b"hello\n");
    }
}
