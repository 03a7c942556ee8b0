// Type test of `tickwerk/durable-object` (dist/durable-object.d.ts through the package's
// `exports` map), compiled by `tsc --noEmit -p tsconfig.json`. It must type-check; the
// `@ts-expect-error` lines must fail to.
import {
  DurableObjectScheduler,
  DurableObjectStore,
  EVENT_JOB_EXECUTED,
  MAX_KEYS_PER_CALL,
  type DurableObjectStateLike,
} from 'tickwerk/durable-object';

declare const ctx: DurableObjectStateLike;

const scheduler = new DurableObjectScheduler(ctx, { timezone: 'Europe/Berlin', functions: { report: () => 1 }, prefix: 'jobs:', maxWorkers: 4 });
scheduler.addJob('report', 'cron', { hour: 3, id: 'nightly', replaceExisting: true });
scheduler.addListener((e) => e.jobId, EVENT_JOB_EXECUTED);
const started: Promise<void> = scheduler.started;
const alarmed: Promise<void> = scheduler.alarm({ retryCount: 0, isRetry: false });
const store: DurableObjectStore = scheduler.store;
const key: string = store.keyOf('nightly');
const limit: number = MAX_KEYS_PER_CALL;
new DurableObjectStore(ctx.storage, { prefix: 'x:' });

// @ts-expect-error the driver sets the job stores itself
new DurableObjectScheduler(ctx, { jobstores: {} });
// @ts-expect-error the driver sets the clock itself
new DurableObjectScheduler(ctx, { clock: { now: () => 0, setTimer: () => 0, clearTimer: () => {} } });
// @ts-expect-error a Durable Object's state is required
new DurableObjectScheduler({});

export { started, alarmed, key, limit };
