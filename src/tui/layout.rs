//! Where everything goes on the screen, computed from the App and the terminal size alone,
//! so that drawing (`view`) and mouse clicks (`update`) agree. Only arithmetic on
//! rectangles: cheap enough to redo on every frame and every click.

use ratatui::layout::{Position, Rect};

use super::app::App;
use crate::sim::Kind;

/// The screen's parts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    /// Top line: what is played, the simulation clock and speed.
    pub status: Rect,
    pub cluster: Rect,
    pub resources: Rect,
    /// Events (and the rollout sparkline at its right).
    pub strip: Rect,
    /// Scrollback and prompt.
    pub terminal: Rect,
    /// Bottom line: key hints, messages, the `:` and `/` lines.
    pub hints: Rect,
    /// The lesson pane (empty without a lesson).
    pub lesson: Rect,
}

/// From this width on, the lesson pane, the cluster and the resources are side by side;
/// narrower, the lesson pane takes the cluster pane's place.
pub const WIDE_WITH_LESSON: u16 = 140;

pub fn areas(app: &App, area: Rect) -> Areas {
    let mut a = Areas::default();
    if area.height < 4 || area.width < 10 {
        a.terminal = area;
        return a;
    }
    a.status = Rect { height: 1, ..area };
    a.hints = Rect { y: area.y + area.height - 1, height: 1, ..area };
    let body = Rect { y: area.y + 1, height: area.height - 2, ..area };
    let h = body.height;
    let strip_h = if h >= 40 {
        5
    } else if h >= 26 {
        4
    } else {
        3
    };
    // With a lesson, its pane needs the height more than the scrollback does.
    let rest = h.saturating_sub(strip_h);
    let term_h = if app.lesson_shown() { rest / 3 } else { rest * 2 / 5 };
    let term_h = term_h.max(6).min(h.saturating_sub(strip_h + 5));
    let top_h = h.saturating_sub(strip_h + term_h);
    let mut top = Rect { height: top_h, ..body };
    a.terminal = Rect { y: body.y + h - term_h, height: term_h, ..body };
    let mut strip = Rect { y: top.y + top_h, height: strip_h, ..body };
    let lesson = app.lesson_shown();
    if lesson {
        // The lesson pane runs down beside the panes and the events strip.
        let lw = if body.width >= WIDE_WITH_LESSON { body.width * 7 / 20 } else { body.width * 9 / 20 };
        a.lesson = Rect { width: lw, height: top_h + strip_h, ..top };
        top = Rect { x: top.x + lw, width: top.width - lw, ..top };
        strip = Rect { x: strip.x + lw, width: strip.width - lw, ..strip };
    }
    if app.pane.zoom {
        a.resources = Rect { height: top_h + strip_h, ..top };
        return a;
    }
    a.strip = strip;
    if lesson && body.width < WIDE_WITH_LESSON {
        a.resources = top;
        return a;
    }
    let cluster_w = (top.width * 2 / 5).max(26).min(top.width / 2);
    a.cluster = Rect { width: cluster_w, ..top };
    a.resources = Rect { x: top.x + cluster_w, width: top.width - cluster_w, ..top };
    a
}

/// One box of the cluster pane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// Pods no node has been chosen for yet.
    Unscheduled,
    Node(String),
}

/// The cluster pane's boxes, in order: unscheduled pods first (when there are any), then the
/// nodes by name.
pub fn cluster_entries(app: &App) -> Vec<Entry> {
    let mut v = Vec::new();
    if app.index.pods_on("").is_some_and(|s| !s.is_empty()) {
        v.push(Entry::Unscheduled);
    }
    v.extend(app.ws().world.store.list(Kind::Node, None).iter().map(|n| Entry::Node(n.name().to_string())));
    v
}

/// A box is at least this wide; the pane holds as many columns of boxes as fit.
pub const BOX_MIN_W: u16 = 34;
/// Up to this many pods are listed by name in a box; more are drawn as glyphs.
pub const LIST_MAX: usize = 6;
/// Rows of glyphs at most in a box.
pub const GLYPH_ROWS_MAX: usize = 3;

pub fn cluster_columns(area: Rect) -> usize {
    (area.width.saturating_sub(2) / BOX_MIN_W).max(1) as usize
}

fn pods_in(app: &App, e: &Entry) -> usize {
    let key = match e {
        Entry::Unscheduled => "",
        Entry::Node(n) => n.as_str(),
    };
    app.index.pods_on(key).map_or(0, |s| s.len())
}

/// Lines of pods a box draws for `n` pods in `inner_w` columns.
pub fn pod_lines(n: usize, inner_w: u16) -> usize {
    if n <= LIST_MAX {
        n.max(1)
    } else {
        // A summary line, then the glyphs (two columns each).
        let per_row = (inner_w as usize / 2).max(1);
        1 + n.div_ceil(per_row).min(GLYPH_ROWS_MAX)
    }
}

fn box_height(n: usize, inner_w: u16) -> u16 {
    // Borders (the node's name and state are in the top one), the pods.
    (2 + pod_lines(n, inner_w)) as u16
}

/// The boxes shown, with their places: whole rows of boxes from the first row shown down
/// as far as they fit (the first row always, clipped if it must be).
pub fn cluster_boxes(app: &App, area: Rect) -> Vec<(usize, Rect)> {
    let inner = inner(area);
    if inner.width == 0 || inner.height == 0 {
        return Vec::new();
    }
    let entries = cluster_entries(app);
    let cols = cluster_columns(area);
    let box_w = inner.width / cols as u16;
    let mut out = Vec::new();
    let mut y = inner.y;
    let mut row = app.cluster.offset_row;
    loop {
        let start = row * cols;
        if start >= entries.len() {
            break;
        }
        let end = (start + cols).min(entries.len());
        let h = (start..end).map(|i| box_height(pods_in(app, &entries[i]), box_w.saturating_sub(2))).max().unwrap_or(2);
        let bottom = inner.y + inner.height;
        if y + h > bottom && row != app.cluster.offset_row {
            break;
        }
        let h = h.min(bottom - y);
        for (c, i) in (start..end).enumerate() {
            let x = inner.x + c as u16 * box_w;
            out.push((i, Rect { x, y, width: box_w, height: h }));
        }
        y += h;
        row += 1;
        if y >= bottom {
            break;
        }
    }
    out
}

/// The first and last rows of boxes fully shown.
pub fn cluster_visible_rows(app: &App, area: Rect) -> (usize, usize) {
    let cols = cluster_columns(area);
    let boxes = cluster_boxes(app, area);
    let last = boxes.last().map_or(app.cluster.offset_row, |(i, _)| i / cols);
    (app.cluster.offset_row, last.max(app.cluster.offset_row))
}

/// Which box a click landed on.
pub fn cluster_hit(app: &App, area: Rect, pos: Position) -> Option<usize> {
    cluster_boxes(app, area).into_iter().find(|(_, r)| r.contains(pos)).map(|(i, _)| i)
}

/// Column widths and the gap between columns for a table `avail` columns wide whose cells
/// are at most `natural` wide: kubectl's gap of three when everything fits, then two, then
/// one; then the widest columns are narrowed (not below [`COLUMN_MIN`]) until the table fits.
pub fn fit_columns(natural: &[usize], avail: usize) -> (Vec<usize>, usize) {
    let gaps = natural.len().saturating_sub(1);
    let total: usize = natural.iter().sum();
    for gap in [3, 2, 1] {
        if total + gap * gaps <= avail {
            return (natural.to_vec(), gap);
        }
    }
    let mut w = natural.to_vec();
    shrink_widest(&mut w, avail.saturating_sub(gaps), COLUMN_MIN);
    (w, 1)
}

/// Narrows the widest of `widths` (never below `min`) until they add up to `budget` or less.
pub fn shrink_widest(w: &mut [usize], budget: usize, min: usize) {
    let mut total: usize = w.iter().sum();
    while total > budget {
        let Some(i) = (0..w.len()).max_by_key(|&i| (w[i], std::cmp::Reverse(i))) else { break };
        if w[i] <= min {
            break;
        }
        // Down to the next widest at once (or as far as needed), not a column at a time.
        let next = (0..w.len()).filter(|&j| j != i).map(|j| w[j]).max().unwrap_or(0);
        let cut = (w[i] - next.max(min)).max(1).min(total - budget);
        w[i] -= cut;
        total -= cut;
    }
}

/// A table column narrowed to fit keeps at least this many columns.
pub const COLUMN_MIN: usize = 5;

/// The inside of a bordered block.
pub fn inner(r: Rect) -> Rect {
    Rect {
        x: r.x.saturating_add(1),
        y: r.y.saturating_add(1),
        width: r.width.saturating_sub(2),
        height: r.height.saturating_sub(2),
    }
}

/// A centred rectangle of at most `w`×`h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_close_up_then_the_widest_shrink() {
        assert_eq!(fit_columns(&[4, 5, 3], 20), (vec![4, 5, 3], 3));
        assert_eq!(fit_columns(&[4, 5, 3], 15), (vec![4, 5, 3], 1));
        assert_eq!(fit_columns(&[4, 5, 3], 16), (vec![4, 5, 3], 2));
        // NAME 20, READY 5, STATUS 7, AGE 3 in 30 columns: NAME gives way.
        assert_eq!(fit_columns(&[20, 5, 7, 3], 30), (vec![12, 5, 7, 3], 1));
        // Nothing narrower than COLUMN_MIN: the table overflows (the pane clips it).
        assert_eq!(fit_columns(&[9, 9], 8), (vec![5, 5], 1));
    }
}
