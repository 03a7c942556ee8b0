// Seeded fuzzing of the public JS API with hostile and careless input. Every call must
// either return (resolve) or throw (reject) a TickwerkError with a documented code; after a
// failed call the object must still work (a sentinel call succeeds); no call may take more
// than 2 s; Object.prototype must never gain a property; nothing may escape as an uncaught
// exception or unhandled rejection (a started scheduler with a real interval job runs on
// real timers all along, next to fake-clock schedulers and raw SchedulerCores).
//
//   FUZZ_SEED=<n>     the seed (printed; a failure names seed + call index + the call)
//   FUZZ_CALLS=<n>    number of calls (default 4000, a few seconds)
//   FUZZ_TRACE=1      print every call before it runs (to find a call that hangs or crashes)
//   FUZZ_ALL=1        list every failing call, not only the first example of each class
//   FUZZ_PROFILE=1    print where the time goes (by entry point and by hostile value)
//
// Longer run: FUZZ_CALLS=200000 node --test tests/js/fuzz.test.mjs (about 2 minutes)
//
// Notes. Each argument is drawn valid-ish or hostile (revoked Proxies, throwing traps and
// getters, null-prototype objects, own `__proto__`/`constructor`/`prototype` keys and flat
// config keys aiming at them, 1e6-char strings, huge and sparse arrays, deep nesting,
// cycles, BigInt, Symbol, NaN, ±Infinity, odd numbers, Dates valid, invalid, proxied or with a
// throwing getTime, functions), so many calls succeed. User-supplied adapters, executors,
// loggers, listeners and job functions misbehave too (their exceptions must not escape as
// anything but a TickwerkError, nor from timers); only printJobs' `out`, a callback called
// synchronously, is never a throwing function. A hostile value that made a call exceed 2 s
// is reported once and not used again in that run (and the object it was called on is
// replaced, as is one a call broke). Every scheduler defaults to
// `keepAlive: false`, so one that a call broke cannot keep the process alive; a watchdog
// thread kills the process (naming seed and call) when one call blocks for 30 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeSync } from 'node:fs';
import { types } from 'node:util';
import { Worker } from 'node:worker_threads';
import * as tw from '../../dist/node.js';
import { prng } from './support.mjs';

const {
  AndTrigger, CalendarIntervalTrigger, CronTrigger, DateTrigger, IntervalTrigger, OrTrigger, Scheduler, SchedulerCore,
  TickwerkError, formatInstant, triggerFromSpec, corruptEntry, EVENT_ALL, EVENT_JOB_EXECUTED,
} = tw;

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CALLS = Number(process.env.FUZZ_CALLS ?? 4000);
const TRACE = Boolean(process.env.FUZZ_TRACE);
const PROFILE = Boolean(process.env.FUZZ_PROFILE);
const CALL_LIMIT_MS = 2000;
// removeExecutor / shutdown with `wait` wait for running jobs by contract: a job draining a long
// non-coalescing backlog can legitimately take longer than one call's bound on a loaded machine.
const WAITING_CALL_LIMIT_MS = 30_000;
const waitsForJobs = (o) => {
  try {
    return o[0]?.wait !== false;
  } catch {
    return true; // a hostile options object: the call fails fast anyway
  }
};
const CODES = new Set([
  'INVALID_ARGUMENT', 'UNKNOWN_TIMEZONE', 'CONFLICTING_ID', 'JOB_NOT_FOUND', 'SCHEDULER_ALREADY_RUNNING',
  'SCHEDULER_NOT_RUNNING', 'UNKNOWN_ALIAS', 'UNSERIALIZABLE', 'CORRUPT_RECORD', 'STORE_FAILURE',
]);

// ----- randomness ----------------------------------------------------------------------

const rand = prng(SEED);
const int = (n) => Math.floor(rand() * n);
const chance = (p) => rand() < p;
const pick = (arr) => arr[int(arr.length)];

// ----- hostile values --------------------------------------------------------------------

/** What our own traps and getters throw: seeing it escape means input was read unguarded. */
class HostileError extends Error {
  constructor(what) {
    super(`hostile ${what}`);
    this.name = 'HostileError';
  }
}
const boom = (what) => {
  throw new HostileError(what);
};

const throwingHandler = Object.fromEntries(
  ['get', 'set', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'defineProperty', 'deleteProperty', 'apply', 'construct', 'isExtensible']
    .map((trap) => [trap, () => boom(`${trap} trap`)]),
);
const revoked = (target) => {
  const r = Proxy.revocable(target, {});
  r.revoke();
  return r.proxy;
};
const KEYS = ['seconds', 'minutes', 'id', 'timezone', 'type', 'hour', 'second', 'jobstore', 'args', 'kwargs', 'trigger', 'runDate', 'startDate',
  'func', 'name', 'coalesce', 'now', 'load', 'apply', 'submit', 'call', 'out', 'jitter', 'expr', 'jobDefaults', 'version', 'next_run_time'];
function throwingGetters() {
  const o = {};
  for (const k of KEYS) Object.defineProperty(o, k, { get: () => boom(`getter ${k}`), enumerable: chance(0.7) });
  return o;
}
function ownProtoKey(value) {
  const o = { seconds: 5 };
  Object.defineProperty(o, '__proto__', { value, enumerable: true, configurable: true, writable: true });
  return o;
}
class EvilDate extends Date {
  getTime() {
    return boom('Date.getTime');
  }
}

// Built once: they are big.
const HUGE = 'x'.repeat(1e6);
const HUGE_DIGITS = '7'.repeat(1e6);
const SPARSE = new Array(2 ** 26);
const MAXLEN = [];
MAXLEN.length = 2 ** 32 - 1;
let DEEP_ARR = [];
for (let i = 0; i < 100_000; i += 1) DEEP_ARR = [DEEP_ARR];
let DEEP_OBJ = {};
for (let i = 0; i < 100_000; i += 1) DEEP_OBJ = { a: DEEP_OBJ };
const CYCLIC = { seconds: 1 };
CYCLIC.self = CYCLIC;
CYCLIC.list = [CYCLIC];
const CYCLIC_ARR = [1];
CYCLIC_ARR.push(CYCLIC_ARR);
const MANY_KEYS = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i]));

/** [description, factory] of hostile values (a fresh value per use where it matters). */
const HOSTILE = [
  ['revoked Proxy', () => revoked({})],
  ['revoked Proxy (array)', () => revoked([])],
  ['revoked Proxy (function)', () => revoked(() => {})],
  ['Proxy whose traps throw', () => new Proxy({}, throwingHandler)],
  ['array Proxy whose traps throw', () => new Proxy([1, 2], throwingHandler)],
  ['function Proxy whose traps throw', () => new Proxy(() => {}, throwingHandler)],
  ['object with throwing getters', throwingGetters],
  ['array with a throwing index getter', () => {
    const a = [1, 2, 3];
    Object.defineProperty(a, 1, { get: () => boom('index getter'), enumerable: true });
    return a;
  }],
  ['Object.create(null)', () => Object.create(null)],
  ['Object.create(null) with keys', () => Object.assign(Object.create(null), { seconds: 1, type: 'interval', id: 'a' })],
  ['own __proto__ key {polluted}', () => ownProtoKey({ polluted: 'yes' })],
  ['JSON.parse own __proto__', () => JSON.parse('{"__proto__": {"polluted": "yes"}, "type": "interval", "seconds": 1}')],
  ['{constructor: {prototype: {polluted}}}', () => ({ constructor: { prototype: { polluted: 'yes' } } })],
  ['{prototype: {polluted}}', () => ({ prototype: { polluted: 'yes' } })],
  ['object with throwing toString/valueOf/toPrimitive', () => ({
    toString: () => boom('toString'), valueOf: () => boom('valueOf'), [Symbol.toPrimitive]: () => boom('toPrimitive'), toJSON: () => boom('toJSON'),
  })],
  ['1e6-char string', () => HUGE],
  ['1e6-digit string', () => HUGE_DIGITS],
  ['sparse new Array(2**26)', () => SPARSE],
  ['array of length 2**32-1', () => MAXLEN],
  ['array nested 1e5 deep', () => DEEP_ARR],
  ['object nested 1e5 deep', () => DEEP_OBJ],
  ['cyclic object', () => CYCLIC],
  ['cyclic array', () => CYCLIC_ARR],
  ['object with 20000 keys', () => MANY_KEYS],
  ['BigInt 1n', () => 1n],
  ['BigInt 2n**70n', () => 2n ** 70n],
  ['Symbol()', () => Symbol('fuzz')],
  ['NaN', () => NaN],
  ['Infinity', () => Infinity],
  ['-Infinity', () => -Infinity],
  ['-1', () => -1],
  ['1.5', () => 1.5],
  ['0', () => 0],
  ['-0', () => -0],
  ['2**53', () => 2 ** 53],
  ['2**32', () => 2 ** 32],
  ['1e308', () => 1e308],
  ['-8.64e15', () => -8.64e15],
  ['null', () => null],
  ['undefined', () => undefined],
  ["'5'", () => '5'],
  ["''", () => ''],
  ["'NaN'", () => 'NaN'],
  ["'\\ud800' (lone surrogate)", () => '\ud800'],
  ["'\\u0000'", () => '\u0000'],
  ["'__proto__'", () => '__proto__'],
  ['true', () => true],
  ['valid Date', () => new Date(Date.UTC(2026, 4, 1, 9, 30))],
  ['invalid Date', () => new Date(NaN)],
  ['Date subclass whose getTime throws', () => new EvilDate(0)],
  ['Proxy of a Date', () => new Proxy(new Date(0), {})],
  ['arrow function', () => () => 1],
  ['class', () => class Foo {}],
  ['async function', () => async () => 1],
  ['[]', () => []],
  ['{}', () => ({})],
  ['Map', () => new Map([['seconds', 1]])],
  ['Uint8Array', () => new Uint8Array(4)],
  ['frozen object', () => Object.freeze({ seconds: 1 })],
  ['pending Promise', () => new Promise(() => {})],
];

/** A value: [value, description, hostile?]. */
function hostile() {
  const [desc, make] = pick(HOSTILE);
  return [make(), `<${desc}>`, true];
}
/** A hostile value that cannot be called (for callbacks invoked synchronously, such as
 *  printJobs' `out`: a callback that throws may rethrow, as Array.prototype.forEach does). */
function hostileNotCallable() {
  for (;;) {
    const v = hostile();
    if (typeof v[0] !== 'function') return v;
  }
}
const valid = (value, desc = show(value)) => [value, desc, false];
function show(v) {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'function') return v.fnName ?? 'fn';
  if (v instanceof Date) return `Date(${Number.isNaN(v.getTime()) ? 'NaN' : v.toISOString()})`;
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}: ${show(x)}`).join(', ')}}`;
  return String(v);
}
/** With probability `p`, a hostile value; else `gen()`. */
const maybe = (gen, p = 0.2) => (chance(p) ? hostile() : gen());

/** An options object from [key, value-triple] pairs; sometimes with a hostile or unknown key. */
function obj(pairs, { extra = 0.1 } = {}) {
  const o = {};
  const parts = [];
  const list = pairs.filter(Boolean);
  if (chance(extra)) {
    const key = pick(['__proto__', 'constructor', 'prototype', 'bogusKey', 'Seconds', HUGE.slice(0, 1000), 'toString']);
    list.push([key, chance(0.5) ? valid({ polluted: 'yes' }, '{polluted}') : hostile()]);
  }
  let hostileUsed = false;
  for (const [k, [v, d, h]] of list) {
    Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
    parts.push(`${k.length > 20 ? `${k.slice(0, 20)}…` : k}: ${d}`);
    hostileUsed ||= h;
  }
  return [o, `{${parts.join(', ')}}`, hostileUsed];
}
/** Whole-object hostility: the object itself replaced by a hostile value now and then. */
const options = (gen, p = 0.1) => (chance(p) ? hostile() : gen());

// ----- valid-ish values --------------------------------------------------------------------

const now0 = Date.UTC(2026, 0, 1);
const zone = () => valid(pick(['UTC', 'UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', '+05:30', '-03:00', 'Nope/Nowhere', 'utc', '']));
const dateish = () => valid(pick([
  new Date(now0 + int(1e9)), now0 + int(1e9), now0 + 0.5, '2026-05-01 09:30:00', '2026-05-01T09:30:00+02:00', '2026-02-30', 'tomorrow', null,
]));
const smallInt = () => valid(pick([1, 2, 5, 10, 30, 60, 0, -5, 3.5, 1e9, '5']));
const cronField = () => valid(pick(['*', '*/5', '1-5', '0', 7, 59, '1,2,3', 'mon-fri', 'last fri', '2nd mon', 'last', 'L', '*/0', '99', 'x', '', '5-1', '*/2,3']));
const jitter = () => valid(pick([undefined, null, 0, 1, 2.5, -1]));

const TRIGGER_GENS = {
  interval: () => [['seconds', maybe(smallInt)], chance(0.3) && ['minutes', maybe(smallInt)], chance(0.2) && ['hours', maybe(smallInt)],
    chance(0.3) && ['startDate', maybe(dateish)], chance(0.2) && ['endDate', maybe(dateish)], chance(0.3) && ['timezone', maybe(zone)],
    chance(0.2) && ['jitter', maybe(jitter)]],
  cron: () => [chance(0.6) && ['second', maybe(cronField)], chance(0.5) && ['minute', maybe(cronField)], chance(0.4) && ['hour', maybe(cronField)],
    chance(0.3) && ['dayOfWeek', maybe(cronField)], chance(0.2) && ['day', maybe(cronField)], chance(0.1) && ['year', maybe(cronField)],
    chance(0.1) && ['week', maybe(cronField)], chance(0.1) && ['month', maybe(cronField)], chance(0.3) && ['timezone', maybe(zone)],
    chance(0.2) && ['startDate', maybe(dateish)], chance(0.2) && ['endDate', maybe(dateish)], chance(0.1) && ['jitter', maybe(jitter)]],
  date: () => [chance(0.8) && ['runDate', maybe(dateish)], chance(0.3) && ['timezone', maybe(zone)]],
  calendarinterval: () => [chance(0.5) && ['days', maybe(smallInt)], chance(0.3) && ['months', maybe(smallInt)], chance(0.2) && ['years', maybe(smallInt)],
    chance(0.2) && ['weeks', maybe(smallInt)], chance(0.3) && ['hour', maybe(smallInt)], chance(0.2) && ['startDate', maybe(dateish)],
    chance(0.3) && ['timezone', maybe(zone)]],
  crontab: () => [['expr', maybe(() => valid(pick(['*/5 * * * *', '0 3 * * 1-5', '@daily', '0 0 L * *', '0 0 5#2 * *', '* * *', '61 * * * *', '0 0 * * 7'])))],
    chance(0.3) && ['timezone', maybe(zone)]],
};
const ALIASES = Object.keys(TRIGGER_GENS);

// Functions jobs may run.
const named = (fn, name) => Object.assign(fn, { fnName: name });
/** The keeper's interval (s): short, so its timer fires often during the run. */
const KEEPER_INTERVAL = 0.05;
let keeperRuns = 0;
const keeperFn = named(() => {
  keeperRuns += 1;
}, 'keeperFn');
const okFn = named(() => 1, 'okFn');
const FUNCS = [
  okFn,
  named(async () => 2, 'asyncFn'),
  named(() => {
    throw new Error('job failed');
  }, 'throwingFn'),
  named(() => {
    throw revoked({});
  }, 'throwsRevokedProxyFn'),
  named(() => revoked({}), 'returnsRevokedProxyFn'),
  named(() => ({ toJSON: () => boom('toJSON of a result') }), 'returnsToJSONThrowerFn'),
  named(() => 10n, 'returnsBigIntFn'),
];
const funcArg = () => (chance(0.15) ? hostile() : valid(pick([...FUNCS, 'tick', 'other', 'nope', 'mod#export', 'tick'])));

const IDS = ['a', 'b', 'c', 'd', 'job-1'];
const jobId = () => maybe(() => valid(pick(IDS)), 0.15);
const storeAlias = () => maybe(() => valid(pick(['default', 'default', 'mem2', 'disk', 'nope', undefined])), 0.15);
const execAlias = () => maybe(() => valid(pick(['default', 'default', 'ex2', 'nope'])), 0.15);
const argsVal = () => maybe(() => valid(pick([[], [1, 'two'], [{ a: 1 }], [null], undefined])), 0.25);
const kwargsVal = () => maybe(() => valid(pick([{}, { x: 1 }, { nested: { y: [1] } }, undefined])), 0.25);

function jobOptionPairs() {
  return [
    chance(0.7) && ['id', jobId()],
    chance(0.2) && ['name', maybe(() => valid(pick(['n', 'a name', ''])))],
    chance(0.3) && ['args', argsVal()],
    chance(0.2) && ['kwargs', kwargsVal()],
    chance(0.2) && ['misfireGraceTime', maybe(() => valid(pick([1, 30, null, 0, -1, 1.5, '10'])))],
    chance(0.2) && ['coalesce', maybe(() => valid(pick([true, false, 'false', 'yes', 2])))],
    chance(0.2) && ['maxInstances', maybe(() => valid(pick([1, 3, 0, -1, 1.5, '2'])))],
    chance(0.15) && ['nextRunTime', maybe(dateish)],
    chance(0.3) && ['jobstore', storeAlias()],
    chance(0.2) && ['executor', execAlias()],
    chance(0.5) && ['replaceExisting', maybe(() => valid(pick([true, false, 'true'])))],
  ];
}

/** A trigger argument: an alias (with its options mixed into the job options) or an instance. */
function triggerArg(ctx) {
  const r = rand();
  if (r < 0.55) {
    const alias = pick(ALIASES);
    return { trigger: valid(alias), pairs: TRIGGER_GENS[alias]() };
  }
  if (r < 0.8 && ctx.triggers.length > 0) return { trigger: valid(pick(ctx.triggers), '<trigger instance>'), pairs: [] };
  if (r < 0.9) return { trigger: hostile(), pairs: [] };
  return { trigger: valid(pick([undefined, null, 'bogus', 'Cron'])), pairs: [] };
}

// ----- clocks, loggers, stores, executors, listeners -----------------------------------

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function fakeClock(start = now0) {
  const timers = new Set();
  const clock = {
    t: start,
    now: () => clock.t,
    setTimer: (fn, ms) => {
      const h = { fn, at: clock.t + (Number.isFinite(ms) ? ms : 0) };
      timers.add(h);
      return h;
    },
    clearTimer: (h) => {
      timers.delete(h);
    },
    advance(ms) {
      clock.t += ms;
      for (const h of [...timers].sort((a, b) => a.at - b.at)) {
        if (h.at > clock.t) break;
        timers.delete(h);
        h.fn();
      }
    },
  };
  return clock;
}

/** An honest in-memory adapter (a persistent store as far as the scheduler knows). */
function memoryAdapter(initial = []) {
  // Keyed by position until a put names the job (initial records may be hostile values).
  const records = new Map(initial.map((r, i) => [`#${i}`, r]));
  return {
    records,
    load: async () => [...records.values()],
    apply: async (ops) => {
      for (const op of ops) {
        if (op.op === 'put') records.set(op.jobId, op.record);
        else if (op.op === 'remove') records.delete(op.jobId);
        else records.clear();
      }
    },
  };
}

const VALID_RECORD = {
  version: 1, id: 'rec', func: 'tick', args: [], kwargs: {}, name: 'tick', executor: 'default', coalesce: true, max_instances: 1,
  misfire_grace_time: 1, next_run_time: now0 * 1000 + 5e6, run_at: now0 * 1000 + 5e6,
  trigger: { type: 'interval', seconds: 5, start_date: '2026-01-01T00:00:00+00:00', timezone: 'UTC', v: 1 },
};
/** A job record: valid, a field replaced by a hostile value, a field removed, or hostile whole. */
function record() {
  const r = rand();
  if (r < 0.15) return hostile();
  const rec = structuredClone(VALID_RECORD);
  const id = pick(IDS);
  rec.id = id;
  if (r < 0.4) return valid(rec, `record(${id})`);
  const field = pick(Object.keys(rec).concat(['trigger.type', 'trigger.seconds', 'trigger.timezone']));
  if (chance(0.2)) {
    if (field.startsWith('trigger.')) delete rec.trigger[field.slice(8)];
    else delete rec[field];
    return valid(rec, `record(${id} without ${field})`);
  }
  const [v, d] = hostile();
  if (field.startsWith('trigger.')) rec.trigger[field.slice(8)] = v;
  else rec[field] = v;
  return [rec, `record(${id} with ${field}: ${d})`, true];
}

function storeSpec() {
  const r = rand();
  if (r < 0.25) return valid(pick(['memory', { type: 'memory' }, 'localstorage', 'indexeddb', { type: 'bogus' }]));
  if (r < 0.5) return valid(memoryAdapter(), 'memoryAdapter()');
  if (r < 0.6) {
    const recs = Array.from({ length: 1 + int(3) }, record);
    return [memoryAdapter(recs.map((x) => x[0])), `memoryAdapter(${recs.map((x) => x[1]).join(', ')})`, true];
  }
  if (r < 0.8) {
    const bad = pick([
      ['load() → not an array', { load: async () => 'nope', apply: async () => {} }],
      ['load() throws HostileError', { load: () => boom('load'), apply: async () => {} }],
      ['load() rejects a revoked Proxy', { load: async () => { throw revoked({}); }, apply: async () => {} }],
      ['load() → [revoked Proxy]', { load: async () => [revoked({})], apply: async () => {} }],
      ['load() → a revoked Proxy', { load: async () => revoked([]), apply: async () => {} }],
      ['load() → [corruptEntry]', { load: async () => [corruptEntry('k', 'bad')], apply: async () => {} }],
      ['load() → [throwing getters]', { load: async () => [throwingGetters()], apply: async () => {} }],
      ['apply() throws', { load: async () => [], apply: () => boom('apply') }],
      ['apply() rejects', { load: async () => [], apply: async () => { throw new Error('disk full'); } }],
      ['bind() throws', { load: async () => [], apply: async () => {}, bind: () => boom('bind') }],
      ['close() throws', { load: async () => [], apply: async () => {}, close: () => boom('close') }],
      ['{type: custom, store: revoked}', { type: 'custom', store: revoked({}) }],
    ]);
    return [bad[1], `<store: ${bad[0]}>`, true];
  }
  return hostile();
}

function executorSpec() {
  const r = rand();
  if (r < 0.4) return valid(pick(['default', 'threadpool', { type: 'default', maxWorkers: 2 }, { maxWorkers: '3' }, { type: 'worker', maxWorkers: 1 }, 'bogus', { maxWorkers: 0 }]));
  if (r < 0.7) {
    const bad = pick([
      ['submit() throws', { submit: () => boom('submit'), call: async () => 1, shutdown: async () => {} }],
      ['call() throws a revoked Proxy', { submit: (task) => { task(); }, call: () => { throw revoked({}); }, shutdown: async () => {} }],
      ['shutdown() throws', { submit: (task) => { task(); }, call: async () => 1, shutdown: () => boom('executor shutdown') }],
      ['maxWorkers getter throws', { submit: (task) => { task(); }, call: async () => 1, shutdown: async () => {}, get maxWorkers() { return boom('maxWorkers'); } }],
      ['type: revoked Proxy', { submit: (task) => { task(); }, call: async () => 1, shutdown: async () => {}, type: revoked({}) }],
      ['{maxWorkers: 1e9}', { maxWorkers: 1e9 }],
    ]);
    return [bad[1], `<executor: ${bad[0]}>`, true];
  }
  return hostile();
}

function loggerVal() {
  const r = rand();
  if (r < 0.7) return valid(quiet, 'quietLogger');
  if (r < 0.85) return valid({ debug() {}, info() {}, warn() {}, error: () => boom('logger.error') }, '<logger whose error() throws>');
  return hostile();
}

let lastFakeClock;
function clockVal() {
  const r = rand();
  if (r < 0.75) {
    lastFakeClock = fakeClock();
    return valid(lastFakeClock, 'fakeClock()');
  }
  if (r < 0.85) return valid({ now: () => NaN, setTimer: () => 0, clearTimer: () => {} }, '<clock: now() → NaN>');
  return hostile();
}

function listenerVal() {
  return valid(pick([
    named(() => {}, 'noopListener'),
    named(() => boom('listener'), 'throwingListener'),
    named(() => {
      throw revoked({});
    }, 'throwsRevokedListener'),
    named((e) => String(e.retval) + String(e.exception), 'stringifyingListener'),
  ]));
}

/** Scheduler options: nested keys, flat keys (some aiming at prototypes), hostile values. */
function schedulerOptions() {
  const pairs = [
    chance(0.6) && ['timezone', maybe(zone)],
    chance(0.3) && ['jobDefaults', options(() => obj([
      chance(0.5) && ['misfireGraceTime', maybe(() => valid(pick([1, null, 30, '10', -1])))],
      chance(0.5) && ['coalesce', maybe(() => valid(pick([true, 'false', 'maybe'])))],
      chance(0.5) && ['maxInstances', maybe(() => valid(pick([1, 3, '2', 0])))],
    ]))],
    chance(0.3) && ['jobstores', options(() => obj([['default', storeSpec()], chance(0.5) && ['mem2', storeSpec()], chance(0.3) && ['disk', storeSpec()]]))],
    chance(0.3) && ['executors', options(() => obj([['default', executorSpec()], chance(0.5) && ['ex2', executorSpec()]]))],
    chance(0.4) && ['functions', options(() => obj([['tick', maybe(() => valid(okFn), 0.1)], chance(0.3) && ['other', valid(FUNCS[1])]]))],
    ['logger', loggerVal()],
    chance(0.8) && ['clock', clockVal()],
    // keepAlive: false unless drawn otherwise, so that a scheduler a call bricked (it can no
    // longer be shut down) cannot keep the test process alive.
    ['keepAlive', chance(0.2) ? maybe(() => valid(pick(['false', 'no', 2]))) : valid(false)],
    chance(0.3) && ['seed', maybe(() => valid(pick([1, 42, '7', 12345678901234567890n, -1, 1.5])))],
  ];
  if (chance(0.35)) {
    const key = pick([
      'tickwerk.jobDefaults.__proto__.polluted', 'apscheduler.job_defaults.__proto__.polluted', 'tickwerk.__proto__.polluted',
      'tickwerk.jobDefaults.constructor.prototype.polluted', 'apscheduler.jobstores.__proto__.polluted', 'tickwerk.executors.prototype.polluted',
      'tickwerk.jobDefaults.coalesce', 'apscheduler.job_defaults.misfire_grace_time', 'apscheduler.timezone', 'tickwerk.timezone.length',
      'tickwerk.jobstores.default.type', 'tickwerk.executors.default.max_workers', 'tickwerk.', 'apscheduler..x', 'tickwerk.jobDefaults',
      'tickwerk.jobstores.default', 'tickwerk.bogus', '__proto__', 'constructor', 'job_defaults',
    ]);
    pairs.push([key, chance(0.6) ? valid(pick(['yes', 'false', '10', 'UTC', 'memory'])) : maybe(() => valid({ polluted: 'yes' }, '{polluted}'), 0.5)]);
  }
  return options(() => obj(pairs, { extra: 0.05 }), 0.05);
}

// ----- the world the fuzzer acts on ---------------------------------------------------------

/** Schedulers a sentinel found broken (reported once, then replaced). */
const bricked = new WeakSet();

const ctx = {
  schedulers: [], // { s, clock?, label, keeper? }
  cores: [], // { c, now, runs: [] }
  triggers: [],
  jobs: [],
  created: [], // every Scheduler, to shut down at the end
};

function addScheduler(entry) {
  ctx.created.push(entry.s);
  if (ctx.schedulers.length < 8) ctx.schedulers.push(entry);
  else {
    // Replace a non-keeper scheduler; stop the old one.
    const i = 1 + int(ctx.schedulers.length - 1);
    ctx.schedulers[i] = entry;
  }
}

const triggerDesc = new WeakMap();
const jobOwner = new WeakMap();
const tdesc = (t) => triggerDesc.get(t) ?? 'a trigger';

function addTrigger(t, desc) {
  triggerDesc.set(t, desc);
  if (ctx.triggers.length < 24) ctx.triggers.push(t);
  else ctx.triggers[int(ctx.triggers.length)] = t;
}

// Checks the internal slot, not `instanceof`: a call may return the caller's own hostile value
// (`scheduledJob(…)(fn)` returns `fn`), and `instanceof` on a revoked Proxy throws.
const isThenable = (x) => types.isPromise(x);

// ----- entry points ---------------------------------------------------------------------
// Each returns { desc, target, run }: `target` is what the sentinel checks after a failure.

const anyScheduler = () => pick(ctx.schedulers);
const notKeeper = () => pick(ctx.schedulers.filter((e) => !e.keeper));
const fmt = (v) => v[1];

const ENTRIES = [
  ['new Scheduler', 4, () => {
    lastFakeClock = undefined;
    const o = schedulerOptions();
    const clock = lastFakeClock;
    return {
      desc: `new Scheduler(${fmt(o)})`,
      target: null,
      run: () => {
        const s = new Scheduler(o[0]);
        addScheduler({ s, clock, label: `sched${ctx.created.length}` });
        return s;
      },
    };
  }],
  ['configure', 3, () => {
    const e = anyScheduler();
    lastFakeClock = undefined;
    const o = schedulerOptions();
    const clock = lastFakeClock;
    return {
      desc: `${e.label}.configure(${fmt(o)})`,
      target: e,
      run: () => {
        e.s.configure(o[0]);
        if (clock) e.clock = clock;
      },
    };
  }],
  ['addJob', 14, () => {
    const e = anyScheduler();
    const f = funcArg();
    const { trigger, pairs } = triggerArg(ctx);
    const o = options(() => obj([...jobOptionPairs(), ...pairs]), 0.08);
    const form = rand();
    if (form < 0.1) return { desc: `${e.label}.addJob(${fmt(f)}, ${fmt(o)})`, target: e, run: () => e.s.addJob(f[0], o[0]) };
    return {
      desc: `${e.label}.addJob(${fmt(f)}, ${fmt(trigger)}, ${fmt(o)})`,
      target: e,
      run: () => {
        const job = e.s.addJob(f[0], trigger[0], o[0]);
        jobOwner.set(job, e.s);
        ctx.jobs.push(job);
        if (ctx.jobs.length > 30) ctx.jobs.shift();
        return job;
      },
    };
  }],
  ['scheduledJob', 1, () => {
    const e = anyScheduler();
    const { trigger, pairs } = triggerArg(ctx);
    const o = options(() => obj([...jobOptionPairs(), ...pairs]), 0.08);
    const f = funcArg();
    return { desc: `${e.label}.scheduledJob(${fmt(trigger)}, ${fmt(o)})(${fmt(f)})`, target: e, run: () => e.s.scheduledJob(trigger[0], o[0])(f[0]) };
  }],
  ['modifyJob', 5, () => {
    const e = anyScheduler();
    const id = jobId();
    const changes = options(() => obj([
      chance(0.3) && ['name', maybe(() => valid('renamed'))],
      chance(0.2) && ['func', funcArg()],
      chance(0.2) && ['args', argsVal()],
      chance(0.2) && ['kwargs', kwargsVal()],
      chance(0.2) && ['trigger', ctx.triggers.length && chance(0.7) ? valid(pick(ctx.triggers), '<trigger instance>') : hostile()],
      chance(0.2) && ['executor', execAlias()],
      chance(0.2) && ['misfireGraceTime', maybe(() => valid(pick([1, null, -1])))],
      chance(0.2) && ['coalesce', maybe(() => valid(false))],
      chance(0.2) && ['maxInstances', maybe(() => valid(2))],
      chance(0.2) && ['nextRunTime', maybe(dateish)],
      chance(0.3) && ['jobstore', storeAlias()],
      chance(0.05) && ['id', valid('other-id')],
    ]), 0.1);
    return { desc: `${e.label}.modifyJob(${fmt(id)}, ${fmt(changes)})`, target: e, run: () => e.s.modifyJob(id[0], changes[0]) };
  }],
  ['rescheduleJob', 4, () => {
    const e = anyScheduler();
    const id = jobId();
    const { trigger, pairs } = triggerArg(ctx);
    const o = options(() => obj([...pairs, chance(0.3) && ['jobstore', storeAlias()]]), 0.08);
    return { desc: `${e.label}.rescheduleJob(${fmt(id)}, ${fmt(trigger)}, ${fmt(o)})`, target: e, run: () => e.s.rescheduleJob(id[0], trigger[0], o[0]) };
  }],
  ...['pauseJob', 'resumeJob', 'removeJob', 'getJob'].map((m) => [m, 3, () => {
    const e = anyScheduler();
    const id = jobId();
    const st = chance(0.4) ? storeAlias() : valid(undefined);
    return { desc: `${e.label}.${m}(${fmt(id)}, ${fmt(st)})`, target: e, run: () => e.s[m](id[0], st[0]) };
  }]),
  ...['getJobs', 'removeAllJobs', 'removeJobstore'].map((m) => [m, 2, () => {
    const e = anyScheduler();
    const st = chance(0.6) ? storeAlias() : valid(undefined);
    return { desc: `${e.label}.${m}(${fmt(st)})`, target: e, run: () => e.s[m](st[0]) };
  }]),
  ['printJobs', 2, () => {
    const e = anyScheduler();
    const st = chance(0.5) ? storeAlias() : valid(undefined);
    const out = chance(0.3) ? hostileNotCallable() : valid(pick([named(() => {}, 'sink'), { write() {} }]));
    const o = chance(0.2) ? hostileNotCallable() : obj([['out', out]]);
    return { desc: `${e.label}.printJobs(${fmt(st)}, ${fmt(o)})`, target: e, run: () => e.s.printJobs(st[0], o[0]) };
  }],
  ['addListener', 2, () => {
    const e = anyScheduler();
    const fn = maybe(listenerVal, 0.3);
    const mask = maybe(() => valid(pick([EVENT_ALL, EVENT_JOB_EXECUTED, undefined, 0, -1])), 0.3);
    return { desc: `${e.label}.addListener(${fmt(fn)}, ${fmt(mask)})`, target: e, run: () => e.s.addListener(fn[0], mask[0]) };
  }],
  ['removeListener', 1, () => {
    const e = anyScheduler();
    const fn = maybe(listenerVal, 0.5);
    return { desc: `${e.label}.removeListener(${fmt(fn)})`, target: e, run: () => e.s.removeListener(fn[0]) };
  }],
  ['registerFunction', 1, () => {
    const e = anyScheduler();
    const name = maybe(() => valid(pick(['tick', 'other', 'x'])), 0.4);
    const fn = maybe(() => valid(pick(FUNCS)), 0.3);
    return { desc: `${e.label}.registerFunction(${fmt(name)}, ${fmt(fn)})`, target: e, run: () => e.s.registerFunction(name[0], fn[0]) };
  }],
  ['addJobstore', 3, () => {
    const e = anyScheduler();
    const spec = storeSpec();
    const alias = chance(0.8) ? storeAlias() : valid(undefined);
    return { desc: `${e.label}.addJobstore(${fmt(spec)}, ${fmt(alias)})`, target: e, run: () => e.s.addJobstore(spec[0], alias[0]) };
  }],
  ['addExecutor', 3, () => {
    const e = anyScheduler();
    const spec = executorSpec();
    const alias = chance(0.8) ? execAlias() : valid(undefined);
    return { desc: `${e.label}.addExecutor(${fmt(spec)}, ${fmt(alias)})`, target: e, run: () => e.s.addExecutor(spec[0], alias[0]) };
  }],
  ['removeExecutor', 2, () => {
    const e = anyScheduler();
    const alias = execAlias();
    const o = chance(0.3) ? maybe(() => obj([['wait', maybe(() => valid(pick([true, false])))]])) : valid(undefined);
    return { desc: `${e.label}.removeExecutor(${fmt(alias)}, ${fmt(o)})`, target: e, waits: waitsForJobs(o), run: () => e.s.removeExecutor(alias[0], o[0]) };
  }],
  ['start', 3, () => {
    const e = anyScheduler();
    const o = chance(0.3) ? maybe(() => obj([['paused', maybe(() => valid(pick([true, false, 'yes'])))]])) : valid(undefined);
    return { desc: `${e.label}.start(${fmt(o)})`, target: e, run: () => e.s.start(o[0]) };
  }],
  ['shutdown', 2, () => {
    const e = notKeeper();
    const o = chance(0.5) ? maybe(() => obj([['wait', maybe(() => valid(pick([true, false])))]])) : valid(undefined);
    return { desc: `${e.label}.shutdown(${fmt(o)})`, target: e, waits: waitsForJobs(o), run: () => e.s.shutdown(o[0]) };
  }],
  ...['pause', 'resume', 'wakeup'].map((m) => [m, 1, () => {
    const e = anyScheduler();
    return { desc: `${e.label}.${m}()`, target: e, run: () => e.s[m]() };
  }]),
  ['advance fake clock', 4, () => {
    const e = pick(ctx.schedulers.filter((x) => x.clock)) ?? ctx.schedulers[1];
    const ms = pick([10, 1000, 5000, 60_000, 3_600_000, 86_400_000]);
    return { desc: `${e.label}: advance the fake clock by ${ms} ms (fires its timers)`, target: e, run: () => e.clock?.advance(ms) };
  }],
  ['Job methods', 3, () => {
    const job = ctx.jobs.length ? pick(ctx.jobs) : null;
    const m = pick(['modify', 'reschedule', 'pause', 'resume', 'remove', 'toString', 'trigger']);
    const arg = m === 'modify' ? options(() => obj([['name', maybe(() => valid('n2'))], chance(0.3) && ['maxInstances', maybe(() => valid(2))]]))
      : m === 'reschedule' ? (ctx.triggers.length && chance(0.5) ? valid(pick(ctx.triggers), '<trigger instance>') : maybe(() => valid(pick(ALIASES)), 0.4))
        : valid(undefined);
    const owner = job ? jobOwner.get(job) : undefined;
    const target = owner ? ctx.schedulers.find((x) => x.s === owner) ?? { s: owner, label: 'a job\'s scheduler' } : null;
    return {
      desc: `job.${m}(${fmt(arg)})`,
      target,
      run: () => {
        if (!job) return undefined;
        if (m === 'trigger') return job.trigger.toString();
        if (m === 'reschedule' && typeof arg[0] === 'string') return job.reschedule(arg[0], { seconds: 5, ...(arg[0] === 'crontab' ? { expr: '* * * * *' } : {}) });
        return job[m](arg[0]);
      },
    };
  }],
  // ----- triggers
  ...[['DateTrigger', DateTrigger, 'date'], ['IntervalTrigger', IntervalTrigger, 'interval'], ['CronTrigger', CronTrigger, 'cron'],
    ['CalendarIntervalTrigger', CalendarIntervalTrigger, 'calendarinterval']].map(([name, Cls, alias]) => [`new ${name}`, 3, () => {
    const o = options(() => obj(TRIGGER_GENS[alias]()), 0.1);
    return { desc: `new ${name}(${fmt(o)})`, target: null, run: () => addTrigger(new Cls(o[0]), `new ${name}(${fmt(o)})`) };
  }]),
  ['CronTrigger.fromCrontab', 2, () => {
    const expr = maybe(() => valid(pick(['*/5 * * * *', '0 3 * * 1-5', '@hourly', '0 0 L * *', '* * * *', 'a b c d e', '0 0 1 1 * 2026'])), 0.4);
    const o = chance(0.4) ? options(() => obj([['timezone', maybe(zone)]])) : valid(undefined);
    return { desc: `CronTrigger.fromCrontab(${fmt(expr)}, ${fmt(o)})`, target: null, run: () => addTrigger(CronTrigger.fromCrontab(expr[0], o[0]), `fromCrontab(${fmt(expr)})`) };
  }],
  ...[['AndTrigger', AndTrigger], ['OrTrigger', OrTrigger]].map(([name, Cls]) => [`new ${name}`, 2, () => {
    let list;
    if (chance(0.75) && ctx.triggers.length) {
      const items = Array.from({ length: 1 + int(3) }, () => {
        if (!chance(0.85)) return hostile();
        const t = pick(ctx.triggers);
        return valid(t, tdesc(t));
      });
      list = [items.map((x) => x[0]), `[${items.map((x) => x[1]).join(', ')}]`];
    } else list = hostile();
    const o = chance(0.3) ? options(() => obj([['jitter', maybe(jitter)]])) : valid(undefined);
    const desc = `new ${name}(${fmt(list)}, ${fmt(o)})`;
    return { desc, target: null, run: () => addTrigger(new Cls(list[0], o[0]), desc) };
  }]),
  ['trigger.getNextFireTime', 4, () => {
    const t = ctx.triggers.length ? pick(ctx.triggers) : new IntervalTrigger({ seconds: 1, timezone: 'UTC' });
    const prev = chance(0.5) ? valid(null) : maybe(dateish, 0.4);
    const now = maybe(dateish, 0.4);
    return { desc: `trigger.getNextFireTime(${fmt(prev)}, ${fmt(now)}) on ${tdesc(t)}`, target: { trigger: t }, run: () => t.getNextFireTime(prev[0], now[0]) };
  }],
  ['trigger.nextFireTimeMs', 3, () => {
    const t = ctx.triggers.length ? pick(ctx.triggers) : new IntervalTrigger({ seconds: 1, timezone: 'UTC' });
    const prev = chance(0.5) ? valid(undefined) : maybe(() => valid(now0 + int(1e9)), 0.5);
    const now = maybe(() => valid(now0 + int(1e9)), 0.4);
    return { desc: `trigger.nextFireTimeMs(${fmt(prev)}, ${fmt(now)}) on ${tdesc(t)}`, target: { trigger: t }, run: () => t.nextFireTimeMs(prev[0], now[0]) };
  }],
  ['trigger misc', 1, () => {
    const t = ctx.triggers.length ? pick(ctx.triggers) : new IntervalTrigger({ seconds: 1, timezone: 'UTC' });
    const m = pick(['toSpec', 'toString', 'timezone']);
    return { desc: `trigger.${m} on ${tdesc(t)}`, target: { trigger: t }, run: () => (m === 'timezone' ? t.timezone : t[m]()) };
  }],
  ['triggerFromSpec', 3, () => {
    let spec;
    if (chance(0.5) && ctx.triggers.length) {
      const s = pick(ctx.triggers).toSpec();
      if (chance(0.6)) {
        const keys = Object.keys(s);
        const k = chance(0.8) ? pick(keys) : pick(['v', 'type', 'triggers', '__proto__']);
        const [v, d] = hostile();
        Object.defineProperty(s, k, { value: v, enumerable: true, configurable: true, writable: true });
        spec = [s, `spec with ${k}: ${d}`, true];
      } else spec = valid(s, 'spec');
    } else if (chance(0.5)) {
      const alias = pick(ALIASES);
      spec = obj([['type', maybe(() => valid(alias))], ...TRIGGER_GENS[alias]()]);
    } else spec = hostile();
    const c = chance(0.5) ? options(() => obj([chance(0.5) && ['timezone', maybe(zone)], chance(0.5) && ['now', maybe(dateish)]])) : valid(undefined);
    return { desc: `triggerFromSpec(${fmt(spec)}, ${fmt(c)})`, target: null, run: () => addTrigger(triggerFromSpec(spec[0], c[0]), `triggerFromSpec(${fmt(spec)}, ${fmt(c)})`) };
  }],
  ['formatInstant', 2, () => {
    const ms = maybe(() => valid(pick([0, now0, now0 + 0.5, 8.64e15, -8.64e15])), 0.5);
    const z = maybe(zone, 0.4);
    return { desc: `formatInstant(${fmt(ms)}, ${fmt(z)})`, target: null, run: () => formatInstant(ms[0], z[0]) };
  }],
  ['hostTimezone / corruptEntry', 1, () => {
    const k = maybe(() => valid('k'), 0.5);
    const r = maybe(() => valid('why'), 0.5);
    return { desc: `corruptEntry(${fmt(k)}, ${fmt(r)}); hostTimezone()`, target: null, run: () => [corruptEntry(k[0], r[0]), tw.hostTimezone()] };
  }],
  // ----- the low-level core
  ['new SchedulerCore', 2, () => {
    const o = chance(0.3) ? valid(undefined) : options(() => obj([
      chance(0.7) && ['timezone', maybe(zone)],
      chance(0.5) && ['seed', maybe(() => valid(pick([1, '42', 0])))],
      chance(0.3) && ['jobDefaults', options(() => obj([['coalesce', maybe(() => valid(false))], ['misfireGraceTime', maybe(() => valid(5))]]))],
      chance(0.4) && ['jobstores', options(() => obj([['default', maybe(() => valid({ type: 'memory' }))], chance(0.5) && ['p', maybe(() => valid({ type: 'custom' }))]]))],
      chance(0.3) && ['executors', options(() => obj([['default', maybe(() => valid({ type: 'default', maxWorkers: 2 }))]]))],
    ]));
    return {
      desc: `new SchedulerCore(${fmt(o)})`,
      target: null,
      run: () => {
        const c = new SchedulerCore(o[0]);
        const entry = { c, now: now0, runs: [] };
        if (ctx.cores.length < 6) ctx.cores.push(entry);
        else ctx.cores[int(ctx.cores.length)] = entry;
      },
    };
  }],
  ['core calls', 16, () => coreCall()],
];

const coreNow = (e) => maybe(() => valid(e.now + pick([0, 0, 1000, 5000, 60_000, -1000, 0.5])), 0.2);
const coreStore = () => maybe(() => valid(pick(['default', 'p', 'nope', undefined, null])), 0.2);
const runId = (e) => maybe(() => valid(e.runs.length ? pick(e.runs) : pick([0, 1, 2])), 0.25);

function coreCall() {
  const e = pick(ctx.cores);
  const m = pick(['tick', 'tick', 'start', 'addJob', 'addJob', 'modifyJob', 'rescheduleJob', 'loadJobs', 'startRunTime', 'runSucceeded',
    'runFailed', 'finishRun', 'addExecutor', 'removeExecutor', 'drainOutput', 'drainOutput', 'getJob', 'getJobs', 'printJobs', 'pauseJob',
    'resumeJob', 'removeJob', 'removeAllJobs', 'runningInstances', 'addJobstore', 'removeJobstore', 'pause', 'resume', 'shutdown', 'wakeup',
    'nextWakeup', 'configure', 'state', 'timezone', 'jobDefaults']);
  const target = { core: e.c };
  const call = (args, fn) => ({ desc: `core.${m}(${args.map(fmt).join(', ')})`, target, run: fn });
  switch (m) {
    case 'tick': {
      const now = chance(0.8) ? valid(e.now + pick([1000, 5000, 60_000, 3_600_000])) : coreNow(e);
      return call([now], () => {
        e.c.tick(now[0]);
        if (typeof now[0] === 'number' && Number.isFinite(now[0]) && now[0] > e.now && now[0] < 8e15) e.now = now[0];
        const out = e.c.drainOutput();
        for (const o of out) if (o.kind === 'run') e.runs.push(o.run.id);
        e.runs = e.runs.slice(-20);
        return out;
      });
    }
    case 'start': {
      const now = coreNow(e);
      const paused = maybe(() => valid(pick([false, true])), 0.2);
      return call([now, paused], () => e.c.start(now[0], paused[0]));
    }
    case 'addJob': {
      const alias = pick(ALIASES);
      const trig = chance(0.8) ? obj([['type', maybe(() => valid(alias), 0.1)], ...TRIGGER_GENS[alias]()]) : (chance(0.5) ? valid(undefined) : hostile());
      const o = options(() => obj([['func', maybe(() => valid(pick(['f', 'g#h', ''])), 0.15)], chance(0.8) && ['trigger', trig], ...jobOptionPairs()
        .map((p) => (p && p[0] === 'jobstore' ? ['jobstore', coreStore()] : p))]), 0.08);
      const now = coreNow(e);
      return call([o, now], () => e.c.addJob(o[0], now[0]));
    }
    case 'modifyJob': {
      const ch = options(() => obj([chance(0.5) && ['name', maybe(() => valid('x'))], chance(0.3) && ['maxInstances', maybe(() => valid(2))],
        chance(0.3) && ['nextRunTime', maybe(() => valid(e.now + 1000))], chance(0.3) && ['trigger', maybe(() => valid({ type: 'interval', seconds: 3 }))],
        chance(0.2) && ['args', argsVal()]]));
      const args = [jobId(), coreStore(), ch, coreNow(e)];
      return call(args, () => e.c.modifyJob(...args.map((a) => a[0])));
    }
    case 'rescheduleJob': {
      const spec = chance(0.7) ? obj([['type', valid('cron')], ...TRIGGER_GENS.cron()]) : maybe(() => valid(undefined), 0.6);
      const args = [jobId(), coreStore(), spec, coreNow(e)];
      return call(args, () => e.c.rescheduleJob(...args.map((a) => a[0])));
    }
    case 'loadJobs': {
      const recs = chance(0.85) ? (() => {
        const items = Array.from({ length: int(4) }, record);
        return [items.map((x) => x[0]), `[${items.map((x) => x[1]).join(', ')}]`, items.some((x) => x[2])];
      })() : hostile();
      const args = [coreStore(), recs, coreNow(e)];
      return call(args, () => e.c.loadJobs(...args.map((a) => a[0])));
    }
    case 'startRunTime': {
      const args = [runId(e), coreNow(e)];
      return call(args, () => e.c.startRunTime(...args.map((a) => a[0])));
    }
    case 'runSucceeded': {
      const args = [runId(e), maybe(() => valid(e.now)), maybe(() => valid(pick([null, 1, 'ok', { a: [1] }])), 0.4)];
      return call(args, () => e.c.runSucceeded(...args.map((a) => a[0])));
    }
    case 'runFailed': {
      const args = [runId(e), maybe(() => valid(e.now)), maybe(() => valid('Error: x')), maybe(() => valid(pick([undefined, null, 'trace'])), 0.3)];
      return call(args, () => e.c.runFailed(...args.map((a) => a[0])));
    }
    case 'finishRun': {
      const args = [runId(e)];
      return call(args, () => e.c.finishRun(args[0][0]));
    }
    case 'addExecutor': {
      const args = [maybe(() => valid(pick(['default', 'ex2']))), maybe(() => valid(pick(['default', 'worker', 'custom', 'bogus']))), maybe(() => valid(pick([undefined, null, 2, 0])), 0.4)];
      return call(args, () => e.c.addExecutor(...args.map((a) => a[0])));
    }
    case 'addJobstore': {
      const args = [maybe(() => valid(pick(['default', 'p', 'mem2']))), maybe(() => valid(pick(['memory', 'custom', 'persistent', 'bogus'])))];
      return call(args, () => e.c.addJobstore(...args.map((a) => a[0])));
    }
    case 'removeExecutor':
    case 'removeJobstore': {
      const args = [maybe(() => valid(pick(['default', 'ex2', 'p', 'nope'])))];
      return call(args, () => e.c[m](args[0][0]));
    }
    case 'getJob':
    case 'pauseJob':
    case 'removeJob': {
      const args = [jobId(), coreStore()];
      return call(args, () => e.c[m](...args.map((a) => a[0])));
    }
    case 'resumeJob': {
      const args = [jobId(), coreStore(), coreNow(e)];
      return call(args, () => e.c.resumeJob(...args.map((a) => a[0])));
    }
    case 'getJobs':
    case 'printJobs':
    case 'removeAllJobs': {
      const args = [chance(0.5) ? coreStore() : valid(undefined)];
      return call(args, () => e.c[m](args[0][0]));
    }
    case 'runningInstances': {
      const args = [jobId()];
      return call(args, () => e.c.runningInstances(args[0][0]));
    }
    case 'configure': {
      const o = options(() => obj([chance(0.6) && ['timezone', maybe(zone)], chance(0.3) && ['seed', maybe(() => valid(3))],
        chance(0.3) && ['jobstores', options(() => obj([['p', maybe(() => valid({ type: 'custom' }))]]))]]));
      return call([o], () => e.c.configure(o[0]));
    }
    case 'state':
    case 'timezone':
    case 'jobDefaults':
      return call([], () => e.c[m]);
    default:
      return call([], () => e.c[m]());
  }
}

// ----- sentinels -----------------------------------------------------------------------------

let sentinelN = 0;
const STATES = ['stopped', 'running', 'paused'];

/** Throws when `target` no longer works (its description is the failure). */
function sentinel(target) {
  // The wasm module itself (a panic can poison it for everyone).
  const t = new IntervalTrigger({ seconds: 1, startDate: 0, timezone: 'UTC' });
  if (t.getNextFireTime(null, 500)?.getTime() !== 1000) throw new Error('IntervalTrigger sentinel gave a wrong answer');
  if (formatInstant(0, 'UTC') !== '1970-01-01 00:00:00 UTC') throw new Error('formatInstant sentinel gave a wrong answer');
  if (!target) return;
  if (target.trigger) {
    target.trigger.getNextFireTime(null, now0);
    return;
  }
  if (target.core) {
    if (!STATES.includes(target.core.state)) throw new Error(`core.state is ${target.core.state}`);
    target.core.getJobs();
    return;
  }
  const s = target.s;
  if (!STATES.includes(s.state)) throw new Error(`scheduler.state is ${s.state}`);
  s.getJobs();
  const id = `sentinel-${sentinelN++}`;
  let added = false;
  try {
    s.addJob(okFn, 'interval', { seconds: 3600, id });
    added = true;
  } catch (err) {
    // A store or clock the fuzzer configured may refuse the job; anything else is a failure.
    if (!(err instanceof TickwerkError && CODES.has(err.code))) throw err;
  }
  if (added) s.removeJob(id);
  if (target.keeper) keepKeeperRunning(target);
}

/** The keeper stays running with its interval job (the fuzzer may pause it or remove its job,
 *  store or executor: legitimate calls, undone here). */
/** Replaces a broken or slow object, so that it does not drown every later call. */
async function retire(target) {
  if (target?.s) {
    const old = target.s;
    bricked.add(old);
    ctx.jobs = ctx.jobs.filter((j) => jobOwner.get(j) !== old);
    target.s = target.keeper ? await newKeeper() : new Scheduler({ timezone: 'UTC', logger: quiet, clock: fakeClock(), keepAlive: false });
    try {
      await Promise.race([old.shutdown({ wait: false }), new Promise((r) => setTimeout(r, 200))]);
    } catch {
      // Broken: reported already; the attempt only stops its timer where it can.
    }
  }
  if (target?.core) {
    const entry = ctx.cores.find((c) => c.c === target.core);
    if (entry) entry.c = new SchedulerCore({ timezone: 'UTC' });
  }
  if (target?.trigger) ctx.triggers = ctx.triggers.filter((t) => t !== target.trigger);
}

function keepKeeperRunning(e) {
  if (e.s.state === 'paused') e.s.resume();
  if (e.s.getJob('keeper')) return;
  for (const undo of [() => e.s.addJobstore('memory', 'default').catch(() => {}), () => e.s.addExecutor('default', 'default')]) {
    try {
      undo();
    } catch (err) {
      if (!(err instanceof TickwerkError)) throw err; // e.g. the alias exists: fine
    }
  }
  e.s.addJob(keeperFn, 'interval', { seconds: KEEPER_INTERVAL, id: 'keeper', replaceExisting: true, jobstore: 'default' });
}

/** A scheduler on real timers, started, with a real interval job. */
async function newKeeper() {
  const s = new Scheduler({ timezone: 'UTC', logger: quiet, keepAlive: false });
  s.addJob(keeperFn, 'interval', { seconds: KEEPER_INTERVAL, id: 'keeper' });
  await s.start();
  ctx.created.push(s);
  return s;
}

// ----- the run -------------------------------------------------------------------------------

function errorClass(err) {
  try {
    if (err instanceof TickwerkError) return CODES.has(err.code) ? `TickwerkError:${err.code}` : `FAIL TickwerkError with undocumented code ${err.code}`;
    const name = err instanceof Error ? err.constructor.name : typeof err;
    return `FAIL ${name}`;
  } catch {
    return 'FAIL (unreadable thrown value)';
  }
}
function errorMessage(err) {
  try {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  } catch {
    return '(unprintable)';
  }
}
/** Groups messages: numbers and quoted text normalised. */
const signature = (text) => text.replace(/"[^"]*"/g, '"…"').replace(/\d+(\.\d+)?/g, 'N').slice(0, 160);

function protoSnapshot() {
  return [Object.prototype, Array.prototype, Function.prototype].map((p) => Object.getOwnPropertyNames(p).join(',')).join('|');
}

/** A watchdog thread: a synchronous call stuck for 30 s is reported (seed + index) and the process killed. */
function watchdog(progress) {
  const worker = new Worker(`
    const { workerData } = require('node:worker_threads');
    const { writeSync } = require('node:fs');
    const view = new Int32Array(workerData.buf);
    let last = -1, since = Date.now();
    setInterval(() => {
      const i = Atomics.load(view, 0);
      if (i !== last) { last = i; since = Date.now(); return; }
      if (i >= 0 && Date.now() - since > 30000) {
        writeSync(2, 'fuzz: call #' + i + ' (seed ' + workerData.seed + ') has not returned for 30 s; rerun with FUZZ_SEED=' + workerData.seed + ' FUZZ_TRACE=1\\n');
        process.kill(process.pid, 'SIGKILL');
      }
    }, 1000);`, { eval: true, workerData: { buf: progress.buffer, seed: SEED } });
  worker.unref();
  return worker;
}

test(`fuzzing the public API (seed ${SEED}, ${CALLS} calls)`, { timeout: 600_000 }, async () => {
  console.log(`fuzz: seed ${SEED}, ${CALLS} calls (FUZZ_SEED=${SEED} FUZZ_CALLS=${CALLS} to repeat)`);
  const escapes = [];
  let current = -1;
  let currentDesc = '(before the first call)';
  const onUncaught = (err) => escapes.push({ kind: 'uncaughtException', err, at: current, desc: currentDesc });
  const onRejection = (err) => escapes.push({ kind: 'unhandledRejection', err, at: current, desc: currentDesc });
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onRejection);
  const progress = new Int32Array(new SharedArrayBuffer(4));
  Atomics.store(progress, 0, -1);
  const dog = watchdog(progress);
  const protoBefore = protoSnapshot();

  // The world: a real-timer scheduler kept running with a real interval job (its timer would
  // crash the process if a call bricked it), a second real-timer one, two fake-clock ones
  // (one with a persistent store), and a core.
  ctx.schedulers.push({ s: await newKeeper(), label: 'keeper', keeper: true });
  const fake = fakeClock();
  addScheduler({ s: new Scheduler({ timezone: 'UTC', logger: quiet, clock: fake, functions: { tick: okFn } }), clock: fake, label: 'fakeSched' });
  const fake2 = fakeClock();
  const persistent = new Scheduler({ timezone: 'Europe/Berlin', logger: quiet, clock: fake2, functions: { tick: okFn, other: FUNCS[1] }, jobstores: { default: 'memory', disk: memoryAdapter() } });
  persistent.addJob('tick', 'interval', { seconds: 5, id: 'a', jobstore: 'disk' });
  await persistent.start();
  addScheduler({ s: persistent, clock: fake2, label: 'persistSched' });
  addScheduler({ s: new Scheduler({ timezone: 'UTC', logger: quiet, keepAlive: false }), label: 'realSched' });
  const core = new SchedulerCore({ timezone: 'UTC', seed: 1, jobstores: { default: { type: 'memory' }, p: { type: 'custom' } } });
  core.start(now0, false);
  ctx.cores.push({ c: core, now: now0, runs: [] });
  addTrigger(new CronTrigger({ second: '*/10', timezone: 'UTC' }), "cron[second='*/10']");
  addTrigger(new IntervalTrigger({ minutes: 5, timezone: 'Europe/Berlin' }), 'interval[0:05:00]');

  const weights = ENTRIES.map(([, w]) => w);
  const total = weights.reduce((a, b) => a + b, 0);
  const pickEntry = () => {
    let x = rand() * total;
    for (const entry of ENTRIES) {
      x -= entry[1];
      if (x < 0) return entry;
    }
    return ENTRIES[ENTRIES.length - 1];
  };

  const profile = new Map();
  const slow = new Set();
  const outcomes = new Map();
  const failures = new Map(); // signature → { count, first: [...] }
  const count = (cls) => outcomes.set(cls, (outcomes.get(cls) ?? 0) + 1);
  const fail = (sig, line) => {
    const f = failures.get(sig) ?? { count: 0, examples: [] };
    f.count += 1;
    if (f.examples.length < (process.env.FUZZ_ALL ? Infinity : 2)) f.examples.push(line);
    failures.set(sig, f);
  };
  const started = performance.now();
  // The default logger and printJobs without `out` write to the console: keep the output readable.
  const consoleMethods = { log: console.log, warn: console.warn, error: console.error, info: console.info, debug: console.debug };
  for (const m of Object.keys(consoleMethods)) console[m] = () => {};
  let keeperRan = 0;
  try {
    for (let i = 0; i < CALLS; i += 1) {
      current = i;
      Atomics.store(progress, 0, i);
      const [name, , make] = pickEntry();
      let call;
      try {
        call = make();
      } catch (err) {
        // A bug of the fuzzer itself, not of tickwerk.
        throw new Error(`fuzzer bug building call #${i} (${name}): ${err.stack}`);
      }
      currentDesc = call.desc;
      const where = `seed ${SEED} call #${i}: ${call.desc.length > 400 ? `${call.desc.slice(0, 400)}…` : call.desc}`;
      if (TRACE) writeSync(2, `seed ${SEED} call #${i}: ${call.desc}\n`);
      // A call with a hostile value that already made some call take over 2 s is not run (that
      // failure is reported once; the draws stay the same, so call numbers stay reproducible).
      const hostileKeys = [...call.desc.matchAll(/<([^<>]*)>/g)].map((m) => m[1]);
      if (hostileKeys.some((k) => slow.has(k))) {
        count('skipped (known slow)');
        continue;
      }
      const t0 = performance.now();
      const limit = call.waits ? WAITING_CALL_LIMIT_MS : CALL_LIMIT_MS;
      let thrown;
      let threw = false;
      try {
        const ret = call.run();
        if (isThenable(ret)) {
          let timer;
          const timeout = new Promise((resolve) => {
            timer = setTimeout(() => resolve('timeout'), limit);
          });
          let r;
          try {
            r = await Promise.race([ret.then(() => 'ok'), timeout]);
          } finally {
            clearTimeout(timer);
          }
          if (r === 'timeout') {
            ret.catch(() => {});
            fail(`${name}: the promise did not settle within ${limit} ms`, where);
            count('FAIL hang');
            continue;
          }
        }
      } catch (err) {
        threw = true;
        thrown = err;
      }
      const dt = performance.now() - t0;
      if (PROFILE) {
        profile.set(name, (profile.get(name) ?? 0) + dt);
        for (const m of call.desc.matchAll(/<([^<>]*)>/g)) profile.set(`value ${m[1]}`, (profile.get(`value ${m[1]}`) ?? 0) + dt);
      }
      const cls = threw ? errorClass(thrown) : 'ok';
      count(cls);
      if (cls.startsWith('FAIL')) fail(`${name}: ${cls}: ${signature(errorMessage(thrown))}`, `${where} → ${errorMessage(thrown).slice(0, 300)}`);
      if (dt > limit) fail(`${name}: took ${Math.round(dt)} ms`, where);
      const protoNow = protoSnapshot();
      if (protoNow !== protoBefore || ({}).polluted !== undefined) {
        fail(`${name}: Object.prototype polluted`, where);
        for (const p of [Object.prototype, Array.prototype, Function.prototype]) {
          delete p.polluted;
        }
      }
      if (dt > CALL_LIMIT_MS) for (const k of hostileKeys) slow.add(k);
      // The sentinel runs after every call (so a broken object is blamed on the call that broke it).
      {
        try {
          sentinel(call.target);
        } catch (err) {
          const tname = call.target?.keeper ? 'the running keeper Scheduler' : call.target?.s ? 'a Scheduler'
            : call.target?.core ? 'a SchedulerCore' : call.target?.trigger ? 'a trigger' : 'the wasm module';
          fail(`${name} left ${tname} unusable: ${errorClass(err)}: ${signature(errorMessage(err))}`, `${where} → sentinel: ${errorMessage(err).slice(0, 300)}`);
          await retire(call.target);
        }
      }
      // A slow object is retired too (a scheduler would be slow at every tick from then on);
      // draws after a slow call may then differ from a run where it was fast.
      if (dt > CALL_LIMIT_MS) await retire(call.target);
      // Let timers (the real-timer schedulers' ticks, store promises) run now and then.
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    Object.assign(console, consoleMethods);
    // Wind down (also when the fuzzer itself failed): stop every scheduler, the watchdog and
    // the recorders.
    current = CALLS;
    currentDesc = '(shutting down)';
    keeperRan = keeperRuns;
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const s of ctx.created) {
      try {
        if (s.state !== 'stopped') await Promise.race([s.shutdown({ wait: false }), new Promise((r) => setTimeout(r, 500))]);
      } catch (err) {
        // A scheduler found broken was reported when it broke; the attempt only stops its timer.
        if (!(err instanceof TickwerkError) && !bricked.has(s)) escapes.push({ kind: 'shutdown at the end', err, at: CALLS, desc: 'final shutdown' });
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onRejection);
    dog.terminate();
  }
  const elapsed = performance.now() - started;
  if (PROFILE) console.log([...profile].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => `${Math.round(v)} ms ${k}`).join('\n'));

  if (elapsed > 3000 && keeperRan === 0) fail('the real-timer interval job never ran', `seed ${SEED}`);
  for (const x of escapes) {
    fail(`${x.kind}: ${errorClass(x.err)}: ${signature(errorMessage(x.err))}`, `seed ${SEED}, after call #${x.at} (${x.desc.slice(0, 300)}) → ${errorMessage(x.err).slice(0, 300)}`);
  }
  const summary = [...outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`fuzz: ${CALLS} calls in ${(elapsed / 1000).toFixed(1)} s (seed ${SEED}); the keeper's interval job ran ${keeperRan} times; outcomes: ${summary}`);
  const lines = [...failures.entries()].sort((a, b) => b[1].count - a[1].count)
    .map(([sig, f]) => `${f.count}× ${sig}\n      e.g. ${f.examples.join('\n      e.g. ')}`);
  if (lines.length > 0) console.log(`fuzz: ${lines.length} failure classes:\n  ${lines.join('\n  ')}`);
  assert.equal(lines.length, 0, `seed ${SEED}: ${lines.length} failure classes (listed above); the first: ${lines[0]}`);
});
