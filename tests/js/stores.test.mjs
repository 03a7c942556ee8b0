// Persistent job stores on a fake clock: localStorage (an in-memory Web Storage), IndexedDB
// (fake-indexeddb) and a pluggable store. Reloading never loses or duplicates a job, the
// advanced next run time is stored before the function runs (a crash never runs a fire
// time twice), unreadable records are reported and left in place, a failing store stops
// the runs it could not record, and a localStorage batch is all-or-nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexedDB as fakeIndexedDB, IDBKeyRange as FakeKeyRange } from 'fake-indexeddb';
import { IndexedDBJobStore, LocalStorageJobStore, Scheduler, TickwerkError, corruptEntry } from 'tickwerk';
import { FakeClock, T0, iso } from './scheduler-harness.mjs';

globalThis.IDBKeyRange ??= FakeKeyRange;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Web Storage in memory; `failAfter` makes the n-th following setItem throw (quota). */
class MemoryStorage {
  constructor() {
    this.map = new Map();
    this.failAfter = Infinity;
  }
  get length() { return this.map.size; }
  key(i) { return [...this.map.keys()][i] ?? null; }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) {
    if (this.failAfter-- <= 0) {
      this.failAfter = Infinity; // one failure, as a full quota refuses one write
      throw new Error('QuotaExceededError');
    }
    this.map.set(k, String(v));
  }
  removeItem(k) { this.map.delete(k); }
}

function scheduler(clock, jobstore, extra = {}) {
  return new Scheduler({ timezone: 'UTC', clock, logger: quiet, jobstores: { default: jobstore }, ...extra });
}

/** Two scheduler lifetimes over one store: nothing lost, nothing run twice. */
async function reloadScenario(makeStore, readRecord) {
  const clock = new FakeClock(T0);
  const runs = [];
  const seenStored = [];
  const functions = {
    tick: async (name) => {
      runs.push([name, clock.now()]);
      seenStored.push((await readRecord('every10'))?.next_run_time);
    },
  };
  const s1 = scheduler(clock, makeStore(), { functions });
  s1.addJob('tick', 'interval', { seconds: 10, id: 'every10', args: ['a'] });
  s1.addJob('tick', 'date', { runDate: T0 + 45_000, id: 'once', args: ['b'] });
  s1.addJob('tick', 'interval', { minutes: 1, id: 'paused', args: ['c'], nextRunTime: null });
  await s1.start();
  await clock.advance(25_000);
  assert.deepEqual(runs, [['a', T0 + 10_000], ['a', T0 + 20_000]]);
  // The record already held the next run time when the function ran.
  assert.deepEqual(seenStored, [(T0 + 20_000) * 1000, (T0 + 30_000) * 1000]);
  await s1.shutdown();
  assert.deepEqual(s1.getJobs(), [], 'stopped: nothing pending');

  // A new scheduler (a new page load) over the same storage, 8 s later.
  clock.t += 8_000;
  const s2 = scheduler(clock, makeStore(), { functions });
  await s2.start();
  assert.deepEqual(s2.loadErrors, []);
  assert.deepEqual(s2.getJobs().map((j) => [j.id, iso(j.nextRunTime)]), [
    ['every10', '2026-01-01T00:00:30.000Z'], ['once', '2026-01-01T00:00:45.000Z'], ['paused', null],
  ]);
  assert.deepEqual(s2.getJob('every10').args, ['a']);
  await clock.advance(20_000);
  assert.deepEqual(runs.slice(2), [['a', T0 + 40_000], ['b', T0 + 45_000], ['a', T0 + 50_000]], 'each fire time once, none lost');
  const ids = s2.getJobs().map((j) => j.id);
  assert.deepEqual(ids, ['every10', 'paused'], 'the exhausted date job was removed from storage too');
  await s2.shutdown();
  const s3 = scheduler(clock, makeStore(), { functions });
  await s3.start({ paused: true });
  assert.deepEqual(s3.getJobs().map((j) => j.id), ['every10', 'paused']);
  s3.removeAllJobs();
  await s3.shutdown();
  const s4 = scheduler(clock, makeStore(), { functions });
  await s4.start();
  assert.deepEqual(s4.getJobs(), [], 'removeAllJobs cleared the records');
  await s4.shutdown();
}

test('localStorage: reload without loss or duplication; next run time stored before the run', async () => {
  const storage = new MemoryStorage();
  await reloadScenario(
    () => ({ type: 'localstorage', storage }),
    async (id) => JSON.parse(storage.getItem(`tickwerk:default:${id}`) ?? 'null'),
  );
});

test('IndexedDB (fake-indexeddb): reload without loss or duplication', async () => {
  const dbName = `tw-${Math.random()}`;
  const stores = [];
  await reloadScenario(
    () => {
      const s = new IndexedDBJobStore({ dbName, indexedDB: fakeIndexedDB, shared: false });
      stores.push(s);
      return s;
    },
    (id) => readIdb(dbName, ['default', id]),
  );
});

function readIdb(dbName, key) {
  return new Promise((resolve, reject) => {
    const open = fakeIndexedDB.open(dbName);
    open.onsuccess = () => {
      const db = open.result;
      const req = db.transaction('jobs', 'readonly').objectStore('jobs').get(key);
      req.onsuccess = () => {
        db.close();
        resolve(req.result);
      };
      req.onerror = () => reject(req.error);
    };
    open.onerror = () => reject(open.error);
  });
}

function writeIdb(dbName, key, value) {
  return new Promise((resolve, reject) => {
    const open = fakeIndexedDB.open(dbName, 1);
    open.onupgradeneeded = () => open.result.createObjectStore('jobs');
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction('jobs', 'readwrite');
      tx.objectStore('jobs').put(value, key);
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

test('corrupted records are reported (loadErrors, logger) and left in place', async () => {
  const storage = new MemoryStorage();
  const clock = new FakeClock(T0);
  const s1 = scheduler(clock, { type: 'localstorage', storage }, { functions: { f() {} } });
  s1.addJob('f', 'interval', { minutes: 1, id: 'good' });
  await s1.start();
  await s1.shutdown();
  storage.setItem('tickwerk:default:broken', '{not json');
  storage.setItem('tickwerk:default:future', JSON.stringify({ version: 99, id: 'future' }));
  const errors = [];
  const s2 = new Scheduler({ timezone: 'UTC', clock, jobstores: { default: { type: 'localstorage', storage } }, functions: { f() {} },
    logger: { ...quiet, error: (m) => errors.push(m) } });
  await s2.start();
  assert.deepEqual(s2.getJobs().map((j) => j.id), ['good']);
  assert.deepEqual(s2.loadErrors.map((e) => [e.code, e.key, e instanceof TickwerkError]).sort(), [
    ['CORRUPT_RECORD', 'future', true], ['CORRUPT_RECORD', 'tickwerk:default:broken', true],
  ]);
  assert.match(s2.loadErrors.find((e) => e.key === 'future').message, /unknown record version 99/);
  assert.equal(errors.length, 2);
  s2.addJob('f', 'interval', { minutes: 1, id: 'more' });
  await s2.shutdown();
  assert.equal(storage.getItem('tickwerk:default:broken'), '{not json', 'left untouched');
  assert.equal(JSON.parse(storage.getItem('tickwerk:default:future')).version, 99);

  const dbName = `tw-corrupt-${Math.random()}`;
  await writeIdb(dbName, ['default', 'old'], { version: 99, id: 'old' });
  await writeIdb(dbName, ['default', 'nofunc'], { version: 1, id: 'nofunc' });
  const s3 = scheduler(clock, new IndexedDBJobStore({ dbName, indexedDB: fakeIndexedDB, shared: false }));
  await s3.start();
  assert.deepEqual(s3.loadErrors.map((e) => [e.code, e.value]).sort(), [['CORRUPT_RECORD', 'nofunc'], ['CORRUPT_RECORD', 'old']]);
  await s3.shutdown();
  assert.deepEqual(await readIdb(dbName, ['default', 'old']), { version: 99, id: 'old' });
});

test('a pluggable store gets the ops in order; a failing store blocks the runs it could not record', async () => {
  const clock = new FakeClock(T0);
  const batches = [];
  let failing = false;
  const store = {
    load: async () => [corruptEntry('k1', 'garbled bytes')],
    apply: async (ops) => {
      if (failing) throw new Error('disk full');
      batches.push(ops.map((o) => `${o.op}:${o.jobId ?? ''}`));
    },
  };
  const ran = [];
  const s = scheduler(clock, store, { functions: { f: () => ran.push(clock.now()) } });
  s.addJob('f', 'interval', { seconds: 10, id: 'j' });
  await s.start();
  assert.equal(s.loadErrors[0].code, 'CORRUPT_RECORD');
  await clock.advance(10_000);
  assert.deepEqual(ran, [T0 + 10_000]);
  s.pauseJob('j');
  s.resumeJob('j');
  s.removeJob('j');
  await clock.advance(0);
  assert.deepEqual(batches, [['put:j'], ['put:j'], ['put:j'], ['put:j'], ['remove:j']]);
  s.addJob('f', 'interval', { seconds: 10, id: 'k' });
  await clock.advance(0);
  failing = true;
  await clock.advance(10_000);
  assert.deepEqual(ran, [T0 + 10_000], 'not run: its advanced next run time could not be stored');
  assert.ok(s.storeErrors.length >= 1);
  assert.ok(s.storeErrors.every((e) => e instanceof TickwerkError && e.code === 'STORE_FAILURE'));
  assert.match(s.storeErrors[0].message, /disk full/);
  assert.equal(s.getJob('k').nextRunTime.getTime(), T0 + 30_000, 'the schedule moved on');
  await s.shutdown();
});

test('localStorage: a batch that hits the quota is rolled back whole', async () => {
  const storage = new MemoryStorage();
  const store = new LocalStorageJobStore({ storage, prefix: 'app' });
  store.bind('main');
  await store.apply([{ op: 'put', jobstore: 'main', jobId: 'a', record: { version: 1, id: 'a', n: 1 } }]);
  storage.failAfter = 1;
  await assert.rejects(
    store.apply([
      { op: 'put', jobstore: 'main', jobId: 'a', record: { version: 1, id: 'a', n: 2 } },
      { op: 'put', jobstore: 'main', jobId: 'b', record: { version: 1, id: 'b' } },
    ]),
    (e) => e instanceof TickwerkError && e.code === 'STORE_FAILURE',
  );
  assert.deepEqual([...storage.map.keys()], ['app:main:a']);
  assert.equal(JSON.parse(storage.getItem('app:main:a')).n, 1);
  storage.failAfter = Infinity;
  await store.apply([{ op: 'clear', jobstore: 'main' }]);
  assert.equal(storage.length, 0);
});

test('stores with different aliases do not see each other; pending jobs are stored at start', async () => {
  const storage = new MemoryStorage();
  const clock = new FakeClock(T0);
  const s = new Scheduler({ timezone: 'UTC', clock, logger: quiet, functions: { f() {} },
    jobstores: { one: { type: 'localstorage', storage }, two: { type: 'localstorage', storage } } });
  s.addJob('f', 'interval', { minutes: 1, id: 'x', jobstore: 'one' });
  s.addJob('f', 'interval', { minutes: 2, id: 'x', jobstore: 'two' });
  assert.equal(storage.length, 0, 'pending: nothing stored yet');
  await s.start();
  await clock.advance(0);
  assert.deepEqual([...storage.map.keys()].sort(), ['tickwerk:one:x', 'tickwerk:two:x']);
  await s.shutdown();
  const again = new Scheduler({ timezone: 'UTC', clock, logger: quiet, functions: { f() {} },
    jobstores: { one: { type: 'localstorage', storage }, two: { type: 'localstorage', storage } } });
  await again.start();
  assert.deepEqual(again.getJobs().map((j) => `${j.jobstore}:${j.id}:${String(j.trigger)}`), ['one:x:interval[0:01:00]', 'two:x:interval[0:02:00]']);
  await again.shutdown();
});

test('a store that fails to load fails start() without touching the core; a retry loads once', async () => {
  const clock = new FakeClock(T0);
  const record = { version: 1, id: 'kept', name: 'f', func: 'f', args: [], kwargs: {}, trigger: { type: 'interval', minutes: 1, timezone: 'UTC', start_date: T0 },
    executor: 'default', misfire_grace_time: 1, coalesce: true, max_instances: 1, next_run_time: (T0 + 60_000) * 1000, run_at: (T0 + 60_000) * 1000 };
  let attempts = 0;
  const good = { load: async () => [record], apply: async () => {} };
  const flaky = {
    load: async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('network down');
      return [];
    },
    apply: async () => {},
  };
  // `good` is read first; `flaky` then fails: nothing of `good` may stay loaded.
  const s = new Scheduler({ timezone: 'UTC', clock, logger: quiet, functions: { f() {} }, jobstores: { good, flaky } });
  await assert.rejects(s.start(), (e) => e instanceof TickwerkError && e.code === 'STORE_FAILURE' && /network down/.test(e.message));
  assert.equal(s.state, 'stopped');
  await s.start();
  assert.deepEqual(s.loadErrors, [], 'no duplicate-id problems on the retry');
  assert.deepEqual(s.getJobs().map((j) => [j.id, iso(j.nextRunTime)]), [['kept', '2026-01-01T00:01:00.000Z']]);
  await s.shutdown();
});

test('start() refused for a pending id taken by a stored job leaves nothing loaded; a retry works', async () => {
  const storage = new MemoryStorage();
  const clock = new FakeClock(T0);
  const opts = { timezone: 'UTC', clock, logger: quiet, functions: { f() {} }, jobstores: { default: { type: 'localstorage', storage } } };
  const s1 = new Scheduler(opts);
  s1.addJob('f', 'interval', { minutes: 1, id: 'taken' });
  await s1.start();
  await s1.shutdown();
  const s2 = new Scheduler(opts);
  s2.addJob('f', 'interval', { minutes: 5, id: 'taken' });
  await assert.rejects(s2.start(), (e) => e instanceof TickwerkError && e.code === 'CONFLICTING_ID');
  assert.equal(s2.state, 'stopped');
  s2.removeJob('taken');
  await s2.start();
  assert.deepEqual(s2.loadErrors, []);
  assert.deepEqual(s2.getJobs().map((j) => `${j.id} ${String(j.trigger)}`), ['taken interval[0:01:00]']);
  await s2.shutdown();
});

test('a job due after 2255 (µs above 2^53) reloads from a persistent store', async () => {
  const storage = new MemoryStorage();
  const clock = new FakeClock(T0);
  const functions = { later() {} };
  const s1 = scheduler(clock, { type: 'localstorage', storage }, { functions });
  await s1.start();
  s1.addJob('later', 'date', { runDate: '2300-01-01 00:00:00', id: 'later' });
  await s1.shutdown();
  const s2 = scheduler(clock, { type: 'localstorage', storage }, { functions });
  await s2.start();
  assert.deepEqual(s2.loadErrors ?? [], []);
  assert.deepEqual(s2.getJobs().map((j) => [j.id, j.nextRunTime.toISOString()]), [['later', '2300-01-01T00:00:00.000Z']]);
  await s2.shutdown();
});

test('IndexedDB: shared by default, so without Web Locks (Node) it is refused naming { shared: false }', () => {
  for (const spec of [{ type: 'indexeddb', indexedDB: fakeIndexedDB }, { type: 'indexeddb', indexedDB: fakeIndexedDB, shared: true }]) {
    assert.throws(() => scheduler(new FakeClock(T0), spec), (e) => {
      assert.ok(e instanceof TickwerkError);
      assert.equal(e.code, 'INVALID_ARGUMENT');
      assert.equal(e.field, 'jobstores.default.shared');
      assert.match(e.message, /Web Locks/);
      assert.match(e.message, /\{ shared: false \}/);
      return true;
    });
  }
  assert.throws(() => new IndexedDBJobStore({ indexedDB: fakeIndexedDB }), (e) => e.code === 'INVALID_ARGUMENT' && e.field === 'jobstore.shared');
  assert.throws(() => new IndexedDBJobStore({ indexedDB: fakeIndexedDB, shared: 'yes' }), (e) => e.code === 'INVALID_ARGUMENT' && e.field === 'jobstore.shared');
  const unshared = new IndexedDBJobStore({ indexedDB: fakeIndexedDB, shared: false });
  assert.equal(unshared.coordinate, undefined, 'an unshared store is not in an election');
});

test('IndexedDB: a version-1 database is upgraded to version 2 (the change queue) with every record kept', async () => {
  const dbName = `tw-upgrade-${Math.random()}`;
  const record = { version: 1, id: 'kept', name: 'tick', func: 'tick', args: [], kwargs: {}, trigger: { type: 'interval', v: 1, seconds: 10, start_date: '2026-01-01T00:00:00+00:00', timezone: 'UTC' }, executor: 'default', misfire_grace_time: 1, coalesce: true, max_instances: 1, next_run_time: (T0 + 10_000) * 1000, run_at: (T0 + 10_000) * 1000 };
  await writeIdb(dbName, ['default', 'kept'], record);
  const clock = new FakeClock(T0);
  const s = scheduler(clock, new IndexedDBJobStore({ dbName, indexedDB: fakeIndexedDB, shared: false }), { functions: { tick() {} } });
  await s.start();
  assert.deepEqual(s.getJobs().map((j) => [j.id, iso(j.nextRunTime)]), [['kept', iso(new Date(T0 + 10_000))]]);
  await s.shutdown();
  const db = await new Promise((resolve, reject) => {
    const open = fakeIndexedDB.open(dbName);
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  assert.equal(db.version, 2);
  assert.deepEqual([...db.objectStoreNames].sort(), ['changes', 'jobs']);
  assert.deepEqual([...db.transaction('changes', 'readonly').objectStore('changes').indexNames], ['alias']);
  db.close();
  assert.deepEqual(await readIdb(dbName, ['default', 'kept']), record);
});
