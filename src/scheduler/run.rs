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
//! A job that does not coalesce is handed every fire time of its backlog (APScheduler's
//! `run_times`), but the core never materialises a long one. Up to [`LIST_LIMIT`] run times are listed
//! ([`RunTimes::List`]); a longer backlog is described by its first and last time
//! ([`RunTimes::Span`]) and the in-flight run keeps a *cursor* (the next time to hand out and
//! a shared handle on the trigger). Memory stays constant whatever the backlog's length.
//!
//! ## Missed stretches of a span (deviation `missed-span`)
//!
//! A listed backlog is checked one run time at a time, one `EVENT_JOB_MISSED` per missed
//! time, exactly as APScheduler does. A span is not: when the next time of a span is
//! already missed at the `now` the host passes to
//! [`start_run_time`](super::Scheduler::start_run_time), every time of the span that is
//! missed at that `now` is skipped in one step and reported by **one** `EVENT_JOB_MISSED`
//! (a year of a per-second job is one event, not 31 million).
//!
//! * **Which times.** With grace `g`, a run time `t` is missed at `now` when
//!   `now − max(t, due_at) > g` (`due_at`: the run's first time plus jitter).
//!   The times missed at `now` are therefore exactly the span's times before
//!   `now − g` (none at all when `due` is not before `now − g`): a prefix of what is left.
//!   The stretch runs from the time that was next (`first`) to `last`, the **last fire time
//!   of the chain that is still missed** (at or before `now − g − 1 µs`, and at or before
//!   the span's own last time) — exact, not a bound. The time after `last` on the same
//!   chain (`next_fire_time(Some(last), …)`) is the next one handed out; it is not missed at
//!   that `now`.
//! * **The event.** `scheduled_run_time = first`; when the stretch holds two or more times,
//!   `scheduled_run_times = RunTimes::Span { first, last }` (every fire time of the chain
//!   from `first` to `last` inclusive was missed). A stretch of one time is APScheduler's
//!   plain event (`scheduled_run_times` unset). `start_run_time` returns
//!   [`RunStart::Missed`]`(first)`; the host just asks again.
//! * **Same outcome.** Lateness only grows with `now`, so a host that drains a span time by
//!   time, passing the same `now` while the answers are "missed", executes exactly the run
//!   times it executes with the skip; only the MISSED events are merged.
//! * **Cost.** The last missed time is found with
//!   [`Trigger::last_fire_time_at_or_before`](crate::trigger::Trigger::last_fire_time_at_or_before),
//!   the same search `tick` used to find the span's last time: interval triggers by
//!   arithmetic on the chain (`first + k·interval`, an end date by bisection), cron
//!   triggers by probing their fixed set of fire times backwards — a handful of trigger
//!   queries whatever the stretch's length. Calendar-interval, `and` and `or` triggers
//!   (whose chain can depend on the previous fire time: an interval child of an `or`
//!   restarts from whichever child fired last, a date child never fires again) are stepped
//!   through, as `tick` already stepped them to build the span: no more trigger queries
//!   than the tick made, and still one event.
//! * **Jitter** never moves a run time (only `due`), so it changes nothing above but the
//!   `max(t, due)`.

use std::sync::Arc;

use serde_json::Value;

use crate::time::Timestamp;

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
    /// inclusive (the chain `next_fire_time(Some(t), …)` from `first`). Drain it with
    /// `start_run_time`. An `EVENT_JOB_MISSED` uses it for a stretch of a span skipped at
    /// once (see "Missed stretches of a span" in the [module docs](self)).
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
    /// jitter; the job's `due_at`). Never later than the tick that produced the run, unless
    /// jittered.
    pub due_at: Timestamp,
}

/// What [`Scheduler::start_run_time`](super::Scheduler::start_run_time) decided for the next
/// run time of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunStart {
    /// Call the function now for this scheduled time, then report its result.
    Execute(Timestamp),
    /// This scheduled time started more than `misfire_grace_time` late: skip it
    /// (`EVENT_JOB_MISSED` has been queued). For a [`RunTimes::Span`] this may be the first
    /// of a whole stretch of missed times skipped at once, reported by one event (see
    /// "Missed stretches of a span" in the [module docs](self)); the next call hands out
    /// the first time after the stretch.
    Missed(Timestamp),
}
