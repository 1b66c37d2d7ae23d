//! The learner's progress, kept under the XDG data directory
//! (`$XDG_DATA_HOME/kubedojo/progress/`, usually `~/.local/share/kubedojo/progress/`).
//!
//! One small JSON file per lesson, so that one damaged file can never take the others with
//! it. Each is written atomically: to a temporary file in the same directory, flushed to
//! disk, then renamed over the old one — a crash mid-write leaves the old file whole (and a
//! stray temporary file, which is ignored). A file that does not parse is reported, never
//! silently replaced: before new progress is saved over it, it is kept as `<id>.json.corrupt`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Progress in one lesson or exam.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LessonProgress {
    /// Ids of the steps done.
    #[serde(default)]
    pub done: Vec<String>,
    /// The step being worked on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    /// Every step done.
    #[serde(default)]
    pub completed: bool,
    /// Exams: the best score so far, in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_score: Option<f64>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    progress: LessonProgress,
}

/// A progress file that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Corrupt {
    pub path: PathBuf,
    pub message: String,
}

impl std::fmt::Display for Corrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: unreadable progress ({}); it is kept until the lesson is reset",
            self.path.display(),
            self.message
        )
    }
}

/// Where progress lives.
#[derive(Clone, Debug)]
pub struct ProgressStore {
    dir: PathBuf,
}

impl ProgressStore {
    /// The store under the XDG data directory; `None` when no home directory is known.
    pub fn open_default() -> Option<ProgressStore> {
        let dirs = directories::ProjectDirs::from("", "", "kubedojo")?;
        Some(ProgressStore::at(dirs.data_dir().join("progress")))
    }

    /// A store in `dir` (created on the first save).
    pub fn at(dir: impl Into<PathBuf>) -> ProgressStore {
        ProgressStore { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// A lesson's progress: `Ok(None)` when it has none yet.
    pub fn load(&self, id: &str) -> Result<Option<LessonProgress>, Corrupt> {
        let path = self.path(id);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Corrupt { path, message: e.to_string() }),
        };
        match serde_json::from_str::<File>(&text) {
            Ok(f) if f.version == 1 => Ok(Some(f.progress)),
            Ok(f) => Err(Corrupt { path, message: format!("unknown version {}", f.version) }),
            Err(e) => Err(Corrupt { path, message: e.to_string() }),
        }
    }

    /// Every lesson with a progress file, by id (damaged ones as errors).
    pub fn all(&self) -> BTreeMap<String, Result<LessonProgress, Corrupt>> {
        let mut out = BTreeMap::new();
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return out };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            // Temporary files of an interrupted save start with a dot and are skipped.
            if let Some(id) = name.strip_suffix(".json").filter(|_| !name.starts_with('.')) {
                match self.load(id) {
                    Ok(Some(p)) => {
                        out.insert(id.to_string(), Ok(p));
                    }
                    Ok(None) => {}
                    Err(c) => {
                        out.insert(id.to_string(), Err(c));
                    }
                }
            }
        }
        out
    }

    /// Saves a lesson's progress atomically. A damaged file in its place is first kept as
    /// `<id>.json.corrupt`.
    pub fn save(&self, id: &str, p: &LessonProgress) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self.path(id);
        if let Err(Corrupt { .. }) = self.load(id) {
            let _ = std::fs::rename(&path, self.dir.join(format!("{id}.json.corrupt")));
        }
        let body = serde_json::to_string_pretty(&File { version: 1, progress: p.clone() })
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let mut tmp = tempfile::Builder::new().prefix(&format!(".{id}.")).suffix(".tmp").tempfile_in(&self.dir)?;
        tmp.write_all(body.as_bytes())?;
        tmp.write_all(b"\n")?;
        tmp.as_file().sync_all()?;
        tmp.persist(&path).map_err(|e| e.error)?;
        // Make the rename itself durable.
        if let Ok(d) = std::fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// Forgets a lesson's progress (and any damaged file of it).
    pub fn reset(&self, id: &str) -> std::io::Result<()> {
        for p in [self.path(id), self.dir.join(format!("{id}.json.corrupt"))] {
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Records where an attempt stands (done steps, current step, best exam score).
    pub fn record(&self, a: &mut super::attempt::Attempt) -> std::io::Result<()> {
        let id = a.lesson().id.clone();
        let mut p = self.load(&id).ok().flatten().unwrap_or_default();
        let lesson = a.lesson().clone();
        if lesson.is_exam() {
            let report = super::grade::Report::of(a);
            if let Some(s) = report.score {
                p.best_score = Some(p.best_score.map_or(s.percent, |b| b.max(s.percent)));
                p.completed |= report.passed;
            }
        } else {
            for (step, state) in lesson.steps.iter().zip(a.steps()) {
                if state.status == super::attempt::StepStatus::Done && !p.done.contains(&step.id) {
                    p.done.push(step.id.clone());
                }
            }
            p.current = a.current_step().map(|i| lesson.steps[i].id.clone());
            p.completed |= a.completed();
        }
        self.save(&id, &p)
    }
}
