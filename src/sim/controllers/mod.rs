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

/// How many rounds the Deployment and ReplicaSet controllers get per tick. Their chain
/// (Deployment → ReplicaSet → pods → ReplicaSet status → Deployment status) takes
/// milliseconds in a real cluster, so within one simulated second each controller sees what
/// the other just did; the bound keeps a tick's cost finite.
const ROUNDS_MAX: usize = 5;

/// Runs every controller. The informer catches up before each controller, so the ReplicaSet
/// controller sees a ReplicaSet the Deployment controller made this very second, and the
/// Deployment controller sees that ReplicaSet's status in the next round.
pub fn run(w: &mut World) {
    for _ in 0..ROUNDS_MAX {
        informer::dispatch(w);
        deployment::reconcile(w);
        informer::dispatch(w);
        replicaset::reconcile(w);
        informer::dispatch(w);
        let now = w.now;
        if !w.controllers.deployment.has_work(now) && !w.controllers.replicaset.has_work(now) {
            break;
        }
    }
    cronjob::reconcile(w);
    job::reconcile(w);
    daemonset::reconcile(w);
    statefulset::reconcile(w);
    gc::reconcile(w);
}
