// tickwerk/durable-object in workerd (miniflare, `cf: false`, storage persisted to a temp
// dir): a Durable Object (tests/runtimes/durable-object-worker.js) holds a scheduler whose
// jobs live in the object's storage and whose timer is the object's alarm.
//
// One timeline (t0 = a whole second ~2 s after setup; times in seconds from t0):
//   a  interval 2 s from 0 (coalesce, misfireGraceTime null)   b  interval 3 s from 1 (coalesce false, grace 1 s)
//   crash  date 3.0: logs, then ctx.abort() in the middle of its alarm
//   c  date 6.5        abort over fetch at 5.5        dispose miniflare at 7.5
//   a new Miniflare on the same directory at 12.5; nothing fetched until 18.5
// Checked: no (job, fire time) executed twice or both executed and missed; each job's runs
// are its EXECUTED events; in the undisturbed stretches every fire time ran once within
// TOLERANCE_MS; the crashed run is never rerun; the object was recreated after the crash,
// the abort and the restart (four instances), and after the restart the alarm alone woke it;
// the missed stretch was handled as documented (a: one coalesced run of the latest fire time;
// b: each fire time run or reported missed once, missed when it was over 1 s before the
// runtime even started); the alarm is left at the next run time. Plus DurableObjectStore
// itself (batches over 128 keys, a failing batch rolled back whole, clear, corrupt values),
// the driver's typed errors, an alarm set a day ahead for a job a day away and none once
// nothing is scheduled. Run: node --test tests/runtimes/durable-object.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
/** How late an undisturbed run may start (alarms fire within ~50 ms here; the machine is shared). */
const TOLERANCE_MS = 800;

assert.ok(existsSync(join(root, 'dist', 'durable-object.js')), 'run `npm run build` first');
assert.ok(existsSync(join(here, 'node_modules', 'miniflare')), 'run `npm ci --prefix tests/runtimes` (scripts/setup.sh does)');
const { Miniflare } = createRequire(join(here, 'package.json'))('miniflare');

let work;
let app;
before(() => {
  // A snapshot of dist/ and the worker: other builds may rewrite dist/ meanwhile, and the
  // restarted runtime must load the same code.
  work = mkdtempSync(join(tmpdir(), 'tickwerk-do-'));
  app = join(work, 'app');
  cpSync(join(root, 'dist'), join(app, 'dist'), { recursive: true });
  mkdirSync(join(app, 'tests', 'runtimes'), { recursive: true });
  cpSync(join(here, 'durable-object-worker.js'), join(app, 'tests', 'runtimes', 'durable-object-worker.js'));
});
after(() => rmSync(work, { recursive: true, force: true }));

function miniflare(persist) {
  return new Miniflare({
    modules: true,
    scriptPath: join(app, 'tests', 'runtimes', 'durable-object-worker.js'),
    modulesRoot: app,
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate: '2026-04-01',
    cf: false,
    durableObjects: { JOBS: { className: 'Jobs' } },
    durableObjectsPersist: persist,
  });
}

const sleepUntil = (at) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

async function call(mf, path, body) {
  const res = await mf.dispatchFetch(`http://localhost${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
}

/** The fire times (ms) of an interval job: start, start + every, … up to `end`. */
const fireTimes = (start, every, end) => Array.from({ length: Math.max(0, Math.floor((end - start) / every) + 1) }, (_, i) => start + i * every);

test('DurableObjectStore: batches over 128 keys, a failing batch rolled back whole, clear, corrupt values; typed errors; the alarm a day away, then none', { timeout: 30_000 }, async () => {
  const mf = miniflare(join(work, 'probe'));
  try {
    const { status, body } = await call(mf, '/store-probe', {});
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.afterPuts, 300);
    assert.deepEqual(body.loaded, [300, true]);
    assert.equal(body.failed.code, 'STORE_FAILURE');
    assert.equal(body.failed.tickwerk, true);
    assert.equal(body.failed.field, 'jobstore');
    assert.equal(body.failed.value, 'p');
    assert.match(body.failed.message, /job store "p" \(Durable Object storage\) write failed/);
    assert.equal(body.afterFailed, 300, 'no key of the failed batch was removed');
    assert.equal(body.afterFailedUnchanged, 300, 'no record of the failed batch was changed');
    assert.deepEqual(body.afterClear, ['kept']);
    assert.deepEqual(body.corrupt, [
      { key: 'probe:job:p:arr', id: 'arr', reason: 'not a JSON object' },
      { key: 'probe:job:p:obj', id: 'obj', reason: 'not JSON text (a stored object)' },
      { key: 'probe:job:p:text', id: 'text', reason: body.corrupt[2].reason },
    ]);
    assert.match(body.corrupt[2].reason, /^not JSON: /);

    const bad = (await call(mf, '/bad-input')).body;
    const codes = Object.fromEntries(Object.entries(bad).map(([k, v]) => [k, [v.tickwerk, v.code, v.field]]));
    assert.deepEqual(codes, {
      noCtx: [true, 'INVALID_ARGUMENT', 'ctx'],
      plainObject: [true, 'INVALID_ARGUMENT', 'ctx'],
      ownedOption: [true, 'INVALID_ARGUMENT', 'options.jobstores'],
      badPrefix: [true, 'INVALID_ARGUMENT', 'prefix'],
      badWorkers: [true, 'INVALID_ARGUMENT', 'maxWorkers'],
      badStorage: [true, 'INVALID_ARGUMENT', 'storage'],
      unknownOption: [true, 'INVALID_ARGUMENT', 'options'],
      unregistered: [true, 'UNSERIALIZABLE', 'func'],
    });
    assert.match(bad.ownedOption.message, /set by the Durable Object driver/);
    assert.match(bad.unknownOption.message, /did you mean "timezone"/);

    // A job a day away: the alarm is set for it, not for the driver's 30 s re-check.
    const inADay = Math.ceil(Date.now() / 1000) * 1000 + 86_400_000;
    const added = await call(mf, '/jobs', { func: 'record', trigger: 'date', options: { id: 'later', args: ['later'], runDate: inADay } });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal((await call(mf, '/state')).body.alarm, inADay);
    // Nothing scheduled: no alarm.
    assert.deepEqual((await call(mf, '/jobs/remove', { id: 'later' })).body, []);
    assert.equal((await call(mf, '/state')).body.alarm, null);
  } finally {
    await mf.dispose();
  }
});

test('Durable Object: alarms run jobs on time; a crash, an abort and a runtime restart never run a fire time twice', { timeout: 60_000 }, async () => {
  const persist = join(work, 'jobs');
  let mf = miniflare(persist);
  await mf.ready;
  const t0 = Math.ceil(Date.now() / 1000) * 1000 + 2000;
  const at = (s) => t0 + s * 1000;
  const add = async (func, trigger, options) => {
    const res = await call(mf, '/jobs', { func, trigger, options });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  await add('record', 'interval', { id: 'a', args: ['a'], seconds: 2, startDate: at(0), misfireGraceTime: null });
  await add('record', 'interval', { id: 'b', args: ['b'], seconds: 3, startDate: at(1), coalesce: false });
  await add('crash', 'date', { id: 'crash', args: ['crash'], runDate: at(3) });
  await add('record', 'date', { id: 'c', args: ['c'], runDate: at(6.5) });
  assert.ok(Date.now() < at(0) - 200, 'setup took too long for the timeline');

  await sleepUntil(at(5.5));
  const aborted = await call(mf, '/abort', {});
  assert.equal(aborted.status, 500, 'the abort resets the object (the request fails)');
  await sleepUntil(at(7.5));
  const disposedAt = Date.now();
  await mf.dispose();

  await sleepUntil(at(12.5));
  const restartAt = Date.now();
  mf = miniflare(persist);
  await mf.ready;
  const readyAt = Date.now();
  await sleepUntil(at(18.5));
  const firstFetchAt = Date.now();
  const { runs, events } = (await call(mf, '/log')).body;
  const jobs = (await call(mf, '/jobs')).body;
  const state = (await call(mf, '/state')).body;
  await mf.dispose();
  const end = firstFetchAt;

  const rel = (ms) => ((ms - t0) / 1000).toFixed(3);
  const diagnostics = () =>
    `restart at ${rel(restartAt)}, ready at ${rel(readyAt)}\nruns: ${runs.map((r) => `${r.job}@${rel(r.at)}/${r.instance}`).join(' ')}\n` +
    `events: ${events.map((e) => `${e.name.replace('EVENT_JOB_', '')} ${e.job}@${rel(e.scheduled)}/${e.instance}`).join(' ')}`;
  const of = (job, name) => events.filter((e) => e.job === job && (name === undefined || e.name === name));
  const executed = (job) => of(job, 'EVENT_JOB_EXECUTED').map((e) => e.scheduled).sort((x, y) => x - y);
  const missed = (job) => of(job, 'EVENT_JOB_MISSED').map((e) => e.scheduled).sort((x, y) => x - y);
  const runsOf = (job) => runs.filter((r) => r.job === job).sort((x, y) => x.at - y.at);

  // No (job, fire time) twice; none both executed and missed; each run is one EXECUTED event.
  for (const job of ['a', 'b', 'c', 'crash']) {
    const e = executed(job);
    const m = missed(job);
    assert.equal(new Set(e).size, e.length, `job ${job}: a fire time executed twice\n${diagnostics()}`);
    assert.equal(new Set(m).size, m.length, `job ${job}: a fire time reported missed twice\n${diagnostics()}`);
    assert.ok(e.every((t) => !m.includes(t)), `job ${job}: a fire time both executed and missed\n${diagnostics()}`);
    if (job !== 'crash') assert.equal(runsOf(job).length, e.length, `job ${job}: runs vs EXECUTED events\n${diagnostics()}`);
  }
  assert.ok(of('a').every((e) => fireTimes(at(0), 2000, end).includes(e.scheduled)), `a: events at its fire times\n${diagnostics()}`);
  assert.ok(of('b').every((e) => fireTimes(at(1), 3000, end).includes(e.scheduled)), `b: events at its fire times\n${diagnostics()}`);

  // Undisturbed stretches: every fire time ran once, on time.
  const lateness = [];
  const onTime = (job, from, to, start, every) => {
    const ex = executed(job);
    const rs = runsOf(job);
    for (const f of fireTimes(start, every, to).filter((t) => t >= from)) {
      const i = ex.indexOf(f);
      assert.ok(i >= 0, `job ${job}: fire time ${rel(f)} did not run\n${diagnostics()}`);
      const late = rs[i].at - f;
      lateness.push(late);
      assert.ok(late >= 0 && late <= TOLERANCE_MS, `job ${job}: fire time ${rel(f)} ran ${late} ms late\n${diagnostics()}`);
    }
  };
  onTime('a', at(0), at(2.9), at(0), 2000);
  onTime('b', at(0), at(2.9), at(1), 3000);
  onTime('a', at(6), disposedAt - 300, at(0), 2000);
  onTime('b', at(6), disposedAt - 300, at(1), 3000);
  onTime('c', at(6.5), at(6.5), at(6.5), 1000);
  onTime('a', readyAt + 1000, end - 300, at(0), 2000);
  onTime('b', readyAt + 1000, end - 300, at(1), 3000);
  // A late alarm cannot be mistaken for a run on time: after the restart nothing was
  // fetched before `end`, so the object ran these because its alarm woke it.
  assert.ok(runsOf('a').some((r) => r.at > readyAt && r.at < firstFetchAt), `no run after the restart before the first fetch\n${diagnostics()}`);

  // The crash: its run record (the date job removed) was committed before it ran, so the
  // recreated object never ran it again (at most once: what it wrote after the record may be lost).
  assert.ok(runsOf('crash').length <= 1, `the crashed job ran again\n${diagnostics()}`);
  assert.equal(executed('crash').length, 0);
  const ids = jobs.map((j) => j.id).sort();
  assert.deepEqual(ids, ['a', 'b'], 'the date jobs are gone once run');

  // Four objects: the first, the one the crash's retried alarm built, the one after the abort, the one after the restart.
  const instanceOf = (job, f) => runsOf(job)[executed(job).indexOf(f)]?.instance;
  const first = instanceOf('a', at(0));
  const afterCrash = instanceOf('a', at(4));
  const afterAbort = instanceOf('a', at(6));
  const afterRestart = runsOf('a').find((r) => r.at > restartAt)?.instance;
  assert.equal(new Set([first, afterCrash, afterAbort, afterRestart]).size, 4, `instances ${[first, afterCrash, afterAbort, afterRestart]}\n${diagnostics()}`);

  // While the runtime was down. a (coalesce, no grace limit): one run, of the latest fire time
  // due when the alarm woke the object; the earlier ones coalesced (no event). b (no coalesce,
  // grace 1 s): each fire time once, run or missed; missed when over 1 s before the restart began.
  const catchUp = runsOf('a').find((r) => r.at > disposedAt);
  const catchUpTime = executed('a')[runsOf('a').indexOf(catchUp)];
  const dueAtWake = fireTimes(at(0), 2000, catchUp.at).at(-1);
  assert.equal(catchUpTime, dueAtWake, `a: the catch-up run is the latest fire time due\n${diagnostics()}`);
  for (const f of fireTimes(at(0), 2000, catchUpTime).filter((t) => t > disposedAt && t < catchUpTime)) {
    assert.equal(of('a').filter((e) => e.scheduled === f).length, 0, `a: coalesced fire time ${rel(f)} has an event\n${diagnostics()}`);
  }
  for (const f of fireTimes(at(1), 3000, end - 300)) {
    assert.equal(of('b').filter((e) => e.scheduled === f).length, 1, `b: fire time ${rel(f)} not accounted once\n${diagnostics()}`);
    if (f > disposedAt && f + 1000 < restartAt) assert.ok(missed('b').includes(f), `b: ${rel(f)} should be missed\n${diagnostics()}`);
  }
  // a: the fire times without an event lie where the object was down or crashed.
  for (const f of fireTimes(at(0), 2000, end - 300)) {
    if (!executed('a').includes(f)) {
      assert.ok((f > disposedAt && f < catchUpTime) || (f >= at(3) && f < at(6)), `a: fire time ${rel(f)} lost\n${diagnostics()}`);
    }
  }

  // The alarm is left at the next run time; nothing went wrong in storage.
  const next = Math.min(...jobs.map((j) => Date.parse(j.nextRunTime)));
  assert.equal(state.alarm, next, `alarm ${state.alarm} vs next run time ${next}`);
  assert.deepEqual(state.storeErrors, []);
  assert.deepEqual(state.loadErrors, []);
  lateness.sort((x, y) => x - y);
  console.log(`# durable-object: ${runs.length} runs, ${events.length} events; a@4 after the crash ran at ${rel(runsOf('a')[executed('a').indexOf(at(4))]?.at ?? NaN)}; ` +
    `restart: ready ${readyAt - restartAt} ms after new Miniflare, catch-up run at ${rel(catchUp.at)}; ` +
    `${lateness.length} undisturbed runs late by ${lateness[0]}..${lateness.at(-1)} ms (median ${lateness[lateness.length >> 1]})`);
});
