//! # tickwerk
//!
//! APScheduler 3.x's job-scheduling model as a sans-IO state machine.
//!
//! The core never reads a clock, sleeps, spawns or does IO: the host passes the current
//! time in. This crate holds the scheduler ([`scheduler`]), the triggers ([`trigger`]), the
//! time and zone rules ([`time`]) and the errors ([`error`]).
//!
//! ## The run loop
//!
//! A host (the npm package's JS layer, or any Rust program) drives one [`Scheduler`]:
//!
//! 1. Start it: [`Scheduler::start`]`(now, paused)` after adding jobs (and loading the
//!    records of persistent stores with [`Scheduler::load_jobs`]).
//! 2. Read the clock once and call [`Scheduler::tick`]`(now)`: it queues the due runs,
//!    next run times already advanced.
//! 3. Take the core's one ordered output, [`Scheduler::poll_output`]: an
//!    [`Output::StoreOps`] batch (apply it to its store, all or none), an [`Output::Run`]
//!    (job, store, executor, function key, arguments, scheduled run times after
//!    coalescing: start it once every batch before it is stored — the queue puts a run
//!    after the batch that records its next run time, so a crash never repeats a fire
//!    time), or an [`Output::Event`] (deliver it to listeners, in order).
//! 4. Run each run: [`Scheduler::start_run_time`] per scheduled time when it actually
//!    starts (the misfire check), [`Scheduler::run_succeeded`] /
//!    [`Scheduler::run_failed`]`(run, scheduled)` after it (the result stays with the
//!    host: the events name the run), [`Scheduler::finish_run`] when the instance ends;
//!    then poll the output again.
//! 5. Every command (add, modify, remove, …) queues its batches and events the same way.
//! 6. Sleep until [`Scheduler::next_wakeup`] (or until a user call changes it), then go to 2.
//!
//! The [`scheduler`] module documents each step, the time rules and the method groups.

pub mod error;
pub mod json_text;
pub mod message_text;
pub mod scheduler;
pub mod time;
pub mod trigger;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, Result};
pub use time::{DateInput, Timestamp, Zone};
pub use scheduler::{Event, EventCode, LoadProblem, NewJob, Output, Run, RunStart, Scheduler, SchedulerConfig, StoreOp};
pub use trigger::{Fire, Trigger, TriggerSpec};

/// The wasm build's allocator: talc (smaller than std's dlmalloc by ~2.7 KB gzipped; cron
/// next-fire-time through JS unchanged); memory grows with `memory.grow` as dlmalloc's did.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
