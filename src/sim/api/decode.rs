//! Reading manifests as kubectl and the API server do: split a file into documents
//! (kubectl's `YAMLReader`), convert YAML to JSON with yaml.v2's YAML 1.1 scalar rules
//! (sigs.k8s.io/yaml), check apiVersion/kind (kubectl's client-side validation), then decode
//! strictly into a typed object, with the server's error texts
//! (`Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "..."`).
//!
//! Error texts are returned without kubectl's `error: ` prefix, because kubectl adds it only
//! when the command has one error (see `cmdutil.CheckErr`).
//!
//! Known gaps: JSON syntax errors keep serde_json's wording (Go prints
//! `json: offset N: invalid character ...`); YAML merge keys (`<<`) and custom tags are not
//! applied; Go type names in `cannot unmarshal` errors come from a table of common fields
//! and fall back to a guess from the serde expectation.

use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::RefCell;
use std::fmt;

/// One object read from a manifest.
#[derive(Clone, Debug, PartialEq)]
pub struct ManifestDoc {
    pub api_version: String,
    pub kind: String,
    /// The object as JSON, as kubectl would send it to the server.
    pub value: Value,
    /// 1-based line in the file where the object's YAML document starts.
    pub line: usize,
}

/// The result of reading one manifest file. kubectl handles the objects read before an error
/// and then stops reading the file, so both can be present.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Manifest {
    pub docs: Vec<ManifestDoc>,
    /// kubectl's text for the error that stopped reading, without the `error: ` prefix.
    pub error: Option<String>,
}

/// Reads a manifest (YAML or JSON, several `---` documents, `kind: List`) as
/// `kubectl create/apply -f <source>` does. With `validate` (kubectl's default), objects without
/// apiVersion or kind are rejected as kubectl's schema check does; without it, as the decoder
/// does (`unable to decode ...: Object 'Kind' is missing in '...'`).
pub fn read_manifest(text: &str, source: &str, validate: bool) -> Manifest {
    let mut out = Manifest::default();
    let chunks = if text.trim_start().starts_with('{') {
        match json_chunks(text) {
            Ok(c) => c,
            Err(e) => {
                out.error = Some(format!("error parsing {source}: {e}"));
                return out;
            }
        }
    } else {
        match yaml_chunks(text) {
            Ok(c) => c,
            Err((done, e)) => {
                // Documents before a bad separator are still read.
                let err = format!("error parsing {source}: {e}");
                for (line, chunk) in done {
                    if !push_chunk(&mut out, line, &chunk, source, validate) {
                        return out;
                    }
                }
                out.error = Some(err);
                return out;
            }
        }
    };
    for (line, chunk) in chunks {
        if !push_chunk(&mut out, line, &chunk, source, validate) {
            return out;
        }
    }
    out
}

/// Converts and checks one document; false when reading must stop.
fn push_chunk(out: &mut Manifest, line: usize, chunk: &Chunk, source: &str, validate: bool) -> bool {
    let value = match chunk {
        Chunk::Json(v) => v.clone(),
        Chunk::Yaml(text) => match yaml_to_json(text) {
            Ok(v) => v,
            Err(e) => {
                out.error = Some(format!("error parsing {source}: {e}"));
                return false;
            }
        },
    };
    if value.is_null() {
        return true;
    }
    if validate {
        if let Err(e) = check_type_meta(&value) {
            out.error = Some(format!(
                "error validating {}: error validating data: {e}; if you choose to ignore these errors, turn validation off with --validate=false",
                crate::sim::api::errors::go_quote(source)
            ));
            return false;
        }
    }
    let (api_version, kind) = match type_meta(&value) {
        Some(tm) => tm,
        None => {
            out.error = Some(format!(
                "unable to decode {}: Object 'Kind' is missing in '{}'",
                crate::sim::api::errors::go_quote(source),
                value
            ));
            return false;
        }
    };
    if kind == "List" && api_version == "v1" {
        let items = value.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
        for item in items {
            if validate {
                if let Err(e) = check_type_meta(&item) {
                    out.error = Some(format!(
                        "error validating {}: error validating data: {e}; if you choose to ignore these errors, turn validation off with --validate=false",
                        crate::sim::api::errors::go_quote(source)
                    ));
                    return false;
                }
            }
            let Some((api_version, kind)) = type_meta(&item) else {
                out.error = Some(format!(
                    "unable to decode {}: Object 'Kind' is missing in '{}'",
                    crate::sim::api::errors::go_quote(source),
                    item
                ));
                return false;
            };
            out.docs.push(ManifestDoc { api_version, kind, value: item, line });
        }
        return true;
    }
    out.docs.push(ManifestDoc { api_version, kind, value, line });
    true
}

fn type_meta(v: &Value) -> Option<(String, String)> {
    let kind = v.get("kind")?.as_str()?.to_string();
    if kind.is_empty() {
        return None;
    }
    let api_version = v.get("apiVersion").and_then(Value::as_str).unwrap_or("").to_string();
    Some((api_version, kind))
}

/// kubectl's client-side check of apiVersion and kind (its schema validation).
fn check_type_meta(v: &Value) -> Result<(), String> {
    let Some(obj) = v.as_object() else {
        return Err("invalid object to validate".to_string());
    };
    let mut errs = Vec::new();
    for key in ["apiVersion", "kind"] {
        match obj.get(key) {
            None | Some(Value::Null) => errs.push(format!("{key} not set")),
            Some(Value::String(_)) => {}
            Some(_) => errs.push(format!("{key} isn't string type")),
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(crate::sim::api::errors::aggregate(errs))
    }
}

/// The error text kubectl prints when no API resource serves an object's kind
/// (`meta.NoKindMatchError` wrapped by the resource builder's mapper).
pub fn no_kind_match_error(name: &str, namespace: &str, source: &str, api_version: &str, kind: &str) -> String {
    use crate::sim::api::errors::go_quote;
    format!(
        "resource mapping not found for name: {} namespace: {} from {}: no matches for kind {} in version {}\nensure CRDs are installed first",
        go_quote(name),
        go_quote(namespace),
        go_quote(source),
        go_quote(kind),
        go_quote(api_version)
    )
}

enum Chunk {
    Yaml(String),
    Json(Value),
}

/// kubectl's `YAMLReader`: a line starting with `---` ends a document; only spaces and a
/// comment may follow the dashes.
#[allow(clippy::type_complexity)]
fn yaml_chunks(text: &str) -> Result<Vec<(usize, Chunk)>, (Vec<(usize, Chunk)>, String)> {
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut start = 1;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if let Some(rest) = line.strip_prefix("---") {
            let trimmed = rest.trim();
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                if !buf.is_empty() {
                    out.push((start, Chunk::Yaml(std::mem::take(&mut buf))));
                }
                return Err((out, format!("invalid Yaml document separator: {trimmed}")));
            }
            if !buf.is_empty() {
                out.push((start, Chunk::Yaml(std::mem::take(&mut buf))));
            }
            start = i + 2;
            continue;
        }
        buf.push_str(line);
    }
    if !buf.is_empty() {
        out.push((start, Chunk::Yaml(buf)));
    }
    Ok(out)
}

/// A stream of JSON objects (kubectl decodes JSON input with a JSON decoder).
fn json_chunks(text: &str) -> Result<Vec<(usize, Chunk)>, String> {
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    loop {
        let offset = stream.byte_offset();
        match stream.next() {
            None => break,
            Some(Ok(v)) => {
                let line = text.get(..offset).map(|s| s.matches('\n').count() + 1).unwrap_or(1);
                // Leading whitespace belongs to the previous offset; count from the object.
                let skipped = text
                    .get(offset..)
                    .map(|s| {
                        let t = s.trim_start();
                        s[..s.len() - t.len()].matches('\n').count()
                    })
                    .unwrap_or(0);
                out.push((line + skipped, Chunk::Json(v)));
            }
            Some(Err(e)) => {
                // Approximation: Go prints `json: offset N: <message>` with its own wording.
                let mut msg = e.to_string();
                if let Some(i) = msg.find(" at line ") {
                    msg.truncate(i);
                }
                return Err(format!("json: offset {}: {msg}", stream.byte_offset()));
            }
        }
    }
    Ok(out)
}

/// The objects of a manifest for callers that report errors themselves: like
/// [`read_manifest`] without kubectl's apiVersion/kind check; `Err` is the text kubectl prints
/// after `error parsing <file>: ` (prefer [`read_manifest`], which has kubectl's exact texts
/// for every case and keeps the objects read before an error).
pub fn parse_manifest(text: &str) -> Result<Vec<Value>, String> {
    let m = read_manifest(text, "", false);
    if let Some(e) = m.error.as_deref() {
        if let Some(rest) = e.strip_prefix("error parsing : ") {
            return Err(rest.to_string());
        }
    }
    match m.error {
        // Objects without a kind: kubectl stops there too.
        Some(e) => Err(e),
        None => Ok(m.docs.into_iter().map(|d| d.value).collect()),
    }
}

/// Strictly decodes a manifest object into the [`Object`] of its kind. A kind the server does
/// not serve gives a BadRequest worded like the RESTMapper's `no matches for kind "Foo" in
/// version "v1"` (kubectl itself prints [`no_kind_match_error`] for it).
pub fn decode_object(v: &Value) -> Result<crate::sim::object::Object, crate::sim::api::errors::ApiError> {
    use crate::sim::object::{Kind, Object};
    use k8s_openapi::api::{
        apps::v1 as apps, autoscaling::v2 as autoscaling, batch::v1 as batch, coordination::v1 as coordination,
        core::v1 as core, discovery::v1 as discovery, networking::v1 as networking, policy::v1 as policy,
        rbac::v1 as rbac, scheduling::v1 as scheduling, storage::v1 as storage,
    };
    let api_version = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind_name = v.get("kind").and_then(Value::as_str).unwrap_or("");
    let Some(kind) = Kind::from_api_version_kind(api_version, kind_name) else {
        return Err(crate::sim::api::errors::ApiError::bad_request(format!(
            "no matches for kind {} in version {}",
            crate::sim::api::errors::go_quote(kind_name),
            crate::sim::api::errors::go_quote(api_version)
        )));
    };
    macro_rules! strict {
        ($($k:ident => $t:ty),* $(,)?) => {
            match kind {
                $(Kind::$k => decode_strict::<$t>(v).map(Object::from)),*
            }
        };
    }
    let res = strict! {
        Pod => core::Pod, Node => core::Node, Namespace => core::Namespace,
        ConfigMap => core::ConfigMap, Secret => core::Secret, Event => core::Event,
        ServiceAccount => core::ServiceAccount, Service => core::Service,
        Endpoints => core::Endpoints, PersistentVolume => core::PersistentVolume,
        PersistentVolumeClaim => core::PersistentVolumeClaim, ResourceQuota => core::ResourceQuota,
        LimitRange => core::LimitRange, Deployment => apps::Deployment,
        ReplicaSet => apps::ReplicaSet, DaemonSet => apps::DaemonSet,
        StatefulSet => apps::StatefulSet, ControllerRevision => apps::ControllerRevision,
        Job => batch::Job, CronJob => batch::CronJob,
        HorizontalPodAutoscaler => autoscaling::HorizontalPodAutoscaler,
        Ingress => networking::Ingress, IngressClass => networking::IngressClass,
        NetworkPolicy => networking::NetworkPolicy, EndpointSlice => discovery::EndpointSlice,
        StorageClass => storage::StorageClass, PodDisruptionBudget => policy::PodDisruptionBudget,
        Role => rbac::Role, RoleBinding => rbac::RoleBinding, ClusterRole => rbac::ClusterRole,
        ClusterRoleBinding => rbac::ClusterRoleBinding, PriorityClass => scheduling::PriorityClass,
        Lease => coordination::Lease,
    };
    res.map_err(|e| e.to_api_error(api_version, kind.name()))
}

/// A YAML node as serde_yaml reads it; plain scalars that serde_yaml keeps as strings are
/// borrowed from the input, which lets us tell plain from quoted ones.
enum Node<'a> {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Borrowed(&'a str),
    Owned(String),
    Seq(Vec<Node<'a>>),
    Map(Vec<(Node<'a>, Node<'a>)>),
}

impl<'de> de::Deserialize<'de> for Node<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node<'de>, E> {
        Ok(Node::I64(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node<'de>, E> {
        Ok(Node::U64(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node<'de>, E> {
        Ok(Node::F64(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::Owned(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node<'de>, E> {
        Ok(Node::Owned(v))
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut v = Vec::new();
        while let Some(n) = seq.next_element()? {
            v.push(n);
        }
        Ok(Node::Seq(v))
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let mut v = Vec::new();
        while let Some((k, val)) = map.next_entry()? {
            v.push((k, val));
        }
        Ok(Node::Map(v))
    }
}

/// sigs.k8s.io/yaml's YAMLToJSON: parse with YAML 1.1 (yaml.v2) rules, then marshal to JSON.
/// Errors are texts as kubectl prints them after `error parsing <file>: `.
pub fn yaml_to_json(text: &str) -> Result<Value, String> {
    yaml_doc_to_json(text, true)
}

/// Like [`yaml_to_json`] with YAML 1.2 (yaml.v3) rules, as kustomize's kyaml reads resources:
/// plain `yes`, `on`, `Y`... stay strings.
pub fn yaml12_to_json(text: &str) -> Result<Value, String> {
    yaml_doc_to_json(text, false)
}

fn yaml_doc_to_json(text: &str, yaml11: bool) -> Result<Value, String> {
    // yaml.v2 reads the first document of the chunk.
    let Some(doc) = serde_yaml::Deserializer::from_str(text).next() else {
        return Ok(Value::Null);
    };
    let node: Node = match de::Deserialize::deserialize(doc) {
        Ok(n) => n,
        Err(e) => {
            return Err(format!("error converting YAML to JSON: {}", go_yaml_error(&e, !yaml11)));
        }
    };
    node_to_json(&node, text, yaml11).map_err(|e| format!("error converting YAML to JSON: {e}"))
}

/// Renders a libyaml error the way go-yaml (a port of libyaml) does in `parser.fail()`:
/// scanner errors report the 1-based line of the problem, parser errors the 0-based one,
/// and a problem on the first line falls back to the context's line or to no line at all.
/// With `v3`, go-yaml v3's choice of line: the context's mark first, then the problem's.
fn go_yaml_error(e: &serde_yaml::Error, v3: bool) -> String {
    let debug = format!("{e:?}");
    let display = e.to_string();
    let problem = display.split(" at line ").next().unwrap_or(&display).to_string();
    let problem = problem.split(", while ").next().unwrap_or(&problem).to_string();
    let mark_line = |key: &str| -> Option<usize> {
        let i = debug.find(key)?;
        let rest = &debug[i + key.len()..];
        let rest = rest.strip_prefix("Mark { line: ")?;
        let end = rest.find(',')?;
        rest[..end].parse::<usize>().ok()
    };
    let scanner = debug.contains("kind: SCANNER");
    let libyaml = scanner || debug.contains("kind: PARSER");
    if !libyaml {
        return format!("yaml: {problem}");
    }
    // serde_yaml shows 1-based lines; go-yaml works on 0-based marks.
    let problem0 = mark_line("problem_mark: ").unwrap_or(1).saturating_sub(1);
    let context0 = mark_line("context_mark: ").unwrap_or(1).saturating_sub(1);
    let bump = |l: usize| if scanner { l + 1 } else { l };
    let line = if v3 {
        if context0 != 0 {
            bump(context0)
        } else if problem0 != 0 {
            bump(problem0)
        } else {
            0
        }
    } else if problem0 != 0 {
        bump(problem0)
    } else {
        context0
    };
    if line != 0 {
        format!("yaml: line {line}: {problem}")
    } else {
        format!("yaml: {problem}")
    }
}

/// Whether a borrowed scalar was written plain (not quoted) in `src`.
fn is_plain(s: &str, src: &str) -> bool {
    let start = (s.as_ptr() as usize).wrapping_sub(src.as_ptr() as usize);
    if start > src.len() {
        return false;
    }
    !matches!(start.checked_sub(1).and_then(|i| src.as_bytes().get(i)), Some(b'"') | Some(b'\''))
}

/// yaml.v2's `resolve` for a plain scalar serde_yaml (YAML 1.2) left as a string.
fn resolve_plain(s: &str) -> Value {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Value::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Value::Bool(false);
        }
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        _ => {}
    }
    let first = s.as_bytes().first().copied().unwrap_or(b' ');
    if first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.') {
        let plain: String = s.chars().filter(|c| *c != '_').collect();
        if let Some(i) = go_parse_int(&plain) {
            return Value::Number(Number::from(i));
        }
        if is_yaml_float(&plain) {
            if let Ok(f) = plain.parse::<f64>() {
                return float_value(f);
            }
        }
    }
    Value::String(s.to_string())
}

/// Go's `strconv.ParseInt(s, 0, 64)`: sign, then 0x/0o/0b prefixes or a leading 0 for octal.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if body.is_empty() {
        return None;
    }
    let (radix, digits) = if let Some(r) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        (16, r)
    } else if let Some(r) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
        (8, r)
    } else if let Some(r) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
        (2, r)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let mag = i128::from_str_radix(digits, radix).ok()?;
    let v = if neg { -mag } else { mag };
    i64::try_from(v).ok()
}

/// yaml.v2's float pattern `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+') | Some(b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - st
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e') | Some(b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+') | Some(b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's json.Marshal prints whole floats without a fraction, so `1e3` reaches the server as
/// `1000` and decodes into integer fields.
fn float_value(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 1e21 && f.abs() < 9.2e18 {
        return Value::Number(Number::from(f as i64));
    }
    Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)
}

fn node_to_json(n: &Node, src: &str, yaml11: bool) -> Result<Value, String> {
    Ok(match n {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(*b),
        Node::I64(i) => Value::Number(Number::from(*i)),
        Node::U64(u) => Value::Number(Number::from(*u)),
        Node::F64(f) => {
            if f.is_nan() {
                return Err("json: unsupported value: NaN".to_string());
            }
            if f.is_infinite() {
                let s = if *f > 0.0 { "+Inf" } else { "-Inf" };
                return Err(format!("json: unsupported value: {s}"));
            }
            float_value(*f)
        }
        Node::Borrowed(s) => {
            if yaml11 && is_plain(s, src) {
                resolve_plain(s)
            } else {
                Value::String(s.to_string())
            }
        }
        Node::Owned(s) => Value::String(s.clone()),
        Node::Seq(items) => Value::Array(items.iter().map(|i| node_to_json(i, src, yaml11)).collect::<Result<_, _>>()?),
        Node::Map(entries) => {
            let mut m = Map::new();
            for (k, v) in entries {
                let key = match node_to_json(k, src, yaml11)? {
                    Value::String(s) => s,
                    Value::Bool(b) => b.to_string(),
                    Value::Number(n) => n.to_string(),
                    Value::Null => {
                        return Err("unsupported map key of type: %!s(<nil>)".to_string());
                    }
                    other => return Err(format!("unsupported map key: {other}")),
                };
                // Later keys win, as yaml.v2 does when unmarshalling into a map.
                m.insert(key, node_to_json(v, src, yaml11)?);
            }
            Value::Object(m)
        }
    })
}

/// A decoding error: the message the API server's decoder produces (before it is wrapped in
/// `<Kind> in version "<v>" cannot be handled as a <Kind>: `).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl DecodeError {
    /// The API server's BadRequest for a body it cannot decode into `kind`, with the version of
    /// the object's apiVersion (`apps/v1` → `v1`).
    pub fn to_api_error(&self, api_version: &str, kind: &str) -> crate::sim::api::errors::ApiError {
        let version = api_version.rsplit('/').next().unwrap_or(api_version);
        crate::sim::api::errors::ApiError::bad_request(format!(
            "{kind} in version {} cannot be handled as a {kind}: {}",
            crate::sim::api::errors::go_quote(version),
            self.message
        ))
    }
}

/// Decodes an object the way the API server does with `fieldValidation=Strict` (kubectl's
/// default): type errors as encoding/json words them, then every unknown field (in the order
/// the JSON body lists them, i.e. keys sorted, depth first).
pub fn decode_strict<T: DeserializeOwned + k8s_openapi::Resource>(value: &Value) -> Result<T, DecodeError> {
    let state = State::default();
    let de = De { v: value, st: &state, path: String::new(), go_struct: "", go_path: String::new(), field: "" };
    match T::deserialize(de) {
        Ok(t) => {
            let unknown = state.unknown.into_inner();
            if unknown.is_empty() {
                Ok(t)
            } else {
                let parts: Vec<String> =
                    unknown.iter().map(|p| format!("unknown field {}", crate::sim::api::errors::go_quote(p))).collect();
                Err(DecodeError { message: format!("strict decoding error: {}", parts.join(", ")) })
            }
        }
        Err(e) => Err(DecodeError { message: e.0 }),
    }
}

#[derive(Default)]
struct State {
    unknown: RefCell<Vec<String>>,
}

#[derive(Debug)]
struct DeError(String);

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for DeError {}
impl de::Error for DeError {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        DeError(msg.to_string())
    }
}

/// A deserializer over a JSON value that tracks where it is, so that errors and unknown
/// fields can be reported with the paths Go reports.
#[derive(Clone)]
struct De<'a> {
    v: &'a Value,
    st: &'a State,
    /// Path with indices: `spec.containers[0].ports[0]` (unknown-field reports).
    path: String,
    /// The Go struct holding this value and the struct-field path (type-error reports).
    go_struct: &'static str,
    go_path: String,
    /// The JSON field name of this value (for the Go type table).
    field: &'a str,
}

struct Expect<'v, V>(&'v V);
impl<'de, V: Visitor<'de>> fmt::Display for Expect<'_, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The Go type of a field for `cannot unmarshal` messages: a table of common list and map
/// fields, then a guess from serde's expectation text.
fn go_type(go_struct: &str, field: &str, expected: &str) -> String {
    let known = match (go_struct, field) {
        (_, "containers") | (_, "initContainers") => "[]v1.Container",
        ("Container", "ports") => "[]v1.ContainerPort",
        ("ServiceSpec", "ports") => "[]v1.ServicePort",
        (_, "env") => "[]v1.EnvVar",
        (_, "envFrom") => "[]v1.EnvFromSource",
        (_, "volumeMounts") => "[]v1.VolumeMount",
        (_, "volumes") => "[]v1.Volume",
        (_, "tolerations") => "[]v1.Toleration",
        (_, "imagePullSecrets") => "[]v1.LocalObjectReference",
        (_, "command") | (_, "args") | (_, "finalizers") => "[]string",
        (_, "items") if go_struct.ends_with("Projection") || go_struct.ends_with("VolumeSource") => "[]v1.KeyToPath",
        (_, "labels") | (_, "annotations") | (_, "nodeSelector") | (_, "matchLabels") => "map[string]string",
        ("ServiceSpec", "selector") | ("ConfigMap", "data") | ("Secret", "stringData") => "map[string]string",
        ("Secret", "data") => "map[string][]uint8",
        ("ResourceRequirements", "limits") | ("ResourceRequirements", "requests") => "v1.ResourceList",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    match expected {
        "a string" => "string".into(),
        "a boolean" => "bool".into(),
        "i32" => "int32".into(),
        "i64" => "int64".into(),
        "f64" => "float64".into(),
        "a sequence" => "[]interface {}".into(),
        "a map" => "map[string]interface {}".into(),
        e if !e.is_empty() && e.chars().all(|c| c.is_ascii_alphanumeric()) => format!("v1.{e}"),
        e => e.into(),
    }
}

impl<'a> De<'a> {
    fn child_field(&self, key: &'a str, value: &'a Value, in_struct: Option<&'static str>) -> De<'a> {
        let path = if self.path.is_empty() { key.to_string() } else { format!("{}.{key}", self.path) };
        let (go_struct, go_path) = match in_struct {
            Some(s) => (s, if self.go_path.is_empty() { key.to_string() } else { format!("{}.{key}", self.go_path) }),
            // Map values keep the enclosing struct field (Go names no map keys).
            None => (self.go_struct, self.go_path.clone()),
        };
        De {
            v: value,
            st: self.st,
            path,
            go_struct,
            go_path,
            // The Go-type table names fields, not the elements of maps.
            field: if in_struct.is_some() { key } else { "" },
        }
    }

    fn child_index(&self, i: usize, value: &'a Value) -> De<'a> {
        De {
            v: value,
            st: self.st,
            path: format!("{}[{i}]", self.path),
            go_struct: self.go_struct,
            go_path: self.go_path.clone(),
            field: "",
        }
    }

    /// encoding/json's UnmarshalTypeError text for this value.
    fn type_error(&self, expected: &str) -> DeError {
        let mut what = json_kind(self.v).to_string();
        if let Value::Number(n) = self.v {
            if matches!(expected, "i32" | "i64" | "u32" | "u64" | "u16" | "u8") {
                what = format!("number {n}");
            }
        }
        let ty = go_type(self.go_struct, self.field, expected);
        if self.go_struct.is_empty() {
            DeError(format!("json: cannot unmarshal {what} into Go value of type {ty}"))
        } else {
            DeError(format!(
                "json: cannot unmarshal {what} into Go struct field {}.{} of type {ty}",
                self.go_struct, self.go_path
            ))
        }
    }

    fn fail<'de, V: Visitor<'de>>(&self, visitor: &V) -> DeError {
        self.type_error(&Expect(visitor).to_string())
    }
}

struct SeqAcc<'a> {
    parent: De<'a>,
    items: std::iter::Enumerate<std::slice::Iter<'a, Value>>,
}

impl<'de, 'a> de::SeqAccess<'de> for SeqAcc<'a> {
    type Error = DeError;
    fn next_element_seed<S: de::DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>, DeError> {
        match self.items.next() {
            None => Ok(None),
            Some((i, v)) => seed.deserialize(self.parent.child_index(i, v)).map(Some),
        }
    }
}

struct MapAcc<'a> {
    parent: De<'a>,
    entries: std::vec::IntoIter<(&'a String, &'a Value)>,
    pending: Option<(&'a String, &'a Value)>,
    in_struct: Option<&'static str>,
}

impl<'de, 'a> de::MapAccess<'de> for MapAcc<'a> {
    type Error = DeError;
    fn next_key_seed<K: de::DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        match self.entries.next() {
            None => Ok(None),
            Some((k, v)) => {
                self.pending = Some((k, v));
                let kd: de::value::StrDeserializer<DeError> = k.as_str().into_deserializer();
                seed.deserialize(kd).map(Some)
            }
        }
    }
    fn next_value_seed<S: de::DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, DeError> {
        let Some((k, v)) = self.pending.take() else {
            return Err(DeError("value without key".into()));
        };
        seed.deserialize(self.parent.child_field(k, v, self.in_struct))
    }
}

fn sorted_entries(m: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut e: Vec<(&String, &Value)> = m.iter().collect();
    e.sort_by(|a, b| a.0.cmp(b.0));
    e
}

impl<'de, 'a> de::Deserializer<'de> for De<'a> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.v {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or(0.0))
                }
            }
            Value::String(s) => visitor.visit_str(s),
            Value::Array(_) => self.deserialize_seq(visitor),
            Value::Object(_) => self.deserialize_map(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.v {
            Value::Bool(b) => visitor.visit_bool(*b),
            // encoding/json leaves a field untouched for null.
            Value::Null => visitor.visit_bool(false),
            _ => Err(self.fail(&visitor)),
        }
    }

    fn deserialize_i8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_i64(v)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_i64(v)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_i64(v)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_i64(v)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_i64(v)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_i64(v)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_i64(v)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let res = match self.v {
            Value::Null => visitor.visit_i64(0),
            Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => visitor.visit_i64(i),
                (None, Some(u)) => visitor.visit_u64(u),
                _ => return Err(self.fail(&visitor)),
            },
            _ => return Err(self.fail(&visitor)),
        };
        // An out-of-range number (e.g. 1e10 into int32) is a type error in Go too.
        res.map_err(|_: DeError| self.type_error("i32"))
    }
    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(v)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.v {
            Value::Null => visitor.visit_f64(0.0),
            Value::Number(n) => visitor.visit_f64(n.as_f64().unwrap_or(0.0)),
            _ => Err(self.fail(&visitor)),
        }
    }
    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let base64 = Expect(&visitor).to_string() == "a base64-encoded string";
        match self.v {
            Value::Null => visitor.visit_str(""),
            Value::String(s) => {
                if base64 {
                    if let Some(at) = go_base64_error(s) {
                        return Err(DeError(format!("illegal base64 data at input byte {at}")));
                    }
                }
                visitor.visit_str(s)
            }
            _ => Err(if base64 { self.type_error("[]uint8") } else { self.fail(&visitor) }),
        }
    }
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.v {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(self, name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        if name == "Quantity" {
            // resource.Quantity accepts a JSON string or a bare number, and checks the syntax.
            let text = match self.v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Null => String::new(),
                _ => return Err(self.type_error("resource.Quantity")),
            };
            if !text.is_empty() {
                if let Err(e) = check_quantity(&text) {
                    return Err(DeError(e.to_string()));
                }
            }
            let owned = Value::String(text);
            let de = De {
                v: &owned,
                st: self.st,
                path: self.path.clone(),
                go_struct: self.go_struct,
                go_path: self.go_path.clone(),
                field: self.field,
            };
            return visitor.visit_newtype_struct(de).map_err(|e| DeError(e.0));
        }
        visitor.visit_newtype_struct(self)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.v {
            Value::Array(items) => {
                let acc = SeqAcc { parent: self.clone(), items: items.iter().enumerate() };
                visitor.visit_seq(acc)
            }
            Value::Null => visitor.visit_seq(SeqAcc { parent: self.clone(), items: [].iter().enumerate() }),
            _ => Err(self.fail(&visitor)),
        }
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(v)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(v)
    }
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.map_like(visitor, None)
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.map_like(visitor, Some(name))
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.v {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => Err(self.fail(&visitor)),
        }
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        // Only unknown struct fields are skipped with IgnoredAny in k8s-openapi.
        self.st.unknown.borrow_mut().push(self.path.clone());
        visitor.visit_unit()
    }
}

impl<'a> De<'a> {
    fn map_like<'de, V: Visitor<'de>>(self, visitor: V, in_struct: Option<&'static str>) -> Result<V::Value, DeError> {
        match self.v {
            Value::Object(m) => {
                let acc =
                    MapAcc { parent: self.clone(), entries: sorted_entries(m).into_iter(), pending: None, in_struct };
                visitor.visit_map(acc)
            }
            Value::Null => visitor.visit_map(MapAcc {
                parent: self.clone(),
                entries: Vec::new().into_iter(),
                pending: None,
                in_struct,
            }),
            _ => Err(self.fail(&visitor)),
        }
    }
}

/// Where Go's `base64.StdEncoding` stops on bad input (its `CorruptInputError`), if it does.
fn go_base64_error(s: &str) -> Option<usize> {
    let b: Vec<(usize, u8)> = s.bytes().enumerate().filter(|(_, c)| *c != b'\n' && *c != b'\r').collect();
    let alpha = |c: u8| c.is_ascii_alphanumeric() || c == b'+' || c == b'/';
    let mut n = 0;
    for (pos, &(i, c)) in b.iter().enumerate() {
        if c == b'=' {
            // Padding must complete a quantum of 4, with at least 2 data characters before it.
            let q = pos % 4;
            if q < 2 {
                return Some(i);
            }
            let rest = &b[pos..];
            let pads = 4 - q;
            if rest.len() < pads || rest.iter().take(pads).any(|(_, c)| *c != b'=') {
                return Some(rest.get(rest.len().min(pads)).map(|x| x.0).unwrap_or(s.len()));
            }
            if rest.len() > pads {
                return Some(rest[pads].0);
            }
            return None;
        }
        if !alpha(c) {
            return Some(i);
        }
        n += 1;
    }
    if n % 4 != 0 {
        let at = b.get(n - n % 4).map(|x| x.0).unwrap_or(s.len());
        return Some(at);
    }
    None
}

/// `resource.ParseQuantity`'s syntax errors.
pub fn check_quantity(s: &str) -> Result<(), &'static str> {
    const FORMAT: &str = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
    const SUFFIX: &str = "unable to parse quantity's suffix";
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+') | Some(b'-')) {
        i += 1;
    }
    let num_start = i;
    let mut seen_dot = false;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
        if b[i] == b'.' {
            if seen_dot {
                return Err(FORMAT);
            }
            seen_dot = true;
        }
        i += 1;
    }
    let num = &s[num_start..i];
    if num.is_empty() || num == "." {
        return Err(FORMAT);
    }
    let suffix_start = i;
    while i < b.len() && b"eEinumkKMGTP".contains(&b[i]) {
        i += 1;
    }
    if i < b.len() {
        // An exponent suffix may carry a signed number: 1e-3.
        if matches!(b[i], b'+' | b'-' | b'0'..=b'9') && i > suffix_start {
            let mut j = i;
            if matches!(b[j], b'+' | b'-') {
                j += 1;
            }
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            if j != b.len() {
                return Err(FORMAT);
            }
        } else {
            return Err(FORMAT);
        }
    }
    let suffix = &s[suffix_start..];
    let ok = matches!(
        suffix,
        "" | "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei"
    ) || ((suffix.starts_with('e') || suffix.starts_with('E'))
        && suffix.len() > 1
        && suffix[1..].trim_start_matches(['+', '-']).bytes().all(|c| c.is_ascii_digit())
        && !suffix[1..].trim_start_matches(['+', '-']).is_empty());
    if ok {
        Ok(())
    } else {
        Err(SUFFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::Deployment;
    use k8s_openapi::api::core::v1::{Pod, Secret};

    fn one(text: &str) -> Value {
        let m = read_manifest(text, "pod.yaml", true);
        assert_eq!(m.error, None);
        assert_eq!(m.docs.len(), 1);
        m.docs[0].value.clone()
    }

    fn err(text: &str, source: &str) -> String {
        read_manifest(text, source, true).error.unwrap_or_default()
    }

    // Expected texts below were captured from kubectl v1.32 (`kubectl create -f F --dry-run=client`).
    #[test]
    fn yaml_syntax_errors_as_kubectl_prints_them() {
        let bad = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels:\n    a: b\n    c: d: e\n";
        assert_eq!(
            err(bad, "bad.yaml"),
            "error parsing bad.yaml: error converting YAML to JSON: yaml: line 7: mapping values are not allowed in this context"
        );
        let tab = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n\timage: b\n";
        assert_eq!(
            err(tab, "tab.yaml"),
            "error parsing tab.yaml: error converting YAML to JSON: yaml: line 8: found a tab character that violates indentation"
        );
        let flow = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels:\n    a: [b\n";
        assert_eq!(
            err(flow, "fl.yaml"),
            "error parsing fl.yaml: error converting YAML to JSON: yaml: line 6: did not find expected ',' or ']'"
        );
        assert_eq!(
            err("a:\n  b: 1\n c: 2\n", "p1.yaml"),
            "error parsing p1.yaml: error converting YAML to JSON: yaml: line 2: did not find expected key"
        );
        assert_eq!(
            err("a: \"x\n", "p2.yaml"),
            "error parsing p2.yaml: error converting YAML to JSON: yaml: line 2: found unexpected end of stream"
        );
        assert_eq!(
            err("a: b: c\n", "p3.yaml"),
            "error parsing p3.yaml: error converting YAML to JSON: yaml: mapping values are not allowed in this context"
        );
        assert_eq!(
            err("a:\n- b\nc\n", "p4.yaml"),
            "error parsing p4.yaml: error converting YAML to JSON: yaml: line 4: could not find expected ':'"
        );
        assert_eq!(
            err("a: {b\n", "p5.yaml"),
            "error parsing p5.yaml: error converting YAML to JSON: yaml: line 1: did not find expected ',' or '}'"
        );
        assert_eq!(
            err("a: @x\n", "p6.yaml"),
            "error parsing p6.yaml: error converting YAML to JSON: yaml: found character that cannot start any token"
        );
        assert_eq!(
            err("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels:\n    a: .nan\n", "nan.yaml"),
            "error parsing nan.yaml: error converting YAML to JSON: json: unsupported value: NaN"
        );
        assert_eq!(
            err("apiVersion: v1\nkind: Pod\n--- x\n", "sep.yaml"),
            "error parsing sep.yaml: invalid Yaml document separator: x"
        );
    }

    #[test]
    fn line_numbers_are_relative_to_the_document() {
        let multi = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels:\n    c: d: e\n";
        let m = read_manifest(multi, "multi.yaml", true);
        assert_eq!(m.docs.len(), 1);
        assert_eq!(m.docs[0].kind, "ConfigMap");
        assert_eq!(
            m.error.as_deref(),
            Some(
                "error parsing multi.yaml: error converting YAML to JSON: yaml: line 6: mapping values are not allowed in this context"
            )
        );
        let m2 = "---\n# c\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels:\n    c: d: e\n";
        assert_eq!(
            err(m2, "m2.yaml"),
            "error parsing m2.yaml: error converting YAML to JSON: yaml: line 6: mapping values are not allowed in this context"
        );
    }

    #[test]
    fn type_meta_checks() {
        assert_eq!(
            err("metadata:\n  name: x\n", "x.yaml"),
            "error validating \"x.yaml\": error validating data: [apiVersion not set, kind not set]; if you choose to ignore these errors, turn validation off with --validate=false"
        );
        assert_eq!(
            err("kind: Pod\nmetadata:\n  name: x\n", "k.yaml"),
            "error validating \"k.yaml\": error validating data: apiVersion not set; if you choose to ignore these errors, turn validation off with --validate=false"
        );
        assert_eq!(
            err("apiVersion: v1\nmetadata:\n  name: x\n", "a.yaml"),
            "error validating \"a.yaml\": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false"
        );
        assert_eq!(
            err(
                "apiVersion: \"\"\nkind: 3\nmetadata:\n  name: x\n",
                "e.yaml"
            ),
            "error validating \"e.yaml\": error validating data: kind isn't string type; if you choose to ignore these errors, turn validation off with --validate=false"
        );
        assert_eq!(
            err("\"foo\"\n", "s.yaml"),
            "error validating \"s.yaml\": error validating data: invalid object to validate; if you choose to ignore these errors, turn validation off with --validate=false"
        );
        assert_eq!(
            err(
                "apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n",
                "l2.yaml"
            ),
            "error validating \"l2.yaml\": error validating data: apiVersion not set; if you choose to ignore these errors, turn validation off with --validate=false"
        );
        assert_eq!(
            read_manifest("metadata:\n  name: x\n", "x.yaml", false).error.as_deref(),
            Some("unable to decode \"x.yaml\": Object 'Kind' is missing in '{\"metadata\":{\"name\":\"x\"}}'")
        );
        // Comment-only and empty files hold no objects (kubectl: "no objects passed to create").
        assert_eq!(read_manifest("# only comment\n", "c.yaml", true), Manifest::default());
        assert_eq!(read_manifest("", "e.yaml", true), Manifest::default());
    }

    #[test]
    fn lists_and_json() {
        let m = read_manifest(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: b\n",
            "l.yaml",
            true,
        );
        assert_eq!(m.error, None);
        let kinds: Vec<_> = m.docs.iter().map(|d| (d.api_version.as_str(), d.kind.as_str())).collect();
        assert_eq!(kinds, vec![("v1", "ConfigMap"), ("apps/v1", "Deployment")]);
        let m = read_manifest(
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}\n{\"apiVersion\":\"v1\",\"kind\":\"Service\"}",
            "p.json",
            true,
        );
        assert_eq!(m.docs.len(), 2);
        assert_eq!(m.docs[1].line, 2);
        assert_eq!(
            no_kind_match_error("x", "", "x.yaml", "v1", "Foo"),
            "resource mapping not found for name: \"x\" namespace: \"\" from \"x.yaml\": no matches for kind \"Foo\" in version \"v1\"\nensure CRDs are installed first"
        );
    }

    #[test]
    fn yaml_1_1_scalars() {
        let v = one(
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: yes\n  b: \"yes\"\n  c: 'on'\n  d: Off\n  e: 0644\n  f: 1_000\n  g: 1e3\n  h: \"0644\"\n  i: 08\n  j: ~\n  k: 0x1F\n  l: 1.5\n  m: 2025-01-01\n  nn: y\n  o: |\n    yes\n",
        );
        let d = &v["data"];
        assert_eq!(d["a"], Value::Bool(true));
        assert_eq!(d["b"], Value::String("yes".into()));
        assert_eq!(d["c"], Value::String("on".into()));
        assert_eq!(d["d"], Value::Bool(false));
        assert_eq!(d["e"], serde_json::json!(420));
        assert_eq!(d["f"], serde_json::json!(1000));
        assert_eq!(d["g"], serde_json::json!(1000));
        assert_eq!(d["h"], Value::String("0644".into()));
        assert_eq!(d["i"], serde_json::json!(8));
        assert_eq!(d["j"], Value::Null);
        assert_eq!(d["k"], serde_json::json!(31));
        assert_eq!(d["l"], serde_json::json!(1.5));
        assert_eq!(d["m"], Value::String("2025-01-01".into()));
        assert_eq!(d["nn"], Value::Bool(true));
        assert_eq!(d["o"], Value::String("yes\n".into()));
        // Duplicate keys: the last one wins, as in yaml.v2.
        assert_eq!(one("apiVersion: v1\nkind: Pod\nkind: Service\n")["kind"], "Service");
        // Boolean keys become "true"/"false": `n:` is a YAML 1.1 boolean.
        assert_eq!(
            one("apiVersion: v1\nkind: ConfigMap\ndata:\n  on: x\n  n: y\n")["data"],
            serde_json::json!({"true": "x", "false": true})
        );
    }

    fn strict<T: DeserializeOwned + k8s_openapi::Resource>(text: &str) -> String {
        let v = one(text);
        match decode_strict::<T>(&v) {
            Ok(_) => "ok".into(),
            Err(e) => e
                .to_api_error(v["apiVersion"].as_str().unwrap_or(""), T::KIND)
                .with_source("creating", "pod.yaml")
                .kubectl_text(),
        }
    }

    #[test]
    fn strict_unknown_fields() {
        assert_eq!(
            strict::<Pod>(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx\n    ports:\n    - containerport: 80\n"
            ),
            "Error from server (BadRequest): error when creating \"pod.yaml\": Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.containers[0].ports[0].containerport\""
        );
        // Several: JSON key order (sorted, depth first), joined with ", ".
        assert_eq!(
            strict::<Pod>(
                "apiVersion: v1\nkind: Pod\nspec:\n  restartpolicy: Never\n  containers:\n  - name: web\n    imagee: nginx\nmetadata:\n  name: web\n  lables:\n    a: b\n"
            ),
            "Error from server (BadRequest): error when creating \"pod.yaml\": Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"metadata.lables\", unknown field \"spec.containers[0].imagee\", unknown field \"spec.restartpolicy\""
        );
        assert_eq!(
            strict::<Deployment>(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replica: 2\n"
            ),
            "Error from server (BadRequest): error when creating \"pod.yaml\": Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replica\""
        );
        assert_eq!(
            strict::<Pod>(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\nspec:\n  containers:\n  - name: web\n    image: nginx\n    env:\n    resources:\n      limits:\n        cpu: 0.5\n        memory: 128Mi\n"
            ),
            "ok"
        );
    }

    #[test]
    fn type_errors() {
        // Message shapes from encoding/json's UnmarshalTypeError (Go struct field <Struct>.<json path>).
        assert_eq!(
            strict::<Pod>(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    enabled: yes\n"
            ),
            "Error from server (BadRequest): error when creating \"pod.yaml\": Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string"
        );
        assert_eq!(
            strict::<Pod>(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers: nginx\n"
            ),
            "Error from server (BadRequest): error when creating \"pod.yaml\": Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container"
        );
        assert_eq!(
            strict::<Pod>(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx\n    ports:\n    - containerPort: \"80\"\n"
            ),
            "Error from server (BadRequest): error when creating \"pod.yaml\": Pod in version \"v1\" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"
        );
        assert_eq!(
            strict::<Deployment>(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1.5\n"
            ),
            "Error from server (BadRequest): error when creating \"pod.yaml\": Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32"
        );
        assert_eq!(
            strict::<Pod>(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx\n    resources:\n      limits:\n        memory: 128mb\n"
            ),
            "Error from server (BadRequest): error when creating \"pod.yaml\": Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
        );
        assert_eq!(
            strict::<Secret>(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: admin\n"
            ),
            "Error from server (BadRequest): error when creating \"pod.yaml\": Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 4"
        );
        assert_eq!(
            strict::<Secret>("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: YWRtaW4=\n"),
            "ok"
        );
    }

    #[test]
    fn quantities() {
        for ok in ["1", "0.5", "500m", "128Mi", "1Gi", "1e3", "1E-3", "+1k", ".5"] {
            assert_eq!(check_quantity(ok), Ok(()), "{ok}");
        }
        assert_eq!(check_quantity("1mm"), Err("unable to parse quantity's suffix"));
        assert!(check_quantity("1GiB").is_err());
        assert!(check_quantity("abc").is_err());
    }
}
