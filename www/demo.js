// The demo page: one Scheduler with an IndexedDB job store (jobs survive a reload; a Web Lock
// keeps a second tab from driving the same store), functions registered by name (stored jobs
// name their function by key), a form that builds triggers and shows tickwerk's errors at the
// field they name, a live job table, a 24-hour SVG timeline, a DST explorer and an event log.
import * as tw from '../dist/browser.js';
import { drawTimeline, COLORS } from './timeline.js';
import { dateText, exploreDst, formatOffset, timeText, wallClock, zoneNames } from './zones.js';

if (typeof tw.ready === 'function') await tw.ready();
const { Scheduler, TickwerkError, CronTrigger, IntervalTrigger, DateTrigger, hostTimezone, formatInstant } = tw;

const $ = (id) => document.getElementById(id);
const HOST_ZONE = hostTimezone();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const clockTime = (d) => new Date(d).toLocaleTimeString([], { hourCycle: 'h23' });

// ----- the functions jobs run, by name ---------------------------------------------------
let counter = 0;
const functions = {
  log: () => `logged at ${clockTime(Date.now())}`,
  ping: () => 'pong',
  count: () => (counter += 1),
  slow: () => sleep(2500).then(() => 'done after 2.5 s'),
  fail: () => {
    throw new Error('this job fails on purpose');
  },
};

const scheduler = new Scheduler({
  timezone: HOST_ZONE,
  jobstores: { default: { type: 'indexeddb', dbName: 'tickwerk-demo' } },
  // A background tab's timers are throttled: let runs start up to 30 s late before they count as missed.
  jobDefaults: { misfireGraceTime: 30 },
  functions,
  // Warnings and errors the scheduler logs (a job's exception is already its JOB_ERROR event).
  logger: {
    error: (m) => /raised an exception/.test(m) || note(String(m).split('\n')[0], true),
    warn: (m) => note(String(m)),
  },
});
window.scheduler = scheduler;

/** A job's colour, the same in the table, the timeline and the log (handed out in turn). */
const colors = new Map();
function colorOf(id) {
  if (!colors.has(id)) colors.set(id, COLORS[colors.size % COLORS.length]);
  return colors.get(id);
}

function isTickwerkError(e) {
  return e instanceof TickwerkError || e?.name === 'TickwerkError';
}

/** Runs an action of a button; a failure goes to the line under the header. */
function guard(fn) {
  return async () => {
    $('problem').textContent = '';
    try {
      await fn();
    } catch (e) {
      $('problem').textContent = isTickwerkError(e) ? `${e.code}: ${e.message}` : String(e);
    }
    refreshJobs();
    redrawTimeline();
  };
}

// ----- field errors --------------------------------------------------------------------
let errorIds = 0;
function setFieldError(input, text) {
  const slot = input.parentElement.querySelector('.err');
  if (!slot.id) slot.id = `err-${(errorIds += 1)}`;
  slot.textContent = text;
  input.setAttribute('aria-invalid', text ? 'true' : 'false');
  input.setAttribute('aria-describedby', slot.id);
}
function clearErrors(form) {
  for (const input of form.querySelectorAll('[aria-invalid="true"]')) input.setAttribute('aria-invalid', 'false');
  for (const slot of form.querySelectorAll('.err')) slot.textContent = '';
}
const CRON_FIELDS = ['year', 'month', 'day', 'week', 'day_of_week', 'hour', 'minute', 'second'];
/** An error's field in APScheduler's spelling (`dayOfWeek`, `trigger.runDate` → `day_of_week`, `run_date`). */
const snake = (field) => String(field ?? '').replace(/^trigger\./, '').replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

// ----- the add-job form ------------------------------------------------------------------
const form = $('add-form');
const INTERVAL_INPUTS = ['weeks', 'days', 'hours', 'minutes', 'seconds'];
// [option key, error field (APScheduler's name), label]
const CRON_INPUTS = [['year', 'year'], ['month', 'month'], ['day', 'day'], ['week', 'week'], ['dayOfWeek', 'day_of_week', 'day of week'],
  ['hour', 'hour'], ['minute', 'minute'], ['second', 'second']];

function field(label, attrs) {
  const wrap = document.createElement('label');
  wrap.className = 'field';
  const span = document.createElement('span');
  span.textContent = label;
  const { dataset, ...props } = attrs;
  const input = document.createElement('input');
  Object.assign(input, props);
  input.dataset.field = dataset;
  input.spellcheck = false;
  const err = document.createElement('small');
  err.className = 'err';
  wrap.append(span, input, err);
  return wrap;
}
{
  const iv = form.querySelector('.panel[data-kind="interval"]');
  iv.prepend(...INTERVAL_INPUTS.map((n) => field(n, { id: `interval-${n}`, type: 'number', min: 0, step: 'any', dataset: n })));
  $('interval-seconds').value = '5';
  const cron = form.querySelector('.panel[data-kind="cron"]');
  cron.append(...CRON_INPUTS.map(([key, name, label]) => field(label ?? key, { id: `cron-${key}`, dataset: name })));
  $('zones').append(...zoneNames().map((z) => new Option(z)));
  $('zone').value = HOST_ZONE;
}

const kind = () => form.elements.kind.value;

/** Wall-clock text `YYYY-MM-DDTHH:MM:SS` in `zone`, for a datetime-local input. */
function wallInput(ms, zone) {
  try {
    const w = wallClock(ms, zone);
    return `${dateText(w)}T${timeText(w)}`;
  } catch {
    return '';
  }
}

/** The trigger the form describes. `strict`: an empty required input is an error (on submit). */
function formTrigger(strict) {
  const timezone = $('zone').value.trim() || HOST_ZONE;
  const missing = (fieldName, message) => {
    if (!strict) return null;
    throw new TickwerkError('INVALID_ARGUMENT', message, { field: fieldName });
  };
  switch (kind()) {
    case 'interval': {
      const options = { timezone };
      for (const n of INTERVAL_INPUTS) {
        const v = $(`interval-${n}`).value.trim();
        if (v !== '') options[n] = Number(v);
      }
      if (Object.keys(options).length === 1) return missing('interval', 'give at least one of weeks, days, hours, minutes, seconds');
      return new IntervalTrigger(options);
    }
    case 'cron': {
      const options = { timezone };
      for (const [key] of CRON_INPUTS) {
        const v = $(`cron-${key}`).value.trim();
        if (v !== '') options[key] = v;
      }
      return new CronTrigger(options);
    }
    case 'crontab': {
      const expr = $('crontab').value.trim();
      if (expr === '') return missing('expr', 'type a crontab line, e.g. */5 * * * *');
      return CronTrigger.fromCrontab(expr, { timezone });
    }
    default: {
      const v = $('run-date').value;
      if (v === '') return missing('run_date', 'pick a date and time');
      return new DateTrigger({ runDate: v.replace('T', ' ') + (v.length === 16 ? ':00' : ''), timezone });
    }
  }
}

/** Shows a form error at the input its `field` names (else under the button). */
function showFormError(e) {
  if (!isTickwerkError(e)) {
    $('form-error').textContent = String(e);
    return;
  }
  const name = snake(e.field);
  let input = null;
  if (kind() === 'crontab' && (name === 'expr' || CRON_FIELDS.includes(name))) input = $('crontab');
  else if (name === 'interval' && kind() === 'interval') {
    form.querySelector('[data-err="interval"]').textContent = e.message;
    for (const n of INTERVAL_INPUTS) $(`interval-${n}`).setAttribute('aria-invalid', 'true');
    return;
  } else if (name) {
    input = form.querySelector(`.panel[data-kind="${kind()}"] [data-field="${name}"]`) ?? form.querySelector(`.common [data-field="${name}"]`);
  }
  if (input) setFieldError(input, e.message);
  else $('form-error').textContent = `${e.code}: ${e.message}`;
}

/** Validates the form as it is typed and shows the next fire times. */
function preview() {
  clearErrors(form);
  $('form-error').textContent = '';
  const out = $('preview');
  let trigger;
  try {
    trigger = formTrigger(false);
  } catch (e) {
    showFormError(e);
    out.textContent = '';
    return;
  }
  if (!trigger) {
    out.textContent = '';
    return;
  }
  const now = Date.now();
  const times = [];
  for (let t = trigger.nextFireTimeMs(undefined, now); t !== undefined && times.length < 3; t = trigger.nextFireTimeMs(t, t)) times.push(t);
  const parts = [document.createTextNode(`${trigger} → `)];
  if (times.length === 0) parts.push('no fire time left');
  times.forEach((t, i) => {
    const b = document.createElement('b');
    b.textContent = formatInstant(t, trigger.timezone);
    parts.push(i ? ', ' : '', b);
  });
  if (times.length === 1 && times[0] < now) parts.push(' (in the past: it will be reported as missed)');
  out.replaceChildren(...parts);
}

function showKind() {
  for (const panel of form.querySelectorAll('.panel')) panel.hidden = panel.dataset.kind !== kind();
  if (kind() === 'date' && $('run-date').value === '') $('run-date').value = wallInput(Date.now() + 120_000, $('zone').value.trim() || HOST_ZONE);
  preview();
}
form.addEventListener('change', (ev) => {
  if (ev.target.name === 'kind') showKind();
});
form.addEventListener('input', preview);

function freshId(func) {
  for (let n = 1; ; n += 1) if (!scheduler.getJob(`${func}-${n}`)) return `${func}-${n}`;
}

let flashId = null;
form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  clearErrors(form);
  $('form-error').textContent = '';
  try {
    const trigger = formTrigger(true);
    const func = $('func').value;
    const options = { id: $('job-id').value.trim() || freshId(func) };
    const name = $('job-name').value.trim();
    if (name) options.name = name;
    flashId = scheduler.addJob(func, trigger, options).id;
    $('job-id').value = '';
    $('job-name').value = '';
  } catch (e) {
    showFormError(e);
  }
  refreshJobs();
  redrawTimeline();
});

// ----- the job table ---------------------------------------------------------------------
const rows = new Map();
const emptyRow = document.createElement('tr');
emptyRow.className = 'empty';
emptyRow.innerHTML = '<td colspan="5">No jobs. Add one with the form.</td>';

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function makeRow(id) {
  const tr = document.createElement('tr');
  tr.dataset.id = id;
  tr.innerHTML = '<td><span class="swatch"></span><b class="id"></b><span class="sub muted"></span></td>'
    + '<td><span class="trig"></span><span class="sub muted zone"></span></td><td class="next"></td><td class="countdown"></td>'
    + '<td><button type="button" class="small toggle"></button> <button type="button" class="small remove">Remove</button></td>';
  const q = (s) => tr.querySelector(s);
  q('.swatch').style.background = colorOf(id);
  q('.id').textContent = id;
  const toggle = q('.toggle');
  toggle.onclick = guard(() => (toggle.classList.contains('resume') ? scheduler.resumeJob(id) : scheduler.pauseJob(id)));
  q('.remove').onclick = guard(() => scheduler.removeJob(id));
  return { tr, sub: q('.sub'), trig: q('.trig'), zone: q('.zone'), next: q('.next'), countdown: q('.countdown'), toggle };
}

function countdown(ms) {
  if (ms <= 0) return 'due';
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.floor(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

function refreshJobs() {
  const jobs = scheduler.getJobs();
  const body = $('jobs');
  const now = Date.now();
  jobs.forEach((job, i) => {
    let r = rows.get(job.id);
    if (!r) {
      r = makeRow(job.id);
      rows.set(job.id, r);
      if (job.id === flashId) r.tr.classList.add('new');
    }
    const next = job.nextRunTime;
    const zone = job.trigger.timezone;
    setText(r.sub, job.name === job.funcRef ? job.funcRef : `${job.name} · ${job.funcRef}`);
    setText(r.trig, String(job.trigger));
    setText(r.zone, zone);
    setText(r.next, next ? formatInstant(next.getTime(), zone) : 'paused');
    setText(r.countdown, next ? countdown(next.getTime() - now) : '—');
    r.tr.classList.toggle('paused', !next);
    r.toggle.className = `small toggle ${next ? 'pause' : 'resume'}`;
    setText(r.toggle, next ? 'Pause' : 'Resume');
    if (body.children[i] !== r.tr) body.insertBefore(r.tr, body.children[i] ?? null);
  });
  const live = new Set(jobs.map((j) => j.id));
  for (const [id, r] of rows) {
    if (!live.has(id)) {
      r.tr.remove();
      rows.delete(id);
    }
  }
  if (jobs.length === 0) body.append(emptyRow);
  else emptyRow.remove();
  setText($('job-count'), `(${jobs.length})`);
  for (const id of live) addJobFilter(id);
}
$('remove-all').onclick = guard(() => scheduler.removeAllJobs());

// ----- the timeline ----------------------------------------------------------------------
let timelineQueued = false;
function redrawTimeline() {
  if (timelineQueued) return;
  timelineQueued = true;
  requestAnimationFrame(() => {
    timelineQueued = false;
    drawTimeline($('timeline'), scheduler.getJobs(), colorOf);
  });
}

// ----- the event log ---------------------------------------------------------------------
const EVENT_TYPES = ['JOB_EXECUTED', 'JOB_ERROR', 'JOB_MISSED', 'JOB_SUBMITTED', 'JOB_MAX_INSTANCES', 'JOB_ADDED', 'JOB_MODIFIED',
  'JOB_REMOVED', 'ALL_JOBS_REMOVED', 'SCHEDULER_STARTED', 'SCHEDULER_PAUSED', 'SCHEDULER_RESUMED', 'SCHEDULER_SHUTDOWN',
  'JOBSTORE_ADDED', 'EXECUTOR_ADDED', 'NOTE'];
const RUN_TYPES = new Set(['JOB_EXECUTED', 'JOB_ERROR', 'JOB_MISSED']);
const MAX_LOG = 500;
const log = $('log');
$('log-type').append(...EVENT_TYPES.map((t) => new Option(t === 'NOTE' ? 'notes of this page' : t, t)));
const jobFilters = new Set();
function addJobFilter(id) {
  if (!id || jobFilters.has(id)) return;
  jobFilters.add(id);
  $('log-job').append(new Option(id, id));
}

function shown(li) {
  const type = $('log-type').value;
  const job = $('log-job').value;
  return (type === '' || (type === 'runs' ? RUN_TYPES.has(li.dataset.type) : li.dataset.type === type)) && (job === '' || li.dataset.job === job);
}
function countLog() {
  const total = log.childElementCount;
  const visible = [...log.children].filter((li) => !li.hidden).length;
  setText($('log-count'), visible === total ? `(${total})` : `(${visible} of ${total} shown)`);
}
function applyFilters() {
  for (const li of log.children) li.hidden = !shown(li);
  countLog();
}
$('log-type').onchange = applyFilters;
$('log-job').onchange = applyFilters;
$('log-clear').onclick = () => {
  log.replaceChildren();
  countLog();
};

function addLog(type, jobId, detail, isError) {
  const li = document.createElement('li');
  li.dataset.type = type;
  li.dataset.job = jobId ?? '';
  if (isError) li.className = 'error';
  const time = document.createElement('time');
  time.textContent = clockTime(Date.now());
  const ev = document.createElement('span');
  ev.className = `ev ${type === 'JOB_EXECUTED' ? 'executed' : type === 'JOB_ERROR' ? 'error' : type === 'JOB_MISSED' ? 'missed' : type.startsWith('JOB') ? 'job' : 'sched'}`;
  ev.textContent = type;
  li.append(time, ev);
  if (jobId) {
    const job = document.createElement('span');
    job.className = 'job';
    job.style.color = colorOf(jobId);
    job.textContent = jobId;
    li.append(job);
  }
  li.append(detail);
  li.hidden = !shown(li);
  log.prepend(li);
  while (log.childElementCount > MAX_LOG) log.lastElementChild.remove();
  addJobFilter(jobId);
  countLog();
}
/** A line from the page itself (not a scheduler event). */
function note(text, isError = false) {
  addLog('NOTE', '', text, isError);
}

function runTimesText(times) {
  if (Array.isArray(times)) return times.map(clockTime).join(', ');
  return `${clockTime(times.first)} … ${clockTime(times.last)}`;
}

const CHANGES_JOBS = new Set(['JOB_ADDED', 'JOB_REMOVED', 'JOB_MODIFIED', 'ALL_JOBS_REMOVED', 'JOB_EXECUTED', 'JOB_ERROR', 'JOB_MISSED', 'SCHEDULER_STARTED']);
scheduler.addListener((e) => {
  const type = e.name.replace(/^EVENT_/, '');
  const parts = [];
  if (e.scheduledRunTime) parts.push(`run ${clockTime(e.scheduledRunTime)}`);
  else if (e.scheduledRunTimes) parts.push(`runs ${runTimesText(e.scheduledRunTimes)}`);
  if (e.retval !== undefined && e.retval !== null) parts.push(`→ ${JSON.stringify(e.retval)}`);
  if (e.exception) parts.push(`✗ ${e.exception.message ?? e.exception}`);
  if (e.alias) parts.push(`(${e.alias})`);
  addLog(type, e.jobId, parts.join(' '), Boolean(e.exception) || type === 'JOB_MISSED');
  showState();
  if (CHANGES_JOBS.has(type)) {
    refreshJobs();
    if (type !== 'JOB_EXECUTED' && type !== 'JOB_ERROR') redrawTimeline();
  }
});

// ----- the DST explorer ------------------------------------------------------------------
const dstForm = $('dst-form');
const hm = (w) => timeText(w).slice(0, 5);

function dstCell(tr, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  tr.append(td);
  return td;
}

function explore() {
  clearErrors(dstForm);
  const body = $('dst-rows');
  const expr = $('dst-expr').value.trim();
  const zone = $('dst-zone').value.trim() || HOST_ZONE;
  const from = $('dst-from').value;
  let rows;
  try {
    if (expr === '') throw new TickwerkError('INVALID_ARGUMENT', 'type a crontab line', { field: 'expr' });
    if (from === '') throw new TickwerkError('INVALID_ARGUMENT', 'pick a start date', { field: 'run_date' });
    rows = exploreDst(tw, expr, zone, from);
  } catch (e) {
    const name = snake(e?.field);
    const input = name === 'timezone' ? $('dst-zone') : name === 'run_date' ? $('dst-from') : $('dst-expr');
    setFieldError(input, isTickwerkError(e) ? e.message : String(e));
    body.replaceChildren();
    return;
  }
  let n = 0;
  body.replaceChildren(...rows.map((row, i) => {
    const tr = document.createElement('tr');
    if (row.kind === 'fire') {
      n += 1;
      tr.className = `fire${row.repeated ? ' repeated' : ''}${row.movedFrom ? ' moved' : ''}`;
      dstCell(tr, String(n));
      const local = dstCell(tr, '');
      const time = document.createElement('span');
      time.className = 'local';
      time.textContent = row.local;
      local.append(time);
      const noteText = row.repeated ? `repeated hour, ${row.repeated === 1 ? '1st' : '2nd'} time`
        : row.movedFrom ? `${row.movedFrom} does not exist: runs when the gap ends` : '';
      if (noteText) {
        const small = document.createElement('small');
        small.className = 'note';
        small.textContent = noteText;
        local.append(small);
      }
      dstCell(tr, row.offset);
      dstCell(tr, row.utc);
      return tr;
    }
    const change = `${formatOffset(row.before)} → ${formatOffset(row.after)}`;
    const day = dateText(row.fromWall);
    tr.className = row.kind;
    const near = [rows[i - 1], rows[i + 1]].some((r) => r?.kind === 'fire' && (r.repeated || r.movedFrom));
    if (!near && row.notRun.length === 0) tr.classList.add('quiet');
    const td = dstCell(tr, row.kind === 'gap'
      ? `${day}: clocks go forward ${change}. ${hm(row.fromWall)}–${hm(row.toWall)} does not exist.${row.notRun.length ? ` Not run: ${row.notRun.join(', ')}.` : ''}`
      : `${day}: clocks go back ${change}. ${hm(row.fromWall)}–${hm(row.toWall)} happens twice; a matching time fires twice (as in APScheduler 3.11).`);
    td.colSpan = 4;
    return tr;
  }));
}
dstForm.addEventListener('input', explore);
dstForm.addEventListener('submit', (ev) => ev.preventDefault());
for (const button of dstForm.querySelectorAll('[data-preset]')) {
  button.onclick = () => {
    [$('dst-expr').value, $('dst-zone').value, $('dst-from').value] = button.dataset.preset.split('|');
    explore();
  };
}

// ----- scheduler state, clock, start -----------------------------------------------------
function showState(waiting) {
  const state = waiting ? 'waiting' : scheduler.state;
  const el = $('state');
  setText(el, waiting ? 'waiting for the other tab' : state);
  el.className = `state ${state}`;
  const button = $('pause-all');
  button.disabled = state !== 'running' && state !== 'paused';
  setText(button, state === 'paused' ? 'Resume scheduler' : 'Pause scheduler');
}
$('pause-all').onclick = guard(() => (scheduler.state === 'paused' ? scheduler.resume() : scheduler.pause()));

function tick() {
  setText($('clock'), `${clockTime(Date.now())} · ${HOST_ZONE}`);
  refreshJobs();
}

async function start() {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await scheduler.start();
      $('problem').textContent = '';
      return;
    } catch (e) {
      // Another tab holds the store's Web Lock (or the previous page is still unloading): retry.
      if (!(isTickwerkError(e) && e.code === 'STORE_FAILURE' && /held/.test(e.message))) throw e;
      showState(true);
      if (attempt === 2) $('problem').textContent = 'Another tab runs these jobs; this page takes over when that tab closes.';
      await sleep(attempt < 5 ? 300 : 2000);
    }
  }
}

explore();
preview();
showState();
try {
  await start();
  for (const e of scheduler.loadErrors) note(`unreadable record ${e.key}: ${e.message} (left in place)`, true);
  if (scheduler.getJobs().length === 0) {
    // First visit (or every job removed): a few examples.
    scheduler.addJob('ping', 'interval', { seconds: 10, id: 'heartbeat', name: 'heartbeat' });
    scheduler.addJob('log', 'cron', { hour: '*/2', minute: 0, id: 'every-2h', name: 'every two hours' });
    scheduler.addJob('count', CronTrigger.fromCrontab('30 9 * * mon-fri'), { id: 'standup', name: 'weekdays 09:30' });
  }
} catch (e) {
  $('problem').textContent = isTickwerkError(e) ? `${e.code}: ${e.message}` : String(e);
}
showState();
tick();
redrawTimeline();
setInterval(tick, 200);
setInterval(redrawTimeline, 5000);
addEventListener('resize', redrawTimeline);
window.demoReady = true;
