//! The fake host shared by the scheduler tests and the bench: it owns a [`Scheduler`], a
//! fake clock, the contents of every persistent store (kept by applying the
//! [`Output::StoreOps`] batches), and the runs in flight; runs complete at once or stay in
//! flight on request; every drive is bounded, so a bug cannot loop forever (quinn's
//! `Pair::drive_bounded`).
//!
//! It checks the ordering invariant of the output queue at every [`Output::Run`]: the run's
//! job is stored exactly as the core holds it (for a persistent store, the batch carrying
//! the job's new next run time came first; a job removed because its trigger ran out is no
//! longer stored). So the host drains the outputs after every call (each method here does);
//! a test that calls the scheduler directly calls [`Host::drain`] afterwards.
//!
//! Return values stay with the host, as in the JS driver: the core's executed and error
//! events carry the run id and scheduled time, and [`Host::exception`] finds what the host
//! reported for them.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use serde_json::Value;
use tickwerk::scheduler::{Event, Output, Run, RunId, RunStart, Scheduler, StoreOp};
use tickwerk::Timestamp;

/// What one drain of the output queue produced, in order within each list.
#[derive(Debug, Default)]
pub struct Drained {
    /// The runs handed out.
    pub runs: Vec<Run>,
    /// The events.
    pub events: Vec<Event>,
    /// The store ops applied, over all batches.
    pub ops: Vec<StoreOp>,
    /// How many `StoreOps` batches they came in.
    pub batches: usize,
}

/// A run handed out and not finished.
#[derive(Debug)]
pub struct Flight {
    /// The run's id.
    pub id: RunId,
    /// Its job's id.
    pub job_id: Arc<str>,
    /// When the host got it (its run times are started at this instant unless a test
    /// passes another one).
    pub at: Timestamp,
    /// Whether the host keeps it in flight until a test finishes it.
    pub held: bool,
}

/// The fake host. See the module docs.
pub struct Host {
    /// The scheduler under test.
    pub s: Scheduler,
    /// The fake clock: the `now` of the last drive step.
    pub now: Timestamp,
    /// Every persistent store's records by id, as the store ops left them.
    pub stored: BTreeMap<String, BTreeMap<String, Value>>,
    /// Runs handed out and not finished, oldest first.
    pub in_flight: Vec<Flight>,
    /// Jobs whose run times fail (reported with `run_failed` and the exception text here).
    pub fail: HashMap<String, String>,
    /// Jobs whose instances stay in flight until [`Host::finish`].
    pub hold: HashSet<String>,
    /// How many times `start_run_time` answered `Missed` in [`Host::complete`].
    pub missed_starts: u64,
    /// The exception text reported per (run, scheduled time), for error events.
    reported: HashMap<(RunId, Timestamp), String>,
    /// How many more drive steps are allowed.
    steps_left: usize,
}

/// The bound on drive steps of one host unless a test sets another.
pub const DEFAULT_STEP_LIMIT: usize = 1_000_000;

impl Host {
    /// A host for `s` (already configured; not necessarily started), its clock at `now`.
    /// The outputs `s` queued so far (store and executor added events) are drained.
    pub fn new(s: Scheduler, now: Timestamp) -> Host {
        let mut h = Host {
            s,
            now,
            stored: BTreeMap::new(),
            in_flight: Vec::new(),
            fail: HashMap::new(),
            hold: HashSet::new(),
            missed_starts: 0,
            reported: HashMap::new(),
            steps_left: DEFAULT_STEP_LIMIT,
        };
        h.drain();
        h
    }

    /// Sets the bound on drive steps left (a step is one tick or one run time started).
    pub fn step_limit(&mut self, steps: usize) {
        self.steps_left = steps;
    }

    fn step(&mut self) {
        self.steps_left = self.steps_left.checked_sub(1).expect("the fake host's step bound was reached: a driving loop does not end");
    }

    /// Loads `records` into persistent store `alias` as a host reading its storage does: the
    /// records become the store's contents here, then `load_jobs`. Returns the problems'
    /// (index, id, error code).
    pub fn load(&mut self, alias: &str, records: &[Value], now: Timestamp) -> Vec<(usize, Option<String>, &'static str)> {
        let store = self.stored.entry(alias.to_string()).or_default();
        for (i, r) in records.iter().enumerate() {
            let id = r.get("id").and_then(Value::as_str).map_or_else(|| format!("#{i}"), str::to_string);
            store.insert(id, r.clone());
        }
        let problems = self.s.load_jobs(alias, records, now).expect("load_jobs");
        problems.into_iter().map(|p| (p.index, p.id, p.error.code())).collect()
    }

    /// Drains the output queue: applies every store batch to `stored`, checks the ordering
    /// invariant at every run and queues the run in flight (held when its job is in
    /// `hold`), collects the events.
    pub fn drain(&mut self) -> Drained {
        let mut out = Drained::default();
        while let Some(item) = self.s.poll_output() {
            match item {
                Output::StoreOps { jobstore, ops } => {
                    assert!(!ops.is_empty(), "an empty store batch");
                    out.batches += 1;
                    for op in ops {
                        self.apply(&jobstore, &op);
                        out.ops.push(op);
                    }
                }
                Output::Run(run) => {
                    self.check_stored_before_run(&run);
                    let held = self.hold.contains(&*run.job_id);
                    self.in_flight.push(Flight { id: run.id, job_id: run.job_id.clone(), at: self.now, held });
                    out.runs.push(run);
                }
                Output::Event(e) => out.events.push(e),
            }
        }
        out
    }

    /// Applies one store op to `stored`.
    fn apply(&mut self, jobstore: &str, op: &StoreOp) {
        let store = self.stored.entry(jobstore.to_string()).or_default();
        match op {
            StoreOp::Put { jobstore: alias, record } => {
                assert_eq!(alias, jobstore, "an op in another store's batch");
                store.insert(record.id.clone(), record.to_json());
            }
            StoreOp::Remove { jobstore: alias, job_id } => {
                assert_eq!(alias, jobstore, "an op in another store's batch");
                store.remove(job_id);
            }
            StoreOp::Clear { jobstore: alias } => {
                assert_eq!(alias, jobstore, "an op in another store's batch");
                store.clear();
            }
        }
    }

    /// The ordering invariant: when a run is handed out, its job is stored as the core
    /// holds it — the batch with its new next run time came before the run.
    fn check_stored_before_run(&self, run: &Run) {
        let held = self.s.job_record(&run.jobstore, &run.job_id);
        let stored = self.stored.get(&*run.jobstore).and_then(|m| m.get(&*run.job_id));
        match (&held, stored) {
            (Some(record), Some(s)) => assert_eq!(
                record, s,
                "run {:?} of job {} handed out before the store op with its next run time",
                run.id, run.job_id
            ),
            (Some(_), None) => panic!("run of job {} handed out before its record was stored", run.job_id),
            (None, Some(_)) => panic!("run of job {} handed out before the removal of its record", run.job_id),
            (None, None) => {}
        }
    }

    /// Ticks at `now` (the clock moves there, also backwards) and drains.
    pub fn tick(&mut self, now: Timestamp) -> Drained {
        self.step();
        self.now = now;
        self.s.tick(now);
        self.drain()
    }

    /// Runs run `id` of job `job_id` to the end at `now`: each run time started, executed
    /// ones reported (failed when the job is in `fail`), then finished. Returns the run
    /// times executed. Drains nothing: call [`drain`](Self::drain) for the events.
    pub fn complete(&mut self, id: RunId, job_id: &str, now: Timestamp) -> Vec<Timestamp> {
        let mut executed = Vec::new();
        loop {
            self.step();
            let Some(start) = self.s.start_run_time(id, now).expect("a known run") else { break };
            let RunStart::Execute(t) = start else {
                self.missed_starts += 1;
                continue;
            };
            {
                executed.push(t);
                match self.fail.get(job_id) {
                    Some(text) => {
                        self.reported.insert((id, t), text.clone());
                        self.s.run_failed(id, t).expect("run_failed");
                    }
                    None => self.s.run_succeeded(id, t).expect("run_succeeded"),
                }
            }
        }
        self.s.finish_run(id).expect("finish_run");
        executed
    }

    /// Completes every run in flight that is not held, oldest first, each at the instant it
    /// was handed out; returns how many run times were executed.
    pub fn complete_unheld(&mut self) -> usize {
        let mut executed = 0;
        let flights = std::mem::take(&mut self.in_flight);
        for f in flights {
            if f.held {
                self.in_flight.push(f);
            } else {
                executed += self.complete(f.id, &f.job_id, f.at).len();
            }
        }
        executed
    }

    /// Finishes the oldest held instance of `job_id` (its run times started at the instant
    /// it was handed out); `false` when none is held.
    pub fn finish(&mut self, job_id: &str) -> bool {
        let Some(p) = self.in_flight.iter().position(|f| f.held && *f.job_id == *job_id) else { return false };
        let f = self.in_flight.remove(p);
        self.complete(f.id, &f.job_id, f.at);
        true
    }

    /// Drives the fake clock from wakeup to wakeup while `next_wakeup() <= until`: tick,
    /// complete the unheld runs, drain. Returns how many run times were executed and the
    /// events, in order. Bounded by the step limit.
    pub fn drive_until(&mut self, until: Timestamp) -> (usize, Vec<Event>) {
        let (mut executed, mut events) = (0, Vec::new());
        while let Some(w) = self.s.next_wakeup().filter(|w| *w <= until) {
            let d = self.tick(w.max(self.now));
            events.extend(d.events);
            executed += self.complete_unheld();
            events.extend(self.drain().events);
        }
        (executed, events)
    }

    /// The exception text the host reported for an error event (found by its run id and
    /// scheduled time), as the JS driver attaches it.
    pub fn exception(&self, e: &Event) -> Option<&str> {
        let key = (e.run_id?, e.scheduled_run_time?);
        self.reported.get(&key).map(String::as_str)
    }
}
