//! The due index: one store's jobs ordered by `due_at`, then id.
//!
//! An ordered set of `(due_at, id key)`: the earliest `due_at` is found in O(log n), the k
//! jobs due at a tick in O(k log n), and `get_jobs` walks the jobs in order without sorting
//! — APScheduler's order (next run time, then id, paused jobs last) for jobs without
//! jitter, which have `due_at == next_run_time`. Paused jobs sit in the same set under
//! [`PAUSED`], an instant after every real one. The id key carries the id's first 16 bytes
//! as a number, so ordering rarely has to read the id string itself.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::time::Timestamp;

/// Where paused jobs (no `due_at`) sort in the index: after every real instant
/// (`Timestamp::MAX` is the last representable one), so they come last, by id.
const PAUSED: Timestamp = Timestamp::from_micros(i64::MAX);

/// The index position of a job with this `due_at` (`None` = paused).
fn slot(due_at: Option<Timestamp>) -> Timestamp {
    due_at.unwrap_or(PAUSED)
}

/// The jobs of one store by `due_at`, then id; paused jobs last.
#[derive(Debug, Default)]
pub(crate) struct DueIndex {
    order: BTreeSet<(Timestamp, IdKey)>,
}

impl DueIndex {
    /// Adds job `id` at `due_at`.
    pub(crate) fn insert(&mut self, due_at: Option<Timestamp>, id: &Arc<str>) {
        self.order.insert((slot(due_at), IdKey::new(id)));
    }

    /// Removes job `id`, indexed at `due_at`.
    pub(crate) fn remove(&mut self, due_at: Option<Timestamp>, id: &Arc<str>) {
        self.order.remove(&(slot(due_at), IdKey::new(id)));
    }

    /// Moves job `id` from `from` to `to`; the key is built only when the slot changes.
    pub(crate) fn shift(&mut self, id: &Arc<str>, from: Option<Timestamp>, to: Option<Timestamp>) {
        if slot(from) != slot(to) {
            let key = IdKey::new(id);
            self.order.remove(&(slot(from), key.clone()));
            self.order.insert((slot(to), key));
        }
    }

    /// Empties the index.
    pub(crate) fn clear(&mut self) {
        self.order.clear();
    }

    /// The earliest `due_at` of an unpaused job.
    pub(crate) fn earliest(&self) -> Option<Timestamp> {
        self.order.first().map(|(t, _)| *t).filter(|t| *t != PAUSED)
    }

    /// Ids of the jobs due at `now` (`due_at <= now`), earliest first, then by id.
    pub(crate) fn due_ids(&self, now: Timestamp) -> Vec<Arc<str>> {
        let mut out = Vec::new();
        // `now` is a real instant, so the paused jobs (at `PAUSED`) are never reached.
        for (t, key) in &self.order {
            if *t > now {
                break;
            }
            out.push(key.1.clone());
        }
        out
    }

    /// Every id in index order: by `due_at`, then id; paused jobs last (by id).
    pub(crate) fn ids(&self) -> impl Iterator<Item = &Arc<str>> + '_ {
        self.order.iter().map(|(_, k)| &k.1)
    }
}

/// An id with its first 16 bytes as a big-endian number: ordering by `(prefix, id)` equals
/// ordering by id, and most comparisons end at the prefix without touching the string
/// (which, for 100 000 jobs, is a cache miss away).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct IdKey(u128, Arc<str>);

impl IdKey {
    fn new(id: &Arc<str>) -> IdKey {
        let mut buf = [0u8; 16];
        let bytes = id.as_bytes();
        let n = bytes.len().min(16);
        buf[..n].copy_from_slice(&bytes[..n]);
        IdKey(u128::from_be_bytes(buf), id.clone())
    }
}
