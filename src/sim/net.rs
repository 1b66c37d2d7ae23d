//! Networking inside the cluster: what a request made in a container (wget, curl, nc,
//! nslookup, probes) reaches. Pod IPs and localhost route to the program listening in the
//! target pod. (Services, cluster DNS, kube-proxy and NetworkPolicy extend `route`.)

use std::collections::BTreeMap;

use rand_chacha::ChaCha8Rng;

use crate::shell::{NetRequest, NetResult, Volumes};
use crate::sim::clock::Tick;
use crate::sim::kubelet::{CtrRt, PodRt, Proc, Program};
use crate::sim::store::Store;

/// What routing may look at: the objects, the pods' runtime state (which programs listen),
/// the filesystems (what a server serves), the time and the RNG (endpoint choice).
pub struct NetCtx<'a> {
    pub store: &'a Store,
    pub pods: &'a BTreeMap<String, PodRt>,
    /// The pod making the request (it is not in `pods` while it is being synced).
    pub current: &'a PodRt,
    pub volumes: &'a Volumes,
    pub now: Tick,
    pub rng: &'a mut ChaCha8Rng,
}

/// Finds the pod with IP `ip`.
pub fn pod_by_ip<'a>(pods: &'a BTreeMap<String, PodRt>, current: &'a PodRt, ip: &str) -> Option<&'a PodRt> {
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

/// Routes a request made inside a container: pod IPs and localhost. (Services, DNS and
/// NetworkPolicy join here with the networking work.)
pub fn route(ctx: &mut NetCtx<'_>, req: &NetRequest) -> NetResult {
    let (pods, current, now) = (ctx.pods, ctx.current, ctx.now);
    let hostname = current.name.as_str();
    let resolve_ip = |ip: &str| -> String {
        if ip == "127.0.0.1" || ip == "::1" {
            current.ip.clone().unwrap_or_default()
        } else {
            ip.to_string()
        }
    };
    match req {
        NetRequest::Resolve { name } => {
            if name == "localhost" {
                return NetResult::Resolved { fqdn: "localhost".into(), ips: vec!["127.0.0.1".into()] };
            }
            if name == hostname {
                return NetResult::Resolved { fqdn: name.clone(), ips: current.ip.clone().into_iter().collect() };
            }
            if name.parse::<std::net::Ipv4Addr>().is_ok() {
                return NetResult::Resolved { fqdn: name.clone(), ips: vec![name.clone()] };
            }
            NetResult::NoSuchHost
        }
        NetRequest::Connect { ip, port } => {
            let ip = resolve_ip(ip);
            match pod_by_ip(pods, current, &ip) {
                Some(p) if listening(p, *port, now).is_some() => NetResult::Connected,
                Some(_) => NetResult::Refused,
                None => NetResult::Timeout,
            }
        }
        NetRequest::Http { ip, port, path, .. } => {
            let ip = resolve_ip(ip);
            let Some(p) = pod_by_ip(pods, current, &ip) else { return NetResult::Timeout };
            let Some((c, prog)) = listening(p, *port, now) else { return NetResult::Refused };
            let read = |f: &str| read_in(ctx.volumes, c, f);
            let (status, body) = prog.http_get(path, &read, &p.name, now);
            // The request costs the server CPU (`sim::metrics`).
            c.stats.served.bump();
            if status == 0 {
                // Not an HTTP server: the connection closes without a response.
                return NetResult::Refused;
            }
            NetResult::Response {
                status,
                reason: reason_phrase(status).into(),
                headers: vec![],
                body: body.into_bytes(),
            }
        }
    }
}

pub fn reason_phrase(code: u16) -> &'static str {
    match code {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}
