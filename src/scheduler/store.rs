//! The job stores: each alias's jobs with their due index; their store operations go to
//! the scheduler's output queue.
//!
//! `Stores` is the only way the scheduler changes a stored job: every put, reschedule and
//! removal of a job in a persistent store queues its [`StoreOp`] in the same call, so no
//! change can reach memory without reaching the output queue. (Loading records and shutting
//! down change memory only, on purpose: `load_jobs` imports what storage already holds,
//! and `Stores::shutdown` leaves the records in storage.)
//! No operation scans all jobs except the ones that list them all.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::time::Timestamp;

use super::config::StoreKind;
use super::due_index::{DueIndex, Slots};
use super::fnv::FnvBuild;
use super::id_map::IdMap;
use super::job::Job;
use super::output::OutputQueue;
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

/// Every job store, in the order the aliases were added.
#[derive(Debug, Default)]
pub(crate) struct Stores {
    list: Vec<JobStore>,
}

impl Stores {
    // ----- the stores ------------------------------------------------------------------

    /// The index of store `alias`.
    pub(crate) fn position(&self, alias: &str) -> Option<usize> {
        self.list.iter().position(|s| &*s.alias == alias)
    }

    /// The index of store `alias`, or [`Error::UnknownAlias`].
    pub(crate) fn index_of(&self, alias: &str) -> Result<usize> {
        self.position(alias).ok_or_else(|| Error::UnknownAlias { kind: "jobstore", alias: alias.to_string() })
    }

    /// The index of persistent store `alias`: [`Error::UnknownAlias`], or
    /// [`Error::InvalidArgument`] with `reason` for a memory store.
    pub(crate) fn persistent_index(&self, alias: &str, reason: &str) -> Result<usize> {
        let si = self.index_of(alias)?;
        if !self.list[si].is_persistent() {
            return Err(Error::invalid("jobstore", alias, reason));
        }
        Ok(si)
    }

    /// Whether a store has this alias.
    pub(crate) fn contains(&self, alias: &str) -> bool {
        self.position(alias).is_some()
    }

    /// Store `si`.
    pub(crate) fn get(&self, si: usize) -> &JobStore {
        &self.list[si]
    }

    /// Store `si`, for the calls that change memory only (loading records, holding ids).
    pub(crate) fn get_mut(&mut self, si: usize) -> &mut JobStore {
        &mut self.list[si]
    }

    /// Number of stores.
    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    /// Every store, in the order they were added.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &JobStore> + '_ {
        self.list.iter()
    }

    /// Store `jobstore` (none when unknown), or every store when `None`.
    pub(crate) fn selected(&self, jobstore: Option<&str>) -> &[JobStore] {
        match jobstore.map(|a| self.position(a)) {
            None => &self.list,
            Some(Some(si)) => &self.list[si..=si],
            Some(None) => &[],
        }
    }

    /// Adds store `alias`, replacing (and moving last) one of the same alias.
    pub(crate) fn insert_store(&mut self, alias: &str, kind: StoreKind) {
        self.list.retain(|s| &*s.alias != alias);
        self.list.push(JobStore::new(alias, kind));
    }

    /// Removes store `si` and its jobs from memory (its records are not touched).
    pub(crate) fn remove_store(&mut self, si: usize) {
        self.list.remove(si);
    }

    /// Forgets every store (configure); store ops already queued stay queued.
    pub(crate) fn remove_all_stores(&mut self) {
        self.list.clear();
    }

    // ----- reads over all stores -----------------------------------------------------------

    /// The earliest `due_at` of an unpaused job in any store.
    pub(crate) fn earliest(&self) -> Option<Timestamp> {
        self.list.iter().filter_map(JobStore::earliest).min()
    }

    /// The index of the first store holding job `id` (only store `jobstore`, if given).
    pub(crate) fn holding(&self, id: &str, jobstore: Option<&str>) -> Option<usize> {
        self.list.iter().position(|s| jobstore.map_or(true, |a| a == &*s.alias) && s.contains(id))
    }

    /// Whether `id` is taken in any store (by a job or an unreadable record).
    pub(crate) fn id_taken_anywhere(&self, id: &str) -> bool {
        self.list.iter().any(|s| s.id_taken(id))
    }

    /// Number of jobs in all stores.
    pub(crate) fn job_count(&self) -> usize {
        self.list.iter().map(JobStore::len).sum()
    }

    // ----- job writes, each with its store op ------------------------------------------

    /// Inserts or replaces job `job` (by id) in store `si`, queueing its `Put` on `out`.
    pub(crate) fn put_job(&mut self, si: usize, job: Job, out: &mut OutputQueue) {
        let store = &mut self.list[si];
        if let Some(op) = store.put_op(&job) {
            out.store_op(&store.alias, op);
        }
        store.put(job);
    }

    /// Moves job `id` of store `si` to a new next run time and `due_at`, queueing its `Put`
    /// on `out`.
    pub(crate) fn reschedule_job(&mut self, si: usize, id: &str, next: Option<Timestamp>, due_at: Option<Timestamp>, out: &mut OutputQueue) {
        let store = &mut self.list[si];
        if let Some(op) = store.reschedule(id, next, due_at) {
            out.store_op(&store.alias, op);
        }
    }

    /// Removes job `id` from store `si`, queueing its `Remove` on `out`.
    pub(crate) fn remove_job(&mut self, si: usize, id: &str, out: &mut OutputQueue) -> Option<Job> {
        let store = &mut self.list[si];
        let job = store.remove(id)?;
        if let Some(op) = store.remove_op(id) {
            out.store_op(&store.alias, op);
        }
        Some(job)
    }

    /// Removes every job of `jobstore` (or of every store), queueing for each persistent
    /// store one `Clear` — or, when it holds ids of unreadable records, one `Remove` per job
    /// (in `get_jobs` order), so those records stay. The ops go to `out`.
    pub(crate) fn remove_all_jobs(&mut self, jobstore: Option<&str>, out: &mut OutputQueue) {
        for s in self.list.iter_mut().filter(|s| jobstore.map_or(true, |a| a == &*s.alias)) {
            if s.is_persistent() {
                if s.unreadable_ids().next().is_some() {
                    for job in s.ordered() {
                        out.store_op(&s.alias, StoreOp::Remove { jobstore: s.alias.to_string(), job_id: job.id.to_string() });
                    }
                } else {
                    out.store_op(&s.alias, StoreOp::Clear { jobstore: s.alias.to_string() });
                }
            }
            s.clear();
        }
    }

    /// Empties every store's memory, as APScheduler's `MemoryJobStore.shutdown()` does. No
    /// store op: a persistent store's records stay in storage.
    pub(crate) fn shutdown(&mut self) {
        for s in &mut self.list {
            s.clear();
        }
    }
}

/// A store's jobs by id.
type Jobs = HashMap<Arc<str>, Box<Job>, FnvBuild>;

/// The `due_at` of job `id` (`Some(None)`: paused; `None`: no such job): the due index's
/// view of a job ([`Slots`]).
fn due_at_of(jobs: &Jobs, id: &str) -> Option<Option<Timestamp>> {
    jobs.get(id).map(|j| j.due_at)
}

/// The jobs of one store alias.
#[derive(Debug)]
pub(crate) struct JobStore {
    pub(crate) alias: Arc<str>,
    pub(crate) kind: StoreKind,
    /// The jobs by id. Boxed: the entries are then 24 bytes (less unused capacity to
    /// carry: 100,000 distinct cron jobs took 1,075 instead of 887 bytes each unboxed),
    /// and growing the list moves no jobs. A hash map of its own, not an [`IdMap`]: a tick
    /// looks its due jobs up twice, and `IdMap`'s index-then-entry costs a cache miss more
    /// each time (100k-job bench: 1.61-1.70 -> 1.41-1.42 us per due run, 544 -> 513 bytes
    /// per job, for 400 B more of wasm).
    jobs: Jobs,
    /// Every job by `due_at` (paused jobs last), then id.
    due: DueIndex,
    /// Ids of stored records this store could not load (persistent stores only): they stay
    /// in storage, so the ids are taken until a job replaces the record explicitly. Kept
    /// through `clear` (shutdown, `remove_all_jobs`): the records are still stored.
    unreadable: IdMap<()>,
    /// Whether this scheduler runs the store's jobs (`true` from the start). A store that
    /// is not leading (*following*: another scheduler leads a shared store) holds its jobs
    /// as a mirror: never due, never counted by `earliest`.
    pub(crate) leading: bool,
}

impl JobStore {
    /// An empty store.
    pub(crate) fn new(alias: &str, kind: StoreKind) -> JobStore {
        JobStore { alias: Arc::from(alias), kind, jobs: Default::default(), due: DueIndex::default(), unreadable: IdMap::default(), leading: true }
    }

    /// Takes `id` for an unreadable stored record.
    pub(crate) fn hold_unreadable(&mut self, id: &str) {
        if !self.unreadable.contains_key(id) {
            self.unreadable.insert(Arc::from(id), ());
        }
    }

    /// Whether `id` belongs to an unreadable stored record.
    pub(crate) fn holds_unreadable(&self, id: &str) -> bool {
        self.unreadable.contains_key(id)
    }

    /// The error for adding `id` when it is taken: [`Error::UnreadableRecordId`] when an
    /// unreadable record holds it, else [`Error::ConflictingId`].
    pub(crate) fn conflict(&self, id: &str) -> Error {
        if self.holds_unreadable(id) {
            Error::UnreadableRecordId { id: id.to_string() }
        } else {
            Error::ConflictingId { id: id.to_string() }
        }
    }

    /// Forgets `id` as unreadable (its record was replaced, or loaded after all).
    pub(crate) fn release_unreadable(&mut self, id: &str) {
        self.unreadable.remove(id);
    }

    /// The ids of unreadable stored records, in no particular order.
    pub(crate) fn unreadable_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.unreadable.iter().map(|(id, _)| &**id)
    }

    /// Whether a new job with this id would clash with a job or an unreadable record.
    pub(crate) fn id_taken(&self, id: &str) -> bool {
        self.contains(id) || self.holds_unreadable(id)
    }

    /// Whether the store persists its jobs through store ops.
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

    /// Inserts or replaces a job (by id) in memory only, returning the replaced one (the
    /// store op is [`Stores::put_job`]'s business; `load_jobs` queues none).
    pub(crate) fn put(&mut self, job: Job) -> Option<Job> {
        self.due.insert(job.due_at, &job.id);
        let old = self.jobs.insert(job.id.clone(), Box::new(job)).map(|b| *b);
        self.settle();
        old
    }

    /// Moves a job to a new next run time and `due_at` in place; returns the store op
    /// putting its record (persistent stores; `None` too when there is no such job).
    fn reschedule(&mut self, id: &str, next: Option<Timestamp>, due_at: Option<Timestamp>) -> Option<StoreOp> {
        let persistent = self.is_persistent();
        let job = self.jobs.get_mut(id)?;
        self.due.shift(&job.id, job.due_at, due_at);
        job.next_run_time = next;
        job.due_at = due_at;
        let op = persistent.then(|| StoreOp::Put { jobstore: self.alias.to_string(), record: JobRecord::from_job_unchecked(job) });
        self.settle();
        op
    }

    /// Removes a job from memory.
    fn remove(&mut self, id: &str) -> Option<Job> {
        let job = self.jobs.remove(id)?;
        self.settle();
        Some(*job)
    }

    /// Removes every job from memory.
    fn clear(&mut self) {
        self.jobs.clear();
        self.due.clear();
    }

    /// Forgets every job and every unreadable id, before the store's records are loaded
    /// again (`replace_jobs`). Memory only: no store op.
    pub(crate) fn forget_all(&mut self) {
        self.clear();
        self.unreadable.clear();
    }

    /// The earliest `due_at` of an unpaused job; `None` while following.
    pub(crate) fn earliest(&self) -> Option<Timestamp> {
        self.due.earliest().filter(|_| self.leading)
    }

    /// Ids of the jobs due at `now` (`due_at <= now`), earliest first, then by id; none
    /// while following.
    pub(crate) fn due_ids(&self, now: Timestamp) -> Vec<Arc<str>> {
        if !self.leading {
            return Vec::new();
        }
        self.due.due_ids(now, Slots { count: self.len(), of: &|id| due_at_of(&self.jobs, id) })
    }

    /// Every job in index order: by `due_at`, then id; paused jobs last (by id).
    pub(crate) fn ordered(&self) -> impl Iterator<Item = &Job> + '_ {
        self.due.ids(Slots { count: self.len(), of: &|id| due_at_of(&self.jobs, id) }).into_iter().filter_map(move |id| self.get(&id))
    }

    /// Brings the due index up to date after a change of the jobs: its stale entries off
    /// the top, or all of them when they outnumber the jobs.
    fn settle(&mut self) {
        if self.due.wants_rebuild(self.jobs.len()) {
            self.due.rebuild(self.jobs.iter().map(|(id, j)| (j.due_at, id)));
        }
        let jobs = &self.jobs;
        self.due.settle(Slots { count: jobs.len(), of: &|id| due_at_of(jobs, id) });
    }

    /// A store op putting this job's record, for persistent stores.
    fn put_op(&self, job: &Job) -> Option<StoreOp> {
        self.is_persistent().then(|| StoreOp::Put { jobstore: self.alias.to_string(), record: JobRecord::from_job_unchecked(job) })
    }

    /// A store op removing this job's record, for persistent stores.
    fn remove_op(&self, id: &str) -> Option<StoreOp> {
        self.is_persistent().then(|| StoreOp::Remove { jobstore: self.alias.to_string(), job_id: id.to_string() })
    }
}
