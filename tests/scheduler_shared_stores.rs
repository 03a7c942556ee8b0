//! The core's side of shared job stores (`docs/shared-stores.md`): a following store is a
//! mirror that is never due; leading again catches up with APScheduler's misfire, coalesce
//! and max_instances rules; `replace_jobs` reloads a store silently; `apply_record` applies
//! another scheduler's change with its event and store op; `job_record` is the record a
//! put carries.

#[allow(dead_code)]
mod common;

use common::fixtures::{at, every_minute, secs};
use common::split;
use serde_json::{json, Value};
use tickwerk::scheduler::{EventCode, LoadProblem, NewJob, RunStart, RunTimes, Scheduler, SchedulerConfig, StoreKind, StoreOp, TriggerInput};
use tickwerk::{Error, Timestamp};

/// A started scheduler with persistent stores `shared` and `other` and a memory store `mem`.
fn scheduler() -> Scheduler {
    let mut s = Scheduler::new(SchedulerConfig {
        jobstores: vec![
            ("shared".into(), StoreKind::Persistent),
            ("other".into(), StoreKind::Persistent),
            ("mem".into(), StoreKind::Memory),
        ],
        seed: 5,
        ..SchedulerConfig::default()
    });
    s.start(at(0), false).unwrap();
    drain(&mut s);
    s
}

/// Job `id` every minute from 00:00 in store `shared`, no misfire limit, not coalescing.
fn job(id: &str) -> NewJob {
    job_in("shared", id)
}

/// [`job`] in store `store`.
fn job_in(store: &str, id: &str) -> NewJob {
    let mut j = NewJob::new("f", every_minute()).id(id);
    j.jobstore = store.into();
    j.misfire_grace_time = Some(None);
    j.coalesce = Some(false);
    j
}

/// Events as (code, job id) pairs, and the store ops, both drained.
fn drain(s: &mut Scheduler) -> (Vec<(EventCode, Option<String>)>, Vec<StoreOp>) {
    let events = split::events(s).into_iter().map(|e| (e.code, e.job_id.map(|id| id.to_string()))).collect();
    (events, split::store_ops(s))
}

fn ev(code: EventCode, id: &str) -> (EventCode, Option<String>) {
    (code, Some(id.to_string()))
}

/// The record a new scheduler's put carries for `new` added at `now`.
fn record_of(new: NewJob, now: Timestamp) -> Value {
    let mut src = scheduler();
    src.add_job(new, now).unwrap();
    match drain(&mut src).1.pop() {
        Some(StoreOp::Put { record, .. }) => record.to_json(),
        other => panic!("expected a put, got {other:?}"),
    }
}

fn ids(s: &Scheduler, store: &str) -> Vec<String> {
    s.get_jobs(Some(store)).iter().map(|j| j.id.to_string()).collect()
}

// ----- set_store_leading ------------------------------------------------------------------

#[test]
fn a_following_store_is_never_due_and_its_commands_still_work() {
    let mut s = scheduler();
    s.add_job(job("a"), at(0)).unwrap();
    assert_eq!(s.next_wakeup(), Some(at(0)));
    s.set_store_leading("shared", false).unwrap();
    drain(&mut s);
    assert_eq!(s.next_wakeup(), None, "a following store's jobs are not counted");
    for t in [0, 60, 61, 3_600, 86_400] {
        assert!(split::tick(&mut s, at(t)).is_empty(), "nothing handed out at +{t}s");
        assert_eq!(s.next_wakeup(), None);
    }
    assert_eq!(drain(&mut s), (vec![], vec![]), "ticks leave a following store alone");
    // The mirror is visible: the job keeps the next run time the leader would have moved.
    assert_eq!(s.get_job("a", None).unwrap().next_run_time, Some(at(0)));

    // Commands work on it, with their events and store ops, and nothing becomes due.
    s.add_job(job("b"), at(10)).unwrap();
    s.modify_job("b", Some("shared"), tickwerk::scheduler::JobChanges { name: Some("bee".into()), ..Default::default() }).unwrap();
    s.pause_job("a", None).unwrap();
    s.resume_job("a", None, at(100)).unwrap();
    s.reschedule_job("b", None, TriggerInput::Json(json!({"type": "interval", "seconds": 5})), at(100)).unwrap();
    let (events, ops) = drain(&mut s);
    assert_eq!(
        events,
        [ev(EventCode::JobAdded, "b"), ev(EventCode::JobModified, "b"), ev(EventCode::JobModified, "a"), ev(EventCode::JobModified, "a"), ev(EventCode::JobModified, "b")]
    );
    assert_eq!(ops.len(), 5, "{ops:?}");
    assert!(ops.iter().all(|op| matches!(op, StoreOp::Put { jobstore, .. } if jobstore == "shared")));
    assert_eq!(s.get_job("a", None).unwrap().next_run_time, Some(at(120)));
    assert!(split::tick(&mut s, at(1_000)).is_empty());
    assert_eq!(s.next_wakeup(), None);
    s.remove_job("a", None).unwrap();
    s.remove_all_jobs(Some("shared")).unwrap();
    let (events, ops) = drain(&mut s);
    assert_eq!(events, [ev(EventCode::JobRemoved, "a"), (EventCode::AllJobsRemoved, None)]);
    assert_eq!(ops, [StoreOp::Remove { jobstore: "shared".into(), job_id: "a".into() }, StoreOp::Clear { jobstore: "shared".into() }]);
}

#[test]
fn only_the_following_store_stops() {
    let mut s = scheduler();
    s.add_job(job("a"), at(0)).unwrap();
    s.add_job(job_in("other", "o"), at(30)).unwrap();
    s.set_store_leading("shared", false).unwrap();
    assert_eq!(s.next_wakeup(), Some(at(60)));
    let runs = split::tick(&mut s, at(60));
    assert_eq!(runs.iter().map(|r| &*r.job_id).collect::<Vec<_>>(), ["o"]);
    // Setting the same state twice is harmless; an unknown store is the unknown-alias error.
    s.set_store_leading("shared", false).unwrap();
    s.set_store_leading("other", true).unwrap();
    assert_eq!(s.set_store_leading("nope", true), Err(Error::UnknownAlias { kind: "jobstore", alias: "nope".into() }));
    assert_eq!(s.next_wakeup(), Some(at(120)));
}

#[test]
fn leading_again_catches_up_with_misfire_coalesce_and_max_instances() {
    let mut s = scheduler();
    // all: every missed time, no grace; last: coalesces; late: 1 s grace; busy: one
    // instance, still running from before the store was handed over.
    s.add_job(job("all"), at(0)).unwrap();
    let mut last = job("last");
    last.coalesce = Some(true);
    s.add_job(last, at(0)).unwrap();
    let mut late = job("late");
    late.misfire_grace_time = Some(Some(1));
    s.add_job(late, at(0)).unwrap();
    s.add_job(job("busy"), at(0)).unwrap();
    let runs = split::tick(&mut s, at(0));
    assert_eq!(runs.len(), 4);
    let busy = runs.iter().find(|r| &*r.job_id == "busy").unwrap().id;
    for r in runs.iter().filter(|r| r.id != busy) {
        while s.start_run_time(r.id, at(0)).unwrap().is_some() {}
        s.finish_run(r.id).unwrap();
    }
    drain(&mut s);

    s.set_store_leading("shared", false).unwrap();
    assert!(split::tick(&mut s, at(200)).is_empty());
    s.set_store_leading("shared", true).unwrap();
    assert_eq!(s.next_wakeup(), Some(at(60)), "the jobs fell due meanwhile");
    let runs = split::tick(&mut s, at(200));
    let times = |id: &str| runs.iter().find(|r| &*r.job_id == id).map(|r| r.run_times.clone());
    let list = |v: &[i64]| Some(RunTimes::List(v.iter().map(|&t| at(t)).collect()));
    assert_eq!(times("all"), list(&[60, 120, 180]));
    assert_eq!(times("last"), list(&[180]));
    assert_eq!(times("late"), list(&[60, 120, 180]));
    assert_eq!(times("busy"), None, "max_instances refused it");
    let (events, ops) = drain(&mut s);
    assert_eq!(ops.len(), 4, "every job's next run time advanced and written: {ops:?}");
    let mut codes: Vec<_> = events.iter().map(|(c, id)| (*c, id.clone().unwrap())).collect();
    codes.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        codes,
        [
            (EventCode::JobSubmitted, "all".to_string()),
            (EventCode::JobMaxInstances, "busy".to_string()),
            (EventCode::JobSubmitted, "last".to_string()),
            (EventCode::JobSubmitted, "late".to_string()),
        ]
    );
    for id in ["all", "last", "late", "busy"] {
        assert_eq!(s.get_job(id, None).unwrap().next_run_time, Some(at(240)), "{id}");
    }
    // The misfire check at start: 'late' misses the times more than 1 s late at +200 s.
    let late = runs.iter().find(|r| &*r.job_id == "late").unwrap().id;
    let starts: Vec<_> = std::iter::from_fn(|| s.start_run_time(late, at(200)).unwrap()).collect();
    assert_eq!(starts, [RunStart::Missed(at(60)), RunStart::Missed(at(120)), RunStart::Missed(at(180))]);
    let (events, _) = drain(&mut s);
    assert_eq!(events, [ev(EventCode::JobMissed, "late"), ev(EventCode::JobMissed, "late"), ev(EventCode::JobMissed, "late")]);
}

// ----- replace_jobs ------------------------------------------------------------------------

#[test]
fn replace_jobs_makes_the_store_exactly_its_records_silently() {
    let mut s = scheduler();
    for id in ["keep", "change", "gone"] {
        s.add_job(job(id), at(0)).unwrap();
    }
    s.add_job(job_in("other", "gone"), at(0)).unwrap();
    drain(&mut s);
    let keep = s.job_record("shared", "keep").unwrap();
    let mut change = s.job_record("shared", "change").unwrap();
    change["name"] = json!("renamed");
    change["next_run_time"] = json!(at(600).as_micros());
    change["run_at"] = json!(at(600).as_micros());
    let new = record_of(job("new"), at(0));

    let problems = s.replace_jobs("shared", &[change.clone(), new.clone(), keep.clone()], at(5)).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(drain(&mut s), (vec![], vec![]), "no events, no store ops");
    assert_eq!(ids(&s, "shared"), ["keep", "new", "change"]);
    assert_eq!(ids(&s, "other"), ["gone"], "other stores are untouched");
    assert_eq!(&*s.get_job("change", Some("shared")).unwrap().name, "renamed");
    assert_eq!(s.get_job("change", Some("shared")).unwrap().next_run_time, Some(at(600)));
    for (id, record) in [("keep", &keep), ("change", &change), ("new", &new)] {
        assert_eq!(s.job_record("shared", id).as_ref(), Some(record), "{id}");
    }
    // Reloading the same records again changes nothing.
    assert!(s.replace_jobs("shared", &[change, new, keep], at(5)).unwrap().is_empty());
    assert_eq!(ids(&s, "shared"), ["keep", "new", "change"]);
    assert!(s.replace_jobs("shared", &[], at(5)).unwrap().is_empty());
    assert!(ids(&s, "shared").is_empty());
    assert_eq!(s.next_wakeup(), Some(at(0)), "the other store's job");
    assert_eq!(drain(&mut s), (vec![], vec![]));
}

#[test]
fn replace_jobs_resets_unreadable_ids_and_reports_problems_like_load_jobs() {
    let mut s = scheduler();
    let good = record_of(job("good"), at(0));
    let mut bad = record_of(job("bad"), at(0));
    bad["trigger"] = json!({"type": "nonsense"});
    s.load_jobs("shared", &[bad.clone()], at(0)).unwrap();
    s.hold_unreadable_id("shared", "unparsed").unwrap();
    let mut ids_now: Vec<&str> = s.unreadable_ids("shared");
    ids_now.sort_unstable();
    assert_eq!(ids_now, ["bad", "unparsed"]);

    // The bad record was fixed in storage; another one broke; one record is doubled.
    let mut broken = record_of(job("broken"), at(0));
    broken["coalesce"] = json!("yes");
    let records = [good.clone(), broken, json!(7), good.clone()];
    let problems = s.replace_jobs("shared", &records, at(0)).unwrap();
    let problem = |index, id: Option<&str>, error| LoadProblem { index, id: id.map(str::to_string), error };
    let expected = [
        problem(1, Some("broken"), Error::CorruptRecord { id: "broken".into(), reason: "field `coalesce`: expected a boolean, got a string".into() }),
        // No readable id: none in the problem; the error's text names the record by its place.
        problem(2, None, Error::CorruptRecord { id: "#2".into(), reason: "expected a JSON object".into() }),
        problem(3, Some("good"), Error::ConflictingId { id: "good".into() }),
    ];
    assert_eq!(problems, expected);
    assert_eq!(s.load_jobs("other", &records, at(0)).unwrap(), expected, "the same problems load_jobs reports");
    assert_eq!(s.unreadable_ids("shared"), ["broken"], "held ids are what this load found");
    assert_eq!(ids(&s, "shared"), ["good"]);
    assert_eq!(drain(&mut s), (vec![], vec![]));
}

#[test]
fn replace_jobs_refuses_memory_and_unknown_stores_without_changing_anything() {
    let mut s = scheduler();
    s.add_job(job_in("mem", "m"), at(0)).unwrap();
    s.add_job(job("a"), at(0)).unwrap();
    drain(&mut s);
    let record = record_of(job("x"), at(0));
    let err = s.replace_jobs("mem", std::slice::from_ref(&record), at(0)).unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    assert!(err.to_string().contains("only persistent stores"), "{err}");
    assert_eq!(ids(&s, "mem"), ["m"]);
    assert_eq!(s.replace_jobs("nope", &[record], at(0)), Err(Error::UnknownAlias { kind: "jobstore", alias: "nope".into() }));
    assert_eq!(ids(&s, "shared"), ["a"]);
}

#[test]
fn replace_jobs_keeps_the_store_following() {
    let mut s = scheduler();
    s.set_store_leading("shared", false).unwrap();
    let record = record_of(job("a"), at(0));
    s.replace_jobs("shared", &[record], at(0)).unwrap();
    assert_eq!(s.next_wakeup(), None);
    assert!(split::tick(&mut s, at(100)).is_empty());
    s.set_store_leading("shared", true).unwrap();
    assert_eq!(split::tick(&mut s, at(100)).len(), 1);
}

#[test]
fn runs_in_flight_survive_their_job_being_replaced_or_gone() {
    let mut s = scheduler();
    let mut one = job("one");
    one.max_instances = Some(1);
    s.add_job(one, at(0)).unwrap();
    s.add_job(job("gone"), at(0)).unwrap();
    let runs = split::tick(&mut s, at(0));
    assert_eq!(runs.len(), 2);
    drain(&mut s);
    let mut one = s.job_record("shared", "one").unwrap();
    one["name"] = json!("replaced");
    // The store is reloaded while both runs are in flight: 'one' replaced, 'gone' gone.
    assert!(s.replace_jobs("shared", &[one], at(1)).unwrap().is_empty());
    assert_eq!(s.running_instances("one"), 1, "the replaced job's instance still counts");
    assert!(split::tick(&mut s, at(60)).is_empty(), "max_instances holds across the reload");
    let (events, _) = drain(&mut s);
    assert_eq!(events, [ev(EventCode::JobMaxInstances, "one")]);
    for run in &runs {
        let start = s.start_run_time(run.id, at(60)).unwrap();
        assert_eq!(start, Some(RunStart::Execute(at(0))));
        s.run_succeeded(run.id, at(0)).unwrap();
        s.finish_run(run.id).unwrap();
    }
    let (events, ops) = drain(&mut s);
    let executed: Vec<_> = runs.iter().map(|r| ev(EventCode::JobExecuted, &r.job_id)).collect();
    assert_eq!(events, executed);
    assert!(ops.is_empty());
    assert_eq!((s.running_instances("one"), s.running_instances("gone")), (0, 0));
    assert!(s.get_job("gone", None).is_none());
    assert_eq!(split::tick(&mut s, at(120)).len(), 1, "the replaced job runs again once its instance is free");
}

// ----- apply_record ------------------------------------------------------------------------

#[test]
fn apply_record_adds_a_new_id_and_modifies_a_known_one_with_a_put() {
    let mut s = scheduler();
    let record = record_of(job("j"), at(0));
    s.apply_record("shared", &record, at(0)).unwrap();
    let (events, ops) = drain(&mut s);
    assert_eq!(events, [ev(EventCode::JobAdded, "j")]);
    match &ops[..] {
        [StoreOp::Put { jobstore, record: put }] => {
            assert_eq!(jobstore, "shared");
            assert_eq!(put.to_json(), record);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.job_record("shared", "j"), Some(record.clone()));
    assert_eq!(s.next_wakeup(), Some(at(0)));

    // A follower renamed it and paused it: the record's next_run_time (null) is taken.
    let mut changed = record.clone();
    changed["name"] = json!("renamed");
    changed["next_run_time"] = Value::Null;
    changed["run_at"] = Value::Null;
    s.apply_record("shared", &changed, at(30)).unwrap();
    let (events, ops) = drain(&mut s);
    assert_eq!(events, [ev(EventCode::JobModified, "j")]);
    assert!(matches!(&ops[..], [StoreOp::Put { record: put, .. }] if put.to_json() == changed), "{ops:?}");
    let j = s.get_job("j", None).unwrap();
    assert_eq!((&*j.name, j.next_run_time), ("renamed", None));
    assert_eq!(s.next_wakeup(), None);

    // An explicit next run time in the past is due at once (and caught up as usual).
    let mut resumed = changed.clone();
    resumed["next_run_time"] = json!(at(60).as_micros());
    resumed["run_at"] = json!(at(60).as_micros());
    s.apply_record("shared", &resumed, at(200)).unwrap();
    assert_eq!(s.next_wakeup(), Some(at(60)));
    let runs = split::tick(&mut s, at(200));
    assert_eq!(runs[0].run_times, RunTimes::List(vec![at(60), at(120), at(180)]));
    assert_eq!(s.get_job("j", None).unwrap().next_run_time, Some(at(240)));
}

#[test]
fn apply_record_on_a_following_store_writes_but_is_never_due() {
    let mut s = scheduler();
    s.set_store_leading("shared", false).unwrap();
    s.apply_record("shared", &record_of(job("j"), at(0)), at(0)).unwrap();
    let (events, ops) = drain(&mut s);
    assert_eq!((events.len(), ops.len()), (1, 1));
    assert_eq!(s.next_wakeup(), None);
    assert!(split::tick(&mut s, at(300)).is_empty());
}

#[test]
fn apply_record_normalises_what_it_writes() {
    // run_at before next_run_time (or absent) is the next run time; a paused job has none.
    let mut s = scheduler();
    let mut record = record_of(job("j"), at(0));
    record["next_run_time"] = json!(at(60).as_micros());
    record["run_at"] = json!(at(0).as_micros());
    s.apply_record("shared", &record, at(0)).unwrap();
    assert_eq!(s.job_record("shared", "j").unwrap()["run_at"], json!(at(60).as_micros()));
    record["next_run_time"] = Value::Null;
    record.as_object_mut().unwrap().remove("run_at");
    s.apply_record("shared", &record, at(0)).unwrap();
    assert_eq!(s.job_record("shared", "j").unwrap()["run_at"], Value::Null);
    assert_eq!(s.get_job("j", None).unwrap().due_at(), None);
}

#[test]
fn apply_record_refuses_taken_ids_and_bad_records_without_changing_anything() {
    let mut s = scheduler();
    s.add_job(job_in("other", "o"), at(0)).unwrap();
    s.add_job(job_in("mem", "m"), at(0)).unwrap();
    let mut held = record_of(job("held"), at(0));
    held["trigger"] = json!({"type": "nonsense"});
    s.load_jobs("shared", &[held], at(0)).unwrap();
    drain(&mut s);

    let conflict = s.apply_record("shared", &record_of(job("o"), at(0)), at(0)).unwrap_err();
    assert_eq!(conflict, Error::ConflictingId { id: "o".into() });
    let conflict = s.apply_record("shared", &record_of(job("m"), at(0)), at(0)).unwrap_err();
    assert_eq!(conflict, Error::ConflictingId { id: "m".into() }, "a memory store's job holds its id too");
    let held = s.apply_record("shared", &record_of(job("held"), at(0)), at(0)).unwrap_err();
    assert_eq!((held.code(), held), ("CONFLICTING_ID", Error::UnreadableRecordId { id: "held".into() }));

    let mut bad = record_of(job("b"), at(0));
    bad["max_instances"] = json!("two");
    assert_eq!(
        s.apply_record("shared", &bad, at(0)),
        Err(Error::CorruptRecord { id: "b".into(), reason: "field `max_instances`: expected a whole number, got a string".into() })
    );
    let mut no_id = record_of(job("b"), at(0));
    no_id.as_object_mut().unwrap().remove("id");
    assert_eq!(s.apply_record("shared", &no_id, at(0)), Err(Error::CorruptRecord { id: "record".into(), reason: "missing field `id`".into() }));
    let mut bad_trigger = record_of(job("b"), at(0));
    bad_trigger["trigger"] = json!({"type": "cron", "hour": "25"});
    let err = s.apply_record("shared", &bad_trigger, at(0)).unwrap_err();
    assert!(matches!(&err, Error::CorruptRecord { id, reason } if id == "b" && reason.contains("hour")), "{err:?}");
    assert_eq!(s.apply_record("shared", &json!([1]), at(0)).unwrap_err().code(), "CORRUPT_RECORD");

    let err = s.apply_record("mem", &record_of(job("x"), at(0)), at(0)).unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    assert_eq!(s.apply_record("nope", &record_of(job("x"), at(0)), at(0)).unwrap_err().code(), "UNKNOWN_ALIAS");

    assert_eq!(drain(&mut s), (vec![], vec![]), "nothing changed");
    assert!(ids(&s, "shared").is_empty());
}

// ----- job_record ---------------------------------------------------------------------------

#[test]
fn job_record_round_trips_through_load_jobs_and_apply_record() {
    let mut s = scheduler();
    let mut j = job("j");
    j.args = json!([1, "two", {"three": 3}]);
    j.kwargs = json!({"k": [null, true]});
    j.name = Some("a job".into());
    j.coalesce = Some(true);
    j.max_instances = Some(3);
    j.trigger = TriggerInput::Json(json!({"type": "cron", "minute": "*/5", "jitter": 10, "timezone": "Europe/Berlin"}));
    s.add_job(j, at(0)).unwrap();
    let put = match drain(&mut s).1.pop() {
        Some(StoreOp::Put { record, .. }) => record.to_json(),
        other => panic!("{other:?}"),
    };
    let record = s.job_record("shared", "j").unwrap();
    assert_eq!(record, put, "exactly what the put carried");

    let mut loaded = scheduler();
    assert!(loaded.load_jobs("shared", std::slice::from_ref(&record), at(0)).unwrap().is_empty());
    assert_eq!(loaded.job_record("shared", "j"), Some(record.clone()));
    let mut applied = scheduler();
    applied.apply_record("shared", &record, at(0)).unwrap();
    assert_eq!(applied.job_record("shared", "j"), Some(record.clone()));
    let mut replaced = scheduler();
    replaced.replace_jobs("shared", std::slice::from_ref(&record), at(0)).unwrap();
    assert_eq!(replaced.job_record("shared", "j"), Some(record));

    // After a tick the record is the one the tick's put carried.
    let due = s.next_wakeup().unwrap();
    split::tick(&mut s, due);
    let put = drain(&mut s).1.into_iter().find_map(|op| match op {
        StoreOp::Put { record, .. } => Some(record.to_json()),
        _ => None,
    });
    assert_eq!(s.job_record("shared", "j"), put);
    assert!(secs(s.get_job("j", None).unwrap().next_run_time.unwrap()) > secs(due));
}

#[test]
fn job_record_is_none_for_absent_jobs_memory_and_unknown_stores() {
    let mut s = scheduler();
    s.add_job(job_in("mem", "m"), at(0)).unwrap();
    s.add_job(job("a"), at(0)).unwrap();
    assert_eq!(s.job_record("mem", "m"), None);
    assert_eq!(s.job_record("nope", "a"), None);
    assert_eq!(s.job_record("shared", "m"), None);
    assert_eq!(s.job_record("other", "a"), None);
    assert!(s.job_record("shared", "a").is_some());
}
