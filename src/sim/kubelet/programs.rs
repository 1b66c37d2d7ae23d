//! The simulated programs images run by default (nginx, httpd, redis, mysql, postgres, stress,
//! the teaching `webapp`): what they log, when they listen, what they answer over HTTP, how
//! much memory they use and how they fail — like the real images do.

use crate::sim::clock::Tick;
use crate::sim::images::ImageSpec;

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Nginx,
    Httpd,
    Redis,
    Mysql,
    Postgres,
    /// `polinux/stress` (`--cpu N --vm N --vm-bytes B --vm-hang S --timeout T`) and
    /// `vish/stress` (`-cpus N -mem-total B`): busy workers and allocated memory.
    Stress {
        vm_bytes: u64,
        timeout_s: Option<u64>,
        /// Workers spinning on sqrt() (`--cpu N`, vish's `-cpus N`): a core each.
        cpu_workers: u32,
        /// Workers looping on malloc/free (`--vm N`): a core each unless they hang.
        vm_workers: u32,
        /// `--vm-hang`: the vm workers sleep on their memory instead of churning it.
        vm_hang: bool,
        /// vish/stress (logs nothing of polinux's `dispatching hogs`).
        vish: bool,
    },
    Webapp,
    /// The ingress-nginx controller (`sim::ingress` routes what it serves).
    IngressNginx,
    /// `registry.k8s.io/hpa-example`: Apache with PHP answering `OK!` after a CPU-heavy loop
    /// (the HPA walkthrough's php-apache).
    PhpApache,
    /// `kubedojo/loadgen`: sends `RPS` HTTP requests a second to `URL` (`sim::metrics::load`).
    LoadGen,
    /// Exits at once with this code (a shell or interpreter started without a terminal).
    Exit(i32),
    /// One of the cluster's own components (`sim::addons`).
    Component(Component),
}

/// The cluster's own components, run as pods: what each listens on and answers on its health
/// endpoints (their real work — DNS, routing, the API — is `sim`'s own).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Component {
    CoreDns,
    KubeProxy,
    Etcd,
    ApiServer,
    ControllerManager,
    Scheduler,
}

impl Component {
    fn from_program(name: &str) -> Option<Component> {
        Some(match name {
            "coredns" => Component::CoreDns,
            "kube-proxy" => Component::KubeProxy,
            "etcd" => Component::Etcd,
            "kube-apiserver" => Component::ApiServer,
            "kube-controller-manager" => Component::ControllerManager,
            "kube-scheduler" => Component::Scheduler,
            _ => return None,
        })
    }

    /// The ports it serves: DNS, health, readiness and metrics.
    fn ports(self) -> &'static [u16] {
        match self {
            Component::CoreDns => &[53, 8080, 8181, 9153],
            Component::KubeProxy => &[10249, 10256],
            Component::Etcd => &[2379, 2380, 2381],
            Component::ApiServer => &[6443],
            Component::ControllerManager => &[10257],
            Component::Scheduler => &[10259],
        }
    }

    /// Its answer to a GET of `path`.
    fn http_get(self, path: &str) -> (u16, String) {
        match (self, path) {
            (Component::CoreDns, "/health") | (Component::CoreDns, "/ready") => (200, "OK".into()),
            (Component::Etcd, "/health" | "/readyz" | "/livez") => {
                (200, "{\"health\":\"true\",\"reason\":\"\"}".into())
            }
            (Component::CoreDns | Component::Etcd, _) => (404, "404 page not found\n".into()),
            (_, "/healthz" | "/livez" | "/readyz") => (200, "ok".into()),
            _ => (404, "404 page not found\n".into()),
        }
    }

    /// What it logs as it starts (klog's header: severity, MMDD, time, pid, file:line).
    fn start_logs(self, now: Tick, node_ip: &str) -> Vec<String> {
        let dt = now.datetime();
        let klog = dt.format("%m%d %H:%M:%S%.6f").to_string();
        let iso = dt.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        match self {
            Component::CoreDns => vec![
                ".:53".into(),
                "[INFO] plugin/reload: Running configuration SHA512 = 1b226df79860026c6a52e67daa10d7f0d57ec5b023288ec00c5e05f93523c894564e15b91770d3a07ae1cfbe861d15b37d4a0027e69c546ab112970993a3b03b".into(),
                "CoreDNS-1.11.3".into(),
                "linux/amd64, go1.21.11, a6338e9".into(),
            ],
            Component::KubeProxy => vec![
                format!("I{klog}       1 server_linux.go:66] \"Using iptables proxy\""),
                format!("I{klog}       1 server.go:698] \"Successfully retrieved node IP(s)\" IPs=[\"{node_ip}\"]"),
                format!("I{klog}       1 server.go:243] \"kube-proxy running in dual-stack mode\" primary ipFamily=\"IPv4\""),
                format!("I{klog}       1 server_linux.go:170] \"Using iptables Proxier\""),
                format!("I{klog}       1 server.go:497] \"Version info\" version=\"v1.32.0\""),
                format!("I{klog}       1 config.go:199] \"Starting service config controller\""),
                format!("I{klog}       1 config.go:105] \"Starting endpoint slice config controller\""),
                format!("I{klog}       1 config.go:329] \"Starting node config controller\""),
                format!("I{klog}       1 shared_informer.go:320] Caches are synced for service config"),
                format!("I{klog}       1 shared_informer.go:320] Caches are synced for endpoint slice config"),
                format!("I{klog}       1 shared_informer.go:320] Caches are synced for node config"),
            ],
            Component::Etcd => vec![
                format!("{{\"level\":\"info\",\"ts\":\"{iso}\",\"caller\":\"embed/etcd.go:128\",\"msg\":\"configuring peer listeners\",\"listen-peer-urls\":[\"https://{node_ip}:2380\"]}}"),
                format!("{{\"level\":\"info\",\"ts\":\"{iso}\",\"caller\":\"embed/etcd.go:311\",\"msg\":\"starting an etcd server\",\"etcd-version\":\"3.5.16\",\"go-version\":\"go1.22.7\"}}"),
                format!("{{\"level\":\"info\",\"ts\":\"{iso}\",\"caller\":\"etcdserver/server.go:2651\",\"msg\":\"cluster version is updated\",\"cluster-version\":\"3.5\"}}"),
                format!("{{\"level\":\"info\",\"ts\":\"{iso}\",\"caller\":\"embed/serve.go:250\",\"msg\":\"serving client traffic securely\",\"traffic\":\"grpc+http\",\"address\":\"{node_ip}:2379\"}}"),
            ],
            Component::ApiServer => vec![
                format!("I{klog}       1 options.go:238] external host was not specified, using {node_ip}"),
                format!("I{klog}       1 server.go:143] Version: v1.32.0"),
                format!("I{klog}       1 secure_serving.go:213] Serving securely on [::]:6443"),
                format!("I{klog}       1 controller.go:615] quota admission added evaluator for: endpoints"),
            ],
            Component::ControllerManager => vec![
                format!("I{klog}       1 serving.go:386] Generated self-signed cert in-memory"),
                format!("I{klog}       1 controllermanager.go:185] \"Starting\" version=\"v1.32.0\""),
                format!("I{klog}       1 secure_serving.go:213] Serving securely on 127.0.0.1:10257"),
                format!("I{klog}       1 leaderelection.go:271] successfully acquired lease kube-system/kube-controller-manager"),
            ],
            Component::Scheduler => vec![
                format!("I{klog}       1 serving.go:386] Generated self-signed cert in-memory"),
                format!("I{klog}       1 server.go:167] \"Starting Kubernetes Scheduler\" version=\"v1.32.0\""),
                format!("I{klog}       1 secure_serving.go:213] Serving securely on 127.0.0.1:10259"),
                format!("I{klog}       1 leaderelection.go:271] successfully acquired lease kube-system/kube-scheduler"),
            ],
        }
    }
}

/// A running simulated program.
#[derive(Clone, Debug)]
pub struct Program {
    pub kind: Kind,
    pub started: Tick,
    /// The program's environment: the container's, over its image's.
    pub env: super::Env,
    /// `LEAK_MI_PER_S` from the environment (0 when unset or not a number): read once at
    /// start, as every reading of the working set needs it.
    leak_mi_per_s: u64,
    /// Idle working set of the program (the image's `memoryMi`), in bytes.
    pub base_memory_bytes: u64,
    pub start_s: u64,
    pub exited: Option<i32>,
    pub ip: String,
    pending_logs: Vec<String>,
    logged_listen: bool,
}

/// Executables that start a simulated program, by basename.
fn program_for(arg0: &str) -> Option<&'static str> {
    let base = arg0.rsplit('/').next().unwrap_or(arg0);
    Some(match base {
        "nginx" => "nginx",
        "httpd-foreground" | "httpd" => "httpd",
        "redis-server" => "redis",
        "mysqld" => "mysql",
        "postgres" => "postgres",
        "stress" => "stress",
        "webapp" => "webapp",
        "nginx-ingress-controller" => "ingress-nginx",
        "apache2-foreground" => "php-apache",
        "loadgen" => "loadgen",
        "coredns" => "coredns",
        "kube-proxy" => "kube-proxy",
        "etcd" => "etcd",
        "kube-apiserver" => "kube-apiserver",
        "kube-controller-manager" => "kube-controller-manager",
        "kube-scheduler" => "kube-scheduler",
        _ => return None,
    })
}

/// Parses a `stress` size like `150M`, `1G`, `250m`, `1024k`, `100000` (bytes).
fn stress_bytes(s: &str) -> u64 {
    let s = s.trim();
    let (num, mult) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 1u64 << 10),
        Some('m' | 'M') => (&s[..s.len() - 1], 1 << 20),
        Some('g' | 'G') => (&s[..s.len() - 1], 1 << 30),
        Some('b' | 'B') => (&s[..s.len() - 1], 1),
        _ => (s, 1),
    };
    num.parse::<u64>().unwrap_or(0).saturating_mul(mult)
}

/// A MiB figure of the image catalog as bytes, rounded to whole 4 KiB pages (cgroup memory
/// is counted in pages).
pub fn mib_to_bytes(mib: f64) -> u64 {
    let bytes = (mib.max(0.0) * 1_048_576.0) as u64;
    bytes / 4096 * 4096
}

/// A Kubernetes-style size (`950Mi`, `1G`) as vish/stress takes it; 0 when malformed.
fn quantity_bytes(s: &str) -> u64 {
    crate::sim::quantity::parse_value(s).map(|b| b.max(0) as u64).unwrap_or(0)
}

fn stress_timeout(s: &str) -> Option<u64> {
    let (num, mult) = match s.chars().last()? {
        's' => (&s[..s.len() - 1], 1),
        'm' => (&s[..s.len() - 1], 60),
        'h' => (&s[..s.len() - 1], 3600),
        'd' => (&s[..s.len() - 1], 86400),
        _ => (s, 1),
    };
    num.parse::<u64>().ok().map(|n| n * mult)
}

impl Program {
    /// The program `argv` starts in `image`, or None when argv is something for the shell.
    /// `is_default` says argv is the image's own entrypoint+cmd.
    pub fn detect(image: &ImageSpec, argv: &[String], is_default: bool) -> Option<Kind> {
        if is_default {
            return Some(match image.program.as_str() {
                "nginx" => Kind::Nginx,
                "httpd" => Kind::Httpd,
                "redis" => Kind::Redis,
                "mysql" => Kind::Mysql,
                "postgres" => Kind::Postgres,
                "webapp" => Kind::Webapp,
                "ingress-nginx" => Kind::IngressNginx,
                "php-apache" => Kind::PhpApache,
                "loadgen" => Kind::LoadGen,
                "stress" | "vish-stress" => Kind::Stress {
                    vm_bytes: 0,
                    timeout_s: None,
                    cpu_workers: 0,
                    vm_workers: 0,
                    vm_hang: false,
                    vish: image.program == "vish-stress",
                },
                other => Component::from_program(other).map_or(Kind::Exit(0), Kind::Component),
            });
        }
        // docker-entrypoint.sh and dumb-init wrappers run their first argument.
        let mut args = argv;
        if let Some(first) = args.first() {
            if first.ends_with("docker-entrypoint.sh") {
                args = &args[1..];
            } else if first.ends_with("dumb-init") {
                args = &args[1..];
                if args.first().map(String::as_str) == Some("--") {
                    args = &args[1..];
                }
            }
        }
        let name = program_for(args.first()?)?;
        Some(match name {
            "nginx" => Kind::Nginx,
            "httpd" => Kind::Httpd,
            "redis" => Kind::Redis,
            "mysql" => Kind::Mysql,
            "postgres" => Kind::Postgres,
            "webapp" => Kind::Webapp,
            "ingress-nginx" => Kind::IngressNginx,
            "php-apache" => Kind::PhpApache,
            "loadgen" => Kind::LoadGen,
            "stress" => {
                let mut vm = 0u64;
                let mut workers = 1u64;
                let mut cpu_workers = 0u32;
                let mut vm_hang = false;
                let mut timeout = None;
                let mut vish_mem = 0u64;
                let mut i = 1;
                while i < args.len() {
                    let a = args[i].as_str();
                    // Both `--flag value` and vish's Go-style `-flag=value`.
                    let (a, inline) = match a.split_once('=') {
                        Some((f, v)) => (f, Some(v)),
                        None => (a, None),
                    };
                    let val = inline.unwrap_or_else(|| args.get(i + 1).map(String::as_str).unwrap_or(""));
                    match a {
                        "--vm" | "-m" => workers = val.parse().unwrap_or(1),
                        "--vm-bytes" => vm = stress_bytes(val),
                        "--vm-hang" => vm_hang = true,
                        "--cpu" | "-c" | "-cpus" | "--cpus" => cpu_workers = val.parse().unwrap_or(1),
                        "--timeout" | "-t" => timeout = stress_timeout(val),
                        "-mem-total" | "--mem-total" => vish_mem = quantity_bytes(val),
                        _ => {}
                    }
                    i += 1;
                }
                // Default --vm-bytes is 256M per worker.
                let per = if vm == 0 { 256 << 20 } else { vm };
                let has_vm = args.iter().any(|a| a == "--vm" || a == "-m");
                let vish = args.iter().any(|a| a.starts_with("-cpus") || a.starts_with("-mem-total"))
                    || args.first().is_some_and(|a| a == "/stress");
                Kind::Stress {
                    vm_bytes: if has_vm { per * workers } else { vish_mem },
                    timeout_s: timeout,
                    cpu_workers,
                    vm_workers: if has_vm { workers as u32 } else { 0 },
                    vm_hang,
                    vish,
                }
            }
            other => Kind::Component(Component::from_program(other)?),
        })
    }

    pub fn start(kind: Kind, image: &ImageSpec, env: &super::Env, ip: &str, now: Tick) -> Program {
        let all_env = env.with_defaults(&image.env);
        let start_s = match kind {
            Kind::Webapp => all_env.get("START_DELAY").and_then(|v| v.parse().ok()).unwrap_or(0),
            _ => image.start_s,
        };
        let leak_mi_per_s = all_env.get("LEAK_MI_PER_S").and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        let mut p = Program {
            kind,
            started: now,
            env: all_env,
            leak_mi_per_s,
            base_memory_bytes: mib_to_bytes(image.memory_mi),
            start_s,
            exited: None,
            ip: ip.to_string(),
            pending_logs: Vec::new(),
            logged_listen: false,
        };
        p.pending_logs = p.start_logs(now);
        p
    }

    fn start_logs(&mut self, now: Tick) -> Vec<String> {
        let dt = now.datetime();
        match &self.kind {
            Kind::Nginx => {
                // Every replica started in the same second prints these: the stamp is
                // formatted once, each line made by appending to it.
                let notice = format!("{} [notice] 1#1: ", dt.format("%Y/%m/%d %H:%M:%S"));
                let mut v: Vec<String> = Vec::with_capacity(19);
                v.extend([
                    "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
                    "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
                    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
                    "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
                    "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
                    "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
                    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
                    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
                    "/docker-entrypoint.sh: Configuration complete; ready for start up",
                ]
                .iter()
                .map(|s| s.to_string()));
                for l in [
                    "using the \"epoll\" event method",
                    "nginx/1.27.3",
                    "built by gcc 12.2.0 (Debian 12.2.0-14) ",
                    "OS: Linux 6.8.0-1015-gcp",
                    "getrlimit(RLIMIT_NOFILE): 1048576:1048576",
                    "start worker processes",
                    "start worker process 29",
                    "start worker process 30",
                    "start worker process 31",
                    "start worker process 32",
                ] {
                    let mut line = String::with_capacity(notice.len() + l.len());
                    line.push_str(&notice);
                    line.push_str(l);
                    v.push(line);
                }
                v
            }
            Kind::Httpd => {
                let apache = dt.format("%a %b %d %H:%M:%S%.6f %Y").to_string();
                let msg = format!("AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using {}. Set the 'ServerName' directive globally to suppress this message", self.ip);
                vec![
                    msg.clone(),
                    msg,
                    format!("[{apache}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 (Unix) configured -- resuming normal operations"),
                    format!("[{apache}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'"),
                ]
            }
            Kind::Redis => {
                let r = dt.format("%d %b %Y %H:%M:%S%.3f").to_string();
                vec![
                    format!("1:C {r} # WARNING Memory overcommit must be enabled! Without it, a background save or replication may fail under low memory condition. Being disabled, it can also cause failures without low memory condition, see https://github.com/jemalloc/jemalloc/issues/1328. To fix this issue add 'vm.overcommit_memory = 1' to /etc/sysctl.conf and then reboot or run the command 'sysctl vm.overcommit_memory=1' for this to take effect."),
                    format!("1:C {r} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"),
                    format!("1:C {r} * Redis version=7.4.1, bits=64, commit=00000000, modified=0, pid=1, just started"),
                    format!("1:C {r} # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf"),
                    format!("1:M {r} * monotonic clock: POSIX clock_gettime"),
                    format!("1:M {r} * Running mode=standalone, port=6379."),
                    format!("1:M {r} * Server initialized"),
                    format!("1:M {r} * Ready to accept connections tcp"),
                ]
            }
            Kind::Mysql => {
                let has_pw = ["MYSQL_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD", "MYSQL_RANDOM_ROOT_PASSWORD"]
                    .iter()
                    .any(|k| self.env.contains_key(k));
                let ts = dt.format("%Y-%m-%d %H:%M:%S+00:00").to_string();
                let mut v =
                    vec![format!("{ts} [Note] [Entrypoint]: Entrypoint script for MySQL Server 9.1.0-1.el9 started.")];
                if !has_pw {
                    v.push(format!(
                        "{ts} [ERROR] [Entrypoint]: Database is uninitialized and password option is not specified"
                    ));
                    v.push("    You need to specify one of the following as an environment variable:".into());
                    v.push("    - MYSQL_ROOT_PASSWORD".into());
                    v.push("    - MYSQL_ALLOW_EMPTY_PASSWORD".into());
                    v.push("    - MYSQL_RANDOM_ROOT_PASSWORD".into());
                    self.exited = Some(1);
                } else {
                    v.push(format!("{ts} [Note] [Entrypoint]: Switching to dedicated user 'mysql'"));
                    v.push(format!("{ts} [Note] [Entrypoint]: Initializing database files"));
                }
                v
            }
            Kind::Postgres => {
                if self.env.get("POSTGRES_PASSWORD").is_none_or(|p| p.is_empty())
                    && self.env.get("POSTGRES_HOST_AUTH_METHOD") != Some("trust")
                {
                    self.exited = Some(1);
                    [
                        "Error: Database is uninitialized and superuser password is not specified.",
                        "       You must specify POSTGRES_PASSWORD to a non-empty value for the",
                        "       superuser. For example, \"-e POSTGRES_PASSWORD=password\" on \"docker run\".",
                        "",
                        "       You may also use \"POSTGRES_HOST_AUTH_METHOD=trust\" to allow all",
                        "       connections without a password. This is *not* recommended.",
                        "",
                        "       See PostgreSQL documentation about \"trust\":",
                        "       https://www.postgresql.org/docs/current/auth-trust.html",
                    ]
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
                } else {
                    vec!["The files belonging to this database system will be owned by user \"postgres\".".into()]
                }
            }
            Kind::Stress { vish: true, .. } => vec![],
            Kind::Stress { cpu_workers, vm_workers, .. } => {
                vec![format!("stress: info: [1] dispatching hogs: {cpu_workers} cpu, 0 io, {vm_workers} vm, 0 hdd")]
            }
            Kind::Webapp => vec![format!("webapp listening on :{}", self.port())],
            Kind::IngressNginx => {
                let klog = dt.format("%m%d %H:%M:%S%.6f").to_string();
                vec![
                    "-------------------------------------------------------------------------------".into(),
                    "NGINX Ingress controller".into(),
                    "  Release:       v1.12.0".into(),
                    "  Build:         ba4e9ee2e3bb1ded1bd0c4e4a64c99cc1b4a3e0b".into(),
                    "  Repository:    https://github.com/kubernetes/ingress-nginx".into(),
                    "  nginx version: nginx/1.25.5".into(),
                    "".into(),
                    "-------------------------------------------------------------------------------".into(),
                    "".into(),
                    format!("I{klog}       7 main.go:205] \"Creating API client\" host=\"https://10.96.0.1:443\""),
                    format!("I{klog}       7 main.go:248] \"Running in Kubernetes cluster\" major=\"1\" minor=\"32\" git=\"v1.32.0\" state=\"clean\" commit=\"70d3cc986aa8221cd1dfb1121852688902d3bf53\" platform=\"linux/amd64\""),
                    format!("I{klog}       7 nginx.go:271] \"Starting NGINX Ingress controller\""),
                ]
            }
            Kind::PhpApache => {
                let apache = dt.format("%a %b %d %H:%M:%S%.6f %Y").to_string();
                let msg = format!("AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using {}. Set the 'ServerName' directive globally to suppress this message", self.ip);
                vec![
                    msg.clone(),
                    msg,
                    format!("[{apache}] [mpm_prefork:notice] [pid 1] AH00163: Apache/2.4.10 (Debian) PHP/5.6.14 configured -- resuming normal operations"),
                    format!("[{apache}] [core:notice] [pid 1] AH00094: Command line: 'apache2 -D FOREGROUND'"),
                ]
            }
            Kind::LoadGen => {
                let (url, rps) = crate::sim::metrics::load::settings(&self.env);
                vec![format!("loadgen: sending {rps} requests/s to {url}")]
            }
            Kind::Exit(code) => {
                self.exited = Some(*code);
                vec![]
            }
            Kind::Component(c) => c.start_logs(now, &self.ip),
        }
    }

    /// The port the program serves (the webapp's is configurable with PORT).
    pub fn port(&self) -> u16 {
        match self.kind {
            Kind::Nginx | Kind::Httpd | Kind::IngressNginx => 80,
            Kind::Redis => 6379,
            Kind::Mysql => 3306,
            Kind::Postgres => 5432,
            Kind::Webapp => self.env.get("PORT").and_then(|p| p.parse().ok()).unwrap_or(8080),
            Kind::PhpApache => 80,
            Kind::LoadGen => 0,
            Kind::Stress { .. } | Kind::Exit(_) => 0,
            Kind::Component(c) => c.ports()[0],
        }
    }

    /// Advances the program to `now`: returns log lines written and an exit code if it exited.
    pub fn step(&mut self, now: Tick) -> (Vec<String>, Option<i32>) {
        let mut logs = std::mem::take(&mut self.pending_logs);
        if let Some(code) = self.exited {
            return (logs, Some(code));
        }
        let up = now.since(self.started);
        match &self.kind {
            Kind::Mysql if up >= self.start_s && !self.logged_listen => {
                self.logged_listen = true;
                let ts = now.datetime().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
                logs.push(format!("{ts} 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '9.1.0'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL."));
            }
            Kind::Postgres if up >= self.start_s && !self.logged_listen => {
                self.logged_listen = true;
                let ts = now.datetime().format("%Y-%m-%d %H:%M:%S%.3f UTC").to_string();
                logs.push(format!("{ts} [1] LOG:  database system is ready to accept connections"));
            }
            Kind::Stress { timeout_s: Some(t), .. } if up >= *t => {
                logs.push(format!("stress: info: [1] successful run completed in {t}s"));
                self.exited = Some(0);
            }
            Kind::Webapp => {
                if let Some(after) = self.env.get("CRASH_AFTER").and_then(|v| v.parse::<u64>().ok()) {
                    if up >= after {
                        logs.push(format!("panic: simulated crash after {after}s"));
                        self.exited = Some(1);
                    }
                }
            }
            _ => {}
        }
        (logs, self.exited)
    }

    /// Whether stepping the program changes nothing, now or at any later tick (no output to
    /// come, no exit, no growing memory): the kubelet need not sync its container until
    /// something else happens. Must stay in step with [`Program::step`] and
    /// [`Program::memory_mi`].
    pub fn is_idle(&self) -> bool {
        if self.exited.is_some() || !self.pending_logs.is_empty() {
            return false;
        }
        if self.leak_mi_per_s > 0 {
            return false;
        }
        match &self.kind {
            Kind::Mysql | Kind::Postgres => self.logged_listen,
            Kind::Stress { timeout_s, .. } => timeout_s.is_none(),
            Kind::Webapp => !self.env.contains_key("CRASH_AFTER"),
            // It sends its requests every second (`exec::run` drives it).
            Kind::LoadGen => false,
            _ => true,
        }
    }

    /// Memory in use (the working set), in bytes: what an OOM kill is judged on and what
    /// `kubectl top` reports.
    pub fn memory_bytes(&self, now: Tick) -> u64 {
        let leak = self.leak_mi_per_s;
        let extra = match self.kind {
            Kind::Stress { vm_bytes, .. } => vm_bytes,
            _ => 0,
        };
        self.base_memory_bytes + extra + (leak << 20).saturating_mul(now.since(self.started))
    }

    /// Memory in use, in whole MiB.
    pub fn memory_mi(&self, now: Tick) -> u64 {
        self.memory_bytes(now) >> 20
    }

    /// Whether the program accepts connections on `port` at `now`.
    pub fn listens(&self, port: u16, now: Tick) -> bool {
        let serves = match self.kind {
            // HTTP, HTTPS, health and metrics, the admission webhook.
            Kind::IngressNginx => matches!(port, 80 | 443 | 10254 | 8443),
            Kind::Component(c) => c.ports().contains(&port),
            _ => port == self.port(),
        };
        self.exited.is_none() && port != 0 && serves && now.since(self.started) >= self.start_s
    }

    /// A SIGTERM: servers shut down at once with status 0.
    pub fn terminate(&mut self) {
        if self.exited.is_none() {
            self.exited = Some(0);
        }
    }

    /// Answers an HTTP GET for `path`: (status, body). `read` reads a file of the container.
    pub fn http_get(
        &self,
        path: &str,
        read: &dyn Fn(&str) -> Option<String>,
        pod_name: &str,
        now: Tick,
    ) -> (u16, String) {
        let path = path.split('?').next().unwrap_or("/");
        match self.kind {
            Kind::Nginx | Kind::Httpd => {
                let root = if self.kind == Kind::Nginx { "/usr/share/nginx/html" } else { "/usr/local/apache2/htdocs" };
                let file =
                    if path.ends_with('/') { format!("{root}{path}index.html") } else { format!("{root}{path}") };
                match read(&file) {
                    Some(body) => (200, body),
                    None if self.kind == Kind::Nginx => (404, NGINX_404.to_string()),
                    None => (404, HTTPD_404.replace("{path}", path)),
                }
            }
            Kind::IngressNginx => match path {
                "/healthz" => (200, "ok".into()),
                _ => (404, crate::sim::ingress::error_page(404).1),
            },
            Kind::Webapp => {
                let up = now.since(self.started);
                match path {
                    "/healthz" | "/livez" => (200, "ok\n".into()),
                    "/ready" | "/readyz" => {
                        let not_ready = self
                            .env
                            .get("NOT_READY_AFTER")
                            .and_then(|v| v.parse::<u64>().ok())
                            .is_some_and(|a| up >= a);
                        if not_ready {
                            (503, "not ready\n".into())
                        } else {
                            (200, "ready\n".into())
                        }
                    }
                    "/" => {
                        let msg = self.env.get("MESSAGE").map_or_else(|| "Hello from".to_string(), str::to_string);
                        (200, format!("{msg} {pod_name}\n"))
                    }
                    _ => (404, "404 page not found\n".into()),
                }
            }
            Kind::PhpApache => match path {
                "/" | "/index.php" => (200, "OK!".into()),
                _ => (404, HTTPD_404.replace("{path}", path)),
            },
            Kind::Component(c) => c.http_get(path),
            _ => (0, String::new()),
        }
    }

    /// The access-log line a server writes for a request.
    #[allow(clippy::too_many_arguments)]
    pub fn access_log(
        &self,
        client_ip: &str,
        method: &str,
        path: &str,
        status: u16,
        bytes: usize,
        agent: &str,
        now: Tick,
    ) -> Option<String> {
        match self.kind {
            Kind::Nginx => Some(format!(
                "{client_ip} - - [{}] \"{method} {path} HTTP/1.1\" {status} {bytes} \"-\" \"{agent}\" \"-\"",
                now.datetime().format("%d/%b/%Y:%H:%M:%S +0000")
            )),
            Kind::Httpd => Some(format!(
                "{client_ip} - - [{}] \"{method} {path} HTTP/1.1\" {status} {bytes}",
                now.datetime().format("%d/%b/%Y:%H:%M:%S +0000")
            )),
            // The php image's Apache logs in the combined format.
            Kind::PhpApache => Some(format!(
                "{client_ip} - - [{}] \"GET {path} HTTP/1.1\" {status} {bytes} \"-\" \"{agent}\"",
                now.datetime().format("%d/%b/%Y:%H:%M:%S +0000")
            )),
            _ => None,
        }
    }
}

const NGINX_404: &str = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.27.3</center>\r\n</body>\r\n</html>\r\n";
const HTTPD_404: &str = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::images::Catalog;

    #[test]
    fn stress_memory_from_vm_bytes() {
        let cat = Catalog::builtin();
        let img = cat.get("polinux/stress").unwrap();
        let argv: Vec<String> =
            ["stress", "--vm", "1", "--vm-bytes", "250M", "--vm-hang", "1"].iter().map(|s| s.to_string()).collect();
        let kind = Program::detect(img, &argv, false).unwrap();
        let p = Program::start(kind, img, &super::super::Env::default(), "10.244.1.2", Tick(0));
        assert_eq!(p.memory_mi(Tick(1)), 250);
        assert_eq!(p.memory_bytes(Tick(1)), (250 << 20) + mib_to_bytes(0.6));
    }

    #[test]
    fn mysql_without_password_exits_1() {
        let cat = Catalog::builtin();
        let img = cat.get("mysql").unwrap();
        let mut p = Program::start(Kind::Mysql, img, &super::super::Env::default(), "10.244.1.2", Tick(0));
        let (logs, code) = p.step(Tick(1));
        assert_eq!(code, Some(1));
        assert!(logs.iter().any(|l| l.contains("password option is not specified")));
    }
}
