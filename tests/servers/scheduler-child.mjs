// Shared helper of the child scheduler processes of tests/servers/ (postgres-child.mjs,
// redis-child.mjs): the package imported as a user does, a Scheduler on the store under
// test, and the JSON lines both print (read by children.mjs) —
//   {role, t}                 on every EVENT_ROLE_CHANGED (t: Date.now() here)
//   {refused, t, message}     when the store refuses a batch of the scheduler (LEASE_LOST)
//   {probe, t, message}       on SIGCONT: a write through the store with the lease it last
//                             held — 'written', or the code the server answered
import { packageFile } from './package-snapshot.mjs';

/** Prints `msg` as one JSON line on stdout. */
export const say = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);

/** Imports `specifier` ('tickwerk', 'tickwerk/redis'…) from the repository's dist/ — or,
 *  when $TICKWERK_PACKAGE names a copy of the package (package-snapshot.mjs), `distFile`
 *  ('node.js', 'redis-store.js'…) of that copy. */
export function importPackage(specifier, distFile) {
  const copy = process.env.TICKWERK_PACKAGE;
  return import(copy ? packageFile(copy, distFile) : specifier);
}

/** Options of the interval job the children add: every second, every fire time run, late
 *  if need be (coalesce off, no misfire limit). */
export const EVERY_SECOND = { seconds: 1, coalesce: false, misfireGraceTime: null };

/**
 * Wraps `store.apply` so that a batch the store refuses with LEASE_LOST prints {refused},
 * and a committed batch is passed to `committed(ops, consumed)`. Returns the unwrapped
 * apply (for writes of the child's own, like the probe).
 */
export function watchBatches(store, committed = () => {}) {
  const apply = store.apply.bind(store);
  store.apply = async (ops, consumed) => {
    try {
      const done = await apply(ops, consumed);
      committed(ops, consumed);
      return done;
    } catch (e) {
      if (e.code === 'LEASE_LOST') say({ refused: e.code, t: Date.now(), message: e.message });
      throw e;
    }
  };
  return apply;
}

/** On SIGCONT, writes record `probe` with `apply` (the store's, with the lease it last held)
 *  and prints {probe: 'written' | the error's code}: a resumed leader's write must be refused. */
export function probeOnSigcont(apply) {
  process.on('SIGCONT', async () => {
    try {
      await apply([{ op: 'put', jobstore: 'default', jobId: 'probe', record: { version: 1, id: 'probe', pid: process.pid } }]);
      say({ probe: 'written', t: Date.now() });
    } catch (e) {
      say({ probe: e.code, t: Date.now(), message: e.message });
    }
  });
}

/**
 * A Scheduler of `tickwerk` (the imported module) on `store` as job store `default`, in UTC,
 * with the function `tick`, warnings and errors on stderr. Prints {role, t} on every role
 * change and calls `logRun(event)` for every executed run.
 */
export function childScheduler(tickwerk, store, logRun) {
  const { EVENT_JOB_EXECUTED, EVENT_ROLE_CHANGED, Scheduler } = tickwerk;
  const scheduler = new Scheduler({
    timezone: 'UTC',
    jobstores: { default: store },
    functions: { tick() {} },
    logger: { warn: (...a) => console.error(...a), error: (...a) => console.error(...a) },
  });
  scheduler.addListener((e) => {
    if (e.code === EVENT_ROLE_CHANGED) say({ role: e.role, t: Date.now() });
    else logRun(e);
  }, EVENT_JOB_EXECUTED | EVENT_ROLE_CHANGED);
  return scheduler;
}
