//! The text the pod-template-hash is computed over. Kubernetes hashes
//! `spew.Sprintf("%#v", template)` of the Go struct (`hashutil.DeepHashObject`); until that
//! dump is reproduced field by field, kubedojo hashes the template's canonical JSON (sorted
//! keys), which gives stable, realistic-looking hashes that change exactly when the template
//! does — but not the same ten characters a real cluster would print for the same manifest.

use k8s_openapi::api::core::v1::PodTemplateSpec;

/// The dump of a template that [`super::hash::compute_hash`] hashes.
pub fn dump_pod_template_spec(t: &PodTemplateSpec) -> String {
    serde_json::to_string(t).unwrap_or_default()
}
