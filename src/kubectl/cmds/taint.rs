//! `kubectl taint`: add, overwrite and remove node taints with kubectl's parsing rules
//! (`key=value:Effect`, `key:Effect`, `key:Effect-`, `key-`), ordering (new taints first)
//! and messages.

use clap::{Arg, ArgAction};
use k8s_openapi::api::core::v1::Taint;

use super::{command, dry_run, dry_run_arg, flag, parse, DryRun};
use crate::kubectl::Ctx;
use crate::sim::api::discovery;
use crate::sim::api::selector::Selector;
use crate::sim::api::WriteOptions;
use crate::sim::{Kind, Object};

const EFFECTS: &[&str] = &["NoSchedule", "PreferNoSchedule", "NoExecute"];

/// `Taint.ToString()`: `key=value:effect`, `key:effect` or `key`.
fn taint_string(t: &Taint) -> String {
    let mut s = t.key.clone();
    if let Some(v) = t.value.as_deref().filter(|v| !v.is_empty()) {
        s = format!("{s}={v}");
    }
    if !t.effect.is_empty() {
        s = format!("{s}:{}", t.effect);
    }
    s
}

/// Go's `%v` of a Taint struct, as in "duplicated taints" errors.
fn taint_go(t: &Taint) -> String {
    format!("{{{} {} {} <nil>}}", t.key, t.value.clone().unwrap_or_default(), t.effect)
}

fn valid_qualified_name(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
    if let Some(p) = prefix {
        if p.is_empty() {
            return Err("prefix part must be non-empty".into());
        }
    }
    if !name_ok {
        if name.is_empty() {
            return Err("name part must be non-empty".into());
        }
        return Err("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')".into());
    }
    Ok(())
}

/// parseTaint: `<key>=<value>:<effect>`, `<key>:<effect>` or `<key>`.
fn parse_taint(st: &str) -> Result<Taint, String> {
    let parts: Vec<&str> = st.split(':').collect();
    let (key, value, effect) = match parts.len() {
        1 => (parts[0].to_string(), String::new(), String::new()),
        2 => {
            let effect = parts[1];
            if !EFFECTS.contains(&effect) {
                return Err(format!("invalid taint effect: {effect}, unsupported taint effect"));
            }
            let kv: Vec<&str> = parts[0].split('=').collect();
            if kv.len() > 2 {
                return Err(format!("invalid taint spec: {st}"));
            }
            (kv[0].to_string(), kv.get(1).map(|v| v.to_string()).unwrap_or_default(), effect.to_string())
        }
        _ => return Err(format!("invalid taint spec: {st}")),
    };
    if let Err(e) = valid_qualified_name(&key) {
        return Err(format!("invalid taint spec: {st}, {e}"));
    }
    Ok(Taint { key, value: if value.is_empty() { None } else { Some(value) }, effect, time_added: None })
}

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = dry_run_arg(command("taint"))
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(Arg::new("selector").short('l').long("selector").num_args(1))
        .arg(flag("overwrite"))
        .arg(flag("all"))
        .arg(Arg::new("output").short('o').long("output").num_args(1))
        .arg(Arg::new("validate").long("validate").num_args(0..=1).default_missing_value("strict"));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let dry = match dry_run(&m) {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    let mut resources = Vec::new();
    let mut specs = Vec::new();
    for s in &positional {
        let is_taint = s.contains('=') || s.contains(':') || s.ends_with('-');
        match (specs.is_empty(), is_taint) {
            (_, true) => specs.push(s.clone()),
            (true, false) => resources.push(s.clone()),
            (false, false) => {
                return ctx.out.fail(&format!("error: all resources must be specified before taint changes: {s}"))
            }
        }
    }
    if resources.is_empty() {
        return ctx.out.fail("error: one or more resources must be specified as <resource> <name>");
    }
    if specs.is_empty() {
        return ctx.out.fail("error: at least one taint update is required");
    }
    let mut add: Vec<Taint> = Vec::new();
    let mut remove: Vec<Taint> = Vec::new();
    for s in &specs {
        let parsed = match s.strip_suffix('-') {
            Some(r) => parse_taint(r).map(|t| {
                remove.push(Taint { value: None, ..t });
            }),
            None => parse_taint(s).and_then(|t| {
                if t.effect.is_empty() {
                    return Err(format!("invalid taint spec: {s}"));
                }
                if add.iter().any(|a| a.key == t.key && a.effect == t.effect) {
                    return Err(format!("duplicated taints with the same key and effect: {}", taint_go(&t)));
                }
                add.push(t);
                Ok(())
            }),
        };
        if let Err(e) = parsed {
            return ctx.out.fail(&format!("error: {e}\nSee 'kubectl taint -h' for help and examples"));
        }
    }
    // Validate: the resource type must be nodes.
    let rtype = resources[0].to_ascii_lowercase();
    match discovery::resolve(&rtype) {
        Some(Kind::Node) => {}
        Some(_) => {
            return ctx.out.fail(&format!("error: invalid resource type {rtype}, only node types are supported"))
        }
        None => return ctx.out.fail(&format!("error: the server doesn't have a resource type \"{rtype}\"")),
    }
    let conflicts: Vec<String> = add
        .iter()
        .flat_map(|a| {
            remove
                .iter()
                .filter(move |r| r.key == a.key && (r.effect.is_empty() || r.effect == a.effect))
                .map(|r| format!("{{\"{}\":\"{}\"}}", r.key, r.effect))
        })
        .collect();
    if !conflicts.is_empty() {
        return ctx.out.fail(&format!(
            "error: can not both modify and remove the following taint(s) in the same command: {}",
            conflicts.join(", ")
        ));
    }
    let all = m.get_flag("all");
    let selector = m.get_one::<String>("selector").cloned();
    if all && selector.is_some() {
        return ctx.out.fail("error: setting 'all' parameter with a non empty selector is prohibited");
    }
    let listed = all || selector.is_some();
    let names: Vec<String> = if listed {
        let sel = match Selector::parse(selector.as_deref().unwrap_or("")) {
            Ok(s) => s,
            Err(e) => return ctx.out.fail(&format!("error: {e}")),
        };
        if let Err(e) = super::auth::authorize_read(ctx, Kind::Node, "", None) {
            return ctx.out.fail(&e);
        }
        ctx.world
            .store
            .list(Kind::Node, None)
            .into_iter()
            .filter(|o| sel.matches(&o.meta().labels.clone().unwrap_or_default()))
            .map(|o| o.name().to_string())
            .collect()
    } else {
        if resources.len() < 2 {
            return ctx
                .out
                .fail("error: at least one resource name must be specified since 'all' parameter is not set");
        }
        resources[1..].to_vec()
    };
    let overwrite = m.get_flag("overwrite");
    for n in names {
        if !listed {
            if let Err(e) = super::auth::authorize_read(ctx, Kind::Node, "", Some(&n)) {
                ctx.out.fail(&e);
                continue;
            }
        }
        let Some(Object::Node(node)) = ctx.world.store.get(Kind::Node, "", &n).cloned() else {
            ctx.out.fail(&format!("Error from server (NotFound): nodes \"{n}\" not found"));
            continue;
        };
        let old: Vec<Taint> = node.spec.as_ref().and_then(|s| s.taints.clone()).unwrap_or_default();
        if !overwrite {
            let exists: Vec<String> = add
                .iter()
                .flat_map(|a| old.iter().filter(move |o| o.key == a.key && o.effect == a.effect).map(|_| a.key.clone()))
                .collect();
            if !exists.is_empty() {
                ctx.out.fail(&format!(
                    "error: node {n} already has {} taint(s) with same effect(s) and --overwrite is false",
                    exists.join(",")
                ));
                continue;
            }
        }
        // reorganizeTaints: the new taints first, then the old ones they do not replace.
        let mut next = add.clone();
        for o in &old {
            if !next.iter().any(|t| t.key == o.key && t.effect == o.effect) {
                next.push(o.clone());
            }
        }
        let added = old.len() != next.len();
        let mut errors = Vec::new();
        let mut deleted = false;
        for r in &remove {
            let before = next.len();
            next.retain(|t| !(t.key == r.key && (r.effect.is_empty() || t.effect == r.effect)));
            deleted = next.len() != before;
            if !deleted {
                errors.push(format!("taint \"{}\" not found", taint_string(r)));
            }
        }
        if !errors.is_empty() {
            ctx.out.fail(&format!("error: {}", crate::sim::api::errors::aggregate(errors)));
            continue;
        }
        let op = if (added && deleted) || overwrite {
            "modified"
        } else if added {
            "tainted"
        } else {
            "untainted"
        };
        if dry != DryRun::Client {
            if let Err(e) = super::auth::authorize_write(ctx, "patch", Kind::Node, "", &n, "") {
                ctx.out.fail(&e);
                continue;
            }
            let mut updated = node.clone();
            updated.spec.get_or_insert_with(Default::default).taints = if next.is_empty() { None } else { Some(next) };
            if let Err(e) = ctx.world.api_update(Object::Node(updated), WriteOptions { dry_run: dry == DryRun::Server })
            {
                ctx.out.fail(&e.kubectl_text());
                continue;
            }
        }
        ctx.out.out(&format!("node/{n} {op}{}\n", super::cordon::dry_suffix(dry)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_taint_specs_like_kubectl() {
        let t = parse_taint("dedicated=gpu:NoSchedule").unwrap();
        assert_eq!((t.key.as_str(), t.value.as_deref(), t.effect.as_str()), ("dedicated", Some("gpu"), "NoSchedule"));
        assert_eq!(parse_taint("k:Nope").unwrap_err(), "invalid taint effect: Nope, unsupported taint effect");
        assert_eq!(parse_taint("a=b=c:NoSchedule").unwrap_err(), "invalid taint spec: a=b=c:NoSchedule");
        assert_eq!(taint_string(&parse_taint("k=v:NoExecute").unwrap()), "k=v:NoExecute");
        assert_eq!(taint_string(&parse_taint("k").unwrap()), "k");
    }
}
