// Job options at the JS boundary: splitting `addJob`'s one options object into the job's
// options and the trigger's arguments (API-CONVENTIONS: every key that is not a job option
// belongs to the trigger), trigger specs from aliases and instances, and the JSON check
// persistent stores need.

import { invalid, show, TickwerkError } from './errors.js';
import { BaseTrigger } from './triggers.js';
import { toSpecDate } from './time.js';

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

/** Checks that `options` is a plain options object (or undefined). */
export function optionsObject(field, options) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options) || options instanceof Date || options instanceof BaseTrigger) {
    throw invalid(field, options, 'expected an options object');
  }
  return options;
}

/** Splits one options object into `{ job, trigger }` (undefined values dropped). */
export function splitOptions(options) {
  const job = {};
  const trigger = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const name = JOB_KEYS.get(key);
    if (name !== undefined) job[name] = value;
    else trigger[key] = value;
  }
  return { job, trigger };
}

/** A date-like option for the core: Dates → epoch ms (text and numbers pass; `null` stays). */
export const dateOption = toSpecDate;

/**
 * The trigger spec for `addJob`/`rescheduleJob`: `undefined` (no trigger: run once, now),
 * a trigger instance (its own spec, own zone), or an alias plus its arguments (the
 * scheduler's zone is the default, as APScheduler does for aliases).
 */
export function triggerSpec(trigger, args) {
  const extra = Object.keys(args);
  if (trigger === undefined || trigger === null) {
    if (extra.length > 0) throw invalid(extra[0], args[extra[0]], 'unknown job option (no trigger was given)');
    return undefined;
  }
  if (trigger instanceof BaseTrigger) {
    if (extra.length > 0) throw invalid(extra[0], args[extra[0]], 'unknown job option (trigger options go to the trigger instance)');
    return trigger.toSpec();
  }
  if (typeof trigger !== 'string') throw invalid('trigger', trigger, "expected a trigger, or an alias 'date' | 'interval' | 'cron'");
  if (!TRIGGER_ALIASES.includes(trigger)) {
    throw invalid('trigger', trigger, `no trigger by this name (known: ${TRIGGER_ALIASES.join(', ')})`);
  }
  const spec = { type: trigger };
  for (const [key, value] of Object.entries(args)) {
    if (key === 'startDate' || key === 'endDate' || key === 'runDate' || key === 'start_date' || key === 'end_date' || key === 'run_date') {
      spec[key] = dateOption(key, value);
    } else if (CRON_FIELDS.has(key) && typeof value === 'number' && trigger === 'cron') {
      spec[key] = String(value);
    } else {
      spec[key] = value;
    }
  }
  return spec;
}

/** An `UNSERIALIZABLE` error naming the field. */
export function unserializable(field, reason) {
  return new TickwerkError('UNSERIALIZABLE', `${field} cannot be stored as JSON: ${reason}`, { field });
}

/**
 * Checks that `value` survives a JSON round trip unchanged (plain objects, arrays, strings,
 * finite numbers, booleans, null) — what a persistent store can keep. Throws
 * `UNSERIALIZABLE` naming the exact path (`args[1].when`).
 */
export function checkJson(field, value, seen = new Set()) {
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
    value.forEach((v, i) => checkJson(`${field}[${i}]`, v, seen));
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw unserializable(field, `a ${value?.constructor?.name ?? 'non-plain'} object is not plain JSON data`);
    }
    for (const key of Object.keys(value)) checkJson(`${field}.${key}`, value[key], seen);
  }
  seen.delete(value);
}

/** `args` must be an array, `kwargs` a plain object (either may be omitted). */
export function checkArgs(args, kwargs) {
  if (args !== undefined && args !== null && !Array.isArray(args)) throw invalid('args', args, 'must be an array');
  if (kwargs !== undefined && kwargs !== null && (typeof kwargs !== 'object' || Array.isArray(kwargs))) {
    throw invalid('kwargs', kwargs, 'must be an object');
  }
}

/** Describes a func for messages. */
export const describeFunc = (func) => (typeof func === 'function' ? func.name || 'anonymous function' : show(func));
