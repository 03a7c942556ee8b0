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
