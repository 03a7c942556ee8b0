// Quickstart: a Scheduler in Node with an interval job, a cron job and a one-off date job,
// printing every event as it fires. Runs for about 12 seconds, then shuts down.
// Run: npm run quickstart   (builds dist/ first)   or   node examples/quickstart.mjs
import {
  EVENT_ALL,
  EVENT_JOB_ERROR,
  EVENT_JOB_EXECUTED,
  Scheduler,
  TickwerkError,
} from 'tickwerk';

const started = Date.now();
const stamp = () => `+${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;

const scheduler = new Scheduler({
  timezone: 'UTC',
  jobDefaults: { coalesce: true, maxInstances: 1, misfireGraceTime: 5 },
  // console-like; pass `console` itself to see the debug lines (decisions and wakeups).
  logger: { warn: (msg) => console.log(stamp(), msg), error: (msg) => console.log(stamp(), String(msg).split('\n')[0]) },
});

// Every event, as APScheduler's listeners see them.
scheduler.addListener((event) => {
  const parts = [stamp(), event.name.padEnd(24)];
  if (event.jobId) parts.push(`job=${event.jobId}`);
  if (event.scheduledRunTime) parts.push(`scheduled=${event.scheduledRunTime.toISOString()}`);
  if (event.code === EVENT_JOB_EXECUTED && event.retval !== undefined) parts.push(`returned=${JSON.stringify(event.retval)}`);
  if (event.code === EVENT_JOB_ERROR) parts.push(`error=${event.exception}`);
  console.log(parts.join(' '));
}, EVENT_ALL);

let beats = 0;
scheduler.addJob(() => {
  beats += 1;
  return beats;
}, 'interval', { seconds: 3, id: 'heartbeat', name: 'heartbeat' });

scheduler.addJob(async (who) => {
  await new Promise((resolve) => setTimeout(resolve, 200)); // async jobs end when their promise settles
  return `report for ${who}`;
}, 'cron', { second: '*/5', id: 'report', name: 'report', args: ['ops'] });

scheduler.addJob(() => {
  throw new Error('the one-off job failed on purpose');
}, 'date', { runDate: new Date(Date.now() + 7_000), id: 'once', name: 'one-off' });

await scheduler.start();
console.log(`${stamp()} started; jobs:`);
scheduler.printJobs(undefined, { out: (text) => process.stdout.write(text) });

try {
  scheduler.addJob(() => {}, 'cron', { hour: '25' });
} catch (err) {
  if (!(err instanceof TickwerkError)) throw err;
  console.log(`${stamp()} bad input -> TickwerkError ${err.code}: ${err.message}`);
}

setTimeout(async () => {
  await scheduler.shutdown({ wait: true });
  console.log(`${stamp()} shut down after ${beats} heartbeats`);
}, 12_000);
