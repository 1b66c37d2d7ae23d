//! Faults as data and a few verbs: what an instructor (or a scenario, or the seeded dice)
//! does to the cluster to see how Kubernetes copes. A [`Fault`] is plain data; [`apply`]
//! carries it out on the world; the [`Faults`] schedule holds a scenario's timeline
//! (`at: <tick>`) and an optional random rate, applied at the start of each tick.
//!
//! The verbs (`chaos <verb> <target>` in the learner's shell and the TUI's prompt):
//!
//! | verb | what happens |
//! |---|---|
//! | `node-down NODE` | the machine loses power: kubelet silent, containers gone |
//! | `node-up NODE` | power back: the kubelet restarts, recreates sandboxes, restarts containers |
//! | `kubelet-stop NODE` / `kubelet-start NODE` | the kubelet stops (containers keep running) / starts |
//! | `partition NODE` / `heal NODE` | the node is cut off from the control plane and the other nodes / reconnected |
//! | `kill pod/NAME [-c CONTAINER] [-n NS]` | the container's process is killed (exit 137) |
//! | `registry-down` / `registry-up` | image pulls fail / work again |
//! | `slow-pulls FACTOR` | image pulls take FACTOR times longer (1 = normal) |
//! | `memory-pressure NODE on|off`, `disk-pressure NODE on|off` | the node runs short of memory / disk |
//! | `metrics-server off|on` | metrics-server is removed (no Metrics API) / installed again |
//! | `random RATE` | from now on, each tick a random fault strikes with probability RATE (0 turns it off) |

use rand::Rng;

use super::object::Kind;
use super::{Tick, World};

/// One fault.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    NodeDown(String),
    NodeUp(String),
    KubeletStop(String),
    KubeletStart(String),
    Partition(String),
    Heal(String),
    Kill {
        namespace: String,
        pod: String,
        container: Option<String>,
    },
    RegistryDown,
    RegistryUp,
    SlowPulls(u32),
    MemoryPressure(String, bool),
    DiskPressure(String, bool),
    /// metrics-server installed (true) or removed (false).
    MetricsServer(bool),
}

/// The faults to come: a timeline and a random rate.
#[derive(Clone, Debug)]
pub struct Faults {
    /// (tick, fault), applied when the clock reaches the tick, in the order given.
    pub timeline: Vec<(Tick, Fault)>,
    /// Probability per tick that a random fault strikes (0 = never).
    pub random_rate_per_tick: f64,
    /// Image pulls take this many times longer (1 = normal).
    pub pull_slowdown: u32,
    /// What has been applied, for the event log and the TUI: (tick, fault).
    pub history: Vec<(Tick, Fault)>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults { timeline: Vec::new(), random_rate_per_tick: 0.0, pull_slowdown: 1, history: Vec::new() }
    }
}

/// The verbs, with a line of help each (what `chaos` with no argument prints).
pub const VERBS: &[(&str, &str, &str)] = &[
    ("node-down", "NODE", "power off a node: its kubelet goes silent and its containers stop"),
    ("node-up", "NODE", "power a node back on"),
    ("kubelet-stop", "NODE", "stop a node's kubelet (its containers keep running)"),
    ("kubelet-start", "NODE", "start a node's kubelet again"),
    ("partition", "NODE", "cut a node off from the control plane and the other nodes"),
    ("heal", "NODE", "end a node's network partition"),
    ("kill", "pod/NAME [-c CONTAINER] [-n NAMESPACE]", "kill a container's process (exit code 137)"),
    ("registry-down", "", "make every image pull fail"),
    ("registry-up", "", "let image pulls work again"),
    ("slow-pulls", "FACTOR", "make image pulls FACTOR times slower (1 = normal)"),
    ("memory-pressure", "NODE on|off", "put a node under memory pressure (BestEffort pods get evicted)"),
    ("disk-pressure", "NODE on|off", "put a node under disk pressure"),
    ("metrics-server", "off|on", "remove metrics-server (no Metrics API for top and the HPA) or install it again"),
    ("random", "RATE", "strike a random fault each tick with probability RATE (0 = off)"),
];

/// Applies the faults due this tick: the timeline's, then maybe a random one.
pub fn tick(w: &mut World) {
    let now = w.now;
    let due: Vec<Fault> = w.faults.timeline.iter().filter(|(t, _)| *t == now).map(|(_, f)| f.clone()).collect();
    for f in due {
        let _ = apply(w, &f);
    }
    let rate = w.faults.random_rate_per_tick;
    if rate > 0.0 && w.rng.gen_bool(rate.min(1.0)) {
        if let Some(f) = random_fault(w) {
            let _ = apply(w, &f);
        }
    }
}

/// A random fault from the seeded RNG: a container kill (most likely), a node going down, or
/// a down node coming back.
fn random_fault(w: &mut World) -> Option<Fault> {
    let nodes: Vec<String> = w.store.list(Kind::Node, None).iter().map(|o| o.name().to_string()).collect();
    let down: Vec<String> = nodes.iter().filter(|n| w.nodes.get(n).is_some_and(|r| !r.powered)).cloned().collect();
    let roll = w.rng.gen_range(0..10);
    if roll == 0 && !down.is_empty() {
        let n = down[w.rng.gen_range(0..down.len())].clone();
        return Some(Fault::NodeUp(n));
    }
    if roll == 1 && !nodes.is_empty() {
        let n = nodes[w.rng.gen_range(0..nodes.len())].clone();
        return Some(Fault::NodeDown(n));
    }
    let running: Vec<(String, String)> = w
        .kubelet
        .pods
        .values()
        .filter(|p| p.containers.iter().any(|c| c.is_running()))
        .map(|p| (p.namespace.clone(), p.name.clone()))
        .collect();
    if running.is_empty() {
        return None;
    }
    let (namespace, pod) = running[w.rng.gen_range(0..running.len())].clone();
    Some(Fault::Kill { namespace, pod, container: None })
}

fn need_node(w: &World, n: &str) -> Result<(), String> {
    if w.store.get(Kind::Node, "", n).is_some() {
        Ok(())
    } else {
        Err(format!("chaos: node \"{n}\" not found"))
    }
}

/// Carries out a fault; Ok is what happened, in a line, Err why it could not be done.
pub fn apply(w: &mut World, f: &Fault) -> Result<String, String> {
    let now = w.now;
    let msg = match f {
        Fault::NodeDown(n) => {
            need_node(w, n)?;
            let rt = w.nodes.entry(n, now);
            if !rt.powered {
                return Ok(format!("node {n} is already down"));
            }
            rt.powered = false;
            rt.rebooted = true;
            format!("node {n} powered off")
        }
        Fault::NodeUp(n) => {
            need_node(w, n)?;
            let rt = w.nodes.entry(n, now);
            if rt.powered {
                return Ok(format!("node {n} is already up"));
            }
            rt.powered = true;
            rt.kubelet_running = true;
            super::kubelet::node_rebooted(w, n);
            format!("node {n} powered on")
        }
        Fault::KubeletStop(n) => {
            need_node(w, n)?;
            w.nodes.entry(n, now).kubelet_running = false;
            format!("kubelet on {n} stopped")
        }
        Fault::KubeletStart(n) => {
            need_node(w, n)?;
            w.nodes.entry(n, now).kubelet_running = true;
            format!("kubelet on {n} started")
        }
        Fault::Partition(n) => {
            need_node(w, n)?;
            w.nodes.entry(n, now).partitioned = true;
            format!("node {n} partitioned from the cluster network")
        }
        Fault::Heal(n) => {
            need_node(w, n)?;
            w.nodes.entry(n, now).partitioned = false;
            format!("node {n} reconnected")
        }
        Fault::Kill { namespace, pod, container } => kill(w, namespace, pod, container.as_deref())?,
        Fault::RegistryDown => {
            w.registry_down = true;
            "image registry unreachable: pulls fail".into()
        }
        Fault::RegistryUp => {
            w.registry_down = false;
            "image registry reachable again".into()
        }
        Fault::SlowPulls(factor) => {
            w.faults.pull_slowdown = (*factor).max(1);
            format!("image pulls now {}x slower", w.faults.pull_slowdown)
        }
        Fault::MemoryPressure(n, on) => {
            need_node(w, n)?;
            w.nodes.entry(n, now).memory_pressure = *on;
            format!("memory pressure on {n} {}", if *on { "on" } else { "off" })
        }
        Fault::DiskPressure(n, on) => {
            need_node(w, n)?;
            w.nodes.entry(n, now).disk_pressure = *on;
            format!("disk pressure on {n} {}", if *on { "on" } else { "off" })
        }
        Fault::MetricsServer(on) => {
            super::metrics::set_enabled(w, *on);
            if *on {
                "metrics-server installed: metrics appear after its first readings".into()
            } else {
                "metrics-server removed: the Metrics API is not available".into()
            }
        }
    };
    w.faults.history.push((now, f.clone()));
    Ok(msg)
}

/// Kills a container's process as the OOM killer or `kill -9` would: it exits 137 and the
/// kubelet restarts it per restartPolicy.
fn kill(w: &mut World, ns: &str, pod: &str, container: Option<&str>) -> Result<String, String> {
    let node = w
        .store
        .get(Kind::Pod, ns, pod)
        .ok_or_else(|| format!("chaos: pod \"{pod}\" not found in namespace \"{ns}\""))?
        .as_pod()
        .and_then(|p| p.spec.as_ref()?.node_name.clone());
    if node.as_deref().is_some_and(|n| !w.nodes.kubelet_syncs(n)) {
        return Err(format!("chaos: the node of pod \"{pod}\" is not reachable"));
    }
    let rt = w.kubelet.find(ns, pod).ok_or_else(|| format!("chaos: pod \"{pod}\" has no running containers"))?;
    let name = match container {
        Some(c) => {
            if rt.containers.iter().chain(rt.init.iter()).all(|x| x.name != c) {
                return Err(format!("chaos: container \"{c}\" not found in pod \"{pod}\""));
            }
            c.to_string()
        }
        None => rt.containers.first().map(|c| c.name.clone()).unwrap_or_default(),
    };
    let uid = rt.uid.clone();
    let Some(mut prt) = w.kubelet.pods.remove(&uid) else { return Err(format!("chaos: pod \"{pod}\" is gone")) };
    let mut result = Err(format!("chaos: container \"{name}\" of pod \"{pod}\" is not running"));
    if let Some(c) = prt.container_mut(&name) {
        if c.is_running() {
            let mut c2 = c.clone();
            super::kubelet::kill_container(w, &mut c2);
            if let Some(c) = prt.container_mut(&name) {
                *c = c2;
            }
            result = Ok(format!("killed container {name} of pod {pod}"));
        }
    }
    w.kubelet.wake(&prt.namespace, &prt.name);
    w.kubelet.pods.insert(uid, prt);
    result
}

/// Parses `chaos <verb> <args>` into a fault (or a rate change). Err is the usage text.
pub fn parse(args: &[String], default_ns: &str) -> Result<Command, String> {
    let verb = args.first().map(String::as_str).unwrap_or("");
    let arg = |i: usize| args.get(i).cloned().ok_or_else(|| usage_of(verb));
    let onoff = |s: &str| match s {
        "on" | "true" => Ok(true),
        "off" | "false" => Ok(false),
        _ => Err(usage_of(verb)),
    };
    Ok(Command::Fault(match verb {
        "node-down" => Fault::NodeDown(arg(1)?),
        "node-up" => Fault::NodeUp(arg(1)?),
        "kubelet-stop" => Fault::KubeletStop(arg(1)?),
        "kubelet-start" => Fault::KubeletStart(arg(1)?),
        "partition" => Fault::Partition(arg(1)?),
        "heal" => Fault::Heal(arg(1)?),
        "registry-down" => Fault::RegistryDown,
        "registry-up" => Fault::RegistryUp,
        "slow-pulls" => Fault::SlowPulls(arg(1)?.parse().map_err(|_| usage_of(verb))?),
        "memory-pressure" => Fault::MemoryPressure(arg(1)?, onoff(&arg(2)?)?),
        "disk-pressure" => Fault::DiskPressure(arg(1)?, onoff(&arg(2)?)?),
        "metrics-server" => Fault::MetricsServer(onoff(&arg(1)?)?),
        "random" => {
            let rate: f64 = arg(1)?.parse().map_err(|_| usage_of(verb))?;
            if !(0.0..=1.0).contains(&rate) {
                return Err("chaos random: RATE is a probability per tick, between 0 and 1".into());
            }
            return Ok(Command::Random(rate));
        }
        "kill" => {
            let mut target = None;
            let mut container = None;
            let mut ns = default_ns.to_string();
            let mut i = 1;
            while i < args.len() {
                match args[i].as_str() {
                    "-c" | "--container" => {
                        container = Some(arg(i + 1)?);
                        i += 1;
                    }
                    "-n" | "--namespace" => {
                        ns = arg(i + 1)?;
                        i += 1;
                    }
                    a => target = Some(a.to_string()),
                }
                i += 1;
            }
            let target = target.ok_or_else(|| usage_of(verb))?;
            let pod = target.strip_prefix("pod/").or_else(|| target.strip_prefix("pods/")).unwrap_or(&target);
            Fault::Kill { namespace: ns, pod: pod.to_string(), container }
        }
        _ => return Err(format!("chaos: unknown verb \"{verb}\"\n{}", list())),
    }))
}

/// A parsed chaos command.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Fault(Fault),
    Random(f64),
}

fn usage_of(verb: &str) -> String {
    match VERBS.iter().find(|(v, _, _)| *v == verb) {
        Some((v, a, _)) => format!("usage: chaos {v} {a}").trim_end().to_string(),
        None => list(),
    }
}

/// The list of verbs, as `chaos` with no argument prints it.
pub fn list() -> String {
    let mut s = String::from("usage: chaos VERB [ARGS]\n\nVerbs:\n");
    for (v, a, help) in VERBS {
        let head = if a.is_empty() { v.to_string() } else { format!("{v} {a}") };
        s.push_str(&format!("  {head:<44} {help}\n"));
    }
    s
}

/// The `chaos <verb> <target>` command of the learner's shell; returns what it prints and
/// its exit status.
pub fn chaos_command(w: &mut World, args: &[String]) -> (String, i32) {
    if args.is_empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
        return (list(), 0);
    }
    match parse(args, "default") {
        Ok(Command::Fault(f)) => match apply(w, &f) {
            Ok(m) => (format!("{m}\n"), 0),
            Err(e) => (format!("{e}\n"), 1),
        },
        Ok(Command::Random(rate)) => {
            w.faults.random_rate_per_tick = rate;
            if rate == 0.0 {
                ("random faults off\n".into(), 0)
            } else {
                (format!("random faults on: probability {rate} per tick\n"), 0)
            }
        }
        Err(e) => (format!("{e}\n"), 1),
    }
}
