//! Phase two of loading: turn the raw structs into the validated course ([`super::model`]),
//! resolving every reference — scenario ids, prerequisite ids, included files, image names
//! against the simulated registry (`sim::images`), kubectl in checks — and reporting *every*
//! problem with its file:line:column. Prerequisites must form a DAG (petgraph); a cycle is
//! reported with its members in order.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use petgraph::graph::{DiGraph, NodeIndex};
use regex::Regex;
use serde_json::Value;
use serde_saphyr::Spanned;

use super::diag::{Diagnostic, Loc};
use super::load::{Parsed, RawItem, SourceFile};
use super::model::*;
use super::raw::*;
use crate::sim::api::validate::is_dns1123_label;
use crate::sim::cluster::NodeConfig;
use crate::sim::images::{Catalog, ImageRef, Lookup};

/// The validated course and the order to take it in.
#[derive(Clone, Debug, Default)]
pub struct Course {
    pub scenarios: BTreeMap<String, Arc<Scenario>>,
    pub lessons: BTreeMap<String, Arc<Lesson>>,
    /// Lessons and exams, prerequisites first (petgraph's topological order, ties broken by
    /// domain, depth and id so that the order is stable).
    pub order: Vec<String>,
}

struct V<'a> {
    file: &'a str,
    src: &'a SourceFile,
    diags: &'a mut Vec<Diagnostic>,
    catalog: &'a Catalog,
}

impl V<'_> {
    fn at<T>(&self, s: &Spanned<T>) -> Loc {
        Loc::at(self.file, &s.referenced)
    }
    fn err(&mut self, loc: Loc, msg: impl Into<String>) {
        self.diags.push(Diagnostic::new(loc, msg));
    }
    fn non_empty(&mut self, s: &Spanned<String>, what: &str) {
        if s.value.trim().is_empty() {
            let loc = self.at(s);
            self.err(loc, format!("{what} must not be empty"));
        }
    }
    fn id(&mut self, s: &Spanned<String>, what: &str) {
        let errs = is_dns1123_label(&s.value);
        if !errs.is_empty() {
            let loc = self.at(s);
            self.err(loc, format!("invalid {what} \"{}\": {}", s.value, errs.join("; ")));
        }
    }
}

/// Validates everything parsed. Items with errors are left out of the course; the
/// diagnostics say why.
pub fn validate(parsed: &[Parsed], diags: &mut Vec<Diagnostic>) -> Course {
    let catalog = Catalog::builtin();
    let mut course = Course::default();

    // Ids are unique across scenarios, lessons and exams (`kubedojo run <id>` takes any).
    let mut first: BTreeMap<&str, &Loc> = BTreeMap::new();
    let mut unique: Vec<&Parsed> = Vec::new();
    for p in parsed {
        if p.id == "empty" {
            diags.push(Diagnostic::new(p.id_loc.clone(), "the id \"empty\" is reserved for the default cluster"));
            continue;
        }
        match first.get(p.id.as_str()) {
            Some(loc) => diags.push(Diagnostic::new(
                p.id_loc.clone(),
                format!("duplicate id \"{}\": it is already used at {loc}", p.id),
            )),
            None => {
                first.insert(&p.id, &p.id_loc);
                unique.push(p);
            }
        }
    }
    let lesson_ids: BTreeSet<&str> =
        unique.iter().filter(|p| !matches!(p.item, RawItem::Scenario(_))).map(|p| p.id.as_str()).collect();
    let scenario_ids: BTreeSet<&str> =
        unique.iter().filter(|p| matches!(p.item, RawItem::Scenario(_))).map(|p| p.id.as_str()).collect();

    for p in &unique {
        if let RawItem::Scenario(raw) = &p.item {
            let before = diags.len();
            let mut v = V { file: &p.source.path, src: &p.source, diags, catalog: &catalog };
            let s = scenario(&mut v, raw, &p.id, false);
            if diags.len() == before {
                course.scenarios.insert(p.id.clone(), Arc::new(s));
            }
        }
    }
    // Prerequisite edges, with where each is written, for the cycle report.
    let mut prereqs: Vec<(String, String, Loc)> = Vec::new();
    for p in &unique {
        let before = diags.len();
        let mut v = V { file: &p.source.path, src: &p.source, diags, catalog: &catalog };
        let lesson = match &p.item {
            RawItem::Scenario(_) => continue,
            RawItem::Lesson(raw) => lesson(&mut v, raw, &course, &scenario_ids, &lesson_ids, &mut prereqs),
            RawItem::Exam(raw) => exam(&mut v, raw, &course, &scenario_ids, &lesson_ids, &mut prereqs),
        };
        if let Some(l) = lesson {
            if diags.len() == before {
                course.lessons.insert(p.id.clone(), Arc::new(l));
            }
        }
    }
    course.order = order(&unique, &course, &prereqs, diags);
    course
}

fn scenario(v: &mut V, raw: &RawScenario, id: &str, inline: bool) -> Scenario {
    let loc = raw.id.as_ref().map(|s| v.at(s)).unwrap_or_else(|| Loc::new(v.file, 1, 1));
    if inline {
        for (field, s) in [("apiVersion", &raw.api_version), ("kind", &raw.kind), ("id", &raw.id)] {
            if let Some(s) = s {
                let l = v.at(s);
                v.err(l, format!("an inline scenario has no `{field}`: it belongs to the lesson"));
            }
        }
    } else if let Some(s) = &raw.id {
        v.id(s, "scenario id");
    }
    let mut broken = Vec::new();
    for b in &raw.broken_images {
        if let Lookup::Found(_) = v.catalog.lookup(&ImageRef::parse(&b.value)) {
            let l = v.at(b);
            v.err(l, format!("image \"{}\" is in the catalog and pulls fine: remove it from brokenImages", b.value));
        }
        broken.push(b.value.clone());
    }
    let mut clusters: Vec<ClusterSpec> = Vec::new();
    let declares_clusters = raw.clusters.is_some();
    if let Some(list) = &raw.clusters {
        if let Some(c) = &raw.cluster {
            let l = v.at(c);
            v.err(l, "give either `cluster` (one cluster) or `clusters` (several), not both");
        }
        if list.value.is_empty() {
            let l = v.at(list);
            v.err(l, "`clusters` needs at least one cluster");
        }
        for c in &list.value {
            let Some(name) = &c.value.name else {
                let l = v.at(c);
                v.err(l, "a cluster in `clusters` needs a `name` (the contexts name it)");
                continue;
            };
            // kubeconfig names are free text; these characters keep them one word in a shell.
            let ok = |ch: char| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.');
            if name.value.is_empty() || !name.value.chars().all(ok) {
                let l = v.at(name);
                v.err(l, format!("invalid cluster name \"{}\": use letters, digits, '-', '_' and '.'", name.value));
            }
            let spec = cluster(v, &c.value, name.value.clone(), &broken);
            if clusters.iter().any(|x| x.name == name.value) {
                let l = v.at(name);
                v.err(l, format!("duplicate cluster \"{}\"", name.value));
            } else {
                clusters.push(spec);
            }
        }
    } else {
        match &raw.cluster {
            Some(c) => {
                for (field, f) in [("name", c.value.name.as_ref().map(|x| v.at(x)))] {
                    if let Some(l) = f {
                        v.err(
                            l,
                            format!("`{field}` is for the entries of `clusters` (a scenario with several clusters)"),
                        );
                    }
                }
                if let Some(first) = c.value.setup.first() {
                    let l = v.at(first);
                    v.err(l, "a single cluster's setup goes in the scenario's `setup`");
                }
                clusters.push(cluster(v, &c.value, DEFAULT_CLUSTER.into(), &broken));
            }
            None => clusters.push(ClusterSpec {
                name: DEFAULT_CLUSTER.into(),
                nodes: None,
                namespaces: vec![],
                setup: vec![],
            }),
        }
    }
    let names: Vec<&str> = clusters.iter().map(|c| c.name.as_str()).collect();
    let unknown_cluster = |name: &str| {
        let hint = if declares_clusters { "" } else { " (declare several under `clusters:`)" };
        format!("unknown cluster \"{name}\": the scenario has {}{hint}", names.join(", "))
    };
    let mut contexts = Vec::new();
    for c in &raw.contexts {
        let name = &c.value.name;
        v.non_empty(name, "a context's name");
        if contexts.iter().any(|x: &ContextSpec| x.name == name.value) {
            let l = v.at(name);
            v.err(l, format!("duplicate context \"{}\"", name.value));
        }
        let namespace = c.value.namespace.as_ref().map(|ns| {
            v.id(ns, "namespace name");
            ns.value.clone()
        });
        let cluster = match &c.value.cluster {
            Some(cl) => {
                if !names.contains(&cl.value.as_str()) {
                    let l = v.at(cl);
                    v.err(l, unknown_cluster(&cl.value));
                }
                cl.value.clone()
            }
            None => names.first().map(|n| n.to_string()).unwrap_or_else(|| DEFAULT_CLUSTER.into()),
        };
        contexts.push(ContextSpec { name: name.value.clone(), cluster, namespace });
    }
    if contexts.is_empty() {
        // kubeadm's context for each cluster.
        contexts = names
            .iter()
            .map(|n| ContextSpec { name: format!("kubernetes-admin@{n}"), cluster: n.to_string(), namespace: None })
            .collect();
    }
    let first_cluster = contexts.first().map(|c| c.cluster.clone()).unwrap_or_else(|| DEFAULT_CLUSTER.into());
    let mut setup = Vec::new();
    for item in &raw.setup {
        if let Some(s) = setup_item(v, item, &broken) {
            setup.push(s);
        }
    }
    let mut faults = Vec::new();
    for f in &raw.faults {
        let mut argv: Vec<String> = f.value.chaos.value.split_whitespace().map(str::to_string).collect();
        if argv.first().is_some_and(|a| a == "chaos") {
            argv.remove(0);
        }
        let l = v.at(&f.value.chaos);
        match argv.first() {
            None => v.err(l.clone(), "a fault needs a chaos command, e.g. `node-down node01`"),
            Some(verb) if !FAULT_VERBS.contains(&verb.as_str()) => {
                v.err(l.clone(), format!("unknown fault verb \"{verb}\": the verbs are {}", FAULT_VERBS.join(", ")))
            }
            Some(_) => {}
        }
        let cluster = match &f.value.cluster {
            Some(cl) => {
                if !names.contains(&cl.value.as_str()) {
                    let l = v.at(cl);
                    v.err(l, unknown_cluster(&cl.value));
                }
                cl.value.clone()
            }
            None => first_cluster.clone(),
        };
        faults.push(Fault { at: f.value.at.value, argv, cluster, loc: l });
    }
    faults.sort_by_key(|f| f.at);
    Scenario {
        id: id.to_string(),
        title: raw.title.as_ref().map(|t| t.value.clone()).unwrap_or_default(),
        description: raw.description.clone().unwrap_or_default(),
        seed: raw.seed.as_ref().map(|s| s.value).unwrap_or(1),
        clusters,
        declares_clusters,
        contexts,
        setup,
        faults,
        broken_images: broken,
        loc,
    }
}

/// One cluster's nodes, namespaces and setup.
fn cluster(v: &mut V, c: &RawCluster, name: String, broken: &[String]) -> ClusterSpec {
    let mut nodes = None;
    if let Some(ns) = &c.nodes {
        let mut list = Vec::new();
        let mut seen = BTreeSet::new();
        if ns.value.is_empty() {
            let l = v.at(ns);
            v.err(l, "a cluster needs at least one node");
        }
        for n in &ns.value {
            list.push(node(v, &n.value, &mut seen));
        }
        nodes = Some(list);
    }
    let mut namespaces = Vec::new();
    for n in &c.namespaces {
        v.id(n, "namespace name");
        if ["default", "kube-system", "kube-public", "kube-node-lease"].contains(&n.value.as_str()) {
            let l = v.at(n);
            v.err(l, format!("namespace \"{}\" exists in every cluster already", n.value));
        }
        namespaces.push(n.value.clone());
    }
    let setup = c.setup.iter().filter_map(|item| setup_item(v, item, broken)).collect();
    ClusterSpec { name, nodes, namespaces, setup }
}

fn node(v: &mut V, n: &RawNode, seen: &mut BTreeSet<String>) -> NodeConfig {
    let errs = crate::sim::api::validate::is_dns1123_subdomain(&n.name.value);
    if !errs.is_empty() {
        let l = v.at(&n.name);
        v.err(l, format!("invalid node name \"{}\": {}", n.name.value, errs.join("; ")));
    }
    if !seen.insert(n.name.value.clone()) {
        let l = v.at(&n.name);
        v.err(l, format!("duplicate node \"{}\"", n.name.value));
    }
    let mut cfg =
        if n.control_plane { NodeConfig::control_plane(&n.name.value) } else { NodeConfig::worker(&n.name.value) };
    if let Some(cpu) = &n.cpu {
        match crate::sim::quantity::parse_milli(&cpu.value) {
            Ok(m) if m > 0 => cfg.cpu = cpu.value.clone(),
            _ => {
                let l = v.at(cpu);
                v.err(l, format!("cpu: \"{}\" is not a positive quantity (e.g. 4 or 3500m)", cpu.value));
            }
        }
    }
    if let Some(mem) = &n.memory {
        match crate::sim::quantity::parse_value(&mem.value) {
            Ok(b) if b >= 256 << 20 => cfg.memory = mem.value.clone(),
            _ => {
                let l = v.at(mem);
                v.err(l, format!("memory: \"{}\" is not a quantity of at least 256Mi (e.g. 8Gi)", mem.value));
            }
        }
    }
    if let Some(p) = &n.pods {
        if p.value == 0 {
            let l = v.at(p);
            v.err(l, "pods: a node must accept at least one pod");
        }
        cfg.pods = p.value;
    }
    cfg.labels = n.labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    for t in &n.taints {
        let t = &t.value;
        if !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&t.effect.value.as_str()) {
            let l = v.at(&t.effect);
            v.err(
                l,
                format!(
                    "Unsupported value: \"{}\": supported values: \"NoSchedule\", \"PreferNoSchedule\", \"NoExecute\"",
                    t.effect.value
                ),
            );
        }
        v.non_empty(&t.key, "a taint's key");
        cfg.taints.push((t.key.value.clone(), t.value.clone(), t.effect.value.clone()));
    }
    cfg
}

fn setup_item(v: &mut V, item: &Spanned<RawSetup>, broken: &[String]) -> Option<SetupItem> {
    let loc = v.at(item);
    let s = &item.value;
    let given = [s.apply.is_some(), s.apply_file.is_some(), s.run.is_some(), s.file.is_some()];
    if given.iter().filter(|g| **g).count() != 1 {
        v.err(loc, "a setup item needs exactly one of `apply`, `applyFile`, `run` or `file`");
        return None;
    }
    if s.file.is_none() {
        for (field, f) in [("content", &s.content), ("from", &s.from)] {
            if let Some(f) = f {
                let l = v.at(f);
                v.err(l, format!("`{field}` goes with `file`"));
            }
        }
    }
    if let Some(a) = &s.apply {
        let l = v.at(a);
        let text = match &a.value {
            Value::String(t) => t.clone(),
            Value::Object(_) => serde_json::to_string(&a.value).unwrap_or_default(),
            _ => {
                v.err(l, "apply: expected a manifest (YAML text or a mapping)");
                return None;
            }
        };
        check_manifest(v, &text, "apply", &l, broken, true);
        return Some(SetupItem { action: SetupAction::Apply { manifest: text }, loc: l });
    }
    if let Some(f) = &s.apply_file {
        let l = v.at(f);
        return match v.src.include(&f.value) {
            Ok((shown, text)) => {
                check_manifest(v, &text, &shown, &l, broken, false);
                Some(SetupItem { action: SetupAction::Apply { manifest: text }, loc: l })
            }
            Err(e) => {
                v.err(l, format!("applyFile: {e}"));
                None
            }
        };
    }
    if let Some(r) = &s.run {
        let l = v.at(r);
        command_complete(v, &r.value, &l, "run");
        return Some(SetupItem { action: SetupAction::Run { command: r.value.clone() }, loc: l });
    }
    let f = s.file.as_ref()?;
    let l = v.at(f);
    if !f.value.starts_with('/') {
        v.err(l.clone(), format!("file: \"{}\" must be an absolute path (e.g. /root/pod.yaml)", f.value));
    }
    let content = match (&s.content, &s.from) {
        (Some(c), None) => c.value.clone(),
        (None, Some(from)) => match v.src.include(&from.value) {
            Ok((_, t)) => t,
            Err(e) => {
                let fl = v.at(from);
                v.err(fl, format!("from: {e}"));
                return None;
            }
        },
        _ => {
            v.err(l, "file: give its `content` or the file to copy it `from`, not both");
            return None;
        }
    };
    Some(SetupItem { action: SetupAction::WriteFile { path: f.value.clone(), content }, loc: l })
}

/// A manifest must read and decode as `kubectl apply` would take it, and use only images
/// the simulated registry has (or that the scenario declares broken on purpose).
/// `inline`: the text is written at `loc` in this file; otherwise it is the included file
/// `source`, and errors inside it point into that file.
fn check_manifest(v: &mut V, text: &str, source: &str, loc: &Loc, broken: &[String], inline: bool) {
    let m = crate::sim::api::decode::read_manifest(text, source, true);
    if let Some(e) = &m.error {
        v.err(loc.clone(), e.clone());
    }
    if m.docs.is_empty() && m.error.is_none() {
        v.err(loc.clone(), "the manifest has no objects");
    }
    for doc in &m.docs {
        // The document's first line in the file: the location of a block scalar is its
        // first content line.
        let doc_loc = if inline {
            Loc::new(&loc.file, loc.line + doc.line as u64 - 1, loc.column)
        } else {
            Loc::new(source, doc.line as u64, 1)
        };
        if let Err(e) = crate::sim::api::decode::decode_object(&doc.value) {
            v.err(doc_loc.clone(), e.kubectl_text());
        }
        let mut images = Vec::new();
        images_in(&doc.value, &mut images);
        for img in images {
            if broken.contains(&img) {
                continue;
            }
            // Point at the `image:` line itself when the manifest is text in this file.
            let doc_loc = match image_line(text, &img) {
                Some((l, c)) if inline => Loc::new(&loc.file, loc.line + l, loc.column + c),
                Some((l, c)) => Loc::new(source, l + 1, c + 1),
                None => doc_loc.clone(),
            };
            match v.catalog.lookup(&ImageRef::parse(&img)) {
                Lookup::Found(_) => {}
                Lookup::NoSuchTag => {
                    let r = ImageRef::parse(&img);
                    let tags = v.catalog.get(&r.catalog_key()).map(|s| s.tags.join(", ")).unwrap_or_default();
                    v.err(
                        doc_loc.clone(),
                        format!("image \"{img}\": the simulated registry has no tag \"{}\" of {} (it has {tags}); list it in brokenImages if the lesson needs a failing pull", r.tag, r.catalog_key()),
                    );
                }
                Lookup::NoSuchRepository => v.err(
                    doc_loc.clone(),
                    format!("image \"{img}\" is not in the simulated registry (assets/images.yaml); list it in brokenImages if the lesson needs a failing pull"),
                ),
            }
        }
    }
}

/// Where `image: <img>` is written in a manifest's text: (line offset, column offset).
fn image_line(text: &str, img: &str) -> Option<(u64, u64)> {
    text.lines().enumerate().find_map(|(i, l)| {
        let t = l.trim_start().trim_start_matches("- ");
        let rest = t.strip_prefix("image:")?;
        (rest.trim().trim_matches(|c| c == '"' || c == '\'') == img).then(|| (i as u64, (l.len() - t.len()) as u64))
    })
}

/// The images of every container, init container and ephemeral container in an object.
pub fn images_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if matches!(k.as_str(), "containers" | "initContainers" | "ephemeralContainers") {
                    for c in x.as_array().into_iter().flatten() {
                        if let Some(img) = c.get("image").and_then(Value::as_str) {
                            out.push(img.to_string());
                        }
                    }
                }
                images_in(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| images_in(x, out)),
        _ => {}
    }
}

fn command_complete(v: &mut V, script: &str, loc: &Loc, what: &str) {
    if script.trim().is_empty() {
        v.err(loc.clone(), format!("{what}: the command is empty"));
        return;
    }
    let groups = crate::shell::workstation::split_commands(script);
    if let Some(last) = groups.last() {
        if crate::shell::needs_more_input(&last.join("\n")) {
            v.err(
                loc.clone(),
                format!("{what}: the script ends inside a command (an unclosed quote, heredoc or `do ... done`?)"),
            );
        }
    }
}

fn scenario_ref(
    v: &mut V,
    raw: &Option<Spanned<RawScenarioRef>>,
    lesson_id: &str,
    course: &Course,
    scenario_ids: &BTreeSet<&str>,
) -> Option<Arc<Scenario>> {
    match raw {
        None => Some(Arc::new(Scenario::empty())),
        Some(s) => match &s.value {
            RawScenarioRef::Id(id) if id == "empty" => Some(Arc::new(Scenario::empty())),
            RawScenarioRef::Id(id) => match course.scenarios.get(id) {
                Some(sc) => Some(sc.clone()),
                // It exists but has errors of its own, reported there.
                None if scenario_ids.contains(id.as_str()) => None,
                None => {
                    let l = v.at(s);
                    v.err(l, format!("unknown scenario \"{id}\": no scenarios/*.yaml has this id (or use `empty`)"));
                    None
                }
            },
            RawScenarioRef::Inline(raw) => Some(Arc::new(scenario(v, raw, lesson_id, true))),
        },
    }
}

fn prerequisites(
    v: &mut V,
    id: &str,
    raw: &[Spanned<String>],
    lesson_ids: &BTreeSet<&str>,
    edges: &mut Vec<(String, String, Loc)>,
) -> Vec<String> {
    let mut out = Vec::new();
    for p in raw {
        let l = v.at(p);
        if !lesson_ids.contains(p.value.as_str()) {
            v.err(l, format!("unknown prerequisite \"{}\": no lesson or exam has this id", p.value));
            continue;
        }
        if out.contains(&p.value) {
            v.err(l, format!("prerequisite \"{}\" is listed twice", p.value));
            continue;
        }
        edges.push((id.to_string(), p.value.clone(), l));
        out.push(p.value.clone());
    }
    out
}

fn lesson(
    v: &mut V,
    raw: &RawLesson,
    course: &Course,
    scenario_ids: &BTreeSet<&str>,
    lesson_ids: &BTreeSet<&str>,
    edges: &mut Vec<(String, String, Loc)>,
) -> Option<Lesson> {
    let id = raw.id.value.clone();
    v.id(&raw.id, "lesson id");
    v.non_empty(&raw.title, "title");
    v.non_empty(&raw.intro, "intro");
    if raw.minutes.value == 0 || raw.minutes.value > 600 {
        let l = v.at(&raw.minutes);
        v.err(l, "minutes: between 1 and 600");
    }
    let prerequisites = prerequisites(v, &id, &raw.prerequisites, lesson_ids, edges);
    let scenario = scenario_ref(v, &raw.scenario, &id, course, scenario_ids);
    let steps = steps(v, &raw.steps, false, scenario.as_deref());
    Some(Lesson {
        id,
        title: raw.title.value.clone(),
        domain: Some(raw.domain.value),
        difficulty: raw.difficulty.value,
        minutes: raw.minutes.value,
        prerequisites,
        scenario: scenario?,
        intro: raw.intro.value.clone(),
        steps,
        debrief: raw.debrief.clone(),
        exam: None,
        loc: v.at(&raw.id),
    })
}

fn exam(
    v: &mut V,
    raw: &RawExam,
    course: &Course,
    scenario_ids: &BTreeSet<&str>,
    lesson_ids: &BTreeSet<&str>,
    edges: &mut Vec<(String, String, Loc)>,
) -> Option<Lesson> {
    let id = raw.id.value.clone();
    v.id(&raw.id, "exam id");
    v.non_empty(&raw.title, "title");
    v.non_empty(&raw.intro, "intro");
    if raw.time_limit.value == 0 || raw.time_limit.value > 600 {
        let l = v.at(&raw.time_limit);
        v.err(l, "timeLimit: minutes, between 1 and 600");
    }
    let pass_mark = raw.pass_mark.as_ref().map(|p| p.value).unwrap_or(66);
    if let Some(p) = &raw.pass_mark {
        if p.value == 0 || p.value > 100 {
            let l = v.at(p);
            v.err(l, "passMark: a percentage between 1 and 100");
        }
    }
    let prerequisites = prerequisites(v, &id, &raw.prerequisites, lesson_ids, edges);
    let scenario = scenario_ref(v, &raw.scenario, &id, course, scenario_ids);
    let steps = steps(v, &raw.tasks, true, scenario.as_deref());
    Some(Lesson {
        id,
        title: raw.title.value.clone(),
        domain: None,
        difficulty: Difficulty::Advanced,
        minutes: raw.time_limit.value,
        prerequisites,
        scenario: scenario?,
        intro: raw.intro.value.clone(),
        steps,
        debrief: raw.debrief.clone(),
        exam: Some(ExamRules { time_limit_minutes: raw.time_limit.value, pass_mark }),
        loc: v.at(&raw.id),
    })
}

fn steps(v: &mut V, raw: &Spanned<Vec<Spanned<RawStep>>>, exam: bool, scenario: Option<&Scenario>) -> Vec<Step> {
    let what = if exam { "task" } else { "step" };
    if raw.value.is_empty() {
        let l = v.at(raw);
        v.err(
            l,
            format!(
                "a{} {} needs at least one {what}",
                if exam { "n" } else { "" },
                if exam { "exam" } else { "lesson" }
            ),
        );
    }
    let mut out: Vec<Step> = Vec::new();
    for s in &raw.value {
        let s = &s.value;
        v.id(&s.id, &format!("{what} id"));
        if out.iter().any(|o| o.id == s.id.value) {
            let l = v.at(&s.id);
            v.err(l, format!("duplicate {what} id \"{}\"", s.id.value));
        }
        v.non_empty(&s.title, "title");
        v.non_empty(&s.prompt, "prompt");
        let sol_loc = v.at(&s.solution);
        command_complete(v, &s.solution.value, &sol_loc, "solution");
        if s.checks.value.is_empty() {
            let l = v.at(&s.checks);
            v.err(l, format!("a {what} needs at least one check"));
        }
        if !exam {
            for (field, f) in [
                ("context", s.context.as_ref().map(|x| v.at(x))),
                ("namespace", s.namespace.as_ref().map(|x| v.at(x))),
                ("weight", s.weight.as_ref().map(|x| v.at(x))),
            ] {
                if let Some(l) = f {
                    v.err(l, format!("`{field}` is for exam tasks"));
                }
            }
        }
        if let Some(w) = &s.weight {
            if w.value == 0 {
                let l = v.at(w);
                v.err(l, "weight: at least 1");
            }
        }
        if let (Some(c), Some(sc)) = (&s.context, scenario) {
            if !sc.contexts.iter().any(|x| x.name == c.value) {
                let l = v.at(c);
                let names: Vec<&str> = sc.contexts.iter().map(|x| x.name.as_str()).collect();
                v.err(l, format!("unknown context \"{}\": the scenario has {}", c.value, names.join(", ")));
            }
        }
        if let Some(ns) = &s.namespace {
            v.id(ns, "namespace name");
        }
        let checks = s.checks.value.iter().map(|c| check(v, c)).collect();
        out.push(Step {
            id: s.id.value.clone(),
            title: s.title.value.clone(),
            prompt: s.prompt.value.clone(),
            hints: s.hints.clone(),
            solution: s.solution.value.clone(),
            checks,
            debrief: s.debrief.clone(),
            weight: s.weight.as_ref().map(|w| w.value).unwrap_or(1),
            context: s.context.as_ref().map(|c| c.value.clone()),
            namespace: s.namespace.as_ref().map(|c| c.value.clone()),
            loc: v.at(&s.id),
            solution_loc: sol_loc,
        });
    }
    out
}

/// kubectl verbs a check may use: they read the cluster and never wait for it.
const READ_ONLY_VERBS: &[&str] = &[
    "get",
    "describe",
    "logs",
    "exec",
    "top",
    "explain",
    "api-resources",
    "api-versions",
    "version",
    "cluster-info",
    "auth",
    "config",
    "events",
];

/// Whether a word of a command line names kubectl (or its usual alias).
fn is_kubectl(word: &str) -> bool {
    let w = word.trim_matches(|c| c == '"' || c == '\'');
    w == "kubectl" || w == "k" || w.ends_with("/kubectl")
}

/// The first kubectl verb in a command line that a check must not use, if any.
pub fn forbidden_kubectl_verb(cmd: &str) -> Option<String> {
    let words: Vec<&str> = cmd
        .split(|c: char| c.is_whitespace() || matches!(c, '|' | ';' | '&' | '(' | ')' | '`'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut i = 0;
    while i < words.len() {
        if is_kubectl(words[i]) {
            let mut j = i + 1;
            while j < words.len() && words[j].starts_with('-') {
                // Global flags before the verb: `-n ns`, `--context x` take a value.
                let f = words[j];
                j += if !f.contains('=')
                    && matches!(
                        f,
                        "-n" | "--namespace"
                            | "--context"
                            | "--cluster"
                            | "--user"
                            | "--kubeconfig"
                            | "-s"
                            | "--server"
                    ) {
                    2
                } else {
                    1
                };
            }
            if let Some(verb) = words.get(j) {
                let verb = verb.trim_matches(|c| c == '"' || c == '\'');
                if verb == "rollout" {
                    // `rollout history` reads; `rollout status --watch=false` reads the
                    // status once instead of waiting for the rollout to finish.
                    let sub = words.get(j + 1).copied();
                    let rest = words[j + 1..].iter().take_while(|w| !is_kubectl(w));
                    let once = rest.clone().any(|w| matches!(*w, "--watch=false" | "-w=false"));
                    if !(sub == Some("history") || (sub == Some("status") && once)) {
                        return Some("rollout".into());
                    }
                } else if !READ_ONLY_VERBS.contains(&verb) {
                    return Some(verb.to_string());
                }
            }
            i = j;
        }
        i += 1;
    }
    None
}

/// The placeholders an `explain` text may use.
pub const PLACEHOLDERS: &[&str] = &["stdout", "stderr", "output", "exitCode", "lines", "expected", "tick"];

fn check(v: &mut V, c: &Spanned<RawCheck>) -> Check {
    let loc = v.at(c);
    let c = &c.value;
    v.non_empty(&c.name, "a check's name");
    let run_loc = v.at(&c.run);
    command_complete(v, &c.run.value, &run_loc, "run");
    if let Some(verb) = forbidden_kubectl_verb(&c.run.value) {
        let why = if matches!(verb.as_str(), "wait" | "rollout") {
            "checks must not wait for the cluster (use `during` to watch it)"
        } else {
            "checks only read the cluster"
        };
        v.err(run_loc.clone(), format!("run: `kubectl {verb}` is not allowed in a check: {why}"));
    }
    if c.expect.is_none() && c.matches.is_none() && c.lines.is_none() && c.exit_code.is_none() {
        v.err(loc.clone(), "a check needs at least one of `expect`, `match`, `lines` or `exitCode`");
    }
    let matches = c.matches.as_ref().and_then(|m| match Regex::new(&m.value) {
        Ok(r) => Some(r),
        Err(e) => {
            let text = e.to_string();
            let last = text.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("").trim();
            let last = last.strip_prefix("error: ").unwrap_or(last);
            let l = v.at(m);
            v.err(l, format!("match: invalid regular expression: {last}"));
            None
        }
    });
    let during = c.during.as_ref().and_then(|d| match parse_window(&d.value) {
        Ok(w) => Some(w),
        Err(e) => {
            let l = v.at(d);
            v.err(l, e);
            None
        }
    });
    if let Some(e) = &c.explain {
        for name in placeholders(&e.value) {
            if !PLACEHOLDERS.contains(&name.as_str()) {
                let l = v.at(e);
                v.err(
                    l,
                    format!(
                        "explain: unknown placeholder {{{{{name}}}}}: use {}",
                        PLACEHOLDERS.iter().map(|p| format!("{{{{{p}}}}}")).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        }
    }
    Check {
        name: c.name.value.clone(),
        run: c.run.value.clone(),
        expect: c.expect.as_ref().map(|e| e.value.clone()),
        matches,
        lines: c.lines.as_ref().map(|l| l.value),
        exit_code: c.exit_code.as_ref().map(|e| e.value),
        during,
        explain: c.explain.as_ref().map(|e| e.value.clone()),
        loc,
    }
}

/// `step`, `30..120` or `30..` (ticks since the attempt started).
pub fn parse_window(s: &str) -> Result<Window, String> {
    let s = s.trim();
    if s == "step" {
        return Ok(Window::Step);
    }
    let bad = || format!("during: \"{s}\" is not a window: use `step` or ticks `FROM..TO` / `FROM..`");
    let (a, b) = s.split_once("..").ok_or_else(bad)?;
    let from: u64 = a.trim().parse().map_err(|_| bad())?;
    let to = if b.trim().is_empty() { None } else { Some(b.trim().parse::<u64>().map_err(|_| bad())?) };
    if to.is_some_and(|t| t < from) {
        return Err(format!("during: the window {s} ends before it starts"));
    }
    Ok(Window::Ticks { from, to })
}

/// The `{{name}}` placeholders of a template, in order.
pub fn placeholders(t: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = t;
    while let Some(i) = rest.find("{{") {
        let after = &rest[i + 2..];
        match after.find("}}") {
            Some(j) => {
                out.push(after[..j].trim().to_string());
                rest = &after[j + 2..];
            }
            None => break,
        }
    }
    out
}

/// Checks the prerequisite graph and returns the course order. A cycle is reported once,
/// at the prerequisite entry that closes it, naming every lesson on it.
fn order(
    unique: &[&Parsed],
    course: &Course,
    edges: &[(String, String, Loc)],
    diags: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let mut g: DiGraph<String, ()> = DiGraph::new();
    let mut idx: BTreeMap<String, NodeIndex> = BTreeMap::new();
    let ids: Vec<&str> =
        unique.iter().filter(|p| !matches!(p.item, RawItem::Scenario(_))).map(|p| p.id.as_str()).collect();
    for id in &ids {
        idx.insert(id.to_string(), g.add_node(id.to_string()));
    }
    // Edge prerequisite → lesson: a topological order puts prerequisites first.
    for (lesson, pre, _) in edges {
        if let (Some(&a), Some(&b)) = (idx.get(pre), idx.get(lesson)) {
            g.add_edge(a, b, ());
        }
    }
    let mut cyclic: BTreeSet<String> = BTreeSet::new();
    for scc in petgraph::algo::tarjan_scc(&g) {
        let self_loop = scc.len() == 1 && g.contains_edge(scc[0], scc[0]);
        if scc.len() < 2 && !self_loop {
            continue;
        }
        let members: BTreeSet<NodeIndex> = scc.iter().copied().collect();
        let start = *members.iter().min_by_key(|n| g[**n].clone()).unwrap_or(&scc[0]);
        // Walk "requires" edges (lesson → its prerequisite) inside the component back to start.
        let cycle = find_cycle(&g, start, &members);
        let names: Vec<String> = cycle.iter().map(|n| g[*n].clone()).collect();
        for n in &names {
            cyclic.insert(n.clone());
        }
        let first = names[0].clone();
        let second = names.get(1).cloned().unwrap_or_else(|| first.clone());
        let loc = edges
            .iter()
            .find(|(l, p, _)| *l == first && *p == second)
            .map(|(_, _, loc)| loc.clone())
            .unwrap_or_default();
        let mut text = names.join(" → ");
        text.push_str(" → ");
        text.push_str(&first);
        diags.push(Diagnostic::new(loc, format!("prerequisites form a cycle: {text} (each requires the next)")));
    }
    if !cyclic.is_empty() {
        return Vec::new();
    }
    let topo = match petgraph::algo::toposort(&g, None) {
        Ok(t) => t,
        Err(_) => return Vec::new(),
    };
    // Depth: the longest chain of prerequisites below a lesson.
    let mut depth: BTreeMap<String, usize> = BTreeMap::new();
    for n in &topo {
        let d = g
            .neighbors_directed(*n, petgraph::Direction::Incoming)
            .map(|p| depth.get(&g[p]).copied().unwrap_or(0) + 1)
            .max()
            .unwrap_or(0);
        depth.insert(g[*n].clone(), d);
    }
    // Kahn's algorithm, always taking the ready lesson that sorts first by (exam, domain,
    // depth, id): the course reads domain by domain as far as the prerequisites allow, and a
    // lesson never comes before one it requires (sorting the whole list by domain would put
    // a lesson before a prerequisite from a later domain).
    let key = |n: NodeIndex| {
        let id = &g[n];
        let l = course.lessons.get(id);
        (l.is_some_and(|l| l.is_exam()), l.map(|l| l.domain), depth.get(id).copied().unwrap_or(0), id.clone())
    };
    let mut waiting: BTreeMap<NodeIndex, usize> = BTreeMap::new();
    let mut ready = BTreeSet::new();
    for n in g.node_indices() {
        let k = g.neighbors_directed(n, petgraph::Direction::Incoming).count();
        if k == 0 {
            ready.insert((key(n), n));
        } else {
            waiting.insert(n, k);
        }
    }
    let mut order = Vec::new();
    while let Some((_, n)) = ready.pop_first() {
        if course.lessons.contains_key(&g[n]) {
            order.push(g[n].clone());
        }
        for m in g.neighbors_directed(n, petgraph::Direction::Outgoing) {
            if let Some(k) = waiting.get_mut(&m) {
                *k -= 1;
                if *k == 0 {
                    waiting.remove(&m);
                    ready.insert((key(m), m));
                }
            }
        }
    }
    order
}

/// A cycle through `start` following lesson → prerequisite edges inside `members`.
fn find_cycle(g: &DiGraph<String, ()>, start: NodeIndex, members: &BTreeSet<NodeIndex>) -> Vec<NodeIndex> {
    // Graph edges point prerequisite → lesson, so "requires" is the incoming direction.
    let mut path = vec![start];
    let mut seen = BTreeSet::from([start]);
    fn dfs(
        g: &DiGraph<String, ()>,
        at: NodeIndex,
        start: NodeIndex,
        members: &BTreeSet<NodeIndex>,
        path: &mut Vec<NodeIndex>,
        seen: &mut BTreeSet<NodeIndex>,
    ) -> bool {
        let mut next: Vec<NodeIndex> =
            g.neighbors_directed(at, petgraph::Direction::Incoming).filter(|n| members.contains(n)).collect();
        next.sort_by_key(|n| g[*n].clone());
        for n in next {
            if n == start {
                return true;
            }
            if seen.insert(n) {
                path.push(n);
                if dfs(g, n, start, members, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    dfs(g, start, start, members, &mut path, &mut seen);
    path
}

#[cfg(test)]
mod tests {
    use super::forbidden_kubectl_verb;

    #[test]
    fn checks_may_read_a_rollout_but_not_wait_for_it() {
        assert_eq!(forbidden_kubectl_verb("kubectl rollout history deployment/web"), None);
        assert_eq!(forbidden_kubectl_verb("kubectl rollout status deployment/web --watch=false"), None);
        assert_eq!(forbidden_kubectl_verb("k rollout status -w=false deploy web"), None);
        assert_eq!(forbidden_kubectl_verb("kubectl rollout status deployment/web").as_deref(), Some("rollout"));
        assert_eq!(
            forbidden_kubectl_verb("kubectl rollout undo deployment/web --watch=false").as_deref(),
            Some("rollout")
        );
        // The flag belongs to the command it follows.
        assert_eq!(
            forbidden_kubectl_verb("kubectl rollout status deploy/a; kubectl get pods --watch=false").as_deref(),
            Some("rollout")
        );
        assert_eq!(forbidden_kubectl_verb("kubectl get pods | kubectl delete -f -").as_deref(), Some("delete"));
    }
}
