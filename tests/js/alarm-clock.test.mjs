// AlarmClock (the Durable Object clock, js/durable-object-clock.js) on a fake storage: where
// it sets the alarm for the driver's (delay, wakeup) pairs. The end-to-end behaviour in workerd
// is tests/runtimes/durable-object.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlarmClock } from '../../dist/durable-object-clock.js';
import { MAX_TIMER_DELAY } from '../../dist/scheduler.js';

/** An AlarmClock over a storage that records its alarm calls, at a settable `now`. */
function clockAt(now) {
  const calls = [];
  const storage = {
    setAlarm: (at) => calls.push(['set', at]),
    deleteAlarm: () => calls.push(['delete']),
  };
  const clock = new AlarmClock(storage);
  clock.now = () => now.value;
  return { clock, calls };
}

test('the alarm is set at the wakeup the driver passes, even when the clock moved on since the driver read it', () => {
  const now = { value: 1_000 };
  const { clock, calls } = clockAt(now);
  // The driver read 1,000 and computed 500 ms to a wakeup at 1,500; the clock now reads 1,001.
  now.value = 1_001;
  clock.setTimer(() => {}, 500, 1_500);
  assert.deepEqual(calls, [['set', 1_500]]);
  // A fractional wakeup (microseconds) rounds up: the alarm never fires before it.
  clock.setTimer(() => {}, 500, 1_500.25);
  assert.deepEqual(calls.at(-1), ['set', 1_501]);
  // An overdue wakeup: the alarm at once, not in the past.
  clock.setTimer(() => {}, 0, 900);
  assert.deepEqual(calls.at(-1), ['set', 1_001]);
  // No wakeup given (a retry timer): now + ms.
  clock.setTimer(() => {}, 250);
  assert.deepEqual(calls.at(-1), ['set', 1_251]);
});

test('a capped delay is lengthened to the real wakeup; with no wakeup known the alarm is at now + ms', () => {
  const now = { value: 10_000 };
  const { clock, calls } = clockAt(now);
  clock.setTimer(() => {}, MAX_TIMER_DELAY, 10_000 + 86_400_000);
  assert.deepEqual(calls, [['set', 10_000 + 86_400_000]]);
  clock.setTimer(() => {}, MAX_TIMER_DELAY, undefined);
  assert.deepEqual(calls.at(-1), ['set', 10_000 + MAX_TIMER_DELAY]);
});
