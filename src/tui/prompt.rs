//! The learner's command line: a line editor with readline's usual keys, bash-like history
//! (up/down, `ctrl-r` reverse search) and the continuation lines of an unfinished command
//! (a heredoc, an open quote), shown with bash's `> ` prompt.

/// Readline-style edits of a line, shared by the prompt and the `:`/`/` lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditKey {
    Char(char),
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
    WordLeft,
    WordRight,
    /// ctrl-u: delete from the start of the line to the cursor.
    KillToStart,
    /// ctrl-k: delete from the cursor to the end of the line.
    KillToEnd,
    /// ctrl-w: delete the word before the cursor.
    KillWordBack,
}

/// One line of text and a cursor (a byte offset on a char boundary).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineInput {
    pub text: String,
    pub cursor: usize,
}

impl LineInput {
    pub fn new(text: &str) -> LineInput {
        LineInput { text: text.to_string(), cursor: text.len() }
    }

    pub fn set(&mut self, text: &str) {
        self.text = text.to_string();
        self.cursor = self.text.len();
    }

    pub fn take(&mut self) -> String {
        self.cursor = 0;
        std::mem::take(&mut self.text)
    }

    fn prev_boundary(&self, i: usize) -> usize {
        self.text[..i].char_indices().next_back().map_or(0, |(j, _)| j)
    }

    fn next_boundary(&self, i: usize) -> usize {
        self.text[i..].chars().next().map_or(i, |c| i + c.len_utf8())
    }

    fn word_start(&self) -> usize {
        let before = &self.text[..self.cursor];
        let trimmed = before.trim_end_matches(' ');
        trimmed.rfind(' ').map_or(0, |i| i + 1)
    }

    pub fn apply(&mut self, key: EditKey) {
        match key {
            EditKey::Char(c) => {
                self.text.insert(self.cursor, c);
                self.cursor += c.len_utf8();
            }
            EditKey::Backspace => {
                if self.cursor > 0 {
                    let p = self.prev_boundary(self.cursor);
                    self.text.replace_range(p..self.cursor, "");
                    self.cursor = p;
                }
            }
            EditKey::Delete => {
                if self.cursor < self.text.len() {
                    let n = self.next_boundary(self.cursor);
                    self.text.replace_range(self.cursor..n, "");
                }
            }
            EditKey::Left => self.cursor = self.prev_boundary(self.cursor),
            EditKey::Right => self.cursor = self.next_boundary(self.cursor),
            EditKey::Home => self.cursor = 0,
            EditKey::End => self.cursor = self.text.len(),
            EditKey::WordLeft => self.cursor = self.word_start(),
            EditKey::WordRight => {
                let rest = &self.text[self.cursor..];
                let skip_spaces = rest.len() - rest.trim_start_matches(' ').len();
                let after = &rest[skip_spaces..];
                let word = after.find(' ').unwrap_or(after.len());
                self.cursor += skip_spaces + word;
            }
            EditKey::KillToStart => {
                self.text.replace_range(..self.cursor, "");
                self.cursor = 0;
            }
            EditKey::KillToEnd => self.text.truncate(self.cursor),
            EditKey::KillWordBack => {
                let s = self.word_start();
                self.text.replace_range(s..self.cursor, "");
                self.cursor = s;
            }
        }
    }

    /// The cursor as a column (chars before it).
    pub fn cursor_col(&self) -> usize {
        self.text[..self.cursor].chars().count()
    }
}

/// `ctrl-r` reverse incremental search through the history.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Search {
    pub query: String,
    /// The history entry found, if any.
    pub found: Option<usize>,
    /// The line as it was before the search (restored by `ctrl-g`).
    pub original: String,
}

/// The prompt's whole state.
#[derive(Clone, Debug, Default)]
pub struct Prompt {
    pub input: LineInput,
    /// Lines of an unfinished command entered so far (heredoc, open quote).
    pub pending: Vec<String>,
    pub history: Vec<String>,
    /// Where up/down browsing is in `history`; None when editing a new line.
    pub hist_pos: Option<usize>,
    /// The new line being written before browsing began.
    pub draft: String,
    pub search: Option<Search>,
    /// Completion candidates shown above the prompt after an ambiguous `tab`.
    pub candidates: Vec<String>,
}

impl Prompt {
    /// Records a command line as bash (with HISTCONTROL=ignoreboth, Ubuntu's default) does:
    /// no lines starting with a space, no immediate repeats.
    pub fn remember(&mut self, line: &str) {
        if line.trim().is_empty() || line.starts_with(' ') {
            return;
        }
        if self.history.last().map(String::as_str) != Some(line) {
            self.history.push(line.to_string());
        }
        self.hist_pos = None;
        self.draft.clear();
    }

    pub fn history_prev(&mut self) {
        if self.history.is_empty() {
            return;
        }
        let pos = match self.hist_pos {
            None => {
                self.draft = self.input.text.clone();
                self.history.len() - 1
            }
            Some(0) => 0,
            Some(p) => p - 1,
        };
        self.hist_pos = Some(pos);
        let entry = self.history[pos].clone();
        self.input.set(&entry);
    }

    pub fn history_next(&mut self) {
        match self.hist_pos {
            None => {}
            Some(p) if p + 1 < self.history.len() => {
                self.hist_pos = Some(p + 1);
                let entry = self.history[p + 1].clone();
                self.input.set(&entry);
            }
            Some(_) => {
                self.hist_pos = None;
                let d = std::mem::take(&mut self.draft);
                self.input.set(&d);
            }
        }
    }

    /// `ctrl-r`: starts a search, or looks further back for the same text.
    pub fn search_next(&mut self) {
        match &mut self.search {
            None => {
                self.search = Some(Search { query: String::new(), found: None, original: self.input.text.clone() });
            }
            Some(s) => {
                let before = s.found.unwrap_or(self.history.len());
                s.found = find_back(&self.history, &s.query, before).or(s.found);
            }
        }
    }

    /// Typing while searching edits the query and searches again from the newest entry.
    pub fn search_edit(&mut self, key: EditKey) {
        let Some(s) = &mut self.search else { return };
        match key {
            EditKey::Char(c) => {
                s.query.push(c);
                // A longer query can still match the entry found: look from there back.
                let from = s.found.map_or(self.history.len(), |f| f + 1);
                s.found = find_back(&self.history, &s.query, from);
            }
            EditKey::Backspace => {
                s.query.pop();
                s.found =
                    if s.query.is_empty() { None } else { find_back(&self.history, &s.query, self.history.len()) };
            }
            _ => {}
        }
    }

    /// Ends the search keeping the entry found in the line (for editing or running).
    pub fn search_accept(&mut self) {
        if let Some(s) = self.search.take() {
            let text = s.found.map(|f| self.history[f].clone()).unwrap_or(s.original);
            self.input.set(&text);
        }
    }

    /// `ctrl-g`: ends the search and restores the line as it was.
    pub fn search_cancel(&mut self) {
        if let Some(s) = self.search.take() {
            self.input.set(&s.original);
        }
    }
}

/// The newest history entry before index `before` that contains `query`.
fn find_back(history: &[String], query: &str, before: usize) -> Option<usize> {
    if query.is_empty() {
        return None;
    }
    history[..before.min(history.len())].iter().rposition(|h| h.contains(query))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(s: &str) -> LineInput {
        let mut l = LineInput::default();
        for c in s.chars() {
            l.apply(EditKey::Char(c));
        }
        l
    }

    #[test]
    fn readline_edits() {
        let mut l = typed("kubectl get pods");
        l.apply(EditKey::KillWordBack);
        assert_eq!(l.text, "kubectl get ");
        l.apply(EditKey::WordLeft);
        assert_eq!(l.cursor, 8);
        l.apply(EditKey::KillToEnd);
        assert_eq!(l.text, "kubectl ");
        l.apply(EditKey::Home);
        l.apply(EditKey::Delete);
        assert_eq!(l.text, "ubectl ");
        l.apply(EditKey::End);
        l.apply(EditKey::Char('é'));
        l.apply(EditKey::Left);
        l.apply(EditKey::Backspace);
        assert_eq!(l.text, "ubectlé");
        assert_eq!(l.cursor_col(), 6);
        l.apply(EditKey::KillToStart);
        assert_eq!((l.text.as_str(), l.cursor), ("é", 0));
    }

    #[test]
    fn history_browses_and_restores_the_draft() {
        let mut p = Prompt::default();
        for l in ["kubectl get pods", "kubectl get pods", " secret", "kubectl get nodes"] {
            p.remember(l);
        }
        assert_eq!(p.history, ["kubectl get pods", "kubectl get nodes"]);
        p.input.set("draft");
        p.history_prev();
        assert_eq!(p.input.text, "kubectl get nodes");
        p.history_prev();
        p.history_prev();
        assert_eq!(p.input.text, "kubectl get pods");
        p.history_next();
        p.history_next();
        assert_eq!(p.input.text, "draft");
    }

    #[test]
    fn reverse_search_finds_older_matches() {
        let mut p = Prompt::default();
        for l in ["kubectl run web --image=nginx", "kubectl get pods", "kubectl run db --image=redis"] {
            p.remember(l);
        }
        p.search_next();
        for c in "run".chars() {
            p.search_edit(EditKey::Char(c));
        }
        assert_eq!(p.search.as_ref().unwrap().found, Some(2));
        p.search_next();
        assert_eq!(p.search.as_ref().unwrap().found, Some(0));
        p.search_next();
        assert_eq!(p.search.as_ref().unwrap().found, Some(0), "no older match keeps the last one");
        p.search_accept();
        assert_eq!(p.input.text, "kubectl run web --image=nginx");
        p.input.set("typed");
        p.search_next();
        p.search_edit(EditKey::Char('z'));
        p.search_cancel();
        assert_eq!(p.input.text, "typed");
    }
}
