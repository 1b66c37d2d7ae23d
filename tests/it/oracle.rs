//! Oracle tests: the installed real kubectl (v1.32) and kubedojo must print the same bytes
//! for client-side output. Skipped when kubectl is not installed.

use std::process::Command;

fn kubectl(args: &[&str], output: &str) -> Option<String> {
    let mut full: Vec<&str> = args.to_vec();
    let at = full.iter().position(|a| *a == "--").unwrap_or(full.len());
    full.splice(at..at, ["-o", output]);
    let out = Command::new("kubectl").args(&full).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn have_kubectl() -> bool {
    kubectl(&["version", "--client"], "json").is_some()
}

/// kubectl's `-o json` turned into YAML by our encoder must equal kubectl's `-o yaml`.
#[test]
fn yaml_encoder_matches_kubectl() {
    use kubedojo::kubectl::output::yaml::to_yaml;
    if !have_kubectl() {
        eprintln!("kubectl not installed: skipping the YAML oracle test");
        return;
    }
    let long = format!("{} end", "word ".repeat(30));
    let literals = [
        "true",
        "yes",
        "on",
        "no",
        "~",
        "null",
        "",
        "123",
        "1.5",
        "1e3",
        "0x1F",
        "1:20",
        "2025-01-01T00:00:00Z",
        " lead",
        "trail ",
        "a: b",
        "a #b",
        "#x",
        "- a",
        "-",
        ":",
        "it's",
        "\"dq\"",
        "back\\slash",
        "é",
        "😀",
        "a\tb",
        "a\nb",
        "a\nb\n",
        "a\n\n",
        " a\nb",
        "a \nb",
        "\u{feff}bom",
        "a\u{2028}b",
        "a\u{85}b",
        &long,
    ];
    let mut cases: Vec<Vec<String>> = literals
        .iter()
        .map(|v| {
            ["create", "configmap", "c", "--dry-run=client"]
                .iter()
                .map(|s| s.to_string())
                .chain([format!("--from-literal=k={v}")])
                .collect()
        })
        .collect();
    for args in [
        &[
            "create",
            "configmap",
            "c",
            "--dry-run=client",
            "--from-literal=a10=1",
            "--from-literal=a9=2",
            "--from-literal=a.b=3",
            "--from-literal=1=4",
            "--from-literal=_x=5",
        ][..],
        &["create", "deployment", "web", "--image=nginx:1.27", "--replicas=3", "--port=80", "--dry-run=client"],
        &[
            "create",
            "cronjob",
            "cj",
            "--image=busybox",
            "--schedule=*/5 * * * *",
            "--dry-run=client",
            "--",
            "sh",
            "-c",
            "date; echo hello",
        ],
        &["create", "service", "nodeport", "web", "--tcp=80:8080", "--dry-run=client"],
        &["create", "secret", "generic", "s", "--from-literal=password=s3cr3t!", "--dry-run=client"],
    ] {
        cases.push(args.iter().map(|s| s.to_string()).collect());
    }
    let mut failures = Vec::new();
    for case in &cases {
        let args: Vec<&str> = case.iter().map(String::as_str).collect();
        let (Some(json), Some(want)) = (kubectl(&args, "json"), kubectl(&args, "yaml")) else {
            failures.push(format!("kubectl failed: {args:?}"));
            continue;
        };
        match serde_json::from_str::<serde_json::Value>(&json) {
            Ok(value) if to_yaml(&value) == want => {}
            Ok(value) => failures.push(format!("{args:?}\n--- kubectl\n{want}--- ours\n{}", to_yaml(&value))),
            Err(e) => failures.push(format!("{args:?}: bad JSON from kubectl: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
