//! `CalendarIntervalTrigger`: runs on calendar dates a fixed number of years, months,
//! weeks and days apart, at a fixed wall-clock time (APScheduler 3.11's
//! `CalendarIntervalTrigger`).
//!
//! * The first fire time is `start_date` at the time of day, **even when it has passed**
//!   (as in APScheduler; its docstring says otherwise, its code and tests do this).
//! * The next date: add the years and months to the previous fire date keeping its day of
//!   the month, and keep adding them until that date exists (Mar 31 + 1 month is May 31);
//!   then add the weeks and days.
//! * A time of day that does not exist on a date (a DST gap) **skips that date**. A time
//!   that exists twice (a fold) takes the earlier occurrence.
//! * `end_date` (a date) is inclusive.
//! * Its `str()` is APScheduler's `repr()`, which `print_jobs` shows (the class has no
//!   `__str__`): `CalendarIntervalTrigger(years=1, months=5, weeks=6, days=8,
//!   time='03:00:08', start_date='2016-03-05', end_date='2020-12-25',
//!   timezone='Europe/Berlin')`.

use std::fmt;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};

use crate::error::{Error, Result};
use crate::time::iso_text::{IsoDate, IsoTime};
use crate::time::{Timestamp, Transitions, Zone};
use crate::trigger::{check_jitter, jitter_with, python_zone_str, JitterRng};

/// How many dates [`CalendarIntervalTrigger::first_at_or_after`] walks before it gives up.
const MAX_WALK: usize = 100_000;

/// Runs every so many years/months/weeks/days at a fixed wall-clock time.
#[derive(Clone, Debug, PartialEq)]
pub struct CalendarIntervalTrigger {
    years: u32,
    months: u32,
    weeks: u32,
    days: u32,
    time: NaiveTime,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    timezone: Zone,
    jitter: Option<f64>,
}

/// The calendar step and time of day of a [`CalendarIntervalTrigger`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CalendarStep {
    /// Years to add.
    pub years: u32,
    /// Months to add.
    pub months: u32,
    /// Weeks to add.
    pub weeks: u32,
    /// Days to add.
    pub days: u32,
    /// Hour of the fire time (0–23).
    pub hour: u32,
    /// Minute of the fire time (0–59).
    pub minute: u32,
    /// Second of the fire time (0–59).
    pub second: u32,
}

impl CalendarIntervalTrigger {
    /// A trigger firing on `start_date` and every `step` after it, at the step's time of
    /// day in `timezone`, until `end_date` (inclusive).
    ///
    /// Errors name the field: an all-zero step (`interval`), a time field out of range
    /// (`hour`, `minute`, `second`), a step over 9999 years (`years`, …), a date outside
    /// the years 0001–9999, `end_date` before `start_date`, a bad `jitter`.
    pub fn new(step: CalendarStep, start_date: NaiveDate, end_date: Option<NaiveDate>, timezone: Zone, jitter: Option<f64>) -> Result<CalendarIntervalTrigger> {
        let CalendarStep { years, months, weeks, days, hour, minute, second } = step;
        if years == 0 && months == 0 && weeks == 0 && days == 0 {
            return Err(Error::invalid("interval", "years=0, months=0, weeks=0, days=0", "interval must be at least 1 day long"));
        }
        for (name, value, max) in [("years", years, 9999), ("months", months, 9999 * 12), ("weeks", weeks, 9999 * 53), ("days", days, 9999 * 366)] {
            if value > max {
                return Err(Error::invalid(name, value, format!("must be at most {max}")));
            }
        }
        for (name, value, max) in [("hour", hour, 23), ("minute", minute, 59), ("second", second, 59)] {
            if value > max {
                return Err(Error::invalid(name, value, format!("must be between 0 and {max}")));
            }
        }
        let time = NaiveTime::from_hms_opt(hour, minute, second).ok_or_else(|| Error::invalid("hour", hour, "no such time of day"))?;
        for (name, d) in [("start_date", Some(start_date)), ("end_date", end_date)] {
            if let Some(d) = d.filter(|d| !(1..=9999).contains(&d.year())) {
                return Err(Error::invalid(name, d, "outside the years 0001-9999"));
            }
        }
        if let Some(end) = end_date {
            if end < start_date {
                return Err(Error::invalid("end_date", end, format!("end_date cannot be earlier than start_date ({start_date})")));
            }
        }
        let jitter = check_jitter(jitter)?;
        Ok(CalendarIntervalTrigger { years, months, weeks, days, time, start_date, end_date, timezone, jitter })
    }

    /// The date after `date`: add years and months (keeping the day, skipping months
    /// where it does not exist), then weeks and days. `None` past the year 9999.
    fn step_from(&self, date: NaiveDate) -> Option<NaiveDate> {
        let total_months = self.years as i64 * 12 + self.months as i64;
        let mut index = date.year() as i64 * 12 + date.month0() as i64;
        let next = loop {
            index += total_months;
            let (year, month0) = (index.div_euclid(12), index.rem_euclid(12));
            if year > 9999 {
                return None;
            }
            if let Some(d) = NaiveDate::from_ymd_opt(year as i32, month0 as u32 + 1, date.day()) {
                break d;
            }
            // total_months is > 0 here: with no years/months every date exists.
        };
        next.checked_add_signed(Duration::days(self.days as i64 + self.weeks as i64 * 7))
            .filter(|d| d.year() <= 9999)
    }

    /// The fire time on `date`, or `Err(normalized date)` when the time of day falls in a
    /// gap on that date (the date is skipped; stepping continues from the date the
    /// normalized time lands on, as APScheduler does).
    fn fire_on(&self, date: NaiveDate) -> std::result::Result<Timestamp, NaiveDate> {
        let local = date.and_time(self.time);
        let t = self.timezone.resolve_local(local, false);
        let back = self.timezone.to_local(t);
        if back == local {
            Ok(t)
        } else {
            Err(back.date())
        }
    }

    /// Walks the fire dates from `date` (a fire candidate itself when `first`) until
    /// `accept` takes a fire time.
    ///
    /// Dates before `skip_before` cannot be accepted; for them the walk only checks, with
    /// one lookup in the zone's transition table, that no offset change lies within two
    /// days (else it resolves the time as usual, since a gap can move the date).
    /// `resume` receives each date the walk continues from: stepping on from it later
    /// gives the same dates (the cursor of [`CalendarIntervalTrigger::first_at_or_after_resuming`]).
    fn walk(
        &self,
        mut date: NaiveDate,
        mut first: bool,
        skip_before: Option<NaiveDate>,
        resume: &mut Option<NaiveDate>,
        mut accept: impl FnMut(Timestamp) -> bool,
    ) -> Option<Timestamp> {
        let transitions = skip_before.map(|_| self.timezone.transitions());
        for _ in 0..MAX_WALK {
            if !first {
                date = self.step_from(date)?;
            }
            first = false;
            if self.end_date.is_some_and(|end| date > end) {
                return None;
            }
            if let (Some(limit), Some(table)) = (skip_before, &transitions) {
                if date < limit && self.no_transition_near(table, date) {
                    *resume = Some(date);
                    continue;
                }
            }
            match self.fire_on(date) {
                Ok(t) if accept(t) => return Some(t),
                Ok(_) => {}
                Err(normalized) => date = normalized,
            }
            *resume = Some(date);
        }
        None
    }

    /// Whether the zone keeps one offset from two days before to two days after the
    /// fire time on `date` (so that time exists once and cannot move the date).
    fn no_transition_near(&self, table: &Transitions, date: NaiveDate) -> bool {
        let approx = Timestamp::from_utc_naive(date.and_time(self.time)).as_micros();
        let margin = 2 * 86_400 * 1_000_000;
        let seg = table.segment_at(Timestamp::from_micros(approx));
        seg.start.map_or(true, |s| s.as_micros() <= approx - margin) && seg.end.map_or(true, |e| e.as_micros() > approx + margin)
    }

    /// `start_date` at the time of day when `previous` is `None` (even if past);
    /// otherwise the next calendar step after the previous fire date (read in the
    /// trigger's zone). Fire times strictly increase.
    pub fn next_fire_time(&self, previous: Option<Timestamp>, _now: Timestamp) -> Option<Timestamp> {
        match previous {
            None => self.walk(self.start_date, true, None, &mut None, |_| true),
            Some(prev) => {
                let date = self.timezone.to_local(prev).date();
                self.walk(date, false, None, &mut None, |t| t > prev)
            }
        }
    }

    /// The first fire time at or after `t` (for the AND search). Jumps close to `t` when
    /// the step is whole days or whole months; otherwise walks the dates from the start
    /// (cheaply: a table lookup per date far from `t`), at most 100 000 of them.
    pub fn first_at_or_after(&self, t: Timestamp) -> Option<Timestamp> {
        self.first_at_or_after_resuming(t, &mut None)
    }

    /// [`first_at_or_after`](Self::first_at_or_after) for a series of calls with
    /// non-decreasing `t` (the rounds of an AND search): `cursor` (start with `None`)
    /// remembers where the walk got to, so the series walks each date once.
    pub fn first_at_or_after_resuming(&self, t: Timestamp, cursor: &mut Option<NaiveDate>) -> Option<Timestamp> {
        let target = self.timezone.to_local(t).date();
        let skip_before = target.checked_sub_signed(Duration::days(2));
        if let Some(date) = *cursor {
            return self.walk(date, false, skip_before, cursor, |x| x >= t);
        }
        let mut from = self.start_date;
        let day_step = self.days as i64 + self.weeks as i64 * 7;
        let month_step = self.years as i64 * 12 + self.months as i64;
        if month_step == 0 && day_step > 0 {
            let behind = (target - self.start_date).num_days() / day_step - 1;
            if behind > 0 {
                from = self.start_date.checked_add_signed(Duration::days(behind * day_step))?;
            }
        } else if day_step == 0 && month_step > 0 {
            let months_apart = (target.year() as i64 * 12 + target.month0() as i64) - (self.start_date.year() as i64 * 12 + self.start_date.month0() as i64);
            // Grid months all carry the start's day of month; months where that day is
            // missing are skipped, so land on the latest existing grid date behind `t`.
            let mut behind = months_apart / month_step - 1;
            let start_index = self.start_date.year() as i64 * 12 + self.start_date.month0() as i64;
            while behind > 0 {
                let index = start_index + behind * month_step;
                let year = i32::try_from(index.div_euclid(12)).ok()?;
                if let Some(d) = NaiveDate::from_ymd_opt(year, index.rem_euclid(12) as u32 + 1, self.start_date.day()) {
                    from = d;
                    break;
                }
                behind -= 1;
            }
        }
        self.walk(from, true, skip_before, cursor, |x| x >= t)
    }

    /// `t` plus `uniform(0, jitter)` seconds.
    pub fn apply_jitter(&self, t: Timestamp, rng: &mut JitterRng) -> Timestamp {
        jitter_with(t, self.jitter, |j| rng.uniform_micros(j))
    }

    /// The calendar step and time of day.
    pub fn step(&self) -> CalendarStep {
        CalendarStep {
            years: self.years,
            months: self.months,
            weeks: self.weeks,
            days: self.days,
            hour: chrono::Timelike::hour(&self.time),
            minute: chrono::Timelike::minute(&self.time),
            second: chrono::Timelike::second(&self.time),
        }
    }

    /// The first fire date.
    pub fn start_date(&self) -> NaiveDate {
        self.start_date
    }

    /// The last date a fire time may fall on (inclusive), if any.
    pub fn end_date(&self) -> Option<NaiveDate> {
        self.end_date
    }

    /// The jitter in seconds, if any.
    pub fn jitter(&self) -> Option<f64> {
        self.jitter
    }

    /// The zone the wall-clock time is read in.
    pub fn timezone(&self) -> Zone {
        self.timezone
    }

    /// APScheduler's `repr()`, the same text as `str()`.
    pub fn repr(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for CalendarIntervalTrigger {
    /// `CalendarIntervalTrigger(years=1, months=5, weeks=6, days=8, time='03:00:08',
    /// start_date='2016-03-05', end_date='2020-12-25', timezone='Europe/Berlin')`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CalendarIntervalTrigger(")?;
        for (name, value) in [("years", self.years), ("months", self.months), ("weeks", self.weeks), ("days", self.days)] {
            if value > 0 {
                write!(f, "{name}={value}, ")?;
            }
        }
        write!(f, "time='{}', start_date='{}'", IsoTime(self.time), IsoDate(self.start_date))?;
        if let Some(end) = self.end_date {
            write!(f, ", end_date='{}'", IsoDate(end))?;
        }
        write!(f, ", timezone='{}')", python_zone_str(self.timezone))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339("t", s).unwrap()
    }
    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn berlin() -> Zone {
        Zone::parse("Europe/Berlin").unwrap()
    }

    #[test]
    fn months_skip_missing_days() {
        let t = CalendarIntervalTrigger::new(CalendarStep { months: 1, ..Default::default() }, date("2016-03-31"), None, berlin(), None).unwrap();
        let now = ts("2024-06-01T10:00:00Z");
        let t1 = t.next_fire_time(None, now).unwrap();
        assert_eq!(t1, ts("2016-03-30T22:00:00Z"));
        let t2 = t.next_fire_time(Some(t1), now).unwrap();
        assert_eq!(t2, ts("2016-05-30T22:00:00Z"));
        assert_eq!(t.first_at_or_after(ts("2016-06-01T00:00:00Z")), Some(ts("2016-07-30T22:00:00Z")));
        assert_eq!(t.first_at_or_after(ts("2020-02-01T00:00:00Z")), Some(ts("2020-03-30T22:00:00Z")));
    }

    #[test]
    fn gap_skips_the_date_and_fold_takes_the_first() {
        let step = CalendarStep { days: 1, hour: 2, minute: 30, ..Default::default() };
        let t = CalendarIntervalTrigger::new(step, date("2016-03-27"), None, berlin(), None).unwrap();
        assert_eq!(t.next_fire_time(None, ts("2024-01-01T00:00:00Z")), Some(ts("2016-03-28T00:30:00Z")));
        let t = CalendarIntervalTrigger::new(CalendarStep { days: 2, ..step }, date("2016-10-30"), None, berlin(), None).unwrap();
        assert_eq!(t.next_fire_time(None, ts("2024-01-01T00:00:00Z")), Some(ts("2016-10-30T00:30:00Z")));
    }

    #[test]
    fn day_jump_matches_walking() {
        let step = CalendarStep { days: 3, hour: 9, ..Default::default() };
        let t = CalendarIntervalTrigger::new(step, date("2020-01-01"), Some(date("2030-01-01")), berlin(), None).unwrap();
        let target = ts("2024-07-15T12:00:00Z");
        let walked = t.walk(date("2020-01-01"), true, None, &mut None, |x| x >= target);
        assert_eq!(t.first_at_or_after(target), walked);
        assert!(walked.is_some());
        assert_eq!(t.first_at_or_after(ts("2031-01-01T00:00:00Z")), None);
    }

    #[test]
    fn shortcuts_match_a_plain_walk() {
        // Zones with a midnight gap (Santiago), a skipped day (Apia, 2011-12-30) and a
        // 30-minute change (Lord Howe); steps that mix months and days (no jump), whole
        // days and whole months (jumps). first_at_or_after (jump, skip shortcut) and the
        // resuming cursor must give what walking every date from the start gives.
        let mut rng = JitterRng::new(99);
        let zones = ["America/Santiago", "Pacific/Apia", "Australia/Lord_Howe", "Europe/Berlin"];
        let steps = [(0, 1, 0, 3), (0, 0, 0, 1), (0, 2, 0, 0), (1, 0, 1, 0), (0, 0, 1, 0)];
        for zone in zones {
            for (years, months, weeks, days) in steps {
                for time in [(0, 0), (0, 30), (23, 30), (2, 15)] {
                    let step = CalendarStep { years, months, weeks, days, hour: time.0, minute: time.1, second: 0 };
                    let t = CalendarIntervalTrigger::new(step, date("2009-01-31"), Some(date("2016-01-01")), Zone::parse(zone).unwrap(), None).unwrap();
                    let mut cursor = None;
                    let mut at = ts("2008-12-01T00:00:00Z").as_micros();
                    for _ in 0..40 {
                        at += (rng.next_u64() % (120 * 86_400)) as i64 * 1_000_000;
                        let target = Timestamp::from_micros(at);
                        let plain = t.walk(t.start_date, true, None, &mut None, |x| x >= target);
                        assert_eq!(t.first_at_or_after(target), plain, "{zone} {step:?} at {target}");
                        assert_eq!(t.first_at_or_after_resuming(target, &mut cursor), plain, "{zone} {step:?} resuming at {target}");
                    }
                }
            }
        }
    }

    #[test]
    fn bad_arguments_name_the_field() {
        let none = CalendarIntervalTrigger::new(CalendarStep::default(), date("2016-03-04"), None, berlin(), None);
        assert!(matches!(none, Err(Error::InvalidArgument { field, .. }) if field == "interval"));
        let ends_early = CalendarIntervalTrigger::new(CalendarStep { days: 1, ..Default::default() }, date("2016-03-04"), Some(date("2016-03-03")), berlin(), None);
        assert!(matches!(ends_early, Err(Error::InvalidArgument { field, .. }) if field == "end_date"));
        let bad_hour = CalendarIntervalTrigger::new(CalendarStep { days: 1, hour: 24, ..Default::default() }, date("2016-03-04"), None, berlin(), None);
        assert!(matches!(bad_hour, Err(Error::InvalidArgument { field, .. }) if field == "hour"));
    }

    #[test]
    fn repr_matches_apscheduler() {
        let step = CalendarStep { years: 1, months: 5, weeks: 6, days: 8, hour: 3, minute: 0, second: 8 };
        let t = CalendarIntervalTrigger::new(step, date("2016-03-05"), Some(date("2020-12-25")), berlin(), None).unwrap();
        assert_eq!(
            t.repr(),
            "CalendarIntervalTrigger(years=1, months=5, weeks=6, days=8, time='03:00:08', start_date='2016-03-05', end_date='2020-12-25', timezone='Europe/Berlin')"
        );
    }
}
