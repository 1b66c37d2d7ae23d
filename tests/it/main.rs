//! Integration tests, one binary (link once): transcripts, determinism, bad input, and the
//! architecture invariants.

mod architecture;
mod bad_input;
mod bench;
mod cli;
mod determinism;
mod lessons;
mod oracle;
mod oracle_create;
mod oracle_describe;
mod oracle_kustomize;
mod rollouts;
mod transcripts;
mod tui;
mod tui_lessons;
mod tui_tmux;

use kubedojo::shell::workstation::{transcript, Workstation};
use kubedojo::sim::World;

/// Runs `script` on the scenario in the content file `path` (relative to the crate), with the
/// scenario's seed, as `kubedojo run <path> --script` does, and returns the transcript.
pub fn run_scenario_script(path: &str, script: &str) -> String {
    use kubedojo::lesson::content::Target;
    use kubedojo::lesson::{diag, Attempt, Course};
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let loaded = Course::from_paths(&[full], Vec::new()).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert!(loaded.is_ok(), "{path}:\n{}", diag::render(&loaded.diagnostics));
    let id = loaded.primary_ids.iter().next().cloned().unwrap_or_default();
    let scenario = match loaded.course.target(&id) {
        Some(Target::Scenario(s)) => s,
        _ => panic!("{path} is not a scenario"),
    };
    let mut a = Attempt::sandbox(scenario, None).unwrap_or_else(|e| panic!("{path}: {e}"));
    a.run_script(script)
}

/// Runs `script` against the default cluster with `seed` and returns the transcript.
pub fn run_script(script: &str, seed: u64) -> String {
    let mut ws = Workstation::new(World::new(seed));
    transcript(&mut ws, script)
}
