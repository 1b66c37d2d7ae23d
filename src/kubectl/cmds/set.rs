//! `kubectl set image|env|resources`: edit the pod template (or the pod spec of a Pod) of
//! objects, as kubectl v1.32 does — `set image` with `container=image` pairs (`*` for every
//! container), `set env` with `KEY=value`, `KEY-`, `-e`, `--from=configmap/x|secret/x`,
//! `--keys`, `--prefix`, `-c`, `--list`, `set resources` with `--limits`/`--requests`, and
//! `set serviceaccount` (`sa`). Each prints `deployment.apps/web image updated` (`env updated`,
//! `resource requirements updated`, `serviceaccount updated`), or nothing for an object it did
//! not change.

use std::collections::BTreeMap;

use clap::{Arg, ArgAction, ArgMatches};
use k8s_openapi::api::core::v1::{
    ConfigMapKeySelector, Container, EnvVar, EnvVarSource, PodSpec, ResourceRequirements, SecretKeySelector,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::{command, dry_run, dry_run_arg, flag, namespace, opt, parse, DryRun};
use crate::kubectl::Ctx;
use crate::sim::api::selector::Selector;
use crate::sim::api::WriteOptions;
use crate::sim::{quantity, Kind, Object};

const SET_USAGE: &str = "Configure application resources.

 These commands help you make changes to existing application resources.

Available Commands:
  env              Update environment variables on a pod template
  image            Update the image of a pod template
  resources        Update resource requests/limits on objects with pod templates
  selector         Set the selector on a resource
  serviceaccount   Update the service account of a resource
  subject          Update the user, group, or service account in a role binding or cluster role binding

Usage:
  kubectl set SUBCOMMAND [options]

Use \"kubectl set <command> --help\" for more information about a given command.
Use \"kubectl options\" for a list of global command-line options (applies to all commands).
";

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let Some(sub) = args.first() else {
        ctx.out.out(SET_USAGE);
        return;
    };
    let rest = &args[1..];
    match sub.as_str() {
        "image" => image(ctx, rest),
        "env" => env(ctx, rest),
        "resources" => resources(ctx, rest),
        "serviceaccount" | "sa" => serviceaccount(ctx, rest),
        "selector" | "subject" => ctx.out.fail(&format!("error: kubedojo does not simulate \"kubectl set {sub}\" yet")),
        "-h" | "--help" => ctx.out.out(SET_USAGE),
        other => ctx.out.fail(&format!(
            "error: unknown command \"{other}\" for \"kubectl set\"\nSee 'kubectl set -h' for help and examples"
        )),
    }
}

fn common(cmd: clap::Command) -> clap::Command {
    dry_run_arg(cmd)
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(Arg::new("selector").short('l').long("selector").num_args(1))
        .arg(flag("all"))
        .arg(flag("local"))
        .arg(flag("record"))
        .arg(Arg::new("filename").short('f').long("filename").num_args(1).action(ArgAction::Append))
        .arg(Arg::new("recursive").short('R').long("recursive").action(ArgAction::SetTrue))
        .arg(Arg::new("output").short('o').long("output").num_args(1))
}

/// The pod spec inside an object that has one (`UpdatePodSpecForObject`).
fn pod_spec_mut(o: &mut Object) -> Option<&mut PodSpec> {
    match o {
        Object::Pod(p) => std::sync::Arc::make_mut(p).spec.as_mut(),
        Object::Deployment(d) => std::sync::Arc::make_mut(d).spec.as_mut()?.template.spec.as_mut(),
        Object::ReplicaSet(r) => std::sync::Arc::make_mut(r).spec.as_mut()?.template.as_mut()?.spec.as_mut(),
        Object::DaemonSet(d) => d.spec.as_mut()?.template.spec.as_mut(),
        Object::StatefulSet(s) => s.spec.as_mut()?.template.spec.as_mut(),
        Object::Job(j) => j.spec.as_mut()?.template.spec.as_mut(),
        Object::CronJob(c) => c.spec.as_mut()?.job_template.spec.as_mut()?.template.spec.as_mut(),
        _ => None,
    }
}

/// Resolves the resource arguments to objects.
fn resolve(ctx: &mut Ctx, m: &ArgMatches, resources: &[String], verb: &str) -> Option<Vec<Object>> {
    if m.get_many::<String>("filename").is_some() || m.get_flag("local") {
        ctx.out.fail(&format!(
            "error: kubedojo does not simulate \"kubectl set {verb} -f/--local\" yet; name the resource instead"
        ));
        return None;
    }
    if m.get_flag("all") && m.get_one::<String>("selector").is_some() {
        ctx.out.fail("error: cannot set --all and --selector at the same time");
        return None;
    }
    let ns = namespace(ctx, m);
    let targets = match super::get::targets(resources) {
        Ok(t) => t,
        Err(e) => {
            ctx.out.fail(&e);
            return None;
        }
    };
    let selector = match Selector::parse(m.get_one::<String>("selector").map(String::as_str).unwrap_or("")) {
        Ok(s) => s,
        Err(e) => {
            ctx.out.fail(&format!("error: {e}"));
            return None;
        }
    };
    let mut objs = Vec::new();
    for (kind, name) in &targets.items {
        let k_ns = if kind.namespaced() { ns.as_str() } else { "" };
        match name {
            Some(n) => {
                if let Err(e) = super::auth::authorize_read(ctx, *kind, k_ns, Some(n)) {
                    ctx.out.fail(&e);
                    return None;
                }
                match ctx.world.store.get(*kind, k_ns, n) {
                    Some(o) => objs.push(o.clone()),
                    None => {
                        ctx.out.fail(&super::get::not_found(*kind, n));
                        return None;
                    }
                }
            }
            None => {
                if !m.get_flag("all") && selector.is_empty() {
                    ctx.out.fail("error: resource(s) were provided, but no name was specified");
                    return None;
                }
                if let Err(e) = super::auth::authorize_read(ctx, *kind, k_ns, None) {
                    ctx.out.fail(&e);
                    return None;
                }
                for o in ctx.world.store.list(*kind, if kind.namespaced() { Some(k_ns) } else { None }) {
                    if selector.matches(&o.meta().labels.clone().unwrap_or_default()) {
                        objs.push(o.clone());
                    }
                }
            }
        }
    }
    Some(objs)
}

fn suffix(dry: DryRun) -> &'static str {
    match dry {
        DryRun::Client => " (dry run)",
        DryRun::Server => " (server dry run)",
        DryRun::None => "",
    }
}

/// Writes `updated` if it differs from `original` and prints `<kind>/<name> <what>`; Err is
/// the server's message, which kubectl wraps in its own error.
fn save(ctx: &mut Ctx, original: &Object, updated: Object, what: &str, dry: DryRun) -> Result<(), String> {
    if updated == *original {
        return Ok(());
    }
    let label = format!("{}/{}", original.kind().qualified_singular(), original.name());
    if dry != DryRun::Client {
        let patch = crate::sim::api::rbac::Attributes::for_kind(
            "patch",
            original.kind(),
            original.namespace(),
            original.name(),
        );
        super::auth::authorize_api(ctx, &patch).map_err(|e| e.message)?;
        ctx.world.api_update(updated, WriteOptions { dry_run: dry == DryRun::Server }).map_err(|e| e.message)?;
    }
    ctx.out.out(&format!("{label} {what}{}\n", suffix(dry)));
    Ok(())
}

/// `cmdutil.GetResourcesAndPairs`: resources first, then `a=b` pairs.
fn split_pairs(args: &[String], pair_type: &str) -> Result<(Vec<String>, Vec<String>), String> {
    let mut resources = Vec::new();
    let mut pairs = Vec::new();
    let mut first_pair = false;
    for s in args {
        let is_pair = s.contains('=') || s.ends_with('-') && !s.contains('/');
        if is_pair {
            first_pair = true;
            pairs.push(s.clone());
        } else if first_pair {
            return Err(format!("all resources must be specified before {pair_type} changes: {}", args.join(" ")));
        } else {
            resources.push(s.clone());
        }
    }
    Ok((resources, pairs))
}

fn image(ctx: &mut Ctx, args: &[String]) {
    let cmd = common(command("image"));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let dry = match dry_run(&m) {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    let (resources, pairs) = match split_pairs(&positional, "image") {
        Ok(x) => x,
        Err(e) => return ctx.out.fail(&format!("error: {e}")),
    };
    let mut images: BTreeMap<String, String> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for p in &pairs {
        match p.split_once('=') {
            Some((k, v)) if !k.is_empty() && !v.is_empty() => {
                if !images.contains_key(k) {
                    order.push(k.to_string());
                }
                images.insert(k.to_string(), v.to_string());
            }
            _ => return ctx.out.fail(&format!("error: invalid image argument: {p}")),
        }
    }
    if resources.is_empty() {
        return ctx.out.fail("error: one or more resources must be specified as <resource> <name> or <resource>/<name>\nSee 'kubectl set image -h' for help and examples");
    }
    if images.is_empty() {
        return ctx
            .out
            .fail("error: at least one image update is required\nSee 'kubectl set image -h' for help and examples");
    }
    let Some(objs) = resolve(ctx, &m, &resources, "image") else { return };
    let mut errors = Vec::new();
    for o in objs {
        let mut updated = o.clone();
        let Some(spec) = pod_spec_mut(&mut updated) else {
            errors.push(format!(
                "error: {}/{} the object is not a pod or does not have a pod template: {}",
                o.kind().plural(),
                o.name(),
                go_type(o.kind())
            ));
            continue;
        };
        for name in &order {
            let img = &images[name];
            let mut found = false;
            let all = spec.init_containers.iter_mut().flatten().chain(spec.containers.iter_mut());
            for c in all {
                if c.name == *name || name == "*" {
                    c.image = Some(img.clone());
                    found = true;
                }
            }
            if !found {
                errors.push(format!("error: unable to find container named {name:?}"));
            }
        }
        if let Err(e) = save(ctx, &o, updated, "image updated", dry) {
            errors.push(format!("error: failed to patch image update to pod template: {e}"));
        }
    }
    for e in errors {
        ctx.out.fail(&e);
    }
}

/// The Go type kubectl names in "does not have a pod template" errors.
fn go_type(k: Kind) -> String {
    let pkg = match k.group() {
        "" => "v1".to_string(),
        g => format!("{}{}", g.split('.').next().unwrap_or(g), k.version()),
    };
    format!("*{pkg}.{}", k.name())
}

/// `selectContainers`: containers whose name matches the shell-style pattern.
fn select_containers<'a>(containers: &'a mut [Container], pattern: &str) -> Vec<&'a mut Container> {
    containers.iter_mut().filter(|c| glob_match(pattern, &c.name)).collect()
}

fn glob_match(pattern: &str, s: &str) -> bool {
    fn rec(p: &[char], s: &[char]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some('*') => (0..=s.len()).any(|i| rec(&p[1..], &s[i..])),
            Some('?') => !s.is_empty() && rec(&p[1..], &s[1..]),
            Some(c) => s.first() == Some(c) && rec(&p[1..], &s[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = s.chars().collect();
    rec(&p, &s)
}

/// `validation.IsEnvVarName`.
fn env_name_error(name: &str) -> Option<String> {
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        && !name.chars().next().is_some_and(|c| c.is_ascii_digit());
    if valid {
        None
    } else {
        Some("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')".to_string())
    }
}

/// `envutil.ParseEnv`: `KEY=value` to set, `KEY-` to remove.
fn parse_env(specs: &[String]) -> Result<(Vec<EnvVar>, Vec<String>), String> {
    let mut env = Vec::new();
    let mut remove = Vec::new();
    for s in specs {
        if s == "-" {
            return Err("kubedojo does not read environment variables from stdin yet".into());
        } else if let Some((k, v)) = s.split_once('=') {
            if let Some(e) = env_name_error(k) {
                return Err(format!("{k:?} is not a valid key name: {e}"));
            }
            env.push(EnvVar { name: k.to_string(), value: Some(v.to_string()), value_from: None });
        } else if let Some(k) = s.strip_suffix('-') {
            remove.push(k.to_string());
        } else {
            return Err(format!("unknown environment variable: {s}"));
        }
    }
    if remove.iter().any(|r| env.iter().any(|e| e.name == *r)) {
        return Err("can not both modify and remove an environment variable in the same command".into());
    }
    Ok((env, remove))
}

/// `updateEnv`: replaces in place, appends new ones, drops removed ones.
fn update_env(existing: &[EnvVar], env: &[EnvVar], remove: &[String]) -> Vec<EnvVar> {
    let mut out = Vec::new();
    let mut covered: Vec<String> = remove.to_vec();
    for e in existing {
        if covered.contains(&e.name) {
            continue;
        }
        if let Some(newer) = env.iter().find(|n| n.name == e.name) {
            covered.push(e.name.clone());
            out.push(newer.clone());
            continue;
        }
        out.push(e.clone());
    }
    for e in env {
        if covered.contains(&e.name) {
            continue;
        }
        covered.push(e.name.clone());
        out.push(e.clone());
    }
    out
}

/// `envutil.GetEnvVarRefString`.
fn ref_string(from: &EnvVarSource) -> String {
    if let Some(c) = &from.config_map_key_ref {
        return format!("configmap {}, key {}", c.name, c.key);
    }
    if let Some(s) = &from.secret_key_ref {
        return format!("secret {}, key {}", s.name, s.key);
    }
    if let Some(f) = &from.field_ref {
        return format!("field path {}", f.field_path);
    }
    if let Some(r) = &from.resource_field_ref {
        let prefix = r.container_name.as_deref().filter(|c| !c.is_empty()).map(|c| format!("{c}/")).unwrap_or_default();
        return format!("resource field {prefix}{}", r.resource);
    }
    "invalid env var source".into()
}

/// `keyToEnvName`: upper case, anything but [a-zA-Z0-9_] becomes `_`.
fn key_to_env_name(k: &str) -> String {
    k.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect::<String>().to_uppercase()
}

fn env(ctx: &mut Ctx, args: &[String]) {
    let cmd = common(command("env"))
        .arg(Arg::new("containers").short('c').long("containers").num_args(1))
        .arg(opt("from"))
        .arg(opt("prefix"))
        .arg(Arg::new("env").short('e').long("env").num_args(1).action(ArgAction::Append))
        .arg(Arg::new("keys").long("keys").num_args(1).action(ArgAction::Append))
        .arg(flag("list"))
        .arg(flag("resolve"))
        .arg(
            Arg::new("overwrite").long("overwrite").num_args(0..=1).require_equals(true).default_missing_value("true"),
        );
    let Some(m) = parse(ctx, cmd, args) else { return };
    let dry = match dry_run(&m) {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    if m.get_flag("all") && m.get_one::<String>("selector").is_some() {
        return ctx.out.fail("error: cannot set --all and --selector at the same time");
    }
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    // SplitEnvironmentFromResources: resources, then KEY=value / KEY- arguments.
    let mut resources = Vec::new();
    let mut env_args = Vec::new();
    for s in &positional {
        let is_env = s.contains('=') || s.ends_with('-');
        if is_env {
            env_args.push(s.clone());
        } else if !env_args.is_empty() {
            return ctx.out.fail(&format!(
                "error: all resources must be specified before environment changes: {}",
                positional.join(" ")
            ));
        } else {
            resources.push(s.clone());
        }
    }
    if resources.is_empty() {
        return ctx
            .out
            .fail("error: one or more resources must be specified as <resource> <name> or <resource>/<name>");
    }
    let list = m.get_flag("list");
    if list && m.get_one::<String>("output").is_some() {
        return ctx.out.fail("error: --list and --output may not be specified together");
    }
    let keys: Vec<String> = m
        .get_many::<String>("keys")
        .map(|v| v.flat_map(|s| s.split(',').map(str::to_string).collect::<Vec<_>>()).collect())
        .unwrap_or_default();
    let from = m.get_one::<String>("from").cloned();
    if !keys.is_empty() && from.is_none() {
        return ctx.out.fail("error: when specifying --keys, a configmap or secret must be provided with --from");
    }
    let mut specs: Vec<String> = m.get_many::<String>("env").map(|v| v.cloned().collect()).unwrap_or_default();
    specs.extend(env_args.iter().cloned());
    let (mut envs, remove) = match parse_env(&specs) {
        Ok(x) => x,
        Err(e) => return ctx.out.fail(&format!("error: {e}")),
    };
    let ns = namespace(ctx, &m);
    if let Some(from) = &from {
        let targets = match super::get::targets(std::slice::from_ref(from)) {
            Ok(t) => t,
            Err(e) => return ctx.out.fail(&e),
        };
        for (kind, name) in targets.items {
            let Some(name) = name else {
                return ctx.out.fail("error: resource(s) were provided, but no name was specified");
            };
            if let Err(e) = super::auth::authorize_read(ctx, kind, &ns, Some(&name)) {
                return ctx.out.fail(&e);
            }
            let Some(obj) = ctx.world.store.get(kind, &ns, &name).cloned() else {
                return ctx.out.fail(&super::get::not_found(kind, &name));
            };
            let wanted = |k: &String| keys.is_empty() || keys.contains(k);
            match obj {
                Object::Secret(s) => {
                    for k in s.data.unwrap_or_default().keys().filter(|k| wanted(k)) {
                        envs.push(EnvVar {
                            name: key_to_env_name(k),
                            value: None,
                            value_from: Some(EnvVarSource {
                                secret_key_ref: Some(SecretKeySelector {
                                    name: name.clone(),
                                    key: k.clone(),
                                    optional: None,
                                }),
                                ..Default::default()
                            }),
                        });
                    }
                }
                Object::ConfigMap(c) => {
                    for k in c.data.unwrap_or_default().keys().filter(|k| wanted(k)) {
                        envs.push(EnvVar {
                            name: key_to_env_name(k),
                            value: None,
                            value_from: Some(EnvVarSource {
                                config_map_key_ref: Some(ConfigMapKeySelector {
                                    name: name.clone(),
                                    key: k.clone(),
                                    optional: None,
                                }),
                                ..Default::default()
                            }),
                        });
                    }
                }
                _ => return ctx.out.fail("error: unsupported resource specified in --from"),
            }
        }
    }
    if let Some(prefix) = m.get_one::<String>("prefix") {
        for e in envs.iter_mut() {
            e.name = format!("{prefix}{}", e.name);
        }
    }
    let overwrite = m.get_one::<String>("overwrite").is_none_or(|v| v != "false");
    let pattern = m.get_one::<String>("containers").cloned().unwrap_or_else(|| "*".into());
    let Some(objs) = resolve(ctx, &m, &resources, "env") else { return };
    let mut errors = Vec::new();
    for o in objs {
        let mut updated = o.clone();
        let Some(spec) = pod_spec_mut(&mut updated) else {
            errors.push(format!(
                "error: {}/{} the object is not a pod or does not have a pod template: {}",
                o.kind().plural(),
                o.name(),
                go_type(o.kind())
            ));
            continue;
        };
        let containers = select_containers(&mut spec.containers, &pattern);
        if containers.is_empty() {
            ctx.out.err(&format!(
                "warning: {}/{} does not have any containers matching {pattern:?}\n",
                o.kind().name(),
                o.name()
            ));
            continue;
        }
        let mut failed = None;
        for c in containers {
            let existing = c.env.clone().unwrap_or_default();
            if !overwrite {
                if let Some(cur) =
                    envs.iter().find_map(|e| existing.iter().find(|x| x.name == e.name && x.value != e.value))
                {
                    failed = Some(format!(
                        "error: '{}' already has a value ({}), and --overwrite is false",
                        cur.name,
                        cur.value.clone().unwrap_or_default()
                    ));
                    break;
                }
            }
            let new_env = update_env(&existing, &envs, &remove);
            if list {
                ctx.out.out(&format!("# {} {}, container {}\n", o.kind().name(), o.name(), c.name));
                for e in &new_env {
                    match &e.value_from {
                        None => ctx.out.out(&format!("{}={}\n", e.name, e.value.clone().unwrap_or_default())),
                        Some(f) => ctx.out.out(&format!("# {} from {}\n", e.name, ref_string(f))),
                    }
                }
            }
            c.env = if new_env.is_empty() { None } else { Some(new_env) };
        }
        if let Some(e) = failed {
            errors.push(e);
            continue;
        }
        if list {
            continue;
        }
        if envs.is_empty() && env_args.is_empty() && m.get_many::<String>("env").is_none() {
            errors.push("error: at least one environment variable must be provided".into());
            continue;
        }
        if let Err(e) = save(ctx, &o, updated, "env updated", dry) {
            errors.push(format!("error: failed to patch env update to pod template: {e}"));
        }
    }
    for e in errors {
        ctx.out.fail(&e);
    }
}

/// `ParseResourceList`: `cpu=200m,memory=512Mi`.
fn parse_resource_list(s: &str) -> Result<BTreeMap<String, Quantity>, String> {
    let mut out = BTreeMap::new();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        let Some((name, value)) = part.split_once('=') else {
            return Err(format!("invalid argument syntax {part}, expected <resource>=<value>"));
        };
        let milli = quantity::parse_milli(value).map_err(|e| e.to_string())?;
        let format = quantity::parse_format(value).map_err(|e| e.to_string())?;
        out.insert(name.to_string(), Quantity(quantity::format_milli(milli, format)));
    }
    Ok(out)
}

/// `kubectl set serviceaccount TYPE NAME SERVICE_ACCOUNT`: the last argument is the account.
fn serviceaccount(ctx: &mut Ctx, args: &[String]) {
    let cmd = common(command("serviceaccount"));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let dry = match dry_run(&m) {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    let Some((account, resources)) = positional.split_last() else {
        return ctx.out.fail("error: serviceaccount is required");
    };
    if resources.is_empty() {
        return ctx.out.fail("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    let Some(objs) = resolve(ctx, &m, resources, "serviceaccount") else { return };
    let mut errors = Vec::new();
    for o in objs {
        let mut updated = o.clone();
        let Some(spec) = pod_spec_mut(&mut updated) else {
            errors.push(format!(
                "error: {}/{} the object is not a pod or does not have a pod template: {}",
                o.kind().plural(),
                o.name(),
                go_type(o.kind())
            ));
            continue;
        };
        spec.service_account_name = Some(account.clone());
        // The deprecated `serviceAccount` follows `serviceAccountName` (the API server's
        // conversion keeps them equal).
        if spec.service_account.is_some() {
            spec.service_account = Some(account.clone());
        }
        // Unlike `set image`, kubectl sends the patch (and says so) even when nothing changes.
        if updated == o {
            let label = format!("{}/{}", o.kind().qualified_singular(), o.name());
            ctx.out.out(&format!("{label} serviceaccount updated{}\n", suffix(dry)));
        } else if let Err(e) = save(ctx, &o, updated, "serviceaccount updated", dry) {
            errors.push(format!("failed to patch ServiceAccountName {e}"));
        }
    }
    for e in errors {
        ctx.out.fail(&e);
    }
}

fn resources(ctx: &mut Ctx, args: &[String]) {
    let cmd = common(command("resources"))
        .arg(Arg::new("containers").short('c').long("containers").num_args(1))
        .arg(opt("limits"))
        .arg(opt("requests"));
    let Some(m) = parse(ctx, cmd, args) else { return };
    let dry = match dry_run(&m) {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    if positional.is_empty() {
        return ctx.out.fail("error: one or more resources must be specified as <resource> <name> or <resource>/<name>\nSee 'kubectl set resources -h' for help and examples");
    }
    let limits_s = m.get_one::<String>("limits").cloned().unwrap_or_default();
    let requests_s = m.get_one::<String>("requests").cloned().unwrap_or_default();
    if limits_s.is_empty() && requests_s.is_empty() {
        return ctx.out.fail("error: you must specify an update to requests or limits (in the form of --requests/--limits)\nSee 'kubectl set resources -h' for help and examples");
    }
    let (limits, requests) = match (parse_resource_list(&limits_s), parse_resource_list(&requests_s)) {
        (Ok(l), Ok(r)) => (l, r),
        (Err(e), _) | (_, Err(e)) => return ctx.out.fail(&format!("error: {e}")),
    };
    let pattern = m.get_one::<String>("containers").cloned().unwrap_or_else(|| "*".into());
    let Some(objs) = resolve(ctx, &m, &positional, "resources") else { return };
    let mut errors = Vec::new();
    for o in objs {
        let mut updated = o.clone();
        let Some(spec) = pod_spec_mut(&mut updated) else {
            errors.push(format!(
                "error: {}/{} the object is not a pod or does not have a pod template: {}",
                o.kind().plural(),
                o.name(),
                go_type(o.kind())
            ));
            continue;
        };
        let containers = select_containers(&mut spec.containers, &pattern);
        if containers.is_empty() {
            errors.push(format!("error: unable to find container named {pattern}"));
            continue;
        }
        for c in containers {
            let res = c.resources.get_or_insert_with(ResourceRequirements::default);
            if !limits.is_empty() {
                let l = res.limits.get_or_insert_with(BTreeMap::new);
                l.extend(limits.clone());
            }
            if !requests.is_empty() {
                let r = res.requests.get_or_insert_with(BTreeMap::new);
                r.extend(requests.clone());
            }
        }
        if let Err(e) = save(ctx, &o, updated, "resource requirements updated", dry) {
            errors.push(format!("error: failed to patch resources update to pod template {e}"));
        }
    }
    for e in errors {
        ctx.out.fail(&e);
    }
}
