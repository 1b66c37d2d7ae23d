//! `grep` (and `egrep`, `fgrep`) as GNU grep 3.x prints on the workstation and busybox 1.36
//! inside containers: BRE/ERE/fixed patterns through [`super::posix_re`], the usual
//! options (`-i -v -c -l -L -n -h -H -o -q -s -w -x -F -E -e -m -r -A -B -C`), context
//! separators, exit status 0 (selected), 1 (none) or 2 (trouble).

use std::fmt::Write as _;

use super::builtins::Ctx;
use super::getopt::{self, Opt, Spec};
use super::posix_re::{Dialect, Opts, Posix, Tool};

const LONG: &[(&str, char, Option<bool>)] = &[
    ("extended-regexp", 'E', Some(false)),
    ("fixed-strings", 'F', Some(false)),
    ("basic-regexp", 'G', Some(false)),
    ("regexp", 'e', Some(true)),
    ("file", 'f', Some(true)),
    ("ignore-case", 'i', Some(false)),
    ("no-ignore-case", '\u{2}', Some(false)),
    ("word-regexp", 'w', Some(false)),
    ("line-regexp", 'x', Some(false)),
    ("no-messages", 's', Some(false)),
    ("invert-match", 'v', Some(false)),
    ("max-count", 'm', Some(true)),
    ("byte-offset", 'b', Some(false)),
    ("line-number", 'n', Some(false)),
    ("with-filename", 'H', Some(false)),
    ("no-filename", 'h', Some(false)),
    ("only-matching", 'o', Some(false)),
    ("quiet", 'q', Some(false)),
    ("silent", 'q', Some(false)),
    ("recursive", 'r', Some(false)),
    ("dereference-recursive", 'R', Some(false)),
    ("files-without-match", 'L', Some(false)),
    ("files-with-matches", 'l', Some(false)),
    ("count", 'c', Some(false)),
    ("after-context", 'A', Some(true)),
    ("before-context", 'B', Some(true)),
    ("context", 'C', Some(true)),
    ("color", '\u{1}', None),
    ("colour", '\u{1}', None),
    ("text", 'a', Some(false)),
];

#[derive(Default)]
struct Cfg {
    dialect: Option<Dialect>,
    fixed: bool,
    icase: bool,
    word: bool,
    line: bool,
    invert: bool,
    count: bool,
    files_with: bool,
    files_without: bool,
    number: bool,
    byte_offset: bool,
    with_name: Option<bool>,
    only: bool,
    quiet: bool,
    silent: bool,
    recursive: bool,
    max: Option<u64>,
    after: usize,
    before: usize,
}

/// One file's (or stdin's) lines, searched.
struct Searcher {
    pats: Vec<Posix>,
    word: bool,
    line: bool,
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl Searcher {
    /// The leftmost-longest match of any pattern at or after `from`, honouring -w/-x.
    fn find_at(&self, hay: &str, from: usize) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        for p in &self.pats {
            let m = if self.line {
                p.find_at(hay, 0).filter(|&(s, e)| s == 0 && e == hay.len()).filter(|_| from == 0)
            } else if self.word {
                find_word(p, hay, from)
            } else {
                p.find_at(hay, from)
            };
            if let Some((s, e)) = m {
                best = match best {
                    Some((bs, be)) if bs < s || (bs == s && be >= e) => Some((bs, be)),
                    _ => Some((s, e)),
                };
            }
        }
        best
    }
    fn matches(&self, line: &str) -> bool {
        self.find_at(line, 0).is_some()
    }
}

/// GNU's -w: a match whose neighbours are not word characters; when the longest match at
/// a start fails, shorter ones at the same start are tried, then later starts.
fn find_word(p: &Posix, hay: &str, mut from: usize) -> Option<(usize, usize)> {
    let ok_before = |s: usize| hay[..s].chars().next_back().is_none_or(|c| !is_word(c));
    let ok_after = |e: usize| hay[e..].chars().next().is_none_or(|c| !is_word(c));
    while from <= hay.len() {
        let (s, e) = p.find_at(hay, from)?;
        if ok_before(s) {
            if ok_after(e) {
                return Some((s, e));
            }
            // Shorter matches from the same start, longest first.
            let mut end = e;
            while end > s {
                end = hay[..end].char_indices().next_back().map_or(s, |(i, _)| i);
                if ok_after(end) && p.matches_exactly(hay, s, end) {
                    return Some((s, end));
                }
            }
        }
        from = s + hay[s..].chars().next().map_or(1, |c| c.len_utf8());
    }
    None
}

/// The lines of a file with their byte offsets; a last line without newline counts.
fn split_lines(data: &str) -> Vec<(usize, &str)> {
    let mut v = Vec::new();
    let mut off = 0;
    for l in data.split_inclusive('\n') {
        v.push((off, l.strip_suffix('\n').unwrap_or(l)));
        off += l.len();
    }
    v
}

fn usage(ctx: &mut Ctx, bb: bool) {
    if bb {
        ctx.errs("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...\n");
    } else {
        ctx.errs("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
    }
}

/// Runs `grep`/`egrep`/`fgrep` with `args`; returns the exit status.
pub(crate) fn grep(name: &str, args: &[String], ctx: &mut Ctx) -> i32 {
    let bb = ctx.busybox();
    // `-5` is `-C 5`.
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| c.is_ascii_digit()) {
                format!("-C{}", &a[1..])
            } else {
                a.clone()
            }
        })
        .collect();
    let spec = Spec { flags: "EFGiywxsvbnHhoqrRLlcaUzZ", with_arg: "efmABCd", long: LONG, stop_at_operand: false };
    let (opts, mut operands) = match getopt::parse(&args, &spec) {
        Ok(v) => v,
        Err(e) => {
            ctx.errs(&format!("grep: {e}\n"));
            usage(ctx, bb);
            return 2;
        }
    };
    let mut c = Cfg::default();
    match name {
        "egrep" => c.dialect = Some(Dialect::Extended),
        "fgrep" => c.fixed = true,
        _ => {}
    }
    let mut pats: Vec<String> = Vec::new();
    let mut have_e = false;
    for Opt { name: o, value } in &opts {
        let v = value.clone().unwrap_or_default();
        let num = |v: &str| v.trim().parse::<u64>().ok();
        match o {
            'E' => {
                c.dialect = Some(Dialect::Extended);
                c.fixed = false;
            }
            'F' => c.fixed = true,
            'G' => {
                c.dialect = Some(Dialect::Basic);
                c.fixed = false;
            }
            'i' | 'y' => c.icase = true,
            '\u{2}' => c.icase = false,
            'w' => c.word = true,
            'x' => c.line = true,
            's' => c.silent = true,
            'v' => c.invert = true,
            'b' => c.byte_offset = true,
            'n' => c.number = true,
            'H' => c.with_name = Some(true),
            'h' => c.with_name = Some(false),
            'o' => c.only = true,
            'q' => c.quiet = true,
            'r' | 'R' => c.recursive = true,
            'L' => {
                c.files_without = true;
                c.files_with = false;
            }
            'l' => {
                c.files_with = true;
                c.files_without = false;
            }
            'c' => c.count = true,
            'e' => {
                have_e = true;
                pats.extend(v.split('\n').map(String::from));
            }
            'f' => {
                have_e = true;
                match ctx.read_arg(&v) {
                    Ok(d) => {
                        let s = String::from_utf8_lossy(&d).into_owned();
                        pats.extend(split_lines(&s).into_iter().map(|(_, l)| l.to_string()));
                    }
                    Err(e) => {
                        ctx.errs(&format!("grep: {v}: {e}\n"));
                        return 2;
                    }
                }
            }
            'm' | 'A' | 'B' | 'C' => {
                let Some(n) = num(&v) else {
                    let what = if *o == 'm' { "max count" } else { "context length argument" };
                    ctx.errs(&format!("grep: {v}: invalid {what}\n"));
                    return 2;
                };
                match o {
                    'm' => c.max = Some(n),
                    'A' => c.after = n as usize,
                    'B' => c.before = n as usize,
                    _ => {
                        c.after = n as usize;
                        c.before = n as usize;
                    }
                }
            }
            _ => {}
        }
    }
    if !have_e {
        if operands.is_empty() {
            usage(ctx, bb);
            return 2;
        }
        let p = operands.remove(0);
        pats.extend(p.split('\n').map(String::from));
    }
    let dialect = c.dialect.unwrap_or(Dialect::Basic);
    let mut compiled = Vec::new();
    for p in &pats {
        let r = if c.fixed {
            Posix::literal(p, c.icase)
        } else {
            Posix::new(p, Opts { dialect, tool: Tool::Grep, icase: c.icase, multiline: false })
        };
        match r {
            Ok(re) => {
                if !bb {
                    for w in &re.warnings {
                        ctx.errs(&format!("grep: warning: {w}\n"));
                    }
                    ctx.sync();
                }
                compiled.push(re);
            }
            Err(e) => {
                if bb {
                    ctx.errs(&format!("grep: bad regex '{p}': {e}\n"));
                } else {
                    ctx.errs(&format!("grep: {e}\n"));
                }
                return 2;
            }
        }
    }
    let searcher = Searcher { pats: compiled, word: c.word, line: c.line };

    // The files to search: operands, directories walked with -r, or stdin.
    let mut sources: Vec<Option<String>> = Vec::new();
    let mut trouble = false;
    if operands.is_empty() {
        if c.recursive {
            walk(ctx, ".", true, &mut sources);
        } else {
            sources.push(None);
        }
    } else {
        for o in &operands {
            if o == "-" {
                sources.push(None);
                continue;
            }
            let p = ctx.path(o);
            if c.recursive && ctx.host.fs().is_dir(&p) {
                walk(ctx, o, false, &mut sources);
            } else {
                sources.push(Some(o.clone()));
            }
        }
    }
    let show_name = c.with_name.unwrap_or(operands.len() > 1 || c.recursive);
    let mut any = false;
    let mut out = String::new();
    for src in sources {
        let label = src.clone().unwrap_or_else(|| "(standard input)".to_string());
        let data = match &src {
            None => ctx.stdin_all(),
            Some(f) => {
                let p = ctx.path(f);
                if ctx.host.fs().is_dir(&p) {
                    if !c.silent {
                        flush(ctx, &mut out, c.quiet);
                        ctx.errs(&format!("grep: {f}: Is a directory\n"));
                    }
                    trouble = true;
                    continue;
                }
                match ctx.read_arg(f) {
                    Ok(d) => d,
                    Err(e) => {
                        if !c.silent {
                            flush(ctx, &mut out, c.quiet);
                            ctx.errs(&format!("grep: {f}: {e}\n"));
                        }
                        trouble = true;
                        continue;
                    }
                }
            }
        };
        let text = String::from_utf8_lossy(&data).into_owned();
        let n = search_one(&searcher, &c, &text, &label, show_name, &mut out);
        if n > 0 {
            any = true;
            if c.quiet {
                break;
            }
        }
    }
    if !c.quiet {
        ctx.outs(&out);
    }
    if c.quiet && any {
        return 0;
    }
    if trouble {
        2
    } else if any {
        0
    } else {
        1
    }
}

/// Writes what grep printed so far before an error message about a later file.
fn flush(ctx: &mut Ctx, out: &mut String, quiet: bool) {
    if !quiet {
        ctx.outs(out);
    }
    out.clear();
    ctx.sync();
}

/// Lists the files under `dir` (sorted, depth first), as `grep -r` visits them.
fn walk(ctx: &mut Ctx, dir: &str, implicit: bool, out: &mut Vec<Option<String>>) {
    let p = ctx.path(dir);
    let names = ctx.host.fs().list(&p).unwrap_or_default();
    for n in names {
        let shown = if implicit && dir == "." { n.clone() } else { format!("{}/{n}", dir.trim_end_matches('/')) };
        let full = super::vfs::resolve_path(&p, &n);
        if ctx.host.fs().is_dir(&full) {
            walk(ctx, &shown, false, out);
        } else {
            out.push(Some(shown));
        }
    }
}

/// Searches one input; appends what grep prints to `out`; returns the selected lines.
fn search_one(s: &Searcher, c: &Cfg, text: &str, label: &str, show_name: bool, out: &mut String) -> u64 {
    let lines = split_lines(text);
    let mut selected = 0u64;
    let mut last_printed: Option<usize> = None;
    let mut after_left = 0usize;
    let mut any_printed = false;
    let listing = c.count || c.files_with || c.files_without || c.quiet;
    let prefix = |out: &mut String, i: usize, off: usize, sep: char| {
        if show_name {
            let _ = write!(out, "{label}{sep}");
        }
        if c.number {
            let _ = write!(out, "{}{sep}", i + 1);
        }
        if c.byte_offset {
            let _ = write!(out, "{off}{sep}");
        }
    };
    for (i, &(off, line)) in lines.iter().enumerate() {
        if c.max.is_some_and(|m| selected >= m) {
            // Trailing context after the last allowed match is still printed.
            if after_left > 0 && !listing && s.matches(line) == c.invert {
                prefix(out, i, off, '-');
                out.push_str(line);
                out.push('\n');
                last_printed = Some(i);
                after_left -= 1;
                continue;
            }
            break;
        }
        let hit = s.matches(line) != c.invert;
        if !hit {
            if after_left > 0 && !listing {
                prefix(out, i, off, '-');
                out.push_str(line);
                out.push('\n');
                last_printed = Some(i);
                after_left -= 1;
            }
            continue;
        }
        selected += 1;
        if listing {
            if c.quiet || c.files_with || c.files_without {
                break;
            }
            continue;
        }
        // Leading context, with `--` between groups that do not touch.
        let from = i.saturating_sub(c.before);
        let from = match last_printed {
            Some(lp) => from.max(lp + 1),
            None => from,
        };
        if (c.before > 0 || c.after > 0) && any_printed && last_printed.is_none_or(|lp| from > lp + 1) {
            out.push_str("--\n");
        }
        for (j, &(boff, bl)) in lines.iter().enumerate().take(i).skip(from) {
            prefix(out, j, boff, '-');
            out.push_str(bl);
            out.push('\n');
        }
        if c.only {
            if !c.invert {
                let mut pos = 0;
                while let Some((ms, me)) = s.find_at(line, pos) {
                    if me > ms {
                        prefix(out, i, off + ms, ':');
                        out.push_str(&line[ms..me]);
                        out.push('\n');
                        pos = me;
                    } else {
                        pos = ms + line[ms..].chars().next().map_or(1, |ch| ch.len_utf8());
                    }
                    if pos > line.len() || c.line {
                        break;
                    }
                }
            }
        } else {
            prefix(out, i, off, ':');
            out.push_str(line);
            out.push('\n');
        }
        any_printed = true;
        last_printed = Some(i);
        after_left = c.after;
    }
    if c.count {
        if show_name {
            let _ = write!(out, "{label}:");
        }
        let _ = writeln!(out, "{selected}");
    }
    if c.files_with && selected > 0 {
        let _ = writeln!(out, "{label}");
    }
    if c.files_without && selected == 0 {
        let _ = writeln!(out, "{label}");
    }
    selected
}
