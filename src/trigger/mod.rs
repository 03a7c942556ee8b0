//! Triggers: when a job runs.
//!
//! Every trigger answers APScheduler's question [`Trigger::next_fire_time`]`(previous, now)`:
//! the next instant the job should run, given the previous fire time (or `None` for the
//! first computation) and the current time. `None` means the trigger is exhausted.
//!
//! Fire times are strictly increasing instants (deviation `strictly-increasing`). Jitter is
//! never part of the schedule: [`Trigger::next_fire`] returns both the scheduled time (pass it
//! back as `previous`) and `due_at`, the jittered instant to run at (deviation
//! `jitter-absolute`).
//!
//! Triggers are built from a [`TriggerSpec`], the versioned JSON form that persistent stores
//! keep (see [`spec`]).

pub mod calendar;
pub mod catchup;
pub mod combining;
pub mod cron;
pub mod date;
pub mod interval;
pub mod jitter;
pub mod spec;

use std::fmt;

use crate::time::{Timestamp, Zone};

pub use calendar::{CalendarIntervalTrigger, CalendarStep};
pub use combining::{AndTrigger, OrTrigger};
pub use cron::{CronTrigger, Fold};
pub use date::DateTrigger;
pub use interval::IntervalTrigger;
pub use jitter::JitterRng;
pub use spec::{BuildContext, TriggerSpec};

use crate::error::{Error, Result};
use crate::message_text::number_text;

/// One fire time: the scheduled instant and the instant to actually run at (the scheduled
/// one plus jitter, if the trigger has any).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fire {
    /// The un-jittered fire time; pass it back as `previous`.
    pub time: Timestamp,
    /// When to run (a job's `due_at`): `time` plus a uniform draw in `[0, jitter]` seconds
    /// (clamped to the trigger's end date where APScheduler clamps).
    pub due_at: Timestamp,
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
    /// Runs every so many years/months/weeks/days at a fixed wall-clock time.
    CalendarInterval(CalendarIntervalTrigger),
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
            Trigger::CalendarInterval(t) => t.next_fire_time(previous, now),
        }
    }

    /// The next fire time with its `due_at` (the jittered instant). `rng` supplies the
    /// randomness.
    pub fn next_fire(&self, previous: Option<Timestamp>, now: Timestamp, rng: &mut JitterRng) -> Option<Fire> {
        if let Trigger::Or(x) = self {
            return x.next_fire(previous, now, rng);
        }
        let time = self.next_fire_time(previous, now)?;
        let due_at = self.apply_jitter(time, rng)?;
        Some(Fire { time, due_at })
    }

    /// [`Trigger::apply_jitter`] for a fire time `t` this trigger gave as
    /// `next_fire_time(previous, now)`: an `or` then adds the jitter of the child that gave
    /// `t` from that same call (see [`OrTrigger::jitter_fire`]).
    pub fn jitter_fire(&self, t: Timestamp, previous: Option<Timestamp>, now: Timestamp, rng: &mut JitterRng) -> Option<Timestamp> {
        match self {
            Trigger::Or(x) => x.jitter_fire(t, previous, now, rng),
            other => other.apply_jitter(t, rng),
        }
    }

    /// Adds this trigger's jitter to a fire time `t` (and, for an `or`, the jitter of the
    /// child that produced `t`; an `and` ignores its children's jitter, see
    /// [`combining`]). `None` when the jittered time falls past an interval trigger's end
    /// date, as in APScheduler.
    pub fn apply_jitter(&self, t: Timestamp, rng: &mut JitterRng) -> Option<Timestamp> {
        match self {
            Trigger::Date(_) => Some(t),
            Trigger::Interval(x) => x.apply_jitter(t, rng),
            Trigger::Cron(x) => Some(x.apply_jitter(t, rng)),
            Trigger::And(x) => Some(x.apply_jitter(t, rng)),
            Trigger::Or(x) => x.apply_jitter(t, rng),
            Trigger::CalendarInterval(x) => Some(x.apply_jitter(t, rng)),
        }
    }

    /// The first fire time at or after `t`, ignoring any previous fire time: the building
    /// block of the AND search (see [`AndTrigger`]).
    pub fn first_at_or_after(&self, t: Timestamp) -> Option<Timestamp> {
        match self {
            Trigger::Date(x) => x.first_at_or_after(t),
            Trigger::Interval(x) => x.first_at_or_after(t),
            Trigger::Cron(x) => x.next_fire_time(None, t),
            Trigger::And(x) => x.first_at_or_after(t),
            Trigger::Or(x) => x.first_at_or_after(t),
            Trigger::CalendarInterval(x) => x.first_at_or_after(t),
        }
    }

    /// The zone the trigger reads wall-clock times in (`None` for `and`/`or`).
    pub fn timezone(&self) -> Option<Zone> {
        match self {
            Trigger::Date(x) => Some(x.timezone()),
            Trigger::Interval(x) => Some(x.timezone()),
            Trigger::Cron(x) => Some(x.timezone()),
            Trigger::CalendarInterval(x) => Some(x.timezone()),
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
            Trigger::CalendarInterval(t) => t.fmt(f),
        }
    }
}

impl Trigger {
    /// The `start_date` of an interval or cron trigger (`None` for the others; a calendar
    /// interval's start is a date, see [`CalendarIntervalTrigger::start_date`]).
    pub fn start_date(&self) -> Option<Timestamp> {
        match self {
            Trigger::Interval(t) => Some(t.start_date()),
            Trigger::Cron(t) => t.start_date(),
            _ => None,
        }
    }

    /// The `end_date` of an interval or cron trigger (`None` for the others).
    pub fn end_date(&self) -> Option<Timestamp> {
        match self {
            Trigger::Interval(t) => t.end_date(),
            Trigger::Cron(t) => t.end_date(),
            _ => None,
        }
    }

    /// The trigger's own jitter in seconds, if any (a date trigger has none).
    pub fn jitter(&self) -> Option<f64> {
        match self {
            Trigger::Date(_) => None,
            Trigger::Interval(t) => t.jitter(),
            Trigger::Cron(t) => t.jitter(),
            Trigger::And(t) => t.jitter(),
            Trigger::Or(t) => t.jitter(),
            Trigger::CalendarInterval(t) => t.jitter(),
        }
    }

    /// APScheduler's `repr()`: `<DateTrigger (run_date='…')>`,
    /// `<IntervalTrigger (interval=…, start_date='…', timezone='…')>`,
    /// `<CronTrigger (hour='2', timezone='UTC')>`, `<AndTrigger([…])>`, ….
    pub fn repr(&self) -> String {
        match self {
            Trigger::Date(t) => t.repr(),
            Trigger::Interval(t) => t.repr(),
            Trigger::Cron(t) => t.repr(),
            Trigger::And(t) => t.repr(),
            Trigger::Or(t) => t.repr(),
            Trigger::CalendarInterval(t) => t.repr(),
        }
    }
}

/// The largest jitter accepted, in seconds (about 31 years).
pub const MAX_JITTER_SECONDS: f64 = 1e9;

/// Checks a jitter value (finite, not negative, at most [`MAX_JITTER_SECONDS`]) and rounds
/// it to whole microseconds, the resolution draws have. The rounding also makes a jitter
/// survive a trip through JSON text unchanged.
pub(crate) fn check_jitter(jitter: Option<f64>) -> Result<Option<f64>> {
    match jitter {
        Some(j) if !(0.0..=MAX_JITTER_SECONDS).contains(&j) => {
            Err(Error::invalid("jitter", j, format!("must be a number of seconds between 0 and {}", number_text(MAX_JITTER_SECONDS))))
        }
        Some(j) => Ok(Some((j * 1e6).round() / 1e6)),
        None => Ok(None),
    }
}

/// A zone as Python's `str(tzinfo)` shows it in a `repr()`: `Europe/Berlin`, `UTC`, and a
/// fixed offset as `UTC+05:30`.
pub(crate) fn python_zone_str(zone: Zone) -> String {
    match zone {
        Zone::Fixed(0) => "UTC".to_string(),
        Zone::Fixed(_) => format!("UTC{}", zone.name()),
        z => z.name(),
    }
}

/// A jitter as a `repr()` shows it: `5`, `2.5`, by [`number_text`]. Like Python's `str()`
/// of the number given, except that fractions below 0.0001 are written differently (`1e-6`
/// where Python writes `1e-06`).
pub(crate) fn format_jitter(j: f64) -> String {
    number_text(j)
}

/// The jitter rule shared by every trigger (APScheduler's `_apply_jitter`, on instants):
/// with no jitter (or 0) the fire time is unchanged; otherwise it is `t` plus
/// `draw(jitter)` microseconds, where `draw` returns a uniform value in
/// `[0, jitter]` seconds (a [`JitterRng`] draw; tests may force a value). The result is
/// clamped to [`Timestamp::MAX`].
pub fn jitter_with(t: Timestamp, jitter: Option<f64>, draw: impl FnOnce(f64) -> i64) -> Timestamp {
    match jitter {
        Some(j) if j > 0.0 => t.checked_add_micros(draw(j).max(0)).unwrap_or(Timestamp::MAX),
        _ => t,
    }
}
