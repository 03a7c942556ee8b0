//! Replays every scenario of `tests/conformance/scheduler.jsonl` (APScheduler 3.11.3
//! driven with a fake clock) through the core, with the README's executor model:
//! submissions are checked for `max_instances` at tick time; each run time is started (and
//! misfire-checked) at the tick's `at`; instances of jobs added with `hold` finish on a
//! `finish` step, every other instance at the end of its step, oldest first. The host is
//! the shared fake host (`tests/common/host.rs`), which also checks that no run comes out
//! of the core before the store ops that precede it.
//!
//! The data directory is `$TICKWERK_CONFORMANCE_DIR`, or the repository's copy
//! `tests/conformance/`. A missing file is a failure. Scenarios tagged `early-conflict` or `no-skip` are
//! skipped (they record APScheduler's state past a deliberate deviation).

use std::collections::BTreeMap;

mod common;

use common::host::Host;
use common::read_conformance;
use serde_json::{json, Value};
use tickwerk::scheduler::{
    Event, JobChanges, JobDefaults, NewJob, RunTimes, Scheduler, SchedulerConfig, StoreKind, TriggerInput,
};
use tickwerk::time::DateInput;
use tickwerk::{Timestamp, Zone};

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339("at", text).unwrap_or_else(|e| panic!("bad time in vectors {text}: {e}"))
}

struct Harness {
    host: Host,
    known_ids: Vec<String>,
}

impl Harness {
    fn new(setup: &Value) -> Harness {
        let zone = Zone::parse(setup["timezone"].as_str().unwrap_or("UTC")).expect("scenario zone");
        let mut defaults = JobDefaults::default();
        if let Some(d) = setup.get("job_defaults").and_then(Value::as_object) {
            if let Some(g) = d.get("misfire_grace_time") {
                defaults.misfire_grace_time = g.as_u64().map(|g| g as u32);
            }
            if let Some(c) = d.get("coalesce").and_then(Value::as_bool) {
                defaults.coalesce = c;
            }
            if let Some(m) = d.get("max_instances").and_then(Value::as_u64) {
                defaults.max_instances = m as u32;
            }
        }
        let config = SchedulerConfig {
            timezone: zone,
            job_defaults: defaults,
            jobstores: vec![("default".into(), StoreKind::Memory)],
            executors: vec![("default".into(), Default::default())],
            seed: 1,
        };
        Harness { host: Host::new(Scheduler::new(config), Timestamp::from_secs(0)), known_ids: Vec::new() }
    }
}

fn error_kind(python: &str) -> &'static str {
    match python {
        "JobLookupError" => "JOB_NOT_FOUND",
        "ConflictingIdError" => "CONFLICTING_ID",
        "TypeError" | "ValueError" => "INVALID_ARGUMENT",
        _ => "?",
    }
}

fn times_json(times: &RunTimes) -> Vec<i64> {
    match times {
        RunTimes::List(v) => v.iter().map(|t| t.as_micros()).collect(),
        RunTimes::Span { first, last } => vec![first.as_micros(), -1, last.as_micros()],
    }
}

fn event_json(e: &Event, host: &Host) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("code".into(), json!(e.code.name()));
    if let Some(id) = &e.job_id {
        m.insert("job_id".into(), json!(&**id));
        m.insert("jobstore".into(), json!(e.jobstore.as_deref()));
    } else {
        m.insert("alias".into(), json!(e.alias));
    }
    if let Some(t) = &e.scheduled_run_times {
        m.insert("scheduled_run_times".into(), json!(times_json(t)));
    }
    if let Some(t) = e.scheduled_run_time {
        m.insert("scheduled_run_time".into(), json!(t.as_micros()));
    }
    if let Some(x) = host.exception(e) {
        m.insert("exception".into(), json!(x));
    }
    Value::Object(m)
}

/// The expected event with times turned into epoch microseconds.
fn expected_event(e: &Value) -> Value {
    let mut m = serde_json::Map::new();
    for (k, v) in e.as_object().expect("event object") {
        let v = match k.as_str() {
            "scheduled_run_times" => json!(v.as_array().unwrap().iter().map(|t| ts(t.as_str().unwrap()).as_micros()).collect::<Vec<_>>()),
            "scheduled_run_time" => json!(ts(v.as_str().unwrap()).as_micros()),
            _ => v.clone(),
        };
        m.insert(k.clone(), v);
    }
    Value::Object(m)
}

fn grace_opt(v: &Value) -> Option<i64> {
    v.as_i64()
}

/// Runs one scenario; returns the mismatches found.
fn replay(scenario: &Value) -> Vec<String> {
    let id = scenario["id"].as_str().unwrap_or("?");
    let mut h = Harness::new(&scenario["scheduler"]);
    let mut problems = Vec::new();
    let steps = scenario["steps"].as_array().expect("steps");
    for (i, step) in steps.iter().enumerate() {
        let at = ts(step["at"].as_str().expect("at"));
        let op = step["op"].as_str().expect("op");
        let expect = &step["expect"];
        let mut submissions: Vec<Value> = Vec::new();
        let mut finished = None;
        let mut wakeup = None;
        let job_id = step.get("job_id").and_then(Value::as_str).unwrap_or("").to_string();
        h.host.now = at;
        let result: tickwerk::Result<()> = match op {
            "start" => h.host.s.start(at, step["paused"].as_bool().unwrap_or(false)),
            "pause" => h.host.s.pause(),
            "resume" => h.host.s.resume(),
            "add_job" => {
                let mut job = NewJob::new("f", TriggerInput::Json(step["trigger"].clone())).id(job_id.clone());
                if let Some(c) = step.get("coalesce") {
                    job.coalesce = c.as_bool();
                }
                if let Some(m) = step.get("max_instances") {
                    job.max_instances = m.as_i64();
                }
                if let Some(g) = step.get("misfire_grace_time") {
                    job.misfire_grace_time = Some(grace_opt(g));
                }
                if let Some(n) = step.get("next_run_time") {
                    job.next_run_time = Some(n.as_str().map(|s| DateInput::Text(s.to_string())));
                }
                job.replace_existing = step.get("replace_existing").and_then(Value::as_bool).unwrap_or(false);
                let r = h.host.s.add_job(job, at).map(|_| ());
                if r.is_ok() {
                    if step.get("hold").and_then(Value::as_bool).unwrap_or(false) {
                        h.host.hold.insert(job_id.clone());
                    } else {
                        h.host.hold.remove(&job_id);
                    }
                    if step.get("fail").and_then(Value::as_bool).unwrap_or(false) {
                        h.host.fail.insert(job_id.clone(), "RuntimeError".into());
                    } else {
                        h.host.fail.remove(&job_id);
                    }
                    if !h.known_ids.contains(&job_id) {
                        h.known_ids.push(job_id.clone());
                    }
                }
                r
            }
            "tick" => {
                h.host.s.tick(at);
                wakeup = Some(h.host.s.next_wakeup().map(|w| ((w.as_micros() - at.as_micros()).max(0)) as f64 / 1e6));
                Ok(())
            }
            "finish" => {
                finished = Some(h.host.finish(&job_id));
                Ok(())
            }
            "pause_job" => h.host.s.pause_job(&job_id, None),
            "resume_job" => h.host.s.resume_job(&job_id, None, at).map(|_| ()),
            "remove_job" => h.host.s.remove_job(&job_id, None),
            "modify_job" => JobChanges::from_json(&step["changes"]).and_then(|c| h.host.s.modify_job(&job_id, None, c)),
            "reschedule_job" => h.host.s.reschedule_job(&job_id, None, TriggerInput::Json(step["trigger"].clone()), at),
            other => panic!("{id}: unknown op {other}"),
        };
        // The step's outputs (runs handed out at `at`), then non-held instances finish at
        // the end of the step, oldest first.
        let mut drained = h.host.drain();
        for run in &drained.runs {
            submissions.push(json!({"job_id": &*run.job_id, "run_times": times_json(&run.run_times)}));
        }
        h.host.complete_unheld();
        drained.events.extend(h.host.drain().events);
        let here = format!("{id} step {i} ({op} at {})", step["at"].as_str().unwrap_or(""));
        // error
        match (expect.get("error").and_then(Value::as_str), &result) {
            (None, Ok(())) => {}
            (Some(kind), Err(e)) if error_kind(kind) == e.code() => {}
            (exp, got) => problems.push(format!("{here}: error expected {exp:?}, got {got:?}")),
        }
        // submissions
        let exp_subs: Vec<Value> = expect["submissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                json!({"job_id": s["job_id"], "run_times": s["run_times"].as_array().unwrap().iter().map(|t| ts(t.as_str().unwrap()).as_micros()).collect::<Vec<_>>()})
            })
            .collect();
        if exp_subs != submissions {
            problems.push(format!("{here}: submissions expected {exp_subs:?}, got {submissions:?}"));
        }
        // events
        let events: Vec<Value> = drained.events.iter().map(|e| event_json(e, &h.host)).collect();
        let exp_events: Vec<Value> = expect["events"].as_array().unwrap().iter().map(expected_event).collect();
        if exp_events != events {
            problems.push(format!("{here}: events expected {exp_events:?}, got {events:?}"));
        }
        // next_run_times and job_order
        let jobs = h.host.s.get_jobs(None);
        let got_next: BTreeMap<String, Option<i64>> =
            jobs.iter().map(|j| (j.id.to_string(), j.next_run_time.map(|t| t.as_micros()))).collect();
        let exp_next: BTreeMap<String, Option<i64>> = expect["next_run_times"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map(|t| ts(t).as_micros())))
            .collect();
        if exp_next != got_next {
            problems.push(format!("{here}: next_run_times expected {exp_next:?}, got {got_next:?}"));
        }
        let order: Vec<String> = jobs.iter().map(|j| j.id.to_string()).collect();
        let exp_order: Vec<String> = expect["job_order"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        if exp_order != order {
            problems.push(format!("{here}: job_order expected {exp_order:?}, got {order:?}"));
        }
        // running instances
        let got_running: BTreeMap<String, u64> = h
            .known_ids
            .iter()
            .map(|j| (j.clone(), h.host.s.running_instances(j) as u64))
            .filter(|(_, n)| *n > 0)
            .collect();
        let exp_running: BTreeMap<String, u64> =
            expect["running_instances"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap())).collect();
        if exp_running != got_running {
            problems.push(format!("{here}: running_instances expected {exp_running:?}, got {got_running:?}"));
        }
        if expect["scheduler_state"].as_str() != Some(h.host.s.state().as_str()) {
            problems.push(format!("{here}: state expected {}, got {}", expect["scheduler_state"], h.host.s.state().as_str()));
        }
        if let Some(w) = wakeup {
            let exp = expect.get("wakeup_seconds").and_then(Value::as_f64);
            let ok = match (exp, w) {
                (None, None) => true,
                (Some(a), Some(b)) => (a - b).abs() <= 0.001,
                _ => false,
            };
            if !ok {
                problems.push(format!("{here}: wakeup_seconds expected {exp:?}, got {w:?}"));
            }
        }
        if let Some(f) = finished {
            if expect.get("finished").and_then(Value::as_bool) != Some(f) {
                problems.push(format!("{here}: finished expected {}, got {f}", expect["finished"]));
            }
        }
        if !problems.is_empty() {
            break; // later steps follow from a diverged state
        }
    }
    problems
}

/// Untagged scenarios that fall under a deliberate deviation all the same, with the reason.
/// Each stays listed (and printed) so the choice is visible, not silent.
const UNTAGGED_DEVIATIONS: &[(&str, &str)] = &[(
    "s7-0035",
    "no-skip (or rule): an `or` of `minute='*/20'` and `minute='5'` across New York's fall-back \
     hour; APScheduler's OrTrigger takes Python's min() of its children's times, which compares \
     wall clocks within one zone, so it skips 01:20 EDT, 01:40 EDT and 01:00 EST. The no-skip \
     rule says every cron child's times count in an `or`; tests/trigger_combining.rs covers it.",
)];

#[test]
fn scheduler_scenarios_match_apscheduler() {
    let text = read_conformance("scheduler.jsonl");
    let (mut checked, mut skipped, mut steps) = (0, 0, 0);
    let mut failures: Vec<String> = Vec::new();
    let mut failed_scenarios = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let scenario: Value = serde_json::from_str(line).expect("scenario JSON");
        let deviation = scenario.get("deviation").and_then(Value::as_str).unwrap_or("");
        if deviation.split(',').any(|d| d == "early-conflict" || d == "no-skip") {
            skipped += 1;
            continue;
        }
        let id = scenario["id"].as_str().unwrap_or("");
        if let Some((_, why)) = UNTAGGED_DEVIATIONS.iter().find(|(i, _)| *i == id) {
            println!("skipping untagged {id}: {why}");
            skipped += 1;
            continue;
        }
        checked += 1;
        steps += scenario["steps"].as_array().map_or(0, Vec::len);
        let p = replay(&scenario);
        if !p.is_empty() {
            failed_scenarios += 1;
            failures.extend(p);
        }
    }
    println!("scheduler conformance: {checked} scenarios checked ({steps} steps), {skipped} skipped (early-conflict/no-skip), {failed_scenarios} failed");
    for f in failures.iter().take(40) {
        println!("  {f}");
    }
    assert!(checked > 0, "no scenarios found in scheduler.jsonl");
    assert_eq!(failed_scenarios, 0, "{failed_scenarios} scenarios differ from APScheduler");
}

/// Scenarios tagged `early-conflict` record APScheduler's half-started state, so they are
/// not compared; instead they test our rule at the step where it applies: a duplicate id
/// added before `start` is rejected by that `add_job` (or, with `replace_existing`,
/// replaces the pending job at once), and `start` then adds each id once and succeeds.
#[test]
fn early_conflict_scenarios_follow_our_rule() {
    let text = read_conformance("scheduler.jsonl");
    let mut checked = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let scenario: Value = serde_json::from_str(line).expect("scenario JSON");
        let deviation = scenario.get("deviation").and_then(Value::as_str).unwrap_or("");
        if !deviation.split(',').any(|d| d == "early-conflict") {
            continue;
        }
        let id = scenario["id"].as_str().unwrap_or("?").to_string();
        let mut h = Harness::new(&scenario["scheduler"]);
        let mut pending: Vec<String> = Vec::new();
        let mut duplicate_seen = false;
        for step in scenario["steps"].as_array().expect("steps") {
            let at = ts(step["at"].as_str().expect("at"));
            let op = step["op"].as_str().expect("op");
            let job_id = step.get("job_id").and_then(Value::as_str).unwrap_or("").to_string();
            match op {
                "add_job" if h.host.s.state().as_str() == "stopped" => {
                    let mut job = NewJob::new("f", TriggerInput::Json(step["trigger"].clone())).id(job_id.clone());
                    job.replace_existing = step.get("replace_existing").and_then(Value::as_bool).unwrap_or(false);
                    let replace = job.replace_existing;
                    let result = h.host.s.add_job(job, at);
                    if pending.contains(&job_id) {
                        duplicate_seen = true;
                        if replace {
                            assert!(result.is_ok(), "{id}: replacing a pending job: {result:?}");
                        } else {
                            assert_eq!(result.map(|_| ()).map_err(|e| e.code()), Err("CONFLICTING_ID"), "{id}: duplicate pending id");
                        }
                        let copies = h.host.s.get_jobs(None).iter().filter(|j| *j.id == *job_id).count();
                        assert_eq!(copies, 1, "{id}: one pending job per id");
                    } else {
                        result.unwrap_or_else(|e| panic!("{id}: {e}"));
                        pending.push(job_id);
                    }
                }
                "start" if duplicate_seen => {
                    h.host.drain();
                    h.host.s.start(at, step["paused"].as_bool().unwrap_or(false)).unwrap_or_else(|e| panic!("{id}: start: {e}"));
                    let mut added = Vec::new();
                    for e in h.host.drain().events {
                        if e.code.name() == "EVENT_JOB_ADDED" {
                            added.push(e.job_id.map(|j| j.to_string()).unwrap_or_default());
                        }
                    }
                    assert_eq!(added, pending, "{id}: start adds each pending id once, in order");
                    break;
                }
                _ => break, // beyond this point the scenario follows APScheduler's state
            }
        }
        assert!(duplicate_seen, "{id}: no duplicate pending add found");
        checked += 1;
    }
    println!("early-conflict scenarios checked against our rule: {checked}");
    assert!(checked > 0);
}
