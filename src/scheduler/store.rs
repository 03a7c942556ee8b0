//! Job stores: jobs of one alias, indexed by the instant they become due, and the outbox
//! of store operations for persistent stores.
//!
//! The index is an ordered set of `(due instant, id key)` beside a hash map by id, so the
//! earliest due job is found in O(log n), the k due jobs of a tick in O(k log n), and
//! `get_jobs` walks the jobs in APScheduler's order (next run time, then id, paused jobs
//! last) without sorting: paused jobs sit in the same set under `PAUSED`, an instant
//! after every real one. The id key carries the id's first 16 bytes as a number, so
//! ordering rarely has to read the id string itself. No operation scans all jobs except
//! the ones that list them all.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use crate::time::Timestamp;

use super::config::StoreKind;
use super::job::Job;
use super::record::JobRecord;

/// One store operation for the host to apply to a persistent store, in order.
// Queued and drained right away; most ops are puts, so boxing would only add allocations.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum StoreOp {
    /// Insert or overwrite the record with `record.id`.
    Put {
        /// The store alias.
        jobstore: String,
        /// The whole job record.
        record: JobRecord,
    },
    /// Delete the record of `job_id` (absent records are not an error).
    Remove {
        /// The store alias.
        jobstore: String,
        /// The job id.
        job_id: String,
    },
    /// Delete every record of the store. Never emitted for a store that holds ids of
    /// unreadable records ([`Scheduler::unreadable_ids`](super::Scheduler::unreadable_ids)):
    /// `remove_all_jobs` then removes its jobs one by one, so those records stay.
    Clear {
        /// The store alias.
        jobstore: String,
    },
}

/// The jobs of one store alias.
#[derive(Debug)]
pub(crate) struct JobStore {
    pub(crate) alias: Arc<str>,
    pub(crate) kind: StoreKind,
    /// Boxed: the table then holds 24-byte slots, and growing it moves no jobs.
    jobs: HashMap<Arc<str>, Box<Job>, BuildHasherDefault<Fnv>>,
    /// Every job by due instant (paused jobs under `PAUSED`), then id.
    order: BTreeSet<(Timestamp, IdKey)>,
    /// Ids of stored records this store could not load (persistent stores only): they stay
    /// in storage, so the ids are taken until a job replaces the record explicitly. Kept
    /// through `clear` (shutdown, `remove_all_jobs`): the records are still stored.
    unreadable: HashSet<Arc<str>, BuildHasherDefault<Fnv>>,
}

/// Where paused jobs (no due instant) sort in the index: after every real instant
/// (`Timestamp::MAX` is the last representable one), so they come last, by id.
const PAUSED: Timestamp = Timestamp::from_micros(i64::MAX);

/// The index position of a job due at `due_at` (`None` = paused).
fn slot(due_at: Option<Timestamp>) -> Timestamp {
    due_at.unwrap_or(PAUSED)
}

impl JobStore {
    /// An empty store.
    pub(crate) fn new(alias: &str, kind: StoreKind) -> JobStore {
        JobStore { alias: Arc::from(alias), kind, jobs: HashMap::default(), order: BTreeSet::new(), unreadable: HashSet::default() }
    }

    /// Takes `id` for an unreadable stored record.
    pub(crate) fn hold_unreadable(&mut self, id: &str) {
        if !self.unreadable.contains(id) {
            self.unreadable.insert(Arc::from(id));
        }
    }

    /// Whether `id` belongs to an unreadable stored record.
    pub(crate) fn holds_unreadable(&self, id: &str) -> bool {
        self.unreadable.contains(id)
    }

    /// The error for adding `id` when it is taken: [`Error::UnreadableRecordId`] when an
    /// unreadable record holds it, else [`Error::ConflictingId`].
    pub(crate) fn conflict(&self, id: &str) -> crate::Error {
        if self.holds_unreadable(id) {
            crate::Error::UnreadableRecordId { id: id.to_string() }
        } else {
            crate::Error::ConflictingId { id: id.to_string() }
        }
    }

    /// Forgets `id` as unreadable (its record was replaced, or loaded after all).
    pub(crate) fn release_unreadable(&mut self, id: &str) {
        self.unreadable.remove(id);
    }

    /// The ids of unreadable stored records, in no particular order.
    pub(crate) fn unreadable_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.unreadable.iter().map(|id| &**id)
    }

    /// Whether a new job with this id would clash with a job or an unreadable record.
    pub(crate) fn id_taken(&self, id: &str) -> bool {
        self.contains(id) || self.holds_unreadable(id)
    }

    /// Whether the store persists its jobs through the outbox.
    pub(crate) fn is_persistent(&self) -> bool {
        self.kind == StoreKind::Persistent
    }

    /// The job with this id.
    pub(crate) fn get(&self, id: &str) -> Option<&Job> {
        self.jobs.get(id).map(|b| &**b)
    }

    /// Whether a job with this id exists.
    pub(crate) fn contains(&self, id: &str) -> bool {
        self.jobs.contains_key(id)
    }

    /// Number of jobs.
    pub(crate) fn len(&self) -> usize {
        self.jobs.len()
    }

    fn unindex(&mut self, job: &Job) {
        self.order.remove(&(slot(job.due_at), IdKey::new(&job.id)));
    }

    fn index(&mut self, job: &Job) {
        self.order.insert((slot(job.due_at), IdKey::new(&job.id)));
    }

    /// Inserts or replaces a job (by id), returning the replaced one.
    pub(crate) fn put(&mut self, job: Job) -> Option<Job> {
        let old = self.jobs.remove(&job.id);
        if let Some(o) = &old {
            self.unindex(o);
        }
        self.index(&job);
        self.jobs.insert(job.id.clone(), Box::new(job));
        old.map(|b| *b)
    }

    /// Moves a job to a new next run time / due instant in place; returns it.
    pub(crate) fn reschedule(&mut self, id: &str, next: Option<Timestamp>, due_at: Option<Timestamp>) -> Option<&Job> {
        let job = self.jobs.get_mut(id)?;
        if slot(job.due_at) != slot(due_at) {
            let key = IdKey::new(&job.id);
            self.order.remove(&(slot(job.due_at), key.clone()));
            self.order.insert((slot(due_at), key));
        }
        job.next_run_time = next;
        job.due_at = due_at;
        Some(&**job)
    }

    /// Removes a job.
    pub(crate) fn remove(&mut self, id: &str) -> Option<Job> {
        let job = self.jobs.remove(id)?;
        self.unindex(&job);
        Some(*job)
    }

    /// Removes every job.
    pub(crate) fn clear(&mut self) {
        self.jobs.clear();
        self.order.clear();
    }

    /// The earliest due instant of an unpaused job.
    pub(crate) fn earliest(&self) -> Option<Timestamp> {
        self.order.first().map(|(t, _)| *t).filter(|t| *t != PAUSED)
    }

    /// Ids of the jobs due at `now` (due instant `<= now`), earliest first, then by id.
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

    /// Every job in APScheduler's order: by next run time, then id; paused jobs last (by id).
    pub(crate) fn ordered(&self) -> impl Iterator<Item = &Job> + '_ {
        self.order.iter().filter_map(move |(_, k)| self.get(&k.1))
    }

    /// A store op putting this job's record, for persistent stores.
    pub(crate) fn put_op(&self, job: &Job) -> Option<StoreOp> {
        self.is_persistent().then(|| StoreOp::Put { jobstore: self.alias.to_string(), record: JobRecord::from_job_unchecked(job) })
    }

    /// A store op removing this job's record, for persistent stores.
    pub(crate) fn remove_op(&self, id: &str) -> Option<StoreOp> {
        self.is_persistent().then(|| StoreOp::Remove { jobstore: self.alias.to_string(), job_id: id.to_string() })
    }
}

/// An id with its first 16 bytes as a big-endian number: ordering by `(prefix, id)` equals
/// ordering by id, and most comparisons end at the prefix without touching the string
/// (which, for 100 000 jobs, is a cache miss away).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct IdKey(u128, Arc<str>);

impl IdKey {
    fn new(id: &Arc<str>) -> IdKey {
        let mut buf = [0u8; 16];
        let bytes = id.as_bytes();
        let n = bytes.len().min(16);
        buf[..n].copy_from_slice(&bytes[..n]);
        IdKey(u128::from_be_bytes(buf), id.clone())
    }
}

/// FNV-1a: a fast, deterministic hasher for job ids (the map is not exposed to untrusted
/// collisions in a way that matters for a single host's own jobs).
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h ^= *b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}
