#!/usr/bin/env python3
"""Generates assets/explain-schema.json, the field documentation `kubectl explain` prints.

Source: the k8s-openapi 0.24 crate's v1_32 sources (the crate kubedojo already depends on,
so it is in the local cargo registry after any build). Each type's `schemars::JsonSchema`
impl carries the OpenAPI definition name, the descriptions, types, formats, `required`
lists and references to other definitions; this script reads those impls and keeps the
definitions reachable from the kinds kubedojo serves (the `kinds!` list of
src/sim/object.rs).

Re-run after changing the served kinds or the k8s-openapi version:

    python3 tools/gen_explain_schema.py            # finds the crate under ~/.cargo/registry
    python3 tools/gen_explain_schema.py PATH/TO/k8s-openapi-0.24.x

Output format (compact JSON):
    {"kinds": {"<group>/<version>/<Kind>": "<definition name>"},
     "defs": {"<definition name>": {"d": description, "t": type, "r": [required],
                                    "p": {"<field>": schema}}}}
    schema = {"d": description, "t": type, "ref": definition, "i": items schema,
              "ap": additionalProperties schema}   (keys omitted when empty)

Known differences from a live v1.32 API server's OpenAPI v3 document: k8s-openapi drops
the `enum` lists (and their "Possible enum values" description paragraphs), so explain
shows no ENUM lines.
"""

import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "assets", "explain-schema.json")

# The module aliases of src/sim/object.rs's `use k8s_openapi::api::{...}`.
ALIASES = {
    "apps": "api/apps/v1",
    "autoscaling": "api/autoscaling/v2",
    "batch": "api/batch/v1",
    "coordination": "api/coordination/v1",
    "core": "api/core/v1",
    "discovery": "api/discovery/v1",
    "networking": "api/networking/v1",
    "policy": "api/policy/v1",
    "rbac": "api/rbac/v1",
    "scheduling": "api/scheduling/v1",
    "storage": "api/storage/v1",
}


def crate_dir():
    if len(sys.argv) > 1:
        return sys.argv[1]
    found = sorted(glob.glob(os.path.expanduser("~/.cargo/registry/src/*/k8s-openapi-0.24.*")))
    if not found:
        sys.exit("k8s-openapi 0.24 not found in ~/.cargo/registry/src: run `cargo build` first")
    return found[-1]


def rust_string(text, i):
    """Decodes the Rust string literal starting at text[i] == '"'; returns (value, end)."""
    assert text[i] == '"'
    i += 1
    out = []
    while True:
        c = text[i]
        if c == '"':
            return "".join(out), i + 1
        if c == "\\":
            n = text[i + 1]
            if n == "n":
                out.append("\n")
            elif n == "t":
                out.append("\t")
            elif n == "r":
                out.append("\r")
            elif n == "0":
                out.append("\0")
            elif n == "u":
                j = text.index("}", i)
                out.append(chr(int(text[i + 3 : j], 16)))
                i = j + 1
                continue
            elif n == "\n":
                # Line continuation: skip the newline and leading whitespace.
                i += 2
                while text[i] in " \t\n":
                    i += 1
                continue
            else:
                out.append(n)
            i += 2
            continue
        out.append(c)
        i += 1


def balanced(text, i, open_c="(", close_c=")"):
    """The index just past the bracket matching text[i] (skipping string literals)."""
    depth = 0
    while i < len(text):
        c = text[i]
        if c == '"':
            _, i = rust_string(text, i)
            continue
        if c == open_c:
            depth += 1
        elif c == close_c:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced")


def rust_path_to_file(path, crate_src):
    """`crate::api::core::v1::PodSpec` → (module dir, type name)."""
    parts = path.split("::")
    assert parts[0] == "crate"
    return os.path.join(crate_src, *parts[1:-1]), parts[-1]


class Reader:
    def __init__(self, crate_src):
        self.src = crate_src
        self.names = {}  # rust path -> definition name
        self.defs = {}  # definition name -> parsed definition
        self.by_path = {}  # rust path -> (file, text offset of impl)

    def definition_name(self, rust_path):
        if rust_path in self.names:
            return self.names[rust_path]
        d, ty = rust_path_to_file(rust_path, self.src)
        for f in sorted(glob.glob(os.path.join(d, "*.rs"))):
            text = open(f, encoding="utf-8").read()
            m = re.search(r"impl crate::schemars::JsonSchema for " + re.escape(ty) + r" \{", text)
            if not m:
                continue
            n = re.search(r'"([^"]+)"\.to_owned\(\)', text[m.end():])
            self.names[rust_path] = n.group(1)
            self.by_path[rust_path] = (text, m.end())
            return n.group(1)
        raise KeyError(rust_path)

    def schema_expr(self, expr):
        """Parses one schemars schema expression into the compact form."""
        s = {}
        ref = re.match(r"\s*(?:\{\s*let mut schema_obj = )?__gen\.subschema_for::<([\w:]+)>\(\)", expr)
        if ref:
            s["ref"] = self.require(ref.group(1))
        # The schema's own fields come before its array/object validation.
        cut = len(expr)
        for key in ("array: Some(", "object: Some("):
            k = expr.find(key)
            if k >= 0:
                cut = min(cut, k)
        own = expr[:cut] if not ref else expr
        dm = re.search(r"description: Some\(", own)
        if dm:
            s["d"], _ = rust_string(own, dm.end())
        if not ref:
            tm = re.search(r"InstanceType::(\w+)", own)
            if tm:
                s["t"] = tm.group(1).lower()
            items = expr.find("items: Some(crate::schemars::schema::SingleOrVec::Single(Box::new(", cut)
            if items >= 0:
                start = items + len("items: Some(crate::schemars::schema::SingleOrVec::Single(Box::new")
                end = balanced(expr, start)
                s["i"] = self.schema_expr(expr[start + 1 : end - 1])
            ap = expr.find("additional_properties: Some(Box::new(", cut)
            if ap >= 0:
                start = ap + len("additional_properties: Some(Box::new")
                end = balanced(expr, start)
                s["ap"] = self.schema_expr(expr[start + 1 : end - 1])
        return s

    def require(self, rust_path):
        name = self.definition_name(rust_path)
        if name not in self.defs:
            self.defs[name] = None  # placeholder against cycles
            self.defs[name] = self.parse_def(rust_path)
        return name

    def parse_def(self, rust_path):
        text, start = self.by_path[rust_path]
        body_start = text.index("fn json_schema", start)
        body_start = text.index("{", body_start)
        body = text[body_start : balanced(text, body_start, "{", "}")]
        d = {}
        props_at = body.find("properties: [")
        head = body if props_at < 0 else body[:props_at]
        dm = re.search(r"description: Some\(", head)
        if dm:
            d["d"], _ = rust_string(head, dm.end())
        tm = re.search(r"InstanceType::(\w+)", head)
        if tm:
            d["t"] = tm.group(1).lower()
        if props_at >= 0:
            i = props_at + len("properties: ")
            end = balanced(body, i, "[", "]")
            inner = body[i + 1 : end - 1]
            props = {}
            j = 0
            while True:
                j = inner.find("(", j)
                if j < 0:
                    break
                e = balanced(inner, j)
                tup = inner[j + 1 : e - 1]
                nm = re.match(r'\s*"', tup)
                name, k = rust_string(tup, nm.end() - 1)
                k = tup.index(",", k)
                props[name] = self.schema_expr(tup[k + 1 :].strip().rstrip(","))
                j = e
            d["p"] = props
            req = re.search(r"required: \[", body[end:])
            if req:
                ri = end + req.end() - 1
                re_end = balanced(body, ri, "[", "]")
                d["r"] = re.findall(r'"([^"]+)"\.to_owned\(\)', body[ri:re_end])
        return d


def main():
    crate = crate_dir()
    src = os.path.join(crate, "src", "v1_32")
    reader = Reader(src)
    obj = open(os.path.join(ROOT, "src", "sim", "object.rs"), encoding="utf-8").read()
    block = obj[obj.index("kinds! {") :]
    block = block[: block.index("\n}\n")]
    kinds = {}
    for alias, ty in re.findall(r"\w+ => (\w+)::(\w+),", block):
        rust_path = "crate::" + ALIASES[alias].replace("/", "::") + "::" + ty
        name = reader.require(rust_path)
        text, _ = reader.by_path[rust_path]
        group = re.search(r'const GROUP: &\'static str = "([^"]*)"', text).group(1)
        version = re.search(r'const VERSION: &\'static str = "([^"]*)"', text).group(1)
        kind = re.search(r'const KIND: &\'static str = "([^"]*)"', text).group(1)
        kinds[f"{group}/{version}/{kind}"] = name
    # k8s-openapi makes `metadata` of every resource a required (non-Option) field; the API
    # server's schemas require it only where the Go field has no `omitempty` (core/v1 Event).
    for name in kinds.values():
        d = reader.defs[name]
        if name == "io.k8s.api.core.v1.Event":
            continue
        if "metadata" in d.get("r", []):
            d["r"] = [r for r in d["r"] if r != "metadata"]
            if not d["r"]:
                del d["r"]
    # A v1.32 API server publishes these without a single type (`oneOf` string/number or
    # int/string), so explain names them instead of printing `<string>`.
    for special in ("io.k8s.apimachinery.pkg.api.resource.Quantity", "io.k8s.apimachinery.pkg.util.intstr.IntOrString"):
        if special in reader.defs:
            reader.defs[special].pop("t", None)
    out = {"kinds": dict(sorted(kinds.items())), "defs": dict(sorted(reader.defs.items()))}
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
        f.write("\n")
    print(f"wrote {OUT}: {len(kinds)} kinds, {len(reader.defs)} definitions, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
