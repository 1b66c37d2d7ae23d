//! Driving the TUI without a terminal, for tests and the benchmark: a [`Story`] runs the
//! whole App on ratatui's `TestBackend`, with keys typed from a script (through the same
//! key mapping as the real terminal), ticks, clicks, resizes and a stand-in editor.

use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;

use super::app::{App, Msg, Options};
use super::persist::Persist;
use super::{dispatch, keys, view};
use crate::shell::workstation::Workstation;
use crate::sim::World;

/// The editor's stand-in: the file's text in, the saved text out.
pub type Editor = Box<dyn FnMut(&str) -> String>;

pub struct Story {
    pub app: App,
    /// Where progress goes (nowhere unless a test says).
    pub persist: Persist,
    pub terminal: Terminal<TestBackend>,
    editor: Editor,
    /// Texts the editor was opened on, oldest first.
    pub edited: Vec<String>,
}

impl Story {
    pub fn new(world: World, width: u16, height: u16) -> Story {
        Story::with_options(world, Options::default(), width, height)
    }

    pub fn with_options(world: World, options: Options, width: u16, height: u16) -> Story {
        Story::with_app(App::new(Workstation::new(world), options), width, height)
    }

    /// A story on any App (a lesson, the picker).
    pub fn with_app(mut app: App, width: u16, height: u16) -> Story {
        dispatch(&mut app, Msg::Resize(width, height));
        let terminal = Terminal::new(TestBackend::new(width, height)).unwrap_or_else(|e| match e {});
        // Saving without changes, unless a test says otherwise.
        Story { app, persist: Persist::none(), terminal, editor: Box::new(|s: &str| s.to_string()), edited: Vec::new() }
    }

    fn send(&mut self, msg: Msg) {
        dispatch(&mut self.app, msg);
        self.persist.apply(&mut self.app);
        while let Some(req) = self.app.editor.take() {
            self.edited.push(req.text.clone());
            let text = (self.editor)(&req.text);
            dispatch(&mut self.app, Msg::EditorDone { text: Ok(text), path: "/tmp/kubectl-edit-story.yaml".into() });
            self.persist.apply(&mut self.app);
        }
    }

    /// Types a key script (see [`keys::parse_keys`]). Panics on a bad script: it is a test's.
    pub fn keys(&mut self, script: &str) -> &mut Story {
        for ev in keys::parse_keys(script).unwrap_or_else(|e| panic!("{e}")) {
            if let Some(msg) = keys::map(&self.app, ev) {
                self.send(msg);
            }
        }
        self
    }

    /// Types text as it is (no `<key>` names); each newline presses enter.
    pub fn typed(&mut self, text: &str) -> &mut Story {
        for ev in keys::typed_keys(text) {
            if let Some(msg) = keys::map(&self.app, ev) {
                self.send(msg);
            }
        }
        self
    }

    /// `n` seconds pass on the wall clock (each a tick unless paused).
    pub fn ticks(&mut self, n: u64) -> &mut Story {
        for _ in 0..n {
            self.send(Msg::Tick);
        }
        self
    }

    pub fn click(&mut self, col: u16, row: u16) -> &mut Story {
        if let Some(msg) = keys::map(&self.app, keys::click(col, row)) {
            self.send(msg);
        }
        self
    }

    /// Text pasted into the terminal (bracketed paste).
    pub fn paste(&mut self, text: &str) -> &mut Story {
        if let Some(msg) = keys::map(&self.app, crossterm::event::Event::Paste(text.to_string())) {
            self.send(msg);
        }
        self
    }

    /// A notch of the mouse wheel (`up` towards the top).
    pub fn wheel(&mut self, col: u16, row: u16, up: bool) -> &mut Story {
        if let Some(msg) = keys::map(&self.app, keys::wheel(col, row, up)) {
            self.send(msg);
        }
        self
    }

    pub fn resize(&mut self, width: u16, height: u16) -> &mut Story {
        self.terminal.backend_mut().resize(width, height);
        let _ = self.terminal.resize(ratatui::layout::Rect::new(0, 0, width, height));
        self.send(Msg::Resize(width, height));
        self
    }

    /// What the editor does to the text it is opened on.
    pub fn editor(&mut self, f: impl FnMut(&str) -> String + 'static) -> &mut Story {
        self.editor = Box::new(f);
        self
    }

    /// Draws a frame and returns its buffer.
    pub fn draw(&mut self) -> &Buffer {
        let app = &self.app;
        let _ = self.terminal.draw(|f| view::view(app, f));
        self.terminal.backend().buffer()
    }

    /// Draws a frame and returns it as `TestBackend` prints it (one quoted line per row).
    pub fn frame(&mut self) -> String {
        self.draw();
        self.terminal.backend().to_string()
    }

    /// Draws a frame and returns its text, trailing spaces cut.
    pub fn text(&mut self) -> String {
        view::buffer_text(self.draw())
    }
}

/// A shell command that creates a one-container pod labelled `app: <name>`.
pub fn pod_manifest_cmd(name: &str, image: &str) -> String {
    format!(
        "kubectl apply -f - <<'EOF'\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  labels:\n    app: {name}\nspec:\n  containers:\n  - name: {name}\n    image: {image}\nEOF\n"
    )
}

/// A shell command that creates a Deployment of `replicas` pods labelled `app: <name>`.
pub fn deployment_manifest_cmd(name: &str, image: &str, replicas: u32) -> String {
    format!(
        "kubectl apply -f - <<'EOF'\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n      containers:\n      - name: {name}\n        image: {image}\nEOF\n"
    )
}
