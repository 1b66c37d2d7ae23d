//! Startup, liveness and readiness probes (exec, httpGet, tcpSocket, grpc) with all their
//! timing fields, as the kubelet's prober workers run them.
//!
//! Default values: initialDelaySeconds 0, periodSeconds 10, timeoutSeconds 1,
//! successThreshold 1, failureThreshold 3. Liveness and readiness wait for the startup probe.

use k8s_openapi::api::core::v1::{Container, Pod, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::containers::{begin_kill, CtrRt};
use super::{exec, pod_event, PodRt};
use crate::sim::clock::Tick;
use crate::sim::events::EventType::{Normal, Warning};
use crate::sim::World;

#[derive(Clone, Debug, Default)]
pub struct ProbeRt {
    /// When the probe next runs (None: no such probe).
    pub next_at: Option<Tick>,
    pub successes: i32,
    pub failures: i32,
}

#[derive(Clone, Debug, Default)]
pub struct Probes {
    pub startup: ProbeRt,
    pub liveness: ProbeRt,
    pub readiness: ProbeRt,
}

fn first_at(now: Tick, p: Option<&Probe>) -> Option<Tick> {
    p.map(|p| now.plus_s(p.initial_delay_seconds.unwrap_or(0).max(0) as u64))
}

impl Probes {
    pub fn new(now: Tick, c: &Container) -> Probes {
        Probes {
            startup: ProbeRt { next_at: first_at(now, c.startup_probe.as_ref()), ..Default::default() },
            liveness: ProbeRt { next_at: first_at(now, c.liveness_probe.as_ref()), ..Default::default() },
            readiness: ProbeRt { next_at: first_at(now, c.readiness_probe.as_ref()), ..Default::default() },
        }
    }
}

fn period(p: &Probe) -> u64 {
    p.period_seconds.unwrap_or(10).max(1) as u64
}

/// The port a probe targets: a number, or the name of one of the container's ports.
fn port_of(c: &Container, port: &IntOrString) -> Option<u16> {
    match port {
        IntOrString::Int(n) => u16::try_from(*n).ok(),
        IntOrString::String(name) => c
            .ports
            .iter()
            .flatten()
            .find(|p| p.name.as_deref() == Some(name.as_str()))
            .and_then(|p| u16::try_from(p.container_port).ok()),
    }
}

/// Runs one probe; Err is the failure text the kubelet puts in its Unhealthy event.
fn probe_once(w: &mut World, rt: &PodRt, c: &mut CtrRt, p: &Probe) -> Result<(), String> {
    let ip = rt.ip.clone().unwrap_or_default();
    if let Some(e) = &p.exec {
        let timeout = p.timeout_seconds.unwrap_or(1).max(1) as u64;
        let argv = e.command.clone().unwrap_or_default();
        return match exec::exec_once(w, rt, c, &argv, timeout) {
            exec::Outcome::Exited(0, _) => Ok(()),
            exec::Outcome::Exited(_, out) => Err(out.trim_end().to_string()),
            exec::Outcome::TimedOut => Err(format!("command \"{}\" timed out", argv.join(" "))),
            exec::Outcome::Failed(msg) => Err(msg),
        };
    }
    if let Some(h) = &p.http_get {
        let port = port_of(&c.spec, &h.port).unwrap_or(0);
        let path = h.path.clone().unwrap_or_else(|| "/".into());
        let host = h.host.clone().unwrap_or(ip);
        let scheme = h.scheme.clone().unwrap_or_else(|| "HTTP".into()).to_lowercase();
        return match exec::http_to_pod(w, rt, c, port, &path) {
            Some(code) if (200..400).contains(&code) => Ok(()),
            Some(code) => Err(format!("HTTP probe failed with statuscode: {code}")),
            None => Err(format!(
                "Get \"{scheme}://{host}:{port}{path}\": dial tcp {host}:{port}: connect: connection refused"
            )),
        };
    }
    if let Some(t) = &p.tcp_socket {
        let port = port_of(&c.spec, &t.port).unwrap_or(0);
        let host = t.host.clone().unwrap_or(ip);
        return if exec::pod_listens(w, rt, c, port) {
            Ok(())
        } else {
            Err(format!("dial tcp {host}:{port}: connect: connection refused"))
        };
    }
    if let Some(g) = &p.grpc {
        let port = u16::try_from(g.port).unwrap_or(0);
        return if exec::pod_listens(w, rt, c, port) {
            Ok(())
        } else {
            Err(format!("timeout: failed to connect service \"{ip}:{port}\" within 1s: context deadline exceeded"))
        };
    }
    Ok(())
}

/// Runs the probes that are due for a running container.
pub fn run(w: &mut World, pod: &Pod, rt: &PodRt, c: &mut CtrRt) {
    let now = w.now;
    if c.kill.is_some() {
        return;
    }
    let grace = |p: &Probe| {
        p.termination_grace_period_seconds
            .or_else(|| pod.spec.as_ref().and_then(|s| s.termination_grace_period_seconds))
            .unwrap_or(30)
            .max(0) as u64
    };
    if !c.started {
        let Some(p) = c.spec.startup_probe.clone() else {
            c.started = true;
            return;
        };
        if c.probes.startup.next_at.is_some_and(|t| now >= t) {
            c.probes.startup.next_at = Some(now.plus_s(period(&p)));
            match probe_once(w, rt, c, &p) {
                Ok(()) => {
                    c.probes.startup.failures = 0;
                    c.probes.startup.successes += 1;
                    if c.probes.startup.successes >= p.success_threshold.unwrap_or(1) {
                        c.started = true;
                        c.probes.startup.next_at = None;
                        c.probes.liveness.next_at = first_at(now, c.spec.liveness_probe.as_ref());
                        c.probes.readiness.next_at = first_at(now, c.spec.readiness_probe.as_ref());
                        if c.spec.readiness_probe.is_none() {
                            c.ready = true;
                        }
                    }
                }
                Err(msg) => {
                    c.probes.startup.successes = 0;
                    c.probes.startup.failures += 1;
                    pod_event(w, pod, Some(&c.name), Warning, "Unhealthy", &format!("Startup probe failed: {msg}"));
                    if c.probes.startup.failures >= p.failure_threshold.unwrap_or(3) {
                        pod_event(
                            w,
                            pod,
                            Some(&c.name),
                            Normal,
                            "Killing",
                            &format!("Container {} failed startup probe, will be restarted", c.name),
                        );
                        begin_kill(w, c, now.plus_s(grace(&p)));
                    }
                }
            }
        }
        if !c.started {
            return;
        }
    }
    if let Some(p) = c.spec.liveness_probe.clone() {
        if c.probes.liveness.next_at.is_some_and(|t| now >= t) {
            c.probes.liveness.next_at = Some(now.plus_s(period(&p)));
            match probe_once(w, rt, c, &p) {
                Ok(()) => c.probes.liveness.failures = 0,
                Err(msg) => {
                    c.probes.liveness.failures += 1;
                    pod_event(w, pod, Some(&c.name), Warning, "Unhealthy", &format!("Liveness probe failed: {msg}"));
                    if c.probes.liveness.failures >= p.failure_threshold.unwrap_or(3) {
                        pod_event(
                            w,
                            pod,
                            Some(&c.name),
                            Normal,
                            "Killing",
                            &format!("Container {} failed liveness probe, will be restarted", c.name),
                        );
                        begin_kill(w, c, now.plus_s(grace(&p)));
                        return;
                    }
                }
            }
        }
    }
    if let Some(p) = c.spec.readiness_probe.clone() {
        if c.probes.readiness.next_at.is_some_and(|t| now >= t) {
            c.probes.readiness.next_at = Some(now.plus_s(period(&p)));
            match probe_once(w, rt, c, &p) {
                Ok(()) => {
                    c.probes.readiness.failures = 0;
                    c.probes.readiness.successes += 1;
                    if c.probes.readiness.successes >= p.success_threshold.unwrap_or(1) {
                        c.ready = true;
                    }
                }
                Err(msg) => {
                    c.probes.readiness.successes = 0;
                    c.probes.readiness.failures += 1;
                    pod_event(w, pod, Some(&c.name), Warning, "Unhealthy", &format!("Readiness probe failed: {msg}"));
                    if c.probes.readiness.failures >= p.failure_threshold.unwrap_or(3) {
                        c.ready = false;
                    }
                }
            }
        }
    }
}
