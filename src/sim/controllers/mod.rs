//! The controller manager: level-triggered reconcilers that read desired and observed state
//! from the store and write what should change. Each runs once per tick, in this order:
//! Deployments make ReplicaSets, ReplicaSets make pods; Jobs and CronJobs, DaemonSets and
//! StatefulSets make theirs; the garbage collector removes objects whose owners are gone.

pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod disruption;
pub mod gc;
pub mod history;
pub mod informer;
pub mod job;
pub mod podcontrol;
pub mod replicaset;
pub mod statefulset;

use super::World;

/// The controllers' own caches and queues (informer cursors, owner indexes, due times).
#[derive(Clone, Debug, Default)]
pub struct Controllers {
    pub job: job::State,
    pub cronjob: cronjob::State,
    pub daemonset: daemonset::State,
    pub statefulset: statefulset::State,
}

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
