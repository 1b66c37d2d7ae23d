//! `sed` as GNU sed 4.x behaves on the workstation and busybox 1.36 inside containers:
//! addresses (`N`, `$`, `/re/`, `\%re%`, `first~step`, ranges incl. `addr,+N` and
//! `0,/re/`, `!`), blocks, and the commands `s y p P d D n N g G h H x a i c = l q Q
//! b t T : r w z F`, with `-n -e -f -E/-r -s -i[SUFFIX]`. `sed -i` edits files in place,
//! which is what `KUBE_EDITOR="sed -i ..." kubectl edit` relies on.
//!
//! Errors carry GNU's texts and positions (`sed: -e expression #1, char 5: unterminated
//! `s' command`) or busybox's (`sed: unmatched '/'`). The `e`, `R` and `W` commands are
//! not simulated and say so.

use std::rc::Rc;

use super::builtins::Ctx;
use super::getopt::{self, Spec};
use super::posix_re::{Dialect, Opts, Posix, ReError, Tool};

#[derive(Clone, Debug)]
enum Addr {
    Line(u64),
    Last,
    /// None: the last regex used.
    Re(Option<Rc<Posix>>),
    Step(u64, u64),
    /// `0,/re/`: the range may end on the first line.
    Zero,
}

#[derive(Clone, Debug)]
enum Addr2 {
    Line(u64),
    Last,
    Re(Option<Rc<Posix>>),
    Plus(u64),
    Tilde(u64),
}

#[derive(Clone, Debug)]
enum Part {
    Lit(String),
    Group(usize),
    /// `\U \L \u \l \E`.
    Case(char),
}

#[derive(Clone, Debug)]
struct Subst {
    re: Option<Rc<Posix>>,
    repl: Vec<Part>,
    global: bool,
    nth: usize,
    print: bool,
    write: Option<String>,
}

#[derive(Clone, Debug)]
enum Kind {
    /// `{`: index of the matching `}`.
    Block(usize),
    EndBlock,
    LineNo,
    Append(String),
    Insert(String),
    Change(String),
    Delete,
    DeleteFirst,
    Get,
    GetAppend,
    Hold,
    HoldAppend,
    Exchange,
    List,
    Next,
    NextAppend,
    Print,
    PrintFirst,
    Quit(i32),
    QuitSilent(i32),
    Subst(Box<Subst>),
    Translit(Vec<(char, char)>),
    /// Branches: label (None: end of script), resolved to an index after parsing.
    Branch(Option<String>, usize),
    BranchIf(Option<String>, usize),
    BranchIfNot(Option<String>, usize),
    Label,
    Read(String),
    Write(String),
    Zap,
    FileName,
    Nop,
}

#[derive(Clone, Debug)]
struct Cmd {
    a1: Option<Addr>,
    a2: Option<Addr2>,
    neg: bool,
    kind: Kind,
    label: Option<String>,
}

/// A parse error: the character count where it was noticed and what.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Err {
    UnterminatedS,
    UnterminatedY,
    UnknownOptS,
    UnknownCmd(char),
    BadRef(usize),
    MissingCmd,
    ExtraChars,
    UnexpectedComma,
    UnexpectedBrace,
    UnterminatedAddr,
    MultipleG,
    MultipleP,
    MultipleN,
    ZeroN,
    YLengths,
    MissingFilename,
    Addr0,
    ExpectedBackslash,
    NoPrevRe,
    OneAddr,
    NoLabel(String),
    Regex(ReError, String),
    Unsupported(String),
}

impl Err {
    fn gnu(&self) -> String {
        match self {
            Err::UnterminatedS => "unterminated `s' command".into(),
            Err::UnterminatedY => "unterminated `y' command".into(),
            Err::UnknownOptS => "unknown option to `s'".into(),
            Err::UnknownCmd(c) => format!("unknown command: `{c}'"),
            Err::BadRef(n) => format!("invalid reference \\{n} on `s' command's RHS"),
            Err::MissingCmd => "missing command".into(),
            Err::ExtraChars => "extra characters after command".into(),
            Err::UnexpectedComma => "unexpected `,'".into(),
            Err::UnexpectedBrace => "unexpected `}'".into(),
            Err::UnterminatedAddr => "unterminated address regex".into(),
            Err::MultipleG => "multiple `g' options to `s' command".into(),
            Err::MultipleP => "multiple `p' options to `s' command".into(),
            Err::MultipleN => "multiple number options to `s' command".into(),
            Err::ZeroN => "number option to `s' command may not be zero".into(),
            Err::YLengths => "strings for `y' command are different lengths".into(),
            Err::MissingFilename => "missing filename in r/R/w/W commands".into(),
            Err::Addr0 => "invalid usage of line address 0".into(),
            Err::ExpectedBackslash => "expected \\ after `a', `c' or `i'".into(),
            Err::NoPrevRe => "no previous regular expression".into(),
            Err::OneAddr => "command only uses one address".into(),
            Err::NoLabel(l) => format!("can't find label for jump to `{l}'"),
            Err::Regex(e, _) => e.to_string(),
            Err::Unsupported(w) => format!("kubedojo's sed does not support {w}"),
        }
    }
    fn busybox(&self, delim: char) -> String {
        match self {
            Err::UnterminatedS | Err::UnterminatedY | Err::UnterminatedAddr => format!("unmatched '{delim}'"),
            Err::UnknownOptS | Err::MultipleG | Err::MultipleP | Err::MultipleN | Err::ZeroN => {
                "bad option in substitution expression".into()
            }
            Err::UnknownCmd(c) => format!("unsupported command {c}"),
            Err::MissingCmd => "missing command".into(),
            Err::UnexpectedBrace => "unexpected '}'".into(),
            Err::NoLabel(l) => format!("can't find label for jump to '{l}'"),
            Err::Regex(e, pat) => format!("bad regex '{pat}': {e}"),
            Err::MissingFilename => "empty filename".into(),
            Err::NoPrevRe => "no previous regexp".into(),
            Err::UnexpectedComma => "no address after comma".into(),
            other => other.gnu(),
        }
    }
}

struct Parser<'a> {
    c: Vec<char>,
    /// Characters consumed (GNU's error position).
    i: usize,
    dialect: Dialect,
    cmds: &'a mut Vec<Cmd>,
    blocks: &'a mut Vec<usize>,
    /// The delimiter of the last regex (for busybox's `unmatched 'x'`).
    delim: char,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }
    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.i += 1;
        }
        c
    }
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ') | Some('\t')) {
            self.i += 1;
        }
    }

    fn compile(&self, src: &str, icase: bool, multiline: bool) -> Result<Option<Rc<Posix>>, Err> {
        if src.is_empty() {
            return Ok(None);
        }
        let opts = Opts { dialect: self.dialect, tool: Tool::Sed, icase, multiline };
        Posix::new(src, opts).map(|p| Some(Rc::new(p))).map_err(|e| Err::Regex(e, src.to_string()))
    }

    /// Reads up to an unescaped `delim` outside brackets; `\delim` becomes `delim` and
    /// `\n` a newline. None at the end of the text.
    fn delimited(&mut self, delim: char, regex: bool) -> Option<String> {
        let mut s = String::new();
        loop {
            let c = self.next()?;
            if c == delim {
                return Some(s);
            }
            if c == '\\' {
                let n = self.next()?;
                if n == delim {
                    s.push(n);
                } else if n == '\n' {
                    s.push('\n');
                } else {
                    s.push('\\');
                    s.push(n);
                }
                continue;
            }
            if c == '[' && regex {
                // A bracket expression may contain the delimiter.
                s.push('[');
                let mut first = true;
                if self.peek() == Some('^') {
                    s.push('^');
                    self.i += 1;
                }
                loop {
                    let b = self.next()?;
                    s.push(b);
                    if b == '[' && matches!(self.peek(), Some(':') | Some('.') | Some('=')) {
                        let k = self.next()?;
                        s.push(k);
                        loop {
                            let x = self.next()?;
                            s.push(x);
                            if x == k && self.peek() == Some(']') {
                                s.push(self.next()?);
                                break;
                            }
                        }
                    } else if b == ']' && !first {
                        break;
                    }
                    first = false;
                }
                continue;
            }
            s.push(c);
        }
    }

    fn number(&mut self) -> u64 {
        let mut n: u64 = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            n = n.saturating_mul(10).saturating_add(d as u64);
            self.i += 1;
        }
        n
    }

    /// A regex address after its opening delimiter, with its `I`/`M` flags.
    fn re_addr(&mut self, delim: char) -> Result<Option<Rc<Posix>>, Err> {
        self.delim = delim;
        let Some(src) = self.delimited(delim, true) else {
            return Err(Err::UnterminatedAddr);
        };
        let (mut icase, mut multi) = (false, false);
        loop {
            match self.peek() {
                Some('I') => icase = true,
                Some('M') => multi = true,
                _ => break,
            }
            self.i += 1;
        }
        self.compile(&src, icase, multi)
    }

    fn addr1(&mut self) -> Result<Option<Addr>, Err> {
        Ok(match self.peek() {
            Some(c) if c.is_ascii_digit() => {
                let n = self.number();
                if self.peek() == Some('~') {
                    self.i += 1;
                    let step = self.number();
                    Some(Addr::Step(n, step))
                } else if n == 0 {
                    Some(Addr::Zero)
                } else {
                    Some(Addr::Line(n))
                }
            }
            Some('$') => {
                self.i += 1;
                Some(Addr::Last)
            }
            Some('/') => {
                self.i += 1;
                Some(Addr::Re(self.re_addr('/')?))
            }
            Some('\\') => {
                self.i += 1;
                let Some(d) = self.next() else {
                    return Err(Err::UnterminatedAddr);
                };
                Some(Addr::Re(self.re_addr(d)?))
            }
            _ => None,
        })
    }

    fn addr2(&mut self) -> Result<Option<Addr2>, Err> {
        Ok(match self.peek() {
            Some(c) if c.is_ascii_digit() => Some(Addr2::Line(self.number())),
            Some('+') => {
                self.i += 1;
                Some(Addr2::Plus(self.number()))
            }
            Some('~') => {
                self.i += 1;
                Some(Addr2::Tilde(self.number()))
            }
            Some('$') => {
                self.i += 1;
                Some(Addr2::Last)
            }
            Some('/') => {
                self.i += 1;
                Some(Addr2::Re(self.re_addr('/')?))
            }
            Some('\\') => {
                self.i += 1;
                let Some(d) = self.next() else {
                    return Err(Err::UnterminatedAddr);
                };
                Some(Addr2::Re(self.re_addr(d)?))
            }
            _ => None,
        })
    }

    /// After a command: spaces, then `;`, newline, `}`, `#` or the end.
    fn end_cmd(&mut self) -> Result<(), Err> {
        self.skip_ws();
        match self.peek() {
            None | Some(';') | Some('\n') => {
                self.next();
                Ok(())
            }
            Some('}') | Some('#') => Ok(()),
            Some(_) => {
                self.next();
                Err(Err::ExtraChars)
            }
        }
    }

    /// The rest of the line (a/i/c text, file names, labels).
    fn rest_of_line(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self.next() {
            if c == '\n' {
                break;
            }
            s.push(c);
        }
        s
    }

    /// Text of `a`, `i`, `c`: `a text`, `a\` newline `text`, `a\text`; lines ending in a
    /// backslash continue.
    fn text_arg(&mut self) -> Result<String, Err> {
        self.skip_ws();
        let mut one_liner = true;
        if self.peek() == Some('\\') {
            self.i += 1;
            if self.peek() == Some('\n') {
                self.i += 1;
                one_liner = false;
            }
        } else if self.peek().is_none() {
            return Err(Err::ExpectedBackslash);
        }
        if one_liner {
            self.skip_ws();
        }
        let mut s = String::new();
        while let Some(c) = self.next() {
            match c {
                '\\' => match self.next() {
                    Some('\n') => s.push('\n'),
                    Some('t') => s.push('\t'),
                    Some(o) => s.push(o),
                    None => break,
                },
                '\n' => break,
                c => s.push(c),
            }
        }
        Ok(s)
    }

    fn subst(&mut self) -> Result<Kind, Err> {
        let Some(delim) = self.next() else {
            return Err(Err::UnterminatedS);
        };
        if delim == '\n' || delim == '\\' {
            return Err(Err::UnterminatedS);
        }
        self.delim = delim;
        let Some(re_src) = self.delimited(delim, true) else {
            return Err(Err::UnterminatedS);
        };
        // The replacement keeps its escapes for now.
        let mut rep = String::new();
        loop {
            let Some(c) = self.next() else {
                return Err(Err::UnterminatedS);
            };
            if c == delim {
                break;
            }
            if c == '\\' {
                let Some(n) = self.next() else {
                    return Err(Err::UnterminatedS);
                };
                if n == delim && delim != '&' {
                    rep.push(n);
                } else {
                    rep.push('\\');
                    rep.push(n);
                }
                continue;
            }
            rep.push(c);
        }
        let mut s = Subst { re: None, repl: vec![], global: false, nth: 0, print: false, write: None };
        let (mut icase, mut multi) = (false, false);
        loop {
            match self.peek() {
                Some('g') => {
                    self.i += 1;
                    if s.global {
                        return Err(Err::MultipleG);
                    }
                    s.global = true;
                }
                Some('p') => {
                    self.i += 1;
                    if s.print {
                        return Err(Err::MultipleP);
                    }
                    s.print = true;
                }
                Some('i') | Some('I') => {
                    self.i += 1;
                    icase = true;
                }
                Some('m') | Some('M') => {
                    self.i += 1;
                    multi = true;
                }
                Some('e') => {
                    self.i += 1;
                    return Err(Err::Unsupported("the `e' flag of `s' (running commands)".into()));
                }
                Some(d) if d.is_ascii_digit() => {
                    if s.nth != 0 {
                        self.number();
                        return Err(Err::MultipleN);
                    }
                    let n = self.number();
                    if n == 0 {
                        return Err(Err::ZeroN);
                    }
                    s.nth = n as usize;
                }
                Some('w') => {
                    self.i += 1;
                    self.skip_ws();
                    let f = self.rest_of_line();
                    if f.is_empty() {
                        return Err(Err::MissingFilename);
                    }
                    s.write = Some(f);
                    break;
                }
                Some(' ') | Some('\t') => self.i += 1,
                None | Some(';') | Some('\n') | Some('}') | Some('#') => break,
                Some(_) => {
                    self.i += 1;
                    return Err(Err::UnknownOptS);
                }
            }
        }
        s.re = self.compile(&re_src, icase, multi)?;
        let groups = s.re.as_ref().map_or(9, |r| r.groups);
        s.repl = parse_repl(&rep, groups).map_err(Err::BadRef)?;
        self.end_cmd()?;
        Ok(Kind::Subst(Box::new(s)))
    }

    fn translit(&mut self) -> Result<Kind, Err> {
        let Some(delim) = self.next() else {
            return Err(Err::UnterminatedY);
        };
        self.delim = delim;
        let unesc = |s: String| -> Vec<char> {
            let mut v = Vec::new();
            let mut it = s.chars();
            while let Some(c) = it.next() {
                if c == '\\' {
                    match it.next() {
                        Some('n') => v.push('\n'),
                        Some('t') => v.push('\t'),
                        Some('\\') => v.push('\\'),
                        Some(o) => {
                            v.push('\\');
                            v.push(o);
                        }
                        None => v.push('\\'),
                    }
                } else {
                    v.push(c);
                }
            }
            v
        };
        let Some(a) = self.delimited(delim, false) else {
            return Err(Err::UnterminatedY);
        };
        let Some(b) = self.delimited(delim, false) else {
            return Err(Err::UnterminatedY);
        };
        let (a, b) = (unesc(a), unesc(b));
        if a.len() != b.len() {
            return Err(Err::YLengths);
        }
        self.end_cmd()?;
        Ok(Kind::Translit(a.into_iter().zip(b).collect()))
    }

    fn label_arg(&mut self) -> Option<String> {
        self.skip_ws();
        let mut s = String::new();
        while let Some(c) = self.peek() {
            if c == ';' || c == '\n' || c == '}' || c == ' ' || c == '\t' {
                break;
            }
            s.push(c);
            self.i += 1;
        }
        (!s.is_empty()).then_some(s)
    }

    /// Parses one script (a `-e` expression or the script operand).
    fn script(&mut self) -> Result<(), Err> {
        loop {
            // Separators and comments between commands.
            while matches!(self.peek(), Some(' ') | Some('\t') | Some('\n') | Some(';')) {
                self.i += 1;
            }
            let Some(c) = self.peek() else { return Ok(()) };
            if c == '#' {
                self.rest_of_line();
                continue;
            }
            let a1 = self.addr1()?;
            let mut a2 = None;
            self.skip_ws();
            if self.peek() == Some(',') {
                self.i += 1;
                self.skip_ws();
                a2 = self.addr2()?;
                if a2.is_none() {
                    return Err(Err::UnexpectedComma);
                }
            }
            let addr0_misused = matches!(a1, Some(Addr::Zero)) && !matches!(a2, Some(Addr2::Re(_)));
            self.skip_ws();
            let mut neg = false;
            while self.peek() == Some('!') {
                self.i += 1;
                neg = true;
                self.skip_ws();
            }
            let Some(cmd) = self.next() else {
                return Err(Err::MissingCmd);
            };
            if addr0_misused {
                return Err(Err::Addr0);
            }
            let has_addr = a1.is_some();
            let mut label = None;
            let kind = match cmd {
                '{' => {
                    self.blocks.push(self.cmds.len());
                    Kind::Block(0)
                }
                '}' => {
                    if has_addr {
                        return Err(Err::UnknownCmd('}'));
                    }
                    let Some(open) = self.blocks.pop() else {
                        return Err(Err::UnexpectedBrace);
                    };
                    let here = self.cmds.len();
                    if let Some(Cmd { kind: Kind::Block(end), .. }) = self.cmds.get_mut(open) {
                        *end = here;
                    }
                    self.end_cmd()?;
                    Kind::EndBlock
                }
                '=' => {
                    self.end_cmd()?;
                    Kind::LineNo
                }
                'a' | 'i' | 'c' => {
                    let t = self.text_arg()?;
                    match cmd {
                        'a' => Kind::Append(t),
                        'i' => Kind::Insert(t),
                        _ => Kind::Change(t),
                    }
                }
                'd' | 'D' | 'g' | 'G' | 'h' | 'H' | 'x' | 'l' | 'n' | 'N' | 'p' | 'P' | 'z' | 'F' => {
                    self.end_cmd()?;
                    match cmd {
                        'd' => Kind::Delete,
                        'D' => Kind::DeleteFirst,
                        'g' => Kind::Get,
                        'G' => Kind::GetAppend,
                        'h' => Kind::Hold,
                        'H' => Kind::HoldAppend,
                        'x' => Kind::Exchange,
                        'l' => Kind::List,
                        'n' => Kind::Next,
                        'N' => Kind::NextAppend,
                        'p' => Kind::Print,
                        'P' => Kind::PrintFirst,
                        'z' => Kind::Zap,
                        _ => Kind::FileName,
                    }
                }
                'q' | 'Q' => {
                    if a2.is_some() {
                        return Err(Err::OneAddr);
                    }
                    self.skip_ws();
                    let code = self.number() as i32;
                    self.end_cmd()?;
                    if cmd == 'q' {
                        Kind::Quit(code)
                    } else {
                        Kind::QuitSilent(code)
                    }
                }
                's' => self.subst()?,
                'y' => self.translit()?,
                'b' | 't' | 'T' => {
                    let l = self.label_arg();
                    self.end_cmd()?;
                    match cmd {
                        'b' => Kind::Branch(l, 0),
                        't' => Kind::BranchIf(l, 0),
                        _ => Kind::BranchIfNot(l, 0),
                    }
                }
                ':' => {
                    if has_addr {
                        return Err(Err::Unsupported("addresses on labels".into()));
                    }
                    let Some(l) = self.label_arg() else {
                        return Err(Err::Unsupported("empty labels".into()));
                    };
                    label = Some(l);
                    self.end_cmd()?;
                    Kind::Label
                }
                'r' | 'w' => {
                    self.skip_ws();
                    let f = self.rest_of_line();
                    if f.is_empty() {
                        return Err(Err::MissingFilename);
                    }
                    if cmd == 'r' {
                        Kind::Read(f)
                    } else {
                        Kind::Write(f)
                    }
                }
                'v' => {
                    self.label_arg();
                    self.end_cmd()?;
                    Kind::Nop
                }
                'e' | 'R' | 'W' => {
                    return Err(Err::Unsupported(format!("the `{cmd}' command")));
                }
                other => return Err(Err::UnknownCmd(other)),
            };
            self.cmds.push(Cmd { a1, a2, neg, kind, label });
        }
    }
}

/// Parses a replacement: `&`, `\0`-`\9`, `\n`, `\t`, `\U \L \u \l \E`, `\&`, `\\`.
fn parse_repl(rep: &str, groups: usize) -> Result<Vec<Part>, usize> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut it = rep.chars();
    let flush = |lit: &mut String, parts: &mut Vec<Part>| {
        if !lit.is_empty() {
            parts.push(Part::Lit(std::mem::take(lit)));
        }
    };
    while let Some(c) = it.next() {
        match c {
            '&' => {
                flush(&mut lit, &mut parts);
                parts.push(Part::Group(0));
            }
            '\\' => match it.next() {
                Some(d) if d.is_ascii_digit() => {
                    let n = d as usize - '0' as usize;
                    if n > groups {
                        return Err(n);
                    }
                    flush(&mut lit, &mut parts);
                    parts.push(Part::Group(n));
                }
                Some('n') => lit.push('\n'),
                Some('t') => lit.push('\t'),
                Some(k @ ('U' | 'L' | 'u' | 'l' | 'E')) => {
                    flush(&mut lit, &mut parts);
                    parts.push(Part::Case(k));
                }
                Some(o) => lit.push(o),
                None => lit.push('\\'),
            },
            c => lit.push(c),
        }
    }
    flush(&mut lit, &mut parts);
    Ok(parts)
}

/// Expands a replacement for one match.
fn expand(parts: &[Part], hay: &str, g: &[Option<(usize, usize)>]) -> String {
    let mut out = String::new();
    // Case conversion state: persistent (\U, \L) and one-shot (\u, \l).
    let mut persist: Option<char> = None;
    let mut once: Option<char> = None;
    let push = |s: &str, out: &mut String, persist: &Option<char>, once: &mut Option<char>| {
        for ch in s.chars() {
            let mut c: String = match persist {
                Some('U') => ch.to_uppercase().collect(),
                Some('L') => ch.to_lowercase().collect(),
                _ => ch.to_string(),
            };
            if let Some(o) = once.take() {
                c = if o == 'u' { c.to_uppercase() } else { c.to_lowercase() };
            }
            out.push_str(&c);
        }
    };
    for p in parts {
        match p {
            Part::Lit(s) => push(s, &mut out, &persist, &mut once),
            Part::Group(n) => {
                if let Some(Some((s, e))) = g.get(*n) {
                    push(&hay[*s..*e], &mut out, &persist, &mut once);
                }
            }
            Part::Case(k) => match k {
                'U' | 'L' => persist = Some(*k),
                'E' => {
                    persist = None;
                    once = None;
                }
                _ => once = Some(*k),
            },
        }
    }
    out
}

/// `l`: the pattern space with C escapes, wrapped at 70 columns, ending in `$`.
fn list_line(ps: &str) -> String {
    let mut pieces: Vec<String> = Vec::new();
    for b in ps.bytes() {
        pieces.push(match b {
            b'\\' => "\\\\".into(),
            0x07 => "\\a".into(),
            0x08 => "\\b".into(),
            0x0c => "\\f".into(),
            b'\n' => "\\n".into(),
            b'\r' => "\\r".into(),
            b'\t' => "\\t".into(),
            0x0b => "\\v".into(),
            b if (0x20..0x7f).contains(&b) => (b as char).to_string(),
            b => format!("\\{b:03o}"),
        });
    }
    let mut out = String::new();
    let mut col = 0;
    for p in pieces {
        if col + p.len() > 69 {
            out.push_str("\\\n");
            col = 0;
        }
        col += p.len();
        out.push_str(&p);
    }
    out.push_str("$\n");
    out
}

/// One input line and whether it ended with a newline.
struct Line {
    text: String,
    nl: bool,
}

struct Input {
    name: String,
    lines: Vec<Line>,
}

fn split(data: &[u8]) -> Vec<Line> {
    let s = String::from_utf8_lossy(data);
    s.split_inclusive('\n')
        .map(|l| match l.strip_suffix('\n') {
            Some(t) => Line { text: t.to_string(), nl: true },
            None => Line { text: l.to_string(), nl: false },
        })
        .collect()
}

/// Runtime state of one sed run over a stream (all inputs, or one file with -s/-i).
struct Run<'a> {
    cmds: &'a [Cmd],
    quiet: bool,
    inputs: &'a [Input],
    file: usize,
    line: usize,
    lineno: u64,
    ps: String,
    /// Whether the current line had a newline (sed keeps a missing last one missing).
    nl: bool,
    hold: String,
    out: String,
    appends: Vec<String>,
    /// Per command: range active, and the line a numeric/relative range ends on.
    ranges: Vec<(bool, u64)>,
    last_re: Option<Rc<Posix>>,
    tflag: bool,
    /// Files written by `w` (path → contents), flushed by the caller.
    writes: Vec<(String, String)>,
    /// `/dev/stdout` writes when output goes to a file (-i).
    stdout_extra: String,
    in_place: bool,
    read_file: &'a mut dyn FnMut(&str) -> Option<Vec<u8>>,
    exit: Option<i32>,
    err: Option<Err>,
}

enum Flow {
    /// End the cycle: autoprint unless `delete`.
    EndCycle {
        delete: bool,
    },
    /// `D` with a newline: restart without reading.
    Restart,
    Quit {
        print: bool,
        code: i32,
    },
}

impl Run<'_> {
    fn next_line(&mut self) -> Option<(String, bool)> {
        while self.file < self.inputs.len() {
            let inp = &self.inputs[self.file];
            if let Some(l) = inp.lines.get(self.line) {
                self.line += 1;
                self.lineno += 1;
                return Some((l.text.clone(), l.nl));
            }
            self.file += 1;
            self.line = 0;
        }
        None
    }
    fn is_last(&self) -> bool {
        let mut f = self.file;
        let mut l = self.line;
        while f < self.inputs.len() {
            if l < self.inputs[f].lines.len() {
                return false;
            }
            f += 1;
            l = 0;
        }
        true
    }
    fn emit(&mut self, s: &str) {
        self.out.push_str(s);
    }
    fn print_ps(&mut self) {
        let s = self.ps.clone();
        self.out.push_str(&s);
        if self.nl || !self.is_last() {
            self.out.push('\n');
        }
    }
    fn flush_appends(&mut self) {
        for a in std::mem::take(&mut self.appends) {
            self.out.push_str(&a);
        }
    }
    fn re_match(&mut self, re: &Option<Rc<Posix>>) -> Result<bool, Err> {
        let r = match re {
            Some(r) => r.clone(),
            None => self.last_re.clone().ok_or(Err::NoPrevRe)?,
        };
        let m = r.is_match(&self.ps);
        self.last_re = Some(r);
        Ok(m)
    }

    fn a1_match(&mut self, a: &Addr) -> Result<bool, Err> {
        Ok(match a {
            Addr::Line(n) => self.lineno == *n,
            Addr::Last => self.is_last(),
            Addr::Re(r) => self.re_match(r)?,
            Addr::Step(first, step) => {
                if *step == 0 {
                    self.lineno == *first
                } else {
                    self.lineno >= *first && (self.lineno - first).is_multiple_of(*step)
                }
            }
            Addr::Zero => false,
        })
    }

    /// Whether command `k` applies to the current line (before `!`).
    fn selected(&mut self, k: usize) -> Result<bool, Err> {
        let cmd = &self.cmds[k];
        let Some(a1) = cmd.a1.clone() else { return Ok(true) };
        let Some(a2) = cmd.a2.clone() else { return self.a1_match(&a1) };
        let (active, end) = self.ranges[k];
        if active {
            let done = match &a2 {
                Addr2::Line(_) | Addr2::Plus(_) | Addr2::Tilde(_) => self.lineno >= end,
                Addr2::Last => self.is_last(),
                Addr2::Re(r) => self.re_match(r)?,
            };
            if done {
                self.ranges[k].0 = false;
            }
            return Ok(true);
        }
        let starts = match &a1 {
            Addr::Zero => {
                // `0,/re/`: the end regex is tried on the first line too.
                if self.lineno == 1 {
                    self.ranges[k] = (true, 0);
                    if let Addr2::Re(r) = &a2 {
                        if self.re_match(r)? {
                            self.ranges[k].0 = false;
                        }
                    }
                    return Ok(true);
                }
                false
            }
            a => self.a1_match(a)?,
        };
        if !starts {
            return Ok(false);
        }
        let n = self.lineno;
        let (active, end) = match &a2 {
            Addr2::Line(m) => (*m > n, *m),
            Addr2::Plus(m) => (*m > 0, n + m),
            Addr2::Tilde(m) => {
                if *m == 0 || n.is_multiple_of(*m) {
                    (false, n)
                } else {
                    (true, n.div_ceil(*m) * m)
                }
            }
            Addr2::Last => (!self.is_last(), 0),
            Addr2::Re(_) => (true, 0),
        };
        self.ranges[k] = (active, end);
        Ok(true)
    }

    fn substitute(&mut self, s: &Subst) -> Result<bool, Err> {
        let re = match &s.re {
            Some(r) => r.clone(),
            None => self.last_re.clone().ok_or(Err::NoPrevRe)?,
        };
        self.last_re = Some(re.clone());
        let hay = self.ps.clone();
        let mut out = String::new();
        let mut pos = 0;
        let mut copied = 0;
        let mut count = 0;
        let mut done = false;
        let mut last_end: Option<usize> = None;
        while pos <= hay.len() {
            let Some(g) = re.captures_at(&hay, pos) else { break };
            let Some((ms, me)) = g[0] else { break };
            if ms == me && last_end == Some(ms) {
                match hay[ms..].chars().next() {
                    Some(c) => pos = ms + c.len_utf8(),
                    None => break,
                }
                continue;
            }
            count += 1;
            let want = if s.nth > 0 { count >= s.nth && (s.global || count == s.nth) } else { true };
            if want {
                out.push_str(&hay[copied..ms]);
                out.push_str(&expand(&s.repl, &hay, &g));
                copied = me;
                done = true;
                if !s.global {
                    break;
                }
            }
            last_end = Some(me);
            pos = if me > ms { me } else { ms + hay[ms..].chars().next().map_or(1, |c| c.len_utf8()) };
        }
        if !done {
            return Ok(false);
        }
        out.push_str(&hay[copied..]);
        self.ps = out;
        if s.print {
            self.print_ps();
        }
        if let Some(f) = &s.write {
            let line = format!("{}\n", self.ps);
            self.write_to(f, &line);
        }
        Ok(true)
    }

    fn write_to(&mut self, f: &str, text: &str) {
        if f == "/dev/stdout" {
            if self.in_place {
                self.stdout_extra.push_str(text);
            } else {
                self.out.push_str(text);
            }
            return;
        }
        match self.writes.iter_mut().find(|(p, _)| p == f) {
            Some((_, d)) => d.push_str(text),
            None => self.writes.push((f.to_string(), text.to_string())),
        }
    }

    /// Runs the script over the current pattern space.
    fn cycle(&mut self) -> Result<Flow, Err> {
        let cmds = self.cmds;
        let mut pc = 0;
        while pc < cmds.len() {
            let cmd = &cmds[pc];
            let sel = self.selected(pc)? != cmd.neg;
            if !sel {
                pc = match cmd.kind {
                    Kind::Block(end) => end + 1,
                    _ => pc + 1,
                };
                continue;
            }
            pc += 1;
            match &cmd.kind {
                Kind::Block(_) | Kind::EndBlock | Kind::Label | Kind::Nop => {}
                Kind::LineNo => {
                    let s = format!("{}\n", self.lineno);
                    self.emit(&s);
                }
                Kind::Append(t) => self.appends.push(format!("{t}\n")),
                Kind::Insert(t) => {
                    let s = format!("{t}\n");
                    self.emit(&s);
                }
                Kind::Change(t) => {
                    // With a range, the text replaces the whole range: print at its end.
                    let range_open = cmd.a2.is_some() && self.ranges[pc - 1].0;
                    if !range_open || cmd.neg {
                        let s = format!("{t}\n");
                        self.emit(&s);
                    }
                    return Ok(Flow::EndCycle { delete: true });
                }
                Kind::Delete => return Ok(Flow::EndCycle { delete: true }),
                Kind::DeleteFirst => match self.ps.find('\n') {
                    Some(i) => {
                        self.ps = self.ps[i + 1..].to_string();
                        return Ok(Flow::Restart);
                    }
                    None => return Ok(Flow::EndCycle { delete: true }),
                },
                Kind::Get => self.ps = self.hold.clone(),
                Kind::GetAppend => {
                    self.ps.push('\n');
                    let h = self.hold.clone();
                    self.ps.push_str(&h);
                }
                Kind::Hold => self.hold = self.ps.clone(),
                Kind::HoldAppend => {
                    self.hold.push('\n');
                    let p = self.ps.clone();
                    self.hold.push_str(&p);
                }
                Kind::Exchange => std::mem::swap(&mut self.ps, &mut self.hold),
                Kind::List => {
                    let s = list_line(&self.ps);
                    self.emit(&s);
                }
                Kind::Next => {
                    if self.is_last() {
                        // GNU: no next line — autoprint and quit.
                        return Ok(Flow::Quit { print: true, code: 0 });
                    }
                    if !self.quiet {
                        self.print_ps();
                    }
                    self.flush_appends();
                    if let Some((l, nl)) = self.next_line() {
                        self.ps = l;
                        self.nl = nl;
                    }
                }
                Kind::NextAppend => {
                    if self.is_last() {
                        return Ok(Flow::Quit { print: true, code: 0 });
                    }
                    self.flush_appends();
                    if let Some((l, nl)) = self.next_line() {
                        self.ps.push('\n');
                        self.ps.push_str(&l);
                        self.nl = nl;
                    }
                }
                Kind::Print => self.print_ps(),
                Kind::PrintFirst => {
                    let first = self.ps.split('\n').next().unwrap_or("").to_string();
                    self.emit(&first);
                    self.emit("\n");
                }
                Kind::Quit(c) => return Ok(Flow::Quit { print: true, code: *c }),
                Kind::QuitSilent(c) => return Ok(Flow::Quit { print: false, code: *c }),
                Kind::Subst(s) => {
                    let s = s.clone();
                    if self.substitute(&s)? {
                        self.tflag = true;
                    }
                }
                Kind::Translit(map) => {
                    self.ps =
                        self.ps.chars().map(|c| map.iter().find(|(a, _)| *a == c).map_or(c, |(_, b)| *b)).collect();
                }
                Kind::Branch(_, to) => pc = *to,
                Kind::BranchIf(_, to) => {
                    if self.tflag {
                        self.tflag = false;
                        pc = *to;
                    }
                }
                Kind::BranchIfNot(_, to) => {
                    if !self.tflag {
                        pc = *to;
                    } else {
                        self.tflag = false;
                    }
                }
                Kind::Read(f) => {
                    let f = f.clone();
                    if let Some(d) = (self.read_file)(&f) {
                        let mut s = String::from_utf8_lossy(&d).into_owned();
                        if !s.is_empty() && !s.ends_with('\n') {
                            s.push('\n');
                        }
                        self.appends.push(s);
                    }
                }
                Kind::Write(f) => {
                    let (f, line) = (f.clone(), format!("{}\n", self.ps));
                    self.write_to(&f, &line);
                }
                Kind::Zap => self.ps.clear(),
                Kind::FileName => {
                    let name = self.inputs.get(self.file).map_or("-", |i| i.name.as_str()).to_string();
                    self.emit(&format!("{name}\n"));
                }
            }
        }
        Ok(Flow::EndCycle { delete: false })
    }

    fn run(&mut self) {
        'outer: while let Some((l, nl)) = self.next_line() {
            self.ps = l;
            self.nl = nl;
            self.tflag = false;
            loop {
                let flow = match self.cycle() {
                    Ok(f) => f,
                    Err(e) => {
                        self.err = Some(e);
                        self.exit = Some(4);
                        break 'outer;
                    }
                };
                match flow {
                    Flow::EndCycle { delete } => {
                        if !delete && !self.quiet {
                            self.print_ps();
                        }
                        self.flush_appends();
                        break;
                    }
                    Flow::Restart => {
                        self.flush_appends();
                        if self.ps.is_empty() {
                            break;
                        }
                        continue;
                    }
                    Flow::Quit { print, code } => {
                        if print && !self.quiet {
                            self.print_ps();
                        }
                        self.flush_appends();
                        self.exit = Some(code);
                        break 'outer;
                    }
                }
            }
        }
    }
}

/// Runs `sed` with `args`; returns the exit status.
pub(crate) fn sed(args: &[String], ctx: &mut Ctx) -> i32 {
    let bb = ctx.busybox();
    let spec = Spec {
        flags: "nrEsuz",
        with_arg: "ef",
        long: &[
            ("quiet", 'n', Some(false)),
            ("silent", 'n', Some(false)),
            ("expression", 'e', Some(true)),
            ("file", 'f', Some(true)),
            ("in-place", 'i', None),
            ("regexp-extended", 'E', Some(false)),
            ("separate", 's', Some(false)),
            ("posix", '\u{1}', Some(false)),
            ("debug", '\u{1}', Some(false)),
            ("sandbox", '\u{1}', Some(false)),
            ("unbuffered", 'u', Some(false)),
            ("null-data", 'z', Some(false)),
        ],
        stop_at_operand: false,
    };
    // `-i[SUFFIX]`: the suffix can only be attached, so `-ie` means suffix "e" — as in GNU.
    let mut args2 = Vec::new();
    let mut in_place: Option<String> = None;
    let mut past_dashdash = false;
    for a in args {
        if past_dashdash {
            args2.push(a.clone());
            continue;
        }
        if a == "--" {
            past_dashdash = true;
            args2.push(a.clone());
            continue;
        }
        if a.starts_with('-') && !a.starts_with("--") && a.len() > 1 {
            if let Some(pos) = a.find('i') {
                // Only if every flag before `i` is a plain flag (not `-e`/`-f` with a value).
                let before = &a[1..pos];
                if before.chars().all(|c| "nrEsuz".contains(c)) {
                    in_place = Some(a[pos + 1..].to_string());
                    if !before.is_empty() {
                        args2.push(format!("-{before}"));
                    }
                    continue;
                }
            }
        }
        args2.push(a.clone());
    }
    let (opts, mut operands) = match getopt::parse(&args2, &spec) {
        Ok(v) => v,
        Err(e) => {
            ctx.errs(&format!("sed: {e}\n"));
            if bb {
                ctx.errs("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: sed [-i[SFX]] [-nrE] [-f FILE]... [-e CMD]... [FILE]...\n");
            } else {
                ctx.errs("Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n\n");
            }
            return 1;
        }
    };
    let mut quiet = false;
    let mut dialect = Dialect::Basic;
    let mut separate = false;
    let mut scripts: Vec<(String, Option<String>)> = Vec::new();
    for o in &opts {
        match o.name {
            'n' => quiet = true,
            'r' | 'E' => dialect = Dialect::Extended,
            's' => separate = true,
            'i' => in_place = Some(o.value.clone().unwrap_or_default()),
            'e' => scripts.push((o.value.clone().unwrap_or_default(), None)),
            'f' => {
                let f = o.value.clone().unwrap_or_default();
                match ctx.read_arg(&f) {
                    Ok(d) => {
                        let mut s = String::from_utf8_lossy(&d).into_owned();
                        if s.ends_with('\n') {
                            s.pop();
                        }
                        scripts.push((s, Some(f)));
                    }
                    Err(e) => {
                        ctx.errs(&format!("sed: couldn't open file {f}: {e}\n"));
                        return 1;
                    }
                }
            }
            _ => {}
        }
    }
    if scripts.is_empty() {
        if operands.is_empty() {
            if bb {
                ctx.errs("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: sed [-i[SFX]] [-nrE] [-f FILE]... [-e CMD]... [FILE]...\n");
            } else {
                ctx.errs("Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n\n");
            }
            return 1;
        }
        scripts.push((operands.remove(0), None));
    }
    if scripts.first().is_some_and(|(s, _)| s.starts_with("#n") && s[2..].chars().next().is_none_or(|c| c == '\n')) {
        quiet = true;
    }
    // Parse every expression into one program.
    let mut cmds: Vec<Cmd> = Vec::new();
    let mut blocks: Vec<usize> = Vec::new();
    for (k, (src, file)) in scripts.iter().enumerate() {
        let mut p =
            Parser { c: src.chars().collect(), i: 0, dialect, cmds: &mut cmds, blocks: &mut blocks, delim: '/' };
        if let Err(e) = p.script() {
            let msg = if bb {
                format!("sed: {}\n", e.busybox(p.delim))
            } else {
                match (&e, file) {
                    (Err::Regex(ReError::ClassSyntax, _), _) => format!("sed: {}\n", e.gnu()),
                    (_, Some(f)) => {
                        let line = src.chars().take(p.i).filter(|c| *c == '\n').count() + 1;
                        format!("sed: file {f} line {line}: {}\n", e.gnu())
                    }
                    _ => format!("sed: -e expression #{}, char {}: {}\n", k + 1, p.i, e.gnu()),
                }
            };
            ctx.errs(&msg);
            return 1;
        }
    }
    if !blocks.is_empty() {
        ctx.errs(if bb { "sed: unterminated {\n" } else { "sed: -e expression #1, char 0: unmatched `{'\n" });
        return 1;
    }
    // Resolve branch labels.
    let labels: Vec<(String, usize)> =
        cmds.iter().enumerate().filter_map(|(i, c)| c.label.clone().map(|l| (l, i))).collect();
    let n = cmds.len();
    for c in cmds.iter_mut() {
        if let Kind::Branch(l, to) | Kind::BranchIf(l, to) | Kind::BranchIfNot(l, to) = &mut c.kind {
            *to = match l {
                None => n,
                Some(l) => match labels.iter().find(|(x, _)| x == l) {
                    Some((_, i)) => *i,
                    None => {
                        let e = Err::NoLabel(l.clone());
                        ctx.errs(&format!("sed: {}\n", if bb { e.busybox('/') } else { e.gnu() }));
                        return if bb { 1 } else { 4 };
                    }
                },
            };
        }
    }

    // Inputs.
    let mut status = 0;
    if in_place.is_some() && operands.is_empty() {
        ctx.errs("sed: no input files\n");
        return if bb { 1 } else { 4 };
    }
    let files: Vec<String> = if operands.is_empty() { vec!["-".into()] } else { operands.clone() };
    let mut inputs = Vec::new();
    for f in &files {
        if f == "-" && in_place.is_none() {
            let d = ctx.stdin_all();
            inputs.push(Input { name: "-".into(), lines: split(&d) });
            continue;
        }
        let p = ctx.path(f);
        if ctx.host.fs().is_dir(&p) {
            ctx.errs(&if bb {
                format!("sed: read error on {f}: Is a directory\n")
            } else if in_place.is_some() {
                format!("sed: couldn't edit {f}: not a regular file\n")
            } else {
                format!("sed: read error on {f}: Is a directory\n")
            });
            status = if in_place.is_some() && !bb { 4 } else { 2 };
            continue;
        }
        match ctx.read_arg(f) {
            Ok(d) => inputs.push(Input { name: f.clone(), lines: split(&d) }),
            Err(e) => {
                ctx.errs(&if bb { format!("sed: {f}: {e}\n") } else { format!("sed: can't read {f}: {e}\n") });
                status = if bb { 1 } else { 2 };
            }
        }
    }
    let cwd = ctx.sh.cwd.clone();
    let now = ctx.now;
    let groups: Vec<Vec<usize>> = if in_place.is_some() || separate {
        (0..inputs.len()).map(|i| vec![i]).collect()
    } else {
        vec![(0..inputs.len()).collect()]
    };
    let mut hold = String::new();
    let mut last_re = None;
    let mut ranges = vec![(false, 0u64); cmds.len()];
    let mut lineno = 0;
    for g in groups {
        let group: Vec<Input> = g
            .iter()
            .map(|&i| Input { name: inputs[i].name.clone(), lines: std::mem::take(&mut inputs[i].lines) })
            .collect();
        let host = &mut *ctx.host;
        let mut reader = |f: &str| -> Option<Vec<u8>> { host.fs().read(&super::vfs::resolve_path(&cwd, f)).ok() };
        let mut run = Run {
            cmds: &cmds,
            quiet,
            inputs: &group,
            file: 0,
            line: 0,
            lineno: if in_place.is_some() || separate { 0 } else { lineno },
            ps: String::new(),
            nl: true,
            hold: std::mem::take(&mut hold),
            out: String::new(),
            appends: vec![],
            ranges: std::mem::take(&mut ranges),
            last_re: last_re.take(),
            tflag: false,
            writes: vec![],
            stdout_extra: String::new(),
            in_place: in_place.is_some(),
            read_file: &mut reader,
            exit: None,
            err: None,
        };
        run.run();
        let Run { out, writes, stdout_extra, exit, err, hold: h, ranges: r, last_re: lr, lineno: ln, .. } = run;
        hold = h;
        ranges = r;
        last_re = lr;
        lineno = ln;
        if let Some(e) = err {
            ctx.errs(&format!("sed: {}\n", if bb { e.busybox('/') } else { e.gnu() }));
            return 4;
        }
        for (f, text) in writes {
            let p = super::vfs::resolve_path(&cwd, &f);
            if let Err(e) = ctx.host.fs().write(&p, text.as_bytes(), false, now) {
                ctx.errs(&format!("sed: couldn't open file {f}: {e}\n"));
                return 4;
            }
        }
        ctx.outs(&stdout_extra);
        match &in_place {
            Some(suffix) => {
                let name = &group[0].name;
                let p = ctx.path(name);
                if !suffix.is_empty() {
                    let backup = if suffix.contains('*') {
                        let base = name.rsplit('/').next().unwrap_or(name);
                        let b = suffix.replace('*', base);
                        if b.contains('/') {
                            b
                        } else {
                            match name.rfind('/') {
                                Some(i) => format!("{}/{b}", &name[..i]),
                                None => b,
                            }
                        }
                    } else {
                        format!("{name}{suffix}")
                    };
                    if let Ok(old) = ctx.host.fs().read(&p) {
                        let bp = ctx.path(&backup);
                        let _ = ctx.host.fs().write(&bp, &old, false, now);
                    }
                }
                if let Err(e) = ctx.host.fs().write(&p, out.as_bytes(), false, now) {
                    ctx.errs(&format!("sed: couldn't open temporary file {name}: {e}\n"));
                    return 4;
                }
            }
            None => ctx.outs(&out),
        }
        if let Some(code) = exit {
            return code;
        }
    }
    status
}
