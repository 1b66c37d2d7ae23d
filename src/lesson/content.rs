//! The course as the rest of kubedojo sees it: load it (embedded, from a working copy, or
//! with an author's files laid over the shipped ones), look lessons and scenarios up, list
//! them by domain in course order.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::diag::Diagnostic;
use super::load::{self, SourceFile};
use super::model::{Domain, Lesson, Scenario};
pub use super::validate::Course;

/// A loaded course with the problems found in it.
#[derive(Debug, Default)]
pub struct Loaded {
    pub course: Course,
    /// Errors in the primary files (those the caller asked about), sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Ids defined by the primary files.
    pub primary_ids: BTreeSet<String>,
}

impl Loaded {
    pub fn is_ok(&self) -> bool {
        self.diagnostics.is_empty()
    }
}

/// Loads `primary` files laid over `background` ones: an id defined in a primary file
/// replaces the background item with that id, and only problems in primary files are
/// reported. `kubedojo check lessons/new.yaml` uses the shipped content as background so
/// that the new lesson's references to shipped scenarios and lessons resolve.
pub fn load_sources(primary: Vec<SourceFile>, background: Vec<SourceFile>) -> Loaded {
    let mut diags = Vec::new();
    let mut parsed = Vec::new();
    let primary_paths: BTreeSet<String> = primary.iter().map(|s| s.path.clone()).collect();
    for s in primary {
        match load::parse(s) {
            Ok(p) => parsed.push(p),
            Err(d) => diags.extend(d),
        }
    }
    let primary_ids: BTreeSet<String> = parsed.iter().map(|p| p.id.clone()).collect();
    let background_paths: BTreeSet<String> = background.iter().map(|s| s.path.clone()).collect();
    for s in background {
        if primary_paths.contains(&s.path) {
            continue;
        }
        if let Ok(p) = load::parse(s) {
            if !primary_ids.contains(&p.id) {
                parsed.push(p);
            }
        }
    }
    let mut vdiags = Vec::new();
    let course = super::validate::validate(&parsed, &mut vdiags);
    // Problems in background files are not the caller's (files included by a primary file
    // are reported at their own place).
    diags.extend(
        vdiags.into_iter().filter(|d| primary_paths.contains(&d.loc.file) || !background_paths.contains(&d.loc.file)),
    );
    diags.sort();
    diags.dedup();
    Loaded { course, diagnostics: diags, primary_ids }
}

impl Course {
    /// The course shipped in the binary.
    pub fn embedded() -> Loaded {
        load_sources(load::embedded_sources(), Vec::new())
    }

    /// A working copy of the course (`--content DIR`: DIR/lessons, DIR/scenarios).
    pub fn from_dir(dir: &Path) -> Result<Loaded, String> {
        Ok(load_sources(load::dir_sources(dir)?, Vec::new()))
    }

    /// The files `kubedojo check` is given, over `background` (the shipped course or the
    /// `--content` copy).
    pub fn from_paths(paths: &[PathBuf], background: Vec<SourceFile>) -> Result<Loaded, String> {
        Ok(load_sources(load::path_sources(paths)?, background))
    }

    pub fn lesson(&self, id: &str) -> Option<&Arc<Lesson>> {
        self.lessons.get(id)
    }

    /// A scenario by id; `empty` is the default cluster.
    pub fn scenario(&self, id: &str) -> Option<Arc<Scenario>> {
        if id == "empty" {
            return Some(Arc::new(Scenario::empty()));
        }
        self.scenarios.get(id).cloned()
    }

    /// Lessons and exams in course order.
    pub fn ordered(&self) -> impl Iterator<Item = &Arc<Lesson>> {
        self.order.iter().filter_map(|id| self.lessons.get(id))
    }

    /// Lessons grouped by CKAD domain (curriculum order), then the exams (`None`).
    pub fn by_domain(&self) -> Vec<(Option<Domain>, Vec<Arc<Lesson>>)> {
        let mut out: Vec<(Option<Domain>, Vec<Arc<Lesson>>)> = Vec::new();
        for d in Domain::ALL.iter().map(|d| Some(*d)).chain([None]) {
            let ls: Vec<Arc<Lesson>> = self.ordered().filter(|l| l.domain == d).cloned().collect();
            if !ls.is_empty() {
                out.push((d, ls));
            }
        }
        out
    }

    /// What `kubedojo run/play <target>` names: a lesson or exam, or a scenario.
    pub fn target(&self, id: &str) -> Option<Target> {
        if let Some(l) = self.lessons.get(id) {
            return Some(Target::Lesson(l.clone()));
        }
        self.scenario(id).map(Target::Scenario)
    }
}

/// A lesson (or exam) or a bare scenario.
#[derive(Clone, Debug)]
pub enum Target {
    Lesson(Arc<Lesson>),
    Scenario(Arc<Scenario>),
}

impl Target {
    pub fn scenario(&self) -> &Arc<Scenario> {
        match self {
            Target::Lesson(l) => &l.scenario,
            Target::Scenario(s) => s,
        }
    }
}
