//! Events: APScheduler 3.x's event codes and attributes.
//!
//! Every event the core emits is queued on the one output queue, as an
//! [`Output::Event`](super::Output::Event) drained with
//! [`Scheduler::poll_output`](super::Scheduler::poll_output). Codes and numbers are
//! APScheduler's (`EVENT_SCHEDULER_STARTED = 1` … `EVENT_ALL = 131071`), so listener masks
//! written for APScheduler work unchanged: an event matches a mask when `code & mask != 0`.

use std::fmt;
use std::sync::Arc;

use crate::time::Timestamp;

use super::run::{RunId, RunTimes};

/// APScheduler's event codes (`apscheduler.events`), each a distinct bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum EventCode {
    /// `EVENT_SCHEDULER_STARTED` (1): the scheduler was started.
    SchedulerStarted = 1,
    /// `EVENT_SCHEDULER_SHUTDOWN` (2): the scheduler was shut down.
    SchedulerShutdown = 2,
    /// `EVENT_SCHEDULER_PAUSED` (4): job processing was paused.
    SchedulerPaused = 4,
    /// `EVENT_SCHEDULER_RESUMED` (8): job processing was resumed.
    SchedulerResumed = 8,
    /// `EVENT_EXECUTOR_ADDED` (16): an executor was added (`alias` set).
    ExecutorAdded = 16,
    /// `EVENT_EXECUTOR_REMOVED` (32): an executor was removed (`alias` set).
    ExecutorRemoved = 32,
    /// `EVENT_JOBSTORE_ADDED` (64): a job store was added (`alias` set).
    JobstoreAdded = 64,
    /// `EVENT_JOBSTORE_REMOVED` (128): a job store was removed (`alias` set).
    JobstoreRemoved = 128,
    /// `EVENT_ALL_JOBS_REMOVED` (256): all jobs of one store (`alias`) or of all stores
    /// (`alias = None`) were removed.
    AllJobsRemoved = 256,
    /// `EVENT_JOB_ADDED` (512).
    JobAdded = 512,
    /// `EVENT_JOB_REMOVED` (1024).
    JobRemoved = 1024,
    /// `EVENT_JOB_MODIFIED` (2048).
    JobModified = 2048,
    /// `EVENT_JOB_EXECUTED` (4096): one scheduled run time ran (the host attaches the
    /// `retval` it kept, found by `run_id` and `scheduled_run_time`).
    JobExecuted = 4096,
    /// `EVENT_JOB_ERROR` (8192): one scheduled run time raised (the host attaches the
    /// `exception` and `traceback` it kept, found by `run_id` and `scheduled_run_time`).
    JobError = 8192,
    /// `EVENT_JOB_MISSED` (16384): one scheduled run time started later than its grace —
    /// or, for a long backlog ([`RunTimes::Span`]), a whole stretch of them skipped at once
    /// (`scheduled_run_times` = the stretch; deviation `missed-span`, see
    /// [`Scheduler::start_run_time`](super::Scheduler::start_run_time)).
    JobMissed = 16384,
    /// `EVENT_JOB_SUBMITTED` (32768): a run was handed to the host (`scheduled_run_times`).
    JobSubmitted = 32768,
    /// `EVENT_JOB_MAX_INSTANCES` (65536): a run was refused because the job already has
    /// `max_instances` running instances (`scheduled_run_times` are lost, not deferred).
    JobMaxInstances = 65536,
}

/// `EVENT_ALL`: the OR of every code (131071).
pub const EVENT_ALL: u32 = 131_071;

impl EventCode {
    /// Every code, in numeric order.
    pub const ALL: [EventCode; 17] = [
        EventCode::SchedulerStarted,
        EventCode::SchedulerShutdown,
        EventCode::SchedulerPaused,
        EventCode::SchedulerResumed,
        EventCode::ExecutorAdded,
        EventCode::ExecutorRemoved,
        EventCode::JobstoreAdded,
        EventCode::JobstoreRemoved,
        EventCode::AllJobsRemoved,
        EventCode::JobAdded,
        EventCode::JobRemoved,
        EventCode::JobModified,
        EventCode::JobExecuted,
        EventCode::JobError,
        EventCode::JobMissed,
        EventCode::JobSubmitted,
        EventCode::JobMaxInstances,
    ];

    /// The numeric code (APScheduler's constant value).
    pub fn value(self) -> u32 {
        self as u32
    }

    /// APScheduler's constant name, e.g. `EVENT_JOB_EXECUTED`.
    pub fn name(self) -> &'static str {
        match self {
            EventCode::SchedulerStarted => "EVENT_SCHEDULER_STARTED",
            EventCode::SchedulerShutdown => "EVENT_SCHEDULER_SHUTDOWN",
            EventCode::SchedulerPaused => "EVENT_SCHEDULER_PAUSED",
            EventCode::SchedulerResumed => "EVENT_SCHEDULER_RESUMED",
            EventCode::ExecutorAdded => "EVENT_EXECUTOR_ADDED",
            EventCode::ExecutorRemoved => "EVENT_EXECUTOR_REMOVED",
            EventCode::JobstoreAdded => "EVENT_JOBSTORE_ADDED",
            EventCode::JobstoreRemoved => "EVENT_JOBSTORE_REMOVED",
            EventCode::AllJobsRemoved => "EVENT_ALL_JOBS_REMOVED",
            EventCode::JobAdded => "EVENT_JOB_ADDED",
            EventCode::JobRemoved => "EVENT_JOB_REMOVED",
            EventCode::JobModified => "EVENT_JOB_MODIFIED",
            EventCode::JobExecuted => "EVENT_JOB_EXECUTED",
            EventCode::JobError => "EVENT_JOB_ERROR",
            EventCode::JobMissed => "EVENT_JOB_MISSED",
            EventCode::JobSubmitted => "EVENT_JOB_SUBMITTED",
            EventCode::JobMaxInstances => "EVENT_JOB_MAX_INSTANCES",
        }
    }

    /// The code named `name` (`EVENT_JOB_ADDED`, …), if any.
    pub fn from_name(name: &str) -> Option<EventCode> {
        EventCode::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Whether this code is selected by a listener `mask` (`code & mask != 0`).
    pub fn matches(self, mask: u32) -> bool {
        self.value() & mask != 0
    }
}

impl fmt::Display for EventCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One event, with APScheduler's attributes. Which attributes are set depends on the code,
/// as in APScheduler's event classes:
///
/// | codes | class | attributes |
/// |---|---|---|
/// | scheduler, executor, job store, all-jobs-removed | `SchedulerEvent` | `alias` |
/// | job added / removed / modified | `JobEvent` | `job_id`, `jobstore` |
/// | submitted, max instances | `JobSubmissionEvent` | + `scheduled_run_times` |
/// | executed, error, missed | `JobExecutionEvent` | + `scheduled_run_time`, `run_id` |
///
/// The core keeps no return value or exception: APScheduler's `retval`, `exception` and
/// `traceback` are the host's to attach to an executed or error event. It knows them: it
/// reported them for the run `run_id` and the time `scheduled_run_time`.
///
/// One addition (deviation `missed-span`): an `EVENT_JOB_MISSED` for a stretch of two or
/// more run times of a long backlog skipped at once also sets `scheduled_run_times` to
/// [`RunTimes::Span`]` { first, last }`, with `scheduled_run_time = first`.
///
/// `jobstore` is `None` for a job that is still pending (the scheduler has not started).
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// What happened.
    pub code: EventCode,
    /// The executor or job store alias (scheduler events); `None` for the scheduler's own
    /// events and for "all jobs of all stores removed".
    pub alias: Option<String>,
    /// The job's id (job events).
    pub job_id: Option<Arc<str>>,
    /// The job's store alias (job events; `None` while the job is pending).
    pub jobstore: Option<Arc<str>>,
    /// The run times of a submission (submitted / max-instances events), or the stretch
    /// of a long backlog missed at once (missed events; deviation `missed-span`).
    pub scheduled_run_times: Option<RunTimes>,
    /// The one run time an execution event is about.
    pub scheduled_run_time: Option<Timestamp>,
    /// The run an execution event is about (executed, error and missed events): with
    /// `scheduled_run_time`, the key under which the host finds what it reported.
    pub run_id: Option<RunId>,
}

impl Event {
    /// A scheduler-level event (`SchedulerEvent(code, alias)`).
    pub fn scheduler(code: EventCode, alias: Option<String>) -> Event {
        Event {
            code,
            alias,
            job_id: None,
            jobstore: None,
            scheduled_run_times: None,
            scheduled_run_time: None,
            run_id: None,
        }
    }

    /// A job event (`JobEvent(code, job_id, jobstore)`).
    pub fn job(code: EventCode, job_id: Arc<str>, jobstore: Option<Arc<str>>) -> Event {
        Event { job_id: Some(job_id), jobstore, ..Event::scheduler(code, None) }
    }

    /// Whether a listener with `mask` would receive this event.
    pub fn matches(&self, mask: u32) -> bool {
        self.code.matches(mask)
    }
}
