//! A controller's work queue, like client-go's rate-limited workqueue without the rate limits:
//! keys of objects to reconcile now (deduplicated, processed in key order so runs are
//! deterministic) and keys due at a later tick (`AddAfter`: minReadySeconds, progress
//! deadlines). With the store's change log (`Store::watch`) it lets a controller find its work
//! from what changed instead of scanning every object each tick.

use std::collections::{BTreeMap, BTreeSet};

use crate::sim::indexed::LookupMap;
use crate::sim::object::KeyRef;
use crate::sim::store::{Store, WatchEvent};
use crate::sim::{Kind, ObjKey, Tick};

#[derive(Clone, Debug, Default)]
pub struct WorkQueue {
    /// The store resourceVersion this controller has seen changes up to.
    pub cursor: u64,
    /// Whether the controller has listed everything once (or must again: the change log no
    /// longer reaches back to `cursor`).
    pub synced: bool,
    dirty: BTreeSet<ObjKey>,
    due: BTreeMap<Tick, BTreeSet<ObjKey>>,
    /// Consecutive failed syncs per key (the rate limiter's `NumRequeues`). Looked up only:
    /// hashed.
    failures: LookupMap<ObjKey, u32>,
}

/// The default controller rate limiter's per-item back-off (5 ms doubling to 1000 s), in
/// whole ticks: a retry is at least the next tick.
fn backoff_ticks(failures: u32) -> u64 {
    let ms = 5u64.saturating_mul(1u64 << failures.min(40));
    ms.min(1_000_000).div_ceil(1000).max(1)
}

/// What a controller must do with the store's changes since it last looked.
pub enum Changes {
    /// These changes, oldest first.
    Events(Vec<WatchEvent>),
    /// The log does not reach back far enough (or this is the first look): list everything.
    Relist,
}

impl WorkQueue {
    /// Takes the changes since the last call and moves the cursor to now.
    pub fn changes(&mut self, store: &Store) -> Changes {
        self.changes_where(store, |_| true)
    }

    /// Like [`WorkQueue::changes`], keeping only the changes for which `want` holds of the
    /// object's kind (the others are skipped without being copied).
    pub fn changes_where(&mut self, store: &Store, want: impl Fn(Kind) -> bool) -> Changes {
        let now_rv = store.resource_version();
        let result = match (self.synced, store.watch(self.cursor)) {
            (true, Some(events)) => Changes::Events(events.filter(|e| want(e.kind)).cloned().collect()),
            _ => Changes::Relist,
        };
        self.cursor = now_rv;
        self.synced = true;
        result
    }

    /// Like [`WorkQueue::changes`], keeping only the changes to objects of `kinds`; when none
    /// of them was written since the last call, the log is not read at all.
    pub fn changes_of(&mut self, store: &Store, kinds: &[Kind]) -> Changes {
        if self.synced
            && kinds.iter().all(|k| store.last_write(*k) <= self.cursor)
            && store.watch(self.cursor).is_some()
        {
            self.cursor = store.resource_version();
            return Changes::Events(Vec::new());
        }
        self.changes_where(store, |k| kinds.contains(&k))
    }

    /// Queues `key` for this tick.
    pub fn add(&mut self, key: ObjKey) {
        self.dirty.insert(key);
    }

    /// Queues the object `namespace`/`name` for this tick, copying its key only if it is not
    /// queued yet (a converging tick queues each ReplicaSet once for every one of its pods).
    pub fn add_named(&mut self, namespace: &str, name: &str) {
        if !self.dirty.contains(&(namespace, name) as &dyn KeyRef) {
            self.dirty.insert(ObjKey::new(namespace, name));
        }
    }

    /// Queues `key` for tick `at` (`AddAfter`); a key due now or earlier is queued at once.
    pub fn add_at(&mut self, key: ObjKey, at: Tick, now: Tick) {
        if at <= now {
            self.add(key);
        } else {
            self.due.entry(at).or_default().insert(key);
        }
    }

    /// `AddRateLimited`: a sync that failed is retried after the key's back-off.
    pub fn add_rate_limited(&mut self, key: ObjKey, now: Tick) {
        let n = self.failures.entry(key.clone()).or_insert(0);
        let delay = backoff_ticks(*n);
        *n += 1;
        self.add_at(key, now.plus_s(delay), now);
    }

    /// `Forget`: the key synced; its back-off starts again from the beginning.
    pub fn forget(&mut self, key: &ObjKey) {
        self.failures.remove(key);
    }

    /// The keys to reconcile at `now`: those queued and those that fell due, each once, in
    /// key order.
    pub fn take(&mut self, now: Tick) -> Vec<ObjKey> {
        let later = self.due.split_off(&now.plus_s(1));
        let ready = std::mem::replace(&mut self.due, later);
        for (_, keys) in ready {
            self.dirty.extend(keys);
        }
        std::mem::take(&mut self.dirty).into_iter().collect()
    }

    /// Whether a key is queued or due at `now`.
    pub fn has_work(&self, now: Tick) -> bool {
        !self.dirty.is_empty() || self.due.keys().next().is_some_and(|t| *t <= now)
    }

    /// Whether nothing is queued or due.
    pub fn is_idle(&self) -> bool {
        self.dirty.is_empty() && self.due.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_keys_come_back_once_at_their_tick() {
        let mut q = WorkQueue::default();
        let k = ObjKey::new("default", "web");
        q.add_at(k.clone(), Tick(5), Tick(1));
        q.add_at(k.clone(), Tick(7), Tick(1));
        assert!(q.take(Tick(4)).is_empty());
        assert_eq!(q.take(Tick(5)), vec![k.clone()]);
        assert!(q.take(Tick(6)).is_empty());
        q.add(k.clone());
        assert_eq!(q.take(Tick(9)), vec![k]);
        assert!(q.is_idle());
    }
}
