//! Faults as data and verbs (not built yet): node down/up, kubelet stop, partition, kill a
//! container, registry outage, slow pulls, memory pressure.

use super::World;

/// Applies faults due this tick (scenario timeline, seeded random rate).
pub fn tick(_w: &mut World) {}

/// The `chaos <verb> <target>` command of the learner's shell; returns what it prints and
/// its exit status.
pub fn chaos_command(_w: &mut World, _args: &[String]) -> (String, i32) {
    ("chaos: not available yet\n".to_string(), 1)
}
