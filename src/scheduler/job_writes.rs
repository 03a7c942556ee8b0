//! Job writes: the first fire time of a job, and storing, changing and removing a job with
//! the store op and the event each one causes.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::time::Timestamp;
use crate::trigger::Trigger;

use super::*;

impl Scheduler {
    /// The first fire time at `now`: `(next_run_time, due_at)`.
    pub(super) fn first_fire(&mut self, trigger: &Trigger, now: Timestamp) -> (Option<Timestamp>, Option<Timestamp>) {
        match trigger.next_fire(None, now, &mut self.rng) {
            Some(f) => (Some(f.time), Some(f.due_at.max(f.time))),
            None => (None, None),
        }
    }

    /// The job `job_id` (see [`get_job`](Self::get_job)), or [`Error::JobNotFound`].
    pub(super) fn find_job(&self, job_id: &str, jobstore: Option<&str>) -> Result<&Job> {
        self.get_job(job_id, jobstore).ok_or_else(|| Error::JobNotFound { id: job_id.to_string() })
    }

    /// Stores a new (non-pending) job: conflict check (jobs and unreadable records),
    /// trigger JSON for persistent stores, store op, `EVENT_JOB_ADDED`. A replacing job
    /// releases the id of an unreadable record: its `Put` overwrites the record.
    pub(super) fn store_new_job(&mut self, mut job: Job, alias: &str, replace: bool) -> Result<()> {
        let si = self.stores.index_of(alias)?;
        let store = self.stores.get(si);
        if store.id_taken(&job.id) && !replace {
            return Err(store.conflict(&job.id));
        }
        if store.is_persistent() {
            job.trigger_json = Some(Arc::new(trigger_json::to_json(&job.trigger)?));
        }
        let alias = store.alias.clone();
        self.stores.get_mut(si).release_unreadable(&job.id);
        job.jobstore = Some(alias.clone());
        job.pending = None;
        let id = job.id.clone();
        self.stores.put_job(si, job, &mut self.out);
        self.out.event(Event::job(EventCode::JobAdded, id, Some(alias)));
        Ok(())
    }

    /// Removes job `job_id` from store `si` (`EVENT_JOB_REMOVED`); nothing when absent.
    pub(super) fn remove_stored_job(&mut self, si: usize, job_id: &str) {
        if let Some(job) = self.stores.remove_job(si, job_id, &mut self.out) {
            let alias = self.stores.get(si).alias.clone();
            self.out.event(Event::job(EventCode::JobRemoved, job.id, Some(alias)));
        }
    }

    /// Validates `changes` against the job and applies them all, or none
    /// (`EVENT_JOB_MODIFIED`). `next` is the new `(next_run_time, due_at)` when the next
    /// run time changes.
    pub(super) fn write_changes(
        &mut self,
        job_id: &str,
        jobstore: Option<&str>,
        changes: JobChanges,
        next: Option<(Option<Timestamp>, Option<Timestamp>)>,
    ) -> Result<()> {
        let current = self.find_job(job_id, jobstore)?.clone();
        let mut job = current;
        if let Some(name) = changes.name {
            job.name = Arc::from(check_name("name", name)?.as_str());
        }
        if let Some(func) = changes.func {
            job.func = self.pools.intern(&check_name("func", func)?);
        }
        if let Some(args) = changes.args {
            job.args = self.pools.share_empty(check_args(args)?);
        }
        if let Some(kwargs) = changes.kwargs {
            job.kwargs = self.pools.share_empty(check_kwargs(kwargs)?);
        }
        if let Some(executor) = changes.executor {
            job.executor = self.pools.intern(&executor);
        }
        if let Some(g) = changes.misfire_grace_time {
            job.misfire_grace_time = check_grace(g)?;
        }
        if let Some(c) = changes.coalesce {
            job.coalesce = c;
        }
        if let Some(m) = changes.max_instances {
            job.max_instances = check_max_instances(m)?;
        }
        let trigger_changed = changes.trigger.is_some();
        if let Some(t) = changes.trigger {
            job.trigger = self.pools.share_trigger(t);
        }
        if let Some(p) = job.pending.as_mut() {
            // Pending: remember what was set explicitly; no store, no store op.
            p.misfire_grace_time |= changes.misfire_grace_time.is_some();
            p.coalesce |= changes.coalesce.is_some();
            p.max_instances |= changes.max_instances.is_some();
            if let Some((t, _)) = next {
                p.next_run_time = Some(t);
                job.next_run_time = t;
            }
            let id = job.id.clone();
            if let Some(slot) = self.pending.get_mut(&id, None) {
                *slot = job;
            }
            self.out.event(Event::job(EventCode::JobModified, id, None));
            return Ok(());
        }
        if let Some((t, d)) = next {
            job.next_run_time = t;
            job.due_at = d;
        }
        let alias: Arc<str> = job.jobstore.clone().unwrap_or_else(|| Arc::from(""));
        let si = self.stores.index_of(&alias)?;
        if trigger_changed && self.stores.get(si).is_persistent() {
            job.trigger_json = Some(Arc::new(trigger_json::to_json(&job.trigger)?));
        }
        let id = job.id.clone();
        self.stores.put_job(si, job, &mut self.out);
        self.out.event(Event::job(EventCode::JobModified, id, Some(alias)));
        Ok(())
    }
}
