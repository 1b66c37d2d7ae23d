// STUB (replaced by the tables helper's file)
use crate::sim::Object;
use k8s_openapi::api::core::v1::{Event, Node, Pod};
pub fn describe_pod(p: &Pod, _e: &[&Event], _now: chrono::DateTime<chrono::Utc>) -> String {
    format!("Name: {:?}\n", p.metadata.name)
}
pub fn describe_node(n: &Node, _p: &[&Pod], _e: &[&Event], _now: chrono::DateTime<chrono::Utc>) -> String {
    format!("Name: {:?}\n", n.metadata.name)
}
pub fn describe_generic(o: &Object, _e: &[&Event], _now: chrono::DateTime<chrono::Utc>) -> String {
    format!("Name: {}\n", o.name())
}
