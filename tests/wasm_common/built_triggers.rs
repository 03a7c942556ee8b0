//! `SchedulerCore` takes a `WasmTrigger` itself (issue 11): `addJob(options, nowMs,
//! trigger)`, `rescheduleJob(jobId, jobstore, trigger, nowMs)` and `modifyJob(…, nowMs,
//! trigger)`, called through the JS glue as users call them. The job gets the trigger as
//! built (its zone, its resolved dates), the caller's object stays usable, and every value
//! that is not a live `WasmTrigger` of this module is an `INVALID_ARGUMENT` naming `trigger`
//! with the core left usable.

use js_sys::{Array, Function, Reflect, JSON};
use tickwerk::wasm::scheduler::SchedulerCore;
use tickwerk::wasm::trigger::WasmTrigger;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

const T0: f64 = 1_767_225_600_000.0; // 2026-01-01T00:00:00Z

fn js(text: &str) -> JsValue {
    JSON::parse(text).expect("test JSON is valid")
}

/// The value a JS function body returns (`arg` is its parameter `arg`).
fn make(body: &str, arg: &JsValue) -> JsValue {
    Function::new_with_args("arg", body).call1(&JsValue::UNDEFINED, arg).expect("test JS runs")
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn text(v: &JsValue, key: &str) -> String {
    get(v, key).as_string().unwrap_or_default()
}

/// `object[method](...args)` through the JS glue; what it throws is the `Err`.
fn call(object: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = get(object, method).unchecked_into();
    Reflect::apply(&f, object, &args.iter().collect::<Array>())
}

/// Asserts `result` is an `INVALID_ARGUMENT` naming `trigger`, and returns its message.
fn refused(result: Result<JsValue, JsValue>, what: &str) -> String {
    let err = result.err().unwrap_or_else(|| panic!("{what}: accepted"));
    let message = text(&err, "message");
    assert_eq!(text(&err, "code"), "INVALID_ARGUMENT", "{what}: {message}");
    assert_eq!(text(&err, "field"), "trigger", "{what}: {message}");
    message
}

/// A running `SchedulerCore` in UTC, as JS sees it, with a persistent store `db`.
fn core() -> JsValue {
    let mut core = SchedulerCore::new(&js(r#"{"timezone":"UTC","seed":3,"jobstores":{"db":{"type":"indexeddb"}}}"#)).expect("valid options");
    core.start(&T0.into(), &JsValue::FALSE).expect("starts");
    core.into()
}

/// A `WasmTrigger` as JS sees it: a cron trigger in Berlin, with jitter.
fn berlin_cron() -> JsValue {
    let spec = js(r#"{"type":"cron","hour":"9","minute":"30","timezone":"Europe/Berlin","jitter":60}"#);
    WasmTrigger::new(&spec, &"Asia/Tokyo".into(), &T0.into(), &1.into(), &2.into()).expect("valid cron").into()
}

fn job(core: &JsValue, id: &str) -> JsValue {
    call(core, "getJob", &[id.into(), JsValue::UNDEFINED]).expect("getJob")
}

fn stringify(v: &JsValue) -> String {
    JSON::stringify(v).ok().and_then(|s| s.as_string()).unwrap_or_default()
}

#[wasm_bindgen_test]
fn add_job_takes_the_trigger_as_built_and_leaves_it_usable() {
    let core = core();
    let trigger = berlin_cron();
    call(&core, "addJob", &[js(r#"{"func":"f","id":"a","jobstore":"db"}"#), T0.into(), trigger.clone()]).expect("added");
    call(&core, "addJob", &[js(r#"{"func":"f","id":"b"}"#), T0.into(), trigger.clone()]).expect("the same trigger again");
    let a = job(&core, "a");
    // Its own zone (not the scheduler's UTC) and jitter; 09:30 in Berlin is 08:30Z in winter.
    assert_eq!(stringify(&get(&a, "trigger")), stringify(&call(&trigger, "toSpec", &[]).expect("spec")));
    assert_eq!(get(&a, "nextRunTime").as_f64(), Some(T0 + 8.5 * 3_600_000.0));
    assert_eq!(text(&a, "text"), "f (trigger: cron[hour='9', minute='30'], next run at: 2026-01-01 09:30:00 CET)");
    let record = call(&core, "jobRecord", &["db".into(), "a".into()]).expect("a record");
    assert_eq!(text(&get(&record, "trigger"), "timezone"), "Europe/Berlin");
    // The caller's object is not consumed.
    assert_ne!(get(&trigger, "__wbg_ptr").as_f64(), Some(0.0));
    let next = call(&trigger, "nextFireTime", &[JsValue::UNDEFINED, T0.into()]).expect("still usable");
    assert_eq!(next.as_f64(), Some(T0 + 8.5 * 3_600_000.0));
}

#[wasm_bindgen_test]
fn reschedule_and_modify_take_a_built_trigger_too() {
    let core = core();
    call(&core, "addJob", &[js(r#"{"func":"f","id":"a","trigger":{"type":"interval","hours":1}}"#), T0.into()]).expect("added");
    let trigger = berlin_cron();
    call(&core, "rescheduleJob", &["a".into(), JsValue::UNDEFINED, trigger.clone(), (T0 + 1_000.0).into()]).expect("rescheduled");
    assert_eq!(get(&job(&core, "a"), "nextRunTime").as_f64(), Some(T0 + 8.5 * 3_600_000.0));
    // A spec still works there (aliases and stored records are JSON).
    call(&core, "rescheduleJob", &["a".into(), JsValue::UNDEFINED, js(r#"{"type":"interval","hours":2}"#), T0.into()]).expect("by spec");
    assert_eq!(get(&job(&core, "a"), "nextRunTime").as_f64(), Some(T0 + 7_200_000.0));
    // modifyJob keeps the next run time (APScheduler) and swaps the trigger.
    call(&core, "modifyJob", &["a".into(), JsValue::UNDEFINED, js(r#"{"name":"renamed"}"#), T0.into(), trigger.clone()]).expect("modified");
    let a = job(&core, "a");
    assert_eq!(text(&a, "triggerText"), "cron[hour='9', minute='30']");
    assert_eq!((text(&a, "name"), get(&a, "nextRunTime").as_f64()), ("renamed".into(), Some(T0 + 7_200_000.0)));
}

#[wasm_bindgen_test]
fn a_trigger_given_twice_is_refused() {
    let core = core();
    let message = refused(
        call(&core, "addJob", &[js(r#"{"func":"f","trigger":{"type":"interval","hours":1}}"#), T0.into(), berlin_cron()]),
        "addJob",
    );
    assert!(message.contains("given twice"), "{message}");
    call(&core, "addJob", &[js(r#"{"func":"f","id":"a"}"#), T0.into()]).expect("added");
    let changes = js(r#"{"trigger":{"type":"interval","hours":1}}"#);
    refused(call(&core, "modifyJob", &["a".into(), JsValue::UNDEFINED, changes, T0.into(), berlin_cron()]), "modifyJob");
    assert_eq!(get(&call(&core, "getJobs", &[JsValue::UNDEFINED]).expect("usable"), "length").as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
fn hostile_values_are_refused_and_the_core_stays_usable() {
    let core = core();
    let freed = berlin_cron();
    call(&freed, "free", &[]).expect("freed");
    let revoked = make("const p = Proxy.revocable({}, {}); p.revoke(); return p.proxy;", &JsValue::UNDEFINED);
    let proto = get(&get(&berlin_cron(), "constructor"), "prototype");
    let cases: Vec<(&str, JsValue)> = vec![
        ("a number", 7.into()),
        ("a string", "cron".into()),
        ("true", JsValue::TRUE),
        ("a symbol", js_sys::Symbol::for_("t").into()),
        ("a function", Function::new_no_args("return 1").into()),
        ("a spec", js(r#"{"type":"cron","hour":"3"}"#)),
        ("a plain object", js("{}")),
        ("a property of the handover's name", js(r#"{"__tickwerkHandover":true}"#)),
        ("a throwing getter", make("return { get __tickwerkHandover() { throw new TypeError('boom'); } };", &JsValue::UNDEFINED)),
        ("a revoked Proxy", revoked),
        ("a freed WasmTrigger", freed),
        ("an object made from WasmTrigger.prototype", make("return Object.create(arg);", &proto)),
        ("a getter calling back into the core", make("return { get __tickwerkHandover() { return arg.state; } };", &core)),
    ];
    // Job `x` exists, so a refusal below is the trigger's, not a missing job's.
    call(&core, "addJob", &[js(r#"{"func":"f","id":"x"}"#), T0.into(), berlin_cron()]).expect("job x");
    for (what, value) in cases {
        let message = refused(call(&core, "addJob", &[js(r#"{"func":"f"}"#), T0.into(), value.clone()]), what);
        assert!(message.starts_with("invalid trigger "), "{what}: {message}");
        refused(call(&core, "modifyJob", &["x".into(), JsValue::UNDEFINED, js("{}"), T0.into(), value.clone()]), what);
        // rescheduleJob's `trigger` is a spec when it is no WasmTrigger: a valid spec is
        // taken, anything else refused as a spec.
        let rescheduled = call(&core, "rescheduleJob", &["x".into(), JsValue::UNDEFINED, value, T0.into()]);
        if what == "a spec" {
            rescheduled.expect("a valid spec reschedules job x");
        } else {
            let err = rescheduled.err().expect("refused");
            assert_eq!(text(&err, "code"), "INVALID_ARGUMENT", "{what}: {err:?}");
        }
        assert_eq!(text(&core, "state"), "running", "{what}: the core is not left borrowed");
    }
    call(&core, "addJob", &[js(r#"{"func":"f","id":"ok"}"#), T0.into(), berlin_cron()]).expect("a valid add after the refusals");
}

#[wasm_bindgen_test]
fn a_freed_trigger_says_why_it_cannot_be_read() {
    let core = core();
    let freed = berlin_cron();
    call(&freed, "free", &[]).expect("freed");
    let message = refused(call(&core, "addJob", &[js(r#"{"func":"f"}"#), T0.into(), freed]), "freed");
    assert!(message.contains("cannot be read"), "{message}");
}

#[wasm_bindgen_test]
fn a_proxy_of_a_live_trigger_hands_over_that_trigger() {
    // What the handover getter answers for is a live trigger of this module: through a
    // Proxy the same trigger arrives (no other trigger can be substituted).
    let core = core();
    let proxy = make("return new Proxy(arg, {});", &berlin_cron());
    call(&core, "addJob", &[js(r#"{"func":"f","id":"p"}"#), T0.into(), proxy]).expect("added");
    assert_eq!(text(&job(&core, "p"), "triggerText"), "cron[hour='9', minute='30']");
}
