//! `cargo bench --bench cron`: nanoseconds per successive `next_fire_time` call of
//! tickwerk's cron engine, side by side with the `cron` crate and `croner` on the
//! expressions they can express, in UTC and America/New_York.
//!
//! Each measurement walks successive fire times from 2024-01-01 (restarting there after the
//! year 2400 or when a schedule runs out) for a fixed number of calls, three times, and keeps
//! the fastest run. A counting allocator checks that tickwerk's calls allocate nothing.
//!
//! `cargo test --all-targets` also runs this file (it has no test harness) but without the
//! `--bench` argument `cargo bench` passes: then only a smoke run of a few calls per case
//! checks that everything still builds, agrees and does not allocate.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use chrono::{DateTime, TimeZone};
use chrono_tz::Tz;
use tickwerk::trigger::cron::CronFields;
use tickwerk::trigger::CronTrigger;
use tickwerk::{Timestamp, Zone};

/// Counts heap allocations (to show that the hot path has none).
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const START: i64 = 1_704_067_200; // 2024-01-01T00:00:00Z
const RESTART: i64 = 13_569_465_600; // 2400-01-01T00:00:00Z

/// One benchmark expression in each library's syntax (`None`: not expressible there).
struct Case {
    name: &'static str,
    /// tickwerk: a crontab line, or cron fields as `field=value` pairs separated by `;`.
    ours: &'static str,
    /// `cron` crate: `sec min hour dom month dow year`.
    cron: Option<&'static str>,
    /// croner: 5 fields (POSIX weekdays, `L`, `#`).
    croner: Option<&'static str>,
}

const CASES: [Case; 12] = [
    Case { name: "*/5 * * * *", ours: "*/5 * * * *", cron: Some("0 */5 * * * * *"), croner: Some("*/5 * * * *") },
    Case { name: "0 0 * * *", ours: "0 0 * * *", cron: Some("0 0 0 * * * *"), croner: Some("0 0 * * *") },
    Case { name: "0 9 * * 1-5", ours: "0 9 * * 1-5", cron: Some("0 0 9 * * Mon-Fri *"), croner: Some("0 9 * * 1-5") },
    Case { name: "30 2 * * *", ours: "30 2 * * *", cron: Some("0 30 2 * * * *"), croner: Some("30 2 * * *") },
    Case { name: "*/15 1-3 * * *", ours: "*/15 1-3 * * *", cron: Some("0 */15 1-3 * * * *"), croner: Some("*/15 1-3 * * *") },
    Case { name: "0 0 29 2 *", ours: "0 0 29 2 *", cron: Some("0 0 0 29 2 * *"), croner: Some("0 0 29 2 *") },
    Case { name: "0 0 31 * *", ours: "0 0 31 * *", cron: Some("0 0 0 31 * * *"), croner: Some("0 0 31 * *") },
    Case { name: "day='last'", ours: "day=last", cron: Some("0 0 0 L * * *"), croner: Some("0 0 L * *") },
    Case { name: "day='last fri'", ours: "day=last fri", cron: None, croner: Some("0 0 * * 5L") },
    Case { name: "day='2nd mon'", ours: "day=2nd mon", cron: None, croner: Some("0 0 * * 1#2") },
    Case { name: "0 0 1 1 *", ours: "0 0 1 1 *", cron: Some("0 0 0 1 1 * *"), croner: Some("0 0 1 1 *") },
    Case { name: "*/10 * * * * * (6)", ours: "*/10 * * * * *", cron: Some("*/10 * * * * * *"), croner: None },
];

fn build_ours(spec: &str, zone: Zone) -> CronTrigger {
    if !spec.contains('=') {
        return CronTrigger::from_crontab(spec, zone).expect("valid crontab");
    }
    let mut f = CronFields::default();
    for pair in spec.split(';') {
        let (k, v) = pair.split_once('=').expect("field=value");
        let v = Some(v.to_string());
        match k {
            "day" => f.day = v,
            "day_of_week" => f.day_of_week = v,
            "hour" => f.hour = v,
            _ => panic!("{k}"),
        }
    }
    CronTrigger::new(&f, None, None, zone, None).expect("valid fields")
}

/// Best of three: nanoseconds per call of `run(calls)`.
fn measure(calls: usize, mut run: impl FnMut(usize)) -> f64 {
    run(calls / 10); // warm up
    (0..3)
        .map(|_| {
            let t = Instant::now();
            run(calls);
            t.elapsed().as_nanos() as f64 / calls as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn tickwerk_run(t: &CronTrigger, calls: usize) {
    let start = Timestamp::from_secs(START);
    let mut prev = t.next_fire_time(None, start);
    for _ in 0..calls {
        prev = match prev {
            Some(p) if p.secs_floor() < RESTART => black_box(t.next_fire_time(Some(p), p)),
            _ => t.next_fire_time(None, start),
        };
    }
    black_box(prev);
}

fn cron_run(s: &cron::Schedule, tz: Tz, calls: usize) {
    let start = tz.timestamp_opt(START, 0).unwrap();
    let mut it = s.after(&start);
    for _ in 0..calls {
        match it.next() {
            Some(d) if d.timestamp() < RESTART => {
                black_box(d);
            }
            _ => it = s.after(&start),
        }
    }
}

fn croner_run(c: &croner::Cron, tz: Tz, calls: usize) {
    let start: DateTime<Tz> = tz.timestamp_opt(START, 0).unwrap();
    let mut t = start;
    for _ in 0..calls {
        t = match c.find_next_occurrence(&t, false) {
            Ok(d) if d.timestamp() < RESTART => black_box(d),
            _ => start,
        };
    }
}

/// The first `n` fire times (epoch seconds) of each library, to show that they agree.
fn first_times(t: &CronTrigger, n: usize) -> Vec<i64> {
    let mut out = Vec::new();
    let mut prev = None;
    let start = Timestamp::from_secs(START);
    while out.len() < n {
        let Some(x) = t.next_fire_time(prev, prev.unwrap_or(start)) else { break };
        out.push(x.secs_floor());
        prev = Some(x);
    }
    out
}

fn main() {
    // `cargo bench` passes `--bench`; anything else (`cargo test --all-targets`) is a smoke run
    let full = std::env::args().any(|a| a == "--bench");
    let default_calls = if full { 200_000 } else { 100 };
    let calls: usize = std::env::var("CRON_BENCH_CALLS").ok().and_then(|v| v.parse().ok()).unwrap_or(default_calls);
    if !full {
        println!("smoke run (not started by `cargo bench`): figures are meaningless");
    }
    println!("ns per successive next fire time ({calls} calls, best of 3); ratio = other / tickwerk");
    println!(
        "{:<22} {:<17} {:>10} {:>10} {:>10} {:>8} {:>8}  notes",
        "expression", "zone", "tickwerk", "cron", "croner", "cron/tw", "croner/tw"
    );
    let mut worst_cron_ratio = f64::INFINITY;
    let mut worst_croner_ratio = f64::INFINITY;
    for zone_name in ["UTC", "America/New_York"] {
        let zone = Zone::parse(zone_name).unwrap();
        let tz: Tz = zone_name.parse().unwrap();
        for case in &CASES {
            let ours = build_ours(case.ours, zone);
            let mut notes = Vec::new();
            // allocation check on the hot path
            let check_calls = if full { 10_000 } else { 1_000 };
            tickwerk_run(&ours, 1000);
            let before = ALLOCATIONS.load(Ordering::Relaxed);
            tickwerk_run(&ours, check_calls);
            let allocs = ALLOCATIONS.load(Ordering::Relaxed) - before;
            if allocs != 0 {
                notes.push(format!("{allocs} allocations in {check_calls} calls!"));
            }
            let ns_ours = measure(calls, |n| tickwerk_run(&ours, n));
            let want = first_times(&ours, 8);

            let cron_sched = case.cron.and_then(|c| cron::Schedule::from_str(c).ok());
            if case.cron.is_some() && cron_sched.is_none() {
                notes.push("cron crate cannot parse it".to_string());
            }
            let ns_cron = cron_sched.as_ref().map(|s| {
                let start = tz.timestamp_opt(START, 0).unwrap();
                let got: Vec<i64> = s.after(&(start - chrono::Duration::seconds(1))).take(8).map(|d| d.timestamp()).collect();
                if got != want {
                    notes.push("cron differs".to_string());
                }
                measure(calls, |n| cron_run(s, tz, n))
            });
            let croner_c = case.croner.and_then(|c| croner::Cron::from_str(c).ok());
            if case.croner.is_some() && croner_c.is_none() {
                notes.push("croner cannot parse it".to_string());
            }
            let croner_calls = if full { (calls / 10).max(1000) } else { calls };
            let ns_croner = croner_c.as_ref().map(|c| {
                let start: DateTime<Tz> = tz.timestamp_opt(START, 0).unwrap();
                let mut got = Vec::new();
                let mut t = c.find_next_occurrence(&start, true).ok();
                while let Some(d) = t {
                    if got.len() == 8 {
                        break;
                    }
                    got.push(d.timestamp());
                    t = c.find_next_occurrence(&d, false).ok();
                }
                if got != want {
                    notes.push("croner differs".to_string());
                }
                measure(croner_calls, |n| croner_run(c, tz, n))
            });
            let fmt = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.0}"));
            let ratio = |v: Option<f64>| v.map(|x| x / ns_ours);
            if let Some(r) = ratio(ns_cron) {
                worst_cron_ratio = worst_cron_ratio.min(r);
            }
            if let Some(r) = ratio(ns_croner) {
                worst_croner_ratio = worst_croner_ratio.min(r);
            }
            // the smoke run fails on what the full run only notes
            let broken: Vec<&String> = notes.iter().filter(|n| n.contains("differs") || n.contains("allocations")).collect();
            assert!(full || broken.is_empty(), "{} in {zone_name}: {broken:?}", case.name);
            println!(
                "{:<22} {:<17} {:>10.0} {:>10} {:>10} {:>8} {:>8}  {}",
                case.name,
                zone_name,
                ns_ours,
                fmt(ns_cron),
                fmt(ns_croner),
                ratio(ns_cron).map_or("-".to_string(), |r| format!("{r:.1}x")),
                ratio(ns_croner).map_or("-".to_string(), |r| format!("{r:.1}x")),
                notes.join("; ")
            );
        }
    }
    println!("smallest ratio: cron/tickwerk {worst_cron_ratio:.2}x, croner/tickwerk {worst_croner_ratio:.2}x");
}
