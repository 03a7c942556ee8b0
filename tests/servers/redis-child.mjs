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
//                        server. Prints {ready, role} once started, {role, t} on every
//                        EVENT_ROLE_CHANGED (t: this process's Date.now()), {refused, t} when the
//                        store refuses a batch (LEASE_LOST). With `add`: adds jobs j1-j3
//                        (interval 1 s, coalesce false, no misfire limit) after start; with
//                        `addf`: adds job f1 alike (from a follower: a queued change).
//                        On SIGCONT it writes a probe record with the store's current lease and
//                        prints {probe: 'written' | code} (a resumed leader's write must be refused).
import { pathToFileURL } from 'node:url';
import { RedisJobStore } from '../../js/redis-store.js';

const [mode, url, ttl] = process.argv.slice(2);
const say = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);

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
  // The package as a user imports it; from a copy of it when TICKWERK_PACKAGE names one (a
  // directory with node_modules/tickwerk and node_modules/ioredis).
  const base = process.env.TICKWERK_PACKAGE;
  const dist = (file) => pathToFileURL(`${base}/node_modules/tickwerk/dist/${file}`).href;
  const { Scheduler, EVENT_JOB_EXECUTED, EVENT_ROLE_CHANGED } = await import(base ? dist('node.js') : 'tickwerk');
  const { RedisJobStore: Store } = await import(base ? dist('redis-store.js') : 'tickwerk/redis');
  const { default: Redis } = await import('ioredis');
  const log = new Redis(url);
  const store = new Store({ connection: url, leaseTtl: Number(ttl) });
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
    if (e.code === EVENT_ROLE_CHANGED) say({ role: e.role, t: Date.now() });
    else log.xadd('runs', '*', 'job', e.jobId, 'time', String(e.scheduledRunTime.getTime()), 'pid', String(process.pid));
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
    log.disconnect();
    process.exit(0);
  });
  await scheduler.start();
  const ids = { add: ['j1', 'j2', 'j3'], addf: ['f1'] }[process.argv[5]] ?? [];
  const added = Date.now();
  for (const id of ids) {
    scheduler.addJob('tick', 'interval', { seconds: 1, id, coalesce: false, misfireGraceTime: null, replaceExisting: true });
  }
  say({ ready: true, role: scheduler.role, t: Date.now(), added: ids.length ? added : undefined });
} else {
  throw new Error(`unknown mode ${mode}`);
}
