// The demo page: a Scheduler with an IndexedDB job store (jobs survive a reload; Web Locks
// keep a second tab from driving the same store), functions named by key, a live job table
// and an event log.
import { Scheduler, TickwerkError, hostTimezone } from '../dist/browser.js';

const $ = (id) => document.getElementById(id);
const log = $('log');
let selected = null;
let counter = 0;

function line(text, cls) {
  const row = document.createElement('div');
  if (cls) row.className = cls;
  row.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  log.prepend(row);
  while (log.childElementCount > 300) log.lastElementChild.remove();
}

const scheduler = new Scheduler({
  timezone: hostTimezone(),
  jobstores: { default: { type: 'indexeddb', dbName: 'tickwerk-demo' } },
  jobDefaults: { misfireGraceTime: 30 },
  functions: {
    count: () => (counter += 1),
    fail: () => {
      throw new Error('this job fails on purpose');
    },
  },
  logger: { error: (msg) => line(String(msg).split('\n')[0], 'error'), warn: (msg) => line(msg) },
});
window.scheduler = scheduler;

scheduler.addListener((e) => {
  const parts = [e.name.replace('EVENT_', '')];
  if (e.jobId) parts.push(e.jobId);
  if (e.scheduledRunTime) parts.push(`@${e.scheduledRunTime.toLocaleTimeString()}`);
  if (e.retval !== undefined && e.retval !== null) parts.push(`→ ${JSON.stringify(e.retval)}`);
  if (e.exception) parts.push(`✗ ${e.exception.message ?? e.exception}`);
  line(parts.join(' '), e.exception ? 'error' : undefined);
  render();
});

function render() {
  $('state').textContent = scheduler.state;
  $('pause-all').textContent = scheduler.state === 'paused' ? 'Resume scheduler' : 'Pause scheduler';
  const jobs = scheduler.running ? scheduler.getJobs() : [];
  $('count').textContent = `(${jobs.length})`;
  const body = $('jobs');
  body.replaceChildren(...jobs.map((job) => {
    const tr = document.createElement('tr');
    if (job.id === selected) tr.className = 'selected';
    const next = job.nextRunTime ? job.nextRunTime.toLocaleTimeString() : 'paused';
    for (const text of [job.id, job.name, String(job.trigger), next]) {
      const td = document.createElement('td');
      td.textContent = text;
      if (text === 'paused') td.className = 'paused';
      tr.append(td);
    }
    tr.onclick = () => {
      selected = job.id;
      render();
    };
    return tr;
  }));
  if (selected && !jobs.some((j) => j.id === selected)) selected = null;
  const job = selected ? jobs.find((j) => j.id === selected) : null;
  $('pause').disabled = !job || job.nextRunTime === null;
  $('resume').disabled = !job || job.nextRunTime !== null;
  $('remove').disabled = !job;
}

function guard(fn) {
  return async () => {
    $('problem').textContent = '';
    try {
      await fn();
    } catch (e) {
      $('problem').textContent = e instanceof TickwerkError ? `${e.code}: ${e.message}` : String(e);
    }
    render();
  };
}

let serial = Date.now() % 1000;
$('add').onclick = guard(() => {
  const seconds = Number($('seconds').value);
  const func = $('func').value;
  serial += 1;
  selected = scheduler.addJob(func, 'interval', { seconds, id: `job-${serial}`, name: `${func} every ${seconds}s` }).id;
});
$('add-cron').onclick = guard(() => {
  serial += 1;
  selected = scheduler.addJob('count', 'cron', { second: '*/10', id: `cron-${serial}`, name: 'count on */10 s' }).id;
});
$('pause').onclick = guard(() => scheduler.pauseJob(selected));
$('resume').onclick = guard(() => scheduler.resumeJob(selected));
$('remove').onclick = guard(() => scheduler.removeJob(selected));
$('pause-all').onclick = guard(() => (scheduler.state === 'paused' ? scheduler.resume() : scheduler.pause()));

setInterval(() => {
  $('clock').textContent = ` · ${new Date().toLocaleTimeString()} (${scheduler.timezone})`;
}, 250);

try {
  await scheduler.start();
  for (const e of scheduler.loadErrors) line(`unreadable record ${e.key}: ${e.message} (left in place)`, 'error');
  if (scheduler.getJobs().length === 0) {
    scheduler.addJob('count', 'interval', { seconds: 3, id: 'heartbeat', name: 'heartbeat (3 s)' });
  }
} catch (e) {
  $('problem').textContent = e instanceof TickwerkError ? `${e.code}: ${e.message}` : String(e);
}
render();
window.demoReady = true;
