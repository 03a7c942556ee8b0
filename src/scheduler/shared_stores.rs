//! The core's side of shared job stores (`docs/shared-stores.md`): one scheduler, the
//! *leader*, runs a shared store's jobs; the others are *followers* that keep the store's
//! jobs as a mirror, reload it when the leader wrote, and hand their changes to the leader,
//! which applies them as records.
//!
//! * [`set_store_leading`](Scheduler::set_store_leading): leader or follower, per store.
//! * [`replace_jobs`](Scheduler::replace_jobs): reload a store from its records (a follower
//!   after the leader wrote; a scheduler becoming leader).
//! * [`apply_record`](Scheduler::apply_record): the leader applies another scheduler's
//!   change of one job, given as its whole record.
//! * [`job_record`](Scheduler::job_record): a job's record, for the leader's three-way
//!   merge of a follower's change.

use serde_json::Value;

use crate::error::Result;
use crate::time::Timestamp;

use super::commands::LOAD_REASON;
use super::*;

impl Scheduler {
    /// Makes this scheduler the leader (`true`, every store's state at first) or a follower
    /// (`false`) of store `alias`. A following store holds its jobs as a mirror: they are
    /// listed and looked up as usual and the job commands work on them (with their events
    /// and store ops), but they are never due — [`tick`](Self::tick) hands out none of them
    /// and [`next_wakeup`](Self::next_wakeup) ignores them. Leading again makes them due:
    /// the next tick applies coalescing, `max_instances` and (at
    /// [`start_run_time`](Self::start_run_time)) the misfire check to whatever fell due
    /// meanwhile, as after a load. Setting the current state again is harmless.
    /// Errors: [`Error::UnknownAlias`] for an unknown store.
    pub fn set_store_leading(&mut self, alias: &str, leading: bool) -> Result<()> {
        let si = self.stores.index_of(alias)?;
        self.stores.get_mut(si).leading = leading;
        Ok(())
    }

    /// Reloads persistent store `alias` from `records`, everything it stores: afterwards the
    /// store's jobs are exactly the records that load (jobs without a record are gone, the
    /// others replaced or added), and its unreadable ids
    /// ([`unreadable_ids`](Self::unreadable_ids)) exactly those this load finds (hold the
    /// ones of unparseable entries again with
    /// [`hold_unreadable_id`](Self::hold_unreadable_id)). No events, no store ops: storage
    /// already holds these records. Returns the problems as [`load_jobs`](Self::load_jobs)
    /// does, with the same errors for an unknown or memory store (then nothing changes).
    /// Whether the store leads is kept. Runs in flight stay valid: a run of a job that was
    /// replaced or is gone reports and finishes as the run of a removed job does.
    pub fn replace_jobs(&mut self, alias: &str, records: &[Value], now: Timestamp) -> Result<Vec<LoadProblem>> {
        let si = self.stores.persistent_index(alias, LOAD_REASON)?;
        self.stores.get_mut(si).forget_all();
        self.load_jobs(alias, records, now)
    }

    /// Applies a change another scheduler made to one job of persistent store `alias`,
    /// given as the job's whole record (a follower's queued change, merged by the leader):
    /// a new id is added (`EVENT_JOB_ADDED`), an existing job replaced by the record
    /// (`EVENT_JOB_MODIFIED`). Either way a [`StoreOp::Put`] of the record as the core
    /// encodes it ([`job_record`](Self::job_record)) is queued. The record's
    /// `next_run_time` is taken as given (`null` = paused); `now` is the trigger's build
    /// context. Works whether the store leads or follows.
    ///
    /// Errors, with nothing changed: [`Error::CorruptRecord`] naming the id and the field
    /// that does not decode ([`JobRecord::decode`]); [`Error::ConflictingId`] when another
    /// store holds the id, and the same code ([`Error::UnreadableRecordId`]) when an
    /// unreadable record holds it; [`Error::UnknownAlias`], or [`Error::InvalidArgument`]
    /// for a memory store.
    pub fn apply_record(&mut self, alias: &str, record: &Value, now: Timestamp) -> Result<()> {
        let si = self.stores.persistent_index(alias, LOAD_REASON)?;
        let job = JobRecord::decode("record", record).and_then(|r| r.into_job(alias, self.timezone, now))?;
        let holder = self.stores.iter().find(|s| if *s.alias == *alias { s.holds_unreadable(&job.id) } else { s.id_taken(&job.id) });
        if let Some(store) = holder {
            return Err(store.conflict(&job.id));
        }
        let existed = self.stores.get(si).contains(&job.id);
        let code = if existed { EventCode::JobModified } else { EventCode::JobAdded };
        let event = Event::job(code, job.id.clone(), job.jobstore.clone());
        self.stores.put_job(si, job, &mut self.out);
        self.out.event(event);
        Ok(())
    }

    /// The record of job `job_id` in persistent store `alias` exactly as a
    /// [`StoreOp::Put`] of it carries it ([`JobRecord::to_json`]); `None` when the store
    /// is unknown or a memory store, or has no such job.
    pub fn job_record(&self, alias: &str, job_id: &str) -> Option<Value> {
        let store = self.stores.selected(Some(alias)).first().filter(|s| s.is_persistent())?;
        store.get(job_id).map(|job| JobRecord::from_job_unchecked(job).to_json())
    }
}
