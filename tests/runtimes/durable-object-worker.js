// A Worker with a Durable Object that holds a tickwerk scheduler (tickwerk/durable-object),
// for tests/runtimes/durable-object.test.mjs (miniflare, workerd). Jobs are added over
// fetch; every run and every run event is logged into the object's own storage under
// `log:`, with the object instance that wrote it, and read back over fetch.
//
//   POST /jobs   { func, trigger, options }  → the added job (toJSON)
//   GET  /jobs                               → the jobs
//   POST /jobs/remove { id }                 → removes a job; the jobs left
//   GET  /log                                → { runs: [{ job, at, instance }], events: [{ name, job, scheduled, instance }] }
//   GET  /state                              → { instance, alarm, loadErrors, storeErrors }
//   POST /abort                              → resets the object (ctx.abort): a torn-down instance
import { DurableObject } from 'cloudflare:workers';
import { CorruptEntry, DurableObjectScheduler, DurableObjectStore, EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, TickwerkError } from '../../dist/durable-object.js';

const json = (value, status = 200) => new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });

export class Jobs extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.instance = crypto.randomUUID().slice(0, 8);
    this.seq = 0;
    this.scheduler = new DurableObjectScheduler(ctx, {
      timezone: 'UTC',
      functions: {
        record: (job) => this.log('run', { job, at: Date.now() }),
        // Logs its run, then tears the object down in the middle of the alarm that runs it.
        crash: async (job) => {
          await this.log('run', { job, at: Date.now() });
          this.ctx.abort('test: the object crashes while a job runs');
        },
      },
    });
    this.scheduler.addListener((e) => {
      this.log('event', { name: e.name, job: e.jobId, scheduled: e.scheduledRunTime?.getTime() ?? null, first: e.scheduledRunTimes?.first?.getTime?.() });
    }, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_ERROR);
  }

  /** One log entry, under a key no other entry (of any instance) uses. */
  log(kind, entry) {
    this.seq += 1;
    return this.ctx.storage.put(`log:${kind}:${this.instance}:${String(this.seq).padStart(6, '0')}`, { ...entry, instance: this.instance });
  }

  alarm(info) {
    return this.scheduler.alarm(info);
  }

  async fetch(request) {
    const { pathname } = new URL(request.url);
    try {
      if (request.method === 'POST' && pathname === '/jobs') {
        const { func, trigger, options } = await request.json();
        return json(this.scheduler.addJob(func, trigger, options).toJSON());
      }
      if (request.method === 'POST' && pathname === '/jobs/remove') {
        this.scheduler.removeJob((await request.json()).id);
        return json(this.scheduler.getJobs().map((j) => j.toJSON()));
      }
      if (pathname === '/jobs') return json(this.scheduler.getJobs().map((j) => j.toJSON()));
      if (pathname === '/log') {
        const out = { runs: [], events: [] };
        for (const [key, value] of await this.ctx.storage.list({ prefix: 'log:' })) out[key.startsWith('log:run:') ? 'runs' : 'events'].push(value);
        return json(out);
      }
      if (pathname === '/state') {
        return json({
          instance: this.instance,
          alarm: await this.ctx.storage.getAlarm(),
          loadErrors: this.scheduler.loadErrors.map((e) => e.message),
          storeErrors: this.scheduler.storeErrors.map((e) => e.message),
        });
      }
      if (request.method === 'POST' && pathname === '/store-probe') return json(await this.storeProbe());
      if (pathname === '/bad-input') return json(this.badInput());
      if (request.method === 'POST' && pathname === '/abort') this.ctx.abort('test: tear the object down');
      return json({ error: 'not found' }, 404);
    } catch (e) {
      return json({ error: String(e), code: e instanceof TickwerkError ? e.code : undefined }, 400);
    }
  }
}

/** What a call threw, as plain data. */
function thrown(fn) {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return { tickwerk: e instanceof TickwerkError, code: e.code, field: e.field, message: e.message };
  }
}

Object.assign(Jobs.prototype, {
  /** DurableObjectStore on its own key prefix: batches over 128 keys, a failing batch, clear, corrupt values. */
  async storeProbe() {
    const store = new DurableObjectStore(this.ctx.storage, { prefix: 'probe:' });
    store.bind('p');
    const record = (id) => ({ version: 1, id, n: id.length });
    const count = async () => (await this.ctx.storage.list({ prefix: 'probe:' })).size;
    const out = {};
    const ids = Array.from({ length: 300 }, (_, i) => `job-${i}`);
    await store.apply(ids.map((id) => ({ op: 'put', jobstore: 'p', jobId: id, record: record(id) })));
    out.afterPuts = await count();
    const loaded = await store.load();
    out.loaded = [loaded.length, loaded.every((r) => r.id === ids[ids.indexOf(r.id)] && r.n === r.id.length)];
    // 150 removes, 150 changed records and, last, one whose value is over the 2 MiB value
    // limit: the batch (2 chunks of deletes, 2 of puts) fails whole.
    const failing = ids.slice(0, 150).map((id) => ({ op: 'remove', jobstore: 'p', jobId: id }));
    for (const id of ids.slice(150)) failing.push({ op: 'put', jobstore: 'p', jobId: id, record: { ...record(id), n: -1 } });
    failing.push({ op: 'put', jobstore: 'p', jobId: 'huge', record: { ...record('huge'), pad: 'x'.repeat(3 << 20) } });
    out.failed = await store.apply(failing).then(() => 'applied', (e) => ({ code: e.code, field: e.field, value: e.value, tickwerk: e instanceof TickwerkError, message: e.message }));
    out.afterFailedUnchanged = (await store.load()).filter((r) => r.n === r.id.length).length;
    out.afterFailed = await count();
    await store.apply([{ op: 'clear', jobstore: 'p' }, { op: 'put', jobstore: 'p', jobId: 'kept', record: record('kept') }]);
    out.afterClear = (await store.load()).map((r) => r.id);
    await this.ctx.storage.put({ [store.keyOf('text')]: 'not json {', [store.keyOf('obj')]: { id: 'obj' }, [store.keyOf('arr')]: '[1]' });
    out.corrupt = (await store.load())
      .filter((e) => e instanceof CorruptEntry)
      .map((e) => ({ key: e.key, id: e.id, reason: e.reason }))
      .sort((x, y) => x.id.localeCompare(y.id));
    await this.ctx.storage.delete([...(await this.ctx.storage.list({ prefix: 'probe:' })).keys()]);
    return out;
  },

  /** The driver's answers to bad input. */
  badInput() {
    return {
      noCtx: thrown(() => new DurableObjectScheduler(null)),
      plainObject: thrown(() => new DurableObjectScheduler({ storage: {} })),
      ownedOption: thrown(() => new DurableObjectScheduler(this.ctx, { jobstores: {} })),
      badPrefix: thrown(() => new DurableObjectScheduler(this.ctx, { prefix: 7 })),
      badWorkers: thrown(() => new DurableObjectScheduler(this.ctx, { maxWorkers: 0 })),
      badStorage: thrown(() => new DurableObjectStore({ list() {} })),
      unknownOption: thrown(() => new DurableObjectScheduler(this.ctx, { timeZone: 'UTC' })),
      unregistered: thrown(() => this.scheduler.addJob(() => 1, 'interval', { seconds: 5 })),
    };
  },
});

export default {
  fetch(request, env) {
    return env.JOBS.get(env.JOBS.idFromName('main')).fetch(request);
  },
};
