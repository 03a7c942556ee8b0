//! [`Fold`]: which occurrences of a repeated wall-clock time a cron trigger fires at.

use crate::error::{Error, Result};

use super::zone::{CronZone, Occurrence};

/// Which occurrences of a repeated wall-clock time a cron trigger fires at.
///
/// When the clocks go back (a fall-back transition, the end of daylight saving time) the
/// wall times just before the transition happen twice. In New York on 2024-11-03 the
/// clocks go from 01:59:59 EDT back to 01:00:00 EST, so 01:30 is first 01:30 EDT
/// (05:30 UTC) and an hour later 01:30 EST (06:30 UTC). A cron trigger matches the wall
/// clock, so `hour=1, minute=30` matches both; `fold` says which of them fire:
///
/// | `Fold` | JSON `fold` | fires at a repeated wall time | a job at 01:30, New York, 2024-11-03 |
/// | --- | --- | --- | --- |
/// | [`Both`](Fold::Both) (default) | `"both"` (or absent) | each occurrence: twice (APScheduler 3.x) | 05:30Z and 06:30Z |
/// | [`First`](Fold::First) | `"first"` | the first occurrence only: the earlier instant, read with the offset from before the transition | 05:30Z |
/// | [`Last`](Fold::Last) | `"last"` | the second occurrence only: the later instant, read with the offset from after the transition | 06:30Z |
///
/// The fold's length is the zone's: an hour in most zones, 30 minutes on Lord Howe Island
/// (`Australia/Lord_Howe`: 02:00 +11 back to 01:30 +10:30, so 01:30–01:59 repeat).
///
/// * **Only repeated wall times are affected.** A wall time that occurs once fires as
///   usual whatever the fold, and a wall time inside a spring-forward gap follows the gap
///   rule of the [cron module docs](super) (the fold option has nothing to choose there).
/// * **Steps inside the fold.** The choice applies to every matching wall time of the
///   repeated stretch, so a trigger that fires several times an hour drops a whole round.
///   `minute='*/15'` in New York on 2024-11-03: with `both` it fires at 01:00, 01:15, 01:30,
///   01:45 EDT, then again 01:00 … 01:45 EST, then 02:00 EST — every 15 minutes of real
///   time; with `first` the EST round is dropped (01:45 EDT is followed by 02:00 EST,
///   75 minutes later); with `last` the EDT round is (00:45 EDT is followed by 01:00 EST,
///   75 minutes later). An every-second trigger likewise stays silent for the dropped
///   stretch.
/// * **Defaults.** `both` is APScheduler's behaviour and the default everywhere: for
///   [`CronTrigger::new`](super::CronTrigger::new), for
///   [`CronTrigger::from_crontab`](super::CronTrigger::from_crontab) (and the JS
///   `CronTrigger.fromCrontab`), and for a trigger spec without a `fold` key. A trigger's
///   spec ([`Trigger::to_spec`](crate::trigger::Trigger::to_spec)), `str()` and `repr()`
///   name the fold only when it is not `both`, so existing specs, job records and reprs are
///   unchanged.
///
/// ```
/// use tickwerk::trigger::cron::{CronFields, Fold};
/// use tickwerk::trigger::CronTrigger;
/// use tickwerk::{Timestamp, Zone};
///
/// let fields = CronFields { hour: Some("1".into()), minute: Some("30".into()), ..CronFields::default() };
/// let new_york = Zone::parse("America/New_York")?;
/// let (day_start, day_end) = (
///     Timestamp::parse_rfc3339("now", "2024-11-03T00:00:00-04:00")?,
///     Timestamp::parse_rfc3339("end", "2024-11-04T00:00:00-05:00")?,
/// );
/// // the fire times of fall-back day
/// let fire_times = |fold: Fold| -> Vec<String> {
///     let t = CronTrigger::new(&fields, None, None, new_york, None).unwrap().with_fold(fold);
///     let mut out = Vec::new();
///     let mut next = t.next_fire_time(None, day_start);
///     while let Some(x) = next.filter(|x| *x < day_end) {
///         out.push(x.to_string());
///         next = t.next_fire_time(Some(x), x);
///     }
///     out
/// };
/// assert_eq!(fire_times(Fold::Both), ["2024-11-03T05:30:00Z", "2024-11-03T06:30:00Z"]);
/// assert_eq!(fire_times(Fold::First), ["2024-11-03T05:30:00Z"]); // 01:30 EDT
/// assert_eq!(fire_times(Fold::Last), ["2024-11-03T06:30:00Z"]); // 01:30 EST
/// # Ok::<(), tickwerk::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Fold {
    /// Fire at each occurrence of a repeated wall time (twice): APScheduler 3.x's
    /// behaviour, and the default.
    #[default]
    Both,
    /// Fire only at the first occurrence: the earlier instant (the wall time read with the
    /// offset in force before the clocks go back).
    First,
    /// Fire only at the second occurrence: the later instant (the wall time read with the
    /// offset in force after the clocks go back).
    Last,
}

impl Fold {
    /// Every value, in the order the docs list them.
    pub const ALL: [Fold; 3] = [Fold::Both, Fold::First, Fold::Last];

    /// The name used in JSON, `str()` and `repr()`: `"both"`, `"first"` or `"last"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Fold::Both => "both",
            Fold::First => "first",
            Fold::Last => "last",
        }
    }

    /// Reads a fold name (exact, lowercase). Anything else is [`Error::InvalidArgument`] on
    /// `field`, listing the three names.
    pub fn parse(field: &str, text: &str) -> Result<Fold> {
        Fold::ALL.into_iter().find(|f| f.as_str() == text).ok_or_else(|| Error::invalid(field, text, EXPECTED))
    }
}

impl Fold {
    /// Where the search resumes when a match at this occurrence is dropped; `None` when
    /// it is kept.
    pub(crate) fn resume_after(self, occurrence: Occurrence) -> Option<i64> {
        match (self, occurrence) {
            (Fold::First, Occurrence::Second { stretch_end }) => Some(stretch_end),
            (Fold::Last, Occurrence::First { transition }) => Some(transition),
            _ => None,
        }
    }

    /// Whether a fire time at instant `s` (seconds) is kept.
    pub(crate) fn keeps(self, zone: &CronZone, s: i64) -> bool {
        self == Fold::Both || self.resume_after(zone.occurrence(s)).is_none()
    }
}

/// What a fold value must be: the reason of the error for any other value.
pub(crate) const EXPECTED: &str = "expected one of both, first, last";
