//! The sans-IO scheduler: APScheduler 3.x's jobs, stores, misfire / coalesce /
//! max_instances rules and events, driven by the host through `tick(now)`.
//!
//! # The run loop
//!
//! The core owns no thread, timer or clock. The host drives it in a loop:
//!
//! 1. **Configure and start.** Build a [`Scheduler`] from a [`SchedulerConfig`] (seeded:
//!    generated job ids and jitter come from `config.seed`), load the records of persistent
//!    stores with [`Scheduler::load_jobs`], add jobs, and call
//!    [`Scheduler::start`]`(now, paused)`.
//! 2. **Tick.** Read the wall clock once and call [`Scheduler::tick`]`(now)`. It returns the
//!    [`Run`]s that are due: job, store, executor, function key, arguments and the
//!    scheduled run times (after coalescing). Each job's next run time has already been
//!    advanced.
//! 3. **Persist.** Apply every [`StoreOp`] from [`Scheduler::poll_store_op`] to storage
//!    **before** running anything: the advanced next run times are then safe, so a crash
//!    never runs one fire time twice (APScheduler's order).
//! 4. **Run and report.** For each run, for each of its run times, call
//!    [`Scheduler::start_run_time`]`(run, now)` at the moment the work actually starts (the
//!    misfire check happens there: a run queued behind a busy pool can miss), call the
//!    function if told [`RunStart::Execute`], and report [`Scheduler::run_succeeded`] or
//!    [`Scheduler::run_failed`]. When the instance is done, call
//!    [`Scheduler::finish_run`]; that releases its `max_instances` slot.
//! 5. **Drain events.** [`Scheduler::poll_event`] until `None`; deliver each [`Event`] to
//!    the listeners whose mask matches ([`Event::matches`]).
//! 6. **Sleep.** Ask [`Scheduler::next_wakeup`] and sleep until that instant (or until a
//!    user call — add, modify, resume… — changes it; then re-ask). `None` means: nothing to
//!    do until the user calls something. Go to 2.
//!
//! ```
//! use tickwerk::scheduler::{NewJob, RunStart, Scheduler, SchedulerConfig, TriggerInput};
//! use tickwerk::trigger::{DateTrigger, Trigger};
//! use tickwerk::{Timestamp, Zone};
//!
//! let mut s = Scheduler::new(SchedulerConfig { seed: 7, ..SchedulerConfig::default() });
//! let t0 = Timestamp::from_secs(1_767_225_600); // 2026-01-01T00:00:00Z
//! let at = Timestamp::from_secs(1_767_225_660);
//! let once = Trigger::Date(DateTrigger::new(at, Zone::Utc));
//! s.add_job(NewJob::new("report", TriggerInput::Built(once)).id("r"), t0).unwrap();
//! s.start(t0, false).unwrap();
//! assert_eq!(s.next_wakeup(), Some(at));
//! let runs = s.tick(at);
//! assert_eq!(runs.len(), 1);
//! while let Some(op) = s.poll_store_op() { /* write op to storage */ let _ = op; }
//! let run = &runs[0];
//! while let Some(start) = s.start_run_time(run.id, at).unwrap() {
//!     if let RunStart::Execute(t) = start {
//!         // … call the function resolved from run.func …
//!         s.run_succeeded(run.id, t, serde_json::Value::Null).unwrap();
//!     }
//! }
//! s.finish_run(run.id).unwrap();
//! while let Some(event) = s.poll_event() { println!("{}", event.code); }
//! assert_eq!(s.next_wakeup(), None); // the date trigger is exhausted: the job was removed
//! ```
//!
//! # Time rules
//!
//! * Every `now` comes from the host; the core never reads a clock and no call defaults a
//!   missing time to "now".
//! * `tick` is idempotent in the sense that matters: spurious or repeated calls do nothing
//!   new, and a `now` earlier than a previous one (the clock went backwards) is not an
//!   error and never re-emits a run — a job's next run time only moves forward when a run
//!   is handed out.
//! * A backlog (host asleep, clock jumped) never enumerates millions of run times: a
//!   coalescing job jumps straight to its last due time ([`Trigger::catch_up`]); a job that
//!   does not coalesce gets a [`RunTimes::Span`] drained lazily through
//!   [`Scheduler::start_run_time`] (see [`run`]).
//!
//! # Scale
//!
//! Each store indexes its jobs by due instant (an ordered set beside a hash map by id), so
//! [`next_wakeup`](Scheduler::next_wakeup) costs O(log n) per store and a tick with k due
//! jobs O(k log n); nothing scans all jobs except the calls that list them. Equal cron
//! triggers, function keys, executor names and empty argument lists are shared between
//! jobs. `bench/scheduler.rs` measures 100 000 jobs over a simulated day.
//!
//! # Method groups
//!
//! * **Getters**: [`state`](Scheduler::state), [`get_job`](Scheduler::get_job),
//!   [`get_jobs`](Scheduler::get_jobs), [`print_jobs`](Scheduler::print_jobs),
//!   [`running_instances`](Scheduler::running_instances),
//!   [`next_wakeup`](Scheduler::next_wakeup).
//! * **Lifecycle**: [`configure`](Scheduler::configure), [`start`](Scheduler::start),
//!   [`shutdown`](Scheduler::shutdown), [`pause`](Scheduler::pause),
//!   [`resume`](Scheduler::resume), [`wakeup`](Scheduler::wakeup).
//! * **Job commands**: [`add_job`](Scheduler::add_job), [`modify_job`](Scheduler::modify_job),
//!   [`reschedule_job`](Scheduler::reschedule_job), [`pause_job`](Scheduler::pause_job),
//!   [`resume_job`](Scheduler::resume_job), [`remove_job`](Scheduler::remove_job),
//!   [`remove_all_jobs`](Scheduler::remove_all_jobs).
//! * **Stores and executors**: [`add_jobstore`](Scheduler::add_jobstore),
//!   [`remove_jobstore`](Scheduler::remove_jobstore), [`load_jobs`](Scheduler::load_jobs),
//!   [`add_executor`](Scheduler::add_executor), [`remove_executor`](Scheduler::remove_executor).
//! * **Inputs (`handle_*` in quinn's terms)**: [`tick`](Scheduler::tick),
//!   [`start_run_time`](Scheduler::start_run_time), [`run_succeeded`](Scheduler::run_succeeded),
//!   [`run_failed`](Scheduler::run_failed), [`finish_run`](Scheduler::finish_run).
//! * **Outputs (`poll_*`)**: [`poll_event`](Scheduler::poll_event),
//!   [`poll_store_op`](Scheduler::poll_store_op).
//!
//! [`next_wakeup`](Scheduler::next_wakeup) can change after: `start`, `resume`, `pause`,
//! `shutdown`, `tick`, `add_job`, `modify_job`, `reschedule_job`, `pause_job`,
//! `resume_job`, `remove_job`, `remove_all_jobs`, `add_jobstore`, `remove_jobstore`,
//! `load_jobs` and `wakeup`. Re-ask it after any of them.
//!
//! # Stores
//!
//! Each store alias is [`StoreKind::Memory`] or [`StoreKind::Persistent`]. For a persistent
//! store every change is also queued as a [`StoreOp`] (put record, remove, clear) in order;
//! records are [`JobRecord`]s (versioned JSON). A record that cannot be decoded is reported
//! by `load_jobs` with its id and reason and left untouched in storage (APScheduler deletes
//! such jobs; we don't).
//!
//! **Shutdown** empties the in-memory side of every store, as APScheduler's
//! `MemoryJobStore.shutdown()` does: a memory store's jobs are gone, so a restart starts
//! empty. A persistent store's records stay in the host's storage (no `Clear` is emitted);
//! load them again with `load_jobs` before the next `start`.
//!
//! # Deviations from APScheduler
//!
//! * `early-conflict`: duplicate ids are rejected by `add_job` even before `start`; with
//!   `replace_existing` the pending job is replaced at once.
//! * `start` checks every pending job (store alias, id conflicts with loaded jobs) before
//!   changing anything, so it fails whole instead of half-way.
//! * Jitter shifts only when a run becomes due; the un-jittered fire time stays the
//!   schedule (`next_run_time`), so jitter never drifts an interval.
//!   A run's lateness (the misfire check) counts from when it became due, so a jittered
//!   run is not "missed" because of its own jitter.
//! * The default zone is UTC (the core cannot read the machine's zone).

pub mod config;
pub mod event;
pub mod job;
pub mod record;
pub mod run;
pub mod store;
mod trigger_json;

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::BuildHasherDefault;
use std::hash::Hasher;
use std::sync::{Arc, Weak};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::time::{DateInput, Timestamp, Zone};
use crate::trigger::{DateTrigger, JitterRng, Trigger};

pub use config::{ExecutorConfig, JobDefaults, SchedulerConfig, StoreKind};
pub use event::{Event, EventCode, EVENT_ALL};
pub use job::{Job, JobChanges, NewJob, TriggerInput};
pub use record::{JobRecord, RECORD_VERSION};
pub use run::{Run, RunId, RunStart, RunTimes, LIST_LIMIT};
pub use store::StoreOp;

use job::{apply_defaults, check_args, check_grace, check_kwargs, check_max_instances, check_name, PendingInfo};
use run::{Cursor, InFlight};
use store::JobStore;

/// APScheduler's scheduler states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchedulerState {
    /// Not started, or shut down (`STATE_STOPPED = 0`).
    Stopped,
    /// Processing jobs (`STATE_RUNNING = 1`).
    Running,
    /// Started, but not processing jobs (`STATE_PAUSED = 2`).
    Paused,
}

impl SchedulerState {
    /// `"stopped"`, `"running"` or `"paused"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SchedulerState::Stopped => "stopped",
            SchedulerState::Running => "running",
            SchedulerState::Paused => "paused",
        }
    }
}

/// The scheduler state machine. See the [module docs](self) for the driving loop.
#[derive(Debug)]
pub struct Scheduler {
    timezone: Zone,
    defaults: JobDefaults,
    state: SchedulerState,
    stores: Vec<JobStore>,
    executors: Vec<(String, ExecutorConfig)>,
    /// Jobs added while stopped, in insertion order; `pending` info holds the target store.
    pending: Vec<(Job, String)>,
    /// How many pending jobs have each id (conflict checks without scanning).
    pending_ids: HashMap<Arc<str>, u32, BuildHasherDefault<store::Fnv>>,
    events: VecDeque<Event>,
    outbox: VecDeque<StoreOp>,
    runs: HashMap<RunId, InFlight, BuildHasherDefault<store::Fnv>>,
    instances: HashMap<(Arc<str>, Arc<str>), u32, BuildHasherDefault<store::Fnv>>,
    rng: JitterRng,
    next_run_id: u64,
    wakeup_requested: bool,
    /// Shared copies of executor names and function keys, so 100 000 jobs share one
    /// allocation per name.
    names: HashSet<Arc<str>, BuildHasherDefault<store::Fnv>>,
    names_prune_at: usize,
    /// The shared empty `args` (`[]`) and `kwargs` (`{}`).
    empty: (Arc<Value>, Arc<Value>),
    /// Cron triggers in use, by a hash of their `repr()`: jobs with equal cron triggers share
    /// one (a compiled cron trigger is the largest part of a job).
    cron_pool: HashMap<u64, Vec<Weak<Trigger>>, BuildHasherDefault<store::Fnv>>,
    cron_pool_prune_at: usize,
}

impl Scheduler {
    /// A stopped scheduler with `config`. The stores and executors it names are added
    /// (with their `*_ADDED` events); `default` ones are added at `start` if missing.
    pub fn new(config: SchedulerConfig) -> Scheduler {
        let mut s = Scheduler {
            timezone: Zone::Utc,
            defaults: JobDefaults::default(),
            state: SchedulerState::Stopped,
            stores: Vec::new(),
            executors: Vec::new(),
            pending: Vec::new(),
            pending_ids: HashMap::default(),
            events: VecDeque::new(),
            outbox: VecDeque::new(),
            runs: HashMap::default(),
            instances: HashMap::default(),
            rng: JitterRng::new(config.seed),
            next_run_id: 1,
            wakeup_requested: false,
            names: HashSet::default(),
            names_prune_at: 1024,
            empty: (Arc::new(Value::Array(Vec::new())), Arc::new(Value::Object(Default::default()))),
            cron_pool: HashMap::default(),
            cron_pool_prune_at: 1024,
        };
        s.apply_config(config);
        s
    }

    fn apply_config(&mut self, config: SchedulerConfig) {
        self.timezone = config.timezone;
        self.defaults = config.job_defaults;
        self.rng = JitterRng::new(config.seed);
        self.stores.clear();
        self.executors.clear();
        for (alias, exec) in config.executors {
            self.executors.retain(|(a, _)| *a != alias);
            self.executors.push((alias.clone(), exec));
            self.events.push_back(Event::scheduler(EventCode::ExecutorAdded, Some(alias)));
        }
        for (alias, kind) in config.jobstores {
            self.stores.retain(|s| *s.alias != *alias);
            self.stores.push(JobStore::new(&alias, kind));
            self.events.push_back(Event::scheduler(EventCode::JobstoreAdded, Some(alias)));
        }
    }

    // ----- getters -------------------------------------------------------------------

    /// The current state.
    pub fn state(&self) -> SchedulerState {
        self.state
    }

    /// The scheduler's zone (default for triggers and wall-clock times).
    pub fn timezone(&self) -> Zone {
        self.timezone
    }

    /// The job defaults in force.
    pub fn job_defaults(&self) -> JobDefaults {
        self.defaults
    }

    /// How many instances of `job_id` are running (submitted and not finished), over all
    /// executors.
    pub fn running_instances(&self, job_id: &str) -> u32 {
        self.instances.iter().filter(|((_, j), _)| &**j == job_id).map(|(_, n)| *n).sum()
    }

    /// Number of jobs in all stores (not counting pending ones).
    pub fn job_count(&self) -> usize {
        self.stores.iter().map(JobStore::len).sum()
    }

    /// The job `job_id`: while stopped among the pending jobs (the store is ignored),
    /// otherwise in `jobstore` or the first store that has it.
    pub fn get_job(&self, job_id: &str, jobstore: Option<&str>) -> Option<&Job> {
        if self.state == SchedulerState::Stopped {
            if !self.pending_ids.contains_key(job_id) {
                return None;
            }
            return self.pending.iter().map(|(j, _)| j).find(|j| &*j.id == job_id);
        }
        self.stores.iter().filter(|s| jobstore.map_or(true, |a| a == &*s.alias)).find_map(|s| s.get(job_id))
    }

    /// The jobs of `jobstore` (or all stores, in the order they were added), each store's in
    /// APScheduler's order: next run time, then id, paused jobs last. While stopped: the
    /// pending jobs, in the order they were added.
    pub fn get_jobs(&self, jobstore: Option<&str>) -> Vec<&Job> {
        if self.state == SchedulerState::Stopped {
            return self.pending.iter().filter(|(_, a)| jobstore.map_or(true, |x| x == a)).map(|(j, _)| j).collect();
        }
        self.stores.iter().filter(|s| jobstore.map_or(true, |a| a == &*s.alias)).flat_map(|s| s.ordered()).collect()
    }

    /// APScheduler's `print_jobs()` text.
    pub fn print_jobs(&self, jobstore: Option<&str>) -> String {
        let mut out = String::new();
        if self.state == SchedulerState::Stopped {
            out.push_str("Pending jobs:\n");
            let jobs = self.get_jobs(jobstore);
            if jobs.is_empty() {
                out.push_str("    No pending jobs\n");
            }
            for j in jobs {
                out.push_str(&format!("    {}\n", j.describe(self.timezone)));
            }
            return out;
        }
        let mut stores: Vec<&JobStore> = self.stores.iter().filter(|s| jobstore.map_or(true, |a| a == &*s.alias)).collect();
        stores.sort_by(|a, b| a.alias.cmp(&b.alias));
        for s in stores {
            out.push_str(&format!("Jobstore {}:\n", s.alias));
            let mut any = false;
            for j in s.ordered() {
                any = true;
                out.push_str(&format!("    {}\n", j.describe(self.timezone)));
            }
            if !any {
                out.push_str("    No scheduled jobs\n");
            }
        }
        out
    }

    /// The instant at which [`tick`](Self::tick) next has work: the earliest due instant
    /// of an unpaused job over all stores. `None` when stopped, paused or idle.
    /// [`Timestamp::MIN`] after [`wakeup`](Self::wakeup), until the next tick.
    pub fn next_wakeup(&self) -> Option<Timestamp> {
        if self.state != SchedulerState::Running {
            return None;
        }
        if self.wakeup_requested {
            return Some(Timestamp::MIN);
        }
        self.stores.iter().filter_map(JobStore::earliest).min()
    }

    // ----- lifecycle -----------------------------------------------------------------

    /// Replaces the configuration. Only while stopped (else
    /// [`Error::SchedulerAlreadyRunning`]). Stores and executors are re-created from the
    /// config, as in APScheduler; pending jobs stay.
    pub fn configure(&mut self, config: SchedulerConfig) -> Result<()> {
        if self.state != SchedulerState::Stopped {
            return Err(Error::SchedulerAlreadyRunning);
        }
        self.apply_config(config);
        Ok(())
    }

    /// Starts the scheduler at `now`: adds the `default` executor and memory store if
    /// missing, schedules the pending jobs in order (first run time from the trigger at
    /// `now`, or their explicit `next_run_time`), then emits `EVENT_SCHEDULER_STARTED`.
    /// Checks every pending job first, so it fails without changing anything.
    pub fn start(&mut self, now: Timestamp, paused: bool) -> Result<()> {
        if self.state != SchedulerState::Stopped {
            return Err(Error::SchedulerAlreadyRunning);
        }
        let default_store_missing = !self.stores.iter().any(|s| &*s.alias == "default");
        // Validate before changing anything.
        for (job, alias) in &self.pending {
            let store = self.stores.iter().find(|s| *s.alias == **alias);
            match store {
                None if !(alias == "default" && default_store_missing) => {
                    return Err(Error::UnknownAlias { kind: "jobstore", alias: alias.clone() })
                }
                Some(s) if s.contains(&job.id) && !job.pending.as_ref().is_some_and(|p| p.replace_existing) => {
                    return Err(Error::ConflictingId { id: job.id.to_string() })
                }
                Some(s) if s.is_persistent() => {
                    trigger_json::to_json(&job.trigger)?;
                }
                _ => {}
            }
        }
        if !self.executors.iter().any(|(a, _)| a == "default") {
            self.executors.push(("default".into(), ExecutorConfig::default()));
            self.events.push_back(Event::scheduler(EventCode::ExecutorAdded, Some("default".into())));
        }
        if default_store_missing {
            self.stores.push(JobStore::new("default", StoreKind::Memory));
            self.events.push_back(Event::scheduler(EventCode::JobstoreAdded, Some("default".into())));
        }
        self.pending_ids.clear();
        for (mut job, alias) in std::mem::take(&mut self.pending) {
            apply_defaults(&mut job, &self.defaults);
            let info = job.pending.take();
            let (next, replace) = match info {
                Some(PendingInfo { next_run_time: Some(given), replace_existing, .. }) => ((given, given), replace_existing),
                Some(PendingInfo { replace_existing, .. }) => (self.first_fire(&job.trigger, now), replace_existing),
                None => (self.first_fire(&job.trigger, now), false),
            };
            job.next_run_time = next.0;
            job.run_at = next.1;
            // Validated above; a failure here cannot happen, but is reported, not panicked.
            self.store_new_job(job, &alias, replace)?;
        }
        self.state = if paused { SchedulerState::Paused } else { SchedulerState::Running };
        self.events.push_back(Event::scheduler(EventCode::SchedulerStarted, None));
        self.wakeup_requested = false;
        Ok(())
    }

    /// Shuts down: state stopped, every store's in-memory jobs dropped (see "Stores" in
    /// the module docs), then `EVENT_SCHEDULER_SHUTDOWN`. In-flight runs can still be
    /// reported and finished.
    pub fn shutdown(&mut self) -> Result<()> {
        if self.state == SchedulerState::Stopped {
            return Err(Error::SchedulerNotRunning);
        }
        self.state = SchedulerState::Stopped;
        for s in &mut self.stores {
            s.clear();
        }
        self.wakeup_requested = false;
        self.events.push_back(Event::scheduler(EventCode::SchedulerShutdown, None));
        Ok(())
    }

    /// Pauses job processing (`EVENT_SCHEDULER_PAUSED`); a no-op when already paused.
    pub fn pause(&mut self) -> Result<()> {
        match self.state {
            SchedulerState::Stopped => Err(Error::SchedulerNotRunning),
            SchedulerState::Paused => Ok(()),
            SchedulerState::Running => {
                self.state = SchedulerState::Paused;
                self.events.push_back(Event::scheduler(EventCode::SchedulerPaused, None));
                Ok(())
            }
        }
    }

    /// Resumes job processing (`EVENT_SCHEDULER_RESUMED`); a no-op when running. Runs
    /// that fell due while paused are processed by the next tick (subject to coalescing
    /// and misfire rules).
    pub fn resume(&mut self) -> Result<()> {
        match self.state {
            SchedulerState::Stopped => Err(Error::SchedulerNotRunning),
            SchedulerState::Running => Ok(()),
            SchedulerState::Paused => {
                self.state = SchedulerState::Running;
                self.events.push_back(Event::scheduler(EventCode::SchedulerResumed, None));
                Ok(())
            }
        }
    }

    /// APScheduler's `wakeup()`: asks the host to tick as soon as possible —
    /// [`next_wakeup`](Self::next_wakeup) returns [`Timestamp::MIN`] until the next tick.
    pub fn wakeup(&mut self) {
        if self.state == SchedulerState::Running {
            self.wakeup_requested = true;
        }
    }

    // ----- job commands --------------------------------------------------------------

    /// Adds a job and returns its id. While stopped the job is *pending* (scheduled at
    /// `start`; no event yet); otherwise it is stored, its first run time computed from the
    /// trigger at `now` (or taken from `next_run_time`; `Some(None)` adds it paused), and
    /// `EVENT_JOB_ADDED` is emitted. A duplicate id fails with [`Error::ConflictingId`]
    /// unless `replace_existing` — also while stopped (deviation `early-conflict`).
    pub fn add_job(&mut self, new: NewJob, now: Timestamp) -> Result<Arc<str>> {
        let trigger = self.build_trigger(new.trigger, now)?;
        if new.func.is_empty() {
            return Err(Error::invalid("func", "", "a job needs a function key"));
        }
        let func: Arc<str> = self.intern(&new.func);
        let name: Arc<str> = match new.name {
            Some(n) => Arc::from(check_name("name", n)?.as_str()),
            None => func.clone(),
        };
        let args = self.share_empty(check_args(new.args)?);
        let kwargs = self.share_empty(check_kwargs(new.kwargs)?);
        let grace = match new.misfire_grace_time {
            Some(g) => check_grace(g)?,
            None => self.defaults.misfire_grace_time,
        };
        let max_instances = match new.max_instances {
            Some(m) => check_max_instances(m)?,
            None => self.defaults.max_instances,
        };
        let next_given = match new.next_run_time {
            None => None,
            Some(None) => Some(None),
            Some(Some(d)) => Some(Some(self.resolve_date("next_run_time", &d)?)),
        };
        if let Some(id) = &new.id {
            if id.is_empty() {
                return Err(Error::invalid("id", "", "must not be empty"));
            }
        }
        let id: Arc<str> = match new.id {
            Some(id) => Arc::from(id.as_str()),
            None => self.generate_id(),
        };
        let mut job = Job {
            id: id.clone(),
            name,
            func,
            args,
            kwargs,
            trigger: self.share_trigger(trigger),
            executor: self.intern(&new.executor),
            jobstore: None,
            misfire_grace_time: grace,
            coalesce: new.coalesce.unwrap_or(self.defaults.coalesce),
            max_instances,
            next_run_time: None,
            run_at: None,
            trigger_json: None,
            pending: None,
        };
        if self.state == SchedulerState::Stopped {
            // APScheduler sets an explicit next_run_time on the pending job at once.
            job.next_run_time = next_given.flatten();
            job.pending = Some(PendingInfo {
                misfire_grace_time: new.misfire_grace_time.is_some(),
                coalesce: new.coalesce.is_some(),
                max_instances: new.max_instances.is_some(),
                next_run_time: next_given,
                replace_existing: new.replace_existing,
            });
            let existing = if self.pending_ids.contains_key(&*id) {
                self.pending.iter().position(|(j, a)| j.id == id && *a == new.jobstore)
            } else {
                None
            };
            match existing {
                Some(_) if !new.replace_existing => return Err(Error::ConflictingId { id: id.to_string() }),
                Some(i) => self.pending[i] = (job, new.jobstore),
                None => {
                    if !new.replace_existing && self.stores.iter().any(|s| *s.alias == *new.jobstore && s.contains(&id)) {
                        return Err(Error::ConflictingId { id: id.to_string() });
                    }
                    *self.pending_ids.entry(id.clone()).or_insert(0) += 1;
                    self.pending.push((job, new.jobstore));
                }
            }
            return Ok(id);
        }
        let (t, r) = match next_given {
            Some(given) => (given, given),
            None => self.first_fire(&job.trigger, now),
        };
        job.next_run_time = t;
        job.run_at = r;
        self.store_new_job(job, &new.jobstore, new.replace_existing)?;
        Ok(id)
    }

    /// Changes a job's options (anything but its id). Validated all at once; nothing changes
    /// on error. Changing the trigger does not recompute the next run time (APScheduler).
    /// Emits `EVENT_JOB_MODIFIED`.
    pub fn modify_job(&mut self, job_id: &str, jobstore: Option<&str>, changes: JobChanges) -> Result<()> {
        let next = match &changes.next_run_time {
            None => None,
            Some(None) => Some(None),
            Some(Some(d)) => Some(Some(self.resolve_date("next_run_time", d)?)),
        };
        self.modify_inner(job_id, jobstore, changes, next.map(|n| (n, n)))
    }

    /// Replaces a job's trigger and sets its next run time to the trigger's first fire time
    /// at `now` (none: the job is paused, not removed). Emits `EVENT_JOB_MODIFIED`.
    pub fn reschedule_job(&mut self, job_id: &str, jobstore: Option<&str>, trigger: TriggerInput, now: Timestamp) -> Result<()> {
        self.find_job(job_id, jobstore)?;
        let trigger = self.build_trigger(trigger, now)?;
        let next = self.first_fire(&trigger, now);
        let changes = JobChanges { trigger: Some(trigger), ..JobChanges::default() };
        self.modify_inner(job_id, jobstore, changes, Some(next))
    }

    /// Pauses a job (next run time none). Emits `EVENT_JOB_MODIFIED`.
    pub fn pause_job(&mut self, job_id: &str, jobstore: Option<&str>) -> Result<()> {
        self.modify_inner(job_id, jobstore, JobChanges::default(), Some((None, None)))
    }

    /// Resumes a job: next run time = the trigger's first fire time at `now` (missed runs
    /// are not replayed). If the trigger has none left the job is **removed**; returns
    /// whether the job still exists.
    pub fn resume_job(&mut self, job_id: &str, jobstore: Option<&str>, now: Timestamp) -> Result<bool> {
        let trigger = self.find_job(job_id, jobstore)?.trigger.clone();
        let next = self.first_fire(&trigger, now);
        if next.0.is_none() {
            self.remove_job(job_id, jobstore)?;
            return Ok(false);
        }
        self.modify_inner(job_id, jobstore, JobChanges::default(), Some(next))?;
        Ok(true)
    }

    /// Removes a job (pending ones while stopped). Emits `EVENT_JOB_REMOVED`.
    pub fn remove_job(&mut self, job_id: &str, jobstore: Option<&str>) -> Result<()> {
        if self.state == SchedulerState::Stopped {
            let pos = self.pending.iter().position(|(j, a)| &*j.id == job_id && jobstore.map_or(true, |x| x == a));
            let Some(i) = pos else { return Err(Error::JobNotFound { id: job_id.to_string() }) };
            let (job, alias) = self.pending.remove(i);
            self.forget_pending_id(&job.id);
            self.events.push_back(Event::job(EventCode::JobRemoved, job.id, Some(Arc::from(alias.as_str()))));
            return Ok(());
        }
        let idx = self
            .stores
            .iter()
            .position(|s| jobstore.map_or(true, |a| a == &*s.alias) && s.contains(job_id))
            .ok_or_else(|| Error::JobNotFound { id: job_id.to_string() })?;
        self.remove_from_store(idx, job_id);
        Ok(())
    }

    /// Removes every job of `jobstore` (or of all stores; pending ones while stopped).
    /// Emits `EVENT_ALL_JOBS_REMOVED` with `alias = jobstore`.
    pub fn remove_all_jobs(&mut self, jobstore: Option<&str>) -> Result<()> {
        if self.state == SchedulerState::Stopped {
            self.pending.retain(|(_, a)| jobstore.is_some_and(|x| x != a));
            self.pending_ids.clear();
            for (j, _) in &self.pending {
                *self.pending_ids.entry(j.id.clone()).or_insert(0) += 1;
            }
        } else {
            for s in self.stores.iter_mut().filter(|s| jobstore.map_or(true, |a| a == &*s.alias)) {
                s.clear();
                if s.is_persistent() {
                    self.outbox.push_back(StoreOp::Clear { jobstore: s.alias.to_string() });
                }
            }
        }
        self.events.push_back(Event::scheduler(EventCode::AllJobsRemoved, jobstore.map(str::to_string)));
        Ok(())
    }

    // ----- stores and executors ------------------------------------------------------

    /// Adds a job store (`EVENT_JOBSTORE_ADDED`). The alias must be free.
    pub fn add_jobstore(&mut self, alias: &str, kind: StoreKind) -> Result<()> {
        if self.stores.iter().any(|s| &*s.alias == alias) {
            return Err(Error::invalid("alias", alias, "a job store with this alias already exists"));
        }
        self.stores.push(JobStore::new(alias, kind));
        self.events.push_back(Event::scheduler(EventCode::JobstoreAdded, Some(alias.to_string())));
        Ok(())
    }

    /// Removes a job store and its jobs from the core (`EVENT_JOBSTORE_REMOVED`). A
    /// persistent store's records are not touched.
    pub fn remove_jobstore(&mut self, alias: &str) -> Result<()> {
        let i = self
            .stores
            .iter()
            .position(|s| *s.alias == *alias)
            .ok_or_else(|| Error::UnknownAlias { kind: "jobstore", alias: alias.to_string() })?;
        self.stores.remove(i);
        self.events.push_back(Event::scheduler(EventCode::JobstoreRemoved, Some(alias.to_string())));
        Ok(())
    }

    /// Adds an executor (`EVENT_EXECUTOR_ADDED`). The alias must be free.
    pub fn add_executor(&mut self, alias: &str, executor: ExecutorConfig) -> Result<()> {
        if self.executors.iter().any(|(a, _)| a == alias) {
            return Err(Error::invalid("alias", alias, "an executor with this alias already exists"));
        }
        self.executors.push((alias.to_string(), executor));
        self.events.push_back(Event::scheduler(EventCode::ExecutorAdded, Some(alias.to_string())));
        Ok(())
    }

    /// Removes an executor (`EVENT_EXECUTOR_REMOVED`). Jobs naming it are removed when they
    /// next fall due, as in APScheduler.
    pub fn remove_executor(&mut self, alias: &str) -> Result<()> {
        let i = self
            .executors
            .iter()
            .position(|(a, _)| a == alias)
            .ok_or_else(|| Error::UnknownAlias { kind: "executor", alias: alias.to_string() })?;
        self.executors.remove(i);
        self.events.push_back(Event::scheduler(EventCode::ExecutorRemoved, Some(alias.to_string())));
        Ok(())
    }

    /// Loads stored records into persistent store `alias` (no events, no store ops — like
    /// APScheduler's `import_jobs`). `now` is the build context of the triggers. Returns
    /// the records that could not be loaded ([`Error::CorruptRecord`] with id and reason,
    /// or [`Error::ConflictingId`]); they are left untouched in storage.
    pub fn load_jobs(&mut self, alias: &str, records: &[Value], now: Timestamp) -> Result<Vec<Error>> {
        let zone = self.timezone;
        let store = self
            .stores
            .iter_mut()
            .find(|s| &*s.alias == alias)
            .ok_or_else(|| Error::UnknownAlias { kind: "jobstore", alias: alias.to_string() })?;
        if !store.is_persistent() {
            return Err(Error::invalid("jobstore", alias, "only persistent stores load records"));
        }
        let mut problems = Vec::new();
        for (i, value) in records.iter().enumerate() {
            let job = JobRecord::decode(&format!("#{i}"), value).and_then(|r| r.into_job(alias, zone, now));
            match job {
                Ok(job) if store.contains(&job.id) => problems.push(Error::ConflictingId { id: job.id.to_string() }),
                Ok(job) => {
                    store.put(job);
                }
                Err(e) => problems.push(e),
            }
        }
        Ok(problems)
    }

    // ----- inputs: tick and run progress --------------------------------------------

    /// Processes due jobs at `now` (APScheduler's `_process_jobs`) and returns the runs to
    /// start, in processing order (stores in insertion order; due jobs by due time, then id).
    ///
    /// For each due job: every fire time `<= now` is collected (only the last one when
    /// coalescing; long backlogs are never enumerated, see [`run`]); if the job already has
    /// `max_instances` running instances, `EVENT_JOB_MAX_INSTANCES` is queued and the times
    /// are lost, otherwise a [`Run`] is handed out with `EVENT_JOB_SUBMITTED`. Either way the
    /// next run time is advanced (and its store op queued) first; an exhausted trigger
    /// removes the job (`EVENT_JOB_REMOVED`, emitted at once; submission events come after
    /// all jobs were processed).
    ///
    /// Does nothing unless running. Spurious calls are harmless; a `now` earlier than
    /// before is not an error and never re-emits a run.
    pub fn tick(&mut self, now: Timestamp) -> Vec<Run> {
        self.wakeup_requested = false;
        let mut runs = Vec::new();
        if self.state != SchedulerState::Running {
            return runs;
        }
        let mut deferred = Vec::new();
        for si in 0..self.stores.len() {
            let due = self.stores[si].due_ids(now);
            for id in due {
                self.process_due(si, &id, now, &mut runs, &mut deferred);
            }
        }
        self.events.extend(deferred);
        runs
    }

    fn process_due(&mut self, si: usize, id: &Arc<str>, now: Timestamp, runs: &mut Vec<Run>, deferred: &mut Vec<Event>) {
        let store = &self.stores[si];
        let alias = store.alias.clone();
        let Some(job) = store.get(id) else { return };
        let (Some(first), Some(run_at)) = (job.next_run_time, job.run_at) else { return };
        if !self.executors.iter().any(|(a, _)| **a == *job.executor) {
            // APScheduler logs "Executor lookup failed" and removes the job.
            self.remove_from_store(si, id);
            return;
        }
        let trigger = job.trigger.clone();
        let (coalesce, max_instances, grace) = (job.coalesce, job.max_instances, job.misfire_grace_time);
        let executor = job.executor.clone();
        let first = first.min(now);
        let catch = trigger.catch_up(first, now, if coalesce { 1 } else { LIST_LIMIT });
        let last = catch.last;
        let (times, cursor) = if coalesce {
            (RunTimes::List(vec![last]), Cursor::One(Some(last)))
        } else if catch.complete && catch.listed.len() == 1 {
            (RunTimes::List(catch.listed), Cursor::One(Some(first)))
        } else if catch.complete {
            (RunTimes::List(catch.listed.clone()), Cursor::List { times: catch.listed, next: 0 })
        } else {
            (RunTimes::Span { first, last }, Cursor::Span { next: Some(first), last, now, trigger: trigger.clone() })
        };
        let key = (executor.clone(), id.clone());
        let running = self.instances.get(&key).copied().unwrap_or(0);
        if running >= max_instances {
            let mut ev = Event::job(EventCode::JobMaxInstances, id.clone(), Some(alias.clone()));
            ev.scheduled_run_times = Some(times);
            deferred.push(ev);
        } else {
            *self.instances.entry(key).or_insert(0) += 1;
            let run_id = RunId(self.next_run_id);
            self.next_run_id += 1;
            let flight = InFlight {
                job_id: id.clone(),
                jobstore: alias.clone(),
                executor: executor.clone(),
                misfire_grace_time: grace,
                due_at: run_at,
                cursor,
            };
            self.runs.insert(run_id, flight);
            let mut ev = Event::job(EventCode::JobSubmitted, id.clone(), Some(alias.clone()));
            ev.scheduled_run_times = Some(times.clone());
            deferred.push(ev);
            runs.push(Run {
                id: run_id,
                job_id: id.clone(),
                jobstore: alias.clone(),
                executor,
                func: job.func.clone(),
                args: job.args.clone(),
                kwargs: job.kwargs.clone(),
                run_times: times,
                run_at: if coalesce { run_at.max(last) } else { run_at },
            });
        }
        // A trigger must move forward; one that does not is treated as exhausted rather
        // than handing out the same time again.
        let next = catch
            .after
            .filter(|t| *t > last)
            .and_then(|t| trigger.apply_jitter(t, &mut self.rng).map(|r| (t, r.max(t))));
        match next {
            Some((t, r)) => {
                let store = &mut self.stores[si];
                let persistent = store.is_persistent();
                if let Some(job) = store.reschedule(id, Some(t), Some(r)) {
                    if persistent {
                        let op = StoreOp::Put { jobstore: alias.to_string(), record: JobRecord::from_job_unchecked(job) };
                        self.outbox.push_back(op);
                    }
                }
            }
            None => self.remove_from_store(si, id),
        }
    }

    /// The host is starting the next scheduled time of `run` at `now`. Returns
    /// [`RunStart::Execute`] (call the function, then report), [`RunStart::Missed`] (more
    /// than `misfire_grace_time` seconds late — strictly greater, as APScheduler; the
    /// `EVENT_JOB_MISSED` is queued), or `None` when every run time was handed out.
    /// Lateness is `now` minus the run time, or minus the instant the job became due when
    /// that is later (a jittered run is not late for its jitter).
    pub fn start_run_time(&mut self, run: RunId, now: Timestamp) -> Result<Option<RunStart>> {
        let flight = self.runs.get_mut(&run).ok_or_else(|| unknown_run(run))?;
        let Some(t) = flight.cursor.advance() else { return Ok(None) };
        if let Some(grace) = flight.misfire_grace_time {
            let late = now.as_micros().saturating_sub(t.max(flight.due_at).as_micros());
            if late > grace as i64 * crate::time::MICROS_PER_SEC {
                let mut ev = Event::job(EventCode::JobMissed, flight.job_id.clone(), Some(flight.jobstore.clone()));
                ev.scheduled_run_time = Some(t);
                self.events.push_back(ev);
                return Ok(Some(RunStart::Missed(t)));
            }
        }
        Ok(Some(RunStart::Execute(t)))
    }

    /// The function ran for `scheduled` and returned `retval` (`EVENT_JOB_EXECUTED`).
    pub fn run_succeeded(&mut self, run: RunId, scheduled: Timestamp, retval: Value) -> Result<()> {
        let flight = self.runs.get(&run).ok_or_else(|| unknown_run(run))?;
        let mut ev = Event::job(EventCode::JobExecuted, flight.job_id.clone(), Some(flight.jobstore.clone()));
        ev.scheduled_run_time = Some(scheduled);
        ev.retval = Some(retval);
        self.events.push_back(ev);
        Ok(())
    }

    /// The function failed for `scheduled` (`EVENT_JOB_ERROR` with the exception text and
    /// the traceback / stack if any).
    pub fn run_failed(&mut self, run: RunId, scheduled: Timestamp, exception: String, traceback: Option<String>) -> Result<()> {
        let flight = self.runs.get(&run).ok_or_else(|| unknown_run(run))?;
        let mut ev = Event::job(EventCode::JobError, flight.job_id.clone(), Some(flight.jobstore.clone()));
        ev.scheduled_run_time = Some(scheduled);
        ev.exception = Some(exception);
        ev.traceback = traceback;
        self.events.push_back(ev);
        Ok(())
    }

    /// The instance ended: its `max_instances` slot is released. Run times not yet handed
    /// out are dropped.
    pub fn finish_run(&mut self, run: RunId) -> Result<()> {
        let flight = self.runs.remove(&run).ok_or_else(|| unknown_run(run))?;
        let key = (flight.executor, flight.job_id);
        if let Some(n) = self.instances.get_mut(&key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.instances.remove(&key);
            }
        }
        Ok(())
    }

    // ----- outputs -------------------------------------------------------------------

    /// The next queued event, oldest first.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// The next store operation for a persistent store, in order. Apply them all before
    /// running the runs of a tick.
    pub fn poll_store_op(&mut self) -> Option<StoreOp> {
        self.outbox.pop_front()
    }

    // ----- internals -----------------------------------------------------------------

    fn build_trigger(&self, input: TriggerInput, now: Timestamp) -> Result<Trigger> {
        match input {
            TriggerInput::RunOnceNow => Ok(Trigger::Date(DateTrigger::new(now, self.timezone))),
            TriggerInput::Built(t) => Ok(t),
            TriggerInput::Json(v) => trigger_json::build(&v, self.timezone, now),
        }
    }

    fn resolve_date(&self, field: &str, d: &DateInput) -> Result<Timestamp> {
        d.resolve(field, self.timezone)
    }

    /// The first fire time at `now`: (schedule time, due instant with jitter).
    fn first_fire(&mut self, trigger: &Trigger, now: Timestamp) -> (Option<Timestamp>, Option<Timestamp>) {
        match trigger.next_fire(None, now, &mut self.rng) {
            Some(f) => (Some(f.time), Some(f.run_at.max(f.time))),
            None => (None, None),
        }
    }

    /// The shared copy of an equal cron trigger already in use, or a new shared trigger.
    fn share_trigger(&mut self, trigger: Trigger) -> Arc<Trigger> {
        if !matches!(trigger, Trigger::Cron(_)) {
            return Arc::new(trigger);
        }
        if self.cron_pool.len() >= self.cron_pool_prune_at {
            // Amortised clean-up of triggers no job uses any more (frees their allocations).
            self.cron_pool.retain(|_, v| {
                v.retain(|w| w.strong_count() > 0);
                !v.is_empty()
            });
            self.cron_pool_prune_at = (2 * self.cron_pool.len()).max(1024);
        }
        let mut h = store::Fnv::default();
        h.write(trigger.repr().as_bytes());
        let slot = self.cron_pool.entry(h.finish()).or_default();
        slot.retain(|w| w.strong_count() > 0);
        if let Some(found) = slot.iter().filter_map(Weak::upgrade).find(|t| **t == trigger) {
            return found;
        }
        let shared = Arc::new(trigger);
        slot.push(Arc::downgrade(&shared));
        shared
    }

    /// Replaces an empty array / object by the shared one (most jobs have no arguments).
    fn share_empty(&self, v: Arc<Value>) -> Arc<Value> {
        match &*v {
            Value::Array(a) if a.is_empty() => self.empty.0.clone(),
            Value::Object(o) if o.is_empty() => self.empty.1.clone(),
            _ => v,
        }
    }

    fn forget_pending_id(&mut self, id: &str) {
        if let Some(n) = self.pending_ids.get_mut(id) {
            *n -= 1;
            if *n == 0 {
                self.pending_ids.remove(id);
            }
        }
    }

    fn intern(&mut self, name: &str) -> Arc<str> {
        if let Some(n) = self.names.get(name) {
            return n.clone();
        }
        if self.names.len() >= self.names_prune_at {
            // Amortised clean-up of names no job uses any more.
            self.names.retain(|n| Arc::strong_count(n) > 1);
            self.names_prune_at = (2 * self.names.len()).max(1024);
        }
        let n: Arc<str> = Arc::from(name);
        self.names.insert(n.clone());
        n
    }

    fn generate_id(&mut self) -> Arc<str> {
        loop {
            let id = format!("{:016x}{:016x}", self.rng.next_u64(), self.rng.next_u64());
            let taken = self.pending_ids.contains_key(id.as_str()) || self.stores.iter().any(|s| s.contains(&id));
            if !taken {
                return Arc::from(id.as_str());
            }
        }
    }

    fn find_job(&self, job_id: &str, jobstore: Option<&str>) -> Result<&Job> {
        self.get_job(job_id, jobstore).ok_or_else(|| Error::JobNotFound { id: job_id.to_string() })
    }

    /// Stores a new (non-pending) job: conflict check, trigger JSON for persistent stores,
    /// store op, `EVENT_JOB_ADDED`.
    fn store_new_job(&mut self, mut job: Job, alias: &str, replace: bool) -> Result<()> {
        let si = self
            .stores
            .iter()
            .position(|s| *s.alias == *alias)
            .ok_or_else(|| Error::UnknownAlias { kind: "jobstore", alias: alias.to_string() })?;
        if self.stores[si].contains(&job.id) && !replace {
            return Err(Error::ConflictingId { id: job.id.to_string() });
        }
        if self.stores[si].is_persistent() {
            job.trigger_json = Some(Arc::new(trigger_json::to_json(&job.trigger)?));
        }
        job.jobstore = Some(self.stores[si].alias.clone());
        job.pending = None;
        let id = job.id.clone();
        if let Some(op) = self.stores[si].put_op(&job) {
            self.outbox.push_back(op);
        }
        self.stores[si].put(job);
        let alias = self.stores[si].alias.clone();
        self.events.push_back(Event::job(EventCode::JobAdded, id, Some(alias)));
        Ok(())
    }

    fn remove_from_store(&mut self, si: usize, job_id: &str) {
        if let Some(job) = self.stores[si].remove(job_id) {
            if let Some(op) = self.stores[si].remove_op(job_id) {
                self.outbox.push_back(op);
            }
            let alias = self.stores[si].alias.clone();
            self.events.push_back(Event::job(EventCode::JobRemoved, job.id, Some(alias)));
        }
    }

    /// Validates `changes` against the job and applies them all, or none. `next` is the new
    /// (schedule, due) pair when the next run time changes.
    fn modify_inner(
        &mut self,
        job_id: &str,
        jobstore: Option<&str>,
        changes: JobChanges,
        next: Option<(Option<Timestamp>, Option<Timestamp>)>,
    ) -> Result<()> {
        let current = self.find_job(job_id, jobstore)?.clone();
        let mut job = current;
        if let Some(name) = changes.name {
            job.name = Arc::from(check_name("name", name)?.as_str());
        }
        if let Some(func) = changes.func {
            job.func = self.intern(&check_name("func", func)?);
        }
        if let Some(args) = changes.args {
            job.args = self.share_empty(check_args(args)?);
        }
        if let Some(kwargs) = changes.kwargs {
            job.kwargs = self.share_empty(check_kwargs(kwargs)?);
        }
        if let Some(executor) = changes.executor {
            job.executor = self.intern(&executor);
        }
        if let Some(g) = changes.misfire_grace_time {
            job.misfire_grace_time = check_grace(g)?;
        }
        if let Some(c) = changes.coalesce {
            job.coalesce = c;
        }
        if let Some(m) = changes.max_instances {
            job.max_instances = check_max_instances(m)?;
        }
        let trigger_changed = changes.trigger.is_some();
        if let Some(t) = changes.trigger {
            job.trigger = self.share_trigger(t);
        }
        if let Some(p) = job.pending.as_mut() {
            // Pending: remember what was set explicitly; no store, no store op.
            p.misfire_grace_time |= changes.misfire_grace_time.is_some();
            p.coalesce |= changes.coalesce.is_some();
            p.max_instances |= changes.max_instances.is_some();
            if let Some((t, _)) = next {
                p.next_run_time = Some(t);
                job.next_run_time = t;
            }
            let id = job.id.clone();
            if let Some(slot) = self.pending.iter_mut().find(|(j, _)| j.id == id) {
                slot.0 = job;
            }
            self.events.push_back(Event::job(EventCode::JobModified, id, None));
            return Ok(());
        }
        if let Some((t, r)) = next {
            job.next_run_time = t;
            job.run_at = r;
        }
        let alias: Arc<str> = job.jobstore.clone().unwrap_or_else(|| Arc::from(""));
        let si = self
            .stores
            .iter()
            .position(|s| *s.alias == *alias)
            .ok_or_else(|| Error::UnknownAlias { kind: "jobstore", alias: alias.to_string() })?;
        if trigger_changed && self.stores[si].is_persistent() {
            job.trigger_json = Some(Arc::new(trigger_json::to_json(&job.trigger)?));
        }
        if let Some(op) = self.stores[si].put_op(&job) {
            self.outbox.push_back(op);
        }
        let id = job.id.clone();
        self.stores[si].put(job);
        self.events.push_back(Event::job(EventCode::JobModified, id, Some(alias)));
        Ok(())
    }
}

fn unknown_run(run: RunId) -> Error {
    Error::invalid("run_id", run.0, "no such run (never handed out, or already finished)")
}
