//! kubectl's output forms for objects: tables (the server's Table, formatted by the client),
//! yaml, json, name, jsonpath, jsonpath-as-json and custom-columns, with `--sort-by`.

use serde_json::{json, Value};

use super::output::{json as json_out, yaml};
use super::{jsonpath, table_printer, Ctx};
use crate::sim::api::table;
use crate::sim::{Kind, Object};

/// An `-o` output form.
#[derive(Clone, Debug, PartialEq)]
pub enum Format {
    Table,
    Wide,
    Yaml,
    Json,
    Name,
    JsonPath(String),
    JsonPathAsJson(String),
    CustomColumns(String),
}

pub const ALLOWED_FORMATS: &str = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";

impl Format {
    /// Parses `-o`; Err is kubectl's message.
    pub fn parse(o: Option<&str>) -> Result<Format, String> {
        let Some(o) = o else { return Ok(Format::Table) };
        let (name, arg) = match o.split_once('=') {
            Some((n, a)) => (n, Some(a.to_string())),
            None => (o, None),
        };
        Ok(match (name, arg) {
            ("wide", None) => Format::Wide,
            ("yaml", None) => Format::Yaml,
            ("json", None) => Format::Json,
            ("name", None) => Format::Name,
            ("jsonpath", Some(a)) => Format::JsonPath(a),
            ("jsonpath-as-json", Some(a)) => Format::JsonPathAsJson(a),
            ("custom-columns", Some(a)) => Format::CustomColumns(a),
            ("jsonpath" | "jsonpath-as-json", None) => return Err("error: template format specified but no template given".into()),
            ("custom-columns", None) => return Err("error: custom-columns format specified but no custom columns given".into()),
            ("go-template" | "template" | "go-template-file" | "templatefile" | "jsonpath-file" | "custom-columns-file", _) => {
                return Err(format!("error: kubedojo does not support -o {name} yet; use -o jsonpath or -o custom-columns"))
            }
            _ => {
                return Err(format!(
                    "error: unable to match a printer suitable for the output format \"{o}\", allowed formats are: {ALLOWED_FORMATS}"
                ))
            }
        })
    }

    pub fn is_table(&self) -> bool {
        matches!(self, Format::Table | Format::Wide)
    }
}

/// Options of the table printer, from get's flags.
#[derive(Clone, Debug, Default)]
pub struct TableOpts {
    pub wide: bool,
    pub no_headers: bool,
    pub show_labels: bool,
    pub label_columns: Vec<String>,
    pub all_namespaces: bool,
    pub show_kind: bool,
    pub sort_by: Option<String>,
}

/// The List kubectl wraps several objects in for yaml/json/jsonpath.
pub fn list_of(items: Vec<Value>) -> Value {
    json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
}

/// Sorts objects by a `--sort-by` JSONPath, as kubectl's RuntimeSort does: numbers
/// numerically, everything else as text; objects missing the field first.
fn sort_objects(objs: &mut [Object], expr: &str) -> Result<(), String> {
    let expr = if expr.starts_with('{') { expr.to_string() } else { format!("{{{}}}", expr) };
    let t = jsonpath::parse(&expr).map_err(|e| format!("error: {e}"))?;
    let mut keyed: Vec<(Value, Object)> = objs
        .iter()
        .map(|o| {
            let v = t.execute(&o.to_value(), true).unwrap_or_default();
            let key = v.parse::<f64>().map(|n| json!(n)).unwrap_or(Value::String(v));
            (key, o.clone())
        })
        .collect();
    keyed.sort_by(|(a, _), (b, _)| match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(std::cmp::Ordering::Equal)
        }
        (Value::Number(_), _) => std::cmp::Ordering::Less,
        (_, Value::Number(_)) => std::cmp::Ordering::Greater,
        (x, y) => x.as_str().unwrap_or("").cmp(y.as_str().unwrap_or("")),
    });
    for (slot, (_, o)) in objs.iter_mut().zip(keyed) {
        *slot = o;
    }
    Ok(())
}

/// Prints objects grouped by kind. `single`: one object was asked for by name, so yaml and
/// json print it bare rather than in a List.
pub fn print_objects(ctx: &mut Ctx, format: &Format, groups: &[(Kind, Vec<Object>)], single: bool, opts: &TableOpts) {
    let mut groups: Vec<(Kind, Vec<Object>)> = groups.to_vec();
    if let Some(expr) = &opts.sort_by {
        for (_, objs) in groups.iter_mut() {
            if let Err(e) = sort_objects(objs, expr) {
                return ctx.out.fail(&e);
            }
        }
    }
    let all: Vec<&Object> = groups.iter().flat_map(|(_, v)| v.iter()).collect();
    match format {
        Format::Table | Format::Wide => {
            let now = ctx.world.now.datetime();
            let mut text = String::new();
            let non_empty: Vec<&(Kind, Vec<Object>)> = groups.iter().filter(|(_, v)| !v.is_empty()).collect();
            for (i, (kind, objs)) in non_empty.iter().enumerate() {
                let refs: Vec<&Object> = objs.iter().collect();
                let t = table::table_for(*kind, &refs, now);
                let popts = table_printer::PrintOptions {
                    wide: opts.wide,
                    no_headers: opts.no_headers,
                    show_labels: opts.show_labels,
                    label_columns: opts.label_columns.clone(),
                    with_namespace: opts.all_namespaces && kind.namespaced(),
                    with_kind: opts.show_kind,
                    kind_prefix: kind.qualified_singular(),
                };
                if i > 0 {
                    text.push('\n');
                }
                text.push_str(&table_printer::print_table(&t, &popts));
            }
            ctx.out.out(&text);
        }
        Format::Name => {
            for o in all {
                ctx.out.out(&format!("{}/{}\n", o.kind().qualified_singular(), o.name()));
            }
        }
        Format::Yaml | Format::Json | Format::JsonPath(_) | Format::JsonPathAsJson(_) => {
            let doc = if single && all.len() == 1 {
                all[0].to_value()
            } else {
                list_of(all.iter().map(|o| o.to_value()).collect())
            };
            print_value(ctx, format, &doc);
        }
        Format::CustomColumns(spec) => {
            let values: Vec<Value> = all.iter().map(|o| o.to_value()).collect();
            match jsonpath::render_custom_columns(spec, &values, opts.no_headers) {
                Ok(s) => ctx.out.out(&s),
                Err(e) => {
                    ctx.out.out(&e.stdout);
                    ctx.out.fail(&format!("error: {}", e.message));
                }
            }
        }
    }
}

/// Prints one document in a non-table form.
pub fn print_value(ctx: &mut Ctx, format: &Format, doc: &Value) {
    match format {
        Format::Yaml => ctx.out.out(&yaml::to_yaml(doc)),
        Format::Json => ctx.out.out(&json_out::to_json(doc)),
        Format::JsonPath(t) | Format::JsonPathAsJson(t) => match jsonpath::parse(t) {
            Ok(tpl) => {
                let r = if matches!(format, Format::JsonPathAsJson(_)) {
                    tpl.execute_as_json(doc)
                } else {
                    tpl.execute(doc, true)
                };
                match r {
                    Ok(s) => ctx.out.out(&s),
                    Err(e) => ctx.out.fail(&format!("error: {e}")),
                }
            }
            Err(e) => ctx.out.fail(&format!("error: {e}")),
        },
        Format::Name => {
            let kind = doc.get("kind").and_then(|k| k.as_str()).unwrap_or("");
            let api = doc.get("apiVersion").and_then(|k| k.as_str()).unwrap_or("");
            let name = doc.pointer("/metadata/name").and_then(|k| k.as_str()).unwrap_or("");
            let q = Kind::from_api_version_kind(api, kind)
                .map(|k| k.qualified_singular())
                .unwrap_or_else(|| kind.to_lowercase());
            ctx.out.out(&format!("{q}/{name}\n"));
        }
        Format::CustomColumns(spec) => match jsonpath::render_custom_columns(spec, std::slice::from_ref(doc), false) {
            Ok(s) => ctx.out.out(&s),
            Err(e) => {
                ctx.out.out(&e.stdout);
                ctx.out.fail(&format!("error: {}", e.message));
            }
        },
        Format::Table | Format::Wide => {}
    }
}

/// Prints the objects a write command (create, apply, run) produced with `-o`: each one on
/// its own (yaml documents separated by `---`), as kubectl's printers do per object.
pub fn print_written(ctx: &mut Ctx, format: &Format, objs: &[Object]) {
    for (i, o) in objs.iter().enumerate() {
        if i > 0 && matches!(format, Format::Yaml) {
            ctx.out.out("---\n");
        }
        print_value(ctx, format, &o.to_value());
    }
}
