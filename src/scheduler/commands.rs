//! The job, job store and executor commands of [`Scheduler`] (APScheduler's `add_job`,
//! `modify_job`, …, `add_jobstore`, `load_jobs`).

use std::sync::Arc;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::time::{DateInput, Timestamp};
use crate::trigger::{DateTrigger, Trigger};

use super::*;

/// Why a memory store cannot load records ([`Scheduler::load_jobs`] and the shared-store
/// commands that load or apply them).
pub(super) const LOAD_REASON: &str = "only persistent stores load records";

impl Scheduler {
    // ----- job commands --------------------------------------------------------------

    /// Adds a job and returns its id. While stopped the job is *pending* (scheduled at
    /// `start`; no event yet); otherwise it is stored, its first run time computed from the
    /// trigger at `now` (or taken from `next_run_time`; `Some(None)` adds it paused), and
    /// `EVENT_JOB_ADDED` is emitted. A duplicate id fails with [`Error::ConflictingId`]
    /// unless `replace_existing` — also while stopped (deviation `early-conflict`).
    ///
    /// An id held by an unreadable stored record of the target store
    /// ([`unreadable_ids`](Self::unreadable_ids)) is a duplicate too: without
    /// `replace_existing` the add fails with [`Error::ConflictingId`], so the record is
    /// never overwritten by accident; with it the job's `Put` replaces the record and the
    /// id is no longer held.
    pub fn add_job(&mut self, new: NewJob, now: Timestamp) -> Result<Arc<str>> {
        let trigger = self.build_trigger(new.trigger, now)?;
        if new.func.is_empty() {
            return Err(Error::invalid("func", "", "a job needs a function key"));
        }
        let func: Arc<str> = self.pools.intern(&new.func);
        let name: Arc<str> = match new.name {
            Some(n) => Arc::from(check_name("name", n)?.as_str()),
            None => func.clone(),
        };
        let args = self.pools.share_empty(check_args(new.args)?);
        let kwargs = self.pools.share_empty(check_kwargs(new.kwargs)?);
        let grace = match new.misfire_grace_time {
            Some(g) => check_grace(g)?,
            None => self.defaults.misfire_grace_time,
        };
        let max_instances = match new.max_instances {
            Some(m) => check_max_instances(m)?,
            None => self.defaults.max_instances,
        };
        let next_given = match new.next_run_time {
            None => None,
            Some(None) => Some(None),
            Some(Some(d)) => Some(Some(self.resolve_date("next_run_time", &d)?)),
        };
        if let Some(id) = &new.id {
            if id.is_empty() {
                return Err(Error::invalid("id", "", "must not be empty"));
            }
        }
        let id: Arc<str> = match new.id {
            Some(id) => Arc::from(id.as_str()),
            None => self.generate_id(),
        };
        let mut job = Job {
            id: id.clone(),
            name,
            func,
            args,
            kwargs,
            trigger: self.pools.share_trigger(trigger),
            executor: self.pools.intern(&new.executor),
            jobstore: None,
            misfire_grace_time: grace,
            coalesce: new.coalesce.unwrap_or(self.defaults.coalesce),
            max_instances,
            next_run_time: None,
            due_at: None,
            trigger_json: None,
            pending: None,
        };
        if self.state == SchedulerState::Stopped {
            // APScheduler sets an explicit next_run_time on the pending job at once.
            job.next_run_time = next_given.flatten();
            job.pending = Some(Box::new(PendingInfo {
                misfire_grace_time: new.misfire_grace_time.is_some(),
                coalesce: new.coalesce.is_some(),
                max_instances: new.max_instances.is_some(),
                next_run_time: next_given,
                replace_existing: new.replace_existing,
            }));
            if let Some(existing) = self.pending.get_mut(&id, Some(&new.jobstore)) {
                if !new.replace_existing {
                    return Err(Error::ConflictingId { id: id.to_string() });
                }
                *existing = job;
            } else {
                if let Some(s) = self.stores.iter().find(|s| *s.alias == *new.jobstore && s.id_taken(&id)) {
                    if !new.replace_existing {
                        return Err(s.conflict(&id));
                    }
                }
                self.pending.push(job, new.jobstore);
            }
            return Ok(id);
        }
        let (t, r) = match next_given {
            Some(given) => (given, given),
            None => self.first_fire(&job.trigger, now),
        };
        job.next_run_time = t;
        job.due_at = r;
        self.store_new_job(job, &new.jobstore, new.replace_existing)?;
        Ok(id)
    }

    /// Changes a job's options (anything but its id). Validated all at once; nothing changes
    /// on error. Changing the trigger does not recompute the next run time (APScheduler).
    /// Emits `EVENT_JOB_MODIFIED`.
    pub fn modify_job(&mut self, job_id: &str, jobstore: Option<&str>, changes: JobChanges) -> Result<()> {
        let next = match &changes.next_run_time {
            None => None,
            Some(None) => Some(None),
            Some(Some(d)) => Some(Some(self.resolve_date("next_run_time", d)?)),
        };
        self.write_changes(job_id, jobstore, changes, next.map(|n| (n, n)))
    }

    /// Replaces a job's trigger and sets its next run time to the trigger's first fire time
    /// at `now` (none: the job is paused, not removed). Emits `EVENT_JOB_MODIFIED`.
    pub fn reschedule_job(&mut self, job_id: &str, jobstore: Option<&str>, trigger: TriggerInput, now: Timestamp) -> Result<()> {
        self.find_job(job_id, jobstore)?;
        let trigger = self.build_trigger(trigger, now)?;
        let next = self.first_fire(&trigger, now);
        let changes = JobChanges { trigger: Some(trigger), ..JobChanges::default() };
        self.write_changes(job_id, jobstore, changes, Some(next))
    }

    /// Pauses a job (next run time none). Emits `EVENT_JOB_MODIFIED`.
    pub fn pause_job(&mut self, job_id: &str, jobstore: Option<&str>) -> Result<()> {
        self.write_changes(job_id, jobstore, JobChanges::default(), Some((None, None)))
    }

    /// Resumes a job: next run time = the trigger's first fire time at `now` (missed runs
    /// are not replayed). If the trigger has none left the job is **removed**; returns
    /// whether the job still exists.
    pub fn resume_job(&mut self, job_id: &str, jobstore: Option<&str>, now: Timestamp) -> Result<bool> {
        let trigger = self.find_job(job_id, jobstore)?.trigger.clone();
        let next = self.first_fire(&trigger, now);
        if next.0.is_none() {
            self.remove_job(job_id, jobstore)?;
            return Ok(false);
        }
        self.write_changes(job_id, jobstore, JobChanges::default(), Some(next))?;
        Ok(true)
    }

    /// Removes a job (pending ones while stopped). Emits `EVENT_JOB_REMOVED`.
    pub fn remove_job(&mut self, job_id: &str, jobstore: Option<&str>) -> Result<()> {
        if self.state == SchedulerState::Stopped {
            let Some((job, alias)) = self.pending.remove(job_id, jobstore) else {
                return Err(Error::JobNotFound { id: job_id.to_string() });
            };
            self.out.event(Event::job(EventCode::JobRemoved, job.id, Some(Arc::from(alias.as_str()))));
            return Ok(());
        }
        let si = self.stores.holding(job_id, jobstore).ok_or_else(|| Error::JobNotFound { id: job_id.to_string() })?;
        self.remove_stored_job(si, job_id);
        Ok(())
    }

    /// Removes every job of `jobstore` (or of all stores; pending ones while stopped).
    /// Emits `EVENT_ALL_JOBS_REMOVED` with `alias = jobstore`.
    ///
    /// A persistent store gets one [`StoreOp::Clear`], or, when it holds ids of unreadable
    /// records ([`unreadable_ids`](Self::unreadable_ids)), one [`StoreOp::Remove`] per job
    /// it had (in `get_jobs` order) instead: `Clear` would delete those records too, and
    /// unreadable records are never deleted. They stay held.
    pub fn remove_all_jobs(&mut self, jobstore: Option<&str>) -> Result<()> {
        if self.state == SchedulerState::Stopped {
            self.pending.retain(|a| jobstore.is_some_and(|x| x != a));
        } else {
            self.stores.remove_all_jobs(jobstore, &mut self.out);
        }
        self.out.event(Event::scheduler(EventCode::AllJobsRemoved, jobstore.map(str::to_string)));
        Ok(())
    }

    // ----- stores and executors ------------------------------------------------------

    /// Adds a job store (`EVENT_JOBSTORE_ADDED`). The alias must be free.
    pub fn add_jobstore(&mut self, alias: &str, kind: StoreKind) -> Result<()> {
        if self.stores.contains(alias) {
            return Err(Error::invalid("alias", alias, "a job store with this alias already exists"));
        }
        self.stores.insert_store(alias, kind);
        self.out.event(Event::scheduler(EventCode::JobstoreAdded, Some(alias.to_string())));
        Ok(())
    }

    /// Removes a job store and its jobs from the core (`EVENT_JOBSTORE_REMOVED`). A
    /// persistent store's records are not touched; the ids of its unreadable records are
    /// forgotten with it (a store added again under the alias starts with none).
    pub fn remove_jobstore(&mut self, alias: &str) -> Result<()> {
        let si = self.stores.index_of(alias)?;
        self.stores.remove_store(si);
        self.out.event(Event::scheduler(EventCode::JobstoreRemoved, Some(alias.to_string())));
        Ok(())
    }

    /// Adds an executor (`EVENT_EXECUTOR_ADDED`). The alias must be free.
    pub fn add_executor(&mut self, alias: &str, executor: ExecutorConfig) -> Result<()> {
        if self.executors.iter().any(|(a, _)| a == alias) {
            return Err(Error::invalid("alias", alias, "an executor with this alias already exists"));
        }
        self.executors.push((alias.to_string(), executor));
        self.out.event(Event::scheduler(EventCode::ExecutorAdded, Some(alias.to_string())));
        Ok(())
    }

    /// Removes an executor (`EVENT_EXECUTOR_REMOVED`). Jobs naming it are removed when they
    /// next fall due, as in APScheduler.
    pub fn remove_executor(&mut self, alias: &str) -> Result<()> {
        let i = self
            .executors
            .iter()
            .position(|(a, _)| a == alias)
            .ok_or_else(|| Error::UnknownAlias { kind: "executor", alias: alias.to_string() })?;
        self.executors.remove(i);
        self.out.event(Event::scheduler(EventCode::ExecutorRemoved, Some(alias.to_string())));
        Ok(())
    }

    /// Loads stored records into persistent store `alias` (no events, no store ops — like
    /// APScheduler's `import_jobs`). `now` is the build context of the triggers. Returns
    /// the records that could not be loaded, each a [`LoadProblem`]: its index in
    /// `records`, its id when it has a readable one, and the error
    /// ([`Error::CorruptRecord`] with the reason, or [`Error::ConflictingId`]); they are
    /// left untouched in storage.
    ///
    /// A record that cannot be loaded but is a JSON object with a string `id` holds that
    /// id in the store ([`unreadable_ids`](Self::unreadable_ids)): adding a job with it
    /// needs `replace_existing` (see [`add_job`](Self::add_job)). A record without a
    /// readable id holds nothing; the host can hold the id it knows from the storage key
    /// with [`hold_unreadable_id`](Self::hold_unreadable_id). A record that loads releases
    /// its id (it was fixed in storage since an earlier load).
    pub fn load_jobs(&mut self, alias: &str, records: &[Value], now: Timestamp) -> Result<Vec<LoadProblem>> {
        let zone = self.timezone;
        let si = self.stores.persistent_index(alias, LOAD_REASON)?;
        let store = self.stores.get_mut(si);
        let mut problems = Vec::new();
        for (index, value) in records.iter().enumerate() {
            // A record without a readable id is named by its place in the error's text.
            let job = JobRecord::decode(&format!("#{index}"), value).and_then(|r| r.into_job(alias, zone, now));
            let id = value.get("id").and_then(Value::as_str);
            match job {
                Ok(job) if store.contains(&job.id) => {
                    problems.push(LoadProblem { index, id: Some(job.id.to_string()), error: Error::ConflictingId { id: job.id.to_string() } })
                }
                Ok(job) => {
                    store.release_unreadable(&job.id);
                    store.put(job);
                }
                Err(error) => {
                    if let Some(id) = id {
                        store.hold_unreadable(id);
                    }
                    problems.push(LoadProblem { index, id: id.map(str::to_string), error })
                }
            }
        }
        Ok(problems)
    }

    /// Holds `id` in persistent store `jobstore` for a stored record the host could not
    /// even parse (so `load_jobs` never saw it) but whose id it knows, e.g. from the
    /// storage key. Until a job replaces it, adding a job with this id to this store needs
    /// `replace_existing` ([`add_job`](Self::add_job)), and `remove_all_jobs` removes the
    /// store's jobs one by one instead of clearing it. Holding an id twice is harmless.
    /// Errors: [`Error::UnknownAlias`] for an unknown store, [`Error::InvalidArgument`]
    /// for a memory store or an empty id.
    pub fn hold_unreadable_id(&mut self, jobstore: &str, id: &str) -> Result<()> {
        let si = self.stores.persistent_index(jobstore, "only persistent stores keep records")?;
        let store = self.stores.get_mut(si);
        if id.is_empty() {
            return Err(Error::invalid("id", "", "must not be empty"));
        }
        store.hold_unreadable(id);
        Ok(())
    }

    // ----- helpers of the commands ---------------------------------------------------

    fn build_trigger(&self, input: TriggerInput, now: Timestamp) -> Result<Trigger> {
        match input {
            TriggerInput::RunOnceNow => Ok(Trigger::Date(DateTrigger::new(now, self.timezone))),
            TriggerInput::Built(t) => Ok(t),
            TriggerInput::Json(v) => trigger_json::build(&v, self.timezone, now),
        }
    }

    fn resolve_date(&self, field: &str, d: &DateInput) -> Result<Timestamp> {
        d.resolve(field, self.timezone)
    }

    /// A random id (32 lowercase hex characters) that no pending or stored job or
    /// unreadable record holds.
    fn generate_id(&mut self) -> Arc<str> {
        loop {
            let id = format!("{:016x}{:016x}", self.rng.next_u64(), self.rng.next_u64());
            if !self.pending.contains_id(&id) && !self.stores.id_taken_anywhere(&id) {
                return Arc::from(id.as_str());
            }
        }
    }
}
