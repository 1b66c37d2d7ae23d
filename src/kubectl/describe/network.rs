//! Describers for networking objects: Service (with its Endpoints), Endpoints, EndpointSlice,
//! Ingress (rules resolved to backends and their endpoints), IngressClass, NetworkPolicy.

use k8s_openapi::api::core::v1::{Endpoints, Service};

use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{
    Ingress, IngressBackend, IngressClass, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{
    describe_events, format_label_selector, format_labels, name, namespace, print_annotations_multiline,
    print_labels_multiline, Describer, Pw,
};
use crate::sim::{Kind, Object};

fn int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// The EndpointSlices of a service (label `kubernetes.io/service-name`), as kubectl v1.32
/// lists them for `Endpoints:` lines.
fn slices_of<'a>(d: &'a Describer, ns: &str, svc: &str) -> Vec<&'a EndpointSlice> {
    d.world
        .store
        .list(Kind::EndpointSlice, Some(ns))
        .into_iter()
        .filter_map(|o| match o {
            Object::EndpointSlice(e) => Some(&**e),
            _ => None,
        })
        .filter(|e| {
            e.metadata.labels.as_ref().and_then(|l| l.get("kubernetes.io/service-name")).map(String::as_str)
                == Some(svc)
        })
        .collect()
}

/// kubectl's `formatEndpointSlices`: up to three ready `ip:port` for the given service port
/// name, then `+ N more...`; `<none>` when the service has no slices.
fn format_endpoint_slices(slices: &[&EndpointSlice], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".into();
    }
    const MAX: usize = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    let ready =
        |e: &k8s_openapi::api::discovery::v1::Endpoint| e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
    for slice in slices {
        let ports = slice.ports.as_deref().unwrap_or_default();
        if ports.is_empty() {
            // Headless services may have no ports.
            for e in &slice.endpoints {
                if list.len() == MAX {
                    more = true;
                }
                if !ready(e) {
                    continue;
                }
                if !more {
                    list.push(e.addresses.first().cloned().unwrap_or_default());
                }
                count += 1;
            }
            continue;
        }
        for p in ports {
            if p.name.as_deref().unwrap_or("") != port_name {
                continue;
            }
            for e in &slice.endpoints {
                if list.len() == MAX {
                    more = true;
                }
                if !ready(e) {
                    continue;
                }
                if !more {
                    let addr = e.addresses.first().cloned().unwrap_or_default();
                    let host = if addr.contains(':') { format!("[{addr}]") } else { addr };
                    list.push(format!("{host}:{}", p.port.unwrap_or(0)));
                }
                count += 1;
            }
        }
    }
    let ret = list.join(",");
    if more {
        format!("{ret} + {} more...", count - MAX)
    } else {
        ret
    }
}

pub(super) fn describe_service(d: &Describer, svc: &Service) -> String {
    let ns = namespace(&svc.metadata);
    let slices = slices_of(d, ns, name(&svc.metadata));
    let events = d.events(&svc.metadata, Some(Kind::Service));
    let spec = svc.spec.clone().unwrap_or_default();
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&svc.metadata)));
    w.w(0, &format!("Namespace:\t{ns}\n"));
    print_labels_multiline(&mut w, "Labels", svc.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", svc.metadata.annotations.as_ref());
    w.w(0, &format!("Selector:\t{}\n", format_labels(spec.selector.as_ref())));
    w.w(0, &format!("Type:\t{}\n", spec.type_.as_deref().unwrap_or("")));
    if let Some(p) = &spec.ip_family_policy {
        w.w(0, &format!("IP Family Policy:\t{p}\n"));
    }
    match spec.ip_families.as_deref().filter(|f| !f.is_empty()) {
        Some(f) => w.w(0, &format!("IP Families:\t{}\n", f.join(","))),
        None => w.w(0, "IP Families:\t<none>\n"),
    }
    w.w(0, &format!("IP:\t{}\n", spec.cluster_ip.as_deref().unwrap_or("")));
    match spec.cluster_ips.as_deref().filter(|f| !f.is_empty()) {
        Some(ips) => w.w(0, &format!("IPs:\t{}\n", ips.join(","))),
        None => w.w(0, "IPs:\t<none>\n"),
    }
    if let Some(ips) = spec.external_ips.as_deref().filter(|f| !f.is_empty()) {
        w.w(0, &format!("External IPs:\t{}\n", ips.join(",")));
    }
    if let Some(ip) = spec.load_balancer_ip.as_deref().filter(|s| !s.is_empty()) {
        w.w(0, &format!("Desired LoadBalancer IP:\t{ip}\n"));
    }
    if let Some(n) = spec.external_name.as_deref().filter(|s| !s.is_empty()) {
        w.w(0, &format!("External Name:\t{n}\n"));
    }
    let lb = svc.status.as_ref().and_then(|s| s.load_balancer.as_ref()).and_then(|l| l.ingress.clone());
    if let Some(ingress) = lb.filter(|i| !i.is_empty()) {
        let list = ingress
            .iter()
            .map(|i| match i.ip.as_deref().filter(|s| !s.is_empty()) {
                Some(ip) => match &i.ip_mode {
                    Some(m) => format!("{ip} ({m})"),
                    None => ip.to_string(),
                },
                None => i.hostname.clone().unwrap_or_default(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        w.w(0, &format!("LoadBalancer Ingress:\t{list}\n"));
    }
    for sp in spec.ports.as_deref().unwrap_or_default() {
        let port_name = sp.name.as_deref().unwrap_or("");
        let shown = if port_name.is_empty() { "<unset>" } else { port_name };
        let proto = sp.protocol.as_deref().unwrap_or("");
        w.w(0, &format!("Port:\t{shown}\t{}/{proto}\n", sp.port));
        let target = sp.target_port.as_ref().map(int_or_string).unwrap_or_else(|| "0".into());
        w.w(0, &format!("TargetPort:\t{target}/{proto}\n"));
        if let Some(a) = &sp.app_protocol {
            w.w(0, &format!("AppProtocol:\t{a}\n"));
        }
        if let Some(np) = sp.node_port.filter(|p| *p != 0) {
            w.w(0, &format!("NodePort:\t{shown}\t{np}/{proto}\n"));
        }
        w.w(0, &format!("Endpoints:\t{}\n", format_endpoint_slices(&slices, port_name)));
    }
    w.w(0, &format!("Session Affinity:\t{}\n", spec.session_affinity.as_deref().unwrap_or("")));
    if let Some(p) = spec.external_traffic_policy.as_deref().filter(|s| !s.is_empty()) {
        w.w(0, &format!("External Traffic Policy:\t{p}\n"));
    }
    if let Some(p) = &spec.internal_traffic_policy {
        w.w(0, &format!("Internal Traffic Policy:\t{p}\n"));
    }
    if let Some(p) = spec.health_check_node_port.filter(|p| *p != 0) {
        w.w(0, &format!("HealthCheck NodePort:\t{p}\n"));
    }
    if let Some(r) = spec.load_balancer_source_ranges.as_deref().filter(|f| !f.is_empty()) {
        w.w(0, &format!("LoadBalancer Source Ranges:\t{}\n", r.join(",")));
    }
    if let Some(t) = &spec.traffic_distribution {
        w.w(0, &format!("Traffic Distribution:\t{t}\n"));
    }
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

pub(super) fn describe_endpoints(d: &Describer, ep: &Endpoints) -> String {
    let events = d.events(&ep.metadata, Some(Kind::Endpoints));
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&ep.metadata)));
    w.w(0, &format!("Namespace:\t{}\n", namespace(&ep.metadata)));
    print_labels_multiline(&mut w, "Labels", ep.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", ep.metadata.annotations.as_ref());
    w.w(0, "Subsets:\n");
    for ss in ep.subsets.as_deref().unwrap_or_default() {
        let ips = |a: Option<&[k8s_openapi::api::core::v1::EndpointAddress]>| {
            let s = a.unwrap_or_default().iter().map(|a| a.ip.clone()).collect::<Vec<_>>().join(",");
            if s.is_empty() {
                "<none>".to_string()
            } else {
                s
            }
        };
        w.w(1, &format!("Addresses:\t{}\n", ips(ss.addresses.as_deref())));
        w.w(1, &format!("NotReadyAddresses:\t{}\n", ips(ss.not_ready_addresses.as_deref())));
        if let Some(ports) = ss.ports.as_deref().filter(|p| !p.is_empty()) {
            w.w(1, "Ports:\n");
            w.w(2, "Name\tPort\tProtocol\n");
            w.w(2, "----\t----\t--------\n");
            for p in ports {
                let n = p.name.as_deref().filter(|s| !s.is_empty()).unwrap_or("<unset>");
                w.w(2, &format!("{n}\t{}\t{}\n", p.port, p.protocol.as_deref().unwrap_or("")));
            }
        }
        w.w(0, "\n");
    }
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

pub(super) fn describe_endpoint_slice(d: &Describer, eps: &EndpointSlice) -> String {
    let events = d.events(&eps.metadata, Some(Kind::EndpointSlice));
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&eps.metadata)));
    w.w(0, &format!("Namespace:\t{}\n", namespace(&eps.metadata)));
    print_labels_multiline(&mut w, "Labels", eps.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", eps.metadata.annotations.as_ref());
    w.w(0, &format!("AddressType:\t{}\n", eps.address_type));
    match eps.ports.as_deref().filter(|p| !p.is_empty()) {
        None => w.w(0, "Ports: <unset>\n"),
        Some(ports) => {
            w.w(0, "Ports:\n");
            w.w(1, "Name\tPort\tProtocol\n");
            w.w(1, "----\t----\t--------\n");
            for p in ports {
                let n = p.name.as_deref().filter(|s| !s.is_empty()).unwrap_or("<unset>");
                let num = p.port.map(|p| p.to_string()).unwrap_or_else(|| "<unset>".into());
                w.w(1, &format!("{n}\t{num}\t{}\n", p.protocol.as_deref().unwrap_or("")));
            }
        }
    }
    if eps.endpoints.is_empty() {
        w.w(0, "Endpoints: <none>\n");
    } else {
        w.w(0, "Endpoints:\n");
        for e in &eps.endpoints {
            let addrs = e.addresses.join(", ");
            w.w(1, &format!("- Addresses:\t{}\n", if addrs.is_empty() { "<none>" } else { &addrs }));
            w.w(2, "Conditions:\n");
            let ready =
                e.conditions.as_ref().and_then(|c| c.ready).map(|b| b.to_string()).unwrap_or_else(|| "<unset>".into());
            w.w(3, &format!("Ready:\t{ready}\n"));
            w.w(2, &format!("Hostname:\t{}\n", e.hostname.as_deref().unwrap_or("<unset>")));
            if let Some(t) = &e.target_ref {
                w.w(
                    2,
                    &format!("TargetRef:\t{}/{}\n", t.kind.as_deref().unwrap_or(""), t.name.as_deref().unwrap_or("")),
                );
            }
            w.w(2, &format!("NodeName:\t{}\n", e.node_name.as_deref().unwrap_or("<unset>")));
            w.w(2, &format!("Zone:\t{}\n", e.zone.as_deref().unwrap_or("<unset>")));
        }
    }
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

/// `name:port` of a service backend.
fn service_backend_string(b: &k8s_openapi::api::networking::v1::IngressServiceBackend) -> String {
    let port = match &b.port {
        Some(p) if p.number.unwrap_or(0) != 0 => p.number.unwrap_or(0).to_string(),
        Some(p) => p.name.clone().unwrap_or_default(),
        None => String::new(),
    };
    format!("{}:{port}", b.name)
}

/// kubectl's `describeBackendV1`: `web:80 (10.244.1.5:80,10.244.2.3:80)`.
fn describe_backend(d: &Describer, ns: &str, b: &IngressBackend) -> String {
    if let Some(s) = &b.service {
        let sb = service_backend_string(s);
        let slices = slices_of(d, ns, &s.name);
        let Some(Object::Service(svc)) = d.world.store.get(Kind::Service, ns, &s.name) else {
            return format!("{sb} (<error: services \"{}\" not found>)", s.name);
        };
        let (num, pname) = match &s.port {
            Some(p) => (p.number.unwrap_or(0), p.name.clone().unwrap_or_default()),
            None => (0, String::new()),
        };
        let mut sp_name = String::new();
        for sp in svc.spec.as_ref().and_then(|s| s.ports.as_deref()).unwrap_or_default() {
            let spn = sp.name.clone().unwrap_or_default();
            if (num != 0 && num == sp.port) || (!pname.is_empty() && pname == spn) {
                sp_name = spn;
            }
        }
        return format!("{sb} ({})", format_endpoint_slices(&slices, &sp_name));
    }
    if let Some(r) = &b.resource {
        return format!("APIGroup: {}, Kind: {}, Name: {}", r.api_group.as_deref().unwrap_or("<none>"), r.kind, r.name);
    }
    String::new()
}

pub(super) fn describe_ingress(d: &Describer, ing: &Ingress) -> String {
    let events = d.events(&ing.metadata, Some(Kind::Ingress));
    let ns = namespace(&ing.metadata);
    let spec = ing.spec.clone().unwrap_or_default();
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&ing.metadata)));
    print_labels_multiline(&mut w, "Labels", ing.metadata.labels.as_ref());
    w.w(0, &format!("Namespace:\t{ns}\n"));
    let mut addrs: Vec<String> = ing
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|l| l.ingress.clone())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|i| i.ip.filter(|s| !s.is_empty()).or(i.hostname.filter(|s| !s.is_empty())))
        .collect();
    addrs.sort();
    addrs.dedup();
    w.w(0, &format!("Address:\t{}\n", addrs.join(",")));
    w.w(0, &format!("Ingress Class:\t{}\n", spec.ingress_class_name.as_deref().unwrap_or("<none>")));
    let default_backend = match &spec.default_backend {
        Some(b) => describe_backend(d, ns, b),
        None => "<default>".into(),
    };
    w.w(0, &format!("Default backend:\t{default_backend}\n"));
    if let Some(tls) = spec.tls.as_deref().filter(|t| !t.is_empty()) {
        w.w(0, "TLS:\n");
        for t in tls {
            let hosts = t.hosts.clone().unwrap_or_default().join(",");
            match t.secret_name.as_deref().filter(|s| !s.is_empty()) {
                None => w.w(1, &format!("SNI routes {hosts}\n")),
                Some(s) => w.w(1, &format!("{s} terminates {hosts}\n")),
            }
        }
    }
    w.w(0, "Rules:\n  Host\tPath\tBackends\n");
    w.w(1, "----\t----\t--------\n");
    let mut count = 0;
    for rule in spec.rules.as_deref().unwrap_or_default() {
        let Some(http) = &rule.http else { continue };
        count += 1;
        let host = rule.host.as_deref().filter(|h| !h.is_empty()).unwrap_or("*");
        w.w(1, &format!("{host}\t\n"));
        for p in &http.paths {
            w.w(2, &format!("\t{} \t{}\n", p.path.as_deref().unwrap_or(""), describe_backend(d, ns, &p.backend)));
        }
    }
    if count == 0 {
        w.w(1, &format!("*\t*\t{default_backend}\n"));
    }
    print_annotations_multiline(&mut w, "Annotations", ing.metadata.annotations.as_ref());
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

pub(super) fn describe_ingress_class(d: &Describer, ic: &IngressClass) -> String {
    let events = d.events(&ic.metadata, Some(Kind::IngressClass));
    let spec = ic.spec.clone().unwrap_or_default();
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&ic.metadata)));
    print_labels_multiline(&mut w, "Labels", ic.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", ic.metadata.annotations.as_ref());
    w.w(0, &format!("Controller:\t{}\n", spec.controller.as_deref().unwrap_or("")));
    if let Some(p) = &spec.parameters {
        w.w(0, "Parameters:\n");
        if let Some(g) = &p.api_group {
            w.w(1, &format!("APIGroup:\t{g}\n"));
        }
        w.w(1, &format!("Kind:\t{}\n", p.kind));
        w.w(1, &format!("Name:\t{}\n", p.name));
    }
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

pub(super) fn describe_network_policy(np: &NetworkPolicy) -> String {
    let spec = np.spec.clone().unwrap_or_default();
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&np.metadata)));
    w.w(0, &format!("Namespace:\t{}\n", namespace(&np.metadata)));
    // `%s` of a metav1.Time is Go's time.String().
    let created = np
        .metadata
        .creation_timestamp
        .as_ref()
        .map(|t| t.0.format("%Y-%m-%d %H:%M:%S +0000 UTC").to_string())
        .unwrap_or_else(|| "0001-01-01 00:00:00 +0000 UTC".into());
    w.w(0, &format!("Created on:\t{created}\n"));
    print_labels_multiline(&mut w, "Labels", np.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", np.metadata.annotations.as_ref());
    w.w(0, "Spec:\n");
    w.w(1, "PodSelector: ");
    let ps = &spec.pod_selector;
    if ps.match_labels.as_ref().is_none_or(|m| m.is_empty())
        && ps.match_expressions.as_ref().is_none_or(|m| m.is_empty())
    {
        w.w(2, "<none> (Allowing the specific traffic to all pods in this namespace)\n");
    } else {
        w.w(2, &format!("{}\n", format_label_selector(Some(ps))));
    }
    let types = spec.policy_types.clone().unwrap_or_default();
    let ingress = types.iter().any(|t| t == "Ingress");
    let egress = types.iter().any(|t| t == "Egress");
    let indent = "    ";
    if ingress {
        w.w(1, "Allowing ingress traffic:\n");
        let rules = spec.ingress.clone().unwrap_or_default();
        if rules.is_empty() {
            w.w(0, &format!("{indent}<none> (Selected pods are isolated for ingress connectivity)\n"));
        }
        for (i, r) in rules.iter().enumerate() {
            print_ports(&mut w, r.ports.as_deref(), indent);
            print_peers(&mut w, r.from.as_deref(), indent, "From", "source");
            if i != rules.len() - 1 {
                w.w(0, &format!("{indent}----------\n"));
            }
        }
    } else {
        w.w(1, "Not affecting ingress traffic\n");
    }
    if egress {
        w.w(1, "Allowing egress traffic:\n");
        let rules = spec.egress.clone().unwrap_or_default();
        if rules.is_empty() {
            w.w(0, &format!("{indent}<none> (Selected pods are isolated for egress connectivity)\n"));
        }
        for (i, r) in rules.iter().enumerate() {
            print_ports(&mut w, r.ports.as_deref(), indent);
            print_peers(&mut w, r.to.as_deref(), indent, "To", "destination");
            if i != rules.len() - 1 {
                w.w(0, &format!("{indent}----------\n"));
            }
        }
    } else {
        w.w(1, "Not affecting egress traffic\n");
    }
    let types_str = if types.is_empty() { "<none>".to_string() } else { types.join(", ") };
    w.w(1, &format!("Policy Types: {types_str}\n"));
    w.finish()
}

fn print_ports(w: &mut Pw, ports: Option<&[NetworkPolicyPort]>, indent: &str) {
    let ports = ports.unwrap_or_default();
    if ports.is_empty() {
        return w.w(0, &format!("{indent}To Port: <any> (traffic allowed to all ports)\n"));
    }
    for p in ports {
        let proto = p.protocol.as_deref().unwrap_or("TCP");
        let port = p.port.as_ref().map(int_or_string).unwrap_or_else(|| "<nil>".into());
        match p.end_port {
            None => w.w(0, &format!("{indent}To Port: {port}/{proto}\n")),
            Some(end) => w.w(0, &format!("{indent}To Port Range: {port}-{end}/{proto}\n")),
        }
    }
}

fn print_peers(w: &mut Pw, peers: Option<&[NetworkPolicyPeer]>, indent: &str, word: &str, what: &str) {
    let peers = peers.unwrap_or_default();
    if peers.is_empty() {
        return w.w(0, &format!("{indent}{word}: <any> (traffic not restricted by {what})\n"));
    }
    for p in peers {
        w.w(0, &format!("{indent}{word}:\n"));
        if let (Some(pod), Some(ns)) = (&p.pod_selector, &p.namespace_selector) {
            w.w(1, &format!("{indent}NamespaceSelector: {}\n", format_label_selector(Some(ns))));
            w.w(1, &format!("{indent}PodSelector: {}\n", format_label_selector(Some(pod))));
        } else if let Some(pod) = &p.pod_selector {
            w.w(1, &format!("{indent}PodSelector: {}\n", format_label_selector(Some(pod))));
        } else if let Some(ns) = &p.namespace_selector {
            w.w(1, &format!("{indent}NamespaceSelector: {}\n", format_label_selector(Some(ns))));
        } else if let Some(b) = &p.ip_block {
            w.w(1, &format!("{indent}IPBlock:\n"));
            w.w(2, &format!("{indent}CIDR: {}\n", b.cidr));
            w.w(2, &format!("{indent}Except: {}\n", b.except.clone().unwrap_or_default().join(", ")));
        }
    }
}
