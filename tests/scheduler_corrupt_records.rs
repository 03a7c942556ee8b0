//! Issue 8 defect 4: a stored record the core could not load stays in storage, and its id
//! is never silently overwritten or deleted. The store holds the id (from the record's own
//! `id`, or from the host for an entry it could not parse): adding a job with it needs
//! `replace_existing` — while running, while stopped (pending) and at `start` —, and
//! `remove_all_jobs` removes jobs one by one instead of clearing the store.

#[allow(dead_code)]
mod common;

use common::fixtures::{at, every_minute};
use common::split;
use serde_json::{json, Value};
use tickwerk::scheduler::{NewJob, Scheduler, SchedulerConfig, SchedulerState, StoreKind, StoreOp};
use tickwerk::Error;

/// A scheduler with a persistent `default` store and a memory store `mem`, stopped.
fn scheduler() -> Scheduler {
    Scheduler::new(SchedulerConfig {
        jobstores: vec![("default".into(), StoreKind::Persistent), ("mem".into(), StoreKind::Memory)],
        seed: 3,
        ..SchedulerConfig::default()
    })
}

/// A valid stored record of job `id` (written by the core itself).
fn good_record(id: &str) -> Value {
    let mut src = scheduler();
    src.start(at(0), false).unwrap();
    src.add_job(NewJob::new("f", every_minute()).id(id), at(0)).unwrap();
    match split::poll_store_op(&mut src) {
        Some(StoreOp::Put { record, .. }) => record.to_json(),
        other => panic!("expected a put, got {other:?}"),
    }
}

/// A record of job `id` that does not decode (an unknown trigger type).
fn corrupt_record(id: &str) -> Value {
    let mut r = good_record(id);
    r["trigger"] = json!({"type": "nonsense"});
    r
}

fn ops(s: &mut Scheduler) -> Vec<StoreOp> {
    split::store_ops(s)
}

fn sorted(mut ids: Vec<&str>) -> Vec<&str> {
    ids.sort_unstable();
    ids
}

fn add(id: &str, replace: bool) -> NewJob {
    let mut job = NewJob::new("g", every_minute()).id(id);
    job.replace_existing = replace;
    job
}

#[test]
fn load_jobs_holds_the_id_of_a_corrupt_record_and_add_job_conflicts() {
    let mut s = scheduler();
    let problems = s.load_jobs("default", &[good_record("ok"), corrupt_record("j1")], at(0)).unwrap();
    // The problem list is as before: the corrupt record, named by its id.
    assert_eq!(problems.len(), 1);
    assert!(matches!(&problems[0].error, Error::CorruptRecord { id, .. } if id == "j1"), "{problems:?}");
    assert_eq!((problems[0].index, problems[0].id.as_deref()), (1, Some("j1")));
    assert_eq!(s.unreadable_ids("default"), ["j1"]);
    s.start(at(0), false).unwrap();
    ops(&mut s);

    assert_eq!(s.add_job(add("j1", false), at(0)), Err(Error::UnreadableRecordId { id: "j1".into() }));
    assert!(ops(&mut s).is_empty(), "the corrupt record is not overwritten");
    assert!(s.get_job("j1", None).is_none());
    // Another store is not affected.
    let mut other = add("j1", false);
    other.jobstore = "mem".into();
    s.add_job(other, at(0)).unwrap();
}

#[test]
fn replace_existing_overwrites_the_corrupt_record_and_releases_the_id() {
    let mut s = scheduler();
    s.load_jobs("default", &[corrupt_record("j1")], at(0)).unwrap();
    s.start(at(0), false).unwrap();
    ops(&mut s);
    s.add_job(add("j1", true), at(0)).unwrap();
    match &ops(&mut s)[..] {
        [StoreOp::Put { jobstore, record }] => assert_eq!((jobstore.as_str(), record.id.as_str(), record.func.as_str()), ("default", "j1", "g")),
        other => panic!("expected one put, got {other:?}"),
    }
    assert!(s.unreadable_ids("default").is_empty());
    // From now on "j1" is an ordinary job: removing it frees the id.
    s.remove_job("j1", None).unwrap();
    s.add_job(add("j1", false), at(0)).unwrap();
}

#[test]
fn a_record_without_a_readable_id_holds_nothing() {
    let mut s = scheduler();
    let mut numeric_id = corrupt_record("x");
    numeric_id["id"] = json!(5);
    let problems = s.load_jobs("default", &[json!("not a record"), json!([1, 2]), numeric_id], at(0)).unwrap();
    assert_eq!(problems.len(), 3);
    assert!(s.unreadable_ids("default").is_empty());
}

#[test]
fn hold_unreadable_id_for_entries_the_host_could_not_parse() {
    let mut s = scheduler();
    assert_eq!(s.hold_unreadable_id("nowhere", "k"), Err(Error::UnknownAlias { kind: "jobstore", alias: "nowhere".into() }));
    assert_eq!(s.hold_unreadable_id("mem", "k").unwrap_err().code(), "INVALID_ARGUMENT");
    assert_eq!(s.hold_unreadable_id("default", "").unwrap_err().code(), "INVALID_ARGUMENT");
    s.hold_unreadable_id("default", "k").unwrap();
    s.hold_unreadable_id("default", "k").unwrap();
    s.load_jobs("default", &[corrupt_record("j1")], at(0)).unwrap();
    assert_eq!(sorted(s.unreadable_ids("default")), ["j1", "k"]);
    assert!(s.unreadable_ids("mem").is_empty());
    s.start(at(0), false).unwrap();
    assert_eq!(s.add_job(add("k", false), at(0)), Err(Error::UnreadableRecordId { id: "k".into() }));
    // Also while running.
    s.hold_unreadable_id("default", "late").unwrap();
    assert_eq!(s.add_job(add("late", false), at(0)), Err(Error::UnreadableRecordId { id: "late".into() }));
    s.add_job(add("late", true), at(0)).unwrap();
    assert_eq!(sorted(s.unreadable_ids("default")), ["j1", "k"]);
}

#[test]
fn pending_jobs_conflict_when_added_and_at_start() {
    // Held before the pending add: rejected by add_job itself (deviation early-conflict).
    let mut s = scheduler();
    s.load_jobs("default", &[corrupt_record("j1")], at(0)).unwrap();
    assert_eq!(s.add_job(add("j1", false), at(0)), Err(Error::UnreadableRecordId { id: "j1".into() }));
    s.add_job(add("j1", true), at(0)).unwrap();
    assert_eq!(s.unreadable_ids("default"), ["j1"], "still held until the job is stored");
    s.start(at(0), false).unwrap();
    assert!(s.unreadable_ids("default").is_empty());
    assert!(ops(&mut s).iter().any(|op| matches!(op, StoreOp::Put { record, .. } if record.id == "j1")));

    // Held after the pending add (the records are loaded later): start fails whole.
    let mut s = scheduler();
    s.add_job(add("j1", false), at(0)).unwrap();
    s.add_job(add("j2", false), at(0)).unwrap();
    s.load_jobs("default", &[corrupt_record("j1")], at(0)).unwrap();
    assert_eq!(s.start(at(0), false), Err(Error::UnreadableRecordId { id: "j1".into() }));
    assert_eq!(s.state(), SchedulerState::Stopped);
    assert!(ops(&mut s).is_empty(), "nothing was written");
    assert_eq!(s.get_jobs(None).len(), 2, "nothing was half-started");
}

#[test]
fn remove_all_jobs_never_clears_a_store_with_unreadable_records() {
    let mut s = scheduler();
    s.load_jobs("default", &[good_record("a"), good_record("b"), corrupt_record("j1")], at(0)).unwrap();
    s.start(at(0), false).unwrap();
    ops(&mut s);
    s.remove_all_jobs(Some("default")).unwrap();
    let remove = |id: &str| StoreOp::Remove { jobstore: "default".into(), job_id: id.into() };
    assert_eq!(ops(&mut s), [remove("a"), remove("b")], "no Clear: it would delete the corrupt record");
    assert!(s.get_jobs(Some("default")).is_empty());
    assert_eq!(s.unreadable_ids("default"), ["j1"]);
    // All stores at once: the same per store.
    s.add_job(add("c", false), at(0)).unwrap();
    ops(&mut s);
    s.remove_all_jobs(None).unwrap();
    assert_eq!(ops(&mut s), [remove("c")]);

    // Without unreadable records the store is cleared in one op, as before.
    let mut s = scheduler();
    s.load_jobs("default", &[good_record("a")], at(0)).unwrap();
    s.start(at(0), false).unwrap();
    ops(&mut s);
    s.remove_all_jobs(None).unwrap();
    assert_eq!(ops(&mut s), [StoreOp::Clear { jobstore: "default".into() }]);
}

#[test]
fn held_ids_survive_shutdown_and_go_with_the_store() {
    let mut s = scheduler();
    s.load_jobs("default", &[corrupt_record("j1")], at(0)).unwrap();
    s.start(at(0), false).unwrap();
    s.shutdown().unwrap();
    // The record is still stored: the id stays held while stopped and after a restart.
    assert_eq!(s.add_job(add("j1", false), at(0)), Err(Error::UnreadableRecordId { id: "j1".into() }));
    s.start(at(0), false).unwrap();
    assert_eq!(s.add_job(add("j1", false), at(0)), Err(Error::UnreadableRecordId { id: "j1".into() }));
    // Removing the store forgets them; a store added again under the alias has none.
    s.remove_jobstore("default").unwrap();
    assert!(s.unreadable_ids("default").is_empty());
    s.add_jobstore("default", StoreKind::Persistent).unwrap();
    s.add_job(add("j1", false), at(0)).unwrap();
}

#[test]
fn a_record_that_loads_after_all_releases_its_id() {
    let mut s = scheduler();
    s.load_jobs("default", &[corrupt_record("j1")], at(0)).unwrap();
    assert_eq!(s.unreadable_ids("default"), ["j1"]);
    // The host fixed the record in storage and loads it again.
    let problems = s.load_jobs("default", &[good_record("j1")], at(0)).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert!(s.unreadable_ids("default").is_empty());
    s.start(at(0), false).unwrap();
    assert!(s.get_job("j1", None).is_some());
}
