//! Property tests over seeded random cases (a SplitMix64 generator; each failure prints its
//! seed). No external property-testing crate: cases are small and the generator is the
//! core's own `JitterRng`.
//!
//! * Splitting `[t0, t1]` into any sequence of ticks hands out the same run times for jobs
//!   that do not coalesce, and leaves every job with the same next run time.
//! * No run time is handed out before it is due, and each job's run times strictly increase.
//! * `next_wakeup()` equals the earliest due instant of an unpaused job.
//! * Replaying the store outbox into a fresh core reproduces the same jobs.
//! * Draining a backlog that does not coalesce executes the same run times whether a
//!   missed stretch of a span is skipped in one step (deviation `missed-span`) or each
//!   time is checked on its own, and the MISSED events cover exactly the missed times.

#[allow(dead_code)]
mod common;

use common::host::Host;
use common::split;
use std::collections::{BTreeMap, HashMap};

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

fn below(rng: &mut JitterRng, n: u64) -> u64 {
    rng.next_u64() % n.max(1)
}

/// A random trigger: intervals (some with an end date), crons (some with an end date),
/// dates, or an `or` of an interval and a date.
fn random_trigger(rng: &mut JitterRng) -> Value {
    let start = below(rng, 120) as i64;
    match below(rng, 8) {
        5 => json!({"type": "cron", "second": format!("*/{}", 3 + below(rng, 40))}),
        6 => json!({"type": "cron", "minute": "*/2", "second": below(rng, 60).to_string(), "end_date": iso(300 + below(rng, 400) as i64)}),
        0 => json!({"type": "date", "run_date": iso(below(rng, 600) as i64)}),
        1 => json!({"type": "interval", "seconds": 1 + below(rng, 90), "start_date": iso(start),
                    "end_date": iso(start + 100 + below(rng, 400) as i64)}),
        2 => json!({"type": "or", "triggers": [
                {"type": "interval", "seconds": 7 + below(rng, 30), "start_date": iso(start)},
                {"type": "date", "run_date": iso(below(rng, 600) as i64)}]}),
        _ => json!({"type": "interval", "seconds": 1 + below(rng, 120), "start_date": iso(start)}),
    }
}

fn config(seed: u64, persistent: bool) -> SchedulerConfig {
    SchedulerConfig {
        jobstores: vec![("default".into(), if persistent { StoreKind::Persistent } else { StoreKind::Memory })],
        seed,
        ..SchedulerConfig::default()
    }
}

/// Builds a running scheduler with `n` random jobs (the same for the same seed), in the
/// shared fake host.
fn random_scheduler(seed: u64, n: usize, coalesce: bool) -> Host {
    let mut rng = JitterRng::new(seed);
    let mut s = Scheduler::new(config(seed, false));
    s.start(at(0), false).unwrap();
    for i in 0..n {
        let mut job = NewJob::new("f", TriggerInput::Json(random_trigger(&mut rng))).id(format!("j{i}"));
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
fn drive(h: &mut Host, ticks: &[i64], seed: u64) -> BTreeMap<String, Vec<Timestamp>> {
    let mut out: BTreeMap<String, Vec<Timestamp>> = BTreeMap::new();
    for &k in ticks {
        let now = at(k);
        let runs = h.tick(now).runs;
        h.in_flight.clear(); // finished right here
        for run in runs {
            let mut seen = Vec::new();
            while let Some(start) = h.s.start_run_time(run.id, now).unwrap() {
                let (RunStart::Execute(t) | RunStart::Missed(t)) = start;
                assert!(t <= now, "seed {seed}: run time {t} handed out at {now}, before it is due");
                seen.push(t);
            }
            if let RunTimes::List(v) = &run.run_times {
                assert_eq!(v, &seen, "seed {seed}: listed and drained run times differ");
            }
            h.s.finish_run(run.id).unwrap();
            let list = out.entry(run.job_id.to_string()).or_default();
            for t in seen {
                assert!(list.last().map_or(true, |p| *p < t), "seed {seed}: run times of {} not increasing", run.job_id);
                list.push(t);
            }
        }
        h.drain();
        assert_wakeup_is_earliest(&h.s, seed);
    }
    out
}

fn assert_wakeup_is_earliest(s: &Scheduler, seed: u64) {
    let earliest = s.get_jobs(None).iter().filter_map(|j| j.due_at()).min();
    assert_eq!(s.next_wakeup(), earliest, "seed {seed}: next_wakeup is not the earliest due job");
}

fn next_times(s: &Scheduler) -> BTreeMap<String, Option<Timestamp>> {
    s.get_jobs(None).iter().map(|j| (j.id.to_string(), j.next_run_time)).collect()
}

/// A random increasing sequence of ticks in `(0, end]` ending at `end`.
fn random_split(rng: &mut JitterRng, end: i64) -> Vec<i64> {
    let mut ticks: Vec<i64> = (0..below(rng, 40)).map(|_| 1 + below(rng, end as u64) as i64).collect();
    ticks.push(end);
    ticks.sort_unstable();
    ticks.dedup();
    ticks
}

#[test]
fn any_split_into_ticks_gives_the_same_runs() {
    for seed in 1..=60u64 {
        let end = 700;
        let mut reference = random_scheduler(seed, 12, false);
        let every_second: Vec<i64> = (1..=end).collect();
        let expected = drive(&mut reference, &every_second, seed);
        let expected_next = next_times(&reference.s);
        let mut rng = JitterRng::new(seed ^ 0xABCD);
        for _ in 0..4 {
            let split = random_split(&mut rng, end);
            let mut s = random_scheduler(seed, 12, false);
            let got = drive(&mut s, &split, seed);
            assert_eq!(got, expected, "seed {seed}: split {split:?} changed the runs");
            assert_eq!(next_times(&s.s), expected_next, "seed {seed}: split changed next run times");
        }
    }
}

#[test]
fn coalescing_jobs_end_in_the_same_state_for_any_split() {
    for seed in 100..=140u64 {
        let end = 650;
        let mut rng = JitterRng::new(seed);
        let mut one = random_scheduler(seed, 10, true);
        let got_one = drive(&mut one, &[end], seed);
        let mut many = random_scheduler(seed, 10, true);
        let got_many = drive(&mut many, &random_split(&mut rng, end), seed);
        assert_eq!(next_times(&one.s), next_times(&many.s), "seed {seed}");
        // The latest run time handed out for each job is the same.
        let last = |m: &BTreeMap<String, Vec<Timestamp>>| -> BTreeMap<String, Timestamp> {
            m.iter().filter_map(|(k, v)| v.last().map(|t| (k.clone(), *t))).collect()
        };
        assert_eq!(last(&got_one), last(&got_many), "seed {seed}");
    }
}

#[test]
fn next_wakeup_tracks_pause_and_resume_of_jobs() {
    for seed in 200..=260u64 {
        let mut rng = JitterRng::new(seed);
        let mut s = random_scheduler(seed, 8, true);
        let mut now = 0;
        for _ in 0..60 {
            now += below(&mut rng, 30) as i64;
            let id = format!("j{}", below(&mut rng, 8));
            match below(&mut rng, 4) {
                0 => {
                    let _ = s.s.pause_job(&id, None);
                    s.drain();
                }
                1 => {
                    let _ = s.s.resume_job(&id, None, at(now));
                    s.drain();
                }
                _ => {
                    drive(&mut s, &[now], seed);
                }
            }
            assert_wakeup_is_earliest(&s.s, seed);
        }
        s.s.pause().unwrap();
        assert_eq!(s.s.next_wakeup(), None);
    }
}

#[test]
fn outbox_replayed_into_a_fresh_core_reproduces_the_jobs() {
    for seed in 300..=340u64 {
        let mut rng = JitterRng::new(seed);
        // The shared fake host keeps the store's records by applying the store batches.
        let mut h = Host::new(Scheduler::new(config(seed, true)), at(0));
        h.s.start(at(0), false).unwrap();
        let mut now = 0;
        let mut names: HashMap<String, usize> = HashMap::new();
        for step in 0..50 {
            now += below(&mut rng, 20) as i64;
            let id = format!("j{}", below(&mut rng, 10));
            match below(&mut rng, 7) {
                0 | 1 => {
                    let mut job = NewJob::new("f", TriggerInput::Json(random_trigger(&mut rng))).id(id.clone());
                    job.replace_existing = true;
                    job.args = json!([step, "x"]);
                    job.coalesce = Some(below(&mut rng, 2) == 0);
                    h.s.add_job(job, at(now)).unwrap();
                }
                2 => {
                    let n = names.entry(id.clone()).or_default();
                    *n += 1;
                    let changes = JobChanges { name: Some(format!("{id}-{n}")), max_instances: Some(3), ..Default::default() };
                    let _ = h.s.modify_job(&id, None, changes);
                }
                3 => {
                    let _ = h.s.pause_job(&id, None);
                }
                4 => {
                    let _ = h.s.remove_job(&id, None);
                }
                _ => {
                    drive(&mut h, &[now], seed);
                }
            }
            h.drain();
        }
        let records: Vec<Value> = h.stored.get("default").map(|m| m.values().cloned().collect()).unwrap_or_default();
        let s = &h.s;
        let mut fresh = Scheduler::new(config(seed, true));
        let problems = fresh.load_jobs("default", &records, at(now)).unwrap();
        assert!(problems.is_empty(), "seed {seed}: {problems:?}");
        fresh.start(at(now), false).unwrap();
        let a: Vec<_> = s.get_jobs(None).into_iter().cloned().collect();
        let b: Vec<_> = fresh.get_jobs(None).into_iter().cloned().collect();
        assert_eq!(a.len(), b.len(), "seed {seed}");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(
                (&x.id, &x.name, &x.func, &x.args, &x.kwargs, x.trigger.to_string(), &x.executor),
                (&y.id, &y.name, &y.func, &y.args, &y.kwargs, y.trigger.to_string(), &y.executor),
                "seed {seed}"
            );
            assert_eq!(
                (x.misfire_grace_time, x.coalesce, x.max_instances, x.next_run_time, x.due_at()),
                (y.misfire_grace_time, y.coalesce, y.max_instances, y.next_run_time, y.due_at()),
                "seed {seed}"
            );
            // The rebuilt trigger computes the same next fire times.
            let probe = at(now + 1000);
            assert_eq!(x.trigger.next_fire_time(x.next_run_time, probe), y.trigger.next_fire_time(y.next_run_time, probe));
        }
    }
}

/// A trigger whose backlog over `backlog` fire times after `at(0)` is long, with its
/// typical spacing in seconds: intervals (some off their grid through an explicit next run
/// time, some with an end date inside the backlog, some jittered), crons, a daily calendar
/// interval, an `or` with an interval child (its chain restarts from every fire time) and an
/// `and`.
fn backlog_trigger(rng: &mut JitterRng) -> (Value, i64, Option<i64>) {
    let start = below(rng, 5) as i64;
    match below(rng, 8) {
        0 => {
            let step = 1 + below(rng, 4) as i64;
            (json!({"type": "interval", "seconds": step, "start_date": iso(start), "end_date": iso(start + step * (900 + below(rng, 3000) as i64))}), step, None)
        }
        1 => {
            let step = 1 + below(rng, 4) as i64;
            (json!({"type": "interval", "seconds": step, "start_date": iso(start), "jitter": below(rng, 40)}), step, None)
        }
        2 => (json!({"type": "interval", "seconds": 3, "start_date": iso(start)}), 3, Some(start + 1 + below(rng, 2) as i64)),
        3 => {
            let step = 1 + below(rng, 6) as i64;
            (json!({"type": "cron", "second": format!("*/{step}")}), step, None)
        }
        4 => (json!({"type": "cron", "minute": "*", "second": "0,1,2,30", "jitter": below(rng, 3)}), 15, None),
        5 => (json!({"type": "calendarinterval", "days": 1, "hour": 1 + below(rng, 5), "start_date": "2026-01-01"}), 86_400, None),
        6 => (json!({"type": "or", "triggers": [
                {"type": "interval", "seconds": 3 + below(rng, 3), "start_date": iso(start)},
                {"type": "cron", "second": "*/7"}]}), 3, None),
        _ => (json!({"type": "and", "triggers": [
                {"type": "interval", "seconds": 2, "start_date": iso(0)},
                {"type": "cron", "second": "*/3"}]}), 6, None),
    }
}

#[test]
fn skipping_missed_stretches_executes_the_same_run_times_as_checking_each() {
    for seed in 1..=120u64 {
        let mut rng = JitterRng::new(seed.wrapping_mul(0x9E37_79B9));
        let (trigger, spacing, explicit_next) = backlog_trigger(&mut rng);
        let mut s = Scheduler::new(config(seed, false));
        s.start(at(0), false).unwrap();
        let grace = match below(&mut rng, 6) {
            0 => None,
            1 => Some(1),
            _ => Some(1 + below(&mut rng, 40 * spacing as u64) as i64),
        };
        let mut job = NewJob::new("f", TriggerInput::Json(trigger.clone())).id("j");
        job.coalesce = Some(false);
        job.misfire_grace_time = Some(grace);
        job.next_run_time = explicit_next.map(|n| Some(tickwerk::DateInput::Text(iso(n))));
        s.add_job(job, at(0)).unwrap();
        let chain_trigger = s.get_job("j", None).unwrap().trigger.clone();
        // Mostly spans (over 1024 run times), sometimes a listed backlog.
        let times = if below(&mut rng, 5) == 0 { 2 + below(&mut rng, 1000) } else { 1100 + below(&mut rng, 4000) };
        let now = at(spacing * times as i64 + below(&mut rng, spacing as u64) as i64);
        while split::poll_event(&mut s).is_some() {}
        let runs = split::tick(&mut s, now);
        while split::poll_event(&mut s).is_some() {}
        let case = format!("seed {seed}: {trigger} grace {grace:?}, tick at +{}s", now.secs_floor() - T0);
        assert_eq!(runs.len(), 1, "{case}");
        let run = &runs[0];
        let is_span = matches!(run.run_times, RunTimes::Span { .. });
        // The chain the run covers, as `start_run_time` would hand it out time by time.
        let (first, last) = (run.run_times.first().unwrap(), run.run_times.last().unwrap());
        let mut chain = vec![first];
        while let Some(n) = chain_trigger.next_fire_time(chain.last().copied(), now).filter(|n| *n > chain[chain.len() - 1] && *n <= last) {
            chain.push(n);
        }
        if let RunTimes::List(v) = &run.run_times {
            assert_eq!(v, &chain, "{case}");
        }
        // The host's clock: each execution takes a random while (so later times can miss
        // again); a missed time costs nothing.
        let work: Vec<i64> = (0..chain.len()).map(|_| below(&mut rng, 3 * spacing as u64 * 1_000_000) as i64).collect();
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
                        assert!(!after_missed, "{case}: two MISSED in a row at one instant for a span");
                    }
                    after_missed = true;
                    let e = split::poll_event(&mut s).unwrap();
                    assert_eq!((e.code, e.scheduled_run_time), (EventCode::JobMissed, Some(t)), "{case}");
                    let last_missed = match e.scheduled_run_times {
                        None => t,
                        Some(RunTimes::Span { first, last }) => {
                            assert!(is_span && first == t && last > t, "{case}: {e:?}");
                            last
                        }
                        Some(other) => panic!("{case}: {other:?}"),
                    };
                    stretches.push((t, last_missed));
                }
            }
            while split::poll_event(&mut s).is_some() {}
            assert!(got_executed.len() + stretches.len() <= chain.len(), "{case}: more answers than run times");
        }
        s.finish_run(run.id).unwrap();
        assert_eq!(got_executed, executed, "{case}: executed run times differ");
        let covered: Vec<Timestamp> = stretches.iter().flat_map(|(a, b)| chain.iter().copied().filter(move |t| a <= t && t <= b)).collect();
        assert_eq!(covered, missed, "{case}: the MISSED events do not cover exactly the missed times");
    }
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

/// Any sequence of operations — valid or not, with time jumping back and forth — never
/// panics, and the job list stays in APScheduler's order with `next_wakeup` consistent.
#[test]
fn random_operations_never_panic_and_keep_the_order() {
    for seed in 400..=440u64 {
        let mut rng = JitterRng::new(seed);
        let mut s = Scheduler::new(config(seed, below(&mut rng, 2) == 0));
        let mut now: i64 = 0;
        let mut runs = Vec::new();
        for _ in 0..150 {
            now += below(&mut rng, 200) as i64 - 60; // sometimes backwards
            let id = format!("j{}", below(&mut rng, 6));
            match below(&mut rng, 16) {
                0 => {
                    let _ = s.start(at(now), below(&mut rng, 3) == 0);
                }
                1 => {
                    let _ = s.shutdown();
                }
                2 => {
                    let _ = if below(&mut rng, 2) == 0 { s.pause() } else { s.resume() };
                }
                3 | 4 => {
                    let trigger = if below(&mut rng, 6) == 0 {
                        json!({"type": "cron", "hour": "25"}) // invalid
                    } else {
                        random_trigger(&mut rng)
                    };
                    let mut job = NewJob::new("f", TriggerInput::Json(trigger)).id(id);
                    job.replace_existing = below(&mut rng, 2) == 0;
                    job.max_instances = Some(below(&mut rng, 3) as i64);
                    job.misfire_grace_time = Some(Some(below(&mut rng, 3) as i64 - 1));
                    let _ = s.add_job(job, at(now));
                }
                5 => {
                    let changes = JobChanges::from_json(&json!({"coalesce": below(&mut rng, 2) == 0, "nextRunTime": iso(now + 5)}));
                    let _ = changes.and_then(|c| s.modify_job(&id, None, c));
                }
                6 => {
                    let _ = s.pause_job(&id, None);
                }
                7 => {
                    let _ = s.resume_job(&id, None, at(now));
                }
                8 => {
                    let _ = s.remove_job(&id, None);
                }
                9 => {
                    let _ = s.reschedule_job(&id, None, TriggerInput::Json(random_trigger(&mut rng)), at(now));
                }
                10 => {
                    let _ = s.load_jobs("default", &[json!({"version": 1, "id": "junk"}), json!(null)], at(now));
                }
                11 => {
                    let _ = s.remove_all_jobs(None);
                }
                12 => {
                    if let Some(run) = runs.pop() {
                        let _ = s.start_run_time(run, at(now));
                        let _ = s.finish_run(run);
                        let _ = s.finish_run(run);
                    }
                }
                _ => {
                    for run in split::tick(&mut s, at(now)) {
                        assert!(run.run_times.last().is_some_and(|t| t <= at(now)), "seed {seed}: early run");
                        runs.push(run.id);
                    }
                }
            }
            while split::poll_event(&mut s).is_some() {}
            while split::poll_store_op(&mut s).is_some() {}
            if s.state() == tickwerk::scheduler::SchedulerState::Running {
                assert_wakeup_is_earliest(&s, seed);
                let jobs = s.get_jobs(None);
                let keys: Vec<_> = jobs.iter().map(|j| (j.due_at().is_none(), j.due_at(), j.id.clone())).collect();
                let mut sorted = keys.clone();
                sorted.sort();
                assert_eq!(keys, sorted, "seed {seed}: get_jobs order");
            }
        }
    }
}
