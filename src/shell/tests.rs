//! Script-in, output-out tests of the interpreter over a fake host.

use super::*;

const T0: u64 = 1_735_689_600; // 2025-01-01T00:00:00Z

struct FakeHost {
    now: u64,
    fs: MemFs,
    out: Vec<u8>,
    err: Vec<u8>,
    user: User,
    /// Every external call, as argv joined by spaces.
    calls: Vec<String>,
}

impl FakeHost {
    fn new() -> FakeHost {
        let mut fs = MemFs::new();
        fs.write("/etc/resolv.conf", b"nameserver 10.96.0.10\nsearch default.svc.cluster.local\n", false, 0).ok();
        FakeHost { now: T0, fs, out: vec![], err: vec![], user: User::default(), calls: vec![] }
    }
    fn out(&self) -> String {
        String::from_utf8_lossy(&self.out).into_owned()
    }
    fn err(&self) -> String {
        String::from_utf8_lossy(&self.err).into_owned()
    }
}

impl Host for FakeHost {
    fn now_s(&self) -> u64 {
        self.now
    }
    fn fs(&mut self) -> &mut dyn Fs {
        &mut self.fs
    }
    fn stdout(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }
    fn stderr(&mut self, bytes: &[u8]) {
        self.err.extend_from_slice(bytes);
    }
    fn hostname(&self) -> String {
        "web-7c5ddbdf54-x8k2j".into()
    }
    fn user(&self) -> User {
        self.user.clone()
    }
    fn external(&mut self, call: &ExtCall, io: &mut ExtIo) -> Option<ExtOutcome> {
        self.calls.push(call.argv.join(" "));
        match call.argv.first().map(String::as_str) {
            Some("kubectl") => match call.argv.get(1).map(String::as_str) {
                Some("get") => {
                    io.out(b"NAME   READY   STATUS    RESTARTS   AGE\nweb    1/1     Running   0          5s\n");
                    Some(ExtOutcome::Exit(0))
                }
                // `kubectl wait` that is satisfied 3 s after it started.
                Some("wait") => {
                    if self.now >= call.started_s + 3 {
                        io.out(b"pod/web condition met\n");
                        Some(ExtOutcome::Exit(0))
                    } else {
                        Some(ExtOutcome::Retry { at_s: self.now + 1 })
                    }
                }
                Some("apply") => {
                    io.out(format!("stdin {} bytes\n", call.stdin.len()).as_bytes());
                    Some(ExtOutcome::Exit(0))
                }
                _ => Some(ExtOutcome::Exit(0)),
            },
            Some("nginx") => Some(ExtOutcome::Forever),
            _ => None,
        }
    }
    fn net(&mut self, req: &NetRequest) -> NetResult {
        match req {
            NetRequest::Resolve { name } => match name.as_str() {
                "web" | "web.default.svc.cluster.local" => {
                    NetResult::Resolved { fqdn: "web.default.svc.cluster.local".into(), ips: vec!["10.96.0.1".into()] }
                }
                "db" => {
                    NetResult::Resolved { fqdn: "db.default.svc.cluster.local".into(), ips: vec!["10.96.0.2".into()] }
                }
                "blocked" => NetResult::Resolved {
                    fqdn: "blocked.default.svc.cluster.local".into(),
                    ips: vec!["10.96.0.3".into()],
                },
                _ => NetResult::NoSuchHost,
            },
            NetRequest::Connect { ip, port } => match (ip.as_str(), port) {
                ("10.96.0.1", 80) => NetResult::Connected,
                ("10.96.0.3", _) => NetResult::Timeout,
                _ => NetResult::Refused,
            },
            NetRequest::Query { name, qtype, .. } => match (name.as_str(), qtype.as_str()) {
                ("web.default.svc.cluster.local", "A") => NetResult::Dns {
                    rcode: "NOERROR".into(),
                    authoritative: true,
                    answers: vec![(name.clone(), "A".into(), "10.96.0.1".into())],
                },
                ("web.default.svc.cluster.local", _) => {
                    NetResult::Dns { rcode: "NOERROR".into(), authoritative: true, answers: vec![] }
                }
                ("example.com", "A") => NetResult::Dns {
                    rcode: "NOERROR".into(),
                    authoritative: false,
                    answers: vec![(name.clone(), "A".into(), "93.184.215.14".into())],
                },
                ("blocked.default.svc.cluster.local", _) => NetResult::Timeout,
                _ => NetResult::Dns { rcode: "NXDOMAIN".into(), authoritative: true, answers: vec![] },
            },
            NetRequest::Http { ip, port, path, .. } => match (ip.as_str(), port, path.as_str()) {
                ("10.96.0.1", 80, "/") => NetResult::Response {
                    status: 200,
                    reason: "OK".into(),
                    headers: vec![("Server".into(), "nginx/1.27.3".into())],
                    body: b"<h1>hello</h1>\n".to_vec(),
                    elapsed_ms: 1,
                },
                ("10.96.0.1", 80, _) => NetResult::Response {
                    status: 404,
                    reason: "Not Found".into(),
                    headers: vec![],
                    body: vec![],
                    elapsed_ms: 1,
                },
                ("10.96.0.3", _, _) => NetResult::Timeout,
                _ => NetResult::Refused,
            },
        }
    }
}

fn sh(script: &str) -> Vec<String> {
    vec!["sh".into(), "-c".into(), script.into()]
}

/// Runs a process to its end, jumping simulated time to each wake-up (bounded).
fn run_to_end(p: &mut Process, h: &mut FakeHost) -> Status {
    for _ in 0..10_000 {
        match p.run(h) {
            Status::Sleeping { until_s } => h.now = until_s.max(h.now + 1),
            Status::Busy => h.now += 1,
            other => return other,
        }
    }
    Status::Busy
}

fn run_in(h: &mut FakeHost, script: &str) -> Status {
    let mut p = Process::spawn(&sh(script), Env::new(), Options::container()).expect("spawn");
    run_to_end(&mut p, h)
}

/// The main helper: stdout and exit status of a container script.
#[track_caller]
fn check(script: &str, expected_stdout: &str, expected_status: i32) {
    let mut h = FakeHost::new();
    let st = run_in(&mut h, script);
    assert_eq!(h.out(), expected_stdout, "stdout of {script:?} (stderr: {:?})", h.err());
    assert_eq!(st, Status::Exited(expected_status), "status of {script:?} (stderr: {:?})", h.err());
}

/// Like `check`, for stderr.
#[track_caller]
fn check_err(script: &str, expected_stderr: &str, expected_status: i32) {
    let mut h = FakeHost::new();
    let st = run_in(&mut h, script);
    assert_eq!(h.err(), expected_stderr, "stderr of {script:?}");
    assert_eq!(st, Status::Exited(expected_status), "status of {script:?}");
}

#[test]
fn echo_and_variables() {
    check("echo hello world", "hello world\n", 0);
    check("A=1; B=\"$A two\"; echo $B ${B} \"${C:-def}\" ${#B}", "1 two 1 two def 5\n", 0);
    check("echo -n a; echo -e 'b\\tc'", "ab\tc\n", 0);
    check("x='a  b'; echo $x; echo \"$x\"", "a b\na  b\n", 0);
    check("echo '$HOME' \"\\$x\" a\\ b", "$HOME $x a b\n", 0);
    check("set -- a 'b c'; echo $#; for i in \"$@\"; do echo \"[$i]\"; done", "2\n[a]\n[b c]\n", 0);
    check("echo $$ $0", "1 sh\n", 0);
    check("f=/var/log/app.log; echo ${f##*/} ${f%.log} ${f/log/LOG}", "app.log /var/log/app /var/LOG/app.log\n", 0);
}

#[test]
fn status_and_logic() {
    check("false; echo $?", "1\n", 0);
    check("true && echo yes || echo no", "yes\n", 0);
    check("false && echo yes || echo no", "no\n", 0);
    check("! false; echo $?", "0\n", 0);
    check("exit 3", "", 3);
    check("echo a; exit 7; echo b", "a\n", 7);
    check("(exit 4); echo $?", "4\n", 0);
    check("false", "", 1);
}

#[test]
fn command_not_found() {
    check_err("foo --bar", "sh: foo: not found\n", 127);
    check("foo 2>/dev/null; echo $?", "127\n", 0);
}

#[test]
fn control_flow() {
    check("for i in 1 2 3; do echo $i; done", "1\n2\n3\n", 0);
    check("for i in $(seq 1 3); do echo n$i; done", "n1\nn2\nn3\n", 0);
    check("i=0; while [ $i -lt 3 ]; do i=$((i+1)); echo $i; done", "1\n2\n3\n", 0);
    check("i=0; until [ $i -ge 2 ]; do i=$((i+1)); done; echo $i", "2\n", 0);
    check("for i in 1 2 3 4; do [ $i = 2 ] && continue; [ $i = 4 ] && break; echo $i; done", "1\n3\n", 0);
    check("if [ -z \"\" ]; then echo empty; elif true; then echo no; else echo no; fi", "empty\n", 0);
    check("x=b; if [ $x = a ]; then echo a; elif [ $x = b ]; then echo b; fi", "b\n", 0);
    check("case web-1 in db*) echo db;; web-*|api) echo web;; *) echo other;; esac", "web\n", 0);
    check("f() { echo \"hi $1\"; return 3; }; f there; echo $?", "hi there\n3\n", 0);
    check("{ echo a; echo b; } | wc -l", "2\n", 0);
    check("x=1; (x=2; echo $x); echo $x", "2\n1\n", 0);
    check("for ((i=0; i<3; i++)); do echo $i; done", "0\n1\n2\n", 0);
    check("[[ abc == a* && -n x ]] && echo ok", "ok\n", 0);
    check("echo $((3 * (4 + 1) % 7)) $(( 10 / 3 ))", "1 3\n", 0);
    check("echo `echo back` $(echo $(echo nested))", "back nested\n", 0);
}

#[test]
fn pipelines_and_text_tools() {
    check("printf 'b\\na\\nb\\n' | sort | uniq -c", "      1 a\n      2 b\n", 0);
    check("echo 'a:b:c' | cut -d: -f2", "b\n", 0);
    check("seq 1 10 | grep -v 1 | head -n 2", "2\n3\n", 0);
    check("seq 5 | tail -n 2", "4\n5\n", 0);
    check("echo Hello | tr a-z A-Z", "HELLO\n", 0);
    check("echo hi | grep -q hi && echo found", "found\n", 0);
    check("echo hi | grep -c x; echo $?", "0\n1\n", 0);
    check("echo x | false | true; echo $?", "0\n", 0);
    check("expr 2 + 3", "5\n", 0);
    check("printf '%s-%d\\n' a 1 b 2", "a-1\nb-2\n", 0);
    check("echo one two | while read a b; do echo \"$b $a\"; done", "two one\n", 0);
}

#[test]
fn files_and_redirections() {
    check("echo hi > /tmp/a; echo there >> /tmp/a; cat /tmp/a", "hi\nthere\n", 0);
    check("echo err >&2 2>/dev/null; ls /nope 2>&1 | head -n 1", "ls: /nope: No such file or directory\n", 0);
    check("cat < /etc/resolv.conf | head -n 1", "nameserver 10.96.0.10\n", 0);
    check("mkdir -p /data/x/y && touch /data/x/y/f.log /data/x/y/g.log && ls /data/x/y", "f.log\ng.log\n", 0);
    check("touch /tmp/1.log /tmp/2.log /tmp/3.txt; echo /tmp/*.log", "/tmp/1.log /tmp/2.log\n", 0);
    check("cd /tmp && touch z && ls z && pwd", "z\n/tmp\n", 0);
    check("echo a > /tmp/f; cp /tmp/f /tmp/g; mv /tmp/g /tmp/h; cat /tmp/h; ls /tmp", "a\nf\nh\n", 0);
    check("echo x &>/dev/null; echo y", "y\n", 0);
    check("[ -f /etc/resolv.conf ] && [ -d /tmp ] && [ ! -e /nope ] && echo ok", "ok\n", 0);
    check("echo abc > /tmp/s; [ -s /tmp/s ] && wc -c < /tmp/s", "4\n", 0);
    check("for f in /tmp/nomatch*; do echo $f; done", "/tmp/nomatch*\n", 0);
    check_err("cat /nope", "cat: can't open '/nope': No such file or directory\n", 1);
    check_err("rm /nope", "rm: can't remove '/nope': No such file or directory\n", 1);
    check("rm -f /nope; echo $?", "0\n", 0);
    check_err("mkdir /tmp", "mkdir: can't create directory '/tmp': File exists\n", 1);
    check_err("echo x > /no/such/f", "sh: can't create /no/such/f: nonexistent directory\n", 1);
    check_err("cat < /nope", "sh: can't open '/nope': No such file or directory\n", 1);
    check_err("cd /nope", "sh: cd: can't cd to /nope: No such file or directory\n", 2);
}

#[test]
fn heredocs() {
    check("x=world; cat <<EOF\nhello $x\n$(echo sub)\nEOF", "hello world\nsub\n", 0);
    check("cat <<'EOF'\nhello $x\nEOF", "hello $x\n", 0);
    check("cat <<-EOF\n\tindented\n\tEOF", "indented\n", 0);
    check("cat > /tmp/h <<EOF\nline\nEOF\ncat /tmp/h", "line\n", 0);
    check("read v <<< 'here string'; echo $v", "here string\n", 0);
}

#[test]
fn read_only_mount() {
    let mut h = FakeHost::new();
    let mut cm = Tree::new();
    cm.add_file("game.properties", b"lives=3\n", 0o644);
    h.fs.mount("/etc/config", cm, true);
    let st = run_in(&mut h, "cat /etc/config/game.properties; echo x > /etc/config/y; ls /etc/config");
    assert_eq!(h.out(), "lives=3\ngame.properties\n");
    assert_eq!(h.err(), "sh: can't create /etc/config/y: Read-only file system\n");
    assert_eq!(st, Status::Exited(0));
}

#[test]
fn date_builtin() {
    check("date", "Wed Jan  1 00:00:00 UTC 2025\n", 0);
    check("date +%s", "1735689600\n", 0);
    check("date -u '+%Y-%m-%d %H:%M:%S'", "2025-01-01 00:00:00\n", 0);
    check("date -I", "2025-01-01\n", 0);
    check("sleep 5; date", "Wed Jan  1 00:00:05 UTC 2025\n", 0);
}

#[test]
fn identity_builtins() {
    check("hostname; whoami; id", "web-7c5ddbdf54-x8k2j\nroot\nuid=0(root) gid=0(root) groups=0(root)\n", 0);
    let mut h = FakeHost::new();
    h.user = User { uid: 1000, gid: 3000, name: None, group: None, groups: vec![2000] };
    run_in(&mut h, "id");
    assert_eq!(h.out(), "uid=1000 gid=3000 groups=2000,3000\n");
    // A uid of its own with the root group still lists that group.
    let mut h = FakeHost::new();
    h.user = User { uid: 1000, gid: 0, name: None, group: Some("root".into()), groups: vec![] };
    run_in(&mut h, "id");
    assert_eq!(h.out(), "uid=1000 gid=0(root) groups=0(root)\n");
}

#[test]
fn liveness_example_over_simulated_time() {
    let mut h = FakeHost::new();
    let mut p = Process::spawn(
        &sh("touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"),
        Env::new(),
        Options::container(),
    )
    .expect("spawn");
    assert_eq!(p.run(&mut h), Status::Sleeping { until_s: T0 + 30 });
    h.now = T0 + 10;
    assert_eq!(p.run(&mut h), Status::Sleeping { until_s: T0 + 30 });
    assert!(h.fs.exists("/tmp/healthy"));
    h.now = T0 + 31;
    assert_eq!(p.run(&mut h), Status::Sleeping { until_s: T0 + 631 });
    assert!(!h.fs.exists("/tmp/healthy"));
    h.now = T0 + 631;
    assert_eq!(p.run(&mut h), Status::Exited(0));
}

#[test]
fn date_loop_appends_to_log() {
    let mut h = FakeHost::new();
    let script = "while true; do date >> /var/log/app.log; sleep 5; done";
    let mut p = Process::spawn(&sh(script), Env::new(), Options::container()).expect("spawn");
    for _ in 0..3 {
        match p.run(&mut h) {
            Status::Sleeping { until_s } => h.now = until_s,
            other => panic!("unexpected {other:?}"),
        }
    }
    let log = String::from_utf8(h.fs.read("/var/log/app.log").unwrap_or_default()).unwrap_or_default();
    assert_eq!(log, "Wed Jan  1 00:00:00 UTC 2025\nWed Jan  1 00:00:05 UTC 2025\nWed Jan  1 00:00:10 UTC 2025\n");
    assert_eq!(h.out(), "");
}

#[test]
fn busy_loop_yields() {
    let mut h = FakeHost::new();
    let mut p = Process::spawn(&sh("while true; do :; done"), Env::new(), Options::container()).expect("spawn");
    assert_eq!(p.run(&mut h), Status::Busy);
    assert_eq!(p.run(&mut h), Status::Busy);
    assert_eq!(p.kill(9), 137);
    assert_eq!(p.run(&mut h), Status::Exited(137));
}

#[test]
fn sleep_forms() {
    let cases = [
        ("sleep 10s", Status::Sleeping { until_s: T0 + 10 }),
        ("sleep 5m", Status::Sleeping { until_s: T0 + 300 }),
        ("sleep 1d", Status::Sleeping { until_s: T0 + 86400 }),
        ("sleep 1.5", Status::Sleeping { until_s: T0 + 1 }),
        ("sleep 0.5; sleep 0.5", Status::Sleeping { until_s: T0 + 1 }),
        ("sleep infinity", Status::Blocked),
    ];
    for (script, want) in cases {
        let mut h = FakeHost::new();
        let mut p = Process::spawn(&sh(script), Env::new(), Options::container()).expect("spawn");
        assert_eq!(p.run(&mut h), want, "{script}");
    }
    check_err("sleep x", "sleep: invalid number 'x'\n", 1);
}

#[test]
fn argv_without_shell() {
    let mut h = FakeHost::new();
    let mut p = Process::spawn(&["sleep".into(), "3600".into()], Env::new(), Options::container()).expect("spawn");
    assert_eq!(p.run(&mut h), Status::Sleeping { until_s: T0 + 3600 });
    let mut p = Process::spawn(&["nginx".into(), "-g".into(), "daemon off;".into()], Env::new(), Options::container())
        .expect("spawn");
    assert_eq!(p.run(&mut h), Status::Blocked);
    assert_eq!(h.calls, vec!["nginx -g daemon off;".to_string()]);
    let mut p = Process::spawn(&["myapp".into()], Env::new(), Options::container()).expect("spawn");
    assert_eq!(p.run(&mut h), Status::Exited(127));
    assert_eq!(h.err(), "sh: myapp: not found\n");
}

#[test]
fn background_jobs() {
    let mut h = FakeHost::new();
    let mut p = Process::spawn(&sh("nginx & sleep 5; echo done"), Env::new(), Options::container()).expect("spawn");
    assert_eq!(p.run(&mut h), Status::Sleeping { until_s: T0 + 5 });
    h.now = T0 + 5;
    assert_eq!(p.run(&mut h), Status::Exited(0));
    assert_eq!(h.out(), "done\n");

    let mut h = FakeHost::new();
    let mut p = Process::spawn(&sh("(sleep 3; echo bg) & echo fg; wait; echo after"), Env::new(), Options::container())
        .expect("spawn");
    assert_eq!(p.run(&mut h), Status::Sleeping { until_s: T0 + 3 });
    assert_eq!(h.out(), "fg\n");
    h.now = T0 + 3;
    assert_eq!(p.run(&mut h), Status::Exited(0));
    assert_eq!(h.out(), "fg\nbg\nafter\n");
}

#[test]
fn env_and_export() {
    let mut env = Env::new();
    env.insert("APP_MODE".into(), "prod".into());
    let mut h = FakeHost::new();
    let mut p = Process::spawn(&sh("echo $APP_MODE; export X=1; Y=2 env; unset X; env"), env, Options::container())
        .expect("spawn");
    assert_eq!(run_to_end(&mut p, &mut h), Status::Exited(0));
    assert_eq!(h.out(), "prod\nAPP_MODE=prod\nX=1\nY=2\nAPP_MODE=prod\n");
}

#[test]
fn nested_shell() {
    check("sh -c 'echo inner $0 $1; exit 3' zero one; echo $?", "inner zero one\n3\n", 0);
    check("x=$(sh -c 'echo sub'); echo \"[$x]\"", "[sub]\n", 0);
}

#[test]
fn syntax_error_exits_2() {
    let mut h = FakeHost::new();
    let st = run_in(&mut h, "if then fi");
    assert_eq!(st, Status::Exited(2));
    assert!(h.err().starts_with("sh: syntax error"), "{}", h.err());
}

#[test]
fn wget_outputs() {
    check("wget -qO- http://web", "<h1>hello</h1>\n", 0);
    check_err(
        "wget -O- http://web >/dev/null",
        "Connecting to web (10.96.0.1:80)\nwriting to stdout\n-                    100% |*******************************|    15  0:00:00 ETA\nwritten to stdout\n",
        0,
    );
    check_err("wget -q -O- http://web/missing", "wget: server returned error: HTTP/1.1 404 Not Found\n", 1);
    check_err("wget -qO- http://nope", "wget: bad address 'nope'\n", 1);
    check_err("wget -qO- http://db", "wget: can't connect to remote host (10.96.0.2): Connection refused\n", 1);
    check_err("wget --spider -q http://web; echo $?", "", 0);
    check("cd /tmp && wget -q http://web && cat index.html", "<h1>hello</h1>\n", 0);
}

#[test]
fn wget_timeout_waits_in_simulated_time() {
    let mut h = FakeHost::new();
    let mut p = Process::spawn(&sh("wget -qO- -T 2 http://blocked; echo rc=$?"), Env::new(), Options::container())
        .expect("spawn");
    assert_eq!(p.run(&mut h), Status::Sleeping { until_s: T0 + 2 });
    assert_eq!(h.err(), "");
    h.now = T0 + 2;
    assert_eq!(p.run(&mut h), Status::Exited(0));
    assert_eq!(h.err(), "wget: download timed out\n");
    assert_eq!(h.out(), "rc=1\n");
}

#[test]
fn curl_nc_nslookup() {
    check("curl -s http://web", "<h1>hello</h1>\n", 0);
    check_err("curl http://nope", "curl: (6) Could not resolve host: nope\n", 6);
    check_err("curl -s http://nope", "", 6);
    check_err(
        "curl -sS http://db:8080/",
        "curl: (7) Failed to connect to db port 8080 after 0 ms: Couldn't connect to server\n",
        7,
    );
    check_err("curl -m 3 http://blocked", "curl: (28) Connection timed out after 3000 milliseconds\n", 28);
    check("curl -sI http://web", "HTTP/1.1 200 OK\r\nServer: nginx/1.27.3\r\n\r\n", 0);
    check_err("nc -z -v -w 2 web 80", "web (10.96.0.1:80) open\n", 0);
    check_err("nc -zv -w 2 db 5432", "nc: db (10.96.0.2:5432): Connection refused\n", 1);
    check_err("nc -z -w 2 blocked 80", "nc: blocked (10.96.0.3:80): Connection timed out\n", 1);
    // busybox 1.36 asks A and AAAA for each search domain and prints every reply.
    check(
        "nslookup web",
        "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: 10.96.0.1\n\n\n",
        0,
    );
    check(
        "nslookup nope",
        "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find nope.default.svc.cluster.local: NXDOMAIN\n\n** server can't find nope.default.svc.cluster.local: NXDOMAIN\n\n",
        1,
    );
    // A name with a dot is asked as is; an upstream answer is not authoritative.
    check(
        "nslookup -type=a example.com",
        "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nNon-authoritative answer:\nName:\texample.com\nAddress: 93.184.215.14\n\n",
        0,
    );
    check("nslookup blocked", ";; connection timed out; no servers could be reached\n\n", 1);
    check_err("nslookup -type=foo web", "nslookup: invalid query type \"foo\"\n", 1);
}

#[test]
fn shared_empty_dir_between_two_processes() {
    let mut vols = Volumes::new();
    let root_a = vols.add(Tree::new());
    let root_b = vols.add(Tree::new());
    let shared = vols.add(Tree::new());
    let ma = Mounts(vec![
        Mount { path: "/".into(), volume: root_a, read_only: false },
        Mount { path: "/var/log".into(), volume: shared, read_only: false },
    ]);
    let mb = Mounts(vec![
        Mount { path: "/".into(), volume: root_b, read_only: false },
        Mount { path: "/logs".into(), volume: shared, read_only: false },
    ]);
    struct View<'a> {
        fs: FsView<'a>,
        out: Vec<u8>,
        now: u64,
    }
    impl Host for View<'_> {
        fn now_s(&self) -> u64 {
            self.now
        }
        fn fs(&mut self) -> &mut dyn Fs {
            &mut self.fs
        }
        fn stdout(&mut self, b: &[u8]) {
            self.out.extend_from_slice(b);
        }
        fn stderr(&mut self, b: &[u8]) {
            self.out.extend_from_slice(b);
        }
        fn hostname(&self) -> String {
            "pod".into()
        }
        fn user(&self) -> User {
            User::default()
        }
        fn external(&mut self, _: &ExtCall, _: &mut ExtIo) -> Option<ExtOutcome> {
            None
        }
        fn net(&mut self, _: &NetRequest) -> NetResult {
            NetResult::NoSuchHost
        }
    }
    let mut writer = Process::spawn(
        &sh("while true; do echo tick >> /var/log/app.log; sleep 5; done"),
        Env::new(),
        Options::container(),
    )
    .expect("spawn");
    let mut reader =
        Process::spawn(&sh("sleep 12; cat /logs/app.log"), Env::new(), Options::container()).expect("spawn");
    let mut out = Vec::new();
    for now in T0..T0 + 13 {
        let mut v = View { fs: FsView { volumes: &mut vols, mounts: &ma }, out: vec![], now };
        writer.run(&mut v);
        let mut v = View { fs: FsView { volumes: &mut vols, mounts: &mb }, out: vec![], now };
        reader.run(&mut v);
        out.extend(v.out);
    }
    assert_eq!(String::from_utf8_lossy(&out), "tick\ntick\ntick\n");
}

// ----------------------------------------------------------------------------------------
// The learner's workstation shell

fn workstation() -> (Process, FakeHost) {
    (Process::interactive(Env::new(), Options::workstation()), FakeHost::new())
}

#[track_caller]
fn submit(p: &mut Process, h: &mut FakeHost, line: &str) -> Status {
    p.submit(line).expect("submit");
    run_to_end(p, h)
}

#[test]
fn workstation_aliases_and_kubectl() {
    let (mut p, mut h) = workstation();
    assert_eq!(submit(&mut p, &mut h, "alias k=kubectl"), Status::Ready(0));
    assert_eq!(submit(&mut p, &mut h, "source <(kubectl completion bash)"), Status::Ready(0));
    assert_eq!(submit(&mut p, &mut h, "complete -o default -F __start_kubectl k"), Status::Ready(0));
    assert_eq!(submit(&mut p, &mut h, "k get pods"), Status::Ready(0));
    assert_eq!(h.out(), "NAME   READY   STATUS    RESTARTS   AGE\nweb    1/1     Running   0          5s\n");
    assert_eq!(h.calls, vec!["kubectl completion bash".to_string(), "kubectl get pods".to_string()]);
    h.out.clear();
    submit(&mut p, &mut h, "alias");
    assert_eq!(h.out(), "alias k='kubectl'\n");
    submit(&mut p, &mut h, "unalias k; k get pods");
    assert_eq!(h.err(), "bash: k: command not found\n");
}

#[test]
fn workstation_keeps_state_and_sleeps() {
    let (mut p, mut h) = workstation();
    submit(&mut p, &mut h, "export NS=dev; cd /tmp");
    assert_eq!(p.submit("sleep 10"), Ok(()));
    assert_eq!(p.run(&mut h), Status::Sleeping { until_s: T0 + 10 });
    h.now = T0 + 10;
    assert_eq!(p.run(&mut h), Status::Ready(0));
    submit(&mut p, &mut h, "echo $NS $(pwd)");
    assert_eq!(h.out(), "dev /tmp\n");
    assert_eq!(submit(&mut p, &mut h, "exit 4"), Status::Exited(4));
}

#[test]
fn workstation_kubectl_wait_retries_in_time() {
    let (mut p, mut h) = workstation();
    p.submit("kubectl wait --for=condition=Ready pod/web && echo ok").expect("submit");
    assert_eq!(p.run(&mut h), Status::Sleeping { until_s: T0 + 1 });
    let st = run_to_end(&mut p, &mut h);
    assert_eq!(st, Status::Ready(0));
    assert_eq!(h.now, T0 + 3);
    assert_eq!(h.out(), "pod/web condition met\nok\n");
}

#[test]
fn workstation_heredoc_to_kubectl_stdin() {
    let (mut p, mut h) = workstation();
    let script = "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nEOF";
    assert!(needs_more_input("kubectl apply -f - <<EOF\napiVersion: v1"));
    assert!(needs_more_input("for i in 1 2; do"));
    assert!(!needs_more_input(script));
    submit(&mut p, &mut h, script);
    assert_eq!(h.out(), "stdin 25 bytes\n");
}

#[test]
fn runaway_recursion_fails_cleanly() {
    let mut h = FakeHost::new();
    assert_eq!(run_in(&mut h, "f() { f; }; f"), Status::Exited(2));
    assert_eq!(h.err(), "sh: recursion too deep\n");
    let mut h = FakeHost::new();
    assert_eq!(run_in(&mut h, "f() { echo $(f); }; f; echo end"), Status::Exited(0));
    assert!(h.out().ends_with("end\n"));
}

#[test]
fn odd_inputs_do_not_panic() {
    for script in [
        "echo $((1/0))",
        "echo $((9223372036854775807 + 1))",
        "x=9223372036854775807; x=$((x+1)); ((x++))",
        "expr 1 / 0",
        "seq 9223372036854775806 9223372036854775807",
        "nc -éw 1 web 80",
        "printf %",
        "printf '%-'",
        "cut -f",
        "grep",
        "echo ${x:?}",
        "[ ]",
        "[",
        "test -f",
        "echo ${x:5:-9}",
        "echo ${#}",
        "date +%Q",
        "ls -l /",
        "echo \"unterminated",
        "cat <<EOF",
        "wget",
        "curl",
        "nslookup",
        "shift 5",
        "break",
        "continue 3",
        "return",
        "sleep -1",
        "exec",
        "source",
        "eval 'if'",
        "a=(1 2); echo $a",
        "echo ${a[1]}",
        "echo {1..3}",
        "case x in esac",
        "kill -9 1",
        "read",
        "cd",
        "echo é | tr é e",
        "echo ab | tr -d",
        "uniq -c /nope",
        "mv",
        "cp /a",
        "head -n x",
        "tail -n +0",
    ] {
        let mut h = FakeHost::new();
        let st = run_in(&mut h, script);
        assert!(matches!(st, Status::Exited(_)), "{script}: {st:?}");
    }
}

// ----------------------------------------------------------------------------------------
// Text tools (grep, sed, awk, base64, xargs, find, diff, which): GNU texts on the
// workstation, busybox texts in containers. Expected outputs were taken from GNU grep 3.8,
// sed 4.9, mawk 1.3.4, coreutils 9.1 and findutils 4.9.

/// Runs one command line on a fresh workstation shell: (stdout, stderr, status).
fn ws(script: &str) -> (String, String, i32) {
    let (mut p, mut h) = workstation();
    h.fs.mkdir("/root", 0).ok();
    let pods = "NAME    READY   STATUS    RESTARTS   AGE\nweb-1   1/1     Running   0          5m\ndb-2    0/1     Pending   3          1h\napi-3   1/1     Running   12         2d\n";
    h.fs.write("/root/pods.txt", pods.as_bytes(), false, T0).ok();
    let st = submit(&mut p, &mut h, script);
    let code = match st {
        Status::Ready(c) | Status::Exited(c) => c,
        other => panic!("{script:?} did not finish: {other:?}"),
    };
    (h.out(), h.err(), code)
}

#[track_caller]
fn ws_check(script: &str, out: &str, code: i32) {
    let (o, e, c) = ws(script);
    assert_eq!(o, out, "stdout of {script:?} (stderr: {e:?})");
    assert_eq!(c, code, "status of {script:?} (stderr: {e:?})");
}

#[track_caller]
fn ws_check_err(script: &str, err: &str, code: i32) {
    let (o, e, c) = ws(script);
    assert_eq!(e, err, "stderr of {script:?} (stdout: {o:?})");
    assert_eq!(c, code, "status of {script:?}");
}

#[test]
fn grep_regex_dialects_and_options() {
    ws_check(
        "grep -E '^(web|api)' pods.txt",
        "web-1   1/1     Running   0          5m\napi-3   1/1     Running   12         2d\n",
        0,
    );
    ws_check("grep '^\\(web\\|db\\)-[0-9]' pods.txt | cut -c1-5", "web-1\ndb-2 \n", 0);
    ws_check("grep -c Running pods.txt", "2\n", 0);
    ws_check("grep -v -e Running -e NAME pods.txt", "db-2    0/1     Pending   3          1h\n", 0);
    ws_check("grep -n -i pending pods.txt", "3:db-2    0/1     Pending   3          1h\n", 0);
    ws_check("grep -o '[0-9]/[0-9]' pods.txt", "1/1\n0/1\n1/1\n", 0);
    ws_check("grep -oE 'Run|Running' pods.txt", "Running\nRunning\n", 0);
    ws_check("grep -w Run pods.txt", "", 1);
    ws_check("grep -wc Running pods.txt", "2\n", 0);
    ws_check("echo 'a.b axb' | grep -o 'a\\.b'", "a.b\n", 0);
    ws_check("echo 'a+b' | grep -o 'a+b'", "a+b\n", 0);
    ws_check("echo 'aab' | grep -o 'a\\+b'", "aab\n", 0);
    ws_check("echo 'x{2}' | grep -E -o 'x{2}'; echo $?", "1\n", 0);
    ws_check("echo ']a' | grep -o '[]a]*'", "]a\n", 0);
    ws_check("echo 'tab\\x' | grep -c '[\\]'", "1\n", 0);
    ws_check("printf 'Ab1\\n--\\n' | grep '^[[:alpha:]][[:lower:]][[:digit:]]$'", "Ab1\n", 0);
    ws_check("echo '*star' | grep '*s'", "*star\n", 0);
    ws_check("grep -x 'NAME.*AGE' pods.txt | wc -l", "1\n", 0);
    ws_check("grep -F '1/1' pods.txt | wc -l", "2\n", 0);
    ws_check("grep -q Running pods.txt; echo $?", "0\n", 0);
    ws_check("grep -l Running pods.txt pods.txt", "pods.txt\npods.txt\n", 0);
    ws_check("grep -h db pods.txt pods.txt | wc -l", "2\n", 0);
    ws_check("grep -c db pods.txt pods.txt", "pods.txt:1\npods.txt:1\n", 0);
    ws_check("seq 1 9 | grep -A1 -B1 -e 3 -e 7", "2\n3\n4\n--\n6\n7\n8\n", 0);
    ws_check("seq 1 5 | grep -C1 -n 3", "2-2\n3:3\n4-4\n", 0);
    ws_check("seq 1 20 | grep -m2 1", "1\n10\n", 0);
}

#[test]
fn grep_errors_and_exit_codes() {
    ws_check_err("grep 'a\\(' pods.txt", "grep: Unmatched ( or \\(\n", 2);
    ws_check_err("grep -E '(' pods.txt", "grep: Unmatched ( or \\(\n", 2);
    ws_check_err("grep '[a' pods.txt", "grep: Unmatched [, [^, [:, [., or [=\n", 2);
    ws_check_err("grep '[:digit:]' pods.txt", "grep: character class syntax is [[:space:]], not [:space:]\n", 2);
    ws_check_err("grep -E '*eb' pods.txt >/dev/null", "grep: warning: * at start of expression\n", 0);
    ws_check_err("grep x nofile", "grep: nofile: No such file or directory\n", 2);
    ws_check_err("grep -s x nofile", "", 2);
    ws_check_err("grep -q web nofile pods.txt", "grep: nofile: No such file or directory\n", 0);
    ws_check_err("grep -k x", "grep: invalid option -- 'k'\nUsage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n", 2);
    ws_check_err("grep", "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n", 2);
    ws_check_err(
        "grep '\\(a\\)\\1' pods.txt",
        "grep: kubedojo's regular expressions do not support back-references such as \\1 in a pattern\n",
        2,
    );
    // Results before an error about a later file come first, as on a terminal.
    let (o, e, c) = ws("grep -H web pods.txt nofile 2>&1");
    assert_eq!(
        (o.as_str(), e.as_str(), c),
        ("pods.txt:web-1   1/1     Running   0          5m\ngrep: nofile: No such file or directory\n", "", 2)
    );
    // busybox inside containers.
    check_err("echo a | grep 'a\\('", "grep: bad regex 'a\\(': Unmatched ( or \\(\n", 2);
    check("echo abc | grep -oE 'b|bc'", "bc\n", 0);
}

#[test]
fn sed_commands_and_addresses() {
    ws_check("sed -n '2,3p' pods.txt | cut -c1-5", "web-1\ndb-2 \n", 0);
    ws_check(
        "sed '1d;s/ \\+/ /g' pods.txt",
        "web-1 1/1 Running 0 5m\ndb-2 0/1 Pending 3 1h\napi-3 1/1 Running 12 2d\n",
        0,
    );
    ws_check("sed -E 's/^([a-z]+)-([0-9]+).*/\\2:\\1/;1d' pods.txt", "1:web\n2:db\n3:api\n", 0);
    ws_check("echo a:b:c | sed 's/\\(.*\\):\\(.*\\)/\\2 \\1/'", "c a:b\n", 0);
    ws_check("echo hello | sed 's/l/L/2'", "helLo\n", 0);
    ws_check("echo hello | sed 's/l/L/g'", "heLLo\n", 0);
    ws_check("echo hello | sed 's|l|/|g'", "he//o\n", 0);
    ws_check("echo hello | sed 's/.*/[&]/'", "[hello]\n", 0);
    ws_check("echo hello | sed 's/x*/-/g'", "-h-e-l-l-o-\n", 0);
    ws_check("echo baaac | sed 's/a*/x/g'", "xbxcx\n", 0);
    ws_check("echo Hello | sed 's/hello/bye/I'", "bye\n", 0);
    ws_check("echo hello world | sed 's/\\w\\+/\\u&/g'", "Hello World\n", 0);
    ws_check("seq 5 | sed -n '/2/,/4/p'", "2\n3\n4\n", 0);
    ws_check("seq 5 | sed -n '$p'", "5\n", 0);
    ws_check("seq 5 | sed '0~2d'", "1\n3\n5\n", 0);
    ws_check("seq 5 | sed -n '2,+1p'", "2\n3\n", 0);
    ws_check("seq 5 | sed '2!d'", "2\n", 0);
    ws_check("seq 3 | sed -e 1d -e 3d", "2\n", 0);
    ws_check("seq 3 | sed '2i\\\nnew'", "1\nnew\n2\n3\n", 0);
    ws_check("seq 3 | sed '2a after'", "1\n2\nafter\n3\n", 0);
    ws_check("seq 4 | sed '2,3c\\\nX'", "1\nX\n4\n", 0);
    ws_check("seq 3 | sed ':a;N;$!ba;s/\\n/,/g'", "1,2,3\n", 0);
    ws_check("seq 3 | sed -n '$='", "3\n", 0);
    ws_check("seq 5 | sed 2q", "1\n2\n", 0);
    ws_check("seq 3 | sed 'y/123/abc/'", "a\nb\nc\n", 0);
    ws_check("seq 3 | sed -n '2{p;p}'", "2\n2\n", 0);
    ws_check("printf 'a\\nb' | sed 's/b/c/'", "a\nc", 0);
    ws_check("seq 3 | sed '1!G;h;$!d'", "3\n2\n1\n", 0);
}

#[test]
fn sed_in_place_edits_files() {
    ws_check("sed -i 's/Pending/Running/' pods.txt; grep -c Running pods.txt", "3\n", 0);
    ws_check("sed -i.bak '1d' pods.txt; wc -l pods.txt pods.txt.bak", "  3 pods.txt\n  4 pods.txt.bak\n  7 total\n", 0);
    ws_check("sed -i -e 's/web/WEB/' -e 's/db/DB/' pods.txt; cut -c1-4 pods.txt", "NAME\nWEB-\nDB-2\napi-\n", 0);
    ws_check_err("sed -i s/a/b/", "sed: no input files\n", 4);
}

#[test]
fn sed_errors_name_expression_and_char() {
    ws_check_err("sed 's/a/b' pods.txt", "sed: -e expression #1, char 5: unterminated `s' command\n", 1);
    ws_check_err("sed 's/a/b/q' pods.txt", "sed: -e expression #1, char 7: unknown option to `s'\n", 1);
    ws_check_err("sed k pods.txt", "sed: -e expression #1, char 1: unknown command: `k'\n", 1);
    ws_check_err(
        "sed 's/a/\\1/' pods.txt",
        "sed: -e expression #1, char 7: invalid reference \\1 on `s' command's RHS\n",
        1,
    );
    ws_check_err("sed '/x/' pods.txt", "sed: -e expression #1, char 3: missing command\n", 1);
    ws_check_err("sed 'p;p x' pods.txt", "sed: -e expression #1, char 5: extra characters after command\n", 1);
    ws_check_err("sed -e p -e '1,' pods.txt", "sed: -e expression #2, char 2: unexpected `,'\n", 1);
    ws_check_err("sed '{p' pods.txt", "sed: -e expression #1, char 0: unmatched `{'\n", 1);
    ws_check_err("sed 'p}' pods.txt", "sed: -e expression #1, char 2: unexpected `}'\n", 1);
    ws_check_err("sed 's/a\\(/x/' pods.txt", "sed: -e expression #1, char 8: Unmatched ( or \\(\n", 1);
    ws_check_err("sed 's/a/b/gg' pods.txt", "sed: -e expression #1, char 8: multiple `g' options to `s' command\n", 1);
    ws_check_err(
        "sed 'y/ab/c/' pods.txt",
        "sed: -e expression #1, char 7: strings for `y' command are different lengths\n",
        1,
    );
    ws_check_err("sed 0p pods.txt", "sed: -e expression #1, char 2: invalid usage of line address 0\n", 1);
    ws_check_err("sed p nofile", "sed: can't read nofile: No such file or directory\n", 2);
    ws_check_err("sed bfoo pods.txt", "sed: can't find label for jump to `foo'\n", 4);
    check_err("echo a | sed 's/a/b'", "sed: unmatched '/'\n", 1);
    check_err("echo a | sed k", "sed: unsupported command k\n", 1);
}

#[test]
fn awk_subset() {
    ws_check("awk '{print $1}' pods.txt", "NAME\nweb-1\ndb-2\napi-3\n", 0);
    ws_check("awk 'NR>1 {print $1, $3}' pods.txt", "web-1 Running\ndb-2 Pending\napi-3 Running\n", 0);
    ws_check("awk '$3==\"Running\" {n++} END {print n}' pods.txt", "2\n", 0);
    ws_check("echo key:value | awk -F: '{print $2}'", "value\n", 0);
    ws_check("awk -F'[ /]+' 'NR>1 {print $2+$3}' pods.txt", "2\n1\n2\n", 0);
    ws_check("awk 'NR>1 {s+=$4} END {print \"total:\", s}' pods.txt", "total: 15\n", 0);
    ws_check("awk '/Pend/ {print NR\": \"$1}' pods.txt", "3: db-2\n", 0);
    ws_check("awk 'NR>1 && $4 > 2 {print $1}' pods.txt", "db-2\napi-3\n", 0);
    ws_check("awk '{print NF, $NF}' pods.txt | head -1", "5 AGE\n", 0);
    ws_check("awk -v OFS=, 'NR==2 {$1=$1; print}' pods.txt", "web-1,1/1,Running,0,5m\n", 0);
    ws_check("awk 'NR==2 {printf \"%-7s|%3d|%5.1f\\n\", $1, $4, $4/3}' pods.txt", "web-1  |  0|  0.0\n", 0);
    ws_check(
        "awk 'BEGIN {print 1/3, 10/2, 2^31, 1e6, 0.1+0.2, length(\"abc\")}'",
        "0.333333 5 2.14748e+09 1000000 0.3 3\n",
        0,
    );
    ws_check("awk '{c[$3]++} END {for (k in c) print k, c[k]}' pods.txt", "STATUS 1\nRunning 2\nPending 1\n", 0);
    ws_check("awk 'NR==2 {print substr($1, 1, 3), toupper($3), index($0, \"1/1\")}' pods.txt", "web RUNNING 9\n", 0);
    ws_check("awk 'BEGIN { n = split(\"a:b:c\", p, \":\"); print n, p[1], p[3] }'", "3 a c\n", 0);
    ws_check("awk 'NR>1 {gsub(/-[0-9]+/, \"\", $1); print $1}' pods.txt", "web\ndb\napi\n", 0);
    ws_check("awk 'BEGIN { for (i = 0; i < 3; i++) s = s i; print s }'", "012\n", 0);
    ws_check("awk 'BEGIN { print -2^2, 2^3^2, 7%3, -7%3 }'", "-4 512 1 -1\n", 0);
    ws_check("echo '10 9' | awk '{print ($1 > $2), (\"10\" > \"9\")}'", "1 0\n", 0);
    ws_check("awk 'NR==1 {next} {print $2}' pods.txt", "1/1\n0/1\n1/1\n", 0);
    ws_check("awk '/web/,/db/ {print $1}' pods.txt", "web-1\ndb-2\n", 0);
    ws_check("awk 'BEGIN { exit 3 } END { print \"end\" }'", "end\n", 3);
}

#[test]
fn awk_refuses_what_it_does_not_simulate() {
    ws_check_err("awk 'BEGIN { getline x; print x }'", "awk: kubedojo's awk does not support getline\n", 2);
    ws_check_err(
        "awk '{print > \"out\"}' pods.txt",
        "awk: kubedojo's awk does not support output redirection (print > file, print | command)\n",
        2,
    );
    ws_check_err(
        "awk 'function f(x) { return x } {print f($1)}' pods.txt",
        "awk: kubedojo's awk does not support user-defined functions\n",
        2,
    );
    ws_check_err("awk 'BEGIN { system(\"ls\") }'", "awk: kubedojo's awk does not support system()\n", 2);
    ws_check_err("awk '{print $1' pods.txt", "awk: line 2: missing } near end of file\n", 2);
    ws_check_err("awk '{print $1 +}' pods.txt", "awk: line 1: syntax error at or near }\n", 2);
    ws_check_err("awk '{print}' nofile", "awk: cannot open nofile (No such file or directory)\n", 2);
    ws_check_err(
        "awk 'BEGIN { while (1) n++ }'",
        "awk: kubedojo's awk stopped after 5000000 steps (an endless loop?)\n",
        2,
    );
    check_err("awk '{print $1'", "awk: cmd. line:1: Unexpected token\n", 1);
}

#[test]
fn base64_encodes_and_decodes() {
    ws_check("echo -n s3cr3t | base64", "czNjcjN0\n", 0);
    ws_check("echo czNjcjN0 | base64 -d", "s3cr3t", 0);
    ws_check("echo czNjcjN0 | base64 --decode", "s3cr3t", 0);
    ws_check(
        "seq 30 | tr -d '\\n' | base64",
        "MTIzNDU2Nzg5MTAxMTEyMTMxNDE1MTYxNzE4MTkyMDIxMjIyMzI0MjUyNjI3MjgyOTMw\n",
        0,
    );
    ws_check("seq 60 | tr -d '\\n' | base64 -w 0 | wc -c", "148\n", 0);
    ws_check("seq 60 | tr -d '\\n' | base64 | wc -l", "2\n", 0);
    ws_check_err("echo czNjc | base64 -d", "base64: invalid input\n", 1);
    ws_check("echo 'cz!Njc' | base64 -d 2>/dev/null", "s", 1);
    ws_check_err("base64 nofile", "base64: nofile: No such file or directory\n", 1);
    check_err("echo czNjc | base64 -d", "base64: truncated base64 input\n", 1);
}

#[test]
fn xargs_runs_commands() {
    let (mut p, mut h) = workstation();
    submit(&mut p, &mut h, "printf 'pod/a\\npod/b\\n' | xargs kubectl delete");
    submit(&mut p, &mut h, "printf 'a\\nb\\n' | xargs -I {} kubectl label pod {} x=y");
    submit(&mut p, &mut h, "printf 'a b c' | xargs -n 2 kubectl get");
    assert_eq!(
        h.calls,
        vec![
            "kubectl delete pod/a pod/b",
            "kubectl label pod a x=y",
            "kubectl label pod b x=y",
            "kubectl get a b",
            "kubectl get c"
        ]
    );
    ws_check("printf 'a b c d e\\n' | xargs -n 2", "a b\nc d\ne\n", 0);
    ws_check("printf '' | xargs echo empty", "empty\n", 0);
    ws_check("printf '' | xargs -r echo empty", "", 0);
    ws_check("echo a | xargs false; echo $?", "123\n", 0);
    ws_check_err("echo a | xargs nosuchcmd", "xargs: nosuchcmd: No such file or directory\n", 127);
    ws_check_err("echo a | xargs cd", "xargs: cd: No such file or directory\n", 127);
    ws_check_err(
        "echo \"it's\" | xargs echo",
        "xargs: unmatched single quote; by default quotes are special to xargs unless you use the -0 option\n",
        1,
    );
    ws_check_err("printf 'x\\n' | xargs -t echo", "echo x\n", 0);
    // `kubectl wait` through xargs still waits in simulated time.
    let (mut p, mut h) = workstation();
    p.submit("echo pod/web | xargs kubectl wait --for=condition=Ready").expect("submit");
    assert_eq!(run_to_end(&mut p, &mut h), Status::Ready(0));
    assert_eq!(h.out(), "pod/web condition met\n");
    assert_eq!(h.now, T0 + 3);
}

#[test]
fn find_diff_which_history() {
    ws_check(
        "mkdir -p d/sub && touch d/a.yaml d/b.txt d/sub/c.yaml && find d -name '*.yaml'",
        "d/a.yaml\nd/sub/c.yaml\n",
        0,
    );
    ws_check("mkdir -p d/sub && touch d/a d/sub/b && find d -type d", "d\nd/sub\n", 0);
    ws_check("mkdir -p d/sub && touch d/a d/sub/b && find d -maxdepth 1 -type f", "d/a\n", 0);
    ws_check("mkdir d && touch d/a.yaml d/b.txt && find d ! -name '*.yaml' -type f", "d/b.txt\n", 0);
    ws_check_err("find nope", "find: \u{2018}nope\u{2019}: No such file or directory\n", 1);
    ws_check_err("find . -foo", "find: unknown predicate `-foo'\n", 1);
    check_err("find /nope", "find: /nope: No such file or directory\n", 1);
    ws_check(
        "printf 'a\\nb\\nc\\n' > f1; printf 'a\\nB\\nc\\nd\\n' > f2; diff f1 f2",
        "2c2\n< b\n---\n> B\n3a4\n> d\n",
        1,
    );
    ws_check("printf 'a\\nb\\n' > f1; diff f1 f1", "", 0);
    ws_check("printf 'a\\n' > f1; printf 'b\\n' > f2; diff -q f1 f2", "Files f1 and f2 differ\n", 1);
    ws_check(
        "printf 'a\\nb\\nc\\n' > f1; printf 'a\\nB\\nc\\nd\\n' > f2; diff -u f1 f2",
        "--- f1\t2025-01-01 00:00:00.000000000 +0000\n+++ f2\t2025-01-01 00:00:00.000000000 +0000\n@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d\n",
        1,
    );
    ws_check_err("diff f1 nofile", "diff: f1: No such file or directory\n", 2);
    ws_check("which kubectl grep nosuch; echo $?", "/usr/bin/kubectl\n/usr/bin/grep\n1\n", 0);
    ws_check("which cd", "", 1);
    ws_check(
        "alias k=kubectl; type grep cd k",
        "grep is /usr/bin/grep\ncd is a shell builtin\nk is aliased to `kubectl'\n",
        0,
    );
    ws_check("command -v grep cd", "/usr/bin/grep\ncd\n", 0);
    ws_check_err("jq .", "bash: jq: command not found\n", 127);
    check("which grep wget", "/bin/grep\n/bin/wget\n", 0);
    let (mut p, mut h) = workstation();
    submit(&mut p, &mut h, "echo one");
    submit(&mut p, &mut h, "cat <<EOF\nx\nEOF");
    h.out.clear();
    submit(&mut p, &mut h, "history");
    assert_eq!(h.out(), "    1  echo one\n    2  cat <<EOF\nx\nEOF\n    3  history\n");
}
