//! `-o go-template` (and `-o template`, `--template`): the part of Go's text/template a
//! kubectl user writes, over the object as kubectl hands it to the template — the JSON
//! decoded into `map[string]interface{}`, so numbers are float64.
//!
//! Supported: text and `{{ }}` actions with `{{-`/`-}}` trimming and `{{/* */}}` comments;
//! fields (`.metadata.name`), `.`, `$`, variables (`$x := ...`, `$i, $e := ...` in range);
//! string, number, bool and nil literals; pipelines (`|`) and parentheses; `if`/`else if`/
//! `else`, `range` (with `else`, `break`, `continue`), `with`; the functions `index`, `len`,
//! `printf`, `print`, `println`, `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `and`, `or`, `not`, and
//! kubectl's own `exists` and `base64decode`. Not supported (reported as a parse error in
//! Go's words, e.g. `function "html" not defined`): `define`/`template`/`block` and the
//! other built-in functions.
//!
//! Values print as Go's fmt prints them: floats in `%v` form (`3`, `0.5`, `1e+06`), maps as
//! `map[k:v]` with sorted keys, lists as `[a b]`, a missing or null value as `<no value>` at
//! the top of an action and `<nil>` inside a map or list.

use serde_json::Value;

use super::output::json::go_format_g;

/// A parsed template.
#[derive(Clone, Debug)]
pub struct Template {
    nodes: Vec<Node>,
    /// The source, to place errors (`output:LINE:COL`).
    src: String,
}

#[derive(Clone, Debug)]
enum Node {
    Text(String),
    Action(Pipe),
    If(Pipe, Vec<Node>, Vec<Node>),
    Range(Pipe, Vec<Node>, Vec<Node>),
    With(Pipe, Vec<Node>, Vec<Node>),
    Break,
    Continue,
}

#[derive(Clone, Debug)]
struct Pipe {
    /// Declared (`:=`) or assigned (`=`) variables.
    vars: Vec<String>,
    declare: bool,
    cmds: Vec<Cmd>,
}

/// One command of a pipeline, with where it starts (for errors).
#[derive(Clone, Debug)]
struct Cmd {
    args: Vec<Arg>,
    pos: usize,
}

#[derive(Clone, Debug)]
enum Arg {
    /// `.a.b` (empty: `.`), at a byte offset.
    Field(Vec<String>, usize),
    /// `$x.a.b` (`$` alone is the root).
    Var(String, Vec<String>, usize),
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Nil,
    Func(String),
    /// `( pipeline ).a.b`
    Sub(Box<Pipe>, Vec<String>, usize),
}

impl std::fmt::Display for Arg {
    /// text/template's node String(), used in errors (`at <.a.b>`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Arg::Field(p, _) => write!(f, ".{}", p.join(".")),
            Arg::Var(v, p, _) => {
                write!(f, "{v}")?;
                for x in p {
                    write!(f, ".{x}")?;
                }
                Ok(())
            }
            Arg::Str(x) => write!(f, "{}", crate::sim::api::errors::go_quote(x)),
            Arg::Int(i) => write!(f, "{i}"),
            Arg::Float(x) => write!(f, "{}", go_float(*x)),
            Arg::Bool(b) => write!(f, "{b}"),
            Arg::Nil => write!(f, "nil"),
            Arg::Func(n) => write!(f, "{n}"),
            Arg::Sub(p, fields, _) => {
                write!(f, "({})", p)?;
                for x in fields {
                    write!(f, ".{x}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::fmt::Display for Pipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cmds: Vec<String> = self.cmds.iter().map(|c| c.to_string()).collect();
        write!(f, "{}", cmds.join(" | "))
    }
}

impl std::fmt::Display for Cmd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let args: Vec<String> = self.args.iter().map(|a| a.to_string()).collect();
        write!(f, "{}", args.join(" "))
    }
}

const FUNCS: &[&str] = &[
    "index",
    "len",
    "printf",
    "print",
    "println",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "and",
    "or",
    "not",
    "exists",
    "base64decode",
];

/// Functions of Go's text/template that kubedojo does not run.
const UNSUPPORTED_FUNCS: &[&str] = &["html", "js", "urlquery", "slice", "call"];

// ---------------------------------------------------------------- lexing

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Dot(Vec<String>),
    Var(String, Vec<String>),
    Ident(String),
    Str(String),
    Num(String),
    LParen,
    RParen,
    Pipe,
    Declare,
    Assign,
    Comma,
}

/// An action's tokens with their offsets, the length before the closing delimiter, and
/// whether the close trims (` -}}`).
type Lexed = (Vec<(Tok, usize)>, usize, bool);

/// A piece of the template: text, or an action's tokens (with their byte offsets in the
/// template) and its line.
enum Piece {
    Text(String),
    Action(Vec<(Tok, usize)>, String, usize),
}

fn perr(line: usize, msg: &str) -> String {
    format!("template: output:{line}: {msg}")
}

fn split(src: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut rest = src;
    let mut line = 1;
    let mut trim_next = false;
    while !rest.is_empty() {
        let Some(open) = rest.find("{{") else {
            let mut t = rest.to_string();
            if trim_next {
                t = t.trim_start().to_string();
            }
            pieces.push(Piece::Text(t));
            break;
        };
        let mut text = rest[..open].to_string();
        if trim_next {
            text = text.trim_start().to_string();
        }
        let after = &rest[open + 2..];
        let trim_left = after.starts_with("- ") || after.starts_with("-\t") || after.starts_with("-\n");
        if trim_left {
            text = text.trim_end().to_string();
        }
        line += rest[..open].matches('\n').count();
        pieces.push(Piece::Text(text));
        let body_start = if trim_left { 2 } else { 0 };
        let body = &after[body_start..];
        // Comments.
        let trimmed = body.trim_start();
        if trimmed.starts_with("/*") {
            let Some(end) = body.find("*/") else { return Err(perr(line, "unclosed comment")) };
            let tail = &body[end + 2..];
            let (trim_right, close) = if let Some(t) = tail.strip_prefix(" -}}") {
                (true, t)
            } else if let Some(t) = tail.strip_prefix("}}") {
                (false, t)
            } else {
                return Err(perr(line, "comment ends before closing delimiter"));
            };
            line += body[..end].matches('\n').count();
            trim_next = trim_right;
            rest = close;
            continue;
        }
        let base = src.len() - body.len();
        let (toks, consumed, trim_right) = lex_action(body, base, line)?;
        let text_of_action = body[..consumed].trim().to_string();
        line += body[..consumed].matches('\n').count();
        pieces.push(Piece::Action(toks, text_of_action, line));
        let close_len = if trim_right { 4 } else { 2 };
        rest = &body[consumed + close_len..];
        trim_next = trim_right;
    }
    Ok(pieces)
}

/// Lexes one action starting at byte `base` of the template; returns its tokens with their
/// offsets, the length before the closing delimiter, and whether it ends with ` -}}`.
fn lex_action(s: &str, base: usize, line: usize) -> Result<Lexed, String> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut toks = Vec::new();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    loop {
        if i >= b.len() {
            return Err(perr(line, "unclosed action"));
        }
        let c = b[i];
        if s[i..].starts_with(" -}}") || s[i..].starts_with("\t-}}") || s[i..].starts_with("\n-}}") {
            // The close is the 4 bytes from the blank before `-}}`.
            return Ok((toks, i, true));
        }
        if s[i..].starts_with("}}") {
            return Ok((toks, i, false));
        }
        let at = base + i;
        let before = toks.len();
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'(' => {
                toks.push((Tok::LParen, 0));
                i += 1;
            }
            b')' => {
                toks.push((Tok::RParen, 0));
                i += 1;
            }
            b'|' => {
                toks.push((Tok::Pipe, 0));
                i += 1;
            }
            b',' => {
                toks.push((Tok::Comma, 0));
                i += 1;
            }
            b':' if b.get(i + 1) == Some(&b'=') => {
                toks.push((Tok::Declare, 0));
                i += 2;
            }
            b'=' => {
                toks.push((Tok::Assign, 0));
                i += 1;
            }
            b'"' => {
                let mut out = String::new();
                let mut j = i + 1;
                loop {
                    let Some(&d) = b.get(j) else { return Err(perr(line, "unterminated quoted string")) };
                    match d {
                        b'"' => break,
                        b'\n' => return Err(perr(line, "unterminated quoted string")),
                        b'\\' => {
                            let e = *b.get(j + 1).unwrap_or(&b'\\');
                            match e {
                                b'n' => out.push('\n'),
                                b't' => out.push('\t'),
                                b'r' => out.push('\r'),
                                b'\\' => out.push('\\'),
                                b'"' => out.push('"'),
                                b'\'' => out.push('\''),
                                b'a' => out.push('\u{7}'),
                                b'b' => out.push('\u{8}'),
                                b'f' => out.push('\u{c}'),
                                b'v' => out.push('\u{b}'),
                                b'0' => out.push('\0'),
                                b'x' => {
                                    let hex = s.get(j + 2..j + 4).unwrap_or("");
                                    let v = u8::from_str_radix(hex, 16).map_err(|_| perr(line, "invalid syntax"))?;
                                    out.push(v as char);
                                    j += 2;
                                }
                                _ => return Err(perr(line, "invalid syntax")),
                            }
                            j += 2;
                        }
                        _ => {
                            let ch = s[j..].chars().next().unwrap_or(' ');
                            out.push(ch);
                            j += ch.len_utf8();
                        }
                    }
                }
                toks.push((Tok::Str(out), 0));
                i = j + 1;
            }
            b'`' => {
                let Some(end) = s[i + 1..].find('`') else { return Err(perr(line, "unterminated raw quoted string")) };
                toks.push((Tok::Str(s[i + 1..i + 1 + end].to_string()), 0));
                i += end + 2;
            }
            b'.' | b'$' => {
                let start = i;
                let mut j = i + 1;
                let mut var = String::new();
                if c == b'$' {
                    while j < b.len() && ident(b[j]) {
                        j += 1;
                    }
                    var = s[start..j].to_string();
                }
                let mut fields = Vec::new();
                if c == b'.' {
                    // `.` alone, or `.name...`
                    let fs = j;
                    while j < b.len() && ident(b[j]) {
                        j += 1;
                    }
                    if j > fs {
                        fields.push(s[fs..j].to_string());
                    } else if j < b.len() && b[j].is_ascii_digit() {
                        // `.5` is a number.
                    }
                }
                while j < b.len() && b[j] == b'.' && j + 1 < b.len() && ident(b[j + 1]) {
                    let fs = j + 1;
                    j = fs;
                    while j < b.len() && ident(b[j]) {
                        j += 1;
                    }
                    fields.push(s[fs..j].to_string());
                }
                if c == b'.' {
                    toks.push((Tok::Dot(fields), 0));
                } else {
                    toks.push((Tok::Var(var, fields), 0));
                }
                i = j;
            }
            c if c.is_ascii_digit() || ((c == b'-' || c == b'+') && b.get(i + 1).is_some_and(u8::is_ascii_digit)) => {
                let start = i;
                let mut j = i + 1;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || matches!(b[j], b'.' | b'_' | b'+' | b'-')) {
                    if matches!(b[j], b'+' | b'-') && !matches!(b[j - 1], b'e' | b'E') {
                        break;
                    }
                    j += 1;
                }
                toks.push((Tok::Num(s[start..j].to_string()), 0));
                i = j;
            }
            c if ident(c) => {
                let start = i;
                let mut j = i;
                while j < b.len() && ident(b[j]) {
                    j += 1;
                }
                toks.push((Tok::Ident(s[start..j].to_string()), 0));
                i = j;
            }
            _ => {
                let ch = s[i..].chars().next().unwrap_or('?');
                return Err(perr(line, &format!("bad character U+{:04X} '{ch}'", ch as u32)));
            }
        }
        for t in toks.iter_mut().skip(before) {
            t.1 = at;
        }
    }
}

// ---------------------------------------------------------------- parsing

/// Parses a template; Err is text/template's message (`template: output:1: ...`).
pub fn parse(src: &str) -> Result<Template, String> {
    let pieces = split(src)?;
    let mut p = Parser { pieces: pieces.into_iter().peekable(), last_line: 1 };
    let (nodes, end) = p.list()?;
    match end {
        End::Eof => Ok(Template { nodes, src: src.to_string() }),
        End::Close => Err(perr(p.last_line, "unexpected {{end}}")),
        End::Else(_) => Err(perr(p.last_line, "unexpected {{else}}")),
    }
}

enum End {
    Eof,
    Close,
    /// `{{else}}` or `{{else if ...}}` (the pipeline of the `if`).
    Else(Option<Pipe>),
}

struct Parser {
    pieces: std::iter::Peekable<std::vec::IntoIter<Piece>>,
    last_line: usize,
}

impl Parser {
    fn list(&mut self) -> Result<(Vec<Node>, End), String> {
        let mut nodes = Vec::new();
        while let Some(piece) = self.pieces.next() {
            match piece {
                Piece::Text(t) => {
                    if !t.is_empty() {
                        nodes.push(Node::Text(t));
                    }
                }
                Piece::Action(toks, _text, line) => {
                    self.last_line = line;
                    let first = match toks.first() {
                        Some((Tok::Ident(w), _)) => w.clone(),
                        _ => String::new(),
                    };
                    match first.as_str() {
                        "end" => return Ok((nodes, End::Close)),
                        "else" => {
                            if matches!(toks.get(1), Some((Tok::Ident(w), _)) if w == "if") {
                                let pipe = pipeline(&toks[2..], line)?;
                                return Ok((nodes, End::Else(Some(pipe))));
                            }
                            return Ok((nodes, End::Else(None)));
                        }
                        "if" | "range" | "with" => {
                            let pipe = pipeline(&toks[1..], line)?;
                            nodes.push(self.block(&first, pipe)?);
                        }
                        "break" => nodes.push(Node::Break),
                        "continue" => nodes.push(Node::Continue),
                        "define" | "template" | "block" => {
                            return Err(perr(line, &format!("kubedojo does not support {{{{{first}}}}} in templates")))
                        }
                        _ => nodes.push(Node::Action(pipeline(&toks, line)?)),
                    }
                }
            }
        }
        Ok((nodes, End::Eof))
    }

    fn block(&mut self, word: &str, pipe: Pipe) -> Result<Node, String> {
        let (body, end) = self.list()?;
        let els = match end {
            End::Eof => return Err(perr(self.last_line, "unexpected EOF")),
            End::Close => Vec::new(),
            End::Else(None) => {
                let (els, end) = self.list()?;
                match end {
                    End::Close => els,
                    End::Eof => return Err(perr(self.last_line, "unexpected EOF")),
                    End::Else(_) => return Err(perr(self.last_line, "expected end; found {{else}}")),
                }
            }
            End::Else(Some(elif)) => {
                if word != "if" {
                    return Err(perr(self.last_line, "expected end; found {{else}}"));
                }
                // `{{else if x}}` is an `if` nested in the else branch, sharing the `end`.
                vec![self.block("if", elif)?]
            }
        };
        Ok(match word {
            "if" => Node::If(pipe, body, els),
            "range" => Node::Range(pipe, body, els),
            _ => Node::With(pipe, body, els),
        })
    }
}

fn pipeline(toks: &[(Tok, usize)], line: usize) -> Result<Pipe, String> {
    let mut toks = toks;
    let mut vars = Vec::new();
    let mut declare = true;
    // `$x :=`, `$i, $e :=`, `$x =`
    let decl_at = toks.iter().position(|t| matches!(t.0, Tok::Declare | Tok::Assign));
    if let Some(at) = decl_at {
        let lhs = &toks[..at];
        let ok = lhs.iter().enumerate().all(|(i, t)| match &t.0 {
            Tok::Var(_, f) => i % 2 == 0 && f.is_empty(),
            Tok::Comma => i % 2 == 1,
            _ => false,
        });
        if ok && !lhs.is_empty() {
            for t in lhs {
                if let Tok::Var(v, _) = &t.0 {
                    vars.push(v.clone());
                }
            }
            declare = matches!(toks[at].0, Tok::Declare);
            toks = &toks[at + 1..];
        }
    }
    let (cmds, used) = commands(toks, line)?;
    if used != toks.len() {
        return Err(perr(line, "unexpected \")\" in command"));
    }
    if cmds.is_empty() {
        return Err(perr(line, "missing value for command"));
    }
    Ok(Pipe { vars, declare, cmds })
}

/// Commands separated by `|`, up to an unmatched `)`; returns them and the tokens used.
fn commands(toks: &[(Tok, usize)], line: usize) -> Result<(Vec<Cmd>, usize), String> {
    let mut cmds = Vec::new();
    let mut cur: Vec<Arg> = Vec::new();
    let mut cur_pos = toks.first().map(|t| t.1).unwrap_or(0);
    let mut i = 0;
    while i < toks.len() {
        let at = toks[i].1;
        if cur.is_empty() {
            cur_pos = at;
        }
        match &toks[i].0 {
            Tok::RParen => break,
            Tok::Pipe => {
                if cur.is_empty() {
                    return Err(perr(line, "missing value for command"));
                }
                cmds.push(Cmd { args: std::mem::take(&mut cur), pos: cur_pos });
                i += 1;
            }
            Tok::LParen => {
                let (inner, used) = commands(&toks[i + 1..], line)?;
                let close = i + 1 + used;
                if toks.get(close).map(|t| &t.0) != Some(&Tok::RParen) {
                    return Err(perr(line, "unclosed left paren"));
                }
                if inner.is_empty() {
                    return Err(perr(line, "missing value for parenthesized pipeline"));
                }
                let pipe = Pipe { vars: vec![], declare: true, cmds: inner };
                i = close + 1;
                // A field chain right after the parenthesis: `(index . 0).name`.
                let mut fields = Vec::new();
                if let Some((Tok::Dot(f), _)) = toks.get(i) {
                    fields = f.clone();
                    i += 1;
                }
                cur.push(Arg::Sub(Box::new(pipe), fields, at));
            }
            Tok::Dot(f) => {
                cur.push(Arg::Field(f.clone(), at));
                i += 1;
            }
            Tok::Var(v, f) => {
                cur.push(Arg::Var(v.clone(), f.clone(), at));
                i += 1;
            }
            Tok::Str(s) => {
                cur.push(Arg::Str(s.clone()));
                i += 1;
            }
            Tok::Num(n) => {
                cur.push(number(n).ok_or_else(|| perr(line, &format!("bad number syntax: \"{n}\"")))?);
                i += 1;
            }
            Tok::Ident(w) => {
                cur.push(match w.as_str() {
                    "true" => Arg::Bool(true),
                    "false" => Arg::Bool(false),
                    "nil" => Arg::Nil,
                    f if FUNCS.contains(&f) => Arg::Func(f.to_string()),
                    f if UNSUPPORTED_FUNCS.contains(&f) => {
                        return Err(perr(line, &format!("function \"{f}\" not defined (kubedojo does not run it)")))
                    }
                    f => return Err(perr(line, &format!("function \"{f}\" not defined"))),
                });
                i += 1;
            }
            Tok::Declare | Tok::Assign | Tok::Comma => {
                return Err(perr(line, "unexpected token in command"));
            }
        }
    }
    if !cur.is_empty() {
        cmds.push(Cmd { args: cur, pos: cur_pos });
    }
    Ok((cmds, i))
}

fn number(n: &str) -> Option<Arg> {
    let clean: String = n.chars().filter(|c| *c != '_').collect();
    if let Ok(i) = clean.parse::<i64>() {
        return Some(Arg::Int(i));
    }
    if let Some(h) = clean.strip_prefix("0x").or_else(|| clean.strip_prefix("0X")) {
        return i64::from_str_radix(h, 16).ok().map(Arg::Int);
    }
    clean.parse::<f64>().ok().map(Arg::Float)
}

// ---------------------------------------------------------------- values

/// A value during execution.
#[derive(Clone, Debug, PartialEq)]
enum Val {
    /// A key the data does not have (an invalid reflect.Value in Go): fields of it are
    /// missing too, and it prints `<no value>`.
    Missing,
    /// A value from the data (null is Go's nil interface).
    J(Value),
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
}

impl Val {
    fn is_nil(&self) -> bool {
        matches!(self, Val::J(Value::Null) | Val::Missing)
    }

    fn go_type(&self) -> &'static str {
        match self {
            Val::Missing | Val::J(Value::Null) => "<nil>",
            Val::J(Value::Bool(_)) | Val::Bool(_) => "bool",
            Val::J(Value::Number(_)) | Val::Float(_) => "float64",
            Val::J(Value::String(_)) | Val::Str(_) => "string",
            Val::J(Value::Array(_)) => "[]interface {}",
            Val::J(Value::Object(_)) => "map[string]interface {}",
            Val::Int(_) => "int",
        }
    }

    /// text/template's truth: zero values are false.
    fn truth(&self) -> bool {
        match self {
            Val::Missing | Val::J(Value::Null) => false,
            Val::J(Value::Bool(b)) | Val::Bool(b) => *b,
            Val::J(Value::Number(n)) => n.as_f64().unwrap_or(0.0) != 0.0,
            Val::J(Value::String(s)) | Val::Str(s) => !s.is_empty(),
            Val::J(Value::Array(a)) => !a.is_empty(),
            Val::J(Value::Object(m)) => !m.is_empty(),
            Val::Int(i) => *i != 0,
            Val::Float(f) => *f != 0.0,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Val::J(Value::String(s)) | Val::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// fmt's `%v`.
fn sprint(v: &Val) -> String {
    match v {
        Val::Missing => "<no value>".into(),
        Val::J(j) => sprint_json(j),
        Val::Int(i) => i.to_string(),
        Val::Float(f) => go_float(*f),
        Val::Str(s) => s.clone(),
        Val::Bool(b) => b.to_string(),
    }
}

fn go_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        go_format_g(f)
    }
}

/// Go's `%v` of the object kubectl hands the template (`map[apiVersion:v1 kind:Pod ...]`).
pub fn go_print(v: &Value) -> String {
    sprint_json(v)
}

fn sprint_json(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => go_float(n.as_f64().unwrap_or(0.0)),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(sprint_json).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => {
            format!("map[{}]", m.iter().map(|(k, x)| format!("{k}:{}", sprint_json(x))).collect::<Vec<_>>().join(" "))
        }
    }
}

// ---------------------------------------------------------------- execution

/// Why execution stopped early.
enum Stop {
    Break,
    Continue,
    Error(String),
}

struct Exec<'a> {
    src: &'a str,
    vars: Vec<(String, Val)>,
    out: String,
}

impl Template {
    /// Runs the template on `data`; Err carries what was written before the error and the
    /// error (`template: output:1:3: executing "output" at <...>: ...`).
    pub fn execute(&self, data: &Value) -> Result<String, (String, String)> {
        let mut ex = Exec { src: &self.src, vars: vec![("$".into(), Val::J(data.clone()))], out: String::new() };
        match ex.walk(&self.nodes, &Val::J(data.clone())) {
            Ok(()) => Ok(ex.out),
            Err(Stop::Error(e)) => Err((ex.out, e)),
            Err(_) => Ok(ex.out),
        }
    }
}

/// Where text/template places a field chain: at its second element when it has several
/// (the chain node), else at its start.
fn arg_pos(a: &Arg) -> usize {
    match a {
        Arg::Field(f, pos) => {
            if f.len() > 1 {
                pos + 1 + f[0].len()
            } else {
                *pos
            }
        }
        Arg::Var(v, f, pos) => {
            if f.is_empty() {
                *pos
            } else {
                pos + v.len()
            }
        }
        Arg::Sub(_, _, pos) => *pos,
        _ => 0,
    }
}

/// An execution error at the node starting at byte `pos` (`context` is the node's text).
fn xerr(src: &str, pos: usize, context: &str, msg: &str) -> Stop {
    let before = &src[..pos.min(src.len())];
    let line = 1 + before.matches('\n').count();
    let col = match before.rfind('\n') {
        Some(nl) => pos - (nl + 1),
        None => pos,
    };
    Stop::Error(format!("template: output:{line}:{col}: executing \"output\" at <{context}>: {msg}"))
}

impl Exec<'_> {
    fn walk(&mut self, nodes: &[Node], dot: &Val) -> Result<(), Stop> {
        for n in nodes {
            match n {
                Node::Text(t) => self.out.push_str(t),
                Node::Action(p) => {
                    let v = self.pipe(p, dot)?;
                    if p.vars.is_empty() {
                        // A nil interface at the top of an action prints `<no value>`.
                        if v.is_nil() {
                            self.out.push_str("<no value>");
                        } else {
                            self.out.push_str(&sprint(&v));
                        }
                    }
                }
                Node::If(p, body, els) => {
                    let mark = self.vars.len();
                    let v = self.pipe(p, dot)?;
                    let r = if v.truth() { self.walk(body, dot) } else { self.walk(els, dot) };
                    self.vars.truncate(mark);
                    r?;
                }
                Node::With(p, body, els) => {
                    let mark = self.vars.len();
                    let v = self.pipe(p, dot)?;
                    let r = if v.truth() { self.walk(body, &v) } else { self.walk(els, dot) };
                    self.vars.truncate(mark);
                    r?;
                }
                Node::Range(p, body, els) => {
                    let mark = self.vars.len();
                    let mut q = p.clone();
                    let names = std::mem::take(&mut q.vars);
                    let v = self.pipe(&q, dot)?;
                    let items: Vec<(Val, Val)> = match &v {
                        Val::J(Value::Array(a)) => {
                            a.iter().enumerate().map(|(i, x)| (Val::Int(i as i64), Val::J(x.clone()))).collect()
                        }
                        Val::J(Value::Object(m)) => {
                            m.iter().map(|(k, x)| (Val::Str(k.clone()), Val::J(x.clone()))).collect()
                        }
                        Val::J(Value::Null) | Val::Missing => Vec::new(),
                        Val::Int(n) => (0..*n).map(|i| (Val::Int(i), Val::Int(i))).collect(),
                        other => {
                            let pos = p.cmds.first().and_then(|c| c.args.first()).map(arg_pos).unwrap_or(0);
                            return Err(xerr(
                                self.src,
                                pos,
                                &p.to_string(),
                                &format!("range can't iterate over {}", sprint(other)),
                            ));
                        }
                    };
                    if items.is_empty() {
                        let r = self.walk(els, dot);
                        self.vars.truncate(mark);
                        r?;
                        continue;
                    }
                    for (k, x) in items {
                        let inner = self.vars.len();
                        match names.as_slice() {
                            [one] => self.vars.push((one.clone(), x.clone())),
                            [a, b] => {
                                self.vars.push((a.clone(), k));
                                self.vars.push((b.clone(), x.clone()));
                            }
                            _ => {}
                        }
                        let r = self.walk(body, &x);
                        self.vars.truncate(inner);
                        match r {
                            Ok(()) | Err(Stop::Continue) => {}
                            Err(Stop::Break) => break,
                            Err(e) => {
                                self.vars.truncate(mark);
                                return Err(e);
                            }
                        }
                    }
                    self.vars.truncate(mark);
                }
                Node::Break => return Err(Stop::Break),
                Node::Continue => return Err(Stop::Continue),
            }
        }
        Ok(())
    }

    fn pipe(&mut self, p: &Pipe, dot: &Val) -> Result<Val, Stop> {
        let mut last: Option<Val> = None;
        for cmd in &p.cmds {
            last = Some(self.command(cmd, dot, last.take())?);
        }
        let v = last.unwrap_or(Val::J(Value::Null));
        if !p.vars.is_empty() {
            if p.declare {
                for name in &p.vars {
                    self.vars.push((name.clone(), v.clone()));
                }
            } else {
                for name in &p.vars {
                    match self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                        Some(slot) => slot.1 = v.clone(),
                        None => {
                            let pos = p.cmds.first().map(|c| c.pos).unwrap_or(0);
                            return Err(xerr(self.src, pos, &p.to_string(), &format!("undefined variable: {name}")));
                        }
                    }
                }
            }
        }
        Ok(v)
    }

    fn command(&mut self, cmd: &Cmd, dot: &Val, piped: Option<Val>) -> Result<Val, Stop> {
        let Some(first) = cmd.args.first() else { return Err(xerr(self.src, cmd.pos, "", "empty command")) };
        if let Arg::Func(f) = first {
            let mut args = Vec::new();
            for a in &cmd.args[1..] {
                args.push(self.arg(a, dot)?);
            }
            if let Some(v) = piped {
                args.push(v);
            }
            return call(f, &args)
                .map_err(|e| xerr(self.src, cmd.pos, &cmd.to_string(), &format!("error calling {f}: {e}")));
        }
        if cmd.args.len() > 1 || piped.is_some() {
            return Err(xerr(
                self.src,
                cmd.pos,
                &first.to_string(),
                &format!("can't give argument to non-function {first}"),
            ));
        }
        self.arg(first, dot)
    }

    fn arg(&mut self, a: &Arg, dot: &Val) -> Result<Val, Stop> {
        match a {
            Arg::Field(f, pos) => self.fields(dot.clone(), f, *pos, a),
            Arg::Var(name, f, pos) => {
                let Some((_, v)) = self.vars.iter().rev().find(|(n, _)| n == name) else {
                    return Err(xerr(self.src, *pos, &a.to_string(), &format!("undefined variable: {name}")));
                };
                self.fields(v.clone(), f, *pos, a)
            }
            Arg::Str(s) => Ok(Val::Str(s.clone())),
            Arg::Int(i) => Ok(Val::Int(*i)),
            Arg::Float(x) => Ok(Val::Float(*x)),
            Arg::Bool(b) => Ok(Val::Bool(*b)),
            Arg::Nil => Err(Stop::Error("template: output: nil is not a command".into())),
            Arg::Func(f) => call(f, &[]).map_err(|e| Stop::Error(format!("template: output: error calling {f}: {e}"))),
            Arg::Sub(inner, f, pos) => {
                let v = self.pipe(inner, dot)?;
                self.fields(v, f, *pos, a)
            }
        }
    }

    /// Follows `.a.b` from a value: map keys; a missing key gives a missing value (and so do
    /// its fields), a null one stops with Go's nil pointer error.
    fn fields(&self, mut v: Val, path: &[String], _pos: usize, node: &Arg) -> Result<Val, Stop> {
        let pos = arg_pos(node);
        for f in path {
            v = match v {
                Val::Missing => Val::Missing,
                Val::J(Value::Object(m)) => m.get(f).cloned().map(Val::J).unwrap_or(Val::Missing),
                Val::J(Value::Null) => {
                    return Err(xerr(
                        self.src,
                        pos,
                        &node.to_string(),
                        &format!("nil pointer evaluating interface {{}}.{f}"),
                    ))
                }
                other => {
                    // A value from the data has the static type interface {}.
                    let ty = if matches!(other, Val::J(_)) { "interface {}" } else { other.go_type() };
                    return Err(xerr(
                        self.src,
                        pos,
                        &node.to_string(),
                        &format!("can't evaluate field {f} in type {ty}"),
                    ));
                }
            };
        }
        Ok(v)
    }
}

fn num(v: &Val) -> Option<f64> {
    match v {
        Val::J(Value::Number(n)) => n.as_f64(),
        Val::Int(i) => Some(*i as f64),
        Val::Float(f) => Some(*f),
        _ => None,
    }
}

/// The comparison class of a value: text/template compares only like with like.
fn class(v: &Val) -> Option<u8> {
    match v {
        Val::J(Value::Bool(_)) | Val::Bool(_) => Some(0),
        Val::Int(_) => Some(1),
        Val::J(Value::Number(_)) | Val::Float(_) => Some(2),
        Val::J(Value::String(_)) | Val::Str(_) => Some(3),
        _ => None,
    }
}

fn compare(a: &Val, b: &Val) -> Result<std::cmp::Ordering, String> {
    let (ca, cb) = (class(a), class(b));
    match (ca, cb) {
        (None, _) | (_, None) => Err("invalid type for comparison".into()),
        (Some(x), Some(y)) if x != y => Err("incompatible types for comparison".into()),
        (Some(0), _) => Ok(a.truth().cmp(&b.truth())),
        (Some(3), _) => Ok(a.as_str().unwrap_or("").cmp(b.as_str().unwrap_or(""))),
        _ => num(a).unwrap_or(0.0).partial_cmp(&num(b).unwrap_or(0.0)).ok_or_else(|| "NaN".to_string()),
    }
}

fn call(f: &str, args: &[Val]) -> Result<Val, String> {
    let want = |n: usize| -> Result<(), String> {
        if args.len() != n {
            return Err(format!("wrong number of args for {f}: want {n} got {}", args.len()));
        }
        Ok(())
    };
    match f {
        "len" => {
            want(1)?;
            match &args[0] {
                Val::Missing => Err("len of nil pointer".into()),
                Val::J(Value::Array(a)) => Ok(Val::Int(a.len() as i64)),
                Val::J(Value::Object(m)) => Ok(Val::Int(m.len() as i64)),
                Val::J(Value::String(s)) | Val::Str(s) => Ok(Val::Int(s.len() as i64)),
                other => Err(format!("len of type {}", other.go_type())),
            }
        }
        "index" => {
            let Some((first, keys)) = args.split_first() else {
                return Err("wrong number of args for index: want at least 1 got 0".into());
            };
            let mut v = first.clone();
            for k in keys {
                v = match (&v, k) {
                    (Val::J(Value::Object(m)), k) => match k.as_str() {
                        Some(key) => Val::J(m.get(key).cloned().unwrap_or(Value::Null)),
                        None => return Err(format!("value has type {}; should be string", k.go_type())),
                    },
                    (Val::J(Value::Array(a)), k) => {
                        let Some(i) = num(k).filter(|x| x.fract() == 0.0) else {
                            return Err(format!("cannot index slice/array with type {}", k.go_type()));
                        };
                        if i < 0.0 || i as usize >= a.len() {
                            return Err(format!("index out of range: {i}"));
                        }
                        Val::J(a[i as usize].clone())
                    }
                    (Val::J(Value::Null) | Val::Missing, _) => return Err("index of untyped nil".into()),
                    (other, _) => return Err(format!("can't index item of type {}", other.go_type())),
                };
            }
            Ok(v)
        }
        "print" => Ok(Val::Str(go_sprint(args))),
        "println" => {
            let parts: Vec<String> = args.iter().map(sprint).collect();
            Ok(Val::Str(format!("{}\n", parts.join(" "))))
        }
        "printf" => {
            let Some((fmt, rest)) = args.split_first() else {
                return Err("wrong number of args for printf: want at least 1 got 0".into());
            };
            let Some(fmt) = fmt.as_str() else {
                return Err(format!("wrong type for value; expected string; got {}", fmt.go_type()));
            };
            Ok(Val::Str(go_printf(fmt, rest)))
        }
        "not" => {
            want(1)?;
            Ok(Val::Bool(!args[0].truth()))
        }
        "and" => Ok(args.iter().find(|a| !a.truth()).or(args.last()).cloned().unwrap_or(Val::Bool(true))),
        "or" => Ok(args.iter().find(|a| a.truth()).or(args.last()).cloned().unwrap_or(Val::Bool(false))),
        "eq" => {
            let Some((a, rest)) = args.split_first() else { return Err("missing argument for comparison".into()) };
            if rest.is_empty() {
                return Err("missing argument for comparison".into());
            }
            for b in rest {
                if compare(a, b)? == std::cmp::Ordering::Equal {
                    return Ok(Val::Bool(true));
                }
            }
            Ok(Val::Bool(false))
        }
        "ne" | "lt" | "le" | "gt" | "ge" => {
            want(2)?;
            let o = compare(&args[0], &args[1])?;
            use std::cmp::Ordering::*;
            Ok(Val::Bool(match f {
                "ne" => o != Equal,
                "lt" => o == Less,
                "le" => o != Greater,
                "gt" => o == Greater,
                _ => o != Less,
            }))
        }
        // kubectl's `exists`: whether the path of keys/indexes exists.
        "exists" => {
            let Some((first, keys)) = args.split_first() else { return Ok(Val::Bool(false)) };
            let mut v = first.clone();
            for k in keys {
                v = match (&v, k.as_str(), num(k)) {
                    (Val::J(Value::Object(m)), Some(key), _) => match m.get(key) {
                        Some(x) => Val::J(x.clone()),
                        None => return Ok(Val::Bool(false)),
                    },
                    (Val::J(Value::Array(a)), _, Some(i)) if i >= 0.0 && (i as usize) < a.len() => {
                        Val::J(a[i as usize].clone())
                    }
                    _ => return Ok(Val::Bool(false)),
                };
            }
            Ok(Val::Bool(true))
        }
        // kubectl's `base64decode`.
        "base64decode" => {
            want(1)?;
            use base64::Engine;
            let s = args[0].as_str().unwrap_or("");
            match base64::engine::general_purpose::STANDARD.decode(s) {
                Ok(b) => Ok(Val::Str(String::from_utf8_lossy(&b).into_owned())),
                Err(_) => Err(format!("illegal base64 data at input byte {}", s.len())),
            }
        }
        _ => Err(format!("function \"{f}\" not defined")),
    }
}

/// fmt.Sprint: operands separated by a space when neither side is a string.
fn go_sprint(args: &[Val]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 && a.as_str().is_none() && args[i - 1].as_str().is_none() {
            out.push(' ');
        }
        out.push_str(&sprint(a));
    }
    out
}

/// fmt.Sprintf for the verbs templates use: `%v %s %d %q %f %t %x %%`, with flags `-`
/// and `0`, width and precision.
fn go_printf(fmt: &str, args: &[Val]) -> String {
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    let mut next = 0;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut left = false;
        let mut zero = false;
        while let Some(&f) = chars.peek() {
            match f {
                '-' => left = true,
                '0' => zero = true,
                '+' | ' ' | '#' => {}
                _ => break,
            }
            chars.next();
        }
        let mut width = String::new();
        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(d);
            chars.next();
        }
        let mut prec: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            prec = Some(p.parse().unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(a) = args.get(next) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next += 1;
        let bad = || format!("%!{verb}({}={})", a.go_type(), sprint(a));
        let mut s = match verb {
            'v' => sprint(a),
            's' => match a {
                Val::J(Value::String(_)) | Val::Str(_) => sprint(a),
                Val::J(Value::Array(_)) | Val::J(Value::Object(_)) => sprint(a),
                _ => bad(),
            },
            'q' => match a.as_str() {
                Some(s) => crate::sim::api::errors::go_quote(s),
                None => bad(),
            },
            'd' => match a {
                Val::Int(i) => i.to_string(),
                _ => bad(),
            },
            'f' | 'F' => match num(a).filter(|_| !matches!(a, Val::Int(_))) {
                Some(x) => format!("{x:.*}", prec.unwrap_or(6)),
                None => bad(),
            },
            't' => match a {
                Val::J(Value::Bool(b)) | Val::Bool(b) => b.to_string(),
                _ => bad(),
            },
            'x' => match a {
                Val::Int(i) => format!("{i:x}"),
                Val::J(Value::String(s)) | Val::Str(s) => s.bytes().map(|b| format!("{b:02x}")).collect(),
                _ => bad(),
            },
            other => format!("%!{other}({}={})", a.go_type(), sprint(a)),
        };
        if let (Some(p), 's' | 'v') = (prec, verb) {
            s = s.chars().take(p).collect();
        }
        let w: usize = width.parse().unwrap_or(0);
        let len = s.chars().count();
        if len < w {
            let pad = w - len;
            if left {
                s.push_str(&" ".repeat(pad));
            } else if zero && matches!(verb, 'd' | 'f' | 'F' | 'x') {
                s = format!("{}{s}", "0".repeat(pad));
            } else {
                s = format!("{}{s}", " ".repeat(pad));
            }
        }
        out.push_str(&s);
    }
    if next < args.len() {
        let extra: Vec<String> = args[next..].iter().map(|a| format!("{}={}", a.go_type(), sprint(a))).collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(t: &str, data: &Value) -> String {
        parse(t).unwrap().execute(data).unwrap()
    }

    #[test]
    fn fields_ranges_and_index() {
        let d = json!({"metadata": {"name": "web", "labels": {"app": "web"}, "creationTimestamp": null},
            "spec": {"replicas": 3, "containers": [{"name": "a", "image": "nginx", "resources": {}}]}});
        assert_eq!(run("{{.metadata.name}} {{.spec.replicas}}", &d), "web 3");
        assert_eq!(
            run("{{.metadata.labels}} {{.nope}} {{.metadata.creationTimestamp}}", &d),
            "map[app:web] <no value> <no value>"
        );
        assert_eq!(run("{{.spec.containers}}", &d), "[map[image:nginx name:a resources:map[]]]");
        assert_eq!(run("{{range .spec.containers}}{{.name}}={{.image}}\n{{end}}", &d), "a=nginx\n");
        assert_eq!(run("{{index .metadata.labels \"app\"}}", &d), "web");
        assert_eq!(run("{{range $k, $v := .metadata.labels}}{{$k}}:{{$v}};{{end}}", &d), "app:web;");
        assert_eq!(run("{{if .spec.replicas}}yes{{else}}no{{end}}", &d), "yes");
        assert_eq!(run("{{with .nope}}x{{else}}none{{end}}", &d), "none");
        assert_eq!(run("{{- \"a\" }}  \n  {{- \"b\" -}}  c", &d), "abc");
        assert_eq!(run("{{len .spec.containers}} {{printf \"%s-%d\" .metadata.name 2}}", &d), "1 web-2");
        assert_eq!(run("{{.metadata.name | printf \"%q\"}}", &d), "\"web\"");
        assert_eq!(run("{{range .spec.containers}}{{if eq .name \"a\"}}A{{end}}{{end}}", &d), "A");
    }

    #[test]
    fn errors_read_like_go() {
        assert_eq!(parse("{{.metadata.name}").unwrap_err(), "template: output:1: bad character U+007D '}'");
        assert_eq!(parse("{{foo .x}}").unwrap_err(), "template: output:1: function \"foo\" not defined");
        assert_eq!(parse("{{range .x}}").unwrap_err(), "template: output:1: unexpected EOF");
        assert_eq!(parse("{{.x").unwrap_err(), "template: output:1: unclosed action");
        let t = parse("{{.a.b.c}}").unwrap();
        assert_eq!(t.execute(&json!({})).unwrap(), "<no value>");
        let t = parse("A{{.metadata.name}} {{.metadata.creationTimestamp.x}}B").unwrap();
        let (out, e) = t.execute(&json!({"metadata": {"name": "c", "creationTimestamp": null}})).unwrap_err();
        assert_eq!(out, "Ac ");
        assert_eq!(
            e,
            "template: output:1:31: executing \"output\" at <.metadata.creationTimestamp.x>: nil pointer evaluating interface {}.x"
        );
        let t = parse("{{range .spec.replicas}}x{{end}}").unwrap();
        let (_, e) = t.execute(&json!({"spec": {"replicas": 1}})).unwrap_err();
        assert_eq!(e, "template: output:1:13: executing \"output\" at <.spec.replicas>: range can't iterate over 1");
    }

    #[test]
    fn floats_print_like_fmt() {
        assert_eq!(sprint(&Val::J(json!(1000000))), "1e+06");
        assert_eq!(sprint(&Val::J(json!(0.5))), "0.5");
        assert_eq!(sprint(&Val::Int(1000000)), "1000000");
    }
}
