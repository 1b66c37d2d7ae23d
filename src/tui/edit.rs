//! Editing in the learner's `$EDITOR`: `kubectl edit` (and `e` in a pane), and `vim file`
//! on the workstation's files. The TUI suspends itself, the runtime runs the real editor on a
//! temporary file, and the result comes back here as data. `kubectl edit` is kubectl's own
//! edit session ([`crate::kubectl::cmds::edit::EditSession`]: the same header, errors,
//! "Edit cancelled, no changes made.", file reopened with the server's complaints, copy of
//! the changes kept when the learner gives up), driven one editor run at a time; only where
//! the change goes differs: through the learner's shell, so that a lesson's session log
//! records it and replays it.

use serde_json::Value;

use super::resources::ObjRef;
use super::session::Session;
use crate::kubectl::cmds::edit::{EditHost, EditObject, EditSession, Next};
use crate::kubectl::Output;
use crate::shell::workstation::Workstation;
use crate::shell::Fs;
use crate::sim::api::errors::ApiError;
use crate::sim::api::patch::PatchType;
use crate::sim::api::WriteOptions;

/// What is being edited.
#[derive(Clone, Debug)]
pub enum EditTarget {
    /// A file of the workstation (`vim pod.yaml`).
    File { path: String },
    /// Objects of the cluster (`kubectl edit deploy web`), in kubectl's edit session.
    Objects(Box<EditSession>),
}

/// A request to run the editor, carried out by the runtime (which owns the terminal).
#[derive(Clone, Debug)]
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
#[derive(Clone, Debug, Default)]
pub struct EditOutcome {
    pub output: String,
    /// Open the editor again (the edit was invalid).
    pub reopen: Option<EditRequest>,
    /// Keep the temporary file: the output tells the learner where their changes are.
    pub keep_file: bool,
}

/// `kubectl <args>` where the verb is `edit` (kubectl's own flags may come first): the
/// request to open the editor on the objects, or what kubectl prints when it cannot.
pub fn start_kubectl_edit(ws: &mut Workstation, args: &[String]) -> Result<EditRequest, String> {
    let cwd = ws.cwd().to_string();
    match crate::kubectl::edit_session(&mut ws.world, &mut ws.client, &mut ws.fs, &cwd, args) {
        Ok(s) => Ok(request(None, s)),
        Err(out) => {
            let bytes: Vec<u8> = out.io.chunks.iter().flat_map(|(_, b)| b.iter().copied()).collect();
            Err(String::from_utf8_lossy(&bytes).trim_end().to_string())
        }
    }
}

/// The editor's request for the session's next text.
fn request(program: Option<String>, mut s: EditSession) -> EditRequest {
    let text = s.buffer();
    let ext = if s.json { "json" } else { "yaml" };
    let file_name = match s.objects() {
        [one] => format!("kubectl-edit-{}.{ext}", one.name),
        _ => format!("kubectl-edit-list.{ext}"),
    };
    EditRequest { program, file_name, text, target: EditTarget::Objects(Box::new(s)) }
}

/// Opens the editor on one object (`e` in a pane), as `kubectl edit KIND NAME -n NS`.
pub fn start_object_edit(ws: &mut Workstation, obj: &ObjRef) -> Result<EditRequest, String> {
    let mut args = vec!["edit".to_string()];
    args.extend(obj.kubectl_args());
    start_kubectl_edit(ws, &args)
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
        EditTarget::Objects(s) => {
            let mut s = (**s).clone();
            let mut host = ShellHost { session, out: Output::default(), path, keep_file: true };
            let next = s.apply(&mut host, edited.to_string(), path.to_string());
            let bytes: Vec<u8> = host.out.io.chunks.iter().flat_map(|(_, b)| b.iter().copied()).collect();
            let output = String::from_utf8_lossy(&bytes).into_owned();
            match next {
                Next::Reopen => EditOutcome { output, reopen: Some(request(req.program.clone(), s)), keep_file: false },
                Next::Done => EditOutcome { output, reopen: None, keep_file: host.keep_file },
            }
        }
    }
}

/// Where the TUI's edit session sends its changes: through the learner's shell, as the
/// `kubectl patch` the edit amounts to. Its files are the runtime's, on the real disk: one
/// the session says nothing more of is removed by the runtime.
struct ShellHost<'a> {
    session: &'a mut Session,
    out: Output,
    /// The file the editor just saved.
    path: &'a str,
    /// Whether the session left that file alone (it names it in its output).
    keep_file: bool,
}

impl EditHost for ShellHost<'_> {
    fn patch(&mut self, obj: &EditObject, patch: &Value) -> Result<(), ApiError> {
        // The server's verdict first, without changing anything, so that the learner sees
        // its exact complaint (and the file reopens with it) and a refused edit leaves no
        // command in the session log.
        let ws = self.session.ws_for_reading();
        let dry = WriteOptions { dry_run: true };
        ws.world.api_patch(obj.kind, &obj.namespace, &obj.name, PatchType::Merge, patch, dry)?;
        let mut line = format!("kubectl patch {} {}", obj.kind.singular(), obj.name);
        if obj.kind.namespaced() {
            line.push_str(&format!(" -n {}", obj.namespace));
        }
        line.push_str(&format!(" --type=merge -p {}", shell_quote(&patch.to_string())));
        let out = String::from_utf8_lossy(&self.session.run(&line)).into_owned();
        let singular = format!("{}/{}", obj.kind.qualified_singular(), obj.name);
        let first = out.lines().next().unwrap_or("");
        if first.starts_with(&singular) && first.contains(" patched") {
            return Ok(());
        }
        // Refused by what the dry run does not see (RBAC): kubectl's words for it.
        let message = out.trim_end();
        let message = match message.split_once("): ") {
            Some((head, rest)) if head.starts_with("Error from server (") => rest,
            _ => message.trim_start_matches("error: "),
        };
        Err(ApiError::bad_request(message.to_string()))
    }
    fn file_exists(&mut self, _path: &str) -> bool {
        true
    }
    fn remove_file(&mut self, path: &str) {
        // The runtime removed the files of earlier passes already.
        if path == self.path {
            self.keep_file = false;
        }
    }
    fn out(&mut self) -> &mut Output {
        &mut self.out
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

/// `s` as one word for the shell, in single quotes.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubectl::cmds::edit::HEADER;
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
        let req = start_kubectl_edit(ws.ws_for_reading(), &args("edit pod web")).unwrap();
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
        let req = start_kubectl_edit(ws.ws_for_reading(), &args("edit pod/web")).unwrap();
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
        let req = start_kubectl_edit(ws.ws_for_reading(), &args("edit pod web")).unwrap();
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
        let req = start_kubectl_edit(ws.ws_for_reading(), &args("edit pod web")).unwrap();
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
        let req = start_kubectl_edit(ws.ws_for_reading(), &args("edit pod web")).unwrap();
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
        let req = start_kubectl_edit(ws.ws_for_reading(), &args("edit pod web")).unwrap();
        let edited = req.text.replace("  - image: nginx\n", "  - image: \"\"\n");
        assert_ne!(edited, req.text);
        let out = finish(&mut ws, &req, &edited, "/tmp/x.yaml");
        assert_eq!(out.output, "error: pods \"web\" is invalid\n");
        let again = out.reopen.expect("reopened");
        assert!(again.text.contains("# pods \"web\" was not valid:\n# * "), "{}", again.text);
        assert!(again.text.contains("image: \"\""), "the learner's text is kept");
    }

    #[test]
    fn shell_quotes_hold_any_text() {
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }

    #[test]
    fn bad_command_lines_get_kubectl_errors() {
        let mut ws = ws_with_pod();
        assert!(start_kubectl_edit(ws.ws_for_reading(), &args("edit"))
            .unwrap_err()
            .starts_with("error: You must provide one or more resources"));
        assert_eq!(
            start_kubectl_edit(ws.ws_for_reading(), &args("edit pod nope")).unwrap_err(),
            "Error from server (NotFound): pods \"nope\" not found"
        );
        assert_eq!(
            start_kubectl_edit(ws.ws_for_reading(), &args("edit pod web --bogus")).unwrap_err(),
            // cobra's capital E, as the real kubectl prints it (the TUI's own parser had it wrong).
            "Error: unknown flag: --bogus\nSee 'kubectl edit --help' for usage."
        );
        // kubectl's own flags before the verb.
        assert!(start_kubectl_edit(ws.ws_for_reading(), &args("-n default edit pod web")).is_ok());
    }

    #[test]
    fn files_are_written_back_to_the_workstation() {
        let mut ws = ws_with_pod();
        let req = start_file_edit(ws.ws(), "vim", "notes.txt");
        assert_eq!(req.text, "");
        let out = finish(&mut ws, &req, "hello\n", "/tmp/notes.txt");
        assert_eq!((out.output.as_str(), out.reopen.is_none(), out.keep_file), ("", true, false));
        assert_eq!(ws.ws().fs.read("/root/notes.txt").unwrap(), b"hello\n");
    }
}
