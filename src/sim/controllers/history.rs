//! ControllerRevisions (`pkg/controller/history`) for the StatefulSet and DaemonSet
//! controllers: a revision stores the pod template as a strategic-merge patch
//! (`{"spec":{"template":{...,"$patch":"replace"}}}`), named `<owner>-<hash>` where the hash
//! is FNV-32a of that data (and the collision count), encoded with the safe alphabet as
//! `rand.SafeEncodeString` does. The hash is computed from kubedojo's JSON encoding, so it is
//! stable and of the real shape but not byte-identical to a real cluster's.

use k8s_openapi::api::apps::v1::ControllerRevision;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;
use serde_json::{json, Value};

use super::podcontrol::controller_ref_to;
use crate::sim::api::WriteOptions;
use crate::sim::{Kind, Object, World};

/// The revision data for a pod template: Go encodes the template's zero creationTimestamp as
/// null, and marks the template as replacing the whole field.
pub fn template_patch(template: &PodTemplateSpec) -> Value {
    let mut t = serde_json::to_value(template).unwrap_or(Value::Null);
    if let Some(m) = t.as_object_mut() {
        let meta = m.entry("metadata").or_insert_with(|| json!({}));
        if let Some(meta) = meta.as_object_mut() {
            meta.entry("creationTimestamp").or_insert(Value::Null);
        }
        m.insert("$patch".into(), json!("replace"));
    }
    json!({ "spec": { "template": t } })
}

/// `rand.SafeEncodeString`.
pub fn safe_encode(s: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    s.bytes().map(|b| ALPHANUMS[b as usize % ALPHANUMS.len()] as char).collect()
}

/// `HashControllerRevision`: FNV-32a of the data, then of the collision count.
pub fn hash_revision(data: &Value, collision_count: i32) -> String {
    let bytes = serde_json::to_vec(data).unwrap_or_default();
    let mut h: u32 = 0x811c9dc5;
    let mut feed = |b: u8| {
        h ^= b as u32;
        h = h.wrapping_mul(0x01000193);
    };
    for b in bytes {
        feed(b);
    }
    if collision_count != 0 {
        for b in (collision_count as u32).to_le_bytes() {
            feed(b);
        }
    }
    safe_encode(&h.to_string())
}

/// The revisions `owner` controls, oldest revision first.
pub fn owned_revisions(w: &World, owner: &Object) -> Vec<ControllerRevision> {
    let uid = owner.meta().uid.clone();
    let mut v: Vec<ControllerRevision> = w
        .store
        .list(Kind::ControllerRevision, Some(owner.namespace()))
        .into_iter()
        .filter(|o| {
            o.meta()
                .owner_references
                .iter()
                .flatten()
                .any(|r| r.controller == Some(true) && Some(&r.uid) == uid.as_ref())
        })
        .filter_map(|o| match o {
            Object::ControllerRevision(r) => Some((**r).clone()),
            _ => None,
        })
        .collect();
    v.sort_by(|a, b| a.revision.cmp(&b.revision).then(a.metadata.name.cmp(&b.metadata.name)));
    v
}

/// Finds the revision of `template` among `owner`'s, or creates it with the next revision
/// number (an older equal revision is bumped to the newest number, as rollbacks do).
/// Returns its name.
pub fn ensure_revision(
    w: &mut World,
    owner: &Object,
    template: &PodTemplateSpec,
    extra_labels: &std::collections::BTreeMap<String, String>,
    hash_label: &str,
) -> Option<String> {
    let data = template_patch(template);
    let revisions = owned_revisions(w, owner);
    let next = revisions.last().map_or(1, |r| r.revision + 1);
    if let Some(same) = revisions.iter().find(|r| r.data.as_ref().map(|d| &d.0) == Some(&data)) {
        let name = same.metadata.name.clone().unwrap_or_default();
        if revisions.last().map(|r| &r.metadata.name) != Some(&same.metadata.name) {
            let ns = owner.namespace().to_string();
            let _ = w.store.modify(Kind::ControllerRevision, &ns, &name, |o| {
                if let Object::ControllerRevision(r) = o {
                    r.revision = next;
                }
            });
        }
        return Some(name);
    }
    let hash = hash_revision(&data, 0);
    let name = format!("{}-{}", owner.name(), hash);
    let mut labels = extra_labels.clone();
    labels.insert(hash_label.into(), hash);
    let rev = ControllerRevision {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(owner.namespace().to_string()),
            labels: Some(labels),
            owner_references: Some(vec![controller_ref_to(owner)]),
            ..Default::default()
        },
        data: Some(RawExtension(data)),
        revision: next,
    };
    w.api_create(Object::ControllerRevision(Box::new(rev)), WriteOptions::default()).ok().map(|o| o.name().to_string())
}

/// Deletes the oldest revisions beyond `limit` that no pod uses (`truncateHistory`).
pub fn truncate_history(w: &mut World, owner: &Object, limit: i32, in_use: &std::collections::BTreeSet<String>) {
    let revisions = owned_revisions(w, owner);
    let old: Vec<&ControllerRevision> =
        revisions.iter().filter(|r| !in_use.contains(r.metadata.name.as_deref().unwrap_or(""))).collect();
    let n = old.len() as i64 - limit.max(0) as i64;
    for r in old.iter().take(n.max(0) as usize) {
        let name = r.metadata.name.clone().unwrap_or_default();
        let _ = w.api_delete(Kind::ControllerRevision, owner.namespace(), &name, None, WriteOptions::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revision_hashes_use_the_safe_alphabet() {
        let h = hash_revision(&json!({"spec": {}}), 0);
        assert!(h.chars().all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)));
        assert_ne!(h, hash_revision(&json!({"spec": {}}), 1));
        assert_eq!(safe_encode("0123"), "4567");
    }
}
