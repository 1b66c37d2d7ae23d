//! The TUI on ratatui's TestBackend: named snapshots of moments of a scripted story (keys
//! typed through the real key mapping), and colours asserted where they carry meaning.

use kubedojo::sim::World;
use kubedojo::tui::testing::{pod_manifest_cmd, Story};

fn story() -> Story {
    Story::new(World::new(1), 110, 32)
}

#[test]
fn explore() {
    let mut s = story();
    s.typed(&pod_manifest_cmd("web", "nginx"));
    println!("{}", s.text());
    s.ticks(3);
    println!("{}", s.text());
    s.keys("<esc>?");
    println!("{}", s.text());
    s.keys("<esc>c");
    println!("{}", s.text());
    s.keys("<esc>d");
    println!("{}", s.text());
    s.keys("<esc>x");
    println!("{}", s.text());
    s.keys("<esc>i").typed("kubectl get po");
    s.keys("<tab>");
    println!("{}", s.text());
    s.resize(80, 24);
    println!("{}", s.text());
}
