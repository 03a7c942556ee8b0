// A fake clock for Scheduler tests: `{ now, setTimer, clearTimer }` over a virtual time
// line. `advance(ms)` moves time forward firing due timers in order, letting the
// scheduler's promises settle after each one (quinn's drive_bounded: the number of timer
// firings is capped so a busy loop fails the test instead of hanging it).

import assert from 'node:assert/strict';
import { Scheduler, TickwerkError } from 'tickwerk';
import { assertThrowsCode } from './support.mjs';

/** Lets pending promise callbacks (and setImmediate-queued work) run. */
export async function settle(rounds = 8) {
  for (let i = 0; i < rounds; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

export class FakeClock {
  constructor(start) {
    this.t = start;
    this.timers = [];
    this.seq = 0;
    this.armed = [];
    this.now = () => this.t;
    this.setTimer = (fn, ms) => {
      const handle = { fn, at: this.t + ms, seq: this.seq++, ms, unrefCalled: false, unref() { this.unrefCalled = true; return this; } };
      this.timers.push(handle);
      this.armed.push(ms);
      return handle;
    };
    this.clearTimer = (handle) => {
      const i = this.timers.indexOf(handle);
      if (i >= 0) this.timers.splice(i, 1);
    };
  }

  /** The next timer to fire (earliest, then oldest). */
  next() {
    return [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms, maxFirings = 10_000) {
    const target = this.t + ms;
    let firings = 0;
    await settle();
    for (;;) {
      const h = this.next();
      if (!h || h.at > target) break;
      firings += 1;
      if (firings > maxFirings) throw new Error(`more than ${maxFirings} timer firings before ${new Date(target).toISOString()}`);
      this.clearTimer(h);
      this.t = Math.max(this.t, h.at);
      h.fn();
      await settle();
    }
    this.t = target;
    await settle();
  }

  /**
   * A machine suspend as Node, Deno and Bun see it: the wall clock moves on by `ms`, but
   * timers do not count the suspended time (each one fires `ms` later than armed).
   */
  suspend(ms) {
    this.t += ms;
    for (const h of this.timers) h.at += ms;
  }

  /** Jumps the clock without firing anything (the host was asleep), then fires what is due. */
  async sleep(ms) {
    this.t += ms;
    const due = this.timers.filter((h) => h.at <= this.t);
    for (const h of due) {
      this.clearTimer(h);
      h.fn();
      await settle();
    }
    await settle();
  }
}

/** A logger that records every line (and says nothing). */
export function recordingLogger() {
  const lines = [];
  const rec = (level) => (...args) => lines.push(`${level}: ${args.join(' ')}`);
  return { lines, debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
}

/** Records every event as `name jobId? isoTime?`. */
export function eventLog(scheduler, mask) {
  const events = [];
  scheduler.addListener((e) => events.push(e), mask);
  return events;
}

export const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
export const iso = (d) => (d === null ? null : d.toISOString());

/** A logger that says nothing. */
export const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** A Scheduler on a FakeClock at `start` (UTC, quiet, seed 7), with `options` over those. */
export function make(options = {}, start = T0) {
  const clock = new FakeClock(start);
  const scheduler = new Scheduler({ timezone: 'UTC', clock, logger: quiet, seed: 7, ...options });
  return { clock, scheduler };
}

/** `fn()` throws a TickwerkError with `code` (and `field`, when given); returns it. */
export const throwsCode = (fn, code, field) => assertThrowsCode(fn, code, field, TickwerkError);

/** `promise` rejects with a TickwerkError with `code`. */
export async function rejectsCode(promise, code) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof TickwerkError, `expected a TickwerkError, got ${e}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}
