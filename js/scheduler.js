// The Scheduler: APScheduler's scheduler API in JS naming (API-CONVENTIONS.md), driving the
// sans-IO core (`SchedulerCore`) with one timer. All scheduling decisions — due runs,
// misfires, coalescing, max_instances, next run times, events, store operations — are the
// core's; this layer owns the clock, the timers, the functions, the executors and the IO
// of persistent job stores.
//
// The loop (see the crate docs): tick(now) → persist the store outbox (awaited) → hand the
// due runs to executors → each run time is misfire-checked by the core when it actually
// starts → results reported → events delivered → timer re-armed for nextWakeup().

import { SchedulerCore } from './core/tickwerk_core.js';
import { errorText, formattedError, inCallerSpelling, invalid, isTickwerkError, member, ownEntries, TickwerkError, unknownKey } from './errors.js';
import { isForeignTrigger, isTrigger, triggerFromSpec } from './triggers.js';
import { Driver, systemClock } from './scheduler-driver.js';
import { EVENT_ALL, EVENT_ROLE_CHANGED, SchedulerEvent } from './scheduler-events.js';
import { isLeaseLost, isSharedAdapter, ROLE_FOLLOWER, ROLE_LEADER, SharedStores } from './scheduler-shared.js';
import { createExecutor } from './scheduler-executors.js';
import { createStore } from './stores.js';
import { isCorrupt } from './store-types.js';
import { asInt, readOptions } from './scheduler-config.js';
import {
  dateOption, describeFunc, functionName, jobOptionName, jsonCopy, optionsObject, readArgs, readKwargs, splitOptions, triggerArgument, typedJobOption,
  unserializable,
} from './scheduler-jobs.js';

export * from './scheduler-events.js';
export { DefaultExecutor, WorkerExecutor } from './scheduler-executors.js';
export { corruptEntry, IndexedDBJobStore, LocalStorageJobStore } from './stores.js';
export { MAX_TIMER_DELAY, systemClock } from './scheduler-driver.js';
export { ROLE_FOLLOWER, ROLE_LEADER } from './scheduler-shared.js';

const defaultLogger = { debug() {}, info() {}, warn: (...a) => console.warn(...a), error: (...a) => console.error(...a) };
/** How many store failures `storeErrors` keeps (the newest). */
const STORE_ERRORS_KEPT = 100;
const key = (alias, id) => `${alias}\u0000${id}`;
const toDate = (ms) => (ms === null || ms === undefined ? null : new Date(Math.floor(ms)));

/**
 * A job (APScheduler's `Job`): its state, kept current — every property re-reads the
 * scheduler after any change (a run, a modification, `start()`), and keeps the last state
 * once the job is removed — with methods acting on it.
 */
export class Job {
  /** The class's name, kept when the bundle is minified (no keepNames). */
  static name = 'Job';

  /** @internal Built by the Scheduler. */
  constructor(scheduler, core, live) {
    this._scheduler = scheduler;
    /** The id, unique within its job store. */
    this.id = core.id;
    this._alias = core.jobstore ?? live?.alias ?? undefined;
    this._set(core, live);
  }

  _set(core, live) {
    this._state = core;
    this._live = live;
    this._seen = this._scheduler._version;
    this._trigger = undefined;
  }

  /** The job's current core state (re-read when the scheduler changed since the last read). */
  _current() {
    if (this._seen !== this._scheduler._version) {
      this._seen = this._scheduler._version;
      const fresh = this._scheduler._coreJob(this.id, this._alias);
      if (fresh) {
        this._alias = fresh.jobstore ?? this._alias;
        const live = this._scheduler._live.get(key(this._alias ?? 'default', this.id)) ?? this._live;
        if (fresh.triggerText !== this._state.triggerText) this._trigger = undefined;
        this._state = fresh;
        this._live = live;
      }
    }
    return this._state;
  }

  /** Display name (default: the function's name or key). */
  get name() {
    return this._current().name;
  }

  /** The function (memory stores) or its registry key. */
  get func() {
    const state = this._current();
    return this._live?.func ?? state.func;
  }

  /** The function's registry key (what persistent stores keep). */
  get funcRef() {
    return this._current().func;
  }

  /** Positional arguments. */
  get args() {
    const state = this._current();
    return this._live?.args ?? state.args;
  }

  /** Keyword arguments (passed as a last argument object when non-empty). */
  get kwargs() {
    const state = this._current();
    return this._live?.kwargs ?? state.kwargs;
  }

  /** The executor alias. */
  get executor() {
    return this._current().executor;
  }

  /** The job store alias (`null` while pending). */
  get jobstore() {
    return this._current().jobstore;
  }

  /** Seconds a run may start late; `null` = no limit. */
  get misfireGraceTime() {
    return this._current().misfireGraceTime;
  }

  /** Whether a backlog of run times runs once. */
  get coalesce() {
    return this._current().coalesce;
  }

  /** Instances allowed to run at once. */
  get maxInstances() {
    return this._current().maxInstances;
  }

  /** The next run time (`null` = paused, or pending before start). */
  get nextRunTime() {
    return toDate(this._current().nextRunTime);
  }

  /** Whether the job was added before `start()` and is not scheduled yet. */
  get pending() {
    return this._current().pending;
  }

  /** The job's trigger (rebuilt from its spec; `toString()` is APScheduler's `str(trigger)`). */
  get trigger() {
    const state = this._current();
    if (this._trigger === undefined) {
      this._trigger = triggerFromSpec(state.trigger, { timezone: this._scheduler.timezone, now: this._scheduler._now() });
    }
    return this._trigger;
  }

  _refresh() {
    this._seen = -1;
    this._current();
    return this;
  }

  /** The job's properties as a plain object (for `JSON.stringify` and logs). */
  toJSON() {
    const { name, funcRef, executor, jobstore, misfireGraceTime, coalesce, maxInstances, nextRunTime, pending } = this;
    return { id: this.id, name, func: funcRef, executor, jobstore, misfireGraceTime, coalesce, maxInstances, nextRunTime, pending };
  }

  /** `modifyJob` on this job; returns this job, updated. */
  modify(changes) {
    this._scheduler.modifyJob(this.id, { ...optionsObject('changes', changes), jobstore: this._alias });
    return this._refresh();
  }

  /** `rescheduleJob` on this job; returns this job, updated. */
  reschedule(trigger, options) {
    this._scheduler.rescheduleJob(this.id, trigger, { ...optionsObject('options', options), jobstore: this._alias });
    return this._refresh();
  }

  /** Pauses this job; returns it. */
  pause() {
    this._scheduler.pauseJob(this.id, this._alias);
    return this._refresh();
  }

  /** Resumes this job; returns it (or `null` when its trigger had no run time left and it was removed). */
  resume() {
    const job = this._scheduler.resumeJob(this.id, this._alias);
    return job === null ? null : this._refresh();
  }

  /** Removes this job. */
  remove() {
    this._scheduler.removeJob(this.id, this._alias);
  }

  /** APScheduler's `str(job)`: `name (trigger: …, next run at: …)`. */
  toString() {
    return this._current().text;
  }
}

/**
 * APScheduler's scheduler for JS: jobs, triggers, job stores, executors and events, driven
 * by one timer (or by an injected clock). See the README for the full API map.
 */
export class Scheduler {
  /** The class's name, kept when the bundle is minified (no keepNames). */
  static name = 'Scheduler';

  /** @param {object} [options] see `configure` */
  constructor(options) {
    this._listeners = [];
    /** Counts changes, so Job objects know when to re-read their state. */
    this._version = 0;
    this._functions = new Map();
    this._live = new Map();
    this._adapters = new Map();
    this._executors = new Map();
    this._locks = new Map();
    this._persist = Promise.resolve(true);
    /** Return values and exceptions of run times, by `${runId} ${scheduledMs}`, until their
     *  executed / error event comes out of the core. */
    this._results = new Map();
    this._processing = false;
    this._again = false;
    this._starting = false;
    this._pending = new Map();
    this._storeKinds = new Map();
    this._shared = new SharedStores(this);
    /** Store failures (`STORE_FAILURE` errors), oldest first: the newest 100 are kept. */
    this.storeErrors = [];
    /** Stored records that could not be loaded (`CORRUPT_RECORD` / `CONFLICTING_ID` errors with
     *  `jobstore` and `key`); they are left untouched in storage. */
    this.loadErrors = [];
    this._logger = defaultLogger;
    this._clock = systemClock;
    this._keepAlive = true;
    this._core = new SchedulerCore({ timezone: 'UTC', seed: 0 });
    this._driver = new Driver(this._clock, this._driverHost());
    this.configure(options);
  }

  _driverHost() {
    const self = this;
    return {
      wakeup: () => self._core.nextWakeup(),
      active: () => self._core.state !== 'stopped',
      due: () => {
        self._process();
      },
      get keepAlive() {
        return self._keepAlive;
      },
      log: (msg) => self._logger.debug?.(`tickwerk: ${msg}`),
      fail: (e) => self._logger.error?.(`tickwerk: the timer's check failed (retrying): ${errorText(e)}`),
    };
  }

  // ----- configuration -----------------------------------------------------------

  /**
   * Configures the scheduler (only while stopped). Options: `timezone` (default: the
   * host's), `jobDefaults: { misfireGraceTime, coalesce, maxInstances }`, `jobstores: {
   * alias: 'memory' | 'localstorage' | 'indexeddb' | { type, … } | { load, apply } }`,
   * `executors: { alias: 'default' | 'worker' | { type, maxWorkers } }`, `functions: {
   * name: fn }`, `logger` (console-like), `clock: { now, setTimer, clearTimer }`,
   * `keepAlive` (Node: keep the process alive while running; default true), `seed`. Flat
   * `'tickwerk.…'`/`'apscheduler.…'` keys with string values work too. As in APScheduler,
   * each call replaces the stores and executors; pending jobs stay.
   */
  configure(options) {
    if (this._core.state !== 'stopped' || this._starting) {
      throw new TickwerkError('SCHEDULER_ALREADY_RUNNING', 'the scheduler is already running (configure it before start)');
    }
    const { host, core } = readOptions(options);
    const adapters = new Map();
    const coreStores = {};
    for (const [alias, spec] of host.jobstores) {
      const { kind, adapter } = createStore(`jobstores.${alias}`, alias, spec);
      coreStores[alias] = { type: adapter ? kind || 'custom' : 'memory' };
      if (adapter) adapters.set(alias, adapter);
      this._storeKinds.set(alias, coreStores[alias].type);
    }
    const executors = new Map();
    const coreExecutors = {};
    for (const [alias, spec] of host.executors) {
      const ex = createExecutor(`executors.${alias}`, spec);
      executors.set(alias, ex);
      const { type, maxWorkers } = executorShape(`executors.${alias}`, ex);
      // APScheduler's text form ('3') read here, once: the core takes an integer.
      coreExecutors[alias] = { type, ...(maxWorkers !== undefined ? { maxWorkers: typeof maxWorkers === 'string' ? asInt(`executors.${alias}`, maxWorkers) : maxWorkers } : {}) };
    }
    this._core.configure({ ...core, jobstores: coreStores, executors: coreExecutors });
    this._adapters = adapters;
    this._executors = executors;
    if (host.logger !== undefined) this._logger = host.logger;
    if (host.clock !== undefined) {
      this._clock = host.clock;
      this._driver = new Driver(this._clock, this._driverHost());
    }
    if (host.keepAlive !== undefined) this._keepAlive = host.keepAlive;
    if (host.functions) for (const [name, fn] of host.functions) this._functions.set(name, fn);
    this._flush();
  }

  /** Registers `fn` under `name`: jobs (and persistent job records) name functions by key. */
  registerFunction(name, fn) {
    if (typeof name !== 'string' || name === '') throw invalid('name', name, 'a function key must be a non-empty string');
    if (typeof fn !== 'function') throw invalid('fn', fn, 'must be a function');
    this._functions.set(name, fn);
  }

  /** `'stopped'`, `'running'` or `'paused'`. */
  get state() {
    return this._core.state;
  }

  /** Whether the scheduler was started (running or paused). */
  get running() {
    return this._core.state !== 'stopped';
  }

  /**
   * This scheduler's role in its shared job stores (docs/shared-stores.md): `'follower'`
   * while it follows any of them (another scheduler runs that store's jobs), else
   * `'leader'` (also with no shared store: it runs all its jobs); `null` while stopped.
   */
  get role() {
    if (!this.running) return null;
    return Object.values(this._shared.snapshot()).includes(ROLE_FOLLOWER) ? ROLE_FOLLOWER : ROLE_LEADER;
  }

  /** The role per shared job store, `{ alias: 'leader' | 'follower' }` (`{}` while stopped
   *  or without shared stores). */
  get roles() {
    return this._shared.snapshot();
  }

  /** The scheduler's zone name. */
  get timezone() {
    return this._core.timezone;
  }

  _now() {
    const now = this._clock.now();
    if (typeof now !== 'number' || !Number.isFinite(now)) throw invalid('clock.now()', now, 'must return epoch milliseconds');
    return now;
  }

  // ----- lifecycle ---------------------------------------------------------------

  /**
   * Starts the scheduler: joins the election of every shared store (`coordinate`: it leads
   * or follows it, see `role`) and takes the single-owner lock of the other persistent
   * stores (Web Locks, where available), loads their records (unreadable ones are reported
   * in `loadErrors` and left in place), schedules the pending jobs and arms the timer.
   * Resolves when running. `{ paused: true }` starts paused.
   */
  async start(options) {
    const paused = flag('paused', optionsOf('options', options, ['paused']).paused, false);
    if (this._core.state !== 'stopped' || this._starting) {
      throw new TickwerkError('SCHEDULER_ALREADY_RUNNING', 'the scheduler is already running');
    }
    this._starting = true;
    let opened;
    const gate = new Promise((resolve) => {
      opened = resolve;
    });
    try {
      // All IO first (elections, locks, reads): a failure leaves the core untouched.
      const loaded = [];
      for (const [alias, adapter] of this._adapters) loaded.push([alias, await this._readStore(alias, adapter, gate)]);
      for (const [alias, entries] of loaded) this._loadInto(alias, entries);
      try {
        this._core.start(this._now(), Boolean(paused));
      } catch (e) {
        // E.g. a pending job's id is taken by a stored one: unload what was loaded, so a
        // retry starts from the same state (the records are still in storage).
        for (const [alias] of loaded) {
          this._core.removeJobstore(alias);
          this._core.addJobstore(alias, this._storeKinds.get(alias) ?? 'custom');
        }
        this._core.drainOutput();
        throw e;
      }
      this._pending.clear();
      this._logger.info?.(`tickwerk: scheduler started${paused ? ' (paused)' : ''}`);
    } catch (e) {
      this._leaveElections();
      this._releaseLocks();
      throw e;
    } finally {
      this._starting = false;
      opened();
    }
    this._driver.listen();
    this._flush();
    for (const [alias, role] of Object.entries(this._shared.snapshot())) this._roleChanged(alias, role);
  }

  /** Leaves every shared store's election (their adapters' `close()`). */
  _leaveElections() {
    for (const alias of Object.keys(this._shared.snapshot())) {
      const adapter = this._adapters.get(alias);
      this._shared.forget(alias);
      if (adapter) this._closeStore(adapter);
    }
  }

  /** Delivers EVENT_ROLE_CHANGED for `jobstore` (and re-arms: a new leader has jobs due). */
  _roleChanged(jobstore, role) {
    this._version += 1;
    this._deliver(new SchedulerEvent({ code: EVENT_ROLE_CHANGED, name: 'EVENT_ROLE_CHANGED', alias: jobstore, jobstore, role }));
  }

  /** Joins a shared store's election (`gate`: when its reactions may begin) — a follower's
   *  store is a mirror, never due — or takes another store's single-owner lock (Web Locks,
   *  where the runtime has them), then reads its entries. Without Web Locks (Node, older
   *  browsers) one scheduler per unshared store is the caller's rule to keep (semantics
   *  §5.1: APScheduler's stores are never shared). */
  async _readStore(alias, adapter, gate) {
    if (isSharedAdapter(adapter)) {
      const role = await this._shared.join(alias, adapter, gate);
      const entries = await this._readEntries(alias, adapter);
      this._core.setStoreLeading(alias, role === ROLE_LEADER);
      if (role === ROLE_FOLLOWER) this._shared.rememberBases(alias, entries);
      return entries;
    }
    if (adapter.lockName && globalThis.navigator?.locks?.request && !this._locks.has(alias)) {
      const release = await acquireLock(adapter.lockName);
      if (!release) {
        throw new TickwerkError('STORE_FAILURE', `job store ${JSON.stringify(alias)} is driven by another scheduler (lock ${adapter.lockName} is held, e.g. by another tab)`, {
          field: 'jobstore',
          value: alias,
        });
      }
      this._locks.set(alias, release);
    }
    return this._readEntries(alias, adapter);
  }

  /** A store's `load()`, checked: an array of records and CorruptEntries. */
  async _readEntries(alias, adapter) {
    let entries;
    try {
      entries = await adapter.load();
    } catch (e) {
      throw isTickwerkError(e) ? e : new TickwerkError('STORE_FAILURE', `job store ${JSON.stringify(alias)} load failed: ${errorText(e)}`, { cause: e });
    }
    if (!Array.isArray(entries)) throw new TickwerkError('STORE_FAILURE', `job store ${JSON.stringify(alias)}: load() must resolve to an array of records`);
    return entries;
  }

  /** Hands a store's records to the core; unreadable ones are reported and left in place.
   *  `{ replace: true }` (a shared store reloaded): the store's jobs become these records,
   *  and a problem already in `loadErrors` is not reported again. */
  _loadInto(alias, entries, { replace = false } = {}) {
    const records = [];
    const held = [];
    for (const entry of entries) {
      if (isCorrupt(entry)) {
        const error = new TickwerkError('CORRUPT_RECORD', `stored job record ${JSON.stringify(entry.key)} cannot be decoded: ${entry.reason}`, { field: 'id', value: entry.key });
        error.index = entries.indexOf(entry);
        error.id = entry.id;
        this._reportLoad(alias, error, entry.key, replace);
        if (typeof entry.id === 'string' && entry.id !== '') held.push(entry.id);
      } else {
        records.push(entry);
      }
    }
    const problems = replace ? this._core.replaceJobs(alias, records, this._now()) : this._core.loadJobs(alias, records, this._now());
    // Unreadable entries' ids stay taken (adding a job with one needs replaceExisting: never a
    // silent overwrite). After the load: replaceJobs resets the store's holds to what it finds.
    for (const id of held) this._core.holdUnreadableId(alias, id);
    for (const p of problems) {
      const error = new TickwerkError(p.code, p.message, { field: 'id', value: p.id ?? null });
      // Where the record sits in what load() returned, and its id when it has a readable one.
      error.index = entries.indexOf(records[p.index]);
      error.id = p.id;
      // A record without a readable id is keyed by its place in what load() returned.
      this._reportLoad(alias, error, p.id ?? `#${error.index}`, replace);
    }
    this._logger.debug?.(`tickwerk: job store ${alias}: ${records.length - problems.length} jobs loaded, ${problems.length + entries.length - records.length} unreadable`);
  }

  _reportLoad(alias, error, recordKey, again = false) {
    if (again && this.loadErrors.some((e) => e.jobstore === alias && e.key === recordKey && e.message === error.message)) return;
    error.jobstore = alias;
    error.key = recordKey;
    this.loadErrors.push(error);
    this._logger.error?.(`tickwerk: job store ${alias}: ${error.message} (left in place)`);
  }

  _releaseLocks(alias) {
    for (const [a, release] of this._locks) {
      if (alias === undefined || a === alias) {
        release();
        this._locks.delete(a);
      }
    }
  }

  /**
   * Shuts down: no more runs are started. `{ wait: true }` (the default) resolves once the
   * running jobs have finished — or after `timeout` ms, or when `signal` (an AbortSignal)
   * aborts, whichever comes first (jobs still running then are left to finish on their
   * own, and a warning is logged). Memory stores are emptied (APScheduler); persistent
   * stores keep their records for the next start, and it resolves once their `close()`
   * (releasing a shared store's lock or lease) resolved. A second call while the first is still
   * shutting down resolves when the first one does; once stopped, `SCHEDULER_NOT_RUNNING`.
   */
  async shutdown(options) {
    const opts = optionsOf('options', options, ['wait', 'timeout', 'signal']);
    const wait = flag('wait', opts.wait, true);
    const { timeout, signal } = opts;
    if (timeout !== undefined && !(typeof timeout === 'number' && timeout >= 0 && timeout <= MAX_SHUTDOWN_TIMEOUT)) {
      throw invalid('timeout', timeout, `must be milliseconds from 0 to ${MAX_SHUTDOWN_TIMEOUT}`);
    }
    if (signal !== undefined && !isAbortSignal(signal)) throw invalid('signal', signal, 'expected an AbortSignal');
    if (this._stopping) return this._stopping;
    if (this._core.state === 'stopped') throw new TickwerkError('SCHEDULER_NOT_RUNNING', 'the scheduler is not running');
    this._core.shutdown();
    this._driver.stop();
    this._live.clear();
    this._flush();
    this._stopping = this._finishShutdown(wait, timeout, signal).finally(() => {
      this._stopping = undefined;
    });
    return this._stopping;
  }

  async _finishShutdown(wait, timeout, signal) {
    const drained = Promise.all([...this._executors.values()].map((e) => this._stopExecutor(e, wait)));
    if (wait && (timeout !== undefined || signal !== undefined)) {
      let handle;
      let onAbort;
      const cut = new Promise((resolve) => {
        if (timeout !== undefined) handle = this._clock.setTimer(() => resolve('timeout'), timeout);
        if (signal !== undefined) {
          onAbort = () => resolve('abort');
          if (signal.aborted) onAbort();
          else signal.addEventListener('abort', onAbort, { once: true });
        }
      });
      const why = await Promise.race([drained.then(() => undefined), cut]);
      if (handle !== undefined) this._clock.clearTimer(handle);
      if (onAbort) signal.removeEventListener('abort', onAbort);
      if (why) this._logger.warn?.(`tickwerk: shutdown stopped waiting for running jobs (${why === 'timeout' ? `timeout of ${timeout} ms` : 'aborted'}); they finish on their own`);
    } else {
      await drained;
    }
    await this._persist;
    for (const alias of Object.keys(this._shared.snapshot())) this._shared.forget(alias);
    // Shared stores release their lock or lease in close(): shutdown resolves once they did
    // (a process that exits right after it then hands over at once), but waits at most
    // CLOSE_WAIT_MS for a close() that hangs.
    const closed = Promise.all([...this._adapters.values()].map((a) => this._closeStore(a)));
    let cap;
    const slow = new Promise((resolve) => {
      cap = setTimeout(() => resolve(true), CLOSE_WAIT_MS);
    });
    if (await Promise.race([closed.then(() => false), slow])) this._logger.warn?.(`tickwerk: a job store's close() did not finish within ${CLOSE_WAIT_MS} ms; shutdown goes on`);
    clearTimeout(cap);
    this._releaseLocks();
    this._logger.info?.('tickwerk: scheduler shut down');
  }

  /** Pauses job processing (jobs are kept; runs that fall due wait for `resume`). */
  pause() {
    this._core.pause();
    this._flush();
  }

  /** Resumes job processing. */
  resume() {
    this._core.resume();
    this._flush();
  }

  /** Asks for a processing pass as soon as possible. */
  wakeup() {
    this._core.wakeup();
    this._flush();
  }

  // ----- jobs --------------------------------------------------------------------

  _resolveFunc(func, persistent, field = 'func') {
    if (typeof func === 'string') {
      if (func === '') throw invalid(field, func, 'must not be empty');
      if (!this._functions.has(func) && !func.includes('#')) {
        throw invalid(field, func, 'no function registered under this name (registerFunction or the functions option)');
      }
      return { ref: func, fn: func };
    }
    if (typeof func !== 'function') throw invalid(field, func, 'expected a function or a registered function name');
    let ref;
    for (const [name, fn] of this._functions) {
      if (fn === func) {
        ref = name;
        break;
      }
    }
    if (ref === undefined && persistent) {
      throw unserializable(field, `the function ${describeFunc(func)} is not registered: a persistent job store keeps functions by name (registerFunction)`);
    }
    return { ref: ref ?? (functionName(func) || 'anonymous'), fn: func };
  }

  /** A `'<module URL>#<export>'` reference must be on its worker executor's allow-list
   *  (checked again when it runs, for executors added later and for stored records). */
  _checkModuleRef(ref, executorAlias) {
    const ex = this._executors.get(executorAlias);
    if (this._functions.has(ref) || !ex) return;
    if (typeof ex.allows !== 'function') {
      throw invalid('func', ref, `no function registered under this name, and executor ${JSON.stringify(executorAlias)} runs registered functions only`);
    }
    if (!ex.allows(ref)) throw invalid('func', ref, `the module is not in the allow-list of worker executor ${JSON.stringify(executorAlias)} (its modules option)`);
  }

  _storeAlias(jobstore) {
    if (jobstore === undefined || jobstore === null) return 'default';
    if (typeof jobstore !== 'string') throw invalid('jobstore', jobstore, 'must be a string');
    return jobstore;
  }

  /**
   * Adds a job. `trigger`: an alias (`'date'`, `'interval'`, `'cron'`) whose arguments go in
   * `options` beside the job options, a trigger instance, or nothing (run once, now).
   * Job options: `id, name, args, kwargs, misfireGraceTime, coalesce, maxInstances,
   * nextRunTime, jobstore, executor, replaceExisting`; any other key belongs to the trigger
   * and an unknown one is an error. Before `start()` the job is pending. Returns the Job.
   */
  addJob(func, trigger, options) {
    if (options === undefined && trigger !== null && typeof trigger === 'object' && !isTrigger(trigger) && !isForeignTrigger(trigger)) {
      options = trigger;
      trigger = undefined;
    }
    const given = optionsObject('options', options);
    const { job, trigger: targs } = splitOptions(given);
    const alias = this._storeAlias(job.jobstore);
    const persistent = this._adapters.has(alias);
    const { ref, fn } = this._resolveFunc(func, persistent);
    if (typeof fn === 'string') this._checkModuleRef(ref, job.executor ?? 'default');
    const { spec, built } = triggerArgument(trigger, targs);
    const args = readArgs('args', job.args);
    const kwargs = readKwargs('kwargs', job.kwargs);
    const coreOpts = {
      func: ref,
      trigger: spec,
      args: persistent ? jsonCopy('args', args) : [],
      kwargs: persistent ? jsonCopy('kwargs', kwargs) : {},
      id: job.id,
      name: job.name,
      misfireGraceTime: job.misfireGraceTime,
      coalesce: job.coalesce,
      maxInstances: job.maxInstances,
      jobstore: alias,
      executor: job.executor,
      replaceExisting: job.replaceExisting,
    };
    if ('nextRunTime' in job) coreOpts.nextRunTime = dateOption('nextRunTime', job.nextRunTime);
    if (job.id !== undefined && typeof job.id !== 'string') throw invalid('id', job.id, 'must be a string');
    let id;
    try {
      id = this._core.addJob(coreOpts, this._now(), built);
    } catch (e) {
      throw inCallerSpelling(e, Object.keys(given));
    }
    // Memory store: the function and arguments stay JS values (copied, as APScheduler keeps a
    // tuple and a dict of its own).
    if (!persistent) this._live.set(key(alias, id), { func: fn, args, kwargs, alias });
    if (!this.running) this._pending.set(id, alias);
    this._logger.debug?.(`tickwerk: added job ${id} (${describeFunc(func)}) to ${alias}${this.running ? '' : ' (pending until start)'}`);
    this._flush();
    return this._jobObject(this._coreJob(id, alias), alias);
  }

  /**
   * Decorator-style helper (APScheduler's `scheduled_job`): returns a function that adds
   * its argument as a job (with `replaceExisting: true`) and returns it unchanged.
   */
  scheduledJob(trigger, options) {
    return (func) => {
      this.addJob(func, trigger, { ...optionsObject('options', options), replaceExisting: true });
      return func;
    };
  }

  _coreJob(id, jobstore) {
    if (typeof id !== 'string') throw invalid('id', id, 'a job id is a string');
    const stopped = this._core.state === 'stopped';
    return this._core.getJob(id, stopped ? undefined : jobstore ?? undefined) ?? undefined;
  }

  _jobObject(core, alias) {
    if (!core) return null;
    const a = core.jobstore ?? this._pending.get(core.id) ?? alias ?? 'default';
    return new Job(this, core, { ...this._live.get(key(a, core.id)), alias: a });
  }

  /** The store alias of job `id` (its pending target while stopped). */
  _aliasOf(id, jobstore) {
    if (jobstore !== undefined && jobstore !== null) return jobstore;
    const j = this._coreJob(id, undefined);
    if (!j) throw formattedError('JOB_NOT_FOUND', { field: 'id', value: id });
    return j.jobstore ?? this._pending.get(id) ?? 'default';
  }

  /**
   * Changes a job's options (anything but its id): `name, func, args, kwargs, trigger`
   * (a trigger instance; the next run time is kept, as in APScheduler), `executor,
   * misfireGraceTime, coalesce, maxInstances, nextRunTime` (`null` pauses). `jobstore`
   * selects the store to look in. Returns the Job.
   */
  modifyJob(jobId, changes) {
    checkId(jobId);
    const { jobstore, ...rest } = optionsObject('changes', changes);
    checkStore(jobstore);
    const alias = this._aliasOf(jobId, jobstore);
    const persistent = this._adapters.has(alias);
    const core = {};
    const live = { ...(this._live.get(key(alias, jobId)) ?? { alias }) };
    let built;
    for (const [given, v] of ownEntries('changes', rest)) {
      if (v === undefined) continue;
      const k = jobOptionName(given);
      if (k === 'func') {
        const { ref, fn } = this._resolveFunc(v, persistent);
        core.func = ref;
        live.func = fn;
      } else if (k === 'args' || k === 'kwargs') {
        const copy = k === 'args' ? readArgs(k, v) : readKwargs(k, v);
        if (persistent) core[k] = jsonCopy(k, copy);
        live[k] = copy;
      } else if (k === 'trigger') {
        ({ spec: core.trigger, built } = triggerArgument(v, {}));
      } else if (k === 'nextRunTime') {
        core.nextRunTime = dateOption(given, v);
      } else {
        core[k] = typedJobOption(k, given, v);
      }
    }
    try {
      this._core.modifyJob(jobId, jobstore ?? undefined, core, this._now(), built);
    } catch (e) {
      throw inCallerSpelling(e, Object.keys(rest));
    }
    if (!persistent && this._live.has(key(alias, jobId))) this._live.set(key(alias, jobId), live);
    this._flush();
    return this._jobObject(this._coreJob(jobId, alias), alias);
  }

  /**
   * Replaces a job's trigger (alias + arguments in `options`, or an instance) and sets its
   * next run time from it. `options.jobstore` selects the store. Returns the Job.
   */
  rescheduleJob(jobId, trigger, options) {
    if (options === undefined && trigger !== null && typeof trigger === 'object' && !isTrigger(trigger) && !isForeignTrigger(trigger)) {
      options = trigger;
      trigger = undefined;
    }
    checkId(jobId);
    const { jobstore, ...rest } = optionsObject('options', options);
    checkStore(jobstore);
    const { spec, built } = triggerArgument(trigger, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)));
    try {
      this._core.rescheduleJob(jobId, jobstore ?? undefined, built ?? spec, this._now());
    } catch (e) {
      throw inCallerSpelling(e, Object.keys(rest));
    }
    this._flush();
    return this._jobObject(this._coreJob(jobId, jobstore), jobstore);
  }

  /** Pauses a job (it keeps its place; `resumeJob` recomputes its next run time). */
  pauseJob(jobId, jobstore) {
    this._core.pauseJob(jobId, jobstore ?? undefined);
    this._flush();
    return this._jobObject(this._coreJob(jobId, jobstore), jobstore);
  }

  /** Resumes a job from now (missed runs are not replayed). Returns the Job, or `null` when
   *  its trigger has no run time left (the job is then removed, as in APScheduler). */
  resumeJob(jobId, jobstore) {
    const kept = this._core.resumeJob(jobId, jobstore ?? undefined, this._now());
    this._flush();
    return kept ? this._jobObject(this._coreJob(jobId, jobstore), jobstore) : null;
  }

  /** Removes a job (`JOB_NOT_FOUND` if there is none). */
  removeJob(jobId, jobstore) {
    this._core.removeJob(jobId, jobstore ?? undefined);
    this._flush();
  }

  /** Removes every job of `jobstore`, or of every store. */
  removeAllJobs(jobstore) {
    this._core.removeAllJobs(jobstore ?? undefined);
    this._flush();
  }

  /** The job `jobId` (in `jobstore`, or the first store that has it), or `null`. */
  getJob(jobId, jobstore) {
    return this._jobObject(this._coreJob(jobId, jobstore), jobstore);
  }

  /** The jobs of `jobstore` (or all), by next run time then id, paused last; pending jobs
   *  (in the order added) while stopped. */
  getJobs(jobstore) {
    return this._core.getJobs(jobstore ?? undefined).map((j) => this._jobObject(j, j.jobstore ?? undefined));
  }

  /**
   * APScheduler's `print_jobs()`: returns the text and writes it to `out` (a function, or an
   * object with `write`), or to `console.log` when no `out` is given.
   */
  printJobs(jobstore, options) {
    const { out } = optionsOf('options', options, ['out']);
    const text = this._core.printJobs(jobstore ?? undefined);
    const write = typeof out === 'function' ? out : out && typeof member('out.write', out, 'write') === 'function' ? (t) => out.write(t) : undefined;
    if (write === undefined) console.log(text.replace(/\n$/, ''));
    else {
      try {
        write(text);
      } catch (e) {
        throw invalid('out', out, `threw (${errorText(e)})`);
      }
    }
    return text;
  }

  // ----- listeners ---------------------------------------------------------------

  /** Calls `fn(event)` for every event whose code matches `mask` (default `EVENT_ALL`). */
  addListener(fn, mask = EVENT_ALL) {
    if (typeof fn !== 'function') throw invalid('callback', fn, 'must be a function');
    if (!Number.isInteger(mask)) throw invalid('mask', mask, 'must be an integer of OR-ed EVENT_* codes');
    this._listeners.push({ fn, mask });
  }

  /** Removes every registration of `fn`. */
  removeListener(fn) {
    this._listeners = this._listeners.filter((l) => l.fn !== fn);
  }

  // ----- stores and executors ----------------------------------------------------

  /**
   * Adds a job store under `alias`: `'memory'`, `'localstorage'`, `'indexeddb'`, `{ type,
   * … }` or an adapter `{ load, apply }`. While running, a persistent store is locked (a
   * shared one: its election joined) and its records loaded before this resolves.
   */
  async addJobstore(store, alias = 'default') {
    const { kind, adapter } = createStore('jobstore', alias, store);
    this._core.addJobstore(alias, adapter ? kind || 'custom' : 'memory');
    this._storeKinds.set(alias, adapter ? kind || 'custom' : 'memory');
    if (adapter) {
      this._adapters.set(alias, adapter);
      if (this.running) {
        let opened;
        const gate = new Promise((resolve) => {
          opened = resolve;
        });
        try {
          this._loadInto(alias, await this._readStore(alias, adapter, gate));
        } catch (e) {
          if (this._shared.has(alias)) {
            this._shared.forget(alias);
            this._closeStore(adapter);
          }
          this._core.removeJobstore(alias);
          this._adapters.delete(alias);
          this._flush();
          throw e;
        } finally {
          opened();
        }
      }
    }
    this._flush();
    const role = this._shared.roles.get(alias);
    if (role) this._roleChanged(alias, role);
  }

  /** Removes a job store (a persistent store's records stay in storage). */
  removeJobstore(alias) {
    this._core.removeJobstore(alias);
    const adapter = this._adapters.get(alias);
    this._adapters.delete(alias);
    this._shared.forget(alias);
    if (adapter) this._closeStore(adapter);
    this._releaseLocks(alias);
    for (const [k, entry] of this._live) if (entry.alias === alias) this._live.delete(k);
    this._flush();
  }

  /** Adds an executor: `'default'`, `'worker'`, `{ type, maxWorkers }` or an executor object. */
  addExecutor(executor, alias = 'default') {
    const ex = createExecutor('executor', executor);
    const { type, maxWorkers } = executorShape('executor', ex);
    this._core.addExecutor(alias, type, maxWorkers);
    this._executors.set(alias, ex);
    this._flush();
  }

  /** Removes an executor; jobs naming it are removed when they next fall due (APScheduler).
   *  Resolves when its running jobs finished (`{ wait: false }`: at once). */
  async removeExecutor(alias, options) {
    const wait = flag('wait', optionsOf('options', options, ['wait']).wait, true);
    this._core.removeExecutor(alias);
    const ex = this._executors.get(alias);
    this._executors.delete(alias);
    this._flush();
    if (ex) await this._stopExecutor(ex, wait);
  }

  /** An executor's `shutdown(wait)`; what a custom executor throws is logged, not thrown. */
  async _stopExecutor(executor, wait) {
    try {
      await executor.shutdown(wait);
    } catch (e) {
      this._logger.error?.(`tickwerk: an executor's shutdown failed: ${errorText(e)}`);
    }
  }

  /** A store adapter's optional `close()`; what it throws is logged, not thrown. */
  _closeStore(adapter) {
    const failed = (e) => this._logger.error?.(`tickwerk: a job store's close() failed: ${errorText(e)}`);
    try {
      return Promise.resolve(adapter.close?.()).then(undefined, failed);
    } catch (e) {
      failed(e);
      return Promise.resolve();
    }
  }

  _executor(alias) {
    let ex = this._executors.get(alias);
    if (!ex && alias === 'default') {
      // The core adds the `default` executor at start when none was configured.
      ex = createExecutor('executors.default', 'default');
      this._executors.set('default', ex);
    }
    return ex;
  }

  // ----- the loop ----------------------------------------------------------------

  /** Takes the core's outputs after any call (see _drain), then re-arms the timer.
   *  Resolves when the store ops taken are persisted: `{ ok, lost }` (see _persistBatches). */
  _flush(consumed) {
    this._version += 1;
    const persisted = this._drain(consumed);
    if (!this._processing) this._driver.arm();
    return persisted;
  }

  /**
   * The one loop over the core's ordered output (`drainOutput`): a store batch joins the
   * pending batches (per store: consecutive ones merge, as one `apply`); an event goes to the
   * listeners at once; a run first sends the pending batches down the persist chain and is
   * handed to its executor only once that step resolved OK (else EVENT_JOB_ERROR with the
   * STORE_FAILURE; on LEASE_LOST it is not started). The core queues a run after the store
   * ops of its job, so no run starts before its next run time is stored. `consumed`
   * (`{ alias, consumed: keys }`, a leader's taken changes) goes with that store's batch.
   * Resolves when every batch taken here is persisted, to `{ ok, lost }`.
   */
  _drain(consumed) {
    let batches = [];
    let step;
    const outputs = this._core.drainOutput();
    // Each run's function and arguments are resolved first, as the core handed it out (a run
    // of a job whose trigger ran out comes after the job's EVENT_JOB_REMOVED, which drops
    // the job's JS-side function).
    const prepared = new Map();
    for (const out of outputs) if (out.kind === 'run') prepared.set(out.run.id, this._prepare(out.run));
    if (prepared.size > 0 && this._tickedAt !== undefined) {
      const ids = [...prepared.values()].map((p) => p.run.jobId).join(', ');
      this._logger.debug?.(`tickwerk: ${prepared.size} run(s) due at ${new Date(this._tickedAt).toISOString()}: ${ids}`);
    }
    // Events after a run wait for that run's persist step (the queue's order: a run's
    // EVENT_JOB_SUBMITTED is told once its run time is recorded and the run handed over).
    let waiting;
    for (const out of outputs) {
      if (out.kind === 'storeOps') {
        const last = batches.at(-1);
        if (last?.alias === out.jobstore) last.ops.push(...out.ops);
        else batches.push({ alias: out.jobstore, ops: out.ops });
      } else if (out.kind === 'event') {
        if (waiting) {
          const { event } = out;
          waiting.then(() => this._coreEvent(event));
        } else {
          this._coreEvent(out.event);
        }
      } else {
        if (batches.length > 0) {
          step = this._persistBatches(batches);
          batches = [];
        }
        waiting = step ?? this._persisted();
        this._startAfter(waiting, prepared.get(out.run.id));
      }
    }
    if (consumed) {
      let own = batches.findLast((b) => b.alias === consumed.alias);
      if (!own) batches.push((own = { alias: consumed.alias, ops: [] }));
      own.consumed = consumed.consumed;
    }
    if (batches.length > 0) step = this._persistBatches(batches);
    return step ?? this._persisted();
  }

  /** The persist chain as it stands, as a step that stored nothing: `{ ok: true }`. */
  _persisted() {
    return this._persist.then(() => ({ ok: true, lost: new Set() }));
  }

  /**
   * Appends `batches` to the persist chain: per store, a batch for `apply`, or — for a
   * shared store this scheduler follows — changes for `submit`. Resolves to `{ ok, lost }`:
   * whether every batch stuck, and the stores whose batch was refused with LEASE_LOST (this
   * scheduler steps down there; not a failure).
   */
  _persistBatches(batches) {
    for (const b of batches) if (this._shared.following(b.alias)) b.changes = this._shared.toChanges(b.alias, b.ops);
    this._persist = this._persist.then(async () => {
      let ok = true;
      const lost = new Set();
      for (const b of batches) {
        const adapter = this._adapters.get(b.alias);
        if (!adapter) continue;
        try {
          if (b.changes) await this._submit(b.alias, adapter, b.changes);
          else if (b.consumed) await adapter.apply(b.ops, b.consumed);
          else await adapter.apply(b.ops);
        } catch (e) {
          if (this._shared.has(b.alias) && isLeaseLost(e)) {
            lost.add(b.alias);
            this._logger.warn?.(`tickwerk: job store ${b.alias}: leadership lost (${errorText(e)}); stepping down`);
            this._shared.lost(b.alias);
            continue;
          }
          ok = false;
          this._storeFailed(isTickwerkError(e) ? e : new TickwerkError('STORE_FAILURE', `job store ${JSON.stringify(b.alias)} failed: ${errorText(e)}`, { cause: e }));
        }
      }
      return { ok, lost };
    });
    return this._persist;
  }

  /** Hands the prepared run `p` to its executor once the persist step `stored` resolved
   *  (see _drain). */
  _startAfter(stored, p) {
    const { run } = p;
    stored.then(({ ok, lost }) => {
      if (lost.has(run.jobstore)) {
        // This scheduler no longer leads the store: the new leader owns these run times
        // (not started, not an error).
        this._core.finishRun(run.id);
        return;
      }
      if (!ok) {
        // Not run (its next run time is not recorded, so a restart could run it again):
        // every run time is reported as EVENT_JOB_ERROR with the STORE_FAILURE.
        const refused = new TickwerkError('STORE_FAILURE', `job ${JSON.stringify(run.jobId)} not run: its job store ${JSON.stringify(run.jobstore)} could not record its next run time`, { field: 'jobstore', value: run.jobstore });
        this._runInstance({ call: () => Promise.reject(refused) }, p);
        return;
      }
      const ex = this._executor(run.executor);
      if (!ex) {
        this._core.finishRun(run.id);
        return;
      }
      try {
        ex.submit(() => this._runInstance(ex, p));
      } catch (e) {
        // An executor that refuses the task (a custom one throwing): the run times are
        // reported as EVENT_JOB_ERROR with what it threw, and the run ends.
        this._logger.error?.(`tickwerk: executor ${JSON.stringify(run.executor)} refused job ${JSON.stringify(run.jobId)}: ${errorText(e)}`);
        this._runInstance({ call: () => Promise.reject(e) }, p);
      }
    });
  }

  /** A follower's changes to the store's queue; if this scheduler became the leader in the
   *  meantime, it takes them itself (nobody else will be told). */
  async _submit(alias, adapter, changes) {
    if (changes.length === 0) return;
    await adapter.submit(changes);
    if (this._shared.has(alias) && !this._shared.following(alias)) this._shared.react(alias, () => this._shared.takeChanges(alias));
  }

  /** Records a store failure in `storeErrors` (the newest STORE_ERRORS_KEPT) and logs it. */
  _storeFailed(err) {
    this.storeErrors.push(err);
    if (this.storeErrors.length > STORE_ERRORS_KEPT) this.storeErrors.splice(0, this.storeErrors.length - STORE_ERRORS_KEPT);
    this._logger.error?.(`tickwerk: ${err.message}`);
  }

  /** One core event to the listeners; an executed or error event gets the return value or
   *  exception this driver kept for its run and time (the core keeps neither). */
  _coreEvent(raw) {
    const event = new SchedulerEvent(raw);
    if (raw.runId !== undefined) {
      const k = `${raw.runId} ${raw.scheduledRunTime}`;
      const kept = this._results.get(k);
      if (kept) {
        this._results.delete(k);
        Object.assign(event, kept);
      }
    }
    this._track(event);
    this._deliver(event);
  }

  /** Hands one event to the listeners whose mask matches it. */
  _deliver(event) {
    this._logger.debug?.(`tickwerk: event ${event}`);
    for (const { fn, mask } of this._listeners.slice()) {
      if ((event.code & mask) === 0) continue;
      try {
        fn(event);
      } catch (e) {
        this._logger.error?.(`tickwerk: error notifying listener of ${event.name}: ${stackOf(e) ?? errorText(e)}`);
      }
    }
  }

  /** Keeps the JS-side functions and arguments of memory-store jobs in step with removals. */
  _track(event) {
    if (event.name === 'EVENT_JOB_REMOVED') {
      this._live.delete(key(event.jobstore ?? 'default', event.jobId));
    } else if (event.name === 'EVENT_ALL_JOBS_REMOVED') {
      for (const [k, entry] of this._live) if (event.alias === null || entry.alias === event.alias) this._live.delete(k);
    }
  }

  /** One processing pass: tick, then the loop over the core's output (_drain): persist,
   *  deliver events, hand runs to executors once what precedes them is stored. */
  async _process() {
    if (this._processing) {
      this._again = true;
      return;
    }
    this._processing = true;
    try {
      do {
        this._again = false;
        const now = this._now();
        this._core.tick(now);
        this._version += 1;
        this._tickedAt = now;
        const drained = this._drain();
        this._tickedAt = undefined;
        await drained;
      } while (this._again);
    } catch (e) {
      this._logger.error?.(`tickwerk: processing failed: ${stackOf(e) ?? errorText(e)}`);
    } finally {
      this._processing = false;
      this._driver.arm();
    }
  }

  _prepare(run) {
    const live = this._live.get(key(run.jobstore, run.jobId));
    const ref = run.func;
    let func = live?.func ?? ref;
    if (typeof func === 'string') func = this._functions.get(func);
    const args = live?.args ?? run.args ?? [];
    const kwargs = live?.kwargs ?? run.kwargs ?? {};
    const callArgs = kwargs && Object.keys(kwargs).length > 0 ? [...args, kwargs] : [...args];
    return { run, func, funcRef: typeof live?.func === 'string' ? live.func : ref, args, kwargs, callArgs };
  }

  /** Runs one job instance: each run time is started (misfire-checked by the core) when
   *  the executor gets to it, then the function is called and its result reported. */
  async _runInstance(executor, p) {
    const id = p.run.id;
    let steps = 0;
    try {
      for (;;) {
        // A long backlog (a job that does not coalesce, after a long sleep) is drained one
        // run time at a time; let the event loop breathe every so often.
        steps += 1;
        if (steps % 256 === 0) await yieldToLoop();
        const start = this._core.startRunTime(id, this._now());
        if (start === undefined) break;
        const t = start.scheduledRunTime;
        if (start.action === 'missed') {
          this._logger.warn?.(`tickwerk: run time of job ${p.run.jobId} was missed by ${Math.round(this._now() - t)} ms`);
          this._drain();
          continue;
        }
        this._logger.debug?.(`tickwerk: running job ${p.run.jobId} (scheduled at ${new Date(Math.floor(t)).toISOString()})`);
        let value;
        let failure;
        let failed = false;
        try {
          value = await executor.call(p);
        } catch (e) {
          failed = true;
          failure = e;
        }
        if (failed) {
          const text = errorText(failure);
          const stack = stackOf(failure);
          // The traceback is the stack, or for anything thrown that is not an Error its text.
          this._results.set(`${id} ${t}`, { exception: failure, traceback: stack ?? text });
          this._core.runFailed(id, t);
          this._logger.error?.(`tickwerk: job ${p.run.jobId} raised an exception: ${stack ?? text}`);
        } else {
          this._results.set(`${id} ${t}`, { retval: value });
          this._core.runSucceeded(id, t);
        }
        this._drain();
      }
    } finally {
      this._core.finishRun(id);
      this._flush();
    }
  }
}

/** Resolves on the next macrotask (setImmediate where there is one). */
function yieldToLoop() {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/** How long `shutdown` waits for the job stores' `close()` (a real-time bound). */
const CLOSE_WAIT_MS = 10_000;

/** The longest `shutdown` timeout (setTimeout's limit). */
const MAX_SHUTDOWN_TIMEOUT = 2 ** 31 - 1;

/** An options object with only the keys `known` (`undefined` / `null` = no options). */
function optionsOf(field, options, known) {
  const opts = optionsObject(field, options);
  const out = {};
  for (const [k, v] of ownEntries(field, opts)) {
    if (!known.includes(k)) throw unknownKey(field, k, known);
    out[k] = v;
  }
  return out;
}

/** A boolean option (`undefined` = `fallback`); anything else is an INVALID_ARGUMENT. */
function flag(field, value, fallback) {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalid(field, value, 'must be true or false');
  return value;
}

function isAbortSignal(signal) {
  try {
    return typeof signal === 'object' && signal !== null && typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function';
  } catch {
    return false;
  }
}

/** A job id argument must be a string. */
function checkId(jobId) {
  if (typeof jobId !== 'string') throw invalid('jobId', jobId, 'a job id is a string');
}

/** A `jobstore` option must be a string (or absent). */
function checkStore(jobstore) {
  if (jobstore !== undefined && jobstore !== null && typeof jobstore !== 'string') throw invalid('jobstore', jobstore, 'must be a string');
}

/** An executor's `type` (default `'custom'`) and `maxWorkers`, read once. */
function executorShape(field, ex) {
  const type = member(`${field}.type`, ex, 'type') ?? 'custom';
  const maxWorkers = member(`${field}.maxWorkers`, ex, 'maxWorkers') ?? undefined;
  if (typeof type !== 'string') throw invalid(`${field}.type`, type, 'must be a string');
  return { type, maxWorkers };
}

/** The stack text of a thrown Error (never throws; `undefined` for anything else). */
function stackOf(thrown) {
  try {
    return thrown instanceof Error && typeof thrown.stack === 'string' ? thrown.stack : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the Web Lock `name` if free; resolves to its release function, or null if held. */
function acquireLock(name) {
  return new Promise((resolve, reject) => {
    globalThis.navigator.locks
      .request(name, { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(null);
          return undefined;
        }
        return new Promise((release) => resolve(release));
      })
      .catch(reject);
  });
}
