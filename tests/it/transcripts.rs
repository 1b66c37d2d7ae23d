//! Transcript tests: every script `tests/transcripts/NAME.sh` runs against the default cluster
//! (seed 1) — or, when it has a line `# scenario: PATH`, on that scenario file with its own
//! seed, as `kubedojo run PATH --script` would — and its exact transcript is compared with the insta snapshot
//! `tests/it/snapshots/it__transcripts__NAME.snap`. Each snapshot was read against what a real
//! v1.32 cluster prints before it was accepted.
//!
//! Scripts are discovered, not listed: adding `tests/transcripts/foo.sh` adds a test. They run
//! in four shards so the suite still uses every core; a failure names every script that
//! failed, and `INSTA_UPDATE=always` (or `cargo insta review`) records new snapshots to read.

use super::{run_scenario_script, run_script};

const SHARDS: usize = 4;

/// The transcript scripts, sorted by name.
fn scripts() -> Vec<String> {
    let dir = format!("{}/tests/transcripts", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {dir}: {e}"))
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.strip_suffix(".sh").map(str::to_string))
        .collect();
    names.sort();
    names
}

/// Runs one script and checks its snapshot; Err names the script.
fn check(name: &str) -> Result<(), String> {
    let path = format!("{}/tests/transcripts/{name}.sh", env!("CARGO_MANIFEST_DIR"));
    let script = std::fs::read_to_string(&path).map_err(|e| format!("{name}: cannot read {path}: {e}"))?;
    let scenario = script.lines().find_map(|l| l.strip_prefix("# scenario: ")).map(str::trim);
    let out = match scenario {
        Some(path) => run_scenario_script(path, &script),
        None => run_script(&script, 1),
    };
    std::panic::catch_unwind(|| {
        insta::assert_snapshot!(name, out);
    })
    .map_err(|_| name.to_string())
}

fn shard(i: usize) {
    let failed: Vec<String> =
        scripts().iter().enumerate().filter(|(n, _)| n % SHARDS == i).filter_map(|(_, s)| check(s).err()).collect();
    assert!(failed.is_empty(), "transcripts differing from their snapshots: {failed:?}");
}

#[test]
fn transcripts_shard_0() {
    shard(0);
}

#[test]
fn transcripts_shard_1() {
    shard(1);
}

#[test]
fn transcripts_shard_2() {
    shard(2);
}

#[test]
fn transcripts_shard_3() {
    shard(3);
}

#[test]
fn every_script_has_a_snapshot() {
    let dir = format!("{}/tests/it/snapshots", env!("CARGO_MANIFEST_DIR"));
    let missing: Vec<String> = scripts()
        .into_iter()
        .filter(|n| !std::path::Path::new(&format!("{dir}/it__transcripts__{n}.snap")).exists())
        .collect();
    assert!(missing.is_empty(), "scripts without an accepted snapshot: {missing:?}");
}
