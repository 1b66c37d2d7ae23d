//! Label and field selectors as the API server parses and applies them (`app=web`,
//! `tier!=db`, `env in (a,b)`, `!canary`, `status.phase=Running`), with apimachinery's
//! error texts for malformed ones.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde_json::Value;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Req {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A parsed label selector: all requirements must hold. Empty selects everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector(pub Vec<Req>);

fn valid_key(k: &str) -> bool {
    !k.is_empty() && k.len() <= 317 && k.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
}

/// Splits on commas that are not inside parentheses.
fn split_top(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for ch in s.chars() {
        match ch {
            '(' => {
                depth += 1;
                cur.push(ch)
            }
            ')' => {
                depth -= 1;
                cur.push(ch)
            }
            ',' if depth == 0 => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(ch),
        }
    }
    parts.push(cur);
    parts
}

impl Selector {
    /// Parses a selector string as `kubectl -l` passes it.
    pub fn parse(s: &str) -> Result<Selector, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(Selector::default());
        }
        let mut reqs = Vec::new();
        for part in split_top(s) {
            let p = part.trim();
            if p.is_empty() {
                return Err("unable to parse requirement: found '', expected: identifier".to_string());
            }
            let set_op = |p: &str, op: &str| -> Option<(String, Vec<String>)> {
                let idx = p.find(op)?;
                let key = p[..idx].trim().to_string();
                let rest = p[idx + op.len()..].trim();
                let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
                Some((key, inner.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect()))
            };
            let req = if let Some((k, vs)) = set_op(p, " notin ") {
                Req::NotIn(k, vs)
            } else if let Some((k, vs)) = set_op(p, " in ") {
                Req::In(k, vs)
            } else if let Some((k, v)) = p.split_once("!=") {
                Req::NotEq(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = p.split_once("==") {
                Req::Eq(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = p.split_once('=') {
                Req::Eq(k.trim().into(), v.trim().into())
            } else if let Some(k) = p.strip_prefix('!') {
                Req::NotExists(k.trim().into())
            } else {
                Req::Exists(p.into())
            };
            let key = match &req {
                Req::Eq(k, _)
                | Req::NotEq(k, _)
                | Req::In(k, _)
                | Req::NotIn(k, _)
                | Req::Exists(k)
                | Req::NotExists(k) => k,
            };
            if !valid_key(key) {
                return Err(format!("unable to parse requirement: <nil>: Invalid value: \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
            }
            reqs.push(req);
        }
        Ok(Selector(reqs))
    }

    /// Builds a selector from a LabelSelector (matchLabels and matchExpressions).
    pub fn from_label_selector(ls: &LabelSelector) -> Selector {
        let mut reqs = Vec::new();
        for (k, v) in ls.match_labels.iter().flatten() {
            reqs.push(Req::Eq(k.clone(), v.clone()));
        }
        for e in ls.match_expressions.iter().flatten() {
            let vals = e.values.clone().unwrap_or_default();
            reqs.push(match e.operator.as_str() {
                "In" => Req::In(e.key.clone(), vals),
                "NotIn" => Req::NotIn(e.key.clone(), vals),
                "Exists" => Req::Exists(e.key.clone()),
                _ => Req::NotExists(e.key.clone()),
            });
        }
        Selector(reqs)
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0.iter().all(|r| match r {
            Req::Eq(k, v) => labels.get(k) == Some(v),
            Req::NotEq(k, v) => labels.get(k) != Some(v),
            Req::In(k, vs) => labels.get(k).is_some_and(|l| vs.contains(l)),
            Req::NotIn(k, vs) => labels.get(k).is_none_or(|l| !vs.contains(l)),
            Req::Exists(k) => labels.contains_key(k),
            Req::NotExists(k) => !labels.contains_key(k),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A field selector: `field=value`, `field==value`, `field!=value`, comma-separated.
#[derive(Clone, Debug, Default)]
pub struct FieldSelector(pub Vec<(String, bool, String)>);

/// Fields each kind supports in field selectors (besides metadata.name/namespace).
fn supported(kind: &str, field: &str) -> bool {
    if field == "metadata.name" || field == "metadata.namespace" {
        return true;
    }
    match kind {
        "Pod" => matches!(
            field,
            "spec.nodeName"
                | "spec.restartPolicy"
                | "spec.schedulerName"
                | "spec.serviceAccountName"
                | "spec.hostNetwork"
                | "status.phase"
                | "status.podIP"
                | "status.nominatedNodeName"
        ),
        "Event" => {
            field.starts_with("involvedObject.") || matches!(field, "reason" | "reportingComponent" | "source" | "type")
        }
        "Secret" => field == "type",
        "Node" => field == "spec.unschedulable",
        "Namespace" => field == "status.phase",
        "ReplicaSet" | "ReplicationController" => field == "status.replicas",
        "Job" => field == "status.successful",
        _ => false,
    }
}

impl FieldSelector {
    pub fn parse(s: &str) -> Result<FieldSelector, String> {
        let mut v = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, eq, val) = if let Some((k, val)) = part.split_once("!=") {
                (k, false, val)
            } else if let Some((k, val)) = part.split_once("==") {
                (k, true, val)
            } else if let Some((k, val)) = part.split_once('=') {
                (k, true, val)
            } else {
                return Err(format!("invalid selector: '{s}'; can't understand '{part}'"));
            };
            v.push((k.trim().to_string(), eq, val.trim().to_string()));
        }
        Ok(FieldSelector(v))
    }

    /// The first field the kind does not support, for the server's BadRequest.
    pub fn unsupported(&self, kind: &str) -> Option<&str> {
        self.0.iter().map(|(k, _, _)| k.as_str()).find(|k| !supported(kind, k))
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.0.iter().all(|(k, eq, val)| {
            let mut cur = obj;
            for seg in k.split('.') {
                cur = match cur.get(seg) {
                    Some(v) => v,
                    None => &Value::Null,
                };
            }
            let actual = match cur {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            (actual == *val) == *eq
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn label_selectors() {
        let l = labels(&[("app", "web"), ("tier", "front")]);
        for (sel, want) in [
            ("app=web", true),
            ("app==web", true),
            ("app!=web", false),
            ("app in (web,api)", true),
            ("app notin (web)", false),
            ("tier", true),
            ("!tier", false),
            ("!canary", true),
            ("app=web,tier=back", false),
            ("", true),
        ] {
            assert_eq!(Selector::parse(sel).unwrap().matches(&l), want, "{sel}");
        }
    }

    #[test]
    fn field_selectors() {
        let pod = serde_json::json!({"metadata": {"name": "a"}, "status": {"phase": "Running"}});
        assert!(FieldSelector::parse("status.phase=Running").unwrap().matches(&pod));
        assert!(!FieldSelector::parse("status.phase!=Running").unwrap().matches(&pod));
        assert_eq!(FieldSelector::parse("foo=bar").unwrap().unsupported("Pod"), Some("foo"));
    }
}
