//! A backlog too long to step through at once (an `or` of crons, whose fire times have no
//! arithmetic, asleep for years): each tick does a bounded amount of work and the next one
//! goes on, so the scheduler never hangs; a coalescing job still runs once, at the end.

#[allow(dead_code)]
mod common;

use common::split;
use serde_json::json;
use std::time::Instant;
use tickwerk::scheduler::{EventCode, NewJob, RunTimes, Scheduler, SchedulerConfig, TriggerInput};
use tickwerk::time::DateInput;
use tickwerk::trigger::catchup::STEP_BUDGET;
use tickwerk::Timestamp;

const T0: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

/// Fires every second (`or` of a per-second cron and a daily one).
fn every_second_or() -> TriggerInput {
    TriggerInput::Json(json!({"type": "or", "triggers": [
        {"type": "cron", "second": "*", "timezone": "UTC"},
        {"type": "cron", "hour": "3", "timezone": "UTC"}
    ]}))
}

fn scheduler_with(coalesce: bool, backlog_secs: i64) -> Scheduler {
    let mut s = Scheduler::new(SchedulerConfig { seed: 5, ..SchedulerConfig::default() });
    let mut job = NewJob::new("f", every_second_or()).id("j");
    job.coalesce = Some(coalesce);
    job.misfire_grace_time = Some(None);
    job.next_run_time = Some(Some(DateInput::Instant(Timestamp::from_secs(T0 - backlog_secs))));
    s.add_job(job, Timestamp::from_secs(T0)).unwrap();
    s.start(Timestamp::from_secs(T0), false).unwrap();
    split::events(&mut s);
    s
}

#[test]
fn a_coalescing_job_passes_over_a_huge_backlog_in_bounded_ticks_and_runs_once_at_its_end() {
    let budget = STEP_BUDGET as i64;
    // Three and a half budgets of seconds behind: four ticks, one run.
    let mut s = scheduler_with(true, budget * 7 / 2);
    let now = Timestamp::from_secs(T0);
    let mut ticks = 0;
    let mut runs = Vec::new();
    while s.next_wakeup().is_some_and(|w| w <= now) {
        let started = Instant::now();
        runs.extend(split::tick(&mut s, now));
        assert!(started.elapsed().as_secs_f64() < 5.0, "one tick took {:?}", started.elapsed());
        ticks += 1;
        assert!(ticks <= 10, "the backlog does not shrink");
    }
    assert_eq!(ticks, 4, "each tick steps through at most STEP_BUDGET fire times");
    assert_eq!(runs.len(), 1, "coalesced: one run for the whole backlog");
    assert_eq!(runs[0].run_times, RunTimes::List(vec![now]), "at the backlog's last fire time");
    assert_eq!(s.get_job("j", None).unwrap().next_run_time, Some(Timestamp::from_secs(T0 + 1)));
    let submitted = split::events(&mut s).iter().filter(|e| e.code == EventCode::JobSubmitted).count();
    assert_eq!(submitted, 1);
}

#[test]
fn a_backlog_within_the_budget_is_caught_up_in_one_tick() {
    let mut s = scheduler_with(true, 1_000);
    let runs = split::tick(&mut s, Timestamp::from_secs(T0));
    assert_eq!(runs.len(), 1);
    assert!(s.next_wakeup().unwrap() > Timestamp::from_secs(T0));
}

#[test]
fn a_non_coalescing_job_gets_its_huge_backlog_in_bounded_parts() {
    let budget = STEP_BUDGET as i64;
    let mut s = scheduler_with(false, budget * 3 / 2);
    let now = Timestamp::from_secs(T0);
    let started = Instant::now();
    let first = split::tick(&mut s, now);
    assert!(started.elapsed().as_secs_f64() < 5.0, "one tick took {:?}", started.elapsed());
    assert_eq!(first.len(), 1);
    let RunTimes::Span { first: a, last: b } = first[0].run_times.clone() else { panic!("a span: {:?}", first[0].run_times) };
    assert_eq!(a, Timestamp::from_secs(T0 - budget * 3 / 2));
    assert!(b < now, "the first part stops short of now");
    // The rest is due at once, from right after the part handed out.
    let next = s.next_wakeup().unwrap();
    assert!(next > b && next <= now);
}
