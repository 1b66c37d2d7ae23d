//! The lesson pane: the step being worked on (its prompt in Markdown), its checks turning
//! green as the cluster reaches the goal, hints revealed one at a time, the step's debrief
//! when it is done and the lesson's at the end. For an exam: the time left, the task list
//! (with flags for review) and the selected task; marks only once the exam is graded, as in
//! the real exam.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::markdown;
use super::theme::{Health, Theme};
use crate::lesson::{Attempt, StepStatus};

/// What the learner has done with the pane (the attempt holds the rest).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LessonUi {
    /// Hints revealed, per step.
    pub hints: Vec<usize>,
    /// The step (or task) shown; None: the current one.
    pub viewing: Option<usize>,
    /// First line shown.
    pub scroll: usize,
    /// Steps done at the last look (to notice one completing).
    pub done_seen: usize,
    /// The graded report, once an exam is over (or `:grade` was asked).
    pub report: Option<String>,
}

impl LessonUi {
    pub fn new(a: &Attempt) -> LessonUi {
        LessonUi { hints: vec![0; a.lesson().steps.len()], done_seen: done_count(a), ..LessonUi::default() }
    }

    /// The step shown: the one chosen, else the current one, else the last.
    pub fn shown(&self, a: &Attempt) -> Option<usize> {
        let n = a.lesson().steps.len();
        if n == 0 {
            return None;
        }
        Some(
            self.viewing
                .or_else(|| a.current_step())
                .unwrap_or(if a.lesson().is_exam() { 0 } else { n - 1 })
                .min(n - 1),
        )
    }

    /// Reveals the next hint of the step shown; false when there is none left.
    pub fn reveal_hint(&mut self, a: &Attempt) -> bool {
        let Some(i) = self.shown(a) else { return false };
        let total = a.lesson().steps[i].hints.len();
        if self.hints.len() <= i {
            self.hints.resize(i + 1, 0);
        }
        if self.hints[i] < total {
            self.hints[i] += 1;
            true
        } else {
            false
        }
    }

    /// Shows the next (or previous) step.
    pub fn browse(&mut self, a: &Attempt, delta: i64) {
        let n = a.lesson().steps.len();
        if n == 0 {
            return;
        }
        let cur = self.shown(a).unwrap_or(0) as i64;
        self.viewing = Some((cur + delta).clamp(0, n as i64 - 1) as usize);
        self.scroll = 0;
    }
}

pub fn done_count(a: &Attempt) -> usize {
    a.steps().iter().filter(|s| s.status == StepStatus::Done).count()
}

/// `H:MM:SS` for the time left.
fn left(s: u64) -> String {
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// The pane's title.
pub fn title(ui: &LessonUi, a: &Attempt) -> String {
    let l = a.lesson();
    match &l.exam {
        Some(rules) => {
            let limit = u64::from(rules.time_limit_minutes) * 60;
            if a.time_is_up() || ui.report.is_some() {
                format!(" {} · over ", l.title)
            } else {
                format!(" {} · ⏱ {} left ", l.title, left(limit.saturating_sub(a.ticks())))
            }
        }
        None => match ui.shown(a) {
            Some(i) => format!(" {} · step {}/{} ", l.title, i + 1, l.steps.len()),
            None => format!(" {} ", l.title),
        },
    }
}

/// Whether the exam's clock is in its last five minutes (the timer turns red).
pub fn time_short(a: &Attempt) -> bool {
    a.lesson().exam.as_ref().is_some_and(|r| {
        let limit = u64::from(r.time_limit_minutes) * 60;
        limit.saturating_sub(a.ticks()) <= 300
    })
}

/// Everything the pane shows, as lines `width` wide.
pub fn lines(ui: &LessonUi, a: &Attempt, width: u16, t: &Theme) -> Vec<Line<'static>> {
    let mut out: Vec<Line<'static>> = Vec::new();
    let l = a.lesson();
    let md = |out: &mut Vec<Line<'static>>, text: &str| out.extend(markdown::render(text, width, t));
    if let Some(report) = &ui.report {
        out.push(Line::styled("Graded", t.header()));
        for r in report.lines() {
            let style = if r.contains("[PASS]") {
                t.health(Health::Good)
            } else if r.contains("[FAIL]") {
                t.health(Health::Bad)
            } else {
                Style::new()
            };
            out.push(Line::styled(r.to_string(), style));
        }
        return out;
    }
    if l.steps.is_empty() {
        md(&mut out, &l.intro);
        return out;
    }
    let Some(i) = ui.shown(a) else { return out };
    let step = &l.steps[i];
    let state = &a.steps()[i];
    if l.is_exam() {
        if a.time_is_up() {
            out.push(Line::styled(
                "Time is up: the cluster no longer takes changes. :grade shows the score.",
                t.error(),
            ));
            out.push(Line::default());
        }
        out.push(Line::styled("Tasks", t.header()));
        let total: u32 = l.steps.iter().map(|s| s.weight).sum::<u32>().max(1);
        for (k, s) in l.steps.iter().enumerate() {
            let flag = if a.flags().contains(&s.id) { " ⚑" } else { "" };
            let pct = f64::from(s.weight) * 100.0 / f64::from(total);
            let marker = if k == i { "▶" } else { " " };
            let style = if k == i { t.title() } else { Style::new() };
            out.push(Line::from(vec![
                Span::styled(format!("{marker} {:>2}. {}", k + 1, s.title), style),
                Span::styled(format!("  {pct:.0}%"), t.dim()),
                Span::styled(flag.to_string(), t.warning()),
            ]));
        }
        out.push(Line::default());
        out.push(Line::styled(format!("Task {}: {}", i + 1, step.title), t.title().add_modifier(Modifier::UNDERLINED)));
        let mut place = Vec::new();
        if let Some(c) = &step.context {
            place.push(format!("context {c}"));
        }
        if let Some(ns) = &step.namespace {
            place.push(format!("namespace {ns}"));
        }
        if !place.is_empty() {
            out.push(Line::styled(format!("Work in {}.", place.join(", ")), t.warning()));
        }
        md(&mut out, &step.prompt);
        out.push(Line::default());
        out.push(Line::styled("n/p: tasks · f: flag · :grade: end", t.dim()));
        return out;
    }
    let status = match state.status {
        StepStatus::Done => Span::styled("  ✓ done", t.health(Health::Good)),
        StepStatus::Current => Span::styled("  ◐ now", t.health(Health::Starting)),
        StepStatus::Pending => Span::styled("  ○ later", t.dim()),
    };
    out.push(Line::from(vec![
        Span::styled(format!("Step {}: {}", i + 1, step.title), t.title().add_modifier(Modifier::UNDERLINED)),
        status,
    ]));
    out.push(Line::default());
    md(&mut out, &step.prompt);
    out.push(Line::default());
    out.push(Line::styled("Checks", t.header()));
    for (k, c) in step.checks.iter().enumerate() {
        match state.results.get(k) {
            Some(r) if r.passed => out.push(Line::from(vec![
                Span::styled("✓ ", t.health(Health::Good)),
                Span::styled(c.name.clone(), t.health(Health::Good)),
            ])),
            Some(r) => {
                out.push(Line::from(vec![Span::styled("✗ ", t.health(Health::Bad)), Span::raw(c.name.clone())]));
                // Why, for the first check still failing: the next thing to do.
                let first_failing = state.results.iter().position(|x| !x.passed) == Some(k);
                if let Some(why) = r.reason.as_ref().filter(|_| first_failing) {
                    for w in markdown::render(why, width.saturating_sub(2), t) {
                        let mut spans = vec![Span::raw("  ")];
                        spans.extend(w.spans.into_iter().map(|s| s.patch_style(t.dim())));
                        out.push(Line::from(spans));
                    }
                }
            }
            None => out.push(Line::from(vec![Span::styled("· ", t.dim()), Span::raw(c.name.clone())])),
        }
    }
    let shown_hints = ui.hints.get(i).copied().unwrap_or(0).min(step.hints.len());
    for (h, hint) in step.hints.iter().take(shown_hints).enumerate() {
        out.push(Line::default());
        out.push(Line::styled(format!("Hint {}/{}", h + 1, step.hints.len()), t.warning()));
        md(&mut out, hint);
    }
    if state.status == StepStatus::Done {
        if !step.debrief.trim().is_empty() {
            out.push(Line::default());
            out.push(Line::styled("Debrief", t.header()));
            md(&mut out, &step.debrief);
        }
    } else if shown_hints < step.hints.len() {
        out.push(Line::default());
        let more = step.hints.len() - shown_hints;
        out.push(Line::styled(format!("h (or F2): a hint ({more} left) · n/p: other steps"), t.dim()));
    }
    // The lesson's introduction, under the first step (the picker showed it already).
    if i == 0 && !l.intro.trim().is_empty() {
        out.push(Line::default());
        out.push(Line::styled("About this lesson", t.header()));
        md(&mut out, &l.intro);
    }
    if a.completed() && i + 1 == l.steps.len() {
        out.push(Line::default());
        out.push(Line::styled("✓ Lesson complete", t.health(Health::Good).add_modifier(Modifier::BOLD)));
        if !l.debrief.trim().is_empty() {
            md(&mut out, &l.debrief);
        }
    }
    out
}
