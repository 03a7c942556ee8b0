// Types of the Scheduler API (re-exported by index.d.ts).
import type { BaseTrigger, DateLike, TriggerSpecJson } from './index.js';

// ----- events -------------------------------------------------------------------------

export const EVENT_SCHEDULER_STARTED: 1;
export const EVENT_SCHEDULER_START: 1;
export const EVENT_SCHEDULER_SHUTDOWN: 2;
export const EVENT_SCHEDULER_PAUSED: 4;
export const EVENT_SCHEDULER_RESUMED: 8;
export const EVENT_EXECUTOR_ADDED: 16;
export const EVENT_EXECUTOR_REMOVED: 32;
export const EVENT_JOBSTORE_ADDED: 64;
export const EVENT_JOBSTORE_REMOVED: 128;
export const EVENT_ALL_JOBS_REMOVED: 256;
export const EVENT_JOB_ADDED: 512;
export const EVENT_JOB_REMOVED: 1024;
export const EVENT_JOB_MODIFIED: 2048;
export const EVENT_JOB_EXECUTED: 4096;
export const EVENT_JOB_ERROR: 8192;
export const EVENT_JOB_MISSED: 16384;
export const EVENT_JOB_SUBMITTED: 32768;
export const EVENT_JOB_MAX_INSTANCES: 65536;
/** Every event code OR-ed together. */
export const EVENT_ALL: 131071;
/** tickwerk's own: a shared job store's role changed (`jobstore`, `role`). Not in
 *  `EVENT_ALL` (APScheduler's number): ask for it, `EVENT_ALL | EVENT_ROLE_CHANGED`. */
export const EVENT_ROLE_CHANGED: 131072;
/** A scheduler's role in a shared job store (docs/shared-stores.md). */
export type Role = 'leader' | 'follower';
export const ROLE_LEADER: 'leader';
export const ROLE_FOLLOWER: 'follower';

export type SchedulerState = 'stopped' | 'running' | 'paused';
export const STATE_STOPPED: 'stopped';
export const STATE_RUNNING: 'running';
export const STATE_PAUSED: 'paused';

export type EventName =
  | 'EVENT_SCHEDULER_STARTED' | 'EVENT_SCHEDULER_SHUTDOWN' | 'EVENT_SCHEDULER_PAUSED' | 'EVENT_SCHEDULER_RESUMED'
  | 'EVENT_EXECUTOR_ADDED' | 'EVENT_EXECUTOR_REMOVED' | 'EVENT_JOBSTORE_ADDED' | 'EVENT_JOBSTORE_REMOVED'
  | 'EVENT_ALL_JOBS_REMOVED' | 'EVENT_JOB_ADDED' | 'EVENT_JOB_REMOVED' | 'EVENT_JOB_MODIFIED' | 'EVENT_JOB_EXECUTED'
  | 'EVENT_JOB_ERROR' | 'EVENT_JOB_MISSED' | 'EVENT_JOB_SUBMITTED' | 'EVENT_JOB_MAX_INSTANCES'
  | 'EVENT_ROLE_CHANGED';

/** A submission's run times: a list, or a long backlog's first and last time. */
export type RunTimes = Date[] | { first: Date; last: Date };

/** An event with APScheduler's attributes. Which ones are set depends on the code. */
export class SchedulerEvent {
  /** The numeric code (`EVENT_JOB_EXECUTED` = 4096, …). */
  readonly code: number;
  /** The constant's name. */
  readonly name: EventName;
  /** Scheduler, executor and job store events: the alias (`null` for the scheduler's own). */
  readonly alias?: string | null;
  /** Job events: the job id. */
  readonly jobId?: string;
  /** Job events: the job store (`null` while the job is pending). */
  readonly jobstore?: string | null;
  /** Submitted / max-instances events: the run times. */
  readonly scheduledRunTimes?: RunTimes;
  /** Executed / error / missed events: the run time. */
  readonly scheduledRunTime?: Date;
  /** Executed events: what the function returned (resolved). */
  retval?: unknown;
  /** Error events: what the function threw (or rejected with). */
  exception?: unknown;
  /** Error events: the error's stack text. */
  readonly traceback?: string;
  /** `EVENT_ROLE_CHANGED`: the scheduler's new role for `jobstore`. */
  readonly role?: Role;
  toString(): string;
}

// ----- options ------------------------------------------------------------------------

/** A console-like logger; `debug` says what the scheduler decides and when it wakes. */
export interface Logger {
  debug?(...args: unknown[]): void;
  info?(...args: unknown[]): void;
  warn?(...args: unknown[]): void;
  error?(...args: unknown[]): void;
}

/** The clock the driver uses; inject a fake one in tests. */
export interface Clock {
  now(): number;
  /** Calls `fn` after `ms` milliseconds; `wakeAt` is the scheduler's next wakeup (epoch ms)
   *  when one is known (`ms` may be capped below it: a clock with wall-clock alarms may use it). */
  setTimer(fn: () => void, ms: number, wakeAt?: number): unknown;
  clearTimer(handle: unknown): void;
}

/** A stored job record (the core's versioned JSON). */
export type JobRecord = { version: number; id: string; [key: string]: unknown };

/** One store operation; applied in order. */
export type StoreOp =
  | { op: 'put'; jobstore: string; jobId: string; record: JobRecord }
  | { op: 'remove'; jobstore: string; jobId: string }
  | { op: 'clear'; jobstore: string };

/** A stored entry that could not be parsed (reported, never deleted). */
export class CorruptEntry {
  readonly key: string;
  readonly reason: string;
  /** The job id the entry is stored under, when the adapter knows it. */
  readonly id?: string;
}

/** The pluggable job store interface. */
export interface JobStoreAdapter {
  /** Every record of this store (unparsable entries as `corruptEntry(key, reason)`). */
  load(): Promise<Array<JobRecord | CorruptEntry>>;
  /** Applies the ops in order, all or none. */
  apply(ops: StoreOp[]): Promise<void>;
  /** A Web Locks name: only one scheduler (tab) may drive the store. */
  lockName?: string;
  /** Called with the alias the store is registered under. */
  bind?(alias: string): void;
  close?(): void | Promise<void>;
}

/** A follower's change, queued in a shared store for its leader. */
export type StoreChange =
  | { op: 'put'; jobId: string; record: JobRecord; base: JobRecord | null }
  | { op: 'remove'; jobId: string }
  | { op: 'clear' };

/** What `coordinate` calls: `role` at joining and at every change, `notice` when another
 *  scheduler wrote records (`'records'`) or queued changes (`'changes'`). */
export interface CoordinateHandlers {
  role(role: Role): void;
  notice(what: 'records' | 'changes'): void;
}

/** A job store several schedulers share: one leads, the others follow (docs/shared-stores.md). */
export interface SharedJobStoreAdapter extends JobStoreAdapter {
  /** Joins the election; calls `handlers.role` before resolving. */
  coordinate(handlers: CoordinateHandlers): Promise<void>;
  /** Follower: appends changes to the store's queue durably, then notifies the leader. */
  submit(changes: StoreChange[]): Promise<void>;
  /** Leader: the queued changes, oldest first, not removed yet. */
  takeChanges(): Promise<Array<{ key: unknown; change: StoreChange }>>;
  /** Leader: as `JobStoreAdapter.apply`, removing the `consumed` changes in the same atomic
   *  step; rejects with code `LEASE_LOST` (nothing written) when no longer the leader. */
  apply(ops: StoreOp[], consumed?: unknown[]): Promise<void>;
}

export type JobStoreSpec =
  | 'memory' | 'localstorage' | 'indexeddb'
  | { type: 'memory' }
  | { type: 'localstorage'; prefix?: string; storage?: Storage }
  | { type: 'indexeddb'; dbName?: string; indexedDB?: IDBFactory; shared?: boolean }
  | { type: 'custom'; store: JobStoreAdapter }
  | FileJobStoreSpec
  | JobStoreAdapter;

/**
 * Node (>= 20.16; Bun, Deno with `process.getBuiltinModule`): every record of the store in one
 * file, rewritten atomically per batch, locked by `<path>.lock` (a second process on the same
 * path is refused with STORE_FAILURE naming the holder's pid; a dead holder's lock is taken over).
 */
export type FileJobStoreSpec = { type: 'file'; path: string | URL };

/** An executor: runs job instances (`submit`) and calls functions (`call`). */
export interface Executor {
  readonly type?: string;
  readonly maxWorkers?: number;
  submit(task: () => Promise<void>): void;
  call(call: { func: unknown; funcRef: string; args: unknown[]; kwargs: Record<string, unknown>; callArgs: unknown[] }): Promise<unknown>;
  shutdown(wait?: boolean): Promise<void>;
}

export type ExecutorSpec =
  | 'default' | 'threadpool' | 'worker' | 'processpool'
  | { type?: 'default' | 'threadpool' | 'asyncio'; maxWorkers?: number | string; max_workers?: number | string }
  | {
      type: 'worker' | 'processpool'; maxWorkers?: number | string; max_workers?: number | string;
      /** The module URLs (absolute) the workers may import: a job naming any other module
       *  fails with INVALID_ARGUMENT and nothing is imported. */
      modules?: Array<string | URL>;
    }
  | Executor;

export interface JobDefaults {
  /** Seconds a run may start late; `null` = no limit. Default 1 (APScheduler 3.11). */
  misfireGraceTime?: number | string | null;
  /** Run a backlog once. Default true. */
  coalesce?: boolean | string;
  /** Instances allowed at once. Default 1. */
  maxInstances?: number | string;
}

export interface SchedulerOptions {
  /** Default zone of alias triggers and date texts; default: the host's zone. */
  timezone?: string;
  jobDefaults?: JobDefaults;
  jobstores?: Record<string, JobStoreSpec>;
  executors?: Record<string, ExecutorSpec>;
  /** Functions by key (persistent stores name functions by key). */
  functions?: Record<string, (...args: any[]) => unknown>;
  logger?: Logger;
  clock?: Clock;
  /** Node: keep the process alive while running (default true). */
  keepAlive?: boolean | string;
  /** Seed of generated ids and jitter (default: random). */
  seed?: number | string | bigint;
  /** Flat APScheduler-style keys: `'tickwerk.jobDefaults.coalesce': 'false'`, `'apscheduler.timezone': 'UTC'`. */
  [flatKey: `tickwerk.${string}` | `apscheduler.${string}`]: unknown;
}

/** Job options (every other key of the options object goes to the trigger). */
export interface JobOptions {
  id?: string;
  name?: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  misfireGraceTime?: number | null;
  coalesce?: boolean;
  maxInstances?: number;
  /** First run time; `null` adds the job paused. */
  nextRunTime?: DateLike | null;
  jobstore?: string;
  executor?: string;
  replaceExisting?: boolean;
}

type CronField = string | number;
export interface DateJobOptions extends JobOptions { runDate?: DateLike; timezone?: string }
export interface IntervalJobOptions extends JobOptions {
  weeks?: number; days?: number; hours?: number; minutes?: number; seconds?: number;
  startDate?: DateLike; endDate?: DateLike; timezone?: string; jitter?: number | null;
}
export interface CronJobOptions extends JobOptions {
  year?: CronField; month?: CronField; day?: CronField; week?: CronField;
  /** APScheduler's numbering here: 0 = Monday … 6 = Sunday (crontab lines — `fromCrontab`, the
   *  `'crontab'` alias — use crontab's: 0 and 7 = Sunday). Names (`'mon'` … `'sun'`,
   *  `'mon-fri'`) mean the same in both: prefer them. */
  dayOfWeek?: CronField;
  hour?: CronField; minute?: CronField; second?: CronField;
  startDate?: DateLike; endDate?: DateLike; timezone?: string; jitter?: number | null;
  /** A repeated wall time (fall-back): `'both'` (default) runs twice, `'first'`/`'last'` once. */
  fold?: 'both' | 'first' | 'last';
}
/** `'crontab'` (tickwerk's extension): a standard 5-field crontab line. */
export interface CrontabJobOptions extends JobOptions { expr: string; timezone?: string; fold?: 'both' | 'first' | 'last' }
/** `'calendarinterval'` (APScheduler 3.11's CalendarIntervalTrigger). */
export interface CalendarIntervalJobOptions extends JobOptions {
  years?: number; months?: number; weeks?: number; days?: number; hour?: number; minute?: number; second?: number;
  startDate?: DateLike; endDate?: DateLike; timezone?: string; jitter?: number | null;
}

/**
 * `addJob`'s arguments after the function: a trigger alias with its options, a trigger with
 * job options, or job options alone. One union of tuples rather than overloads, so that a
 * misspelt key is reported on that key (`'minute' does not exist in type
 * 'IntervalJobOptions'. Did you mean to write 'minutes'?`), not as "no overload matches".
 */
export type AddJobArgs =
  | [trigger: 'date', options?: DateJobOptions]
  | [trigger: 'interval', options?: IntervalJobOptions]
  | [trigger: 'cron', options?: CronJobOptions]
  | [trigger: 'crontab', options: CrontabJobOptions]
  | [trigger: 'calendarinterval', options?: CalendarIntervalJobOptions]
  | [trigger: BaseTrigger, options?: JobOptions]
  | [options?: JobOptions];

/** What a job runs: a function, or the key of a registered one (`'<module URL>#<export>'` for the worker executor). */
export type JobFunc = ((...args: any[]) => unknown) | string;

export interface JobChanges {
  name?: string;
  func?: JobFunc;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  trigger?: BaseTrigger;
  executor?: string;
  misfireGraceTime?: number | null;
  coalesce?: boolean;
  maxInstances?: number;
  nextRunTime?: DateLike | null;
  /** Which store to look in. */
  jobstore?: string;
}

// ----- jobs and the scheduler ---------------------------------------------------------

/** A job (APScheduler's `Job`): its properties read the scheduler's current state (after
 *  `start()`, runs and modifications; a removed job keeps its last state), with methods that
 *  act on it. */
export class Job {
  readonly id: string;
  readonly name: string;
  /** The function (memory stores) or its key. */
  readonly func: JobFunc;
  /** The function's key (what persistent stores keep). */
  readonly funcRef: string;
  readonly args: unknown[];
  readonly kwargs: Record<string, unknown>;
  readonly executor: string;
  /** `null` while pending. */
  readonly jobstore: string | null;
  readonly misfireGraceTime: number | null;
  readonly coalesce: boolean;
  readonly maxInstances: number;
  /** `null` = paused (or pending). */
  readonly nextRunTime: Date | null;
  readonly pending: boolean;
  readonly trigger: BaseTrigger;
  modify(changes: JobChanges): this;
  reschedule(trigger: 'date', options?: Omit<DateJobOptions, keyof JobOptions>): this;
  reschedule(trigger: 'interval', options?: Omit<IntervalJobOptions, keyof JobOptions>): this;
  reschedule(trigger: 'cron', options?: Omit<CronJobOptions, keyof JobOptions>): this;
  reschedule(trigger: BaseTrigger): this;
  pause(): this;
  /** `null` when the trigger had no time left (the job was removed). */
  resume(): this | null;
  remove(): void;
  /** APScheduler's `str(job)`. */
  toString(): string;
  /** The properties as a plain object (`func` is the key). */
  toJSON(): Record<string, unknown>;
}

/** `shutdown` options: `wait` (default true) for running jobs, at most `timeout` ms or until
 *  `signal` aborts. */
export interface ShutdownOptions {
  wait?: boolean;
  timeout?: number;
  signal?: AbortSignal;
}

export type Listener = (event: SchedulerEvent) => void;

export class Scheduler {
  constructor(options?: SchedulerOptions);
  configure(options: SchedulerOptions): void;
  registerFunction(name: string, fn: (...args: any[]) => unknown): void;
  readonly state: SchedulerState;
  readonly running: boolean;
  /** `'follower'` while it follows any shared store, else `'leader'`; `null` while stopped. */
  readonly role: Role | null;
  /** The role per shared job store (`{}` while stopped or without shared stores). */
  readonly roles: Record<string, Role>;
  readonly timezone: string;
  /** Store failures (`STORE_FAILURE`), oldest first; the newest 100 are kept. */
  readonly storeErrors: import('./index.js').TickwerkError[];
  /** Records that could not be loaded (left in storage): `jobstore`, `key` (the storage key
   *  an adapter reported, else the record's id, else `#<index>`), `index` (its place in what
   *  `load()` returned) and `id` (when the record has a readable one). */
  readonly loadErrors: Array<import('./index.js').TickwerkError & { jobstore: string; key: string; index: number; id?: string }>;
  start(options?: { paused?: boolean } | null): Promise<void>;
  /** A second call while shutting down resolves with the first. */
  shutdown(options?: ShutdownOptions | null): Promise<void>;
  pause(): void;
  resume(): void;
  wakeup(): void;
  /** `addJob(func, 'interval', { minutes: 2, id })`, `addJob(func, trigger, options)` or
   *  `addJob(func, options)` (no trigger: run once, now). */
  addJob(func: JobFunc, ...triggerAndOptions: AddJobArgs): Job;
  scheduledJob(...triggerAndOptions: AddJobArgs): <F extends JobFunc>(func: F) => F;
  modifyJob(jobId: string, changes: JobChanges): Job;
  rescheduleJob(jobId: string, trigger: 'date', options?: Omit<DateJobOptions, keyof JobOptions> & { jobstore?: string }): Job;
  rescheduleJob(jobId: string, trigger: 'interval', options?: Omit<IntervalJobOptions, keyof JobOptions> & { jobstore?: string }): Job;
  rescheduleJob(jobId: string, trigger: 'cron', options?: Omit<CronJobOptions, keyof JobOptions> & { jobstore?: string }): Job;
  rescheduleJob(jobId: string, trigger: BaseTrigger, options?: { jobstore?: string }): Job;
  pauseJob(jobId: string, jobstore?: string): Job;
  resumeJob(jobId: string, jobstore?: string): Job | null;
  removeJob(jobId: string, jobstore?: string): void;
  removeAllJobs(jobstore?: string): void;
  getJob(jobId: string, jobstore?: string): Job | null;
  getJobs(jobstore?: string): Job[];
  printJobs(jobstore?: string, options?: { out?: ((text: string) => void) | { write(text: string): unknown } }): string;
  addListener(callback: Listener, mask?: number): void;
  removeListener(callback: Listener): void;
  addJobstore(store: JobStoreSpec, alias?: string): Promise<void>;
  removeJobstore(alias: string): void;
  addExecutor(executor: ExecutorSpec, alias?: string): void;
  removeExecutor(alias: string, options?: { wait?: boolean } | null): Promise<void>;
}

export class DefaultExecutor implements Executor {
  constructor(options?: { maxWorkers?: number });
  readonly type: string;
  readonly maxWorkers: number;
  readonly running: number;
  readonly queued: number;
  submit(task: () => Promise<void>): void;
  call(call: { func: unknown; funcRef: string; args: unknown[]; kwargs: Record<string, unknown>; callArgs: unknown[] }): Promise<unknown>;
  shutdown(wait?: boolean): Promise<void>;
}
export class WorkerExecutor extends DefaultExecutor {
  /** `modules`: the allow-list of module URLs jobs may name (`'<module URL>#<export>'`). */
  constructor(options?: { maxWorkers?: number; modules?: Array<string | URL> });
  /** Whether `ref` (`'<module URL>#<export>'`) names a module on the allow-list. */
  allows(ref: string): boolean;
  /** How many workers the pool has started (reuse keeps it at most `maxWorkers` unless workers crash). */
  readonly workersStarted: number;
}

export class LocalStorageJobStore implements JobStoreAdapter {
  constructor(options?: { prefix?: string; storage?: Storage });
  load(): Promise<Array<JobRecord | CorruptEntry>>;
  apply(ops: StoreOp[]): Promise<void>;
  bind(alias: string): void;
  lockName?: string;
}
/** IndexedDB store; shared between the origin's tabs (Web Locks election) unless `shared:
 *  false` (one scheduler per store, by the caller's promise; required where Web Locks or
 *  BroadcastChannel are missing, else INVALID_ARGUMENT naming `shared`). */
export class IndexedDBJobStore implements SharedJobStoreAdapter {
  constructor(options?: { dbName?: string; indexedDB?: IDBFactory; shared?: boolean });
  readonly shared: boolean;
  load(): Promise<Array<JobRecord | CorruptEntry>>;
  apply(ops: StoreOp[], consumed?: unknown[]): Promise<void>;
  coordinate(handlers: CoordinateHandlers): Promise<void>;
  submit(changes: StoreChange[]): Promise<void>;
  takeChanges(): Promise<Array<{ key: unknown; change: StoreChange }>>;
  bind(alias: string): void;
  close(): void;
  lockName?: string;
}
/** An unreadable stored entry for a custom store's `load()`; `id`: the job id it is stored under, when known. */
export function corruptEntry(key: string, reason: string, id?: string): CorruptEntry;

/** The real clock (`Date.now`, `setTimeout`). */
export const systemClock: Clock;
/** The longest delay handed to one timer (30 s): the wall clock is compared at least this
 *  often, so a machine suspend or a clock jump is noticed within it. */
export const MAX_TIMER_DELAY: number;

// ----- the low-level core ------------------------------------------------------------

export type CoreRunTimes = number[] | { first: number; last: number };
export interface CoreRun {
  id: number; jobId: string; jobstore: string; executor: string; func: string;
  args: unknown[]; kwargs: Record<string, unknown>; runTimes: CoreRunTimes; runAt: number;
}
export interface CoreEvent {
  code: number; name: EventName; alias?: string; jobId?: string; jobstore?: string | null;
  scheduledRunTimes?: CoreRunTimes; scheduledRunTime?: number;
  /** The run an executed / error / missed event is about: with `scheduledRunTime`, the key of
   *  the return value or exception the host kept (the core keeps neither). */
  runId?: number;
}
/** One item of `SchedulerCore.drainOutput`, in the order it happened. */
export type CoreOutput =
  | { kind: 'storeOps'; jobstore: string; ops: StoreOp[] }
  | { kind: 'run'; run: CoreRun }
  | { kind: 'event'; event: CoreEvent };
export interface CoreJob {
  id: string; name: string; func: string; args: unknown[]; kwargs: Record<string, unknown>;
  trigger: TriggerSpecJson; triggerText: string; executor: string; jobstore: string | null;
  misfireGraceTime: number | null; coalesce: boolean; maxInstances: number;
  nextRunTime: number | null; pending: boolean; text: string;
}
export interface CoreRunStart { action: 'execute' | 'missed'; scheduledRunTime: number }
/** A record `loadJobs` / `replaceJobs` could not load: its index in `records`, its id when it
 *  has a readable one, the error code and message. */
export interface CoreLoadProblem { index: number; id?: string; code: string; message: string }

/**
 * The sans-IO scheduler for hosts that own the clock (edge, serverless, tests). Times are
 * epoch ms (fractions = µs). Loop: `tick(now)` → for each item of `drainOutput()`, in order:
 * store a `storeOps` batch; deliver an `event`; start a `run` only once every batch before
 * it is stored (`startRunTime` until `undefined`, keep the result and report
 * `runSucceeded`/`runFailed`, then `finishRun`; reports queue outputs: drain again) → sleep
 * until `nextWakeup()`.
 */
export class SchedulerCore {
  /** Typed options only: `{ timezone, jobDefaults: { misfireGraceTime, coalesce, maxInstances },
   *  jobstores, executors, seed }` (the `Scheduler` reads APScheduler's flat keys and string
   *  values and hands the core this form). */
  constructor(options?: Record<string, unknown>);
  configure(options: Record<string, unknown>): void;
  readonly state: SchedulerState;
  readonly timezone: string;
  readonly jobDefaults: { misfireGraceTime: number | null; coalesce: boolean; maxInstances: number };
  start(nowMs: number, paused: boolean): void;
  shutdown(): void;
  pause(): void;
  resume(): void;
  wakeup(): void;
  nextWakeup(): number | undefined;
  /** Queues the store ops of the due jobs' next run times, then their runs, then the
   *  submission events (take them with `drainOutput`). */
  tick(nowMs: number): void;
  startRunTime(runId: number, nowMs: number): CoreRunStart | undefined;
  /** Queues EVENT_JOB_EXECUTED with `runId` and `scheduledRunTime` (the value stays in JS). */
  runSucceeded(runId: number, scheduledMs: number): void;
  /** Queues EVENT_JOB_ERROR with `runId` and `scheduledRunTime` (the exception stays in JS). */
  runFailed(runId: number, scheduledMs: number): void;
  finishRun(runId: number): void;
  /** Every queued output, in order: store op batches, runs, events. */
  drainOutput(): CoreOutput[];
  loadJobs(alias: string, records: unknown[], nowMs: number): CoreLoadProblem[];
  /** Holds `id` for a stored entry the host could not parse (adding it then needs replaceExisting). */
  holdUnreadableId(alias: string, id: string): void;
  addJob(options: Record<string, unknown>, nowMs: number): string;
  modifyJob(jobId: string, jobstore: string | null | undefined, changes: Record<string, unknown>, nowMs: number): void;
  rescheduleJob(jobId: string, jobstore: string | null | undefined, trigger: TriggerSpecJson | null | undefined, nowMs: number): void;
  pauseJob(jobId: string, jobstore?: string | null): void;
  resumeJob(jobId: string, jobstore: string | null | undefined, nowMs: number): boolean;
  removeJob(jobId: string, jobstore?: string | null): void;
  removeAllJobs(jobstore?: string | null): void;
  getJob(jobId: string, jobstore?: string | null): CoreJob | undefined;
  getJobs(jobstore?: string | null): CoreJob[];
  printJobs(jobstore?: string | null): string;
  runningInstances(jobId: string): number;
  addJobstore(alias: string, type: string): void;
  removeJobstore(alias: string): void;
  addExecutor(alias: string, type: string, maxWorkers?: number | null): void;
  removeExecutor(alias: string): void;
}
