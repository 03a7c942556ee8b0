//! `IntervalTrigger`. (Stub: being implemented.)

use std::fmt;

use crate::time::{Timestamp, Zone};
use crate::trigger::JitterRng;

/// Runs every `interval` of absolute time from `start_date`.
#[derive(Clone, Debug, PartialEq)]
pub struct IntervalTrigger {
    timezone: Zone,
}

impl IntervalTrigger {
    /// Next fire time (stub).
    pub fn next_fire_time(&self, _previous: Option<Timestamp>, _now: Timestamp) -> Option<Timestamp> {
        None
    }
    /// Jitter (stub).
    pub fn apply_jitter(&self, t: Timestamp, _rng: &mut JitterRng) -> Option<Timestamp> {
        Some(t)
    }
    /// The zone.
    pub fn timezone(&self) -> Zone {
        self.timezone
    }
}

impl fmt::Display for IntervalTrigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "interval[]")
    }
}
