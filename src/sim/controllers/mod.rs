//! The controller manager: level-triggered reconcilers that read desired and observed state
//! from the store and write what should change. Each runs once per tick, in this order:
//! Deployments make ReplicaSets, ReplicaSets make pods; Jobs and CronJobs, DaemonSets and
//! StatefulSets make theirs; the garbage collector removes objects whose owners are gone.

pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod disruption;
pub mod gc;
pub mod job;
pub mod replicaset;
pub mod statefulset;

use super::World;

/// Runs every controller once.
pub fn run(w: &mut World) {
    deployment::reconcile(w);
    replicaset::reconcile(w);
    cronjob::reconcile(w);
    job::reconcile(w);
    daemonset::reconcile(w);
    statefulset::reconcile(w);
    disruption::reconcile(w);
    gc::reconcile(w);
}
