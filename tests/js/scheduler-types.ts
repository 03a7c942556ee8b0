// Type test of the Scheduler API (tsc --noEmit over tests/js/*.ts): must type-check; the
// `@ts-expect-error` lines must not.
import {
  CronTrigger,
  EVENT_JOB_ERROR,
  EVENT_JOB_EXECUTED,
  IndexedDBJobStore,
  Scheduler,
  SchedulerCore,
  TickwerkError,
  type Job,
  type SchedulerEvent,
  type StoreOp,
} from 'tickwerk';

const scheduler = new Scheduler({
  timezone: 'UTC',
  jobDefaults: { coalesce: false, maxInstances: 3 },
  jobstores: { default: { type: 'indexeddb' }, other: new IndexedDBJobStore({ dbName: 'x' }) },
  executors: { default: { type: 'default', maxWorkers: 20 } },
  functions: { report: (who: string) => `hi ${who}` },
  logger: console,
  keepAlive: false,
});
const flat = new Scheduler({ 'tickwerk.jobDefaults.coalesce': 'false', 'apscheduler.timezone': 'UTC' });
flat.configure({ timezone: 'Europe/Berlin' });

const job: Job = scheduler.addJob((n: number) => n * 2, 'interval', { minutes: 2, id: 'my_job_id', args: [21] });
scheduler.addJob('report', 'cron', { hour: 3, timezone: 'UTC', maxInstances: 2, args: ['ops'] });
scheduler.addJob(() => {}, new CronTrigger({ hour: 3 }), { id: 'nightly' });
scheduler.addJob(() => {});
scheduler.addJob('report', 'crontab', { expr: '0 9 * * 1-5', timezone: 'Europe/Berlin', args: ['x'] });
scheduler.addJob('report', 'calendarinterval', { months: 1, hour: 9 });
scheduler.rescheduleJob('my_job_id', 'cron', { minute: '*/5' });
scheduler.modifyJob('my_job_id', { maxInstances: 6, name: 'Alternate name' });
const decorated: () => number = scheduler.scheduledJob('interval', { seconds: 5 })(() => 1);
const next: Date | null = job.nextRunTime;
const resumed: Job | null = job.pause().resume();
const text: string = scheduler.printJobs(undefined, { out: (t) => t.length });
scheduler.addListener((e: SchedulerEvent) => {
  if (e.code === EVENT_JOB_ERROR) console.log(e.exception, e.traceback);
  if (e.code === EVENT_JOB_EXECUTED) console.log(e.retval, e.scheduledRunTime?.toISOString());
}, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR);

async function lifecycle(): Promise<void> {
  await scheduler.start({ paused: true });
  scheduler.resume();
  await scheduler.shutdown({ wait: false });
}

const core = new SchedulerCore({ timezone: 'UTC', seed: 1 });
core.addJob({ func: 'f', trigger: { type: 'interval', minutes: 1 } }, Date.now());
core.start(Date.now(), false);
core.tick(Date.now());
for (const out of core.drainOutput()) {
  if (out.kind === 'storeOps') {
    const ops: StoreOp[] = out.ops;
    console.log(out.jobstore, ops.length);
  } else if (out.kind === 'event') {
    const runId: number | undefined = out.event.runId;
    console.log(out.event.name, runId);
  } else {
    const { run } = out;
    for (let s = core.startRunTime(run.id, Date.now()); s !== undefined; s = core.startRunTime(run.id, Date.now())) {
      if (s.action === 'execute') core.runSucceeded(run.id, s.scheduledRunTime);
    }
    core.finishRun(run.id);
  }
}
// @ts-expect-error the core keeps no return value: runSucceeded takes the run and the time
core.runSucceeded(1, Date.now(), null);
const problems = core.loadJobs('db', [], Date.now());
const firstId: string | undefined = problems[0]?.id;
console.log(firstId);
const wake: number | undefined = core.nextWakeup();

try {
  scheduler.configure({});
} catch (e) {
  if (e instanceof TickwerkError) console.log(e.code);
}
console.log(next, resumed, text, decorated, wake, lifecycle);

// @ts-expect-error: unknown trigger alias
scheduler.addJob(() => {}, 'weekly', {});
// @ts-expect-error: interval options are named (minutes, not minute)
scheduler.addJob(() => {}, 'interval', { minute: 2 });
// @ts-expect-error: start takes an options object
scheduler.start(true);
