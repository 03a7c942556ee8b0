// Types both server-backed shared stores declare (`tickwerk/postgres`, `tickwerk/redis`):
// the lease options and the members of the shared-store contract (docs/shared-stores.md).
// Not an entry point of its own: postgres-store.d.ts and redis-store.d.ts import it.
import type { CoordinateHandlers, CorruptEntry, JobRecord, StoreChange, StoreOp } from './scheduler.js';

export type { StoreChange };

/** Default lease TTL in milliseconds (10 s). */
export const DEFAULT_LEASE_TTL: 10000;

/** The lease options of a server-backed shared store (Postgres, Redis). */
export interface LeaseOptions {
  /** Lease TTL in milliseconds (default 10,000; at least 100). A SIGKILLed leader is replaced
   *  within `leaseTtl + renewInterval`. */
  leaseTtl?: number;
  /** How often the leader renews the lease and a follower tries to take a free or expired
   *  one, in ms (default `leaseTtl / 3`; at most `leaseTtl / 2`). */
  renewInterval?: number;
}

/**
 * What a store with a lease (Postgres, Redis) offers the scheduler: the shared-store contract
 * (docs/shared-stores.md) with string change keys. Every write of the leader checks the lease
 * in the same atomic step, so a leader that lost it writes nothing.
 */
export interface LeasedJobStore {
  /** This scheduler's id in the lease. */
  readonly holder: string;
  /** `'leader'`, `'follower'`, or `null` before `coordinate()` and after `close()`. */
  readonly role: 'leader' | 'follower' | null;
  /** Called by the scheduler with the alias the store is registered under. */
  bind(alias: string): void;
  /** Every record; an entry that does not parse (or whose id is not the job id it is stored
   *  under) as a CorruptEntry, left in place. */
  load(): Promise<Array<JobRecord | CorruptEntry>>;
  /** Leader: `ops` in order and the removal of the `consumed` changes, all or none, in one
   *  atomic step (Postgres: a transaction; Redis: a script) that checks the lease first;
   *  rejects with code `'LEASE_LOST'` (nothing written) when this scheduler no longer holds it. */
  apply(ops: StoreOp[], consumed?: string[]): Promise<void>;
  /** Joins the election: `role` before the promise resolves and on every change; `notice`
   *  when another scheduler wrote records or queued changes. */
  coordinate(handlers: CoordinateHandlers): Promise<void>;
  /** Follower: queues `changes` in the store, then notifies the leader. */
  submit(changes: StoreChange[]): Promise<void>;
  /** Leader: the queued changes, oldest first (not removed until `apply(ops, consumed)`). */
  takeChanges(): Promise<Array<{ key: string; change: StoreChange }>>;
  /** Releases the lease (if held) and closes the connections the store opened. Never
   *  rejects; every call returns the same promise, so `await store.close()` after
   *  `scheduler.shutdown()` waits until the lease is released. */
  close(): Promise<void>;
}
