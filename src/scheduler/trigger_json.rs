//! The scheduler's bridge to the trigger JSON form ([`crate::trigger::spec`]): building a
//! trigger from JSON at `add_job`/`reschedule_job` time, and writing it back into job
//! records (the canonical spec: explicit zone, resolved dates, so a record rebuilds the
//! same trigger whatever `now` is at load time).

use serde_json::Value;

use crate::error::Result;
use crate::time::{Timestamp, Zone};
use crate::trigger::{BuildContext, Trigger, TriggerSpec};

/// Builds a trigger from its JSON form; `zone` is the default zone (the scheduler's),
/// `now` the current time (interval start without `start_date`, date without `run_date`).
pub(crate) fn build(json: &Value, zone: Zone, now: Timestamp) -> Result<Trigger> {
    TriggerSpec::from_json(json)?.build(&BuildContext { default_zone: zone, now })
}

/// The JSON form of a trigger, for job records.
pub(crate) fn to_json(trigger: &Trigger) -> Result<Value> {
    Ok(trigger.to_spec().to_json())
}
