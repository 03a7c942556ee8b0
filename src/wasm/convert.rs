//! JS values ↔ JSON values, and the plain objects the scheduler binding hands out.
//!
//! Output objects are built as `serde_json::Value`s (times as epoch milliseconds, keys in
//! camelCase) and converted once to plain JS objects.

use js_sys::{Array, Object, Reflect};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error::invalid;
use crate::scheduler::{Event, Job, Run, RunStart, RunTimes, StoreOp};
use crate::Timestamp;

/// How deep JS data may nest before it is refused (a guard against cycles).
const MAX_DEPTH: usize = 64;

/// Reads a JS value as JSON data: objects (own enumerable keys; members that are
/// `undefined` are left out, so `undefined` always means "not given"), arrays, strings,
/// finite numbers (safe integers stay integers), booleans and `null`; a `Date` becomes its
/// epoch milliseconds. Anything else (functions, symbols, BigInts, NaN, cycles) is an
/// `INVALID_ARGUMENT` error naming `field`. A top-level `undefined` reads as `null`.
pub fn from_js(field: &str, value: &JsValue) -> Result<Value, JsValue> {
    read(field, value, 0)
}

fn read(field: &str, value: &JsValue, depth: usize) -> Result<Value, JsValue> {
    if depth > MAX_DEPTH {
        return Err(invalid(field, value, "nested too deeply (a cycle?)"));
    }
    if value.is_null() || value.is_undefined() {
        return Ok(Value::Null);
    }
    if let Some(b) = value.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Some(n) = value.as_f64() {
        return number(field, value, n);
    }
    if let Some(s) = value.as_string() {
        return Ok(Value::String(s));
    }
    if let Some(date) = value.dyn_ref::<js_sys::Date>() {
        return number(field, value, date.get_time());
    }
    if Array::is_array(value) {
        let array: &Array = value.unchecked_ref();
        let mut out = Vec::with_capacity(array.length() as usize);
        for (i, item) in array.iter().enumerate() {
            out.push(read(&format!("{field}[{i}]"), &item, depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    if value.is_object() && !value.is_function() {
        let mut out = Map::new();
        let object: &Object = value.unchecked_ref();
        for key in Object::keys(object).iter() {
            let Some(name) = key.as_string() else { continue };
            let member = Reflect::get(value, &key).map_err(|_| invalid(&name, value, "cannot be read"))?;
            if member.is_undefined() {
                continue;
            }
            out.insert(name.clone(), read(&name, &member, depth + 1)?);
        }
        return Ok(Value::Object(out));
    }
    Err(invalid(field, value, "not JSON data (a function, symbol or BigInt)"))
}

/// A JS string argument, or `None` for `undefined`/`null`; anything else is an
/// `INVALID_ARGUMENT` naming `field` (wasm-bindgen's `&str` parameters do no such check and
/// trap on a non-string, so every exported string parameter goes through here).
pub fn optional_string(field: &str, value: &JsValue) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value.as_string().map(Some).ok_or_else(|| invalid(field, value, "expected a string"))
}

/// A JS string argument that must be present (see [`optional_string`]).
pub fn required_string(field: &str, value: &JsValue) -> Result<String, JsValue> {
    optional_string(field, value)?.ok_or_else(|| invalid(field, value, "expected a string"))
}

fn number(field: &str, value: &JsValue, n: f64) -> Result<Value, JsValue> {
    if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
        return Ok(Value::from(n as i64));
    }
    serde_json::Number::from_f64(n).map(Value::Number).ok_or_else(|| invalid(field, value, "not a finite number"))
}

/// Converts a JSON value to a plain JS value (objects, not `Map`s): written as JSON text
/// here and parsed by the engine's `JSON.parse` — one boundary crossing instead of one per
/// property.
pub fn to_js_value(value: &Value) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(&crate::json_text::to_json_text(value))
}

/// A JSON object of these members, in this order of insertion (keys sort as in any map).
pub fn object(members: Vec<(&str, Value)>) -> Value {
    // Inserted one by one: collecting into a map sorts, which links a sort routine.
    let mut map = Map::new();
    for (k, v) in members {
        map.insert(k.to_string(), v);
    }
    Value::Object(map)
}

fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

fn ms(t: Timestamp) -> Value {
    Value::from(t.as_millis_f64())
}

fn opt_ms(t: Option<Timestamp>) -> Value {
    t.map(ms).unwrap_or(Value::Null)
}

fn run_times(times: &RunTimes) -> Value {
    match times {
        RunTimes::List(list) => Value::Array(list.iter().copied().map(ms).collect()),
        RunTimes::Span { first, last } => object(vec![("first", ms(*first)), ("last", ms(*last))]),
    }
}

/// A job as JS sees it: `{ id, name, func, args, kwargs, trigger, triggerText, executor,
/// jobstore, misfireGraceTime, coalesce, maxInstances, nextRunTime, pending }`.
pub fn job(job: &Job) -> Value {
    object(vec![
        ("id", text(&job.id)),
        ("name", text(&job.name)),
        ("func", text(&job.func)),
        ("args", (*job.args).clone()),
        ("kwargs", (*job.kwargs).clone()),
        ("trigger", job.trigger.to_spec().to_json()),
        ("triggerText", Value::from(job.trigger.to_string())),
        ("executor", text(&job.executor)),
        ("jobstore", Value::from(job.jobstore.as_deref())),
        ("misfireGraceTime", Value::from(job.misfire_grace_time)),
        ("coalesce", Value::from(job.coalesce)),
        ("maxInstances", Value::from(job.max_instances)),
        ("nextRunTime", opt_ms(job.next_run_time)),
        ("pending", Value::from(job.is_pending())),
    ])
}

/// A due run: `{ id, jobId, jobstore, executor, func, args, kwargs, runTimes, runAt }`;
/// `runTimes` is a list of times, or `{ first, last }` for a long backlog.
pub fn run(run: &Run) -> Value {
    object(vec![
        ("id", Value::from(run.id.0)),
        ("jobId", text(&run.job_id)),
        ("jobstore", text(&run.jobstore)),
        ("executor", text(&run.executor)),
        ("func", text(&run.func)),
        ("args", (*run.args).clone()),
        ("kwargs", (*run.kwargs).clone()),
        ("runTimes", run_times(&run.run_times)),
        ("runAt", ms(run.run_at)),
    ])
}

/// `{ execute: t }` or `{ missed: t }`.
pub fn run_start(start: RunStart) -> Value {
    match start {
        RunStart::Execute(t) => object(vec![("action", Value::from("execute")), ("scheduledRunTime", ms(t))]),
        RunStart::Missed(t) => object(vec![("action", Value::from("missed")), ("scheduledRunTime", ms(t))]),
    }
}

/// An event: `{ code, name, alias?, jobId?, jobstore?, scheduledRunTimes?,
/// scheduledRunTime?, retval?, exception?, traceback? }` (absent fields left out).
pub fn event(e: &Event) -> Value {
    let mut m = Map::new();
    m.insert("code".into(), Value::from(e.code.value()));
    m.insert("name".into(), Value::from(e.code.name()));
    if let Some(alias) = &e.alias {
        m.insert("alias".into(), text(alias));
    }
    if let Some(id) = &e.job_id {
        m.insert("jobId".into(), text(id));
        m.insert("jobstore".into(), Value::from(e.jobstore.as_deref()));
    }
    if let Some(times) = &e.scheduled_run_times {
        m.insert("scheduledRunTimes".into(), run_times(times));
    }
    if let Some(t) = e.scheduled_run_time {
        m.insert("scheduledRunTime".into(), ms(t));
    }
    if let Some(v) = &e.retval {
        m.insert("retval".into(), v.clone());
    }
    if let Some(x) = &e.exception {
        m.insert("exception".into(), text(x));
    }
    if let Some(tb) = &e.traceback {
        m.insert("traceback".into(), text(tb));
    }
    Value::Object(m)
}

/// A store operation: `{ op: 'put', jobstore, record }`, `{ op: 'remove', jobstore, jobId }`
/// or `{ op: 'clear', jobstore }`.
pub fn store_op(op: &StoreOp) -> Value {
    match op {
        StoreOp::Put { jobstore, record } => object(vec![("op", Value::from("put")), ("jobstore", text(jobstore)), ("jobId", text(&record.id)), ("record", record.to_json())]),
        StoreOp::Remove { jobstore, job_id } => object(vec![("op", Value::from("remove")), ("jobstore", text(jobstore)), ("jobId", text(job_id))]),
        StoreOp::Clear { jobstore } => object(vec![("op", Value::from("clear")), ("jobstore", text(jobstore))]),
    }
}
