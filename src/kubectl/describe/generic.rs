//! kubectl's generic describer, used for kinds without a describer of their own (Lease,
//! ControllerRevision, Event): the object's fields as an indented tree with "smart" labels
//! (`leaseDurationSeconds` → `Lease Duration Seconds`), then its events.

use serde_json::Value;

use super::{describe_events, print_annotations_multiline, print_labels_multiline, Describer, Pw};
use crate::sim::Object;

pub(super) fn describe_generic(d: &Describer, obj: &Object) -> String {
    let meta = obj.meta();
    let events = d.events(meta, Some(obj.kind()));
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", obj.name()));
    w.w(0, &format!("Namespace:\t{}\n", obj.namespace()));
    print_labels_multiline(&mut w, "Labels", meta.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    if let Value::Object(content) = obj.to_value() {
        print_unstructured(
            &mut w,
            0,
            &content,
            "",
            &[
                ".metadata.managedFields",
                ".metadata.name",
                ".metadata.namespace",
                ".metadata.labels",
                ".metadata.annotations",
            ],
        );
    }
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

/// kubectl's `printUnstructuredContent`: fields in sorted order, maps and lists nested one
/// level deeper, scalars as `Label:\tvalue`.
fn print_unstructured(
    w: &mut Pw,
    level: usize,
    content: &serde_json::Map<String, Value>,
    skip_prefix: &str,
    skip: &[&str],
) {
    let mut fields: Vec<&String> = content.keys().collect();
    fields.sort();
    for field in fields {
        let value = &content[field];
        let skip_expr = format!("{skip_prefix}.{field}");
        if skip.contains(&skip_expr.as_str()) {
            continue;
        }
        match value {
            Value::Object(m) => {
                w.w(level, &format!("{}:\n", smart_label(field)));
                print_unstructured(w, level + 1, m, &skip_expr, skip);
            }
            Value::Array(items) => {
                w.w(level, &format!("{}:\n", smart_label(field)));
                for item in items {
                    match item {
                        Value::Object(m) => print_unstructured(w, level + 1, m, &skip_expr, skip),
                        other => w.w(level + 1, &format!("{}\n", go_value(other))),
                    }
                }
            }
            other => w.w(level, &format!("{}:\t{}\n", smart_label(field), go_value(other))),
        }
    }
}

/// Go's `%v` of a decoded JSON scalar.
fn go_value(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        Value::Number(n) => go_float(n.as_f64().unwrap_or(0.0)),
        other => other.to_string(),
    }
}

/// Go's `%v` of a float64 (JSON numbers decode to float64): shortest digits, in exponent form
/// from 1e+06 up or below 1e-04 (`3600`, `1.7356896e+09`).
fn go_float(f: f64) -> String {
    if f == 0.0 {
        return "0".into();
    }
    if !f.is_finite() {
        return if f.is_nan() {
            "NaN".into()
        } else if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let e = format!("{f:e}");
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{f}")
}

/// kubectl's `smartLabelFor` (v1.32): camel-case words, title-cased, known acronyms upper-cased;
/// fields with characters other than letters and `-` are left alone.
fn smart_label(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    const ACRONYMS: [&str; 5] = ["API", "URL", "UID", "OSB", "GUID"];
    camel_split(field)
        .into_iter()
        .filter(|p| p != "_")
        .map(|p| {
            let upper = p.to_uppercase();
            if ACRONYMS.contains(&upper.as_str()) {
                upper
            } else {
                let mut c = p.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().chain(c).collect(),
                    None => p,
                }
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// fatih/camelcase `Split`: runs of lower, upper, digits and others; the last capital of an
/// upper run starts the following lower run (`PDFLoader` → `PDF`, `Loader`).
fn camel_split(s: &str) -> Vec<String> {
    let class = |c: char| {
        if c.is_lowercase() {
            1
        } else if c.is_uppercase() {
            2
        } else if c.is_numeric() {
            3
        } else {
            4
        }
    };
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last = 0;
    for c in s.chars() {
        let k = class(c);
        if k == last {
            if let Some(r) = runs.last_mut() {
                r.push(c);
            }
        } else {
            runs.push(vec![c]);
        }
        last = k;
    }
    for i in 0..runs.len().saturating_sub(1) {
        let upper_then_lower =
            runs[i].first().is_some_and(|c| c.is_uppercase()) && runs[i + 1].first().is_some_and(|c| c.is_lowercase());
        if upper_then_lower {
            if let Some(c) = runs[i].pop() {
                runs[i + 1].insert(0, c);
            }
        }
    }
    runs.into_iter().filter(|r| !r.is_empty()).map(|r| r.into_iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::{go_float, smart_label};

    #[test]
    fn smart_labels() {
        assert_eq!(smart_label("apiVersion"), "API Version");
        assert_eq!(smart_label("creationTimestamp"), "Creation Timestamp");
        assert_eq!(smart_label("uid"), "UID");
        assert_eq!(smart_label("holderIdentity"), "Holder Identity");
        assert_eq!(smart_label("leaseDurationSeconds"), "Lease Duration Seconds");
        assert_eq!(smart_label("involvedObject"), "Involved Object");
        assert_eq!(smart_label("hugepages-2Mi"), "hugepages-2Mi");
    }

    #[test]
    fn go_floats() {
        assert_eq!(go_float(3600.0), "3600");
        assert_eq!(go_float(123456.0), "123456");
        assert_eq!(go_float(1_000_000.0), "1e+06");
        assert_eq!(go_float(1_735_689_600.0), "1.7356896e+09");
        assert_eq!(go_float(0.5), "0.5");
        assert_eq!(go_float(0.00001), "1e-05");
    }
}
