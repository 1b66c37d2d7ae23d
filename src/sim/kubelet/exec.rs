//! Running a container's process: a simulated program from the image catalog or a script
//! in kubedojo's shell, with the container's filesystem, environment, user and network —
//! plus one-shot executions (exec probes, `kubectl exec`) and requests into a pod.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;

use super::containers::{terminated, CtrRt};
use super::programs::Program;
use super::shared_env::Env;
use super::{Kubelets, PodRt, PodRts};
use crate::shell::{ExtCall, ExtOutcome, Fs, FsView, Host, NetRequest, NetResult, Options, Process, Status, User};
use crate::sim::clock::{Tick, START_UNIX_S};
use crate::sim::images::ImageSpec;
use crate::sim::World;

/// A container's main process.
#[derive(Clone, Debug)]
pub enum Proc {
    Program(Program),
    Shell { process: Box<Process>, wake_at: Option<Tick>, programs: Vec<Program> },
}

fn now_s(t: Tick) -> u64 {
    t.unix_s().max(0) as u64
}

fn tick_at(s: u64) -> Tick {
    Tick((s as i64 - START_UNIX_S).max(0) as u64)
}

/// The user a container runs as (securityContext runAsUser/runAsGroup, pod fsGroup).
pub fn user_of(pod: &Pod, c: &CtrRt) -> User {
    let pod_sc = pod.spec.as_ref().and_then(|s| s.security_context.as_ref());
    let sc = c.spec.security_context.as_ref();
    let uid = sc.and_then(|s| s.run_as_user).or(pod_sc.and_then(|s| s.run_as_user)).unwrap_or(0) as u32;
    let gid = sc.and_then(|s| s.run_as_group).or(pod_sc.and_then(|s| s.run_as_group)).unwrap_or(0) as u32;
    let mut groups: Vec<u32> = Vec::new();
    if let Some(fs) = pod_sc.and_then(|s| s.fs_group) {
        groups.push(fs as u32);
    }
    for g in pod_sc.and_then(|s| s.supplemental_groups.clone()).unwrap_or_default() {
        groups.push(g as u32);
    }
    User {
        uid,
        gid,
        name: (uid == 0).then(|| "root".to_string()),
        group: (gid == 0).then(|| "root".to_string()),
        groups,
    }
}

/// The host a container's shell runs against.
struct CtrHost<'a> {
    now: Tick,
    view: FsView<'a>,
    out: Vec<u8>,
    hostname: String,
    user: User,
    pods: &'a PodRts,
    current: &'a PodRt,
    store: &'a crate::sim::store::Store,
    network: &'a mut crate::sim::network::Network,
    nodes: &'a crate::sim::nodes::Nodes,
    rng: &'a mut rand_chacha::ChaCha8Rng,
    image: Option<&'a ImageSpec>,
    /// The container's `image:` as written (for tools that differ between versions).
    image_ref: String,
    /// Programs started by the script (`nginx -g 'daemon off;'` run from `sh -c`).
    started: Vec<Program>,
    ip: String,
}

impl Host for CtrHost<'_> {
    fn now_s(&self) -> u64 {
        now_s(self.now)
    }
    fn fs(&mut self) -> &mut dyn Fs {
        &mut self.view
    }
    fn stdout(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }
    fn stderr(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }
    fn hostname(&self) -> String {
        self.hostname.clone()
    }
    fn user(&self) -> User {
        self.user.clone()
    }
    fn external(&mut self, call: &ExtCall, _io: &mut crate::shell::ExtIo) -> Option<ExtOutcome> {
        let image = self.image?;
        let kind = Program::detect(image, &call.argv, false)?;
        let env = super::Env::new(call.env.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
        let p = Program::start(kind, image, &env, &self.ip, self.now);
        self.started.push(p);
        Some(ExtOutcome::Forever)
    }
    fn net(&mut self, req: &NetRequest) -> NetResult {
        let mut ctx = crate::sim::net::NetCtx {
            store: self.store,
            network: self.network,
            nodes: self.nodes,
            pods: self.pods,
            current: self.current,
            volumes: self.view.volumes,
            now: self.now,
            rng: self.rng,
        };
        crate::sim::net::route(&mut ctx, req)
    }
    fn image(&self) -> Option<String> {
        Some(self.image_ref.clone())
    }
}

/// Starts the container's process. Err is the runtime's StartError message.
pub fn spawn(
    w: &mut World,
    rt: &PodRt,
    c: &mut CtrRt,
    argv: &[String],
    is_default: bool,
    env: Env,
) -> Result<Proc, String> {
    let ip = rt.ip.clone().unwrap_or_default();
    c.env = env;
    if let Some(image) = c.image.as_deref() {
        if let Some(kind) = Program::detect(image, argv, is_default) {
            return Ok(Proc::Program(Program::start(kind, image, &c.env, &ip, w.now)));
        }
    }
    let env_map: BTreeMap<String, String> = c.env.to_map();
    let Some(arg0) = argv.first() else {
        return Err("failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: no command specified: unknown".into());
    };
    if !crate::shell::is_command(arg0) && c.image.as_deref().and_then(|i| Program::detect(i, argv, false)).is_none() {
        return Err(format!(
            "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: \"{arg0}\": executable file not found in $PATH: unknown"
        ));
    }
    let process = Process::spawn(argv, env_map, Options::container()).map_err(|e| e.to_string())?;
    Ok(Proc::Shell { process: Box::new(process), wake_at: None, programs: Vec::new() })
}

/// Memory limit of a container in bytes, if any.
pub fn memory_limit_bytes(c: &CtrRt) -> Option<u64> {
    let q = c.spec.resources.as_ref()?.limits.as_ref()?.get("memory")?;
    crate::sim::quantity::parse_value(&q.0).ok().map(|b| b.max(0) as u64)
}

/// Runs the container's process up to now; records output; handles exit, OOM and kills.
pub fn run(w: &mut World, pod: &Pod, rt: &PodRt, c: &mut CtrRt) {
    let now = w.now;
    let Some(mut proc) = c.proc.take() else { return };
    let mut exit: Option<i32> = None;
    match &mut proc {
        Proc::Program(p) => {
            let (logs, code) = p.step(now);
            c.write_lines(now, &logs);
            exit = code;
            if code.is_none() && p.kind == super::programs::Kind::LoadGen {
                let env = p.env.clone();
                for l in crate::sim::metrics::load::drive(w, rt, &env, &mut c.stats) {
                    c.write_line(now, &l);
                }
            }
        }
        Proc::Shell { process, wake_at, programs } => {
            if wake_at.is_none_or(|t| now >= t) {
                c.stats.wakes += 1;
                let World { kubelet, store, rng, network, nodes, .. } = w;
                let Kubelets { fs, pods, .. } = kubelet;
                let mut host = CtrHost {
                    now,
                    view: FsView { volumes: fs, mounts: &c.mounts },
                    out: Vec::new(),
                    hostname: super::pod_hostname(pod),
                    user: user_of(pod, c),
                    pods,
                    current: rt,
                    store,
                    network,
                    nodes,
                    rng,
                    image: c.image.as_deref(),
                    image_ref: c.spec.image.clone().unwrap_or_default(),
                    started: Vec::new(),
                    ip: rt.ip.clone().unwrap_or_default(),
                };
                let status = process.run(&mut host);
                let out = std::mem::take(&mut host.out);
                programs.append(&mut host.started);
                c.write_log(now, &out);
                match status {
                    Status::Sleeping { until_s } => *wake_at = Some(tick_at(until_s)),
                    Status::Blocked => *wake_at = Some(Tick(u64::MAX)),
                    Status::Busy => *wake_at = None,
                    Status::Ready(code) | Status::Exited(code) => exit = Some(code),
                }
                crate::sim::services::flush_access_logs(w);
            }
            for p in programs.iter_mut() {
                let (logs, _) = p.step(now);
                c.write_lines(now, &logs);
            }
        }
    }
    if let Some(code) = exit {
        let reason = if code == 0 { "Completed" } else { "Error" };
        terminated(w, c, code, reason);
        return;
    }
    let memory = crate::sim::metrics::usage::proc_memory_bytes(&proc, c.image.as_deref(), now);
    if memory_limit_bytes(c).is_some_and(|limit| memory > limit) {
        terminated(w, c, 137, "OOMKilled");
        return;
    }
    if let Some(k) = &c.kill {
        if now >= k.deadline {
            // SIGKILL after the grace period.
            terminated(w, c, 137, "Error");
            return;
        }
    }
    c.proc = Some(proc);
}

/// Sends SIGTERM: servers stop at once; a shell or `sleep` running as PID 1 has no handler
/// and ignores it, so it is killed when the grace period ends.
pub fn sigterm(_w: &mut World, c: &mut CtrRt) {
    match &mut c.proc {
        Some(Proc::Program(p)) => p.terminate(),
        Some(Proc::Shell { .. }) | None => {}
    }
}

/// How a one-shot command in a container ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Exit status and combined output.
    Exited(i32, String),
    TimedOut,
    /// The runtime could not run it (container not running...).
    Failed(String),
}

/// Runs `argv` in a running container to completion (exec probes, `kubectl exec`), letting
/// its sleeps take up to `timeout_s` of its own time without advancing the cluster.
pub fn exec_once(w: &mut World, rt: &PodRt, c: &CtrRt, argv: &[String], timeout_s: u64) -> Outcome {
    let outcome = exec_inner(w, rt, c, argv, timeout_s);
    // Servers the command reached log its requests now, as real ones do.
    crate::sim::services::flush_access_logs(w);
    outcome
}

fn exec_inner(w: &mut World, rt: &PodRt, c: &CtrRt, argv: &[String], timeout_s: u64) -> Outcome {
    let env: BTreeMap<String, String> = c.env.to_map();
    let mut process = match Process::spawn(argv, env, Options { pid: 100, ..Options::container() }) {
        Ok(p) => p,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let pod = w
        .store
        .get(crate::sim::Kind::Pod, &rt.namespace, &rt.name)
        .and_then(|o| o.as_pod())
        .cloned()
        .unwrap_or_default();
    let start = w.now;
    let mut now = start;
    let World { kubelet, store, rng, network, nodes, .. } = w;
    let Kubelets { fs, pods, .. } = kubelet;
    let mut host = CtrHost {
        now,
        view: FsView { volumes: fs, mounts: &c.mounts },
        out: Vec::new(),
        hostname: super::pod_hostname(&pod),
        user: user_of(&pod, c),
        pods,
        current: rt,
        store,
        network,
        nodes,
        rng,
        image: c.image.as_deref(),
        image_ref: c.spec.image.clone().unwrap_or_default(),
        started: Vec::new(),
        ip: rt.ip.clone().unwrap_or_default(),
    };
    for _ in 0..10_000 {
        host.now = now;
        match process.run(&mut host) {
            Status::Exited(code) | Status::Ready(code) => {
                return Outcome::Exited(code, String::from_utf8_lossy(&host.out).into_owned());
            }
            Status::Sleeping { until_s } => {
                let t = tick_at(until_s);
                if t.since(start) > timeout_s {
                    return Outcome::TimedOut;
                }
                now = t;
            }
            Status::Blocked => return Outcome::TimedOut,
            Status::Busy => {}
        }
    }
    Outcome::TimedOut
}

/// Whether something in the pod listens on `port` (tcpSocket probes).
pub fn pod_listens(w: &World, rt: &PodRt, c: &CtrRt, port: u16) -> bool {
    let now = w.now;
    let own = match &c.proc {
        Some(Proc::Program(p)) => p.listens(port, now),
        Some(Proc::Shell { programs, .. }) => programs.iter().any(|p| p.listens(port, now)),
        None => false,
    };
    own || rt.containers.iter().filter(|o| o.name != c.name).any(|o| listening_one(o, port, now))
}

fn listening_one(c: &CtrRt, port: u16, now: Tick) -> bool {
    c.is_running()
        && match &c.proc {
            Some(Proc::Program(p)) => p.listens(port, now),
            Some(Proc::Shell { programs, .. }) => programs.iter().any(|p| p.listens(port, now)),
            None => false,
        }
}

/// An HTTP GET to `port` in the pod (httpGet probes): the status code, or None when nothing
/// listens.
pub fn http_to_pod(w: &World, rt: &PodRt, c: &CtrRt, port: u16, path: &str) -> Option<u16> {
    let now = w.now;
    let candidates = std::iter::once(c).chain(rt.containers.iter().filter(|o| o.name != c.name));
    for target in candidates {
        if !target.is_running() && target.name != c.name {
            continue;
        }
        let progs: Vec<&Program> = match &target.proc {
            Some(Proc::Program(p)) => vec![p],
            Some(Proc::Shell { programs, .. }) => programs.iter().collect(),
            None => vec![],
        };
        for p in progs {
            if p.listens(port, now) {
                let read = |f: &str| crate::sim::net::read_in(&w.kubelet.fs, target, f);
                let (status, _) = p.http_get(path, &read, &rt.name, now);
                return Some(if status == 0 { 200 } else { status });
            }
        }
    }
    None
}
