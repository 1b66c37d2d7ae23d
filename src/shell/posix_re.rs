//! POSIX regular expressions as grep, sed and awk read them — basic (BRE) and extended
//! (ERE) syntax with the GNU extensions (`\+`, `\?`, `\|`, `\w`, `\<`...) — translated into
//! the `regex` crate's syntax, and matched with POSIX's *leftmost-longest* rule
//! (`echo abcd | grep -oE 'a|ab'` prints `ab`, where Perl-style engines say `a`).
//!
//! The translation reports the glibc texts for bad expressions (`Unmatched ( or \(`,
//! `Invalid content of \{\}`...), which grep and sed print after their own prefixes.
//! Back-references inside a pattern (`\(a\)\1`) cannot be expressed with finite automata;
//! they fail with a clear "does not support" error instead of matching wrongly.
//!
//! Character classes (`[[:alpha:]]`, `\w`, `\b`) are ASCII, as in the C locale.

use std::cell::RefCell;

use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::{Anchored, Input, MatchKind};

/// Which POSIX syntax a pattern is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// Basic: `\( \) \{ \} \| \+ \?` are operators, the bare characters are literal.
    Basic,
    /// Extended (`grep -E`, `sed -E`, awk): the other way round.
    Extended,
}

/// Which tool reads the pattern: escapes differ a little.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tool {
    Grep,
    /// sed: `\n` and `\t` are newline and tab.
    Sed,
    /// awk: C escapes (`\n`, `\t`, `\/`, `\"`) everywhere, also inside brackets; no GNU
    /// operators such as `\<` or `\w`.
    Awk,
}

/// Options of one pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Opts {
    pub dialect: Dialect,
    pub tool: Tool,
    pub icase: bool,
    /// `^` and `$` also match around newlines (sed's `M` flag).
    pub multiline: bool,
}

impl Opts {
    pub fn new(dialect: Dialect, tool: Tool) -> Opts {
        Opts { dialect, tool, icase: false, multiline: false }
    }
}

/// Why a pattern was rejected. `Display` gives the C library's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ReError {
    UnmatchedBracket,
    UnmatchedParen,
    UnmatchedRightParen,
    UnmatchedBrace,
    BadBraceContent,
    BadClassName,
    /// `[:alpha:]` written without the outer brackets (GNU's dfa.c diagnostic, whose
    /// text always names `[:space:]`).
    ClassSyntax,
    TrailingBackslash,
    BadBackref,
    BadRangeEnd,
    TooBig,
    /// Something kubedojo cannot match (back-references).
    Unsupported(String),
}

impl std::fmt::Display for ReError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReError::UnmatchedBracket => f.write_str("Unmatched [, [^, [:, [., or [="),
            ReError::UnmatchedParen => f.write_str("Unmatched ( or \\("),
            ReError::UnmatchedRightParen => f.write_str("Unmatched ) or \\)"),
            ReError::UnmatchedBrace => f.write_str("Unmatched \\{"),
            ReError::BadBraceContent => f.write_str("Invalid content of \\{\\}"),
            ReError::BadClassName => f.write_str("Invalid character class name"),
            ReError::ClassSyntax => f.write_str("character class syntax is [[:space:]], not [:space:]"),
            ReError::TrailingBackslash => f.write_str("Trailing backslash"),
            ReError::BadBackref => f.write_str("Invalid back reference"),
            ReError::BadRangeEnd => f.write_str("Invalid range end"),
            ReError::TooBig => f.write_str("Regular expression too big"),
            ReError::Unsupported(what) => write!(f, "kubedojo's regular expressions do not support {what}"),
        }
    }
}

/// A translated pattern: the `regex` crate's syntax, its number of groups, and the
/// warnings GNU grep prints for it (`* at start of expression`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Translated {
    pub rust: String,
    pub groups: usize,
    pub warnings: Vec<String>,
}

const CLASSES: [&str; 12] =
    ["alpha", "digit", "alnum", "upper", "lower", "space", "blank", "punct", "print", "graph", "cntrl", "xdigit"];

/// The largest repetition count POSIX allows (RE_DUP_MAX).
const DUP_MAX: u32 = 0x7fff;

struct Tr<'a> {
    c: &'a [char],
    i: usize,
    opts: Opts,
    out: String,
    /// Where the last atom starts in `out` (None: nothing to repeat yet).
    atom: Option<usize>,
    /// The last atom already carries a repetition operator.
    repeated: bool,
    /// Open groups: their numbers and where they start in `out`.
    open: Vec<(usize, usize)>,
    groups: usize,
    closed: Vec<usize>,
    warnings: Vec<String>,
}

/// Pushes `c` as a literal of the `regex` crate's syntax.
fn push_lit(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() || c == '_' || c == ' ' || !c.is_ascii() {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:x}}}", c as u32));
    }
}

impl Tr<'_> {
    fn peek(&self, k: usize) -> Option<char> {
        self.c.get(self.i + k).copied()
    }
    fn ere(&self) -> bool {
        self.opts.dialect == Dialect::Extended
    }
    /// Starts a new atom at the current end of `out`.
    fn begin_atom(&mut self) -> usize {
        let at = self.out.len();
        self.atom = Some(at);
        self.repeated = false;
        at
    }
    fn literal(&mut self, c: char) {
        self.begin_atom();
        push_lit(&mut self.out, c);
    }
    fn raw_atom(&mut self, s: &str) {
        self.begin_atom();
        self.out.push_str(s);
    }
    /// A zero-width assertion: nothing may repeat it.
    fn assertion(&mut self, s: &str) {
        self.out.push_str(s);
        self.atom = None;
    }
    /// Applies a repetition operator (`*`, `+`, `?`, `{m,n}`) to the last atom.
    fn repeat(&mut self, op: &str) {
        let Some(at) = self.atom else { return };
        if self.repeated {
            // `a**`, `a{2}{3}`: POSIX allows stacking; the regex crate wants a group.
            let inner = self.out.split_off(at);
            self.out.push_str("(?:");
            self.out.push_str(&inner);
            self.out.push(')');
        }
        self.out.push_str(op);
        self.repeated = true;
    }
    fn at_expr_start(&self) -> bool {
        // Start of the pattern, after an open group or an alternation bar.
        self.atom.is_none() && (self.out.is_empty() || self.out.ends_with('(') || self.out.ends_with('|'))
    }

    fn run(&mut self) -> Result<(), ReError> {
        while let Some(c) = self.peek(0) {
            self.i += 1;
            match c {
                '\\' => self.escape()?,
                '[' => self.bracket()?,
                '.' => self.raw_atom("."),
                '*' => {
                    if self.atom.is_some() {
                        self.repeat("*");
                    } else if self.ere() {
                        // GNU: a leading `*` in an ERE repeats nothing and is dropped.
                        self.warnings.push("* at start of expression".into());
                    } else {
                        self.literal('*');
                    }
                }
                '+' | '?' if self.ere() => {
                    if self.atom.is_some() {
                        self.repeat(&c.to_string());
                    } else {
                        self.warnings.push(format!("{c} at start of expression"));
                    }
                }
                '{' if self.ere() => self.ere_brace()?,
                '(' if self.ere() => self.open_group(),
                ')' if self.ere() => {
                    if self.open.is_empty() {
                        self.literal(')');
                    } else {
                        self.close_group();
                    }
                }
                '|' if self.ere() => self.alternation(),
                '^' => {
                    if self.ere() || self.at_expr_start() {
                        self.assertion("^");
                    } else {
                        self.literal('^');
                    }
                }
                '$' => {
                    let at_end = self.peek(0).is_none()
                        || (self.ere() && matches!(self.peek(0), Some(')') | Some('|')))
                        || (!self.ere() && self.peek(0) == Some('\\') && matches!(self.peek(1), Some(')') | Some('|')));
                    if self.ere() || at_end {
                        self.assertion("$");
                    } else {
                        self.literal('$');
                    }
                }
                '\n' if self.opts.tool == Tool::Grep => {
                    // grep: a newline separates patterns; callers split before translating.
                    self.alternation();
                }
                c => self.literal(c),
            }
        }
        if !self.open.is_empty() {
            return Err(ReError::UnmatchedParen);
        }
        Ok(())
    }

    fn open_group(&mut self) {
        self.groups += 1;
        self.open.push((self.groups, self.out.len()));
        self.out.push('(');
        self.atom = None;
        self.repeated = false;
    }

    fn close_group(&mut self) {
        // The whole group becomes the atom that a following operator repeats.
        let (n, start) = self.open.pop().unwrap_or((0, 0));
        self.closed.push(n);
        self.out.push(')');
        self.atom = Some(start);
        self.repeated = false;
    }

    fn alternation(&mut self) {
        self.out.push('|');
        self.atom = None;
        self.repeated = false;
    }

    /// Parses `m`, `m,`, `,n`, `m,n` up to the closing brace (`}` or `\}`); returns the
    /// bounds and the index after the close, or None when the text is not an interval.
    fn interval(&self, basic: bool) -> Result<Option<(u32, Option<u32>, usize)>, ReError> {
        let mut j = self.i;
        let num = |j: &mut usize| -> Option<u32> {
            let s = *j;
            while self.c.get(*j).is_some_and(|c| c.is_ascii_digit()) {
                *j += 1;
            }
            (*j > s).then(|| self.c[s..*j].iter().collect::<String>().parse::<u32>().unwrap_or(u32::MAX))
        };
        let lo = num(&mut j);
        let mut hi = lo;
        let mut comma = false;
        if self.c.get(j) == Some(&',') {
            comma = true;
            j += 1;
            hi = num(&mut j);
        }
        let closed = if basic {
            self.c.get(j) == Some(&'\\') && self.c.get(j + 1) == Some(&'}')
        } else {
            self.c.get(j) == Some(&'}')
        };
        if !closed {
            if basic {
                // Look for any closing `\}` to tell "unmatched" from "bad content".
                let rest: String = self.c[self.i..].iter().collect();
                return Err(if rest.contains("\\}") { ReError::BadBraceContent } else { ReError::UnmatchedBrace });
            }
            return Ok(None);
        }
        let end = if basic { j + 2 } else { j + 1 };
        if lo.is_none() && !comma {
            return if basic { Err(ReError::BadBraceContent) } else { Ok(None) };
        }
        let lo = lo.unwrap_or(0);
        let hi = if comma { hi } else { Some(lo) };
        if let Some(h) = hi {
            if h < lo {
                return Err(ReError::BadBraceContent);
            }
        }
        if lo > DUP_MAX || hi.is_some_and(|h| h > DUP_MAX) {
            return Err(ReError::TooBig);
        }
        Ok(Some((lo, hi, end)))
    }

    fn apply_interval(&mut self, lo: u32, hi: Option<u32>) {
        let op = match hi {
            Some(h) if h == lo => format!("{{{lo}}}"),
            Some(h) => format!("{{{lo},{h}}}"),
            None => format!("{{{lo},}}"),
        };
        self.repeat(&op);
    }

    fn ere_brace(&mut self) -> Result<(), ReError> {
        if self.atom.is_none() {
            // GNU drops a `{` that has nothing to repeat (and warns).
            self.warnings.push("{...} at start of expression".into());
            return Ok(());
        }
        match self.interval(false)? {
            Some((lo, hi, end)) => {
                self.i = end;
                self.apply_interval(lo, hi);
            }
            None => self.literal('{'),
        }
        Ok(())
    }

    fn escape(&mut self) -> Result<(), ReError> {
        let Some(c) = self.peek(0) else {
            return Err(ReError::TrailingBackslash);
        };
        self.i += 1;
        let basic = !self.ere();
        if self.opts.tool == Tool::Awk {
            match c {
                'n' => self.literal('\n'),
                't' => self.literal('\t'),
                'r' => self.literal('\r'),
                'f' => self.literal('\x0c'),
                'v' => self.literal('\x0b'),
                'a' => self.literal('\x07'),
                'b' => self.literal('\x08'),
                c => self.literal(c),
            }
            return Ok(());
        }
        match c {
            '(' if basic => self.open_group(),
            ')' if basic => {
                if self.open.is_empty() {
                    return Err(ReError::UnmatchedRightParen);
                }
                self.close_group();
            }
            '|' if basic => self.alternation(),
            '{' if basic => {
                if self.atom.is_none() {
                    // Nothing to repeat: glibc takes the brace literally.
                    self.literal('{');
                } else if let Some((lo, hi, end)) = self.interval(true)? {
                    self.i = end;
                    self.apply_interval(lo, hi);
                }
            }
            '}' if basic => self.literal('}'),
            '+' | '?' if basic => {
                if self.atom.is_some() {
                    self.repeat(&c.to_string());
                } else {
                    self.literal(c);
                }
            }
            '1'..='9' => {
                let n = c as usize - '0' as usize;
                if !self.closed.contains(&n) {
                    return Err(ReError::BadBackref);
                }
                return Err(ReError::Unsupported(format!("back-references such as \\{n} in a pattern")));
            }
            'w' => self.raw_atom("[0-9A-Za-z_]"),
            'W' => self.raw_atom("[^0-9A-Za-z_]"),
            's' => self.raw_atom("[\\t\\n\\x0B\\x0C\\r ]"),
            'S' => self.raw_atom("[^\\t\\n\\x0B\\x0C\\r ]"),
            'b' => self.assertion("(?-u:\\b)"),
            'B' => self.assertion("(?-u:\\B)"),
            '<' => self.assertion("(?-u:\\b{start})"),
            '>' => self.assertion("(?-u:\\b{end})"),
            '`' => self.assertion("\\A"),
            '\'' => self.assertion("\\z"),
            'n' if self.opts.tool == Tool::Sed => self.literal('\n'),
            't' if self.opts.tool == Tool::Sed => self.literal('\t'),
            c => self.literal(c),
        }
        Ok(())
    }

    fn bracket(&mut self) -> Result<(), ReError> {
        let start = self.i;
        let mut neg = false;
        if self.peek(0) == Some('^') {
            neg = true;
            self.i += 1;
        }
        let mut items = String::new();
        let mut first = true;
        let mut prev: Option<char> = None;
        loop {
            let Some(c) = self.peek(0) else {
                return Err(ReError::UnmatchedBracket);
            };
            self.i += 1;
            if c == ']' && !first {
                break;
            }
            first = false;
            let mut lit = c;
            if c == '[' && matches!(self.peek(0), Some(':') | Some('=') | Some('.')) {
                let kind = self.peek(0).unwrap_or(':');
                let body_start = self.i + 1;
                let mut j = body_start;
                while j + 1 < self.c.len() && !(self.c[j] == kind && self.c[j + 1] == ']') {
                    j += 1;
                }
                if j + 1 >= self.c.len() {
                    return Err(ReError::UnmatchedBracket);
                }
                let name: String = self.c[body_start..j].iter().collect();
                self.i = j + 2;
                match kind {
                    ':' => {
                        if !CLASSES.contains(&name.as_str()) {
                            return Err(ReError::BadClassName);
                        }
                        items.push_str(&format!("[:{name}:]"));
                        prev = None;
                        continue;
                    }
                    _ => {
                        let mut chars = name.chars();
                        match (chars.next(), chars.next()) {
                            (Some(ch), None) => lit = ch,
                            _ => return Err(ReError::Unsupported("multi-character collating elements".into())),
                        }
                    }
                }
            } else if c == '\\' && self.opts.tool == Tool::Awk {
                // awk processes escapes inside brackets too.
                let Some(e) = self.peek(0) else {
                    return Err(ReError::UnmatchedBracket);
                };
                self.i += 1;
                lit = match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    other => other,
                };
            } else if c == '-' && prev.is_some() && self.peek(0) != Some(']') {
                // A range `a-z`: the end may itself be `[.x.]`, which we do not expand.
                let lo = prev.unwrap_or('-');
                let Some(mut hi) = self.peek(0) else {
                    return Err(ReError::UnmatchedBracket);
                };
                self.i += 1;
                if hi == '\\' && self.opts.tool == Tool::Awk {
                    hi = self.peek(0).unwrap_or('\\');
                    self.i += 1;
                }
                if hi < lo {
                    return Err(ReError::BadRangeEnd);
                }
                items.push('-');
                push_lit(&mut items, hi);
                prev = None;
                continue;
            }
            push_lit(&mut items, lit);
            prev = Some(lit);
        }
        // `[:space:]` alone: GNU diagnoses the missing outer brackets.
        let body: String = self.c[start..self.i - 1].iter().collect();
        if self.opts.tool != Tool::Awk
            && body.len() >= 3
            && body.starts_with(':')
            && body.ends_with(':')
            && body[1..body.len() - 1].chars().any(|c| c != ':')
        {
            return Err(ReError::ClassSyntax);
        }
        self.begin_atom();
        self.out.push('[');
        if neg {
            self.out.push('^');
        }
        self.out.push_str(&items);
        self.out.push(']');
        Ok(())
    }
}

/// Translates a POSIX pattern into the `regex` crate's syntax.
pub(crate) fn translate(pat: &str, opts: Opts) -> Result<Translated, ReError> {
    let chars: Vec<char> = pat.chars().collect();
    let mut t = Tr {
        c: &chars,
        i: 0,
        opts,
        out: String::new(),
        atom: None,
        repeated: false,
        open: vec![],
        groups: 0,
        closed: vec![],
        warnings: vec![],
    };
    t.run()?;
    let flags = format!("(?s{}{})", if opts.icase { "i" } else { "" }, if opts.multiline { "m" } else { "" });
    Ok(Translated { rust: format!("{flags}{}", t.out), groups: t.groups, warnings: t.warnings })
}

/// A compiled POSIX pattern.
pub(crate) struct Posix {
    /// Leftmost-first matcher: finds where the leftmost match starts, and captures.
    re: regex::Regex,
    /// The same pattern as a lazy DFA reporting every match: from a given start, the
    /// longest match end (POSIX's rule). None if it could not be built.
    dfa: Option<DFA>,
    cache: RefCell<Option<Cache>>,
    /// The pattern followed by `\z`, to recover groups for a match of a known end.
    to_end: RefCell<Option<Option<regex::Regex>>>,
    rust: String,
    pub groups: usize,
    pub warnings: Vec<String>,
}

impl std::fmt::Debug for Posix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Posix({:?})", self.rust)
    }
}

/// Group spans of one match: index 0 is the whole match.
pub(crate) type Groups = Vec<Option<(usize, usize)>>;

impl Posix {
    pub fn new(pat: &str, opts: Opts) -> Result<Posix, ReError> {
        let t = translate(pat, opts)?;
        Posix::from_rust(t)
    }

    /// A literal string (`grep -F`).
    pub fn literal(s: &str, icase: bool) -> Result<Posix, ReError> {
        let flags = if icase { "(?si)" } else { "(?s)" };
        Posix::from_rust(Translated { rust: format!("{flags}{}", regex::escape(s)), groups: 0, warnings: vec![] })
    }

    fn from_rust(t: Translated) -> Result<Posix, ReError> {
        let re = regex::RegexBuilder::new(&t.rust).size_limit(1 << 24).build().map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => ReError::TooBig,
            other => ReError::Unsupported(format!("this expression ({other})")),
        })?;
        let dfa = DFA::builder().configure(DFA::config().match_kind(MatchKind::All)).build(&t.rust).ok();
        Ok(Posix {
            re,
            dfa,
            cache: RefCell::new(None),
            to_end: RefCell::new(None),
            rust: t.rust,
            groups: t.groups,
            warnings: t.warnings,
        })
    }

    pub fn is_match(&self, hay: &str) -> bool {
        self.re.is_match(hay)
    }

    /// The longest end of a match starting exactly at `start`.
    fn longest_end(&self, hay: &str, start: usize) -> Option<usize> {
        let dfa = self.dfa.as_ref()?;
        let mut slot = self.cache.borrow_mut();
        let cache = slot.get_or_insert_with(|| dfa.create_cache());
        let input = Input::new(hay).range(start..).anchored(Anchored::Yes);
        dfa.try_search_fwd(cache, &input).ok().flatten().map(|m| m.offset())
    }

    /// The leftmost-longest match at or after byte `from`.
    pub fn find_at(&self, hay: &str, from: usize) -> Option<(usize, usize)> {
        let m = self.re.find_at(hay, from)?;
        let end = self.longest_end(hay, m.start()).map_or(m.end(), |e| e.max(m.end()));
        Some((m.start(), end))
    }

    /// Like [`find_at`](Self::find_at), with the spans of the groups.
    pub fn captures_at(&self, hay: &str, from: usize) -> Option<Groups> {
        let caps = self.re.captures_at(hay, from)?;
        let whole = caps.get(0)?;
        let to_vec = |c: &regex::Captures| -> Groups { c.iter().map(|m| m.map(|m| (m.start(), m.end()))).collect() };
        let end = self.longest_end(hay, whole.start()).unwrap_or(whole.end());
        if end <= whole.end() {
            return Some(to_vec(&caps));
        }
        // A longer match exists (an earlier alternative won in preference order): find
        // groups for a match ending exactly there.
        let mut slot = self.to_end.borrow_mut();
        let re = slot.get_or_insert_with(|| regex::Regex::new(&format!("(?:{})\\z", self.rust)).ok());
        if let Some(re) = re.as_ref() {
            if let Some(c) = re.captures_at(&hay[..end], whole.start()) {
                if c.get(0).map(|m| m.start()) == Some(whole.start()) {
                    return Some(to_vec(&c));
                }
            }
        }
        Some(to_vec(&caps))
    }

    /// Whether some match spans exactly `start..end` (used by `grep -w` to try shorter
    /// matches).
    pub fn matches_exactly(&self, hay: &str, start: usize, end: usize) -> bool {
        let mut slot = self.to_end.borrow_mut();
        let re = slot.get_or_insert_with(|| regex::Regex::new(&format!("(?:{})\\z", self.rust)).ok());
        match re.as_ref() {
            Some(re) => re.find_at(&hay[..end], start).is_some_and(|m| m.start() == start),
            None => false,
        }
    }

    /// Every non-overlapping leftmost-longest match, as `grep -o` and `sed s///g` see them:
    /// an empty match right after a previous match is skipped.
    pub fn find_all(&self, hay: &str) -> Vec<(usize, usize)> {
        let mut v = Vec::new();
        let mut pos = 0;
        let mut last_end: Option<usize> = None;
        while pos <= hay.len() {
            let Some((s, e)) = self.find_at(hay, pos) else { break };
            if s == e && last_end == Some(s) {
                // Skip one character and try again.
                match hay[s..].chars().next() {
                    Some(c) => pos = s + c.len_utf8(),
                    None => break,
                }
                continue;
            }
            v.push((s, e));
            last_end = Some(e);
            pos = if e > s {
                e
            } else {
                match hay[e..].chars().next() {
                    Some(c) => e + c.len_utf8(),
                    None => break,
                }
            };
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bre(p: &str) -> String {
        translate(p, Opts::new(Dialect::Basic, Tool::Grep)).map(|t| t.rust).unwrap_or_else(|e| format!("ERR {e}"))
    }
    fn ere(p: &str) -> String {
        translate(p, Opts::new(Dialect::Extended, Tool::Grep)).map(|t| t.rust).unwrap_or_else(|e| format!("ERR {e}"))
    }
    fn m(p: &str, d: Dialect, hay: &str) -> Option<String> {
        let re = Posix::new(p, Opts::new(d, Tool::Grep)).expect("compiles");
        re.find_at(hay, 0).map(|(s, e)| hay[s..e].to_string())
    }

    #[test]
    fn basic_syntax() {
        assert_eq!(bre("a\\(b\\)*c"), "(?s)a(b)*c");
        assert_eq!(bre("a(b)|c+?{1}"), "(?s)a\\x{28}b\\x{29}\\x{7c}c\\x{2b}\\x{3f}\\x{7b}1\\x{7d}");
        assert_eq!(bre("a\\{2,3\\}"), "(?s)a{2,3}");
        assert_eq!(bre("a\\|b\\+c\\?"), "(?s)a|b+c?");
        assert_eq!(bre("*a"), "(?s)\\x{2a}a");
        assert_eq!(bre("\\(*a\\)"), "(?s)(\\x{2a}a)");
        assert_eq!(bre("^*"), "(?s)^\\x{2a}");
        assert_eq!(bre("a^b$c$"), "(?s)a\\x{5e}b\\x{24}c$");
        assert_eq!(bre("a**"), "(?s)(?:a*)*");
        assert_eq!(bre("\\.\\*\\[\\]"), "(?s)\\x{2e}\\x{2a}\\x{5b}\\x{5d}");
    }

    #[test]
    fn extended_syntax() {
        assert_eq!(ere("^(A|B)"), "(?s)^(A|B)");
        assert_eq!(ere("a\\(b\\)\\|c\\{"), "(?s)a\\x{28}b\\x{29}\\x{7c}c\\x{7b}");
        assert_eq!(ere("a{2}b{1,}c{,3}"), "(?s)a{2}b{1,}c{0,3}");
        assert_eq!(ere("a{1"), "(?s)a\\x{7b}1");
        assert_eq!(ere("a)"), "(?s)a\\x{29}");
        assert_eq!(ere("*a"), "(?s)a");
        assert_eq!(ere("(ab)+"), "(?s)(ab)+");
        assert_eq!(ere("\\<web\\>"), "(?s)(?-u:\\b{start})web(?-u:\\b{end})");
    }

    #[test]
    fn brackets() {
        assert_eq!(bre("[[:alpha:]]"), "(?s)[[:alpha:]]");
        assert_eq!(bre("[]a]"), "(?s)[\\x{5d}a]");
        assert_eq!(bre("[^]a]"), "(?s)[^\\x{5d}a]");
        assert_eq!(bre("[a\\]"), "(?s)[a\\x{5c}]");
        assert_eq!(bre("[a-z0-9-]"), "(?s)[a-z0-9\\x{2d}]");
        assert_eq!(ere("[(|)]"), "(?s)[\\x{28}\\x{7c}\\x{29}]");
    }

    #[test]
    fn errors_have_glibc_texts() {
        assert_eq!(bre("a\\("), "ERR Unmatched ( or \\(");
        assert_eq!(ere("(a"), "ERR Unmatched ( or \\(");
        assert_eq!(bre("a\\)"), "ERR Unmatched ) or \\)");
        assert_eq!(bre("[a"), "ERR Unmatched [, [^, [:, [., or [=");
        assert_eq!(bre("a\\{1"), "ERR Unmatched \\{");
        assert_eq!(bre("a\\{x\\}"), "ERR Invalid content of \\{\\}");
        assert_eq!(bre("a\\{2,1\\}"), "ERR Invalid content of \\{\\}");
        assert_eq!(ere("a{2,1}"), "ERR Invalid content of \\{\\}");
        assert_eq!(bre("[[:foo:]]"), "ERR Invalid character class name");
        assert_eq!(bre("[:space:]"), "ERR character class syntax is [[:space:]], not [:space:]");
        assert_eq!(bre("a\\"), "ERR Trailing backslash");
        assert_eq!(bre("\\(a\\)\\2"), "ERR Invalid back reference");
        assert_eq!(bre("[z-a]"), "ERR Invalid range end");
        assert_eq!(ere("a{65536}"), "ERR Regular expression too big");
        assert!(bre("\\(a\\)\\1").starts_with("ERR kubedojo's regular expressions do not support back-references"));
    }

    #[test]
    fn leftmost_longest() {
        assert_eq!(m("a|ab", Dialect::Extended, "xabc").as_deref(), Some("ab"));
        assert_eq!(m("Run|Running", Dialect::Extended, "Running").as_deref(), Some("Running"));
        assert_eq!(m("^(A|B)", Dialect::Extended, "Bx").as_deref(), Some("B"));
        assert_eq!(m("^(A|B)", Dialect::Extended, "xB"), None);
        assert_eq!(m("x*", Dialect::Basic, "abc").as_deref(), Some(""));
    }

    #[test]
    fn groups_follow_posix_for_greedy_patterns() {
        let re = Posix::new("\\(.*\\):\\(.*\\)", Opts::new(Dialect::Basic, Tool::Sed)).expect("compiles");
        let hay = "a:b:c";
        let g = re.captures_at(hay, 0).expect("match");
        assert_eq!(g[1].map(|(s, e)| &hay[s..e]), Some("a:b"));
        let re = Posix::new("(a|ab)(c|bcd)", Opts::new(Dialect::Extended, Tool::Sed)).expect("compiles");
        let g = re.captures_at("abcd", 0).expect("match");
        assert_eq!(g[0], Some((0, 4)));
    }

    #[test]
    fn find_all_skips_empty_match_after_match() {
        let re = Posix::new("a*", Opts::new(Dialect::Basic, Tool::Sed)).expect("compiles");
        assert_eq!(re.find_all("baaac"), vec![(0, 0), (1, 4), (5, 5)]);
    }
}
