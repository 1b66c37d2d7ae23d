//! A container's log as the runtime keeps it: the complete lines of one run, each stamped
//! with the tick it was written in, as one text buffer and a table of line ends (a `String`
//! per line would cost a heap block and its slack for every line of every container).
//!
//! At most [`Log::CAP`] lines are kept: a write that takes the log past it drops the oldest
//! lines (a line completed by flushing the partial line at exit is not counted against it
//! until the next write, as before). The dropped lines leave the buffer in batches, so a
//! chatty container does not move its whole log for every new line.

use std::sync::Arc;

use crate::sim::clock::Tick;

/// Lines: their text one after another, and for each the tick it was written in and where
/// its text ends.
#[derive(Clone, Debug, Default)]
struct Block {
    text: String,
    lines: Vec<(Tick, usize)>,
}

impl Block {
    fn line(&self, i: usize) -> (Tick, &str) {
        let start = if i == 0 { 0 } else { self.lines[i - 1].1 };
        (self.lines[i].0, &self.text[start..self.lines[i].1])
    }
}

/// The lines of one container run: what was first written, shared with the logs of the
/// same first output (the replicas of a Deployment started in the same second print the
/// same lines), then the run's own lines.
#[derive(Clone, Debug, Default)]
pub struct Log {
    shared: Option<Arc<Block>>,
    own: Block,
    /// Lines at the front that are dropped but not yet removed from the buffers.
    dropped: usize,
}

impl PartialEq for Log {
    fn eq(&self, other: &Log) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

/// Below these sizes the buffers grow to fit exactly: most containers write a few dozen
/// lines once and then nothing, and doubling would leave up to half the space unused.
const EXACT_TEXT: usize = 4096;
const EXACT_LINES: usize = 64;

/// A first output this long or longer is not shared (a chatty container's log is its own).
const SHARE_LINES: usize = 64;
const SHARE_TEXT: usize = 8192;

impl Log {
    /// The newest lines kept of a run.
    pub const CAP: usize = 10_000;

    fn shared_len(&self) -> usize {
        self.shared.as_ref().map_or(0, |b| b.lines.len())
    }

    /// How many lines the log shows.
    pub fn len(&self) -> usize {
        self.shared_len() + self.own.lines.len() - self.dropped
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The lines, oldest first, with the tick each was written in.
    pub fn iter(&self) -> impl Iterator<Item = (Tick, &str)> + '_ {
        let shared = self.shared.as_deref();
        let n = self.shared_len();
        (self.dropped..n + self.own.lines.len()).map(move |i| match shared {
            Some(b) if i < n => b.line(i),
            _ => self.own.line(i - n),
        })
    }

    /// Makes room for `lines` more lines of `bytes` in all, as the same pushes one by one
    /// would (exactly, below the exact sizes), with one allocation instead of one a line.
    pub fn reserve(&mut self, lines: usize, bytes: usize) {
        let own = &mut self.own;
        let need = own.text.len() + bytes;
        if need > own.text.capacity() && need <= EXACT_TEXT {
            own.text.reserve_exact(need - own.text.len());
        }
        let need = own.lines.len() + lines;
        if need > own.lines.capacity() && need <= EXACT_LINES {
            own.lines.reserve_exact(need - own.lines.len());
        }
    }

    /// Appends one complete line (without its newline).
    pub fn push(&mut self, at: Tick, line: &str) {
        let own = &mut self.own;
        let need = own.text.len() + line.len();
        if need > own.text.capacity() && need <= EXACT_TEXT {
            own.text.reserve_exact(line.len());
        }
        own.text.push_str(line);
        if own.lines.len() == own.lines.capacity() && own.lines.len() < EXACT_LINES {
            own.lines.reserve_exact(1);
        }
        own.lines.push((at, own.text.len()));
    }

    /// Drops the oldest lines beyond [`Log::CAP`].
    pub fn cap(&mut self) {
        if self.len() <= Self::CAP {
            return;
        }
        self.dropped += self.len() - Self::CAP;
        // Remove the dropped lines once they are a quarter of the cap: amortised, each line
        // moves a few times at most.
        if self.dropped < Self::CAP / 4 {
            return;
        }
        if let Some(shared) = self.shared.take() {
            // The shared lines are going: the log keeps a copy of those it still shows.
            let mut own = Block::default();
            for i in self.dropped.min(shared.lines.len())..shared.lines.len() {
                let (t, l) = shared.line(i);
                own.text.push_str(l);
                own.lines.push((t, own.text.len()));
            }
            let base = own.text.len();
            own.text.push_str(&self.own.text);
            own.lines.extend(self.own.lines.iter().map(|&(t, end)| (t, end + base)));
            self.dropped -= self.dropped.min(shared.lines.len());
            self.own = own;
        }
        if self.dropped > 0 {
            let cut = self.own.lines[self.dropped - 1].1;
            self.own.text.drain(..cut);
            self.own.lines.drain(..self.dropped);
            for l in &mut self.own.lines {
                l.1 -= cut;
            }
            self.dropped = 0;
        }
    }
}

/// The first outputs of container runs, shared by the logs that begin with the same lines
/// at the same ticks (see [`Log`]).
#[derive(Clone, Debug, Default)]
pub struct SharedLogs {
    /// By a hash of their content.
    blocks: std::collections::BTreeMap<u64, Vec<Arc<Block>>>,
    len: usize,
    /// Size at which blocks no log holds any more are next dropped.
    sweep_at: usize,
}

impl SharedLogs {
    /// Moves the log's lines into a block shared with the logs of the same lines, when they
    /// are the run's first output and not many: later lines stay the log's own.
    pub fn share(&mut self, log: &mut Log) {
        let own = &log.own;
        if log.shared.is_some()
            || log.dropped > 0
            || own.lines.is_empty()
            || own.lines.len() > SHARE_LINES
            || own.text.len() > SHARE_TEXT
        {
            return;
        }
        use std::hash::{BuildHasher, Hash, Hasher};
        // A fixed-seed hasher: the same lines give the same key in every run. (foldhash, not
        // std's SipHash: at 150,000 pods every container start hashes its first lines.)
        let mut h = foldhash::quality::FixedState::default().build_hasher();
        own.text.hash(&mut h);
        own.lines.hash(&mut h);
        let key = h.finish();
        let found =
            self.blocks.get(&key).and_then(|v| v.iter().find(|b| b.text == own.text && b.lines == own.lines)).cloned();
        let block = match found {
            Some(b) => b,
            None => {
                if self.len >= self.sweep_at {
                    self.blocks.retain(|_, v| {
                        v.retain(|b| Arc::strong_count(b) > 1);
                        !v.is_empty()
                    });
                    self.len = self.blocks.values().map(Vec::len).sum();
                    self.sweep_at = (2 * self.len).max(64);
                }
                let mut own = std::mem::take(&mut log.own);
                own.text.shrink_to_fit();
                own.lines.shrink_to_fit();
                let b = Arc::new(own);
                self.blocks.entry(key).or_default().push(b.clone());
                self.len += 1;
                b
            }
        };
        log.own = Block::default();
        log.shared = Some(block);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(log: &Log) -> Vec<(u64, String)> {
        log.iter().map(|(t, l)| (t.0, l.to_string())).collect()
    }

    #[test]
    fn lines_keep_their_ticks_and_text() {
        let mut log = Log::default();
        assert!(log.is_empty());
        log.push(Tick(1), "one");
        log.push(Tick(1), "");
        log.push(Tick(3), "three");
        assert_eq!(lines(&log), [(1, "one".into()), (1, String::new()), (3, "three".into())]);
        assert_eq!(log.len(), 3);
        // Small logs are sized to fit.
        assert_eq!(log.own.text.capacity(), "onethree".len());
        assert_eq!(log.own.lines.capacity(), 3);
    }

    #[test]
    fn the_cap_keeps_the_newest_lines() {
        let mut log = Log::default();
        for i in 0..Log::CAP + 3 {
            log.push(Tick(i as u64), &format!("line {i}"));
        }
        // Not capped until `cap` runs (a flushed partial line may sit over the cap).
        assert_eq!(log.len(), Log::CAP + 3);
        log.cap();
        assert_eq!(log.len(), Log::CAP);
        let all = lines(&log);
        assert_eq!(all[0], (3, "line 3".into()));
        assert_eq!(all[Log::CAP - 1], (Log::CAP as u64 + 2, format!("line {}", Log::CAP + 2)));
        // Past a quarter of the cap, the dropped lines leave the buffers, and what shows
        // is the same.
        let mut reference: Vec<(u64, String)> = all;
        for i in Log::CAP + 3..2 * Log::CAP + 100 {
            log.push(Tick(i as u64), &format!("line {i}"));
            log.cap();
            reference.push((i as u64, format!("line {i}")));
            if reference.len() > Log::CAP {
                reference.remove(0);
            }
            if i % 997 == 0 {
                assert_eq!(lines(&log), reference);
            }
        }
        assert_eq!(lines(&log), reference);
        assert!(log.own.lines.len() < Log::CAP + Log::CAP / 4);
    }

    #[test]
    fn logs_of_the_same_first_lines_share_them() {
        let mut shared = SharedLogs::default();
        let first = |log: &mut Log| {
            log.push(Tick(5), "starting");
            log.push(Tick(5), "ready");
        };
        let (mut a, mut b, mut c) = (Log::default(), Log::default(), Log::default());
        first(&mut a);
        first(&mut b);
        c.push(Tick(6), "starting");
        c.push(Tick(6), "ready");
        for log in [&mut a, &mut b, &mut c] {
            shared.share(log);
        }
        assert!(Arc::ptr_eq(a.shared.as_ref().unwrap(), b.shared.as_ref().unwrap()));
        // Other ticks, other lines.
        assert!(!Arc::ptr_eq(a.shared.as_ref().unwrap(), c.shared.as_ref().unwrap()));
        // Later lines are each log's own.
        a.push(Tick(7), "GET /");
        shared.share(&mut a);
        assert_eq!(lines(&a), [(5, "starting".into()), (5, "ready".into()), (7, "GET /".into())]);
        assert_eq!(lines(&b), [(5, "starting".into()), (5, "ready".into())]);
        assert!(a != b);
        let mut b2 = Log::default();
        first(&mut b2);
        assert!(b == b2);
    }

    #[test]
    fn the_cap_drops_shared_lines_too() {
        let mut shared = SharedLogs::default();
        let mut log = Log::default();
        for i in 0..10 {
            log.push(Tick(0), &format!("start {i}"));
        }
        shared.share(&mut log);
        let mut reference: Vec<(u64, String)> = lines(&log);
        for i in 0..Log::CAP + Log::CAP / 2 {
            log.push(Tick(1), &format!("line {i}"));
            log.cap();
            reference.push((1, format!("line {i}")));
            if reference.len() > Log::CAP {
                reference.remove(0);
            }
            if i % 1999 == 0 || (Log::CAP - 20..Log::CAP + 20).contains(&i) {
                assert_eq!(lines(&log), reference, "{i}");
            }
        }
        assert_eq!(lines(&log), reference);
        assert!(log.shared.is_none());
    }
}
