//! Describers for workloads: Deployment (with its old and new ReplicaSets), ReplicaSet,
//! DaemonSet, StatefulSet, Job, CronJob and HorizontalPodAutoscaler.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::{HPAScalingRules, HorizontalPodAutoscaler};
use k8s_openapi::api::batch::v1::{CronJob, Job, JobTemplateSpec};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::pod::describe_pod_template;
use super::{
    controller_of, describe_events, format_label_selector, format_labels, go_list, name, namespace,
    print_annotations_multiline, print_bool_ptr, print_controller, print_labels_multiline,
    print_labels_multiline_with_indent, qty, rfc1123z, selector_string, Describer, Pw,
};
use crate::kubectl::age::human_duration;
use crate::sim::{Kind, Object};

fn int_or_string(v: Option<&IntOrString>) -> String {
    match v {
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => "<nil>".into(),
    }
}

/// A pod template with the `pod-template-hash` label removed, for `EqualIgnoreHash`.
fn template_without_hash(t: &PodTemplateSpec) -> serde_json::Value {
    let mut t = t.clone();
    if let Some(labels) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove("pod-template-hash");
    }
    serde_json::to_value(t).unwrap_or_default()
}

pub(super) fn describe_deployment(d: &Describer, dep: &Deployment) -> String {
    let events = d.events(&dep.metadata, Some(Kind::Deployment));
    let ns = namespace(&dep.metadata);
    let spec = dep.spec.clone().unwrap_or_default();
    let status = dep.status.clone().unwrap_or_default();
    // deploymentutil.GetAllReplicaSets: the namespace's ReplicaSets matching the selector and
    // controlled by this Deployment, oldest first; the new one has the Deployment's template.
    let sel = crate::sim::api::selector::Selector::from_label_selector(&spec.selector);
    let uid = dep.metadata.uid.clone().unwrap_or_default();
    let mut rss: Vec<&ReplicaSet> = d
        .world
        .store
        .list(Kind::ReplicaSet, Some(ns))
        .into_iter()
        .filter_map(|o| match o {
            Object::ReplicaSet(rs) => Some(&**rs),
            _ => None,
        })
        .filter(|rs| sel.matches(&rs.metadata.labels.clone().unwrap_or_default()))
        .filter(|rs| controller_of(&rs.metadata).is_some_and(|c| c.uid == uid))
        .collect();
    super::gosort::sort(&mut rss, |a, b| {
        let (ta, tb) =
            (super::ts(a.metadata.creation_timestamp.as_ref()), super::ts(b.metadata.creation_timestamp.as_ref()));
        if ta == tb {
            a.metadata.name < b.metadata.name
        } else {
            ta < tb
        }
    });
    let want = template_without_hash(&spec.template);
    let new_rs = rss.iter().copied().find(|rs| {
        rs.spec.as_ref().and_then(|s| s.template.as_ref()).map(template_without_hash).as_ref() == Some(&want)
    });
    let old_rss: Vec<&ReplicaSet> =
        rss.iter().copied().filter(|rs| new_rs.is_none_or(|n| n.metadata.uid != rs.metadata.uid)).collect();

    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&dep.metadata)));
    w.w(0, &format!("Namespace:\t{ns}\n"));
    w.w(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(dep.metadata.creation_timestamp.as_ref())));
    print_labels_multiline(&mut w, "Labels", dep.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", dep.metadata.annotations.as_ref());
    w.w(0, &format!("Selector:\t{}\n", selector_string(Some(&spec.selector))));
    w.w(
        0,
        &format!(
            "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
            spec.replicas.unwrap_or(0),
            status.updated_replicas.unwrap_or(0),
            status.replicas.unwrap_or(0),
            status.available_replicas.unwrap_or(0),
            status.unavailable_replicas.unwrap_or(0)
        ),
    );
    let strategy = spec.strategy.clone().unwrap_or_default();
    w.w(0, &format!("StrategyType:\t{}\n", strategy.type_.as_deref().unwrap_or("")));
    w.w(0, &format!("MinReadySeconds:\t{}\n", spec.min_ready_seconds.unwrap_or(0)));
    if let Some(ru) = &strategy.rolling_update {
        w.w(
            0,
            &format!(
                "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
                int_or_string(ru.max_unavailable.as_ref()),
                int_or_string(ru.max_surge.as_ref())
            ),
        );
    }
    describe_pod_template(&mut w, &spec.template);
    if let Some(conds) = status.conditions.as_deref().filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n  Type\tStatus\tReason\n");
        w.w(1, "----\t------\t------\n");
        for c in conds {
            w.w(1, &format!("{} \t{}\t{}\n", c.type_, c.status, c.reason.as_deref().unwrap_or("")));
        }
    }
    if !old_rss.is_empty() || new_rs.is_some() {
        w.w(0, &format!("OldReplicaSets:\t{}\n", replica_sets_by_labels(&old_rss)));
        w.w(0, &format!("NewReplicaSet:\t{}\n", replica_sets_by_labels(&new_rs.into_iter().collect::<Vec<_>>())));
    }
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

/// `name (2/3 replicas created), ...` or `<none>`.
fn replica_sets_by_labels(rss: &[&ReplicaSet]) -> String {
    let list = rss
        .iter()
        .map(|rs| {
            format!(
                "{} ({}/{} replicas created)",
                name(&rs.metadata),
                rs.status.as_ref().map(|s| s.replicas).unwrap_or(0),
                rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    if list.is_empty() {
        "<none>".into()
    } else {
        list
    }
}

pub(super) fn describe_replica_set(d: &Describer, rs: &ReplicaSet) -> String {
    let ns = namespace(&rs.metadata);
    let spec = rs.spec.clone().unwrap_or_default();
    let (running, waiting, succeeded, failed) =
        d.pod_status_for_controller(ns, &spec.selector, rs.metadata.uid.as_deref().unwrap_or(""));
    let events = d.events(&rs.metadata, Some(Kind::ReplicaSet));
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&rs.metadata)));
    w.w(0, &format!("Namespace:\t{ns}\n"));
    w.w(0, &format!("Selector:\t{}\n", format_label_selector(Some(&spec.selector))));
    print_labels_multiline(&mut w, "Labels", rs.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", rs.metadata.annotations.as_ref());
    if let Some(c) = print_controller(&rs.metadata) {
        w.w(0, &format!("Controlled By:\t{c}\n"));
    }
    let status = rs.status.clone().unwrap_or_default();
    w.w(0, &format!("Replicas:\t{} current / {} desired\n", status.replicas, spec.replicas.unwrap_or(0)));
    w.w(0, "Pods Status:\t");
    w.w(0, &format!("{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n"));
    describe_pod_template(&mut w, &spec.template.clone().unwrap_or_default());
    if let Some(conds) = status.conditions.as_deref().filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n  Type\tStatus\tReason\n");
        w.w(1, "----\t------\t------\n");
        for c in conds {
            w.w(1, &format!("{} \t{}\t{}\n", c.type_, c.status, c.reason.as_deref().unwrap_or("")));
        }
    }
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

pub(super) fn describe_daemon_set(d: &Describer, ds: &DaemonSet) -> String {
    let ns = namespace(&ds.metadata);
    let spec = ds.spec.clone().unwrap_or_default();
    let (running, waiting, succeeded, failed) =
        d.pod_status_for_controller(ns, &spec.selector, ds.metadata.uid.as_deref().unwrap_or(""));
    let events = d.events(&ds.metadata, Some(Kind::DaemonSet));
    let status = ds.status.clone().unwrap_or_default();
    let mut w = Pw::new();
    // (kubectl v1.32 prints no Namespace line for a DaemonSet.)
    w.w(0, &format!("Name:\t{}\n", name(&ds.metadata)));
    w.w(0, &format!("Selector:\t{}\n", selector_string(Some(&spec.selector))));
    let node_selector = spec.template.spec.as_ref().and_then(|s| s.node_selector.as_ref());
    w.w(0, &format!("Node-Selector:\t{}\n", format_labels(node_selector)));
    print_labels_multiline(&mut w, "Labels", ds.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", ds.metadata.annotations.as_ref());
    w.w(0, &format!("Desired Number of Nodes Scheduled: {}\n", status.desired_number_scheduled));
    w.w(0, &format!("Current Number of Nodes Scheduled: {}\n", status.current_number_scheduled));
    w.w(
        0,
        &format!("Number of Nodes Scheduled with Up-to-date Pods: {}\n", status.updated_number_scheduled.unwrap_or(0)),
    );
    w.w(0, &format!("Number of Nodes Scheduled with Available Pods: {}\n", status.number_available.unwrap_or(0)));
    w.w(0, &format!("Number of Nodes Misscheduled: {}\n", status.number_misscheduled));
    w.w(0, &format!("Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n"));
    describe_pod_template(&mut w, &spec.template);
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

pub(super) fn describe_stateful_set(d: &Describer, sts: &StatefulSet) -> String {
    let ns = namespace(&sts.metadata);
    let spec = sts.spec.clone().unwrap_or_default();
    let (running, waiting, succeeded, failed) =
        d.pod_status_for_controller(ns, &spec.selector, sts.metadata.uid.as_deref().unwrap_or(""));
    let events = d.events(&sts.metadata, Some(Kind::StatefulSet));
    let status = sts.status.clone().unwrap_or_default();
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&sts.metadata)));
    w.w(0, &format!("Namespace:\t{ns}\n"));
    w.w(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(sts.metadata.creation_timestamp.as_ref())));
    w.w(0, &format!("Selector:\t{}\n", selector_string(Some(&spec.selector))));
    print_labels_multiline(&mut w, "Labels", sts.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", sts.metadata.annotations.as_ref());
    w.w(0, &format!("Replicas:\t{} desired | {} total\n", spec.replicas.unwrap_or(0), status.replicas));
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    w.w(0, &format!("Update Strategy:\t{}\n", strategy.type_.as_deref().unwrap_or("")));
    if let Some(ru) = &strategy.rolling_update {
        if let Some(p) = ru.partition {
            w.w(1, &format!("Partition:\t{p}\n"));
            if let Some(mu) = &ru.max_unavailable {
                w.w(1, &format!("MaxUnavailable:\t{}\n", int_or_string(Some(mu))));
            }
        }
    }
    w.w(0, &format!("Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n"));
    describe_pod_template(&mut w, &spec.template);
    describe_volume_claim_templates(&mut w, spec.volume_claim_templates.as_deref().unwrap_or_default());
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

fn describe_volume_claim_templates(w: &mut Pw, templates: &[PersistentVolumeClaim]) {
    if templates.is_empty() {
        return w.w(0, "Volume Claims:\t<none>\n");
    }
    w.w(0, "Volume Claims:\n");
    for pvc in templates {
        let spec = pvc.spec.clone().unwrap_or_default();
        w.w(1, &format!("Name:\t{}\n", name(&pvc.metadata)));
        let class = pvc
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("volume.beta.kubernetes.io/storage-class").cloned())
            .unwrap_or_else(|| spec.storage_class_name.clone().unwrap_or_default());
        w.w(1, &format!("StorageClass:\t{class}\n"));
        print_labels_multiline_with_indent(w, "  ", "Labels", "\t", pvc.metadata.labels.as_ref());
        print_labels_multiline_with_indent(w, "  ", "Annotations", "\t", pvc.metadata.annotations.as_ref());
        match spec.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get("storage")) {
            Some(c) => w.w(1, &format!("Capacity:\t{}\n", qty(c))),
            None => w.w(1, "Capacity:\t<default>\n"),
        }
        w.w(1, &format!("Access Modes:\t{}\n", go_list(spec.access_modes.as_deref().unwrap_or_default())));
    }
}

pub(super) fn describe_job(d: &Describer, job: &Job) -> String {
    let events = d.events(&job.metadata, Some(Kind::Job));
    let spec = job.spec.clone().unwrap_or_default();
    let status = job.status.clone().unwrap_or_default();
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&job.metadata)));
    w.w(0, &format!("Namespace:\t{}\n", namespace(&job.metadata)));
    w.w(0, &format!("Selector:\t{}\n", selector_string(spec.selector.as_ref())));
    print_labels_multiline(&mut w, "Labels", job.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", job.metadata.annotations.as_ref());
    if let Some(c) = print_controller(&job.metadata) {
        w.w(0, &format!("Controlled By:\t{c}\n"));
    }
    if let Some(p) = spec.parallelism {
        w.w(0, &format!("Parallelism:\t{p}\n"));
    }
    match spec.completions {
        Some(c) => w.w(0, &format!("Completions:\t{c}\n")),
        None => w.w(0, "Completions:\t<unset>\n"),
    }
    if let Some(m) = &spec.completion_mode {
        w.w(0, &format!("Completion Mode:\t{m}\n"));
    }
    if let Some(s) = spec.suspend {
        w.w(0, &format!("Suspend:\t{s}\n"));
    }
    if let Some(b) = spec.backoff_limit {
        w.w(0, &format!("Backoff Limit:\t{b}\n"));
    }
    if let Some(t) = spec.ttl_seconds_after_finished {
        w.w(0, &format!("TTL Seconds After Finished:\t{t}\n"));
    }
    if let Some(t) = &status.start_time {
        w.w(0, &format!("Start Time:\t{}\n", rfc1123z(Some(t))));
    }
    if let Some(t) = &status.completion_time {
        w.w(0, &format!("Completed At:\t{}\n", rfc1123z(Some(t))));
    }
    if let (Some(s), Some(c)) = (&status.start_time, &status.completion_time) {
        w.w(0, &format!("Duration:\t{}\n", human_duration((c.0 - s.0).num_seconds())));
    }
    if let Some(a) = spec.active_deadline_seconds {
        w.w(0, &format!("Active Deadline Seconds:\t{a}s\n"));
    }
    let (active, succeeded, failed) =
        (status.active.unwrap_or(0), status.succeeded.unwrap_or(0), status.failed.unwrap_or(0));
    match status.ready {
        None => w.w(0, &format!("Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n")),
        Some(r) => {
            w.w(0, &format!("Pods Statuses:\t{active} Active ({r} Ready) / {succeeded} Succeeded / {failed} Failed\n"))
        }
    }
    if spec.completion_mode.as_deref() == Some("Indexed") {
        w.w(
            0,
            &format!("Completed Indexes:\t{}\n", cap_indexes(status.completed_indexes.as_deref().unwrap_or(""), 50)),
        );
    }
    describe_pod_template(&mut w, &spec.template);
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

/// `capIndexesListOrNone`: the list cut after the first comma past `soft_limit` characters.
fn cap_indexes(indexes: &str, soft_limit: usize) -> String {
    if indexes.is_empty() {
        return "<none>".into();
    }
    let b = indexes.as_bytes();
    let mut ix = soft_limit;
    while ix < b.len() && b[ix] != b',' {
        ix += 1;
    }
    if ix >= b.len() {
        return indexes.to_string();
    }
    format!("{}...", &indexes[..=ix])
}

pub(super) fn describe_cron_job(d: &Describer, cj: &CronJob) -> String {
    let events = d.events(&cj.metadata, Some(Kind::CronJob));
    let spec = cj.spec.clone().unwrap_or_default();
    let status = cj.status.clone().unwrap_or_default();
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&cj.metadata)));
    w.w(0, &format!("Namespace:\t{}\n", namespace(&cj.metadata)));
    print_labels_multiline(&mut w, "Labels", cj.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", cj.metadata.annotations.as_ref());
    w.w(0, &format!("Schedule:\t{}\n", spec.schedule));
    w.w(0, &format!("Concurrency Policy:\t{}\n", spec.concurrency_policy.as_deref().unwrap_or("")));
    w.w(0, &format!("Suspend:\t{}\n", print_bool_ptr(spec.suspend)));
    // (kubectl v1.32 does not show spec.timeZone.)
    match spec.successful_jobs_history_limit {
        Some(l) => w.w(0, &format!("Successful Job History Limit:\t{l}\n")),
        None => w.w(0, "Successful Job History Limit:\t<unset>\n"),
    }
    match spec.failed_jobs_history_limit {
        Some(l) => w.w(0, &format!("Failed Job History Limit:\t{l}\n")),
        None => w.w(0, "Failed Job History Limit:\t<unset>\n"),
    }
    match spec.starting_deadline_seconds {
        Some(s) => w.w(0, &format!("Starting Deadline Seconds:\t{s}s\n")),
        None => w.w(0, "Starting Deadline Seconds:\t<unset>\n"),
    }
    describe_job_template(&mut w, &spec.job_template);
    match &status.last_schedule_time {
        Some(t) => w.w(0, &format!("Last Schedule Time:\t{}\n", rfc1123z(Some(t)))),
        None => w.w(0, "Last Schedule Time:\t<unset>\n"),
    }
    w.w(0, "Active Jobs:\t");
    let active = status.active.clone().unwrap_or_default();
    if active.is_empty() {
        w.line("<none>");
    } else {
        for (i, j) in active.iter().enumerate() {
            if i != 0 {
                w.w(0, ", ");
            }
            w.w(0, j.name.as_deref().unwrap_or(""));
        }
        w.line("");
    }
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

fn describe_job_template(w: &mut Pw, t: &JobTemplateSpec) {
    let spec = t.spec.clone().unwrap_or_default();
    match &spec.selector {
        Some(s) => w.w(0, &format!("Selector:\t{}\n", selector_string(Some(s)))),
        None => w.w(0, "Selector:\t<unset>\n"),
    }
    match spec.parallelism {
        Some(p) => w.w(0, &format!("Parallelism:\t{p}\n")),
        None => w.w(0, "Parallelism:\t<unset>\n"),
    }
    match spec.completions {
        Some(c) => w.w(0, &format!("Completions:\t{c}\n")),
        None => w.w(0, "Completions:\t<unset>\n"),
    }
    if let Some(a) = spec.active_deadline_seconds {
        w.w(0, &format!("Active Deadline Seconds:\t{a}s\n"));
    }
    describe_pod_template(w, &spec.template);
}

pub(super) fn describe_hpa(d: &Describer, hpa: &HorizontalPodAutoscaler) -> String {
    let events = d.events(&hpa.metadata, Some(Kind::HorizontalPodAutoscaler));
    let spec = hpa.spec.clone().unwrap_or_default();
    let status = hpa.status.clone().unwrap_or_default();
    let current = status.current_metrics.clone().unwrap_or_default();
    let mut w = Pw::new();
    w.w(0, &format!("Name:\t{}\n", name(&hpa.metadata)));
    w.w(0, &format!("Namespace:\t{}\n", namespace(&hpa.metadata)));
    print_labels_multiline(&mut w, "Labels", hpa.metadata.labels.as_ref());
    print_annotations_multiline(&mut w, "Annotations", hpa.metadata.annotations.as_ref());
    w.w(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(hpa.metadata.creation_timestamp.as_ref())));
    w.w(0, &format!("Reference:\t{}/{}\n", spec.scale_target_ref.kind, spec.scale_target_ref.name));
    w.w(0, "Metrics:\t( current / target )\n");
    let unknown = || "<unknown>".to_string();
    for (i, m) in spec.metrics.iter().flatten().enumerate() {
        let cur = current.get(i);
        match m.type_.as_str() {
            "External" => {
                let Some(ext) = &m.external else { continue };
                if let Some(av) = &ext.target.average_value {
                    let c = cur
                        .and_then(|c| c.external.as_ref())
                        .and_then(|e| e.current.average_value.as_ref())
                        .map(qty)
                        .unwrap_or_else(unknown);
                    w.w(1, &format!("\"{}\" (target average value):\t{c} / {}\n", ext.metric.name, qty(av)));
                } else {
                    let c = cur
                        .and_then(|c| c.external.as_ref())
                        .map(|e| e.current.value.as_ref().map(qty).unwrap_or_else(|| "0".into()))
                        .unwrap_or_else(unknown);
                    let t = ext.target.value.as_ref().map(qty).unwrap_or_else(|| "0".into());
                    w.w(1, &format!("\"{}\" (target value):\t{c} / {t}\n", ext.metric.name));
                }
            }
            "Pods" => {
                let Some(p) = &m.pods else { continue };
                let c = cur
                    .and_then(|c| c.pods.as_ref())
                    .map(|p| p.current.average_value.as_ref().map(qty).unwrap_or_else(|| "0".into()))
                    .unwrap_or_else(unknown);
                let t = p.target.average_value.as_ref().map(qty).unwrap_or_else(|| "0".into());
                w.w(1, &format!("\"{}\" on pods:\t{c} / {t}\n", p.metric.name));
            }
            "Object" => {
                let Some(o) = &m.object else { continue };
                w.w(1, &format!("\"{}\" on {}/{} ", o.metric.name, o.described_object.kind, o.described_object.name));
                if o.target.type_ == "AverageValue" {
                    let c = cur
                        .and_then(|c| c.object.as_ref())
                        .map(|o| o.current.average_value.as_ref().map(qty).unwrap_or_else(|| "0".into()))
                        .unwrap_or_else(unknown);
                    let t = o.target.average_value.as_ref().map(qty).unwrap_or_else(|| "0".into());
                    w.w(0, &format!("(target average value):\t{c} / {t}\n"));
                } else {
                    let c = cur
                        .and_then(|c| c.object.as_ref())
                        .map(|o| o.current.value.as_ref().map(qty).unwrap_or_else(|| "0".into()))
                        .unwrap_or_else(unknown);
                    let t = o.target.value.as_ref().map(qty).unwrap_or_else(|| "0".into());
                    w.w(0, &format!("(target value):\t{c} / {t}\n"));
                }
            }
            "Resource" => {
                let Some(r) = &m.resource else { continue };
                w.w(1, &format!("resource {} on pods", r.name));
                let cur_res = cur.and_then(|c| c.resource.as_ref());
                if let Some(av) = &r.target.average_value {
                    let c = cur_res
                        .map(|r| r.current.average_value.as_ref().map(qty).unwrap_or_else(|| "0".into()))
                        .unwrap_or_else(unknown);
                    w.w(0, &format!(":\t{c} / {}\n", qty(av)));
                } else {
                    let c = match cur_res.and_then(|r| r.current.average_utilization.map(|u| (u, r))) {
                        Some((u, r)) => format!(
                            "{u}% ({})",
                            r.current.average_value.as_ref().map(qty).unwrap_or_else(|| "0".into())
                        ),
                        None => unknown(),
                    };
                    let t = r.target.average_utilization.map(|u| format!("{u}%")).unwrap_or_else(|| "<auto>".into());
                    w.w(1, &format!("(as a percentage of request):\t{c} / {t}\n"));
                }
            }
            "ContainerResource" => {
                let Some(r) = &m.container_resource else { continue };
                w.w(1, &format!("resource {} of container \"{}\" on pods", r.name, r.container));
                let cur_res = cur.and_then(|c| c.container_resource.as_ref());
                if let Some(av) = &r.target.average_value {
                    let c = cur_res
                        .map(|r| r.current.average_value.as_ref().map(qty).unwrap_or_else(|| "0".into()))
                        .unwrap_or_else(unknown);
                    w.w(0, &format!(":\t{c} / {}\n", qty(av)));
                } else {
                    let c = match cur_res.and_then(|r| r.current.average_utilization.map(|u| (u, r))) {
                        Some((u, r)) => format!(
                            "{u}% ({})",
                            r.current.average_value.as_ref().map(qty).unwrap_or_else(|| "0".into())
                        ),
                        None => unknown(),
                    };
                    let t = r.target.average_utilization.map(|u| format!("{u}%")).unwrap_or_else(|| "<auto>".into());
                    w.w(1, &format!("(as a percentage of request):\t{c} / {t}\n"));
                }
            }
            other => w.w(1, &format!("<unknown metric type \"{other}\">\n")),
        }
    }
    let min = spec.min_replicas.map(|m| m.to_string()).unwrap_or_else(|| "<unset>".into());
    w.w(0, &format!("Min replicas:\t{min}\n"));
    w.w(0, &format!("Max replicas:\t{}\n", spec.max_replicas));
    if let Some(b) = &spec.behavior {
        w.w(0, "Behavior:\n");
        print_direction_behavior(&mut w, "Scale Up", b.scale_up.as_ref());
        print_direction_behavior(&mut w, "Scale Down", b.scale_down.as_ref());
    }
    w.w(0, &format!("{} pods:\t", spec.scale_target_ref.kind));
    w.w(0, &format!("{} current / {} desired\n", status.current_replicas.unwrap_or(0), status.desired_replicas));
    if let Some(conds) = status.conditions.as_deref().filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n");
        w.w(1, "Type\tStatus\tReason\tMessage\n");
        w.w(1, "----\t------\t------\t-------\n");
        for c in conds {
            w.w(
                1,
                &format!(
                    "{}\t{}\t{}\t{}\n",
                    c.type_,
                    c.status,
                    c.reason.as_deref().unwrap_or(""),
                    c.message.as_deref().unwrap_or("")
                ),
            );
        }
    }
    if let Some(events) = events {
        describe_events(d, &mut w, &events);
    }
    w.finish()
}

fn print_direction_behavior(w: &mut Pw, direction: &str, rules: Option<&HPAScalingRules>) {
    let Some(r) = rules else { return };
    w.w(1, &format!("{direction}:\n"));
    if let Some(s) = r.stabilization_window_seconds {
        w.w(2, &format!("Stabilization Window: {s} seconds\n"));
    }
    if let Some(policies) = r.policies.as_deref().filter(|p| !p.is_empty()) {
        w.w(2, &format!("Select Policy: {}\n", r.select_policy.as_deref().unwrap_or("Max")));
        w.w(2, "Policies:\n");
        for p in policies {
            w.w(3, &format!("- Type: {}\tValue: {}\tPeriod: {} seconds\n", p.type_, p.value, p.period_seconds));
        }
    }
}
