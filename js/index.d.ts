// Types of the public API of `tickwerk`. Every runtime entry point exports the same API.

/** A moment: a `Date`, epoch milliseconds (fractions = microseconds), or APScheduler's date
 *  text (`'2026-05-01 09:30:00'` read in the trigger's zone; `'…+02:00'` keeps its offset). */
export type DateLike = Date | number | string;

/** Stable error codes (`TickwerkError.code`). */
export type TickwerkErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNKNOWN_TIMEZONE'
  | 'CONFLICTING_ID'
  | 'JOB_NOT_FOUND'
  | 'SCHEDULER_ALREADY_RUNNING'
  | 'SCHEDULER_NOT_RUNNING'
  | 'UNKNOWN_ALIAS'
  | 'UNSERIALIZABLE'
  | 'CORRUPT_RECORD'
  | 'STORE_FAILURE'
  | 'NOT_READY'
  | 'LOAD_FAILED';

/** Every error tickwerk throws. Switch on `code`; `field` and `value` name the bad input. */
export class TickwerkError extends Error {
  constructor(code: TickwerkErrorCode | string, message: string, details?: { field?: string; value?: string; cause?: unknown });
  readonly name: 'TickwerkError';
  /** The stable code, e.g. `'INVALID_ARGUMENT'`. */
  readonly code: TickwerkErrorCode | string;
  /** The option or field that was wrong, when there is one. */
  readonly field: string | undefined;
  /** The offending value as text, when there is one. */
  readonly value: string | undefined;
}

/**
 * What `ready(source)` loads the WebAssembly module from: its URL (resolved against the
 * page), its bytes, a `Response` (or a promise of one, e.g. `fetch(url)`), or a compiled
 * `WebAssembly.Module`. It must be the `dist/tickwerk_bg.wasm` of the same tickwerk version.
 */
export type WasmSource = string | URL | ArrayBuffer | ArrayBufferView | Response | PromiseLike<Response> | WebAssembly.Module;

/**
 * Resolves once tickwerk's WebAssembly module is loaded and every API is usable; rejects
 * with a `TickwerkError` of code `LOAD_FAILED` naming the URL tried (the app keeps running;
 * call `ready()` again to retry).
 *
 * Browsers and bundlers load the module in the background, starting right after the
 * importing code's synchronous part, from the file beside the package's module
 * (`new URL('./tickwerk_bg.wasm', import.meta.url)`). Until it is loaded, everything that
 * needs it (constructing a trigger or a `Scheduler`, `hostTimezone()`, `formatInstant()`,
 * …) throws a `TickwerkError` of code `NOT_READY`: `await ready()` first. `source` loads the
 * module from elsewhere; passed before the background load starts (at the top of the
 * importing module, before any `await`) it replaces it, later it is tried if that load fails.
 *
 * Node, Bun, Deno and workerd load the module synchronously at import: there `ready()`
 * resolves at once and `source` is ignored, so portable code can always `await ready()`.
 */
export function ready(source?: WasmSource | null): Promise<void>;

/** A trigger's JSON form, as `toSpec()` returns it and persistent stores keep it. */
export type TriggerSpecJson = { type: string; [key: string]: unknown };

/** A cron field: APScheduler's expression text, or a number. */
export type CronField = string | number;

export interface CronTriggerOptions {
  year?: CronField;
  month?: CronField;
  day?: CronField;
  week?: CronField;
  /** APScheduler's numbering: 0 = Monday … 6 = Sunday. `CronTrigger.fromCrontab` reads
   *  crontab's instead (0 and 7 = Sunday). Names (`'sun'`, `'mon-fri'`) mean the same in both:
   *  prefer them. */
  dayOfWeek?: CronField;
  hour?: CronField;
  minute?: CronField;
  second?: CronField;
  startDate?: DateLike;
  endDate?: DateLike;
  /** IANA zone name, `'UTC'` or a fixed offset; default: the host's zone. */
  timezone?: string;
  /** Seconds of random delay added to each fire time (never to the schedule itself). */
  jitter?: number | null;
  /** A matching wall time that occurs twice (the hour repeated when clocks go back): `'both'`
   *  (the default, APScheduler's) runs at both instants, `'first'` only at the earlier,
   *  `'last'` only at the later. */
  fold?: Fold;
}

/** Which occurrence of a repeated wall time a cron trigger fires at. */
export type Fold = 'both' | 'first' | 'last';

/** `CronTrigger.fromCrontab(expr, options)`: the line is read as crontab reads it (day of
 *  week 0 and 7 = Sunday; day-of-month OR day-of-week when both are restricted); `fold`
 *  defaults to `'both'` as for every cron trigger. */
export interface CrontabOptions {
  timezone?: string;
  fold?: Fold;
}

export interface IntervalTriggerOptions {
  weeks?: number;
  days?: number;
  hours?: number;
  minutes?: number;
  seconds?: number;
  /** First fire time; default: construction time plus the interval. */
  startDate?: DateLike;
  endDate?: DateLike;
  timezone?: string;
  jitter?: number | null;
}

export interface DateTriggerOptions {
  /** When to run; default: the construction time. */
  runDate?: DateLike;
  timezone?: string;
}

export interface CombiningTriggerOptions {
  jitter?: number | null;
}

/** What every trigger can do. */
export abstract class BaseTrigger {
  /**
   * APScheduler's `get_next_fire_time(previous, now)`: the next time to run, or `null` when
   * the trigger is exhausted. `now` is required. With jitter the Date is the jittered run
   * time; passing it back as `previous` continues from the un-jittered schedule.
   */
  getNextFireTime(previous: DateLike | null, now: DateLike): Date | null;
  /** Low-level form: epoch ms in and out (fractions = µs), no jitter, `undefined` when exhausted. */
  nextFireTimeMs(previousMs: number | undefined, nowMs: number): number | undefined;
  /** The JSON spec; `triggerFromSpec(trigger.toSpec())` rebuilds the same trigger. */
  toSpec(): TriggerSpecJson;
  /** The zone wall-clock times are read in. */
  readonly timezone: string;
  /** APScheduler's `str(trigger)`, e.g. `cron[hour='9', minute='0']`. */
  toString(): string;
  /** Frees the trigger's wasm memory now (also `[Symbol.dispose]` where the runtime has it,
   *  for `using`). Optional: the oldest of many live triggers are freed by themselves; a
   *  freed trigger still works, rebuilt on its next query. */
  free(): void;
}

/** Runs once. */
export class DateTrigger extends BaseTrigger {
  constructor(options?: DateTriggerOptions);
}

/** Runs at fixed intervals of absolute time. */
export class IntervalTrigger extends BaseTrigger {
  constructor(options?: IntervalTriggerOptions);
}

/** Runs when the wall-clock time matches every field. */
export class CronTrigger extends BaseTrigger {
  constructor(options?: CronTriggerOptions);
  /** A standard 5-field crontab line, read as crontab reads it (0 and 7 = Sunday). */
  static fromCrontab(expr: string, options?: CrontabOptions): CronTrigger;
}

export interface CalendarIntervalTriggerOptions {
  years?: number;
  months?: number;
  weeks?: number;
  days?: number;
  /** The wall-clock time of day (default 00:00:00). */
  hour?: number;
  minute?: number;
  second?: number;
  /** The first date (`'2026-01-31'`); default: today in the trigger's zone. */
  startDate?: DateLike;
  /** The last date, inclusive. */
  endDate?: DateLike;
  timezone?: string;
  jitter?: number | null;
}

/** Runs on dates a fixed number of years/months/weeks/days apart, at a fixed wall-clock time. */
export class CalendarIntervalTrigger extends BaseTrigger {
  constructor(options?: CalendarIntervalTriggerOptions);
}

/** Fires when all children agree on a time. */
export class AndTrigger extends BaseTrigger {
  constructor(triggers: BaseTrigger[], options?: CombiningTriggerOptions);
}

/** Fires whenever any child fires. */
export class OrTrigger extends BaseTrigger {
  constructor(triggers: BaseTrigger[], options?: CombiningTriggerOptions);
}

/** Rebuilds a trigger from its JSON spec. `timezone`: default zone; `now`: the current time. */
export function triggerFromSpec(spec: TriggerSpecJson, options?: { timezone?: string; now?: DateLike }): BaseTrigger;

/** The host's IANA zone (from `Intl`), or `'UTC'` when unknown. */
export function hostTimezone(): string;

/** Formats an instant (epoch ms) in a zone as APScheduler prints times: `2026-05-01 09:30:00 CEST`. */
export function formatInstant(ms: number, zone: string): string;

/** Low-level binding: one built trigger. Prefer the trigger classes. */
export class WasmTrigger {
  constructor(spec: TriggerSpecJson, defaultZone: string, nowMs: number, seedHigh: number, seedLow: number);
  nextFireTime(previousMs: number | undefined, nowMs: number): number | undefined;
  nextFire(previousMs: number | undefined, nowMs: number): number | undefined;
  readonly runAt: number | undefined;
  readonly timezone: string | undefined;
  toSpec(): TriggerSpecJson;
  toString(): string;
}

// The Scheduler, its jobs, events, stores, executors and the low-level SchedulerCore.
export * from './scheduler.js';
