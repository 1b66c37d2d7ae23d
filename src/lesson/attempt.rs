//! An attempt at a lesson or exam: the learner's workstation on the scenario's cluster, the
//! steps' progress, the `during` windows and fault timeline watched at every tick, and the
//! session log that lets the attempt be replayed and re-graded.
//!
//! Lessons are sequential: the current step's checks are evaluated after every command and
//! every idle tick; when they all pass at once, the step is done (its results are kept as
//! they were at that moment) and the next step starts. Exam tasks are independent: they are
//! evaluated when the attempt is graded (or whenever the TUI asks, for live marks).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;

use super::check::{self, CommandResult};
use super::model::{Check, Fault, Lesson, Scenario, Step, Window};
use super::scenario::{self, SetupFailure};
use super::session::{Event, SessionLog};
use crate::kubectl::Client;
use crate::shell::workstation::{split_commands, Workstation};
use crate::shell::MemFs;
use crate::sim::{Tick, TickObserver, World};

/// One check's result at one moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    pub name: String,
    pub passed: bool,
    /// For the learner (the check's `explain`, filled in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For the author: which comparison failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub command: String,
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
    /// Ticks since the attempt started when this result was taken.
    pub tick: u64,
    /// Whether the check is also watched over a window (`during`).
    pub during: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum StepStatus {
    Pending,
    Current,
    Done,
}

/// Where a step stands.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepState {
    pub status: StepStatus,
    pub started_at: Option<u64>,
    pub done_at: Option<u64>,
    /// The latest evaluation (for a done step: the one that completed it).
    pub results: Vec<CheckResult>,
}

/// A fault of the scenario's timeline, as it was applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FaultRecord {
    pub at: u64,
    pub command: String,
    pub output: String,
    pub ok: bool,
}

/// A `during` check being watched.
struct WindowWatch {
    step: usize,
    check: usize,
    def: Check,
    client: Client,
    from: u64,
    to: Option<u64>,
    open: bool,
    failure: Option<CheckResult>,
}

/// What the tick observer shares with the attempt.
struct Watch {
    start: Tick,
    /// The learner's files as of the last command (checks may read them).
    fs: MemFs,
    faults: Vec<Fault>,
    /// Which of `faults` have struck (each cluster reaches its own at its own tick).
    applied: Vec<bool>,
    fault_log: Vec<FaultRecord>,
    windows: Vec<WindowWatch>,
}

impl Watch {
    /// Applies the faults due by `rel` that strike `cluster` (whose world is `world`).
    fn apply_faults(&mut self, world: &mut World, cluster: &str, rel: u64) {
        for (i, f) in self.faults.iter().enumerate() {
            if f.at > rel {
                break;
            }
            if self.applied[i] || f.cluster != cluster {
                continue;
            }
            let (output, code) = crate::sim::faults::chaos_command(world, &f.argv);
            self.fault_log.push(FaultRecord {
                at: rel,
                command: format!("chaos {}", f.argv.join(" ")),
                output,
                ok: code == 0,
            });
            self.applied[i] = true;
        }
    }

    /// Evaluates the open windows of checks set in `cluster`.
    fn observe(&mut self, world: &mut World, cluster: &str, rel: u64) {
        let Watch { fs, windows, .. } = self;
        for w in windows.iter_mut() {
            if !w.open || w.failure.is_some() || rel < w.from || w.to.is_some_and(|t| rel > t) {
                continue;
            }
            if w.client.cluster != cluster {
                continue;
            }
            let r = check::run_command(world, fs, &w.client, &w.def.run);
            let v = check::judge(&w.def, &r, rel);
            if !v.passed {
                w.failure = Some(result(&w.def, &r, v, rel));
            }
        }
    }
}

/// Watches one cluster's ticks (every cluster of the scenario has one).
struct Observer {
    watch: Arc<Mutex<Watch>>,
    cluster: String,
}

impl TickObserver for Observer {
    fn after_tick(&mut self, world: &mut World) {
        let mut w = lock(&self.watch);
        let rel = world.now.since(w.start);
        w.apply_faults(world, &self.cluster, rel);
        w.observe(world, &self.cluster, rel);
    }
}

fn lock(m: &Mutex<Watch>) -> MutexGuard<'_, Watch> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn result(def: &Check, r: &CommandResult, v: check::Verdict, tick: u64) -> CheckResult {
    CheckResult {
        name: def.name.clone(),
        passed: v.passed,
        reason: v.reason,
        detail: v.detail,
        command: def.run.clone(),
        stdout: r.stdout.clone(),
        stderr: r.stderr.clone(),
        exit_code: r.exit_code,
        tick,
        during: def.during.is_some(),
    }
}

/// An attempt in progress.
pub struct Attempt {
    lesson: Arc<Lesson>,
    ws: Workstation,
    seed: u64,
    start: Tick,
    steps: Vec<StepState>,
    watch: Arc<Mutex<Watch>>,
    events: Vec<Event>,
    flags: BTreeSet<String>,
    /// Commands refused because the exam's time was up.
    refused: usize,
}

impl Attempt {
    /// Builds the scenario's world (seed: the scenario's unless given), runs its setup and
    /// starts the lesson.
    pub fn start(lesson: Arc<Lesson>, seed: Option<u64>) -> Result<Attempt, SetupFailure> {
        let seed = seed.unwrap_or(lesson.scenario.seed);
        let ws = scenario::build(&lesson.scenario, seed)?;
        let start = ws.world.now;
        let watch = Watch {
            start,
            fs: ws.fs.clone(),
            faults: lesson.scenario.faults.clone(),
            applied: vec![false; lesson.scenario.faults.len()],
            fault_log: Vec::new(),
            windows: Vec::new(),
        };
        let steps = lesson
            .steps
            .iter()
            .map(|_| StepState { status: StepStatus::Pending, started_at: None, done_at: None, results: Vec::new() })
            .collect();
        let mut a = Attempt {
            lesson,
            ws,
            seed,
            start,
            steps,
            watch: Arc::new(Mutex::new(watch)),
            events: Vec::new(),
            flags: BTreeSet::new(),
            refused: 0,
        };
        {
            let mut w = lock(&a.watch);
            for (name, world) in a.ws.worlds_mut() {
                let rel = world.now.since(start);
                w.apply_faults(world, name, rel);
            }
        }
        // Windows in ticks are fixed from the start; step windows open with their step.
        for (si, step) in a.lesson.steps.iter().enumerate() {
            for (ci, c) in step.checks.iter().enumerate() {
                if let Some(Window::Ticks { from, to }) = c.during {
                    let client = a.client_for(step);
                    lock(&a.watch).windows.push(WindowWatch {
                        step: si,
                        check: ci,
                        def: c.clone(),
                        client,
                        from,
                        to,
                        open: true,
                        failure: None,
                    });
                }
            }
        }
        let watch = a.watch.clone();
        for (name, world) in a.ws.worlds_mut() {
            world.observer = Some(Box::new(Observer { watch: watch.clone(), cluster: name.to_string() }));
        }
        if a.lesson.is_exam() {
            for i in 0..a.steps.len() {
                a.begin_step(i);
            }
        } else if !a.steps.is_empty() {
            a.begin_step(0);
            a.settle();
        }
        Ok(a)
    }

    /// A scenario on its own (`kubedojo run/play <scenario>`): an attempt with no steps.
    pub fn sandbox(scenario: Arc<Scenario>, seed: Option<u64>) -> Result<Attempt, SetupFailure> {
        let lesson = Lesson {
            id: scenario.id.clone(),
            title: scenario.title.clone(),
            domain: None,
            difficulty: super::model::Difficulty::Beginner,
            minutes: 0,
            prerequisites: vec![],
            scenario: scenario.clone(),
            intro: scenario.description.clone(),
            steps: vec![],
            debrief: String::new(),
            exam: None,
            loc: scenario.loc.clone(),
        };
        Attempt::start(Arc::new(lesson), seed)
    }

    /// Replays a session log: the same commands at the same ticks, so the attempt ends as
    /// the recorded one did.
    pub fn replay(lesson: Arc<Lesson>, log: &SessionLog) -> Result<Attempt, String> {
        if log.target != lesson.id {
            return Err(format!("the session is an attempt at \"{}\", not at \"{}\"", log.target, lesson.id));
        }
        let mut a = Attempt::start(lesson, Some(log.seed)).map_err(|e| e.to_string())?;
        for e in &log.events {
            while a.ticks() < e.tick() {
                a.tick();
            }
            match e {
                Event::Run { command, .. } => {
                    a.run(command);
                }
                Event::Flag { task, on, .. } => a.set_flag(task, *on),
                Event::End { .. } => {}
            }
        }
        Ok(a)
    }

    /// The kubeconfig a check of `step` runs with: the scenario's, switched to the step's
    /// context (validation made sure it exists) and namespace. Its cluster is the world the
    /// check reads.
    fn client_for(&self, step: &Step) -> Client {
        let mut client = scenario::kubeconfig(&self.lesson.scenario);
        if let Some(c) = &step.context {
            client.use_context(c);
        }
        if let Some(ns) = &step.namespace {
            client.namespace = ns.clone();
        }
        client
    }

    fn begin_step(&mut self, i: usize) {
        let now = self.ticks();
        self.steps[i].status = StepStatus::Current;
        self.steps[i].started_at = Some(now);
        let step = self.lesson.steps[i].clone();
        for (ci, c) in step.checks.iter().enumerate() {
            if c.during == Some(Window::Step) {
                let client = self.client_for(&step);
                lock(&self.watch).windows.push(WindowWatch {
                    step: i,
                    check: ci,
                    def: c.clone(),
                    client,
                    from: now,
                    to: None,
                    open: true,
                    failure: None,
                });
            }
        }
    }

    /// Lessons: completes the current step (and the next, and so on) while its checks pass.
    fn settle(&mut self) {
        if self.lesson.is_exam() {
            return;
        }
        while let Some(i) = self.current_step() {
            let results = self.evaluate(i);
            let done = results.iter().all(|r| r.passed);
            self.steps[i].results = results;
            if !done {
                break;
            }
            let now = self.ticks();
            self.steps[i].status = StepStatus::Done;
            self.steps[i].done_at = Some(now);
            for w in lock(&self.watch).windows.iter_mut().filter(|w| w.step == i && w.to.is_none()) {
                w.open = false;
                w.to = Some(now);
            }
            if i + 1 < self.steps.len() {
                self.begin_step(i + 1);
            }
        }
    }

    /// Evaluates step `i`'s checks now (live marks; does not change the step's state).
    pub fn evaluate(&mut self, i: usize) -> Vec<CheckResult> {
        let step = self.lesson.steps[i].clone();
        let client = self.client_for(&step);
        let now = self.ticks();
        let mut out = Vec::new();
        for (ci, c) in step.checks.iter().enumerate() {
            let r = match self.ws.world_and_fs(&client.cluster) {
                Some((world, fs)) => check::run_command(world, fs, &client, &c.run),
                None => CommandResult {
                    stderr: crate::shell::workstation::NO_SERVER.to_string(),
                    exit_code: 1,
                    ..CommandResult::default()
                },
            };
            let v = check::judge(c, &r, now);
            let mut res = result(c, &r, v, now);
            if res.passed && c.during.is_some() {
                let w = lock(&self.watch);
                if let Some(win) = w.windows.iter().find(|w| w.step == i && w.check == ci) {
                    if let Some(f) = &win.failure {
                        res = f.clone();
                        let why = f.reason.clone().unwrap_or_default();
                        res.reason = Some(format!("at tick {}: {why}", f.tick));
                    } else if now < win.from {
                        res.passed = false;
                        res.reason = Some(format!("this must hold from tick {} on; it is tick {now}", win.from));
                    } else if let Some(to) = win.to.filter(|t| now < *t) {
                        res.passed = false;
                        res.reason = Some(format!("this must hold until tick {to}; it is tick {now}"));
                    }
                    if !res.passed && res.detail.is_none() {
                        res.detail = res.reason.clone();
                    }
                }
            }
            out.push(res);
        }
        out
    }

    /// Runs one command line (a heredoc may span lines) as the learner typed it and returns
    /// what the terminal shows. Commands that wait advance the cluster.
    pub fn run(&mut self, line: &str) -> String {
        if self.time_is_up() {
            self.refused += 1;
            return "kubedojo: the exam's time is up; nothing more can be changed\n".to_string();
        }
        let tick = self.ticks();
        self.events.push(Event::Run { tick, command: line.trim_end_matches('\n').to_string() });
        lock(&self.watch).fs = self.ws.fs.clone();
        let mut text = line.to_string();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let out = self.ws.execute(&text);
        self.settle();
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Runs a whole script as [`run`](Self::run) would, command by command, and returns the
    /// transcript (`$ line`, `> continuation`, output), like `kubedojo run`.
    pub fn run_script(&mut self, script: &str) -> String {
        let mut t = String::new();
        for cmd in split_commands(script) {
            for (i, line) in cmd.iter().enumerate() {
                t.push_str(if i == 0 { "$ " } else { "> " });
                t.push_str(line);
                t.push('\n');
            }
            t.push_str(&self.run(&cmd.join("\n")));
        }
        t
    }

    /// One tick of idle time (the TUI's clock while the learner reads or thinks).
    pub fn tick(&mut self) {
        self.ws.tick();
        self.settle();
    }

    /// Flags an exam task for review (or clears the flag). Recorded in the session.
    pub fn set_flag(&mut self, task: &str, on: bool) {
        let tick = self.ticks();
        self.events.push(Event::Flag { tick, task: task.to_string(), on });
        if on {
            self.flags.insert(task.to_string());
        } else {
            self.flags.remove(task);
        }
    }

    pub fn flags(&self) -> &BTreeSet<String> {
        &self.flags
    }

    /// Ticks since the attempt started.
    pub fn ticks(&self) -> u64 {
        self.ws.world.now.since(self.start)
    }

    /// Exams: whether the simulated time limit has passed.
    pub fn time_is_up(&self) -> bool {
        self.lesson.exam.as_ref().is_some_and(|e| self.ticks() >= u64::from(e.time_limit_minutes) * 60)
    }

    /// Commands refused after the time limit.
    pub fn refused(&self) -> usize {
        self.refused
    }

    pub fn lesson(&self) -> &Arc<Lesson> {
        &self.lesson
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Lessons: the step being worked on (`None` when all are done, and for exams).
    pub fn current_step(&self) -> Option<usize> {
        if self.lesson.is_exam() {
            return None;
        }
        self.steps.iter().position(|s| s.status == StepStatus::Current)
    }

    pub fn steps(&self) -> &[StepState] {
        &self.steps
    }

    /// Lessons: every step done.
    pub fn completed(&self) -> bool {
        !self.steps.is_empty() && self.steps.iter().all(|s| s.status == StepStatus::Done)
    }

    /// The faults applied so far.
    pub fn faults(&self) -> Vec<FaultRecord> {
        lock(&self.watch).fault_log.clone()
    }

    /// The cluster and the learner's files (for views; change them only through `run`).
    pub fn workstation(&self) -> &Workstation {
        &self.ws
    }

    /// The workstation for commands that only read, such as the TUI's describe, YAML and logs
    /// views: kubectl's entry point takes the cluster mutably, but these commands change
    /// nothing, so they are not part of the session. Changes go through [`run`](Self::run).
    pub fn workstation_for_reading(&mut self) -> &mut Workstation {
        &mut self.ws
    }

    pub fn world(&self) -> &World {
        &self.ws.world
    }

    /// The events so far (the TUI appends each new one to the session file with
    /// [`SessionLog::event_line`] as it happens).
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The session so far, ending now: replaying it gives this attempt.
    pub fn session(&self) -> SessionLog {
        let mut events = self.events.clone();
        events.push(Event::End { tick: self.ticks() });
        SessionLog { target: self.lesson.id.clone(), seed: self.seed, events }
    }

    /// The results to grade: done steps as they were completed, the others evaluated now.
    pub fn final_results(&mut self) -> Vec<Vec<CheckResult>> {
        (0..self.steps.len())
            .map(|i| {
                if self.steps[i].status == StepStatus::Done {
                    self.steps[i].results.clone()
                } else {
                    self.evaluate(i)
                }
            })
            .collect()
    }
}
