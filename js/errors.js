// TickwerkError: the one error class of the package. The wasm bindings construct it too
// (the loaders register it with `registerErrorClass`), so `instanceof TickwerkError` and
// `err.code` work for every error tickwerk throws. Also here: reading caller input without
// letting a hostile value (a revoked Proxy, a throwing getter) throw anything but a
// TickwerkError, and the short texts of values that messages quote. The message texts
// themselves come from error-text.js (shared with the wasm bindings).

import { errorMessage, makeError, shortened } from './error-text.js';

/** The parts each error's message was formatted from (for `inCallerSpelling`). */
const partsOf = new WeakMap();

/** An error thrown by tickwerk, with a stable `code` to switch on. */
export class TickwerkError extends Error {
  /**
   * @param {string} code stable code, e.g. `INVALID_ARGUMENT`
   * @param {string} message names the option and the offending value
   * @param {{ field?: string, value?: string, cause?: unknown, parts?: Parts }} [details]
   *   `parts`: what `message` was formatted from (`errorMessage`), kept out of sight
   */
  constructor(code, message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'TickwerkError';
    this.code = code;
    this.field = details.field;
    this.value = details.value;
    if (details.parts) partsOf.set(this, details.parts);
  }
}

/** @typedef {{ form: string, field?: string, value?: string, reason?: string }} Parts */

/**
 * A TickwerkError of `code` whose message `errorMessage` (error-text.js) formats from the
 * parts (the form defaults to the code); its `field` and `value` are shortened as in it.
 * @param {string} code
 * @param {{ form?: string, field?: string, value?: string, reason?: string }} parts
 */
export const formattedError = (code, { form = code, field, value, reason }) => makeError(TickwerkError, code, form, field, value, reason);

/** Whether `value` is a TickwerkError (never throws, even for a revoked Proxy). */
export function isTickwerkError(value) {
  try {
    return value instanceof TickwerkError;
  } catch {
    return false;
  }
}

/** A short text form of any value for messages (`"abc"`, `12`, `null`, `object`); never throws. */
export function show(value) {
  return typeof value === 'string' ? shortened(value) : valueText(value);
}

/**
 * The text of any value as a message names it: a string whole (the message shortens it),
 * otherwise as `show` gives it. Never throws.
 */
export function valueText(value) {
  try {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
    if (value === null || value === undefined) return String(value);
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (Array.isArray(value)) return 'array';
  } catch {
    // A revoked Proxy answers `instanceof` and `Array.isArray` with a TypeError.
  }
  return typeof value;
}

/**
 * The text of anything a job or a callback threw, for events and logs: `Name: message` for
 * errors, `String(value)` otherwise, and a fallback when even that throws (an object whose
 * `toString` throws, `Object.create(null)`, a revoked Proxy). Never throws; at most 4,000
 * characters.
 */
export function errorText(thrown) {
  let text;
  try {
    text = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  } catch {
    try {
      text = Object.prototype.toString.call(thrown);
    } catch {
      text = `a thrown ${typeof thrown}`;
    }
  }
  if (typeof text !== 'string') text = `a thrown ${typeof thrown}`;
  return text.length > 4000 ? `${text.slice(0, 4000)}…` : text;
}

/** An `INVALID_ARGUMENT` error naming `field` and `value` (any value, shown by `valueText`). */
export function invalid(field, value, reason) {
  return formattedError('INVALID_ARGUMENT', { field, value: valueText(value), reason });
}

/** The most keys an options object may have (a guard against huge hostile objects). */
const MAX_KEYS = 10_000;

/**
 * The own enumerable `[key, value]` pairs of the options object `value` (`field` names it
 * in errors), read once: a Proxy trap or getter that throws, or more than 10,000 keys,
 * is an `INVALID_ARGUMENT` naming the field, never a TypeError.
 */
export function ownEntries(field, value) {
  let keys;
  try {
    keys = Object.keys(value);
  } catch (e) {
    throw invalid(field, value, `cannot be read (${errorText(e)})`);
  }
  if (keys.length > MAX_KEYS) throw invalid(field, value, `has ${keys.length} keys (at most ${MAX_KEYS})`);
  return keys.map((k) => {
    try {
      return [k, value[k]];
    } catch (e) {
      throw invalid(`${field}.${k}`, undefined, `cannot be read (${errorText(e)})`);
    }
  });
}

/** Whether `value` is an object that is not an array (never throws, even for a revoked Proxy). */
export function isObjectNotArray(value) {
  try {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Keys that would reach an object's prototype if used as a property name. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Refuses `__proto__`, `constructor` and `prototype` as option keys or aliases. */
export function checkSafeKey(field, key) {
  if (PROTOTYPE_KEYS.has(key)) throw invalid(field, key, 'not allowed as a key (it names the object prototype)');
}

/** Edit distance of two short strings (for "did you mean"). */
function distance(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/** `"did you mean "x"? "` for the key in `known` nearest to `key` (a typo or case slip), or `''`. */
export function didYouMean(key, known) {
  const lower = key.toLowerCase();
  let best;
  let bestScore = Infinity;
  for (const k of known) {
    const score = k.toLowerCase() === lower ? 0 : distance(lower.slice(0, 40), k.toLowerCase());
    if (score < bestScore) [best, bestScore] = [k, score];
  }
  return best !== undefined && bestScore <= Math.max(1, Math.floor(best.length / 4)) ? `did you mean ${JSON.stringify(best)}? ` : '';
}

/**
 * An `INVALID_ARGUMENT` for the unknown key `key` of `field`, listing `known` and naming the
 * nearest one ("did you mean …?") when it is a likely typo or a case slip.
 */
export function unknownKey(field, key, known, what = 'option') {
  return invalid(field, key, `unknown ${what} (${didYouMean(key, known)}known: ${known.join(', ')})`);
}

/** `job_defaults` → `jobDefaults`, `max_workers` → `maxWorkers` (APScheduler spellings read the JS way). */
export const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

/** "a" or "an" before `word` ("an interval trigger"). */
export const article = (word) => (/^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`);

/** `object[key]`, read once; a getter or Proxy trap that throws is an `INVALID_ARGUMENT` naming `field`. */
export function member(field, object, key) {
  try {
    return object[key];
  } catch (e) {
    throw invalid(field, undefined, `cannot be read (${errorText(e)})`);
  }
}

/**
 * Names a core error's field as the caller spelt it: the core speaks APScheduler's
 * snake_case (`start_date`), a caller who wrote `startDate` reads `startDate`. `keys` are the
 * option keys the caller gave. Returns the (same) error.
 */
export function inCallerSpelling(error, keys) {
  const parts = isTickwerkError(error) ? partsOf.get(error) : undefined;
  if (typeof parts?.field !== 'string' || !parts.field.includes('_')) return error;
  const field = camel(parts.field);
  if (!keys.includes(field)) return error;
  parts.field = field;
  error.message = errorMessage(parts.form, parts.field, parts.value, parts.reason);
  error.field = shortened(field);
  return error;
}
