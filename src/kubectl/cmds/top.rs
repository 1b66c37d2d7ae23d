//! `kubectl top pod [NAME | -l label] [-A] [--containers] [--sort-by=cpu|memory] [--sum]
//! [--no-headers] [--field-selector]` and `kubectl top node [NAME | -l label] [--sort-by]
//! [--show-capacity] [--no-headers]`: the resource metrics API's figures, printed as
//! kubectl v1.32's `metricsutil.TopCmdPrinter` does (CPU as `MilliValue()` millicores, memory
//! in whole MiB, node percentages of allocatable) with its errors (`Metrics API not
//! available`, `metrics not available yet`, `Metrics not available for pod NS/NAME, age: ...`).

use clap::{Arg, ArgAction, ArgMatches};

use super::{command, namespace, opt, parse};
use crate::kubectl::table_printer::TabWriter;
use crate::kubectl::Ctx;
use crate::sim::api::selector::{FieldSelector, Selector};
use crate::sim::metrics::{NodeMetrics, PodMetrics};
use crate::sim::{Kind, Object};

const TOP_HELP: &str = "Display resource (CPU/memory) usage.

 The top command allows you to see the resource consumption for nodes or pods.

 This command requires Metrics Server to be correctly configured and working on the server.

Available Commands:
  node          Display resource (CPU/memory) usage of nodes
  pod           Display resource (CPU/memory) usage of pods

Usage:
  kubectl top [flags] [options]

Use \"kubectl top <command> --help\" for more information about a given command.
Use \"kubectl options\" for a list of global command-line options (applies to all commands).
";

/// Authorizes a read of the resource metrics API (`pods`/`nodes` in `metrics.k8s.io`): `get`
/// of one object, else `list` (`namespace` empty: at the cluster scope). Err is what kubectl
/// prints, the server's Forbidden error.
fn authorize_metrics(ctx: &Ctx, resource: &str, namespace: &str, name: &str) -> Result<(), String> {
    let a = crate::sim::api::rbac::Attributes {
        verb: if name.is_empty() { "list" } else { "get" }.into(),
        api_group: "metrics.k8s.io".into(),
        resource: resource.into(),
        namespace: namespace.into(),
        name: name.into(),
        ..Default::default()
    };
    super::auth::authorize(ctx, &a)
}

/// `kubectl top pod` refuses to blame the pipeline for pods older than this
/// (`metricsCreationDelay`).
const METRICS_CREATION_DELAY_S: u64 = 120;

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let Some(sub) = args.first() else {
        // cobra's DefaultSubCommandRun: the help on stderr, exit status 1.
        ctx.out.err(TOP_HELP);
        ctx.out.code = 1;
        return;
    };
    match sub.as_str() {
        "pod" | "pods" | "po" => top_pod(ctx, &args[1..]),
        "node" | "nodes" | "no" => top_node(ctx, &args[1..]),
        "-h" | "--help" => ctx.out.out(TOP_HELP),
        s if s.starts_with('-') => {
            // Flags before the resource are the parent's, which has none of its own.
            ctx.out.fail(&format!("Error: unknown flag: {s}\nSee 'kubectl top --help' for usage."));
        }
        s => ctx.out.fail(&format!("error: unknown command \"{s}\"\nSee 'kubectl top -h' for help and examples")),
    }
}

/// A boolean flag that also takes `--flag=false`, as pflag's do.
fn bool_arg(name: &'static str) -> Arg {
    Arg::new(name).long(name).num_args(0..=1).require_equals(true).default_missing_value("true")
}

/// Go's `strconv.ParseBool` for a flag value; Err is kubectl's message.
fn bool_value(m: &ArgMatches, name: &str, sub: &str) -> Result<bool, String> {
    match m.get_one::<String>(name).map(String::as_str) {
        None => Ok(false),
        Some("1" | "t" | "T" | "TRUE" | "true" | "True") => Ok(true),
        Some("0" | "f" | "F" | "FALSE" | "false" | "False") => Ok(false),
        Some(v) => Err(format!(
            "Error: invalid argument \"{v}\" for \"--{name}\" flag: strconv.ParseBool: parsing \"{v}\": invalid syntax\nSee 'kubectl top {sub} --help' for usage."
        )),
    }
}

/// A Go `time.Duration` of whole seconds as `String()` prints it: `45s`, `3m0s`, `69h55m32s`.
fn go_duration(s: u64) -> String {
    let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
    if h > 0 {
        format!("{h}h{m}m{sec}s")
    } else if m > 0 {
        format!("{m}m{sec}s")
    } else {
        format!("{sec}s")
    }
}

/// `Quantity.MilliValue()` of nanocores: rounded up.
fn milli_of_nano(nano: i64) -> i64 {
    if nano <= 0 {
        return nano / 1_000_000;
    }
    (nano + 999_999) / 1_000_000
}

fn cpu_cell(nano: i64) -> String {
    format!("{}m", milli_of_nano(nano))
}

fn memory_cell(bytes: i64) -> String {
    format!("{}Mi", bytes / (1024 * 1024))
}

fn top_pod(ctx: &mut Ctx, args: &[String]) {
    let cmd = command("top pod")
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(
            Arg::new("all-namespaces")
                .short('A')
                .long("all-namespaces")
                .num_args(0..=1)
                .require_equals(true)
                .default_missing_value("true"),
        )
        .arg(bool_arg("containers"))
        .arg(opt("field-selector"))
        .arg(bool_arg("no-headers"))
        .arg(Arg::new("selector").short('l').long("selector").num_args(1))
        .arg(opt("sort-by"))
        .arg(bool_arg("sum"))
        .arg(bool_arg("use-protocol-buffers"));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let flags = (|| -> Result<(bool, bool, bool, bool), String> {
        Ok((
            bool_value(&m, "all-namespaces", "pod")?,
            bool_value(&m, "containers", "pod")?,
            bool_value(&m, "no-headers", "pod")?,
            bool_value(&m, "sum", "pod")?,
        ))
    })();
    let (all, containers, no_headers, sum) = match flags {
        Ok(f) => f,
        Err(e) => return ctx.out.fail(&e),
    };
    if let Err(e) = bool_value(&m, "use-protocol-buffers", "pod") {
        return ctx.out.fail(&e);
    }
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    if positional.len() > 1 {
        return ctx.out.fail("error: pod [NAME | -l label]\nSee 'kubectl top pod -h' for help and examples");
    }
    let name = positional.first().cloned().unwrap_or_default();
    let sort_by = m.get_one::<String>("sort-by").cloned().unwrap_or_default();
    if !sort_by.is_empty() && sort_by != "cpu" && sort_by != "memory" {
        return ctx.out.fail("error: --sort-by accepts only cpu or memory");
    }
    let label_text = m.get_one::<String>("selector").cloned().unwrap_or_default();
    let field_text = m.get_one::<String>("field-selector").cloned().unwrap_or_default();
    if !name.is_empty() && (!label_text.is_empty() || !field_text.is_empty()) {
        return ctx.out.fail("error: only one of NAME or selector can be provided");
    }
    let selector = match Selector::parse(&label_text) {
        Ok(s) => s,
        Err(e) => return ctx.out.fail(&format!("error: {e}")),
    };
    let fields = match FieldSelector::parse(&field_text) {
        Ok(f) => f,
        Err(e) => return ctx.out.fail(&format!("error: {e}")),
    };
    let ns = namespace(ctx, &m);
    if !ctx.world.metrics_api_available() {
        return ctx.out.fail("error: Metrics API not available");
    }
    if let Err(e) = authorize_metrics(ctx, "pods", if all && name.is_empty() { "" } else { &ns }, &name) {
        return ctx.out.fail(&e);
    }
    // The pods the field selector or verifyEmptyMetrics list (or get).
    let pods_read = |ctx: &Ctx| {
        if name.is_empty() {
            super::auth::authorize_kind(ctx, "list", Kind::Pod, if all { "" } else { &ns }, "")
        } else {
            super::auth::authorize_kind(ctx, "get", Kind::Pod, &ns, &name)
        }
    };
    if !field_text.is_empty() {
        if let Err(e) = pods_read(ctx) {
            return ctx.out.fail(&e);
        }
    }
    let world = &*ctx.world;
    let mut metrics: Vec<PodMetrics> = if !name.is_empty() {
        match world.get_pod_metrics(&ns, &name) {
            Ok(pm) => vec![pm],
            Err(e) => return ctx.out.fail(&e.kubectl_text()),
        }
    } else {
        match world.list_pod_metrics(if all { None } else { Some(ns.as_str()) }, &selector) {
            Ok(v) => v,
            Err(e) => return ctx.out.fail(&e.kubectl_text()),
        }
    };
    if !metrics.is_empty() && !field_text.is_empty() {
        // filterPodMetricsByFieldSelector: keep the pods the field selector picks.
        let listed: Vec<(String, String)> = world
            .store
            .list(Kind::Pod, if all { None } else { Some(ns.as_str()) })
            .into_iter()
            .filter(|o| fields.matches(&o.to_value()))
            .map(|o| (o.namespace().to_string(), o.name().to_string()))
            .collect();
        metrics.retain(|pm| listed.iter().any(|(n, p)| *n == pm.namespace && *p == pm.name));
    }
    if metrics.is_empty() {
        // verifyEmptyMetrics: new pods have no metrics yet; old ones should have.
        if let Err(e) = pods_read(ctx) {
            return ctx.out.fail(&e);
        }
        let pods: Vec<&Object> = world
            .store
            .list(Kind::Pod, Some(ns.as_str()))
            .into_iter()
            .filter(|o| selector.matches(&o.meta().labels.clone().unwrap_or_default()))
            .filter(|o| fields.matches(&o.to_value()))
            .collect();
        if !pods.is_empty() {
            for p in &pods {
                let created = p.meta().creation_timestamp.as_ref().map(crate::sim::clock::tick_of).unwrap_or_default();
                let age = world.now.since(created);
                if age > METRICS_CREATION_DELAY_S {
                    return ctx.out.fail(&format!(
                        "error: Metrics not available for pod {}/{}, age: {}",
                        p.namespace(),
                        p.name(),
                        go_duration(age)
                    ));
                }
            }
            return ctx.out.fail("error: metrics not available yet");
        }
        if all {
            ctx.out.err("No resources found\n");
        } else {
            ctx.out.err(&format!("No resources found in {ns} namespace.\n"));
        }
        return;
    }
    ctx.out.out(&print_pod_metrics(metrics, containers, all, no_headers, &sort_by, sum));
}

/// `TopCmdPrinter.PrintPodMetrics`.
fn print_pod_metrics(
    mut metrics: Vec<PodMetrics>,
    containers: bool,
    with_namespace: bool,
    no_headers: bool,
    sort_by: &str,
    sum: bool,
) -> String {
    let mut w = TabWriter::kubectl();
    let mut text = String::new();
    // As in kubectl, the sum's alignment counts the extra columns only when headers print.
    let mut column_width = 3;
    if !no_headers {
        if with_namespace {
            text.push_str("NAMESPACE\t");
            column_width += 1;
        }
        if containers {
            text.push_str("POD\t");
            column_width += 1;
        }
        text.push_str("NAME\tCPU(cores)\tMEMORY(bytes)\t\n");
    }
    // PodMetricsSorter (stable, as Go's insertion sort is for short lists).
    match sort_by {
        "cpu" => metrics.sort_by_key(|m| std::cmp::Reverse(milli_of_nano(m.cpu_nano()))),
        "memory" => metrics.sort_by_key(|m| std::cmp::Reverse(m.memory())),
        _ => metrics.sort_by(|a, b| {
            if with_namespace && a.namespace != b.namespace {
                a.namespace.cmp(&b.namespace)
            } else {
                a.name.cmp(&b.name)
            }
        }),
    }
    for m in &metrics {
        if containers {
            let mut cs = m.containers.clone();
            match sort_by {
                "cpu" => cs.sort_by_key(|c| std::cmp::Reverse(milli_of_nano(c.cpu_nano))),
                "memory" => cs.sort_by_key(|c| std::cmp::Reverse(c.memory)),
                _ => cs.sort_by(|a, b| a.name.cmp(&b.name)),
            }
            for c in cs {
                if with_namespace {
                    text.push_str(&format!("{}\t", m.namespace));
                }
                text.push_str(&format!(
                    "{}\t{}\t{}\t{}\t\n",
                    m.name,
                    c.name,
                    cpu_cell(c.cpu_nano),
                    memory_cell(c.memory)
                ));
            }
        } else {
            if with_namespace {
                text.push_str(&format!("{}\t", m.namespace));
            }
            text.push_str(&format!("{}\t{}\t{}\t\n", m.name, cpu_cell(m.cpu_nano()), memory_cell(m.memory())));
        }
    }
    if sum {
        let cpu: i64 = metrics.iter().map(PodMetrics::cpu_nano).sum();
        let mem: i64 = metrics.iter().map(PodMetrics::memory).sum();
        for _ in 0..column_width - 2 {
            text.push('\t');
        }
        text.push_str("________\t________\t\n");
        for _ in 0..column_width - 3 {
            text.push('\t');
        }
        text.push_str(&format!("\t{}\t{}\t\n", cpu_cell(cpu), memory_cell(mem)));
    }
    w.write(&text);
    w.flush()
}

fn top_node(ctx: &mut Ctx, args: &[String]) {
    let cmd = command("top node")
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(bool_arg("no-headers"))
        .arg(Arg::new("selector").short('l').long("selector").num_args(1))
        .arg(bool_arg("show-capacity"))
        .arg(opt("sort-by"))
        .arg(bool_arg("use-protocol-buffers"));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let (no_headers, show_capacity) =
        match (bool_value(&m, "no-headers", "node"), bool_value(&m, "show-capacity", "node")) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => return ctx.out.fail(&e),
        };
    if let Err(e) = bool_value(&m, "use-protocol-buffers", "node") {
        return ctx.out.fail(&e);
    }
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    if positional.len() > 1 {
        return ctx.out.fail("error: node [NAME | -l label]\nSee 'kubectl top node -h' for help and examples");
    }
    let name = positional.first().cloned().unwrap_or_default();
    let sort_by = m.get_one::<String>("sort-by").cloned().unwrap_or_default();
    if !sort_by.is_empty() && sort_by != "cpu" && sort_by != "memory" {
        return ctx.out.fail("error: --sort-by accepts only cpu or memory");
    }
    let label_text = m.get_one::<String>("selector").cloned().unwrap_or_default();
    if !name.is_empty() && !label_text.is_empty() {
        return ctx.out.fail("error: only one of NAME or --selector can be provided");
    }
    let selector = match Selector::parse(&label_text) {
        Ok(s) => s,
        Err(e) => return ctx.out.fail(&format!("error: {e}")),
    };
    if !ctx.world.metrics_api_available() {
        return ctx.out.fail("error: Metrics API not available");
    }
    if let Err(e) = authorize_metrics(ctx, "nodes", "", &name) {
        return ctx.out.fail(&e);
    }
    let world = &*ctx.world;
    let metrics: Vec<NodeMetrics> = if !name.is_empty() {
        match world.get_node_metrics(&name) {
            Ok(nm) => vec![nm],
            Err(e) => return ctx.out.fail(&e.kubectl_text()),
        }
    } else {
        match world.list_node_metrics(&selector) {
            Ok(v) => v,
            Err(e) => return ctx.out.fail(&e.kubectl_text()),
        }
    };
    if metrics.is_empty() {
        return ctx.out.fail("error: metrics not available yet");
    }
    // The nodes themselves, for their allocatable (or capacity).
    if let Err(e) = super::auth::authorize_read(ctx, Kind::Node, "", (!name.is_empty()).then_some(name.as_str())) {
        return ctx.out.fail(&e);
    }
    let world = &*ctx.world;
    // Allocatable (or capacity) of the nodes asked for, in MilliValue units.
    let field = if show_capacity { "capacity" } else { "allocatable" };
    let mut available: Vec<(String, i64, i64)> = Vec::new();
    for o in world.store.list(Kind::Node, None) {
        if !name.is_empty() && o.name() != name {
            continue;
        }
        if name.is_empty() && !selector.matches(&o.meta().labels.clone().unwrap_or_default()) {
            continue;
        }
        let v = o.to_value();
        let q = |r: &str| {
            v.pointer(&format!("/status/{field}/{r}"))
                .and_then(|q| q.as_str())
                .and_then(|q| crate::sim::quantity::parse_milli(q).ok())
                .unwrap_or(0)
        };
        available.push((o.name().to_string(), q("cpu"), q("memory")));
    }
    ctx.out.out(&print_node_metrics(metrics, available, no_headers, &sort_by));
}

/// `TopCmdPrinter.PrintNodeMetrics`.
fn print_node_metrics(
    mut metrics: Vec<NodeMetrics>,
    mut available: Vec<(String, i64, i64)>,
    no_headers: bool,
    sort_by: &str,
) -> String {
    match sort_by {
        "cpu" => metrics.sort_by_key(|m| std::cmp::Reverse(milli_of_nano(m.cpu_nano))),
        "memory" => metrics.sort_by_key(|m| std::cmp::Reverse(m.memory)),
        _ => metrics.sort_by(|a, b| a.name.cmp(&b.name)),
    }
    let mut text = String::new();
    if !no_headers {
        text.push_str("NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\t\n");
    }
    for m in &metrics {
        let cpu_milli = milli_of_nano(m.cpu_nano);
        text.push_str(&format!("{}\t{}\t", m.name, cpu_cell(m.cpu_nano)));
        let found = available.iter().position(|(n, _, _)| *n == m.name);
        if let Some(i) = found {
            let (_, cpu_alloc, _) = available[i];
            text.push_str(&format!("{}%\t", percent(cpu_milli, cpu_alloc)));
        }
        text.push_str(&format!("{}\t", memory_cell(m.memory)));
        if let Some(i) = found {
            let (_, _, mem_alloc) = available[i];
            text.push_str(&format!("{}%\t", percent(m.memory.saturating_mul(1000), mem_alloc)));
            available.remove(i);
        }
        text.push('\n');
    }
    // Nodes whose metrics are missing (an unreachable kubelet).
    for (n, _, _) in &available {
        text.push_str(&format!("{n}\t<unknown>\t<unknown>\t<unknown>\t<unknown>\t\n"));
    }
    let mut w = TabWriter::kubectl();
    w.write(&text);
    w.flush()
}

/// `int64(float64(used.MilliValue()) / float64(available.MilliValue()) * 100)`.
fn percent(used_milli: i64, available_milli: i64) -> i64 {
    if available_milli == 0 {
        return 0;
    }
    (used_milli as f64 / available_milli as f64 * 100.0) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(go_duration(45), "45s");
        assert_eq!(go_duration(180), "3m0s");
        assert_eq!(go_duration(251_732), "69h55m32s");
    }

    #[test]
    fn cpu_rounds_up_like_milli_value() {
        assert_eq!(cpu_cell(0), "0m");
        assert_eq!(cpu_cell(1), "1m");
        assert_eq!(cpu_cell(102_783_000), "103m");
        assert_eq!(memory_cell((5 << 20) + 4096), "5Mi");
    }

    #[test]
    fn sum_rows_line_up_under_the_columns() {
        let pm = |name: &str, cpu: i64, mem: i64| PodMetrics {
            namespace: "default".into(),
            name: name.into(),
            labels: Default::default(),
            timestamp: 0,
            window_s: 15,
            containers: vec![crate::sim::metrics::ContainerMetrics { name: "c".into(), cpu_nano: cpu, memory: mem }],
        };
        let out =
            print_pod_metrics(vec![pm("b", 2_000_000, 3 << 20), pm("a", 1, 5 << 20)], false, false, false, "", true);
        assert_eq!(
            out,
            "NAME   CPU(cores)   MEMORY(bytes)   \na      1m           5Mi             \nb      2m           3Mi             \n       ________     ________        \n       3m           8Mi             \n"
        );
    }
}
