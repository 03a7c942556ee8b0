// Three Node processes (tests/servers/postgres-child.mjs: the built package, `tickwerk` and
// `tickwerk/postgres` from dist/) run one Postgres store with three per-second jobs on a
// throwaway server. Every run appends (job id, scheduled run time, pid) to a table of the
// same server. The leader is SIGKILLed KILLS times (a fresh process started each time, so
// three stay), then SIGSTOPped past its lease and SIGCONTed. Checked and printed: no
// (job, run time) twice; every fire time between a job's first and last logged run present
// but at most one per job per kill, next to that kill (the documented at-most-once around a
// SIGKILL: a run recorded by the killed leader, then not run or not logged); each handover
// (kill -> the next leader's role event, and -> its first run) within leaseTtl +
// renewInterval (+ slack for a loaded machine); the resumed leader steps down (its role
// event says follower) and its write with its old lease is refused by the server; a SIGTERMed
// leader (shutdown, lease released) is replaced at once.
// PG_SCHEDULER_KILLS (default 5) sets the number of kills.
//
// The second test gives followers commands (over their stdin, children.mjs's `command()`): a
// follower's addJob of a per-second job is run by the leader at the job's first fire time; a
// follower's modifyJob (a rename) keeps the leader's next run time; a follower's pauseJob
// stops the leader's runs (no fire time after the leader applied the pause runs); a follower's
// removeJob deletes the row. Printed: command -> the follower's submit committed -> the
// leader's batch with the change committed (the notice latency), and add -> first run.
//
// The children import a copy of dist/ taken at the start (package-snapshot.mjs), so a rebuild
// by someone else meanwhile cannot pull the package from under them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Children } from './children.mjs';
import { snapshotPackage } from './package-snapshot.mjs';
import { postgresForTests } from './postgres-server.mjs';
import { sleep, until } from './store-kit.mjs';

const CHILD = fileURLToPath(new URL('./postgres-child.mjs', import.meta.url));
const KILLS = Number(process.env.PG_SCHEDULER_KILLS ?? 5);
const TTL = 2000;
const RENEW = Math.floor(TTL / 3);
const BOUND = TTL + RENEW;
const SLACK = 500;
const PREFIX = 'e2e';
/** A follower's command -> the leader's batch with the change committed (measured 4-27 ms). */
const NOTICE_BOUND = 500;

let pkg;
before(async () => {
  const copying = Date.now();
  pkg = await snapshotPackage({ needed: ['postgres-store.js'], link: ['pg'] });
  console.log(`# the package copied for the children in ${Date.now() - copying} ms`);
});
after(() => {
  if (pkg) rmSync(pkg, { recursive: true, force: true });
});
const db = postgresForTests();

/** Spawns a child scheduler on the store with table prefix `prefix` (see postgres-child.mjs),
 *  with its command channel; `add`: it adds j1-j3 once started. */
const spawnChild = (kids, prefix, add = false) => kids.spawn(CHILD, [db.server.url, prefix, String(TTL), ...(add ? ['add'] : [])], {
  name: 'postgres-child',
  commands: true,
  env: { TICKWERK_PACKAGE: pkg },
});

/** The last role a child reported (ready or role event). */
const lastRole = (c) => c.messages.filter((m) => m.role).at(-1)?.role;

test(`3 processes, ${KILLS} SIGKILLs of the leader and a SIGSTOPped leader: every fire time at most once, handover within leaseTtl + renewInterval`, { timeout: 150_000 }, async () => {
  await db.admin.query(`CREATE TABLE ${PREFIX}_runs (job_id text NOT NULL, run_time bigint NOT NULL, pid int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  const kids = new Children();
  const spawn = (add) => spawnChild(kids, PREFIX, add);
  const events = []; // { kind: 'kill' | 'stop' | 'end', at }
  const handovers = [];
  try {
    const first = spawn(true);
    assert.equal((await first.waitFor((m) => m.ready, 'the first process ready', 30_000)).role, 'leader');
    let live = [first, spawn(false), spawn(false)];
    for (const c of live.slice(1)) assert.equal((await c.waitFor((m) => m.ready, 'ready', 30_000)).role, 'follower');
    await sleep(4000);

    for (let i = 0; i < KILLS; i += 1) {
      const leaders = live.filter((c) => lastRole(c) === 'leader');
      assert.equal(leaders.length, 1, `one leader before kill ${i + 1}: ${live.map((c) => `${c.pid}:${lastRole(c)}`).join(' ')}`);
      const [leader] = leaders;
      const killedAt = Date.now();
      leader.kill('SIGKILL');
      events.push({ kind: 'kill', at: killedAt });
      await leader.exited;
      live = live.filter((c) => c !== leader);
      live.push(spawn(false));
      const next = await until(() => {
        for (const c of live) {
          const m = c.messages.find((x) => x.role === 'leader' && x.t >= killedAt);
          if (m) return { child: c, at: m.t };
        }
        return undefined;
      }, `a new leader after kill ${i + 1}`, BOUND + 10_000);
      const run = await until(async () => (await db.admin.query(
        `SELECT (extract(epoch FROM at) * 1000)::bigint AS at FROM ${PREFIX}_runs WHERE pid = $1 AND at >= to_timestamp($2 / 1000.0) ORDER BY at LIMIT 1`,
        [next.child.pid, killedAt],
      )).rows[0], `the first run of the new leader after kill ${i + 1}`, 10_000);
      handovers.push({ role: next.at - killedAt, firstRun: Number(run.at) - killedAt });
      await Promise.all(live.map((c) => c.waitFor((m) => m.ready, 'ready', 30_000)));
      await sleep(1500);
    }

    // SIGSTOP the leader past its lease; SIGCONT it once another leads.
    const [stopped] = live.filter((c) => lastRole(c) === 'leader');
    const stoppedAt = Date.now();
    stopped.kill('SIGSTOP');
    events.push({ kind: 'stop', at: stoppedAt });
    const successor = await until(() => live.find((c) => c !== stopped && c.messages.some((m) => m.role === 'leader' && m.t >= stoppedAt)), 'a leader while the old one is stopped', BOUND + 10_000);
    const stopHandover = successor.messages.find((m) => m.role === 'leader' && m.t >= stoppedAt).t - stoppedAt;
    await sleep(1000);
    const contAt = Date.now();
    stopped.kill('SIGCONT');
    const down = await stopped.waitFor((m) => m.role === 'follower' && m.t >= contAt, 'the resumed leader stepping down', 10_000);
    const probe = await stopped.waitFor((m) => m.probe && m.t >= contAt, 'the resumed leader\'s probe write', 10_000);
    const refusedBatches = stopped.messages.filter((m) => m.refused && m.t >= contAt);
    await sleep(2500);
    assert.equal(lastRole(stopped), 'follower');
    // A graceful stop (SIGTERM: shutdown, lease released): another leads at once.
    const [last] = live.filter((c) => lastRole(c) === 'leader');
    assert.ok(last, 'one leader at the end');
    const termAt = Date.now();
    last.kill('SIGTERM');
    assert.equal((await last.exited).code, 0, last.output);
    const heir = await until(() => live.find((c) => c !== last && c.messages.some((m) => m.role === 'leader' && m.t >= termAt)), 'a leader after SIGTERM', 5000);
    const termHandover = heir.messages.find((m) => m.role === 'leader' && m.t >= termAt).t - termAt;
    await sleep(1500);
    events.push({ kind: 'end', at: Date.now() });
    await kids.killAll();

    // The run log.
    const { rows } = await db.admin.query(`SELECT job_id, run_time::float8 AS t, pid FROM ${PREFIX}_runs ORDER BY job_id, run_time`);
    const dupes = (await db.admin.query(`SELECT job_id, run_time, count(*)::int AS n FROM ${PREFIX}_runs GROUP BY 1, 2 HAVING count(*) > 1`)).rows;
    const gaps = [];
    const perJob = {};
    for (const job of ['j1', 'j2', 'j3']) {
      const times = new Set(rows.filter((r) => r.job_id === job).map((r) => r.t));
      const sorted = [...times].sort((a, b) => a - b);
      perJob[job] = sorted.length;
      for (let t = sorted[0]; t <= sorted.at(-1); t += 1000) {
        if (!times.has(t)) gaps.push({ job, t, near: events.find((e) => t >= e.at - 1500 && t <= e.at + 500) });
      }
    }
    const pids = new Set(rows.map((r) => r.pid)).size;
    console.log(`# ${rows.length} runs logged (j1 ${perJob.j1}, j2 ${perJob.j2}, j3 ${perJob.j3}) by ${pids} processes; (job, run time) twice: ${dupes.length}`);
    console.log(`# handover after SIGKILL (TTL ${TTL} ms, renewInterval ${RENEW} ms, bound ${BOUND} ms): role event ${handovers.map((h) => h.role).join(', ')} ms; first run ${handovers.map((h) => h.firstRun).join(', ')} ms`);
    console.log(`# SIGSTOP: another leader after ${stopHandover} ms; after SIGCONT the old leader stepped down in ${down.t - contAt} ms, its probe write: ${probe.probe} (${probe.message}); ${refusedBatches.length} scheduler batches refused`);
    console.log(`# SIGTERM of the leader (shutdown, lease released): another leader after ${termHandover} ms`);
    console.log(`# gaps (fire times never logged): ${gaps.length}${gaps.map((g) => `\n#   ${g.job} ${new Date(g.t).toISOString()} ${g.near ? `${g.t - g.near.at} ms from the ${g.near.kind} at ${new Date(g.near.at).toISOString()}` : 'NOT next to a kill'}`).join('')}`);

    assert.deepEqual(dupes, [], 'no fire time run twice');
    assert.ok(rows.length >= 3 * 25, `runs logged: ${rows.length}`);
    for (const g of gaps) assert.ok(g.near, `gap ${g.job} ${g.t} is not next to a kill`);
    for (const e of events) {
      for (const job of ['j1', 'j2', 'j3']) assert.ok(gaps.filter((g) => g.near === e && g.job === job).length <= 1, `at most one fire time of ${job} lost at the ${e.kind} at ${e.at}`);
    }
    for (const h of handovers) {
      assert.ok(h.role <= BOUND + SLACK, `handover ${h.role} ms > ${BOUND} + ${SLACK} ms`);
      assert.ok(h.firstRun <= BOUND + SLACK + 1000, `first run ${h.firstRun} ms after the kill`);
    }
    assert.ok(stopHandover <= BOUND + SLACK, `handover while stopped ${stopHandover} ms`);
    assert.ok(termHandover < 1000, `handover after SIGTERM ${termHandover} ms`);
    assert.equal(probe.probe, 'LEASE_LOST', probe.message);
    assert.match(probe.message, /the lease is held by .* with token \d+ \(this store's was \d+\)/);
    for (const m of refusedBatches) assert.match(m.message, /held by|expired/);
    const probeRow = await db.admin.query(`SELECT 1 FROM ${PREFIX}_jobs WHERE job_id = 'probe'`);
    assert.equal(probeRow.rows.length, 0, 'the refused probe wrote nothing');
  } finally {
    await kids.killAll();
  }
});

test('a follower\'s addJob, modifyJob, pauseJob and removeJob reach the leader at once: it runs the job from its first fire time, keeps its run time across a rename, runs no fire time after the pause, and the removal deletes the row', { timeout: 60_000 }, async () => {
  const prefix = 'fw';
  await db.admin.query(`CREATE TABLE ${prefix}_runs (job_id text NOT NULL, run_time bigint NOT NULL, pid int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  /** The logged runs of `job`, by scheduled run time: [{ t, pid, at }] (ms; `at`: logged). */
  const runsOf = async (job) => (await db.admin.query(
    `SELECT run_time::float8 AS t, pid, (extract(epoch FROM at) * 1000)::float8 AS at FROM ${prefix}_runs WHERE job_id = $1 ORDER BY run_time, at`,
    [job],
  )).rows;
  /** The stored record of `job` (parsed), or undefined. */
  const stored = async (job) => (await db.admin.query(`SELECT record FROM ${prefix}_jobs WHERE job_id = $1`, [job])).rows.map((r) => JSON.parse(r.record))[0];
  const kids = new Children();
  try {
    const leader = spawnChild(kids, prefix);
    assert.equal((await leader.waitFor((m) => m.ready, 'the leader ready', 30_000)).role, 'leader');
    const followers = [spawnChild(kids, prefix), spawnChild(kids, prefix)];
    for (const f of followers) assert.equal((await f.waitFor((m) => m.ready, 'a follower ready', 30_000)).role, 'follower');
    const [a, b] = followers;
    const all = [leader, a, b];

    /** Gives `follower` the command `cmd`, then waits for its submit of the change (`isChange`
     *  picks it from the summary) and for the batch that consumed it; resolves with their
     *  times (each process's Date.now()). The leader must be the one that applied it. */
    const change = async (follower, cmd, isChange) => {
      const marks = all.map((c) => c.messages.length);
      const reply = await follower.command(cmd);
      assert.equal(reply.error, undefined, `${cmd.cmd} on a follower: ${reply.error?.message}`);
      assert.equal(reply.role, 'follower', `${cmd.cmd} was given to a follower`);
      const submitted = await follower.waitFor((m) => m.submitted?.some(isChange), `the follower's submit of ${cmd.cmd}`, 5000, marks[all.indexOf(follower)]);
      const applied = await until(() => {
        for (const [i, c] of all.entries()) {
          const m = c.messages.slice(marks[i]).find((x) => x.applied?.some(isChange));
          if (m) return { child: c, m };
        }
        return undefined;
      }, `a batch applying the follower's ${cmd.cmd}`, 5000);
      assert.equal(applied.child, leader, `${cmd.cmd} applied by ${applied.child.pid}, not by the leader ${leader.pid}`);
      // At once, i.e. on the NOTIFY: well under the renewInterval a poll would wait.
      assert.ok(applied.m.t - reply.called < NOTICE_BOUND, `${cmd.cmd}: the leader applied it ${applied.m.t - reply.called} ms after the command (bound ${NOTICE_BOUND} ms)`);
      return { reply, called: reply.called, submitted: submitted.t, applied: applied.m.t };
    };
    const timing = (c) => `command -> submit committed ${c.submitted - c.called} ms -> leader's batch committed ${c.applied - c.submitted} ms (total ${c.applied - c.called} ms)`;

    // addJob on follower a: the leader runs f1 from its first fire time (add + 1 s).
    const add = await change(a, { cmd: 'add', id: 'f1' }, (c) => c.op === 'put' && c.jobId === 'f1');
    const due = add.reply.nextRunTime;
    assert.equal(typeof due, 'number', 'the follower\'s Job has its first fire time');
    assert.ok(add.applied < due, `the leader had f1 ${due - add.applied} ms before its first fire time`);
    const first = await until(async () => (await runsOf('f1'))[0], 'the first run of f1', 5000);
    assert.equal(first.t, due, 'f1 first ran at its first fire time');
    assert.equal(first.pid, leader.pid, 'f1 ran on the leader');

    // modifyJob (a rename) on follower b, once its mirror has f1: the leader keeps its own
    // next run time (the three-way merge) and goes on running f1 on its grid.
    await until(async () => (await b.command({ cmd: 'get', id: 'f1' })).job, 'f1 in the mirror of follower b', 5000);
    await until(async () => (await runsOf('f1')).length >= 2, 'two runs of f1', 5000);
    const rename = await change(b, { cmd: 'modify', id: 'f1', changes: { name: 'f1 renamed' } }, (c) => c.jobId === 'f1' && c.name === 'f1 renamed');
    const renamed = await stored('f1');
    assert.equal(renamed.name, 'f1 renamed');
    assert.equal(typeof renamed.next_run_time, 'number', 'still scheduled after the rename');
    assert.equal((renamed.next_run_time / 1000 - due) % 1000, 0, 'the next run time stays on f1\'s 1 s grid');
    const runsBeforeRename = (await runsOf('f1')).length;
    await until(async () => (await runsOf('f1')).length >= runsBeforeRename + 2, 'two runs of f1 after the rename', 5000);

    // pauseJob on follower b: no fire time after the leader applied the pause runs.
    const pause = await change(b, { cmd: 'pause', id: 'f1' }, (c) => c.jobId === 'f1' && c.paused === true);
    await sleep(2500);
    const log = await runsOf('f1');
    const afterPause = log.filter((r) => r.t > pause.applied);
    assert.deepEqual(afterPause, [], 'no fire time of f1 after the leader applied the pause ran');
    assert.equal((await stored('f1')).next_run_time, null, 'f1 is stored paused');
    const inFlight = log.filter((r) => r.t > pause.called).length;

    // removeJob on follower a: the row is gone, from every mirror too; the queue is empty.
    const remove = await change(a, { cmd: 'remove', id: 'f1' }, (c) => c.op === 'remove' && c.jobId === 'f1');
    assert.equal(await stored('f1'), undefined, 'f1\'s row is deleted');
    for (const c of all) await until(async () => (await c.command({ cmd: 'get', id: 'f1' })).job === null, `f1 gone from ${c.pid}`, 5000);
    assert.equal((await db.admin.query(`SELECT count(*)::int AS n FROM ${prefix}_changes`)).rows[0].n, 0, 'every queued change consumed');

    // Accounting: every fire time from the first to the last run exactly once, all on the leader.
    const times = log.map((r) => r.t);
    const twice = times.filter((t, i) => times.indexOf(t) !== i);
    const missing = [];
    for (let t = times[0]; t <= times.at(-1); t += 1000) if (!times.includes(t)) missing.push(t);
    const late = log.map((r) => Math.round(r.at - r.t));
    console.log(`# follower addJob(f1): ${timing(add)}; first fire time ${due - add.called} ms after the add, run by the leader and logged ${Math.round(first.at - due)} ms after it (add -> first run ${Math.round(first.at - add.called)} ms)`);
    console.log(`# follower modifyJob(f1, rename): ${timing(rename)}; the leader's next run time kept (${new Date(renamed.next_run_time / 1000).toISOString()})`);
    console.log(`# follower pauseJob(f1): ${timing(pause)}; ${inFlight} fire time(s) ran between the command and the leader applying it, none after`);
    console.log(`# follower removeJob(f1): ${timing(remove)}; row deleted, gone from all 3 schedulers`);
    console.log(`# f1: ${log.length} runs (fire times ${new Date(times[0]).toISOString()} .. ${new Date(times.at(-1)).toISOString()}), twice: ${twice.length}, missing: ${missing.length}; logged ${Math.min(...late)}-${Math.max(...late)} ms after the fire time`);
    assert.deepEqual(twice, [], 'no fire time of f1 ran twice');
    assert.deepEqual(missing, [], 'no fire time of f1 missing between its first and last run');
    assert.ok(log.every((r) => r.pid === leader.pid), 'every run of f1 on the leader');
    assert.ok(log.length >= 4, `f1 ran ${log.length} times`);
    assert.equal(lastRole(leader), 'leader', 'the leader kept its lease throughout');
  } finally {
    await kids.killAll();
  }
});
