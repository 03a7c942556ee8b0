// Types of `tickwerk/durable-object`: the Cloudflare Durable Objects driver. The entry also
// re-exports the whole `tickwerk` API, so a Worker imports everything from it.
import { Scheduler } from './scheduler.js';
import type { CorruptEntry, JobRecord, JobStoreAdapter, SchedulerOptions, StoreOp } from './scheduler.js';

export * from './index.js';

/** The part of a Durable Object's `ctx.storage` the driver uses (workers-types' `DurableObjectStorage` fits). */
export interface DurableObjectStorageLike {
  list(options?: { prefix?: string }): Promise<Map<string, unknown>>;
  put(entries: Record<string, unknown>): Promise<void>;
  delete(keys: string[]): Promise<number>;
  transaction<T>(closure: (txn: DurableObjectStorageLike) => Promise<T>): Promise<T>;
  setAlarm(scheduledTime: number | Date): Promise<void>;
  deleteAlarm(): Promise<void>;
}

/** The part of a Durable Object's state (`ctx`) the driver uses (workers-types' `DurableObjectState` fits). */
export interface DurableObjectStateLike {
  readonly storage: DurableObjectStorageLike;
  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>;
}

/** The info workerd passes to `alarm()`. */
export interface AlarmInfo {
  readonly retryCount?: number;
  readonly isRetry?: boolean;
}

/** Options of a `DurableObjectScheduler`: the Scheduler's, without what the driver sets. */
export type DurableObjectSchedulerOptions = Omit<SchedulerOptions, 'jobstores' | 'executors' | 'clock' | 'keepAlive'> & {
  /** Prefix of the storage keys of the job records (default `'tickwerk:'`). */
  prefix?: string;
  /** Job instances running at once (default 10). */
  maxWorkers?: number;
};

/**
 * A Scheduler living in a Durable Object: its jobs in the object's storage, its timer the
 * object's alarm. Build it in the object's constructor (it starts itself inside
 * `ctx.blockConcurrencyWhile`) and return `scheduler.alarm(info)` from the object's `alarm()`.
 * Jobs are persistent: they name registered functions and take JSON arguments.
 */
export class DurableObjectScheduler extends Scheduler {
  /** @throws TickwerkError `INVALID_ARGUMENT` for a `ctx` that is not a Durable Object's
   *  state, or for `jobstores`, `executors`, `clock` or `keepAlive` in `options`. */
  constructor(ctx: DurableObjectStateLike, options?: DurableObjectSchedulerOptions | null);
  /** The object's state. */
  readonly ctx: DurableObjectStateLike;
  /** Resolves once started (jobs loaded); rejects with the start's error. */
  readonly started: Promise<void>;
  /** The job store over the object's storage. */
  readonly store: DurableObjectStore;
  /** The object's `alarm()` handler: runs the due jobs, resolves when they settled. Never
   *  rejects for a job's failure (that is an `EVENT_JOB_ERROR`). */
  alarm(info?: AlarmInfo): Promise<void>;
  /** Resolves when no store batch is written and no job instance runs or waits. */
  settled(): Promise<void>;
}

/** Job records in a Durable Object's storage, one key per job
 *  (`<prefix>job:<alias, URI-encoded>:<job id>`, the record as JSON text); a batch is one
 *  storage transaction (all or none). */
export class DurableObjectStore implements JobStoreAdapter {
  /** @throws TickwerkError `INVALID_ARGUMENT` naming `storage` or `prefix`. */
  constructor(storage: DurableObjectStorageLike, options?: { prefix?: string });
  readonly storage: DurableObjectStorageLike;
  readonly prefix: string;
  readonly alias: string;
  /** How many batches `apply` was given. */
  readonly batches: number;
  /** Whether a batch is being written. */
  readonly busy: boolean;
  bind(alias: string): void;
  /** The storage key of job `jobId`. */
  keyOf(jobId: string): string;
  load(): Promise<Array<JobRecord | CorruptEntry>>;
  apply(ops: StoreOp[]): Promise<void>;
  /** Resolves when no batch is being written. */
  idle(): Promise<void>;
}

/** The scheduler's clock over a Durable Object's alarm (used by DurableObjectScheduler). */
export class AlarmClock {
  constructor(storage: DurableObjectStorageLike, hooks?: { wakeAt?: () => number | undefined; onError?: (message: string) => void });
  now(): number;
  /** Sets the object's alarm at now + `ms`, or at `wakeAt` when a capped delay falls short of it. */
  setTimer(fn: () => void, ms: number, wakeAt?: number): unknown;
  clearTimer(handle: unknown): void;
  /** The alarm went off: runs the armed timer's callback. */
  fire(): void;
  /** Alarm handling begins: timers are also in-memory timers until `sleep()`. */
  wake(): void;
  sleep(): void;
}

/** The most keys one `storage.put(entries)` / `storage.delete(keys)` call takes (128). */
export const MAX_KEYS_PER_CALL: number;
