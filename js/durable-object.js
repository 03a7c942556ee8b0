// `tickwerk/durable-object`: a Scheduler that lives in a Cloudflare Durable Object.
//
//   * its job store is the object's transactional storage (DurableObjectStore: one key per
//     job, a batch of store operations is one storage transaction);
//   * its timer is the object's alarm (AlarmClock): the alarm survives eviction and restarts,
//     and the object's `alarm()` handler calls `scheduler.alarm()`, which ticks, runs the due
//     jobs and resolves once they (and the writes they caused) have settled — the runtime
//     keeps the object alive until then;
//   * the constructor starts it inside `ctx.blockConcurrencyWhile`, so no request or alarm
//     reaches the object before its jobs are loaded.
//
// Exactly once per fire time: the object is single-threaded per id, and the scheduler writes
// a job's next run time (the run record) to storage, and awaits it, before it starts the
// run. Durable Object output gates hold every message the run sends (fetch, responses, RPC)
// until that write is durable, and writes are committed in order, so if the record is lost
// (the object crashed before it was flushed) everything the run did is lost with it, and if
// it is kept, a later alarm — after an eviction, a restart or a retried alarm — loads the
// advanced run time and never runs that fire time again. A run cut off by a crash is not
// retried (at most once, as with every persistent store).

import { DefaultExecutor, Scheduler } from './workerd.js';
import { invalid, isObjectNotArray, ownEntries } from './errors.js';
import { AlarmClock } from './durable-object-clock.js';
import { DurableObjectStore } from './durable-object-store.js';

export { AlarmClock } from './durable-object-clock.js';
export { DurableObjectStore, MAX_KEYS_PER_CALL } from './durable-object-store.js';
export { CorruptEntry } from './store-types.js';

/** Scheduler options the driver sets itself (a caller's value would break it). */
const DRIVER_OWNED = ['jobstores', 'executors', 'clock', 'keepAlive'];

/** The options only the Durable Object driver takes. */
const DRIVER_KEYS = ['prefix', 'maxWorkers'];

/** The most turns `settled()` waits for a scheduler that never gets quiet (a safety net). */
const MAX_SETTLE_TURNS = 1_000_000;

/** The default executor, counting what it was given, with `idle()`. */
class SettlingExecutor extends DefaultExecutor {
  constructor(options) {
    super(options);
    /** How many job instances were submitted. */
    this.submitted = 0;
  }

  submit(task) {
    this.submitted += 1;
    super.submit(task);
  }

  /** Whether instances are running or waiting. */
  get busy() {
    return this.running + this.queued > 0;
  }

  /** Resolves when no instance runs or waits. */
  idle() {
    return this.busy ? super.shutdown(true) : Promise.resolve();
  }
}

/** Resolves after the next macrotask (every pending microtask and I/O callback ran). */
const nextTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Whether `ctx` looks like a DurableObjectState (never throws). */
function isState(ctx) {
  try {
    return isObjectNotArray(ctx) && typeof ctx.blockConcurrencyWhile === 'function' && isObjectNotArray(ctx.storage);
  } catch {
    return false;
  }
}

/**
 * A Scheduler driven by a Durable Object: jobs in the object's storage, the timer as its
 * alarm. Build it in the object's constructor and forward the object's `alarm()` to it:
 *
 * ```js
 * export class Jobs extends DurableObject {
 *   constructor(ctx, env) {
 *     super(ctx, env);
 *     this.scheduler = new DurableObjectScheduler(ctx, { functions: { report }, timezone: 'Europe/Berlin' });
 *   }
 *   alarm(info) { return this.scheduler.alarm(info); }
 * }
 * ```
 *
 * Every Scheduler option works except `jobstores`, `executors`, `clock` and `keepAlive`
 * (the driver sets them); `prefix` (default `'tickwerk:'`) is the key prefix of the job
 * records in storage, `maxWorkers` (default 10) how many job instances run at once. Jobs are
 * persistent: they name registered functions (`functions` option) and take JSON arguments.
 */
export class DurableObjectScheduler extends Scheduler {
  /**
   * @param {DurableObjectState} ctx the Durable Object's state (`this.ctx`)
   * @param {object} [options] Scheduler options plus `prefix` and `maxWorkers`
   */
  constructor(ctx, options) {
    if (!isState(ctx)) throw invalid('ctx', ctx, "expected the Durable Object's state (ctx, with storage and blockConcurrencyWhile)");
    if (options !== undefined && options !== null && !isObjectNotArray(options)) {
      throw invalid('options', options, 'Durable Object scheduler options must be an object');
    }
    const rest = {};
    const own = {};
    for (const [key, value] of ownEntries('options', options ?? {})) {
      if (DRIVER_OWNED.includes(key)) throw invalid(`options.${key}`, value, 'set by the Durable Object driver (storage, alarm, default executor); leave it out');
      if (DRIVER_KEYS.includes(key)) own[key] = value;
      else rest[key] = value;
    }
    const store = new DurableObjectStore(ctx.storage, { prefix: own.prefix });
    const executor = new SettlingExecutor({ maxWorkers: own.maxWorkers });
    let self;
    const clock = new AlarmClock(ctx.storage, {
      onError: (message) => self?._logger?.error?.(`tickwerk: Durable Object alarm: ${message}`),
    });
    super({ ...rest, jobstores: { default: store }, executors: { default: executor }, clock, keepAlive: false });
    self = this;
    /** The object's state. */
    this.ctx = ctx;
    this._doStore = store;
    this._doExecutor = executor;
    this._doClock = clock;
    /**
     * Resolves once the scheduler has started (its jobs loaded); rejects with the start's
     * error (`blockConcurrencyWhile` then resets the object, and the next request or alarm
     * builds it again).
     */
    this.started = ctx.blockConcurrencyWhile(() => this.start());
    this.started.catch(() => {});
  }

  /** The job store over the object's storage. */
  get store() {
    return this._doStore;
  }

  /**
   * The object's `alarm()` handler: ticks, runs the due jobs and resolves when they and the
   * writes they caused have settled. Forward the Durable Object's `alarm(info)` here and
   * return (or await) its promise. It never rejects for a job's failure (that is an
   * `EVENT_JOB_ERROR`), so the runtime does not retry the alarm for it.
   * @param {{ retryCount?: number, isRetry?: boolean }} [info] the alarm's info, logged
   */
  async alarm(info) {
    await this.started;
    if (info?.isRetry) this._logger.warn?.(`tickwerk: Durable Object alarm retried (retry ${info.retryCount})`);
    const clock = this._doClock;
    clock.wake();
    try {
      clock.fire();
      await this.settled();
    } finally {
      clock.sleep();
    }
  }

  /**
   * Resolves when the scheduler is quiet: no store batch being written, no job instance
   * running or waiting, and nothing new started during one more turn of the event loop.
   */
  async settled() {
    const store = this._doStore;
    const executor = this._doExecutor;
    const clock = this._doClock;
    const activity = () => store.batches + executor.submitted + clock.fired;
    for (let turn = 0; turn < MAX_SETTLE_TURNS; turn += 1) {
      const seen = activity();
      await store.idle();
      await executor.idle();
      await nextTurn();
      if (seen === activity() && !store.busy && !executor.busy) return;
    }
    this._logger.warn?.('tickwerk: Durable Object scheduler did not settle');
  }

}

// The whole API, so a Worker imports everything from this one entry.
export * from './workerd.js';
