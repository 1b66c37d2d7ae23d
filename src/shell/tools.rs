//! Smaller utilities learners reach for around kubectl: `base64` (decoding Secrets),
//! `find`, `diff` (normal and unified output, computed with the `similar` crate), `which`,
//! `type`, `command -v` and `history` — GNU/bash texts on the workstation, busybox's in
//! containers.

use std::fmt::Write as _;

use base64::Engine as _;

use super::builtins::Ctx;
use super::getopt::{self, Spec};
use super::interp::glob_match;
use super::vfs::Stat;

// ---------------------------------------------------------------------------------------
// base64

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64_val(c: u8) -> Option<u32> {
    B64.iter().position(|&x| x == c).map(|p| p as u32)
}

/// Decodes like GNU `base64 -d`: newlines are skipped, anything else outside the alphabet
/// (or data after padding, or a truncated last group) is an error — after the bytes
/// decoded so far have been written.
fn b64_decode_gnu(data: &[u8], ignore_garbage: bool) -> (Vec<u8>, bool) {
    let mut out = Vec::new();
    let mut quad: Vec<u32> = Vec::new();
    let mut padded = false;
    let flush = |quad: &[u32], out: &mut Vec<u8>| {
        let n = quad.iter().enumerate().fold(0u32, |acc, (i, v)| acc | (v << (18 - 6 * i)));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        let k = match quad.len() {
            2 => 1,
            3 => 2,
            4 => 3,
            _ => 0,
        };
        out.extend_from_slice(&bytes[..k]);
    };
    let mut i = 0;
    while i < data.len() {
        let c = data[i];
        i += 1;
        if c == b'\n' {
            continue;
        }
        if c == b'=' {
            if quad.len() < 2 {
                if ignore_garbage {
                    continue;
                }
                flush(&quad, &mut out);
                return (out, false);
            }
            // The rest of the group must be padding.
            let need = 4 - quad.len();
            let mut got = 1;
            while got < need && i < data.len() && (data[i] == b'=' || data[i] == b'\n') {
                if data[i] == b'=' {
                    got += 1;
                }
                i += 1;
            }
            flush(&quad, &mut out);
            quad.clear();
            if got < need {
                return (out, false);
            }
            padded = true;
            continue;
        }
        match b64_val(c) {
            Some(v) => {
                if padded && !ignore_garbage {
                    return (out, false);
                }
                quad.push(v);
                if quad.len() == 4 {
                    flush(&quad, &mut out);
                    quad.clear();
                }
            }
            None => {
                if ignore_garbage {
                    continue;
                }
                flush(&quad, &mut out);
                return (out, false);
            }
        }
    }
    let ok = quad.is_empty();
    flush(&quad, &mut out);
    (out, ok)
}

pub(crate) fn base64(args: &[String], ctx: &mut Ctx) -> i32 {
    let bb = ctx.busybox();
    let spec = Spec {
        flags: "di",
        with_arg: "w",
        long: &[
            ("decode", 'd', Some(false)),
            ("ignore-garbage", 'i', Some(false)),
            ("wrap", 'w', Some(true)),
            ("help", '\u{1}', Some(false)),
        ],
        stop_at_operand: false,
    };
    let (opts, files) = match getopt::parse(args, &spec) {
        Ok(v) => v,
        Err(e) => {
            ctx.errs(&format!("base64: {e}\n"));
            ctx.errs(if bb {
                "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: base64 [-d] [-w COL] [FILE]\n"
            } else {
                "Try 'base64 --help' for more information.\n"
            });
            return 1;
        }
    };
    let mut decode = false;
    let mut garbage = false;
    let mut wrap = 76usize;
    for o in &opts {
        match o.name {
            'd' => decode = true,
            'i' => garbage = true,
            'w' => {
                let v = o.value.clone().unwrap_or_default();
                match v.parse::<usize>() {
                    Ok(n) => wrap = n,
                    Err(_) => {
                        ctx.errs(&format!("base64: invalid wrap size: '{v}'\n"));
                        return 1;
                    }
                }
            }
            _ => {}
        }
    }
    if files.len() > 1 {
        ctx.errs(&format!("base64: extra operand '{}'\nTry 'base64 --help' for more information.\n", files[1]));
        return 1;
    }
    let data = match files.first() {
        None => ctx.stdin_all(),
        Some(f) => match ctx.read_arg(f) {
            Ok(d) => d,
            Err(e) => {
                ctx.errs(&if bb { format!("base64: can't open '{f}': {e}\n") } else { format!("base64: {f}: {e}\n") });
                return 1;
            }
        },
    };
    if decode {
        if bb {
            // busybox skips whitespace and control characters and only minds the end.
            let clean: Vec<u8> = data.iter().copied().filter(|&c| c > b' ').collect();
            let body: Vec<u8> = clean.iter().copied().filter(|&c| c != b'=').collect();
            let ok = body.iter().all(|&c| b64_val(c).is_some()) && body.len() % 4 != 1;
            let (out, _) = b64_decode_gnu(&clean, true);
            ctx.out.extend(out);
            if !ok {
                ctx.errs("base64: truncated base64 input\n");
                return 1;
            }
            return 0;
        }
        let (out, ok) = b64_decode_gnu(&data, garbage);
        ctx.out.extend(out);
        if !ok {
            ctx.errs("base64: invalid input\n");
            return 1;
        }
        return 0;
    }
    let enc = base64::engine::general_purpose::STANDARD.encode(&data);
    if enc.is_empty() {
        return 0;
    }
    let mut s = String::new();
    if wrap == 0 {
        // Unwrapped output has no final newline either (GNU); busybox still ends the line.
        s.push_str(&enc);
        if bb {
            s.push('\n');
        }
    } else {
        let b = enc.as_bytes();
        for chunk in b.chunks(wrap) {
            s.push_str(&String::from_utf8_lossy(chunk));
            s.push('\n');
        }
    }
    ctx.outs(&s);
    0
}

// ---------------------------------------------------------------------------------------
// wc

pub(crate) fn wc(args: &[String], ctx: &mut Ctx) -> i32 {
    let bb = ctx.busybox();
    let spec = Spec {
        flags: "lwcmL",
        with_arg: "",
        long: &[
            ("lines", 'l', Some(false)),
            ("words", 'w', Some(false)),
            ("bytes", 'c', Some(false)),
            ("chars", 'm', Some(false)),
            ("max-line-length", 'L', Some(false)),
        ],
        stop_at_operand: false,
    };
    let (opts, files) = match getopt::parse(args, &spec) {
        Ok(v) => v,
        Err(e) => {
            ctx.errs(&format!("wc: {e}\n"));
            if !bb {
                ctx.errs("Try 'wc --help' for more information.\n");
            }
            return 1;
        }
    };
    let has = |c: char| opts.iter().any(|o| o.name == c);
    let none = opts.is_empty();
    let cols: Vec<char> =
        ['l', 'w', 'm', 'c', 'L'].into_iter().filter(|&c| if none { "lwc".contains(c) } else { has(c) }).collect();
    // Counts per input: (label, counts, regular file size or None for stdin).
    let mut rows: Vec<(Option<String>, Vec<usize>)> = Vec::new();
    let mut regular_total = 0usize;
    let mut any_stream = files.is_empty();
    let mut rc = 0;
    let inputs: Vec<Option<String>> =
        if files.is_empty() { vec![None] } else { files.iter().cloned().map(Some).collect() };
    let mut first_failed = false;
    for (i, f) in inputs.iter().enumerate() {
        let data = match f {
            None => ctx.stdin_all(),
            Some(f) if f == "-" => {
                any_stream = true;
                ctx.stdin_all()
            }
            Some(f) => {
                let p = ctx.path(f);
                if ctx.host.fs().is_dir(&p) {
                    ctx.errs(&format!("wc: {f}: Is a directory\n"));
                    rows.push((Some(f.clone()), vec![0; cols.len()]));
                    rc = 1;
                    continue;
                }
                match ctx.read_arg(f) {
                    Ok(d) => {
                        regular_total += d.len();
                        d
                    }
                    Err(e) => {
                        ctx.errs(&if bb { format!("wc: can't open '{f}': {e}\n") } else { format!("wc: {f}: {e}\n") });
                        rc = 1;
                        if i == 0 {
                            first_failed = true;
                        }
                        continue;
                    }
                }
            }
        };
        let text = String::from_utf8_lossy(&data);
        let counts = cols
            .iter()
            .map(|c| match c {
                'l' => data.iter().filter(|&&b| b == b'\n').count(),
                'w' => text.split_whitespace().count(),
                'm' => text.chars().count(),
                'c' => data.len(),
                _ => text.split('\n').map(|l| l.chars().count()).max().unwrap_or(0),
            })
            .collect();
        rows.push((f.clone(), counts));
    }
    if rows.len() > 1 || (inputs.len() > 1 && !rows.is_empty()) {
        let mut total = vec![0; cols.len()];
        for (_, c) in &rows {
            for (t, v) in total.iter_mut().zip(c) {
                *t += v;
            }
        }
        if cols.contains(&'L') {
            let k = cols.iter().position(|&c| c == 'L').unwrap_or(0);
            total[k] = rows.iter().map(|(_, c)| c[k]).max().unwrap_or(0);
        }
        rows.push((Some("total".into()), total));
    }
    // GNU pads to the digits of the total size of the regular files (7 with a pipe),
    // except for a single count of a single input; busybox pads to 9 unless one count.
    let width = if bb {
        if cols.len() == 1 {
            1
        } else {
            9
        }
    } else if cols.len() == 1 && inputs.len() == 1 || first_failed {
        1
    } else {
        let mut w = 1;
        let mut t = regular_total;
        while t >= 10 {
            t /= 10;
            w += 1;
        }
        if any_stream {
            w = w.max(7);
        }
        w
    };
    let mut out = String::new();
    for (label, counts) in rows {
        let nums: Vec<String> = counts.iter().map(|c| format!("{c:>width$}")).collect();
        out.push_str(&nums.join(" "));
        if let Some(l) = label.filter(|l| l != "-" || !bb) {
            out.push(' ');
            out.push_str(&l);
        }
        out.push('\n');
    }
    ctx.outs(&out);
    rc
}

// ---------------------------------------------------------------------------------------
// tr

/// Expands a tr SET: escapes, ranges, `[:class:]`.
fn tr_set(s: &str) -> Result<Vec<char>, String> {
    let c: Vec<char> = s.chars().collect();
    let mut items: Vec<char> = Vec::new();
    let mut i = 0;
    let esc = |c: &[char], i: &mut usize| -> char {
        // At a backslash: returns the escaped char and moves past it.
        let n = c.get(*i + 1).copied();
        match n {
            None => {
                *i += 1;
                '\\'
            }
            Some(d) if d.is_digit(8) => {
                let mut v = 0u32;
                let mut k = *i + 1;
                while k < c.len() && k < *i + 4 && c[k].is_digit(8) {
                    v = v * 8 + c[k].to_digit(8).unwrap_or(0);
                    k += 1;
                }
                *i = k;
                char::from_u32(v).unwrap_or('?')
            }
            Some(x) => {
                *i += 2;
                match x {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'a' => '\x07',
                    'b' => '\x08',
                    'f' => '\x0c',
                    'v' => '\x0b',
                    o => o,
                }
            }
        }
    };
    while i < c.len() {
        if c[i] == '[' && c.get(i + 1) == Some(&':') {
            if let Some(end) = (i + 2..c.len().saturating_sub(1)).find(|&k| c[k] == ':' && c[k + 1] == ']') {
                let name: String = c[i + 2..end].iter().collect();
                let class: Vec<char> = match name.as_str() {
                    "lower" => ('a'..='z').collect(),
                    "upper" => ('A'..='Z').collect(),
                    "digit" => ('0'..='9').collect(),
                    "alpha" => ('A'..='Z').chain('a'..='z').collect(),
                    "alnum" => ('0'..='9').chain('A'..='Z').chain('a'..='z').collect(),
                    "space" => vec!['\t', '\n', '\x0b', '\x0c', '\r', ' '],
                    "blank" => vec!['\t', ' '],
                    "punct" => (0x21u8..0x7f).map(char::from).filter(|c| c.is_ascii_punctuation()).collect(),
                    "xdigit" => ('0'..='9').chain('A'..='F').chain('a'..='f').collect(),
                    "cntrl" => (0u8..0x20).chain(std::iter::once(0x7f)).map(char::from).collect(),
                    "print" => (0x20u8..0x7f).map(char::from).collect(),
                    "graph" => (0x21u8..0x7f).map(char::from).collect(),
                    other => return Err(format!("invalid character class '{other}'")),
                };
                items.extend(class);
                i = end + 2;
                continue;
            }
        }
        let lo = if c[i] == '\\' {
            esc(&c, &mut i)
        } else {
            i += 1;
            c[i - 1]
        };
        if c.get(i) == Some(&'-') && i + 1 < c.len() {
            let mut j = i + 1;
            let hi = if c[j] == '\\' {
                esc(&c, &mut j)
            } else {
                j += 1;
                c[j - 1]
            };
            if hi < lo {
                return Err(format!(
                    "range-endpoints of '{}-{}' are in reverse collating sequence order",
                    lo.escape_default(),
                    hi.escape_default()
                ));
            }
            items.extend(lo..=hi);
            i = j;
            continue;
        }
        items.push(lo);
    }
    Ok(items)
}

pub(crate) fn tr(args: &[String], ctx: &mut Ctx) -> i32 {
    let bb = ctx.busybox();
    let spec = Spec {
        flags: "cCdst",
        with_arg: "",
        long: &[
            ("complement", 'c', Some(false)),
            ("delete", 'd', Some(false)),
            ("squeeze-repeats", 's', Some(false)),
            ("truncate-set1", 't', Some(false)),
        ],
        stop_at_operand: false,
    };
    let (opts, sets) = match getopt::parse(args, &spec) {
        Ok(v) => v,
        Err(e) => {
            ctx.errs(&format!("tr: {e}\n"));
            if !bb {
                ctx.errs("Try 'tr --help' for more information.\n");
            }
            return 1;
        }
    };
    let has = |c: char| opts.iter().any(|o| o.name == c);
    let (complement, delete, squeeze, truncate) = (has('c') || has('C'), has('d'), has('s'), has('t'));
    let need = if delete && squeeze {
        2
    } else if delete || (squeeze && sets.len() < 2) {
        1
    } else {
        2
    };
    if sets.is_empty() {
        ctx.errs(if bb {
            "tr: missing operand\n"
        } else {
            "tr: missing operand\nTry 'tr --help' for more information.\n"
        });
        return 1;
    }
    if sets.len() < need {
        let why = if delete && squeeze {
            "Two strings must be given when both deleting and squeezing repeats."
        } else {
            "Two strings must be given when translating."
        };
        ctx.errs(&format!(
            "tr: missing operand after '{}'\n{why}\nTry 'tr --help' for more information.\n",
            sets[sets.len() - 1]
        ));
        return 1;
    }
    if sets.len() > need.max(1) && delete && !squeeze {
        ctx.errs(&format!("tr: extra operand '{}'\nOnly one string may be given when deleting without squeezing repeats.\nTry 'tr --help' for more information.\n", sets[1]));
        return 1;
    }
    let mut set1 = match tr_set(&sets[0]) {
        Ok(v) => v,
        Err(e) => {
            ctx.errs(&format!("tr: {e}\n"));
            return 1;
        }
    };
    let set2 = match sets.get(1).map(|s| tr_set(s)) {
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            ctx.errs(&format!("tr: {e}\n"));
            return 1;
        }
        None => vec![],
    };
    if complement {
        // Every byte value not in SET1, in order.
        set1 = (0u8..=255).map(char::from).filter(|c| !set1.contains(c)).collect();
    }
    if truncate && set1.len() > set2.len() {
        set1.truncate(set2.len());
    }
    let translating = !delete && sets.len() >= 2;
    if translating && set2.is_empty() {
        ctx.errs("tr: when not truncating set1, string2 must be non-empty\n");
        return 1;
    }
    let data = String::from_utf8_lossy(&ctx.stdin_all()).into_owned();
    let squeeze_set: &[char] = if sets.len() >= 2 { &set2 } else { &set1 };
    let mut out = String::new();
    let mut last: Option<char> = None;
    for ch in data.chars() {
        let mapped = if delete {
            if set1.contains(&ch) {
                continue;
            }
            ch
        } else if translating {
            // The last occurrence in SET1 decides (GNU); SET2 is padded with its last char.
            match set1.iter().rposition(|&x| x == ch) {
                Some(i) => *set2.get(i).or(set2.last()).unwrap_or(&ch),
                None => ch,
            }
        } else {
            ch
        };
        if squeeze && last == Some(mapped) && squeeze_set.contains(&mapped) {
            continue;
        }
        last = Some(mapped);
        out.push(mapped);
    }
    ctx.outs(&out);
    0
}

// ---------------------------------------------------------------------------------------
// find

#[derive(Clone, Debug)]
enum Test {
    Name(String, bool),
    Path(String),
    Type(char),
    Empty,
    True,
    Not(Box<Test>),
    And(Box<Test>, Box<Test>),
    Or(Box<Test>, Box<Test>),
}

struct FindCfg {
    test: Test,
    maxdepth: Option<usize>,
    mindepth: usize,
}

fn eval_test(t: &Test, path: &str, st: &Stat, empty: bool) -> bool {
    match t {
        Test::Name(p, icase) => {
            let base = path.trim_end_matches('/').rsplit('/').next().unwrap_or(path);
            let base = if base.is_empty() { "/" } else { base };
            if *icase {
                glob_match(&p.to_lowercase(), &base.to_lowercase())
            } else {
                glob_match(p, base)
            }
        }
        Test::Path(p) => glob_match(p, path),
        Test::Type(c) => match c {
            'd' => st.is_dir,
            'f' => !st.is_dir,
            _ => false,
        },
        Test::Empty => empty,
        Test::True => true,
        Test::Not(a) => !eval_test(a, path, st, empty),
        Test::And(a, b) => eval_test(a, path, st, empty) && eval_test(b, path, st, empty),
        Test::Or(a, b) => eval_test(a, path, st, empty) || eval_test(b, path, st, empty),
    }
}

/// Parses find's expression: `! -not`, implicit/explicit `-a`, `-o`, `( )`.
struct ExprParser<'a> {
    args: &'a [String],
    i: usize,
    maxdepth: Option<usize>,
    mindepth: usize,
}

impl ExprParser<'_> {
    fn or(&mut self) -> Result<Test, String> {
        let mut l = self.and()?;
        while matches!(self.args.get(self.i).map(String::as_str), Some("-o") | Some("-or")) {
            self.i += 1;
            let r = self.and()?;
            l = Test::Or(Box::new(l), Box::new(r));
        }
        Ok(l)
    }
    fn and(&mut self) -> Result<Test, String> {
        let mut l = self.not()?;
        loop {
            match self.args.get(self.i).map(String::as_str) {
                None | Some("-o") | Some("-or") | Some(")") => return Ok(l),
                Some("-a") | Some("-and") => self.i += 1,
                _ => {}
            }
            let r = self.not()?;
            l = Test::And(Box::new(l), Box::new(r));
        }
    }
    fn not(&mut self) -> Result<Test, String> {
        if matches!(self.args.get(self.i).map(String::as_str), Some("!") | Some("-not")) {
            self.i += 1;
            return Ok(Test::Not(Box::new(self.not()?)));
        }
        self.primary()
    }
    fn value(&mut self, name: &str) -> Result<String, String> {
        self.i += 1;
        let v = self.args.get(self.i).cloned().ok_or_else(|| format!("missing argument to `{name}'"))?;
        self.i += 1;
        Ok(v)
    }
    fn primary(&mut self) -> Result<Test, String> {
        let Some(a) = self.args.get(self.i).cloned() else {
            return Err("expected an expression".into());
        };
        match a.as_str() {
            "(" => {
                self.i += 1;
                let t = self.or()?;
                if self.args.get(self.i).map(String::as_str) != Some(")") {
                    return Err(
                        "invalid expression; I was expecting to find a ')' somewhere but did not see one.".into()
                    );
                }
                self.i += 1;
                Ok(t)
            }
            "-name" | "-iname" => Ok(Test::Name(self.value(&a)?, a == "-iname")),
            "-path" | "-wholename" => Ok(Test::Path(self.value(&a)?)),
            "-type" => {
                let v = self.value(&a)?;
                match v.as_str() {
                    "f" | "d" | "l" | "p" | "s" | "b" | "c" => Ok(Test::Type(v.chars().next().unwrap_or('f'))),
                    _ => Err(format!("Unknown argument to -type: {v}")),
                }
            }
            "-maxdepth" | "-mindepth" => {
                let v = self.value(&a)?;
                let n: usize = v
                    .parse()
                    .map_err(|_| format!("Expected a positive decimal integer argument to {a}, but got `{v}'"))?;
                if a == "-maxdepth" {
                    self.maxdepth = Some(n);
                } else {
                    self.mindepth = n;
                }
                Ok(Test::True)
            }
            "-empty" => {
                self.i += 1;
                Ok(Test::Empty)
            }
            "-print" | "-true" => {
                self.i += 1;
                Ok(Test::True)
            }
            "-exec" | "-execdir" | "-ok" | "-delete" | "-newer" | "-mtime" | "-mmin" | "-size" | "-perm" | "-user"
            | "-group" | "-printf" | "-print0" | "-regex" | "-links" => {
                Err(format!("\u{0}kubedojo's find does not support {a} (pipe the names into xargs instead)"))
            }
            other if other.starts_with('-') => Err(format!("unknown predicate `{other}'")),
            other => Err(format!("paths must precede expression: `{other}'")),
        }
    }
}

pub(crate) fn find(args: &[String], ctx: &mut Ctx) -> i32 {
    let bb = ctx.busybox();
    // Paths come first, up to the first argument that starts an expression.
    let split = args.iter().position(|a| a.starts_with('-') || a == "!" || a == "(" || a == ")").unwrap_or(args.len());
    let mut paths: Vec<String> = args[..split].to_vec();
    if paths.is_empty() {
        paths.push(".".into());
    }
    let mut p = ExprParser { args: &args[split..], i: 0, maxdepth: None, mindepth: 0 };
    let test = if args[split..].is_empty() {
        Ok(Test::True)
    } else {
        p.or().and_then(|t| {
            if p.i < p.args.len() {
                Err(format!("paths must precede expression: `{}'", p.args[p.i]))
            } else {
                Ok(t)
            }
        })
    };
    let test = match test {
        Ok(t) => t,
        Err(m) => {
            if let Some(m) = m.strip_prefix('\u{0}') {
                ctx.errs(&format!("find: {m}\n"));
            } else if bb {
                let bad = m.split('`').nth(1).map(|s| s.trim_end_matches('\'')).unwrap_or(&m).to_string();
                ctx.errs(&format!("find: unrecognized: {bad}\n"));
            } else {
                ctx.errs(&format!("find: {m}\n"));
            }
            return 1;
        }
    };
    let cfg = FindCfg { test, maxdepth: p.maxdepth, mindepth: p.mindepth };
    let mut out = String::new();
    let mut rc = 0;
    for start in &paths {
        let full = ctx.path(start);
        match ctx.host.fs().stat(&full) {
            Ok(st) => walk_find(ctx, &cfg, start, &full, &st, 0, &mut out),
            Err(e) => {
                ctx.errs(&if bb {
                    format!("find: {start}: {e}\n")
                } else {
                    format!("find: \u{2018}{start}\u{2019}: {e}\n")
                });
                rc = 1;
            }
        }
    }
    ctx.outs(&out);
    rc
}

fn walk_find(ctx: &mut Ctx, cfg: &FindCfg, shown: &str, full: &str, st: &Stat, depth: usize, out: &mut String) {
    // -empty: an empty file, or a directory without entries.
    let empty = if st.is_dir { ctx.host.fs().list(full).map(|l| l.is_empty()).unwrap_or(false) } else { st.size == 0 };
    if depth >= cfg.mindepth && eval_test(&cfg.test, shown, st, empty) {
        out.push_str(shown);
        out.push('\n');
    }
    if !st.is_dir || cfg.maxdepth.is_some_and(|m| depth >= m) {
        return;
    }
    let names = ctx.host.fs().list(full).unwrap_or_default();
    for n in names {
        let child_full = super::vfs::resolve_path(full, &n);
        let child_shown = if shown.ends_with('/') { format!("{shown}{n}") } else { format!("{shown}/{n}") };
        if let Ok(cst) = ctx.host.fs().stat(&child_full) {
            walk_find(ctx, cfg, &child_shown, &child_full, &cst, depth + 1, out);
        }
    }
}

// ---------------------------------------------------------------------------------------
// diff

fn diff_time(s: &Stat) -> String {
    use chrono::TimeZone;
    match chrono::Utc.timestamp_opt(s.mtime_s as i64, 0).single() {
        Some(t) => format!("{}", t.format("%Y-%m-%d %H:%M:%S%.9f +0000")),
        None => String::new(),
    }
}

/// GNU diff's range: `3` or `3,5`.
fn range(start: usize, len: usize) -> String {
    if len <= 1 {
        format!("{}", if len == 0 { start } else { start + 1 })
    } else {
        format!("{},{}", start + 1, start + len)
    }
}

fn normal_diff(a: &str, b: &str) -> String {
    use similar::{Algorithm, DiffOp, TextDiff};
    let diff = TextDiff::configure().algorithm(Algorithm::Myers).diff_lines(a, b);
    let old: Vec<&str> = diff.old_slices().to_vec();
    let new: Vec<&str> = diff.new_slices().to_vec();
    let line = |l: &str, mark: &str, out: &mut String| {
        out.push_str(mark);
        match l.strip_suffix('\n') {
            Some(t) => {
                out.push_str(t);
                out.push('\n');
            }
            None => {
                out.push_str(l);
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
    };
    let mut out = String::new();
    // Merge adjacent delete+insert into changes, as GNU does.
    let mut ops: Vec<(usize, usize, usize, usize)> = Vec::new();
    for op in diff.ops() {
        let (o, ol, n, nl) = match *op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete { old_index, old_len, new_index } => (old_index, old_len, new_index, 0),
            DiffOp::Insert { old_index, new_index, new_len } => (old_index, 0, new_index, new_len),
            DiffOp::Replace { old_index, old_len, new_index, new_len } => (old_index, old_len, new_index, new_len),
        };
        match ops.last_mut() {
            Some(last) if last.0 + last.1 == o && last.2 + last.3 == n => {
                last.1 += ol;
                last.3 += nl;
            }
            _ => ops.push((o, ol, n, nl)),
        }
    }
    for (o, ol, n, nl) in ops {
        if ol > 0 && nl > 0 {
            let _ = writeln!(out, "{}c{}", range(o, ol), range(n, nl));
        } else if ol > 0 {
            let _ = writeln!(out, "{}d{}", range(o, ol), n);
        } else {
            let _ = writeln!(out, "{}a{}", o, range(n, nl));
        }
        for l in &old[o..o + ol] {
            line(l, "< ", &mut out);
        }
        if ol > 0 && nl > 0 {
            out.push_str("---\n");
        }
        for l in &new[n..n + nl] {
            line(l, "> ", &mut out);
        }
    }
    out
}

pub(crate) fn diff(args: &[String], ctx: &mut Ctx) -> i32 {
    let bb = ctx.busybox();
    let spec = Spec {
        flags: "uqNswBbiat",
        with_arg: "UL",
        long: &[
            ("unified", 'u', None),
            ("brief", 'q', Some(false)),
            ("new-file", 'N', Some(false)),
            ("report-identical-files", 's', Some(false)),
            ("label", 'L', Some(true)),
            ("ignore-all-space", 'w', Some(false)),
            ("ignore-space-change", 'b', Some(false)),
            ("ignore-case", 'i', Some(false)),
            ("color", '\u{1}', None),
            ("recursive", 'r', Some(false)),
        ],
        stop_at_operand: false,
    };
    let (opts, files) = match getopt::parse(args, &spec) {
        Ok(v) => v,
        Err(e) => {
            ctx.errs(&format!("diff: {e}\n"));
            if !bb {
                ctx.errs("diff: Try 'diff --help' for more information.\n");
            }
            return 2;
        }
    };
    let mut unified: Option<usize> = if bb { Some(3) } else { None };
    let mut brief = false;
    let mut new_file = false;
    let mut report_same = false;
    let mut labels: Vec<String> = Vec::new();
    for o in &opts {
        match o.name {
            'u' => unified = Some(o.value.as_ref().and_then(|v| v.parse().ok()).unwrap_or(3)),
            'U' => {
                let v = o.value.clone().unwrap_or_default();
                match v.parse() {
                    Ok(n) => unified = Some(n),
                    Err(_) => {
                        ctx.errs(&format!(
                            "diff: invalid context length '{v}'\ndiff: Try 'diff --help' for more information.\n"
                        ));
                        return 2;
                    }
                }
            }
            'q' => brief = true,
            'N' => new_file = true,
            's' => report_same = true,
            'L' => labels.push(o.value.clone().unwrap_or_default()),
            'w' | 'b' | 'i' | 'B' => {
                ctx.errs(&format!("diff: kubedojo's diff does not support -{}\n", o.name));
                return 2;
            }
            'r' => {
                ctx.errs("diff: kubedojo's diff does not compare directories\n");
                return 2;
            }
            _ => {}
        }
    }
    if files.len() != 2 {
        let msg = match files.len() {
            0 => format!("missing operand after '{}'", if args.is_empty() { "diff".into() } else { args.join(" ") }),
            1 => format!("missing operand after '{}'", files[0]),
            _ => format!("extra operand '{}'", files[2]),
        };
        ctx.errs(&format!("diff: {msg}\ndiff: Try 'diff --help' for more information.\n"));
        return 2;
    }
    let mut texts = Vec::new();
    let mut stats = Vec::new();
    for f in &files {
        let p = ctx.path(f);
        let st = if f == "-" || f == "/dev/null" { None } else { ctx.host.fs().stat(&p).ok() };
        if let Some(s) = &st {
            if s.is_dir {
                ctx.errs("diff: kubedojo's diff does not compare directories\n");
                return 2;
            }
        }
        match ctx.read_arg(f) {
            Ok(d) => texts.push(String::from_utf8_lossy(&d).into_owned()),
            Err(super::FsError::NotFound) if new_file => texts.push(String::new()),
            Err(e) => {
                ctx.errs(&if bb { format!("diff: can't stat '{f}': {e}\n") } else { format!("diff: {f}: {e}\n") });
                return 2;
            }
        }
        stats.push(st);
    }
    if texts[0] == texts[1] {
        if report_same {
            ctx.outs(&format!("Files {} and {} are identical\n", files[0], files[1]));
        }
        return 0;
    }
    if brief {
        ctx.outs(&format!("Files {} and {} differ\n", files[0], files[1]));
        return 1;
    }
    let out = match unified {
        None => normal_diff(&texts[0], &texts[1]),
        Some(n) => {
            let header = |k: usize| -> String {
                if let Some(l) = labels.get(k) {
                    return l.clone();
                }
                let t = match &stats[k] {
                    Some(s) => diff_time(s),
                    None => "1970-01-01 00:00:00.000000000 +0000".into(),
                };
                format!("{}\t{t}", files[k])
            };
            let diff =
                similar::TextDiff::configure().algorithm(similar::Algorithm::Myers).diff_lines(&texts[0], &texts[1]);
            let mut u = diff.unified_diff();
            u.context_radius(n).header(&header(0), &header(1));
            u.to_string()
        }
    };
    ctx.outs(&out);
    1
}

// ---------------------------------------------------------------------------------------
// which, type, command -v, history

/// Shell builtins that have no executable file.
const SHELL_ONLY: &[&str] = &[
    "cd", "export", "alias", "unalias", "set", "unset", "shift", "read", "source", ".", "exit", "return", "local",
    "declare", "typeset", "readonly", "eval", "exec", "wait", "break", "continue", "history", "type", "command",
    "hash", "ulimit", "umask", "trap", "jobs", "fg", "bg", "shopt", "complete", ":",
];

/// Whether `name` is a shell builtin with no executable file (`cd`, `export`...).
pub(crate) fn is_shell_only(name: &str) -> bool {
    SHELL_ONLY.contains(&name)
}

/// Where a command's executable is: `/usr/bin` on the (usr-merged) Ubuntu workstation,
/// `/bin` inside busybox containers.
pub(crate) fn command_path(name: &str, bb: bool, host_has: bool) -> Option<String> {
    if SHELL_ONLY.contains(&name) {
        return None;
    }
    if bb {
        // The busybox image installs every applet in /bin (`busybox --install /bin`).
        return (super::builtins::is_builtin(name) || super::is_command(name)).then(|| format!("/bin/{name}"));
    }
    (super::builtins::is_builtin(name) || super::is_command(name) || host_has).then(|| format!("/usr/bin/{name}"))
}

/// Commands the workstation's host provides (the simulated kubectl and editors).
pub(crate) fn host_command(name: &str, bb: bool) -> bool {
    !bb && matches!(name, "kubectl" | "vim" | "vi" | "nano" | "clear")
}

pub(crate) fn which(args: &[String], ctx: &mut Ctx) -> i32 {
    let bb = ctx.busybox();
    let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if names.is_empty() {
        return 1;
    }
    let mut rc = 0;
    for n in names {
        let found = if n.contains('/') {
            let p = ctx.path(n);
            ctx.host.fs().stat(&p).ok().filter(|s| !s.is_dir && s.mode & 0o111 != 0).map(|_| n.clone())
        } else {
            command_path(n, bb, host_command(n, bb))
        };
        match found {
            Some(p) => ctx.outs(&format!("{p}\n")),
            None => rc = 1,
        }
    }
    rc
}

/// `type` and `command -v`/`-V`.
pub(crate) fn type_cmd(name: &str, args: &[String], ctx: &mut Ctx) -> i32 {
    let bb = ctx.busybox();
    let verbose = name == "type" || args.iter().any(|a| a == "-V");
    let names: Vec<String> = args.iter().filter(|a| !a.starts_with('-')).cloned().collect();
    let mut rc = 0;
    for n in names {
        let alias = ctx.sh.aliases.get(&n).cloned();
        let func = ctx.sh.funcs.contains_key(&n);
        let s = if let Some(a) = alias {
            if verbose {
                format!("{n} is aliased to `{a}'\n")
            } else {
                format!("alias {n}='{a}'\n")
            }
        } else if func {
            if verbose {
                format!("{n} is a function\n")
            } else {
                format!("{n}\n")
            }
        } else if SHELL_ONLY.contains(&n.as_str())
            || matches!(n.as_str(), "echo" | "printf" | "test" | "[" | "true" | "false" | "pwd" | "kill")
        {
            if verbose {
                format!("{n} is a shell builtin\n")
            } else {
                format!("{n}\n")
            }
        } else if let Some(p) = command_path(&n, bb, host_command(&n, bb)) {
            if verbose {
                format!("{n} is {p}\n")
            } else {
                format!("{p}\n")
            }
        } else {
            if verbose {
                ctx.errs(&if bb { format!("{n}: not found\n") } else { format!("bash: type: {n}: not found\n") });
            }
            rc = 1;
            continue;
        };
        ctx.outs(&s);
    }
    rc
}

pub(crate) fn history(args: &[String], ctx: &mut Ctx) -> i32 {
    if ctx.busybox() {
        ctx.errs("sh: history: not found\n");
        return 127;
    }
    if args.first().map(String::as_str) == Some("-c") {
        ctx.sh.history_clear();
        return 0;
    }
    let all = ctx.sh.history();
    let n = args.first().and_then(|a| a.parse::<usize>().ok()).unwrap_or(all.len());
    let mut s = String::new();
    for (i, h) in all.iter().enumerate().skip(all.len().saturating_sub(n)) {
        let _ = writeln!(s, "{:>5}  {h}", i + 1);
    }
    ctx.outs(&s);
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decoding_like_gnu() {
        assert_eq!(b64_decode_gnu(b"aGVsbG8K", false), (b"hello\n".to_vec(), true));
        assert_eq!(b64_decode_gnu(b"YWJj\nZGVm\n", false), (b"abcdef".to_vec(), true));
        assert_eq!(b64_decode_gnu(b"YWI", false), (b"ab".to_vec(), false));
        assert_eq!(b64_decode_gnu(b"YW Jj", false), (b"a".to_vec(), false));
        assert_eq!(b64_decode_gnu(b"YWJj=YWJj", false), (b"abc".to_vec(), false));
        assert_eq!(b64_decode_gnu(b"YQ==\n", false), (b"a".to_vec(), true));
    }

    #[test]
    fn normal_diff_like_gnu() {
        assert_eq!(normal_diff("a\nb\nc\n", "a\nB\nc\nd\n"), "2c2\n< b\n---\n> B\n3a4\n> d\n");
        assert_eq!(normal_diff("a\nb\nc\n", "x\n"), "1,3c1\n< a\n< b\n< c\n---\n> x\n");
        assert_eq!(normal_diff("a\nb\n", "b\n"), "1d0\n< a\n");
        assert_eq!(normal_diff("a", "a\nb\nc\n"), "1c1,3\n< a\n\\ No newline at end of file\n---\n> a\n> b\n> c\n");
    }
}
