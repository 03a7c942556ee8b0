// Instants at the JS boundary: Dates, epoch milliseconds and APScheduler's date text, all
// turned into epoch milliseconds (fractions = microseconds). The host's time zone is read
// here, in JS: the core never reads the environment.
import { isKnownTimezone, parseDate } from './core/tickwerk_core.js';
import { errorText, invalid } from './errors.js';

/**
 * The host's IANA time zone (what `Intl` reports), or `'UTC'` when the host reports none
 * or one tickwerk does not know.
 */
export function hostTimezone() {
  let zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    zone = undefined;
  }
  return typeof zone === 'string' && zone !== '' && isKnownTimezone(zone) ? zone : 'UTC';
}

// Dates we returned whose millisecond value alone would lose something — microseconds, or
// the un-jittered schedule behind a jittered run time — mapped to what they stand for, so a
// Date handed back as `previous` loses nothing. Keyed weakly: no leak. Dates on a whole
// millisecond without jitter need no entry (their value is exact), which keeps the common
// path free of WeakMap traffic.
const exactTimes = new WeakMap();
let anyExact = false;

/** A Date for the instant `ms`, remembering the microseconds behind it (and `scheduled`). */
export function dateOf(ms, scheduled = ms) {
  const whole = Math.floor(ms);
  const date = new Date(whole);
  if (whole !== ms || scheduled !== ms) {
    exactTimes.set(date, { ms, scheduled });
    anyExact = true;
  }
  return date;
}

/** `date.getTime()`; a Proxy or subclass whose getTime throws is an INVALID_ARGUMENT. */
function timeOf(field, date) {
  try {
    return Date.prototype.getTime.call(date);
  } catch (e) {
    throw invalid(field, undefined, `is not a readable Date (${errorText(e)})`);
  }
}

/** Whether `value` is a Date (never throws, even for a revoked Proxy). */
export function isDate(value) {
  try {
    return value instanceof Date;
  } catch {
    return false;
  }
}

/**
 * Epoch milliseconds for a Date, a number or APScheduler's date text (read in `zone`).
 * A Date tickwerk returned gives back its exact scheduled instant.
 */
export function toMillis(field, value, zone) {
  if (isDate(value)) {
    const t = timeOf(field, value);
    if (Number.isNaN(t)) throw invalid(field, value, 'is an invalid Date');
    if (!anyExact) return t;
    const exact = exactTimes.get(value);
    return exact !== undefined && Math.floor(exact.ms) === t ? exact.scheduled : t;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(field, value, 'is not a finite number of milliseconds');
    return value;
  }
  if (typeof value === 'string') return parseDate(field, value, zone);
  throw invalid(field, value, 'expected a Date, epoch milliseconds or date text');
}

/** A date option for a trigger spec: Dates become epoch milliseconds, text stays text. */
export function toSpecDate(field, value) {
  if (value === undefined || value === null || typeof value === 'string') return value;
  if (isDate(value)) {
    const t = timeOf(field, value);
    if (Number.isNaN(t)) throw invalid(field, value, 'is an invalid Date');
    return t;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(field, value, 'is not a finite number of milliseconds');
    return value;
  }
  throw invalid(field, value, 'expected a Date, epoch milliseconds or date text');
}
