// Events: APScheduler's constants (same names, same numbers) and the event objects the
// Scheduler hands to listeners, built from the core's drained events.

export const EVENT_SCHEDULER_STARTED = 1;
export const EVENT_SCHEDULER_START = EVENT_SCHEDULER_STARTED;
export const EVENT_SCHEDULER_SHUTDOWN = 2;
export const EVENT_SCHEDULER_PAUSED = 4;
export const EVENT_SCHEDULER_RESUMED = 8;
export const EVENT_EXECUTOR_ADDED = 16;
export const EVENT_EXECUTOR_REMOVED = 32;
export const EVENT_JOBSTORE_ADDED = 64;
export const EVENT_JOBSTORE_REMOVED = 128;
export const EVENT_ALL_JOBS_REMOVED = 256;
export const EVENT_JOB_ADDED = 512;
export const EVENT_JOB_REMOVED = 1024;
export const EVENT_JOB_MODIFIED = 2048;
export const EVENT_JOB_EXECUTED = 4096;
export const EVENT_JOB_ERROR = 8192;
export const EVENT_JOB_MISSED = 16384;
export const EVENT_JOB_SUBMITTED = 32768;
export const EVENT_JOB_MAX_INSTANCES = 65536;
/** Every APScheduler event code OR-ed together (131071, APScheduler's number). */
export const EVENT_ALL = 131071;
/**
 * tickwerk's own: a shared job store's role changed (`event.jobstore`, `event.role`:
 * `'leader'` | `'follower'`; see docs/shared-stores.md). Not in `EVENT_ALL`, which keeps
 * APScheduler's number and meaning (so a listener ported from APScheduler never sees a code
 * it does not know): ask for it, e.g. `addListener(fn, EVENT_ALL | EVENT_ROLE_CHANGED)`.
 */
export const EVENT_ROLE_CHANGED = 131072;

/** Scheduler states, as `scheduler.state` reports them. */
export const STATE_STOPPED = 'stopped';
export const STATE_RUNNING = 'running';
export const STATE_PAUSED = 'paused';

/** Epoch ms (fractions = µs) → Date (whole ms). */
const toDate = (ms) => new Date(Math.floor(ms));

/** Run times as the core gives them (list, or `{ first, last }` for a long backlog) → Dates. */
function runTimes(times) {
  if (Array.isArray(times)) return times.map(toDate);
  return { first: toDate(times.first), last: toDate(times.last) };
}

/**
 * One event, with APScheduler's attributes in camelCase: `code`, `name`
 * (`'EVENT_JOB_EXECUTED'`…), `alias` (scheduler / executor / job store events), `jobId`,
 * `jobstore` (job events), `scheduledRunTimes` (submitted / max-instances), and
 * `scheduledRunTime`, `retval`, `exception`, `traceback` (executed / error / missed), and
 * `role` (`EVENT_ROLE_CHANGED`: the scheduler's new role for `jobstore`).
 */
export class SchedulerEvent {
  /** The class's name, kept when the bundle is minified (no keepNames). */
  static name = 'SchedulerEvent';

  /** @internal Built by the Scheduler from a core event. */
  constructor(core) {
    this.code = core.code;
    this.name = core.name;
    if ('alias' in core || core.jobId === undefined) this.alias = core.alias ?? null;
    if (core.jobId !== undefined) {
      this.jobId = core.jobId;
      this.jobstore = core.jobstore ?? null;
    }
    if (core.scheduledRunTimes !== undefined) this.scheduledRunTimes = runTimes(core.scheduledRunTimes);
    if (core.scheduledRunTime !== undefined) {
      this.scheduledRunTime = toDate(core.scheduledRunTime);
      this.retval = core.retval;
      this.exception = core.exception;
      this.traceback = core.traceback;
    }
    if (core.role !== undefined) {
      this.jobstore = core.jobstore;
      this.role = core.role;
    }
  }

  /** `<EVENT_JOB_EXECUTED (code=4096) job=…>`: for logs. */
  toString() {
    const job = this.jobId === undefined ? '' : ` job=${this.jobId}`;
    const alias = this.alias ? ` alias=${this.alias}` : '';
    return `<${this.name} (code=${this.code})${job}${alias}>`;
  }
}
