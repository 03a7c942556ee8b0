//! Property tests over generated triggers (`proptest`: fixed seeds, so every run checks the
//! same cases, and a failure shrinks to a minimal trigger description; run settings and
//! `PROPTEST_CASES` / `PROPTEST_RNG_SEED` in `tests/property_runner/mod.rs`):
//!
//! * the JSON form round-trips losslessly: `build(from_json(to_json(to_spec(t)))) == t`,
//!   whatever the build context, also through serde text;
//! * fire times strictly increase, and a first fire time is never before `now` (except
//!   for date and calendar-interval triggers, which return their start even when past,
//!   as APScheduler does);
//! * jittered run times lie within `[t, t + jitter]` (generated jitter seeds).
//!
//! Instants are spread over 1990–2060, a quarter of them within two days of a month's
//! start (month ends, 29 February); intervals run from 1 ms to 50 weeks.

mod property_runner;

use std::cell::Cell;

use property_runner::Property;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Value};
use tickwerk::trigger::spec::{BuildContext, TriggerSpec};
use tickwerk::trigger::{JitterRng, Trigger};
use tickwerk::{Timestamp, Zone};

const ZONES: [&str; 10] = [
    "UTC",
    "+05:30",
    "-03:00",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kathmandu",
    "America/Santiago",
    "Europe/London",
];

/// Seconds of the first instant of `year`-`month` in UTC.
fn month_start_secs(year: i32, month: u32) -> i64 {
    chrono::NaiveDate::from_ymd_opt(year, month, 1).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp()
}

/// An instant in 1990–2060 (uniform, or within two days of a month's start), with
/// microseconds in 30% of the cases.
fn instant() -> impl Strategy<Value = Timestamp> {
    let secs = prop_oneof![
        3 => 631_152_000..=2_208_988_800i64,
        1 => (1990..=2059, 1..=12u32, -2 * 86_400..2 * 86_400i64).prop_map(|(y, m, d)| month_start_secs(y, m) + d),
    ];
    (secs, option::weighted(0.3, 0..1_000_000i64)).prop_map(|(s, us)| Timestamp::from_micros(s * 1_000_000 + us.unwrap_or(0)))
}

/// A date in one of the input forms: naive text, text with an offset, epoch ms.
fn date_value() -> impl Strategy<Value = Value> {
    (instant(), 0..4u8, select(vec!["Z", "+05:45", "-10:00", "+13:45"])).prop_map(|(t, form, suffix)| {
        let naive = t.to_utc_naive();
        match form {
            0 => json!(naive.format("%Y-%m-%d %H:%M:%S").to_string()),
            1 => json!(naive.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()),
            2 => json!(format!("{}{}", naive.format("%Y-%m-%dT%H:%M:%S"), suffix)),
            _ => json!(t.as_micros() / 1000),
        }
    })
}

/// A `timezone` entry in 60% of the cases.
fn maybe_zone() -> impl Strategy<Value = Option<(String, Value)>> {
    option::weighted(0.6, select(&ZONES[..])).prop_map(|z| z.map(|z| ("timezone".to_string(), json!(z))))
}

/// A `jitter` entry in half the cases: whole seconds below 120, or sevenths of a second.
fn maybe_jitter() -> impl Strategy<Value = Option<(String, Value)>> {
    prop_oneof![
        2 => Just(None),
        1 => (0..120u64).prop_map(|j| Some(("jitter".to_string(), json!(j)))),
        1 => (0..10_000u64).prop_map(|j| Some(("jitter".to_string(), json!(j as f64 / 7.0)))),
    ]
}

/// An object from its entries (a later duplicate key wins, as in JSON parsers).
fn object(entries: impl IntoIterator<Item = Option<(String, Value)>>) -> Value {
    Value::Object(entries.into_iter().flatten().collect::<Map<String, Value>>())
}

fn entry(key: &str, value: Value) -> Option<(String, Value)> {
    Some((key.to_string(), value))
}

fn date_spec() -> BoxedStrategy<Value> {
    (option::weighted(0.9, (any::<bool>(), date_value())), maybe_zone())
        .prop_map(|(run, zone)| {
            let run = run.map(|(snake, d)| (if snake { "run_date" } else { "runDate" }.to_string(), d));
            object([entry("type", json!("date")), run, zone])
        })
        .boxed()
}

fn interval_spec() -> BoxedStrategy<Value> {
    let amount = prop_oneof![
        (1..=50u64).prop_map(|n| json!(n)),
        (1..=100_000u64).prop_map(|n| json!(n as f64 / 1000.0)),
        (1..=9u64).prop_map(|n| json!(n as f64 * 0.25)),
    ];
    let units = vec((select(vec!["weeks", "days", "hours", "minutes", "seconds"]), amount), 1..=3);
    (units, option::weighted(0.8, date_value()), option::weighted(0.3, date_value()), maybe_zone(), maybe_jitter())
        .prop_map(|(units, start, end, zone, jitter)| {
            let mut entries = vec![entry("type", json!("interval"))];
            entries.extend(units.into_iter().map(|(u, v)| entry(u, v)));
            entries.extend([start.map(|d| ("start_date".to_string(), d)), end.map(|d| ("endDate".to_string(), d)), zone, jitter]);
            object(entries)
        })
        .boxed()
}

fn calendar_spec() -> BoxedStrategy<Value> {
    let counts = [0; 3].map(|_| option::weighted(0.35, 0..4u64));
    let times = (option::weighted(0.6, 0..24u64), option::weighted(0.6, 0..60u64), option::weighted(0.6, 0..60u64));
    (counts, 1..=10u64, times, instant(), option::weighted(0.4, 0..2000i64), maybe_zone(), maybe_jitter())
        .prop_map(|([years, months, weeks], days, (hour, minute, second), start, end_days, zone, jitter)| {
            let start = start.to_utc_naive().date();
            let num = |k: &str, v: Option<u64>| v.map(|v| (k.to_string(), json!(v)));
            object([
                entry("type", json!("calendarinterval")),
                num("years", years),
                num("months", months),
                num("weeks", weeks),
                num("days", Some(days)),
                num("hour", hour),
                num("minute", minute),
                num("second", second),
                entry("start_date", json!(start.format("%Y-%m-%d").to_string())),
                end_days.map(|n| ("end_date".to_string(), json!((start + chrono::Duration::days(n)).format("%Y-%m-%d").to_string()))),
                zone,
                jitter,
            ])
        })
        .boxed()
}

fn cron_spec() -> BoxedStrategy<Value> {
    let choices: [(&'static str, &'static [&'static str]); 8] = [
        ("year", &["*", "2020-2040", "2030", "*/2"]),
        ("month", &["*", "1-6", "jan,jul", "*/3", "feb-dec"]),
        ("day", &["*", "1", "last", "2nd mon", "last fri", "1-15/2", "13"]),
        ("week", &["*", "1-20", "*/2"]),
        ("day_of_week", &["*", "mon-fri", "0,6", "sun", "2"]),
        ("hour", &["*", "2", "*/6", "9-17", "0,12"]),
        ("minute", &["*", "0", "*/15", "30", "5-10"]),
        ("second", &["0", "*/20", "*", "59"]),
    ];
    // per field: absent (65%) or a value, as a JSON number when it is one (half the time);
    // day_of_week spelled dayOfWeek half the time
    let fields = choices.map(|(name, values)| {
        option::weighted(0.35, (select(values), any::<bool>(), any::<bool>())).prop_map(move |v| {
            v.map(|(v, as_number, camel)| {
                let value = match v.parse::<u64>() {
                    Ok(n) if as_number => json!(n),
                    _ => json!(v),
                };
                let key = if name == "day_of_week" && camel { "dayOfWeek" } else { name };
                (key.to_string(), value)
            })
        })
    });
    (fields, option::weighted(0.3, date_value()), option::weighted(0.2, date_value()), maybe_zone(), maybe_jitter())
        .prop_map(|(fields, start, end, zone, jitter)| {
            let mut entries = vec![entry("type", json!("cron"))];
            entries.extend(fields);
            entries.extend([start.map(|d| ("start_date".to_string(), d)), end.map(|d| ("end_date".to_string(), d)), zone, jitter]);
            object(entries)
        })
        .boxed()
}

fn crontab_spec() -> BoxedStrategy<Value> {
    let exprs = vec!["*/5 * * * *", "0 9 * * 1-5", "30 2 * * *", "0 0 1,15 * 5", "0 0 L * *", "0 12 * * 5#2", "@daily", "15 10 * * 7", "*/10 * * * * *"];
    (select(exprs), maybe_zone()).prop_map(|(e, zone)| object([entry("type", json!("crontab")), entry("expr", json!(e)), zone])).boxed()
}

fn combining_spec(kind: &'static str, children: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    (vec(children, 1..=3), maybe_jitter())
        .prop_map(move |(children, jitter)| object([entry("type", json!(kind)), entry("triggers", Value::Array(children)), jitter]))
        .boxed()
}

/// A trigger description that builds (date, interval, calendar interval, cron, crontab,
/// and, or), nested `depth` deep; shrinks toward a date trigger. Inside an `and` only
/// dates, intervals and combinations of them are generated: children that never agree cost
/// the full bounded search (10 000 rounds) on every call, which is slow for calendar or
/// cron children in a debug build (see `and_of_calendar_intervals` for their test).
fn spec(depth: u32, in_and: bool) -> BoxedStrategy<Value> {
    match (depth > 0, in_and) {
        (true, false) => prop_oneof![
            date_spec(),
            interval_spec(),
            calendar_spec(),
            combining_spec("and", spec(depth - 1, true)),
            combining_spec("or", spec(depth - 1, false)),
            cron_spec(),
            crontab_spec(),
        ]
        .boxed(),
        (true, true) => prop_oneof![date_spec(), interval_spec(), combining_spec("and", spec(depth - 1, true)), combining_spec("or", spec(depth - 1, true))].boxed(),
        (false, false) => prop_oneof![date_spec(), interval_spec(), calendar_spec(), cron_spec(), crontab_spec()].boxed(),
        (false, true) => prop_oneof![date_spec(), interval_spec()].boxed(),
    }
}

/// A build context: a default zone and a `now`.
fn context() -> impl Strategy<Value = BuildContext> {
    (select(&ZONES[..]), instant()).prop_map(|(z, now)| BuildContext { default_zone: Zone::parse(z).unwrap(), now })
}

fn has_kind(t: &Trigger, pred: &dyn Fn(&Trigger) -> bool) -> bool {
    pred(t)
        || match t {
            Trigger::And(a) => a.triggers().iter().any(|c| has_kind(c, pred)),
            Trigger::Or(o) => o.triggers().iter().any(|c| has_kind(c, pred)),
            _ => false,
        }
}

#[test]
fn json_round_trip_is_lossless() {
    let property = Property { regressions: "proptest-regressions/trigger_properties/json_round_trip.txt", cases: 3000, seed: 0x7469_636b };
    let built = Cell::new(0);
    property.check((spec(2, false), context(), context()), |(input, ctx, other)| {
        let t = match TriggerSpec::from_json(&input).and_then(|s| s.build(&ctx)) {
            Ok(t) => t,
            // A generated end date before the start, or a date past an end: fine, skip.
            Err(e) => {
                prop_assert_eq!(e.code(), "INVALID_ARGUMENT", "{}: {}", input, e);
                return Ok(());
            }
        };
        built.set(built.get() + 1);
        let canonical = t.to_spec().to_json();
        // build in a different context: the canonical form must not depend on it
        let back = TriggerSpec::from_json(&canonical).and_then(|s| s.build(&other));
        prop_assert!(back.is_ok(), "{}: {:?}", canonical, back.err());
        let back = back.unwrap();
        prop_assert_eq!(&back, &t, "{} -> {}", input, canonical);
        prop_assert_eq!(back.to_spec().to_json(), canonical.clone(), "canonical form is not stable");
        let text = serde_json::to_string(&t.to_spec()).unwrap();
        let via_serde: TriggerSpec = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(via_serde.build(&other).ok(), Some(t.clone()), "serde text {}", text);
        prop_assert_eq!(back.to_string(), t.to_string());
        Ok(())
    });
    let (built, cases) = (built.get(), property.config().cases);
    assert!(built * 3 > cases * 2, "only {built} of {cases} generated triggers built");
}

#[test]
fn fire_times_strictly_increase_and_never_precede_now() {
    let property = Property { regressions: "proptest-regressions/trigger_properties/fire_times.txt", cases: 1500, seed: 0x6669_7265 };
    let fired = Cell::new(0);
    // after each fire time the scheduler may call later (20%: up to ~2.8 hours later)
    let later = vec(option::weighted(0.2, 0..10_000_000_000i64), 30);
    let case = (spec(2, false), context(), option::of(instant()), any::<u64>(), later);
    property.check(case, |(input, ctx, other_now, jitter_seed, later)| {
        let Ok(t) = TriggerSpec::from_json(&input).and_then(|s| s.build(&ctx)) else { return Ok(()) };
        let now = other_now.unwrap_or(ctx.now);
        let starts_in_past = has_kind(&t, &|c| matches!(c, Trigger::Date(_) | Trigger::CalendarInterval(_)));
        let mut prev: Option<Timestamp> = None;
        let mut at = now;
        let mut rng = JitterRng::new(jitter_seed);
        for delay in later {
            let Some(next) = t.next_fire_time(prev, at) else { break };
            fired.set(fired.get() + 1);
            match prev {
                Some(p) => prop_assert!(next > p, "{}: {} after {}", input, next, p),
                None if !starts_in_past => prop_assert!(next >= now, "{}: first {} before now {}", input, next, now),
                None => {}
            }
            if let Some(due_at) = t.apply_jitter(next, &mut rng) {
                prop_assert!(due_at >= next, "jitter went backwards");
                let bound = jitter_bound(&t);
                prop_assert!(due_at.as_micros() - next.as_micros() <= bound, "jitter {} > {} µs", due_at.as_micros() - next.as_micros(), bound);
            }
            prev = Some(next);
            // the scheduler may call later than the fire time; the answer must not change
            // for an interval (it ignores now with a previous time) and must stay > prev
            at = delay.map_or(next, |d| next.checked_add_micros(d).unwrap_or(next));
        }
        Ok(())
    });
    let (fired, cases) = (fired.get(), property.config().cases as usize);
    assert!(fired * 3 > cases * 20, "only {fired} fire times were produced in {cases} cases");
}

/// The largest total jitter a trigger can add, in µs: its own plus (for an or) its
/// children's.
fn jitter_bound(t: &Trigger) -> i64 {
    let own = (t.jitter().unwrap_or(0.0) * 1e6).round() as i64;
    own + match t {
        Trigger::Or(o) => o.triggers().iter().map(jitter_bound).max().unwrap_or(0),
        _ => 0,
    }
}

#[test]
fn and_of_calendar_intervals() {
    // every 2 days and every 3 days from the same start, at 09:00 Berlin: every 6 days
    let spec = json!({"type": "and", "triggers": [
        {"type": "calendarinterval", "days": 2, "hour": 9, "start_date": "2024-03-01", "timezone": "Europe/Berlin"},
        {"type": "calendarinterval", "days": 3, "hour": 9, "start_date": "2024-03-01", "timezone": "Europe/Berlin"}]});
    let ctx = BuildContext { default_zone: Zone::Utc, now: Timestamp::from_secs(0) };
    let t = TriggerSpec::from_json(&spec).unwrap().build(&ctx).unwrap();
    let now = Timestamp::parse_rfc3339("now", "2024-03-02T00:00:00Z").unwrap();
    let first = t.next_fire_time(None, now).unwrap();
    assert_eq!(first, Timestamp::parse_rfc3339("t", "2024-03-07T08:00:00Z").unwrap());
    // across the spring-forward change the wall time stays 09:00 (CEST from 03-31)
    let mut prev = first;
    let mut got = vec![];
    for _ in 0..4 {
        prev = t.next_fire_time(Some(prev), prev).unwrap();
        got.push(prev.to_string());
    }
    assert_eq!(got, ["2024-03-13T08:00:00Z", "2024-03-19T08:00:00Z", "2024-03-25T08:00:00Z", "2024-03-31T07:00:00Z"]);
}
