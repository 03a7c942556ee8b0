// The trigger classes: APScheduler's triggers with its constructor keywords in camelCase
// (see API-CONVENTIONS.md). Each one is a thin wrapper over a `WasmTrigger` built from the
// trigger's JSON spec; all rules (cron parsing, DST, intervals, AND search) live in Rust.
import { WasmTrigger } from './core/tickwerk_core.js';
import { article, camel, checkSafeKey, didYouMean, errorText, inCallerSpelling, invalid, ownEntries } from './errors.js';
import { dateOf, hostTimezone, toMillis, toSpecDate } from './time.js';

const CRON_FIELDS = ['year', 'month', 'day', 'week', 'dayOfWeek', 'hour', 'minute', 'second'];
const DATE_OPTIONS = ['startDate', 'endDate', 'runDate'];

/** 64 random bits for the jitter generator, from the platform's CSPRNG. */
function jitterSeed() {
  const words = new Uint32Array(2);
  globalThis.crypto.getRandomValues(words);
  return words;
}

/** Whether a spec (or any child of an and/or) has a jitter. */
function hasJitter(spec) {
  return (typeof spec.jitter === 'number' && spec.jitter > 0) || (Array.isArray(spec.triggers) && spec.triggers.some(hasJitter));
}

/** The most child triggers an `AndTrigger` / `OrTrigger` takes. */
const MAX_CHILDREN = 1000;

/** The own `[key, value]` pairs of an options object (`undefined` = none), read once. */
function checkOptions(field, options) {
  if (options === undefined) return [];
  let plain;
  try {
    plain = options !== null && typeof options === 'object' && !Array.isArray(options) && !(options instanceof Date);
  } catch {
    plain = false;
  }
  if (!plain) throw invalid(field, options, 'expected an options object');
  const entries = ownEntries(field, options);
  for (const [key] of entries) checkSafeKey(field, key);
  return entries;
}

/** The value of `key` among options entries. */
const option = (entries, key) => entries.find(([k]) => k === key)?.[1];

/** Each trigger type's options in the JS spelling (APScheduler's snake_case is read as these). */
export const TRIGGER_KEYS = {
  date: ['runDate', 'timezone'],
  interval: ['weeks', 'days', 'hours', 'minutes', 'seconds', 'startDate', 'endDate', 'timezone', 'jitter'],
  cron: ['year', 'month', 'day', 'week', 'dayOfWeek', 'hour', 'minute', 'second', 'startDate', 'endDate', 'timezone', 'jitter', 'fold'],
  crontab: ['expr', 'timezone', 'fold'],
  calendarinterval: ['years', 'months', 'weeks', 'days', 'hour', 'minute', 'second', 'startDate', 'endDate', 'timezone', 'jitter'],
  and: ['jitter'],
  or: ['jitter'],
};

/** The trigger type as users name it in messages ("an interval trigger", "a crontab line"). */
export const triggerWords = (type) => (type === 'crontab' ? 'crontab trigger' : `${type} trigger`);

/** The spec object for `type` from user options: undefined keys dropped, Dates as ms. */
function specFrom(type, entries) {
  const spec = { type };
  const known = TRIGGER_KEYS[type];
  for (const [key, value] of entries) {
    if (key !== 'triggers' && !(type === 'crontab' && key === 'expr') && !known.includes(camel(key))) {
      const names = known.filter((k) => k !== 'expr');
      throw invalid(key, value, `unknown option for ${article(triggerWords(type))} (${didYouMean(key, names)}known: ${names.join(', ')})`);
    }
    if (value === undefined) continue;
    if (DATE_OPTIONS.includes(key)) spec[key] = toSpecDate(key, value);
    else if (type === 'cron' && CRON_FIELDS.includes(key) && typeof value === 'number') spec[key] = String(value);
    else spec[key] = value;
  }
  return spec;
}

/**
 * Builds a trigger from its JSON spec (the form `toSpec()` returns and persistent stores
 * keep). `timezone` is the default zone for specs that name none (the host's zone when
 * omitted); `now` (Date or epoch ms) is the current time, used by an interval without a
 * start date and a date trigger without a run date.
 */
export function triggerFromSpec(spec, context) {
  const entries = checkOptions('trigger', spec);
  const ctx = checkOptions('context', context ?? undefined);
  const trigger = Object.create(BaseTrigger.prototype);
  trigger._init(Object.fromEntries(entries), option(ctx, 'timezone'), option(ctx, 'now'));
  return trigger;
}

// Transient triggers (a cron text validated per keystroke or per request) would otherwise
// hold wasm memory until the garbage collector happens to run: the JS wrapper is small, so
// the engine sees no pressure while the wasm heap grows. The newest LIVE_LIMIT triggers keep
// their wasm object; building one more frees the oldest, which is rebuilt from its spec (a
// few µs) if it is used again. Memory stays flat however many triggers an app creates.
const LIVE_LIMIT = 512;
const live = new Set();

function keepLive(trigger) {
  live.add(trigger);
  if (live.size > LIVE_LIMIT) live.values().next().value.free();
}

/** What every trigger can do. Not constructed directly. */
export class BaseTrigger {
  /** @internal */
  _init(spec, timezone, now) {
    const zone = timezone === undefined ? hostTimezone() : timezone;
    if (typeof zone !== 'string') throw invalid('timezone', zone, 'expected a time zone name');
    const nowMs = now === undefined ? Date.now() : toMillis('now', now, zone);
    try {
      this._build(spec, zone, nowMs);
    } catch (e) {
      throw inCallerSpelling(e, Object.keys(spec));
    }
    this._zone = this._wasm.timezone ?? zone;
    /** The complete spec (start dates resolved): what a freed trigger is rebuilt from. */
    this._spec = this._wasm.toSpec();
    this._built = [zone, nowMs];
    // Without jitter anywhere in the trigger, the run time is the fire time: one call into
    // wasm per query instead of two.
    this._jitter = hasJitter(this._spec);
  }

  _build(spec, zone, nowMs) {
    const seed = jitterSeed();
    this._wasm = new WasmTrigger(spec, zone, nowMs, seed[0], seed[1]);
    keepLive(this);
    return this._wasm;
  }

  /** @internal The wasm trigger, rebuilt from the spec if it was freed. */
  get _core() {
    return this._wasm ?? this._build(this._spec, ...this._built);
  }

  /**
   * Frees the trigger's wasm memory now (also `[Symbol.dispose]`, for `using`). Optional:
   * tickwerk frees the oldest of many live triggers by itself. A freed trigger still
   * works; its next query rebuilds it.
   */
  free() {
    if (this._wasm === undefined) return;
    live.delete(this);
    this._wasm.free();
    this._wasm = undefined;
  }

  /**
   * APScheduler's `get_next_fire_time(previous, now)`: the next time to run, or `null`
   * when the trigger is exhausted. `previous` is the previous fire time (`null` the first
   * time); `now` is required (tickwerk never reads the clock for you). Either may be a Date,
   * epoch milliseconds or date text. With jitter, the returned Date is the jittered run time;
   * passing it back as `previous` continues from the un-jittered schedule.
   * @returns {Date | null}
   */
  getNextFireTime(previous, now) {
    const prevMs = previous === null || previous === undefined ? undefined : toMillis('previous', previous, this._zone);
    if (now === undefined || now === null) throw invalid('now', now, 'is required (tickwerk never reads the clock)');
    const nowMs = toMillis('now', now, this._zone);
    if (!this._jitter) {
      const t = this._core.nextFireTime(prevMs, nowMs);
      return t === undefined ? null : dateOf(t);
    }
    const scheduled = this._core.nextFire(prevMs, nowMs);
    if (scheduled === undefined) return null;
    return dateOf(this._core.runAt, scheduled);
  }

  /**
   * The low-level form of `getNextFireTime`: epoch milliseconds in and out, fractions
   * carrying microseconds, no jitter; `undefined` when exhausted.
   * @returns {number | undefined}
   */
  nextFireTimeMs(previousMs, nowMs) {
    return this._core.nextFireTime(previousMs, nowMs);
  }

  /** The trigger's JSON spec, complete enough to rebuild it with `triggerFromSpec`. */
  toSpec() {
    return structuredClone(this._spec);
  }

  /** The zone the trigger reads wall-clock times in (the default zone for `and`/`or`). */
  get timezone() {
    return this._zone;
  }

  /** APScheduler's `str(trigger)`, e.g. `cron[hour='9', minute='0']`. */
  toString() {
    return this._core.toString();
  }
}

if (typeof Symbol.dispose === 'symbol') BaseTrigger.prototype[Symbol.dispose] = BaseTrigger.prototype.free;

/** Runs once, at `runDate`. */
export class DateTrigger extends BaseTrigger {
  /** @param {{ runDate?: Date | number | string, timezone?: string }} [options] */
  constructor(options) {
    super();
    const opts = checkOptions('options', options);
    this._init(specFrom('date', opts), option(opts, 'timezone'), undefined);
  }
}

/** Runs every interval of absolute time, from `startDate` (default: now + interval). */
export class IntervalTrigger extends BaseTrigger {
  /**
   * @param {{ weeks?: number, days?: number, hours?: number, minutes?: number, seconds?: number,
   *   startDate?: Date | number | string, endDate?: Date | number | string, timezone?: string,
   *   jitter?: number | null }} [options]
   */
  constructor(options) {
    super();
    const opts = checkOptions('options', options);
    this._init(specFrom('interval', opts), option(opts, 'timezone'), undefined);
  }
}

/** Runs when the wall-clock time in its zone matches every cron field. */
export class CronTrigger extends BaseTrigger {
  /**
   * @param {{ year?: string | number, month?: string | number, day?: string | number,
   *   week?: string | number, dayOfWeek?: string | number, hour?: string | number,
   *   minute?: string | number, second?: string | number, startDate?: Date | number | string,
   *   endDate?: Date | number | string, timezone?: string, jitter?: number | null }} [options]
   */
  constructor(options) {
    super();
    const opts = checkOptions('options', options);
    this._init(specFrom('cron', opts), option(opts, 'timezone'), undefined);
  }

  /**
   * A trigger from a standard 5-field crontab line (`minute hour day month day_of_week`),
   * read as crontab reads it: day of week 0 and 7 = Sunday, day-of-month OR day-of-week.
   * `fold` as for `new CronTrigger` (default `'both'`: a time in a fall-back hour that repeats
   * runs at both occurrences, as APScheduler does; `'first'` / `'last'` run it once).
   * @param {string} expr
   * @param {{ timezone?: string }} [options]
   */
  static fromCrontab(expr, options) {
    if (typeof expr !== 'string') throw invalid('expr', expr, 'expected a crontab line');
    const opts = checkOptions('options', options);
    const trigger = Object.create(CronTrigger.prototype);
    trigger._init(specFrom('crontab', [...opts, ['expr', expr]]), option(opts, 'timezone'), undefined);
    return trigger;
  }
}

/**
 * Runs on calendar dates a fixed number of years/months/weeks/days apart, at a fixed
 * wall-clock time (APScheduler 3.11's CalendarIntervalTrigger).
 */
export class CalendarIntervalTrigger extends BaseTrigger {
  /**
   * @param {{ years?: number, months?: number, weeks?: number, days?: number, hour?: number,
   *   minute?: number, second?: number, startDate?: Date | number | string,
   *   endDate?: Date | number | string, timezone?: string, jitter?: number | null }} [options]
   */
  constructor(options) {
    super();
    const opts = checkOptions('options', options);
    this._init(specFrom('calendarinterval', opts), option(opts, 'timezone'), undefined);
  }
}

function childSpecs(triggers) {
  let length;
  try {
    length = Array.isArray(triggers) ? triggers.length : undefined;
  } catch {
    length = undefined;
  }
  if (length === undefined || length === 0) throw invalid('triggers', triggers, 'expected a non-empty array of triggers');
  if (length > MAX_CHILDREN) throw invalid('triggers', triggers, `has ${length} triggers (at most ${MAX_CHILDREN})`);
  const specs = [];
  for (let i = 0; i < length; i += 1) {
    let t;
    try {
      t = triggers[i];
    } catch {
      t = undefined;
    }
    if (!isTrigger(t)) throw invalid(`triggers[${i}]`, t, 'expected a trigger');
    specs.push(t.toSpec());
  }
  return specs;
}

/**
 * The live `WasmTrigger` of the trigger instance `trigger`, for the scheduler to hand to the
 * core by handle (issue 11: no JSON round trip): the trigger's own object, rebuilt from its
 * spec if it was freed (`free()`, or the pool of live triggers), so a freed trigger is added
 * as the same trigger. An object that only pretends to be a trigger (made from a trigger
 * class's prototype, a Proxy, a trigger of another copy of tickwerk) is an
 * `INVALID_ARGUMENT` naming `field`.
 */
export function wasmTriggerOf(field, trigger) {
  let wasm;
  try {
    wasm = trigger._core;
    if (wasm instanceof WasmTrigger) return wasm;
  } catch (e) {
    throw invalid(field, trigger, `is not a usable trigger (${errorText(e)})`);
  }
  throw invalid(field, trigger, 'is not a usable trigger (not built by a tickwerk trigger class)');
}

/**
 * Whether `value` is a trigger of another copy of tickwerk (its CommonJS and ES module builds
 * both loaded): not one of ours, but with a trigger's methods. Never throws.
 */
export function isForeignTrigger(value) {
  try {
    return !isTrigger(value) && typeof value.getNextFireTime === 'function' && typeof value.toSpec === 'function';
  } catch {
    return false;
  }
}

/** Whether `value` is a tickwerk trigger (never throws, even for a revoked Proxy). */
export function isTrigger(value) {
  try {
    return value instanceof BaseTrigger;
  } catch {
    return false;
  }
}

/** Fires when every child trigger agrees on a time (a bounded search; never hangs). */
export class AndTrigger extends BaseTrigger {
  /** @param {BaseTrigger[]} triggers @param {{ jitter?: number | null }} [options] */
  constructor(triggers, options) {
    super();
    const opts = checkOptions('options', options);
    this._init(specFrom('and', [...opts, ['triggers', childSpecs(triggers)]]), undefined, undefined);
  }
}

/** Fires whenever any child trigger fires. */
export class OrTrigger extends BaseTrigger {
  /** @param {BaseTrigger[]} triggers @param {{ jitter?: number | null }} [options] */
  constructor(triggers, options) {
    super();
    const opts = checkOptions('options', options);
    this._init(specFrom('or', [...opts, ['triggers', childSpecs(triggers)]]), undefined, undefined);
  }
}
