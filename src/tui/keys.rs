//! Terminal events to messages: the only place crossterm's event types meet the App. What a
//! key means depends on where the keys go (the prompt, the panes, a pop-up); `map` reads
//! that from the App and returns the [`Msg`]. [`parse_keys`] turns a readable key script
//! (`kubectl get pods<enter>`, `<esc>d`, `<c-c>`) into events, for tests and stories.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::app::{App, Focus, Msg, Overlay, Screen};
use super::prompt::EditKey;

/// What an event means now.
pub fn map(app: &App, ev: Event) -> Option<Msg> {
    match ev {
        Event::Key(k) if k.kind != KeyEventKind::Release => key(app, k),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        Event::Paste(s) => Some(Msg::Paste(s)),
        Event::Mouse(MouseEvent { kind, column, row, .. }) => match kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Msg::Click { col: column, row }),
            MouseEventKind::ScrollUp => Some(Msg::Wheel { col: column, row, delta: -1 }),
            MouseEventKind::ScrollDown => Some(Msg::Wheel { col: column, row, delta: 1 }),
            _ => None,
        },
        _ => None,
    }
}

fn ctrl(k: &KeyEvent) -> bool {
    k.modifiers.contains(KeyModifiers::CONTROL)
}

fn alt(k: &KeyEvent) -> bool {
    k.modifiers.contains(KeyModifiers::ALT)
}

/// Line-editing keys (the prompt, the `:` and `/` lines).
fn edit_key(k: &KeyEvent) -> Option<EditKey> {
    Some(match k.code {
        KeyCode::Char('a') if ctrl(k) => EditKey::Home,
        KeyCode::Char('e') if ctrl(k) => EditKey::End,
        KeyCode::Char('b') if ctrl(k) => EditKey::Left,
        KeyCode::Char('f') if ctrl(k) => EditKey::Right,
        KeyCode::Char('u') if ctrl(k) => EditKey::KillToStart,
        KeyCode::Char('k') if ctrl(k) => EditKey::KillToEnd,
        KeyCode::Char('w') if ctrl(k) => EditKey::KillWordBack,
        KeyCode::Char('h') if ctrl(k) => EditKey::Backspace,
        KeyCode::Char('b') if alt(k) => EditKey::WordLeft,
        KeyCode::Char('f') if alt(k) => EditKey::WordRight,
        KeyCode::Backspace if alt(k) || ctrl(k) => EditKey::KillWordBack,
        KeyCode::Char(c) if !ctrl(k) && !alt(k) => EditKey::Char(c),
        KeyCode::Backspace => EditKey::Backspace,
        KeyCode::Delete => EditKey::Delete,
        KeyCode::Left if ctrl(k) || alt(k) => EditKey::WordLeft,
        KeyCode::Right if ctrl(k) || alt(k) => EditKey::WordRight,
        KeyCode::Left => EditKey::Left,
        KeyCode::Right => EditKey::Right,
        KeyCode::Home => EditKey::Home,
        KeyCode::End => EditKey::End,
        _ => return None,
    })
}

fn key(app: &App, k: KeyEvent) -> Option<Msg> {
    // Anywhere.
    if ctrl(&k) && k.code == KeyCode::Char('c') {
        return Some(Msg::Quit);
    }
    if k.code == KeyCode::F(1) {
        return Some(Msg::Help);
    }
    if k.code == KeyCode::F(2) && app.overlay.is_none() {
        return Some(Msg::Hint);
    }
    match &app.overlay {
        Some(Overlay::Command(_)) | Some(Overlay::Filter(_)) => {
            return match k.code {
                KeyCode::Enter => Some(Msg::Submit),
                KeyCode::Esc => Some(Msg::Escape),
                KeyCode::Tab => Some(Msg::Complete),
                _ => edit_key(&k).map(Msg::Edit),
            }
        }
        Some(Overlay::ConfirmDelete(_)) => {
            return match k.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => Some(Msg::Confirm(true)),
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Enter => Some(Msg::Confirm(false)),
                _ => None,
            }
        }
        Some(Overlay::Help { .. }) | Some(Overlay::Chaos(_)) => {
            return match k.code {
                KeyCode::Esc | KeyCode::Char('q') => Some(Msg::Escape),
                KeyCode::Char('?') => Some(Msg::Escape),
                KeyCode::Enter => Some(Msg::Enter),
                KeyCode::Up | KeyCode::Char('k') => Some(Msg::Move(-1)),
                KeyCode::Down | KeyCode::Char('j') => Some(Msg::Move(1)),
                KeyCode::PageUp => Some(Msg::Page(-1)),
                KeyCode::PageDown => Some(Msg::Page(1)),
                KeyCode::Home | KeyCode::Char('g') => Some(Msg::Top),
                _ => None,
            }
        }
        None => {}
    }
    if matches!(app.screen, Screen::Picker(_)) {
        return picker_key(app, k);
    }
    if app.focus == Focus::Prompt {
        return prompt_key(app, k);
    }
    pane_key(k)
}

fn picker_key(app: &App, k: KeyEvent) -> Option<Msg> {
    let confirming = matches!(&app.screen, Screen::Picker(p) if p.confirm_reset);
    if confirming {
        return match k.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => Some(Msg::Confirm(true)),
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Enter => Some(Msg::Confirm(false)),
            _ => None,
        };
    }
    Some(match k.code {
        KeyCode::Up | KeyCode::Char('k') => Msg::Move(-1),
        KeyCode::Down | KeyCode::Char('j') => Msg::Move(1),
        KeyCode::PageUp => Msg::Page(-1),
        KeyCode::PageDown => Msg::Page(1),
        KeyCode::Home | KeyCode::Char('g') => Msg::Top,
        KeyCode::End | KeyCode::Char('G') => Msg::Bottom,
        KeyCode::Enter => Msg::Enter,
        KeyCode::Char('r') => Msg::ResetSelected,
        KeyCode::Char('q') => Msg::Quit,
        KeyCode::Char('?') => Msg::Help,
        _ => return None,
    })
}

fn prompt_key(app: &App, k: KeyEvent) -> Option<Msg> {
    let searching = app.prompt.search.is_some();
    match k.code {
        KeyCode::Enter => Some(Msg::Submit),
        KeyCode::Esc => Some(Msg::Escape),
        KeyCode::Tab => Some(Msg::Complete),
        KeyCode::Up if !ctrl(&k) => Some(Msg::HistoryPrev),
        KeyCode::Down if !ctrl(&k) => Some(Msg::HistoryNext),
        KeyCode::Char('p') if ctrl(&k) => Some(Msg::HistoryPrev),
        KeyCode::Char('n') if ctrl(&k) => Some(Msg::HistoryNext),
        KeyCode::Char('r') if ctrl(&k) => Some(Msg::Search),
        KeyCode::Char('g') if ctrl(&k) && searching => Some(Msg::SearchCancel),
        KeyCode::Char('l') if ctrl(&k) => Some(Msg::ClearTerm),
        KeyCode::PageUp => Some(Msg::ScrollTerm(10)),
        KeyCode::PageDown => Some(Msg::ScrollTerm(-10)),
        KeyCode::Up => Some(Msg::ScrollTerm(1)),
        KeyCode::Down => Some(Msg::ScrollTerm(-1)),
        _ => edit_key(&k).map(Msg::Edit),
    }
}

fn pane_key(k: KeyEvent) -> Option<Msg> {
    if ctrl(&k) {
        return match k.code {
            KeyCode::Char('d') => Some(Msg::Delete),
            KeyCode::Char('r') => Some(Msg::Search),
            KeyCode::Char('f') => Some(Msg::Page(1)),
            KeyCode::Char('b') => Some(Msg::Page(-1)),
            _ => None,
        };
    }
    Some(match k.code {
        KeyCode::Char('i') | KeyCode::Insert => Msg::FocusPrompt,
        KeyCode::Char(':') => Msg::OpenCommand,
        KeyCode::Char('/') => Msg::OpenFilter,
        KeyCode::Char('?') => Msg::Help,
        KeyCode::Tab | KeyCode::BackTab => Msg::FocusNext,
        KeyCode::Esc | KeyCode::Char('q') => Msg::Escape,
        KeyCode::Enter => Msg::Enter,
        KeyCode::Up | KeyCode::Char('k') => Msg::Move(-1),
        KeyCode::Down | KeyCode::Char('j') => Msg::Move(1),
        KeyCode::PageUp => Msg::Page(-1),
        KeyCode::PageDown => Msg::Page(1),
        KeyCode::Home | KeyCode::Char('g') => Msg::Top,
        KeyCode::End | KeyCode::Char('G') => Msg::Bottom,
        KeyCode::Char('d') => Msg::Describe,
        KeyCode::Char('y') => Msg::Yaml,
        KeyCode::Char('l') => Msg::Logs,
        KeyCode::Char('e') => Msg::EditSelected,
        KeyCode::Char('x') => Msg::Xray,
        KeyCode::Char('z') => Msg::Zoom,
        KeyCode::Char('0') => Msg::AllNamespaces,
        KeyCode::Char(' ') => Msg::TogglePause,
        KeyCode::Char('.') => Msg::Step,
        KeyCode::Char('+') | KeyCode::Char('=') => Msg::Faster,
        KeyCode::Char('-') => Msg::Slower,
        KeyCode::Char('c') => Msg::Chaos,
        KeyCode::Char('h') => Msg::Hint,
        KeyCode::Char('n') => Msg::NextStep,
        KeyCode::Char('p') => Msg::PrevStep,
        KeyCode::Char('f') => Msg::Flag,
        _ => return None,
    })
}

/// Parses a key script: characters type themselves; `<name>` is a special key: `enter`,
/// `esc`, `tab`, `backtab`, `bs`, `del`, `up`, `down`, `left`, `right`, `home`, `end`,
/// `pgup`, `pgdn`, `space`, `lt` (a `<`), `f1`…`f12`, `c-x` (ctrl-x), `a-x` (alt-x).
pub fn parse_keys(script: &str) -> Result<Vec<Event>, String> {
    let mut out = Vec::new();
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '<' {
            out.push(press(KeyCode::Char(c), KeyModifiers::NONE));
            continue;
        }
        let mut name = String::new();
        loop {
            match chars.next() {
                Some('>') => break,
                Some(ch) => name.push(ch),
                None => return Err(format!("unclosed <{name} in key script")),
            }
        }
        out.push(named_key(&name)?);
    }
    Ok(out)
}

/// Text typed as it is; a newline is `enter`.
pub fn typed_keys(text: &str) -> Vec<Event> {
    text.chars()
        .map(|c| {
            if c == '\n' {
                press(KeyCode::Enter, KeyModifiers::NONE)
            } else {
                press(KeyCode::Char(c), KeyModifiers::NONE)
            }
        })
        .collect()
}

fn press(code: KeyCode, m: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, m))
}

fn named_key(name: &str) -> Result<Event, String> {
    let (m, base) = if let Some(r) = name.strip_prefix("c-") {
        (KeyModifiers::CONTROL, r)
    } else if let Some(r) = name.strip_prefix("a-") {
        (KeyModifiers::ALT, r)
    } else {
        (KeyModifiers::NONE, name)
    };
    let code = match base {
        "enter" => KeyCode::Enter,
        "esc" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "bs" => KeyCode::Backspace,
        "del" => KeyCode::Delete,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pgup" => KeyCode::PageUp,
        "pgdn" => KeyCode::PageDown,
        "space" => KeyCode::Char(' '),
        "lt" => KeyCode::Char('<'),
        f if f.starts_with('f') && f[1..].parse::<u8>().is_ok() => KeyCode::F(f[1..].parse().unwrap_or(1)),
        c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().unwrap_or(' ')),
        other => return Err(format!("unknown key <{other}>")),
    };
    Ok(press(code, m))
}

/// A left click at a cell, as the terminal reports it.
pub fn click(col: u16, row: u16) -> Event {
    Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: col,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

/// A notch of the mouse wheel at a cell (`up` towards the top).
pub fn wheel(col: u16, row: u16, up: bool) -> Event {
    Event::Mouse(MouseEvent {
        kind: if up { MouseEventKind::ScrollUp } else { MouseEventKind::ScrollDown },
        column: col,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_scripts_parse() {
        let evs = parse_keys("k<space><c-c><lt><f1>").unwrap();
        assert_eq!(evs.len(), 5);
        assert_eq!(evs[2], press(KeyCode::Char('c'), KeyModifiers::CONTROL));
        assert_eq!(evs[3], press(KeyCode::Char('<'), KeyModifiers::NONE));
        assert_eq!(evs[4], press(KeyCode::F(1), KeyModifiers::NONE));
        assert!(parse_keys("<nope>").is_err());
        assert!(parse_keys("<enter").is_err());
    }
}
