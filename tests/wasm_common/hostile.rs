//! Hostile JS values at every entry point, called through the generated JS glue (as users
//! call it): a revoked Proxy, throwing getters and traps, huge arrays and strings, and
//! parameters of the wrong type must each be an `INVALID_ARGUMENT` naming the value, and the
//! object must stay usable afterwards. (A JS exception unwinding through a `&mut self` export
//! used to leave the object borrowed: every later call threw "recursive use of an object
//! detected".)

use js_sys::{Array, Function, Reflect};
use tickwerk::wasm::scheduler::SchedulerCore;
use tickwerk::wasm::time::format_instant;
use tickwerk::wasm::trigger::WasmTrigger;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

const T0: f64 = 1_767_225_600_000.0; // 2026-01-01T00:00:00Z

/// The value a JS function body returns (`arg` is its parameter `arg`).
fn make(body: &str, arg: &JsValue) -> JsValue {
    Function::new_with_args("arg", body).call1(&JsValue::UNDEFINED, arg).expect("test JS runs")
}

fn build(body: &str) -> JsValue {
    make(body, &JsValue::UNDEFINED)
}

const REVOKED: &str = "const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy;";

fn revoked() -> JsValue {
    build(REVOKED)
}

fn get(v: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(v, &key.into())
}

fn text(v: &JsValue, key: &str) -> String {
    get(v, key).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

/// `object[method](...args)` through the JS glue; what it throws is the `Err`.
fn call(object: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = get(object, method).expect("method exists").unchecked_into();
    Reflect::apply(&f, object, &args.iter().collect::<Array>())
}

/// Asserts `result` is an `INVALID_ARGUMENT` naming `field`, and returns its message.
fn refused(result: Result<JsValue, JsValue>, field: &str) -> String {
    let err = result.err().unwrap_or_else(|| panic!("{field}: accepted"));
    let message = text(&err, "message");
    assert_eq!(text(&err, "code"), "INVALID_ARGUMENT", "{field}: {err:?}");
    assert_eq!(text(&err, "field"), field, "{message}");
    message
}

/// `new Class(...args)` through the JS glue, `Class` taken from an instance built in Rust.
fn construct(instance: JsValue, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let class: Function = get(&instance, "constructor").expect("a class").unchecked_into();
    Reflect::construct(&class, &args.iter().collect::<Array>())
}

/// `new SchedulerCore(options)` as JS calls it.
fn new_core(options: &JsValue) -> Result<JsValue, JsValue> {
    construct(SchedulerCore::new(&JsValue::UNDEFINED).expect("defaults").into(), std::slice::from_ref(options))
}

/// `new WasmTrigger(spec, 'UTC', nowMs, seedHigh, seedLow)` as JS calls it.
fn new_trigger(spec: &JsValue, now_ms: JsValue, seed_high: JsValue, seed_low: JsValue) -> Result<JsValue, JsValue> {
    let sample = WasmTrigger::new(&build("return { type: 'date' };"), &"UTC".into(), &T0.into(), &0.into(), &0.into());
    construct(sample.expect("a date trigger").into(), &[spec.clone(), "UTC".into(), now_ms, seed_high, seed_low])
}

fn trigger(spec: &JsValue) -> Result<JsValue, JsValue> {
    new_trigger(spec, T0.into(), 0.into(), 0.into())
}

/// A `SchedulerCore` as JS sees it, with a persistent store `db`.
fn core() -> JsValue {
    new_core(&build("return { timezone: 'UTC', jobstores: { db: { type: 'indexeddb' } } }")).expect("valid options")
}

/// The sentinel: the object answers `state` and `getJobs` (a borrowed object throws).
fn assert_usable(core: &JsValue) {
    assert_eq!(get(core, "state").ok().and_then(|s| s.as_string()).as_deref(), Some("stopped"));
    call(core, "getJobs", &[JsValue::UNDEFINED]).expect("getJobs after a refusal");
}

fn job(body: &str, arg: &JsValue) -> JsValue {
    make(&format!("return {{ func: 'f', {body} }};"), arg)
}

fn add_job(core: &JsValue, options: &JsValue) -> Result<JsValue, JsValue> {
    call(core, "addJob", &[options.clone(), T0.into()])
}

#[wasm_bindgen_test]
fn a_revoked_proxy_is_refused_as_a_whole_or_nested_and_the_object_stays_usable() {
    let message = refused(new_core(&revoked()), "options");
    assert!(message.starts_with("invalid options \"object\": cannot be read (TypeError: "), "{message}");
    let core = core();
    refused(call(&core, "configure", &[revoked()]), "options");
    assert_usable(&core);
    let cron = make("return { type: 'cron', hour: arg };", &revoked());
    refused(add_job(&core, &make("return { func: 'f', trigger: arg };", &cron)), "job.trigger.hour");
    assert_usable(&core);
    refused(call(&core, "modifyJob", &["x".into(), JsValue::UNDEFINED, revoked(), T0.into()]), "changes");
    refused(call(&core, "rescheduleJob", &["x".into(), JsValue::UNDEFINED, cron.clone(), T0.into()]), "trigger.hour");
    refused(call(&core, "loadJobs", &["db".into(), revoked(), T0.into()]), "records");
    refused(call(&core, "loadJobs", &["db".into(), make("return [arg];", &revoked()), T0.into()]), "records[0]");
    assert_usable(&core);
    add_job(&core, &job("id: 'ok'", &JsValue::UNDEFINED)).expect("a valid job after the refusals");
    refused(trigger(&cron), "trigger.hour");
    // A return value passed along (as older hosts did) is never read: the call reaches the
    // core (which knows no run 0).
    let err = call(&core, "runSucceeded", &[0.into(), T0.into(), revoked()]).err().expect("no run 0");
    assert!(!text(&err, "message").contains("cannot be read"), "{err:?}");
    assert_usable(&core);
}

#[wasm_bindgen_test]
fn throwing_getters_and_traps_name_the_full_path() {
    let core = core();
    let message = refused(add_job(&core, &job("trigger: { type: 'cron', get hour() { throw new TypeError('boom'); } }", &JsValue::UNDEFINED)), "job.trigger.hour");
    assert_eq!(message, r#"invalid job.trigger.hour "undefined": cannot be read (TypeError: boom)"#);
    assert_usable(&core);
    let keys = "return new Proxy({}, { ownKeys() { throw new Error('no keys'); } });";
    let message = refused(add_job(&core, &job("kwargs: arg", &build(keys))), "job.kwargs");
    assert!(message.ends_with("cannot be read (Error: no keys)"), "{message}");
    assert_usable(&core);
    let index = "const a = [0, 1, 2]; Object.defineProperty(a, 2, { get() { throw new RangeError('bad index'); } }); return a;";
    refused(add_job(&core, &job("args: arg", &build(index))), "job.args[2]");
    refused(add_job(&core, &job("args: [0, 1, { get x() { throw 1; } }]", &JsValue::UNDEFINED)), "job.args[2].x");
    let nested = "return { type: 'and', triggers: [{ type: 'cron' }, { type: 'cron' }, { type: 'cron' }, \
                  { type: 'cron', get minute() { throw new Error('deep'); } }] };";
    refused(trigger(&build(nested)), "trigger.triggers[3].minute");
    assert_usable(&core);
    // A Proxy posing as a Date (`instanceof Date` is true) is not one.
    let date = "return new Proxy({}, { getPrototypeOf() { return Date.prototype; } });";
    let message = refused(add_job(&core, &job("nextRunTime: arg", &build(date))), "job.nextRunTime");
    assert!(message.contains("cannot be read (TypeError: "), "{message}");
    // What was thrown has no text either (a revoked Proxy thrown): still a coded error.
    let thrown = make("return { get hour() { throw arg; } };", &revoked());
    let message = refused(trigger(&thrown), "trigger.hour");
    assert!(message.ends_with("cannot be read (an exception without text)"), "{message}");
    // A getter calling back into the object being read: refused, the object is not left borrowed.
    let reentrant = make("return { get timezone() { return arg.state; } };", &core);
    let message = refused(call(&core, "configure", &[reentrant]), "options.timezone");
    assert!(message.contains("cannot be read (Error: recursive use"), "{message}");
    assert_usable(&core);
    add_job(&core, &job("id: 'ok'", &JsValue::UNDEFINED)).expect("a valid job after the refusals");
}

#[wasm_bindgen_test]
fn huge_arrays_and_objects_are_refused_before_anything_is_allocated() {
    let core = core();
    let started = js_sys::Date::now();
    let message = refused(new_core(&build("return new Array(2 ** 27);")), "options");
    assert_eq!(message, r#"invalid options "134217728": too many elements (at most 100000)"#);
    refused(add_job(&core, &job("args: new Array(2 ** 32 - 1)", &JsValue::UNDEFINED)), "job.args");
    let liar = "return new Proxy([], { get(t, k) { return k === 'length' ? 2 ** 32 - 1 : t[k]; } });";
    refused(add_job(&core, &job("args: arg", &build(liar))), "job.args");
    let odd = "return new Proxy([], { get(t, k) { return k === 'length' ? 'many' : t[k]; } });";
    refused(add_job(&core, &job("args: arg", &build(odd))), "job.args");
    assert!(js_sys::Date::now() - started < 2_000.0, "refusing took {} ms", js_sys::Date::now() - started);
    assert_usable(&core);
    let keys = "const o = {}; for (let i = 0; i <= 100000; i++) o['k' + i] = i; return o;";
    let message = refused(add_job(&core, &job("kwargs: arg", &build(keys))), "job.kwargs");
    assert!(message.ends_with("too many keys (at most 100000)"), "{message}");
    // The same array eleven times over: refused before the million values are passed.
    let shared = "return new Array(11).fill(new Array(100000).fill(0));";
    let message = refused(add_job(&core, &job("args: arg", &build(shared))), "job.args[9]");
    assert!(message.ends_with("too much data (more than 1000000 values in one call)"), "{message}");
    let texts = "return new Array(17).fill('a'.repeat(2 ** 20));";
    let message = refused(add_job(&core, &job("args: arg", &build(texts))), "job.args[15]");
    assert!(message.ends_with("too much text (more than 16777216 characters in one call)"), "{message}");
    let deep = "let v = 0; for (let i = 0; i < 100; i++) v = [v]; return v;";
    // (The path, job.args and 64 × [0], is shortened to 64 characters as any field is.)
    let path: String = format!("job.args{}", "[0]".repeat(64)).chars().take(64).collect();
    let message = refused(add_job(&core, &job("args: arg", &build(deep))), &(path + "…"));
    assert!(message.ends_with("nested too deeply (a cycle?)"), "{message}");
    assert_usable(&core);
}

#[wasm_bindgen_test]
fn long_strings_give_short_messages() {
    let core = core();
    let a_million = build("return 'a'.repeat(1000000);");
    let err = add_job(&core, &job("trigger: { type: 'cron', hour: arg }", &a_million)).err().expect("refused");
    let message = text(&err, "message");
    assert_eq!(text(&err, "code"), "INVALID_ARGUMENT");
    assert!(message.len() < 400, "{} characters: {}", message.len(), &message[..400]);
    assert!(message.contains(&format!("\"{}…\" (1000000 characters)", "a".repeat(64))), "{message}");
    assert_eq!(text(&err, "value"), format!("{}…", "a".repeat(64)));
    // Over the 1 Mi limit: refused before the text is copied.
    let message = refused(add_job(&core, &job("args: [arg]", &build("return 'a'.repeat(2 ** 21);"))), "job.args[0]");
    assert_eq!(message, r#"invalid job.args[0] "string": longer than 1048576 characters"#);
    refused(call(&core, "removeJob", &[build("return 'a'.repeat(2 ** 21);"), JsValue::UNDEFINED]), "job_id");
    // A million-character key and a million-character id: both shortened.
    let err = add_job(&core, &make("return { func: 'f', trigger: { type: 'cron', [arg]: 1 } };", &a_million)).err().expect("unknown key");
    assert!(text(&err, "message").len() < 400 && text(&err, "field").chars().count() == 65, "{err:?}");
    let err = call(&core, "removeJob", &[a_million, JsValue::UNDEFINED]).err().expect("no such job");
    assert_eq!(text(&err, "code"), "JOB_NOT_FOUND");
    assert!(text(&err, "message").len() < 200, "{}", text(&err, "message").len());
    assert_usable(&core);
}

/// Values a number parameter (or with `boolean`, a boolean one) refuses; `null` and
/// `undefined` too unless it is `optional`.
fn wrong_types(optional: bool, boolean: bool) -> Vec<JsValue> {
    let other = if boolean { JsValue::from(0) } else { JsValue::TRUE };
    let mut values = vec![build("return 5n;"), js_sys::Symbol::for_("s").into(), "5".into(), build("return {};"), other];
    if !optional {
        values.push(JsValue::NULL);
        values.push(JsValue::UNDEFINED);
    }
    values
}

#[wasm_bindgen_test]
fn scheduler_core_number_and_boolean_parameters_refuse_other_types() {
    let core = core();
    let cases: Vec<(&str, Vec<JsValue>, usize, &str)> = vec![
        ("tick", vec![T0.into()], 0, "nowMs"),
        ("start", vec![T0.into(), JsValue::FALSE], 0, "nowMs"),
        ("start", vec![T0.into(), JsValue::FALSE], 1, "paused"),
        ("startRunTime", vec![0.into(), T0.into()], 0, "runId"),
        ("startRunTime", vec![0.into(), T0.into()], 1, "nowMs"),
        ("runSucceeded", vec![0.into(), T0.into()], 0, "runId"),
        ("runSucceeded", vec![0.into(), T0.into()], 1, "scheduledMs"),
        ("runFailed", vec![0.into(), T0.into()], 0, "runId"),
        ("runFailed", vec![0.into(), T0.into()], 1, "scheduledMs"),
        ("finishRun", vec![0.into()], 0, "runId"),
        ("loadJobs", vec!["db".into(), Array::new().into(), T0.into()], 2, "nowMs"),
        ("replaceJobs", vec!["db".into(), Array::new().into(), T0.into()], 2, "nowMs"),
        ("applyRecord", vec!["db".into(), build("return {};"), T0.into()], 2, "nowMs"),
        ("setStoreLeading", vec!["db".into(), JsValue::TRUE], 1, "leading"),
        ("addJob", vec![job("", &JsValue::UNDEFINED), T0.into()], 1, "nowMs"),
        ("modifyJob", vec!["x".into(), JsValue::UNDEFINED, build("return {};"), T0.into()], 3, "nowMs"),
        ("rescheduleJob", vec!["x".into(), JsValue::UNDEFINED, JsValue::UNDEFINED, T0.into()], 3, "nowMs"),
        ("resumeJob", vec!["x".into(), JsValue::UNDEFINED, T0.into()], 2, "nowMs"),
    ];
    for (method, args, at, name) in cases {
        for bad in wrong_types(false, name == "paused" || name == "leading") {
            let mut args = args.clone();
            args[at] = bad;
            refused(call(&core, method, &args), name);
            assert_usable(&core);
        }
    }
    // `tick(null)` is not epoch 0, `start('5', false)` not 5 ms.
    assert_eq!(refused(call(&core, "tick", &[JsValue::NULL]), "nowMs"), r#"invalid nowMs "null": expected epoch milliseconds or a Date"#);
    refused(call(&core, "start", &["5".into(), JsValue::FALSE]), "nowMs");
    // A Date is a time (as JS's number conversion read it); a Proxy posing as one is not.
    let date = build("return new Date(Date.UTC(2026, 0, 1));");
    call(&core, "addJob", &[job("id: 'dated'", &JsValue::UNDEFINED), date.clone()]).expect("a Date for nowMs");
    let fake = build("return new Proxy({}, { getPrototypeOf() { return Date.prototype; } });");
    assert!(refused(call(&core, "tick", &[fake]), "nowMs").contains("cannot be read (TypeError: "));
    refused(call(&core, "start", &[T0.into(), 0.into()]), "paused");
    assert_usable(&core);
}

#[wasm_bindgen_test]
fn max_workers_is_a_positive_integer_or_absent() {
    let core = core();
    let mut bad = wrong_types(true, false);
    bad.extend([(-1.0).into(), 0.into(), 1.5.into(), 2f64.powi(40).into(), f64::NAN.into(), f64::INFINITY.into()]);
    for value in bad {
        let message = refused(call(&core, "addExecutor", &["pool".into(), "default".into(), value]), "maxWorkers");
        assert!(message.ends_with("expected a number") || message.ends_with("must be an integer from 1 to 4294967295"), "{message}");
        assert_usable(&core);
    }
    for (alias, value) in [("a", JsValue::UNDEFINED), ("b", JsValue::NULL), ("c", 1.into()), ("d", 4_294_967_295u32.into())] {
        call(&core, "addExecutor", &[alias.into(), "default".into(), value]).expect("a valid maxWorkers");
    }
    call(&core, "addExecutor", &["e".into(), "default".into()]).expect("maxWorkers left out");
}

#[wasm_bindgen_test]
fn trigger_number_parameters_refuse_other_types() {
    let spec = build("return { type: 'interval', minutes: 1 };");
    for bad in wrong_types(false, false) {
        refused(new_trigger(&spec, bad.clone(), 0.into(), 0.into()), "nowMs");
        refused(new_trigger(&spec, T0.into(), bad.clone(), 0.into()), "seedHigh");
        refused(new_trigger(&spec, T0.into(), 0.into(), bad.clone()), "seedLow");
        refused(format_instant(&bad, &"UTC".into()).map(JsValue::from), "ms");
    }
    for seed in [-1.0, 0.5, 2f64.powi(32)] {
        refused(new_trigger(&spec, T0.into(), seed.into(), 0.into()), "seedHigh");
    }
    let t = trigger(&spec).expect("valid interval");
    for method in ["nextFireTime", "nextFire"] {
        for bad in wrong_types(false, false) {
            refused(call(&t, method, &[JsValue::UNDEFINED, bad]), "nowMs");
            call(&t, "nextFireTime", &[JsValue::UNDEFINED, T0.into()]).expect("the trigger still answers");
        }
        for bad in wrong_types(true, false) {
            refused(call(&t, method, &[bad, T0.into()]), "previousMs");
        }
        call(&t, method, &[JsValue::NULL, T0.into()]).expect("previousMs null = none");
        let date = build("return new Date(Date.UTC(2026, 0, 1));");
        call(&t, method, &[date.clone(), date]).expect("Dates for both times");
    }
}

#[wasm_bindgen_test]
fn shared_store_bindings_refuse_hostile_input_and_change_nothing() {
    let core = core();
    // A job in store `db`, to see that no refusal below touches it.
    let record = make(
        "return { version: 1, id: 'kept', name: 'f', func: 'f', args: [], kwargs: {}, \
         trigger: { type: 'interval', seconds: 60 }, executor: 'default', misfire_grace_time: 1, \
         coalesce: true, max_instances: 1, next_run_time: arg, run_at: arg };",
        &(T0 * 1000.0).into(),
    );
    let problems: Array = call(&core, "loadJobs", &["db".into(), Array::of1(&record).into(), T0.into()]).expect("loads").unchecked_into();
    assert_eq!(problems.length(), 0);
    let kept = |core: &JsValue| !call(core, "jobRecord", &["db".into(), "kept".into()]).expect("jobRecord").is_undefined();
    assert!(kept(&core));

    let started = js_sys::Date::now();
    for records in [revoked(), build("return new Array(2 ** 32 - 1);"), build("return {};"), "x".into(), JsValue::NULL] {
        refused(call(&core, "replaceJobs", &["db".into(), records, T0.into()]), "records");
        assert!(kept(&core), "a refused replaceJobs leaves the store as it was");
    }
    refused(call(&core, "replaceJobs", &["db".into(), make("return [{}, arg];", &revoked()), T0.into()]), "records[1]");
    let liar = "return new Proxy([], { get(t, k) { return k === 'length' ? 2 ** 32 - 1 : t[k]; } });";
    refused(call(&core, "replaceJobs", &["db".into(), build(liar), T0.into()]), "records");
    let shared = "return new Array(11).fill(new Array(100000).fill(0));";
    refused(call(&core, "replaceJobs", &["db".into(), build(shared), T0.into()]), "records[9]");
    refused(call(&core, "applyRecord", &["db".into(), revoked(), T0.into()]), "record");
    refused(call(&core, "applyRecord", &["db".into(), make("return { id: 'x', args: arg };", &build("return new Array(2 ** 32 - 1);")), T0.into()]), "record.args");
    refused(call(&core, "applyRecord", &["db".into(), build("return { get id() { throw new Error('no id'); } };"), T0.into()]), "record.id");
    assert!(js_sys::Date::now() - started < 2_000.0, "refusing took {} ms", js_sys::Date::now() - started);
    assert!(kept(&core));
    assert_usable(&core);

    // Parameters of the wrong type, and strings over the 1 Mi limit, name the parameter.
    let huge = build("return 'a'.repeat(2 ** 21);");
    for bad in [5.into(), js_sys::Symbol::for_("s").into(), JsValue::NULL, JsValue::UNDEFINED, build("return {};"), huge.clone()] {
        refused(call(&core, "replaceJobs", &[bad.clone(), Array::new().into(), T0.into()]), "alias");
        refused(call(&core, "applyRecord", &[bad.clone(), record.clone(), T0.into()]), "alias");
        refused(call(&core, "setStoreLeading", &[bad.clone(), JsValue::FALSE]), "alias");
        refused(call(&core, "jobRecord", &[bad.clone(), "kept".into()]), "alias");
        refused(call(&core, "jobRecord", &["db".into(), bad]), "job_id");
        assert_usable(&core);
    }
    for bad in [0.into(), "true".into(), JsValue::NULL, JsValue::UNDEFINED] {
        refused(call(&core, "setStoreLeading", &["db".into(), bad]), "leading");
    }
    assert!(kept(&core));
    assert_usable(&core);
}

/// `addJob` / `modifyJob` take one typed camelCase form (issue 11: the JS `Scheduler` reads
/// APScheduler's dialects once): snake_case keys, text booleans and text integers are each an
/// `INVALID_ARGUMENT` naming the field; hostile values stay coded errors; the typed form works
/// and the object stays usable.
#[wasm_bindgen_test]
fn add_and_modify_job_take_only_the_typed_camel_case_form() {
    let core = new_core(&build("return { timezone: 'UTC' };")).expect("a core");
    let add = |options: &str| call(&core, "addJob", &[build(&format!("return {options};")), T0.into()]);
    let base = "func: 'f', trigger: { type: 'interval', seconds: 5 }";
    for (extra, field, reason) in [
        ("max_instances: 2", "max_instances", "unknown job option"),
        ("misfire_grace_time: 30", "misfire_grace_time", "unknown job option"),
        ("replace_existing: true", "replace_existing", "unknown job option"),
        ("next_run_time: null", "next_run_time", "unknown job option"),
        ("coalesce: 'false'", "coalesce", "not a boolean"),
        ("coalesce: 0", "coalesce", "not a boolean"),
        ("replaceExisting: 'yes'", "replace_existing", "not a boolean"),
        ("maxInstances: '3'", "max_instances", "not an integer"),
        ("maxInstances: 2.5", "max_instances", "not an integer"),
        ("misfireGraceTime: '30'", "misfire_grace_time", "must be a whole number of seconds or null"),
    ] {
        let message = refused(add(&format!("{{ {base}, {extra} }}")), field);
        assert!(message.ends_with(reason), "{extra}: {message}");
    }
    // Hostile values: coded errors, never a trap.
    let hostile = make("return { func: 'f', maxInstances: arg };", &revoked());
    assert_eq!(text(&call(&core, "addJob", &[hostile, T0.into()]).unwrap_err(), "code"), "INVALID_ARGUMENT");
    let getter = build("return { func: 'f', get coalesce() { throw new Error('boom'); } };");
    assert_eq!(text(&call(&core, "addJob", &[getter, T0.into()]).unwrap_err(), "code"), "INVALID_ARGUMENT");
    // The typed form is taken, and the core is still usable after the refusals.
    let id = add(&format!("{{ {base}, id: 'j', coalesce: false, maxInstances: 3, misfireGraceTime: null, replaceExisting: true }}")).expect("typed form");
    assert_eq!(id.as_string().as_deref(), Some("j"));
    let modify = |changes: &str| call(&core, "modifyJob", &["j".into(), JsValue::UNDEFINED, build(&format!("return {changes};")), T0.into()]);
    for (changes, field, reason) in [
        ("{ max_instances: 2 }", "max_instances", "unknown job option"),
        ("{ next_run_time: null }", "next_run_time", "unknown job option"),
        ("{ coalesce: 'true' }", "coalesce", "not a boolean"),
        ("{ maxInstances: '2' }", "max_instances", "not an integer"),
        ("{ id: 'k' }", "id", "the job id may not be changed"),
    ] {
        let message = refused(modify(changes), field);
        assert!(message.ends_with(reason), "{changes}: {message}");
    }
    modify("{ coalesce: true, maxInstances: 2, misfireGraceTime: 5, name: 'renamed' }").expect("typed changes");
    let job = call(&core, "getJob", &["j".into()]).expect("a job");
    assert_eq!(get(&job, "maxInstances").expect("read").as_f64(), Some(2.0));
    assert_eq!(get(&job, "coalesce").expect("read").as_bool(), Some(true));
    assert_eq!(text(&job, "name"), "renamed");
}
