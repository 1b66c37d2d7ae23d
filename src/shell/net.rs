//! Network tools inside containers — busybox `wget`, `nc`, `nslookup` and `curl` — over
//! [`Host::net`](super::Host::net). A request that gets no answer makes the process wait
//! for the tool's timeout in simulated time before it fails, like the real thing.

use std::fmt::Write as _;

use super::builtins::{Ctx, Outcome};
use super::{NetRequest, NetResult};

/// Kernel TCP connect timeout (SYN retries) used when a tool sets none.
const CONNECT_TIMEOUT_S: u64 = 130;
/// curl's default connect timeout.
const CURL_CONNECT_TIMEOUT_S: u64 = 300;

struct Url {
    host: String,
    port: u16,
    path: String,
    /// host as typed (with `:port` if given), for messages and the Host header.
    shown: String,
}

fn parse_url(u: &str) -> Url {
    let (rest, default_port) = if let Some(r) = u.strip_prefix("http://") {
        (r, 80)
    } else if let Some(r) = u.strip_prefix("https://") {
        (r, 443)
    } else {
        (u, 80)
    };
    let (hostport, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h.to_string(), p.parse().unwrap_or(default_port)),
        None => (hostport.to_string(), default_port),
    };
    Url { host, port, path, shown: hostport.to_string() }
}

fn is_ip(h: &str) -> bool {
    h.split('.').count() == 4 && h.split('.').all(|p| p.parse::<u8>().is_ok())
}

enum Resolved {
    Ip(String),
    NoSuchHost,
    Timeout,
}

fn resolve(ctx: &mut Ctx, host: &str) -> Resolved {
    if is_ip(host) {
        return Resolved::Ip(host.to_string());
    }
    if host == "localhost" {
        return Resolved::Ip("127.0.0.1".into());
    }
    match ctx.host.net(&NetRequest::Resolve { name: host.to_string() }) {
        NetResult::Resolved { ips, .. } => match ips.into_iter().next() {
            Some(ip) => Resolved::Ip(ip),
            None => Resolved::NoSuchHost,
        },
        NetResult::Timeout => Resolved::Timeout,
        _ => Resolved::NoSuchHost,
    }
}

fn fail_later(ctx: &mut Ctx, after_s: u64, err: String, status: i32) -> Outcome {
    Outcome::Wait { until: Some(ctx.now.saturating_add(after_s)), out: vec![], err: err.into_bytes(), status }
}

fn progress(name: &str, size: usize) -> String {
    format!("{name:<20} 100% |{}| {size:>5}  0:00:00 ETA\n", "*".repeat(31))
}

/// busybox wget: `-q`, `-O FILE`/`-O-`, `--spider`, `-T SEC`, `--timeout=SEC`.
pub(crate) fn wget(args: &[String], ctx: &mut Ctx) -> Outcome {
    let mut quiet = false;
    let mut spider = false;
    let mut out_name: Option<String> = None;
    let mut timeout: Option<u64> = None;
    let mut url = None;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if let Some(long) = a.strip_prefix("--") {
            match long.split_once('=') {
                Some(("timeout", v)) | Some(("T", v)) => timeout = v.parse().ok(),
                Some(("output-document", v)) => out_name = Some(v.to_string()),
                _ => match long {
                    "spider" => spider = true,
                    "quiet" => quiet = true,
                    "timeout" | "output-document" | "tries" | "header" | "user-agent" => {
                        i += 1;
                        if long == "timeout" {
                            timeout = args.get(i).and_then(|v| v.parse().ok());
                        } else if long == "output-document" {
                            out_name = args.get(i).cloned();
                        }
                    }
                    _ => {}
                },
            }
        } else if a.len() > 1 && a.starts_with('-') {
            let chars: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                match chars[j] {
                    'q' => quiet = true,
                    's' => spider = true,
                    'O' | 'T' | 't' | 'P' | 'U' | 'Y' => {
                        let rest: String = chars[j + 1..].iter().collect();
                        let v = if rest.is_empty() {
                            i += 1;
                            args.get(i).cloned().unwrap_or_default()
                        } else {
                            rest
                        };
                        match chars[j] {
                            'O' => out_name = Some(v),
                            'T' => timeout = v.parse().ok(),
                            _ => {}
                        }
                        break;
                    }
                    _ => {}
                }
                j += 1;
            }
        } else {
            url = Some(a.clone());
        }
        i += 1;
    }
    let Some(url) = url else {
        ctx.errs("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n");
        return Outcome::Done(1);
    };
    let u = parse_url(&url);
    let ip = match resolve(ctx, &u.host) {
        Resolved::Ip(ip) => ip,
        Resolved::NoSuchHost => {
            ctx.errs(&format!("wget: bad address '{}'\n", u.shown));
            return Outcome::Done(1);
        }
        Resolved::Timeout => {
            return fail_later(ctx, 10, format!("wget: bad address '{}'\n", u.shown), 1);
        }
    };
    if !quiet {
        ctx.errs(&format!("Connecting to {} ({ip}:{})\n", u.shown, u.port));
    }
    let method = if spider { "HEAD" } else { "GET" };
    let req = NetRequest::Http {
        ip: ip.clone(),
        port: u.port,
        method: method.into(),
        host: u.shown.clone(),
        path: u.path.clone(),
    };
    match ctx.host.net(&req) {
        NetResult::Response { status, reason, body, .. } => {
            if !(200..300).contains(&status) {
                ctx.errs(&format!("wget: server returned error: HTTP/1.1 {status} {reason}\n"));
                return Outcome::Done(1);
            }
            if spider {
                if !quiet {
                    ctx.errs("remote file exists\n");
                }
                return Outcome::Done(0);
            }
            let to_stdout = out_name.as_deref() == Some("-");
            if to_stdout {
                if !quiet {
                    ctx.errs("writing to stdout\n");
                    let p = progress("-", body.len());
                    ctx.errs(&p);
                    ctx.errs("written to stdout\n");
                }
                ctx.out.extend(body);
                return Outcome::Done(0);
            }
            let name = out_name.unwrap_or_else(|| {
                let last = u.path.rsplit('/').next().unwrap_or("");
                if last.is_empty() {
                    "index.html".to_string()
                } else {
                    last.to_string()
                }
            });
            let path = ctx.sh.resolve(&name);
            let now = ctx.now;
            if let Err(e) = ctx.host.fs().write(&path, &body, false, now) {
                ctx.errs(&format!("wget: can't open '{name}': {e}\n"));
                return Outcome::Done(1);
            }
            if !quiet {
                ctx.errs(&format!("saving to '{name}'\n"));
                let shown = name.rsplit('/').next().unwrap_or(&name).to_string();
                let p = progress(&shown, body.len());
                ctx.errs(&p);
                ctx.errs(&format!("'{name}' saved\n"));
            }
            Outcome::Done(0)
        }
        NetResult::Refused => {
            ctx.errs(&format!("wget: can't connect to remote host ({ip}): Connection refused\n"));
            Outcome::Done(1)
        }
        NetResult::Unreachable => {
            ctx.errs(&format!("wget: can't connect to remote host ({ip}): No route to host\n"));
            Outcome::Done(1)
        }
        _ => match timeout {
            Some(t) => fail_later(ctx, t, "wget: download timed out\n".into(), 1),
            None => fail_later(
                ctx,
                CONNECT_TIMEOUT_S,
                format!("wget: can't connect to remote host ({ip}): Connection timed out\n"),
                1,
            ),
        },
    }
}

/// curl: `-s`, `-S`, `-o FILE`, `-I`, `-m SEC`, `--connect-timeout SEC`, `-f`, `-v`.
pub(crate) fn curl(args: &[String], ctx: &mut Ctx) -> Outcome {
    let (mut silent, mut show_err, mut head, mut fail, mut verbose) = (false, false, false, false, false);
    let mut out_file: Option<String> = None;
    let mut timeout: Option<u64> = None;
    let mut url = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].clone();
        let val = |i: &mut usize| {
            *i += 1;
            args.get(*i).cloned().unwrap_or_default()
        };
        match a.as_str() {
            "--silent" => silent = true,
            "--show-error" => show_err = true,
            "--head" => head = true,
            "--fail" => fail = true,
            "--verbose" => verbose = true,
            "--output" => out_file = Some(val(&mut i)),
            "--max-time" | "--connect-timeout" => timeout = val(&mut i).parse::<f64>().ok().map(|v| v.ceil() as u64),
            "-H" | "--header" | "-X" | "--request" | "-d" | "--data" | "-w" | "--write-out" | "-A" | "--user-agent" => {
                val(&mut i);
            }
            s if s.starts_with("--") => {}
            s if s.len() > 1 && s.starts_with('-') => {
                let chars: Vec<char> = s[1..].chars().collect();
                for (j, c) in chars.iter().enumerate() {
                    match c {
                        's' => silent = true,
                        'S' => show_err = true,
                        'I' => head = true,
                        'f' => fail = true,
                        'v' => verbose = true,
                        'o' | 'm' | 'H' | 'X' | 'd' | 'w' | 'A' => {
                            let rest: String = chars[j + 1..].iter().collect();
                            let v = if rest.is_empty() { val(&mut i) } else { rest };
                            match c {
                                'o' => out_file = Some(v),
                                'm' => timeout = v.parse::<f64>().ok().map(|v| v.ceil() as u64),
                                _ => {}
                            }
                            break;
                        }
                        _ => {}
                    }
                }
            }
            _ => url = Some(a.clone()),
        }
        i += 1;
    }
    let quiet_err = silent && !show_err;
    let err = |msg: String| if quiet_err { String::new() } else { msg };
    let Some(url) = url else {
        ctx.errs("curl: try 'curl --help' or 'curl --manual' for more information\n");
        return Outcome::Done(2);
    };
    let u = parse_url(&url);
    let ip = match resolve(ctx, &u.host) {
        Resolved::Ip(ip) => ip,
        Resolved::NoSuchHost => {
            ctx.errs(&err(format!("curl: (6) Could not resolve host: {}\n", u.host)));
            return Outcome::Done(6);
        }
        Resolved::Timeout => {
            let t = timeout.unwrap_or(CURL_CONNECT_TIMEOUT_S);
            return fail_later(
                ctx,
                t,
                err(format!("curl: (28) Resolving timed out after {} milliseconds\n", t * 1000)),
                28,
            );
        }
    };
    if verbose {
        ctx.errs(&format!("*   Trying {ip}:{}...\n", u.port));
    }
    let method = if head { "HEAD" } else { "GET" };
    let req = NetRequest::Http {
        ip: ip.clone(),
        port: u.port,
        method: method.into(),
        host: u.shown.clone(),
        path: u.path.clone(),
    };
    match ctx.host.net(&req) {
        NetResult::Response { status, reason, headers, body } => {
            let mut head_text = format!("HTTP/1.1 {status} {reason}\r\n");
            for (k, v) in &headers {
                let _ = write!(head_text, "{k}: {v}\r\n");
            }
            if verbose {
                let mut v = format!("* Connected to {} ({ip}) port {}\n", u.host, u.port);
                let _ = write!(
                    v,
                    "> {method} {} HTTP/1.1\r\n> Host: {}\r\n> User-Agent: curl/8.11.1\r\n> Accept: */*\r\n> \r\n",
                    u.path, u.shown
                );
                for l in head_text.split("\r\n").filter(|l| !l.is_empty()) {
                    let _ = write!(v, "< {l}\r\n");
                }
                v.push_str("< \r\n");
                ctx.errs(&v);
            }
            if fail && status >= 400 {
                ctx.errs(&err(format!("curl: (22) The requested URL returned error: {status}\n")));
                return Outcome::Done(22);
            }
            let data = if head { format!("{head_text}\r\n").into_bytes() } else { body };
            match out_file {
                Some(f) if f != "-" => {
                    let p = ctx.sh.resolve(&f);
                    let now = ctx.now;
                    if let Err(e) = ctx.host.fs().write(&p, &data, false, now) {
                        ctx.errs(&err(format!("curl: (23) Failure writing output to destination: {e}\n")));
                        return Outcome::Done(23);
                    }
                }
                _ => ctx.out.extend(data),
            }
            if verbose {
                ctx.errs(&format!("* Connection #0 to host {} left intact\n", u.host));
            }
            Outcome::Done(0)
        }
        NetResult::Refused | NetResult::Unreachable => {
            ctx.errs(&err(format!(
                "curl: (7) Failed to connect to {} port {} after 0 ms: Couldn't connect to server\n",
                u.host, u.port
            )));
            Outcome::Done(7)
        }
        _ => {
            let t = timeout.unwrap_or(CURL_CONNECT_TIMEOUT_S);
            fail_later(ctx, t, err(format!("curl: (28) Connection timed out after {} milliseconds\n", t * 1000)), 28)
        }
    }
}

/// busybox nc: `nc -z -v -w SEC host port` (port scan / connectivity check).
pub(crate) fn nc(args: &[String], ctx: &mut Ctx) -> Outcome {
    let (mut verbose, mut zero) = (false, false);
    let mut wait: Option<u64> = None;
    let mut ops = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a.len() > 1 && a.starts_with('-') {
            let chars: Vec<char> = a[1..].chars().collect();
            for (j, c) in chars.iter().enumerate() {
                match c {
                    'v' => verbose = true,
                    'z' => zero = true,
                    'w' => {
                        let rest: String = chars[j + 1..].iter().collect();
                        let v = if rest.is_empty() {
                            i += 1;
                            args.get(i).cloned().unwrap_or_default()
                        } else {
                            rest
                        };
                        wait = v.parse().ok();
                        break;
                    }
                    _ => {}
                }
            }
        } else {
            ops.push(a.clone());
        }
        i += 1;
    }
    let (Some(host), Some(port)) = (ops.first().cloned(), ops.get(1).and_then(|p| p.parse::<u16>().ok())) else {
        ctx.errs("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nc [OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen\n");
        return Outcome::Done(1);
    };
    let ip = match resolve(ctx, &host) {
        Resolved::Ip(ip) => ip,
        _ => {
            ctx.errs(&format!("nc: bad address '{host}'\n"));
            return Outcome::Done(1);
        }
    };
    match ctx.host.net(&NetRequest::Connect { ip: ip.clone(), port }) {
        NetResult::Connected | NetResult::Response { .. } => {
            if verbose {
                ctx.errs(&format!("{host} ({ip}:{port}) open\n"));
            }
            let _ = zero;
            Outcome::Done(0)
        }
        NetResult::Refused => {
            ctx.errs(&format!("nc: {host} ({ip}:{port}): Connection refused\n"));
            Outcome::Done(1)
        }
        NetResult::Unreachable => {
            ctx.errs(&format!("nc: {host} ({ip}:{port}): No route to host\n"));
            Outcome::Done(1)
        }
        _ => fail_later(
            ctx,
            wait.unwrap_or(CONNECT_TIMEOUT_S),
            format!("nc: {host} ({ip}:{port}): Connection timed out\n"),
            1,
        ),
    }
}

/// busybox nslookup NAME [SERVER].
pub(crate) fn nslookup(args: &[String], ctx: &mut Ctx) -> Outcome {
    let Some(name) = args.iter().find(|a| !a.starts_with('-')).cloned() else {
        ctx.errs("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n");
        return Outcome::Done(1);
    };
    let server = ctx
        .host
        .fs()
        .read("/etc/resolv.conf")
        .ok()
        .and_then(|d| {
            String::from_utf8_lossy(&d).lines().find_map(|l| l.strip_prefix("nameserver").map(|s| s.trim().to_string()))
        })
        .unwrap_or_else(|| "10.96.0.10".into());
    let mut out = format!("Server:\t\t{server}\nAddress:\t{server}:53\n\n");
    match ctx.host.net(&NetRequest::Resolve { name: name.clone() }) {
        NetResult::Resolved { fqdn, ips } if !ips.is_empty() => {
            for ip in ips {
                let _ = write!(out, "Name:\t{fqdn}\nAddress: {ip}\n");
            }
            out.push('\n');
            ctx.outs(&out);
            Outcome::Done(0)
        }
        NetResult::Timeout => Outcome::Wait {
            until: Some(ctx.now.saturating_add(15)),
            out: b";; connection timed out; no servers could be reached\n\n".to_vec(),
            err: vec![],
            status: 1,
        },
        _ => {
            let _ = write!(out, "** server can't find {name}: NXDOMAIN\n\n");
            ctx.outs(&out);
            Outcome::Done(1)
        }
    }
}
