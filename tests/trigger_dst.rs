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

use chrono::{Duration, NaiveDateTime};
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
