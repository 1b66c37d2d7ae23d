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

/// What is left of an exam's time (`0:18:45 left`, or `over`); None for a lesson.
pub fn exam_clock(ui: &LessonUi, a: &Attempt) -> Option<String> {
    let rules = a.lesson().exam.as_ref()?;
    let limit = u64::from(rules.time_limit_minutes) * 60;
    Some(if a.time_is_up() || ui.report.is_some() {
        "over".to_string()
    } else {
        format!("⏱ {} left", left(limit.saturating_sub(a.ticks())))
    })
}

/// The pane's title, for a pane `width` columns wide: the lesson's title (cut if it must be)
/// then where the learner is — the step, or the exam's time left, which always shows.
pub fn title(ui: &LessonUi, a: &Attempt, width: usize) -> String {
    let l = a.lesson();
    let tail = match (exam_clock(ui, a), ui.shown(a)) {
        (Some(clock), _) => format!(" · {clock} "),
        (None, Some(i)) => format!(" · step {}/{} ", i + 1, l.steps.len()),
        (None, None) => " ".to_string(),
    };
    // The corners and a space before the title.
    let room = width.saturating_sub(3 + markdown::width_of(&tail));
    format!(" {}{tail}", markdown::fit(&l.title, room))
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
            out.extend(markdown::wrap_styled(Span::raw(""), &[(r.to_string(), style)], width));
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
            let text = "Time is up: the cluster no longer takes changes. :grade shows the score.".to_string();
            out.extend(markdown::wrap_styled(Span::raw(""), &[(text, t.error())], width));
            out.push(Line::default());
        }
        out.push(Line::styled("Tasks", t.header()));
        let total: u32 = l.steps.iter().map(|s| s.weight).sum::<u32>().max(1);
        for (k, s) in l.steps.iter().enumerate() {
            let flag = if a.flags().contains(&s.id) { " ⚑" } else { "" };
            let pct = f64::from(s.weight) * 100.0 / f64::from(total);
            let marker = if k == i { "▶" } else { " " };
            let style = if k == i { t.title() } else { Style::new() };
            // One line a task: the title is cut so that its weight and flag stay in view.
            let head = format!("{marker} {:>2}. ", k + 1);
            let pct = format!("  {pct:.0}%");
            let room =
                (width as usize).saturating_sub(head.chars().count() + pct.chars().count() + flag.chars().count());
            out.push(Line::from(vec![
                Span::styled(format!("{head}{}", markdown::fit(&s.title, room)), style),
                Span::styled(pct, t.dim()),
                Span::styled(flag.to_string(), t.warning()),
            ]));
        }
        out.push(Line::default());
        let heading = t.title().add_modifier(Modifier::UNDERLINED);
        out.extend(markdown::wrap_styled(
            Span::raw(""),
            &[(format!("Task {}: {}", i + 1, step.title), heading)],
            width,
        ));
        let mut place = Vec::new();
        if let Some(c) = &step.context {
            place.push(format!("context {c}"));
        }
        if let Some(ns) = &step.namespace {
            place.push(format!("namespace {ns}"));
        }
        if !place.is_empty() {
            out.extend(markdown::wrap_styled(
                Span::raw(""),
                &[(format!("Work in {}.", place.join(", ")), t.warning())],
                width,
            ));
        }
        md(&mut out, &step.prompt);
        out.push(Line::default());
        let text = "n/p: tasks · f: flag · :grade: end".to_string();
        out.extend(markdown::wrap_styled(Span::raw(""), &[(text, t.dim())], width));
        return out;
    }
    let status = match state.status {
        StepStatus::Done => ("✓ done", t.health(Health::Good)),
        StepStatus::Current => ("◐ now", t.health(Health::Starting)),
        StepStatus::Pending => ("○ later", t.dim()),
    };
    // The title wraps; its state follows it (on the next line if it must).
    let heading = t.title().add_modifier(Modifier::UNDERLINED);
    out.extend(markdown::wrap_styled(
        Span::raw(""),
        &[
            (format!("Step {}: {}", i + 1, step.title), heading),
            ("  ".into(), Style::new()),
            (status.0.into(), status.1),
        ],
        width,
    ));
    out.push(Line::default());
    md(&mut out, &step.prompt);
    out.push(Line::default());
    out.push(Line::styled("Checks", t.header()));
    for (k, c) in step.checks.iter().enumerate() {
        match state.results.get(k) {
            Some(r) if r.passed => out.extend(markdown::wrap_styled(
                Span::styled("✓ ", t.health(Health::Good)),
                &[(c.name.clone(), t.health(Health::Good))],
                width,
            )),
            Some(r) => {
                out.extend(markdown::wrap_styled(
                    Span::styled("✗ ", t.health(Health::Bad)),
                    &[(c.name.clone(), Style::new())],
                    width,
                ));
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
            None => {
                out.extend(markdown::wrap_styled(Span::styled("· ", t.dim()), &[(c.name.clone(), Style::new())], width))
            }
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
        let text = format!("h (or F2): a hint ({more} left) · n/p: other steps");
        out.extend(markdown::wrap_styled(Span::raw(""), &[(text, t.dim())], width));
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
