//! Phase one of loading: find the content files (embedded in the binary, a directory, or
//! paths an author names), read each into its raw struct by `kind`, and turn every YAML or
//! serde error into a [`Diagnostic`] at its file:line:column.
//!
//! YAML crate: `serde-saphyr`. It gives a location for *every* deserialisation error
//! (unknown field, missing field, wrong type, unknown enum variant — serde_yaml and
//! marked-yaml leave several of those without one), `Spanned<T>` for the location of any
//! value (needed for semantic errors such as an unknown scenario id), and it is written to
//! never panic on bad input. serde stops at the first structural error of a file, so a file
//! reports at most one such error; semantic errors are all reported.

use std::path::{Component, Path, PathBuf};

use include_dir::{include_dir, Dir};

use super::diag::{Diagnostic, Loc};
use super::raw::{RawExam, RawHeader, RawLesson, RawScenario};

/// The shipped course, embedded at build time (build.rs makes cargo watch these folders).
static EMBEDDED_LESSONS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/lessons");
static EMBEDDED_SCENARIOS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/scenarios");

/// Where content files and the files they include come from.
#[derive(Clone, Debug)]
pub enum Origin {
    /// Embedded in the binary; paths are relative to the repository root (`lessons/x.yaml`).
    Embedded,
    /// On disk; paths as the author gave them.
    Disk,
}

/// One content file.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path shown in diagnostics.
    pub path: String,
    pub text: String,
    pub origin: Origin,
}

impl SourceFile {
    /// Reads a file that this one includes (`applyFile:`, `from:`), relative to this file.
    pub fn include(&self, rel: &str) -> Result<(String, String), String> {
        if rel.trim().is_empty() {
            return Err("an include path must not be empty".into());
        }
        let base = Path::new(&self.path).parent().unwrap_or(Path::new(""));
        match self.origin {
            Origin::Embedded => {
                let joined = normalize(&base.join(rel));
                let shown = joined.display().to_string();
                if joined.components().next() == Some(Component::ParentDir) || Path::new(rel).is_absolute() {
                    return Err(format!("{rel}: an include must stay inside the content folders"));
                }
                embedded_file(&shown).map(|t| (shown.clone(), t)).ok_or_else(|| format!("{shown}: no such file"))
            }
            Origin::Disk => {
                let p = if Path::new(rel).is_absolute() { PathBuf::from(rel) } else { base.join(rel) };
                let shown = normalize(&p).display().to_string();
                std::fs::read_to_string(&p).map(|t| (shown.clone(), t)).map_err(|e| format!("{shown}: {}", io_text(&e)))
            }
        }
    }
}

/// `a/./b/../c` → `a/c` (lexically, like Go's path.Clean).
fn normalize(p: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    out.iter().collect()
}

fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        _ => e.to_string(),
    }
}

fn embedded_file(path: &str) -> Option<String> {
    let (dir, rest) = if let Some(r) = path.strip_prefix("lessons/") {
        (&EMBEDDED_LESSONS, r)
    } else if let Some(r) = path.strip_prefix("scenarios/") {
        (&EMBEDDED_SCENARIOS, r)
    } else {
        return None;
    };
    dir.get_file(rest).and_then(|f| f.contents_utf8()).map(str::to_string)
}

fn collect_embedded(dir: &Dir<'static>, prefix: &str, out: &mut Vec<SourceFile>) {
    for f in dir.files() {
        let p = f.path();
        if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(SourceFile {
                path: format!("{prefix}/{}", p.display()),
                text: f.contents_utf8().unwrap_or("").to_string(),
                origin: Origin::Embedded,
            });
        }
    }
    // Only the top level holds content files; sub-folders hold included files.
}

/// The content files shipped in the binary: `lessons/*.yaml` and `scenarios/*.yaml`.
pub fn embedded_sources() -> Vec<SourceFile> {
    let mut out = Vec::new();
    collect_embedded(&EMBEDDED_LESSONS, "lessons", &mut out);
    collect_embedded(&EMBEDDED_SCENARIOS, "scenarios", &mut out);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The content files under a working copy: `DIR/lessons/*.yaml` and `DIR/scenarios/*.yaml`.
pub fn dir_sources(dir: &Path) -> Result<Vec<SourceFile>, String> {
    if !dir.is_dir() {
        return Err(format!("{}: not a directory", dir.display()));
    }
    let mut out = Vec::new();
    for sub in ["lessons", "scenarios"] {
        let d = dir.join(sub);
        if d.is_dir() {
            out.extend(yaml_files_in(&d)?);
        }
    }
    Ok(out)
}

/// The files named on `kubedojo check`'s command line: files as they are, folders for their
/// `*.yaml` files (and those of their `lessons/` and `scenarios/` sub-folders).
pub fn path_sources(paths: &[PathBuf]) -> Result<Vec<SourceFile>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            out.extend(yaml_files_in(p)?);
            for sub in ["lessons", "scenarios"] {
                if p.join(sub).is_dir() {
                    out.extend(yaml_files_in(&p.join(sub))?);
                }
            }
        } else {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {}", p.display(), io_text(&e)))?;
            out.push(SourceFile { path: p.display().to_string(), text, origin: Origin::Disk });
        }
    }
    Ok(out)
}

fn yaml_files_in(d: &Path) -> Result<Vec<SourceFile>, String> {
    let entries = std::fs::read_dir(d).map_err(|e| format!("{}: {}", d.display(), io_text(&e)))?;
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {}", p.display(), io_text(&e)))?;
        out.push(SourceFile { path: p.display().to_string(), text, origin: Origin::Disk });
    }
    Ok(out)
}

/// A content file read into its raw struct.
#[derive(Debug)]
pub enum RawItem {
    Scenario(Box<RawScenario>),
    Lesson(Box<RawLesson>),
    Exam(Box<RawExam>),
}

/// The result of phase one for one file.
#[derive(Debug)]
pub struct Parsed {
    pub source: SourceFile,
    pub item: RawItem,
    /// The id (already read from the header), for overlaying and duplicate detection.
    pub id: String,
    pub id_loc: Loc,
}

/// The only apiVersion of kubedojo's content files.
pub const API_VERSION: &str = "kubedojo/v1";

/// Turns a serde-saphyr error into a diagnostic at its location, without the crate's
/// trailing " at line N, column M" (the location leads the line instead).
pub fn yaml_error(file: &str, e: &serde_saphyr::Error) -> Diagnostic {
    let e = e.without_snippet();
    let loc = e.location().map(|l| Loc::at(file, &l)).unwrap_or_else(|| Loc::new(file, 1, 1));
    let mut msg = e.to_string();
    if let Some(i) = msg.rfind(" at line ") {
        if msg[i + 9..]
            .split_once(", column ")
            .is_some_and(|(l, c)| l.chars().all(|c| c.is_ascii_digit()) && c.chars().all(|c| c.is_ascii_digit()))
        {
            msg.truncate(i);
        }
    }
    if msg == "unexpected end of input" {
        msg = "the file is empty: a content file holds one Scenario, Lesson or Exam".into();
    }
    Diagnostic::new(loc, msg)
}

/// Phase one for one file: its raw struct, or the diagnostics that stopped it.
pub fn parse(source: SourceFile) -> Result<Parsed, Vec<Diagnostic>> {
    let file = source.path.clone();
    if source.text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')) {
        return Err(vec![Diagnostic::new(
            Loc::new(&file, 1, 1),
            "the file is empty: a content file holds one Scenario, Lesson or Exam",
        )]);
    }
    let header: RawHeader = serde_saphyr::from_str(&source.text).map_err(|e| vec![yaml_error(&file, &e)])?;
    let mut diags = Vec::new();
    match &header.api_version {
        None => diags
            .push(Diagnostic::new(Loc::new(&file, 1, 1), format!("missing field `apiVersion` (it is {API_VERSION})"))),
        Some(v) if v.value != API_VERSION => diags.push(Diagnostic::new(
            Loc::at(&file, &v.referenced),
            format!("unknown apiVersion \"{}\": kubedojo reads {API_VERSION}", v.value),
        )),
        Some(_) => {}
    }
    let kind = match &header.kind {
        None => {
            diags.push(Diagnostic::new(Loc::new(&file, 1, 1), "missing field `kind` (Scenario, Lesson or Exam)"));
            return Err(diags);
        }
        Some(k) => k,
    };
    let (id, id_loc) = match &header.id {
        Some(id) => (id.value.clone(), Loc::at(&file, &id.referenced)),
        None => {
            diags.push(Diagnostic::new(Loc::new(&file, 1, 1), "missing field `id`"));
            return Err(diags);
        }
    };
    let item = match kind.value.as_str() {
        "Scenario" => serde_saphyr::from_str::<RawScenario>(&source.text).map(|r| RawItem::Scenario(Box::new(r))),
        "Lesson" => serde_saphyr::from_str::<RawLesson>(&source.text).map(|r| RawItem::Lesson(Box::new(r))),
        "Exam" => serde_saphyr::from_str::<RawExam>(&source.text).map(|r| RawItem::Exam(Box::new(r))),
        other => {
            diags.push(Diagnostic::new(
                Loc::at(&file, &kind.referenced),
                format!("unknown kind \"{other}\": expected Scenario, Lesson or Exam"),
            ));
            return Err(diags);
        }
    };
    match item {
        Ok(item) if diags.is_empty() => Ok(Parsed { source, item, id, id_loc }),
        Ok(_) => Err(diags),
        Err(e) => {
            diags.push(yaml_error(&file, &e));
            Err(diags)
        }
    }
}
