//! The learner's workstation: a bash-like interactive shell (kubedojo's interpreter in its
//! `Bash` flavor) whose `kubectl` talks to the simulated cluster, whose `sleep` advances
//! simulated time, and whose files (`pod.yaml`, heredocs) live in a virtual home directory.
//! Like the exam's terminal, `k` is already an alias of `kubectl`.
//!
//! The workstation may reach several clusters, as the exam's does: each cluster of the
//! kubeconfig is its own `World`. The one the current context reaches is `world` (the TUI
//! shows it); the others are parked beside it. `kubectl config use-context` swaps the
//! worlds, `kubectl --context X` runs one command in X's cluster. All clusters share one
//! clock: whenever time passes, every cluster ticks, so a rollout started in one keeps going
//! while the learner works in another.

use std::collections::BTreeMap;

use super::{ExtCall, ExtIo, ExtOutcome, Fs, Host, MemFs, NetRequest, NetResult, Options, Process, Status, User};
use crate::kubectl::{self, Client};
use crate::sim::clock::{Tick, START_UNIX_S};
use crate::sim::World;

/// The most simulated seconds one command line may wait (`sleep 100000` is cut short).
pub const MAX_WAIT_S: u64 = 7 * 24 * 3600;

/// The name of the one cluster of a workstation made with [`Workstation::new`] (kubeadm's).
pub const DEFAULT_CLUSTER: &str = "kubernetes";

/// The learner's machine: the clusters it talks to, its kubeconfig and its files.
pub struct Workstation {
    /// The cluster the current context reaches.
    pub world: World,
    pub client: Client,
    pub fs: MemFs,
    shell: Process,
    /// The kubeconfig name of `world`'s cluster.
    cluster: String,
    /// The other clusters by name, at the same simulated time as `world`.
    parked: BTreeMap<String, World>,
}

struct WsHost<'a> {
    world: &'a mut World,
    /// The clusters other than `world` (`None` in an editor's shell, which reaches only the
    /// cluster of the `kubectl edit` that started it).
    parked: Option<&'a mut BTreeMap<String, World>>,
    cluster: &'a mut String,
    client: &'a mut Client,
    fs: &'a mut dyn Fs,
    term: &'a mut Vec<u8>,
}

/// Which cluster a kubectl command line reaches, from the kubeconfig alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The cluster of the current context, or of `--context NAME`.
    Cluster(String),
    /// Nothing: `kubectl config ...` only reads and writes the kubeconfig, and a `--context`
    /// that does not exist is kubectl's own error, whatever the cluster.
    Kubeconfig,
}

/// Global flags that take a value when given before kubectl's verb (`kubectl -n dev get`).
const VALUE_FLAGS: &[&str] = &[
    "-n",
    "--namespace",
    "--context",
    "--kubeconfig",
    "--cluster",
    "--user",
    "-v",
    "--v",
    "--request-timeout",
    "--as",
    "--as-group",
];

/// Where `kubectl <args>` goes with `client` as the kubeconfig.
pub fn reach(client: &Client, args: &[String]) -> Reach {
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') {
        i += if VALUE_FLAGS.contains(&args[i].as_str()) { 2 } else { 1 };
    }
    if args.get(i).is_some_and(|a| a == "config") {
        return Reach::Kubeconfig;
    }
    // The words after `--` are a container's command (`kubectl exec web -- app --context x`).
    let own = &args[..args.iter().position(|a| a == "--").unwrap_or(args.len())];
    let wanted = own.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--context=")
            .map(str::to_string)
            .or_else(|| (a == "--context").then(|| own.get(i + 1).cloned()).flatten())
    });
    match wanted {
        Some(name) if name != client.context => match client.contexts.iter().find(|c| c.name == name) {
            Some(c) => Reach::Cluster(c.cluster.clone()),
            None => Reach::Kubeconfig,
        },
        _ => Reach::Cluster(client.cluster.clone()),
    }
}

/// What kubectl prints when the context's cluster is not in the kubeconfig: it falls back to
/// `localhost:8080`, where nothing listens. (The real kubectl first logs five `E...
/// memcache.go` lines with the wall-clock time; those are left out.)
pub const NO_SERVER: &str =
    "The connection to the server localhost:8080 was refused - did you specify the right host or port?\n";

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
                let mut cluster = client.cluster.clone();
                let mut host =
                    WsHost { world, parked: None, cluster: &mut cluster, client, fs: files, term: &mut term };
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
                let args = &call.argv[1..];
                let target = match reach(self.client, args) {
                    Reach::Cluster(c) if c != *self.cluster => Some(c),
                    _ => None,
                };
                // Another cluster: swap its world in for this one command.
                let mut borrowed = None;
                if let Some(c) = &target {
                    match self.parked.as_deref_mut().and_then(|p| p.get_mut(c)) {
                        Some(w) => {
                            std::mem::swap(self.world, w);
                            borrowed = Some(c.clone());
                        }
                        None => {
                            io.err(NO_SERVER.as_bytes());
                            return Some(ExtOutcome::Exit(1));
                        }
                    }
                }
                let o = kubectl::run_with(
                    self.world,
                    self.client,
                    self.fs,
                    &call.cwd,
                    args,
                    &call.stdin,
                    &call.env,
                    Some(&mut ShellEditor),
                );
                if let (Some(c), Some(parked)) = (borrowed, self.parked.as_deref_mut()) {
                    if let Some(w) = parked.get_mut(&c) {
                        std::mem::swap(self.world, w);
                    }
                }
                if let Some(parked) = self.parked.as_deref_mut() {
                    // `use-context` (or a `set-context` of the current context) may have
                    // moved the current context to another cluster; time may have passed.
                    activate(self.world, parked, self.cluster, &self.client.cluster);
                    sync(self.world, parked);
                }
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
                // Chaos acts on the cluster the current context reaches.
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

/// Makes `want`'s world the active one if it is parked (a cluster with no world leaves the
/// active one in place: kubectl's commands then fail with [`NO_SERVER`]).
fn activate(world: &mut World, parked: &mut BTreeMap<String, World>, cluster: &mut String, want: &str) {
    if want == cluster.as_str() {
        return;
    }
    if let Some(mut w) = parked.remove(want) {
        std::mem::swap(world, &mut w);
        parked.insert(std::mem::replace(cluster, want.to_string()), w);
    }
}

/// Brings every cluster to the latest simulated time among them (a command that waits ticks
/// only the cluster it talks to; the others catch up here, tick by tick, before anyone can
/// look at them).
fn sync(world: &mut World, parked: &mut BTreeMap<String, World>) {
    let now = parked.values().map(|w| w.now).chain([world.now]).max().unwrap_or(world.now);
    while world.now < now {
        world.tick();
    }
    for w in parked.values_mut() {
        while w.now < now {
            w.tick();
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
            cluster: DEFAULT_CLUSTER.into(),
            parked: BTreeMap::new(),
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
                let mut host = WsHost {
                    world: &mut self.world,
                    parked: Some(&mut self.parked),
                    cluster: &mut self.cluster,
                    client: &mut self.client,
                    fs: &mut self.fs,
                    term: &mut term,
                };
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
                        self.tick();
                    }
                    if self.world.now >= deadline {
                        term.extend_from_slice(b"^C\n");
                        self.shell.kill(2);
                        let env = [("HOME", "/root")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
                        self.shell = Process::interactive(env, Options::workstation());
                        break;
                    }
                }
                Status::Busy => self.tick(),
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

    /// Several clusters: `name` is `world`'s cluster, `others` the rest (all made at the same
    /// simulated time). The kubeconfig's current context picks the active one.
    pub fn with_clusters(world: World, name: &str, others: Vec<(String, World)>) -> Workstation {
        let mut ws = Workstation::new(world);
        ws.cluster = name.to_string();
        ws.parked = others.into_iter().collect();
        ws
    }

    /// Makes the current context's cluster the active `world` (after the kubeconfig was
    /// replaced, e.g. by a scenario's).
    pub fn follow_context(&mut self) {
        let want = self.client.cluster.clone();
        activate(&mut self.world, &mut self.parked, &mut self.cluster, &want);
    }

    /// The kubeconfig name of the active cluster (`world`'s).
    pub fn cluster(&self) -> &str {
        &self.cluster
    }

    /// How many clusters the workstation reaches.
    pub fn cluster_count(&self) -> usize {
        self.parked.len() + 1
    }

    /// Every cluster's name, sorted.
    pub fn cluster_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.parked.keys().cloned().chain([self.cluster.clone()]).collect();
        v.sort();
        v
    }

    /// The world of the cluster `name`, active or parked.
    pub fn world_of(&mut self, name: &str) -> Option<&mut World> {
        if name == self.cluster {
            Some(&mut self.world)
        } else {
            self.parked.get_mut(name)
        }
    }

    /// The world of the cluster `name` and the learner's files (a check reads both).
    pub fn world_and_fs(&mut self, name: &str) -> Option<(&mut World, &mut MemFs)> {
        let w = if name == self.cluster { Some(&mut self.world) } else { self.parked.get_mut(name) };
        w.map(|w| (w, &mut self.fs))
    }

    /// Every cluster's world with its name, in name order.
    pub fn worlds_mut(&mut self) -> Vec<(&str, &mut World)> {
        let mut v: Vec<(&str, &mut World)> = self.parked.iter_mut().map(|(n, w)| (n.as_str(), w)).collect();
        let at = v.partition_point(|(n, _)| *n < self.cluster.as_str());
        v.insert(at, (self.cluster.as_str(), &mut self.world));
        v
    }

    /// One simulated second on the shared clock: every cluster ticks, in name order.
    pub fn tick(&mut self) {
        for (_, w) in self.worlds_mut() {
            w.tick();
        }
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
