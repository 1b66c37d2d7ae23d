//! kubectl's client-side generators: the objects `kubectl create <generator>` and `kubectl run`
//! build from flags, ported from kubectl v1.32 (staging/src/k8s.io/kubectl/pkg/cmd/create,
//! pkg/generate/versioned), with the same defaults, the same key and value checks and the same
//! error texts. Each generator returns the object as plain JSON holding exactly the fields
//! kubectl's Go struct holds; [`gotype::goify`] adds what Go's encoder always writes
//! (`creationTimestamp: null`, `status: {}`...) and the Go field order for `-o json`.
//!
//! Errors are kubectl's messages without the `error: ` prefix (the command adds it).

pub mod gotype;

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::shell::vfs::{resolve_path, Fs, FsError};
use crate::sim::api::validate::{is_config_map_key, is_dns1123_subdomain, regex_error};
use crate::sim::Kind;

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// `strings.Split`-like helper returning owned parts.
fn split(s: &str, sep: char) -> Vec<String> {
    s.split(sep).map(str::to_string).collect()
}

/// A `map[string]string` as JSON.
fn string_map(m: &BTreeMap<String, String>) -> Value {
    Value::Object(m.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
}

/// Go's errno text for a failed `os.Stat`/`os.ReadFile`.
fn errno(e: FsError) -> String {
    let s = e.to_string();
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

/// `path.Base`.
fn path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

/// `validation.IsEnvVarName`.
pub fn is_env_var_name(k: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let ok = !k.is_empty()
        && !k.as_bytes()[0].is_ascii_digit()
        && k.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'));
    if !ok {
        errs.push(regex_error(
            "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
            "[-._a-zA-Z][-._a-zA-Z0-9]*",
            &["my.env-name", "MY_ENV.NAME", "MyEnvName1"],
        ));
    }
    if k == "." {
        errs.push("must not be '.'".into());
    } else if k == ".." {
        errs.push("must not be '..'".into());
    } else if k.starts_with("..") {
        errs.push("must not start with '..'".into());
    }
    errs
}

/// `util.ParseLiteralSource`: `key=value` (the value may hold more `=`).
pub fn parse_literal_source(source: &str) -> Result<(String, String), String> {
    match source.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("invalid literal source {source}, expected key=value")),
    }
}

/// `util.ParseFileSource`: `path` (key = base name) or `key=path`.
pub fn parse_file_source(source: &str) -> Result<(String, String), String> {
    let n = source.matches('=').count();
    if n == 0 {
        return Ok((path_base(source), source.to_string()));
    }
    if n > 1 {
        return Err("key names or file paths cannot contain '='".into());
    }
    if let Some(p) = source.strip_prefix('=') {
        return Err(format!("key name for file path {p} missing"));
    }
    if let Some(k) = source.strip_suffix('=') {
        return Err(format!("file path for key name {k} missing"));
    }
    let (k, p) = source.split_once('=').unwrap_or((source, ""));
    Ok((k.to_string(), p.to_string()))
}

/// The learner's files, seen from kubectl's working directory.
pub struct Files<'a> {
    pub fs: &'a dyn Fs,
    pub cwd: &'a str,
}

impl Files<'_> {
    fn abs(&self, p: &str) -> String {
        resolve_path(self.cwd, p)
    }
    /// `os.Stat`: Ok(is_dir), or the errno text.
    fn stat(&self, p: &str) -> Result<bool, String> {
        self.fs.stat(&self.abs(p)).map(|s| s.is_dir).map_err(errno)
    }
    fn read(&self, p: &str) -> Result<Vec<u8>, String> {
        self.fs.read(&self.abs(p)).map_err(errno)
    }
    /// Regular files of a directory, sorted (`os.ReadDir`), as paths joined like Go's.
    fn regular_files(&self, dir: &str) -> Vec<(String, String)> {
        let abs = self.abs(dir);
        let mut out = Vec::new();
        for name in self.fs.list(&abs).unwrap_or_default() {
            let full = format!("{}/{}", abs.trim_end_matches('/'), name);
            if !self.fs.is_dir(&full) {
                out.push((name.clone(), format!("{}/{}", dir.trim_end_matches('/'), name)));
            }
        }
        out
    }
}

/// `cmdutil.AddFromEnvFile`: `KEY=value` lines; blank lines and `#` comments skipped; a line
/// without `=` takes its value from the environment (empty here: kubectl runs with none).
pub fn read_env_file(files: &Files, path: &str) -> Result<Vec<(String, String)>, String> {
    let data = files.read(path)?;
    let mut out = Vec::new();
    let mut lines: Vec<&[u8]> = data.split(|b| *b == b'\n').collect();
    if data.ends_with(b"\n") {
        lines.pop();
    }
    for (i, raw) in lines.into_iter().enumerate() {
        let mut line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let Ok(text) = std::str::from_utf8(line) else {
            let bytes: Vec<String> = line.iter().map(|b| b.to_string()).collect();
            return Err(format!(
                "env file {path} contains invalid utf8 bytes at line {}: [{}]",
                i + 1,
                bytes.join(" ")
            ));
        };
        if i == 0 {
            line = text.strip_prefix('\u{feff}').unwrap_or(text).as_bytes();
        }
        let text = std::str::from_utf8(line).unwrap_or("").trim_start();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let (key, value) = match text.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (text.to_string(), String::new()),
        };
        let errs = is_env_var_name(&key);
        if !errs.is_empty() {
            return Err(format!("{} is not a valid key name: {}", go_quote(&key), errs.join(";")));
        }
        out.push((key, value));
    }
    Ok(out)
}

fn go_quote(s: &str) -> String {
    crate::sim::api::errors::go_quote(s)
}

/// `hash.encodeHash` over sha256: ten hex digits with vowels and look-alikes swapped.
fn encode_hash(json_text: &str) -> String {
    let digest = Sha256::digest(json_text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex[..10]
        .chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// ConfigMaps and Secrets
// ---------------------------------------------------------------------------------------------

/// Where a ConfigMap's or Secret's keys come from.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    pub from_file: Vec<String>,
    pub from_literal: Vec<String>,
    pub from_env_file: Vec<String>,
}

/// `kubectl create configmap`.
pub fn configmap(name: &str, src: &Sources, files: &Files, append_hash: bool) -> Result<Value, String> {
    let mut data: BTreeMap<String, String> = BTreeMap::new();
    let mut binary: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let add = |data: &mut BTreeMap<String, String>,
               binary: &BTreeMap<String, Vec<u8>>,
               key: &str,
               value: String|
     -> Result<(), String> {
        check_cm_key(data, binary, name, key)?;
        data.insert(key.to_string(), value);
        Ok(())
    };
    for source in &src.from_file {
        let (key, path) = parse_file_source(source)?;
        let is_dir = files.stat(&path).map_err(|e| format!("error reading {path}: {e}"))?;
        let entries = if is_dir {
            if source.contains('=') {
                return Err("cannot give a key name for a directory path".into());
            }
            files.regular_files(&path)
        } else {
            vec![(key, path)]
        };
        for (key, path) in entries {
            let bytes = files.read(&path).map_err(|e| format!("open {path}: {e}"))?;
            match String::from_utf8(bytes) {
                Ok(text) => add(&mut data, &binary, &key, text)?,
                Err(e) => {
                    check_cm_key(&data, &binary, name, &key)?;
                    binary.insert(key, e.into_bytes());
                }
            }
        }
    }
    for source in &src.from_literal {
        let (key, value) = parse_literal_source(source)?;
        add(&mut data, &binary, &key, value)?;
    }
    for path in &src.from_env_file {
        let is_dir = files.stat(path).map_err(|e| format!("error reading {path}: {e}"))?;
        if is_dir {
            return Err("env config file cannot be a directory".into());
        }
        for (key, value) in read_env_file(files, path)? {
            add(&mut data, &binary, &key, value)?;
        }
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let binary_json: Map<String, Value> =
        binary.iter().map(|(k, v)| (k.clone(), Value::String(b64.encode(v)))).collect();
    let mut name = name.to_string();
    if append_hash {
        let mut m = json!({"kind": "ConfigMap", "name": name, "data": string_map(&data)});
        if !binary.is_empty() {
            m["binaryData"] = Value::Object(binary_json.clone());
        }
        name = format!("{name}-{}", encode_hash(&crate::kubectl::output::json::to_json_compact(&m)));
    }
    let mut cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}});
    if !data.is_empty() {
        cm["data"] = string_map(&data);
    }
    if !binary.is_empty() {
        cm["binaryData"] = Value::Object(binary_json);
    }
    Ok(cm)
}

fn check_cm_key(
    data: &BTreeMap<String, String>,
    binary: &BTreeMap<String, Vec<u8>>,
    name: &str,
    key: &str,
) -> Result<(), String> {
    let errs = is_config_map_key(key);
    if !errs.is_empty() {
        return Err(format!("{} is not a valid key name for a ConfigMap: {}", go_quote(key), errs.join(",")));
    }
    if data.contains_key(key) {
        return Err(format!(
            "cannot add key {}, another key by that name already exists in Data for ConfigMap {}",
            go_quote(key),
            go_quote(name)
        ));
    }
    if binary.contains_key(key) {
        return Err(format!(
            "cannot add key {}, another key by that name already exists in BinaryData for ConfigMap {}",
            go_quote(key),
            go_quote(name)
        ));
    }
    Ok(())
}

/// A Secret's data while it is built.
struct SecretData(BTreeMap<String, Vec<u8>>);

impl SecretData {
    fn add(&mut self, key: &str, value: Vec<u8>) -> Result<(), String> {
        let errs = is_config_map_key(key);
        if !errs.is_empty() {
            return Err(format!("{} is not valid key name for a Secret {}", go_quote(key), errs.join(";")));
        }
        if self.0.contains_key(key) {
            return Err(format!("cannot add key {key}, another key by that name already exists"));
        }
        self.0.insert(key.to_string(), value);
        Ok(())
    }

    fn add_files(&mut self, sources: &[String], files: &Files) -> Result<(), String> {
        for source in sources {
            let (key, path) = parse_file_source(source)?;
            let is_dir = files.stat(&path).map_err(|e| format!("error reading {path}: {e}"))?;
            let entries = if is_dir {
                if source.contains('=') {
                    return Err("cannot give a key name for a directory path".into());
                }
                files.regular_files(&path)
            } else {
                vec![(key, path)]
            };
            for (key, path) in entries {
                let bytes = files.read(&path).map_err(|e| format!("open {path}: {e}"))?;
                self.add(&key, bytes)?;
            }
        }
        Ok(())
    }

    /// The object, with `--append-hash` applied.
    fn into_secret(self, name: &str, secret_type: &str, append_hash: bool) -> Value {
        let b64 = base64::engine::general_purpose::STANDARD;
        let data: Map<String, Value> = self.0.iter().map(|(k, v)| (k.clone(), Value::String(b64.encode(v)))).collect();
        let mut name = name.to_string();
        if append_hash {
            let m = json!({"kind": "Secret", "type": secret_type, "name": name, "data": Value::Object(data.clone())});
            name = format!("{name}-{}", encode_hash(&crate::kubectl::output::json::to_json_compact(&m)));
        }
        let mut s = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}});
        if !data.is_empty() {
            s["data"] = Value::Object(data);
        }
        if !secret_type.is_empty() {
            s["type"] = Value::String(secret_type.to_string());
        }
        s
    }
}

/// `kubectl create secret generic`.
pub fn secret_generic(
    name: &str,
    src: &Sources,
    files: &Files,
    secret_type: &str,
    append_hash: bool,
) -> Result<Value, String> {
    let mut d = SecretData(BTreeMap::new());
    for source in &src.from_literal {
        let (key, value) = parse_literal_source(source)?;
        d.add(&key, value.into_bytes())?;
    }
    d.add_files(&src.from_file, files)?;
    for path in &src.from_env_file {
        let is_dir = files.stat(path).map_err(|e| format!("error reading {path}: {e}"))?;
        if is_dir {
            return Err("env secret file cannot be a directory".into());
        }
        for (key, value) in read_env_file(files, path)? {
            d.add(&key, value.into_bytes())?;
        }
    }
    Ok(d.into_secret(name, secret_type, append_hash))
}

/// PEM blocks of a file: (type, has-body) in order.
fn pem_blocks(data: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(data);
    let mut out = Vec::new();
    let mut rest: &str = &text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let Some(end_type) = after.find("-----") else { break };
        let ty = after[..end_type].to_string();
        let end_marker = format!("-----END {ty}-----");
        let Some(end) = after.find(&end_marker) else { break };
        out.push(ty);
        rest = &after[end + end_marker.len()..];
    }
    out
}

/// The structural part of Go's `tls.X509KeyPair`: a CERTIFICATE block in the certificate
/// input and a private key block in the key input, with Go's messages.
fn check_key_pair(cert: &[u8], key: &[u8]) -> Result<(), String> {
    let certs = pem_blocks(cert);
    if !certs.iter().any(|t| t == "CERTIFICATE") {
        if certs.is_empty() {
            return Err("tls: failed to find any PEM data in certificate input".into());
        }
        if certs.iter().any(|t| t.ends_with("PRIVATE KEY")) {
            return Err("tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched".into());
        }
        return Err(format!(
            "tls: failed to find \"CERTIFICATE\" PEM block in certificate input after skipping PEM blocks of the following types: [{}]",
            certs.join(" ")
        ));
    }
    let keys = pem_blocks(key);
    if !keys.iter().any(|t| t == "PRIVATE KEY" || t.ends_with(" PRIVATE KEY")) {
        if keys.is_empty() {
            return Err("tls: failed to find any PEM data in key input".into());
        }
        if keys.iter().any(|t| t == "CERTIFICATE") {
            return Err("tls: found a certificate rather than a key in the PEM for the private key".into());
        }
        return Err(format!(
            "tls: failed to find PEM block with type ending in \"PRIVATE KEY\" in key input after skipping PEM blocks of the following types: [{}]",
            keys.join(" ")
        ));
    }
    Ok(())
}

/// `kubectl create secret tls`.
pub fn secret_tls(name: &str, cert: &str, key: &str, files: &Files, append_hash: bool) -> Result<Value, String> {
    let read = |p: &str| files.read(p).map_err(|e| format!("Cannot read file {p}, open {p}: {e}"));
    let cert_data = read(cert)?;
    let key_data = read(key)?;
    check_key_pair(&cert_data, &key_data)?;
    let mut d = SecretData(BTreeMap::new());
    d.0.insert("tls.crt".into(), cert_data);
    d.0.insert("tls.key".into(), key_data);
    Ok(d.into_secret(name, "kubernetes.io/tls", append_hash))
}

/// Options of `kubectl create secret docker-registry`.
#[derive(Clone, Debug, Default)]
pub struct DockerRegistry {
    pub username: String,
    pub password: String,
    pub email: String,
    pub server: String,
    pub from_file: Vec<String>,
}

/// `kubectl create secret docker-registry`.
pub fn secret_docker_registry(
    name: &str,
    o: &DockerRegistry,
    files: &Files,
    append_hash: bool,
) -> Result<Value, String> {
    let mut d = SecretData(BTreeMap::new());
    if !o.from_file.is_empty() {
        d.add_files(&o.from_file, files)?;
    } else {
        // json.Marshal of DockerConfigJSON: fields in struct order, empty ones omitted.
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", o.username, o.password));
        let mut entry = String::from("{");
        let mut first = true;
        for (k, v) in [("username", &o.username), ("password", &o.password), ("email", &o.email), ("auth", &auth)] {
            if v.is_empty() {
                continue;
            }
            if !first {
                entry.push(',');
            }
            first = false;
            crate::kubectl::output::json::write_string(&mut entry, k);
            entry.push(':');
            crate::kubectl::output::json::write_string(&mut entry, v);
        }
        entry.push('}');
        let mut server = String::new();
        crate::kubectl::output::json::write_string(&mut server, &o.server);
        d.0.insert(".dockerconfigjson".into(), format!("{{\"auths\":{{{server}:{entry}}}}}").into_bytes());
    }
    Ok(d.into_secret(name, "kubernetes.io/dockerconfigjson", append_hash))
}

// ---------------------------------------------------------------------------------------------
// Workloads
// ---------------------------------------------------------------------------------------------

/// `kubectl create deployment`. `suffix` draws the 5 random characters kubectl appends to a
/// container name it had to sanitise (`my_app.v2` → `my-app-v2-x8k2j`).
pub fn deployment(
    name: &str,
    images: &[String],
    port: i32,
    replicas: i32,
    command: &[String],
    mut suffix: impl FnMut() -> String,
) -> Value {
    let labels = json!({"app": name});
    let containers: Vec<Value> = images
        .iter()
        .map(|image| {
            let mut cname = image.rsplit('/').next().unwrap_or(image).to_string();
            if let Some((n, _)) = cname.split_once(':') {
                cname = n.to_string();
            }
            if let Some((n, _)) = cname.split_once('@') {
                cname = n.to_string();
            }
            if cname.contains(['_', '.']) {
                cname = format!("{}-{}", cname.replace(['_', '.'], "-"), suffix());
            }
            let mut c = json!({"name": cname, "image": image});
            if !command.is_empty() {
                c["command"] = json!(command);
            }
            c
        })
        .collect();
    let mut d = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": containers}},
        },
    });
    if port >= 0 {
        if let Some(c) = d.pointer_mut("/spec/template/spec/containers/0") {
            c["ports"] = json!([{"containerPort": port}]);
        }
    }
    d
}

/// `kubectl create job NAME --image=...`.
pub fn job(name: &str, image: &str, command: &[String]) -> Value {
    let mut c = json!({"name": name, "image": image});
    if !command.is_empty() {
        c["command"] = json!(command);
    }
    json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {"template": {"spec": {"containers": [c], "restartPolicy": "Never"}}},
    })
}

/// `kubectl create job NAME --from=cronjob/CJ`: the CronJob's job template, owned by it.
pub fn job_from_cronjob(name: &str, cronjob: &Value) -> Value {
    let tmpl_meta = cronjob.pointer("/spec/jobTemplate/metadata").cloned().unwrap_or(Value::Null);
    let mut annotations = Map::new();
    annotations.insert("cronjob.kubernetes.io/instantiate".into(), Value::String("manual".into()));
    if let Some(Value::Object(a)) = tmpl_meta.get("annotations") {
        for (k, v) in a {
            annotations.insert(k.clone(), v.clone());
        }
    }
    let mut meta = json!({
        "name": name,
        "annotations": annotations,
        "ownerReferences": [{
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "name": cronjob.pointer("/metadata/name").cloned().unwrap_or(Value::Null),
            "uid": cronjob.pointer("/metadata/uid").cloned().unwrap_or(Value::Null),
            "controller": true,
        }],
    });
    if let Some(l) = tmpl_meta.get("labels").filter(|l| l.as_object().is_some_and(|m| !m.is_empty())) {
        meta["labels"] = l.clone();
    }
    json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta,
        "spec": cronjob.pointer("/spec/jobTemplate/spec").cloned().unwrap_or_else(|| json!({})),
    })
}

/// `kubectl create cronjob`.
pub fn cronjob(name: &str, image: &str, schedule: &str, restart: &str, command: &[String]) -> Value {
    let mut c = json!({"name": name, "image": image});
    if !command.is_empty() {
        c["command"] = json!(command);
    }
    let mut pod_spec = json!({"containers": [c]});
    if !restart.is_empty() {
        pod_spec["restartPolicy"] = Value::String(restart.to_string());
    }
    json!({
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name},
        "spec": {
            "schedule": schedule,
            "jobTemplate": {"metadata": {"name": name}, "spec": {"template": {"spec": pod_spec}}},
        },
    })
}

/// `kubectl create namespace`.
pub fn namespace(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
}

/// `kubectl create serviceaccount`.
pub fn service_account(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name}})
}

// ---------------------------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------------------------

/// `utilsnet.ParsePort(s, allowZero=true)`: Go's `strconv.ParseUint(s, 10, 16)` messages.
fn parse_port(s: &str) -> Result<i64, String> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!("strconv.ParseUint: parsing {}: invalid syntax", go_quote(s)));
    }
    match s.parse::<u64>() {
        Ok(n) if n <= 65535 => Ok(n as i64),
        _ => Err(format!("strconv.ParseUint: parsing {}: value out of range", go_quote(s))),
    }
}

/// `validation.IsValidPortName` as kubectl v1.32 words it.
fn port_name_errors(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 15 {
        errs.push("must be no more than 15 characters".to_string());
    }
    if !s.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-') || s.is_empty() {
        errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".into());
    }
    if !s.bytes().any(|c| c.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)".into());
    }
    if s.contains("--") {
        errs.push("must not contain consecutive hyphens".into());
    }
    if s.starts_with('-') || s.ends_with('-') {
        errs.push("must not begin or end with a hyphen".into());
    }
    errs
}

/// `parsePorts`: `port[:targetPort]`.
fn parse_ports(spec: &str) -> Result<(i64, Value), String> {
    let parts = split(spec, ':');
    let port = parse_port(&parts[0])?;
    if parts.len() == 1 {
        return Ok((port, json!(port)));
    }
    let t = &parts[1];
    // strconv.Atoi accepts a sign.
    match t.parse::<i64>() {
        Ok(n) => {
            if !(1..=65535).contains(&n) {
                return Err("must be between 1 and 65535, inclusive".into());
            }
            Ok((port, json!(n)))
        }
        Err(_) => {
            let errs = port_name_errors(t);
            if !errs.is_empty() {
                return Err(errs.join(","));
            }
            Ok((port, Value::String(t.clone())))
        }
    }
}

/// Options of `kubectl create service <type>`.
#[derive(Clone, Debug, Default)]
pub struct ServiceOpts {
    /// `ClusterIP`, `NodePort`, `LoadBalancer` or `ExternalName`.
    pub service_type: String,
    pub tcp: Vec<String>,
    pub cluster_ip: String,
    pub node_port: i64,
    pub external_name: String,
}

/// `ServiceOptions.Validate`.
pub fn validate_service(o: &ServiceOpts) -> Result<(), String> {
    if o.cluster_ip == "None" && o.service_type != "ClusterIP" {
        return Err("ClusterIP=None can only be used with ClusterIP service type".into());
    }
    if o.cluster_ip != "None" && o.tcp.is_empty() && o.service_type != "ExternalName" {
        return Err("at least one tcp port specifier must be provided".into());
    }
    if o.service_type == "ExternalName" && !is_dns1123_subdomain(&o.external_name).is_empty() {
        return Err(format!("invalid service external name {}", o.external_name));
    }
    Ok(())
}

/// `kubectl create service <type>`.
pub fn service(name: &str, o: &ServiceOpts) -> Result<Value, String> {
    let mut ports = Vec::new();
    for tcp in &o.tcp {
        let (port, target) = parse_ports(tcp)?;
        let mut p = json!({"name": tcp.replace(':', "-"), "port": port, "targetPort": target, "protocol": "TCP"});
        if o.node_port != 0 {
            p["nodePort"] = json!(o.node_port);
        }
        ports.push(p);
    }
    let mut spec = json!({"type": o.service_type, "selector": {"app": name}});
    if !ports.is_empty() {
        spec["ports"] = Value::Array(ports);
    }
    if !o.external_name.is_empty() {
        spec["externalName"] = Value::String(o.external_name.clone());
    }
    if !o.cluster_ip.is_empty() {
        spec["clusterIP"] = Value::String(o.cluster_ip.clone());
    }
    Ok(
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "labels": {"app": name}}, "spec": spec}),
    )
}

// ---------------------------------------------------------------------------------------------
// RBAC
// ---------------------------------------------------------------------------------------------

/// `validResourceVerbs`.
pub const VALID_RESOURCE_VERBS: &[&str] = &[
    "*",
    "get",
    "delete",
    "list",
    "create",
    "update",
    "patch",
    "watch",
    "proxy",
    "deletecollection",
    "use",
    "bind",
    "escalate",
    "impersonate",
];

/// `validNonResourceVerbs`.
pub const VALID_NON_RESOURCE_VERBS: &[&str] = &["*", "get", "post", "put", "delete", "patch", "head", "options"];

/// `specialVerbs`: verbs that only apply to some group/resources.
fn special_verb(verb: &str) -> Option<&'static [(&'static str, &'static str)]> {
    Some(match verb {
        "use" => &[("policy", "podsecuritypolicies"), ("extensions", "podsecuritypolicies")],
        "bind" | "escalate" => &[("rbac.authorization.k8s.io", "roles"), ("rbac.authorization.k8s.io", "clusterroles")],
        "impersonate" => {
            &[("", "users"), ("", "serviceaccounts"), ("", "groups"), ("authentication.k8s.io", "userextras")]
        }
        _ => return None,
    })
}

/// Resources a v1.32 API server serves that the simulator has no kind for: RBAC rules may name
/// them all the same. (plural, singular, short names, group)
const OTHER_RESOURCES: &[(&str, &str, &[&str], &str)] = &[
    ("bindings", "binding", &[], ""),
    ("componentstatuses", "componentstatus", &["cs"], ""),
    ("podtemplates", "podtemplate", &[], ""),
    ("replicationcontrollers", "replicationcontroller", &["rc"], ""),
    ("mutatingwebhookconfigurations", "mutatingwebhookconfiguration", &[], "admissionregistration.k8s.io"),
    ("validatingwebhookconfigurations", "validatingwebhookconfiguration", &[], "admissionregistration.k8s.io"),
    ("validatingadmissionpolicies", "validatingadmissionpolicy", &[], "admissionregistration.k8s.io"),
    ("validatingadmissionpolicybindings", "validatingadmissionpolicybinding", &[], "admissionregistration.k8s.io"),
    ("customresourcedefinitions", "customresourcedefinition", &["crd", "crds"], "apiextensions.k8s.io"),
    ("apiservices", "apiservice", &[], "apiregistration.k8s.io"),
    ("selfsubjectreviews", "selfsubjectreview", &[], "authentication.k8s.io"),
    ("tokenreviews", "tokenreview", &[], "authentication.k8s.io"),
    ("localsubjectaccessreviews", "localsubjectaccessreview", &[], "authorization.k8s.io"),
    ("selfsubjectaccessreviews", "selfsubjectaccessreview", &[], "authorization.k8s.io"),
    ("selfsubjectrulesreviews", "selfsubjectrulesreview", &[], "authorization.k8s.io"),
    ("subjectaccessreviews", "subjectaccessreview", &[], "authorization.k8s.io"),
    ("certificatesigningrequests", "certificatesigningrequest", &["csr"], "certificates.k8s.io"),
    ("events", "event", &["ev"], "events.k8s.io"),
    ("flowschemas", "flowschema", &[], "flowcontrol.apiserver.k8s.io"),
    ("prioritylevelconfigurations", "prioritylevelconfiguration", &[], "flowcontrol.apiserver.k8s.io"),
    ("runtimeclasses", "runtimeclass", &[], "node.k8s.io"),
    ("csidrivers", "csidriver", &[], "storage.k8s.io"),
    ("csinodes", "csinode", &[], "storage.k8s.io"),
    ("csistoragecapacities", "csistoragecapacity", &[], "storage.k8s.io"),
    ("volumeattachments", "volumeattachment", &[], "storage.k8s.io"),
];

/// The RESTMapper's `ResourceFor` (with kubectl's short-name expansion): the plural and group
/// a `--resource` names, or None when the server serves no such resource.
pub fn resource_for(resource: &str, group: &str) -> Option<(String, String)> {
    let r = resource.to_ascii_lowercase();
    for k in Kind::ALL.iter().copied() {
        if (group.is_empty() || k.group() == group)
            && (k.plural() == r || k.singular() == r || k.short_names().contains(&r.as_str()))
        {
            return Some((k.plural().to_string(), k.group().to_string()));
        }
    }
    for (plural, singular, shorts, g) in OTHER_RESOURCES {
        if (group.is_empty() || *g == group) && (*plural == r || *singular == r || shorts.contains(&r.as_str())) {
            return Some((plural.to_string(), g.to_string()));
        }
    }
    None
}

/// A `--resource` as kubectl splits it: `resource.group/subresource`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceArg {
    pub group: String,
    pub resource: String,
    pub subresource: String,
}

/// `CreateRoleOptions.Complete`'s resource parsing: a bare `*` replaces everything.
pub fn parse_resources(args: &[String]) -> Vec<ResourceArg> {
    let mut out = Vec::new();
    for r in args {
        let (main, sub) = match r.split_once('/') {
            Some((m, s)) => (m, s.to_string()),
            None => (r.as_str(), String::new()),
        };
        let (res, group) = match main.split_once('.') {
            Some((res, g)) => (res, g.to_string()),
            None => (main, String::new()),
        };
        let arg = ResourceArg { group: group.clone(), resource: res.to_string(), subresource: sub.clone() };
        if res == "*" && !main.contains('.') && !r.contains('/') {
            return vec![arg];
        }
        out.push(arg);
    }
    out
}

/// Removes repeated entries, keeping the first; a `*` verb alone replaces all verbs.
pub fn dedup_verbs(verbs: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in verbs {
        if v == "*" {
            return vec!["*".into()];
        }
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

/// Removes repeated entries, keeping the first.
pub fn dedup(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in items {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

/// The error `cmdutil.CheckErr` prints for a resource the server does not serve (no `error:`).
pub fn no_resource_match(resource: &str, group: &str) -> String {
    if group.is_empty() {
        format!("the server doesn't have a resource type {}", go_quote(resource))
    } else {
        format!("the server doesn't have a resource type {} in group {}", go_quote(resource), go_quote(group))
    }
}

/// `validateResource`: Err(text, prefixed) — `prefixed` is false for kubectl's
/// no-resource-match message, which it prints without `error: `.
pub fn validate_role_resources(verbs: &[String], resources: &[ResourceArg]) -> Result<(), (String, bool)> {
    for r in resources {
        if r.resource.is_empty() {
            return Err(("resource must be specified if apiGroup/subresource specified".into(), true));
        }
        if r.resource == "*" {
            return Ok(());
        }
        let found = resource_for(&r.resource, &r.group);
        let (res, group) = found.clone().unwrap_or((r.resource.clone(), r.group.clone()));
        let mut matched_special = false;
        for v in verbs {
            if let Some(allowed) = special_verb(v) {
                if !allowed.iter().any(|(g, rr)| *g == group && *rr == res) {
                    return Err((format!("can not perform '{v}' on '{res}' in group '{group}'"), true));
                }
                matched_special = true;
            }
        }
        if found.is_none() && !matched_special {
            return Err((no_resource_match(&r.resource, &r.group), false));
        }
    }
    Ok(())
}

/// `generateResourcePolicyRules`: one rule per API group (sorted), then the non-resource URLs.
pub fn policy_rules(
    verbs: &[String],
    resources: &[ResourceArg],
    resource_names: &[String],
    non_resource_urls: &[String],
) -> Vec<Value> {
    let mut by_group: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in resources {
        let (mut res, group) = resource_for(&r.resource, &r.group).unwrap_or((r.resource.clone(), r.group.clone()));
        if !r.subresource.is_empty() {
            res = format!("{res}/{}", r.subresource);
        }
        let list = by_group.entry(group).or_default();
        if !list.contains(&res) {
            list.push(res);
        }
    }
    let mut rules = Vec::new();
    for (g, res) in by_group {
        let mut rule = json!({"verbs": verbs, "apiGroups": [g], "resources": res});
        if !resource_names.is_empty() {
            rule["resourceNames"] = json!(resource_names);
        }
        rules.push(rule);
    }
    if !non_resource_urls.is_empty() {
        rules.push(json!({"verbs": verbs, "nonResourceURLs": non_resource_urls}));
    }
    rules
}

/// `kubectl create role`.
pub fn role(name: &str, rules: Vec<Value>) -> Value {
    json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": name}, "rules": rules})
}

/// `kubectl create clusterrole`: rules, or an aggregation rule.
pub fn cluster_role(name: &str, rules: Option<Vec<Value>>, aggregation: &BTreeMap<String, String>) -> Value {
    let mut cr =
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": name}});
    match rules {
        Some(r) => cr["rules"] = Value::Array(r),
        None => cr["aggregationRule"] = json!({"clusterRoleSelectors": [{"matchLabels": string_map(aggregation)}]}),
    }
    cr
}

/// Subjects of a binding: users, then groups, then `namespace:name` service accounts.
pub fn subjects(users: &[String], groups: &[String], service_accounts: &[String]) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for u in users {
        out.push(json!({"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": u}));
    }
    for g in groups {
        out.push(json!({"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": g}));
    }
    for sa in service_accounts {
        let t = split(sa, ':');
        if t.len() != 2 || t[0].is_empty() || t[1].is_empty() {
            return Err("serviceaccount must be <namespace>:<name>".into());
        }
        out.push(json!({"kind": "ServiceAccount", "namespace": t[0], "name": t[1]}));
    }
    Ok(out)
}

/// `kubectl create rolebinding` / `clusterrolebinding`.
pub fn binding(kind: Kind, name: &str, ref_kind: &str, ref_name: &str, subjects: Vec<Value>) -> Value {
    let mut b = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": kind.name(),
        "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": ref_kind, "name": ref_name},
    });
    if !subjects.is_empty() {
        b["subjects"] = Value::Array(subjects);
    }
    b
}

// ---------------------------------------------------------------------------------------------
// Quota, ingress, PDB, priority class
// ---------------------------------------------------------------------------------------------

/// A quantity as `Quantity.String()` prints it after `resource.ParseQuantity`.
pub fn canonical_quantity(s: &str) -> Result<String, String> {
    use crate::sim::quantity;
    let milli = quantity::parse_milli(s)?;
    let format = quantity::parse_format(s)?;
    Ok(quantity::format_milli(milli, format))
}

/// `kubectl create quota`.
pub fn quota(name: &str, hard: &str, scopes: &str) -> Result<Value, String> {
    let mut spec = Map::new();
    if !hard.is_empty() {
        let mut list = Map::new();
        for statement in hard.split(',') {
            let parts = split(statement, '=');
            if parts.len() != 2 {
                return Err(format!("Invalid argument syntax {statement}, expected <resource>=<value>"));
            }
            list.insert(parts[0].clone(), Value::String(canonical_quantity(&parts[1])?));
        }
        spec.insert("hard".into(), Value::Object(list));
    }
    if !scopes.is_empty() {
        let mut list = Vec::new();
        for s in scopes.split(',') {
            if s.is_empty() {
                return Err("invalid resource quota scope \"\"".into());
            }
            list.push(Value::String(s.to_string()));
        }
        spec.insert("scopes".into(), Value::Array(list));
    }
    Ok(json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name}, "spec": spec}))
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// kubectl's `ruleRegex`:
/// `^([\w*\-.]*)(/[^,=\n]*)=([\w\-]+):([\w\-]+)(,(tls)=?([\w\-]+)?)?$`.
pub fn ingress_rule_valid(rule: &str) -> bool {
    let Some(slash) = rule.find('/') else { return false };
    let host = &rule[..slash];
    if !host.chars().all(|c| is_word(c) || matches!(c, '*' | '-' | '.')) {
        return false;
    }
    let rest = &rule[slash..];
    let Some(eq) = rest.find(['=', ',', '\n']) else { return false };
    if !rest[eq..].starts_with('=') {
        return false;
    }
    let rest = &rest[eq + 1..];
    let svc_name_len = rest.chars().take_while(|c| is_word(*c) || *c == '-').count();
    if svc_name_len == 0 || !rest[svc_name_len..].starts_with(':') {
        return false;
    }
    let rest = &rest[svc_name_len + 1..];
    let port_len = rest.chars().take_while(|c| is_word(*c) || *c == '-').count();
    if port_len == 0 {
        return false;
    }
    let rest = &rest[port_len..];
    if rest.is_empty() {
        return true;
    }
    let Some(tls) = rest.strip_prefix(",tls") else { return false };
    let tls = tls.strip_prefix('=').unwrap_or(tls);
    tls.chars().all(|c| is_word(c) || c == '-')
}

/// Options of `kubectl create ingress`.
#[derive(Clone, Debug, Default)]
pub struct IngressOpts {
    pub class: String,
    pub rules: Vec<String>,
    pub default_backend: String,
    pub annotations: Vec<String>,
}

/// `CreateIngressOptions.Validate`.
pub fn validate_ingress(o: &IngressOpts) -> Result<(), String> {
    if o.default_backend.is_empty() && o.rules.is_empty() {
        return Err("not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)".into());
    }
    for rule in &o.rules {
        if !ingress_rule_valid(rule) {
            return Err(format!(
                "rule {rule} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]"
            ));
        }
    }
    for a in &o.annotations {
        if !a.contains('=') {
            return Err(format!("annotation {a} is invalid and should be in format key=[value]"));
        }
    }
    if !o.default_backend.is_empty() && o.default_backend.split(':').count() != 2 {
        return Err("default-backend should be in format servicename:serviceport".into());
    }
    Ok(())
}

fn ingress_backend(service: &str) -> Value {
    let parts = split(service, ':');
    let port = parts.get(1).cloned().unwrap_or_default();
    // intstr.Parse: a number if it parses as one.
    let port_json = match port.parse::<i32>() {
        Ok(n) if n != 0 => json!({"number": n}),
        Ok(_) => json!({}),
        Err(_) => json!({"name": port}),
    };
    json!({"service": {"name": parts[0], "port": port_json}})
}

/// `kubectl create ingress` (validated options).
pub fn ingress(name: &str, o: &IngressOpts) -> Value {
    let mut annotations = Map::new();
    for a in &o.annotations {
        let (k, v) = a.split_once('=').unwrap_or((a, ""));
        annotations.insert(k.to_string(), Value::String(v.to_string()));
    }
    let mut spec = Map::new();
    if !o.class.is_empty() {
        spec.insert("ingressClassName".into(), Value::String(o.class.clone()));
    }
    if !o.default_backend.is_empty() {
        spec.insert("defaultBackend".into(), ingress_backend(&o.default_backend));
    }
    // TLS: one entry per secret, each host once.
    let mut tls: Vec<(Vec<String>, String)> = Vec::new();
    let mut seen_hosts: Vec<String> = Vec::new();
    for rule in &o.rules {
        let parts = split(rule, ',');
        if parts.len() != 2 {
            continue;
        }
        let host = rule.split('/').next().unwrap_or("").to_string();
        let secret = parts[1].split('=').nth(1).unwrap_or("").to_string();
        if seen_hosts.contains(&host) {
            continue;
        }
        if let Some(entry) = tls.iter_mut().find(|(_, s)| *s == secret) {
            entry.0.push(host.clone());
            seen_hosts.push(host);
            continue;
        }
        let hosts = if host.is_empty() { vec![] } else { vec![host.clone()] };
        if !secret.is_empty() || !hosts.is_empty() {
            tls.push((hosts, secret));
        }
        seen_hosts.push(host);
    }
    if !tls.is_empty() {
        let list: Vec<Value> = tls
            .into_iter()
            .map(|(hosts, secret)| {
                let mut t = Map::new();
                if !hosts.is_empty() {
                    t.insert("hosts".into(), json!(hosts));
                }
                if !secret.is_empty() {
                    t.insert("secretName".into(), Value::String(secret));
                }
                Value::Object(t)
            })
            .collect();
        spec.insert("tls".into(), Value::Array(list));
    }
    // Rules: one per host, paths in order.
    let mut rules: Vec<(String, Vec<Value>)> = Vec::new();
    for rule in &o.rules {
        let no_tls = rule.split(',').next().unwrap_or("");
        let (host, path_svc) = no_tls.split_once('/').unwrap_or((no_tls, ""));
        let (path, svc) = path_svc.split_once('=').unwrap_or((path_svc, ""));
        let mut path = format!("/{path}");
        let mut path_type = "Exact";
        if path.ends_with('*') {
            path_type = "Prefix";
            path.pop();
        }
        let p = json!({"path": path, "pathType": path_type, "backend": ingress_backend(svc)});
        match rules.iter_mut().find(|(h, _)| h == host) {
            Some((_, paths)) => paths.push(p),
            None => rules.push((host.to_string(), vec![p])),
        }
    }
    if !rules.is_empty() {
        let list: Vec<Value> = rules
            .into_iter()
            .map(|(host, paths)| {
                let mut r = json!({"http": {"paths": paths}});
                if !host.is_empty() {
                    r["host"] = Value::String(host);
                }
                r
            })
            .collect();
        spec.insert("rules".into(), Value::Array(list));
    }
    let mut meta = json!({"name": name});
    if !annotations.is_empty() {
        meta["annotations"] = Value::Object(annotations);
    }
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta, "spec": spec})
}

/// `metav1.ParseToLabelSelector`: `=`/`==` go to matchLabels, set operators and existence
/// checks to matchExpressions; requirements sorted by key as `labels.Parse` sorts them.
pub fn parse_to_label_selector(s: &str) -> Result<Value, String> {
    use crate::sim::api::selector::{Req, Selector};
    let wrap = |e: String| format!("couldn't parse the selector string {}: {e}", go_quote(s));
    let trimmed = s.trim();
    // A bare word followed by another word is a missing operator.
    for part in trimmed.split(',') {
        let p = part.trim();
        if !p.contains(['=', '!', '(']) && !p.contains(" in ") && !p.contains(" notin ") {
            if let Some((_, second)) = p.split_once(char::is_whitespace) {
                let w = second.trim().split(char::is_whitespace).next().unwrap_or("");
                return Err(wrap(format!(
                    "unable to parse requirement: found '{w}', expected: in, notin, =, ==, !=, gt, lt"
                )));
            }
        }
    }
    let sel = Selector::parse(trimmed).map_err(wrap)?;
    let mut reqs = sel.0;
    reqs.sort_by(|a, b| req_key(a).cmp(req_key(b)));
    let mut labels = Map::new();
    let mut exprs = Vec::new();
    for r in reqs {
        match r {
            Req::Eq(k, v) => {
                labels.insert(k, Value::String(v));
            }
            Req::NotEq(..) => return Err("\"!=\" is not a valid label selector operator".into()),
            Req::In(k, mut vs) => {
                vs.sort();
                vs.dedup();
                exprs.push(json!({"key": k, "operator": "In", "values": vs}));
            }
            Req::NotIn(k, mut vs) => {
                vs.sort();
                vs.dedup();
                exprs.push(json!({"key": k, "operator": "NotIn", "values": vs}));
            }
            Req::Exists(k) => exprs.push(json!({"key": k, "operator": "Exists"})),
            Req::NotExists(k) => exprs.push(json!({"key": k, "operator": "DoesNotExist"})),
        }
    }
    let mut out = Map::new();
    if !labels.is_empty() {
        out.insert("matchLabels".into(), Value::Object(labels));
    }
    if !exprs.is_empty() {
        out.insert("matchExpressions".into(), Value::Array(exprs));
    }
    Ok(Value::Object(out))
}

fn req_key(r: &crate::sim::api::selector::Req) -> &str {
    use crate::sim::api::selector::Req;
    match r {
        Req::Eq(k, _) | Req::NotEq(k, _) | Req::In(k, _) | Req::NotIn(k, _) | Req::Exists(k) | Req::NotExists(k) => k,
    }
}

/// `intstr.Parse`: an integer if the text is one.
fn int_or_string(s: &str) -> Value {
    match s.parse::<i32>() {
        Ok(n) => json!(n),
        Err(_) => Value::String(s.to_string()),
    }
}

/// `PodDisruptionBudgetOpts.Validate`.
pub fn validate_pdb(selector: &str, min_available: &str, max_unavailable: &str) -> Result<(), String> {
    if selector.is_empty() {
        return Err("a selector must be specified".into());
    }
    if max_unavailable.is_empty() && min_available.is_empty() {
        return Err("one of min-available or max-unavailable must be specified".into());
    }
    if !max_unavailable.is_empty() && !min_available.is_empty() {
        return Err("min-available and max-unavailable cannot be both specified".into());
    }
    let ok = |s: &str| {
        let digits = s.strip_suffix('%').unwrap_or(s);
        !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit())
    };
    if !min_available.is_empty() && !ok(min_available) {
        return Err("invalid format specified for min-available".into());
    }
    if !max_unavailable.is_empty() && !ok(max_unavailable) {
        return Err("invalid format specified for max-unavailable".into());
    }
    Ok(())
}

/// `kubectl create poddisruptionbudget` (validated options).
pub fn pdb(name: &str, selector: &str, min_available: &str, max_unavailable: &str) -> Result<Value, String> {
    let mut spec = json!({"selector": parse_to_label_selector(selector)?});
    if !min_available.is_empty() {
        spec["minAvailable"] = int_or_string(min_available);
    } else if !max_unavailable.is_empty() {
        spec["maxUnavailable"] = int_or_string(max_unavailable);
    }
    Ok(json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name}, "spec": spec}))
}

/// `kubectl create priorityclass`.
pub fn priority_class(name: &str, value: i32, global_default: bool, description: &str, preemption: &str) -> Value {
    let mut pc = json!({
        "apiVersion": "scheduling.k8s.io/v1",
        "kind": "PriorityClass",
        "metadata": {"name": name},
        "value": value,
        "preemptionPolicy": preemption,
    });
    if global_default {
        pc["globalDefault"] = Value::Bool(true);
    }
    if !description.is_empty() {
        pc["description"] = Value::String(description.to_string());
    }
    pc
}

// ---------------------------------------------------------------------------------------------
// kubectl run
// ---------------------------------------------------------------------------------------------

/// `generate.ParseLabels`: `k=v,k2=v2`.
pub fn parse_labels(spec: &str) -> Result<BTreeMap<String, String>, String> {
    if spec.is_empty() {
        return Err("no label spec passed".into());
    }
    let mut labels = BTreeMap::new();
    for item in spec.split(',') {
        let kv = split(item, '=');
        if kv.len() != 2 {
            return Err(format!("unexpected label spec: {item}"));
        }
        if kv[0].is_empty() {
            return Err("unexpected empty label key".into());
        }
        labels.insert(kv[0].clone(), kv[1].clone());
    }
    Ok(labels)
}

/// Options of the pod `kubectl run` generates (the `run-pod/v1` generator).
#[derive(Clone, Debug, Default)]
pub struct RunPod {
    pub name: String,
    pub image: String,
    pub labels: String,
    pub annotations: Vec<String>,
    pub env: Vec<String>,
    pub port: String,
    pub restart: String,
    pub image_pull_policy: String,
    pub args: Vec<String>,
    pub command: bool,
    pub stdin: bool,
    pub tty: bool,
    pub leave_stdin_open: bool,
    pub privileged: bool,
}

/// The `run-pod/v1` generator.
pub fn run_pod(o: &RunPod) -> Result<Value, String> {
    let mut envs = Vec::new();
    for e in &o.env {
        let Some((name, value)) = e.split_once('=') else { return Err(format!("invalid env: {e}")) };
        if name.is_empty() || !is_env_var_name(name).is_empty() {
            return Err(format!("invalid env: {e}"));
        }
        // EnvVar.value is omitempty.
        envs.push(if value.is_empty() { json!({"name": name}) } else { json!({"name": name, "value": value}) });
    }
    let labels = if o.labels.is_empty() {
        BTreeMap::from([("run".to_string(), o.name.clone())])
    } else {
        parse_labels(&o.labels)?
    };
    let mut annotations = Map::new();
    for a in &o.annotations {
        let Some((k, v)) = a.split_once('=') else { return Err(format!("invalid annotations format: {a}")) };
        annotations.insert(k.to_string(), Value::String(v.to_string()));
    }
    let mut c = json!({"name": o.name, "image": o.image});
    if o.stdin {
        c["stdin"] = Value::Bool(true);
        if !o.leave_stdin_open {
            c["stdinOnce"] = Value::Bool(true);
        }
    }
    if o.tty {
        c["tty"] = Value::Bool(true);
    }
    if !o.args.is_empty() {
        c[if o.command { "command" } else { "args" }] = json!(o.args);
    }
    if !envs.is_empty() {
        c["env"] = Value::Array(envs);
    }
    if !o.image_pull_policy.is_empty() {
        c["imagePullPolicy"] = Value::String(o.image_pull_policy.clone());
    }
    if !o.port.is_empty() {
        let port: i64 =
            o.port.parse().map_err(|_| format!("strconv.Atoi: parsing {}: invalid syntax", go_quote(&o.port)))?;
        c["ports"] = json!([{"containerPort": port}]);
    }
    if o.privileged {
        c["securityContext"] = json!({"privileged": true});
    }
    let restart = if o.restart.is_empty() { "Always" } else { &o.restart };
    let mut meta = json!({"name": o.name, "labels": string_map(&labels)});
    if !annotations.is_empty() {
        meta["annotations"] = Value::Object(annotations);
    }
    Ok(json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {"containers": [c], "restartPolicy": restart, "dnsPolicy": "ClusterFirst"},
    }))
}

/// The Service `kubectl run --expose` creates (the `service/v2` generator).
pub fn run_service(name: &str, labels: &str, port: &str) -> Result<Value, String> {
    let selector = if labels.is_empty() { format!("run={name}") } else { labels.to_string() };
    let selector = parse_labels(&selector)?;
    let port_n: i64 = port.parse().map_err(|_| format!("strconv.Atoi: parsing {}: invalid syntax", go_quote(port)))?;
    let mut meta = json!({"name": name});
    if !labels.is_empty() {
        meta["labels"] = string_map(&parse_labels(labels)?);
    }
    Ok(json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta,
        "spec": {"ports": [{"port": port_n, "protocol": "TCP", "targetPort": port_n}], "selector": string_map(&selector)},
    }))
}

// ---------------------------------------------------------------------------------------------
// kubectl create token
// ---------------------------------------------------------------------------------------------

/// The claims of a service-account token (what the API server's TokenRequest signs).
pub struct TokenClaims<'a> {
    pub namespace: &'a str,
    pub service_account: &'a str,
    pub sa_uid: &'a str,
    pub audiences: &'a [String],
    pub issued_at: i64,
    pub expiration_s: i64,
    pub jti: &'a str,
    /// `(kind, name, uid)` of the object the token is bound to.
    pub bound: Option<(&'a str, &'a str, &'a str)>,
}

/// A JWT shaped like kube-apiserver's: RS256 header with a key id, the claims, and a signature.
/// The key id and signature are drawn from the simulator's seeded RNG (`random`), so the token
/// looks real and is the same on every run of a script, but signs nothing.
pub fn token(c: &TokenClaims, mut random: impl FnMut(usize) -> Vec<u8>) -> String {
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let kid = url.encode(random(32));
    let header = format!("{{\"alg\":\"RS256\",\"kid\":\"{kid}\"}}");
    let mut k8s = Map::new();
    k8s.insert("namespace".into(), Value::String(c.namespace.into()));
    if let Some((kind, name, uid)) = c.bound {
        k8s.insert(kind.to_ascii_lowercase(), json!({"name": name, "uid": uid}));
    }
    k8s.insert("serviceaccount".into(), json!({"name": c.service_account, "uid": c.sa_uid}));
    let claims = json!({
        "aud": c.audiences,
        "exp": c.issued_at + c.expiration_s,
        "iat": c.issued_at,
        "iss": "https://kubernetes.default.svc.cluster.local",
        "jti": c.jti,
        "kubernetes.io": k8s,
        "nbf": c.issued_at,
        "sub": format!("system:serviceaccount:{}:{}", c.namespace, c.service_account),
    });
    let payload = crate::kubectl::output::json::to_json_compact(&claims);
    let sig = url.encode(random(256));
    format!("{}.{}.{}", url.encode(header), url.encode(payload), sig)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_sources_like_kubectl() {
        assert_eq!(parse_file_source("dir/app.conf").unwrap(), ("app.conf".into(), "dir/app.conf".into()));
        assert_eq!(parse_file_source("k=app.conf").unwrap(), ("k".into(), "app.conf".into()));
        assert_eq!(parse_file_source("=x").unwrap_err(), "key name for file path x missing");
        assert_eq!(parse_file_source("k=").unwrap_err(), "file path for key name k missing");
        assert_eq!(parse_file_source("a=b=c").unwrap_err(), "key names or file paths cannot contain '='");
        assert_eq!(parse_literal_source("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert!(parse_literal_source("=a").is_err());
    }

    #[test]
    fn append_hash_matches_kubectl() {
        // kubectl create configmap c --from-literal=a=1 --append-hash → c-9dtcmmmm5t
        let m = json!({"kind": "ConfigMap", "name": "c", "data": {"a": "1"}});
        assert_eq!(encode_hash(&crate::kubectl::output::json::to_json_compact(&m)), "9dtcmmmm5t");
    }

    #[test]
    fn ingress_rules_follow_kubectls_regex() {
        for ok in
            ["foo.com/bar=svc:80", "/path=svc:http", "foo.com/*=svc:8080,tls=secret1", "a/=s:1,tls", "a/=s:1,tls="]
        {
            assert!(ingress_rule_valid(ok), "{ok}");
        }
        for bad in ["bad", "foo.com=svc:80", "/p=svc", "/p=svc:80,tl", "/p=svc:80,tls=a.b", "h:/p=s:1"] {
            assert!(!ingress_rule_valid(bad), "{bad}");
        }
    }

    #[test]
    fn service_ports() {
        assert_eq!(parse_ports("80:8080").unwrap(), (80, json!(8080)));
        assert_eq!(parse_ports("99999").unwrap_err(), "strconv.ParseUint: parsing \"99999\": value out of range");
        assert_eq!(
            parse_ports("80:Bad_Name").unwrap_err(),
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
        );
    }

    #[test]
    fn role_resources_resolve_short_names_and_groups() {
        assert_eq!(resource_for("deploy", "apps"), Some(("deployments".into(), "apps".into())));
        assert_eq!(resource_for("po", ""), Some(("pods".into(), "".into())));
        assert_eq!(resource_for("pods", "apps"), None);
        let r = parse_resources(&["pods/log".into(), "*".into()]);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].resource, "*");
    }
}
