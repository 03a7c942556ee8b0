//! The versioned JSON form of triggers: what persistent job stores keep and what the JS
//! layer passes in.
//!
//! # The JSON form (version 1)
//!
//! One JSON object per trigger, APScheduler's keyword arguments as keys, plus `"type"`
//! and a version `"v"`:
//!
//! ```json
//! {"v": 1, "type": "cron", "hour": "2", "minute": "*/15", "timezone": "Europe/Berlin"}
//! {"v": 1, "type": "crontab", "expr": "0 9 * * 1-5", "timezone": "UTC"}
//! {"v": 1, "type": "interval", "hours": 2, "start_date": "2026-01-01T00:00:00+01:00",
//!  "timezone": "Europe/Berlin", "jitter": 30}
//! {"v": 1, "type": "date", "run_date": "2026-05-01 09:30:00", "timezone": "Europe/Paris"}
//! {"v": 1, "type": "calendarinterval", "months": 1, "hour": 9, "start_date": "2026-01-31",
//!  "timezone": "Europe/Berlin"}
//! {"v": 1, "type": "or", "triggers": [{"type": "cron", "hour": "9"},
//!                                       {"type": "date", "run_date": "2026-12-24 18:00:00"}]}
//! ```
//!
//! | type | keys |
//! | --- | --- |
//! | `cron` | `year`, `month`, `day`, `week`, `day_of_week`, `hour`, `minute`, `second` (strings in APScheduler's syntax, or integers), `start_date`, `end_date`, `timezone`, `jitter`, `fold` |
//! | `crontab` | `expr` (a crontab line: 5 fields, or 6 with leading seconds, or a macro such as `@daily`), `timezone`, `fold` |
//! | `interval` | `weeks`, `days`, `hours`, `minutes`, `seconds` (numbers, fractions allowed; the total must be > 0), `start_date`, `end_date`, `timezone`, `jitter` |
//! | `date` | `run_date`, `timezone` |
//! | `calendarinterval` | `years`, `months`, `weeks`, `days` (integers ≥ 0, not all 0), `hour`, `minute`, `second` (the wall-clock time, default 0), `start_date`, `end_date` (dates `YYYY-MM-DD`), `timezone`, `jitter` |
//! | `and`, `or` | `triggers` (a non-empty list of trigger objects), `jitter` |
//!
//! * `"v"` is always written (on the outer object) and optional on input, also on
//!   children; a version other than 1 is an error.
//! * Keys are accepted in snake_case and camelCase (`day_of_week` / `dayOfWeek`,
//!   `start_date` / `startDate`, `end_date` / `endDate`, `run_date` / `runDate`). An
//!   unknown key for the trigger's type is an error naming the key. `null` means "not
//!   given" except for the interval units, where it is an error (as in APScheduler).
//! * **`fold`** (`cron`, `crontab`): which occurrences of a wall time repeated when the
//!   clocks go back fire — `"both"` (the default, APScheduler's behaviour: twice),
//!   `"first"` (the earlier instant) or `"last"` (the later one); see [`Fold`]. Any other
//!   value is an error naming `fold` and listing the three.
//! * **Dates** are APScheduler's text, `YYYY-M-D[( |T)H:M:S[.ffffff][Z|±HH:MM]]` (read in
//!   the trigger's zone unless it carries an offset; a wall time inside a DST gap moves
//!   forward, an ambiguous one takes the first occurrence), or a number of epoch
//!   **milliseconds** (fractions are microseconds). A date must lie in the years
//!   0001–9999 once read in its zone.
//! * **Zone rule** (APScheduler's): `timezone` if given (`UTC`, an IANA name, or a fixed
//!   offset such as `+05:30`), else the zone of a `start_date` written with an offset
//!   (a fixed offset; `Z` and `+00:00` are `UTC`), else that of `end_date`, else the
//!   context's default zone (the scheduler's). `date` uses `timezone`, else its `run_date`'s offset, else the default;
//!   `crontab` and `calendarinterval` use `timezone`, else the default. The children of
//!   `and`/`or` get the default zone when they name none.
//! * Missing times come from the [`BuildContext`]: an interval without `start_date`
//!   starts at `now + interval` (added on the zone's wall clock, as APScheduler's
//!   `datetime.now(tz) + interval` does: across a DST change the first run is an hour
//!   nearer or farther in real time), a date without `run_date` runs at `now`, a calendar
//!   interval without `start_date` starts today (in its zone).
//!
//! [`Trigger::to_spec`] gives the **canonical** form: an explicit `timezone` on every
//! trigger (not on `and`/`or`), every date resolved to RFC 3339 text with the zone's offset
//! at that instant (microseconds when present; UTC `Z` when the offset has seconds or the
//! local date would leave the years 0001–9999), a calendar interval's dates as
//! `YYYY-MM-DD`, an
//! interval's `start_date` always present and its length as `days`/`hours`/`minutes`/
//! `seconds`. Building the canonical form gives back an equal trigger:
//! `build(from_json(to_json(to_spec(t)))) == t`.

use chrono::{Datelike, NaiveDate, Timelike};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::message_text::push_int;
use crate::time::iso_text::{IsoDate, IsoDateTime};
use crate::time::{parse_date_text, DateInput, Timestamp, Zone, MICROS_PER_SEC};
use crate::trigger::calendar::{CalendarIntervalTrigger, CalendarStep};
use crate::trigger::interval::{interval_micros, IntervalTrigger};
use crate::trigger::cron::{CronFields, Fold, FOLD_EXPECTED};
use crate::trigger::{check_jitter, AndTrigger, CronTrigger, DateTrigger, OrTrigger, Trigger};

/// The version of the JSON form written by [`TriggerSpec::to_json`].
pub const SPEC_VERSION: u64 = 1;

/// What building a trigger needs from its surroundings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BuildContext {
    /// The zone used when the spec names none (the scheduler's zone).
    pub default_zone: Zone,
    /// The current time (interval start without `start_date`, date without `run_date`,
    /// calendar interval without `start_date`).
    pub now: Timestamp,
}

/// A trigger description: the parsed JSON form (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub enum TriggerSpec {
    /// `{"type": "date", …}`
    Date(DateSpec),
    /// `{"type": "interval", …}`
    Interval(IntervalSpec),
    /// `{"type": "cron", …}`
    Cron(CronSpec),
    /// `{"type": "crontab", …}`
    Crontab(CrontabSpec),
    /// `{"type": "calendarinterval", …}`
    CalendarInterval(CalendarIntervalSpec),
    /// `{"type": "and", …}`
    And(CombinationSpec),
    /// `{"type": "or", …}`
    Or(CombinationSpec),
}

/// The arguments of a date trigger.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DateSpec {
    /// When to run (`None`: the context's `now`).
    pub run_date: Option<DateInput>,
    /// The zone (`None`: the run date's offset, else the default zone).
    pub timezone: Option<Zone>,
}

/// The arguments of an interval trigger.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct IntervalSpec {
    /// Weeks in the interval.
    pub weeks: f64,
    /// Days in the interval.
    pub days: f64,
    /// Hours in the interval.
    pub hours: f64,
    /// Minutes in the interval.
    pub minutes: f64,
    /// Seconds in the interval.
    pub seconds: f64,
    /// The first fire time (`None`: the context's `now` plus the interval).
    pub start_date: Option<DateInput>,
    /// The last possible fire time (inclusive).
    pub end_date: Option<DateInput>,
    /// The zone (see the zone rule in the module docs).
    pub timezone: Option<Zone>,
    /// Jitter in seconds.
    pub jitter: Option<f64>,
}

/// The arguments of a cron trigger: APScheduler's field expressions, verbatim.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CronSpec {
    /// The eight field expressions (`None`: not given; APScheduler's defaults rule applies).
    pub fields: CronFields,
    /// The earliest possible fire time (inclusive).
    pub start_date: Option<DateInput>,
    /// The latest possible fire time (inclusive).
    pub end_date: Option<DateInput>,
    /// The zone (see the zone rule in the module docs).
    pub timezone: Option<Zone>,
    /// Jitter in seconds.
    pub jitter: Option<f64>,
    /// Which occurrences of a repeated wall time fire (`None`: [`Fold::Both`]).
    pub fold: Option<Fold>,
}

/// The arguments of `CronTrigger.from_crontab`.
#[derive(Clone, Debug, PartialEq)]
pub struct CrontabSpec {
    /// The crontab line.
    pub expr: String,
    /// The zone (`None`: the default zone).
    pub timezone: Option<Zone>,
    /// Which occurrences of a repeated wall time fire (`None`: [`Fold::Both`]).
    pub fold: Option<Fold>,
}

/// The arguments of a calendar interval trigger.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CalendarIntervalSpec {
    /// The calendar step and the time of day.
    pub step: CalendarStep,
    /// The first fire date (`None`: today in the trigger's zone).
    pub start_date: Option<DateInput>,
    /// The last possible fire date (inclusive).
    pub end_date: Option<DateInput>,
    /// The zone (`None`: the default zone).
    pub timezone: Option<Zone>,
    /// Jitter in seconds.
    pub jitter: Option<f64>,
}

/// The arguments of an `and` / `or` trigger.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CombinationSpec {
    /// The children.
    pub triggers: Vec<TriggerSpec>,
    /// The combination's own jitter in seconds.
    pub jitter: Option<f64>,
}

// ---------------------------------------------------------------------------------------
// Reading JSON

const CRON_FIELDS: [&str; 8] = ["year", "month", "day", "week", "day_of_week", "hour", "minute", "second"];

/// The snake_case name of a key given in either spelling.
fn canonical_key(key: &str) -> &str {
    match key {
        "dayOfWeek" => "day_of_week",
        "startDate" => "start_date",
        "endDate" => "end_date",
        "runDate" => "run_date",
        other => other,
    }
}

fn allowed_keys(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "cron" => &["year", "month", "day", "week", "day_of_week", "hour", "minute", "second", "start_date", "end_date", "timezone", "jitter", "fold"],
        "crontab" => &["expr", "timezone", "fold"],
        "interval" => &["weeks", "days", "hours", "minutes", "seconds", "start_date", "end_date", "timezone", "jitter"],
        "date" => &["run_date", "timezone"],
        "calendarinterval" => &["years", "months", "weeks", "days", "hour", "minute", "second", "start_date", "end_date", "timezone", "jitter"],
        "and" | "or" => &["triggers", "jitter"],
        _ => return None,
    })
}

/// The object's keys under their snake_case names, checked against the type's keys.
fn normalized_keys(kind: &str, obj: &Map<String, Value>) -> Result<Map<String, Value>> {
    let allowed = allowed_keys(kind).ok_or_else(|| {
        Error::invalid("type", kind, "expected one of cron, crontab, interval, date, calendarinterval, and, or")
    })?;
    let mut out = Map::new();
    for (key, value) in obj {
        if key == "type" || key == "v" {
            continue;
        }
        let name = canonical_key(key);
        if !allowed.contains(&name) {
            return Err(Error::invalid(key, value, format!("unknown key for a {kind} trigger (allowed: {})", crate::message_text::joined(allowed, ", "))));
        }
        if out.insert(name.to_string(), value.clone()).is_some() {
            return Err(Error::invalid(key, value, format!("{name} is given twice (snake_case and camelCase)")));
        }
    }
    Ok(out)
}

#[inline(never)]
fn read_date(field: &str, value: Option<&Value>) -> Result<Option<DateInput>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            parse_date_text(field, s)?;
            Ok(Some(DateInput::Text(s.clone())))
        }
        Some(Value::Number(n)) => {
            let ms = n.as_f64().ok_or_else(|| Error::invalid(field, n, "not a number of milliseconds"))?;
            Ok(Some(DateInput::Instant(Timestamp::from_millis_f64(field, ms)?)))
        }
        Some(other) => Err(Error::invalid(field, other, "expected date text or epoch milliseconds")),
    }
}

/// A zero fixed offset is UTC, as in Python (`timezone(timedelta(0))` is `timezone.utc`,
/// shown as `UTC`).
fn utc_if_zero(zone: Zone) -> Zone {
    match zone {
        Zone::Fixed(0) => Zone::Utc,
        z => z,
    }
}

#[inline(never)]
fn read_zone(value: Option<&Value>) -> Result<Option<Zone>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Zone::parse(s).map(|z| Some(utc_if_zero(z))),
        Some(other) => Err(Error::invalid("timezone", other, "expected a time zone name")),
    }
}

#[inline(never)]
fn read_jitter(value: Option<&Value>) -> Result<Option<f64>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(other) => Err(Error::invalid("jitter", other, "expected a number of seconds")),
    }
}

/// A fold name; absent or `null` is "not given" (the default, `both`).
#[inline(never)]
fn read_fold(value: Option<&Value>) -> Result<Option<Fold>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Fold::parse("fold", s).map(Some),
        Some(other) => Err(Error::invalid("fold", other, FOLD_EXPECTED)),
    }
}

/// An interval unit: absent is 0; anything but a number (also `null`) is an error.
#[inline(never)]
fn read_unit(field: &str, value: Option<&Value>) -> Result<f64> {
    match value {
        None => Ok(0.0),
        Some(Value::Number(n)) => n.as_f64().ok_or_else(|| Error::invalid(field, n, "not a number")),
        Some(other) => Err(Error::invalid(field, other, "expected a number")),
    }
}

/// A non-negative whole number (calendar interval units and time of day).
#[inline(never)]
fn read_count(field: &str, value: Option<&Value>) -> Result<u32> {
    match value {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(n)) => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if f.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&f) {
                Ok(f as u32)
            } else {
                Err(Error::invalid(field, n, "expected a whole number of at least 0"))
            }
        }
        Some(other) => Err(Error::invalid(field, other, "expected a whole number")),
    }
}

#[inline(never)]
fn read_cron_field(field: &str, value: Option<&Value>) -> Result<Option<String>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(Some(n.to_string())),
        Some(other) => Err(Error::invalid(field, other, "expected an expression (text) or a whole number")),
    }
}

impl TriggerSpec {
    /// Reads the JSON form (see the module docs). Errors are typed and name the key and
    /// the value: an unknown key or type, a wrong value type, bad date text, an unknown
    /// zone, an unsupported version. Cron expressions are checked by [`TriggerSpec::build`].
    pub fn from_json(v: &Value) -> Result<TriggerSpec> {
        let obj = v.as_object().ok_or_else(|| Error::invalid("trigger", v, "expected a JSON object"))?;
        match obj.get("v") {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) if n.as_u64() == Some(SPEC_VERSION) => {}
            Some(other) => return Err(Error::invalid("v", other, format!("unsupported trigger spec version (this build reads version {SPEC_VERSION})"))),
        }
        let kind = match obj.get("type") {
            Some(Value::String(s)) => s.as_str(),
            Some(other) => return Err(Error::invalid("type", other, "expected a trigger type name")),
            None => return Err(Error::invalid("type", "(missing)", "every trigger needs a \"type\"")),
        };
        let keys = normalized_keys(kind, obj)?;
        let get = |k: &str| keys.get(k);
        Ok(match kind {
            "date" => TriggerSpec::Date(DateSpec { run_date: read_date("run_date", get("run_date"))?, timezone: read_zone(get("timezone"))? }),
            "interval" => {
                // One call site per kind of value in a loop, not one per key: less code.
                let mut units = [0.0; 5];
                for (unit, key) in units.iter_mut().zip(["weeks", "days", "hours", "minutes", "seconds"]) {
                    *unit = read_unit(key, get(key))?;
                }
                let [weeks, days, hours, minutes, seconds] = units;
                TriggerSpec::Interval(IntervalSpec {
                weeks,
                days,
                hours,
                minutes,
                seconds,
                start_date: read_date("start_date", get("start_date"))?,
                end_date: read_date("end_date", get("end_date"))?,
                timezone: read_zone(get("timezone"))?,
                jitter: read_jitter(get("jitter"))?,
            })
            }
            "cron" => {
                let mut fields: [Option<String>; 8] = Default::default();
                for (field, key) in fields.iter_mut().zip(CRON_FIELDS) {
                    *field = read_cron_field(key, get(key))?;
                }
                let [year, month, day, week, day_of_week, hour, minute, second] = fields;
                TriggerSpec::Cron(CronSpec {
                fields: CronFields { year, month, day, week, day_of_week, hour, minute, second },
                start_date: read_date("start_date", get("start_date"))?,
                end_date: read_date("end_date", get("end_date"))?,
                timezone: read_zone(get("timezone"))?,
                jitter: read_jitter(get("jitter"))?,
                fold: read_fold(get("fold"))?,
            })
            }
            "crontab" => TriggerSpec::Crontab(CrontabSpec {
                expr: match get("expr") {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => return Err(Error::invalid("expr", other, "expected a crontab line")),
                    None => return Err(Error::invalid("expr", "(missing)", "a crontab trigger needs \"expr\"")),
                },
                timezone: read_zone(get("timezone"))?,
                fold: read_fold(get("fold"))?,
            }),
            "calendarinterval" => {
                let mut counts = [0; 7];
                for (count, key) in counts.iter_mut().zip(["years", "months", "weeks", "days", "hour", "minute", "second"]) {
                    *count = read_count(key, get(key))?;
                }
                let [years, months, weeks, days, hour, minute, second] = counts;
                TriggerSpec::CalendarInterval(CalendarIntervalSpec {
                step: CalendarStep { years, months, weeks, days, hour, minute, second },
                start_date: read_date("start_date", get("start_date"))?,
                end_date: read_date("end_date", get("end_date"))?,
                timezone: read_zone(get("timezone"))?,
                jitter: read_jitter(get("jitter"))?,
            })
            }
            _ => {
                let triggers = match get("triggers") {
                    Some(Value::Array(items)) => items.iter().map(TriggerSpec::from_json).collect::<Result<Vec<_>>>()?,
                    Some(other) => return Err(Error::invalid("triggers", other, "expected a list of triggers")),
                    None => return Err(Error::invalid("triggers", "(missing)", format!("an {kind} trigger needs \"triggers\""))),
                };
                let spec = CombinationSpec { triggers, jitter: read_jitter(get("jitter"))? };
                if kind == "and" { TriggerSpec::And(spec) } else { TriggerSpec::Or(spec) }
            }
        })
    }

    /// The JSON form, with `"v": 1` and snake_case keys; given keys only.
    pub fn to_json(&self) -> Value {
        let mut out = self.to_json_inner();
        if let Value::Object(map) = &mut out {
            map.insert("v".to_string(), Value::from(SPEC_VERSION));
        }
        out
    }

    fn to_json_inner(&self) -> Value {
        let mut m = Map::new();
        let mut put = |k: &str, v: Value| {
            m.insert(k.to_string(), v);
        };
        match self {
            TriggerSpec::Date(s) => {
                put("type", "date".into());
                put_opt_date(&mut put, "run_date", &s.run_date);
                put_opt_zone(&mut put, &s.timezone);
            }
            TriggerSpec::Interval(s) => {
                put("type", "interval".into());
                for (k, v) in [("weeks", s.weeks), ("days", s.days), ("hours", s.hours), ("minutes", s.minutes), ("seconds", s.seconds)] {
                    if v != 0.0 {
                        put(k, number(v));
                    }
                }
                put_opt_date(&mut put, "start_date", &s.start_date);
                put_opt_date(&mut put, "end_date", &s.end_date);
                put_opt_zone(&mut put, &s.timezone);
                put_opt_jitter(&mut put, s.jitter);
            }
            TriggerSpec::Cron(s) => {
                put("type", "cron".into());
                for (k, v) in CRON_FIELDS.iter().zip(s.field_values()) {
                    if let Some(v) = v {
                        put(k, Value::String(v.clone()));
                    }
                }
                put_opt_date(&mut put, "start_date", &s.start_date);
                put_opt_date(&mut put, "end_date", &s.end_date);
                put_opt_zone(&mut put, &s.timezone);
                put_opt_jitter(&mut put, s.jitter);
                put_opt_fold(&mut put, s.fold);
            }
            TriggerSpec::Crontab(s) => {
                put("type", "crontab".into());
                put("expr", Value::String(s.expr.clone()));
                put_opt_zone(&mut put, &s.timezone);
                put_opt_fold(&mut put, s.fold);
            }
            TriggerSpec::CalendarInterval(s) => {
                put("type", "calendarinterval".into());
                let st = s.step;
                for (k, v) in [("years", st.years), ("months", st.months), ("weeks", st.weeks), ("days", st.days), ("hour", st.hour), ("minute", st.minute), ("second", st.second)] {
                    if v != 0 {
                        put(k, Value::from(v));
                    }
                }
                put_opt_date(&mut put, "start_date", &s.start_date);
                put_opt_date(&mut put, "end_date", &s.end_date);
                put_opt_zone(&mut put, &s.timezone);
                put_opt_jitter(&mut put, s.jitter);
            }
            TriggerSpec::And(s) | TriggerSpec::Or(s) => {
                put("type", if matches!(self, TriggerSpec::And(_)) { "and".into() } else { "or".into() });
                put("triggers", Value::Array(s.triggers.iter().map(TriggerSpec::to_json_inner).collect()));
                put_opt_jitter(&mut put, s.jitter);
            }
        }
        Value::Object(m)
    }

    /// Builds the trigger. `ctx` supplies the default zone and the current time for the
    /// arguments that default to it (see the module docs). Errors are typed and name the
    /// field: a bad cron expression, an interval of zero or less, an impossible date, …
    pub fn build(&self, ctx: &BuildContext) -> Result<Trigger> {
        match self {
            TriggerSpec::Date(s) => {
                let zone = match s.timezone {
                    Some(z) => z,
                    None => own_zone("run_date", &s.run_date)?.unwrap_or(ctx.default_zone),
                };
                let run_date = match &s.run_date {
                    Some(d) => resolve("run_date", d, zone)?,
                    None => ctx.now,
                };
                Ok(Trigger::Date(DateTrigger::new(run_date, zone)))
            }
            TriggerSpec::Interval(s) => {
                let zone = zone_rule(s.timezone, &s.start_date, &s.end_date, ctx)?;
                let interval = interval_micros(s.weeks, s.days, s.hours, s.minutes, s.seconds)?;
                let start = match &s.start_date {
                    Some(d) => resolve("start_date", d, zone)?,
                    None => default_interval_start(ctx.now, interval, zone)?,
                };
                let end = resolve_opt("end_date", &s.end_date, zone)?;
                Ok(Trigger::Interval(IntervalTrigger::new(interval, start, end, zone, s.jitter)?))
            }
            TriggerSpec::Cron(s) => {
                let zone = zone_rule(s.timezone, &s.start_date, &s.end_date, ctx)?;
                let start = resolve_opt("start_date", &s.start_date, zone)?;
                let end = resolve_opt("end_date", &s.end_date, zone)?;
                let fold = s.fold.unwrap_or_default();
                Ok(Trigger::Cron(CronTrigger::new(&s.fields, start, end, zone, check_jitter(s.jitter)?)?.with_fold(fold)))
            }
            TriggerSpec::Crontab(s) => {
                let zone = s.timezone.unwrap_or(ctx.default_zone);
                Ok(Trigger::Cron(CronTrigger::from_crontab(&s.expr, zone)?.with_fold(s.fold.unwrap_or_default())))
            }
            TriggerSpec::CalendarInterval(s) => {
                let zone = s.timezone.unwrap_or(ctx.default_zone);
                let start = match &s.start_date {
                    Some(d) => calendar_date("start_date", d, zone)?,
                    None => zone.to_local(ctx.now).date(),
                };
                let end = match &s.end_date {
                    Some(d) => Some(calendar_date("end_date", d, zone)?),
                    None => None,
                };
                Ok(Trigger::CalendarInterval(CalendarIntervalTrigger::new(s.step, start, end, zone, s.jitter)?))
            }
            TriggerSpec::And(s) => {
                let children = s.triggers.iter().map(|c| c.build(ctx)).collect::<Result<Vec<_>>>()?;
                Ok(Trigger::And(AndTrigger::new(children, s.jitter)?))
            }
            TriggerSpec::Or(s) => {
                let children = s.triggers.iter().map(|c| c.build(ctx)).collect::<Result<Vec<_>>>()?;
                Ok(Trigger::Or(OrTrigger::new(children, s.jitter)?))
            }
        }
    }
}

impl CronSpec {
    /// The eight field expressions in APScheduler's order (year … second).
    pub fn field_values(&self) -> [&Option<String>; 8] {
        let f = &self.fields;
        [&f.year, &f.month, &f.day, &f.week, &f.day_of_week, &f.hour, &f.minute, &f.second]
    }
}

fn own_zone(field: &str, d: &Option<DateInput>) -> Result<Option<Zone>> {
    match d {
        Some(d) => Ok(d.own_zone(field)?.map(utc_if_zero)),
        None => Ok(None),
    }
}

/// APScheduler's zone rule: `timezone`, else an aware start date's zone, else an aware
/// end date's zone, else the default.
fn zone_rule(timezone: Option<Zone>, start: &Option<DateInput>, end: &Option<DateInput>, ctx: &BuildContext) -> Result<Zone> {
    if let Some(z) = timezone {
        return Ok(z);
    }
    if let Some(z) = own_zone("start_date", start)? {
        return Ok(z);
    }
    Ok(own_zone("end_date", end)?.unwrap_or(ctx.default_zone))
}

/// APScheduler's default start of an interval trigger, `datetime.now(tz) + interval`:
/// the interval is added to the **wall clock** of `zone` and the result read with fold 0
/// (a gap time moves forward, an ambiguous one takes the first occurrence). Across a DST
/// change that is not `now + interval` in real time: one day after 00:36 on a
/// spring-forward day is 00:36 the next day, 23 hours later.
fn default_interval_start(now: Timestamp, interval: i64, zone: Zone) -> Result<Timestamp> {
    let past = || Error::invalid("start_date", "(now + interval)", "past the year 9999");
    let wall = zone.to_local(now).checked_add_signed(chrono::Duration::microseconds(interval)).ok_or_else(past)?;
    let t = zone.resolve_local(wall, false);
    if !(Timestamp::MIN..=Timestamp::MAX).contains(&t) {
        return Err(past());
    }
    Ok(t)
}

/// The instant a date input means in `zone`, refused when it falls outside the years
/// 0001–9999 UTC (`0001-01-01 00:00` read east of UTC, `9999-12-31 23:59` read west of it).
fn resolve(field: &str, d: &DateInput, zone: Zone) -> Result<Timestamp> {
    let t = d.resolve(field, zone)?;
    if t < Timestamp::MIN || t > Timestamp::MAX {
        let shown = match d {
            DateInput::Text(s) => s.clone(),
            DateInput::Instant(t) | DateInput::Zoned(t, _) => t.to_string(),
            DateInput::Local(n) => IsoDateTime(*n).to_string(),
        };
        return Err(Error::invalid(field, shown, "outside the years 0001-9999 (UTC)"));
    }
    Ok(t)
}

fn resolve_opt(field: &str, d: &Option<DateInput>, zone: Zone) -> Result<Option<Timestamp>> {
    d.as_ref().map(|d| resolve(field, d, zone)).transpose()
}

/// A calendar date from date input: `YYYY-M-D` text (no time of day), or the local date
/// of an instant in `zone` (of a zoned instant in its own zone).
fn calendar_date(field: &str, d: &DateInput, zone: Zone) -> Result<NaiveDate> {
    match d {
        DateInput::Text(s) => {
            let p = parse_date_text(field, s)?;
            if p.offset.is_some() || p.local.time() != chrono::NaiveTime::MIN || s.contains([' ', 'T']) {
                return Err(Error::invalid(field, s, "expected a date YYYY-MM-DD without a time of day"));
            }
            Ok(p.local.date())
        }
        DateInput::Instant(t) => Ok(zone.to_local(*t).date()),
        DateInput::Zoned(t, z) => Ok(z.to_local(*t).date()),
        DateInput::Local(n) => Ok(n.date()),
    }
}

fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map(Value::Number).unwrap_or(Value::Null)
    }
}

fn put_opt_date(put: &mut impl FnMut(&str, Value), key: &str, d: &Option<DateInput>) {
    let Some(d) = d else { return };
    let v = match d {
        DateInput::Text(s) => Value::String(s.clone()),
        DateInput::Instant(t) => number(t.as_millis_f64()),
        DateInput::Zoned(t, z) => Value::String(rfc3339_in_zone(*t, *z)),
        DateInput::Local(n) => Value::String(IsoDateTime(*n).to_string()),
    };
    put(key, v);
}

fn put_opt_zone(put: &mut impl FnMut(&str, Value), z: &Option<Zone>) {
    if let Some(z) = z {
        put("timezone", Value::String(z.name()));
    }
}

fn put_opt_fold(put: &mut impl FnMut(&str, Value), fold: Option<Fold>) {
    if let Some(f) = fold {
        put("fold", Value::from(f.as_str()));
    }
}

fn put_opt_jitter(put: &mut impl FnMut(&str, Value), j: Option<f64>) {
    if let Some(j) = j {
        put("jitter", number(j));
    }
}

/// `2024-03-10T03:00:00-04:00` (`.ffffff` when there are microseconds): the wall time in
/// `zone` with the zone's offset at `t`; in UTC (`Z`) when that offset has seconds or the
/// wall time falls outside the years 1–9999 (the first and last hours of the range).
pub fn rfc3339_in_zone(t: Timestamp, zone: Zone) -> String {
    let offset = zone.offset_at(t);
    let in_range = (1..=9999).contains(&zone.to_local(t).year());
    let local = if offset % 60 == 0 && in_range { zone.to_local(t) } else { t.to_utc_naive() };
    let mut out = String::new();
    push_int(&mut out, i64::from(local.year()), 4, false);
    for (sep, n) in [('-', local.month()), ('-', local.day()), ('T', local.hour()), (':', local.minute()), (':', local.second())] {
        out.push(sep);
        push_int(&mut out, i64::from(n), 2, false);
    }
    let micros = local.nanosecond() / 1000;
    if micros != 0 {
        out.push('.');
        push_int(&mut out, i64::from(micros), 6, false);
    }
    if offset % 60 == 0 && in_range {
        let a = i64::from(offset.unsigned_abs());
        out.push(if offset < 0 { '-' } else { '+' });
        push_int(&mut out, a / 3600, 2, false);
        out.push(':');
        push_int(&mut out, a % 3600 / 60, 2, false);
    } else {
        out.push('Z');
    }
    out
}

// ---------------------------------------------------------------------------------------
// Trigger → canonical spec

impl Trigger {
    /// The canonical spec of this trigger (see the module docs): explicit zone, resolved
    /// dates. `TriggerSpec::build` on it gives back an equal trigger, whatever the context.
    pub fn to_spec(&self) -> TriggerSpec {
        match self {
            Trigger::Date(t) => TriggerSpec::Date(DateSpec {
                run_date: Some(DateInput::Text(rfc3339_in_zone(t.run_date(), t.timezone()))),
                timezone: Some(t.timezone()),
            }),
            Trigger::Interval(t) => {
                let zone = t.timezone();
                let micros = t.interval_micros();
                let day = 86_400 * MICROS_PER_SEC;
                let rest = micros % day;
                TriggerSpec::Interval(IntervalSpec {
                    weeks: 0.0,
                    days: (micros / day) as f64,
                    hours: (rest / (3600 * MICROS_PER_SEC)) as f64,
                    minutes: (rest % (3600 * MICROS_PER_SEC) / (60 * MICROS_PER_SEC)) as f64,
                    seconds: (rest % (60 * MICROS_PER_SEC)) as f64 / MICROS_PER_SEC as f64,
                    start_date: Some(DateInput::Text(rfc3339_in_zone(t.start_date(), zone))),
                    end_date: t.end_date().map(|e| DateInput::Text(rfc3339_in_zone(e, zone))),
                    timezone: Some(zone),
                    jitter: t.jitter(),
                })
            }
            Trigger::Cron(t) => {
                // the default fold is left out, so existing specs and records stay as they are
                let fold = Some(t.fold()).filter(|f| *f != Fold::Both);
                match t.crontab() {
                    // from_crontab takes no dates and no jitter: the line, zone and fold say it all
                    Some(expr) => TriggerSpec::Crontab(CrontabSpec { expr: expr.to_string(), timezone: Some(t.timezone()), fold }),
                    None => TriggerSpec::Cron(CronSpec {
                        fields: t.fields(),
                        start_date: t.start_date().map(|d| DateInput::Text(rfc3339_in_zone(d, t.timezone()))),
                        end_date: t.end_date().map(|d| DateInput::Text(rfc3339_in_zone(d, t.timezone()))),
                        timezone: Some(t.timezone()),
                        jitter: t.jitter(),
                        fold,
                    }),
                }
            }
            Trigger::CalendarInterval(t) => TriggerSpec::CalendarInterval(CalendarIntervalSpec {
                step: t.step(),
                start_date: Some(DateInput::Text(IsoDate(t.start_date()).to_string())),
                end_date: t.end_date().map(|d| DateInput::Text(IsoDate(d).to_string())),
                timezone: Some(t.timezone()),
                jitter: t.jitter(),
            }),
            Trigger::And(t) => TriggerSpec::And(CombinationSpec { triggers: t.triggers().iter().map(Trigger::to_spec).collect(), jitter: t.jitter() }),
            Trigger::Or(t) => TriggerSpec::Or(CombinationSpec { triggers: t.triggers().iter().map(Trigger::to_spec).collect(), jitter: t.jitter() }),
        }
    }
}

impl Serialize for TriggerSpec {
    /// Serializes as the JSON form ([`TriggerSpec::to_json`]).
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for TriggerSpec {
    /// Reads the JSON form ([`TriggerSpec::from_json`]).
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<TriggerSpec, D::Error> {
        let v = Value::deserialize(d)?;
        TriggerSpec::from_json(&v).map_err(serde::de::Error::custom)
    }
}
