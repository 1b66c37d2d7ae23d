//! Grading: an attempt's results as a [`Report`], written for people (text), tools (JSON)
//! and CI or learning platforms (JUnit XML: one test suite per step or task, one test case
//! per check).
//!
//! A lesson passes when every check passes. An exam scores each task by its weight times the
//! share of its checks that pass, and passes at its pass mark (the CKAD's is 66 %).
//! `kubedojo grade` exits 0 only when every check passes (DESIGN §10), for exams too.

use serde::Serialize;

use super::attempt::{Attempt, CheckResult, FaultRecord, StepStatus};

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// "Lesson" or "Exam".
    pub kind: String,
    pub id: String,
    pub title: String,
    pub seed: u64,
    /// Simulated seconds the attempt lasted.
    pub ticks: u64,
    /// Lessons: every check passed. Exams: the score reached the pass mark.
    pub passed: bool,
    pub checks_passed: usize,
    pub checks_total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
    pub steps: Vec<StepReport>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub faults: Vec<FaultRecord>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Score {
    /// Percent of the total weight, rounded to one decimal.
    pub percent: f64,
    pub pass_mark: u32,
    pub points: f64,
    pub total: u32,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepReport {
    pub id: String,
    pub title: String,
    pub weight: u32,
    /// Exams: the task's score, its weight times the share of its checks that pass.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    /// Lessons: the step was completed (all its checks passed at once). Exams: all passed.
    pub done: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_at: Option<u64>,
    pub flagged: bool,
    pub checks: Vec<CheckResult>,
}

impl Report {
    /// Grades an attempt as it stands.
    pub fn of(a: &mut Attempt) -> Report {
        let results = a.final_results();
        let lesson = a.lesson().clone();
        let mut steps = Vec::new();
        let (mut passed_n, mut total_n) = (0, 0);
        let mut points = 0.0;
        let mut total_weight = 0;
        for (i, (step, checks)) in lesson.steps.iter().zip(results).enumerate() {
            let n = checks.len();
            let ok = checks.iter().filter(|c| c.passed).count();
            passed_n += ok;
            total_n += n;
            total_weight += step.weight;
            let task_points = if n > 0 { f64::from(step.weight) * ok as f64 / n as f64 } else { 0.0 };
            points += task_points;
            let state = &a.steps()[i];
            let done = if lesson.is_exam() { ok == n } else { state.status == StepStatus::Done };
            steps.push(StepReport {
                id: step.id.clone(),
                title: step.title.clone(),
                weight: step.weight,
                points: lesson.is_exam().then_some((task_points * 100.0).round() / 100.0),
                done,
                done_at: state.done_at,
                flagged: a.flags().contains(&step.id),
                checks,
            });
        }
        let score = lesson.exam.as_ref().map(|e| {
            let percent = if total_weight == 0 { 0.0 } else { points * 100.0 / f64::from(total_weight) };
            Score {
                percent: (percent * 10.0).round() / 10.0,
                pass_mark: e.pass_mark,
                points: (points * 100.0).round() / 100.0,
                total: total_weight,
            }
        });
        let passed = match &score {
            Some(s) => s.percent >= f64::from(s.pass_mark),
            None => passed_n == total_n,
        };
        let mut notes = Vec::new();
        if a.refused() > 0 {
            notes.push(format!(
                "the time limit was reached; {} command{} after it did not run",
                a.refused(),
                if a.refused() == 1 { "" } else { "s" }
            ));
        }
        Report {
            kind: lesson.kind().to_string(),
            id: lesson.id.clone(),
            title: lesson.title.clone(),
            seed: a.seed(),
            ticks: a.ticks(),
            passed,
            checks_passed: passed_n,
            checks_total: total_n,
            score,
            steps,
            faults: a.faults(),
            notes,
        }
    }

    /// Every check passed: `kubedojo grade`'s exit status 0.
    pub fn all_passed(&self) -> bool {
        self.checks_passed == self.checks_total
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// For people: each step with its checks, the reasons of those that fail, the verdict.
    pub fn to_text(&self) -> String {
        let mut s = format!("{} {}: {}\n", self.kind, self.id, self.title);
        let what = if self.kind == "Exam" { "Task" } else { "Step" };
        let n = self.steps.len();
        for (i, st) in self.steps.iter().enumerate() {
            s.push('\n');
            let weight = match st.points {
                Some(p) => format!(" ({} of {} points)", trim_float(p), st.weight),
                None => String::new(),
            };
            let flag = if st.flagged { " [flagged]" } else { "" };
            s.push_str(&format!("{what} {}/{n}: {}{weight}{flag}\n", i + 1, st.title));
            for c in &st.checks {
                s.push_str(&format!("  [{}] {}\n", if c.passed { "PASS" } else { "FAIL" }, c.name));
                if let Some(r) = &c.reason {
                    for line in r.lines() {
                        s.push_str(&format!("         {line}\n"));
                    }
                }
            }
        }
        s.push('\n');
        for f in &self.faults {
            let status = if f.ok { "" } else { " (failed)" };
            s.push_str(&format!("Fault at tick {}: {}{status}\n", f.at, f.command));
        }
        for note in &self.notes {
            s.push_str(&format!("Note: {note}\n"));
        }
        let verdict = if self.passed { "PASSED" } else { "NOT PASSED" };
        match &self.score {
            Some(sc) => s.push_str(&format!(
                "Score: {:.1}% (pass mark {}%), {}/{} checks passed: {verdict}\n",
                sc.percent, sc.pass_mark, self.checks_passed, self.checks_total
            )),
            None => s.push_str(&format!("{}/{} checks passed: {verdict}\n", self.checks_passed, self.checks_total)),
        }
        s
    }

    /// JUnit XML: a suite per step or task, a test case per check (class name
    /// `<lesson>.<step>`), failures with the learner-facing reason as the message.
    pub fn to_junit(&self) -> String {
        use quick_junit::{NonSuccessKind, Property, Report as JReport, TestCase, TestCaseStatus, TestSuite};
        let mut report = JReport::new(format!("kubedojo {}", self.id));
        for st in &self.steps {
            let mut suite = TestSuite::new(format!("{}/{}", self.id, st.id));
            suite.add_property(Property::new("title", st.title.as_str()));
            suite.add_property(Property::new("weight", st.weight.to_string()));
            if let Some(p) = st.points {
                suite.add_property(Property::new("points", trim_float(p)));
            }
            for c in &st.checks {
                let status = if c.passed {
                    TestCaseStatus::success()
                } else {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(c.reason.clone().unwrap_or_default());
                    s.set_type("check failed");
                    let mut d = format!("$ {}\n", c.command);
                    d.push_str(&c.stdout);
                    if !c.stderr.is_empty() {
                        d.push_str(&c.stderr);
                    }
                    d.push_str(&format!("(exit code {}, tick {})\n", c.exit_code, c.tick));
                    if let Some(detail) = &c.detail {
                        d.push_str(detail);
                        d.push('\n');
                    }
                    s.set_description(d);
                    s
                };
                let mut tc = TestCase::new(c.name.as_str(), status);
                tc.set_classname(format!("{}.{}", self.id, st.id));
                suite.add_test_case(tc);
            }
            report.add_test_suite(suite);
        }
        report.to_string().unwrap_or_default()
    }
}

/// A score as people write it: `6`, `4.5`, `2.33`.
fn trim_float(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
