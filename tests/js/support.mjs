// Shared helpers of the JS tests.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

/**
 * A conformance vector file: the repository's copy (`tests/conformance/`), or the one in
 * $TICKWERK_CONFORMANCE_DIR (the Rust tests read the same variable).
 */
export function conformancePath(name) {
  const base = process.env.TICKWERK_CONFORMANCE_DIR ?? fileURLToPath(new URL('../conformance/', import.meta.url));
  const path = `${base.replace(/\/$/, '')}/${name}`;
  if (!existsSync(path)) throw new Error(`missing conformance data ${path}`);
  return path;
}

/** The lines of a JSON-lines file, parsed. */
export function readJsonl(path) {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
}

/**
 * Epoch milliseconds (fractions = microseconds) of Python's `isoformat()` text:
 * `2024-03-10T03:00:00-04:00`, `…:05.500000+00:00`.
 */
export function isoToMs(text) {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) throw new Error(`not an ISO datetime: ${text}`);
  const whole = Date.parse(`${m[1]}${m[3]}`);
  const micros = m[2] ? Number(m[2].padEnd(6, '0')) : 0;
  return whole + micros / 1000;
}

/** Whole microseconds of an epoch-milliseconds number. */
export const micros = (ms) => Math.round(ms * 1000);

/** Asserts that `fn` throws a TickwerkError with `code` (and `field`, when given). */
export function assertThrowsCode(fn, code, field, TickwerkError) {
  let caught;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== undefined, `expected a ${code} error, nothing was thrown`);
  assert.ok(caught instanceof TickwerkError, `expected a TickwerkError, got ${caught?.constructor?.name}: ${caught}`);
  assert.equal(caught.code, code, `code of: ${caught.message}`);
  if (field !== undefined) assert.equal(caught.field, field, `field of: ${caught.message}`);
  assert.equal(typeof caught.message, 'string');
  return caught;
}

/** mulberry32: a small seeded PRNG giving numbers in [0, 1) (the seeded tests' randomness). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
