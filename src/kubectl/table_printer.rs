//! kubectl's client-side table printer: formats any server Table (`sim::api::table`) the way
//! cli-runtime's `HumanReadablePrinter` does — decorations first (`NAMESPACE` column with
//! `-A`, `kind/name` when several kinds are printed, `-L` label columns, `--show-labels`),
//! wide columns only with `-o wide`, upper-cased headers (none for an empty table), cells cut
//! at the first line break — and then aligns the result with Go's `text/tabwriter` as
//! kubectl configures it (minimum width 6, padding 3, spaces; the last column unpadded).

use crate::sim::api::table::{format_labels, ColumnDefinition, Table};

/// How to print one Table (from `kubectl get`'s flags).
#[derive(Clone, Debug, Default)]
pub struct PrintOptions {
    /// `-o wide`: include the priority-1 columns.
    pub wide: bool,
    pub no_headers: bool,
    /// `--show-labels`: a LABELS column (last).
    pub show_labels: bool,
    /// `-L key,...`: one column per label key, headed by the key's last path segment.
    pub label_columns: Vec<String>,
    /// `-A` on a namespaced kind: a NAMESPACE column first.
    pub with_namespace: bool,
    /// Prefix names with `kind_prefix/` (several kinds printed, or `--show-kind`).
    pub with_kind: bool,
    /// `pod`, `deployment.apps`: the lower-cased group-kind.
    pub kind_prefix: String,
}

/// The header of a `-L` column: the upper-cased last path segment of the key
/// (`app.kubernetes.io/name` → `NAME`).
fn label_header(key: &str) -> String {
    key.rsplit('/').next().unwrap_or(key).to_uppercase()
}

/// A cell as kubectl writes it: cut at the first line break (with `...`), terminal escapes
/// made harmless.
fn cell_text(s: &str) -> String {
    let (text, cut) = match s.find(['\x0c', '\n', '\r']) {
        Some(i) => (&s[..i], true),
        None => (s, false),
    };
    let mut out = text.replace('\x1b', "^[");
    if cut {
        out.push_str("...");
    }
    out
}

/// The text kubectl writes into its tabwriter for one Table: tab-separated cells, one line
/// per row, the header first (unless `--no-headers` or the table has no rows).
pub fn table_text(t: &Table, o: &PrintOptions) -> String {
    // decorateTable: the added columns and which column holds the name.
    let mut columns: Vec<ColumnDefinition> = Vec::new();
    let added = |name: String| ColumnDefinition {
        name,
        type_: "string".into(),
        format: String::new(),
        description: String::new(),
        priority: 0,
    };
    if o.with_namespace {
        columns.push(added("Namespace".into()));
    }
    columns.extend(t.column_definitions.iter().cloned());
    for key in &o.label_columns {
        columns.push(added(label_header(key)));
    }
    if o.show_labels {
        columns.push(added("Labels".into()));
    }
    let name_column = if o.with_kind && !o.kind_prefix.is_empty() {
        t.column_definitions.iter().position(|c| c.format == "name" && c.type_ == "string")
    } else {
        None
    };
    let visible: Vec<bool> = columns.iter().map(|c| o.wide || c.priority == 0).collect();

    let mut out = String::new();
    if !o.no_headers {
        if t.rows.is_empty() {
            return out;
        }
        let headers: Vec<String> =
            columns.iter().zip(&visible).filter(|(_, v)| **v).map(|(c, _)| c.name.to_uppercase()).collect();
        out.push_str(&headers.join("\t"));
        out.push('\n');
    }
    for row in &t.rows {
        let mut cells: Vec<String> = Vec::with_capacity(columns.len());
        if o.with_namespace {
            cells.push(row.object.namespace().to_string());
        }
        for (i, c) in row.cells.iter().enumerate().take(t.column_definitions.len()) {
            let text = c.text();
            if Some(i) == name_column {
                cells.push(format!("{}/{text}", o.kind_prefix));
            } else {
                cells.push(text);
            }
        }
        // A row short of cells is padded with empty ones (the server never sends one).
        while cells.len() < t.column_definitions.len() + usize::from(o.with_namespace) {
            cells.push(String::new());
        }
        let labels = row.object.meta().labels.clone().unwrap_or_default();
        for key in &o.label_columns {
            cells.push(labels.get(key).cloned().unwrap_or_default());
        }
        if o.show_labels {
            cells.push(format_labels(Some(&labels)));
        }
        let shown: Vec<String> = cells.iter().zip(&visible).filter(|(_, v)| **v).map(|(c, _)| cell_text(c)).collect();
        out.push_str(&shown.join("\t"));
        out.push('\n');
    }
    out
}

/// Formats one Table as `kubectl get` prints it.
pub fn print_table(t: &Table, o: &PrintOptions) -> String {
    let mut w = TabWriter::kubectl();
    w.write(&table_text(t, o));
    w.flush()
}

/// Go's `text/tabwriter` (left-aligned, padding with a character other than tab): text is
/// cut into cells at tabs; a column block is a run of consecutive lines that have a
/// tab-terminated cell in that column, and every cell of the block is padded to the widest
/// cell plus `padding`, but at least `min_width`. The last cell of a line is not part of a
/// column and is not padded. Widths count characters (runes), as Go does.
#[derive(Clone, Debug)]
pub struct TabWriter {
    min_width: usize,
    padding: usize,
    pad_char: char,
    text: String,
}

impl TabWriter {
    pub fn new(min_width: usize, padding: usize, pad_char: char) -> TabWriter {
        TabWriter { min_width, padding, pad_char, text: String::new() }
    }

    /// kubectl's `printers.GetNewTabWriter`: `tabwriter.NewWriter(out, 6, 4, 3, ' ', ...)`.
    pub fn kubectl() -> TabWriter {
        TabWriter::new(6, 3, ' ')
    }

    pub fn write(&mut self, s: &str) {
        self.text.push_str(s);
    }

    /// Aligns everything written so far and returns it.
    pub fn flush(&mut self) -> String {
        let text = std::mem::take(&mut self.text);
        // The last "line" is the text after the last newline (usually empty); it takes part in
        // the alignment but gets no newline of its own.
        let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
        let mut out = String::with_capacity(text.len() + text.len() / 2);
        let mut widths = Vec::new();
        self.format(&lines, &mut widths, 0, lines.len(), &mut out);
        out
    }

    fn format(&self, lines: &[Vec<&str>], widths: &mut Vec<usize>, line0: usize, line1: usize, out: &mut String) {
        let column = widths.len();
        let mut line0 = line0;
        let mut this = line0;
        while this < line1 {
            if column + 1 >= lines[this].len() {
                this += 1;
                continue;
            }
            // A cell exists in this column: print the lines before the block, then size it.
            self.write_lines(lines, widths, line0, this, out);
            line0 = this;
            let mut width = self.min_width;
            while this < line1 && column + 1 < lines[this].len() {
                width = width.max(lines[this][column].chars().count() + self.padding);
                this += 1;
            }
            widths.push(width);
            self.format(lines, widths, line0, this, out);
            widths.pop();
            line0 = this;
        }
        self.write_lines(lines, widths, line0, line1, out);
    }

    fn write_lines(&self, lines: &[Vec<&str>], widths: &[usize], line0: usize, line1: usize, out: &mut String) {
        for (i, line) in lines.iter().enumerate().take(line1).skip(line0) {
            for (j, cell) in line.iter().enumerate() {
                out.push_str(cell);
                if j < widths.len() {
                    let w = cell.chars().count();
                    out.extend(std::iter::repeat_n(self.pad_char, widths[j].saturating_sub(w)));
                }
            }
            if i + 1 < lines.len() {
                out.push('\n');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api::table::{Cell, TableRow};
    use crate::sim::Object;
    use k8s_openapi::api::core::v1::ConfigMap;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn tab(s: &str) -> String {
        let mut w = TabWriter::kubectl();
        w.write(s);
        w.flush()
    }

    #[test]
    fn tabwriter_pads_columns_by_three_and_leaves_the_last_alone() {
        assert_eq!(
            tab("NAME\tREADY\tSTATUS\nweb\t1/1\tRunning\nlonger-name\t0/1\tPending\n"),
            "NAME          READY   STATUS\nweb           1/1     Running\nlonger-name   0/1     Pending\n"
        );
    }

    #[test]
    fn tabwriter_minimum_width_is_six() {
        // "AGE"/"5s" is 3 wide + 3 padding = 6; "NS"/"a" would be 5, raised to 6.
        assert_eq!(tab("NS\tAGE\tX\na\t5s\ty\n"), "NS    AGE   X\na     5s    y\n");
    }

    #[test]
    fn tabwriter_counts_characters_not_bytes() {
        assert_eq!(tab("é\tb\nabcdef\tc\n"), "é        b\nabcdef   c\n");
    }

    #[test]
    fn tabwriter_empty_last_cell_keeps_the_padding_before_it() {
        // A `-L` column with no value: the previous column is still padded.
        assert_eq!(tab("NAME\tAPP\nweb\t\n"), "NAME   APP\nweb    \n");
    }

    #[test]
    fn tabwriter_blocks_end_at_a_line_without_that_column() {
        // The blank line ends every column block: the second table is sized on its own.
        assert_eq!(tab("a\tb\n\nlong-cell\tc\n"), "a     b\n\nlong-cell   c\n");
        // A line with fewer cells ends only the blocks it lacks.
        assert_eq!(tab("a\tb\tc\nxx\nabcdefgh\tb\tc\n"), "a     b     c\nxx\nabcdefgh   b     c\n");
        // An unterminated last line is aligned too.
        assert_eq!(tab("abc\td\nx\ty"), "abc   d\nx     y");
    }

    fn cm(name: &str, ns: &str, labels: &[(&str, &str)]) -> Object {
        Object::ConfigMap(Box::new(ConfigMap {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some(ns.into()),
                labels: if labels.is_empty() {
                    None
                } else {
                    Some(labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
                },
                ..Default::default()
            },
            ..Default::default()
        }))
    }

    fn table(objs: &[Object]) -> Table<'_> {
        let col = |name: &str, format: &str, priority: i32| ColumnDefinition {
            name: name.into(),
            type_: "string".into(),
            format: format.into(),
            description: String::new(),
            priority,
        };
        Table {
            column_definitions: vec![col("Name", "name", 0), col("Data", "", 0), col("Nominated Node", "", 1)],
            rows: objs
                .iter()
                .map(|o| TableRow {
                    cells: vec![Cell::Str(o.name().into()), Cell::Int(1), Cell::Str("<none>".into())],
                    conditions: vec![],
                    object: o,
                })
                .collect(),
        }
    }

    #[test]
    fn wide_columns_only_with_wide_and_headers_upper_cased() {
        let objs = [cm("a", "default", &[])];
        let t = table(&objs);
        assert_eq!(print_table(&t, &PrintOptions::default()), "NAME   DATA\na      1\n");
        let wide = PrintOptions { wide: true, ..Default::default() };
        assert_eq!(print_table(&t, &wide), "NAME   DATA   NOMINATED NODE\na      1      <none>\n");
    }

    #[test]
    fn no_rows_no_header() {
        assert_eq!(print_table(&table(&[]), &PrintOptions::default()), "");
        let nh = PrintOptions { no_headers: true, ..Default::default() };
        assert_eq!(print_table(&table(&[cm("a", "default", &[])]), &nh), "a     1\n");
    }

    #[test]
    fn namespace_first_kind_prefix_and_label_columns() {
        let objs = [
            cm("web", "default", &[("app", "web"), ("tier", "front")]),
            cm("db", "prod", &[("app.kubernetes.io/name", "db")]),
        ];
        let t = table(&objs);
        let o = PrintOptions {
            with_namespace: true,
            with_kind: true,
            kind_prefix: "configmap".into(),
            label_columns: vec!["app".into(), "app.kubernetes.io/name".into()],
            show_labels: true,
            ..Default::default()
        };
        assert_eq!(
            print_table(&t, &o),
            "NAMESPACE   NAME            DATA   APP   NAME   LABELS\n\
             default     configmap/web   1      web          app=web,tier=front\n\
             prod        configmap/db    1            db     app.kubernetes.io/name=db\n"
        );
        let objs = [cm("plain", "default", &[])];
        let none = table(&objs);
        let o = PrintOptions { show_labels: true, ..Default::default() };
        assert_eq!(print_table(&none, &o), "NAME    DATA   LABELS\nplain   1      <none>\n");
    }

    #[test]
    fn cells_stop_at_a_line_break() {
        assert_eq!(cell_text("first line\nsecond"), "first line...");
        assert_eq!(cell_text("a\x1b[31mb"), "a^[[31mb");
    }
}
