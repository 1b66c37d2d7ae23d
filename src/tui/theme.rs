//! Colours and the glyphs that carry the same meaning without colour. With `NO_COLOR` set
//! (https://no-color.org) every style is plain or bold/reversed/dim only, and states stay
//! readable through their glyphs (● running, ◐ starting, ✖ failing, ✓ completed, ○ going).

use ratatui::style::{Color, Modifier, Style};

/// What a pod's (or node's) state means for the learner, whatever its exact status text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Health {
    /// Running and ready; a Ready node.
    Good,
    /// Pending, ContainerCreating, Init:0/1, PodInitializing: on its way.
    Starting,
    /// Running but not (yet) ready.
    Degraded,
    /// CrashLoopBackOff, ErrImagePull, Error, OOMKilled, NotReady...
    Bad,
    /// Completed, Succeeded: done, on purpose.
    Done,
    /// Terminating.
    Leaving,
    /// Unknown.
    Unknown,
}

impl Health {
    pub fn glyph(self) -> &'static str {
        match self {
            Health::Good => "●",
            Health::Starting => "◐",
            Health::Degraded => "◑",
            Health::Bad => "✖",
            Health::Done => "✓",
            Health::Leaving => "○",
            Health::Unknown => "?",
        }
    }
}

/// The palette in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn health(&self, h: Health) -> Style {
        match h {
            Health::Good => self.fg(Color::Green),
            Health::Starting => self.fg(Color::Cyan),
            Health::Degraded => self.fg(Color::Yellow),
            Health::Bad => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Health::Done => self.fg(Color::DarkGray),
            Health::Leaving => self.fg(Color::Magenta),
            Health::Unknown => self.fg(Color::DarkGray),
        }
    }

    /// Border of the focused pane.
    pub fn focused(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn border(&self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// Table header row.
    pub fn header(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    /// The selected row.
    pub fn selected(&self) -> Style {
        if self.color {
            Style::new().bg(Color::Blue).fg(Color::White).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    /// A command echoed in the scrollback.
    pub fn command(&self) -> Style {
        self.fg(Color::White).add_modifier(Modifier::BOLD)
    }

    pub fn prompt(&self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub fn warning(&self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn good(&self) -> Style {
        self.fg(Color::Green)
    }

    /// Key names in hints and help.
    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The status bar.
    pub fn bar(&self) -> Style {
        if self.color {
            Style::new().bg(Color::Blue).fg(Color::White)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn paused(&self) -> Style {
        if self.color {
            Style::new().bg(Color::Yellow).fg(Color::Black).add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD)
        }
    }

    pub fn sparkline(&self) -> Style {
        self.fg(Color::Green)
    }
}
