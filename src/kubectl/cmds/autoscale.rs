//! `kubectl autoscale (TYPE NAME | TYPE/NAME) --max=MAXPODS [--min=MINPODS]
//! [--cpu-percent=CPU] [--name=NAME] [--dry-run=client|server] [-o yaml|json|name|jsonpath]
//! [--save-config]`: looks the target up, builds an `autoscaling/v1` HorizontalPodAutoscaler
//! (kubectl v1.32 still speaks v1 here) and creates it, printing
//! `horizontalpodautoscaler.autoscaling/web autoscaled`.
//!
//! The API server stores the HPA as `autoscaling/v2` (`targetCPUUtilizationPercentage` becomes
//! a CPU Utilization metric; none means the server's default of 80 %), which is what
//! `kubectl get hpa -o yaml` then shows.

use clap::{Arg, ArgAction};
use serde_json::{json, Value};

use super::{command, dry_run, dry_run_arg, namespace, opt, parse, DryRun};
use crate::kubectl::generators::gotype::GoValue;
use crate::kubectl::output::yaml;
use crate::kubectl::Ctx;
use crate::sim::api::WriteOptions;
use crate::sim::{Kind, Object};

/// An int32 flag as pflag parses it; Err is kubectl's message.
fn int32_flag(v: Option<&String>, name: &str) -> Result<Option<i32>, String> {
    let Some(v) = v else { return Ok(None) };
    let bad = |why: &str| {
        format!("Error: invalid argument \"{v}\" for \"--{name}\" flag: strconv.ParseInt: parsing \"{v}\": {why}\nSee 'kubectl autoscale --help' for usage.")
    };
    match v.parse::<i64>() {
        Ok(n) if i32::try_from(n).is_ok() => Ok(Some(n as i32)),
        Ok(_) => Err(bad("value out of range")),
        Err(_) if !v.is_empty() && v.trim_start_matches(['-', '+']).chars().all(|c| c.is_ascii_digit()) => {
            Err(bad("value out of range"))
        }
        Err(_) => Err(bad("invalid syntax")),
    }
}

/// How the HPA is printed.
enum Out {
    Message,
    Name,
    Yaml,
    Json,
    Path(crate::kubectl::print::Format),
}

fn output(o: Option<&String>, files: &dyn crate::shell::Fs, cwd: &str) -> Result<Out, String> {
    let Some(o) = o else { return Ok(Out::Message) };
    let (name, arg) = match o.split_once('=') {
        Some((n, a)) => (n, Some(a.to_string())),
        None => (o.as_str(), None),
    };
    use crate::kubectl::print::Format;
    Ok(match (name, arg) {
        ("", None) => Out::Message,
        ("yaml", None) => Out::Yaml,
        ("json", None) => Out::Json,
        ("name", None) => Out::Name,
        ("jsonpath", Some(a)) => Out::Path(Format::JsonPath(a)),
        ("jsonpath-as-json", Some(a)) => Out::Path(Format::JsonPathAsJson(a)),
        ("jsonpath" | "jsonpath-as-json", None) => return Err("error: template format specified but no template given".into()),
        (n, a) if Format::template_form(n, a.clone(), None).is_some() => {
            return Format::template_form(n, a, Some((files, cwd))).unwrap_or(Ok(Format::Table)).map(Out::Path)
        }
        _ => {
            return Err(format!("error: unable to match a printer suitable for the output format \"{o}\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml"))
        }
    })
}

/// The scale target's group/version and kind, for kinds with a scale subresource.
fn scale_target(kind: Kind) -> Option<(&'static str, &'static str)> {
    match kind {
        Kind::Deployment => Some(("apps/v1", "Deployment")),
        Kind::ReplicaSet => Some(("apps/v1", "ReplicaSet")),
        Kind::StatefulSet => Some(("apps/v1", "StatefulSet")),
        _ => None,
    }
}

/// The `autoscaling/v1` object kubectl builds, as Go's encoding/json writes it (field order of
/// the Go structs; `creationTimestamp: null`; v1's status counts are always written).
#[allow(clippy::too_many_arguments)]
fn v1_object(
    meta: Vec<(String, GoValue)>,
    api_version: &str,
    kind: &str,
    target: &str,
    min: Option<i32>,
    max: i32,
    cpu: Option<i32>,
    status: (i32, i32),
) -> GoValue {
    let s = |v: &str| GoValue::String(v.to_string());
    let n = |v: i32| GoValue::Number(v.into());
    let mut spec = vec![(
        "scaleTargetRef".to_string(),
        GoValue::Object(vec![
            ("kind".into(), s(kind)),
            ("name".into(), s(target)),
            ("apiVersion".into(), s(api_version)),
        ]),
    )];
    if let Some(m) = min {
        spec.push(("minReplicas".into(), n(m)));
    }
    spec.push(("maxReplicas".into(), n(max)));
    if let Some(c) = cpu {
        spec.push(("targetCPUUtilizationPercentage".into(), n(c)));
    }
    GoValue::Object(vec![
        ("kind".into(), s("HorizontalPodAutoscaler")),
        ("apiVersion".into(), s("autoscaling/v1")),
        ("metadata".into(), GoValue::Object(meta)),
        ("spec".into(), GoValue::Object(spec)),
        (
            "status".into(),
            GoValue::Object(vec![("currentReplicas".into(), n(status.0)), ("desiredReplicas".into(), n(status.1))]),
        ),
    ])
}

fn print(ctx: &mut Ctx, out: &Out, obj: &GoValue, verb: &str) {
    let name = obj.to_value().pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string();
    match out {
        Out::Message => ctx.out.out(&format!("horizontalpodautoscaler.autoscaling/{name} {verb}\n")),
        Out::Name => ctx.out.out(&format!("horizontalpodautoscaler.autoscaling/{name}\n")),
        Out::Yaml => ctx.out.out(&yaml::to_yaml(&obj.to_value())),
        Out::Json => ctx.out.out(&obj.to_json()),
        Out::Path(crate::kubectl::print::Format::GoTemplate(t)) => {
            crate::kubectl::print::print_template(ctx, t, &obj.to_value(), &obj.to_json_compact())
        }
        Out::Path(f) => crate::kubectl::print::print_value(ctx, f, &obj.to_value()),
    }
}

pub fn run(ctx: &mut Ctx, args: &[String]) {
    let cmd = dry_run_arg(command("autoscale"))
        .arg(Arg::new("args").num_args(0..).action(ArgAction::Append))
        .arg(opt("max"))
        .arg(opt("min"))
        .arg(opt("cpu-percent"))
        .arg(opt("name"))
        .arg(Arg::new("output").short('o').long("output").num_args(1))
        .arg(Arg::new("filename").short('f').long("filename").num_args(1).action(ArgAction::Append))
        .arg(
            Arg::new("save-config")
                .long("save-config")
                .num_args(0..=1)
                .require_equals(true)
                .default_missing_value("true"),
        )
        .arg(Arg::new("record").long("record").num_args(0..=1).require_equals(true).default_missing_value("true"))
        .arg(opt("field-manager"))
        .arg(opt("template"))
        .arg(Arg::new("show-managed-fields").long("show-managed-fields").action(ArgAction::SetTrue))
        .arg(
            Arg::new("allow-missing-template-keys")
                .long("allow-missing-template-keys")
                .num_args(0..=1)
                .default_missing_value("true"),
        );
    let Some(m) = parse(ctx, cmd, args) else { return };
    let (max, min, cpu) = match (
        int32_flag(m.get_one::<String>("max"), "max"),
        int32_flag(m.get_one::<String>("min"), "min"),
        int32_flag(m.get_one::<String>("cpu-percent"), "cpu-percent"),
    ) {
        (Ok(a), Ok(b), Ok(c)) => (a, b.unwrap_or(-1), c.unwrap_or(-1)),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return ctx.out.fail(&e),
    };
    // cobra's required-flag check comes before the command runs.
    let Some(max) = max else {
        let t = ctx.world.now.datetime();
        ctx.out.err(&format!(
            "E{}    2318 run.go:72] \"command failed\" err=\"required flag(s) \\\"max\\\" not set\"\n",
            t.format("%m%d %H:%M:%S%.6f")
        ));
        ctx.out.code = 1;
        return;
    };
    let dry = match dry_run(&m) {
        Ok(d) => d,
        Err(e) => return ctx.out.fail(&e),
    };
    let out = match output(m.get_one::<String>("output"), &*ctx.files, &ctx.cwd) {
        Ok(o) => o,
        Err(e) => return ctx.out.fail(&e),
    };
    if max < 1 {
        return ctx.out.fail(&format!("error: --max=MAXPODS is required and must be at least 1, max: {max}"));
    }
    if max < min {
        return ctx
            .out
            .fail(&format!("error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: {max}, min: {min}"));
    }
    if m.get_one::<String>("record").is_some() {
        return ctx.out.fail("error: kubedojo does not simulate --record for kubectl autoscale yet");
    }
    if m.get_many::<String>("filename").is_some() {
        return ctx
            .out
            .fail("error: kubedojo does not simulate \"kubectl autoscale -f\" yet; name the resource instead");
    }
    let save_config = matches!(
        m.get_one::<String>("save-config").map(String::as_str),
        Some("true" | "1" | "t" | "T" | "TRUE" | "True")
    );
    let ns = namespace(ctx, &m);
    let enforce_ns = m.get_one::<String>("namespace").is_some();
    let positional: Vec<String> = m.get_many::<String>("args").map(|v| v.cloned().collect()).unwrap_or_default();
    let targets = match super::get::targets(&positional) {
        Ok(t) => t,
        Err(e) => return ctx.out.fail(&e),
    };
    if targets.items.is_empty() {
        return ctx.out.fail("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    let name_flag = m.get_one::<String>("name").cloned().unwrap_or_default();
    let mut count = 0;
    for (kind, name) in &targets.items {
        // Without a name the builder lists every object of the type.
        if let Err(e) = super::auth::authorize_read(ctx, *kind, &ns, name.as_deref()) {
            return ctx.out.fail(&e);
        }
        let names: Vec<String> = match name {
            Some(n) => vec![n.clone()],
            None => ctx.world.store.list(*kind, Some(&ns)).iter().map(|o| o.name().to_string()).collect(),
        };
        for target in names {
            if ctx.world.store.get(*kind, if kind.namespaced() { &ns } else { "" }, &target).is_none() {
                return ctx.out.fail(&super::get::not_found(*kind, &target));
            }
            let Some((api_version, kind_name)) = scale_target(*kind) else {
                let gv = kind.api_version();
                let (group, version) = gv.split_once('/').unwrap_or(("", gv));
                return ctx.out.fail(&format!(
                    "error: cannot autoscale a {}: could not find scale subresource for {group}/{version}, Resource={} in discovery information",
                    kind.name(),
                    kind.plural()
                ));
            };
            let hpa_name = if name_flag.is_empty() { target.clone() } else { name_flag.clone() };
            let min_opt = (min > 0).then_some(min);
            let cpu_opt = (cpu >= 0).then_some(cpu);
            if dry == DryRun::Client {
                let mut meta = vec![("name".to_string(), GoValue::String(hpa_name.clone()))];
                if enforce_ns {
                    meta.push(("namespace".into(), GoValue::String(ns.clone())));
                }
                meta.push(("creationTimestamp".into(), GoValue::Null));
                let obj = v1_object(meta, api_version, kind_name, &target, min_opt, max, cpu_opt, (0, 0));
                print(ctx, &out, &obj, "created (dry run)");
                count += 1;
                continue;
            }
            // The server converts the v1 object to v2 on the way in.
            let mut spec = json!({
                "scaleTargetRef": {"apiVersion": api_version, "kind": kind_name, "name": target},
                "maxReplicas": max,
            });
            if let Some(mn) = min_opt {
                spec["minReplicas"] = json!(mn);
            }
            if let Some(c) = cpu_opt {
                spec["metrics"] = json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": c}}}]);
            }
            let mut meta = json!({"name": hpa_name, "namespace": ns});
            let v1_meta_for_annotation = {
                let mut meta = vec![("name".to_string(), GoValue::String(hpa_name.clone()))];
                if enforce_ns {
                    meta.push(("namespace".into(), GoValue::String(ns.clone())));
                }
                meta.push(("creationTimestamp".into(), GoValue::Null));
                meta
            };
            if save_config {
                let text =
                    v1_object(v1_meta_for_annotation, api_version, kind_name, &target, min_opt, max, cpu_opt, (0, 0))
                        .to_json_compact();
                meta["annotations"] = json!({"kubectl.kubernetes.io/last-applied-configuration": format!("{text}\n")});
            }
            let value = json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta, "spec": spec});
            let obj = match Object::from_value(Kind::HorizontalPodAutoscaler, value) {
                Ok(o) => o,
                Err(e) => return ctx.out.fail(&format!("error: {e}")),
            };
            if let Err(e) = super::auth::authorize_write(ctx, "create", Kind::HorizontalPodAutoscaler, &ns, "", "") {
                return ctx.out.fail(&e);
            }
            match ctx.world.api_create(obj, WriteOptions { dry_run: dry == DryRun::Server }) {
                Ok(created) => {
                    let cm = created.meta();
                    let mut meta: Vec<(String, GoValue)> =
                        vec![("name".into(), GoValue::String(created.name().to_string()))];
                    meta.push(("namespace".into(), GoValue::String(created.namespace().to_string())));
                    if let Some(uid) = &cm.uid {
                        meta.push(("uid".into(), GoValue::String(uid.clone())));
                    }
                    if let Some(rv) = &cm.resource_version {
                        meta.push(("resourceVersion".into(), GoValue::String(rv.clone())));
                    }
                    let ts = created.to_value().pointer("/metadata/creationTimestamp").cloned().unwrap_or(Value::Null);
                    meta.push((
                        "creationTimestamp".into(),
                        ts.as_str().map_or(GoValue::Null, |s| GoValue::String(s.to_string())),
                    ));
                    if let Some(a) = &cm.annotations {
                        meta.push((
                            "annotations".into(),
                            GoValue::Object(a.iter().map(|(k, v)| (k.clone(), GoValue::String(v.clone()))).collect()),
                        ));
                    }
                    let min_v1 = match &created {
                        Object::HorizontalPodAutoscaler(h) => h.spec.as_ref().and_then(|s| s.min_replicas),
                        _ => min_opt,
                    };
                    let v1 = v1_object(meta, api_version, kind_name, &target, min_v1, max, cpu_opt, (0, 0));
                    let verb = if dry == DryRun::Server { "autoscaled (server dry run)" } else { "autoscaled" };
                    print(ctx, &out, &v1, verb);
                    count += 1;
                }
                Err(e) => return ctx.out.fail(&e.kubectl_text()),
            }
        }
    }
    if count == 0 {
        ctx.out.fail("error: no objects passed to autoscale");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_side_object_matches_kubectl() {
        let meta =
            vec![("name".to_string(), GoValue::String("web".into())), ("creationTimestamp".into(), GoValue::Null)];
        let obj = v1_object(meta, "apps/v1", "Deployment", "web", Some(2), 10, Some(80), (0, 0));
        assert_eq!(
            yaml::to_yaml(&obj.to_value()),
            "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata:\n  creationTimestamp: null\n  name: web\nspec:\n  maxReplicas: 10\n  minReplicas: 2\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: web\n  targetCPUUtilizationPercentage: 80\nstatus:\n  currentReplicas: 0\n  desiredReplicas: 0\n"
        );
    }
}
