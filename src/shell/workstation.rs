//! The learner's workstation: a bash-like interactive shell (kubedojo's interpreter in its
//! `Bash` flavor) whose `kubectl` talks to the simulated cluster, whose `sleep` advances
//! simulated time, and whose files (`pod.yaml`, heredocs) live in a virtual home directory.
//! Like the exam's terminal, `k` is already an alias of `kubectl`.

use super::{ExtCall, ExtIo, ExtOutcome, Fs, Host, MemFs, NetRequest, NetResult, Options, Process, Status, User};
use crate::kubectl::{self, Client};
use crate::sim::clock::{Tick, START_UNIX_S};
use crate::sim::World;

/// The most simulated seconds one command line may wait (`sleep 100000` is cut short).
pub const MAX_WAIT_S: u64 = 7 * 24 * 3600;

/// The learner's machine: the cluster it talks to, its kubeconfig and its files.
pub struct Workstation {
    pub world: World,
    pub client: Client,
    pub fs: MemFs,
    shell: Process,
}

struct WsHost<'a> {
    world: &'a mut World,
    client: &'a mut Client,
    fs: &'a mut dyn Fs,
    term: &'a mut Vec<u8>,
}

/// `kubectl edit`'s editor in the workstation: the command runs through the learner's shell
/// on the same files and cluster, as a terminal would run it, so `KUBE_EDITOR="sed -i ..."`
/// works in scripts (`vim`/`nano` print their refusal, below, and fail).
struct ShellEditor;

impl kubectl::Editor for ShellEditor {
    fn run_editor(
        &mut self,
        world: &mut World,
        client: &mut Client,
        files: &mut dyn Fs,
        cwd: &str,
        env: &super::Env,
        argv: &[String],
        io: &mut ExtIo,
    ) -> Result<(), kubectl::EditorFailure> {
        let opts = Options { cwd: cwd.to_string(), pid: 4243, ..Options::workstation() };
        let mut p = Process::spawn(argv, env.clone(), opts).map_err(|_| kubectl::EditorFailure::NotFound)?;
        let mut term = Vec::new();
        let deadline = world.now.plus_s(MAX_WAIT_S);
        let code = loop {
            let status = {
                let mut host = WsHost { world, client, fs: files, term: &mut term };
                p.run(&mut host)
            };
            match status {
                Status::Exited(c) | Status::Ready(c) => break c,
                Status::Sleeping { until_s } => {
                    let until = Tick((until_s as i64 - START_UNIX_S).max(0) as u64).min(deadline);
                    while world.now < until {
                        world.tick();
                    }
                    if world.now >= deadline {
                        p.kill(2);
                        break 130;
                    }
                }
                Status::Busy => world.tick(),
                Status::Blocked => {
                    p.kill(2);
                    break 130;
                }
            }
        };
        let shell = argv.get(1).is_some_and(|a| a == "-c");
        if code == 127 && !shell {
            return Err(kubectl::EditorFailure::NotFound);
        }
        io.out(&term);
        if code != 0 {
            return Err(kubectl::EditorFailure::Failed);
        }
        Ok(())
    }
}

impl Host for WsHost<'_> {
    fn now_s(&self) -> u64 {
        self.world.now.unix_s().max(0) as u64
    }
    fn fs(&mut self) -> &mut dyn Fs {
        self.fs
    }
    fn stdout(&mut self, bytes: &[u8]) {
        self.term.extend_from_slice(bytes);
    }
    fn stderr(&mut self, bytes: &[u8]) {
        self.term.extend_from_slice(bytes);
    }
    fn hostname(&self) -> String {
        "controlplane".into()
    }
    fn user(&self) -> User {
        User::default()
    }
    fn external(&mut self, call: &ExtCall, io: &mut ExtIo) -> Option<ExtOutcome> {
        let name = call.argv.first()?.rsplit('/').next().unwrap_or("").to_string();
        match name.as_str() {
            "kubectl" => {
                let o = kubectl::run_with(
                    self.world,
                    self.client,
                    self.fs,
                    &call.cwd,
                    &call.argv[1..],
                    &call.stdin,
                    &call.env,
                    Some(&mut ShellEditor),
                );
                *io = o.io;
                Some(ExtOutcome::Exit(o.code))
            }
            "vim" | "vi" | "nano" | "emacs" => {
                io.err(
                    format!("{name}: kubedojo opens editors in the TUI; in a script, write files with a heredoc (cat > file.yaml <<'EOF')\n").as_bytes(),
                );
                Some(ExtOutcome::Exit(1))
            }
            "clear" | "complete" => Some(ExtOutcome::Exit(0)),
            "chaos" => {
                let (text, code) = crate::sim::faults::chaos_command(self.world, &call.argv[1..]);
                if code == 0 {
                    io.out(text.as_bytes());
                } else {
                    io.err(text.as_bytes());
                }
                Some(ExtOutcome::Exit(code))
            }
            _ => None,
        }
    }
    fn net(&mut self, req: &NetRequest) -> NetResult {
        // The workstation is outside the pod network.
        match req {
            NetRequest::Resolve { .. } => NetResult::NoSuchHost,
            _ => NetResult::Timeout,
        }
    }
}

impl Workstation {
    pub fn new(world: World) -> Workstation {
        let env = [
            ("HOME", "/root"),
            ("USER", "root"),
            ("SHELL", "/bin/bash"),
            ("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
            ("EDITOR", "vim"),
            ("TERM", "xterm"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let mut ws = Workstation {
            world,
            client: Client::default(),
            fs: MemFs::new(),
            shell: Process::interactive(env, Options::workstation()),
        };
        // The exam's terminal has this alias set up (in .bashrc, so not in the history).
        ws.execute("alias k=kubectl");
        ws.shell.clear_history();
        ws
    }

    /// Runs one complete command line (it may span lines, e.g. a heredoc) and returns what
    /// the terminal shows. `sleep` and waiting commands advance the cluster.
    pub fn execute(&mut self, script: &str) -> Vec<u8> {
        let mut term = Vec::new();
        if let Err(e) = self.shell.submit(script) {
            match e {
                super::ShellError::Syntax(m) => {
                    term.extend_from_slice(m.as_bytes());
                    term.push(b'\n');
                }
                super::ShellError::Incomplete => {
                    term.extend_from_slice(b"bash: syntax error: unexpected end of file\n");
                }
                _ => {}
            }
            return term;
        }
        let deadline = self.world.now.plus_s(MAX_WAIT_S);
        loop {
            let status = {
                let mut host =
                    WsHost { world: &mut self.world, client: &mut self.client, fs: &mut self.fs, term: &mut term };
                self.shell.run(&mut host)
            };
            match status {
                Status::Ready(_) => break,
                Status::Exited(_) => {
                    // `exit` closes the terminal; a new one opens with the same files.
                    let env = [("HOME", "/root")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
                    self.shell = Process::interactive(env, Options::workstation());
                    break;
                }
                Status::Sleeping { until_s } => {
                    let until = Tick((until_s as i64 - START_UNIX_S).max(0) as u64).min(deadline);
                    while self.world.now < until {
                        self.world.tick();
                    }
                    if self.world.now >= deadline {
                        term.extend_from_slice(b"^C\n");
                        self.shell.kill(2);
                        let env = [("HOME", "/root")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
                        self.shell = Process::interactive(env, Options::workstation());
                        break;
                    }
                }
                Status::Busy => self.world.tick(),
                Status::Blocked => {
                    term.extend_from_slice(b"^C\n");
                    self.shell.kill(2);
                    let env = [("HOME", "/root")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
                    self.shell = Process::interactive(env, Options::workstation());
                    break;
                }
            }
        }
        term
    }

    /// The current directory of the learner's shell.
    pub fn cwd(&self) -> &str {
        self.shell.cwd()
    }
}

/// Splits a script into command lines as a terminal would take them: a line, plus
/// continuation lines while the command is incomplete (open quote, heredoc, `do` ... `done`).
/// Blank lines and comment lines are skipped.
pub fn split_commands(script: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    for line in script.lines() {
        if cur.is_empty() {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
        }
        cur.push(line.to_string());
        if !super::needs_more_input(&cur.join("\n")) {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Runs a script headless and returns the transcript: each command echoed as `$ line`
/// (continuation lines as `> line`), followed by what the terminal showed.
pub fn transcript(ws: &mut Workstation, script: &str) -> String {
    let mut t = String::new();
    for cmd in split_commands(script) {
        for (i, line) in cmd.iter().enumerate() {
            t.push_str(if i == 0 { "$ " } else { "> " });
            t.push_str(line);
            t.push('\n');
        }
        let mut text = cmd.join("\n");
        text.push('\n');
        let out = ws.execute(&text);
        t.push_str(&String::from_utf8_lossy(&out));
    }
    t
}
