//! The Pod describer and the pieces other describers share with it: containers (state,
//! probes, environment, mounts), volumes, and the Pod Template section of workloads.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStatus, EnvVar, Pod, PodTemplateSpec, Probe, ResourceRequirements, Volume,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{
    describe_events, format_label_selector, go_list, name, namespace, or_none, print_annotations_multiline, print_bool,
    print_controller, print_labels_multiline, print_tolerations_multiline, qty, rfc1123z, Describer, Pw,
};
use crate::sim::Kind;

pub(super) fn describe_pod(d: &Describer, pod: &Pod) -> String {
    // kubectl clears the kind of the pod's reference before searching its events; a mirror
    // pod's events carry the uid of its static pod.
    let events = d.show_events.then(|| {
        let mirror = pod.metadata.annotations.as_ref().and_then(|a| a.get("kubernetes.io/config.mirror"));
        let uid = mirror.cloned().or_else(|| pod.metadata.uid.clone()).unwrap_or_default();
        d.search_events(&pod.metadata, None, &uid)
    });
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&pod.metadata)));
    w.w(0, &format!("Namespace:\t{}\n", namespace(&pod.metadata)));
    if let Some(p) = spec.priority {
        w.w(0, &format!("Priority:\t{p}\n"));
    }
    if let Some(pc) = spec.priority_class_name.as_deref().filter(|s| !s.is_empty()) {
        w.w(0, &format!("Priority Class Name:\t{pc}\n"));
    }
    if let Some(rc) = spec.runtime_class_name.as_deref().filter(|s| !s.is_empty()) {
        w.w(0, &format!("Runtime Class Name:\t{rc}\n"));
    }
    if let Some(sa) = spec.service_account_name.as_deref().filter(|s| !s.is_empty()) {
        w.w(0, &format!("Service Account:\t{sa}\n"));
    }
    match spec.node_name.as_deref().filter(|s| !s.is_empty()) {
        None => w.w(0, "Node:\t<none>\n"),
        Some(n) => w.w(0, &format!("Node:\t{n}/{}\n", status.host_ip.as_deref().unwrap_or(""))),
    }
    if let Some(t) = &status.start_time {
        w.w(0, &format!("Start Time:\t{}\n", rfc1123z(Some(t))));
    }
    print_labels_multiline(&mut w, "Labels", pod.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", pod.metadata.annotations.as_ref());
    let phase = status.phase.as_deref().unwrap_or("");
    if let (Some(del), false) = (&pod.metadata.deletion_timestamp, phase == "Failed" || phase == "Succeeded") {
        w.w(0, &format!("Status:\tTerminating (lasts {})\n", d.since(Some(del))));
        w.w(0, &format!("Termination Grace Period:\t{}s\n", pod.metadata.deletion_grace_period_seconds.unwrap_or(0)));
    } else {
        w.w(0, &format!("Status:\t{phase}\n"));
    }
    if let Some(r) = status.reason.as_deref().filter(|s| !s.is_empty()) {
        w.w(0, &format!("Reason:\t{r}\n"));
    }
    if let Some(m) = status.message.as_deref().filter(|s| !s.is_empty()) {
        w.w(0, &format!("Message:\t{m}\n"));
    }
    if let Some(sp) = spec.security_context.as_ref().and_then(|s| s.seccomp_profile.as_ref()) {
        w.w(0, &format!("SeccompProfile:\t{}\n", sp.type_));
        if sp.type_ == "Localhost" {
            w.w(0, &format!("LocalhostProfile:\t{}\n", sp.localhost_profile.as_deref().unwrap_or("")));
        }
    }
    w.w(0, &format!("IP:\t{}\n", status.pod_ip.as_deref().unwrap_or("")));
    match status.pod_ips.as_deref() {
        None | Some([]) => w.w(0, "IPs:\t<none>\n"),
        Some(ips) => {
            w.w(0, "IPs:\n");
            for ip in ips {
                w.w(1, &format!("IP:\t{}\n", ip.ip));
            }
        }
    }
    if let Some(c) = print_controller(&pod.metadata) {
        w.w(0, &format!("Controlled By:\t{c}\n"));
    }
    if let Some(n) = status.nominated_node_name.as_deref().filter(|s| !s.is_empty()) {
        w.w(0, &format!("NominatedNodeName:\t{n}\n"));
    }
    let env = EnvResolver::Pod(pod);
    if let Some(init) = spec.init_containers.as_deref().filter(|c| !c.is_empty()) {
        describe_containers(&mut w, "Init Containers", init, status.init_container_statuses.as_deref(), &env, "");
    }
    describe_containers(&mut w, "Containers", &spec.containers, status.container_statuses.as_deref(), &env, "");
    if let Some(eph) = spec.ephemeral_containers.as_deref().filter(|c| !c.is_empty()) {
        let containers: Vec<Container> = eph
            .iter()
            .map(|e| {
                // EphemeralContainerCommon has the fields of a Container.
                serde_json::to_value(e).ok().and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default()
            })
            .collect();
        describe_containers(
            &mut w,
            "Ephemeral Containers",
            &containers,
            status.ephemeral_container_statuses.as_deref(),
            &env,
            "",
        );
    }
    let conditions = status.conditions.clone().unwrap_or_default();
    if let Some(gates) = spec.readiness_gates.as_deref().filter(|g| !g.is_empty()) {
        w.w(0, "Readiness Gates:\n  Type\tStatus\n");
        for g in gates {
            let st = conditions
                .iter()
                .find(|c| c.type_ == g.condition_type)
                .map(|c| c.status.clone())
                .unwrap_or_else(|| "<none>".into());
            w.w(1, &format!("{} \t{} \n", g.condition_type, st));
        }
    }
    if !conditions.is_empty() {
        w.w(0, "Conditions:\n  Type\tStatus\n");
        for c in &conditions {
            w.w(1, &format!("{} \t{} \n", c.type_, c.status));
        }
    }
    describe_volumes(&mut w, spec.volumes.as_deref().unwrap_or_default(), "");
    w.w(0, &format!("QoS Class:\t{}\n", qos_class(pod)));
    print_labels_multiline(&mut w, "Node-Selectors", spec.node_selector.as_ref());
    print_tolerations_multiline(&mut w, "Tolerations", spec.tolerations.as_deref().unwrap_or_default());
    describe_topology_spread_constraints(&mut w, &spec, "");
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

/// How a container's `valueFrom.fieldRef` variables are shown: resolved against the pod, or
/// not at all in a pod template.
pub(super) enum EnvResolver<'a> {
    Pod(&'a Pod),
    None,
}

impl EnvResolver<'_> {
    /// kubectl's `EnvValueRetriever`. kubectl converts the field path with its client scheme,
    /// which knows only `metadata.name` and `metadata.namespace`; any other path resolves to
    /// nothing, so real kubectl prints e.g. `  (v1:status.podIP)` with an empty value.
    fn field(&self, path: &str) -> String {
        match self {
            EnvResolver::Pod(p) => match path {
                "metadata.name" => name(&p.metadata).to_string(),
                "metadata.namespace" => namespace(&p.metadata).to_string(),
                _ => String::new(),
            },
            EnvResolver::None => String::new(),
        }
    }
}

pub(super) fn describe_containers(
    w: &mut Pw,
    label: &str,
    containers: &[Container],
    statuses: Option<&[ContainerStatus]>,
    env: &EnvResolver,
    space: &str,
) {
    let statuses: BTreeMap<&str, &ContainerStatus> =
        statuses.unwrap_or_default().iter().map(|s| (s.name.as_str(), s)).collect();
    let none = if containers.is_empty() { " <none>" } else { "" };
    w.w(0, &format!("{space}{label}:{none}\n"));
    for c in containers {
        let status = statuses.get(c.name.as_str()).copied();
        describe_container_basic_info(w, c, status, space);
        describe_container_command(w, c);
        if let Some(s) = status {
            describe_container_state(w, s);
        }
        describe_resources(w, c.resources.as_ref(), 2);
        describe_container_probe(w, c);
        if c.env_from.as_ref().is_some_and(|e| !e.is_empty()) {
            describe_container_env_from(w, c);
        }
        describe_container_env_vars(w, c, env);
        describe_container_volumes(w, c);
    }
}

fn describe_container_basic_info(w: &mut Pw, c: &Container, status: Option<&ContainerStatus>, space: &str) {
    let name_indent = if space.is_empty() { "" } else { " " };
    w.w(1, &format!("{name_indent}{}:\n", c.name));
    if let Some(s) = status {
        w.w(2, &format!("Container ID:\t{}\n", s.container_id.as_deref().unwrap_or("")));
    }
    w.w(2, &format!("Image:\t{}\n", c.image.as_deref().unwrap_or("")));
    if let Some(s) = status {
        w.w(2, &format!("Image ID:\t{}\n", s.image_id));
    }
    let ports = c.ports.as_deref().unwrap_or_default();
    // (kubectl v1.32 leaves the port names out.)
    let port_string = ports
        .iter()
        .map(|p| format!("{}/{}", p.container_port, p.protocol.as_deref().unwrap_or("")))
        .collect::<Vec<_>>()
        .join(", ");
    if port_string.contains(',') {
        w.w(2, &format!("Ports:\t{port_string}\n"));
    } else {
        w.w(2, &format!("Port:\t{}\n", or_none(&port_string)));
    }
    let host_port_string = ports
        .iter()
        .map(|p| format!("{}/{}", p.host_port.unwrap_or(0), p.protocol.as_deref().unwrap_or("")))
        .collect::<Vec<_>>()
        .join(", ");
    if host_port_string.contains(',') {
        w.w(2, &format!("Host Ports:\t{host_port_string}\n"));
    } else {
        w.w(2, &format!("Host Port:\t{}\n", or_none(&host_port_string)));
    }
    if let Some(sp) = c.security_context.as_ref().and_then(|s| s.seccomp_profile.as_ref()) {
        w.w(2, &format!("SeccompProfile:\t{}\n", sp.type_));
        if sp.type_ == "Localhost" {
            w.w(3, &format!("LocalhostProfile:\t{}\n", sp.localhost_profile.as_deref().unwrap_or("")));
        }
    }
}

fn describe_container_command(w: &mut Pw, c: &Container) {
    if let Some(cmd) = c.command.as_deref().filter(|c| !c.is_empty()) {
        w.w(2, "Command:\n");
        for part in cmd {
            for s in part.split('\n') {
                w.w(3, &format!("{s}\n"));
            }
        }
    }
    if let Some(args) = c.args.as_deref().filter(|c| !c.is_empty()) {
        w.w(2, "Args:\n");
        for part in args {
            for s in part.split('\n') {
                w.w(3, &format!("{s}\n"));
            }
        }
    }
}

pub(super) fn describe_resources(w: &mut Pw, r: Option<&ResourceRequirements>, level: usize) {
    let Some(r) = r else { return };
    if let Some(limits) = r.limits.as_ref().filter(|l| !l.is_empty()) {
        w.w(level, "Limits:\n");
        for (k, v) in limits {
            w.w(level + 1, &format!("{k}:\t{}\n", qty(v)));
        }
    }
    if let Some(requests) = r.requests.as_ref().filter(|l| !l.is_empty()) {
        w.w(level, "Requests:\n");
        for (k, v) in requests {
            w.w(level + 1, &format!("{k}:\t{}\n", qty(v)));
        }
    }
}

fn describe_container_state(w: &mut Pw, s: &ContainerStatus) {
    describe_status(w, "State", s.state.as_ref());
    if let Some(last) = s.last_state.as_ref().filter(|l| l.terminated.is_some()) {
        describe_status(w, "Last State", Some(last));
    }
    w.w(2, &format!("Ready:\t{}\n", print_bool(s.ready)));
    w.w(2, &format!("Restart Count:\t{}\n", s.restart_count));
}

fn describe_status(w: &mut Pw, state_name: &str, state: Option<&ContainerState>) {
    let state = state.cloned().unwrap_or_default();
    if let Some(r) = &state.running {
        w.w(2, &format!("{state_name}:\tRunning\n"));
        w.w(3, &format!("Started:\t{}\n", rfc1123z(r.started_at.as_ref())));
    } else if let Some(wt) = &state.waiting {
        w.w(2, &format!("{state_name}:\tWaiting\n"));
        if let Some(r) = wt.reason.as_deref().filter(|s| !s.is_empty()) {
            w.w(3, &format!("Reason:\t{r}\n"));
        }
    } else if let Some(t) = &state.terminated {
        w.w(2, &format!("{state_name}:\tTerminated\n"));
        if let Some(r) = t.reason.as_deref().filter(|s| !s.is_empty()) {
            w.w(3, &format!("Reason:\t{r}\n"));
        }
        if let Some(m) = t.message.as_deref().filter(|s| !s.is_empty()) {
            w.w(3, &format!("Message:\t{m}\n"));
        }
        w.w(3, &format!("Exit Code:\t{}\n", t.exit_code));
        if let Some(sig) = t.signal.filter(|s| *s > 0) {
            w.w(3, &format!("Signal:\t{sig}\n"));
        }
        w.w(3, &format!("Started:\t{}\n", rfc1123z(t.started_at.as_ref())));
        w.w(3, &format!("Finished:\t{}\n", rfc1123z(t.finished_at.as_ref())));
    } else {
        w.w(2, &format!("{state_name}:\tWaiting\n"));
    }
}

fn describe_container_probe(w: &mut Pw, c: &Container) {
    if let Some(p) = &c.liveness_probe {
        w.w(2, &format!("Liveness:\t{}\n", describe_probe(p)));
    }
    if let Some(p) = &c.readiness_probe {
        w.w(2, &format!("Readiness:\t{}\n", describe_probe(p)));
    }
    if let Some(p) = &c.startup_probe {
        w.w(2, &format!("Startup:\t{}\n", describe_probe(p)));
    }
}

fn int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// kubectl's `DescribeProbe`: `http-get http://:8080/healthz delay=0s timeout=1s period=10s
/// #success=1 #failure=3`.
pub(super) fn describe_probe(p: &Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(0),
        p.period_seconds.unwrap_or(0),
        p.success_threshold.unwrap_or(0),
        p.failure_threshold.unwrap_or(0)
    );
    if let Some(e) = &p.exec {
        return format!("exec {} {attrs}", go_list(e.command.as_deref().unwrap_or_default()));
    }
    if let Some(h) = &p.http_get {
        let scheme = h.scheme.as_deref().unwrap_or("").to_ascii_lowercase();
        let host = h.host.as_deref().unwrap_or("");
        let port = int_or_string(&h.port);
        let hostport = if port.is_empty() { host.to_string() } else { join_host_port(host, &port) };
        return format!("http-get {} {attrs}", url_string(&scheme, &hostport, h.path.as_deref().unwrap_or("")));
    }
    if let Some(t) = &p.tcp_socket {
        return format!("tcp-socket {}:{} {attrs}", t.host.as_deref().unwrap_or(""), int_or_string(&t.port));
    }
    if let Some(g) = &p.grpc {
        return format!("grpc <pod>:{} {} {attrs}", g.port, g.service.as_deref().unwrap_or(""));
    }
    format!("unknown {attrs}")
}

/// Go's `net.JoinHostPort`: IPv6 hosts in brackets.
fn join_host_port(host: &str, port: &str) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Go's `url.URL{Scheme, Host, Path}.String()` for the parts a probe has.
fn url_string(scheme: &str, host: &str, path: &str) -> String {
    let mut s = String::new();
    if !scheme.is_empty() {
        s.push_str(scheme);
        s.push(':');
    }
    if !scheme.is_empty() || !host.is_empty() {
        s.push_str("//");
        s.push_str(host);
    }
    if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
        s.push('/');
    }
    // EscapedPath: characters outside the path-safe set are percent-encoded.
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@!*'()".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn describe_container_env_vars(w: &mut Pw, c: &Container, env: &EnvResolver) {
    let vars: &[EnvVar] = c.env.as_deref().unwrap_or_default();
    let none = if vars.is_empty() { "\t<none>" } else { "" };
    w.w(2, &format!("Environment:{none}\n"));
    for e in vars {
        let Some(from) = &e.value_from else {
            for (i, s) in e.value.as_deref().unwrap_or("").split('\n').enumerate() {
                if i == 0 {
                    w.w(3, &format!("{}:\t{s}\n", e.name));
                } else {
                    w.w(3, &format!("\t{s}\n"));
                }
            }
            continue;
        };
        if let Some(f) = &from.field_ref {
            let api_version = f.api_version.as_deref().unwrap_or("");
            // An apiVersion kubectl cannot parse resolves to nothing.
            let value = if api_version.split('/').count() <= 2 { env.field(&f.field_path) } else { String::new() };
            w.w(3, &format!("{}:\t{value} ({api_version}:{})\n", e.name, f.field_path));
        } else if let Some(r) = &from.resource_field_ref {
            let mut value = container_resource_value(&r.resource, r.divisor.as_ref().map(|q| q.0.as_str()), c);
            if value == "0" && (r.resource == "limits.cpu" || r.resource == "limits.memory") {
                value = "node allocatable".into();
            }
            w.w(3, &format!("{}:\t{value} ({})\n", e.name, r.resource));
        } else if let Some(s) = &from.secret_key_ref {
            w.w(
                3,
                &format!(
                    "{}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                    e.name,
                    s.key,
                    s.name,
                    s.optional.unwrap_or(false)
                ),
            );
        } else if let Some(cm) = &from.config_map_key_ref {
            w.w(
                3,
                &format!(
                    "{}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
                    e.name,
                    cm.key,
                    cm.name,
                    cm.optional.unwrap_or(false)
                ),
            );
        }
    }
}

/// kubectl's `ExtractContainerResourceValue`: the container's request or limit divided by
/// the divisor, rounded up; `""` when unsupported.
fn container_resource_value(resource: &str, divisor: Option<&str>, c: &Container) -> String {
    use crate::sim::quantity::{parse_milli, parse_value};
    let divisor = divisor.filter(|d| parse_milli(d).is_ok_and(|m| m != 0)).unwrap_or("1");
    let res = c.resources.clone().unwrap_or_default();
    let get = |list: &Option<BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>, key: &str| {
        list.as_ref().and_then(|l| l.get(key)).map(|q| q.0.clone()).unwrap_or_else(|| "0".into())
    };
    let ceil_div = |a: f64, b: f64| -> String { ((a / b).ceil() as i64).to_string() };
    let (which, name) = match resource.split_once('.') {
        Some((w, n)) if w == "limits" || w == "requests" => (w, n),
        _ => return String::new(),
    };
    let list = if which == "limits" { &res.limits } else { &res.requests };
    let q = get(list, name);
    match name {
        "cpu" => ceil_div(parse_milli(&q).unwrap_or(0) as f64, parse_milli(divisor).unwrap_or(1) as f64),
        "memory" | "ephemeral-storage" => {
            ceil_div(parse_value(&q).unwrap_or(0) as f64, parse_value(divisor).unwrap_or(1) as f64)
        }
        n if n.starts_with("hugepages-") => {
            ceil_div(parse_value(&q).unwrap_or(0) as f64, parse_value(divisor).unwrap_or(1) as f64)
        }
        _ => String::new(),
    }
}

fn describe_container_env_from(w: &mut Pw, c: &Container) {
    w.w(2, "Environment Variables from:\n");
    for e in c.env_from.as_deref().unwrap_or_default() {
        let (from, name, optional) = if let Some(cm) = &e.config_map_ref {
            ("ConfigMap", cm.name.as_str(), cm.optional.unwrap_or(false))
        } else if let Some(s) = &e.secret_ref {
            ("Secret", s.name.as_str(), s.optional.unwrap_or(false))
        } else {
            ("", "", false)
        };
        match e.prefix.as_deref().filter(|p| !p.is_empty()) {
            None => w.w(3, &format!("{name}\t{from}\tOptional: {optional}\n")),
            Some(p) => w.w(3, &format!("{name}\t{from} with prefix '{p}'\tOptional: {optional}\n")),
        }
    }
}

fn describe_container_volumes(w: &mut Pw, c: &Container) {
    let mounts = c.volume_mounts.clone().unwrap_or_default();
    let none = if mounts.is_empty() { "\t<none>" } else { "" };
    w.w(2, &format!("Mounts:{none}\n"));
    let mut mounts: Vec<_> = mounts.iter().collect();
    super::gosort::sort(&mut mounts, |a, b| a.mount_path < b.mount_path);
    for m in mounts {
        let mut flags = vec![if m.read_only == Some(true) { "ro".to_string() } else { "rw".to_string() }];
        if let Some(sp) = m.sub_path.as_deref().filter(|s| !s.is_empty()) {
            flags.push(format!("path={}", go_quote(sp)));
        }
        w.w(3, &format!("{} from {} ({})\n", m.mount_path, m.name, flags.join(",")));
    }
    if let Some(devices) = c.volume_devices.as_deref().filter(|d| !d.is_empty()) {
        w.w(2, &format!("Devices:{none}\n"));
        let mut devices: Vec<_> = devices.iter().collect();
        super::gosort::sort(&mut devices, |a, b| a.device_path < b.device_path);
        for dev in devices {
            w.w(3, &format!("{} from {}\n", dev.device_path, dev.name));
        }
    }
}

/// Go's `%q` for a plain string.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(super) fn describe_volumes(w: &mut Pw, volumes: &[Volume], space: &str) {
    if volumes.is_empty() {
        return w.w(0, &format!("{space}Volumes:\t<none>\n"));
    }
    w.w(0, &format!("{space}Volumes:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for v in volumes {
        w.w(1, &format!("{name_indent}{}:\n", v.name));
        if let Some(h) = &v.host_path {
            print_host_path(w, &h.path, h.type_.as_deref());
        } else if let Some(e) = &v.empty_dir {
            let size = e
                .size_limit
                .as_ref()
                .filter(|q| crate::sim::quantity::parse_milli(&q.0).is_ok_and(|m| m > 0))
                .map(qty)
                .unwrap_or_else(|| "<unset>".into());
            w.w(
                2,
                &format!(
                    "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{size}\n",
                    e.medium.as_deref().unwrap_or("")
                ),
            );
        } else if let Some(g) = &v.git_repo {
            w.w(
                2,
                &format!(
                    "Type:\tGitRepo (a volume that is pulled from git when the pod is created)\n    Repository:\t{}\n    Revision:\t{}\n",
                    g.repository,
                    g.revision.as_deref().unwrap_or("")
                ),
            );
        } else if let Some(s) = &v.secret {
            w.w(
                2,
                &format!(
                    "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
                    s.secret_name.as_deref().unwrap_or(""),
                    s.optional.unwrap_or(false)
                ),
            );
        } else if let Some(c) = &v.config_map {
            w.w(
                2,
                &format!(
                    "Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n",
                    c.name,
                    c.optional.unwrap_or(false)
                ),
            );
        } else if let Some(n) = &v.nfs {
            print_nfs(w, &n.server, &n.path, n.read_only.unwrap_or(false));
        } else if let Some(i) = &v.iscsi {
            print_iscsi(
                w,
                &IscsiFields {
                    target_portal: &i.target_portal,
                    iqn: &i.iqn,
                    lun: i.lun,
                    iscsi_interface: i.iscsi_interface.as_deref().unwrap_or(""),
                    fs_type: i.fs_type.as_deref().unwrap_or(""),
                    read_only: i.read_only.unwrap_or(false),
                    portals: i.portals.as_deref().unwrap_or_default(),
                    discovery_chap: i.chap_auth_discovery.unwrap_or(false),
                    session_chap: i.chap_auth_session.unwrap_or(false),
                    secret_ref: i.secret_ref.as_ref().map(|s| format!("&LocalObjectReference{{Name:{},}}", s.name)),
                    initiator: i.initiator_name.as_deref(),
                },
            );
        } else if let Some(c) = &v.persistent_volume_claim {
            w.w(
                2,
                &format!(
                    "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n",
                    c.claim_name,
                    c.read_only.unwrap_or(false)
                ),
            );
        } else if let Some(e) = &v.ephemeral {
            w.w(
                2,
                "Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n",
            );
            if let Some(t) = &e.volume_claim_template {
                let meta = t.metadata.clone().unwrap_or_default();
                w.indent += 2;
                super::config::print_persistent_volume_claim(w, &meta, &t.spec, None, false, None);
                w.indent -= 2;
            }
        } else if let Some(da) = &v.downward_api {
            w.w(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n");
            for item in da.items.as_deref().unwrap_or_default() {
                if let Some(f) = &item.field_ref {
                    w.w(3, &format!("{} -> {}\n", f.field_path, item.path));
                }
                if let Some(r) = &item.resource_field_ref {
                    w.w(3, &format!("{} -> {}\n", r.resource, item.path));
                }
            }
        } else if let Some(p) = &v.projected {
            w.w(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
            for s in p.sources.as_deref().unwrap_or_default() {
                if let Some(sec) = &s.secret {
                    w.w(
                        2,
                        &format!(
                            "SecretName:\t{}\n    SecretOptionalName:\t{}\n",
                            sec.name,
                            go_bool_ptr(sec.optional, &format!("{}/{}", v.name, sec.name))
                        ),
                    );
                } else if s.downward_api.is_some() {
                    w.w(2, "DownwardAPI:\ttrue\n");
                } else if let Some(cm) = &s.config_map {
                    w.w(
                        2,
                        &format!(
                            "ConfigMapName:\t{}\n    ConfigMapOptional:\t{}\n",
                            cm.name,
                            go_bool_ptr(cm.optional, &format!("{}/{}", v.name, cm.name))
                        ),
                    );
                } else if let Some(t) = &s.service_account_token {
                    w.w(2, &format!("TokenExpirationSeconds:\t{}\n", t.expiration_seconds.unwrap_or(0)));
                }
            }
        } else if let Some(c) = &v.csi {
            print_csi(
                w,
                &c.driver,
                c.fs_type.as_deref().unwrap_or(""),
                None,
                c.read_only.unwrap_or(false),
                c.volume_attributes.as_ref(),
            );
        } else if let Some(i) = &v.image {
            w.w(
                2,
                &format!(
                    "Type:\tImage (a container image or OCI artifact)\n    Reference:\t{}\n    PullPolicy:\t{}\n",
                    i.reference.as_deref().unwrap_or(""),
                    i.pull_policy.as_deref().unwrap_or("")
                ),
            );
        } else {
            w.w(1, "<unknown>\n");
        }
    }
}

/// Go's `%v` of a `*bool`, which kubectl v1.32 prints raw for projected sources' `Optional`:
/// `<nil>`, or the pointer's heap address (made up from `seed`, see `go_heap_address`).
fn go_bool_ptr(b: Option<bool>, seed: &str) -> String {
    match b {
        None => "<nil>".into(),
        Some(_) => format!("{:#x}", crate::sim::api::errors::go_heap_address(seed)),
    }
}

pub(super) fn print_host_path(w: &mut Pw, path: &str, type_: Option<&str>) {
    w.w(
        2,
        &format!(
            "Type:\tHostPath (bare host directory volume)\n    Path:\t{path}\n    HostPathType:\t{}\n",
            type_.unwrap_or("<none>")
        ),
    );
}

pub(super) fn print_nfs(w: &mut Pw, server: &str, path: &str, read_only: bool) {
    w.w(
        2,
        &format!(
            "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{server}\n    Path:\t{path}\n    ReadOnly:\t{read_only}\n"
        ),
    );
}

pub(super) struct IscsiFields<'a> {
    pub target_portal: &'a str,
    pub iqn: &'a str,
    pub lun: i32,
    pub iscsi_interface: &'a str,
    pub fs_type: &'a str,
    pub read_only: bool,
    pub portals: &'a [String],
    pub discovery_chap: bool,
    pub session_chap: bool,
    pub secret_ref: Option<String>,
    pub initiator: Option<&'a str>,
}

pub(super) fn print_iscsi(w: &mut Pw, f: &IscsiFields) {
    w.w(
        2,
        &format!(
            "Type:\tISCSI (an ISCSI Disk resource that is attached to a kubelet's host machine and then exposed to the pod)\n    TargetPortal:\t{}\n    IQN:\t{}\n    Lun:\t{}\n    ISCSIInterface\t{}\n    FSType:\t{}\n    ReadOnly:\t{}\n    Portals:\t{}\n    DiscoveryCHAPAuth:\t{}\n    SessionCHAPAuth:\t{}\n    SecretRef:\t{}\n    InitiatorName:\t{}\n",
            f.target_portal,
            f.iqn,
            f.lun,
            f.iscsi_interface,
            f.fs_type,
            f.read_only,
            go_list(f.portals),
            f.discovery_chap,
            f.session_chap,
            f.secret_ref.as_deref().unwrap_or("nil"),
            f.initiator.unwrap_or("<none>")
        ),
    );
}

pub(super) fn print_csi(
    w: &mut Pw,
    driver: &str,
    fs_type: &str,
    volume_handle: Option<&str>,
    read_only: bool,
    attributes: Option<&BTreeMap<String, String>>,
) {
    match volume_handle {
        None => w.w(
            2,
            &format!(
                "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{driver}\n    FSType:\t{fs_type}\n    ReadOnly:\t{read_only}\n"
            ),
        ),
        Some(h) => w.w(
            2,
            &format!(
                "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{driver}\n    FSType:\t{fs_type}\n    VolumeHandle:\t{h}\n    ReadOnly:\t{read_only}\n"
            ),
        ),
    }
    w.w(2, "VolumeAttributes:\t");
    let attrs = attributes.cloned().unwrap_or_default();
    if attrs.is_empty() {
        return w.line("<none>");
    }
    for (i, (k, v)) in attrs.iter().enumerate() {
        if i != 0 {
            w.w(2, "");
            w.w(2, "\t");
        }
        w.w(2, &format!("{}\n", super::shorten(&format!("{k}={v}"), super::MAX_ANNOTATION_LEN)));
    }
}

fn describe_topology_spread_constraints(w: &mut Pw, spec: &k8s_openapi::api::core::v1::PodSpec, space: &str) {
    let Some(tscs) = spec.topology_spread_constraints.as_deref().filter(|t| !t.is_empty()) else { return };
    let mut tscs: Vec<_> = tscs.iter().collect();
    super::gosort::sort(&mut tscs, |a, b| a.topology_key < b.topology_key);
    w.w(0, &format!("{space}Topology Spread Constraints:\t"));
    for (i, t) in tscs.iter().enumerate() {
        if i != 0 {
            w.w(0, space);
            w.w(0, "\t");
        }
        w.w(0, &format!("{}:", t.topology_key));
        w.w(0, &t.when_unsatisfiable);
        w.w(0, &format!(" when max skew {} is exceeded", t.max_skew));
        if let Some(sel) = &t.label_selector {
            w.w(0, &format!(" for selector {}", format_label_selector(Some(sel))));
        }
        w.w(0, "\n");
    }
}

/// kubectl's `DescribePodTemplate`, used by every workload describer.
pub(super) fn describe_pod_template(w: &mut Pw, template: &PodTemplateSpec) {
    w.w(0, "Pod Template:\n");
    let meta = template.metadata.clone().unwrap_or_default();
    let spec = template.spec.clone().unwrap_or_default();
    print_labels_multiline(w, "  Labels", meta.labels.as_ref());
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        print_annotations_multiline(w, "  Annotations", meta.annotations.as_ref());
    }
    if let Some(sa) = spec.service_account_name.as_deref().filter(|s| !s.is_empty()) {
        w.w(1, &format!("Service Account:\t{sa}\n"));
    }
    if let Some(init) = spec.init_containers.as_deref().filter(|c| !c.is_empty()) {
        describe_containers(w, "Init Containers", init, None, &EnvResolver::None, "  ");
    }
    describe_containers(w, "Containers", &spec.containers, None, &EnvResolver::None, "  ");
    describe_volumes(w, spec.volumes.as_deref().unwrap_or_default(), "  ");
    describe_topology_spread_constraints(w, &spec, "  ");
    if let Some(pc) = spec.priority_class_name.as_deref().filter(|s| !s.is_empty()) {
        w.w(1, &format!("Priority Class Name:\t{pc}\n"));
    }
    print_labels_multiline(w, "  Node-Selectors", spec.node_selector.as_ref());
    super::print_tolerations_multiline(w, "  Tolerations", spec.tolerations.as_deref().unwrap_or_default());
}

/// kubectl's `qos.GetPodQOS`: the status field, else computed from requests and limits.
pub(super) fn qos_class(pod: &Pod) -> String {
    if let Some(q) = pod.status.as_ref().and_then(|s| s.qos_class.as_deref()).filter(|s| !s.is_empty()) {
        return q.to_string();
    }
    compute_qos(pod).to_string()
}

fn compute_qos(pod: &Pod) -> &'static str {
    use crate::sim::quantity::parse_milli;
    let Some(spec) = &pod.spec else { return "BestEffort" };
    let mut requests: BTreeMap<&str, i64> = BTreeMap::new();
    let mut limits: BTreeMap<&str, i64> = BTreeMap::new();
    let mut guaranteed = true;
    for c in spec.containers.iter().chain(spec.init_containers.iter().flatten()) {
        let r = c.resources.as_ref();
        for (name, q) in r.and_then(|r| r.requests.as_ref()).into_iter().flatten() {
            if name != "cpu" && name != "memory" {
                continue;
            }
            let m = parse_milli(&q.0).unwrap_or(0);
            if m > 0 {
                *requests.entry(name.as_str()).or_default() += m;
            }
        }
        let mut found = (false, false);
        for (name, q) in r.and_then(|r| r.limits.as_ref()).into_iter().flatten() {
            if name != "cpu" && name != "memory" {
                continue;
            }
            let m = parse_milli(&q.0).unwrap_or(0);
            if m > 0 {
                if name == "cpu" {
                    found.0 = true;
                } else {
                    found.1 = true;
                }
                *limits.entry(name.as_str()).or_default() += m;
            }
        }
        if !(found.0 && found.1) {
            guaranteed = false;
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort";
    }
    if guaranteed && requests.iter().any(|(k, v)| limits.get(k) != Some(v)) {
        guaranteed = false;
    }
    if guaranteed && requests.len() == limits.len() {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// The namespace's pods that mount `claim` or are its owner (kubectl's `getPodsForPVC`).
pub(super) fn pods_for_pvc<'a>(d: &'a Describer, ns: &str, claim: &str, owners: &[(&str, &str)]) -> Vec<&'a Pod> {
    let ns_pods = d.pods_in(ns);
    let mut pods: Vec<&Pod> = Vec::new();
    for p in &ns_pods {
        for v in p.spec.as_ref().and_then(|s| s.volumes.as_ref()).into_iter().flatten() {
            if v.persistent_volume_claim.as_ref().is_some_and(|c| c.claim_name == claim) {
                pods.push(p);
            }
        }
    }
    for (kind, uid) in owners {
        if *kind != "Pod" {
            continue;
        }
        let Some(owner) = ns_pods.iter().find(|p| p.metadata.uid.as_deref() == Some(uid)) else { continue };
        if pods.iter().any(|p| p.metadata.uid == owner.metadata.uid) {
            continue;
        }
        pods.push(owner);
    }
    pods
}

/// All pods on a node that are neither Succeeded nor Failed.
pub(super) fn non_terminated_pods_on<'a>(d: &'a Describer, node: &str) -> Vec<&'a Pod> {
    d.world
        .store
        .list(Kind::Pod, None)
        .into_iter()
        .filter_map(|o| o.as_pod())
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
        .filter(|p| {
            let phase = p.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("");
            phase != "Succeeded" && phase != "Failed"
        })
        .collect()
}
