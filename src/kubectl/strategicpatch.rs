//! The patch `kubectl apply` sends: apimachinery's `strategicpatch.CreateThreeWayMergePatch`
//! (original = the last-applied configuration, modified = the manifest with its new
//! annotation, current = the live object). kubectl prints it when the server refuses it
//! (`error when applying patch:\n<patch>\nto:\n...`), so it must be the same bytes.
//!
//! Lists with a `patchMergeKey` (containers by name...) are diffed item by item with a
//! `$setElementOrder/<list>` directive and `$patch: delete` entries; `finalizers` (a merged
//! set of scalars) gets `$deleteFromPrimitiveList/finalizers`; other lists are replaced; a key
//! dropped since the last apply is `null`; `$retainKeys` lists the keys of a Deployment's
//! `spec.strategy` and of a volume, the two `retainKeys` fields people apply.

use serde_json::{Map, Value};

use crate::sim::api::patch::{is_merged_set, merge_key};
use crate::sim::Kind;

/// `strategicpatch.DiffOptions`.
#[derive(Clone, Copy)]
struct Opts {
    ignore_deletions: bool,
    ignore_changes_and_additions: bool,
    set_element_order: bool,
}

/// `CreateThreeWayMergePatch(original, modified, current, schema, overwrite=true)`.
pub fn three_way(kind: Kind, original: &Value, modified: &Value, current: &Value) -> Value {
    let empty = Map::new();
    let as_map = |v: &Value| v.as_object().cloned().unwrap_or_else(|| empty.clone());
    let (original, modified, current) = (as_map(original), as_map(modified), as_map(current));
    let delta = diff_maps(
        kind,
        &mut Vec::new(),
        &current,
        &modified,
        Opts { ignore_deletions: true, ignore_changes_and_additions: false, set_element_order: true },
    );
    let deletions = diff_maps(
        kind,
        &mut Vec::new(),
        &original,
        &modified,
        Opts { ignore_deletions: false, ignore_changes_and_additions: true, set_element_order: false },
    );
    Value::Object(merge_patches(deletions, delta))
}

/// Whether the field at `path` has `patchStrategy:"retainKeys"`.
fn retain_keys(kind: Kind, path: &[String]) -> bool {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    (kind == Kind::Deployment && p == ["spec", "strategy"]) || p.last() == Some(&"volumes")
}

/// Go's `reflect.DeepEqual` on decoded JSON: numbers are all float64 there.
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn same_type(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// `diffMaps`; `path` names the map (the keys from the root), `retain` its `retainKeys`.
fn diff_maps(
    kind: Kind,
    path: &mut Vec<String>,
    orig: &Map<String, Value>,
    modi: &Map<String, Value>,
    o: Opts,
) -> Map<String, Value> {
    let mut patch = Map::new();
    for (k, mv) in modi {
        let Some(ov) = orig.get(k) else {
            if !o.ignore_changes_and_additions {
                patch.insert(k.clone(), mv.clone());
            }
            continue;
        };
        if !same_type(ov, mv) {
            if !o.ignore_changes_and_additions {
                patch.insert(k.clone(), mv.clone());
            }
            continue;
        }
        path.push(k.clone());
        match (ov, mv) {
            (Value::Object(om), Value::Object(mm)) => {
                let sub = diff_maps(kind, path, om, mm, o);
                if !sub.is_empty() {
                    patch.insert(k.clone(), Value::Object(sub));
                }
            }
            (Value::Array(ol), Value::Array(ml)) => slice_diff(kind, path, k, ol, ml, &mut patch, o),
            _ => {
                if !json_eq(ov, mv) && !o.ignore_changes_and_additions {
                    patch.insert(k.clone(), mv.clone());
                }
            }
        }
        path.pop();
    }
    if !o.ignore_deletions {
        for k in orig.keys() {
            if !modi.contains_key(k) {
                patch.insert(k.clone(), Value::Null);
            }
        }
    }
    // A volume item's path ends with the list's name too, so `retainKeys` applies to it.
    if retain_keys(kind, path) {
        let keys: Vec<Value> =
            modi.iter().filter(|(_, v)| !v.is_null()).map(|(k, _)| Value::String(k.clone())).collect();
        let added = modi.iter().any(|(k, v)| !v.is_null() && !orig.contains_key(k));
        if !keys.is_empty() && (!patch.is_empty() || added) {
            patch.insert("$retainKeys".into(), Value::Array(keys));
        }
    }
    patch
}

/// The merge key's value as Go's `fmt.Sprintf("%v")` writes it (the sort key).
fn key_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `handleSliceDiff` for the list `key` at `path`.
fn slice_diff(
    kind: Kind,
    path: &mut Vec<String>,
    key: &str,
    ol: &[Value],
    ml: &[Value],
    patch: &mut Map<String, Value>,
    o: Opts,
) {
    let mk = merge_key(kind, path);
    let maps = ol.iter().chain(ml).all(Value::is_object);
    if let (Some(mk), true) = (mk, maps) {
        let keyed = |l: &[Value]| -> Vec<(String, Value)> {
            let mut v: Vec<(String, Value)> =
                l.iter().map(|x| (key_string(x.get(mk).unwrap_or(&Value::Null)), x.clone())).collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        };
        let (os, ms) = (keyed(ol), keyed(ml));
        let (mut i, mut j) = (0, 0);
        let mut list: Vec<Value> = Vec::new();
        let mut deletions: Vec<Value> = Vec::new();
        while i < os.len() || j < ms.len() {
            if i < os.len() && j < ms.len() && os[i].0 == ms[j].0 {
                let (Value::Object(a), Value::Object(b)) = (&os[i].1, &ms[j].1) else { break };
                let mut sub = diff_maps(kind, path, a, b, o);
                if !sub.is_empty() {
                    sub.insert(mk.to_string(), b.get(mk).cloned().unwrap_or(Value::Null));
                    list.push(Value::Object(sub));
                }
                i += 1;
                j += 1;
            } else if i >= os.len() || (j < ms.len() && ms[j].0 < os[i].0) {
                if !o.ignore_changes_and_additions {
                    list.push(ms[j].1.clone());
                }
                j += 1;
            } else {
                if !o.ignore_deletions {
                    let mut d = Map::new();
                    d.insert("$patch".into(), Value::String("delete".into()));
                    d.insert(mk.to_string(), os[i].1.get(mk).cloned().unwrap_or(Value::Null));
                    deletions.push(Value::Object(d));
                }
                i += 1;
            }
        }
        // normalizeSliceOrder: the patch follows the modified list's order.
        let pos = |v: &Value| ml.iter().position(|m| m.get(mk) == v.get(mk)).unwrap_or(usize::MAX);
        list.sort_by_key(pos);
        let order_same = ol.len() == ml.len() && ol.iter().zip(ml).all(|(a, b)| a.get(mk) == b.get(mk));
        list.extend(deletions);
        let set_order = o.set_element_order
            && ((!o.ignore_changes_and_additions && (!list.is_empty() || !order_same))
                || (!o.ignore_deletions && !list.is_empty()));
        if !list.is_empty() {
            patch.insert(key.to_string(), Value::Array(list));
        }
        if set_order {
            let order: Vec<Value> = ml
                .iter()
                .map(|m| {
                    let mut e = Map::new();
                    e.insert(mk.to_string(), m.get(mk).cloned().unwrap_or(Value::Null));
                    Value::Object(e)
                })
                .collect();
            patch.insert(format!("$setElementOrder/{key}"), Value::Array(order));
        }
        return;
    }
    if is_merged_set(path) {
        let added: Vec<Value> = if o.ignore_changes_and_additions {
            Vec::new()
        } else {
            ml.iter().filter(|m| !ol.contains(m)).cloned().collect()
        };
        let removed: Vec<Value> =
            if o.ignore_deletions { Vec::new() } else { ol.iter().filter(|x| !ml.contains(x)).cloned().collect() };
        let order_same = ol == ml;
        if !added.is_empty() {
            patch.insert(key.to_string(), Value::Array(added.clone()));
        }
        if !removed.is_empty() {
            patch.insert(format!("$deleteFromPrimitiveList/{key}"), Value::Array(removed));
        }
        if o.set_element_order && (!added.is_empty() || !order_same) && !o.ignore_changes_and_additions {
            patch.insert(format!("$setElementOrder/{key}"), Value::Array(ml.to_vec()));
        }
        return;
    }
    // A list without a merge key is replaced whole.
    let same = ol.len() == ml.len() && ol.iter().zip(ml).all(|(a, b)| json_eq(a, b));
    if !same && !o.ignore_changes_and_additions {
        patch.insert(key.to_string(), Value::Array(ml.to_vec()));
    }
}

/// `mergeMap(deletions, delta)`: the two patches as one (they never set the same scalar).
fn merge_patches(mut base: Map<String, Value>, over: Map<String, Value>) -> Map<String, Value> {
    for (k, v) in over {
        match (base.remove(&k), v) {
            (Some(Value::Object(b)), Value::Object(o)) => {
                base.insert(k, Value::Object(merge_patches(b, o)));
            }
            (Some(Value::Array(b)), Value::Array(o)) if !k.starts_with('$') => {
                // Deletion directives first, then the items that changed.
                let mut l = b;
                l.extend(o);
                base.insert(k, Value::Array(l));
            }
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
    base
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stale_resource_version_and_changed_container() {
        let current = json!({"metadata": {"name": "web", "resourceVersion": "900", "generation": 2},
            "spec": {"replicas": 3, "template": {"spec": {"containers": [
                {"name": "web", "image": "nginx", "imagePullPolicy": "Always"}]}}}});
        let modified = json!({"metadata": {"name": "web", "resourceVersion": "812", "generation": 2},
            "spec": {"replicas": 3, "template": {"spec": {"containers": [
                {"name": "web", "image": "nginx:1.27"}]}}}});
        let p = three_way(Kind::Deployment, &Value::Null, &modified, &current);
        assert_eq!(
            p,
            json!({"metadata": {"resourceVersion": "812"}, "spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "web"}],
                "containers": [{"image": "nginx:1.27", "name": "web"}]}}}})
        );
        assert_eq!(
            crate::kubectl::output::json::to_json_compact(&p),
            r#"{"metadata":{"resourceVersion":"812"},"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"}],"containers":[{"image":"nginx:1.27","name":"web"}]}}}}"#
        );
    }

    #[test]
    fn dropped_fields_and_containers_since_last_apply() {
        let original = json!({"metadata": {"labels": {"a": "1", "b": "2"}},
            "spec": {"template": {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}}});
        let modified = json!({"metadata": {"labels": {"a": "1"}},
            "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}});
        let current = json!({"metadata": {"labels": {"a": "1", "b": "2"}},
            "spec": {"template": {"spec": {"containers": [{"name": "a"}, {"name": "b"}]}}}});
        let p = three_way(Kind::Deployment, &original, &modified, &current);
        assert_eq!(
            p,
            json!({"metadata": {"labels": {"b": null}}, "spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "a"}],
                "containers": [{"$patch": "delete", "name": "b"}]}}}})
        );
    }

    #[test]
    fn numbers_compare_as_go_floats_and_equal_objects_give_empty_patch() {
        let a = json!({"spec": {"replicas": 2}});
        let b = json!({"spec": {"replicas": 2.0}});
        assert_eq!(three_way(Kind::Deployment, &a, &b, &a), json!({}));
    }
}
