// The Redis store end to end (issue 10): N = 3 Node processes, each a Scheduler of the built
// package (dist/, via tickwerk and tickwerk/redis) on one RedisJobStore, with per-second
// interval jobs (coalesce false, no misfire limit: a new leader catches up what fell due
// during a handover). Every run appends (job, scheduled time, pid) to the stream `runs` on the
// same server, and the tests check from it that no fire time ran twice and that the only
// missing fire times are next to a kill (the at-most-once loss of a run recorded just before
// its process died). Lease TTL 2 s, renewal every 666 ms:
//   * the leader is SIGKILLed >= 5 times (a new process started each time, so N stays 3):
//     the handover (kill -> the new leader's role event, and -> its first run) is measured
//     and must be within TTL + renewInterval (+ slack for a loaded machine);
//   * the leader is SIGSTOPped past its lease until another leads, then SIGCONTed: its write
//     (made with its old lease on SIGCONT) is refused by Redis, it steps down (role event
//     'follower'), nothing ran twice; then the new leader shuts down (SIGTERM): its lease is
//     released and another process leads at once.
// REDIS_KILLS (default 5) sets the number of kills. The children import a copy of dist/ taken
// at the start (package-snapshot.mjs).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import { Children } from './children.mjs';
import { snapshotPackage } from './package-snapshot.mjs';
import { startRedis } from './redis-server.mjs';
import { sleep } from './store-kit.mjs';

const CHILD = fileURLToPath(new URL('./redis-child.mjs', import.meta.url));
const TTL = 2000;
const RENEW = Math.floor(TTL / 3);
/** Scheduling latency allowed on top of the bound (2 shared cores, three Node processes). */
const SLACK = 700;
const KILLS = Number(process.env.REDIS_KILLS ?? 5);
const JOBS = ['j1', 'j2', 'j3'];

/** A copy of the built package for the children (see package-snapshot.mjs). */
const PACKAGE = await snapshotPackage({ needed: ['redis-store.js'], link: ['ioredis'] });
after(() => rmSync(PACKAGE, { recursive: true, force: true }));

/** The cluster under test: a server, its children, a client for checks. */
async function cluster() {
  const server = await startRedis();
  const kids = new Children();
  const raw = new Redis(server.port);
  const spawn = async (add = '') => {
    const child = kids.spawn(CHILD, ['scheduler', server.url, String(TTL), add], { env: { TICKWERK_PACKAGE: PACKAGE } });
    await child.waitFor((m) => m.ready, `${child.pid} ready`, 15_000);
    return child;
  };
  /** The pid in the lease's holder (`host/pid/n/random:token`), or undefined. */
  const leaderPid = async () => {
    const lease = await raw.get('tickwerk:{default}:lease');
    return lease ? Number(lease.split('/')[1]) : undefined;
  };
  const stop = async () => {
    await kids.killAll();
    raw.disconnect();
    await server.stop();
  };
  return { server, kids, raw, spawn, leaderPid, stop };
}

/** The runs logged so far: [{ job, time, pid, at }] (`at`: the server's ms of the log entry). */
async function runs(raw) {
  return (await raw.xrange('runs', '-', '+')).map(([id, f]) => {
    const o = {};
    for (let i = 0; i < f.length; i += 2) o[f[i]] = f[i + 1];
    return { job: o.job, time: Number(o.time), pid: Number(o.pid), at: Number(id.split('-')[0]) };
  });
}

/**
 * Checks the log: no (job, time) twice; per job, the fire times between its first and last
 * logged one on the 1 s grid, and the missing ones — each must lie in a window
 * [event − 1.5 s, event + 0.2 s] of an event time in `events` (a kill or stop). Returns counts.
 */
function account(log, events, jobs = JOBS) {
  const seen = new Map();
  const twice = [];
  for (const r of log) {
    const key = `${r.job}@${r.time}`;
    if (seen.has(key)) twice.push(`${key} by ${seen.get(key).pid} and ${r.pid}`);
    else seen.set(key, r);
  }
  assert.deepEqual(twice, [], 'a fire time ran twice');
  const gaps = [];
  let expected = 0;
  let late = 0;
  for (const job of jobs) {
    const times = log.filter((r) => r.job === job).map((r) => r.time).sort((a, b) => a - b);
    assert.ok(times.length > 0, `${job} never ran`);
    for (let t = times[0]; t <= times.at(-1); t += 1000) {
      expected += 1;
      if (!seen.has(`${job}@${t}`)) gaps.push({ job, t });
    }
    for (const t of times) if ((t - times[0]) % 1000 !== 0) assert.fail(`${job} ran at ${t}, off its 1 s grid`);
  }
  for (const r of log) if (r.at - r.time > 1000) late += 1;
  const unexplained = gaps.filter((g) => !events.some((e) => g.t >= e - 1500 && g.t <= e + 200));
  assert.deepEqual(unexplained, [], 'fire times missing away from any kill');
  return { runs: log.length, expected, gaps: gaps.length, late };
}

test(`3 processes on one Redis store: per-second jobs run once per fire time across ${KILLS} SIGKILLs of the leader; handover within TTL + renewInterval`, async () => {
  const c = await cluster();
  try {
    const first = await c.spawn('add');
    assert.equal(first.messages.find((m) => m.ready).role, 'leader');
    const others = [await c.spawn(), await c.spawn()];
    for (const o of others) assert.equal(o.messages.find((m) => m.ready).role, 'follower');
    await sleep(4000);
    const kills = [];
    const handovers = [];
    for (let k = 0; k < KILLS; k += 1) {
      const pid = await c.leaderPid();
      const leader = c.kids.running.find((ch) => ch.pid === pid);
      assert.ok(leader, `the lease names pid ${pid}, one of ${c.kids.running.map((ch) => ch.pid)}`);
      await sleep(Math.floor(Math.random() * 1000)); // anywhere inside a second
      const survivors = c.kids.running.filter((ch) => ch !== leader);
      const marks = survivors.map((ch) => ch.messages.length);
      const killed = Date.now();
      leader.kill('SIGKILL');
      kills.push(killed);
      await leader.exited;
      const next = await Promise.any(survivors.map((ch, i) => ch.waitFor((m) => m.role === 'leader', 'the new leader', TTL + RENEW + 5000, marks[i]).then((m) => ({ ch, m }))));
      const role = next.m.t - killed;
      let firstRun;
      for (let tries = 0; tries < 300 && firstRun === undefined; tries += 1) {
        firstRun = (await runs(c.raw)).find((r) => r.pid === next.ch.pid && r.at >= killed);
        if (firstRun === undefined) await sleep(10);
      }
      assert.ok(firstRun, `the new leader ${next.ch.pid} ran nothing`);
      handovers.push({ role, run: firstRun.at - killed });
      console.log(`# kill ${k + 1}: leader ${pid} SIGKILLed; ${next.ch.pid} leads after ${role} ms, first run after ${firstRun.at - killed} ms`);
      assert.ok(role <= TTL + RENEW + SLACK, `handover took ${role} ms (bound ${TTL + RENEW} ms + ${SLACK} ms slack)`);
      await c.spawn(); // N stays 3
      await sleep(1500 + Math.floor(Math.random() * 1000));
    }
    await sleep(1500);
    const stats = account(await runs(c.raw), kills);
    const roleMs = handovers.map((h) => h.role);
    const runMs = handovers.map((h) => h.run);
    console.log(`# ${KILLS} SIGKILLs (TTL ${TTL} ms, renewInterval ${RENEW} ms, bound ${TTL + RENEW} ms): handover to the new leader's role event ${Math.min(...roleMs)}-${Math.max(...roleMs)} ms, to its first run ${Math.min(...runMs)}-${Math.max(...runMs)} ms`);
    console.log(`# runs ${stats.runs} of ${stats.expected} fire times, none twice; ${stats.gaps} missing (each next to a kill), ${stats.late} caught up late by a new leader`);
  } finally {
    await c.stop();
  }
});

test('a job added by a follower runs on the leader; a SIGSTOPped leader is replaced; after SIGCONT its write is refused by Redis, it steps down, nothing ran twice', async () => {
  const c = await cluster();
  try {
    const first = await c.spawn('add');
    await c.spawn();
    const third = await c.spawn('addf');
    const ready = third.messages.find((m) => m.ready);
    assert.equal(ready.role, 'follower');
    let f1;
    for (let tries = 0; tries < 300 && !f1; tries += 1) {
      f1 = (await runs(c.raw)).find((r) => r.job === 'f1');
      if (!f1) await sleep(10);
    }
    assert.ok(f1, 'the follower\'s job f1 never ran');
    assert.equal(f1.pid, first.pid, 'f1 runs on the leader');
    console.log(`# follower addJob('f1', interval 1 s) -> first run on the leader after ${f1.at - ready.added} ms (due ${f1.time - ready.added} ms after the add)`);
    await sleep(2000);
    const pid = await c.leaderPid();
    const leader = c.kids.running.find((ch) => ch.pid === pid);
    const survivors = c.kids.running.filter((ch) => ch !== leader);
    const marks = survivors.map((ch) => ch.messages.length);
    const stopped = Date.now();
    leader.kill('SIGSTOP');
    const next = await Promise.any(survivors.map((ch, i) => ch.waitFor((m) => m.role === 'leader', 'the new leader', TTL + RENEW + 5000, marks[i]).then((m) => ({ ch, m }))));
    console.log(`# leader ${pid} SIGSTOPped; ${next.ch.pid} leads after ${next.m.t - stopped} ms`);
    await sleep(1500); // the new leader runs jobs meanwhile
    const from = leader.messages.length;
    const resumed = Date.now();
    leader.kill('SIGCONT');
    const probe = await leader.waitFor((m) => m.probe, 'the resumed leader\'s probe write', 5000, from);
    assert.equal(probe.probe, 'LEASE_LOST', probe.message);
    assert.match(probe.message, /refused by the server/);
    assert.equal(await c.raw.hexists('tickwerk:{default}:jobs', 'probe'), 0, 'the probe was not written');
    const down = await leader.waitFor((m) => m.role === 'follower', 'the resumed leader steps down', 5000, from);
    console.log(`# SIGCONT: probe write refused (${probe.probe}) after ${probe.t - resumed} ms, role follower after ${down.t - resumed} ms; batches of its scheduler refused: ${leader.messages.slice(from).filter((m) => m.refused).length}`);
    assert.equal(await c.leaderPid(), next.ch.pid, 'the new leader keeps the lease');
    await sleep(2500);
    const log = await runs(c.raw);
    const afterResume = log.filter((r) => r.pid === pid && r.time > resumed - TTL);
    assert.deepEqual(afterResume, [], 'the resumed leader ran nothing due after its lease');
    const stats = account(log, [stopped], [...JOBS, 'f1']);
    console.log(`# runs ${stats.runs} of ${stats.expected} fire times, none twice; ${stats.gaps} missing (next to the stop), ${stats.late} caught up late`);
    // A leader that shuts down (SIGTERM -> scheduler.shutdown()) releases the lease: another
    // process leads at once, not after a TTL.
    const rest = c.kids.running.filter((ch) => ch !== next.ch);
    const restMarks = rest.map((ch) => ch.messages.length);
    const termed = Date.now();
    next.ch.kill('SIGTERM');
    const heir = await Promise.any(rest.map((ch, i) => ch.waitFor((m) => m.role === 'leader', 'a leader after the shutdown', TTL + RENEW + 5000, restMarks[i])));
    assert.equal((await next.ch.exited).code, 0);
    console.log(`# leader shut down (SIGTERM): another leads after ${heir.t - termed} ms`);
    assert.ok(heir.t - termed < TTL / 2, `a released lease was taken after ${heir.t - termed} ms`);
  } finally {
    await c.stop();
  }
});
