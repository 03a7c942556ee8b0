//! `AndTrigger` and `OrTrigger`. (Stub: being implemented.)

use std::fmt;

use crate::time::Timestamp;
use crate::trigger::{JitterRng, Trigger};

/// Fires when every child fires at the same instant.
#[derive(Clone, Debug, PartialEq)]
pub struct AndTrigger {
    triggers: Vec<Trigger>,
}

/// Fires whenever any child fires.
#[derive(Clone, Debug, PartialEq)]
pub struct OrTrigger {
    triggers: Vec<Trigger>,
}

impl AndTrigger {
    /// Next fire time (stub).
    pub fn next_fire_time(&self, _previous: Option<Timestamp>, _now: Timestamp) -> Option<Timestamp> {
        None
    }
    /// First at or after (stub).
    pub fn first_at_or_after(&self, _t: Timestamp) -> Option<Timestamp> {
        None
    }
    /// Jitter (stub).
    pub fn apply_jitter(&self, t: Timestamp, _rng: &mut JitterRng) -> Timestamp {
        t
    }
}

impl OrTrigger {
    /// Next fire time (stub).
    pub fn next_fire_time(&self, _previous: Option<Timestamp>, _now: Timestamp) -> Option<Timestamp> {
        None
    }
    /// First at or after (stub).
    pub fn first_at_or_after(&self, _t: Timestamp) -> Option<Timestamp> {
        None
    }
    /// Jitter (stub).
    pub fn apply_jitter(&self, t: Timestamp, _rng: &mut JitterRng) -> Option<Timestamp> {
        Some(t)
    }
}

impl fmt::Display for AndTrigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "and[{}]", self.triggers.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", "))
    }
}

impl fmt::Display for OrTrigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "or[{}]", self.triggers.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", "))
    }
}
