// Types of `tickwerk/postgres`: the Postgres job store, a shared store (docs/shared-stores.md).
import type { CorruptEntry, JobRecord, StoreOp } from './scheduler.js';

/** The part of a `pg.Pool` or `pg.Client` the store uses (pg ships no types of its own; these
 *  are structural, so @types/pg's Pool and Client fit). */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  on(event: string, listener: (...args: any[]) => void): unknown;
}

/** The part of the pg module the store uses. */
export interface PgModule {
  Pool: new (config?: object) => unknown;
  Client: new (config?: object) => unknown;
}

/** Default lease TTL in milliseconds (10 s). */
export const DEFAULT_LEASE_TTL: 10000;

/** Options of `new PostgresJobStore(options)`: give exactly one of `connection` and `client`. */
export interface PostgresJobStoreOptions {
  /** A connection string (`postgres://…`) or pg client options: the store imports pg, opens
   *  its own pool (at most 3 connections) and LISTEN connection, and closes them at `close()`. */
  connection?: string | Record<string, unknown>;
  /** Instead: a `pg.Pool` (the store holds one of its connections for LISTEN) or a connected
   *  `pg.Client` used by this store alone (its queries and transactions take turns on it).
   *  You own it and end it; `close()` leaves it open. */
  client?: PgQueryable;
  /** The pg module (default: `import('pg')` on first use). */
  pg?: PgModule;
  /** The store's name in the tables' `store` column (default: the alias it is registered
   *  under). Schedulers that share a store use the same name. */
  name?: string;
  /** Table name prefix (default `'tickwerk'`): `<prefix>_jobs`, `<prefix>_leases`,
   *  `<prefix>_changes`, channel `<prefix>_events`. Lowercase letters, digits and `_`, not
   *  starting with a digit, at most 40 characters. */
  tablePrefix?: string;
  /** Lease TTL in milliseconds (default 10,000; at least 100). A SIGKILLed leader is replaced
   *  within `leaseTtl + renewInterval`. */
  leaseTtl?: number;
  /** How often the leader renews the lease and a follower tries to take an expired one, in
   *  ms (default `leaseTtl / 3`; at most `leaseTtl / 2`). */
  renewInterval?: number;
  /** Where warnings go (lease lost, a dropped LISTEN connection): default `console`. */
  logger?: { warn?(message: string): void };
}

/** A change a follower queues for the leader. */
export type StoreChange =
  | { op: 'put'; jobId: string; record: JobRecord; base: JobRecord | null }
  | { op: 'remove'; jobId: string }
  | { op: 'clear' };

/**
 * A shared job store in PostgreSQL: one leader per store by a lease row (holder, fencing
 * token, expiry on the server's clock) renewed while it lives; every write of the leader is
 * one transaction that checks the lease first, so a leader that lost it writes nothing
 * (`LEASE_LOST`). Followers queue their changes in a table and hear of new records by
 * LISTEN/NOTIFY. Pass it as a job store:
 * `jobstores: { default: new PostgresJobStore({ connection: process.env.DATABASE_URL }) }`.
 */
export class PostgresJobStore {
  constructor(options: PostgresJobStoreOptions);
  /** This scheduler's id in the lease row (host/pid/random). */
  readonly holder: string;
  /** The store's name in the tables. */
  readonly name: string;
  /** `'leader'`, `'follower'`, or `null` before `coordinate()` and after `close()`. */
  readonly role: 'leader' | 'follower' | null;
  /** The fencing token of the lease held or last held (a decimal string), or `null`. */
  readonly token: string | null;
  /** Queued changes `takeChanges()` could not read: reported here, left in the table. */
  readonly changeErrors: CorruptEntry[];
  /** Called by the scheduler with the alias the store is registered under. */
  bind(alias: string): void;
  /** Every record; a row that does not parse (or whose id is not its job_id) as a
   *  CorruptEntry (key `<prefix>_jobs:<name>:<job id>`), left in place. */
  load(): Promise<Array<JobRecord | CorruptEntry>>;
  /** Leader: `ops` in order and the removal of the `consumed` changes, all or none, in one
   *  transaction that checks the lease first; rejects with code `'LEASE_LOST'` (nothing
   *  written) when this scheduler no longer holds it. */
  apply(ops: StoreOp[], consumed?: string[]): Promise<void>;
  /** Joins the election: `role` before the promise resolves and on every change; `notice`
   *  when another scheduler wrote records or queued changes. */
  coordinate(handlers: { role(role: 'leader' | 'follower'): void; notice(what: 'records' | 'changes'): void }): Promise<void>;
  /** Follower: queues `changes` in the store and notifies the leader (one statement). */
  submit(changes: StoreChange[]): Promise<void>;
  /** Leader: the queued changes, oldest first (not removed until `apply(ops, consumed)`). */
  takeChanges(): Promise<Array<{ key: string; change: StoreChange }>>;
  /** Releases the lease (if held), stops listening and closes the connections the store
   *  opened. Never rejects; every call returns the same promise, so `await store.close()`
   *  after `scheduler.shutdown()` waits until the lease is released. */
  close(): Promise<void>;
}
