//! Drawing: `view(&App, &mut Frame)` paints the whole screen from the App and nothing else
//! (no side effects, no clock). Each pane draws straight into the frame's buffer and builds
//! only what is visible — the rows in view, the node boxes in view — so a frame costs the
//! same for 10 pods as for 10,000.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Block, BorderType, Clear, Sparkline, Widget};
use ratatui::Frame;

use super::app::{App, DetailKind, Focus, LineKind, Overlay, PaneMode, Screen, SPEEDS};
use super::chaos::Stage;
use super::layout::{self, Entry};
use super::resources::{self, ObjRef};
use super::strings;
use super::theme::Health;
use super::{lesson_pane, picker};
use crate::sim::Kind;

/// Draws the whole screen.
pub fn view(app: &App, f: &mut Frame) {
    let area = f.area();
    if let Screen::Picker(p) = &app.screen {
        let buf = f.buffer_mut();
        picker::render(p, &app.theme, area, buf);
        overlay(app, area, buf);
        return;
    }
    let a = layout::areas(app, area);
    let mut cursor: Option<Position> = None;
    {
        let buf = f.buffer_mut();
        status_bar(app, a.status, buf);
        lesson(app, a.lesson, buf);
        cluster(app, a.cluster, buf);
        resource_pane(app, a.resources, buf);
        strip(app, a.strip, buf);
        if let Some(c) = terminal(app, a.terminal, buf) {
            if app.focus == Focus::Prompt && app.overlay.is_none() {
                cursor = Some(c);
            }
        }
        if let Some(c) = hints(app, a.hints, buf) {
            cursor = Some(c);
        }
        overlay(app, area, buf);
    }
    if let Some(c) = cursor {
        f.set_cursor_position(c);
    }
}

/// Writes `s` at (x, y), at most `w` columns; returns the column after it.
fn put(buf: &mut Buffer, x: u16, y: u16, s: &str, w: u16, style: Style) -> u16 {
    if w == 0 {
        return x;
    }
    buf.set_stringn(x, y, s, w as usize, style).0
}

use super::markdown::{self, fit};

fn block<'a>(app: &App, title: String, focused: bool) -> Block<'a> {
    let t = &app.theme;
    let b = Block::bordered().title(title).title_style(t.title());
    if focused {
        b.border_style(t.focused()).border_type(BorderType::Thick)
    } else {
        b.border_style(t.border())
    }
}

fn lesson(app: &App, area: Rect, buf: &mut Buffer) {
    if area.width < 4 || area.height < 3 {
        return;
    }
    let (Some(ui), Some(a)) = (&app.lesson, app.attempt()) else { return };
    let t = &app.theme;
    let focused = app.focus == Focus::Lesson;
    let title = lesson_pane::title(ui, a, area.width as usize);
    let mut b = block(app, title, focused);
    if a.lesson().is_exam() && lesson_pane::time_short(a) && ui.report.is_none() {
        b = b.title_style(t.error());
    }
    b.render(area, buf);
    let inner = layout::inner(area);
    let lines = lesson_pane::lines(ui, a, inner.width, t);
    for (i, l) in lines.iter().skip(ui.scroll).take(inner.height as usize).enumerate() {
        buf.set_line(inner.x, inner.y + i as u16, l, inner.width);
    }
    if lines.len() > ui.scroll + inner.height as usize && area.width > 12 {
        let tag = " ↓ more ";
        put(buf, area.x + area.width - 10, area.y + area.height - 1, tag, 8, t.key());
    }
}

fn status_bar(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let t = &app.theme;
    buf.set_style(area, t.bar());
    let sim = if app.paused { " ⏸ paused ".to_string() } else { format!(" ▶ {}× ", SPEEDS[app.speed]) };
    let ns = match &app.pane.namespace {
        Some(ns) => format!(" ns {ns} "),
        None => " ns all ".into(),
    };
    // An exam's time left matters more than the simulated clock: it takes the clock's place.
    let exam = match (&app.lesson, app.attempt()) {
        (Some(ui), Some(a)) => lesson_pane::exam_clock(ui, a).map(|c| (c, lesson_pane::time_short(a))),
        _ => None,
    };
    let (clock, clock_style) = match exam {
        Some((clock, short)) => {
            (format!(" exam {clock} "), if short && app.exam_running() { t.bar().patch(t.error()) } else { t.bar() })
        }
        None => (format!(" ⏱ {} ", strings::clock(app.ws().world.now.since(crate::sim::clock::ARRIVAL))), t.bar()),
    };
    let mode = match app.focus {
        Focus::Prompt => " PROMPT ",
        Focus::Lesson => " LESSON ",
        _ => " PANES ",
    };
    // The title gives way first (it is cut), then the mode and the namespace go.
    let width = area.width as usize;
    let w = markdown::width_of;
    let head = " kubedojo · ";
    let essential = w(head) + w(&sim) + w(&clock);
    let show_ns = essential + w(&ns) + 8 <= width;
    let show_mode = show_ns && essential + w(&ns) + w(mode) + 12 <= width;
    let used = essential + if show_ns { w(&ns) } else { 0 } + if show_mode { w(mode) } else { 0 };
    let title = fit(&app.options.title, width.saturating_sub(used + 1));
    let end = area.x + area.width;
    let mut x = put(buf, area.x, area.y, &format!("{head}{title} "), area.width, t.bar());
    x = put(buf, x, area.y, &sim, end.saturating_sub(x), if app.paused { t.paused() } else { t.bar() });
    x = put(buf, x, area.y, &clock, end.saturating_sub(x), clock_style);
    if show_ns {
        put(buf, x, area.y, &ns, end.saturating_sub(x), t.bar());
    }
    if show_mode {
        let mw = w(mode) as u16;
        put(buf, end - mw, area.y, mode, mw, t.bar());
    }
}

fn cluster(app: &App, area: Rect, buf: &mut Buffer) {
    if area.width < 4 || area.height < 3 {
        return;
    }
    let t = &app.theme;
    let focused = app.focus == Focus::Cluster;
    let entries = layout::cluster_entries(app);
    let nodes = entries.iter().filter(|e| matches!(e, Entry::Node(_))).count();
    // With several clusters, the title names the one the current context reaches.
    let ws = app.ws();
    let title = if ws.cluster_count() > 1 {
        format!(" cluster {} [{nodes} nodes] ", ws.cluster())
    } else {
        format!(" cluster [{nodes} nodes] ")
    };
    block(app, title, focused).render(area, buf);
    let now = app.ws().world.now.datetime();
    for (i, r) in layout::cluster_boxes(app, area) {
        let entry = &entries[i];
        let selected = focused && app.cluster.selected == i;
        let (title, health, line) = match entry {
            Entry::Unscheduled => (" unscheduled ".to_string(), Health::Starting, "waiting for a node".to_string()),
            Entry::Node(name) => {
                let node = app.ws().world.store.get(Kind::Node, "", name);
                let (h, notes) = node.map(resources::node_state).unwrap_or((Health::Unknown, Vec::new()));
                let roles = node.map(resources::node_roles).unwrap_or_default();
                let state = if notes.is_empty() { "Ready".to_string() } else { notes.join(" · ") };
                // The roles too, when the box is wide enough.
                let full = format!("{roles} · {state}");
                let room = (r.width as usize).saturating_sub(name.chars().count() + 9);
                let line = if roles == "<none>" || full.chars().count() > room { state } else { full };
                (format!(" {} {name} ", h.glyph()), h, line)
            }
        };
        let room = (r.width as usize).saturating_sub(title.chars().count() + 4);
        let state = ratatui::text::Line::styled(format!(" {} ", fit(&line, room.saturating_sub(2))), t.health(health))
            .right_aligned();
        let mut b = Block::bordered()
            .title(ratatui::text::Line::styled(title, t.health(health).add_modifier(ratatui::style::Modifier::BOLD)));
        if room > 6 {
            b = b.title(state);
        }
        b = if selected {
            b.border_style(t.focused()).border_type(BorderType::Thick)
        } else {
            b.border_style(t.border())
        };
        b.render(r, buf);
        let inner = layout::inner(r);
        if inner.height == 0 || inner.width == 0 {
            continue;
        }
        let key = match entry {
            Entry::Unscheduled => "",
            Entry::Node(n) => n.as_str(),
        };
        let empty = Default::default();
        let pods = app.index.pods_on(key).unwrap_or(&empty);
        let mut y = inner.y;
        let bottom = inner.y + inner.height;
        if pods.is_empty() {
            if y < bottom {
                put(buf, inner.x, y, "no pods", inner.width, t.dim());
            }
            continue;
        }
        if pods.len() <= layout::LIST_MAX {
            for k in pods {
                if y >= bottom {
                    break;
                }
                let Some(p) = app.ws().world.store.get(Kind::Pod, &k.namespace, &k.name) else { continue };
                let s = resources::pod_summary(p, now);
                let mut right = format!("{} {}", s.ready, s.status).trim().to_string();
                if !s.restarts.is_empty() && !s.restarts.starts_with('0') {
                    right.push_str(&format!(" ↻{}", s.restarts.split(' ').next().unwrap_or("")));
                }
                let w = inner.width as usize;
                let name_w = w.saturating_sub(right.chars().count() + 3).max(4);
                let name = fit(&k.name, name_w);
                let style = t.health(s.health);
                let x = put(buf, inner.x, y, s.health.glyph(), 1, style);
                put(buf, x + 1, y, &name, inner.width.saturating_sub(2), Style::new());
                let rw = right.chars().count() as u16;
                if (name.chars().count() + 3 + right.chars().count()) <= w {
                    put(buf, inner.x + inner.width - rw, y, &right, rw, style);
                }
                y += 1;
            }
        } else {
            if y < bottom {
                put(buf, inner.x, y, &format!("{} pods", pods.len()), inner.width, Style::new());
                y += 1;
            }
            let per_row = (inner.width as usize / 2).max(1);
            let room = per_row * (bottom.saturating_sub(y) as usize).min(layout::GLYPH_ROWS_MAX);
            for (n, k) in pods.iter().take(room).enumerate() {
                let (row, col) = (n / per_row, n % per_row);
                let (gx, gy) = (inner.x + col as u16 * 2, y + row as u16);
                if n + 1 == room && pods.len() > room {
                    put(buf, gx, gy, "…", 1, t.dim());
                    break;
                }
                let h = app.index.pod_health(k);
                put(buf, gx, gy, h.glyph(), 1, t.health(h));
            }
        }
    }
}

fn resource_pane(app: &App, area: Rect, buf: &mut Buffer) {
    if area.width < 4 || area.height < 3 {
        return;
    }
    let focused = app.focus == Focus::Resources;
    match &app.pane.mode {
        PaneMode::Table => table_view(app, area, buf, focused),
        PaneMode::Detail(d) => {
            let what = match d.kind {
                DetailKind::Describe => "describe",
                DetailKind::Yaml => "yaml",
                DetailKind::Logs => "logs",
            };
            let follow = if d.kind == DetailKind::Logs && d.follow { " (following)" } else { "" };
            block(app, format!(" {what} {}{follow} ", d.obj.slash()), focused).render(area, buf);
            let inner = layout::inner(area);
            for (i, l) in d.lines.iter().skip(d.scroll).take(inner.height as usize).enumerate() {
                put(buf, inner.x, inner.y + i as u16, l, inner.width, Style::new());
            }
        }
        PaneMode::Xray(x) => {
            let t = &app.theme;
            let what = match (&x.scope.kind, &x.scope.name) {
                (Some(k), Some(n)) => format!("{}/{n}", k.singular()),
                (Some(k), None) => k.plural().to_string(),
                _ => "all".to_string(),
            };
            block(app, format!(" xray {what} ({}) ", x.scope.namespace), focused).render(area, buf);
            let inner = layout::inner(area);
            if x.rows.is_empty() {
                put(buf, inner.x, inner.y, "nothing to show", inner.width, t.dim());
            }
            for (i, r) in x.rows.iter().enumerate().skip(x.offset).take(inner.height as usize) {
                let y = inner.y + (i - x.offset) as u16;
                let end = inner.x + inner.width;
                let mut cx = put(buf, inner.x, y, &r.prefix, inner.width, t.dim());
                let h = r.health.unwrap_or(Health::Unknown);
                if r.health.is_some() {
                    cx = put(buf, cx, y, h.glyph(), end.saturating_sub(cx), t.health(h));
                    cx = put(buf, cx, y, " ", end.saturating_sub(cx), Style::new());
                }
                let name = format!("{}/{}", r.obj.kind.name(), r.obj.name);
                cx = put(buf, cx, y, &name, end.saturating_sub(cx), t.title());
                cx = put(buf, cx, y, "  ", end.saturating_sub(cx), Style::new());
                put(buf, cx, y, &r.summary, end.saturating_sub(cx), t.health(h));
                if focused && i == x.selected {
                    buf.set_style(Rect { x: inner.x, y, width: inner.width, height: 1 }, t.selected());
                }
            }
        }
    }
}

fn table_view(app: &App, area: Rect, buf: &mut Buffer, focused: bool) {
    let t = &app.theme;
    let ns_label = match (&app.pane.namespace, app.pane.kind.namespaced()) {
        (_, false) => String::new(),
        (None, true) => "(all)".into(),
        (Some(ns), true) => format!("({ns})"),
    };
    let inner = layout::inner(area);
    let win = app.table_window(inner.height.saturating_sub(1) as usize);
    let filter = if app.pane.filter.is_empty() { String::new() } else { format!(" </{}>", app.pane.filter) };
    block(app, format!(" {}{ns_label}[{}]{filter} ", app.pane.kind.plural(), win.total), focused).render(area, buf);
    if inner.height < 2 {
        return;
    }
    if win.total == 0 {
        let msg = match (&app.pane.namespace, app.pane.kind.namespaced()) {
            (Some(ns), true) if app.pane.filter.is_empty() => format!("No resources found in {ns} namespace."),
            _ => "No resources found".to_string(),
        };
        put(buf, inner.x, inner.y, &msg, inner.width, t.dim());
        return;
    }
    // Columns as wide as their widest cell in view. kubectl and k9s size a column by its
    // widest cell over all rows, which means formatting every row (10,000 for one frame);
    // remembering the widest ever shown instead keeps stale widths (STATUS as wide as
    // `ContainerCreating` long after the pod runs, unlike kubectl). The window's own widths
    // are kubectl's exactly whenever the list fits the pane — a lesson's — and in a long
    // list they change only with the page.
    let natural = &win.widths;
    // kubectl's three spaces between columns when the table fits; else closer columns, and
    // the widest cut (with …) so that every column stays in view.
    let (widths, gap) = layout::fit_columns(natural, inner.width as usize);
    let draw_row = |buf: &mut Buffer, y: u16, cells: &[String], style: Style| {
        let mut x = inner.x;
        let end = inner.x + inner.width;
        for (i, c) in cells.iter().enumerate() {
            if x >= end {
                break;
            }
            let w = widths.get(i).copied().unwrap_or(0);
            put(buf, x, y, &fit(c, w), end - x, style);
            x = x.saturating_add((w + gap) as u16);
        }
    };
    draw_row(buf, inner.y, &win.table.headers, t.header());
    for (i, (row, health)) in win.table.rows.iter().zip(&win.health).enumerate() {
        let y = inner.y + 1 + i as u16;
        let style = health.map(|h| t.health(h)).unwrap_or_default();
        draw_row(buf, y, row, style);
        if win.offset + i == app.pane.selected {
            let sel = if focused { t.selected() } else { t.dim().add_modifier(ratatui::style::Modifier::REVERSED) };
            buf.set_style(Rect { x: inner.x, y, width: inner.width, height: 1 }, sel);
        }
    }
}

/// The Deployment whose rollout the sparkline shows: the one selected, else the latest to
/// roll out (within the sparkline's window).
fn rollout_target(app: &App) -> Option<ObjRef> {
    // Only a deployments table can have a Deployment selected (no need to list the others).
    let may_select_one = match app.pane.mode {
        PaneMode::Table => app.pane.kind == Kind::Deployment,
        _ => true,
    };
    if app.focus != Focus::Cluster && may_select_one {
        if let Some(o) = app.selected_object().filter(|o| o.kind == Kind::Deployment) {
            return Some(o);
        }
    }
    let (k, r) = app.index.latest_rollout()?;
    let recent = r.last_active.is_some_and(|t| app.ws().world.now.since(t) < super::index::SAMPLES as u64);
    recent.then(|| ObjRef { kind: Kind::Deployment, namespace: k.namespace.clone(), name: k.name.clone() })
}

fn strip(app: &App, area: Rect, buf: &mut Buffer) {
    if area.height < 2 || area.width < 10 {
        return;
    }
    let t = &app.theme;
    let mut events_area = area;
    if let Some(obj) = rollout_target(app) {
        let key = crate::sim::ObjKey::new(&obj.namespace, &obj.name);
        if let Some(r) = app.index.rollouts.get(&key) {
            let w = 36.min(area.width / 2);
            events_area.width -= w;
            let spark_area = Rect { x: area.x + area.width - w, width: w, ..area };
            let (ready, desired) = r.samples.back().copied().unwrap_or((0, 0));
            let max = r.samples.iter().map(|(a, b)| (*a).max(*b)).max().unwrap_or(1).max(1) as u64;
            let inner_w = w.saturating_sub(2) as usize;
            let data: Vec<u64> =
                r.samples.iter().skip(r.samples.len().saturating_sub(inner_w)).map(|(a, _)| *a as u64).collect();
            let title = format!(" {} {ready}/{desired} ready ", obj.name);
            let style = if ready == desired { t.good() } else { t.warning() };
            Sparkline::default()
                .block(Block::bordered().title(title).title_style(style).border_style(t.border()))
                .data(&data)
                .max(max)
                .style(t.sparkline())
                .render(spark_area, buf);
        }
    }
    Block::new()
        .borders(ratatui::widgets::Borders::TOP)
        .title(" events ")
        .title_style(t.title())
        .border_style(t.border())
        .render(events_area, buf);
    let inner = Rect { y: events_area.y + 1, height: events_area.height - 1, ..events_area };
    let now = app.ws().world.now.datetime();
    let ns = app.pane.namespace.as_deref();
    let mut shown = Vec::new();
    for k in app.index.recent_events.iter().rev() {
        if shown.len() >= inner.height as usize {
            break;
        }
        if ns.is_some_and(|ns| k.namespace != ns) {
            continue;
        }
        if let Some(e) = app.ws().world.store.get(Kind::Event, &k.namespace, &k.name).and_then(|o| o.as_event()) {
            shown.push(e);
        }
    }
    if shown.is_empty() {
        put(buf, inner.x, inner.y, "no events yet", inner.width, t.dim());
    }
    for (i, e) in shown.iter().rev().enumerate() {
        let y = inner.y + i as u16;
        let seen = e.last_timestamp.as_ref().or(e.first_timestamp.as_ref()).map(|t| t.0);
        let age = crate::kubectl::age::since(seen.as_ref(), now);
        let ty = e.type_.as_deref().unwrap_or("");
        let obj = format!(
            "{}/{}",
            e.involved_object.kind.as_deref().unwrap_or("").to_lowercase(),
            e.involved_object.name.as_deref().unwrap_or("")
        );
        let line = format!(
            "{age:>5}  {ty:<7}  {:<18}  {:<32}  {}",
            e.reason.as_deref().unwrap_or(""),
            obj,
            e.message.as_deref().unwrap_or("").replace('\n', " ")
        );
        let style = if ty == "Warning" { t.warning() } else { Style::new() };
        put(buf, inner.x, y, &line, inner.width, style);
    }
}

/// Splits `s` into rows of `w` characters (a terminal's wrapping).
fn wrap(s: &str, w: usize) -> Vec<String> {
    if w == 0 {
        return Vec::new();
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars.chunks(w).map(|c| c.iter().collect()).collect()
}

/// Draws the terminal pane; returns where the cursor is.
fn terminal(app: &App, area: Rect, buf: &mut Buffer) -> Option<Position> {
    if area.width < 4 || area.height < 3 {
        return None;
    }
    let t = &app.theme;
    let focused = app.focus == Focus::Prompt;
    let cwd = app.ws().cwd().replacen("/root", "~", 1);
    block(app, format!(" terminal · {cwd} "), focused).render(area, buf);
    let inner = layout::inner(area);
    let w = inner.width as usize;
    let mut bottom = inner.y + inner.height;
    // The prompt line.
    bottom -= 1;
    let (text, cursor_col): (String, usize) = match &app.prompt.search {
        Some(s) => {
            let found = s.found.map(|f| app.prompt.history[f].replace('\n', "↵")).unwrap_or_default();
            let fail = if s.found.is_none() && !s.query.is_empty() { "failed " } else { "" };
            let head = format!("({fail}reverse-i-search)`{}': ", s.query);
            let col = head.chars().count() - 3;
            (format!("{head}{found}"), col)
        }
        None => {
            let ps = if app.prompt.pending.is_empty() { "$ " } else { "> " };
            let input = app.prompt.input.text.replace('\n', "↵");
            (format!("{ps}{input}"), 2 + app.prompt.input.cursor_col())
        }
    };
    // Scroll the line sideways so that the cursor stays in view.
    let skip = (cursor_col + 1).saturating_sub(w);
    let shown: String = text.chars().skip(skip).collect();
    put(buf, inner.x, bottom, &shown, inner.width, Style::new());
    if app.prompt.search.is_none() {
        let ps_w = 2usize.saturating_sub(skip) as u16;
        put(buf, inner.x, bottom, &shown.chars().take(ps_w as usize).collect::<String>(), ps_w, t.prompt());
    }
    let cursor = Position { x: inner.x + (cursor_col - skip) as u16, y: bottom };
    if !app.prompt.candidates.is_empty() && bottom > inner.y {
        bottom -= 1;
        let line = app.prompt.candidates.join("  ");
        put(buf, inner.x, bottom, &fit(&line, w), inner.width, t.key());
    }
    // Scrollback, newest at the bottom, wrapped like a terminal.
    let mut y = bottom;
    for (kind, line) in app.term.lines.iter().rev().skip(app.term.scroll) {
        if y <= inner.y {
            break;
        }
        let style = match kind {
            LineKind::Command => t.command(),
            LineKind::Output => Style::new(),
        };
        let rows = wrap(line, w);
        for r in rows.iter().rev() {
            if y <= inner.y {
                break;
            }
            y -= 1;
            put(buf, inner.x, y, r, inner.width, style);
        }
    }
    if app.term.scroll > 0 {
        let tag = format!(" ↑{} ", app.term.scroll);
        let tw = tag.chars().count() as u16;
        if area.width > tw + 2 {
            put(buf, area.x + area.width - tw - 1, area.y, &tag, tw, t.key());
        }
    }
    Some(cursor)
}

/// Draws the bottom line; returns the cursor when a `:` or `/` line is open.
fn hints(app: &App, area: Rect, buf: &mut Buffer) -> Option<Position> {
    if area.height == 0 {
        return None;
    }
    let t = &app.theme;
    match &app.overlay {
        Some(Overlay::Command(l)) | Some(Overlay::Filter(l)) => {
            let lead = if matches!(app.overlay, Some(Overlay::Command(_))) { ":" } else { "/" };
            put(buf, area.x, area.y, lead, 1, t.key());
            put(buf, area.x + 1, area.y, &l.text, area.width.saturating_sub(1), Style::new());
            return Some(Position { x: area.x + 1 + l.cursor_col() as u16, y: area.y });
        }
        _ => {}
    }
    if let Some(f) = &app.flash {
        put(buf, area.x, area.y, f, area.width, t.warning());
        return None;
    }
    let list = match app.focus {
        Focus::Prompt => strings::HINTS_PROMPT,
        Focus::Lesson => strings::HINTS_LESSON,
        _ => strings::HINTS_PANES,
    };
    let mut x = area.x;
    let end = area.x + area.width;
    for (k, what) in list {
        let need = (k.chars().count() + what.chars().count() + 3) as u16;
        if x + need > end {
            break;
        }
        x = put(buf, x, area.y, k, end - x, t.key());
        x = put(buf, x, area.y, &format!(" {what}  "), end - x, t.dim());
    }
    None
}

fn overlay(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    match &app.overlay {
        Some(Overlay::Help { scroll }) => {
            let r = help_area(area);
            Clear.render(r, buf);
            Block::bordered()
                .title(" help · esc closes · ↑↓ scroll ")
                .title_style(t.title())
                .border_style(t.focused())
                .render(r, buf);
            let inner = layout::inner(r);
            let HelpLayout { rows, columns, split, col_w, key_w } = help_layout(inner.width);
            let parts = [&rows[..split], &rows[split..]];
            for (c, part) in parts.iter().take(columns as usize).enumerate() {
                let x0 = inner.x + c as u16 * col_w;
                let skip = (*scroll).min(part.len().saturating_sub(inner.height as usize));
                for (i, (k, what)) in part.iter().skip(skip).take(inner.height as usize).enumerate() {
                    let y = inner.y + i as u16;
                    if k.is_empty() {
                        put(buf, x0, y, what, col_w.saturating_sub(1), t.header());
                    } else {
                        put(buf, x0 + 1, y, k, key_w, t.key());
                        put(buf, x0 + 1 + key_w, y, what, col_w.saturating_sub(key_w + 2), Style::new());
                    }
                }
            }
        }
        Some(Overlay::Chaos(m)) => {
            let (title, items): (String, Vec<String>) = match &m.stage {
                Stage::Verbs => {
                    let heads: Vec<String> =
                        m.verbs.iter().map(|v| format!("{} {}", v.name, v.usage).trim_end().to_string()).collect();
                    let head_w = heads.iter().map(|h| h.chars().count()).max().unwrap_or(0);
                    (
                        " chaos · enter picks · esc closes ".into(),
                        heads.iter().zip(&m.verbs).map(|(h, v)| format!("{h:<head_w$}  {}", v.about)).collect(),
                    )
                }
                Stage::Args { verb, chosen, what, options } => {
                    let so_far = std::iter::once(verb.name.as_str()).chain(chosen.iter().map(String::as_str));
                    let title = match what.as_str() {
                        "one" => format!(" chaos {} · pick one ", so_far.collect::<Vec<_>>().join(" ")),
                        w => format!(" chaos {} · pick a {w} ", so_far.collect::<Vec<_>>().join(" ")),
                    };
                    (title, options.clone())
                }
            };
            let h = (items.len() as u16 + 2).clamp(5, area.height.saturating_sub(2));
            let r = layout::centered(area, 110, h);
            Clear.render(r, buf);
            Block::bordered().title(title).title_style(t.title()).border_style(t.focused()).render(r, buf);
            let inner = layout::inner(r);
            let rows = inner.height as usize;
            let offset = m.selected.saturating_sub(rows.saturating_sub(1));
            for (i, it) in items.iter().enumerate().skip(offset).take(rows) {
                let y = inner.y + (i - offset) as u16;
                put(buf, inner.x, y, &fit(it, inner.width as usize), inner.width, Style::new());
                if i == m.selected {
                    buf.set_style(Rect { x: inner.x, y, width: inner.width, height: 1 }, t.selected());
                }
            }
        }
        Some(Overlay::ConfirmDelete(obj)) => {
            let r = layout::centered(area, 60, 6);
            Clear.render(r, buf);
            Block::bordered().title(" delete ").title_style(t.error()).border_style(t.error()).render(r, buf);
            let inner = layout::inner(r);
            let what = if obj.kind.namespaced() {
                format!("Delete {} in namespace {}?", obj.slash(), obj.namespace)
            } else {
                format!("Delete {}?", obj.slash())
            };
            put(buf, inner.x + 1, inner.y, &what, inner.width.saturating_sub(1), t.title());
            let y = inner.y + inner.height.saturating_sub(1);
            let x = put(buf, inner.x + 1, y, "y", 1, t.key());
            let x = put(buf, x, y, " delete   ", inner.width, Style::new());
            let x = put(buf, x, y, "n / esc", 7, t.key());
            put(buf, x, y, " cancel", inner.width, Style::new());
        }
        _ => {}
    }
}

/// The help overlay's rows for a pop-up `width` columns wide inside: every entry, its
/// description wrapped under itself, in one column or two.
pub struct HelpLayout {
    /// (key, text): a key of "" is a section's title; " " continues the entry above.
    pub rows: Vec<(&'static str, String)>,
    pub columns: u16,
    /// Where the second column starts in `rows`.
    pub split: usize,
    pub col_w: u16,
    pub key_w: u16,
}

pub fn help_layout(width: u16) -> HelpLayout {
    // Two columns when they fit side by side, split at a section's start.
    let columns: u16 = if width >= 120 { 2 } else { 1 };
    let col_w = width / columns;
    let key_w = 22.min(col_w / 3);
    let desc_w = col_w.saturating_sub(key_w + 2);
    let mut rows: Vec<(&'static str, String)> = Vec::new();
    for (k, what) in strings::help_lines() {
        if k.is_empty() {
            rows.push(("", what.to_string()));
            continue;
        }
        let wrapped = markdown::wrap_styled(ratatui::text::Span::raw(""), &[(what.to_string(), Style::new())], desc_w);
        for (n, l) in wrapped.iter().enumerate() {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            rows.push((if n == 0 { k } else { " " }, text));
        }
    }
    let split = if columns == 2 {
        let half = rows.len() / 2;
        (half..rows.len()).find(|&i| rows[i].0.is_empty()).unwrap_or(half)
    } else {
        rows.len()
    };
    HelpLayout { rows, columns, split, col_w, key_w }
}

/// The help pop-up's place on a screen `area`.
pub fn help_area(area: Rect) -> Rect {
    layout::centered(area, 150, area.height.saturating_sub(2))
}

/// How far the help can scroll on a screen `area`.
pub fn help_scroll_max(area: Rect) -> usize {
    let inner = layout::inner(help_area(area));
    let h = help_layout(inner.width);
    let longest = h.split.max(h.rows.len() - h.split);
    longest.saturating_sub(inner.height as usize)
}

/// For tests and the benchmark: the text of a buffer, one line per row, trailing spaces cut.
pub fn buffer_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Object, World};
    use crate::tui::resources::{rows_built, window, Filter};
    use crate::tui::testing::Story;

    /// A cluster of the default 3 nodes with 10,000 pods bound to them (written straight into
    /// the store: what matters here is how many there are).
    fn ten_thousand_pods() -> World {
        let mut w = World::new(1);
        let nodes: Vec<String> = w.store.list(Kind::Node, None).iter().map(|n| n.name().to_string()).collect();
        for i in 0..10_000 {
            let pod = serde_json::json!({
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": format!("web-{i:05}"), "namespace": "default"},
                "spec": {"nodeName": nodes[i % nodes.len()], "containers": [{"name": "web", "image": "nginx"}]},
            });
            w.store.create(Object::from_value(Kind::Pod, pod).expect("a pod")).expect("created");
        }
        w
    }

    /// Issue 7: "only visible rows are built". A frame of 160×48 over 10,000 pods formats the
    /// rows it shows and no others, wherever the view is scrolled to.
    #[test]
    fn a_frame_builds_only_the_rows_in_view() {
        let mut s = Story::new(ten_thousand_pods(), 160, 48);
        s.keys("<esc>:pods all<enter>");
        let rows = layout::inner(s.app.areas().resources).height as u64 - 1;
        assert!(rows > 10 && rows < 48, "a screen's worth of rows: {rows}");

        let before = rows_built();
        let text = s.text();
        assert_eq!(rows_built() - before, rows, "only the rows in view are formatted:\n{text}");
        // The 10,000 and the cluster's own 9 in kube-system.
        assert!(text.contains("pods(all)[10009]"), "{text}");
        assert!(text.contains("web-00000") && !text.contains("web-00100"), "{text}");

        // At the bottom of the list: still one screen's worth.
        s.keys("G");
        let before = rows_built();
        let text = s.text();
        assert_eq!(rows_built() - before, rows, "only the rows in view are formatted:\n{text}");
        assert!(text.contains("kube-scheduler-controlplane") && !text.contains("web-00000"), "{text}");

        // The view model: the window's rows, and how many there are in all.
        let w = &s.app.ws().world;
        let win = window(w, Kind::Pod, None, &Filter::None, 9_990, rows as usize);
        assert_eq!((win.total, win.offset, win.table.rows.len()), (10_009, 9_990, (rows as usize).min(19)));
        assert_eq!(win.table.headers[..2], ["NAMESPACE".to_string(), "NAME".to_string()]);
        assert_eq!(win.table.rows[9][1], "web-09999");
        let win = window(w, Kind::Pod, Some("default"), &Filter::parse("web-0999"), 0, rows as usize);
        assert_eq!((win.total, win.table.rows.len()), (10, 10), "a filter narrows the listing first");
    }
}
