//! What the TUI plays on: the learner's workstation (and its cluster) on its own, or — with
//! a lesson — inside the lesson's attempt, which must see every change so that its session
//! log stays complete and replays. The App reads through [`Session::ws`] and changes things
//! only through these methods.

use crate::lesson::Attempt;
use crate::shell::workstation::Workstation;

// One Session lives as long as the App; boxing the workstation would only add an indirection.
#[allow(clippy::large_enum_variant)]
pub enum Session {
    /// A cluster to play with, no lesson.
    Free(Workstation),
    /// A lesson, an exam or a scenario.
    Lesson(Box<Attempt>),
}

impl Session {
    /// The workstation, its files and its cluster, to look at.
    pub fn ws(&self) -> &Workstation {
        match self {
            Session::Free(ws) => ws,
            Session::Lesson(a) => a.workstation(),
        }
    }

    /// Runs a command line as typed at the prompt; returns what the terminal shows.
    pub fn run(&mut self, line: &str) -> Vec<u8> {
        match self {
            Session::Free(ws) => ws.execute(&format!("{}\n", line.trim_end_matches('\n'))),
            Session::Lesson(a) => a.run(line).into_bytes(),
        }
    }

    /// One idle simulated second.
    pub fn tick(&mut self) {
        match self {
            Session::Free(ws) => ws.tick(),
            Session::Lesson(a) => a.tick(),
        }
    }

    /// The workstation for commands that only read (describe, yaml, logs in the panes, the
    /// object an edit starts from): kubectl's entry point takes the cluster mutably, but these
    /// change nothing, so they are not part of the session.
    pub fn ws_for_reading(&mut self) -> &mut Workstation {
        match self {
            Session::Free(ws) => ws,
            Session::Lesson(a) => a.workstation_for_reading(),
        }
    }

    pub fn attempt(&self) -> Option<&Attempt> {
        match self {
            Session::Free(_) => None,
            Session::Lesson(a) => Some(a),
        }
    }

    pub fn attempt_mut(&mut self) -> Option<&mut Attempt> {
        match self {
            Session::Free(_) => None,
            Session::Lesson(a) => Some(a),
        }
    }
}
