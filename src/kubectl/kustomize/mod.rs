//! kustomize, as built into kubectl v1.32 (kustomize v5.5.0): `kubectl kustomize DIR`,
//! `kubectl apply -k DIR` and `kubectl delete -k DIR` build a kustomization directory of the
//! learner's files into a list of objects, client-side, exactly as the real one does.
//!
//! The subset a CKAD learner meets: `resources` (files and directories, recursively),
//! `namespace`, `namePrefix`/`nameSuffix`, `commonLabels`/`labels`, `commonAnnotations`,
//! `images`, `replicas`, `configMapGenerator`/`secretGenerator` (with `generatorOptions`, the
//! content-hash suffix and the rewriting of references to the generated names), `patches`
//! (strategic merge and JSON 6902, inline or from files, with targets),
//! `patchesStrategicMerge` and `patchesJson6902`. Other kustomize features (components,
//! remote bases, helm charts, replacements, vars, plugins...) are refused plainly.
//!
//! The build follows kustomize's own order (api/internal/target/kusttarget.go): resources are
//! accumulated (bases recursively), generators run, then the transformers in their fixed
//! order (strategic merge patches, patches, namespace, prefix/suffix, labels, annotations,
//! JSON 6902 patches, replicas, images); at the top only, generated names get their hash
//! suffix, references to renamed objects are fixed, and the result is sorted in kustomize's
//! "legacy" order. Output is sigs.k8s.io/yaml's, the same printer as `kubectl -o yaml`.

mod generate;
mod nameref;
mod patch;
mod transform;

use serde_json::{Map, Value};

use crate::shell::vfs::resolve_path;
use crate::shell::Fs;

/// The names kustomize looks for in a kustomization directory, in its order.
const KUST_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// What a build produced: the objects, or kustomize's error; and the deprecation warnings
/// printed on the way (kubectl prints them to stderr before anything else).
pub struct Build {
    pub warnings: Vec<String>,
    pub result: Result<Vec<Value>, String>,
}

/// One object of the build, with what kustomize tracks beside it.
#[derive(Clone, Debug)]
pub(crate) struct Res {
    pub obj: Value,
    /// Every (name, namespace) the object had, the original first: references written with
    /// any of them are rewritten to the final name.
    pub ids: Vec<(String, String)>,
    /// Made by a generator whose name gets the content hash.
    pub hash: bool,
    /// A generator's `behavior` (create, merge, replace).
    pub behavior: String,
}

impl Res {
    pub fn new(obj: Value) -> Res {
        let ids = vec![(name_of(&obj), namespace_of(&obj))];
        Res { obj, ids, hash: false, behavior: String::new() }
    }
    pub fn kind(&self) -> &str {
        self.obj.get("kind").and_then(Value::as_str).unwrap_or("")
    }
    pub fn name(&self) -> String {
        name_of(&self.obj)
    }
    pub fn namespace(&self) -> String {
        namespace_of(&self.obj)
    }
    pub fn gvk(&self) -> Gvk {
        Gvk::of(&self.obj)
    }
    /// kustomize's ResId string of the current id: `Deployment.v1.apps/web.[noNs]`.
    pub fn id_string(&self) -> String {
        id_string(&self.gvk(), &self.name(), &self.namespace())
    }
    /// Records the current name and namespace after a transformer changed them.
    pub fn track(&mut self) {
        let id = (self.name(), self.namespace());
        if self.ids.last() != Some(&id) {
            self.ids.push(id);
        }
    }
    /// Whether the object was ever called `name`.
    pub fn had_name(&self, name: &str) -> bool {
        self.ids.iter().any(|(n, _)| n == name)
    }
    pub fn original_name(&self) -> &str {
        &self.ids[0].0
    }
    pub fn original_namespace(&self) -> &str {
        &self.ids[0].1
    }
    pub fn set_name(&mut self, name: &str) {
        meta_mut(&mut self.obj).insert("name".into(), Value::String(name.to_string()));
    }
    pub fn set_namespace(&mut self, ns: &str) {
        meta_mut(&mut self.obj).insert("namespace".into(), Value::String(ns.to_string()));
    }
}

/// Group, version and kind of an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    pub fn of(obj: &Value) -> Gvk {
        let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        Gvk { group, version, kind: obj.get("kind").and_then(Value::as_str).unwrap_or("").to_string() }
    }
    /// `Deployment.v1.apps`, `ConfigMap.v1.[noGrp]`.
    pub fn string(&self) -> String {
        let or = |s: &str, d: &str| if s.is_empty() { d.to_string() } else { s.to_string() };
        format!("{}.{}.{}", or(&self.kind, "[noKind]"), or(&self.version, "[noVer]"), or(&self.group, "[noGrp]"))
    }
}

pub(crate) fn id_string(gvk: &Gvk, name: &str, ns: &str) -> String {
    let ns = if ns.is_empty() { "[noNs]" } else { ns };
    format!("{}/{name}.{ns}", gvk.string())
}

pub(crate) fn name_of(obj: &Value) -> String {
    obj.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string()
}

pub(crate) fn namespace_of(obj: &Value) -> String {
    obj.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("").to_string()
}

pub(crate) fn meta_mut(obj: &mut Value) -> &mut Map<String, Value> {
    let Value::Object(o) = obj else { unreachable_object() };
    let m = o.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
    if !m.is_object() {
        *m = Value::Object(Map::new());
    }
    match m {
        Value::Object(m) => m,
        _ => unreachable_object(),
    }
}

/// Objects are checked to be maps when they are read; this is never reached.
fn unreachable_object() -> ! {
    panic!("kustomize resources are JSON objects")
}

/// Kinds kustomize (kyaml's built-in OpenAPI data) knows to be cluster-scoped: they get no
/// namespace from the `namespace` field.
pub(crate) fn cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "Namespace"
            | "Node"
            | "PersistentVolume"
            | "StorageClass"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "CustomResourceDefinition"
            | "PriorityClass"
            | "IngressClass"
            | "APIService"
            | "MutatingWebhookConfiguration"
            | "ValidatingWebhookConfiguration"
            | "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding"
            | "CSIDriver"
            | "CSINode"
            | "RuntimeClass"
            | "VolumeAttachment"
            | "CertificateSigningRequest"
            | "ComponentStatus"
            | "PodSecurityPolicy"
            | "FlowSchema"
            | "PriorityLevelConfiguration"
            | "TokenReview"
            | "SelfSubjectAccessReview"
            | "SelfSubjectRulesReview"
            | "SubjectAccessReview"
            | "SelfSubjectReview"
    )
}

/// Builds the kustomization in `dir` (as the learner typed it) under `cwd`, with kustomize's
/// default load restriction (files must lie in or below their kustomization's directory).
pub fn build(fs: &dyn Fs, cwd: &str, dir: &str) -> Build {
    build_with(Loader { fs, root_only: true }, cwd, dir)
}

/// [`build`] with an explicit loader (`--load-restrictor=LoadRestrictionsNone`).
pub fn build_with(loader: Loader, cwd: &str, dir: &str) -> Build {
    let mut b = Builder { ld: loader, warnings: Vec::new(), depth: 0 };
    let result = b.build_top(cwd, dir);
    Build { warnings: b.warnings, result }
}

/// Reads the learner's files for a build.
#[derive(Clone, Copy)]
pub struct Loader<'a> {
    pub fs: &'a dyn Fs,
    /// kustomize's LoadRestrictionsRootOnly: files outside the kustomization's directory
    /// are refused.
    pub root_only: bool,
}

impl Loader<'_> {
    /// Reads a file named in a kustomization in `dir`; Err is kustomize's text.
    pub(crate) fn read(&self, dir: &str, path: &str) -> Result<Vec<u8>, String> {
        let abs = resolve_path(dir, path);
        if !self.fs.exists(&abs) {
            return Err(lstat_error(&abs, &abs));
        }
        if !self.allowed(dir, &abs) {
            return Err(format!("security; file '{abs}' is not in or below '{dir}'"));
        }
        if self.fs.is_dir(&abs) {
            return Err(format!("read {abs}: is a directory"));
        }
        self.fs.read(&abs).map_err(|e| e.to_string())
    }

    pub(crate) fn allowed(&self, dir: &str, abs: &str) -> bool {
        !self.root_only || within(dir, abs)
    }
}

struct Builder<'a> {
    ld: Loader<'a>,
    warnings: Vec<String>,
    /// How deep bases are nested, to stop a base that includes itself.
    depth: usize,
}

/// kustomize's error for a path that does not exist.
fn lstat_error(shown: &str, abs: &str) -> String {
    format!("evalsymlink failure on '{shown}' : lstat {abs}: no such file or directory")
}

impl Builder<'_> {
    fn build_top(&mut self, cwd: &str, dir: &str) -> Result<Vec<Value>, String> {
        let abs = resolve_path(cwd, dir);
        if !self.ld.fs.exists(&abs) {
            return Err(format!("must build at directory: not a valid directory: {}", lstat_error(dir, &abs)));
        }
        if !self.ld.fs.is_dir(&abs) {
            return Err(format!("must build at directory: '{dir}': file is not directory"));
        }
        let mut list = self.accumulate(&abs)?;
        generate::add_hashes(&mut list);
        nameref::fix(&mut list)?;
        sort_legacy(&mut list);
        Ok(list.into_iter().map(|r| r.obj).collect())
    }

    /// kustomize's AccumulateTarget: the objects of one kustomization, transformed.
    fn accumulate(&mut self, dir: &str) -> Result<Vec<Res>, String> {
        if self.depth > 32 {
            return Err(format!("cycle detected: kustomization in '{dir}' includes itself"));
        }
        self.depth += 1;
        let r = self.accumulate_inner(dir);
        self.depth -= 1;
        r
    }

    fn accumulate_inner(&mut self, dir: &str) -> Result<Vec<Res>, String> {
        let k = self.load_kustomization(dir)?;
        let mut list: Vec<Res> = Vec::new();
        for entry in &k.resources {
            self.accumulate_resource(dir, entry, &mut list).map_err(|e| format!("accumulating resources: {e}"))?;
        }
        let generated = generate::run(self.ld, dir, &k)?;
        for res in generated {
            merge_generated(&mut list, res)?;
        }
        transform::run(self.ld, dir, &k, &mut list)?;
        Ok(list)
    }

    /// One `resources` entry: a file of objects, or a directory with its own kustomization.
    fn accumulate_resource(&mut self, dir: &str, entry: &str, list: &mut Vec<Res>) -> Result<(), String> {
        if entry.contains("://") || entry.starts_with("github.com/") || entry.starts_with("git@") {
            return Err(format!(
                "accumulation err='accumulating resources from '{entry}': kubedojo runs offline and cannot fetch remote bases'"
            ));
        }
        let abs = resolve_path(dir, entry);
        // kustomize first tries the entry as a file, then as a directory.
        let file_err = if !self.ld.fs.exists(&abs) {
            format!("accumulating resources from '{entry}': {}", lstat_error(&abs, &abs))
        } else if self.ld.fs.is_dir(&abs) {
            format!("accumulating resources from '{entry}': '{abs}' must resolve to a file")
        } else if !self.ld.allowed(dir, &abs) {
            format!("accumulating resources from '{entry}': security; file '{abs}' is not in or below '{dir}'")
        } else {
            let text = self.ld.fs.read(&abs).map_err(|e| e.to_string())?;
            match read_resources(&String::from_utf8_lossy(&text), entry) {
                // Malformed YAML is reported as is; other errors after trying a directory.
                Err(e) if e.starts_with("MalformedYAMLError") => {
                    return Err(format!("accumulating resources from '{entry}': {e}"))
                }
                Err(e) => format!("accumulating resources from '{entry}': {e}"),
                Ok(objs) => {
                    let mut err = None;
                    for obj in objs {
                        if let Err(e) = append(list, Res::new(obj)) {
                            err = Some(format!("merging resources from '{entry}': {e}"));
                            break;
                        }
                    }
                    match err {
                        None => return Ok(()),
                        Some(e) => e,
                    }
                }
            }
        };
        // Then as a directory (kustomize's loader reports why it is not one).
        if !self.ld.fs.exists(&abs) {
            return Err(format!(
                "accumulation err='{file_err}': must build at directory: not a valid directory: {}",
                lstat_error(&abs, &abs)
            ));
        }
        if !self.ld.fs.is_dir(&abs) {
            return Err(format!(
                "accumulation err='{file_err}': must build at directory: '{abs}': file is not directory"
            ));
        }
        let sub = match self.accumulate(&abs) {
            Ok(s) => s,
            Err(e) if e.starts_with("unable to find one of") => {
                return Err(format!("accumulation err='{file_err}': couldn't make target for path '{abs}': {e}"))
            }
            Err(e) => return Err(format!("accumulation err='{file_err}': recursed accumulation of path '{abs}': {e}")),
        };
        for res in sub {
            append(list, res)
                .map_err(|e| format!("accumulation err='{file_err}': recursed merging from path '{abs}': {e}"))?;
        }
        Ok(())
    }

    fn load_kustomization(&mut self, dir: &str) -> Result<Kustomization, String> {
        let found: Vec<&str> =
            KUST_FILES.iter().copied().filter(|f| self.ld.fs.exists(&format!("{dir}/{f}"))).collect();
        let file = match found.as_slice() {
            [] => {
                return Err(format!(
                    "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{dir}'"
                ))
            }
            [one] => *one,
            _ => return Err(format!("Found multiple kustomization files under: {dir}\n")),
        };
        let text = self.ld.fs.read(&format!("{dir}/{file}")).map_err(|e| e.to_string())?;
        let k = Kustomization::parse(&String::from_utf8_lossy(&text))?;
        self.warnings.extend(k.deprecations());
        if k.is_empty() {
            return Err("kustomization.yaml is empty".into());
        }
        let mut errs = Vec::new();
        if !k.kind.is_empty() && k.kind != "Kustomization" && k.kind != "Component" {
            errs.push("kind should be Kustomization or Component".to_string());
        }
        let required =
            if k.kind == "Component" { "kustomize.config.k8s.io/v1alpha1" } else { "kustomize.config.k8s.io/v1beta1" };
        if !k.api_version.is_empty() && k.api_version != required {
            let kind = if k.kind.is_empty() { "Kustomization" } else { &k.kind };
            errs.push(format!("apiVersion for {kind} should be {required}"));
        }
        if !errs.is_empty() {
            return Err(format!("Failed to read kustomization file under {dir}:\n{}", errs.join("\n")));
        }
        if let Some(field) = k.unsupported.first() {
            return Err(format!("kubedojo does not simulate the kustomization field '{field}' yet"));
        }
        Ok(k)
    }
}

/// Whether `path` is `dir` or below it (kustomize's load restriction for files).
fn within(dir: &str, path: &str) -> bool {
    let d = dir.trim_end_matches('/');
    path == d || path.starts_with(&format!("{d}/")) || d.is_empty()
}

/// Adds an object, refusing a second object with the same current id.
fn append(list: &mut Vec<Res>, res: Res) -> Result<(), String> {
    let gvk = res.gvk();
    let (name, ns) = (res.name(), res.namespace());
    if list.iter().any(|r| r.gvk() == gvk && r.name() == name && same_ns(&r.namespace(), &ns)) {
        return Err(format!("may not add resource with an already registered id: {}", res.id_string()));
    }
    list.push(res);
    Ok(())
}

/// kustomize compares "effective" namespaces: none means `default`.
fn same_ns(a: &str, b: &str) -> bool {
    let eff = |s: &str| if s.is_empty() { "default".to_string() } else { s.to_string() };
    eff(a) == eff(b)
}

/// A generated object joins the list: created, or merged into / replacing the object of the
/// same id (a generator in an overlay with `behavior: merge|replace`).
fn merge_generated(list: &mut Vec<Res>, mut res: Res) -> Result<(), String> {
    let gvk = res.gvk();
    let (name, ns) = (res.name(), res.namespace());
    let matches: Vec<usize> = (0..list.len())
        .filter(|&i| {
            list[i].gvk() == gvk && list[i].ids.iter().any(|(n, s)| *n == name && same_ns(s, &ns))
                || (list[i].gvk() == gvk && list[i].name() == name && same_ns(&list[i].namespace(), &ns))
        })
        .collect();
    let id = go_res_id(&gvk, &name, &ns);
    match matches.as_slice() {
        [] => match res.behavior.as_str() {
            "merge" | "replace" => Err(format!("{MERGING}id {id} does not exist; cannot merge or replace")),
            _ => {
                list.push(res);
                Ok(())
            }
        },
        [i] => {
            let old = list[*i].clone();
            match res.behavior.as_str() {
                "replace" | "merge" => {
                    let merge = res.behavior == "merge";
                    for key in ["labels", "annotations"] {
                        let mut m = old
                            .obj
                            .pointer(&format!("/metadata/{key}"))
                            .and_then(Value::as_object)
                            .cloned()
                            .unwrap_or_default();
                        if let Some(new) = res.obj.pointer(&format!("/metadata/{key}")).and_then(Value::as_object) {
                            for (k, v) in new {
                                m.insert(k.clone(), v.clone());
                            }
                        }
                        if !m.is_empty() {
                            meta_mut(&mut res.obj).insert(key.into(), Value::Object(m));
                        }
                    }
                    res.set_name(&old.name());
                    let old_ns = old.namespace();
                    if old_ns.is_empty() {
                        meta_mut(&mut res.obj).remove("namespace");
                    } else {
                        res.set_namespace(&old_ns);
                    }
                    if merge {
                        for key in ["data", "binaryData"] {
                            let mut m = old.obj.get(key).and_then(Value::as_object).cloned().unwrap_or_default();
                            if let Some(new) = res.obj.get(key).and_then(Value::as_object) {
                                for (k, v) in new {
                                    m.insert(k.clone(), v.clone());
                                }
                            }
                            if !m.is_empty() {
                                if let Value::Object(o) = &mut res.obj {
                                    o.insert(key.into(), Value::Object(m));
                                }
                            }
                        }
                    }
                    res.ids = old.ids.clone();
                    res.hash = old.hash && res.hash;
                    list[*i] = res;
                    Ok(())
                }
                _ => Err(format!("{MERGING}id {id} exists; behavior must be merge or replace")),
            }
        }
        _ => Err(format!("found multiple objects that could accept merge of {id}")),
    }
}

/// kustomize prefixes generator merge errors with the generator's Go pointer; kubedojo's is
/// fixed.
const MERGING: &str = "merging from generator &{0xc000a1b2c0 <nil>}: ";

/// Go's `%#v` of a ResId, as kustomize's generator merge errors print it.
fn go_res_id(gvk: &Gvk, name: &str, ns: &str) -> String {
    format!(
        "resid.ResId{{Gvk:resid.Gvk{{Group:\"{}\", Version:\"{}\", Kind:\"{}\", isClusterScoped:false}}, Name:\"{name}\", Namespace:\"{ns}\"}}",
        gvk.group, gvk.version, gvk.kind
    )
}

/// The objects of a resource file: every YAML document, `List`s expanded.
pub(crate) fn read_resources(text: &str, source: &str) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    let docs = split_documents(text);
    for doc in docs {
        let v = crate::sim::api::decode::yaml12_to_json(&doc).map_err(|e| {
            let e = e.trim_start_matches("error converting YAML to JSON: ").to_string();
            format!("MalformedYAMLError: {e} in File: {source}")
        })?;
        match v {
            Value::Null => {}
            Value::Object(_) => {
                let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
                if kind.ends_with("List") && v.get("items").is_some_and(Value::is_array) {
                    for item in v.get("items").and_then(Value::as_array).cloned().unwrap_or_default() {
                        check_object(&item)?;
                        out.push(item);
                    }
                } else {
                    check_object(&v)?;
                    out.push(v);
                }
            }
            _ => return Err(format!("MalformedYAMLError: yaml: document is not a map in File: {source}")),
        }
    }
    Ok(out)
}

/// kustomize needs a kind and a name to identify an object.
fn check_object(v: &Value) -> Result<(), String> {
    if !v.is_object() {
        return Err("expected a map for a resource".into());
    }
    if v.get("kind").and_then(Value::as_str).unwrap_or("").is_empty() {
        return Err(format!("missing kind in object {}", go_meta(v)));
    }
    if name_of(v).is_empty() && v.pointer("/metadata/generateName").is_none() {
        return Err(format!("missing metadata.name in object {}", go_meta(v)));
    }
    Ok(())
}

/// Go's `%v` of kyaml's ResourceMeta: `{{v1 ConfigMap} {{name ns} map[k:v] map[]}}`.
fn go_meta(v: &Value) -> String {
    let s = |p: &str| v.pointer(p).and_then(Value::as_str).unwrap_or("").to_string();
    let map = |p: &str| {
        let items: Vec<String> = v
            .pointer(p)
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, x)| format!("{k}:{}", x.as_str().unwrap_or(""))).collect())
            .unwrap_or_default();
        format!("map[{}]", items.join(" "))
    };
    format!(
        "{{{{{} {}}} {{{{{} {}}} {} {}}}}}",
        s("/apiVersion"),
        s("/kind"),
        s("/metadata/name"),
        s("/metadata/namespace"),
        map("/metadata/labels"),
        map("/metadata/annotations")
    )
}

/// Splits a YAML stream on `---` document separators.
pub(crate) fn split_documents(text: &str) -> Vec<String> {
    let mut docs = Vec::new();
    let mut cur = String::new();
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare == "---" || bare.starts_with("--- ") || bare.starts_with("---\t") {
            docs.push(std::mem::take(&mut cur));
            continue;
        }
        cur.push_str(line);
    }
    docs.push(cur);
    docs.retain(|d| !d.trim().is_empty());
    docs
}

/// kustomize's default ("legacy") output order: kinds by a fixed priority, then by
/// group/version/kind, then by namespace and name.
fn sort_legacy(list: &mut [Res]) {
    const FIRST: [&str; 22] = [
        "Namespace",
        "ResourceQuota",
        "StorageClass",
        "CustomResourceDefinition",
        "ServiceAccount",
        "PodSecurityPolicy",
        "Role",
        "ClusterRole",
        "RoleBinding",
        "ClusterRoleBinding",
        "ConfigMap",
        "Secret",
        "Endpoints",
        "Service",
        "LimitRange",
        "PriorityClass",
        "PersistentVolume",
        "PersistentVolumeClaim",
        "Deployment",
        "StatefulSet",
        "CronJob",
        "PodDisruptionBudget",
    ];
    const LAST: [&str; 2] = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];
    let order = |kind: &str| -> i64 {
        if let Some(i) = FIRST.iter().position(|k| *k == kind) {
            return i as i64 - FIRST.len() as i64;
        }
        LAST.iter().position(|k| *k == kind).map(|i| i as i64 + 1).unwrap_or(0)
    };
    let gvk_key = |g: &Gvk| {
        let or = |s: &str, d: &str| if s.is_empty() { d.to_string() } else { s.to_string() };
        format!("{}_{}_{}", or(&g.group, "~G"), or(&g.version, "~V"), or(&g.kind, "~K"))
    };
    let id_key = |r: &Res| {
        let ns = r.namespace();
        let name = r.name();
        format!(
            "{}|{}|{}",
            r.gvk().string(),
            if ns.is_empty() { "~X" } else { &ns },
            if name.is_empty() { "~N" } else { &name }
        )
    };
    list.sort_by(|a, b| {
        let (ga, gb) = (a.gvk(), b.gvk());
        if ga != gb {
            let (oa, ob) = (order(&ga.kind), order(&gb.kind));
            if oa != ob {
                return oa.cmp(&ob);
            }
            return gvk_key(&ga).cmp(&gvk_key(&gb));
        }
        id_key(a).cmp(&id_key(b))
    });
}

/// A kustomization file, read as kustomize reads it (sigs.k8s.io/yaml, strict fields).
#[derive(Clone, Debug, Default)]
pub(crate) struct Kustomization {
    pub api_version: String,
    pub kind: String,
    pub resources: Vec<String>,
    pub namespace: String,
    pub name_prefix: String,
    pub name_suffix: String,
    pub common_labels: Option<Map<String, Value>>,
    pub labels: Vec<Value>,
    pub common_annotations: Option<Map<String, Value>>,
    pub images: Vec<Value>,
    pub replicas: Vec<Value>,
    pub config_map_generator: Vec<Value>,
    pub secret_generator: Vec<Value>,
    pub generator_options: Option<Value>,
    pub patches: Vec<Value>,
    pub patches_strategic_merge: Option<Vec<String>>,
    pub patches_json6902: Option<Vec<Value>>,
    /// Deprecated fields present (for the warnings), in kustomize's order.
    deprecated: Vec<&'static str>,
    /// Fields kustomize knows and kubedojo does not simulate.
    unsupported: Vec<String>,
    /// Whether anything but apiVersion and kind was set.
    has_content: bool,
}

/// The top-level fields of kustomize's `types.Kustomization` with their Go types.
const FIELDS: &[(&str, &str)] = &[
    ("apiVersion", "string"),
    ("kind", "string"),
    ("metadata", "types.ObjectMeta"),
    ("openapi", "map[string]string"),
    ("namePrefix", "string"),
    ("nameSuffix", "string"),
    ("namespace", "string"),
    ("commonLabels", "map[string]string"),
    ("labels", "[]types.Label"),
    ("commonAnnotations", "map[string]string"),
    ("patchesStrategicMerge", "[]types.PatchStrategicMerge"),
    ("patchesJson6902", "[]types.Patch"),
    ("patches", "[]types.Patch"),
    ("images", "[]types.Image"),
    ("imageTags", "[]types.Image"),
    ("replacements", "[]types.ReplacementField"),
    ("replicas", "[]types.Replica"),
    ("vars", "[]types.Var"),
    ("sortOptions", "types.SortOptions"),
    ("resources", "[]string"),
    ("components", "[]string"),
    ("crds", "[]string"),
    ("bases", "[]string"),
    ("configMapGenerator", "[]types.ConfigMapArgs"),
    ("secretGenerator", "[]types.SecretArgs"),
    ("helmGlobals", "types.HelmGlobals"),
    ("helmCharts", "[]types.HelmChart"),
    ("helmChartInflationGenerator", "[]types.HelmChartArgs"),
    ("generatorOptions", "types.GeneratorOptions"),
    ("configurations", "[]string"),
    ("generators", "[]string"),
    ("transformers", "[]string"),
    ("validators", "[]string"),
    ("buildMetadata", "[]string"),
];

/// The JSON type name Go's decoder reports (`cannot unmarshal string into ...`).
pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Checks `v` against a Go type the way encoding/json does; Err is the JSON type found.
fn fits(v: &Value, go_type: &str) -> bool {
    match (go_type, v) {
        (_, Value::Null) => true,
        ("string", Value::String(_)) => true,
        ("bool", Value::Bool(_)) => true,
        ("int", Value::Number(n)) => n.is_i64(),
        (t, Value::Array(items)) if t.starts_with("[]") => items.iter().all(|i| fits(i, &t[2..])),
        (t, Value::Object(m)) if t.starts_with("map[string]") => m.values().all(|i| fits(i, &t[11..])),
        ("types.PatchStrategicMerge", Value::String(_)) => true,
        (t, Value::Object(_)) if t.starts_with("types.") => true,
        _ => false,
    }
}

/// The JSON type and Go type of the first mismatch inside `v` (for nested values).
fn mismatch(v: &Value, go_type: &str) -> (&'static str, String) {
    match (go_type, v) {
        (t, Value::Array(items)) if t.starts_with("[]") => {
            items.iter().find(|i| !fits(i, &t[2..])).map(|i| mismatch(i, &t[2..])).unwrap_or(("array", t.to_string()))
        }
        (t, Value::Object(m)) if t.starts_with("map[string]") => {
            m.values().find(|i| !fits(i, &t[11..])).map(|i| mismatch(i, &t[11..])).unwrap_or(("object", t.to_string()))
        }
        (t, v) => (json_type(v), t.to_string()),
    }
}

impl Kustomization {
    fn parse(text: &str) -> Result<Kustomization, String> {
        let v = crate::sim::api::decode::yaml_to_json(text).map_err(|e| {
            format!("invalid Kustomization: {}", e.trim_start_matches("error converting YAML to JSON: "))
        })?;
        let m = match v {
            Value::Null => Map::new(),
            Value::Object(m) => m,
            other => {
                return Err(format!(
                    "invalid Kustomization: json: cannot unmarshal {} into Go value of type types.Kustomization",
                    json_type(&other)
                ))
            }
        };
        for (key, value) in &m {
            let Some((_, go_type)) = FIELDS.iter().find(|(f, _)| f == key) else {
                return Err(format!("invalid Kustomization: json: unknown field \"{key}\""));
            };
            if !fits(value, go_type) {
                let (found, ty) = mismatch(value, go_type);
                return Err(format!(
                    "invalid Kustomization: json: cannot unmarshal {found} into Go struct field Kustomization.{key} of type {ty}"
                ));
            }
        }
        let s = |key: &str| m.get(key).and_then(Value::as_str).unwrap_or("").to_string();
        let strings = |key: &str| -> Vec<String> {
            m.get(key)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
                .unwrap_or_default()
        };
        let list = |key: &str| -> Vec<Value> { m.get(key).and_then(Value::as_array).cloned().unwrap_or_default() };
        let mut k = Kustomization {
            api_version: s("apiVersion"),
            kind: s("kind"),
            resources: strings("resources"),
            namespace: s("namespace"),
            name_prefix: s("namePrefix"),
            name_suffix: s("nameSuffix"),
            common_labels: m.get("commonLabels").and_then(Value::as_object).cloned(),
            labels: list("labels"),
            common_annotations: m.get("commonAnnotations").and_then(Value::as_object).cloned(),
            images: list("images"),
            replicas: list("replicas"),
            config_map_generator: list("configMapGenerator"),
            secret_generator: list("secretGenerator"),
            generator_options: m.get("generatorOptions").filter(|v| !v.is_null()).cloned(),
            patches: list("patches"),
            patches_strategic_merge: m.get("patchesStrategicMerge").and_then(Value::as_array).map(|a| {
                a.iter()
                    .map(|x| match x {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect()
            }),
            patches_json6902: m.get("patchesJson6902").and_then(Value::as_array).cloned(),
            ..Default::default()
        };
        for (field, _) in FIELDS {
            let present = m.get(*field).is_some_and(|v| !v.is_null());
            if !present {
                continue;
            }
            if !matches!(*field, "apiVersion" | "kind") {
                k.has_content = true;
            }
            match *field {
                "bases" => {
                    k.deprecated.push("bases");
                    k.resources.extend(strings("bases"));
                }
                "commonLabels" => k.deprecated.push("commonLabels"),
                "imageTags" => {
                    k.deprecated.push("imageTags");
                    k.images.extend(list("imageTags"));
                }
                "patchesJson6902" => k.deprecated.push("patchesJson6902"),
                "patchesStrategicMerge" => k.deprecated.push("patchesStrategicMerge"),
                "vars" => {
                    k.deprecated.push("vars");
                    k.unsupported.push("vars".into());
                }
                "metadata" | "buildMetadata" | "sortOptions" => {}
                "openapi"
                | "replacements"
                | "components"
                | "crds"
                | "helmGlobals"
                | "helmCharts"
                | "helmChartInflationGenerator"
                | "configurations"
                | "generators"
                | "transformers"
                | "validators" => k.unsupported.push(field.to_string()),
                _ => {}
            }
        }
        if let Some(order) = m.get("sortOptions").and_then(|o| o.get("order")).and_then(Value::as_str) {
            if order != "legacy" {
                k.unsupported.push(format!("sortOptions.order: {order}"));
            }
        }
        Ok(k)
    }

    fn is_empty(&self) -> bool {
        !self.has_content
    }

    /// kustomize's deprecation warnings for this file.
    fn deprecations(&self) -> Vec<String> {
        const EDIT_FIX: &str = "Run 'kustomize edit fix' to update your Kustomization automatically.";
        let mut out = Vec::new();
        for (field, instead) in [
            ("bases", "resources"),
            ("commonLabels", "labels"),
            ("imageTags", "images"),
            ("patchesJson6902", "patches"),
            ("patchesStrategicMerge", "patches"),
            ("vars", "replacements"),
        ] {
            if self.deprecated.contains(&field) {
                let fix = if field == "vars" { format!("[EXPERIMENTAL] {EDIT_FIX}") } else { EDIT_FIX.to_string() };
                out.push(format!("# Warning: '{field}' is deprecated. Please use '{instead}' instead. {fix}"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_split_on_separators_only() {
        let docs = split_documents("a: 1\n---\nb: 2\n--- \nc: 3\n---x: 4\n");
        assert_eq!(docs, vec!["a: 1\n", "b: 2\n", "c: 3\n---x: 4\n"]);
    }

    #[test]
    fn type_errors_read_like_go() {
        let e = Kustomization::parse("resources: foo\n").unwrap_err();
        assert_eq!(
            e,
            "invalid Kustomization: json: cannot unmarshal string into Go struct field Kustomization.resources of type []string"
        );
        let e = Kustomization::parse("foo: 1\n").unwrap_err();
        assert_eq!(e, "invalid Kustomization: json: unknown field \"foo\"");
    }
}
