//! A map from a 64-bit hash to a value, kept in one vector of slots (open addressing with
//! linear probing): the event table's indexes are keyed by hashes of their contents and are
//! only looked up, never read in order, so they need no ordered map. A lookup is one or two
//! cache lines instead of a descent through a B-tree of a hundred thousand keys.
//!
//! It is deterministic: no random state, and the slot a hash lands in depends only on the
//! hashes inserted and removed before it. Nothing reads the slots in order to make output
//! ([`HashSlots::retain`] visits them in slot order, to drop values, never to report them).

/// Hash → value, for hashes spread over all 64 bits (the slot is taken from the low bits).
#[derive(Clone, Debug)]
pub(super) struct HashSlots<V> {
    /// A power of two long (or empty); `None` is a free slot.
    slots: Vec<Option<(u64, V)>>,
    len: usize,
}

impl<V> Default for HashSlots<V> {
    fn default() -> Self {
        HashSlots { slots: Vec::new(), len: 0 }
    }
}

impl<V> HashSlots<V> {
    fn mask(&self) -> usize {
        self.slots.len().wrapping_sub(1)
    }

    /// The slot holding `h`, if any.
    fn find(&self, h: u64) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        let mask = self.mask();
        let mut i = h as usize & mask;
        loop {
            match &self.slots[i] {
                None => return None,
                Some((k, _)) if *k == h => return Some(i),
                Some(_) => i = (i + 1) & mask,
            }
        }
    }

    pub(super) fn get(&self, h: u64) -> Option<&V> {
        let i = self.find(h)?;
        self.slots[i].as_ref().map(|(_, v)| v)
    }

    pub(super) fn get_mut(&mut self, h: u64) -> Option<&mut V> {
        let i = self.find(h)?;
        self.slots[i].as_mut().map(|(_, v)| v)
    }

    /// The value of `h`, made with `make` if there is none.
    pub(super) fn get_or_insert_with(&mut self, h: u64, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(h) {
            Some(i) => i,
            None => {
                // At most three quarters full: probes stay short.
                if (self.len + 1) * 4 > self.slots.len() * 3 {
                    self.grow();
                }
                let mask = self.mask();
                let mut i = h as usize & mask;
                while self.slots[i].is_some() {
                    i = (i + 1) & mask;
                }
                self.slots[i] = Some((h, make()));
                self.len += 1;
                i
            }
        };
        match &mut self.slots[i] {
            Some((_, v)) => v,
            None => unreachable!("the slot was just found or filled"),
        }
    }

    /// Takes out the value of `h`.
    pub(super) fn remove(&mut self, h: u64) -> Option<V> {
        let i = self.find(h)?;
        self.remove_at(i)
    }

    /// Takes out the value in slot `hole`.
    fn remove_at(&mut self, mut hole: usize) -> Option<V> {
        let (_, v) = self.slots[hole].take()?;
        self.len -= 1;
        // Backward-shift deletion: move later entries of the probe run into the hole when
        // their home slot is not between the hole and where they are, so that every entry
        // stays reachable from its home slot without tombstones.
        let mask = self.mask();
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            let Some((k, _)) = &self.slots[j] else { break };
            let home = *k as usize & mask;
            // Distance from home to j, and from home to the hole, going forward around.
            if (j.wrapping_sub(home) & mask) >= (hole.wrapping_sub(home) & mask) {
                self.slots[hole] = self.slots[j].take();
                hole = j;
            }
        }
        Some(v)
    }

    /// Keeps only the values for which `keep` holds (it may change them first). `keep` must
    /// give the same answer when asked again about a value it kept (it may be: a removal
    /// can shift a value it has seen into a slot not yet visited).
    pub(super) fn retain(&mut self, mut keep: impl FnMut(&mut V) -> bool) {
        // In place: a table where nearly everything is kept costs one pass and no copy.
        let mut i = 0;
        while i < self.slots.len() {
            let drop = match &mut self.slots[i] {
                Some((_, v)) => !keep(v),
                None => false,
            };
            if drop {
                // The slot now holds the next entry of its run, if any: look at it again.
                self.remove_at(i);
            } else {
                i += 1;
            }
        }
    }

    pub(super) fn values(&self) -> impl Iterator<Item = &V> {
        self.slots.iter().flatten().map(|(_, v)| v)
    }

    fn capacity_for(n: usize) -> usize {
        // Half full after growing.
        (n * 2).next_power_of_two().max(8)
    }

    fn empty_slots(n: usize) -> Vec<Option<(u64, V)>> {
        std::iter::repeat_with(|| None).take(n).collect()
    }

    /// Inserts a hash known to be absent, with room known to be there.
    fn put_new(&mut self, h: u64, v: V) {
        let mask = self.mask();
        let mut i = h as usize & mask;
        while self.slots[i].is_some() {
            i = (i + 1) & mask;
        }
        self.slots[i] = Some((h, v));
        self.len += 1;
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.len = 0;
        self.slots = Self::empty_slots(Self::capacity_for(old.len().max(4)));
        for (h, v) in old.into_iter().flatten() {
            self.put_new(h, v);
        }
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
            assert_eq!(t.len, m.len());
            for (k, v) in &m {
                assert_eq!(t.get(*k), Some(v));
            }
            assert_eq!(t.get(h), m.get(&h));
        }
        let mut vals: Vec<u32> = t.values().copied().collect();
        vals.sort_unstable();
        let mut want: Vec<u32> = m.values().copied().collect();
        want.sort_unstable();
        assert_eq!(vals, want);
    }
}
