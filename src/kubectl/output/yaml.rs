//! `kubectl -o yaml`: byte-identical to kubectl v1.32.
//!
//! kubectl prints YAML with sigs.k8s.io/yaml: `json.Marshal`, then `JSONToYAML`, which reads
//! the JSON back with go-yaml v2 into `interface{}` and writes it again with go-yaml v2. This
//! module reproduces that round trip for a `serde_json::Value`:
//! - the JSON → YAML read: which JSON numbers become ints or floats, how a raw NEL (U+0085) in
//!   a JSON string is folded, which characters make the read fail;
//! - go-yaml v2's `keyList.Less` map key order (numeric-aware: `a9` before `a10`);
//! - go-yaml v2's encoder (plain / double-quoted / literal style from how the string would
//!   resolve) and a port of its libyaml-derived emitter (`emitterc.go`): block style,
//!   sequences in mappings not indented, `{}`/`[]` for empty collections, single-quoting of
//!   strings that cannot be plain, escapes, `|`/`|-`/`|+` literal blocks with an indentation
//!   indicator, and folding of long plain and quoted scalars at column 80.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Number, Value};

use super::json::{go_format_g, go_json_float, list_object};

/// What `kubectl -o yaml` prints for one object.
///
/// A string holding a character go-yaml refuses to read back (U+007F–U+0084, U+0086–U+009F,
/// U+FFFE, U+FFFF) makes kubectl fail with [`YamlError`]; this function prints such strings
/// escaped instead. Use [`try_to_yaml`] to get kubectl's error.
pub fn to_yaml(value: &Value) -> String {
    let mut emitter = Emitter::new();
    emitter.document(value);
    String::from_utf8(emitter.out).unwrap_or_default()
}

/// Like [`to_yaml`], but fails the way kubectl does on characters go-yaml cannot read.
pub fn try_to_yaml(value: &Value) -> Result<String, YamlError> {
    if has_control_chars(value) {
        return Err(YamlError::ControlCharacters);
    }
    Ok(to_yaml(value))
}

/// Several objects as `kubectl create -f ... -o yaml` prints them: one document each, the
/// documents separated by `---` lines (kubectl's YAMLPrinter writes `---` before every
/// object but the first).
pub fn to_yaml_docs(values: &[Value]) -> String {
    let mut out = String::new();
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&to_yaml(value));
    }
    out
}

/// Several objects as `kubectl get ... -o yaml` prints them: one `kind: List` object
/// (`apiVersion: v1`, `items`, `metadata.resourceVersion: ""`).
pub fn to_yaml_list(values: &[Value]) -> String {
    to_yaml(&list_object(values))
}

/// Why kubectl could not print an object as YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YamlError {
    /// go-yaml's reader rejects C1 control characters, DEL and U+FFFE/U+FFFF, which
    /// `json.Marshal` leaves unescaped.
    ControlCharacters,
}

impl fmt::Display for YamlError {
    /// The text after kubectl's `error: ` prefix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            YamlError::ControlCharacters => f.write_str("yaml: control characters are not allowed"),
        }
    }
}

impl std::error::Error for YamlError {}

// ---------------------------------------------------------------------------------------
// The JSON → go-yaml read.

fn has_control_chars(value: &Value) -> bool {
    let bad = |s: &str| s.chars().any(|c| matches!(c as u32, 0x7F..=0x84 | 0x86..=0x9F | 0xFFFE | 0xFFFF));
    match value {
        Value::String(s) => bad(s),
        Value::Array(items) => items.iter().any(has_control_chars),
        Value::Object(map) => map.iter().any(|(k, v)| bad(k) || has_control_chars(v)),
        _ => false,
    }
}

/// A string after `json.Marshal` and go-yaml's double-quoted scalar reader. Go escapes every
/// line break but NEL (U+0085); go-yaml reads a raw NEL as a line break and folds it like
/// any break in a flow scalar: spaces around it dropped, one break → a space, n > 1 breaks
/// → n-1 newlines.
fn read_back(s: &str) -> Cow<'_, str> {
    if !s.contains('\u{85}') {
        return Cow::Borrowed(s);
    }
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    loop {
        while i < n && chars[i] != ' ' && chars[i] != '\u{85}' {
            out.push(chars[i]);
            i += 1;
        }
        if i == n {
            break;
        }
        let mut spaces = 0usize;
        let mut saw_break = false;
        let mut trailing_breaks = 0usize;
        while i < n && (chars[i] == ' ' || chars[i] == '\u{85}') {
            if chars[i] == ' ' {
                if !saw_break {
                    spaces += 1;
                }
            } else if !saw_break {
                saw_break = true;
            } else {
                trailing_breaks += 1;
            }
            i += 1;
        }
        if !saw_break {
            out.extend(std::iter::repeat_n(' ', spaces));
        } else if trailing_breaks == 0 {
            out.push(' ');
        } else {
            out.extend(std::iter::repeat_n('\n', trailing_breaks));
        }
    }
    Cow::Owned(out)
}

/// The plain text go-yaml writes for a JSON number, after reading `json.Marshal`'s text back
/// as an int (`strconv.ParseInt`/`ParseUint`) or, failing that, a float written with
/// `FormatFloat(f, 'g', -1, 64)`: `1.0` → `1`, `1500000.5` → `1.5000005e+06`.
fn number_text(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    let text = go_json_float(f);
    if !text.contains(['.', 'e', 'E']) {
        if let Ok(i) = text.parse::<i64>() {
            return i.to_string();
        }
        if let Ok(u) = text.parse::<u64>() {
            return u.to_string();
        }
    }
    go_format_g(f)
}

// ---------------------------------------------------------------------------------------
// go-yaml v2's resolver (resolve.go): would a plain scalar with this text read back as
// something other than a string?

const RESOLVE_MAP: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no", "No", "NO", "false",
    "False", "FALSE", "off", "Off", "OFF", "", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf",
    ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<",
];

fn resolves_to_non_string(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return true; // "" is null
    };
    let hint = match first {
        b'+' | b'-' => b'S',
        b'0'..=b'9' => b'D',
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => b'M',
        b'.' => b'.',
        _ => return false,
    };
    if RESOLVE_MAP.contains(&s) {
        return true;
    }
    match hint {
        b'M' => false,
        b'.' => go_parse_float_ok(s),
        _ => {
            if parse_timestamp(b) {
                return true;
            }
            let plain: Vec<u8> = b.iter().copied().filter(|&c| c != b'_').collect();
            // ParseInt, or ParseUint for an unsigned number. (Newer go-yaml also reads
            // bigger integers as big.Int; the one in kubectl 1.32 leaves them strings.)
            match go_int_syntax(&plain) {
                Some(int) if int.fits_i64 || (!int.signed && int.fits_u64) => return true,
                _ => {}
            }
            yaml_style_float(&plain)
                && std::str::from_utf8(&plain).ok().and_then(|p| p.parse::<f64>().ok()).is_some_and(f64::is_finite)
        }
    }
}

struct GoInt {
    signed: bool,
    fits_i64: bool,
    fits_u64: bool,
}

/// `strconv.ParseInt(s, 0, 64)` syntax (sign, `0b`/`0o`/`0x`/`0` prefixes), and whether the
/// value fits an int64. `None` for a syntax error.
fn go_int_syntax(s: &[u8]) -> Option<GoInt> {
    let (neg, signed, rest) = match s.first() {
        Some(b'+') => (false, true, &s[1..]),
        Some(b'-') => (true, true, &s[1..]),
        _ => (false, false, s),
    };
    if rest.is_empty() {
        return None;
    }
    let (base, digits): (u32, &[u8]) = if rest[0] == b'0' {
        match rest.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if rest.len() >= 3 => (2, &rest[2..]),
            Some(b'o') if rest.len() >= 3 => (8, &rest[2..]),
            Some(b'x') if rest.len() >= 3 => (16, &rest[2..]),
            _ => (8, &rest[1..]),
        }
    } else {
        (10, rest)
    };
    let mut value: u128 = 0;
    let mut overflow = false;
    for &c in digits {
        let d = (c as char).to_digit(base)?;
        if !overflow {
            value = value * u128::from(base) + u128::from(d);
            overflow = value > u128::from(u64::MAX);
        }
    }
    let limit = if neg { 1u128 << 63 } else { (1u128 << 63) - 1 };
    Some(GoInt { signed, fits_i64: !overflow && value <= limit, fits_u64: !overflow })
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn yaml_style_float(s: &[u8]) -> bool {
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < s.len() && s[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if matches!(s.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if s.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if s.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == s.len()
}

/// `strconv.ParseFloat(s, 64)` succeeds, for a string starting with `.` (go-yaml's `.` hint):
/// `.5`, `.5e3`, `.5_0`; not `.`, `.e3`, `1e999`-style overflow.
fn go_parse_float_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let mut saw_dot = false;
    let mut saw_digits = false;
    let mut underscores = false;
    while i < b.len() {
        match b[i] {
            b'_' => underscores = true,
            b'.' if saw_dot => break,
            b'.' => saw_dot = true,
            c if c.is_ascii_digit() => saw_digits = true,
            _ => break,
        }
        i += 1;
    }
    if !saw_digits {
        return false;
    }
    if i < b.len() && b[i].eq_ignore_ascii_case(&b'e') {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return false;
        }
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            underscores |= b[i] == b'_';
            i += 1;
        }
    }
    if i != b.len() || (underscores && !underscore_ok(b)) {
        return false;
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    plain.parse::<f64>().is_ok_and(f64::is_finite)
}

/// strconv's `underscoreOK` for a number without base prefix: each `_` sits between digits.
fn underscore_ok(s: &[u8]) -> bool {
    let mut saw = b'^';
    let s = match s.first() {
        Some(b'+' | b'-') => &s[1..],
        _ => s,
    };
    for &c in s {
        if c.is_ascii_digit() {
            saw = b'0';
            continue;
        }
        if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
            continue;
        }
        if saw == b'_' {
            return false;
        }
        saw = b'!';
    }
    saw != b'_'
}

/// go-yaml's `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`. Such
/// strings (`1:20`) are quoted for YAML 1.1 readers.
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        // [0-5]?[0-9]: one digit, or two with the first in 0-5.
        match (b.get(i), b.get(i + 1)) {
            (Some(b'0'..=b'5'), Some(c)) if c.is_ascii_digit() => i += 2,
            (Some(c), _) if c.is_ascii_digit() => i += 1,
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// go-yaml's `parseTimestamp`: `YYYY-` then one of Go's layouts
/// `2006-1-2T15:4:5.999999999Z07:00` (also with `t`), `2006-1-2 15:4:5.999999999`,
/// `2006-1-2`, with `time.Parse`'s range checks.
fn parse_timestamp(s: &[u8]) -> bool {
    let year_digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    if year_digits != 4 || s.get(4) != Some(&b'-') {
        return false;
    }
    [Some(b'T'), Some(b't'), Some(b' '), None].into_iter().any(|sep| parse_layout(s, sep))
}

fn parse_layout(s: &[u8], time_sep: Option<u8>) -> bool {
    // time.Parse's getnum: one digit, or two when the second is a digit.
    fn getnum(s: &[u8], i: &mut usize) -> Option<u32> {
        let d0 = s.get(*i).filter(|c| c.is_ascii_digit())?;
        let mut n = u32::from(d0 - b'0');
        *i += 1;
        if let Some(d1) = s.get(*i).filter(|c| c.is_ascii_digit()) {
            n = n * 10 + u32::from(d1 - b'0');
            *i += 1;
        }
        Some(n)
    }
    fn expect(s: &[u8], i: &mut usize, c: u8) -> Option<()> {
        (s.get(*i) == Some(&c)).then(|| *i += 1)
    }
    let run = || -> Option<()> {
        let year: u32 = std::str::from_utf8(s.get(..4)?).ok()?.parse().ok()?;
        let mut i = 4;
        expect(s, &mut i, b'-')?;
        let month = getnum(s, &mut i)?;
        if !(1..=12).contains(&month) {
            return None;
        }
        expect(s, &mut i, b'-')?;
        let day = getnum(s, &mut i)?;
        if let Some(sep) = time_sep {
            expect(s, &mut i, sep)?;
            let hour = getnum(s, &mut i)?;
            expect(s, &mut i, b':')?;
            let minute = getnum(s, &mut i)?;
            expect(s, &mut i, b':')?;
            let second = getnum(s, &mut i)?;
            if hour >= 24 || minute >= 60 || second >= 60 {
                return None;
            }
            // Optional fraction: `.` or `,` and any number of digits.
            if matches!(s.get(i), Some(b'.' | b',')) && s.get(i + 1).is_some_and(u8::is_ascii_digit) {
                i += 1;
                while s.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
            if sep != b' ' {
                // Z07:00
                if s.get(i) == Some(&b'Z') {
                    i += 1;
                } else {
                    let tz = s.get(i..i + 6)?;
                    let two = |a: u8, b: u8| {
                        (a.is_ascii_digit() && b.is_ascii_digit())
                            .then(|| u32::from(a - b'0') * 10 + u32::from(b - b'0'))
                    };
                    if !matches!(tz[0], b'+' | b'-') || tz[3] != b':' {
                        return None;
                    }
                    let hh = two(tz[1], tz[2])?;
                    let mm = two(tz[4], tz[5])?;
                    if hh > 24 || mm > 60 {
                        return None;
                    }
                    i += 6;
                }
            }
        }
        if i != s.len() {
            return None;
        }
        let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        (1..=days).contains(&day).then_some(())
    };
    run().is_some()
}

// ---------------------------------------------------------------------------------------
// Map key order: go-yaml v2's keyList.Less (sorter.go) for string keys.

fn is_letter(c: char) -> bool {
    // Go's unicode.IsLetter; `is_alphabetic` agrees on every character a Kubernetes key
    // can hold (they are ASCII).
    c.is_alphabetic()
}

fn is_digit(c: char) -> bool {
    // Go's unicode.IsDigit is Unicode Nd; non-ASCII decimal digits are treated as non-digits.
    c.is_ascii_digit()
}

/// go-yaml's `keyList.Less` on the keys' runes.
fn key_less(ar: &[char], br: &[char]) -> bool {
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let al = is_letter(ar[i]);
        let bl = is_letter(br[i]);
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let mut an: i64 = 0;
        let mut bn: i64 = 0;
        if ar[i] == '0' || br[i] == '0' {
            // A run of digits before the difference that is not all zeros: both numbers
            // get the same non-zero lead, so leading zeros then count (a01 vs a1).
            let mut j = i;
            while j > 0 && is_digit(ar[j - 1]) {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && is_digit(ar[ai]) {
            an = an.wrapping_mul(10).wrapping_add(i64::from(ar[ai] as u32 - '0' as u32));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && is_digit(br[bi]) {
            bn = bn.wrapping_mul(10).wrapping_add(i64::from(br[bi] as u32 - '0' as u32));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// Sorts with `key_less`. A hand-written merge sort: `slice::sort_by` may panic when a
/// comparator is not a total order, and go-yaml's is not one on some keys mixing digits and
/// letters (`01` < `10` < `1e3` < `01`). For those, kubectl's own order depends on Go's random
/// map iteration and changes from run to run; this order is one of them, and stable.
fn sort_keys<'a>(pairs: Vec<(&'a String, &'a Value)>) -> Vec<(&'a String, &'a Value)> {
    let decorated: Vec<(Vec<char>, (&String, &Value))> =
        pairs.into_iter().map(|p| (p.0.chars().collect(), p)).collect();
    merge_sort(decorated).into_iter().map(|(_, p)| p).collect()
}

fn merge_sort<T>(mut items: Vec<(Vec<char>, T)>) -> Vec<(Vec<char>, T)> {
    if items.len() <= 1 {
        return items;
    }
    let right = merge_sort(items.split_off(items.len() / 2));
    let left = merge_sort(items);
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut l = left.into_iter().peekable();
    let mut r = right.into_iter().peekable();
    loop {
        let take_right = match (l.peek(), r.peek()) {
            (Some(a), Some(b)) => key_less(&b.0, &a.0),
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (None, None) => break,
        };
        out.extend(if take_right { r.next() } else { l.next() });
    }
    out
}

// ---------------------------------------------------------------------------------------
// The emitter: a port of go-yaml v2's emitterc.go for the events its encoder produces from
// a decoded JSON document (block collections, implicit untagged scalars, no anchors).

const BEST_INDENT: i64 = 2;
const BEST_WIDTH: i64 = 80;

/// The style the encoder asks for (encode.go `stringv` and friends).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Requested {
    Plain,
    DoubleQuoted,
    Literal,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

/// Where a node sits: emitterc's `mapping_context` and `simple_key_context`.
#[derive(Clone, Copy, Default)]
struct Ctx {
    mapping: bool,
    simple_key: bool,
}

/// emitterc's `scalar_data` flags from `yaml_emitter_analyze_scalar`.
struct Analysis {
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

// Byte tests from yamlprivateh.go. Out-of-range reads give 0, as libyaml's NUL terminator.
fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

fn width(c: u8) -> usize {
    if c & 0x80 == 0 {
        1
    } else if c & 0xE0 == 0xC0 {
        2
    } else if c & 0xF0 == 0xE0 {
        3
    } else if c & 0xF8 == 0xF0 {
        4
    } else {
        0
    }
}

fn is_printable(b: &[u8], i: usize) -> bool {
    let c = at(b, i);
    let c1 = at(b, i + 1);
    let c2 = at(b, i + 2);
    c == 0x0A
        || (0x20..=0x7E).contains(&c)
        || (c == 0xC2 && c1 >= 0xA0)
        || (c > 0xC2 && c < 0xED)
        || (c == 0xED && c1 < 0xA0)
        || c == 0xEE
        || (c == 0xEF && !(c1 == 0xBB && c2 == 0xBF) && !(c1 == 0xBF && (c2 == 0xBE || c2 == 0xBF)))
}

/// go-yaml's `is_bom` looks at the start of the value whatever `i` is, so a string that
/// starts with U+FEFF has every character escaped. Reproduced on purpose.
fn is_bom(b: &[u8]) -> bool {
    at(b, 0) == 0xEF && at(b, 1) == 0xBB && at(b, 2) == 0xBF
}

fn is_space(b: &[u8], i: usize) -> bool {
    at(b, i) == b' '
}

fn is_blank(b: &[u8], i: usize) -> bool {
    matches!(at(b, i), b' ' | b'\t')
}

fn is_break(b: &[u8], i: usize) -> bool {
    let c = at(b, i);
    c == b'\r'
        || c == b'\n'
        || (c == 0xC2 && at(b, i + 1) == 0x85)
        || (c == 0xE2 && at(b, i + 1) == 0x80 && matches!(at(b, i + 2), 0xA8 | 0xA9))
}

fn is_blankz(b: &[u8], i: usize) -> bool {
    is_blank(b, i) || is_break(b, i) || at(b, i) == 0
}

fn analyze_scalar(value: &[u8]) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain_allowed: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_indicators = false;
    let mut flow_indicators = false;
    let mut line_breaks = false;
    let mut special_characters = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut previous_space = false;
    let mut previous_break = false;

    if value.starts_with(b"---") || value.starts_with(b"...") {
        block_indicators = true;
        flow_indicators = true;
    }
    let mut preceded_by_whitespace = true;
    let mut i = 0;
    while i < value.len() {
        let w = width(value[i]).max(1);
        let followed_by_whitespace = i + w >= value.len() || is_blank(value, i + w);
        if i == 0 {
            match value[i] {
                b'#' | b',' | b'[' | b']' | b'{' | b'}' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"' | b'%'
                | b'@' | b'`' => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                b'?' | b':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                b'-' if followed_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        } else {
            match value[i] {
                b',' | b'?' | b'[' | b']' | b'{' | b'}' => flow_indicators = true,
                b':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                b'#' if preceded_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        }
        // The encoder sets `unicode`, so only unprintable characters are special.
        if !is_printable(value, i) {
            special_characters = true;
        }
        if is_space(value, i) {
            if i == 0 {
                leading_space = true;
            }
            if i + w == value.len() {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(value, i) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i + w == value.len() {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blankz(value, i);
        i += w;
    }

    let mut a = Analysis {
        multiline: line_breaks,
        flow_plain_allowed: true,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special_characters {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if flow_indicators {
        a.flow_plain_allowed = false;
    }
    if block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// The style go-yaml's encoder asks for a string: literal if it has a newline, plain if a
/// plain scalar would read back as the same string, double-quoted otherwise.
fn requested_for_string(s: &str) -> Requested {
    if s.contains('\n') {
        Requested::Literal
    } else if !resolves_to_non_string(s) && !is_base60_float(s) {
        Requested::Plain
    } else {
        Requested::DoubleQuoted
    }
}

struct Emitter {
    out: Vec<u8>,
    column: i64,
    indent: i64,
    indents: Vec<i64>,
    whitespace: bool,
    indention: bool,
    flow_level: i64,
}

impl Emitter {
    fn new() -> Self {
        // yaml_emitter_emit_stream_start
        Emitter {
            out: Vec::new(),
            column: 0,
            indent: -1,
            indents: Vec::new(),
            whitespace: true,
            indention: true,
            flow_level: 0,
        }
    }

    /// An implicit document (no `---`, no `...`) holding one node.
    fn document(&mut self, value: &Value) {
        self.node(value, Ctx::default());
        // yaml_emitter_emit_document_end
        self.write_indent();
    }

    fn put(&mut self, c: u8) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push(b'\n');
        self.column = 0;
    }

    /// Copies one character; the column counts characters, not bytes.
    fn write(&mut self, s: &[u8], i: &mut usize) {
        let w = width(at(s, *i)).max(1);
        let end = (*i + w).min(s.len());
        self.out.extend_from_slice(&s[*i..end]);
        self.column += 1;
        *i += w;
    }

    fn write_all(&mut self, s: &[u8]) {
        let mut i = 0;
        while i < s.len() {
            self.write(s, &mut i);
        }
    }

    fn write_break(&mut self, s: &[u8], i: &mut usize) {
        if at(s, *i) == b'\n' {
            self.put_break();
            *i += 1;
        } else {
            self.write(s, i);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(b' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, indicator: &[u8], need_whitespace: bool, is_whitespace: bool, is_indention: bool) {
        if need_whitespace && !self.whitespace {
            self.put(b' ');
        }
        self.write_all(indicator);
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn node(&mut self, value: &Value, ctx: Ctx) {
        match value {
            Value::Null => self.scalar(b"null", Requested::Plain, ctx),
            Value::Bool(true) => self.scalar(b"true", Requested::Plain, ctx),
            Value::Bool(false) => self.scalar(b"false", Requested::Plain, ctx),
            Value::Number(n) => self.scalar(number_text(n).as_bytes(), Requested::Plain, ctx),
            Value::String(s) => {
                let s = read_back(s);
                self.scalar(s.as_bytes(), requested_for_string(&s), ctx);
            }
            Value::Array(items) => self.sequence(items, ctx),
            Value::Object(map) => self.mapping(map, ctx),
        }
    }

    /// An empty collection, which the emitter always writes in flow style.
    fn empty_flow(&mut self, open: u8, close: u8) {
        self.write_indicator(&[open], true, true, false);
        self.write_indicator(&[close], false, false, false);
    }

    fn sequence(&mut self, items: &[Value], ctx: Ctx) {
        if items.is_empty() {
            self.empty_flow(b'[', b']');
            return;
        }
        // A sequence that is a mapping value sits at the key's indentation.
        self.increase_indent(false, ctx.mapping && !self.indention);
        for item in items {
            self.write_indent();
            self.write_indicator(b"-", true, false, true);
            self.node(item, Ctx::default());
        }
        self.pop_indent();
    }

    fn mapping(&mut self, map: &Map<String, Value>, _ctx: Ctx) {
        if map.is_empty() {
            self.empty_flow(b'{', b'}');
            return;
        }
        self.increase_indent(false, false);
        for (key, value) in sort_keys(map.iter().collect()) {
            self.write_indent();
            let key = read_back(key);
            let kb = key.as_bytes();
            let requested = requested_for_string(&key);
            let value_ctx = Ctx { mapping: true, simple_key: false };
            // yaml_emitter_check_simple_key: one line and at most 128 bytes.
            if !analyze_scalar(kb).multiline && kb.len() <= 128 {
                let key_ctx = Ctx { mapping: true, simple_key: true };
                self.scalar(kb, requested, key_ctx);
                self.write_indicator(b":", false, false, false);
            } else {
                self.write_indicator(b"?", true, false, true);
                self.scalar(kb, requested, value_ctx);
                self.write_indent();
                self.write_indicator(b":", true, false, true);
            }
            self.node(value, value_ctx);
        }
        self.pop_indent();
    }

    fn scalar(&mut self, value: &[u8], requested: Requested, ctx: Ctx) {
        let a = analyze_scalar(value);
        // yaml_emitter_select_scalar_style
        let mut style = match requested {
            Requested::Plain => Style::Plain,
            Requested::DoubleQuoted => Style::DoubleQuoted,
            Requested::Literal => Style::Literal,
        };
        if ctx.simple_key && a.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Plain {
            if (self.flow_level > 0 && !a.flow_plain_allowed) || (self.flow_level == 0 && !a.block_plain_allowed) {
                style = Style::SingleQuoted;
            }
            if value.is_empty() && (self.flow_level > 0 || ctx.simple_key) {
                style = Style::SingleQuoted;
            }
        }
        if style == Style::SingleQuoted && !a.single_quoted_allowed {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal && (!a.block_allowed || self.flow_level > 0 || ctx.simple_key) {
            style = Style::DoubleQuoted;
        }

        self.increase_indent(true, false);
        let allow_breaks = !ctx.simple_key;
        match style {
            Style::Plain => self.write_plain(value, allow_breaks),
            Style::SingleQuoted => self.write_single_quoted(value, allow_breaks),
            Style::DoubleQuoted => self.write_double_quoted(value, allow_breaks),
            Style::Literal => self.write_literal(value),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, value: &[u8], allow_breaks: bool) {
        if !self.whitespace {
            self.put(b' ');
        }
        let mut spaces = false;
        let mut breaks = false;
        let mut i = 0;
        while i < value.len() {
            if is_space(value, i) {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && !is_space(value, i + 1) {
                    self.write_indent();
                    i += 1;
                } else {
                    self.write(value, &mut i);
                }
                spaces = true;
            } else if is_break(value, i) {
                if !breaks && value[i] == b'\n' {
                    self.put_break();
                }
                self.write_break(value, &mut i);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.write(value, &mut i);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single_quoted(&mut self, value: &[u8], allow_breaks: bool) {
        self.write_indicator(b"'", true, false, false);
        let mut spaces = false;
        let mut breaks = false;
        let mut i = 0;
        while i < value.len() {
            if is_space(value, i) {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < value.len() - 1
                    && !is_space(value, i + 1)
                {
                    self.write_indent();
                    i += 1;
                } else {
                    self.write(value, &mut i);
                }
                spaces = true;
            } else if is_break(value, i) {
                if !breaks && value[i] == b'\n' {
                    self.put_break();
                }
                self.write_break(value, &mut i);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if value[i] == b'\'' {
                    self.put(b'\'');
                }
                self.write(value, &mut i);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator(b"'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, value: &[u8], allow_breaks: bool) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut spaces = false;
        self.write_indicator(b"\"", true, false, false);
        let mut i = 0;
        while i < value.len() {
            if !is_printable(value, i) || is_bom(value) || is_break(value, i) || value[i] == b'"' || value[i] == b'\\' {
                let octet = value[i];
                let (w, mut v): (usize, u32) = match octet {
                    o if o & 0x80 == 0x00 => (1, u32::from(o & 0x7F)),
                    o if o & 0xE0 == 0xC0 => (2, u32::from(o & 0x1F)),
                    o if o & 0xF0 == 0xE0 => (3, u32::from(o & 0x0F)),
                    o if o & 0xF8 == 0xF0 => (4, u32::from(o & 0x07)),
                    _ => (1, u32::from(octet)),
                };
                for k in 1..w {
                    v = (v << 6) + (u32::from(at(value, i + k)) & 0x3F);
                }
                i += w;
                self.put(b'\\');
                let short = match v {
                    0x00 => Some(b'0'),
                    0x07 => Some(b'a'),
                    0x08 => Some(b'b'),
                    0x09 => Some(b't'),
                    0x0A => Some(b'n'),
                    0x0B => Some(b'v'),
                    0x0C => Some(b'f'),
                    0x0D => Some(b'r'),
                    0x1B => Some(b'e'),
                    0x22 => Some(b'"'),
                    0x5C => Some(b'\\'),
                    0x85 => Some(b'N'),
                    0xA0 => Some(b'_'),
                    0x2028 => Some(b'L'),
                    0x2029 => Some(b'P'),
                    _ => None,
                };
                match short {
                    Some(c) => self.put(c),
                    None => {
                        let (letter, digits) = if v <= 0xFF {
                            (b'x', 2)
                        } else if v <= 0xFFFF {
                            (b'u', 4)
                        } else {
                            (b'U', 8)
                        };
                        self.put(letter);
                        for k in (0..digits).rev() {
                            self.put(HEX[((v >> (k * 4)) & 0x0F) as usize]);
                        }
                    }
                }
                spaces = false;
            } else if is_space(value, i) {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i < value.len() - 1 {
                    self.write_indent();
                    if is_space(value, i + 1) {
                        self.put(b'\\');
                    }
                    i += 1;
                } else {
                    self.write(value, &mut i);
                }
                spaces = true;
            } else {
                self.write(value, &mut i);
                spaces = false;
            }
        }
        self.write_indicator(b"\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    /// The `|` header: an indentation indicator when the text starts with a space or break,
    /// then `-` (no final newline), nothing (one), or `+` (more than one).
    fn write_block_scalar_hints(&mut self, value: &[u8]) {
        if is_space(value, 0) || is_break(value, 0) {
            self.write_indicator(&[b'0' + BEST_INDENT as u8], false, false, false);
        }
        let chomp = if value.is_empty() {
            Some(b'-')
        } else {
            let mut i = value.len() - 1;
            while i > 0 && value[i] & 0xC0 == 0x80 {
                i -= 1;
            }
            if !is_break(value, i) {
                Some(b'-')
            } else if i == 0 {
                Some(b'+')
            } else {
                i -= 1;
                while i > 0 && value[i] & 0xC0 == 0x80 {
                    i -= 1;
                }
                is_break(value, i).then_some(b'+')
            }
        };
        if let Some(c) = chomp {
            self.write_indicator(&[c], false, false, false);
        }
    }

    fn write_literal(&mut self, value: &[u8]) {
        self.write_indicator(b"|", true, false, false);
        self.write_block_scalar_hints(value);
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        let mut i = 0;
        while i < value.len() {
            if is_break(value, i) {
                self.write_break(value, &mut i);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.write(value, &mut i);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `json` is what `kubectl ... -o json` printed, `want` what the same command printed
    /// with `-o yaml` (kubectl v1.32.4).
    fn check(json: &str, want: &str) {
        let value: Value = match serde_json::from_str(json) {
            Ok(v) => v,
            Err(e) => panic!("bad test JSON: {e}"),
        };
        assert_eq!(to_yaml(&value), want);
    }

    // kubectl create configmap c --from-literal=... (booleans, numbers, indicators, quotes)
    #[test]
    fn oracle_configmap_scalar_styles() {
        check(
            r##"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c","creationTimestamp":null},"data":{"k00":"true","k01":"yes","k02":"on","k03":"no","k04":"Off","k05":"y","k06":"~","k07":"null","k08":"123","k09":"-1","k10":"+1","k11":"1.5","k12":"1e3","k13":"0x1F","k14":"0o17","k15":"0777","k16":"08","k17":".5","k18":"1_000","k19":"1:20","k20":"2025-01-01","k21":"2025-01-01T00:00:00Z","k22":"2025-02-30","k23":"-","k24":"- a","k25":"-a","k26":":","k27":"a: b","k28":"a:b","k29":"#x","k30":"a #b","k31":"a#b","k32":"? a","k33":"[a]","k34":"&a","k35":"*a","k36":"!a","k37":"|a","k38":">a","k39":"@a","k40":"`a","k41":"'q'","k42":"\"dq\"","k43":"it's","k44":"back\\slash","k45":"é","k46":"😀 x","k47":"\ta","k48":" lead","k49":"trail ","k50":"a  b","k51":"---","k52":"...","k53":"<<","k54":"0xFFFFFFFFFFFFFFFFFF","k55":"9223372036854775808","k56":"+.inf","k57":".5e3","k58":"1e400"}}"##,
            r#"apiVersion: v1
data:
  k00: "true"
  k01: "yes"
  k02: "on"
  k03: "no"
  k04: "Off"
  k05: "y"
  k06: "~"
  k07: "null"
  k08: "123"
  k09: "-1"
  k10: "+1"
  k11: "1.5"
  k12: "1e3"
  k13: "0x1F"
  k14: "0o17"
  k15: "0777"
  k16: "08"
  k17: ".5"
  k18: "1_000"
  k19: "1:20"
  k20: "2025-01-01"
  k21: "2025-01-01T00:00:00Z"
  k22: 2025-02-30
  k23: '-'
  k24: '- a'
  k25: -a
  k26: ':'
  k27: 'a: b'
  k28: a:b
  k29: '#x'
  k30: 'a #b'
  k31: a#b
  k32: '? a'
  k33: '[a]'
  k34: '&a'
  k35: '*a'
  k36: '!a'
  k37: '|a'
  k38: '>a'
  k39: '@a'
  k40: '`a'
  k41: '''q'''
  k42: '"dq"'
  k43: it's
  k44: back\slash
  k45: é
  k46: "\U0001F600 x"
  k47: "\ta"
  k48: ' lead'
  k49: 'trail '
  k50: a  b
  k51: '---'
  k52: '...'
  k53: <<
  k54: 0xFFFFFFFFFFFFFFFFFF
  k55: "9223372036854775808"
  k56: "+.inf"
  k57: ".5e3"
  k58: 1e400
kind: ConfigMap
metadata:
  creationTimestamp: null
  name: c
"#,
        );
    }

    // multi-line values: |, |-, |+, indentation indicator, trailing spaces force quotes
    #[test]
    fn oracle_configmap_literal_blocks() {
        check(
            r#"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c","creationTimestamp":null},"data":{"blank":"a\n\n\nb","clip":"a\nb\n","cr":"a\r\nb","keep":"a\n\n","lead":"  indented\nx\n","nl":"\nfirst","onlynl":"\n","strip":"a\nb","tab":"a\n\tb","trail":"a \nb"}}"#,
            r#"apiVersion: v1
data:
  blank: |-
    a


    b
  clip: |
    a
    b
  cr: "a\r\nb"
  keep: |+
    a

  lead: |2
      indented
    x
  nl: |2-

    first
  onlynl: |2+

  strip: |-
    a
    b
  tab: "a\n\tb"
  trail: "a \nb"
kind: ConfigMap
metadata:
  creationTimestamp: null
  name: c
"#,
        );
    }

    // long lines fold at column 80 (plain, single-, double-quoted), never inside words or literal blocks
    #[test]
    fn oracle_configmap_folding() {
        check(
            r#"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c","creationTimestamp":null},"data":{"lead":" word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word end","long":"word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word end","ml":"word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word end\nsecond word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word end","nospace":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","quoted":"yes word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word end","spaces":"word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  ","tab":"a\tb word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word end"}}"#,
            r#"apiVersion: v1
data:
  lead: ' word word word word word word word word word word word word word word word
    word word word word word word word word word word word word word word word end'
  long: word word word word word word word word word word word word word word word
    word word word word word word word word word word word word word word word end
  ml: |-
    word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word end
    second word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word end
  nospace: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
  quoted: yes word word word word word word word word word word word word word word
    word word word word word word word word word word word word word word word word
    end
  spaces: 'word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  word  '
  tab: "a\tb word word word word word word word word word word word word word word
    word word word word word word word word word word word word word word word word
    end"
kind: ConfigMap
metadata:
  creationTimestamp: null
  name: c
"#,
        );
    }

    // BOM (go-yaml escapes every character after it), LS, NEL folded by the reader, emoji
    #[test]
    fn oracle_configmap_unicode_oddities() {
        check(
            "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"c\",\"creationTimestamp\":null},\"data\":{\"bom\":\"\u{feff}ab c\",\"ctl\":\"a\\u0001b\\u001b\",\"emoji\":\"😀\",\"ls\":\"a\u{2028}b\",\"nbsp\":\"a\u{a0}b\",\"nel\":\"a\u{85}b\",\"nel2\":\"a \u{85}\u{85} b\"}}",
            "apiVersion: v1
data:
  bom: \"\\uFEFF\\x61\\x62\\x20\\x63\"
  ctl: \"a\\x01b\\e\"
  emoji: \"\\U0001F600\"
  ls: 'a\u{2028}    b'
  nbsp: a\u{a0}b
  nel: a b
  nel2: |-
    a
    b
kind: ConfigMap
metadata:
  creationTimestamp: null
  name: c
",
        );
    }

    // go-yaml's numeric-aware key order and quoted keys
    #[test]
    fn oracle_configmap_key_order() {
        check(
            r#"{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"c","creationTimestamp":null},"data":{"-":"v","-x":"v",".x":"v","01":"v","1":"v","1.5":"v","10":"v","2":"v","A":"v","Z":"v","_x":"v","a-":"v","a.b":"v","a0":"v","a001":"v","a01":"v","a1":"v","a10":"v","a9":"v","a_":"v","b":"v","k0":"v","k00":"v","k1":"v","null":"v","true":"v","x.10":"v","x.9":"v"}}"#,
            r#"apiVersion: v1
data:
  '-': v
  -x: v
  .x: v
  _x: v
  "1": v
  "1.5": v
  "01": v
  "2": v
  "10": v
  A: v
  Z: v
  a-: v
  a.b: v
  a_: v
  a0: v
  a1: v
  a01: v
  a001: v
  a9: v
  a10: v
  b: v
  k0: v
  k00: v
  k1: v
  "null": v
  "true": v
  x.9: v
  x.10: v
kind: ConfigMap
metadata:
  creationTimestamp: null
  name: c
"#,
        );
    }

    // kubectl create deployment web --image=nginx:1.27 --replicas=3 --port=80
    #[test]
    fn oracle_deployment() {
        check(
            r#"{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","creationTimestamp":null,"labels":{"app":"web"}},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"containers":[{"name":"nginx","image":"nginx:1.27","ports":[{"containerPort":80}],"resources":{}}]}},"strategy":{}},"status":{}}"#,
            r#"apiVersion: apps/v1
kind: Deployment
metadata:
  creationTimestamp: null
  labels:
    app: web
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  strategy: {}
  template:
    metadata:
      creationTimestamp: null
      labels:
        app: web
    spec:
      containers:
      - image: nginx:1.27
        name: nginx
        ports:
        - containerPort: 80
        resources: {}
status: {}
"#,
        );
    }

    // kubectl create cronjob with a command
    #[test]
    fn oracle_cronjob() {
        check(
            r#"{"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"cj","creationTimestamp":null},"spec":{"schedule":"*/5 * * * *","jobTemplate":{"metadata":{"name":"cj","creationTimestamp":null},"spec":{"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"cj","image":"busybox","command":["sh","-c","date; echo hello from the cluster"],"resources":{}}],"restartPolicy":"OnFailure"}}}}},"status":{}}"#,
            r#"apiVersion: batch/v1
kind: CronJob
metadata:
  creationTimestamp: null
  name: cj
spec:
  jobTemplate:
    metadata:
      creationTimestamp: null
      name: cj
    spec:
      template:
        metadata:
          creationTimestamp: null
        spec:
          containers:
          - command:
            - sh
            - -c
            - date; echo hello from the cluster
            image: busybox
            name: cj
            resources: {}
          restartPolicy: OnFailure
  schedule: '*/5 * * * *'
status: {}
"#,
        );
    }

    // kubectl create service nodeport
    #[test]
    fn oracle_service() {
        check(
            r#"{"kind":"Service","apiVersion":"v1","metadata":{"name":"web","creationTimestamp":null,"labels":{"app":"web"}},"spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080,"nodePort":30080},{"name":"443-8443","protocol":"TCP","port":443,"targetPort":8443,"nodePort":30080}],"selector":{"app":"web"},"type":"NodePort"},"status":{"loadBalancer":{}}}"#,
            r#"apiVersion: v1
kind: Service
metadata:
  creationTimestamp: null
  labels:
    app: web
  name: web
spec:
  ports:
  - name: 80-8080
    nodePort: 30080
    port: 80
    protocol: TCP
    targetPort: 8080
  - name: 443-8443
    nodePort: 30080
    port: 443
    protocol: TCP
    targetPort: 8443
  selector:
    app: web
  type: NodePort
status:
  loadBalancer: {}
"#,
        );
    }

    // kubectl create secret generic
    #[test]
    fn oracle_secret() {
        check(
            r#"{"kind":"Secret","apiVersion":"v1","metadata":{"name":"s","creationTimestamp":null},"data":{"password":"czNjcjN0IQ==","user":"YWRtaW4="}}"#,
            r#"apiVersion: v1
data:
  password: czNjcjN0IQ==
  user: YWRtaW4=
kind: Secret
metadata:
  creationTimestamp: null
  name: s
"#,
        );
    }

    // kubectl label --local -f obj.json zz=1: numbers, nested sequences, long and multi-line keys
    #[test]
    fn oracle_unstructured_numbers_and_nesting() {
        check(
            r#"{"":"empty key","a\nb":"c","apiVersion":"v1","e":{},"kind":"ConfigMap","kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk":"v","l":[],"list\nkey":[1,2],"metadata":{"labels":{"zz":"1"},"name":"x"},"n":null,"nums":[0,0,1,2.5,1000000,1500000,100000000000000000000,1e+21,1e-06,1e-07,9007199254740993,0.1,100,1000000000000000,-3],"t":true,"x":[[1,[2]],[[]],[{}],[{"a":[1]}]]}"#,
            r#""": empty key
? |-
  a
  b
: c
apiVersion: v1
e: {}
kind: ConfigMap
? kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk
: v
l: []
? |-
  list
  key
: - 1
  - 2
metadata:
  labels:
    zz: "1"
  name: x
"n": null
nums:
- 0
- 0
- 1
- 2.5
- 1000000
- 1500000
- 1e+20
- 1e+21
- 1e-06
- 1e-07
- 9007199254740993
- 0.1
- 100
- 1000000000000000
- -3
t: true
x:
- - 1
  - - 2
- - []
- - {}
- - a:
    - 1
"#,
        );
    }

    #[test]
    fn documents_and_list() {
        let a = json!({"kind": "ConfigMap", "metadata": {"name": "a"}});
        let b = json!({"kind": "ConfigMap", "metadata": {"name": "b"}});
        assert_eq!(
            to_yaml_docs(&[a.clone(), b.clone()]),
            "kind: ConfigMap\nmetadata:\n  name: a\n---\nkind: ConfigMap\nmetadata:\n  name: b\n"
        );
        assert_eq!(
            to_yaml_list(&[a, b]),
            r#"apiVersion: v1
items:
- kind: ConfigMap
  metadata:
    name: a
- kind: ConfigMap
  metadata:
    name: b
kind: List
metadata:
  resourceVersion: ""
"#
        );
        assert_eq!(to_yaml_list(&[]), "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n");
    }

    #[test]
    fn control_characters_fail_like_kubectl() {
        // kubectl create configmap c --from-literal=k=$'a\x7fb' -o yaml
        //   error: yaml: control characters are not allowed
        let v = json!({"data": {"k": "a\u{7f}b"}});
        assert_eq!(
            try_to_yaml(&v).map_err(|e| e.to_string()),
            Err("yaml: control characters are not allowed".to_string())
        );
        assert_eq!(to_yaml(&v), "data:\n  k: \"a\\x7Fb\"\n");
        let ok = json!({"k": "v"});
        assert_eq!(try_to_yaml(&ok), Ok("k: v\n".to_string()));
    }

    #[test]
    fn root_scalars_and_empties() {
        assert_eq!(to_yaml(&json!(null)), "null\n");
        assert_eq!(to_yaml(&json!("true")), "\"true\"\n");
        assert_eq!(to_yaml(&json!({})), "{}\n");
        assert_eq!(to_yaml(&json!([])), "[]\n");
        assert_eq!(to_yaml(&json!([[], {}, [1]])), "- []\n- {}\n- - 1\n");
    }

    #[test]
    fn resolver() {
        for s in ["", "~", "yes", "Off", "12", "-0b11", "0o7", "1e5", ".5", "2001-12-14", "2001-12-14 21:59:43.10"] {
            assert!(resolves_to_non_string(s), "{s:?}");
        }
        for s in ["yess", "1.2.3", "0x", "+", ".", "2001-12-14 21:59", "1e999", "-0xFFFFFFFFFFFFFFFFFF", "<<"] {
            assert!(!resolves_to_non_string(s), "{s:?}");
        }
    }

    #[test]
    fn key_order_is_numeric_aware() {
        let keys: Vec<String> =
            ["a10", "a9", "b", "A", "a1", "_", "a01", "k0", "k00"].iter().map(|s| s.to_string()).collect();
        let v = Value::Null;
        let sorted: Vec<&str> =
            sort_keys(keys.iter().map(|k| (k, &v)).collect()).into_iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(sorted, ["_", "A", "a1", "a01", "a9", "a10", "b", "k0", "k00"]);
    }
}
