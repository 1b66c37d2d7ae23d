//! The TUI with the course: the picker, a lesson opened, a check turning green, a hint
//! revealed, an exam with its timer, and progress saved as the learner goes — named
//! snapshots of a scripted story on TestBackend.

use std::collections::BTreeMap;

use kubedojo::lesson::{Attempt, Course, LessonProgress, ProgressStore};
use kubedojo::tui::app::{App, Focus, Screen};
use kubedojo::tui::persist::Persist;
use kubedojo::tui::picker::Picker;
use kubedojo::tui::testing::Story;
use kubedojo::tui::Options;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

const W: u16 = 120;
const H: u16 = 36;

fn course() -> Course {
    let loaded = Course::embedded();
    assert!(loaded.is_ok(), "the shipped course loads");
    loaded.course
}

fn picker_story(progress: BTreeMap<String, LessonProgress>) -> Story {
    let app = App::with_picker(Picker::new(&course(), progress), Options::default());
    Story::with_app(app, W, H)
}

fn lesson_story(id: &str) -> Story {
    sized_lesson_story(id, W, H)
}

fn sized_lesson_story(id: &str, w: u16, h: u16) -> Story {
    let lesson = course().lesson(id).unwrap_or_else(|| panic!("no lesson {id}")).clone();
    let a = Attempt::start(lesson, None).expect("the lesson starts");
    Story::with_app(App::with_attempt(a, Options::default()), w, h)
}

/// The cell where `text` first appears on screen.
fn find(buf: &Buffer, text: &str) -> Option<(u16, u16)> {
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol().to_string()).collect();
        if let Some(b) = line.find(text) {
            return Some((line[..b].chars().count() as u16, y));
        }
    }
    None
}

fn fg_at(buf: &Buffer, text: &str) -> Color {
    let (x, y) = find(buf, text).unwrap_or_else(|| panic!("{text:?} not on screen"));
    buf[(x, y)].fg
}

const FIRST_POD: &str = "cat <<'EOF' | kubectl apply -f -\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\nEOF\n";

#[test]
fn the_picker_lists_the_course_by_domain() {
    let mut progress = BTreeMap::new();
    progress.insert("pods-first-pod".to_string(), LessonProgress { completed: true, ..Default::default() });
    let mut s = picker_story(progress);
    let text = s.text();
    assert!(text.contains("Application Design and Build"), "{text}");
    assert!(text.contains("Exams"), "{text}");
    assert!(text.contains("✓ Your first pod"), "done lessons are marked:\n{text}");
    insta::assert_snapshot!("tui_picker", s.frame());
    // The selection starts on the first lesson not done; enter starts it.
    let title = match &s.app.screen {
        Screen::Picker(p) => p.selected_lesson().map(|l| l.title.clone()).unwrap_or_default(),
        Screen::Play => panic!("the picker is shown first"),
    };
    s.keys("<enter>");
    assert!(matches!(s.app.screen, Screen::Play));
    assert!(s.text().contains(&title));
    assert_eq!(s.app.focus, Focus::Prompt, "the prompt has the focus when a lesson opens");
    // `?` is the help there too; `q` quits.
    let mut s = picker_story(BTreeMap::new());
    s.keys("?");
    assert!(s.text().contains("help · esc closes"), "{}", s.text());
    s.keys("<esc>q");
    assert!(s.app.quit);
}

#[test]
fn a_lesson_opened_a_check_turning_green_and_a_hint() {
    let mut s = lesson_story("pods-first-pod");
    let text = s.text();
    assert!(text.contains("Step 1: Run nginx in a pod"), "{text}");
    assert!(text.contains("✗ pod web runs nginx:1.27"), "{text}");
    insta::assert_snapshot!("tui_lesson_opened", s.frame());
    s.typed(FIRST_POD);
    s.ticks(1);
    // The lesson pane (esc from the prompt), scrolled to the checks.
    s.keys("<esc>jjjjjjjjjj");
    assert_eq!(s.app.focus, Focus::Lesson);
    let text = s.text();
    assert!(text.contains("✓ pod web runs nginx:1.27"), "{text}");
    assert!(text.contains("✗ pod web is Running"), "{text}");
    assert_eq!(fg_at(s.draw(), "✓ pod web runs nginx:1.27"), Color::Green);
    assert_eq!(fg_at(s.draw(), "✗ pod web is Running"), Color::Red);
    s.ticks(15);
    let steps = s.app.attempt().expect("a lesson").steps();
    assert!(steps[0].results.iter().all(|r| r.passed), "every check of step 1 passed");
    // Back to step 1 to see it done.
    s.keys("pjjjjjjjjjj");
    let text = s.text();
    assert!(text.contains("✓ pod web is Running"), "{text}");
    assert_eq!(fg_at(s.draw(), "✓ pod web is Running"), Color::Green);
    insta::assert_snapshot!("tui_check_green", s.frame());
    // Back to the current step; a hint.
    s.keys("<esc>h");
    let text = s.text();
    assert!(text.contains("Hint 1/"), "{text}");
    insta::assert_snapshot!("tui_hint", s.frame());
}

#[test]
fn an_exam_shows_its_timer_and_tasks() {
    let mut s = lesson_story("exam-pods-checkpoint");
    let text = s.text();
    assert!(text.contains("⏱ 0:20:00 left"), "{text}");
    assert!(text.contains("Tasks"), "{text}");
    s.ticks(75);
    s.keys("<esc><space>");
    assert!(!s.app.paused, "an exam's clock cannot be paused");
    s.keys("nf");
    let text = s.text();
    assert!(text.contains("⏱ 0:18:45 left"), "{text}");
    assert!(text.contains("⚑"), "the task is flagged:\n{text}");
    insta::assert_snapshot!("tui_exam", s.frame());
    // The last five minutes are red; then time is up and the exam is graded.
    s.ticks(16 * 60);
    assert_eq!(fg_at(s.draw(), "· ⏱"), Color::Red);
    s.ticks(5 * 60);
    let text = s.text();
    assert!(text.contains("Graded") && text.contains("[FAIL]"), "{text}");
}

#[test]
fn progress_is_saved_and_shown_in_the_picker() {
    let dir = std::env::temp_dir().join(format!("kubedojo-tui-progress-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = ProgressStore::at(dir.join("progress"));
    let mut s = picker_story(BTreeMap::new());
    s.persist = Persist::new(Some(store.clone()));
    s.keys("<enter>");
    s.typed(FIRST_POD);
    s.ticks(16);
    let p = store.load("pods-first-pod").expect("readable").expect("saved after the step");
    assert_eq!(p.done, ["create"]);
    assert!(dir.join("sessions/pods-first-pod.jsonl").is_file(), "the session log is saved");
    s.keys("<esc>:lessons<enter>");
    let text = s.text();
    assert!(text.contains("◐ Your first pod"), "{text}");
    // r resets (after y).
    s.keys("gr");
    assert!(s.text().contains("Forget your progress"));
    s.keys("y");
    assert!(store.load("pods-first-pod").expect("readable").is_none());
    assert!(s.text().contains("○ Your first pod"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_lesson_and_an_exam_at_80_by_24() {
    let mut s = sized_lesson_story("pods-first-pod", 80, 24);
    let text = s.text();
    assert!(text.contains("Your first pod · step 1/3"), "{text}");
    assert!(text.contains("Step 1: Run nginx in a pod"), "{text}");
    insta::assert_snapshot!("tui_lesson_80x24", s.frame());
    // An exam's time left stays in view however narrow the pane: in its title and the bar.
    let mut s = sized_lesson_story("exam-pods-checkpoint", 80, 24);
    s.ticks(61);
    let text = s.text();
    let first = text.lines().next().unwrap_or("");
    assert!(first.contains("exam ⏱ 0:18:59 left"), "{text}");
    assert!(text.lines().nth(1).is_some_and(|l| l.contains("· ⏱ 0:18:59 left ┐")), "{text}");
}

/// Tables in a lesson's Markdown are drawn as aligned columns (issue 7: they were raw pipes).
#[test]
fn a_markdown_table_in_the_lesson_pane() {
    let mut s = lesson_story("pods-command-args-env");
    s.keys("<esc>");
    for _ in 0..80 {
        if s.text().contains("┃CMD ") {
            break;
        }
        s.keys("j");
    }
    let text = s.text();
    assert!(text.contains("┃in the image  in the pod spec  what it replaces"), "{text}");
    // The last column is narrower than its text: its cells wrap inside it.
    assert!(text.contains("┃ENTRYPOINT    command          the program that is  ┃"), "{text}");
    assert!(text.contains("┃                               started              ┃"), "{text}");
    assert!(!text.contains("| ENTRYPOINT"), "no raw pipes:\n{text}");
    assert_eq!(fg_at(s.draw(), "in the image"), Color::Yellow, "the header row is styled");
    insta::assert_snapshot!("tui_lesson_table", s.frame());
}

#[test]
fn a_finished_lesson_shows_its_debrief() {
    let mut s = lesson_story("pods-first-pod");
    let lesson = course().lesson("pods-first-pod").expect("the lesson").clone();
    for step in &lesson.steps {
        s.typed(&step.solution);
        s.ticks(20);
    }
    assert!(s.app.attempt().expect("a lesson").completed(), "the reference solution completes the lesson");
    s.keys("<esc>G");
    let text = s.text();
    assert!(text.contains("✓ Lesson complete"), "{text}");
    let debrief_start: String = lesson.debrief.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
    assert!(text.contains(&debrief_start), "the debrief ({debrief_start}) is shown:\n{text}");
}

#[test]
fn hints_come_one_at_a_time_and_into_view() {
    let mut s = lesson_story("pods-command-args-env");
    assert!(!s.text().contains("Hint 1/3"));
    s.keys("<f2>");
    let text = s.text();
    assert!(text.contains("Hint 1/3") && !text.contains("Hint 2/3"), "{text}");
    assert_eq!(s.app.focus, Focus::Prompt, "F2 at the prompt leaves the focus there");
    s.keys("<f2><f2>");
    let text = s.text();
    assert!(text.contains("Hint 3/3"), "the last hint is scrolled into view:\n{text}");
    assert!(text.contains("command: [\"sh\", \"-c\"]"), "its code block too:\n{text}");
    s.keys("<f2>");
    assert!(s.text().contains("no more hints for this step"));
}

/// Several clusters (issue 5): the cluster pane names the current context's cluster, and
/// `use-context` at the prompt switches what the panes show to the other cluster (its own
/// pods: only stage has a pod `tester` in `default`); time keeps running in all of them.
#[test]
fn use_context_switches_the_cluster_shown() {
    let mut s = sized_lesson_story("exam-ckad-mock", 200, 50);
    let text = s.text();
    assert!(text.contains(" cluster dev [3 nodes] "), "{text}");
    assert!(!text.contains("tester"), "{text}");
    s.typed("kubectl config use-context ckad-stage\n");
    s.ticks(1);
    let text = s.text();
    assert!(text.contains("Switched to context \"ckad-stage\"."), "{text}");
    assert!(text.contains(" cluster stage [3 nodes] "), "{text}");
    assert!(text.contains("tester"), "the stage cluster's pod is listed:\n{text}");
    s.typed("kubectl config use-context ckad-dev\n");
    s.ticks(1);
    let text = s.text();
    assert!(text.contains(" cluster dev [3 nodes] "), "{text}");
    assert!(!text.lines().any(|l| l.contains("tester") && !l.contains("use-context")), "{text}");
    let ws = s.app.ws();
    assert_eq!(ws.cluster(), "dev");
    assert_eq!(ws.cluster_names(), ["dev", "prod", "stage"]);
}
