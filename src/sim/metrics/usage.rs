//! The resource-use model: how much CPU and memory a running container uses, as cAdvisor in
//! the kubelet would measure it. A container's use comes from
//! - its image (`assets/images.yaml`: the idle working set `memoryMi`, idle CPU `cpuMilli`);
//! - its program (`polinux/stress` workers and `--vm-bytes`, `vish/stress -cpus`, the
//!   webapp's `CPU_MILLI` and `LEAK_MI_PER_S` knobs) or its shell (a loop that never sleeps
//!   burns a whole core; each wake-up of a sleeping loop costs a little);
//! - the load it serves: every HTTP request its program answers costs the image's
//!   `requestCpuMs` (the webapp's `REQUEST_CPU_MS` knob overrides it);
//! - small noise, a pure function of the seed, the container and the time (so reading metrics
//!   never draws from the world's RNG and never perturbs the rest of the simulation);
//! - and its limits: CPU above `limits.cpu` is throttled by the CFS quota; memory above
//!   `limits.memory` is an OOM kill (`kubelet::exec` judges it on [`proc_memory_bytes`], the
//!   same figure `kubectl top` shows).

use std::sync::atomic::{AtomicU64, Ordering};

use crate::sim::clock::Tick;
use crate::sim::images::ImageSpec;
use crate::sim::kubelet::programs::{mib_to_bytes, Kind as Program};
use crate::sim::kubelet::{CtrRt, Proc};

/// CPU milliseconds one wake-up of a sleeping shell loop costs (busybox forking `date`,
/// `echo` redirections...).
pub const SHELL_WAKE_CPU_MS: f64 = 2.0;
/// The working set of a shell process itself (busybox `sh`, dash), in MiB.
pub const SHELL_MEMORY_MI: f64 = 0.35;
/// CPU milliseconds a load generator spends on each request it sends.
pub const LOADGEN_REQUEST_CPU_MS: f64 = 0.05;

/// A counter programs bump through a shared reference while answering a request (routing
/// only holds `&CtrRt`). Atomic so that the kubelet's state stays `Sync`; the simulation is
/// single-threaded, so the order of updates is deterministic.
#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Clone for Counter {
    fn clone(&self) -> Self {
        Counter(AtomicU64::new(self.get()))
    }
}

/// A container's resource accounting, kept by the kubelet (cAdvisor) beside its runtime state.
#[derive(Clone, Debug, Default)]
pub struct CtrStats {
    /// HTTP requests the container's programs have answered, ever.
    pub served: Counter,
    /// Times the container's shell woke up to run commands, ever.
    pub wakes: u64,
    /// The run (container start) the figures below belong to; a restart starts them afresh.
    pub run_started: Option<Tick>,
    /// CPU used by this run, in core-nanoseconds (cAdvisor's `usage_core_nanoseconds`).
    pub cpu_ns: u64,
    /// When `cpu_ns` was last brought up to date.
    pub read_at: Tick,
    /// `served` and `wakes` as they were at `read_at`.
    pub served_at_read: u64,
    pub wakes_at_read: u64,
    /// The container's noise key (see [`noise_key`]) once a reading has needed it; 0 before.
    pub noise_key: u64,
    /// The spec's `limits.cpu` (millicores) and `limits.memory` (bytes), parsed with the noise
    /// key: a container's spec never changes, and a scrape reads every container.
    pub limits: (Option<f64>, Option<u64>),
    /// A `kubedojo/loadgen` container's counters.
    pub load: super::load::LoadStats,
}

impl CtrStats {
    /// Starts the accounting of a new run of the container.
    pub fn restart(&mut self, started: Tick) {
        self.run_started = Some(started);
        self.cpu_ns = 0;
        self.read_at = started;
        self.served_at_read = self.served.get();
        self.wakes_at_read = self.wakes;
    }
}

/// A deterministic number in [0, 1) from the seed, a key and a time: the metrics' noise.
pub fn noise(seed: u64, key: &str, salt: u64, t: i64) -> f64 {
    noise_of(seed, fnv_extend(FNV_OFFSET, key.as_bytes()), salt, t)
}

/// FNV-1a's starting state.
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a of `bytes` continued from state `h` (so a key can be hashed in parts).
pub fn fnv_extend(mut h: u64, bytes: &[u8]) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The key of a container's noise: "<namespace>/<pod>/<container>" hashed.
pub fn noise_key(namespace: &str, pod: &str, container: &str) -> u64 {
    let h = fnv_extend(fnv_extend(FNV_OFFSET, namespace.as_bytes()), b"/");
    fnv_extend(fnv_extend(fnv_extend(h, pod.as_bytes()), b"/"), container.as_bytes())
}

/// [`noise`] of a key already hashed with [`fnv_extend`].
pub fn noise_of(seed: u64, h: u64, salt: u64, t: i64) -> f64 {
    let mut x = h ^ seed.rotate_left(17) ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (t as u64).rotate_left(41);
    // splitmix64's finaliser.
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

fn env_f64(env: &crate::sim::kubelet::Env, key: &str) -> Option<f64> {
    env.get(key).and_then(|v| v.trim().parse::<f64>().ok()).filter(|v| v.is_finite() && *v >= 0.0)
}

/// CPU a running program wants, in millicores, before load and limits.
fn program_cpu_milli(p: &crate::sim::kubelet::Program, image: Option<&ImageSpec>) -> f64 {
    if p.exited.is_some() {
        return 0.0;
    }
    let idle = image.map_or(0.0, |i| i.cpu_milli);
    match &p.kind {
        Program::Stress { cpu_workers, vm_workers, vm_hang, .. } => {
            // A vm worker that hangs on its memory only wakes to re-touch it.
            let vm = if *vm_hang { 2.0 } else { 1000.0 };
            f64::from(*cpu_workers) * 1000.0 + f64::from(*vm_workers) * vm
        }
        Program::Webapp => idle + env_f64(&p.env, "CPU_MILLI").unwrap_or(0.0),
        // Opening and reading a connection costs the client a little too.
        Program::LoadGen => idle + f64::from(super::load::settings(&p.env).1) * LOADGEN_REQUEST_CPU_MS,
        Program::Exit(_) => 0.0,
        _ => idle,
    }
}

/// CPU milliseconds one request answered by the container costs.
pub fn request_cpu_ms(c: &CtrRt) -> f64 {
    let from_env = match &c.proc {
        Some(Proc::Program(p)) => env_f64(&p.env, "REQUEST_CPU_MS"),
        Some(Proc::Shell { programs, .. }) => programs.iter().find_map(|p| env_f64(&p.env, "REQUEST_CPU_MS")),
        None => None,
    };
    from_env.unwrap_or_else(|| c.image.as_deref().map_or(0.0, |i| i.request_cpu_ms))
}

/// The CPU a container wants right now, in millicores, given the requests it answered and the
/// wake-ups of its shell per second since the last reading. Limits are applied by the caller.
pub fn cpu_demand_milli(c: &CtrRt, served_per_s: f64, wakes_per_s: f64) -> f64 {
    let image = c.image.as_deref();
    let own = match &c.proc {
        Some(Proc::Program(p)) => program_cpu_milli(p, image),
        Some(Proc::Shell { wake_at, programs, .. }) => {
            // A shell that never sleeps is `Busy` (no wake time): a loop like
            // `while true; do :; done` keeps one core busy.
            let busy = if wake_at.is_none() { 1000.0 } else { 0.0 };
            busy + wakes_per_s * SHELL_WAKE_CPU_MS + programs.iter().map(|p| program_cpu_milli(p, image)).sum::<f64>()
        }
        None => 0.0,
    };
    // Most containers serve nothing: no need to look up what a request costs.
    if served_per_s == 0.0 {
        return own;
    }
    own + served_per_s * request_cpu_ms(c)
}

/// The working set of a container's process tree in bytes (what an OOM kill is judged on).
pub fn proc_memory_bytes(proc: &Proc, image: Option<&ImageSpec>, now: Tick) -> u64 {
    match proc {
        Proc::Program(p) => p.memory_bytes(now),
        Proc::Shell { programs, .. } => {
            // The image's own figure is its shell's when the image's program is a shell.
            let shell_mi = match image {
                Some(i) if i.program == "exit" => i.memory_mi,
                _ => SHELL_MEMORY_MI,
            };
            mib_to_bytes(shell_mi) + programs.iter().map(|p| p.memory_bytes(now)).sum::<u64>()
        }
    }
}

/// `limits.cpu` of a container in millicores, if any.
pub fn cpu_limit_milli(c: &CtrRt) -> Option<f64> {
    let q = c.spec.resources.as_ref()?.limits.as_ref()?.get("cpu")?;
    crate::sim::quantity::parse_milli(&q.0).ok().map(|m| m.max(0) as f64)
}

/// CPU use after noise and the CFS quota: a throttled container runs just under its limit.
pub fn cpu_used_milli(demand: f64, limit: Option<f64>, u1: f64, u2: f64) -> f64 {
    let noisy = demand * (0.92 + 0.16 * u1);
    match limit {
        Some(l) if noisy > l * 0.97 => l * (0.95 + 0.04 * u2),
        _ => noisy,
    }
}

/// Working set after noise (±1.5 %), in whole pages and never above the limit (the kernel
/// reclaims or the OOM killer acts before that).
pub fn memory_reported(bytes: u64, limit: Option<u64>, u: f64) -> u64 {
    let noisy = (bytes as f64 * (0.985 + 0.03 * u)) as u64 / 4096 * 4096;
    match limit {
        Some(l) => noisy.min(l),
        None => noisy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_deterministic_and_in_range() {
        let a = noise(1, "default/web/nginx", 3, 15);
        assert_eq!(a, noise(1, "default/web/nginx", 3, 15));
        assert_ne!(a, noise(2, "default/web/nginx", 3, 15));
        assert_ne!(a, noise(1, "default/web/nginx", 3, 30));
        for t in 0..1000 {
            let n = noise(7, "x", 1, t);
            assert!((0.0..1.0).contains(&n));
        }
    }

    #[test]
    fn a_noise_key_is_the_hashed_path_of_the_container() {
        assert_eq!(noise_key("default", "web", "nginx"), fnv_extend(FNV_OFFSET, b"default/web/nginx"));
    }

    #[test]
    fn throttled_cpu_stays_under_the_limit() {
        for i in 0..100 {
            let u = f64::from(i) / 100.0;
            let used = cpu_used_milli(2000.0, Some(1000.0), u, 1.0 - u);
            assert!((950.0..=990.0).contains(&used), "{used}");
        }
        // Far below the limit: just the noise.
        let used = cpu_used_milli(100.0, Some(1000.0), 0.5, 0.5);
        assert!((92.0..=108.0).contains(&used));
    }

    #[test]
    fn memory_noise_never_passes_the_limit() {
        let limit = 100 << 20;
        assert!(memory_reported(limit, Some(limit), 0.99) <= limit);
        assert_eq!(memory_reported(10 << 20, None, 0.5) % 4096, 0);
    }
}
