// The Postgres job store (`tickwerk/postgres`, Node): a shared store several schedulers —
// processes, servers — open at once (docs/shared-stores.md). One of them, the leader, holds a
// lease and runs the store's jobs; the others follow and queue their changes in the database.
//
// Tables (prefix `tickwerk` by default; created with CREATE TABLE IF NOT EXISTS):
//
//   <prefix>_jobs     (store text, job_id text, record text)   one row a job, the core's
//                     versioned JSON record stored as text, byte for byte: a row that does
//                     not parse (or is not an object, or whose id is not its job_id) is
//                     returned by load() as a CorruptEntry and never changed by this store
//                     until a put or remove of its id replaces it.
//   <prefix>_leases   (store text, holder text, token bigint, expires_at timestamptz)
//                     one row a store: who leads it, its fencing token, until when (the
//                     server's clock: clock_timestamp()).
//   <prefix>_changes  (id bigserial, store text, change text)  the followers' change queue.
//
// Leadership: a follower takes the lease when it has expired (the token goes up by one) —
// at coordinate() and then every `renewInterval`; the leader extends it every
// `renewInterval` (only while it is still its own and unexpired). A leader whose renewals
// fail steps down itself (role 'follower') `leaseTtl / 5` before the lease can have expired,
// measured from when it sent its last successful renewal. Every write of the leader
// (apply) is one transaction that first reads the lease row FOR SHARE and goes on only if
// it holds this store's holder id and token and has not expired: a takeover's UPDATE of
// that row waits for the transaction to end, so no new leader can load the store before the
// old leader's last batch committed, and a leader that was paused past its lease (its token
// replaced) writes nothing: LEASE_LOST. (FOR KEY SHARE would not do: it does not conflict
// with an UPDATE that leaves the key alone.)
//
// Notices: one channel `<prefix>_events`, payload `{"s": store, "w": what, "h": holder}`
// with what = 'records' (the leader wrote), 'changes' (a follower queued), 'released' (a
// leader left: followers try to take the lease at once). NOTIFY inside a transaction is
// delivered when it commits. The LISTEN connection is reconnected when it drops; after a
// reconnect the store tells its scheduler to catch up (a follower: 'records', the leader:
// 'changes'), as notices may have been missed meanwhile.
//
// The `pg` package is a peer dependency: imported on first use, or passed as `{ pg }`.

import { errorText, invalid, isObjectNotArray, ownEntries, TickwerkError, unknownKey } from './errors.js';
import { CorruptEntry } from './store-types.js';

/** The lease's default time to live: 10 s. */
export const DEFAULT_LEASE_TTL = 10_000;

const KNOWN = ['connection', 'client', 'pg', 'name', 'tablePrefix', 'leaseTtl', 'renewInterval', 'logger'];
const PREFIX = /^[a-z_][a-z0-9_]{0,39}$/;
const FIELD = 'postgres';

/** A STORE_FAILURE naming the store and what failed. */
function storeFailure(store, what, cause) {
  return new TickwerkError('STORE_FAILURE', `job store ${JSON.stringify(store)} (Postgres) ${what} failed: ${errorText(cause)}`, { cause });
}

/** The error `apply()` rejects with when this scheduler does not (or no longer) lead the store. */
function leaseLost(store, why) {
  return new TickwerkError('LEASE_LOST', `job store ${JSON.stringify(store)} (Postgres): not the leader, nothing written: ${why}`);
}

/** A positive whole number of milliseconds, or INVALID_ARGUMENT naming `key`. */
function millis(key, value, min) {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 2 ** 31 - 1) {
    throw invalid(`${FIELD}.${key}`, value, `a whole number of milliseconds from ${min} to 2147483647`);
  }
  return value;
}

/** Whether `x` looks like a pg.Pool (a pg.Client has no idleCount). */
const isPool = (x) => typeof x.connect === 'function' && typeof x.query === 'function' && 'idleCount' in x;

/** The options, checked. */
function readOptions(options) {
  if (!isObjectNotArray(options)) throw invalid(FIELD, options, 'the Postgres store takes an options object ({ connection } or { client })');
  const opts = {};
  for (const [key, value] of ownEntries(FIELD, options)) {
    if (!KNOWN.includes(key)) throw unknownKey(FIELD, key, KNOWN);
    opts[key] = value;
  }
  const { connection, client } = opts;
  if ((connection === undefined) === (client === undefined)) {
    throw invalid(`${FIELD}.connection`, connection, 'give exactly one of connection (a connection string or pg options) and client (a pg.Pool or a connected pg.Client)');
  }
  if (connection !== undefined && !(typeof connection === 'string' && connection !== '') && !isObjectNotArray(connection)) {
    throw invalid(`${FIELD}.connection`, connection, 'a connection string (postgres://…) or a pg client options object');
  }
  if (client !== undefined && !(isObjectNotArray(client) && typeof client.query === 'function')) {
    throw invalid(`${FIELD}.client`, client, 'a pg.Pool or a connected pg.Client (an object with query())');
  }
  if (opts.pg !== undefined && !(opts.pg && typeof opts.pg.Pool === 'function' && typeof opts.pg.Client === 'function')) {
    throw invalid(`${FIELD}.pg`, opts.pg, 'the pg module (an object with Pool and Client)');
  }
  if (opts.name !== undefined && !(typeof opts.name === 'string' && opts.name !== '' && opts.name.isWellFormed() && !opts.name.includes('\0'))) {
    throw invalid(`${FIELD}.name`, opts.name, 'a non-empty string without NUL characters');
  }
  const tablePrefix = opts.tablePrefix ?? 'tickwerk';
  if (typeof tablePrefix !== 'string' || !PREFIX.test(tablePrefix)) {
    throw invalid(`${FIELD}.tablePrefix`, tablePrefix, 'an SQL identifier: lowercase letters, digits and _, not starting with a digit, at most 40 characters');
  }
  const leaseTtl = opts.leaseTtl === undefined ? DEFAULT_LEASE_TTL : millis('leaseTtl', opts.leaseTtl, 100);
  const renewInterval = opts.renewInterval === undefined ? Math.floor(leaseTtl / 3) : millis('renewInterval', opts.renewInterval, 10);
  if (renewInterval > leaseTtl / 2) {
    throw invalid(`${FIELD}.renewInterval`, renewInterval, `at most half the leaseTtl (${leaseTtl} ms), so a leader can retry a renewal before it steps down`);
  }
  const logger = opts.logger ?? globalThis.console;
  return { connection, client, pg: opts.pg, name: opts.name, tablePrefix, leaseTtl, renewInterval, logger };
}

/** The text of `id` checked to survive a Postgres text column unchanged. */
function storableId(store, id) {
  if (typeof id !== 'string' || id.includes('\0') || !id.isWellFormed()) {
    throw storeFailure(store, 'write', new Error(`job id ${JSON.stringify(String(id))} cannot be stored in a Postgres text column (NUL or a lone surrogate)`));
  }
  return id;
}

/**
 * The SQL of a store's batch: consecutive puts become one INSERT … ON CONFLICT (the last put
 * of an id in a run wins, as applying them in order would), consecutive removes one DELETE.
 * @returns {Array<[string, unknown[]]>}
 */
function batchStatements(t, store, ops) {
  const out = [];
  let i = 0;
  while (i < ops.length) {
    const kind = ops[i].op;
    if (kind === 'clear') {
      out.push([`DELETE FROM ${t.jobs} WHERE store = $1`, [store]]);
      i += 1;
      continue;
    }
    const run = new Map();
    for (; i < ops.length && ops[i].op === kind; i += 1) {
      const id = storableId(store, ops[i].jobId);
      run.delete(id);
      run.set(id, kind === 'put' ? JSON.stringify(ops[i].record) : null);
    }
    if (kind === 'put') {
      out.push([`INSERT INTO ${t.jobs} (store, job_id, record) SELECT $1, * FROM unnest($2::text[], $3::text[])
        ON CONFLICT (store, job_id) DO UPDATE SET record = EXCLUDED.record`, [store, [...run.keys()], [...run.values()]]]);
    } else {
      out.push([`DELETE FROM ${t.jobs} WHERE store = $1 AND job_id = ANY($2::text[])`, [store, [...run.keys()]]]);
    }
  }
  return out;
}

/** The stored record text of a row as a record, or why it is not one. */
function parseRecord(jobId, text) {
  let record;
  try {
    record = JSON.parse(text);
  } catch (e) {
    return { reason: `not JSON: ${e.message}` };
  }
  if (!isObjectNotArray(record)) return { reason: 'not a JSON object' };
  if (record.id !== jobId) return { reason: `its id ${JSON.stringify(String(record.id))} is not the row's job_id` };
  return { record };
}

/** A change as submit() takes it (or why not). */
function changeProblem(change) {
  if (!isObjectNotArray(change)) return 'not an object';
  if (change.op === 'clear') return undefined;
  if (change.op === 'remove') return typeof change.jobId === 'string' ? undefined : 'a remove without a string jobId';
  if (change.op === 'put') return typeof change.jobId === 'string' && isObjectNotArray(change.record) ? undefined : 'a put without a string jobId and a record object';
  return `unknown op ${JSON.stringify(String(change.op))}`;
}

/**
 * The connections: `query(text, params)` for single statements, `transaction(fn)` for a
 * BEGIN … COMMIT on one connection, `listener()` for the LISTEN connection. With one
 * pg.Client everything goes through it, one use at a time (a transaction spans several
 * queries), LISTEN included.
 */
class Connections {
  constructor(pg, opts, onError) {
    this.pg = pg;
    this.onError = onError;
    // A transaction of this store sends its statements back to back; one left idle longer
    // than a renewal interval belongs to a process that stopped in it (SIGSTOP, a frozen VM):
    // its locks (the lease row FOR SHARE) would keep every other scheduler from taking the
    // lease until it resumed. The server ends such a session instead (SET LOCAL: for this
    // transaction only, on any connection, a caller's pool's included).
    this.idleLimit = Math.max(1, Math.floor(opts.renewInterval));
    this.owned = opts.client === undefined;
    if (this.owned) {
      const config = typeof opts.connection === 'string' ? { connectionString: opts.connection } : { ...opts.connection };
      this.config = config;
      this.pool = new pg.Pool({ max: 3, connectionTimeoutMillis: opts.leaseTtl, ...config });
      this.pool.on('error', onError);
    } else if (isPool(opts.client)) {
      this.pool = opts.client;
    } else {
      this.client = opts.client;
      this.turn = Promise.resolve();
      // A caller's client that loses its connection emits 'error' too: reported like the
      // pool's idle clients (its failed queries report the loss as well).
      this.client.on?.('error', onError);
    }
  }

  /** Runs `fn(client)` with the single client once it is free. */
  _exclusive(fn) {
    const run = this.turn.then(() => fn(this.client));
    this.turn = run.then(() => {}, () => {});
    return run;
  }

  query(text, params) {
    if (this.client) return this._exclusive((c) => c.query(text, params));
    return this.pool.query(text, params);
  }

  async transaction(fn) {
    let broken; // a connection whose ROLLBACK failed is not reused
    const inside = async (c) => {
      await c.query(`BEGIN; SET LOCAL idle_in_transaction_session_timeout = ${this.idleLimit}`);
      try {
        const out = await fn((text, params) => c.query(text, params));
        await c.query('COMMIT');
        return out;
      } catch (e) {
        await c.query('ROLLBACK').catch((r) => {
          broken = r;
        });
        throw e;
      }
    };
    if (this.client) return this._exclusive(inside);
    const c = await this.pool.connect();
    // A checked-out client that loses its connection (the server ending a stalled
    // transaction, a restart) emits 'error': without a listener that would crash the
    // process. The transaction's own query rejects with it and is reported there.
    const lost = (e) => {
      broken ??= e;
    };
    c.on('error', lost);
    try {
      return await inside(c);
    } finally {
      c.off('error', lost);
      c.release(broken);
    }
  }

  /** A connection for LISTEN: `{ client, done(broken) }`. */
  async listener() {
    if (this.client) return { client: this.client, shared: true, done() {} };
    if (this.owned) {
      const c = new this.pg.Client(this.config);
      c.on('error', () => {}); // reported through 'end' and the reconnect
      await c.connect();
      return { client: c, done: () => c.end().catch(() => {}) };
    }
    const c = await this.pool.connect();
    c.on('error', () => {});
    return { client: c, done: (broken) => c.release(broken ?? true) };
  }

  /** Ends the pool this store created (a caller's pool or client stays open). */
  async end() {
    if (this.owned) await this.pool.end();
  }
}

/**
 * A job store in PostgreSQL shared by several schedulers: one leads (runs the jobs, writes
 * the records), the others follow (see docs/shared-stores.md and the README's "Postgres").
 *
 * ```js
 * import { PostgresJobStore } from 'tickwerk/postgres';
 * const store = new PostgresJobStore({ connection: process.env.DATABASE_URL });
 * new Scheduler({ jobstores: { default: store }, functions: { report } });
 * ```
 */
export class PostgresJobStore {
  /**
   * @param {object} options `connection` (a connection string or pg options: the store opens
   *   its own pool and LISTEN connection) or `client` (a pg.Pool, or a connected pg.Client
   *   used by this store only); `pg` (the pg module, default `import('pg')`); `name` (the
   *   store's name in the tables, default the alias it is registered under); `tablePrefix`
   *   (default 'tickwerk'); `leaseTtl` (ms, default 10,000); `renewInterval` (ms, default
   *   leaseTtl / 3, at most leaseTtl / 2); `logger` (default console: warnings only).
   */
  constructor(options) {
    this._opts = readOptions(options);
    const p = this._opts.tablePrefix;
    this._t = { jobs: `${p}_jobs`, leases: `${p}_leases`, changes: `${p}_changes`, channel: `${p}_events` };
    this._name = this._opts.name;
    /** This scheduler's holder id in the lease row (host, pid and a random part). */
    this.holder = `${globalThis.process?.getBuiltinModule?.('node:os')?.hostname() ?? 'host'}/${globalThis.process?.pid ?? 0}/${globalThis.crypto.randomUUID().slice(0, 8)}`;
    /** Changes in the queue takeChanges() could not read (left in the table, reported here). */
    this.changeErrors = [];
    this._role = null;
    this._token = null;
    this._handlers = null;
    this._timers = { lease: undefined, stepDown: undefined, reconnect: undefined };
    this._closing = false; // close() called
    this._closed = false; // close() past waiting for a lease step in flight
  }

  /** @internal Called by the scheduler with the alias the store is registered under. */
  bind(alias) {
    this._name ??= alias;
  }

  /** The store's name in the tables (`name`, else the alias it was registered under). */
  get name() {
    return this._name ?? 'default';
  }

  /** 'leader' or 'follower' once coordinate() has resolved, `null` before and after close(). */
  get role() {
    return this._role;
  }

  /** The fencing token of the lease this store holds or last held (a decimal string), or null. */
  get token() {
    return this._token;
  }

  /** The pg module and the connections, made on first use. */
  _db() {
    this._conn ??= (async () => {
      let pg = this._opts.pg;
      if (!pg) {
        try {
          const mod = await import('pg');
          pg = mod.Pool ? mod : mod.default;
        } catch (e) {
          throw storeFailure(this.name, 'loading the pg package (npm install pg, or pass { pg })', e);
        }
      }
      const conn = new Connections(pg, this._opts, (e) => this._warn(`idle connection error: ${errorText(e)}`));
      await this._schema(conn);
      return conn;
    })();
    this._conn.catch(() => {
      this._conn = undefined; // retried by the next call
    });
    return this._conn;
  }

  /** Creates the tables when missing (under an advisory lock: CREATE … IF NOT EXISTS races). */
  async _schema(conn) {
    const { jobs, leases, changes } = this._t;
    try {
      await conn.transaction(async (q) => {
        await q('SELECT pg_advisory_xact_lock(hashtext($1))', [`tickwerk schema ${this._opts.tablePrefix}`]);
        await q(`CREATE TABLE IF NOT EXISTS ${jobs} (store text NOT NULL, job_id text NOT NULL, record text NOT NULL, PRIMARY KEY (store, job_id))`);
        await q(`CREATE TABLE IF NOT EXISTS ${leases} (store text PRIMARY KEY, holder text NOT NULL, token bigint NOT NULL, expires_at timestamptz NOT NULL)`);
        await q(`CREATE TABLE IF NOT EXISTS ${changes} (id bigserial PRIMARY KEY, store text NOT NULL, change text NOT NULL)`);
        await q(`CREATE INDEX IF NOT EXISTS ${changes}_store ON ${changes} (store, id)`);
      });
    } catch (e) {
      throw storeFailure(this.name, `creating the tables ${jobs}, ${leases}, ${changes}`, e);
    }
  }

  _warn(text) {
    try {
      this._opts.logger?.warn?.(`tickwerk: job store ${JSON.stringify(this.name)} (Postgres): ${text}`);
    } catch {
      // A logger that throws loses the warning, nothing else.
    }
  }

  /** Every record of the store; rows that do not parse as CorruptEntry (key `<table>:<store>:<job id>`). */
  async load() {
    const db = await this._db();
    let rows;
    try {
      ({ rows } = await db.query(`SELECT job_id, record FROM ${this._t.jobs} WHERE store = $1 ORDER BY job_id`, [this.name]));
    } catch (e) {
      throw storeFailure(this.name, 'load', e);
    }
    return rows.map(({ job_id: id, record: text }) => {
      const { record, reason } = parseRecord(id, text);
      return record ?? new CorruptEntry(`${this._t.jobs}:${this.name}:${id}`, reason, id);
    });
  }

  /**
   * The leader's write: `ops` in order and the removal of the `consumed` change keys, in one
   * transaction that first checks this store still holds the lease (and then NOTIFY
   * 'records'). Rejects with LEASE_LOST (nothing written) when it does not.
   */
  async apply(ops, consumed = []) {
    if (this._token === null) throw leaseLost(this.name, 'it has not held the lease (coordinate() made it a follower)');
    if (!Array.isArray(ops)) throw storeFailure(this.name, 'apply', new Error('ops is not an array'));
    for (const op of ops) {
      if (!['put', 'remove', 'clear'].includes(op?.op)) throw storeFailure(this.name, 'apply', new Error(`unknown op ${JSON.stringify(String(op?.op))}`));
    }
    if (consumed != null && !Array.isArray(consumed)) throw storeFailure(this.name, 'apply', new Error('consumed is not an array of change keys'));
    const keys = (consumed ?? []).map(String);
    const statements = batchStatements(this._t, this.name, ops);
    const token = this._token;
    const db = await this._db();
    let lost;
    try {
      await db.transaction(async (q) => {
        const { rows } = await q(
          `SELECT holder, token::text AS token, expires_at > clock_timestamp() AS valid FROM ${this._t.leases} WHERE store = $1 FOR SHARE`,
          [this.name],
        );
        const lease = rows[0];
        if (!lease || lease.holder !== this.holder || lease.token !== token || !lease.valid) {
          lost = !lease ? 'the store has no lease row'
            : lease.holder !== this.holder || lease.token !== token ? `the lease is held by ${lease.holder} with token ${lease.token} (this store's was ${token})`
              : `its lease (token ${token}) expired`;
          throw leaseLost(this.name, lost);
        }
        for (const [text, params] of statements) await q(text, params);
        if (keys.length > 0) {
          await q(`DELETE FROM ${this._t.changes} WHERE store = $1 AND id = ANY($2::bigint[])`, [this.name, keys]);
        }
        await q('SELECT pg_notify($1, $2)', [this._t.channel, this._payload('records')]);
      });
    } catch (e) {
      if (lost) {
        this._stepDown(`the server refused a write: ${lost}`, false);
        throw e;
      }
      throw storeFailure(this.name, 'apply', e);
    }
  }

  /** A follower's changes, appended to the queue (and NOTIFY 'changes') in one statement. */
  async submit(changes) {
    if (!Array.isArray(changes)) throw storeFailure(this.name, 'submit', new Error('changes is not an array'));
    for (const change of changes) {
      const problem = changeProblem(change);
      if (problem) throw storeFailure(this.name, 'submit', new Error(`a change is ${problem}`));
      if (change.jobId !== undefined) storableId(this.name, change.jobId);
    }
    if (changes.length === 0) return;
    const db = await this._db();
    try {
      await db.query(
        `WITH queued AS (INSERT INTO ${this._t.changes} (store, change) SELECT $1, unnest($2::text[]) RETURNING id)
         SELECT pg_notify($3, $4) FROM (SELECT count(*) FROM queued) AS q`,
        [this.name, changes.map((c) => JSON.stringify(c)), this._t.channel, this._payload('changes')],
      );
    } catch (e) {
      throw storeFailure(this.name, 'submit', e);
    }
  }

  /** The queued changes, oldest first, as `{ key, change }` (not removed: apply's `consumed` does). */
  async takeChanges() {
    const db = await this._db();
    let rows;
    try {
      ({ rows } = await db.query(`SELECT id::text AS id, change FROM ${this._t.changes} WHERE store = $1 ORDER BY id`, [this.name]));
    } catch (e) {
      throw storeFailure(this.name, 'takeChanges', e);
    }
    const out = [];
    for (const { id, change: text } of rows) {
      let change;
      let problem;
      try {
        change = JSON.parse(text);
        problem = changeProblem(change);
      } catch (e) {
        problem = `not JSON: ${e.message}`;
      }
      if (problem === undefined) {
        out.push({ key: id, change });
      } else if (!this.changeErrors.some((c) => c.key === `${this._t.changes}:${id}`)) {
        this.changeErrors.push(new CorruptEntry(`${this._t.changes}:${id}`, problem, change?.jobId));
        this._warn(`queued change ${id} is unreadable (${problem}); left in ${this._t.changes}`);
      }
    }
    return out;
  }

  /**
   * Joins the election: takes the lease if it is free or expired (role 'leader'), else
   * 'follower' — `handlers.role` is called before this resolves — then keeps renewing /
   * retrying every renewInterval and delivers notices (see docs/shared-stores.md).
   */
  async coordinate(handlers) {
    if (!isObjectNotArray(handlers) || typeof handlers.role !== 'function' || typeof handlers.notice !== 'function') {
      throw invalid(`${FIELD}.coordinate`, handlers, 'needs { role(role), notice(what) } handlers');
    }
    if (this._closing) throw storeFailure(this.name, 'coordinate', new Error('the store was closed'));
    this._handlers = handlers;
    await this._db();
    await this._listen(false);
    await this._leaseStep();
    if (this._role === null) this._setRole('follower', 'the lease could not be read');
    this._scheduleLease();
  }

  _payload(what) {
    return JSON.stringify({ s: this.name, w: what, h: this.holder });
  }

  _setRole(role, why) {
    if (this._role === role) return;
    this._role = role;
    if (role === 'follower' && why) this._warn(`now a follower: ${why}`);
    try {
      this._handlers?.role(role);
    } catch (e) {
      this._warn(`role handler threw: ${errorText(e)}`);
    }
  }

  _notice(what) {
    try {
      this._handlers?.notice(what);
    } catch (e) {
      this._warn(`notice handler threw: ${errorText(e)}`);
    }
  }

  _scheduleLease() {
    clearTimeout(this._timers.lease);
    if (this._closing) return;
    this._timers.lease = setTimeout(() => {
      this._leaseStep().finally(() => this._scheduleLease());
    }, this._opts.renewInterval);
    this._timers.lease.unref?.();
  }

  /** One turn of the lease loop: the leader renews, a follower tries to take an expired lease. */
  _leaseStep() {
    if (this._closing) return Promise.resolve();
    this._stepping ??= (async () => {
      try {
        if (this._role === 'leader') await this._renew();
        else await this._acquire();
      } catch (e) {
        this._warn(`lease ${this._role === 'leader' ? 'renewal' : 'check'} failed: ${errorText(e)}`);
      } finally {
        this._stepping = undefined;
      }
    })();
    return this._stepping;
  }

  /** `clock_timestamp() + leaseTtl` in SQL. */
  _expiry(param) {
    return `clock_timestamp() + ${param}::int * interval '1 millisecond'`;
  }

  /** Takes the lease if it has expired (or was never taken). The expiry is computed in the
   *  UPDATE itself: the statement may have waited for a write transaction holding the row. */
  async _acquire() {
    const db = await this._db();
    let sent = performance.now();
    const { rows } = await db.query(
      `INSERT INTO ${this._t.leases} AS l (store, holder, token, expires_at) VALUES ($1, $2, 1, ${this._expiry('$3')})
       ON CONFLICT (store) DO UPDATE SET holder = EXCLUDED.holder, token = l.token + 1, expires_at = ${this._expiry('$3')}
       WHERE l.expires_at <= clock_timestamp()
       RETURNING token::text AS token`,
      [this.name, this.holder, this._opts.leaseTtl],
    );
    if (this._closed || this._role === 'leader') return;
    if (rows.length === 0) {
      this._setRole('follower');
      return;
    }
    const token = rows[0].token;
    this._token = token;
    if (performance.now() - sent > this._opts.leaseTtl / 5) {
      // The statement waited (for a lock): how much of the lease is left cannot be told from
      // here. Extend it first, so the step-down deadline counts from a fresh send.
      sent = await this._extend(token);
      if (this._closed || this._role === 'leader' || this._token !== token || sent === undefined) return;
    }
    this._armStepDown(sent);
    this._setRole('leader');
  }

  /** Extends the lease `token` if it is still this store's and unexpired: the time the
   *  request was sent (`performance.now()`), or `undefined` when it was not extended. */
  async _extend(token) {
    const db = await this._db();
    const sent = performance.now();
    const { rows } = await db.query(
      `UPDATE ${this._t.leases} SET expires_at = ${this._expiry('$4')}
       WHERE store = $1 AND holder = $2 AND token = $3::bigint AND expires_at > clock_timestamp() RETURNING 1`,
      [this.name, this.holder, token, this._opts.leaseTtl],
    );
    return rows.length > 0 ? sent : undefined;
  }

  async _renew() {
    const token = this._token;
    const sent = await this._extend(token);
    if (this._closed || this._role !== 'leader' || this._token !== token) return;
    if (sent === undefined) this._stepDown(`the lease (token ${token}) was no longer this store's when renewing`, false);
    else this._armStepDown(sent);
  }

  /** Steps down `leaseTtl / 5` before the lease granted by a query sent at `sent` can end. */
  _armStepDown(sent) {
    clearTimeout(this._timers.stepDown);
    const at = sent + this._opts.leaseTtl - this._opts.leaseTtl / 5;
    this._timers.stepDown = setTimeout(() => this._stepDown('the lease could not be renewed in time', true), Math.max(0, at - performance.now()));
    this._timers.stepDown.unref?.();
  }

  /** Leader → follower; `release`: also expire the lease (best effort) so another takes it at once. */
  _stepDown(why, release) {
    clearTimeout(this._timers.stepDown);
    if (this._role !== 'leader') return;
    if (release) this._release();
    this._setRole('follower', why);
  }

  /** Expires this store's lease now and tells the followers (best effort, never throws). */
  _release() {
    const token = this._token;
    const done = this._conn?.then((db) => db.query(
      `WITH gone AS (UPDATE ${this._t.leases} SET expires_at = clock_timestamp() WHERE store = $1 AND holder = $2 AND token = $3::bigint RETURNING 1)
       SELECT pg_notify($4, $5) FROM gone`,
      [this.name, this.holder, token, this._t.channel, this._payload('released')],
    )).catch((e) => this._warn(`releasing the lease failed: ${errorText(e)}`));
    return done ?? Promise.resolve();
  }

  /** LISTENs on the channel (`again`: after the connection dropped; then the scheduler is
   *  told to catch up, as notices may have been missed). */
  async _listen(again) {
    if (this._closed) return;
    const db = await this._db();
    const l = await db.listener();
    if (this._closed) {
      l.done();
      return;
    }
    this._listener = l;
    l.onNotification = (msg) => this._onNotification(msg);
    l.client.on('notification', l.onNotification);
    if (!l.shared) {
      l.onEnd = () => this._dropListener(l, 'the LISTEN connection dropped; reconnecting');
      l.client.on('end', l.onEnd);
      l.client.on('error', l.onEnd);
    }
    try {
      if (l.shared) await db.query(`LISTEN ${this._t.channel}`);
      else await l.client.query(`LISTEN ${this._t.channel}`);
    } catch (e) {
      this._detach(l);
      if (!again) throw storeFailure(this.name, 'LISTEN', e);
      throw e;
    }
    if (again) {
      if (this._role === 'leader') this._notice('changes');
      else if (this._role === 'follower') this._notice('records');
    }
  }

  /** Stops using the LISTEN connection `l` and closes it (or gives it back). */
  _detach(l) {
    if (this._listener === l) this._listener = undefined;
    l.client.removeListener('notification', l.onNotification);
    if (l.onEnd) {
      l.client.removeListener('end', l.onEnd);
      l.client.removeListener('error', l.onEnd);
    }
    return l.done(true);
  }

  /** The LISTEN connection `l` dropped: a new one after a pause. */
  _dropListener(l, why) {
    if (this._listener !== l || this._closing) return;
    this._detach(l);
    this._warn(why);
    this._retryListen();
  }

  _retryListen() {
    if (this._closing) return;
    clearTimeout(this._timers.reconnect);
    this._timers.reconnect = setTimeout(() => {
      this._listen(true).catch((e) => {
        this._warn(`LISTEN reconnect failed: ${errorText(e)}`);
        this._retryListen();
      });
    }, Math.min(this._opts.renewInterval, 1000));
    this._timers.reconnect.unref?.();
  }

  _onNotification(msg) {
    if (msg.channel !== this._t.channel || this._closing) return;
    let n;
    try {
      n = JSON.parse(msg.payload);
    } catch {
      return;
    }
    if (n?.s !== this.name || n.h === this.holder) return;
    if (n.w === 'records' && this._role === 'follower') this._notice('records');
    else if (n.w === 'changes' && this._role === 'leader') this._notice('changes');
    else if (n.w === 'released' && this._role === 'follower') this._leaseStep();
  }

  /** Leaves the election (a leader expires its lease and tells the followers) and closes
   *  the connections this store opened. Never rejects; every call returns the same promise
   *  (the Scheduler's shutdown() calls close() without waiting for it: `await store.close()`
   *  after it waits until the lease is released). */
  close() {
    this._closeDone ??= this._close();
    return this._closeDone;
  }

  async _close() {
    this._closing = true;
    for (const t of Object.values(this._timers)) clearTimeout(t);
    // A lease step in flight may be taking the lease: let it end (a while at most), so a lease
    // taken just now is released too.
    let waited;
    await Promise.race([this._stepping, new Promise((resolve) => {
      waited = setTimeout(resolve, this._opts.renewInterval);
    })]);
    clearTimeout(waited);
    this._closed = true;
    for (const t of Object.values(this._timers)) clearTimeout(t);
    const wasLeader = this._role === 'leader';
    this._role = null;
    if (!this._conn) return;
    try {
      const db = await this._conn;
      if (wasLeader) await this._release();
      const l = this._listener;
      if (l) {
        if (l.shared) await db.query(`UNLISTEN ${this._t.channel}`).catch(() => {});
        await this._detach(l);
      }
      await db.end();
    } catch (e) {
      this._warn(`close: ${errorText(e)}`);
    }
  }
}
