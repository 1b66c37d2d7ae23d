//! Lessons, checks and grading (issue 6): every shipped lesson is solvable by its reference
//! solution and unsolved by doing nothing; broken content files give their expected
//! file:line:column errors; reports parse as JSON and JUnit XML; sessions replay exactly;
//! progress survives damage.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kubedojo::lesson::content::load_sources;
use kubedojo::lesson::load::{embedded_sources, path_sources, Origin, SourceFile};
use kubedojo::lesson::progress::{LessonProgress, ProgressStore};
use kubedojo::lesson::{diag, Attempt, Course, Lesson, Report, SessionLog};

fn course() -> Course {
    let loaded = Course::embedded();
    assert!(loaded.is_ok(), "the shipped course has errors:\n{}", diag::render(&loaded.diagnostics));
    loaded.course
}

fn lesson(id: &str) -> Arc<Lesson> {
    course().lesson(id).unwrap_or_else(|| panic!("no lesson {id}")).clone()
}

#[test]
fn the_course_loads_and_is_ordered() {
    let c = course();
    assert!(c.lessons.len() >= 5, "{:?}", c.lessons.keys());
    assert_eq!(c.order.len(), c.lessons.len());
    // Prerequisites come first.
    for (i, id) in c.order.iter().enumerate() {
        for p in &c.lessons[id].prerequisites {
            let j = c.order.iter().position(|x| x == p).unwrap();
            assert!(j < i, "{p} must come before {id}");
        }
    }
    assert_eq!(c.order.first().map(String::as_str), Some("pods-first-pod"));
    // Exams close the course, the full mock exam last of all.
    let first_exam = c.order.iter().position(|id| c.lessons[id].is_exam()).unwrap();
    assert!(c.order[first_exam..].iter().all(|id| c.lessons[id].is_exam()), "{:?}", c.order);
    assert_eq!(c.order.last().map(String::as_str), Some("exam-ckad-mock"));
}

#[test]
fn every_reference_solution_passes_all_its_checks() {
    for l in course().ordered() {
        let mut a = Attempt::start(l.clone(), None).expect("setup");
        a.run_script(&l.solution_script());
        let r = Report::of(&mut a);
        assert!(r.all_passed(), "{} fails with its reference solution:\n{}", l.id, r.to_text());
        assert!(r.passed);
        if !l.is_exam() {
            assert!(a.completed(), "{}: every step must be completed", l.id);
        }
        assert_eq!(a.refused(), 0, "{}: the solution must fit in the time limit", l.id);
    }
}

#[test]
fn an_empty_attempt_fails_every_step() {
    for l in course().ordered() {
        let mut a = Attempt::start(l.clone(), None).expect("setup");
        let results = a.final_results();
        for (step, checks) in l.steps.iter().zip(results) {
            assert!(!checks.is_empty());
            for (def, c) in step.checks.iter().zip(&checks) {
                // A check watched over a window ("never restarted") may hold in an untouched
                // cluster; every other check describes the goal and must fail.
                if def.during.is_none() {
                    assert!(!c.passed, "{} step {}: check \"{}\" passes with nothing done", l.id, step.id, c.name);
                    assert!(
                        c.reason.as_deref().is_some_and(|r| !r.is_empty()),
                        "{}: a failing check explains itself",
                        c.name
                    );
                }
            }
            assert!(checks.iter().any(|c| !c.passed), "{} step {} is done with nothing done", l.id, step.id);
        }
        let r = Report::of(&mut a);
        assert!(!r.passed);
        if let Some(s) = &r.score {
            assert_eq!(s.percent, 0.0, "{}: an empty exam attempt scores 0 %", l.id);
        }
    }
}

/// Each file (or folder) in tests/invalid_content/ lists the errors it must give in
/// `# expect: LINE:COL: message` comments (`# expect: FILE:LINE:COL: ...` in folders); `DIR`
/// stands for tests/invalid_content.
#[test]
fn broken_content_gives_located_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid_content");
    // `manifests/` holds files that the entries include; it is not an entry itself.
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).filter(|p| !p.ends_with("manifests")).collect();
    entries.sort();
    assert!(entries.len() >= 10);
    let mut failures = Vec::new();
    for entry in entries {
        let files = if entry.is_dir() {
            let mut f: Vec<PathBuf> = std::fs::read_dir(&entry).unwrap().flatten().map(|e| e.path()).collect();
            f.sort();
            f
        } else {
            vec![entry.clone()]
        };
        let mut expected: Vec<String> = Vec::new();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            expected.extend(text.lines().filter_map(|l| l.strip_prefix("# expect: ")).map(str::to_string));
        }
        let loaded = load_sources(path_sources(std::slice::from_ref(&entry)).unwrap(), embedded_sources());
        let prefix = if entry.is_dir() { format!("{}/", entry.display()) } else { format!("{}:", entry.display()) };
        let mut actual: Vec<String> = loaded
            .diagnostics
            .iter()
            .map(|d| d.to_string().replacen(&prefix, "", 1).replace(&dir.display().to_string(), "DIR"))
            .collect();
        actual.sort();
        expected.sort();
        assert!(!expected.is_empty(), "{} has no `# expect:` lines", entry.display());
        if actual != expected {
            failures.push(format!(
                "{}:\n  expected:\n    {}\n  actual:\n    {}",
                entry.display(),
                expected.join("\n    "),
                actual.join("\n    ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn graded(id: &str, script: &str) -> Report {
    let l = lesson(id);
    let mut a = Attempt::start(l, None).unwrap();
    a.run_script(script);
    Report::of(&mut a)
}

#[test]
fn json_report_parses_and_says_what_happened() {
    let l = lesson("pods-first-pod");
    // Only the first step.
    let r = graded("pods-first-pod", &l.steps[0].solution);
    let v: serde_json::Value = serde_json::from_str(&r.to_json()).expect("valid JSON");
    assert_eq!(v["kind"], "Lesson");
    assert_eq!(v["id"], "pods-first-pod");
    assert_eq!(v["passed"], false);
    assert_eq!(v["checksTotal"], l.check_count());
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), l.steps.len());
    assert_eq!(steps[0]["done"], true);
    assert!(steps[0]["checks"].as_array().unwrap().iter().all(|c| c["passed"] == true));
    assert_eq!(steps[1]["done"], false);
    let failing = &steps[1]["checks"][0];
    assert_eq!(failing["passed"], false);
    assert_eq!(failing["reason"], "pod web's label tier is nothing; the task asks for tier=frontend");
    assert_eq!(v["checksPassed"], l.steps[0].checks.len());
}

#[test]
fn junit_report_is_xml_with_one_testcase_per_check() {
    for (id, script) in
        [("exam-pods-checkpoint", String::new()), ("config-configmap", lesson("config-configmap").solution_script())]
    {
        let r = graded(id, &script);
        let xml = r.to_junit();
        let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{id}: not XML: {e}\n{xml}"));
        let cases: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("testcase")).collect();
        assert_eq!(cases.len(), lesson(id).check_count(), "{id}");
        let failures = doc.descendants().filter(|n| n.has_tag_name("failure")).count();
        assert_eq!(failures, r.checks_total - r.checks_passed, "{id}");
        let suites = doc.descendants().filter(|n| n.has_tag_name("testsuite")).count();
        assert_eq!(suites, lesson(id).steps.len());
        for c in &cases {
            assert!(c.attribute("name").is_some_and(|n| !n.is_empty()));
            assert!(c.attribute("classname").is_some_and(|n| n.starts_with(id)));
        }
    }
}

#[test]
fn exam_scores_by_weight() {
    let l = lesson("exam-pods-checkpoint");
    // Tasks 1 (weight 4) and 2 (weight 3) of 10: 70 %, above the pass mark of 66 %.
    let script = format!("{}{}", l.steps[0].solution, l.steps[1].solution);
    let r = graded("exam-pods-checkpoint", &script);
    let s = r.score.clone().unwrap();
    assert_eq!(s.percent, 70.0);
    assert!(r.passed);
    assert!(!r.all_passed(), "the exit status still says not every check passed");
    // Task 3 done in the wrong namespace scores nothing.
    let wrong = l.steps[2].solution.replace("namespace: gamma", "namespace: default");
    let r = graded("exam-pods-checkpoint", &wrong);
    assert_eq!(r.score.unwrap().percent, 0.0);
}

#[test]
fn exam_time_limit_stops_commands() {
    let l = lesson("exam-pods-checkpoint");
    let script = format!("sleep 1300\n{}", l.steps[0].solution);
    let mut a = Attempt::start(l, None).unwrap();
    let t = a.run_script(&script);
    assert!(t.contains("time is up"), "{t}");
    assert_eq!(a.refused(), 1);
    let r = Report::of(&mut a);
    assert_eq!(r.notes, vec!["the time limit was reached; 1 command after it did not run".to_string()]);
}

#[test]
fn session_replay_is_deterministic() {
    let l = lesson("pods-fix-bad-image");
    let mut a = Attempt::start(l.clone(), None).unwrap();
    for _ in 0..7 {
        a.tick();
    }
    a.run("kubectl get pod shop -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}' > /root/reason.txt");
    for _ in 0..3 {
        a.tick();
    }
    a.run(&l.steps[1].solution);
    a.run("kubectl get pods -o yaml");
    for _ in 0..5 {
        a.tick();
    }
    let log = a.session();
    let text = log.to_jsonl();
    let (parsed, warnings) = SessionLog::parse(&text, "s.jsonl").unwrap();
    assert!(warnings.is_empty());
    assert_eq!(parsed, log);
    let mut b = Attempt::replay(l.clone(), &parsed).unwrap();
    assert_eq!(a.ticks(), b.ticks());
    let (ra, rb) = (Report::of(&mut a), Report::of(&mut b));
    assert_eq!(ra.to_json(), rb.to_json());
    assert!(ra.all_passed(), "{}", ra.to_text());
    assert_eq!(a.steps()[0].done_at, b.steps()[0].done_at);
    let ya = a.run("kubectl get pods -A -o yaml");
    let yb = b.run("kubectl get pods -A -o yaml");
    assert_eq!(ya, yb);
    // A crash while appending leaves a cut line: it is dropped with a warning.
    let cut = &text[..text.len() - 6];
    let (short, warnings) = SessionLog::parse(cut, "s.jsonl").unwrap();
    assert_eq!(short.events.len(), log.events.len() - 1);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(SessionLog::parse("{\"tick\":1}\n", "x").is_err());
}

/// Checks evaluated every tick must not change what the learner sees.
#[test]
fn watching_does_not_change_the_world() {
    let l = lesson("probes-liveness");
    let script = l.solution_script();
    let mut a = Attempt::start(l.clone(), None).unwrap();
    let ta = a.run_script(&format!("{script}kubectl get pods -o yaml\n"));
    let mut ws = kubedojo::shell::workstation::Workstation::new(kubedojo::sim::World::new(l.scenario.seed));
    let tb = kubedojo::shell::workstation::transcript(&mut ws, &format!("{script}kubectl get pods -o yaml\n"));
    assert_eq!(ta, tb);
}

fn source(path: &str, text: &str) -> SourceFile {
    SourceFile { path: path.into(), text: text.into(), origin: Origin::Disk }
}

const WINDOW_LESSON: &str = r#"apiVersion: kubedojo/v1
kind: Lesson
id: window-test
title: Windows
domain: application-deployment
difficulty: beginner
minutes: 5
scenario:
  setup:
    - apply: |
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: flag
        data:
          state: up
intro: Keep the ConfigMap up, then write a file.
steps:
  - id: keep
    title: Keep it
    prompt: Write /root/done.txt while the ConfigMap stays.
    solution: echo done > /root/done.txt
    checks:
      - name: done
        run: cat /root/done.txt
        expect: done
      - name: the ConfigMap stays up for ten ticks
        run: kubectl get configmap flag -o jsonpath='{.data.state}'
        expect: up
        during: 0..10
        explain: "the ConfigMap flag is {{output}}"
"#;

#[test]
fn during_checks_hold_at_every_tick_of_their_window() {
    let loaded = load_sources(vec![source("w.yaml", WINDOW_LESSON)], vec![]);
    assert!(loaded.is_ok(), "{}", diag::render(&loaded.diagnostics));
    let l = loaded.course.lesson("window-test").unwrap().clone();
    // Held throughout.
    let mut a = Attempt::start(l.clone(), None).unwrap();
    a.run_script("sleep 12\necho done > /root/done.txt\n");
    let r = Report::of(&mut a);
    assert!(r.all_passed(), "{}", r.to_text());
    // Broken for a moment at tick 4, restored at once: caught, with the tick.
    let mut a = Attempt::start(l.clone(), None).unwrap();
    a.run_script("sleep 3\nkubectl delete configmap flag\nsleep 1\ncat <<'EOF' | kubectl apply -f -\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flag\ndata:\n  state: up\nEOF\nsleep 10\necho done > /root/done.txt\n");
    let r = Report::of(&mut a);
    let c = &r.steps[0].checks[1];
    assert!(!c.passed);
    assert_eq!(c.reason.as_deref(), Some("at tick 4: Error from server (NotFound): configmaps \"flag\" not found"));
    // Graded before the window is over.
    let mut a = Attempt::start(l, None).unwrap();
    a.run("echo done > /root/done.txt");
    let r = Report::of(&mut a);
    assert_eq!(r.steps[0].checks[1].reason.as_deref(), Some("this must hold until tick 10; it is tick 0"));
}

#[test]
fn a_scenarios_contexts_fill_the_learners_kubeconfig() {
    let text = "apiVersion: kubedojo/v1\nkind: Scenario\nid: ctx\ncluster:\n  namespaces: [shop]\ncontexts:\n  - name: ckad\n    namespace: shop\n  - name: admin\n";
    let loaded = load_sources(vec![source("c.yaml", text)], vec![]);
    assert!(loaded.is_ok(), "{}", diag::render(&loaded.diagnostics));
    let s = loaded.course.scenario("ctx").unwrap();
    let mut a = Attempt::sandbox(s, None).unwrap();
    let t =
        a.run_script("kubectl config get-contexts\nkubectl config use-context admin\nkubectl config current-context\n");
    assert_eq!(
        t,
        "$ kubectl config get-contexts\n\
         CURRENT   NAME    CLUSTER      AUTHINFO           NAMESPACE\n\
         \x20         admin   kubernetes   kubernetes-admin   \n\
         *         ckad    kubernetes   kubernetes-admin   shop\n\
         $ kubectl config use-context admin\n\
         Switched to context \"admin\".\n\
         $ kubectl config current-context\n\
         admin\n"
    );
}

#[test]
fn scenario_faults_are_applied_at_their_tick() {
    let text = "apiVersion: kubedojo/v1\nkind: Scenario\nid: faulty\nfaults:\n  - at: 5\n    chaos: node-down node01\n";
    let loaded = load_sources(vec![source("f.yaml", text)], vec![]);
    assert!(loaded.is_ok(), "{}", diag::render(&loaded.diagnostics));
    let s = loaded.course.scenario("faulty").unwrap();
    let mut a = Attempt::sandbox(s, None).unwrap();
    a.run("sleep 4");
    assert!(a.faults().is_empty());
    a.run("sleep 2");
    let f = a.faults();
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].at, f[0].command.as_str()), (5, "chaos node-down node01"));
    // Until sim::faults lands, the fault is recorded as failed, with its message.
    assert_eq!(f[0].ok, !f[0].output.contains("not available"), "{:?}", f[0]);
}

#[test]
fn progress_is_saved_atomically_and_damage_stays_local() {
    let dir = tempfile::tempdir().unwrap();
    let store = ProgressStore::at(dir.path().join("progress"));
    assert_eq!(store.load("pods-first-pod").unwrap(), None);
    let p = LessonProgress { done: vec!["create".into()], current: Some("label".into()), ..Default::default() };
    store.save("pods-first-pod", &p).unwrap();
    store.save("config-configmap", &LessonProgress { completed: true, ..Default::default() }).unwrap();
    assert_eq!(store.load("pods-first-pod").unwrap(), Some(p.clone()));
    // A crash between writing the temporary file and renaming it leaves a stray temporary
    // file and the old progress intact.
    std::fs::write(store.dir().join(".pods-first-pod.abc123.tmp"), "{\"version\":1,\"progr").unwrap();
    assert_eq!(store.load("pods-first-pod").unwrap(), Some(p.clone()));
    assert_eq!(store.all().len(), 2);
    // A damaged file (written by something else, or a disk error) is reported, and only for
    // its lesson.
    std::fs::write(store.dir().join("config-configmap.json"), "{\"version\":1,\"progress\":{\"done\":[").unwrap();
    let err = store.load("config-configmap").unwrap_err();
    assert!(err.to_string().contains("config-configmap.json: unreadable progress"), "{err}");
    let all = store.all();
    assert!(all["config-configmap"].is_err());
    assert_eq!(all["pods-first-pod"].as_ref().unwrap(), &p);
    // Saving over it keeps the damaged file aside.
    store.save("config-configmap", &LessonProgress::default()).unwrap();
    assert!(store.dir().join("config-configmap.json.corrupt").exists());
    assert_eq!(store.load("config-configmap").unwrap(), Some(LessonProgress::default()));
    store.reset("config-configmap").unwrap();
    assert_eq!(store.load("config-configmap").unwrap(), None);
    assert!(!store.dir().join("config-configmap.json.corrupt").exists());
}

#[test]
fn progress_records_an_attempt() {
    let dir = tempfile::tempdir().unwrap();
    let store = ProgressStore::at(dir.path());
    let l = lesson("pods-first-pod");
    let mut a = Attempt::start(l.clone(), None).unwrap();
    a.run_script(&l.steps[0].solution);
    store.record(&mut a).unwrap();
    let p = store.load("pods-first-pod").unwrap().unwrap();
    assert_eq!(p.done, vec!["create".to_string()]);
    assert_eq!(p.current.as_deref(), Some("label"));
    assert!(!p.completed);
    let e = lesson("exam-pods-checkpoint");
    let mut a = Attempt::start(e.clone(), None).unwrap();
    a.run_script(&e.steps[0].solution);
    store.record(&mut a).unwrap();
    let mut b = Attempt::start(e.clone(), None).unwrap();
    store.record(&mut b).unwrap();
    assert_eq!(store.load("exam-pods-checkpoint").unwrap().unwrap().best_score, Some(40.0));
}

/// The CKAD mock exam is sized like the real one, and its scenario's contexts are the
/// learner's kubeconfig: the first is current, `use-context` switches, and each task's checks
/// run in its own context and namespace.
#[test]
fn mock_exam_has_the_exams_shape_and_contexts() {
    let l = lesson("exam-ckad-mock");
    let rules = l.exam.clone().unwrap();
    assert_eq!((rules.time_limit_minutes, rules.pass_mark), (120, 66));
    assert!((15..=20).contains(&l.steps.len()), "{} tasks", l.steps.len());
    assert_eq!(l.steps.iter().map(|s| s.weight).sum::<u32>(), 100);
    let mut namespaces: Vec<&str> = l.steps.iter().map(|s| s.namespace.as_deref().unwrap()).collect();
    namespaces.sort();
    namespaces.dedup();
    assert_eq!(namespaces.len(), l.steps.len(), "each task has its own namespace");
    for s in &l.steps {
        let ctx = s.context.as_deref().unwrap();
        assert!(s.prompt.starts_with(&format!("Use context: `kubectl config use-context {ctx}`")), "{}", s.id);
    }
    let mut a = Attempt::start(l.clone(), None).unwrap();
    let t = a.run_script("kubectl config get-contexts -o name\nkubectl config current-context\nkubectl config use-context ckad-prod\nkubectl config use-context kubernetes-admin@kubernetes\n");
    assert_eq!(
        t,
        "$ kubectl config get-contexts -o name\nckad-dev\nckad-prod\nckad-stage\n$ kubectl config current-context\nckad-dev\n$ kubectl config use-context ckad-prod\nSwitched to context \"ckad-prod\".\n$ kubectl config use-context kubernetes-admin@kubernetes\nerror: no context exists with the name: \"kubernetes-admin@kubernetes\"\n"
    );
    // Half of the last task (labels, weight 3), done from the wrong context's namespace
    // first (nothing), then in the wrong cluster (ckad-dev's has no namespace quartz:
    // nothing), then in its own context: 1.5 points, shown per task.
    let r = graded(
        "exam-ckad-mock",
        "kubectl label pods --all backup=daily\nkubectl -n quartz label pods orders-db users-db session-cache backup=daily\nkubectl config use-context ckad-stage\nkubectl -n quartz label pods orders-db users-db session-cache backup=daily\n",
    );
    let labels = r.steps.iter().find(|s| s.id == "labels").unwrap();
    assert_eq!(labels.points, Some(1.5));
    assert!(
        r.to_text().contains("Task 17/17: Labels and annotations for the data tiers (1.5 of 3 points)\n"),
        "{}",
        r.to_text()
    );
    let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(v["steps"][16]["points"], 1.5);
    assert_eq!(v["steps"][0]["points"], 0.0);
    assert_eq!(v["score"]["percent"], 1.5);
}
