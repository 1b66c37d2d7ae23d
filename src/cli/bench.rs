//! `kubedojo bench`: the engine at Kubernetes' own limits (DESIGN §11, issue 8). It builds a
//! cluster of N nodes and M pods — Deployments of 100 replicas, each with a Service — runs it
//! to convergence (every pod Running and Ready, every Service's endpoints complete), then runs
//! T steady ticks with about 20 changes a simulated second (container crashes, scale changes,
//! one rollout), and prints one figure a line as `key: value`.
//!
//! This is CLI code, not `sim`: it reads clocks and `/proc/self/status`. Times are the CPU
//! time of the thread that runs the world (`CLOCK_THREAD_CPUTIME_ID`), so that a machine
//! busy with other work does not inflate them: the budgets are for one core. The world it
//! drives is as deterministic as any other: the same seed gives the same cluster and the same
//! churn; only the timings vary.

use std::sync::Arc;
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use crate::sim::api::WriteOptions;
use crate::sim::cluster::{self, NodeConfig};
use crate::sim::faults::{self, Fault};
use crate::sim::{Kind, ObjKey, Object, World, TICK_STEPS};

/// Replicas of each Deployment (and so pods behind each Service).
pub const REPLICAS: u64 = 100;
/// Deployments (and Services) per namespace: namespaces of 3,000 pods, as clusterloader2's
/// density test lays them out.
const DEPLOYMENTS_PER_NAMESPACE: u64 = 30;
/// Changes applied before each steady tick: container crashes and scale changes (a rollout
/// is started at the first steady tick and runs on).
const KILLS_PER_TICK: usize = 17;
const SCALES_PER_TICK: usize = 3;
/// How long convergence may take, in simulated seconds, before the bench gives up.
const CONVERGE_TICKS_MAX: u64 = 900;

/// What to measure.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    pub nodes: u64,
    pub pods: u64,
    pub ticks: u64,
    pub seed: u64,
}

/// The sizes `--sweep` runs (nodes, pods): below, at and beyond Kubernetes' limits.
pub const SWEEP: &[(u64, u64)] = &[(1_000, 30_000), (5_000, 150_000), (15_000, 450_000)];

/// The figures of one run.
#[derive(Clone, Debug, Default)]
pub struct Figures {
    pub nodes: u64,
    pub pods: u64,
    /// Wall seconds from the first tick to convergence.
    pub converge_s: f64,
    /// Simulated seconds convergence took.
    pub converge_ticks: u64,
    /// Pods bound per wall second spent in the scheduler step while converging.
    pub schedule_pods_per_s: f64,
    pub steady_tick_ms: f64,
    pub steady_tick_p99_ms: f64,
    pub peak_rss_mb: Option<f64>,
    /// One TUI frame at 160×48 listing the pods of every namespace (None if it could not be
    /// drawn).
    pub frame_ms: Option<f64>,
    /// The TUI's first frame after launch: the embedded course loaded and checked, the lesson
    /// picker built and drawn at 160×48 (see [`first_frame`]).
    pub first_frame_ms: Option<f64>,
    /// The same for `kubedojo play <first lesson>`: the course loaded, the lesson's scenario
    /// set up, its play screen drawn.
    pub first_lesson_frame_ms: Option<f64>,
    /// Simulated seconds per wall second of the steady ticks (the churn's own API calls,
    /// made between ticks, are the workload and not counted).
    pub sim_speedup: f64,
    /// Changes applied during the steady phase.
    pub changes: u64,
    /// Pods the kubelets still had to sync at the end (the rest were idle).
    pub busy_pods: usize,
    /// Whether convergence could check Services' endpoints (the endpoints controller exists).
    pub endpoints_checked: bool,
    /// CPU time per tick sub-step while converging, in `TICK_STEPS` order.
    pub converge_steps: Vec<(&'static str, Duration)>,
    /// CPU time per tick sub-step over the steady ticks, in `TICK_STEPS` order.
    pub steady_steps: Vec<(&'static str, Duration)>,
    /// Steady ticks measured.
    pub ticks: u64,
    /// API writes (the store's change log) during the steady phase, by kind: what the churn
    /// sets off.
    pub steady_writes: std::collections::BTreeMap<&'static str, u64>,
}

impl Figures {
    /// The figures as `key: value` lines.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut line = |k: &str, v: String| {
            out.push_str(k);
            out.push_str(": ");
            out.push_str(&v);
            out.push('\n');
        };
        line("nodes", self.nodes.to_string());
        line("pods", self.pods.to_string());
        line("converge_s", format!("{:.3}", self.converge_s));
        line("converge_ticks", self.converge_ticks.to_string());
        if !self.endpoints_checked {
            line("endpoints", "not checked (no endpoints controller in this build)".into());
        }
        line("schedule_pods_per_s", format!("{:.0}", self.schedule_pods_per_s));
        line("steady_tick_ms", format!("{:.3}", self.steady_tick_ms));
        line("steady_tick_p99_ms", format!("{:.3}", self.steady_tick_p99_ms));
        line("steady_changes", self.changes.to_string());
        line("steady_busy_pods", self.busy_pods.to_string());
        line(
            "peak_rss_mb",
            self.peak_rss_mb.map_or_else(|| "n/a (no /proc/self/status)".into(), |m| format!("{m:.1}")),
        );
        line(
            "frame_ms",
            self.frame_ms.map_or_else(|| "n/a (the frame could not be drawn)".into(), |f| format!("{f:.3}")),
        );
        let ms = |f: Option<f64>| f.map_or_else(|| "n/a (the frame could not be drawn)".into(), |f| format!("{f:.3}"));
        line("first_frame_ms", ms(self.first_frame_ms));
        line("first_lesson_frame_ms", ms(self.first_lesson_frame_ms));
        line("sim_speedup", format!("{:.0}", self.sim_speedup));
        // Where the time goes: each sub-step's total while converging, and its mean per
        // steady tick.
        for (name, d) in &self.converge_steps {
            line(&format!("converge_{name}_s"), format!("{:.3}", d.as_secs_f64()));
        }
        for (name, d) in &self.steady_steps {
            let per_tick = if self.ticks > 0 { d.as_secs_f64() * 1e3 / self.ticks as f64 } else { 0.0 };
            line(&format!("steady_{name}_ms"), format!("{per_tick:.3}"));
        }
        for (kind, n) in &self.steady_writes {
            let per_tick = if self.ticks > 0 { *n as f64 / self.ticks as f64 } else { 0.0 };
            line(&format!("steady_writes_{kind}_per_tick"), format!("{per_tick:.1}"));
        }
        out
    }
}

/// Builds the cluster: nodes, namespaces, Deployments and Services (nothing has ticked yet).
pub fn build(cfg: &Config) -> Result<(World, Vec<ObjKey>), String> {
    let mut w = World::bare(cfg.seed);
    for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        cluster::add_namespace(&mut w, ns);
    }
    let width = cfg.nodes.to_string().len().max(2);
    for i in 1..=cfg.nodes {
        // Large machines, as clusters of thousands of nodes have: room for 110 pods each.
        let node =
            NodeConfig { cpu: "32".into(), memory: "128Gi".into(), ..NodeConfig::worker(&format!("node{i:0width$}")) };
        cluster::add_node(&mut w, &node);
    }
    let deployments = cfg.pods.div_ceil(REPLICAS);
    let mut keys = Vec::new();
    for d in 0..deployments {
        let ns = format!("bench-{:03}", d / DEPLOYMENTS_PER_NAMESPACE);
        if d % DEPLOYMENTS_PER_NAMESPACE == 0 {
            let obj = Object::from_value(Kind::Namespace, json!({"metadata": {"name": ns}}))?;
            w.api_create(obj, WriteOptions::default()).map_err(|e| e.to_string())?;
        }
        let name = format!("web-{d:04}");
        let replicas = REPLICAS.min(cfg.pods - d * REPLICAS);
        let deploy = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{
                        "name": "nginx",
                        "image": "nginx:1.27",
                        "ports": [{"containerPort": 80}],
                        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}
                    }]}
                }
            }
        });
        let svc = json!({
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 80}]}
        });
        for (kind, v) in [(Kind::Deployment, deploy), (Kind::Service, svc)] {
            let obj = Object::from_value(kind, v)?;
            w.api_create(obj, WriteOptions::default()).map_err(|e| e.to_string())?;
        }
        keys.push(ObjKey::new(&ns, &name));
    }
    Ok((w, keys))
}

/// Whether every Deployment has all its replicas updated and ready, and (when the endpoints
/// controller exists) every Service lists them all as ready endpoints. Returns (converged,
/// endpoints checked).
pub fn converged(w: &World, deployments: &[ObjKey]) -> (bool, bool) {
    let endpoints_exist = w.store.count(Kind::Endpoints) > 0;
    for key in deployments {
        let Some(Object::Deployment(d)) = w.store.get(Kind::Deployment, &key.namespace, &key.name) else {
            return (false, endpoints_exist);
        };
        let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let Some(st) = d.status.as_ref() else { return (false, endpoints_exist) };
        if st.observed_generation != d.metadata.generation
            || st.replicas != Some(want)
            || st.updated_replicas != Some(want)
            || st.ready_replicas != Some(want)
        {
            return (false, endpoints_exist);
        }
        if endpoints_exist && ready_endpoints(w, key) != Some(want as usize) {
            return (false, endpoints_exist);
        }
    }
    (true, endpoints_exist)
}

/// Ready addresses in a Service's Endpoints (None while some are not ready or it is missing).
fn ready_endpoints(w: &World, key: &ObjKey) -> Option<usize> {
    let Some(Object::Endpoints(e)) = w.store.get(Kind::Endpoints, &key.namespace, &key.name) else { return None };
    let mut ready = 0;
    for s in e.subsets.iter().flatten() {
        if s.not_ready_addresses.as_ref().is_some_and(|a| !a.is_empty()) {
            return None;
        }
        ready += s.addresses.as_ref().map_or(0, |a| a.len());
    }
    Some(ready)
}

/// CPU time of the calling thread.
fn cpu_now() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime only writes the timespec we pass; it cannot fail for this clock
    // on Linux (and a failure leaves zeros, which only spoils a figure).
    unsafe {
        libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts);
    }
    Duration::new(ts.tv_sec.max(0) as u64, ts.tv_nsec.clamp(0, 999_999_999) as u32)
}

/// A stopwatch on the thread's CPU time.
struct Stopwatch(Duration);

impl Stopwatch {
    fn start() -> Stopwatch {
        Stopwatch(cpu_now())
    }
    fn elapsed(&self) -> Duration {
        cpu_now().saturating_sub(self.0)
    }
}

/// One tick, timing each sub-step into `steps`.
fn timed_tick(w: &mut World, steps: &mut [Duration]) {
    w.begin_tick();
    for (i, (_, step)) in TICK_STEPS.iter().enumerate() {
        let t = Stopwatch::start();
        step(w);
        steps[i] += t.elapsed();
    }
}

/// The churn of one steady second: container crashes and scale changes on random
/// Deployments (replicas kept within 5 of the start). Returns how many changes were made.
fn churn(w: &mut World, rng: &mut ChaCha8Rng, deployments: &[ObjKey], pods: &[Arc<ObjKey>]) -> u64 {
    let mut changes = 0;
    if !pods.is_empty() {
        for _ in 0..KILLS_PER_TICK {
            // A pod may be gone or restarting: a few tries find a running one.
            for _ in 0..5 {
                let p = &pods[rng.gen_range(0..pods.len())];
                let kill = Fault::Kill { namespace: p.namespace.clone(), pod: p.name.clone(), container: None };
                if faults::apply(w, &kill).is_ok() {
                    changes += 1;
                    break;
                }
            }
        }
    }
    for _ in 0..SCALES_PER_TICK {
        let key = &deployments[rng.gen_range(0..deployments.len())];
        let up = rng.gen_bool(0.5);
        let Some(Object::Deployment(mut d)) = w.store.get(Kind::Deployment, &key.namespace, &key.name).cloned() else {
            continue;
        };
        let Some(spec) = std::sync::Arc::make_mut(&mut d).spec.as_mut() else { continue };
        let r = spec.replicas.unwrap_or(1) as u64;
        let next = if (up && r < REPLICAS + 5) || r <= REPLICAS.saturating_sub(5) { r + 1 } else { r - 1 };
        spec.replicas = Some(next as i32);
        if w.api_update(Object::Deployment(d), WriteOptions::default()).is_ok() {
            changes += 1;
        }
    }
    changes
}

/// Starts a rollout of the first Deployment (a new image).
fn rollout(w: &mut World, key: &ObjKey) -> u64 {
    let Some(Object::Deployment(mut d)) = w.store.get(Kind::Deployment, &key.namespace, &key.name).cloned() else {
        return 0;
    };
    for c in std::sync::Arc::make_mut(&mut d)
        .spec
        .iter_mut()
        .flat_map(|s| s.template.spec.iter_mut())
        .flat_map(|s| s.containers.iter_mut())
    {
        c.image = Some("nginx:1.26".into());
    }
    u64::from(w.api_update(Object::Deployment(d), WriteOptions::default()).is_ok())
}

/// The pods' keys, shared with the store: copying 150,000 keys every ten ticks (and freeing
/// the previous copy) filled the caches and the allocator's free lists with the bench's own
/// work just before the tick it timed.
fn pod_keys(w: &World) -> Vec<Arc<ObjKey>> {
    w.store.shared_keys(Kind::Pod)
}

/// Runs the benchmark at one size.
pub fn run(cfg: &Config) -> Result<Figures, String> {
    run_keeping(cfg).map(|(figures, _)| figures)
}

/// Runs the benchmark at one size and hands back the world it ran (in the TUI it was drawn
/// in), for a caller that would rather not wait for it to be freed.
fn run_keeping(cfg: &Config) -> Result<(Figures, crate::tui::testing::Story), String> {
    // First, while the process is as fresh as a launched one (in a sweep, only the first
    // size's figure is cold).
    let (first_frame_ms, first_lesson_frame_ms) = first_frame();
    reset_peak_rss();
    let (mut w, deployments) = build(cfg)?;
    let mut steps = vec![Duration::ZERO; TICK_STEPS.len()];
    let sched = TICK_STEPS.iter().position(|(n, _)| *n == "scheduler").unwrap_or(0);

    // Converge.
    let start = Stopwatch::start();
    let mut ticks = 0;
    let endpoints_checked = loop {
        let (done, endpoints) = converged(&w, &deployments);
        if done {
            break endpoints;
        }
        if ticks >= CONVERGE_TICKS_MAX {
            return Err(format!(
                "bench: the cluster did not converge within {CONVERGE_TICKS_MAX} simulated seconds (seed {})",
                cfg.seed
            ));
        }
        timed_tick(&mut w, &mut steps);
        ticks += 1;
    };
    let converge_s = start.elapsed().as_secs_f64();
    let schedule_s = steps[sched].as_secs_f64();
    let bound = w
        .store
        .list(Kind::Pod, None)
        .into_iter()
        .filter_map(|o| o.as_pod())
        .filter(|p| p.spec.as_ref().is_some_and(|s| s.node_name.is_some()))
        .count() as f64;

    // Steady state with churn.
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x6b75_6265_646f_6a6f);
    let mut pods = pod_keys(&w);
    let mut times = Vec::with_capacity(cfg.ticks as usize);
    let mut changes = 0;
    let mut in_ticks = Duration::ZERO;
    let mut steady_steps = vec![Duration::ZERO; TICK_STEPS.len()];
    let mut steady_writes = std::collections::BTreeMap::new();
    for i in 0..cfg.ticks {
        if i == 0 {
            changes += rollout(&mut w, &deployments[0]);
        }
        if i % 10 == 0 {
            pods = pod_keys(&w);
        }
        let rv = w.store.resource_version();
        changes += churn(&mut w, &mut rng, &deployments, &pods);
        let t = Stopwatch::start();
        timed_tick(&mut w, &mut steady_steps);
        let d = t.elapsed();
        if let Some(log) = w.store.watch(rv) {
            for e in log {
                *steady_writes.entry(e.kind.name()).or_default() += 1;
            }
        }
        in_ticks += d;
        times.push(d.as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| -> f64 {
        if times.is_empty() {
            return 0.0;
        }
        let i = ((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1;
        times[i]
    };
    let busy_pods = w.kubelet.busy_len();
    let (frame_ms, story) = frame_ms(w);
    let figures = Figures {
        nodes: cfg.nodes,
        pods: cfg.pods,
        converge_s,
        converge_ticks: ticks,
        schedule_pods_per_s: if schedule_s > 0.0 { bound / schedule_s } else { 0.0 },
        steady_tick_ms: pct(0.5),
        steady_tick_p99_ms: pct(0.99),
        peak_rss_mb: peak_rss_mb(),
        frame_ms,
        first_frame_ms,
        first_lesson_frame_ms,
        sim_speedup: if in_ticks > Duration::ZERO { cfg.ticks as f64 / in_ticks.as_secs_f64() } else { 0.0 },
        changes,
        busy_pods,
        endpoints_checked,
        converge_steps: TICK_STEPS.iter().map(|(n, _)| *n).zip(steps).collect(),
        steady_steps: TICK_STEPS.iter().map(|(n, _)| *n).zip(steady_steps).collect(),
        ticks: cfg.ticks,
        steady_writes,
    };
    Ok((figures, story))
}

/// Frames timed after the steady phase; the median is reported.
const FRAMES: usize = 5;

/// The time to draw one TUI frame at 160×48 listing the pods of every namespace, on the
/// TUI's test backend (the median of a few frames, each after a simulated second, so the
/// view follows the changes of a tick as it does on screen). It takes the world, as the
/// TUI's App owns its world.
fn frame_ms(w: World) -> (Option<f64>, crate::tui::testing::Story) {
    use crate::tui::{self, Msg};

    let mut story = pods_screen(w);
    // The first frame lays out the screen once.
    story.draw();
    let mut times = Vec::with_capacity(FRAMES);
    for _ in 0..FRAMES {
        tui::dispatch(&mut story.app, Msg::Step);
        let t = Stopwatch::start();
        story.draw();
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    (times.get(FRAMES / 2).copied(), story)
}

/// The time from launch to the TUI's first frame, as `kubedojo` and `kubedojo play <lesson>`
/// go: the embedded course read and validated, the picker (or the first lesson's attempt,
/// its scenario set up) built, and a frame drawn at 160×48 on the test backend. Not counted:
/// the process's own start and the terminal's set-up (raw mode, alternate screen), which
/// are the same for any program, and reading the learner's progress (the bench reads none).
pub fn first_frame() -> (Option<f64>, Option<f64>) {
    use crate::tui::{self, testing::Story, App, Options};

    let options = || Options { color: true, title: "the CKAD course".into() };
    let t = Stopwatch::start();
    let loaded = crate::lesson::Course::embedded();
    let picker = tui::picker::Picker::new(&loaded.course, Default::default());
    let mut story = Story::with_app(App::with_picker(picker, options()), 160, 48);
    story.draw();
    let picker_ms = t.elapsed().as_secs_f64() * 1e3;

    let t = Stopwatch::start();
    let loaded = crate::lesson::Course::embedded();
    let lesson = loaded.course.ordered().next().cloned();
    let lesson_ms = lesson.and_then(|l| crate::lesson::Attempt::start(l, None).ok()).map(|a| {
        let mut story = Story::with_app(App::with_attempt(a, options()), 160, 48);
        story.draw();
        t.elapsed().as_secs_f64() * 1e3
    });
    (Some(picker_ms), lesson_ms)
}

/// The TUI at 160×48 on the pods of every namespace, as the frame is timed on.
pub fn pods_screen(w: World) -> crate::tui::testing::Story {
    let mut story = crate::tui::testing::Story::new(w, 160, 48);
    crate::tui::dispatch(&mut story.app, crate::tui::Msg::Command("pods all".into()));
    story
}

/// The process's peak resident set (VmHWM), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Resets the peak resident set to the current one (Linux: `5` to clear_refs), so each size
/// of a sweep reports its own peak. Best effort.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// `kubedojo bench`: runs one size or the sweep and prints the figures.
pub fn main(cfg: Config, sweep: bool) -> i32 {
    let sizes: Vec<(u64, u64)> = if sweep { SWEEP.to_vec() } else { vec![(cfg.nodes, cfg.pods)] };
    let last = sizes.len() - 1;
    for (i, (nodes, pods)) in sizes.into_iter().enumerate() {
        if nodes == 0 || pods == 0 {
            eprintln!("kubedojo bench: --nodes and --pods must be at least 1");
            return 2;
        }
        match run_keeping(&Config { nodes, pods, ..cfg }) {
            Ok((f, story)) => {
                if i > 0 {
                    println!();
                }
                print!("{}", f.render());
                // The process exits next: the OS takes the last world back at once, where
                // freeing it piece by piece takes some 10 s at 150,000 pods. A world before
                // the last is freed, so the next size's peak memory is its own.
                if i == last {
                    std::mem::forget(story);
                }
            }
            Err(e) => {
                eprintln!("{e}");
                return 1;
            }
        }
    }
    0
}
