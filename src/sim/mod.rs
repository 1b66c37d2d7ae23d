//! The simulated cluster: one [`World`] owns all of its state — the clock, the one seeded RNG,
//! the object store, and the kubelets' runtime state — and [`World::tick`] advances it by one
//! simulated second through a fixed list of sub-steps.
//!
//! **Architecture invariant:** nothing in `sim` does I/O, reads the wall clock or draws
//! entropy; everything it needs comes in as data (the seed, commands, the embedded catalog).

pub mod addons;
pub mod api;
pub mod clock;
pub mod cluster;
pub mod controllers;
pub mod dns;
pub mod endpoints;
pub mod events;
pub mod faults;
pub mod images;
pub mod indexed;
pub mod ingress;
pub mod kubelet;
pub mod metrics;
pub mod net;
pub mod netpol;
pub mod network;
pub mod nodes;
pub mod object;
pub mod quantity;
pub mod scheduler;
pub mod scheduling;
pub mod services;
pub mod storage;
pub mod store;
pub mod volumebinding;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use clock::Tick;
pub use object::{Kind, ObjKey, Object};

/// The alphabet Kubernetes draws generated name suffixes from (no vowels, no confusables).
pub const SAFE_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// ASCII bytes as a String (cheaper than collecting chars, which encodes each one).
fn ascii(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_default()
}

/// One named sub-step of [`World::tick`].
pub type TickStep = fn(&mut World);

/// The sub-steps of [`World::tick`] after the clock moves, in order, with a name each (so a
/// benchmark can time them one by one without keeping its own copy of the list).
pub const TICK_STEPS: &[(&str, TickStep)] = &[
    ("faults", faults::tick),
    ("nodes", nodes::reconcile),
    ("controllers", controllers::run),
    ("scheduler", scheduling::schedule_pending),
    ("kubelets", kubelet::sync_all),
    ("services", services::reconcile),
    ("metrics", metrics::tick),
];

/// The whole simulated cluster.
pub struct World {
    /// Simulated time: one tick is one second.
    pub now: Tick,
    /// The only source of randomness: every decision that is random in Kubernetes (generated
    /// names, uids, tie-breaks, chosen endpoints, faults) draws from it.
    pub rng: ChaCha8Rng,
    pub seed: u64,
    pub store: store::Store,
    pub images: images::Catalog,
    pub kubelet: kubelet::Kubelets,
    pub scheduler: scheduler::Scheduler,
    pub network: network::Network,
    pub sched_queue: scheduling::Queue,
    /// The controller manager's caches and work queues.
    pub controllers: controllers::Controllers,
    /// Fault: the image registry is unreachable (pulls fail).
    pub registry_down: bool,
    /// What is true of each node's machine and kubelet, and the taint eviction queue.
    pub nodes: nodes::Nodes,
    /// Faults to come (a scenario's timeline, a random rate) and those applied.
    pub faults: faults::Faults,
    /// metrics-server: the resource metrics `kubectl top` and the HPA read.
    pub metrics: metrics::MetricsServer,
    pub(crate) event_seq: u64,
    /// Watches the world after every tick (see [`TickObserver`]); `None` outside lessons.
    pub observer: Option<Box<dyn TickObserver>>,
}

/// Something that looks at the world at the end of every tick, wherever the tick comes from
/// (a `sleep` in the learner's shell, `kubectl wait`, the TUI's clock). Lessons use it to
/// evaluate checks that must hold at every tick of a window ("no downtime during the
/// rollout") and to apply a scenario's fault timeline. An observer must leave no trace in
/// the world's behaviour (it restores the RNG if it reads through kubectl), so that the same
/// seed and commands give the same world whether or not anyone watches.
pub trait TickObserver: Send {
    fn after_tick(&mut self, world: &mut World);
}

impl World {
    /// An empty cluster (no nodes, no namespaces) seeded with `seed`; only the API server's
    /// bootstrap RBAC policy is there.
    pub fn bare(seed: u64) -> World {
        let mut w = World {
            now: clock::ARRIVAL,
            rng: ChaCha8Rng::seed_from_u64(seed),
            seed,
            store: store::Store::new(),
            images: images::Catalog::builtin(),
            kubelet: kubelet::Kubelets::default(),
            scheduler: scheduler::Scheduler::default(),
            network: network::Network::default(),
            sched_queue: scheduling::Queue::default(),
            controllers: controllers::Controllers::default(),
            registry_down: false,
            nodes: nodes::Nodes::default(),
            faults: faults::Faults::default(),
            metrics: metrics::MetricsServer::default(),
            event_seq: 0,
            observer: None,
        };
        api::rbac::bootstrap(&mut w);
        w
    }

    /// The default cluster (target `empty`): a control plane and two workers, 4 CPU / 8Gi
    /// each, and the four standard namespaces.
    pub fn new(seed: u64) -> World {
        let mut w = World::bare(seed);
        cluster::install_default(&mut w);
        w
    }

    /// A fresh uid (RFC 4122 version 4 layout, from the seeded RNG).
    pub fn new_uid(&mut self) -> String {
        store::format_uid(self.new_uid_bits())
    }

    /// [`World::new_uid`] as a number (the same draw, printed the same by
    /// `store::format_uid`), for the event recorder, which keeps uids as numbers.
    pub(crate) fn new_uid_bits(&mut self) -> u128 {
        let b: [u8; 16] = self.rng.gen();
        // The 32 hex digits `new_uid` prints, most significant first.
        let mut n: u128 = 0;
        let mut push = |v: u8, nibbles: u32| n = (n << (4 * nibbles)) | u128::from(v);
        for &x in &b[..6] {
            push(x, 2);
        }
        push(4, 1);
        push(b[6] & 0x0f, 1);
        push(b[7], 2);
        push(8 | (b[8] & 0x3), 1);
        push(b[8] >> 4, 1);
        push(b[9], 2);
        for &x in &b[10..] {
            push(x, 2);
        }
        n
    }

    /// `n` characters from the safe alphabet, as `generateName` and pod-template-hash use.
    pub fn random_suffix(&mut self, n: usize) -> String {
        let s: Vec<u8> = (0..n).map(|_| SAFE_ALPHABET[self.rng.gen_range(0..SAFE_ALPHABET.len())]).collect();
        ascii(s)
    }

    /// `n` lower-case hex digits (container ids, image digests).
    pub fn random_hex(&mut self, n: usize) -> String {
        const HEX: &[u8] = b"0123456789abcdef";
        ascii((0..n).map(|_| HEX[self.rng.gen_range(0..16)]).collect())
    }

    /// Advances the cluster by one simulated second. The order of the sub-steps is the order
    /// in which a real control plane would observe each other's work within a second:
    /// 1. the clock moves;
    /// 2. faults due now are applied (a node goes down before anyone notices);
    /// 3. node lifecycle: heartbeats, NotReady after the grace period, taints, evictions;
    /// 4. controllers reconcile (Deployments → ReplicaSets → pods, Jobs, ..., garbage
    ///    collection), so the pods they create this second are pending for the scheduler;
    /// 5. the scheduler binds pending pods (kube-scheduler picks them from its queue right
    ///    after the watch event);
    /// 6. the kubelets sync their pods (pull, start, probe, restart, terminate), reading the
    ///    bindings the scheduler just made;
    /// 7. the networking controllers (`services::reconcile`): the endpoints and EndpointSlice
    ///    controllers follow the readiness the kubelets just reported, so a Service routes to
    ///    a pod in the same second it turns Ready; load balancers and ingress controllers
    ///    publish their addresses;
    /// 8. metrics-server reads the kubelets' resource stats when its 15 s resolution is due
    ///    (after the kubelets, so it sees the containers they just started or stopped);
    /// 9. the observer, if any (a lesson's `during` checks), sees the finished second.
    pub fn tick(&mut self) {
        self.begin_tick();
        for (_, step) in TICK_STEPS {
            step(self);
        }
        // Last, once the second is complete: the observer sees the state the tick produced.
        if let Some(mut observer) = self.observer.take() {
            observer.after_tick(self);
            if self.observer.is_none() {
                self.observer = Some(observer);
            }
        }
    }

    /// What comes before a tick's steps ([`TICK_STEPS`]): the clock moves on a second and the
    /// store's change log learns that a tick begins.
    pub fn begin_tick(&mut self) {
        self.now = self.now.plus_s(1);
        self.store.begin_tick();
    }

    /// Runs `n` ticks.
    pub fn advance(&mut self, n: u64) {
        for _ in 0..n {
            self.tick();
        }
    }

    /// Ticks until `done` holds (checked before each tick), at most `ticks_max` ticks. Fails
    /// loudly with the seed so the run can be reproduced.
    pub fn run_until<F: FnMut(&World) -> bool>(&mut self, mut done: F, ticks_max: u64) -> Result<u64, String> {
        for i in 0..=ticks_max {
            if done(self) {
                return Ok(i);
            }
            if i < ticks_max {
                self.tick();
            }
        }
        Err(format!(
            "condition not reached within {ticks_max} ticks (now {}; reproduce with KUBEDOJO_SEED={})",
            self.now.0, self.seed
        ))
    }
}
