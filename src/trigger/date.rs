//! `DateTrigger`: runs once, at a given instant (APScheduler's `DateTrigger`).
//!
//! * With no previous fire time the answer is the run date, **even when it has passed**
//!   (the scheduler then treats the run as misfired, as APScheduler does).
//! * With a previous fire time the trigger is exhausted (`None`).
//! * `str()` is `date[2009-07-06 00:00:00 CEST]`: the run date in the trigger's zone.

use std::fmt;

use crate::time::{format_in_zone, Timestamp, Zone};

/// Runs once, at `run_date`.
#[derive(Clone, Debug, PartialEq)]
pub struct DateTrigger {
    run_date: Timestamp,
    timezone: Zone,
}

impl DateTrigger {
    /// A trigger firing once at `run_date`; `timezone` is the zone it is shown in.
    pub fn new(run_date: Timestamp, timezone: Zone) -> DateTrigger {
        DateTrigger { run_date, timezone }
    }

    /// The run date when `previous` is `None` (even if it has passed), else `None`.
    pub fn next_fire_time(&self, previous: Option<Timestamp>, _now: Timestamp) -> Option<Timestamp> {
        previous.is_none().then_some(self.run_date)
    }

    /// The run date if it is not before `t`, else `None` (the AND search's building block).
    pub fn first_at_or_after(&self, t: Timestamp) -> Option<Timestamp> {
        (self.run_date >= t).then_some(self.run_date)
    }

    /// The instant the trigger fires at.
    pub fn run_date(&self) -> Timestamp {
        self.run_date
    }

    /// The zone the run date is shown in.
    pub fn timezone(&self) -> Zone {
        self.timezone
    }

    /// APScheduler's `repr()`: `<DateTrigger (run_date='2009-07-06 00:00:00 CEST')>`.
    pub fn repr(&self) -> String {
        format!("<DateTrigger (run_date='{}')>", format_in_zone(self.run_date, self.timezone))
    }
}

impl fmt::Display for DateTrigger {
    /// APScheduler's `str()`: `date[2009-07-06 00:00:00 CEST]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "date[{}]", format_in_zone(self.run_date, self.timezone))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339("t", s).unwrap()
    }

    #[test]
    fn fires_once_even_when_past() {
        let t = DateTrigger::new(ts("2009-07-05T22:00:00Z"), Zone::parse("Europe/Berlin").unwrap());
        assert_eq!(t.next_fire_time(None, ts("2010-01-01T00:00:00Z")), Some(ts("2009-07-05T22:00:00Z")));
        assert_eq!(t.next_fire_time(Some(ts("2009-07-05T22:00:00Z")), ts("2009-07-05T22:00:00Z")), None);
        assert_eq!(t.first_at_or_after(ts("2009-07-05T22:00:00.000001Z")), None);
        assert_eq!(t.first_at_or_after(ts("2009-07-05T22:00:00Z")), Some(ts("2009-07-05T22:00:00Z")));
        assert_eq!(t.to_string(), "date[2009-07-06 00:00:00 CEST]");
        assert_eq!(t.repr(), "<DateTrigger (run_date='2009-07-06 00:00:00 CEST')>");
    }
}
