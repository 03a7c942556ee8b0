//! `DateTrigger`: runs once. (Stub: being implemented.)

use std::fmt;

use crate::time::{Timestamp, Zone};

/// Runs once, at `run_date`.
#[derive(Clone, Debug, PartialEq)]
pub struct DateTrigger {
    run_date: Timestamp,
    timezone: Zone,
}

impl DateTrigger {
    /// A trigger firing once at `run_date`; `timezone` is used for display.
    pub fn new(run_date: Timestamp, timezone: Zone) -> DateTrigger {
        DateTrigger { run_date, timezone }
    }
    /// The run date when `previous` is `None` (even if it has passed), else `None`.
    pub fn next_fire_time(&self, previous: Option<Timestamp>, _now: Timestamp) -> Option<Timestamp> {
        previous.is_none().then_some(self.run_date)
    }
    /// The run date if it is not before `t`.
    pub fn first_at_or_after(&self, t: Timestamp) -> Option<Timestamp> {
        (self.run_date >= t).then_some(self.run_date)
    }
    /// The display zone.
    pub fn timezone(&self) -> Zone {
        self.timezone
    }
}

impl fmt::Display for DateTrigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "date[{}]", crate::time::format_in_zone(self.run_date, self.timezone))
    }
}
