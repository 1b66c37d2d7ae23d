//! `kubectl -o json`: Go's `encoding/json` output (`json.MarshalIndent(v, "", "    ")` plus a
//! newline, and compact `json.Marshal` for jsonpath), byte-identical to kubectl v1.32.
//!
//! Objects are written in the `Value`'s own key order. serde_json's default map is a
//! `BTreeMap`, whose byte-wise key order is the order Go uses for `map[string]interface{}`,
//! which is what kubectl shows for objects it gets from an API server.

use serde_json::{Map, Number, Value};

/// What `kubectl -o json` prints for one object: 4-space indent, `": "` after keys, empty
/// objects and arrays as `{}` / `[]`, Go's HTML-safe string escaping, Go's float format, and a
/// trailing newline.
pub fn to_json(value: &Value) -> String {
    let mut out = String::new();
    write_indented(&mut out, value, 0);
    out.push('\n');
    out
}

/// Go's `json.Marshal`: no whitespace at all (used by jsonpath to print maps and lists).
pub fn to_json_compact(value: &Value) -> String {
    let mut out = String::new();
    write_compact(&mut out, value);
    out
}

/// What `kubectl get <several> -o json` prints: the objects wrapped in a `kind: List`.
pub fn to_json_list(values: &[Value]) -> String {
    to_json(&list_object(values))
}

/// The `v1 List` kubectl builds around several objects for `get -o json|yaml`.
pub fn list_object(values: &[Value]) -> Value {
    let mut metadata = Map::new();
    metadata.insert("resourceVersion".to_string(), Value::String(String::new()));
    let mut list = Map::new();
    list.insert("apiVersion".to_string(), Value::String("v1".to_string()));
    list.insert("items".to_string(), Value::Array(values.to_vec()));
    list.insert("kind".to_string(), Value::String("List".to_string()));
    list.insert("metadata".to_string(), Value::Object(metadata));
    Value::Object(list)
}

fn write_indented(out: &mut String, value: &Value, depth: usize) {
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_indented(out, item, depth + 1);
            }
            newline(out, depth);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, depth + 1);
                write_string(out, key);
                out.push_str(": ");
                write_indented(out, item, depth + 1);
            }
            newline(out, depth);
            out.push('}');
        }
        other => write_compact(out, other),
    }
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("    ");
    }
}

fn write_compact(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => out.push_str(&number_text(n)),
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_compact(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_compact(out, item);
            }
            out.push('}');
        }
    }
}

/// A JSON number as Go's encoder writes it: integers as they are, floats through
/// [`go_json_float`].
pub(crate) fn number_text(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        i.to_string()
    } else if let Some(u) = n.as_u64() {
        u.to_string()
    } else {
        go_json_float(n.as_f64().unwrap_or(0.0))
    }
}

/// Go's `encodeState.string` with HTML escaping on (the default of `json.Marshal`).
pub(crate) fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Go 1.22 added the short forms for backspace and form feed.
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            // Control characters and the HTML-sensitive <, >, & become \u00XX.
            c if (c as u32) < 0x20 || c == '<' || c == '>' || c == '&' => {
                let b = c as u32 as usize;
                out.push_str("\\u00");
                out.push(HEX[(b >> 4) & 0xF] as char);
                out.push(HEX[b & 0xF] as char);
            }
            // JavaScript line terminators are escaped so the output is safe inside <script>.
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The shortest decimal digits that round-trip a float, as Go's strconv computes them:
/// `digits` are ASCII digits without leading zeros, the value is `0.digits × 10^dp`.
struct Decimal {
    neg: bool,
    digits: Vec<u8>,
    dp: i32,
}

fn shortest(f: f64) -> Decimal {
    // Rust's `{:e}` prints the shortest round-tripping digits, the same digits Go picks.
    let text = format!("{f:e}");
    let (mantissa, exp) = text.split_once('e').unwrap_or((text.as_str(), "0"));
    let neg = mantissa.starts_with('-');
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    if digits.iter().all(|&d| d == b'0') {
        return Decimal { neg, digits: Vec::new(), dp: 0 };
    }
    Decimal { neg, digits, dp: exp + 1 }
}

/// strconv's `%e` with all the shortest digits.
fn fmt_e(d: &Decimal) -> String {
    let mut out = String::new();
    if d.neg {
        out.push('-');
    }
    out.push(d.digits.first().map_or('0', |&c| c as char));
    if d.digits.len() > 1 {
        out.push('.');
        for &c in &d.digits[1..] {
            out.push(c as char);
        }
    }
    out.push('e');
    let mut exp = if d.digits.is_empty() { 0 } else { d.dp - 1 };
    if exp < 0 {
        out.push('-');
        exp = -exp;
    } else {
        out.push('+');
    }
    if exp < 10 {
        out.push('0');
    }
    out.push_str(&exp.to_string());
    out
}

/// strconv's `%f` with all the shortest digits.
fn fmt_f(d: &Decimal) -> String {
    let mut out = String::new();
    if d.neg {
        out.push('-');
    }
    let nd = d.digits.len() as i32;
    if d.dp > 0 {
        let m = nd.min(d.dp);
        for &c in &d.digits[..m as usize] {
            out.push(c as char);
        }
        for _ in m..d.dp {
            out.push('0');
        }
    } else {
        out.push('0');
    }
    let prec = (nd - d.dp).max(0);
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            let j = d.dp + i - 1;
            let c = if (0..nd).contains(&j) { d.digits[j as usize] as char } else { '0' };
            out.push(c);
        }
    }
    out
}

/// Go's `encoding/json` float64 format: `%f` style, or `%e` below 1e-6 and from 1e21 on,
/// with a one-digit negative exponent shortened (`1e-07` → `1e-7`).
pub(crate) fn go_json_float(f: f64) -> String {
    if !f.is_finite() {
        // encoding/json refuses these; a Value cannot hold them anyway.
        return "null".to_string();
    }
    let abs = f.abs();
    let d = shortest(f);
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let mut s = fmt_e(&d);
        let b = s.as_bytes();
        let n = b.len();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            s.remove(n - 2);
        }
        s
    } else {
        fmt_f(&d)
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`, as go-yaml writes floats, with YAML's
/// names for the infinities and NaN.
pub(crate) fn go_format_g(f: f64) -> String {
    if f.is_nan() {
        return ".nan".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_string();
    }
    let d = shortest(f);
    // With the shortest digits Go decides with a precision of 6.
    let exp = if d.digits.is_empty() { -1 } else { d.dp - 1 };
    if !(-4..6).contains(&exp) && !d.digits.is_empty() {
        fmt_e(&d)
    } else {
        fmt_f(&d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn indented_configmap_like_kubectl() {
        // From `kubectl label --local -f o.json x=y -o json` (unstructured: sorted keys).
        let v = json!({"apiVersion":"v1","data":{"a":"b"},"kind":"ConfigMap",
            "metadata":{"labels":{"x":"y"},"name":"x"},"e":{},"l":[],"n":[1,null,true]});
        assert_eq!(
            to_json(&v),
            r#"{
    "apiVersion": "v1",
    "data": {
        "a": "b"
    },
    "e": {},
    "kind": "ConfigMap",
    "l": [],
    "metadata": {
        "labels": {
            "x": "y"
        },
        "name": "x"
    },
    "n": [
        1,
        null,
        true
    ]
}
"#
        );
    }

    #[test]
    fn floats_like_go() {
        // kubectl -o json of {"f1":1.0,"f2":1e6,"f3":0.5,"f4":1500000.5,"f5":1e21,
        // "f6":1e-7,"f7":12345678901234567890,"f9":1.2345...e29,"f10":0.0001,"f11":0.00001}
        let v: Value = serde_json::from_str(
            r#"{"f1":1.0,"f2":1e6,"f3":0.5,"f4":1500000.5,"f5":1e21,"f6":1e-7,
            "f7":12345678901234567890,"f8":-3,"f9":123456789012345678901234567890,
            "f10":0.0001,"f11":0.00001}"#,
        )
        .unwrap_or(Value::Null);
        assert_eq!(
            to_json(&v),
            r#"{
    "f1": 1,
    "f10": 0.0001,
    "f11": 0.00001,
    "f2": 1000000,
    "f3": 0.5,
    "f4": 1500000.5,
    "f5": 1e+21,
    "f6": 1e-7,
    "f7": 12345678901234567890,
    "f8": -3,
    "f9": 1.2345678901234568e+29
}
"#
        );
    }

    #[test]
    fn go_g_format() {
        let cases = [
            (1.0, "1"),
            (0.5, "0.5"),
            (1500000.5, "1.5000005e+06"),
            (1e21, "1e+21"),
            (1e-7, "1e-07"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (1e100, "1e+100"),
            (-2.5, "-2.5"),
            (0.0, "0"),
        ];
        for (f, want) in cases {
            assert_eq!(go_format_g(f), want, "{f}");
        }
    }

    #[test]
    fn string_escaping_like_go() {
        // kubectl create configmap c --from-literal=k=$'a\bb\fc\x01<>&\u2028\x7f' -o json
        let v = json!({"k": "a\u{8}b\u{c}c\u{1}<>&\u{2028}\u{7f}\u{2029}\"\\\t\r\né😀"});
        assert_eq!(
            to_json_compact(&v),
            "{\"k\":\"a\\bb\\fc\\u0001\\u003c\\u003e\\u0026\\u2028\u{7f}\\u2029\\\"\\\\\\t\\r\\né😀\"}"
        );
    }

    #[test]
    fn list_wrapper() {
        let v = to_json_list(&[json!({"kind": "Pod"})]);
        assert_eq!(
            v,
            r#"{
    "apiVersion": "v1",
    "items": [
        {
            "kind": "Pod"
        }
    ],
    "kind": "List",
    "metadata": {
        "resourceVersion": ""
    }
}
"#
        );
    }
}
