// The text of every error message that names a field or a value, in one place. The wasm
// bindings import `errorMessage` (src/wasm/error.rs hands over the parts of a core error:
// its form, field, value text and reason) and the JS layer builds its errors with it
// (errors.js), so both speak one format. The core's `Display` (src/error.rs) writes the same
// texts for native Rust users. No imports: this file is also the bindings' JS snippet.

/** The most characters (code points) of a value or field name a message shows. */
export const SHOWN_CHARS = 64;

/**
 * `[shown, count]`: `text` unchanged and `count` undefined up to SHOWN_CHARS code points,
 * otherwise its first SHOWN_CHARS code points followed by `…` and its length in code points.
 */
function cut(text) {
  let end = 0;
  for (let n = 0; end < text.length; n += 1) {
    if (n === SHOWN_CHARS) {
      let count = n;
      for (let i = end; i < text.length; i += text.codePointAt(i) > 0xffff ? 2 : 1) count += 1;
      return [`${text.slice(0, end)}…`, count];
    }
    end += text.codePointAt(end) > 0xffff ? 2 : 1;
  }
  return [text, undefined];
}

/** `text` as messages and error properties show it: at most SHOWN_CHARS code points and `…`. */
export const shortened = (text) => cut(text)[0];

/**
 * `text` double-quoted with JSON escapes; a longer text than SHOWN_CHARS code points is
 * shortened and its length follows the closing quote: `"aaaa…" (1000000 characters)`.
 */
export function quoted(text) {
  const [shown, count] = cut(text);
  return count === undefined ? JSON.stringify(shown) : `${JSON.stringify(shown)} (${count} characters)`;
}

/**
 * The message of an error of `form` (its code, or `UNREADABLE_RECORD_ID`) about `field`,
 * `value` (as text) and `reason`. The one place these formats live.
 * @param {string} form
 * @param {string} [field]
 * @param {string} [value]
 * @param {string} [reason]
 */
export function errorMessage(form, field = '', value = '', reason = '') {
  switch (form) {
    case 'INVALID_ARGUMENT':
      return `invalid ${shortened(field)} ${quoted(value)}: ${reason}`;
    case 'UNKNOWN_TIMEZONE':
      return `unknown time zone ${quoted(value)}`;
    case 'CONFLICTING_ID':
      return `a job with id ${quoted(value)} already exists`;
    case 'UNREADABLE_RECORD_ID':
      return `a stored job record with id ${quoted(value)} exists but cannot be read (left in place); replace_existing overwrites it`;
    case 'JOB_NOT_FOUND':
      return `no job by the id of ${quoted(value)} was found`;
    case 'SCHEDULER_ALREADY_RUNNING':
      return 'the scheduler is already running';
    case 'SCHEDULER_NOT_RUNNING':
      return 'the scheduler is not running';
    case 'UNKNOWN_ALIAS':
      return `no ${field} with alias ${quoted(value)}`;
    case 'UNSERIALIZABLE':
      return `${shortened(field)} cannot be stored as JSON: ${reason}`;
    case 'CORRUPT_RECORD':
      return `stored job record ${quoted(value)} cannot be decoded: ${reason}`;
  }
}

/**
 * The error for `code` with the message of `form` (see errorMessage) and `field` / `value`
 * shortened as in it: `new Class(code, message, { field, value, parts })` (`parts`: what
 * the message was formatted from), or without a class an `Error` named `TickwerkError` with
 * those properties.
 * @param {(new (code: string, message: string, details: object) => Error) | undefined} Class
 * @param {string} code
 * @param {string} form
 * @param {string} [field]
 * @param {string} [value]
 * @param {string} [reason]
 */
export function makeError(Class, code, form, field, value, reason) {
  const message = errorMessage(form, field, value, reason);
  const details = {
    field: field === undefined ? field : shortened(field),
    value: value === undefined ? value : shortened(value),
    parts: { form, field, value, reason },
  };
  if (Class) return new Class(code, message, details);
  const error = new Error(message);
  error.name = 'TickwerkError';
  return Object.assign(error, { code, field: details.field, value: details.value });
}
