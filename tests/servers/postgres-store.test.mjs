// The Postgres job store's adapter (js/postgres-store.js) against a real PostgreSQL server
// (a throwaway cluster from postgres-server.mjs), at the level of the shared-store contract
// (docs/shared-stores.md): options; records round trip and unreadable rows reported and kept
// byte for byte; two adapters on one store (one leader, one follower); the change queue and
// notices; six adapters starting at once -> one leader; the lease renewed while the leader
// lives, released at close and taken at once; an expired lease taken within renewInterval;
// a stale token's write refused by the server itself (LEASE_LOST, nothing written); a
// takeover waiting for a write transaction in flight; a leader
// whose renewals hang steps down before its lease ends; a dropped LISTEN connection
// reconnected; an existing pg.Client and pg.Pool instead of connection options.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { DEFAULT_LEASE_TTL, PostgresJobStore } from '../../js/postgres-store.js';
import { CorruptEntry } from '../../js/store-types.js';
import { postgresForTests } from './postgres-server.mjs';
import { invalidArg, joined as joinedStore, notices, put, roles, sleep, until } from './store-kit.mjs';

const db = postgresForTests();
let prefixes = 0;
/** A table prefix of its own for each test (so tests share one server, not tables). */
const freshPrefix = () => `t${(prefixes += 1)}`;
const quietLog = { warn() {} };


const stores = [];
/** An adapter (closed by closeAll) bound to `alias`, joined, with its role changes and
 *  notices recorded (`.log`, see store-kit.mjs). */
async function joined(options, alias = 'default') {
  const store = new PostgresJobStore({ logger: quietLog, ...options });
  stores.push(store);
  return joinedStore(store, alias);
}
/** Closes every adapter `joined` made (after each test, whatever happened). */
async function closeAll() {
  await Promise.all(stores.splice(0).map((s) => s.close()));
}
afterEach(closeAll);

/** Runs `body(client)` with a connection of its own to the server (for a transaction held
 *  open against the adapters); afterwards rolls back whatever it left open and ends it. */
async function withConnection(body) {
  const client = new pg.Client(db.server.url);
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    await client.end();
  }
}

const rows = async (sql, params) => (await db.admin.query(sql, params)).rows;

test('options: exactly one of connection and client, typed errors naming the field and value', () => {
  invalidArg(() => new PostgresJobStore(), 'postgres', /options object/);
  invalidArg(() => new PostgresJobStore({}), 'postgres.connection', /exactly one of connection .* and client/);
  invalidArg(() => new PostgresJobStore({ connection: 'postgres://x', client: new pg.Pool() }), 'postgres.connection', /exactly one/);
  invalidArg(() => new PostgresJobStore({ connection: 42 }), 'postgres.connection', /connection string/);
  invalidArg(() => new PostgresJobStore({ connection: '' }), 'postgres.connection', /connection string/);
  invalidArg(() => new PostgresJobStore({ client: {} }), 'postgres.client', /pg\.Pool or a connected pg\.Client/);
  invalidArg(() => new PostgresJobStore({ connection: 'x', pg: {} }), 'postgres.pg', /the pg module/);
  invalidArg(() => new PostgresJobStore({ connection: 'x', tablePrefix: 'Jobs' }), 'postgres.tablePrefix', /"Jobs": an SQL identifier/);
  invalidArg(() => new PostgresJobStore({ connection: 'x', tablePrefix: 'a; drop table x' }), 'postgres.tablePrefix', /SQL identifier/);
  invalidArg(() => new PostgresJobStore({ connection: 'x', tablePrefix: 'x'.repeat(41) }), 'postgres.tablePrefix', /at most 40/);
  invalidArg(() => new PostgresJobStore({ connection: 'x', name: '' }), 'postgres.name', /non-empty string/);
  invalidArg(() => new PostgresJobStore({ connection: 'x', name: 'a\0b' }), 'postgres.name', /NUL/);
  invalidArg(() => new PostgresJobStore({ connection: 'x', leaseTtl: 50 }), 'postgres.leaseTtl', /"50": a whole number of milliseconds from 100/);
  invalidArg(() => new PostgresJobStore({ connection: 'x', leaseTtl: 1.5e3 + 0.5 }), 'postgres.leaseTtl', /whole number/);
  invalidArg(() => new PostgresJobStore({ connection: 'x', leaseTtl: '10s' }), 'postgres.leaseTtl', /whole number/);
  invalidArg(() => new PostgresJobStore({ connection: 'x', leaseTtl: 1000, renewInterval: 600 }), 'postgres.renewInterval', /"600": at most half the leaseTtl \(1000 ms\)/);
  invalidArg(() => new PostgresJobStore({ connection: 'x', leaseTTL: 1000 }), 'postgres', /did you mean "leaseTtl"\?/);
  const s = new PostgresJobStore({ connection: 'postgres://nowhere' });
  assert.equal(DEFAULT_LEASE_TTL, 10_000);
  assert.equal(s.role, null);
  assert.equal(s.token, null);
  s.bind('db');
  assert.equal(s.name, 'db');
  assert.equal(new PostgresJobStore({ connection: 'x', name: 'shared' }).name, 'shared');
});

test('records round trip; unreadable rows are reported as CorruptEntry and kept byte for byte', async () => {
  const tablePrefix = freshPrefix();
  const a = await joined({ connection: db.server.url, tablePrefix, leaseTtl: 2000 });
  assert.deepEqual(roles(a), ['leader']);
  assert.equal(a.token, '1');
  await a.apply([put('x', { n: 1 }), put('y'), put('x', { n: 2 }), put('z'), { op: 'remove', jobstore: 'default', jobId: 'y' }]);
  assert.deepEqual(await a.load(), [{ version: 1, id: 'x', n: 2 }, { version: 1, id: 'z' }]);
  await a.apply([{ op: 'clear', jobstore: 'default' }, put('after-clear')]);
  assert.deepEqual((await a.load()).map((r) => r.id), ['after-clear']);
  // Another store's records in the same tables are not this store's.
  await db.admin.query(`INSERT INTO ${tablePrefix}_jobs VALUES ('other', 'o', '{"version":1,"id":"o"}')`);
  assert.deepEqual((await a.load()).map((r) => r.id), ['after-clear']);
  const bad = [['not-json', '{"version":1,'], ['array', '[1,2]'], ['wrong-id', '{"version":1,"id":"someone-else"}']];
  for (const [id, text] of bad) await db.admin.query(`INSERT INTO ${tablePrefix}_jobs VALUES ('default', $1, $2)`, [id, text]);
  const loaded = await a.load();
  const corrupt = loaded.filter((e) => e instanceof CorruptEntry);
  assert.deepEqual(corrupt.map((c) => [c.key, c.id]), [
    [`${tablePrefix}_jobs:default:array`, 'array'],
    [`${tablePrefix}_jobs:default:not-json`, 'not-json'],
    [`${tablePrefix}_jobs:default:wrong-id`, 'wrong-id'],
  ]);
  assert.match(corrupt[0].reason, /not a JSON object/);
  assert.match(corrupt[1].reason, /not JSON/);
  assert.match(corrupt[2].reason, /"someone-else" is not the row's job_id/);
  await a.apply([put('more')]);
  const kept = await rows(`SELECT job_id, record FROM ${tablePrefix}_jobs WHERE store = 'default' AND job_id = ANY($1) ORDER BY job_id`, [bad.map((b) => b[0])]);
  assert.deepEqual(kept.map((r) => [r.job_id, r.record]), [...bad].sort());
  await a.apply([put('not-json')]); // replaceExisting overwrites it
  assert.ok(!(await a.load()).some((e) => e instanceof CorruptEntry && e.id === 'not-json'));
  // A job id Postgres text cannot hold unchanged is a STORE_FAILURE, and nothing is written.
  await assert.rejects(a.apply([put('fine'), put('nul\0id')]), (e) => e.code === 'STORE_FAILURE' && /NUL or a lone surrogate/.test(e.message));
  assert.ok(!(await a.load()).some((r) => r.id === 'fine'));
});

test('two adapters: one leader, one follower; the change queue, notices, and consumed changes removed with the write', async () => {
  const tablePrefix = freshPrefix();
  const a = await joined({ connection: db.server.url, tablePrefix, leaseTtl: 2000 });
  const b = await joined({ connection: db.server.url, tablePrefix, leaseTtl: 2000 });
  assert.deepEqual(roles(a), ['leader']);
  assert.deepEqual(roles(b), ['follower']);
  assert.equal(a.role, 'leader');
  assert.equal(b.role, 'follower');
  // A follower never held the lease: refused without a round trip.
  await assert.rejects(b.apply([put('b')]), (e) => e.code === 'LEASE_LOST' && /not the leader, nothing written/.test(e.message));
  await b.submit([{ op: 'put', jobId: 'j1', record: { version: 1, id: 'j1' }, base: null }]);
  await b.submit([{ op: 'remove', jobId: 'j0' }, { op: 'clear' }]);
  await until(() => notices(a, 'changes') >= 2, 'the leader hearing of the changes');
  assert.equal(notices(b, 'changes'), 0, 'a follower is not told of changes');
  const queued = await a.takeChanges();
  assert.deepEqual(queued.map((q) => q.change), [
    { op: 'put', jobId: 'j1', record: { version: 1, id: 'j1' }, base: null },
    { op: 'remove', jobId: 'j0' },
    { op: 'clear' },
  ]);
  assert.ok(queued.every((q) => typeof q.key === 'string'));
  assert.deepEqual(await a.takeChanges(), queued, 'not removed by taking them');
  await a.apply([put('j1')], queued.slice(0, 2).map((q) => q.key));
  assert.deepEqual((await a.takeChanges()).map((q) => q.change), [{ op: 'clear' }]);
  await until(() => notices(b, 'records') >= 1, 'the follower hearing of the records');
  assert.equal(notices(a, 'records'), 0, 'the leader is not told of its own writes');
  assert.deepEqual((await b.load()).map((r) => r.id), ['j1']);
  // A write whose consumed keys cannot be removed is not applied either (all or none).
  await assert.rejects(a.apply([put('j2')], ['not-a-key']), (e) => e.code === 'STORE_FAILURE');
  assert.deepEqual((await b.load()).map((r) => r.id), ['j1']);
  // A change row someone broke is reported and left in the queue.
  await db.admin.query(`INSERT INTO ${tablePrefix}_changes (store, change) VALUES ('default', '{"op":')`);
  assert.deepEqual((await a.takeChanges()).map((q) => q.change), [{ op: 'clear' }]);
  assert.equal(a.changeErrors.length, 1);
  assert.match(a.changeErrors[0].reason, /not JSON/);
  assert.equal((await rows(`SELECT count(*)::int AS n FROM ${tablePrefix}_changes`))[0].n, 2);
  await assert.rejects(b.submit([{ op: 'rename' }]), (e) => e.code === 'STORE_FAILURE' && /unknown op "rename"/.test(e.message));
});

test('six adapters starting at once on a fresh database: exactly one leader; the lease renewed while it lives', async () => {
  const tablePrefix = freshPrefix();
  const all = await Promise.all(Array.from({ length: 6 }, () => joined({ connection: db.server.url, tablePrefix, leaseTtl: 600 })));
  assert.deepEqual(all.map((s) => s.role).sort(), ['follower', 'follower', 'follower', 'follower', 'follower', 'leader']);
  const leader = all.find((s) => s.role === 'leader');
  await sleep(2000); // more than 3 TTLs: renewed, never taken over
  assert.deepEqual(all.map((s) => roles(s).length), [1, 1, 1, 1, 1, 1], 'no role changed');
  const [lease] = await rows(`SELECT holder, token::int AS token FROM ${tablePrefix}_leases`);
  assert.deepEqual(lease, { holder: leader.holder, token: 1 });
  await leader.apply([put('still-leading')]);
});

test('close() releases the lease and a follower takes it at once (the released notice)', async () => {
  const tablePrefix = freshPrefix();
  const a = await joined({ connection: db.server.url, tablePrefix, leaseTtl: 5000 });
  const b = await joined({ connection: db.server.url, tablePrefix, leaseTtl: 5000 });
  const closed = Date.now();
  await a.close();
  assert.equal(a.role, null);
  await until(() => b.role === 'leader', 'b leading', 2000);
  const took = b.log.at(-1).at - closed;
  console.log(`# released lease taken after ${took} ms (TTL 5000 ms, renewInterval 1666 ms)`);
  assert.ok(took < 1000, `took ${took} ms`);
  assert.equal(b.token, '2');
  await b.apply([put('b')]);
});

test('an expired lease is taken within renewInterval; the old leader\'s write with its stale token is refused by the server and it steps down', async () => {
  const tablePrefix = freshPrefix();
  // `a` renews every 10 s, so it does not notice for a while; `b` retries every second.
  const a = await joined({ connection: db.server.url, tablePrefix, leaseTtl: 20_000 });
  const b = await joined({ connection: db.server.url, tablePrefix, leaseTtl: 3000 });
  await a.apply([put('before')]);
  // As if `a` were paused past its lease: the lease expires on the server while `a` still
  // believes it leads (its own step-down timer is 16 s away).
  const expired = Date.now();
  await db.admin.query(`UPDATE ${tablePrefix}_leases SET expires_at = clock_timestamp()`);
  await until(() => b.role === 'leader', 'b taking the expired lease', 3000);
  const took = b.log.at(-1).at - expired;
  console.log(`# expired lease taken after ${took} ms (renewInterval 1000 ms)`);
  assert.ok(took <= 1000 + 150, `took ${took} ms`);
  assert.equal(a.role, 'leader', 'a has not noticed yet');
  await assert.rejects(a.apply([put('stale-write')]), (e) => {
    assert.equal(e.code, 'LEASE_LOST', e.message);
    assert.match(e.message, new RegExp(`held by ${b.holder.replace(/[/.]/g, '\\$&')} with token 2 \\(this store's was 1\\)`));
    return true;
  });
  assert.equal(a.role, 'follower');
  assert.deepEqual(roles(a), ['leader', 'follower']);
  assert.deepEqual((await b.load()).map((r) => r.id), ['before'], 'nothing of the refused write');
  await b.apply([put('new-leader')]);
  await sleep(1200);
  assert.equal(a.role, 'follower', 'a cannot take a lease that is renewed');
});

test('a takeover waits for a write transaction in flight (the lease row read FOR SHARE), so it cannot load before that write commits', async () => {
  const tablePrefix = freshPrefix();
  await withConnection(async (writer) => {
    const a = await joined({ connection: db.server.url, tablePrefix, leaseTtl: 20_000 });
    const b = await joined({ connection: db.server.url, tablePrefix, leaseTtl: 1000 });
    await db.admin.query(`UPDATE ${tablePrefix}_leases SET expires_at = clock_timestamp()`);
    // What a's apply() does first, held open: the lease row read FOR SHARE.
    await writer.query('BEGIN');
    await writer.query(`SELECT holder FROM ${tablePrefix}_leases WHERE store = 'default' FOR SHARE`);
    await sleep(1500); // b tries (every 333 ms) and waits
    assert.equal(b.role, 'follower', 'no takeover while the write is open');
    const waiting = await rows(`SELECT query FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%${tablePrefix}_leases%'`);
    assert.equal(waiting.length, 1, 'the takeover waits on the row lock');
    assert.match(waiting[0].query, /INSERT INTO/);
    const committed = Date.now();
    await writer.query('COMMIT');
    await until(() => b.role === 'leader', 'b leading after the commit', 2000);
    console.log(`# takeover waited for the open write; took the lease ${b.log.at(-1).at - committed} ms after its commit`);
    assert.deepEqual(roles(b), ['follower', 'leader'], 'led once, not a lease that had run out while waiting');
    assert.equal(a.role, 'leader', 'a has not renewed yet');
    await assert.rejects(a.apply([put('late')]), (e) => e.code === 'LEASE_LOST');
  });
});

test('a leader stopped inside its own write transaction (SIGSTOP, a frozen VM) does not block the takeover: the server ends the idle transaction after renewInterval', async () => {
  const tablePrefix = freshPrefix();
  const a = await joined({ connection: db.server.url, tablePrefix, leaseTtl: 1500 });
  const b = await joined({ connection: db.server.url, tablePrefix, leaseTtl: 1500 });
  assert.equal(a.role, 'leader');
  // A stopped process renews nothing, and its transaction, as apply() runs it (the lease row
  // read FOR SHARE), sends nothing more: what the server sees of a process stopped between
  // two statements. (a itself steps down on its own timer; b's takeover is what is tested.)
  a._extend = () => new Promise(() => {});
  const db2 = await a._db();
  let stalled;
  const stall = db2.transaction(async (q) => {
    await q(`SELECT holder FROM ${tablePrefix}_leases WHERE store = 'default' FOR SHARE`);
    stalled = Date.now();
    await sleep(6000);
    await q('SELECT 1');
  });
  await until(() => stalled !== undefined, 'the transaction open', 2000);
  await until(() => b.role === 'leader', 'b leading while a\'s transaction is stalled', 5000);
  const took = b.log.at(-1).at - stalled;
  console.log(`# a stopped inside its write transaction: b led ${took} ms later (TTL 1500 ms, renewInterval 500 ms)`);
  assert.ok(took <= 1500 + 500 + 500, `took ${took} ms`);
  // The server ended the session; the stalled code's next statement finds it gone.
  await assert.rejects(stall, /connection error and is not queryable|idle-in-transaction/);
  await assert.rejects(a.apply([put('late')]), (e) => e.code === 'LEASE_LOST');
  await b.apply([put('after')]);
  assert.deepEqual((await b.load()).map((r) => r.id), ['after']);
});

test('a leader whose renewals hang steps down before its lease can end; then another leads', async () => {
  const tablePrefix = freshPrefix();
  await withConnection(async (blocker) => {
    const a = await joined({ connection: db.server.url, tablePrefix, leaseTtl: 1500 });
    const b = await joined({ connection: db.server.url, tablePrefix, leaseTtl: 1500 });
    // Hold the lease row locked: the leader's renewal (an UPDATE of that row) waits.
    await blocker.query('BEGIN');
    await blocker.query(`SELECT * FROM ${tablePrefix}_leases FOR UPDATE`);
    const locked = Date.now();
    await until(() => a.role === 'follower', 'a stepping down', 3000);
    const [{ left }] = await rows(`SELECT (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::int AS left FROM ${tablePrefix}_leases`);
    console.log(`# stepped down ${a.log.at(-1).at - locked} ms after its renewals hung, ${left} ms before its lease ended (TTL 1500 ms)`);
    assert.ok(left > 0, `the lease had ended ${-left} ms before`);
    await blocker.query('ROLLBACK');
    await until(() => b.role === 'leader' || a.role === 'leader', 'a new leader', 3000);
    assert.equal([a, b].filter((s) => s.role === 'leader').length, 1);
  });
});

test('a dropped LISTEN connection is reconnected and the follower told to catch up', async () => {
  const tablePrefix = freshPrefix();
  const a = await joined({ connection: db.server.url, tablePrefix, leaseTtl: 1500 });
  const b = await joined({ connection: db.server.url, tablePrefix, leaseTtl: 1500 });
  const listeners = await rows(`SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN ${tablePrefix}_events'`);
  assert.equal(listeners.length, 2);
  const before = notices(b, 'records');
  for (const { pid } of listeners) await db.admin.query('SELECT pg_terminate_backend($1)', [pid]);
  await until(() => notices(b, 'records') > before, 'the follower told to reload after reconnecting', 3000);
  await until(async () => (await rows(`SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN ${tablePrefix}_events'`)).length === 2, 'two LISTEN connections again');
  await b.submit([{ op: 'clear' }]);
  await until(() => notices(a, 'changes') >= 1, 'the leader hearing of changes on its new connection');
  const seen = notices(b, 'records');
  await a.apply([put('x')]);
  await until(() => notices(b, 'records') > seen, 'the follower hearing of records on its new connection');
});

test('an existing pg.Client (used by the store alone) and a pg.Pool instead of connection options', async () => {
  const tablePrefix = freshPrefix();
  const client = new pg.Client(db.server.url);
  await client.connect();
  const pool = new pg.Pool({ connectionString: db.server.url, max: 4 });
  try {
    const a = await joined({ client, tablePrefix, leaseTtl: 1000, pg });
    const b = await joined({ client: pool, tablePrefix, leaseTtl: 1000 });
    assert.deepEqual([a.role, b.role], ['leader', 'follower']);
    await b.submit([{ op: 'put', jobId: 'p', record: { version: 1, id: 'p' }, base: null }]);
    await until(() => notices(a, 'changes') >= 1, 'the client-backed leader hearing of changes');
    const [q] = await a.takeChanges();
    await Promise.all([a.apply([put('p')], [q.key]), a.load(), a.apply([put('q')])]); // one connection, one use at a time
    await until(() => notices(b, 'records') >= 1, 'the pool-backed follower hearing of records');
    assert.deepEqual((await b.load()).map((r) => r.id), ['p', 'q']);
    await sleep(1500); // renewals through the shared client keep the lease
    assert.equal(a.role, 'leader');
    await a.close();
    await until(() => b.role === 'leader', 'the pool-backed store leading after release', 2000);
    // The caller's client and pool stay open.
    assert.equal((await client.query('SELECT 1 AS one')).rows[0].one, 1);
    await b.close();
    assert.equal((await pool.query('SELECT 1 AS one')).rows[0].one, 1);
  } finally {
    await closeAll();
    await client.end();
    await pool.end();
  }
});
