//! The resumable executor: brush-parser's AST is lowered to a small tree of shared
//! nodes, and a process runs it with an explicit stack of frames per thread (the main
//! script and each `cmd &` job), so that it can stop in `sleep 5` and resume on a later
//! tick without threads. Also: word expansion, redirections, globbing, arithmetic.

use std::collections::BTreeMap;
use std::sync::Arc;

use brush_parser::ast;
use brush_parser::word::{Parameter, ParameterExpr, ParameterTestType, SpecialParameter, WordPiece};
use brush_parser::ParserOptions;

use super::builtins::{self, Ctx, Outcome};
use super::vfs::resolve_path;
use super::{Env, ExtCall, ExtOutcome, Flavor, Host, Options, ShellError, Status};

/// Lowered AST. Children are `Arc`s so frames can hold them while the tree is shared.
#[derive(Debug)]
pub(crate) enum Node {
    List(Arc<[(Arc<Node>, bool)]>),
    AndOr(Arc<Node>, Arc<[(bool, Arc<Node>)]>),
    Pipeline(bool, Arc<[Arc<Node>]>),
    Simple(Simple),
    Redirected(Arc<Node>, Vec<Redir>),
    Subshell(Arc<Node>),
    If(Arc<[(Arc<Node>, Arc<Node>)]>, Option<Arc<Node>>),
    Loop { until: bool, cond: Arc<Node>, body: Arc<Node> },
    For { var: String, words: Option<Vec<String>>, body: Arc<Node> },
    ArithFor { init: String, cond: String, upd: String, body: Arc<Node> },
    Case { word: String, items: Vec<(Vec<String>, Option<Arc<Node>>, bool)> },
    FuncDef(String, Arc<Node>),
    Arith(String),
    ExtTest(ast::ExtendedTestExpr),
}

#[derive(Debug)]
pub(crate) struct Simple {
    assigns: Vec<(String, String, bool)>,
    args: Vec<Arg>,
    redirs: Vec<Redir>,
}

#[derive(Debug)]
enum Arg {
    Word(String),
    ProcSubst(Arc<Node>),
}

#[derive(Debug, Clone)]
pub(crate) enum Redir {
    /// `<`, `>`, `>>`, `>|`, `<>` to a file.
    File {
        fd: i32,
        read: bool,
        append: bool,
        word: String,
    },
    /// `2>&1`, `>&2`, `<&0`.
    Dup {
        fd: i32,
        word: String,
    },
    Heredoc {
        fd: i32,
        body: String,
        expand: bool,
    },
    HereString {
        fd: i32,
        word: String,
    },
    /// `&>` / `&>>`.
    OutErr {
        word: String,
        append: bool,
    },
}

// ---------------------------------------------------------------------------------------
// Lowering

/// Bash syntax for both flavors: busybox ash accepts most bashisms learners use
/// (`[[ ]]`, `${x/a/b}`, `<<<`), and a superset never rejects a valid sh script.
fn parser_options(_flavor: Flavor) -> ParserOptions {
    ParserOptions { sh_mode: false, ..ParserOptions::default() }
}

/// Parses a script into a lowered node.
pub(crate) fn parse_script(src: &str, flavor: Flavor) -> Result<Arc<Node>, ShellError> {
    let mut p = brush_parser::Parser::new(std::io::BufReader::new(src.as_bytes()), &parser_options(flavor));
    match p.parse_program() {
        Ok(prog) => {
            let mut items = Vec::new();
            for cc in &prog.complete_commands {
                for item in &cc.0 {
                    items.push((lower_andor(&item.0), matches!(item.1, ast::SeparatorOperator::Async)));
                }
            }
            Ok(Arc::new(Node::List(items.into())))
        }
        Err(brush_parser::ParseError::ParsingAtEndOfInput) => Err(ShellError::Incomplete),
        Err(brush_parser::ParseError::Tokenizing { inner, .. }) if inner.is_incomplete() => Err(ShellError::Incomplete),
        Err(e) => {
            let name = if flavor == Flavor::Bash { "bash" } else { "sh" };
            let msg = match e {
                brush_parser::ParseError::ParsingNear(pos) => {
                    let near = src.lines().nth(pos.line.saturating_sub(1)).unwrap_or("");
                    let tok: String =
                        near.chars().skip(pos.column.saturating_sub(1)).take_while(|c| !c.is_whitespace()).collect();
                    if flavor == Flavor::Bash {
                        format!("{name}: syntax error near unexpected token `{tok}'")
                    } else {
                        format!("{name}: syntax error: unexpected \"{tok}\"")
                    }
                }
                other => format!("{name}: syntax error: {other}"),
            };
            Err(ShellError::Syntax(msg))
        }
    }
}

fn lower_list(l: &ast::CompoundList) -> Arc<Node> {
    let items: Vec<_> = l.0.iter().map(|i| (lower_andor(&i.0), matches!(i.1, ast::SeparatorOperator::Async))).collect();
    Arc::new(Node::List(items.into()))
}

fn lower_andor(a: &ast::AndOrList) -> Arc<Node> {
    let first = lower_pipeline(&a.first);
    if a.additional.is_empty() {
        return first;
    }
    let rest: Vec<_> = a
        .additional
        .iter()
        .map(|x| match x {
            ast::AndOr::And(p) => (true, lower_pipeline(p)),
            ast::AndOr::Or(p) => (false, lower_pipeline(p)),
        })
        .collect();
    Arc::new(Node::AndOr(first, rest.into()))
}

fn lower_pipeline(p: &ast::Pipeline) -> Arc<Node> {
    if p.seq.len() == 1 && !p.bang {
        if let Some(c) = p.seq.first() {
            return lower_command(c);
        }
    }
    let stages: Vec<_> = p.seq.iter().map(lower_command).collect();
    Arc::new(Node::Pipeline(p.bang, stages.into()))
}

fn with_redirs(n: Arc<Node>, r: &Option<ast::RedirectList>) -> Arc<Node> {
    match r {
        Some(rl) if !rl.0.is_empty() => Arc::new(Node::Redirected(n, rl.0.iter().filter_map(lower_redir).collect())),
        _ => n,
    }
}

fn lower_command(c: &ast::Command) -> Arc<Node> {
    match c {
        ast::Command::Simple(s) => Arc::new(Node::Simple(lower_simple(s))),
        ast::Command::Compound(cc, r) => with_redirs(lower_compound(cc), r),
        ast::Command::Function(f) => {
            let body = with_redirs(lower_compound(&f.body.0), &f.body.1);
            Arc::new(Node::FuncDef(f.fname.value.clone(), body))
        }
        ast::Command::ExtendedTest(e, r) => with_redirs(Arc::new(Node::ExtTest(e.expr.clone())), r),
    }
}

fn lower_compound(c: &ast::CompoundCommand) -> Arc<Node> {
    match c {
        ast::CompoundCommand::Arithmetic(a) => Arc::new(Node::Arith(a.expr.value.clone())),
        ast::CompoundCommand::ArithmeticForClause(f) => Arc::new(Node::ArithFor {
            init: f.initializer.as_ref().map(|e| e.value.clone()).unwrap_or_default(),
            cond: f.condition.as_ref().map(|e| e.value.clone()).unwrap_or_default(),
            upd: f.updater.as_ref().map(|e| e.value.clone()).unwrap_or_default(),
            body: lower_list(&f.body.list),
        }),
        ast::CompoundCommand::BraceGroup(b) => lower_list(&b.list),
        ast::CompoundCommand::Subshell(s) => Arc::new(Node::Subshell(lower_list(&s.list))),
        ast::CompoundCommand::ForClause(f) => Arc::new(Node::For {
            var: f.variable_name.clone(),
            words: f.values.as_ref().map(|v| v.iter().map(|w| w.value.clone()).collect()),
            body: lower_list(&f.body.list),
        }),
        ast::CompoundCommand::CaseClause(c) => Arc::new(Node::Case {
            word: c.value.value.clone(),
            items: c
                .cases
                .iter()
                .map(|i| {
                    (
                        i.patterns.iter().map(|w| w.value.clone()).collect(),
                        i.cmd.as_ref().map(lower_list),
                        matches!(i.post_action, ast::CaseItemPostAction::UnconditionallyExecuteNextCaseItem),
                    )
                })
                .collect(),
        }),
        ast::CompoundCommand::IfClause(i) => {
            let mut arms = vec![(lower_list(&i.condition), lower_list(&i.then))];
            let mut els = None;
            for e in i.elses.iter().flatten() {
                match &e.condition {
                    Some(c) => arms.push((lower_list(c), lower_list(&e.body))),
                    None => els = Some(lower_list(&e.body)),
                }
            }
            Arc::new(Node::If(arms.into(), els))
        }
        ast::CompoundCommand::WhileClause(w) => {
            Arc::new(Node::Loop { until: false, cond: lower_list(&w.0), body: lower_list(&w.1.list) })
        }
        ast::CompoundCommand::UntilClause(w) => {
            Arc::new(Node::Loop { until: true, cond: lower_list(&w.0), body: lower_list(&w.1.list) })
        }
        ast::CompoundCommand::Coprocess(c) => lower_command(&c.body),
    }
}

fn lower_simple(s: &ast::SimpleCommand) -> Simple {
    let mut out = Simple { assigns: vec![], args: vec![], redirs: vec![] };
    for item in s.prefix.iter().flat_map(|p| p.0.iter()) {
        match item {
            ast::CommandPrefixOrSuffixItem::AssignmentWord(a, _) => {
                let name = match &a.name {
                    ast::AssignmentName::VariableName(n) => n.clone(),
                    ast::AssignmentName::ArrayElementName(n, _) => n.clone(),
                };
                let value = match &a.value {
                    ast::AssignmentValue::Scalar(w) => w.value.clone(),
                    ast::AssignmentValue::Array(ws) => {
                        ws.iter().map(|(_, w)| w.value.clone()).collect::<Vec<_>>().join(" ")
                    }
                };
                out.assigns.push((name, value, a.append));
            }
            other => lower_item(other, &mut out),
        }
    }
    if let Some(w) = &s.word_or_name {
        out.args.push(Arg::Word(w.value.clone()));
    }
    for item in s.suffix.iter().flat_map(|p| p.0.iter()) {
        lower_item(item, &mut out);
    }
    out
}

fn lower_item(item: &ast::CommandPrefixOrSuffixItem, out: &mut Simple) {
    match item {
        ast::CommandPrefixOrSuffixItem::IoRedirect(r) => out.redirs.extend(lower_redir(r)),
        ast::CommandPrefixOrSuffixItem::Word(w) => out.args.push(Arg::Word(w.value.clone())),
        ast::CommandPrefixOrSuffixItem::AssignmentWord(_, w) => out.args.push(Arg::Word(w.value.clone())),
        ast::CommandPrefixOrSuffixItem::ProcessSubstitution(_, s) => out.args.push(Arg::ProcSubst(lower_list(&s.list))),
    }
}

fn lower_redir(r: &ast::IoRedirect) -> Option<Redir> {
    use ast::IoFileRedirectKind as K;
    Some(match r {
        ast::IoRedirect::File(fd, kind, target) => {
            let input = matches!(kind, K::Read | K::DuplicateInput | K::ReadAndWrite);
            let fd = fd.unwrap_or(if input { 0 } else { 1 });
            match target {
                ast::IoFileRedirectTarget::Filename(w) => Redir::File {
                    fd,
                    read: matches!(kind, K::Read | K::ReadAndWrite),
                    append: matches!(kind, K::Append),
                    word: w.value.clone(),
                },
                ast::IoFileRedirectTarget::Fd(n) => Redir::Dup { fd, word: n.to_string() },
                ast::IoFileRedirectTarget::Duplicate(w) => Redir::Dup { fd, word: w.value.clone() },
                ast::IoFileRedirectTarget::ProcessSubstitution(..) => return None,
            }
        }
        ast::IoRedirect::HereDocument(fd, h) => {
            Redir::Heredoc { fd: fd.unwrap_or(0), body: h.doc.value.clone(), expand: h.requires_expansion }
        }
        ast::IoRedirect::HereString(fd, w) => Redir::HereString { fd: fd.unwrap_or(0), word: w.value.clone() },
        ast::IoRedirect::OutputAndError(w, append) => Redir::OutErr { word: w.value.clone(), append: *append },
    })
}

// ---------------------------------------------------------------------------------------
// State

#[derive(Clone, Debug)]
pub(crate) struct Var {
    pub value: String,
    pub exported: bool,
}

/// Shell state that a subshell copies: variables, functions, aliases, cwd, `$?`.
#[derive(Clone, Debug)]
pub(crate) struct Shell {
    pub vars: BTreeMap<String, Var>,
    pub positional: Vec<String>,
    pub arg0: String,
    pub funcs: BTreeMap<String, Arc<Node>>,
    pub aliases: BTreeMap<String, String>,
    pub cwd: String,
    pub status: i32,
    pub last_bg: Option<u32>,
    pub flavor: Flavor,
    pub interactive: bool,
    pub pid: u32,
    /// Status of the last command substitution of the current command (`x=$(false)`).
    subst_status: Option<i32>,
    /// Contents of `<(cmd)` process substitutions, by their `/dev/fd/N` path.
    pub procsubs: BTreeMap<String, Vec<u8>>,
    /// Command lines submitted to an interactive shell (`history`); shared, copied on write.
    history: Arc<Vec<String>>,
    /// Sub-second sleeps not yet slept (`sleep 0.01`): the clock only moves in seconds.
    pub subsec_ms: u64,
}

impl Shell {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(|v| v.value.as_str())
    }
    pub fn set(&mut self, name: &str, value: String) {
        match self.vars.get_mut(name) {
            Some(v) => v.value = value,
            None => {
                self.vars.insert(name.to_string(), Var { value, exported: false });
            }
        }
    }
    pub fn export(&mut self, name: &str, value: Option<String>) {
        let v = self.vars.entry(name.to_string()).or_insert(Var { value: String::new(), exported: true });
        v.exported = true;
        if let Some(value) = value {
            v.value = value;
        }
    }
    pub fn env(&self) -> Env {
        self.vars.iter().filter(|(_, v)| v.exported).map(|(k, v)| (k.clone(), v.value.clone())).collect()
    }
    /// The name used in the shell's own messages (`sh: x: not found`).
    pub fn name(&self) -> &'static str {
        match self.flavor {
            Flavor::Busybox => "sh",
            Flavor::Bash => "bash",
        }
    }
    pub fn resolve(&self, path: &str) -> String {
        resolve_path(&self.cwd, path)
    }
    pub fn history(&self) -> &[String] {
        &self.history
    }
    pub fn history_clear(&mut self) {
        self.history = Arc::new(Vec::new());
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Sink {
    Out,
    Err,
    Null,
    File(String),
    Buf(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Io {
    stdin: Option<usize>,
    stdout: Sink,
    stderr: Sink,
}

/// Data readable on a stdin, with a read position (so `read` consumes line by line).
#[derive(Clone, Debug, Default)]
pub(crate) struct Input {
    pub data: Vec<u8>,
    pub pos: usize,
}

impl Input {
    pub fn rest(&mut self) -> Vec<u8> {
        let r = self.data.get(self.pos..).unwrap_or(&[]).to_vec();
        self.pos = self.data.len();
        r
    }
    pub fn line(&mut self) -> Option<String> {
        let rest = self.data.get(self.pos..).unwrap_or(&[]);
        if rest.is_empty() {
            return None;
        }
        let end = rest.iter().position(|&b| b == b'\n');
        let (line, used) = match end {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        let s = String::from_utf8_lossy(line).into_owned();
        self.pos += used;
        Some(s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Marks {
    bufs: usize,
    inputs: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unwind {
    Break(u32),
    Continue(u32),
    Return(i32),
    Exit(i32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wake {
    Now,
    At(u64),
    Forever,
    Jobs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LoopPhase {
    CondRan,
    BodyRan,
}

#[derive(Clone, Debug)]
enum Frame {
    Run(Arc<Node>),
    List {
        items: Arc<[(Arc<Node>, bool)]>,
        idx: usize,
    },
    Seq {
        nodes: Vec<Arc<Node>>,
        idx: usize,
    },
    AndOr {
        rest: Arc<[(bool, Arc<Node>)]>,
        idx: usize,
    },
    Pipe {
        stages: Arc<[Arc<Node>]>,
        idx: usize,
        bang: bool,
        saved: Io,
        marks: Marks,
        cap: Option<usize>,
    },
    Restore {
        io: Io,
        marks: Marks,
    },
    If {
        arms: Arc<[(Arc<Node>, Arc<Node>)]>,
        els: Option<Arc<Node>>,
        idx: usize,
    },
    Loop {
        until: bool,
        cond: Arc<Node>,
        body: Arc<Node>,
        phase: LoopPhase,
        last: i32,
    },
    For {
        var: String,
        items: Vec<String>,
        idx: usize,
        body: Arc<Node>,
    },
    ArithFor {
        cond: String,
        upd: String,
        body: Arc<Node>,
        started: bool,
    },
    Func {
        positional: Vec<String>,
    },
    Subshell {
        saved: Box<Shell>,
    },
    Wait {
        until: Option<u64>,
        out: Vec<u8>,
        err: Vec<u8>,
        status: i32,
    },
    Ext {
        call: ExtCall,
        at_s: u64,
    },
    /// `xargs`: the command lines still to run; `failed` records a status 1-125 so far.
    Xargs {
        cmds: Arc<[Vec<String>]>,
        idx: usize,
        failed: bool,
        trace: bool,
    },
    WaitJobs,
    ExitAfter,
}

#[derive(Clone, Debug)]
pub(crate) struct Thread {
    sh: Shell,
    frames: Vec<Frame>,
    io: Io,
    bufs: Vec<Vec<u8>>,
    inputs: Vec<Input>,
    wake: Wake,
    unwind: Option<Unwind>,
    exited: Option<i32>,
    pid: u32,
    /// A command substitution: runs to completion, sleeps take no time.
    nested: bool,
    /// How many command substitutions enclose this thread.
    depth: u32,
}

enum Ran {
    Done(i32),
    Exited(i32),
    Sleeping(u64),
    Blocked,
    Busy,
    Jobs,
}

/// A running script: the main thread and its background jobs. Clone it to snapshot it.
#[derive(Clone, Debug)]
pub struct Process {
    main: Thread,
    jobs: Vec<Thread>,
    opts: Options,
    next_pid: u32,
    exited: Option<i32>,
}

/// Deepest frame stack a thread may build (nested calls, loops, sourced scripts).
const MAX_FRAMES: usize = 10_000;
/// Deepest nesting of command substitutions, which run as recursive calls.
const MAX_SUBST_DEPTH: u32 = 32;

const SHELLS: [&str; 6] = ["sh", "bash", "ash", "/bin/sh", "/bin/bash", "/bin/ash"];

impl Process {
    /// Starts `argv`: a shell (`sh -c SCRIPT [ARG0 ARGS...]`, `busybox sh -c`, `bash -c`)
    /// interprets the script; anything else runs as one command (a builtin such as
    /// `sleep 3600`, or the host's external program such as `nginx`). A syntax error does
    /// not fail the spawn: like the real shell, the process prints it and exits 2.
    pub fn spawn(argv: &[String], env: Env, opts: Options) -> Result<Process, ShellError> {
        if argv.is_empty() {
            return Err(ShellError::EmptyCommand);
        }
        let mut argv = argv.to_vec();
        if argv.first().map(|a| a == "busybox" || a == "/bin/busybox").unwrap_or(false) && argv.len() > 1 {
            argv.remove(0);
        }
        let mut p = Process::interactive(env, opts);
        p.main.sh.interactive = false;
        p.opts.interactive = false;
        let is_shell = argv.first().map(|a| SHELLS.contains(&a.as_str())).unwrap_or(false);
        if is_shell && argv.get(1).map(|a| a == "-c").unwrap_or(false) {
            let script = argv.get(2).cloned().unwrap_or_default();
            p.main.sh.arg0 = argv.get(3).cloned().unwrap_or_else(|| argv[0].clone());
            p.main.sh.positional = argv.iter().skip(4).cloned().collect();
            match parse_script(&script, p.opts.flavor) {
                Ok(node) => p.main.frames.push(Frame::Run(node)),
                Err(e) => {
                    let msg = match e {
                        ShellError::Syntax(m) => m,
                        _ => format!("{}: syntax error: unexpected end of file", p.main.sh.name()),
                    };
                    p.main.frames.push(Frame::ExitAfter);
                    p.main.frames.push(Frame::Wait {
                        until: Some(0),
                        out: vec![],
                        err: format!("{msg}\n").into_bytes(),
                        status: 2,
                    });
                }
            }
        } else if is_shell && argv.len() == 1 {
            // A shell with no script and no terminal reads an empty stdin and exits 0.
        } else {
            // One command: run it as a simple command with quoted words.
            let simple =
                Simple { assigns: vec![], args: argv.iter().map(|a| Arg::Word(quote(a))).collect(), redirs: vec![] };
            p.main.frames.push(Frame::Run(Arc::new(Node::Simple(simple))));
        }
        Ok(p)
    }

    /// An idle interactive shell (the learner's workstation) that keeps variables,
    /// aliases and cwd between [`Process::submit`]ted scripts.
    pub fn interactive(env: Env, opts: Options) -> Process {
        let mut vars: BTreeMap<String, Var> =
            env.into_iter().map(|(k, v)| (k, Var { value: v, exported: true })).collect();
        vars.entry("IFS".into()).or_insert(Var { value: " \t\n".into(), exported: false });
        let sh = Shell {
            vars,
            positional: vec![],
            arg0: if opts.flavor == Flavor::Bash { "bash".into() } else { "sh".into() },
            funcs: BTreeMap::new(),
            aliases: BTreeMap::new(),
            cwd: opts.cwd.clone(),
            status: 0,
            last_bg: None,
            flavor: opts.flavor,
            interactive: opts.interactive,
            pid: opts.pid,
            subst_status: None,
            procsubs: BTreeMap::new(),
            history: Arc::new(Vec::new()),
            subsec_ms: 0,
        };
        let main = Thread::new(sh, opts.pid, Io { stdin: None, stdout: Sink::Out, stderr: Sink::Err });
        Process { main, jobs: vec![], next_pid: opts.pid.saturating_add(1), opts, exited: None }
    }

    /// Queues a script on an interactive shell that is [`Status::Ready`] (or new).
    pub fn submit(&mut self, script: &str) -> Result<(), ShellError> {
        if !self.opts.interactive || self.exited.is_some() || !self.main.frames.is_empty() {
            return Err(ShellError::NotReady);
        }
        let node = parse_script(script, self.opts.flavor)?;
        let line = script.trim_end_matches('\n');
        if !line.trim().is_empty() {
            Arc::make_mut(&mut self.main.sh.history).push(line.to_string());
        }
        self.main.frames.push(Frame::Run(node));
        Ok(())
    }

    /// Forgets the command history (the workstation's own start-up commands are not the
    /// learner's).
    pub fn clear_history(&mut self) {
        self.main.sh.history_clear();
    }

    /// Kills the process (a signal the script does not trap): exit status 128+signal.
    pub fn kill(&mut self, signal: i32) -> i32 {
        let code = 128 + signal;
        if self.exited.is_none() {
            self.exited = Some(code);
        }
        self.exited.unwrap_or(code)
    }

    /// The exit status, once exited.
    pub fn exit_status(&self) -> Option<i32> {
        self.exited
    }

    /// Current working directory of the main script.
    pub fn cwd(&self) -> &str {
        &self.main.sh.cwd
    }

    /// Runs until every thread blocks, the main script exits, or the step budget is spent.
    pub fn run(&mut self, host: &mut dyn Host) -> Status {
        if let Some(c) = self.exited {
            return Status::Exited(c);
        }
        let mut budget = self.opts.max_steps_per_run;
        let mut new_jobs = Vec::new();
        let mut round = 0;
        loop {
            round += 1;
            let main = self.main.run(host, &mut budget, &mut new_jobs, &mut self.next_pid, !self.jobs.is_empty());
            let mut wake: Option<u64> = None;
            let mut busy = false;
            let mut i = 0;
            while i < self.jobs.len() {
                let r = self.jobs[i].run(host, &mut budget, &mut new_jobs, &mut self.next_pid, false);
                match r {
                    Ran::Done(_) | Ran::Exited(_) => {
                        self.jobs.remove(i);
                        continue;
                    }
                    Ran::Sleeping(u) => wake = Some(wake.map_or(u, |w| w.min(u))),
                    Ran::Busy => busy = true,
                    Ran::Blocked | Ran::Jobs => {}
                }
                i += 1;
            }
            let spawned = !new_jobs.is_empty();
            self.jobs.append(&mut new_jobs);
            let st = match main {
                Ran::Exited(c) => {
                    self.exited = Some(c);
                    return Status::Exited(c);
                }
                Ran::Done(c) => {
                    if self.opts.interactive {
                        Status::Ready(c)
                    } else {
                        self.exited = Some(c);
                        return Status::Exited(c);
                    }
                }
                Ran::Busy => return Status::Busy,
                Ran::Sleeping(u) => Status::Sleeping { until_s: wake.map_or(u, |w| w.min(u)) },
                Ran::Blocked => match wake {
                    Some(w) => Status::Sleeping { until_s: w },
                    None => Status::Blocked,
                },
                Ran::Jobs => {
                    if self.jobs.is_empty() && round < 64 {
                        self.main.wake = Wake::Now;
                        continue;
                    }
                    match wake {
                        Some(w) => Status::Sleeping { until_s: w },
                        None => Status::Blocked,
                    }
                }
            };
            if busy || budget == 0 {
                return Status::Busy;
            }
            if spawned && round < 64 {
                // Run the new jobs up to their first block in this same call.
                continue;
            }
            return st;
        }
    }
}

/// Single-quotes a word so the lowering sees it literally.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

impl Thread {
    fn new(sh: Shell, pid: u32, io: Io) -> Thread {
        Thread {
            sh,
            frames: vec![],
            io,
            bufs: vec![],
            inputs: vec![],
            wake: Wake::Now,
            unwind: None,
            exited: None,
            pid,
            nested: false,
            depth: 0,
        }
    }

    fn marks(&self) -> Marks {
        Marks { bufs: self.bufs.len(), inputs: self.inputs.len() }
    }

    fn release(&mut self, m: Marks) {
        self.bufs.truncate(m.bufs);
        self.inputs.truncate(m.inputs);
    }

    fn run(
        &mut self,
        host: &mut dyn Host,
        budget: &mut u32,
        jobs: &mut Vec<Thread>,
        next_pid: &mut u32,
        jobs_running: bool,
    ) -> Ran {
        let now = host.now_s();
        loop {
            let jobs_running = jobs_running || !jobs.is_empty();
            if let Some(c) = self.exited {
                return Ran::Exited(c);
            }
            if let Some(u) = self.unwind.take() {
                self.do_unwind(u);
                continue;
            }
            match self.wake {
                Wake::At(t) if t > now && !self.nested => return Ran::Sleeping(t),
                Wake::Forever if !self.nested => return Ran::Blocked,
                Wake::Jobs if jobs_running => return Ran::Jobs,
                _ => self.wake = Wake::Now,
            }
            if *budget == 0 {
                return Ran::Busy;
            }
            if self.frames.len() > MAX_FRAMES {
                // Runaway recursion (`f() { f; }; f`): fail like a crashed shell would.
                self.frames.clear();
                let msg = format!("{}: recursion too deep\n", self.sh.name());
                self.emit_err(host, msg.as_bytes());
                self.exited = Some(2);
                continue;
            }
            let Some(frame) = self.frames.pop() else {
                return Ran::Done(self.sh.status);
            };
            self.step(frame, host, budget, jobs, next_pid, now, jobs_running);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn step(
        &mut self,
        frame: Frame,
        host: &mut dyn Host,
        budget: &mut u32,
        jobs: &mut Vec<Thread>,
        next_pid: &mut u32,
        now: u64,
        jobs_running: bool,
    ) {
        match frame {
            Frame::Run(node) => self.start(node, host, budget, now),
            Frame::List { items, idx } => {
                if let Some((node, bg)) = items.get(idx).cloned() {
                    self.frames.push(Frame::List { items, idx: idx + 1 });
                    if bg {
                        let mut io = self.io.clone();
                        for s in [&mut io.stdout, &mut io.stderr] {
                            if matches!(s, Sink::Buf(_)) {
                                *s = Sink::Null;
                            }
                        }
                        io.stdin = None;
                        let pid = *next_pid;
                        *next_pid = next_pid.saturating_add(1);
                        let mut t = Thread::new(self.sh.clone(), pid, io);
                        t.sh.interactive = false;
                        t.frames.push(Frame::Run(node));
                        jobs.push(t);
                        self.sh.last_bg = Some(pid);
                        self.sh.status = 0;
                    } else {
                        self.frames.push(Frame::Run(node));
                    }
                }
            }
            Frame::Seq { nodes, idx } => {
                if let Some(node) = nodes.get(idx).cloned() {
                    self.frames.push(Frame::Seq { nodes, idx: idx + 1 });
                    self.frames.push(Frame::Run(node));
                }
            }
            Frame::AndOr { rest, idx } => {
                if let Some((is_and, node)) = rest.get(idx).cloned() {
                    self.frames.push(Frame::AndOr { rest, idx: idx + 1 });
                    if is_and == (self.sh.status == 0) {
                        self.frames.push(Frame::Run(node));
                    }
                }
            }
            Frame::Pipe { stages, idx, bang, saved, marks, cap } => {
                let prev = cap.and_then(|c| self.bufs.get_mut(c)).map(std::mem::take);
                self.io = saved.clone();
                self.release(marks);
                if idx >= stages.len() {
                    if bang {
                        self.sh.status = i32::from(self.sh.status == 0);
                    }
                    return;
                }
                if let Some(data) = prev {
                    self.inputs.push(Input { data, pos: 0 });
                    self.io.stdin = Some(self.inputs.len() - 1);
                }
                let last = idx + 1 == stages.len();
                let cap = if last {
                    None
                } else {
                    self.bufs.push(Vec::new());
                    self.io.stdout = Sink::Buf(self.bufs.len() - 1);
                    Some(self.bufs.len() - 1)
                };
                let node = stages[idx].clone();
                self.frames.push(Frame::Pipe { stages, idx: idx + 1, bang, saved, marks, cap });
                self.frames.push(Frame::Subshell { saved: Box::new(self.sh.clone()) });
                self.frames.push(Frame::Run(node));
            }
            Frame::Restore { io, marks } => {
                self.io = io;
                self.release(marks);
            }
            Frame::If { arms, els, idx } => {
                if self.sh.status == 0 {
                    if let Some((_, body)) = arms.get(idx) {
                        self.frames.push(Frame::Run(body.clone()));
                    }
                } else if let Some((cond, _)) = arms.get(idx + 1).cloned() {
                    self.frames.push(Frame::If { arms, els, idx: idx + 1 });
                    self.frames.push(Frame::Run(cond));
                } else if let Some(e) = els {
                    self.frames.push(Frame::Run(e));
                } else {
                    self.sh.status = 0;
                }
            }
            Frame::Loop { until, cond, body, phase, last } => match phase {
                LoopPhase::CondRan => {
                    if (self.sh.status == 0) != until {
                        let b = body.clone();
                        self.frames.push(Frame::Loop { until, cond, body, phase: LoopPhase::BodyRan, last });
                        self.frames.push(Frame::Run(b));
                    } else {
                        self.sh.status = last;
                    }
                }
                LoopPhase::BodyRan => {
                    *budget = budget.saturating_sub(1);
                    let c = cond.clone();
                    let last = self.sh.status;
                    self.frames.push(Frame::Loop { until, cond, body, phase: LoopPhase::CondRan, last });
                    self.frames.push(Frame::Run(c));
                }
            },
            Frame::For { var, items, idx, body } => {
                *budget = budget.saturating_sub(1);
                if let Some(v) = items.get(idx).cloned() {
                    self.sh.set(&var, v);
                    let b = body.clone();
                    self.frames.push(Frame::For { var, items, idx: idx + 1, body });
                    self.frames.push(Frame::Run(b));
                } else if items.is_empty() {
                    self.sh.status = 0;
                }
            }
            Frame::ArithFor { cond, upd, body, started } => {
                *budget = budget.saturating_sub(1);
                if started {
                    let _ = self.arith(&upd, host);
                }
                let go = cond.trim().is_empty() || self.arith(&cond, host).map(|v| v != 0).unwrap_or(false);
                if go {
                    let b = body.clone();
                    self.frames.push(Frame::ArithFor { cond, upd, body, started: true });
                    self.frames.push(Frame::Run(b));
                }
            }
            Frame::Func { positional } => self.sh.positional = positional,
            Frame::Subshell { saved } => {
                let status = self.sh.status;
                self.sh = *saved;
                self.sh.status = status;
            }
            Frame::Wait { until, out, err, status } => {
                let due = match until {
                    Some(t) => t <= now,
                    None => false,
                };
                if !due && !self.nested {
                    self.wake = until.map_or(Wake::Forever, Wake::At);
                    self.frames.push(Frame::Wait { until, out, err, status });
                    return;
                }
                self.emit_out(host, &out);
                self.emit_err(host, &err);
                self.sh.status = status;
            }
            Frame::Ext { call, at_s } => {
                if at_s > now && !self.nested {
                    self.wake = Wake::At(at_s);
                    self.frames.push(Frame::Ext { call, at_s });
                    return;
                }
                self.call_external(call, host, now);
            }
            Frame::Xargs { cmds, idx, failed, trace } => {
                let mut failed = failed;
                if idx > 0 {
                    // The previous command has finished: look at its status.
                    match self.sh.status {
                        0 => {}
                        255 => {
                            let name = cmds[idx - 1].first().cloned().unwrap_or_default();
                            let msg = format!("xargs: {name}: exited with status 255; aborting\n");
                            self.emit_err(host, msg.as_bytes());
                            self.sh.status = 124;
                            return;
                        }
                        126 | 127 => return,
                        c if c > 128 => {
                            let name = cmds[idx - 1].first().cloned().unwrap_or_default();
                            let msg = format!("xargs: {name}: terminated by signal {}\n", c - 128);
                            self.emit_err(host, msg.as_bytes());
                            self.sh.status = 125;
                            return;
                        }
                        _ => failed = true,
                    }
                }
                let Some(argv) = cmds.get(idx).cloned() else {
                    self.sh.status = if failed { 123 } else { 0 };
                    return;
                };
                self.frames.push(Frame::Xargs { cmds, idx: idx + 1, failed, trace });
                if trace {
                    let line = format!("{}\n", argv.join(" "));
                    self.emit_err(host, line.as_bytes());
                }
                self.xargs_exec(argv, host, now);
            }
            Frame::WaitJobs => {
                if jobs_running {
                    self.frames.push(Frame::WaitJobs);
                    self.wake = Wake::Jobs;
                } else {
                    self.sh.status = 0;
                }
            }
            Frame::ExitAfter => self.unwind = Some(Unwind::Exit(self.sh.status)),
        }
    }
}

/// One field being built by word expansion. `pat` is the glob pattern form of `text`:
/// quoted characters are backslash-escaped so they never act as wildcards.
#[derive(Clone, Debug, Default)]
pub(crate) struct Field {
    pub text: String,
    pub pat: String,
    has_glob: bool,
    started: bool,
}

struct Fields {
    done: Vec<Field>,
    cur: Field,
    split: bool,
}

impl Fields {
    fn lit(&mut self, s: &str, quoted: bool) {
        self.cur.started = true;
        self.cur.text.push_str(s);
        if quoted {
            for c in s.chars() {
                if "*?[]\\".contains(c) {
                    self.cur.pat.push('\\');
                }
                self.cur.pat.push(c);
            }
        } else {
            self.cur.has_glob |= s.contains(['*', '?', '[']);
            self.cur.pat.push_str(s);
        }
    }
    /// The result of an unquoted expansion: split on IFS whitespace.
    fn expanded(&mut self, s: &str, quoted: bool) {
        if quoted || !self.split {
            return self.lit(s, quoted);
        }
        for c in s.chars() {
            if c == ' ' || c == '\t' || c == '\n' {
                self.brk();
            } else {
                let mut b = [0u8; 4];
                self.lit(c.encode_utf8(&mut b), false);
            }
        }
    }
    fn brk(&mut self) {
        if self.cur.started {
            self.done.push(std::mem::take(&mut self.cur));
        }
    }
}

impl Thread {
    /// Starts executing a node: compound nodes push frames, simple commands run.
    fn start(&mut self, node: Arc<Node>, host: &mut dyn Host, budget: &mut u32, now: u64) {
        match &*node {
            Node::List(items) => self.frames.push(Frame::List { items: items.clone(), idx: 0 }),
            Node::AndOr(first, rest) => {
                self.frames.push(Frame::AndOr { rest: rest.clone(), idx: 0 });
                self.frames.push(Frame::Run(first.clone()));
            }
            Node::Pipeline(bang, stages) => {
                let (saved, marks) = (self.io.clone(), self.marks());
                self.frames.push(Frame::Pipe { stages: stages.clone(), idx: 0, bang: *bang, saved, marks, cap: None });
            }
            Node::Simple(s) => {
                *budget = budget.saturating_sub(1);
                self.exec_simple(s, host, now);
            }
            Node::Redirected(inner, redirs) => {
                let (io, marks) = (self.io.clone(), self.marks());
                match self.apply_redirs(redirs, host, now) {
                    Ok(()) => {
                        self.frames.push(Frame::Restore { io, marks });
                        self.frames.push(Frame::Run(inner.clone()));
                    }
                    Err(msg) => {
                        self.io = io;
                        self.release(marks);
                        self.emit_err(host, msg.as_bytes());
                        self.sh.status = 1;
                    }
                }
            }
            Node::Subshell(inner) => {
                self.frames.push(Frame::Subshell { saved: Box::new(self.sh.clone()) });
                self.frames.push(Frame::Run(inner.clone()));
            }
            Node::If(arms, els) => {
                if let Some((cond, _)) = arms.first() {
                    self.frames.push(Frame::If { arms: arms.clone(), els: els.clone(), idx: 0 });
                    self.frames.push(Frame::Run(cond.clone()));
                }
            }
            Node::Loop { until, cond, body } => {
                self.frames.push(Frame::Loop {
                    until: *until,
                    cond: cond.clone(),
                    body: body.clone(),
                    phase: LoopPhase::CondRan,
                    last: 0,
                });
                self.frames.push(Frame::Run(cond.clone()));
            }
            Node::For { var, words, body } => {
                let items = match words {
                    Some(ws) => {
                        let mut v = Vec::new();
                        for w in ws {
                            v.extend(self.expand_fields(w, host));
                        }
                        v
                    }
                    None => self.sh.positional.clone(),
                };
                self.frames.push(Frame::For { var: var.clone(), items, idx: 0, body: body.clone() });
            }
            Node::ArithFor { init, cond, upd, body } => {
                if !init.trim().is_empty() {
                    let _ = self.arith(init, host);
                }
                self.frames.push(Frame::ArithFor {
                    cond: cond.clone(),
                    upd: upd.clone(),
                    body: body.clone(),
                    started: false,
                });
            }
            Node::Case { word, items } => {
                let value = self.expand_str(word, host);
                let mut run = Vec::new();
                let mut falling = false;
                for (pats, body, fall) in items.iter() {
                    let hit = falling
                        || pats.iter().any(|p| {
                            let f = self.expand_one(p, host);
                            glob_match(&f.pat, &value)
                        });
                    if hit {
                        if let Some(b) = body {
                            run.push(b.clone());
                        }
                        if !*fall {
                            break;
                        }
                        falling = true;
                    }
                }
                self.sh.status = 0;
                self.frames.push(Frame::Seq { nodes: run, idx: 0 });
            }
            Node::FuncDef(name, body) => {
                self.sh.funcs.insert(name.clone(), body.clone());
                self.sh.status = 0;
            }
            Node::Arith(e) => {
                self.sh.status = match self.arith(e, host) {
                    Ok(v) => i32::from(v == 0),
                    Err(msg) => {
                        self.emit_err(host, format!("{}: arithmetic syntax error: {msg}\n", self.sh.name()).as_bytes());
                        1
                    }
                }
            }
            Node::ExtTest(e) => {
                let r = self.ext_test(e, host);
                self.sh.status = i32::from(!r);
            }
        }
    }

    fn do_unwind(&mut self, u: Unwind) {
        let mut u = u;
        while let Some(f) = self.frames.pop() {
            match (u, f) {
                (Unwind::Break(n), Frame::Loop { .. } | Frame::For { .. } | Frame::ArithFor { .. }) => {
                    if n > 1 {
                        u = Unwind::Break(n - 1);
                        continue;
                    }
                    self.sh.status = 0;
                    return;
                }
                (Unwind::Continue(n), f @ (Frame::Loop { .. } | Frame::For { .. } | Frame::ArithFor { .. })) => {
                    if n > 1 {
                        u = Unwind::Continue(n - 1);
                        continue;
                    }
                    let f = match f {
                        Frame::Loop { until, cond, body, last, .. } => {
                            Frame::Loop { until, cond, body, phase: LoopPhase::BodyRan, last }
                        }
                        other => other,
                    };
                    self.frames.push(f);
                    return;
                }
                (Unwind::Return(c), Frame::Func { positional }) => {
                    self.sh.positional = positional;
                    self.sh.status = c;
                    return;
                }
                (_, Frame::Func { positional }) => self.sh.positional = positional,
                (_, Frame::Subshell { saved }) => {
                    let status = match u {
                        Unwind::Exit(c) | Unwind::Return(c) => c,
                        _ => self.sh.status,
                    };
                    self.sh = *saved;
                    self.sh.status = status;
                    return;
                }
                (_, Frame::Restore { io, marks }) | (_, Frame::Pipe { saved: io, marks, .. }) => {
                    self.io = io;
                    self.release(marks);
                }
                _ => {}
            }
        }
        match u {
            Unwind::Exit(c) | Unwind::Return(c) => {
                if self.sh.interactive && matches!(u, Unwind::Return(_)) {
                    self.sh.status = c;
                } else {
                    self.exited = Some(c);
                }
            }
            _ => {}
        }
    }

    // -----------------------------------------------------------------------------------
    // Output

    fn emit(&mut self, host: &mut dyn Host, sink: &Sink, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        match sink {
            Sink::Out => host.stdout(bytes),
            Sink::Err => host.stderr(bytes),
            Sink::Null => {}
            Sink::File(p) => {
                let now = host.now_s();
                let _ = host.fs().write(p, bytes, true, now);
            }
            Sink::Buf(i) => {
                if let Some(b) = self.bufs.get_mut(*i) {
                    b.extend_from_slice(bytes);
                }
            }
        }
    }
    pub(crate) fn emit_out(&mut self, host: &mut dyn Host, bytes: &[u8]) {
        let s = self.io.stdout.clone();
        self.emit(host, &s, bytes);
    }
    pub(crate) fn emit_err(&mut self, host: &mut dyn Host, bytes: &[u8]) {
        let s = self.io.stderr.clone();
        self.emit(host, &s, bytes);
    }

    // -----------------------------------------------------------------------------------
    // Redirections

    /// Opens a file for output: `/dev/null`, `/dev/stdout`, `/dev/stderr` or a file
    /// (created, truncated unless appending).
    fn out_sink(&mut self, word: &str, append: bool, host: &mut dyn Host, now: u64) -> Result<Sink, String> {
        let target = self.expand_str(word, host);
        Ok(match target.as_str() {
            "/dev/null" => Sink::Null,
            "/dev/stdout" | "/proc/self/fd/1" | "/dev/fd/1" => self.io.stdout.clone(),
            "/dev/stderr" | "/proc/self/fd/2" | "/dev/fd/2" => self.io.stderr.clone(),
            _ => {
                let path = self.sh.resolve(&target);
                let r =
                    if append && host.fs().exists(&path) { Ok(()) } else { host.fs().write(&path, b"", append, now) };
                if let Err(e) = r {
                    let why = match (self.sh.flavor, e) {
                        (Flavor::Busybox, super::FsError::NotFound) => "nonexistent directory".to_string(),
                        _ => e.to_string(),
                    };
                    return Err(match self.sh.flavor {
                        Flavor::Busybox => format!("sh: can't create {target}: {why}\n"),
                        Flavor::Bash => format!("bash: {target}: {why}\n"),
                    });
                }
                Sink::File(path)
            }
        })
    }

    fn push_input(&mut self, data: Vec<u8>) -> usize {
        self.inputs.push(Input { data, pos: 0 });
        self.inputs.len() - 1
    }

    fn apply_redirs(&mut self, redirs: &[Redir], host: &mut dyn Host, now: u64) -> Result<(), String> {
        for r in redirs {
            match r {
                Redir::File { fd, read: true, word, .. } => {
                    let target = self.expand_str(word, host);
                    let data = if target == "/dev/null" {
                        Ok(vec![])
                    } else if let Some(d) = self.sh.procsubs.get(&target) {
                        Ok(d.clone())
                    } else {
                        let p = self.sh.resolve(&target);
                        host.fs().read(&p)
                    };
                    match data {
                        Ok(d) if *fd == 0 => {
                            let i = self.push_input(d);
                            self.io.stdin = Some(i);
                        }
                        Ok(_) => {}
                        Err(e) => {
                            return Err(match self.sh.flavor {
                                Flavor::Busybox => format!("sh: can't open '{target}': {e}\n"),
                                Flavor::Bash => format!("bash: {target}: {e}\n"),
                            })
                        }
                    }
                }
                Redir::File { fd, append, word, .. } => {
                    let sink = self.out_sink(word, *append, host, now)?;
                    self.set_fd(*fd, sink);
                }
                Redir::OutErr { word, append } => {
                    let sink = self.out_sink(word, *append, host, now)?;
                    self.io.stdout = sink.clone();
                    self.io.stderr = sink;
                }
                Redir::Dup { fd, word } => {
                    let target = self.expand_str(word, host);
                    let sink = match target.as_str() {
                        "1" => self.io.stdout.clone(),
                        "2" => self.io.stderr.clone(),
                        "-" => Sink::Null,
                        "0" => continue,
                        t => return Err(format!("{}: {t}: bad file descriptor\n", self.sh.name())),
                    };
                    self.set_fd(*fd, sink);
                }
                Redir::Heredoc { fd, body, expand } => {
                    let text = if *expand { self.expand_heredoc(body, host) } else { body.clone() };
                    if *fd == 0 {
                        let i = self.push_input(text.into_bytes());
                        self.io.stdin = Some(i);
                    }
                }
                Redir::HereString { fd, word } => {
                    let mut text = self.expand_str(word, host);
                    text.push('\n');
                    if *fd == 0 {
                        let i = self.push_input(text.into_bytes());
                        self.io.stdin = Some(i);
                    }
                }
            }
        }
        Ok(())
    }

    fn set_fd(&mut self, fd: i32, sink: Sink) {
        match fd {
            1 => self.io.stdout = sink,
            2 => self.io.stderr = sink,
            _ => {}
        }
    }

    // -----------------------------------------------------------------------------------
    // Simple commands

    fn exec_simple(&mut self, s: &Simple, host: &mut dyn Host, now: u64) {
        self.sh.subst_status = None;
        let mut argv = Vec::new();
        for (i, a) in s.args.iter().enumerate() {
            match a {
                Arg::Word(w) => {
                    if i == 0 && self.sh.interactive {
                        if let Some(v) = self.sh.aliases.get(w).cloned() {
                            argv.extend(self.alias_words(&v, host));
                            continue;
                        }
                    }
                    argv.extend(self.expand_fields(w, host));
                }
                Arg::ProcSubst(node) => {
                    let (out, _) = self.capture(node.clone(), host);
                    let path = format!("/dev/fd/{}", 63 - self.sh.procsubs.len().min(60));
                    self.sh.procsubs.insert(path.clone(), out);
                    argv.push(path);
                }
            }
        }
        let mut assigns = Vec::new();
        for (name, value, append) in &s.assigns {
            let mut v = self.expand_str(value, host);
            if *append {
                v = format!("{}{v}", self.sh.get(name).unwrap_or(""));
            }
            assigns.push((name.clone(), v));
        }
        let (io, marks) = (self.io.clone(), self.marks());
        if let Err(msg) = self.apply_redirs(&s.redirs, host, now) {
            self.io = io;
            self.release(marks);
            self.emit_err(host, msg.as_bytes());
            self.sh.status = 1;
            return;
        }
        if argv.is_empty() {
            for (n, v) in assigns {
                self.sh.set(&n, v);
            }
            self.io = io;
            self.release(marks);
            self.sh.status = self.sh.subst_status.unwrap_or(0);
            return;
        }
        if !s.redirs.is_empty() {
            self.frames.push(Frame::Restore { io, marks });
        }
        // `A=1 cmd`: the assignments hold for this command only.
        let saved: Vec<(String, Option<Var>)> =
            assigns.iter().map(|(n, _)| (n.clone(), self.sh.vars.get(n).cloned())).collect();
        for (n, v) in assigns {
            self.sh.export(&n, Some(v));
        }
        self.dispatch(argv, host, now);
        for (n, old) in saved {
            match old {
                Some(v) => {
                    self.sh.vars.insert(n, v);
                }
                None => {
                    self.sh.vars.remove(&n);
                }
            }
        }
    }

    fn alias_words(&mut self, value: &str, host: &mut dyn Host) -> Vec<String> {
        if let Ok(node) = parse_script(value, self.sh.flavor) {
            if let Node::List(items) = &*node {
                if let Some((n, _)) = items.first() {
                    if let Node::Simple(s) = &**n {
                        let mut v = Vec::new();
                        for a in &s.args {
                            if let Arg::Word(w) = a {
                                v.extend(self.expand_fields(w, host));
                            }
                        }
                        return v;
                    }
                }
            }
        }
        value.split_whitespace().map(String::from).collect()
    }

    fn run_script(&mut self, src: &str, host: &mut dyn Host) -> bool {
        match parse_script(src, self.sh.flavor) {
            Ok(node) => {
                self.frames.push(Frame::Run(node));
                true
            }
            Err(e) => {
                let msg = match e {
                    ShellError::Syntax(m) => m,
                    _ => format!("{}: syntax error: unexpected end of file", self.sh.name()),
                };
                self.emit_err(host, format!("{msg}\n").as_bytes());
                self.sh.status = 2;
                false
            }
        }
    }

    fn dispatch(&mut self, mut argv: Vec<String>, host: &mut dyn Host, now: u64) {
        let name = argv[0].clone();
        let num = |a: Option<&String>, d: i32| a.and_then(|s| s.parse::<i32>().ok()).unwrap_or(d);
        match name.as_str() {
            "break" | "continue" => {
                let n = num(argv.get(1), 1).max(1) as u32;
                self.unwind = Some(if name == "break" { Unwind::Break(n) } else { Unwind::Continue(n) });
                return;
            }
            "return" => {
                self.unwind = Some(Unwind::Return(num(argv.get(1), self.sh.status) & 0xff));
                return;
            }
            "exit" => {
                self.unwind = Some(Unwind::Exit(num(argv.get(1), self.sh.status) & 0xff));
                return;
            }
            "wait" => {
                self.frames.push(Frame::WaitJobs);
                return;
            }
            "xargs" => {
                self.xargs(&argv[1..], host);
                return;
            }
            "command" if argv.get(1).is_some_and(|a| !a.starts_with('-')) => {
                // `command kubectl ...` runs the command itself (no function lookup).
                argv.remove(0);
                return self.dispatch(argv, host, now);
            }
            "exec" => {
                if argv.len() == 1 {
                    self.sh.status = 0;
                    return;
                }
                argv.remove(0);
                self.frames.push(Frame::ExitAfter);
                return self.dispatch(argv, host, now);
            }
            "eval" => {
                let src = argv[1..].join(" ");
                self.sh.status = 0;
                self.run_script(&src, host);
                return;
            }
            "source" | "." => {
                let Some(file) = argv.get(1) else {
                    self.sh.status = 0;
                    return;
                };
                if self.sh.procsubs.contains_key(file) {
                    // `source <(kubectl completion bash)`: completion scripts are accepted silently.
                    self.sh.status = 0;
                    return;
                }
                let path = self.sh.resolve(file);
                match host.fs().read(&path) {
                    Ok(d) => {
                        self.sh.status = 0;
                        self.run_script(&String::from_utf8_lossy(&d), host);
                    }
                    Err(e) => {
                        let msg = match self.sh.flavor {
                            Flavor::Busybox => format!("sh: .: line 1: can't open '{file}': {e}\n"),
                            Flavor::Bash => format!("bash: {file}: {e}\n"),
                        };
                        self.emit_err(host, msg.as_bytes());
                        self.sh.status = if self.sh.flavor == Flavor::Bash { 1 } else { 2 };
                    }
                }
                return;
            }
            _ => {}
        }
        if let Some(body) = self.sh.funcs.get(&name).cloned() {
            let positional = std::mem::replace(&mut self.sh.positional, argv[1..].to_vec());
            self.frames.push(Frame::Func { positional });
            self.frames.push(Frame::Run(body));
            return;
        }
        let base = name.rsplit('/').next().unwrap_or(&name).to_string();
        if matches!(base.as_str(), "sh" | "bash" | "ash") && argv.len() > 1 {
            // A nested shell: runs in a subshell frame of this thread.
            let (src, rest) = if argv[1] == "-c" {
                (argv.get(2).cloned().unwrap_or_default(), argv.iter().skip(3).cloned().collect::<Vec<_>>())
            } else {
                let path = self.sh.resolve(&argv[1]);
                match host.fs().read(&path) {
                    Ok(d) => (String::from_utf8_lossy(&d).into_owned(), argv.iter().skip(1).cloned().collect()),
                    Err(e) => {
                        let msg = format!("{base}: can't open '{}': {e}\n", argv[1]);
                        self.emit_err(host, msg.as_bytes());
                        self.sh.status = 2;
                        return;
                    }
                }
            };
            self.frames.push(Frame::Subshell { saved: Box::new(self.sh.clone()) });
            let mut rest = rest.into_iter();
            if let Some(a0) = rest.next() {
                self.sh.arg0 = a0;
            }
            self.sh.positional = rest.collect();
            self.sh.interactive = false;
            self.sh.status = 0;
            self.run_script(&src, host);
            return;
        }
        // Builtins.
        let stdin = self.io.stdin;
        let mut ctx = Ctx {
            host: &mut *host,
            sh: &mut self.sh,
            stdin: stdin.and_then(|i| self.inputs.get_mut(i)),
            out: Vec::new(),
            err: Vec::new(),
            ordered: super::ExtIo::default(),
            now,
        };
        let outcome = builtins::run(&argv, &mut ctx);
        ctx.sync();
        let written = std::mem::take(&mut ctx.ordered);
        drop(ctx);
        if let Some(outcome) = outcome {
            for (is_err, bytes) in &written.chunks {
                if *is_err {
                    self.emit_err(host, bytes);
                } else {
                    self.emit_out(host, bytes);
                }
            }
            match outcome {
                Outcome::Done(c) => self.sh.status = c,
                Outcome::Wait { until, out, err, status } => {
                    self.frames.push(Frame::Wait { until, out, err, status });
                }
                Outcome::Script(src) => {
                    self.sh.status = 0;
                    self.run_script(&src, host);
                }
            }
            return;
        }
        let stdin = self.io.stdin.and_then(|i| self.inputs.get_mut(i)).map(|i| i.rest()).unwrap_or_default();
        let call = ExtCall { argv, stdin, env: self.sh.env(), cwd: self.sh.cwd.clone(), started_s: now };
        self.call_external(call, host, now);
    }

    fn call_external(&mut self, call: ExtCall, host: &mut dyn Host, now: u64) {
        let not_found = match self.sh.flavor {
            Flavor::Busybox => format!("sh: {}: not found\n", call.argv.first().cloned().unwrap_or_default()),
            Flavor::Bash => format!("bash: {}: command not found\n", call.argv.first().cloned().unwrap_or_default()),
        };
        self.call_external_or(call, host, now, not_found);
    }

    /// Runs an external command; `not_found` is printed (status 127) if the host has none.
    fn call_external_or(&mut self, call: ExtCall, host: &mut dyn Host, now: u64, not_found: String) {
        let mut io = super::ExtIo::default();
        let r = host.external(&call, &mut io);
        for (is_err, bytes) in &io.chunks {
            if *is_err {
                self.emit_err(host, bytes);
            } else {
                self.emit_out(host, bytes);
            }
        }
        match r {
            Some(ExtOutcome::Exit(c)) => self.sh.status = c,
            Some(ExtOutcome::Retry { at_s }) => {
                self.frames.push(Frame::Ext { call, at_s: at_s.max(now.saturating_add(1)) });
            }
            Some(ExtOutcome::Forever) => {
                self.frames.push(Frame::Wait { until: None, out: vec![], err: vec![], status: 0 });
            }
            None => {
                self.emit_err(host, not_found.as_bytes());
                self.sh.status = 127;
            }
        }
    }

    /// `xargs`: reads its stdin into argument lists and queues the command lines.
    fn xargs(&mut self, args: &[String], host: &mut dyn Host) {
        let stdin = self.io.stdin.and_then(|i| self.inputs.get_mut(i)).map(|i| i.rest()).unwrap_or_default();
        match super::xargs::plan(args, &stdin, self.sh.flavor == Flavor::Busybox) {
            Ok(plan) => {
                self.frames.push(Frame::Xargs { cmds: plan.cmds.into(), idx: 0, failed: false, trace: plan.trace });
                self.sh.status = 0;
            }
            Err((msg, code)) => {
                self.emit_err(host, msg.as_bytes());
                self.sh.status = code;
            }
        }
    }

    /// Runs one command line for xargs: a utility, never a shell builtin or function.
    fn xargs_exec(&mut self, argv: Vec<String>, host: &mut dyn Host, now: u64) {
        let name = argv.first().cloned().unwrap_or_default();
        let base = name.rsplit('/').next().unwrap_or(&name).to_string();
        if super::tools::is_shell_only(&base) {
            let msg = format!("xargs: {name}: No such file or directory\n");
            self.emit_err(host, msg.as_bytes());
            self.sh.status = 127;
            return;
        }
        if builtins::is_builtin(&base) || matches!(base.as_str(), "sh" | "bash" | "ash" | "xargs") {
            self.dispatch(argv, host, now);
            return;
        }
        let call = ExtCall { argv, stdin: vec![], env: self.sh.env(), cwd: self.sh.cwd.clone(), started_s: now };
        self.call_external_or(call, host, now, format!("xargs: {name}: No such file or directory\n"));
    }

    /// Runs `node` to completion in a copy of this shell (command substitution) and
    /// returns its stdout and status. Sleeps inside take no simulated time.
    fn capture(&mut self, node: Arc<Node>, host: &mut dyn Host) -> (Vec<u8>, i32) {
        let stderr = match self.io.stderr {
            Sink::Buf(_) => Sink::Null,
            ref s => s.clone(),
        };
        if self.depth >= MAX_SUBST_DEPTH {
            let msg = format!("{}: command substitution nested too deeply\n", self.sh.name());
            self.emit_err(host, msg.as_bytes());
            return (vec![], 2);
        }
        let mut t = Thread::new(self.sh.clone(), self.pid, Io { stdin: None, stdout: Sink::Buf(0), stderr });
        t.sh.interactive = false;
        t.nested = true;
        t.depth = self.depth + 1;
        t.bufs.push(Vec::new());
        t.frames.push(Frame::Subshell { saved: Box::new(self.sh.clone()) });
        t.frames.push(Frame::Run(node));
        let mut budget = 100_000;
        let mut jobs = Vec::new();
        let mut pid = self.pid.saturating_add(1000);
        let status = match t.run(host, &mut budget, &mut jobs, &mut pid, false) {
            Ran::Done(c) | Ran::Exited(c) => c,
            _ => 1,
        };
        let out = t.bufs.first().cloned().unwrap_or_default();
        (out, status)
    }

    fn command_subst(&mut self, src: &str, host: &mut dyn Host) -> String {
        let out = match parse_script(src, self.sh.flavor) {
            Ok(node) => {
                let (out, status) = self.capture(node, host);
                self.sh.subst_status = Some(status);
                out
            }
            Err(_) => {
                self.emit_err(host, format!("{}: syntax error: unexpected end of file\n", self.sh.name()).as_bytes());
                self.sh.subst_status = Some(2);
                vec![]
            }
        };
        let mut s = String::from_utf8_lossy(&out).into_owned();
        while s.ends_with('\n') {
            s.pop();
        }
        s
    }

    // -----------------------------------------------------------------------------------
    // Expansion

    fn expand_word(&mut self, raw: &str, split: bool, host: &mut dyn Host) -> Vec<Field> {
        let opts = parser_options(self.sh.flavor);
        let pieces = match brush_parser::word::parse(raw, &opts) {
            Ok(p) => p,
            Err(_) => {
                let f = Field { text: raw.to_string(), pat: raw.to_string(), ..Field::default() };
                return vec![f];
            }
        };
        let mut fs = Fields { done: vec![], cur: Field::default(), split };
        for p in pieces {
            self.expand_piece(&p.piece, false, &mut fs, host);
        }
        fs.brk();
        fs.done
    }

    fn expand_piece(&mut self, piece: &WordPiece, quoted: bool, fs: &mut Fields, host: &mut dyn Host) {
        match piece {
            WordPiece::Text(t) => fs.lit(t, quoted),
            WordPiece::SingleQuotedText(t) => fs.lit(t, true),
            WordPiece::AnsiCQuotedText(t) => fs.lit(&unescape_c(t), true),
            WordPiece::DoubleQuotedSequence(ps) | WordPiece::GettextDoubleQuotedSequence(ps) => {
                let only_at = ps.len() == 1
                    && matches!(
                        &ps[0].piece,
                        WordPiece::ParameterExpansion(ParameterExpr::Parameter {
                            parameter: Parameter::Special(SpecialParameter::AllPositionalParameters {
                                concatenate: false
                            }),
                            ..
                        })
                    );
                if !only_at {
                    fs.lit("", true);
                }
                for p in ps {
                    self.expand_piece(&p.piece, true, fs, host);
                }
            }
            WordPiece::TildeExpansion(_) => {
                let home = self.sh.get("HOME").unwrap_or("/root").to_string();
                fs.lit(&home, true);
            }
            WordPiece::EscapeSequence(e) => {
                let c = e.strip_prefix('\\').unwrap_or(e);
                if quoted {
                    if c.starts_with(['$', '`', '"', '\\']) {
                        fs.lit(c, true);
                    } else if c != "\n" {
                        fs.lit(e, true);
                    }
                } else if c != "\n" {
                    fs.lit(c, true);
                }
            }
            WordPiece::CommandSubstitution(src) => {
                let s = self.command_subst(src, host);
                fs.expanded(&s, quoted);
            }
            WordPiece::BackquotedCommandSubstitution(src) => {
                let src = src.replace("\\`", "`").replace("\\$", "$").replace("\\\\", "\\");
                let s = self.command_subst(&src, host);
                fs.expanded(&s, quoted);
            }
            WordPiece::ArithmeticExpression(e) => {
                let s = match self.arith(&e.value, host) {
                    Ok(v) => v.to_string(),
                    Err(m) => {
                        self.emit_err(host, format!("{}: arithmetic syntax error: {m}\n", self.sh.name()).as_bytes());
                        String::new()
                    }
                };
                fs.expanded(&s, quoted);
            }
            WordPiece::ParameterExpansion(pe) => {
                if let ParameterExpr::Parameter {
                    parameter: Parameter::Special(SpecialParameter::AllPositionalParameters { concatenate }),
                    ..
                } = pe
                {
                    let ps = self.sh.positional.clone();
                    if quoted && *concatenate {
                        fs.lit(&ps.join(" "), true);
                    } else {
                        for (i, p) in ps.iter().enumerate() {
                            if i > 0 {
                                if quoted || fs.split {
                                    fs.brk();
                                } else {
                                    fs.lit(" ", false);
                                }
                            }
                            fs.expanded(p, quoted);
                        }
                    }
                    return;
                }
                let s = self.param(pe, host);
                fs.expanded(&s, quoted);
            }
        }
    }

    fn get_param(&self, p: &Parameter) -> Option<String> {
        match p {
            Parameter::Positional(0) => Some(self.sh.arg0.clone()),
            Parameter::Positional(n) => self.sh.positional.get(*n as usize - 1).cloned(),
            Parameter::Special(s) => Some(match s {
                SpecialParameter::AllPositionalParameters { .. } => self.sh.positional.join(" "),
                SpecialParameter::PositionalParameterCount => self.sh.positional.len().to_string(),
                SpecialParameter::LastExitStatus => self.sh.status.to_string(),
                SpecialParameter::CurrentOptionFlags => String::new(),
                SpecialParameter::ProcessId => self.sh.pid.to_string(),
                SpecialParameter::LastBackgroundProcessId => self.sh.last_bg.map(|p| p.to_string()).unwrap_or_default(),
                SpecialParameter::ShellName => self.sh.arg0.clone(),
            }),
            Parameter::Named(n) => match n.as_str() {
                "RANDOM" => Some("4".into()),
                "SECONDS" => Some("0".into()),
                "PWD" if self.sh.get("PWD").is_none() => Some(self.sh.cwd.clone()),
                _ => self.sh.get(n).map(String::from),
            },
            Parameter::NamedWithIndex { name, index } => {
                if index == "0" {
                    self.sh.get(name).map(String::from)
                } else {
                    None
                }
            }
            Parameter::NamedWithAllIndices { name, .. } => self.sh.get(name).map(String::from),
        }
    }

    fn param_name(p: &Parameter) -> String {
        match p {
            Parameter::Named(n)
            | Parameter::NamedWithIndex { name: n, .. }
            | Parameter::NamedWithAllIndices { name: n, .. } => n.clone(),
            Parameter::Positional(n) => n.to_string(),
            Parameter::Special(s) => s.to_string(),
        }
    }

    fn param(&mut self, pe: &ParameterExpr, host: &mut dyn Host) -> String {
        let test = |v: &Option<String>, t: &ParameterTestType| match t {
            ParameterTestType::UnsetOrNull => v.as_deref().map(|s| s.is_empty()).unwrap_or(true),
            ParameterTestType::Unset => v.is_none(),
        };
        match pe {
            ParameterExpr::Parameter { parameter, .. } => self.get_param(parameter).unwrap_or_default(),
            ParameterExpr::UseDefaultValues { parameter, test_type, default_value, .. } => {
                let v = self.get_param(parameter);
                if test(&v, test_type) {
                    self.expand_str(default_value.as_deref().unwrap_or(""), host)
                } else {
                    v.unwrap_or_default()
                }
            }
            ParameterExpr::AssignDefaultValues { parameter, test_type, default_value, .. } => {
                let v = self.get_param(parameter);
                if test(&v, test_type) {
                    let d = self.expand_str(default_value.as_deref().unwrap_or(""), host);
                    self.sh.set(&Self::param_name(parameter), d.clone());
                    d
                } else {
                    v.unwrap_or_default()
                }
            }
            ParameterExpr::IndicateErrorIfNullOrUnset { parameter, test_type, error_message, .. } => {
                let v = self.get_param(parameter);
                if test(&v, test_type) {
                    let m = self.expand_str(error_message.as_deref().unwrap_or(""), host);
                    let m = if m.is_empty() { "parameter not set".to_string() } else { m };
                    let msg = format!("{}: {}: {m}\n", self.sh.name(), Self::param_name(parameter));
                    self.emit_err(host, msg.as_bytes());
                    self.sh.subst_status = Some(1);
                    if !self.sh.interactive {
                        self.unwind = Some(Unwind::Exit(1));
                    }
                }
                v.unwrap_or_default()
            }
            ParameterExpr::UseAlternativeValue { parameter, test_type, alternative_value, .. } => {
                let v = self.get_param(parameter);
                if test(&v, test_type) {
                    String::new()
                } else {
                    self.expand_str(alternative_value.as_deref().unwrap_or(""), host)
                }
            }
            ParameterExpr::ParameterLength { parameter, .. } => {
                self.get_param(parameter).unwrap_or_default().chars().count().to_string()
            }
            ParameterExpr::RemoveSmallestSuffixPattern { parameter, pattern, .. }
            | ParameterExpr::RemoveLargestSuffixPattern { parameter, pattern, .. } => {
                let v = self.get_param(parameter).unwrap_or_default();
                let pat = self.expand_one(pattern.as_deref().unwrap_or(""), host).pat;
                let largest = matches!(pe, ParameterExpr::RemoveLargestSuffixPattern { .. });
                let cuts: Vec<usize> = v.char_indices().map(|(i, _)| i).chain(std::iter::once(v.len())).collect();
                let mut order: Vec<usize> = cuts.clone();
                if !largest {
                    order.reverse();
                }
                for i in order {
                    if glob_match(&pat, &v[i..]) {
                        return v[..i].to_string();
                    }
                }
                v
            }
            ParameterExpr::RemoveSmallestPrefixPattern { parameter, pattern, .. }
            | ParameterExpr::RemoveLargestPrefixPattern { parameter, pattern, .. } => {
                let v = self.get_param(parameter).unwrap_or_default();
                let pat = self.expand_one(pattern.as_deref().unwrap_or(""), host).pat;
                let largest = matches!(pe, ParameterExpr::RemoveLargestPrefixPattern { .. });
                let mut cuts: Vec<usize> = v.char_indices().map(|(i, _)| i).chain(std::iter::once(v.len())).collect();
                if largest {
                    cuts.reverse();
                }
                for i in cuts {
                    if glob_match(&pat, &v[..i]) {
                        return v[i..].to_string();
                    }
                }
                v
            }
            ParameterExpr::Substring { parameter, offset, length, .. } => {
                let v: Vec<char> = self.get_param(parameter).unwrap_or_default().chars().collect();
                let off = self.arith(&offset.value, host).unwrap_or(0);
                let off = if off < 0 { (v.len() as i64 + off).max(0) } else { off.min(v.len() as i64) } as usize;
                let len = match length {
                    Some(l) => {
                        let l = self.arith(&l.value, host).unwrap_or(0);
                        if l < 0 {
                            (v.len() as i64 - off as i64 + l).max(0) as usize
                        } else {
                            l as usize
                        }
                    }
                    None => v.len(),
                };
                v.iter().skip(off).take(len).collect()
            }
            ParameterExpr::ReplaceSubstring { parameter, pattern, replacement, match_kind, .. } => {
                let v = self.get_param(parameter).unwrap_or_default();
                let pat = self.expand_one(pattern, host).pat;
                let rep = self.expand_str(replacement.as_deref().unwrap_or(""), host);
                replace_pattern(&v, &pat, &rep, match_kind)
            }
            ParameterExpr::UppercasePattern { parameter, .. } => {
                self.get_param(parameter).unwrap_or_default().to_uppercase()
            }
            ParameterExpr::LowercasePattern { parameter, .. } => {
                self.get_param(parameter).unwrap_or_default().to_lowercase()
            }
            ParameterExpr::UppercaseFirstChar { parameter, .. } => {
                let v = self.get_param(parameter).unwrap_or_default();
                let mut c = v.chars();
                c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
            }
            ParameterExpr::LowercaseFirstChar { parameter, .. } => {
                let v = self.get_param(parameter).unwrap_or_default();
                let mut c = v.chars();
                c.next().map(|f| f.to_lowercase().chain(c).collect()).unwrap_or_default()
            }
            ParameterExpr::Transform { parameter, .. } => self.get_param(parameter).unwrap_or_default(),
            ParameterExpr::VariableNames { prefix, .. } => {
                self.sh.vars.keys().filter(|k| k.starts_with(prefix.as_str())).cloned().collect::<Vec<_>>().join(" ")
            }
            ParameterExpr::MemberKeys { .. } => "0".into(),
        }
    }

    /// Fields of a word after splitting and globbing (command arguments, `for` lists).
    pub(crate) fn expand_fields(&mut self, raw: &str, host: &mut dyn Host) -> Vec<String> {
        let mut out = Vec::new();
        for f in self.expand_word(raw, true, host) {
            if f.has_glob {
                let m = self.glob(&f.pat, host);
                if !m.is_empty() {
                    out.extend(m);
                    continue;
                }
            }
            out.push(f.text);
        }
        out
    }

    /// A word expanded to one field without splitting (its glob pattern kept).
    fn expand_one(&mut self, raw: &str, host: &mut dyn Host) -> Field {
        let mut fs = self.expand_word(raw, false, host);
        if fs.is_empty() {
            Field::default()
        } else {
            fs.swap_remove(0)
        }
    }

    /// A word expanded to one string (assignments, redirection targets, `case` words).
    pub(crate) fn expand_str(&mut self, raw: &str, host: &mut dyn Host) -> String {
        self.expand_one(raw, host).text
    }

    fn expand_heredoc(&mut self, body: &str, host: &mut dyn Host) -> String {
        let opts = parser_options(self.sh.flavor);
        let Ok(pieces) = brush_parser::word::parse_heredoc(body, &opts) else {
            return body.to_string();
        };
        let mut fs = Fields { done: vec![], cur: Field::default(), split: false };
        for p in pieces {
            match &p.piece {
                WordPiece::EscapeSequence(e) => {
                    let c = e.strip_prefix('\\').unwrap_or(e);
                    if c.starts_with(['$', '`', '\\']) {
                        fs.lit(c, true);
                    } else if c != "\n" {
                        fs.lit(e, true);
                    }
                }
                other => self.expand_piece(other, true, &mut fs, host),
            }
        }
        fs.cur.text
    }

    fn glob(&mut self, pat: &str, host: &mut dyn Host) -> Vec<String> {
        let abs = pat.starts_with('/');
        let mut cands: Vec<String> = vec![String::new()];
        let parts: Vec<&str> = pat.split('/').filter(|p| !p.is_empty()).collect();
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            let mut next = Vec::new();
            for c in &cands {
                let join = |name: &str| {
                    if c.is_empty() {
                        if abs {
                            format!("/{name}")
                        } else {
                            name.to_string()
                        }
                    } else {
                        format!("{c}/{name}")
                    }
                };
                if part.contains(['*', '?', '[']) {
                    let dir = if c.is_empty() {
                        if abs {
                            "/".to_string()
                        } else {
                            self.sh.cwd.clone()
                        }
                    } else {
                        self.sh.resolve(c)
                    };
                    let Ok(names) = host.fs().list(&dir) else {
                        continue;
                    };
                    for n in names {
                        if n.starts_with('.') && !part.starts_with('.') {
                            continue;
                        }
                        if glob_match(part, &n) {
                            let p = join(&n);
                            if last || host.fs().is_dir(&self.sh.resolve(&p)) {
                                next.push(p);
                            }
                        }
                    }
                } else {
                    let lit = unescape_pat(part);
                    let p = join(&lit);
                    if host.fs().exists(&self.sh.resolve(&p)) {
                        next.push(p);
                    }
                }
            }
            cands = next;
        }
        cands.sort();
        cands
    }

    // -----------------------------------------------------------------------------------
    // Arithmetic and [[ ]]

    fn arith(&mut self, src: &str, host: &mut dyn Host) -> Result<i64, String> {
        let expanded = self.expand_heredoc(src, host);
        let e = brush_parser::arithmetic::parse(&expanded).map_err(|_| expanded.trim().to_string())?;
        eval_arith(&e, &mut self.sh)
    }

    fn ext_test(&mut self, e: &ast::ExtendedTestExpr, host: &mut dyn Host) -> bool {
        use ast::ExtendedTestExpr as E;
        match e {
            E::And(a, b) => self.ext_test(a, host) && self.ext_test(b, host),
            E::Or(a, b) => self.ext_test(a, host) || self.ext_test(b, host),
            E::Not(a) => !self.ext_test(a, host),
            E::Parenthesized(a) => self.ext_test(a, host),
            E::UnaryTest(p, w) => {
                let v = self.expand_str(&w.value, host);
                let mut ctx_fs = |path: &str| {
                    let p = self.sh.resolve(path);
                    host.fs().stat(&p).ok()
                };
                builtins::unary_test(p, &v, &mut ctx_fs, &self.sh)
            }
            E::BinaryTest(p, l, r) => {
                let l = self.expand_str(&l.value, host);
                use ast::BinaryPredicate as B;
                if matches!(p, B::StringExactlyMatchesPattern | B::StringDoesNotExactlyMatchPattern) {
                    let pat = self.expand_one(&r.value, host).pat;
                    return glob_match(&pat, &l) == matches!(p, B::StringExactlyMatchesPattern);
                }
                let r = self.expand_str(&r.value, host);
                builtins::binary_test(p, &l, &r)
            }
        }
    }
}

fn eval_arith(e: &ast::ArithmeticExpr, sh: &mut Shell) -> Result<i64, String> {
    use ast::ArithmeticExpr as A;
    use ast::BinaryOperator as B;
    fn target_name(t: &ast::ArithmeticTarget) -> String {
        match t {
            ast::ArithmeticTarget::Variable(n) => n.clone(),
            ast::ArithmeticTarget::ArrayElement(n, _) => n.clone(),
        }
    }
    fn var(sh: &Shell, n: &str) -> i64 {
        sh.get(n).and_then(|v| v.trim().parse().ok()).unwrap_or(0)
    }
    fn bin(op: B, a: i64, b: i64) -> Result<i64, String> {
        Ok(match op {
            B::Power => a.wrapping_pow(b.clamp(0, 64) as u32),
            B::Multiply => a.wrapping_mul(b),
            B::Divide | B::Modulo if b == 0 => return Err("divide by zero".into()),
            B::Divide => a.wrapping_div(b),
            B::Modulo => a.wrapping_rem(b),
            B::Comma => b,
            B::Add => a.wrapping_add(b),
            B::Subtract => a.wrapping_sub(b),
            B::ShiftLeft => a.wrapping_shl(b as u32),
            B::ShiftRight => a.wrapping_shr(b as u32),
            B::LessThan => i64::from(a < b),
            B::LessThanOrEqualTo => i64::from(a <= b),
            B::GreaterThan => i64::from(a > b),
            B::GreaterThanOrEqualTo => i64::from(a >= b),
            B::Equals => i64::from(a == b),
            B::NotEquals => i64::from(a != b),
            B::BitwiseAnd => a & b,
            B::BitwiseXor => a ^ b,
            B::BitwiseOr => a | b,
            B::LogicalAnd => i64::from(a != 0 && b != 0),
            B::LogicalOr => i64::from(a != 0 || b != 0),
        })
    }
    Ok(match e {
        A::Literal(v) => *v,
        A::Reference(t) => var(sh, &target_name(t)),
        A::UnaryOp(op, x) => {
            let v = eval_arith(x, sh)?;
            match op {
                ast::UnaryOperator::UnaryPlus => v,
                ast::UnaryOperator::UnaryMinus => v.wrapping_neg(),
                ast::UnaryOperator::BitwiseNot => !v,
                ast::UnaryOperator::LogicalNot => i64::from(v == 0),
            }
        }
        A::BinaryOp(B::LogicalAnd, a, b) => i64::from(eval_arith(a, sh)? != 0 && eval_arith(b, sh)? != 0),
        A::BinaryOp(B::LogicalOr, a, b) => i64::from(eval_arith(a, sh)? != 0 || eval_arith(b, sh)? != 0),
        A::BinaryOp(op, a, b) => {
            let a = eval_arith(a, sh)?;
            let b = eval_arith(b, sh)?;
            bin(*op, a, b)?
        }
        A::Conditional(c, a, b) => {
            if eval_arith(c, sh)? != 0 {
                eval_arith(a, sh)?
            } else {
                eval_arith(b, sh)?
            }
        }
        A::Assignment(t, x) => {
            let v = eval_arith(x, sh)?;
            sh.set(&target_name(t), v.to_string());
            v
        }
        A::BinaryAssignment(op, t, x) => {
            let n = target_name(t);
            let v = bin(*op, var(sh, &n), eval_arith(x, sh)?)?;
            sh.set(&n, v.to_string());
            v
        }
        A::UnaryAssignment(op, t) => {
            let n = target_name(t);
            let old = var(sh, &n);
            use ast::UnaryAssignmentOperator as U;
            let (new, ret) = match op {
                U::PrefixIncrement => (old.wrapping_add(1), old.wrapping_add(1)),
                U::PrefixDecrement => (old.wrapping_sub(1), old.wrapping_sub(1)),
                U::PostfixIncrement => (old.wrapping_add(1), old),
                U::PostfixDecrement => (old.wrapping_sub(1), old),
            };
            sh.set(&n, new.to_string());
            ret
        }
    })
}

fn unescape_c(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('e') => out.push('\x1b'),
            Some('0') => out.push('\0'),
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    out
}

fn unescape_pat(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            if let Some(n) = it.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Shell pattern matching: `*`, `?`, `[abc]`, `[a-z]`, `[!x]`, backslash escapes.
pub(crate) fn glob_match(pat: &str, s: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    let t: Vec<char> = s.chars().collect();
    fn class(p: &[char], mut i: usize, c: char) -> Option<(bool, usize)> {
        // p[i] is just after '['
        let neg = matches!(p.get(i), Some('!') | Some('^'));
        if neg {
            i += 1;
        }
        let mut hit = false;
        let mut first = true;
        while i < p.len() {
            let a = p[i];
            if a == ']' && !first {
                return Some((hit != neg, i + 1));
            }
            first = false;
            if p.get(i + 1) == Some(&'-') && p.get(i + 2).map(|&e| e != ']').unwrap_or(false) {
                let e = p[i + 2];
                if a <= c && c <= e {
                    hit = true;
                }
                i += 3;
            } else {
                if a == c {
                    hit = true;
                }
                i += 1;
            }
        }
        None
    }
    // Iterative matcher with backtracking on the last '*'.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        let step = match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
                continue;
            }
            Some('?') => Some(pi + 1),
            Some('[') => match class(&p, pi + 1, t[ti]) {
                Some((true, next)) => Some(next),
                Some((false, _)) => None,
                None => (t[ti] == '[').then_some(pi + 1),
            },
            Some('\\') => (p.get(pi + 1) == Some(&t[ti])).then_some(pi + 2),
            Some(&c) => (c == t[ti]).then_some(pi + 1),
            None => None,
        };
        match step {
            Some(n) => {
                pi = n;
                ti += 1;
            }
            None => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    while p.get(pi) == Some(&'*') {
        pi += 1;
    }
    pi == p.len()
}

fn replace_pattern(v: &str, pat: &str, rep: &str, kind: &brush_parser::word::SubstringMatchKind) -> String {
    use brush_parser::word::SubstringMatchKind as K;
    let idx: Vec<usize> = v.char_indices().map(|(i, _)| i).chain(std::iter::once(v.len())).collect();
    // Longest match starting at `s`.
    let longest = |s: usize| idx.iter().rev().copied().find(|&e| e >= s && e > s && glob_match(pat, &v[s..e]));
    match kind {
        K::Prefix => match longest(0) {
            Some(e) => format!("{rep}{}", &v[e..]),
            None => v.to_string(),
        },
        K::Suffix => {
            for &s in &idx {
                if s < v.len() && glob_match(pat, &v[s..]) {
                    return format!("{}{rep}", &v[..s]);
                }
            }
            v.to_string()
        }
        K::FirstOccurrence | K::Anywhere => {
            let mut out = String::new();
            let mut s = 0;
            let mut done = false;
            while s < v.len() {
                if !done {
                    if let Some(e) = longest(s) {
                        out.push_str(rep);
                        s = e;
                        done = matches!(kind, K::FirstOccurrence);
                        continue;
                    }
                }
                let ch = v[s..].chars().next().unwrap_or(' ');
                out.push(ch);
                s += ch.len_utf8();
            }
            out
        }
    }
}
