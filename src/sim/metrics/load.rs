//! `kubedojo/loadgen`, the teaching load generator: every second it sends `RPS` HTTP GETs to
//! `URL` through the cluster's network, as many clients would — each one resolved by cluster
//! DNS, balanced by kube-proxy over the Service's ready endpoints and filtered by
//! NetworkPolicy (`sim::net::route`). The servers that answer pay each request's CPU
//! (`requestCpuMs` of their image), which is what makes an HPA scale: more replicas share the
//! same load. Every 10 s it logs what it sent and how it went.
//!
//! Knobs, from the container's environment: `URL` (default `http://localhost`), `RPS`
//! (default 20, at most 1000).

use crate::shell::{NetRequest, NetResult};
use crate::sim::kubelet::{Env, PodRt};
use crate::sim::World;

use super::usage::CtrStats;

/// Default and maximum requests a second.
pub const DEFAULT_RPS: u32 = 20;
pub const MAX_RPS: u32 = 1000;
/// Seconds between two summary lines in the log.
pub const REPORT_EVERY_S: u64 = 10;

/// The generator's settings: (URL, requests a second).
pub fn settings(env: &Env) -> (String, u32) {
    let url = env.get("URL").filter(|u| !u.is_empty()).map_or_else(|| "http://localhost".to_string(), str::to_string);
    let rps = env.get("RPS").and_then(|r| r.trim().parse::<u32>().ok()).unwrap_or(DEFAULT_RPS).min(MAX_RPS);
    (url, rps)
}

/// `http://host[:port][/path]` → (host, port, path).
fn parse_url(url: &str) -> Option<(String, u16, String)> {
    let rest = url.strip_prefix("http://")?;
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (hostport, 80),
    };
    (!host.is_empty()).then(|| (host.to_string(), port, path))
}

/// The generator's counters, kept with the container's stats.
#[derive(Clone, Debug, Default)]
pub struct LoadStats {
    pub sent: u64,
    pub ok: u64,
    pub failed: u64,
    pub last_report: Option<crate::sim::Tick>,
    pub warned: bool,
}

/// Sends this second's requests from the container; returns the lines it logs.
pub fn drive(w: &mut World, rt: &PodRt, env: &Env, stats: &mut CtrStats) -> Vec<String> {
    let now = w.now;
    let (url, rps) = settings(env);
    let st = &mut stats.load;
    let Some((host, port, path)) = parse_url(&url) else {
        if !st.warned {
            st.warned = true;
            return vec![format!("loadgen: unsupported URL {url:?} (use http://HOST[:PORT][/PATH])")];
        }
        return vec![];
    };
    let World { kubelet, store, rng, network, nodes, .. } = w;
    let mut ctx = crate::sim::net::NetCtx {
        store,
        network,
        nodes,
        pods: &kubelet.pods,
        current: rt,
        volumes: &kubelet.fs,
        now,
        rng,
    };
    // The summary of the last REPORT_EVERY_S seconds, before this second's requests.
    let mut lines = Vec::new();
    match st.last_report {
        None => st.last_report = Some(now),
        Some(t) if now.since(t) >= REPORT_EVERY_S => {
            lines.push(format!(
                "loadgen: {} requests in {REPORT_EVERY_S}s: {} ok, {} failed",
                st.sent, st.ok, st.failed
            ));
            (st.sent, st.ok, st.failed) = (0, 0, 0);
            st.last_report = Some(now);
        }
        Some(_) => {}
    }
    let ip = match crate::sim::net::route(&mut ctx, &NetRequest::Resolve { name: host.clone() }) {
        NetResult::Resolved { ips, .. } => ips.first().cloned(),
        _ => None,
    };
    for _ in 0..rps {
        st.sent += 1;
        let Some(ip) = &ip else {
            st.failed += 1;
            continue;
        };
        let req = NetRequest::Http {
            ip: ip.clone(),
            port,
            method: "GET".into(),
            host: host.clone(),
            path: path.clone(),
            agent: "loadgen/1.0".into(),
        };
        match crate::sim::net::route(&mut ctx, &req) {
            NetResult::Response { status, .. } if status < 500 => st.ok += 1,
            _ => st.failed += 1,
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_settings() {
        assert_eq!(parse_url("http://php-apache"), Some(("php-apache".into(), 80, "/".into())));
        assert_eq!(parse_url("http://web:8080/ready"), Some(("web".into(), 8080, "/ready".into())));
        assert_eq!(parse_url("https://x"), None);
        let env = Env::new(vec![("RPS".to_string(), "5000".to_string())]);
        assert_eq!(settings(&env), ("http://localhost".to_string(), MAX_RPS));
    }
}
