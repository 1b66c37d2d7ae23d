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
use crate::sim::api::errors::{ApiError, Reason};
use crate::sim::api::{decode, WriteOptions};

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
            finish_object(session.ws_for_edit(), req, obj, original, retry.as_deref(), *json, edited, path)
        }
    }
}

fn finish_file(session: &mut Session, ws_path: &str, before: &str, edited: &str) -> EditOutcome {
    if edited == before {
        return EditOutcome::default();
    }
    match session.write_file(ws_path, edited) {
        Ok(()) => EditOutcome::default(),
        Err(e) => EditOutcome { output: format!("{e}\n"), reopen: None, keep_file: false },
    }
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
    ws: &mut Workstation,
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
    let current = match obj.get(&ws.world) {
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
    let updated = decode::decode_object(&doc).and_then(|o| {
        if o.to_value() == current_value {
            return Ok(None);
        }
        ws.world.api_update(o, WriteOptions::default()).map(Some)
    });
    match updated {
        Ok(None) => EditOutcome { output: format!("{singular} skipped\n"), ..Default::default() },
        Ok(Some(_)) => EditOutcome { output: format!("{singular} edited\n"), ..Default::default() },
        Err(e) => api_error_outcome(&e, &resource, &obj.name, path, reopen),
    }
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
            let causes: Vec<String> =
                e.details.iter().flat_map(|d| d.causes.iter()).map(|(f, m)| format!("{f}: {m}")).collect();
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
