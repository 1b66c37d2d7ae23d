//! A map from a 64-bit hash to a value: the event table's indexes are keyed by hashes of
//! their contents and are only looked up, never read in order, so they need no ordered map.
//! A lookup is one or two cache lines instead of a descent through a B-tree of a hundred
//! thousand keys. The table is hashbrown's `HashTable`, given the hash itself.
//!
//! It is deterministic: no random state (the hash is the caller's, from fixed-seed hashing),
//! and where a value sits depends only on the hashes inserted and removed before it. Nothing
//! reads the values in table order to make output ([`HashSlots::retain`] and
//! [`HashSlots::values`] are for dropping values and for tests).

use hashbrown::HashTable;

/// Hash → value, for hashes spread over all 64 bits.
#[derive(Clone, Debug)]
pub(super) struct HashSlots<V> {
    table: HashTable<(u64, V)>,
}

impl<V> Default for HashSlots<V> {
    fn default() -> Self {
        HashSlots { table: HashTable::new() }
    }
}

impl<V> HashSlots<V> {
    pub(super) fn get(&self, h: u64) -> Option<&V> {
        self.table.find(h, |(k, _)| *k == h).map(|(_, v)| v)
    }

    pub(super) fn get_mut(&mut self, h: u64) -> Option<&mut V> {
        self.table.find_mut(h, |(k, _)| *k == h).map(|(_, v)| v)
    }

    /// The value of `h`, made with `make` if there is none.
    pub(super) fn get_or_insert_with(&mut self, h: u64, make: impl FnOnce() -> V) -> &mut V {
        let entry = self.table.entry(h, |(k, _)| *k == h, |(k, _)| *k);
        &mut entry.or_insert_with(|| (h, make())).into_mut().1
    }

    /// Takes out the value of `h`.
    pub(super) fn remove(&mut self, h: u64) -> Option<V> {
        let entry = self.table.find_entry(h, |(k, _)| *k == h).ok()?;
        Some(entry.remove().0 .1)
    }

    /// Keeps only the values for which `keep` holds (it may change them first).
    pub(super) fn retain(&mut self, mut keep: impl FnMut(&mut V) -> bool) {
        self.table.retain(|(_, v)| keep(v));
    }

    pub(super) fn values(&self) -> impl Iterator<Item = &V> {
        self.table.iter().map(|(_, v)| v)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.table.len()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Random inserts, removals and retains agree with an ordered map, including hashes that
    /// share their low bits (long probe runs that wrap around the end).
    #[test]
    fn agrees_with_an_ordered_map() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut t: HashSlots<u32> = HashSlots::default();
        let mut m: BTreeMap<u64, u32> = BTreeMap::new();
        for step in 0..20_000u32 {
            // Few distinct low bits, so that runs collide and wrap.
            let h =
                (rng.gen_range(0..64u64) << 40) | rng.gen_range(0..16u64) | if rng.gen::<bool>() { 0 } else { 0x3f0 };
            match rng.gen_range(0..10) {
                0..=4 => {
                    *t.get_or_insert_with(h, || 0) += step;
                    *m.entry(h).or_insert(0) += step;
                }
                5..=8 => assert_eq!(t.remove(h), m.remove(&h)),
                _ => {
                    if step % 50 == 0 {
                        t.retain(|v| *v % 3 != 0);
                        m.retain(|_, v| *v % 3 != 0);
                    }
                }
            }
            assert_eq!(t.len(), m.len());
            assert_eq!(t.get(h), m.get(&h));
            // Every entry, now and then (every step would make this test take minutes in a
            // debug build).
            if step % 97 == 0 {
                for (k, v) in &m {
                    assert_eq!(t.get(*k), Some(v));
                }
            }
        }
        let mut vals: Vec<u32> = t.values().copied().collect();
        vals.sort_unstable();
        let mut want: Vec<u32> = m.values().copied().collect();
        want.sort_unstable();
        assert_eq!(vals, want);
    }
}
