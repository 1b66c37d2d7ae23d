//! An ordered map with a hash index, for the simulation's large maps keyed by strings (the
//! store's objects by namespace and name, the kubelets' runtime states by uid).
//!
//! Those maps must be read in key order: lists come out sorted as the API server returns
//! them, and controllers go over objects in that order, which the simulation's determinism
//! rests on. But most of their use is finding one entry, and a B-tree of a hundred thousand
//! string keys finds one by some thirty comparisons, each reading a string through a pointer:
//! at the largest sizes those reads miss the cache, and finding was a large part of the
//! engine's time. Here the entries live in a slab; a B-tree from key to slot keeps the order,
//! and a hash table of slots (hashbrown's `HashTable`, given fixed-seed hashes) finds a key
//! with one or two comparisons.
//!
//! Deterministic: the hash has no random state, and nothing is ever read in slot or table
//! order; iteration always follows the B-tree.
//!
//! Maps that are only looked up need no B-tree at all (and no second copy of each key):
//! [`LookupMap`] and [`LookupSet`] are hashbrown's hash map and set, with the same fixed-seed
//! hash, wrapped so that they can only be looked up: they cannot be iterated, so their table
//! order cannot reach behaviour or output (the only hashed collections `sim` may use:
//! `tests/it/architecture.rs` forbids the others).

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::ops::RangeBounds;

use foldhash::quality::FixedState;
use hashbrown::HashTable;

pub use hashbrown::Equivalent;

/// A map only looked up (see the module doc): hashbrown's, with a fixed-seed hash
/// (foldhash's `FixedState::default()`, which is `with_seed(0)`), and no iteration.
#[derive(Clone)]
pub struct LookupMap<K, V>(hashbrown::HashMap<K, V, FixedState>);

impl<K, V> Default for LookupMap<K, V> {
    fn default() -> Self {
        LookupMap(hashbrown::HashMap::default())
    }
}

impl<K: Hash + Eq, V> LookupMap<K, V> {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// Room for `n` more entries.
    pub fn reserve(&mut self, n: usize) {
        self.0.reserve(n);
    }

    pub fn get<Q: Hash + Equivalent<K> + ?Sized>(&self, q: &Q) -> Option<&V> {
        self.0.get(q)
    }

    pub fn get_mut<Q: Hash + Equivalent<K> + ?Sized>(&mut self, q: &Q) -> Option<&mut V> {
        self.0.get_mut(q)
    }

    /// The stored key with the value, as when the key is shared (`Arc`) with other tables.
    pub fn get_key_value_mut<Q: Hash + Equivalent<K> + ?Sized>(&mut self, q: &Q) -> Option<(&K, &mut V)> {
        self.0.get_key_value_mut(q)
    }

    pub fn contains_key<Q: Hash + Equivalent<K> + ?Sized>(&self, q: &Q) -> bool {
        self.0.contains_key(q)
    }

    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.0.insert(key, value)
    }

    pub fn remove<Q: Hash + Equivalent<K> + ?Sized>(&mut self, q: &Q) -> Option<V> {
        self.0.remove(q)
    }

    pub fn entry(&mut self, key: K) -> hashbrown::hash_map::Entry<'_, K, V, FixedState> {
        self.0.entry(key)
    }

    /// Keeps the entries `keep` holds to. It sees them in table order, so it must decide each
    /// entry by that entry alone (as a prune by reference count does).
    pub fn retain(&mut self, keep: impl FnMut(&K, &mut V) -> bool) {
        self.0.retain(keep);
    }

    /// The entry of a borrowed key: the key is made (`K: From<&Q>`) only if it is inserted.
    pub fn entry_ref<'a, 'b, Q: Hash + Equivalent<K> + ?Sized>(
        &'a mut self,
        q: &'b Q,
    ) -> hashbrown::hash_map::EntryRef<'a, 'b, K, Q, V, FixedState> {
        self.0.entry_ref(q)
    }
}

impl<K: Hash + Eq, V: PartialEq> PartialEq for LookupMap<K, V> {
    /// The same entries (in no order).
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<K: Hash + Eq, V> FromIterator<(K, V)> for LookupMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        LookupMap(iter.into_iter().collect())
    }
}

/// A set only looked up (see the module doc): hashbrown's, with a fixed-seed hash, and no
/// iteration.
#[derive(Clone)]
pub struct LookupSet<T>(hashbrown::HashSet<T, FixedState>);

impl<T> Default for LookupSet<T> {
    fn default() -> Self {
        LookupSet(hashbrown::HashSet::default())
    }
}

impl<T: Hash + Eq> LookupSet<T> {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// The element equal to `q`.
    pub fn get<Q: Hash + Equivalent<T> + ?Sized>(&self, q: &Q) -> Option<&T> {
        self.0.get(q)
    }

    pub fn contains<Q: Hash + Equivalent<T> + ?Sized>(&self, q: &Q) -> bool {
        self.0.contains(q)
    }

    /// Whether `t` was not there yet.
    pub fn insert(&mut self, t: T) -> bool {
        self.0.insert(t)
    }

    /// Whether `q` was there.
    pub fn remove<Q: Hash + Equivalent<T> + ?Sized>(&mut self, q: &Q) -> bool {
        self.0.remove(q)
    }

    /// Keeps the elements for which `keep` holds. Each is kept or dropped on its own, so the
    /// table order in which they are offered does not matter.
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.0.retain(keep);
    }
}

impl<T: Hash + Eq> PartialEq for LookupSet<T> {
    /// The same elements (in no order).
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<T: Hash + Eq> FromIterator<T> for LookupSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        LookupSet(iter.into_iter().collect())
    }
}

/// Debug-formats `items` in the order of their texts, not the table's: the same text
/// whatever order the table holds them in.
fn debug_sorted(f: &mut fmt::Formatter<'_>, items: impl Iterator<Item = String>) -> fmt::Result {
    /// Written as is (already formatted).
    struct Text(String);
    impl fmt::Debug for Text {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.0)
        }
    }
    let mut items: Vec<String> = items.collect();
    items.sort_unstable();
    f.debug_set().entries(items.into_iter().map(Text)).finish()
}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for LookupMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_sorted(f, self.0.iter().map(|(k, v)| format!("{k:?}: {v:?}")))
    }
}

impl<T: fmt::Debug> fmt::Debug for LookupSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_sorted(f, self.0.iter().map(|t| format!("{t:?}")))
    }
}

/// A fixed-seed hash: the same in every run.
fn hash_of<Q: Hash + ?Sized>(q: &Q) -> u64 {
    FixedState::with_seed(0).hash_one(q)
}

/// One entry: its key's hash (kept, so that growing the table reads no key), key and value.
#[derive(Clone)]
struct Slot<K, V> {
    hash: u64,
    key: K,
    value: V,
}

/// A `BTreeMap`-like map whose lookups by key go through a hash table (see the module doc).
/// A key type and the types it is looked up by (`Borrow`) must hash alike, as for `LookupMap`.
#[derive(Clone)]
pub struct IndexedMap<K, V> {
    /// Key → slot: the order of iteration.
    order: BTreeMap<K, u32>,
    slots: Vec<Option<Slot<K, V>>>,
    /// Slots emptied by removals, reused by later insertions.
    free: Vec<u32>,
    /// The filled slots, by their keys' hashes.
    index: HashTable<u32>,
}

impl<K, V> Default for IndexedMap<K, V> {
    fn default() -> Self {
        IndexedMap { order: BTreeMap::new(), slots: Vec::new(), free: Vec::new(), index: HashTable::new() }
    }
}

impl<K: Ord + Hash + Clone, V> IndexedMap<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The slot holding `q`.
    fn find<Q>(&self, hash: u64, q: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Eq + ?Sized,
    {
        let slots = &self.slots;
        self.index
            .find(hash, |&i| slots[i as usize].as_ref().is_some_and(|s| s.hash == hash && s.key.borrow() == q))
            .copied()
    }

    pub fn get<Q>(&self, q: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.find(hash_of(q), q)?;
        self.slots[i as usize].as_ref().map(|s| &s.value)
    }

    pub fn get_key_value<Q>(&self, q: &Q) -> Option<(&K, &V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.find(hash_of(q), q)?;
        self.slots[i as usize].as_ref().map(|s| (&s.key, &s.value))
    }

    pub fn get_mut<Q>(&mut self, q: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.find(hash_of(q), q)?;
        self.slots[i as usize].as_mut().map(|s| &mut s.value)
    }

    /// The stored key and the value, for change.
    pub fn get_key_value_mut<Q>(&mut self, q: &Q) -> Option<(&K, &mut V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.find(hash_of(q), q)?;
        self.slots[i as usize].as_mut().map(|s| (&s.key, &mut s.value))
    }

    pub fn contains_key<Q>(&self, q: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find(hash_of(q), q).is_some()
    }

    /// Stores `value` under `key`, returning the value it replaces (as `BTreeMap::insert`;
    /// a key already there is kept, not replaced).
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let hash = hash_of(&key);
        if let Some(i) = self.find(hash, &key) {
            let slot = self.slots[i as usize].as_mut().expect("an indexed slot is filled");
            return Some(std::mem::replace(&mut slot.value, value));
        }
        self.add(hash, key, value);
        None
    }

    /// The value under `key`, made by `make` (and stored) if there is none.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let hash = hash_of(&key);
        let i = match self.find(hash, &key) {
            Some(i) => i,
            None => self.add(hash, key, make()),
        };
        &mut self.slots[i as usize].as_mut().expect("an indexed slot is filled").value
    }

    /// Stores a key known to be absent.
    fn add(&mut self, hash: u64, key: K, value: V) -> u32 {
        let i = match self.free.pop() {
            Some(i) => i,
            None => {
                self.slots.push(None);
                u32::try_from(self.slots.len() - 1).expect("fewer than 2^32 entries")
            }
        };
        self.order.insert(key.clone(), i);
        self.slots[i as usize] = Some(Slot { hash, key, value });
        let slots = &self.slots;
        self.index.insert_unique(hash, i, |&j| slots[j as usize].as_ref().map_or(0, |s| s.hash));
        i
    }

    pub fn remove<Q>(&mut self, q: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.remove_entry(q).map(|(_, v)| v)
    }

    pub fn remove_entry<Q>(&mut self, q: &Q) -> Option<(K, V)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = hash_of(q);
        let slots = &self.slots;
        let entry = self
            .index
            .find_entry(hash, |&i| slots[i as usize].as_ref().is_some_and(|s| s.hash == hash && s.key.borrow() == q))
            .ok()?;
        let (i, _) = entry.remove();
        let slot = self.slots[i as usize].take().expect("an indexed slot is filled");
        self.order.remove::<K>(&slot.key);
        self.free.push(i);
        Some((slot.key, slot.value))
    }

    fn at(&self, i: u32) -> &V {
        &self.slots[i as usize].as_ref().expect("an ordered slot is filled").value
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + '_ {
        self.order.iter().map(|(k, &i)| (k, self.at(i)))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + '_ {
        self.order.keys()
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + '_ {
        self.order.values().map(|&i| self.at(i))
    }

    /// The values in key order, for change.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> + '_ {
        // Each slot is handed out once, in the order's turn.
        let mut refs: Vec<Option<&mut V>> = self.slots.iter_mut().map(|s| s.as_mut().map(|s| &mut s.value)).collect();
        self.order.values().map(move |&i| refs[i as usize].take().expect("each slot is ordered once"))
    }

    /// The entries whose keys are in `range`, in key order.
    pub fn range<Q, R>(&self, range: R) -> impl DoubleEndedIterator<Item = (&K, &V)> + '_
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
        R: RangeBounds<Q>,
    {
        self.order.range(range).map(|(k, &i)| (k, self.at(i)))
    }
}

impl<K: Ord + Hash + Clone + fmt::Debug, V: fmt::Debug> fmt::Debug for IndexedMap<K, V> {
    /// As the plain ordered map.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Ord + Hash + Clone, V: PartialEq> PartialEq for IndexedMap<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl<K: Ord + Hash + Clone, V> FromIterator<(K, V)> for IndexedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut m = IndexedMap::new();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Borrowed lookups, and equality and Debug text whatever the tables' layouts (sized
    /// differently, filled in opposite orders).
    #[test]
    fn lookup_maps_find_by_borrowed_keys_and_print_in_key_text_order() {
        let (mut a, mut b): (LookupMap<String, u32>, LookupMap<String, u32>) = Default::default();
        a.reserve(1000);
        for i in 0..200 {
            a.insert(format!("k{i}"), i);
        }
        for i in (0..200).rev() {
            *b.entry_ref("k0").or_default() += 0;
            b.insert(format!("k{i}"), i);
        }
        assert_eq!((a.get("k7").copied(), a.get_mut("k8").copied(), a.contains_key("k200")), (Some(7), Some(8), false));
        assert!(a == b);
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        assert!(format!("{a:?}").starts_with(r#"{"k0": 0, "k1": 1, "k10": 10,"#));
        assert_eq!(a.remove("k7"), Some(7));
        assert!(a != b && a.len() == 199);

        let mut s: LookupSet<String> = (0..50).map(|i| format!("s{i}")).collect();
        assert!(s.contains("s3") && s.get("s4").is_some_and(|x| x == "s4") && !s.insert("s5".into()));
        s.retain(|x| x.len() == 2);
        assert_eq!((s.len(), s.remove("s9"), s.remove("s10")), (10, true, false));
        assert_eq!(format!("{s:?}"), r#"{"s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"}"#);
    }

    /// Random inserts, replacements and removals, each checked against a `BTreeMap`: every
    /// lookup, the order, and reuse of emptied slots.
    #[test]
    fn behaves_as_an_ordered_map() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut m: IndexedMap<String, u32> = IndexedMap::new();
        let mut want: BTreeMap<String, u32> = BTreeMap::new();
        for step in 0..20_000u32 {
            let key = format!("pod-{}", rng.gen_range(0..600));
            match rng.gen_range(0..4) {
                0 | 1 => assert_eq!(m.insert(key.clone(), step), want.insert(key, step)),
                2 => assert_eq!(m.remove(key.as_str()), want.remove(&key)),
                _ => {
                    *m.get_or_insert_with(key.clone(), || step) += 1;
                    *want.entry(key).or_insert(step) += 1;
                }
            }
            if step % 499 == 0 {
                assert!(m.iter().eq(want.iter()));
                for i in 0..600 {
                    let k = format!("pod-{i}");
                    assert_eq!(m.get(k.as_str()), want.get(&k));
                    assert_eq!(m.contains_key(k.as_str()), want.contains_key(&k));
                }
                let (a, b) = ("pod-3".to_string(), "pod-5".to_string());
                assert!(m.range::<String, _>(a.clone()..b.clone()).eq(want.range(a..b)));
            }
        }
        assert_eq!(m.len(), want.len());
        assert!(m.slots.len() <= 600, "emptied slots are reused");
        for v in m.values_mut() {
            *v += 1;
        }
        assert!(m.values().eq(want.values().map(|v| v + 1).collect::<Vec<_>>().iter()));
        assert_eq!(format!("{:?}", m.iter().collect::<BTreeMap<_, _>>()), format!("{m:?}"));
    }
}
