//! Networking inside the cluster: what a request made in a container (wget, curl, nc,
//! nslookup) reaches. Names go through the pod's stub resolver and cluster DNS
//! (`sim::dns`); a connection to a Service's ClusterIP, a LoadBalancer address or a node's
//! NodePort goes through kube-proxy (iptables mode: a uniformly random ready endpoint from
//! the seeded RNG, `ClientIP` affinity sticking, REJECT — "Connection refused" — when there
//! is none); NetworkPolicies (`sim::netpol`) drop what they do not allow, so the client times
//! out; then the program listening in the target pod answers (an ingress-nginx controller
//! routes on to a backend, `sim::ingress`).

use k8s_openapi::api::core::v1::ServicePort;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::shell::{NetRequest, NetResult, Volumes};
use crate::sim::clock::Tick;
use crate::sim::endpoints::{backends, Backend};
use crate::sim::kubelet::programs::Kind as ProgramKind;
use crate::sim::kubelet::{CtrRt, PodRt, PodRts, Proc, Program};
use crate::sim::netpol::{self, Peer, PodInfo};
use crate::sim::network::Network;
use crate::sim::nodes::Nodes;
use crate::sim::object::{Kind, ObjKey, Object};
use crate::sim::services::DNS_SERVICE_IP;
use crate::sim::store::Store;
use crate::sim::{dns, ingress};

/// What routing may look at: the objects, the network's state (endpoints, allocations,
/// session affinity), the pods' runtime state (which programs listen), the filesystems (what
/// a server serves), the time and the RNG (endpoint choice).
pub struct NetCtx<'a> {
    pub store: &'a Store,
    pub network: &'a mut Network,
    /// The nodes' state: a powered-off or partitioned node's pods do not answer.
    pub nodes: &'a Nodes,
    pub pods: &'a PodRts,
    /// The pod making the request (it is not in `pods` while it is being synced).
    pub current: &'a PodRt,
    pub volumes: &'a Volumes,
    pub now: Tick,
    pub rng: &'a mut ChaCha8Rng,
}

/// Ports a node answers on besides NodePorts: sshd, the kubelet, kube-proxy's health check.
const NODE_PORTS: &[u16] = &[22, 10250, 10256];
/// The API server's port, open on the control-plane node.
const APISERVER_PORT: u16 = 6443;
/// `sessionAffinityConfig.clientIP.timeoutSeconds` default.
const AFFINITY_TIMEOUT_S: u64 = 10800;

/// Finds the pod with IP `ip`.
pub fn pod_by_ip<'a>(pods: &'a PodRts, current: &'a PodRt, ip: &str) -> Option<&'a PodRt> {
    if current.ip.as_deref() == Some(ip) {
        return Some(current);
    }
    pods.values().find(|p| p.ip.as_deref() == Some(ip))
}

pub fn listening(p: &PodRt, port: u16, now: Tick) -> Option<(&CtrRt, &Program)> {
    p.containers.iter().chain(p.init.iter()).find_map(|c| {
        if !c.is_running() {
            return None;
        }
        match &c.proc {
            Some(Proc::Program(prog)) if prog.listens(port, now) => Some((c, prog)),
            Some(Proc::Shell { programs, .. }) => programs.iter().find(|g| g.listens(port, now)).map(|g| (c, g)),
            _ => None,
        }
    })
}

/// Reads a file of a container through its mounts.
pub fn read_in(view_volumes: &Volumes, c: &CtrRt, path: &str) -> Option<String> {
    let mut best: Option<(&crate::shell::Mount, &str)> = None;
    for m in &c.mounts.0 {
        let mp = m.path.trim_end_matches('/');
        let rest = if mp.is_empty() {
            Some(path.trim_start_matches('/'))
        } else if path == mp {
            Some("")
        } else {
            path.strip_prefix(mp).and_then(|r| r.strip_prefix('/'))
        };
        if let Some(rest) = rest {
            if best.is_none_or(|(b, _)| b.path.len() <= m.path.len()) {
                best = Some((m, rest));
            }
        }
    }
    let (m, rel) = best?;
    let data = view_volumes.get(m.volume)?.read_file(rel)?;
    Some(String::from_utf8_lossy(&data).into_owned())
}

/// Routes a request made inside a container.
pub fn route(ctx: &mut NetCtx<'_>, req: &NetRequest) -> NetResult {
    // kube-proxy knows every Service the API server has stored.
    ctx.network.services.sync(ctx.store);
    match req {
        NetRequest::Resolve { name } => resolve(ctx, name),
        NetRequest::Query { server, name, qtype } => question(ctx, server, name, qtype),
        NetRequest::Connect { ip, port } => match open(ctx, ip, *port, "TCP") {
            Ok(_) => NetResult::Connected,
            Err(e) => e,
        },
        NetRequest::Http { ip, port, method, host, path, agent } => http(ctx, ip, *port, method, host, path, agent),
    }
}

pub fn reason_phrase(code: u16) -> &'static str {
    match code {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Time-out",
        _ => "",
    }
}

fn is_loopback(ip: &str) -> bool {
    ip.starts_with("127.") || ip == "::1"
}

/// Whether packets get from node `a` to node `b`: both powered, and neither cut off from
/// the others by a partition (a node always reaches itself).
fn link(nodes: &Nodes, a: &str, b: &str) -> bool {
    let up = |n: &str| nodes.get(n).is_none_or(|r| r.powered);
    let cut = |n: &str| nodes.get(n).is_some_and(|r| r.partitioned);
    up(a) && up(b) && (a == b || (!cut(a) && !cut(b)))
}

fn current_peer(ctx: &NetCtx<'_>) -> Peer {
    let c = ctx.current;
    Peer::pod(ctx.store, &c.namespace, &c.name, c.ip.as_deref().unwrap_or(""))
}

/// The node whose InternalIP is `ip`, and whether it is a control-plane node.
fn node_with_ip(store: &Store, ip: &str) -> Option<(String, bool)> {
    store.list(Kind::Node, None).into_iter().find_map(|o| {
        let n = o.as_node()?;
        let has = n.status.as_ref()?.addresses.iter().flatten().any(|a| a.type_ == "InternalIP" && a.address == ip);
        has.then(|| {
            let cp =
                n.metadata.labels.as_ref().is_some_and(|l| l.contains_key("node-role.kubernetes.io/control-plane"));
            (o.name().to_string(), cp)
        })
    })
}

/// Where a connection lands after kube-proxy and the policies.
enum Target<'a> {
    /// `client` is the source address the pod sees (a node's, for NodePort traffic).
    Pod { rt: &'a PodRt, port: u16, client: String },
    /// A node's own port (the API server, the kubelet...).
    Host { port: u16 },
}

/// Opens a connection to `ip:port` from the current pod: kube-proxy's DNAT, the policies,
/// then whether anything listens. Err is what the client sees.
fn open<'a>(ctx: &mut NetCtx<'a>, ip: &str, port: u16, proto: &str) -> Result<Target<'a>, NetResult> {
    let (pods, current, store) = (ctx.pods, ctx.current, ctx.store);
    if is_loopback(ip) {
        return match listening(current, port, ctx.now) {
            Some(_) => Ok(Target::Pod { rt: current, port, client: "127.0.0.1".into() }),
            None => Err(NetResult::Refused),
        };
    }
    let mut src = current_peer(ctx);
    // The node the packets travel from (the NodePort's node once they entered there).
    let mut from_node = current.node.clone();
    let services = &ctx.network.services;
    let (dst_ip, dst_port) = if let Some(svc) = services.service_for_ip(ip).cloned() {
        dnat(ctx, &svc, |p| p.port == i32::from(port), proto, None)?
    } else if let Some(svc) = services.service_for_lb_ip(ip).cloned() {
        dnat(ctx, &svc, |p| p.port == i32::from(port), proto, None)?
    } else if let Some(svc) = external_ip_service(ctx, ip, port, proto) {
        dnat(ctx, &svc, |p| p.port == i32::from(port), proto, None)?
    } else if let Some((node, control_plane)) = node_with_ip(store, ip) {
        match services.service_for_node_port(port).cloned() {
            Some(svc) => {
                if !link(ctx.nodes, &from_node, &node) {
                    return Err(NetResult::Timeout);
                }
                // NodePort traffic is masqueraded: the backend sees the node's address.
                src = Peer::host(ip);
                from_node = node.clone();
                dnat(ctx, &svc, |p| p.node_port == Some(i32::from(port)), proto, Some(&node))?
            }
            None => {
                let open = NODE_PORTS.contains(&port) || (control_plane && port == APISERVER_PORT);
                if !link(ctx.nodes, &from_node, &node) || !netpol::allows(store, &src, &Peer::host(ip), port, proto) {
                    return Err(NetResult::Timeout);
                }
                return if open { Ok(Target::Host { port }) } else { Err(NetResult::Refused) };
            }
        }
    } else {
        (ip.to_string(), port)
    };
    match pod_by_ip(pods, current, &dst_ip) {
        Some(rt) => {
            let dst = Peer::pod(store, &rt.namespace, &rt.name, &dst_ip);
            if !link(ctx.nodes, &from_node, &rt.node) || !netpol::allows(store, &src, &dst, dst_port, proto) {
                return Err(NetResult::Timeout);
            }
            match listening(rt, dst_port, ctx.now) {
                Some(_) => Ok(Target::Pod { rt, port: dst_port, client: src.ip.clone() }),
                None => Err(NetResult::Refused),
            }
        }
        None => {
            if !netpol::allows(store, &src, &Peer::host(&dst_ip), dst_port, proto) {
                return Err(NetResult::Timeout);
            }
            match node_with_ip(store, &dst_ip) {
                Some((n, _)) if !link(ctx.nodes, &from_node, &n) => Err(NetResult::Timeout),
                Some((_, cp)) if NODE_PORTS.contains(&dst_port) || (cp && dst_port == APISERVER_PORT) => {
                    Ok(Target::Host { port: dst_port })
                }
                Some(_) => Err(NetResult::Refused),
                // Nothing answers at an address outside the cluster (kubedojo runs offline).
                None => Err(NetResult::Timeout),
            }
        }
    }
}

/// The Service whose `externalIPs` include `ip` with a `port`/`proto` port.
fn external_ip_service(ctx: &NetCtx<'_>, ip: &str, port: u16, proto: &str) -> Option<ObjKey> {
    ctx.network
        .services
        .services_for_external_ip(ip)
        .find(|k| {
            let Some(Object::Service(s)) = ctx.store.get(Kind::Service, &k.namespace, &k.name) else { return false };
            s.spec
                .iter()
                .flat_map(|sp| sp.ports.iter().flatten())
                .any(|p| p.port == i32::from(port) && p.protocol.as_deref().unwrap_or("TCP") == proto)
        })
        .cloned()
}

/// kube-proxy's rules for one Service: the port matching `pick`, then a ready endpoint (or
/// a serving terminating one when none is ready); `via_node` is the node a NodePort
/// connection entered, for `externalTrafficPolicy: Local`.
fn dnat(
    ctx: &mut NetCtx<'_>,
    svc: &ObjKey,
    pick: impl Fn(&ServicePort) -> bool,
    proto: &str,
    via_node: Option<&str>,
) -> Result<(String, u16), NetResult> {
    let Some(Object::Service(s)) = ctx.store.get(Kind::Service, &svc.namespace, &svc.name) else {
        return Err(NetResult::Timeout);
    };
    let spec = s.spec.clone().unwrap_or_default();
    // A port the Service does not have: no rule, the packet goes nowhere.
    let Some(sp) = spec.ports.iter().flatten().find(|p| pick(p) && p.protocol.as_deref().unwrap_or("TCP") == proto)
    else {
        return Err(NetResult::Timeout);
    };
    let port_name = sp.name.clone().unwrap_or_default();
    let mut cands: Vec<Backend> = backends(ctx.store, &ctx.network.endpoints, svc, Some(&port_name));
    let (policy, node) = match via_node {
        Some(n) => (spec.external_traffic_policy.clone(), n.to_string()),
        None => (spec.internal_traffic_policy.clone(), ctx.current.node.clone()),
    };
    let local = policy.as_deref() == Some("Local");
    if local {
        cands.retain(|b| b.node.as_deref() == Some(node.as_str()));
    }
    let ready: Vec<&Backend> = cands.iter().filter(|b| b.ready).collect();
    let pool: Vec<&Backend> =
        if ready.is_empty() { cands.iter().filter(|b| b.serving && b.terminating).collect() } else { ready };
    if pool.is_empty() {
        // No local endpoint: dropped. No endpoint at all: REJECT (ICMP port unreachable).
        return Err(if local { NetResult::Timeout } else { NetResult::Refused });
    }
    let client = ctx.current.ip.clone().unwrap_or_default();
    let affinity = spec.session_affinity.as_deref() == Some("ClientIP");
    let key = (svc.clone(), port_name.clone(), client);
    if affinity {
        let timeout = spec
            .session_affinity_config
            .as_ref()
            .and_then(|c| c.client_ip.as_ref()?.timeout_seconds)
            .map_or(AFFINITY_TIMEOUT_S, |t| t.max(0) as u64);
        if let Some((ip, port, last)) = ctx.network.affinity.get(&key).cloned() {
            let still = pool.iter().any(|b| b.ip == ip && b.port == Some(i32::from(port)));
            if still && ctx.now.since(last) < timeout {
                ctx.network.affinity.insert(key, (ip.clone(), port, ctx.now));
                return Ok((ip, port));
            }
        }
    }
    let b = pool[ctx.rng.gen_range(0..pool.len())];
    let chosen = (b.ip.clone(), b.port.unwrap_or(0).clamp(0, 65535) as u16);
    if affinity {
        ctx.network.affinity.insert(key, (chosen.0.clone(), chosen.1, ctx.now));
    }
    Ok(chosen)
}

fn http(ctx: &mut NetCtx<'_>, ip: &str, port: u16, method: &str, host: &str, path: &str, agent: &str) -> NetResult {
    let target = match open(ctx, ip, port, "TCP") {
        Ok(t) => t,
        Err(e) => return e,
    };
    match target {
        Target::Host { port } if port == APISERVER_PORT || port == 10250 => NetResult::Response {
            status: 400,
            reason: "Bad Request".into(),
            headers: vec![],
            body: b"Client sent an HTTP request to an HTTPS server.\n".to_vec(),
            elapsed_ms: 1,
        },
        // Not an HTTP server: the connection closes without an answer.
        Target::Host { .. } => NetResult::Refused,
        Target::Pod { rt, port, client } => {
            let Some((c, prog)) = listening(rt, port, ctx.now) else { return NetResult::Refused };
            if prog.kind == ProgramKind::IngressNginx && (port == 80 || port == 443) {
                return serve_ingress(ctx, rt, c, host, path, method, agent);
            }
            serve(ctx, rt, c, prog, path, method, agent, &client)
        }
    }
}

/// The program's answer, logged as its access log says.
#[allow(clippy::too_many_arguments)]
fn serve(
    ctx: &mut NetCtx<'_>,
    rt: &PodRt,
    c: &CtrRt,
    prog: &Program,
    path: &str,
    method: &str,
    agent: &str,
    client: &str,
) -> NetResult {
    let read = |f: &str| read_in(ctx.volumes, c, f);
    let (status, body) = prog.http_get(path, &read, &rt.name, ctx.now);
    // The request costs the server CPU (`sim::metrics`).
    c.stats.served.bump();
    if status == 0 {
        return NetResult::Refused;
    }
    let sent = if method == "HEAD" { 0 } else { body.len() };
    if let Some(line) = prog.access_log(client, method, path, status, sent, agent, ctx.now) {
        ctx.network.pending_logs.push((rt.uid.clone(), c.name.clone(), line));
    }
    // The answer takes at least a millisecond, and as long as the CPU work a request costs
    // the program (php-apache's loop): a client in a loop sends as many as that allows.
    let elapsed_ms = crate::sim::metrics::usage::request_cpu_ms(c).ceil().max(1.0) as u64;
    NetResult::Response {
        status,
        reason: reason_phrase(status).into(),
        headers: vec![],
        body: body.into_bytes(),
        elapsed_ms,
    }
}

fn error_page(status: u16) -> NetResult {
    let (reason, body) = ingress::error_page(status);
    NetResult::Response { status, reason, headers: vec![], body: body.into_bytes(), elapsed_ms: 1 }
}

/// An ingress-nginx controller's answer: route by host and path, then proxy to one of the
/// backend Service's ready endpoints in turn (the Lua balancer's round robin).
fn serve_ingress(
    ctx: &mut NetCtx<'_>,
    ctl: &PodRt,
    ctl_c: &CtrRt,
    host: &str,
    path: &str,
    method: &str,
    agent: &str,
) -> NetResult {
    let cfg = ingress::config(&ctl_c.spec, &ctl.namespace);
    let host_only = match host.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    let (ns, service, port_number, port_name, path) = match ingress::route(ctx.store, &cfg, host_only, path) {
        ingress::Route::NotFound => return error_page(404),
        ingress::Route::Backend { namespace, service, port_number, port_name, path } => {
            (namespace, service, port_number, port_name, path)
        }
    };
    let Some(Object::Service(svc)) = ctx.store.get(Kind::Service, &ns, &service) else { return error_page(503) };
    let sp = svc.spec.iter().flat_map(|s| s.ports.iter().flatten()).find(|p| match (&port_name, port_number) {
        (Some(n), _) => p.name.as_deref() == Some(n.as_str()),
        (None, Some(num)) => p.port == num,
        _ => false,
    });
    let Some(sp) = sp else { return error_page(503) };
    let sp_name = sp.name.clone().unwrap_or_default();
    let key = ObjKey::new(&ns, &service);
    let ready: Vec<Backend> =
        backends(ctx.store, &ctx.network.endpoints, &key, Some(&sp_name)).into_iter().filter(|b| b.ready).collect();
    if ready.is_empty() {
        return error_page(503);
    }
    let rr = ctx.network.ingress.round_robin.entry((ns.clone(), service.clone(), sp_name)).or_insert(0);
    let b = ready[*rr % ready.len()].clone();
    *rr = rr.wrapping_add(1);
    let ctl_ip = ctl.ip.clone().unwrap_or_default();
    let src = Peer::pod(ctx.store, &ctl.namespace, &ctl.name, &ctl_ip);
    let port = b.port.unwrap_or(0).clamp(0, 65535) as u16;
    let Some(rt) = pod_by_ip(ctx.pods, ctx.current, &b.ip) else { return error_page(502) };
    let dst = Peer::pod(ctx.store, &rt.namespace, &rt.name, &b.ip);
    if !link(ctx.nodes, &ctl.node, &rt.node) || !netpol::allows(ctx.store, &src, &dst, port, "TCP") {
        // proxy_connect_timeout passes without an answer.
        return error_page(504);
    }
    let Some((c, prog)) = listening(rt, port, ctx.now) else { return error_page(502) };
    match serve(ctx, rt, c, prog, &path, method, agent, &ctl_ip) {
        r @ NetResult::Response { .. } => r,
        _ => error_page(502),
    }
}

/// The names a pod's `/etc/hosts` gives: its hostname, and its FQDN when it has a subdomain.
fn hosts_file(ctx: &NetCtx<'_>, name: &str) -> Option<String> {
    let c = ctx.current;
    let pod = ctx.store.get(Kind::Pod, &c.namespace, &c.name).and_then(|o| o.as_pod())?;
    let (hostname, fqdn) = dns::pod_hostname(pod);
    (name == hostname || Some(name) == fqdn.as_deref()).then(|| c.ip.clone().unwrap_or_default())
}

/// The resolver getaddrinfo runs: /etc/hosts, then cluster DNS through the pod's search list.
fn resolve(ctx: &mut NetCtx<'_>, name: &str) -> NetResult {
    if name == "localhost" {
        return NetResult::Resolved { fqdn: "localhost".into(), ips: vec!["127.0.0.1".into()] };
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return NetResult::Resolved { fqdn: name.to_string(), ips: vec![name.to_string()] };
    }
    if let Some(ip) = hosts_file(ctx, name) {
        return NetResult::Resolved { fqdn: name.to_string(), ips: vec![ip] };
    }
    if !dns_reachable(ctx, DNS_SERVICE_IP) {
        return NetResult::Timeout;
    }
    let ns = ctx.current.namespace.clone();
    match dns::getaddrinfo(ctx.store, ctx.network, ctx.rng, name, &ns) {
        dns::Lookup::Found { fqdn, ips } => NetResult::Resolved { fqdn, ips },
        dns::Lookup::NotFound => NetResult::NoSuchHost,
    }
}

/// One DNS question to `server` (busybox nslookup's own resolver).
fn question(ctx: &mut NetCtx<'_>, server: &str, name: &str, qtype: &str) -> NetResult {
    if !dns_reachable(ctx, server) {
        return NetResult::Timeout;
    }
    let a = dns::query(ctx.store, ctx.network, ctx.rng, name, qtype);
    NetResult::Dns {
        rcode: a.rcode.as_str().to_string(),
        authoritative: a.authoritative,
        answers: a.records.into_iter().map(|r| (r.name, r.rtype.to_string(), r.data)).collect(),
    }
}

/// Whether a DNS query over UDP from the current pod reaches a CoreDNS server at `server`
/// (the kube-dns ClusterIP or a CoreDNS pod). With no CoreDNS pods in the cluster the DNS
/// service is modelled as always up, as a CoreDNS pod labelled `k8s-app=kube-dns` in
/// kube-system for the policies' sake.
fn dns_reachable(ctx: &mut NetCtx<'_>, server: &str) -> bool {
    let src = current_peer(ctx);
    let here = ctx.current.node.clone();
    let kube_dns = ObjKey::new("kube-system", "kube-dns");
    let via_service = ctx.network.services.service_for_ip(server) == Some(&kube_dns);
    if via_service {
        let all = backends(ctx.store, &ctx.network.endpoints, &kube_dns, Some("dns"));
        if all.is_empty() {
            // The modelled CoreDNS runs on the control plane, as kubeadm's does.
            if !link(ctx.nodes, &here, "controlplane") {
                return false;
            }
            let virtual_dns = Peer {
                ip: server.to_string(),
                pod: Some(PodInfo {
                    namespace: "kube-system".into(),
                    labels: [("k8s-app".to_string(), "kube-dns".to_string())].into(),
                    ports: vec![
                        ("dns".into(), 53, "UDP".into()),
                        ("dns-tcp".into(), 53, "TCP".into()),
                        ("metrics".into(), 9153, "TCP".into()),
                    ],
                }),
            };
            return netpol::allows(ctx.store, &src, &virtual_dns, 53, "UDP");
        }
        let ready: Vec<&Backend> = all.iter().filter(|b| b.ready).collect();
        if ready.is_empty() {
            return false;
        }
        // kube-proxy picks a CoreDNS pod at random; the pick is hashed from the asking pod and
        // the second rather than drawn from the world's RNG, so a lookup leaves the RNG (and
        // every name drawn after it) as it was.
        let pick = src.ip.bytes().fold(ctx.now.0, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        let b = ready[(pick % ready.len() as u64) as usize];
        let Some(rt) = pod_by_ip(ctx.pods, ctx.current, &b.ip) else { return false };
        let dst = Peer::pod(ctx.store, &rt.namespace, &rt.name, &b.ip);
        return link(ctx.nodes, &here, &rt.node) && netpol::allows(ctx.store, &src, &dst, 53, "UDP");
    }
    // A CoreDNS pod asked directly.
    let Some(rt) = pod_by_ip(ctx.pods, ctx.current, server) else { return false };
    let dst = Peer::pod(ctx.store, &rt.namespace, &rt.name, server);
    let is_dns = dst.pod.as_ref().is_some_and(|p| p.labels.get("k8s-app").map(String::as_str) == Some("kube-dns"));
    is_dns && link(ctx.nodes, &here, &rt.node) && netpol::allows(ctx.store, &src, &dst, 53, "UDP")
}
