//! The runtime on a real terminal: raw mode and the alternate screen (restored on quit, on
//! error and on panic), the event loop with its two clocks — simulation ticks at the chosen
//! speed, frames at most 30 times a second and only when something changed — and the editor,
//! run with the TUI suspended.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use crossterm::event::{self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture};
use crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

use super::app::{App, Msg, SPEEDS};
use super::edit::EditRequest;
use super::persist::Persist;
use super::{dispatch, keys, view};

/// In debug builds, set in the environment, the TUI panics after its first frame (see
/// `tests/it/tui_tmux.rs`).
const TEST_PANIC: &str = "KUBEDOJO_TEST_PANIC";

/// Frames are drawn at most this often.
const FRAME: Duration = Duration::from_millis(33);

fn enter() -> io::Result<()> {
    terminal::enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, EnableMouseCapture, EnableBracketedPaste, cursor::Hide)
}

/// Puts the terminal back as it was: cooked mode, main screen, no mouse reports, a cursor.
/// Safe to call more than once.
pub fn restore() {
    let _ = execute!(io::stdout(), DisableBracketedPaste, DisableMouseCapture, LeaveAlternateScreen, cursor::Show);
    let _ = terminal::disable_raw_mode();
    let _ = io::stdout().flush();
}

/// Restores the terminal when dropped (an early return, an error).
struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Runs the TUI on the real terminal until the learner quits; returns the exit status.
pub fn run(mut app: App, persist: Persist) -> i32 {
    use std::io::IsTerminal;
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        eprintln!("kubedojo: the TUI needs a terminal; to run commands from a script, use `kubedojo run`");
        return 2;
    }
    install_panic_hook();
    if let Err(e) = enter() {
        restore();
        eprintln!("kubedojo: cannot set up the terminal: {e}");
        return 1;
    }
    let guard = Guard;
    let result =
        Terminal::new(CrosstermBackend::new(io::stdout())).and_then(|mut t| event_loop(&mut t, &mut app, &persist));
    // Whatever ended the loop, what the learner did is saved.
    persist.apply(&mut app);
    drop(guard);
    // The process ends now: freeing a large cluster object by object would keep the learner
    // waiting for seconds after quitting (at 150,000 pods), and the system takes the
    // memory back at once. Nothing in the app needs dropping (the terminal is restored and
    // the progress saved above).
    std::mem::forget(app);
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("kubedojo: {e}");
            1
        }
    }
}

type Term = Terminal<CrosstermBackend<io::Stdout>>;

fn event_loop(terminal: &mut Term, app: &mut App, persist: &Persist) -> io::Result<()> {
    let size = terminal.size()?;
    dispatch(app, Msg::Resize(size.width, size.height));
    let mut last_tick = Instant::now();
    let mut next_frame = Instant::now();
    let mut dirty = true;
    loop {
        if app.quit {
            return Ok(());
        }
        if let Some(req) = app.editor.take() {
            let (text, path) = run_editor(terminal, &req)?;
            dispatch(app, Msg::EditorDone { text, path: path.clone() });
            persist.apply(app);
            if !app.keep_file && !path.is_empty() {
                let _ = std::fs::remove_file(&path);
            }
            // Time stood still while the editor was open.
            last_tick = Instant::now();
            dirty = true;
            continue;
        }
        let now = Instant::now();
        if dirty && now >= next_frame {
            terminal.draw(|f| view::view(app, f))?;
            next_frame = now + FRAME;
            dirty = false;
            // Debug builds only: the end-to-end test's way to make the TUI panic in a real
            // terminal, to see the panic hook give the terminal back.
            if cfg!(debug_assertions) && std::env::var_os(TEST_PANIC).is_some() {
                panic!("{TEST_PANIC} is set: panicking after the first frame");
            }
        }
        let tick_every = Duration::from_secs(1) / SPEEDS[app.speed];
        let until_tick = (last_tick + tick_every).saturating_duration_since(now);
        let until_frame = if dirty { next_frame.saturating_duration_since(now) } else { Duration::from_millis(250) };
        if event::poll(until_tick.min(until_frame))? {
            if let Some(msg) = keys::map(app, event::read()?) {
                dispatch(app, msg);
                persist.apply(app);
                dirty = true;
            }
            // The editor opens on the object as it was read: no tick in between.
            if app.editor.is_some() {
                continue;
            }
        }
        let now = Instant::now();
        if now >= last_tick + tick_every {
            // Catch up on missed ticks, but never more than one wall second's worth.
            let owed = (now - last_tick).as_nanos() / tick_every.as_nanos().max(1);
            let n = owed.min(SPEEDS[app.speed] as u128) as u32;
            for _ in 0..n {
                dispatch(app, Msg::Tick);
            }
            persist.apply(app);
            last_tick += tick_every * owed as u32;
            if !app.paused {
                dirty = true;
            }
        }
    }
}

/// The editor command: the program named, or $KUBE_EDITOR, $EDITOR, vi (kubectl's order).
fn editor_command(req: &EditRequest) -> String {
    req.program
        .clone()
        .or_else(|| std::env::var("KUBE_EDITOR").ok().filter(|s| !s.trim().is_empty()))
        .or_else(|| std::env::var("EDITOR").ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_string())
}

/// Writes the text to a temporary file, suspends the TUI, runs the editor on it, restores the
/// TUI and reads the file back.
fn run_editor(terminal: &mut Term, req: &EditRequest) -> io::Result<(Result<String, String>, String)> {
    let (prefix, suffix) = match req.file_name.rsplit_once('.') {
        Some((_, ext)) if req.file_name.starts_with("kubectl-edit-") => {
            ("kubectl-edit-".to_string(), format!(".{ext}"))
        }
        _ => ("kubedojo-".to_string(), format!("-{}", req.file_name)),
    };
    let mut file = tempfile::Builder::new().prefix(&prefix).suffix(&suffix).tempfile()?;
    file.write_all(req.text.as_bytes())?;
    file.flush()?;
    let (_, path) = file.keep().map_err(|e| e.error)?;
    let path_s = path.display().to_string();
    let editor = editor_command(req);
    restore();
    let status = if editor.contains(char::is_whitespace) {
        std::process::Command::new("sh").arg("-c").arg(format!("{editor} \"$1\"")).arg("sh").arg(&path).status()
    } else {
        std::process::Command::new(&editor).arg(&path).status()
    };
    enter()?;
    terminal.clear()?;
    let text = match status {
        Ok(s) if s.success() => std::fs::read_to_string(&path).map_err(|e| format!("error: {e}")),
        Ok(_) | Err(_) => Err(format!("error: there was a problem with the editor \"{editor}\"")),
    };
    Ok((text, path_s))
}
