// Scheduler options: the three configuration styles of APScheduler's user guide — a
// nested options object, flat `'tickwerk.…'` / `'apscheduler.…'` keys with string values
// (dotted paths), and `configure()` before `start()` — read into one normalised form:
// what the JS layer keeps (logger, clock, functions, store adapters, executors) and what
// goes to the core (`timezone`, `jobDefaults`, store kinds, executor aliases, seed).

import { camel, checkSafeKey, invalid, isObjectNotArray, member, ownEntries, unknownKey } from './errors.js';
import { hostTimezone } from './time.js';

const PREFIXES = ['tickwerk.', 'apscheduler.'];

/** The scheduler's option keys (snake_case spellings are read as these). */
const SCHEDULER_KEYS = ['timezone', 'jobDefaults', 'jobstores', 'executors', 'functions', 'logger', 'clock', 'keepAlive', 'seed'];

/** The keys of `jobDefaults`. */
const JOB_DEFAULT_KEYS = ['misfireGraceTime', 'coalesce', 'maxInstances'];


/** A null-prototype object: no key written into it can reach `Object.prototype`. */
const bag = () => Object.create(null);

/** Whether `value` is an options object (not an array; never throws). */
const isBag = isObjectNotArray;

function insert(root, path, value, field) {
  let node = root;
  for (let i = 0; i < path.length - 1; i += 1) {
    const k = path[i];
    if (!isBag(node[k])) node[k] = bag();
    node = node[k];
  }
  const last = path[path.length - 1];
  if (isBag(node[last]) && isBag(value)) {
    for (const [k, v] of ownEntries(field, value)) {
      checkSafeKey(`${field}.${k}`, k);
      node[last][k] = v;
    }
  } else {
    node[last] = value;
  }
}

/**
 * Nests flat prefixed keys (`'apscheduler.job_defaults.coalesce': 'false'` →
 * `{ jobDefaults: { coalesce: 'false' } }`); unprefixed keys are taken as they are. As in
 * APScheduler, the nested result is merged shallowly over the flat one. Every level is a
 * null-prototype object, and `__proto__` / `constructor` / `prototype` segments are refused.
 */
export function nestOptions(options) {
  if (options === undefined || options === null) return bag();
  if (!isBag(options)) throw invalid('options', options, 'scheduler options must be an object');
  const flat = bag();
  const direct = bag();
  for (const [key, value] of ownEntries('options', options)) {
    checkSafeKey('options', key);
    const prefix = PREFIXES.find((p) => key.startsWith(p));
    if (prefix) {
      const path = key.slice(prefix.length).split('.');
      for (const segment of path) checkSafeKey(key, segment);
      path[0] = camel(path[0]);
      if (!SCHEDULER_KEYS.includes(path[0])) throw unknownKey(key, path[0], SCHEDULER_KEYS, 'scheduler option');
      insert(flat, path, value, key);
    } else {
      const name = camel(key);
      if (!SCHEDULER_KEYS.includes(name)) throw unknownKey('options', key, SCHEDULER_KEYS, 'scheduler option');
      direct[name] = value;
    }
  }
  return Object.assign(flat, direct);
}

/** The `[alias, spec]` pairs of `jobstores` / `executors`, refusing prototype names. */
function aliases(group, specs) {
  if (!isBag(specs)) throw invalid(group, specs, 'expected an object { alias: … }');
  return ownEntries(group, specs).map(([alias, spec]) => {
    checkSafeKey(group, alias);
    return [alias, spec];
  });
}

/** APScheduler's `asbool` for flat string values. */
export function asBool(field, value) {
  if (typeof value === 'boolean') return value;
  const s = typeof value === 'string' || typeof value === 'number' ? String(value).trim().toLowerCase() : undefined;
  if (['true', 'yes', 'on', 'y', 't', '1'].includes(s)) return true;
  if (['false', 'no', 'off', 'n', 'f', '0'].includes(s)) return false;
  throw invalid(field, value, 'not a boolean (true/yes/on/y/t/1 or false/no/off/n/f/0)');
}

/** APScheduler's `asint`: an integer, or the text of one. */
export function asInt(field, value) {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) {
    const n = Number(value);
    if (Number.isSafeInteger(n)) return n;
  }
  throw invalid(field, value, 'not an integer');
}

/** A job default in the typed form the core takes (APScheduler's string forms read here,
 *  once: `'false'` → false, `'30'` → 30); range checks are the core's. */
function typedDefault(field, name, value) {
  if (name === 'coalesce') return asBool(field, value);
  if (name === 'misfireGraceTime' && value === null) return null;
  return asInt(field, value);
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];

/** A console-like logger as `{ debug, info, warn, error }`, each bound to it (or a no-op). */
function readLogger(logger) {
  if (logger === undefined) return undefined;
  if (logger === null || (typeof logger !== 'object' && typeof logger !== 'function')) throw invalid('logger', logger, 'expected a console-like object');
  const out = {};
  for (const level of LOG_LEVELS) {
    const fn = member(`logger.${level}`, logger, level);
    if (fn !== undefined && typeof fn !== 'function') throw invalid(`logger.${level}`, fn, 'must be a function');
    // A logger that throws must not break the scheduler: its failures are swallowed.
    out[level] = fn === undefined ? () => {} : (...args) => {
      try {
        fn.apply(logger, args);
      } catch {
        // nothing to report to: the logger itself failed
      }
    };
  }
  return out;
}

/** `{ now, setTimer, clearTimer }`, each bound to the clock object. */
function readClock(clock) {
  if (clock === undefined) return undefined;
  if (clock === null || typeof clock !== 'object') throw invalid('clock', clock, 'a clock needs now(), setTimer(fn, ms) and clearTimer(handle)');
  const out = {};
  for (const m of ['now', 'setTimer', 'clearTimer']) {
    const fn = member(`clock.${m}`, clock, m);
    if (typeof fn !== 'function') throw invalid(`clock.${m}`, fn, 'a clock needs now(), setTimer(fn, ms) and clearTimer(handle)');
    out[m] = fn.bind(clock);
  }
  return Object.freeze(out);
}

/** The `functions` option as `[name, fn]` pairs. */
function readFunctions(functions) {
  if (functions === undefined) return undefined;
  if (!isBag(functions)) throw invalid('functions', functions, 'expected an object { name: function }');
  const entries = ownEntries('functions', functions);
  for (const [name, fn] of entries) {
    if (typeof fn !== 'function') throw invalid(`functions.${name}`, fn, 'must be a function');
  }
  return entries;
}

/** 64 random bits as decimal text (the core's seed for generated ids and jitter). */
export function randomSeed() {
  const w = new Uint32Array(2);
  globalThis.crypto.getRandomValues(w);
  return String((BigInt(w[0]) << 32n) | BigInt(w[1]));
}

/**
 * Reads scheduler options into `{ host, core }`: `host` has `logger` and `clock` (their
 * methods bound), `keepAlive`, `functions` (`[name, fn]` pairs), `jobstores` and
 * `executors` (Maps of raw specs by alias); `core` is the object for
 * `SchedulerCore.configure`. An unknown key at any level is an `INVALID_ARGUMENT` that
 * lists the known ones (with a "did you mean" for a near miss).
 */
export function readOptions(options) {
  const o = nestOptions(options);
  const host = {
    logger: readLogger(o.logger),
    clock: readClock(o.clock),
    keepAlive: o.keepAlive === undefined ? undefined : asBool('keepAlive', o.keepAlive),
    functions: readFunctions(o.functions),
    jobstores: new Map(),
    executors: new Map(),
  };
  const core = {};
  const tz = o.timezone;
  core.timezone = tz === undefined || tz === null ? hostTimezone() : tz;
  if (typeof core.timezone !== 'string') throw invalid('timezone', core.timezone, 'a time zone must be a name');
  const defaults = o.jobDefaults;
  if (defaults !== undefined) {
    if (!isBag(defaults)) throw invalid('jobDefaults', defaults, 'expected an object');
    core.jobDefaults = {};
    for (const [k, v] of ownEntries('jobDefaults', defaults)) {
      const name = camel(k);
      if (!JOB_DEFAULT_KEYS.includes(name)) throw unknownKey('jobDefaults', k, JOB_DEFAULT_KEYS, 'job default');
      if (v !== undefined) core.jobDefaults[name] = typedDefault(`jobDefaults.${k}`, name, v);
    }
  }
  if (o.seed !== undefined) core.seed = typeof o.seed === 'bigint' ? String(o.seed) : o.seed;
  else core.seed = randomSeed();
  for (const [group, kinds] of [['jobstores', host.jobstores], ['executors', host.executors]]) {
    if (o[group] !== undefined) for (const [alias, spec] of aliases(group, o[group])) kinds.set(alias, spec);
  }
  return { host, core };
}
