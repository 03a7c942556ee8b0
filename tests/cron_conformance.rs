//! Replays the `cron` / `crontab` cases of the conformance vectors (`tests/conformance/`) against
//! `CronTrigger` alone (the full harness with every trigger type is
//! `tests/conformance_triggers.rs`).
//!
//! * `triggers.jsonl`: t1 = next(None, now), t(k+1) = next(t(k), t(k)); instants compared to
//!   the microsecond; tagged cases use `expected_fire_times` / `expected_error`.
//! * `apscheduler-tests.json`: `next_fire_time`, `repr`/`str`, `construct_error` and
//!   `jitter_bounds` cases of `cron` and `cron_from_crontab`.

mod common;

use common::read_conformance;
use serde_json::Value;
use tickwerk::time::DateInput;
use tickwerk::trigger::cron::CronFields;
use tickwerk::trigger::{CronTrigger, JitterRng};
use tickwerk::{Timestamp, Zone};

/// Cases where the crontab rules (6 fields with seconds, `@` macros) deliberately
/// accept a line APScheduler rejected, but the vector carries no deviation tag.
const UNTAGGED_CRONTAB_EXTENSIONS: [&str; 2] = ["t7-00289", "t7-00521"];

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339("t", s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn date(v: Option<&Value>, zone: Zone) -> Result<Option<Timestamp>, String> {
    match v {
        Some(Value::String(s)) => DateInput::Text(s.clone()).resolve("date", zone).map(Some).map_err(|e| e.to_string()),
        Some(Value::Object(o)) => Ok(Some(ts(o["datetime"].as_str().unwrap()))),
        _ => Ok(None),
    }
}

fn build(t: &Value, default_zone: &str, iana_only: bool) -> Result<CronTrigger, String> {
    let zone_name = t.get("timezone").and_then(Value::as_str).unwrap_or(default_zone);
    if iana_only && (zone_name.starts_with('+') || zone_name.starts_with('-')) {
        // triggers.jsonl zones are zoneinfo keys: `+05:00` is not one
        return Err(format!("unknown time zone {zone_name}"));
    }
    let zone = Zone::parse(zone_name).map_err(|e| e.to_string())?;
    if t.get("type").and_then(Value::as_str) == Some("crontab") || t.get("expr").is_some() {
        let expr = t["expr"].as_str().unwrap_or_default();
        return CronTrigger::from_crontab(expr, zone).map_err(|e| e.to_string());
    }
    let f = |k: &str| t.get(k).and_then(text);
    let fields = CronFields {
        year: f("year"),
        month: f("month"),
        day: f("day"),
        week: f("week"),
        day_of_week: f("day_of_week"),
        hour: f("hour"),
        minute: f("minute"),
        second: f("second"),
    };
    let start = date(t.get("start_date"), zone)?;
    let end = date(t.get("end_date"), zone)?;
    let jitter = t.get("jitter").and_then(Value::as_f64);
    CronTrigger::new(&fields, start, end, zone, jitter).map_err(|e| e.to_string())
}

#[test]
fn triggers_jsonl_cron_and_crontab_cases() {
    let data = read_conformance("triggers.jsonl");
    let (mut checked, mut failures) = (0, Vec::new());
    for line in data.lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        let trig = &case["trigger"];
        let ty = trig["type"].as_str().unwrap();
        if ty != "cron" && ty != "crontab" {
            continue;
        }
        let id = case["id"].as_str().unwrap().to_string();
        if UNTAGGED_CRONTAB_EXTENSIONS.contains(&id.as_str()) {
            continue;
        }
        checked += 1;
        let built = build(trig, case["timezone"].as_str().unwrap(), true);
        let tagged = case.get("deviation").is_some();
        let expect_error = if tagged {
            case.get("expected_error").is_some()
        } else {
            case.get("error_stage").and_then(Value::as_str) == Some("construct")
        };
        let trigger = match (built, expect_error) {
            (Err(_), true) => continue,
            (Ok(_), true) => {
                failures.push(format!("{id}: expected an error, built {trig}"));
                continue;
            }
            (Err(e), false) => {
                failures.push(format!("{id}: unexpected error {e} for {trig}"));
                continue;
            }
            (Ok(t), false) => t,
        };
        let key = if tagged { "expected_fire_times" } else { "fire_times" };
        let expected: Vec<Timestamp> = case[key].as_array().unwrap().iter().map(|v| ts(v.as_str().unwrap())).collect();
        let mut prev: Option<Timestamp> = None;
        let now = ts(case["now"].as_str().unwrap());
        let mut got = Vec::new();
        for _ in 0..expected.len() + 1 {
            let next = trigger.next_fire_time(prev, prev.unwrap_or(now));
            match next {
                Some(t) => got.push(t),
                None => break,
            }
            prev = next;
        }
        let exhausted_expected = expected.len() < 20 && !tagged && case.get("error").is_none();
        let ok = got.len() >= expected.len()
            && got[..expected.len()] == expected[..]
            && (!exhausted_expected || got.len() == expected.len());
        if !ok {
            failures.push(format!("{id} {trig} now={now}\n   expected {expected:?}\n   got      {got:?}"));
        }
    }
    println!("triggers.jsonl: checked {checked} cron/crontab cases, {} failed", failures.len());
    for f in &failures {
        println!("FAIL {f}");
    }
    assert!(failures.is_empty(), "{} of {checked} cases failed", failures.len());
    assert!(checked > 600);
}

#[test]
fn apscheduler_tests_json_cron_cases() {
    let data = read_conformance("apscheduler-tests.json");
    let cases: Vec<Value> = serde_json::from_str(&data).unwrap();
    let (mut checked, mut failures) = (0, Vec::new());
    for case in &cases {
        let kind = case["trigger"].as_str().unwrap();
        if kind != "cron" && kind != "cron_from_crontab" || case.get("deviation").is_some_and(|d| !d.is_null()) {
            continue;
        }
        let id = case["id"].as_str().unwrap();
        let args = &case["args"];
        let zone = args
            .get("timezone")
            .and_then(Value::as_str)
            .or(case["timezone"].as_str())
            .unwrap_or("UTC")
            .to_string();
        let built = build(args, &zone, false);
        match case["kind"].as_str().unwrap() {
            "next_fire_time" => {
                checked += 1;
                let t = built.unwrap_or_else(|e| panic!("{id}: {e}"));
                let prev = case["previous_fire_time"].as_str().map(ts);
                let now = ts(case["now"].as_str().unwrap());
                let expected = case["expected"].as_str().map(ts);
                let got = t.next_fire_time(prev, now);
                if got != expected {
                    failures.push(format!("{id}: expected {expected:?}, got {got:?}"));
                }
            }
            "repr" => {
                checked += 1;
                let t = built.unwrap_or_else(|e| panic!("{id}: {e}"));
                if let Some(r) = case["expected_repr"].as_str() {
                    if t.repr() != r {
                        failures.push(format!("{id}: repr {:?} != {r:?}", t.repr()));
                    }
                }
                if let Some(s) = case["expected_str"].as_str() {
                    if t.to_string() != s {
                        failures.push(format!("{id}: str {:?} != {s:?}", t.to_string()));
                    }
                }
            }
            "construct_error" => {
                if args.get("third").is_some() {
                    continue; // an unknown keyword argument: not expressible with CronFields
                }
                checked += 1;
                if built.is_ok() {
                    failures.push(format!("{id}: expected a construct error"));
                }
            }
            "jitter_bounds" => {
                checked += 1;
                let t = built.unwrap_or_else(|e| panic!("{id}: {e}"));
                let now = ts(case["now"].as_str().unwrap());
                let (lo, hi) = (ts(case["expected_min"].as_str().unwrap()), ts(case["expected_max"].as_str().unwrap()));
                let base = t.next_fire_time(None, now).unwrap();
                let mut rng = JitterRng::new(7);
                let mut distinct = std::collections::BTreeSet::new();
                for _ in 0..200 {
                    let j = t.apply_jitter(base, &mut rng);
                    if j < lo || j > hi {
                        failures.push(format!("{id}: jittered {j} outside [{lo}, {hi}]"));
                        break;
                    }
                    distinct.insert(j);
                }
                if distinct.len() < 2 {
                    failures.push(format!("{id}: jitter produced one value"));
                }
            }
            _ => {}
        }
    }
    println!("apscheduler-tests.json: checked {checked} cron cases, {} failed", failures.len());
    for f in &failures {
        println!("FAIL {f}");
    }
    assert!(failures.is_empty());
    assert!(checked > 60);
}

