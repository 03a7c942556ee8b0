//! `CronTrigger`. (Stub: being implemented.)

use std::fmt;

use crate::time::{Timestamp, Zone};
use crate::trigger::JitterRng;

/// Fires when the wall-clock time in its zone matches every field.
#[derive(Clone, Debug, PartialEq)]
pub struct CronTrigger {
    timezone: Zone,
}

impl CronTrigger {
    /// Next fire time (stub).
    pub fn next_fire_time(&self, _previous: Option<Timestamp>, _now: Timestamp) -> Option<Timestamp> {
        None
    }
    /// Jitter (stub).
    pub fn apply_jitter(&self, t: Timestamp, _rng: &mut JitterRng) -> Timestamp {
        t
    }
    /// The zone.
    pub fn timezone(&self) -> Zone {
        self.timezone
    }
}

impl fmt::Display for CronTrigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cron[]")
    }
}
