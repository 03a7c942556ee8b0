// Types of `tickwerk/redis`: the Redis job store, a shared store (docs/shared-stores.md).
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { LeaseOptions, LeasedJobStore } from './shared-store.js';

export { DEFAULT_LEASE_TTL, LeaseOptions, LeasedJobStore, StoreChange } from './shared-store.js';

/** Options of `new RedisJobStore(options)`: give exactly one of `client` and `connection`. */
export interface RedisJobStoreOptions extends LeaseOptions {
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
  /** This scheduler's id in the lease value (default host/pid/counter/random; no `:`). */
  holder?: string;
}

/**
 * A shared job store in Redis: one leader per store by a lease (`SET NX PX`, renewed while
 * alive) with a fencing token that the server checks on every write; followers queue their
 * changes in a stream and hear of new records over pub/sub. Pass it as a job store:
 * `jobstores: { default: new RedisJobStore({ connection: 'redis://127.0.0.1:6379' }) }`.
 * The contract's members (`role`, `load`, `apply`, `coordinate`, `submit`, `takeChanges`,
 * `close`…) are LeasedJobStore's; `load()` reports an entry that does not parse, or whose id
 * is not its hash field, as a CorruptEntry.
 */
export class RedisJobStore {
  constructor(options: RedisJobStoreOptions);
  /** The key prefix. */
  readonly prefix: string;
  /** The lease TTL in ms. */
  readonly leaseTtl: number;
  /** The renewal / retry period in ms. */
  readonly renewInterval: number;
  /** The store's Redis keys and notice channel. */
  readonly keys: { jobs: string; lease: string; token: string; changes: string; notices: string };
}
/** The shared-store contract's members (see LeasedJobStore). */
export interface RedisJobStore extends LeasedJobStore {}

/** `new RedisJobStore(options)`. */
export function redisStore(options: RedisJobStoreOptions): RedisJobStore;
