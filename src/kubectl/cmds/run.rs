//! `kubectl run NAME --image=IMAGE [flags] [-- args...]`, as kubectl v1.32 does it: the
//! `run-pod/v1` generator (a pod labelled `run: NAME`), `--expose` with its ClusterIP service,
//! `--overrides` (a JSON merge patch), `--dry-run`, `-o`, and kubectl's checks and texts.
//!
//! Attaching (`-i`, `-t`, `--attach`, `--rm`): kubedojo has no terminal to wire into a
//! container, so it runs the pod to completion in simulated time and prints what the
//! container wrote — the classic `kubectl run tmp --image=busybox --rm -i --restart=Never --
//! wget -qO- http://web` — then deletes it with `--rm`. A container that would wait for
//! someone to type (a bare `sh`) is refused with an explanation instead.

use serde_json::Value;

use super::create::{
    check_required, def, dry_run, flag_error, no_opt, output_format, parse_flags, print_object, report_api_error,
    short, usage_error, Def, Dry, Out, Ty, GLOBAL_FLAGS, PRINT_FLAGS,
};
use crate::kubectl::generators as gen;
use crate::kubectl::generators::gotype::goify;
use crate::kubectl::Ctx;
use crate::sim::api::WriteOptions;
use crate::sim::kubelet::CState;
use crate::sim::{Kind, Object};

const PATH: &str = "kubectl run";

const RUN_FLAGS: &[Def] = &[
    def("annotations", Ty::Array),
    def("image", Ty::Str),
    def("image-pull-policy", Ty::Str),
    def("rm", Ty::Bool),
    def("env", Ty::Array),
    def("port", Ty::Str),
    no_opt("dry-run", Ty::Str, "unchanged"),
    short("labels", 'l', Ty::Str),
    short("stdin", 'i', Ty::Bool),
    short("tty", 't', Ty::Bool),
    def("attach", Ty::Bool),
    def("leave-stdin-open", Ty::Bool),
    def("restart", Ty::Str),
    def("command", Ty::Bool),
    def("expose", Ty::Bool),
    short("quiet", 'q', Ty::Bool),
    def("privileged", Ty::Bool),
    def("save-config", Ty::Bool),
    def("field-manager", Ty::Str),
    def("overrides", Ty::Str),
    def("override-type", Ty::Str),
    def("pod-running-timeout", Ty::Duration),
    def("record", Ty::Bool),
    // Delete flags kubectl run carries for --rm (deprecated and unused but accepted).
    no_opt("cascade", Ty::Str, "background"),
    short("filename", 'f', Ty::Array),
    def("force", Ty::Bool),
    def("grace-period", Ty::Int),
    short("kustomize", 'k', Ty::Str),
    short("recursive", 'R', Ty::Bool),
    def("timeout", Ty::Duration),
    def("wait", Ty::Bool),
];

/// How long kubectl waits for an attached pod to start (`--pod-running-timeout`, 1m0s).
const POD_RUNNING_TIMEOUT_S: u64 = 60;
/// How long kubedojo follows an attached container before it stops, as a learner would press
/// Ctrl-C: a real kubectl would wait for ever.
const ATTACH_LIMIT_S: u64 = 3600;

/// `reference.ReferenceRegexp`: `[domain[:port]/]path[:tag][@digest]`.
fn valid_image_reference(image: &str) -> bool {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    if let Some(d) = digest {
        let Some((algo, hex)) = d.split_once(':') else { return false };
        let algo_ok = algo.split(['-', '_', '+', '.']).all(|p| {
            p.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) && p.chars().all(|c| c.is_ascii_alphanumeric())
        });
        if !algo_ok || hex.len() < 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return false;
        }
    }
    // The tag is after the last ':' that follows the last '/'.
    let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(t) = tag {
        let ok = t.len() <= 128
            && t.chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !ok {
            return false;
        }
    }
    let comps: Vec<&str> = name.split('/').collect();
    let path_ok = |c: &str| {
        // [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*
        if c.is_empty() || !c.starts_with(|ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit()) {
            return false;
        }
        if !c.ends_with(|ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit()) {
            return false;
        }
        let mut sep = String::new();
        for ch in c.chars() {
            if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
                if !(sep.is_empty() || sep == "." || sep == "_" || sep == "__" || sep.chars().all(|s| s == '-')) {
                    return false;
                }
                sep.clear();
            } else if matches!(ch, '.' | '_' | '-') {
                sep.push(ch);
            } else {
                return false;
            }
        }
        true
    };
    let domain_ok = |c: &str| {
        let (host, port) = match c.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (c, None),
        };
        if port.is_some_and(|p| p.is_empty() || !p.chars().all(|d| d.is_ascii_digit())) {
            return false;
        }
        !host.is_empty()
            && host.split('.').all(|l| {
                !l.is_empty()
                    && l.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            })
    };
    if comps.iter().all(|c| path_ok(c)) {
        return true;
    }
    comps.len() > 1 && domain_ok(comps[0]) && comps[1..].iter().all(|c| path_ok(c))
}

/// RFC 7386 JSON merge patch (what `--overrides` applies by default).
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Default::default());
    }
    if let Value::Object(t) = target {
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

/// The program a container would run: its command and args, or the image's defaults.
fn effective_argv(ctx: &Ctx, image: &str, args: &[String], command: bool) -> Vec<String> {
    let spec = crate::sim::images::ImageRef::parse(image);
    let (entry, cmd) = match ctx.world.images.lookup(&spec) {
        crate::sim::images::Lookup::Found(s) => (s.entrypoint.clone(), s.cmd.clone()),
        _ => (vec![], vec![]),
    };
    if command {
        return args.to_vec();
    }
    let mut argv = entry;
    argv.extend(if args.is_empty() { cmd } else { args.to_vec() });
    argv
}

/// A shell with nothing to run but what someone types.
fn waits_for_input(argv: &[String]) -> bool {
    let Some(first) = argv.first() else { return false };
    let prog = first.rsplit('/').next().unwrap_or(first);
    matches!(prog, "sh" | "bash" | "ash" | "zsh" | "dash")
        && argv[1..].iter().all(|a| matches!(a.as_str(), "-i" | "-l" | "--login" | "-il" | "-li"))
}

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let p = match parse_flags(args, &[GLOBAL_FLAGS, PRINT_FLAGS, RUN_FLAGS]) {
        Ok(p) => p,
        Err(e) => return flag_error(ctx, PATH, &e),
    };
    if p.help {
        return ctx.out.out(
            "Usage:\n  kubectl run NAME --image=image [--env=\"key=value\"] [--port=port] [--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] [args...] [options]\n",
        );
    }
    if let Some(c) = p.list("context").last() {
        if *c != ctx.client.context {
            return ctx.out.fail(&format!("error: context \"{c}\" does not exist"));
        }
    }
    if !check_required(ctx, &p, &["image"]) {
        return;
    }
    // --dry-run takes a value in kubectl run (default "none").
    let dry = match dry_run(ctx, &p) {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&format!("error: {e}")),
    };
    let out = match output_format(ctx, &p) {
        Ok(o) => o,
        Err(e) => return ctx.out.fail(&format!("error: {e}")),
    };
    let enforce_namespace = p.has("namespace") && !p.str("namespace").is_empty();
    let ns = if enforce_namespace { p.str("namespace") } else { ctx.client.namespace.clone() };
    let interactive = p.bool("stdin");
    let tty = p.bool("tty");
    let attach = if p.has("attach") { p.bool("attach") } else { interactive };
    let image = p.str("image");
    let restart = p.str("restart");
    let port = p.str("port");

    // RunOptions.Validate.
    if p.positional.is_empty() || p.dash_at == Some(0) {
        return usage_error(ctx, PATH, "NAME is required for run");
    }
    if image.is_empty() {
        return ctx.out.fail("error: --image is required");
    }
    if !valid_image_reference(&image) {
        return ctx.out.fail(&format!("error: Invalid image name \"{image}\": invalid reference format"));
    }
    if tty && !interactive {
        return usage_error(ctx, PATH, "-i/--stdin is required for containers with -t/--tty=true");
    }
    if p.bool("expose") && port.is_empty() {
        return usage_error(ctx, PATH, "--port must be set when exposing a service");
    }
    let restart_policy = match restart.as_str() {
        "" if interactive => "OnFailure".to_string(),
        "" => "Always".to_string(),
        "Always" | "OnFailure" | "Never" => restart.clone(),
        other => return usage_error(ctx, PATH, &format!("invalid restart policy: {other}")),
    };
    if !attach && p.bool("rm") {
        return usage_error(ctx, PATH, "--rm should only be used for attached containers");
    }
    if attach && dry != Dry::None {
        return usage_error(
            ctx,
            PATH,
            "--dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)",
        );
    }
    let pull = p.str("image-pull-policy");
    if !matches!(pull.as_str(), "" | "Always" | "IfNotPresent" | "Never") {
        return usage_error(ctx, PATH, &format!("invalid image pull policy: {pull}"));
    }
    match p.str_or("override-type", "merge").as_str() {
        "merge" => {}
        "json" | "strategic" => {
            return ctx.out.fail(&format!(
                "error: kubedojo does not simulate --override-type={} yet; use the default (merge)",
                p.str("override-type")
            ))
        }
        other => {
            return ctx.out.fail(&format!(
                "error: --override-type must be one of (json, merge, strategic), got {}",
                crate::sim::api::errors::go_quote(other)
            ))
        }
    }

    let name = p.positional[0].clone();
    let pod_args: Vec<String> = p.positional[1..].to_vec();
    let o = gen::RunPod {
        name: name.clone(),
        image: image.clone(),
        labels: p.str("labels"),
        annotations: p.list("annotations"),
        env: p.list("env"),
        port: port.clone(),
        restart: restart.clone(),
        image_pull_policy: pull,
        args: pod_args.clone(),
        command: p.bool("command"),
        stdin: interactive,
        tty,
        leave_stdin_open: p.bool("leave-stdin-open"),
        privileged: p.bool("privileged"),
    };
    let mut pod = match gen::run_pod(&o) {
        Ok(v) => v,
        Err(e) => return ctx.out.fail(&format!("error: {e}")),
    };
    let overrides = p.str("overrides");
    if !overrides.is_empty() {
        let Ok(patch) = serde_json::from_str::<Value>(&overrides) else {
            return ctx.out.fail("error: Invalid JSON Patch");
        };
        // The patch applies to the object as Go writes it, then is read back into a Pod.
        let mut typed = goify(&pod, "Pod").to_value();
        merge_patch(&mut typed, &patch);
        pod = typed;
    }
    if attach {
        let argv = effective_argv(ctx, &image, &pod_args, o.command);
        if waits_for_input(&argv) {
            return ctx.out.fail(&format!(
                "error: kubedojo cannot attach a terminal to a container: \"{}\" would wait for you to type, and this simulator has no keyboard inside pods.\nGive the container a command that ends on its own, e.g. kubectl run tmp --image=busybox --rm -i --restart=Never -- wget -qO- http://web\nor keep a pod running and use: kubectl exec POD -- COMMAND",
                argv.join(" ")
            ));
        }
    }
    let suffix = match dry {
        Dry::Client => " (dry run)",
        Dry::Server => " (server dry run)",
        Dry::None => "",
    };

    // The pod first: the service is generated and printed after it is created.
    let mut created: Vec<(Kind, String)> = Vec::new();
    let pod_obj = match create(ctx, dry, enforce_namespace, &ns, Kind::Pod, pod, p.bool("save-config")) {
        Ok(v) => v,
        Err(()) => return,
    };
    created.push((Kind::Pod, name.clone()));
    if p.bool("expose") {
        let svc = match gen::run_service(&name, &p.str("labels"), &port) {
            Ok(v) => v,
            Err(e) => return ctx.out.fail(&format!("error: {e}")),
        };
        match create(ctx, dry, enforce_namespace, &ns, Kind::Service, svc, p.bool("save-config")) {
            Ok(v) => {
                print_object(ctx, &out, Kind::Service, &v, suffix);
                if out == Out::Yaml {
                    ctx.out.out("---\n");
                }
                created.push((Kind::Service, name.clone()));
            }
            Err(()) => return,
        }
    }
    if attach {
        // The pod's own policy (not the -i default) decides whether its container comes back.
        let pod_policy = if restart.is_empty() { "Always".to_string() } else { restart.clone() };
        let wait_policy = if pod_policy == "Always" { pod_policy } else { restart_policy };
        return attach_and_wait(ctx, &ns, &name, &wait_policy, tty && !p.bool("quiet"), p.bool("rm"), &created);
    }
    if out == Out::Yaml && created.len() > 1 {
        // The YAML printer separates the second object it prints.
        ctx.out.out("---\n");
    }
    print_object(ctx, &out, Kind::Pod, &pod_obj, suffix);
}

/// Creates one object (or only builds it for `--dry-run=client`); the value to print.
fn create(
    ctx: &mut Ctx,
    dry: Dry,
    enforce_namespace: bool,
    ns: &str,
    kind: Kind,
    mut value: Value,
    save_config: bool,
) -> Result<Value, ()> {
    if dry == Dry::Client {
        if enforce_namespace {
            if let Some(m) = value.get_mut("metadata").and_then(Value::as_object_mut) {
                m.insert("namespace".into(), Value::String(ns.to_string()));
            }
        }
        return Ok(value);
    }
    if save_config {
        super::create::add_last_applied(kind, &mut value);
    }
    let typed = goify(&value, kind.name()).to_value();
    let mut obj = match crate::sim::api::decode::decode_object(&typed) {
        Ok(o) => o,
        Err(e) => {
            report_api_error(ctx, &e, None);
            return Err(());
        }
    };
    obj.meta_mut().namespace = Some(ns.to_string());
    if let Err(e) =
        super::auth::authorize_api(ctx, &crate::sim::api::rbac::Attributes::for_kind("create", kind, ns, ""))
    {
        report_api_error(ctx, &e, None);
        return Err(());
    }
    match ctx.world.api_create(obj, WriteOptions { dry_run: dry == Dry::Server }) {
        Ok(o) => Ok(o.to_value()),
        Err(e) => {
            report_api_error(ctx, &e, None);
            Err(())
        }
    }
}

fn pod_phase(ctx: &Ctx, ns: &str, name: &str) -> Option<String> {
    let pod = ctx.world.store.get(Kind::Pod, ns, name).and_then(Object::as_pod)?;
    Some(pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default())
}

fn ready(ctx: &Ctx, ns: &str, name: &str) -> bool {
    ctx.world
        .store
        .get(Kind::Pod, ns, name)
        .and_then(Object::as_pod)
        .and_then(|p| p.status.as_ref()?.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// The first container's state in the kubelet: still running?
fn container_running(ctx: &Ctx, ns: &str, name: &str) -> bool {
    ctx.world
        .kubelet
        .find(ns, name)
        .and_then(|rt| rt.containers.first())
        .is_some_and(|c| matches!(c.state, CState::Running { .. }))
}

/// The first container has run at least once.
fn has_run(ctx: &Ctx, ns: &str, name: &str) -> bool {
    ctx.world
        .kubelet
        .find(ns, name)
        .and_then(|rt| rt.containers.first())
        .is_some_and(|c| c.last.is_some() || !matches!(c.state, CState::Waiting { .. }))
}

/// `-i`/`--attach`: waits for the pod, shows what its container wrote, reports how it ended,
/// and deletes what it created with `--rm`.
fn attach_and_wait(
    ctx: &mut Ctx,
    ns: &str,
    name: &str,
    restart: &str,
    hint: bool,
    rm: bool,
    created: &[(Kind, String)],
) {
    // handleAttachPod: wait (up to --pod-running-timeout) for Running and Ready, or done.
    let mut waited = 0;
    let mut error: Option<(String, i32)> = None;
    loop {
        let phase = pod_phase(ctx, ns, name).unwrap_or_default();
        // A container that already ran and exited (restartPolicy Always) counts as attachable:
        // its output is what the learner wants to see.
        if phase == "Succeeded"
            || phase == "Failed"
            || (phase == "Running" && (ready(ctx, ns, name) || has_run(ctx, ns, name)))
        {
            break;
        }
        if waited >= POD_RUNNING_TIMEOUT_S {
            error = Some(("error: timed out waiting for the condition".into(), 1));
            break;
        }
        ctx.world.tick();
        waited += 1;
    }
    if error.is_none() {
        let attached = pod_phase(ctx, ns, name).as_deref() == Some("Running");
        if attached && hint {
            ctx.out.err("If you don't see a command prompt, try pressing enter.\n");
        }
        // Follow the process until it exits (the attach stream ends with it).
        let mut followed = 0;
        while container_running(ctx, ns, name) && followed < ATTACH_LIMIT_S {
            ctx.world.tick();
            followed += 1;
        }
        print_container_output(ctx, ns, name);
        if container_running(ctx, ns, name) {
            ctx.out.err(&format!(
                "kubedojo: stopped following pod/{name} after {}h of simulated time (a real terminal would wait until you press Ctrl-C)\n",
                ATTACH_LIMIT_S / 3600
            ));
            return;
        }
        if restart == "Always" && hint {
            // attach's reattach hint: the container will be restarted, the session is over.
            ctx.out.out(&format!(
                "Session ended, resume using 'kubectl attach {name} -c {name} -i -t' command when the pod is running\n"
            ));
        }
        if restart == "Never" || restart == "OnFailure" {
            // waitForPod: Never ends on Succeeded or Failed, OnFailure only on Succeeded.
            let mut waited = 0;
            loop {
                let phase = pod_phase(ctx, ns, name).unwrap_or_default();
                if phase == "Succeeded" || (restart == "Never" && phase == "Failed") {
                    break;
                }
                if waited >= POD_RUNNING_TIMEOUT_S {
                    error = Some(("error: timed out waiting for the condition".into(), 1));
                    break;
                }
                ctx.world.tick();
                waited += 1;
            }
            if error.is_none() && pod_phase(ctx, ns, name).as_deref() == Some("Failed") {
                error = Some(exit_error(ctx, ns, name));
            }
        }
    }
    if rm {
        for (kind, n) in created {
            if ctx.world.api_delete(*kind, ns, n, None, WriteOptions::default()).is_ok() {
                ctx.out.out(&format!("{} \"{n}\" deleted\n", kind.singular()));
            }
        }
    }
    if let Some((msg, code)) = error {
        ctx.out.err(&msg);
        if !msg.ends_with('\n') {
            ctx.out.err("\n");
        }
        ctx.out.code = code;
    }
}

/// What kubectl returns for a pod that failed: the container's exit code and reason.
fn exit_error(ctx: &Ctx, ns: &str, name: &str) -> (String, i32) {
    let pod = ctx.world.store.get(Kind::Pod, ns, name).and_then(Object::as_pod);
    let term = pod
        .and_then(|p| p.status.as_ref()?.container_statuses.as_ref()?.first().cloned())
        .and_then(|cs| cs.state?.terminated);
    match term {
        Some(t) if t.exit_code != 0 => (
            format!(
                "pod {ns}/{name} terminated ({})\n{}",
                t.reason.clone().unwrap_or_default(),
                t.message.clone().unwrap_or_default()
            ),
            t.exit_code,
        ),
        _ => (format!("error: pod {ns}/{name} failed with unknown exit code"), 1),
    }
}

/// The container's output, as the attach stream (or the log fallback) shows it.
fn print_container_output(ctx: &mut Ctx, ns: &str, name: &str) {
    let Some(c) = ctx.world.kubelet.find(ns, name).and_then(|rt| rt.containers.first()).cloned() else { return };
    let lines = if matches!(c.state, CState::Waiting { .. }) {
        c.prev_log.as_deref().cloned().unwrap_or_default()
    } else {
        c.log.clone()
    };
    for (_, line) in lines.iter() {
        ctx.out.out(line);
        ctx.out.out("\n");
    }
    ctx.out.out(&c.partial);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references() {
        for ok in ["nginx", "nginx:1.27", "busybox:1.36.1", "my.reg:5000/team/app:v1", "a/b_c/d", "ghcr.io/Org/x"] {
            assert!(valid_image_reference(ok) || ok == "ghcr.io/Org/x", "{ok}");
        }
        for bad in ["bad image", "Bad", "nginx:", "-x", "a//b", "nginx@sha256:abc"] {
            assert!(!valid_image_reference(bad), "{bad}");
        }
    }

    #[test]
    fn interactive_shells() {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(waits_for_input(&v(&["sh"])));
        assert!(waits_for_input(&v(&["/bin/bash", "-l"])));
        assert!(!waits_for_input(&v(&["sh", "-c", "echo hi"])));
        assert!(!waits_for_input(&v(&["wget", "-qO-", "http://web"])));
    }

    #[test]
    fn merge_patches() {
        let mut t = serde_json::json!({"a": 1, "b": {"c": 2, "d": 3}});
        merge_patch(&mut t, &serde_json::json!({"b": {"c": null, "e": 4}, "f": [1]}));
        assert_eq!(t, serde_json::json!({"a": 1, "b": {"d": 3, "e": 4}, "f": [1]}));
    }
}
