//! The wasm-bindgen-test cases of the bindings (`src/wasm/`), shared by
//! `tests/wasm_node.rs` (runs them in Node) and `tests/wasm_browser.rs` (in a browser).

// `.err().expect(…)`: the bindings' classes are not `Debug`, so `expect_err` is unavailable.
#![allow(clippy::err_expect)]

mod built_triggers;
mod hostile;
mod scheduler;
mod shared_stores;

use js_sys::{Function, Reflect, JSON};
use tickwerk::wasm::error::register_error_class;
use tickwerk::wasm::time::{format_instant, is_known_timezone, parse_date};
use tickwerk::wasm::trigger::WasmTrigger;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

const JAN_1_2026_MS: f64 = 1_767_225_600_000.0;

fn js(text: &str) -> JsValue {
    JSON::parse(text).expect("test JSON is valid")
}

fn trigger(spec: &str, zone: &str, now_ms: f64) -> Result<WasmTrigger, JsValue> {
    WasmTrigger::new(&js(spec), &JsValue::from(zone), &n(now_ms), &n(7.0), &n(11.0))
}

/// A JS number.
fn n(x: f64) -> JsValue {
    JsValue::from_f64(x)
}

/// A JS number, or `undefined`.
fn opt(x: Option<f64>) -> JsValue {
    x.map_or(JsValue::UNDEFINED, n)
}

/// The `code` property of a thrown value.
fn code(err: &JsValue) -> String {
    Reflect::get(err, &"code".into()).ok().and_then(|v| v.as_string()).unwrap_or_default()
}

fn prop(err: &JsValue, name: &str) -> Option<String> {
    Reflect::get(err, &name.into()).ok().and_then(|v| v.as_string())
}

#[wasm_bindgen_test]
fn interval_fire_times_cross_as_epoch_milliseconds() {
    let t = trigger(r#"{"type":"interval","minutes":2,"start_date":"2026-01-01 00:00:00","timezone":"UTC"}"#, "UTC", 0.0)
        .expect("valid interval");
    let first = t.next_fire_time(&opt(None), &n(JAN_1_2026_MS)).expect("ok").expect("a fire time");
    assert_eq!(first, JAN_1_2026_MS);
    let second = t.next_fire_time(&opt(Some(first)), &n(first)).expect("ok").expect("a fire time");
    assert_eq!(second, JAN_1_2026_MS + 120_000.0);
    assert_eq!(t.to_string_js(), "interval[0:02:00]");
    assert_eq!(t.timezone().as_deref(), Some("UTC"));
}

#[wasm_bindgen_test]
fn microseconds_survive_the_boundary() {
    let t = trigger(r#"{"type":"interval","seconds":1.5,"startDate":"2026-01-01T00:00:00.000250Z"}"#, "UTC", 0.0)
        .expect("valid interval");
    let first = t.next_fire_time(&opt(None), &n(JAN_1_2026_MS)).expect("ok").expect("a fire time");
    assert_eq!(first, JAN_1_2026_MS + 0.25);
    let next = t.next_fire_time(&opt(Some(first)), &n(first)).expect("ok").expect("a fire time");
    assert_eq!(next, JAN_1_2026_MS + 1500.25);
}

#[wasm_bindgen_test]
fn date_trigger_is_exhausted_after_one_fire_and_prints_like_apscheduler() {
    let t = trigger(r#"{"type":"date","run_date":"2026-05-01 09:30:00","timezone":"Europe/Berlin"}"#, "UTC", 0.0)
        .expect("valid date");
    let at = t.next_fire_time(&opt(None), &n(JAN_1_2026_MS)).expect("ok").expect("a fire time");
    assert_eq!(at, 1_777_620_600_000.0); // 07:30Z
    assert_eq!(t.next_fire_time(&opt(Some(at)), &n(at)).expect("ok"), None);
    assert_eq!(t.to_string_js(), "date[2026-05-01 09:30:00 CEST]");
}

#[wasm_bindgen_test]
fn jitter_run_at_stays_within_the_window() {
    let mut t = trigger(r#"{"type":"interval","seconds":10,"start_date":1767225600000,"jitter":3}"#, "UTC", 0.0)
        .expect("valid interval");
    let mut prev = None;
    for k in 0..20 {
        let time = t.next_fire(&opt(prev), &n(prev.unwrap_or(JAN_1_2026_MS))).expect("ok").expect("a fire time");
        assert_eq!(time, JAN_1_2026_MS + f64::from(k) * 10_000.0);
        let run_at = t.run_at().expect("run time drawn");
        assert!(run_at >= time && run_at <= time + 3_000.0, "{run_at} vs {time}");
        prev = Some(time);
    }
}

#[wasm_bindgen_test]
fn spec_round_trips_through_js_objects() {
    let t = trigger(r#"{"type":"or","triggers":[{"type":"date","run_date":"2026-06-01"},{"type":"interval","hours":1}]}"#, "Asia/Tokyo", JAN_1_2026_MS)
        .expect("valid or");
    let spec = t.to_spec().expect("serializable");
    let text = JSON::stringify(&spec).expect("plain object").as_string().unwrap_or_default();
    assert!(text.contains("\"type\":\"or\""), "{text}");
    assert!(text.contains("Asia/Tokyo"), "children get the default zone: {text}");
    let again = WasmTrigger::new(&spec, &JsValue::from("UTC"), &n(0.0), &n(1.0), &n(2.0)).expect("canonical spec builds");
    assert_eq!(again.to_string_js(), t.to_string_js());
    for k in 0..5 {
        let now = JAN_1_2026_MS + f64::from(k) * 1_000_000.0;
        assert_eq!(again.next_fire_time(&opt(None), &n(now)).expect("ok"), t.next_fire_time(&opt(None), &n(now)).expect("ok"));
    }
}

#[wasm_bindgen_test]
fn errors_carry_code_field_and_value() {
    let err = trigger(r#"{"type":"interval","minutes":"2"}"#, "UTC", 0.0).err().expect("rejected");
    assert_eq!(code(&err), "INVALID_ARGUMENT");
    assert_eq!(prop(&err, "field").as_deref(), Some("minutes"));
    assert!(err.is_instance_of::<js_sys::Error>());

    let err = trigger(r#"{"type":"date","run_date":"2026-01-01","timezone":"Mars/Base"}"#, "UTC", 0.0).err().expect("rejected");
    assert_eq!(code(&err), "UNKNOWN_TIMEZONE");
    assert_eq!(prop(&err, "value").as_deref(), Some("Mars/Base"));

    let err = trigger(r#"{"type":"date"}"#, "Nowhere/Else", 0.0).err().expect("bad default zone");
    assert_eq!(code(&err), "UNKNOWN_TIMEZONE");

    let err = WasmTrigger::new(&js(r#"{"type":"date"}"#), &JsValue::from(5), &n(0.0), &n(0.0), &n(0.0)).err().expect("zone not a string");
    assert_eq!(code(&err), "INVALID_ARGUMENT");
    assert_eq!(prop(&err, "field").as_deref(), Some("timezone"));

    let err = trigger(r#"{"type":"date"}"#, "UTC", f64::NAN).err().expect("NaN now");
    assert_eq!(prop(&err, "field").as_deref(), Some("now"));
    assert_eq!(prop(&err, "value").as_deref(), Some("NaN"));
    assert_eq!(prop(&err, "message").as_deref(), Some(r#"invalid now "NaN": not a finite number of milliseconds"#));

    let t = trigger(r#"{"type":"date","run_date":"2026-01-01"}"#, "UTC", 0.0).expect("valid");
    let err = t.next_fire_time(&opt(Some(f64::INFINITY)), &n(0.0)).err().expect("infinite previous");
    assert_eq!(prop(&err, "field").as_deref(), Some("previous"));
    assert_eq!(prop(&err, "value").as_deref(), Some("Infinity"));
    let err = t.next_fire_time(&opt(None), &n(1e300)).err().expect("now beyond year 9999");
    assert_eq!(code(&err), "INVALID_ARGUMENT");
    assert_eq!(prop(&err, "value").as_deref(), Some("1e+300"));

    // Numbers in messages: integers as integers, fractions shortest (JS values and JSON).
    let err = WasmTrigger::new(&js(r#"{"type":"date"}"#), &JsValue::from(5.25), &n(0.0), &n(0.0), &n(0.0)).err().expect("zone a number");
    assert_eq!(prop(&err, "value").as_deref(), Some("5.25"));
    let err = trigger(r#"{"type":"interval","minutes":-2,"seconds":0.5}"#, "UTC", 0.0).err().expect("negative interval");
    assert_eq!(prop(&err, "value").as_deref(), Some("weeks=0, days=0, hours=0, minutes=-2, seconds=0.5"));
    let err = trigger(r#"{"type":"interval","minutes":1,"jitter":-1.5}"#, "UTC", 0.0).err().expect("negative jitter");
    assert_eq!(prop(&err, "message").as_deref(), Some(r#"invalid jitter "-1.5": must be a number of seconds between 0 and 1000000000"#));
    let err = trigger(r#"[0.1, "a\"b"]"#, "UTC", 0.0).err().expect("not an object");
    assert_eq!(prop(&err, "value").as_deref(), Some(r#"[0.1,"a\"b"]"#));
}

#[wasm_bindgen_test]
fn no_js_value_reaches_a_panic() {
    let values = [
        JsValue::UNDEFINED,
        JsValue::NULL,
        JsValue::from(1.5),
        JsValue::from("cron"),
        JsValue::from(true),
        js("[]"),
        js("[{\"type\":\"date\"}]"),
        js("{}"),
        js(r#"{"type":null}"#),
        js(r#"{"type":"and","triggers":[]}"#),
        js(r#"{"type":"or","triggers":[1,2]}"#),
        js(r#"{"type":"interval","seconds":1e308}"#),
        js(r#"{"type":"interval","weeks":-1e308,"days":1e308}"#),
        js(r#"{"type":"date","run_date":-1e300}"#),
        js(r#"{"type":"date","run_date":"99999-01-01"}"#),
        js(r#"{"type":"interval","seconds":1,"start_date":"9999-12-31 23:59:59"}"#),
        js(r#"{"type":"calendarinterval","months":1e20}"#),
        js(r#"{"type":"crontab","expr":"* * * * * * * *"}"#),
        js(r#"{"type":"cron","v":1e300}"#),
        js_sys::Symbol::for_("s").into(),
        Function::new_no_args("return 1").into(),
    ];
    for value in values {
        for now in [0.0, -6.2e13, 2.5e14, f64::NAN] {
            if let Ok(t) = WasmTrigger::new(&value, &JsValue::from("UTC"), &n(now), &n(0.0), &n(0.0)) {
                for q in [None, Some(0.0), Some(2.5e14), Some(-6.2e13)] {
                    let _ = t.next_fire_time(&opt(q), &n(2.5e14));
                    let _ = t.next_fire_time(&opt(q), &n(-6.2e13));
                }
                let _ = t.to_spec();
                let _ = t.to_string_js();
            }
        }
    }
}

#[wasm_bindgen_test]
fn a_registered_error_class_is_used_for_every_error() {
    let class: Function = js_sys::eval(
        // The class stays registered for the tests that run after this one (one wasm instance):
        // it keeps every detail (field, value, …) as the package's TickwerkError does.
        "(class TestError extends Error { constructor(code, message, d) { super(message); this.code = code; Object.assign(this, d); this.fromClass = true; } })",
    )
    .expect("class expression")
    .into();
    register_error_class(class.clone());
    let err = parse_date(&s("startDate"), &s("2026-02-30"), &s("UTC")).err().expect("impossible date");
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(Reflect::get(&err, &"fromClass".into()).ok().and_then(|v| v.as_bool()), Some(true));
    assert_eq!(code(&err), "INVALID_ARGUMENT");
    assert_eq!(prop(&err, "field").as_deref(), Some("startDate"));
}

#[wasm_bindgen_test]
fn zone_helpers() {
    assert!(is_known_timezone(&s("Europe/Berlin")));
    assert!(is_known_timezone(&s("UTC")));
    assert!(!is_known_timezone(&s("Europe/Atlantis")));
    // 02:30 does not exist in Berlin on 2026-03-29: it moves forward to 03:30 CEST (01:30Z).
    assert_eq!(parse_date(&s("x"), &s("2026-03-29 02:30:00"), &s("Europe/Berlin")).expect("ok"), 1_774_747_800_000.0);
    assert_eq!(format_instant(&n(1_774_747_800_000.0), &s("Europe/Berlin")).expect("ok"), "2026-03-29 03:30:00 CEST");
    assert_eq!(code(&format_instant(&n(f64::NAN), &s("UTC")).err().expect("NaN")), "INVALID_ARGUMENT");
}

/// A JS string value.
fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}
