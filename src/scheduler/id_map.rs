//! [`IdMap`]: values keyed by a shared string (a job id, a name, a trigger's text) — the
//! hash table type of the scheduler's maps, except the jobs of a store (see below).
//!
//! Whatever the value type, the hash table inside is always `HashMap<Arc<str>, usize>`
//! (key → position in a dense `Vec` of the entries). The standard library's table code is
//! generic over key and value, so every distinct pair compiles to its own copy of it;
//! with one pair the wasm carries one copy, and each value type adds only a little `Vec`
//! code. A lookup is one probe of the table and one index into the `Vec`: one cache miss
//! more than a `HashMap<Arc<str>, T>` when the map is large, which is why a store's jobs,
//! looked up twice for each due run, keep a `HashMap` of their own (`store.rs`).
//!
//! Removal moves the last entry into the hole (O(1)), so entries are in no particular
//! order.

use std::collections::HashMap;
use std::sync::Arc;

use super::fnv::FnvBuild;

/// Values of type `T` by a string key, each found in O(1).
#[derive(Debug)]
pub(crate) struct IdMap<T> {
    /// Key → position in `entries`.
    index: HashMap<Arc<str>, usize, FnvBuild>,
    /// The entries, each with its key (to fix the index of the entry a removal moves).
    entries: Vec<(Arc<str>, T)>,
}

impl<T> Default for IdMap<T> {
    fn default() -> IdMap<T> {
        IdMap { index: HashMap::default(), entries: Vec::new() }
    }
}

impl<T> IdMap<T> {
    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether an entry has key `key`.
    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.index.contains_key(key)
    }

    /// The stored (shared) key equal to `key`.
    pub(crate) fn key(&self, key: &str) -> Option<&Arc<str>> {
        self.index.get_key_value(key).map(|(k, _)| k)
    }

    /// The value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&T> {
        let i = *self.index.get(key)?;
        Some(&self.entries[i].1)
    }

    /// The value of `key`, to change it in place.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut T> {
        let i = *self.index.get(key)?;
        Some(&mut self.entries[i].1)
    }

    /// The value of `key`, first inserting `make()` when there is none.
    pub(crate) fn get_or_insert_with(&mut self, key: &Arc<str>, make: impl FnOnce() -> T) -> &mut T {
        let i = match self.index.get(&**key) {
            Some(&i) => i,
            None => {
                let i = self.entries.len();
                self.index.insert(key.clone(), i);
                self.entries.push((key.clone(), make()));
                i
            }
        };
        &mut self.entries[i].1
    }

    /// Sets the value of `key`, returning the one it replaces (the stored key is kept).
    pub(crate) fn insert(&mut self, key: Arc<str>, value: T) -> Option<T> {
        match self.index.get(&*key) {
            Some(&i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            None => {
                self.index.insert(key.clone(), self.entries.len());
                self.entries.push((key, value));
                None
            }
        }
    }

    /// Removes the entry of `key` and returns its value.
    pub(crate) fn remove(&mut self, key: &str) -> Option<T> {
        let i = self.index.remove(key)?;
        let (_, value) = self.entries.swap_remove(i);
        if let Some((moved, _)) = self.entries.get(i) {
            if let Some(at) = self.index.get_mut(&**moved) {
                *at = i;
            }
        }
        Some(value)
    }

    /// Removes every entry.
    pub(crate) fn clear(&mut self) {
        self.index.clear();
        self.entries.clear();
    }

    /// Keeps only the entries for which `keep` returns `true` (O(n): the index is rebuilt).
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&Arc<str>, &mut T) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
        self.index.clear();
        for (i, (k, _)) in self.entries.iter().enumerate() {
            self.index.insert(k.clone(), i);
        }
    }

    /// Every entry, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &T)> + '_ {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Arc<str> {
        Arc::from(s)
    }

    #[test]
    fn insert_get_replace_remove() {
        let mut m: IdMap<u8> = IdMap::default();
        assert_eq!(m.insert(key("a"), 1), None);
        assert_eq!(m.insert(key("b"), 2), None);
        assert_eq!(m.insert(key("c"), 3), None);
        assert_eq!(m.insert(key("a"), 10), Some(1));
        assert_eq!((m.len(), m.get("a"), m.get("z")), (3, Some(&10), None));
        // Removing the first entry moves the last one ("c") into its place.
        assert_eq!(m.remove("a"), Some(10));
        assert_eq!(m.remove("a"), None);
        assert_eq!((m.get("b"), m.get("c"), m.len()), (Some(&2), Some(&3), 2));
        *m.get_mut("c").unwrap() += 1;
        assert_eq!(m.remove("c"), Some(4));
        assert_eq!((m.get("b"), m.len()), (Some(&2), 1));
        assert_eq!(m.remove("b"), Some(2));
        assert_eq!(m.len(), 0);
    }

    #[test]
    fn removals_in_any_order_keep_every_other_entry_reachable() {
        let mut m: IdMap<usize> = IdMap::default();
        for i in 0..200 {
            m.insert(key(&i.to_string()), i);
        }
        // Remove every third, from the middle outwards.
        for i in (0..200).filter(|i| i % 3 == 0).rev() {
            assert_eq!(m.remove(&i.to_string()), Some(i));
        }
        for i in 0..200 {
            assert_eq!(m.get(&i.to_string()).copied(), (i % 3 != 0).then_some(i), "{i}");
        }
        assert_eq!(m.len(), 200 - 67);
    }

    #[test]
    fn retain_key_and_get_or_insert_with() {
        let mut m: IdMap<Vec<u8>> = IdMap::default();
        let a = key("a");
        m.get_or_insert_with(&a, Vec::new).push(1);
        m.get_or_insert_with(&key("a"), Vec::new).push(2);
        m.get_or_insert_with(&key("b"), Vec::new).push(3);
        assert_eq!(m.get("a"), Some(&vec![1, 2]));
        assert!(Arc::ptr_eq(m.key("a").unwrap(), &a), "the first key is kept");
        m.retain(|k, v| {
            v.push(9);
            &**k != "a"
        });
        assert_eq!((m.get("a"), m.get("b"), m.len()), (None, Some(&vec![3, 9]), 1));
        let mut keys: Vec<_> = m.iter().map(|(k, _)| k.to_string()).collect();
        keys.sort();
        assert_eq!(keys, ["b"]);
        m.clear();
        assert!(!m.contains_key("b") && m.len() == 0);
    }
}
