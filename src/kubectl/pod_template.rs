//! kubectl's `DescribePodTemplate` (staging/src/k8s.io/kubectl/pkg/describe/describe.go) for a
//! pod template without status, as `kubectl rollout history --revision=N` prints it: written
//! through a `PrefixWriter` straight into a buffer, so the tabs are kept (no tabwriter).
//!
//! Volume kinds beyond emptyDir, configMap, secret, hostPath and persistentVolumeClaim print
//! `<unknown>`, as describe does for kinds it has no printer for.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, PodTemplateSpec, Probe, Toleration, Volume};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::sim::quantity;

/// `PrefixWriter.Write(level, ...)`: two spaces per level.
fn w(out: &mut String, level: usize, s: &str) {
    for _ in 0..level {
        out.push_str("  ");
    }
    out.push_str(s);
}

/// `printLabelsMultiline(w, title, labels)`.
fn labels_multiline(out: &mut String, title: &str, labels: &BTreeMap<String, String>) {
    out.push_str(&format!("{title}:\t"));
    if labels.is_empty() {
        out.push_str("<none>\n");
        return;
    }
    for (i, (k, v)) in labels.iter().enumerate() {
        if i != 0 {
            out.push('\t');
        }
        out.push_str(&format!("{k}={v}\n"));
    }
}

/// `printAnnotationsMultiline(w, title, annotations)`.
fn annotations_multiline(out: &mut String, title: &str, annotations: &BTreeMap<String, String>) {
    const MAX: usize = 140;
    out.push_str(&format!("{title}:\t"));
    if annotations.is_empty() {
        out.push_str("<none>\n");
        return;
    }
    for (i, (k, v)) in annotations.iter().enumerate() {
        if i != 0 {
            out.push('\t');
        }
        let value = v.strip_suffix('\n').unwrap_or(v);
        if value.len() + k.len() + 2 > MAX || value.contains('\n') {
            out.push_str(&format!("{k}:\n"));
            for s in value.split('\n') {
                let short =
                    if s.len() > MAX - 2 { format!("{}...", &s[..floor_char(s, MAX - 2)]) } else { s.to_string() };
                out.push_str(&format!("\t  {short}\n"));
            }
        } else {
            out.push_str(&format!("{k}: {value}\n"));
        }
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// `DescribeProbe`.
pub fn describe_probe(p: &Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(0),
        p.period_seconds.unwrap_or(0),
        p.success_threshold.unwrap_or(0),
        p.failure_threshold.unwrap_or(0)
    );
    if let Some(e) = &p.exec {
        return format!("exec [{}] {attrs}", e.command.clone().unwrap_or_default().join(" "));
    }
    if let Some(h) = &p.http_get {
        let scheme = h.scheme.clone().unwrap_or_default().to_lowercase();
        let host = h.host.clone().unwrap_or_default();
        let port = int_or_string(&h.port);
        let hostport = if port.is_empty() {
            host
        } else if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let path = h.path.clone().unwrap_or_default();
        let path = if !path.is_empty() && !path.starts_with('/') { format!("/{path}") } else { path };
        let url =
            if scheme.is_empty() { format!("//{hostport}{path}") } else { format!("{scheme}://{hostport}{path}") };
        return format!("http-get {url} {attrs}");
    }
    if let Some(t) = &p.tcp_socket {
        return format!("tcp-socket {}:{} {attrs}", t.host.clone().unwrap_or_default(), int_or_string(&t.port));
    }
    if let Some(g) = &p.grpc {
        return format!("grpc <pod>:{} {} {attrs}", g.port, g.service.clone().unwrap_or_default());
    }
    format!("unknown {attrs}")
}

fn canonical(q: &str) -> String {
    match (quantity::parse_milli(q), quantity::parse_format(q)) {
        (Ok(m), Ok(f)) => quantity::format_milli(m, f),
        _ => q.to_string(),
    }
}

/// `describeContainers(label, containers, nil, nil, w, "  ")` for a template.
fn describe_containers(out: &mut String, label: &str, containers: &[Container]) {
    if containers.is_empty() {
        out.push_str(&format!("  {label}:\t<none>\n"));
        return;
    }
    out.push_str(&format!("  {label}:\n"));
    for c in containers {
        w(out, 1, &format!(" {}:\n", c.name));
        w(out, 2, &format!("Image:\t{}\n", c.image.clone().unwrap_or_default()));
        let ports = c.ports.clone().unwrap_or_default();
        let proto = |p: &k8s_openapi::api::core::v1::ContainerPort| p.protocol.clone().unwrap_or_default();
        let port_s: Vec<String> = ports.iter().map(|p| format!("{}/{}", p.container_port, proto(p))).collect();
        let host_s: Vec<String> = ports.iter().map(|p| format!("{}/{}", p.host_port.unwrap_or(0), proto(p))).collect();
        let (ps, hs) = (port_s.join(", "), host_s.join(", "));
        let or_none = |s: &str| if s.is_empty() { "<none>".to_string() } else { s.to_string() };
        if ps.contains(',') {
            w(out, 2, &format!("Ports:\t{ps}\n"));
        } else {
            w(out, 2, &format!("Port:\t{}\n", or_none(&ps)));
        }
        if hs.contains(',') {
            w(out, 2, &format!("Host Ports:\t{hs}\n"));
        } else {
            w(out, 2, &format!("Host Port:\t{}\n", or_none(&hs)));
        }
        if let Some(rp) = &c.restart_policy {
            w(out, 2, &format!("Restart Policy:\t{rp}\n"));
        }
        for (title, items) in [("Command", &c.command), ("Args", &c.args)] {
            if let Some(items) = items.as_ref().filter(|v| !v.is_empty()) {
                w(out, 2, &format!("{title}:\n"));
                for item in items {
                    for s in item.split('\n') {
                        w(out, 3, &format!("{s}\n"));
                    }
                }
            }
        }
        if let Some(res) = &c.resources {
            for (title, list) in [("Limits", &res.limits), ("Requests", &res.requests)] {
                if let Some(list) = list.as_ref().filter(|l| !l.is_empty()) {
                    w(out, 2, &format!("{title}:\n"));
                    for (k, v) in list {
                        w(out, 3, &format!("{k}:\t{}\n", canonical(&v.0)));
                    }
                }
            }
        }
        for (title, p) in
            [("Liveness", &c.liveness_probe), ("Readiness", &c.readiness_probe), ("Startup", &c.startup_probe)]
        {
            if let Some(p) = p {
                w(out, 2, &format!("{title}:\t{}\n", describe_probe(p)));
            }
        }
        if let Some(from) = c.env_from.as_ref().filter(|v| !v.is_empty()) {
            w(out, 2, "Environment Variables from:\n");
            for e in from {
                let (name, kind, optional) = if let Some(r) = &e.config_map_ref {
                    (r.name.clone(), "ConfigMap", r.optional.unwrap_or(false))
                } else if let Some(r) = &e.secret_ref {
                    (r.name.clone(), "Secret", r.optional.unwrap_or(false))
                } else {
                    (String::new(), "", false)
                };
                match e.prefix.as_deref().filter(|p| !p.is_empty()) {
                    None => w(out, 3, &format!("{name}\t{kind}\tOptional: {optional}\n")),
                    Some(p) => w(out, 3, &format!("{name}\t{kind} with prefix '{p}'\tOptional: {optional}\n")),
                }
            }
        }
        let env = c.env.clone().unwrap_or_default();
        w(out, 2, &format!("Environment:{}\n", if env.is_empty() { "\t<none>" } else { "" }));
        for e in &env {
            match &e.value_from {
                None => {
                    for (i, s) in e.value.clone().unwrap_or_default().split('\n').enumerate() {
                        if i == 0 {
                            w(out, 3, &format!("{}:\t{s}\n", e.name));
                        } else {
                            w(out, 3, &format!("\t{s}\n"));
                        }
                    }
                }
                Some(v) => {
                    if let Some(f) = &v.field_ref {
                        w(
                            out,
                            3,
                            &format!(
                                "{}:\t ({}:{})\n",
                                e.name,
                                f.api_version.clone().unwrap_or_default(),
                                f.field_path
                            ),
                        );
                    } else if let Some(r) = &v.resource_field_ref {
                        w(out, 3, &format!("{}:\t ({})\n", e.name, r.resource));
                    } else if let Some(s) = &v.secret_key_ref {
                        w(
                            out,
                            3,
                            &format!(
                                "{}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                                e.name,
                                s.key,
                                s.name,
                                s.optional.unwrap_or(false)
                            ),
                        );
                    } else if let Some(cm) = &v.config_map_key_ref {
                        w(
                            out,
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
        }
        let mut mounts = c.volume_mounts.clone().unwrap_or_default();
        w(out, 2, &format!("Mounts:{}\n", if mounts.is_empty() { "\t<none>" } else { "" }));
        mounts.sort_by(|a, b| a.mount_path.cmp(&b.mount_path));
        for m in &mounts {
            let mut flags = vec![if m.read_only == Some(true) { "ro".to_string() } else { "rw".to_string() }];
            if let Some(sp) = m.sub_path.as_deref().filter(|s| !s.is_empty()) {
                flags.push(format!("path={sp:?}"));
            }
            w(out, 3, &format!("{} from {} ({})\n", m.mount_path, m.name, flags.join(",")));
        }
    }
}

/// `describeVolumes(volumes, w, "  ")`.
fn describe_volumes(out: &mut String, volumes: &[Volume]) {
    if volumes.is_empty() {
        out.push_str("  Volumes:\t<none>\n");
        return;
    }
    out.push_str("  Volumes:\n");
    for v in volumes {
        w(out, 1, &format!(" {}:\n", v.name));
        if let Some(h) = &v.host_path {
            w(
                out,
                2,
                &format!(
                    "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{}\n",
                    h.path,
                    h.type_.clone().unwrap_or_else(|| "<none>".into())
                ),
            );
        } else if let Some(e) = &v.empty_dir {
            let limit = e
                .size_limit
                .as_ref()
                .filter(|q| quantity::parse_milli(&q.0).is_ok_and(|m| m > 0))
                .map(|q| canonical(&q.0))
                .unwrap_or_else(|| "<unset>".into());
            w(
                out,
                2,
                &format!(
                    "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{limit}\n",
                    e.medium.clone().unwrap_or_default()
                ),
            );
        } else if let Some(cm) = &v.config_map {
            w(
                out,
                2,
                &format!(
                    "Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n",
                    cm.name,
                    cm.optional.unwrap_or(false)
                ),
            );
        } else if let Some(s) = &v.secret {
            w(
                out,
                2,
                &format!(
                    "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
                    s.secret_name.clone().unwrap_or_default(),
                    s.optional.unwrap_or(false)
                ),
            );
        } else if let Some(c) = &v.persistent_volume_claim {
            w(
                out,
                2,
                &format!(
                    "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n",
                    c.claim_name,
                    c.read_only.unwrap_or(false)
                ),
            );
        } else {
            w(out, 1, "<unknown>\n");
        }
    }
}

/// `printPodTolerationsMultiline(w, "  Tolerations", tolerations)`.
fn tolerations_multiline(out: &mut String, tolerations: &[Toleration]) {
    out.push_str("  Tolerations:\t");
    if tolerations.is_empty() {
        out.push_str("<none>\n");
        return;
    }
    for (i, t) in tolerations.iter().enumerate() {
        if i != 0 {
            out.push('\t');
        }
        let key = t.key.clone().unwrap_or_default();
        let value = t.value.clone().unwrap_or_default();
        let effect = t.effect.clone().unwrap_or_default();
        out.push_str(&key);
        if !value.is_empty() {
            out.push_str(&format!("={value}"));
        }
        if !effect.is_empty() {
            out.push_str(&format!(":{effect}"));
        }
        if t.operator.as_deref() == Some("Exists") && value.is_empty() {
            out.push_str(if !key.is_empty() || !effect.is_empty() { " op=Exists" } else { "op=Exists" });
        }
        if let Some(s) = t.toleration_seconds {
            out.push_str(&format!(" for {s}s"));
        }
        out.push('\n');
    }
}

/// `DescribePodTemplate(template, w)`.
pub fn describe_pod_template(t: &PodTemplateSpec) -> String {
    let mut out = String::from("Pod Template:\n");
    let meta = t.metadata.clone().unwrap_or_default();
    labels_multiline(&mut out, "  Labels", &meta.labels.unwrap_or_default());
    if let Some(a) = meta.annotations.filter(|a| !a.is_empty()) {
        annotations_multiline(&mut out, "  Annotations", &a);
    }
    let spec = t.spec.clone().unwrap_or_default();
    if let Some(sa) = spec.service_account_name.as_deref().filter(|s| !s.is_empty()) {
        w(&mut out, 1, &format!("Service Account:\t{sa}\n"));
    }
    if let Some(init) = spec.init_containers.as_ref().filter(|v| !v.is_empty()) {
        describe_containers(&mut out, "Init Containers", init);
    }
    describe_containers(&mut out, "Containers", &spec.containers);
    describe_volumes(&mut out, spec.volumes.as_deref().unwrap_or(&[]));
    if let Some(pc) = spec.priority_class_name.as_deref().filter(|s| !s.is_empty()) {
        w(&mut out, 1, &format!("Priority Class Name:\t{pc}\n"));
    }
    labels_multiline(&mut out, "  Node-Selectors", &spec.node_selector.unwrap_or_default());
    tolerations_multiline(&mut out, spec.tolerations.as_deref().unwrap_or(&[]));
    out
}
