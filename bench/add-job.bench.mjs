// Benchmark: the cost of `scheduler.addJob` through the public JS API, per add, for a
// trigger instance (issue 11: an instance reaches the core by handle) and for an alias
// (the JSON path, as a control). Each round adds N jobs to a fresh scheduler's memory
// store, on a fake clock: stopped (pending jobs) and started paused (stored jobs with a
// first run time computed and EVENT_JOB_ADDED). Best of ROUNDS, microseconds per add.
// Usage: node scripts/build.mjs && node bench/add-job.bench.mjs [--quick]
import { CronTrigger, IntervalTrigger, OrTrigger, Scheduler } from 'tickwerk';

const quick = process.argv.includes('--quick');
const N = 10_000;
const ROUNDS = quick ? 3 : 7;
const T0 = Date.UTC(2026, 0, 1);

/** A scheduler on a fake clock that never fires its timers. */
async function scheduler(started) {
  const s = new Scheduler({ timezone: 'UTC', logger: quiet, clock: { now: () => T0, setTimer: () => ({}), clearTimer: () => {} } });
  if (started) await s.start({ paused: true });
  return s;
}

const cron = new CronTrigger({ hour: '3', minute: '*/5', timezone: 'Europe/Berlin' });
const interval = new IntervalTrigger({ minutes: 5, startDate: T0, jitter: 30, timezone: 'UTC' });
const or = new OrTrigger([cron, interval]);
const noop = () => {};
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const cases = {
  'CronTrigger instance': (s, i) => s.addJob(noop, cron, { id: `j${i}` }),
  'IntervalTrigger instance (jitter)': (s, i) => s.addJob(noop, interval, { id: `j${i}` }),
  'OrTrigger instance (cron | interval)': (s, i) => s.addJob(noop, or, { id: `j${i}` }),
  "alias 'cron' (JSON, control)": (s, i) => s.addJob(noop, 'cron', { hour: '3', minute: '*/5', timezone: 'Europe/Berlin', id: `j${i}` }),
};

async function measure(add, started) {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r += 1) {
    const s = await scheduler(started);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i += 1) add(s, i);
    const us = Number(process.hrtime.bigint() - t0) / 1e3 / N;
    best = Math.min(best, us);
    if (started) await s.shutdown({ wait: false });
  }
  return best;
}

for (const [name, add] of Object.entries(cases)) {
  const stopped = await measure(add, false);
  const started = await measure(add, true);
  console.log(`${name.padEnd(40)} stopped ${stopped.toFixed(2).padStart(6)} µs/add   started (paused) ${started.toFixed(2).padStart(6)} µs/add`);
}
