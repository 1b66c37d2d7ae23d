//! kubectl's output forms for objects: tables (the server's Table, formatted by the client),
//! yaml, json, name, jsonpath, jsonpath-as-json, custom-columns and go-template (and their
//! `-file` forms, read from the learner's files), with `--sort-by`.

use serde_json::{json, Value};

use super::output::{json as json_out, yaml};
use super::{gotemplate, jsonpath, table_printer, Ctx};
use crate::shell::Fs;
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
    /// A Go template (`-o go-template=`, `-o template=`, `--template`), already checked to parse.
    GoTemplate(String),
}

pub const ALLOWED_FORMATS: &str = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";

impl Format {
    /// Parses `-o`; Err is kubectl's message. The `-file` forms need the learner's files:
    /// use [`Format::from_flags`].
    pub fn parse(o: Option<&str>) -> Result<Format, String> {
        Self::parse_full(o, None, None)
    }

    /// `-o` with `--template`, reading the `-file` forms from the learner's files.
    pub fn from_flags(ctx: &Ctx, m: &clap::ArgMatches) -> Result<Format, String> {
        let o = m.try_get_one::<String>("output").ok().flatten().map(String::as_str);
        let t = m.try_get_one::<String>("template").ok().flatten().map(String::as_str);
        Self::parse_full(o, t, Some((&*ctx.files, &ctx.cwd)))
    }

    /// The template forms every printing command shares (go-template, jsonpath and their
    /// files); None when `name` is not one of them.
    pub fn template_form(
        name: &str,
        arg: Option<String>,
        files: Option<(&dyn Fs, &str)>,
    ) -> Option<Result<Format, String>> {
        let read = |path: &str, what: &str| -> Result<String, String> {
            let Some((fs, cwd)) = files else {
                return Err(format!("error: kubedojo cannot read {path} here"));
            };
            fs.read(&crate::shell::vfs::resolve_path(cwd, path))
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .map_err(|_| format!("error: error reading {what} {path}, open {path}: no such file or directory"))
        };
        let go = |t: String| -> Result<Format, String> {
            match gotemplate::parse(&t) {
                Ok(_) => Ok(Format::GoTemplate(t)),
                Err(e) => Err(format!("error: error parsing template {t}, {e}")),
            }
        };
        let no_template = || Err("error: template format specified but no template given".to_string());
        Some(match (name, arg) {
            ("go-template" | "template", Some(t)) if !t.is_empty() => go(t),
            ("go-template-file" | "templatefile", Some(p)) if !p.is_empty() => read(&p, "--template").and_then(go),
            ("jsonpath-file", Some(p)) if !p.is_empty() => read(&p, "--template").map(Format::JsonPath),
            ("go-template" | "template" | "go-template-file" | "templatefile" | "jsonpath-file", _) => no_template(),
            _ => return None,
        })
    }

    fn parse_full(o: Option<&str>, template: Option<&str>, files: Option<(&dyn Fs, &str)>) -> Result<Format, String> {
        // `--template` alone means a Go template.
        let o = match (o, template) {
            (None | Some(""), Some(t)) if !t.is_empty() => Some("go-template"),
            (o, _) => o,
        };
        let Some(o) = o else { return Ok(Format::Table) };
        let (name, arg) = match o.split_once('=') {
            Some((n, a)) => (n, Some(a.to_string())),
            None => (o, template.filter(|t| !t.is_empty()).map(str::to_string)),
        };
        if let Some(f) = Self::template_form(name, arg.clone(), files) {
            return f;
        }
        if name == "custom-columns-file" {
            let Some(path) = arg.filter(|p| !p.is_empty()) else {
                return Err("error: custom-columns format specified but no custom columns given".into());
            };
            let Some((fs, cwd)) = files else {
                return Err(format!("error: kubedojo cannot read {path} here"));
            };
            let text = fs
                .read(&crate::shell::vfs::resolve_path(cwd, &path))
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .map_err(|_| format!("error: error reading template {path}, open {path}: no such file or directory"))?;
            return custom_columns_file(&text).map(Format::CustomColumns);
        }
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

/// A custom-columns file: a line of headers, then a line of field specs, whitespace
/// separated; as `-o custom-columns=` text.
fn custom_columns_file(text: &str) -> Result<String, String> {
    const FORMAT: &str =
        "Expected format is one line of space separated headers, one line of space separated column specs.";
    let mut lines = text.lines();
    let Some(headers) = lines.next() else {
        return Err(format!("error: invalid template, missing header line. {FORMAT}"));
    };
    let Some(specs) = lines.next() else {
        return Err(format!("error: invalid template, missing spec line. {FORMAT}"));
    };
    let headers: Vec<&str> = headers.split_whitespace().collect();
    let specs: Vec<&str> = specs.split_whitespace().collect();
    if headers.len() != specs.len() {
        return Err(format!(
            "error: number of headers ({}) and field specifications ({}) don't match",
            headers.len(),
            specs.len()
        ));
    }
    Ok(headers.iter().zip(specs.iter()).map(|(h, s)| format!("{h}:{s}")).collect::<Vec<_>>().join(","))
}

/// Prints `doc` through a Go template as kubectl's template printer does: on an execution
/// error, what was written, then a dump for debugging on stdout, and the error. `raw` is the
/// object's JSON as kubectl marshalled it.
pub fn print_template(ctx: &mut Ctx, template: &str, doc: &Value, raw: &str) {
    let t = match gotemplate::parse(template) {
        Ok(t) => t,
        Err(e) => return ctx.out.fail(&format!("error: error parsing template {template}, {e}")),
    };
    match t.execute(doc) {
        Ok(s) => ctx.out.out(&s),
        Err((partial, e)) => {
            ctx.out.out(&partial);
            ctx.out.out(&format!(
                "Error executing template: {e}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{template}\n\traw data was:\n\t\t{raw}\n\tobject given to template engine was:\n\t\t{}\n\n",
                gotemplate::go_print(doc)
            ));
            ctx.out
                .fail(&format!("error: error executing template {}: {e}", crate::sim::api::errors::go_quote(template)));
        }
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
    /// Prefix names with `kind/` (several kinds requested, or `--show-kind`).
    pub show_kind: bool,
    pub sort_by: Option<String>,
    /// The objects were asked for by name: kubectl gets each on its own (one Table each), so
    /// `--sort-by` does not reorder them in a table.
    pub named: bool,
}

/// The List kubectl wraps several objects in for yaml/json/jsonpath.
pub fn list_of(items: Vec<Value>) -> Value {
    json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
}

/// fvbommel/sortorder's `NaturalLess`, which kubectl's sorter uses for strings: runs of
/// digits compare as numbers (`pod-9` before `pod-10`), digits before other characters.
pub fn natural_less(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let (c1, c2) = (a[i], b[j]);
        let (d1, d2) = (c1.is_ascii_digit(), c2.is_ascii_digit());
        if d1 != d2 {
            return d1;
        }
        if !d1 {
            if c1 != c2 {
                return c1 < c2;
            }
            i += 1;
            j += 1;
            continue;
        }
        while i < a.len() && a[i] == b'0' {
            i += 1;
        }
        while j < b.len() && b[j] == b'0' {
            j += 1;
        }
        let (nz1, nz2) = (i, j);
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let (len1, len2) = (i - nz1, j - nz2);
        if len1 != len2 {
            return len1 < len2;
        }
        if a[nz1..i] != b[nz2..j] {
            return a[nz1..i] < b[nz2..j];
        }
        if nz1 != nz2 {
            return nz1 < nz2;
        }
    }
    a.len() < b.len()
}

/// kubectl's `isLess` on values decoded from JSON: numbers numerically, strings as
/// quantities when both parse as one (`100Mi` < `1Gi`), else naturally; null first. Other
/// types cannot be sorted.
fn is_less(a: &Value, b: &Value) -> Result<bool, String> {
    use crate::sim::quantity::parse_milli;
    match (a, b) {
        (Value::Null, Value::Null) => Ok(false),
        (Value::Null, _) => Ok(true),
        (_, Value::Null) => Ok(false),
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => Ok(x < y),
            _ if x.is_f64() && y.is_f64() => Ok(x.as_f64() < y.as_f64()),
            _ => Err("unsortable interface: interface".into()),
        },
        (Value::String(x), Value::String(y)) => Ok(match (parse_milli(x), parse_milli(y)) {
            (Ok(p), Ok(q)) => p < q,
            _ => natural_less(x, y),
        }),
        (Value::Bool(_), _) => Err("unsortable type: bool".into()),
        (Value::Object(_), _) => Err("unsortable type: map[string]interface {}".into()),
        (Value::Array(_), _) => Err("unsortable type: []interface {}".into()),
        _ => Err("unsortable interface: interface".into()),
    }
}

/// The `--sort-by` expression as kubectl parses it (relaxed `.a.b` → `{.a.b}`).
fn sort_template(expr: &str) -> Result<(String, jsonpath::Template), String> {
    let field = jsonpath::relaxed_jsonpath_expression(expr).unwrap_or_else(|_| expr.to_string());
    let t = jsonpath::parse(&field).map_err(|e| format!("error: sorting error: {e}"))?;
    Ok((field, t))
}

/// The first value the sort field finds in an object, if any (missing keys allowed).
fn sort_key(t: &jsonpath::Template, o: &Object) -> Result<Option<Value>, String> {
    let results = t.find_results(&o.to_value(), true).map_err(|e| format!("error: {e}"))?;
    Ok(results.first().and_then(|r| r.first()).cloned())
}

/// kubectl's sorters (`TableSorter`, `SortObjects`): objects by the first value of the
/// field; an error when no object has the field. Go's `sort.Sort` is an insertion sort up to
/// 12 items — which is what puts objects missing the field first (in reverse order) — and
/// an unstable pdqsort beyond; a stable sort stands in for the latter.
fn sort_objects(objs: &mut Vec<Object>, expr: &str) -> Result<(), String> {
    if objs.is_empty() {
        return Ok(());
    }
    let (field, t) = sort_template(expr)?;
    let mut keyed: Vec<(Option<Value>, Object)> = Vec::with_capacity(objs.len());
    for o in objs.drain(..) {
        keyed.push((sort_key(&t, &o)?, o));
    }
    if keyed.iter().all(|(k, _)| k.is_none()) {
        let msg = format!("error: couldn't find any field with path \"{field}\" in the list of objects");
        objs.extend(keyed.into_iter().map(|(_, o)| o));
        return Err(msg);
    }
    let mut error = None;
    let mut less = |a: &Option<Value>, b: &Option<Value>| -> bool {
        match (a, b) {
            (None, _) => true,
            (_, None) => false,
            (Some(a), Some(b)) => is_less(a, b).unwrap_or_else(|e| {
                error.get_or_insert(e);
                false
            }),
        }
    };
    if keyed.len() <= 12 {
        for i in 1..keyed.len() {
            let mut j = i;
            while j > 0 && less(&keyed[j].0, &keyed[j - 1].0) {
                keyed.swap(j, j - 1);
                j -= 1;
            }
        }
    } else {
        keyed.sort_by(|(a, _), (b, _)| {
            if less(a, b) {
                std::cmp::Ordering::Less
            } else if less(b, a) {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        });
    }
    objs.extend(keyed.into_iter().map(|(_, o)| o));
    match error {
        Some(e) => Err(format!("error: field {field} is an unsortable type: {e}")),
        None => Ok(()),
    }
}

/// A one-row Table is "sorted" too: kubectl still fails when its object lacks the field.
fn check_sort_field(o: &Object, expr: &str) -> Result<(), String> {
    let (field, t) = sort_template(expr)?;
    match sort_key(&t, o)? {
        Some(_) => Ok(()),
        None => Err(format!("error: couldn't find any field with path \"{field}\" in the list of objects")),
    }
}

/// The tables `kubectl get` prints for groups of objects, one Table per group, each aligned
/// on its own, a blank line between groups (none with `--no-headers`), and nothing for an
/// empty group. Returns an empty string when there is nothing to print.
pub fn render_tables(ctx: &Ctx, groups: &[(Kind, Vec<Object>)], opts: &TableOpts) -> String {
    let now = ctx.world.now.datetime();
    let mut text = String::new();
    for (kind, objs) in groups {
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
        let part = table_printer::print_table(&t, &popts);
        if part.is_empty() {
            continue;
        }
        if !text.is_empty() && !opts.no_headers {
            text.push('\n');
        }
        text.push_str(&part);
    }
    text
}

/// Prints objects grouped by kind (consecutive objects of one kind form one table). `single`:
/// one object was asked for by name, so yaml and json print it bare rather than in a List.
pub fn print_objects(ctx: &mut Ctx, format: &Format, groups: &[(Kind, Vec<Object>)], single: bool, opts: &TableOpts) {
    let mut groups: Vec<(Kind, Vec<Object>)> = groups.to_vec();
    if format.is_table() {
        if let Some(expr) = &opts.sort_by {
            for (_, objs) in groups.iter_mut() {
                let sorted = if opts.named {
                    objs.iter().try_for_each(|o| check_sort_field(o, expr))
                } else {
                    sort_objects(objs, expr)
                };
                if let Err(e) = sorted {
                    return ctx.out.fail(&e);
                }
            }
        }
        let text = render_tables(ctx, &groups, opts);
        ctx.out.out(&text);
        return;
    }
    let mut all: Vec<Object> = groups.into_iter().flat_map(|(_, v)| v).collect();
    let bare = single && all.len() == 1;
    if let Some(expr) = &opts.sort_by {
        // The generic printers sort the List they print; a bare object is left alone.
        if !bare {
            if let Err(e) = sort_objects(&mut all, expr) {
                return ctx.out.fail(&e);
            }
        }
    }
    match format {
        Format::Table | Format::Wide => {}
        Format::Name => {
            for o in &all {
                ctx.out.out(&format!("{}/{}\n", o.kind().qualified_singular(), o.name()));
            }
        }
        Format::Yaml | Format::Json | Format::JsonPath(_) | Format::JsonPathAsJson(_) | Format::GoTemplate(_) => {
            let doc = if bare { wire_value(&all[0]) } else { list_of(all.iter().map(wire_value).collect()) };
            print_value(ctx, format, &doc);
        }
        Format::CustomColumns(spec) => {
            let values: Vec<Value> = all.iter().map(wire_value).collect();
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
        Format::GoTemplate(t) => print_template(ctx, t, doc, &json_out::to_json_compact(doc)),
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
        print_value(ctx, format, &wire_value(o));
    }
}

/// An object as the API server sends it: Go's encoder writes struct-typed fields even when
/// they are empty, so a pod template's metadata reads `creationTimestamp: null` and an empty
/// `resources: {}` is kept (`generators::gotype`).
pub fn wire_value(o: &Object) -> Value {
    crate::kubectl::generators::gotype::goify(&o.to_value(), o.kind().name()).to_value()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ConfigMap;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    #[test]
    fn natural_order_like_sortorder() {
        assert!(natural_less("pod-9", "pod-10"));
        assert!(!natural_less("pod-10", "pod-9"));
        assert!(natural_less("a1", "ab"), "digits sort before other characters");
        assert!(natural_less("a01", "a001") && !natural_less("a001", "a01"), "fewer zeros first");
        assert!(natural_less("abc", "abcd"));
        assert!(!natural_less("abc", "abc"));
    }

    #[test]
    fn values_compare_like_kubectl() {
        assert_eq!(is_less(&json!(9), &json!(10)), Ok(true));
        assert_eq!(is_less(&json!("100Mi"), &json!("1Gi")), Ok(true), "quantities by value");
        assert_eq!(is_less(&json!("web-10"), &json!("web-9")), Ok(false));
        assert_eq!(is_less(&Value::Null, &json!("a")), Ok(true));
        assert!(is_less(&json!(true), &json!(false)).is_err());
    }

    fn cm(name: &str, label: Option<&str>) -> Object {
        Object::ConfigMap(Box::new(ConfigMap {
            metadata: ObjectMeta {
                name: Some(name.into()),
                labels: label.map(|l| [("tier".to_string(), l.to_string())].into()),
                ..Default::default()
            },
            ..Default::default()
        }))
    }

    fn names(objs: &[Object]) -> Vec<&str> {
        objs.iter().map(|o| o.name()).collect()
    }

    #[test]
    fn sort_puts_objects_missing_the_field_first_as_go_insertion_sort_does() {
        let mut objs = vec![cm("a", Some("web")), cm("b", None), cm("c", Some("db")), cm("d", None)];
        sort_objects(&mut objs, ".metadata.labels.tier").unwrap();
        // Missing first, in reverse order (Less(missing, anything) is true), then by value.
        assert_eq!(names(&objs), ["d", "b", "c", "a"]);
        let mut objs = vec![cm("x-10", None), cm("x-9", None), cm("x-1", None)];
        sort_objects(&mut objs, "{.metadata.name}").unwrap();
        assert_eq!(names(&objs), ["x-1", "x-9", "x-10"]);
        let err = sort_objects(&mut objs, ".spec.nothing").unwrap_err();
        assert_eq!(err, "error: couldn't find any field with path \"{.spec.nothing}\" in the list of objects");
        assert_eq!(objs.len(), 3, "objects are kept on error");
    }
}
