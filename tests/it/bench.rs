//! `kubedojo bench` works (issue 8): a small cluster converges, the steady phase applies its
//! churn, and every figure is printed. No timing is asserted: timings belong to the bench.

use kubedojo::cli::bench::{self, Config};
use kubedojo::sim::Kind;

#[test]
fn bench_runs_at_a_small_size_and_prints_every_figure() {
    let cfg = Config { nodes: 4, pods: 250, ticks: 20, seed: 3 };
    let figures = bench::run(&cfg).expect("the bench cluster converges");
    assert_eq!((figures.nodes, figures.pods), (4, 250));
    assert!(figures.converge_ticks > 0);
    // 17 kills and 3 scale changes a second, and the rollout.
    assert!(figures.changes > 20 * 10, "churn applied: {}", figures.changes);
    assert!(figures.endpoints_checked, "convergence waits for the Services' endpoints");
    assert!(figures.frame_ms.is_some(), "a frame was drawn");
    let out = figures.render();
    for key in [
        "converge_s",
        "schedule_pods_per_s",
        "steady_tick_ms",
        "steady_tick_p99_ms",
        "peak_rss_mb",
        "frame_ms",
        "sim_speedup",
    ] {
        assert!(out.lines().any(|l| l.starts_with(&format!("{key}: "))), "{key} missing from:\n{out}");
    }
}

#[test]
fn bench_cluster_is_deployments_of_100_with_a_service_each() {
    let cfg = Config { nodes: 3, pods: 250, ticks: 0, seed: 1 };
    let (w, deployments) = bench::build(&cfg).expect("builds");
    assert_eq!(deployments.len(), 3);
    assert_eq!(w.store.count(Kind::Node), 3);
    assert_eq!(w.store.count(Kind::Deployment), 3);
    assert_eq!(w.store.count(Kind::Service), 3);
    let replicas: Vec<i32> = w
        .store
        .list(Kind::Deployment, None)
        .iter()
        .filter_map(|o| match o {
            kubedojo::sim::Object::Deployment(d) => d.spec.as_ref()?.replicas,
            _ => None,
        })
        .collect();
    assert_eq!(replicas, [100, 100, 50]);
}

#[test]
fn the_timed_frame_lists_the_pods_of_every_namespace() {
    let cfg = Config { nodes: 3, pods: 20, ticks: 0, seed: 1 };
    let (mut w, deployments) = bench::build(&cfg).expect("builds");
    w.run_until(|w| bench::converged(w, &deployments).0, 300).expect("converges");
    let mut story = bench::pods_screen(w);
    let text = story.text();
    assert!(text.contains("bench-000"), "pods of the bench namespace listed:\n{text}");
    assert!(text.contains("web-0000-"), "pods of the bench namespace listed:\n{text}");
    assert!(text.contains("Running"), "pods of the bench namespace listed:\n{text}");
}
