// The Scheduler on real Node machinery (real timers, kept short): the `worker` executor —
// jobs named by module URL + export run in a reused pool of worker_threads, arguments and
// results structured-cloned, errors reported with their stack, the pool limit holds, a
// crashed worker is replaced — and `keepAlive` (a running scheduler holds the process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, Scheduler, TickwerkError, WorkerExecutor } from 'tickwerk';

const MODULE = `data:text/javascript,${encodeURIComponent(`
import { threadId } from 'node:worker_threads';
export function add(a, b) { return { sum: a + b, threadId }; }
export async function slow(ms) { await new Promise((r) => setTimeout(r, ms)); return Date.now(); }
export function boom() { throw new TypeError('worker boom'); }
export function crash() { setTimeout(() => { throw new Error('worker crashed'); }); return new Promise(() => {}); }
`)}`;

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function waitFor(events, n, ms = 15_000) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (events.length >= n) resolve();
      else if (Date.now() - started > ms) reject(new Error(`only ${events.length} of ${n} events`));
      else setTimeout(poll, 20);
    };
    poll();
  });
}

test('worker executor: module#export jobs run in worker threads', { timeout: 30_000 }, async () => {
  const s = new Scheduler({ timezone: 'UTC', logger: quiet, executors: { default: 'default', workers: { type: 'worker', maxWorkers: 2, modules: [MODULE] } } });
  const events = [];
  s.addListener((e) => events.push(e), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR);
  await s.start();
  s.addJob(`${MODULE}#add`, { executor: 'workers', args: [2, 3], id: 'add' });
  s.addJob(`${MODULE}#boom`, { executor: 'workers', id: 'boom' });
  await waitFor(events, 2);
  const add = events.find((e) => e.jobId === 'add');
  assert.equal(add.code, EVENT_JOB_EXECUTED);
  assert.equal(add.retval.sum, 5);
  assert.notEqual(add.retval.threadId, 0, 'ran off the main thread');
  const boom = events.find((e) => e.jobId === 'boom');
  assert.equal(boom.code, EVENT_JOB_ERROR);
  assert.match(boom.exception.message, /worker boom/);
  assert.match(boom.traceback, /TypeError: worker boom/);
  assert.equal(boom.exception.name, 'TypeError');
  await s.shutdown();
});

test('worker executor: at most maxWorkers at once; a bad reference is an error at add time or at run time', { timeout: 30_000 }, async () => {
  const ex = new WorkerExecutor({ maxWorkers: 1, modules: [MODULE] });
  assert.equal(ex.maxWorkers, 1);
  const s = new Scheduler({ timezone: 'UTC', logger: quiet });
  s.addExecutor(ex, 'one');
  const events = [];
  s.addListener((e) => events.push(e), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR);
  await s.start();
  s.addJob(`${MODULE}#slow`, { executor: 'one', args: [300], id: 's1', misfireGraceTime: null });
  s.addJob(`${MODULE}#slow`, { executor: 'one', args: [300], id: 's2', misfireGraceTime: null });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(ex.running, 1);
  assert.equal(ex.queued, 1);
  await waitFor(events, 2);
  const [a, b] = events.map((e) => e.retval);
  assert.ok(b - a >= 250, `the second run started after the first ended (${b - a} ms apart)`);
  assert.throws(() => s.addJob(`${MODULE}nohash`, { executor: 'one' }), (e) => e instanceof TickwerkError && e.code === 'INVALID_ARGUMENT' && e.field === 'func');
  s.addJob(`${MODULE}#missing`, { executor: 'one', id: 'bad-ref' });
  await waitFor(events, 3);
  assert.equal(events[2].code, EVENT_JOB_ERROR);
  assert.match(events[2].exception.message, /no exported function missing/);
  assert.equal(ex.workersStarted, 1, 'one worker, reused for every call');
  await s.shutdown();
});

test('worker executor: a crashed worker fails its run and is replaced', { timeout: 30_000 }, async () => {
  const ex = new WorkerExecutor({ maxWorkers: 1, modules: [MODULE] });
  const s = new Scheduler({ timezone: 'UTC', logger: quiet, executors: { default: ex } });
  const events = [];
  s.addListener((e) => events.push(e), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR);
  await s.start();
  s.addJob(`${MODULE}#crash`, { id: 'crash' });
  await waitFor(events, 1);
  assert.equal(events[0].code, EVENT_JOB_ERROR);
  assert.match(events[0].exception.message, /worker crashed/);
  s.addJob(`${MODULE}#add`, { args: [1, 1], id: 'after' });
  await waitFor(events, 2);
  assert.equal(events[1].retval.sum, 2);
  assert.equal(ex.workersStarted, 2, 'the crashed worker was replaced');
  await s.shutdown();
});

test('Node: a running scheduler keeps the process alive; keepAlive: false lets it exit', { timeout: 30_000 }, async () => {
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const cwd = fileURLToPath(new URL('../../', import.meta.url));
  const run = (keepAlive) => new Promise((resolve) => {
    const code = `import { Scheduler } from 'tickwerk';
      const s = new Scheduler({ timezone: 'UTC', keepAlive: ${keepAlive} });
      s.addJob(() => {}, 'interval', { hours: 1 });
      await s.start();
      console.log('started');`;
    const child = spawn(process.execPath, [...process.execArgv.filter((a) => a.startsWith('--preserve-symlinks')), '--input-type=module', '-e', code], { cwd });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const timer = setTimeout(() => {
      child.kill();
      resolve({ exited: false, out });
    }, 8000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve({ exited: true, out });
    });
  });
  const [alive, free] = await Promise.all([run(true), run(false)]);
  assert.match(alive.out, /started/);
  assert.equal(alive.exited, false, 'keepAlive (default): the scheduler holds the process');
  assert.match(free.out, /started/);
  assert.equal(free.exited, true, 'keepAlive: false: the process exits when nothing else runs');
});

test('worker executor: a stored record naming a module off the allow-list is reported and never imported (issue 8, defect 3)', { timeout: 30_000 }, async () => {
  const { mkdtempSync, existsSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const marker = join(mkdtempSync(join(tmpdir(), 'tickwerk-worker-')), 'imported');
  // What an attacker would store: a module that writes a file as soon as it is imported.
  const evil = `data:text/javascript,${encodeURIComponent(`import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'x'); export function f() {}`)}`;
  const record = (id, func) => ({
    version: 1, id, func, trigger: { type: 'date', run_date: '2026-01-01T00:00:00+00:00', timezone: 'UTC' }, executor: 'workers',
    args: [], kwargs: {}, name: id, misfire_grace_time: null, coalesce: true, max_instances: 1, next_run_time: 1767225600000000,
  });
  const stored = [record('evil', `${evil}#f`), record('good', `${MODULE}#add`)];
  const store = { async load() { return stored; }, async apply() {} };
  const s = new Scheduler({
    timezone: 'UTC', logger: quiet, jobstores: { default: store },
    executors: { default: 'default', workers: { type: 'worker', modules: [MODULE] } },
  });
  const events = [];
  s.addListener((e) => events.push(e), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR);
  await s.start();
  assert.deepEqual(s.loadErrors, []);
  await waitFor(events, 2);
  const evilEvent = events.find((e) => e.jobId === 'evil');
  assert.equal(evilEvent.code, EVENT_JOB_ERROR);
  assert.ok(evilEvent.exception instanceof TickwerkError && evilEvent.exception.code === 'INVALID_ARGUMENT', String(evilEvent.exception));
  assert.match(evilEvent.exception.message, /allow-list/);
  assert.equal(events.find((e) => e.jobId === 'good').code, EVENT_JOB_EXECUTED);
  await s.shutdown();
  assert.equal(existsSync(marker), false, 'the unlisted module was never imported');
  // Adding such a job is refused up front; an unlisted module on the default executor too.
  assert.throws(() => s.addJob(`${evil}#f`, { executor: 'workers' }), (e) => e instanceof TickwerkError && e.code === 'INVALID_ARGUMENT' && /allow-list/.test(e.message));
  assert.throws(() => s.addJob(`${evil}#f`, {}), (e) => e instanceof TickwerkError && e.code === 'INVALID_ARGUMENT' && /registered/.test(e.message));
});
