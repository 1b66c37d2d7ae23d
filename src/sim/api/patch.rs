//! PATCH: the three patch types the API server accepts — strategic merge patch (kubectl's
//! default), JSON merge patch (RFC 7386) and JSON patch (RFC 6902) — applied to the stored
//! object, then decoded strictly and written through the normal update path (validation,
//! defaulting, generation).
//!
//! The strategic merge patch knows the `patchStrategy`/`patchMergeKey` struct tags of the
//! Kubernetes types a learner patches (containers by `name`, container ports by
//! `containerPort`, service ports by `port`, volumes, env, volumeMounts...): lists with a
//! merge key are merged item by item, other lists are replaced, `null` deletes a key, and the
//! `$patch: delete|replace` directives work.

use serde_json::{Map, Value};

use super::errors::ApiError;
use super::WriteOptions;
use crate::sim::{Kind, Object, World};

/// The `--type` of `kubectl patch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchType {
    Strategic,
    Merge,
    Json,
}

/// The merge key of the list at `path` (map keys from the object root), if the Kubernetes
/// type declares `patchStrategy:"merge"` for it.
pub fn merge_key(kind: Kind, path: &[String]) -> Option<&'static str> {
    let last = path.last()?.as_str();
    let parent = path.len().checked_sub(2).map(|i| path[i].as_str()).unwrap_or("");
    match last {
        "containers" | "initContainers" | "ephemeralContainers" => Some("name"),
        "env" | "volumes" | "imagePullSecrets" => Some("name"),
        "volumeMounts" => Some("mountPath"),
        "volumeDevices" => Some("devicePath"),
        "hostAliases" => Some("ip"),
        "conditions" => Some("type"),
        "ownerReferences" => Some("uid"),
        "topologySpreadConstraints" => Some("topologyKey"),
        "resourceClaims" => Some("name"),
        "ports" if matches!(parent, "containers" | "initContainers" | "ephemeralContainers") => Some("containerPort"),
        "ports" if kind == Kind::Service && path.len() == 2 && parent == "spec" => Some("port"),
        _ => None,
    }
}

/// Primitive lists with `patchStrategy:"merge"` (set semantics).
pub fn is_merged_set(path: &[String]) -> bool {
    matches!(path.last().map(String::as_str), Some("finalizers"))
}

fn smp_map(
    kind: Kind,
    path: &mut Vec<String>,
    orig: &mut Map<String, Value>,
    patch: &Map<String, Value>,
) -> Result<(), String> {
    if let Some(Value::String(d)) = patch.get("$patch") {
        match d.as_str() {
            "replace" => {
                let mut p = patch.clone();
                p.remove("$patch");
                *orig = p;
                return Ok(());
            }
            "delete" => {
                orig.clear();
                return Ok(());
            }
            other => return Err(format!("Unknown patch type: {other} in map: {}", Value::Object(patch.clone()))),
        }
    }
    for (k, pv) in patch {
        if k.starts_with("$setElementOrder/") || k == "$retainKeys" {
            continue;
        }
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(list)), Value::Array(del)) = (orig.get_mut(field), pv) {
                list.retain(|x| !del.contains(x));
            }
            continue;
        }
        if pv.is_null() {
            orig.remove(k);
            continue;
        }
        path.push(k.clone());
        match (orig.get_mut(k), pv) {
            (Some(Value::Object(o)), Value::Object(p)) => smp_map(kind, path, o, p)?,
            (Some(Value::Array(o)), Value::Array(p)) => smp_list(kind, path, o, p)?,
            (_, Value::Object(p)) => {
                let mut fresh = Map::new();
                smp_map(kind, path, &mut fresh, p)?;
                orig.insert(k.clone(), Value::Object(fresh));
            }
            (_, Value::Array(p)) => {
                let mut fresh = Vec::new();
                smp_list(kind, path, &mut fresh, p)?;
                orig.insert(k.clone(), Value::Array(fresh));
            }
            _ => {
                orig.insert(k.clone(), pv.clone());
            }
        }
        path.pop();
    }
    Ok(())
}

fn smp_list(kind: Kind, path: &mut Vec<String>, orig: &mut Vec<Value>, patch: &[Value]) -> Result<(), String> {
    if is_merged_set(path) {
        for v in patch {
            if !orig.contains(v) {
                orig.push(v.clone());
            }
        }
        return Ok(());
    }
    let Some(key) = merge_key(kind, path) else {
        // No merge strategy: the patch's list replaces the original (directives dropped).
        *orig = patch.iter().filter(|v| v.get("$patch").is_none()).cloned().collect();
        return Ok(());
    };
    for item in patch {
        let Value::Object(p) = item else {
            return Err(format!("unable to find api field in struct {} for the json field {:?}", "", item));
        };
        if p.get("$patch").and_then(Value::as_str) == Some("replace") {
            *orig = patch.iter().filter(|v| v.get("$patch").is_none()).cloned().collect();
            return Ok(());
        }
        let Some(kv) = p.get(key) else {
            return Err(format!("map: {} does not contain declared merge key: {key}", Value::Object(p.clone())));
        };
        let pos = orig.iter().position(|o| o.get(key) == Some(kv));
        if p.get("$patch").and_then(Value::as_str) == Some("delete") {
            if let Some(i) = pos {
                orig.remove(i);
            }
            continue;
        }
        match pos {
            Some(i) => {
                if let Value::Object(o) = &mut orig[i] {
                    smp_map(kind, path, o, p)?;
                }
            }
            None => {
                let mut fresh = Map::new();
                smp_map(kind, path, &mut fresh, p)?;
                orig.push(Value::Object(fresh));
            }
        }
    }
    Ok(())
}

/// Applies a strategic merge patch to an object's JSON.
pub fn strategic_merge(kind: Kind, orig: &Value, patch: &Value) -> Result<Value, String> {
    let (Value::Object(o), Value::Object(p)) = (orig, patch) else {
        return Err("invalid JSON document".into());
    };
    let mut out = o.clone();
    smp_map(kind, &mut Vec::new(), &mut out, p)?;
    Ok(Value::Object(out))
}

impl World {
    /// PATCH an object. `patch` is the JSON body.
    pub fn api_patch(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        ty: PatchType,
        patch: &Value,
        opts: WriteOptions,
    ) -> Result<Object, ApiError> {
        let current = self.api_get(kind, namespace, name)?.clone();
        let orig = current.to_value();
        let patched = match ty {
            PatchType::Strategic => {
                if !patch.is_object() {
                    return Err(ApiError::bad_request(format!(
                        "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                        json_kind(patch)
                    )));
                }
                strategic_merge(kind, &orig, patch).map_err(ApiError::bad_request)?
            }
            PatchType::Merge => {
                let mut v = orig.clone();
                json_patch::merge(&mut v, patch);
                v
            }
            PatchType::Json => {
                let ops: json_patch::Patch = serde_json::from_value(patch.clone()).map_err(|_| {
                    ApiError::bad_request(format!(
                        "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
                        json_kind(patch)
                    ))
                })?;
                let mut v = orig.clone();
                json_patch::patch(&mut v, &ops).map_err(|e| ApiError::internal(&e.to_string()))?;
                v
            }
        };
        let mut obj = super::decode::decode_object(&patched)?;
        // The identity of the object cannot be patched away.
        if obj.name() != current.name() {
            return Err(ApiError::bad_request(
                "the name of the object (".to_string()
                    + obj.name()
                    + ") does not match the name on the URL ("
                    + name
                    + ")",
            ));
        }
        if kind.namespaced() && obj.namespace().is_empty() {
            obj.meta_mut().namespace = Some(namespace.to_string());
        }
        self.api_update(obj, opts)
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Null => "null",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn containers_merge_by_name_and_null_deletes() {
        let orig = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "image": "nginx", "ports": [{"containerPort": 80}]},
            {"name": "b", "image": "redis"}
        ]}}, "paused": true}});
        let patch = json!({"spec": {"paused": null, "template": {"spec": {"containers": [
            {"name": "b", "image": "redis:7"},
            {"name": "c", "image": "busybox"},
            {"name": "a", "ports": [{"containerPort": 443}]}
        ]}}}});
        let out = strategic_merge(Kind::Deployment, &orig, &patch).unwrap();
        assert_eq!(
            out,
            json!({"spec": {"template": {"spec": {"containers": [
                {"name": "a", "image": "nginx", "ports": [{"containerPort": 80}, {"containerPort": 443}]},
                {"name": "b", "image": "redis:7"},
                {"name": "c", "image": "busybox"}
            ]}}}})
        );
    }

    #[test]
    fn lists_without_strategy_are_replaced_and_delete_directive_works() {
        let orig = json!({"spec": {"tolerations": [{"key": "a"}], "containers": [{"name": "a"}, {"name": "b"}]}});
        let patch = json!({"spec": {"tolerations": [{"key": "b"}], "containers": [{"name": "a", "$patch": "delete"}]}});
        let out = strategic_merge(Kind::Pod, &orig, &patch).unwrap();
        assert_eq!(out, json!({"spec": {"tolerations": [{"key": "b"}], "containers": [{"name": "b"}]}}));
    }
}
