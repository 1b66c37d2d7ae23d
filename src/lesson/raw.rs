//! Phase one of loading: plain serde structs that mirror the files field for field, with the
//! source location of every value an author may get wrong ([`Spanned`]). Unknown fields are
//! errors (a misspelt `promt:` must not be silently ignored). Nothing here checks meaning;
//! `validate` does, with these locations.

use std::collections::BTreeMap;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::model::{Difficulty, Domain};

/// What every content file starts with; read first to know which struct to read it into.
#[derive(Debug, Deserialize)]
pub struct RawHeader {
    #[serde(rename = "apiVersion")]
    pub api_version: Option<Spanned<String>>,
    pub kind: Option<Spanned<String>>,
    pub id: Option<Spanned<String>>,
}

/// A scenario: in its own file (`kind: Scenario`, with `apiVersion` and `id`) or inline in a
/// lesson's `scenario:` (without them).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawScenario {
    pub api_version: Option<Spanned<String>>,
    pub kind: Option<Spanned<String>>,
    pub id: Option<Spanned<String>>,
    pub title: Option<Spanned<String>>,
    pub description: Option<String>,
    pub seed: Option<Spanned<u64>>,
    pub cluster: Option<Spanned<RawCluster>>,
    /// Several clusters, each with a `name` (and its own `setup`), instead of `cluster`.
    pub clusters: Option<Spanned<Vec<Spanned<RawCluster>>>>,
    #[serde(default)]
    pub contexts: Vec<Spanned<RawContext>>,
    #[serde(default)]
    pub setup: Vec<Spanned<RawSetup>>,
    #[serde(default)]
    pub faults: Vec<Spanned<RawFault>>,
    #[serde(default)]
    pub broken_images: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawCluster {
    /// Only in `clusters:` entries.
    pub name: Option<Spanned<String>>,
    pub nodes: Option<Spanned<Vec<Spanned<RawNode>>>>,
    #[serde(default)]
    pub namespaces: Vec<Spanned<String>>,
    /// Only in `clusters:` entries: setup run in this cluster.
    #[serde(default)]
    pub setup: Vec<Spanned<RawSetup>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawNode {
    pub name: Spanned<String>,
    #[serde(default)]
    pub control_plane: bool,
    pub cpu: Option<Spanned<String>>,
    pub memory: Option<Spanned<String>>,
    pub pods: Option<Spanned<u32>>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub taints: Vec<Spanned<RawTaint>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTaint {
    pub key: Spanned<String>,
    #[serde(default)]
    pub value: String,
    pub effect: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawContext {
    pub name: Spanned<String>,
    pub namespace: Option<Spanned<String>>,
    pub cluster: Option<Spanned<String>>,
}

/// One setup action; exactly one of `apply`, `applyFile`, `run`, `file` is given.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawSetup {
    /// A manifest: YAML text (a block scalar, several `---` documents allowed) or a mapping.
    pub apply: Option<Spanned<serde_json::Value>>,
    /// A manifest file, relative to this file.
    pub apply_file: Option<Spanned<String>>,
    /// A command line in the learner's shell (before the learner arrives).
    pub run: Option<Spanned<String>>,
    /// A file to leave in the learner's workstation, with `content` or `from`.
    pub file: Option<Spanned<String>>,
    pub content: Option<Spanned<String>>,
    pub from: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFault {
    pub at: Spanned<u64>,
    pub chaos: Spanned<String>,
    pub cluster: Option<Spanned<String>>,
}

/// `scenario:` in a lesson: an id, or a scenario written inline.
#[derive(Debug)]
pub enum RawScenarioRef {
    Id(String),
    Inline(Box<RawScenario>),
}

impl<'de> Deserialize<'de> for RawScenarioRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawScenarioRef;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a scenario id or an inline scenario (a mapping)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawScenarioRef, E> {
                Ok(RawScenarioRef::Id(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawScenarioRef, A::Error> {
                let s = RawScenario::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawScenarioRef::Inline(Box::new(s)))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawLesson {
    pub api_version: Spanned<String>,
    pub kind: Spanned<String>,
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub domain: Spanned<Domain>,
    pub difficulty: Spanned<Difficulty>,
    pub minutes: Spanned<u32>,
    #[serde(default)]
    pub prerequisites: Vec<Spanned<String>>,
    pub scenario: Option<Spanned<RawScenarioRef>>,
    pub intro: Spanned<String>,
    pub steps: Spanned<Vec<Spanned<RawStep>>>,
    #[serde(default)]
    pub debrief: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawExam {
    pub api_version: Spanned<String>,
    pub kind: Spanned<String>,
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    #[serde(default)]
    pub prerequisites: Vec<Spanned<String>>,
    /// Minutes.
    pub time_limit: Spanned<u32>,
    /// Percent of the total weight needed to pass (the CKAD's is 66).
    pub pass_mark: Option<Spanned<u32>>,
    pub scenario: Option<Spanned<RawScenarioRef>>,
    pub intro: Spanned<String>,
    pub tasks: Spanned<Vec<Spanned<RawStep>>>,
    #[serde(default)]
    pub debrief: String,
}

/// A lesson's step or an exam's task (tasks add `weight`, `context`, `namespace`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawStep {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub prompt: Spanned<String>,
    #[serde(default)]
    pub hints: Vec<String>,
    pub solution: Spanned<String>,
    pub checks: Spanned<Vec<Spanned<RawCheck>>>,
    #[serde(default)]
    pub debrief: String,
    pub weight: Option<Spanned<u32>>,
    pub context: Option<Spanned<String>>,
    pub namespace: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawCheck {
    pub name: Spanned<String>,
    pub run: Spanned<String>,
    pub expect: Option<Spanned<String>>,
    #[serde(rename = "match")]
    pub matches: Option<Spanned<String>>,
    pub lines: Option<Spanned<u32>>,
    pub exit_code: Option<Spanned<i32>>,
    pub during: Option<Spanned<String>>,
    pub explain: Option<Spanned<String>>,
}
