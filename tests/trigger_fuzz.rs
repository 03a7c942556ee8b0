//! No input may panic: generated trigger JSON (valid keys with junk values, junk keys,
//! extreme numbers, dates at the ends of the calendar) goes through `from_json`, `build`,
//! `next_fire_time`, `apply_jitter`, `to_string`, `repr` and the canonical round trip.
//! Errors are fine; they must be typed. A failure (a panic included) shrinks to a minimal
//! input, which the panic message prints (`proptest`; run settings in
//! `tests/property_runner/mod.rs`).
//!
//! 20 000 cases by default; `PROPTEST_CASES=n` runs `n` (`PROPTEST_RNG_SEED=n` other ones).

mod property_runner;

use std::cell::Cell;

use property_runner::Property;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Value};
use tickwerk::trigger::spec::{BuildContext, TriggerSpec};
use tickwerk::trigger::JitterRng;
use tickwerk::{Timestamp, Zone};

const TYPES: [&str; 9] = ["date", "interval", "cron", "crontab", "calendarinterval", "and", "or", "weekly", ""];
const KEYS: [&str; 28] = [
    "run_date", "runDate", "start_date", "startDate", "end_date", "endDate", "timezone", "jitter", "weeks", "days", "hours", "minutes", "seconds",
    "years", "months", "hour", "minute", "second", "year", "month", "day", "week", "day_of_week", "dayOfWeek", "expr", "triggers", "v", "bogus",
];
const STRINGS: [&str; 24] = [
    "", "*", "*/0", "1-", "last", "5th sun", "mon-fri/2", "2024-02-29", "0001-01-01", "9999-12-31 23:59:59.999999", "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-14:00", "2024-03-10 02:30:00", "UTC", "+05:45", "-23:59", "Europe/Berlin", "Pacific/Chatham", "Mars/Base", "@daily",
    "* * * * * *", "0 0 31 2 *", "\u{0}\u{ffff}", "1e309",
];

/// Numbers at the edges: zero, -1, the integer extremes, huge and tiny floats, the ends of
/// the supported range in epoch ms, small fractions and small integers.
fn number() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(1e300)),
        Just(json!(-1e-300)),
        Just(json!(253_402_300_799_999.0_f64)),
        Just(json!(-62_135_596_800_000.0_f64)),
        (0..100u64).prop_map(|n| json!(n as f64 / 3.0)),
        (0..100u64).prop_map(|n| json!(n)),
    ]
    .boxed()
}

/// Any JSON value: null, booleans, edge numbers, trigger-ish strings and, with `depth`
/// left, arrays of objects and objects.
fn value(depth: u32) -> BoxedStrategy<Value> {
    let leaf = prop_oneof![1 => Just(Value::Null), 1 => any::<bool>().prop_map(Value::Bool), 1 => number(), 2 => select(&STRINGS[..]).prop_map(|s| json!(s))];
    if depth == 0 {
        return leaf.boxed();
    }
    prop_oneof![5 => leaf, 1 => vec(spec(depth - 1), 0..3).prop_map(Value::Array), 1 => spec(depth - 1)].boxed()
}

/// An object with an optional (possibly unknown) `type` and up to five entries of known
/// and junk keys with any values; `triggers` holds one to three such objects while
/// `depth` lasts.
fn spec(depth: u32) -> BoxedStrategy<Value> {
    let other = (select(&KEYS[..]), value(depth)).prop_map(|(k, v)| (k.to_string(), v));
    let entry = if depth > 0 {
        prop_oneof![KEYS.len() as u32 - 1 => other, 1 => vec(spec(depth - 1), 1..=3).prop_map(|c| ("triggers".to_string(), Value::Array(c)))].boxed()
    } else {
        other.boxed()
    };
    (proptest::option::weighted(0.9, select(&TYPES[..])), vec(entry, 0..6))
        .prop_map(|(kind, entries)| {
            let mut o = Map::new();
            if let Some(kind) = kind {
                o.insert("type".into(), json!(kind));
            }
            o.extend(entries);
            Value::Object(o)
        })
        .boxed()
}

/// A date at or near an end of the calendar (epoch ms up to 10 000 × 10⁶ s from it, or
/// text), or a text wall time in New York's 2024 gap (03-10 02:30) or fold (11-03 01:30).
fn extreme_date() -> BoxedStrategy<Value> {
    let dates = ["0001-01-01", "0001-01-01 00:00:00", "9999-12-31 23:59:59.999999", "9999-12-31T23:59:59Z", "1970-01-01T00:00:00+14:00", "2024-03-10 02:30:00", "2024-11-03 01:30:00"];
    prop_oneof![
        (0..10_000u64).prop_map(|n| json!(253_402_300_799_999.0_f64 - n as f64 * 1e9)),
        (0..10_000u64).prop_map(|n| json!(-62_135_596_800_000.0_f64 + n as f64 * 1e9)),
        select(dates.to_vec()).prop_map(|d| json!(d)),
    ]
    .boxed()
}

/// A well-formed spec with extreme but plausible values.
fn template(depth: u32) -> BoxedStrategy<Value> {
    let zone = || select(vec!["UTC", "Pacific/Chatham", "America/Santiago", "-12:00", "+14:00", "Australia/Lord_Howe"]);
    let day_only = || select(vec!["0001-01-01", "9999-12-31", "2024-02-29", "2023-03-26"]);
    let date = (extreme_date(), zone()).prop_map(|(d, z)| json!({"type": "date", "run_date": d, "timezone": z}));
    let interval = (select(vec![1e-6, 1.0, 59.999999, 86_400.0 * 365.0, 3.15e11]), extreme_date(), extreme_date(), zone(), 0..5u64)
        .prop_map(|(unit, s, e, z, j)| json!({"type": "interval", "seconds": unit, "start_date": s, "end_date": e, "timezone": z, "jitter": j as f64 * 1e8}));
    let calendar = (0..3u64, 0..30u64, 0..2u64, 0..24u64, 0..60u64, day_only(), zone()).prop_map(|(y, mo, d, h, mi, start, z)| {
        json!({"type": "calendarinterval", "years": y * 4000, "months": mo, "days": d, "hour": h, "minute": mi, "start_date": start, "timezone": z})
    });
    let cron = (select(vec!["*", "9999", "1970"]), select(vec!["29", "last", "5th sun"]), extreme_date(), extreme_date(), zone()).prop_map(|(year, day, s, e, z)| {
        json!({"type": "cron", "year": year, "month": "2", "day": day, "second": "*/7", "start_date": s, "end_date": e, "timezone": z, "jitter": 1e9})
    });
    if depth == 0 {
        return prop_oneof![date, interval, calendar, cron].boxed();
    }
    let pair = || (template(depth - 1), template(depth - 1));
    prop_oneof![
        date,
        interval,
        calendar,
        cron,
        pair().prop_map(|(a, b)| json!({"type": "and", "triggers": [a, b], "jitter": 0.000001})),
        pair().prop_map(|(a, b)| json!({"type": "or", "triggers": [a, b], "jitter": 0.000001})),
    ]
    .boxed()
}

/// An instant: either end of the supported range, or anywhere in it.
fn instant() -> impl Strategy<Value = Timestamp> {
    prop_oneof![
        1 => Just(Timestamp::MIN),
        1 => Just(Timestamp::MAX),
        2 => (Timestamp::MIN.as_micros()..=Timestamp::MAX.as_micros()).prop_map(Timestamp::from_micros),
    ]
}

#[test]
fn arbitrary_specs_never_panic() {
    let property = Property { regressions: "proptest-regressions/trigger_fuzz/arbitrary_specs.txt", cases: 20_000, seed: 0x6675_7a7a };
    let (built, refused) = (Cell::new(0u64), Cell::new(0u64));
    let zones = select(vec!["UTC", "America/Santiago", "Pacific/Chatham", "+14:00"]);
    let case = (prop_oneof![spec(2), template(2)], zones, instant(), any::<u64>());
    property.check(case, |(input, zone, now, jitter_seed)| {
        let ctx = BuildContext { default_zone: Zone::parse(zone).unwrap(), now };
        let t = match TriggerSpec::from_json(&input).and_then(|s| s.build(&ctx)) {
            Ok(t) => t,
            Err(e) => {
                prop_assert!(!e.code().is_empty() && !e.to_string().is_empty(), "untyped error {:?}", e);
                refused.set(refused.get() + 1);
                return Ok(());
            }
        };
        let _ = (t.to_string(), t.repr());
        let mut rng = JitterRng::new(jitter_seed);
        let mut prev = None;
        for _ in 0..5 {
            let Some(next) = t.next_fire_time(prev, ctx.now) else { break };
            let _ = t.apply_jitter(next, &mut rng);
            prev = Some(next);
        }
        let back = TriggerSpec::from_json(&t.to_spec().to_json()).and_then(|s| s.build(&ctx));
        prop_assert_eq!(back.as_ref().ok(), Some(&t), "round trip of {}", t);
        built.set(built.get() + 1);
        Ok(())
    });
    let cases = property.config().cases;
    println!("{cases} arbitrary specs: {} built, {} refused with typed errors", built.get(), refused.get());
    assert!(built.get() > 0 && refused.get() > 0);
}
