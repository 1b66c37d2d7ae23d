//! A harness for profiling the TUI's frame (`perf record`): the bench's cluster at
//! `NODES`/`PODS` (default 100/10,000) converged, then `FRAMES` frames each after one
//! simulated second, as `kubedojo bench` times them.
//!
//!     cargo run --release --example frame_profile -- 100 10000 2000

use std::time::Instant;

use kubedojo::cli::bench;
use kubedojo::tui::{self, Msg};

fn main() {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (nodes, pods, frames) = (
        args.first().copied().unwrap_or(100),
        args.get(1).copied().unwrap_or(10_000),
        args.get(2).copied().unwrap_or(1000),
    );
    let cfg = bench::Config { nodes, pods, ticks: 0, seed: 1 };
    let (mut w, deployments) = bench::build(&cfg).expect("builds");
    w.run_until(|w| bench::converged(w, &deployments).0, 900).expect("converges");
    let mut story = bench::pods_screen(w);
    story.draw();
    let (mut step, mut draw) = (0.0, 0.0);
    for _ in 0..frames {
        let t = Instant::now();
        tui::dispatch(&mut story.app, Msg::Step);
        step += t.elapsed().as_secs_f64();
        let t = Instant::now();
        story.draw();
        draw += t.elapsed().as_secs_f64();
    }
    let n = frames.max(1) as f64;
    println!("step_ms: {:.3}\ndraw_ms: {:.3}", step * 1e3 / n, draw * 1e3 / n);
}
