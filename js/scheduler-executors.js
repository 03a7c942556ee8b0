// Executors: where job functions run. The scheduler hands an executor one *instance* of a
// job at a time (a task that starts each scheduled run time, misfire-checked by the core at
// the moment it actually starts, calls the function and reports); the executor decides
// when the task may start (a pool of `maxWorkers` slots; the rest wait in order) and how a
// function is called.

import { shortened } from './error-text.js';
import { invalid } from './errors.js';
import { isSpecObject, readSpec } from './stores.js';

/** The most workers an executor may have (a guard against a careless huge number). */
export const MAX_WORKERS = 10_000;

const isWorkerCount = (n) => Number.isInteger(n) && n >= 1 && n <= MAX_WORKERS;

/** The `default` executor: calls the function in this thread (sync or async), at most
 *  `maxWorkers` instances at once (APScheduler's ThreadPoolExecutor default: 10). */
export class DefaultExecutor {
  /** The class's name, kept when the bundle is minified (no keepNames). */
  static name = 'DefaultExecutor';

  /** @param {{ maxWorkers?: number }} [options] */
  constructor(options = {}) {
    const max = options.maxWorkers ?? 10;
    if (!isWorkerCount(max)) throw invalid('maxWorkers', max, `must be an integer from 1 to ${MAX_WORKERS}`);
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
      throw invalid('func', String(call.funcRef), 'no function registered under this name');
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
 * The `worker` executor (APScheduler's ProcessPoolExecutor analogue): calls run in a pool
 * of Web Workers (browsers, Deno) or `worker_threads` Workers (Node), at most `maxWorkers`
 * at once; idle workers are kept and reused (in Node they do not keep the process alive),
 * a worker that crashes is replaced, and `shutdown()` terminates them all. Jobs name their
 * function as `'<module URL>#<export name>'`; arguments and results are structured-cloned.
 */
export class WorkerExecutor extends DefaultExecutor {
  /** The class's name, kept when the bundle is minified (no keepNames). */
  static name = 'WorkerExecutor';

  /**
   * @param {{ maxWorkers?: number, modules?: Array<string | URL> }} [options] `modules`: the
   *   module URLs (absolute) this executor may import; a job naming any other module fails
   *   with INVALID_ARGUMENT and nothing is imported (stored records cannot smuggle code in).
   */
  constructor(options = {}) {
    super(options);
    this.type = 'worker';
    this._modules = moduleAllowList(options.modules);
    this._idleWorkers = [];
    this._allWorkers = new Set();
    /** How many workers were started (a measure of reuse). */
    this.workersStarted = 0;
  }

  async call(call) {
    const ref = typeof call.funcRef === 'string' ? call.funcRef : '';
    const hash = ref.lastIndexOf('#');
    if (hash <= 0) {
      throw invalid('func', ref, "a worker job names its function as '<module URL>#<export name>'");
    }
    const module = ref.slice(0, hash);
    if (!this.allows(ref)) {
      throw invalid('func', ref, `module ${JSON.stringify(shortened(module))} is not in this worker executor's allow-list (its modules option); it was not imported`);
    }
    const worker = this._idleWorkers.pop() ?? (await this._spawn());
    worker.busy(true);
    try {
      const value = await worker.run({ module: normalUrl(module), name: ref.slice(hash + 1), args: call.callArgs });
      worker.busy(false);
      this._idleWorkers.push(worker);
      return value;
    } catch (e) {
      if (worker.crashed) {
        this._allWorkers.delete(worker);
        worker.terminate();
      } else {
        worker.busy(false);
        this._idleWorkers.push(worker);
      }
      throw e;
    }
  }

  /** Whether the reference `'<module URL>#<export>'` names a module on the allow-list. */
  allows(ref) {
    const hash = typeof ref === 'string' ? ref.lastIndexOf('#') : -1;
    return hash > 0 && this._modules.has(normalUrl(ref.slice(0, hash)));
  }

  async _spawn() {
    const worker = await spawnWorker();
    this.workersStarted += 1;
    this._allWorkers.add(worker);
    return worker;
  }

  async shutdown(wait = true) {
    await super.shutdown(wait);
    for (const w of this._allWorkers) w.terminate();
    this._allWorkers.clear();
    this._idleWorkers = [];
  }
}

/** The absolute URL `text` in its normal form, or `undefined` when it is not one. */
function normalUrl(text) {
  try {
    return new URL(text).href;
  } catch {
    return undefined;
  }
}

/** The `modules` option as a Set of normalised absolute URLs. */
function moduleAllowList(modules) {
  if (modules === undefined) return new Set();
  if (!Array.isArray(modules) || modules.length > 10_000) throw invalid('modules', modules, 'expected an array of module URLs');
  return new Set(modules.map((m, i) => {
    const href = typeof m === 'string' || m instanceof URL ? normalUrl(String(m)) : undefined;
    if (href === undefined) throw invalid(`modules[${i}]`, m, 'expected an absolute module URL (a string or a URL)');
    return href;
  }));
}

// The worker side: a loop answering { id, module, name, args } with { id, ok, value | message, stack }.
const WORKER_LOOP = `
const run = async ({ module, name, args }) => {
  const mod = await import(module);
  if (typeof mod[name] !== 'function') throw new Error('module ' + module + ' has no exported function ' + name);
  return await mod[name](...args);
};
const answer = (post) => (msg) => run(msg).then((value) => post({ id: msg.id, ok: true, value }),
  (e) => post({ id: msg.id, ok: false, message: String((e && e.message) || e), name: e && e.name, stack: e && e.stack }));
`;

const isNode = () => typeof globalThis.process === 'object' && Boolean(globalThis.process.versions?.node) && typeof globalThis.Deno === 'undefined';

/** One pooled worker: `run(request)` → Promise of the result; one request at a time. */
async function spawnWorker() {
  let onMessage;
  let onCrash;
  let raw;
  let dispose;
  let setRef = () => {};
  if (isNode()) {
    // process.getBuiltinModule (Node >= 20.16, Bun) rather than import(): bundlers and
    // workerd (without nodejs_compat) must not see a dependency on a Node built-in that only
    // this Node-only branch uses.
    const getBuiltin = globalThis.process.getBuiltinModule;
    if (typeof getBuiltin !== 'function') {
      throw invalid('executor', 'worker', 'needs Node >= 20.16 (process.getBuiltinModule)');
    }
    const { Worker } = getBuiltin('node:worker_threads');
    raw = new Worker(`${WORKER_LOOP}
const { parentPort } = require('node:worker_threads');
parentPort.on('message', answer((m) => parentPort.postMessage(m)));`, { eval: true });
    raw.on('message', (m) => onMessage?.(m));
    raw.on('error', (e) => onCrash?.(e));
    raw.unref();
    setRef = (on) => (on ? raw.ref() : raw.unref());
    dispose = () => raw.terminate();
  } else if (typeof globalThis.Worker === 'function') {
    const url = URL.createObjectURL(new Blob([`${WORKER_LOOP}
self.onmessage = (m) => answer((x) => self.postMessage(x))(m.data);`], { type: 'text/javascript' }));
    raw = new globalThis.Worker(url, { type: 'module' });
    raw.onmessage = (m) => onMessage?.(m.data);
    raw.onerror = (e) => {
      e.preventDefault?.();
      onCrash?.(new Error(String(e?.message ?? 'worker error')));
    };
    dispose = () => {
      raw.terminate();
      URL.revokeObjectURL(url);
    };
  } else {
    throw invalid('executor', 'worker', 'this runtime has no Worker');
  }
  let nextId = 0;
  const handle = {
    crashed: false,
    busy: setRef,
    terminate: dispose,
    run(request) {
      const id = ++nextId;
      return new Promise((resolve, reject) => {
        onMessage = (msg) => {
          if (msg.id !== id) return;
          onMessage = undefined;
          onCrash = undefined;
          if (msg.ok) resolve(msg.value);
          else {
            const err = new Error(msg.message);
            if (msg.name) err.name = msg.name;
            if (msg.stack) err.stack = msg.stack;
            reject(err);
          }
        };
        onCrash = (e) => {
          handle.crashed = true;
          onMessage = undefined;
          onCrash = undefined;
          reject(e instanceof Error ? e : new Error(String(e)));
        };
        raw.postMessage({ id, ...request });
      });
    },
  };
  return handle;
}

/** Executor type names → classes (`threadpool`/`asyncio` are APScheduler names for the default). */
const TYPES = { default: DefaultExecutor, threadpool: DefaultExecutor, asyncio: DefaultExecutor, debug: DefaultExecutor, worker: WorkerExecutor, processpool: WorkerExecutor };

/**
 * An executor from its configuration: a type name, `{ type, maxWorkers }` (also
 * `max_workers`, string values allowed as in APScheduler's flat config; worker executors
 * also take `modules`, their allow-list), or an executor object (anything with `submit`,
 * `call` and `shutdown`).
 */
export function createExecutor(field, spec) {
  if (isExecutor(spec)) return spec;
  if (typeof spec !== 'string' && !isSpecObject(spec)) {
    throw invalid(field, spec, 'an executor is a type name, { type, maxWorkers } or an executor object');
  }
  const opts = typeof spec === 'string' ? { type: spec } : readSpec(field, spec, (t) => (TYPES[t] === WorkerExecutor ? ['type', 'maxWorkers', 'modules'] : ['type', 'maxWorkers']));
  const type = opts.type ?? 'default';
  const Class = typeof type === 'string' && Object.hasOwn(TYPES, type) ? TYPES[type] : undefined;
  if (!Class) throw invalid(`${field}.type`, type, `unknown executor type (known: ${Object.keys(TYPES).join(', ')})`);
  let max = opts.maxWorkers;
  if (typeof max === 'string' && /^\s*\d+\s*$/.test(max)) max = Number(max);
  if (max !== undefined && !isWorkerCount(max)) throw invalid(`${field}.maxWorkers`, max, `must be an integer from 1 to ${MAX_WORKERS}`);
  return new Class({ maxWorkers: max, modules: opts.modules });
}

function isExecutor(spec) {
  try {
    return Boolean(spec) && typeof spec === 'object' && typeof spec.submit === 'function' && typeof spec.call === 'function';
  } catch {
    return false;
  }
}
