// Types of `tickwerk/postgres`: the Postgres job store, a shared store (docs/shared-stores.md).
import type { CorruptEntry } from './scheduler.js';
import type { LeaseOptions, LeasedJobStore } from './shared-store.js';

export { DEFAULT_LEASE_TTL, LeaseOptions, LeasedJobStore, StoreChange } from './shared-store.js';

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

/** Options of `new PostgresJobStore(options)`: give exactly one of `connection` and `client`. */
export interface PostgresJobStoreOptions extends LeaseOptions {
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
  /** Where warnings go (lease lost, a dropped LISTEN connection): default `console`. */
  logger?: { warn?(message: string): void };
}

/**
 * A shared job store in PostgreSQL: one leader per store by a lease row (holder, fencing
 * token, expiry on the server's clock) renewed while it lives; every write of the leader is
 * one transaction that checks the lease first, so a leader that lost it writes nothing
 * (`LEASE_LOST`). Followers queue their changes in a table and hear of new records by
 * LISTEN/NOTIFY. Pass it as a job store:
 * `jobstores: { default: new PostgresJobStore({ connection: process.env.DATABASE_URL }) }`.
 * The contract's members (`role`, `load`, `apply`, `coordinate`, `submit`, `takeChanges`,
 * `close`…) are LeasedJobStore's; `load()` reports a row that does not parse, or whose id
 * is not its job_id, as a CorruptEntry keyed `<prefix>_jobs:<name>:<job id>`.
 */
export class PostgresJobStore {
  constructor(options: PostgresJobStoreOptions);
  /** The store's name in the tables. */
  readonly name: string;
  /** The fencing token of the lease held or last held (a decimal string), or `null`. */
  readonly token: string | null;
  /** Queued changes `takeChanges()` could not read: reported here, left in the table. */
  readonly changeErrors: CorruptEntry[];
}
/** The shared-store contract's members (see LeasedJobStore). */
export interface PostgresJobStore extends LeasedJobStore {}
