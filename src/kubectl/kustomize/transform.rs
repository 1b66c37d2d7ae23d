//! kustomize's built-in transformers, run in kustomize's fixed order: strategic merge patches,
//! patches, namespace, name prefix/suffix, labels, annotations, JSON 6902 patches, replicas,
//! images. Which fields each one writes comes from kustomize's default field specs
//! (api/konfig/builtinpluginconsts), written here as data.

use serde_json::{Map, Value};

use super::{cluster_scoped, json_type, patch, Kustomization, Loader, Res};

/// Where a transformer writes in objects of a kind: kustomize's FieldSpec. Empty group or
/// kind match any; `create` makes the missing maps on the way.
pub(super) struct FieldSpec {
    pub group: &'static str,
    pub kind: &'static str,
    pub path: &'static str,
    pub create: bool,
}

const fn fs(group: &'static str, kind: &'static str, path: &'static str, create: bool) -> FieldSpec {
    FieldSpec { group, kind, path, create }
}

impl FieldSpec {
    pub fn applies(&self, res: &Res) -> bool {
        let gvk = res.gvk();
        (self.kind.is_empty() || self.kind == gvk.kind) && (self.group.is_empty() || self.group == gvk.group)
    }
}

/// The labels every transformer of labels writes to `metadata/labels` and pod templates.
const METADATA_LABELS: &[FieldSpec] = &[
    fs("", "", "metadata/labels", true),
    fs("", "ReplicationController", "spec/template/metadata/labels", true),
    fs("", "Deployment", "spec/template/metadata/labels", true),
    fs("", "ReplicaSet", "spec/template/metadata/labels", true),
    fs("", "DaemonSet", "spec/template/metadata/labels", true),
    fs("apps", "StatefulSet", "spec/template/metadata/labels", true),
    fs("apps", "StatefulSet", "spec/volumeClaimTemplates[]/metadata/labels", true),
    fs("batch", "Job", "spec/template/metadata/labels", true),
    fs("batch", "CronJob", "spec/jobTemplate/metadata/labels", true),
    fs("batch", "CronJob", "spec/jobTemplate/spec/template/metadata/labels", true),
];

/// commonLabels (and `labels` with includeSelectors): selectors too.
const SELECTOR_LABELS: &[FieldSpec] = &[
    fs("", "Service", "spec/selector", true),
    fs("", "ReplicationController", "spec/selector", true),
    fs("", "Deployment", "spec/selector/matchLabels", true),
    fs("apps", "Deployment", "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels", false),
    fs("apps", "Deployment", "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels", false),
    fs("apps", "Deployment", "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels", false),
    fs("apps", "Deployment", "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels", false),
    fs("apps", "Deployment", "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels", false),
    fs("", "ReplicaSet", "spec/selector/matchLabels", true),
    fs("", "DaemonSet", "spec/selector/matchLabels", true),
    fs("apps", "StatefulSet", "spec/selector/matchLabels", true),
    fs("apps", "StatefulSet", "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels", false),
    fs("apps", "StatefulSet", "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels", false),
    fs("apps", "StatefulSet", "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels", false),
    fs("apps", "StatefulSet", "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels", false),
    fs("apps", "StatefulSet", "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels", false),
    fs("batch", "Job", "spec/selector/matchLabels", false),
    fs("batch", "CronJob", "spec/jobTemplate/spec/selector/matchLabels", false),
    fs("policy", "PodDisruptionBudget", "spec/selector/matchLabels", false),
    fs("networking.k8s.io", "NetworkPolicy", "spec/podSelector/matchLabels", false),
    fs("networking.k8s.io", "NetworkPolicy", "spec/ingress/from/podSelector/matchLabels", false),
    fs("networking.k8s.io", "NetworkPolicy", "spec/egress/to/podSelector/matchLabels", false),
];

const ANNOTATIONS: &[FieldSpec] = &[
    fs("", "", "metadata/annotations", true),
    fs("", "ReplicationController", "spec/template/metadata/annotations", true),
    fs("", "Deployment", "spec/template/metadata/annotations", true),
    fs("", "ReplicaSet", "spec/template/metadata/annotations", true),
    fs("", "DaemonSet", "spec/template/metadata/annotations", true),
    fs("", "StatefulSet", "spec/template/metadata/annotations", true),
    fs("batch", "Job", "spec/template/metadata/annotations", true),
    fs("batch", "CronJob", "spec/jobTemplate/metadata/annotations", true),
    fs("batch", "CronJob", "spec/jobTemplate/spec/template/metadata/annotations", true),
];

/// The kinds `replicas` can scale, in the order kustomize's error lists them.
const REPLICA_KINDS: [&str; 4] = ["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"];

/// Calls `f` on every value at `path` (`a/b/c`; a list met on the way is walked element by
/// element, `[]` marks one explicitly), creating missing maps when `create`.
pub(super) fn visit(v: &mut Value, path: &[&str], create: bool, f: &mut dyn FnMut(&mut Value)) {
    if path.is_empty() {
        f(v);
        return;
    }
    match v {
        Value::Array(items) => {
            for item in items {
                visit(item, path, create, f);
            }
        }
        Value::Object(m) => {
            let key = path[0].trim_end_matches("[]");
            match m.get_mut(key) {
                Some(next) if !next.is_null() => visit(next, &path[1..], create, f),
                _ if create => {
                    // kustomize creates the missing maps, never lists.
                    m.insert(key.to_string(), Value::Object(Map::new()));
                    if let Some(next) = m.get_mut(key) {
                        visit(next, &path[1..], create, f);
                    }
                }
                _ => {}
            }
        }
        _ => {}
    }
}

fn path_parts(p: &str) -> Vec<&str> {
    p.split('/').collect()
}

/// Sets `pairs` into every map the field specs locate.
fn set_pairs(list: &mut [Res], specs: &[&FieldSpec], pairs: &Map<String, Value>) {
    for res in list.iter_mut() {
        for spec in specs {
            if !spec.applies(res) {
                continue;
            }
            visit(&mut res.obj, &path_parts(spec.path), spec.create, &mut |target| {
                if target.is_null() {
                    *target = Value::Object(Map::new());
                }
                if let Value::Object(m) = target {
                    for (k, v) in pairs {
                        m.insert(k.clone(), v.clone());
                    }
                }
            });
        }
    }
}

/// A `map[string]string` of the kustomization (commonLabels...); Err is Go's decoding error.
fn string_map(m: &Map<String, Value>, field: &str) -> Result<Map<String, Value>, String> {
    for v in m.values() {
        if !v.is_string() {
            return Err(format!(
                "invalid Kustomization: json: cannot unmarshal {} into Go struct field Kustomization.{field} of type string",
                json_type(v)
            ));
        }
    }
    Ok(m.clone())
}

pub(super) fn run(ld: Loader, dir: &str, k: &Kustomization, list: &mut Vec<Res>) -> Result<(), String> {
    // 1, 2: patches.
    if let Some(paths) = &k.patches_strategic_merge {
        for p in paths {
            patch::strategic_merge_entry(ld, dir, p, list)?;
        }
    }
    for p in &k.patches {
        patch::patch_entry(ld, dir, p, list)?;
    }
    // 3: namespace.
    if !k.namespace.is_empty() {
        namespace(list, &k.namespace);
    }
    // 4: prefix and suffix.
    if !k.name_prefix.is_empty() || !k.name_suffix.is_empty() {
        for res in list.iter_mut() {
            if matches!(res.kind(), "CustomResourceDefinition" | "APIService" | "Namespace") {
                continue;
            }
            let name = format!("{}{}{}", k.name_prefix, res.name(), k.name_suffix);
            res.set_name(&name);
            res.track();
        }
    }
    // 5: labels (the `labels` entries, then commonLabels).
    for entry in &k.labels {
        let Some(e) = entry.as_object() else { continue };
        for key in e.keys() {
            if !matches!(key.as_str(), "pairs" | "includeSelectors" | "includeTemplates" | "fields") {
                return Err(format!("invalid Kustomization: json: unknown field \"{key}\""));
            }
        }
        if e.contains_key("fields") {
            return Err("kubedojo does not simulate custom label fields (labels[].fields) yet".into());
        }
        let pairs = string_map(e.get("pairs").and_then(Value::as_object).unwrap_or(&Map::new()), "labels")?;
        let flag = |key: &str| e.get(key).and_then(Value::as_bool).unwrap_or(false);
        let specs: Vec<&FieldSpec> = if flag("includeSelectors") {
            SELECTOR_LABELS.iter().chain(METADATA_LABELS.iter()).collect()
        } else if flag("includeTemplates") {
            METADATA_LABELS.iter().collect()
        } else {
            METADATA_LABELS.iter().take(1).collect()
        };
        set_pairs(list, &specs, &pairs);
    }
    if let Some(common) = &k.common_labels {
        let pairs = string_map(common, "commonLabels")?;
        let specs: Vec<&FieldSpec> = SELECTOR_LABELS.iter().chain(METADATA_LABELS.iter()).collect();
        set_pairs(list, &specs, &pairs);
    }
    // 6: annotations.
    if let Some(common) = &k.common_annotations {
        let pairs = string_map(common, "commonAnnotations")?;
        let specs: Vec<&FieldSpec> = ANNOTATIONS.iter().collect();
        set_pairs(list, &specs, &pairs);
    }
    // 7: JSON 6902 patches.
    if let Some(patches) = &k.patches_json6902 {
        for p in patches {
            patch::json6902_entry(ld, dir, p, list)?;
        }
    }
    // 8: replicas.
    for r in &k.replicas {
        replicas(r, list)?;
    }
    // 9: images.
    for img in &k.images {
        images(img, list)?;
    }
    Ok(())
}

/// The namespace transformer: namespaced objects move to `ns`, Namespace objects are renamed
/// to it, and binding subjects named `default` (the default service account) follow.
fn namespace(list: &mut [Res], ns: &str) {
    for res in list.iter_mut() {
        let kind = res.kind().to_string();
        if !cluster_scoped(&kind) {
            res.set_namespace(ns);
        }
        if kind == "Namespace" {
            res.set_name(ns);
        }
        if kind == "RoleBinding" || kind == "ClusterRoleBinding" {
            if let Some(Value::Array(subjects)) = res.obj.get_mut("subjects") {
                for s in subjects.iter_mut() {
                    if s.get("name").and_then(Value::as_str) == Some("default") {
                        if let Value::Object(m) = s {
                            m.insert("namespace".into(), Value::String(ns.to_string()));
                        }
                    }
                }
            }
        }
        res.track();
    }
}

fn replicas(r: &Value, list: &mut [Res]) -> Result<(), String> {
    let Some(m) = r.as_object() else {
        return Err(format!(
            "invalid Kustomization: json: cannot unmarshal {} into Go struct field Kustomization.replicas of type types.Replica",
            json_type(r)
        ));
    };
    for key in m.keys() {
        if key != "name" && key != "count" {
            return Err(format!("invalid Kustomization: json: unknown field \"{key}\""));
        }
    }
    let name = m.get("name").and_then(Value::as_str).unwrap_or("");
    let count = m.get("count").cloned().unwrap_or(Value::from(0));
    if !count.is_i64() {
        return Err(format!(
            "invalid Kustomization: json: cannot unmarshal {} into Go struct field Replica.replicas.count of type int64",
            json_type(&count)
        ));
    }
    let mut found = false;
    for res in list.iter_mut() {
        if REPLICA_KINDS.contains(&res.kind()) && res.had_name(name) {
            found = true;
            if let Value::Object(o) = &mut res.obj {
                let spec = o.entry("spec").or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(s) = spec {
                    s.insert("replicas".into(), count.clone());
                }
            }
        }
    }
    if !found {
        let gvks: Vec<String> = REPLICA_KINDS.iter().map(|k| format!("{k}.[noVer].[noGrp]")).collect();
        return Err(format!(
            "resource with name {name} does not match a config with the following GVK [{}]",
            gvks.join(" ")
        ));
    }
    Ok(())
}

/// Splits an image reference into name, tag and digest, as kustomize's image.Split does:
/// the registry host may carry a port, so `:` counts only after the first `/`.
pub(super) fn split_image(image: &str) -> (String, String, String) {
    let (search, offset) = match image.find('/') {
        Some(i) if i > 0 => (&image[i..], i),
        _ => (image, 0),
    };
    let id = search.find('@');
    let ic = search.find(':');
    match (ic, id) {
        (None, None) => (image.to_string(), String::new(), String::new()),
        (ic, Some(id)) if ic.is_none() || id < ic.unwrap_or(0) => {
            let id = id + offset;
            (image[..id].to_string(), String::new(), image[id + 1..].to_string())
        }
        (Some(ic), Some(id)) => {
            let (ic, id) = (ic + offset, id + offset);
            (image[..ic].to_string(), image[ic + 1..id].to_string(), image[id + 1..].to_string())
        }
        (Some(ic), None) => {
            let ic = ic + offset;
            (image[..ic].to_string(), image[ic + 1..].to_string(), String::new())
        }
        (None, Some(_)) => (image.to_string(), String::new(), String::new()),
    }
}

fn images(img: &Value, list: &mut [Res]) -> Result<(), String> {
    let Some(m) = img.as_object() else {
        return Err(format!(
            "invalid Kustomization: json: cannot unmarshal {} into Go struct field Kustomization.images of type types.Image",
            json_type(img)
        ));
    };
    for key in m.keys() {
        if !matches!(key.as_str(), "name" | "newName" | "newTag" | "digest" | "tagSuffix") {
            return Err(format!("invalid Kustomization: json: unknown field \"{key}\""));
        }
    }
    let get = |k: &str| -> Result<String, String> {
        match m.get(k) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => Err(format!(
                "invalid Kustomization: json: cannot unmarshal {} into Go struct field Image.images.{k} of type string",
                json_type(other)
            )),
        }
    };
    let (name, new_name, new_tag, digest) = (get("name")?, get("newName")?, get("newTag")?, get("digest")?);
    if m.contains_key("tagSuffix") {
        return Err("kubedojo does not simulate images[].tagSuffix yet".into());
    }
    // kustomize matches with a regular expression built from the name as written.
    let Ok(pattern) = regex::Regex::new(&format!("^{name}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$"))
    else {
        return Ok(());
    };
    let update = |value: &mut Value| {
        let Some(current) = value.as_str() else { return };
        if !pattern.is_match(current) {
            return;
        }
        let (mut n, mut tag, mut dg) = split_image(current);
        if !new_name.is_empty() {
            n = new_name.clone();
        }
        if !new_tag.is_empty() && !digest.is_empty() {
            tag = new_tag.clone();
            dg = digest.clone();
        } else if !new_tag.is_empty() {
            tag = new_tag.clone();
            dg.clear();
        } else if !digest.is_empty() {
            tag.clear();
            dg = digest.clone();
        }
        let mut out = n;
        if !tag.is_empty() {
            out = format!("{out}:{tag}");
        }
        if !dg.is_empty() {
            out = format!("{out}@{dg}");
        }
        *value = Value::String(out);
    };
    for res in list.iter_mut() {
        if res.kind() == "CustomResourceDefinition" {
            continue;
        }
        walk_containers(&mut res.obj, &update);
    }
    Ok(())
}

/// kustomize's legacy image filter: the `image` of every item of any `containers` or
/// `initContainers` list, wherever it is in the object.
fn walk_containers(v: &mut Value, update: &dyn Fn(&mut Value)) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                walk_containers(child, update);
                if k == "containers" || k == "initContainers" {
                    if let Value::Array(items) = child {
                        for item in items.iter_mut() {
                            if let Some(image) = item.get_mut("image") {
                                update(image);
                            }
                        }
                    }
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                walk_containers(item, update);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_split_like_kustomize() {
        let s = |i: &str| {
            let (a, b, c) = split_image(i);
            format!("{a}|{b}|{c}")
        };
        assert_eq!(s("nginx"), "nginx||");
        assert_eq!(s("nginx:1.27"), "nginx|1.27|");
        assert_eq!(s("nginx@sha256:abc"), "nginx||sha256:abc");
        assert_eq!(s("redis:7@sha256:111"), "redis|7|sha256:111");
        assert_eq!(s("my.reg:5000/team/app"), "my.reg:5000/team/app||");
        assert_eq!(s("my.reg:5000/team/app:v1"), "my.reg:5000/team/app|v1|");
    }
}
