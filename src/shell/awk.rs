//! A small, honest awk: what CKAD learners pipe kubectl into (`awk '{print $1}'`,
//! `awk -F: '{print $2}'`, `awk 'NR>1 && $3=="Running" {n++} END {print n}'`).
//!
//! Supported: `-F`, `-v`, `var=value` operands, `BEGIN`/`END`, patterns (expressions,
//! `/re/`, ranges `p1,p2`), `{ }` blocks, `if`/`else`, `while`, `do`, `for (;;)`,
//! `for (k in a)`, `break`, `continue`, `next`, `exit`, `delete`, `print` (`,` → OFS),
//! `printf`, fields (`$0 $1 $NF`, assignment rebuilds `$0`), `NR NF FNR FS OFS ORS
//! FILENAME RSTART RLENGTH SUBSEP CONVFMT OFMT ENVIRON`, associative arrays, `in`, string
//! concatenation, arithmetic (`+ - * / % ^`, `++`, `+=`...), comparisons (numeric or string
//! by POSIX's rules), `~ !~`, `&& || !`, `?:`, and the functions `length substr index split
//! sub gsub match sprintf tolower toupper int sqrt exp log sin cos atan2`.
//!
//! Anything else — `getline`, output redirection (`print > "f"`, `| "cmd"`), `system`,
//! user-defined functions, `rand`, another `RS` — fails with "kubedojo's awk does not
//! support ..." rather than printing something wrong. Messages and number output follow
//! mawk 1.3.4 (the `awk` of Debian and Ubuntu, so of the exam's terminal) on the
//! workstation and busybox awk inside containers.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::builtins::Ctx;
use super::cfmt;
use super::posix_re::{Dialect, Opts, Posix, Tool};

// ---------------------------------------------------------------------------------------
// Lexer

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Re(String),
    Name(String),
    /// A name directly followed by `(` (a function call).
    Func(String),
    Builtin(String),
    Kw(&'static str),
    Op(&'static str),
    Newline,
    Eof,
}

const KEYWORDS: &[&str] = &[
    "BEGIN", "END", "if", "else", "while", "for", "do", "break", "continue", "next", "exit", "print", "printf",
    "delete", "in", "getline", "function", "func", "nextfile",
];
const BUILTINS: &[&str] = &[
    "length", "substr", "index", "split", "sub", "gsub", "match", "sprintf", "tolower", "toupper", "int", "sqrt",
    "exp", "log", "sin", "cos", "atan2", "system", "close", "rand", "srand", "fflush",
];
const OPS: &[&str] = &[
    "**=", "&&", "||", "==", "<=", ">=", "!=", "++", "--", "+=", "-=", "*=", "/=", "%=", "^=", "**", "!~", ">>", "{",
    "}", "(", ")", "[", "]", ";", ",", "+", "-", "*", "/", "%", "^", "!", ">", "<", "|", "?", ":", "~", "$", "=",
];

/// A syntax error: line and the token text it happened near (mawk's words).
#[derive(Debug)]
struct SyntaxErr {
    line: usize,
    near: String,
    msg: Option<String>,
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, SyntaxErr> {
    let c: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut line = 1;
    let mut out: Vec<(Tok, usize)> = Vec::new();
    // Whether a `/` here would be division (after an operand) or start a regex.
    let operand_before = |out: &Vec<(Tok, usize)>| {
        matches!(
            out.last().map(|t| &t.0),
            Some(Tok::Num(_))
                | Some(Tok::Str(_))
                | Some(Tok::Name(_))
                | Some(Tok::Builtin(_))
                | Some(Tok::Op(")"))
                | Some(Tok::Op("]"))
                | Some(Tok::Op("$"))
                | Some(Tok::Op("++"))
                | Some(Tok::Op("--"))
        )
    };
    while i < c.len() {
        let ch = c[i];
        match ch {
            ' ' | '\t' | '\r' => i += 1,
            '\\' if c.get(i + 1) == Some(&'\n') => {
                i += 2;
                line += 1;
            }
            '\n' => {
                out.push((Tok::Newline, line));
                line += 1;
                i += 1;
            }
            '#' => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            '"' => {
                i += 1;
                let mut s = String::new();
                loop {
                    let Some(&x) = c.get(i) else {
                        return Err(SyntaxErr {
                            line,
                            near: String::new(),
                            msg: Some("runaway string constant".into()),
                        });
                    };
                    i += 1;
                    match x {
                        '"' => break,
                        '\n' => {
                            return Err(SyntaxErr {
                                line,
                                near: String::new(),
                                msg: Some(format!(
                                    "runaway string constant \"{} ...",
                                    s.chars().take(10).collect::<String>()
                                )),
                            })
                        }
                        '\\' => {
                            let Some(&e) = c.get(i) else { break };
                            i += 1;
                            match e {
                                'n' => s.push('\n'),
                                't' => s.push('\t'),
                                'r' => s.push('\r'),
                                '\\' => s.push('\\'),
                                '"' => s.push('"'),
                                '/' => s.push('/'),
                                'a' => s.push('\x07'),
                                'b' => s.push('\x08'),
                                'f' => s.push('\x0c'),
                                'v' => s.push('\x0b'),
                                '\n' => line += 1,
                                d if d.is_digit(8) => {
                                    let mut v = d.to_digit(8).unwrap_or(0);
                                    for _ in 0..2 {
                                        match c.get(i).and_then(|x| x.to_digit(8)) {
                                            Some(n) => {
                                                v = v * 8 + n;
                                                i += 1;
                                            }
                                            None => break,
                                        }
                                    }
                                    s.push(char::from_u32(v).unwrap_or('?'));
                                }
                                other => {
                                    s.push('\\');
                                    s.push(other);
                                }
                            }
                        }
                        x => s.push(x),
                    }
                }
                out.push((Tok::Str(s), line));
            }
            '/' if !operand_before(&out) => {
                i += 1;
                let mut s = String::new();
                let mut in_bracket = false;
                loop {
                    let Some(&x) = c.get(i) else {
                        return Err(SyntaxErr {
                            line,
                            near: String::new(),
                            msg: Some("runaway regular expression".into()),
                        });
                    };
                    i += 1;
                    if x == '\n' {
                        return Err(SyntaxErr {
                            line,
                            near: String::new(),
                            msg: Some(format!(
                                "runaway regular expression /{} ...",
                                s.chars().take(10).collect::<String>()
                            )),
                        });
                    }
                    if x == '\\' {
                        if let Some(&n) = c.get(i) {
                            i += 1;
                            if n == '/' {
                                s.push('/');
                            } else {
                                s.push('\\');
                                s.push(n);
                            }
                        }
                        continue;
                    }
                    if x == '[' && !in_bracket {
                        in_bracket = true;
                        s.push(x);
                        // `[]...]` and `[^]...]` keep the `]` literal.
                        if c.get(i) == Some(&'^') {
                            s.push('^');
                            i += 1;
                        }
                        if c.get(i) == Some(&']') {
                            s.push(']');
                            i += 1;
                        }
                        continue;
                    }
                    if x == ']' && in_bracket {
                        in_bracket = false;
                    }
                    if x == '/' && !in_bracket {
                        break;
                    }
                    s.push(x);
                }
                out.push((Tok::Re(s), line));
            }
            d if d.is_ascii_digit() || (d == '.' && c.get(i + 1).is_some_and(|x| x.is_ascii_digit())) => {
                let start = i;
                while i < c.len() && (c[i].is_ascii_digit() || c[i] == '.') {
                    i += 1;
                }
                if i < c.len() && (c[i] == 'e' || c[i] == 'E') {
                    let mut j = i + 1;
                    if j < c.len() && (c[j] == '+' || c[j] == '-') {
                        j += 1;
                    }
                    if j < c.len() && c[j].is_ascii_digit() {
                        i = j;
                        while i < c.len() && c[i].is_ascii_digit() {
                            i += 1;
                        }
                    }
                }
                let text: String = c[start..i].iter().collect();
                out.push((Tok::Num(str_to_num(&text)), line));
            }
            a if a.is_alphabetic() || a == '_' => {
                let start = i;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
                let w: String = c[start..i].iter().collect();
                let tok = if let Some(k) = KEYWORDS.iter().find(|k| **k == w) {
                    Tok::Kw(if *k == "func" { "function" } else { k })
                } else if BUILTINS.contains(&w.as_str()) {
                    Tok::Builtin(w)
                } else if c.get(i) == Some(&'(') {
                    Tok::Func(w)
                } else {
                    Tok::Name(w)
                };
                out.push((tok, line));
            }
            _ => {
                let three: String = c[i..(i + 3).min(c.len())].iter().collect();
                let two: String = c[i..(i + 2).min(c.len())].iter().collect();
                let op = OPS
                    .iter()
                    .find(|o| o.len() == 3 && **o == three)
                    .or_else(|| OPS.iter().find(|o| o.len() == 2 && **o == two))
                    .or_else(|| OPS.iter().find(|o| o.len() == 1 && o.starts_with(ch)));
                match op {
                    Some(o) => {
                        i += o.chars().count();
                        let o: &'static str = match *o {
                            "**" => "^",
                            "**=" => "^=",
                            o => o,
                        };
                        out.push((Tok::Op(o), line));
                    }
                    None => {
                        return Err(SyntaxErr { line, near: ch.to_string(), msg: None });
                    }
                }
            }
        }
    }
    out.push((Tok::Eof, line));
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// AST

#[derive(Clone, Debug)]
enum Expr {
    Num(f64),
    Str(String),
    /// A regex literal: alone it matches against `$0`.
    Re(Rc<Posix>),
    Var(String),
    Field(Box<Expr>),
    Index(String, Vec<Expr>),
    Assign(&'static str, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    In(Vec<Expr>, String),
    Match(bool, Box<Expr>, Box<Expr>),
    Cmp(&'static str, Box<Expr>, Box<Expr>),
    Concat(Box<Expr>, Box<Expr>),
    Bin(&'static str, Box<Expr>, Box<Expr>),
    Neg(Box<Expr>),
    Plus(Box<Expr>),
    IncDec {
        pre: bool,
        delta: f64,
        target: Box<Expr>,
    },
    Call(String, Vec<Expr>),
    /// `(a, b)` — only valid as the whole argument list of print.
    Group(Vec<Expr>),
}

#[derive(Clone, Debug)]
enum Stmt {
    Expr(Expr),
    Print(Vec<Expr>),
    Printf(Vec<Expr>),
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    While(Expr, Box<Stmt>),
    DoWhile(Box<Stmt>, Expr),
    For(Option<Box<Stmt>>, Option<Expr>, Option<Box<Stmt>>, Box<Stmt>),
    ForIn(String, String, Box<Stmt>),
    Block(Vec<Stmt>),
    Next,
    Exit(Option<Expr>),
    Break,
    Continue,
    Delete(String, Option<Vec<Expr>>),
}

#[derive(Clone, Debug)]
enum Pattern {
    All,
    Expr(Expr),
    Range(Expr, Expr),
}

#[derive(Clone, Debug)]
struct Item {
    pattern: Pattern,
    /// None: print `$0`.
    action: Option<Vec<Stmt>>,
}

#[derive(Debug, Default)]
struct Program {
    begin: Vec<Stmt>,
    items: Vec<Item>,
    end: Vec<Stmt>,
}

/// Parse errors: a syntax error or a feature kubedojo does not have.
enum PErr {
    Syntax(SyntaxErr),
    Unsupported(String),
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    i: usize,
    /// While parsing print's arguments, `>` is output redirection, not a comparison.
    no_gt: bool,
    /// While parsing `for (x in a)` heads and similar, `in` must not be consumed.
    no_in: bool,
}

fn tok_text(t: &Tok) -> String {
    match t {
        Tok::Num(n) => num_to_str(*n, "%.6g", false),
        Tok::Str(s) => format!("\"{s}\""),
        Tok::Re(r) => format!("/{r}/"),
        Tok::Name(n) | Tok::Func(n) | Tok::Builtin(n) => n.clone(),
        Tok::Kw(k) => k.to_string(),
        Tok::Op(o) => o.to_string(),
        Tok::Newline => "end of line".into(),
        Tok::Eof => "end of file".into(),
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.i.min(self.toks.len() - 1)].0
    }
    fn peek_at(&self, k: usize) -> &Tok {
        &self.toks[(self.i + k).min(self.toks.len() - 1)].0
    }
    fn line(&self) -> usize {
        self.toks[self.i.min(self.toks.len() - 1)].1
    }
    fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }
    fn err<T>(&self) -> Result<T, PErr> {
        if *self.peek() == Tok::Eof {
            // An unclosed block is the usual reason.
            let depth = self.toks.iter().fold(0i32, |d, (t, _)| match t {
                Tok::Op("{") => d + 1,
                Tok::Op("}") => d - 1,
                _ => d,
            });
            if depth > 0 {
                return Err(PErr::Syntax(SyntaxErr {
                    line: self.line(),
                    near: String::new(),
                    msg: Some("missing } near end of file".into()),
                }));
            }
        }
        Err(PErr::Syntax(SyntaxErr { line: self.line(), near: tok_text(self.peek()), msg: None }))
    }
    fn unsupported<T>(&self, what: &str) -> Result<T, PErr> {
        Err(PErr::Unsupported(what.to_string()))
    }
    fn is_op(&self, o: &str) -> bool {
        matches!(self.peek(), Tok::Op(x) if *x == o)
    }
    fn is_kw(&self, k: &str) -> bool {
        matches!(self.peek(), Tok::Kw(x) if *x == k)
    }
    fn expect_op(&mut self, o: &str) -> Result<(), PErr> {
        if self.is_op(o) {
            self.bump();
            Ok(())
        } else {
            self.err()
        }
    }
    fn newlines(&mut self) {
        while *self.peek() == Tok::Newline {
            self.bump();
        }
    }
    /// Statement terminators: `;`, newlines (any number).
    fn terminators(&mut self) {
        while matches!(self.peek(), Tok::Newline | Tok::Op(";")) {
            self.bump();
        }
    }

    fn program(&mut self) -> Result<Program, PErr> {
        let mut p = Program::default();
        loop {
            self.terminators();
            match self.peek().clone() {
                Tok::Eof => break,
                Tok::Kw("BEGIN") => {
                    self.bump();
                    self.newlines();
                    if !self.is_op("{") {
                        return self.err();
                    }
                    p.begin.extend(self.block()?);
                }
                Tok::Kw("END") => {
                    self.bump();
                    self.newlines();
                    if !self.is_op("{") {
                        return self.err();
                    }
                    p.end.extend(self.block()?);
                }
                Tok::Kw("function") => return self.unsupported("user-defined functions"),
                Tok::Op("{") => {
                    let b = self.block()?;
                    p.items.push(Item { pattern: Pattern::All, action: Some(b) });
                }
                _ => {
                    let e = self.expr()?;
                    let pattern = if self.is_op(",") {
                        self.bump();
                        self.newlines();
                        Pattern::Range(e, self.expr()?)
                    } else {
                        Pattern::Expr(e)
                    };
                    let action = if self.is_op("{") { Some(self.block()?) } else { None };
                    if action.is_none() && !matches!(self.peek(), Tok::Newline | Tok::Op(";") | Tok::Eof) {
                        return self.err();
                    }
                    p.items.push(Item { pattern, action });
                }
            }
        }
        Ok(p)
    }

    fn block(&mut self) -> Result<Vec<Stmt>, PErr> {
        self.expect_op("{")?;
        let mut v = Vec::new();
        loop {
            self.terminators();
            if self.is_op("}") {
                self.bump();
                return Ok(v);
            }
            if *self.peek() == Tok::Eof {
                return self.err();
            }
            v.push(self.stmt()?);
        }
    }

    /// After a simple statement: `;`, newline, or a following `}`.
    fn end_simple(&mut self) -> Result<(), PErr> {
        match self.peek() {
            Tok::Op(";") | Tok::Newline => {
                self.bump();
                Ok(())
            }
            Tok::Op("}") | Tok::Eof => Ok(()),
            _ => self.err(),
        }
    }

    fn simple_or_block(&mut self) -> Result<Stmt, PErr> {
        self.newlines();
        if self.is_op(";") {
            self.bump();
            return Ok(Stmt::Block(vec![]));
        }
        self.stmt()
    }

    fn stmt(&mut self) -> Result<Stmt, PErr> {
        match self.peek().clone() {
            Tok::Op("{") => Ok(Stmt::Block(self.block()?)),
            Tok::Kw("if") => {
                self.bump();
                self.expect_op("(")?;
                let c = self.expr()?;
                self.expect_op(")")?;
                let then = self.simple_or_block()?;
                // `else` may follow newlines or a `;`.
                let save = self.i;
                self.terminators();
                if self.is_kw("else") {
                    self.bump();
                    let els = self.simple_or_block()?;
                    Ok(Stmt::If(c, Box::new(then), Some(Box::new(els))))
                } else {
                    self.i = save;
                    Ok(Stmt::If(c, Box::new(then), None))
                }
            }
            Tok::Kw("while") => {
                self.bump();
                self.expect_op("(")?;
                let c = self.expr()?;
                self.expect_op(")")?;
                if self.is_op(";") {
                    self.bump();
                    return Ok(Stmt::While(c, Box::new(Stmt::Block(vec![]))));
                }
                let body = self.simple_or_block()?;
                Ok(Stmt::While(c, Box::new(body)))
            }
            Tok::Kw("do") => {
                self.bump();
                let body = self.simple_or_block()?;
                self.terminators();
                if !self.is_kw("while") {
                    return self.err();
                }
                self.bump();
                self.expect_op("(")?;
                let c = self.expr()?;
                self.expect_op(")")?;
                self.end_simple()?;
                Ok(Stmt::DoWhile(Box::new(body), c))
            }
            Tok::Kw("for") => {
                self.bump();
                self.expect_op("(")?;
                // `for (k in a)`.
                if let (Tok::Name(k), Tok::Kw("in"), Tok::Name(a), Tok::Op(")")) =
                    (self.peek().clone(), self.peek_at(1).clone(), self.peek_at(2).clone(), self.peek_at(3).clone())
                {
                    self.i += 4;
                    let body = self.simple_or_block()?;
                    return Ok(Stmt::ForIn(k, a, Box::new(body)));
                }
                let init = if self.is_op(";") { None } else { Some(Box::new(Stmt::Expr(self.expr()?))) };
                self.expect_op(";")?;
                self.newlines();
                let cond = if self.is_op(";") { None } else { Some(self.expr()?) };
                self.expect_op(";")?;
                self.newlines();
                let upd = if self.is_op(")") { None } else { Some(Box::new(Stmt::Expr(self.expr()?))) };
                self.expect_op(")")?;
                if self.is_op(";") {
                    self.bump();
                    return Ok(Stmt::For(init, cond, upd, Box::new(Stmt::Block(vec![]))));
                }
                let body = self.simple_or_block()?;
                Ok(Stmt::For(init, cond, upd, Box::new(body)))
            }
            Tok::Kw("break") => {
                self.bump();
                self.end_simple()?;
                Ok(Stmt::Break)
            }
            Tok::Kw("continue") => {
                self.bump();
                self.end_simple()?;
                Ok(Stmt::Continue)
            }
            Tok::Kw("next") => {
                self.bump();
                self.end_simple()?;
                Ok(Stmt::Next)
            }
            Tok::Kw("exit") => {
                self.bump();
                let e = if matches!(self.peek(), Tok::Op(";") | Tok::Op("}") | Tok::Newline | Tok::Eof) {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.end_simple()?;
                Ok(Stmt::Exit(e))
            }
            Tok::Kw("delete") => {
                self.bump();
                let Tok::Name(a) = self.bump() else { return self.err() };
                let idx = if self.is_op("[") {
                    self.bump();
                    let v = self.expr_list("]")?;
                    Some(v)
                } else {
                    None
                };
                self.end_simple()?;
                Ok(Stmt::Delete(a, idx))
            }
            Tok::Kw("print") | Tok::Kw("printf") => {
                let is_printf = self.is_kw("printf");
                self.bump();
                let mut args = Vec::new();
                if !matches!(
                    self.peek(),
                    Tok::Op(";") | Tok::Op("}") | Tok::Newline | Tok::Eof | Tok::Op(">") | Tok::Op("|") | Tok::Op(">>")
                ) {
                    self.no_gt = true;
                    let r = self.expr_list_print();
                    self.no_gt = false;
                    args = r?;
                }
                if matches!(self.peek(), Tok::Op(">") | Tok::Op(">>") | Tok::Op("|")) {
                    return self.unsupported("output redirection (print > file, print | command)");
                }
                if is_printf && args.is_empty() {
                    return self.err();
                }
                self.end_simple()?;
                Ok(if is_printf { Stmt::Printf(args) } else { Stmt::Print(args) })
            }
            Tok::Kw("getline") => self.unsupported("getline"),
            Tok::Kw("nextfile") => self.unsupported("nextfile"),
            Tok::Op(";") => {
                self.bump();
                Ok(Stmt::Block(vec![]))
            }
            _ => {
                let e = self.expr()?;
                self.end_simple()?;
                Ok(Stmt::Expr(e))
            }
        }
    }

    /// print's arguments: `a, b`, or `(a, b)` as a whole.
    fn expr_list_print(&mut self) -> Result<Vec<Expr>, PErr> {
        let first = self.expr()?;
        if let Expr::Group(v) = first {
            if matches!(
                self.peek(),
                Tok::Op(";") | Tok::Op("}") | Tok::Newline | Tok::Eof | Tok::Op(">") | Tok::Op("|") | Tok::Op(">>")
            ) {
                return Ok(v);
            }
            return self.err();
        }
        let mut v = vec![first];
        while self.is_op(",") {
            self.bump();
            self.newlines();
            v.push(self.expr()?);
        }
        Ok(v)
    }

    fn expr_list(&mut self, close: &str) -> Result<Vec<Expr>, PErr> {
        let mut v = Vec::new();
        self.newlines();
        if self.is_op(close) {
            self.bump();
            return Ok(v);
        }
        let saved = (self.no_gt, self.no_in);
        self.no_gt = false;
        self.no_in = false;
        loop {
            v.push(self.expr()?);
            self.newlines();
            if self.is_op(",") {
                self.bump();
                self.newlines();
                continue;
            }
            break;
        }
        (self.no_gt, self.no_in) = saved;
        self.expect_op(close)?;
        Ok(v)
    }

    fn expr(&mut self) -> Result<Expr, PErr> {
        self.ternary()
    }

    fn is_lvalue(e: &Expr) -> bool {
        matches!(e, Expr::Var(_) | Expr::Field(_) | Expr::Index(..))
    }

    fn ternary(&mut self) -> Result<Expr, PErr> {
        let c = self.or()?;
        if self.is_op("?") {
            self.bump();
            self.newlines();
            let a = self.ternary()?;
            self.newlines();
            self.expect_op(":")?;
            self.newlines();
            let b = self.ternary()?;
            return Ok(Expr::Cond(Box::new(c), Box::new(a), Box::new(b)));
        }
        // Assignment (right associative) when the left side is an lvalue.
        if let Tok::Op(op @ ("=" | "+=" | "-=" | "*=" | "/=" | "%=" | "^=")) = self.peek().clone() {
            if Self::is_lvalue(&c) {
                self.bump();
                self.newlines();
                let v = self.ternary()?;
                return Ok(Expr::Assign(op, Box::new(c), Box::new(v)));
            }
        }
        Ok(c)
    }

    fn or(&mut self) -> Result<Expr, PErr> {
        let mut l = self.and()?;
        while self.is_op("||") {
            self.bump();
            self.newlines();
            let r = self.and()?;
            l = Expr::Or(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Expr, PErr> {
        let mut l = self.in_expr()?;
        while self.is_op("&&") {
            self.bump();
            self.newlines();
            let r = self.in_expr()?;
            l = Expr::And(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn in_expr(&mut self) -> Result<Expr, PErr> {
        let mut l = self.matching()?;
        while self.is_kw("in") && !self.no_in {
            self.bump();
            let Tok::Name(a) = self.bump() else { return self.err() };
            let keys = match l {
                Expr::Group(v) => v,
                other => vec![other],
            };
            l = Expr::In(keys, a);
        }
        Ok(l)
    }

    fn matching(&mut self) -> Result<Expr, PErr> {
        let mut l = self.comparison()?;
        loop {
            let neg = match self.peek() {
                Tok::Op("~") => false,
                Tok::Op("!~") => true,
                _ => return Ok(l),
            };
            self.bump();
            let r = self.comparison()?;
            l = Expr::Match(neg, Box::new(l), Box::new(r));
        }
    }

    fn comparison(&mut self) -> Result<Expr, PErr> {
        let l = self.concat()?;
        let op = match self.peek() {
            Tok::Op(o @ ("<" | "<=" | "!=" | "==" | ">=")) => *o,
            Tok::Op(">") if !self.no_gt => ">",
            _ => return Ok(l),
        };
        self.bump();
        let r = self.concat()?;
        Ok(Expr::Cmp(op, Box::new(l), Box::new(r)))
    }

    /// Whether the next token can start an operand of a concatenation.
    fn starts_operand(&self) -> bool {
        match self.peek() {
            Tok::Num(_) | Tok::Str(_) | Tok::Re(_) | Tok::Name(_) | Tok::Func(_) | Tok::Builtin(_) => true,
            Tok::Op(o) => matches!(*o, "$" | "(" | "++" | "--"),
            Tok::Kw("getline") => true,
            _ => false,
        }
    }

    fn concat(&mut self) -> Result<Expr, PErr> {
        let mut l = self.additive()?;
        while self.starts_operand() {
            let r = self.additive()?;
            l = Expr::Concat(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn additive(&mut self) -> Result<Expr, PErr> {
        let mut l = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Tok::Op(o @ ("+" | "-")) => *o,
                _ => return Ok(l),
            };
            self.bump();
            let r = self.multiplicative()?;
            l = Expr::Bin(op, Box::new(l), Box::new(r));
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, PErr> {
        let mut l = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Op(o @ ("*" | "/" | "%")) => *o,
                _ => return Ok(l),
            };
            self.bump();
            let r = self.unary()?;
            l = Expr::Bin(op, Box::new(l), Box::new(r));
        }
    }

    fn unary(&mut self) -> Result<Expr, PErr> {
        match self.peek() {
            Tok::Op("!") => {
                self.bump();
                Ok(Expr::Not(Box::new(self.unary()?)))
            }
            Tok::Op("-") => {
                self.bump();
                Ok(Expr::Neg(Box::new(self.unary()?)))
            }
            Tok::Op("+") => {
                self.bump();
                Ok(Expr::Plus(Box::new(self.unary()?)))
            }
            _ => self.power(),
        }
    }

    fn power(&mut self) -> Result<Expr, PErr> {
        let base = self.postfix()?;
        if self.is_op("^") {
            self.bump();
            // Right associative, and binds tighter than unary minus on its left only.
            let e = self.unary_pow()?;
            return Ok(Expr::Bin("^", Box::new(base), Box::new(e)));
        }
        Ok(base)
    }

    fn unary_pow(&mut self) -> Result<Expr, PErr> {
        match self.peek() {
            Tok::Op("-") => {
                self.bump();
                Ok(Expr::Neg(Box::new(self.unary_pow()?)))
            }
            Tok::Op("+") => {
                self.bump();
                Ok(Expr::Plus(Box::new(self.unary_pow()?)))
            }
            _ => self.power(),
        }
    }

    fn postfix(&mut self) -> Result<Expr, PErr> {
        let e = self.primary()?;
        if Self::is_lvalue(&e) {
            if self.is_op("++") {
                self.bump();
                return Ok(Expr::IncDec { pre: false, delta: 1.0, target: Box::new(e) });
            }
            if self.is_op("--") {
                self.bump();
                return Ok(Expr::IncDec { pre: false, delta: -1.0, target: Box::new(e) });
            }
        }
        Ok(e)
    }

    fn primary(&mut self) -> Result<Expr, PErr> {
        match self.bump() {
            Tok::Num(n) => Ok(Expr::Num(n)),
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::Re(r) => match compile_ere(&r) {
                Ok(p) => Ok(Expr::Re(Rc::new(p))),
                Err(e) => Err(PErr::Syntax(SyntaxErr {
                    line: self.line(),
                    near: String::new(),
                    msg: Some(format!("regular expression compile failed ({e})\n{r}")),
                })),
            },
            Tok::Op("$") => {
                // `$` binds tighter than everything but grouping and increments.
                let e = match self.peek() {
                    Tok::Op("++") | Tok::Op("--") => {
                        let delta = if self.is_op("++") { 1.0 } else { -1.0 };
                        self.bump();
                        let t = self.primary()?;
                        Expr::IncDec { pre: true, delta, target: Box::new(t) }
                    }
                    Tok::Op("-") => {
                        self.bump();
                        Expr::Neg(Box::new(self.primary()?))
                    }
                    _ => self.primary()?,
                };
                Ok(Expr::Field(Box::new(e)))
            }
            Tok::Op("++") | Tok::Op("--") => {
                let delta = if self.toks[self.i - 1].0 == Tok::Op("++") { 1.0 } else { -1.0 };
                let t = self.primary()?;
                if !Self::is_lvalue(&t) {
                    return self.err();
                }
                Ok(Expr::IncDec { pre: true, delta, target: Box::new(t) })
            }
            Tok::Op("(") => {
                let saved = (self.no_gt, self.no_in);
                self.no_gt = false;
                self.no_in = false;
                self.newlines();
                let first = self.expr()?;
                self.newlines();
                let r = if self.is_op(",") {
                    let mut v = vec![first];
                    while self.is_op(",") {
                        self.bump();
                        self.newlines();
                        v.push(self.expr()?);
                        self.newlines();
                    }
                    self.expect_op(")")?;
                    Expr::Group(v)
                } else {
                    self.expect_op(")")?;
                    first
                };
                (self.no_gt, self.no_in) = saved;
                Ok(r)
            }
            Tok::Name(n) => {
                if self.is_op("[") {
                    self.bump();
                    let idx = self.expr_list("]")?;
                    return Ok(Expr::Index(n, idx));
                }
                Ok(Expr::Var(n))
            }
            Tok::Func(_) => self.unsupported("user-defined functions"),
            Tok::Builtin(b) => {
                match b.as_str() {
                    "system" => return self.unsupported("system()"),
                    "close" | "fflush" => return self.unsupported(&format!("{b}()")),
                    "rand" | "srand" => return self.unsupported("rand() and srand()"),
                    _ => {}
                }
                if self.is_op("(") {
                    self.bump();
                    let args = self.expr_list(")")?;
                    return Ok(Expr::Call(b, args));
                }
                if b == "length" {
                    return Ok(Expr::Call(b, vec![]));
                }
                self.err()
            }
            Tok::Kw("getline") => self.unsupported("getline"),
            _ => {
                self.i -= 1;
                self.err()
            }
        }
    }
}

fn compile_ere(src: &str) -> Result<Posix, super::posix_re::ReError> {
    Posix::new(src, Opts::new(Dialect::Extended, Tool::Awk))
}

// ---------------------------------------------------------------------------------------
// Values

#[derive(Clone, Debug)]
enum V {
    Num(f64),
    Str(String),
    /// From input (fields, `-v`, `split`): a number if it looks like one.
    StrNum(String),
    Uninit,
}

/// awk's string-to-number: the longest numeric prefix, after blanks; 0 if none.
fn str_to_num(s: &str) -> f64 {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let b = t.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i == digits_start || (i == digits_start + 1 && b[digits_start] == b'.') {
        return 0.0;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    t[..i].parse().unwrap_or(0.0)
}

/// Whether an input string is a number as a whole (POSIX's "numeric string").
fn looks_numeric(s: &str) -> bool {
    let t = s.trim_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    if t.is_empty() {
        return false;
    }
    let b = t.as_bytes();
    let mut i = 0;
    if b[0] == b'+' || b[0] == b'-' {
        i = 1;
    }
    let mut digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s {
            return false;
        }
    }
    i == b.len()
}

/// Number to string: integers as integers (mawk: within 32-bit int range, busybox: any
/// integral value), others with `fmt` (CONVFMT/OFMT, `%.6g`).
fn num_to_str(x: f64, fmt: &str, bb: bool) -> String {
    if x.is_nan() {
        return if x.is_sign_negative() { "-nan".into() } else { "nan".into() };
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf".into() } else { "inf".into() };
    }
    let integral = x == x.trunc();
    if integral && ((!bb && x.abs() <= 2147483647.0) || (bb && x.abs() < 9.2e18)) {
        return format!("{}", x as i64);
    }
    sprintf(fmt, &[V::Num(x)], bb).unwrap_or_else(|_| format!("{x}"))
}

fn to_num(v: &V) -> f64 {
    match v {
        V::Num(n) => *n,
        V::Str(s) | V::StrNum(s) => str_to_num(s),
        V::Uninit => 0.0,
    }
}

fn truthy(v: &V) -> bool {
    match v {
        V::Num(n) => *n != 0.0,
        V::Str(s) => !s.is_empty(),
        V::StrNum(s) => {
            if looks_numeric(s) {
                str_to_num(s) != 0.0
            } else {
                !s.is_empty()
            }
        }
        V::Uninit => false,
    }
}

/// C-style `sprintf` over awk values.
fn sprintf(fmt: &str, args: &[V], bb: bool) -> Result<String, String> {
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut ai = 0;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        if chars.get(i + 1) == Some(&'%') {
            out.push('%');
            i += 2;
            continue;
        }
        let mut missing = false;
        let mut star = || {
            let v = args.get(ai).map(to_num);
            ai += 1;
            if v.is_none() {
                missing = true;
            }
            v
        };
        let Some((spec, conv, next)) = cfmt::parse_spec(&chars, i + 1, &mut star) else {
            out.extend(&chars[i..]);
            break;
        };
        if !matches!(conv, 'c' | 'd' | 'i' | 'o' | 'x' | 'X' | 'u' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 's') {
            out.extend(&chars[i..next]);
            i = next;
            continue;
        }
        let arg = args.get(ai).cloned();
        ai += 1;
        let Some(arg) = arg.filter(|_| !missing) else {
            if bb {
                // busybox prints nothing for a missing argument.
                i = next;
                continue;
            }
            return Err(format!("not enough arguments passed to sprintf(\"{fmt}\")"));
        };
        let s = match conv {
            'c' => {
                let body = match &arg {
                    V::Num(n) => char::from_u32(*n as u32).map(String::from).unwrap_or_default(),
                    other => val_str(other, "%.6g", bb).chars().next().map(String::from).unwrap_or_default(),
                };
                cfmt::fmt_str(&body, &cfmt::SpecFmt { prec: None, ..spec })
            }
            'd' | 'i' | 'o' | 'x' | 'X' | 'u' => cfmt::fmt_int(to_num(&arg), conv, &spec),
            's' => cfmt::fmt_str(&val_str(&arg, "%.6g", bb), &spec),
            _ => cfmt::fmt_float(to_num(&arg), conv, &spec),
        };
        out.push_str(&s);
        i = next;
    }
    Ok(out)
}

fn val_str(v: &V, convfmt: &str, bb: bool) -> String {
    match v {
        V::Num(n) => num_to_str(*n, convfmt, bb),
        V::Str(s) | V::StrNum(s) => s.clone(),
        V::Uninit => String::new(),
    }
}

/// An associative array, iterated in insertion order.
#[derive(Clone, Debug, Default)]
struct Arr {
    entries: Vec<(String, V)>,
}

impl Arr {
    fn get(&self, k: &str) -> Option<&V> {
        self.entries.iter().find(|(x, _)| x == k).map(|(_, v)| v)
    }
    fn set(&mut self, k: String, v: V) {
        match self.entries.iter_mut().find(|(x, _)| *x == k) {
            Some(e) => e.1 = v,
            None => self.entries.push((k, v)),
        }
    }
    fn remove(&mut self, k: &str) {
        self.entries.retain(|(x, _)| x != k);
    }
}

// ---------------------------------------------------------------------------------------
// Interpreter

enum Ctrl {
    Normal,
    Next,
    Exit,
    Break,
    Continue,
}

/// The most statements one awk run may execute (an endless loop must not hang a tick).
const MAX_STEPS: u64 = 5_000_000;

struct Awk {
    vars: BTreeMap<String, V>,
    arrays: BTreeMap<String, Arr>,
    record: String,
    fields: Vec<String>,
    /// `fields` is stale (after `$0` changed).
    split_pending: bool,
    out: String,
    bb: bool,
    regex_cache: BTreeMap<String, Rc<Posix>>,
    exit_code: i32,
    steps: u64,
    range_active: Vec<bool>,
}

type R<T> = Result<T, String>;

impl Awk {
    fn var(&self, n: &str) -> V {
        self.vars.get(n).cloned().unwrap_or(V::Uninit)
    }
    fn var_str(&self, n: &str) -> String {
        let c = self.convfmt();
        val_str(&self.var(n), &c, self.bb)
    }
    fn convfmt(&self) -> String {
        match self.vars.get("CONVFMT") {
            Some(v) => val_str(v, "%.6g", self.bb),
            None => "%.6g".into(),
        }
    }
    fn str_of(&self, v: &V) -> String {
        val_str(v, &self.convfmt(), self.bb)
    }
    fn out_str(&self, v: &V) -> String {
        let ofmt = self.vars.get("OFMT").map(|v| val_str(v, "%.6g", self.bb)).unwrap_or_else(|| "%.6g".into());
        val_str(v, &ofmt, self.bb)
    }

    fn regex(&mut self, src: &str) -> R<Rc<Posix>> {
        if let Some(r) = self.regex_cache.get(src) {
            return Ok(r.clone());
        }
        let r = Rc::new(compile_ere(src).map_err(|e| format!("regular expression compile failed ({e})\n{src}"))?);
        self.regex_cache.insert(src.to_string(), r.clone());
        Ok(r)
    }

    fn set_record(&mut self, s: String) {
        self.record = s;
        self.split_pending = true;
    }

    fn split_fields(&mut self) -> R<()> {
        if !self.split_pending {
            return Ok(());
        }
        self.split_pending = false;
        let fs = self.var_str("FS");
        let rec = self.record.clone();
        self.fields = self.split_with(&rec, &fs)?;
        let nf = self.fields.len();
        self.vars.insert("NF".into(), V::Num(nf as f64));
        Ok(())
    }

    fn split_with(&mut self, s: &str, fs: &str) -> R<Vec<String>> {
        if s.is_empty() {
            return Ok(vec![]);
        }
        Ok(if fs == " " {
            s.split([' ', '\t', '\n']).filter(|x| !x.is_empty()).map(String::from).collect()
        } else if fs.is_empty() {
            s.chars().map(String::from).collect()
        } else if fs.chars().count() == 1 && fs != "\\" {
            s.split(fs).map(String::from).collect()
        } else {
            let re = self.regex(fs)?;
            let mut v = Vec::new();
            let mut last = 0;
            for (a, b) in re.find_all(s) {
                if b > a {
                    v.push(s[last..a].to_string());
                    last = b;
                }
            }
            v.push(s[last..].to_string());
            v
        })
    }

    fn get_field(&mut self, i: usize) -> R<V> {
        if i == 0 {
            return Ok(V::StrNum(self.record.clone()));
        }
        self.split_fields()?;
        Ok(match self.fields.get(i - 1) {
            Some(f) => V::StrNum(f.clone()),
            None => V::Uninit,
        })
    }

    fn rebuild(&mut self) {
        let ofs = self.var_str("OFS");
        self.record = self.fields.join(&ofs);
    }

    fn set_field(&mut self, i: usize, v: String) -> R<()> {
        if i == 0 {
            self.set_record(v);
            return Ok(());
        }
        self.split_fields()?;
        if i > 100_000 {
            return Err(format!("field index ${i} is too large"));
        }
        if self.fields.len() < i {
            self.fields.resize(i, String::new());
        }
        self.fields[i - 1] = v;
        let nf = self.fields.len();
        self.vars.insert("NF".into(), V::Num(nf as f64));
        self.rebuild();
        Ok(())
    }

    fn set_var(&mut self, n: &str, v: V) -> R<()> {
        match n {
            "NF" => {
                self.split_fields()?;
                let nf = to_num(&v).max(0.0) as usize;
                self.fields.resize(nf, String::new());
                self.vars.insert("NF".into(), V::Num(nf as f64));
                self.rebuild();
                return Ok(());
            }
            "RS" => {
                let s = self.str_of(&v);
                if s != "\n" {
                    return Err("kubedojo's awk does not support a record separator (RS) other than a newline".into());
                }
            }
            _ => {}
        }
        if self.arrays.contains_key(n) {
            return Err(format!("can't assign to {n}; it's an array name."));
        }
        self.vars.insert(n.to_string(), v);
        Ok(())
    }

    fn subscript(&mut self, idx: &[Expr]) -> R<String> {
        let mut parts = Vec::new();
        for e in idx {
            let v = self.eval(e)?;
            parts.push(self.str_of(&v));
        }
        let sep = self.var_str("SUBSEP");
        Ok(parts.join(&sep))
    }

    fn array(&mut self, n: &str) -> R<&mut Arr> {
        if self.vars.contains_key(n) {
            return Err(format!("can't use scalar {n} as array"));
        }
        Ok(self.arrays.entry(n.to_string()).or_default())
    }

    fn assign(&mut self, target: &Expr, v: V) -> R<V> {
        match target {
            Expr::Var(n) => self.set_var(n, v.clone())?,
            Expr::Field(e) => {
                let i = to_num(&self.eval(e)?);
                if i < 0.0 {
                    return Err(format!("negative field index ${i}"));
                }
                let s = self.str_of(&v);
                self.set_field(i as usize, s)?;
            }
            Expr::Index(n, idx) => {
                let k = self.subscript(idx)?;
                self.array(n)?.set(k, v.clone());
            }
            _ => return Err("assignment to a non-variable".into()),
        }
        Ok(v)
    }

    fn compare(&self, op: &str, a: &V, b: &V) -> bool {
        let numeric = |v: &V| match v {
            V::Num(_) | V::Uninit => true,
            V::StrNum(s) => looks_numeric(s),
            V::Str(_) => false,
        };
        let ord = if numeric(a) && numeric(b) {
            to_num(a).partial_cmp(&to_num(b)).unwrap_or(std::cmp::Ordering::Equal)
        } else {
            self.str_of(a).cmp(&self.str_of(b))
        };
        use std::cmp::Ordering::*;
        match op {
            "<" => ord == Less,
            "<=" => ord != Greater,
            ">" => ord == Greater,
            ">=" => ord != Less,
            "==" => ord == Equal,
            _ => ord != Equal,
        }
    }

    /// The regex a `~` right side or a function argument denotes.
    fn regex_of(&mut self, e: &Expr) -> R<Rc<Posix>> {
        if let Expr::Re(r) = e {
            return Ok(r.clone());
        }
        let v = self.eval(e)?;
        let s = self.str_of(&v);
        self.regex(&s)
    }

    fn eval(&mut self, e: &Expr) -> R<V> {
        Ok(match e {
            Expr::Num(n) => V::Num(*n),
            Expr::Str(s) => V::Str(s.clone()),
            Expr::Re(r) => V::Num(f64::from(u8::from(r.is_match(&self.record)))),
            Expr::Var(n) => {
                if n == "NF" {
                    self.split_fields()?;
                }
                if self.arrays.contains_key(n) {
                    return Err(format!("can't use array {n} in scalar context"));
                }
                self.var(n)
            }
            Expr::Field(i) => {
                let i = to_num(&self.eval(i)?);
                if i < 0.0 {
                    return Err(format!("negative field index ${}", i as i64));
                }
                self.get_field(i as usize)?
            }
            Expr::Index(n, idx) => {
                let k = self.subscript(idx)?;
                let arr = self.array(n)?;
                match arr.get(&k) {
                    Some(v) => v.clone(),
                    None => {
                        // Referencing an element creates it.
                        arr.set(k, V::Uninit);
                        V::Uninit
                    }
                }
            }
            Expr::Assign(op, t, v) => {
                let rhs = self.eval(v)?;
                let val = if *op == "=" {
                    rhs
                } else {
                    let cur = to_num(&self.eval(t)?);
                    let r = to_num(&rhs);
                    V::Num(arith(&op[..1], cur, r))
                };
                self.assign(t, val)?
            }
            Expr::Cond(c, a, b) => {
                if truthy(&self.eval(c)?) {
                    self.eval(a)?
                } else {
                    self.eval(b)?
                }
            }
            Expr::And(a, b) => V::Num(f64::from(u8::from(truthy(&self.eval(a)?) && truthy(&self.eval(b)?)))),
            Expr::Or(a, b) => V::Num(f64::from(u8::from(truthy(&self.eval(a)?) || truthy(&self.eval(b)?)))),
            Expr::Not(a) => V::Num(f64::from(u8::from(!truthy(&self.eval(a)?)))),
            Expr::In(keys, a) => {
                let k = self.subscript(keys)?;
                let has = self.array(a)?.get(&k).is_some();
                V::Num(f64::from(u8::from(has)))
            }
            Expr::Match(neg, l, r) => {
                let v = self.eval(l)?;
                let s = self.str_of(&v);
                let re = self.regex_of(r)?;
                V::Num(f64::from(u8::from(re.is_match(&s) != *neg)))
            }
            Expr::Cmp(op, a, b) => {
                let (x, y) = (self.eval(a)?, self.eval(b)?);
                V::Num(f64::from(u8::from(self.compare(op, &x, &y))))
            }
            Expr::Concat(a, b) => {
                let x = self.eval(a)?;
                let x = self.str_of(&x);
                let y = self.eval(b)?;
                V::Str(x + &self.str_of(&y))
            }
            Expr::Bin(op, a, b) => {
                let x = to_num(&self.eval(a)?);
                let y = to_num(&self.eval(b)?);
                if (*op == "/" || *op == "%") && y == 0.0 && self.bb {
                    return Err("Division by zero".into());
                }
                V::Num(arith(op, x, y))
            }
            Expr::Neg(a) => V::Num(-to_num(&self.eval(a)?)),
            Expr::Plus(a) => V::Num(to_num(&self.eval(a)?)),
            Expr::IncDec { pre, delta, target } => {
                let cur = to_num(&self.eval(target)?);
                self.assign(target, V::Num(cur + delta))?;
                V::Num(if *pre { cur + delta } else { cur })
            }
            Expr::Call(name, args) => self.call(name, args)?,
            Expr::Group(v) => {
                // `(a, b)` outside print/in: awk reports a syntax error; we evaluate the last.
                let mut last = V::Uninit;
                for e in v {
                    last = self.eval(e)?;
                }
                last
            }
        })
    }

    fn call(&mut self, name: &str, args: &[Expr]) -> R<V> {
        let argc_err = |n: &str| Err(format!("wrong number of arguments in call to {n}"));
        let num_arg = |s: &mut Self, i: usize| -> R<f64> { Ok(to_num(&s.eval(&args[i])?)) };
        Ok(match name {
            "length" => match args {
                [] => V::Num(self.record.chars().count() as f64),
                [Expr::Var(n)] if self.arrays.contains_key(n) => {
                    V::Num(self.arrays.get(n).map_or(0, |a| a.entries.len()) as f64)
                }
                [a] => {
                    let v = self.eval(a)?;
                    V::Num(self.str_of(&v).chars().count() as f64)
                }
                _ => return argc_err(name),
            },
            "substr" => {
                if args.len() < 2 || args.len() > 3 {
                    return argc_err(name);
                }
                let v = self.eval(&args[0])?;
                let s: Vec<char> = self.str_of(&v).chars().collect();
                let m = num_arg(self, 1)?;
                let n = if args.len() == 3 { num_arg(self, 2)? } else { f64::INFINITY };
                // POSIX: characters from position m through m+n-1 (1-based, rounded).
                let start = m.round();
                let end = if n.is_infinite() { f64::INFINITY } else { (m + n).round() };
                let from = start.max(1.0);
                let to = end.min(s.len() as f64 + 1.0);
                if to <= from || from.is_nan() || to.is_nan() {
                    V::Str(String::new())
                } else {
                    V::Str(s[(from as usize - 1)..(to as usize - 1)].iter().collect())
                }
            }
            "index" => {
                if args.len() != 2 {
                    return argc_err(name);
                }
                let a = self.eval(&args[0])?;
                let b = self.eval(&args[1])?;
                let (a, b) = (self.str_of(&a), self.str_of(&b));
                V::Num(match a.find(&b) {
                    Some(i) => (a[..i].chars().count() + 1) as f64,
                    None => 0.0,
                })
            }
            "split" => {
                if args.len() < 2 || args.len() > 3 {
                    return argc_err(name);
                }
                let v = self.eval(&args[0])?;
                let s = self.str_of(&v);
                let Expr::Var(arr) = &args[1] else {
                    return Err("split: second argument must be an array name".into());
                };
                let parts = match args.get(2) {
                    None => {
                        let fs = self.var_str("FS");
                        self.split_with(&s, &fs)?
                    }
                    Some(Expr::Re(r)) => {
                        let mut v = Vec::new();
                        let mut last = 0;
                        if !s.is_empty() {
                            for (a, b) in r.find_all(&s) {
                                if b > a {
                                    v.push(s[last..a].to_string());
                                    last = b;
                                }
                            }
                            v.push(s[last..].to_string());
                        }
                        v
                    }
                    Some(e) => {
                        let fv = self.eval(e)?;
                        let fs = self.str_of(&fv);
                        self.split_with(&s, &fs)?
                    }
                };
                if self.vars.contains_key(arr) {
                    return Err(format!("can't use scalar {arr} as array"));
                }
                let a = self.arrays.entry(arr.clone()).or_default();
                a.entries.clear();
                let n = parts.len();
                for (i, p) in parts.into_iter().enumerate() {
                    a.set((i + 1).to_string(), V::StrNum(p));
                }
                V::Num(n as f64)
            }
            "sub" | "gsub" => {
                if args.len() < 2 || args.len() > 3 {
                    return argc_err(name);
                }
                let re = self.regex_of(&args[0])?;
                let rv = self.eval(&args[1])?;
                let repl = self.str_of(&rv);
                let target = args.get(2).cloned().unwrap_or(Expr::Field(Box::new(Expr::Num(0.0))));
                if !Parser::is_lvalue(&target) {
                    return Err(format!("{name}: third argument must be a variable, field or array element"));
                }
                let tv = self.eval(&target)?;
                let s = self.str_of(&tv);
                let spans = re.find_all(&s);
                let spans: Vec<(usize, usize)> =
                    if name == "sub" { spans.into_iter().take(1).collect() } else { spans };
                if spans.is_empty() {
                    return Ok(V::Num(0.0));
                }
                let mut out = String::new();
                let mut last = 0;
                for &(a, b) in &spans {
                    out.push_str(&s[last..a]);
                    let mut it = repl.chars().peekable();
                    while let Some(c) = it.next() {
                        match c {
                            '\\' if matches!(it.peek(), Some('&') | Some('\\')) => {
                                out.push(it.next().unwrap_or('\\'));
                            }
                            '&' => out.push_str(&s[a..b]),
                            c => out.push(c),
                        }
                    }
                    last = b;
                }
                out.push_str(&s[last..]);
                self.assign(&target, V::Str(out))?;
                V::Num(spans.len() as f64)
            }
            "match" => {
                if args.len() != 2 {
                    return argc_err(name);
                }
                let v = self.eval(&args[0])?;
                let s = self.str_of(&v);
                let re = self.regex_of(&args[1])?;
                let (start, len) = match re.find_at(&s, 0) {
                    Some((a, b)) => ((s[..a].chars().count() + 1) as f64, s[a..b].chars().count() as f64),
                    None => (0.0, -1.0),
                };
                self.vars.insert("RSTART".into(), V::Num(start));
                self.vars.insert("RLENGTH".into(), V::Num(len));
                V::Num(start)
            }
            "sprintf" => {
                let Some(f) = args.first() else { return argc_err(name) };
                let fv = self.eval(f)?;
                let fmt = self.str_of(&fv);
                let mut vals = Vec::new();
                for a in &args[1..] {
                    vals.push(self.eval(a)?);
                }
                V::Str(sprintf(&fmt, &vals, self.bb)?)
            }
            "tolower" | "toupper" => {
                if args.len() != 1 {
                    return argc_err(name);
                }
                let v = self.eval(&args[0])?;
                let s = self.str_of(&v);
                V::Str(if name == "tolower" { s.to_lowercase() } else { s.to_uppercase() })
            }
            "int" | "sqrt" | "exp" | "log" | "sin" | "cos" => {
                if args.len() != 1 {
                    return argc_err(name);
                }
                let x = num_arg(self, 0)?;
                V::Num(match name {
                    "int" => x.trunc(),
                    "sqrt" => x.sqrt(),
                    "exp" => x.exp(),
                    "log" => x.ln(),
                    "sin" => x.sin(),
                    _ => x.cos(),
                })
            }
            "atan2" => {
                if args.len() != 2 {
                    return argc_err(name);
                }
                let y = num_arg(self, 0)?;
                let x = num_arg(self, 1)?;
                V::Num(y.atan2(x))
            }
            other => return Err(format!("kubedojo's awk does not support {other}()")),
        })
    }

    fn exec_block(&mut self, stmts: &[Stmt]) -> R<Ctrl> {
        for s in stmts {
            match self.exec(s)? {
                Ctrl::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Ctrl::Normal)
    }

    fn tick(&mut self) -> R<()> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(format!("kubedojo's awk stopped after {MAX_STEPS} steps (an endless loop?)"));
        }
        Ok(())
    }

    fn exec(&mut self, s: &Stmt) -> R<Ctrl> {
        self.tick()?;
        Ok(match s {
            Stmt::Expr(e) => {
                self.eval(e)?;
                Ctrl::Normal
            }
            Stmt::Print(args) => {
                let line = if args.is_empty() {
                    self.record.clone()
                } else {
                    let ofs = self.var_str("OFS");
                    let mut parts = Vec::new();
                    for a in args {
                        let v = self.eval(a)?;
                        parts.push(self.out_str(&v));
                    }
                    parts.join(&ofs)
                };
                let ors = self.var_str("ORS");
                self.out.push_str(&line);
                self.out.push_str(&ors);
                Ctrl::Normal
            }
            Stmt::Printf(args) => {
                let fv = self.eval(&args[0])?;
                let fmt = self.str_of(&fv);
                let mut vals = Vec::new();
                for a in &args[1..] {
                    vals.push(self.eval(a)?);
                }
                let s = sprintf(&fmt, &vals, self.bb).map_err(|e| e.replacen("sprintf", "printf", 1))?;
                self.out.push_str(&s);
                Ctrl::Normal
            }
            Stmt::If(c, a, b) => {
                if truthy(&self.eval(c)?) {
                    self.exec(a)?
                } else if let Some(b) = b {
                    self.exec(b)?
                } else {
                    Ctrl::Normal
                }
            }
            Stmt::While(c, body) => {
                while truthy(&self.eval(c)?) {
                    self.tick()?;
                    match self.exec(body)? {
                        Ctrl::Break => break,
                        Ctrl::Normal | Ctrl::Continue => {}
                        other => return Ok(other),
                    }
                }
                Ctrl::Normal
            }
            Stmt::DoWhile(body, c) => {
                loop {
                    self.tick()?;
                    match self.exec(body)? {
                        Ctrl::Break => break,
                        Ctrl::Normal | Ctrl::Continue => {}
                        other => return Ok(other),
                    }
                    if !truthy(&self.eval(c)?) {
                        break;
                    }
                }
                Ctrl::Normal
            }
            Stmt::For(init, cond, upd, body) => {
                if let Some(i) = init {
                    self.exec(i)?;
                }
                loop {
                    self.tick()?;
                    if let Some(c) = cond {
                        if !truthy(&self.eval(c)?) {
                            break;
                        }
                    }
                    match self.exec(body)? {
                        Ctrl::Break => break,
                        Ctrl::Normal | Ctrl::Continue => {}
                        other => return Ok(other),
                    }
                    if let Some(u) = upd {
                        self.exec(u)?;
                    }
                }
                Ctrl::Normal
            }
            Stmt::ForIn(k, a, body) => {
                let keys: Vec<String> = self.array(a)?.entries.iter().map(|(k, _)| k.clone()).collect();
                for key in keys {
                    self.set_var(k, V::StrNum(key))?;
                    match self.exec(body)? {
                        Ctrl::Break => break,
                        Ctrl::Normal | Ctrl::Continue => {}
                        other => return Ok(other),
                    }
                }
                Ctrl::Normal
            }
            Stmt::Block(v) => self.exec_block(v)?,
            Stmt::Next => Ctrl::Next,
            Stmt::Exit(e) => {
                if let Some(e) = e {
                    self.exit_code = to_num(&self.eval(e)?) as i32;
                }
                Ctrl::Exit
            }
            Stmt::Break => Ctrl::Break,
            Stmt::Continue => Ctrl::Continue,
            Stmt::Delete(a, idx) => {
                match idx {
                    Some(idx) => {
                        let k = self.subscript(idx)?;
                        self.array(a)?.remove(&k);
                    }
                    None => self.array(a)?.entries.clear(),
                }
                Ctrl::Normal
            }
        })
    }
}

fn arith(op: &str, x: f64, y: f64) -> f64 {
    match op {
        "+" => x + y,
        "-" => x - y,
        "*" => x * y,
        "/" => x / y,
        "%" => x % y,
        _ => x.powf(y),
    }
}

/// Processes escapes in `-v` values and `-F` as awk does for string constants.
fn unescape(s: &str) -> String {
    let mut out = String::new();
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
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('/') => out.push('/'),
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Runs `awk` with `args`; returns the exit status.
pub(crate) fn awk(args: &[String], ctx: &mut Ctx) -> i32 {
    let bb = ctx.busybox();
    let usage = |ctx: &mut Ctx| {
        if bb {
            ctx.errs("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: awk [OPTIONS] [AWK_PROGRAM] [FILE]...\n");
        } else {
            ctx.errs("usage: awk [-F value] [-v var=value] [--] 'program text' [file ...]\nusage: awk [-F value] [-v var=value] [-f program-file] [--] [file ...]\n");
        }
    };
    let mut fs: Option<String> = None;
    let mut assigns: Vec<(String, String)> = Vec::new();
    let mut prog_src: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let take = |i: &mut usize, flag: &str| -> Option<String> {
            if a.len() > flag.len() {
                Some(a[flag.len()..].to_string())
            } else {
                *i += 1;
                args.get(*i).cloned()
            }
        };
        if a == "--" {
            i += 1;
            break;
        } else if a.starts_with("-F") {
            match take(&mut i, "-F") {
                Some(v) => fs = Some(v),
                None => {
                    ctx.errs(if bb {
                        "awk: option requires an argument -- 'F'\n"
                    } else {
                        "awk: option requires an argument -- F\n"
                    });
                    usage(ctx);
                    return 2;
                }
            }
        } else if a.starts_with("-v") {
            let Some(v) = take(&mut i, "-v") else {
                ctx.errs("awk: option requires an argument -- v\n");
                usage(ctx);
                return 2;
            };
            match v.split_once('=') {
                Some((k, val)) if !k.is_empty() => assigns.push((k.to_string(), val.to_string())),
                _ => {
                    ctx.errs(&format!("awk: improper assignment: -v {v}\n"));
                    return 2;
                }
            }
        } else if a.starts_with("-f") {
            let Some(f) = take(&mut i, "-f") else {
                usage(ctx);
                return 2;
            };
            match ctx.read_arg(&f) {
                Ok(d) => prog_src = Some(String::from_utf8_lossy(&d).into_owned()),
                Err(e) => {
                    ctx.errs(&format!("awk: couldn't open file {f}: {e}\n"));
                    return 2;
                }
            }
        } else if a.starts_with("-W") || a == "--version" {
            ctx.errs("awk: kubedojo's awk has no -W options\n");
            return 2;
        } else if a.len() > 1 && a.starts_with('-') {
            ctx.errs(&format!("awk: not an option: {a}\n"));
            return 2;
        } else {
            break;
        }
        i += 1;
    }
    let mut operands: Vec<String> = args[i.min(args.len())..].to_vec();
    let src = match prog_src {
        Some(s) => s,
        None => {
            if operands.is_empty() {
                usage(ctx);
                return 2;
            }
            operands.remove(0)
        }
    };
    let toks = match lex(&src) {
        Ok(t) => t,
        Err(e) => return syntax_error(ctx, &e, bb),
    };
    let mut parser = Parser { toks, i: 0, no_gt: false, no_in: false };
    let prog = match parser.program() {
        Ok(p) => p,
        Err(PErr::Syntax(e)) => return syntax_error(ctx, &e, bb),
        Err(PErr::Unsupported(what)) => {
            ctx.errs(&format!("awk: kubedojo's awk does not support {what}\n"));
            return 2;
        }
    };
    let mut st = Awk {
        vars: BTreeMap::new(),
        arrays: BTreeMap::new(),
        record: String::new(),
        fields: vec![],
        split_pending: false,
        out: String::new(),
        bb,
        regex_cache: BTreeMap::new(),
        exit_code: 0,
        steps: 0,
        range_active: vec![false; prog.items.len()],
    };
    for (k, v) in [
        ("FS", " "),
        ("OFS", " "),
        ("ORS", "\n"),
        ("RS", "\n"),
        ("SUBSEP", "\x1c"),
        ("CONVFMT", "%.6g"),
        ("OFMT", "%.6g"),
        ("FILENAME", ""),
    ] {
        st.vars.insert(k.into(), V::Str(v.into()));
    }
    for k in ["NR", "NF", "FNR", "RSTART"] {
        st.vars.insert(k.into(), V::Num(0.0));
    }
    st.vars.insert("RLENGTH".into(), V::Num(-1.0));
    let mut env = Arr::default();
    for (k, v) in ctx.sh.env() {
        env.set(k, V::StrNum(v));
    }
    st.arrays.insert("ENVIRON".into(), env);
    if let Some(f) = fs {
        let f = if f == "t" && !bb { "\t".to_string() } else { unescape(&f) };
        st.vars.insert("FS".into(), V::Str(f));
    }
    for (k, v) in assigns {
        st.vars.insert(k, V::StrNum(unescape(&v)));
    }

    let result = run_program(&mut st, &prog, &operands, ctx);
    ctx.outs(&st.out);
    match result {
        Ok(()) => st.exit_code,
        Err(msg) => {
            if msg.starts_with("kubedojo's awk") || msg.starts_with("cannot open") || msg.starts_with("can't open") {
                ctx.errs(&format!("awk: {msg}\n"));
            } else if bb {
                ctx.errs(&format!("awk: cmd. line:1: {msg}\n"));
            } else {
                let nr = val_str(&st.var("NR"), "%.6g", bb);
                let fnr = val_str(&st.var("FNR"), "%.6g", bb);
                let file = st.var_str("FILENAME");
                ctx.errs(&format!("awk: run time error: {msg}\n\tFILENAME=\"{file}\" FNR={fnr} NR={nr}\n"));
            }
            2
        }
    }
}

fn syntax_error(ctx: &mut Ctx, e: &SyntaxErr, bb: bool) -> i32 {
    if bb {
        ctx.errs(&format!("awk: cmd. line:{}: Unexpected token\n", e.line));
        return 1;
    }
    match &e.msg {
        // mawk counts the end of the program as one more line.
        Some(m) if m.starts_with("missing }") => ctx.errs(&format!("awk: line {}: {m}\n", e.line + 1)),
        Some(m) => ctx.errs(&format!("awk: line {}: {m}\n", e.line)),
        None => ctx.errs(&format!("awk: line {}: syntax error at or near {}\n", e.line, e.near)),
    }
    2
}

fn run_program(st: &mut Awk, prog: &Program, operands: &[String], ctx: &mut Ctx) -> R<()> {
    let begin_exit = matches!(st.exec_block(&prog.begin)?, Ctrl::Exit);
    if !begin_exit && (!prog.items.is_empty() || !prog.end.is_empty()) {
        // Inputs: files and `var=value` assignments, in order; stdin if no file.
        let has_file = operands.iter().any(|o| !is_assignment(o));
        let mut list: Vec<Option<String>> = operands.iter().cloned().map(Some).collect();
        if !has_file {
            list.push(None);
        }
        'files: for item in list {
            let (name, data) = match item {
                Some(o) if is_assignment(&o) => {
                    let (k, v) = o.split_once('=').unwrap_or((&o, ""));
                    st.set_var(k, V::StrNum(unescape(v)))?;
                    continue;
                }
                Some(o) if o != "-" => match ctx.read_arg(&o) {
                    Ok(d) => (o, d),
                    Err(e) => {
                        return Err(if st.bb {
                            format!("can't open '{o}': {e}")
                        } else {
                            format!("cannot open {o} ({e})")
                        });
                    }
                },
                _ => (String::new(), ctx.stdin_all()),
            };
            st.vars.insert("FILENAME".into(), V::Str(name));
            st.vars.insert("FNR".into(), V::Num(0.0));
            let text = String::from_utf8_lossy(&data).into_owned();
            for line in text.split_inclusive('\n') {
                let line = line.strip_suffix('\n').unwrap_or(line);
                let nr = to_num(&st.var("NR")) + 1.0;
                let fnr = to_num(&st.var("FNR")) + 1.0;
                st.vars.insert("NR".into(), V::Num(nr));
                st.vars.insert("FNR".into(), V::Num(fnr));
                st.set_record(line.to_string());
                if let Ctrl::Exit = run_items(st, prog)? {
                    break 'files;
                }
            }
        }
    }
    // END runs after `exit` in the main part too (but not after exit in END).
    st.exec_block(&prog.end)?;
    Ok(())
}

fn is_assignment(o: &str) -> bool {
    match o.split_once('=') {
        Some((k, _)) => {
            !k.is_empty()
                && k.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
                && k.chars().all(|c| c.is_alphanumeric() || c == '_')
        }
        None => false,
    }
}

fn run_items(st: &mut Awk, prog: &Program) -> R<Ctrl> {
    for (k, item) in prog.items.iter().enumerate() {
        let sel = match &item.pattern {
            Pattern::All => true,
            Pattern::Expr(e) => {
                let v = st.eval(e)?;
                truthy(&v)
            }
            Pattern::Range(a, b) => {
                if st.range_active[k] {
                    if truthy(&st.eval(b)?) {
                        st.range_active[k] = false;
                    }
                    true
                } else if truthy(&st.eval(a)?) {
                    st.range_active[k] = !truthy(&st.eval(b)?);
                    true
                } else {
                    false
                }
            }
        };
        if !sel {
            continue;
        }
        match &item.action {
            None => {
                let ors = st.var_str("ORS");
                let rec = st.record.clone();
                st.out.push_str(&rec);
                st.out.push_str(&ors);
            }
            Some(stmts) => match st.exec_block(stmts)? {
                Ctrl::Next => return Ok(Ctrl::Next),
                Ctrl::Exit => return Ok(Ctrl::Exit),
                _ => {}
            },
        }
    }
    Ok(Ctrl::Normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_mawk() {
        assert_eq!(num_to_str(3.0, "%.6g", false), "3");
        assert_eq!(num_to_str(0.1 + 0.2, "%.6g", false), "0.3");
        assert_eq!(num_to_str(2147483648.0, "%.6g", false), "2.14748e+09");
        assert_eq!(num_to_str(2147483648.0, "%.6g", true), "2147483648");
        assert_eq!(num_to_str(1e-6, "%.6g", false), "1e-06");
        assert_eq!(num_to_str(f64::INFINITY, "%.6g", false), "inf");
    }

    #[test]
    fn numeric_strings() {
        assert!(looks_numeric(" 12 "));
        assert!(looks_numeric("-1.5e3"));
        assert!(!looks_numeric("3abc"));
        assert!(!looks_numeric(""));
        assert_eq!(str_to_num("3abc"), 3.0);
        assert_eq!(str_to_num("  .5x"), 0.5);
        assert_eq!(str_to_num("abc"), 0.0);
    }

    #[test]
    fn printf_like_mawk() {
        let v = [V::Str("3abc".into()), V::Num(3.25159), V::Str("ab".into()), V::Num(255.0), V::Num(65.0)];
        assert_eq!(sprintf("%d %5.2f %-4s| %x %c", &v, false).as_deref(), Ok("3  3.25 ab  | ff A"));
        assert!(sprintf("%s %s", &[V::Num(1.0)], false).is_err());
    }
}
