//! What outlives the TUI: the learner's progress (saved after every step, at the end of an
//! exam and on quitting) and the session log of each attempt (so it can be replayed and
//! re-graded), both under the XDG data directory through `lesson::progress`. The App asks
//! for this with [`Effect`]s; the runtime and the test stories carry them out between
//! messages here — the TUI's only file I/O besides the editor's temporary files.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use super::app::{App, Effect, Msg};
use super::dispatch;
use crate::lesson::{LessonProgress, ProgressStore};

/// Where progress and session logs go (nowhere: nothing is saved).
#[derive(Clone, Debug, Default)]
pub struct Persist {
    store: Option<ProgressStore>,
}

impl Persist {
    pub fn new(store: Option<ProgressStore>) -> Persist {
        Persist { store }
    }

    /// Saves nothing (tests, and machines without a home directory).
    pub fn none() -> Persist {
        Persist { store: None }
    }

    /// The session logs' directory: `sessions/` beside `progress/`.
    fn sessions_dir(&self) -> Option<PathBuf> {
        let s = self.store.as_ref()?;
        Some(s.dir().parent().map(|p| p.join("sessions")).unwrap_or_else(|| s.dir().join("sessions")))
    }

    /// Every lesson's progress, and what could not be read.
    pub fn progress(&self) -> (BTreeMap<String, LessonProgress>, Vec<String>) {
        let mut map = BTreeMap::new();
        let mut problems = Vec::new();
        if let Some(s) = &self.store {
            for (id, p) in s.all() {
                match p {
                    Ok(p) => {
                        map.insert(id, p);
                    }
                    Err(c) => problems.push(c.to_string()),
                }
            }
        }
        (map, problems)
    }

    /// Carries out what the App asked for, feeding the answers back as messages.
    pub fn apply(&self, app: &mut App) {
        // Answers may ask for more; a few rounds are always enough.
        for _ in 0..4 {
            let effects = std::mem::take(&mut app.effects);
            if effects.is_empty() {
                return;
            }
            for e in effects {
                let note = match e {
                    Effect::SaveProgress => self.save(app).err(),
                    Effect::ResetProgress(id) => {
                        let r = self.store.as_ref().map(|s| s.reset(&id)).transpose();
                        app.effects.push(Effect::LoadProgress);
                        r.err().map(|e| format!("could not reset the progress of {id}: {e}"))
                    }
                    // Without a store there is nothing to read: the App keeps what it has.
                    Effect::LoadProgress if self.store.is_none() => None,
                    Effect::LoadProgress => {
                        let (map, problems) = self.progress();
                        dispatch(app, Msg::Progress(map));
                        problems.first().cloned()
                    }
                };
                if let Some(n) = note {
                    dispatch(app, Msg::Note(n));
                }
            }
        }
    }

    /// Records the attempt's progress and writes its session log (atomically: a crash
    /// leaves the previous log whole).
    fn save(&self, app: &mut App) -> Result<(), String> {
        let (Some(store), Some(dir)) = (&self.store, self.sessions_dir()) else { return Ok(()) };
        let Some(a) = app.attempt_mut() else { return Ok(()) };
        store.record(a).map_err(|e| format!("could not save progress: {e}"))?;
        let log = a.session();
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(&dir)?;
            let mut tmp = tempfile::Builder::new().prefix(".session.").tempfile_in(&dir)?;
            tmp.write_all(log.to_jsonl().as_bytes())?;
            tmp.as_file().sync_all()?;
            tmp.persist(dir.join(format!("{}.jsonl", log.target))).map_err(|e| e.error)?;
            Ok(())
        };
        write().map_err(|e| format!("could not save the session log: {e}"))
    }
}
