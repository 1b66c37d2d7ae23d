//! kustomize's ConfigMap and Secret generators (`configMapGenerator`, `secretGenerator`,
//! `generatorOptions`) and the content hash they append to the generated names.
//!
//! Key/value sources load in kustomize's order: env files, then literals, then files. A value
//! that is not UTF-8 goes to a ConfigMap's `binaryData`. The hash is kustomize's: the SHA-256
//! of Go's `json.Marshal` of `{"data": ..., "kind": ..., "name": ""}` (kustomize looks the name
//! up with a path its lookup does not understand, so the name is always empty), its first ten
//! hex digits with `0 1 3 a e` swapped for `g h k m t` so the suffix never reads as a number.

use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::{json_type, meta_mut, Kustomization, Loader, Res};

/// The generated objects of one kustomization, ConfigMaps first, in file order.
pub(super) fn run(ld: Loader, dir: &str, k: &Kustomization) -> Result<Vec<Res>, String> {
    let global = k.generator_options.clone().unwrap_or(Value::Null);
    let mut out = Vec::new();
    for (args, secret) in
        k.config_map_generator.iter().map(|a| (a, false)).chain(k.secret_generator.iter().map(|a| (a, true)))
    {
        out.push(generate(ld, dir, args, secret, &global)?);
    }
    Ok(out)
}

/// Fields of ConfigMapArgs / SecretArgs.
const ARG_FIELDS: &[&str] = &["name", "namespace", "behavior", "literals", "files", "envs", "env", "options", "type"];

fn generate(ld: Loader, dir: &str, args: &Value, secret: bool, global: &Value) -> Result<Res, String> {
    // kustomize says "configmap" for both generators.
    let what = "configmap";
    let Some(a) = args.as_object() else {
        return Err(format!(
            "invalid Kustomization: json: cannot unmarshal {} into Go value of type types.{}Args",
            json_type(args),
            if secret { "Secret" } else { "ConfigMap" }
        ));
    };
    for key in a.keys() {
        if !ARG_FIELDS.contains(&key.as_str()) || (key == "type" && !secret) {
            return Err(format!("invalid Kustomization: json: unknown field \"{key}\""));
        }
    }
    let s = |key: &str| a.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    let strings = |key: &str| -> Vec<String> {
        a.get(key)
            .and_then(Value::as_array)
            .map(|v| v.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let name = s("name");
    if name.is_empty() {
        return Err(format!("a {what} must have a name"));
    }
    let behavior = s("behavior");
    if !matches!(behavior.as_str(), "" | "create" | "merge" | "replace") {
        return Err(format!("invalid generator behavior: {behavior}"));
    }
    let mut envs = strings("envs");
    let env = s("env");
    if !env.is_empty() {
        envs.push(env);
    }
    let mut pairs: Vec<(String, Vec<u8>)> = Vec::new();
    // kustomize reads env files, then literals, then files.
    for file in &envs {
        let text = ld.read(dir, file).map_err(|e| format!("loading KV pairs: env source files: [{file}]: {e}"))?;
        pairs.extend(env_pairs(&text).map_err(|e| format!("loading KV pairs: env source files: [{file}]: {e}"))?);
    }
    let literals = strings("literals");
    for lit in &literals {
        let Some((key, value)) = lit.split_once('=') else {
            return Err(format!(
                "loading KV pairs: literal sources [{}]: invalid literal source {lit}, expected key=value",
                literals.join(" ")
            ));
        };
        pairs.push((key.to_string(), remove_quotes(value).as_bytes().to_vec()));
    }
    for src in strings("files") {
        let wrap = |e: String| format!("loading KV pairs: file sources: [{src}]: {e}");
        let (key, path) = match src.split_once('=') {
            None => (src.rsplit('/').next().unwrap_or(&src).to_string(), src.clone()),
            Some((k, p)) => {
                if p.contains('=') {
                    return Err(wrap(format!("source {src} cannot be split into key and path")));
                }
                if k.is_empty() {
                    return Err(wrap(format!("key name for file path {p} missing")));
                }
                if p.is_empty() {
                    return Err(wrap(format!("file path for key name {k} missing")));
                }
                (k.to_string(), p.to_string())
            }
        };
        let data = ld.read(dir, &path).map_err(wrap)?;
        pairs.push((key, data));
    }

    let mut data = Map::new();
    let mut binary = Map::new();
    for (key, value) in pairs {
        if data.contains_key(&key) || binary.contains_key(&key) {
            return Err(format!(
                "{} {name} illegally repeats the key `{key}`",
                if secret { "secret" } else { "configmap" }
            ));
        }
        let b64 = || Value::String(base64::engine::general_purpose::STANDARD.encode(&value));
        if secret {
            data.insert(key, b64());
        } else {
            match String::from_utf8(value.clone()) {
                Ok(text) => {
                    data.insert(key, Value::String(text));
                }
                Err(_) => {
                    binary.insert(key, b64());
                }
            }
        }
    }

    // Options: the generator's own, with generatorOptions laid over them (kustomize's
    // MergeGlobalOptionsIntoLocal).
    let local = a.get("options").cloned().unwrap_or(Value::Null);
    let mut labels = Map::new();
    let mut annotations = Map::new();
    for opts in [&local, global] {
        for (key, into) in [("labels", &mut labels), ("annotations", &mut annotations)] {
            if let Some(m) = opts.get(key).and_then(Value::as_object) {
                for (k, v) in m {
                    into.insert(k.clone(), v.clone());
                }
            }
        }
    }
    let flag = |key: &str| [&local, global].iter().any(|o| o.get(key).and_then(Value::as_bool).unwrap_or(false));
    let mut obj = if secret {
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}})
    } else {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}})
    };
    let ns = s("namespace");
    {
        let meta = meta_mut(&mut obj);
        if !ns.is_empty() {
            meta.insert("namespace".into(), Value::String(ns));
        }
        if !labels.is_empty() {
            meta.insert("labels".into(), Value::Object(labels));
        }
        if !annotations.is_empty() {
            meta.insert("annotations".into(), Value::Object(annotations));
        }
    }
    if let Value::Object(o) = &mut obj {
        if !data.is_empty() {
            o.insert("data".into(), Value::Object(data));
        }
        if !binary.is_empty() {
            o.insert("binaryData".into(), Value::Object(binary));
        }
        if secret {
            let ty = s("type");
            o.insert("type".into(), Value::String(if ty.is_empty() { "Opaque".into() } else { ty }));
        }
        if flag("immutable") {
            o.insert("immutable".into(), Value::Bool(true));
        }
    }
    let mut res = Res::new(obj);
    res.hash = !flag("disableNameSuffixHash");
    res.behavior = behavior;
    Ok(res)
}

/// kustomize's literal values lose one pair of matching surrounding quotes.
fn remove_quotes(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 && b[0] == b[b.len() - 1] && (b[0] == b'"' || b[0] == b'\'') {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// An env file's pairs: one `KEY=VALUE` a line, blank lines and `#` comments skipped, leading
/// blanks dropped, everything after the first `=` kept as is (no quote removal, no trimming).
fn env_pairs(data: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if data.ends_with(b"\n") {
        lines.pop();
    }
    for (i, raw) in lines.into_iter().enumerate() {
        let mut line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if i == 0 {
            line = line.strip_prefix("\u{feff}".as_bytes()).unwrap_or(line);
        }
        let Ok(text) = std::str::from_utf8(line) else {
            return Err(format!("line {i} has invalid utf8 bytes : {}", String::from_utf8_lossy(line)));
        };
        let text = text.trim_start();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let (key, value) = text.split_once('=').unwrap_or((text, ""));
        out.push((key.to_string(), value.as_bytes().to_vec()));
    }
    Ok(out)
}

/// kustomize's hash of a ConfigMap or Secret.
pub(super) fn hash(obj: &Value) -> String {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let field = |key: &str| obj.get(key).cloned().unwrap_or_else(|| Value::String(String::new()));
    let mut m = Map::new();
    m.insert("kind".into(), Value::String(kind.to_string()));
    m.insert("name".into(), Value::String(String::new()));
    m.insert("data".into(), field("data"));
    if kind == "Secret" {
        m.insert("type".into(), field("type"));
        if let Some(sd) = obj.get("stringData").filter(|v| v.is_object()) {
            m.insert("stringData".into(), sd.clone());
        }
    } else if let Some(bd) = obj.get("binaryData").filter(|v| v.is_object()) {
        m.insert("binaryData".into(), bd.clone());
    }
    let encoded = crate::kubectl::output::json::to_json_compact(&Value::Object(m));
    let digest = Sha256::digest(encoded.as_bytes());
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

/// Appends the content hash to the names of generated objects (kustomize's HashTransformer,
/// run once at the top of the build).
pub(super) fn add_hashes(list: &mut [Res]) {
    for res in list.iter_mut().filter(|r| r.hash) {
        let h = hash(&res.obj);
        let name = format!("{}-{h}", res.name());
        res.set_name(&name);
        res.track();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_matches_kustomize() {
        // `kubectl kustomize` names these cfg-6b56fdfggc and sec-25k92892fb.
        let cm = json!({"kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"A": "1", "B": "two"}});
        assert_eq!(hash(&cm), "6b56fdfggc");
        let s =
            json!({"kind": "Secret", "metadata": {"name": "sec"}, "type": "Opaque", "data": {"password": "czNjcjN0"}});
        assert_eq!(hash(&s), "25k92892fb");
    }

    #[test]
    fn env_lines_keep_their_spaces() {
        let p = env_pairs(b"# c\nA=1\n\n  B = 2\r\nC\n").unwrap();
        let keys: Vec<&str> = p.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, vec!["A", "B ", "C"]);
        assert_eq!(p[1].1, b" 2");
        assert_eq!(p[2].1, b"");
    }

    #[test]
    fn literal_quotes() {
        assert_eq!(remove_quotes("\"a\""), "a");
        assert_eq!(remove_quotes("'a'"), "a");
        assert_eq!(remove_quotes("\"a'"), "\"a'");
        assert_eq!(remove_quotes("\""), "\"");
    }
}
