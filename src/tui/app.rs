//! The TUI's state and its one way of changing: [`update`] applies a [`Msg`] (a key's
//! meaning, a tick of the simulation clock, a resize, a click, the editor closing) to the
//! [`App`]. Nothing here touches the terminal; the runtime turns events into messages and
//! carries out the requests the App leaves for it (run the editor, quit).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::chaos::{ChaosMenu, Choice};
use super::complete;
use super::edit::{self, EditRequest};
use super::index::Index;
use super::layout::{self, Areas};
use super::lesson_pane::{self, LessonUi};
use super::picker::Picker;
use super::prompt::{EditKey, LineInput, Prompt};
use super::resources::{self, Filter, ObjRef};
use super::session::Session;
use super::strings;
use super::theme::Theme;
use super::xray::{self, XrayRow, XrayScope};
use crate::lesson::{Attempt, Lesson, LessonProgress, Report};
use crate::shell::workstation::Workstation;
use crate::sim::Kind;

/// Simulation speeds: simulated seconds per wall-clock second.
pub const SPEEDS: [u32; 5] = [1, 2, 5, 10, 60];
/// Lines the terminal pane keeps.
const SCROLLBACK_MAX: usize = 5000;

/// How the TUI was started.
#[derive(Clone, Debug)]
pub struct Options {
    /// Colours (false when `NO_COLOR` is set).
    pub color: bool,
    /// What is being played (`default cluster`, a lesson's title), for the status bar.
    pub title: String,
}

impl Default for Options {
    fn default() -> Self {
        Options { color: true, title: "default cluster".into() }
    }
}

/// Where keys go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Prompt,
    Lesson,
    Cluster,
    Resources,
}

/// The whole screen: the lesson picker, or the play screen.
#[derive(Clone, Debug)]
pub enum Screen {
    Picker(Box<Picker>),
    Play,
}

/// Work with the outside world the App asks the runtime to do (it has no I/O of its own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Save the attempt's progress and its session log.
    SaveProgress,
    /// Forget a lesson's progress, then reload it.
    ResetProgress(String),
    /// Read every lesson's progress (answered with `Msg::Progress`).
    LoadProgress,
}

/// What the resource pane's detail view shows, each from the kubectl command a learner
/// would type for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DetailKind {
    Describe,
    Yaml,
    Logs,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detail {
    pub kind: DetailKind,
    pub obj: ObjRef,
    pub lines: Vec<String>,
    /// First line shown.
    pub scroll: usize,
    /// Keep the newest lines in view (logs).
    pub follow: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XrayView {
    pub scope: XrayScope,
    pub rows: Vec<XrayRow>,
    pub selected: usize,
    pub offset: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaneMode {
    Table,
    Detail(Detail),
    Xray(XrayView),
}

/// The resource pane: a k9s-like view of one kind.
#[derive(Clone, Debug)]
pub struct ResourcePane {
    pub kind: Kind,
    /// None: all namespaces.
    pub namespace: Option<String>,
    pub filter: String,
    pub selected: usize,
    pub offset: usize,
    pub mode: PaneMode,
    /// The pane fills the screen above the terminal.
    pub zoom: bool,
}

/// The cluster pane: nodes as boxes.
#[derive(Clone, Debug, Default)]
pub struct ClusterPane {
    /// The selected entry (see [`layout::cluster_entries`]).
    pub selected: usize,
    /// The first row of boxes shown.
    pub offset_row: usize,
}

/// How a scrollback line was produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// A command line echoed after the prompt.
    Command,
    Output,
}

#[derive(Clone, Debug, Default)]
pub struct Scrollback {
    pub lines: Vec<(LineKind, String)>,
    /// Lines scrolled up from the bottom.
    pub scroll: usize,
}

impl Scrollback {
    pub fn push(&mut self, kind: LineKind, text: &str) {
        self.lines.push((kind, expand_tabs(text)));
        if self.lines.len() > SCROLLBACK_MAX {
            let extra = self.lines.len() - SCROLLBACK_MAX;
            self.lines.drain(..extra);
        }
        self.scroll = 0;
    }

    /// Appends what a command printed.
    pub fn output(&mut self, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        let text = text.strip_suffix('\n').unwrap_or(&text);
        if bytes.is_empty() {
            return;
        }
        for l in text.split('\n') {
            self.push(LineKind::Output, l);
        }
    }
}

/// Tab stops every 8 columns, as a terminal shows them.
fn expand_tabs(s: &str) -> String {
    if !s.contains('\t') {
        return s.to_string();
    }
    let mut out = String::new();
    let mut col = 0;
    for c in s.chars() {
        if c == '\t' {
            let n = 8 - col % 8;
            out.extend(std::iter::repeat_n(' ', n));
            col += n;
        } else {
            out.push(c);
            col += 1;
        }
    }
    out
}

/// A pop-up over the screen.
#[derive(Clone, Debug)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    Chaos(ChaosMenu),
    ConfirmDelete(ObjRef),
    /// The `:` line.
    Command(LineInput),
    /// The `/` line (the filter applies as it is typed).
    Filter(LineInput),
}

/// The whole state of the TUI.
pub struct App {
    session: Session,
    pub options: Options,
    pub theme: Theme,
    pub focus: Focus,
    /// The pane focus returns to when leaving the prompt.
    pub last_pane: Focus,
    pub prompt: Prompt,
    pub term: Scrollback,
    pub pane: ResourcePane,
    pub cluster: ClusterPane,
    pub overlay: Option<Overlay>,
    pub paused: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    pub index: Index,
    /// The terminal's size (columns, rows).
    pub size: (u16, u16),
    /// A one-line message in the hints bar until the next key.
    pub flash: Option<String>,
    pub quit: bool,
    /// A request for the runtime: run the editor.
    pub editor: Option<EditRequest>,
    /// The edit session now waiting for the editor to close.
    pub editing: Option<EditRequest>,
    /// Set while handling the editor's result: keep the temporary file (its path was shown).
    pub keep_file: bool,
    pub screen: Screen,
    /// The picker to go back to (`:lessons`), when the lesson was started from it.
    pub home: Option<Box<Picker>>,
    /// The lesson pane's state, when a lesson is played.
    pub lesson: Option<LessonUi>,
    /// Requests for the runtime.
    pub effects: Vec<Effect>,
}

/// Everything the TUI reacts to.
#[derive(Clone, Debug, PartialEq)]
pub enum Msg {
    /// Reveal the next hint of the step shown.
    Hint,
    /// Show the next / previous step (or exam task).
    NextStep,
    PrevStep,
    /// Flag the exam task shown for review (or clear its flag).
    Flag,
    /// `r` in the picker: reset the selected lesson's progress (asks first).
    ResetSelected,
    /// Every lesson's progress, as read by the runtime.
    Progress(BTreeMap<String, LessonProgress>),
    /// A message for the learner (from the runtime).
    Note(String),
    Quit,
    /// One simulated second has passed on the wall clock (ignored while paused).
    Tick,
    /// Advance one tick now, paused or not.
    Step,
    TogglePause,
    Faster,
    Slower,
    Resize(u16, u16),
    FocusPrompt,
    /// Next pane (`tab` in the panes).
    FocusNext,
    /// `esc`: leave what is open, or the prompt.
    Escape,
    Edit(EditKey),
    /// Text pasted into the prompt (newlines submit lines).
    Paste(String),
    Submit,
    Complete,
    HistoryPrev,
    HistoryNext,
    /// `ctrl-r`.
    Search,
    /// `ctrl-g`.
    SearchCancel,
    /// Scroll the terminal pane (lines; positive is up).
    ScrollTerm(i32),
    ClearTerm,
    Move(i32),
    Page(i32),
    Top,
    Bottom,
    OpenCommand,
    OpenFilter,
    Help,
    Chaos,
    Enter,
    Describe,
    Yaml,
    Logs,
    EditSelected,
    Delete,
    Xray,
    Zoom,
    AllNamespaces,
    Confirm(bool),
    /// A `:` command (`pods`, `xray deploy web`, `q`).
    Command(String),
    Click {
        col: u16,
        row: u16,
    },
    Wheel {
        col: u16,
        row: u16,
        delta: i32,
    },
    /// The editor closed: the file's text (or why the editor could not run), and the path
    /// of the temporary file.
    EditorDone {
        text: Result<String, String>,
        path: String,
    },
}

impl App {
    pub fn new(ws: Workstation, options: Options) -> App {
        let index = Index::of(&ws);
        let namespace = ws.client.namespace.clone();
        let theme = Theme::new(options.color);
        let mut app = App {
            session: Session::Free(ws),
            options,
            theme,
            focus: Focus::Prompt,
            last_pane: Focus::Resources,
            prompt: Prompt::default(),
            term: Scrollback::default(),
            pane: ResourcePane {
                kind: Kind::Pod,
                namespace: Some(namespace),
                filter: String::new(),
                selected: 0,
                offset: 0,
                mode: PaneMode::Table,
                zoom: false,
            },
            cluster: ClusterPane::default(),
            overlay: None,
            paused: false,
            speed: 0,
            index,
            size: (80, 24),
            flash: None,
            quit: false,
            editor: None,
            editing: None,
            keep_file: false,
            screen: Screen::Play,
            home: None,
            lesson: None,
            effects: Vec::new(),
        };
        app.index.sample_rollouts(&app.session.ws().world);
        for l in strings::WELCOME.lines() {
            app.term.push(LineKind::Output, l);
        }
        app
    }

    /// The TUI on a lesson, exam or scenario: the attempt's cluster and workstation, and the
    /// lesson pane.
    pub fn with_attempt(attempt: Attempt, options: Options) -> App {
        let mut app = App::new(Workstation::new(crate::sim::World::bare(0)), options);
        app.play_attempt(attempt);
        app
    }

    /// The lesson picker, from which lessons are started.
    pub fn with_picker(picker: Picker, options: Options) -> App {
        let mut app = App::new(Workstation::new(crate::sim::World::bare(0)), options);
        app.screen = Screen::Picker(Box::new(picker));
        app
    }

    /// Switches to playing `attempt`: a fresh screen on its cluster.
    fn play_attempt(&mut self, attempt: Attempt) {
        self.options.title = attempt.lesson().title.clone();
        let has_pane = !attempt.lesson().steps.is_empty() || !attempt.lesson().intro.trim().is_empty();
        self.lesson = has_pane.then(|| LessonUi::new(&attempt));
        self.session = Session::Lesson(Box::new(attempt));
        self.index = Index::of(self.session.ws());
        self.index.sample_rollouts(&self.session.ws().world);
        self.pane = ResourcePane {
            kind: Kind::Pod,
            namespace: Some(self.session.ws().client.namespace.clone()),
            filter: String::new(),
            selected: 0,
            offset: 0,
            mode: PaneMode::Table,
            zoom: false,
        };
        self.cluster = ClusterPane::default();
        self.prompt = Prompt::default();
        self.term = Scrollback::default();
        for l in strings::WELCOME.lines() {
            self.term.push(LineKind::Output, l);
        }
        self.overlay = None;
        self.screen = Screen::Play;
        self.focus = Focus::Prompt;
        self.last_pane = if self.lesson.is_some() { Focus::Lesson } else { Focus::Resources };
    }

    /// Starts a lesson chosen in the picker.
    fn start_lesson(&mut self, lesson: Arc<Lesson>) {
        match Attempt::start(lesson.clone(), None) {
            Ok(a) => {
                if let Screen::Picker(p) = std::mem::replace(&mut self.screen, Screen::Play) {
                    self.home = Some(p);
                }
                self.play_attempt(a);
            }
            Err(e) => {
                if let Screen::Picker(p) = &mut self.screen {
                    p.message = Some(format!("{} cannot start: {e}", lesson.id));
                }
            }
        }
    }

    /// The learner's workstation and its cluster.
    pub fn ws(&self) -> &Workstation {
        self.session.ws()
    }

    /// The lesson's attempt, when one is played.
    pub fn attempt(&self) -> Option<&Attempt> {
        self.session.attempt()
    }

    pub fn attempt_mut(&mut self) -> Option<&mut Attempt> {
        self.session.attempt_mut()
    }

    /// Whether the lesson pane is on screen.
    pub fn lesson_shown(&self) -> bool {
        self.lesson.is_some() && self.attempt().is_some()
    }

    /// Notices what the attempt did since the last look: a step done (progress is saved), an
    /// exam's time running out (it is graded).
    fn follow_lesson(&mut self) {
        let Some(a) = self.session.attempt_mut() else { return };
        let Some(ui) = &mut self.lesson else { return };
        let done = lesson_pane::done_count(a);
        if done > ui.done_seen {
            ui.done_seen = done;
            ui.viewing = None;
            ui.scroll = 0;
            let msg = if a.completed() { "✓ lesson complete".to_string() } else { format!("✓ step {done} done") };
            self.flash = Some(msg);
            self.effects.push(Effect::SaveProgress);
        }
        if a.lesson().is_exam() && a.time_is_up() && ui.report.is_none() {
            ui.report = Some(Report::of(a).to_text());
            self.flash = Some("time is up: the exam is graded".into());
            self.effects.push(Effect::SaveProgress);
        }
    }

    /// Whether an exam is under way (its clock must not be paused or sped up).
    pub fn exam_running(&self) -> bool {
        let graded = self.lesson.as_ref().is_some_and(|u| u.report.is_some());
        self.attempt().is_some_and(|a| a.lesson().is_exam() && !a.time_is_up()) && !graded
    }

    /// `:grade`: grades the attempt now (an exam ends).
    fn grade(&mut self) {
        let Some(a) = self.session.attempt_mut() else {
            self.flash = Some("no lesson to grade: open one with kubedojo play <lesson>".into());
            return;
        };
        let text = Report::of(a).to_text();
        if let Some(ui) = &mut self.lesson {
            ui.report = Some(text);
            ui.scroll = 0;
        }
        self.effects.push(Effect::SaveProgress);
    }

    /// Scrolls the lesson pane so that the hint just revealed is in view.
    fn show_latest_hint(&mut self) {
        let (Some(ui), Some(a)) = (&self.lesson, self.attempt()) else { return };
        let Some(i) = ui.shown(a) else { return };
        let n = ui.hints.get(i).copied().unwrap_or(0);
        let head = format!("Hint {n}/{}", a.lesson().steps[i].hints.len());
        let area = self.areas().lesson;
        let lines = lesson_pane::lines(ui, a, layout::inner(area).width, &self.theme);
        let Some(at) =
            lines.iter().position(|l| l.spans.iter().map(|s| s.content.as_ref()).collect::<String>() == head)
        else {
            return;
        };
        let rows = area.height.saturating_sub(2) as usize;
        if let Some(ui) = &mut self.lesson {
            // Its heading and a few lines of it must show; else the heading goes to the top.
            if at < ui.scroll || at + 4 > ui.scroll + rows {
                ui.scroll = at;
            }
        }
    }

    fn lesson_lines(&self) -> usize {
        match (&self.lesson, self.attempt()) {
            (Some(ui), Some(a)) => {
                let w = layout::inner(self.areas().lesson).width;
                lesson_pane::lines(ui, a, w, &self.theme).len()
            }
            _ => 0,
        }
    }

    pub fn areas(&self) -> Areas {
        layout::areas(self, ratatui::layout::Rect::new(0, 0, self.size.0, self.size.1))
    }

    /// The namespace the resource pane lists (the context's when it lists all).
    pub fn view_namespace(&self) -> String {
        self.pane.namespace.clone().unwrap_or_else(|| self.ws().client.namespace.clone())
    }

    fn filter(&self) -> Filter {
        Filter::parse(&self.pane.filter)
    }

    /// The objects of the resource pane's table.
    pub fn listing(&self) -> Vec<&crate::sim::Object> {
        resources::listing(&self.ws().world, self.pane.kind, self.pane.namespace.as_deref(), &self.filter())
    }

    /// The resource table's window: the `rows` rows from the pane's offset, built alone.
    pub fn table_window(&self, rows: usize) -> resources::Window {
        resources::window(
            &self.ws().world,
            self.pane.kind,
            self.pane.namespace.as_deref(),
            &self.filter(),
            self.pane.offset,
            rows,
        )
    }

    /// The object the keys act on: the selected row, tree line, node, or the one shown.
    pub fn selected_object(&self) -> Option<ObjRef> {
        if self.focus == Focus::Cluster {
            let entries = layout::cluster_entries(self);
            return match entries.get(self.cluster.selected) {
                Some(layout::Entry::Node(n)) => {
                    Some(ObjRef { kind: Kind::Node, namespace: String::new(), name: n.clone() })
                }
                _ => None,
            };
        }
        match &self.pane.mode {
            PaneMode::Table => self.listing().get(self.pane.selected).map(|o| ObjRef::of(o)),
            PaneMode::Detail(d) => Some(d.obj.clone()),
            PaneMode::Xray(x) => x.rows.get(x.selected).map(|r| r.obj.clone()),
        }
    }

    /// Runs a command line as if typed, echoing it into the scrollback.
    fn run_echoed(&mut self, line: &str) {
        self.term.push(LineKind::Command, &format!("$ {line}"));
        let out = self.session.run(line);
        self.term.output(&out);
        self.after_change();
    }

    /// Brings every derived view up to date after the cluster changed.
    fn after_change(&mut self) {
        self.index.follow(self.session.ws());
        self.index.refresh(&self.session.ws().world);
        self.refresh_pane();
        self.follow_lesson();
    }

    fn refresh_pane(&mut self) {
        match &self.pane.mode {
            PaneMode::Table => {}
            PaneMode::Detail(d) => {
                let (kind, obj) = (d.kind, d.obj.clone());
                let lines = self.detail_lines(kind, &obj);
                if let PaneMode::Detail(d) = &mut self.pane.mode {
                    d.lines = lines;
                }
            }
            PaneMode::Xray(x) => {
                let rows = xray::rows(&self.session.ws().world, &x.scope);
                if let PaneMode::Xray(x) = &mut self.pane.mode {
                    x.rows = rows;
                }
            }
        }
    }

    /// The kubectl command behind a detail view.
    pub fn detail_args(kind: DetailKind, obj: &ObjRef) -> Vec<String> {
        let mut args: Vec<String> = match kind {
            DetailKind::Describe => vec!["describe".into(), obj.kind.singular(), obj.name.clone()],
            DetailKind::Yaml => vec!["get".into(), obj.kind.singular(), obj.name.clone(), "-o".into(), "yaml".into()],
            DetailKind::Logs if obj.kind == Kind::Pod => vec!["logs".into(), obj.name.clone()],
            DetailKind::Logs => vec!["logs".into(), obj.slash()],
        };
        if obj.kind.namespaced() {
            args.push("-n".into());
            args.push(obj.namespace.clone());
        }
        args
    }

    fn detail_lines(&mut self, kind: DetailKind, obj: &ObjRef) -> Vec<String> {
        let args = App::detail_args(kind, obj);
        let ws = self.session.ws_for_reading();
        let cwd = ws.cwd().to_string();
        let out = crate::kubectl::run(&mut ws.world, &mut ws.client, &mut ws.fs, &cwd, &args, &[]);
        // Both streams in the order they were written, as the terminal would show them.
        let bytes: Vec<u8> = out.io.chunks.iter().flat_map(|(_, b)| b.iter().copied()).collect();
        let text = String::from_utf8_lossy(&bytes);
        text.lines().map(expand_tabs).collect()
    }

    fn open_detail(&mut self, kind: DetailKind) {
        let Some(obj) = self.selected_object() else {
            self.flash = Some(strings::NOTHING_SELECTED.into());
            return;
        };
        if kind == DetailKind::Logs
            && !matches!(
                obj.kind,
                Kind::Pod | Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet | Kind::DaemonSet | Kind::Job
            )
        {
            self.flash = Some(format!("{} has no logs: pick a pod or a workload", obj.slash()));
            return;
        }
        let lines = self.detail_lines(kind, &obj);
        let follow = kind == DetailKind::Logs;
        self.pane.mode = PaneMode::Detail(Detail { kind, obj, lines, scroll: 0, follow });
        self.set_focus(Focus::Resources);
    }

    fn open_xray(&mut self, scope: XrayScope) {
        let rows = xray::rows(&self.ws().world, &scope);
        self.pane.mode = PaneMode::Xray(XrayView { scope, rows, selected: 0, offset: 0 });
        self.set_focus(Focus::Resources);
    }

    fn set_focus(&mut self, f: Focus) {
        if f != Focus::Prompt {
            self.last_pane = f;
        }
        self.focus = f;
    }

    fn show_kind(&mut self, kind: Kind, namespace: Option<Option<String>>) {
        self.pane.kind = kind;
        if let Some(ns) = namespace {
            self.pane.namespace = ns;
        }
        self.pane.filter.clear();
        self.pane.selected = 0;
        self.pane.offset = 0;
        self.pane.mode = PaneMode::Table;
        self.set_focus(Focus::Resources);
    }

    /// A `:` command.
    fn command(&mut self, line: &str) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(first) = words.first() else { return };
        match *first {
            "q" | "q!" | "quit" | "exit" => self.request_quit(),
            "grade" => self.grade(),
            "lessons" | "picker" | "course" => match self.home.take() {
                Some(p) => {
                    self.effects.push(Effect::SaveProgress);
                    self.effects.push(Effect::LoadProgress);
                    self.screen = Screen::Picker(p);
                }
                None => self.flash = Some("the course opens with kubedojo (no arguments)".into()),
            },
            "help" | "?" => self.overlay = Some(Overlay::Help { scroll: 0 }),
            "chaos" => self.overlay = Some(Overlay::Chaos(ChaosMenu::open())),
            "xray" | "x" => {
                let kind = match words.get(1) {
                    None => None,
                    Some(w) => match resources::view_kind(w) {
                        Some(k) => Some(k),
                        None => {
                            self.flash = Some(format!("xray: no resource type \"{w}\""));
                            return;
                        }
                    },
                };
                let scope =
                    XrayScope { namespace: self.view_namespace(), kind, name: words.get(2).map(|s| s.to_string()) };
                self.open_xray(scope);
            }
            w => {
                let Some(kind) = resources::view_kind(w) else {
                    self.flash = Some(format!("no resource type \"{w}\" (try :pods, :deploy, :svc, :nodes, :events)"));
                    return;
                };
                // `:pods kube-system`, `:pods all`, `:ns kube-system`.
                let ns = match words.get(1).copied() {
                    Some("all" | "-A" | "*") => Some(None),
                    Some(ns) if kind == Kind::Namespace => {
                        self.pane.namespace = Some(ns.to_string());
                        self.flash = Some(format!("namespace {ns}"));
                        return;
                    }
                    Some(ns) => Some(Some(ns.to_string())),
                    None => None,
                };
                self.show_kind(kind, ns);
            }
        }
    }

    /// What the prompt does with a complete command line.
    fn run_line(&mut self, text: &str) {
        let words = simple_words(text);
        // Environment assignments before the command (`KUBE_EDITOR=nano kubectl edit ...`).
        let mut editor_env: Option<String> = None;
        let mut i = 0;
        while let Some(w) = words.get(i) {
            match w.split_once('=') {
                Some((k, v)) if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                    if k == "KUBE_EDITOR" || (k == "EDITOR" && editor_env.is_none()) {
                        editor_env = Some(v.to_string());
                    }
                    i += 1;
                }
                _ => break,
            }
        }
        let cmd = &words[i.min(words.len())..];
        let single = !text.contains(['|', ';', '&', '>', '<', '\n', '$', '`']);
        if single {
            match cmd.first().map(String::as_str) {
                Some("clear") if cmd.len() == 1 => {
                    self.term.lines.clear();
                    return;
                }
                Some(ed @ ("vim" | "vi" | "nano" | "emacs")) => {
                    let Some(file) = cmd.get(1) else {
                        self.term
                            .output(format!("{ed}: kubedojo opens the editor on a file: {ed} pod.yaml\n").as_bytes());
                        return;
                    };
                    let mut req = edit::start_file_edit(self.ws(), ed, file);
                    if editor_env.is_some() {
                        req.program = editor_env;
                    }
                    self.request_editor(req);
                    return;
                }
                Some("kubectl" | "k") => {
                    if let Some(pos) = verb_position(&cmd[1..]) {
                        if cmd[1 + pos] == "edit" {
                            match edit::start_kubectl_edit(self.session.ws_for_reading(), &cmd[1..]) {
                                Ok(mut req) => {
                                    req.program = editor_env;
                                    self.request_editor(req);
                                }
                                Err(e) => self.term.output(format!("{e}\n").as_bytes()),
                            }
                            return;
                        }
                    }
                }
                _ => {}
            }
        }
        let out = self.session.run(text);
        self.term.output(&out);
        self.after_change();
    }

    /// Quits, saving the lesson's progress and session first.
    fn request_quit(&mut self) {
        if self.attempt().is_some() {
            self.effects.push(Effect::SaveProgress);
        }
        self.quit = true;
    }

    fn request_editor(&mut self, req: EditRequest) {
        self.editor = Some(req.clone());
        self.editing = Some(req);
    }

    fn submit_prompt(&mut self) {
        if self.prompt.search.is_some() {
            self.prompt.search_accept();
        }
        self.prompt.candidates.clear();
        let line = self.prompt.input.take();
        let first = self.prompt.pending.is_empty();
        self.term.push(LineKind::Command, &format!("{}{line}", if first { "$ " } else { "> " }));
        self.prompt.pending.push(line);
        let text = self.prompt.pending.join("\n");
        if crate::shell::needs_more_input(&text) {
            return;
        }
        self.prompt.pending.clear();
        self.prompt.remember(&text);
        self.prompt.hist_pos = None;
        if text.trim().is_empty() {
            return;
        }
        self.run_line(&text);
    }

    fn complete_prompt(&mut self) {
        let input = &self.prompt.input;
        let c = complete::complete(self.session.ws(), &input.text, input.cursor);
        let word = &input.text[c.start..input.cursor];
        match c.replacement() {
            None => self.prompt.candidates.clear(),
            Some(r) => {
                if r.trim_end() == word && c.candidates.len() > 1 {
                    self.prompt.candidates = c.candidates.clone();
                } else {
                    let cursor = input.cursor;
                    self.prompt.input.text.replace_range(c.start..cursor, &r);
                    self.prompt.input.cursor = c.start + r.len();
                    self.prompt.candidates = if c.candidates.len() > 1 { c.candidates.clone() } else { Vec::new() };
                }
            }
        }
    }

    fn complete_command_line(&mut self) {
        let Some(Overlay::Command(l)) = &mut self.overlay else { return };
        if l.text.contains(' ') {
            return;
        }
        let mut words: Vec<String> = ["help", "quit", "xray", "chaos"].iter().map(|s| s.to_string()).collect();
        for r in crate::sim::api::discovery::resources() {
            words.push(r.plural.to_string());
            words.extend(r.short_names.iter().map(|s| s.to_string()));
        }
        let mut c: Vec<String> = words.into_iter().filter(|w| w.starts_with(l.text.as_str())).collect();
        c.sort();
        c.dedup();
        match c.as_slice() {
            [one] => l.set(one),
            [] => {}
            many => {
                let p = complete::Completion { start: 0, candidates: many.to_vec() }.replacement().unwrap_or_default();
                l.set(&p);
                self.flash = Some(many.join("  "));
            }
        }
    }

    fn rows_in_pane(&self) -> usize {
        let a = self.areas();
        if self.focus == Focus::Lesson {
            return a.lesson.height.saturating_sub(2).max(1) as usize;
        }
        match &self.pane.mode {
            PaneMode::Table => a.resources.height.saturating_sub(3) as usize,
            _ => a.resources.height.saturating_sub(2) as usize,
        }
        .max(1)
    }

    fn move_selection(&mut self, delta: i64) {
        if self.focus == Focus::Lesson {
            if let Some(ui) = &mut self.lesson {
                ui.scroll = (ui.scroll as i64 + delta).max(0) as usize;
            }
            return;
        }
        if self.focus == Focus::Cluster {
            let n = layout::cluster_entries(self).len();
            if n > 0 {
                self.cluster.selected = (self.cluster.selected as i64 + delta).clamp(0, n as i64 - 1) as usize;
            }
            return;
        }
        let table_len = if matches!(self.pane.mode, PaneMode::Table) { self.listing().len() } else { 0 };
        match &mut self.pane.mode {
            PaneMode::Table => {
                let n = table_len;
                if n > 0 {
                    self.pane.selected = (self.pane.selected as i64 + delta).clamp(0, n as i64 - 1) as usize;
                }
            }
            PaneMode::Xray(x) => {
                let n = x.rows.len();
                if n > 0 {
                    x.selected = (x.selected as i64 + delta).clamp(0, n as i64 - 1) as usize;
                }
            }
            PaneMode::Detail(d) => {
                d.scroll = (d.scroll as i64 + delta).max(0) as usize;
                d.follow = false;
            }
        }
    }

    /// Keeps selections in range and in view after anything changed.
    fn fix_scroll(&mut self) {
        let rows = self.rows_in_pane();
        match &mut self.pane.mode {
            PaneMode::Table => {
                let n = resources::listing(
                    &self.session.ws().world,
                    self.pane.kind,
                    self.pane.namespace.as_deref(),
                    &Filter::parse(&self.pane.filter),
                )
                .len();
                fix(&mut self.pane.selected, &mut self.pane.offset, n, rows);
            }
            PaneMode::Xray(x) => fix(&mut x.selected, &mut x.offset, x.rows.len(), rows),
            PaneMode::Detail(d) => {
                let max = d.lines.len().saturating_sub(rows);
                if d.follow || d.scroll > max {
                    d.scroll = max;
                }
                if d.kind == DetailKind::Logs && d.scroll == max {
                    d.follow = true;
                }
            }
        }
        let entries = layout::cluster_entries(self).len();
        if self.cluster.selected >= entries {
            self.cluster.selected = entries.saturating_sub(1);
        }
        let a = self.areas();
        let (first_row, last_row) = layout::cluster_visible_rows(self, a.cluster);
        let cols = layout::cluster_columns(a.cluster);
        let sel_row = self.cluster.selected / cols;
        if sel_row < first_row {
            self.cluster.offset_row = sel_row;
        } else if sel_row > last_row {
            self.cluster.offset_row += sel_row - last_row;
        }
        let max_scroll = self.term.lines.len();
        self.term.scroll = self.term.scroll.min(max_scroll);
        if self.lesson.is_some() {
            let rows = a.lesson.height.saturating_sub(2) as usize;
            let max = self.lesson_lines().saturating_sub(rows);
            if let Some(ui) = &mut self.lesson {
                ui.scroll = ui.scroll.min(max);
            }
        }
    }

    fn click(&mut self, col: u16, row: u16) {
        let a = self.areas();
        let pos = ratatui::layout::Position { x: col, y: row };
        if a.terminal.contains(pos) {
            self.set_focus(Focus::Prompt);
        } else if a.lesson.contains(pos) {
            self.set_focus(Focus::Lesson);
        } else if a.cluster.contains(pos) {
            self.set_focus(Focus::Cluster);
            if let Some(i) = layout::cluster_hit(self, a.cluster, pos) {
                self.cluster.selected = i;
            }
        } else if a.resources.contains(pos) {
            self.set_focus(Focus::Resources);
            let first = a.resources.y + if matches!(self.pane.mode, PaneMode::Table) { 2 } else { 1 };
            if row >= first && row + 1 < a.resources.y + a.resources.height {
                let i = (row - first) as usize;
                let table_len = if matches!(self.pane.mode, PaneMode::Table) { self.listing().len() } else { 0 };
                match &mut self.pane.mode {
                    PaneMode::Table => {
                        let target = self.pane.offset + i;
                        if target < table_len {
                            self.pane.selected = target;
                        }
                    }
                    PaneMode::Xray(x) => {
                        if x.offset + i < x.rows.len() {
                            x.selected = x.offset + i;
                        }
                    }
                    PaneMode::Detail(_) => {}
                }
            }
        }
    }

    fn tick(&mut self) {
        self.session.tick();
        self.index.follow(self.session.ws());
        self.index.sample_rollouts(&self.session.ws().world);
        self.after_change();
    }

    fn editor_done(&mut self, text: Result<String, String>, path: &str) {
        self.keep_file = false;
        let Some(req) = self.editing.take() else { return };
        let edited = match text {
            Ok(t) => t,
            Err(e) => {
                self.term.output(format!("{e}\n").as_bytes());
                return;
            }
        };
        let out = edit::finish(&mut self.session, &req, &edited, path);
        self.term.output(out.output.as_bytes());
        self.keep_file = out.keep_file;
        if let Some(again) = out.reopen {
            self.request_editor(again);
        }
        self.after_change();
    }
}

fn fix(selected: &mut usize, offset: &mut usize, n: usize, rows: usize) {
    if n == 0 {
        *selected = 0;
        *offset = 0;
        return;
    }
    *selected = (*selected).min(n - 1);
    if *selected < *offset {
        *offset = *selected;
    }
    if *selected >= *offset + rows {
        *offset = *selected + 1 - rows;
    }
    *offset = (*offset).min(n.saturating_sub(rows));
}

/// Splits a command line into words, dropping simple quotes (enough to recognise `vim x`
/// and `kubectl edit`; the shell itself parses everything else).
fn simple_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() || any {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() || any {
        out.push(cur);
    }
    out
}

/// Where kubectl's verb is among its arguments (global flags may come first:
/// `kubectl -n dev edit deploy web`).
fn verb_position(args: &[String]) -> Option<usize> {
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if !a.starts_with('-') {
            return Some(i);
        }
        if matches!(a.as_str(), "-n" | "--namespace" | "--context" | "--kubeconfig" | "-v" | "--v") {
            i += 1;
        }
        i += 1;
    }
    None
}

/// Applies a message. Returns a follow-up message, if any.
pub fn update(app: &mut App, msg: Msg) -> Option<Msg> {
    if !matches!(msg, Msg::Tick | Msg::Resize(..)) {
        app.flash = None;
    }
    if matches!(app.screen, Screen::Picker(_)) && app.overlay.is_none() {
        return update_picker(app, msg);
    }
    let next = match app.overlay.take() {
        Some(o) => update_overlay(app, o, msg),
        None => update_main(app, msg),
    };
    app.fix_scroll();
    next
}

fn update_picker(app: &mut App, msg: Msg) -> Option<Msg> {
    let rows = app.size.1.saturating_sub(4) as usize;
    let list = super::picker::list_area(ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1));
    let Screen::Picker(p) = &mut app.screen else { return None };
    if p.confirm_reset {
        match msg {
            Msg::Confirm(true) => {
                if let Some(l) = p.selected_lesson() {
                    app.effects.push(Effect::ResetProgress(l.id.clone()));
                    p.message = Some(format!("progress in \"{}\" forgotten", l.title));
                }
                p.confirm_reset = false;
            }
            Msg::Confirm(false) | Msg::Escape => p.confirm_reset = false,
            Msg::Quit => app.quit = true,
            Msg::Resize(w, h) => app.size = (w, h),
            _ => {}
        }
        return None;
    }
    if !matches!(msg, Msg::Tick | Msg::Resize(..) | Msg::Progress(_)) {
        p.message = None;
    }
    match msg {
        Msg::Quit => app.quit = true,
        Msg::Resize(w, h) => app.size = (w, h),
        Msg::Move(d) => p.step(d as i64),
        Msg::Page(d) => p.step(d as i64 * rows.max(1) as i64),
        Msg::Top => p.step(-(i32::MAX as i64)),
        Msg::Bottom => p.step(i32::MAX as i64),
        Msg::ResetSelected => p.confirm_reset = p.selected_lesson().is_some(),
        Msg::Progress(map) => p.progress = map,
        Msg::Note(n) => p.message = Some(n),
        Msg::Help => app.overlay = Some(Overlay::Help { scroll: 0 }),
        Msg::Click { row, col } => {
            let pos = ratatui::layout::Position { x: col, y: row };
            if list.contains(pos) && row > list.y {
                let i = p.offset + (row - list.y - 1) as usize;
                if matches!(p.rows.get(i), Some(super::picker::Row::Lesson(_))) {
                    p.selected = i;
                }
            }
        }
        Msg::Enter | Msg::Submit => {
            if let Some(l) = p.selected_lesson().cloned() {
                app.start_lesson(l);
                return None;
            }
        }
        _ => {}
    }
    if let Screen::Picker(p) = &mut app.screen {
        p.fix_scroll(layout::inner(list).height as usize);
    }
    None
}

fn update_overlay(app: &mut App, overlay: Overlay, msg: Msg) -> Option<Msg> {
    // Messages that work under any pop-up.
    match msg {
        Msg::Quit | Msg::Tick | Msg::Resize(..) | Msg::EditorDone { .. } => {
            app.overlay = Some(overlay);
            return update_main(app, msg);
        }
        _ => {}
    }
    match overlay {
        Overlay::Help { scroll } => {
            let scroll = match msg {
                Msg::Move(d) => (scroll as i64 + d as i64).max(0) as usize,
                Msg::Page(d) => (scroll as i64 + d as i64 * 10).max(0) as usize,
                Msg::Top => 0,
                Msg::Escape | Msg::Help | Msg::Enter | Msg::Submit => return None,
                _ => scroll,
            };
            let screen = ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1);
            app.overlay = Some(Overlay::Help { scroll: scroll.min(super::view::help_scroll_max(screen)) });
        }
        Overlay::Chaos(mut menu) => match msg {
            Msg::Move(d) => {
                menu.step(d);
                app.overlay = Some(Overlay::Chaos(menu));
            }
            Msg::Enter | Msg::Submit => {
                let ns = app.view_namespace();
                match menu.choose(&app.ws().world, &ns) {
                    Choice::Run(cmd) => app.run_echoed(&cmd),
                    Choice::Prompt(text) => {
                        app.prompt.input.set(&text);
                        app.set_focus(Focus::Prompt);
                    }
                    Choice::More => app.overlay = Some(Overlay::Chaos(menu)),
                }
            }
            Msg::Escape => {
                if menu.back() {
                    app.overlay = Some(Overlay::Chaos(menu));
                }
            }
            _ => app.overlay = Some(Overlay::Chaos(menu)),
        },
        Overlay::ConfirmDelete(obj) => match msg {
            Msg::Confirm(true) => {
                let mut cmd = format!("kubectl delete {} {}", obj.kind.singular(), obj.name);
                if obj.kind.namespaced() {
                    cmd.push_str(&format!(" -n {}", obj.namespace));
                }
                cmd.push_str(" --wait=false");
                app.run_echoed(&cmd);
            }
            Msg::Confirm(false) | Msg::Escape => {}
            _ => app.overlay = Some(Overlay::ConfirmDelete(obj)),
        },
        Overlay::Command(mut line) => match msg {
            Msg::Edit(k) => {
                line.apply(k);
                app.overlay = Some(Overlay::Command(line));
            }
            Msg::Complete => {
                app.overlay = Some(Overlay::Command(line));
                app.complete_command_line();
            }
            Msg::Submit | Msg::Enter => app.command(&line.text),
            Msg::Escape => {}
            _ => app.overlay = Some(Overlay::Command(line)),
        },
        Overlay::Filter(mut line) => match msg {
            Msg::Edit(k) => {
                line.apply(k);
                app.pane.filter = line.text.clone();
                app.pane.selected = 0;
                app.overlay = Some(Overlay::Filter(line));
            }
            Msg::Submit | Msg::Enter => {}
            Msg::Escape => {
                app.pane.filter.clear();
            }
            _ => app.overlay = Some(Overlay::Filter(line)),
        },
    }
    None
}

fn update_main(app: &mut App, msg: Msg) -> Option<Msg> {
    let in_prompt = app.focus == Focus::Prompt;
    match msg {
        Msg::Quit => app.request_quit(),
        Msg::Hint => {
            let revealed = match (&mut app.lesson, app.session.attempt()) {
                (Some(ui), Some(a)) => ui.reveal_hint(a),
                _ => false,
            };
            if revealed {
                app.set_focus(if app.focus == Focus::Prompt { Focus::Prompt } else { Focus::Lesson });
                app.show_latest_hint();
            } else {
                app.flash =
                    Some(if app.lesson.is_some() { "no more hints for this step" } else { "no lesson here" }.into());
            }
        }
        Msg::NextStep | Msg::PrevStep => {
            if let (Some(ui), Some(a)) = (&mut app.lesson, app.session.attempt()) {
                ui.browse(a, if msg == Msg::NextStep { 1 } else { -1 });
            }
        }
        Msg::Flag => {
            let shown = match (&app.lesson, app.session.attempt()) {
                (Some(ui), Some(a)) if a.lesson().is_exam() => ui.shown(a).map(|i| a.lesson().steps[i].id.clone()),
                _ => None,
            };
            match (shown, app.session.attempt_mut()) {
                (Some(id), Some(a)) => {
                    let on = !a.flags().contains(&id);
                    a.set_flag(&id, on);
                }
                _ => app.flash = Some("flags are for exam tasks".into()),
            }
        }
        Msg::ResetSelected => {}
        Msg::Progress(map) => {
            if let Some(p) = &mut app.home {
                p.progress = map;
            }
        }
        Msg::Note(n) => app.flash = Some(n),
        Msg::Tick => {
            if !app.paused {
                app.tick();
            }
        }
        Msg::Step | Msg::TogglePause | Msg::Faster | Msg::Slower if app.exam_running() => {
            app.flash = Some("an exam's clock runs on: it cannot be paused, stepped or sped up".into());
        }
        Msg::Step => {
            app.tick();
            app.flash = Some(format!(
                "stepped one second ({})",
                strings::clock(app.ws().world.now.since(crate::sim::clock::ARRIVAL))
            ));
        }
        Msg::TogglePause => app.paused = !app.paused,
        Msg::Faster => app.speed = (app.speed + 1).min(SPEEDS.len() - 1),
        Msg::Slower => app.speed = app.speed.saturating_sub(1),
        Msg::Resize(w, h) => app.size = (w, h),
        Msg::FocusPrompt => app.set_focus(Focus::Prompt),
        Msg::FocusNext => {
            let a = app.areas();
            let shown = |f: Focus| match f {
                Focus::Lesson => a.lesson.width > 0,
                Focus::Cluster => a.cluster.width > 0,
                Focus::Resources => a.resources.width > 0,
                Focus::Prompt => false,
            };
            let order = [Focus::Lesson, Focus::Cluster, Focus::Resources];
            let next = if app.focus == Focus::Prompt {
                app.last_pane
            } else {
                let at = order.iter().position(|f| *f == app.focus).unwrap_or(0);
                (1..=3).map(|k| order[(at + k) % 3]).find(|f| shown(*f)).unwrap_or(Focus::Resources)
            };
            app.set_focus(if shown(next) { next } else { Focus::Resources });
        }
        Msg::Escape => {
            if in_prompt {
                if app.prompt.search.is_some() {
                    app.prompt.search_accept();
                } else if !app.prompt.candidates.is_empty() {
                    app.prompt.candidates.clear();
                } else {
                    app.set_focus(app.last_pane);
                }
            } else if app.focus == Focus::Lesson {
                if let Some(ui) = &mut app.lesson {
                    ui.viewing = None;
                    ui.scroll = 0;
                }
            } else if !matches!(app.pane.mode, PaneMode::Table) {
                app.pane.mode = PaneMode::Table;
            } else if !app.pane.filter.is_empty() {
                app.pane.filter.clear();
            } else if app.pane.zoom {
                app.pane.zoom = false;
            }
        }
        Msg::Edit(k) => {
            if in_prompt {
                app.prompt.candidates.clear();
                if app.prompt.search.is_some() {
                    match k {
                        EditKey::Char(_) | EditKey::Backspace => app.prompt.search_edit(k),
                        _ => {
                            app.prompt.search_accept();
                            app.prompt.input.apply(k);
                        }
                    }
                } else {
                    app.prompt.input.apply(k);
                }
            }
        }
        Msg::Paste(text) => {
            app.set_focus(Focus::Prompt);
            let text = text.replace("\r\n", "\n").replace('\r', "\n");
            let mut lines = text.split('\n').peekable();
            while let Some(l) = lines.next() {
                for c in l.chars() {
                    app.prompt.input.apply(EditKey::Char(c));
                }
                if lines.peek().is_some() {
                    app.submit_prompt();
                }
            }
        }
        Msg::Submit => {
            if in_prompt {
                app.submit_prompt();
            } else {
                return Some(Msg::Enter);
            }
        }
        Msg::Complete => {
            if in_prompt {
                app.complete_prompt();
            }
        }
        Msg::HistoryPrev => {
            app.prompt.search_accept();
            app.prompt.history_prev();
        }
        Msg::HistoryNext => {
            app.prompt.search_accept();
            app.prompt.history_next();
        }
        Msg::Search => {
            app.set_focus(Focus::Prompt);
            app.prompt.search_next();
        }
        Msg::SearchCancel => app.prompt.search_cancel(),
        Msg::ScrollTerm(d) => {
            app.term.scroll = (app.term.scroll as i64 + d as i64).max(0) as usize;
        }
        Msg::ClearTerm => app.term.lines.clear(),
        Msg::Move(d) => app.move_selection(d as i64),
        Msg::Page(d) => {
            let rows = app.rows_in_pane() as i64;
            app.move_selection(d as i64 * rows);
        }
        Msg::Top => app.move_selection(-(i32::MAX as i64)),
        Msg::Bottom => {
            app.move_selection(i32::MAX as i64);
            if let PaneMode::Detail(d) = &mut app.pane.mode {
                d.follow = d.kind == DetailKind::Logs;
            }
        }
        Msg::OpenCommand => app.overlay = Some(Overlay::Command(LineInput::default())),
        Msg::OpenFilter => {
            if app.focus == Focus::Cluster {
                app.set_focus(Focus::Resources);
            }
            app.pane.mode = PaneMode::Table;
            app.overlay = Some(Overlay::Filter(LineInput::new(&app.pane.filter)));
        }
        Msg::Help => app.overlay = Some(Overlay::Help { scroll: 0 }),
        Msg::Chaos => app.overlay = Some(Overlay::Chaos(ChaosMenu::open())),
        Msg::Enter => enter(app),
        Msg::Describe => app.open_detail(DetailKind::Describe),
        Msg::Yaml => app.open_detail(DetailKind::Yaml),
        Msg::Logs => app.open_detail(DetailKind::Logs),
        Msg::EditSelected => match app.selected_object() {
            Some(obj) => {
                let mut line = format!("kubectl edit {} {}", obj.kind.singular(), obj.name);
                if obj.kind.namespaced() {
                    line.push_str(&format!(" -n {}", obj.namespace));
                }
                app.term.push(LineKind::Command, &format!("$ {line}"));
                match edit::start_object_edit(app.session.ws_for_reading(), &obj) {
                    Ok(req) => app.request_editor(req),
                    Err(e) => app.term.output(format!("{e}\n").as_bytes()),
                }
            }
            None => app.flash = Some(strings::NOTHING_SELECTED.into()),
        },
        Msg::Delete => match app.selected_object() {
            Some(obj) => app.overlay = Some(Overlay::ConfirmDelete(obj)),
            None => app.flash = Some(strings::NOTHING_SELECTED.into()),
        },
        Msg::Xray => match app.selected_object() {
            Some(obj) if obj.kind.namespaced() => {
                let scope = XrayScope { namespace: obj.namespace.clone(), kind: Some(obj.kind), name: Some(obj.name) };
                app.open_xray(scope);
            }
            _ => {
                let scope = XrayScope { namespace: app.view_namespace(), kind: None, name: None };
                app.open_xray(scope);
            }
        },
        Msg::Zoom => {
            app.pane.zoom = !app.pane.zoom;
            if app.pane.zoom {
                app.set_focus(Focus::Resources);
            }
        }
        Msg::AllNamespaces => {
            app.pane.namespace = match app.pane.namespace {
                None => Some(app.ws().client.namespace.clone()),
                Some(_) => None,
            };
            app.pane.selected = 0;
        }
        Msg::Confirm(_) => {}
        Msg::Command(c) => app.command(&c),
        Msg::Click { col, row } => app.click(col, row),
        Msg::Wheel { col, row, delta } => {
            let a = app.areas();
            let pos = ratatui::layout::Position { x: col, y: row };
            if a.terminal.contains(pos) {
                return Some(Msg::ScrollTerm(-delta * 3));
            }
            if a.resources.contains(pos) {
                let f = app.focus;
                app.focus = Focus::Resources;
                app.move_selection(delta as i64 * 3);
                app.focus = f;
            } else if a.cluster.contains(pos) {
                let f = app.focus;
                app.focus = Focus::Cluster;
                app.move_selection(delta as i64);
                app.focus = f;
            }
        }
        Msg::EditorDone { text, path } => app.editor_done(text, &path),
    }
    None
}

/// `enter` on the selection: drill into it.
fn enter(app: &mut App) {
    if app.focus == Focus::Lesson {
        return;
    }
    if app.focus == Focus::Cluster {
        app.open_detail(DetailKind::Describe);
        return;
    }
    match &app.pane.mode {
        PaneMode::Table => {
            let Some(obj) = app.selected_object() else { return };
            match obj.kind {
                Kind::Namespace => {
                    app.pane.namespace = Some(obj.name.clone());
                    app.show_kind(Kind::Pod, None);
                }
                Kind::Deployment
                | Kind::ReplicaSet
                | Kind::StatefulSet
                | Kind::DaemonSet
                | Kind::Job
                | Kind::CronJob
                | Kind::Service
                | Kind::Ingress => {
                    let scope =
                        XrayScope { namespace: obj.namespace.clone(), kind: Some(obj.kind), name: Some(obj.name) };
                    app.open_xray(scope);
                }
                _ => app.open_detail(DetailKind::Describe),
            }
        }
        PaneMode::Xray(_) => app.open_detail(DetailKind::Describe),
        PaneMode::Detail(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_verbs() {
        assert_eq!(simple_words("vim 'my file.yaml'"), ["vim", "my file.yaml"]);
        assert_eq!(simple_words("kubectl  edit deploy web"), ["kubectl", "edit", "deploy", "web"]);
        let args: Vec<String> = ["-n", "dev", "edit", "deploy"].iter().map(|s| s.to_string()).collect();
        assert_eq!(verb_position(&args), Some(2));
        assert_eq!(expand_tabs("a\tb"), "a       b");
    }

    #[test]
    fn scroll_follows_the_selection() {
        let (mut sel, mut off) = (10, 0);
        fix(&mut sel, &mut off, 20, 5);
        assert_eq!((sel, off), (10, 6));
        sel = 2;
        fix(&mut sel, &mut off, 20, 5);
        assert_eq!(off, 2);
        sel = 50;
        fix(&mut sel, &mut off, 20, 5);
        assert_eq!((sel, off), (19, 15));
    }
}
