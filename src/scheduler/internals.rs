//! Helpers shared by the scheduler's commands, lifecycle and tick.

use std::hash::Hasher;
use std::sync::{Arc, Weak};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::time::{DateInput, Timestamp};
use crate::trigger::{DateTrigger, Trigger};

use super::*;

impl Scheduler {
    // ----- internals -----------------------------------------------------------------

    pub(super) fn build_trigger(&self, input: TriggerInput, now: Timestamp) -> Result<Trigger> {
        match input {
            TriggerInput::RunOnceNow => Ok(Trigger::Date(DateTrigger::new(now, self.timezone))),
            TriggerInput::Built(t) => Ok(t),
            TriggerInput::Json(v) => trigger_json::build(&v, self.timezone, now),
        }
    }

    pub(super) fn resolve_date(&self, field: &str, d: &DateInput) -> Result<Timestamp> {
        d.resolve(field, self.timezone)
    }

    /// The first fire time at `now`: (schedule time, due instant with jitter).
    pub(super) fn first_fire(&mut self, trigger: &Trigger, now: Timestamp) -> (Option<Timestamp>, Option<Timestamp>) {
        match trigger.next_fire(None, now, &mut self.rng) {
            Some(f) => (Some(f.time), Some(f.due_at.max(f.time))),
            None => (None, None),
        }
    }

    /// The shared copy of an equal cron trigger already in use, or a new shared trigger.
    pub(super) fn share_trigger(&mut self, trigger: Trigger) -> Arc<Trigger> {
        if !matches!(trigger, Trigger::Cron(_)) {
            return Arc::new(trigger);
        }
        if self.cron_pool.len() >= self.cron_pool_prune_at {
            // Amortised clean-up of triggers no job uses any more (frees their allocations).
            self.cron_pool.retain(|_, v| {
                v.retain(|w| w.strong_count() > 0);
                !v.is_empty()
            });
            self.cron_pool_prune_at = (2 * self.cron_pool.len()).max(1024);
        }
        let mut h = store::Fnv::default();
        h.write(trigger.repr().as_bytes());
        let slot = self.cron_pool.entry(h.finish()).or_default();
        slot.retain(|w| w.strong_count() > 0);
        if let Some(found) = slot.iter().filter_map(Weak::upgrade).find(|t| **t == trigger) {
            return found;
        }
        let shared = Arc::new(trigger);
        slot.push(Arc::downgrade(&shared));
        shared
    }

    /// Replaces an empty array / object by the shared one (most jobs have no arguments).
    pub(super) fn share_empty(&self, v: Arc<Value>) -> Arc<Value> {
        match &*v {
            Value::Array(a) if a.is_empty() => self.empty.0.clone(),
            Value::Object(o) if o.is_empty() => self.empty.1.clone(),
            _ => v,
        }
    }

    pub(super) fn intern(&mut self, name: &str) -> Arc<str> {
        if let Some(n) = self.names.get(name) {
            return n.clone();
        }
        if self.names.len() >= self.names_prune_at {
            // Amortised clean-up of names no job uses any more.
            self.names.retain(|n| Arc::strong_count(n) > 1);
            self.names_prune_at = (2 * self.names.len()).max(1024);
        }
        let n: Arc<str> = Arc::from(name);
        self.names.insert(n.clone());
        n
    }

    pub(super) fn generate_id(&mut self) -> Arc<str> {
        loop {
            let id = format!("{:016x}{:016x}", self.rng.next_u64(), self.rng.next_u64());
            let taken = self.pending.contains_id(&id) || self.stores.iter().any(|s| s.id_taken(&id));
            if !taken {
                return Arc::from(id.as_str());
            }
        }
    }

    pub(super) fn find_job(&self, job_id: &str, jobstore: Option<&str>) -> Result<&Job> {
        self.get_job(job_id, jobstore).ok_or_else(|| Error::JobNotFound { id: job_id.to_string() })
    }

    /// Stores a new (non-pending) job: conflict check (jobs and unreadable records),
    /// trigger JSON for persistent stores, store op, `EVENT_JOB_ADDED`. A replacing job
    /// releases the id of an unreadable record: its `Put` overwrites the record.
    pub(super) fn store_new_job(&mut self, mut job: Job, alias: &str, replace: bool) -> Result<()> {
        let si = self
            .stores
            .iter()
            .position(|s| *s.alias == *alias)
            .ok_or_else(|| Error::UnknownAlias { kind: "jobstore", alias: alias.to_string() })?;
        if self.stores[si].id_taken(&job.id) && !replace {
            return Err(self.stores[si].conflict(&job.id));
        }
        if self.stores[si].is_persistent() {
            job.trigger_json = Some(Arc::new(trigger_json::to_json(&job.trigger)?));
        }
        self.stores[si].release_unreadable(&job.id);
        job.jobstore = Some(self.stores[si].alias.clone());
        job.pending = None;
        let id = job.id.clone();
        if let Some(op) = self.stores[si].put_op(&job) {
            self.outbox.push_back(op);
        }
        self.stores[si].put(job);
        let alias = self.stores[si].alias.clone();
        self.events.push_back(Event::job(EventCode::JobAdded, id, Some(alias)));
        Ok(())
    }

    pub(super) fn remove_from_store(&mut self, si: usize, job_id: &str) {
        if let Some(job) = self.stores[si].remove(job_id) {
            if let Some(op) = self.stores[si].remove_op(job_id) {
                self.outbox.push_back(op);
            }
            let alias = self.stores[si].alias.clone();
            self.events.push_back(Event::job(EventCode::JobRemoved, job.id, Some(alias)));
        }
    }

    /// Validates `changes` against the job and applies them all, or none. `next` is the new
    /// (schedule, due) pair when the next run time changes.
    pub(super) fn modify_inner(
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
            job.func = self.intern(&check_name("func", func)?);
        }
        if let Some(args) = changes.args {
            job.args = self.share_empty(check_args(args)?);
        }
        if let Some(kwargs) = changes.kwargs {
            job.kwargs = self.share_empty(check_kwargs(kwargs)?);
        }
        if let Some(executor) = changes.executor {
            job.executor = self.intern(&executor);
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
            job.trigger = self.share_trigger(t);
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
            self.events.push_back(Event::job(EventCode::JobModified, id, None));
            return Ok(());
        }
        if let Some((t, r)) = next {
            job.next_run_time = t;
            job.due_at = r;
        }
        let alias: Arc<str> = job.jobstore.clone().unwrap_or_else(|| Arc::from(""));
        let si = self
            .stores
            .iter()
            .position(|s| *s.alias == *alias)
            .ok_or_else(|| Error::UnknownAlias { kind: "jobstore", alias: alias.to_string() })?;
        if trigger_changed && self.stores[si].is_persistent() {
            job.trigger_json = Some(Arc::new(trigger_json::to_json(&job.trigger)?));
        }
        if let Some(op) = self.stores[si].put_op(&job) {
            self.outbox.push_back(op);
        }
        let id = job.id.clone();
        self.stores[si].put(job);
        self.events.push_back(Event::job(EventCode::JobModified, id, Some(alias)));
        Ok(())
    }
}
