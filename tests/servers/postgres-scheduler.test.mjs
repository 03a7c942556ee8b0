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
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Children } from './children.mjs';
import { startPostgres } from './postgres-server.mjs';

const CHILD = fileURLToPath(new URL('./postgres-child.mjs', import.meta.url));
const KILLS = Number(process.env.PG_SCHEDULER_KILLS ?? 5);
const TTL = 2000;
const RENEW = Math.floor(TTL / 3);
const BOUND = TTL + RENEW;
const SLACK = 500;
const PREFIX = 'e2e';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(cond, what, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await cond();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

let server;
let admin;
before(async () => {
  server = await startPostgres();
  admin = new pg.Client(server.url);
  await admin.connect();
});
after(async () => {
  await admin?.end();
  await server?.stop();
});

/** The last role a child reported (ready or role event). */
const lastRole = (c) => c.messages.filter((m) => m.role).at(-1)?.role;

test(`3 processes, ${KILLS} SIGKILLs of the leader and a SIGSTOPped leader: every fire time at most once, handover within leaseTtl + renewInterval`, { timeout: 150_000 }, async () => {
  await admin.query(`CREATE TABLE ${PREFIX}_runs (job_id text NOT NULL, run_time bigint NOT NULL, pid int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  const kids = new Children();
  const spawn = (add) => kids.spawn(CHILD, [server.url, PREFIX, String(TTL), ...(add ? ['add'] : [])], { name: 'postgres-child' });
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
      const run = await until(async () => (await admin.query(
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
    const { rows } = await admin.query(`SELECT job_id, run_time::float8 AS t, pid FROM ${PREFIX}_runs ORDER BY job_id, run_time`);
    const dupes = (await admin.query(`SELECT job_id, run_time, count(*)::int AS n FROM ${PREFIX}_runs GROUP BY 1, 2 HAVING count(*) > 1`)).rows;
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
    const probeRow = await admin.query(`SELECT 1 FROM ${PREFIX}_jobs WHERE job_id = 'probe'`);
    assert.equal(probeRow.rows.length, 0, 'the refused probe wrote nothing');
  } finally {
    await kids.killAll();
  }
});
