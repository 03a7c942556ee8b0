// Shared job stores (docs/shared-stores.md), the Scheduler's side: several Scheduler
// instances in one process on one in-memory shared store, on one fake clock. The store
// below keeps the contract faithfully — one leader, a durable change queue, notices to the
// other members, apply(ops, consumed) atomic and fenced (LEASE_LOST for a non-leader) — so
// what these tests show holds for any adapter that keeps it (IndexedDB between tabs,
// Postgres, Redis).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corruptEntry, EVENT_ALL, EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, EVENT_ROLE_CHANGED, Scheduler } from 'tickwerk';
import { FakeClock, recordingLogger, settle, T0 } from './scheduler-harness.mjs';

const clone = (x) => (x === undefined ? undefined : JSON.parse(JSON.stringify(x)));

/** One shared store: records, a change queue, the members and who leads. */
class SharedWorld {
  constructor() {
    this.records = new Map();
    this.queue = [];
    this.seq = 0;
    this.members = [];
    this.leader = null;
    /** While true, a closing leader's place stays empty until `promote()` (a crash whose
     *  lock or lease has not expired yet). */
    this.holdHandover = false;
    /** Entries load() returns as unreadable (`corruptEntry`), after the records. */
    this.corrupt = [];
  }

  /** Tells every other member (asynchronously, as a channel or LISTEN would). */
  tell(from, what) {
    for (const m of this.members) if (m !== from && !m.muted) setImmediate(() => m.handlers?.notice(what));
  }

  /** `member` leads from now on; the old leader is not told (its lease ran out while it was
   *  paused): it learns it from LEASE_LOST on its next write. */
  steal(member) {
    this.leader = member;
    setImmediate(() => member.handlers.role('leader'));
  }

  /** The next waiting member leads (as the browser grants a released Web Lock). */
  promote() {
    const next = this.members[0];
    this.leader = next ?? null;
    if (next) setImmediate(() => next.handlers.role('leader'));
  }
}

/** A member's adapter: the contract's load / apply / coordinate / submit / takeChanges / close. */
class FakeSharedStore {
  constructor(world) {
    this.world = world;
    this.muted = false;
    this.applied = 0;
  }

  async load() {
    return [...[...this.world.records.values()].map(clone), ...this.world.corrupt];
  }

  async coordinate(handlers) {
    this.handlers = handlers;
    this.world.members.push(this);
    if (this.world.leader === null) {
      this.world.leader = this;
      handlers.role('leader');
    } else {
      handlers.role('follower');
    }
  }

  async submit(changes) {
    for (const change of changes) this.world.queue.push({ key: (this.world.seq += 1), change: clone(change) });
    this.world.tell(this, 'changes');
  }

  async takeChanges() {
    return this.world.queue.map(clone);
  }

  async apply(ops, consumed = []) {
    if (this.world.leader !== this) throw Object.assign(new Error('not the leader'), { code: 'LEASE_LOST' });
    for (const op of ops) {
      if (op.op === 'put') this.world.records.set(op.jobId, clone(op.record));
      else if (op.op === 'remove') this.world.records.delete(op.jobId);
      else if (op.op === 'clear') this.world.records.clear();
    }
    this.world.queue = this.world.queue.filter((q) => !consumed.includes(q.key));
    this.applied += 1;
    if (ops.length > 0) this.world.tell(this, 'records');
  }

  close() {
    const w = this.world;
    w.members = w.members.filter((m) => m !== this);
    if (w.leader === this) {
      w.leader = null;
      if (!w.holdHandover) w.promote();
    }
  }
}

/** `n` schedulers on one shared store and one clock; `log` gets [label, jobId, ms] per run. */
function cluster(n, { logger } = {}) {
  const clock = new FakeClock(T0);
  const world = new SharedWorld();
  const log = [];
  const members = [];
  for (let i = 0; i < n; i += 1) {
    const label = String.fromCharCode(65 + i);
    const store = new FakeSharedStore(world);
    const s = new Scheduler({ timezone: 'UTC', clock, logger: logger ?? recordingLogger(), seed: 7, jobstores: { default: store }, functions: { tick() {} } });
    s.addListener((e) => log.push([label, e.jobId, e.scheduledRunTime.getTime()]), EVENT_JOB_EXECUTED);
    const roleEvents = [];
    s.addListener((e) => roleEvents.push(e.role), EVENT_ROLE_CHANGED);
    members.push({ label, s, store, roleEvents });
  }
  return { clock, world, log, members };
}

/** Every (job, fire time) of `log`, each exactly once, and who ran it. */
function once(log) {
  const seen = new Map();
  for (const [label, id, ms] of log) {
    const k = `${id}@${ms}`;
    assert.ok(!seen.has(k), `${k} ran twice (${seen.get(k)} and ${label})`);
    seen.set(k, label);
  }
  return seen;
}

test('one leader runs the shared store; a follower mirrors it and never runs it', async () => {
  const { clock, log, members: [a, b] } = cluster(2);
  assert.equal(a.s.role, null);
  await a.s.start();
  await b.s.start();
  assert.deepEqual([a.s.role, b.s.role], ['leader', 'follower']);
  assert.deepEqual(b.s.roles, { default: 'follower' });
  assert.deepEqual([a.roleEvents, b.roleEvents], [['leader'], ['follower']]);
  a.s.addJob('tick', 'interval', { seconds: 1, id: 'sec' });
  await clock.advance(5_000);
  const runs = once(log);
  assert.equal(runs.size, 5);
  assert.deepEqual([...new Set(runs.values())], ['A']);
  // The follower's mirror follows the leader's writes ('records' notices).
  assert.equal(b.s.getJob('sec').nextRunTime.getTime(), a.s.getJob('sec').nextRunTime.getTime());
  await b.s.shutdown();
  await a.s.shutdown();
  assert.equal(a.s.role, null);
  assert.deepEqual(a.s.roles, {});
});

test('a role change is EVENT_ROLE_CHANGED, outside EVENT_ALL (APScheduler\'s number)', async () => {
  assert.equal(EVENT_ROLE_CHANGED, 131072);
  assert.equal(EVENT_ALL & EVENT_ROLE_CHANGED, 0);
  const { members: [a] } = cluster(1);
  const all = [];
  const roles = [];
  a.s.addListener((e) => all.push(e.name));
  a.s.addListener((e) => roles.push([e.name, e.code, e.jobstore, e.alias, e.role]), EVENT_ALL | EVENT_ROLE_CHANGED);
  await a.s.start();
  assert.ok(!all.includes('EVENT_ROLE_CHANGED'));
  assert.deepEqual(roles.filter((r) => r[0] === 'EVENT_ROLE_CHANGED'), [['EVENT_ROLE_CHANGED', 131072, 'default', 'default', 'leader']]);
  await a.s.shutdown();
});

test("a follower's add / modify / pause / resume / remove reach the leader at once", async () => {
  const { clock, world, log, members: [a, b] } = cluster(2);
  await a.s.start();
  await b.s.start();
  const added = b.s.addJob('tick', 'interval', { seconds: 2, id: 'fromB' });
  assert.equal(added.id, 'fromB', 'validated and returned by the follower\'s mirror');
  await settle();
  assert.equal(a.s.getJob('fromB')?.nextRunTime.getTime(), T0 + 2_000);
  assert.deepEqual(world.queue, [], 'the leader consumed the change');
  await clock.advance(4_000);
  assert.deepEqual(log, [['A', 'fromB', T0 + 2_000], ['A', 'fromB', T0 + 4_000]]);

  b.s.modifyJob('fromB', { name: 'renamed', maxInstances: 3 });
  await settle();
  assert.equal(a.s.getJob('fromB').name, 'renamed');
  assert.equal(a.s.getJob('fromB').maxInstances, 3);
  b.s.pauseJob('fromB');
  await settle();
  assert.equal(a.s.getJob('fromB').nextRunTime, null);
  b.s.resumeJob('fromB');
  await settle();
  assert.equal(a.s.getJob('fromB').nextRunTime.getTime(), T0 + 4_000, 'resumed from now (4 s, a fire time)');
  b.s.removeJob('fromB');
  await settle();
  assert.equal(a.s.getJob('fromB'), null);
  assert.equal(world.records.size, 0);
  b.s.addJob('tick', 'interval', { seconds: 9, id: 'x' });
  b.s.addJob('tick', 'interval', { seconds: 9, id: 'y' });
  await settle();
  b.s.removeAllJobs();
  await settle();
  assert.deepEqual(a.s.getJobs(), []);
  assert.deepEqual(world.queue, []);
  await b.s.shutdown();
  await a.s.shutdown();
});

test('three-way merge: a stale rename keeps the leader\'s run time; an explicit nextRunTime wins; a put for a job the leader removed is dropped', async () => {
  const logger = recordingLogger();
  const { clock, world, members: [a, b] } = cluster(2, { logger });
  await a.s.start();
  await b.s.start();
  a.s.addJob('tick', 'interval', { seconds: 10, id: 'r' });
  await clock.advance(1_000);
  assert.equal(b.s.getJob('r').nextRunTime.getTime(), T0 + 10_000);
  b.store.muted = true; // B's mirror goes stale: it hears no more of A's writes
  await clock.advance(25_000);
  assert.equal(a.s.getJob('r').nextRunTime.getTime(), T0 + 30_000);
  assert.equal(b.s.getJob('r').nextRunTime.getTime(), T0 + 10_000, 'stale mirror');

  b.s.modifyJob('r', { name: 'renamed' });
  await settle();
  assert.equal(a.s.getJob('r').name, 'renamed');
  assert.equal(a.s.getJob('r').nextRunTime.getTime(), T0 + 30_000, "the leader's advanced run time survives");
  assert.equal(world.records.get('r').next_run_time, (T0 + 30_000) * 1000);

  b.s.modifyJob('r', { nextRunTime: new Date(T0 + 100_000) });
  await settle();
  assert.equal(a.s.getJob('r').nextRunTime.getTime(), T0 + 100_000, "the follower's explicit next run time wins");
  assert.equal(a.s.getJob('r').name, 'renamed');

  a.s.removeJob('r');
  await settle();
  b.s.modifyJob('r', { name: 'ghost' }); // B still sees r
  await settle();
  assert.equal(a.s.getJob('r'), null, 'not resurrected');
  assert.equal(world.records.has('r'), false);
  assert.deepEqual(world.queue, [], 'the dropped change is consumed');
  assert.ok(logger.lines.some((l) => /warn: .*job "r" is dropped: the job is gone/.test(l)), logger.lines.join('\n'));
  await b.s.shutdown();
  await a.s.shutdown();
});

test('LEASE_LOST: the old leader starts none of the refused runs (no EVENT_JOB_ERROR), steps down and reloads; every fire time runs once', async () => {
  const { clock, world, log, members: [a, b] } = cluster(2);
  const errors = [];
  a.s.addListener((e) => errors.push(e), EVENT_JOB_ERROR);
  await a.s.start();
  await b.s.start();
  a.s.addJob('tick', 'interval', { seconds: 1, id: 'sec' });
  await clock.advance(3_000);
  world.steal(b.store); // A's lease ran out while it was paused: B leads, A is not told
  await settle();
  assert.equal(b.s.role, 'leader');
  assert.equal(a.s.role, 'leader', 'A does not know yet');
  await clock.advance(4_000);
  assert.equal(a.s.role, 'follower');
  assert.deepEqual(a.roleEvents, ['leader', 'follower']);
  assert.deepEqual(errors, []);
  assert.equal(a.s.storeErrors.length, 0, 'a lost lease is not a store failure');
  const runs = once(log);
  assert.deepEqual([...runs.keys()], [1, 2, 3, 4, 5, 6, 7].map((s) => `sec@${T0 + s * 1000}`));
  assert.deepEqual([...runs.values()], ['A', 'A', 'A', 'B', 'B', 'B', 'B']);
  assert.equal(a.s.getJob('sec').nextRunTime.getTime(), b.s.getJob('sec').nextRunTime.getTime(), 'A reloaded the mirror');
  await b.s.shutdown();
  await a.s.shutdown();
});

test('a follower promoted after a gap applies misfire and coalescing to what it missed; its queued changes wait for it', async () => {
  const { clock, world, log, members: [a, b] } = cluster(2);
  const missed = [];
  b.s.addListener((e) => missed.push(e.scheduledRunTime.getTime()), EVENT_JOB_MISSED);
  await a.s.start();
  await b.s.start();
  a.s.addJob('tick', 'interval', { seconds: 1, id: 'co', coalesce: true, misfireGraceTime: null });
  a.s.addJob('tick', 'interval', { seconds: 1, id: 'nc', coalesce: false, misfireGraceTime: null });
  a.s.addJob('tick', 'interval', { seconds: 1, id: 'strict', coalesce: false, misfireGraceTime: 1 });
  await clock.advance(2_000);
  world.holdHandover = true; // A crashes: its lock is gone only 10 s later
  await a.s.shutdown();
  b.s.addJob('tick', 'date', { runDate: new Date(T0 + 20_000), id: 'queued' }); // no leader to take it
  await clock.advance(10_000);
  assert.equal(world.queue.length, 1);
  assert.ok(log.every(([who]) => who === 'A'));
  world.promote();
  await settle();
  await clock.advance(500);
  assert.equal(b.s.role, 'leader');
  assert.deepEqual(b.roleEvents, ['follower', 'leader']);
  const byB = (id) => log.filter(([who, j]) => who === 'B' && j === id).map(([, , ms]) => ms - T0);
  assert.deepEqual(byB('co'), [12_000], 'coalesced: the backlog ran once');
  assert.deepEqual(byB('nc'), [3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000, 10_000, 11_000, 12_000], 'every missed fire time');
  assert.deepEqual(byB('strict'), [11_000, 12_000], 'within its 1 s grace time');
  assert.deepEqual(missed.map((ms) => ms - T0), [3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000, 10_000], 'past its grace time');
  assert.equal(b.s.getJob('queued').nextRunTime.getTime(), T0 + 20_000, 'the queued change was applied');
  assert.deepEqual(world.queue, []);
  once(log);
  await b.s.shutdown();
});

test("a leader's shutdown hands over at once; three schedulers, every fire time once", async () => {
  const { clock, log, members } = cluster(3);
  for (const m of members) await m.s.start();
  members[1].s.addJob('tick', 'interval', { seconds: 1, id: 'sec' });
  await clock.advance(3_000);
  await members[0].s.shutdown();
  await settle();
  assert.deepEqual(members.map((m) => m.s.role), [null, 'leader', 'follower']);
  await clock.advance(3_000);
  await members[1].s.shutdown();
  await settle();
  assert.equal(members[2].s.role, 'leader');
  await clock.advance(3_000);
  const runs = once(log);
  assert.deepEqual([...runs.keys()], [1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => `sec@${T0 + s * 1000}`));
  assert.deepEqual([...runs.values()].join(''), 'AAABBBCCC');
  await members[2].s.shutdown();
});

test('coordinate() that never names a role is a STORE_FAILURE, and start() can be retried', async () => {
  const silent = { load: async () => [], apply: async () => {}, coordinate: async () => {}, submit: async () => {}, takeChanges: async () => [] };
  const s = new Scheduler({ timezone: 'UTC', clock: new FakeClock(T0), logger: recordingLogger(), jobstores: { default: silent } });
  await assert.rejects(s.start(), (e) => e.code === 'STORE_FAILURE' && /role/.test(e.message));
  assert.equal(s.state, 'stopped');
  silent.coordinate = async (h) => h.role('leader');
  await s.start();
  assert.equal(s.role, 'leader');
  await s.shutdown();
});

test("an unreadable entry's id stays taken after a shared store is reloaded (follower mirror and promotion)", async () => {
  const { clock, world, members: [a, b] } = cluster(2);
  world.corrupt.push(corruptEntry('default/bad', 'not JSON', 'bad'));
  await a.s.start();
  await b.s.start();
  const conflict = (s) => assert.throws(() => s.addJob('tick', 'interval', { seconds: 1, id: 'bad' }), (e) => e.code === 'CONFLICTING_ID');
  conflict(a.s);
  conflict(b.s);
  // A leader write makes the follower reload its mirror (replaceJobs): the hold must survive it.
  a.s.addJob('tick', 'interval', { seconds: 1, id: 'ok' });
  await clock.advance(1_000);
  await settle();
  assert.ok(b.s.getJob('ok'), 'the follower reloaded');
  conflict(b.s);
  // Promotion reloads too.
  await a.s.shutdown();
  await settle();
  assert.equal(b.s.role, 'leader');
  conflict(b.s);
  assert.equal(b.s.loadErrors.filter((e) => e.code === 'CORRUPT_RECORD').length, 1, 'reported once, not per reload');
  await b.s.shutdown();
});

test("a follower's replaceExisting over an unreadable entry: the entry is no merge base, and the leader names the unreadable record when it refuses the put", async () => {
  const logger = recordingLogger();
  const { clock, world, members: [a, b] } = cluster(2, { logger });
  world.corrupt.push(corruptEntry('default/bad', 'not JSON', 'bad'));
  await a.s.start();
  await b.s.start();
  assert.equal(b.s.role, 'follower');
  b.s.addJob('tick', 'interval', { seconds: 1, id: 'bad', replaceExisting: true });
  await clock.advance(10);
  await settle();
  // The change reaches the leader as a new job (no base), not as a change of a job the
  // leader removed; the leader's core keeps the unreadable record's id taken (a follower's
  // change does not carry replaceExisting: see the closing note of session 5).
  const warnings = logger.lines.filter((l) => l.startsWith('warn'));
  assert.ok(!warnings.some((l) => l.includes('the job is gone')), warnings.join('\n'));
  assert.ok(warnings.some((l) => l.includes('a follower\'s put of job "bad" is dropped') && l.includes('cannot be read')), warnings.join('\n'));
  assert.equal(a.s.getJob('bad'), null);
  await a.s.shutdown();
  await b.s.shutdown();
});
