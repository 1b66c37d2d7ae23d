//! `cargo bench` micro-benchmarks (divan), so that regressions in the engine show up: the
//! scheduler's cycle at 5,000 nodes, a lesson-sized tick (3 nodes, 50 pods: DESIGN §11 budget
//! 50 µs), and the transcript runner on the demo script. `kubedojo bench` measures the whole
//! engine at Kubernetes' limits; these are the small, repeatable pieces.

use kubedojo::cli::bench::{self, Config};
use kubedojo::shell::workstation::{transcript, Workstation};
use kubedojo::sim::{scheduler, World};

fn main() {
    divan::main();
}

/// Scheduling cycles at 5,000 nodes with kube-scheduler's default node sampling: 1,000
/// Deployment replicas (owner spreading on) placed and bound into the snapshot.
#[divan::bench(sample_count = 10)]
fn scheduler_5000_nodes_1000_pods() -> usize {
    scheduler::bench_workload(5_000, 1_000, 1, true)
}

/// One steady tick of a lesson-sized cluster: 3 nodes, 50 pods (one Deployment of 50
/// replicas with a Service), converged first.
#[divan::bench]
fn lesson_tick_3_nodes_50_pods(bencher: divan::Bencher) {
    let cfg = Config { nodes: 3, pods: 50, ticks: 0, seed: 1 };
    let (mut w, deployments) = bench::build(&cfg).expect("bench cluster");
    w.run_until(|w| bench::converged(w, &deployments).0, 300).expect("converges");
    bencher.bench_local(|| w.tick());
}

/// The transcript runner on the demo script (`examples/first.sh`), from a fresh cluster.
#[divan::bench(sample_count = 10)]
fn transcript_first_sh() -> usize {
    let script = include_str!("../examples/first.sh");
    let mut ws = Workstation::new(World::new(1));
    transcript(&mut ws, script).len()
}
