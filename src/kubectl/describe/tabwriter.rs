//! Go's `text/tabwriter`, as kubectl's describers configure it (`minwidth 0, tabwidth 8,
//! padding 2, padchar ' ', flags 0`): tab-terminated cells are aligned in columns; a column
//! block is a run of consecutive lines that all have a cell in that column; a line without any
//! tab ends every block (Go flushes there), which is why `Containers:` or `Events:` restart the
//! alignment of what follows. The last cell of a line is not part of a column.
//!
//! Ported from go/src/text/tabwriter/tabwriter.go (the `format`/`writeLines` recursion) so
//! that `describe` output aligns byte for byte like kubectl's.

const PADDING: usize = 2;

#[derive(Clone, Copy, Debug, Default)]
struct Cell {
    /// Bytes of the cell's text in `buf`.
    size: usize,
    /// Width in runes (Go counts `utf8.RuneCount`).
    width: usize,
    /// Terminated by a tab (not by the end of the line).
    htab: bool,
}

/// A tabwriter that collects its output in a `String`.
#[derive(Debug, Default)]
pub struct TabWriter {
    out: String,
    /// Text of the buffered (not yet formatted) cells.
    buf: String,
    /// Start in `buf` of the text not yet consumed by `write_lines`.
    pos: usize,
    lines: Vec<Vec<Cell>>,
    cell: Cell,
    widths: Vec<usize>,
}

impl TabWriter {
    pub fn new() -> TabWriter {
        let mut t = TabWriter::default();
        t.reset();
        t
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.pos = 0;
        self.cell = Cell::default();
        self.lines.clear();
        self.widths.clear();
        self.lines.push(Vec::new());
    }

    /// Writes text; `\t` ends a cell, `\n` ends a line (and, when the line had no tab,
    /// flushes everything buffered so far), `\x0c` (form feed) ends a line and flushes.
    pub fn write(&mut self, text: &str) {
        let mut start = 0;
        for (i, ch) in text.char_indices() {
            if matches!(ch, '\t' | '\x0b' | '\n' | '\x0c') {
                self.append(&text[start..i]);
                start = i + 1;
                let ncells = self.terminate_cell(ch == '\t');
                if ch == '\n' || ch == '\x0c' {
                    self.lines.push(Vec::new());
                    if ch == '\x0c' || ncells == 1 {
                        // A line with a single cell cannot influence the columns of the
                        // lines after it: Go flushes here.
                        self.flush();
                    }
                }
            }
        }
        self.append(&text[start..]);
    }

    fn append(&mut self, s: &str) {
        self.buf.push_str(s);
        self.cell.size += s.len();
        self.cell.width += s.chars().count();
    }

    fn terminate_cell(&mut self, htab: bool) -> usize {
        self.cell.htab = htab;
        let cell = std::mem::take(&mut self.cell);
        let line = self.lines.last_mut().expect("tabwriter always has a current line");
        line.push(cell);
        line.len()
    }

    /// Formats and emits everything buffered (Go's `Flush`).
    pub fn flush(&mut self) {
        if self.cell.size > 0 {
            self.terminate_cell(false);
        }
        let n = self.lines.len();
        self.format(0, n);
        self.reset();
    }

    /// Flushes and returns the output.
    pub fn finish(mut self) -> String {
        self.flush();
        self.out
    }

    fn format(&mut self, line0: usize, line1: usize) {
        let mut line0 = line0;
        let column = self.widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 >= self.lines[this].len() {
                this += 1;
                continue;
            }
            // A cell exists in this column: the line has more cells than the previous one.
            self.write_lines(line0, this);
            line0 = this;
            // Column block begin.
            let mut width = 0;
            while this < line1 {
                let line = &self.lines[this];
                if column + 1 >= line.len() {
                    break;
                }
                width = width.max(line[column].width + PADDING);
                this += 1;
            }
            // Column block end: format the columns to the right, with this one's width known.
            self.widths.push(width);
            self.format(line0, this);
            self.widths.pop();
            line0 = this;
        }
        self.write_lines(line0, line1);
    }

    fn write_lines(&mut self, line0: usize, line1: usize) {
        for i in line0..line1 {
            for j in 0..self.lines[i].len() {
                let c = self.lines[i][j];
                if c.size > 0 {
                    let text = &self.buf[self.pos..self.pos + c.size];
                    self.out.push_str(text);
                    self.pos += c.size;
                }
                if j < self.widths.len() {
                    let pad = self.widths[j].saturating_sub(c.width);
                    self.out.extend(std::iter::repeat_n(' ', pad));
                }
            }
            if i + 1 == self.lines.len() {
                // The last buffered line has no newline yet: emit the pending cell's text.
                let text = &self.buf[self.pos..self.pos + self.cell.size];
                self.out.push_str(text);
                self.pos += self.cell.size;
            } else {
                self.out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TabWriter;

    fn tab(s: &str) -> String {
        let mut t = TabWriter::new();
        t.write(s);
        t.finish()
    }

    #[test]
    fn aligns_a_block_and_restarts_after_a_line_without_tabs() {
        let got =
            tab("Name:\tweb\nNamespace:\tdefault\nContainers:\n  web:\n    Image:\tnginx\n    Restart Count:\t0\n");
        assert_eq!(
            got,
            "Name:       web\nNamespace:  default\nContainers:\n  web:\n    Image:          nginx\n    Restart Count:  0\n"
        );
    }

    #[test]
    fn nested_columns_and_empty_cells() {
        // Go: the second column's block only spans lines that have a third cell.
        let got = tab("a\tbb\tc\naaa\tb\tccc\nx\ty\n\tcont\n");
        assert_eq!(got, "a    bb  c\naaa  b   ccc\nx    y\n     cont\n");
    }

    #[test]
    fn trailing_text_without_newline_is_kept() {
        assert_eq!(tab("k:\tv\nrest"), "k:  v\nrest");
    }
}
