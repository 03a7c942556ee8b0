// Scheduler options: the three configuration styles of APScheduler's user guide — a
// nested options object, flat `'tickwerk.…'` / `'apscheduler.…'` keys with string values
// (dotted paths), and `configure()` before `start()` — read into one normalised form:
// what the JS layer keeps (logger, clock, functions, store adapters, executors) and what
// goes to the core (`timezone`, `jobDefaults`, store kinds, executor aliases, seed).

import { invalid } from './errors.js';
import { hostTimezone } from './time.js';

const PREFIXES = ['tickwerk.', 'apscheduler.'];

/** `job_defaults` → `jobDefaults` (only the first segment; aliases keep their spelling). */
const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

function insert(root, path, value) {
  let node = root;
  for (let i = 0; i < path.length - 1; i += 1) {
    const k = path[i];
    if (node[k] === null || typeof node[k] !== 'object' || Array.isArray(node[k])) node[k] = {};
    node = node[k];
  }
  const last = path[path.length - 1];
  if (node[last] && typeof node[last] === 'object' && value && typeof value === 'object' && !Array.isArray(value)) {
    Object.assign(node[last], value);
  } else {
    node[last] = value;
  }
}

/**
 * Nests flat prefixed keys (`'apscheduler.job_defaults.coalesce': 'false'` →
 * `{ jobDefaults: { coalesce: 'false' } }`); unprefixed keys are taken as they are. As in
 * APScheduler, the nested result is merged shallowly over the flat one.
 */
export function nestOptions(options) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) throw invalid('options', options, 'scheduler options must be an object');
  const flat = {};
  const direct = {};
  for (const [key, value] of Object.entries(options)) {
    const prefix = PREFIXES.find((p) => key.startsWith(p));
    if (prefix) {
      const path = key.slice(prefix.length).split('.');
      path[0] = camel(path[0]);
      insert(flat, path, value);
    } else {
      direct[key] = value;
    }
  }
  return { ...flat, ...direct };
}

/** APScheduler's `asbool` for flat string values. */
export function asBool(field, value) {
  if (typeof value === 'boolean') return value;
  const s = String(value).trim().toLowerCase();
  if (['true', 'yes', 'on', 'y', 't', '1'].includes(s)) return true;
  if (['false', 'no', 'off', 'n', 'f', '0'].includes(s)) return false;
  throw invalid(field, value, 'not a boolean (true/yes/on/y/t/1 or false/no/off/n/f/0)');
}

function checkLogger(logger) {
  if (logger === undefined) return undefined;
  if (logger === null || typeof logger !== 'object' && typeof logger !== 'function') throw invalid('logger', logger, 'expected a console-like object');
  for (const level of ['debug', 'info', 'warn', 'error']) {
    if (logger[level] !== undefined && typeof logger[level] !== 'function') throw invalid(`logger.${level}`, logger[level], 'must be a function');
  }
  return logger;
}

function checkClock(clock) {
  if (clock === undefined) return undefined;
  for (const m of ['now', 'setTimer', 'clearTimer']) {
    if (!clock || typeof clock[m] !== 'function') throw invalid(`clock.${m}`, clock?.[m], 'a clock needs now(), setTimer(fn, ms) and clearTimer(handle)');
  }
  return clock;
}

function checkFunctions(functions) {
  if (functions === undefined) return undefined;
  if (!functions || typeof functions !== 'object') throw invalid('functions', functions, 'expected an object { name: function }');
  for (const [name, fn] of Object.entries(functions)) {
    if (typeof fn !== 'function') throw invalid(`functions.${name}`, fn, 'must be a function');
  }
  return functions;
}

/** 64 random bits as decimal text (the core's seed for generated ids and jitter). */
export function randomSeed() {
  const w = new Uint32Array(2);
  globalThis.crypto.getRandomValues(w);
  return String((BigInt(w[0]) << 32n) | BigInt(w[1]));
}

/**
 * Reads scheduler options into `{ host, core }`: `host` has `logger`, `clock`,
 * `keepAlive`, `functions`, `jobstores` and `executors` (raw specs by alias); `core` is
 * the object for `SchedulerCore.configure`.
 */
export function readOptions(options) {
  const o = nestOptions(options);
  const host = {
    logger: checkLogger(o.logger),
    clock: checkClock(o.clock),
    keepAlive: o.keepAlive === undefined ? undefined : asBool('keepAlive', o.keepAlive),
    functions: checkFunctions(o.functions),
    jobstores: {},
    executors: {},
  };
  const core = {};
  const tz = o.timezone ?? o.tz;
  core.timezone = tz === undefined || tz === null ? hostTimezone() : tz;
  if (typeof core.timezone !== 'string') throw invalid('timezone', core.timezone, 'a time zone must be a name');
  const defaults = o.jobDefaults;
  if (defaults !== undefined) {
    if (defaults === null || typeof defaults !== 'object') throw invalid('jobDefaults', defaults, 'expected an object');
    core.jobDefaults = {};
    for (const [k, v] of Object.entries(defaults)) {
      if (v !== undefined) core.jobDefaults[camel(k)] = v;
    }
  }
  if (o.seed !== undefined) core.seed = typeof o.seed === 'bigint' ? String(o.seed) : o.seed;
  else core.seed = randomSeed();
  for (const [group, kinds] of [['jobstores', host.jobstores], ['executors', host.executors]]) {
    const specs = o[group];
    if (specs === undefined) continue;
    if (specs === null || typeof specs !== 'object' || Array.isArray(specs)) throw invalid(group, specs, 'expected an object { alias: … }');
    for (const [alias, spec] of Object.entries(specs)) kinds[alias] = spec;
  }
  return { host, core };
}
