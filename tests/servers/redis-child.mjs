// Child process of the Redis store tests. Prints JSON lines (read by children.mjs).
//
//   writer <url> <ttl>   the adapter (js/redis-store.js) on store "default": prints
//                        {role} on every role change; once it has led, writes the record
//                        "counter" every 100 ms whatever its role and prints {wrote: n} when the
//                        server accepted it, {refused: code} when not
//   scheduler <url> <ttl> [add | addf]
//                        a Scheduler of the built package (tickwerk, tickwerk/redis from dist/,
//                        or from the copy in $TICKWERK_PACKAGE/node_modules/tickwerk)
//                        on a RedisJobStore (leaseTtl <ttl>). Every run of job `tick` appends
//                        (job id, scheduled run time in ms, pid) to the stream `runs` of the same
//                        server. Prints {ready, role} once started, and {role, t}, {refused, t}
//                        and {probe} (on SIGCONT) as scheduler-child.mjs says. With `add`: adds
//                        jobs j1-j3 (interval 1 s, coalesce false, no misfire limit) after
//                        start; with `addf`: adds job f1 alike (from a follower: a queued change).
import { RedisJobStore } from '../../js/redis-store.js';
import { EVERY_SECOND, childScheduler, importPackage, probeOnSigcont, say, watchBatches } from './scheduler-child.mjs';

const [mode, url, ttl] = process.argv.slice(2);

if (mode === 'writer') {
  const store = new RedisJobStore({ connection: url, leaseTtl: Number(ttl) });
  store.bind('default');
  let led = false;
  await store.coordinate({
    role(role) {
      if (role === 'leader') led = true;
      say({ role });
    },
    notice() {},
  });
  let n = 0;
  setInterval(async () => {
    if (!led) return;
    n += 1;
    try {
      await store.apply([{ op: 'put', jobstore: 'default', jobId: 'counter', record: { version: 1, id: 'counter', n } }]);
      say({ wrote: n });
    } catch (e) {
      say({ refused: e.code });
    }
  }, 100);
} else if (mode === 'scheduler') {
  const tickwerk = await importPackage('tickwerk', 'node.js');
  const { RedisJobStore: Store } = await importPackage('tickwerk/redis', 'redis-store.js');
  const { default: Redis } = await import('ioredis');
  const log = new Redis(url);
  const store = new Store({ connection: url, leaseTtl: Number(ttl) });
  probeOnSigcont(watchBatches(store));
  const scheduler = childScheduler(tickwerk, store, (e) => {
    log.xadd('runs', '*', 'job', e.jobId, 'time', String(e.scheduledRunTime.getTime()), 'pid', String(process.pid));
  });
  process.on('SIGTERM', async () => {
    await scheduler.shutdown();
    log.disconnect();
    process.exit(0);
  });
  await scheduler.start();
  const ids = { add: ['j1', 'j2', 'j3'], addf: ['f1'] }[process.argv[5]] ?? [];
  const added = Date.now();
  for (const id of ids) {
    scheduler.addJob('tick', 'interval', { ...EVERY_SECOND, id, replaceExisting: true });
  }
  say({ ready: true, role: scheduler.role, t: Date.now(), added: ids.length ? added : undefined });
} else {
  throw new Error(`unknown mode ${mode}`);
}
