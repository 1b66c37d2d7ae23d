//! Oracle tests for `kubectl describe`: the installed real kubectl (v1.32) describes the same
//! objects as kubedojo, served by a small fake API server in this process, and both must print
//! the same bytes. Skipped when kubectl is not installed.
//!
//! Ages: kubectl measures them against the wall clock. Every timestamp is shifted by (wall
//! clock at launch − simulated now), to the nanosecond, before it is served, so kubectl's ages
//! equal the simulated ones as long as kubectl answers within a second (a slower run is
//! retried). Absolute times in kubectl's output are shifted back before comparing.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use kubedojo::shell::workstation::Workstation;
use kubedojo::sim::api::discovery;
use kubedojo::sim::{Kind, Object, World};
use serde_json::{json, Value};

#[derive(Default)]
struct State {
    objects: Vec<Value>,
    /// Shift of served timestamps, in nanoseconds.
    shift_ns: i64,
    /// Served timestamp string → original.
    served: BTreeMap<String, String>,
}

struct Server {
    port: u16,
    state: Arc<Mutex<State>>,
}

fn server() -> &'static Server {
    static SERVER: std::sync::OnceLock<Server> = std::sync::OnceLock::new();
    SERVER.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let state = Arc::new(Mutex::new(State::default()));
        let st = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let st = st.clone();
                std::thread::spawn(move || {
                    let _ = handle(stream, &st);
                });
            }
        });
        Server { port, state }
    })
}

fn handle(mut stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let (code, body) = {
        let mut st = state.lock().expect("state");
        route(&target, &mut st)
    };
    let body = body.to_string();
    let status = if code == 200 { "200 OK" } else { "404 Not Found" };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()?;
    let mut rest = Vec::new();
    let _ = reader.read_to_end(&mut rest);
    Ok(())
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn not_found(message: String) -> (u16, Value) {
    (
        404,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message, "reason": "NotFound", "code": 404}),
    )
}

fn route(target: &str, st: &mut State) -> (u16, Value) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let query: BTreeMap<String, String> =
        query.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k.to_string(), percent_decode(v))).collect();
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let resources = discovery::resources();
    match parts.as_slice() {
        ["version"] => return (200, json!({"major": "1", "minor": "32", "gitVersion": "v1.32.0"})),
        ["api"] => return (200, json!({"kind": "APIVersions", "versions": ["v1"]})),
        ["apis"] => {
            let mut groups: Vec<(&str, &str)> =
                resources.iter().filter(|r| !r.group.is_empty()).map(|r| (r.group, r.version)).collect();
            groups.sort();
            groups.dedup();
            let groups: Vec<Value> = groups
                .iter()
                .map(|(g, v)| {
                    let gv = json!({"groupVersion": format!("{g}/{v}"), "version": v});
                    json!({"name": g, "versions": [gv.clone()], "preferredVersion": gv})
                })
                .collect();
            return (200, json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}));
        }
        ["api", v] | ["apis", _, v] => {
            let group = if parts[0] == "api" { "" } else { parts[1] };
            let list: Vec<Value> = resources
                .iter()
                .filter(|r| r.group == group && r.version == *v)
                .map(|r| {
                    json!({"name": r.plural, "singularName": r.kind.singular(), "namespaced": r.namespaced,
                           "kind": r.kind.name(), "shortNames": r.short_names,
                           "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"]})
                })
                .collect();
            let gv = if group.is_empty() { v.to_string() } else { format!("{group}/{v}") };
            return (
                200,
                json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": list}),
            );
        }
        _ => {}
    }
    let (group, rest) = match parts.as_slice() {
        ["api", _, rest @ ..] => ("", rest),
        ["apis", g, _, rest @ ..] => (*g, rest),
        _ => return not_found("the server could not find the requested resource".into()),
    };
    let (ns, rest) = match rest {
        ["namespaces", ns, rest @ ..] if !rest.is_empty() => (Some(*ns), rest),
        _ => (None, rest),
    };
    let (plural, name) = match rest {
        [p] => (*p, None),
        [p, n] => (*p, Some(*n)),
        _ => return not_found("the server could not find the requested resource".into()),
    };
    let Some(kind) = resources.iter().find(|r| r.group == group && r.plural == plural).map(|r| r.kind) else {
        return not_found("the server could not find the requested resource".into());
    };
    let mut items: Vec<Value> = st
        .objects
        .iter()
        .filter(|o| o["kind"] == kind.name() && o["apiVersion"] == kind.api_version())
        .filter(|o| ns.is_none_or(|ns| o["metadata"]["namespace"] == ns))
        .cloned()
        .collect();
    if let Some(name) = name {
        let qualified = if group.is_empty() { plural.to_string() } else { format!("{plural}.{group}") };
        return match items.into_iter().find(|o| o["metadata"]["name"] == name) {
            Some(o) => (200, shift(&o, st)),
            None => not_found(format!("{qualified} \"{name}\" not found")),
        };
    }
    if let Some(sel) = query.get("labelSelector") {
        let sel = kubedojo::sim::api::selector::Selector::parse(sel).expect("label selector");
        items.retain(|o| {
            let labels: BTreeMap<String, String> =
                serde_json::from_value(o["metadata"]["labels"].clone()).unwrap_or_default();
            sel.matches(&labels)
        });
    }
    if let Some(sel) = query.get("fieldSelector") {
        for term in sel.split(',').filter(|t| !t.is_empty()) {
            let (path, neg, want) = match term.split_once("!=") {
                Some((p, v)) => (p, true, v),
                None => {
                    let (p, v) = term.split_once('=').expect("field selector term");
                    (p, false, v.trim_start_matches('='))
                }
            };
            items.retain(|o| {
                let mut v = o;
                for part in path.split('.') {
                    v = &v[part];
                }
                let got = match v {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (got == want) != neg
            });
        }
    }
    items.sort_by_key(|o| {
        (
            o["metadata"]["namespace"].as_str().unwrap_or("").to_string(),
            o["metadata"]["name"].as_str().unwrap_or("").to_string(),
        )
    });
    let items: Vec<Value> = items.iter().map(|o| shift(o, st)).collect();
    (
        200,
        json!({"kind": format!("{}List", kind.name()), "apiVersion": kind.api_version(), "metadata": {"resourceVersion": "1"}, "items": items}),
    )
}

fn parse_rfc3339(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let b = s.as_bytes();
    if s.len() < 20 || !s.ends_with('Z') || b[4] != b'-' || b[10] != b'T' {
        return None;
    }
    chrono::DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&chrono::Utc))
}

/// The object with every timestamp moved by the current shift (and remembered, to map back).
fn shift(v: &Value, st: &mut State) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), shift(v, st))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(|v| shift(v, st)).collect()),
        Value::String(s) => match parse_rfc3339(s) {
            Some(t) => {
                // MicroTime must keep exactly six fraction digits; Time takes any.
                let fmt = if s.len() == "2006-01-02T15:04:05.000000Z".len() {
                    "%Y-%m-%dT%H:%M:%S%.6fZ"
                } else {
                    "%Y-%m-%dT%H:%M:%S%.9fZ"
                };
                let shifted = (t + chrono::Duration::nanoseconds(st.shift_ns)).format(fmt).to_string();
                st.served.insert(shifted.clone(), s.clone());
                Value::String(shifted)
            }
            None => v.clone(),
        },
        other => other.clone(),
    }
}

/// kubectl's output with absolute times moved back by the shift.
fn unshift(text: &str, st: &State) -> String {
    use chrono::{NaiveDateTime, TimeZone, Utc};
    let back = |t: chrono::DateTime<Utc>| {
        // kubectl printed floor(t + shift); the original is a whole second.
        let ns = t.timestamp_nanos_opt().unwrap_or(0) - st.shift_ns;
        let secs = ns.div_euclid(1_000_000_000) + i64::from(ns.rem_euclid(1_000_000_000) != 0);
        Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
    };
    let rfc1123 = regex::Regex::new(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d \+0000").expect("re");
    let text = rfc1123.replace_all(text, |c: &regex::Captures| {
        // Go's zero time was never shifted.
        if c[0].contains(" 0001 ") {
            return c[0].to_string();
        }
        match NaiveDateTime::parse_from_str(&c[0], "%a, %d %b %Y %H:%M:%S +0000") {
            Ok(t) => back(t.and_utc()).format("%a, %d %b %Y %H:%M:%S +0000").to_string(),
            Err(_) => c[0].to_string(),
        }
    });
    let go_string = regex::Regex::new(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) \+0000 UTC").expect("re");
    let text = go_string.replace_all(&text, |c: &regex::Captures| {
        match NaiveDateTime::parse_from_str(&c[1], "%Y-%m-%d %H:%M:%S%.f") {
            Ok(t) => format!("{} +0000 UTC", back(t.and_utc()).format("%Y-%m-%d %H:%M:%S")),
            Err(_) => c[0].to_string(),
        }
    });
    let raw = regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(?:\d{3})?Z").expect("re");
    raw.replace_all(&text, |c: &regex::Captures| st.served.get(&c[0]).cloned().unwrap_or_else(|| c[0].to_string()))
        .into_owned()
}

fn have_kubectl() -> bool {
    Command::new("kubectl").args(["version", "--client"]).output().is_ok_and(|o| o.status.success())
}

/// Runs the real `kubectl <args>` against the objects of `world`. None when kubectl was too
/// slow five times in a row to compare ages (an overloaded machine), which skips the command.
fn real_kubectl(world: &World, args: &str, files: &[(&str, &str)]) -> Option<String> {
    let srv = server();
    let mut objects = Vec::new();
    for kind in Kind::ALL {
        for o in world.store.list(*kind, None) {
            objects.push(o.to_value());
        }
    }
    let dir = std::env::temp_dir().join(format!("kubedojo-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("manifest file");
    }
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: http://127.0.0.1:{}\n  name: k\ncontexts:\n- context:\n    cluster: k\n    user: u\n    namespace: default\n  name: k\ncurrent-context: k\nusers:\n- name: u\n  user: {{}}\n",
            srv.port
        ),
    )
    .expect("kubeconfig");
    let sim_now_ns = world.now.datetime().timestamp_nanos_opt().unwrap_or(0);
    for _attempt in 0..5 {
        let wall_ns = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos() as i64;
        {
            let mut st = srv.state.lock().expect("state");
            st.objects = objects.clone();
            // Whole microseconds, so that MicroTime fields keep their six fraction digits.
            st.shift_ns = (wall_ns - sim_now_ns) / 1000 * 1000;
            st.served.clear();
        }
        let started = Instant::now();
        let out = Command::new("kubectl")
            .args(args.split_whitespace())
            .env("KUBECONFIG", &kubeconfig)
            .env("HOME", &dir)
            .env("TZ", "UTC")
            .current_dir(&dir)
            .output()
            .expect("run kubectl");
        if started.elapsed() < Duration::from_millis(950) {
            let st = srv.state.lock().expect("state");
            let mut text = unshift(&String::from_utf8_lossy(&out.stdout), &st);
            text.push_str(&String::from_utf8_lossy(&out.stderr));
            return Some(text);
        }
    }
    None
}

/// Our `kubectl <args>` on the workstation.
fn ours(ws: &mut Workstation, args: &str) -> String {
    String::from_utf8_lossy(&ws.execute(&format!("kubectl {args}"))).into_owned()
}

/// The text with the lines after `====` sorted.
fn sort_after_data(text: &str) -> String {
    let Some((head, data)) = text.split_once("====\n") else { return text.to_string() };
    let mut lines: Vec<&str> = data.lines().collect();
    lines.sort();
    format!("{head}====\n{}\n", lines.join("\n"))
}

/// The lines that differ, as `-kubectl` / `+kubedojo` pairs with their line numbers.
fn line_diff(theirs: &str, mine: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (theirs.lines().collect(), mine.lines().collect());
    let mut out = String::new();
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i), b.get(i));
        if x != y {
            out.push_str(&format!("{i:>3} -{}\n    +{}\n", x.unwrap_or(&"<missing>"), y.unwrap_or(&"<missing>")));
        }
    }
    if theirs.ends_with('\n') != mine.ends_with('\n') {
        out.push_str("    (final newline differs)\n");
    }
    out
}

/// Builds the cluster with `script`, adds `objects`, and compares each describe command.
fn check(script: &str, objects: &[Value], commands: &[&str]) {
    check_with_files(script, objects, &[], commands);
}

/// `check`, with manifest files that both kubectls find in their working directory.
fn check_with_files(script: &str, objects: &[Value], files: &[(&str, &str)], commands: &[&str]) {
    if !have_kubectl() {
        eprintln!("kubectl not installed: skipping the describe oracle test");
        return;
    }
    // One fake API server serves every case: run them one at a time.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut ws = Workstation::new(World::new(1));
    for cmd in kubedojo::shell::workstation::split_commands(script) {
        ws.execute(&cmd.join("\n"));
    }
    for o in objects {
        let kind =
            Kind::from_api_version_kind(o["apiVersion"].as_str().unwrap_or(""), o["kind"].as_str().unwrap_or(""))
                .unwrap_or_else(|| panic!("unknown kind in {o}"));
        let obj = Object::from_value(kind, o.clone()).unwrap_or_else(|e| panic!("bad object {o}: {e}"));
        ws.world.store.create(obj).unwrap_or_else(|e| panic!("cannot store {o}: {e:?}"));
    }
    for (name, text) in files {
        ws.execute(&format!("cat > {name} <<'EOF'\n{text}EOF"));
    }
    let mut failures = Vec::new();
    // kubectl prints some *bool fields as heap addresses: any address matches any other.
    let addr = regex::Regex::new(r"0xc[0-9a-f]{9}").expect("re");
    for args in commands {
        let Some(theirs) = real_kubectl(&ws.world, args, files) else {
            eprintln!("kubectl {args}: kubectl took over a second five times, ages cannot be compared: skipped");
            continue;
        };
        let theirs = addr.replace_all(&theirs, "0xc(addr)").into_owned();
        let mine = addr.replace_all(&ours(&mut ws, args), "0xc(addr)").into_owned();
        // kubectl v1.32 walks a Secret's data in Go map order, which varies from run to run
        // (kubedojo sorts it): compare the data lines as a set.
        let (theirs, mine) = if args.starts_with("describe secret") {
            (sort_after_data(&theirs), sort_after_data(&mine))
        } else {
            (theirs, mine)
        };
        if let Ok(dir) = std::env::var("KUBEDOJO_ORACLE_DUMP") {
            let file = args.replace([' ', '/'], "_");
            let _ = std::fs::write(format!("{dir}/{file}.kubectl"), &theirs);
            let _ = std::fs::write(format!("{dir}/{file}.kubedojo"), &mine);
        }
        if theirs != mine {
            failures.push(format!("kubectl {args}\n{}", line_diff(&theirs, &mine)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn running_pod_and_its_node() {
    check(
        r#"cat <<'EOF' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: web
    image: nginx:1.27
    ports:
    - containerPort: 80
    readinessProbe:
      httpGet:
        path: /
        port: 80
    env:
    - name: POD_NAME
      valueFrom:
        fieldRef:
          fieldPath: metadata.name
    resources:
      requests:
        cpu: 100m
        memory: 64Mi
EOF
sleep 8
"#,
        &[],
        &[
            "describe pod web",
            "describe node node02",
            "describe nodes controlplane",
            "describe ns default",
            "describe sa default",
        ],
    );
}

#[test]
fn pods_in_trouble() {
    check(
        r#"cat <<'EOF' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: crash
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "echo starting; sleep 2; echo failing >&2; exit 1"]
EOF
cat <<'EOF' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: big
spec:
  containers:
  - name: app
    image: nginx:1.27
    resources:
      requests:
        cpu: "5"
        memory: 1Gi
EOF
cat <<'EOF' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: needs-config
spec:
  containers:
  - name: app
    image: busybox:1.36
    command: ["sh", "-c", "echo $GREETING; sleep 3600"]
    env:
    - name: GREETING
      valueFrom:
        configMapKeyRef:
          name: greetings
          key: hello
    - name: PASSWORD
      valueFrom:
        secretKeyRef:
          name: creds
          key: password
          optional: true
EOF
cat <<'EOF' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: nope
spec:
  containers:
  - name: app
    image: nginx:no-such-tag
EOF
sleep 130
"#,
        &[],
        &[
            "describe pod crash",
            "describe pod big",
            "describe pod needs-config",
            "describe pod nope",
            "describe node node01",
            "describe pods --show-events=false crash",
        ],
    );
}

#[test]
fn pod_with_everything() {
    check(
        r#"cat <<'EOF' | kubectl apply -f -
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  mode: fast
EOF
cat <<'EOF' | kubectl apply -f -
apiVersion: v1
kind: ConfigMap
metadata:
  name: props
  labels:
    app: full
data:
  app.properties: |
    color=blue
    size=3
EOF
cat <<'EOF' | kubectl apply -f -
apiVersion: v1
kind: Secret
metadata:
  name: creds
type: Opaque
stringData:
  username: admin
  password: s3cr3t!
EOF
cat <<'EOF' | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: full
  labels:
    app: full
    tier: backend
  annotations:
    team: platform
spec:
  nodeSelector:
    kubernetes.io/os: linux
  tolerations:
  - key: dedicated
    operator: Equal
    value: backend
    effect: NoSchedule
  - operator: Exists
  initContainers:
  - name: init
    image: busybox:1.36
    command: ["sh", "-c", "echo init > /work/ready"]
    volumeMounts:
    - name: work
      mountPath: /work
  containers:
  - name: app
    image: nginx:1.27
    command: ["nginx"]
    args: ["-g", "daemon off;"]
    ports:
    - containerPort: 80
      name: http
    - containerPort: 9090
      name: metrics
    env:
    - name: MODE
      valueFrom:
        configMapKeyRef:
          name: app-config
          key: mode
    - name: USER
      valueFrom:
        secretKeyRef:
          name: creds
          key: username
    - name: NODE
      valueFrom:
        fieldRef:
          fieldPath: spec.nodeName
    - name: NS
      valueFrom:
        fieldRef:
          fieldPath: metadata.namespace
    - name: MEM
      valueFrom:
        resourceFieldRef:
          resource: limits.memory
    - name: CPU_REQ
      valueFrom:
        resourceFieldRef:
          resource: requests.cpu
          divisor: 1m
    - name: GREETING
      value: "hello\nworld"
    envFrom:
    - configMapRef:
        name: app-config
    - secretRef:
        name: creds
      prefix: SECRET_
    resources:
      requests:
        cpu: 250m
        memory: 128Mi
      limits:
        cpu: "1"
        memory: 256Mi
    livenessProbe:
      exec:
        command: ["cat", "/tmp/healthy"]
      initialDelaySeconds: 5
      periodSeconds: 5
    readinessProbe:
      tcpSocket:
        port: 80
    startupProbe:
      httpGet:
        path: /healthz
        port: http
      failureThreshold: 30
    volumeMounts:
    - name: config
      mountPath: /etc/app
      readOnly: true
    - name: creds
      mountPath: /etc/creds
    - name: work
      mountPath: /work
    - name: host
      mountPath: /host/log
      subPath: log
    - name: info
      mountPath: /etc/podinfo
  - name: sidecar
    image: busybox:1.36
    command: ["sh", "-c", "while true; do sleep 5; done"]
    resources:
      limits:
        cpu: 100m
        memory: 32Mi
  volumes:
  - name: config
    configMap:
      name: app-config
  - name: creds
    secret:
      secretName: creds
      optional: true
  - name: work
    emptyDir:
      medium: Memory
      sizeLimit: 64Mi
  - name: host
    hostPath:
      path: /var
      type: Directory
  - name: info
    downwardAPI:
      items:
      - path: labels
        fieldRef:
          fieldPath: metadata.labels
  - name: data
    persistentVolumeClaim:
      claimName: data
  - name: all
    projected:
      sources:
      - secret:
          name: creds
      - configMap:
          name: app-config
          optional: false
EOF
sleep 12
"#,
        &[],
        &[
            "describe pod full",
            "describe configmap app-config",
            "describe cm props",
            "describe secret creds",
            "describe node node01",
            "describe node node02",
        ],
    );
}

/// A pod template for hand-built workloads.
fn template(labels: Value, image: &str) -> Value {
    json!({
        "metadata": {"labels": labels},
        "spec": {
            "containers": [{
                "name": "app", "image": image, "imagePullPolicy": "IfNotPresent",
                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                "resources": {},
                "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"
            }],
            "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
            "securityContext": {}, "terminationGracePeriodSeconds": 30
        }
    })
}

#[allow(clippy::too_many_arguments)] // a test fixture: one argument per field that varies
fn owned_pod(
    name: &str,
    uid: &str,
    labels: Value,
    owner_kind: &str,
    owner: &str,
    owner_uid: &str,
    phase: &str,
    node: &str,
) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": name, "namespace": "default", "uid": uid, "labels": labels,
            "creationTimestamp": "2024-12-31T23:58:00Z",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": owner_kind, "name": owner, "uid": owner_uid, "controller": true, "blockOwnerDeletion": true}]
        },
        "spec": {"nodeName": node, "containers": [{"name": "app", "image": "nginx:1.27",
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}}]},
        "status": {"phase": phase}
    })
}

#[allow(clippy::too_many_arguments)] // a test fixture: one argument per field that varies
fn event(
    name: &str,
    kind: &str,
    obj: &str,
    uid: &str,
    type_: &str,
    reason: &str,
    message: &str,
    first: &str,
    last: &str,
    count: i32,
    source: &str,
) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": name, "namespace": "default", "creationTimestamp": first},
        "involvedObject": {"apiVersion": "apps/v1", "kind": kind, "name": obj, "namespace": "default", "uid": uid},
        "type": type_, "reason": reason, "message": message,
        "firstTimestamp": first, "lastTimestamp": last, "count": count,
        "source": {"component": source}
    })
}

#[test]
fn workloads() {
    let dep_uid = "6f1c8a3e-0d2b-4c55-9a5e-1b2c3d4e5f60";
    let new_rs_uid = "a1b2c3d4-1111-4222-8333-444455556666";
    let old_rs_uid = "a1b2c3d4-2222-4222-8333-444455556666";
    let older_rs_uid = "a1b2c3d4-3333-4222-8333-444455556666";
    let mut new_tpl = template(json!({"app": "web", "pod-template-hash": "7c5ddbdf54"}), "nginx:1.27");
    let dep_tpl = template(json!({"app": "web"}), "nginx:1.27");
    new_tpl["metadata"]["annotations"] = json!({"kubectl.kubernetes.io/restartedAt": "2024-12-31T23:00:00Z"});
    let mut dep_tpl2 = dep_tpl.clone();
    dep_tpl2["metadata"]["annotations"] = json!({"kubectl.kubernetes.io/restartedAt": "2024-12-31T23:00:00Z"});
    let rs = |name: &str, uid: &str, tpl: Value, replicas: i32, status: i32, created: &str| {
        json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": name, "namespace": "default", "uid": uid, "creationTimestamp": created,
                "labels": tpl["metadata"]["labels"].clone(),
                "annotations": {"deployment.kubernetes.io/desired-replicas": "3", "deployment.kubernetes.io/max-replicas": "4", "deployment.kubernetes.io/revision": "2"},
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": dep_uid, "controller": true, "blockOwnerDeletion": true}]},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web", "pod-template-hash": tpl["metadata"]["labels"]["pod-template-hash"].clone()}}, "template": tpl},
            "status": {"replicas": status, "fullyLabeledReplicas": status, "readyReplicas": status, "availableReplicas": status, "observedGeneration": 2}
        })
    };
    let mut objects = vec![
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "uid": dep_uid, "creationTimestamp": "2024-12-31T22:00:00Z", "generation": 2,
                "labels": {"app": "web"}, "annotations": {"deployment.kubernetes.io/revision": "2"}},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": dep_tpl2,
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600},
            "status": {"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 2, "availableReplicas": 2, "unavailableReplicas": 1,
                "conditions": [
                    {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability.", "lastUpdateTime": "2024-12-31T22:00:10Z", "lastTransitionTime": "2024-12-31T22:00:10Z"},
                    {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": "ReplicaSet \"web-7c5ddbdf54\" has successfully progressed.", "lastUpdateTime": "2024-12-31T23:00:10Z", "lastTransitionTime": "2024-12-31T22:00:00Z"}
                ]}
        }),
        rs("web-7c5ddbdf54", new_rs_uid, new_tpl, 3, 3, "2024-12-31T23:00:00Z"),
        rs(
            "web-5d4f8b9c6d",
            old_rs_uid,
            template(json!({"app": "web", "pod-template-hash": "5d4f8b9c6d"}), "nginx:1.26"),
            1,
            1,
            "2024-12-31T22:30:00Z",
        ),
        rs(
            "web-59c7d6b8f4",
            older_rs_uid,
            template(json!({"app": "web", "pod-template-hash": "59c7d6b8f4"}), "nginx:1.25"),
            0,
            0,
            "2024-12-31T22:00:00Z",
        ),
        owned_pod(
            "web-7c5ddbdf54-aaaaa",
            "p-1",
            json!({"app": "web", "pod-template-hash": "7c5ddbdf54"}),
            "ReplicaSet",
            "web-7c5ddbdf54",
            new_rs_uid,
            "Running",
            "node01",
        ),
        owned_pod(
            "web-7c5ddbdf54-bbbbb",
            "p-2",
            json!({"app": "web", "pod-template-hash": "7c5ddbdf54"}),
            "ReplicaSet",
            "web-7c5ddbdf54",
            new_rs_uid,
            "Running",
            "node02",
        ),
        owned_pod(
            "web-7c5ddbdf54-ccccc",
            "p-3",
            json!({"app": "web", "pod-template-hash": "7c5ddbdf54"}),
            "ReplicaSet",
            "web-7c5ddbdf54",
            new_rs_uid,
            "Pending",
            "node01",
        ),
        owned_pod(
            "web-5d4f8b9c6d-ddddd",
            "p-4",
            json!({"app": "web", "pod-template-hash": "5d4f8b9c6d"}),
            "ReplicaSet",
            "web-5d4f8b9c6d",
            old_rs_uid,
            "Failed",
            "node02",
        ),
    ];
    // Fifteen events, most of them in the same second: kubectl's unstable sort decides the order.
    for i in 0..15 {
        let last = if i % 4 == 0 { "2024-12-31T23:59:30Z" } else { "2024-12-31T23:59:00Z" };
        let count = if i == 3 { 2 } else { 1 };
        objects.push(event(
            &format!("web.18166{i:02}"),
            "Deployment",
            "web",
            dep_uid,
            "Normal",
            "ScalingReplicaSet",
            &format!("Scaled up replica set web-7c5ddbdf54 to {i}"),
            "2024-12-31T23:00:00Z",
            last,
            count,
            "deployment-controller",
        ));
    }
    objects.push(event(
        "web-7c5ddbdf54.1",
        "ReplicaSet",
        "web-7c5ddbdf54",
        new_rs_uid,
        "Normal",
        "SuccessfulCreate",
        "Created pod: web-7c5ddbdf54-aaaaa",
        "2024-12-31T23:58:00Z",
        "2024-12-31T23:58:00Z",
        1,
        "replicaset-controller",
    ));
    check(
        "",
        &objects,
        &[
            "describe deployment web",
            "describe rs web-7c5ddbdf54",
            "describe replicasets web-5d4f8b9c6d",
            "describe deploy",
            "describe pods -l app=web",
            "describe pod web-7c5ddbdf54-b",
            "describe pods web-7c5",
            "describe pod web-7c5ddbdf54-b zzz",
            "describe pod/web-5d4f8b9c6d-ddddd",
            "describe pods zzz",
            "describe rs",
            "describe event web-7c5ddbdf54.1",
        ],
    );
}

#[test]
fn more_workloads() {
    let ds_uid = "d5d5d5d5-0000-4000-8000-000000000001";
    let sts_uid = "d5d5d5d5-0000-4000-8000-000000000002";
    let job_uid = "d5d5d5d5-0000-4000-8000-000000000003";
    let cj_uid = "d5d5d5d5-0000-4000-8000-000000000004";
    let mut ds_tpl = template(json!({"app": "agent"}), "fluentd:v1");
    ds_tpl["spec"]["nodeSelector"] = json!({"kubernetes.io/os": "linux"});
    ds_tpl["spec"]["tolerations"] =
        json!([{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}]);
    ds_tpl["spec"]["volumes"] = json!([{"name": "logs", "hostPath": {"path": "/var/log", "type": ""}}]);
    ds_tpl["spec"]["containers"][0]["volumeMounts"] =
        json!([{"name": "logs", "mountPath": "/var/log", "readOnly": true}]);
    let mut sts_tpl = template(json!({"app": "db"}), "postgres:16");
    sts_tpl["spec"]["containers"][0]["volumeMounts"] =
        json!([{"name": "data", "mountPath": "/var/lib/postgresql/data"}]);
    sts_tpl["spec"]["containers"][0]["env"] = json!([{"name": "POSTGRES_PASSWORD", "value": "secret"}]);
    let mut job_tpl = template(
        json!({"batch.kubernetes.io/controller-uid": job_uid, "batch.kubernetes.io/job-name": "pi", "controller-uid": job_uid, "job-name": "pi"}),
        "perl:5.34",
    );
    job_tpl["spec"]["restartPolicy"] = json!("Never");
    job_tpl["spec"]["containers"][0]["command"] = json!(["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]);
    let mut cj_tpl = template(json!({}), "busybox:1.36");
    cj_tpl["metadata"] = json!({});
    cj_tpl["spec"]["restartPolicy"] = json!("OnFailure");
    cj_tpl["spec"]["containers"][0]["command"] = json!(["/bin/sh", "-c", "date; echo Hello"]);
    let objects = vec![
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent", "namespace": "default", "uid": ds_uid, "creationTimestamp": "2024-12-31T20:00:00Z", "generation": 1, "labels": {"app": "agent"},
                "annotations": {"deprecated.daemonset.template.generation": "1"}},
            "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": ds_tpl,
                "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}, "revisionHistoryLimit": 10},
            "status": {"currentNumberScheduled": 3, "desiredNumberScheduled": 3, "numberAvailable": 2, "numberMisscheduled": 0, "numberReady": 2, "observedGeneration": 1, "updatedNumberScheduled": 3, "numberUnavailable": 1}}),
        owned_pod("agent-x1x1x", "p-ds-1", json!({"app": "agent"}), "DaemonSet", "agent", ds_uid, "Running", "node01"),
        owned_pod("agent-x2x2x", "p-ds-2", json!({"app": "agent"}), "DaemonSet", "agent", ds_uid, "Pending", "node02"),
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "db", "namespace": "default", "uid": sts_uid, "creationTimestamp": "2024-12-31T20:00:00Z", "generation": 1},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "db"}}, "serviceName": "db", "template": sts_tpl, "podManagementPolicy": "OrderedReady",
                "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}, "revisionHistoryLimit": 10,
                "volumeClaimTemplates": [{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
                    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, "storageClassName": "standard", "volumeMode": "Filesystem"},
                    "status": {"phase": "Pending"}}],
                "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"}},
            "status": {"replicas": 2, "readyReplicas": 1, "currentReplicas": 2, "updatedReplicas": 2, "availableReplicas": 1, "observedGeneration": 1, "collisionCount": 0}}),
        owned_pod("db-0", "p-sts-0", json!({"app": "db"}), "StatefulSet", "db", sts_uid, "Running", "node01"),
        owned_pod("db-1", "p-sts-1", json!({"app": "db"}), "StatefulSet", "db", sts_uid, "Pending", "node02"),
        json!({"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": "pi", "namespace": "default", "uid": job_uid, "creationTimestamp": "2024-12-31T23:50:00Z", "generation": 1,
                "labels": {"batch.kubernetes.io/controller-uid": job_uid, "batch.kubernetes.io/job-name": "pi", "controller-uid": job_uid, "job-name": "pi"}},
            "spec": {"parallelism": 1, "completions": 1, "backoffLimit": 4, "completionMode": "NonIndexed", "suspend": false, "manualSelector": false, "podReplacementPolicy": "TerminatingOrFailed",
                "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": job_uid}}, "template": job_tpl},
            "status": {"startTime": "2024-12-31T23:50:00Z", "completionTime": "2024-12-31T23:50:42Z", "succeeded": 1, "ready": 0, "terminating": 0, "uncountedTerminatedPods": {},
                "conditions": [{"type": "Complete", "status": "True", "lastProbeTime": "2024-12-31T23:50:42Z", "lastTransitionTime": "2024-12-31T23:50:42Z"}]}}),
        json!({"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": "indexed", "namespace": "default", "uid": "d5d5d5d5-0000-4000-8000-000000000005", "creationTimestamp": "2024-12-31T23:55:00Z",
                "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "hello", "uid": cj_uid, "controller": true, "blockOwnerDeletion": true}]},
            "spec": {"parallelism": 3, "completions": 5, "backoffLimit": 6, "completionMode": "Indexed", "suspend": false, "activeDeadlineSeconds": 600, "ttlSecondsAfterFinished": 100,
                "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "x"}}, "template": template(json!({"job-name": "indexed"}), "busybox:1.36")},
            "status": {"startTime": "2024-12-31T23:55:00Z", "active": 3, "ready": 2, "succeeded": 2, "failed": 1, "completedIndexes": "0,2"}}),
        json!({"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": "hello", "namespace": "default", "uid": cj_uid, "creationTimestamp": "2024-12-31T23:00:00Z"},
            "spec": {"schedule": "*/5 * * * *", "concurrencyPolicy": "Allow", "suspend": false, "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
                "jobTemplate": {"metadata": {}, "spec": {"template": cj_tpl}}},
            "status": {"lastScheduleTime": "2024-12-31T23:55:00Z", "lastSuccessfulTime": "2024-12-31T23:50:07Z",
                "active": [{"apiVersion": "batch/v1", "kind": "Job", "name": "indexed", "namespace": "default", "uid": "d5d5d5d5-0000-4000-8000-000000000005"}]}}),
        json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "default", "uid": "d5d5d5d5-0000-4000-8000-000000000006", "creationTimestamp": "2024-12-31T23:00:00Z"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 1, "maxReplicas": 10,
            "metrics": [
                {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}},
                {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "100Mi"}}},
                {"type": "Pods", "pods": {"metric": {"name": "packets-per-second"}, "target": {"type": "AverageValue", "averageValue": "1k"}}}
            ],
            "behavior": {"scaleDown": {"stabilizationWindowSeconds": 300, "selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]},
                         "scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}, {"type": "Pods", "value": 4, "periodSeconds": 15}]}}},
        "status": {"currentReplicas": 3, "desiredReplicas": 3,
            "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 22, "averageValue": "22m"}}}],
            "conditions": [
                {"type": "AbleToScale", "status": "True", "lastTransitionTime": "2024-12-31T23:00:15Z", "reason": "ReadyForNewScale", "message": "recommended size matches current size"},
                {"type": "ScalingActive", "status": "True", "lastTransitionTime": "2024-12-31T23:00:15Z", "reason": "ValidMetricFound", "message": "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)"}
            ]}}),
    ];
    check(
        "",
        &objects,
        &[
            "describe daemonset agent",
            "describe sts db",
            "describe job pi",
            "describe job indexed",
            "describe cronjob hello",
            "describe hpa web",
            "describe pod db-0",
        ],
    );
}

#[test]
fn services_and_networking() {
    let objects = vec![
        json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web", "namespace": "default", "uid": "5e5e5e5e-0000-4000-8000-000000000001", "creationTimestamp": "2024-12-31T23:00:00Z", "labels": {"app": "web"}},
            "spec": {"selector": {"app": "web"}, "type": "NodePort", "clusterIP": "10.96.12.34", "clusterIPs": ["10.96.12.34"], "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                "ports": [{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP", "nodePort": 30080}, {"name": "metrics", "port": 9090, "targetPort": "metrics", "protocol": "TCP", "nodePort": 30090}],
                "sessionAffinity": "None", "externalTrafficPolicy": "Cluster", "internalTrafficPolicy": "Cluster"}}),
        json!({"apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": "web", "namespace": "default", "creationTimestamp": "2024-12-31T23:00:00Z", "labels": {"app": "web"}},
            "subsets": [{"addresses": [
                    {"ip": "10.244.1.5", "nodeName": "node01", "targetRef": {"kind": "Pod", "name": "web-1", "namespace": "default"}},
                    {"ip": "10.244.2.3", "nodeName": "node02", "targetRef": {"kind": "Pod", "name": "web-2", "namespace": "default"}},
                    {"ip": "10.244.1.6", "nodeName": "node01"}, {"ip": "10.244.2.4", "nodeName": "node02"}],
                "notReadyAddresses": [{"ip": "10.244.1.9"}],
                "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}, {"name": "metrics", "port": 9090, "protocol": "TCP"}]}]}),
        json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "db", "namespace": "default", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "spec": {"selector": {"app": "db"}, "type": "ClusterIP", "clusterIP": "None", "clusterIPs": ["None"], "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                "ports": [{"port": 5432, "targetPort": 5432, "protocol": "TCP"}], "sessionAffinity": "None"}}),
        json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "ext", "namespace": "default", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "spec": {"type": "ExternalName", "externalName": "example.com", "sessionAffinity": "None"}}),
        json!({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "web-abcde", "namespace": "default", "creationTimestamp": "2024-12-31T23:00:00Z",
                "labels": {"kubernetes.io/service-name": "web", "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}},
            "addressType": "IPv4",
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
            "endpoints": [{"addresses": ["10.244.1.5"], "conditions": {"ready": true, "serving": true, "terminating": false}, "nodeName": "node01",
                           "targetRef": {"kind": "Pod", "name": "web-1", "namespace": "default"}},
                          {"addresses": ["10.244.1.9"], "conditions": {"ready": false}}]}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": "web", "namespace": "default", "creationTimestamp": "2024-12-31T23:00:00Z",
                "annotations": {"nginx.ingress.kubernetes.io/rewrite-target": "/"}},
            "spec": {"ingressClassName": "nginx",
                "defaultBackend": {"service": {"name": "web", "port": {"name": "http"}}},
                "tls": [{"hosts": ["shop.example.com"], "secretName": "shop-tls"}],
                "rules": [
                    {"host": "shop.example.com", "http": {"paths": [
                        {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}},
                        {"path": "/api", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"number": 8080}}}}]}},
                    {"http": {"paths": [{"path": "/metrics", "pathType": "Exact", "backend": {"service": {"name": "web", "port": {"name": "metrics"}}}}]}}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "192.168.1.240"}]}}}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": "bare", "namespace": "default", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "spec": {"defaultBackend": {"service": {"name": "db", "port": {"number": 5432}}}}}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
            "metadata": {"name": "nginx", "creationTimestamp": "2024-12-31T23:00:00Z", "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
            "spec": {"controller": "k8s.io/ingress-nginx"}}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "db-access", "namespace": "default", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "spec": {"podSelector": {"matchLabels": {"app": "db"}},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [
                    {"from": [{"podSelector": {"matchLabels": {"app": "web"}}},
                              {"namespaceSelector": {"matchLabels": {"team": "ops"}}, "podSelector": {"matchExpressions": [{"key": "role", "operator": "In", "values": ["b", "a"]}]}},
                              {"ipBlock": {"cidr": "172.17.0.0/16", "except": ["172.17.1.0/24"]}}],
                     "ports": [{"protocol": "TCP", "port": 5432}, {"port": 6000, "endPort": 6100}]},
                    {"ports": [{"port": "metrics"}]}],
                "egress": [{"to": [{"namespaceSelector": {}}], "ports": [{"protocol": "UDP", "port": 53}]}]}}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": "deny-all", "namespace": "default", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}),
    ];
    check(
        "",
        &objects,
        &[
            "describe svc web",
            "describe svc db",
            "describe service ext",
            "describe endpoints web",
            "describe endpointslice web-abcde",
            "describe ingress web",
            "describe ing bare",
            "describe ingressclass nginx",
            "describe netpol db-access",
            "describe networkpolicy deny-all",
        ],
    );
}

#[test]
fn config_storage_and_rbac() {
    let objects = vec![
        json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": "team-a", "uid": "0a0a0a0a-0000-4000-8000-000000000001", "creationTimestamp": "2024-12-31T23:00:00Z",
                "labels": {"kubernetes.io/metadata.name": "team-a", "team": "a"}, "annotations": {"owner": "alice"}},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}),
        json!({"apiVersion": "v1", "kind": "ResourceQuota",
            "metadata": {"name": "compute", "namespace": "team-a", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "spec": {"hard": {"requests.cpu": "2", "requests.memory": "2Gi", "limits.cpu": "4", "limits.memory": "4Gi", "pods": "10"}},
            "status": {"hard": {"requests.cpu": "2", "requests.memory": "2Gi", "limits.cpu": "4", "limits.memory": "4Gi", "pods": "10"},
                       "used": {"requests.cpu": "500m", "requests.memory": "256Mi", "limits.cpu": "1", "limits.memory": "512Mi", "pods": "2"}}}),
        json!({"apiVersion": "v1", "kind": "ResourceQuota",
            "metadata": {"name": "best-effort", "namespace": "team-a", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "spec": {"hard": {"pods": "5"}, "scopes": ["BestEffort", "NotTerminating"]},
            "status": {"hard": {"pods": "5"}, "used": {"pods": "0"}}}),
        json!({"apiVersion": "v1", "kind": "LimitRange",
            "metadata": {"name": "limits", "namespace": "team-a", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "spec": {"limits": [
                {"type": "Container", "default": {"cpu": "500m"}, "defaultRequest": {"cpu": "250m"}, "max": {"cpu": "1"}, "min": {"cpu": "100m"}},
                {"type": "Pod", "max": {"memory": "1Gi"}},
                {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}, "max": {"storage": "10Gi"}}]}}),
        json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "regcred", "namespace": "default", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": "eyJhdXRocyI6e319"}}),
        json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "builder-token", "namespace": "default", "creationTimestamp": "2024-12-31T23:00:00Z",
                "annotations": {"kubernetes.io/service-account.name": "builder", "kubernetes.io/service-account.uid": "0a0a0a0a-0000-4000-8000-000000000002"}},
            "type": "kubernetes.io/service-account-token",
            "data": {"token": "ZXlKaGJHY2lPaUpTVXpJMU5pSjkuZmFrZQ==", "namespace": "ZGVmYXVsdA=="}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": "builder", "namespace": "default", "uid": "0a0a0a0a-0000-4000-8000-000000000002", "creationTimestamp": "2024-12-31T23:00:00Z",
                "labels": {"app": "ci"}},
            "secrets": [{"name": "builder-token"}, {"name": "gone"}],
            "imagePullSecrets": [{"name": "regcred"}, {"name": "other"}]}),
        json!({"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": "pv-data", "uid": "0a0a0a0a-0000-4000-8000-000000000003", "creationTimestamp": "2024-12-31T23:00:00Z",
                "labels": {"type": "local"}, "finalizers": ["kubernetes.io/pv-protection"]},
            "spec": {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteOnce", "ReadOnlyMany"], "persistentVolumeReclaimPolicy": "Retain",
                "storageClassName": "manual", "volumeMode": "Filesystem", "hostPath": {"path": "/mnt/data", "type": ""},
                "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "default", "name": "data", "uid": "0a0a0a0a-0000-4000-8000-000000000004"},
                "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": ["node01", "node02"]}]}]}}},
            "status": {"phase": "Bound"}}),
        json!({"apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": "pv-nfs", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteMany"], "persistentVolumeReclaimPolicy": "Delete",
                "nfs": {"server": "10.0.0.5", "path": "/exports"}},
            "status": {"phase": "Available"}}),
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": "default", "uid": "0a0a0a0a-0000-4000-8000-000000000004", "creationTimestamp": "2024-12-31T23:00:00Z",
                "finalizers": ["kubernetes.io/pvc-protection"], "annotations": {"pv.kubernetes.io/bind-completed": "yes"}},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "3Gi"}}, "storageClassName": "manual", "volumeMode": "Filesystem", "volumeName": "pv-data"},
            "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce", "ReadOnlyMany"], "capacity": {"storage": "5Gi"}}}),
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "pending", "namespace": "default", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, "storageClassName": "fast", "volumeMode": "Filesystem"},
            "status": {"phase": "Pending"}}),
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "uses-data", "namespace": "default", "uid": "0a0a0a0a-0000-4000-8000-000000000005", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "spec": {"containers": [{"name": "app", "image": "nginx"}], "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]},
            "status": {"phase": "Running"}}),
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "standard", "creationTimestamp": "2024-12-31T23:00:00Z",
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer",
            "allowVolumeExpansion": true, "parameters": {"type": "ssd"}, "mountOptions": ["debug"]}),
        json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "fast", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "provisioner": "kubernetes.io/no-provisioner", "reclaimPolicy": "Retain", "volumeBindingMode": "Immediate",
            "allowedTopologies": [{"matchLabelExpressions": [{"key": "topology.kubernetes.io/zone", "values": ["a", "b"]}]}]}),
        json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": "web-pdb", "namespace": "default", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}},
            "status": {"currentHealthy": 3, "desiredHealthy": 2, "disruptionsAllowed": 1, "expectedPods": 3, "observedGeneration": 1}}),
        json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": "db-pdb", "namespace": "default", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "spec": {"maxUnavailable": "50%", "selector": {"matchLabels": {"app": "db"}}},
            "status": {"currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0, "expectedPods": 0}}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": "pod-reader", "namespace": "default", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "rules": [
                {"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "watch", "list"]},
                {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"], "resourceNames": ["web", "api"]},
                {"apiGroups": [""], "resources": ["pods"], "verbs": ["delete"]}]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "viewer", "creationTimestamp": "2024-12-31T23:00:00Z", "labels": {"rbac.example.com/aggregate": "true"}},
            "rules": [
                {"apiGroups": ["", "apps"], "resources": ["*"], "verbs": ["get", "list", "watch"]},
                {"nonResourceURLs": ["/healthz", "/version"], "verbs": ["get"]}]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "read-pods", "namespace": "default", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"},
            "subjects": [{"kind": "User", "name": "jane", "apiGroup": "rbac.authorization.k8s.io"},
                         {"kind": "ServiceAccount", "name": "builder", "namespace": "default"}]}),
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": "view-all", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "viewer"},
            "subjects": [{"kind": "Group", "name": "auditors", "apiGroup": "rbac.authorization.k8s.io"}]}),
        json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
            "metadata": {"name": "high", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "value": 1000000, "globalDefault": false, "preemptionPolicy": "PreemptLowerPriority", "description": "For critical pods."}),
        json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": "holder", "namespace": "kube-node-lease", "uid": "0a0a0a0a-0000-4000-8000-000000000006", "creationTimestamp": "2024-12-20T00:00:00Z",
                "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": "node01", "uid": "0a0a0a0a-0000-4000-8000-000000000007"}]},
            "spec": {"holderIdentity": "node01", "leaseDurationSeconds": 40, "renewTime": "2024-12-31T23:59:55.000000Z"}}),
        json!({"apiVersion": "apps/v1", "kind": "ControllerRevision",
            "metadata": {"name": "db-5d8c9d7c4f", "namespace": "default", "creationTimestamp": "2024-12-31T20:00:00Z",
                "labels": {"app": "db", "controller-revision-hash": "5d8c9d7c4f"}},
            "revision": 1, "data": {"spec": {"template": {"metadata": {"labels": {"app": "db"}}, "$patch": "replace"}}}}),
        json!({"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": "nightly", "namespace": "default", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "spec": {"schedule": "0 2 * * *", "timeZone": "Europe/Paris", "concurrencyPolicy": "Forbid", "suspend": true, "startingDeadlineSeconds": 200,
                "jobTemplate": {"spec": {"completions": 2, "parallelism": 1, "activeDeadlineSeconds": 60, "template": template(json!({"app": "nightly"}), "busybox")}}}}),
    ];
    check(
        "",
        &objects,
        &[
            "describe ns team-a",
            "describe quota compute -n team-a",
            "describe resourcequota best-effort -n team-a",
            "describe limitrange limits -n team-a",
            "describe secret regcred",
            "describe secret builder-token",
            "describe sa builder",
            "describe pv pv-data",
            "describe pv pv-nfs",
            "describe pvc data",
            "describe pvc pending",
            "describe storageclass standard",
            "describe sc fast",
            "describe pdb web-pdb",
            "describe pdb db-pdb",
            "describe role pod-reader",
            "describe clusterrole viewer",
            "describe rolebinding read-pods",
            "describe clusterrolebinding view-all",
            "describe priorityclass high",
            "describe lease holder -n kube-node-lease",
            "describe controllerrevision db-5d8c9d7c4f",
            "describe node node01",
            "describe cj nightly",
        ],
    );
}

#[test]
fn describe_from_files() {
    let manifest = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: web
    image: nginx:1.27
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: missing
---
apiVersion: v1
kind: Namespace
metadata:
  name: default
";
    check_with_files(
        &format!("cat <<'EOF' | kubectl apply -f -\n{}EOF\nsleep 6\n", manifest.split("---").next().unwrap_or("")),
        &[],
        &[("all.yaml", manifest)],
        &["describe -f all.yaml", "describe -f all.yaml --show-events=false"],
    );
}

#[test]
fn odd_states() {
    let objects = vec![
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "leaving", "namespace": "default", "uid": "0d0d0d0d-0000-4000-8000-000000000001", "creationTimestamp": "2024-12-31T23:00:00Z",
                "deletionTimestamp": "2024-12-31T23:59:40Z", "deletionGracePeriodSeconds": 30,
                "annotations": {"kubernetes.io/config.seen": "2024-12-31T23:00:00Z"}},
            "spec": {"nodeName": "node01", "priorityClassName": "high", "priority": 1000000, "runtimeClassName": "gvisor",
                "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                "readinessGates": [{"conditionType": "example.com/feature-1"}],
                "initContainers": [{"name": "init", "image": "busybox", "command": ["true"]}],
                "containers": [{"name": "app", "image": "nginx", "ports": [{"containerPort": 80, "hostPort": 8080, "protocol": "TCP"}],
                    "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/audit.json"}}}],
                "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "x"}}},
                                              {"maxSkew": 2, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway"}]},
            "status": {"phase": "Running", "hostIP": "192.168.1.11", "podIP": "10.244.1.7", "podIPs": [{"ip": "10.244.1.7"}, {"ip": "fd00::7"}],
                "startTime": "2024-12-31T23:00:01Z", "nominatedNodeName": "node02",
                "conditions": [{"type": "example.com/feature-1", "status": "False"}, {"type": "Ready", "status": "False"}],
                "initContainerStatuses": [{"name": "init", "image": "busybox", "imageID": "docker.io/library/busybox@sha256:abc", "containerID": "containerd://i1",
                    "ready": true, "restartCount": 0,
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": "2024-12-31T23:00:02Z", "finishedAt": "2024-12-31T23:00:03Z", "containerID": "containerd://i1"}}}],
                "containerStatuses": [{"name": "app", "image": "nginx", "imageID": "docker.io/library/nginx@sha256:def", "containerID": "containerd://c1",
                    "ready": false, "restartCount": 2, "started": true,
                    "state": {"running": {"startedAt": "2024-12-31T23:10:00Z"}},
                    "lastState": {"terminated": {"exitCode": 137, "signal": 9, "reason": "OOMKilled", "message": "out of memory", "startedAt": "2024-12-31T23:05:00Z", "finishedAt": "2024-12-31T23:09:59Z"}}}]}}),
        json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "evicted", "namespace": "default", "creationTimestamp": "2024-12-31T23:00:00Z"},
            "spec": {"nodeName": "node02", "containers": [{"name": "app", "image": "nginx"}]},
            "status": {"phase": "Failed", "reason": "Evicted", "message": "The node was low on resource: memory. Threshold quantity: 100Mi, available: 51200Ki.",
                "containerStatuses": [{"name": "app", "image": "nginx", "imageID": "", "ready": false, "restartCount": 0,
                    "state": {"terminated": {"exitCode": 137, "reason": "ContainerStatusUnknown", "message": "The container could not be located when the pod was terminated"}}}]}}),
        json!({"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": "node03", "uid": "0d0d0d0d-0000-4000-8000-000000000003", "creationTimestamp": "2024-12-31T00:00:00Z",
                "labels": {"kubernetes.io/role": "worker", "node-role.kubernetes.io/infra": "", "node-role.kubernetes.io/": "x"}},
            "spec": {"unschedulable": true, "taints": [
                {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute", "timeAdded": "2024-12-31T23:59:00Z"},
                {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"},
                {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule", "timeAdded": "2024-12-31T23:58:00Z"}]},
            "status": {"conditions": [{"type": "Ready", "status": "Unknown", "reason": "NodeStatusUnknown", "message": "Kubelet stopped posting node status.",
                    "lastHeartbeatTime": "2024-12-31T23:50:00Z", "lastTransitionTime": "2024-12-31T23:51:00Z"}],
                "addresses": [{"type": "InternalIP", "address": "192.168.1.13"}],
                "nodeInfo": {"machineID": "m", "systemUUID": "s", "bootID": "b", "kernelVersion": "k", "osImage": "o", "containerRuntimeVersion": "c",
                    "kubeletVersion": "v1.32.0", "kubeProxyVersion": "", "operatingSystem": "linux", "architecture": "arm64"}}}),
        json!({"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "node03.1", "namespace": "default"},
            "involvedObject": {"kind": "Node", "name": "node03", "uid": "node03"},
            "reason": "NodeNotReady", "type": "Normal", "message": "Node node03 status is now: NodeNotReady",
            "firstTimestamp": "2024-12-31T23:51:00Z", "lastTimestamp": "2024-12-31T23:51:00Z", "count": 1, "source": {"component": "node-controller"}}),
        json!({"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "node03.2", "namespace": "default"},
            "involvedObject": {"kind": "Node", "name": "node03", "uid": "0d0d0d0d-0000-4000-8000-000000000003"},
            "reason": "RegisteredNode", "type": "Normal", "message": "Node node03 event: Registered Node node03 in Controller",
            "firstTimestamp": "2024-12-31T00:00:05Z", "lastTimestamp": "2024-12-31T00:00:05Z", "count": 1, "source": {"component": "node-controller"}}),
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": "going", "namespace": "default", "creationTimestamp": "2024-12-31T23:00:00Z", "deletionTimestamp": "2024-12-31T23:59:00Z",
                "finalizers": ["kubernetes.io/pvc-protection"],
                "ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": "evicted", "uid": "nope"}]},
            "spec": {"accessModes": ["ReadWriteOncePod"], "resources": {"requests": {"storage": "1Gi"}}, "volumeName": "pv1",
                "dataSource": {"kind": "PersistentVolumeClaim", "name": "src"}},
            "status": {"phase": "Bound", "accessModes": ["ReadWriteOncePod"], "capacity": {"storage": "1Gi"},
                "conditions": [{"type": "Resizing", "status": "True", "lastTransitionTime": "2024-12-31T23:30:00Z"}]}}),
    ];
    check(
        "",
        &objects,
        &["describe pod leaving", "describe pod evicted", "describe node node03", "describe pvc going"],
    );
}
