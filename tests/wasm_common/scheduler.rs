//! `SchedulerCore` through the wasm boundary: one job driven through the whole run loop,
//! and arbitrary JS values thrown at every entry point (each must be refused with a coded
//! error, never trap).

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

/// A JS number.
fn n(x: f64) -> JsValue {
    JsValue::from_f64(x)
}

fn code(err: &JsValue) -> Option<String> {
    get(err, "code").as_string()
}

#[wasm_bindgen_test]
fn one_interval_job_through_the_run_loop() {
    let mut core = SchedulerCore::new(&js(r#"{"timezone":"UTC","jobDefaults":{"misfireGraceTime":null}}"#)).expect("valid options");
    let id = core
        .add_job(&js(r#"{"func":"report","id":"r","trigger":{"type":"interval","minutes":1,"start_date":"2026-01-01 00:01:00"}}"#), &n(T0), &JsValue::UNDEFINED)
        .expect("job added");
    assert_eq!(id, "r");
    core.start(&n(T0), &JsValue::FALSE).expect("started");
    assert_eq!(core.state(), "running");
    assert_eq!(core.next_wakeup(), Some(T0 + 60_000.0));

    core.drain_output().expect("the added events");
    core.tick(&n(T0 + 60_000.0)).expect("tick");
    let out: Array = core.drain_output().expect("output").into();
    let kinds: Vec<String> = out.iter().map(|o| get(&o, "kind").as_string().unwrap_or_default()).collect();
    assert_eq!(kinds, ["run", "event"], "a memory store: the run, then EVENT_JOB_SUBMITTED");
    let run = get(&out.get(0), "run");
    assert_eq!(get(&run, "jobId").as_string().as_deref(), Some("r"));
    let run_id = get(&run, "id").as_f64().expect("numeric run id");
    let start = core.start_run_time(&n(run_id), &n(T0 + 60_000.0)).expect("known run");
    assert_eq!(get(&start, "action").as_string().as_deref(), Some("execute"));
    let scheduled = get(&start, "scheduledRunTime").as_f64().expect("time");
    assert_eq!(scheduled, T0 + 60_000.0);
    core.run_succeeded(&n(run_id), &n(scheduled)).expect("reported");
    assert!(core.start_run_time(&n(run_id), &n(T0 + 60_000.0)).expect("known run").is_undefined());
    core.finish_run(&n(run_id)).expect("finished");
    assert_eq!(core.next_wakeup(), Some(T0 + 120_000.0));

    let out = js_sys::Array::from(&core.drain_output().expect("output"));
    assert!(js_sys::Array::from(&core.drain_output().expect("output")).length() == 0, "drained");
    assert_eq!(out.length(), 1);
    let executed = get(&out.get(0), "event");
    assert_eq!(get(&executed, "name").as_string().as_deref(), Some("EVENT_JOB_EXECUTED"));
    // The event names the run and time; the return value stays with the host.
    assert_eq!((get(&executed, "runId").as_f64(), get(&executed, "scheduledRunTime").as_f64()), (Some(run_id), Some(scheduled)));
    assert!(get(&executed, "retval").is_undefined());

    let err = core.add_job(&js(r#"{"func":"report","id":"r","trigger":{"type":"date","run_date":"2026-02-01"}}"#), &n(T0), &JsValue::UNDEFINED).err().expect("duplicate id");
    assert_eq!(code(&err).as_deref(), Some("CONFLICTING_ID"));
    let err = core.remove_job(&JsValue::from("nope"), &JsValue::UNDEFINED).err().expect("unknown id");
    assert_eq!(code(&err).as_deref(), Some("JOB_NOT_FOUND"));
}

#[wasm_bindgen_test]
fn no_js_value_reaches_a_panic_in_the_scheduler_binding() {
    let weird = [
        JsValue::UNDEFINED,
        JsValue::NULL,
        JsValue::from(-1.5),
        JsValue::from(f64::NAN),
        JsValue::from("x"),
        JsValue::from(true),
        js("[]"),
        js("{}"),
        js(r#"{"func":5}"#),
        js(r#"{"func":"f","trigger":{"type":"cron","hour":"99"}}"#),
        js(r#"{"func":"f","trigger":"cron"}"#),
        js(r#"{"func":"f","maxInstances":-3}"#),
        js(r#"{"func":"f","misfireGraceTime":0}"#),
        js(r#"{"func":"f","nextRunTime":"2026-13-01"}"#),
        js(r#"{"timezone":"Mars/Base"}"#),
        js(r#"{"jobstores":{"default":{"type":""}}}"#),
        js(r#"{"executors":{"default":{"type":"default","maxWorkers":-1}}}"#),
        js(r#"[{"id":"a"},{"v":99},null,7]"#),
        js_sys::Symbol::for_("s").into(),
    ];
    let times = [T0, f64::NAN, f64::INFINITY, -1e300, 1e300];
    let mut refused = 0;
    for v in &weird {
        if SchedulerCore::new(v).is_err() {
            refused += 1;
        }
    }
    let mut core = SchedulerCore::new(&js(r#"{"timezone":"UTC","jobstores":{"db":{"type":"indexeddb"}}}"#)).expect("valid options");
    for v in &weird {
        for &now in &times {
            let now = &n(now);
            let results = [
                core.add_job(v, now, &JsValue::UNDEFINED).map(|_| ()),
                core.add_job(&js(r#"{"func":"f"}"#), now, v).map(|_| ()),
                core.configure(v),
                core.modify_job(v, v, v, now, v),
                core.reschedule_job(&JsValue::from("a"), &JsValue::UNDEFINED, v, now),
                core.pause_job(v, v),
                core.resume_job(v, v, now).map(|_| ()),
                core.remove_job(v, v),
                core.get_job(v, v).map(|_| ()),
                core.load_jobs(&JsValue::from("db"), v, now).map(|_| ()),
                core.replace_jobs(&JsValue::from("db"), v, now).map(|_| ()),
                core.apply_record(&JsValue::from("db"), v, now),
                core.set_store_leading(v, v),
                core.job_record(v, v).map(|_| ()),
                core.add_jobstore(v, v),
                core.start_run_time(now, now).map(|_| ()),
                core.finish_run(now),
                core.run_failed(v, now),
                core.run_succeeded(now, v),
            ];
            for r in results {
                if let Err(e) = r {
                    assert!(code(&e).is_some(), "an error without a code: {e:?}");
                    refused += 1;
                }
            }
        }
        let _ = core.tick(&n(f64::NAN));
        let _ = core.start(&n(f64::NAN), &JsValue::FALSE);
    }
    assert!(refused > weird.len() * times.len() * 5, "only {refused} refusals");
}
