// Types of tickwerk/postgres (dist/postgres-store.d.ts) as a user writes them: checked by tsc -p tsconfig.json.
import { PostgresJobStore, DEFAULT_LEASE_TTL } from 'tickwerk/postgres';
import type { LeaseOptions, LeasedJobStore, PostgresJobStoreOptions, StoreChange } from 'tickwerk/postgres';
import { Scheduler } from 'tickwerk';
const options: PostgresJobStoreOptions = { connection: 'postgres://127.0.0.1/db', tablePrefix: 'jobs', leaseTtl: 2000 };
const lease: LeaseOptions = options;
const s = new PostgresJobStore(options);
new Scheduler({ jobstores: { default: s } });
const asLeased: LeasedJobStore = s;
const ttl: 10000 = DEFAULT_LEASE_TTL;
const change: StoreChange = { op: 'put', jobId: 'a', record: { version: 1, id: 'a' }, base: null };
const steps: Array<Promise<unknown>> = [s.apply([], ['7']), s.submit([change]), s.takeChanges(), s.load(), s.close()];
const token: string | null = s.token;
const role: 'leader' | 'follower' | null = s.role;
// @ts-expect-error unknown option
new PostgresJobStore({ connection: 'x', leaseTTL: 5 });
// @ts-expect-error renewInterval is a number
new PostgresJobStore({ connection: 'x', renewInterval: '1s' });
void lease; void asLeased; void ttl; void steps; void token; void role;
