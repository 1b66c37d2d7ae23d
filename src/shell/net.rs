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
/// The libc resolver's wait for a DNS server that does not answer (`options timeout:5`,
/// spread over its attempts).
const RESOLVER_TIMEOUT_S: u64 = 5;
/// busybox nslookup's wait for replies (its `-timeout`).
const NSLOOKUP_TIMEOUT_S: u64 = 5;

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

/// The host named by a `Host: name` request header.
fn header_host(h: &str) -> Option<String> {
    let (k, v) = h.split_once(':')?;
    k.trim().eq_ignore_ascii_case("host").then(|| v.trim().to_string())
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
    let mut host_header: Option<String> = None;
    let mut url = None;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if let Some(long) = a.strip_prefix("--") {
            match long.split_once('=') {
                Some(("timeout", v)) | Some(("T", v)) => timeout = v.parse().ok(),
                Some(("output-document", v)) => out_name = Some(v.to_string()),
                Some(("header", v)) => host_header = host_header.or(header_host(v)),
                _ => match long {
                    "spider" => spider = true,
                    "quiet" => quiet = true,
                    "timeout" | "output-document" | "tries" | "header" | "user-agent" => {
                        i += 1;
                        if long == "timeout" {
                            timeout = args.get(i).and_then(|v| v.parse().ok());
                        } else if long == "output-document" {
                            out_name = args.get(i).cloned();
                        } else if long == "header" {
                            host_header = host_header.or(args.get(i).and_then(|v| header_host(v)));
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
            return fail_later(ctx, RESOLVER_TIMEOUT_S, format!("wget: bad address '{}'\n", u.shown), 1);
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
        host: host_header.unwrap_or_else(|| u.shown.clone()),
        path: u.path.clone(),
        agent: "Wget".into(),
    };
    match ctx.host.net(&req) {
        NetResult::Response { status, reason, body, elapsed_ms, .. } => {
            ctx.sh.subsec_ms = ctx.sh.subsec_ms.saturating_add(elapsed_ms);
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
    let mut host_header: Option<String> = None;
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
            "-H" | "--header" => {
                let v = val(&mut i);
                host_header = host_header.or(header_host(&v));
            }
            "-X" | "--request" | "-d" | "--data" | "-w" | "--write-out" | "-A" | "--user-agent" => {
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
                                'H' => host_header = host_header.or(header_host(&v)),
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
            // getaddrinfo gives up after the resolver's timeout, unless curl's own is shorter.
            return match timeout.filter(|t| *t < RESOLVER_TIMEOUT_S) {
                Some(t) => fail_later(
                    ctx,
                    t,
                    err(format!("curl: (28) Resolving timed out after {} milliseconds\n", t * 1000)),
                    28,
                ),
                None => fail_later(
                    ctx,
                    RESOLVER_TIMEOUT_S,
                    err(format!("curl: (6) Could not resolve host: {}\n", u.host)),
                    6,
                ),
            };
        }
    };
    if verbose {
        ctx.errs(&format!("*   Trying {ip}:{}...\n", u.port));
    }
    let method = if head { "HEAD" } else { "GET" };
    let host = host_header.unwrap_or_else(|| u.shown.clone());
    let req = NetRequest::Http {
        ip: ip.clone(),
        port: u.port,
        method: method.into(),
        host: host.clone(),
        path: u.path.clone(),
        agent: "curl/8.11.1".into(),
    };
    match ctx.host.net(&req) {
        NetResult::Response { status, reason, headers, body, elapsed_ms } => {
            ctx.sh.subsec_ms = ctx.sh.subsec_ms.saturating_add(elapsed_ms);
            let mut head_text = format!("HTTP/1.1 {status} {reason}\r\n");
            for (k, v) in &headers {
                let _ = write!(head_text, "{k}: {v}\r\n");
            }
            if verbose {
                let mut v = format!("* Connected to {} ({ip}) port {}\n", u.host, u.port);
                let _ = write!(
                    v,
                    "> {method} {} HTTP/1.1\r\n> Host: {}\r\n> User-Agent: curl/8.11.1\r\n> Accept: */*\r\n> \r\n",
                    u.path, host
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
        Resolved::NoSuchHost => {
            ctx.errs(&format!("nc: bad address '{host}'\n"));
            return Outcome::Done(1);
        }
        Resolved::Timeout => return fail_later(ctx, RESOLVER_TIMEOUT_S, format!("nc: bad address '{host}'\n"), 1),
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

const NSLOOKUP_USAGE: &str = "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n\nQUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any\n";

/// The query types busybox nslookup knows, in its table's order.
const QTYPES: &[&str] = &["SOA", "NS", "A", "AAAA", "CNAME", "MX", "TXT", "SRV", "PTR", "ANY"];

/// `a.b.c.d` → `d.c.b.a.in-addr.arpa` (None if not an IPv4 address).
fn make_ptr(s: &str) -> Option<String> {
    if !is_ip(s) {
        return None;
    }
    let mut o: Vec<&str> = s.split('.').collect();
    o.reverse();
    Some(format!("{}.in-addr.arpa", o.join(".")))
}

/// The `nameserver`s and the `search` list of /etc/resolv.conf.
fn resolv_conf(ctx: &mut Ctx) -> (Vec<String>, Option<String>) {
    let text =
        ctx.host.fs().read("/etc/resolv.conf").map(|d| String::from_utf8_lossy(&d).into_owned()).unwrap_or_default();
    let (mut servers, mut search) = (Vec::new(), None);
    for l in text.lines() {
        let mut parts = l.splitn(2, [' ', '\t']);
        let key = parts.next().unwrap_or("");
        let arg = parts.next().map(str::trim).unwrap_or("");
        match key {
            "nameserver" if !arg.is_empty() => servers.push(arg.to_string()),
            "search" | "domain" if !arg.is_empty() => search = Some(arg.to_string()),
            _ => {}
        }
    }
    (servers, search)
}

/// Whether the image ships a busybox older than 1.29, whose nslookup asks libc (the one the
/// Kubernetes docs' DNS debugging page shows, with `busybox:1.28`).
fn old_busybox(image: Option<String>) -> bool {
    let Some(image) = image else { return false };
    let name = image.split('@').next().unwrap_or("");
    let (repo, tag) = match name.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r, t),
        _ => (name, "latest"),
    };
    let is_busybox = repo == "busybox" || repo.ends_with("/busybox");
    let minor = tag.split('.').nth(1).and_then(|m| m.split(|c: char| !c.is_ascii_digit()).next()?.parse::<u32>().ok());
    is_busybox && tag.starts_with("1.") && minor.is_some_and(|m| m < 29)
}

/// busybox nslookup `[-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]` (1.36, its own resolver
/// from OpenWrt): A and AAAA queries for each search domain (a name with a dot is asked as
/// is), every reply printed as it comes, NXDOMAIN making the exit status 1.
pub(crate) fn nslookup(args: &[String], ctx: &mut Ctx) -> Outcome {
    if old_busybox(ctx.host.image()) {
        return nslookup_libc(args, ctx);
    }
    let mut types: Vec<&str> = Vec::new();
    let mut timeout = NSLOOKUP_TIMEOUT_S;
    let mut port = 53u16;
    let mut pos: Vec<String> = Vec::new();
    for a in args {
        if !pos.is_empty() || !a.starts_with('-') {
            pos.push(a.clone());
            continue;
        }
        let (opt, val) = match a[1..].split_once('=') {
            Some((o, v)) => (o, v),
            None => (&a[1..], ""),
        };
        match opt {
            "type" | "querytype" => match QTYPES.iter().find(|t| t.eq_ignore_ascii_case(val)) {
                Some(t) => {
                    if !types.contains(t) {
                        types.push(t)
                    }
                }
                None => {
                    ctx.errs(&format!("nslookup: invalid query type \"{val}\"\n"));
                    return Outcome::Done(1);
                }
            },
            "port" => port = val.parse().unwrap_or(53),
            "retry" | "debug" => {}
            "t" | "timeout" => timeout = val.parse().unwrap_or(NSLOOKUP_TIMEOUT_S),
            _ => {
                ctx.errs(NSLOOKUP_USAGE);
                return Outcome::Done(1);
            }
        }
    }
    if pos.is_empty() || pos.len() > 2 {
        ctx.errs(NSLOOKUP_USAGE);
        return Outcome::Done(1);
    }
    let name = pos[0].clone();
    let (servers, search) = if let Some(server) = pos.get(1) {
        (vec![server.clone()], None)
    } else {
        let (mut servers, search) = resolv_conf(ctx);
        if servers.is_empty() {
            servers.push("127.0.0.1".into());
        }
        (servers, search)
    };
    // The questions: a PTR for an address, else each type for each search domain.
    let mut queries: Vec<(String, &str)> = Vec::new();
    let with_search = |qtype: &'static str, queries: &mut Vec<(String, &str)>| match &search {
        Some(s) if !name.contains('.') && qtype != "PTR" => {
            for d in s.split_whitespace() {
                queries.push((format!("{name}.{d}"), qtype));
            }
        }
        _ => queries.push((name.clone(), qtype)),
    };
    if types.is_empty() {
        match make_ptr(&name) {
            Some(ptr) => queries.push((ptr, "PTR")),
            None => {
                with_search("A", &mut queries);
                with_search("AAAA", &mut queries);
            }
        }
    } else {
        for t in QTYPES.iter().filter(|t| types.contains(t)) {
            with_search(t, &mut queries);
        }
    }
    for server in &servers {
        // The server's address (a name is resolved by libc first).
        let addr = if is_ip(server) {
            server.clone()
        } else {
            match resolve(ctx, server) {
                Resolved::Ip(ip) => ip,
                _ => {
                    ctx.errs(&format!("nslookup: bad address '{server}'\n"));
                    return Outcome::Done(1);
                }
            }
        };
        let replies: Vec<NetResult> = queries
            .iter()
            .map(|(q, t)| {
                ctx.host.net(&NetRequest::Query { server: addr.clone(), name: q.clone(), qtype: t.to_string() })
            })
            .collect();
        if replies.iter().all(|r| matches!(r, NetResult::Timeout)) {
            continue;
        }
        let mut out = format!("Server:\t\t{server}\nAddress:\t{addr}:{port}\n\n");
        let mut status = 0;
        let mut unanswered = Vec::new();
        for ((q, _), r) in queries.iter().zip(replies) {
            match r {
                NetResult::Dns { rcode, authoritative, answers } => {
                    if rcode != "NOERROR" {
                        let _ = writeln!(out, "** server can't find {q}: {rcode}");
                        status = 1;
                    } else {
                        if !authoritative {
                            out.push_str("Non-authoritative answer:\n");
                        }
                        for (n, t, d) in answers {
                            match t.as_str() {
                                "A" | "AAAA" => {
                                    let _ = write!(out, "Name:\t{n}\nAddress: {d}\n");
                                }
                                "CNAME" => {
                                    let _ = writeln!(out, "{n}\tcanonical name = {d}");
                                }
                                "PTR" => {
                                    let _ = writeln!(out, "{n}\tname = {d}");
                                }
                                "NS" => {
                                    let _ = writeln!(out, "{n}\tnameserver = {d}");
                                }
                                _ => {}
                            }
                        }
                    }
                    out.push('\n');
                }
                _ => unanswered.push(q.clone()),
            }
        }
        if unanswered.is_empty() {
            ctx.outs(&out);
            return Outcome::Done(status);
        }
        // Some questions got no reply: nslookup waits out its timeout, then says so.
        for q in &unanswered {
            let _ = writeln!(out, "*** Can't find {q}: No answer");
        }
        out.push('\n');
        return Outcome::Wait {
            until: Some(ctx.now.saturating_add(timeout)),
            out: out.into_bytes(),
            err: vec![],
            status: 1,
        };
    }
    Outcome::Wait {
        until: Some(ctx.now.saturating_add(timeout * servers.len() as u64)),
        out: b";; connection timed out; no servers could be reached\n\n".to_vec(),
        err: vec![],
        status: 1,
    }
}

/// busybox nslookup before 1.29: `HOST [DNS_SERVER]` through libc (getaddrinfo, then
/// getnameinfo for each address's name).
fn nslookup_libc(args: &[String], ctx: &mut Ctx) -> Outcome {
    if args.is_empty() || args[0].starts_with('-') || args.len() > 2 {
        ctx.errs("BusyBox v1.28.4 (2018-05-22 17:00:17 UTC) multi-call binary.\n\nUsage: nslookup [HOST] [SERVER]\n\nQuery the nameserver for the IP address of the given HOST\noptionally using a specified DNS server\n");
        return Outcome::Done(1);
    }
    let server = match args.get(1) {
        Some(s) => s.clone(),
        None => resolv_conf(ctx).0.into_iter().next().unwrap_or_else(|| "127.0.0.1".into()),
    };
    let server_ip = if is_ip(&server) {
        server.clone()
    } else {
        match resolve(ctx, &server) {
            Resolved::Ip(ip) => ip,
            _ => {
                ctx.errs(&format!("nslookup: can't resolve '{server}'\n"));
                return Outcome::Done(1);
            }
        }
    };
    let mut waited = 0;
    let reverse = |ctx: &mut Ctx, ip: &str, waited: &mut u64| -> String {
        let ptr = make_ptr(ip).unwrap_or_default();
        match ctx.host.net(&NetRequest::Query { server: server_ip.clone(), name: ptr, qtype: "PTR".into() }) {
            NetResult::Dns { rcode, answers, .. } if rcode == "NOERROR" => {
                answers.into_iter().find(|(_, t, _)| t == "PTR").map(|(_, _, d)| format!(" {d}")).unwrap_or_default()
            }
            NetResult::Timeout => {
                *waited += RESOLVER_TIMEOUT_S;
                String::new()
            }
            _ => String::new(),
        }
    };
    let mut out = format!("{:<10} {server}\n", "Server:");
    let name = reverse(ctx, &server_ip, &mut waited);
    let _ = writeln!(out, "Address 1: {server_ip}{name}");
    out.push('\n');
    let host = &args[0];
    let ips = match ctx.host.net(&NetRequest::Resolve { name: host.clone() }) {
        NetResult::Resolved { ips, .. } if !ips.is_empty() => ips,
        other => {
            if matches!(other, NetResult::Timeout) {
                waited += RESOLVER_TIMEOUT_S;
            }
            return finish(ctx, waited, out, format!("nslookup: can't resolve '{host}'\n"), 1);
        }
    };
    let _ = writeln!(out, "{:<10} {host}", "Name:");
    for (i, ip) in ips.iter().enumerate() {
        let name = reverse(ctx, ip, &mut waited);
        let _ = writeln!(out, "Address {}: {ip}{name}", i + 1);
    }
    finish(ctx, waited, out, String::new(), 0)
}

/// Ends a tool that printed `out`/`err`, after `waited` seconds of simulated time.
fn finish(ctx: &mut Ctx, waited: u64, out: String, err: String, status: i32) -> Outcome {
    if waited == 0 {
        ctx.outs(&out);
        ctx.errs(&err);
        return Outcome::Done(status);
    }
    Outcome::Wait { until: Some(ctx.now.saturating_add(waited)), out: out.into_bytes(), err: err.into_bytes(), status }
}
