//! The `kubedojo` command line (DESIGN §10 — a stable contract that tests and graders rely
//! on): with no subcommand, and with `play`, it opens the TUI; `run` plays a script of shell
//! commands against a simulated cluster and prints the transcript. The other subcommands
//! arrive with the lesson and scale work and say so.

use std::io::{Read, Write};

use clap::{Parser, Subcommand};

use crate::shell::workstation::{transcript, Workstation};
use crate::sim::World;
use crate::tui;

#[derive(Parser, Debug)]
#[command(name = "kubedojo", version, about = "An offline Kubernetes training simulator for the terminal")]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
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
        /// Seed of the cluster's random choices (names, IPs, tie-breaks).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Open the TUI on one lesson or scenario.
    Play {
        target: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Grade an attempt at a lesson.
    Grade {
        lesson: String,
        #[arg(long)]
        script: Option<String>,
        #[arg(long)]
        session: Option<String>,
        #[arg(long)]
        format: Option<String>,
        #[arg(long)]
        out: Option<String>,
    },
    /// Validate lesson and scenario files.
    Check { paths: Vec<String> },
    /// List lessons, domains and progress.
    List,
    /// Scale benchmark.
    Bench {
        #[arg(long)]
        nodes: Option<u64>,
        #[arg(long)]
        pods: Option<u64>,
        #[arg(long)]
        ticks: Option<u64>,
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
    match cli.command {
        // Until the course is embedded, the TUI opens on the default cluster.
        None => play("empty", 1),
        Some(Cmd::Run { target, script, seed }) => run(&target, &script, seed),
        Some(Cmd::Play { target, seed }) => play(&target, seed),
        Some(Cmd::Grade { .. }) => not_yet("grade", "lessons and grading"),
        Some(Cmd::Check { .. }) => not_yet("check", "lessons and grading"),
        Some(Cmd::List) => not_yet("list", "lessons and grading"),
        Some(Cmd::Bench { .. }) => not_yet("bench", "the scale work"),
    }
}

fn not_yet(cmd: &str, part: &str) -> i32 {
    eprintln!("kubedojo {cmd}: not available yet — it arrives with {part}");
    2
}

fn print(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

/// The world a target names: `empty` is the default cluster.
fn world_for(cmd: &str, target: &str, seed: u64) -> Result<World, i32> {
    match target {
        "empty" => Ok(World::new(seed)),
        other => {
            eprintln!(
                "kubedojo {cmd}: unknown target \"{other}\": only `empty` exists until scenario and lesson files arrive"
            );
            Err(2)
        }
    }
}

fn play(target: &str, seed: u64) -> i32 {
    let world = match world_for("play", target, seed) {
        Ok(w) => w,
        Err(code) => return code,
    };
    let title = if target == "empty" { "default cluster".to_string() } else { target.to_string() };
    tui::run(world, tui::Options { color: tui::color_allowed(), title })
}

fn run(target: &str, script: &str, seed: u64) -> i32 {
    let text = if script == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut s) {
            eprintln!("kubedojo run: cannot read the script from standard input: {e}");
            return 2;
        }
        s
    } else {
        match std::fs::read_to_string(script) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("kubedojo run: cannot read {script}: {e}");
                return 2;
            }
        }
    };
    let world = match world_for("run", target, seed) {
        Ok(w) => w,
        Err(code) => return code,
    };
    let mut ws = Workstation::new(world);
    print(&transcript(&mut ws, &text));
    0
}
