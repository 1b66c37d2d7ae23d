//! End to end: the real `kubedojo` binary in a real terminal (tmux). It opens a lesson, runs
//! `kubectl get nodes` typed at the prompt, shows the nodes, quits on ctrl-c — saving the
//! session log and progress — and leaves the terminal out of raw mode. Skipped (with a note)
//! where tmux is not installed; CI installs it.

use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
    session: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("tmux {args:?}: {e}"))
    }

    fn send(&self, keys: &[&str]) {
        let mut a = vec!["send-keys", "-t", &self.session];
        a.extend_from_slice(keys);
        let out = self.cmd(&a);
        assert!(out.status.success(), "send-keys failed: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", &self.session]).stdout).into_owned()
    }

    /// Waits until the screen shows what `ok` looks for. Not a timing test: the limit only
    /// keeps a broken build from hanging the suite.
    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(60) {
                panic!("the terminal never showed {what}; it shows:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

#[test]
fn real_binary_in_tmux_runs_kubectl_and_restores_the_terminal() {
    if Command::new("tmux").arg("-V").output().map(|o| !o.status.success()).unwrap_or(true) {
        eprintln!("tmux is not installed: skipping the end-to-end TUI test (CI installs tmux)");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_kubedojo");
    let dir = std::env::temp_dir().join(format!("kubedojo-tmux-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let stty = dir.join("stty.txt");
    let t = Tmux { socket: format!("kubedojo-test-{}", std::process::id()), session: "e2e".into() };
    let out =
        t.cmd(&["new-session", "-d", "-s", &t.session, "-x", "120", "-y", "40", "--", "bash", "--norc", "--noprofile"]);
    assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));
    // Progress and session logs go to a scratch data directory, not the home directory.
    let data = dir.join("data");
    t.send(&[&format!("export PS1='ready$ ' TERM=xterm-256color XDG_DATA_HOME='{}'", data.display()), "Enter"]);
    t.wait_for("the shell prompt", |s| s.contains("ready$"));
    t.send(&[&format!("{bin} play pods-first-pod"), "Enter"]);
    t.wait_for("the TUI", |s| s.contains("kubedojo · Your first pod") && s.contains("Step 1: Run nginx in a pod"));
    t.send(&["-l", "kubectl get nodes"]);
    t.send(&["Enter"]);
    // The command's output is below its echo (the cluster pane above also names the nodes).
    let output_has = |s: &str, node: &str| {
        s.lines().skip_while(|l| !l.contains("$ kubectl get nodes")).skip(1).any(|l| l.contains(node))
    };
    t.wait_for("the nodes", |s| {
        ["NAME", "STATUS", "ROLES", "controlplane", "node01", "node02"].iter().all(|n| output_has(s, n))
    });
    t.send(&["C-c"]);
    t.wait_for("the shell again", |s| s.lines().any(|l| l.starts_with("ready$")) && !s.contains("PROMPT"));
    t.send(&[&format!("stty -a > {}", stty.display()), "Enter"]);
    let start = Instant::now();
    let modes = loop {
        if let Ok(s) = std::fs::read_to_string(&stty) {
            if s.contains("icanon") {
                break s;
            }
        }
        assert!(start.elapsed() < Duration::from_secs(30), "stty -a wrote nothing");
        std::thread::sleep(Duration::from_millis(100));
    };
    let words: Vec<&str> = modes.split_whitespace().collect();
    assert!(words.contains(&"icanon"), "the terminal is left in raw mode (no icanon):\n{modes}");
    assert!(words.contains(&"echo"), "the terminal is left without echo:\n{modes}");
    // Quitting saved the attempt.
    let session = std::fs::read_to_string(data.join("kubedojo/sessions/pods-first-pod.jsonl")).expect("a session log");
    assert!(session.contains(r#""run":"kubectl get nodes""#), "{session}");
    assert!(data.join("kubedojo/progress/pods-first-pod.json").is_file(), "progress is saved");
    let _ = std::fs::remove_dir_all(&dir);
}
