//! kustomize's patches: `patches` (strategic merge or JSON 6902, inline or from a file, with
//! an optional target selector), `patchesStrategicMerge` and `patchesJson6902`.
//!
//! The strategic merge is kyaml's (merge2), which differs from the API server's in one way a
//! learner can see: a merged list lists the patch's items first, in the patch's order, then
//! the items only the object had. Lists merge by the Kubernetes types' merge keys (containers
//! by name, ports by containerPort...); for kinds kustomize has no schema for, by a key every
//! item has (`name`, `mountPath`...), as kyaml infers it.

use serde_json::{Map, Value};

use super::{json_type, name_of, namespace_of, Gvk, Loader, Res};
use crate::sim::api::errors::go_quote;

/// Keys kyaml tries, in order, to merge a list it has no schema for.
const INFERRED_KEYS: [&str; 7] = ["mountPath", "devicePath", "ip", "type", "topologyKey", "name", "containerPort"];

/// The merge key of the list at `path` in an object of `gvk`; None: the list is replaced.
fn list_key(gvk: &Gvk, path: &[String], dest: &[Value], patch: &[Value]) -> Option<String> {
    let api_version = if gvk.group.is_empty() { gvk.version.clone() } else { format!("{}/{}", gvk.group, gvk.version) };
    if let Some(kind) = crate::sim::Kind::from_api_version_kind(&api_version, &gvk.kind) {
        return crate::sim::api::patch::merge_key(kind, path).map(str::to_string);
    }
    let items: Vec<&Value> = dest.iter().chain(patch.iter()).collect();
    if items.is_empty() || !items.iter().all(|i| i.is_object()) {
        return None;
    }
    INFERRED_KEYS.iter().find(|k| items.iter().all(|i| i.get(**k).is_some())).map(|k| k.to_string())
}

/// Applies a strategic merge patch the way kustomize does; None when the patch deletes the
/// object (`$patch: delete`).
pub(super) fn strategic_merge(gvk: &Gvk, dest: &Value, patch: &Value) -> Option<Value> {
    let (Value::Object(d), Value::Object(p)) = (dest, patch) else { return Some(dest.clone()) };
    let mut out = d.clone();
    if merge_map(gvk, &mut Vec::new(), &mut out, p) {
        Some(Value::Object(out))
    } else {
        None
    }
}

/// Merges `patch` into `dest`; false when the map is deleted.
fn merge_map(gvk: &Gvk, path: &mut Vec<String>, dest: &mut Map<String, Value>, patch: &Map<String, Value>) -> bool {
    match patch.get("$patch").and_then(Value::as_str) {
        Some("delete") => return false,
        Some("replace") => {
            let mut p = patch.clone();
            p.remove("$patch");
            *dest = p;
            return true;
        }
        _ => {}
    }
    for (k, pv) in patch {
        if k.starts_with('$') {
            continue;
        }
        if pv.is_null() {
            dest.remove(k);
            continue;
        }
        path.push(k.clone());
        match (dest.get_mut(k), pv) {
            (Some(Value::Object(d)), Value::Object(p)) => {
                if !merge_map(gvk, path, d, p) {
                    dest.remove(k);
                }
            }
            (Some(Value::Array(d)), Value::Array(p)) => {
                let merged = merge_list(gvk, path, d, p);
                dest.insert(k.clone(), Value::Array(merged));
            }
            (_, Value::Object(p)) => {
                let mut fresh = Map::new();
                if merge_map(gvk, path, &mut fresh, p) {
                    dest.insert(k.clone(), Value::Object(fresh));
                }
            }
            (_, Value::Array(p)) => {
                let merged = merge_list(gvk, path, &[], p);
                dest.insert(k.clone(), Value::Array(merged));
            }
            _ => {
                dest.insert(k.clone(), pv.clone());
            }
        }
        path.pop();
    }
    true
}

fn merge_list(gvk: &Gvk, path: &mut Vec<String>, dest: &[Value], patch: &[Value]) -> Vec<Value> {
    let directive = |v: &Value| v.get("$patch").and_then(Value::as_str).map(str::to_string);
    if patch.iter().any(|v| directive(v).as_deref() == Some("replace")) {
        return patch.iter().filter(|v| directive(v).is_none()).cloned().collect();
    }
    let Some(key) = list_key(gvk, path, dest, patch) else {
        return patch.iter().filter(|v| directive(v).is_none()).cloned().collect();
    };
    let key_of = |v: &Value| v.get(&key).cloned();
    // The patch's keys in its order, then the keys only the object had.
    let mut keys: Vec<Value> = Vec::new();
    for v in patch.iter().chain(dest.iter()) {
        if let Some(kv) = key_of(v) {
            if !keys.contains(&kv) {
                keys.push(kv);
            }
        }
    }
    let mut out = Vec::new();
    for kv in keys {
        let d = dest.iter().find(|v| key_of(v).as_ref() == Some(&kv));
        let p = patch.iter().find(|v| key_of(v).as_ref() == Some(&kv));
        match (d, p) {
            (_, Some(p)) if directive(p).as_deref() == Some("delete") => {}
            (Some(Value::Object(d)), Some(Value::Object(p))) => {
                let mut item = d.clone();
                if merge_map(gvk, path, &mut item, p) {
                    out.push(Value::Object(item));
                }
            }
            (None, Some(Value::Object(p))) => {
                let mut item = Map::new();
                if merge_map(gvk, path, &mut item, p) {
                    out.push(Value::Object(item));
                }
            }
            (Some(d), None) => out.push(d.clone()),
            (_, Some(p)) => out.push(p.clone()),
            (None, None) => {}
        }
    }
    // Items without the key are kept from the object.
    out.extend(dest.iter().filter(|v| key_of(v).is_none()).cloned());
    out
}

/// A patch's target selector (kustomize's types.Selector).
#[derive(Default, Debug)]
struct Selector {
    group: String,
    version: String,
    kind: String,
    name: String,
    namespace: String,
    label_selector: String,
    annotation_selector: String,
}

impl Selector {
    fn parse(v: &Value) -> Result<Selector, String> {
        let Some(m) = v.as_object() else {
            return Err(format!(
                "json: cannot unmarshal {} into Go struct field Patch.patches.target of type types.Selector",
                json_type(v)
            ));
        };
        let mut s = Selector::default();
        for (k, val) in m {
            let text = match val {
                Value::String(t) => t.clone(),
                Value::Null => String::new(),
                other => {
                    return Err(format!(
                        "json: cannot unmarshal {} into Go struct field Selector.patches.target.{k} of type string",
                        json_type(other)
                    ))
                }
            };
            match k.as_str() {
                "group" => s.group = text,
                "version" => s.version = text,
                "kind" => s.kind = text,
                "name" => s.name = text,
                "namespace" => s.namespace = text,
                "labelSelector" => s.label_selector = text,
                "annotationSelector" => s.annotation_selector = text,
                other => return Err(format!("json: unknown field \"{other}\"")),
            }
        }
        Ok(s)
    }

    /// Whether the selector picks `res`: name and namespace (regular expressions, matched
    /// against the original or the current id), group/version/kind, label and annotation
    /// selectors.
    fn selects(&self, res: &Res) -> Result<bool, String> {
        let full = |pattern: &str, value: &str| -> Result<bool, String> {
            if pattern.is_empty() {
                return Ok(true);
            }
            let re = regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|e| e.to_string())?;
            Ok(re.is_match(value))
        };
        let eff = |ns: &str| if ns.is_empty() { "default".to_string() } else { ns.to_string() };
        if !full(&self.namespace, &eff(res.original_namespace()))? && !full(&self.namespace, &eff(&res.namespace()))? {
            return Ok(false);
        }
        if !full(&self.name, res.original_name())? && !full(&self.name, &res.name())? {
            return Ok(false);
        }
        let gvk = res.gvk();
        if (!self.group.is_empty() && self.group != gvk.group)
            || (!self.version.is_empty() && self.version != gvk.version)
            || (!self.kind.is_empty() && self.kind != gvk.kind)
        {
            return Ok(false);
        }
        for (sel, field) in [(&self.label_selector, "labels"), (&self.annotation_selector, "annotations")] {
            if sel.is_empty() {
                continue;
            }
            let parsed = crate::sim::api::selector::Selector::parse(sel).map_err(|e| e.to_string())?;
            let mut map = std::collections::BTreeMap::new();
            if let Some(m) = res.obj.pointer(&format!("/metadata/{field}")).and_then(Value::as_object) {
                for (k, v) in m {
                    map.insert(k.clone(), v.as_str().unwrap_or("").to_string());
                }
            }
            if !parsed.matches(&map) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// The text of a patch file named in the kustomization in `dir`.
fn load(ld: Loader, dir: &str, path: &str) -> Result<String, String> {
    ld.read(dir, path).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// A parsed patch: strategic merge documents, or JSON 6902 operations.
enum Parsed {
    Strategic(Vec<Value>),
    Json(Value),
}

fn parse_patch(text: &str, source: &str) -> Result<Parsed, String> {
    let trimmed = text.trim_start();
    // A JSON 6902 patch is a list of operations (JSON or YAML).
    let as_list = if trimmed.starts_with('[') {
        serde_json::from_str::<Value>(trimmed).ok()
    } else {
        crate::sim::api::decode::yaml12_to_json(text).ok()
    };
    if let Some(v @ Value::Array(_)) = as_list {
        return Ok(Parsed::Json(v));
    }
    let docs =
        super::read_resources(text, source).map_err(|_| format!("unable to parse SM or JSON patch from {source}"))?;
    if docs.is_empty() {
        return Err(format!("unable to parse SM or JSON patch from {source}"));
    }
    Ok(Parsed::Strategic(docs))
}

/// Applies a strategic merge patch to one object, keeping its name, kind and namespace unless
/// the options allow a change; false when the patch deleted it.
fn apply_smp(res: &mut Res, patch: &Value, allow_name: bool, allow_kind: bool) -> bool {
    let (name, ns, kind) = (res.name(), res.namespace(), res.kind().to_string());
    let gvk = res.gvk();
    // kustomize reads a patch's labels and annotations as strings: `null` there is the
    // string "null", not a deletion.
    let mut patch = patch.clone();
    for key in ["labels", "annotations"] {
        if let Some(Value::Object(m)) = patch.pointer_mut(&format!("/metadata/{key}")) {
            for v in m.values_mut() {
                if v.is_null() {
                    *v = Value::String("null".into());
                }
            }
        }
    }
    let Some(mut merged) = strategic_merge(&gvk, &res.obj, &patch) else { return false };
    if let Value::Object(o) = &mut merged {
        if !allow_kind {
            o.insert("kind".into(), Value::String(kind));
        }
    }
    res.obj = merged;
    if !allow_name {
        res.set_name(&name);
    }
    if ns.is_empty() {
        super::meta_mut(&mut res.obj).remove("namespace");
    } else {
        res.set_namespace(&ns);
    }
    res.track();
    true
}

fn apply_json(res: &mut Res, ops: &Value, source: &str) -> Result<(), String> {
    let patch: json_patch::Patch =
        serde_json::from_value(ops.clone()).map_err(|e| format!("unable to parse JSON patch from {source}: {e}"))?;
    let mut v = res.obj.clone();
    json_patch::patch(&mut v, &patch).map_err(|e| format!("unable to apply JSON patch from {source}: {e}"))?;
    if !v.is_object() {
        return Err(format!("the JSON patch from {source} did not leave an object"));
    }
    res.obj = v;
    res.track();
    Ok(())
}

/// Finds the one object with the patch's own id (kind, name, namespace), by any id it had.
fn target_of(list: &[Res], patch: &Value) -> Result<usize, String> {
    let gvk = Gvk::of(patch);
    let (name, ns) = (name_of(patch), namespace_of(patch));
    let id = super::id_string(&gvk, &name, &ns);
    let found: Vec<usize> = (0..list.len())
        .filter(|&i| {
            let r = &list[i];
            r.gvk() == gvk
                && (r.ids.iter().any(|(n, s)| *n == name && super::same_ns(s, &ns))
                    || (r.name() == name && super::same_ns(&r.namespace(), &ns)))
        })
        .collect();
    match found.as_slice() {
        [i] => Ok(*i),
        [] => Err(format!(
            "no resource matches strategic merge patch \"{id}\": no matches for Id {id}; failed to find unique target for patch {id}"
        )),
        _ => Err(format!(
            "no resource matches strategic merge patch \"{id}\": multiple matches for Id {id}; failed to find unique target for patch {id}"
        )),
    }
}

/// Applies strategic merge patches without a target: each to the object it names.
fn apply_by_id(list: &mut Vec<Res>, docs: &[Value], allow_name: bool, allow_kind: bool) -> Result<(), String> {
    for doc in docs {
        let i = target_of(list, doc)?;
        if !apply_smp(&mut list[i], doc, allow_name, allow_kind) {
            list.remove(i);
        }
    }
    Ok(())
}

/// One entry of `patchesStrategicMerge`: a file name or an inline patch.
pub(super) fn strategic_merge_entry(ld: Loader, dir: &str, entry: &str, list: &mut Vec<Res>) -> Result<(), String> {
    let inline = entry.contains('\n') || entry.trim_start().starts_with('{');
    let text = if inline { entry.to_string() } else { load(ld, dir, entry)? };
    let docs = super::read_resources(&text, entry)?;
    apply_by_id(list, &docs, false, false)
}

/// One entry of `patches`.
pub(super) fn patch_entry(ld: Loader, dir: &str, entry: &Value, list: &mut Vec<Res>) -> Result<(), String> {
    let Some(m) = entry.as_object() else {
        return Err(format!(
            "invalid Kustomization: json: cannot unmarshal {} into Go struct field Kustomization.patches of type types.Patch",
            json_type(entry)
        ));
    };
    for key in m.keys() {
        if !matches!(key.as_str(), "path" | "patch" | "target" | "options") {
            return Err(format!("invalid Kustomization: json: unknown field \"{key}\""));
        }
    }
    let path = m.get("path").and_then(Value::as_str).unwrap_or("");
    let inline = m.get("patch").and_then(Value::as_str).unwrap_or("");
    let config = || {
        let mut c = Map::new();
        for key in ["options", "patch", "path", "target"] {
            if let Some(v) = m.get(key).filter(|v| !v.is_null() && v.as_str() != Some("")) {
                c.insert(key.into(), v.clone());
            }
        }
        crate::kubectl::output::yaml::to_yaml(&Value::Object(c))
    };
    let trouble =
        |e: String| format!("trouble configuring builtin PatchTransformer with config: `\n{}`: {e}", config());
    if path.is_empty() && inline.is_empty() {
        return Err(trouble("must specify one of patch and path in\n".to_string() + &config()));
    }
    if !path.is_empty() && !inline.is_empty() {
        return Err(trouble("patch and path can't be set at the same time\n".to_string() + &config()));
    }
    let (text, source) = if path.is_empty() {
        (inline.to_string(), format!("[patch: {}]", go_quote(inline)))
    } else {
        (
            load(ld, dir, path).map_err(|e| trouble(format!("failed to get the patch file from path({path}): {e}")))?,
            format!("[path: {}]", go_quote(path)),
        )
    };
    let parsed = parse_patch(&text, &source).map_err(trouble)?;
    let opts = m.get("options").and_then(Value::as_object);
    let opt = |k: &str| opts.and_then(|o| o.get(k)).and_then(Value::as_bool).unwrap_or(false);
    let (allow_name, allow_kind) = (opt("allowNameChange"), opt("allowKindChange"));
    let target = match m.get("target").filter(|t| !t.is_null()) {
        Some(t) => Some(Selector::parse(t).map_err(|e| format!("invalid Kustomization: {e}"))?),
        None => None,
    };
    match (parsed, target) {
        (Parsed::Strategic(docs), None) => apply_by_id(list, &docs, allow_name, allow_kind),
        (Parsed::Strategic(docs), Some(sel)) => {
            for doc in docs {
                let mut keep = Vec::with_capacity(list.len());
                for mut res in std::mem::take(list) {
                    if sel.selects(&res)? && !apply_smp(&mut res, &doc, allow_name, allow_kind) {
                        continue;
                    }
                    keep.push(res);
                }
                *list = keep;
            }
            Ok(())
        }
        (Parsed::Json(_), None) => Err(format!("must specify a target for JSON patch {source}")),
        (Parsed::Json(ops), Some(sel)) => {
            for res in list.iter_mut() {
                if sel.selects(res)? {
                    apply_json(res, &ops, &source)?;
                }
            }
            Ok(())
        }
    }
}

/// One entry of `patchesJson6902`: a target and a `path` or inline `patch`.
pub(super) fn json6902_entry(ld: Loader, dir: &str, entry: &Value, list: &mut [Res]) -> Result<(), String> {
    let Some(m) = entry.as_object() else {
        return Err(format!(
            "invalid Kustomization: json: cannot unmarshal {} into Go struct field Kustomization.patchesJson6902 of type types.Patch",
            json_type(entry)
        ));
    };
    for key in m.keys() {
        if !matches!(key.as_str(), "path" | "patch" | "target" | "options") {
            return Err(format!("invalid Kustomization: json: unknown field \"{key}\""));
        }
    }
    let Some(target) = m.get("target").filter(|t| !t.is_null()) else {
        return Err("must specify a target for patch".into());
    };
    let sel = Selector::parse(target).map_err(|e| format!("invalid Kustomization: {e}"))?;
    let path = m.get("path").and_then(Value::as_str).unwrap_or("");
    let inline = m.get("patch").and_then(Value::as_str).unwrap_or("");
    let (text, source) = if path.is_empty() {
        (inline.to_string(), inline.to_string())
    } else {
        (load(ld, dir, path)?, path.to_string())
    };
    let ops = if text.trim_start().starts_with('[') {
        serde_json::from_str::<Value>(text.trim()).map_err(|e| e.to_string())?
    } else {
        crate::sim::api::decode::yaml12_to_json(&text).map_err(|e| e.to_string())?
    };
    for res in list.iter_mut() {
        if sel.selects(res)? {
            apply_json(res, &ops, &source)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merged_lists_put_the_patch_first() {
        let gvk = Gvk { group: String::new(), version: "v1".into(), kind: "Pod".into() };
        let dest = json!({"spec": {"containers": [{"name": "a", "image": "a"}, {"name": "b", "image": "b"}]}});
        let patch = json!({"spec": {"containers": [{"name": "b", "image": "b2"}, {"name": "c", "image": "c"}, {"name": "a", "$patch": "delete"}]}});
        let out = strategic_merge(&gvk, &dest, &patch).unwrap();
        assert_eq!(out, json!({"spec": {"containers": [{"name": "b", "image": "b2"}, {"name": "c", "image": "c"}]}}));
    }

    #[test]
    fn lists_without_a_key_are_replaced() {
        let gvk = Gvk { group: String::new(), version: "v1".into(), kind: "Pod".into() };
        let dest = json!({"spec": {"containers": [{"name": "a", "args": ["x", "y"]}]}});
        let patch = json!({"spec": {"containers": [{"name": "a", "args": ["z"]}]}});
        let out = strategic_merge(&gvk, &dest, &patch).unwrap();
        assert_eq!(out, json!({"spec": {"containers": [{"name": "a", "args": ["z"]}]}}));
    }
}
