//! Markdown for the terminal: a lesson's prompts, hints and debriefs (parsed with
//! pulldown-cmark, CommonMark) drawn as styled, word-wrapped lines — headings, emphasis,
//! `code`, fenced code blocks (never wrapped: a YAML manifest must stay copyable), lists,
//! quotes and rules.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
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
    link: Option<String>,
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

    fn event(&mut self, ev: Event<'_>) {
        let t = self.theme;
        match ev {
            Event::Start(tag) => match tag {
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
                    self.link = Some(dest_url.to_string());
                    self.push_style(|s| s.add_modifier(Modifier::UNDERLINED));
                }
                _ => {}
            },
            Event::End(tag) => match tag {
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
                    if let Some(url) = self.link.take() {
                        let s = self.style().patch(t.dim());
                        self.segs.push((format!(" ({url})"), s));
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
    };
    for ev in Parser::new_ext(md, Options::ENABLE_STRIKETHROUGH) {
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
