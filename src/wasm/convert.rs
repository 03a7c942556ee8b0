//! JS values ↔ JSON values, and the plain objects the scheduler binding hands out.
//!
//! Output objects are built as `serde_json::Value`s (times as epoch milliseconds, keys in
//! camelCase) and converted once to plain JS objects.

use js_sys::{JsString, Reflect};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error::{invalid, unreadable};
use crate::scheduler::{Event, Job, Output, Run, RunStart, RunTimes, StoreOp};
use crate::Timestamp;

/// How deep JS data may nest before it is refused (a guard against cycles).
const MAX_DEPTH: usize = 64;

/// The most elements an array (or keys an object) may have. Checked before anything is
/// allocated, so `new Array(2 ** 32 - 1)` is refused at once.
pub const MAX_ARRAY_LEN: u32 = 100_000;

/// The most values one [`from_js`] call reads (every array element, object member and the
/// value itself count one).
pub const MAX_VALUES: u32 = 1_000_000;

/// The longest string accepted, in UTF-16 code units (JS `length`): 1 Mi. Also the bound on
/// object keys and on every string parameter. Checked before the text is copied into wasm.
pub const MAX_STRING_LEN: u32 = 1 << 20;

/// The most string characters (UTF-16 code units, keys included) one [`from_js`] call reads:
/// 16 Mi, at most 48 MiB of UTF-8 in wasm memory.
pub const MAX_TEXT_LEN: u32 = 1 << 24;

// The messages name the limits as literals (no number formatting linked for them); these
// keep the literals and the limits equal.
const _: () = assert!(MAX_ARRAY_LEN == 100_000 && MAX_VALUES == 1_000_000);
const _: () = assert!(MAX_STRING_LEN == 1_048_576 && MAX_TEXT_LEN == 16_777_216);
const TOO_MANY_ELEMENTS: &str = "too many elements (at most 100000)";
const TOO_MANY_KEYS: &str = "too many keys (at most 100000)";
const TOO_MUCH_DATA: &str = "too much data (more than 1000000 values in one call)";
const TOO_MUCH_TEXT: &str = "too much text (more than 16777216 characters in one call)";

// Imports that return a thrown JS exception instead of letting it unwind through wasm (an
// exception unwinding through a `&mut self` export would leave the object borrowed for
// good). js-sys declares `Object.keys` and `Array.isArray` without `catch`; both throw for a
// revoked Proxy and run user traps. (`dyn_ref::<Date>` is safe: the glue wraps `instanceof`
// in try/catch and answers `false` when it throws.)
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(value: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
    /// `Date.prototype.getTime.call(value)`: throws (caught) unless `value` is a real Date.
    #[wasm_bindgen(catch, js_namespace = ["Date", "prototype", "getTime"], js_name = call)]
    fn date_time(value: &JsValue) -> Result<f64, JsValue>;
}

/// Reads a JS value as JSON data: objects (own enumerable keys; members that are
/// `undefined` are left out, so `undefined` always means "not given"), arrays, strings,
/// finite numbers (safe integers stay integers), booleans and `null`; a `Date` becomes its
/// epoch milliseconds. Anything else (functions, symbols, BigInts, NaN, cycles), a value
/// that throws when read (a revoked Proxy, a throwing getter or trap) and data beyond the
/// limits ([`MAX_ARRAY_LEN`], [`MAX_VALUES`], [`MAX_STRING_LEN`], [`MAX_TEXT_LEN`], 64 levels)
/// is an `INVALID_ARGUMENT` error naming the path of the value from `field`
/// (`job.args[2].x`). A top-level `undefined` reads as `null`.
///
/// Every call into JS made here catches what it throws: no JS exception unwinds through wasm.
pub fn from_js(field: &str, value: &JsValue) -> Result<Value, JsValue> {
    Reader { values: MAX_VALUES, text: MAX_TEXT_LEN }.read(&Path::Root(field), value, 0)
}

/// Where a value sits in the data being read; rendered only for an error message.
enum Path<'a> {
    Root(&'a str),
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, u32),
}

impl Path<'_> {
    /// `options`, `options.hour`, `job.args[2].x` (long keys shortened).
    fn text(&self) -> String {
        match self {
            Path::Root(field) => field.to_string(),
            Path::Key(parent, key) => format!("{}.{}", parent.text(), crate::message_text::shortened(key)),
            Path::Index(parent, i) => format!("{}[{i}]", parent.text()),
        }
    }
}

/// The `length` of an array (or of an object's key list), refused above [`MAX_ARRAY_LEN`]
/// before anything is allocated for it; `reason` is the message then ([`TOO_MANY_ELEMENTS`]
/// or [`TOO_MANY_KEYS`]).
fn length(path: &Path, value: &JsValue, reason: &str) -> Result<u32, JsValue> {
    let len = Reflect::get(value, &"length".into()).map_err(|e| unreadable_at(path, value, e))?;
    match len.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= f64::from(MAX_ARRAY_LEN) => Ok(n as u32),
        // (Only a Proxy can claim a length that is not a whole number.)
        _ => Err(invalid_at(path, &len, reason)),
    }
}

/// [`invalid`] for the value at `path` (the path is rendered only here).
#[inline(never)]
fn invalid_at(path: &Path, value: &JsValue, reason: &str) -> JsValue {
    invalid(&path.text(), value, reason)
}

/// [`unreadable`] for the value at `path`.
#[inline(never)]
fn unreadable_at(path: &Path, value: &JsValue, exception: JsValue) -> JsValue {
    unreadable(&path.text(), value, &exception)
}

/// The error for a read past [`MAX_VALUES`].
fn too_much(path: &Path, value: &JsValue) -> JsValue {
    invalid_at(path, value, TOO_MUCH_DATA)
}

/// What one read may still take: values and string characters.
struct Reader {
    values: u32,
    text: u32,
}

impl Reader {
    fn read(&mut self, path: &Path, value: &JsValue, depth: usize) -> Result<Value, JsValue> {
        if depth > MAX_DEPTH {
            return Err(invalid_at(path, value, "nested too deeply (a cycle?)"));
        }
        self.values = self.values.checked_sub(1).ok_or_else(|| too_much(path, value))?;
        if value.is_null() || value.is_undefined() {
            return Ok(Value::Null);
        }
        if let Some(b) = value.as_bool() {
            return Ok(Value::Bool(b));
        }
        if let Some(n) = value.as_f64() {
            return number(path, value, n);
        }
        if value.is_string() {
            return self.string(path, value).map(Value::String);
        }
        if !value.is_object() {
            return Err(invalid_at(path, value, "not JSON data (a function, symbol or BigInt)"));
        }
        if value.dyn_ref::<js_sys::Date>().is_some() {
            let ms = date_time(value).map_err(|e| unreadable_at(path, value, e))?;
            return number(path, value, ms);
        }
        if is_array(value).map_err(|e| unreadable_at(path, value, e))? {
            let len = self.length(path, value, TOO_MANY_ELEMENTS)?;
            let mut out = Vec::with_capacity(len as usize);
            for i in 0..len {
                let at = Path::Index(path, i);
                let item = Reflect::get_u32(value, i).map_err(|e| unreadable_at(&at, &JsValue::UNDEFINED, e))?;
                out.push(self.read(&at, &item, depth + 1)?);
            }
            return Ok(Value::Array(out));
        }
        let keys = object_keys(value).map_err(|e| unreadable_at(path, value, e))?;
        let len = self.length(path, &keys, TOO_MANY_KEYS)?;
        let mut out = Map::new();
        for i in 0..len {
            let key = Reflect::get_u32(&keys, i).map_err(|e| unreadable_at(path, value, e))?;
            if !key.is_string() {
                continue;
            }
            let name = self.string(path, &key)?;
            let at = Path::Key(path, &name);
            let member = Reflect::get(value, &key).map_err(|e| unreadable_at(&at, &JsValue::UNDEFINED, e))?;
            if member.is_undefined() {
                continue;
            }
            let member = self.read(&at, &member, depth + 1)?;
            out.insert(name, member);
        }
        Ok(Value::Object(out))
    }

    /// The [`length`] of a container, refused when its items would exceed the values left
    /// (each item takes one value when it is read).
    fn length(&self, path: &Path, value: &JsValue, reason: &str) -> Result<u32, JsValue> {
        let len = length(path, value, reason)?;
        if len > self.values {
            return Err(too_much(path, value));
        }
        Ok(len)
    }

    /// The text of a JS string, refused above [`MAX_STRING_LEN`] or the text left, before
    /// it is copied.
    fn string(&mut self, path: &Path, value: &JsValue) -> Result<String, JsValue> {
        let len = value.unchecked_ref::<JsString>().length();
        if len > MAX_STRING_LEN {
            return Err(invalid_at(path, value, "longer than 1048576 characters"));
        }
        self.text = self.text.checked_sub(len).ok_or_else(|| invalid_at(path, value, TOO_MUCH_TEXT))?;
        Ok(value.as_string().unwrap_or_default())
    }
}

/// A JS string argument, or `None` for `undefined`/`null`; anything else is an
/// `INVALID_ARGUMENT` naming `field` (wasm-bindgen's `&str` parameters do no such check and
/// trap on a non-string, so every exported string parameter goes through here). A string
/// longer than [`MAX_STRING_LEN`] is refused before it is copied.
pub fn optional_string(field: &str, value: &JsValue) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if !value.is_string() {
        return Err(invalid(field, value, "expected a string"));
    }
    Reader { values: 1, text: MAX_STRING_LEN }.string(&Path::Root(field), value).map(Some)
}

/// A JS string argument that must be present (see [`optional_string`]).
pub fn required_string(field: &str, value: &JsValue) -> Result<String, JsValue> {
    optional_string(field, value)?.ok_or_else(|| invalid(field, value, "expected a string"))
}

/// A JS number argument named `param` (its JS name: `nowMs`); anything but a number (a
/// BigInt, a string, `null`, an object) is an `INVALID_ARGUMENT`, never coerced.
pub fn number_arg(param: &str, value: &JsValue) -> Result<f64, JsValue> {
    value.as_f64().ok_or_else(|| invalid(param, value, "expected a number"))
}

/// A JS time argument named `param` (`nowMs`): epoch milliseconds, or a `Date` (its time, as
/// JS's conversion to a number gives it); anything else (a BigInt, a string, `null`, another
/// object) is an `INVALID_ARGUMENT`, never coerced.
pub fn time_arg(param: &str, value: &JsValue) -> Result<f64, JsValue> {
    if let Some(ms) = value.as_f64() {
        return Ok(ms);
    }
    if value.dyn_ref::<js_sys::Date>().is_some() {
        return date_time(value).map_err(|e| unreadable(param, value, &e));
    }
    Err(invalid(param, value, "expected epoch milliseconds or a Date"))
}

/// A JS boolean argument named `param`; anything else (`0`, `'false'`, `undefined`) is an
/// `INVALID_ARGUMENT`.
pub fn bool_arg(param: &str, value: &JsValue) -> Result<bool, JsValue> {
    value.as_bool().ok_or_else(|| invalid(param, value, "expected a boolean"))
}

/// A JS number argument named `param` that must be a whole number from `min` to `u32::MAX`
/// (`reason` says so in the error).
pub fn u32_arg(param: &str, value: &JsValue, min: u32, reason: &str) -> Result<u32, JsValue> {
    match number_arg(param, value)? {
        n if n.fract() == 0.0 && n >= f64::from(min) && n <= f64::from(u32::MAX) => Ok(n as u32),
        _ => Err(invalid(param, value, reason)),
    }
}

fn number(path: &Path, value: &JsValue, n: f64) -> Result<Value, JsValue> {
    if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
        return Ok(Value::from(n as i64));
    }
    serde_json::Number::from_f64(n).map(Value::Number).ok_or_else(|| invalid_at(path, value, "not a finite number"))
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
        ("runAt", ms(run.due_at)),
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
/// scheduledRunTime?, runId? }` (absent fields left out).
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
    if let Some(run) = e.run_id {
        m.insert("runId".into(), Value::from(run.0));
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

/// One output: `{ kind: 'storeOps', jobstore, ops }`, `{ kind: 'run', run }` or
/// `{ kind: 'event', event }`.
pub fn output(item: &Output) -> Value {
    match item {
        Output::StoreOps { jobstore, ops } => object(vec![
            ("kind", Value::from("storeOps")),
            ("jobstore", text(jobstore)),
            ("ops", Value::Array(ops.iter().map(store_op).collect())),
        ]),
        Output::Run(r) => object(vec![("kind", Value::from("run")), ("run", run(r))]),
        Output::Event(e) => object(vec![("kind", Value::from("event")), ("event", event(e))]),
    }
}
