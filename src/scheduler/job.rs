//! Jobs: what the scheduler runs, with APScheduler's options, defaults and validation.

use std::sync::Arc;

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::time::{format_in_zone, DateInput, Timestamp, Zone};
use crate::trigger::Trigger;

use super::config::{asbool, asint, positive, snake, typed_int, JobDefaults};

/// A scheduled job (APScheduler's `Job`).
///
/// `jobstore` is `None` while the job is *pending* (added before `start`): it then has no
/// next run time yet, and `str(job)` says `pending`.
#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    /// Unique id within its job store.
    pub id: Arc<str>,
    /// Display name (defaults to the function key).
    pub name: Arc<str>,
    /// The function key; the host resolves it to a callable.
    pub func: Arc<str>,
    /// Positional arguments (a JSON array).
    pub args: Arc<Value>,
    /// Keyword arguments (a JSON object).
    pub kwargs: Arc<Value>,
    /// When the job runs.
    pub trigger: Arc<Trigger>,
    /// The executor alias.
    pub executor: Arc<str>,
    /// The job store alias; `None` while pending.
    pub jobstore: Option<Arc<str>>,
    /// Seconds a run may start late; `None` = no limit.
    pub misfire_grace_time: Option<u32>,
    /// Whether a backlog of fire times runs once.
    pub coalesce: bool,
    /// Concurrently running instances allowed.
    pub max_instances: u32,
    /// The next scheduled (un-jittered) fire time; `None` = paused (or pending).
    pub next_run_time: Option<Timestamp>,
    /// `due_at`: `next_run_time` plus the trigger's jitter (see "Time rules" in the
    /// [scheduler docs](super)).
    pub(crate) due_at: Option<Timestamp>,
    /// The trigger's JSON form, kept while the job lives in a persistent store.
    pub(crate) trigger_json: Option<Arc<Value>>,
    /// While pending: which options were given explicitly (the rest take the defaults in
    /// force at `start`), and the explicit `next_run_time` if any.
    /// Boxed: only pending jobs have it, and it would widen every job.
    pub(crate) pending: Option<Box<PendingInfo>>,
}

/// What a pending job remembers until `start`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PendingInfo {
    pub(crate) misfire_grace_time: bool,
    pub(crate) coalesce: bool,
    pub(crate) max_instances: bool,
    /// `None` = not given (compute from the trigger); `Some(x)` = given (`Some(None)` paused).
    pub(crate) next_run_time: Option<Option<Timestamp>>,
    pub(crate) replace_existing: bool,
}

impl Job {
    /// Whether the job is still pending (added before the scheduler started).
    pub fn is_pending(&self) -> bool {
        self.jobstore.is_none()
    }

    /// Whether the job is paused (stored, with no next run time).
    pub fn is_paused(&self) -> bool {
        !self.is_pending() && self.next_run_time.is_none()
    }

    /// The job's `due_at` (`next_run_time` plus jitter), if scheduled.
    pub fn due_at(&self) -> Option<Timestamp> {
        self.due_at
    }

    /// APScheduler's `str(job)`: `"<name> (trigger: <trigger>, next run at: <time>)"`, the
    /// time as `%Y-%m-%d %H:%M:%S %Z` in the trigger's zone (`zone` for `and`/`or`), or
    /// `paused` / `pending`.
    pub fn describe(&self, zone: Zone) -> String {
        let status = if self.is_pending() {
            "pending".to_string()
        } else {
            match self.next_run_time {
                Some(t) => format!("next run at: {}", format_in_zone(t, self.trigger.timezone().unwrap_or(zone))),
                None => "paused".to_string(),
            }
        };
        format!("{} (trigger: {}, {})", self.name, self.trigger, status)
    }
}

/// How `add_job`/`reschedule_job` get a trigger.
// Built once per call and consumed at once: boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum TriggerInput {
    /// No trigger: run once, at `now` (APScheduler's `trigger=None`).
    RunOnceNow,
    /// A trigger the caller built.
    Built(Trigger),
    /// The trigger's JSON form (`{"type": "cron", "hour": "2"}`), built with the scheduler's
    /// zone as default and the operation's `now`.
    Json(Value),
}

/// The arguments of `add_job`. Options left `None` take the scheduler's `job_defaults`.
#[derive(Clone, Debug, PartialEq)]
pub struct NewJob {
    /// The function key.
    pub func: String,
    /// The trigger.
    pub trigger: TriggerInput,
    /// Positional arguments (a JSON array; `null` = none).
    pub args: Value,
    /// Keyword arguments (a JSON object; `null` = none).
    pub kwargs: Value,
    /// Explicit id; generated (32 lowercase hex characters) when `None`.
    pub id: Option<String>,
    /// Display name; the function key when `None`.
    pub name: Option<String>,
    /// `None` = default; `Some(None)` = no limit; `Some(Some(s))` = `s` seconds (> 0).
    pub misfire_grace_time: Option<Option<i64>>,
    /// `None` = default.
    pub coalesce: Option<bool>,
    /// `None` = default; must be > 0.
    pub max_instances: Option<i64>,
    /// `None` = from the trigger; `Some(None)` = add paused; `Some(Some(d))` = this time.
    pub next_run_time: Option<Option<DateInput>>,
    /// The job store alias (`default`).
    pub jobstore: String,
    /// The executor alias (`default`).
    pub executor: String,
    /// Replace a job with the same id instead of failing.
    pub replace_existing: bool,
}

impl NewJob {
    /// A job calling `func` with `trigger` and every option at its default.
    pub fn new(func: impl Into<String>, trigger: TriggerInput) -> NewJob {
        NewJob {
            func: func.into(),
            trigger,
            args: Value::Null,
            kwargs: Value::Null,
            id: None,
            name: None,
            misfire_grace_time: None,
            coalesce: None,
            max_instances: None,
            next_run_time: None,
            jobstore: "default".into(),
            executor: "default".into(),
            replace_existing: false,
        }
    }

    /// Sets the id.
    pub fn id(mut self, id: impl Into<String>) -> NewJob {
        self.id = Some(id.into());
        self
    }

    /// Reads the JSON options object of `addJob`: `func`, `trigger` (JSON or absent), `id`,
    /// `name`, `args`, `kwargs`, `misfire_grace_time`, `coalesce`, `max_instances`,
    /// `next_run_time` (text, epoch milliseconds, or `null` = paused), `jobstore`,
    /// `executor`, `replace_existing` — snake_case or camelCase, with APScheduler's text
    /// forms (`coalesce: "false"`, `max_instances: "3"`). Unknown keys are errors.
    pub fn from_json(options: &Value) -> Result<NewJob> {
        NewJob::read_json::<false>(options)
    }

    /// Reads the typed options the JS layer passes (`js/scheduler.js` has already camelCased
    /// the keys, refused unknown ones and read APScheduler's text forms): the keys of
    /// [`from_json`](Self::from_json) in camelCase only, `coalesce` / `replaceExisting` as
    /// booleans and `maxInstances` as an integer. A snake_case key or a text value is an
    /// `INVALID_ARGUMENT` naming the field. The wasm binding uses this, so the dialect code
    /// stays out of the shipped module.
    pub fn from_host_json(options: &Value) -> Result<NewJob> {
        NewJob::read_json::<true>(options)
    }

    fn read_json<const HOST: bool>(options: &Value) -> Result<NewJob> {
        let Value::Object(map) = options else {
            return Err(Error::invalid("job", options, "job options must be an object"));
        };
        let mut job = NewJob::new(String::new(), TriggerInput::RunOnceNow);
        // The options `modify_job` takes too are read by the same code (JobChanges::read).
        let mut c = JobChanges::default();
        for (key, value) in map {
            match option_key::<HOST>(key, value)?.as_ref() {
                "trigger" => {
                    job.trigger = if value.is_null() { TriggerInput::RunOnceNow } else { TriggerInput::Json(value.clone()) }
                }
                "id" => job.id = Some(string_field("id", value)?),
                "jobstore" => job.jobstore = string_field("jobstore", value)?,
                "replace_existing" => job.replace_existing = bool_field::<HOST>("replace_existing", value)?,
                other => c.read::<HOST>(other, value)?,
            }
        }
        job.func = c.func.ok_or_else(|| Error::invalid("func", "null", "a job needs a function key"))?;
        job.name = c.name;
        job.args = c.args.unwrap_or(Value::Null);
        job.kwargs = c.kwargs.unwrap_or(Value::Null);
        job.misfire_grace_time = c.misfire_grace_time;
        job.coalesce = c.coalesce;
        job.max_instances = c.max_instances;
        job.next_run_time = c.next_run_time;
        if let Some(executor) = c.executor {
            job.executor = executor;
        }
        Ok(job)
    }
}

/// An option key as its snake_case name: any spelling (`snake`) for the lenient readers; for
/// the typed host form (`HOST`) only the camelCase names, any other key an unknown job option.
fn option_key<'a, const HOST: bool>(key: &'a str, value: &Value) -> Result<Cow<'a, str>> {
    if !HOST {
        return Ok(Cow::Owned(snake(key)));
    }
    Ok(Cow::Borrowed(match key {
        "misfireGraceTime" => "misfire_grace_time",
        "maxInstances" => "max_instances",
        "nextRunTime" => "next_run_time",
        "replaceExisting" => "replace_existing",
        "trigger" | "id" | "jobstore" | "name" | "func" | "args" | "kwargs" | "executor" | "coalesce" => key,
        _ => return Err(Error::invalid(key, value, "unknown job option")),
    }))
}

/// A boolean option: APScheduler's `asbool`, or a JSON boolean only (`HOST`).
fn bool_field<const HOST: bool>(field: &str, value: &Value) -> Result<bool> {
    match value {
        Value::Bool(b) => Ok(*b),
        _ if !HOST => asbool(field, value),
        other => Err(Error::invalid(field, other, "not a boolean")),
    }
}

/// An integer option: APScheduler's `asint`, or a JSON integer only (`HOST`).
fn int_field<const HOST: bool>(field: &str, value: &Value) -> Result<i64> {
    if HOST {
        typed_int(field, value)
    } else {
        asint(field, value)
    }
}

/// The changes of `modify_job`: every field `None` is left as it is. The id cannot change.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobChanges {
    /// New display name (non-empty).
    pub name: Option<String>,
    /// New function key.
    pub func: Option<String>,
    /// New positional arguments.
    pub args: Option<Value>,
    /// New keyword arguments.
    pub kwargs: Option<Value>,
    /// New trigger (the next run time is **not** recomputed, as in APScheduler).
    pub trigger: Option<Trigger>,
    /// New executor alias.
    pub executor: Option<String>,
    /// New grace: `Some(None)` = no limit.
    pub misfire_grace_time: Option<Option<i64>>,
    /// New coalesce flag.
    pub coalesce: Option<bool>,
    /// New instance limit (> 0).
    pub max_instances: Option<i64>,
    /// New next run time: `Some(None)` pauses.
    pub next_run_time: Option<Option<DateInput>>,
}

impl JobChanges {
    /// Reads the JSON changes of `modifyJob` (snake_case or camelCase keys). `id` is
    /// refused, as are unknown keys; `trigger` must be given through
    /// [`Scheduler::reschedule_job`](super::Scheduler::reschedule_job) or the typed field.
    pub fn from_json(changes: &Value) -> Result<JobChanges> {
        JobChanges::read_json::<false>(changes, None)
    }

    /// The typed host form of [`from_json`](Self::from_json) (camelCase keys, typed values,
    /// as [`NewJob::from_host_json`]) with a `trigger` key allowed: the changes and the
    /// trigger's JSON form (`None` when absent), for the wasm binding, which builds the trigger.
    pub fn from_host_json_and_trigger(changes: &Value) -> Result<(JobChanges, Option<Value>)> {
        let mut trigger = None;
        JobChanges::read_json::<true>(changes, Some(&mut trigger)).map(|c| (c, trigger))
    }

    /// Reads the changes; `trigger` is where a `trigger` key goes (`None`: refused).
    fn read_json<const HOST: bool>(changes: &Value, mut trigger: Option<&mut Option<Value>>) -> Result<JobChanges> {
        let Value::Object(map) = changes else {
            return Err(Error::invalid("changes", changes, "job changes must be an object"));
        };
        let mut c = JobChanges::default();
        for (key, value) in map {
            match (option_key::<HOST>(key, value)?.as_ref(), trigger.as_deref_mut()) {
                ("id", _) => return Err(Error::invalid("id", value, "the job id may not be changed")),
                ("trigger", Some(slot)) => *slot = Some(value.clone()),
                (other, _) => c.read::<HOST>(other, value)?,
            }
        }
        Ok(c)
    }

    /// Reads one option that `add_job` and `modify_job` both take (`key` in snake_case);
    /// any other key is an unknown job option.
    fn read<const HOST: bool>(&mut self, key: &str, value: &Value) -> Result<()> {
        match key {
            "name" => self.name = Some(string_field("name", value)?),
            "func" => self.func = Some(string_field("func", value)?),
            "args" => self.args = Some(value.clone()),
            "kwargs" => self.kwargs = Some(value.clone()),
            "executor" => self.executor = Some(string_field("executor", value)?),
            "misfire_grace_time" => self.misfire_grace_time = Some(grace_field(value)?),
            "coalesce" => self.coalesce = Some(bool_field::<HOST>("coalesce", value)?),
            "max_instances" => self.max_instances = Some(int_field::<HOST>("max_instances", value)?),
            "next_run_time" => self.next_run_time = Some(date_field("next_run_time", value)?),
            other => return Err(Error::invalid(other, value, "unknown job option")),
        }
        Ok(())
    }
}

fn string_field(field: &str, value: &Value) -> Result<String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        other => Err(Error::invalid(field, other, "must be a string")),
    }
}

fn grace_field(value: &Value) -> Result<Option<i64>> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => n.as_i64().map(Some).ok_or_else(|| Error::invalid("misfire_grace_time", n, "must be a whole number of seconds or null")),
        other => Err(Error::invalid("misfire_grace_time", other, "must be a whole number of seconds or null")),
    }
}

fn date_field(field: &str, value: &Value) -> Result<Option<DateInput>> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(DateInput::Text(s.clone()))),
        Value::Number(n) => {
            let ms = n.as_f64().ok_or_else(|| Error::invalid(field, n, "not a number"))?;
            Ok(Some(DateInput::Instant(Timestamp::from_millis_f64(field, ms)?)))
        }
        other => Err(Error::invalid(field, other, "must be a date text, epoch milliseconds or null")),
    }
}

/// Validated option values, shared by `add_job` and `modify_job`.
pub(crate) fn check_grace(v: Option<i64>) -> Result<Option<u32>> {
    v.map(|s| positive("misfire_grace_time", s)).transpose()
}

/// `max_instances` must be > 0.
pub(crate) fn check_max_instances(v: i64) -> Result<u32> {
    positive("max_instances", v)
}

/// `args` must be an array (`null` = empty).
pub(crate) fn check_args(v: Value) -> Result<Arc<Value>> {
    match v {
        Value::Null => Ok(Arc::new(Value::Array(Vec::new()))),
        a @ Value::Array(_) => Ok(Arc::new(a)),
        other => Err(Error::invalid("args", other, "must be an array")),
    }
}

/// `kwargs` must be an object (`null` = empty).
pub(crate) fn check_kwargs(v: Value) -> Result<Arc<Value>> {
    match v {
        Value::Null => Ok(Arc::new(Value::Object(Map::new()))),
        o @ Value::Object(_) => Ok(Arc::new(o)),
        other => Err(Error::invalid("kwargs", other, "must be an object")),
    }
}

/// A name must not be empty.
pub(crate) fn check_name(field: &str, v: String) -> Result<String> {
    if v.is_empty() {
        return Err(Error::invalid(field, "", "must not be empty"));
    }
    Ok(v)
}

/// Applies `defaults` to the options a pending job did not set.
pub(crate) fn apply_defaults(job: &mut Job, defaults: &JobDefaults) {
    if let Some(p) = &job.pending {
        if !p.misfire_grace_time {
            job.misfire_grace_time = defaults.misfire_grace_time;
        }
        if !p.coalesce {
            job.coalesce = defaults.coalesce;
        }
        if !p.max_instances {
            job.max_instances = defaults.max_instances;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_lenient_reader_takes_the_dialects_and_the_host_reader_only_the_typed_form() {
        let lenient = NewJob::from_json(&json!({"func": "f", "max_instances": "3", "coalesce": "false", "replaceExisting": "yes"})).unwrap();
        assert_eq!((lenient.max_instances, lenient.coalesce, lenient.replace_existing), (Some(3), Some(false), true));
        let typed = NewJob::from_host_json(&json!({"func": "f", "maxInstances": 3, "coalesce": false, "replaceExisting": true, "misfireGraceTime": null})).unwrap();
        assert_eq!((typed.max_instances, typed.coalesce, typed.replace_existing, typed.misfire_grace_time), (Some(3), Some(false), true, Some(None)));
        for (bad, field, reason) in [
            (json!({"func": "f", "max_instances": 3}), "max_instances", "unknown job option"),
            (json!({"func": "f", "coalesce": "false"}), "coalesce", "not a boolean"),
            (json!({"func": "f", "coalesce": 1}), "coalesce", "not a boolean"),
            (json!({"func": "f", "maxInstances": "3"}), "max_instances", "not an integer"),
            (json!({"func": "f", "replaceExisting": "yes"}), "replace_existing", "not a boolean"),
        ] {
            match NewJob::from_host_json(&bad) {
                Err(Error::InvalidArgument { field: f, reason: r, .. }) => assert_eq!((f.as_str(), r.as_str()), (field, reason), "{bad}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        let (c, trigger) = JobChanges::from_host_json_and_trigger(&json!({"maxInstances": 2, "trigger": {"type": "date"}})).unwrap();
        assert_eq!((c.max_instances, trigger.is_some()), (Some(2), true));
        assert!(JobChanges::from_host_json_and_trigger(&json!({"next_run_time": null})).is_err());
        assert!(JobChanges::from_host_json_and_trigger(&json!({"id": "x"})).is_err());
        assert_eq!(JobChanges::from_json(&json!({"next_run_time": null})).unwrap().next_run_time, Some(None));
    }
}
