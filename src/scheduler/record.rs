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

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::time::{Timestamp, Zone};

use super::job::{check_args, check_kwargs, check_max_instances, check_name, Job};
use super::trigger_json;

/// A stored record that [`Scheduler::load_jobs`](super::Scheduler::load_jobs) (or
/// [`replace_jobs`](super::Scheduler::replace_jobs)) could not load; it stays untouched in
/// storage.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadProblem {
    /// The record's place in the list that was loaded.
    pub index: usize,
    /// The record's id, when it has a readable one (a string `id` member); `None` for a
    /// record without one (its error names it by its place, `#<index>`).
    pub id: Option<String>,
    /// Why: [`Error::CorruptRecord`] (the field and reason) or [`Error::ConflictingId`] (a
    /// record of an id the store already loaded).
    pub error: Error,
}

/// The record format version this build writes and reads.
pub const RECORD_VERSION: u32 = 1;

/// Everything needed to rebuild a job.
#[derive(Clone, Debug, PartialEq)]
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
    /// The job's `due_at` (next run time plus jitter, epoch µs), stored under the key
    /// `run_at` (the version-1 record format keeps its name).
    pub due_at: Option<Timestamp>,
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
            due_at: job.due_at,
        }
    }

    /// Decodes a stored record. The error is [`Error::CorruptRecord`] naming the id (or
    /// `key` when no id can be read) and the reason: an unknown `version`, a missing or
    /// unknown field, or a field of the wrong type.
    pub fn decode(key: &str, value: &Value) -> Result<JobRecord> {
        let id = value.get("id").and_then(Value::as_str).unwrap_or(key).to_string();
        let corrupt = |reason: String| Error::CorruptRecord { id: id.clone(), reason };
        let Value::Object(map) = value else { return Err(corrupt("expected a JSON object".into())) };
        match map.get("version").and_then(Value::as_u64) {
            Some(v) if v == RECORD_VERSION as u64 => {}
            Some(v) => return Err(corrupt(format!("unknown record version {v}"))),
            None => return Err(corrupt("missing record version".into())),
        }
        if let Some(unknown) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(corrupt(format!("unknown field `{unknown}`")));
        }
        let fields = Fields(map);
        let record = (|| {
            Ok(JobRecord {
                version: RECORD_VERSION,
                id: fields.string("id")?,
                name: fields.string("name")?,
                func: fields.string("func")?,
                args: fields.any("args")?,
                kwargs: fields.any("kwargs")?,
                trigger: fields.any("trigger")?,
                executor: fields.string("executor")?,
                misfire_grace_time: fields.optional("misfire_grace_time", |v| v.as_u64().and_then(|n| u32::try_from(n).ok()), "a whole number of seconds (32-bit) or null")?,
                coalesce: fields.required("coalesce", Value::as_bool, "a boolean")?,
                max_instances: u32::try_from(fields.required("max_instances", Value::as_u64, "a whole number")?).map_err(|_| fields.wrong("max_instances", "a 32-bit count"))?,
                next_run_time: fields.optional("next_run_time", instant, INSTANT)?,
                due_at: fields.optional("run_at", instant, INSTANT)?,
            })
        })();
        record.map_err(corrupt)
    }

    /// The record as JSON (times as epoch µs).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        let time = |t: Option<Timestamp>| t.map_or(Value::Null, |t| Value::from(t.as_micros()));
        m.insert("version".into(), Value::from(self.version));
        m.insert("id".into(), Value::from(self.id.as_str()));
        m.insert("name".into(), Value::from(self.name.as_str()));
        m.insert("func".into(), Value::from(self.func.as_str()));
        m.insert("args".into(), self.args.clone());
        m.insert("kwargs".into(), self.kwargs.clone());
        m.insert("trigger".into(), self.trigger.clone());
        m.insert("executor".into(), Value::from(self.executor.as_str()));
        m.insert("misfire_grace_time".into(), self.misfire_grace_time.map_or(Value::Null, Value::from));
        m.insert("coalesce".into(), Value::from(self.coalesce));
        m.insert("max_instances".into(), Value::from(self.max_instances));
        m.insert("next_run_time".into(), time(self.next_run_time));
        m.insert("run_at".into(), time(self.due_at));
        Value::Object(m)
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
        let due_at = match (self.next_run_time, self.due_at) {
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
            due_at,
            trigger_json: Some(Arc::new(self.trigger)),
            pending: None,
        })
    }
}

/// The fields of a version-1 record; any other key makes the record corrupt.
const FIELDS: [&str; 13] = [
    "version", "id", "name", "func", "args", "kwargs", "trigger", "executor",
    "misfire_grace_time", "coalesce", "max_instances", "next_run_time", "run_at",
];

/// What a stored instant must be, for the reason of a corrupt record.
const INSTANT: &str = "an instant in epoch µs (years 1–9999) or null";

/// A stored instant (epoch µs) within [`Timestamp::MIN`]..=[`Timestamp::MAX`]. Whole numbers
/// written as floats count: JS reads integers above 2^53 (µs after mid-2255) back from JSON
/// text as floats, and whole-second instants stay exact as floats up to year 9999.
fn instant(value: &Value) -> Option<Timestamp> {
    let micros = match value.as_i64() {
        Some(m) => m,
        None => {
            let f = value.as_f64()?;
            if f.fract() != 0.0 || f.abs() > 1e18 {
                return None;
            }
            f as i64
        }
    };
    (Timestamp::MIN.as_micros()..=Timestamp::MAX.as_micros()).contains(&micros).then(|| Timestamp::from_micros(micros))
}

/// Typed reads of a record's fields; errors are the reason text of a corrupt record.
struct Fields<'a>(&'a Map<String, Value>);

impl Fields<'_> {
    fn any(&self, name: &str) -> std::result::Result<Value, String> {
        self.0.get(name).cloned().ok_or_else(|| format!("missing field `{name}`"))
    }

    fn string(&self, name: &str) -> std::result::Result<String, String> {
        self.required(name, |v| v.as_str().map(str::to_string), "a string")
    }

    fn required<T>(&self, name: &str, read: impl Fn(&Value) -> Option<T>, expected: &str) -> std::result::Result<T, String> {
        let value = self.0.get(name).ok_or_else(|| format!("missing field `{name}`"))?;
        read(value).ok_or_else(|| self.wrong(name, expected))
    }

    /// A field that may be `null` or absent (both read as `None`).
    fn optional<T>(&self, name: &str, read: impl Fn(&Value) -> Option<T>, expected: &str) -> std::result::Result<Option<T>, String> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => read(v).map(Some).ok_or_else(|| self.wrong(name, expected)),
        }
    }

    fn wrong(&self, name: &str, expected: &str) -> String {
        let got = match self.0.get(name) {
            Some(Value::Null) => "null",
            Some(Value::Bool(_)) => "a boolean",
            Some(Value::Number(_)) => "a number",
            Some(Value::String(_)) => "a string",
            Some(Value::Array(_)) => "an array",
            Some(Value::Object(_)) => "an object",
            None => "nothing",
        };
        format!("field `{name}`: expected {expected}, got {got}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({"version": 1, "id": "nightly", "name": "backup", "func": "backup", "args": [1, "a"],
               "kwargs": {"k": null}, "trigger": {"type": "interval", "seconds": 5}, "executor": "default",
               "misfire_grace_time": 1, "coalesce": true, "max_instances": 3,
               "next_run_time": 1_767_236_400_000_000_i64, "run_at": 1_767_236_400_500_000_i64})
    }

    fn reason(value: &Value) -> String {
        match JobRecord::decode("key", value) {
            Err(Error::CorruptRecord { reason, .. }) => reason,
            other => panic!("expected a corrupt record, got {other:?}"),
        }
    }

    #[test]
    fn round_trips_every_field() {
        let record = JobRecord::decode("key", &sample()).unwrap();
        assert_eq!(record.max_instances, 3);
        assert_eq!(record.misfire_grace_time, Some(1));
        assert_eq!(record.due_at, Some(Timestamp::from_micros(1_767_236_400_500_000)));
        assert_eq!(record.to_json(), sample());
    }

    #[test]
    fn far_future_instants_read_back_from_js_floats() {
        // 2300-01-01T00:00:00Z in µs is above 2^53: JSON.parse hands it back as a float.
        let t = 10_413_792_000_000_000_i64;
        let mut v = sample();
        let m = v.as_object_mut().unwrap();
        m.insert("next_run_time".into(), json!(t as f64));
        m.insert("run_at".into(), json!(t as f64));
        let record = JobRecord::decode("key", &v).unwrap();
        assert_eq!(record.next_run_time, Some(Timestamp::from_micros(t)));
        assert_eq!(record.due_at, Some(Timestamp::from_micros(t)));
    }

    #[test]
    fn absent_or_null_optional_fields_read_as_none() {
        let mut v = sample();
        let m = v.as_object_mut().unwrap();
        m.remove("run_at");
        m.remove("misfire_grace_time");
        m.insert("next_run_time".into(), Value::Null);
        let record = JobRecord::decode("key", &v).unwrap();
        assert_eq!((record.due_at, record.misfire_grace_time, record.next_run_time), (None, None, None));
    }

    #[test]
    fn names_what_is_wrong() {
        let with = |key: &str, value: Value| {
            let mut v = sample();
            v.as_object_mut().unwrap().insert(key.into(), value);
            v
        };
        let without = |key: &str| {
            let mut v = sample();
            v.as_object_mut().unwrap().remove(key);
            v
        };
        assert_eq!(reason(&with("extra", json!(1))), "unknown field `extra`");
        assert_eq!(reason(&without("func")), "missing field `func`");
        assert_eq!(reason(&without("trigger")), "missing field `trigger`");
        assert_eq!(reason(&with("coalesce", json!("yes"))), "field `coalesce`: expected a boolean, got a string");
        assert_eq!(reason(&with("max_instances", json!(-1))), "field `max_instances`: expected a whole number, got a number");
        assert_eq!(reason(&with("max_instances", json!(1u64 << 40))), "field `max_instances`: expected a 32-bit count, got a number");
        assert_eq!(reason(&with("next_run_time", json!(1.5))), "field `next_run_time`: expected an instant in epoch µs (years 1–9999) or null, got a number");
        assert_eq!(reason(&with("run_at", json!(i64::MAX))), "field `run_at`: expected an instant in epoch µs (years 1–9999) or null, got a number");
        assert!(reason(&with("next_run_time", json!(Timestamp::MIN.as_micros() - 1))).starts_with("field `next_run_time`"));
        assert_eq!(reason(&with("misfire_grace_time", json!("1"))), "field `misfire_grace_time`: expected a whole number of seconds (32-bit) or null, got a string");
        assert_eq!(reason(&with("version", json!(2))), "unknown record version 2");
        assert_eq!(reason(&without("version")), "missing record version");
        assert_eq!(reason(&json!([1])), "expected a JSON object");
        match JobRecord::decode("key", &without("id")) {
            Err(Error::CorruptRecord { id, reason }) => assert_eq!((id.as_str(), reason.as_str()), ("key", "missing field `id`")),
            other => panic!("{other:?}"),
        }
    }
}
