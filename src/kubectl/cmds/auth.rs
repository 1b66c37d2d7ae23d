//! `kubectl auth can-i` and `kubectl auth whoami`, and the one place where kubectl's
//! requests meet the API server's authorizer: [`authorize`], which every command calls with
//! the verb and resource of the request it is about to make. Requests run as the kubeconfig
//! user, or as the identity given with the global `--as` / `--as-group` flags (impersonation,
//! itself authorized: the real user needs the `impersonate` verb).

use clap::{Arg, ArgAction};
use k8s_openapi::api::rbac::v1::PolicyRule;
use serde_json::json;

use super::{command, flag, parse};
use crate::kubectl::print::{self, Format};
use crate::kubectl::table_printer::TabWriter;
use crate::kubectl::Ctx;
use crate::sim::api::discovery;
use crate::sim::api::rbac::{self, service_account_of, Attributes, Decision, UserInfo, AUTHENTICATED};
use crate::sim::Kind;

/// The identity of a kubeconfig user. Every user of kubedojo's kubeconfig holds a client
/// certificate like kubeadm's admin.conf: CN is the user, O is `kubeadm:cluster-admins`
/// (kubeadm ≥ 1.29 no longer puts admin.conf in `system:masters`).
pub(crate) fn kubeconfig_user(name: &str) -> UserInfo {
    UserInfo { name: name.to_string(), groups: vec!["kubeadm:cluster-admins".into(), AUTHENTICATED.into()] }
}

/// `--as` / `--as-group` from a kubectl command line (before any `--`); Err is kubectl's
/// message for groups without a user.
pub(crate) fn impersonation(args: &[String], kube_user: &str) -> Result<Option<(String, Vec<String>)>, String> {
    let mut user: Option<String> = None;
    let mut groups: Vec<String> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            break;
        }
        let mut take = |flag: &str| -> Option<String> {
            if let Some(v) = a.strip_prefix(&format!("{flag}=")) {
                return Some(v.to_string());
            }
            if a == flag {
                i += 1;
                return args.get(i).cloned();
            }
            None
        };
        if let Some(v) = take("--as") {
            user = Some(v);
        } else if let Some(v) = take("--as-group") {
            groups.push(v);
        }
        i += 1;
    }
    match user.filter(|u| !u.is_empty()) {
        Some(u) => Ok(Some((u, groups))),
        None if !groups.is_empty() => {
            Err(format!("Error: requesting uid, groups or user-extra for {kube_user} without impersonating a user"))
        }
        None => Ok(None),
    }
}

/// Who the requests of this command run as.
pub(crate) fn current_user(ctx: &Ctx) -> UserInfo {
    match &ctx.impersonate {
        Some((name, groups)) => UserInfo::impersonated(name, groups),
        None => kubeconfig_user(&ctx.client.user),
    }
}

/// Authorizes one request of the command being run; Err is what kubectl prints
/// (`Error from server (Forbidden): ...`). Impersonation is checked first, as the API
/// server's impersonation filter runs before the authorizer.
pub(crate) fn authorize(ctx: &Ctx, a: &Attributes) -> Result<(), String> {
    authorize_api(ctx, a).map_err(|e| e.kubectl_text())
}

/// [`authorize`] with the server's error, for callers that add their own context
/// (`error when creating "pod.yaml": ...`).
pub(crate) fn authorize_api(ctx: &Ctx, a: &Attributes) -> Result<(), crate::sim::api::errors::ApiError> {
    if let Some((name, groups)) = &ctx.impersonate {
        let real = kubeconfig_user(&ctx.client.user);
        let mut checks = Vec::new();
        match service_account_of(name) {
            Some((ns, sa)) => checks.push(Attributes {
                verb: "impersonate".into(),
                resource: "serviceaccounts".into(),
                namespace: ns.into(),
                name: sa.into(),
                ..Default::default()
            }),
            None => checks.push(Attributes {
                verb: "impersonate".into(),
                resource: "users".into(),
                name: name.clone(),
                ..Default::default()
            }),
        }
        for g in groups {
            checks.push(Attributes {
                verb: "impersonate".into(),
                resource: "groups".into(),
                name: g.clone(),
                ..Default::default()
            });
        }
        for c in checks {
            if let Decision::Deny(reason) = ctx.world.authorize(&real, &c) {
                return Err(rbac::forbidden(&real, &c, &reason));
            }
        }
    }
    let user = current_user(ctx);
    match ctx.world.authorize(&user, a) {
        Decision::Allow => Ok(()),
        Decision::Deny(reason) => Err(rbac::forbidden(&user, a, &reason)),
    }
}

/// [`authorize`] for a request on a kind: `verb` on `kind` named `name` ("" for list and
/// create) in `namespace` (ignored for cluster-scoped kinds).
pub(crate) fn authorize_kind(ctx: &Ctx, verb: &str, kind: Kind, namespace: &str, name: &str) -> Result<(), String> {
    authorize(ctx, &Attributes::for_kind(verb, kind, namespace, name))
}

/// The resource builder's read before a command acts: `get` of a named object, or `list`
/// of a kind (`namespace` empty: across namespaces).
pub(crate) fn authorize_read(ctx: &Ctx, kind: Kind, namespace: &str, name: Option<&str>) -> Result<(), String> {
    match name {
        Some(n) => authorize_kind(ctx, "get", kind, namespace, n),
        None => authorize_kind(ctx, "list", kind, namespace, ""),
    }
}

/// [`authorize`] for a write on one object, optionally of a subresource (`scale`, `eviction`).
pub(crate) fn authorize_write(
    ctx: &Ctx,
    verb: &str,
    kind: Kind,
    namespace: &str,
    name: &str,
    subresource: &str,
) -> Result<(), String> {
    let mut a = Attributes::for_kind(verb, kind, namespace, name);
    if !subresource.is_empty() {
        a = a.with_subresource(subresource);
    }
    authorize(ctx, &a)
}

pub fn run(ctx: &mut Ctx, args: &[String]) {
    match args.first().map(String::as_str) {
        Some("can-i") => can_i(ctx, &args[1..]),
        Some("whoami") => whoami(ctx, &args[1..]),
        Some("reconcile") => ctx.out.fail("error: kubedojo does not simulate \"kubectl auth reconcile\" yet"),
        Some(other) if !other.starts_with('-') => ctx.out.fail(&format!(
            "error: unknown command \"{other}\" for \"kubectl auth\"\nRun 'kubectl auth --help' for usage."
        )),
        _ => ctx.out.out(AUTH_USAGE),
    }
}

const AUTH_USAGE: &str = "Inspect authorization.

Available Commands:
  can-i         Check whether an action is allowed
  reconcile     Reconciles rules for RBAC role, role binding, cluster role, and cluster role binding objects
  whoami        Experimental: Check self subject attributes

Usage:
  kubectl auth [flags] [options]
";

/// Resources the API server serves that kubedojo stores no objects of (reviews, requests,
/// subresource-only APIs), so that can-i resolves them as discovery would:
/// (plural, group, namespaced).
const EXTRA_RESOURCES: &[(&str, &str, bool)] = &[
    ("bindings", "", true),
    ("componentstatuses", "", false),
    ("podtemplates", "", true),
    ("replicationcontrollers", "", true),
    ("tokenreviews", "authentication.k8s.io", false),
    ("selfsubjectreviews", "authentication.k8s.io", false),
    ("localsubjectaccessreviews", "authorization.k8s.io", true),
    ("selfsubjectaccessreviews", "authorization.k8s.io", false),
    ("selfsubjectrulesreviews", "authorization.k8s.io", false),
    ("subjectaccessreviews", "authorization.k8s.io", false),
    ("certificatesigningrequests", "certificates.k8s.io", false),
    ("customresourcedefinitions", "apiextensions.k8s.io", false),
    ("runtimeclasses", "node.k8s.io", false),
    ("csidrivers", "storage.k8s.io", false),
    ("csinodes", "storage.k8s.io", false),
    ("volumeattachments", "storage.k8s.io", false),
    // metrics-server's aggregated API (`pods` and `nodes` alone name the core resources).
    ("nodes", "metrics.k8s.io", false),
    ("pods", "metrics.k8s.io", true),
];

/// `resourceVerbs` of can-i: verbs it knows (others get a warning, not an error).
const RESOURCE_VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "use",
    "bind",
    "impersonate",
    "*",
    "approve",
    "sign",
    "escalate",
    "attest",
];
const NON_RESOURCE_VERBS: &[&str] = &["get", "put", "post", "head", "options", "delete", "patch", "*"];

fn can_i(ctx: &mut Ctx, args: &[String]) {
    let cmd = command("auth can-i")
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(Arg::new("all-namespaces").short('A').long("all-namespaces").action(ArgAction::SetTrue))
        .arg(Arg::new("quiet").short('q').long("quiet").action(ArgAction::SetTrue))
        .arg(Arg::new("subresource").long("subresource").num_args(1))
        .arg(flag("list"))
        .arg(flag("no-headers"));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    let all_ns = m.get_flag("all-namespaces");
    let quiet = m.get_flag("quiet");
    let sub = m.get_one::<String>("subresource").cloned().unwrap_or_default();
    let ns = if all_ns { String::new() } else { super::namespace(ctx, &m) };
    if m.get_flag("list") {
        if !positional.is_empty() {
            return ctx.out.fail("error: list option must be specified with no arguments");
        }
        if quiet || all_ns || !sub.is_empty() {
            return ctx.out.fail(
                "error: list option can't be specified with neither quiet, all-namespaces nor subresource options",
            );
        }
        return list_access(ctx, &ns, m.get_flag("no-headers"));
    }
    if positional.len() != 2 {
        return ctx.out.fail("error: you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples.");
    }
    let verb = positional[0].clone();
    let mut a =
        Attributes { verb: verb.clone(), namespace: ns.clone(), subresource: sub.clone(), ..Default::default() };
    let mut warnings = String::new();
    let mut kind: Option<Kind> = None;
    let mut extra_scope: Option<(&str, &str, bool)> = None;
    if positional[1].starts_with('/') {
        a.path = Some(positional[1].clone());
    } else {
        let (res, name) = match positional[1].split_once('/') {
            Some((r, n)) => (r.to_string(), n.to_string()),
            None => (positional[1].clone(), String::new()),
        };
        a.name = name;
        if res == "*" {
            a.resource = "*".into();
        } else {
            let lower = res.to_ascii_lowercase();
            let extra = EXTRA_RESOURCES.iter().find(|(r, g, _)| lower == *r || lower == format!("{r}.{g}"));
            match discovery::resolve(&lower) {
                Some(k) => {
                    a.resource = k.plural().into();
                    a.api_group = k.group().into();
                    kind = Some(k);
                }
                None if extra.is_some() => {
                    let (r, g, namespaced) = extra.copied().unwrap_or_default();
                    a.resource = r.into();
                    a.api_group = g.into();
                    extra_scope = Some((r, g, namespaced));
                }
                None => {
                    let (r, g) = lower.split_once('.').unwrap_or((lower.as_str(), ""));
                    if lower != "users" && lower != "groups" {
                        if g.is_empty() {
                            warnings.push_str(&format!("Warning: the server doesn't have a resource type '{r}'\n"));
                        } else {
                            warnings.push_str(&format!(
                                "Warning: the server doesn't have a resource type '{r}' in group '{g}'\n"
                            ));
                        }
                    }
                    // kubectl sends the argument as it was typed.
                    a.resource = res.clone();
                }
            }
        }
    }
    if a.path.is_some() {
        if !sub.is_empty() {
            return ctx.out.fail("error: --subresource can not be used with NonResourceURL");
        }
        if !NON_RESOURCE_VERBS.contains(&verb.as_str()) {
            warnings.push_str(&format!("Warning: verb '{verb}' is not a known verb\n"));
        }
    } else if !a.resource.is_empty() && !all_ns {
        let scope = kind.map(|k| (k.plural(), k.group(), k.namespaced())).or(extra_scope);
        if let Some((plural, group, false)) = scope {
            if group.is_empty() {
                warnings.push_str(&format!("Warning: resource '{plural}' is not namespace scoped\n"));
            } else {
                warnings
                    .push_str(&format!("Warning: resource '{plural}' is not namespace scoped in group '{group}'\n"));
            }
        }
        if !RESOURCE_VERBS.contains(&verb.as_str()) {
            warnings.push_str(&format!("Warning: verb '{verb}' is not a known verb\n"));
        }
    }
    if m.get_flag("no-headers") {
        ctx.out.err(&warnings);
        return ctx.out.fail("error: --no-headers cannot be set without --list specified");
    }
    ctx.out.err(&warnings);
    // The SelfSubjectAccessReview is itself a request (system:basic-user allows it).
    let review = Attributes {
        verb: "create".into(),
        api_group: "authorization.k8s.io".into(),
        resource: "selfsubjectaccessreviews".into(),
        ..Default::default()
    };
    if let Err(e) = authorize(ctx, &review) {
        return ctx.out.fail(&e);
    }
    let user = current_user(ctx);
    let decision = ctx.world.authorize(&user, &a);
    let text = match &decision {
        Decision::Allow => "yes\n".to_string(),
        Decision::Deny(reason) if reason.is_empty() => "no\n".to_string(),
        Decision::Deny(reason) => format!("no - {reason}\n"),
    };
    if !quiet {
        ctx.out.out(&text);
    }
    if !decision.allowed() {
        ctx.out.code = 1;
    }
}

/// `kubectl auth can-i --list`: the rules of a SelfSubjectRulesReview, broken down to one
/// verb per rule, simple rules compacted, sorted by the rule's Go `String()`.
fn list_access(ctx: &mut Ctx, ns: &str, no_headers: bool) {
    let review = Attributes {
        verb: "create".into(),
        api_group: "authorization.k8s.io".into(),
        resource: "selfsubjectrulesreviews".into(),
        ..Default::default()
    };
    if let Err(e) = authorize(ctx, &review) {
        return ctx.out.fail(&e);
    }
    let user = current_user(ctx);
    let (rules, errors) = ctx.world.rules_review(&user, ns);
    if !errors.is_empty() {
        let agg = crate::sim::api::errors::aggregate(errors);
        ctx.out.err(&format!("Warning: the list may be incomplete: {agg}"));
    }
    let mut broken: Vec<PolicyRule> = Vec::new();
    for r in &rules {
        broken.extend(breakdown(r));
    }
    let mut rows = compact(broken);
    rows.sort_by_key(rule_string);
    let mut tw = TabWriter::kubectl();
    if !no_headers {
        tw.write("Resources\tNon-Resource URLs\tResource Names\tVerbs\n");
    }
    for r in &rows {
        tw.write(&format!(
            "{}\t{}\t{}\t{}\n",
            combine_resource_group(
                r.resources.as_deref().unwrap_or_default(),
                r.api_groups.as_deref().unwrap_or_default()
            ),
            go_list(r.non_resource_urls.as_deref().unwrap_or_default()),
            go_list(r.resource_names.as_deref().unwrap_or_default()),
            go_list(&r.verbs),
        ));
    }
    ctx.out.out(&tw.flush());
}

/// Go's `%v` of a `[]string`.
fn go_list(v: &[String]) -> String {
    format!("[{}]", v.join(" "))
}

/// The generated `PolicyRule.String()`, which is what kubectl sorts the rows by.
fn rule_string(r: &PolicyRule) -> String {
    format!(
        "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
        go_list(&r.verbs),
        go_list(r.api_groups.as_deref().unwrap_or_default()),
        go_list(r.resources.as_deref().unwrap_or_default()),
        go_list(r.resource_names.as_deref().unwrap_or_default()),
        go_list(r.non_resource_urls.as_deref().unwrap_or_default()),
    )
}

/// `rbacutil.BreakdownRule`: one rule per group × resource × verb (× name), and per
/// non-resource URL × verb.
fn breakdown(r: &PolicyRule) -> Vec<PolicyRule> {
    let one = |s: &String| Some(vec![s.clone()]);
    let mut out = Vec::new();
    for g in r.api_groups.iter().flatten() {
        for res in r.resources.iter().flatten() {
            for v in &r.verbs {
                let names = r.resource_names.as_deref().unwrap_or_default();
                if names.is_empty() {
                    out.push(PolicyRule {
                        api_groups: one(g),
                        resources: one(res),
                        verbs: vec![v.clone()],
                        ..Default::default()
                    });
                } else {
                    for n in names {
                        out.push(PolicyRule {
                            api_groups: one(g),
                            resources: one(res),
                            resource_names: one(n),
                            verbs: vec![v.clone()],
                            ..Default::default()
                        });
                    }
                }
            }
        }
    }
    for u in r.non_resource_urls.iter().flatten() {
        for v in &r.verbs {
            out.push(PolicyRule { non_resource_urls: one(u), verbs: vec![v.clone()], ..Default::default() });
        }
    }
    out
}

/// `rbacutil.CompactRules`: rules on one group/resource/name pool their verbs.
fn compact(rules: Vec<PolicyRule>) -> Vec<PolicyRule> {
    let mut out: Vec<PolicyRule> = Vec::new();
    let mut simple: Vec<PolicyRule> = Vec::new();
    for r in rules {
        let is_simple = r.api_groups.as_ref().is_some_and(|g| g.len() == 1)
            && r.resources.as_ref().is_some_and(|g| g.len() == 1)
            && r.resource_names.as_ref().is_none_or(|n| n.len() <= 1)
            && r.non_resource_urls.as_ref().is_none_or(|n| n.is_empty());
        if !is_simple {
            out.push(r);
            continue;
        }
        match simple.iter_mut().find(|s| {
            s.api_groups == r.api_groups
                && s.resources == r.resources
                && s.resource_names.clone().unwrap_or_default() == r.resource_names.clone().unwrap_or_default()
        }) {
            Some(s) => {
                for v in r.verbs {
                    if !s.verbs.contains(&v) {
                        s.verbs.push(v);
                    }
                }
            }
            None => simple.push(r),
        }
    }
    out.extend(simple);
    out
}

/// `describe.CombineResourceGroup`: `deployments.apps`, `pods/log`, `*.*`.
fn combine_resource_group(resources: &[String], groups: &[String]) -> String {
    let Some(first) = resources.first() else { return String::new() };
    let (base, sub) = match first.split_once('/') {
        Some((b, s)) => (b, Some(s)),
        None => (first.as_str(), None),
    };
    let mut s = base.to_string();
    if let Some(g) = groups.first().filter(|g| !g.is_empty()) {
        s = format!("{s}.{g}");
    }
    if let Some(sub) = sub {
        s = format!("{s}/{sub}");
    }
    s
}

fn whoami(ctx: &mut Ctx, args: &[String]) {
    let cmd = super::output_args(command("auth whoami")).arg(Arg::new("args").num_args(0..).action(ArgAction::Append));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let format = match Format::from_flags(ctx, &m) {
        Ok(f) => f,
        Err(e) => return ctx.out.fail(&e),
    };
    let review = Attributes {
        verb: "create".into(),
        api_group: "authentication.k8s.io".into(),
        resource: "selfsubjectreviews".into(),
        ..Default::default()
    };
    if authorize(ctx, &review).is_err() {
        return ctx.out.fail(
            "error: the selfsubjectreviews API is not enabled in the cluster or you do not have permission to call it",
        );
    }
    let user = current_user(ctx);
    match format {
        Format::Table | Format::Wide => {
            let mut tw = TabWriter::kubectl();
            tw.write("ATTRIBUTE\tVALUE\n");
            tw.write(&format!("Username\t{}\n", user.name));
            if !user.groups.is_empty() {
                tw.write(&format!("Groups\t{}\n", go_list(&user.groups)));
            }
            ctx.out.out(&tw.flush());
        }
        Format::Json => {
            // A typed object: Go marshals its fields in struct order, not sorted.
            let groups: Vec<String> = user.groups.iter().map(|g| format!("                \"{g}\"")).collect();
            ctx.out.out(&format!(
                "{{\n    \"kind\": \"SelfSubjectReview\",\n    \"apiVersion\": \"authentication.k8s.io/v1\",\n    \"metadata\": {{\n        \"creationTimestamp\": null\n    }},\n    \"status\": {{\n        \"userInfo\": {{\n            \"username\": {},\n            \"groups\": [\n{}\n            ]\n        }}\n    }}\n}}\n",
                serde_json::Value::String(user.name.clone()),
                groups.join(",\n")
            ));
        }
        _ => {
            let doc = json!({
                "apiVersion": "authentication.k8s.io/v1",
                "kind": "SelfSubjectReview",
                "metadata": {"creationTimestamp": null},
                "status": {"userInfo": {"username": user.name, "groups": user.groups}},
            });
            print::print_value(ctx, &format, &doc);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn impersonation_flags() {
        assert_eq!(impersonation(&s(&["get", "pods", "--as", "jane"]), "admin"), Ok(Some(("jane".into(), vec![]))));
        assert_eq!(
            impersonation(&s(&["get", "--as=jane", "--as-group=a", "--as-group", "b"]), "admin"),
            Ok(Some(("jane".into(), s(&["a", "b"]))))
        );
        assert_eq!(impersonation(&s(&["exec", "p", "--", "x", "--as", "jane"]), "admin"), Ok(None));
        assert!(impersonation(&s(&["get", "--as-group=a"]), "kubernetes-admin")
            .unwrap_err()
            .ends_with("for kubernetes-admin without impersonating a user"));
    }

    #[test]
    fn rule_rows_like_kubectl() {
        assert_eq!(combine_resource_group(&s(&["pods/log"]), &s(&[""])), "pods/log");
        assert_eq!(combine_resource_group(&s(&["deployments/scale"]), &s(&["apps"])), "deployments.apps/scale");
        assert_eq!(combine_resource_group(&s(&["*"]), &s(&["*"])), "*.*");
        let r = rbac::rule(&["", "apps"], &["pods", "deployments"], &["get", "list"]);
        let b = breakdown(&r);
        assert_eq!(b.len(), 8);
        let c = compact(b);
        assert_eq!(c.len(), 4);
        assert!(c.iter().all(|r| r.verbs == s(&["get", "list"])));
        // Sorted by String(): verbs first, so `[*]` before `[create]` before `[get]`.
        let mut rows = [rbac::rule(&["x"], &["a"], &["get"]), rbac::rule(&["x"], &["a"], &["*"])];
        rows.sort_by_key(rule_string);
        assert_eq!(rows[0].verbs, s(&["*"]));
    }
}
