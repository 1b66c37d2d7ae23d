//! The simulated API server: the verbs clients call (create, get, list, update, patch,
//! delete, watch) with what the real server does around the store — strict decoding,
//! defaulting, admission, validation, metadata (uid, creationTimestamp, generation,
//! generateName), graceful pod deletion and namespace cleanup — and its error texts.
//!
//! The verbs are shaped like the REST API so that an HTTP layer can later serve them to the
//! real kubectl.

pub mod admission;
pub mod autoscaling;
pub mod decode;
pub mod defaults;
pub mod discovery;
pub mod errors;
pub mod eviction;
pub mod patch;
pub mod rbac;
pub mod selector;
pub mod storage;
pub mod table;
pub mod validate;

use chrono::Duration;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use self::errors::ApiError;
use super::object::{Kind, Object};
use super::store::StoreError;
use super::World;

/// A plain update's status and whether its spec changed: the stored status is kept (status is
/// a subresource), whatever the client sent, unless nothing is stored; and the specs are
/// compared. The workload kinds, which controllers update many times a second (a
/// Deployment scaling its ReplicaSets), are compared and copied as they are; the others go
/// through their JSON, the one shape every kind has, each turned into JSON once. The two
/// ways agree (see the tests), as the k8s-openapi types turn into JSON and back unchanged.
fn keep_stored_status(mut obj: Object, current: &Object) -> Result<(Object, bool), ApiError> {
    use super::object::ObjPtr;
    macro_rules! typed {
        ($($kind:ident),*) => {
            match (&mut obj, current) {
                $((Object::$kind(o), Object::$kind(c)) => {
                    let o = o.get_mut();
                    if c.status.is_some() {
                        o.status.clone_from(&c.status);
                    }
                    Some(o.spec != c.spec)
                })*
                _ => None,
            }
        };
    }
    if let Some(spec_changed) = typed!(Deployment, ReplicaSet, StatefulSet, Job) {
        return Ok((obj, spec_changed));
    }
    keep_stored_status_json(&obj, current)
}

/// [`keep_stored_status`] through JSON, for any kind.
fn keep_stored_status_json(obj: &Object, current: &Object) -> Result<(Object, bool), ApiError> {
    let mut merged = obj.to_value();
    let stored = current.to_value();
    let spec_changed = merged.get("spec") != stored.get("spec");
    if let Some(status) = stored.get("status") {
        if let Some(map) = merged.as_object_mut() {
            map.insert("status".into(), status.clone());
        }
    }
    let obj = Object::from_value(obj.kind(), merged).map_err(|e| ApiError::bad_request(&e))?;
    Ok((obj, spec_changed))
}

/// Options of a write request.
#[derive(Clone, Copy, Debug, Default)]
pub struct WriteOptions {
    /// `?dryRun=All`: run everything but do not persist.
    pub dry_run: bool,
}

fn store_error(e: StoreError, kind: Kind, name: &str) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::not_found(&kind.qualified_plural(), name),
        StoreError::AlreadyExists => ApiError::already_exists(&kind.qualified_plural(), name),
        StoreError::Conflict => ApiError::conflict(
            &kind.qualified_plural(),
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        ),
    }
}

impl World {
    /// GET one object.
    pub fn api_get(&self, kind: Kind, namespace: &str, name: &str) -> Result<&Object, ApiError> {
        let ns = if kind.namespaced() { namespace } else { "" };
        self.store.get(kind, ns, name).ok_or_else(|| ApiError::not_found(&kind.qualified_plural(), name))
    }

    /// POST: creates an object after defaulting, admission and validation.
    pub fn api_create(&mut self, mut obj: Object, opts: WriteOptions) -> Result<Object, ApiError> {
        let kind = obj.kind();
        if kind.namespaced() {
            if obj.namespace().is_empty() {
                obj.meta_mut().namespace = Some("default".into());
            }
            let ns = obj.namespace().to_string();
            if self.store.get(Kind::Namespace, "", &ns).is_none() {
                return Err(ApiError::not_found("namespaces", &ns));
            }
            if self
                .store
                .get(Kind::Namespace, "", &ns)
                .and_then(|o| o.as_namespace())
                .and_then(|n| n.status.as_ref()?.phase.clone())
                .as_deref()
                == Some("Terminating")
            {
                return Err(ApiError::forbidden(
                    &kind.qualified_plural(),
                    obj.name(),
                    &format!("unable to create new content in namespace {ns} because it is being terminated"),
                ));
            }
        } else {
            obj.meta_mut().namespace = None;
        }
        // generateName: the server appends 5 random characters.
        if obj.name().is_empty() {
            if let Some(prefix) = obj.meta().generate_name.clone() {
                let suffix = self.random_suffix(5);
                // names.SimpleNameGenerator: the base is cut to 63 - 5 characters.
                let base: String = prefix.chars().take(58).collect();
                obj.meta_mut().name = Some(format!("{base}{suffix}"));
            }
        }
        if obj.name().is_empty() {
            return Err(ApiError::invalid(
                kind.group(),
                kind.name(),
                "",
                &[errors::FieldError::required("metadata.name", "name or generateName is required")],
            ));
        }
        // The uid exists before defaulting: the Job defaults derive its selector from it.
        let uid = self.new_uid();
        obj.meta_mut().uid = Some(uid);
        let suffix = self.random_suffix(5);
        defaults::default_object(&mut obj, &suffix);
        // Mutating admission (LimitRanger defaults, DefaultStorageClass, the protection
        // finalizers) runs before validation, as in the API server.
        admission::mutate(self, &mut obj)?;
        let errs = validate::validate_object(&obj);
        if !errs.is_empty() {
            return Err(validate::invalid(kind.name(), obj.name(), &errs));
        }
        self.admit(&mut obj)?;
        admission::validate(self, &obj)?;
        if kind == Kind::Service {
            // ClusterIP and NodePort allocation (the service registry's REST storage).
            super::services::allocate(self, &mut obj)?;
        }
        // etcd3's store refuses a set (numeric, non-zero) resourceVersion on create, before
        // it looks for the key; a dry run never reaches it.
        let rv_set = obj.meta().resource_version.as_deref().and_then(|v| v.parse::<u64>().ok()).is_some_and(|v| v != 0);
        if rv_set && !opts.dry_run {
            return Err(ApiError::unknown("resourceVersion should not be set on objects to be created"));
        }
        let name = obj.name().to_string();
        if self.store.get(kind, obj.namespace(), &name).is_some() {
            return Err(ApiError::already_exists(&kind.qualified_plural(), &name));
        }
        // ResourceQuota admission runs last and charges the quota (not for a dry run).
        admission::quota::admit(self, &obj, opts.dry_run)?;
        let now = self.now;
        let m = obj.meta_mut();
        m.creation_timestamp = Some(now.time());
        m.resource_version = None;
        m.deletion_timestamp = None;
        if matches!(
            kind,
            Kind::Deployment
                | Kind::ReplicaSet
                | Kind::DaemonSet
                | Kind::StatefulSet
                | Kind::Job
                | Kind::CronJob
                | Kind::HorizontalPodAutoscaler
                | Kind::PodDisruptionBudget
                | Kind::Ingress
                | Kind::NetworkPolicy
        ) {
            m.generation = Some(1);
        }
        if let Object::Pod(p) = &mut obj {
            let p = std::sync::Arc::make_mut(p);
            // The pod registry's PrepareForCreate: a new pod is Pending with its QoS class.
            let qos = super::kubelet::status::qos_class(p).to_string();
            p.status = Some(k8s_openapi::api::core::v1::PodStatus {
                phase: Some("Pending".into()),
                qos_class: Some(qos),
                ..Default::default()
            });
        }
        if kind == Kind::Namespace {
            if let Object::Namespace(ns) = &mut obj {
                let status = ns.status.get_or_insert_with(Default::default);
                status.phase = Some("Active".into());
            }
        }
        if kind == Kind::DaemonSet {
            // The daemonset strategy's PrepareForCreate: templateGeneration 1 at least,
            // which apps/v1 carries as an annotation.
            let g = template_generation(&obj).max(1);
            set_template_generation(&mut obj, g);
        }
        // The registry strategies' PrepareForCreate: status belongs to the controllers.
        match &mut obj {
            Object::PersistentVolume(pv) => storage::prepare_volume(pv, now.time()),
            Object::PersistentVolumeClaim(pvc) => storage::prepare_claim(pvc),
            Object::ResourceQuota(q) => q.status = None,
            _ => {}
        }
        if opts.dry_run {
            return Ok(obj);
        }
        let stored = self.store.create(obj).map_err(|e| store_error(e, kind, &name))?;
        if kind == Kind::Namespace {
            super::cluster::populate_namespace(self, &name, now.time());
        }
        if kind == Kind::Service {
            super::services::service_written(self);
        }
        if kind == Kind::ResourceQuota {
            // The quota controller syncs a new quota's status within milliseconds; do it now
            // so that the next request is already checked against it.
            super::controllers::quota::sync_quota(self, stored.namespace(), &name);
            return Ok(self.store.get(kind, stored.namespace(), &name).cloned().unwrap_or(stored));
        }
        Ok(stored)
    }

    /// Admission: what the default admission plugins change or refuse.
    fn admit(&mut self, obj: &mut Object) -> Result<(), ApiError> {
        if let Object::Ingress(ing) = obj {
            // DefaultIngressClass.
            super::ingress::admit(&self.store, ing);
        }
        if let Object::Pod(pod) = obj {
            let ns = pod.metadata.namespace.clone().unwrap_or_default();
            let sa = pod.spec.as_ref().and_then(|s| s.service_account_name.clone()).unwrap_or_else(|| "default".into());
            // ServiceAccount admission: the account must exist.
            if self.store.get(Kind::ServiceAccount, &ns, &sa).is_none() {
                return Err(ApiError::forbidden(
                    "pods",
                    pod.metadata.name.as_deref().unwrap_or(""),
                    &format!("error looking up service account {ns}/{sa}: serviceaccount \"{sa}\" not found"),
                ));
            }
        }
        Ok(())
    }

    /// PUT: replaces an object (metadata the server owns is kept).
    pub fn api_update(&mut self, mut obj: Object, opts: WriteOptions) -> Result<Object, ApiError> {
        let kind = obj.kind();
        let ns = if kind.namespaced() { obj.namespace().to_string() } else { String::new() };
        let name = obj.name().to_string();
        let current = self
            .store
            .get(kind, &ns, &name)
            .cloned()
            .ok_or_else(|| ApiError::not_found(&kind.qualified_plural(), &name))?;
        {
            let cm = current.meta();
            let m = obj.meta_mut();
            m.uid = cm.uid.clone();
            m.creation_timestamp = cm.creation_timestamp.clone();
            m.deletion_timestamp = cm.deletion_timestamp.clone();
            m.deletion_grace_period_seconds = cm.deletion_grace_period_seconds;
            m.generation = cm.generation;
            if m.resource_version.as_deref().is_some_and(str::is_empty) {
                m.resource_version = None;
            }
        }
        let suffix = self.random_suffix(5);
        defaults::default_object(&mut obj, &suffix);
        if let (Object::Namespace(n), Object::Namespace(c)) = (&mut obj, &current) {
            // The namespace strategy's PrepareForUpdate: spec.finalizers change only through
            // the finalize subresource.
            n.spec.get_or_insert_with(Default::default).finalizers = c.spec.as_ref().and_then(|s| s.finalizers.clone());
        }
        if kind == Kind::Service {
            // The service strategy's PrepareForUpdate: allocated values the client left out.
            super::services::prepare_update(self, &current, &mut obj)?;
        }
        let mut errs = validate::validate_object(&obj);
        errs.extend(validate::validate_update(&obj, &current));
        if !errs.is_empty() {
            return Err(validate::invalid(kind.name(), &name, &errs));
        }
        if kind == Kind::Service {
            super::services::allocate_update(self, &current, &mut obj)?;
        }
        // Status is a subresource: a plain update keeps the stored status. Generation moves
        // only when the spec changes.
        let (mut obj, spec_changed) = keep_stored_status(obj, &current)?;
        if spec_changed {
            if let Some(g) = obj.meta().generation {
                obj.meta_mut().generation = Some(g + 1);
            }
        }
        if kind == Kind::DaemonSet {
            // The daemonset strategy's PrepareForUpdate: the template generation moves only
            // with the pod template.
            let old = template_generation(&current);
            let template = |o: &Object| o.to_value().pointer("/spec/template").cloned();
            let next = if template(&obj) != template(&current) { old + 1 } else { old };
            set_template_generation(&mut obj, next);
        }
        if obj == current {
            return Ok(current);
        }
        if opts.dry_run {
            return Ok(obj);
        }
        // An object being deleted goes once its last finalizer is removed.
        if kind != Kind::Pod
            && !ns_obj_finalizers(&obj)
            && obj.meta().deletion_timestamp.is_some()
            && obj.meta().finalizers.as_ref().is_none_or(|f| f.is_empty())
        {
            let ns = obj.namespace().to_string();
            self.store.delete(kind, &ns, &name).map_err(|e| store_error(e, kind, &name))?;
            return Ok(obj);
        }
        let stored = self.store.update(obj).map_err(|e| store_error(e, kind, &name))?;
        if kind == Kind::Service {
            super::services::service_written(self);
        }
        Ok(stored)
    }

    /// Writes an object's status (the status subresource: controllers and kubelets).
    pub fn api_update_status(&mut self, obj: Object) -> Result<Object, ApiError> {
        let kind = obj.kind();
        let name = obj.name().to_string();
        self.store.update(obj).map_err(|e| store_error(e, kind, &name))
    }

    /// DELETE. Pods on a node terminate gracefully (deletionTimestamp set; the kubelet
    /// removes them); `grace_s` overrides the pod's terminationGracePeriodSeconds, and 0
    /// removes the object at once (`--force --grace-period=0`).
    pub fn api_delete(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        grace_s: Option<i64>,
        opts: WriteOptions,
    ) -> Result<Object, ApiError> {
        let ns = if kind.namespaced() { namespace } else { "" };
        let current = self
            .store
            .get(kind, ns, name)
            .cloned()
            .ok_or_else(|| ApiError::not_found(&kind.qualified_plural(), name))?;
        if opts.dry_run {
            return Ok(current);
        }
        match &current {
            Object::Pod(p) => {
                let bound = p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some();
                let done = matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"));
                let grace = grace_s
                    .or_else(|| p.spec.as_ref().and_then(|s| s.termination_grace_period_seconds))
                    .unwrap_or(30)
                    .max(0);
                if bound && !done && grace > 0 {
                    if p.metadata.deletion_timestamp.is_some() {
                        return Ok(current);
                    }
                    let at = Time(self.now.datetime() + Duration::seconds(grace));
                    let _ = self.store.modify(kind, ns, name, |o| {
                        let m = o.meta_mut();
                        m.deletion_timestamp = Some(at.clone());
                        m.deletion_grace_period_seconds = Some(grace);
                    });
                    return Ok(self.store.get(kind, ns, name).cloned().unwrap_or(current));
                }
            }
            Object::Namespace(_) => {
                if matches!(name, "default" | "kube-system" | "kube-public" | "kube-node-lease") {
                    return Err(ApiError::forbidden("namespaces", name, "this namespace may not be deleted"));
                }
                // The namespace storage's Delete: the first request marks the namespace
                // Terminating; the namespace controller empties it and removes the
                // `kubernetes` finalizer, which deletes it (`controllers::namespace`).
                let held = ns_obj_finalizers(&current);
                if held {
                    if current.meta().deletion_timestamp.is_some() {
                        return Err(ApiError::conflict(
                            "namespaces",
                            name,
                            "The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.",
                        ));
                    }
                    let at = self.now.time();
                    let _ = self.store.modify(kind, ns, name, |o| {
                        if let Object::Namespace(n) = o {
                            n.metadata.deletion_timestamp = Some(at.clone());
                            n.status.get_or_insert_with(Default::default).phase = Some("Terminating".into());
                        }
                    });
                    return Ok(self.store.get(kind, ns, name).cloned().unwrap_or(current));
                }
            }
            _ => {
                // Finalizers hold the object, marked for deletion, until their controllers
                // remove them (`kubernetes.io/pvc-protection` keeps a claim in use `Terminating`).
                if current.meta().finalizers.as_ref().is_some_and(|f| !f.is_empty()) {
                    if current.meta().deletion_timestamp.is_none() {
                        let at = self.now.time();
                        let _ = self.store.modify(kind, ns, name, |o| {
                            let m = o.meta_mut();
                            m.deletion_timestamp = Some(at.clone());
                            m.deletion_grace_period_seconds = Some(0);
                        });
                    }
                    return Ok(self.store.get(kind, ns, name).cloned().unwrap_or(current));
                }
            }
        }
        let deleted = self.store.delete(kind, ns, name).map_err(|e| store_error(e, kind, name))?;
        if kind == Kind::Service {
            super::services::service_written(self);
        }
        Ok(deleted)
    }

    /// Removes `finalizer` from an object (a controller done with its cleanup); an object
    /// being deleted goes with its last finalizer.
    pub fn remove_finalizer(&mut self, kind: Kind, namespace: &str, name: &str, finalizer: &str) {
        let ns = if kind.namespaced() { namespace } else { "" };
        let _ = self.store.modify(kind, ns, name, |o| {
            let m = o.meta_mut();
            if let Some(f) = m.finalizers.as_mut() {
                f.retain(|x| x != finalizer);
                if f.is_empty() {
                    m.finalizers = None;
                }
            }
        });
        let gone = self
            .store
            .get(kind, ns, name)
            .is_some_and(|o| o.meta().deletion_timestamp.is_some() && o.meta().finalizers.is_none());
        if gone {
            let _ = self.store.delete(kind, ns, name);
        }
    }
}

/// The annotation apps/v1 DaemonSets carry their internal `spec.templateGeneration` in.
pub const TEMPLATE_GENERATION: &str = "deprecated.daemonset.template.generation";

/// A DaemonSet's template generation (0 when unset or not a number).
pub fn template_generation(o: &Object) -> i64 {
    o.meta().annotations.as_ref().and_then(|a| a.get(TEMPLATE_GENERATION)).and_then(|v| v.parse().ok()).unwrap_or(0)
}

fn set_template_generation(o: &mut Object, g: i64) {
    o.meta_mut().annotations.get_or_insert_with(Default::default).insert(TEMPLATE_GENERATION.into(), g.to_string());
}

/// Whether a namespace still has finalizers in its spec (the namespace controller's).
fn ns_obj_finalizers(o: &Object) -> bool {
    match o {
        Object::Namespace(n) => n.spec.as_ref().and_then(|s| s.finalizers.as_ref()).is_some_and(|f| !f.is_empty()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, ReplicaSetStatus};

    fn rs(replicas: i32, status: Option<i32>, annotation: &str) -> Object {
        let mut rs: ReplicaSet = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web-1", "namespace": "default", "annotations": {"a": annotation}},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80}]}]}},
            },
        }))
        .unwrap();
        rs.status = status.map(|r| ReplicaSetStatus { replicas: r, ready_replicas: Some(r), ..Default::default() });
        Object::from(rs)
    }

    /// The typed way gives what the JSON way gives, for every pairing of a changed or
    /// unchanged spec, a status sent or not and a status stored or not.
    #[test]
    fn the_typed_status_keeping_agrees_with_the_json_one() {
        let sent = [rs(3, None, "x"), rs(4, None, "x"), rs(3, Some(9), "y"), rs(4, Some(3), "x")];
        let stored = [rs(3, None, "x"), rs(3, Some(3), "x"), rs(4, Some(0), "z")];
        for o in &sent {
            for c in &stored {
                let typed = keep_stored_status(o.clone(), c).unwrap();
                let json = keep_stored_status_json(o, c).unwrap();
                assert_eq!(typed, json, "sent {o:?}\nstored {c:?}");
            }
        }
        // A spec change is seen, a status or annotation change is not.
        assert!(keep_stored_status(rs(4, None, "x"), &rs(3, None, "x")).unwrap().1);
        assert!(!keep_stored_status(rs(3, Some(1), "y"), &rs(3, Some(2), "x")).unwrap().1);
        // Neither spec nor status (typed), and a kind with neither at all (JSON).
        let d = Object::from(Deployment::default());
        assert_eq!(keep_stored_status(d.clone(), &d).unwrap(), (d.clone(), false));
        let cm = Object::from(k8s_openapi::api::core::v1::ConfigMap::default());
        assert_eq!(keep_stored_status(cm.clone(), &cm).unwrap(), (cm, false));
    }
}
