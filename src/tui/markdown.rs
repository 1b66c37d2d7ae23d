//! Markdown for the terminal: a lesson's prompts, hints and debriefs (parsed with
//! pulldown-cmark, CommonMark plus GitHub's tables and strikethrough) drawn as styled,
//! word-wrapped lines — headings, emphasis, `code`, links, fenced code blocks (never
//! wrapped: a YAML manifest must stay copyable), lists, quotes, rules, and tables as aligned
//! columns (cells wrapped inside their column when the table is wider than the pane).

use pulldown_cmark::{Alignment, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::theme::Theme;

/// A run of text with one style.
type Seg = (String, Style);

struct Renderer<'t> {
    theme: &'t Theme,
    width: usize,
    out: Vec<Line<'static>>,
    /// Inline text of the block being read.
    segs: Vec<Seg>,
    styles: Vec<Style>,
    /// Prefixes of the enclosing blocks (list indentation, quote bars).
    indent: Vec<String>,
    /// The marker of the list item just opened (`• `, `1. `), for its first line.
    marker: Option<String>,
    /// Numbers of the ordered lists open (None: a bullet list).
    lists: Vec<Option<u64>>,
    code: Option<Vec<String>>,
    /// The link being read: its destination and where its text starts in `segs`.
    link: Option<(String, usize)>,
    table: Option<TableState>,
}

/// A table being read: its columns' alignments and its rows of cells.
#[derive(Default)]
struct TableState {
    aligns: Vec<Alignment>,
    /// Rows of cells; a cell is its styled text.
    rows: Vec<Vec<Vec<Seg>>>,
    /// How many of the first rows are the header.
    head_rows: usize,
}

/// Columns of a table are this far apart.
const COLUMN_GAP: usize = 2;
/// A column shrunk to fit the pane keeps at least this many columns of text.
const COLUMN_MIN: usize = 6;

/// Display width of `s` in terminal columns.
pub fn width_of(s: &str) -> usize {
    Span::raw(s).width()
}

/// Word-wraps styled text into lines of at most `width` columns; a word longer than a line
/// is cut (a table cell must not spill into the next column).
fn wrap_cell(segs: &[Seg], width: usize) -> Vec<Vec<Seg>> {
    let width = width.max(1);
    let mut lines: Vec<Vec<Seg>> = vec![Vec::new()];
    let mut col = 0;
    // Words with their style, and whether a space came before them (a word may run on into
    // the next styled run: `code`, then a comma).
    let mut words: Vec<(String, Style, bool)> = Vec::new();
    let mut space = false;
    for (text, style) in segs {
        let mut cur = String::new();
        let mut cur_space = false;
        for c in text.chars() {
            if c.is_whitespace() {
                if !cur.is_empty() {
                    words.push((std::mem::take(&mut cur), *style, cur_space));
                }
                space = true;
            } else {
                if cur.is_empty() {
                    cur_space = space;
                    space = false;
                }
                cur.push(c);
            }
        }
        if !cur.is_empty() {
            words.push((cur, *style, cur_space));
        }
    }
    for (w, style, space) in words {
        let mut pending_space = space && col > 0;
        let mut rest = w.as_str();
        loop {
            let wl = width_of(rest);
            let lead = usize::from(pending_space);
            if col > 0 && col + lead + wl > width {
                lines.push(Vec::new());
                col = 0;
                pending_space = false;
                continue;
            }
            if pending_space {
                lines.last_mut().expect("a line").push((" ".into(), style));
                col += 1;
                pending_space = false;
            }
            if wl <= width.saturating_sub(col) {
                lines.last_mut().expect("a line").push((rest.to_string(), style));
                col += wl;
                break;
            }
            // Longer than a whole line: cut it.
            let mut taken = String::new();
            let mut tw = 0;
            for c in rest.chars() {
                let cw = width_of(c.encode_utf8(&mut [0; 4]));
                if tw + cw > width.saturating_sub(col) {
                    break;
                }
                taken.push(c);
                tw += cw;
            }
            if taken.is_empty() {
                // Not even one character fits (a wide character in a one-column cell).
                taken = rest.chars().next().map(String::from).unwrap_or_default();
                tw = width_of(&taken);
            }
            rest = &rest[taken.len()..];
            lines.last_mut().expect("a line").push((taken, style));
            col += tw;
            if rest.is_empty() {
                break;
            }
            lines.push(Vec::new());
            col = 0;
        }
    }
    lines
}

/// Word-wraps styled text `width` columns wide behind `lead` (a marker such as `✓ `): the
/// lines after the first are indented under the text, as a list item's are.
pub fn wrap_styled(lead: Span<'static>, segs: &[(String, Style)], width: u16) -> Vec<Line<'static>> {
    let indent = lead.width();
    let mut out = Vec::new();
    for (n, line) in wrap_cell(segs, (width as usize).saturating_sub(indent).max(10)).into_iter().enumerate() {
        let first = if n == 0 { lead.clone() } else { Span::raw(" ".repeat(indent)) };
        let mut spans = vec![first];
        spans.extend(line.into_iter().map(|(s, st)| Span::styled(s, st)));
        out.push(Line::from(spans));
    }
    out
}

/// `s` cut to `w` columns, with `…` when cut.
pub fn fit(s: &str, w: usize) -> String {
    if width_of(s) <= w {
        return s.to_string();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = width_of(c.encode_utf8(&mut [0; 4]));
        if used + cw > w - 1 {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

/// Column widths for a table `avail` columns wide: each column's widest cell, the widest
/// columns narrowed (to no less than [`COLUMN_MIN`]) until the table fits.
fn column_widths(natural: &[usize], avail: usize) -> Vec<usize> {
    let mut w = natural.to_vec();
    let gaps = COLUMN_GAP * w.len().saturating_sub(1);
    super::layout::shrink_widest(&mut w, avail.saturating_sub(gaps), COLUMN_MIN);
    w
}

impl Renderer<'_> {
    fn style(&self) -> Style {
        self.styles.last().copied().unwrap_or_default()
    }

    fn push_style(&mut self, f: impl FnOnce(Style) -> Style) {
        let s = f(self.style());
        self.styles.push(s);
    }

    fn blank(&mut self) {
        if self.out.last().is_some_and(|l| l.width() > 0) {
            self.out.push(Line::default());
        }
    }

    fn prefix(&self) -> String {
        self.indent.concat()
    }

    /// Word-wraps the inline text gathered so far into lines.
    fn flush(&mut self) {
        if self.segs.iter().all(|(t, _)| t.trim().is_empty()) && self.marker.is_none() {
            self.segs.clear();
            return;
        }
        let base = self.prefix();
        let (first, cont) = match self.marker.take() {
            Some(m) => {
                let outer: String = self.indent[..self.indent.len().saturating_sub(1)].concat();
                (format!("{outer}{m}"), base.clone())
            }
            None => (base.clone(), base.clone()),
        };
        let mut lines: Vec<Vec<Span<'static>>> = vec![vec![Span::styled(first.clone(), self.style())]];
        let mut col = first.chars().count();
        let mut has_text = false;
        let width = self.width.max(10);
        // Words keep their style; a word longer than the line overflows it.
        let mut words: Vec<(String, Style)> = Vec::new();
        for (text, style) in self.segs.drain(..) {
            let mut cur = String::new();
            for c in text.chars() {
                if c == ' ' || c == '\n' {
                    if !cur.is_empty() {
                        words.push((std::mem::take(&mut cur), style));
                    }
                    words.push((c.to_string(), style));
                } else {
                    cur.push(c);
                }
            }
            if !cur.is_empty() {
                words.push((cur, style));
            }
        }
        let mut pending_space = false;
        for (w, style) in words {
            if w == " " {
                pending_space = has_text;
                continue;
            }
            if w == "\n" {
                lines.push(vec![Span::raw(cont.clone())]);
                col = cont.chars().count();
                pending_space = false;
                has_text = false;
                continue;
            }
            let wl = w.chars().count();
            let lead = usize::from(pending_space);
            if has_text && col + lead + wl > width {
                lines.push(vec![Span::raw(cont.clone())]);
                col = cont.chars().count();
            } else if lead == 1 {
                if let Some(l) = lines.last_mut() {
                    l.push(Span::styled(" ", style));
                }
                col += 1;
            }
            pending_space = false;
            has_text = true;
            if let Some(l) = lines.last_mut() {
                l.push(Span::styled(w, style));
            }
            col += wl;
        }
        self.out.extend(lines.into_iter().map(Line::from));
    }

    /// Draws the table read: aligned columns, the header over a rule.
    fn end_table(&mut self) {
        let Some(table) = self.table.take() else { return };
        let t = self.theme;
        let ncols = table.rows.iter().map(Vec::len).max().unwrap_or(0).max(table.aligns.len());
        if ncols == 0 {
            return;
        }
        let text_of = |cell: &[Seg]| cell.iter().map(|(s, _)| s.as_str()).collect::<String>();
        let mut natural = vec![0; ncols];
        for row in &table.rows {
            for (i, cell) in row.iter().enumerate() {
                natural[i] = natural[i].max(width_of(text_of(cell).trim()));
            }
        }
        let pre = self.prefix();
        let avail = self.width.max(10).saturating_sub(width_of(&pre));
        let widths = column_widths(&natural, avail);
        let gap = " ".repeat(COLUMN_GAP);
        for (r, row) in table.rows.iter().enumerate() {
            let head = r < table.head_rows;
            let cells: Vec<Vec<Vec<Seg>>> = (0..ncols)
                .map(|i| {
                    let mut segs: Vec<Seg> = row.get(i).cloned().unwrap_or_default();
                    if head {
                        for (_, s) in &mut segs {
                            *s = s.patch(t.header());
                        }
                    }
                    wrap_cell(&segs, widths[i])
                })
                .collect();
            let height = cells.iter().map(Vec::len).max().unwrap_or(1);
            for k in 0..height {
                let mut spans = vec![Span::raw(pre.clone())];
                for (i, cell) in cells.iter().enumerate() {
                    let line: &[Seg] = cell.get(k).map(Vec::as_slice).unwrap_or(&[]);
                    let used: usize = line.iter().map(|(s, _)| width_of(s)).sum();
                    let room = widths[i].saturating_sub(used);
                    let (before, after) = match table.aligns.get(i) {
                        Some(Alignment::Right) => (room, 0),
                        Some(Alignment::Center) => (room / 2, room - room / 2),
                        _ => (0, room),
                    };
                    if i > 0 {
                        spans.push(Span::raw(gap.clone()));
                    }
                    if before > 0 {
                        spans.push(Span::raw(" ".repeat(before)));
                    }
                    spans.extend(line.iter().map(|(s, st)| Span::styled(s.clone(), *st)));
                    // No padding after the last column: nothing follows it.
                    if after > 0 && i + 1 < ncols {
                        spans.push(Span::raw(" ".repeat(after)));
                    }
                }
                self.out.push(Line::from(spans));
            }
            if head && r + 1 == table.head_rows {
                let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
                self.out.push(Line::from(vec![Span::raw(pre.clone()), Span::styled(rule.join(&gap), t.dim())]));
            }
        }
        self.blank();
    }

    fn event(&mut self, ev: Event<'_>) {
        let t = self.theme;
        match ev {
            Event::Start(tag) => match tag {
                Tag::Table(aligns) => {
                    self.flush();
                    self.blank();
                    self.table = Some(TableState { aligns, ..TableState::default() });
                }
                Tag::TableHead | Tag::TableRow => {
                    if let Some(tb) = &mut self.table {
                        tb.rows.push(Vec::new());
                    }
                }
                Tag::TableCell => self.segs.clear(),
                Tag::Paragraph => {}
                Tag::Heading { level, .. } => {
                    self.flush();
                    self.blank();
                    self.push_style(|s| {
                        let s = s.patch(t.title());
                        if level == HeadingLevel::H1 {
                            s.add_modifier(Modifier::UNDERLINED)
                        } else {
                            s
                        }
                    });
                }
                Tag::BlockQuote(_) => {
                    self.flush();
                    self.indent.push("│ ".into());
                    self.push_style(|s| s.patch(t.dim()));
                }
                Tag::CodeBlock(_) => {
                    self.flush();
                    self.blank();
                    self.code = Some(Vec::new());
                }
                Tag::List(start) => {
                    self.flush();
                    if self.lists.is_empty() {
                        self.blank();
                    }
                    self.lists.push(start);
                }
                Tag::Item => {
                    self.flush();
                    let marker = match self.lists.last_mut() {
                        Some(Some(n)) => {
                            let m = format!("{n}. ");
                            *n += 1;
                            m
                        }
                        _ => "• ".to_string(),
                    };
                    self.indent.push(" ".repeat(marker.chars().count()));
                    self.marker = Some(marker);
                }
                Tag::Emphasis => self.push_style(|s| s.add_modifier(Modifier::ITALIC)),
                Tag::Strong => self.push_style(|s| s.add_modifier(Modifier::BOLD)),
                Tag::Strikethrough => self.push_style(|s| s.add_modifier(Modifier::CROSSED_OUT)),
                Tag::Link { dest_url, .. } => {
                    self.link = Some((dest_url.to_string(), self.segs.len()));
                    self.push_style(|s| s.add_modifier(Modifier::UNDERLINED));
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::TableCell => {
                    let cell = std::mem::take(&mut self.segs);
                    if let Some(row) = self.table.as_mut().and_then(|tb| tb.rows.last_mut()) {
                        row.push(cell);
                    }
                }
                TagEnd::TableHead => {
                    if let Some(tb) = &mut self.table {
                        tb.head_rows = tb.rows.len();
                    }
                }
                TagEnd::Table => self.end_table(),
                TagEnd::Paragraph => {
                    self.flush();
                    if self.lists.is_empty() {
                        self.blank();
                    }
                }
                TagEnd::Heading(_) => {
                    self.flush();
                    self.styles.pop();
                    self.blank();
                }
                TagEnd::BlockQuote(_) => {
                    self.flush();
                    self.indent.pop();
                    self.styles.pop();
                    self.blank();
                }
                TagEnd::CodeBlock => {
                    let lines = self.code.take().unwrap_or_default();
                    let pre = self.prefix();
                    for l in lines {
                        self.out.push(Line::from(vec![Span::raw(format!("{pre}  ")), Span::styled(l, t.key())]));
                    }
                    self.blank();
                }
                TagEnd::List(_) => {
                    self.flush();
                    self.lists.pop();
                    if self.lists.is_empty() {
                        self.blank();
                    }
                }
                TagEnd::Item => {
                    self.flush();
                    self.indent.pop();
                }
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => {
                    self.styles.pop();
                }
                TagEnd::Link => {
                    self.styles.pop();
                    if let Some((url, from)) = self.link.take() {
                        // The address after the text, unless the text is the address.
                        let text: String =
                            self.segs[from.min(self.segs.len())..].iter().map(|(s, _)| s.as_str()).collect();
                        let bare = url.strip_prefix("mailto:").unwrap_or(&url);
                        if text.trim() != url && text.trim() != bare && !url.starts_with('#') {
                            let s = self.style().patch(t.dim());
                            self.segs.push((format!(" ({url})"), s));
                        }
                    }
                }
                _ => {}
            },
            Event::Text(text) => {
                if let Some(code) = &mut self.code {
                    let text = text.strip_suffix('\n').unwrap_or(&text);
                    code.extend(text.split('\n').map(String::from));
                } else {
                    let s = self.style();
                    self.segs.push((text.to_string(), s));
                }
            }
            Event::Code(code) => {
                let s = self.style().patch(t.key());
                self.segs.push((code.to_string(), s));
            }
            Event::SoftBreak => {
                let s = self.style();
                self.segs.push((" ".into(), s));
            }
            Event::HardBreak => {
                let s = self.style();
                self.segs.push(("\n".into(), s));
            }
            Event::Rule => {
                self.flush();
                self.out.push(Line::styled("─".repeat(self.width.min(60)), t.dim()));
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                let s = self.style();
                self.segs.push((h.to_string(), s));
            }
            _ => {}
        }
    }
}

/// Renders Markdown into lines at most `width` columns wide (code blocks excepted).
pub fn render(md: &str, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let mut r = Renderer {
        theme,
        width: width as usize,
        out: Vec::new(),
        segs: Vec::new(),
        styles: Vec::new(),
        indent: Vec::new(),
        marker: None,
        lists: Vec::new(),
        code: None,
        link: None,
        table: None,
    };
    for ev in Parser::new_ext(md, Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES) {
        r.event(ev);
    }
    r.flush();
    while r.out.last().is_some_and(|l| l.width() == 0) {
        r.out.pop();
    }
    r.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(md: &str, w: u16) -> String {
        render(md, w, &Theme::new(false))
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn paragraphs_wrap_and_code_blocks_do_not() {
        let md = "# Run a pod\n\nCreate a pod named `web` running the image nginx, then check that it is **Running**.\n\n```yaml\napiVersion: v1\nkind: Pod   # a long comment that must not be wrapped at all\n```\n";
        assert_eq!(
            text(md, 30),
            "Run a pod\n\nCreate a pod named web running\nthe image nginx, then check\nthat it is Running.\n\n  apiVersion: v1\n  kind: Pod   # a long comment that must not be wrapped at all"
        );
    }

    #[test]
    fn lists_and_quotes() {
        let md = "Steps:\n\n1. create it\n2. expose it on port 80 so that other pods can reach it\n\n- one\n- two\n\n> Note: the exam uses several clusters.\n";
        assert_eq!(
            text(md, 30),
            "Steps:\n\n1. create it\n2. expose it on port 80 so\n   that other pods can reach\n   it\n\n• one\n• two\n\n│ Note: the exam uses several\n│ clusters."
        );
    }

    #[test]
    fn tables_are_aligned_columns() {
        let md = "An image's program:\n\n| in the image | in the pod spec | what it replaces |\n|---|:---:|---:|\n| `ENTRYPOINT` | `command` | the program that is started |\n| `CMD` | `args` | its arguments |\n\nAfter.\n";
        assert_eq!(
            text(md, 60),
            "An image's program:\n\nin the image  in the pod spec             what it replaces\n────────────  ───────────────  ───────────────────────────\nENTRYPOINT        command      the program that is started\nCMD                args                      its arguments\n\nAfter."
        );
    }

    #[test]
    fn a_table_wider_than_the_pane_wraps_inside_its_columns() {
        let md = "| key | meaning |\n|-----|---------|\n| `restartPolicy` | what the kubelet does when a container exits |\n| x | y |\n";
        assert_eq!(
            text(md, 30),
            "key            meaning\n─────────────  ───────────────\nrestartPolicy  what the\n               kubelet does\n               when a\n               container exits\nx              y"
        );
        // Too narrow for both columns' words: long words are cut, never spilled.
        assert_eq!(text(md, 12), "key     meanin\n        g\n──────  ──────\nrestar  what\ntPolic  the\ny       kubele\n        t does\n        when a\n        contai\n        ner\n        exits\nx       y");
    }

    #[test]
    fn table_headers_are_styled_and_cells_keep_their_styles() {
        let t = Theme::new(true);
        let lines = render("| a | b |\n|---|---|\n| **x** | `y` |\n", 40, &t);
        let a = lines[0].spans.iter().find(|s| s.content == "a").unwrap();
        assert_eq!(a.style.fg, t.header().fg);
        let x = lines[2].spans.iter().find(|s| s.content == "x").unwrap();
        assert!(x.style.add_modifier.contains(Modifier::BOLD));
        let y = lines[2].spans.iter().find(|s| s.content == "y").unwrap();
        assert_eq!(y.style.fg, t.key().fg);
    }

    #[test]
    fn links_emphasis_and_nested_lists() {
        let md = "See [the docs](https://kubernetes.io/docs/) or <https://k8s.io>, *really*.\n\n- one\n  - inner\n- two\n\n  ```\n  kubectl get pods\n  ```\n";
        assert_eq!(
            text(md, 40),
            "See the docs\n(https://kubernetes.io/docs/) or\nhttps://k8s.io, really.\n\n• one\n  • inner\n• two\n\n    kubectl get pods"
        );
        let t = Theme::new(true);
        let lines = render("*really*", 40, &t);
        assert!(lines[0]
            .spans
            .iter()
            .any(|s| s.content == "really" && s.style.add_modifier.contains(Modifier::ITALIC)));
    }

    #[test]
    fn inline_styles_are_kept() {
        let t = Theme::new(true);
        let lines = render("a **bold** and `code`", 40, &t);
        let spans = &lines[0].spans;
        let bold = spans.iter().find(|s| s.content == "bold").unwrap();
        assert!(bold.style.add_modifier.contains(Modifier::BOLD));
        let code = spans.iter().find(|s| s.content == "code").unwrap();
        assert_eq!(code.style.fg, t.key().fg);
    }
}
