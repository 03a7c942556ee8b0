//! The driving inputs of [`Scheduler`]: `tick(now)` and the host's run progress reports.

use std::sync::Arc;

use crate::error::Result;
use crate::time::Timestamp;
use crate::trigger::Trigger;

use super::*;

impl Scheduler {
    // ----- inputs: tick and run progress --------------------------------------------

    /// Processes due jobs at `now` (APScheduler's `_process_jobs`), in processing order
    /// (stores in insertion order; due jobs by `due_at`, then id). Its outputs
    /// ([`poll_output`](Self::poll_output)) come in this order: the store ops of every
    /// reschedule (one batch per store, unless a job removal's event splits it), then the
    /// [`Run`]s to start, then the submission events. So every run comes after the store op
    /// that recorded its job's next run time.
    ///
    /// Each due job goes through three steps:
    ///
    /// 1. **catch-up**: every fire time `<= now` is collected (only the last one when
    ///    coalescing; long backlogs are never enumerated, see [`run`]);
    /// 2. **admission**: if the job already has `max_instances` running instances,
    ///    `EVENT_JOB_MAX_INSTANCES` is queued and the times are lost, otherwise a [`Run`] is
    ///    handed out with `EVENT_JOB_SUBMITTED`;
    /// 3. **reschedule**: either way the next run time is advanced and its store op queued;
    ///    an exhausted trigger removes the job (`EVENT_JOB_REMOVED`, queued at once).
    ///
    /// Does nothing unless running. Spurious calls are harmless; a `now` earlier than
    /// before is not an error and never re-emits a run.
    pub fn tick(&mut self, now: Timestamp) {
        self.wakeup_requested = false;
        if self.state != SchedulerState::Running {
            return;
        }
        let mut runs = Vec::new();
        let mut deferred = Vec::new();
        for si in 0..self.stores.len() {
            let due = self.stores.get(si).due_ids(now);
            for id in due {
                self.process_due(si, &id, now, &mut runs, &mut deferred);
            }
        }
        // After every store op of this tick: a run never precedes its job's record.
        for run in runs {
            self.out.run(run);
        }
        for event in deferred {
            self.out.event(event);
        }
    }

    /// One due job, in three steps: [`catch_up`] (which run times), admission
    /// ([`RunTable::admit`]: `max_instances`), [`reschedule`](Self::reschedule) (the next
    /// run time). A job naming an unknown executor is removed instead, as in APScheduler.
    fn process_due(&mut self, si: usize, id: &Arc<str>, now: Timestamp, runs: &mut Vec<Run>, deferred: &mut Vec<Event>) {
        let store = self.stores.get(si);
        let Some(job) = store.get(id) else { return };
        let (Some(next_run_time), Some(due_at)) = (job.next_run_time, job.due_at) else { return };
        if !self.executors.iter().any(|(a, _)| **a == *job.executor) {
            // APScheduler logs "Executor lookup failed" and removes the job.
            self.remove_stored_job(si, id);
            return;
        }
        let alias = store.alias.clone();
        let trigger = job.trigger.clone();
        // 1. catch-up
        let (backlog, after, reached) = catch_up(&trigger, job.coalesce, next_run_time, due_at, now);
        let last = backlog.last;
        if job.coalesce && !reached {
            // A backlog too long to step through in one tick (see `STEP_BUDGET`): a
            // coalescing job runs once, at its end, so this part is passed over without a
            // run and the next tick goes on from `after` (still due).
            self.reschedule(si, id, &trigger, last, after, now);
            return;
        }
        // 2. admission
        let event = match self.runs.admit(job, &alias, backlog) {
            Ok(run) => {
                let mut ev = Event::job(EventCode::JobSubmitted, id.clone(), Some(alias));
                ev.scheduled_run_times = Some(run.run_times.clone());
                runs.push(run);
                ev
            }
            Err(refused) => {
                let mut ev = Event::job(EventCode::JobMaxInstances, id.clone(), Some(alias));
                ev.scheduled_run_times = Some(refused);
                ev
            }
        };
        deferred.push(event);
        // 3. reschedule
        self.reschedule(si, id, &trigger, last, after, now);
    }

    /// Step 3 of a due job: its next run time is the trigger's first fire time after `last`
    /// (`after`), with a new jitter draw for `due_at`; the store op is queued. A trigger with
    /// none left — or one that does not move forward, treated as exhausted rather than
    /// handing out the same time again — removes the job (`EVENT_JOB_REMOVED`, at once).
    fn reschedule(&mut self, si: usize, id: &str, trigger: &Trigger, last: Timestamp, after: Option<Timestamp>, now: Timestamp) {
        let next = after
            .filter(|t| *t > last)
            .and_then(|t| trigger.jitter_fire(t, Some(last), now, &mut self.rng).map(|d| (t, d.max(t))));
        match next {
            Some((t, d)) => self.stores.reschedule_job(si, id, Some(t), Some(d), &mut self.out),
            None => self.remove_stored_job(si, id),
        }
    }

    /// The host is starting the next scheduled time of `run` at `now`. Returns
    /// [`RunStart::Execute`] (call the function, then report), [`RunStart::Missed`] (more
    /// than `misfire_grace_time` seconds late — strictly greater, as APScheduler; the
    /// `EVENT_JOB_MISSED` is queued), or `None` when every run time was handed out.
    /// Lateness is `now` minus the run time, or minus the run's `due_at` when that is later
    /// (a jittered run is not late for its jitter).
    ///
    /// **Listed run times** ([`RunTimes::List`], and single ones) are checked one at a time,
    /// one `EVENT_JOB_MISSED` per missed time, as in APScheduler.
    ///
    /// **A span** ([`RunTimes::Span`], backlogs over [`LIST_LIMIT`]; deviation
    /// `missed-span`): when its next time is already missed at `now`, every time of the
    /// span missed at `now` — all those before `now − misfire_grace_time` — is skipped in
    /// one step: one `EVENT_JOB_MISSED` with `scheduled_run_time` = the first skipped time
    /// and, when two or more were skipped, `scheduled_run_times` =
    /// [`RunTimes::Span`]` { first, last }` with `last` the last skipped fire time (exact).
    /// The call returns `Missed(first)`; the next call hands out the first time after the
    /// stretch, which is not missed at this `now`. The cost is a few trigger queries for
    /// interval and cron triggers, however long the stretch (see [`run`] for the rule and
    /// the other triggers). The run times executed are the same as if each time had been
    /// checked at this `now`.
    pub fn start_run_time(&mut self, run: RunId, now: Timestamp) -> Result<Option<RunStart>> {
        let Some((start, missed)) = self.runs.get_mut(run)?.start_next(now) else { return Ok(None) };
        if let Some(mut event) = missed {
            event.run_id = Some(run);
            self.out.event(event);
        }
        Ok(Some(start))
    }

    /// The function ran for `scheduled` (`EVENT_JOB_EXECUTED` with `run_id` and
    /// `scheduled_run_time`; what it returned stays with the host, see [`Event`]).
    pub fn run_succeeded(&mut self, run: RunId, scheduled: Timestamp) -> Result<()> {
        self.run_ended(EventCode::JobExecuted, run, scheduled)
    }

    /// The function failed for `scheduled` (`EVENT_JOB_ERROR` with `run_id` and
    /// `scheduled_run_time`; the exception and traceback stay with the host, see [`Event`]).
    pub fn run_failed(&mut self, run: RunId, scheduled: Timestamp) -> Result<()> {
        self.run_ended(EventCode::JobError, run, scheduled)
    }

    /// Queues the executed or error event of run time `scheduled` of `run`.
    fn run_ended(&mut self, code: EventCode, run: RunId, scheduled: Timestamp) -> Result<()> {
        let flight = self.runs.get(run)?;
        let mut ev = Event::job(code, flight.job_id.clone(), Some(flight.jobstore.clone()));
        ev.scheduled_run_time = Some(scheduled);
        ev.run_id = Some(run);
        self.out.event(ev);
        Ok(())
    }

    /// The instance ended: its `max_instances` slot is released. Run times not yet handed
    /// out are dropped.
    pub fn finish_run(&mut self, run: RunId) -> Result<()> {
        self.runs.finish(run)
    }
}

/// Step 1 of a due job, catch-up: its fire times from `next_run_time` up to `now`, and the
/// trigger's next fire time after the last of them (`None`: exhausted). A
/// coalescing job gets only the last one; otherwise up to [`LIST_LIMIT`] are listed and a
/// longer backlog becomes a [`RunTimes::Span`] handed out lazily (see [`run`]). Long
/// backlogs are never enumerated ([`Trigger::catch_up`]).
/// The third value says whether the backlog was stepped through to `now` (see
/// [`CatchUp::reached`](crate::trigger::catchup::CatchUp::reached)); a non-coalescing job
/// gets the part it reached as its run times, and the rest on the next ticks.
fn catch_up(trigger: &Arc<Trigger>, coalesce: bool, next_run_time: Timestamp, due_at: Timestamp, now: Timestamp) -> (Backlog, Option<Timestamp>, bool) {
    let first = next_run_time.min(now);
    let catch = trigger.catch_up(first, now, if coalesce { 1 } else { LIST_LIMIT });
    let reached = catch.reached(now);
    let last = catch.last;
    let (times, cursor) = if coalesce {
        (RunTimes::List(vec![last]), Cursor::One(Some(last)))
    } else if catch.complete && catch.listed.len() == 1 {
        (RunTimes::List(catch.listed), Cursor::One(Some(first)))
    } else if catch.complete {
        (RunTimes::List(catch.listed.clone()), Cursor::List { times: catch.listed, next: 0 })
    } else {
        (RunTimes::Span { first, last }, Cursor::Span { next: Some(first), last, now, trigger: trigger.clone() })
    };
    (Backlog { times, cursor, last, due_at }, catch.after, reached)
}
