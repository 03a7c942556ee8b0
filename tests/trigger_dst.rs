//! DST tables for the date, interval and calendar-interval triggers: every offset change
//! in mid-2023..mid-2025 (Asia/Kathmandu: its 1986 change) of the zones issue 2 names,
//! checked ±1 s around the transition instant.
//!
//! For a transition at instant `T` from offset `before` to `after` (`delta = after -
//! before`), with `W` the wall time `T` reads in the old offset:
//!
//! * **gap** (`delta > 0`): wall times `[W, W + delta)` do not exist;
//! * **fold** (`delta < 0`): wall times `[W + delta, W)` occur twice.
//!
//! Expected values follow PEP 495 / APScheduler: date text is read with fold = 0 (a gap
//! time moves forward, an ambiguous time takes the first occurrence); intervals step in
//! absolute time; a calendar interval skips a date whose time is in a gap and takes the
//! first occurrence of an ambiguous one.
//!
//! Beside the tables, generated cases (`proptest`, shrinking to the smallest offset from
//! the change): intervals of seconds to weeks starting near each change fire at the start
//! plus whole intervals (the first at or after `now`), and calendar intervals of 1-10 days
//! with a wall time near the change fire at the first existing occurrence of each date's
//! wall time, compared with a reference built from the zone's offsets.

mod property_runner;

use chrono::{Duration, NaiveDateTime};
use property_runner::Property;
use proptest::prelude::*;
use serde_json::json;
use tickwerk::trigger::spec::{BuildContext, TriggerSpec};
use tickwerk::trigger::Trigger;
use tickwerk::{Timestamp, Zone};

const ZONES: [&str; 7] = ["America/New_York", "Europe/London", "Europe/Paris", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kathmandu", "America/Santiago"];

struct Transition {
    at: Timestamp,
    before: i64,
    after: i64,
}

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339("t", s).unwrap()
}

fn secs(n: i64) -> i64 {
    n * 1_000_000
}

fn transitions(zone: Zone, from: &str, until: &str) -> Vec<Transition> {
    let (mut t, until) = (ts(from), ts(until));
    let mut out = Vec::new();
    while let Some(end) = zone.segment_at(t).end {
        if end >= until {
            break;
        }
        let before = zone.offset_at(end.checked_add_micros(-1).unwrap()) as i64;
        let after = zone.offset_at(end) as i64;
        out.push(Transition { at: end, before, after });
        t = end;
    }
    out
}

fn table() -> Vec<(&'static str, Zone, Transition)> {
    let mut rows = Vec::new();
    for name in ZONES {
        let zone = Zone::parse(name).unwrap();
        let (from, until) = if name == "Asia/Kathmandu" { ("1985-06-01T00:00:00Z", "1986-06-01T00:00:00Z") } else { ("2023-07-01T00:00:00Z", "2025-07-01T00:00:00Z") };
        let found = transitions(zone, from, until);
        assert!(!found.is_empty(), "{name}: no transition found");
        rows.extend(found.into_iter().map(|t| (name, zone, t)));
    }
    rows
}

fn build(v: serde_json::Value) -> Trigger {
    let ctx = BuildContext { default_zone: Zone::Utc, now: ts("2000-01-01T00:00:00Z") };
    TriggerSpec::from_json(&v).and_then(|s| s.build(&ctx)).unwrap_or_else(|e| panic!("{v}: {e}"))
}

fn wall(zone: Zone, t: Timestamp) -> NaiveDateTime {
    zone.to_local(t)
}

fn text(n: NaiveDateTime) -> String {
    n.format("%Y-%m-%d %H:%M:%S").to_string()
}

#[test]
fn date_text_around_each_transition() {
    let mut checked = 0;
    for (name, zone, tr) in table() {
        let delta = tr.after - tr.before;
        let w = wall(zone, tr.at.checked_add_micros(-secs(1)).unwrap()) + Duration::seconds(1); // W
        let cases = [
            // the last second before the change exists once
            (w - Duration::seconds(1), tr.at.as_micros() - secs(1)),
            // W itself: in a gap it moves forward to T; in a fold, W is after the fold and
            // exists once, at T - delta (the new offset)
            (w, if delta > 0 { tr.at.as_micros() } else { tr.at.as_micros() - secs(delta) }),
            // T + 1 s reads W + delta + 1 s: after a gap that exists once (T + 1 s); in a
            // fold it is ambiguous and takes the first occurrence, T + 1 s + delta
            (w + Duration::seconds(delta + 1), tr.at.as_micros() + secs(1) + secs(delta.min(0))),
        ];
        for (local, want) in cases {
            let t = build(json!({"type": "date", "run_date": text(local), "timezone": name}));
            let got = t.next_fire_time(None, ts("2000-01-01T00:00:00Z")).unwrap();
            assert_eq!(got.as_micros(), want, "{name} transition at {}: run_date {local}", tr.at);
            checked += 1;
        }
    }
    assert!(checked >= 3 * 13, "only {checked} rows");
}

#[test]
fn interval_steps_in_absolute_time_across_each_transition() {
    for (name, zone, tr) in table() {
        let start = tr.at.checked_add_micros(-secs(3600) - secs(1)).unwrap();
        let t = build(json!({"type": "interval", "minutes": 30, "start_date": start.as_micros() / 1000, "timezone": name}));
        let mut prev: Option<Timestamp> = None;
        let mut walls = Vec::new();
        for _ in 0..6 {
            let next = t.next_fire_time(prev, start).unwrap();
            if let Some(p) = prev {
                assert_eq!(next.as_micros() - p.as_micros(), secs(1800), "{name}: not 30 real minutes apart");
            }
            walls.push(wall(zone, next));
            prev = Some(next);
        }
        // the wall clock jumps by the offset change between the runs around T
        let jump = walls[3] - walls[2];
        assert_eq!(jump.num_seconds(), 1800 + (tr.after - tr.before), "{name} at {}: walls {walls:?}", tr.at);
    }
}

#[test]
fn calendar_interval_skips_gap_dates_and_takes_the_first_of_a_fold() {
    for (name, zone, tr) in table() {
        let delta = tr.after - tr.before;
        let w = wall(zone, tr.at.checked_add_micros(-secs(1)).unwrap()) + Duration::seconds(1);
        // a wall time in the middle of the gap / fold, on the transition's date
        let mid = w + Duration::seconds(delta / 2);
        let day = mid.date();
        let time = mid.time();
        let start = day - Duration::days(1);
        let t = build(json!({"type": "calendarinterval", "days": 1,
            "hour": chrono::Timelike::hour(&time), "minute": chrono::Timelike::minute(&time), "second": chrono::Timelike::second(&time),
            "start_date": start.format("%Y-%m-%d").to_string(), "timezone": name}));
        let first = t.next_fire_time(None, ts("2000-01-01T00:00:00Z")).unwrap();
        assert_eq!(wall(zone, first), start.and_time(time), "{name}: first fire on the day before");
        let second = t.next_fire_time(Some(first), first).unwrap();
        if delta > 0 {
            // the transition date is skipped: the next run is the day after, same wall time
            assert_eq!(wall(zone, second), (day + Duration::days(1)).and_time(time), "{name} gap at {}", tr.at);
        } else {
            // the first occurrence: read with the offset before the change
            assert_eq!(second.as_micros(), Timestamp::from_utc_naive(mid).as_micros() - secs(tr.before), "{name} fold at {}", tr.at);
        }
    }
}

// ---- generated cases (`proptest`; run settings in tests/property_runner/mod.rs) ----

/// A transition of `table()` (by index) and an offset from it: ±2 days, ±2 hours or ±2 s
/// in whole milliseconds, shrinking to the transition itself.
fn near_a_transition() -> impl Strategy<Value = (usize, i64)> {
    let offset_ms = prop_oneof![-172_800_000..172_800_000i64, -7_200_000..7_200_000i64, -2_000..2_000i64];
    (0..table().len(), offset_ms)
}

/// An interval in whole units as the JSON spec takes it, and its length in µs: a few
/// seconds, about an hour, about a day (each ±1 s), or 1-50 weeks.
fn interval() -> impl Strategy<Value = (&'static str, i64, i64)> {
    prop_oneof![
        (1..=59i64).prop_map(|n| ("seconds", n, secs(n))),
        (3599..=3601i64).prop_map(|n| ("seconds", n, secs(n))),
        (86_399..=86_401i64).prop_map(|n| ("seconds", n, secs(n))),
        (1..=50i64).prop_map(|n| ("weeks", n, secs(n * 7 * 86_400))),
    ]
}

#[test]
fn interval_fire_times_are_the_start_plus_whole_intervals() {
    let property = Property { regressions: "proptest-regressions/trigger_dst/interval.txt", cases: 1000, seed: 0x696e_7476 };
    let rows = table();
    // now: up to 3 intervals before the start, or up to 3 intervals after it
    let case = (near_a_transition(), interval(), -3_000..3_000i64);
    property.check(case, |((row, offset_ms), (unit, n, step), now_thousandths)| {
        let (name, zone, tr) = &rows[row];
        let start = Timestamp::from_micros((tr.at.as_micros() / 1000 + offset_ms) * 1000);
        let now = Timestamp::from_micros(start.as_micros() + step * now_thousandths / 1000);
        let t = build(json!({"type": "interval", unit: n, "start_date": start.as_micros() / 1000, "timezone": name}));
        // APScheduler: the start if it is still ahead, else the first start + k × interval >= now
        let elapsed = now.as_micros() - start.as_micros();
        let k = if elapsed <= 0 { 0 } else { (elapsed + step - 1) / step };
        let mut want = start.as_micros() + k * step;
        let mut prev: Option<Timestamp> = None;
        for _ in 0..4 {
            let next = t.next_fire_time(prev, prev.unwrap_or(now));
            prop_assert_eq!(next.map(|x| x.as_micros()), Some(want), "{} {} {} from {} (start {})", name, n, unit, now, start);
            let next = next.unwrap();
            if let Some(p) = prev {
                // the wall clock moves by the interval plus the offset change between the runs
                let jump = (wall(*zone, next) - wall(*zone, p)).num_microseconds().unwrap();
                let shift = secs((zone.offset_at(next) - zone.offset_at(p)) as i64);
                prop_assert_eq!(jump, step + shift, "{}: wall {} -> {}", name, wall(*zone, p), wall(*zone, next));
            }
            prev = Some(next);
            want += step;
        }
        Ok(())
    });
}

/// The instants reading wall time `local` in `zone`, earliest first: none in a gap, two in
/// a fold (found from the offsets around `near`, independently of the trigger code).
fn instants_reading(zone: Zone, local: NaiveDateTime, near: &Transition) -> Vec<Timestamp> {
    let mut out: Vec<Timestamp> = [near.before, near.after]
        .into_iter()
        .map(|o| Timestamp::from_micros(Timestamp::from_utc_naive(local).as_micros() - secs(o)))
        .filter(|&t| wall(zone, t) == local)
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn calendar_interval_fires_at_the_first_existing_wall_time_of_each_date() {
    let property = Property { regressions: "proptest-regressions/trigger_dst/calendar_interval.txt", cases: 1000, seed: 0x6361_6c69 };
    let rows = table();
    // the wall time within ±2 hours (whole seconds) of the change, dates every 1-10 days
    // from a start up to 20 days before the change's date
    let case = (0..rows.len(), -7_200..7_200i64, 1..=10i64, 0..=20i64);
    property.check(case, |(row, offset, every, lead)| {
        let (name, zone, tr) = &rows[row];
        let w = wall(*zone, tr.at.checked_add_micros(-secs(1)).unwrap()) + Duration::seconds(1);
        let at = w + Duration::seconds(offset);
        let time = at.time();
        let start = at.date() - Duration::days(lead);
        let t = build(json!({"type": "calendarinterval", "days": every,
            "hour": chrono::Timelike::hour(&time), "minute": chrono::Timelike::minute(&time), "second": chrono::Timelike::second(&time),
            "start_date": start.format("%Y-%m-%d").to_string(), "timezone": name}));
        // reference: the dates start + k × every; a date whose wall time is in a gap is
        // skipped, an ambiguous one takes its first occurrence
        let want: Vec<Timestamp> = (0..)
            .map(|k| (start + Duration::days(k * every)).and_time(time))
            .filter_map(|local| instants_reading(*zone, local, tr).first().copied())
            .take(4)
            .collect();
        let mut got = Vec::new();
        let mut prev: Option<Timestamp> = None;
        for _ in 0..4 {
            let Some(next) = t.next_fire_time(prev, prev.unwrap_or(ts("2000-01-01T00:00:00Z"))) else { break };
            got.push(next);
            prev = Some(next);
        }
        prop_assert_eq!(&got, &want, "{} every {} days from {} at {} (change at {})", name, every, start, time, tr.at);
        Ok(())
    });
}
