//! Job stores: jobs of one alias, indexed by the instant they become due, and the outbox
//! of store operations for persistent stores.
//!
//! The index is a `BTreeSet<(due instant, id)>` beside a hash map by id, so the earliest due
//! job is found in O(log n), the k due jobs of a tick in O(k log n), and `get_jobs` walks
//! the jobs in APScheduler's order (next run time, then id, paused jobs last) without
//! sorting. No operation scans all jobs except the ones that list them all.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::time::Timestamp;

use super::config::StoreKind;
use super::job::Job;
use super::record::JobRecord;

/// One store operation for the host to apply to a persistent store, in order.
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
    /// Delete every record of the store.
    Clear {
        /// The store alias.
        jobstore: String,
    },
}

/// The jobs of one store alias.
#[derive(Debug)]
pub(crate) struct JobStore {
    pub(crate) alias: String,
    pub(crate) kind: StoreKind,
    jobs: HashMap<Arc<str>, Job>,
    due: BTreeSet<(Timestamp, Arc<str>)>,
    paused: BTreeSet<Arc<str>>,
}

impl JobStore {
    /// An empty store.
    pub(crate) fn new(alias: String, kind: StoreKind) -> JobStore {
        JobStore { alias, kind, jobs: HashMap::new(), due: BTreeSet::new(), paused: BTreeSet::new() }
    }

    /// Whether the store persists its jobs through the outbox.
    pub(crate) fn is_persistent(&self) -> bool {
        self.kind == StoreKind::Persistent
    }

    /// The job with this id.
    pub(crate) fn get(&self, id: &str) -> Option<&Job> {
        self.jobs.get(id)
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
        match job.run_at {
            Some(t) => {
                self.due.remove(&(t, job.id.clone()));
            }
            None => {
                self.paused.remove(&job.id);
            }
        }
    }

    fn index(&mut self, job: &Job) {
        match job.run_at {
            Some(t) => {
                self.due.insert((t, job.id.clone()));
            }
            None => {
                self.paused.insert(job.id.clone());
            }
        }
    }

    /// Inserts or replaces a job (by id), returning the replaced one.
    pub(crate) fn put(&mut self, job: Job) -> Option<Job> {
        let old = self.jobs.remove(&job.id);
        if let Some(o) = &old {
            self.unindex(o);
        }
        self.index(&job);
        self.jobs.insert(job.id.clone(), job);
        old
    }

    /// Removes a job.
    pub(crate) fn remove(&mut self, id: &str) -> Option<Job> {
        let job = self.jobs.remove(id)?;
        self.unindex(&job);
        Some(job)
    }

    /// Removes every job.
    pub(crate) fn clear(&mut self) {
        self.jobs.clear();
        self.due.clear();
        self.paused.clear();
    }

    /// The earliest due instant of an unpaused job.
    pub(crate) fn earliest(&self) -> Option<Timestamp> {
        self.due.first().map(|(t, _)| *t)
    }

    /// Ids of the jobs due at `now` (due instant `<= now`), earliest first, then by id.
    pub(crate) fn due_ids(&self, now: Timestamp) -> Vec<Arc<str>> {
        let mut out = Vec::new();
        for (t, id) in &self.due {
            if *t > now {
                break;
            }
            out.push(id.clone());
        }
        out
    }

    /// Every job in APScheduler's order: by next run time, then id; paused jobs last (by id).
    pub(crate) fn ordered(&self) -> impl Iterator<Item = &Job> + '_ {
        self.due.iter().map(|(_, id)| id).chain(self.paused.iter()).filter_map(move |id| self.jobs.get(id))
    }

    /// A store op putting this job's record, for persistent stores.
    pub(crate) fn put_op(&self, job: &Job) -> Option<StoreOp> {
        self.is_persistent().then(|| StoreOp::Put { jobstore: self.alias.clone(), record: JobRecord::from_job_unchecked(job) })
    }

    /// A store op removing this job's record, for persistent stores.
    pub(crate) fn remove_op(&self, id: &str) -> Option<StoreOp> {
        self.is_persistent().then(|| StoreOp::Remove { jobstore: self.alias.clone(), job_id: id.to_string() })
    }
}
