//! The one shell interpreter of kubedojo (DESIGN §5), used in two environments:
//! inside simulated containers (a pod's `sh -c '...'`, `kubectl exec -- sh -c ...`) with
//! busybox-like builtins over a virtual filesystem, and as the learner's workstation shell
//! where commands it does not know (`kubectl`) are handed to the [`Host`].
//!
//! Scripts are parsed with `brush-parser` and executed by a resumable state machine (an
//! explicit stack of frames over the AST), never by threads: [`Process::run`] runs until the
//! process blocks (`sleep 5` → [`Status::Sleeping`]), exits, or uses up its step budget
//! ([`Status::Busy`], so `while true; do :; done` cannot hang a tick). All time is
//! simulated: the host's [`Host::now_s`] is the only clock.
//!
//! ```text
//! let mut p = Process::spawn(&["sh".into(), "-c".into(), script], env, Options::container())?;
//! loop { match p.run(&mut host) { Status::Sleeping { until_s } => advance world to until_s, ... } }
//! ```
//!
//! Known gaps (by design, documented for users of this module): command substitution
//! `$(...)` runs to completion at once (a `sleep` inside it takes no simulated time);
//! pipelines run their stages one after another with buffered data; no job control
//! (`fg`, `jobs`), no `trap`, no arrays; globbing supports `*`, `?` and `[...]`.

mod awk;
mod builtins;
mod cfmt;
mod getopt;
mod grep;
mod interp;
mod net;
mod posix_re;
mod sed;
mod tools;
pub mod vfs;
pub mod workstation;
mod xargs;

pub use interp::Process;
pub use vfs::{Fs, FsError, FsView, MemFs, Mount, Mounts, Stat, Tree, VolumeId, Volumes};

use std::collections::BTreeMap;

/// Environment variables given to a process (all exported).
pub type Env = BTreeMap<String, String>;

/// Which shell is being imitated; it decides a few message texts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// busybox ash (`sh: foo: not found`), the shell of busybox/alpine images.
    Busybox,
    /// bash, the learner's workstation shell (`bash: foo: command not found`).
    Bash,
}

/// How a process is started.
///
/// Default values: busybox flavor, pid 1, cwd `/`, 10,000 simple commands per `run`.
#[derive(Clone, Debug)]
pub struct Options {
    pub flavor: Flavor,
    /// Keep the shell alive between scripts ([`Process::submit`]); expand aliases.
    pub interactive: bool,
    /// `$$` of the process (1 for a container's main process).
    pub pid: u32,
    pub cwd: String,
    /// Step budget per [`Process::run`] call before returning [`Status::Busy`].
    pub max_steps_per_run: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options { flavor: Flavor::Busybox, interactive: false, pid: 1, cwd: "/".into(), max_steps_per_run: 10_000 }
    }
}

impl Options {
    /// A container's main process or a `kubectl exec` (busybox sh, not interactive).
    pub fn container() -> Options {
        Options::default()
    }
    /// The learner's workstation shell (bash, interactive, aliases on).
    pub fn workstation() -> Options {
        Options { flavor: Flavor::Bash, interactive: true, pid: 4242, cwd: "/root".into(), ..Options::default() }
    }
}

/// What [`Process::run`] left the process doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Waiting for simulated time; call `run` again once `now_s() >= until_s`.
    Sleeping { until_s: u64 },
    /// Blocked until killed (`sleep infinity`, a server that never exits).
    Blocked,
    /// Used its step budget (a busy loop); call `run` again on the next tick.
    Busy,
    /// Interactive shell finished the submitted script with this status; it awaits more.
    Ready(i32),
    /// The process exited with this status.
    Exited(i32),
}

/// Errors from [`Process::spawn`] and [`Process::submit`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShellError {
    /// argv was empty.
    EmptyCommand,
    /// The script is not complete yet (open quote, heredoc, `if` without `fi`): the
    /// terminal should ask for a continuation line (PS2 `> `).
    Incomplete,
    /// A syntax error, with the shell's message (`bash: syntax error near ...`).
    Syntax(String),
    /// `submit` on a process that is not interactive, has exited or is still running.
    NotReady,
}

impl std::fmt::Display for ShellError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShellError::EmptyCommand => f.write_str("empty command"),
            ShellError::Incomplete => f.write_str("incomplete input"),
            ShellError::Syntax(m) => f.write_str(m),
            ShellError::NotReady => f.write_str("shell is not ready for input"),
        }
    }
}

/// Identity of the process's user (securityContext), for `id` and `whoami`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub uid: u32,
    pub gid: u32,
    /// Name for `whoami`/`id`, `None` if the uid has no passwd entry.
    pub name: Option<String>,
    pub group: Option<String>,
    /// Supplementary groups (fsGroup, supplementalGroups).
    pub groups: Vec<u32>,
}

impl Default for User {
    fn default() -> Self {
        User { uid: 0, gid: 0, name: Some("root".into()), group: Some("root".into()), groups: vec![] }
    }
}

/// What an external command writes, in the order it writes it: a terminal shows stdout and
/// stderr interleaved (kubectl drain's `evicting pod` lines between its warnings).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExtIo {
    /// (true for stderr, bytes), in write order.
    pub chunks: Vec<(bool, Vec<u8>)>,
}

impl ExtIo {
    pub fn out(&mut self, bytes: &[u8]) {
        self.write(false, bytes);
    }
    pub fn err(&mut self, bytes: &[u8]) {
        self.write(true, bytes);
    }
    fn write(&mut self, is_err: bool, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        match self.chunks.last_mut() {
            Some((e, b)) if *e == is_err => b.extend_from_slice(bytes),
            _ => self.chunks.push((is_err, bytes.to_vec())),
        }
    }
    /// Everything written to stdout.
    pub fn stdout(&self) -> Vec<u8> {
        self.chunks.iter().filter(|(e, _)| !e).flat_map(|(_, b)| b.iter().copied()).collect()
    }
}

/// A command the host runs (`kubectl` in the learner shell, an image's entrypoint binary).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtCall {
    pub argv: Vec<String>,
    pub stdin: Vec<u8>,
    /// Exported variables plus the command's own `A=1 cmd` assignments.
    pub env: Env,
    pub cwd: String,
    /// Simulated second at which the command started (same on every retry).
    pub started_s: u64,
}

/// How an external command went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExtOutcome {
    Exit(i32),
    /// Not done: call again with the same [`ExtCall`] once `now_s() >= at_s`
    /// (`kubectl wait`, `rollout status`, a graceful delete). Output written on each call
    /// is shown at once.
    Retry {
        at_s: u64,
    },
    /// Runs until the process is killed (a server such as `nginx -g 'daemon off;'`).
    Forever,
}

/// A network operation made by wget/curl/nc/nslookup inside a container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetRequest {
    /// DNS lookup of a name as libc's getaddrinfo does it (the host applies /etc/hosts and the
    /// search domains).
    Resolve { name: String },
    /// One DNS question of type `qtype` (`A`, `AAAA`, `PTR`...) for `name` as given, sent to
    /// the DNS server at `server` (busybox nslookup's own resolver).
    Query { server: String, name: String, qtype: String },
    /// Open a TCP connection.
    Connect { ip: String, port: u16 },
    /// One HTTP request (method `GET` or `HEAD`); `host` is the Host header, `agent` the
    /// User-Agent.
    Http { ip: String, port: u16, method: String, host: String, path: String, agent: String },
}

/// The answer to a [`NetRequest`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetResult {
    Resolved {
        fqdn: String,
        ips: Vec<String>,
    },
    NoSuchHost,
    /// The reply to a [`NetRequest::Query`]: its rcode (`NOERROR`, `NXDOMAIN`...), whether
    /// the server is authoritative, and the answer records as (name, type, data).
    Dns {
        rcode: String,
        authoritative: bool,
        answers: Vec<(String, String, String)>,
    },
    Connected,
    Response {
        status: u16,
        reason: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        /// How long the server took to answer: the client waited that long (it adds up in
        /// loops like `while sleep 0.01; do wget ...; done`).
        elapsed_ms: u64,
    },
    Refused,
    /// No answer ever comes (NetworkPolicy drop, dead node): the tool waits for its own
    /// timeout in simulated time, then fails.
    Timeout,
    Unreachable,
}

/// What the interpreter needs from the world around it.
pub trait Host {
    /// Simulated unix seconds.
    fn now_s(&self) -> u64;
    /// The process's filesystem view.
    fn fs(&mut self) -> &mut dyn Fs;
    /// Where standard output goes (container log, terminal).
    fn stdout(&mut self, bytes: &[u8]);
    fn stderr(&mut self, bytes: &[u8]);
    fn hostname(&self) -> String;
    fn user(&self) -> User;
    /// Runs a command the shell does not implement; `None` means not found (exit 127).
    fn external(&mut self, call: &ExtCall, io: &mut ExtIo) -> Option<ExtOutcome>;
    fn net(&mut self, req: &NetRequest) -> NetResult;
    /// The image the process runs in (`busybox:1.28`), when there is one: a few tools differ
    /// between versions.
    fn image(&self) -> Option<String> {
        None
    }
}

/// Whether `name` (a bare name or a path like `/bin/sh`) is a command the container shell
/// provides — the runtime's "executable file not found in $PATH" check.
pub fn is_command(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    builtins::is_builtin(base)
        || matches!(base, "bash" | "ash" | "busybox" | "curl" | "exit" | "read" | ":" | "printf" | "xargs")
}

/// True if `src` needs more lines before it can run (open quote, heredoc, `do` without
/// `done`): the learner's terminal then shows the PS2 prompt `> `.
pub fn needs_more_input(src: &str) -> bool {
    matches!(interp::parse_script(src, Flavor::Bash), Err(ShellError::Incomplete))
}

#[cfg(test)]
mod tests;
