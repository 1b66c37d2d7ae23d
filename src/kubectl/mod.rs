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
pub mod jsonpath;
pub mod output;
pub mod pod_template;
pub mod print;
pub mod table_printer;

use crate::shell::Fs;
use crate::sim::World;

/// kubectl's client-side configuration: the kubeconfig's current context and namespace.
#[derive(Clone, Debug)]
pub struct Client {
    pub context: String,
    pub cluster: String,
    pub user: String,
    pub namespace: String,
}

impl Default for Client {
    fn default() -> Self {
        Client {
            context: "kubernetes-admin@kubernetes".into(),
            cluster: "kubernetes".into(),
            user: "kubernetes-admin".into(),
            namespace: "default".into(),
        }
    }
}

/// What a kubectl invocation printed and its exit status.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Output {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub code: i32,
    /// How many bytes of `stderr` were written before any stdout (warnings that a terminal
    /// shows before the output).
    pub lead_err_len: usize,
}

impl Output {
    pub fn out(&mut self, s: &str) {
        self.stdout.extend_from_slice(s.as_bytes());
    }
    pub fn err(&mut self, s: &str) {
        self.stderr.extend_from_slice(s.as_bytes());
        if self.stdout.is_empty() {
            self.lead_err_len = self.stderr.len();
        }
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
    let mut ctx = Ctx { world, client, files, cwd: cwd.to_string(), stdin: stdin.to_vec(), out: Output::default() };
    cmds::dispatch(&mut ctx, args);
    ctx.out
}
