//! The controller manager: level-triggered reconcilers that read desired and observed state
//! from the store and write what should change. Each runs once per tick, in this order:
//! Deployments make ReplicaSets, ReplicaSets make pods; Jobs and CronJobs, DaemonSets and
//! StatefulSets make theirs; the garbage collector removes objects whose owners are gone.
//!
//! The Deployment and ReplicaSet controllers find their work through a shared informer
//! (`informer`: the store's change log plus owner indexes) and work queues with due times
//! (`queue`), so a tick costs in proportion to what changed. `pods` holds what every
//! workload controller needs to create and count pods.

pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod gc;
pub mod informer;
pub mod job;
pub mod pods;
pub mod queue;
pub mod replicaset;
pub mod statefulset;

use super::World;

/// The controllers' own state: the shared informer's indexes and each controller's queue.
#[derive(Clone, Debug, Default)]
pub struct State {
    pub informer: informer::Informer,
    pub deployment: queue::WorkQueue,
    pub replicaset: queue::WorkQueue,
}

/// Runs every controller once. The informer catches up before each controller, so the
/// ReplicaSet controller sees a ReplicaSet the Deployment controller made this very second
/// (in a real cluster that takes milliseconds).
pub fn run(w: &mut World) {
    informer::dispatch(w);
    deployment::reconcile(w);
    informer::dispatch(w);
    replicaset::reconcile(w);
    cronjob::reconcile(w);
    job::reconcile(w);
    daemonset::reconcile(w);
    statefulset::reconcile(w);
    gc::reconcile(w);
}
