//! The controller manager: level-triggered reconcilers that read desired and observed state
//! from the store and write what should change. Each runs once per tick, in this order:
//! Deployments make ReplicaSets, ReplicaSets make pods; Jobs and CronJobs, DaemonSets and
//! StatefulSets make theirs; the garbage collector removes objects whose owners are gone.
//!
//! The Deployment and ReplicaSet controllers find their work through `apps_informer` (the
//! store's change log plus owner indexes for pods and ReplicaSets) and `queue` work queues
//! with due times; `pods` holds their pod helpers (the other workload controllers use
//! `informer` and `podcontrol`).
//!
//! The Deployment and ReplicaSet controllers find their work through a shared informer
//! (`informer`: the store's change log plus owner indexes) and work queues with due times
//! (`queue`), so a tick costs in proportion to what changed. `pods` holds what every
//! workload controller needs to create and count pods.

pub mod apps_informer;
pub mod clusterroleaggregation;
pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod disruption;
pub mod gc;
pub mod history;
pub mod hpa;
pub mod informer;
pub mod job;
pub mod namespace;
pub mod podcontrol;
pub mod pods;
pub mod provisioner;
pub mod pv;
pub mod pvprotection;
pub mod queue;
pub mod quota;
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
    /// The Deployment and ReplicaSet controllers' informer indexes and work queues.
    pub apps: apps_informer::Informer,
    pub deployment: queue::WorkQueue,
    pub replicaset: queue::WorkQueue,
    /// The garbage collector's graph of uids and owner references.
    pub gc: gc::State,
    pub pv: pv::State,
    pub provisioner: provisioner::State,
    pub quota: quota::State,
    /// The horizontal pod autoscaler's sync times, recommendations and scale events.
    pub hpa: hpa::State,
    pub clusterrole_aggregation: clusterroleaggregation::State,
    /// When each terminating namespace is looked at again.
    pub namespace: namespace::State,
}

/// How many rounds the Deployment and ReplicaSet controllers get per tick. Their chain
/// (Deployment → ReplicaSet → pods → ReplicaSet status → Deployment status) takes
/// milliseconds in a real cluster, so within one simulated second each controller sees what
/// the other just did; the bound keeps a tick's cost finite.
const ROUNDS_MAX: usize = 5;

/// Runs every controller. The apps informer catches up before each of the Deployment and
/// ReplicaSet controllers, so the ReplicaSet controller sees a ReplicaSet the Deployment
/// controller made this very second, and the Deployment controller sees that ReplicaSet's
/// status in the next round.
pub fn run(w: &mut World) {
    // The HPA first: the replicas it sets are acted on by the workload controllers this second.
    hpa::reconcile(w);
    for _ in 0..ROUNDS_MAX {
        apps_informer::dispatch(w);
        deployment::reconcile(w);
        apps_informer::dispatch(w);
        replicaset::reconcile(w);
        apps_informer::dispatch(w);
        let now = w.now;
        if !w.controllers.deployment.has_work(now) && !w.controllers.replicaset.has_work(now) {
            break;
        }
    }
    cronjob::reconcile(w);
    job::reconcile(w);
    daemonset::reconcile(w);
    statefulset::reconcile(w);
    // Storage: binding and provisioning, then the protection finalizers.
    pv::reconcile(w);
    provisioner::reconcile(w);
    pvprotection::reconcile(w);
    quota::reconcile(w);
    disruption::reconcile(w);
    // Terminating namespaces are emptied, then removed.
    namespace::reconcile(w);
    gc::reconcile(w);
    clusterroleaggregation::reconcile(w);
}
