//! Scheduler configuration: the typed form and APScheduler's flat string form.
//!
//! ```
//! use tickwerk::scheduler::SchedulerConfig;
//! let flat = serde_json::json!({
//!     "apscheduler.job_defaults.coalesce": "false",
//!     "tickwerk.jobDefaults.maxInstances": "3",
//!     "tickwerk.timezone": "Europe/Berlin",
//! });
//! let config = SchedulerConfig::from_json(&flat).unwrap();
//! assert!(!config.job_defaults.coalesce);
//! assert_eq!(config.job_defaults.max_instances, 3);
//! ```

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::message_text::joined;
use crate::time::Zone;

/// The defaults a job gets for the options it does not set (`job_defaults`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JobDefaults {
    /// Seconds a run may start late and still run; `None` = no limit. APScheduler 3.11: 1.
    pub misfire_grace_time: Option<u32>,
    /// Run a backlog of missed fire times once instead of once per time. Default `true`.
    pub coalesce: bool,
    /// How many instances of one job may run at once. Default 1.
    pub max_instances: u32,
}

impl Default for JobDefaults {
    fn default() -> JobDefaults {
        JobDefaults { misfire_grace_time: Some(1), coalesce: true, max_instances: 1 }
    }
}

/// What kind of job store an alias is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreKind {
    /// Jobs live only in the core (APScheduler's `MemoryJobStore`).
    Memory,
    /// Jobs live in the host's storage too: the core emits store operations
    /// ([`StoreOp`](super::StoreOp)) and the host loads records back with
    /// [`Scheduler::load_jobs`](super::Scheduler::load_jobs).
    Persistent,
}

impl StoreKind {
    /// Reads a store `type`: `memory`, or `persistent` (also accepted: any other host store
    /// type name such as `indexeddb`, `sqlite`, `file` — those are persistent).
    pub fn parse(field: &str, text: &str) -> Result<StoreKind> {
        match text.trim() {
            "memory" => Ok(StoreKind::Memory),
            "" => Err(Error::invalid(field, text, "a job store type must not be empty")),
            _ => Ok(StoreKind::Persistent),
        }
    }
}

/// An executor alias's settings. The core only tracks instances per executor; the host's
/// executor runs the functions (and enforces its own pool size).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutorConfig {
    /// The executor type name (`default`, `threadpool`, a host-defined name…).
    pub kind: String,
    /// The pool size the host should use, if configured.
    pub max_workers: Option<u32>,
}

impl Default for ExecutorConfig {
    fn default() -> ExecutorConfig {
        ExecutorConfig { kind: "default".to_string(), max_workers: None }
    }
}

/// Everything `configure` accepts.
#[derive(Clone, Debug, PartialEq)]
pub struct SchedulerConfig {
    /// Default zone for triggers and for wall-clock `next_run_time` values. The core cannot
    /// read the machine's zone, so the default is UTC (APScheduler uses the local zone).
    pub timezone: Zone,
    /// Defaults for job options.
    pub job_defaults: JobDefaults,
    /// Job stores by alias, in insertion order. `default` (memory) is added at start if
    /// missing.
    pub jobstores: Vec<(String, StoreKind)>,
    /// Executors by alias, in insertion order. `default` is added at start if missing.
    pub executors: Vec<(String, ExecutorConfig)>,
    /// Seed of the core's only randomness (generated job ids, jitter). Pass a random value
    /// from the host; the core never draws entropy itself.
    pub seed: u64,
}

impl Default for SchedulerConfig {
    fn default() -> SchedulerConfig {
        SchedulerConfig {
            timezone: Zone::Utc,
            job_defaults: JobDefaults::default(),
            jobstores: Vec::new(),
            executors: Vec::new(),
            seed: 0,
        }
    }
}

/// APScheduler's `asbool`: `true/yes/on/y/t/1` and `false/no/off/n/f/0`, any case.
pub fn asbool(field: &str, value: &Value) -> Result<bool> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Number(n) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => Ok(n.as_i64() == Some(1)),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "y" | "t" | "1" => Ok(true),
            "false" | "no" | "off" | "n" | "f" | "0" => Ok(false),
            _ => Err(Error::invalid(field, s, "not a boolean (true/yes/on/y/t/1 or false/no/off/n/f/0)")),
        },
        other => Err(Error::invalid(field, other, "not a boolean")),
    }
}

/// APScheduler's `asint`: an integer or the text of one.
pub fn asint(field: &str, value: &Value) -> Result<i64> {
    match value {
        Value::Number(n) => n.as_i64().ok_or_else(|| Error::invalid(field, n, "not an integer")),
        Value::String(s) => s.trim().parse::<i64>().map_err(|_| Error::invalid(field, s, "not an integer")),
        other => Err(Error::invalid(field, other, "not an integer")),
    }
}

/// An integer JSON number (the typed form: no text).
pub(super) fn typed_int(field: &str, value: &Value) -> Result<i64> {
    match value {
        Value::Number(n) => n.as_i64().ok_or_else(|| Error::invalid(field, n, "not an integer")),
        other => Err(Error::invalid(field, other, "not an integer")),
    }
}

/// Converts `camelCase` to `snake_case` (`jobDefaults` → `job_defaults`, `maxInstances` →
/// `max_instances`).
pub(super) fn snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Merges `value` into `root` under the dotted `path` (APScheduler's key splitting).
fn insert_path(root: &mut Map<String, Value>, path: &[&str], value: Value) {
    let Some((head, rest)) = path.split_first() else { return };
    if rest.is_empty() {
        match (root.get_mut(*head), value) {
            (Some(Value::Object(existing)), Value::Object(new)) => {
                for (k, v) in new {
                    existing.insert(k, v);
                }
            }
            (_, v) => {
                root.insert(head.to_string(), v);
            }
        }
        return;
    }
    let entry = root.entry(head.to_string()).or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    if let Value::Object(m) = entry {
        insert_path(m, rest, value);
    }
}

/// The nested form of flat options: prefixes `apscheduler.`/`tickwerk.` stripped, dotted
/// keys split, option names (not aliases) converted from camelCase.
fn nest(options: &Map<String, Value>) -> Map<String, Value> {
    let mut root = Map::new();
    for (key, value) in options {
        let stripped = key.strip_prefix("apscheduler.").or_else(|| key.strip_prefix("tickwerk.")).unwrap_or(key);
        let parts: Vec<&str> = stripped.split('.').collect();
        let mut owned: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
        if let Some(first) = owned.first_mut() {
            *first = snake(first);
        }
        // job_defaults.<option> names an option; jobstores.<alias> / executors.<alias> an alias.
        if owned.first().map(String::as_str) == Some("job_defaults") {
            if let Some(second) = owned.get_mut(1) {
                *second = snake(second);
            }
        }
        if owned.len() >= 3 && matches!(owned[0].as_str(), "jobstores" | "executors") {
            owned[2] = snake(&owned[2]);
        }
        let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
        insert_path(&mut root, &refs, value.clone());
    }
    root
}

/// `snake_case`s every key of an object (for `jobDefaults: { maxInstances }` forms).
fn snake_keys(value: &Value) -> Map<String, Value> {
    match value {
        // Inserted one by one (the last spelling wins, as with `collect`): collecting into a
        // map sorts, which links a sort routine into the wasm for this alone.
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                out.insert(snake(k), v.clone());
            }
            out
        }
        _ => Map::new(),
    }
}

impl SchedulerConfig {
    /// Reads options as APScheduler's `configure(gconfig)` does: flat keys with an
    /// `apscheduler.` or `tickwerk.` prefix and dotted paths (`"apscheduler.job_defaults.coalesce":
    /// "false"`), or nested objects (`{"jobDefaults": {"coalesce": false}}`), with string
    /// values parsed by `asbool`/`asint`. An unknown key is an `INVALID_ARGUMENT` listing the
    /// known ones (APScheduler ignores them; a misspelt `timeZone` would silently run jobs in
    /// the wrong zone).
    /// Keys: `timezone`, `job_defaults.{misfire_grace_time, coalesce, max_instances}`,
    /// `jobstores.<alias>` (`{"type": "memory" | <persistent type>}` or the type as text),
    /// `executors.<alias>` (`{"type", "max_workers"}` or the type as text), `seed`.
    pub fn from_json(options: &Value) -> Result<SchedulerConfig> {
        let Value::Object(map) = options else {
            return Err(Error::invalid("options", options, "scheduler options must be an object"));
        };
        let nested = nest(map);
        for (key, value) in &nested {
            known("options", key, &["timezone", "job_defaults", "jobstores", "executors", "seed"])?;
            if key == "job_defaults" {
                for k in snake_keys(value).keys() {
                    known("job_defaults", k, &["misfire_grace_time", "coalesce", "max_instances"])?;
                }
            }
        }
        let mut config = SchedulerConfig::default();
        if let Some(tz) = nested.get("timezone") {
            match tz {
                Value::String(s) => config.timezone = Zone::parse(s)?,
                Value::Null => {}
                other => return Err(Error::invalid("timezone", other, "a time zone must be a name")),
            }
        }
        if let Some(defaults) = nested.get("job_defaults") {
            let d = snake_keys(defaults);
            if let Some(v) = d.get("misfire_grace_time") {
                config.job_defaults.misfire_grace_time = match v {
                    Value::Null => None,
                    v => Some(positive("job_defaults.misfire_grace_time", asint("job_defaults.misfire_grace_time", v)?)?),
                };
            }
            if let Some(v) = d.get("coalesce") {
                config.job_defaults.coalesce = asbool("job_defaults.coalesce", v)?;
            }
            if let Some(v) = d.get("max_instances") {
                config.job_defaults.max_instances =
                    positive("job_defaults.max_instances", asint("job_defaults.max_instances", v)?)?;
            }
        }
        if let Some(Value::Object(stores)) = nested.get("jobstores") {
            for (alias, spec) in stores {
                let field = format!("jobstores.{alias}");
                let kind = match spec {
                    Value::String(t) => StoreKind::parse(&field, t)?,
                    Value::Object(m) => {
                        for k in m.keys() {
                            known(&field, k, &["type"])?;
                        }
                        match m.get("type") {
                            Some(Value::String(t)) => StoreKind::parse(&field, t)?,
                            _ => return Err(Error::invalid(&field, spec, "a job store needs a \"type\"")),
                        }
                    }
                    other => return Err(Error::invalid(&field, other, "a job store must be an object or a type name")),
                };
                config.jobstores.push((alias.clone(), kind));
            }
        }
        if let Some(Value::Object(execs)) = nested.get("executors") {
            for (alias, spec) in execs {
                let field = format!("executors.{alias}");
                let exec = match spec {
                    Value::String(t) => ExecutorConfig { kind: t.clone(), max_workers: None },
                    Value::Object(_) => {
                        let m = snake_keys(spec);
                        for k in m.keys() {
                            known(&field, k, &["type", "max_workers"])?;
                        }
                        let kind = match m.get("type") {
                            Some(Value::String(t)) => t.clone(),
                            _ => return Err(Error::invalid(&field, spec, "an executor needs a \"type\"")),
                        };
                        let max_workers = match m.get("max_workers") {
                            None | Some(Value::Null) => None,
                            Some(v) => Some(positive(&format!("{field}.max_workers"), asint(&field, v)?)?),
                        };
                        ExecutorConfig { kind, max_workers }
                    }
                    other => return Err(Error::invalid(&field, other, "an executor must be an object or a type name")),
                };
                config.executors.push((alias.clone(), exec));
            }
        }
        if let Some(seed) = nested.get("seed") {
            config.seed = read_seed(seed)?;
        }
        Ok(config)
    }
}

impl SchedulerConfig {
    /// Reads the normalised options the JS layer passes (`js/scheduler-config.js` has already
    /// nested APScheduler's flat keys, refused unknown keys and camelCased the names):
    /// `{ timezone, jobDefaults: { misfireGraceTime, coalesce, maxInstances }, jobstores: {
    /// <alias>: { type } }, executors: { <alias>: { type, maxWorkers } }, seed }`, every key
    /// optional. Values are typed (booleans and integers as such; the JS layer reads
    /// APScheduler's text forms, `'false'`, `'30'`), with [`SchedulerConfig::from_json`]'s
    /// messages and fields named in snake_case; `seed` may be decimal text (a `BigInt`'s); any
    /// other key is an `INVALID_ARGUMENT` listing the known ones. The wasm binding uses this instead of
    /// `from_json`, so the dialect code (flat keys, nesting, key spellings) stays out of the
    /// shipped module: 1.4 KB of the gzipped bundled app.
    pub fn from_host_json(options: &Value) -> Result<SchedulerConfig> {
        let Value::Object(o) = options else {
            return Err(Error::invalid("options", options, "scheduler options must be an object"));
        };
        for key in o.keys() {
            known("options", key, &["timezone", "jobDefaults", "jobstores", "executors", "seed"])?;
        }
        let mut config = SchedulerConfig::default();
        match o.get("timezone") {
            Some(Value::String(s)) => config.timezone = Zone::parse(s)?,
            None | Some(Value::Null) => {}
            Some(other) => return Err(Error::invalid("timezone", other, "a time zone must be a name")),
        }
        if let Some(Value::Object(d)) = o.get("jobDefaults") {
            for key in d.keys() {
                known("jobDefaults", key, &["misfireGraceTime", "coalesce", "maxInstances"])?;
            }
            // Typed values only: the host reads APScheduler's string forms ('false', '30').
            if let Some(v) = d.get("misfireGraceTime") {
                config.job_defaults.misfire_grace_time = match v {
                    Value::Null => None,
                    v => Some(positive("job_defaults.misfire_grace_time", typed_int("job_defaults.misfire_grace_time", v)?)?),
                };
            }
            if let Some(v) = d.get("coalesce") {
                config.job_defaults.coalesce = match v {
                    Value::Bool(b) => *b,
                    other => return Err(Error::invalid("job_defaults.coalesce", other, "must be true or false")),
                };
            }
            if let Some(v) = d.get("maxInstances") {
                config.job_defaults.max_instances = positive("job_defaults.max_instances", typed_int("job_defaults.max_instances", v)?)?;
            }
        }
        if let Some(Value::Object(stores)) = o.get("jobstores") {
            for (alias, spec) in stores {
                let field = joined(&["jobstores.", alias], "");
                if let Value::Object(m) = spec {
                    for key in m.keys() {
                        known(&field, key, &["type"])?;
                    }
                }
                let kind = match spec.get("type") {
                    Some(Value::String(t)) => StoreKind::parse(&field, t)?,
                    _ => return Err(Error::invalid(&field, spec, "a job store needs a \"type\"")),
                };
                config.jobstores.push((alias.clone(), kind));
            }
        }
        if let Some(Value::Object(execs)) = o.get("executors") {
            for (alias, spec) in execs {
                let field = joined(&["executors.", alias], "");
                if let Value::Object(m) = spec {
                    for key in m.keys() {
                        known(&field, key, &["type", "maxWorkers"])?;
                    }
                }
                let kind = match spec.get("type") {
                    Some(Value::String(t)) => t.clone(),
                    _ => return Err(Error::invalid(&field, spec, "an executor needs a \"type\"")),
                };
                let max_workers = match spec.get("maxWorkers") {
                    None | Some(Value::Null) => None,
                    Some(v) => Some(positive(&joined(&[&field, ".max_workers"], ""), typed_int(&field, v)?)?),
                };
                config.executors.push((alias.clone(), ExecutorConfig { kind, max_workers }));
            }
        }
        if let Some(seed) = o.get("seed") {
            config.seed = read_seed(seed)?;
        }
        Ok(config)
    }
}

/// The `seed` option: an unsigned 64-bit integer, or its decimal text.
fn read_seed(seed: &Value) -> Result<u64> {
    match seed {
        Value::Number(n) => n.as_u64().ok_or_else(|| Error::invalid("seed", n, "not an unsigned integer")),
        Value::String(s) => s.trim().parse().map_err(|_| Error::invalid("seed", s, "not an unsigned integer")),
        other => Err(Error::invalid("seed", other, "not an unsigned integer")),
    }
}

/// `key` of `field` must be one of `allowed`.
#[inline(never)]
fn known(field: &str, key: &str, allowed: &[&str]) -> Result<()> {
    if allowed.contains(&key) {
        return Ok(());
    }
    Err(Error::invalid(field, key, format!("unknown option (known: {})", joined(allowed, ", "))))
}

/// A value that must be a positive `u32`.
pub(crate) fn positive(field: &str, v: i64) -> Result<u32> {
    if v <= 0 {
        return Err(Error::invalid(field, v, "must be a positive integer"));
    }
    u32::try_from(v).map_err(|_| Error::invalid(field, v, "too large"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flat_prefixed_and_camel_case_forms() {
        let c = SchedulerConfig::from_json(&json!({
            "apscheduler.job_defaults.coalesce": "false",
            "apscheduler.job_defaults.misfire_grace_time": "30",
            "tickwerk.jobDefaults.maxInstances": "3",
            "apscheduler.jobstores.default": {"type": "memory"},
            "apscheduler.jobstores.idb": {"type": "indexeddb"},
            "apscheduler.executors.pool": {"type": "threadpool", "max_workers": "5"},
            "tickwerk.timezone": "Europe/Berlin",
            "tickwerk.seed": "42"
        }))
        .unwrap();
        assert!(!c.job_defaults.coalesce);
        assert_eq!(c.job_defaults.misfire_grace_time, Some(30));
        assert_eq!(c.job_defaults.max_instances, 3);
        assert_eq!(c.timezone, Zone::parse("Europe/Berlin").unwrap());
        assert_eq!(c.jobstores, vec![("default".into(), StoreKind::Memory), ("idb".into(), StoreKind::Persistent)]);
        assert_eq!(c.executors[0].1.max_workers, Some(5));
        assert_eq!(c.seed, 42);
    }

    #[test]
    fn nested_form_and_null_grace() {
        let c = SchedulerConfig::from_json(&json!({"jobDefaults": {"misfireGraceTime": null, "coalesce": "off"}})).unwrap();
        assert_eq!(c.job_defaults.misfire_grace_time, None);
        assert!(!c.job_defaults.coalesce);
    }

    #[test]
    fn bad_values_name_the_field() {
        let e = SchedulerConfig::from_json(&json!({"apscheduler.job_defaults.coalesce": "maybe"})).unwrap_err();
        assert!(e.to_string().contains("job_defaults.coalesce"), "{e}");
        let e = SchedulerConfig::from_json(&json!({"apscheduler.job_defaults.max_instances": "0"})).unwrap_err();
        assert_eq!(e.code(), "INVALID_ARGUMENT");
        assert!(SchedulerConfig::from_json(&json!({"tickwerk.timezone": "Mars/Base"})).is_err());
        assert!(SchedulerConfig::from_json(&json!([1])).is_err());
    }

    #[test]
    fn unknown_keys_are_errors_at_every_level() {
        for bad in [
            json!({"timeZone": "UTC"}),
            json!({"other.ignored": 1}),
            json!({"apscheduler.job_defualts.coalesce": "false"}),
            json!({"jobDefaults": {"misfireGracetime": 5}}),
            json!({"jobstores": {"a": {"type": "memory", "x": 1}}}),
            json!({"executors": {"a": {"type": "default", "maxWorker": 2}}}),
        ] {
            let e = SchedulerConfig::from_json(&bad).unwrap_err();
            assert_eq!(e.code(), "INVALID_ARGUMENT", "{bad}");
            assert!(e.to_string().contains("unknown option (known: "), "{e}");
        }
    }

    /// What `js/scheduler-config.js` and `js/scheduler.js` pass to `SchedulerCore.configure`.
    fn host_form() -> Value {
        json!({
            "timezone": "Europe/Berlin",
            "jobDefaults": {"misfireGraceTime": 30, "coalesce": false, "maxInstances": 3},
            "jobstores": {"default": {"type": "memory"}, "idb": {"type": "indexeddb"}},
            "executors": {"pool": {"type": "threadpool", "maxWorkers": 5}, "default": {"type": "default"}},
            "seed": "42"
        })
    }

    #[test]
    fn host_form_reads_as_the_nested_form_does() {
        let c = SchedulerConfig::from_host_json(&host_form()).unwrap();
        assert_eq!(c, SchedulerConfig::from_json(&host_form()).unwrap());
        assert!(!c.job_defaults.coalesce);
        assert_eq!((c.job_defaults.misfire_grace_time, c.job_defaults.max_instances), (Some(30), 3));
        assert_eq!(c.jobstores, vec![("default".into(), StoreKind::Memory), ("idb".into(), StoreKind::Persistent)]);
        assert_eq!(c.executors[1], ("pool".into(), ExecutorConfig { kind: "threadpool".into(), max_workers: Some(5) }));
        assert_eq!(c.seed, 42);
        let c = SchedulerConfig::from_host_json(&json!({"jobDefaults": {"misfireGraceTime": null}, "timezone": null})).unwrap();
        assert_eq!((c.job_defaults.misfire_grace_time, c.timezone), (None, Zone::Utc));
    }

    #[test]
    fn host_form_bad_values_have_the_nested_forms_messages() {
        // Job defaults and executors' maxWorkers are typed: APScheduler's text forms are the
        // host's to read.
        for (bad, field) in [
            (json!({"executors": {"a": {"type": "default", "maxWorkers": "5"}}}), "executors.a"),
            (json!({"jobDefaults": {"coalesce": "false"}}), "job_defaults.coalesce"),
            (json!({"jobDefaults": {"coalesce": 1}}), "job_defaults.coalesce"),
            (json!({"jobDefaults": {"maxInstances": "3"}}), "job_defaults.max_instances"),
            (json!({"jobDefaults": {"misfireGraceTime": "30"}}), "job_defaults.misfire_grace_time"),
        ] {
            let e = SchedulerConfig::from_host_json(&bad).unwrap_err();
            assert!(matches!(&e, Error::InvalidArgument { field: f, .. } if f == field), "{bad}: {e:?}");
        }
        for bad in [
            json!({"jobDefaults": {"maxInstances": 0}}),
            json!({"jobDefaults": {"misfireGraceTime": 1.5}}),
            json!({"timezone": "Mars/Base"}),
            json!({"timezone": 5}),
            json!({"jobstores": {"a": {"type": ""}}}),
            json!({"jobstores": {"a": {}}}),
            json!({"executors": {"a": {"type": "default", "maxWorkers": -1}}}),
            json!({"executors": {"a": {"maxWorkers": 2}}}),
            json!({"seed": -1}),
            json!([1]),
        ] {
            let host = SchedulerConfig::from_host_json(&bad).unwrap_err();
            assert_eq!(host, SchedulerConfig::from_json(&bad).unwrap_err(), "{bad}");
        }
    }

    #[test]
    fn host_form_refuses_unknown_and_flat_keys() {
        for bad in [
            json!({"timeZone": "UTC"}),
            json!({"apscheduler.timezone": "UTC"}),
            json!({"job_defaults": {}}),
            json!({"jobDefaults": {"misfire_grace_time": 5}}),
            json!({"jobstores": {"a": {"type": "memory", "x": 1}}}),
            json!({"executors": {"a": {"type": "default", "max_workers": 2}}}),
        ] {
            let e = SchedulerConfig::from_host_json(&bad).unwrap_err();
            assert_eq!(e.code(), "INVALID_ARGUMENT", "{bad}");
            assert!(e.to_string().contains("unknown option (known: "), "{e}");
        }
    }
}
