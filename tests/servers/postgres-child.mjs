// Child process of tests/servers/postgres-scheduler.test.mjs. Prints JSON lines (read by
// children.mjs). Usage: node postgres-child.mjs <url> <tablePrefix> <leaseTtl ms> [add]
//
// A Scheduler of the built package (`tickwerk` and `tickwerk/postgres`: from dist/, or from the
// copy in $TICKWERK_PACKAGE/node_modules/tickwerk, see package-snapshot.mjs) on a
// PostgresJobStore. Every run appends (job id, scheduled run time in ms, pid) to the table
// <tablePrefix>_runs of the same server (the test creates it). The row is written after the
// run: a kill between the run and the insert loses the row, never adds one. Prints
//   {ready, role, t}          once started
//   {role}, {refused}, {probe} as scheduler-child.mjs says
//   {submitted, called, t}    a follower's changes queued (submit resolved at t, called at
//                             `called`); submitted: [{ op, jobId, name, paused }]
//   {took, t}                 the leader read queued changes (took: how many; only when > 0)
//   {applied, consumed, t}    the leader's batch that consumed queued changes committed;
//                             applied: its ops as [{ op, jobId, name, paused }]
// SIGTERM: shutdown(), the lease released, exit 0.
// With `add`: adds jobs j1-j3 (interval 1 s from a whole second, coalesce false, no misfire
// limit: every fire time runs, late if need be) once started.
//
// Commands on stdin (one JSON line each, children.mjs's `command()`; each answered by
// {reply: seq, ...} or {reply: seq, error: {code, message}}):
//   {cmd: 'add', id}            addJob('tick', interval 1 s, coalesce false, no misfire limit)
//                               → {called, nextRunTime (ms), role}
//   {cmd: 'modify', id, changes} modifyJob(id, changes) → {called, role}
//   {cmd: 'pause' | 'resume' | 'remove', id}  pauseJob / resumeJob / removeJob → {called, role}
//   {cmd: 'get', id}            getJob(id) → {job: {id, name, nextRunTime (ms | null)} | null}
// The end of stdin (the test process gone) shuts it down like SIGTERM.
import pg from 'pg';
import { readCommands } from './children.mjs';
import { EVERY_SECOND, childScheduler, importPackage, probeOnSigcont, say, watchBatches } from './scheduler-child.mjs';

const [url, tablePrefix, ttl, add] = process.argv.slice(2);

const tickwerk = await importPackage('tickwerk', 'node.js');
const { PostgresJobStore } = await importPackage('tickwerk/postgres', 'postgres-store.js');

/** What a batch of store ops or queued changes did, for the test: one entry a job. */
const summary = (items) => items.map((o) => ({ op: o.op, jobId: o.jobId, name: o.record?.name, paused: o.record ? o.record.next_run_time === null : undefined }));

const log = new pg.Pool({ connectionString: url, max: 2 });
log.on('error', () => {});
const store = new PostgresJobStore({ connection: url, tablePrefix, leaseTtl: Number(ttl), logger: { warn: (m) => console.error(m) } });
const apply = watchBatches(store, (ops, consumed) => {
  if (consumed?.length > 0) say({ applied: summary(ops), consumed: consumed.length, t: Date.now() });
});
const submit = store.submit.bind(store);
store.submit = async (changes) => {
  const called = Date.now();
  await submit(changes);
  say({ submitted: summary(changes), called, t: Date.now() });
};
const takeChanges = store.takeChanges.bind(store);
store.takeChanges = async () => {
  const queued = await takeChanges();
  if (queued.length > 0) say({ took: queued.length, t: Date.now() });
  return queued;
};

const scheduler = childScheduler(tickwerk, store, (e) => {
  log.query(`INSERT INTO ${tablePrefix}_runs (job_id, run_time, pid) VALUES ($1, $2, $3)`, [e.jobId, e.scheduledRunTime.getTime(), process.pid])
    .catch((err) => console.error(`run log insert failed: ${err.message}`));
});
probeOnSigcont(apply);
let stopping;
/** shutdown() — which resolves once the store's close() released the lease (a follower
 *  takes over at once) — then exit 0. */
const stop = () => {
  stopping ??= (async () => {
    await scheduler.shutdown();
    await log.end();
    process.exit(0);
  })();
  return stopping;
};
process.on('SIGTERM', stop);

/** One command of the test (see the header). */
function command(msg) {
  const called = Date.now();
  const { id } = msg;
  switch (msg.cmd) {
    case 'add': {
      const job = scheduler.addJob('tick', 'interval', { ...EVERY_SECOND, id });
      return { called, nextRunTime: job.nextRunTime?.getTime() ?? null, role: scheduler.role };
    }
    case 'modify':
      scheduler.modifyJob(id, msg.changes);
      return { called, role: scheduler.role };
    case 'pause':
      scheduler.pauseJob(id);
      return { called, role: scheduler.role };
    case 'resume':
      scheduler.resumeJob(id);
      return { called, role: scheduler.role };
    case 'remove':
      scheduler.removeJob(id);
      return { called, role: scheduler.role };
    case 'get': {
      const job = scheduler.getJob(id);
      return { job: job ? { id: job.id, name: job.name, nextRunTime: job.nextRunTime?.getTime() ?? null } : null };
    }
    default:
      throw new Error(`unknown command ${JSON.stringify(msg.cmd)}`);
  }
}

await scheduler.start();
if (add === 'add') {
  const startDate = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000);
  for (const jobId of ['j1', 'j2', 'j3']) {
    scheduler.addJob('tick', 'interval', { ...EVERY_SECOND, id: jobId, startDate, replaceExisting: true });
  }
}
readCommands(command, stop);
say({ ready: true, role: scheduler.role, t: Date.now() });
