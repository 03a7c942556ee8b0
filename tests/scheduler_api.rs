//! The scheduler's operations, one behaviour per test: lifecycle rules, pending jobs,
//! validation, `print_jobs`, stores and executors, the persistence outbox, ids, jitter.

#[allow(dead_code)]
mod common;

use common::split;
use serde_json::json;
use tickwerk::scheduler::{
    EventCode, ExecutorConfig, JobChanges, NewJob, RunStart, RunTimes, Scheduler, SchedulerConfig, SchedulerState, StoreKind,
    StoreOp, TriggerInput, EVENT_ALL,
};
use tickwerk::trigger::{DateTrigger, Trigger};
use tickwerk::{Error, Timestamp, Zone};

const T0: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

fn at(secs: i64) -> Timestamp {
    Timestamp::from_secs(T0 + secs)
}

fn interval(seconds: u64) -> TriggerInput {
    TriggerInput::Json(json!({"type": "interval", "seconds": seconds, "start_date": "2026-01-01 00:00:00"}))
}

fn codes(s: &mut Scheduler) -> Vec<String> {
    let mut out = Vec::new();
    while let Some(e) = split::poll_event(s) {
        let mut t = e.code.name().to_string();
        if let Some(id) = &e.job_id {
            t += &format!(" {id}@{}", e.jobstore.as_deref().unwrap_or("-"));
        }
        if let Some(a) = &e.alias {
            t += &format!(" {a}");
        }
        out.push(t);
    }
    out
}

fn new_scheduler() -> Scheduler {
    Scheduler::new(SchedulerConfig { seed: 5, ..SchedulerConfig::default() })
}

#[test]
fn lifecycle_errors_and_events() {
    let mut s = new_scheduler();
    assert_eq!(s.pause(), Err(Error::SchedulerNotRunning));
    assert_eq!(s.resume(), Err(Error::SchedulerNotRunning));
    assert_eq!(s.shutdown(), Err(Error::SchedulerNotRunning));
    s.start(at(0), false).unwrap();
    assert_eq!(
        codes(&mut s),
        ["EVENT_EXECUTOR_ADDED default", "EVENT_JOBSTORE_ADDED default", "EVENT_SCHEDULER_STARTED"]
    );
    assert_eq!(s.start(at(0), false), Err(Error::SchedulerAlreadyRunning));
    assert_eq!(s.configure(SchedulerConfig::default()), Err(Error::SchedulerAlreadyRunning));
    s.pause().unwrap();
    s.pause().unwrap();
    s.resume().unwrap();
    s.resume().unwrap();
    assert_eq!(codes(&mut s), ["EVENT_SCHEDULER_PAUSED", "EVENT_SCHEDULER_RESUMED"]);
    s.shutdown().unwrap();
    assert_eq!(s.state(), SchedulerState::Stopped);
    assert_eq!(codes(&mut s), ["EVENT_SCHEDULER_SHUTDOWN"]);
    assert_eq!(EVENT_ALL, EventCode::ALL.iter().map(|c| c.value()).fold(0, |a, b| a | b));
    assert_eq!(EventCode::from_name("EVENT_JOB_MISSED"), Some(EventCode::JobMissed));
}

#[test]
fn pending_jobs_get_defaults_and_first_run_at_start() {
    let mut s = new_scheduler();
    s.add_job(NewJob::new("a", interval(60)).id("a"), at(0)).unwrap();
    let mut b = NewJob::new("b", interval(60)).id("b");
    b.next_run_time = Some(None);
    s.add_job(b, at(0)).unwrap();
    assert_eq!(codes(&mut s), Vec::<String>::new(), "no event while pending");
    assert!(s.get_job("a", None).unwrap().is_pending());
    assert_eq!(s.print_jobs(None), "Pending jobs:\n    a (trigger: interval[0:01:00], pending)\n    b (trigger: interval[0:01:00], pending)\n");
    // Defaults changed before start apply to pending jobs that did not set them.
    let mut config = SchedulerConfig { seed: 5, ..SchedulerConfig::default() };
    config.job_defaults.max_instances = 4;
    s.configure(config).unwrap();
    s.start(at(30), false).unwrap();
    let a = s.get_job("a", None).unwrap();
    assert_eq!((a.max_instances, a.next_run_time), (4, Some(at(60))));
    assert!(s.get_job("b", None).unwrap().is_paused());
    assert_eq!(
        codes(&mut s),
        ["EVENT_EXECUTOR_ADDED default", "EVENT_JOBSTORE_ADDED default", "EVENT_JOB_ADDED a@default", "EVENT_JOB_ADDED b@default", "EVENT_SCHEDULER_STARTED"]
    );
    assert_eq!(
        s.print_jobs(None),
        "Jobstore default:\n    a (trigger: interval[0:01:00], next run at: 2026-01-01 00:01:00 UTC)\n    b (trigger: interval[0:01:00], paused)\n"
    );
}

#[test]
fn duplicate_ids_are_rejected_at_add_time_even_before_start() {
    let mut s = new_scheduler();
    s.add_job(NewJob::new("a", interval(60)).id("x"), at(0)).unwrap();
    let e = s.add_job(NewJob::new("b", interval(60)).id("x"), at(0)).unwrap_err();
    assert_eq!(e, Error::ConflictingId { id: "x".into() });
    let mut replace = NewJob::new("b", interval(30)).id("x");
    replace.replace_existing = true;
    s.add_job(replace, at(0)).unwrap();
    assert_eq!(s.get_jobs(None).len(), 1);
    assert_eq!(&*s.get_job("x", None).unwrap().func, "b");
    s.start(at(0), false).unwrap();
    assert_eq!(codes(&mut s).iter().filter(|c| c.starts_with("EVENT_JOB_ADDED")).count(), 1);
    assert_eq!(s.add_job(NewJob::new("c", interval(60)).id("x"), at(0)).unwrap_err().code(), "CONFLICTING_ID");
}

#[test]
fn start_fails_whole_on_an_unknown_store() {
    let mut s = new_scheduler();
    s.add_job(NewJob::new("a", interval(60)).id("a"), at(0)).unwrap();
    let mut b = NewJob::new("b", interval(60)).id("b");
    b.jobstore = "nowhere".into();
    s.add_job(b, at(0)).unwrap();
    assert_eq!(s.start(at(0), false), Err(Error::UnknownAlias { kind: "jobstore", alias: "nowhere".into() }));
    assert_eq!(s.state(), SchedulerState::Stopped);
    assert_eq!(s.get_jobs(None).len(), 2, "nothing was half-started");
}

#[test]
fn validation_names_the_field_and_changes_nothing() {
    let mut s = new_scheduler();
    s.start(at(0), false).unwrap();
    for (mut job, field) in [
        ({ let mut j = NewJob::new("f", interval(5)); j.misfire_grace_time = Some(Some(0)); j }, "misfire_grace_time"),
        ({ let mut j = NewJob::new("f", interval(5)); j.misfire_grace_time = Some(Some(-3)); j }, "misfire_grace_time"),
        ({ let mut j = NewJob::new("f", interval(5)); j.max_instances = Some(0); j }, "max_instances"),
        ({ let mut j = NewJob::new("f", interval(5)); j.args = json!({"a": 1}); j }, "args"),
        ({ let mut j = NewJob::new("f", interval(5)); j.kwargs = json!([1]); j }, "kwargs"),
        ({ let mut j = NewJob::new("f", interval(5)); j.name = Some(String::new()); j }, "name"),
        (NewJob::new("", interval(5)), "func"),
    ] {
        job.id = Some("v".into());
        match s.add_job(job, at(0)) {
            Err(Error::InvalidArgument { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert!(s.get_jobs(None).is_empty());
    s.add_job(NewJob::new("f", interval(5)).id("v"), at(0)).unwrap();
    let bad = JobChanges { name: Some("new".into()), max_instances: Some(0), ..Default::default() };
    assert!(s.modify_job("v", None, bad).is_err());
    assert_eq!(&*s.get_job("v", None).unwrap().name, "f", "all-or-nothing");
    assert!(JobChanges::from_json(&json!({"id": "other"})).is_err());
    assert!(JobChanges::from_json(&json!({"colour": 1})).is_err());
    assert!(NewJob::from_json(&json!({"func": "f", "minutes": 3})).is_err(), "unknown keys are errors");
    assert_eq!(s.remove_job("nope", None), Err(Error::JobNotFound { id: "nope".into() }));
    assert_eq!(s.pause_job("nope", None).unwrap_err().code(), "JOB_NOT_FOUND");
}

#[test]
fn no_trigger_runs_once_now_and_exhausted_jobs_are_removed() {
    let mut s = new_scheduler();
    s.start(at(0), false).unwrap();
    s.add_job(NewJob::new("f", TriggerInput::RunOnceNow).id("once"), at(10)).unwrap();
    assert_eq!(s.next_wakeup(), Some(at(10)));
    codes(&mut s);
    let runs = split::tick(&mut s, at(10));
    assert_eq!(runs[0].run_times, RunTimes::List(vec![at(10)]));
    assert_eq!(codes(&mut s), ["EVENT_JOB_REMOVED once@default", "EVENT_JOB_SUBMITTED once@default"]);
    assert!(s.get_job("once", None).is_none());
    assert_eq!(s.running_instances("once"), 1);
    assert_eq!(s.start_run_time(runs[0].id, at(10)).unwrap(), Some(RunStart::Execute(at(10))));
    s.run_failed(runs[0].id, at(10)).unwrap();
    assert_eq!(s.start_run_time(runs[0].id, at(10)).unwrap(), None);
    s.finish_run(runs[0].id).unwrap();
    let e = split::poll_event(&mut s).unwrap();
    // The core keeps no exception: the event names the run and time the host reported.
    assert_eq!((e.code, e.run_id, e.scheduled_run_time), (EventCode::JobError, Some(runs[0].id), Some(at(10))));
    assert_eq!(s.running_instances("once"), 0);
    assert!(s.finish_run(runs[0].id).is_err(), "a run finishes once");
    assert_eq!(s.next_wakeup(), None);
}

#[test]
fn reschedule_resume_and_modify_follow_apscheduler() {
    let mut s = new_scheduler();
    s.start(at(0), false).unwrap();
    s.add_job(NewJob::new("f", interval(60)).id("j"), at(0)).unwrap();
    // Changing the trigger through modify does not recompute next_run_time.
    let only = Trigger::Date(DateTrigger::new(at(500), Zone::Utc));
    s.modify_job("j", None, JobChanges { trigger: Some(only), ..Default::default() }).unwrap();
    assert_eq!(s.get_job("j", None).unwrap().next_run_time, Some(at(0)));
    // reschedule does; a trigger with no fire time leaves the job paused, not removed.
    s.reschedule_job("j", None, TriggerInput::Json(json!({"type": "interval", "seconds": 7, "start_date": "2026-01-01T00:00:00+00:00", "end_date": "2026-01-01T00:00:01+00:00"})), at(100)).unwrap();
    assert!(s.get_job("j", None).unwrap().is_paused());
    // resume_job with an exhausted trigger removes the job.
    assert_eq!(s.resume_job("j", None, at(100)), Ok(false));
    assert!(s.get_job("j", None).is_none());
    assert_eq!(codes(&mut s)[4..], ["EVENT_JOB_MODIFIED j@default", "EVENT_JOB_MODIFIED j@default", "EVENT_JOB_REMOVED j@default"]);
    // next_run_time as APScheduler text in the scheduler zone.
    s.add_job(NewJob::new("f", interval(60)).id("k"), at(0)).unwrap();
    let changes = JobChanges::from_json(&json!({"nextRunTime": "2026-01-01 05:00:00"})).unwrap();
    s.modify_job("k", None, changes).unwrap();
    assert_eq!(s.next_wakeup(), Some(at(5 * 3600)));
}

#[test]
fn remove_all_jobs_stores_and_executors() {
    let mut s = new_scheduler();
    s.start(at(0), false).unwrap();
    s.add_jobstore("db", StoreKind::Persistent).unwrap();
    assert!(s.add_jobstore("db", StoreKind::Memory).is_err());
    s.add_executor("pool", ExecutorConfig { kind: "worker".into(), max_workers: Some(4) }).unwrap();
    let mut j = NewJob::new("f", interval(10)).id("p");
    j.jobstore = "db".into();
    j.executor = "pool".into();
    s.add_job(j, at(0)).unwrap();
    s.add_job(NewJob::new("f", interval(10)).id("m"), at(0)).unwrap();
    // The same id may live in two stores.
    let mut dup = NewJob::new("g", interval(10)).id("m");
    dup.jobstore = "db".into();
    s.add_job(dup, at(0)).unwrap();
    assert_eq!(&*s.get_job("m", Some("db")).unwrap().func, "g");
    assert_eq!(&*s.get_job("m", None).unwrap().func, "f", "first store wins");
    codes(&mut s);
    s.remove_executor("pool").unwrap();
    assert!(s.remove_executor("pool").is_err());
    // A job whose executor is gone is removed when it falls due. Instances are counted per
    // executor and job id (APScheduler's executor counter), so the second "m" is refused.
    let runs = split::tick(&mut s, at(0));
    assert_eq!(runs.iter().map(|r| &*r.job_id).collect::<Vec<_>>(), ["m"]);
    assert_eq!(
        codes(&mut s),
        ["EVENT_EXECUTOR_REMOVED pool", "EVENT_JOB_REMOVED p@db", "EVENT_JOB_SUBMITTED m@default", "EVENT_JOB_MAX_INSTANCES m@db"]
    );
    s.remove_all_jobs(Some("db")).unwrap();
    assert_eq!(s.get_jobs(None).len(), 1);
    let ops: Vec<StoreOp> = std::iter::from_fn(|| split::poll_store_op(&mut s)).collect();
    assert_eq!(ops.last(), Some(&StoreOp::Clear { jobstore: "db".into() }));
    assert!(ops.iter().any(|o| matches!(o, StoreOp::Remove { job_id, .. } if job_id == "p")));
    let ev = codes(&mut s);
    assert_eq!(ev.last().map(String::as_str), Some("EVENT_ALL_JOBS_REMOVED db"));
    s.remove_jobstore("db").unwrap();
    assert!(s.remove_jobstore("db").is_err());
    assert_eq!(s.print_jobs(None).lines().next(), Some("Jobstore default:"));
}

#[test]
fn persistent_outbox_is_ordered_and_advances_before_runs() {
    let mut s = Scheduler::new(SchedulerConfig { jobstores: vec![("default".into(), StoreKind::Persistent)], ..SchedulerConfig::default() });
    s.start(at(0), false).unwrap();
    s.add_job(NewJob::new("f", interval(10)).id("j"), at(0)).unwrap();
    let put = split::poll_store_op(&mut s).unwrap();
    let StoreOp::Put { record, .. } = put else { panic!("{put:?}") };
    assert_eq!((record.version, record.next_run_time), (1, Some(at(0))));
    assert_eq!(record.trigger["type"], "interval");
    let runs = split::tick(&mut s, at(25));
    assert_eq!(runs.len(), 1);
    // The advanced next run time was queued during the tick, before the run is started.
    match split::poll_store_op(&mut s) {
        Some(StoreOp::Put { record, .. }) => assert_eq!(record.next_run_time, Some(at(30))),
        other => panic!("{other:?}"),
    }
    s.pause_job("j", None).unwrap();
    s.remove_job("j", None).unwrap();
    let ops: Vec<StoreOp> = std::iter::from_fn(|| split::poll_store_op(&mut s)).collect();
    assert!(matches!(&ops[0], StoreOp::Put { record, .. } if record.next_run_time.is_none()));
    assert_eq!(ops[1], StoreOp::Remove { jobstore: "default".into(), job_id: "j".into() });
    // Shutdown drops the in-memory side but emits no Clear: the records stay.
    s.shutdown().unwrap();
    assert!(split::poll_store_op(&mut s).is_none());
}

#[test]
fn memory_store_is_wiped_at_shutdown() {
    let mut s = new_scheduler();
    s.start(at(0), false).unwrap();
    s.add_job(NewJob::new("f", interval(10)).id("j"), at(0)).unwrap();
    s.shutdown().unwrap();
    s.start(at(100), false).unwrap();
    assert!(s.get_jobs(None).is_empty());
}

#[test]
fn generated_ids_are_seeded_hex_and_unique() {
    let ids = |seed| {
        let mut s = Scheduler::new(SchedulerConfig { seed, ..SchedulerConfig::default() });
        (0..3).map(|_| s.add_job(NewJob::new("f", interval(5)), at(0)).unwrap().to_string()).collect::<Vec<_>>()
    };
    let a = ids(1);
    assert_eq!(a, ids(1), "same seed, same ids");
    assert_ne!(a, ids(2));
    for id in &a {
        assert_eq!(id.len(), 32);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }
}

#[test]
fn wakeup_asks_for_an_immediate_tick() {
    let mut s = new_scheduler();
    s.start(at(0), false).unwrap();
    assert_eq!(s.next_wakeup(), None);
    s.wakeup();
    assert_eq!(s.next_wakeup(), Some(Timestamp::MIN));
    assert!(split::tick(&mut s, at(1)).is_empty());
    assert_eq!(s.next_wakeup(), None);
}

#[test]
fn jitter_delays_the_due_instant_but_not_the_schedule() {
    let mut s = new_scheduler();
    s.start(at(0), false).unwrap();
    let trig = TriggerInput::Json(json!({"type": "interval", "seconds": 60, "jitter": 30, "start_date": "2026-01-01T00:01:00+00:00"}));
    s.add_job(NewJob::new("f", trig).id("j"), at(0)).unwrap();
    let mut prev = None;
    for _ in 0..20 {
        let job = s.get_job("j", None).unwrap();
        let (sched, due) = (job.next_run_time.unwrap(), job.due_at().unwrap());
        assert!(due >= sched && due.as_micros() - sched.as_micros() <= 30_000_000);
        if let Some(p) = prev {
            assert_eq!(sched.as_micros() - Timestamp::as_micros(p), 60_000_000, "no drift");
        }
        assert!(split::tick(&mut s, Timestamp::from_micros(due.as_micros() - 1)).is_empty(), "not before the jittered instant");
        let runs = split::tick(&mut s, due);
        assert_eq!(runs[0].run_times, RunTimes::List(vec![sched]));
        // Started at the jittered instant: not late (grace 1 s, jitter up to 30 s).
        assert_eq!(s.start_run_time(runs[0].id, due).unwrap(), Some(RunStart::Execute(sched)));
        s.finish_run(runs[0].id).unwrap();
        prev = Some(sched);
    }
}

#[test]
fn pending_id_bookkeeping_follows_removals() {
    let mut s = new_scheduler();
    s.add_job(NewJob::new("f", interval(5)).id("x"), at(0)).unwrap();
    s.remove_job("x", None).unwrap();
    s.add_job(NewJob::new("f", interval(5)).id("x"), at(0)).unwrap();
    assert!(s.add_job(NewJob::new("f", interval(5)).id("x"), at(0)).is_err());
    let mut other = NewJob::new("f", interval(5)).id("x");
    other.jobstore = "other".into();
    s.add_job(other, at(0)).unwrap(); // same id, another store
    s.remove_all_jobs(Some("other")).unwrap();
    assert!(s.get_job("x", None).is_some());
    s.remove_all_jobs(None).unwrap();
    assert!(s.get_job("x", None).is_none());
    s.add_job(NewJob::new("f", interval(5)).id("x"), at(0)).unwrap();
    assert_eq!(s.get_jobs(None).len(), 1);
}

/// Pending jobs are indexed by id: 50,000 adds before `start`, with conflicts, replacements
/// and removals spread through them, keep every rule and the insertion order (the former
/// list scan made this quadratic).
#[test]
fn fifty_thousand_pending_jobs_keep_order_conflicts_and_replacements() {
    const N: usize = 50_000;
    let mut s = new_scheduler();
    let id = |i: usize| format!("job-{i:05}");
    for i in 0..N {
        s.add_job(NewJob::new("f", interval(60)).id(id(i)), at(0)).unwrap();
        if i % 1000 == 999 {
            let dup = s.add_job(NewJob::new("f", interval(60)).id(id(i - 500)), at(0));
            assert_eq!(dup.map_err(|e| e.code()), Err("CONFLICTING_ID"), "duplicate of {}", id(i - 500));
            let mut again = NewJob::new("g", interval(30)).id(id(i - 500));
            again.name = Some("replaced".into());
            again.replace_existing = true;
            s.add_job(again, at(0)).unwrap();
        }
    }
    for i in (0..N).step_by(7) {
        s.remove_job(&id(i), None).unwrap();
    }
    assert_eq!(s.remove_job(&id(7), None).map_err(|e| e.code()), Err("JOB_NOT_FOUND"));
    let expected: Vec<String> = (0..N).filter(|i| i % 7 != 0).map(id).collect();
    let pending: Vec<String> = s.get_jobs(None).iter().map(|j| j.id.to_string()).collect();
    assert_eq!(pending, expected, "insertion order survives removals");
    assert_eq!(&*s.get_job(&id(499), None).unwrap().name, "replaced");
    assert_eq!(&*s.get_job(&id(501), None).unwrap().name, "f");
    // A removed id can be added again; it goes to the end.
    s.add_job(NewJob::new("f", interval(60)).id(id(7)), at(0)).unwrap();
    assert_eq!(s.get_jobs(None).last().map(|j| j.id.to_string()), Some(id(7)));
    codes(&mut s);
    s.start(at(0), false).unwrap();
    assert_eq!(s.job_count(), expected.len() + 1);
    let added: Vec<String> = codes(&mut s).iter().filter_map(|c| c.strip_prefix("EVENT_JOB_ADDED ")?.strip_suffix("@default").map(str::to_string)).collect();
    assert_eq!(added.len(), expected.len() + 1);
    assert_eq!(added[..expected.len()], expected[..], "start adds in insertion order");
    assert_eq!(s.get_job(&id(1499), None).unwrap().trigger.to_string(), "interval[0:00:30]", "the replacement's trigger");
    assert_eq!(s.get_job(&id(1501), None).unwrap().trigger.to_string(), "interval[0:01:00]");
}

/// After an OR job runs, its next time comes from the interval child restarted at the
/// shared previous fire time (off the child's own grid); the child's jitter still applies.
#[test]
fn or_job_reschedule_adds_the_producing_interval_childs_jitter() {
    let or = json!({"type": "or", "triggers": [
        {"type": "interval", "minutes": 10, "start_date": "2026-01-01T00:00:00+00:00", "timezone": "UTC", "jitter": 30},
        {"type": "cron", "minute": "5", "timezone": "UTC"}]});
    for seed in 0..20 {
        let mut s = Scheduler::new(SchedulerConfig { seed, ..SchedulerConfig::default() });
        s.start(at(60), false).unwrap();
        s.add_job(NewJob::new("f", TriggerInput::Json(or.clone())).id("j"), at(60)).unwrap();
        // the cron child gives the first time (00:05), without jitter
        assert_eq!((s.get_job("j", None).unwrap().next_run_time, s.get_job("j", None).unwrap().due_at()), (Some(at(300)), Some(at(300))));
        let runs = split::tick(&mut s, at(300));
        assert_eq!(runs.len(), 1);
        s.finish_run(runs[0].id).unwrap();
        let job = s.get_job("j", None).unwrap();
        assert_eq!(job.next_run_time, Some(at(900)), "interval restarted from 00:05");
        let late = job.due_at().unwrap().as_micros() - at(900).as_micros();
        assert!(late > 0 && late <= 30_000_000, "seed {seed}: the interval child's jitter ({late} µs)");
    }
}

#[test]
fn print_jobs_lists_the_stores_by_alias() {
    let mut s = Scheduler::new(SchedulerConfig::default());
    for alias in ["zeta", "alpha", "mid"] {
        s.add_jobstore(alias, StoreKind::Memory).unwrap();
    }
    s.start(Timestamp::from_secs(0), false).unwrap();
    let headers: Vec<String> = s.print_jobs(None).lines().filter(|l| l.starts_with("Jobstore")).map(str::to_string).collect();
    assert_eq!(headers, ["Jobstore alpha:", "Jobstore default:", "Jobstore mid:", "Jobstore zeta:"]);
    assert_eq!(s.print_jobs(Some("mid")).lines().next(), Some("Jobstore mid:"));
}
