//! `kubectl wait --for=condition=Ready|delete|create|jsonpath=... TYPE/NAME [--timeout]`:
//! advances the simulated cluster second by second until the condition holds or the
//! timeout passes (default 30 s), printing what kubectl prints.

use clap::{Arg, ArgAction};

use super::{command, flag, namespace, opt, parse};
use crate::kubectl::{jsonpath, Ctx};
use crate::sim::api::selector::Selector;
use crate::sim::{Kind, Object};

#[derive(Clone, Debug)]
enum Cond {
    Condition { ty: String, value: String },
    Delete,
    Create,
    JsonPath { path: String, value: Option<String> },
}

fn parse_for(s: &str) -> Result<Cond, String> {
    if s == "delete" {
        return Ok(Cond::Delete);
    }
    if s == "create" {
        return Ok(Cond::Create);
    }
    if let Some(rest) = s.strip_prefix("condition=") {
        let (ty, value) = match rest.split_once('=') {
            Some((t, v)) => (t.to_string(), v.to_string()),
            None => (rest.to_string(), "true".to_string()),
        };
        return Ok(Cond::Condition { ty, value });
    }
    if let Some(rest) = s.strip_prefix("jsonpath=") {
        // `{.status.phase}=Running`: the value follows the closing brace.
        if let Some(end) = rest.rfind('}') {
            let path = rest[..=end].to_string();
            let value = rest[end + 1..].strip_prefix('=').map(|v| v.trim_matches('\'').trim_matches('"').to_string());
            return Ok(Cond::JsonPath { path, value });
        }
        return Ok(Cond::JsonPath { path: rest.to_string(), value: None });
    }
    Err(format!("error: unrecognized condition: \"{s}\""))
}

/// Parses a Go duration like `30s`, `2m`, `1m30s`, `90` (seconds).
pub(crate) fn parse_duration_s(s: &str) -> Option<u64> {
    if let Ok(n) = s.parse::<u64>() {
        return Some(n);
    }
    let mut total = 0f64;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let mut unit = c.to_string();
        if c == 'm' && chars.peek() == Some(&'s') {
            unit.push('s');
            chars.next();
        }
        let n: f64 = num.parse().ok()?;
        num.clear();
        total += match unit.as_str() {
            "h" => n * 3600.0,
            "m" => n * 60.0,
            "s" => n,
            "ms" => n / 1000.0,
            _ => return None,
        };
    }
    if !num.is_empty() {
        return None;
    }
    Some(total.ceil() as u64)
}

fn holds(obj: Option<&Object>, cond: &Cond) -> bool {
    match cond {
        Cond::Delete => obj.is_none(),
        Cond::Create => obj.is_some(),
        Cond::Condition { ty, value } => {
            let Some(o) = obj else { return false };
            let v = o.to_value();
            v.pointer("/status/conditions").and_then(|c| c.as_array()).is_some_and(|conds| {
                conds.iter().any(|c| {
                    c.get("type").and_then(|t| t.as_str()).is_some_and(|t| t.eq_ignore_ascii_case(ty))
                        && c.get("status").and_then(|s| s.as_str()).is_some_and(|s| s.eq_ignore_ascii_case(value))
                })
            })
        }
        Cond::JsonPath { path, value } => {
            let Some(o) = obj else { return false };
            let Ok(t) = jsonpath::parse(path) else { return false };
            match t.execute(&o.to_value(), false) {
                Ok(out) => match value {
                    Some(v) => out == *v,
                    None => !out.is_empty(),
                },
                Err(_) => false,
            }
        }
    }
}

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = command("wait")
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(opt("for"))
        .arg(opt("timeout"))
        .arg(flag("all"))
        .arg(Arg::new("all-namespaces").short('A').long("all-namespaces").action(ArgAction::SetTrue))
        .arg(Arg::new("selector").short('l').long("selector").num_args(1))
        .arg(Arg::new("filename").short('f').long("filename").num_args(1))
        .arg(Arg::new("output").short('o').long("output").num_args(1));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let ns = namespace(ctx, &m);
    let Some(for_s) = m.get_one::<String>("for") else {
        ctx.out.fail("error: --for must be set\nSee 'kubectl wait -h' for help and examples");
        return;
    };
    let cond = match parse_for(for_s) {
        Ok(c) => c,
        Err(e) => return ctx.out.fail(&e),
    };
    let timeout_s = match m.get_one::<String>("timeout") {
        None => 30,
        Some(t) => match parse_duration_s(t.trim_start_matches('-')) {
            Some(s) if !t.starts_with('-') => s,
            Some(_) => 7 * 24 * 3600,
            None => {
                return ctx.out.fail(&format!(
                    "error: invalid argument \"{t}\" for \"--timeout\" flag: time: invalid duration \"{t}\""
                ))
            }
        },
    };
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    let targets = match super::get::targets(&positional) {
        Ok(t) => t,
        Err(e) => return ctx.out.fail(&e),
    };
    if targets.items.is_empty() {
        ctx.out.fail("error: resource(s) were provided, but no name was specified");
        return;
    }
    let selector = match Selector::parse(m.get_one::<String>("selector").map(String::as_str).unwrap_or("")) {
        Ok(s) => s,
        Err(e) => return ctx.out.fail(&format!("error: {e}")),
    };
    // The objects to wait for, fixed when the command starts (as kubectl resolves them).
    let mut names: Vec<(Kind, String, String)> = Vec::new();
    for (kind, n) in &targets.items {
        let k_ns = if kind.namespaced() { ns.clone() } else { String::new() };
        match n {
            Some(n) => {
                if let Err(e) = super::auth::authorize_read(ctx, *kind, &k_ns, Some(n)) {
                    return ctx.out.fail(&e);
                }
                if ctx.world.store.get(*kind, &k_ns, n).is_none() && !matches!(cond, Cond::Delete | Cond::Create) {
                    ctx.out.fail(&super::get::not_found(*kind, n));
                    return;
                }
                names.push((*kind, k_ns.clone(), n.clone()));
            }
            None => {
                let list_ns =
                    if m.get_flag("all-namespaces") || !kind.namespaced() { None } else { Some(k_ns.as_str()) };
                if let Err(e) = super::auth::authorize_read(ctx, *kind, list_ns.unwrap_or(""), None) {
                    return ctx.out.fail(&e);
                }
                for o in ctx.world.store.list(*kind, list_ns) {
                    if selector.matches(&o.meta().labels.clone().unwrap_or_default()) {
                        names.push((*kind, o.namespace().to_string(), o.name().to_string()));
                    }
                }
            }
        }
    }
    if names.is_empty() {
        ctx.out.fail("error: no matching resources found");
        return;
    }
    // Each object is then watched: a list and a watch with `metadata.name=<name>`.
    for (kind, k_ns, n) in &names {
        for verb in ["list", "watch"] {
            if let Err(e) = super::auth::authorize_kind(ctx, verb, *kind, k_ns, n) {
                return ctx.out.fail(&e);
            }
        }
    }
    let deadline = ctx.world.now.plus_s(timeout_s);
    for (kind, k_ns, n) in names {
        loop {
            let obj = ctx.world.store.get(kind, &k_ns, &n);
            if holds(obj, &cond) {
                ctx.out.out(&format!("{}/{n} condition met\n", kind.qualified_singular()));
                break;
            }
            if ctx.world.now >= deadline {
                ctx.out.fail(&format!("error: timed out waiting for the condition on {}/{n}", kind.qualified_plural()));
                break;
            }
            ctx.world.tick();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_duration_s("30s"), Some(30));
        assert_eq!(parse_duration_s("2m"), Some(120));
        assert_eq!(parse_duration_s("1m30s"), Some(90));
        assert_eq!(parse_duration_s("90"), Some(90));
        assert_eq!(parse_duration_s("1h"), Some(3600));
        assert_eq!(parse_duration_s("abc"), None);
    }
}
