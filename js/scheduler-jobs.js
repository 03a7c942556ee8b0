// Job options at the JS boundary: splitting `addJob`'s one options object into the job's
// options and the trigger's arguments (API-CONVENTIONS: every key that is not a job option
// belongs to the trigger), trigger specs from aliases and instances, job arguments read
// once into copies, and the JSON check persistent stores need.

import { article, camel, checkSafeKey, didYouMean, errorText, formattedError, invalid, isTickwerkError, ownEntries, show } from './errors.js';
import { isForeignTrigger, isTrigger, TRIGGER_KEYS, triggerWords, wasmTriggerOf } from './triggers.js';
import { toSpecDate } from './time.js';
import { asBool, asInt } from './scheduler-config.js';

/** Job option names (camelCase; the snake_case spellings are accepted for porting). */
const JOB_KEYS = new Map([
  ['id', 'id'], ['name', 'name'], ['args', 'args'], ['kwargs', 'kwargs'],
  ['misfireGraceTime', 'misfireGraceTime'], ['misfire_grace_time', 'misfireGraceTime'],
  ['coalesce', 'coalesce'], ['maxInstances', 'maxInstances'], ['max_instances', 'maxInstances'],
  ['nextRunTime', 'nextRunTime'], ['next_run_time', 'nextRunTime'], ['jobstore', 'jobstore'],
  ['executor', 'executor'], ['replaceExisting', 'replaceExisting'], ['replace_existing', 'replaceExisting'],
]);

/** The trigger aliases `addJob` accepts (APScheduler's plugin names). */
export const TRIGGER_ALIASES = ['date', 'interval', 'cron', 'calendarinterval', 'crontab'];

const CRON_FIELDS = new Set(['year', 'month', 'day', 'week', 'dayOfWeek', 'day_of_week', 'hour', 'minute', 'second']);

/** Whether `value` is an options object: not an array, Date or trigger (never throws). */
export function isOptionsObject(value) {
  try {
    return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) && !isTrigger(value);
  } catch {
    return false;
  }
}

/**
 * A copy of the options object `options` (`undefined` / `null`: `{}`), read once; `reason`
 * is the message for a value that is not one.
 */
export function optionsObject(field, options, reason = 'expected an options object') {
  if (options === undefined || options === null) return {};
  if (!isOptionsObject(options)) throw invalid(field, options, reason);
  const entries = ownEntries(field, options);
  for (const [key] of entries) checkSafeKey(field, key);
  return Object.fromEntries(entries);
}

/**
 * Splits one options object into `{ job, trigger }` (undefined values dropped): the job
 * options by camelCase name, typed (`typedJobOption`), and the rest.
 */
export function splitOptions(options) {
  const job = {};
  const trigger = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const name = JOB_KEYS.get(key);
    if (name !== undefined) job[name] = typedJobOption(name, key, value);
    else trigger[key] = value;
  }
  return { job, trigger };
}

/**
 * The camelCase name of job option `key` (snake_case accepted for porting); any other key
 * as it is, for the core to refuse (`id` in `modifyJob`, unknown keys) with its messages.
 */
export const jobOptionName = (key) => JOB_KEYS.get(key) ?? key;

/**
 * A job option's value in the typed form the core takes: APScheduler's text forms read
 * once here, as its `asbool` / `asint` do (`coalesce: 'false'`, `maxInstances: '3'`,
 * `replaceExisting: 'yes'`, and 0 / 1 for booleans); `field` is the caller's key. Any other
 * value passes as it is: the core checks it, with the same messages.
 */
export function typedJobOption(name, field, value) {
  if (name === 'maxInstances' && typeof value === 'string') return asInt(field, value);
  return (name === 'coalesce' || name === 'replaceExisting') && (typeof value === 'string' || value === 0 || value === 1) ? asBool(field, value) : value;
}

/** A date-like option for the core: Dates → epoch ms (text and numbers pass; `null` stays). */
export const dateOption = toSpecDate;

/**
 * The trigger for `addJob`/`rescheduleJob`/`modifyJob`, as `{ spec, built }` with at most
 * one set: nothing (no trigger: run once, now), `built` for a trigger instance (its live
 * `WasmTrigger`, handed to the core as it is: own zone, own resolved dates, no JSON round
 * trip), or `spec` for an alias plus its arguments (the scheduler's zone is the default, as
 * APScheduler does for aliases).
 */
export function triggerArgument(trigger, args) {
  const extra = Object.keys(args);
  if (trigger === undefined || trigger === null) {
    if (extra.length > 0) throw invalid(extra[0], args[extra[0]], `unknown job option (${didYouMean(extra[0], JOB_OPTION_NAMES)}known: ${JOB_OPTION_NAMES.join(', ')}; trigger options need a trigger)`);
    return {};
  }
  if (isTrigger(trigger)) {
    if (extra.length > 0) throw invalid(extra[0], args[extra[0]], `unknown job option (${didYouMean(extra[0], JOB_OPTION_NAMES)}known: ${JOB_OPTION_NAMES.join(', ')}; trigger options go to the trigger instance)`);
    return { built: wasmTriggerOf('trigger', trigger) };
  }
  if (isForeignTrigger(trigger)) throw invalid('trigger', trigger, 'is a trigger of another copy of tickwerk (its CommonJS and ES module builds both loaded?)');
  if (typeof trigger !== 'string') throw invalid('trigger', trigger, "expected a trigger, or an alias 'date' | 'interval' | 'cron'");
  if (!TRIGGER_ALIASES.includes(trigger)) {
    throw invalid('trigger', trigger, `no trigger by this name (known: ${TRIGGER_ALIASES.join(', ')})`);
  }
  const spec = { type: trigger };
  for (const [key, value] of Object.entries(args)) {
    if (!TRIGGER_KEYS[trigger].includes(camel(key))) throw unknownJobOption(trigger, key, value);
    if (key === 'startDate' || key === 'endDate' || key === 'runDate' || key === 'start_date' || key === 'end_date' || key === 'run_date') {
      spec[key] = dateOption(key, value);
    } else if (CRON_FIELDS.has(key) && typeof value === 'number' && trigger === 'cron') {
      spec[key] = String(value);
    } else {
      spec[key] = value;
    }
  }
  return { spec };
}

/** The job option names, as JS callers write them. */
const JOB_OPTION_NAMES = [...new Set(JOB_KEYS.values())];

/**
 * An `INVALID_ARGUMENT` for a key of `addJob`'s options that is neither a job option nor an
 * argument of the `trigger` alias: both lists are named, so `timeout` is not taken for a
 * misspelt trigger argument.
 */
function unknownJobOption(trigger, key, value) {
  const triggerKeys = TRIGGER_KEYS[trigger];
  const hint = didYouMean(key, [...JOB_OPTION_NAMES, ...triggerKeys]);
  return invalid(key, value, `unknown option for ${article(trigger === 'crontab' ? 'crontab job' : `${trigger} job`)} (${hint}job options: ${JOB_OPTION_NAMES.join(', ')}; ${triggerWords(trigger)} options: ${triggerKeys.join(', ')})`);
}

/** An `UNSERIALIZABLE` error naming the field. */
export function unserializable(field, reason) {
  return formattedError('UNSERIALIZABLE', { field, reason });
}

/**
 * Checks that `value` survives a JSON round trip unchanged (plain objects, arrays, strings,
 * finite numbers, booleans, null) — what a persistent store can keep. Throws
 * `UNSERIALIZABLE` naming the exact path (`args[1].when`).
 */
export function checkJson(field, value) {
  try {
    checkJsonValue(field, value, new Set());
  } catch (e) {
    if (isTickwerkError(e)) throw e;
    throw unserializable(field, `cannot be read (${errorText(e)})`);
  }
}

function checkJsonValue(field, value, seen) {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw unserializable(field, `${value} is not a finite number`);
      return;
    case 'undefined':
      throw unserializable(field, 'undefined is not JSON');
    case 'function':
      throw unserializable(field, 'a function is not JSON data');
    case 'symbol':
      throw unserializable(field, 'a symbol is not JSON data');
    case 'bigint':
      throw unserializable(field, 'a BigInt is not JSON data');
    default:
  }
  if (value === null) return;
  if (seen.has(value)) throw unserializable(field, 'the value is cyclic');
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((v, i) => checkJsonValue(`${field}[${i}]`, v, seen));
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw unserializable(field, `a ${value?.constructor?.name ?? 'non-plain'} object is not plain JSON data`);
    }
    for (const key of Object.keys(value)) checkJsonValue(`${field}.${key}`, value[key], seen);
  }
  seen.delete(value);
}

/** The most positional arguments a job may have. */
const MAX_ARGS = 10_000;

/**
 * A copy of a job's positional arguments (`undefined` / `null`: `[]`), read once; the
 * elements themselves are kept as they are (APScheduler keeps a tuple of its own).
 */
export function readArgs(field, args) {
  if (args === undefined || args === null) return [];
  let length;
  try {
    length = Array.isArray(args) ? args.length : undefined;
  } catch {
    length = undefined;
  }
  if (length === undefined) throw invalid(field, args, 'must be an array');
  if (length > MAX_ARGS) throw invalid(field, args, `has ${length} elements (at most ${MAX_ARGS})`);
  const copy = [];
  for (let i = 0; i < length; i += 1) {
    try {
      copy.push(args[i]);
    } catch (e) {
      throw invalid(`${field}[${i}]`, undefined, `cannot be read (${errorText(e)})`);
    }
  }
  return copy;
}

/** A copy of a job's keyword arguments (`undefined` / `null`: `{}`), read once. */
export const readKwargs = (field, kwargs) => optionsObject(field, kwargs, 'must be an object');

/**
 * `value` as plain JSON data for a persistent store: checked (`checkJson`), then copied
 * through JSON so nothing of the caller's objects (getters, Proxies) reaches the store.
 */
export function jsonCopy(field, value) {
  checkJson(field, value);
  try {
    return JSON.parse(JSON.stringify(value));
  } catch (e) {
    throw unserializable(field, `cannot be read (${errorText(e)})`);
  }
}

/** `Array.isArray`, with `undefined` for a value that cannot be inspected (a revoked Proxy). */
function isArray(value) {
  try {
    return Array.isArray(value);
  } catch {
    return undefined;
  }
}

/** Describes a func for messages. */
export const describeFunc = (func) => (typeof func === 'function' ? functionName(func) || 'anonymous function' : show(func));

/** A function's `name` (`''` when it has none or reading it throws, as a Proxy's may). */
export function functionName(func) {
  try {
    const name = func.name;
    return typeof name === 'string' ? name : '';
  } catch {
    return '';
  }
}
