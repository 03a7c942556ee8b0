//! # tickwerk
//!
//! APScheduler 3.x's job-scheduling model as a sans-IO state machine.
//!
//! The core never reads a clock, sleeps, spawns or does IO: the host passes the current
//! time in. This crate holds the triggers ([`trigger`]), the time and zone rules
//! ([`time`]) and the errors ([`error`]).

pub mod error;
pub mod scheduler;
pub mod time;
pub mod trigger;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, Result};
pub use time::{DateInput, Timestamp, Zone};
pub use scheduler::{Event, EventCode, NewJob, Run, RunStart, Scheduler, SchedulerConfig, StoreOp};
pub use trigger::{Fire, Trigger, TriggerSpec};
