//! `kubectl drain`: cordon the nodes, then evict (or delete) their pods through kubectl's
//! filters (DaemonSet pods, mirror pods, local storage, unmanaged pods), retrying evictions
//! that a PodDisruptionBudget refuses every 5 s and waiting — in simulated time — until the
//! pods are gone. Output and errors follow kubectl's drain package line for line.
//!
//! One deliberate difference: without `--timeout`, real kubectl retries a refused eviction
//! forever (until ctrl-c). A script cannot press ctrl-c, so kubedojo stops waiting after
//! [`UNBOUNDED_WAIT_S`] simulated seconds (or the pods' grace periods, if longer) and says so.

use std::collections::BTreeMap;

use clap::{Arg, ArgAction};
use k8s_openapi::api::core::v1::Pod;

use super::cordon::{cordon_nodes, dry_suffix, nodes};
use super::{command, dry_run, dry_run_arg, flag, opt, parse, DryRun};
use crate::kubectl::Ctx;
use crate::sim::api::errors::Reason;
use crate::sim::api::selector::Selector;
use crate::sim::api::WriteOptions;
use crate::sim::Kind;

/// How long kubedojo lets a drain without `--timeout` wait.
pub const UNBOUNDED_WAIT_S: u64 = 60;
/// kubectl's EvictErrorRetryDelay.
const RETRY_S: u64 = 5;

const DAEMONSET_FATAL: &str = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
const DAEMONSET_WARNING: &str = "ignoring DaemonSet-managed Pods";
const LOCAL_STORAGE_FATAL: &str = "Pods with local storage (use --delete-emptydir-data to override)";
const LOCAL_STORAGE_WARNING: &str = "deleting Pods with local storage";
const UNMANAGED_FATAL: &str = "cannot delete Pods that declare no controller (use --force to override)";
const UNMANAGED_WARNING: &str = "deleting Pods that declare no controller";

#[derive(Clone, Debug, PartialEq)]
enum Status {
    Okay,
    Skip,
    Warning(bool, String),
    Error(String),
}

impl Status {
    fn delete(&self) -> bool {
        matches!(self, Status::Okay | Status::Warning(true, _))
    }
}

struct Opts {
    force: bool,
    ignore_daemonsets: bool,
    delete_emptydir: bool,
    grace: Option<i64>,
    timeout_s: Option<u64>,
    disable_eviction: bool,
    skip_wait_s: u64,
    pod_selector: Selector,
    dry: DryRun,
}

fn terminal(p: &Pod) -> bool {
    matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
}

/// The drain filters, in kubectl's order; a pod's status is the last filter's.
fn filter(ctx: &Ctx, o: &Opts, p: &Pod) -> Status {
    let now = ctx.world.now.datetime();
    let filters: [&dyn Fn() -> Status; 5] = [
        // skipDeletedFilter
        &|| {
            let old = p
                .metadata
                .deletion_timestamp
                .as_ref()
                .is_some_and(|t| (now - t.0).num_seconds() > o.skip_wait_s as i64);
            if o.skip_wait_s > 0 && old {
                Status::Skip
            } else {
                Status::Okay
            }
        },
        // daemonSetFilter
        &|| {
            let Some(owner) = p.metadata.owner_references.iter().flatten().find(|r| r.controller == Some(true)) else {
                return Status::Okay;
            };
            if owner.kind != "DaemonSet" || terminal(p) {
                return Status::Okay;
            }
            let ns = p.metadata.namespace.clone().unwrap_or_default();
            if ctx.world.store.get(Kind::DaemonSet, &ns, &owner.name).is_none() {
                let msg = format!("daemonsets.apps \"{}\" not found", owner.name);
                return if o.force { Status::Warning(true, msg) } else { Status::Error(msg) };
            }
            if !o.ignore_daemonsets {
                return Status::Error(DAEMONSET_FATAL.into());
            }
            Status::Warning(false, DAEMONSET_WARNING.into())
        },
        // mirrorPodFilter
        &|| {
            if p.metadata.annotations.as_ref().is_some_and(|a| a.contains_key("kubernetes.io/config.mirror")) {
                Status::Skip
            } else {
                Status::Okay
            }
        },
        // localStorageFilter
        &|| {
            let local = p
                .spec
                .as_ref()
                .and_then(|s| s.volumes.as_ref())
                .is_some_and(|v| v.iter().any(|v| v.empty_dir.is_some()));
            if !local || terminal(p) {
                return Status::Okay;
            }
            if !o.delete_emptydir {
                return Status::Error(LOCAL_STORAGE_FATAL.into());
            }
            Status::Warning(true, LOCAL_STORAGE_WARNING.into())
        },
        // unreplicatedFilter
        &|| {
            if terminal(p) || p.metadata.owner_references.iter().flatten().any(|r| r.controller == Some(true)) {
                return Status::Okay;
            }
            if o.force {
                Status::Warning(true, UNMANAGED_WARNING.into())
            } else {
                Status::Error(UNMANAGED_FATAL.into())
            }
        },
    ];
    let mut status = Status::Okay;
    for f in filters {
        status = f();
        if !status.delete() {
            break;
        }
    }
    status
}

/// GetPodsForDeletion: the pods to remove, the warnings line, and the errors.
fn pods_for_deletion(ctx: &Ctx, o: &Opts, node: &str) -> (Vec<Pod>, String, Vec<String>) {
    // The drainer lists pods of every namespace with `spec.nodeName=<node>`.
    if let Err(e) = super::auth::authorize_read(ctx, Kind::Pod, "", None) {
        return (Vec::new(), String::new(), vec![e]);
    }
    let pods: Vec<Pod> = ctx
        .world
        .store
        .list(Kind::Pod, None)
        .into_iter()
        .filter_map(|x| x.as_pod())
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
        .filter(|p| o.pod_selector.matches(&p.metadata.labels.clone().unwrap_or_default()))
        .cloned()
        .collect();
    let mut delete = Vec::new();
    // Go groups by message in a map (random order); kubedojo sorts by message.
    let mut warnings: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in pods {
        let id = format!(
            "{}/{}",
            p.metadata.namespace.clone().unwrap_or_default(),
            p.metadata.name.clone().unwrap_or_default()
        );
        let st = filter(ctx, o, &p);
        match &st {
            Status::Warning(_, m) => warnings.entry(m.clone()).or_default().push(id),
            Status::Error(m) => errors.entry(m.clone()).or_default().push(id),
            _ => {}
        }
        if st.delete() {
            delete.push(p);
        }
    }
    let warn = warnings.iter().map(|(m, ps)| format!("{m}: {}", ps.join(", "))).collect::<Vec<_>>().join("; ");
    let errs = errors
        .iter()
        .map(|(m, ps)| {
            if m.to_ascii_lowercase().starts_with("cannot delete") {
                format!("{m}: {}", ps.join(", "))
            } else {
                format!("cannot delete {m}: {}", ps.join(", "))
            }
        })
        .collect();
    (delete, warn, errs)
}

/// What went wrong draining one node: the errors of `utilerrors.NewAggregate`.
struct Failure(Vec<String>);

fn uid(p: &Pod) -> String {
    p.metadata.uid.clone().unwrap_or_default()
}

fn gone(ctx: &Ctx, p: &Pod) -> bool {
    let ns = p.metadata.namespace.clone().unwrap_or_default();
    let name = p.metadata.name.clone().unwrap_or_default();
    match ctx.world.store.get(Kind::Pod, &ns, &name) {
        None => true,
        Some(o) => o.meta().uid.as_deref() != Some(uid(p).as_str()),
    }
}

/// Evicts (or deletes) the pods and waits until they are gone, ticking the cluster.
fn evict_and_wait(ctx: &mut Ctx, o: &Opts, pods: Vec<Pod>) -> Result<(), Failure> {
    if pods.is_empty() {
        return Ok(());
    }
    let start = ctx.world.now;
    let longest_grace = pods
        .iter()
        .map(|p| {
            o.grace.or_else(|| p.spec.as_ref().and_then(|s| s.termination_grace_period_seconds)).unwrap_or(30).max(0)
                as u64
        })
        .max()
        .unwrap_or(30);
    let limit_s = o.timeout_s.filter(|t| *t > 0).unwrap_or(UNBOUNDED_WAIT_S.max(longest_grace + 10));
    let using_eviction = !o.disable_eviction;
    let verb = if using_eviction { "evicted" } else { "deleted" };
    // (pod, next eviction attempt: None once it was accepted).
    let mut pending: Vec<(Pod, Option<crate::sim::Tick>)> = pods.into_iter().map(|p| (p, Some(start))).collect();
    let mut errors = Vec::new();
    loop {
        let now = ctx.world.now;
        // Attempts due now, in order.
        for (p, next) in pending.iter_mut() {
            let Some(at) = *next else { continue };
            if at > now {
                continue;
            }
            let ns = p.metadata.namespace.clone().unwrap_or_default();
            let name = p.metadata.name.clone().unwrap_or_default();
            let request = if using_eviction {
                crate::sim::api::rbac::Attributes::for_kind("create", Kind::Pod, &ns, &name)
                    .with_subresource("eviction")
            } else {
                crate::sim::api::rbac::Attributes::for_kind("delete", Kind::Pod, &ns, &name)
            };
            if let Err(e) = super::auth::authorize_api(ctx, &request) {
                let what = if using_eviction { "evicting" } else { "deleting" };
                errors.push(format!("error when {what} pods/\"{name}\" -n \"{ns}\": {}", e.message));
                *next = None;
                p.metadata.uid = None;
                continue;
            }
            if !using_eviction {
                let _ = ctx.world.api_delete(
                    Kind::Pod,
                    &ns,
                    &name,
                    o.grace,
                    WriteOptions { dry_run: o.dry == DryRun::Server },
                );
                *next = None;
                continue;
            }
            if o.dry == DryRun::Server {
                ctx.out.out(&format!("evicting pod {ns}/{name} (server dry run)\n"));
            } else {
                ctx.out.out(&format!("evicting pod {ns}/{name}\n"));
            }
            match ctx.world.api_evict(&ns, &name, o.grace, WriteOptions { dry_run: o.dry == DryRun::Server }) {
                Ok(()) => *next = None,
                Err(e) if e.reason == Reason::NotFound => *next = None,
                Err(e) if e.reason == Reason::TooManyRequests => {
                    ctx.out.err(&format!(
                        "error when evicting pods/\"{name}\" -n \"{ns}\" (will retry after {RETRY_S}s): {}\n",
                        e.message
                    ));
                    *next = Some(now.plus_s(RETRY_S));
                }
                Err(e) => {
                    errors.push(format!("error when evicting pods/\"{name}\" -n \"{ns}\": {}", e.message));
                    *next = None;
                    p.metadata.uid = None;
                }
            }
        }
        if o.dry == DryRun::Server {
            return if errors.is_empty() { Ok(()) } else { Err(Failure(errors)) };
        }
        // Pods whose eviction failed for good are dropped from the wait.
        pending.retain(|(p, _)| p.metadata.uid.is_some());
        // waitForDelete: report each pod as it disappears.
        let mut still = Vec::new();
        for (p, next) in pending.drain(..) {
            if next.is_none() && gone(ctx, &p) {
                ctx.out.out(&format!("pod/{} {verb}\n", p.metadata.name.clone().unwrap_or_default()));
            } else {
                still.push((p, next));
            }
        }
        pending = still;
        if pending.is_empty() {
            break;
        }
        if ctx.world.now.since(start) >= limit_s {
            for (p, next) in &pending {
                let ns = p.metadata.namespace.clone().unwrap_or_default();
                let name = p.metadata.name.clone().unwrap_or_default();
                if next.is_some() {
                    errors.push(format!(
                        "error when evicting pods/\"{name}\" -n \"{ns}\": global timeout reached: {}",
                        go_duration(limit_s)
                    ));
                } else {
                    errors.push(format!(
                        "error when waiting for pod \"{name}\" in namespace \"{ns}\" to terminate: context deadline exceeded"
                    ));
                }
            }
            if o.timeout_s.is_none_or(|t| t == 0) {
                ctx.out.err(&format!(
                    "kubedojo: stopped waiting after {limit_s}s of simulated time; kubectl would keep retrying until interrupted (give --timeout to choose)\n"
                ));
            }
            break;
        }
        ctx.world.tick();
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Failure(errors))
    }
}

/// Go's Duration String for whole seconds (`30s`, `1m0s`, `1h0m0s`).
fn go_duration(s: u64) -> String {
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    if h > 0 {
        format!("{h}h{m}m{sec}s")
    } else if m > 0 {
        format!("{m}m{sec}s")
    } else {
        format!("{sec}s")
    }
}

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = dry_run_arg(command("drain"))
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(Arg::new("selector").short('l').long("selector").num_args(1))
        .arg(opt("pod-selector"))
        .arg(flag("force"))
        .arg(flag("ignore-daemonsets"))
        .arg(flag("ignore-errors"))
        .arg(flag("delete-emptydir-data"))
        .arg(flag("delete-local-data"))
        .arg(flag("disable-eviction"))
        .arg(opt("grace-period"))
        .arg(opt("timeout"))
        .arg(opt("skip-wait-for-delete-timeout"))
        .arg(opt("chunk-size"));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let dry = match dry_run(&m) {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    if m.get_flag("delete-local-data") {
        ctx.out.err("Flag --delete-local-data has been deprecated, This option is deprecated and will be deleted. Use --delete-emptydir-data.\n");
    }
    let int_flag = |name: &str| -> Result<Option<i64>, String> {
        match m.get_one::<String>(name) {
            None => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
                format!("error: invalid argument \"{v}\" for \"--{name}\" flag: strconv.ParseInt: parsing \"{v}\": invalid syntax\nSee 'kubectl drain --help' for usage.")
            }),
        }
    };
    let grace = match int_flag("grace-period") {
        Ok(g) => g.filter(|g| *g >= 0),
        Err(e) => return ctx.out.fail(&e),
    };
    let skip_wait_s = match int_flag("skip-wait-for-delete-timeout") {
        Ok(s) => s.unwrap_or(0).max(0) as u64,
        Err(e) => return ctx.out.fail(&e),
    };
    let timeout_s = match m.get_one::<String>("timeout") {
        None => None,
        Some(t) => match super::wait::parse_duration_s(t) {
            Some(s) => Some(s),
            None => {
                return ctx.out.fail(&format!(
                    "error: invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\"\nSee 'kubectl drain --help' for usage."
                ))
            }
        },
    };
    let pod_selector = match Selector::parse(m.get_one::<String>("pod-selector").map(String::as_str).unwrap_or("")) {
        Ok(s) => s,
        Err(_) => return ctx.out.fail("error: --pod-selector=<pod_selector> must be a valid label selector"),
    };
    let opts = Opts {
        force: m.get_flag("force"),
        ignore_daemonsets: m.get_flag("ignore-daemonsets"),
        delete_emptydir: m.get_flag("delete-emptydir-data") || m.get_flag("delete-local-data"),
        grace,
        timeout_s,
        disable_eviction: m.get_flag("disable-eviction"),
        skip_wait_s,
        pod_selector,
        dry,
    };
    let nodes = match nodes(ctx, &m, "drain") {
        Ok(n) => n,
        Err(e) => return ctx.out.fail(&e),
    };
    cordon_nodes(ctx, &nodes, true, dry);
    let ignore_errors = m.get_flag("ignore-errors");
    let mut drained: Vec<String> = Vec::new();
    for n in &nodes {
        let (pods, warnings, errs) = pods_for_deletion(ctx, &opts, n);
        let result = if !errs.is_empty() {
            Err(Failure(errs))
        } else {
            if !warnings.is_empty() {
                ctx.out.err(&format!("Warning: {warnings}\n"));
            }
            if dry == DryRun::Client {
                for p in &pods {
                    ctx.out.out(&format!(
                        "evicting pod {}/{} (dry run)\n",
                        p.metadata.namespace.clone().unwrap_or_default(),
                        p.metadata.name.clone().unwrap_or_default()
                    ));
                }
                Ok(())
            } else {
                let r = evict_and_wait(ctx, &opts, pods);
                if let Err(Failure(errs)) = &r {
                    let (left, _, _) = pods_for_deletion(ctx, &opts, n);
                    if !left.is_empty() {
                        let text = crate::sim::api::errors::aggregate(errs.clone());
                        ctx.out
                            .err(&format!("There are pending pods in node \"{n}\" when an error occurred: {text}\n"));
                        for p in left {
                            ctx.out.err(&format!("pod/{}\n", p.metadata.name.clone().unwrap_or_default()));
                        }
                    }
                }
                r
            }
        };
        match result {
            Ok(()) => {
                drained.push(n.clone());
                ctx.out.out(&format!("node/{n} drained{}\n", dry_suffix(dry)));
            }
            Err(Failure(errs)) => {
                let text = crate::sim::api::errors::aggregate(errs.clone());
                if ignore_errors && nodes.len() > 1 {
                    ctx.out.err(&format!(
                        "error: unable to drain node \"{n}\" due to error:{text}, continuing command...\n"
                    ));
                    continue;
                }
                ctx.out.err(&format!("error: unable to drain node \"{n}\", aborting command...\n\n"));
                let remaining: Vec<&String> = nodes.iter().filter(|x| !drained.contains(x)).collect();
                if !remaining.is_empty() {
                    ctx.out.err("There are pending nodes to be drained:\n");
                    for r in remaining {
                        ctx.out.err(&format!(" {r}\n"));
                    }
                }
                // cmdutil.CheckErr: one error as `error: ...`, several one a line.
                if errs.len() == 1 {
                    let e = &errs[0];
                    if e.starts_with("error: ") || e.starts_with("Error from server") {
                        ctx.out.fail(e);
                    } else {
                        ctx.out.fail(&format!("error: {e}"));
                    }
                } else {
                    ctx.out.fail(&errs.join("\n"));
                }
                return;
            }
        }
    }
}
