//! `kubectl explain RESOURCE[.field.path] [--recursive] [--api-version]`: the documentation
//! of the fields of every kind kubedojo serves, printed as kubectl v1.32's OpenAPI v3
//! template (`explain/v2/templates/plaintext.tmpl`) prints it: `GROUP/KIND/VERSION`, the
//! `FIELD: name <type>` line, `DESCRIPTION` (descriptions word-wrapped at 76 columns by
//! go-wordwrap after their line breaks are removed) and `FIELDS` with `<type>` and
//! `-required-`, or the bare tree with `--recursive`.
//!
//! The schema comes from `assets/explain-schema.json`, generated from the k8s-openapi v1_32
//! sources by `tools/gen_explain_schema.py`. It has no enum lists, so no `ENUM:` lines.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use clap::{Arg, ArgAction};
use serde::Deserialize;

use super::{command, flag, opt, parse};
use crate::kubectl::Ctx;
use crate::sim::api::discovery;
use crate::sim::Kind;

/// One schema of the asset: a definition (with fields) or a field's type.
#[derive(Clone, Debug, Default, Deserialize)]
struct Schema {
    #[serde(default)]
    d: Option<String>,
    #[serde(default)]
    t: Option<String>,
    #[serde(default, rename = "ref")]
    reference: Option<String>,
    #[serde(default)]
    i: Option<Box<Schema>>,
    #[serde(default)]
    ap: Option<Box<Schema>>,
    #[serde(default)]
    p: Option<BTreeMap<String, Schema>>,
    #[serde(default)]
    r: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Document {
    kinds: BTreeMap<String, String>,
    defs: BTreeMap<String, Schema>,
}

fn document() -> &'static Document {
    static DOC: OnceLock<Document> = OnceLock::new();
    DOC.get_or_init(|| serde_json::from_str(include_str!("../../../assets/explain-schema.json")).unwrap_or_default())
}

impl Document {
    fn def(&self, name: &str) -> Option<&Schema> {
        self.defs.get(name)
    }

    /// The template's `typeGuess`.
    fn type_guess(&self, s: &Schema) -> String {
        if let Some(i) = &s.i {
            return format!("[]{}", self.type_guess(i));
        }
        if let Some(ap) = &s.ap {
            return format!("map[string]{}", self.type_guess(ap));
        }
        if let Some(r) = &s.reference {
            return match self.def(r).and_then(|d| d.t.as_deref()) {
                None | Some("object") => r.rsplit('.').next().filter(|n| !n.is_empty()).unwrap_or("Object").to_string(),
                Some(t) => t.to_string(),
            };
        }
        match s.t.as_deref() {
            None | Some("object") | Some("") => "Object".to_string(),
            Some(t) => t.to_string(),
        }
    }

    /// The template's `description`: the schema's own text, then that of what it refers to,
    /// its items and its map values, each ending in a line break.
    fn description(&self, s: &Schema, out: &mut String, depth: usize) {
        if depth > 16 {
            return;
        }
        if let Some(d) = s.d.as_deref().filter(|d| !d.is_empty()) {
            out.push_str(d);
            out.push('\n');
        }
        if let Some(def) = s.reference.as_deref().and_then(|r| self.def(r)) {
            self.description(def, out, depth + 1);
        }
        if let Some(i) = &s.i {
            self.description(i, out, depth + 1);
        }
        if let Some(ap) = &s.ap {
            self.description(ap, out, depth + 1);
        }
    }

    /// The object whose properties a schema shows: itself, what it refers to, its items or
    /// its map values (the template's ref / `items` / `additionalProperties` steps).
    fn fields_of<'a>(&'a self, s: &'a Schema, depth: usize) -> Option<(&'a Schema, Option<&'a str>)> {
        if depth > 16 {
            return None;
        }
        if s.p.is_some() {
            return Some((s, None));
        }
        if let Some(r) = s.reference.as_deref() {
            return self.def(r).and_then(|d| self.fields_of(d, depth + 1)).map(|(d, _)| (d, Some(r)));
        }
        if let Some(i) = &s.i {
            return self.fields_of(i, depth + 1);
        }
        if let Some(ap) = &s.ap {
            return self.fields_of(ap, depth + 1);
        }
        None
    }

    /// The template's `fieldList`: each field (`fieldDetail`), and with `recursive` the
    /// fields of its type one level deeper; a type already being listed above is not
    /// listed again (cycles).
    fn field_list(&self, s: &Schema, level: usize, recursive: bool, history: &mut Vec<String>, out: &mut String) {
        let Some((obj, via)) = self.fields_of(s, 0) else { return };
        if let Some(r) = via {
            if history.iter().any(|h| h == r) {
                return;
            }
            history.push(r.to_string());
        }
        for (name, field) in obj.p.iter().flatten() {
            let indent = level * 2;
            out.push_str(&" ".repeat(indent));
            out.push_str(name);
            out.push_str(&format!("\t<{}>", self.type_guess(field)));
            if obj.r.iter().any(|r| r == name) {
                out.push_str(" -required-");
            }
            out.push('\n');
            if !recursive {
                let d = field.d.clone().filter(|d| !d.is_empty()).unwrap_or_else(|| "<no description>".into());
                out.push_str(&indent_text(indent + 2, &wrap(78 - indent, &d)));
                out.push_str("\n\n");
            } else {
                self.field_list(field, level + 1, recursive, history, out);
            }
        }
        if via.is_some() {
            history.pop();
        }
    }

    /// The template's `output`: follows the field path; None when a field does not exist.
    fn output(&self, s: &Schema, path: &[String], recursive: bool, depth: usize) -> Option<String> {
        if depth > 64 {
            return None;
        }
        let Some(first) = path.first() else {
            let mut desc = String::new();
            self.description(s, &mut desc, 0);
            if desc.is_empty() {
                desc = "<empty>".into();
            }
            let mut out = format!("DESCRIPTION:\n{}\n", indent_text(4, &wrap(76, &desc)));
            let mut fields = String::new();
            self.field_list(s, 1, recursive, &mut Vec::new(), &mut fields);
            if !fields.is_empty() {
                out.push_str("FIELDS:\n");
                out.push_str(&fields);
            }
            return Some(out);
        };
        let resolved = match s.reference.as_deref() {
            Some(r) => self.def(r)?,
            None => s,
        };
        if let Some(sub) = resolved.p.as_ref().and_then(|p| p.get(first)) {
            let mut out = String::new();
            if path.len() == 1 {
                // `FIELD: name <type>`, the (empty) enum line's break, and a blank line.
                out.push_str(&format!("FIELD: {first} <{}>\n\n\n", self.type_guess(sub)));
            }
            out.push_str(&self.output(sub, &path[1..], recursive, depth + 1).unwrap_or_default());
            return Some(out).filter(|o| !o.is_empty());
        }
        if let Some(i) = &resolved.i {
            return self.output(i, path, recursive, depth + 1);
        }
        if let Some(ap) = &resolved.ap {
            return self.output(ap, path, recursive, depth + 1);
        }
        None
    }
}

/// The template's `indent`: pad the first line and every line after a break.
fn indent_text(n: usize, s: &str) -> String {
    let pad = " ".repeat(n);
    format!("{pad}{}", s.replace('\n', &format!("\n{pad}")))
}

/// kubectl explain's `wrap`: line breaks removed, then go-wordwrap's `WrapString`: break at
/// spaces so lines stay within `lim` runes; a word longer than `lim` gets a line of its own.
pub(crate) fn wrap(lim: usize, s: &str) -> String {
    let s = s.replace('\n', "");
    let mut buf = String::new();
    let mut current = 0usize;
    let mut word = String::new();
    let mut space = String::new();
    let (mut word_len, mut space_len) = (0usize, 0usize);
    for ch in s.chars() {
        if ch.is_whitespace() && ch != '\u{a0}' {
            if space.is_empty() || !word.is_empty() {
                current += space_len + word_len;
                buf.push_str(&space);
                space.clear();
                space_len = 0;
                buf.push_str(&word);
                word.clear();
                word_len = 0;
            }
            space.push(ch);
            space_len += 1;
        } else {
            word.push(ch);
            word_len += 1;
            if current + space_len + word_len > lim && word_len < lim {
                buf.push('\n');
                current = 0;
                space.clear();
                space_len = 0;
            }
        }
    }
    if word.is_empty() {
        if current + space_len <= lim {
            buf.push_str(&space);
        }
    } else {
        buf.push_str(&space);
        buf.push_str(&word);
    }
    buf
}

/// The group/versions the server serves (for `--api-version`).
fn served_group_version(group: &str, version: &str) -> bool {
    Kind::ALL.iter().any(|k| k.group() == group && k.version() == version)
}

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = command("explain")
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(flag("recursive"))
        .arg(opt("api-version"))
        .arg(Arg::new("output").short('o').long("output").num_args(1));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    if positional.is_empty() {
        return ctx.out.fail("error: You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.\n");
    }
    if positional.len() > 1 {
        return ctx.out.fail("error: We accept only this format: explain RESOURCE\n");
    }
    match m.get_one::<String>("output").map(String::as_str) {
        None | Some("plaintext") => {}
        Some("plaintext-openapiv2") => {
            return ctx.out.fail(
                "error: kubedojo does not simulate the OpenAPI v2 explain output yet; use the default (plaintext)",
            )
        }
        Some(other) => {
            return ctx.out.fail(&format!(
                "error: unrecognized format: {other}. Valid values are: (plaintext, plaintext-openapiv2)"
            ))
        }
    }
    let arg = &positional[0];
    let parts: Vec<&str> = arg.split('.').collect();
    let api_version = m.get_one::<String>("api-version").cloned();
    // Without --api-version, the longest prefix naming a resource wins
    // (`deployments.apps.spec`); with it, the first segment is the resource.
    let mut found: Option<(Kind, usize)> = None;
    let tries = if api_version.is_some() { 1 } else { parts.len() };
    for i in (1..=tries).rev() {
        if let Some(k) = discovery::resolve(&parts[..i].join(".")) {
            found = Some((k, i));
            break;
        }
    }
    let Some((kind, used)) = found else {
        return ctx.out.fail(&format!("error: the server doesn't have a resource type \"{}\"", parts[0]));
    };
    let path: Vec<String> = parts[used..].iter().map(|s| s.to_string()).collect();
    let (mut group, mut version) = (kind.group().to_string(), kind.version().to_string());
    if let Some(av) = &api_version {
        let (g, v) = match av.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), av.clone()),
        };
        group = g;
        version = v;
    }
    let gvr = format!("{group}/{version}, Resource={}", kind.plural());
    if !served_group_version(&group, &version) {
        return ctx.out.fail(&format!("error: couldn't find resource for \"{gvr}\""));
    }
    let doc = document();
    let key = format!("{group}/{version}/{}", kind.name());
    let Some(schema) = doc.kinds.get(&key).and_then(|n| doc.def(n)) else {
        return ctx.out.fail(&format!("error: GVR ({gvr}) not found in OpenAPI schema"));
    };
    let mut out = String::new();
    if !group.is_empty() {
        out.push_str(&format!("GROUP:      {group}\n"));
    }
    out.push_str(&format!("KIND:       {}\nVERSION:    {version}\n\n", kind.name()));
    ctx.out.out(&out);
    match doc.output(schema, &path, m.get_flag("recursive"), 0) {
        Some(body) => {
            ctx.out.out(&body);
            ctx.out.out("\n");
        }
        None => {
            let last = path.last().cloned().unwrap_or_default();
            ctx.out.fail(&format!("error: field \"{last}\" does not exist"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_like_go_wordwrap() {
        assert_eq!(wrap(10, "aaa bbb ccc ddd"), "aaa bbb\nccc ddd");
        // A word longer than the limit stays whole on its own line.
        assert_eq!(wrap(10, "see: https://example.com/very/long"), "see:\nhttps://example.com/very/long");
        // Line breaks are removed first; double spaces are kept.
        assert_eq!(wrap(76, "a.\nb.  c"), "a.b.  c");
        assert_eq!(indent_text(4, "a\nb"), "    a\n    b");
    }

    #[test]
    fn schema_covers_every_kind() {
        let doc = document();
        for k in Kind::ALL {
            let key = format!("{}/{}/{}", k.group(), k.version(), k.name());
            let name = doc.kinds.get(&key).unwrap_or_else(|| panic!("no schema for {key}"));
            assert!(doc.def(name).and_then(|d| d.p.as_ref()).is_some(), "{key} has no fields");
        }
    }

    #[test]
    fn types_and_required() {
        let doc = document();
        let spec = doc.def("io.k8s.api.core.v1.PodSpec").unwrap();
        let p = spec.p.as_ref().unwrap();
        assert_eq!(doc.type_guess(&p["containers"]), "[]Container");
        assert_eq!(doc.type_guess(&p["nodeSelector"]), "map[string]string");
        assert_eq!(doc.type_guess(&p["affinity"]), "Affinity");
        assert_eq!(doc.type_guess(&p["activeDeadlineSeconds"]), "integer");
        assert!(spec.r.contains(&"containers".to_string()));
        let res = doc.def("io.k8s.api.core.v1.ResourceRequirements").unwrap().p.as_ref().unwrap();
        assert_eq!(doc.type_guess(&res["limits"]), "map[string]Quantity");
        let port = doc.def("io.k8s.api.core.v1.ServicePort").unwrap().p.as_ref().unwrap();
        assert_eq!(doc.type_guess(&port["targetPort"]), "IntOrString");
        let meta = doc.def("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta").unwrap().p.as_ref().unwrap();
        assert_eq!(doc.type_guess(&meta["creationTimestamp"]), "string");
    }
}
