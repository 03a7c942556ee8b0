//! The due index: one store's jobs ordered by `due_at`, then id.
//!
//! A binary min-heap of `(due_at, id key)` entries, kept the way timer queues are: a
//! change of a job's `due_at` pushes a new entry and leaves the old one behind as *stale*
//! (its job is gone or now sits at another slot); stale entries are dropped when they
//! reach the top, and the heap is rebuilt from the jobs when they outnumber the live ones.
//! A tick's due job is the top, so its move is one entry replaced in place and sunk; the
//! earliest `due_at` is the top; the k jobs due at a tick are found in O(k log k) without
//! taking them out, and `get_jobs` orders a copy (O(n log n)): APScheduler's order (next
//! run time, then id, paused jobs last) for jobs without jitter, which have
//! `due_at == next_run_time`. Paused jobs sit in the same heap under [`PAUSED`], an instant
//! after every real one. The id key carries the id's first 16 bytes as a number, so
//! ordering rarely has to read the id string itself.
//!
//! Why not `BTreeSet`: the wasm would link a second copy of the B-tree code (`serde_json`'s
//! maps link one). The heap makes the bundled app 2.4 KB smaller gzipped and a job 31 bytes
//! smaller, `next_wakeup` twice as fast, for ~4% more time per due run on the 100k-job bench
//! (README, size section).
//!
//! Whether an entry is live is the store's answer ([`Slots`]): the index itself holds no
//! map of its jobs.

use std::sync::Arc;

use crate::time::Timestamp;

/// Where paused jobs (no `due_at`) sort in the index: after every real instant
/// (`Timestamp::MAX` is the last representable one), so they come last, by id.
const PAUSED: Timestamp = Timestamp::from_micros(i64::MAX);

/// The index position of a job with this `due_at` (`None` = paused).
fn slot(due_at: Option<Timestamp>) -> Timestamp {
    due_at.unwrap_or(PAUSED)
}

/// One index entry: a job's slot and its id key.
type Entry = (Timestamp, IdKey);

/// The store's view of its jobs for the index: how many there are, and job `id`'s current
/// `due_at` (`Some(None)`: paused; `None`: no such job). An entry is live when its job is
/// at the entry's slot.
#[derive(Clone, Copy)]
pub(crate) struct Slots<'a> {
    /// The number of jobs in the store.
    pub(crate) count: usize,
    /// The `due_at` of a job by id.
    pub(crate) of: &'a dyn Fn(&str) -> Option<Option<Timestamp>>,
}

impl Slots<'_> {
    fn is_live(&self, entry: &Entry) -> bool {
        (self.of)(&entry.1 .1).is_some_and(|due_at| slot(due_at) == entry.0)
    }
}

/// The jobs of one store by `due_at`, then id; paused jobs last.
///
/// Invariant (after [`settle`](Self::settle)): the top entry, if any, is live; every job
/// of the store has one live entry (and may have equal duplicates: a job moved away from a
/// slot and back); the other entries are stale.
#[derive(Debug, Default)]
pub(crate) struct DueIndex {
    heap: Heap,
}

impl DueIndex {
    /// Adds job `id` at `due_at`.
    pub(crate) fn insert(&mut self, due_at: Option<Timestamp>, id: &Arc<str>) {
        self.heap.push((slot(due_at), IdKey::new(id)));
    }

    /// Moves job `id` from `from` to `to`: its entry at `from` goes stale, or, when it is
    /// the top (a tick's due job always is), moves to `to` in place, keeping its key.
    pub(crate) fn shift(&mut self, id: &Arc<str>, from: Option<Timestamp>, to: Option<Timestamp>) {
        if slot(from) != slot(to) {
            match self.heap.0.first_mut() {
                Some(top) if top.0 == slot(from) && *top.1 .1 == **id => {
                    top.0 = slot(to);
                    self.heap.sift_down(0);
                }
                _ => self.heap.push((slot(to), IdKey::new(id))),
            }
        }
    }

    /// Empties the index.
    pub(crate) fn clear(&mut self) {
        self.heap.0.clear();
    }

    /// Whether stale entries outnumber the live ones of a store of `count` jobs: then the
    /// store [`rebuild`](Self::rebuild)s the index.
    pub(crate) fn wants_rebuild(&self, count: usize) -> bool {
        self.heap.0.len() > 2 * count + 64
    }

    /// Whether every entry may be live and unique (one per job): then no entry needs
    /// checking.
    fn exact(&self, slots: Slots<'_>) -> bool {
        self.heap.0.len() <= slots.count
    }

    /// Indexes exactly `jobs` (`(due_at, id)` of each of the store's jobs), in O(n).
    pub(crate) fn rebuild<'j>(&mut self, jobs: impl Iterator<Item = (Option<Timestamp>, &'j Arc<str>)>) {
        self.heap.0.clear();
        self.heap.0.extend(jobs.map(|(due_at, id)| (slot(due_at), IdKey::new(id))));
        self.heap.heapify();
    }

    /// Restores the invariant after the store's jobs changed: drops stale entries from the
    /// top.
    pub(crate) fn settle(&mut self, slots: Slots<'_>) {
        while !self.exact(slots) && self.heap.0.first().is_some_and(|top| !slots.is_live(top)) {
            self.heap.pop();
        }
    }

    /// The earliest `due_at` of an unpaused job.
    pub(crate) fn earliest(&self) -> Option<Timestamp> {
        self.heap.0.first().map(|(t, _)| *t).filter(|t| *t != PAUSED)
    }

    /// Ids of the jobs due at `now` (`due_at <= now`), earliest first, then by id. `now`
    /// is a real instant, so paused jobs (at `PAUSED`) are never reached.
    pub(crate) fn due_ids(&self, now: Timestamp, slots: Slots<'_>) -> Vec<Arc<str>> {
        self.ids_until(now, slots)
    }

    /// Every id in index order: by `due_at`, then id; paused jobs last (by id).
    pub(crate) fn ids(&self, slots: Slots<'_>) -> Vec<Arc<str>> {
        self.ids_until(PAUSED, slots)
    }

    /// The ids of the live entries at or before `until`, in order. They are the heap's
    /// top, a subtree from the root (no entry sorts before its parent), collected into a
    /// heap of their own that gives them out in order.
    fn ids_until(&self, until: Timestamp, slots: Slots<'_>) -> Vec<Arc<str>> {
        let exact = self.exact(slots);
        let mut found = Heap::default();
        let mut todo = vec![0];
        while let Some(i) = todo.pop() {
            if let Some(e) = self.heap.0.get(i).filter(|e| e.0 <= until) {
                if exact || slots.is_live(e) {
                    found.push(e.clone());
                }
                todo.extend([2 * i + 1, 2 * i + 2]);
            }
        }
        found.into_ids()
    }
}

/// A binary min-heap of entries in a `Vec` (the root at 0, the children of `i` at `2i + 1`
/// and `2i + 2`), with the few operations the index needs. (Measured on the 100k-job
/// bench: a 4-ary heap and std's sink-to-the-bottom pop were both slower here.)
#[derive(Debug, Default)]
struct Heap(Vec<Entry>);

impl Heap {
    /// Adds `entry`.
    fn push(&mut self, entry: Entry) {
        self.0.push(entry);
        let mut i = self.0.len() - 1;
        while i > 0 {
            let parent = (i - 1) / 2;
            if self.0[parent] <= self.0[i] {
                break;
            }
            self.0.swap(parent, i);
            i = parent;
        }
    }

    /// Takes the least entry: the last one takes its place and sinks.
    fn pop(&mut self) -> Option<Entry> {
        let last = self.0.pop()?;
        let Some(top) = self.0.first_mut() else { return Some(last) };
        let least = std::mem::replace(top, last);
        self.sift_down(0);
        Some(least)
    }

    /// Moves entry `i` down until it is not after its children.
    fn sift_down(&mut self, mut i: usize) {
        loop {
            let left = 2 * i + 1;
            let child = match self.0.get(left + 1) {
                Some(right) if *right < self.0[left] => left + 1,
                _ if left < self.0.len() => left,
                _ => return,
            };
            if self.0[i] <= self.0[child] {
                return;
            }
            self.0.swap(i, child);
            i = child;
        }
    }

    /// Orders the entries as a heap, in O(n).
    fn heapify(&mut self) {
        for i in (0..self.0.len() / 2).rev() {
            self.sift_down(i);
        }
    }

    /// The ids in order, each once (a job moved away from a slot and back has two equal
    /// entries, which come out next to each other).
    fn into_ids(mut self) -> Vec<Arc<str>> {
        let mut out: Vec<Arc<str>> = Vec::with_capacity(self.0.len());
        let mut prev: Option<Timestamp> = None;
        while let Some((t, key)) = self.pop() {
            if prev == Some(t) && out.last() == Some(&key.1) {
                continue;
            }
            prev = Some(t);
            out.push(key.1);
        }
        out
    }
}

/// An id with its first 16 bytes as a big-endian number: ordering by `(prefix, id)` equals
/// ordering by id, and most comparisons end at the prefix without touching the string
/// (which, for 100 000 jobs, is a cache miss away).
/// The prefix is two `u64`s, not a `u128`: 8-byte alignment keeps an entry at 40 bytes
/// (48 with a `u128`'s 16), and the heap's cache misses are what a pop costs.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct IdKey([u64; 2], Arc<str>);

impl IdKey {
    fn new(id: &Arc<str>) -> IdKey {
        let mut buf = [0u8; 16];
        let bytes = id.as_bytes();
        let n = bytes.len().min(16);
        buf[..n].copy_from_slice(&bytes[..n]);
        let half = |i: usize| u64::from_be_bytes(buf[i..i + 8].try_into().unwrap_or([0; 8]));
        IdKey([half(0), half(8)], id.clone())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeSet, HashMap};

    use proptest::prelude::*;

    use super::*;

    /// A store's side of the index: its jobs' `due_at` by id, kept next to the index the
    /// way `JobStore` keeps it (every change followed by `settle`).
    #[derive(Default)]
    struct Store {
        jobs: HashMap<Arc<str>, Option<Timestamp>>,
        index: DueIndex,
    }

    impl Store {
        fn settle(&mut self) {
            let jobs = &self.jobs;
            if self.index.wants_rebuild(jobs.len()) {
                self.index.rebuild(jobs.iter().map(|(id, d)| (*d, id)));
            }
            self.index.settle(Slots { count: jobs.len(), of: &|id: &str| jobs.get(id).copied() });
        }

        fn query<R>(&self, f: impl FnOnce(&DueIndex, Slots<'_>) -> R) -> R {
            let of = |id: &str| self.jobs.get(id).copied();
            f(&self.index, Slots { count: self.jobs.len(), of: &of })
        }
    }

    /// One change to a store: put (insert or replace), remove or move job `id` (one of a
    /// few ids, so changes meet), at small instants (so slots collide), or paused.
    #[derive(Clone, Debug)]
    enum Change {
        Put(u8, Option<i64>),
        Remove(u8),
        Move(u8, Option<i64>),
        Clear,
    }

    fn due() -> impl Strategy<Value = Option<i64>> {
        prop_oneof![4 => (0i64..40).prop_map(Some), 1 => Just(None)]
    }

    fn change() -> impl Strategy<Value = Change> {
        prop_oneof![
            6 => (0u8..200, due()).prop_map(|(i, d)| Change::Put(i, d)),
            3 => (0u8..200).prop_map(Change::Remove),
            8 => (0u8..200, due()).prop_map(|(i, d)| Change::Move(i, d)),
            1 => Just(Change::Clear),
        ]
    }

    fn id(i: u8) -> Arc<str> {
        // Ids that share their first 16 bytes too, so the string breaks some ties.
        Arc::from(if i % 3 == 0 { format!("job-with-a-long-prefix-{i}") } else { format!("j{i}") })
    }

    fn at(t: Option<i64>) -> Option<Timestamp> {
        t.map(Timestamp::from_secs)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// The index answers every query as an ordered set of `(slot, id)` does, after any
        /// sequence of job changes.
        #[test]
        fn matches_an_ordered_set(changes in prop::collection::vec(change(), 1..600), now in 0i64..45) {
            let mut store = Store::default();
            let mut model: BTreeSet<(Timestamp, Arc<str>)> = BTreeSet::new();
            for change in changes {
                match change {
                    Change::Put(i, d) => {
                        if let Some(old) = store.jobs.insert(id(i), at(d)) {
                            model.remove(&(slot(old), id(i)));
                        }
                        model.insert((slot(at(d)), id(i)));
                        store.index.insert(at(d), &id(i));
                    }
                    Change::Remove(i) => {
                        if let Some(old) = store.jobs.remove(&id(i)) {
                            model.remove(&(slot(old), id(i)));
                        }
                    }
                    Change::Move(i, d) => {
                        if let Some(old) = store.jobs.get_mut(&id(i)) {
                            model.remove(&(slot(*old), id(i)));
                            model.insert((slot(at(d)), id(i)));
                            store.index.shift(&id(i), *old, at(d));
                            *old = at(d);
                        }
                    }
                    Change::Clear => {
                        model.clear();
                        store.jobs.clear();
                        store.index.clear();
                    }
                }
                store.settle();
                let earliest = model.iter().next().map(|(t, _)| *t).filter(|t| *t != PAUSED);
                prop_assert_eq!(store.index.earliest(), earliest);
                prop_assert!(store.index.heap.0.len() <= 2 * store.jobs.len() + 64 + 1);
            }
            let want: Vec<Arc<str>> = model.iter().map(|(_, id)| id.clone()).collect();
            prop_assert_eq!(store.query(|ix, s| ix.ids(s)), want);
            let now = Timestamp::from_secs(now);
            let due: Vec<Arc<str>> = model.iter().take_while(|(t, _)| *t <= now).map(|(_, id)| id.clone()).collect();
            prop_assert_eq!(store.query(|ix, s| ix.due_ids(now, s)), due);
        }
    }

    /// Thousands of jobs moved on as ticks move them: the order holds, stale entries are
    /// dropped or compacted, and the index stays within twice the jobs.
    #[test]
    fn many_jobs_moving_stay_ordered() {
        let mut store = Store::default();
        let ids: Vec<Arc<str>> = (0..5_000).map(|i| Arc::from(format!("job-{:05}", (i * 7_919) % 5_000))).collect();
        for (i, id) in ids.iter().enumerate() {
            let d = Some(Timestamp::from_secs((i % 97) as i64));
            store.jobs.insert(id.clone(), d);
            store.index.insert(d, id);
        }
        store.settle();
        for round in 0..20i64 {
            for id in store.query(|ix, s| ix.due_ids(Timestamp::from_secs(1_000 * round + 96), s)) {
                let old = store.jobs[&id];
                let new = Some(Timestamp::from_secs(1_000 * (round + 1) + (id.len() as i64 % 7)));
                store.jobs.insert(id.clone(), new);
                store.index.shift(&id, old, new);
                store.settle();
            }
            assert!(store.index.heap.0.len() <= 2 * 5_000 + 65);
        }
        let order = store.query(|ix, s| ix.ids(s));
        assert_eq!(order.len(), 5_000);
        let keys: Vec<(Timestamp, Arc<str>)> = order.iter().map(|id| (store.jobs[id].unwrap(), id.clone())).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
    }
}
