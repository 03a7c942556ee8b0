//! The shared-store bindings of `SchedulerCore` (`setStoreLeading`, `replaceJobs`,
//! `applyRecord`, `jobRecord`) through the wasm boundary: what crosses, and the coded errors.

use js_sys::{Array, Reflect, JSON};
use tickwerk::wasm::scheduler::SchedulerCore;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

const T0: f64 = 1_767_225_600_000.0; // 2026-01-01T00:00:00Z

fn js(text: &str) -> JsValue {
    JSON::parse(text).expect("test JSON is valid")
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn text(v: &JsValue) -> String {
    JSON::stringify(v).ok().and_then(|s| s.as_string()).unwrap_or_default()
}

fn n(x: f64) -> JsValue {
    JsValue::from_f64(x)
}

fn s(x: &str) -> JsValue {
    JsValue::from_str(x)
}

fn code(err: &JsValue) -> String {
    get(err, "code").as_string().unwrap_or_default()
}

/// A started core with the persistent store `db`.
fn started() -> SchedulerCore {
    let mut core = SchedulerCore::new(&js(r#"{"timezone":"UTC","jobstores":{"db":{"type":"indexeddb"}}}"#)).expect("valid options");
    core.start(&n(T0), &JsValue::FALSE).expect("started");
    core.drain_output().expect("output");
    core
}

/// The record a core writes for job `id` (every minute from T0) in store `db`.
fn record(id: &str) -> JsValue {
    let mut src = started();
    let options = format!(r#"{{"func":"f","id":"{id}","jobstore":"db","trigger":{{"type":"interval","minutes":1,"start_date":"2026-01-01 00:00:00"}}}}"#);
    src.add_job(&js(&options), &n(T0), &JsValue::UNDEFINED).expect("added");
    let ops = Array::from(&outputs(&mut src, "storeOps"));
    get(&ops.get(0), "record")
}

/// The items of kind `kind` (`run`, `event`; `storeOps`: their ops, flattened) of every
/// output queued (`drainOutput`); the other kinds are dropped.
fn outputs(core: &mut SchedulerCore, kind: &str) -> JsValue {
    let out = Array::new();
    for item in Array::from(&core.drain_output().expect("output")).iter() {
        if get(&item, "kind").as_string().as_deref() != Some(kind) {
            continue;
        }
        match kind {
            "storeOps" => Array::from(&get(&item, "ops")).iter().for_each(|op| {
                out.push(&op);
            }),
            _ => {
                out.push(&get(&item, kind));
            }
        }
    }
    out.into()
}

fn names(events: JsValue) -> Vec<String> {
    Array::from(&events).iter().map(|e| get(&e, "name").as_string().unwrap_or_default()).collect()
}

fn job_ids(core: &SchedulerCore) -> Vec<String> {
    Array::from(&core.get_jobs(&s("db")).expect("jobs")).iter().map(|j| get(&j, "id").as_string().unwrap_or_default()).collect()
}

#[wasm_bindgen_test]
fn a_following_store_is_never_due_until_it_leads_again() {
    let mut core = started();
    core.apply_record(&s("db"), &record("a"), &n(T0)).expect("applied");
    assert_eq!(core.next_wakeup(), Some(T0));
    core.set_store_leading(&s("db"), &JsValue::FALSE).expect("following");
    assert_eq!(core.next_wakeup(), None);
    core.tick(&n(T0 + 600_000.0)).expect("tick");
    assert_eq!(Array::from(&outputs(&mut core, "run")).length(), 0);
    assert_eq!(job_ids(&core), ["a"], "the mirror is listed");
    core.set_store_leading(&s("db"), &JsValue::TRUE).expect("leading");
    assert_eq!(core.next_wakeup(), Some(T0));
    core.tick(&n(T0 + 150_000.0)).expect("tick");
    let runs = Array::from(&outputs(&mut core, "run"));
    assert_eq!(runs.length(), 1);
    // The default job options coalesce: one run time, the last one due.
    assert_eq!(text(&get(&runs.get(0), "runTimes")), format!("[{}]", T0 + 120_000.0));
    let err = core.set_store_leading(&s("nope"), &JsValue::TRUE).err().expect("unknown store");
    assert_eq!(code(&err), "UNKNOWN_ALIAS");
    assert_eq!(get(&err, "field").as_string().as_deref(), Some("jobstore"));
}

#[wasm_bindgen_test]
fn replace_jobs_reloads_silently_and_reports_problems_like_load_jobs() {
    let mut core = started();
    core.apply_record(&s("db"), &record("old"), &n(T0)).expect("applied");
    core.drain_output().expect("output");
    let records = Array::of4(&record("new"), &n(7.0), &record("new"), &js(r#"{"version":1,"id":"bad"}"#));
    let problems = Array::from(&core.replace_jobs(&s("db"), &records, &n(T0)).expect("replaced"));
    let list: Vec<(f64, String, Option<String>)> = problems
        .iter()
        .map(|p| (get(&p, "index").as_f64().unwrap_or(-1.0), code(&p), get(&p, "id").as_string()))
        .collect();
    // No id is made up for the record without one (index 1): `id` is absent.
    assert_eq!(
        list,
        [(1.0, "CORRUPT_RECORD".into(), None), (2.0, "CONFLICTING_ID".into(), Some("new".into())), (3.0, "CORRUPT_RECORD".into(), Some("bad".into()))]
    );
    assert!(get(&problems.get(1), "message").as_string().unwrap_or_default().contains("already exists"));
    assert_eq!(job_ids(&core), ["new"]);
    assert_eq!(Array::from(&core.drain_output().expect("output")).length(), 0, "no events, no store ops");
    // Same shape as loadJobs: the same list for the same records into a fresh store.
    let mut fresh = started();
    let again = fresh.load_jobs(&s("db"), &records, &n(T0)).expect("loaded");
    assert_eq!(text(&again), text(&problems.into()));
    let err = core.replace_jobs(&s("nope"), &Array::new(), &n(T0)).err().expect("unknown store");
    assert_eq!(code(&err), "UNKNOWN_ALIAS");
}

#[wasm_bindgen_test]
fn apply_record_adds_or_modifies_with_a_put_that_job_record_returns() {
    let mut core = started();
    let rec = record("j");
    core.apply_record(&s("db"), &rec, &n(T0)).expect("added");
    // In order: the store batch with the put, then the event.
    let out = Array::from(&core.drain_output().expect("output"));
    let kinds: Vec<String> = out.iter().map(|o| get(&o, "kind").as_string().unwrap_or_default()).collect();
    assert_eq!(kinds, ["storeOps", "event"]);
    assert_eq!(get(&out.get(0), "jobstore").as_string().as_deref(), Some("db"));
    assert_eq!(get(&get(&out.get(1), "event"), "name").as_string().as_deref(), Some("EVENT_JOB_ADDED"));
    let ops = Array::from(&get(&out.get(0), "ops"));
    assert_eq!(ops.length(), 1);
    assert_eq!(get(&ops.get(0), "op").as_string().as_deref(), Some("put"));
    let stored = core.job_record(&s("db"), &s("j")).expect("jobRecord");
    assert_eq!(text(&get(&ops.get(0), "record")), text(&stored), "the put carries jobRecord's record");
    assert_eq!(text(&stored), text(&rec), "and it round-trips");

    Reflect::set(&rec, &"name".into(), &"renamed".into()).expect("set");
    Reflect::set(&rec, &"next_run_time".into(), &JsValue::NULL).expect("set");
    core.apply_record(&s("db"), &rec, &n(T0)).expect("modified");
    assert_eq!(names(outputs(&mut core, "event")), ["EVENT_JOB_MODIFIED"]);
    let job = core.get_job(&s("j"), &JsValue::UNDEFINED).expect("getJob");
    assert_eq!(get(&job, "name").as_string().as_deref(), Some("renamed"));
    assert!(get(&job, "nextRunTime").is_null(), "paused, as the record says");
    assert!(core.job_record(&s("db"), &s("nope")).expect("jobRecord").is_undefined());
    assert!(core.job_record(&s("nope"), &s("j")).expect("jobRecord").is_undefined());

    Reflect::set(&rec, &"coalesce".into(), &"yes".into()).expect("set");
    let err = core.apply_record(&s("db"), &rec, &n(T0)).err().expect("corrupt");
    assert_eq!(code(&err), "CORRUPT_RECORD");
    let message = get(&err, "message").as_string().unwrap_or_default();
    assert!(message.contains("field `coalesce`: expected a boolean, got a string"), "{message}");
    let mut other = SchedulerCore::new(&js(r#"{"jobstores":{"db":{"type":"indexeddb"},"mem":{"type":"memory"}}}"#)).expect("valid");
    other.start(&n(T0), &JsValue::FALSE).expect("started");
    other.add_job(&js(r#"{"func":"f","id":"j","jobstore":"mem"}"#), &n(T0), &JsValue::UNDEFINED).expect("added");
    let err = other.apply_record(&s("db"), &record("j"), &n(T0)).err().expect("taken by another store");
    assert_eq!(code(&err), "CONFLICTING_ID");
    assert_eq!(Array::from(&core.drain_output().expect("output")).length(), 0);
}
