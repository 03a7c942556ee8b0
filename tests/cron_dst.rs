//! Cron fire times at DST transitions (±1 s) in America/New_York, Europe/London,
//! Europe/Paris, Australia/Lord_Howe (30-minute DST), Pacific/Chatham (+12:45/+13:45),
//! Asia/Kathmandu (the 1986 +05:30 → +05:45 change) and America/Santiago (midnight
//! transitions).
//!
//! Two kinds of checks:
//! * a literal table for a fixed hour and minute inside each spring-forward gap, where
//!   APScheduler's behaviour (the gap wall time with the pre-gap offset, or not) is the
//!   point;
//! * hourly, `*/15` and fixed-hour triggers at every transition, compared with an
//!   independent brute-force reference (every existing local wall minute that matches,
//!   read with chrono-tz): repeated wall times fire twice, gap wall times never.

use chrono::{NaiveDateTime, Timelike};
use tickwerk::trigger::cron::CronFields;
use tickwerk::trigger::CronTrigger;
use tickwerk::{Timestamp, Zone};

const ZONES: [&str; 7] = [
    "America/New_York",
    "Europe/London",
    "Europe/Paris",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kathmandu",
    "America/Santiago",
];

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339("t", s).unwrap()
}

fn cron(zone: &str, hour: Option<&str>, minute: &str) -> CronTrigger {
    let fields = CronFields { hour: hour.map(str::to_string), minute: Some(minute.to_string()), ..CronFields::default() };
    CronTrigger::new(&fields, None, None, Zone::parse(zone).unwrap(), None).unwrap()
}

/// t1 = next(None, now), t(k+1) = next(t(k), t(k)).
fn fire_times(t: &CronTrigger, now: Timestamp, n: usize) -> Vec<Timestamp> {
    let mut out = Vec::new();
    let mut prev = None;
    while out.len() < n {
        match t.next_fire_time(prev, prev.unwrap_or(now)) {
            Some(x) => {
                out.push(x);
                prev = Some(x);
            }
            None => break,
        }
    }
    out
}

const SEC: i64 = 1_000_000;

fn plus(t: Timestamp, secs: i64) -> Timestamp {
    Timestamp::from_micros(t.as_micros() + secs * SEC)
}

#[test]
fn fixed_time_inside_each_gap() {
    // (zone, hour, minute, transition instant, expected from T-1s, expected from T and T+1s)
    let table = [
        // 02:30 does not exist on 2024-03-10; APScheduler returns 02:30-05:00 = 03:30 EDT.
        ("America/New_York", "2", "30", "2024-03-10T07:00:00Z", ["2024-03-10T02:30:00-05:00", "2024-03-11T02:30:00-04:00"], "2024-03-11T02:30:00-04:00"),
        ("Europe/London", "1", "30", "2024-03-31T01:00:00Z", ["2024-03-31T01:30:00+00:00", "2024-04-01T01:30:00+01:00"], "2024-04-01T01:30:00+01:00"),
        ("Europe/Paris", "2", "30", "2024-03-31T01:00:00Z", ["2024-03-31T02:30:00+01:00", "2024-04-01T02:30:00+02:00"], "2024-04-01T02:30:00+02:00"),
        // 30-minute gap 02:00-02:30: 02:15+10:30 is 02:45 LHDT.
        ("Australia/Lord_Howe", "2", "15", "2023-09-30T15:30:00Z", ["2023-10-01T02:15:00+10:30", "2023-10-02T02:15:00+11:00"], "2023-10-02T02:15:00+11:00"),
        // gap 02:45-03:45 (+12:45 -> +13:45)
        ("Pacific/Chatham", "3", "15", "2024-09-28T14:00:00Z", ["2024-09-29T03:15:00+12:45", "2024-09-30T03:15:00+13:45"], "2024-09-30T03:15:00+13:45"),
        // the midnight gap: APScheduler reaches the day by a carry, which normalizes: no gap time
        ("America/Santiago", "0", "30", "2024-09-08T04:00:00Z", ["2024-09-09T00:30:00-03:00", "2024-09-10T00:30:00-03:00"], "2024-09-09T00:30:00-03:00"),
        // the 15-minute gap of 1986-01-01 00:00-00:15, also reached by a carry
        ("Asia/Kathmandu", "0", "10", "1985-12-31T18:30:00Z", ["1986-01-02T00:10:00+05:45", "1986-01-03T00:10:00+05:45"], "1986-01-02T00:10:00+05:45"),
    ];
    for (zone, hour, minute, transition, from_before, from_after) in table {
        let t = cron(zone, Some(hour), minute);
        let tr = ts(transition);
        let seg = Zone::parse(zone).unwrap().segment_at(tr);
        assert_eq!(seg.start, Some(tr), "{zone}: {transition} is a transition");
        let got = fire_times(&t, plus(tr, -1), 2);
        assert_eq!(got, from_before.map(ts).to_vec(), "{zone} from T-1s");
        for now in [tr, plus(tr, 1)] {
            assert_eq!(t.next_fire_time(None, now), Some(ts(from_after)), "{zone} from {now}");
        }
    }
}

/// The transitions of `zone` in `[from, to)`.
fn transitions(zone: Zone, from: Timestamp, to: Timestamp) -> Vec<Timestamp> {
    let mut out = Vec::new();
    let mut t = from;
    while let Some(end) = zone.segment_at(t).end {
        if end >= to {
            break;
        }
        out.push(end);
        t = end;
    }
    out
}

/// Brute force: every instant in `[now, now + 3 days)` whose local wall time (chrono-tz)
/// is a whole minute with the given minute pattern and optional hour.
fn reference(zone: Zone, hour: Option<u32>, minute_ok: &dyn Fn(u32) -> bool, now: Timestamp, n: usize) -> Vec<Timestamp> {
    let start = now.ceil_to_second().secs_floor();
    let first_minute = (start + 59).div_euclid(60) * 60;
    let mut out = Vec::new();
    let mut s = first_minute;
    while out.len() < n && s < start + 3 * 86_400 {
        let local: NaiveDateTime = zone.to_local(Timestamp::from_secs(s));
        if local.second() == 0 && minute_ok(local.minute()) && hour.map_or(true, |h| local.hour() == h) {
            out.push(Timestamp::from_secs(s));
        }
        s += 60;
    }
    out
}

/// A trigger, its fixed hour (if any) and its minute predicate.
type Case = (CronTrigger, Option<u32>, Box<dyn Fn(u32) -> bool>);

#[test]
fn every_transition_against_brute_force() {
    let mut checked = 0;
    for name in ZONES {
        let zone = Zone::parse(name).unwrap();
        let (from, to) = if name == "Asia/Kathmandu" {
            (ts("1985-06-01T00:00:00Z"), ts("1986-06-01T00:00:00Z"))
        } else {
            (ts("2023-01-01T00:00:00Z"), ts("2025-01-01T00:00:00Z"))
        };
        let trs = transitions(zone, from, to);
        assert!(!trs.is_empty(), "{name} has transitions");
        for tr in trs {
            let before = zone.offset_at(plus(tr, -1));
            let after = zone.offset_at(tr);
            // a wall time in the middle of the gap / repeated stretch
            let mid_wall = tr.secs_floor() + after as i64 + (before - after).abs() as i64 / 2;
            let mid = Timestamp::from_secs(mid_wall).to_utc_naive();
            let mut triggers: Vec<Case> = vec![
                (cron(name, None, "0"), None, Box::new(|m| m == 0)),
                (cron(name, None, "*/15"), None, Box::new(|m| m % 15 == 0)),
            ];
            if after < before {
                // fold: a fixed time inside the repeated stretch fires twice
                let (h, m) = (mid.hour(), mid.minute());
                triggers.push((cron(name, Some(&h.to_string()), &m.to_string()), Some(h), Box::new(move |x| x == m)));
            }
            for (trigger, hour, minute_ok) in &triggers {
                for now in [plus(tr, -1), tr, plus(tr, 1), plus(tr, -3600)] {
                    let n = if hour.is_some() { 3 } else { 12 };
                    let want = reference(zone, *hour, minute_ok.as_ref(), now, n);
                    let got = fire_times(trigger, now, want.len());
                    assert_eq!(got, want, "{name} {trigger} from {now} (transition {tr})");
                    checked += 1;
                }
            }
        }
    }
    println!("checked {checked} (zone, transition, trigger, now) combinations");
    assert!(checked > 100);
}

#[test]
fn repeated_hour_fires_twice_and_gap_hours_are_skipped_for_wildcards() {
    let t = cron("America/New_York", None, "30");
    let got = fire_times(&t, ts("2024-11-03T00:10:00-04:00"), 4);
    let want = ["2024-11-03T00:30:00-04:00", "2024-11-03T01:30:00-04:00", "2024-11-03T01:30:00-05:00", "2024-11-03T02:30:00-05:00"];
    assert_eq!(got, want.map(ts).to_vec());
    let got = fire_times(&t, ts("2024-03-10T00:10:00-05:00"), 3);
    let want = ["2024-03-10T00:30:00-05:00", "2024-03-10T01:30:00-05:00", "2024-03-10T03:30:00-04:00"];
    assert_eq!(got, want.map(ts).to_vec());
    // Chatham's repeated 02:45-03:45 does not start on a whole hour: both occurrences fire
    let t = cron("Pacific/Chatham", Some("3"), "0");
    let got = fire_times(&t, ts("2024-04-07T02:00:00+13:45"), 3);
    let want = ["2024-04-07T03:00:00+13:45", "2024-04-07T03:00:00+12:45", "2024-04-08T03:00:00+12:45"];
    assert_eq!(got, want.map(ts).to_vec());
}

#[test]
fn weekly_job_does_not_skip_the_week_after_spring_forward() {
    // deviation no-skip: APScheduler returns 2026-03-16 here
    let fields = CronFields { day_of_week: Some("mon".into()), ..CronFields::default() };
    let t = CronTrigger::new(&fields, None, None, Zone::parse("America/New_York").unwrap(), None).unwrap();
    assert_eq!(t.next_fire_time(None, ts("2026-03-07T12:00:00-05:00")), Some(ts("2026-03-09T00:00:00-04:00")));
}

#[test]
fn rules_continue_after_2099() {
    // chrono-tz has no transitions after 2099; zoneinfo, and our zone table, keep the yearly rule
    let t = cron("America/New_York", Some("12"), "0");
    assert_eq!(t.next_fire_time(None, ts("2150-07-01T00:00:00Z")), Some(ts("2150-07-01T12:00:00-04:00")));
    assert_eq!(t.next_fire_time(None, ts("2150-12-01T00:00:00Z")), Some(ts("2150-12-01T12:00:00-05:00")));
    // 2150-03-08 is the second Sunday of March: 02:30 does not exist; APScheduler's gap time
    let t = cron("America/New_York", Some("2"), "30");
    assert_eq!(t.next_fire_time(None, ts("2150-03-08T00:00:00-05:00")), Some(ts("2150-03-08T02:30:00-05:00")));
}

#[test]
fn end_date_is_compared_by_wall_clock_like_apscheduler() {
    // Chatham repeats 02:45-03:45 on 2025-04-06. The end date 03:40 (first occurrence,
    // 13:55Z) still admits 03:00:30 of the second occurrence (14:15:30Z): APScheduler
    // compares datetimes of one zone by wall time.
    let chatham = Zone::parse("Pacific/Chatham").unwrap();
    let end = tickwerk::time::DateInput::Text("2025-04-06 03:40:00".into()).resolve("end_date", chatham).unwrap();
    assert_eq!(end, ts("2025-04-06T03:40:00+13:45"));
    let fields = CronFields { minute: Some("*/10".into()), second: Some("30".into()), ..CronFields::default() };
    let t = CronTrigger::new(&fields, None, Some(end), chatham, None).unwrap();
    assert_eq!(t.next_fire_time(None, ts("2025-04-06T03:00:00+12:45")), Some(ts("2025-04-06T03:00:30+12:45")));
    // 03:40:30 is after the end's wall time 03:40
    assert_eq!(t.next_fire_time(None, ts("2025-04-06T03:30:31+12:45")), None);
    // Lord Howe repeats 01:30-02:00 on 2023-04-02; with the end at 01:30 (first occurrence)
    // APScheduler's walk passes 01:31 (after the end's wall time) and stops.
    let lh = Zone::parse("Australia/Lord_Howe").unwrap();
    let end = ts("2023-04-02T01:30:00+11:00");
    let fields = CronFields { hour: Some("1".into()), minute: Some("*/30".into()), ..CronFields::default() };
    let t = CronTrigger::new(&fields, None, Some(end), lh, None).unwrap();
    assert_eq!(fire_times(&t, ts("2023-04-01T01:14:14+11:00"), 5), ["2023-04-01T01:30:00+11:00", "2023-04-02T01:00:00+11:00", "2023-04-02T01:30:00+11:00"].map(ts).to_vec());
}
