//! The scheduler's bridge to the trigger JSON form ([`crate::trigger::spec`]): building a
//! trigger from JSON at `add_job`/`reschedule_job` time, and writing it back into job
//! records.

use serde_json::Value;

use crate::error::{Error, Result};
use crate::time::{Timestamp, Zone};
use crate::trigger::Trigger;

/// Builds a trigger from its JSON form; `zone` is the default zone (the scheduler's),
/// `now` the current time (interval start without `start_date`, date without `run_date`).
pub(crate) fn build(json: &Value, zone: Zone, now: Timestamp) -> Result<Trigger> {
    let _ = (zone, now);
    Err(Error::invalid("trigger", json, "trigger specs are not available yet"))
}

/// The JSON form of a trigger, for job records.
pub(crate) fn to_json(trigger: &Trigger) -> Result<Value> {
    Err(Error::Unserializable { field: "trigger".into(), reason: format!("no JSON form for {trigger}") })
}
