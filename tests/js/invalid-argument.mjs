// Shared helper of the tests that check bad options (tests/js/, tests/servers/).
import assert from 'node:assert/strict';
import { assertThrowsCode } from './support.mjs';

/**
 * `invalidArg(fn, field, pattern)`: asserts that `fn` throws an INVALID_ARGUMENT error of
 * class `TickwerkError` (the class of the build under test: `tickwerk`'s, or js/errors.js's
 * for the adapters imported from js/) naming `field`, with a message matching `pattern`.
 */
export function invalidArgOf(TickwerkError) {
  return (fn, field, pattern) => {
    const e = assertThrowsCode(fn, 'INVALID_ARGUMENT', field, TickwerkError);
    assert.match(e.message, pattern);
    return e;
  };
}
