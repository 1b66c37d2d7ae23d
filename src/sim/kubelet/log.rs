//! A container's log as the runtime keeps it: the complete lines of one run, each stamped
//! with the tick it was written in, as one text buffer and a table of line ends (a `String`
//! per line would cost a heap block and its slack for every line of every container).
//!
//! At most [`Log::CAP`] lines are kept: a write that takes the log past it drops the oldest
//! lines (a line completed by flushing the partial line at exit is not counted against it
//! until the next write, as before). The dropped lines leave the buffer in batches, so a
//! chatty container does not move its whole log for every new line.

use crate::sim::clock::Tick;

/// The lines of one container run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Log {
    /// The lines' text, without their newlines, one after another.
    text: String,
    /// For each line, the tick it was written in and where its text ends in `text`.
    lines: Vec<(Tick, usize)>,
    /// Lines at the front that are dropped but not yet removed from the buffers.
    dropped: usize,
}

/// Below these sizes the buffers grow to fit exactly: most containers write a few dozen
/// lines once and then nothing, and doubling would leave up to half the space unused.
const EXACT_TEXT: usize = 4096;
const EXACT_LINES: usize = 64;

impl Log {
    /// The newest lines kept of a run.
    pub const CAP: usize = 10_000;

    /// How many lines the log shows.
    pub fn len(&self) -> usize {
        self.lines.len() - self.dropped
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The lines, oldest first, with the tick each was written in.
    pub fn iter(&self) -> impl Iterator<Item = (Tick, &str)> + '_ {
        let start_of = |i: usize| if i == 0 { 0 } else { self.lines[i - 1].1 };
        (self.dropped..self.lines.len()).map(move |i| (self.lines[i].0, &self.text[start_of(i)..self.lines[i].1]))
    }

    /// Appends one complete line (without its newline).
    pub fn push(&mut self, at: Tick, line: &str) {
        let need = self.text.len() + line.len();
        if need > self.text.capacity() && need <= EXACT_TEXT {
            self.text.reserve_exact(line.len());
        }
        self.text.push_str(line);
        if self.lines.len() == self.lines.capacity() && self.lines.len() < EXACT_LINES {
            self.lines.reserve_exact(1);
        }
        self.lines.push((at, self.text.len()));
    }

    /// Drops the oldest lines beyond [`Log::CAP`].
    pub fn cap(&mut self) {
        if self.len() <= Self::CAP {
            return;
        }
        self.dropped = self.lines.len() - Self::CAP;
        // Remove the dropped lines once they are a quarter of the cap: amortised, each line
        // moves a few times at most.
        if self.dropped >= Self::CAP / 4 {
            let cut = self.lines[self.dropped - 1].1;
            self.text.drain(..cut);
            self.lines.drain(..self.dropped);
            for l in &mut self.lines {
                l.1 -= cut;
            }
            self.dropped = 0;
        }
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
        assert_eq!(log.text.capacity(), "onethree".len());
        assert_eq!(log.lines.capacity(), 3);
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
        assert!(log.lines.len() < Log::CAP + Log::CAP / 4);
        assert_eq!(log.text.len(), reference.iter().map(|(_, l)| l.len()).sum::<usize>() + dropped_bytes(&log));
    }

    fn dropped_bytes(log: &Log) -> usize {
        if log.dropped == 0 {
            0
        } else {
            log.lines[log.dropped - 1].1
        }
    }
}
