//! The terminal UI (DESIGN §9): the simulated cluster, the resources in it and the learner's
//! kubectl prompt on one screen. The only module that may use ratatui and crossterm.
//!
//! The Elm Architecture: [`App`] is the state, [`Msg`] what can happen, [`update`] the only
//! way the state changes, and [`view::view`] draws a frame from the state alone. crossterm's
//! types appear only in [`keys`] (events to messages) and the runtime (`term`); everything
//! else is generic over the ratatui backend, so the whole App runs on `TestBackend` in tests
//! ([`testing::Story`]) and in the frame benchmark ([`render_frame`]).

pub mod app;
pub mod chaos;
pub mod complete;
pub mod edit;
pub mod index;
pub mod keys;
pub mod layout;
pub mod lesson_pane;
pub mod markdown;
pub mod persist;
pub mod picker;
pub mod prompt;
pub mod resources;
pub mod session;
pub mod strings;
mod term;
pub mod testing;
pub mod theme;
pub mod view;
pub mod xray;

pub use app::{update, App, Msg, Options};

use ratatui::backend::Backend;
use ratatui::Terminal;

use crate::shell::workstation::Workstation;
use crate::sim::World;

/// Applies a message and the follow-ups it leads to.
pub fn dispatch(app: &mut App, msg: Msg) {
    let mut next = Some(msg);
    // A message leads to at most a couple of follow-ups; the bound keeps a mistake from
    // looping forever.
    for _ in 0..8 {
        match next {
            Some(m) => next = update(app, m),
            None => return,
        }
    }
}

/// Draws one frame of `app` on any backend (the benchmark measures this on `TestBackend`).
pub fn render_frame<B: Backend>(app: &App, terminal: &mut Terminal<B>) -> Result<(), B::Error> {
    terminal.draw(|f| view::view(app, f)).map(|_| ())
}

/// Opens the TUI on the real terminal with `world`; returns the exit status.
pub fn run(world: World, options: Options) -> i32 {
    term::run(App::new(Workstation::new(world), options), persist::Persist::none())
}

/// Opens the TUI on the real terminal with an App (a lesson, the picker), saving progress
/// and session logs through `persist`; returns the exit status.
pub fn run_app(app: App, persist: persist::Persist) -> i32 {
    term::run(app, persist)
}

/// Whether colours are allowed: `NO_COLOR` set to anything non-empty turns them off
/// (https://no-color.org).
pub fn color_allowed() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
