//! Triggers: when a job runs.
//!
//! Every trigger answers APScheduler's question [`Trigger::next_fire_time`]`(previous, now)`:
//! the next instant the job should run, given the previous fire time (or `None` for the
//! first computation) and the current time. `None` means the trigger is exhausted.
//!
//! Fire times are strictly increasing instants (deviation `strictly-increasing`). Jitter is
//! never part of the schedule: [`Trigger::next_fire`] returns both the scheduled time (pass it
//! back as `previous`) and the jittered instant to run at (deviation `jitter-absolute`).
//!
//! Triggers are built from a [`TriggerSpec`], the versioned JSON form that persistent stores
//! keep (see [`spec`]).

pub mod catchup;
pub mod combining;
pub mod cron;
pub mod date;
pub mod interval;
pub mod jitter;
pub mod spec;

use std::fmt;

use crate::time::{Timestamp, Zone};

pub use combining::{AndTrigger, OrTrigger};
pub use cron::CronTrigger;
pub use date::DateTrigger;
pub use interval::IntervalTrigger;
pub use jitter::JitterRng;
pub use spec::{BuildContext, TriggerSpec};

/// One fire time: the scheduled instant and the instant to actually run at (the scheduled
/// one plus jitter, if the trigger has any).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fire {
    /// The un-jittered fire time; pass it back as `previous`.
    pub time: Timestamp,
    /// When to run: `time` plus a uniform draw in `[0, jitter]` seconds (clamped to the
    /// trigger's end date where APScheduler clamps).
    pub run_at: Timestamp,
}

/// Any trigger.
#[derive(Clone, Debug, PartialEq)]
pub enum Trigger {
    /// Runs once, at a given instant.
    Date(DateTrigger),
    /// Runs at fixed intervals of absolute time.
    Interval(IntervalTrigger),
    /// Runs when the local wall-clock time matches every cron field.
    Cron(CronTrigger),
    /// Runs when all children agree on a time.
    And(AndTrigger),
    /// Runs whenever any child fires.
    Or(OrTrigger),
}

impl Trigger {
    /// APScheduler's `get_next_fire_time(previous, now)`, without jitter.
    ///
    /// With `previous = None` this is the first fire time at or after `now` (a date
    /// trigger returns its run date even when it has passed, as APScheduler does). With a
    /// previous fire time it is the next one strictly after `previous`.
    pub fn next_fire_time(&self, previous: Option<Timestamp>, now: Timestamp) -> Option<Timestamp> {
        match self {
            Trigger::Date(t) => t.next_fire_time(previous, now),
            Trigger::Interval(t) => t.next_fire_time(previous, now),
            Trigger::Cron(t) => t.next_fire_time(previous, now),
            Trigger::And(t) => t.next_fire_time(previous, now),
            Trigger::Or(t) => t.next_fire_time(previous, now),
        }
    }

    /// The next fire time with its jittered run instant. `rng` supplies the randomness.
    pub fn next_fire(&self, previous: Option<Timestamp>, now: Timestamp, rng: &mut JitterRng) -> Option<Fire> {
        let time = self.next_fire_time(previous, now)?;
        let run_at = self.apply_jitter(time, rng)?;
        Some(Fire { time, run_at })
    }

    /// Adds this trigger's jitter to a fire time `t` (and, for an `or`, the jitter of the
    /// child that produced `t`). `None` when the jittered time falls past an interval
    /// trigger's end date, as in APScheduler.
    pub fn apply_jitter(&self, t: Timestamp, rng: &mut JitterRng) -> Option<Timestamp> {
        match self {
            Trigger::Date(_) => Some(t),
            Trigger::Interval(x) => x.apply_jitter(t, rng),
            Trigger::Cron(x) => Some(x.apply_jitter(t, rng)),
            Trigger::And(x) => Some(x.apply_jitter(t, rng)),
            Trigger::Or(x) => x.apply_jitter(t, rng),
        }
    }

    /// The first fire time at or after `t`, ignoring any previous fire time: the building
    /// block of the AND search (see [`AndTrigger`]).
    pub fn first_at_or_after(&self, t: Timestamp) -> Option<Timestamp> {
        match self {
            Trigger::Date(x) => x.first_at_or_after(t),
            Trigger::Interval(x) => x.next_fire_time(None, t),
            Trigger::Cron(x) => x.next_fire_time(None, t),
            Trigger::And(x) => x.first_at_or_after(t),
            Trigger::Or(x) => x.first_at_or_after(t),
        }
    }

    /// The zone the trigger reads wall-clock times in (`None` for `and`/`or`).
    pub fn timezone(&self) -> Option<Zone> {
        match self {
            Trigger::Date(x) => Some(x.timezone()),
            Trigger::Interval(x) => Some(x.timezone()),
            Trigger::Cron(x) => Some(x.timezone()),
            Trigger::And(_) | Trigger::Or(_) => None,
        }
    }
}

impl fmt::Display for Trigger {
    /// APScheduler's `str(trigger)`: `cron[hour='2']`, `interval[0:02:00]`,
    /// `date[2026-01-01 00:00:00 UTC]`, `and[…]`, `or[…]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trigger::Date(t) => t.fmt(f),
            Trigger::Interval(t) => t.fmt(f),
            Trigger::Cron(t) => t.fmt(f),
            Trigger::And(t) => t.fmt(f),
            Trigger::Or(t) => t.fmt(f),
        }
    }
}
