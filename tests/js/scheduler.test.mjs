// The Scheduler's public API on a fake clock: configuration styles, jobs and their
// methods, events and listeners, executors (sync, async, errors, pool limit, misfire at
// start), the timer driver (capped delays, late wakes, keepAlive), and every bad-input path
// with its error code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CronTrigger, DateTrigger, IntervalTrigger, Scheduler, TickwerkError, MAX_TIMER_DELAY,
  EVENT_ALL, EVENT_JOB_ADDED, EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED,
  EVENT_JOB_REMOVED, EVENT_JOB_SUBMITTED, EVENT_SCHEDULER_STARTED, EVENT_SCHEDULER_SHUTDOWN, EVENT_ALL_JOBS_REMOVED,
  EVENT_JOB_MODIFIED, EVENT_SCHEDULER_PAUSED, EVENT_SCHEDULER_RESUMED, EVENT_EXECUTOR_ADDED, EVENT_EXECUTOR_REMOVED,
  EVENT_JOBSTORE_ADDED, EVENT_JOBSTORE_REMOVED,
} from 'tickwerk';
import { FakeClock, T0, eventLog, iso, make, quiet, recordingLogger, rejectsCode, settle, throwsCode } from './scheduler-harness.mjs';

test('event constants keep APScheduler names and numbers', () => {
  assert.deepEqual(
    [EVENT_SCHEDULER_STARTED, EVENT_SCHEDULER_SHUTDOWN, EVENT_SCHEDULER_PAUSED, EVENT_SCHEDULER_RESUMED, EVENT_EXECUTOR_ADDED,
      EVENT_EXECUTOR_REMOVED, EVENT_JOBSTORE_ADDED, EVENT_JOBSTORE_REMOVED, EVENT_ALL_JOBS_REMOVED, EVENT_JOB_ADDED,
      EVENT_JOB_REMOVED, EVENT_JOB_MODIFIED, EVENT_JOB_EXECUTED, EVENT_JOB_ERROR, EVENT_JOB_MISSED, EVENT_JOB_SUBMITTED,
      EVENT_JOB_MAX_INSTANCES, EVENT_ALL],
    [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131071],
  );
});

test('interval, cron and date jobs run on the fake clock with events in order', async () => {
  const { clock, scheduler } = make();
  const ran = [];
  const events = eventLog(scheduler);
  scheduler.addJob((x) => ran.push(['tick', x, clock.now()]), 'interval', { seconds: 30, args: ['a'], id: 'every30' });
  scheduler.addJob(() => ran.push(['cron', clock.now()]), 'cron', { minute: '*/1', second: 15, id: 'cron' });
  scheduler.addJob(() => ran.push(['once', clock.now()]), 'date', { runDate: new Date(T0 + 45_000), id: 'once' });
  assert.equal(scheduler.state, 'stopped');
  assert.equal(scheduler.getJobs().length, 3);
  assert.ok(scheduler.getJobs().every((j) => j.pending && j.nextRunTime === null));
  await scheduler.start();
  assert.equal(scheduler.state, 'running');
  assert.deepEqual(events.map((e) => e.name), ['EVENT_EXECUTOR_ADDED', 'EVENT_JOBSTORE_ADDED', 'EVENT_JOB_ADDED', 'EVENT_JOB_ADDED', 'EVENT_JOB_ADDED', 'EVENT_SCHEDULER_STARTED']);
  assert.deepEqual(scheduler.getJobs().map((j) => [j.id, iso(j.nextRunTime)]), [
    ['cron', '2026-01-01T00:00:15.000Z'], ['every30', '2026-01-01T00:00:30.000Z'], ['once', '2026-01-01T00:00:45.000Z'],
  ]);
  events.length = 0;
  await clock.advance(61_000);
  assert.deepEqual(ran, [
    ['cron', T0 + 15_000], ['tick', 'a', T0 + 30_000], ['once', T0 + 45_000], ['tick', 'a', T0 + 60_000],
  ]);
  assert.equal(scheduler.getJob('once'), null, 'an exhausted date job is removed');
  const names = events.map((e) => `${e.name}:${e.jobId}`);
  assert.deepEqual(names.slice(0, 2), ['EVENT_JOB_SUBMITTED:cron', 'EVENT_JOB_EXECUTED:cron']);
  assert.ok(names.includes('EVENT_JOB_REMOVED:once'));
  const executed = events.find((e) => e.code === EVENT_JOB_EXECUTED && e.jobId === 'every30');
  assert.equal(iso(executed.scheduledRunTime), '2026-01-01T00:00:30.000Z');
  assert.equal(executed.jobstore, 'default');
  await scheduler.shutdown();
  assert.equal(scheduler.state, 'stopped');
  assert.equal(clock.timers.length, 0, 'no timer left after shutdown');
});

test('the three configuration styles set the same options', async () => {
  const nested = make({ jobDefaults: { coalesce: false, maxInstances: 3, misfireGraceTime: 30 }, timezone: 'Europe/Berlin' }).scheduler;
  const flat = new Scheduler({
    'apscheduler.job_defaults.coalesce': 'false', 'tickwerk.jobDefaults.maxInstances': '3',
    'apscheduler.job_defaults.misfire_grace_time': '30', 'tickwerk.timezone': 'Europe/Berlin',
    'tickwerk.keepAlive': 'false', clock: new FakeClock(T0), logger: quiet,
  });
  const later = make().scheduler;
  later.configure({ jobDefaults: { coalesce: 'no', maxInstances: '3', misfireGraceTime: 30 }, timezone: 'Europe/Berlin' });
  for (const s of [nested, flat, later]) {
    assert.equal(s.timezone, 'Europe/Berlin');
    s.addJob(() => {}, 'interval', { minutes: 5, id: 'j' });
    await s.start({ paused: true });
    assert.equal(s.state, 'paused');
    const j = s.getJob('j');
    assert.deepEqual([j.coalesce, j.maxInstances, j.misfireGraceTime], [false, 3, 30]);
    await s.shutdown();
  }
  // Flat executor and job store keys, APScheduler style.
  const flatClock = new FakeClock(T0);
  const flatStores = new Scheduler({
    'apscheduler.executors.pool': { type: 'threadpool', max_workers: '2' },
    'tickwerk.executors.default.type': 'default',
    'apscheduler.jobstores.extra': { type: 'memory' },
    'tickwerk.timezone': 'UTC', clock: flatClock, logger: quiet,
  });
  const added = eventLog(flatStores);
  await flatStores.start();
  // Configured executors and stores were added (and announced) by configure; only the
  // missing `default` store is added at start, as in APScheduler.
  assert.deepEqual(added.filter((e) => e.alias).map((e) => `${e.name}:${e.alias}`), ['EVENT_JOBSTORE_ADDED:default']);
  const ranOnPool = [];
  flatStores.addJob(() => ranOnPool.push(1), 'interval', { minutes: 1, executor: 'pool', jobstore: 'extra', id: 'on-pool' });
  await flatClock.advance(60_000);
  assert.deepEqual(ranOnPool, [1], 'the flat-configured executor and store work');
  await flatStores.shutdown();
  throwsCode(() => make({ executors: { pool: { type: 'threadpool', max_workers: 'many' } } }), 'INVALID_ARGUMENT', 'executors.pool.maxWorkers');
  throwsCode(() => make({ 'apscheduler.job_defaults.coalesce': 'maybe' }), 'INVALID_ARGUMENT');
  throwsCode(() => make({ timezone: 'Mars/Olympus_Mons' }), 'UNKNOWN_TIMEZONE');
  throwsCode(() => make({ jobDefaults: { maxInstances: 0 } }), 'INVALID_ARGUMENT');
  throwsCode(() => make({ executors: { default: { type: 'rocket' } } }), 'INVALID_ARGUMENT', 'executors.default.type');
  throwsCode(() => make({ jobstores: { default: { type: 'floppy' } } }), 'INVALID_ARGUMENT', 'jobstores.default.type');
  throwsCode(() => make({ clock: { now: () => 0 } }), 'INVALID_ARGUMENT', 'clock.setTimer');
});

test('configure after start, start twice, shutdown when stopped', async () => {
  const { scheduler } = make();
  await scheduler.start();
  throwsCode(() => scheduler.configure({ timezone: 'UTC' }), 'SCHEDULER_ALREADY_RUNNING');
  await rejectsCode(scheduler.start(), 'SCHEDULER_ALREADY_RUNNING');
  await scheduler.shutdown();
  await rejectsCode(scheduler.shutdown(), 'SCHEDULER_NOT_RUNNING');
  throwsCode(() => scheduler.pause(), 'SCHEDULER_NOT_RUNNING');
  throwsCode(() => scheduler.resume(), 'SCHEDULER_NOT_RUNNING');
});

test('bad job input is refused with a typed code naming the field', async () => {
  const { scheduler } = make();
  const f = () => {};
  throwsCode(() => scheduler.addJob(f, 'interval', { minute: 5 }), 'INVALID_ARGUMENT', 'minute');
  throwsCode(() => scheduler.addJob(f, 'weekly', { hour: 1 }), 'INVALID_ARGUMENT', 'trigger');
  throwsCode(() => scheduler.addJob(f, 'cron', { hour: '25' }), 'INVALID_ARGUMENT');
  throwsCode(() => scheduler.addJob(f, 'cron', { minute: '*/0' }), 'INVALID_ARGUMENT');
  throwsCode(() => scheduler.addJob(f, 'cron', { hour: 3, timezone: 'Nowhere/Land' }), 'UNKNOWN_TIMEZONE');
  throwsCode(() => scheduler.addJob(f, new IntervalTrigger({ minutes: 1 }), { minutes: 2 }), 'INVALID_ARGUMENT', 'minutes');
  throwsCode(() => scheduler.addJob(f, undefined, { hours: 2 }), 'INVALID_ARGUMENT', 'hours');
  throwsCode(() => scheduler.addJob(f, 'interval', { minutes: 1, misfireGraceTime: 0 }), 'INVALID_ARGUMENT', 'misfireGraceTime');
  throwsCode(() => scheduler.addJob(f, 'interval', { minutes: 1, misfire_grace_time: 0 }), 'INVALID_ARGUMENT', 'misfire_grace_time');
  throwsCode(() => scheduler.addJob(f, 'interval', { minutes: 1, maxInstances: -1 }), 'INVALID_ARGUMENT', 'maxInstances');
  throwsCode(() => scheduler.addJob(f, 'interval', { minutes: 1, args: 'nope' }), 'INVALID_ARGUMENT', 'args');
  throwsCode(() => scheduler.addJob(f, 'interval', { minutes: 1, kwargs: [1] }), 'INVALID_ARGUMENT', 'kwargs');
  throwsCode(() => scheduler.addJob(42, 'interval', { minutes: 1 }), 'INVALID_ARGUMENT', 'func');
  throwsCode(() => scheduler.addJob('not-registered', 'interval', { minutes: 1 }), 'INVALID_ARGUMENT', 'func');
  throwsCode(() => scheduler.addJob(f, 'interval', { minutes: 1, nextRunTime: new Date(NaN) }), 'INVALID_ARGUMENT', 'nextRunTime');
  throwsCode(() => scheduler.addJob(f, 'date', { runDate: 'not a date' }), 'INVALID_ARGUMENT');
  scheduler.addJob(f, 'interval', { minutes: 1, id: 'dup' });
  throwsCode(() => scheduler.addJob(f, 'interval', { minutes: 1, id: 'dup' }), 'CONFLICTING_ID', 'id');
  await scheduler.start();
  throwsCode(() => scheduler.addJob(f, 'interval', { minutes: 1, id: 'dup' }), 'CONFLICTING_ID', 'id');
  throwsCode(() => scheduler.addJob(f, 'interval', { minutes: 1, jobstore: 'nowhere' }), 'UNKNOWN_ALIAS', 'jobstore');
  throwsCode(() => scheduler.removeJob('nope'), 'JOB_NOT_FOUND', 'id');
  throwsCode(() => scheduler.pauseJob('nope'), 'JOB_NOT_FOUND');
  throwsCode(() => scheduler.resumeJob('nope'), 'JOB_NOT_FOUND');
  throwsCode(() => scheduler.modifyJob('nope', { name: 'x' }), 'JOB_NOT_FOUND');
  throwsCode(() => scheduler.rescheduleJob('nope', 'interval', { minutes: 3 }), 'JOB_NOT_FOUND');
  throwsCode(() => scheduler.modifyJob('dup', { id: 'other' }), 'INVALID_ARGUMENT', 'id');
  throwsCode(() => scheduler.modifyJob('dup', { colour: 'red' }), 'INVALID_ARGUMENT', 'colour');
  throwsCode(() => scheduler.modifyJob('dup', { maxInstances: 0 }), 'INVALID_ARGUMENT', 'maxInstances');
  throwsCode(() => scheduler.rescheduleJob('dup', 'cron', { minute: 'sixty' }), 'INVALID_ARGUMENT');
  throwsCode(() => scheduler.addListener('nope'), 'INVALID_ARGUMENT');
  throwsCode(() => scheduler.removeJobstore('nowhere'), 'UNKNOWN_ALIAS');
  await rejectsCode(scheduler.removeExecutor('nowhere'), 'UNKNOWN_ALIAS');
  assert.equal(scheduler.getJobs().length, 1, 'failed calls changed nothing');
  await scheduler.shutdown();
});

test('non-serializable arguments for a persistent store: UNSERIALIZABLE naming the field', async () => {
  const records = [];
  const store = { load: async () => records, apply: async () => {} };
  const { scheduler } = make({ jobstores: { db: store } });
  scheduler.registerFunction('task', () => {});
  const cyclic = { a: 1 };
  cyclic.self = cyclic;
  const cases = [
    [[() => 1], 'args[0]'],
    [[Symbol('s')], 'args[0]'],
    [[1n], 'args[0]'],
    [[{ when: new Date() }], 'args[0].when'],
    [[NaN], 'args[0]'],
    [[cyclic], 'args[0].self'],
    [[new Map()], 'args[0]'],
  ];
  for (const [args, field] of cases) {
    throwsCode(() => scheduler.addJob('task', 'interval', { minutes: 1, jobstore: 'db', args }), 'UNSERIALIZABLE', field);
  }
  throwsCode(() => scheduler.addJob('task', 'interval', { minutes: 1, jobstore: 'db', kwargs: { cb: () => 1 } }), 'UNSERIALIZABLE', 'kwargs.cb');
  throwsCode(() => scheduler.addJob(() => 1, 'interval', { minutes: 1, jobstore: 'db' }), 'UNSERIALIZABLE', 'func');
  // The same values are fine in the memory store (functions and args stay in JS).
  const job = scheduler.addJob(() => 1, 'interval', { minutes: 1, args: [() => 1, 1n, cyclic] });
  assert.equal(typeof job.args[0], 'function');
  // A registered function is stored by its key.
  const fn = () => 2;
  scheduler.registerFunction('two', fn);
  const stored = scheduler.addJob(fn, 'interval', { minutes: 1, jobstore: 'db', args: [1, 'x', { y: [true, null] }] });
  assert.equal(stored.funcRef, 'two');
  await scheduler.start();
  throwsCode(() => scheduler.modifyJob(stored.id, { args: [() => 3] }), 'UNSERIALIZABLE', 'args[0]');
  await scheduler.shutdown();
});

test('Job objects: modify, reschedule, pause, resume, remove, toString; printJobs', async () => {
  const { clock, scheduler } = make();
  const events = eventLog(scheduler, EVENT_JOB_MODIFIED | EVENT_JOB_REMOVED);
  await scheduler.start();
  const job = scheduler.addJob(function report() {}, 'interval', { minutes: 2, id: 'r' });
  assert.equal(job.name, 'report');
  assert.equal(String(job), 'report (trigger: interval[0:02:00], next run at: 2026-01-01 00:02:00 UTC)');
  assert.equal(String(job.trigger), 'interval[0:02:00]');
  assert.equal(job.modify({ maxInstances: 6, name: 'Alternate name' }), job);
  assert.deepEqual([job.maxInstances, job.name], [6, 'Alternate name']);
  job.reschedule('cron', { minute: '*/5' });
  assert.equal(iso(job.nextRunTime), '2026-01-01T00:00:00.000Z', 'now matches: the first fire time is now');
  assert.equal(String(job.trigger), "cron[minute='*/5']");
  job.pause();
  assert.equal(job.nextRunTime, null);
  assert.match(String(job), /paused\)$/);
  await clock.advance(7 * 60_000);
  assert.equal(job.resume(), job);
  assert.equal(iso(job.nextRunTime), '2026-01-01T00:10:00.000Z');
  scheduler.addJob(() => {}, 'date', { runDate: '2026-01-01 06:00:00', id: 'later', name: 'later' });
  let printed = '';
  const text = scheduler.printJobs(undefined, { out: (t) => { printed = t; } });
  assert.equal(text, printed);
  assert.equal(text, [
    'Jobstore default:',
    "    Alternate name (trigger: cron[minute='*/5'], next run at: 2026-01-01 00:10:00 UTC)",
    '    later (trigger: date[2026-01-01 06:00:00 UTC], next run at: 2026-01-01 06:00:00 UTC)',
    '',
  ].join('\n'));
  job.remove();
  assert.equal(scheduler.getJob('r'), null);
  assert.deepEqual(events.map((e) => e.name), ['EVENT_JOB_MODIFIED', 'EVENT_JOB_MODIFIED', 'EVENT_JOB_MODIFIED', 'EVENT_JOB_MODIFIED', 'EVENT_JOB_REMOVED']);
  // A job whose trigger ended while paused: resume removes it and returns null.
  const past = scheduler.addJob(() => {}, 'interval', { seconds: 1, endDate: new Date(clock.now() + 2000), id: 'past' });
  past.pause();
  await clock.advance(5000);
  assert.equal(past.resume(), null);
  assert.equal(scheduler.getJob('past'), null);
  scheduler.removeAllJobs();
  assert.deepEqual(scheduler.getJobs(), []);
  await scheduler.shutdown();
});

test('printJobs while stopped lists pending jobs; trigger instances keep their own zone', () => {
  const { scheduler } = make({ timezone: 'Europe/Berlin' });
  const out = [];
  scheduler.addJob(function nightly() {}, new CronTrigger({ hour: 3, timezone: 'Asia/Tokyo' }), { id: 'n' });
  scheduler.addJob(function soon() {}, 'cron', { hour: 3 });
  const text = scheduler.printJobs(undefined, { out: { write: (t) => out.push(t) } });
  assert.equal(text, "Pending jobs:\n    nightly (trigger: cron[hour='3'], pending)\n    soon (trigger: cron[hour='3'], pending)\n");
  assert.deepEqual(out, [text]);
  assert.equal(scheduler.getJob('n').trigger.timezone, 'Asia/Tokyo');
  const other = scheduler.getJobs()[1];
  assert.equal(other.trigger.timezone, 'Europe/Berlin', 'an alias takes the scheduler zone');
  assert.match(other.id, /^[0-9a-f]{32}$/, 'generated ids are 32 hex characters');
});

test('scheduledJob decorates with replaceExisting', async () => {
  const { clock, scheduler } = make();
  const calls = [];
  const decorate = scheduler.scheduledJob('interval', { seconds: 10, id: 'deco' });
  const f1 = decorate(() => calls.push(1));
  const f2 = decorate(() => calls.push(2));
  assert.equal(typeof f1, 'function');
  assert.equal(scheduler.getJobs().length, 1, 'the second decoration replaced the first');
  await scheduler.start();
  await clock.advance(10_000);
  assert.deepEqual(calls, [2]);
  f1();
  f2();
  await scheduler.shutdown();
});

test('addJob without a trigger runs once, now; nextRunTime null adds the job paused', async () => {
  const { clock, scheduler } = make();
  await scheduler.start();
  const ran = [];
  scheduler.addJob(() => ran.push(clock.now()), { id: 'now' });
  scheduler.addJob(() => ran.push('paused'), 'interval', { seconds: 1, nextRunTime: null, id: 'p' });
  assert.equal(scheduler.getJob('p').nextRunTime, null);
  await clock.advance(0);
  assert.deepEqual(ran, [T0]);
  assert.equal(scheduler.getJob('now'), null);
  await clock.advance(5000);
  assert.deepEqual(ran, [T0]);
  await scheduler.shutdown();
});

test('async results, errors with stacks, kwargs, registered function keys', async () => {
  const { clock, scheduler } = make({ functions: { add: (a, b, kw) => a + b + (kw?.c ?? 0) } });
  const events = eventLog(scheduler, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR);
  scheduler.addJob(async () => { await null; return { ok: 1 }; }, 'date', { runDate: T0 + 1000, id: 'async' });
  scheduler.addJob(() => { throw new RangeError('boom'); }, 'date', { runDate: T0 + 2000, id: 'sync-throw' });
  scheduler.addJob(async () => Promise.reject(new Error('late boom')), 'date', { runDate: T0 + 3000, id: 'reject' });
  scheduler.addJob('add', 'date', { runDate: T0 + 4000, id: 'key', args: [1, 2], kwargs: { c: 4 } });
  await scheduler.start();
  await clock.advance(5000);
  const byId = Object.fromEntries(events.map((e) => [e.jobId, e]));
  assert.equal(byId.async.code, EVENT_JOB_EXECUTED);
  assert.deepEqual(byId.async.retval, { ok: 1 });
  assert.equal(byId['sync-throw'].code, EVENT_JOB_ERROR);
  assert.ok(byId['sync-throw'].exception instanceof RangeError);
  assert.match(byId['sync-throw'].traceback, /RangeError: boom\n\s+at /);
  assert.equal(byId.reject.code, EVENT_JOB_ERROR);
  assert.equal(byId.reject.exception.message, 'late boom');
  assert.equal(byId.key.retval, 7);
  await scheduler.shutdown();
});

test('a run ends when its promise settles: max_instances holds until then', async () => {
  const { clock, scheduler } = make();
  const events = eventLog(scheduler, EVENT_JOB_SUBMITTED | EVENT_JOB_MAX_INSTANCES | EVENT_JOB_EXECUTED);
  let release;
  const gate = new Promise((r) => { release = r; });
  scheduler.addJob(() => gate, 'interval', { seconds: 10, id: 'slow' });
  await scheduler.start();
  await clock.advance(30_000);
  assert.deepEqual(events.map((e) => e.name), ['EVENT_JOB_SUBMITTED', 'EVENT_JOB_MAX_INSTANCES', 'EVENT_JOB_MAX_INSTANCES']);
  release('done');
  await settle();
  assert.equal(events.at(-1).name, 'EVENT_JOB_EXECUTED');
  assert.equal(events.at(-1).retval, 'done');
  await clock.advance(10_000);
  assert.deepEqual(events.slice(3).map((e) => e.name), ['EVENT_JOB_EXECUTED', 'EVENT_JOB_SUBMITTED', 'EVENT_JOB_EXECUTED'], 'the slot was released');
  await scheduler.shutdown();
});

test('maxWorkers: queued runs are misfire-checked when they start', async () => {
  const { clock, scheduler } = make({ executors: { default: { type: 'default', maxWorkers: 1 } }, jobDefaults: { misfireGraceTime: 2 } });
  const events = eventLog(scheduler, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED);
  let release;
  scheduler.addJob(() => new Promise((r) => { release = r; }), 'date', { runDate: T0 + 1000, id: 'blocker' });
  scheduler.addJob(() => 'ran', 'date', { runDate: T0 + 1000, id: 'queued-late' });
  scheduler.addJob(() => 'ran', 'date', { runDate: T0 + 1000, id: 'queued-late-2', misfireGraceTime: 60 });
  await scheduler.start();
  await clock.advance(1000);
  assert.deepEqual(events, [], 'one worker: the other runs wait');
  await clock.advance(5000);
  release();
  await settle();
  assert.deepEqual(events.map((e) => `${e.name}:${e.jobId}`), ['EVENT_JOB_EXECUTED:blocker', 'EVENT_JOB_MISSED:queued-late', 'EVENT_JOB_EXECUTED:queued-late-2']);
  await scheduler.shutdown();
});

test('shutdown({ wait }) waits for running jobs; wait: false does not', async () => {
  for (const wait of [true, false]) {
    const { clock, scheduler } = make();
    let release;
    let finished = false;
    scheduler.addJob(() => new Promise((r) => { release = r; }).then(() => { finished = true; }), 'date', { runDate: T0 + 10, id: 'w' });
    await scheduler.start();
    await clock.advance(10);
    let done = false;
    const p = scheduler.shutdown({ wait }).then(() => { done = true; });
    await settle();
    assert.equal(done, !wait, `wait: ${wait}`);
    release();
    await p;
    assert.equal(finished, true);
  }
});

test('pause/resume the scheduler; listeners with masks; removeListener; listener errors are logged', async () => {
  const logger = recordingLogger();
  const { clock, scheduler } = make({ logger, jobDefaults: { misfireGraceTime: 60 } });
  const all = eventLog(scheduler);
  const onlyStart = eventLog(scheduler, EVENT_SCHEDULER_STARTED | EVENT_SCHEDULER_SHUTDOWN);
  const bad = () => { throw new Error('listener broke'); };
  scheduler.addListener(bad, EVENT_JOB_ADDED);
  const ran = [];
  scheduler.addJob(() => ran.push(clock.now()), 'interval', { seconds: 10, id: 'i' });
  await scheduler.start();
  assert.ok(logger.lines.some((l) => l.startsWith('error:') && l.includes('listener broke')));
  scheduler.removeListener(bad);
  scheduler.pause();
  assert.equal(scheduler.state, 'paused');
  await clock.advance(35_000);
  assert.deepEqual(ran, []);
  scheduler.resume();
  await clock.advance(0);
  assert.deepEqual(ran, [T0 + 35_000], 'missed times coalesce into one run on resume');
  assert.equal(iso(all.find((e) => e.code === EVENT_JOB_EXECUTED).scheduledRunTime), '2026-01-01T00:00:30.000Z');
  await scheduler.shutdown();
  assert.deepEqual(onlyStart.map((e) => e.name), ['EVENT_SCHEDULER_STARTED', 'EVENT_SCHEDULER_SHUTDOWN']);
  assert.ok(all.some((e) => e.name === 'EVENT_SCHEDULER_PAUSED'));
  assert.ok(all.some((e) => e.name === 'EVENT_SCHEDULER_RESUMED'));
});

test('driver: long delays are capped at MAX_TIMER_DELAY (30 s) and re-armed', async () => {
  const { clock, scheduler } = make();
  const ran = [];
  assert.equal(MAX_TIMER_DELAY, 30_000);
  const far = T0 + 2 * 3_600_000; // two hours: re-armed 240 times on the way
  scheduler.addJob(() => ran.push(clock.now()), 'date', { runDate: far });
  await scheduler.start();
  assert.ok(clock.armed.every((ms) => ms <= MAX_TIMER_DELAY && ms < 2 ** 31 - 1), `armed ${clock.armed}`);
  assert.equal(clock.timers.length, 1, 'one timer per scheduler');
  await clock.advance(far - T0);
  assert.deepEqual(ran, [far]);
  assert.ok(clock.armed.filter((ms) => ms === MAX_TIMER_DELAY).length >= 2, 'the capped timer was re-armed');
  await scheduler.shutdown();
});

test('driver: a job due during a machine suspend runs within MAX_TIMER_DELAY of the resume', async () => {
  // Node's timers do not count suspended time: a timer armed for 10 minutes before a
  // 10-minute suspend would fire 10 minutes after the resume. The capped delay makes the
  // driver compare the wall clock at least every 30 s.
  const { clock, scheduler } = make({ jobDefaults: { misfireGraceTime: 3600 } });
  const ran = [];
  scheduler.addJob(() => ran.push(clock.now()), 'date', { runDate: T0 + 10 * 60_000, id: 'during' });
  await scheduler.start();
  clock.suspend(15 * 60_000);
  await clock.advance(MAX_TIMER_DELAY);
  assert.equal(ran.length, 1, 'ran within the cap after the resume');
  assert.ok(ran[0] - (T0 + 15 * 60_000) <= MAX_TIMER_DELAY, `ran ${ran[0] - T0} ms after T0`);
  await scheduler.shutdown();
});

test('driver: a late wake ticks with the real time (coalesce and misfire apply)', async () => {
  const { clock, scheduler } = make({ jobDefaults: { misfireGraceTime: 60 } });
  const events = eventLog(scheduler, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_MISSED);
  const ran = [];
  scheduler.addJob(() => ran.push(clock.now()), 'interval', { minutes: 1, id: 'coalesced' });
  scheduler.addJob(() => ran.push('every'), 'interval', { minutes: 1, id: 'each', coalesce: false });
  await scheduler.start();
  await clock.sleep(3 * 3_600_000 + 30_000); // laptop asleep for 3 hours
  assert.deepEqual(ran.filter((x) => x !== 'every'), [T0 + 3 * 3_600_000 + 30_000]);
  const sub = events.find((e) => e.name === 'EVENT_JOB_SUBMITTED' && e.jobId === 'coalesced');
  assert.deepEqual(sub.scheduledRunTimes.map(iso), ['2026-01-01T03:00:00.000Z']);
  const each = events.filter((e) => e.jobId === 'each');
  assert.equal(each[0].scheduledRunTimes.length, 180);
  assert.equal(each.filter((e) => e.name === 'EVENT_JOB_MISSED').length, 179, 'every time but the last is past its grace');
  assert.equal(each.filter((e) => e.name === 'EVENT_JOB_EXECUTED').length, 1);
  assert.equal(iso(scheduler.getJob('coalesced').nextRunTime), '2026-01-01T03:01:00.000Z');
  await scheduler.shutdown();
});

test('driver: mutations re-arm the timer; wakeup() ticks at once; keepAlive false unrefs timers', async () => {
  const { clock, scheduler } = make({ keepAlive: false });
  await scheduler.start();
  assert.equal(clock.timers.length, 0, 'idle and keepAlive false: no timer');
  scheduler.addJob(() => {}, 'interval', { hours: 1, id: 'h' });
  assert.equal(clock.timers.length, 1);
  assert.equal(clock.timers[0].ms, MAX_TIMER_DELAY, 'an hour away: the capped delay');
  assert.equal(clock.timers[0].unrefCalled, true);
  scheduler.modifyJob('h', { nextRunTime: new Date(T0 + 20_000) });
  assert.equal(clock.timers.length, 1);
  assert.equal(clock.timers[0].ms, 20_000);
  scheduler.wakeup();
  assert.equal(clock.timers[0].ms, 0);
  await scheduler.shutdown();
  const alive = make();
  await alive.scheduler.start();
  assert.equal(alive.clock.timers.length, 1, 'keepAlive (default): an idle timer holds the process');
  assert.equal(alive.clock.timers[0].unrefCalled, false);
  await alive.scheduler.shutdown();
});

test('logger at debug level says what the scheduler decides and when it wakes', async () => {
  const logger = recordingLogger();
  const { clock, scheduler } = make({ logger });
  scheduler.addJob(function hello() {}, 'interval', { seconds: 5, id: 'hello' });
  await scheduler.start();
  await clock.advance(5000);
  await scheduler.shutdown();
  const text = logger.lines.join('\n');
  assert.match(text, /debug: tickwerk: next wakeup at 2026-01-01T00:00:05.000Z \(in 5000 ms\)/);
  assert.match(text, /debug: tickwerk: 1 run\(s\) due at 2026-01-01T00:00:05.000Z: hello/);
  assert.match(text, /debug: tickwerk: running job hello/);
  assert.match(text, /info: tickwerk: scheduler started/);
});

test('executors and job stores can be added and removed; jobs on a removed executor are dropped when due', async () => {
  const { clock, scheduler } = make();
  const events = eventLog(scheduler, EVENT_EXECUTOR_ADDED | EVENT_EXECUTOR_REMOVED | EVENT_JOBSTORE_ADDED | EVENT_JOBSTORE_REMOVED | EVENT_JOB_REMOVED);
  await scheduler.start();
  scheduler.addExecutor({ type: 'default', maxWorkers: 2 }, 'small');
  await scheduler.addJobstore('memory', 'other');
  throwsCode(() => scheduler.addExecutor('default', 'small'), 'INVALID_ARGUMENT', 'alias');
  await rejectsCode(scheduler.addJobstore('memory', 'other'), 'INVALID_ARGUMENT');
  const ran = [];
  scheduler.addJob(() => ran.push('x'), 'interval', { seconds: 1, executor: 'small', jobstore: 'other', id: 'x' });
  await clock.advance(1000);
  assert.deepEqual(ran, ['x']);
  await scheduler.removeExecutor('small');
  await clock.advance(1000);
  assert.deepEqual(ran, ['x']);
  assert.equal(scheduler.getJob('x'), null);
  scheduler.removeJobstore('other');
  assert.deepEqual(events.map((e) => `${e.name}:${e.alias ?? e.jobId}`), [
    'EVENT_EXECUTOR_ADDED:default', 'EVENT_JOBSTORE_ADDED:default', 'EVENT_EXECUTOR_ADDED:small', 'EVENT_JOBSTORE_ADDED:other', 'EVENT_EXECUTOR_REMOVED:small', 'EVENT_JOB_REMOVED:x', 'EVENT_JOBSTORE_REMOVED:other',
  ]);
  await scheduler.shutdown();
});

test('getJobs per store, in APScheduler order (next run time, id; paused last)', async () => {
  const { scheduler } = make();
  await scheduler.start();
  await scheduler.addJobstore('memory', 'b');
  scheduler.addJob(() => {}, 'interval', { minutes: 5, id: 'z' });
  scheduler.addJob(() => {}, 'interval', { minutes: 5, id: 'a' });
  scheduler.addJob(() => {}, 'interval', { minutes: 1, id: 'm' });
  scheduler.addJob(() => {}, 'interval', { minutes: 1, id: 'p', nextRunTime: null });
  scheduler.addJob(() => {}, 'interval', { minutes: 1, id: 'other', jobstore: 'b' });
  assert.deepEqual(scheduler.getJobs('default').map((j) => j.id), ['m', 'a', 'z', 'p']);
  assert.deepEqual(scheduler.getJobs().map((j) => j.id), ['m', 'a', 'z', 'p', 'other']);
  assert.deepEqual(scheduler.getJobs('b').map((j) => j.jobstore), ['b']);
  await scheduler.shutdown();
});

test('a DateTrigger instance and a nextRunTime in text work', async () => {
  const { clock, scheduler } = make();
  const ran = [];
  await scheduler.start();
  scheduler.addJob(() => ran.push('d'), new DateTrigger({ runDate: new Date(T0 + 2000), timezone: 'UTC' }), { id: 'd' });
  scheduler.addJob(() => ran.push('t'), 'interval', { hours: 1, nextRunTime: '2026-01-01 00:00:03', id: 't' });
  assert.equal(iso(scheduler.getJob('t').nextRunTime), '2026-01-01T00:00:03.000Z');
  await clock.advance(3000);
  assert.deepEqual(ran, ['d', 't']);
  await scheduler.shutdown();
});

test('driver: a page becoming visible again re-checks at once (throttled background timers)', async () => {
  const doc = new EventTarget();
  doc.visibilityState = 'hidden';
  globalThis.document = doc;
  try {
    const { clock, scheduler } = make();
    const ran = [];
    scheduler.addJob(() => ran.push(clock.now()), 'interval', { minutes: 1, id: 'v', misfireGraceTime: 120 });
    await scheduler.start();
    clock.t += 90_000; // the browser held the timer back while the tab was hidden
    doc.dispatchEvent(new Event('visibilitychange'));
    await settle();
    assert.deepEqual(ran, [], 'still hidden: nothing happens');
    doc.visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    await settle();
    assert.deepEqual(ran, [T0 + 90_000]);
    await scheduler.shutdown();
    doc.dispatchEvent(new Event('visibilitychange'));
    await settle();
    assert.deepEqual(ran, [T0 + 90_000], 'listeners removed at shutdown');
  } finally {
    delete globalThis.document;
  }
});

test('crontab and calendarinterval aliases', async () => {
  const { scheduler } = make();
  await scheduler.start();
  const weekday = scheduler.addJob(() => {}, 'crontab', { expr: '30 9 * * 1-5', timezone: 'Europe/Berlin', id: 'cron5' });
  assert.equal(iso(weekday.nextRunTime), '2026-01-01T08:30:00.000Z', 'Thu 1 Jan 2026, 09:30 CET');
  const monthly = scheduler.addJob(() => {}, 'calendarinterval', { months: 1, hour: 6, id: 'monthly' });
  assert.ok(monthly.nextRunTime instanceof Date);
  throwsCode(() => scheduler.addJob(() => {}, 'crontab', { expr: '* * *' }), 'INVALID_ARGUMENT');
  await scheduler.shutdown();
});

test('driver: a day-long backlog of a non-coalescing per-second job: one MISSED event for the stretch, the rest run', async () => {
  const { clock, scheduler } = make({ jobDefaults: { misfireGraceTime: 5 } });
  let missed = 0;
  let missedEvents = 0;
  let executed = 0;
  let submitted;
  scheduler.addListener((e) => {
    if (e.code === EVENT_JOB_MISSED) {
      missedEvents += 1;
      // A stretch of missed times comes as one event with the span (deviation missed-span).
      const span = e.scheduledRunTimes;
      missed += span && !Array.isArray(span) ? (span.last - span.first) / 1000 + 1 : 1;
    }
    else if (e.code === EVENT_JOB_EXECUTED) executed += 1;
    else if (e.code === EVENT_JOB_SUBMITTED) submitted = e;
  });
  scheduler.addJob(() => {}, 'interval', { seconds: 1, coalesce: false, id: 'sec' });
  await scheduler.start();
  const started = Date.now();
  await clock.sleep(86_400_000);
  for (let i = 0; i < 100_000 && executed + missed < 86_400; i += 1) await settle(1);
  assert.deepEqual([iso(submitted.scheduledRunTimes.first), iso(submitted.scheduledRunTimes.last)],
    ['2026-01-01T00:00:01.000Z', '2026-01-02T00:00:00.000Z'], 'a long backlog is a span, never a list in memory');
  assert.equal(missed + executed, 86_400);
  assert.equal(executed, 6, 'the last 6 s are within the 5 s grace');
  assert.equal(missedEvents, 1, 'the missed stretch is one event');
  assert.ok(Date.now() - started < 5000, 'the stretch is skipped in one step, not walked');
  console.log(`86,400-run backlog drained in ${Date.now() - started} ms`);
  await scheduler.shutdown();
});

test('modifyJob changes what runs: func, args, kwargs (memory and persistent stores)', async () => {
  const records = new Map();
  const store = { load: async () => [...records.values()], apply: async (ops) => { for (const o of ops) if (o.op === 'put') records.set(o.jobId, o.record); } };
  const { clock, scheduler } = make({ jobstores: { db: store }, functions: { greet: (who, kw) => `hello ${who}${kw?.punct ?? ''}` } });
  const events = eventLog(scheduler, EVENT_JOB_EXECUTED);
  const args = ['a'];
  scheduler.addJob((x) => `first ${x}`, 'interval', { seconds: 10, id: 'm', args });
  scheduler.addJob('greet', 'interval', { seconds: 10, id: 'p', jobstore: 'db', args: ['db'] });
  args.push('mutated later');
  await scheduler.start();
  await clock.advance(10_000);
  scheduler.modifyJob('m', { func: 'greet', args: ['you'], kwargs: { punct: '!' } });
  scheduler.modifyJob('p', { args: ['again'], jobstore: 'db' });
  await clock.advance(10_000);
  // Stores are processed in the order they were added: `db` (configured) before `default`
  // (added at start).
  assert.deepEqual(events.map((e) => `${e.jobId}:${e.retval}`), ['p:hello db', 'm:first a', 'p:hello again', 'm:hello you!']);
  assert.deepEqual(records.get('p').args, ['again'], 'the persistent record holds the new args');
  assert.equal(scheduler.getJob('m').funcRef, 'greet');
  await scheduler.shutdown();
});

test("a run's EVENT_JOB_SUBMITTED comes after its run time is recorded (the core's output order), and the job runs after it", async () => {
  const order = [];
  let release;
  const store = {
    load: async () => [],
    async apply(ops) {
      if (!ops.some((o) => o.op === 'put' && o.record.next_run_time > (T0 + 10_000) * 1000)) return;
      order.push('apply started');
      await new Promise((resolve) => {
        release = resolve;
      });
      order.push('recorded');
    },
  };
  const { clock, scheduler } = make({ jobstores: { db: store }, functions: { job: () => order.push('ran') } });
  scheduler.addListener((e) => order.push(e.name), EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED);
  scheduler.addJob('job', 'interval', { seconds: 10, id: 'j', jobstore: 'db' });
  await scheduler.start();
  await clock.advance(10_000);
  assert.deepEqual(order, ['apply started'], 'nothing told or run while the run time is being recorded');
  release();
  await settle();
  assert.deepEqual(order, ['apply started', 'recorded', 'EVENT_JOB_SUBMITTED', 'ran', 'EVENT_JOB_EXECUTED']);
  await scheduler.shutdown();
});

test("shutdown resolves after the job stores' close() resolved (a shared store's lease is released before the process may exit)", async () => {
  const order = [];
  const store = {
    load: async () => [],
    apply: async () => {},
    close: () => new Promise((resolve) => setTimeout(() => {
      order.push('store closed');
      resolve();
    }, 30)),
  };
  const failing = { load: async () => [], apply: async () => {}, close: async () => { throw new Error('boom'); } };
  const logger = recordingLogger();
  const { scheduler } = make({ jobstores: { db: store, bad: failing }, logger });
  await scheduler.start();
  await scheduler.shutdown();
  order.push('shutdown resolved');
  assert.deepEqual(order, ['store closed', 'shutdown resolved']);
  assert.ok(logger.lines.some((l) => /a job store's close\(\) failed: .*boom/.test(l)), `a failing close() is logged, not thrown: ${logger.lines.join(' | ')}`);
});

test("APScheduler's option dialects are read once, by the Scheduler: SchedulerCore takes the typed form only", async () => {
  const { SchedulerCore } = await import('tickwerk');
  // The Scheduler reads flat keys, string values and snake_case …
  const s = new Scheduler({ 'apscheduler.timezone': 'Europe/Berlin', 'apscheduler.job_defaults.max_instances': '3', 'tickwerk.jobDefaults.coalesce': 'false', 'apscheduler.job_defaults.misfire_grace_time': ' 30 ' });
  assert.equal(s.timezone, 'Europe/Berlin');
  const job = s.addJob(() => {}, 'interval', { seconds: 5 });
  assert.deepEqual([job.maxInstances, job.coalesce, job.misfireGraceTime], [3, false, 30]);
  for (const [key, value] of [['apscheduler.job_defaults.coalesce', 'maybe'], ['apscheduler.job_defaults.max_instances', '3.5'], ['apscheduler.job_defaults.max_instances', '0'], ['tickwerk.jobDefaults.misfireGraceTime', 'soon']]) {
    assert.throws(() => new Scheduler({ [key]: value }), (e) => e instanceof TickwerkError && e.code === 'INVALID_ARGUMENT' && e.message.includes(JSON.stringify(value)), `${key}: ${value}`);
  }
  // … and hands the core the typed form, which is all the core reads.
  const core = new SchedulerCore({ timezone: 'UTC', jobDefaults: { maxInstances: 3, coalesce: false, misfireGraceTime: null }, seed: 1 });
  assert.deepEqual(core.jobDefaults, { misfireGraceTime: null, coalesce: false, maxInstances: 3 });
  for (const flat of [{ 'apscheduler.timezone': 'UTC' }, { job_defaults: { coalesce: true } }, { jobDefaults: { coalesce: 'false' } }]) {
    assert.throws(() => new SchedulerCore(flat), (e) => e instanceof TickwerkError && e.code === 'INVALID_ARGUMENT', JSON.stringify(flat));
  }
});

test('an executor whose submit() throws: each run is an EVENT_JOB_ERROR carrying what it threw, nothing unhandled, the job keeps its schedule', async () => {
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    const refusing = { submit: () => { throw new Error('pool closed'); }, call: async () => 1, shutdown: async () => {} };
    const { clock, scheduler } = make({ executors: { default: refusing }, logger: quiet });
    const errors = eventLog(scheduler, EVENT_JOB_ERROR);
    const failures = [];
    scheduler.addListener((e) => failures.push(e.exception?.message), EVENT_JOB_ERROR);
    scheduler.addJob(() => {}, 'interval', { seconds: 10, id: 'j' });
    await scheduler.start();
    await clock.advance(20_000);
    await settle();
    assert.equal(errors.length, 2);
    assert.deepEqual(failures, ['pool closed', 'pool closed']);
    assert.equal(scheduler.getJob('j').nextRunTime.getTime(), T0 + 30_000);
    await scheduler.shutdown();
    await settle();
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

// ----- a trigger instance reaches the core by handle (issue 11) --------------------------

test('a trigger instance reaches the core as its wasm object: toSpec is never called', async () => {
  const { WasmTrigger } = await import('tickwerk');
  const { scheduler } = make();
  const trigger = new CronTrigger({ hour: '3', minute: '30', timezone: 'Europe/Berlin' });
  let calls = 0;
  const original = WasmTrigger.prototype.toSpec;
  trigger.toSpec = () => { calls += 1; return original.call(trigger._core); };
  WasmTrigger.prototype.toSpec = function toSpec() { calls += 1; return original.call(this); };
  try {
    scheduler.addJob(() => {}, trigger, { id: 'a' });
    scheduler.rescheduleJob('a', trigger);
    scheduler.modifyJob('a', { trigger });
  } finally {
    WasmTrigger.prototype.toSpec = original;
  }
  assert.equal(calls, 0, 'the JSON spec round trip came back');
  // A spec that could not be parsed again does not matter: the built trigger is what is added.
  const odd = new IntervalTrigger({ minutes: 7, startDate: T0, timezone: 'UTC' });
  odd._spec = { type: 'no such trigger' };
  await scheduler.start();
  const job = scheduler.addJob(() => {}, odd, { id: 'b' });
  assert.equal(String(job.trigger), 'interval[0:07:00]');
  assert.equal(iso(job.nextRunTime), '2026-01-01T00:00:00.000Z');
  await scheduler.shutdown();
});

test('a trigger instance schedules exactly as the same trigger given as alias and spec: DST, jitter, printJobs', async () => {
  const runs = async (add) => {
    const { clock, scheduler } = make({ timezone: 'America/New_York' }, Date.UTC(2026, 2, 27));
    const log = [];
    const events = eventLog(scheduler);
    add(scheduler, (name) => () => log.push(`${name} ${new Date(clock.now()).toISOString()}`));
    await scheduler.start();
    const printed = [scheduler.printJobs()];
    await clock.advance(3 * 24 * 3_600_000);
    printed.push(scheduler.printJobs());
    await scheduler.shutdown();
    return { log, printed, events: events.map((e) => `${e.code} ${e.jobId ?? ''} ${e.scheduledRunTime?.toISOString?.() ?? ''}`) };
  };
  const cron = { hour: '1-3', minute: '30', timezone: 'Europe/Berlin', jitter: 120 };
  const interval = { minutes: 50, startDate: '2026-03-28T23:00:00Z', timezone: 'Europe/Berlin', jitter: 30 };
  const byInstance = await runs((s, run) => {
    s.addJob(run('cron'), new CronTrigger(cron), { id: 'c' });
    s.addJob(run('interval'), new IntervalTrigger(interval), { id: 'i' });
  });
  const byAlias = await runs((s, run) => {
    s.addJob(run('cron'), 'cron', { ...cron, id: 'c' });
    s.addJob(run('interval'), 'interval', { ...interval, id: 'i' });
  });
  assert.ok(byInstance.log.length > 35, byInstance.log.join('\n'));
  assert.ok(byInstance.log.some((l) => l.startsWith('cron 2026-03-29T00:3')), 'the 01:30 run before the gap');
  assert.deepEqual(byInstance, byAlias);
});

test('a freed trigger is rebuilt from its spec when added (same job as before the free)', async () => {
  const added = async (free) => {
    const { scheduler } = make();
    await scheduler.start({ paused: true });
    const trigger = new CronTrigger({ minute: '*/15', startDate: T0 + 3_600_000, timezone: 'Asia/Kolkata', jitter: 5 });
    if (free) trigger.free();
    const job = scheduler.addJob(() => {}, trigger, { id: 'f' });
    const out = [iso(job.nextRunTime), String(job), scheduler.printJobs()];
    if (free) assert.equal(trigger.getNextFireTime(null, T0).getTime() >= T0 + 3_600_000, true, 'still usable');
    await scheduler.shutdown();
    return out;
  };
  assert.deepEqual(await added(true), await added(false));
});

test('an object that only pretends to be a trigger is an INVALID_ARGUMENT naming trigger', async () => {
  const { scheduler } = make();
  await scheduler.start({ paused: true });
  const fake = Object.create(CronTrigger.prototype);
  throwsCode(() => scheduler.addJob(() => {}, fake), 'INVALID_ARGUMENT', 'trigger');
  const poisoned = new CronTrigger({ hour: '3' });
  poisoned._wasm = { nextFireTime() { return 0; } };
  throwsCode(() => scheduler.addJob(() => {}, poisoned), 'INVALID_ARGUMENT', 'trigger');
  const throwing = new Proxy(new CronTrigger({ hour: '3' }), { get() { throw new Error('no'); } });
  throwsCode(() => scheduler.addJob(() => {}, throwing), 'INVALID_ARGUMENT', 'trigger');
  scheduler.addJob(() => {}, 'cron', { hour: 3, id: 'x' });
  throwsCode(() => scheduler.rescheduleJob('x', fake), 'INVALID_ARGUMENT', 'trigger');
  throwsCode(() => scheduler.modifyJob('x', { trigger: fake }), 'INVALID_ARGUMENT', 'trigger');
  // A trigger of another copy of tickwerk (the CommonJS build: its own wasm instance).
  const { createRequire } = await import('node:module');
  const other = createRequire(import.meta.url)('tickwerk');
  throwsCode(() => scheduler.addJob(() => {}, new other.CronTrigger({ hour: '3' })), 'INVALID_ARGUMENT', 'trigger');
  const { SchedulerCore } = await import('tickwerk');
  const core = new SchedulerCore({ timezone: 'UTC' });
  const foreign = new other.WasmTrigger({ type: 'cron', hour: '3' }, 'UTC', T0, 0, 0);
  throwsCode(() => core.addJob({ func: 'f' }, T0, foreign), 'INVALID_ARGUMENT', 'trigger');
  assert.equal(core.getJobs().length, 0);
  assert.deepEqual(scheduler.getJobs().map((j) => j.id), ['x']);
  await scheduler.shutdown();
});

test('job options: snake_case keys and APScheduler text values are read by the JS layer, with the messages users saw (issue 11)', () => {
  const { scheduler } = make();
  const f = () => {};
  const a = scheduler.addJob(f, 'interval', { minutes: 1, id: 'a', max_instances: '3', coalesce: 'false', misfire_grace_time: 30, next_run_time: null });
  assert.deepEqual([a.maxInstances, a.coalesce, a.misfireGraceTime, a.nextRunTime], [3, false, 30, null]);
  const again = scheduler.addJob(f, 'interval', { minutes: 2, id: 'a', replace_existing: 'yes', maxInstances: ' 4 ', coalesce: 1 });
  assert.deepEqual([again.maxInstances, again.coalesce], [4, true]);
  scheduler.addJob(f, 'interval', { minutes: 1, id: 'b', replaceExisting: 'on', coalesce: 'No' });
  assert.equal(scheduler.getJob('b').coalesce, false);
  const m = scheduler.modifyJob('a', { max_instances: '2', coalesce: 'no', misfire_grace_time: 10, next_run_time: null, name: 'renamed' });
  assert.deepEqual([m.maxInstances, m.coalesce, m.misfireGraceTime, m.nextRunTime, m.name], [2, false, 10, null, 'renamed']);
  assert.equal(scheduler.getJob('a').modify({ maxInstances: '5', coalesce: 'y' }).maxInstances, 5);
  const said = (fn) => {
    try {
      fn();
    } catch (e) {
      assert.equal(e.code, 'INVALID_ARGUMENT');
      return e.message;
    }
    assert.fail('accepted');
  };
  const add = (o) => () => scheduler.addJob(f, 'interval', { minutes: 1, ...o });
  assert.equal(said(add({ coalesce: 'maybe' })), 'invalid coalesce "maybe": not a boolean (true/yes/on/y/t/1 or false/no/off/n/f/0)');
  assert.equal(said(add({ coalesce: 2 })), 'invalid coalesce "2": not a boolean');
  assert.equal(said(add({ replace_existing: 'sure' })), 'invalid replace_existing "sure": not a boolean (true/yes/on/y/t/1 or false/no/off/n/f/0)');
  assert.equal(said(add({ max_instances: 'x' })), 'invalid max_instances "x": not an integer');
  assert.equal(said(add({ maxInstances: '2.5' })), 'invalid maxInstances "2.5": not an integer');
  assert.equal(said(add({ maxInstances: '0' })), 'invalid maxInstances "0": must be a positive integer');
  assert.equal(said(add({ max_instances: '-1' })), 'invalid max_instances "-1": must be a positive integer');
  assert.equal(said(add({ misfireGraceTime: '30' })), 'invalid misfireGraceTime "\\"30\\"": must be a whole number of seconds or null');
  assert.equal(said(() => scheduler.modifyJob('a', { coalesce: 'maybe' })), 'invalid coalesce "maybe": not a boolean (true/yes/on/y/t/1 or false/no/off/n/f/0)');
  assert.equal(said(() => scheduler.modifyJob('a', { max_instances: 'x' })), 'invalid max_instances "x": not an integer');
  assert.equal(said(() => scheduler.modifyJob('a', { bogus_key: 1 })), 'invalid bogus_key "1": unknown job option');
  assert.equal(said(() => scheduler.modifyJob('a', { timeOut: 1 })), 'invalid timeOut "1": unknown job option');
  assert.equal(said(() => scheduler.modifyJob('a', { replaceExisting: true })), 'invalid replaceExisting "true": unknown job option');
  assert.equal(said(() => scheduler.modifyJob('a', { id: 'z' })), 'invalid id "\\"z\\"": the job id may not be changed');
  assert.equal(scheduler.getJob('a').maxInstances, 5, 'refused changes change nothing');
});
