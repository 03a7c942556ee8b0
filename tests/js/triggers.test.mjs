// The public trigger API (js/triggers.js over the wasm bindings): constructor shapes of
// API-CONVENTIONS.md, getNextFireTime with Dates / ms / text, microseconds kept across
// Dates we return, jitter, the host-zone default, specs, and every bad-input path with
// its error code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AndTrigger,
  BaseTrigger,
  CalendarIntervalTrigger,
  CronTrigger,
  DateTrigger,
  IntervalTrigger,
  OrTrigger,
  TickwerkError,
  WasmTrigger,
  formatInstant,
  hostTimezone,
  triggerFromSpec,
} from 'tickwerk';
import { assertThrowsCode } from './support.mjs';

const iso = (d) => (d === null ? null : d.toISOString());
const throwsCode = (fn, code, field) => assertThrowsCode(fn, code, field, TickwerkError);

/** The first `n` fire times, each fed back as previous and now (as a scheduler does). */
function walk(trigger, now, n) {
  const out = [];
  let t = trigger.getNextFireTime(null, now);
  while (t !== null && out.length < n) {
    out.push(t);
    t = trigger.getNextFireTime(t, t);
  }
  return out.map(iso);
}

test('CronTrigger: fields as strings or numbers, zone, str()', () => {
  const a = new CronTrigger({ hour: 9, minute: 0, timezone: 'Europe/Berlin' });
  const b = new CronTrigger({ hour: '9', minute: '0', timezone: 'Europe/Berlin' });
  const now = new Date('2026-03-28T12:00:00Z');
  // Berlin switches to CEST on 2026-03-29: 09:00 is 08:00Z before, 07:00Z after.
  assert.deepEqual(walk(a, now, 3), ['2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z', '2026-03-31T07:00:00.000Z']);
  assert.deepEqual(walk(b, now, 3), walk(a, now, 3));
  assert.equal(a.toString(), "cron[hour='9', minute='0']");
  assert.equal(String(a), "cron[hour='9', minute='0']");
  assert.equal(a.timezone, 'Europe/Berlin');
  assert.ok(a instanceof BaseTrigger && a instanceof CronTrigger);
});

test('CronTrigger: dayOfWeek uses APScheduler numbering (0 = Monday), start/end dates', () => {
  const t = new CronTrigger({ dayOfWeek: 0, hour: 6, timezone: 'UTC', startDate: '2026-05-05', endDate: new Date('2026-05-26T00:00:00Z') });
  assert.deepEqual(walk(t, Date.UTC(2026, 4, 1), 10), ['2026-05-11T06:00:00.000Z', '2026-05-18T06:00:00.000Z', '2026-05-25T06:00:00.000Z']);
});

test('CronTrigger.fromCrontab reads a crontab line as crontab does (1-5 = Mon-Fri)', () => {
  const t = CronTrigger.fromCrontab('0 9 * * 1-5', { timezone: 'UTC' });
  assert.ok(t instanceof CronTrigger);
  // 2026-05-02 is a Saturday: next is Monday 05-04.
  assert.deepEqual(walk(t, new Date('2026-05-02T10:00:00Z'), 2), ['2026-05-04T09:00:00.000Z', '2026-05-05T09:00:00.000Z']);
  assert.equal(t.timezone, 'UTC');
});

test('IntervalTrigger: fixed steps of absolute time, str()', () => {
  const start = new Date('2026-01-01T00:00:00Z');
  const t = new IntervalTrigger({ minutes: 2, startDate: start, endDate: '2026-01-01T00:05:00Z', timezone: 'UTC' });
  assert.deepEqual(walk(t, start, 10), ['2026-01-01T00:00:00.000Z', '2026-01-01T00:02:00.000Z', '2026-01-01T00:04:00.000Z']);
  assert.equal(t.toString(), 'interval[0:02:00]');
  // `now` past the start: the first fire time is the first step at or after now.
  assert.equal(iso(t.getNextFireTime(null, '2026-01-01 00:03:00')), '2026-01-01T00:04:00.000Z');
});

test('IntervalTrigger without startDate starts at construction time + interval', () => {
  const before = Date.now();
  const t = new IntervalTrigger({ seconds: 30, timezone: 'UTC' });
  const after = Date.now();
  const first = t.getNextFireTime(null, before).getTime();
  assert.ok(first >= before + 30_000 && first <= after + 30_000, `${first} not in [${before}, ${after}] + 30 s`);
});

test('DateTrigger: text read in its zone, Date, epoch ms; fires once', () => {
  const t = new DateTrigger({ runDate: '2026-05-01 09:30:00', timezone: 'Europe/Berlin' });
  const now = new Date('2026-04-01T00:00:00Z');
  assert.deepEqual(walk(t, now, 5), ['2026-05-01T07:30:00.000Z']);
  assert.equal(t.toString(), 'date[2026-05-01 09:30:00 CEST]');
  const d = new DateTrigger({ runDate: new Date('2026-05-01T07:30:00Z'), timezone: 'UTC' });
  const n = new DateTrigger({ runDate: Date.UTC(2026, 4, 1, 7, 30), timezone: 'UTC' });
  assert.equal(d.toString(), 'date[2026-05-01 07:30:00 UTC]');
  assert.deepEqual(walk(n, now, 5), walk(t, now, 5));
});

test('CalendarIntervalTrigger: calendar steps at a wall-clock time', () => {
  const t = new CalendarIntervalTrigger({ months: 1, hour: 9, minute: 30, startDate: '2026-01-31', timezone: 'Europe/Berlin' });
  // Jan 31 + 1 month: Feb 31 does not exist, so Mar 31; 09:30 is CET in winter, CEST in summer.
  assert.deepEqual(walk(t, new Date('2026-01-01T00:00:00Z'), 3), ['2026-01-31T08:30:00.000Z', '2026-03-31T07:30:00.000Z', '2026-05-31T07:30:00.000Z']);
  assert.match(t.toString(), /^CalendarIntervalTrigger\(months=1, time='09:30:00', start_date='2026-01-31', timezone='Europe\/Berlin'\)$/);
  throwsCode(() => new CalendarIntervalTrigger({ months: 0 }), 'INVALID_ARGUMENT');
  throwsCode(() => new CalendarIntervalTrigger({ days: 1, minutes: 5 }), 'INVALID_ARGUMENT', 'minutes');
});

test('AndTrigger and OrTrigger combine any triggers', () => {
  const nineUtc = new CronTrigger({ hour: 9, timezone: 'UTC' });
  const weekdays = new CronTrigger({ dayOfWeek: 'mon-fri', hour: '*', timezone: 'UTC' });
  const and = new AndTrigger([nineUtc, weekdays]);
  assert.deepEqual(walk(and, new Date('2026-05-01T10:00:00Z'), 2), ['2026-05-04T09:00:00.000Z', '2026-05-05T09:00:00.000Z']);
  const or = new OrTrigger([
    new CronTrigger({ hour: 18, minute: 30, timezone: 'UTC' }),
    new CronTrigger({ hour: 6, minute: 0, timezone: 'UTC' }),
  ]);
  assert.deepEqual(walk(or, new Date('2026-05-01T10:00:00Z'), 3), ['2026-05-01T18:30:00.000Z', '2026-05-02T06:00:00.000Z', '2026-05-02T18:30:00.000Z']);
  assert.equal(or.toString(), "or[cron[hour='18', minute='30'], cron[hour='6', minute='0']]");
  assert.match(and.toString(), /^and\[cron\[hour='9'\], cron\[day_of_week='mon-fri', hour='\*'\]\]$/);
});

test('microseconds survive a round trip through the Dates getNextFireTime returns', () => {
  // Every 500 µs from .250 ms: exact times .25, .75, 1.25, 1.75, 2.25 ms -> Dates 0, 0, 1, 1, 2.
  const t = new IntervalTrigger({ seconds: 0.0005, startDate: '2026-01-01 00:00:00.000250', timezone: 'UTC' });
  const base = Date.UTC(2026, 0, 1);
  const got = walk(t, base, 5).map((s) => Date.parse(s) - base);
  assert.deepEqual(got, [0, 0, 1, 1, 2]);
  // The low-level form shows the microseconds.
  assert.equal(t.nextFireTimeMs(undefined, base) - base, 0.25);
  assert.equal(t.nextFireTimeMs(base + 0.25, base + 0.25) - base, 0.75);
  // A Date the caller made (not one of ours) is taken at face value.
  assert.equal(t.getNextFireTime(new Date(base), base).getTime() - base, 0);
});

test('jitter: run times drawn within [t, t + jitter]; the schedule itself does not drift', () => {
  const start = Date.UTC(2026, 0, 1);
  const t = new IntervalTrigger({ seconds: 10, startDate: start, jitter: 5, timezone: 'UTC' });
  let d = t.getNextFireTime(null, start);
  const offsets = new Set();
  for (let k = 0; k < 50; k += 1) {
    const off = d.getTime() - (start + k * 10_000);
    assert.ok(off >= 0 && off <= 5_000, `run ${k} is ${off} ms after its slot`);
    offsets.add(off);
    d = t.getNextFireTime(d, d);
  }
  assert.ok(offsets.size > 10, 'jitter draws should vary');
});

test('the default zone is the host zone, read in JS', () => {
  const host = hostTimezone();
  assert.equal(typeof host, 'string');
  assert.equal(host, Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  assert.equal(new CronTrigger({ hour: 3 }).timezone, host);
  // An explicit default for specs that name none:
  assert.equal(triggerFromSpec({ type: 'cron', hour: '3' }, { timezone: 'Asia/Tokyo', now: 0 }).timezone, 'Asia/Tokyo');
});

test('toSpec / triggerFromSpec rebuild an equal trigger', () => {
  const now = Date.UTC(2026, 2, 1);
  for (const t of [
    new CronTrigger({ hour: '*/3', minute: 15, timezone: 'America/New_York', jitter: 2 }),
    CronTrigger.fromCrontab('*/5 * * * *', { timezone: 'UTC' }),
    new IntervalTrigger({ hours: 1, minutes: 30, startDate: now, timezone: 'Europe/London' }),
    new DateTrigger({ runDate: '2026-03-29 01:30:00', timezone: 'Europe/London' }),
    new OrTrigger([new CronTrigger({ hour: 1, timezone: 'UTC' }), new CronTrigger({ hour: 2, timezone: 'UTC' })]),
  ]) {
    const spec = t.toSpec();
    assert.equal(typeof spec.type, 'string');
    const again = triggerFromSpec(JSON.parse(JSON.stringify(spec)), { timezone: 'Pacific/Chatham', now: 0 });
    assert.equal(again.toString(), t.toString());
    assert.deepEqual(again.toSpec(), spec);
    assert.deepEqual(
      [1, 2, 3].map((k) => again.nextFireTimeMs(undefined, now + k * 3.6e6)),
      [1, 2, 3].map((k) => t.nextFireTimeMs(undefined, now + k * 3.6e6)),
    );
  }
});

test('formatInstant prints as APScheduler does', () => {
  assert.equal(formatInstant(Date.UTC(2026, 4, 1, 7, 30), 'Europe/Berlin'), '2026-05-01 09:30:00 CEST');
});

test('bad input: every path throws a TickwerkError with a stable code', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  // options object
  throwsCode(() => new CronTrigger('0 9 * * *'), 'INVALID_ARGUMENT', 'options');
  throwsCode(() => new IntervalTrigger(null), 'INVALID_ARGUMENT', 'options');
  throwsCode(() => new DateTrigger([1]), 'INVALID_ARGUMENT', 'options');
  // unknown keys are errors, not ignored
  throwsCode(() => new CronTrigger({ hours: 3 }), 'INVALID_ARGUMENT', 'hours');
  throwsCode(() => new IntervalTrigger({ minute: 2 }), 'INVALID_ARGUMENT', 'minute');
  // cron text
  throwsCode(() => new CronTrigger({ hour: '25' }), 'INVALID_ARGUMENT', 'hour');
  throwsCode(() => new CronTrigger({ dayOfWeek: 'mon-fri/2x' }), 'INVALID_ARGUMENT');
  throwsCode(() => new CronTrigger({ minute: true }), 'INVALID_ARGUMENT', 'minute');
  throwsCode(() => CronTrigger.fromCrontab('0 9 * *'), 'INVALID_ARGUMENT');
  throwsCode(() => CronTrigger.fromCrontab(42), 'INVALID_ARGUMENT', 'expr');
  throwsCode(() => CronTrigger.fromCrontab('0 9 * * *', { jitter: 1 }), 'INVALID_ARGUMENT', 'jitter');
  // zones
  const zoneErr = throwsCode(() => new CronTrigger({ hour: 1, timezone: 'Mars/Olympus_Mons' }), 'UNKNOWN_TIMEZONE', 'timezone');
  assert.match(zoneErr.message, /Mars\/Olympus_Mons/);
  throwsCode(() => new CronTrigger({ hour: 1, timezone: 5 }), 'INVALID_ARGUMENT');
  throwsCode(() => triggerFromSpec({ type: 'cron' }, { timezone: 'Nowhere/City' }), 'UNKNOWN_TIMEZONE');
  throwsCode(() => triggerFromSpec({ type: 'cron' }, { timezone: 3 }), 'INVALID_ARGUMENT', 'timezone');
  // dates
  const dateErr = throwsCode(() => new DateTrigger({ runDate: '2026-02-30' }), 'INVALID_ARGUMENT');
  assert.match(dateErr.message, /2026-02-30/);
  throwsCode(() => new DateTrigger({ runDate: new Date('nonsense') }), 'INVALID_ARGUMENT', 'runDate');
  throwsCode(() => new IntervalTrigger({ minutes: 1, startDate: Number.NaN }), 'INVALID_ARGUMENT', 'startDate');
  throwsCode(() => new IntervalTrigger({ minutes: 1, endDate: {} }), 'INVALID_ARGUMENT', 'endDate');
  throwsCode(() => new DateTrigger({ runDate: 1e20 }), 'INVALID_ARGUMENT');
  // interval lengths
  throwsCode(() => new IntervalTrigger({ seconds: 0 }), 'INVALID_ARGUMENT');
  throwsCode(() => new IntervalTrigger({ minutes: -5 }), 'INVALID_ARGUMENT');
  throwsCode(() => new IntervalTrigger({ minutes: '2' }), 'INVALID_ARGUMENT', 'minutes');
  throwsCode(() => new IntervalTrigger({ minutes: 1, jitter: -1 }), 'INVALID_ARGUMENT', 'jitter');
  // combining
  throwsCode(() => new AndTrigger([]), 'INVALID_ARGUMENT', 'triggers');
  throwsCode(() => new OrTrigger('cron'), 'INVALID_ARGUMENT', 'triggers');
  throwsCode(() => new OrTrigger([new CronTrigger({ hour: 1 }), 'cron']), 'INVALID_ARGUMENT', 'triggers[1]');
  // getNextFireTime arguments: `now` is required, never defaulted
  const t = new CronTrigger({ hour: 1, timezone: 'UTC' });
  throwsCode(() => t.getNextFireTime(null), 'INVALID_ARGUMENT', 'now');
  throwsCode(() => t.getNextFireTime(null, {}), 'INVALID_ARGUMENT', 'now');
  throwsCode(() => t.getNextFireTime(null, Number.POSITIVE_INFINITY), 'INVALID_ARGUMENT', 'now');
  throwsCode(() => t.getNextFireTime('yesterday', now), 'INVALID_ARGUMENT', 'previous');
  throwsCode(() => t.getNextFireTime(null, new Date(Number.NaN)), 'INVALID_ARGUMENT', 'now');
  throwsCode(() => t.nextFireTimeMs(undefined, Number.NaN), 'INVALID_ARGUMENT', 'now');
  // specs
  throwsCode(() => triggerFromSpec(null), 'INVALID_ARGUMENT', 'trigger');
  throwsCode(() => triggerFromSpec({ type: 'weekly' }, { timezone: 'UTC', now: 0 }), 'INVALID_ARGUMENT');
  throwsCode(() => triggerFromSpec({ hour: '1' }, { timezone: 'UTC', now: 0 }), 'INVALID_ARGUMENT');
  throwsCode(() => triggerFromSpec({ type: 'cron', v: 2 }, { timezone: 'UTC', now: 0 }), 'INVALID_ARGUMENT');
});

test('the low-level WasmTrigger throws TickwerkErrors too, for any JS value', () => {
  const weird = [undefined, null, 0, -1, 'cron', true, [], [1, 2], {}, { type: 5 }, { type: 'cron', hour: [] },
    { type: 'and', triggers: 'x' }, { type: 'or', triggers: [{}] }, { type: 'interval', seconds: 1e308 },
    { type: 'date', run_date: -1e300 }, () => 1, Symbol('s'), 10n, new Map(), new Date(0)];
  let thrown = 0;
  for (const spec of weird) {
    for (const zone of ['UTC', undefined, 7, 'Bad/Zone']) {
      for (const nowMs of [0, Number.NaN, 1e300]) {
        try {
          const t = new WasmTrigger(spec, zone, nowMs, 1, 2);
          // A spec that builds must answer queries without trapping.
          t.nextFireTime(undefined, 0);
        } catch (err) {
          assert.ok(err instanceof TickwerkError, `spec ${String(typeof spec)} zone ${String(zone)}: ${err}`);
          assert.equal(typeof err.code, 'string');
          thrown += 1;
        }
      }
    }
  }
  assert.ok(thrown > weird.length * 6, `only ${thrown} rejections`);
});

test('the low-level time exports refuse non-string names instead of trapping', async () => {
  // wasm-bindgen's `&str` parameters trap ("memory access out of bounds") on a non-string;
  // these exports take JS values and check them.
  const core = await import('../../dist/core/tickwerk_core.js');
  const weird = [undefined, null, 0, 5, true, {}, [], () => 1, 10n, Symbol('s')];
  for (const v of weird) {
    assert.equal(core.isKnownTimezone(v), false);
    throwsCode(() => core.formatInstant(0, v), 'INVALID_ARGUMENT');
    throwsCode(() => core.parseDate(v, '2026-01-01', 'UTC'), 'INVALID_ARGUMENT');
    throwsCode(() => core.parseDate('run_date', v, 'UTC'), 'INVALID_ARGUMENT');
    throwsCode(() => core.parseDate('run_date', '2026-01-01', v), 'INVALID_ARGUMENT');
  }
  // and still work afterwards
  assert.equal(core.formatInstant(0, 'UTC'), '1970-01-01 00:00:00 UTC');
  assert.equal(core.parseDate('run_date', '2026-01-01 12:00:00', 'UTC'), Date.UTC(2026, 0, 1, 12));
});
