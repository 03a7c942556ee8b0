//! The driving inputs of [`Scheduler`]: `tick(now)` and the host's run progress reports.

use std::sync::Arc;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::time::Timestamp;

use super::*;

impl Scheduler {
    // ----- inputs: tick and run progress --------------------------------------------

    /// Processes due jobs at `now` (APScheduler's `_process_jobs`) and returns the runs to
    /// start, in processing order (stores in insertion order; due jobs by `due_at`, then id).
    ///
    /// For each due job: every fire time `<= now` is collected (only the last one when
    /// coalescing; long backlogs are never enumerated, see [`run`]); if the job already has
    /// `max_instances` running instances, `EVENT_JOB_MAX_INSTANCES` is queued and the times
    /// are lost, otherwise a [`Run`] is handed out with `EVENT_JOB_SUBMITTED`. Either way the
    /// next run time is advanced (and its store op queued) first; an exhausted trigger
    /// removes the job (`EVENT_JOB_REMOVED`, emitted at once; submission events come after
    /// all jobs were processed).
    ///
    /// Does nothing unless running. Spurious calls are harmless; a `now` earlier than
    /// before is not an error and never re-emits a run.
    pub fn tick(&mut self, now: Timestamp) -> Vec<Run> {
        self.wakeup_requested = false;
        let mut runs = Vec::new();
        if self.state != SchedulerState::Running {
            return runs;
        }
        let mut deferred = Vec::new();
        for si in 0..self.stores.len() {
            let due = self.stores[si].due_ids(now);
            for id in due {
                self.process_due(si, &id, now, &mut runs, &mut deferred);
            }
        }
        self.events.extend(deferred);
        runs
    }

    fn process_due(&mut self, si: usize, id: &Arc<str>, now: Timestamp, runs: &mut Vec<Run>, deferred: &mut Vec<Event>) {
        let store = &self.stores[si];
        let alias = store.alias.clone();
        let Some(job) = store.get(id) else { return };
        let (Some(first), Some(due_at)) = (job.next_run_time, job.due_at) else { return };
        if !self.executors.iter().any(|(a, _)| **a == *job.executor) {
            // APScheduler logs "Executor lookup failed" and removes the job.
            self.remove_from_store(si, id);
            return;
        }
        let trigger = job.trigger.clone();
        let (coalesce, max_instances, grace) = (job.coalesce, job.max_instances, job.misfire_grace_time);
        let executor = job.executor.clone();
        let first = first.min(now);
        let catch = trigger.catch_up(first, now, if coalesce { 1 } else { LIST_LIMIT });
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
        let key = (executor.clone(), id.clone());
        let running = self.instances.get(&key).copied().unwrap_or(0);
        if running >= max_instances {
            let mut ev = Event::job(EventCode::JobMaxInstances, id.clone(), Some(alias.clone()));
            ev.scheduled_run_times = Some(times);
            deferred.push(ev);
        } else {
            *self.instances.entry(key).or_insert(0) += 1;
            let run_id = RunId(self.next_run_id);
            self.next_run_id += 1;
            let flight = InFlight {
                job_id: id.clone(),
                jobstore: alias.clone(),
                executor: executor.clone(),
                misfire_grace_time: grace,
                due_at,
                cursor,
            };
            self.runs.insert(run_id, flight);
            let mut ev = Event::job(EventCode::JobSubmitted, id.clone(), Some(alias.clone()));
            ev.scheduled_run_times = Some(times.clone());
            deferred.push(ev);
            runs.push(Run {
                id: run_id,
                job_id: id.clone(),
                jobstore: alias.clone(),
                executor,
                func: job.func.clone(),
                args: job.args.clone(),
                kwargs: job.kwargs.clone(),
                run_times: times,
                due_at: if coalesce { due_at.max(last) } else { due_at },
            });
        }
        // A trigger must move forward; one that does not is treated as exhausted rather
        // than handing out the same time again.
        let next = catch
            .after
            .filter(|t| *t > last)
            .and_then(|t| trigger.jitter_fire(t, Some(last), now, &mut self.rng).map(|r| (t, r.max(t))));
        match next {
            Some((t, r)) => {
                let store = &mut self.stores[si];
                let persistent = store.is_persistent();
                if let Some(job) = store.reschedule(id, Some(t), Some(r)) {
                    if persistent {
                        let op = StoreOp::Put { jobstore: alias.to_string(), record: JobRecord::from_job_unchecked(job) };
                        self.outbox.push_back(op);
                    }
                }
            }
            None => self.remove_from_store(si, id),
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
        let flight = self.runs.get_mut(&run).ok_or_else(|| unknown_run(run))?;
        if let Some(grace) = flight.misfire_grace_time {
            // A time is missed when max(time, due_at) is before `now − grace`, i.e. at or
            // before `bound`. Only a span skips a stretch; other cursors return None here.
            let bound = now.as_micros().saturating_sub(grace as i64 * crate::time::MICROS_PER_SEC).saturating_sub(1);
            if flight.due_at.as_micros() <= bound {
                if let Some(skipped) = flight.cursor.skip_through(Timestamp::from_micros(bound)) {
                    let mut ev = Event::job(EventCode::JobMissed, flight.job_id.clone(), Some(flight.jobstore.clone()));
                    ev.scheduled_run_time = Some(skipped.first);
                    if skipped.last > skipped.first {
                        ev.scheduled_run_times = Some(RunTimes::Span { first: skipped.first, last: skipped.last });
                    }
                    self.events.push_back(ev);
                    return Ok(Some(RunStart::Missed(skipped.first)));
                }
            }
        }
        let Some(t) = flight.cursor.advance() else { return Ok(None) };
        if let Some(grace) = flight.misfire_grace_time {
            let late = now.as_micros().saturating_sub(t.max(flight.due_at).as_micros());
            if late > grace as i64 * crate::time::MICROS_PER_SEC {
                let mut ev = Event::job(EventCode::JobMissed, flight.job_id.clone(), Some(flight.jobstore.clone()));
                ev.scheduled_run_time = Some(t);
                self.events.push_back(ev);
                return Ok(Some(RunStart::Missed(t)));
            }
        }
        Ok(Some(RunStart::Execute(t)))
    }

    /// The function ran for `scheduled` and returned `retval` (`EVENT_JOB_EXECUTED`).
    pub fn run_succeeded(&mut self, run: RunId, scheduled: Timestamp, retval: Value) -> Result<()> {
        let flight = self.runs.get(&run).ok_or_else(|| unknown_run(run))?;
        let mut ev = Event::job(EventCode::JobExecuted, flight.job_id.clone(), Some(flight.jobstore.clone()));
        ev.scheduled_run_time = Some(scheduled);
        ev.retval = Some(retval);
        self.events.push_back(ev);
        Ok(())
    }

    /// The function failed for `scheduled` (`EVENT_JOB_ERROR` with the exception text and
    /// the traceback / stack if any).
    pub fn run_failed(&mut self, run: RunId, scheduled: Timestamp, exception: String, traceback: Option<String>) -> Result<()> {
        let flight = self.runs.get(&run).ok_or_else(|| unknown_run(run))?;
        let mut ev = Event::job(EventCode::JobError, flight.job_id.clone(), Some(flight.jobstore.clone()));
        ev.scheduled_run_time = Some(scheduled);
        ev.exception = Some(exception);
        ev.traceback = traceback;
        self.events.push_back(ev);
        Ok(())
    }

    /// The instance ended: its `max_instances` slot is released. Run times not yet handed
    /// out are dropped.
    pub fn finish_run(&mut self, run: RunId) -> Result<()> {
        let flight = self.runs.remove(&run).ok_or_else(|| unknown_run(run))?;
        let key = (flight.executor, flight.job_id);
        if let Some(n) = self.instances.get_mut(&key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.instances.remove(&key);
            }
        }
        Ok(())
    }

}

fn unknown_run(run: RunId) -> Error {
    Error::invalid("run_id", run.0, "no such run (never handed out, or already finished)")
}

