//! Runs: what `tick` hands to the host, and the host's progress reports.
//!
//! A [`Run`] is one executor submission (APScheduler's `submit_job(job, run_times)`): one
//! *instance* of a job, covering one or more scheduled run times. The host then, for each
//! run time in order, asks the core whether to execute it
//! ([`Scheduler::start_run_time`](super::Scheduler::start_run_time), which does the misfire
//! check at the instant the host passes), reports its result, and finally ends the instance
//! ([`Scheduler::finish_run`](super::Scheduler::finish_run)), which releases one
//! `max_instances` slot.
//!
//! ## Bounded memory for long backlogs
//!
//! A job that does not coalesce keeps APScheduler's per-run-time semantics: after a host
//! sleep every missed fire time is checked (and usually reported missed) one by one. The
//! core never materialises such a backlog. Up to [`LIST_LIMIT`] run times are listed
//! ([`RunTimes::List`]); a longer backlog is described by its first and last time
//! ([`RunTimes::Span`]) and the in-flight run keeps a *cursor* (the next time to hand out and
//! a shared handle on the trigger). `start_run_time` advances the cursor one fire time at a
//! time, so memory stays constant whatever the backlog's length; time is linear in the
//! number of run times the host actually drains.

use std::sync::Arc;

use serde_json::Value;

use crate::time::Timestamp;
use crate::trigger::Trigger;

/// Backlogs longer than this are described as a [`RunTimes::Span`] instead of a list.
pub const LIST_LIMIT: usize = 1024;

/// Identifies one run (submission) for the progress reports. Unique per scheduler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunId(pub u64);

/// The scheduled run times of a submission, after coalescing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunTimes {
    /// Every run time, oldest first (at most [`LIST_LIMIT`]).
    List(Vec<Timestamp>),
    /// A long backlog: every fire time of the job's trigger from `first` to `last`
    /// inclusive. Drain it with `start_run_time`.
    Span {
        /// The oldest run time.
        first: Timestamp,
        /// The newest run time.
        last: Timestamp,
    },
}

impl RunTimes {
    /// The oldest run time.
    pub fn first(&self) -> Option<Timestamp> {
        match self {
            RunTimes::List(v) => v.first().copied(),
            RunTimes::Span { first, .. } => Some(*first),
        }
    }

    /// The newest run time (the one the next fire time is computed from).
    pub fn last(&self) -> Option<Timestamp> {
        match self {
            RunTimes::List(v) => v.last().copied(),
            RunTimes::Span { last, .. } => Some(*last),
        }
    }

    /// The listed run times, or `None` for a span.
    pub fn as_list(&self) -> Option<&[Timestamp]> {
        match self {
            RunTimes::List(v) => Some(v),
            RunTimes::Span { .. } => None,
        }
    }
}

/// A due run, returned by [`Scheduler::tick`](super::Scheduler::tick): call `func` with
/// `args`/`kwargs` on `executor` for each scheduled run time.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// The handle for progress reports.
    pub id: RunId,
    /// The job's id.
    pub job_id: Arc<str>,
    /// The job store the job lives in.
    pub jobstore: Arc<str>,
    /// The executor alias the job names.
    pub executor: Arc<str>,
    /// The function key; the host resolves it.
    pub func: Arc<str>,
    /// Positional arguments (a JSON array).
    pub args: Arc<Value>,
    /// Keyword arguments (a JSON object).
    pub kwargs: Arc<Value>,
    /// The scheduled run times (one when the job coalesces).
    pub run_times: RunTimes,
    /// When to start: the first run time plus the trigger's jitter (equal to it without
    /// jitter). Never later than the tick that produced the run, unless jittered.
    pub run_at: Timestamp,
}

/// What [`Scheduler::start_run_time`](super::Scheduler::start_run_time) decided for the next
/// run time of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunStart {
    /// Call the function now for this scheduled time, then report its result.
    Execute(Timestamp),
    /// This scheduled time started more than `misfire_grace_time` late: skip it
    /// (`EVENT_JOB_MISSED` has been queued).
    Missed(Timestamp),
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
}

/// An in-flight run: one instance of a job, held until `finish_run`.
#[derive(Debug)]
pub(crate) struct InFlight {
    pub(crate) job_id: Arc<str>,
    pub(crate) jobstore: Arc<str>,
    pub(crate) executor: Arc<str>,
    pub(crate) misfire_grace_time: Option<u32>,
    /// When the job became due (its first run time plus jitter): lateness is measured from
    /// the later of this and each run time, so jitter never makes a run miss.
    pub(crate) due_at: Timestamp,
    pub(crate) cursor: Cursor,
}
