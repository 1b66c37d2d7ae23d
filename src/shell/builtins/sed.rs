//! `sed`, the stream editor people use as a non-interactive `$EDITOR`
//! (`KUBE_EDITOR="sed -i 's/replicas: 1/replicas: 3/'" kubectl edit deploy web`) and in
//! container scripts: `-n`, `-e`, `-E`/`-r`, `-i[SUFFIX]`; addresses (line numbers, `$`,
//! `/regex/`, ranges, `!`); commands `s` (flags `g`, `p`, `I`, a number), `d`, `p`, `q`,
//! `=`, `y`, and GNU's one-line `a`, `i`, `c`. Basic regular expressions are translated to
//! the `regex` crate's syntax (no back-references in patterns).

use regex::{Regex, RegexBuilder};

use super::Ctx;

#[derive(Clone, Debug)]
enum Addr {
    Line(usize),
    Last,
    Re(Regex),
}

#[derive(Clone, Debug)]
enum Cmd {
    Subst { re: Regex, repl: String, global: bool, nth: usize, print: bool },
    Delete,
    Print,
    Quit,
    LineNo,
    Translate(Vec<char>, Vec<char>),
    Append(String),
    Insert(String),
    Change(String),
}

#[derive(Clone, Debug)]
struct Command {
    a1: Option<Addr>,
    a2: Option<Addr>,
    negate: bool,
    cmd: Cmd,
}

/// Translates a POSIX regular expression (basic unless `extended`) to `regex` syntax.
fn translate(re: &str, extended: bool) -> String {
    let c: Vec<char> = re.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut in_class = false;
    while i < c.len() {
        let ch = c[i];
        if in_class {
            if ch == ']' {
                in_class = false;
            }
            if ch == '[' && c.get(i + 1) == Some(&':') {
                // [:alpha:] and friends pass through.
                if let Some(end) = c[i..].iter().collect::<String>().find(":]") {
                    out.extend(&c[i..i + end + 2]);
                    i += end + 2;
                    continue;
                }
            }
            if ch == '\\' {
                out.push_str("\\\\");
            } else {
                out.push(ch);
            }
            i += 1;
            continue;
        }
        match ch {
            '[' => {
                in_class = true;
                out.push('[');
                // `[]...]` and `[^]...]`: a leading `]` is literal.
                if c.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if c.get(i + 1) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            '\\' if i + 1 < c.len() => {
                let n = c[i + 1];
                i += 1;
                match n {
                    '(' | ')' | '{' | '}' | '+' | '?' | '|' if !extended => out.push(n),
                    'n' => out.push_str("\\n"),
                    't' => out.push_str("\\t"),
                    'w' | 'W' | 's' | 'S' | 'b' | 'B' => {
                        out.push('\\');
                        out.push(n);
                    }
                    '<' | '>' => out.push_str("\\b"),
                    d if d.is_ascii_digit() => {
                        out.push('\\');
                        out.push(d);
                    }
                    other => out.push_str(&regex::escape(&other.to_string())),
                }
            }
            '(' | ')' | '{' | '}' | '+' | '?' | '|' if !extended => {
                out.push('\\');
                out.push(ch);
            }
            _ => out.push(ch),
        }
        i += 1;
    }
    out
}

fn compile(re: &str, extended: bool, icase: bool) -> Result<Regex, String> {
    RegexBuilder::new(&translate(re, extended))
        .case_insensitive(icase)
        .build()
        .map_err(|_| format!("sed: -e expression #1, char {}: Invalid preceding regular expression", re.len()))
}

/// Reads `delim`-terminated text starting at `i`; `\delim` is the delimiter itself.
fn until_delim(c: &[char], i: &mut usize, delim: char) -> Option<String> {
    let mut s = String::new();
    while *i < c.len() {
        let ch = c[*i];
        if ch == '\\' && *i + 1 < c.len() {
            if c[*i + 1] == delim {
                s.push(delim);
            } else if c[*i + 1] == 'n' && delim != 'n' {
                s.push_str("\\n");
            } else {
                s.push('\\');
                s.push(c[*i + 1]);
            }
            *i += 2;
            continue;
        }
        if ch == delim {
            *i += 1;
            return Some(s);
        }
        s.push(ch);
        *i += 1;
    }
    None
}

fn parse_addr(c: &[char], i: &mut usize, extended: bool) -> Result<Option<Addr>, String> {
    if *i >= c.len() {
        return Ok(None);
    }
    if c[*i].is_ascii_digit() {
        let mut n = 0usize;
        while *i < c.len() && c[*i].is_ascii_digit() {
            n = n * 10 + c[*i].to_digit(10).unwrap_or(0) as usize;
            *i += 1;
        }
        return Ok(Some(Addr::Line(n)));
    }
    if c[*i] == '$' {
        *i += 1;
        return Ok(Some(Addr::Last));
    }
    if c[*i] == '/' || c[*i] == '\\' {
        let delim = if c[*i] == '\\' {
            *i += 1;
            *c.get(*i).ok_or("sed: -e expression #1, char 1: unexpected `,'")?
        } else {
            '/'
        };
        *i += 1;
        let re = until_delim(c, i, delim)
            .ok_or_else(|| "sed: -e expression #1, char 1: unterminated address regex".to_string())?;
        let mut icase = false;
        if c.get(*i) == Some(&'I') {
            icase = true;
            *i += 1;
        }
        return Ok(Some(Addr::Re(compile(&re, extended, icase)?)));
    }
    Ok(None)
}

/// GNU one-line text of `a`, `i`, `c` (`a\` followed by the text works too).
fn text_arg(c: &[char], i: &mut usize) -> String {
    if c.get(*i) == Some(&'\\') {
        *i += 1;
        if c.get(*i) == Some(&'\n') {
            *i += 1;
        }
    }
    while *i < c.len() && (c[*i] == ' ' || c[*i] == '\t') {
        *i += 1;
    }
    let mut s = String::new();
    while *i < c.len() && c[*i] != '\n' {
        s.push(c[*i]);
        *i += 1;
    }
    s
}

fn parse_script(script: &str, extended: bool) -> Result<Vec<Command>, String> {
    let c: Vec<char> = script.chars().collect();
    let mut i = 0;
    let mut cmds = Vec::new();
    loop {
        while i < c.len() && (c[i].is_whitespace() || c[i] == ';') {
            i += 1;
        }
        if i >= c.len() {
            break;
        }
        let a1 = parse_addr(&c, &mut i, extended)?;
        let mut a2 = None;
        if a1.is_some() && c.get(i) == Some(&',') {
            i += 1;
            a2 = parse_addr(&c, &mut i, extended)?;
            if a2.is_none() {
                return Err(format!("sed: -e expression #1, char {}: unexpected `,'", i));
            }
        }
        while i < c.len() && c[i] == ' ' {
            i += 1;
        }
        let mut negate = false;
        if c.get(i) == Some(&'!') {
            negate = true;
            i += 1;
        }
        let Some(&op) = c.get(i) else {
            return Err(format!("sed: -e expression #1, char {}: missing command", i));
        };
        i += 1;
        let cmd = match op {
            's' => {
                let delim =
                    *c.get(i).ok_or_else(|| format!("sed: -e expression #1, char {}: unterminated `s' command", i))?;
                i += 1;
                let unterminated = || format!("sed: -e expression #1, char {}: unterminated `s' command", c.len());
                let re = until_delim(&c, &mut i, delim).ok_or_else(unterminated)?;
                let repl = until_delim(&c, &mut i, delim).ok_or_else(unterminated)?;
                let (mut global, mut nth, mut print, mut icase) = (false, 1usize, false, false);
                while i < c.len() && !matches!(c[i], ';' | '\n' | '}') {
                    match c[i] {
                        'g' => global = true,
                        'p' => print = true,
                        'I' | 'i' => icase = true,
                        d if d.is_ascii_digit() => nth = d.to_digit(10).unwrap_or(1) as usize,
                        ' ' => {}
                        _ => return Err(format!("sed: -e expression #1, char {}: unknown option to `s'", i + 1)),
                    }
                    i += 1;
                }
                Cmd::Subst { re: compile(&re, extended, icase)?, repl, global, nth, print }
            }
            'y' => {
                let delim = *c.get(i).ok_or("sed: -e expression #1: unterminated `y' command")?;
                i += 1;
                let a = until_delim(&c, &mut i, delim).ok_or("sed: -e expression #1: unterminated `y' command")?;
                let b = until_delim(&c, &mut i, delim).ok_or("sed: -e expression #1: unterminated `y' command")?;
                let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                if a.len() != b.len() {
                    return Err("sed: -e expression #1: strings for `y' command are different lengths".into());
                }
                Cmd::Translate(a, b)
            }
            'd' => Cmd::Delete,
            'p' => Cmd::Print,
            'q' => Cmd::Quit,
            '=' => Cmd::LineNo,
            'a' => Cmd::Append(text_arg(&c, &mut i)),
            'i' => Cmd::Insert(text_arg(&c, &mut i)),
            'c' => Cmd::Change(text_arg(&c, &mut i)),
            other => return Err(format!("sed: -e expression #1, char {i}: unknown command: `{other}'")),
        };
        cmds.push(Command { a1, a2, negate, cmd });
    }
    Ok(cmds)
}

/// The replacement text for one match: `&`, `\1`..`\9`, `\n`, escaped characters.
fn expand(repl: &str, caps: &regex::Captures) -> String {
    let c: Vec<char> = repl.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            '&' => out.push_str(caps.get(0).map_or("", |m| m.as_str())),
            '\\' if i + 1 < c.len() => {
                i += 1;
                match c[i] {
                    d if d.is_ascii_digit() => {
                        let n = d.to_digit(10).unwrap_or(0) as usize;
                        out.push_str(caps.get(n).map_or("", |m| m.as_str()));
                    }
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    other => out.push(other),
                }
            }
            ch => out.push(ch),
        }
        i += 1;
    }
    out
}

fn substitute(line: &str, re: &Regex, repl: &str, global: bool, nth: usize) -> Option<String> {
    let mut out = String::new();
    let mut last = 0;
    let mut count = 0;
    let mut changed = false;
    for caps in re.captures_iter(line) {
        let m = caps.get(0).expect("group 0 always matches");
        count += 1;
        if count < nth {
            continue;
        }
        out.push_str(&line[last..m.start()]);
        out.push_str(&expand(repl, &caps));
        last = m.end();
        changed = true;
        if !global {
            break;
        }
    }
    if !changed {
        return None;
    }
    out.push_str(&line[last..]);
    Some(out)
}

/// Runs a parsed script over the lines of one input; returns the output and whether `q` ran.
fn execute(cmds: &[Command], text: &str, quiet: bool) -> (String, bool) {
    let had_newline = text.ends_with('\n');
    let lines: Vec<&str> =
        if text.is_empty() { vec![] } else { text.strip_suffix('\n').unwrap_or(text).split('\n').collect() };
    let mut out = String::new();
    let mut active = vec![false; cmds.len()];
    let total = lines.len();
    for (idx, line) in lines.iter().enumerate() {
        let n = idx + 1;
        let last = n == total;
        let mut ps = line.to_string();
        let mut deleted = false;
        let mut quit = false;
        let mut appends: Vec<String> = Vec::new();
        let matches = |a: &Addr, ps: &str| match a {
            Addr::Line(l) => *l == n,
            Addr::Last => last,
            Addr::Re(r) => r.is_match(ps),
        };
        for (ci, c) in cmds.iter().enumerate() {
            let selected = match (&c.a1, &c.a2) {
                (None, _) => true,
                (Some(a), None) => matches(a, &ps),
                (Some(a), Some(b)) => {
                    if active[ci] {
                        let end = match b {
                            Addr::Line(l) => n >= *l,
                            other => matches(other, &ps),
                        };
                        if end {
                            active[ci] = false;
                        }
                        true
                    } else if matches(a, &ps) {
                        let ends_now = matches!(b, Addr::Line(l) if *l <= n);
                        active[ci] = !ends_now;
                        true
                    } else {
                        false
                    }
                }
            };
            if selected == c.negate {
                continue;
            }
            match &c.cmd {
                Cmd::Subst { re, repl, global, nth, print } => {
                    if let Some(new) = substitute(&ps, re, repl, *global, *nth) {
                        ps = new;
                        if *print {
                            out.push_str(&ps);
                            out.push('\n');
                        }
                    }
                }
                Cmd::Delete => {
                    deleted = true;
                    break;
                }
                Cmd::Print => {
                    out.push_str(&ps);
                    out.push('\n');
                }
                Cmd::Quit => {
                    quit = true;
                    break;
                }
                Cmd::LineNo => out.push_str(&format!("{n}\n")),
                Cmd::Translate(a, b) => {
                    ps = ps.chars().map(|ch| a.iter().position(|x| *x == ch).map(|p| b[p]).unwrap_or(ch)).collect();
                }
                Cmd::Append(t) => appends.push(t.clone()),
                Cmd::Insert(t) => {
                    out.push_str(t);
                    out.push('\n');
                }
                Cmd::Change(t) => {
                    out.push_str(t);
                    out.push('\n');
                    deleted = true;
                    break;
                }
            }
        }
        if !deleted && !quiet {
            out.push_str(&ps);
            if !last || had_newline {
                out.push('\n');
            }
        }
        for a in appends {
            out.push_str(&a);
            out.push('\n');
        }
        if quit {
            return (out, true);
        }
    }
    (out, false)
}

pub(super) fn sed(args: &[String], ctx: &mut Ctx) -> i32 {
    let mut scripts: Vec<String> = Vec::new();
    let mut files: Vec<String> = Vec::new();
    let (mut quiet, mut extended, mut in_place) = (false, false, None::<String>);
    let mut i = 0;
    let mut only_operands = false;
    while i < args.len() {
        let a = &args[i];
        if only_operands || !a.starts_with('-') || a == "-" {
            files.push(a.clone());
        } else if a == "--" {
            only_operands = true;
        } else if a == "-e" || a == "--expression" {
            i += 1;
            match args.get(i) {
                Some(s) => scripts.push(s.clone()),
                None => {
                    ctx.errs("sed: option requires an argument -- 'e'\n");
                    return 1;
                }
            }
        } else if let Some(s) = a.strip_prefix("--expression=") {
            scripts.push(s.to_string());
        } else if let Some(suffix) = a.strip_prefix("--in-place") {
            in_place = Some(suffix.trim_start_matches('=').to_string());
        } else if a == "-n" || a == "--quiet" || a == "--silent" {
            quiet = true;
        } else if a == "-E" || a == "-r" || a == "--regexp-extended" {
            extended = true;
        } else if let Some(suffix) = a.strip_prefix("-i") {
            in_place = Some(suffix.to_string());
        } else if a.len() > 2 && !a.starts_with("--") {
            // Combined short flags: -ne, -Ei, -ri.bak ...
            let flags: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < flags.len() {
                match flags[j] {
                    'n' => quiet = true,
                    'E' | 'r' => extended = true,
                    'i' => {
                        in_place = Some(flags[j + 1..].iter().collect());
                        break;
                    }
                    'e' => {
                        i += 1;
                        if let Some(s) = args.get(i) {
                            scripts.push(s.clone());
                        }
                    }
                    other => {
                        ctx.errs(&format!("sed: invalid option -- '{other}'\n"));
                        return 1;
                    }
                }
                j += 1;
            }
        } else {
            ctx.errs(&format!("sed: unknown option -- '{}'\n", a.trim_start_matches('-')));
            return 1;
        }
        i += 1;
    }
    if scripts.is_empty() {
        if files.is_empty() {
            ctx.errs("Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n");
            return 1;
        }
        scripts.push(files.remove(0));
    }
    let cmds = match parse_script(&scripts.join("\n"), extended) {
        Ok(c) => c,
        Err(e) => {
            ctx.errs(&format!("{e}\n"));
            return 1;
        }
    };
    if let Some(suffix) = in_place {
        if files.is_empty() {
            ctx.errs("sed: no input files\n");
            return 1;
        }
        let mut rc = 0;
        for f in files {
            let p = ctx.path(&f);
            match ctx.host.fs().read(&p) {
                Ok(data) => {
                    let (out, _) = execute(&cmds, &String::from_utf8_lossy(&data), quiet);
                    let now = ctx.now;
                    if !suffix.is_empty() {
                        let _ = ctx.host.fs().write(&format!("{p}{suffix}"), &data, false, now);
                    }
                    if let Err(e) = ctx.host.fs().write(&p, out.as_bytes(), false, now) {
                        ctx.errs(&format!("sed: couldn't open file {f}: {e}\n"));
                        rc = 4;
                    }
                }
                Err(e) => {
                    ctx.errs(&format!("sed: can't read {f}: {e}\n"));
                    rc = 2;
                }
            }
        }
        return rc;
    }
    let (data, ok) = ctx.inputs(&files, |f, e| format!("sed: can't read {f}: {e}\n"));
    let (out, _) = execute(&cmds, &String::from_utf8_lossy(&data), quiet);
    ctx.outs(&out);
    if ok {
        0
    } else {
        2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(script: &str, input: &str) -> String {
        execute(&parse_script(script, false).unwrap(), input, false).0
    }

    #[test]
    fn substitutions() {
        assert_eq!(run("s/replicas: 1/replicas: 3/", "a: 1\n  replicas: 1\n"), "a: 1\n  replicas: 3\n");
        assert_eq!(run("s/o/0/g", "foo\nbar\n"), "f00\nbar\n");
        assert_eq!(run("s/o/0/2", "fooo\n"), "fo0o\n");
        assert_eq!(run(r"s/\(a\)\(b\)/\2\1/", "ab\n"), "ba\n");
        assert_eq!(run("s|image: nginx|image: nginx:1.27|", "  image: nginx\n"), "  image: nginx:1.27\n");
        assert_eq!(run("s/x/[&]/", "axb\n"), "a[x]b\n");
        assert_eq!(run("s/a+/b/", "aa+a\n"), "aba\n", "BRE + is literal");
        assert_eq!(execute(&parse_script("s/a+/b/", true).unwrap(), "aa+\n", false).0, "b+\n");
    }

    #[test]
    fn addresses_and_commands() {
        assert_eq!(run("2d", "a\nb\nc\n"), "a\nc\n");
        assert_eq!(run("/b/d", "a\nb\nc\n"), "a\nc\n");
        assert_eq!(run("$d", "a\nb\nc\n"), "a\nb\n");
        assert_eq!(run("1,2d", "a\nb\nc\n"), "c\n");
        assert_eq!(run("/a/,/b/d", "x\na\ny\nb\nz\n"), "x\nz\n");
        assert_eq!(run("2!d", "a\nb\nc\n"), "b\n");
        assert_eq!(execute(&parse_script("2p", false).unwrap(), "a\nb\n", true).0, "b\n");
        assert_eq!(run("/b/a\\\nnew", "a\nb\nc\n"), "a\nb\nnew\nc\n");
        assert_eq!(run("1i top", "a\n"), "top\na\n");
        assert_eq!(run("2q", "a\nb\nc\n"), "a\nb\n");
        assert_eq!(run("y/abc/xyz/", "aabbcc\n"), "xxyyzz\n");
        assert_eq!(run("s/a/b/;s/b/c/", "a\n"), "c\n");
        assert_eq!(run("s/a/b/", "a"), "b", "no newline added at the end");
    }

    #[test]
    fn bad_scripts() {
        assert!(parse_script("s/a/b", false).unwrap_err().contains("unterminated `s' command"));
        assert!(parse_script("k", false).unwrap_err().contains("unknown command: `k'"));
    }
}
