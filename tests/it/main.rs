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
mod rollouts;
mod transcripts;
mod tui;
mod tui_lessons;
mod tui_tmux;

use kubedojo::shell::workstation::{transcript, Workstation};
use kubedojo::sim::World;

/// Runs `script` against the default cluster with `seed` and returns the transcript.
pub fn run_script(script: &str, seed: u64) -> String {
    let mut ws = Workstation::new(World::new(seed));
    transcript(&mut ws, script)
}
