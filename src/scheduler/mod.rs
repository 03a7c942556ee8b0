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
//! 2. **Tick.** Read the wall clock once and call [`Scheduler::tick`]`(now)`. It queues
//!    the store ops of the due jobs' advanced next run times, then one [`Run`] per due job
//!    (job, store, executor, function key, arguments and the scheduled run times after
//!    coalescing), then the submission events.
//! 3. **Handle the outputs, in order.** [`Scheduler::poll_output`] until `None`; each item
//!    is an [`Output`]:
//!    * [`Output::StoreOps`]: one store's operations, to apply as one atomic batch;
//!    * [`Output::Run`]: start it only once every batch before it is stored. The queue puts
//!      a run after the store ops that advanced its job, so a host that keeps this one
//!      rule never runs a fire time whose next run time is not yet recorded (a crash never
//!      runs one fire time twice: APScheduler's order, here by construction);
//!    * [`Output::Event`]: deliver it to the listeners whose mask matches
//!      ([`Event::matches`]).
//! 4. **Run and report.** For each run, for each of its run times, call
//!    [`Scheduler::start_run_time`]`(run, now)` at the moment the work actually starts (the
//!    misfire check happens there: a run queued behind a busy pool can miss), call the
//!    function if told [`RunStart::Execute`], and report [`Scheduler::run_succeeded`] or
//!    [`Scheduler::run_failed`]. The core keeps no return value or exception: their
//!    events carry the run's id and scheduled time ([`Event::run_id`],
//!    [`Event::scheduled_run_time`]), and the host attaches what it kept. When the
//!    instance is done, call [`Scheduler::finish_run`]; that releases its `max_instances`
//!    slot. Each report queues outputs too: back to 3.
//! 5. **Sleep.** Ask [`Scheduler::next_wakeup`] and sleep until that instant (or until a
//!    user call — add, modify, resume… — changes it; then drain the outputs and re-ask).
//!    `None` means: nothing to do until the user calls something. Go to 2.
//!
//! ```
//! use tickwerk::scheduler::{NewJob, Output, RunStart, Scheduler, SchedulerConfig, TriggerInput};
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
//! s.tick(at);
//! let mut runs = 0;
//! while let Some(output) = s.poll_output() {
//!     match output {
//!         Output::StoreOps { .. } => { /* store the batch (none here: a memory store) */ }
//!         Output::Run(run) => {
//!             runs += 1;
//!             while let Some(start) = s.start_run_time(run.id, at).unwrap() {
//!                 if let RunStart::Execute(t) = start {
//!                     // … call the function resolved from run.func, keep its result …
//!                     s.run_succeeded(run.id, t).unwrap();
//!                 }
//!             }
//!             s.finish_run(run.id).unwrap();
//!         }
//!         Output::Event(event) => println!("{}", event.code),
//!     }
//! }
//! assert_eq!(runs, 1);
//! assert_eq!(s.next_wakeup(), None); // the date trigger is exhausted: the job was removed
//! ```
//!
//! # Time rules
//!
//! * Every `now` comes from the host; the core never reads a clock and no call defaults a
//!   missing time to "now".
//! * A job has two times: `next_run_time`, its next scheduled (un-jittered) fire time — the
//!   schedule, from which the following one is computed — and **`due_at`**, when it becomes
//!   due: `next_run_time` plus the trigger's jitter (the same instant without jitter). Each
//!   store orders its jobs by `due_at`, [`Scheduler::next_wakeup`] is the earliest one, a run
//!   starts at its [`Run::due_at`], and its lateness counts from there.
//! * `tick` is idempotent in the sense that matters: spurious or repeated calls do nothing
//!   new, and a `now` earlier than a previous one (the clock went backwards) is not an
//!   error and never re-emits a run — a job's next run time only moves forward when a run
//!   is handed out.
//! * A backlog (host asleep, clock jumped) never enumerates millions of run times: a
//!   coalescing job jumps straight to its last fire time at or before `now`
//!   ([`Trigger::catch_up`](crate::trigger::Trigger::catch_up)); a job that does not coalesce gets a [`RunTimes::Span`]
//!   drained lazily through [`Scheduler::start_run_time`], which skips a stretch of it that
//!   is already missed in one step with one `EVENT_JOB_MISSED` (deviation `missed-span`,
//!   see [`run`]).
//!
//! # Scale
//!
//! Each store indexes its jobs by `due_at` (an ordered set beside a hash map by id), so
//! [`next_wakeup`](Scheduler::next_wakeup) costs O(log n) per store and a tick with k due
//! jobs O(k log n); nothing scans all jobs except the calls that list them. Equal cron
//! triggers, function keys, executor names and empty argument lists are shared between
//! jobs. Jobs added before `start` are indexed by id as well, so adding, finding, replacing
//! or removing one is O(1) however many are pending. `bench/scheduler.rs` measures
//! 100 000 jobs over a simulated day.
//!
//! # Inside
//!
//! [`Scheduler`] holds its state in parts, each a struct in its own file:
//!
//! | part | file | holds |
//! | --- | --- | --- |
//! | `Stores` | `store.rs` | the job stores (jobs by id, unreadable record ids, leading or following); every write to a stored job queues its [`StoreOp`] on the output queue |
//! | `OutputQueue` | `output.rs` | the one ordered queue of store ops, runs and events ([`Output`]) |
//! | `DueIndex` | `due_index.rs` | one store's jobs ordered by `due_at`, then id |
//! | `PendingJobs` | `pending_jobs.rs` | jobs added while stopped, until `start` |
//! | `RunTable` | `in_flight.rs` | runs handed out and not finished, their cursors, the `max_instances` counts |
//! | `Pools` | `pool.rs` | shared cron triggers, function keys, executor names, empty argument lists |
//!
//! Its methods: getters, lifecycle and outputs here; job, store and executor commands in
//! `commands.rs`; `tick` (catch-up → admission → reschedule) and the run reports in
//! `driving.rs`; the writes they share (first fire time, store / change / remove a job
//! with its store op and event) in `job_writes.rs`; leaders and followers of shared stores
//! in `shared_stores.rs`.
//!
//! # Method groups
//!
//! * **Getters**: [`state`](Scheduler::state), [`get_job`](Scheduler::get_job),
//!   [`get_jobs`](Scheduler::get_jobs), [`print_jobs`](Scheduler::print_jobs),
//!   [`running_instances`](Scheduler::running_instances),
//!   [`next_wakeup`](Scheduler::next_wakeup), [`unreadable_ids`](Scheduler::unreadable_ids).
//! * **Lifecycle**: [`configure`](Scheduler::configure), [`start`](Scheduler::start),
//!   [`shutdown`](Scheduler::shutdown), [`pause`](Scheduler::pause),
//!   [`resume`](Scheduler::resume), [`wakeup`](Scheduler::wakeup).
//! * **Job commands**: [`add_job`](Scheduler::add_job), [`modify_job`](Scheduler::modify_job),
//!   [`reschedule_job`](Scheduler::reschedule_job), [`pause_job`](Scheduler::pause_job),
//!   [`resume_job`](Scheduler::resume_job), [`remove_job`](Scheduler::remove_job),
//!   [`remove_all_jobs`](Scheduler::remove_all_jobs).
//! * **Stores and executors**: [`add_jobstore`](Scheduler::add_jobstore),
//!   [`remove_jobstore`](Scheduler::remove_jobstore), [`load_jobs`](Scheduler::load_jobs),
//!   [`hold_unreadable_id`](Scheduler::hold_unreadable_id),
//!   [`add_executor`](Scheduler::add_executor), [`remove_executor`](Scheduler::remove_executor).
//! * **Shared stores** (`shared_stores.rs`; one leader runs a store's jobs, see
//!   `docs/shared-stores.md`): [`set_store_leading`](Scheduler::set_store_leading),
//!   [`replace_jobs`](Scheduler::replace_jobs), [`apply_record`](Scheduler::apply_record),
//!   [`job_record`](Scheduler::job_record).
//! * **Inputs (`handle_*` in quinn's terms)**: [`tick`](Scheduler::tick),
//!   [`start_run_time`](Scheduler::start_run_time), [`run_succeeded`](Scheduler::run_succeeded),
//!   [`run_failed`](Scheduler::run_failed), [`finish_run`](Scheduler::finish_run).
//! * **Output (`poll_*`)**: [`poll_output`](Scheduler::poll_output), the one ordered queue
//!   of store ops, runs and events.
//!
//! [`next_wakeup`](Scheduler::next_wakeup) can change after: `start`, `resume`, `pause`,
//! `shutdown`, `tick`, `add_job`, `modify_job`, `reschedule_job`, `pause_job`,
//! `resume_job`, `remove_job`, `remove_all_jobs`, `add_jobstore`, `remove_jobstore`,
//! `load_jobs`, `wakeup`, `set_store_leading`, `replace_jobs` and `apply_record`. Re-ask it
//! after any of them.
//!
//! # Stores
//!
//! Each store alias is [`StoreKind::Memory`] or [`StoreKind::Persistent`]. For a persistent
//! store every change is also queued as a [`StoreOp`] (put record, remove, clear) in order,
//! in an [`Output::StoreOps`] batch; records are [`JobRecord`]s (versioned JSON). A record
//! that cannot be decoded is reported by `load_jobs` as a [`LoadProblem`] (its place in the
//! list, its id when it has a readable one, the error) and left untouched in storage
//! (APScheduler deletes such jobs; we don't).
//!
//! **Unreadable records keep their ids.** The store remembers the id of every record it
//! could not load (read from the record's `id` field by `load_jobs`, or given by the host
//! with [`Scheduler::hold_unreadable_id`] for an entry it could not even parse; listed by
//! [`Scheduler::unreadable_ids`]). Such an id counts as taken: `add_job` — also a pending
//! job at `start` — needs `replace_existing` to use it (then its `Put` replaces the
//! record and the id is released), and `remove_all_jobs` removes the store's jobs one by
//! one instead of emitting `Clear`, so the record is never deleted or overwritten by
//! accident. The ids survive `shutdown` (the records are still stored) and are forgotten
//! when the store is removed (or re-created by `configure`).
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
//! * Jitter shifts only `due_at`; the un-jittered fire time stays the
//!   schedule (`next_run_time`), so jitter never drifts an interval.
//!   A run's lateness (the misfire check) counts from its `due_at`, so a jittered
//!   run is not "missed" because of its own jitter.
//! * The default zone is UTC (the core cannot read the machine's zone).
//! * `missed-span`: a backlog too long to list ([`RunTimes::Span`]) reports a stretch of
//!   run times already missed when the host starts them with **one** `EVENT_JOB_MISSED`
//!   (its `scheduled_run_times` the stretch) instead of one per time; the run times
//!   executed are the same ([`Scheduler::start_run_time`], [`run`]).

pub mod config;
pub mod event;
pub mod job;
pub mod record;
pub mod run;
pub mod store;

mod commands;
mod driving;
mod due_index;
mod fnv;
mod id_map;
mod in_flight;
mod job_writes;
pub mod output;
mod pending_jobs;
mod pool;
mod shared_stores;
mod trigger_json;

use crate::error::{Error, Result};
use crate::time::{Timestamp, Zone};
use crate::trigger::JitterRng;

pub use config::{ExecutorConfig, JobDefaults, SchedulerConfig, StoreKind};
pub use event::{Event, EventCode, EVENT_ALL};
pub use job::{Job, JobChanges, NewJob, TriggerInput};
pub use output::Output;
pub use record::{JobRecord, LoadProblem, RECORD_VERSION};
pub use run::{Run, RunId, RunStart, RunTimes, LIST_LIMIT};
pub use store::StoreOp;

use in_flight::{Backlog, Cursor, RunTable};
use job::{apply_defaults, check_args, check_grace, check_kwargs, check_max_instances, check_name, PendingInfo};
use pending_jobs::PendingJobs;
use output::OutputQueue;
use pool::Pools;
use store::{JobStore, Stores};

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
    /// Set by `wakeup`, cleared by the next tick.
    wakeup_requested: bool,
    /// Generated job ids and jitter draws (seeded by the config).
    rng: JitterRng,
    executors: Vec<(String, ExecutorConfig)>,
    /// The job stores with their due indexes.
    stores: Stores,
    /// Jobs added while stopped, with their target store.
    pending: PendingJobs,
    /// Runs handed out and not finished, and the running-instance counts.
    runs: RunTable,
    /// Shared cron triggers, names and empty argument lists.
    pools: Pools,
    /// Store ops, runs and events, in the order they happened.
    out: OutputQueue,
}

impl Scheduler {
    /// A stopped scheduler with `config`. The stores and executors it names are added
    /// (with their `*_ADDED` events); `default` ones are added at `start` if missing.
    pub fn new(config: SchedulerConfig) -> Scheduler {
        let mut s = Scheduler {
            timezone: Zone::Utc,
            defaults: JobDefaults::default(),
            state: SchedulerState::Stopped,
            wakeup_requested: false,
            rng: JitterRng::new(config.seed),
            executors: Vec::new(),
            stores: Stores::default(),
            pending: PendingJobs::default(),
            runs: RunTable::default(),
            pools: Pools::default(),
            out: OutputQueue::default(),
        };
        s.apply_config(config);
        s
    }

    fn apply_config(&mut self, config: SchedulerConfig) {
        self.timezone = config.timezone;
        self.defaults = config.job_defaults;
        self.rng = JitterRng::new(config.seed);
        self.stores.remove_all_stores();
        self.executors.clear();
        for (alias, exec) in config.executors {
            self.executors.retain(|(a, _)| *a != alias);
            self.executors.push((alias.clone(), exec));
            self.out.event(Event::scheduler(EventCode::ExecutorAdded, Some(alias)));
        }
        for (alias, kind) in config.jobstores {
            self.stores.insert_store(&alias, kind);
            self.out.event(Event::scheduler(EventCode::JobstoreAdded, Some(alias)));
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
        self.runs.running(job_id)
    }

    /// The ids held by stored records of `jobstore` that could not be loaded: those that
    /// [`load_jobs`](Self::load_jobs) found with a readable `id`, and those given to
    /// [`hold_unreadable_id`](Self::hold_unreadable_id). In no particular order; empty for
    /// an unknown or memory store. Such an id is taken: see [`add_job`](Self::add_job).
    pub fn unreadable_ids(&self, jobstore: &str) -> Vec<&str> {
        self.stores.selected(Some(jobstore)).iter().flat_map(JobStore::unreadable_ids).collect()
    }

    /// Number of jobs in all stores (not counting pending ones).
    pub fn job_count(&self) -> usize {
        self.stores.job_count()
    }

    /// The job `job_id`: while stopped among the pending jobs (the store is ignored),
    /// otherwise in `jobstore` or the first store that has it.
    pub fn get_job(&self, job_id: &str, jobstore: Option<&str>) -> Option<&Job> {
        if self.state == SchedulerState::Stopped {
            return self.pending.get(job_id, None);
        }
        self.stores.selected(jobstore).iter().find_map(|s| s.get(job_id))
    }

    /// The jobs of `jobstore` (or all stores, in the order they were added), each store's in
    /// APScheduler's order: next run time, then id, paused jobs last. While stopped: the
    /// pending jobs, in the order they were added.
    pub fn get_jobs(&self, jobstore: Option<&str>) -> Vec<&Job> {
        if self.state == SchedulerState::Stopped {
            return self.pending.iter().filter(|(_, a)| jobstore.map_or(true, |x| x == *a)).map(|(j, _)| j).collect();
        }
        self.stores.selected(jobstore).iter().flat_map(JobStore::ordered).collect()
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
        // By alias; placed one by one (a handful of stores), which also keeps a sort routine
        // out of the wasm.
        let mut stores: Vec<&JobStore> = Vec::new();
        for s in self.stores.selected(jobstore) {
            let at = stores.partition_point(|t| t.alias < s.alias);
            stores.insert(at, s);
        }
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

    /// The instant at which [`tick`](Self::tick) next has work: the earliest `due_at`
    /// of an unpaused job over all leading stores (see
    /// [`set_store_leading`](Self::set_store_leading)). `None` when stopped, paused or idle.
    /// [`Timestamp::MIN`] after [`wakeup`](Self::wakeup), until the next tick.
    pub fn next_wakeup(&self) -> Option<Timestamp> {
        if self.state != SchedulerState::Running {
            return None;
        }
        if self.wakeup_requested {
            return Some(Timestamp::MIN);
        }
        self.stores.earliest()
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
    /// Checks every pending job first, so it fails without changing anything: a pending
    /// job whose id a loaded job or an unreadable record of its store
    /// ([`unreadable_ids`](Self::unreadable_ids)) already has fails with
    /// [`Error::ConflictingId`] unless it was added with `replace_existing`.
    pub fn start(&mut self, now: Timestamp, paused: bool) -> Result<()> {
        if self.state != SchedulerState::Stopped {
            return Err(Error::SchedulerAlreadyRunning);
        }
        let default_store_missing = !self.stores.contains("default");
        // Validate before changing anything.
        for (job, alias) in self.pending.iter() {
            let store = self.stores.position(alias).map(|si| self.stores.get(si));
            match store {
                None if !(alias == "default" && default_store_missing) => {
                    return Err(Error::UnknownAlias { kind: "jobstore", alias: alias.to_string() })
                }
                Some(s) if s.id_taken(&job.id) && !job.pending.as_ref().is_some_and(|p| p.replace_existing) => {
                    return Err(s.conflict(&job.id))
                }
                Some(s) if s.is_persistent() => {
                    trigger_json::to_json(&job.trigger)?;
                }
                _ => {}
            }
        }
        if !self.executors.iter().any(|(a, _)| a == "default") {
            self.executors.push(("default".into(), ExecutorConfig::default()));
            self.out.event(Event::scheduler(EventCode::ExecutorAdded, Some("default".into())));
        }
        if default_store_missing {
            self.stores.insert_store("default", StoreKind::Memory);
            self.out.event(Event::scheduler(EventCode::JobstoreAdded, Some("default".into())));
        }
        for (mut job, alias) in self.pending.take_all() {
            apply_defaults(&mut job, &self.defaults);
            let info = job.pending.take().map(|p| *p);
            let (next, replace) = match info {
                Some(PendingInfo { next_run_time: Some(given), replace_existing, .. }) => ((given, given), replace_existing),
                Some(PendingInfo { replace_existing, .. }) => (self.first_fire(&job.trigger, now), replace_existing),
                None => (self.first_fire(&job.trigger, now), false),
            };
            (job.next_run_time, job.due_at) = next;
            // Validated above; a failure here cannot happen, but is reported, not panicked.
            self.store_new_job(job, &alias, replace)?;
        }
        self.state = if paused { SchedulerState::Paused } else { SchedulerState::Running };
        self.out.event(Event::scheduler(EventCode::SchedulerStarted, None));
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
        self.stores.shutdown();
        self.wakeup_requested = false;
        self.out.event(Event::scheduler(EventCode::SchedulerShutdown, None));
        Ok(())
    }

    /// Pauses job processing (`EVENT_SCHEDULER_PAUSED`); a no-op when already paused.
    pub fn pause(&mut self) -> Result<()> {
        match self.state {
            SchedulerState::Stopped => Err(Error::SchedulerNotRunning),
            SchedulerState::Paused => Ok(()),
            SchedulerState::Running => {
                self.state = SchedulerState::Paused;
                self.out.event(Event::scheduler(EventCode::SchedulerPaused, None));
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
                self.out.event(Event::scheduler(EventCode::SchedulerResumed, None));
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

    // ----- output --------------------------------------------------------------------

    /// The oldest queued output: a batch of store ops, a run, or an event, in the order they
    /// happened (see the run loop in the [module docs](self)). Handle them in this order:
    /// a [`Run`] may start only once every [`Output::StoreOps`] before it is stored.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop()
    }
}
