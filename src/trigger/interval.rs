//! `IntervalTrigger`: runs every fixed length of absolute time (APScheduler's
//! `IntervalTrigger`).
//!
//! * The interval is added in **absolute** time: a 24-hour interval across a DST change
//!   keeps 24 real hours between runs, so the wall-clock time shifts by the DST offset.
//! * With a previous fire time the answer is `previous + interval` (`now` is ignored: the
//!   scheduler enumerates missed runs itself).
//! * Without one it is the first `start_date + k·interval` (k ≥ 0) **at or after** `now`,
//!   comparing instants (deviation `interval-instant-compare`).
//! * `end_date` is inclusive. An interval of zero or negative length is refused (deviation
//!   `interval-positive`; APScheduler silently turns zero into one second).
//! * Jitter is `+uniform(0, jitter)` seconds on the instant; a jittered time past
//!   `end_date` gives `None`, as in APScheduler.
//! * `str()` is `interval[<Python timedelta str>]`: `interval[0:00:01]`,
//!   `interval[1 day, 0:00:00]`, `interval[2 days, 3:04:05.500000]`.

use std::fmt;

use crate::error::{Error, Result};
use crate::message_text::number_text;
use crate::time::{format_in_zone, Timestamp, Zone, MICROS_PER_SEC};
use crate::trigger::{check_jitter, format_jitter, jitter_with, python_zone_str, JitterRng};

/// Microseconds in a day.
const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SEC;

/// The longest interval accepted: 10 000 years (longer ones could never fire twice).
const MAX_INTERVAL_MICROS: i64 = 10_000 * 366 * MICROS_PER_DAY;

/// Runs every `interval` of absolute time from `start_date`.
#[derive(Clone, Debug, PartialEq)]
pub struct IntervalTrigger {
    interval: i64,
    start_date: Timestamp,
    end_date: Option<Timestamp>,
    timezone: Zone,
    jitter: Option<f64>,
}

/// The length of an interval given as APScheduler's units, in microseconds, rounded to the
/// microsecond as Python's `timedelta` does (half to even). Fractions are allowed.
///
/// A non-finite unit is refused naming that unit; a total of zero or less, or more than
/// 10 000 years, is refused naming `interval`.
pub fn interval_micros(weeks: f64, days: f64, hours: f64, minutes: f64, seconds: f64) -> Result<i64> {
    let units = [("weeks", weeks, 7 * MICROS_PER_DAY), ("days", days, MICROS_PER_DAY), ("hours", hours, 3_600 * MICROS_PER_SEC), ("minutes", minutes, 60 * MICROS_PER_SEC), ("seconds", seconds, MICROS_PER_SEC)];
    let describe = || {
        let [w, d, h, m, s] = [weeks, days, hours, minutes, seconds].map(number_text);
        format!("weeks={w}, days={d}, hours={h}, minutes={m}, seconds={s}")
    };
    let too_long = || Error::invalid("interval", describe(), "the interval must not be longer than 10000 years");
    // Whole units are summed exactly; the fractions of units are summed as floats and
    // rounded once, so every whole number of microseconds survives a round trip.
    let mut whole: i128 = 0;
    let mut fraction = 0.0f64;
    for (name, value, factor) in units {
        if !value.is_finite() {
            return Err(Error::invalid(name, value, "not a finite number"));
        }
        if value.abs() > 1e12 {
            return Err(too_long());
        }
        let int = value.trunc();
        whole += int as i128 * factor as i128;
        fraction += (value - int) * factor as f64;
    }
    let total = whole + fraction.round_ties_even() as i128;
    if total <= 0 {
        return Err(Error::invalid("interval", describe(), "the interval must be longer than zero"));
    }
    if total > MAX_INTERVAL_MICROS as i128 {
        return Err(too_long());
    }
    Ok(total as i64)
}

impl IntervalTrigger {
    /// A trigger firing every `interval` microseconds from `start_date` (inclusive) until
    /// `end_date` (inclusive); `timezone` is the zone it is shown in.
    ///
    /// Errors: an interval of zero or less, or over 10 000 years (`interval`); a negative
    /// or non-finite jitter (`jitter`).
    pub fn new(interval: i64, start_date: Timestamp, end_date: Option<Timestamp>, timezone: Zone, jitter: Option<f64>) -> Result<IntervalTrigger> {
        if interval <= 0 || interval > MAX_INTERVAL_MICROS {
            return Err(Error::invalid("interval", format!("{interval}us"), "the interval must be longer than zero and at most 10000 years"));
        }
        let jitter = check_jitter(jitter)?;
        Ok(IntervalTrigger { interval, start_date, end_date, timezone, jitter })
    }

    /// `previous + interval` with a previous fire time; otherwise the first
    /// `start_date + k·interval` (k ≥ 0) at or after `now`. `None` past `end_date` or
    /// past the year 9999.
    pub fn next_fire_time(&self, previous: Option<Timestamp>, now: Timestamp) -> Option<Timestamp> {
        let next = match previous {
            Some(prev) => prev.checked_add_micros(self.interval)?,
            None => self.first_at_or_after(now)?,
        };
        self.within_end(next)
    }

    /// The first `start_date + k·interval` (k ≥ 0) at or after `t`, not past `end_date`.
    pub fn first_at_or_after(&self, t: Timestamp) -> Option<Timestamp> {
        let next = if self.start_date >= t {
            self.start_date
        } else {
            // 64-bit arithmetic (no 128-bit division routine in the wasm): instants lie within
            // the years 1-9999 and intervals within 10,000 years, so none of these overflow.
            let diff = t.as_micros().checked_sub(self.start_date.as_micros())?;
            let step = self.interval;
            let k = diff.checked_add(step - 1)? / step;
            let offset = k.checked_mul(step)?;
            self.start_date.checked_add_micros(offset)?
        };
        self.within_end(next)
    }

    fn within_end(&self, t: Timestamp) -> Option<Timestamp> {
        match self.end_date {
            Some(end) if t > end => None,
            _ => Some(t),
        }
    }

    /// `t` plus `uniform(0, jitter)` seconds; `None` if that passes `end_date`
    /// (APScheduler returns no fire time then rather than clamping).
    pub fn apply_jitter(&self, t: Timestamp, rng: &mut JitterRng) -> Option<Timestamp> {
        let jittered = jitter_with(t, self.jitter, |j| rng.uniform_micros(j));
        self.within_end(jittered)
    }

    /// The interval length in microseconds.
    pub fn interval_micros(&self) -> i64 {
        self.interval
    }

    /// The first fire time of the grid.
    pub fn start_date(&self) -> Timestamp {
        self.start_date
    }

    /// The last instant a fire time may have (inclusive), if any.
    pub fn end_date(&self) -> Option<Timestamp> {
        self.end_date
    }

    /// The jitter in seconds, if any.
    pub fn jitter(&self) -> Option<f64> {
        self.jitter
    }

    /// The zone the trigger's dates are shown in.
    pub fn timezone(&self) -> Zone {
        self.timezone
    }

    /// APScheduler's `repr()`: `<IntervalTrigger (interval=datetime.timedelta(seconds=1),
    /// start_date='2009-08-04 00:00:02 CEST', timezone='Europe/Berlin')>`.
    pub fn repr(&self) -> String {
        let mut out = format!(
            "<IntervalTrigger (interval={}, start_date='{}'",
            timedelta_repr(self.interval),
            format_in_zone(self.start_date, self.timezone)
        );
        if let Some(end) = self.end_date {
            out.push_str(&format!(", end_date='{}'", format_in_zone(end, self.timezone)));
        }
        if let Some(j) = self.jitter.filter(|j| *j != 0.0) {
            out.push_str(&format!(", jitter={}", format_jitter(j)));
        }
        out.push_str(&format!(", timezone='{}')>", python_zone_str(self.timezone)));
        out
    }
}

/// Python's `str(timedelta)` of a non-negative length: `0:00:01`, `1 day, 0:00:00`,
/// `2 days, 3:04:05.500000`.
pub fn timedelta_str(micros: i64) -> String {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let rest = micros.rem_euclid(MICROS_PER_DAY);
    let secs = rest / MICROS_PER_SEC;
    let us = rest % MICROS_PER_SEC;
    let mut out = String::new();
    if days != 0 {
        let plural = if days.abs() != 1 { "s" } else { "" };
        out.push_str(&format!("{days} day{plural}, "));
    }
    out.push_str(&format!("{}:{:02}:{:02}", secs / 3600, secs % 3600 / 60, secs % 60));
    if us != 0 {
        out.push_str(&format!(".{us:06}"));
    }
    out
}

/// Python's `repr(timedelta)`: `datetime.timedelta(days=1, seconds=3600, microseconds=5)`,
/// zero parts left out, `datetime.timedelta(0)` for nothing.
fn timedelta_repr(micros: i64) -> String {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let rest = micros.rem_euclid(MICROS_PER_DAY);
    let parts: Vec<String> = [("days", days), ("seconds", rest / MICROS_PER_SEC), ("microseconds", rest % MICROS_PER_SEC)]
        .iter()
        .filter(|(_, v)| *v != 0)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if parts.is_empty() {
        "datetime.timedelta(0)".to_string()
    } else {
        format!("datetime.timedelta({})", crate::message_text::joined(&parts, ", "))
    }
}

impl fmt::Display for IntervalTrigger {
    /// APScheduler's `str()`: `interval[0:02:00]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "interval[{}]", timedelta_str(self.interval))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339("t", s).unwrap()
    }

    #[test]
    fn timedelta_text_matches_python() {
        assert_eq!(timedelta_str(MICROS_PER_SEC), "0:00:01");
        assert_eq!(timedelta_str(MICROS_PER_DAY), "1 day, 0:00:00");
        assert_eq!(timedelta_str(2 * MICROS_PER_DAY + (3 * 3600 + 4 * 60 + 5) * MICROS_PER_SEC + 500_000), "2 days, 3:04:05.500000");
        assert_eq!(timedelta_repr(MICROS_PER_SEC), "datetime.timedelta(seconds=1)");
        assert_eq!(timedelta_repr(MICROS_PER_DAY + 5), "datetime.timedelta(days=1, microseconds=5)");
    }

    #[test]
    fn units_round_like_timedelta() {
        assert_eq!(interval_micros(0.0, 0.0, 0.1, 0.0, 0.0).unwrap(), 360 * MICROS_PER_SEC);
        assert_eq!(interval_micros(2.0, 6.0, 0.0, 13.0, 2.0).unwrap(), 1_728_782 * MICROS_PER_SEC);
        assert_eq!(interval_micros(0.0, 0.0, 0.0, 0.0, 0.0000005).unwrap_err().code(), "INVALID_ARGUMENT");
        assert!(matches!(interval_micros(0.0, 1.0, -24.0, 0.0, 0.0), Err(Error::InvalidArgument { field, .. }) if field == "interval"));
        assert!(matches!(interval_micros(0.0, f64::NAN, 0.0, 0.0, 0.0), Err(Error::InvalidArgument { field, .. }) if field == "days"));
    }

    #[test]
    fn grid_and_end_date() {
        let t = IntervalTrigger::new(300 * MICROS_PER_SEC, ts("2014-05-25T22:00:00Z"), Some(ts("2014-05-25T22:07:00Z")), Zone::Utc, None).unwrap();
        assert_eq!(t.next_fire_time(None, ts("2014-05-25T21:00:00Z")), Some(ts("2014-05-25T22:00:00Z")));
        assert_eq!(t.next_fire_time(None, ts("2014-05-25T22:02:00Z")), Some(ts("2014-05-25T22:05:00Z")));
        assert_eq!(t.next_fire_time(None, ts("2014-05-25T22:05:00Z")), Some(ts("2014-05-25T22:05:00Z")));
        assert_eq!(t.next_fire_time(None, ts("2014-05-25T22:06:00Z")), None);
        assert_eq!(t.next_fire_time(Some(ts("2014-05-25T22:00:00Z")), ts("2014-05-25T23:00:00Z")), Some(ts("2014-05-25T22:05:00Z")));
        assert_eq!(t.next_fire_time(Some(ts("2014-05-25T22:05:00Z")), ts("2014-05-25T22:05:00Z")), None);
        assert!(IntervalTrigger::new(0, ts("2014-05-25T22:00:00Z"), None, Zone::Utc, None).is_err());
        assert!(matches!(IntervalTrigger::new(1, ts("2014-05-25T22:00:00Z"), None, Zone::Utc, Some(-1.0)), Err(Error::InvalidArgument { field, .. }) if field == "jitter"));
    }

    #[test]
    fn jitter_past_end_date_gives_none() {
        let t = IntervalTrigger::new(5 * MICROS_PER_SEC, ts("2017-11-12T05:55:55Z"), Some(ts("2017-11-12T05:56:00Z")), Zone::Utc, Some(60.0)).unwrap();
        let mut rng = JitterRng::new(7);
        let base = t.next_fire_time(None, ts("2017-11-12T05:55:58Z")).unwrap();
        assert_eq!(base, ts("2017-11-12T05:56:00Z"));
        // every draw above zero lands past the end date
        let outcomes: Vec<_> = (0..50).map(|_| t.apply_jitter(base, &mut rng)).collect();
        assert!(outcomes.iter().all(|o| o.map_or(true, |x| x == base)));
        assert!(outcomes.iter().any(|o| o.is_none()));
    }
}
