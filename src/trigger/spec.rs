//! The JSON form of triggers. (Stub: being implemented.)

use serde::{Deserialize, Serialize};

use crate::time::{Timestamp, Zone};

/// What building a trigger needs from its surroundings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BuildContext {
    /// The zone used when the spec names none (the scheduler's zone).
    pub default_zone: Zone,
    /// The current time (interval start without `start_date`, date without `run_date`).
    pub now: Timestamp,
}

/// A trigger description (stub).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TriggerSpec {}
