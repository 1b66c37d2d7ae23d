//! Busybox-sized builtins (sleep, echo, printf, date, cat, ls, grep, test...) with
//! busybox's output and error texts, plus the shell-state builtins (cd, export, alias...).
//! Network tools live in `net.rs`.

use std::fmt::Write as _;

use brush_parser::ast::{BinaryPredicate, UnaryPredicate};

use super::interp::{Input, Shell};
use super::vfs::Stat;
use super::{Flavor, Host};

/// What a builtin gets: the host, the shell state, its stdin, and buffers for its output.
pub(crate) struct Ctx<'a> {
    pub host: &'a mut dyn Host,
    pub sh: &'a mut Shell,
    pub stdin: Option<&'a mut Input>,
    pub out: Vec<u8>,
    pub err: Vec<u8>,
    /// What was written before the last [`Ctx::sync`], in write order.
    pub ordered: super::ExtIo,
    pub now: u64,
}

/// How a builtin finished.
pub(crate) enum Outcome {
    Done(i32),
    /// Block until `until` (None: forever), then print `out`/`err` and finish with `status`.
    Wait {
        until: Option<u64>,
        out: Vec<u8>,
        err: Vec<u8>,
        status: i32,
    },
    /// Run this script in the current shell (used by `sh` without `-c` reading stdin).
    #[allow(dead_code)]
    Script(String),
}

impl Ctx<'_> {
    /// Fixes the order of what was written so far (stdout, then stderr): a tool that
    /// prints results and then an error about a later file calls this in between.
    pub fn sync(&mut self) {
        let out = std::mem::take(&mut self.out);
        let err = std::mem::take(&mut self.err);
        self.ordered.out(&out);
        self.ordered.err(&err);
    }
    pub fn outs(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }
    pub fn errs(&mut self, s: &str) {
        self.err.extend_from_slice(s.as_bytes());
    }
    pub(crate) fn stdin_all(&mut self) -> Vec<u8> {
        self.stdin.as_mut().map(|i| i.rest()).unwrap_or_default()
    }
    pub(crate) fn path(&self, p: &str) -> String {
        self.sh.resolve(p)
    }
    /// Reads a file argument (`-` is stdin), as the applets do.
    pub(crate) fn read_arg(&mut self, name: &str) -> Result<Vec<u8>, super::FsError> {
        if name == "-" {
            return Ok(self.stdin_all());
        }
        if name == "/dev/null" {
            return Ok(vec![]);
        }
        if let Some(d) = self.sh.procsubs.get(name) {
            return Ok(d.clone());
        }
        let p = self.path(name);
        self.host.fs().read(&p)
    }
    /// Contents of the file arguments, or stdin when there are none; errors are printed
    /// with `fmt_err(name, error)` and reported through the returned flag.
    pub(crate) fn inputs(
        &mut self,
        files: &[String],
        fmt_err: impl Fn(&str, &super::FsError) -> String,
    ) -> (Vec<u8>, bool) {
        if files.is_empty() {
            return (self.stdin_all(), true);
        }
        let mut all = Vec::new();
        let mut ok = true;
        for f in files {
            match self.read_arg(f) {
                Ok(d) => all.extend(d),
                Err(e) => {
                    let m = fmt_err(f, &e);
                    self.errs(&m);
                    ok = false;
                }
            }
        }
        (all, ok)
    }
    pub(crate) fn busybox(&self) -> bool {
        self.sh.flavor == Flavor::Busybox
    }
}

/// Splits leading `-xyz` flags (stopping at `--` or the first operand).
fn flags(args: &[String]) -> (String, Vec<String>) {
    let mut f = String::new();
    let mut rest = Vec::new();
    let mut done = false;
    for a in args {
        if !done && a == "--" {
            done = true;
        } else if !done && a.len() > 1 && a.starts_with('-') && !a[1..].starts_with(|c: char| c.is_ascii_digit()) {
            f.push_str(&a[1..]);
        } else {
            done = true;
            rest.push(a.clone());
        }
    }
    (f, rest)
}

fn lines(data: &[u8]) -> Vec<String> {
    let s = String::from_utf8_lossy(data);
    let mut v: Vec<String> = s.split('\n').map(String::from).collect();
    if v.last().map(|l| l.is_empty()).unwrap_or(false) {
        v.pop();
    }
    v
}

fn join_lines(v: &[String]) -> String {
    let mut s = String::new();
    for l in v {
        s.push_str(l);
        s.push('\n');
    }
    s
}

/// Parses `-n N` / `-nN` / `-N` for head and tail; returns (count, from_start for `+N`).
fn count_opt(args: &[String]) -> (i64, bool, Vec<String>) {
    let mut n = 10;
    let mut plus = false;
    let mut rest = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let v = if a == "-n" {
            i += 1;
            args.get(i).cloned()
        } else if let Some(v) = a.strip_prefix("-n") {
            Some(v.to_string())
        } else if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| c.is_ascii_digit()) {
            Some(a[1..].to_string())
        } else {
            rest.push(a.clone());
            None
        };
        if let Some(v) = v {
            plus = v.starts_with('+');
            n = v.trim_start_matches('+').parse().unwrap_or(10);
        }
        i += 1;
    }
    (n, plus, rest)
}

/// Parses a sleep duration in milliseconds: `5`, `0.01`, `10s`, `5m`, `2h`, `1d`,
/// `infinity` (None).
pub(crate) fn parse_duration(s: &str) -> Option<Option<u64>> {
    if s == "infinity" || s == "inf" {
        return Some(None);
    }
    let (num, mult) = match s.char_indices().last()? {
        (i, 's') => (&s[..i], 1.0),
        (i, 'm') => (&s[..i], 60.0),
        (i, 'h') => (&s[..i], 3600.0),
        (i, 'd') => (&s[..i], 86400.0),
        _ => (s, 1.0),
    };
    let v: f64 = num.parse().ok()?;
    if v.is_nan() || v < 0.0 || !v.is_finite() {
        return None;
    }
    Some(Some((v * mult * 1000.0).ceil().min(u64::MAX as f64) as u64))
}

fn date_string(now: u64, fmt: &str) -> Option<String> {
    use chrono::TimeZone;
    let dt = chrono::Utc.timestamp_opt(now as i64, 0).single()?;
    let mut s = String::new();
    write!(s, "{}", dt.format(fmt)).ok()?;
    Some(s)
}

fn echo_escape(s: &str, out: &mut String) -> bool {
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\x07'),
            Some('b') => out.push('\x08'),
            Some('e') => out.push('\x1b'),
            Some('\\') => out.push('\\'),
            Some('c') => return false,
            Some('0') => {
                let mut v = 0u32;
                for _ in 0..3 {
                    match it.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            it.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(v).unwrap_or('?'));
            }
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    true
}

fn printf(fmt: &str, args: &[String]) -> String {
    let mut out = String::new();
    let mut ai = 0;
    loop {
        let f: Vec<char> = fmt.chars().collect();
        let mut i = 0;
        while i < f.len() {
            let c = f[i];
            if c == '\\' {
                let mut s = String::new();
                let esc: String = f[i..(i + 2).min(f.len())].iter().collect();
                echo_escape(&esc, &mut s);
                out.push_str(&s);
                i += 2;
                continue;
            }
            if c != '%' {
                out.push(c);
                i += 1;
                continue;
            }
            if f.get(i + 1) == Some(&'%') {
                out.push('%');
                i += 2;
                continue;
            }
            let start = i;
            i += 1;
            while i < f.len() && "-+ 0#.0123456789".contains(f[i]) {
                i += 1;
            }
            let spec: String = f[start + 1..i].iter().collect();
            let conv = f.get(i).copied().unwrap_or('s');
            i += 1;
            let arg = args.get(ai).cloned().unwrap_or_default();
            ai += 1;
            let left = spec.starts_with('-');
            let zero = spec.starts_with('0');
            let (w, prec) = match spec.trim_start_matches(['-', '+', ' ', '0', '#']).split_once('.') {
                Some((w, p)) => (w.parse::<usize>().unwrap_or(0), p.parse::<usize>().ok()),
                None => (spec.trim_start_matches(['-', '+', ' ', '0', '#']).parse::<usize>().unwrap_or(0), None),
            };
            let body = match conv {
                'd' | 'i' | 'u' => arg.trim().parse::<i64>().unwrap_or(0).to_string(),
                'x' => format!("{:x}", arg.trim().parse::<i64>().unwrap_or(0)),
                'X' => format!("{:X}", arg.trim().parse::<i64>().unwrap_or(0)),
                'o' => format!("{:o}", arg.trim().parse::<i64>().unwrap_or(0)),
                'f' => format!("{:.*}", prec.unwrap_or(6), arg.trim().parse::<f64>().unwrap_or(0.0)),
                'c' => arg.chars().next().map(String::from).unwrap_or_default(),
                'b' => {
                    let mut s = String::new();
                    echo_escape(&arg, &mut s);
                    s
                }
                _ => match prec {
                    Some(p) => arg.chars().take(p).collect(),
                    None => arg,
                },
            };
            let pad = w.saturating_sub(body.chars().count());
            if left {
                out.push_str(&body);
                out.push_str(&" ".repeat(pad));
            } else if zero && conv != 's' {
                let (sign, digits) = body.strip_prefix('-').map(|d| ("-", d)).unwrap_or(("", &body));
                out.push_str(sign);
                out.push_str(&"0".repeat(pad));
                out.push_str(digits);
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(&body);
            }
        }
        if ai == 0 || ai >= args.len() {
            break;
        }
    }
    out
}

/// `test` unary predicates over a string and an optional stat of it as a path.
pub(crate) fn unary_test(p: &UnaryPredicate, v: &str, stat: &mut dyn FnMut(&str) -> Option<Stat>, sh: &Shell) -> bool {
    use UnaryPredicate as U;
    match p {
        U::StringHasZeroLength => v.is_empty(),
        U::StringHasNonZeroLength => !v.is_empty(),
        U::ShellVariableIsSetAndAssigned => sh.get(v).is_some(),
        U::FileExists | U::FileExistsAndIsReadable => stat(v).is_some(),
        U::FileExistsAndIsWritable => stat(v).is_some(),
        U::FileExistsAndIsExecutable => stat(v).map(|s| s.is_dir || s.mode & 0o111 != 0).unwrap_or(false),
        U::FileExistsAndIsDir => stat(v).map(|s| s.is_dir).unwrap_or(false),
        U::FileExistsAndIsRegularFile => stat(v).map(|s| !s.is_dir).unwrap_or(false),
        U::FileExistsAndIsNotZeroLength => stat(v).map(|s| s.size > 0).unwrap_or(false),
        U::FileExistsAndIsSymlink => false,
        U::FdIsOpenTerminal => false,
        _ => stat(v).is_some(),
    }
}

pub(crate) fn binary_test(p: &BinaryPredicate, l: &str, r: &str) -> bool {
    use BinaryPredicate as B;
    let n = |s: &str| s.trim().parse::<i64>().unwrap_or(0);
    match p {
        B::StringExactlyMatchesString | B::StringExactlyMatchesPattern => l == r,
        B::StringDoesNotExactlyMatchString | B::StringDoesNotExactlyMatchPattern => l != r,
        B::StringContainsSubstring | B::StringMatchesRegex => l.contains(r),
        B::LeftSortsBeforeRight => l < r,
        B::LeftSortsAfterRight => l > r,
        B::ArithmeticEqualTo => n(l) == n(r),
        B::ArithmeticNotEqualTo => n(l) != n(r),
        B::ArithmeticLessThan => n(l) < n(r),
        B::ArithmeticLessThanOrEqualTo => n(l) <= n(r),
        B::ArithmeticGreaterThan => n(l) > n(r),
        B::ArithmeticGreaterThanOrEqualTo => n(l) >= n(r),
        _ => false,
    }
}

fn test_cmd(args: &[String], ctx: &mut Ctx) -> i32 {
    if args.is_empty() {
        return 1;
    }
    let Ok(expr) = brush_parser::test_command::parse(args) else {
        ctx.errs(&format!("{}: syntax error\n", if ctx.busybox() { "sh: test" } else { "bash: test" }));
        return 2;
    };
    i32::from(!eval_test(&expr, ctx))
}

fn eval_test(e: &brush_parser::ast::TestExpr, ctx: &mut Ctx) -> bool {
    use brush_parser::ast::TestExpr as T;
    match e {
        T::False => false,
        T::Literal(s) => !s.is_empty(),
        T::And(a, b) => eval_test(a, ctx) && eval_test(b, ctx),
        T::Or(a, b) => eval_test(a, ctx) || eval_test(b, ctx),
        T::Not(a) => !eval_test(a, ctx),
        T::Parenthesized(a) => eval_test(a, ctx),
        T::UnaryTest(p, v) => {
            let cwd = ctx.sh.cwd.clone();
            let host = &mut *ctx.host;
            let mut st = |p: &str| host.fs().stat(&super::vfs::resolve_path(&cwd, p)).ok();
            unary_test(p, v, &mut st, ctx.sh)
        }
        T::BinaryTest(p, l, r) => binary_test(p, l, r),
    }
}

/// Runs builtin `argv[0]`; `None` if there is no such builtin.
pub(crate) fn run(argv: &[String], ctx: &mut Ctx) -> Option<Outcome> {
    let name = argv.first()?.rsplit('/').next().unwrap_or("").to_string();
    let args = &argv[1..];
    let bb = ctx.busybox();
    let code = match name.as_str() {
        ":" | "true" | "complete" | "shopt" | "hash" | "ulimit" | "trap" | "umask" | "sync" => 0,
        "false" => 1,
        "sleep" => {
            if args.is_empty() {
                ctx.errs(if bb {
                    "sleep: missing operand\n"
                } else {
                    "sleep: missing operand\nTry 'sleep --help' for more information.\n"
                });
                return Some(Outcome::Done(1));
            }
            let mut total_ms = 0u64;
            for a in args {
                match parse_duration(a) {
                    Some(Some(ms)) => total_ms = total_ms.saturating_add(ms),
                    Some(None) => return Some(Outcome::Wait { until: None, out: vec![], err: vec![], status: 0 }),
                    None => {
                        ctx.errs(&if bb {
                            format!("sleep: invalid number '{a}'\n")
                        } else {
                            format!("sleep: invalid time interval '{a}'\n")
                        });
                        return Some(Outcome::Done(1));
                    }
                }
            }
            // The clock moves in whole seconds. Sub-second sleeps add up in the shell, which
            // sleeps through the tick only once they make a whole second: a loop of
            // `sleep 0.01` runs about a hundred times a simulated second, as it would for real.
            let mut total = total_ms / 1000;
            ctx.sh.subsec_ms += total_ms % 1000;
            if ctx.sh.subsec_ms >= 1000 {
                ctx.sh.subsec_ms -= 1000;
                total += 1;
            }
            if total == 0 {
                return Some(Outcome::Done(0));
            }
            return Some(Outcome::Wait {
                until: Some(ctx.now.saturating_add(total)),
                out: vec![],
                err: vec![],
                status: 0,
            });
        }
        "echo" => {
            let mut nl = true;
            let mut esc = false;
            let mut i = 0;
            while let Some(a) = args.get(i) {
                if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| "neE".contains(c)) {
                    nl &= !a.contains('n');
                    if a.contains('e') {
                        esc = true;
                    }
                    if a.contains('E') {
                        esc = false;
                    }
                    i += 1;
                } else {
                    break;
                }
            }
            let text = args[i..].join(" ");
            let mut s = String::new();
            let mut cont = true;
            if esc {
                cont = echo_escape(&text, &mut s);
            } else {
                s = text;
            }
            if nl && cont {
                s.push('\n');
            }
            ctx.outs(&s);
            0
        }
        "printf" => {
            let Some(fmt) = args.first() else {
                ctx.errs("printf: usage: printf format [arguments]\n");
                return Some(Outcome::Done(2));
            };
            let s = printf(fmt, &args[1..]);
            ctx.outs(&s);
            0
        }
        "date" => {
            let mut fmt = "%a %b %e %H:%M:%S UTC %Y".to_string();
            for a in args {
                match a.as_str() {
                    "-u" | "--utc" => {}
                    "-I" | "-Idate" | "--iso-8601" => fmt = "%Y-%m-%d".into(),
                    "-Iseconds" => fmt = "%Y-%m-%dT%H:%M:%S+00:00".into(),
                    "-R" => fmt = "%a, %d %b %Y %H:%M:%S +0000".into(),
                    f if f.starts_with('+') => fmt = f[1..].to_string(),
                    other => {
                        ctx.errs(&format!("date: invalid date '{other}'\n"));
                        return Some(Outcome::Done(1));
                    }
                }
            }
            match date_string(ctx.now, &fmt) {
                Some(s) => {
                    ctx.outs(&s);
                    ctx.outs("\n");
                    0
                }
                None => 1,
            }
        }
        "cat" => {
            let (_, files) = flags(args);
            let (data, ok) = ctx.inputs(&files, |f, e| {
                if bb {
                    format!("cat: can't open '{f}': {e}\n")
                } else {
                    format!("cat: {f}: {e}\n")
                }
            });
            ctx.out.extend(data);
            i32::from(!ok)
        }
        "touch" => {
            let (_, files) = flags(args);
            let mut rc = 0;
            for f in files {
                let p = ctx.path(&f);
                let now = ctx.now;
                let fs = ctx.host.fs();
                let r = if fs.exists(&p) { fs.set_mtime(&p, now) } else { fs.write(&p, b"", true, now) };
                if let Err(e) = r {
                    let m = if bb { format!("touch: {f}: {e}\n") } else { format!("touch: cannot touch '{f}': {e}\n") };
                    ctx.errs(&m);
                    rc = 1;
                }
            }
            rc
        }
        "rm" => {
            let (fl, files) = flags(args);
            let force = fl.contains('f');
            let rec = fl.contains('r') || fl.contains('R');
            let mut rc = 0;
            for f in files {
                let p = ctx.path(&f);
                let r = remove_path(ctx.host, &p, rec);
                match r {
                    Ok(()) => {}
                    Err(super::FsError::NotFound) if force => {}
                    Err(e) => {
                        let e = if e == super::FsError::NotEmpty || (e == super::FsError::IsDir) {
                            super::FsError::IsDir
                        } else {
                            e
                        };
                        ctx.errs(&if bb {
                            format!("rm: can't remove '{f}': {e}\n")
                        } else {
                            format!("rm: cannot remove '{f}': {e}\n")
                        });
                        rc = 1;
                    }
                }
            }
            rc
        }
        "mkdir" => {
            let (fl, dirs) = flags(args);
            let parents = fl.contains('p');
            let mut rc = 0;
            for d in dirs {
                let p = ctx.path(&d);
                let now = ctx.now;
                let r = if parents { mkdir_p(ctx.host, &p, now) } else { ctx.host.fs().mkdir(&p, now) };
                if let Err(e) = r {
                    ctx.errs(&if bb {
                        format!("mkdir: can't create directory '{d}': {e}\n")
                    } else {
                        format!("mkdir: cannot create directory '{d}': {e}\n")
                    });
                    rc = 1;
                }
            }
            rc
        }
        "rmdir" => {
            let (_, dirs) = flags(args);
            let mut rc = 0;
            for d in dirs {
                let p = ctx.path(&d);
                let r = if ctx.host.fs().is_dir(&p) {
                    ctx.host.fs().remove(&p)
                } else if ctx.host.fs().exists(&p) {
                    Err(super::FsError::NotDir)
                } else {
                    Err(super::FsError::NotFound)
                };
                if let Err(e) = r {
                    ctx.errs(&format!("rmdir: '{d}': {e}\n"));
                    rc = 1;
                }
            }
            rc
        }
        "ls" => ls(args, ctx),
        "cp" | "mv" => {
            let (fl, ops) = flags(args);
            if ops.len() < 2 {
                ctx.errs(&format!("{name}: missing file operand\n"));
                return Some(Outcome::Done(1));
            }
            let dest = ctx.path(&ops[ops.len() - 1]);
            let dest_dir = ctx.host.fs().is_dir(&dest);
            let mut rc = 0;
            for src in &ops[..ops.len() - 1] {
                let sp = ctx.path(src);
                let target = if dest_dir {
                    format!("{}/{}", dest.trim_end_matches('/'), sp.rsplit('/').next().unwrap_or(""))
                } else {
                    dest.clone()
                };
                let now = ctx.now;
                let r = copy_tree(
                    ctx.host,
                    &sp,
                    &target,
                    fl.contains('r') || fl.contains('R') || fl.contains('a') || name == "mv",
                    now,
                )
                .and_then(|_| if name == "mv" { remove_path(ctx.host, &sp, true) } else { Ok(()) });
                if let Err(e) = r {
                    let verb = if name == "mv" { "rename" } else { "stat" };
                    ctx.errs(&format!("{name}: can't {verb} '{src}': {e}\n"));
                    rc = 1;
                }
            }
            rc
        }
        "head" | "tail" => {
            let (n, plus, files) = count_opt(args);
            let (data, ok) = ctx.inputs(&files, |f, e| format!("{name}: can't open '{f}': {e}\n"));
            let ls = lines(&data);
            let n = n.max(0) as usize;
            let sel: Vec<String> = if name == "head" {
                ls.into_iter().take(n).collect()
            } else if plus {
                ls.into_iter().skip(n.saturating_sub(1)).collect()
            } else {
                let skip = ls.len().saturating_sub(n);
                ls.into_iter().skip(skip).collect()
            };
            ctx.outs(&join_lines(&sel));
            i32::from(!ok)
        }
        "wc" => super::tools::wc(args, ctx),
        "grep" | "egrep" | "fgrep" => super::grep::grep(&name, args, ctx),
        "sed" => super::sed::sed(args, ctx),
        "awk" => super::awk::awk(args, ctx),
        "base64" => super::tools::base64(args, ctx),
        "find" => super::tools::find(args, ctx),
        "diff" => super::tools::diff(args, ctx),
        "which" => super::tools::which(args, ctx),
        "history" if !bb => super::tools::history(args, ctx),
        "cut" => {
            let mut delim = '\t';
            let mut fields = String::new();
            let mut chars = String::new();
            let mut files = Vec::new();
            let mut i = 0;
            while i < args.len() {
                let a = &args[i];
                let mut val = |flag: &str| -> Option<String> {
                    if a == flag {
                        i += 1;
                        args.get(i).cloned()
                    } else {
                        a.strip_prefix(flag).map(String::from)
                    }
                };
                if let Some(d) = val("-d") {
                    delim = d.chars().next().unwrap_or('\t');
                } else if let Some(f) = val("-f") {
                    fields = f;
                } else if let Some(c) = val("-c") {
                    chars = c;
                } else {
                    files.push(a.clone());
                }
                i += 1;
            }
            let (data, ok) = ctx.inputs(&files, |f, e| format!("cut: can't open '{f}': {e}\n"));
            let spec = if fields.is_empty() { &chars } else { &fields };
            let want = |k: usize| {
                spec.split(',').any(|r| match r.split_once('-') {
                    Some((a, b)) => {
                        let a = a.parse().unwrap_or(1);
                        let b = b.parse().unwrap_or(usize::MAX);
                        k >= a && k <= b
                    }
                    None => r.parse::<usize>().map(|v| v == k).unwrap_or(false),
                })
            };
            let mut out = Vec::new();
            for l in lines(&data) {
                if fields.is_empty() {
                    out.push(l.chars().enumerate().filter(|(i, _)| want(i + 1)).map(|(_, c)| c).collect());
                } else if !l.contains(delim) {
                    out.push(l);
                } else {
                    let parts: Vec<&str> =
                        l.split(delim).enumerate().filter(|(i, _)| want(i + 1)).map(|(_, p)| p).collect();
                    out.push(parts.join(&delim.to_string()));
                }
            }
            ctx.outs(&join_lines(&out));
            i32::from(!ok)
        }
        "sort" => {
            let (fl, files) = flags(args);
            let (data, ok) = ctx.inputs(&files, |f, e| format!("sort: can't open '{f}': {e}\n"));
            let mut ls = lines(&data);
            if fl.contains('n') {
                let key = |s: &String| {
                    s.trim()
                        .split(|c: char| !c.is_ascii_digit() && c != '-')
                        .next()
                        .and_then(|n| n.parse::<i64>().ok())
                        .unwrap_or(0)
                };
                ls.sort_by(|a, b| key(a).cmp(&key(b)).then(a.cmp(b)));
            } else {
                ls.sort();
            }
            if fl.contains('r') {
                ls.reverse();
            }
            if fl.contains('u') {
                ls.dedup();
            }
            ctx.outs(&join_lines(&ls));
            i32::from(!ok)
        }
        "uniq" => {
            let (fl, files) = flags(args);
            let (data, ok) = ctx.inputs(&files, |f, e| format!("uniq: can't open '{f}': {e}\n"));
            let mut groups: Vec<(String, usize)> = Vec::new();
            for l in lines(&data) {
                match groups.last_mut() {
                    Some((g, n)) if *g == l => *n += 1,
                    _ => groups.push((l, 1)),
                }
            }
            let mut out = String::new();
            for (l, n) in groups {
                if fl.contains('d') && n < 2 || fl.contains('u') && n > 1 {
                    continue;
                }
                if fl.contains('c') {
                    let _ = writeln!(out, "{n:>7} {l}");
                } else {
                    out.push_str(&l);
                    out.push('\n');
                }
            }
            ctx.outs(&out);
            i32::from(!ok)
        }
        "tr" => super::tools::tr(args, ctx),
        "tee" => {
            let (fl, files) = flags(args);
            let data = ctx.stdin_all();
            let mut rc = 0;
            for f in files {
                let p = ctx.path(&f);
                let now = ctx.now;
                if let Err(e) = ctx.host.fs().write(&p, &data, fl.contains('a'), now) {
                    ctx.errs(&format!("tee: {f}: {e}\n"));
                    rc = 1;
                }
            }
            ctx.out.extend(data);
            rc
        }
        "seq" => {
            let n: Vec<i64> = args.iter().filter_map(|a| a.parse().ok()).collect();
            let (a, step, b) = match n.as_slice() {
                [b] => (1, 1, *b),
                [a, b] => (*a, 1, *b),
                [a, s, b] => (*a, *s, *b),
                _ => {
                    ctx.errs("seq: invalid argument\n");
                    return Some(Outcome::Done(1));
                }
            };
            let mut s = String::new();
            let mut v = a;
            let mut count = 0;
            while step != 0 && ((step > 0 && v <= b) || (step < 0 && v >= b)) && count < 1_000_000 {
                let _ = writeln!(s, "{v}");
                count += 1;
                match v.checked_add(step) {
                    Some(n) => v = n,
                    None => break,
                }
            }
            ctx.outs(&s);
            0
        }
        "expr" => expr(args, ctx),
        "basename" => {
            let p = args.first().cloned().unwrap_or_default();
            let mut b = p.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string();
            if let Some(sfx) = args.get(1) {
                if b.len() > sfx.len() {
                    if let Some(s) = b.strip_suffix(sfx.as_str()) {
                        b = s.to_string();
                    }
                }
            }
            ctx.outs(&format!("{b}\n"));
            0
        }
        "dirname" => {
            let p = args.first().cloned().unwrap_or_default();
            let t = p.trim_end_matches('/');
            let d = match t.rfind('/') {
                Some(0) => "/".to_string(),
                Some(i) => t[..i].to_string(),
                None => ".".to_string(),
            };
            ctx.outs(&format!("{d}\n"));
            0
        }
        "env" | "printenv" => {
            if name == "printenv" && !args.is_empty() {
                let mut rc = 0;
                for a in args {
                    match ctx.sh.vars.get(a).filter(|v| v.exported) {
                        Some(v) => {
                            let s = format!("{}\n", v.value);
                            ctx.outs(&s);
                        }
                        None => rc = 1,
                    }
                }
                return Some(Outcome::Done(rc));
            }
            let mut s = String::new();
            for (k, v) in ctx.sh.env() {
                let _ = writeln!(s, "{k}={v}");
            }
            ctx.outs(&s);
            0
        }
        "export" => {
            if args.is_empty() || args[0] == "-p" {
                let mut s = String::new();
                for (k, v) in ctx.sh.env() {
                    let _ = writeln!(s, "export {k}='{v}'");
                }
                ctx.outs(&s);
            }
            for a in args.iter().filter(|a| !a.starts_with('-')) {
                match a.split_once('=') {
                    Some((k, v)) => ctx.sh.export(k, Some(v.to_string())),
                    None => ctx.sh.export(a, None),
                }
            }
            0
        }
        "local" | "readonly" | "declare" | "typeset" => {
            for a in args.iter().filter(|a| !a.starts_with('-')) {
                match a.split_once('=') {
                    Some((k, v)) => ctx.sh.set(k, v.to_string()),
                    None => {
                        if ctx.sh.get(a).is_none() {
                            ctx.sh.set(a, String::new())
                        }
                    }
                }
            }
            0
        }
        "unset" => {
            for a in args.iter().filter(|a| !a.starts_with('-')) {
                ctx.sh.vars.remove(a);
                if args.iter().any(|x| x == "-f") {
                    ctx.sh.funcs.remove(a);
                }
            }
            0
        }
        "set" => {
            let ops: Vec<String> =
                args.iter().skip_while(|a| a.starts_with('-') || a.starts_with('+')).cloned().collect();
            if args.iter().any(|a| a == "--") || !ops.is_empty() {
                ctx.sh.positional = args.iter().skip_while(|a| *a != "--").skip(1).cloned().collect();
                if !args.iter().any(|a| a == "--") {
                    ctx.sh.positional = ops;
                }
            } else if args.is_empty() {
                let mut s = String::new();
                for (k, v) in &ctx.sh.vars {
                    let _ = writeln!(s, "{k}='{}'", v.value);
                }
                ctx.outs(&s);
            }
            0
        }
        "shift" => {
            let n = args.first().and_then(|a| a.parse::<usize>().ok()).unwrap_or(1);
            if n > ctx.sh.positional.len() {
                1
            } else {
                ctx.sh.positional.drain(..n);
                0
            }
        }
        "read" => {
            let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
            let line = ctx.stdin.as_mut().and_then(|i| i.line());
            let Some(line) = line else {
                for n in &names {
                    ctx.sh.set(n, String::new());
                }
                return Some(Outcome::Done(1));
            };
            if names.is_empty() {
                ctx.sh.set("REPLY", line);
            } else {
                let mut words: Vec<&str> = line.split_whitespace().collect();
                for (i, n) in names.iter().enumerate() {
                    if i + 1 == names.len() {
                        let rest = words.join(" ");
                        ctx.sh.set(n, rest);
                        words.clear();
                    } else if !words.is_empty() {
                        let w = words.remove(0).to_string();
                        ctx.sh.set(n, w);
                    } else {
                        ctx.sh.set(n, String::new());
                    }
                }
            }
            0
        }
        "test" => test_cmd(args, ctx),
        "[" => {
            if args.last().map(|a| a != "]").unwrap_or(true) {
                ctx.errs(if bb { "sh: missing ]\n" } else { "bash: [: missing `]'\n" });
                2
            } else {
                test_cmd(&args[..args.len() - 1], ctx)
            }
        }
        "cd" => {
            let target = match args.first().map(String::as_str) {
                None | Some("~") => ctx.sh.get("HOME").unwrap_or("/root").to_string(),
                Some("-") => ctx.sh.get("OLDPWD").unwrap_or("/").to_string(),
                Some(d) => d.to_string(),
            };
            let p = ctx.path(&target);
            match ctx.host.fs().stat(&p) {
                Ok(s) if s.is_dir => {
                    let old = std::mem::replace(&mut ctx.sh.cwd, p.clone());
                    ctx.sh.set("OLDPWD", old);
                    ctx.sh.set("PWD", p);
                    0
                }
                r => {
                    let e = match r {
                        Ok(_) => super::FsError::NotDir,
                        Err(e) => e,
                    };
                    ctx.errs(&if bb {
                        format!("sh: cd: can't cd to {target}: {e}\n")
                    } else {
                        format!("bash: cd: {target}: {e}\n")
                    });
                    if bb {
                        2
                    } else {
                        1
                    }
                }
            }
        }
        "pwd" => {
            let s = format!("{}\n", ctx.sh.cwd);
            ctx.outs(&s);
            0
        }
        "id" => {
            let u = ctx.host.user();
            let (fl, _) = flags(args);
            let name_of = |id: u32, n: &Option<String>| match n {
                Some(n) => format!("{id}({n})"),
                None => id.to_string(),
            };
            let s = if fl.contains('u') {
                if fl.contains('n') {
                    u.name.clone().unwrap_or(u.uid.to_string())
                } else {
                    u.uid.to_string()
                }
            } else if fl.contains('g') {
                u.gid.to_string()
            } else {
                let mut s = format!("uid={} gid={}", name_of(u.uid, &u.name), name_of(u.gid, &u.group));
                // The runtime always adds the primary group to the supplementary ones
                // (containerd's ensureAdditionalGids), and the kernel keeps that list
                // sorted, which is the order getgroups() gives back.
                let mut gids: Vec<u32> = u.groups.clone();
                gids.push(u.gid);
                gids.sort_unstable();
                gids.dedup();
                let groups: Vec<String> =
                    gids.iter().map(|g| if *g == u.gid { name_of(*g, &u.group) } else { g.to_string() }).collect();
                let _ = write!(s, " groups={}", groups.join(","));
                s
            };
            ctx.outs(&format!("{s}\n"));
            0
        }
        "whoami" => {
            let u = ctx.host.user();
            match u.name {
                Some(n) => {
                    ctx.outs(&format!("{n}\n"));
                    0
                }
                None => {
                    ctx.errs(&format!("whoami: unknown uid {}\n", u.uid));
                    1
                }
            }
        }
        "hostname" => {
            let h = ctx.host.hostname();
            ctx.outs(&format!("{h}\n"));
            0
        }
        "uname" => {
            let (fl, _) = flags(args);
            let h = ctx.host.hostname();
            let s = if fl.contains('a') {
                format!("Linux {h} 6.8.0-kubedojo #1 SMP PREEMPT_DYNAMIC x86_64 GNU/Linux")
            } else if fl.contains('r') {
                "6.8.0-kubedojo".to_string()
            } else if fl.contains('n') {
                h
            } else if fl.contains('m') {
                "x86_64".to_string()
            } else {
                "Linux".to_string()
            };
            ctx.outs(&format!("{s}\n"));
            0
        }
        "kill" => 0,
        "alias" => {
            if args.is_empty() {
                let mut s = String::new();
                for (k, v) in &ctx.sh.aliases {
                    let _ = writeln!(s, "alias {k}='{v}'");
                }
                ctx.outs(&s);
                return Some(Outcome::Done(0));
            }
            let mut rc = 0;
            for a in args {
                match a.split_once('=') {
                    Some((k, v)) => {
                        ctx.sh.aliases.insert(k.to_string(), v.to_string());
                    }
                    None => match ctx.sh.aliases.get(a) {
                        Some(v) => {
                            let s = format!("alias {a}='{v}'\n");
                            ctx.outs(&s);
                        }
                        None => {
                            ctx.errs(&format!("{}: alias: {a}: not found\n", ctx.sh.name()));
                            rc = 1;
                        }
                    },
                }
            }
            rc
        }
        "unalias" => {
            let mut rc = 0;
            for a in args {
                if a == "-a" {
                    ctx.sh.aliases.clear();
                } else if ctx.sh.aliases.remove(a).is_none() {
                    ctx.errs(&format!("{}: unalias: {a}: not found\n", ctx.sh.name()));
                    rc = 1;
                }
            }
            rc
        }
        "type" | "command" => super::tools::type_cmd(&name, args, ctx),
        "wget" => return Some(super::net::wget(args, ctx)),
        "curl" => return Some(super::net::curl(args, ctx)),
        "nc" => return Some(super::net::nc(args, ctx)),
        "nslookup" => return Some(super::net::nslookup(args, ctx)),
        _ => return None,
    };
    Some(Outcome::Done(code))
}

pub(crate) fn is_builtin(n: &str) -> bool {
    const NAMES: &[&str] = &[
        "sleep", "echo", "printf", "date", "cat", "touch", "rm", "mkdir", "rmdir", "ls", "cp", "mv", "head", "tail",
        "wc", "grep", "cut", "sort", "uniq", "tr", "tee", "seq", "expr", "env", "printenv", "export", "test", "[",
        "true", "false", "cd", "pwd", "id", "whoami", "hostname", "uname", "wget", "nc", "nslookup", "sh", "basename",
        "dirname", "kill", "egrep", "fgrep", "sed", "awk", "base64", "find", "diff", "which",
    ];
    NAMES.contains(&n)
}

fn remove_path(host: &mut dyn Host, p: &str, rec: bool) -> Result<(), super::FsError> {
    let fs = host.fs();
    if fs.is_dir(p) {
        if !rec {
            return Err(super::FsError::IsDir);
        }
        for n in fs.list(p)? {
            remove_path(host, &format!("{}/{n}", p.trim_end_matches('/')), true)?;
        }
        return host.fs().remove(p);
    }
    fs.remove(p)
}

fn mkdir_p(host: &mut dyn Host, p: &str, now: u64) -> Result<(), super::FsError> {
    let mut cur = String::new();
    for part in p.split('/').filter(|s| !s.is_empty()) {
        cur.push('/');
        cur.push_str(part);
        let fs = host.fs();
        match fs.stat(&cur) {
            Ok(s) if s.is_dir => {}
            Ok(_) => return Err(super::FsError::NotDir),
            Err(_) => fs.mkdir(&cur, now)?,
        }
    }
    Ok(())
}

fn copy_tree(host: &mut dyn Host, src: &str, dst: &str, rec: bool, now: u64) -> Result<(), super::FsError> {
    let fs = host.fs();
    let st = fs.stat(src)?;
    if st.is_dir {
        if !rec {
            return Err(super::FsError::IsDir);
        }
        if !fs.exists(dst) {
            fs.mkdir(dst, now)?;
        }
        for n in fs.list(src)? {
            copy_tree(host, &format!("{src}/{n}"), &format!("{dst}/{n}"), true, now)?;
        }
        return Ok(());
    }
    let d = fs.read(src)?;
    fs.write(dst, &d, false, now)
}

fn ls(args: &[String], ctx: &mut Ctx) -> i32 {
    let (fl, mut ops) = flags(args);
    let long = fl.contains('l');
    let all = fl.contains('a');
    if ops.is_empty() {
        ops.push(".".into());
    }
    let mut rc = 0;
    let multi = ops.len() > 1;
    let mut out = String::new();
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for o in &ops {
        let p = ctx.path(o);
        match ctx.host.fs().stat(&p) {
            Ok(s) if s.is_dir && !fl.contains('d') => dirs.push((o.clone(), p)),
            Ok(s) => files.push((o.clone(), s)),
            Err(e) => {
                ctx.errs(&if ctx.busybox() {
                    format!("ls: {o}: {e}\n")
                } else {
                    format!("ls: cannot access '{o}': {e}\n")
                });
                rc = if ctx.busybox() { 1 } else { 2 };
            }
        }
    }
    let fmt = |name: &str, s: &Stat, now: u64| -> String {
        if !long {
            return format!("{name}\n");
        }
        let mut perm = String::from(if s.is_dir { "d" } else { "-" });
        for shift in [6, 3, 0] {
            let b = (s.mode >> shift) & 7;
            perm.push(if b & 4 != 0 { 'r' } else { '-' });
            perm.push(if b & 2 != 0 { 'w' } else { '-' });
            perm.push(if b & 1 != 0 { 'x' } else { '-' });
        }
        let when = if now.saturating_sub(s.mtime_s) > 15_552_000 { "%b %e  %Y" } else { "%b %e %H:%M" };
        let t = date_string(s.mtime_s, when).unwrap_or_default();
        let user = if s.uid == 0 { "root".to_string() } else { s.uid.to_string() };
        let group = if s.gid == 0 { "root".to_string() } else { s.gid.to_string() };
        format!("{perm} {:>4} {user:<8} {group:<8} {:>9} {t} {name}\n", if s.is_dir { 2 } else { 1 }, s.size)
    };
    for (name, s) in &files {
        out.push_str(&fmt(name, s, ctx.now));
    }
    for (i, (name, p)) in dirs.iter().enumerate() {
        if multi {
            if i > 0 || !files.is_empty() {
                out.push('\n');
            }
            let _ = writeln!(out, "{name}:");
        }
        let mut names = ctx.host.fs().list(p).unwrap_or_default();
        if all {
            names.insert(0, "..".into());
            names.insert(0, ".".into());
        } else {
            names.retain(|n| !n.starts_with('.'));
        }
        if long {
            let mut total = 0;
            let mut body = String::new();
            for n in &names {
                let full = super::vfs::resolve_path(p, n);
                if let Ok(s) = ctx.host.fs().stat(&full) {
                    total += s.size.div_ceil(1024) * if s.is_dir { 4 } else { 1 };
                    body.push_str(&fmt(n, &s, ctx.now));
                }
            }
            let _ = writeln!(out, "total {total}");
            out.push_str(&body);
        } else {
            for n in names {
                out.push_str(&n);
                out.push('\n');
            }
        }
    }
    ctx.outs(&out);
    rc
}

fn expr(args: &[String], ctx: &mut Ctx) -> i32 {
    let n = |s: &str| s.parse::<i64>().ok();
    let res: Option<String> = match args {
        [a] => Some(a.clone()),
        [a, op, b] => match (op.as_str(), n(a), n(b)) {
            ("+", Some(x), Some(y)) => Some(x.wrapping_add(y).to_string()),
            ("-", Some(x), Some(y)) => Some(x.wrapping_sub(y).to_string()),
            ("*", Some(x), Some(y)) => Some(x.wrapping_mul(y).to_string()),
            ("/", Some(_), Some(0)) | ("%", Some(_), Some(0)) => {
                ctx.errs("expr: division by zero\n");
                return 2;
            }
            ("/", Some(x), Some(y)) => Some(x.wrapping_div(y).to_string()),
            ("%", Some(x), Some(y)) => Some(x.wrapping_rem(y).to_string()),
            ("<", Some(x), Some(y)) => Some(i64::from(x < y).to_string()),
            (">", Some(x), Some(y)) => Some(i64::from(x > y).to_string()),
            ("<=", Some(x), Some(y)) => Some(i64::from(x <= y).to_string()),
            (">=", Some(x), Some(y)) => Some(i64::from(x >= y).to_string()),
            ("=", _, _) => Some(i64::from(a == b).to_string()),
            ("!=", _, _) => Some(i64::from(a != b).to_string()),
            ("+" | "-" | "*" | "/" | "%" | "<" | ">" | "<=" | ">=", _, _) => {
                ctx.errs("expr: non-numeric argument\n");
                return 2;
            }
            _ => None,
        },
        [l, a] if l == "length" => Some(a.chars().count().to_string()),
        _ => None,
    };
    match res {
        Some(r) => {
            let zero = r == "0" || r.is_empty();
            ctx.outs(&format!("{r}\n"));
            i32::from(zero)
        }
        None => {
            ctx.errs("expr: syntax error\n");
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5"), Some(Some(5000)));
        assert_eq!(parse_duration("0.5"), Some(Some(500)));
        assert_eq!(parse_duration("0.01"), Some(Some(10)));
        assert_eq!(parse_duration("1d"), Some(Some(86_400_000)));
        assert_eq!(parse_duration("5m"), Some(Some(300_000)));
        assert_eq!(parse_duration("infinity"), Some(None));
        assert_eq!(parse_duration("x"), None);
        assert_eq!(parse_duration("-1"), None);
    }

    #[test]
    fn printf_formats() {
        assert_eq!(printf("%s=%03d|%-4s|\\n", &["a".into(), "7".into(), "b".into()]), "a=007|b   |\n");
        assert_eq!(printf("%s\\n", &["x".into(), "y".into()]), "x\ny\n");
    }
}
