//! What the TUI plays on: the learner's workstation (and its cluster) on its own, or — with
//! a lesson — inside the lesson's attempt, which must see every change so that its session
//! log stays complete and replays. The App reads through [`Session::ws`] and changes things
//! only through these methods.

use crate::shell::workstation::Workstation;

pub enum Session {
    /// A cluster to play with, no lesson.
    Free(Workstation),
}

impl Session {
    /// The workstation, its files and its cluster, to look at.
    pub fn ws(&self) -> &Workstation {
        match self {
            Session::Free(ws) => ws,
        }
    }

    /// Runs a command line as typed at the prompt; returns what the terminal shows.
    pub fn run(&mut self, line: &str) -> Vec<u8> {
        match self {
            Session::Free(ws) => ws.execute(&format!("{}\n", line.trim_end_matches('\n'))),
        }
    }

    /// One idle simulated second.
    pub fn tick(&mut self) {
        match self {
            Session::Free(ws) => ws.world.tick(),
        }
    }

    /// The workstation for commands that only read (describe, yaml, logs in the panes, the
    /// chaos verbs): kubectl's entry point takes the cluster mutably, but these change
    /// nothing, so they are not part of the session.
    pub fn ws_for_reading(&mut self) -> &mut Workstation {
        match self {
            Session::Free(ws) => ws,
        }
    }
}
