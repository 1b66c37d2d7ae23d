//! Session logs: an attempt saved as the commands the learner ran, each with the tick it was
//! run at (plus flags for review and the tick the attempt ended). Replaying a log on the same
//! lesson and seed gives the same attempt byte for byte, so a submission can be re-graded.
//!
//! Format: JSON Lines, so that the TUI can append an event as it happens and a crash loses
//! at most the line being written. The first line is a header:
//!
//! ```text
//! {"kubedojo":"session","version":1,"target":"pods-first-pod","seed":1}
//! {"tick":0,"run":"kubectl run web --image=nginx:1.27"}
//! {"tick":12,"run":"kubectl get pods"}
//! {"tick":14,"flag":"task-3","on":true}
//! {"tick":30,"end":true}
//! ```

use serde::{Deserialize, Serialize};

/// One thing that happened in an attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A command line (heredocs include their continuation lines).
    Run {
        tick: u64,
        command: String,
    },
    Flag {
        tick: u64,
        task: String,
        on: bool,
    },
    /// The attempt ended (idle ticks up to here are replayed).
    End {
        tick: u64,
    },
}

impl Event {
    pub fn tick(&self) -> u64 {
        match self {
            Event::Run { tick, .. } | Event::Flag { tick, .. } | Event::End { tick } => *tick,
        }
    }
}

/// A whole attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionLog {
    /// The lesson or exam id.
    pub target: String,
    pub seed: u64,
    pub events: Vec<Event>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    kubedojo: String,
    version: u32,
    target: String,
    seed: u64,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Line {
    tick: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    run: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    flag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    on: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<bool>,
}

impl SessionLog {
    /// The header line.
    pub fn header_line(&self) -> String {
        let h = Header { kubedojo: "session".into(), version: 1, target: self.target.clone(), seed: self.seed };
        serde_json::to_string(&h).unwrap_or_default()
    }

    /// One event's line (what the TUI appends).
    pub fn event_line(e: &Event) -> String {
        let l = match e {
            Event::Run { tick, command } => Line { tick: *tick, run: Some(command.clone()), ..Line::default() },
            Event::Flag { tick, task, on } => {
                Line { tick: *tick, flag: Some(task.clone()), on: Some(*on), ..Line::default() }
            }
            Event::End { tick } => Line { tick: *tick, end: Some(true), ..Line::default() },
        };
        serde_json::to_string(&l).unwrap_or_default()
    }

    pub fn to_jsonl(&self) -> String {
        let mut s = self.header_line();
        s.push('\n');
        for e in &self.events {
            s.push_str(&Self::event_line(e));
            s.push('\n');
        }
        s
    }

    /// Reads a log. `name` is used in errors (`session.jsonl:3: ...`). A last line cut short
    /// (the TUI crashed while appending it) is dropped with a warning rather than refused;
    /// anything else wrong is an error.
    pub fn parse(text: &str, name: &str) -> Result<(SessionLog, Vec<String>), String> {
        let mut warnings = Vec::new();
        let lines: Vec<(usize, &str)> =
            text.lines().enumerate().map(|(i, l)| (i + 1, l)).filter(|(_, l)| !l.trim().is_empty()).collect();
        let Some((hn, first)) = lines.first() else {
            return Err(format!("{name}: empty session log"));
        };
        let h: Header =
            serde_json::from_str(first).map_err(|e| format!("{name}:{hn}: not a kubedojo session header: {e}"))?;
        if h.kubedojo != "session" || h.version != 1 {
            return Err(format!("{name}:{hn}: not a kubedojo session log (version 1)"));
        }
        let mut events = Vec::new();
        let last = lines.len() - 1;
        for (k, (n, l)) in lines.iter().enumerate().skip(1) {
            let parsed: Result<Line, _> = serde_json::from_str(l);
            let line = match parsed {
                Ok(line) => line,
                Err(e) if k == last && !text.ends_with('\n') => {
                    warnings.push(format!("{name}:{n}: the last line is cut short ({e}); it was ignored"));
                    break;
                }
                Err(e) => return Err(format!("{name}:{n}: {e}")),
            };
            let ev = match (line.run, line.flag, line.on, line.end) {
                (Some(command), None, None, None) => Event::Run { tick: line.tick, command },
                (None, Some(task), on, None) => Event::Flag { tick: line.tick, task, on: on.unwrap_or(true) },
                (None, None, None, Some(true)) => Event::End { tick: line.tick },
                _ => return Err(format!("{name}:{n}: an event is one of run, flag or end")),
            };
            if let Some(prev) = events.last().map(Event::tick) {
                if ev.tick() < prev {
                    return Err(format!(
                        "{name}:{n}: tick {} comes before the previous event's tick {prev}",
                        ev.tick()
                    ));
                }
            }
            events.push(ev);
        }
        Ok((SessionLog { target: h.target, seed: h.seed, events }, warnings))
    }
}
