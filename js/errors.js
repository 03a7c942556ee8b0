// TickwerkError: the one error class of the package. The wasm bindings construct it too
// (the loaders register it with `registerErrorClass`), so `instanceof TickwerkError` and
// `err.code` work for every error tickwerk throws.

/** An error thrown by tickwerk, with a stable `code` to switch on. */
export class TickwerkError extends Error {
  /**
   * @param {string} code stable code, e.g. `INVALID_ARGUMENT`
   * @param {string} message names the option and the offending value
   * @param {{ field?: string, value?: string, cause?: unknown }} [details]
   */
  constructor(code, message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'TickwerkError';
    this.code = code;
    this.field = details.field;
    this.value = details.value;
  }
}

/** A short text form of any value for messages (`"abc"`, `12`, `null`, `object`). */
export function show(value) {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** An `INVALID_ARGUMENT` error in the core's message format. */
export function invalid(field, value, reason) {
  const text = show(value);
  return new TickwerkError('INVALID_ARGUMENT', `invalid ${field} ${JSON.stringify(text)}: ${reason}`, {
    field,
    value: text,
  });
}
