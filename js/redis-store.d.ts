// Types of `tickwerk/redis`: the Redis job store, a shared store (docs/shared-stores.md).
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { CorruptEntry, JobRecord, StoreOp } from './scheduler.js';

/** Default lease TTL in milliseconds (10 s). */
export const DEFAULT_LEASE_TTL: 10000;

/** Options of `new RedisJobStore(options)`: give exactly one of `client` and `connection`. */
export interface RedisJobStoreOptions {
  /** An ioredis client (or cluster) you own and close; the store defines its scripts on it
   *  and subscribes on a `duplicate()` of it, which it closes. */
  client?: Redis | Cluster;
  /** ioredis options or a `redis://` URL: the store imports ioredis and opens (and at
   *  `close()` closes) its own connections. */
  connection?: RedisOptions | string;
  /** Key prefix (default `'tickwerk:'`); no `{` or `}`. */
  prefix?: string;
  /** The store's name inside its cluster hash tag, `<prefix>{<name>}:…` (default: the alias
   *  it is registered under); no `{` or `}`. */
  name?: string;
  /** Lease TTL in milliseconds (default 10,000; at least 100). A SIGKILLed leader is replaced
   *  within `leaseTtl + renewInterval`. */
  leaseTtl?: number;
  /** How often the leader renews the lease and a follower tries to take a free one, in ms
   *  (default `leaseTtl / 3`; at most `leaseTtl / 2`). */
  renewInterval?: number;
  /** This scheduler's id in the lease value (default host/pid/counter/random; no `:`). */
  holder?: string;
}

/** A change a follower queues for the leader. */
export type StoreChange =
  | { op: 'put'; jobId: string; record: JobRecord; base: JobRecord | null }
  | { op: 'remove'; jobId: string }
  | { op: 'clear' };

/**
 * A shared job store in Redis: one leader per store by a lease (`SET NX PX`, renewed while
 * alive) with a fencing token that the server checks on every write; followers queue their
 * changes in a stream and hear of new records over pub/sub. Pass it as a job store:
 * `jobstores: { default: new RedisJobStore({ connection: 'redis://127.0.0.1:6379' }) }`.
 */
export class RedisJobStore {
  constructor(options: RedisJobStoreOptions);
  /** The key prefix. */
  readonly prefix: string;
  /** The lease TTL in ms. */
  readonly leaseTtl: number;
  /** The renewal / retry period in ms. */
  readonly renewInterval: number;
  /** This scheduler's id in the lease. */
  readonly holder: string;
  /** `'leader'`, `'follower'`, or `null` before `coordinate()` and after `close()`. */
  readonly role: 'leader' | 'follower' | null;
  /** The store's Redis keys and notice channel. */
  readonly keys: { jobs: string; lease: string; token: string; changes: string; notices: string };
  /** Called by the scheduler with the alias the store is registered under. */
  bind(alias: string): void;
  /** Every record; an entry that does not parse (or whose id is not its field) as a CorruptEntry, left in place. */
  load(): Promise<Array<JobRecord | CorruptEntry>>;
  /** Leader: `ops` in order and the removal of the `consumed` changes, all or none, in one
   *  script that checks the lease first; rejects with code `'LEASE_LOST'` (nothing written)
   *  when this scheduler no longer holds it. */
  apply(ops: StoreOp[], consumed?: string[]): Promise<void>;
  /** Joins the election: `role` before the promise resolves and on every change; `notice`
   *  when another scheduler wrote records or queued changes. */
  coordinate(handlers: { role(role: 'leader' | 'follower'): void; notice(what: 'records' | 'changes'): void }): Promise<void>;
  /** Follower: queues `changes` in the store, then notifies the leader. */
  submit(changes: StoreChange[]): Promise<void>;
  /** Leader: the queued changes, oldest first (not removed until `apply(ops, consumed)`). */
  takeChanges(): Promise<Array<{ key: string; change: StoreChange }>>;
  /** Releases the lease (if held) and closes the connections the store opened. */
  close(): Promise<void>;
}

/** `new RedisJobStore(options)`. */
export function redisStore(options: RedisJobStoreOptions): RedisJobStore;
