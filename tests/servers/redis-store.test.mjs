// The Redis job store's adapter (js/redis-store.js) against a real redis-server, at the level
// of the shared-store contract (docs/shared-stores.md): options; two adapters on one store
// (one leader, one follower; records round trip; unreadable records reported and kept); the
// change queue and notices; the lease renewed while the leader lives, released at close and
// taken at once; a stale token's write refused by the server itself (LEASE_LOST, nothing
// written); a leader that cannot renew steps down before its lease can end; a SIGSTOPped
// leader process replaced and refused after SIGCONT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import Redis from 'ioredis';
import { RedisJobStore, DEFAULT_LEASE_TTL } from '../../js/redis-store.js';
import { CorruptEntry } from '../../js/store-types.js';
import { Children } from './children.mjs';
import { startRedis } from './redis-server.mjs';
import { invalidArg, joined as joinedStore, notices, put, roles, sleep, until } from './store-kit.mjs';

const CHILD = fileURLToPath(new URL('./redis-child.mjs', import.meta.url));

/** An adapter bound to `alias`, joined, with its role changes and notices recorded (`.log`,
 *  see store-kit.mjs). */
const joined = (options, alias = 'default') => joinedStore(new RedisJobStore(options), alias);

/**
 * Runs `body({ server, raw, stores })` against a fresh redis-server: `raw` is a client for the
 * test's own checks, `stores` the adapters the test wants closed. Afterwards, whatever
 * happened, closes those adapters, `raw` and the server (in that order).
 */
async function onFreshServer(body) {
  const server = await startRedis();
  const raw = new Redis(server.port);
  const stores = [];
  try {
    return await body({ server, raw, stores });
  } finally {
    for (const s of stores) await s.close();
    raw.disconnect();
    await server.stop();
  }
}

test('options: exactly one of client and connection; typed errors naming the field', () => {
  invalidArg(() => new RedisJobStore(), 'redis', /options object/);
  invalidArg(() => new RedisJobStore({}), 'redis', /exactly one of client .* and connection/);
  invalidArg(() => new RedisJobStore({ connection: 'redis://x', client: new Redis({ lazyConnect: true }) }), 'redis', /exactly one/);
  invalidArg(() => new RedisJobStore({ client: {} }), 'redis.client', /not an ioredis client/);
  invalidArg(() => new RedisJobStore({ connection: 42 }), 'redis.connection', /ioredis options/);
  invalidArg(() => new RedisJobStore({ connection: 'redis://x', leaseTTL: 5 }), 'redis', /did you mean "leaseTtl"/);
  invalidArg(() => new RedisJobStore({ connection: 'redis://x', leaseTtl: 50 }), 'redis.leaseTtl', /from 100/);
  invalidArg(() => new RedisJobStore({ connection: 'redis://x', leaseTtl: 1.5e3 + 0.5 }), 'redis.leaseTtl', /whole number/);
  invalidArg(() => new RedisJobStore({ connection: 'redis://x', leaseTtl: 2000, renewInterval: 1500 }), 'redis.renewInterval', /at most half the lease TTL \(2000 ms\)/);
  invalidArg(() => new RedisJobStore({ connection: 'redis://x', prefix: 'a{b}' }), 'redis.prefix', /without \{ or \}/);
  invalidArg(() => new RedisJobStore({ connection: 'redis://x', name: '' }), 'redis.name', /non-empty/);
  invalidArg(() => new RedisJobStore({ connection: 'redis://x', holder: 'a:b' }), 'redis.holder', /without ":"/);
  const s = new RedisJobStore({ connection: 'redis://x' });
  assert.equal(s.leaseTtl, DEFAULT_LEASE_TTL);
  assert.equal(DEFAULT_LEASE_TTL, 10_000);
  assert.equal(s.renewInterval, 3333);
  s.bind('jobs');
  assert.deepEqual(s.keys, {
    jobs: 'tickwerk:{jobs}:jobs', lease: 'tickwerk:{jobs}:lease', token: 'tickwerk:{jobs}:token',
    changes: 'tickwerk:{jobs}:changes', notices: 'tickwerk:{jobs}:notices',
  });
});

test('no server: coordinate() rejects with STORE_FAILURE and closes what it opened', async () => {
  const server = await startRedis();
  const port = server.port;
  await server.stop(); // a port nothing listens on now
  const store = new RedisJobStore({ connection: { port, maxRetriesPerRequest: 0, retryStrategy: () => 20 } });
  store.bind('default');
  const started = Date.now();
  await assert.rejects(store.coordinate({ role() {}, notice() {} }), (e) => {
    assert.equal(e.code, 'STORE_FAILURE', e.message);
    assert.match(e.message, /job store "default" \(Redis tickwerk:\{default\}:jobs\) cannot subscribe to its notices/);
    return true;
  });
  console.log(`# refused after ${Date.now() - started} ms`);
  assert.equal(store.role, null);
  assert.equal(store._sub, undefined, 'subscriber closed');
  assert.equal(store._redis, undefined, 'command connection closed');
  await store.close();
});

test('two adapters: one leader, one follower; records round trip; unreadable records reported and kept', async () => {
  await onFreshServer(async ({ server, raw, stores }) => {
    const a = await joined({ connection: server.url, leaseTtl: 2000 });
    stores.push(a);
    const b = await joined({ client: raw, leaseTtl: 2000 }); // an existing client
    stores.push(b);
    assert.deepEqual([roles(a), roles(b)], [['leader'], ['follower']]);
    await a.apply([put('x', { n: 1 }), put('y'), { op: 'remove', jobstore: 'default', jobId: 'y' }]);
    await until(() => notices(b, 'records') > 0, 'the follower told of records');
    assert.deepEqual(await b.load(), [{ version: 1, id: 'x', n: 1 }]);
    assert.ok(!a.log.some((e) => e.notice), 'no notice of its own writes');
    await raw.hset(a.keys.jobs, 'bad', '{not json', 'other', '{"version":1,"id":"else"}', 'arr', '[1]');
    const loaded = await b.load();
    assert.equal(loaded.length, 4);
    const corrupt = loaded.filter((e) => e instanceof CorruptEntry);
    assert.deepEqual(corrupt.map((c) => [c.key, c.id]), [
      ['tickwerk:{default}:jobs arr', 'arr'], ['tickwerk:{default}:jobs bad', 'bad'], ['tickwerk:{default}:jobs other', 'other'],
    ]);
    assert.match(corrupt[0].reason, /not a JSON object/);
    assert.match(corrupt[1].reason, /not JSON/);
    assert.match(corrupt[2].reason, /its id "else" is not its key/);
    await a.apply([put('z')]);
    assert.equal(await raw.hget(a.keys.jobs, 'bad'), '{not json', 'an unreadable record stays until replaced');
    await a.apply([{ op: 'clear', jobstore: 'default' }]);
    assert.deepEqual(await b.load(), []);
    // The follower's apply is refused (it never held the lease), nothing written.
    await assert.rejects(b.apply([put('w')]), (e) => e.code === 'LEASE_LOST' && /does not hold the lease/.test(e.message));
    assert.equal(await raw.hexists(a.keys.jobs, 'w'), 0);
    // Another store name is another key space.
    const c = await joined({ connection: server.url, leaseTtl: 2000 }, 'other');
    stores.push(c);
    assert.deepEqual(roles(c), ['leader']);
  });
});

test('change queue: a follower submits, the leader is told, takes them oldest first and consumes them in its apply', async () => {
  await onFreshServer(async ({ server, raw, stores }) => {
    const a = await joined({ connection: server.url, leaseTtl: 2000 });
    const b = await joined({ connection: { port: server.port }, leaseTtl: 2000 });
    stores.push(a, b);
    const changes = [
      { op: 'put', jobId: 'j', record: { version: 1, id: 'j', name: 'renamed' }, base: { version: 1, id: 'j' } },
      { op: 'remove', jobId: 'k' },
      { op: 'clear' },
    ];
    await b.submit(changes.slice(0, 2));
    await b.submit(changes.slice(2));
    await until(() => notices(a, 'changes') === 2, 'two change notices');
    const taken = await a.takeChanges();
    assert.deepEqual(taken.map((t) => t.change), changes);
    assert.ok(taken.every((t) => typeof t.key === 'string'));
    assert.deepEqual((await a.takeChanges()).map((t) => t.key), taken.map((t) => t.key), 'not removed until applied');
    // Consumed with the writes, atomically: only the first two here.
    await a.apply([put('j', { name: 'renamed' })], taken.slice(0, 2).map((t) => t.key));
    assert.deepEqual((await a.takeChanges()).map((t) => t.change), [{ op: 'clear' }]);
    // A refused apply consumes nothing.
    const c = await joined({ connection: server.url, leaseTtl: 2000 });
    stores.push(c);
    await assert.rejects(c.apply([], [taken[2].key]), (e) => e.code === 'LEASE_LOST');
    await a.apply([], [taken[2].key]);
    assert.deepEqual(await a.takeChanges(), []);
    // A change that is not JSON is left in the queue (reported once), the others are taken.
    await raw.xadd(a.keys.changes, '*', 'change', '{broken');
    await b.submit([{ op: 'remove', jobId: 'q' }]);
    const warn = console.warn;
    const warned = [];
    console.warn = (m) => warned.push(m);
    try {
      assert.deepEqual((await a.takeChanges()).map((t) => t.change), [{ op: 'remove', jobId: 'q' }]);
      await a.takeChanges();
    } finally {
      console.warn = warn;
    }
    assert.equal(warned.length, 1);
    assert.match(warned[0], /is not JSON .*left in the queue/);
    assert.equal(await raw.xlen(a.keys.changes), 2);
  });
});

test('lease: renewed while the leader lives (token unchanged over 4 TTLs); released at close and taken at once; taken after expiry within TTL + renewInterval', async () => {
  await onFreshServer(async ({ server, raw, stores }) => {
    const ttl = 600;
    const a = await joined({ connection: server.url, leaseTtl: ttl });
    const b = await joined({ connection: server.url, leaseTtl: ttl });
    stores.push(a, b);
    const first = await raw.get(a.keys.lease);
    assert.match(first, new RegExp(`^${a.holder.replace(/[/.]/g, '\\$&')}:1$`));
    await sleep(4 * ttl);
    assert.equal(await raw.get(a.keys.lease), first);
    assert.deepEqual([roles(a), roles(b)], [['leader'], ['follower']]);
    const pttl = await raw.pttl(a.keys.lease);
    assert.ok(pttl > 0 && pttl <= ttl, `PTTL ${pttl}`);
    const closed = Date.now();
    await a.close();
    await until(() => b.role === 'leader', 'b leads after a closed', ttl);
    const handover = b.log.at(-1).at - closed;
    console.log(`# release -> new leader: ${handover} ms`);
    assert.equal(await raw.get(a.keys.lease), `${b.holder}:2`, 'a new token');
    // Expiry: a dead leader's lease (a holder that never renews) is taken once it ends.
    await b.close();
    await raw.set(a.keys.lease, 'ghost:99', 'PX', ttl);
    const c = await joined({ connection: server.url, leaseTtl: ttl });
    stores.push(c);
    assert.deepEqual(roles(c), ['follower']);
    const set = Date.now();
    await until(() => c.role === 'leader', 'c takes the expired lease', 3 * ttl);
    const took = c.log.at(-1).at - set;
    console.log(`# expired lease (TTL ${ttl} ms, renewInterval ${c.renewInterval} ms) taken after ${took} ms`);
    assert.ok(took <= ttl + c.renewInterval + 100, `taken after ${took} ms`);
    assert.equal(await raw.get(a.keys.lease), `${c.holder}:3`);
  });
});

test('close(): one promise for every call; a lease taken while closing is released; releasing does not touch another holder\'s lease', async () => {
  await onFreshServer(async ({ server, raw }) => {
    const keys = (() => { const s = new RedisJobStore({ connection: server.url }); s.bind('default'); return s.keys; })();
    await raw.set(keys.lease, 'ghost:1', 'PX', 60_000);
    const c = await joined({ connection: server.url, leaseTtl: 2000 });
    assert.deepEqual(roles(c), ['follower']);
    await raw.del(keys.lease);
    const taking = c._tryLead(); // the acquire script is on its way
    const closing = c.close();
    assert.equal(c.close(), closing);
    await Promise.all([taking, closing]);
    assert.equal(await raw.get(keys.lease), null, 'the lease taken while closing was released');
    assert.deepEqual(roles(c), ['follower'], 'no role change reported while closing');
    assert.equal(c.role, null);
    // A stepped-down store's close() leaves the new holder's lease alone.
    const a = await joined({ connection: server.url, leaseTtl: 2000 });
    await raw.set(keys.lease, 'other:9', 'PX', 60_000);
    await a.close();
    assert.equal(await raw.get(keys.lease), 'other:9');
  });
});

test('fencing: a stale token is refused by the server (LEASE_LOST, nothing written, no changes consumed) and its holder steps down', async () => {
  await onFreshServer(async ({ server, raw, stores }) => {
    // Renewals every 2.5 s: the lease is moved to b between two of a's renewals.
    const a = await joined({ connection: server.url, leaseTtl: 6000 });
    const b = await joined({ connection: server.url, leaseTtl: 6000 });
    stores.push(a, b);
    await b.submit([{ op: 'remove', jobId: 'x' }]);
    const [{ key }] = await a.takeChanges();
    // As if a had been paused past its lease: the lease expired and b took it.
    await raw.del(a.keys.lease);
    await b._tryLead();
    assert.equal(b.role, 'leader');
    assert.equal(a.role, 'leader', 'a has not noticed yet');
    await assert.rejects(a.apply([put('stale')], [key]), (e) => {
      assert.equal(e.code, 'LEASE_LOST');
      assert.match(e.message, /token 1 refused by the server/);
      return true;
    });
    assert.equal(await raw.hexists(a.keys.jobs, 'stale'), 0, 'nothing written');
    assert.equal(await raw.xlen(a.keys.changes), 1, 'no change consumed');
    assert.deepEqual(roles(a), ['leader', 'follower']);
    assert.equal(a.role, 'follower');
    await b.apply([put('fresh')], [key]);
    assert.equal(await raw.xlen(a.keys.changes), 0);
    // The old leader's renewal finds the lease gone too and it stays a follower.
    await sleep(3000);
    assert.deepEqual(roles(a), ['leader', 'follower']);
    assert.deepEqual(roles(b), ['follower', 'leader']);
  });
});

test('a leader that cannot renew (server paused for writes) steps down before its lease can end', async () => {
  await onFreshServer(async ({ server, raw, stores }) => {
    const ttl = 1000;
    const a = await joined({ connection: server.url, leaseTtl: ttl });
    stores.push(a);
    await sleep(500);
    const paused = Date.now();
    await raw.client('PAUSE', 3 * ttl, 'WRITE'); // renewals (scripts that write) wait; so does expiry
    await until(() => a.role === 'follower', 'a steps down', 2 * ttl);
    const after = a.log.at(-1).at - paused;
    console.log(`# renewals blocked: the leader stepped down ${after} ms later (TTL ${ttl} ms)`);
    assert.ok(after < ttl, `stepped down after ${after} ms`);
    await raw.client('UNPAUSE');
    await until(() => a.role === 'leader', 'a leads again once it can', 3 * ttl);
    assert.deepEqual(roles(a), ['leader', 'follower', 'leader']);
    assert.match(await raw.get(a.keys.lease), /:2$/, 'with a new token');
  });
});

test('a SIGSTOPped leader process is replaced; after SIGCONT its writes are refused by the server and it steps down', async () => {
  await onFreshServer(async ({ server, raw, stores }) => {
    const kids = new Children();
    try {
      const ttl = 1000;
      const child = kids.spawn(CHILD, ['writer', server.url, String(ttl)]);
      await child.waitFor((m) => m.role === 'leader', 'the child leads');
      await child.waitFor((m) => m.wrote >= 3, 'the child writes');
      const b = await joined({ connection: server.url, leaseTtl: ttl });
      stores.push(b);
      assert.equal(b.role, 'follower');
      child.kill('SIGSTOP');
      const stopped = Date.now();
      await until(() => b.role === 'leader', 'b takes over', 3 * ttl);
      console.log(`# SIGSTOP -> new leader: ${b.log.at(-1).at - stopped} ms (TTL ${ttl} ms)`);
      const from = child.messages.length;
      const writtenBefore = Number(await raw.hget(b.keys.jobs, 'counter').then((t) => JSON.parse(t).n));
      child.kill('SIGCONT');
      const refused = await child.waitFor((m) => m.refused, 'a refused write', 5000, from);
      assert.equal(refused.refused, 'LEASE_LOST');
      await child.waitFor((m) => m.role === 'follower', 'the child steps down', 5000, from);
      await sleep(3 * ttl);
      const after = child.messages.slice(from);
      assert.ok(!after.some((m) => m.wrote), `no write accepted after SIGCONT: ${JSON.stringify(after)}`);
      assert.equal(JSON.parse(await raw.hget(b.keys.jobs, 'counter')).n, writtenBefore, 'the counter was not written');
      assert.equal(b.role, 'leader');
      console.log(`# after SIGCONT: ${after.filter((m) => m.refused).length} writes refused, roles ${JSON.stringify(after.filter((m) => m.role).map((m) => m.role))}`);
    } finally {
      await kids.killAll();
    }
  });
});
