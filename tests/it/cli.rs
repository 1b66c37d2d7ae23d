//! The `kubedojo` binary's contract (DESIGN §10) for lessons: exit statuses of `grade` and
//! `check`, report formats on disk, `run` on scenarios, `list` with progress.

use std::path::Path;
use std::process::{Command, Output};

fn kubedojo(args: &[&str], data_home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubedojo"))
        .args(args)
        .env("XDG_DATA_HOME", data_home)
        .env("HOME", data_home)
        .output()
        .expect("run kubedojo")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn grade_exit_status_follows_the_checks() {
    let tmp = tempfile::tempdir().unwrap();
    let o = kubedojo(&["grade", "pods-first-pod", "--solution"], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}{}", text(&o.stdout), text(&o.stderr));
    assert!(text(&o.stdout).ends_with("6/6 checks passed: PASSED\n"), "{}", text(&o.stdout));

    let script = tmp.path().join("attempt.sh");
    std::fs::write(&script, "kubectl get pods\n").unwrap();
    let o = kubedojo(&["grade", "pods-first-pod", "--script", script.to_str().unwrap()], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains(
            "[FAIL] pod web runs nginx:1.27\n         Error from server (NotFound): pods \"web\" not found\n"
        ),
        "{}",
        text(&o.stdout)
    );

    let o = kubedojo(&["grade", "no-such-lesson", "--solution"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stderr),
        "kubedojo grade: unknown lesson or scenario \"no-such-lesson\" (see `kubedojo list`)\n"
    );

    // One of --script, --session, --solution is required.
    let o = kubedojo(&["grade", "pods-first-pod"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn grade_writes_json_and_junit_and_replays_sessions() {
    let tmp = tempfile::tempdir().unwrap();
    let json = tmp.path().join("r.json");
    let o = kubedojo(
        &["grade", "config-configmap", "--solution", "--format", "json", "--out", json.to_str().unwrap()],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(o.stdout.is_empty());
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["passed"], true);

    let session = tmp.path().join("s.jsonl");
    std::fs::write(
        &session,
        "{\"kubedojo\":\"session\",\"version\":1,\"target\":\"exam-pods-checkpoint\",\"seed\":1}\n{\"tick\":3,\"run\":\"kubectl get pods -A\"}\n{\"tick\":40,\"end\":true}\n",
    )
    .unwrap();
    let o = kubedojo(
        &["grade", "exam-pods-checkpoint", "--session", session.to_str().unwrap(), "--format", "junit"],
        tmp.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let xml = text(&o.stdout);
    let doc = roxmltree::Document::parse(&xml).expect("JUnit XML");
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("testcase")).count(), 4);
    assert_eq!(doc.descendants().filter(|n| n.has_tag_name("failure")).count(), 4);

    std::fs::write(&session, "{\"kubedojo\":\"session\",\"version\":1,\"target\":\"pods-sidecar\",\"seed\":1}\n")
        .unwrap();
    let o = kubedojo(&["grade", "exam-pods-checkpoint", "--session", session.to_str().unwrap()], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stderr),
        "kubedojo grade: the session is an attempt at \"pods-sidecar\", not at \"exam-pods-checkpoint\"\n"
    );
}

#[test]
fn check_validates_and_proves_content() {
    let tmp = tempfile::tempdir().unwrap();
    let o = kubedojo(&["check"], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stdout).contains("every reference solution passes"), "{}", text(&o.stdout));

    let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/invalid_content/wrong-kind.yaml");
    let o = kubedojo(&["check", bad.to_str().unwrap()], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stderr),
        format!("{}:3:7: unknown kind \"Lesson2\": expected Scenario, Lesson or Exam\n1 problem\n", bad.display())
    );

    // A lesson whose reference solution does not solve it.
    let dir = tmp.path().join("course");
    std::fs::create_dir_all(dir.join("lessons")).unwrap();
    std::fs::write(
        dir.join("lessons/wrong.yaml"),
        "apiVersion: kubedojo/v1\nkind: Lesson\nid: wrong\ntitle: Wrong\ndomain: application-deployment\ndifficulty: beginner\nminutes: 5\nintro: x\nsteps:\n  - id: one\n    title: One\n    prompt: Make a pod.\n    solution: kubectl get pods\n    checks:\n      - name: pod a exists\n        run: kubectl get pod a -o name\n        expect: pod/a\n",
    )
    .unwrap();
    let o = kubedojo(&["--content", dir.to_str().unwrap(), "check"], tmp.path());
    assert_eq!(o.status.code(), Some(1));
    let file = dir.join("lessons/wrong.yaml");
    assert_eq!(
        text(&o.stderr),
        format!("{}:13:15: step \"one\": check \"pod a exists\" fails after the reference solution: expected \"pod/a\", got nothing (Error from server (NotFound): pods \"a\" not found)\n1 problem\n", file.display())
    );
}

#[test]
fn run_plays_scenarios_and_list_shows_progress() {
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("s.sh");
    std::fs::write(&script, "kubectl get pod shop -o jsonpath='{.spec.containers[0].image}'\n").unwrap();
    let o = kubedojo(&["run", "shop-bad-image", "--script", script.to_str().unwrap()], tmp.path());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "$ kubectl get pod shop -o jsonpath='{.spec.containers[0].image}'\nnginx:1.277");

    let progress = tmp.path().join("kubedojo/progress");
    std::fs::create_dir_all(&progress).unwrap();
    std::fs::write(
        progress.join("pods-first-pod.json"),
        "{\"version\":1,\"progress\":{\"done\":[\"create\"],\"current\":\"label\",\"completed\":false}}\n",
    )
    .unwrap();
    std::fs::write(
        progress.join("pods-sidecar.json"),
        "{\"version\":1,\"progress\":{\"done\":[\"create\",\"share\"],\"completed\":true}}\n",
    )
    .unwrap();
    std::fs::write(progress.join("config-configmap.json"), "garbage").unwrap();
    let o = kubedojo(&["list"], tmp.path());
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    assert!(out.starts_with("Application Design and Build (20%)\n"), "{out}");
    assert!(out.contains("  [1/3]  pods-first-pod "), "{out}");
    assert!(out.contains("  [x]    pods-sidecar "), "{out}");
    assert!(out.contains("  [!]    config-configmap "), "{out}");
    assert!(out.contains("Exams\n  [ ]    exam-pods-checkpoint "), "{out}");
    assert!(text(&o.stderr).contains("config-configmap.json: unreadable progress"), "{}", text(&o.stderr));
}

/// `kubedojo play` resolves its target — a lesson or exam id, a scenario id, `empty`, or the
/// path of a content file — before it opens the TUI; without a terminal it says it needs one.
/// (The TUI itself, on a real terminal: tests/it/tui_tmux.rs.)
#[test]
fn play_resolves_ids_paths_and_scenarios() {
    let tmp = tempfile::tempdir().unwrap();
    let lesson = concat!(env!("CARGO_MANIFEST_DIR"), "/lessons/pods-first-pod.yaml");
    let needs = "kubedojo: the TUI needs a terminal; to run commands from a script, use `kubedojo run`\n";
    for target in ["pods-first-pod", "exam-pods-checkpoint", "shop-bad-image", "empty", lesson] {
        let o = kubedojo(&["play", target], tmp.path());
        assert_eq!((o.status.code(), text(&o.stderr).as_str()), (Some(2), needs), "play {target}");
    }
    let o = kubedojo(&["play", "nope"], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(text(&o.stderr), "kubedojo play: unknown lesson or scenario \"nope\" (see `kubedojo list`)\n");
    let bad = tmp.path().join("bad.yaml");
    std::fs::write(&bad, "apiVersion: kubedojo/v1\nkind: Lesson2\n").unwrap();
    let o = kubedojo(&["play", bad.to_str().unwrap()], tmp.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).starts_with(&format!("{}:1:1: ", bad.display())), "{}", text(&o.stderr));
}
