//! kubectl: parses a kubectl command line (with clap) and runs it against the simulated
//! cluster, printing exactly what kubectl v1.32 prints. Server-side work (validation,
//! defaulting, Tables) lives in `sim::api`; this module is the client: argument handling,
//! client-side generators, printers, and kubectl's own error texts.
//!
//! Commands that wait (`wait`, a `delete` waiting for graceful termination) advance the
//! simulated cluster while they wait.

pub mod age;
pub mod cmds;
pub mod describe;
pub mod generators;
pub mod gotemplate;
pub mod jsonpath;
pub mod kustomize;
pub mod output;
pub mod pod_template;
pub mod print;
pub mod strategicpatch;
pub mod table_printer;

use crate::shell::Fs;
use crate::sim::World;

/// One context of the kubeconfig.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubeContext {
    pub name: String,
    pub cluster: String,
    pub user: String,
    /// The context's namespace (None: `default`).
    pub namespace: Option<String>,
}

/// kubectl's client-side configuration: the kubeconfig's contexts, clusters and users, and
/// the current context with its namespace (mirrored in `context`, `cluster`, `user` and
/// `namespace` for the commands).
///
/// Every context talks to the one simulated cluster of the workstation; contexts differ by
/// name, user and namespace, which is what the exam's `kubectl config use-context` habit
/// needs.
#[derive(Clone, Debug)]
pub struct Client {
    pub context: String,
    pub cluster: String,
    pub user: String,
    pub namespace: String,
    pub contexts: Vec<KubeContext>,
    /// (cluster name, server URL).
    pub clusters: Vec<(String, String)>,
    pub users: Vec<String>,
}

impl Default for Client {
    fn default() -> Self {
        let ctx = KubeContext {
            name: "kubernetes-admin@kubernetes".into(),
            cluster: "kubernetes".into(),
            user: "kubernetes-admin".into(),
            namespace: None,
        };
        Client {
            context: ctx.name.clone(),
            cluster: ctx.cluster.clone(),
            user: ctx.user.clone(),
            namespace: "default".into(),
            contexts: vec![ctx],
            clusters: vec![("kubernetes".into(), "https://192.168.1.10:6443".into())],
            users: vec!["kubernetes-admin".into()],
        }
    }
}

impl Client {
    /// Adds a cluster entry (name, server URL) unless one has the name.
    pub fn add_cluster(&mut self, name: &str, server: &str) {
        if !self.clusters.iter().any(|(n, _)| n == name) {
            self.clusters.push((name.to_string(), server.to_string()));
        }
    }

    /// Makes `name` the current context; false if there is no such context.
    pub fn use_context(&mut self, name: &str) -> bool {
        let Some(c) = self.contexts.iter().find(|c| c.name == name).cloned() else { return false };
        self.context = c.name;
        self.cluster = c.cluster;
        self.user = c.user;
        self.namespace = c.namespace.unwrap_or_else(|| "default".into());
        true
    }

    /// Adds or replaces a context. Like `kubectl config set-context`, it adds no cluster or
    /// user entry: a context may name a cluster the kubeconfig does not have.
    pub fn set_context(&mut self, c: KubeContext) {
        match self.contexts.iter_mut().find(|x| x.name == c.name) {
            Some(x) => *x = c.clone(),
            None => self.contexts.push(c.clone()),
        }
        if c.name == self.context {
            self.use_context(&c.name);
        }
    }
}

/// What a kubectl invocation printed and its exit status.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Output {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub code: i32,
    /// Both streams in the order they were written, as a terminal shows them.
    pub io: crate::shell::ExtIo,
}

impl Output {
    pub fn out(&mut self, s: &str) {
        self.stdout.extend_from_slice(s.as_bytes());
        self.io.out(s.as_bytes());
    }
    pub fn err(&mut self, s: &str) {
        self.stderr.extend_from_slice(s.as_bytes());
        self.io.err(s.as_bytes());
    }
    /// Prints an error line (`error: ...` or a server error) and sets exit status 1.
    pub fn fail(&mut self, msg: &str) {
        self.err(msg);
        if !msg.ends_with('\n') {
            self.err("\n");
        }
        self.code = 1;
    }
}

/// Everything one kubectl run needs: the cluster, the client config, the learner's files.
pub struct Ctx<'a> {
    pub world: &'a mut World,
    pub client: &'a mut Client,
    /// The learner's workstation filesystem (for `-f file.yaml`, `--from-file`).
    pub files: &'a mut dyn Fs,
    pub cwd: String,
    pub stdin: Vec<u8>,
    pub out: Output,
    /// The environment kubectl was started with (`KUBE_EDITOR`, `EDITOR`, `SHELL`).
    pub env: crate::shell::Env,
    /// Who runs the editor of `kubectl edit` (None: no editor can be started).
    pub editor: Option<&'a mut dyn Editor>,
    /// `--as` user and `--as-group` groups: requests are made as this identity.
    pub impersonate: Option<(String, Vec<String>)>,
}

/// Starts the learner's editor for `kubectl edit`, the way a terminal would: the
/// workstation runs it through its shell (so `KUBE_EDITOR="sed -i ..."` works in scripts),
/// the TUI can suspend itself and run a real terminal editor on the file's text.
pub trait Editor {
    /// Runs `argv` — the editor command kubectl built (`vi /tmp/kubectl-edit-x1y2z.yaml`, or
    /// `/bin/bash -c '<editor> "/tmp/kubectl-edit-x1y2z.yaml"'` when `$KUBE_EDITOR` has
    /// quotes) — which edits the file in `files` in place. What the editor prints goes to
    /// `io`, in order.
    #[allow(clippy::too_many_arguments)]
    fn run_editor(
        &mut self,
        world: &mut World,
        client: &mut Client,
        files: &mut dyn Fs,
        cwd: &str,
        env: &crate::shell::Env,
        argv: &[String],
        io: &mut crate::shell::ExtIo,
    ) -> Result<(), EditorFailure>;

    /// Whether a person edits (the TUI). A script's editor does the same thing every time,
    /// so after an invalid edit kubectl reopens the file once, not until it is fixed.
    fn interactive(&self) -> bool {
        false
    }
}

/// Why the editor did not run to a clean exit (kubectl's two messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditorFailure {
    /// No such program: `unable to launch the editor "..."`.
    NotFound,
    /// It ran and exited non-zero: `there was a problem with the editor "..."`.
    Failed,
}

/// Runs `kubectl <args>`.
pub fn run(
    world: &mut World,
    client: &mut Client,
    files: &mut dyn Fs,
    cwd: &str,
    args: &[String],
    stdin: &[u8],
) -> Output {
    run_with(world, client, files, cwd, args, stdin, &crate::shell::Env::new(), None)
}

/// kubectl's error for `--context NAME` when the kubeconfig has no such context. Commands
/// that first read their namespace from the kubeconfig fail there, in client-go's words;
/// with `-n`, or for commands that build their client first, kubectl's own check speaks.
fn missing_context(args: &[String], name: &str) -> String {
    let namespaced = args.iter().any(|a| {
        a == "-n" || a == "--namespace" || a.starts_with("--namespace=") || (a.starts_with("-n") && a.len() > 2)
    });
    let mut words: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let takes_value =
            ["-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "--as", "--as-group"];
        if takes_value.contains(&a) {
            i += 1;
        } else if !a.starts_with('-') {
            words.push(a);
        }
        i += 1;
    }
    let verb = words.first().copied().unwrap_or("");
    let reads_namespace = matches!(
        verb,
        "get"
            | "describe"
            | "logs"
            | "exec"
            | "delete"
            | "scale"
            | "label"
            | "annotate"
            | "patch"
            | "set"
            | "rollout"
            | "edit"
            | "top"
            | "cp"
            | "taint"
            | "events"
            | "attach"
            | "port-forward"
            | "debug"
    ) || (verb == "create" && words.get(1) == Some(&"token"));
    if reads_namespace && !namespaced {
        format!("Error in configuration: context was not found for specified context: {name}")
    } else {
        format!("error: context \"{name}\" does not exist")
    }
}

/// Runs `kubectl <args>` with the caller's environment and editor (the workstation's shell).
#[allow(clippy::too_many_arguments)]
pub fn run_with(
    world: &mut World,
    client: &mut Client,
    files: &mut dyn Fs,
    cwd: &str,
    args: &[String],
    stdin: &[u8],
    env: &crate::shell::Env,
    editor: Option<&mut dyn Editor>,
) -> Output {
    run_ctx(world, client, files, cwd, args, stdin, env, editor, None)
}

/// Runs kubectl (or, with `edit_only`, only opens an edit session into it).
#[allow(clippy::too_many_arguments)]
fn run_ctx(
    world: &mut World,
    client: &mut Client,
    files: &mut dyn Fs,
    cwd: &str,
    args: &[String],
    stdin: &[u8],
    env: &crate::shell::Env,
    editor: Option<&mut dyn Editor>,
    edit_only: Option<&mut Option<cmds::edit::EditSession>>,
) -> Output {
    // `--context NAME` runs this one command in another context of the kubeconfig.
    let wanted = args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--context=")
            .map(str::to_string)
            .or_else(|| (a == "--context").then(|| args.get(i + 1).cloned()).flatten())
    });
    let mut borrowed;
    let client = match wanted {
        Some(name) if name != client.context && args.first().map(String::as_str) != Some("config") => {
            borrowed = client.clone();
            if !borrowed.use_context(&name) {
                let mut out = Output::default();
                out.fail(&missing_context(args, &name));
                return out;
            }
            &mut borrowed
        }
        _ => client,
    };
    let impersonate = match cmds::auth::impersonation(args, &client.user) {
        Ok(i) => i,
        Err(e) => {
            let mut out = Output::default();
            out.fail(&e);
            return out;
        }
    };
    let mut ctx = Ctx {
        world,
        client,
        files,
        cwd: cwd.to_string(),
        stdin: stdin.to_vec(),
        out: Output::default(),
        env: env.clone(),
        editor: match editor {
            Some(e) => Some(e),
            None => None,
        },
        impersonate,
    };
    match edit_only {
        None => cmds::dispatch(&mut ctx, args),
        Some(session) => {
            let args = cmds::hoist_global_flags(args);
            if args.first().map(String::as_str) == Some("edit") {
                *session = cmds::edit::open(&mut ctx, &args[1..]);
            } else {
                ctx.out.fail("error: not an edit command");
            }
        }
    }
    ctx.out
}

/// `kubectl edit <args>` up to the moment the editor opens (`args` start with kubectl's own,
/// e.g. `["-n", "dev", "edit", "deploy", "web"]`): the session, for an editor that runs
/// outside kubectl (the TUI suspends itself and runs the learner's), or what kubectl printed
/// instead (a bad flag, an object not found).
pub fn edit_session(
    world: &mut World,
    client: &mut Client,
    files: &mut dyn Fs,
    cwd: &str,
    args: &[String],
) -> Result<cmds::edit::EditSession, Output> {
    let mut session = None;
    let out = run_ctx(world, client, files, cwd, args, &[], &crate::shell::Env::new(), None, Some(&mut session));
    session.ok_or(out)
}
