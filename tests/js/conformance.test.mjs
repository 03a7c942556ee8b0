// Replays tests/conformance/triggers.jsonl through the public JS API: every case's
// trigger is built with `triggerFromSpec` (the case's scheduler zone as default, its `now`),
// then walked as APScheduler's scheduler walks it:
//   t1 = next(previous = none, now), t(k+1) = next(previous = t(k), now = t(k)).
// Twice: with `nextFireTimeMs` (microsecond-exact numbers) and with `getNextFireTime`
// (Dates; compared at millisecond precision, and fed back so the µs must survive).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TickwerkError, triggerFromSpec } from 'tickwerk';
import { isoToMs, micros, readJsonl, conformancePath } from './support.mjs';

const cases = readJsonl(conformancePath('triggers.jsonl'));

// Python exception name -> tickwerk code.
const CODE = { ValueError: 'INVALID_ARGUMENT', TypeError: 'INVALID_ARGUMENT', ZoneInfoNotFoundError: 'UNKNOWN_TIMEZONE' };

// Cases checked against the project's rules instead of the vector's value — the same
// carve-outs as the Rust harness (tests/conformance_triggers.rs), where each is explained:
// * crontab extensions (issue 2): a 6-field line (leading seconds) and an `@` macro, which
//   APScheduler rejected and the vectors carry no deviation tag for;
// * fixed-offset zone names such as "+05:00" (issue 2: "UTC and fixed offsets");
// * t7-00755: its `and-search` list was computed with cron children that skip Monday
//   2026-03-09 (no-skip is not applied inside `and` in the data); under our rules Monday
//   00:00–00:45 EDT come first, then the expected list, cut to 20.
const CARVE_OUTS = {
  't7-00289': () => ({ times: ['2020-02-15T09:46:41+00:00', '2020-02-15T09:46:42+00:00'], exhausted: false }),
  't7-00521': () => ({ times: ['2016-12-04T00:00:00+01:00', '2016-12-05T00:00:00+01:00'], exhausted: false }),
  't7-00755': (c) => ({
    times: ['04:00', '04:15', '04:30', '04:45'].map((hm) => `2026-03-09T${hm}:00+00:00`).concat(c.expected_fire_times).slice(0, 20),
    exhausted: false,
  }),
};
function fixedOffsetZone(trigger) {
  const z = trigger.timezone;
  if (typeof z === 'string' && /^[+-]/.test(z)) return z;
  return (trigger.triggers ?? []).map(fixedOffsetZone).find((x) => x !== undefined);
}

/** What tickwerk must do for a case: { error: code | true }, { builds, zone } or { times, exhausted }. */
function expectation(c) {
  if (CARVE_OUTS[c.id]) return CARVE_OUTS[c.id](c);
  if (c.error === 'ZoneInfoNotFoundError' && fixedOffsetZone(c.trigger) !== undefined) {
    return { builds: true, zone: c.trigger.timezone };
  }
  if (c.deviation) {
    if (c.expected_error) return { error: true };
    const exhausted = c.expected_fire_times.length < 20 && !c.deviation.includes('strictly-increasing');
    return { times: c.expected_fire_times, exhausted };
  }
  if (c.error && c.error_stage === 'construct') return { error: CODE[c.error] ?? true };
  if (c.error) throw new Error(`${c.id}: fire-time error ${c.error} without a deviation`);
  return { times: c.fire_times, exhausted: c.fire_times.length < 20 };
}

function build(c) {
  return triggerFromSpec(c.trigger, { timezone: c.timezone, now: isoToMs(c.now) });
}

test(`triggers.jsonl: ${cases.length} cases through the JS API`, () => {
  assert.ok(cases.length >= 799, `expected the full vector file, got ${cases.length} lines`);
  const failures = [];
  let checkedTimes = 0;
  for (const c of cases) {
    const want = expectation(c);
    try {
      if (want.error !== undefined) {
        let err;
        try {
          build(c);
        } catch (e) {
          err = e;
        }
        if (!(err instanceof TickwerkError)) throw new Error(`expected a TickwerkError, got ${err}`);
        if (want.error !== true && err.code !== want.error) throw new Error(`code ${err.code}, want ${want.error}: ${err.message}`);
        continue;
      }
      const trigger = build(c);
      if (want.builds) {
        if (want.zone !== undefined && trigger.timezone !== want.zone) throw new Error(`zone ${trigger.timezone}, want ${want.zone}`);
        if (trigger.getNextFireTime(null, isoToMs(c.now)) === null) throw new Error('built, but never fires');
        continue;
      }
      const now = isoToMs(c.now);
      // 1. exact numbers
      let prev;
      let t = trigger.nextFireTimeMs(undefined, now);
      for (const [k, iso] of want.times.entries()) {
        if (t === undefined) throw new Error(`exhausted after ${k} fire times, want ${want.times.length}`);
        if (micros(t) !== micros(isoToMs(iso))) {
          throw new Error(`fire time ${k}: got ${new Date(Math.floor(t)).toISOString()} (+${micros(t) % 1000}µs), want ${iso}`);
        }
        checkedTimes += 1;
        prev = t;
        t = trigger.nextFireTimeMs(prev, prev);
      }
      if (want.exhausted && t !== undefined) throw new Error(`want exhausted, got ${new Date(Math.floor(t)).toISOString()}`);
      // 2. Dates, fed back as `previous` and `now`
      let date = trigger.getNextFireTime(null, now);
      for (const [k, iso] of want.times.entries()) {
        if (date === null) throw new Error(`getNextFireTime: exhausted after ${k}`);
        if (date.getTime() !== Math.floor(isoToMs(iso))) throw new Error(`getNextFireTime ${k}: got ${date.toISOString()}, want ${iso}`);
        date = trigger.getNextFireTime(date, date);
      }
      if (want.exhausted && date !== null) throw new Error(`getNextFireTime: want exhausted, got ${date.toISOString()}`);
    } catch (e) {
      failures.push(`${c.id} ${JSON.stringify(c.trigger)} tz=${c.timezone} now=${c.now}: ${e.message}`);
    }
  }
  assert.ok(checkedTimes > 10000, `only ${checkedTimes} fire times checked`);
  assert.deepEqual(failures.slice(0, 15), [], `${failures.length} of ${cases.length} cases fail`);
});
