// The file job store (`{ type: 'file', path }`, js/file-store.js): jobs survive scheduler
// restarts with each fire time run once; the next run time is in the file before the run;
// lines that do not parse are reported and written back byte for byte; a foreign or newer
// file is refused untouched; a batch is all or nothing; a second process on the same path is
// refused with the holder's pid, a SIGKILLed holder's lock is taken over (by exactly one of
// six processes starting at once), a holder that cannot be checked (another host or pid
// namespace) only once its lock is 60 s old, an exiting process releases its lock, a store
// that lost its lock stops writing; and a child writing batches
// in a loop is SIGKILLed at random moments until at least 20 kills landed inside a write:
// every reload is valid and holds the state before or after the interrupted batch.
// FILE_STORE_KILLS (default 20) sets how many mid-write kills to reach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, utimesSync, writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Scheduler, TickwerkError } from 'tickwerk';
import { FileJobStore } from '../../js/file-store.js';
import { CorruptEntry } from '../../js/stores.js';
import { stateAfter } from './file-store-child.mjs';
import { invalidArgOf } from './invalid-argument.mjs';
import { FakeClock, T0, iso, quiet } from './scheduler-harness.mjs';

const CHILD = fileURLToPath(new URL('./file-store-child.mjs', import.meta.url));
const MID_WRITE_KILLS = Number(process.env.FILE_STORE_KILLS ?? 20);
const HEADER = '{"tickwerk":"file-store","version":1}';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Waits (real time) until `cond()` holds; fails after `ms`. */
async function until(cond, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}
const tempDir = () => mkdtempSync(join(tmpdir(), 'tickwerk-file-store-'));
const text = (p) => (existsSync(p) ? readFileSync(p, 'utf8') : '');
const fileScheduler = (clock, path, extra = {}) =>
  new Scheduler({ timezone: 'UTC', clock, logger: quiet, jobstores: { default: { type: 'file', path } }, keepAlive: false, ...extra });

const invalidArg = invalidArgOf(TickwerkError);

test('options: a path is required, unknown keys are refused, a file: URL works, a missing directory is a STORE_FAILURE', async () => {
  const dir = tempDir();
  try {
    invalidArg(() => new Scheduler({ jobstores: { default: { type: 'file' } } }), 'jobstores.default.path', /needs a path/);
    invalidArg(() => new Scheduler({ jobstores: { default: { type: 'file', path: '' } } }), 'jobstores.default.path', /needs a path/);
    invalidArg(() => new Scheduler({ jobstores: { default: { type: 'file', path: 42 } } }), 'jobstores.default.path', /needs a path/);
    invalidArg(() => new Scheduler({ jobstores: { default: { type: 'file', path: new URL('https://example.com/x') } } }), 'jobstores.default.path', /file: URL/);
    invalidArg(() => new Scheduler({ jobstores: { default: { type: 'file', Path: 'x' } } }), 'jobstores.default', /did you mean "path"\? known: type, path/);
    invalidArg(() => new Scheduler({ jobstores: { default: { type: 'file', path: 'x', fsync: false } } }), 'jobstores.default', /unknown option/);
    const clock = new FakeClock(T0);
    const s = fileScheduler(clock, pathToFileURL(join(dir, 'url.jobs')), { functions: { f() {} } });
    s.addJob('f', 'interval', { hours: 1, id: 'u' });
    await s.start();
    await until(() => text(join(dir, 'url.jobs')).includes('"u"'), 'the first write');
    await s.shutdown();
    const missing = join(dir, 'no-such-dir', 'jobs');
    await assert.rejects(fileScheduler(clock, missing).start(), (e) => e.code === 'STORE_FAILURE' && e.message.includes(`its directory ${join(dir, 'no-such-dir')} does not exist`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Node only: without process.getBuiltinModule the file store is an INVALID_ARGUMENT', async () => {
  const code = `delete process.getBuiltinModule;
const { Scheduler } = await import('tickwerk');
try { new Scheduler({ jobstores: { default: { type: 'file', path: 'x' } } }); console.log('no error'); }
catch (e) { console.log(JSON.stringify({ code: e.code, field: e.field, message: e.message })); }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: fileURLToPath(new URL('.', import.meta.url)) });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((resolve) => child.on('exit', resolve));
  const e = JSON.parse(out);
  assert.equal(e.code, 'INVALID_ARGUMENT');
  assert.equal(e.field, 'jobstores.default.type');
  assert.match(e.message, /needs Node >= 20\.16 \(process\.getBuiltinModule\)/);
});

test('round trip across scheduler restarts: each fire time once, the next run time in the file before the run, the lock released at shutdown and removeJobstore', async () => {
  const dir = tempDir();
  const path = join(dir, 'jobs.tickwerk');
  const lock = `${path}.lock`;
  try {
    const clock = new FakeClock(T0);
    const runs = [];
    const seenStored = [];
    const functions = {
      tick(name) {
        runs.push([name, clock.now()]);
        const line = text(path).split('\n').find((l) => l.startsWith('"every10"\t'));
        seenStored.push(JSON.parse(line.slice(line.indexOf('\t') + 1)).next_run_time);
      },
    };
    const s1 = fileScheduler(clock, path, { functions });
    s1.addJob('tick', 'interval', { seconds: 10, id: 'every10', args: ['a'] });
    s1.addJob('tick', 'date', { runDate: T0 + 45_000, id: 'once', args: ['b'] });
    s1.addJob('tick', 'interval', { minutes: 1, id: 'paused', args: ['c'], nextRunTime: null });
    await s1.start();
    assert.ok(existsSync(lock), 'locked while running');
    assert.equal(JSON.parse(text(lock)).pid, process.pid);
    await until(() => text(path).includes('"paused"'), 'the jobs in the file');
    const lines = text(path).split('\n');
    assert.equal(lines[0], HEADER);
    assert.deepEqual(lines.slice(1).map((l) => l.slice(0, l.indexOf('\t'))), ['"every10"', '"once"', '"paused"', '']);
    await clock.advance(10_000);
    await until(() => runs.length === 1, 'run 1');
    await clock.advance(10_000);
    await until(() => runs.length === 2, 'run 2');
    assert.deepEqual(runs, [['a', T0 + 10_000], ['a', T0 + 20_000]]);
    assert.deepEqual(seenStored, [(T0 + 20_000) * 1000, (T0 + 30_000) * 1000], 'the advanced next run time was in the file when the job ran');
    await s1.shutdown();
    assert.equal(existsSync(lock), false, 'shutdown released the lock');

    clock.t += 8_000;
    const s2 = fileScheduler(clock, path, { functions });
    await s2.start();
    assert.deepEqual(s2.loadErrors, []);
    assert.deepEqual(s2.getJobs().map((j) => [j.id, iso(j.nextRunTime)]), [
      ['every10', '2026-01-01T00:00:30.000Z'], ['once', '2026-01-01T00:00:45.000Z'], ['paused', null],
    ]);
    assert.deepEqual(s2.getJob('every10').args, ['a']);
    await clock.advance(2_000);
    await until(() => runs.length === 3, 'run 3');
    await clock.advance(10_000);
    await until(() => runs.length === 4, 'run 4');
    await clock.advance(5_000);
    await until(() => runs.length === 5 && !text(path).includes('"once"'), 'the date job run and removed from the file');
    assert.deepEqual(runs.slice(2), [['a', T0 + 30_000], ['a', T0 + 40_000], ['b', T0 + 45_000]], 'each fire time once, none lost');

    // A second file store added while running is locked and loaded; removeJobstore releases it.
    const other = join(dir, 'other.tickwerk');
    await s2.addJobstore({ type: 'file', path: other }, 'other');
    assert.ok(existsSync(`${other}.lock`));
    s2.addJob('tick', 'interval', { hours: 1, id: 'x', args: ['x'], jobstore: 'other' });
    await until(() => text(other).includes('"x"'), 'the other store written');
    s2.removeJobstore('other');
    await until(() => !existsSync(`${other}.lock`), 'the other lock released');
    await s2.shutdown();

    const s3 = fileScheduler(clock, path, { functions });
    await s3.start({ paused: true });
    assert.deepEqual(s3.getJobs().map((j) => j.id), ['every10', 'paused']);
    s3.removeAllJobs();
    await s3.shutdown();
    assert.equal(text(path), `${HEADER}\n`);
    const s4 = fileScheduler(clock, other, { functions });
    await s4.start();
    assert.deepEqual(s4.getJobs().map((j) => j.id), ['x'], 'the removed store kept its records');
    await s4.shutdown();
    assert.deepEqual(readdirSync(dir).sort(), ['jobs.tickwerk', 'other.tickwerk'], 'no lock or temp file left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lines that do not parse are reported (key, reason, id) and written back byte for byte; a foreign or newer file is refused untouched', async () => {
  const dir = tempDir();
  const path = join(dir, 'jobs.tickwerk');
  try {
    const clock = new FakeClock(T0);
    const functions = { tick() {} };
    const s1 = fileScheduler(clock, path, { functions });
    s1.addJob('tick', 'interval', { hours: 1, id: 'good' });
    await s1.start();
    await until(() => text(path).includes('"good"'), 'the first write');
    await s1.shutdown();
    const bad = [
      Buffer.from('"broken"\t{"version":1,"id":"broken","na'), // torn record: id known
      Buffer.from([0xff, 0xfe, 0x41, 0x09, 0x7b, 0x7d]), // not UTF-8
      Buffer.from('no tab here'),
      Buffer.from('"other"\t{"version":1,"id":"mismatch"}'), // the record's id is not its key
      Buffer.from('"future"\t{"version":99,"id":"future"}'), // parses; the core cannot decode it
    ];
    writeFileSync(path, Buffer.concat([readFileSync(path), ...bad.flatMap((b) => [b, Buffer.from('\n')])]));
    const s2 = fileScheduler(clock, path, { functions });
    await s2.start();
    assert.deepEqual(s2.getJobs().map((j) => j.id), ['good']);
    assert.deepEqual(s2.loadErrors.map((e) => [e.code, e.key, e.id]), [
      ['CORRUPT_RECORD', `${path}:3`, 'broken'],
      ['CORRUPT_RECORD', `${path}:4`, undefined],
      ['CORRUPT_RECORD', `${path}:5`, undefined],
      ['CORRUPT_RECORD', `${path}:6`, 'other'],
      ['CORRUPT_RECORD', 'future', 'future'],
    ]);
    assert.match(s2.loadErrors[0].message, /not JSON/);
    assert.match(s2.loadErrors[1].message, /not UTF-8/);
    assert.match(s2.loadErrors[3].message, /the record's id "mismatch" is not its key "other"/);
    s2.addJob('tick', 'interval', { hours: 1, id: 'new' });
    await until(() => text(path).includes('"new"'), 'a write');
    const after = readFileSync(path);
    for (const b of bad) assert.ok(after.includes(Buffer.concat([Buffer.from('\n'), b, Buffer.from('\n')])), `kept byte for byte: ${b}`);
    assert.throws(() => s2.addJob('tick', 'interval', { hours: 1, id: 'broken' }), (e) => e.code === 'CONFLICTING_ID');
    s2.addJob('tick', 'interval', { hours: 2, id: 'broken', replaceExisting: true });
    await until(() => !readFileSync(path).includes(bad[0]), 'the torn line replaced');
    assert.match(text(path), /\n"broken"\t\{[^\n]*"id":"broken"/);
    s2.removeAllJobs();
    await s2.shutdown();
    const left = readFileSync(path);
    assert.equal(left.toString('latin1').split('\n').length - 2, 4, 'the four unreadable lines are all that is left');
    for (const b of bad.slice(1)) assert.ok(left.includes(b));

    // Not a file store: refused, nothing changed, no lock left.
    for (const [content, pattern] of [
      ['{"some":"config"}\nline two\n', /is not a tickwerk job store file/],
      ['{"tickwerk":"file-store","version":2}\n"a"\t{}\n', /has format version 2, this tickwerk reads version 1/],
    ]) {
      const foreign = join(dir, 'foreign.json');
      writeFileSync(foreign, content);
      const s = fileScheduler(clock, foreign, { functions });
      await assert.rejects(s.start(), (e) => e.code === 'STORE_FAILURE' && pattern.test(e.message) && e.message.includes(foreign));
      assert.equal(text(foreign), content);
      assert.equal(existsSync(`${foreign}.lock`), false);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a batch is all or nothing: a bad op or a failed write leaves the file (and the next batch) as before', async () => {
  const dir = tempDir();
  const path = join(dir, 'jobs.tickwerk');
  const store = new FileJobStore({ path });
  try {
    assert.deepEqual(await store.load(), []);
    await store.apply([{ op: 'put', jobId: 'a', record: { version: 1, id: 'a' } }]);
    const before = text(path);
    await assert.rejects(store.apply([{ op: 'put', jobId: 'b', record: { version: 1, id: 'b' } }, { op: 'bogus' }]), /failed \(nothing written\): Error: unknown store op "bogus"/);
    assert.equal(text(path), before);
    mkdirSync(`${path}.tmp`); // the temp file cannot be created
    await assert.rejects(store.apply([{ op: 'remove', jobId: 'a' }]), (e) => e.code === 'STORE_FAILURE' && /write failed \(the file is unchanged\)/.test(e.message));
    assert.equal(text(path), before);
    rmdirSync(`${path}.tmp`);
    await store.apply([{ op: 'put', jobId: 'c', record: { version: 1, id: 'c' } }]);
    assert.equal(text(path), `${HEADER}\n"a"\t{"version":1,"id":"a"}\n"c"\t{"version":1,"id":"c"}\n`);
    assert.equal(statSync(path).mode & 0o777, 0o600, 'created readable by its owner only');
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Spawns file-store-child.mjs; resolves once it printed "ready" (or exited). */
function child(mode, path) {
  const proc = spawn(process.execPath, [CHILD, mode, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d) => (err += d));
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal, err })));
  const ready = new Promise((resolve) => {
    proc.stdout.on('data', (d) => {
      out += d;
      if (out.includes('ready\n')) resolve();
    });
    exited.then(resolve);
  });
  return { proc, ready, exited };
}

test('a second process on the same path is refused with the holder\'s pid; a SIGKILLed holder\'s lock is taken over; an exiting process releases its lock', async () => {
  const dir = tempDir();
  const path = join(dir, 'jobs.tickwerk');
  const lock = `${path}.lock`;
  try {
    const holder = child('hold', path);
    await holder.ready;
    const pid = holder.proc.pid;
    assert.equal(JSON.parse(text(lock)).pid, pid);
    const clock = new FakeClock(Date.now());
    const s = fileScheduler(clock, path, { functions: { noop() {} } });
    await assert.rejects(s.start(), (e) => {
      assert.equal(e.code, 'STORE_FAILURE');
      assert.ok(e.message.includes(path) && e.message.includes(`locked by process ${pid}`), e.message);
      return true;
    });
    assert.equal(s.state, 'stopped');

    holder.proc.kill('SIGKILL');
    assert.equal((await holder.exited).signal, 'SIGKILL');
    assert.equal(JSON.parse(text(lock)).pid, pid, 'the dead holder\'s lock is still there');
    await s.start(); // the same scheduler, retried: the stale lock is taken over
    assert.deepEqual(s.getJobs().map((j) => j.id), [`held-${pid}`]);
    assert.equal(JSON.parse(text(lock)).pid, process.pid);
    // This process holds it: another scheduler of this process is refused too.
    const twin = fileScheduler(clock, path, { functions: { noop() {} } });
    await assert.rejects(twin.start(), (e) => e.code === 'STORE_FAILURE' && e.message.includes(`locked by this process (pid ${process.pid})`));
    await s.shutdown();
    assert.equal(existsSync(lock), false);

    const exiting = child('exit', path);
    const { code, err } = await exiting.exited;
    assert.equal(code, 0, err);
    assert.equal(existsSync(lock), false, 'process.exit without shutdown released the lock');
    assert.ok(text(path).includes(`"held-${exiting.proc.pid}"`));
    assert.deepEqual(readdirSync(dir), ['jobs.tickwerk']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('processes starting at once on a dead holder\'s lock: exactly one takes it over', async () => {
  const dir = tempDir();
  const path = join(dir, 'jobs.tickwerk');
  const lock = `${path}.lock`;
  try {
    for (let round = 0; round < 8; round += 1) {
      const dead = spawn(process.execPath, ['-e', '']);
      await new Promise((resolve) => dead.on('exit', resolve));
      writeFileSync(lock, JSON.stringify({ pid: dead.pid, host: hostname(), token: 'dead', since: '2026-01-01T00:00:00.000Z' }));
      const racers = Array.from({ length: 6 }, () => {
        const proc = spawn(process.execPath, [CHILD, 'race', path], { stdio: ['ignore', 'pipe', 'inherit'] });
        const said = new Promise((resolve) => {
          let out = '';
          proc.stdout.on('data', (d) => {
            out += d;
            if (out.includes('\n')) resolve(out.trim());
          });
        });
        return { proc, said };
      });
      const gone = racers.map((r) => new Promise((resolve) => r.proc.on('exit', resolve)));
      try {
        const results = await Promise.all(racers.map((r) => r.said));
        const winners = racers.filter((_, i) => results[i] === 'won');
        assert.equal(winners.length, 1, `round ${round}: ${results.join(', ')}`);
        assert.equal(results.filter((r) => r === 'refused').length, 5, results.join(', '));
        assert.equal(JSON.parse(text(lock)).pid, winners[0].proc.pid);
      } finally {
        for (const r of racers) r.proc.kill('SIGKILL');
        await Promise.all(gone);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lock whose holder cannot be checked (another host, another pid namespace) is refused until it is 60 s old; a damaged lock is taken over', async () => {
  const dir = tempDir();
  const path = join(dir, 'jobs.tickwerk');
  const lock = `${path}.lock`;
  const old = new Date(Date.now() - 61_000);
  try {
    const clock = new FakeClock(T0);
    for (const other of [{ host: 'elsewhere' }, { host: hostname(), ns: 'pid:[1]' }]) {
      writeFileSync(lock, JSON.stringify({ pid: process.pid, ...other, token: 't', since: '2026-01-01T00:00:00.000Z' }));
      const s = fileScheduler(clock, path);
      await assert.rejects(s.start(), (e) => {
        assert.equal(e.code, 'STORE_FAILURE');
        assert.match(e.message, new RegExp(`locked by process ${process.pid} on host ${other.host} \\(refreshed \\d+ s ago; taken over when 60 s old\\)`));
        return true;
      });
      utimesSync(lock, old, old);
      await s.start();
      assert.equal(JSON.parse(text(lock)).token === 't', false, 'taken over');
      await s.shutdown();
    }
    writeFileSync(lock, '{"pid":');
    utimesSync(lock, old, old);
    const s = fileScheduler(clock, path);
    await s.start();
    await s.shutdown();
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a store whose lock file was replaced refuses to write (STORE_FAILURE) and leaves the other lock alone', async () => {
  const dir = tempDir();
  const path = join(dir, 'jobs.tickwerk');
  const lock = `${path}.lock`;
  try {
    const clock = new FakeClock(T0);
    const s = fileScheduler(clock, path, { functions: { tick() {} } });
    await s.start();
    const foreign = JSON.stringify({ pid: 1, host: 'elsewhere', token: 'x', since: 'then' });
    writeFileSync(lock, foreign);
    s.addJob('tick', 'interval', { hours: 1, id: 'a' });
    await until(() => s.storeErrors.length > 0, 'a store error');
    assert.equal(s.storeErrors[0].code, 'STORE_FAILURE');
    assert.match(s.storeErrors[0].message, /lost its lock \(.* now names process 1\): not written/);
    assert.equal(text(path), '', 'nothing written');
    await s.shutdown();
    assert.equal(text(lock), foreign);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(`SIGKILL of a child writing batches in a loop, until ${MID_WRITE_KILLS} kills landed inside a write: every reload valid, before or after the interrupted batch`, { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const path = join(dir, 'jobs.tickwerk');
  // Two unreadable lines that every rewrite must carry along.
  const keep = [Buffer.from('"keep"\t{oops'), Buffer.from([0xc3, 0x28, 0x41])];
  writeFileSync(path, Buffer.concat([Buffer.from(`${HEADER}\n`), keep[0], Buffer.from('\n'), keep[1], Buffer.from('\n')]));
  const stats = { kills: 0, midWrite: 0, before: 0, after: 0, batches: 0, largest: 0 };
  let previous = 0;
  try {
    while (stats.midWrite < MID_WRITE_KILLS) {
      assert.ok(stats.kills < MID_WRITE_KILLS * 4, `only ${stats.midWrite} of ${stats.kills} kills landed inside a write`);
      const log = join(dir, `log-${stats.kills}`);
      const proc = spawn(process.execPath, [CHILD, 'writer', path, log], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      proc.stderr.on('data', (d) => (err += d));
      const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
      await until(() => text(log).startsWith('loaded') || proc.exitCode !== null, 'the writer to load');
      await sleep(5 + Math.random() * 120);
      proc.kill('SIGKILL');
      const exit = await exited;
      stats.kills += 1;
      assert.equal(exit.signal, 'SIGKILL', `the writer exited by itself (${JSON.stringify(exit)}): ${err}`);
      const lines = text(log).split('\n').filter((l) => /^(loaded|begin|done) \d+$/.test(l));
      const num = (kind) => Number(lines.filter((l) => l.startsWith(kind)).pop()?.split(' ')[1] ?? NaN);
      const loaded = num('loaded');
      assert.equal(loaded, previous, 'the writer loaded what the last reload held');
      const begun = Number.isNaN(num('begin')) ? loaded : num('begin');
      const done = Number.isNaN(num('done')) ? loaded : num('done');
      assert.equal(JSON.parse(text(`${path}.lock`)).pid, proc.pid, 'the killed writer\'s lock is left behind');

      // Reload (taking over the dead writer's lock) and compare with the known states.
      const store = new FileJobStore({ path });
      const entries = await store.load();
      store.close();
      const corrupt = entries.filter((e) => e instanceof CorruptEntry);
      assert.deepEqual(corrupt.map((e) => e.id), ['keep', undefined], `kill ${stats.kills}: only the two seeded unreadable lines`);
      const records = new Map(entries.filter((e) => !(e instanceof CorruptEntry)).map((r) => [r.id, r]));
      const n = records.get('meta')?.n ?? 0;
      const interrupted = begun === done + 1;
      assert.ok(n === done || (interrupted && n === begun), `kill ${stats.kills}: the file holds batch ${n}; done ${done}, begun ${begun}`);
      assert.deepEqual(records, stateAfter(n), `kill ${stats.kills}: the records are exactly those after batch ${n}`);
      const bytes = readFileSync(path);
      for (const b of keep) assert.ok(bytes.includes(b), 'the unreadable lines kept byte for byte');
      if (interrupted) {
        stats.midWrite += 1;
        if (n === begun) stats.after += 1;
        else stats.before += 1;
      }
      stats.batches += done - loaded;
      stats.largest = Math.max(stats.largest, bytes.length);
      previous = n;
    }
    assert.deepEqual(readdirSync(dir).filter((n) => !n.startsWith('log-')).sort(), ['jobs.tickwerk'], 'no lock or temp file left after the last reload');
    console.log(`file store: ${stats.kills} SIGKILLs, ${stats.midWrite} inside a write (${stats.before} reloaded the state before it, ${stats.after} the state after it), ${stats.batches} batches completed, file up to ${(stats.largest / 1024).toFixed(0)} KiB; every reload valid`);
  } catch (e) {
    console.log(`file store kill test: files kept in ${dir}`);
    throw e;
  }
  rmSync(dir, { recursive: true, force: true });
});
