//! The trigger JSON form: key spellings, versions, the zone rule, defaults from the
//! build context, and typed errors that name the offending field.

use serde_json::{json, Value};
use tickwerk::trigger::spec::{BuildContext, TriggerSpec};
use tickwerk::trigger::Trigger;
use tickwerk::{Error, Timestamp, Zone};

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339("t", s).unwrap()
}

fn ctx() -> BuildContext {
    BuildContext { default_zone: Zone::parse("Europe/Berlin").unwrap(), now: ts("2024-06-01T10:00:00.250000Z") }
}

fn build(v: Value) -> Result<Trigger, Error> {
    TriggerSpec::from_json(&v)?.build(&ctx())
}

/// The field an error names (`UnknownTimezone` names the zone).
fn field_of(e: &Error) -> String {
    match e {
        Error::InvalidArgument { field, .. } => field.clone(),
        Error::UnknownTimezone { name } => format!("timezone:{name}"),
        other => format!("{other:?}"),
    }
}

#[test]
fn bad_input_names_the_field() {
    let cases: Vec<(Value, &str)> = vec![
        (json!("interval"), "trigger"),
        (json!({}), "type"),
        (json!({"type": 5}), "type"),
        (json!({"type": "weekly"}), "type"),
        (json!({"type": "date", "v": 2}), "v"),
        (json!({"type": "date", "v": "1"}), "v"),
        (json!({"type": "interval", "hours": "1"}), "hours"),
        (json!({"type": "interval", "days": 1, "minutes": null}), "minutes"),
        (json!({"type": "interval", "weeks": true}), "weeks"),
        (json!({"type": "interval"}), "interval"),
        (json!({"type": "interval", "seconds": -5}), "interval"),
        (json!({"type": "interval", "days": 1, "hours": -24}), "interval"),
        (json!({"type": "interval", "hours": 1e300}), "interval"),
        (json!({"type": "interval", "hours": 1, "start_date": "2024-02-30"}), "start_date"),
        (json!({"type": "interval", "hours": 1, "end_date": "yesterday"}), "end_date"),
        (json!({"type": "interval", "hours": 1, "startDate": "2024-01-01", "start_date": "2024-01-01"}), "start_date"),
        (json!({"type": "interval", "hours": 1, "jitter": -1}), "jitter"),
        (json!({"type": "interval", "hours": 1, "jitter": "5"}), "jitter"),
        (json!({"type": "interval", "hours": 1, "run_date": "2024-01-01"}), "run_date"),
        (json!({"type": "interval", "hours": 1, "timezone": 3}), "timezone"),
        (json!({"type": "interval", "hours": 1, "timezone": "Mars/Olympus_Mons"}), "timezone:Mars/Olympus_Mons"),
        (json!({"type": "date", "run_date": "not a date"}), "run_date"),
        (json!({"type": "date", "run_date": "2024-01-01 24:00:00"}), "run_date"),
        (json!({"type": "date", "run_date": 1e300}), "run_date"),
        (json!({"type": "date", "run_date": [2024]}), "run_date"),
        (json!({"type": "date", "hours": 1}), "hours"),
        (json!({"type": "and"}), "triggers"),
        (json!({"type": "and", "triggers": []}), "triggers"),
        (json!({"type": "or", "triggers": {"type": "date"}}), "triggers"),
        (json!({"type": "or", "triggers": [{"type": "interval"}]}), "interval"),
        (json!({"type": "or", "triggers": [{"type": "date", "run_date": "2024-01-01"}], "timezone": "UTC"}), "timezone"),
        (json!({"type": "calendarinterval"}), "interval"),
        (json!({"type": "calendarinterval", "days": -1}), "days"),
        (json!({"type": "calendarinterval", "days": 1.5}), "days"),
        (json!({"type": "calendarinterval", "days": 1, "hour": 24}), "hour"),
        (json!({"type": "calendarinterval", "days": 1, "second": 60}), "second"),
        (json!({"type": "calendarinterval", "days": 1, "start_date": "2024-01-01 10:00:00"}), "start_date"),
        (json!({"type": "calendarinterval", "days": 1, "start_date": "2024-01-02", "end_date": "2024-01-01"}), "end_date"),
        (json!({"type": "cron", "hour": 1.5}), "hour"),
        (json!({"type": "cron", "dayOfWeek": ["mon"]}), "day_of_week"),
        (json!({"type": "cron", "third": 1}), "third"),
        (json!({"type": "crontab"}), "expr"),
        (json!({"type": "crontab", "expr": 5}), "expr"),
        (json!({"type": "crontab", "expr": "* * * * *", "jitter": 5}), "jitter"),
    ];
    for (input, field) in cases {
        match build(input.clone()) {
            Ok(t) => panic!("{input} should be refused, built {t}"),
            Err(e) => {
                assert_eq!(field_of(&e), field, "{input}: wrong field in {e}");
                assert!(!e.to_string().is_empty());
            }
        }
    }
}

#[test]
fn camel_case_and_snake_case_mean_the_same() {
    let snake = build(json!({"type": "interval", "hours": 2, "start_date": "2024-01-01 00:00:00", "end_date": "2024-02-01 00:00:00"})).unwrap();
    let camel = build(json!({"type": "interval", "hours": 2, "startDate": "2024-01-01 00:00:00", "endDate": "2024-02-01 00:00:00"})).unwrap();
    assert_eq!(snake, camel);
    let snake = build(json!({"type": "date", "run_date": "2024-01-01 09:00:00"})).unwrap();
    let camel = build(json!({"type": "date", "runDate": "2024-01-01 09:00:00", "v": 1})).unwrap();
    assert_eq!(snake, camel);
}

#[test]
fn zone_rule_follows_apscheduler() {
    let berlin = Zone::parse("Europe/Berlin").unwrap();
    // explicit timezone wins over the start date's offset
    let t = build(json!({"type": "interval", "hours": 1, "start_date": "2024-01-01T00:00:00+05:30", "timezone": "UTC"})).unwrap();
    assert_eq!(t.timezone(), Some(Zone::Utc));
    assert_eq!(t.start_date(), Some(ts("2023-12-31T18:30:00Z")));
    // else the start date's offset
    let t = build(json!({"type": "interval", "hours": 1, "start_date": "2024-01-01T00:00:00+05:30"})).unwrap();
    assert_eq!(t.timezone(), Some(Zone::Fixed(19_800)));
    // else the end date's
    let t = build(json!({"type": "interval", "hours": 1, "start_date": "2024-01-01 00:00:00", "end_date": "2024-02-01T00:00:00-03:00"})).unwrap();
    assert_eq!(t.timezone(), Some(Zone::Fixed(-10_800)));
    // and a naive start date is then read in that zone
    assert_eq!(t.start_date(), Some(ts("2024-01-01T03:00:00Z")));
    // else the context's zone
    let t = build(json!({"type": "interval", "hours": 1, "start_date": "2024-07-01 00:00:00"})).unwrap();
    assert_eq!(t.timezone(), Some(berlin));
    assert_eq!(t.start_date(), Some(ts("2024-06-30T22:00:00Z")));
    // a date trigger takes its run date's offset
    let t = build(json!({"type": "date", "run_date": "2024-01-01T09:00:00+05:30"})).unwrap();
    assert_eq!(t.timezone(), Some(Zone::Fixed(19_800)));
    assert_eq!(t.to_string(), "date[2024-01-01 09:00:00 UTC+05:30]");
    // `Z` (and +00:00) is UTC, as Python shows it
    let t = build(json!({"type": "date", "run_date": "2024-01-01T00:00:00Z"})).unwrap();
    assert_eq!(t.timezone(), Some(Zone::Utc));
    assert_eq!(t.to_string(), "date[2024-01-01 00:00:00 UTC]");
    // children of and/or get the context's zone
    let t = build(json!({"type": "or", "triggers": [{"type": "date", "run_date": "2024-07-01 09:00:00"}]})).unwrap();
    assert_eq!(t.to_string(), "or[date[2024-07-01 09:00:00 CEST]]");
}

#[test]
fn gap_and_fold_in_date_text() {
    // 02:30 on spring-forward day in New York moves forward to 03:30 EDT; 01:30 on
    // fall-back day takes the first (EDT) occurrence.
    let t = build(json!({"type": "date", "run_date": "2024-03-10 02:30:00", "timezone": "America/New_York"})).unwrap();
    assert_eq!(t.next_fire_time(None, ts("2024-01-01T00:00:00Z")), Some(ts("2024-03-10T07:30:00Z")));
    let t = build(json!({"type": "date", "run_date": "2024-11-03 01:30:00", "timezone": "America/New_York"})).unwrap();
    assert_eq!(t.next_fire_time(None, ts("2024-01-01T00:00:00Z")), Some(ts("2024-11-03T05:30:00Z")));
}

#[test]
fn numbers_are_epoch_milliseconds() {
    let t = build(json!({"type": "date", "run_date": 1_704_067_200_000.123_f64, "timezone": "UTC"})).unwrap();
    assert_eq!(t.next_fire_time(None, ts("2020-01-01T00:00:00Z")), Some(ts("2024-01-01T00:00:00.000123Z")));
    let t = build(json!({"type": "interval", "minutes": 1, "start_date": 1_704_067_200_000_i64})).unwrap();
    assert_eq!(t.start_date(), Some(ts("2024-01-01T00:00:00Z")));
    // an instant carries no zone of its own: the context's zone applies
    assert_eq!(t.timezone(), Some(Zone::parse("Europe/Berlin").unwrap()));
}

#[test]
fn missing_times_come_from_the_context() {
    let now = ctx().now;
    let t = build(json!({"type": "interval", "seconds": 90})).unwrap();
    assert_eq!(t.start_date(), now.checked_add_micros(90_000_000));
    assert_eq!(t.next_fire_time(None, now), now.checked_add_micros(90_000_000));
    let t = build(json!({"type": "date"})).unwrap();
    assert_eq!(t.next_fire_time(None, now), Some(now));
    // today in Berlin is 2024-06-01; 09:00 CEST = 07:00Z
    let t = build(json!({"type": "calendarinterval", "days": 1, "hour": 9})).unwrap();
    assert_eq!(t.next_fire_time(None, now), Some(ts("2024-06-01T07:00:00Z")));
}

#[test]
fn default_interval_start_is_wall_clock_now_plus_interval() {
    // APScheduler: start_date = datetime.now(tz) + interval, wall-clock arithmetic.
    let build_at = |now: &str, zone: &str, spec: Value| {
        let ctx = BuildContext { default_zone: Zone::parse(zone).unwrap(), now: ts(now) };
        TriggerSpec::from_json(&spec).unwrap().build(&ctx).unwrap()
    };
    // Berlin spring-forward day: 00:36:10 + 1 day is 00:36:10 CEST the next day (23 h)
    let t = build_at("2023-03-26T00:36:10+01:00", "Europe/Berlin", json!({"type": "interval", "days": 1}));
    assert_eq!(t.start_date(), Some(ts("2023-03-27T00:36:10+02:00")));
    // Chatham fall-back night: 03:13 (+13:45) + 1 h is 04:13 (+12:45), two real hours on
    let t = build_at("2024-04-07T03:13:00+13:45", "Pacific/Chatham", json!({"type": "interval", "hours": 1}));
    assert_eq!(t.start_date(), Some(ts("2024-04-07T04:13:00+12:45")));
    // New York spring-forward day: 01:30 EST + 1 h is the non-existent 02:30, read with
    // fold 0 it moves forward to 03:30 EDT (one real hour later)
    let t = build_at("2024-03-10T01:30:00-05:00", "America/New_York", json!({"type": "interval", "hours": 1}));
    assert_eq!(t.start_date(), Some(ts("2024-03-10T03:30:00-04:00")));
    // no change nearby: plain addition, microseconds kept
    let t = build_at("2024-06-01T10:00:00.000123Z", "Europe/Berlin", json!({"type": "interval", "seconds": 1.5}));
    assert_eq!(t.start_date(), Some(ts("2024-06-01T10:00:01.500123Z")));
}

#[test]
fn json_form_is_versioned_and_canonical() {
    let t = build(json!({"type": "interval", "weeks": 1, "hours": 1.5, "start_date": "2024-03-31 01:00:00", "jitter": 30})).unwrap();
    let v = t.to_spec().to_json();
    assert_eq!(v["v"], json!(1));
    assert_eq!(v["type"], json!("interval"));
    assert_eq!(v["days"], json!(7));
    assert_eq!(v["hours"], json!(1));
    assert_eq!(v["minutes"], json!(30));
    assert_eq!(v["start_date"], json!("2024-03-31T01:00:00+01:00"));
    assert_eq!(v["timezone"], json!("Europe/Berlin"));
    assert_eq!(v["jitter"], json!(30));
    assert!(v.get("end_date").is_none());
    // serde goes through the same form
    let text = serde_json::to_string(&t.to_spec()).unwrap();
    let back: TriggerSpec = serde_json::from_str(&text).unwrap();
    assert_eq!(back.build(&ctx()).unwrap(), t);
    // a spec that fails to read fails to deserialize, with the field in the message
    let err = serde_json::from_str::<TriggerSpec>(r#"{"type":"interval","hours":"1"}"#).unwrap_err();
    assert!(err.to_string().contains("hours"), "{err}");
}

#[test]
fn str_forms_match_apscheduler() {
    let cases = [
        (json!({"type": "interval", "seconds": 1, "start_date": "2009-08-04 00:00:02"}), "interval[0:00:01]"),
        (json!({"type": "interval", "days": 1, "start_date": "2009-08-04 00:00:02"}), "interval[1 day, 0:00:00]"),
        (json!({"type": "interval", "days": 2, "hours": 3, "minutes": 4, "seconds": 5.5, "start_date": "2009-08-04"}), "interval[2 days, 3:04:05.500000]"),
        (json!({"type": "date", "run_date": "2026-01-01 00:00:00", "timezone": "UTC"}), "date[2026-01-01 00:00:00 UTC]"),
        (
            json!({"type": "and", "triggers": [{"type": "interval", "minutes": 2, "start_date": "2024-01-01"}, {"type": "date", "run_date": "2024-01-01 00:04:00", "timezone": "UTC"}]}),
            "and[interval[0:02:00], date[2024-01-01 00:04:00 UTC]]",
        ),
    ];
    for (input, want) in cases {
        assert_eq!(build(input.clone()).unwrap().to_string(), want, "{input}");
    }
}

#[test]
fn jitter_in_reprs_is_written_as_the_number_given() {
    // Python's str() of the number for the jitters people use (fractions of 0.0001 and up).
    let cases = [
        (json!({"type": "interval", "seconds": 5, "jitter": 0.25}), "jitter=0.25"),
        (json!({"type": "cron", "hour": "1", "jitter": 2.5}), "jitter=2.5"),
        (json!({"type": "or", "triggers": [{"type": "cron", "hour": "1"}], "jitter": 5}), "jitter=5"),
    ];
    for (spec, want) in cases {
        let repr = build(spec.clone()).unwrap().repr();
        assert!(repr.contains(want), "{spec}: {repr}");
    }
}
