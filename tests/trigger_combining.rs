//! AND / OR semantics through the public JSON form: the bounded AND search, OR's shared
//! previous fire time, strictly increasing fire times, and where jitter applies.

use std::collections::HashSet;

use serde_json::{json, Value};
use tickwerk::trigger::spec::{BuildContext, TriggerSpec};
use tickwerk::trigger::{JitterRng, Trigger};
use tickwerk::{Timestamp, Zone};

fn ts(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339("t", s).unwrap()
}

fn build(v: Value) -> Trigger {
    let ctx = BuildContext { default_zone: Zone::parse("America/New_York").unwrap(), now: ts("2024-01-01T00:00:00Z") };
    TriggerSpec::from_json(&v).and_then(|s| s.build(&ctx)).unwrap_or_else(|e| panic!("{v}: {e}"))
}

fn run(t: &Trigger, now: &str, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let (mut prev, mut at) = (None, ts(now));
    while out.len() < n {
        let Some(next) = t.next_fire_time(prev, at) else { break };
        out.push(next.to_string());
        prev = Some(next);
        at = next;
    }
    out
}

#[test]
fn and_that_can_never_agree_ends_instead_of_hanging() {
    // APScheduler loops forever on this (deviation and-no-hang): 02:00 daily never
    // coincides with a 09:00 run date.
    let t = build(json!({"type": "and", "triggers": [{"type": "cron", "hour": "2"}, {"type": "date", "run_date": "2024-06-01 09:00:00"}]}));
    assert_eq!(t.next_fire_time(None, ts("2024-01-01T00:00:00Z")), None);
    // two cron children that never meet: the bounded search gives up
    let t = build(json!({"type": "and", "triggers": [{"type": "cron", "hour": "2"}, {"type": "cron", "hour": "3"}]}));
    assert_eq!(t.next_fire_time(None, ts("2024-01-01T00:00:00Z")), None);
}

#[test]
fn and_finds_every_common_time_in_order() {
    // weekdays at 06:00/12:00 every 30 min AND minute 0 or 30: each weekday 6:00, 6:30, 12:00, 12:30 (New York)
    let t = build(json!({"type": "and", "triggers": [
        {"type": "cron", "day_of_week": "mon-fri", "hour": "6,12", "minute": "*/30"},
        {"type": "cron", "hour": "*", "minute": "0,30", "timezone": "America/New_York"}]}));
    let got = run(&t, "2024-03-08T12:00:00Z", 6);
    // Friday 2024-03-08 07:00 EST .. then Monday after the spring-forward (EDT, -4)
    assert_eq!(
        got,
        ["2024-03-08T17:00:00Z", "2024-03-08T17:30:00Z", "2024-03-11T10:00:00Z", "2024-03-11T10:30:00Z", "2024-03-11T16:00:00Z", "2024-03-11T16:30:00Z"]
    );
}

#[test]
fn and_of_interval_and_date_meets_on_the_grid() {
    let t = build(json!({"type": "and", "triggers": [
        {"type": "interval", "minutes": 10, "start_date": "2024-01-01T00:00:00Z"},
        {"type": "date", "run_date": "2024-01-01T00:30:00Z"}]}));
    assert_eq!(run(&t, "2024-01-01T00:00:00Z", 5), ["2024-01-01T00:30:00Z"]);
    // off the grid: never
    let t = build(json!({"type": "and", "triggers": [
        {"type": "interval", "minutes": 10, "start_date": "2024-01-01T00:00:00Z"},
        {"type": "date", "run_date": "2024-01-01T00:31:00Z"}]}));
    assert!(run(&t, "2024-01-01T00:00:00Z", 5).is_empty());
}

#[test]
fn or_merges_children_without_repeating_an_instant() {
    // both children fire at 12:00 UTC: it runs once, then continues
    let t = build(json!({"type": "or", "triggers": [
        {"type": "cron", "hour": "12", "timezone": "UTC"},
        {"type": "cron", "hour": "*/6", "timezone": "UTC"}]}));
    assert_eq!(
        run(&t, "2024-01-01T10:00:00Z", 4),
        ["2024-01-01T12:00:00Z", "2024-01-01T18:00:00Z", "2024-01-02T00:00:00Z", "2024-01-02T06:00:00Z"]
    );
    let got = run(&t, "2024-01-01T00:00:00Z", 50);
    let unique: HashSet<_> = got.iter().collect();
    assert_eq!(unique.len(), got.len());
}

#[test]
fn or_passes_the_combined_previous_to_every_child() {
    // APScheduler's vector `added.or.mixed_cron_interval`: the interval restarts from the
    // cron child's 09:00 fire time (09:00 + 5 h = 14:00), not its own grid (10:00).
    let t = build(json!({"type": "or", "triggers": [
        {"type": "cron", "hour": "9", "timezone": "Europe/Berlin"},
        {"type": "interval", "hours": 5, "start_date": "2024-01-01T00:00:00+01:00", "timezone": "Europe/Berlin"}]}));
    let prev = ts("2024-01-01T09:00:00+01:00");
    assert_eq!(t.next_fire_time(Some(prev), prev), Some(ts("2024-01-01T14:00:00+01:00")));
}

#[test]
fn or_of_dates_fires_once_as_in_apscheduler() {
    // A date child is exhausted once any previous fire time exists, so an OR of dates
    // fires only at the earliest one: APScheduler 3.x behaves the same.
    let t = build(json!({"type": "or", "triggers": [
        {"type": "date", "run_date": "2024-01-02T00:00:00Z"},
        {"type": "date", "run_date": "2024-01-03T00:00:00Z"}]}));
    assert_eq!(run(&t, "2024-01-01T00:00:00Z", 5), ["2024-01-02T00:00:00Z"]);
}

#[test]
fn jitter_of_combinations() {
    let now = ts("2024-01-01T10:00:00Z");
    // AND: only its own jitter (children's jitter is ignored), within [t, t + 5 s]
    let t = build(json!({"type": "and", "jitter": 5, "triggers": [
        {"type": "cron", "hour": "12", "timezone": "UTC", "jitter": 3600},
        {"type": "cron", "minute": "0", "timezone": "UTC"}]}));
    let base = t.next_fire_time(None, now).unwrap();
    assert_eq!(base, ts("2024-01-01T12:00:00Z"));
    let mut rng = JitterRng::new(1);
    let draws: Vec<Timestamp> = (0..200).map(|_| t.apply_jitter(base, &mut rng).unwrap()).collect();
    assert!(draws.iter().all(|d| *d >= base && d.as_micros() - base.as_micros() <= 5_000_000));
    assert!(draws.iter().collect::<HashSet<_>>().len() > 1);
    // OR: the producing child's jitter, then its own: within [t, t + 60 s + 5 s]
    let t = build(json!({"type": "or", "jitter": 5, "triggers": [
        {"type": "cron", "hour": "12", "timezone": "UTC", "jitter": 60},
        {"type": "cron", "hour": "13", "timezone": "UTC"}]}));
    let base = t.next_fire_time(None, now).unwrap();
    let draws: Vec<i64> = (0..500).map(|_| t.apply_jitter(base, &mut rng).unwrap().as_micros() - base.as_micros()).collect();
    assert!(draws.iter().all(|d| (0..=65_000_000).contains(d)));
    assert!(draws.iter().any(|d| *d > 5_000_000), "the child's jitter should apply");
    // at 13:00 only the un-jittered child fires: own jitter only
    let base = t.next_fire_time(Some(base), base).unwrap();
    assert_eq!(base, ts("2024-01-01T13:00:00Z"));
    assert!((0..500).all(|_| t.apply_jitter(base, &mut rng).unwrap().as_micros() - base.as_micros() <= 5_000_000));
}

#[test]
fn or_keeps_every_child_time_through_a_repeated_hour() {
    // APScheduler's OrTrigger takes Python's min() of its children's datetimes, which compares
    // wall clocks within one zone: after 01:05 EDT it picks 01:05 EST (wall 01:05 < 01:20) and
    // skips 01:20 EDT, 01:40 EDT and 01:00 EST (scheduler scenario s7-0035). The no-skip rule
    // says every cron child's times count, in instant order.
    let t = build(json!({"type": "or", "triggers": [{"type": "cron", "minute": "*/20"}, {"type": "cron", "hour": "*", "minute": "5"}]}));
    let got = run(&t, "2024-11-03T05:05:00Z", 6);
    assert_eq!(
        got,
        [
            "2024-11-03T05:05:00Z", // 01:05 EDT
            "2024-11-03T05:20:00Z", // 01:20 EDT
            "2024-11-03T05:40:00Z", // 01:40 EDT
            "2024-11-03T06:00:00Z", // 01:00 EST
            "2024-11-03T06:05:00Z", // 01:05 EST
            "2024-11-03T06:20:00Z", // 01:20 EST
        ]
    );
}

/// The OR adds the jitter of the child that produced the time even when that child is an
/// interval restarted from another child's fire time (off its own grid): `next_fire` and
/// `jitter_fire` find the producer from the same `next_fire_time(previous, now)` call.
#[test]
fn or_jitter_follows_an_interval_child_restarted_off_its_grid() {
    // every 10 min from 00:00 with up to 30 s jitter, OR at minute 5 without jitter
    let t = build(json!({"type": "or", "triggers": [
        {"type": "interval", "minutes": 10, "start_date": "2024-01-01T00:00:00+00:00", "timezone": "UTC", "jitter": 30},
        {"type": "cron", "minute": "5", "timezone": "UTC"}]}));
    let prev = ts("2024-01-01T00:05:00Z"); // the cron child fired
    // the interval child restarts from 00:05: 00:15, not on its 00:10/00:20 grid
    let base = ts("2024-01-01T00:15:00Z");
    assert_eq!(t.next_fire_time(Some(prev), prev), Some(base));
    let mut rng = JitterRng::new(9);
    let mut fires = Vec::new();
    let mut rescheduled = Vec::new();
    for _ in 0..300 {
        let f = t.next_fire(Some(prev), prev, &mut rng).unwrap();
        assert_eq!(f.time, base);
        fires.push(f.due_at.as_micros() - base.as_micros());
        rescheduled.push(t.jitter_fire(base, Some(prev), prev, &mut rng).unwrap().as_micros() - base.as_micros());
    }
    for draws in [&fires, &rescheduled] {
        assert!(draws.iter().all(|d| (0..=30_000_000).contains(d)), "within the child's 30 s");
        assert!(draws.iter().filter(|d| **d > 0).count() > 250, "the interval child's jitter applies");
        assert!(draws.iter().collect::<HashSet<_>>().len() > 250);
    }
    // without the previous fire time only the child's own grid can name the producer
    assert!((0..100).all(|_| t.apply_jitter(base, &mut rng) == Some(base)));
    // from 00:58 the cron child's 01:05 comes before the interval's 01:08: no jitter
    let prev = ts("2024-01-01T00:58:00Z");
    let cron_time = ts("2024-01-01T01:05:00Z");
    assert!((0..100).all(|_| t.next_fire(Some(prev), prev, &mut rng).map(|f| (f.time, f.due_at)) == Some((cron_time, cron_time))));
    // from 00:55 both give 01:05: the first child in order (the interval) produced it
    let prev = ts("2024-01-01T00:55:00Z");
    let tied: Vec<i64> = (0..100).map(|_| t.next_fire(Some(prev), prev, &mut rng).unwrap().due_at.as_micros() - cron_time.as_micros()).collect();
    assert!(tied.iter().all(|d| (0..=30_000_000).contains(d)) && tied.iter().filter(|d| **d > 0).count() > 90);
}

#[test]
fn nested_ands_share_one_search_budget_instead_of_multiplying_it() {
    // Found by tests/js/fuzz.test.mjs: an AND holding an OR holding an AND. With 10,000
    // rounds per level the query took 9 s (two levels: up to 10^8 child queries) and froze
    // the event loop at every tick; the rounds are now counted over the whole query.
    let t = build(json!({"type": "and", "triggers": [
        {"type": "cron", "hour": "0", "timezone": "UTC"},
        {"type": "or", "triggers": [
            {"type": "interval", "seconds": 2, "start_date": 1, "timezone": "UTC"},
            {"type": "and", "triggers": [
                {"type": "interval", "seconds": 30, "start_date": 1, "timezone": "UTC"},
                {"type": "cron", "second": "*/5", "timezone": "UTC"}
            ]}
        ]}
    ]}));
    let started = std::time::Instant::now();
    let answer = t.next_fire_time(None, ts("2026-01-02T01:37:35.799Z"));
    let took = started.elapsed();
    assert!(took.as_millis() < 1500, "the nested search took {took:?}");
    // Whatever the bounded search returns must be a time every child agrees on.
    if let Some(at) = answer {
        assert_eq!(at.to_string().get(11..13), Some("00"), "{at}");
    }
}
