//! The run table: runs handed out by `tick` and not yet finished, where each stands in its
//! run times, and every job's count of running instances (`max_instances`).
//!
//! A run enters at admission ([`RunTable::admit`], step 2 of the tick), hands out its run
//! times one by one with the misfire check ([`InFlight::start_next`], see "Missed stretches
//! of a span" in [`run`](super::run)), and leaves at [`RunTable::finish`], which releases its
//! instance slot.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::time::{Timestamp, MICROS_PER_SEC};
use crate::trigger::Trigger;

use super::event::{Event, EventCode};
use super::fnv::FnvBuild;
use super::job::Job;
use super::run::{Run, RunId, RunStart, RunTimes};

/// The in-flight runs and the running-instance counts.
#[derive(Debug)]
pub(crate) struct RunTable {
    runs: HashMap<RunId, InFlight, FnvBuild>,
    /// Running instances per `(executor, job id)`; absent = none.
    instances: HashMap<(Arc<str>, Arc<str>), u32, FnvBuild>,
    /// The id of the next run handed out (unique per scheduler).
    next_id: u64,
}

impl Default for RunTable {
    fn default() -> RunTable {
        RunTable { runs: HashMap::default(), instances: HashMap::default(), next_id: 1 }
    }
}

/// A due job's run times, ready for admission (what step 1 of the tick, catch-up, found).
#[derive(Debug)]
pub(crate) struct Backlog {
    /// The run times as the host and the events see them.
    pub(crate) times: RunTimes,
    /// The same run times as the in-flight run hands them out.
    pub(crate) cursor: Cursor,
    /// The last fire time at or before `now`.
    pub(crate) last: Timestamp,
    /// The job's `due_at` when it was found due.
    pub(crate) due_at: Timestamp,
}

impl RunTable {
    /// How many instances of `job_id` are running, over all executors.
    pub(crate) fn running(&self, job_id: &str) -> u32 {
        self.instances.iter().filter(|((_, j), _)| &**j == job_id).map(|(_, n)| *n).sum()
    }

    /// Admission (`max_instances`): when `job` has fewer running instances on its executor
    /// than its limit, takes a slot and returns the [`Run`] for `backlog`; otherwise gives
    /// the run times back, refused.
    pub(crate) fn admit(&mut self, job: &Job, jobstore: &Arc<str>, backlog: Backlog) -> std::result::Result<Run, RunTimes> {
        let key = (job.executor.clone(), job.id.clone());
        let running = self.instances.get(&key).copied().unwrap_or(0);
        if running >= job.max_instances {
            return Err(backlog.times);
        }
        *self.instances.entry(key).or_insert(0) += 1;
        let id = RunId(self.next_id);
        self.next_id += 1;
        let flight = InFlight {
            job_id: job.id.clone(),
            jobstore: jobstore.clone(),
            executor: job.executor.clone(),
            misfire_grace_time: job.misfire_grace_time,
            due_at: backlog.due_at,
            cursor: backlog.cursor,
        };
        self.runs.insert(id, flight);
        Ok(Run {
            id,
            job_id: job.id.clone(),
            jobstore: jobstore.clone(),
            executor: job.executor.clone(),
            func: job.func.clone(),
            args: job.args.clone(),
            kwargs: job.kwargs.clone(),
            run_times: backlog.times,
            due_at: if job.coalesce { backlog.due_at.max(backlog.last) } else { backlog.due_at },
        })
    }

    /// In-flight run `run`.
    pub(crate) fn get(&self, run: RunId) -> Result<&InFlight> {
        self.runs.get(&run).ok_or_else(|| unknown_run(run))
    }

    /// In-flight run `run`, to hand out its next run time.
    pub(crate) fn get_mut(&mut self, run: RunId) -> Result<&mut InFlight> {
        self.runs.get_mut(&run).ok_or_else(|| unknown_run(run))
    }

    /// Ends run `run` and releases its instance slot.
    pub(crate) fn finish(&mut self, run: RunId) -> Result<()> {
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

/// Where an in-flight run stands in its run times.
#[derive(Debug)]
pub(crate) enum Cursor {
    /// A single run time, until handed out.
    One(Option<Timestamp>),
    /// Listed times; `next` indexes the next one to hand out.
    List { times: Vec<Timestamp>, next: usize },
    /// A lazily enumerated span: `next` is the next time, `last` the final one; each
    /// following time is `trigger.next_fire_time(Some(t), now)` with the submission's `now`.
    Span { next: Option<Timestamp>, last: Timestamp, now: Timestamp, trigger: Arc<Trigger> },
}

/// A stretch of a span's run times skipped at once by [`Cursor::skip_through`]: every fire
/// time of the chain from `first` to `last` inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Skipped {
    pub(crate) first: Timestamp,
    pub(crate) last: Timestamp,
}

impl Cursor {
    /// Hands out the next scheduled time, or `None` when all were handed out.
    pub(crate) fn advance(&mut self) -> Option<Timestamp> {
        match self {
            Cursor::One(t) => t.take(),
            Cursor::List { times, next } => {
                let t = times.get(*next).copied()?;
                *next += 1;
                Some(t)
            }
            Cursor::Span { next, last, now, trigger } => {
                let t = (*next)?;
                *next = if t >= *last {
                    None
                } else {
                    trigger.next_fire_time(Some(t), *now).filter(|n| *n > t && *n <= *last)
                };
                Some(t)
            }
        }
    }

    /// For a span whose next time is at or before `bound`: hands out, in one step, every
    /// time of the span at or before `bound` and returns that stretch; the cursor then
    /// stands at the first time after `bound` (or is exhausted). `None`, and no change, for
    /// other cursors or when the next time is after `bound`.
    ///
    /// The stretch's last time is [`Trigger::last_fire_time_at_or_before`] from the next
    /// time (arithmetic for intervals, a backward probe for crons, stepping for the
    /// others); the time after it is the chain's own next fire time, so the cursor stays
    /// on the chain `advance` would have walked.
    pub(crate) fn skip_through(&mut self, bound: Timestamp) -> Option<Skipped> {
        let Cursor::Span { next, last, now, trigger } = self else { return None };
        let first = (*next).filter(|t| *t <= bound)?;
        let through = trigger.last_fire_time_at_or_before(first, bound.min(*last)).max(first);
        *next = if through >= *last {
            None
        } else {
            trigger.next_fire_time(Some(through), *now).filter(|n| *n > through && *n <= *last)
        };
        Some(Skipped { first, last: through })
    }
}

/// An in-flight run: one instance of a job, held until `finish_run`.
#[derive(Debug)]
pub(crate) struct InFlight {
    pub(crate) job_id: Arc<str>,
    pub(crate) jobstore: Arc<str>,
    pub(crate) executor: Arc<str>,
    pub(crate) misfire_grace_time: Option<u32>,
    /// The run's `due_at` (its first run time plus jitter): lateness is measured from
    /// the later of this and each run time, so jitter never makes a run miss.
    pub(crate) due_at: Timestamp,
    pub(crate) cursor: Cursor,
}

impl InFlight {
    /// The decision for the next run time at `now`, with the `EVENT_JOB_MISSED` to queue
    /// when it is missed; `None` when every run time was handed out. See
    /// [`Scheduler::start_run_time`](super::Scheduler::start_run_time) for the rule.
    pub(crate) fn start_next(&mut self, now: Timestamp) -> Option<(RunStart, Option<Event>)> {
        if let Some(grace) = self.misfire_grace_time {
            // A time is missed when max(time, due_at) is before `now − grace`, i.e. at or
            // before `bound`. Only a span skips a stretch; other cursors return None here.
            let bound = now.as_micros().saturating_sub(grace as i64 * MICROS_PER_SEC).saturating_sub(1);
            if self.due_at.as_micros() <= bound {
                if let Some(skipped) = self.cursor.skip_through(Timestamp::from_micros(bound)) {
                    let mut ev = Event::job(EventCode::JobMissed, self.job_id.clone(), Some(self.jobstore.clone()));
                    ev.scheduled_run_time = Some(skipped.first);
                    if skipped.last > skipped.first {
                        ev.scheduled_run_times = Some(RunTimes::Span { first: skipped.first, last: skipped.last });
                    }
                    return Some((RunStart::Missed(skipped.first), Some(ev)));
                }
            }
        }
        let t = self.cursor.advance()?;
        if let Some(grace) = self.misfire_grace_time {
            let late = now.as_micros().saturating_sub(t.max(self.due_at).as_micros());
            if late > grace as i64 * MICROS_PER_SEC {
                let mut ev = Event::job(EventCode::JobMissed, self.job_id.clone(), Some(self.jobstore.clone()));
                ev.scheduled_run_time = Some(t);
                return Some((RunStart::Missed(t), Some(ev)));
            }
        }
        Some((RunStart::Execute(t), None))
    }
}
