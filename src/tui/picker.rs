//! The lesson picker: the course by CKAD domain in prerequisite order, then the exams, each
//! with the learner's progress, and a preview of the one selected. `enter` starts it, `r`
//! resets its progress, `q` quits.

use std::collections::BTreeMap;
use std::sync::Arc;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Widget};

use super::layout;
use super::markdown;
use super::theme::{Health, Theme};
use crate::lesson::{Course, Lesson, LessonProgress};

#[derive(Clone, Debug)]
pub enum Row {
    Header(String),
    Lesson(Arc<Lesson>),
}

#[derive(Clone, Debug)]
pub struct Picker {
    pub rows: Vec<Row>,
    pub progress: BTreeMap<String, LessonProgress>,
    /// Index into `rows` (always a lesson).
    pub selected: usize,
    pub offset: usize,
    /// `r` was pressed: waiting for y/n.
    pub confirm_reset: bool,
    /// A message for the learner (a lesson that failed to start, progress reset).
    pub message: Option<String>,
}

impl Picker {
    pub fn new(course: &Course, progress: BTreeMap<String, LessonProgress>) -> Picker {
        let mut rows = Vec::new();
        for (domain, lessons) in course.by_domain() {
            let name = match domain {
                Some(d) => format!("{} ({}% of the exam)", d.title(), d.weight_percent()),
                None => "Exams".to_string(),
            };
            rows.push(Row::Header(name));
            rows.extend(lessons.into_iter().map(Row::Lesson));
        }
        let selected = rows.iter().position(|r| matches!(r, Row::Lesson(_))).unwrap_or(0);
        let mut p = Picker { rows, progress, selected, offset: 0, confirm_reset: false, message: None };
        // Start on the first lesson not done yet.
        if let Some(i) = p.rows.iter().position(|r| match r {
            Row::Lesson(l) => !p.progress.get(&l.id).is_some_and(|x| x.completed),
            Row::Header(_) => false,
        }) {
            p.selected = i;
        }
        p
    }

    pub fn selected_lesson(&self) -> Option<&Arc<Lesson>> {
        match self.rows.get(self.selected) {
            Some(Row::Lesson(l)) => Some(l),
            _ => None,
        }
    }

    /// Moves the selection by `delta` lessons (headers are skipped).
    pub fn step(&mut self, delta: i64) {
        let lessons: Vec<usize> =
            self.rows.iter().enumerate().filter(|(_, r)| matches!(r, Row::Lesson(_))).map(|(i, _)| i).collect();
        if lessons.is_empty() {
            return;
        }
        let at = lessons.iter().position(|&i| i == self.selected).unwrap_or(0) as i64;
        let to = (at + delta).clamp(0, lessons.len() as i64 - 1) as usize;
        self.selected = lessons[to];
    }

    /// Keeps the selection in view in a list `rows` high.
    pub fn fix_scroll(&mut self, rows: usize) {
        let rows = rows.max(1);
        if self.selected < self.offset {
            // Show the domain's header too when going up.
            self.offset = self.selected.saturating_sub(1);
        }
        if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
    }
}

/// How far the learner is in a lesson: glyph, meaning, words.
pub fn mark(l: &Lesson, p: Option<&LessonProgress>) -> (&'static str, Health, String) {
    match p {
        Some(p) if l.is_exam() => match p.best_score {
            Some(s) if p.completed => ("✓", Health::Good, format!("passed, best {s:.0}%")),
            Some(s) => ("◑", Health::Degraded, format!("best {s:.0}%")),
            None => ("○", Health::Unknown, String::new()),
        },
        Some(p) if p.completed => ("✓", Health::Good, "done".into()),
        Some(p) if !p.done.is_empty() || p.current.is_some() => {
            ("◐", Health::Starting, format!("{}/{} steps", p.done.len(), l.steps.len()))
        }
        _ => ("○", Health::Unknown, String::new()),
    }
}

/// The picker's lines list rows (for mouse clicks): the list's area.
pub fn list_area(area: Rect) -> Rect {
    let body = Rect { y: area.y + 1, height: area.height.saturating_sub(2), ..area };
    let w = if body.width >= 100 { body.width * 9 / 20 } else { body.width / 2 };
    Rect { width: w, ..body }
}

/// Draws the picker over the whole screen.
pub fn render(p: &Picker, t: &Theme, area: Rect, buf: &mut Buffer) {
    if area.height < 4 || area.width < 20 {
        return;
    }
    let bar = Rect { height: 1, ..area };
    buf.set_style(bar, t.bar());
    buf.set_stringn(area.x, area.y, " kubedojo · the CKAD course ", area.width as usize, t.bar());
    let list = list_area(area);
    let preview = Rect { x: list.x + list.width, width: area.width - list.width, ..list };
    Block::bordered()
        .title(" lessons ")
        .title_style(t.title())
        .border_style(t.focused())
        .border_type(BorderType::Thick)
        .render(list, buf);
    let inner = layout::inner(list);
    for (n, row) in p.rows.iter().enumerate().skip(p.offset).take(inner.height as usize) {
        let y = inner.y + (n - p.offset) as u16;
        match row {
            Row::Header(h) => {
                buf.set_stringn(inner.x, y, markdown::fit(h, inner.width as usize), inner.width as usize, t.header());
            }
            Row::Lesson(l) => {
                let (glyph, h, words) = mark(l, p.progress.get(&l.id));
                let x = buf.set_stringn(inner.x + 1, y, glyph, 1, t.health(h)).0;
                let right = format!("{} {}", words, l.difficulty.as_str());
                let rw = right.chars().count() as u16;
                let name_w = inner.width.saturating_sub(rw + 4) as usize;
                buf.set_stringn(x + 1, y, markdown::fit(&l.title, name_w), name_w, Style::new());
                if inner.width > rw + 10 {
                    buf.set_stringn(inner.x + inner.width - rw, y, &right, rw as usize, t.dim());
                }
                if n == p.selected {
                    buf.set_style(Rect { x: inner.x, y, width: inner.width, height: 1 }, t.selected());
                }
            }
        }
    }
    Block::bordered().title(" preview ").title_style(t.title()).border_style(t.border()).render(preview, buf);
    let inner = layout::inner(preview);
    if let Some(l) = p.selected_lesson() {
        let mut lines: Vec<Line<'static>> = Vec::new();
        let heading = t.title().add_modifier(Modifier::UNDERLINED);
        lines.extend(markdown::wrap_styled(Span::raw(""), &[(l.title.clone(), heading)], inner.width));
        let domain = l.domain.map(|d| d.title()).unwrap_or("every domain");
        let mut facts = format!("{} · {} · {} · {} min", l.kind(), domain, l.difficulty.as_str(), l.minutes);
        if let Some(e) = &l.exam {
            facts =
                format!("Exam · {} tasks · {} min · pass mark {}%", l.steps.len(), e.time_limit_minutes, e.pass_mark);
        }
        lines.extend(markdown::wrap_styled(Span::raw(""), &[(facts, t.dim())], inner.width));
        if !l.prerequisites.is_empty() {
            let mut segs: Vec<(String, Style)> = vec![("Before this: ".into(), t.dim())];
            for (k, id) in l.prerequisites.iter().enumerate() {
                let done = p.progress.get(id).is_some_and(|x| x.completed);
                let (g, h) = if done { ("✓ ", Health::Good) } else { ("○ ", Health::Unknown) };
                segs.push((g.into(), t.health(h)));
                let sep = if k + 1 < l.prerequisites.len() { ", " } else { "" };
                segs.push((format!("{id}{sep}"), Style::new()));
            }
            lines.extend(markdown::wrap_styled(Span::raw(""), &segs, inner.width));
        }
        lines.push(Line::default());
        lines.extend(markdown::render(&l.intro, inner.width, t));
        lines.push(Line::default());
        let done: Vec<String> = p.progress.get(&l.id).map(|x| x.done.clone()).unwrap_or_default();
        let what = if l.is_exam() { "Tasks" } else { "Steps" };
        lines.push(Line::styled(what, t.header()));
        for (k, s) in l.steps.iter().enumerate() {
            let (g, h) = if done.contains(&s.id) { ("✓", Health::Good) } else { ("·", Health::Unknown) };
            lines.extend(markdown::wrap_styled(
                Span::styled(format!("{g} "), t.health(h)),
                &[(format!("{}. {}", k + 1, s.title), Style::new())],
                inner.width,
            ));
        }
        for (k, line) in lines.iter().take(inner.height as usize).enumerate() {
            buf.set_line(inner.x, inner.y + k as u16, line, inner.width);
        }
    }
    let hints = Rect { y: area.y + area.height - 1, height: 1, ..area };
    let text = if p.confirm_reset {
        let name = p.selected_lesson().map(|l| l.title.clone()).unwrap_or_default();
        Line::styled(format!("Forget your progress in \"{name}\"? y: reset · n: keep"), t.warning())
    } else if let Some(m) = &p.message {
        Line::styled(m.clone(), t.warning())
    } else {
        let mut spans = Vec::new();
        for (k, what) in [("↑↓", "choose"), ("enter", "start"), ("r", "reset progress"), ("?", "help"), ("q", "quit")]
        {
            spans.push(Span::styled(k, t.key()));
            spans.push(Span::styled(format!(" {what}  "), t.dim()));
        }
        Line::from(spans)
    };
    buf.set_line(hints.x, hints.y, &text, hints.width);
}
