//! Lessons, scenarios, exams and grading (DESIGN §8): the course as files, the checks that
//! prove a learner did the task, the grader, session logs and saved progress.
//!
//! # Files
//! Content files read like manifests (`apiVersion: kubedojo/v1`, `kind`, `id`, ...):
//! `scenarios/*.yaml` (`kind: Scenario`: a cluster, kubeconfig contexts, setup, a fault
//! timeline, a seed) and `lessons/*.yaml` (`kind: Lesson` or `kind: Exam`). The shipped
//! course is embedded in the binary; `--content DIR` reads a working copy. See
//! `lessons/README.md` for the format, field by field.
//!
//! Loading has two phases ([`load`] then [`validate`]): raw serde structs that mirror the
//! files, then validation that resolves every reference and reports every problem as
//! `file:line:column: message` ([`Diagnostic`]).
//!
//! # The API (for the TUI and the CLI)
//! ```text
//! let loaded = Course::embedded();                  // or Course::from_dir(path)?
//! assert!(loaded.is_ok(), "{}", diag::render(&loaded.diagnostics));
//! let course = loaded.course;
//! for (domain, lessons) in course.by_domain() { ... }     // the picker, in course order
//! let lesson = course.lesson("pods-first-pod").unwrap().clone();
//! let mut a = Attempt::start(lesson, None)?;        // the scenario's world, set up
//! let out: String = a.run("kubectl get pods");      // a command typed at the prompt
//! a.tick();                                         // one idle simulated second
//! a.current_step(); a.steps()[i].results;           // progress and the latest check marks
//! a.evaluate(i);                                    // live marks for any step or task
//! a.set_flag("task-3", true);                       // exams: flag for review
//! let report = Report::of(&mut a);                  // grade: .to_text() / .to_json() / .to_junit()
//! let log = a.session();                            // save with log.to_jsonl(); append
//!                                                   // SessionLog::event_line(..) as you go
//! Attempt::replay(lesson, &log)?;                   // the same attempt again
//! ProgressStore::open_default()?.record(&mut a)?;   // done steps, current step, best score
//! ```
//! The attempt owns the [`Workstation`](crate::shell::workstation::Workstation) (cluster,
//! kubeconfig, files): views read it with [`Attempt::world`]; every change goes through
//! [`Attempt::run`] so that the session log stays complete.

pub mod attempt;
pub mod check;
pub mod content;
pub mod diag;
pub mod grade;
pub mod load;
pub mod model;
pub mod progress;
pub mod raw;
pub mod scenario;
pub mod session;
pub mod validate;

pub use attempt::{Attempt, CheckResult, StepState, StepStatus};
pub use content::{Course, Loaded, Target};
pub use diag::{Diagnostic, Loc};
pub use grade::Report;
pub use model::{Check, Domain, Lesson, Scenario, Step};
pub use progress::{LessonProgress, ProgressStore};
pub use session::SessionLog;
