// Types of tickwerk/redis (dist/redis-store.d.ts) as a user writes them: checked by tsc -p tsconfig.json.
import { RedisJobStore, redisStore, DEFAULT_LEASE_TTL } from 'tickwerk/redis';
import { Scheduler } from 'tickwerk';
const s = new RedisJobStore({ connection: 'redis://127.0.0.1:6379', leaseTtl: 2000 });
const t: number = DEFAULT_LEASE_TTL;
new Scheduler({ jobstores: { default: s } });
redisStore({ connection: { port: 1 } });
// @ts-expect-error unknown option
new RedisJobStore({ connection: 'x', leaseTTL: 5 });
const r: 'leader' | 'follower' | null = s.role;
void t; void r;
// The contract's members come from LeasedJobStore (shared-store.d.ts), merged into the class.
import type { LeaseOptions, LeasedJobStore, StoreChange } from 'tickwerk/redis';
const lease: LeaseOptions = { leaseTtl: 2000, renewInterval: 500 };
const asLeased: LeasedJobStore = new RedisJobStore({ connection: 'x', ...lease });
const change: StoreChange = { op: 'remove', jobId: 'a' };
const steps: Array<Promise<unknown>> = [s.apply([], ['1-0']), s.submit([change]), s.takeChanges().then((q) => q.map((e) => e.key.length)), s.close()];
const holder: string = s.holder;
const keys: string = s.keys.lease;
// @ts-expect-error change keys are strings
void s.apply([], [1]);
void asLeased; void steps; void holder; void keys;
