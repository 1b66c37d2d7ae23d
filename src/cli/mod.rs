//! The `kubedojo` command line (DESIGN §10 — a stable contract that tests and graders rely
//! on): `run` plays a script against a scenario or lesson and prints the transcript, `grade`
//! grades an attempt at a lesson, `check` validates content and proves every reference
//! solution, `list` shows the course with the learner's progress. With no subcommand the TUI
//! opens on the course (the lesson picker); `play` opens it on one lesson or scenario. `bench`
//! measures the engine at scale (`cli::bench`).
//!
//! Every subcommand takes `--content DIR` to use a working copy of the course (DIR/lessons,
//! DIR/scenarios) instead of the one embedded in the binary.

pub mod bench;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{ArgGroup, Parser, Subcommand, ValueEnum};

use crate::lesson::content::{load_sources, Course, Loaded, Target};
use crate::lesson::load::{dir_sources, embedded_sources, path_sources, SourceFile};
use crate::lesson::{diag, Attempt, Lesson, ProgressStore, Report, SessionLog};
use crate::sim::World;
use crate::tui;

#[derive(Parser, Debug)]
#[command(name = "kubedojo", version, about = "An offline Kubernetes training simulator for the terminal")]
struct Cli {
    /// Use the course in DIR (DIR/lessons, DIR/scenarios) instead of the embedded one.
    #[arg(long, global = true, value_name = "DIR")]
    content: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    Junit,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run a script of shell commands (kubectl, `sleep N`...) against a simulated cluster
    /// and print the transcript.
    Run {
        /// `empty` (the default three-node cluster), or a scenario or lesson id or path.
        target: String,
        /// The script to run (`-` for standard input).
        #[arg(long)]
        script: String,
        /// Seed of the cluster's random choices (names, IPs, tie-breaks); default: the
        /// scenario's own (1 for `empty`).
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Open the TUI on one lesson or scenario.
    Play {
        target: String,
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Grade an attempt at a lesson or exam; exit 0 only if every check passes.
    #[command(group(ArgGroup::new("attempt").required(true).args(["script", "session", "solution"])))]
    Grade {
        /// A lesson or exam id or path.
        lesson: String,
        /// A script of the learner's commands (`-` for standard input).
        #[arg(long)]
        script: Option<String>,
        /// A session log saved by the TUI (replayed at its recorded ticks).
        #[arg(long)]
        session: Option<String>,
        /// The lesson's own reference solution.
        #[arg(long)]
        solution: bool,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Write the report here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Validate lesson, exam and scenario files (default: the whole course) and run every
    /// reference solution; exit 1 with file:line:col errors.
    Check { paths: Vec<PathBuf> },
    /// List lessons by CKAD domain, with progress.
    List,
    /// Scale benchmark: N nodes, M pods as Deployments of 100 replicas with a Service each,
    /// converged, then T steady ticks with churn; prints its figures as `key: value` lines.
    Bench {
        /// Nodes in the cluster.
        #[arg(long, default_value_t = 5_000)]
        nodes: u64,
        /// Pods, as Deployments of 100 replicas.
        #[arg(long, default_value_t = 150_000)]
        pods: u64,
        /// Steady ticks (simulated seconds) measured after convergence.
        #[arg(long, default_value_t = 100)]
        ticks: u64,
        /// Seed of the cluster's random choices and of the churn.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Run 1,000/30,000, 5,000/150,000 and 15,000/450,000 (nodes/pods) in turn.
        #[arg(long)]
        sweep: bool,
    },
}

/// Runs the command line; returns the process exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let content = cli.content.as_deref();
    match cli.command {
        None => picker(content),
        Some(Cmd::Run { target, script, seed }) => run(content, &target, &script, seed),
        Some(Cmd::Play { target, seed }) => play(content, &target, seed),
        Some(Cmd::Grade { lesson, script, session, solution, format, out }) => {
            grade(content, &lesson, script.as_deref(), session.as_deref(), solution, format, out.as_deref())
        }
        Some(Cmd::Check { paths }) => check(content, &paths),
        Some(Cmd::List) => list(content),
        Some(Cmd::Bench { nodes, pods, ticks, seed, sweep }) => {
            bench::main(bench::Config { nodes, pods, ticks, seed }, sweep)
        }
    }
}

/// The TUI's options from the environment (`NO_COLOR`).
fn tui_options(title: &str) -> tui::Options {
    tui::Options { color: tui::color_allowed(), title: title.to_string() }
}

/// `kubedojo`: the TUI's lesson picker on the course, with the learner's progress.
fn picker(content: Option<&Path>) -> i32 {
    let course = match course("kubedojo", content) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let persist = tui::persist::Persist::new(ProgressStore::open_default());
    let (progress, problems) = persist.progress();
    for p in problems {
        eprintln!("kubedojo: {p}");
    }
    let picker = tui::picker::Picker::new(&course, progress);
    tui::run_app(tui::App::with_picker(picker, tui_options("the CKAD course")), persist)
}

/// `kubedojo play <lesson|scenario|empty>`: the TUI on one target.
fn play(content: Option<&Path>, name: &str, seed: Option<u64>) -> i32 {
    if name == "empty" {
        return tui::run(World::new(seed.unwrap_or(1)), tui_options("default cluster"));
    }
    let t = match target("play", content, name) {
        Ok(t) => t,
        Err(c) => return c,
    };
    let a = match start("play", &t, seed) {
        Ok(a) => a,
        Err(c) => return c,
    };
    let title = a.lesson().title.clone();
    let persist = tui::persist::Persist::new(ProgressStore::open_default());
    tui::run_app(tui::App::with_attempt(a, tui_options(&title)), persist)
}

fn print(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

/// The content files the course is read from: embedded, or `--content DIR`.
fn base_sources(content: Option<&Path>) -> Result<Vec<SourceFile>, String> {
    match content {
        None => Ok(embedded_sources()),
        Some(dir) => dir_sources(dir),
    }
}

/// Loads the course; problems in it are printed (the valid lessons stay usable).
fn course(cmd: &str, content: Option<&Path>) -> Result<Course, i32> {
    let sources = base_sources(content).map_err(|e| {
        eprintln!("kubedojo {cmd}: {e}");
        2
    })?;
    let loaded = load_sources(sources, Vec::new());
    report_diagnostics(&loaded);
    Ok(loaded.course)
}

fn report_diagnostics(loaded: &Loaded) {
    if !loaded.diagnostics.is_empty() {
        eprint!("{}", diag::render(&loaded.diagnostics));
    }
}

/// A target named by id, or by the path of a content file (read over the course so that
/// its references resolve).
fn target(cmd: &str, content: Option<&Path>, name: &str) -> Result<Target, i32> {
    let path = Path::new(name);
    if (name.ends_with(".yaml") || name.ends_with(".yml")) && path.is_file() {
        let background = base_sources(content).map_err(|e| {
            eprintln!("kubedojo {cmd}: {e}");
            2
        })?;
        let primary = path_sources(&[path.to_path_buf()]).map_err(|e| {
            eprintln!("kubedojo {cmd}: {e}");
            2
        })?;
        let loaded = load_sources(primary, background);
        if !loaded.is_ok() {
            eprint!("{}", diag::render(&loaded.diagnostics));
            return Err(2);
        }
        let id = loaded.primary_ids.iter().next().cloned().unwrap_or_default();
        return loaded.course.target(&id).ok_or(2);
    }
    let course = course(cmd, content)?;
    course.target(name).ok_or_else(|| {
        eprintln!("kubedojo {cmd}: unknown lesson or scenario \"{name}\" (see `kubedojo list`)");
        2
    })
}

fn read_input(cmd: &str, what: &str) -> Result<String, i32> {
    if what == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| {
            eprintln!("kubedojo {cmd}: cannot read standard input: {e}");
            2
        })?;
        return Ok(s);
    }
    std::fs::read_to_string(what).map_err(|e| {
        eprintln!("kubedojo {cmd}: cannot read {what}: {e}");
        2
    })
}

fn start(cmd: &str, t: &Target, seed: Option<u64>) -> Result<Attempt, i32> {
    let a = match t {
        Target::Lesson(l) => Attempt::start(l.clone(), seed),
        Target::Scenario(s) => Attempt::sandbox(s.clone(), seed),
    };
    a.map_err(|e| {
        eprintln!("kubedojo {cmd}: {e}");
        2
    })
}

fn run(content: Option<&Path>, name: &str, script: &str, seed: Option<u64>) -> i32 {
    let text = match read_input("run", script) {
        Ok(t) => t,
        Err(c) => return c,
    };
    let t = if name == "empty" {
        Target::Scenario(Arc::new(crate::lesson::Scenario::empty()))
    } else {
        match target("run", content, name) {
            Ok(t) => t,
            Err(c) => return c,
        }
    };
    let mut a = match start("run", &t, seed) {
        Ok(a) => a,
        Err(c) => return c,
    };
    print(&a.run_script(&text));
    0
}

fn lesson_target(cmd: &str, content: Option<&Path>, name: &str) -> Result<Arc<Lesson>, i32> {
    match target(cmd, content, name)? {
        Target::Lesson(l) => Ok(l),
        Target::Scenario(_) => {
            eprintln!("kubedojo {cmd}: \"{name}\" is a scenario; give a lesson or exam");
            Err(2)
        }
    }
}

fn grade(
    content: Option<&Path>,
    name: &str,
    script: Option<&str>,
    session: Option<&str>,
    solution: bool,
    format: Format,
    out: Option<&Path>,
) -> i32 {
    let lesson = match lesson_target("grade", content, name) {
        Ok(l) => l,
        Err(c) => return c,
    };
    let attempt = if let Some(path) = session {
        let text = match read_input("grade", path) {
            Ok(t) => t,
            Err(c) => return c,
        };
        let log = match SessionLog::parse(&text, path) {
            Ok((log, warnings)) => {
                for w in warnings {
                    eprintln!("kubedojo grade: warning: {w}");
                }
                log
            }
            Err(e) => {
                eprintln!("kubedojo grade: {e}");
                return 2;
            }
        };
        Attempt::replay(lesson, &log).map_err(|e| format!("kubedojo grade: {e}"))
    } else {
        let text = if solution {
            lesson.solution_script()
        } else {
            match read_input("grade", script.unwrap_or("-")) {
                Ok(t) => t,
                Err(c) => return c,
            }
        };
        Attempt::start(lesson, None)
            .map(|mut a| {
                a.run_script(&text);
                a
            })
            .map_err(|e| format!("kubedojo grade: {e}"))
    };
    let mut a = match attempt {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return 2;
        }
    };
    let report = Report::of(&mut a);
    let text = match format {
        Format::Text => report.to_text(),
        Format::Json => report.to_json(),
        Format::Junit => report.to_junit(),
    };
    match out {
        Some(p) => {
            if let Err(e) = std::fs::write(p, text) {
                eprintln!("kubedojo grade: cannot write {}: {e}", p.display());
                return 2;
            }
        }
        None => print(&text),
    }
    if report.all_passed() {
        0
    } else {
        1
    }
}

/// Proves a lesson: its reference solution passes every check (within the time limit for
/// exams), and an attempt where nothing is done passes none of the checks that describe
/// the goal (checks watched over a window may hold in an untouched cluster).
pub fn prove(lesson: &Arc<Lesson>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut a = match Attempt::start(lesson.clone(), None) {
        Ok(a) => a,
        Err(e) => return vec![e.to_string()],
    };
    a.run_script(&lesson.solution_script());
    let report = Report::of(&mut a);
    for (step, st) in lesson.steps.iter().zip(&report.steps) {
        for c in st.checks.iter().filter(|c| !c.passed) {
            problems.push(format!(
                "{}: {} \"{}\": check \"{}\" fails after the reference solution: {}",
                step.solution_loc,
                if lesson.is_exam() { "task" } else { "step" },
                step.id,
                c.name,
                c.detail.clone().or(c.reason.clone()).unwrap_or_default()
            ));
        }
    }
    if a.refused() > 0 {
        problems.push(format!("{}: the reference solution does not finish within the time limit", lesson.loc));
    }
    for f in a.faults().iter().filter(|f| !f.ok) {
        problems.push(format!(
            "{}: fault at tick {} (`{}`) failed: {}",
            lesson.scenario.loc,
            f.at,
            f.command,
            f.output.trim()
        ));
    }
    let mut empty = match Attempt::start(lesson.clone(), None) {
        Ok(a) => a,
        Err(e) => return vec![e.to_string()],
    };
    let results = empty.final_results();
    for (step, checks) in lesson.steps.iter().zip(results) {
        for (def, c) in step.checks.iter().zip(checks) {
            if c.passed && def.during.is_none() {
                problems.push(format!("{}: check \"{}\" passes before the learner has done anything", def.loc, c.name));
            }
        }
    }
    problems
}

fn check(content: Option<&Path>, paths: &[PathBuf]) -> i32 {
    let loaded = if paths.is_empty() {
        match base_sources(content) {
            Ok(s) => load_sources(s, Vec::new()),
            Err(e) => {
                eprintln!("kubedojo check: {e}");
                return 2;
            }
        }
    } else {
        let background = match base_sources(content) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("kubedojo check: {e}");
                return 2;
            }
        };
        match Course::from_paths(paths, background) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("kubedojo check: {e}");
                return 1;
            }
        }
    };
    let mut problems: Vec<String> = loaded.diagnostics.iter().map(|d| d.to_string()).collect();
    let (mut lessons, mut exams, mut scenarios) = (0, 0, 0);
    for id in &loaded.primary_ids {
        if let Some(l) = loaded.course.lessons.get(id) {
            if l.is_exam() {
                exams += 1;
            } else {
                lessons += 1;
            }
            problems.extend(prove(l));
        } else if let Some(s) = loaded.course.scenarios.get(id) {
            scenarios += 1;
            if let Err(e) = Attempt::sandbox(s.clone(), None) {
                problems.push(e.to_string());
            }
        }
    }
    problems.sort();
    problems.dedup();
    for p in &problems {
        eprintln!("{p}");
    }
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if problems.is_empty() {
        println!(
            "{}, {}, {}: valid, every reference solution passes",
            plural(lessons, "lesson"),
            plural(exams, "exam"),
            plural(scenarios, "scenario")
        );
        0
    } else {
        eprintln!("{}", plural(problems.len(), "problem"));
        1
    }
}

fn list(content: Option<&Path>) -> i32 {
    let course = match course("list", content) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let store = ProgressStore::open_default();
    let mut out = String::new();
    // Columns as wide as the longest id and title, so that every row lines up.
    let id_w = course.lessons.values().map(|l| l.id.chars().count()).max().unwrap_or(0);
    let title_w = course.lessons.values().map(|l| l.title.chars().count()).max().unwrap_or(0);
    for (domain, lessons) in course.by_domain() {
        match domain {
            Some(d) => out.push_str(&format!("{} ({}%)\n", d.title(), d.weight_percent())),
            None => out.push_str("Exams\n"),
        }
        for l in lessons {
            let progress = store.as_ref().map(|s| s.load(&l.id));
            let mark = match &progress {
                Some(Err(e)) => {
                    eprintln!("kubedojo list: {e}");
                    "[!]".to_string()
                }
                Some(Ok(Some(p))) if p.completed => "[x]".to_string(),
                Some(Ok(Some(p))) if !l.is_exam() => format!("[{}/{}]", p.done.len().min(l.steps.len()), l.steps.len()),
                _ => "[ ]".to_string(),
            };
            let extra = match (&l.exam, &progress) {
                (Some(e), Some(Ok(Some(p)))) if p.best_score.is_some() => {
                    format!(
                        "{} min, best {:.1}% (pass {}%)",
                        e.time_limit_minutes,
                        p.best_score.unwrap_or(0.0),
                        e.pass_mark
                    )
                }
                (Some(e), _) => format!("{} min, {} tasks, pass {}%", e.time_limit_minutes, l.steps.len(), e.pass_mark),
                (None, _) => format!("{}, {} min", l.difficulty.as_str(), l.minutes),
            };
            out.push_str(&format!("  {mark:<6} {:<id_w$} {:<title_w$} {extra}\n", l.id, l.title));
        }
    }
    if out.is_empty() {
        out.push_str("No lessons.\n");
    }
    print(&out);
    0
}
