//! Replays the trigger conformance vectors recorded from APScheduler 3.11.3:
//!
//! * every case of `triggers.jsonl` (799), and
//! * every case of `apscheduler-tests.json` (161, all of them about triggers),
//!
//! through the public API: [`TriggerSpec::from_json`] → [`TriggerSpec::build`] →
//! [`Trigger::next_fire_time`] (and `str()`, `repr()`, jitter, attributes).
//!
//! The data is read from `$TICKWERK_CONFORMANCE_DIR`, else from the repository's copy
//! `tests/conformance/`. Missing data fails the test; it is never skipped.
//!
//! Instants are compared to the microsecond. Errors are compared as "a rejection
//! corresponds to a rejection". Cases tagged with a deliberate deviation are checked
//! against their `expected_fire_times` / `expected_error` (see the conformance README).
//!
//! Each file is replayed by two tests: the cases that involve a cron/crontab trigger
//! anywhere, and all the others. Every test prints how many cases it checked per kind and
//! lists failing ids with expected vs got.
//!
//! Cases checked against our rule instead of APScheduler's value (each explained where
//! it is handled):
//!
//! * `triggers.jsonl`: the 53 tagged cases (their `expected_*` values); the 3 cases whose
//!   zone is a fixed offset (`"+05:00"`), which APScheduler's `ZoneInfo` refuses and we
//!   accept; `t7-00289` and `t7-00521`, a 6-field crontab and `@daily` (extensions issue
//!   2 asks for); `t7-00755`, whose `and-search` list was computed with cron children
//!   that skip a Monday (`no-skip` is not applied inside `and` in the data).
//! * `apscheduler-tests.json`: the 5 tagged cases (`jitter-absolute`, `crontab-standard`);
//!   `added.interval.zero_interval_is_1s` and `interval.start_end_times_string`, intervals
//!   of length zero (deviation `interval-positive`, untagged there).

use std::collections::{BTreeMap, HashMap, HashSet};

mod common;

use common::read_conformance;
use serde_json::{json, Value};
use tickwerk::time::parse_date_text;
use tickwerk::trigger::spec::{BuildContext, TriggerSpec};
use tickwerk::trigger::{jitter_with, JitterRng, Trigger};
use tickwerk::{DateInput, Timestamp, Zone};

// ---------------------------------------------------------------------------------------
// Data and bookkeeping


fn jsonl_cases() -> Vec<Value> {
    let text = read_conformance("triggers.jsonl");
    let cases: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("triggers.jsonl line {}: {e}", i + 1)))
        .collect();
    assert_eq!(cases.len(), 799, "triggers.jsonl should hold 799 cases");
    cases
}

fn apscheduler_cases() -> Vec<Value> {
    let text = read_conformance("apscheduler-tests.json");
    let cases: Vec<Value> = serde_json::from_str(&text).expect("apscheduler-tests.json is a JSON array");
    assert_eq!(cases.len(), 161, "apscheduler-tests.json should hold 161 cases");
    cases
}

#[derive(Default)]
struct Report {
    checked: BTreeMap<String, usize>,
    failures: Vec<(String, String)>,
}

impl Report {
    fn record(&mut self, kind: &str, id: &str, outcome: Result<(), String>) {
        *self.checked.entry(kind.to_string()).or_default() += 1;
        if let Err(msg) = outcome {
            self.failures.push((id.to_string(), msg));
        }
    }

    fn finish(self, title: &str) {
        let total: usize = self.checked.values().sum();
        println!("{title}: {total} cases checked");
        for (kind, n) in &self.checked {
            println!("  {kind}: {n}");
        }
        if !self.failures.is_empty() {
            println!("{} failing:", self.failures.len());
            for (id, msg) in &self.failures {
                println!("  {id}: {msg}");
            }
        }
        assert!(total > 0, "{title}: no cases were checked");
        assert!(self.failures.is_empty(), "{title}: {} of {total} cases fail (see the list above)", self.failures.len());
    }
}

// ---------------------------------------------------------------------------------------
// Helpers

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339("vector", text).unwrap_or_else(|e| panic!("bad time in vector {text:?}: {e}"))
}

/// A naive ISO time read as UTC (the base_jitter cases use naive datetimes).
fn naive_ts(text: &str) -> Timestamp {
    let p = parse_date_text("vector", text).unwrap_or_else(|e| panic!("bad naive time {text:?}: {e}"));
    Timestamp::from_utc_naive(p.local)
}

/// An ISO time with an offset, or a naive one (read as UTC: only the naive base_jitter
/// cases have those, where the zone does not matter).
fn opt_ts(v: Option<&Value>) -> Option<Timestamp> {
    v.and_then(Value::as_str).map(|s| Timestamp::parse_rfc3339("vector", s).unwrap_or_else(|_| naive_ts(s)))
}

fn times(v: &Value) -> Vec<Timestamp> {
    v.as_array().map(|a| a.iter().filter_map(Value::as_str).map(ts).collect()).unwrap_or_default()
}

fn show(t: Option<Timestamp>) -> String {
    t.map_or("None".to_string(), |t| t.to_string())
}

fn involves_cron(trigger: &Value) -> bool {
    match trigger.get("type").or_else(|| trigger.get("trigger")).and_then(Value::as_str) {
        Some("cron" | "crontab" | "cron_from_crontab") => true,
        _ => {
            let children = trigger.get("triggers").or_else(|| trigger.get("args").and_then(|a| a.get("triggers")));
            children.and_then(Value::as_array).is_some_and(|c| c.iter().any(involves_cron))
        }
    }
}

/// APScheduler's replay loop: `t1 = next(None, now)`, `t(k+1) = next(t(k), t(k))`, at most
/// `n` times, stopping when the trigger is exhausted.
fn fire_times(trigger: &Trigger, now: Timestamp, n: usize) -> Vec<Timestamp> {
    let mut out = Vec::new();
    let mut prev: Option<Timestamp> = None;
    let mut at = now;
    while out.len() < n {
        match trigger.next_fire_time(prev, at) {
            Some(t) => {
                out.push(t);
                prev = Some(t);
                at = t;
            }
            None => break,
        }
    }
    out
}

/// Compares the first `expected.len()` fire times; with `exhausted`, the trigger must also
/// have no fire time after them.
fn compare_times(got: &[Timestamp], expected: &[Timestamp], exhausted: bool) -> Result<(), String> {
    for (i, want) in expected.iter().enumerate() {
        match got.get(i) {
            Some(g) if g == want => {}
            g => {
                return Err(format!(
                    "fire time #{} expected {want}, got {} (expected first: {:?}, got first: {:?})",
                    i + 1,
                    show(g.copied()),
                    &expected[..expected.len().min(i + 2)],
                    &got[..got.len().min(i + 2)]
                ))
            }
        }
    }
    if exhausted && got.len() > expected.len() {
        return Err(format!("expected exhaustion after {} fire times, got another: {}", expected.len(), got[expected.len()]));
    }
    Ok(())
}

fn build(trigger_json: &Value, ctx: &BuildContext) -> Result<Trigger, String> {
    let spec = TriggerSpec::from_json(trigger_json).map_err(|e| format!("{} ({e})", e.code()))?;
    spec.build(ctx).map_err(|e| format!("{} ({e})", e.code()))
}

/// Fixed offsets written as zone names (`"+05:00"`): APScheduler's `ZoneInfo` refuses them,
/// tickwerk accepts them on purpose (issue 2: "time zones … plus UTC and fixed offsets
/// (`+05:30`)"; `apscheduler-tests.json` uses them as pytz `FixedOffset`s too).
fn fixed_offset_zone_name(trigger: &Value) -> Option<String> {
    if let Some(z) = trigger.get("timezone").and_then(Value::as_str) {
        if z.starts_with('+') || z.starts_with('-') {
            return Some(z.to_string());
        }
    }
    trigger.get("triggers").and_then(Value::as_array).and_then(|c| c.iter().find_map(fixed_offset_zone_name))
}

// ---------------------------------------------------------------------------------------
// triggers.jsonl

fn replay_jsonl(case: &Value) -> Result<(), String> {
    let trigger_json = &case["trigger"];
    let default_zone = Zone::parse(case["timezone"].as_str().unwrap_or("UTC")).map_err(|e| format!("scheduler zone: {e}"))?;
    let now = ts(case["now"].as_str().ok_or("case without now")?);
    let ctx = BuildContext { default_zone, now };
    let built = build(trigger_json, &ctx);

    // Our extension: a fixed-offset zone name is a zone, not an error (see
    // `fixed_offset_zone_name`). Check that it builds and reads the offset.
    if case.get("error").and_then(Value::as_str) == Some("ZoneInfoNotFoundError") {
        if let Some(name) = fixed_offset_zone_name(trigger_json) {
            let t = built.map_err(|e| format!("fixed-offset zone {name:?} should be accepted, got {e}"))?;
            let want = Zone::parse(&name).map_err(|e| e.to_string())?;
            return match t.timezone() {
                Some(z) if z == want && matches!(z, Zone::Fixed(_)) => Ok(()),
                z => Err(format!("zone {name:?} should be the fixed offset {want}, got {z:?}")),
            };
        }
    }

    let id = case["id"].as_str().unwrap_or("?");
    match id {
        // Crontab extensions issue 2 asks for: an optional leading seconds field (6 fields)
        // and the macros. APScheduler rejects both ("Wrong number of fields"); this case
        // is not tagged. Our meaning: "* * * * * *" fires every second, so the first fire
        // time is `now` (a whole second here); "@daily" is 00:00 every day.
        "t7-00289" | "t7-00521" => {
            let t = built.map_err(|e| format!("crontab extension should build, got {e}"))?;
            let want = if id == "t7-00289" { ts("2020-02-15T09:46:41+00:00") } else { ts("2016-12-04T00:00:00+01:00") };
            let got = fire_times(&t, now, 2);
            let second = if id == "t7-00289" { want.checked_add_micros(1_000_000) } else { want.checked_add_micros(86_400_000_000) };
            return compare_times(&got, &[want, second.ok_or("overflow")?], false);
        }
        // and-no-hang with no-skip: the `and-search` list was computed with APScheduler's
        // cron children, and the child `day_of_week="mon-fri"` skips Monday 2026-03-09
        // after the spring-forward Sunday (the README's own `no-skip` example); `no-skip`
        // is not applied inside `and` in the data. Under our rules the cron children never
        // skip, so Monday 00:00, 00:15, 00:30, 00:45 EDT (hour 0 is in */6, minutes in */15,
        // Monday in mon-fri) come first, then the expected list, cut to 20.
        "t7-00755" => {
            let t = built.map_err(|e| format!("expected fire times, got error {e}"))?;
            let mut want: Vec<Timestamp> = ["04:00", "04:15", "04:30", "04:45"].iter().map(|hm| ts(&format!("2026-03-09T{hm}:00Z"))).collect();
            want.extend(times(&case["expected_fire_times"]));
            want.truncate(20);
            return compare_times(&fire_times(&t, now, 20), &want, false);
        }
        _ => {}
    }

    let deviation = case.get("deviation").and_then(Value::as_str);
    let (expect_error, expected, exhausted) = if deviation.is_some() {
        if case.get("expected_error").and_then(Value::as_bool) == Some(true) {
            (true, Vec::new(), false)
        } else {
            let expected = times(case.get("expected_fire_times").ok_or("deviation case without expected values")?);
            let exhausted = expected.len() < 20 && deviation != Some("strictly-increasing");
            (false, expected, exhausted)
        }
    } else if case.get("error_stage").and_then(Value::as_str) == Some("construct") {
        (true, Vec::new(), false)
    } else {
        let expected = times(&case["fire_times"]);
        let exhausted = expected.len() < 20 && case.get("error").is_none();
        (false, expected, exhausted)
    };

    match (expect_error, built) {
        (true, Err(_)) => Ok(()),
        (true, Ok(t)) => Err(format!("expected a rejection, but it built: {t}")),
        (false, Err(e)) => Err(format!("expected fire times, got error {e}")),
        (false, Ok(t)) => {
            let got = fire_times(&t, now, expected.len() + 1);
            compare_times(&got, &expected, exhausted)
        }
    }
}

fn run_jsonl(cron: bool) {
    let mut report = Report::default();
    for case in jsonl_cases() {
        if involves_cron(&case["trigger"]) != cron {
            continue;
        }
        let id = case["id"].as_str().unwrap_or("?").to_string();
        let mut kind = case["trigger"]["type"].as_str().unwrap_or("?").to_string();
        if let Some(d) = case.get("deviation").and_then(Value::as_str) {
            kind = format!("{kind} (deviation {d})");
        }
        report.record(&kind, &id, replay_jsonl(&case));
    }
    report.finish(if cron { "triggers.jsonl, cron/crontab cases" } else { "triggers.jsonl, non-cron cases" });
}

#[test]
fn triggers_jsonl_non_cron_cases() {
    run_jsonl(false);
}

#[test]
fn triggers_jsonl_cron_cases() {
    run_jsonl(true);
}

// ---------------------------------------------------------------------------------------
// apscheduler-tests.json

/// Converts the test suite's constructor arguments to the trigger JSON form. Aware
/// datetimes converted into a named zone are written as text with their offset and
/// remembered in `zoned`, so the spec can carry the named zone as APScheduler's object
/// does (the JSON form has no such value; it only matters for the zone rule).
fn args_to_json(kind: &str, args: &Value, zoned: &mut HashMap<String, (Timestamp, Zone)>) -> Value {
    let type_name = match kind {
        "cron_from_crontab" => "crontab",
        other => other,
    };
    let mut out = serde_json::Map::new();
    out.insert("type".into(), json!(type_name));
    if let Some(obj) = args.as_object() {
        for (k, v) in obj {
            let value = match (k.as_str(), v) {
                ("triggers", Value::Array(children)) => Value::Array(
                    children
                        .iter()
                        .map(|c| args_to_json(c["trigger"].as_str().unwrap_or("?"), &c["args"], zoned))
                        .collect(),
                ),
                (_, Value::Object(o)) if o.contains_key("datetime") => {
                    let text = o["datetime"].as_str().unwrap_or_default().to_string();
                    if let Some(zone) = o.get("zone").and_then(Value::as_str) {
                        let zone = Zone::parse(zone).unwrap_or_else(|e| panic!("zone in vector: {e}"));
                        zoned.insert(text.clone(), (ts(&text), zone));
                    }
                    Value::String(text)
                }
                (_, Value::Object(o)) if o.contains_key("date") => o["date"].clone(),
                // `jitter: null` and friends mean "not given" in Python.
                (_, Value::Null) if k != "weeks" && k != "days" && k != "hours" && k != "minutes" && k != "seconds" => continue,
                _ => v.clone(),
            };
            out.insert(k.clone(), value);
        }
    }
    Value::Object(out)
}

fn patch_zoned(spec: &mut TriggerSpec, zoned: &HashMap<String, (Timestamp, Zone)>) {
    use tickwerk::trigger::spec::TriggerSpec as S;
    let fix = |d: &mut Option<DateInput>| {
        if let Some(DateInput::Text(s)) = d {
            if let Some((t, z)) = zoned.get(s.as_str()) {
                *d = Some(DateInput::Zoned(*t, *z));
            }
        }
    };
    match spec {
        S::Date(s) => fix(&mut s.run_date),
        S::Interval(s) => {
            fix(&mut s.start_date);
            fix(&mut s.end_date);
        }
        S::Cron(s) => {
            fix(&mut s.start_date);
            fix(&mut s.end_date);
        }
        S::CalendarInterval(s) => {
            fix(&mut s.start_date);
            fix(&mut s.end_date);
        }
        S::And(s) | S::Or(s) => s.triggers.iter_mut().for_each(|c| patch_zoned(c, zoned)),
        S::Crontab(_) => {}
    }
}

fn build_apscheduler(case: &Value) -> Result<Trigger, String> {
    let kind = case["trigger"].as_str().unwrap_or("?");
    let mut zoned = HashMap::new();
    let json = args_to_json(kind, case.get("args").unwrap_or(&Value::Null), &mut zoned);
    let zone_name = case.get("local_timezone").and_then(Value::as_str).or_else(|| case["timezone"].as_str()).unwrap_or("UTC");
    let default_zone = Zone::parse(zone_name).map_err(|e| e.to_string())?;
    let now = opt_ts(case.get("construct_now")).or_else(|| opt_ts(case.get("now"))).unwrap_or(Timestamp::from_secs(0));
    let mut spec = TriggerSpec::from_json(&json).map_err(|e| format!("{} ({e})", e.code()))?;
    patch_zoned(&mut spec, &zoned);
    spec.build(&BuildContext { default_zone, now }).map_err(|e| format!("{} ({e})", e.code()))
}

fn seed_of(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
}

/// 200 jittered draws of `t`, each within `[min, max]`, with more than one distinct value.
fn check_draws(id: &str, mut draw: impl FnMut(&mut JitterRng) -> Option<Timestamp>, min: Timestamp, max: Timestamp) -> Result<(), String> {
    let mut rng = JitterRng::new(seed_of(id));
    let mut distinct = HashSet::new();
    for i in 0..200 {
        let x = draw(&mut rng).ok_or_else(|| format!("draw {i}: jitter gave no fire time"))?;
        if x < min || x > max {
            return Err(format!("draw {i}: {x} outside [{min}, {max}]"));
        }
        distinct.insert(x);
    }
    if distinct.len() < 2 {
        return Err("200 draws gave a single value".into());
    }
    Ok(())
}

fn replay_apscheduler(case: &Value) -> Result<(), String> {
    let id = case["id"].as_str().unwrap_or("?");
    let kind = case["kind"].as_str().unwrap_or("?");
    let deviation = case.get("deviation").and_then(Value::as_str);
    let now = opt_ts(case.get("now"));

    // Cases where our rule gives a different answer than APScheduler 3.11. Each gets the
    // value under our rule, with the reason.
    match id {
        // interval-positive: APScheduler turns a zero interval into one second; tickwerk
        // refuses it at construction.
        "added.interval.zero_interval_is_1s" => {
            return match build_apscheduler(case) {
                Err(e) if e.starts_with("INVALID_ARGUMENT") => Ok(()),
                other => Err(format!("interval-positive: expected INVALID_ARGUMENT, got {:?}", other.map(|t| t.to_string()))),
            };
        }
        // interval-positive (untagged here): the trigger has no interval units, which
        // APScheduler silently turns into one second and tickwerk refuses. Check the
        // refusal, then the attributes the vector is about (zone and dates from text)
        // on the same arguments with an explicit `seconds: 1`.
        "interval.start_end_times_string" => {
            if let Ok(t) = build_apscheduler(case) {
                return Err(format!("interval-positive: expected a rejection, but it built: {t}"));
            }
            let mut with_unit = case.clone();
            with_unit["args"]["seconds"] = json!(1);
            with_unit["id"] = json!("interval.start_end_times_string+seconds");
            return replay_apscheduler(&with_unit);
        }
        // crontab-standard: day of week 0 is Sunday (APScheduler 3.x reads Monday).
        // 2024-01-02 is a Tuesday; the next Sunday is 2024-01-07.
        "added.from_crontab.dow0_is_monday" => {
            let t = build_apscheduler(case)?;
            let got = t.next_fire_time(None, ts("2024-01-02T00:00:00+00:00"));
            let want = ts("2024-01-07T09:00:00+00:00");
            return if got == Some(want) { Ok(()) } else { Err(format!("crontab-standard: expected {want}, got {}", show(got))) };
        }
        // crontab-standard: 7 is Sunday too (APScheduler rejects it); same answer as 0.
        "added.from_crontab.dow7_rejected" => {
            let t = build_apscheduler(case).map_err(|e| format!("crontab-standard: 7 = Sunday should build, got {e}"))?;
            let got = t.next_fire_time(None, ts("2024-01-02T00:00:00+00:00"));
            let want = ts("2024-01-07T09:00:00+00:00");
            return if got == Some(want) { Ok(()) } else { Err(format!("crontab-standard: expected {want}, got {}", show(got))) };
        }
        // crontab-standard: a restricted day of month OR a restricted day of week
        // ("0-14 * 14-28 jul fri"). From Monday 2024-07-01 the first match is Friday
        // 2024-07-05 00:00 Berlin (APScheduler's AND would give Friday 07-19). The repr
        // in the vector shows APScheduler's fields; under our rule the meaning is
        // checked instead.
        "cron.from_crontab.assorted" | "cron.from_crontab.multiple_spaces_in_format" => {
            let t = build_apscheduler(case)?;
            let got = t.next_fire_time(None, ts("2024-07-01T00:00:00+02:00"));
            let want = ts("2024-07-05T00:00:00+02:00");
            return if got == Some(want) { Ok(()) } else { Err(format!("crontab-standard: expected {want}, got {}", show(got))) };
        }
        _ => {}
    }

    match kind {
        "next_fire_time" => {
            let t = build_apscheduler(case)?;
            let prev = opt_ts(case.get("previous_fire_time"));
            let got = t.next_fire_time(prev, now.ok_or("no now")?);
            let want = opt_ts(case.get("expected_utc")).or_else(|| opt_ts(case.get("expected")));
            if got == want { Ok(()) } else { Err(format!("expected {}, got {}", show(want), show(got))) }
        }
        "repr" => {
            let t = build_apscheduler(case)?;
            if let Some(want) = case.get("expected_str").and_then(Value::as_str) {
                if t.to_string() != want {
                    return Err(format!("str: expected {want:?}, got {:?}", t.to_string()));
                }
            }
            if let Some(want) = case.get("expected_repr").and_then(Value::as_str) {
                if t.repr() != want {
                    return Err(format!("repr: expected {want:?}, got {:?}", t.repr()));
                }
            }
            Ok(())
        }
        "construct_error" => match build_apscheduler(case) {
            Err(_) => Ok(()),
            Ok(t) => Err(format!("expected a rejection, but it built: {t}")),
        },
        "jitter_bounds" => {
            let t = build_apscheduler(case)?;
            let prev = opt_ts(case.get("previous_fire_time"));
            let base = t.next_fire_time(prev, now.ok_or("no now")?).ok_or("no base fire time")?;
            let (want_base, min, max) = if deviation == Some("jitter-absolute") {
                // jitter-absolute: APScheduler adds jitter on the wall clock and loses the
                // fold (01:00 EST becomes 01:00 EDT). Our rule: the un-jittered fire time is
                // 01:00 EST = 06:00Z (cron.dst_change.interval_autumn) and the jittered one
                // lies within [t, t + 5 s] of that instant.
                let b = ts("2013-11-03T01:00:00-05:00");
                (b, b, ts("2013-11-03T01:00:05-05:00"))
            } else {
                (ts(case["expected_base"].as_str().ok_or("no expected_base")?), ts(case["expected_min"].as_str().unwrap_or("")), ts(case["expected_max"].as_str().unwrap_or("")))
            };
            if base != want_base {
                return Err(format!("base: expected {want_base}, got {base}"));
            }
            check_draws(id, |rng| t.apply_jitter(base, rng), min, max)
        }
        "apply_jitter" => {
            // The jitter rule every trigger uses, with `random.uniform` forced.
            let t = case.get("next_fire_time").and_then(Value::as_str).map(naive_ts);
            let jitter = case.get("jitter").and_then(Value::as_f64);
            let forced = case.get("random_uniform_value").and_then(Value::as_f64);
            let got = t.map(|t| jitter_with(t, jitter, |_| (forced.unwrap_or(0.0) * 1e6).round() as i64));
            let want = case.get("expected").and_then(Value::as_str).map(naive_ts);
            if got == want { Ok(()) } else { Err(format!("expected {}, got {}", show(want), show(got))) }
        }
        "apply_jitter_bounds" => {
            let t = naive_ts(case["next_fire_time"].as_str().ok_or("no next_fire_time")?);
            let jitter = case.get("jitter").and_then(Value::as_f64);
            let (min, max) = (naive_ts(case["expected_min"].as_str().unwrap_or("")), naive_ts(case["expected_max"].as_str().unwrap_or("")));
            check_draws(id, |rng| Some(jitter_with(t, jitter, |j| rng.uniform_micros(j))), min, max)
        }
        "attributes" => {
            let t = build_apscheduler(case)?;
            let attrs = case["expected_attributes"].as_object().ok_or("no expected_attributes")?;
            for (key, want) in attrs {
                let (got, want) = match key.as_str() {
                    "start_date" => (show(t.start_date()), show(opt_ts(Some(want)))),
                    "end_date" => (show(t.end_date()), show(opt_ts(Some(want)))),
                    "run_date" => match &t {
                        Trigger::Date(d) => (d.run_date().to_string(), show(opt_ts(Some(want)))),
                        _ => ("(not a date trigger)".into(), want.to_string()),
                    },
                    "timezone" => (t.timezone().map(|z| z.name()).unwrap_or_default(), want.as_str().unwrap_or("").to_string()),
                    "interval_seconds" => match &t {
                        Trigger::Interval(i) => (format!("{}", i.interval_micros() as f64 / 1e6), format!("{}", want.as_f64().unwrap_or(f64::NAN))),
                        _ => ("(not an interval trigger)".into(), want.to_string()),
                    },
                    "jitter" => (format!("{:?}", t.jitter()), format!("{:?}", want.as_f64())),
                    other => return Err(format!("unknown attribute {other}")),
                };
                if got != want {
                    return Err(format!("{key}: expected {want}, got {got}"));
                }
            }
            Ok(())
        }
        "job_run_times" => {
            let t = build_apscheduler(case)?;
            let now = now.ok_or("no now")?;
            let mut run_times = Vec::new();
            let mut next = opt_ts(case.get("next_run_time"));
            while let Some(at) = next.filter(|at| *at <= now) {
                run_times.push(at);
                if run_times.len() > 10_000 {
                    return Err("more than 10000 run times".into());
                }
                next = t.next_fire_time(Some(at), now);
            }
            let want = times(&case["expected_run_times"]);
            if run_times == want { Ok(()) } else { Err(format!("expected {want:?}, got {run_times:?}")) }
        }
        other => Err(format!("unknown kind {other}")),
    }
}

fn run_apscheduler(cron: bool) {
    let mut report = Report::default();
    for case in apscheduler_cases() {
        let is_cron = involves_cron(&case);
        if is_cron != cron {
            continue;
        }
        let id = case["id"].as_str().unwrap_or("?").to_string();
        let kind = format!("{} {}", case["trigger"].as_str().unwrap_or("?"), case["kind"].as_str().unwrap_or("?"));
        report.record(&kind, &id, replay_apscheduler(&case));
    }
    report.finish(if cron { "apscheduler-tests.json, cron cases" } else { "apscheduler-tests.json, non-cron cases" });
}

#[test]
fn apscheduler_tests_non_cron_cases() {
    run_apscheduler(false);
}

#[test]
fn apscheduler_tests_cron_cases() {
    run_apscheduler(true);
}
