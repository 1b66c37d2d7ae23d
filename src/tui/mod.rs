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

/// The median time, in ms, to draw one frame at 160×48 listing the pods of every namespace on
/// ratatui's `TestBackend`, over `frames` frames each after a simulated second (so the view
/// follows a tick's changes as it does on screen). `kubedojo bench` reports it as `frame_ms`.
pub fn bench_frame_ms(w: crate::sim::World, frames: usize) -> Option<f64> {
    use ratatui::backend::TestBackend;

    let mut app =
        App::new(crate::shell::workstation::Workstation::new(w), Options { color: true, title: "bench".into() });
    dispatch(&mut app, Msg::Resize(160, 48));
    dispatch(&mut app, Msg::Command("pods".into()));
    dispatch(&mut app, Msg::AllNamespaces);
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).ok()?;
    // The first frame lays out the screen once.
    render_frame(&app, &mut terminal).ok()?;
    let mut times = Vec::with_capacity(frames);
    for _ in 0..frames {
        dispatch(&mut app, Msg::Step);
        // Wall-clock time is what is measured here; the simulation never reads it.
        let t = std::time::Instant::now();
        render_frame(&app, &mut terminal).ok()?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    times.get(frames / 2).copied()
}
