//! `kubectl events` (v1.32): the events of a namespace (or `-A`), oldest first, as
//! `LAST SEEN  TYPE  REASON  OBJECT  MESSAGE` (`5s (x3 over 40s)` for repeats), filtered
//! with `--for TYPE/NAME` and `--types=Normal,Warning`; `-o yaml|json|name|jsonpath`
//! print the `v1 EventList`. `-w` is a live view, refused in scripts like `get -w`.

use clap::{Arg, ArgAction};
use k8s_openapi::api::core::v1::Event;

use super::{command, flag, namespace, opt, output_args, parse};
use crate::kubectl::age::since;
use crate::kubectl::print::{self, Format};
use crate::kubectl::table_printer::TabWriter;
use crate::kubectl::Ctx;
use crate::sim::api::discovery;
use crate::sim::{Kind, Object};

/// `escapeCell`: cut at the first line break (with `...`).
fn escape_cell(s: &str) -> String {
    match s.find(['\x0c', '\n', '\r']) {
        Some(i) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// The time an event sorts by (`eventTime`): its series' last time, else lastTimestamp,
/// else eventTime.
fn sort_time(e: &Event) -> Option<chrono::DateTime<chrono::Utc>> {
    e.series
        .as_ref()
        .and_then(|s| s.last_observed_time.as_ref().map(|t| t.0))
        .or_else(|| e.last_timestamp.as_ref().map(|t| t.0))
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
}

/// `getInterval`: `40s`, or `5s (x3 over 40s)` for an event seen several times.
fn interval(e: &Event, now: chrono::DateTime<chrono::Utc>) -> String {
    let first = match &e.event_time {
        Some(t) => since(Some(&t.0), now),
        None => since(e.first_timestamp.as_ref().map(|t| &t.0), now),
    };
    if let Some(s) = &e.series {
        return format!(
            "{} (x{} over {first})",
            since(s.last_observed_time.as_ref().map(|t| &t.0), now),
            s.count.unwrap_or(0)
        );
    }
    match e.count {
        Some(c) if c > 1 => format!("{} (x{c} over {first})", since(e.last_timestamp.as_ref().map(|t| &t.0), now)),
        _ => first,
    }
}

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = output_args(command("events"))
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(Arg::new("all-namespaces").short('A').long("all-namespaces").action(ArgAction::SetTrue))
        .arg(Arg::new("watch").short('w').long("watch").action(ArgAction::SetTrue))
        .arg(opt("for"))
        .arg(Arg::new("types").long("types").num_args(1).action(ArgAction::Append))
        .arg(flag("no-headers"))
        .arg(opt("chunk-size"));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let all_ns = m.get_flag("all-namespaces");
    let ns = namespace(ctx, &m);
    let mut for_obj: Option<(Kind, String)> = None;
    if let Some(f) = m.get_one::<String>("for").filter(|f| !f.is_empty()) {
        let Some((t, n)) = f.split_once('/') else {
            return ctx.out.fail("error: --for must be in resource/name form");
        };
        if n.contains('/') {
            return ctx.out.fail("error: arguments in resource/name form may not have more than one slash");
        }
        let Some(kind) = discovery::resolve(t) else {
            return ctx.out.fail(&format!("error: the server doesn't have a resource type \"{t}\""));
        };
        for_obj = Some((kind, n.to_string()));
    }
    let mut types: Vec<String> = m
        .get_many::<String>("types")
        .map(|v| v.flat_map(|s| s.split(',').map(str::to_string).collect::<Vec<_>>()).collect())
        .unwrap_or_default();
    types.sort();
    types.dedup();
    if types.iter().any(|t| !t.eq_ignore_ascii_case("Normal") && !t.eq_ignore_ascii_case("Warning")) {
        return ctx.out.fail("error: valid --types are Normal or Warning");
    }
    let format = match Format::from_flags(ctx, &m) {
        Ok(f) => f,
        Err(e) => return ctx.out.fail(&e),
    };
    if m.get_flag("watch") {
        return ctx.out.fail(
            "error: kubedojo shows watches live in the TUI; in a script, use `sleep N` and list the events again",
        );
    }
    let list_ns = if all_ns { "" } else { ns.as_str() };
    if let Err(e) = super::auth::authorize_kind(ctx, "list", Kind::Event, list_ns, "") {
        return ctx.out.fail(&e);
    }
    let mut events: Vec<Event> = ctx
        .world
        .store
        .list(Kind::Event, if all_ns { None } else { Some(ns.as_str()) })
        .into_iter()
        .filter_map(|o| match o {
            Object::Event(e) => Some((**e).clone()),
            _ => None,
        })
        .filter(|e| match &for_obj {
            Some((k, n)) => {
                e.involved_object.kind.as_deref() == Some(k.name()) && e.involved_object.name.as_deref() == Some(n)
            }
            None => true,
        })
        .filter(|e| {
            types.is_empty() || types.iter().any(|t| e.type_.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(t)))
        })
        .collect();
    if events.is_empty() {
        if all_ns {
            ctx.out.err("No events found.\n");
        } else {
            ctx.out.err(&format!("No events found in {ns} namespace.\n"));
        }
        return;
    }
    events.sort_by_key(sort_time);
    if !format.is_table() {
        let items: Vec<serde_json::Value> = events.iter().filter_map(|e| serde_json::to_value(e).ok()).collect();
        let mut list = serde_json::Map::new();
        list.insert("apiVersion".into(), "v1".into());
        list.insert("items".into(), serde_json::Value::Array(items));
        list.insert("kind".into(), "EventList".into());
        list.insert("metadata".into(), serde_json::json!({"resourceVersion": ""}));
        if let Format::Name = format {
            for e in &events {
                ctx.out.out(&format!("event/{}\n", e.metadata.name.as_deref().unwrap_or("")));
            }
            return;
        }
        return print::print_value(ctx, &format, &serde_json::Value::Object(list));
    }
    let now = ctx.world.now.datetime();
    let mut tw = TabWriter::kubectl();
    if !m.get_flag("no-headers") {
        if all_ns {
            tw.write("NAMESPACE\t");
        }
        tw.write("LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n");
    }
    for e in &events {
        if all_ns {
            tw.write(&format!("{}\t", e.metadata.namespace.as_deref().unwrap_or("")));
        }
        tw.write(&format!(
            "{}\t{}\t{}\t{}/{}\t{}\n",
            interval(e, now),
            escape_cell(e.type_.as_deref().unwrap_or("")),
            escape_cell(e.reason.as_deref().unwrap_or("")),
            escape_cell(e.involved_object.kind.as_deref().unwrap_or("")),
            escape_cell(e.involved_object.name.as_deref().unwrap_or("")),
            escape_cell(e.message.as_deref().unwrap_or("").trim()),
        ));
    }
    ctx.out.out(&tw.flush());
}
