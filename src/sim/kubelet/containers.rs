//! The container state machine: image pull (with pull back-off), create and start (env,
//! filesystem, the process), run, exit, restart with crash-loop back-off, kills for failed
//! probes, OOM and pod deletion — emitting the kubelet's events on the way.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, Pod};

use super::exec::{self, Proc};
use super::log::Log;
use super::shared_env::Env;
use super::{pod_event, probes, volumes, Backoff, PodRt};
use crate::shell::vfs::{Mount, Mounts, Tree, VolumeId, Volumes};
use crate::sim::clock::{tick_of, Tick};
use crate::sim::events::EventType::{Normal, Warning};
use crate::sim::images::{ImageRef, ImageSpec, Lookup};
use crate::sim::World;

/// A terminated container's record.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    pub exit_code: i32,
    pub reason: String,
    pub message: Option<String>,
    pub started_at: Tick,
    pub finished_at: Tick,
    pub container_id: String,
}

/// The state of a container, as containerStatuses[].state shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum CState {
    Waiting { reason: String, message: Option<String> },
    Running { started_at: Tick },
    Terminated(Term),
}

/// Where an image pull is.
#[derive(Clone, Debug, PartialEq)]
pub enum Pull {
    NotStarted,
    Pulling {
        until: Tick,
        ms: u64,
    },
    Done,
    /// The last pull failed with this error (rpc error text).
    Failed {
        error: String,
        at: Tick,
    },
}

/// A pending kill: SIGTERM was sent; SIGKILL follows at `deadline`.
#[derive(Clone, Debug, PartialEq)]
pub struct Kill {
    pub deadline: Tick,
}

/// Runtime state of one container.
#[derive(Clone, Debug)]
pub struct CtrRt {
    pub name: String,
    /// Shared by the containers of the pods of one template (see `SpecCache`), without its
    /// volume mounts: they are in `volume_mounts`.
    pub spec: std::sync::Arc<Container>,
    /// The spec's volume mounts (they name the pod's own token volume).
    pub volume_mounts: Option<Vec<k8s_openapi::api::core::v1::VolumeMount>>,
    pub is_init: bool,
    /// An init container with restartPolicy Always (a native sidecar).
    pub sidecar: bool,
    pub state: CState,
    /// The previous run's end (boxed: most containers never restart).
    pub last: Option<Box<Term>>,
    pub restarts: i32,
    pub ready: bool,
    pub started: bool,
    pub proc: Option<Proc>,
    pub mounts: Mounts,
    pub root: Option<VolumeId>,
    /// Output of the current run (what `kubectl logs` shows): lines stamped with ticks.
    pub log: Log,
    /// Output of the previous run (`kubectl logs --previous`); boxed, as `last`.
    pub prev_log: Option<Box<Log>>,
    /// Bytes of a line not yet ended by a newline.
    pub partial: String,
    pub pull: Pull,
    pub pull_backoff: Backoff,
    pub crash_backoff: Backoff,
    pub image_ref: String,
    pub image_id: String,
    pub container_id: String,
    pub probes: probes::Probes,
    pub kill: Option<Kill>,
    /// The catalog's entry for the image (shared, as image layers are).
    pub image: Option<std::sync::Arc<ImageSpec>>,
    pub last_config_error: Option<Tick>,
    /// The environment the process was started with (exec uses it too).
    pub env: super::Env,
    /// Resource accounting (cAdvisor's part of the kubelet): what `kubectl top` and the HPA
    /// read through the metrics-server (`sim::metrics`).
    pub stats: crate::sim::metrics::usage::CtrStats,
}

impl CtrRt {
    pub fn new(spec: std::sync::Arc<Container>, is_init: bool) -> CtrRt {
        let sidecar = is_init && spec.restart_policy.as_deref() == Some("Always");
        CtrRt {
            name: spec.name.clone(),
            sidecar,
            is_init,
            state: CState::Waiting {
                reason: if is_init { "PodInitializing".into() } else { "ContainerCreating".into() },
                message: None,
            },
            last: None,
            restarts: 0,
            ready: false,
            started: false,
            proc: None,
            mounts: Mounts::default(),
            root: None,
            log: Log::default(),
            prev_log: None,
            partial: String::new(),
            pull: Pull::NotStarted,
            pull_backoff: Backoff::default(),
            crash_backoff: Backoff::default(),
            image_ref: String::new(),
            image_id: String::new(),
            container_id: String::new(),
            probes: probes::Probes::default(),
            kill: None,
            image: None,
            last_config_error: None,
            env: super::Env::default(),
            stats: Default::default(),
            volume_mounts: None,
            spec,
        }
    }

    pub fn is_running(&self) -> bool {
        matches!(self.state, CState::Running { .. })
    }

    /// Appends process output to the log, split into lines stamped with `now`. (The bytes
    /// of one write are decoded alone, an invalid sequence as U+FFFD.)
    pub fn write_log(&mut self, now: Tick, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        let mut rest: &str = &text;
        while let Some(i) = rest.find('\n') {
            if self.partial.is_empty() {
                self.log.push(now, &rest[..i]);
            } else {
                self.partial.push_str(&rest[..i]);
                let line = std::mem::take(&mut self.partial);
                self.log.push(now, &line);
            }
            rest = &rest[i + 1..];
        }
        self.partial.push_str(rest);
        // Bound memory use of chatty containers: keep the newest 10,000 lines.
        self.log.cap();
    }

    /// Appends one line of output (`line` and a newline), as `write_log` would.
    pub fn write_line(&mut self, now: Tick, line: &str) {
        if !self.partial.is_empty() || line.contains('\n') {
            self.write_log(now, format!("{line}\n").as_bytes());
            return;
        }
        self.log.push(now, line);
        self.log.cap();
    }

    /// Appends lines of output (each and a newline), as `write_log` would, making room for
    /// them at once.
    pub fn write_lines(&mut self, now: Tick, lines: &[String]) {
        if self.partial.is_empty() && !lines.iter().any(|l| l.contains('\n')) {
            self.log.reserve(lines.len(), lines.iter().map(String::len).sum());
        }
        for l in lines {
            self.write_line(now, l);
        }
    }

    fn flush_partial(&mut self, now: Tick) {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.log.push(now, &line);
        }
    }
}

fn restart_policy(pod: &Pod) -> String {
    pod.spec.as_ref().and_then(|s| s.restart_policy.clone()).unwrap_or_else(|| "Always".into())
}

/// Brings the pod's sandbox up, runs its init containers in order, then its containers.
pub fn run_pod(w: &mut World, pod: &Pod, rt: &mut PodRt) {
    if !rt.sandbox_ready {
        if let Err(msg) = volumes::setup(w, pod, rt) {
            // The kubelet retries mounts with back-off; an event every two minutes at most.
            if rt.last_failed_mount_event.is_none_or(|t| w.now.since(t) >= 120) {
                rt.last_failed_mount_event = Some(w.now);
                pod_event(w, pod, None, Warning, "FailedMount", &msg);
            }
            return;
        }
        // A pod on the host network has its node's address; others get one from the node's
        // pod CIDR.
        rt.ip = if pod.spec.as_ref().and_then(|s| s.host_network) == Some(true) {
            super::status::node_ip(w, &rt.node)
        } else {
            w.network.allocate(&rt.node)
        };
        rt.sandbox_ready = true;
    }
    let policy = restart_policy(pod);
    // Init containers, one after another; sidecars keep running once started.
    let mut i = 0;
    while i < rt.init.len() {
        let mut c = take_for_step(&mut rt.init[i]);
        let p = if c.sidecar { "Always" } else { init_policy(&policy) };
        step(w, pod, rt, &mut c, p);
        w.kubelet.shared_logs.share(&mut c.log);
        let done = if c.sidecar { c.started } else { matches!(&c.state, CState::Terminated(t) if t.exit_code == 0) };
        rt.init[i] = c;
        if !done {
            // Later init containers and the app containers wait.
            for later in rt.init.iter_mut().skip(i + 1) {
                later.state = CState::Waiting { reason: "PodInitializing".into(), message: None };
            }
            return;
        }
        i += 1;
    }
    for i in 0..rt.containers.len() {
        let mut c = take_for_step(&mut rt.containers[i]);
        if matches!(&c.state, CState::Waiting { reason, message: None } if reason == "PodInitializing") {
            c.state = CState::Waiting { reason: "ContainerCreating".into(), message: None };
        }
        step(w, pod, rt, &mut c, &policy);
        w.kubelet.shared_logs.share(&mut c.log);
        rt.containers[i] = c;
    }
}

/// The container to step, out of the pod's runtime state. While it steps, the pod's state
/// keeps a copy of how it was when something in the pod could look at it: a shell it runs
/// (requests to the pod's own IP find the pod's listeners) or its probes (an exec probe is a
/// shell too). Otherwise nothing reads it, and a stand-in saves the copy.
fn take_for_step(slot: &mut CtrRt) -> CtrRt {
    let has_probes =
        slot.spec.startup_probe.is_some() || slot.spec.liveness_probe.is_some() || slot.spec.readiness_probe.is_some();
    if has_probes || matches!(slot.proc, Some(Proc::Shell { .. })) {
        return slot.clone();
    }
    std::mem::replace(slot, CtrRt::new(std::sync::Arc::default(), slot.is_init))
}

/// Init containers restart on failure unless the pod never restarts.
fn init_policy(pod_policy: &str) -> &'static str {
    if pod_policy == "Never" {
        "Never"
    } else {
        "OnFailure"
    }
}

/// One sync of one container.
fn step(w: &mut World, pod: &Pod, rt: &mut PodRt, c: &mut CtrRt, policy: &str) {
    let now = w.now;
    // What the step needs of the state, read first: the step changes it (a copy of the
    // state only for a terminated container, which is rare).
    enum Was {
        Waiting { crash_loop: bool },
        Running,
        Terminated(Term),
    }
    let was = match &c.state {
        CState::Waiting { reason, .. } => Was::Waiting { crash_loop: reason == "CrashLoopBackOff" },
        CState::Running { .. } => Was::Running,
        CState::Terminated(t) => Was::Terminated(t.clone()),
    };
    match was {
        Was::Waiting { crash_loop } => {
            if c.last.is_some() && crash_loop {
                let finished = c.last.as_ref().map(|t| t.finished_at).unwrap_or(now);
                if c.crash_backoff.in_backoff_since(finished, now) {
                    return;
                }
                c.crash_backoff.next(now);
                c.restarts += 1;
                c.state = CState::Waiting { reason: "ContainerCreating".into(), message: None };
            }
            if ensure_image(w, pod, c) {
                start(w, pod, rt, c);
            }
        }
        Was::Running => {
            exec::run(w, pod, rt, c);
            if c.is_running() {
                probes::run(w, pod, rt, c);
            }
        }
        Was::Terminated(t) => {
            let restart = match policy {
                "Always" => true,
                "OnFailure" => t.exit_code != 0,
                _ => false,
            };
            if !restart {
                return;
            }
            c.last = Some(Box::new(t.clone()));
            c.prev_log = Some(Box::new(std::mem::take(&mut c.log)));
            c.proc = None;
            if let Some(root) = c.root.take() {
                // A restarted container gets a fresh writable layer.
                w.kubelet.fs.remove(root);
            }
            if c.crash_backoff.in_backoff_since(t.finished_at, now) {
                let msg = format!(
                    "back-off {}s restarting failed container={} pod={}_{}({})",
                    c.crash_backoff.delay_s, c.name, rt.name, rt.namespace, rt.uid
                );
                c.state = CState::Waiting { reason: "CrashLoopBackOff".into(), message: Some(msg) };
                pod_event(
                    w,
                    pod,
                    Some(&c.name),
                    Warning,
                    "BackOff",
                    &format!(
                        "Back-off restarting failed container {} in pod {}_{}({})",
                        c.name, rt.name, rt.namespace, rt.uid
                    ),
                );
                return;
            }
            c.crash_backoff.next(now);
            c.restarts += 1;
            c.pull = Pull::NotStarted;
            if ensure_image(w, pod, c) {
                start(w, pod, rt, c);
            } else {
                c.state = CState::Waiting { reason: "ContainerCreating".into(), message: None };
            }
        }
    }
}

/// Pull policy after defaulting: Always for `:latest` or no tag, else IfNotPresent.
fn pull_policy(c: &Container) -> String {
    if let Some(p) = &c.image_pull_policy {
        return p.clone();
    }
    let r = ImageRef::parse(c.image.as_deref().unwrap_or(""));
    if r.digest.is_none() && r.tag == "latest" {
        "Always".into()
    } else {
        "IfNotPresent".into()
    }
}

/// Drives the image pull; true once the image is on the node.
fn ensure_image(w: &mut World, pod: &Pod, c: &mut CtrRt) -> bool {
    // Every sync of a started container comes here: answer before parsing anything.
    if matches!(c.pull, Pull::Done) {
        return true;
    }
    let now = w.now;
    // Nor while a pull is under way.
    if matches!(c.pull, Pull::Pulling { until, .. } if now < until) {
        return false;
    }
    let image = c.spec.image.clone().unwrap_or_default();
    let r = ImageRef::parse(&image);
    let full = r.full();
    let node = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or_default();
    match c.pull.clone() {
        Pull::Done => return true,
        Pull::Pulling { until, ms } => {
            if now < until {
                return false;
            }
            return finish_pull(w, pod, c, &image, &r, ms);
        }
        Pull::Failed { at, .. } => {
            if c.pull_backoff.in_backoff_since(at, now) {
                let err = match &c.pull {
                    Pull::Failed { error, .. } => error.clone(),
                    _ => String::new(),
                };
                if !matches!(&c.state, CState::Waiting { reason, .. } if reason == "ImagePullBackOff") {
                    c.state = CState::Waiting {
                        reason: "ImagePullBackOff".into(),
                        message: Some(format!("Back-off pulling image \"{image}\": ErrImagePull: {err}")),
                    };
                    pod_event(w, pod, Some(&c.name), Normal, "BackOff", &format!("Back-off pulling image \"{image}\""));
                    pod_event(w, pod, Some(&c.name), Warning, "Failed", "Error: ImagePullBackOff");
                }
                return false;
            }
            c.pull_backoff.next(now);
        }
        Pull::NotStarted => {}
    }
    let present = w.kubelet.node_images.get(node).is_some_and(|s| s.contains(full.as_str()));
    let policy = pull_policy(&c.spec);
    if present && policy != "Always" {
        pod_event(
            w,
            pod,
            Some(&c.name),
            Normal,
            "Pulled",
            &format!("Container image \"{image}\" already present on machine"),
        );
        c.pull = Pull::Done;
        set_image_ids(w, c, &r);
        return true;
    }
    if policy == "Never" {
        let msg = format!("Container image \"{image}\" is not present with pull policy of Never");
        c.state = CState::Waiting { reason: "ErrImageNeverPull".into(), message: Some(msg.clone()) };
        pod_event(w, pod, Some(&c.name), Warning, "ErrImageNeverPull", &msg);
        return false;
    }
    pod_event(w, pod, Some(&c.name), Normal, "Pulling", &format!("Pulling image \"{image}\""));
    let ms = match w.images.lookup(&r) {
        Lookup::Found(spec) => {
            // A re-pull of a cached image only checks the manifest: a fraction of a second.
            let base = if present { 300 + spec.pull_ms / 8 } else { spec.pull_ms };
            base + rand::Rng::gen_range(&mut w.rng, 0..400)
        }
        _ => 400 + rand::Rng::gen_range(&mut w.rng, 0..600),
    };
    // The `slow-pulls` fault.
    let ms = ms * u64::from(w.faults.pull_slowdown.max(1));
    let until = now.plus_s(ms.div_ceil(1000));
    c.pull = Pull::Pulling { until, ms };
    if let CState::Waiting { reason, .. } = &c.state {
        if reason == "ErrImagePull" || reason == "ImagePullBackOff" {
            // Stays in its back-off state text until the pull resolves.
        } else {
            c.state = CState::Waiting {
                reason: if c.is_init { "PodInitializing".into() } else { "ContainerCreating".into() },
                message: None,
            };
        }
    }
    if now >= until {
        return finish_pull(w, pod, c, &image, &r, ms);
    }
    false
}

fn set_image_ids(w: &mut World, c: &mut CtrRt, r: &ImageRef) {
    c.image_ref = r.full();
    let digest = crate::sim::images::digest_of(&c.image_ref);
    c.image_id = format!("{}/{}@sha256:{}", r.registry, r.path, digest);
    if let Lookup::Found(spec) = w.images.lookup(r) {
        c.image = Some(spec.clone());
    }
}

/// Go's time.Duration formatting for pull times (`2.818s`, `512ms`).
fn go_duration_ms(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms}ms")
    } else {
        let s = format!("{}.{:03}", ms / 1000, ms % 1000);
        format!("{}s", s.trim_end_matches('0').trim_end_matches('.'))
    }
}

fn finish_pull(w: &mut World, pod: &Pod, c: &mut CtrRt, image: &str, r: &ImageRef, ms: u64) -> bool {
    let now = w.now;
    let node = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or_default();
    let full = r.full();
    let error = if w.registry_down {
        Some(format!(
            "rpc error: code = Unknown desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": failed to do request: Head \"https://registry-1.docker.io/v2/{}/manifests/{}\": dial tcp: lookup registry-1.docker.io: i/o timeout",
            r.path, r.tag
        ))
    } else {
        match w.images.lookup(r) {
            Lookup::Found(_) => None,
            Lookup::NoSuchTag => Some(format!(
                "rpc error: code = NotFound desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": {full}: not found"
            )),
            Lookup::NoSuchRepository => Some(format!(
                "rpc error: code = Unknown desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed"
            )),
        }
    };
    if let Some(err) = error {
        pod_event(w, pod, Some(&c.name), Warning, "Failed", &format!("Failed to pull image \"{image}\": {err}"));
        pod_event(w, pod, Some(&c.name), Warning, "Failed", "Error: ErrImagePull");
        c.state = CState::Waiting { reason: "ErrImagePull".into(), message: Some(err.clone()) };
        c.pull = Pull::Failed { error: err, at: now };
        if c.pull_backoff.delay_s == 0 {
            c.pull_backoff.next(now);
        }
        return false;
    }
    let size = w.images.lookup(r);
    let size = match size {
        Lookup::Found(s) => s.size_bytes,
        _ => 0,
    };
    let d = go_duration_ms(ms);
    pod_event(
        w,
        pod,
        Some(&c.name),
        Normal,
        "Pulled",
        &format!("Successfully pulled image \"{image}\" in {d} ({d} including waiting). Image size: {size} bytes."),
    );
    // Asked first: every pod on a node pulls the same few images, so the names are copied
    // only the first time.
    let images = match w.kubelet.node_images.get_mut(node) {
        Some(set) => set,
        None => w.kubelet.node_images.entry(node.to_string()).or_default(),
    };
    if !images.contains(full.as_str()) {
        images.insert(full);
    }
    c.pull = Pull::Done;
    c.pull_backoff = Backoff::default();
    set_image_ids(w, c, r);
    true
}

/// The container's argv: command (or the image's entrypoint) followed by args (or, when
/// neither command nor args are given, the image's cmd). Returns (argv, is_image_default).
pub fn argv_of(c: &Container, image: Option<&ImageSpec>, env: &Env) -> (Vec<String>, bool) {
    let entry = image.map(|i| i.entrypoint.clone()).unwrap_or_default();
    let cmd = image.map(|i| i.cmd.clone()).unwrap_or_default();
    let is_default = c.command.is_none() && c.args.is_none();
    let command = c.command.clone().unwrap_or(entry);
    let args = match (&c.command, &c.args) {
        (_, Some(a)) => a.clone(),
        (Some(_), None) => vec![],
        (None, None) => cmd,
    };
    let argv = command.into_iter().chain(args).map(|a| super::env::expand(&a, |n| env.get(n))).collect();
    (argv, is_default)
}

/// Builds the container's root filesystem and mounts its volumes.
/// The read-only layer of a container's root filesystem: the usual directories and the
/// image's files, built once per image and shared by its containers (the pod's own files,
/// such as /etc/hosts, go in each container's upper layer).
fn image_layer(w: &mut World, image: Option<&ImageSpec>) -> std::sync::Arc<Tree> {
    let key = image.map(|i| i.repository.clone()).unwrap_or_default();
    if let Some(layer) = w.kubelet.image_layers.get(&key) {
        return layer.clone();
    }
    let mut root = Tree::new();
    for d in
        ["bin", "dev", "etc", "home", "proc", "root", "sys", "tmp", "usr/bin", "usr/local/bin", "var/log", "var/run"]
    {
        root.add_dirs(d);
    }
    if let Some(img) = image {
        for (path, content) in &img.files {
            root.add_file(path, content.as_bytes(), 0o644);
        }
    }
    let layer = std::sync::Arc::new(root);
    w.kubelet.image_layers.insert(key, layer.clone());
    layer
}

fn setup_fs(w: &mut World, pod: &Pod, rt: &PodRt, c: &mut CtrRt) {
    let image = image_layer(w, c.image.as_deref());
    let ip = rt.ip.clone().unwrap_or_default();
    // The pod's hostname, and its FQDN when it has a subdomain (StatefulSet pods).
    let (hostname, fqdn) = crate::sim::dns::pod_hostname(pod);
    let names = match fqdn {
        Some(f) => format!("{f}\t{hostname}"),
        None => hostname.clone(),
    };
    let own = [
        ("/etc/hostname", format!("{hostname}\n")),
        (
            "/etc/hosts",
            format!(
                "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{ip}\t{names}\n"
            ),
        ),
    ];
    let resolv = format!(
        "search {}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n",
        rt.namespace
    );
    let read_only_root = c.spec.security_context.as_ref().and_then(|s| s.read_only_root_filesystem).unwrap_or(false);
    // subPath mounts of single files are copies, as real subPath mounts do not follow
    // later updates of the volume either.
    let mut sub_files: Vec<(&str, Option<Vec<u8>>)> = Vec::new();
    let mut mounts = Vec::new();
    for m in c.volume_mounts.iter().flatten() {
        let Some(id) = rt.volumes.iter().find(|(n, _)| *n == m.name).map(|(_, id)| *id) else { continue };
        match m.sub_path.as_deref().filter(|s| !s.is_empty()) {
            Some(sub) => sub_files.push((&m.mount_path, w.kubelet.fs.get(id).and_then(|t| t.read_file(sub)))),
            None => mounts.push(Mount {
                path: format!("/{}", m.mount_path.trim_matches('/')),
                volume: id,
                read_only: m.read_only.unwrap_or(false),
            }),
        }
    }
    let mount_points: Vec<&str> = mounts.iter().map(|m| m.path.as_str()).collect();
    let layered = sub_files.is_empty();
    let root = root_tree(&mut w.kubelet.fs, image, &own, &resolv, &sub_files, &mount_points, layered);
    let root_id = w.kubelet.fs.add(root);
    let mut all = vec![Mount { path: "/".into(), volume: root_id, read_only: read_only_root }];
    all.extend(mounts);
    c.root = Some(root_id);
    c.mounts = Mounts(all);
}

/// A container's root filesystem over its image's layer: the pod's own files (`own`:
/// hostname, hosts), the namespace's resolv.conf, the subPath copies (a missing one is a
/// directory) and the mount points, in that order.
///
/// `layered` (used without subPath copies): what the container shares with the other pods
/// of its namespace and template (resolv.conf, the mount points) goes in a middle layer
/// shared through `fs`, and only the pod's own files in the container's upper layer. The
/// middle layer's entries are added in the same order as a single layer's, and the upper
/// layer's files replace anything a mount point made at their paths, as in a single layer
/// they would have kept it from being made: the tree reads the same either way.
fn root_tree(
    fs: &mut Volumes,
    image: std::sync::Arc<Tree>,
    own: &[(&str, String)],
    resolv: &str,
    sub_files: &[(&str, Option<Vec<u8>>)],
    mount_points: &[&str],
    layered: bool,
) -> Tree {
    let own_files = |root: &mut Tree| {
        for (path, content) in own {
            root.add_file(path, content.as_bytes(), 0o644);
        }
    };
    let mut root = Tree::over(image);
    if !layered {
        own_files(&mut root);
    }
    root.add_file("/etc/resolv.conf", resolv.as_bytes(), 0o644);
    for (path, data) in sub_files {
        match data {
            Some(data) => root.add_file(path, data, 0o644),
            None => root.add_dirs(path.trim_start_matches('/')),
        }
    }
    for path in mount_points {
        root.add_dirs(path.trim_start_matches('/'));
    }
    if layered {
        root = Tree::over(fs.share(root));
        own_files(&mut root);
    }
    root
}

/// The kubelet's `verifyRunAsNonRoot`: with `runAsNonRoot: true` in the effective security
/// context (the container's fields over the pod's), a `runAsUser` of 0 breaks the policy,
/// and without a `runAsUser` the image's user decides. Every image of the catalog runs as
/// root (no `USER` in its config), so that case always fails.
pub fn verify_run_as_non_root(pod: &Pod, c: &Container) -> Result<(), String> {
    let pod_sc = pod.spec.as_ref().and_then(|s| s.security_context.as_ref());
    let sc = c.security_context.as_ref();
    let non_root = sc.and_then(|s| s.run_as_non_root).or(pod_sc.and_then(|s| s.run_as_non_root));
    if non_root != Some(true) {
        return Ok(());
    }
    let meta = &pod.metadata;
    let who = format!(
        "{}_{}({})",
        meta.name.as_deref().unwrap_or_default(),
        meta.namespace.as_deref().unwrap_or_default(),
        meta.uid.as_deref().unwrap_or_default()
    );
    match sc.and_then(|s| s.run_as_user).or(pod_sc.and_then(|s| s.run_as_user)) {
        Some(0) => Err(format!("container's runAsUser breaks non-root policy (pod: {who:?}, container: {})", c.name)),
        Some(_) => Ok(()),
        None => {
            Err(format!("container has runAsNonRoot and image will run as root (pod: {who:?}, container: {})", c.name))
        }
    }
}

/// Creates and starts the container: env, filesystem, process; Created/Started events.
fn start(w: &mut World, pod: &Pod, rt: &mut PodRt, c: &mut CtrRt) {
    let now = w.now;
    let no_env = BTreeMap::new();
    let image_env = c.image.as_deref().map_or(&no_env, |i| &i.env);
    // The kubelet builds the environment first, then checks runAsNonRoot; both failures
    // are CreateContainerConfigError, retried at each sync.
    let env = match super::env::resolve(w, pod, &c.spec, rt, image_env).and_then(|env| {
        verify_run_as_non_root(pod, &c.spec)?;
        Ok(env)
    }) {
        Ok(env) => env,
        Err(msg) => {
            c.state = CState::Waiting { reason: "CreateContainerConfigError".into(), message: Some(msg.clone()) };
            if c.last_config_error.is_none_or(|t| now.since(t) >= 10) {
                c.last_config_error = Some(now);
                pod_event(w, pod, Some(&c.name), Warning, "Failed", &format!("Error: {msg}"));
            }
            return;
        }
    };
    let env = w.kubelet.env_cache.env(env);
    c.container_id = format!("containerd://{}", w.random_hex(64));
    setup_fs(w, pod, rt, c);
    let (argv, is_default) = argv_of(&c.spec, c.image.as_deref(), &env);
    pod_event(w, pod, Some(&c.name), Normal, "Created", &format!("Created container {}", c.name));
    match exec::spawn(w, rt, c, &argv, is_default, env) {
        Ok(p) => c.proc = Some(p),
        Err(msg) => {
            // The runtime could not exec the command: StartError, then crash-loop back-off.
            pod_event(w, pod, Some(&c.name), Warning, "Failed", &format!("Error: {msg}"));
            c.state = CState::Terminated(Term {
                exit_code: 128,
                reason: "StartError".into(),
                message: Some(msg),
                started_at: Tick(0),
                finished_at: now,
                container_id: c.container_id.clone(),
            });
            return;
        }
    }
    pod_event(w, pod, Some(&c.name), Normal, "Started", &format!("Started container {}", c.name));
    c.state = CState::Running { started_at: now };
    c.started = c.spec.startup_probe.is_none();
    c.ready = c.started && c.spec.readiness_probe.is_none() && !c.is_init;
    if c.sidecar {
        c.ready = c.started && c.spec.readiness_probe.is_none();
    }
    c.probes = probes::Probes::new(now, &c.spec);
    c.kill = None;
    // The process runs at once: `echo hi` exits within the tick it started in.
    exec::run(w, pod, rt, c);
}

/// Marks the container terminated with `code`, keeping its output.
pub fn terminated(w: &mut World, c: &mut CtrRt, code: i32, reason: &str) {
    let now = w.now;
    c.flush_partial(now);
    let started_at = match c.state {
        CState::Running { started_at } => started_at,
        _ => now,
    };
    c.state = CState::Terminated(Term {
        exit_code: code,
        reason: reason.to_string(),
        message: None,
        started_at,
        finished_at: now,
        container_id: c.container_id.clone(),
    });
    c.ready = false;
    c.proc = None;
    c.kill = None;
    if !c.is_init || c.sidecar {
        c.started = false;
    }
}

/// Begins stopping a container: SIGTERM now, SIGKILL at `deadline`.
pub fn begin_kill(w: &mut World, c: &mut CtrRt, deadline: Tick) {
    if c.kill.is_some() || !c.is_running() {
        return;
    }
    c.kill = Some(Kill { deadline });
    exec::sigterm(w, c);
}

/// Graceful pod termination; true once every container has stopped.
pub fn terminate_pod(w: &mut World, pod: &Pod, rt: &mut PodRt) -> bool {
    let now = w.now;
    let deadline = pod.metadata.deletion_timestamp.as_ref().map(tick_of).unwrap_or(now);
    let mut all_stopped = true;
    let mut list: Vec<CtrRt> = rt.containers.drain(..).chain(rt.init.drain(..)).collect();
    for c in list.iter_mut() {
        if c.is_running() {
            if c.kill.is_none() {
                pod_event(w, pod, Some(&c.name), Normal, "Killing", &format!("Stopping container {}", c.name));
                begin_kill(w, c, deadline);
            }
            exec::run(w, pod, rt, c);
            if c.is_running() && now >= deadline {
                terminated(w, c, 137, "Error");
            }
        }
        if c.is_running() {
            all_stopped = false;
        } else if let CState::Waiting { .. } = c.state {
            // Never started: nothing to stop.
        }
    }
    let n_main = pod.spec.as_ref().map_or(0, |s| s.containers.len());
    let mut it = list.into_iter();
    rt.containers = it.by_ref().take(n_main).collect();
    rt.init = it.collect();
    if all_stopped {
        for c in rt.containers.iter().chain(rt.init.iter()) {
            if let Some(root) = c.root {
                w.kubelet.fs.remove(root);
            }
        }
        volumes::teardown(w, rt);
    }
    all_stopped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(go_duration_ms(2818), "2.818s");
        assert_eq!(go_duration_ms(2000), "2s");
        assert_eq!(go_duration_ms(2500), "2.5s");
        assert_eq!(go_duration_ms(512), "512ms");
    }

    #[test]
    fn a_layered_root_reads_as_a_single_layer() {
        let mut image = Tree::new();
        for d in ["etc", "var/run", "tmp"] {
            image.add_dirs(d);
        }
        image.add_file("/etc/nginx/nginx.conf", b"conf", 0o644);
        let image = std::sync::Arc::new(image);
        let own = [("/etc/hostname", "web-1\n".to_string()), ("/etc/hosts", "10.0.0.1\tweb-1\n".to_string())];
        let resolv = "search default.svc.cluster.local\n";
        // Mount points anywhere, including at and under the pod's own files.
        let cases: [&[&str]; 5] = [
            &[],
            &["/var/run/secrets/kubernetes.io/serviceaccount"],
            &["/etc/hosts", "/data", "/etc/nginx/conf.d"],
            &["/etc/hostname/x", "/etc/resolv.conf/y", "/etc/hosts"],
            &["/etc", "/etc/nginx/nginx.conf/z"],
        ];
        let mut fs = Volumes::new();
        for mount_points in cases {
            let single = root_tree(&mut fs, image.clone(), &own, resolv, &[], mount_points, false);
            let layered = root_tree(&mut fs, image.clone(), &own, resolv, &[], mount_points, true);
            assert!(single == layered, "{mount_points:?}");
            for path in ["etc/hosts", "etc/hostname", "etc/resolv.conf"] {
                assert_eq!(single.read_file(path), layered.read_file(path), "{path} with {mount_points:?}");
            }
        }
        // Pods of the same namespace and mounts share the middle layer.
        let a = root_tree(&mut fs, image.clone(), &own, resolv, &[], &["/data"], true);
        let other = [("/etc/hostname", "web-2\n".to_string()), ("/etc/hosts", "10.0.0.2\tweb-2\n".to_string())];
        let b = root_tree(&mut fs, image.clone(), &other, resolv, &[], &["/data"], true);
        let (ia, ib) = (fs.add(a), fs.add(b));
        assert_eq!(fs.get(ia).and_then(|t| t.read_file("etc/hostname")), Some(b"web-1\n".to_vec()));
        assert_eq!(fs.get(ib).and_then(|t| t.read_file("etc/hostname")), Some(b"web-2\n".to_vec()));
        assert!(fs.get(ib).and_then(|t| t.read_file("etc/resolv.conf")).is_some());
    }
}
