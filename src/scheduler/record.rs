//! The versioned JSON job record persistent stores keep.
//!
//! ```json
//! {"version": 1, "id": "nightly", "name": "backup", "func": "backup",
//!  "args": [], "kwargs": {}, "trigger": {"type": "cron", "hour": "3", …},
//!  "executor": "default", "misfire_grace_time": 1, "coalesce": true, "max_instances": 1,
//!  "next_run_time": 1767236400000000, "run_at": 1767236400000000}
//! ```
//!
//! Times are epoch **microseconds** (the core's precision). `trigger` is the trigger's JSON
//! form ([`crate::trigger::TriggerSpec`]). A record with a `version` this build does not know,
//! or that does not decode, is reported with its id and the reason and left untouched.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::time::{Timestamp, Zone};

use super::job::{check_args, check_kwargs, check_max_instances, check_name, Job};
use super::trigger_json;

/// The record format version this build writes and reads.
pub const RECORD_VERSION: u32 = 1;

/// Everything needed to rebuild a job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobRecord {
    /// Format version ([`RECORD_VERSION`]).
    pub version: u32,
    /// The job id.
    pub id: String,
    /// The display name.
    pub name: String,
    /// The function key.
    pub func: String,
    /// Positional arguments.
    pub args: Value,
    /// Keyword arguments.
    pub kwargs: Value,
    /// The trigger's JSON form.
    pub trigger: Value,
    /// The executor alias.
    pub executor: String,
    /// Grace seconds, `null` = no limit.
    pub misfire_grace_time: Option<u32>,
    /// Coalesce flag.
    pub coalesce: bool,
    /// Instance limit.
    pub max_instances: u32,
    /// Next scheduled fire time (epoch µs), `null` = paused.
    pub next_run_time: Option<Timestamp>,
    /// The due instant (next run time plus jitter, epoch µs).
    #[serde(default)]
    pub run_at: Option<Timestamp>,
}

impl JobRecord {
    /// The record of a job whose trigger JSON is cached (every job of a persistent store).
    pub(crate) fn from_job_unchecked(job: &Job) -> JobRecord {
        JobRecord {
            version: RECORD_VERSION,
            id: job.id.to_string(),
            name: job.name.to_string(),
            func: job.func.to_string(),
            args: (*job.args).clone(),
            kwargs: (*job.kwargs).clone(),
            trigger: job.trigger_json.as_deref().cloned().unwrap_or(Value::Null),
            executor: job.executor.to_string(),
            misfire_grace_time: job.misfire_grace_time,
            coalesce: job.coalesce,
            max_instances: job.max_instances,
            next_run_time: job.next_run_time,
            run_at: job.run_at,
        }
    }

    /// Decodes a stored record. The error is [`Error::CorruptRecord`] naming the id (or
    /// `key` when no id can be read) and the reason.
    pub fn decode(key: &str, value: &Value) -> Result<JobRecord> {
        let id = value.get("id").and_then(Value::as_str).unwrap_or(key).to_string();
        match value.get("version").and_then(Value::as_u64) {
            Some(v) if v == RECORD_VERSION as u64 => {}
            Some(v) => return Err(Error::CorruptRecord { id, reason: format!("unknown record version {v}") }),
            None => return Err(Error::CorruptRecord { id, reason: "missing record version".into() }),
        }
        serde_json::from_value(value.clone()).map_err(|e| Error::CorruptRecord { id, reason: e.to_string() })
    }

    /// The JSON text of the record.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Rebuilds the job into store `alias`. `zone` and `now` are the trigger's build context.
    pub(crate) fn into_job(self, alias: &str, zone: Zone, now: Timestamp) -> Result<Job> {
        let corrupt = |e: Error| Error::CorruptRecord { id: self.id.clone(), reason: e.to_string() };
        let trigger = trigger_json::build(&self.trigger, zone, now).map_err(corrupt)?;
        let name: Arc<str> = Arc::from(check_name("name", self.name.clone()).map_err(corrupt)?.as_str());
        let args = check_args(self.args.clone()).map_err(corrupt)?;
        let kwargs = check_kwargs(self.kwargs.clone()).map_err(corrupt)?;
        let max_instances = check_max_instances(self.max_instances as i64).map_err(corrupt)?;
        if self.misfire_grace_time == Some(0) {
            return Err(corrupt(Error::invalid("misfire_grace_time", 0, "must be a positive integer")));
        }
        if self.id.is_empty() {
            return Err(corrupt(Error::invalid("id", "", "must not be empty")));
        }
        let run_at = match (self.next_run_time, self.run_at) {
            (None, _) => None,
            (Some(t), Some(r)) if r >= t => Some(r),
            (Some(t), _) => Some(t),
        };
        Ok(Job {
            id: Arc::from(self.id.as_str()),
            name,
            func: Arc::from(self.func.as_str()),
            args,
            kwargs,
            trigger: Arc::new(trigger),
            executor: Arc::from(self.executor.as_str()),
            jobstore: Some(Arc::from(alias)),
            misfire_grace_time: self.misfire_grace_time,
            coalesce: self.coalesce,
            max_instances,
            next_run_time: self.next_run_time,
            run_at,
            trigger_json: Some(Arc::new(self.trigger)),
            pending: None,
        })
    }
}
