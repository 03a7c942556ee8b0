//! A built trigger handed to `add_job` / `reschedule_job` as it is (`TriggerInput::Built`,
//! what the wasm binding now passes for a JS trigger instance, issue 11) schedules exactly
//! as its canonical spec did (`TriggerInput::Json(trigger.to_spec().to_json())`, what the JS
//! layer used to send): the same jobs, `print_jobs` text, store records, runs and events,
//! step by step over a DST change, with jitter drawn from the same seed.

use serde_json::Value;
use tickwerk::scheduler::{NewJob, Output, RunStart, Scheduler, SchedulerConfig, StoreKind, TriggerInput};
use tickwerk::trigger::{BuildContext, Trigger, TriggerSpec};
use tickwerk::{Timestamp, Zone};

/// 2026-03-27T00:00:00Z: two days before Europe's spring-forward (2026-03-29 01:00Z).
const T0: i64 = 1_774_569_600;

fn at(secs: i64) -> Timestamp {
    Timestamp::from_secs(T0 + secs)
}

/// Triggers as the JS classes build them: the trigger's own zone (not the scheduler's),
/// start dates resolved at construction, jitter, fold, and/or children.
const SPECS: &[&str] = &[
    r#"{"type":"cron","hour":"1-3","minute":"30","timezone":"Europe/Berlin"}"#,
    r#"{"type":"cron","minute":"*/20","timezone":"America/New_York","jitter":90,"start_date":"2026-03-27 12:00:00"}"#,
    r#"{"type":"interval","minutes":45,"jitter":20,"timezone":"Europe/Berlin"}"#,
    r#"{"type":"date","timezone":"Australia/Lord_Howe"}"#,
    r#"{"type":"calendarinterval","days":1,"hour":2,"minute":30,"timezone":"Europe/Berlin"}"#,
    r#"{"type":"crontab","expr":"30 2 * * *","timezone":"Europe/Paris","fold":"first"}"#,
    r#"{"type":"or","jitter":5,"triggers":[{"type":"cron","hour":"2","minute":"15","timezone":"Europe/Berlin"},{"type":"interval","hours":7}]}"#,
    r#"{"type":"and","triggers":[{"type":"cron","minute":"0","timezone":"Europe/Berlin"},{"type":"interval","hours":2,"start_date":"2026-03-27 00:00:00"}]}"#,
];

/// The trigger a JS trigger class builds: the host's zone as default, built at `now`.
fn built(spec: &str, now: Timestamp) -> Trigger {
    let json: Value = serde_json::from_str(spec).expect("test spec is JSON");
    let ctx = BuildContext { default_zone: Zone::parse("Asia/Tokyo").expect("known zone"), now };
    TriggerSpec::from_json(&json).and_then(|s| s.build(&ctx)).expect("test spec builds")
}

/// A running scheduler in UTC with a persistent store `db` (records are kept) and `seed` 7.
fn scheduler() -> Scheduler {
    let mut s = Scheduler::new(SchedulerConfig { seed: 7, ..SchedulerConfig::default() });
    s.add_jobstore("db", StoreKind::Persistent).expect("new alias");
    s.start(at(0), false).expect("starts");
    s
}

/// Everything observable after `add` ran on a fresh scheduler: each step's outputs (store
/// ops with their records, runs, events), the jobs and `print_jobs` text, the records; runs
/// succeed and finish at once. 3 days in 10-minute ticks, across the DST change.
fn transcript(add: impl Fn(&mut Scheduler)) -> Vec<String> {
    let mut s = scheduler();
    add(&mut s);
    let mut lines = Vec::new();
    for step in 0..(3 * 24 * 6) {
        let now = at(step * 600);
        s.tick(now);
        while let Some(out) = s.poll_output() {
            if let Output::Run(run) = &out {
                while let Some(start) = s.start_run_time(run.id, now).expect("known run") {
                    if let RunStart::Execute(t) = start {
                        s.run_succeeded(run.id, t).expect("known run");
                    }
                }
                s.finish_run(run.id).expect("known run");
            }
            lines.push(format!("{step}: {out:?}"));
        }
        if step % 36 == 0 {
            lines.push(s.print_jobs(None));
            for job in s.get_jobs(None) {
                lines.push(format!("{:?}", s.job_record("db", &job.id)));
            }
        }
    }
    lines
}

#[test]
fn a_built_trigger_schedules_exactly_as_its_spec() {
    for spec in SPECS {
        let trigger = built(spec, at(-3_600));
        let json = trigger.to_spec().to_json();
        let job = |input: TriggerInput| NewJob { jobstore: "db".into(), ..NewJob::new("f", input).id("j") };
        let by_handle = transcript(|s| {
            s.add_job(job(TriggerInput::Built(trigger.clone())), at(0)).expect("added");
        });
        let by_spec = transcript(|s| {
            s.add_job(job(TriggerInput::Json(json.clone())), at(0)).expect("added");
        });
        assert!(by_handle.iter().any(|l| l.contains("Run(")), "{spec}: the job never ran: {by_handle:#?}");
        assert_eq!(by_handle, by_spec, "{spec}");
    }
}

#[test]
fn rescheduling_with_a_built_trigger_is_rescheduling_with_its_spec() {
    for spec in SPECS {
        let trigger = built(spec, at(-3_600));
        let json = trigger.to_spec().to_json();
        let add = |s: &mut Scheduler| {
            let job = NewJob { jobstore: "db".into(), ..NewJob::new("f", TriggerInput::RunOnceNow).id("j") };
            s.add_job(job, at(0)).expect("added");
        };
        let by_handle = transcript(|s| {
            add(s);
            s.reschedule_job("j", None, TriggerInput::Built(trigger.clone()), at(60)).expect("rescheduled");
        });
        let by_spec = transcript(|s| {
            add(s);
            s.reschedule_job("j", None, TriggerInput::Json(json.clone()), at(60)).expect("rescheduled");
        });
        assert_eq!(by_handle, by_spec, "{spec}");
    }
}

#[test]
fn the_stored_record_holds_the_triggers_canonical_spec() {
    // The record is the spec of the trigger itself: a built trigger's own zone, resolved
    // dates and jitter, not the scheduler's zone (UTC here).
    let trigger = built(SPECS[2], at(-3_600));
    let mut s = scheduler();
    let job = NewJob { jobstore: "db".into(), ..NewJob::new("f", TriggerInput::Built(trigger.clone())).id("j") };
    s.add_job(job, at(0)).expect("added");
    let record = s.job_record("db", "j").expect("a record");
    assert_eq!(record["trigger"], trigger.to_spec().to_json());
    assert_eq!(record["trigger"]["timezone"], "Europe/Berlin");
    assert_eq!(record["trigger"]["jitter"], 20);
}
