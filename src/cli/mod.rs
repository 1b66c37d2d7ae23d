//! The `kubedojo` command line (DESIGN §10 — a stable contract that tests and graders rely
//! on): `run` plays a script of shell commands against a simulated cluster and prints the
//! transcript. The other subcommands arrive with the lesson, TUI and scale work and say so.

pub mod bench;

use std::io::{Read, Write};

use clap::{Parser, Subcommand};

use crate::shell::workstation::{transcript, Workstation};
use crate::sim::World;

/// The demo transcript `kubedojo` plays until the TUI exists.
const DEMO: &str = include_str!("../../examples/first.sh");

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
    match cli.command {
        None => {
            let mut ws = Workstation::new(World::new(1));
            print(&transcript(&mut ws, DEMO));
            0
        }
        Some(Cmd::Run { target, script, seed }) => run(&target, &script, seed),
        Some(Cmd::Play { .. }) => not_yet("play", "the TUI"),
        Some(Cmd::Grade { .. }) => not_yet("grade", "lessons and grading"),
        Some(Cmd::Check { .. }) => not_yet("check", "lessons and grading"),
        Some(Cmd::List) => not_yet("list", "lessons and grading"),
        Some(Cmd::Bench { nodes, pods, ticks, seed, sweep }) => {
            bench::main(bench::Config { nodes, pods, ticks, seed }, sweep)
        }
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
    let world = match target {
        "empty" => World::new(seed),
        other => {
            eprintln!(
                "kubedojo run: unknown target \"{other}\": only `empty` exists until scenario and lesson files arrive"
            );
            return 2;
        }
    };
    let mut ws = Workstation::new(world);
    print(&transcript(&mut ws, &text));
    0
}
