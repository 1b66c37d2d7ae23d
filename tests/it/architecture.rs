//! Checks the architecture invariants of ARCHITECTURE.md by reading the sources.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Code lines (comments stripped) of every .rs file under `dir`.
fn sources(dir: &str) -> Vec<(String, String)> {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut files);
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            let code: String = text.lines().map(|l| l.split("//").next().unwrap_or("")).collect::<Vec<_>>().join("\n");
            (p.display().to_string(), code)
        })
        .collect()
}

const FORBIDDEN_IN_SIM: &[&str] = &[
    "std::fs",
    "std::net::TcpStream",
    "std::net::TcpListener",
    "std::net::UdpSocket",
    "std::process",
    "std::env",
    "std::thread",
    "SystemTime",
    "Instant::now",
    "Utc::now",
    "Local::now",
    "thread_rng",
    "OsRng",
    "from_entropy",
    "rand::random",
    "std::io::stdin",
    "std::io::stdout",
    "ratatui",
    "crossterm",
    "HashMap",
    "HashSet",
];

#[test]
fn sim_and_shell_do_no_io_and_read_no_clock() {
    let mut bad = Vec::new();
    for dir in ["src/sim", "src/shell"] {
        for (path, code) in sources(dir) {
            for f in FORBIDDEN_IN_SIM {
                // `sim::indexed` wraps hashbrown's map and set, with a fixed-seed hash, into
                // `LookupMap` and `LookupSet`, which cannot be iterated: the one place they
                // may be named.
                let wrapper = path.ends_with("src/sim/indexed.rs") && matches!(*f, "HashMap" | "HashSet");
                if code.contains(f) && !wrapper {
                    bad.push(format!("{path} uses {f}"));
                }
            }
        }
    }
    assert!(bad.is_empty(), "architecture invariant broken:\n{}", bad.join("\n"));
}

#[test]
fn only_tui_uses_the_terminal_crates() {
    let mut bad = Vec::new();
    for (path, code) in sources("src") {
        if path.contains("/src/tui/") {
            continue;
        }
        for f in ["ratatui", "crossterm"] {
            if code.contains(f) {
                bad.push(format!("{path} uses {f}"));
            }
        }
    }
    assert!(bad.is_empty(), "only src/tui may use ratatui/crossterm:\n{}", bad.join("\n"));
}

#[test]
fn the_checker_would_catch_a_violation() {
    // Guard against a checker that silently reads nothing.
    let files = sources("src/sim");
    assert!(files.len() > 10, "expected the sim sources, found {}", files.len());
    assert!(files.iter().any(|(_, c)| c.contains("pub struct World")));
}
