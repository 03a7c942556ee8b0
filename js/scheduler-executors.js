// Executors: where job functions run. The scheduler hands an executor one *instance* of a
// job at a time (a task that starts each scheduled run time, misfire-checked by the core at
// the moment it actually starts, calls the function and reports); the executor decides
// when the task may start (a pool of `maxWorkers` slots; the rest wait in order) and how a
// function is called.

import { invalid, TickwerkError } from './errors.js';

/** The `default` executor: calls the function in this thread (sync or async), at most
 *  `maxWorkers` instances at once (APScheduler's ThreadPoolExecutor default: 10). */
export class DefaultExecutor {
  /** @param {{ maxWorkers?: number }} [options] */
  constructor(options = {}) {
    const max = options.maxWorkers ?? 10;
    if (!Number.isInteger(max) || max < 1) throw invalid('maxWorkers', max, 'must be a positive integer');
    this.maxWorkers = max;
    this.type = 'default';
    this._active = 0;
    this._queue = [];
    this._idle = [];
  }

  /** Instances running now. */
  get running() {
    return this._active;
  }

  /** Instances waiting for a free slot. */
  get queued() {
    return this._queue.length;
  }

  /** Queues `task` (an async function running one job instance); starts it when a slot is free. */
  submit(task) {
    this._queue.push(task);
    this._pump();
  }

  _pump() {
    while (this._active < this.maxWorkers && this._queue.length > 0) {
      const task = this._queue.shift();
      this._active += 1;
      Promise.resolve()
        .then(task)
        .catch(() => {})
        .finally(() => {
          this._active -= 1;
          this._pump();
          if (this._active === 0 && this._queue.length === 0) {
            for (const resolve of this._idle.splice(0)) resolve();
          }
        });
    }
  }

  /**
   * Calls the job's function: `func(...args)` (plus `kwargs` as a last argument when it
   * has keys). Resolves with what the function returned (awaited).
   */
  async call(call) {
    if (typeof call.func !== 'function') {
      throw new TickwerkError('INVALID_ARGUMENT', `invalid func ${JSON.stringify(String(call.funcRef))}: no function registered under this name`, {
        field: 'func',
        value: String(call.funcRef),
      });
    }
    return await call.func(...call.callArgs);
  }

  /** Resolves when every submitted instance has finished (`wait: false`: at once). */
  shutdown(wait = true) {
    if (!wait || (this._active === 0 && this._queue.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this._idle.push(resolve));
  }
}

/**
 * The `worker` executor (APScheduler's ProcessPoolExecutor analogue): each call runs in a
 * Web Worker (browsers, Deno) or a `worker_threads` Worker (Node), at most `maxWorkers`
 * at once. Jobs name their function as `'<module URL>#<export name>'`; arguments and the
 * result are structured-cloned.
 */
export class WorkerExecutor extends DefaultExecutor {
  /** @param {{ maxWorkers?: number }} [options] */
  constructor(options = {}) {
    super(options);
    this.type = 'worker';
  }

  async call(call) {
    const ref = typeof call.funcRef === 'string' ? call.funcRef : '';
    const hash = ref.lastIndexOf('#');
    if (hash <= 0) {
      throw invalid('func', ref, "a worker job names its function as '<module URL>#<export name>'");
    }
    const module = ref.slice(0, hash);
    const name = ref.slice(hash + 1);
    return runInWorker(module, name, call.callArgs);
  }
}

const WORKER_SOURCE = `
const run = async ({ module, name, args }) => {
  const mod = await import(module);
  if (typeof mod[name] !== 'function') throw new Error('module ' + module + ' has no exported function ' + name);
  return await mod[name](...args);
};
`;

async function runInWorker(module, name, args) {
  if (typeof globalThis.process === 'object' && globalThis.process.versions?.node && typeof globalThis.Deno === 'undefined') {
    const { Worker } = await import('node:worker_threads');
    const source = `${WORKER_SOURCE}
const { parentPort, workerData } = require('node:worker_threads');
run(workerData).then((value) => parentPort.postMessage({ ok: true, value }),
  (e) => parentPort.postMessage({ ok: false, message: String(e && e.message || e), stack: e && e.stack }));`;
    const worker = new Worker(source, { eval: true, workerData: { module, name, args } });
    return settle(worker, (w, h) => w.on('message', h), (w, h) => w.on('error', h), () => worker.terminate());
  }
  if (typeof globalThis.Worker !== 'function') {
    throw new TickwerkError('INVALID_ARGUMENT', 'invalid executor "worker": this runtime has no Worker', { field: 'executor', value: 'worker' });
  }
  const source = `${WORKER_SOURCE}
self.onmessage = (m) => run(m.data).then((value) => self.postMessage({ ok: true, value }),
  (e) => self.postMessage({ ok: false, message: String(e && e.message || e), stack: e && e.stack }));`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new globalThis.Worker(url, { type: 'module' });
  worker.postMessage({ module, name, args });
  return settle(worker, (w, h) => { w.onmessage = (m) => h(m.data); }, (w, h) => { w.onerror = h; }, () => {
    worker.terminate();
    URL.revokeObjectURL(url);
  });
}

function settle(worker, onMessage, onError, dispose) {
  return new Promise((resolve, reject) => {
    onMessage(worker, (msg) => {
      dispose();
      if (msg.ok) resolve(msg.value);
      else {
        const err = new Error(msg.message);
        if (msg.stack) err.stack = msg.stack;
        reject(err);
      }
    });
    onError(worker, (e) => {
      dispose();
      reject(e instanceof Error ? e : new Error(String(e?.message ?? e)));
    });
  });
}

/** Executor type names → classes (`threadpool`/`asyncio` are APScheduler names for the default). */
const TYPES = { default: DefaultExecutor, threadpool: DefaultExecutor, asyncio: DefaultExecutor, debug: DefaultExecutor, worker: WorkerExecutor, processpool: WorkerExecutor };

/**
 * An executor from its configuration: a type name, `{ type, maxWorkers }` (also
 * `max_workers`, string values allowed as in APScheduler's flat config), or an executor
 * object (anything with `submit`, `call` and `shutdown`).
 */
export function createExecutor(field, spec) {
  if (spec && typeof spec === 'object' && typeof spec.submit === 'function' && typeof spec.call === 'function') return spec;
  const opts = typeof spec === 'string' ? { type: spec } : spec;
  if (!opts || typeof opts !== 'object') throw invalid(field, spec, 'an executor is a type name, { type, maxWorkers } or an executor object');
  const type = opts.type ?? 'default';
  const Class = TYPES[type];
  if (!Class) throw invalid(`${field}.type`, type, `unknown executor type (known: ${Object.keys(TYPES).join(', ')})`);
  let max = opts.maxWorkers ?? opts.max_workers;
  if (typeof max === 'string' && /^\s*\d+\s*$/.test(max)) max = Number(max);
  if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw invalid(`${field}.maxWorkers`, max, 'must be a positive integer');
  return new Class({ maxWorkers: max });
}
