//! `SchedulerCore`: the sans-IO [`Scheduler`] for JS hosts that own the clock.
//!
//! A thin binding with no scheduling logic: every method converts its JS arguments, calls
//! the core and converts the answer back. The JS `Scheduler` class (`js/scheduler.js`)
//! drives it with timers; edge and serverless hosts, and tests, can drive it directly:
//!
//! ```js
//! const core = new SchedulerCore({ timezone: 'UTC', seed: 7 });
//! core.addJob({ func: 'report', trigger: { type: 'interval', minutes: 5 } }, now);
//! core.start(now, false);
//! core.tick(Date.now());                                  // 1. what is due
//! for (const out of core.drainOutput()) {                 // 2. the outputs, in order
//!   if (out.kind === 'storeOps') await applyToStorage(out.jobstore, out.ops); // persist first
//!   else if (out.kind === 'event') deliver(out.event);
//!   else {                                                // a run: after the ops before it
//!     const { run } = out;
//!     for (let s; (s = core.startRunTime(run.id, Date.now())); ) {   // 3. run each time
//!       if (s.action === 'execute') { keep(run.id, s.scheduledRunTime, await call(run)); core.runSucceeded(run.id, s.scheduledRunTime); }
//!     }
//!     core.finishRun(run.id);                             // 4. release the instance
//!   }
//! }                                                       // (reports queue outputs: drain again)
//! sleepUntil(core.nextWakeup());                          // 5. sleep
//! ```
//!
//! Times are epoch milliseconds (fractions carry microseconds). Jobs, runs, events and store
//! operations cross as plain objects (shapes in the `typescript_custom_section` below).

use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use super::convert::{self, bool_arg, number_arg, optional_string, required_string, u32_arg};
use super::error::{invalid, to_js};
use super::time::instant_arg;
use super::trigger::{built_trigger, handed_over};
use crate::scheduler::{
    ExecutorConfig, Job, JobChanges, NewJob, RunId, Scheduler, SchedulerConfig, StoreKind, TriggerInput,
};
use crate::trigger::{BuildContext, Trigger, TriggerSpec};
use crate::{Error, Timestamp};

#[wasm_bindgen(typescript_custom_section)]
const TS_SCHEDULER_CORE: &'static str = r#"
/** Run times of a submission: a list (epoch ms), or a long backlog's first and last time. */
export type CoreRunTimes = number[] | { first: number; last: number };
/** A due run, queued by `SchedulerCore.tick` after the store ops of its job. */
export interface CoreRun {
  id: number; jobId: string; jobstore: string; executor: string; func: string;
  args: unknown[]; kwargs: Record<string, unknown>; runTimes: CoreRunTimes; runAt: number;
}
/** An event drained from `SchedulerCore` (APScheduler's attributes in camelCase). */
export interface CoreEvent {
  code: number; name: string; alias?: string; jobId?: string; jobstore?: string | null;
  scheduledRunTimes?: CoreRunTimes; scheduledRunTime?: number;
  /** The run an executed / error / missed event is about (with `scheduledRunTime`: the key
   *  of the return value or exception the host kept; the core keeps neither). */
  runId?: number;
}
/** One item of `SchedulerCore.drainOutput`, in the order it happened: a batch of one
 *  store's operations (store it atomically before handling what follows), a run (start it
 *  once every batch before it is stored), or an event. */
export type CoreOutput =
  | { kind: 'storeOps'; jobstore: string; ops: CoreStoreOp[] }
  | { kind: 'run'; run: CoreRun }
  | { kind: 'event'; event: CoreEvent };
/** A job as the core sees it. */
export interface CoreJob {
  id: string; name: string; func: string; args: unknown[]; kwargs: Record<string, unknown>;
  trigger: TriggerSpecJson; triggerText: string; executor: string; jobstore: string | null;
  misfireGraceTime: number | null; coalesce: boolean; maxInstances: number;
  nextRunTime: number | null; pending: boolean; text: string;
}
/** One operation for a persistent store, applied in order. */
export type CoreStoreOp =
  | { op: 'put'; jobstore: string; jobId: string; record: Record<string, unknown> }
  | { op: 'remove'; jobstore: string; jobId: string }
  | { op: 'clear'; jobstore: string };
/** What `startRunTime` decided for the next run time of a run. */
export interface CoreRunStart { action: 'execute' | 'missed'; scheduledRunTime: number }
/** A stored record `loadJobs` or `replaceJobs` could not load (left untouched in storage):
 *  its index in `records`, its id when it has a readable one, the error code and message. */
export interface CoreLoadProblem { index: number; id?: string; code: string; message: string }
/** A job record as a persistent store keeps it (version 1; times in epoch µs). */
export interface CoreJobRecord {
  version: number; id: string; name: string; func: string; args: unknown[];
  kwargs: Record<string, unknown>; trigger: TriggerSpecJson; executor: string;
  misfire_grace_time: number | null; coalesce: boolean; max_instances: number;
  next_run_time: number | null; run_at: number | null;
}
"#;

/// The sans-IO scheduler core (see the module docs for the driving loop).
#[wasm_bindgen]
pub struct SchedulerCore {
    inner: Scheduler,
}

/// Why a built trigger beside a spec is refused.
const TRIGGER_TWICE: &str = "given twice: a built trigger and a trigger spec in the options";

/// The optional `trigger` parameter of `addJob` / `modifyJob`: `None` for `undefined` or
/// `null`, else a `WasmTrigger`'s trigger ([`built_trigger`]); refused when the options
/// have a trigger spec too (`spec_given`).
fn built_param(built: &JsValue, spec_given: bool) -> Result<Option<Trigger>, JsValue> {
    if built.is_undefined() || built.is_null() {
        return Ok(None);
    }
    if spec_given {
        return Err(invalid("trigger", built, TRIGGER_TWICE));
    }
    built_trigger("trigger", built).map(Some)
}

fn to_json(field: &str, value: &JsValue) -> Result<Value, JsValue> {
    convert::from_js(field, value)
}

fn err(e: Error) -> JsValue {
    to_js(&e)
}

/// The `nowMs` parameter as an instant (range errors name `now`).
fn now_arg(value: &JsValue) -> Result<Timestamp, JsValue> {
    instant_arg("nowMs", "now", value)
}

/// `convert::job` plus APScheduler's `str(job)` as `text` (it needs the scheduler's zone).
fn job_json(job: &Job, scheduler: &Scheduler) -> Value {
    let mut v = convert::job(job);
    if let Value::Object(m) = &mut v {
        m.insert("text".into(), Value::String(job.describe(scheduler.timezone())));
    }
    v
}

/// The `runId` parameter: a number (else `INVALID_ARGUMENT` naming `runId`) that is a run id
/// (else one naming `run_id`).
fn run_id(value: &JsValue) -> Result<RunId, JsValue> {
    let id = number_arg("runId", value)?;
    if id.is_finite() && id >= 0.0 && id.fract() == 0.0 && id <= 9_007_199_254_740_991.0 {
        Ok(RunId(id as u64))
    } else {
        Err(err(Error::invalid("run_id", id, "not a run id")))
    }
}

impl SchedulerCore {
    /// `loadJobs` (`replace` false) and `replaceJobs` (true): loads `records` into store
    /// `alias` and returns the problems (`CoreLoadProblem[]`).
    fn load(&mut self, alias: &JsValue, records: &JsValue, now_ms: &JsValue, replace: bool) -> Result<JsValue, JsValue> {
        let alias = required_string("alias", alias)?;
        let now = now_arg(now_ms)?;
        let Value::Array(list) = to_json("records", records)? else {
            return Err(invalid("records", records, "expected an array of job records"));
        };
        let problems = if replace { self.inner.replace_jobs(&alias, &list, now) } else { self.inner.load_jobs(&alias, &list, now) };
        let problems = problems.map_err(err)?.into_iter().map(|p| {
            let mut members = vec![("index", Value::from(p.index))];
            if let Some(id) = p.id {
                members.push(("id", Value::from(id)));
            }
            members.push(("code", Value::from(p.error.code())));
            members.push(("message", Value::from(super::error::message(&p.error))));
            convert::object(members)
        });
        convert::to_js_value(&Value::Array(problems.collect()))
    }

    /// `rescheduleJob`'s `trigger`: a `WasmTrigger` of this module (taken by handle, see
    /// [`super::trigger`]), a spec, or `undefined` / `null` (run once now).
    fn trigger_input(&self, trigger: &JsValue) -> Result<TriggerInput, JsValue> {
        if let Some(built) = handed_over("trigger", trigger)? {
            return Ok(TriggerInput::Built(built));
        }
        let json = to_json("trigger", trigger)?;
        Ok(if json.is_null() { TriggerInput::RunOnceNow } else { TriggerInput::Json(json) })
    }

    fn build_trigger(&self, spec: Value, now: Timestamp) -> Result<Trigger, JsValue> {
        let ctx = BuildContext { default_zone: self.inner.timezone(), now };
        TriggerSpec::from_json(&spec).and_then(|s| s.build(&ctx)).map_err(err)
    }
}

#[wasm_bindgen]
impl SchedulerCore {
    /// A stopped scheduler configured by `options`: the typed form `{ timezone, jobDefaults:
    /// { misfireGraceTime, coalesce, maxInstances }, jobstores, executors, seed }` (camelCase,
    /// typed values; APScheduler's flat `'apscheduler.…'` keys, string values and snake_case
    /// are read once, by the JS `Scheduler`). Pass a random `seed` (a number or the decimal
    /// text of a u64): generated ids and jitter come from it.
    #[wasm_bindgen(constructor)]
    pub fn new(options: &JsValue) -> Result<SchedulerCore, JsValue> {
        let json = to_json("options", options)?;
        let json = if json.is_null() { Value::Object(Map::new()) } else { json };
        let config = SchedulerConfig::from_host_json(&json).map_err(err)?;
        Ok(SchedulerCore { inner: Scheduler::new(config) })
    }

    /// Replaces the configuration (only while stopped: `SCHEDULER_ALREADY_RUNNING`).
    pub fn configure(&mut self, options: &JsValue) -> Result<(), JsValue> {
        let json = to_json("options", options)?;
        let json = if json.is_null() { Value::Object(Map::new()) } else { json };
        let config = SchedulerConfig::from_host_json(&json).map_err(err)?;
        self.inner.configure(config).map_err(err)
    }

    /// `'stopped'`, `'running'` or `'paused'`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.inner.state().as_str().to_string()
    }

    /// The scheduler's zone name.
    #[wasm_bindgen(getter)]
    pub fn timezone(&self) -> String {
        self.inner.timezone().name()
    }

    /// The job defaults in force: `{ misfireGraceTime, coalesce, maxInstances }`.
    #[wasm_bindgen(getter, js_name = jobDefaults)]
    pub fn job_defaults(&self) -> Result<JsValue, JsValue> {
        let d = self.inner.job_defaults();
        convert::to_js_value(&convert::object(vec![
            ("misfireGraceTime", Value::from(d.misfire_grace_time)),
            ("coalesce", Value::from(d.coalesce)),
            ("maxInstances", Value::from(d.max_instances)),
        ]))
    }

    /// Starts at `nowMs` (paused if `paused`): pending jobs get their first run times.
    pub fn start(
        &mut self,
        #[wasm_bindgen(js_name = nowMs, unchecked_param_type = "number")] now_ms: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "boolean")] paused: &JsValue,
    ) -> Result<(), JsValue> {
        let now = now_arg(now_ms)?;
        let paused = bool_arg("paused", paused)?;
        self.inner.start(now, paused).map_err(err)
    }

    /// Shuts down (in-flight runs can still report and finish).
    pub fn shutdown(&mut self) -> Result<(), JsValue> {
        self.inner.shutdown().map_err(err)
    }

    /// Pauses job processing.
    pub fn pause(&mut self) -> Result<(), JsValue> {
        self.inner.pause().map_err(err)
    }

    /// Resumes job processing.
    pub fn resume(&mut self) -> Result<(), JsValue> {
        self.inner.resume().map_err(err)
    }

    /// Asks for a tick as soon as possible (`nextWakeup()` is then in the past).
    pub fn wakeup(&mut self) {
        self.inner.wakeup();
    }

    /// The instant (epoch ms) at which `tick` next has work; `undefined` when stopped,
    /// paused or idle.
    #[wasm_bindgen(js_name = nextWakeup)]
    pub fn next_wakeup(&self) -> Option<f64> {
        self.inner.next_wakeup().map(Timestamp::as_millis_f64)
    }

    /// Processes the jobs due at `nowMs`: queues the store ops of their next run times,
    /// then the runs to start, then the submission events (take them with `drainOutput`).
    pub fn tick(&mut self, #[wasm_bindgen(js_name = nowMs, unchecked_param_type = "number")] now_ms: &JsValue) -> Result<(), JsValue> {
        let now = now_arg(now_ms)?;
        self.inner.tick(now);
        Ok(())
    }

    /// The host starts the next run time of run `runId` at `nowMs`: `{ action: 'execute',
    /// scheduledRunTime }` (call the function, then report), `{ action: 'missed', … }` (the
    /// event is queued), or `undefined` when every run time was handed out.
    #[wasm_bindgen(js_name = startRunTime, unchecked_return_type = "CoreRunStart | undefined")]
    pub fn start_run_time(
        &mut self,
        #[wasm_bindgen(js_name = runId, unchecked_param_type = "number")] id: &JsValue,
        #[wasm_bindgen(js_name = nowMs, unchecked_param_type = "number")] now_ms: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let id = run_id(id)?;
        let now = now_arg(now_ms)?;
        let start = self.inner.start_run_time(id, now).map_err(err)?;
        match start {
            None => Ok(JsValue::UNDEFINED),
            Some(s) => convert::to_js_value(&convert::run_start(s)),
        }
    }

    /// The function ran for `scheduledMs`: queues `EVENT_JOB_EXECUTED` with `runId` and
    /// `scheduledRunTime` (the return value stays in JS: the host attaches it).
    #[wasm_bindgen(js_name = runSucceeded)]
    pub fn run_succeeded(
        &mut self,
        #[wasm_bindgen(js_name = runId, unchecked_param_type = "number")] id: &JsValue,
        #[wasm_bindgen(js_name = scheduledMs, unchecked_param_type = "number")] scheduled_ms: &JsValue,
    ) -> Result<(), JsValue> {
        let id = run_id(id)?;
        let scheduled = instant_arg("scheduledMs", "scheduled", scheduled_ms)?;
        self.inner.run_succeeded(id, scheduled).map_err(err)
    }

    /// The function failed for `scheduledMs`: queues `EVENT_JOB_ERROR` with `runId` and
    /// `scheduledRunTime` (the exception stays in JS: the host attaches it).
    #[wasm_bindgen(js_name = runFailed)]
    pub fn run_failed(
        &mut self,
        #[wasm_bindgen(js_name = runId, unchecked_param_type = "number")] id: &JsValue,
        #[wasm_bindgen(js_name = scheduledMs, unchecked_param_type = "number")] scheduled_ms: &JsValue,
    ) -> Result<(), JsValue> {
        let id = run_id(id)?;
        let scheduled = instant_arg("scheduledMs", "scheduled", scheduled_ms)?;
        self.inner.run_failed(id, scheduled).map_err(err)
    }

    /// The run's instance ended: releases its `max_instances` slot.
    #[wasm_bindgen(js_name = finishRun)]
    pub fn finish_run(&mut self, #[wasm_bindgen(js_name = runId, unchecked_param_type = "number")] id: &JsValue) -> Result<(), JsValue> {
        self.inner.finish_run(run_id(id)?).map_err(err)
    }

    /// Every queued output, in the order it happened (`CoreOutput[]`): store op batches,
    /// runs and events. Handle them in this order; a run starts only once every batch
    /// before it is stored.
    #[wasm_bindgen(js_name = drainOutput, unchecked_return_type = "CoreOutput[]")]
    pub fn drain_output(&mut self) -> Result<JsValue, JsValue> {
        let mut list = Vec::new();
        while let Some(item) = self.inner.poll_output() {
            list.push(convert::output(&item));
        }
        convert::to_js_value(&Value::Array(list))
    }

    /// Loads stored records into the persistent store `alias` (no events, no store ops).
    /// Returns the records that could not be loaded (`CoreLoadProblem[]`: the index in
    /// `records`, the id when readable, code and message); they must be left untouched in
    /// storage.
    #[wasm_bindgen(js_name = loadJobs, unchecked_return_type = "CoreLoadProblem[]")]
    pub fn load_jobs(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] alias: &JsValue,
        records: &JsValue,
        #[wasm_bindgen(js_name = nowMs, unchecked_param_type = "number")] now_ms: &JsValue,
    ) -> Result<JsValue, JsValue> {
        self.load(alias, records, now_ms, false)
    }

    /// Reloads the persistent store `alias` from `records` (a shared store's follower after
    /// the leader wrote, or a scheduler becoming leader): its jobs become exactly the
    /// records that load, its held unreadable ids exactly those this load finds (call
    /// `holdUnreadableId` again for entries that could not be parsed). No events, no store
    /// ops. Returns the problems as `loadJobs` does (`CoreLoadProblem[]`).
    #[wasm_bindgen(js_name = replaceJobs, unchecked_return_type = "CoreLoadProblem[]")]
    pub fn replace_jobs(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] alias: &JsValue,
        records: &JsValue,
        #[wasm_bindgen(js_name = nowMs, unchecked_param_type = "number")] now_ms: &JsValue,
    ) -> Result<JsValue, JsValue> {
        self.load(alias, records, now_ms, true)
    }

    /// Makes this scheduler the leader (`true`, every store's state at first) or a follower
    /// (`false`) of store `alias`. A following store's jobs are a mirror: listed, and
    /// changed by the job commands as usual, but never due (`tick` hands out none of them,
    /// `nextWakeup` ignores them). Leading again, the next `tick` catches up with misfire,
    /// coalescing and `maxInstances` as after a load.
    #[wasm_bindgen(js_name = setStoreLeading)]
    pub fn set_store_leading(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] alias: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "boolean")] leading: &JsValue,
    ) -> Result<(), JsValue> {
        let alias = required_string("alias", alias)?;
        let leading = bool_arg("leading", leading)?;
        self.inner.set_store_leading(&alias, leading).map_err(err)
    }

    /// Applies another scheduler's change of one job of the persistent store `alias`, given
    /// as its whole record: a new id is added (`EVENT_JOB_ADDED`), a known one replaced
    /// (`EVENT_JOB_MODIFIED`); either way a put of the record (as `jobRecord` returns it)
    /// is queued. Its `next_run_time` is taken as given (`null` = paused). An undecodable
    /// record is `CORRUPT_RECORD` naming the field; an id another store or an unreadable
    /// record holds is `CONFLICTING_ID`.
    #[wasm_bindgen(js_name = applyRecord)]
    pub fn apply_record(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] alias: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] record: &JsValue,
        #[wasm_bindgen(js_name = nowMs, unchecked_param_type = "number")] now_ms: &JsValue,
    ) -> Result<(), JsValue> {
        let alias = required_string("alias", alias)?;
        let now = now_arg(now_ms)?;
        let record = to_json("record", record)?;
        self.inner.apply_record(&alias, &record, now).map_err(err)
    }

    /// The record of job `jobId` in the persistent store `alias` exactly as a put of it
    /// carries it (`CoreJobRecord`), or `undefined` (no such job, or a memory or unknown
    /// store).
    #[wasm_bindgen(js_name = jobRecord, unchecked_return_type = "CoreJobRecord | undefined")]
    pub fn job_record(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] alias: &JsValue,
        #[wasm_bindgen(js_name = jobId, unchecked_param_type = "string")] job_id: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let alias = required_string("alias", alias)?;
        let job_id = required_string("job_id", job_id)?;
        self.inner.job_record(&alias, &job_id).map_or(Ok(JsValue::UNDEFINED), |r| convert::to_js_value(&r))
    }

    /// Adds a job (`options`: `func` key, `trigger` spec or absent = run once now, `id`,
    /// `name`, `args`, `kwargs`, `misfireGraceTime`, `coalesce`, `maxInstances`,
    /// `nextRunTime` (ms, text, or `null` = paused), `jobstore`, `executor`,
    /// `replaceExisting`). Returns the id. The typed form only ([`NewJob::from_host_json`]):
    /// camelCase keys, booleans and integers as such; the JS `Scheduler` reads APScheduler's
    /// snake_case keys and text values (`'false'`, `'3'`) before calling this.
    ///
    /// `trigger` (optional): a built `WasmTrigger` instead of `options.trigger` (not both),
    /// taken as it is: its own zone, its resolved start and run dates, no JSON round trip.
    /// The caller's object stays usable. Anything else but `undefined` / `null` (a freed
    /// `WasmTrigger`, one of another tickwerk module instance) is an `INVALID_ARGUMENT`
    /// naming `trigger`.
    #[wasm_bindgen(js_name = addJob)]
    pub fn add_job(
        &mut self,
        options: &JsValue,
        #[wasm_bindgen(js_name = nowMs, unchecked_param_type = "number")] now_ms: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WasmTrigger | null")] trigger: &JsValue,
    ) -> Result<String, JsValue> {
        let now = now_arg(now_ms)?;
        let json = to_json("job", options)?;
        let mut new = NewJob::from_host_json(&json).map_err(err)?;
        if let Some(t) = built_param(trigger, !matches!(new.trigger, TriggerInput::RunOnceNow))? {
            new.trigger = TriggerInput::Built(t);
        }
        self.inner.add_job(new, now).map(|id| id.to_string()).map_err(err)
    }

    /// Changes a job's options (anything but the id; `trigger` as a spec keeps the next run
    /// time, as APScheduler's `modify_job`). `nowMs` is the trigger's build context.
    /// `trigger` (optional): a built `WasmTrigger` instead of `changes.trigger` (not both),
    /// as for [`addJob`](Self::add_job). The typed form only, as for `addJob`.
    #[wasm_bindgen(js_name = modifyJob)]
    pub fn modify_job(
        &mut self,
        #[wasm_bindgen(js_name = jobId, unchecked_param_type = "string")] job_id: &JsValue,
        jobstore: &JsValue,
        changes: &JsValue,
        #[wasm_bindgen(js_name = nowMs, unchecked_param_type = "number")] now_ms: &JsValue,
        #[wasm_bindgen(js_name = trigger, unchecked_optional_param_type = "WasmTrigger | null")] built: &JsValue,
    ) -> Result<(), JsValue> {
        let job_id = required_string("job_id", job_id)?;
        let now = now_arg(now_ms)?;
        let store = optional_string("jobstore", jobstore)?;
        // `trigger` is built here (it needs the scheduler's zone and `now`); the other keys
        // are the core's job changes.
        let (mut c, spec) = JobChanges::from_host_json_and_trigger(&to_json("changes", changes)?).map_err(err)?;
        let spec = spec.filter(|s| !s.is_null());
        c.trigger = match built_param(built, spec.is_some())? {
            Some(t) => Some(t),
            None => spec.map(|s| self.build_trigger(s, now)).transpose()?,
        };
        self.inner.modify_job(&job_id, store.as_deref(), c).map_err(err)
    }

    /// Replaces a job's trigger and recomputes its next run time at `nowMs`. `trigger`: a
    /// built `WasmTrigger` (taken as it is, as for [`addJob`](Self::add_job)), a spec, or
    /// `undefined` (run once now).
    #[wasm_bindgen(js_name = rescheduleJob)]
    pub fn reschedule_job(
        &mut self,
        #[wasm_bindgen(js_name = jobId, unchecked_param_type = "string")] job_id: &JsValue,
        jobstore: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "WasmTrigger | TriggerSpecJson | null | undefined")] trigger: &JsValue,
        #[wasm_bindgen(js_name = nowMs, unchecked_param_type = "number")] now_ms: &JsValue,
    ) -> Result<(), JsValue> {
        let job_id = required_string("job_id", job_id)?;
        let now = now_arg(now_ms)?;
        let store = optional_string("jobstore", jobstore)?;
        let input = self.trigger_input(trigger)?;
        self.inner.reschedule_job(&job_id, store.as_deref(), input, now).map_err(err)
    }

    /// Pauses a job.
    #[wasm_bindgen(js_name = pauseJob)]
    pub fn pause_job(&mut self, #[wasm_bindgen(js_name = jobId, unchecked_param_type = "string")] job_id: &JsValue, jobstore: &JsValue) -> Result<(), JsValue> {
        let job_id = required_string("job_id", job_id)?;
        let store = optional_string("jobstore", jobstore)?;
        self.inner.pause_job(&job_id, store.as_deref()).map_err(err)
    }

    /// Resumes a job at `nowMs`; returns `false` when its trigger had no time left (the job
    /// was removed).
    #[wasm_bindgen(js_name = resumeJob)]
    pub fn resume_job(
        &mut self,
        #[wasm_bindgen(js_name = jobId, unchecked_param_type = "string")] job_id: &JsValue,
        jobstore: &JsValue,
        #[wasm_bindgen(js_name = nowMs, unchecked_param_type = "number")] now_ms: &JsValue,
    ) -> Result<bool, JsValue> {
        let job_id = required_string("job_id", job_id)?;
        let now = now_arg(now_ms)?;
        let store = optional_string("jobstore", jobstore)?;
        self.inner.resume_job(&job_id, store.as_deref(), now).map_err(err)
    }

    /// Removes a job.
    #[wasm_bindgen(js_name = removeJob)]
    pub fn remove_job(&mut self, #[wasm_bindgen(js_name = jobId, unchecked_param_type = "string")] job_id: &JsValue, jobstore: &JsValue) -> Result<(), JsValue> {
        let job_id = required_string("job_id", job_id)?;
        let store = optional_string("jobstore", jobstore)?;
        self.inner.remove_job(&job_id, store.as_deref()).map_err(err)
    }

    /// Removes every job of `jobstore` (or of all stores).
    #[wasm_bindgen(js_name = removeAllJobs)]
    pub fn remove_all_jobs(&mut self, jobstore: &JsValue) -> Result<(), JsValue> {
        let store = optional_string("jobstore", jobstore)?;
        self.inner.remove_all_jobs(store.as_deref()).map_err(err)
    }

    /// The job `jobId` (`CoreJob`), or `undefined`.
    #[wasm_bindgen(js_name = getJob, unchecked_return_type = "CoreJob | undefined")]
    pub fn get_job(&self, #[wasm_bindgen(js_name = jobId, unchecked_param_type = "string")] job_id: &JsValue, jobstore: &JsValue) -> Result<JsValue, JsValue> {
        let job_id = required_string("job_id", job_id)?;
        let store = optional_string("jobstore", jobstore)?;
        self.inner.get_job(&job_id, store.as_deref()).map_or(Ok(JsValue::UNDEFINED), |j| convert::to_js_value(&job_json(j, &self.inner)))
    }

    /// The jobs of `jobstore` (or all), in APScheduler's order (`CoreJob[]`).
    #[wasm_bindgen(js_name = getJobs, unchecked_return_type = "CoreJob[]")]
    pub fn get_jobs(&self, jobstore: &JsValue) -> Result<JsValue, JsValue> {
        let store = optional_string("jobstore", jobstore)?;
        let jobs: Vec<Value> = self.inner.get_jobs(store.as_deref()).into_iter().map(|j| job_json(j, &self.inner)).collect();
        convert::to_js_value(&Value::Array(jobs))
    }

    /// APScheduler's `print_jobs()` text.
    #[wasm_bindgen(js_name = printJobs)]
    pub fn print_jobs(&self, jobstore: &JsValue) -> Result<String, JsValue> {
        let store = optional_string("jobstore", jobstore)?;
        Ok(self.inner.print_jobs(store.as_deref()))
    }

    /// Running instances of `jobId` (submitted, not finished).
    #[wasm_bindgen(js_name = runningInstances)]
    pub fn running_instances(&self, #[wasm_bindgen(js_name = jobId, unchecked_param_type = "string")] job_id: &JsValue) -> Result<u32, JsValue> {
        let job_id = required_string("job_id", job_id)?;
        Ok(self.inner.running_instances(&job_id))
    }

    /// Adds a job store: `type` `'memory'` or any persistent type name.
    #[wasm_bindgen(js_name = addJobstore)]
    pub fn add_jobstore(&mut self, #[wasm_bindgen(unchecked_param_type = "string")] alias: &JsValue, #[wasm_bindgen(js_name = type, unchecked_param_type = "string")] kind: &JsValue) -> Result<(), JsValue> {
        let alias = required_string("alias", alias)?;
        let kind = required_string("type", kind)?;
        let kind = StoreKind::parse("type", &kind).map_err(err)?;
        self.inner.add_jobstore(&alias, kind).map_err(err)
    }

    /// Holds `id` in the persistent store `alias` for a stored entry the host could not even
    /// parse: adding a job with that id then needs `replaceExisting` (`CONFLICTING_ID`
    /// otherwise), and `removeAllJobs` removes jobs one by one instead of clearing the store.
    #[wasm_bindgen(js_name = holdUnreadableId)]
    pub fn hold_unreadable_id(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] alias: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] id: &JsValue,
    ) -> Result<(), JsValue> {
        let alias = required_string("alias", alias)?;
        let id = required_string("id", id)?;
        self.inner.hold_unreadable_id(&alias, &id).map_err(err)
    }

    /// Removes a job store (a persistent store's records are not touched).
    #[wasm_bindgen(js_name = removeJobstore)]
    pub fn remove_jobstore(&mut self, #[wasm_bindgen(unchecked_param_type = "string")] alias: &JsValue) -> Result<(), JsValue> {
        let alias = required_string("alias", alias)?;
        self.inner.remove_jobstore(&alias).map_err(err)
    }

    /// Adds an executor alias (`type` name, optional `maxWorkers`: an integer from 1 to
    /// 4294967295, the configuration's bound on `max_workers`; `undefined` or `null` = the
    /// executor's default).
    #[wasm_bindgen(js_name = addExecutor)]
    pub fn add_executor(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] alias: &JsValue,
        #[wasm_bindgen(js_name = type, unchecked_param_type = "string")] kind: &JsValue,
        #[wasm_bindgen(js_name = maxWorkers, unchecked_optional_param_type = "number | null")] max_workers: &JsValue,
    ) -> Result<(), JsValue> {
        let alias = required_string("alias", alias)?;
        let kind = required_string("type", kind)?;
        let max_workers = if max_workers.is_undefined() || max_workers.is_null() {
            None
        } else {
            Some(u32_arg("maxWorkers", max_workers, 1, "must be an integer from 1 to 4294967295")?)
        };
        self.inner.add_executor(&alias, ExecutorConfig { kind, max_workers }).map_err(err)
    }

    /// Removes an executor alias.
    #[wasm_bindgen(js_name = removeExecutor)]
    pub fn remove_executor(&mut self, #[wasm_bindgen(unchecked_param_type = "string")] alias: &JsValue) -> Result<(), JsValue> {
        let alias = required_string("alias", alias)?;
        self.inner.remove_executor(&alias).map_err(err)
    }
}
