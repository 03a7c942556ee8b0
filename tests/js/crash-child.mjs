// Child process of crash.test.mjs: one scheduler "lifetime" that the parent SIGKILLs at a
// random moment. Usage: node crash-child.mjs <dir> <generation> <anchorMs>
//
// * The job store is a custom adapter `{ load(), apply(ops) }` keeping every record in one
//   JSON file (<dir>/store.json), replaced atomically on each batch: write a temp file,
//   fsync it, rename it over the old one, fsync the directory.
// * Everything the parent checks goes to <dir>/log-<generation>.jsonl, one JSON object a
//   line, each line appended and fsynced before anything else happens (one file per
//   generation: a line torn by the kill can only be the last line of its own file).
//     start  {k, gen, at}                         before scheduler.start()
//     ready  {k, gen, at, loaded, loadErrors, storeFile}  after start (loaded: job ids found in the store)
//     added  {k, gen, job, at}                    a job missing from the store was added
//     sub    {k, gen, job, times, at}             EVENT_JOB_SUBMITTED (runTimes: list or {first,last})
//     call   {k, gen, job, at}                    the job function started (it then takes 0-200 ms)
//     run    {k, gen, job, t, at}                 EVENT_JOB_EXECUTED (t = scheduledRunTime)
//     miss   {k, gen, job, t, at}                 EVENT_JOB_MISSED
//     error  {k, gen, job?, message}              EVENT_JOB_ERROR, logger.error, storeErrors
//     stall  {k, gen, from, to}                   the event loop was blocked from `from` to `to` (> 300 ms)
//     maxinst {k, gen, job, times, at}            EVENT_JOB_MAX_INSTANCES (a backlog run still busy when the next time fell due)
import {
  closeSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync, writeSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, EVENT_JOB_SUBMITTED, Scheduler, corruptEntry,
} from '../../dist/node.js';

const [dir, genText, anchorText] = process.argv.slice(2);
const gen = Number(genText);
const anchor = Number(anchorText);
const storePath = join(dir, 'store.json');

const logFd = openSync(join(dir, `log-${gen}.jsonl`), 'a');
function log(entry) {
  writeSync(logFd, `${JSON.stringify({ ...entry, gen })}\n`);
  fsyncSync(logFd);
}

/** Writes `text` to `path` atomically and durably. */
function atomicWrite(path, text) {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

/** The file-backed job store: `{ records: { [jobId]: record } }`. */
class FileJobStore {
  constructor(path) {
    this.path = path;
    this.records = new Map();
    this.fileText = null;
  }

  async load() {
    let text;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if (e.code === 'ENOENT') return [];
      throw e;
    }
    this.fileText = text;
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      return [corruptEntry(this.path, `not JSON: ${e.message}`)];
    }
    if (!parsed || typeof parsed.records !== 'object') return [corruptEntry(this.path, 'no records object')];
    this.records = new Map(Object.entries(parsed.records));
    return [...this.records.values()];
  }

  async apply(ops) {
    const next = new Map(this.records);
    for (const op of ops) {
      if (op.op === 'put') next.set(op.jobId, op.record);
      else if (op.op === 'remove') next.delete(op.jobId);
      else if (op.op === 'clear') next.clear();
      else throw new Error(`unknown store op ${JSON.stringify(op)}`);
    }
    atomicWrite(this.path, JSON.stringify({ records: Object.fromEntries(next) }));
    this.records = next; // only once the batch is durable: all or none
  }
}

const ms = (d) => d.getTime();
const times = (rt) => (Array.isArray(rt) ? rt.map(ms) : { first: ms(rt.first), last: ms(rt.last) });

const store = new FileJobStore(storePath);
const scheduler = new Scheduler({
  timezone: 'UTC',
  jobstores: { default: store },
  functions: {
    // Logs its start, then takes `ms` (a window in which a kill cuts the run off: the next
    // run time is already stored, the EXECUTED event not yet logged).
    async tick(job, ms) {
      log({ k: 'call', job, at: Date.now() });
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    },
  },
  logger: {
    debug() {},
    info() {},
    warn() {},
    error: (...a) => log({ k: 'error', message: a.map(String).join(' ') }),
  },
});
scheduler.addListener((e) => {
  if (e.code === EVENT_JOB_SUBMITTED) log({ k: 'sub', job: e.jobId, times: times(e.scheduledRunTimes), at: Date.now() });
  else if (e.code === EVENT_JOB_EXECUTED) log({ k: 'run', job: e.jobId, t: ms(e.scheduledRunTime), at: Date.now() });
  else if (e.code === EVENT_JOB_MISSED) log({ k: 'miss', job: e.jobId, t: ms(e.scheduledRunTime), at: Date.now() });
  else if (e.code === EVENT_JOB_ERROR) log({ k: 'error', job: e.jobId, message: String(e.exception) });
  else if (e.code === EVENT_JOB_MAX_INSTANCES) log({ k: 'maxinst', job: e.jobId, times: times(e.scheduledRunTimes), at: Date.now() });
}, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_ERROR | EVENT_JOB_MAX_INSTANCES);

// The jobs (fire times are deterministic: whole seconds, or `anchor` + .250 / .500 s).
const JOBS = {
  'iv-nocoalesce': { ms: 200, trigger: 'interval', seconds: 1, startDate: anchor + 500, coalesce: false, misfireGraceTime: 1 },
  'cron-coalesce': { ms: 0, trigger: 'cron', second: '*', misfireGraceTime: 1 },
  'iv-coalesce-nolimit': { ms: 100, trigger: 'interval', seconds: 1, startDate: anchor + 250, misfireGraceTime: null },
};

log({ k: 'start', at: Date.now() });
await scheduler.start();
const loaded = scheduler.getJobs().map((j) => j.id);
log({
  k: 'ready',
  at: Date.now(),
  loaded,
  loadErrors: scheduler.loadErrors.map((e) => ({ code: e.code, key: e.key, message: e.message })),
  storeFile: store.fileText === null ? 'missing' : 'read',
});
// Added only when the store does not have them yet (the first lifetime, or one killed before
// the record was written). Re-adding with replaceExisting on every start would replace the
// stored job, next run time included, by a fresh one (APScheduler's replace_existing): the
// fire times of every restart gap would silently vanish instead of being run, reported
// missed or coalesced — which is what this test checks.
for (const [id, { ms, trigger, ...options }] of Object.entries(JOBS)) {
  if (loaded.includes(id)) continue;
  scheduler.addJob('tick', trigger, { id, args: [id, ms], replaceExisting: true, ...options });
  log({ k: 'added', job: id, at: Date.now() });
}
// Every 100 ms: store errors to the log, and event-loop stalls (a blocked loop delays the
// scheduler's timer too; a job that coalesces may then legitimately skip fire times).
let lastBeat = Date.now();
setInterval(() => {
  const now = Date.now();
  if (now - lastBeat > 300) log({ k: 'stall', from: lastBeat, to: now });
  lastBeat = now;
  for (const e of scheduler.storeErrors.splice(0)) log({ k: 'error', message: `storeErrors: ${e.message}` });
}, 100);
