//! Running a check: its command runs in a fresh, non-interactive bash of the learner's
//! workstation (same files, a kubeconfig of its own), against the simulated cluster, without
//! advancing time and without leaving a trace (the world's RNG is restored afterwards, so a
//! check evaluated every tick changes nothing the learner will see). Then its result is
//! compared and, when it fails, explained.
//!
//! How output is compared ("as a person would read it"):
//! - both the output and `expect` are *normalised*: `\r\n` becomes `\n`, trailing spaces
//!   are dropped from every line, and blank lines at the start and end are dropped. Leading
//!   spaces are kept (they are part of a table), so is everything inside a line;
//!   `kubectl get pod web -o jsonpath='{.status.phase}'` prints `Running` without a newline
//!   and matches `expect: Running` as does `echo Running`.
//! - `match` is a regex (the `regex` crate's syntax) *searched* in the normalised output,
//!   like grep: anchor it with `^...$` to match the whole output; `(?m)` makes `^`/`$`
//!   match at every line.
//! - `lines` counts the non-empty lines of the normalised output.
//! - `exitCode` is the command line's exit status.
//!
//! All the comparisons given must hold. Standard error is not compared; it is shown in the
//! explanation when the output is empty (`Error from server (NotFound): ...`).

use serde::Serialize;

use super::model::Check;
use crate::kubectl::{self, Client};
use crate::shell::workstation::{reach, Reach};
use crate::shell::{
    ExtCall, ExtIo, ExtOutcome, Fs, Host, MemFs, NetRequest, NetResult, Options, Process, Status, User,
};
use crate::sim::World;

/// What a check command printed and how it exited.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CommandResult {
    pub stdout: String,
    pub stderr: String,
    pub exit_code: i32,
}

struct CheckHost<'a> {
    world: &'a mut World,
    /// `world`'s cluster: the one the check's context reaches.
    cluster: String,
    client: Client,
    fs: &'a mut MemFs,
    out: Vec<u8>,
    err: Vec<u8>,
}

impl Host for CheckHost<'_> {
    fn now_s(&self) -> u64 {
        self.world.now.unix_s().max(0) as u64
    }
    fn fs(&mut self) -> &mut dyn Fs {
        self.fs
    }
    fn stdout(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }
    fn stderr(&mut self, bytes: &[u8]) {
        self.err.extend_from_slice(bytes);
    }
    fn hostname(&self) -> String {
        "controlplane".into()
    }
    fn user(&self) -> User {
        User::default()
    }
    fn external(&mut self, call: &ExtCall, io: &mut ExtIo) -> Option<ExtOutcome> {
        let name = call.argv.first()?.rsplit('/').next().unwrap_or("").to_string();
        match name.as_str() {
            // `k` is an alias in the learner's interactive shell; a check's shell has none,
            // but authors write `k` as habitually as learners do.
            "kubectl" | "k" => {
                if let Reach::Cluster(c) = reach(&self.client, &call.argv[1..]) {
                    if c != self.cluster {
                        io.err(
                            format!(
                                "kubedojo: a check runs in its task's cluster \"{}\"; this command would reach \"{c}\"\n",
                                self.cluster
                            )
                            .as_bytes(),
                        );
                        return Some(ExtOutcome::Exit(1));
                    }
                }
                let o = kubectl::run(self.world, &mut self.client, self.fs, &call.cwd, &call.argv[1..], &call.stdin);
                *io = o.io;
                Some(ExtOutcome::Exit(o.code))
            }
            _ => None,
        }
    }
    fn net(&mut self, req: &NetRequest) -> NetResult {
        match req {
            NetRequest::Resolve { .. } => NetResult::NoSuchHost,
            _ => NetResult::Timeout,
        }
    }
}

/// The most interpreter slices one check may take (a busy loop in a check is a bug).
const MAX_RUNS: u32 = 1000;

/// Runs a check's command line against `world` (the cluster of `client`'s current context),
/// reading and writing `fs`, with `client`'s context and namespace. Takes no simulated time and leaves the world's RNG as it was.
pub fn run_command(world: &mut World, fs: &mut MemFs, client: &Client, cmd: &str) -> CommandResult {
    let rng = world.rng.clone();
    let env = [("HOME", "/root"), ("USER", "root"), ("SHELL", "/bin/bash"), ("PATH", "/usr/local/bin:/usr/bin:/bin")]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let opts = Options {
        flavor: crate::shell::Flavor::Bash,
        interactive: false,
        pid: 4343,
        cwd: "/root".into(),
        ..Options::default()
    };
    let mut host = CheckHost {
        world,
        cluster: client.cluster.clone(),
        client: client.clone(),
        fs,
        out: Vec::new(),
        err: Vec::new(),
    };
    let code = match Process::spawn(&["bash".into(), "-c".into(), cmd.to_string()], env, opts) {
        Err(e) => {
            host.err.extend_from_slice(format!("bash: {e}\n").as_bytes());
            2
        }
        Ok(mut p) => {
            let mut runs = 0;
            loop {
                runs += 1;
                let now = host.now_s();
                match p.run(&mut host) {
                    Status::Exited(c) | Status::Ready(c) => break c,
                    Status::Busy if runs < MAX_RUNS => continue,
                    Status::Sleeping { until_s } if until_s <= now && runs < MAX_RUNS => continue,
                    _ => {
                        p.kill(9);
                        host.err.extend_from_slice(b"kubedojo: a check command must not wait for simulated time\n");
                        break 124;
                    }
                }
            }
        }
    };
    let result = CommandResult {
        stdout: String::from_utf8_lossy(&host.out).into_owned(),
        stderr: String::from_utf8_lossy(&host.err).into_owned(),
        exit_code: code,
    };
    world.rng = rng;
    result
}

/// Output as a person reads it: see the module documentation.
pub fn normalize(s: &str) -> String {
    let lines: Vec<&str> = s.split('\n').map(|l| l.trim_end_matches('\r').trim_end()).collect();
    let start = lines.iter().position(|l| !l.is_empty()).unwrap_or(lines.len());
    let end = lines.iter().rposition(|l| !l.is_empty()).map(|i| i + 1).unwrap_or(start);
    lines[start..end.max(start)].join("\n")
}

/// Whether a check held, and why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub passed: bool,
    /// For the learner: the check's `explain` with its placeholders filled in, or `detail`.
    pub reason: Option<String>,
    /// For the author: which comparison failed and with what.
    pub detail: Option<String>,
}

/// One line, for messages: the first line of a text, with an ellipsis if there is more.
fn short(s: &str) -> String {
    let mut lines = s.lines();
    let first = lines.next().unwrap_or("");
    let mut out: String = first.chars().take(120).collect();
    if first.chars().count() > 120 || lines.next().is_some() {
        out.push('…');
    }
    out
}

/// What the command gave, for a message: its output, or else its first error line.
fn got(r: &CommandResult) -> String {
    let out = normalize(&r.stdout);
    if !out.is_empty() {
        format!("\"{}\"", short(&out))
    } else if !r.stderr.trim().is_empty() {
        format!("nothing ({})", short(r.stderr.trim()))
    } else {
        "nothing".into()
    }
}

/// Compares a command's result with the check.
pub fn judge(check: &Check, r: &CommandResult, tick: u64) -> Verdict {
    let out = normalize(&r.stdout);
    let count = out.lines().filter(|l| !l.trim().is_empty()).count();
    let mut detail = None;
    if let Some(want) = check.exit_code {
        if r.exit_code != want {
            detail = Some(format!("exit code {}, expected {want}: {}", r.exit_code, got(r)));
        }
    }
    if detail.is_none() {
        if let Some(want) = &check.expect {
            if out != normalize(want) {
                detail = Some(format!("expected \"{}\", got {}", short(&normalize(want)), got(r)));
            }
        }
    }
    if detail.is_none() {
        if let Some(re) = &check.matches {
            if !re.is_match(&out) {
                detail = Some(format!("expected output matching /{}/, got {}", re.as_str(), got(r)));
            }
        }
    }
    if detail.is_none() {
        if let Some(want) = check.lines {
            if count != want as usize {
                detail =
                    Some(format!("expected {want} line{}, got {count}: {}", if want == 1 { "" } else { "s" }, got(r)));
            }
        }
    }
    match detail {
        None => Verdict { passed: true, reason: None, detail: None },
        Some(d) => {
            let reason = match &check.explain {
                // Nothing on stdout but an error: the error says more than the template
                // would with an empty value ("pods \"web\" not found").
                Some(t)
                    if out.is_empty()
                        && !r.stderr.trim().is_empty()
                        && super::validate::placeholders(t).iter().any(|p| p == "output" || p == "stdout") =>
                {
                    r.stderr.trim().lines().next().unwrap_or("").to_string()
                }
                Some(t) => render(t, check, r, tick),
                None => d.clone(),
            };
            Verdict { passed: false, reason: Some(reason), detail: Some(d) }
        }
    }
}

/// Fills an `explain` template: `{{stdout}}` (normalised output), `{{stderr}}`,
/// `{{output}}` (the output, or else the first error line, or else "nothing"),
/// `{{exitCode}}`, `{{lines}}`, `{{expected}}`, `{{tick}}`.
pub fn render(template: &str, check: &Check, r: &CommandResult, tick: u64) -> String {
    let out = normalize(&r.stdout);
    let output = if !out.is_empty() {
        out.clone()
    } else if !r.stderr.trim().is_empty() {
        r.stderr.trim().lines().next().unwrap_or("").to_string()
    } else {
        "nothing".into()
    };
    let expected = check
        .expect
        .clone()
        .or_else(|| check.matches.as_ref().map(|m| m.as_str().to_string()))
        .or_else(|| check.lines.map(|l| l.to_string()))
        .or_else(|| check.exit_code.map(|c| c.to_string()))
        .unwrap_or_default();
    let mut s = String::new();
    let mut rest = template;
    while let Some(i) = rest.find("{{") {
        s.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(j) = after.find("}}") else {
            s.push_str(&rest[i..]);
            rest = "";
            break;
        };
        let value = match after[..j].trim() {
            "stdout" => out.clone(),
            "stderr" => r.stderr.trim().to_string(),
            "output" => output.clone(),
            "exitCode" => r.exit_code.to_string(),
            "lines" => out.lines().filter(|l| !l.trim().is_empty()).count().to_string(),
            "expected" => expected.clone(),
            "tick" => tick.to_string(),
            other => format!("{{{{{other}}}}}"),
        };
        s.push_str(&value);
        rest = &after[j + 2..];
    }
    s.push_str(rest);
    s.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::diag::Loc;

    fn check(expect: Option<&str>, re: Option<&str>, lines: Option<u32>, code: Option<i32>) -> Check {
        Check {
            name: "c".into(),
            run: "true".into(),
            expect: expect.map(str::to_string),
            matches: re.map(|r| regex::Regex::new(r).unwrap()),
            lines,
            exit_code: code,
            during: None,
            explain: None,
            loc: Loc::default(),
        }
    }

    fn res(out: &str, err: &str, code: i32) -> CommandResult {
        CommandResult { stdout: out.into(), stderr: err.into(), exit_code: code }
    }

    #[test]
    fn normalisation_is_what_a_person_sees() {
        assert_eq!(normalize("Running"), "Running");
        assert_eq!(normalize("\n\nRunning  \r\n\n"), "Running");
        assert_eq!(normalize("  a\n b  \n"), "  a\n b");
        assert_eq!(normalize("\n \n"), "");
    }

    #[test]
    fn comparisons_and_their_reasons() {
        assert!(judge(&check(Some("3\n"), None, None, None), &res("3", "", 0), 0).passed);
        let v = judge(&check(Some("3"), None, None, None), &res("2", "", 0), 0);
        assert_eq!(v.detail.as_deref(), Some("expected \"3\", got \"2\""));
        let v = judge(&check(Some("3"), None, None, None), &res("", "Error from server (NotFound): x\n", 1), 0);
        assert_eq!(v.detail.as_deref(), Some("expected \"3\", got nothing (Error from server (NotFound): x)"));
        assert!(judge(&check(None, Some("^nginx:1\\.2[0-9]$"), None, None), &res("nginx:1.27\n", "", 0), 0).passed);
        assert!(!judge(&check(None, Some("^nginx$"), None, None), &res("nginx:1.27\n", "", 0), 0).passed);
        assert!(judge(&check(None, None, Some(2), None), &res("a\n\nb\n", "", 0), 0).passed);
        let v = judge(&check(None, None, None, Some(0)), &res("", "boom\n", 1), 0);
        assert_eq!(v.detail.as_deref(), Some("exit code 1, expected 0: nothing (boom)"));
    }

    #[test]
    fn explain_templates() {
        let mut c = check(Some("3"), None, None, None);
        c.explain = Some("deployment web has {{output}} ready replicas, the task asks for {{expected}}".into());
        let v = judge(&c, &res("2", "", 0), 7);
        assert_eq!(v.reason.as_deref(), Some("deployment web has 2 ready replicas, the task asks for 3"));
        assert_eq!(render("{{ stdout }}/{{exitCode}}/{{tick}}/{{lines}}", &c, &res("a\nb", "", 3), 9), "a\nb/3/9/2");
        // An error instead of output: the error is the reason.
        let v = judge(&c, &res("", "Error from server (NotFound): deployments.apps \"web\" not found\n", 1), 7);
        assert_eq!(v.reason.as_deref(), Some("Error from server (NotFound): deployments.apps \"web\" not found"));
    }
}
