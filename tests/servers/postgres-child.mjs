// Child process of tests/servers/postgres-scheduler.test.mjs. Prints JSON lines (read by
// children.mjs). Usage: node postgres-child.mjs <url> <tablePrefix> <leaseTtl ms> [add]
//
// A Scheduler of the built package (`tickwerk` and `tickwerk/postgres` from dist/) on a
// PostgresJobStore. Every run appends (job id, scheduled run time in ms, pid) to the table
// <tablePrefix>_runs of the same server (the test creates it). The row is written after the
// run: a kill between the run and the insert loses the row, never adds one. Prints
//   {ready, role, t}          once started
//   {role, t}                 on every EVENT_ROLE_CHANGED (t: Date.now() here)
//   {refused, t, message}     when the store refuses a batch of the scheduler (LEASE_LOST)
//   {probe, t, message}       on SIGCONT: a write through the store with the lease it last
//                             held — 'written', or the code the server answered
// SIGTERM: shutdown(), the lease released, exit 0.
// With `add`: adds jobs j1-j3 (interval 1 s from a whole second, coalesce false, no misfire
// limit: every fire time runs, late if need be) once started.
import pg from 'pg';
import { EVENT_JOB_EXECUTED, EVENT_ROLE_CHANGED, Scheduler } from 'tickwerk';
import { PostgresJobStore } from 'tickwerk/postgres';

const [url, tablePrefix, ttl, add] = process.argv.slice(2);
const say = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);

const log = new pg.Pool({ connectionString: url, max: 2 });
log.on('error', () => {});
const store = new PostgresJobStore({ connection: url, tablePrefix, leaseTtl: Number(ttl), logger: { warn: (m) => console.error(m) } });
const apply = store.apply.bind(store);
store.apply = async (...args) => {
  try {
    return await apply(...args);
  } catch (e) {
    if (e.code === 'LEASE_LOST') say({ refused: e.code, t: Date.now(), message: e.message });
    throw e;
  }
};

const scheduler = new Scheduler({
  timezone: 'UTC',
  jobstores: { default: store },
  functions: { tick() {} },
  logger: { warn: (...a) => console.error(...a), error: (...a) => console.error(...a) },
});
scheduler.addListener((e) => {
  if (e.code === EVENT_ROLE_CHANGED) {
    say({ role: e.role, t: Date.now() });
  } else {
    log.query(`INSERT INTO ${tablePrefix}_runs (job_id, run_time, pid) VALUES ($1, $2, $3)`, [e.jobId, e.scheduledRunTime.getTime(), process.pid])
      .catch((err) => console.error(`run log insert failed: ${err.message}`));
  }
}, EVENT_JOB_EXECUTED | EVENT_ROLE_CHANGED);

process.on('SIGCONT', async () => {
  try {
    await apply([{ op: 'put', jobstore: 'default', jobId: 'probe', record: { version: 1, id: 'probe', pid: process.pid } }]);
    say({ probe: 'written', t: Date.now() });
  } catch (e) {
    say({ probe: e.code, t: Date.now(), message: e.message });
  }
});
process.on('SIGTERM', async () => {
  await scheduler.shutdown();
  await store.close(); // the lease released: a follower takes over at once
  await log.end();
  process.exit(0);
});

await scheduler.start();
if (add === 'add') {
  const startDate = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000);
  for (const id of ['j1', 'j2', 'j3']) {
    scheduler.addJob('tick', 'interval', { seconds: 1, id, startDate, coalesce: false, misfireGraceTime: null, replaceExisting: true });
  }
}
say({ ready: true, role: scheduler.role, t: Date.now() });
