//! Property tests of the scheduler (`proptest`: generated cases that shrink to a minimal
//! failing job set, tick split or operation list; run settings in
//! `tests/property_runner/mod.rs`):
//!
//! * Splitting `[t0, t1]` into any sequence of ticks hands out the same run times for jobs
//!   that do not coalesce, and leaves every job with the same next run time.
//! * No run time is handed out before it is due, and each job's run times strictly increase.
//! * `next_wakeup()` equals the earliest due instant of an unpaused job.
//! * Replaying the store outbox into a fresh core reproduces the same jobs.
//! * Draining a backlog that does not coalesce executes the same run times whether a
//!   missed stretch of a span is skipped in one step (deviation `missed-span`) or each
//!   time is checked on its own, and the MISSED events cover exactly the missed times.
//! * Any sequence of operations never panics and keeps the job list in order.
//!
//! Fixed seeds: every run checks the same cases. `PROPTEST_CASES=n` runs `n` cases of each
//! property, `PROPTEST_RNG_SEED=n` other ones:
//! `PROPTEST_CASES=2000 cargo test --release --test scheduler_properties`.

#[allow(dead_code)]
mod common;
mod property_runner;

use common::host::Host;
use common::split;
use std::collections::{BTreeMap, HashMap};

use property_runner::Property;
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{json, Value};
use tickwerk::scheduler::{
    EventCode, JobChanges, NewJob, RunStart, RunTimes, Scheduler, SchedulerConfig, StoreKind, StoreOp, TriggerInput,
};
use tickwerk::trigger::JitterRng;
use tickwerk::Timestamp;

const T0: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

fn at(secs: i64) -> Timestamp {
    Timestamp::from_secs(T0 + secs)
}

fn iso(secs: i64) -> String {
    format!("{}", at(secs)).replace('Z', "+00:00")
}

/// A generated trigger (offsets in seconds after `at(0)`), printed as data when a case fails.
#[derive(Clone, Debug)]
enum Trig {
    Interval { seconds: i64, start: i64 },
    IntervalUntil { seconds: i64, start: i64, end: i64 },
    Date { run: i64 },
    CronEvery { step: i64 },
    CronMinuteUntil { second: i64, end: i64 },
    IntervalOrDate { seconds: i64, start: i64, run: i64 },
}

impl Trig {
    fn json(&self) -> Value {
        match *self {
            Trig::Interval { seconds, start } => json!({"type": "interval", "seconds": seconds, "start_date": iso(start)}),
            Trig::IntervalUntil { seconds, start, end } => {
                json!({"type": "interval", "seconds": seconds, "start_date": iso(start), "end_date": iso(end)})
            }
            Trig::Date { run } => json!({"type": "date", "run_date": iso(run)}),
            Trig::CronEvery { step } => json!({"type": "cron", "second": format!("*/{step}")}),
            Trig::CronMinuteUntil { second, end } => {
                json!({"type": "cron", "minute": "*/2", "second": second.to_string(), "end_date": iso(end)})
            }
            Trig::IntervalOrDate { seconds, start, run } => json!({"type": "or", "triggers": [
                {"type": "interval", "seconds": seconds, "start_date": iso(start)},
                {"type": "date", "run_date": iso(run)}]}),
        }
    }
}

/// A random trigger: intervals (some with an end date), crons (some with an end date),
/// dates, or an `or` of an interval and a date; the weights of the former hand-rolled
/// generator. Shrinks toward a plain interval with small numbers.
fn trigger() -> impl Strategy<Value = Trig> {
    prop_oneof![
        3 => (1..=120i64, 0..120i64).prop_map(|(seconds, start)| Trig::Interval { seconds, start }),
        1 => (1..=90i64, 0..120i64, 100..500i64)
            .prop_map(|(seconds, start, len)| Trig::IntervalUntil { seconds, start, end: start + len }),
        1 => (0..600i64).prop_map(|run| Trig::Date { run }),
        1 => (3..43i64).prop_map(|step| Trig::CronEvery { step }),
        1 => (0..60i64, 300..700i64).prop_map(|(second, end)| Trig::CronMinuteUntil { second, end }),
        1 => (7..37i64, 0..120i64, 0..600i64).prop_map(|(seconds, start, run)| Trig::IntervalOrDate { seconds, start, run }),
    ]
}

fn config(seed: u64, persistent: bool) -> SchedulerConfig {
    SchedulerConfig {
        jobstores: vec![("default".into(), if persistent { StoreKind::Persistent } else { StoreKind::Memory })],
        seed,
        ..SchedulerConfig::default()
    }
}

/// Builds a running scheduler with one job per trigger (ids `j0`, `j1`, …), in the shared
/// fake host. The store is persistent, so the host's check that no run precedes its job's
/// record applies (a memory store has no records to check).
fn scheduler_with(jobs: &[Trig], coalesce: bool) -> Host {
    let mut s = Scheduler::new(config(1, true));
    s.start(at(0), false).unwrap();
    for (i, t) in jobs.iter().enumerate() {
        let mut job = NewJob::new("f", TriggerInput::Json(t.json())).id(format!("j{i}"));
        job.coalesce = Some(coalesce);
        job.misfire_grace_time = Some(None);
        job.max_instances = Some(1000);
        s.add_job(job, at(0)).unwrap();
    }
    Host::new(s, at(0))
}

/// Ticks at each instant of `ticks` through the shared fake host (which checks that no run
/// precedes its store ops), finishing runs at once; returns the run times handed out per
/// job and checks that none is early or out of order.
fn drive(h: &mut Host, ticks: &[i64]) -> Result<BTreeMap<String, Vec<Timestamp>>, TestCaseError> {
    let mut out: BTreeMap<String, Vec<Timestamp>> = BTreeMap::new();
    for &k in ticks {
        let now = at(k);
        let runs = h.tick(now).runs;
        h.in_flight.clear(); // finished right here
        for run in runs {
            let mut seen = Vec::new();
            while let Some(start) = h.s.start_run_time(run.id, now).unwrap() {
                let (RunStart::Execute(t) | RunStart::Missed(t)) = start;
                prop_assert!(t <= now, "run time {} handed out at {}, before it is due", t, now);
                seen.push(t);
            }
            if let RunTimes::List(v) = &run.run_times {
                prop_assert_eq!(v, &seen, "listed and drained run times differ");
            }
            h.s.finish_run(run.id).unwrap();
            let list = out.entry(run.job_id.to_string()).or_default();
            for t in seen {
                prop_assert!(list.last().map_or(true, |p| *p < t), "run times of {} not increasing", run.job_id);
                list.push(t);
            }
        }
        h.drain();
        check_wakeup_is_earliest(&h.s)?;
    }
    Ok(out)
}

fn check_wakeup_is_earliest(s: &Scheduler) -> Result<(), TestCaseError> {
    let earliest = s.get_jobs(None).iter().filter_map(|j| j.due_at()).min();
    prop_assert_eq!(s.next_wakeup(), earliest, "next_wakeup is not the earliest due job");
    Ok(())
}

fn next_times(s: &Scheduler) -> BTreeMap<String, Option<Timestamp>> {
    s.get_jobs(None).iter().map(|j| (j.id.to_string(), j.next_run_time)).collect()
}

/// An increasing sequence of up to 40 ticks in `(0, end]` ending at `end`; shrinks toward
/// one tick at `end`.
fn split_of(end: i64) -> impl Strategy<Value = Vec<i64>> {
    vec(1..=end, 0..40).prop_map(move |mut ticks| {
        ticks.push(end);
        ticks.sort_unstable();
        ticks.dedup();
        ticks
    })
}

#[test]
fn any_split_into_ticks_gives_the_same_runs() {
    let property = Property { regressions: "proptest-regressions/scheduler_properties/any_split.txt", cases: 240, seed: 1 };
    let end = 700;
    property.check((vec(trigger(), 1..=12), split_of(end)), |(jobs, split)| {
        let every_second: Vec<i64> = (1..=end).collect();
        let mut reference = scheduler_with(&jobs, false);
        let expected = drive(&mut reference, &every_second)?;
        let mut h = scheduler_with(&jobs, false);
        let got = drive(&mut h, &split)?;
        prop_assert_eq!(got, expected, "the split changed the runs");
        prop_assert_eq!(next_times(&h.s), next_times(&reference.s), "the split changed next run times");
        Ok(())
    });
}

#[test]
fn coalescing_jobs_end_in_the_same_state_for_any_split() {
    let property = Property { regressions: "proptest-regressions/scheduler_properties/coalescing_split.txt", cases: 120, seed: 100 };
    let end = 650;
    property.check((vec(trigger(), 1..=10), split_of(end)), |(jobs, split)| {
        let mut one = scheduler_with(&jobs, true);
        let got_one = drive(&mut one, &[end])?;
        let mut many = scheduler_with(&jobs, true);
        let got_many = drive(&mut many, &split)?;
        prop_assert_eq!(next_times(&one.s), next_times(&many.s));
        // The latest run time handed out for each job is the same.
        let last = |m: &BTreeMap<String, Vec<Timestamp>>| -> BTreeMap<String, Timestamp> {
            m.iter().filter_map(|(k, v)| v.last().map(|t| (k.clone(), *t))).collect()
        };
        prop_assert_eq!(last(&got_one), last(&got_many));
        Ok(())
    });
}

/// One step of the pause/resume property: after `wait` seconds, act on job `j{job}`.
#[derive(Clone, Debug)]
enum PauseStep {
    Tick { wait: i64 },
    Pause { wait: i64, job: usize },
    Resume { wait: i64, job: usize },
}

#[test]
fn next_wakeup_tracks_pause_and_resume_of_jobs() {
    let property = Property { regressions: "proptest-regressions/scheduler_properties/pause_resume.txt", cases: 120, seed: 200 };
    let step = prop_oneof![
        2 => (0..30i64).prop_map(|wait| PauseStep::Tick { wait }),
        1 => (0..30i64, 0..8usize).prop_map(|(wait, job)| PauseStep::Pause { wait, job }),
        1 => (0..30i64, 0..8usize).prop_map(|(wait, job)| PauseStep::Resume { wait, job }),
    ];
    property.check((vec(trigger(), 1..=8), vec(step, 0..=60)), |(jobs, steps)| {
        let mut s = scheduler_with(&jobs, true);
        let mut now = 0;
        for step in &steps {
            match *step {
                PauseStep::Pause { wait, job } => {
                    now += wait;
                    let _ = s.s.pause_job(&format!("j{job}"), None);
                    s.drain();
                }
                PauseStep::Resume { wait, job } => {
                    now += wait;
                    let _ = s.s.resume_job(&format!("j{job}"), None, at(now));
                    s.drain();
                }
                PauseStep::Tick { wait } => {
                    now += wait;
                    drive(&mut s, &[now])?;
                }
            }
            check_wakeup_is_earliest(&s.s)?;
        }
        s.s.pause().unwrap();
        prop_assert_eq!(s.s.next_wakeup(), None);
        Ok(())
    });
}

/// One step of the outbox property: after `wait` seconds, an operation on job `j{job}`.
#[derive(Clone, Debug)]
enum StoreStep {
    Tick { wait: i64 },
    Add { wait: i64, job: usize, trigger: Trig, coalesce: bool },
    Rename { wait: i64, job: usize },
    Pause { wait: i64, job: usize },
    Remove { wait: i64, job: usize },
}

#[test]
fn outbox_replayed_into_a_fresh_core_reproduces_the_jobs() {
    let property = Property { regressions: "proptest-regressions/scheduler_properties/outbox_replay.txt", cases: 120, seed: 300 };
    let step = prop_oneof![
        2 => (0..20i64).prop_map(|wait| StoreStep::Tick { wait }),
        2 => (0..20i64, 0..10usize, trigger(), any::<bool>())
            .prop_map(|(wait, job, trigger, coalesce)| StoreStep::Add { wait, job, trigger, coalesce }),
        1 => (0..20i64, 0..10usize).prop_map(|(wait, job)| StoreStep::Rename { wait, job }),
        1 => (0..20i64, 0..10usize).prop_map(|(wait, job)| StoreStep::Pause { wait, job }),
        1 => (0..20i64, 0..10usize).prop_map(|(wait, job)| StoreStep::Remove { wait, job }),
    ];
    property.check(vec(step, 0..=50), |steps| {
        // The shared fake host keeps the store's records by applying the store batches.
        let mut h = Host::new(Scheduler::new(config(1, true)), at(0));
        h.s.start(at(0), false).unwrap();
        let mut now = 0;
        let mut names: HashMap<String, usize> = HashMap::new();
        for (i, step) in steps.iter().enumerate() {
            match step {
                StoreStep::Tick { wait } => {
                    now += wait;
                    drive(&mut h, &[now])?;
                }
                StoreStep::Add { wait, job, trigger, coalesce } => {
                    now += wait;
                    let mut new = NewJob::new("f", TriggerInput::Json(trigger.json())).id(format!("j{job}"));
                    new.replace_existing = true;
                    new.args = json!([i, "x"]);
                    new.coalesce = Some(*coalesce);
                    h.s.add_job(new, at(now)).unwrap();
                }
                StoreStep::Rename { wait, job } => {
                    now += wait;
                    let id = format!("j{job}");
                    let n = names.entry(id.clone()).or_default();
                    *n += 1;
                    let changes = JobChanges { name: Some(format!("{id}-{n}")), max_instances: Some(3), ..Default::default() };
                    let _ = h.s.modify_job(&id, None, changes);
                }
                StoreStep::Pause { wait, job } => {
                    now += wait;
                    let _ = h.s.pause_job(&format!("j{job}"), None);
                }
                StoreStep::Remove { wait, job } => {
                    now += wait;
                    let _ = h.s.remove_job(&format!("j{job}"), None);
                }
            }
            h.drain();
        }
        let records: Vec<Value> = h.stored.get("default").map(|m| m.values().cloned().collect()).unwrap_or_default();
        let s = &h.s;
        let mut fresh = Scheduler::new(config(1, true));
        let problems = fresh.load_jobs("default", &records, at(now)).unwrap();
        prop_assert!(problems.is_empty(), "{:?}", problems);
        fresh.start(at(now), false).unwrap();
        let a: Vec<_> = s.get_jobs(None).into_iter().cloned().collect();
        let b: Vec<_> = fresh.get_jobs(None).into_iter().cloned().collect();
        prop_assert_eq!(a.len(), b.len(), "stored records {:#?}", records);
        for (x, y) in a.iter().zip(&b) {
            prop_assert_eq!(
                (&x.id, &x.name, &x.func, &x.args, &x.kwargs, x.trigger.to_string(), &x.executor),
                (&y.id, &y.name, &y.func, &y.args, &y.kwargs, y.trigger.to_string(), &y.executor)
            );
            prop_assert_eq!(
                (x.misfire_grace_time, x.coalesce, x.max_instances, x.next_run_time, x.due_at()),
                (y.misfire_grace_time, y.coalesce, y.max_instances, y.next_run_time, y.due_at())
            );
            // The rebuilt trigger computes the same next fire times.
            let probe = at(now + 1000);
            prop_assert_eq!(x.trigger.next_fire_time(x.next_run_time, probe), y.trigger.next_fire_time(y.next_run_time, probe));
        }
        Ok(())
    });
}

/// A trigger whose backlog over many fire times after `at(0)` is long: intervals (some off
/// their grid through an explicit next run time, some with an end date inside the backlog,
/// some jittered), crons, a daily calendar interval, an `or` with an interval child (its
/// chain restarts from every fire time) and an `and`.
#[derive(Clone, Debug)]
enum Backlog {
    IntervalUntil { step: i64, start: i64, steps: i64 },
    JitteredInterval { step: i64, start: i64, jitter: i64 },
    OffGrid { start: i64, next: i64 },
    CronEvery { step: i64 },
    CronJittered { jitter: i64 },
    Daily { hour: i64 },
    IntervalOrCron { seconds: i64, start: i64 },
    IntervalAndCron,
}

impl Backlog {
    /// The trigger, its typical spacing in seconds and the explicit first run time.
    fn parts(&self) -> (Value, i64, Option<i64>) {
        match *self {
            Backlog::IntervalUntil { step, start, steps } => {
                (json!({"type": "interval", "seconds": step, "start_date": iso(start), "end_date": iso(start + step * steps)}), step, None)
            }
            Backlog::JitteredInterval { step, start, jitter } => {
                (json!({"type": "interval", "seconds": step, "start_date": iso(start), "jitter": jitter}), step, None)
            }
            Backlog::OffGrid { start, next } => (json!({"type": "interval", "seconds": 3, "start_date": iso(start)}), 3, Some(next)),
            Backlog::CronEvery { step } => (json!({"type": "cron", "second": format!("*/{step}")}), step, None),
            Backlog::CronJittered { jitter } => (json!({"type": "cron", "minute": "*", "second": "0,1,2,30", "jitter": jitter}), 15, None),
            Backlog::Daily { hour } => (json!({"type": "calendarinterval", "days": 1, "hour": hour, "start_date": "2026-01-01"}), 86_400, None),
            Backlog::IntervalOrCron { seconds, start } => (json!({"type": "or", "triggers": [
                    {"type": "interval", "seconds": seconds, "start_date": iso(start)},
                    {"type": "cron", "second": "*/7"}]}), 3, None),
            Backlog::IntervalAndCron => (json!({"type": "and", "triggers": [
                    {"type": "interval", "seconds": 2, "start_date": iso(0)},
                    {"type": "cron", "second": "*/3"}]}), 6, None),
        }
    }
}

fn backlog() -> impl Strategy<Value = Backlog> {
    prop_oneof![
        (1..=4i64, 0..5i64, 900..3900i64).prop_map(|(step, start, steps)| Backlog::IntervalUntil { step, start, steps }),
        (1..=4i64, 0..5i64, 0..40i64).prop_map(|(step, start, jitter)| Backlog::JitteredInterval { step, start, jitter }),
        (0..5i64, 1..=2i64).prop_map(|(start, d)| Backlog::OffGrid { start, next: start + d }),
        (1..=6i64).prop_map(|step| Backlog::CronEvery { step }),
        (0..3i64).prop_map(|jitter| Backlog::CronJittered { jitter }),
        (1..=5i64).prop_map(|hour| Backlog::Daily { hour }),
        (3..6i64, 0..5i64).prop_map(|(seconds, start)| Backlog::IntervalOrCron { seconds, start }),
        Just(Backlog::IntervalAndCron),
    ]
}

/// One backlog case: the trigger, the misfire grace time, the tick instant (`times`
/// spacings plus `offset` seconds after `at(0)`), the core's jitter seed and the seed of the
/// host's execution times.
#[derive(Clone, Debug)]
struct BacklogCase {
    trigger: Backlog,
    grace: Option<i64>,
    times: i64,
    offset: i64,
    seed: u64,
    work_seed: u64,
}

fn backlog_case() -> impl Strategy<Value = BacklogCase> {
    backlog().prop_flat_map(|trigger| {
        let spacing = trigger.parts().1;
        let grace = prop_oneof![1 => Just(None), 1 => Just(Some(1)), 4 => (1..=40 * spacing).prop_map(Some)];
        // Mostly spans (over 1024 run times), sometimes a listed backlog.
        let times = prop_oneof![1 => 2..1002i64, 4 => 1100..5100i64];
        (Just(trigger), grace, times, 0..spacing, any::<u64>(), any::<u64>()).prop_map(
            |(trigger, grace, times, offset, seed, work_seed)| BacklogCase { trigger, grace, times, offset, seed, work_seed },
        )
    })
}

#[test]
fn skipping_missed_stretches_executes_the_same_run_times_as_checking_each() {
    let property = Property { regressions: "proptest-regressions/scheduler_properties/missed_stretches.txt", cases: 240, seed: 500 };
    property.check(backlog_case(), |c| {
        let (trigger, spacing, explicit_next) = c.trigger.parts();
        let grace = c.grace;
        let mut s = Scheduler::new(config(c.seed, false));
        s.start(at(0), false).unwrap();
        let mut job = NewJob::new("f", TriggerInput::Json(trigger.clone())).id("j");
        job.coalesce = Some(false);
        job.misfire_grace_time = Some(grace);
        job.next_run_time = explicit_next.map(|n| Some(tickwerk::DateInput::Text(iso(n))));
        s.add_job(job, at(0)).unwrap();
        let job = s.get_job("j", None).unwrap();
        let chain_trigger = job.trigger.clone();
        // Not before the first due instant: a jittered first run can be due after a short
        // listed backlog's tick (interval 1 s, jitter 11 s, tick at +2 s).
        let now = at(spacing * c.times + c.offset).max(job.due_at().unwrap());
        while split::poll_event(&mut s).is_some() {}
        let runs = split::tick(&mut s, now);
        while split::poll_event(&mut s).is_some() {}
        prop_assert_eq!(runs.len(), 1);
        let run = &runs[0];
        let is_span = matches!(run.run_times, RunTimes::Span { .. });
        // The chain the run covers, as `start_run_time` would hand it out time by time.
        let (first, last) = (run.run_times.first().unwrap(), run.run_times.last().unwrap());
        let mut chain = vec![first];
        while let Some(n) = chain_trigger.next_fire_time(chain.last().copied(), now).filter(|n| *n > chain[chain.len() - 1] && *n <= last) {
            chain.push(n);
        }
        if let RunTimes::List(v) = &run.run_times {
            prop_assert_eq!(v, &chain);
        }
        // The host's clock: each execution takes a random while (so later times can miss
        // again); a missed time costs nothing.
        let mut rng = JitterRng::new(c.work_seed);
        let work: Vec<i64> = (0..chain.len()).map(|_| (rng.next_u64() % (3 * spacing as u64 * 1_000_000)) as i64).collect();
        let grace_us = grace.map(|g| g * 1_000_000);

        // Reference: every time checked on its own, with the same clock.
        let (mut clock, mut executed, mut missed) = (now.as_micros(), Vec::new(), Vec::new());
        for t in &chain {
            let late = clock - t.as_micros().max(run.due_at.as_micros());
            if grace_us.is_some_and(|g| late > g) {
                missed.push(*t);
            } else {
                clock += work[executed.len()];
                executed.push(*t);
            }
        }

        // The core.
        let (mut clock, mut got_executed, mut stretches, mut after_missed) = (now.as_micros(), Vec::new(), Vec::new(), false);
        while let Some(start) = s.start_run_time(run.id, Timestamp::from_micros(clock)).unwrap() {
            match start {
                RunStart::Execute(t) => {
                    got_executed.push(t);
                    clock += work[got_executed.len() - 1];
                    after_missed = false;
                }
                RunStart::Missed(t) => {
                    if is_span {
                        prop_assert!(!after_missed, "two MISSED in a row at one instant for a span");
                    }
                    after_missed = true;
                    let e = split::poll_event(&mut s).unwrap();
                    prop_assert_eq!((e.code, e.scheduled_run_time), (EventCode::JobMissed, Some(t)));
                    let last_missed = match e.scheduled_run_times {
                        None => t,
                        Some(RunTimes::Span { first, last }) => {
                            prop_assert!(is_span && first == t && last > t, "{:?}", e);
                            last
                        }
                        Some(other) => return Err(TestCaseError::fail(format!("{other:?}"))),
                    };
                    stretches.push((t, last_missed));
                }
            }
            while split::poll_event(&mut s).is_some() {}
            prop_assert!(got_executed.len() + stretches.len() <= chain.len(), "more answers than run times");
        }
        s.finish_run(run.id).unwrap();
        prop_assert_eq!(&got_executed, &executed, "executed run times differ");
        let covered: Vec<Timestamp> = stretches.iter().flat_map(|(a, b)| chain.iter().copied().filter(move |t| a <= t && t <= b)).collect();
        prop_assert_eq!(covered, missed, "the MISSED events do not cover exactly the missed times");
        Ok(())
    });
}

#[test]
fn corrupt_records_are_reported_and_kept() {
    let mut s = Scheduler::new(config(1, true));
    let good = {
        let mut src = Scheduler::new(config(1, true));
        src.start(at(0), false).unwrap();
        src.add_job(NewJob::new("f", TriggerInput::Json(json!({"type": "interval", "seconds": 5}))).id("ok"), at(0)).unwrap();
        match split::poll_store_op(&mut src) {
            Some(StoreOp::Put { record, .. }) => record.to_json(),
            other => panic!("expected a put, got {other:?}"),
        }
    };
    let mut bad_trigger = good.clone();
    bad_trigger["id"] = json!("bad-trigger");
    bad_trigger["trigger"] = json!({"type": "nonsense"});
    let mut future = good.clone();
    future["id"] = json!("future");
    future["version"] = json!(99);
    let records = vec![good, bad_trigger, future, json!("not a record")];
    let problems = s.load_jobs("default", &records, at(0)).unwrap();
    let ids: Vec<(usize, Option<&str>)> = problems
        .iter()
        .map(|p| match &p.error {
            tickwerk::Error::CorruptRecord { .. } => (p.index, p.id.as_deref()),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    // The last record has no readable id: none is made up for it.
    assert_eq!(ids, [(1, Some("bad-trigger")), (2, Some("future")), (3, None)]);
    assert!(split::poll_store_op(&mut s).is_none(), "nothing is written back or deleted");
    s.start(at(0), false).unwrap();
    assert_eq!(s.get_jobs(None).len(), 1);
}

/// One operation of the random-operations property: the clock moves by `wait` seconds
/// (sometimes backwards), then the operation runs (on job `j{job}` where it names one).
#[derive(Clone, Debug)]
enum Op {
    Tick,
    Start { paused: bool },
    Shutdown,
    PauseAll,
    ResumeAll,
    /// `trigger: None` adds an invalid cron trigger.
    Add { job: usize, trigger: Option<Trig>, replace: bool, max_instances: i64, grace: i64 },
    Modify { job: usize, coalesce: bool },
    PauseJob { job: usize },
    ResumeJob { job: usize },
    Remove { job: usize },
    Reschedule { job: usize, trigger: Trig },
    LoadJunk,
    RemoveAll,
    FinishRun,
}

fn op() -> impl Strategy<Value = (i64, Op)> {
    let job = || 0..6usize;
    let op = prop_oneof![
        3 => Just(Op::Tick),
        1 => prop_oneof![1 => Just(true), 2 => Just(false)].prop_map(|paused| Op::Start { paused }),
        1 => Just(Op::Shutdown),
        1 => prop_oneof![Just(Op::PauseAll), Just(Op::ResumeAll)],
        2 => (job(), prop_oneof![5 => trigger().prop_map(Some), 1 => Just(None)], any::<bool>(), 0..3i64, -1..=1i64)
            .prop_map(|(job, trigger, replace, max_instances, grace)| Op::Add { job, trigger, replace, max_instances, grace }),
        1 => (job(), any::<bool>()).prop_map(|(job, coalesce)| Op::Modify { job, coalesce }),
        1 => job().prop_map(|job| Op::PauseJob { job }),
        1 => job().prop_map(|job| Op::ResumeJob { job }),
        1 => job().prop_map(|job| Op::Remove { job }),
        1 => (job(), trigger()).prop_map(|(job, trigger)| Op::Reschedule { job, trigger }),
        1 => Just(Op::LoadJunk),
        1 => Just(Op::RemoveAll),
        1 => Just(Op::FinishRun),
    ];
    (-60..140i64, op)
}

/// Any sequence of operations — valid or not, with time jumping back and forth — never
/// panics, and the job list stays in APScheduler's order with `next_wakeup` consistent.
#[test]
fn random_operations_never_panic_and_keep_the_order() {
    let property = Property { regressions: "proptest-regressions/scheduler_properties/random_operations.txt", cases: 120, seed: 400 };
    property.check((any::<bool>(), vec(op(), 0..=150)), |(persistent, ops)| {
        let mut s = Scheduler::new(config(1, persistent));
        let mut now: i64 = 0;
        let mut runs = Vec::new();
        for (wait, op) in &ops {
            now += wait;
            let id = |job: &usize| format!("j{job}");
            match op {
                Op::Start { paused } => {
                    let _ = s.start(at(now), *paused);
                }
                Op::Shutdown => {
                    let _ = s.shutdown();
                }
                Op::PauseAll => {
                    let _ = s.pause();
                }
                Op::ResumeAll => {
                    let _ = s.resume();
                }
                Op::Add { job, trigger, replace, max_instances, grace } => {
                    let trigger = match trigger {
                        Some(t) => t.json(),
                        None => json!({"type": "cron", "hour": "25"}), // invalid
                    };
                    let mut new = NewJob::new("f", TriggerInput::Json(trigger)).id(id(job));
                    new.replace_existing = *replace;
                    new.max_instances = Some(*max_instances);
                    new.misfire_grace_time = Some(Some(*grace));
                    let _ = s.add_job(new, at(now));
                }
                Op::Modify { job, coalesce } => {
                    let changes = JobChanges::from_json(&json!({"coalesce": coalesce, "nextRunTime": iso(now + 5)}));
                    let _ = changes.and_then(|c| s.modify_job(&id(job), None, c));
                }
                Op::PauseJob { job } => {
                    let _ = s.pause_job(&id(job), None);
                }
                Op::ResumeJob { job } => {
                    let _ = s.resume_job(&id(job), None, at(now));
                }
                Op::Remove { job } => {
                    let _ = s.remove_job(&id(job), None);
                }
                Op::Reschedule { job, trigger } => {
                    let _ = s.reschedule_job(&id(job), None, TriggerInput::Json(trigger.json()), at(now));
                }
                Op::LoadJunk => {
                    let _ = s.load_jobs("default", &[json!({"version": 1, "id": "junk"}), json!(null)], at(now));
                }
                Op::RemoveAll => {
                    let _ = s.remove_all_jobs(None);
                }
                Op::FinishRun => {
                    if let Some(run) = runs.pop() {
                        let _ = s.start_run_time(run, at(now));
                        let _ = s.finish_run(run);
                        let _ = s.finish_run(run);
                    }
                }
                Op::Tick => {
                    for run in split::tick(&mut s, at(now)) {
                        prop_assert!(run.run_times.last().is_some_and(|t| t <= at(now)), "early run");
                        runs.push(run.id);
                    }
                }
            }
            while split::poll_event(&mut s).is_some() {}
            while split::poll_store_op(&mut s).is_some() {}
            if s.state() == tickwerk::scheduler::SchedulerState::Running {
                check_wakeup_is_earliest(&s)?;
                let jobs = s.get_jobs(None);
                let keys: Vec<_> = jobs.iter().map(|j| (j.due_at().is_none(), j.due_at(), j.id.clone())).collect();
                let mut sorted = keys.clone();
                sorted.sort();
                prop_assert_eq!(keys, sorted, "get_jobs order");
            }
        }
        Ok(())
    });
}
