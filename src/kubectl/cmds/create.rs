//! `kubectl create`: from files (`-f`, in `apply.rs`) or with a generator (`kubectl create
//! deployment|service|configmap|secret|job|cronjob|namespace|serviceaccount|role|clusterrole|
//! rolebinding|clusterrolebinding|quota|ingress|poddisruptionbudget|priorityclass|token`).
//!
//! Generator commands parse their flags the way cobra/pflag do (so flag errors read
//! `Error: unknown flag: --foo`), check required flags, NAME, `--dry-run` and `-o` in kubectl's
//! order, build the object with [`crate::kubectl::generators`], and then either print it
//! (`--dry-run=client`) or send it through the API layer (`World::api_create`) and print what
//! the server returned.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::kubectl::generators::gotype::goify;
use crate::kubectl::generators::{self as gen, Files, Sources};
use crate::kubectl::output::yaml;
use crate::kubectl::print::{self, Format};
use crate::kubectl::Ctx;
use crate::sim::api::WriteOptions;
use crate::sim::{Kind, Object};

// ---------------------------------------------------------------------------------------------
// pflag: kubectl's flag parsing
// ---------------------------------------------------------------------------------------------

/// The type of a flag, which decides how pflag parses and accumulates its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Bool,
    Str,
    Int32,
    Int,
    /// `StringSlice`: repeatable, comma-separated.
    Slice,
    /// `StringArray`: repeatable, taken whole.
    Array,
    /// `MapStringString`: `k=v,k2=v2`.
    Map,
    Duration,
}

/// One flag definition.
#[derive(Clone, Debug)]
pub(crate) struct Def {
    pub name: &'static str,
    pub short: Option<char>,
    pub ty: Ty,
    /// pflag's `NoOptDefVal`: the value of `--flag` given without one.
    pub no_opt: Option<&'static str>,
}

pub(crate) const fn def(name: &'static str, ty: Ty) -> Def {
    Def { name, short: None, ty, no_opt: None }
}

pub(crate) const fn short(name: &'static str, c: char, ty: Ty) -> Def {
    Def { name, short: Some(c), ty, no_opt: None }
}

pub(crate) const fn no_opt(name: &'static str, ty: Ty, v: &'static str) -> Def {
    Def { name, short: None, ty, no_opt: Some(v) }
}

/// Flags every kubectl command has.
pub(crate) const GLOBAL_FLAGS: &[Def] = &[
    short("namespace", 'n', Ty::Str),
    def("context", Ty::Str),
    def("kubeconfig", Ty::Str),
    def("cluster", Ty::Str),
    def("user", Ty::Str),
    short("server", 's', Ty::Str),
    def("token", Ty::Str),
    def("as", Ty::Str),
    def("as-group", Ty::Array),
    def("as-uid", Ty::Str),
    def("cache-dir", Ty::Str),
    def("certificate-authority", Ty::Str),
    def("client-certificate", Ty::Str),
    def("client-key", Ty::Str),
    def("insecure-skip-tls-verify", Ty::Bool),
    def("tls-server-name", Ty::Str),
    def("request-timeout", Ty::Str),
    def("match-server-version", Ty::Bool),
    def("disable-compression", Ty::Bool),
    def("warnings-as-errors", Ty::Bool),
    def("profile", Ty::Str),
    def("profile-output", Ty::Str),
    short("v", 'v', Ty::Int32),
    def("vmodule", Ty::Str),
    def("log-flush-frequency", Ty::Duration),
];

/// `-o` and the other printer flags.
pub(crate) const PRINT_FLAGS: &[Def] = &[
    short("output", 'o', Ty::Str),
    def("template", Ty::Str),
    def("show-managed-fields", Ty::Bool),
    def("allow-missing-template-keys", Ty::Bool),
];

/// Flags every `kubectl create <generator>` has besides the printer flags.
const CREATE_FLAGS: &[Def] = &[
    no_opt("dry-run", Ty::Str, "unchanged"),
    def("save-config", Ty::Bool),
    no_opt("validate", Ty::Str, "strict"),
    def("field-manager", Ty::Str),
];

/// A parsed command line.
#[derive(Clone, Debug, Default)]
pub(crate) struct Parsed {
    values: BTreeMap<&'static str, Vec<String>>,
    pub positional: Vec<String>,
    /// cobra's `ArgsLenAtDash`: how many positional arguments came before `--`.
    pub dash_at: Option<usize>,
    pub help: bool,
}

impl Parsed {
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }
    /// A string flag's value ("" when unset).
    pub fn str(&self, name: &str) -> String {
        self.values.get(name).and_then(|v| v.last()).cloned().unwrap_or_default()
    }
    pub fn str_or(&self, name: &str, default: &str) -> String {
        if self.has(name) {
            self.str(name)
        } else {
            default.to_string()
        }
    }
    pub fn list(&self, name: &str) -> Vec<String> {
        self.values.get(name).cloned().unwrap_or_default()
    }
    pub fn bool(&self, name: &str) -> bool {
        parse_bool(&self.str(name)).unwrap_or(false)
    }
    pub fn int(&self, name: &str, default: i64) -> i64 {
        self.values.get(name).and_then(|v| v.last()).and_then(|s| parse_go_int(s, 64).ok()).unwrap_or(default)
    }
    /// `MapStringString`'s value.
    pub fn map(&self, name: &str) -> BTreeMap<String, String> {
        let mut m = BTreeMap::new();
        for v in self.list(name) {
            for pair in v.split(',').filter(|p| !p.is_empty()) {
                if let Some((k, val)) = pair.split_once('=') {
                    m.insert(k.trim().to_string(), val.trim().to_string());
                }
            }
        }
        m
    }
    /// NAME as cobra's `NameFromCommandArgs` reads it: Err is the count it got.
    pub fn name(&self) -> Result<String, usize> {
        let n = self.dash_at.unwrap_or(self.positional.len());
        if n != 1 {
            return Err(n);
        }
        Ok(self.positional[0].clone())
    }
    /// Arguments after NAME (the container command of deployment, job, cronjob).
    pub fn command(&self) -> Vec<String> {
        self.positional.iter().skip(1).cloned().collect()
    }
}

/// Go's `strconv.ParseBool`.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseInt(s, 0, bits)`: Err is the `strconv.ParseInt: ...` text.
fn parse_go_int(s: &str, bits: u32) -> Result<i64, String> {
    let invalid = || format!("strconv.ParseInt: parsing {}: invalid syntax", go_quote(s));
    let range = || format!("strconv.ParseInt: parsing {}: value out of range", go_quote(s));
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (radix, digits) = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        (16, h)
    } else if let Some(b) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
        (2, b)
    } else if let Some(o) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
        (8, o)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    let digits = digits.replace('_', "");
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(invalid());
    }
    let v = i128::from_str_radix(&digits, radix).map_err(|_| range())?;
    let v = if neg { -v } else { v };
    let max = (1i128 << (bits - 1)) - 1;
    if v > max || v < -max - 1 {
        return Err(range());
    }
    Ok(v as i64)
}

/// Go's `time.ParseDuration` (enough of it for kubectl's duration flags): seconds.
pub(crate) fn parse_go_duration(s: &str) -> Result<f64, String> {
    let err = || format!("time: invalid duration {}", go_quote(s));
    if s == "0" {
        return Ok(0.0);
    }
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest.is_empty() {
        return Err(err());
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let n = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if n == 0 {
            return Err(err());
        }
        let num: f64 = rest[..n].parse().map_err(|_| err())?;
        rest = &rest[n..];
        let u = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = match &rest[..u] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            "" => return Err(format!("time: missing unit in duration {}", go_quote(s))),
            other => return Err(format!("time: unknown unit {} in duration {}", go_quote(other), go_quote(s))),
        };
        total += num * unit;
        rest = &rest[u..];
    }
    Ok(if neg { -total } else { total })
}

fn go_quote(s: &str) -> String {
    crate::sim::api::errors::go_quote(s)
}

/// Parses `args` as pflag does with the given flag sets; Err is the message cobra prints after
/// `Error: `.
pub(crate) fn parse_flags(args: &[String], sets: &[&[Def]]) -> Result<Parsed, String> {
    // A command's own flags shadow the global ones (`--user` of `create rolebinding`).
    let find_long = |n: &str| sets.iter().rev().flat_map(|s| s.iter()).find(|d| d.name == n);
    let find_short = |c: char| sets.iter().rev().flat_map(|s| s.iter()).find(|d| d.short == Some(c));
    let mut p = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            p.dash_at = Some(p.positional.len());
            p.positional.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            if name == "help" {
                p.help = true;
                continue;
            }
            let Some(d) = find_long(name) else { return Err(format!("unknown flag: --{name}")) };
            let value = match inline {
                Some(v) => v,
                None if d.ty == Ty::Bool => "true".into(),
                None if d.no_opt.is_some() => d.no_opt.unwrap_or_default().into(),
                None => {
                    if i >= args.len() {
                        return Err(format!("flag needs an argument: --{name}"));
                    }
                    i += 1;
                    args[i - 1].clone()
                }
            };
            set(&mut p, d, value)?;
            continue;
        }
        if a.len() > 1 && a.starts_with('-') {
            let mut shorts: &str = &a[1..];
            while !shorts.is_empty() {
                let c = shorts.chars().next().unwrap_or('?');
                if c == 'h' {
                    p.help = true;
                    shorts = &shorts[c.len_utf8()..];
                    continue;
                }
                let Some(d) = find_short(c) else {
                    return Err(format!("unknown shorthand flag: '{c}' in -{shorts}"));
                };
                let after = &shorts[c.len_utf8()..];
                let value;
                if let Some(v) = after.strip_prefix('=') {
                    value = v.to_string();
                    shorts = "";
                } else if d.ty == Ty::Bool || d.no_opt.is_some() {
                    value = d.no_opt.unwrap_or("true").to_string();
                    shorts = after;
                } else if !after.is_empty() {
                    value = after.to_string();
                    shorts = "";
                } else if i < args.len() {
                    value = args[i].clone();
                    i += 1;
                    shorts = "";
                } else {
                    return Err(format!("flag needs an argument: '{c}' in -{c}"));
                }
                set(&mut p, d, value)?;
            }
            continue;
        }
        p.positional.push(a.clone());
    }
    Ok(p)
}

fn set(p: &mut Parsed, d: &Def, value: String) -> Result<(), String> {
    let shown = match d.short {
        Some(c) => format!("-{c}, --{}", d.name),
        None => format!("--{}", d.name),
    };
    let bad = |e: String| format!("invalid argument {} for {} flag: {e}", go_quote(&value), go_quote(&shown));
    let slot = p.values.entry(d.name).or_default();
    match d.ty {
        Ty::Bool => {
            if parse_bool(&value).is_none() {
                return Err(bad(format!("strconv.ParseBool: parsing {}: invalid syntax", go_quote(&value))));
            }
            *slot = vec![value];
        }
        Ty::Int32 | Ty::Int => {
            parse_go_int(&value, if d.ty == Ty::Int32 { 32 } else { 64 }).map_err(bad)?;
            *slot = vec![value];
        }
        Ty::Duration => {
            parse_go_duration(&value).map_err(bad)?;
            *slot = vec![value];
        }
        Ty::Str => *slot = vec![value],
        Ty::Slice => {
            if !value.is_empty() {
                slot.extend(value.split(',').map(str::to_string));
            }
        }
        Ty::Array => slot.push(value),
        Ty::Map => {
            for pair in value.split(',').filter(|s| !s.is_empty()) {
                if !pair.contains('=') {
                    return Err(bad("malformed pair, expect string=string".into()));
                }
            }
            slot.push(value);
        }
    }
    Ok(())
}

/// What cobra prints for a flag error.
pub(crate) fn flag_error(ctx: &mut Ctx, path: &str, msg: &str) {
    ctx.out.fail(&format!("Error: {msg}\nSee '{path} --help' for usage."));
}

/// A kubectl usage error (`cmdutil.UsageErrorf`).
pub(crate) fn usage_error(ctx: &mut Ctx, path: &str, msg: &str) {
    ctx.out.fail(&format!("error: {msg}\nSee '{path} -h' for help and examples"));
}

/// The process id kubedojo's klog lines show (kubectl's would vary from run to run).
const KLOG_PID: u32 = 2318;

/// A klog line as kubectl writes it to stderr: `E0101 00:00:00.000000    2318 run.go:72] msg`.
pub(crate) fn klog(ctx: &mut Ctx, level: char, location: &str, msg: &str) {
    let t = ctx.world.now.datetime();
    ctx.out.err(&format!("{level}{} {KLOG_PID:>7} {location}] {msg}\n", t.format("%m%d %H:%M:%S%.6f")));
}

/// cobra's required-flag check, reported through klog as kubectl v1.32 does.
pub(crate) fn check_required(ctx: &mut Ctx, p: &Parsed, required: &[&str]) -> bool {
    let mut missing: Vec<&str> = required.iter().copied().filter(|r| !p.has(r)).collect();
    if missing.is_empty() {
        return true;
    }
    missing.sort();
    let list: Vec<String> = missing.iter().map(|m| format!("\"{m}\"")).collect();
    let err = format!("required flag(s) {} not set", list.join(", "));
    klog(ctx, 'E', "run.go:72", &format!("\"command failed\" err={}", go_quote(&err)));
    ctx.out.code = 1;
    false
}

/// The `--dry-run` strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dry {
    None,
    Client,
    Server,
}

/// `cmdutil.GetDryRunStrategy`; a bare `--dry-run` warns through klog.
pub(crate) fn dry_run(ctx: &mut Ctx, p: &Parsed) -> Result<Dry, String> {
    if !p.has("dry-run") {
        return Ok(Dry::None);
    }
    match p.str("dry-run").as_str() {
        "unchanged" => {
            klog(ctx, 'W', "helpers.go:702", "--dry-run is deprecated and can be replaced with --dry-run=client.");
            Ok(Dry::Client)
        }
        "client" => Ok(Dry::Client),
        "server" => Ok(Dry::Server),
        "none" => Ok(Dry::None),
        other if parse_bool(other) == Some(true) => {
            let msg =
                format!("--dry-run={other} is deprecated (boolean value) and can be replaced with --dry-run=client.");
            klog(ctx, 'W', "helpers.go:716", &msg);
            Ok(Dry::Client)
        }
        other if parse_bool(other) == Some(false) => {
            let msg =
                format!("--dry-run={other} is deprecated (boolean value) and can be replaced with --dry-run=none.");
            klog(ctx, 'W', "helpers.go:719", &msg);
            Ok(Dry::None)
        }
        other => Err(format!("Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\".")),
    }
}

/// How a created object is printed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Out {
    /// `kind/name created`.
    Message,
    Name,
    Yaml,
    Json,
    Path(Format),
}

/// kubectl's `PrintFlags.ToPrinter` for write commands (no tables, no custom columns).
pub(crate) fn output_format(ctx: &Ctx, p: &Parsed) -> Result<Out, String> {
    let template = if p.has("template") { Some(p.str("template")) } else { None };
    // `--template` alone means a Go template.
    let o = match (p.has("output"), &template) {
        (false, Some(_)) => "go-template".to_string(),
        (false, None) => return Ok(Out::Message),
        (true, _) => p.str("output"),
    };
    let (name, arg) = match o.split_once('=') {
        Some((n, a)) => (n, Some(a.to_string())),
        None => (o.as_str(), template.clone().filter(|t| !t.is_empty())),
    };
    if let Some(f) = Format::template_form(name, arg.clone(), Some((&*ctx.files, &ctx.cwd))) {
        return f.map(Out::Path).map_err(|e| e.trim_start_matches("error: ").to_string());
    }
    Ok(match (name, arg) {
        ("", None) => Out::Message,
        ("yaml", None) => Out::Yaml,
        ("json", None) => Out::Json,
        ("name", None) => Out::Name,
        ("jsonpath", Some(a)) => Out::Path(Format::JsonPath(a)),
        ("jsonpath-as-json", Some(a)) => Out::Path(Format::JsonPathAsJson(a)),
        ("jsonpath" | "jsonpath-as-json", None) => return Err("template format specified but no template given".into()),
        _ => {
            return Err(format!("unable to match a printer suitable for the output format {}, allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml", go_quote(&o)))
        }
    })
}

/// Prints one object the way kubectl's printer for a write command does.
pub(crate) fn print_object(ctx: &mut Ctx, out: &Out, kind: Kind, value: &Value, suffix: &str) {
    let typed = goify(value, kind.name());
    let name = value.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("");
    match out {
        Out::Message => ctx.out.out(&format!("{}/{name} created{suffix}\n", kind.qualified_singular())),
        Out::Name => ctx.out.out(&format!("{}/{name}\n", kind.qualified_singular())),
        Out::Yaml => ctx.out.out(&yaml::to_yaml(&typed.to_value())),
        Out::Json => ctx.out.out(&typed.to_json()),
        // A Go template's debugging dump shows the object as kubectl marshalled it.
        Out::Path(Format::GoTemplate(t)) => print::print_template(ctx, t, &typed.to_value(), &typed.to_json_compact()),
        Out::Path(f) => print::print_value(ctx, f, &typed.to_value()),
    }
}

/// `util.CreateOrUpdateAnnotation`: the object as `json.Marshal` writes it, before the
/// annotation is added.
pub(crate) fn add_last_applied(kind: Kind, value: &mut Value) {
    let text = goify(value, kind.name()).to_json_compact();
    if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        let ann = meta.entry("annotations").or_insert_with(|| Value::Object(Default::default()));
        if let Some(a) = ann.as_object_mut() {
            a.insert(super::apply::LAST_APPLIED.into(), Value::String(format!("{text}\n")));
        }
    }
}

/// Sends a generated object to the API server (or prints it for `--dry-run=client`).
/// `wrap` is the prefix kubectl puts before server errors (`failed to create deployment`);
/// None when kubectl prints the server's error as it is.
pub(crate) fn submit(ctx: &mut Ctx, g: &Gen, kind: Kind, mut value: Value, wrap: Option<&str>) -> Option<Object> {
    if g.save_config {
        add_last_applied(kind, &mut value);
    }
    let suffix = match g.dry {
        Dry::Client => " (dry run)",
        Dry::Server => " (server dry run)",
        Dry::None => "",
    };
    if g.dry == Dry::Client {
        print_object(ctx, &g.out, kind, &value, suffix);
        return None;
    }
    let typed = goify(&value, kind.name()).to_value();
    let mut obj = match crate::sim::api::decode::decode_object(&typed) {
        Ok(o) => o,
        Err(e) => {
            report_api_error(ctx, &e, wrap);
            return None;
        }
    };
    if kind.namespaced() && obj.namespace().is_empty() {
        obj.meta_mut().namespace = Some(g.namespace.clone());
    }
    let request = crate::sim::api::rbac::Attributes::for_kind("create", kind, obj.namespace(), "");
    if let Err(e) = super::auth::authorize_api(ctx, &request) {
        report_api_error(ctx, &e, wrap);
        return None;
    }
    match ctx.world.api_create(obj, WriteOptions { dry_run: g.dry == Dry::Server }) {
        Ok(created) => {
            print_object(ctx, &g.out, kind, &created.to_value(), suffix);
            Some(created)
        }
        Err(e) => {
            report_api_error(ctx, &e, wrap);
            None
        }
    }
}

pub(crate) fn report_api_error(ctx: &mut Ctx, e: &crate::sim::api::errors::ApiError, wrap: Option<&str>) {
    match wrap {
        Some(w) => ctx.out.fail(&format!("error: {w}: {}", e.message)),
        None => ctx.out.fail(&e.kubectl_text()),
    }
}

/// What every generator has settled before it builds its object.
pub(crate) struct Gen {
    pub name: String,
    pub dry: Dry,
    pub out: Out,
    pub save_config: bool,
    /// The namespace the object is created in.
    pub namespace: String,
    /// `-n` was given, so client-side output names the namespace (`EnforceNamespace`).
    pub enforce_namespace: bool,
}

/// The `kubectl create` subcommands and their aliases.
const GENERATORS: &[(&str, &[&str])] = &[
    ("clusterrole", &[]),
    ("clusterrolebinding", &[]),
    ("configmap", &["cm"]),
    ("cronjob", &["cj"]),
    ("deployment", &["deploy"]),
    ("ingress", &["ing"]),
    ("job", &[]),
    ("namespace", &["ns"]),
    ("poddisruptionbudget", &["pdb"]),
    ("priorityclass", &["pc"]),
    ("quota", &["resourcequota"]),
    ("role", &[]),
    ("rolebinding", &[]),
    ("secret", &[]),
    ("service", &["svc"]),
    ("serviceaccount", &["sa"]),
    ("token", &[]),
];

/// Flags of the top-level `kubectl create` that take a separate value, to find the subcommand.
const VALUE_FLAGS: &[&str] = &[
    "-f",
    "--filename",
    "-o",
    "--output",
    "-n",
    "--namespace",
    "-l",
    "--selector",
    "--context",
    "--kubeconfig",
    "--template",
    "--field-manager",
    "-k",
    "--kustomize",
    "--raw",
    "-v",
    "--v",
    "--request-timeout",
    "--cache-dir",
    "-s",
    "--server",
    "--user",
    "--cluster",
    "--token",
    "--as",
];

pub fn run(ctx: &mut Ctx, args: &[String]) {
    // cobra finds the subcommand as the first argument that is not a flag or a flag's value.
    let mut i = 0;
    let mut sub = None;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            break;
        }
        if a.starts_with('-') && a.len() > 1 {
            if VALUE_FLAGS.contains(&a.as_str()) {
                i += 1;
            }
            i += 1;
            continue;
        }
        sub = Some(i);
        break;
    }
    if let Some(at) = sub {
        let word = args[at].as_str();
        if let Some((name, _)) = GENERATORS.iter().find(|(n, aliases)| *n == word || aliases.contains(&word)) {
            let mut rest: Vec<String> = args[..at].to_vec();
            rest.extend_from_slice(&args[at + 1..]);
            return generator(ctx, name, &rest);
        }
        let positional: Vec<&String> = args[at..].iter().filter(|a| !a.starts_with('-')).collect();
        let list: Vec<&str> = positional.iter().map(|s| s.as_str()).collect();
        return usage_error(ctx, "kubectl create", &format!("Unexpected args: [{}]", list.join(" ")));
    }
    let cmd = super::apply::create_command().arg(clap::Arg::new("args").num_args(0..).action(clap::ArgAction::Append));
    let Some(m) = super::parse(ctx, cmd, args) else { return };
    super::apply::create_from_files(ctx, &m)
}

const SECRET_HELP: &str = "Create a secret with specified type.

 A docker-registry type secret is for accessing a container registry.

 A generic type secret indicate an Opaque secret type.

 A tls type secret holds TLS certificate and its associated key.

Available Commands:
  docker-registry   Create a secret for use with a Docker registry
  generic           Create a secret from a local file, directory, or literal value
  tls               Create a TLS secret

Usage:
  kubectl create secret (docker-registry | generic | tls) [options]

Use \"kubectl create secret <command> --help\" for more information about a given command.
Use \"kubectl options\" for a list of global command-line options (applies to all commands).
";

const SERVICE_HELP: &str = "Create a service using a specified subcommand.

Aliases:
service, svc

Available Commands:
  clusterip      Create a ClusterIP service
  externalname   Create an ExternalName service
  loadbalancer   Create a LoadBalancer service
  nodeport       Create a NodePort service

Usage:
  kubectl create service [flags] [options]

Use \"kubectl create service <command> --help\" for more information about a given command.
Use \"kubectl options\" for a list of global command-line options (applies to all commands).
";

/// Commands with sub-subcommands (`secret generic`, `service nodeport`).
fn nested(ctx: &mut Ctx, group: &str, args: &[String], subs: &[&str], help: &str) -> Option<(String, Vec<String>)> {
    let at = args.iter().position(|a| !a.starts_with('-'));
    match at {
        None => {
            ctx.out.err(help);
            ctx.out.code = 1;
            None
        }
        Some(at) => {
            let word = args[at].clone();
            if !subs.contains(&word.as_str()) {
                usage_error(ctx, &format!("kubectl create {group}"), &format!("unknown command {}", go_quote(&word)));
                return None;
            }
            let mut rest = args[..at].to_vec();
            rest.extend_from_slice(&args[at + 1..]);
            Some((word, rest))
        }
    }
}

fn generator(ctx: &mut Ctx, name: &str, args: &[String]) {
    match name {
        "secret" => {
            let Some((sub, rest)) = nested(ctx, "secret", args, &["generic", "tls", "docker-registry"], SECRET_HELP)
            else {
                return;
            };
            match sub.as_str() {
                "generic" => secret_generic(ctx, &rest),
                "tls" => secret_tls(ctx, &rest),
                _ => secret_docker(ctx, &rest),
            }
        }
        "service" => {
            let subs = ["clusterip", "nodeport", "loadbalancer", "externalname"];
            let Some((sub, rest)) = nested(ctx, "service", args, &subs, SERVICE_HELP) else { return };
            service(ctx, &sub, &rest)
        }
        "deployment" => deployment(ctx, args),
        "configmap" => configmap(ctx, args),
        "job" => job(ctx, args),
        "cronjob" => cronjob(ctx, args),
        "namespace" => simple(ctx, args, "namespace", Kind::Namespace),
        "serviceaccount" => simple(ctx, args, "serviceaccount", Kind::ServiceAccount),
        "role" => role(ctx, args, false),
        "clusterrole" => role(ctx, args, true),
        "rolebinding" => binding(ctx, args, false),
        "clusterrolebinding" => binding(ctx, args, true),
        "quota" => quota(ctx, args),
        "ingress" => ingress(ctx, args),
        "poddisruptionbudget" => pdb(ctx, args),
        "priorityclass" => priority_class(ctx, args),
        "token" => token(ctx, args),
        _ => {}
    }
}

/// Parses a generator's flags and settles NAME, `--dry-run` and `-o` in kubectl's order.
/// None when an error was printed.
fn start(ctx: &mut Ctx, path: &str, args: &[String], own: &[Def], required: &[&str]) -> Option<(Parsed, Gen)> {
    let p = match parse_flags(args, &[GLOBAL_FLAGS, PRINT_FLAGS, CREATE_FLAGS, own]) {
        Ok(p) => p,
        Err(e) => {
            flag_error(ctx, path, &e);
            return None;
        }
    };
    if p.help {
        ctx.out.out(&format!(
            "Usage:\n  {path} NAME [options]\n\nkubedojo simulates {path}; see the Kubernetes documentation for every option.\n"
        ));
        return None;
    }
    if let Some(c) = p.values.get("context").and_then(|v| v.last()) {
        if *c != ctx.client.context {
            ctx.out.fail(&format!("error: context \"{c}\" does not exist"));
            return None;
        }
    }
    if !check_required(ctx, &p, required) {
        return None;
    }
    let name = match p.name() {
        Ok(n) => n,
        Err(n) => {
            usage_error(ctx, path, &format!("exactly one NAME is required, got {n}"));
            return None;
        }
    };
    let dry = match dry_run(ctx, &p) {
        Ok(d) => d,
        Err(e) => {
            ctx.out.fail(&format!("error: {e}"));
            return None;
        }
    };
    let out = match output_format(ctx, &p) {
        Ok(o) => o,
        Err(e) => {
            ctx.out.fail(&format!("error: {e}"));
            return None;
        }
    };
    let enforce_namespace = p.has("namespace") && !p.str("namespace").is_empty();
    let namespace = if enforce_namespace { p.str("namespace") } else { ctx.client.namespace.clone() };
    let g = Gen { name, dry, out, save_config: p.bool("save-config"), namespace, enforce_namespace };
    Some((p, g))
}

/// Sets `metadata.namespace` for a namespaced object when `-n` was given.
fn place(g: &Gen, value: &mut Value) {
    if g.enforce_namespace {
        if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("namespace".into(), Value::String(g.namespace.clone()));
        }
    }
}

fn fail(ctx: &mut Ctx, msg: &str) {
    ctx.out.fail(&format!("error: {msg}"));
}

fn deployment(ctx: &mut Ctx, args: &[String]) {
    const OWN: &[Def] = &[
        def("image", Ty::Slice),
        def("port", Ty::Int32),
        short("replicas", 'r', Ty::Int32),
        def("generator", Ty::Str),
    ];
    let Some((p, g)) = start(ctx, "kubectl create deployment", args, OWN, &["image"]) else { return };
    let images = p.list("image");
    let command = p.command();
    if images.len() > 1 && !command.is_empty() {
        return fail(ctx, "cannot specify multiple --image options and command");
    }
    let world = &mut *ctx.world;
    let mut value =
        gen::deployment(&g.name, &images, p.int("port", -1) as i32, p.int("replicas", 1) as i32, &command, || {
            world.random_suffix(5)
        });
    place(&g, &mut value);
    submit(ctx, &g, Kind::Deployment, value, Some("failed to create deployment"));
}

fn service(ctx: &mut Ctx, sub: &str, args: &[String]) {
    let path = format!("kubectl create service {sub}");
    let mut own = vec![def("tcp", Ty::Slice)];
    let (service_type, required): (&str, &[&str]) = match sub {
        "clusterip" => {
            own.push(def("clusterip", Ty::Str));
            ("ClusterIP", &[])
        }
        "nodeport" => {
            own.push(def("node-port", Ty::Int));
            ("NodePort", &[])
        }
        "loadbalancer" => ("LoadBalancer", &[]),
        _ => {
            own.push(def("external-name", Ty::Str));
            ("ExternalName", &["external-name"])
        }
    };
    let Some((p, g)) = start(ctx, &path, args, &own, required) else { return };
    let o = gen::ServiceOpts {
        service_type: service_type.into(),
        tcp: p.list("tcp"),
        cluster_ip: p.str("clusterip"),
        node_port: p.int("node-port", 0),
        external_name: p.str("external-name"),
    };
    if let Err(e) = gen::validate_service(&o) {
        return fail(ctx, &e);
    }
    let mut value = match gen::service(&g.name, &o) {
        Ok(v) => v,
        Err(e) => return fail(ctx, &e),
    };
    place(&g, &mut value);
    let wrap = format!("failed to create {service_type} service");
    submit(ctx, &g, Kind::Service, value, Some(&wrap));
}

const SOURCE_FLAGS: &[Def] = &[
    def("from-file", Ty::Slice),
    def("from-literal", Ty::Array),
    def("from-env-file", Ty::Slice),
    def("append-hash", Ty::Bool),
];

fn sources(p: &Parsed) -> Sources {
    Sources {
        from_file: p.list("from-file"),
        from_literal: p.list("from-literal"),
        from_env_file: p.list("from-env-file"),
    }
}

fn check_sources(ctx: &mut Ctx, s: &Sources) -> bool {
    if !s.from_env_file.is_empty() && (!s.from_file.is_empty() || !s.from_literal.is_empty()) {
        fail(ctx, "from-env-file cannot be combined with from-file or from-literal");
        return false;
    }
    true
}

fn configmap(ctx: &mut Ctx, args: &[String]) {
    let Some((p, g)) = start(ctx, "kubectl create configmap", args, SOURCE_FLAGS, &[]) else { return };
    let s = sources(&p);
    if !check_sources(ctx, &s) {
        return;
    }
    let files = Files { fs: &*ctx.files, cwd: &ctx.cwd };
    let value = gen::configmap(&g.name, &s, &files, p.bool("append-hash"));
    let mut value = match value {
        Ok(v) => v,
        Err(e) => return fail(ctx, &e),
    };
    place(&g, &mut value);
    submit(ctx, &g, Kind::ConfigMap, value, Some("failed to create configmap"));
}

fn secret_generic(ctx: &mut Ctx, args: &[String]) {
    let mut own = SOURCE_FLAGS.to_vec();
    own.push(def("type", Ty::Str));
    let Some((p, g)) = start(ctx, "kubectl create secret generic", args, &own, &[]) else { return };
    let s = sources(&p);
    if !check_sources(ctx, &s) {
        return;
    }
    let files = Files { fs: &*ctx.files, cwd: &ctx.cwd };
    let value = gen::secret_generic(&g.name, &s, &files, &p.str("type"), p.bool("append-hash"));
    let mut value = match value {
        Ok(v) => v,
        Err(e) => return fail(ctx, &e),
    };
    place(&g, &mut value);
    submit(ctx, &g, Kind::Secret, value, Some("failed to create secret"));
}

fn secret_tls(ctx: &mut Ctx, args: &[String]) {
    const OWN: &[Def] = &[def("cert", Ty::Str), def("key", Ty::Str), def("append-hash", Ty::Bool)];
    let Some((p, g)) = start(ctx, "kubectl create secret tls", args, OWN, &[]) else { return };
    let (cert, key) = (p.str("cert"), p.str("key"));
    if cert.is_empty() || key.is_empty() {
        return fail(ctx, "key and cert must be specified");
    }
    let files = Files { fs: &*ctx.files, cwd: &ctx.cwd };
    let value = gen::secret_tls(&g.name, &cert, &key, &files, p.bool("append-hash"));
    let mut value = match value {
        Ok(v) => v,
        Err(e) => return fail(ctx, &e),
    };
    place(&g, &mut value);
    submit(ctx, &g, Kind::Secret, value, Some("failed to create secret"));
}

fn secret_docker(ctx: &mut Ctx, args: &[String]) {
    const OWN: &[Def] = &[
        def("docker-username", Ty::Str),
        def("docker-password", Ty::Str),
        def("docker-email", Ty::Str),
        def("docker-server", Ty::Str),
        def("append-hash", Ty::Bool),
        def("from-file", Ty::Slice),
    ];
    let Some((p, g)) = start(ctx, "kubectl create secret docker-registry", args, OWN, &[]) else { return };
    let o = gen::DockerRegistry {
        username: p.str("docker-username"),
        password: p.str("docker-password"),
        email: p.str("docker-email"),
        server: p.str_or("docker-server", "https://index.docker.io/v1/"),
        from_file: p.list("from-file"),
    };
    if o.from_file.is_empty() && (o.username.is_empty() || o.password.is_empty() || o.server.is_empty()) {
        return fail(
            ctx,
            "either --from-file or the combination of --docker-username, --docker-password and --docker-server is required",
        );
    }
    let files = Files { fs: &*ctx.files, cwd: &ctx.cwd };
    let value = gen::secret_docker_registry(&g.name, &o, &files, p.bool("append-hash"));
    let mut value = match value {
        Ok(v) => v,
        Err(e) => return fail(ctx, &e),
    };
    place(&g, &mut value);
    submit(ctx, &g, Kind::Secret, value, Some("failed to create secret"));
}

fn job(ctx: &mut Ctx, args: &[String]) {
    const OWN: &[Def] = &[def("image", Ty::Str), def("from", Ty::Str)];
    let Some((p, g)) = start(ctx, "kubectl create job", args, OWN, &[]) else { return };
    let (image, from) = (p.str("image"), p.str("from"));
    let command = p.command();
    if image.is_empty() == from.is_empty() {
        return fail(ctx, "either --image or --from must be specified");
    }
    if !command.is_empty() && !from.is_empty() {
        return fail(ctx, "cannot specify --from and command");
    }
    let mut value = if !image.is_empty() {
        gen::job(&g.name, &image, &command)
    } else {
        // The Builder reads the object named by --from from the server.
        let Some((ty, name)) = from.split_once('/') else {
            return fail(ctx, "resource(s) were provided, but no name was specified");
        };
        let Some(kind) = crate::sim::api::discovery::resolve(ty) else {
            return ctx.out.fail(&gen::no_resource_match(ty, ""));
        };
        let obj = match ctx.world.api_get(kind, &g.namespace, name) {
            Ok(o) => o.clone(),
            Err(e) => return ctx.out.fail(&e.kubectl_text()),
        };
        if kind != Kind::CronJob {
            return fail(ctx, &format!("unknown object type *v1.{}", kind.name()));
        }
        gen::job_from_cronjob(&g.name, &obj.to_value())
    };
    place(&g, &mut value);
    submit(ctx, &g, Kind::Job, value, Some("failed to create job"));
}

fn cronjob(ctx: &mut Ctx, args: &[String]) {
    const OWN: &[Def] = &[def("image", Ty::Str), def("schedule", Ty::Str), def("restart", Ty::Str)];
    let Some((p, g)) = start(ctx, "kubectl create cronjob", args, OWN, &["image", "schedule"]) else { return };
    let restart = p.str_or("restart", "");
    let restart = if restart.is_empty() { "OnFailure".to_string() } else { restart };
    let mut value = gen::cronjob(&g.name, &p.str("image"), &p.str("schedule"), &restart, &p.command());
    place(&g, &mut value);
    submit(ctx, &g, Kind::CronJob, value, Some("failed to create cronjob"));
}

fn simple(ctx: &mut Ctx, args: &[String], what: &str, kind: Kind) {
    let path = format!("kubectl create {what}");
    let Some((_, g)) = start(ctx, &path, args, &[], &[]) else { return };
    if kind == Kind::Namespace {
        submit(ctx, &g, kind, gen::namespace(&g.name), None);
    } else {
        let mut value = gen::service_account(&g.name);
        place(&g, &mut value);
        submit(ctx, &g, kind, value, Some("failed to create serviceaccount"));
    }
}

fn role(ctx: &mut Ctx, args: &[String], cluster: bool) {
    let what = if cluster { "clusterrole" } else { "role" };
    let path = format!("kubectl create {what}");
    let mut own = vec![def("verb", Ty::Slice), def("resource", Ty::Slice), def("resource-name", Ty::Array)];
    if cluster {
        own.push(def("non-resource-url", Ty::Slice));
        own.push(def("aggregation-rule", Ty::Map));
    }
    let Some((p, g)) = start(ctx, &path, args, &own, &[]) else { return };
    let verbs = gen::dedup_verbs(&p.list("verb"));
    let resources = gen::parse_resources(&p.list("resource"));
    let names = gen::dedup(&p.list("resource-name"));
    let urls = gen::dedup(&p.list("non-resource-url"));
    let aggregation = p.map("aggregation-rule");
    if cluster && !aggregation.is_empty() {
        if !urls.is_empty() || !verbs.is_empty() || !resources.is_empty() || !names.is_empty() {
            return fail(
                ctx,
                "aggregation rule must be specified without nonResourceURLs, verbs, resources or resourceNames",
            );
        }
        let value = gen::cluster_role(&g.name, None, &aggregation);
        submit(ctx, &g, Kind::ClusterRole, value, None);
        return;
    }
    if verbs.is_empty() {
        return fail(ctx, "at least one verb must be specified");
    }
    if cluster {
        if resources.is_empty() && urls.is_empty() {
            return fail(ctx, "one of resource or nonResourceURL must be specified");
        }
    } else if resources.is_empty() {
        return fail(ctx, "at least one resource must be specified");
    }
    if !resources.is_empty() {
        for v in &verbs {
            if !gen::VALID_RESOURCE_VERBS.contains(&v.as_str()) {
                ctx.out.err(&format!("Warning: '{v}' is not a standard resource verb\n"));
            }
        }
        if let Err((msg, prefixed)) = gen::validate_role_resources(&verbs, &resources) {
            return if prefixed { fail(ctx, &msg) } else { ctx.out.fail(&msg) };
        }
    }
    if !urls.is_empty() {
        for v in &verbs {
            if !gen::VALID_NON_RESOURCE_VERBS.contains(&v.as_str()) {
                return fail(ctx, &format!("invalid verb: '{v}' for nonResourceURL"));
            }
        }
        for u in &urls {
            if u == "*" {
                continue;
            }
            if !u.starts_with('/') {
                return fail(ctx, "nonResourceURL should start with /");
            }
            if u[..u.len() - 1].contains('*') {
                return fail(ctx, "nonResourceURL only supports wildcard matches when '*' is at the end");
            }
        }
    }
    let rules = gen::policy_rules(&verbs, &resources, &names, &urls);
    if cluster {
        let value = gen::cluster_role(&g.name, Some(rules), &aggregation);
        submit(ctx, &g, Kind::ClusterRole, value, None);
    } else {
        let mut value = gen::role(&g.name, rules);
        place(&g, &mut value);
        submit(ctx, &g, Kind::Role, value, None);
    }
}

fn binding(ctx: &mut Ctx, args: &[String], cluster: bool) {
    let what = if cluster { "clusterrolebinding" } else { "rolebinding" };
    let path = format!("kubectl create {what}");
    let mut own = vec![
        def("clusterrole", Ty::Str),
        def("user", Ty::Array),
        def("group", Ty::Array),
        def("serviceaccount", Ty::Array),
    ];
    if !cluster {
        own.push(def("role", Ty::Str));
    }
    let required: &[&str] = if cluster { &["clusterrole"] } else { &[] };
    let Some((p, g)) = start(ctx, &path, args, &own, required) else { return };
    let (cr, r) = (p.str("clusterrole"), p.str("role"));
    if !cluster && cr.is_empty() == r.is_empty() {
        return fail(ctx, "exactly one of clusterrole or role must be specified");
    }
    let subjects = match gen::subjects(&p.list("user"), &p.list("group"), &p.list("serviceaccount")) {
        Ok(s) => s,
        Err(e) => return fail(ctx, &e),
    };
    let (ref_kind, ref_name) = if r.is_empty() { ("ClusterRole", cr) } else { ("Role", r) };
    let kind = if cluster { Kind::ClusterRoleBinding } else { Kind::RoleBinding };
    let mut value = gen::binding(kind, &g.name, ref_kind, &ref_name, subjects);
    if !cluster {
        place(&g, &mut value);
    }
    let wrap = format!("failed to create {what}");
    submit(ctx, &g, kind, value, Some(&wrap));
}

fn quota(ctx: &mut Ctx, args: &[String]) {
    const OWN: &[Def] = &[def("hard", Ty::Str), def("scopes", Ty::Str)];
    let Some((p, g)) = start(ctx, "kubectl create quota", args, OWN, &[]) else { return };
    let mut value = match gen::quota(&g.name, &p.str("hard"), &p.str("scopes")) {
        Ok(v) => v,
        Err(e) => return fail(ctx, &e),
    };
    place(&g, &mut value);
    submit(ctx, &g, Kind::ResourceQuota, value, Some("failed to create quota"));
}

fn ingress(ctx: &mut Ctx, args: &[String]) {
    const OWN: &[Def] =
        &[def("class", Ty::Str), def("rule", Ty::Array), def("default-backend", Ty::Str), def("annotation", Ty::Array)];
    let Some((p, g)) = start(ctx, "kubectl create ingress", args, OWN, &[]) else { return };
    let o = gen::IngressOpts {
        class: p.str("class"),
        rules: p.list("rule"),
        default_backend: p.str("default-backend"),
        annotations: p.list("annotation"),
    };
    if let Err(e) = gen::validate_ingress(&o) {
        return fail(ctx, &e);
    }
    let mut value = gen::ingress(&g.name, &o);
    place(&g, &mut value);
    submit(ctx, &g, Kind::Ingress, value, Some("failed to create ingress"));
}

fn pdb(ctx: &mut Ctx, args: &[String]) {
    const OWN: &[Def] = &[def("min-available", Ty::Str), def("max-unavailable", Ty::Str), def("selector", Ty::Str)];
    let Some((p, g)) = start(ctx, "kubectl create poddisruptionbudget", args, OWN, &[]) else { return };
    let (sel, min, max) = (p.str("selector"), p.str("min-available"), p.str("max-unavailable"));
    if let Err(e) = gen::validate_pdb(&sel, &min, &max) {
        return fail(ctx, &e);
    }
    let mut value = match gen::pdb(&g.name, &sel, &min, &max) {
        Ok(v) => v,
        Err(e) => return fail(ctx, &e),
    };
    place(&g, &mut value);
    submit(ctx, &g, Kind::PodDisruptionBudget, value, Some("failed to create poddisruptionbudgets"));
}

fn priority_class(ctx: &mut Ctx, args: &[String]) {
    const OWN: &[Def] = &[
        def("value", Ty::Int32),
        def("global-default", Ty::Bool),
        def("description", Ty::Str),
        def("preemption-policy", Ty::Str),
    ];
    let Some((p, g)) = start(ctx, "kubectl create priorityclass", args, OWN, &[]) else { return };
    let value = gen::priority_class(
        &g.name,
        p.int("value", 0) as i32,
        p.bool("global-default"),
        &p.str("description"),
        &p.str_or("preemption-policy", "PreemptLowerPriority"),
    );
    submit(ctx, &g, Kind::PriorityClass, value, Some("failed to create priorityclass"));
}

/// `kubectl create token SA`: a TokenRequest answered by the simulated API server.
fn token(ctx: &mut Ctx, args: &[String]) {
    const OWN: &[Def] = &[
        def("audience", Ty::Array),
        def("duration", Ty::Duration),
        def("bound-object-kind", Ty::Str),
        def("bound-object-name", Ty::Str),
        def("bound-object-uid", Ty::Str),
    ];
    let path = "kubectl create token";
    let p = match parse_flags(args, &[GLOBAL_FLAGS, PRINT_FLAGS, OWN]) {
        Ok(p) => p,
        Err(e) => return flag_error(ctx, path, &e),
    };
    if p.help {
        return ctx.out.out("Usage:\n  kubectl create token SERVICE_ACCOUNT_NAME [options]\n");
    }
    let sa = match p.name() {
        Ok(n) => n,
        Err(n) => return usage_error(ctx, path, &format!("exactly one NAME is required, got {n}")),
    };
    let out = match output_format(ctx, &p) {
        Ok(o) => o,
        Err(e) => return fail(ctx, &e),
    };
    let ns = if p.has("namespace") { p.str("namespace") } else { ctx.client.namespace.clone() };
    let duration = p.str("duration");
    let duration_s = if duration.is_empty() { 0.0 } else { parse_go_duration(&duration).unwrap_or(0.0) };
    if duration_s < 0.0 {
        return fail(ctx, "--duration must be greater than or equal to 0");
    }
    if duration_s.fract() != 0.0 {
        return fail(ctx, "--duration cannot be expressed in units less than seconds");
    }
    let audiences = p.list("audience");
    if audiences.iter().any(String::is_empty) {
        return fail(ctx, "--audience must not be an empty string");
    }
    let (bk, bn, bu) = (p.str("bound-object-kind"), p.str("bound-object-name"), p.str("bound-object-uid"));
    if bk.is_empty() {
        if !bn.is_empty() {
            return fail(ctx, "--bound-object-name can only be set if --bound-object-kind is provided");
        }
        if !bu.is_empty() {
            return fail(ctx, "--bound-object-uid can only be set if --bound-object-kind is provided");
        }
    } else {
        if bk != "Pod" && bk != "Secret" {
            return fail(ctx, "supported --bound-object-kind values are Pod, Secret");
        }
        if bn.is_empty() {
            return fail(ctx, "--bound-object-name is required if --bound-object-kind is provided");
        }
    }
    // The API server: the service account and the bound object must exist.
    let sa_uid = match ctx.world.api_get(Kind::ServiceAccount, &ns, &sa) {
        Ok(o) => o.meta().uid.clone().unwrap_or_default(),
        Err(e) => return fail(ctx, &format!("failed to create token: {}", e.message)),
    };
    let mut bound_uid = bu.clone();
    if !bk.is_empty() {
        let kind = if bk == "Pod" { Kind::Pod } else { Kind::Secret };
        match ctx.world.api_get(kind, &ns, &bn) {
            Ok(o) => {
                let uid = o.meta().uid.clone().unwrap_or_default();
                if !bu.is_empty() && bu != uid {
                    return fail(
                        ctx,
                        &format!(
                            "failed to create token: the UID in the bound object reference ({bu}) does not match the UID in record. The object might have been deleted and then recreated"
                        ),
                    );
                }
                bound_uid = uid;
            }
            Err(e) => return fail(ctx, &format!("failed to create token: {}", e.message)),
        }
    }
    let expiration_s = if duration_s > 0.0 { duration_s as i64 } else { 3600 };
    let audiences =
        if audiences.is_empty() { vec!["https://kubernetes.default.svc.cluster.local".to_string()] } else { audiences };
    let now = ctx.world.now.unix_s();
    let jti = ctx.world.new_uid();
    let claims = gen::TokenClaims {
        namespace: &ns,
        service_account: &sa,
        sa_uid: &sa_uid,
        audiences: &audiences,
        issued_at: now,
        expiration_s,
        jti: &jti,
        bound: if bk.is_empty() { None } else { Some((&bk, &bn, &bound_uid)) },
    };
    let world = &mut *ctx.world;
    let text = gen::token(&claims, |n| {
        use rand::Rng;
        (0..n).map(|_| world.rng.gen::<u8>()).collect()
    });
    if out == Out::Message {
        ctx.out.out(&format!("{text}\n"));
        return;
    }
    let expires = ctx.world.now.plus_s(expiration_s as u64).datetime().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut spec = serde_json::json!({"audiences": audiences, "expirationSeconds": expiration_s});
    if !bk.is_empty() {
        spec["boundObjectRef"] = serde_json::json!({"kind": bk, "apiVersion": "v1", "name": bn, "uid": bound_uid});
    }
    let value = serde_json::json!({
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "metadata": {"name": sa, "namespace": ns, "creationTimestamp": ctx.world.now.datetime().format("%Y-%m-%dT%H:%M:%SZ").to_string()},
        "spec": spec,
        "status": {"token": text, "expirationTimestamp": expires},
    });
    let typed = goify(&value, "TokenRequest");
    match out {
        Out::Name => ctx.out.out(&format!("tokenrequest.authentication.k8s.io/{sa}\n")),
        Out::Yaml => ctx.out.out(&yaml::to_yaml(&typed.to_value())),
        Out::Json => ctx.out.out(&typed.to_json()),
        Out::Path(f) => print::print_value(ctx, &f, &typed.to_value()),
        Out::Message => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn pflag_parsing() {
        const OWN: &[Def] = &[def("image", Ty::Slice), short("replicas", 'r', Ty::Int32), def("x", Ty::Bool)];
        let p =
            parse_flags(&s(&["web", "--image=a,b", "-r", "3", "--x=false", "--", "sh", "-c"]), &[GLOBAL_FLAGS, OWN])
                .unwrap();
        assert_eq!(p.list("image"), s(&["a", "b"]));
        assert_eq!(p.int("replicas", 1), 3);
        assert!(!p.bool("x"));
        assert_eq!(p.name().unwrap(), "web");
        assert_eq!(p.command(), s(&["sh", "-c"]));
        assert_eq!(parse_flags(&s(&["--foo"]), &[OWN]).unwrap_err(), "unknown flag: --foo");
        assert_eq!(parse_flags(&s(&["-q"]), &[OWN]).unwrap_err(), "unknown shorthand flag: 'q' in -q");
        assert_eq!(parse_flags(&s(&["--image"]), &[OWN]).unwrap_err(), "flag needs an argument: --image");
        assert_eq!(
            parse_flags(&s(&["-r", "x"]), &[OWN]).unwrap_err(),
            "invalid argument \"x\" for \"-r, --replicas\" flag: strconv.ParseInt: parsing \"x\": invalid syntax"
        );
        assert_eq!(parse_flags(&s(&["a", "b"]), &[OWN]).unwrap().name().unwrap_err(), 2);
    }

    #[test]
    fn go_durations_and_ints() {
        assert_eq!(parse_go_duration("1h30m").unwrap(), 5400.0);
        assert!(parse_go_duration("10").is_err());
        assert_eq!(parse_go_int("0x10", 32).unwrap(), 16);
        assert!(parse_go_int("99999999999", 32).unwrap_err().ends_with("value out of range"));
    }
}
