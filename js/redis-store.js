// The Redis job store (`tickwerk/redis`): a *shared* store (docs/shared-stores.md) that
// several schedulers — Node processes on several servers — open at once. One of them, the
// leader, holds a lease and runs the store's jobs; the others follow and queue their changes.
//
// Keys, all under one hash tag so a store lives in one cluster slot (`P` = prefix, `S` = store):
//
//   P{S}:jobs      hash    job id → the core's record JSON (stored as it is)
//   P{S}:lease     string  "<holder>:<token>", PX = the lease TTL; absent when no one leads
//   P{S}:token     counter INCR'd for every lease taken: the fencing token
//   P{S}:changes   stream  followers' changes (field `change`: JSON), oldest first
//   P{S}:notices   pub/sub channel: "records <holder>", "changes <holder>", "released <holder>"
//
// * Leadership: `coordinate()` runs a script that takes the lease when it is free (INCR the
//   token, SET PX). The leader renews it every `renewInterval` with a script that extends it
//   only while the value is still its own. A leader whose renewal has not succeeded by
//   (the last successful renewal's send time + TTL − TTL/5) steps down on its own: role
//   'follower', before the server can let anyone else take the lease. Followers try to take
//   an expired lease every `renewInterval`, and at once when a leader releases it (close()).
//   So a SIGKILLed leader is replaced within TTL + renewInterval.
// * Fencing: the leader's apply() is one Lua script that first compares the lease with
//   "<holder>:<token>" and refuses otherwise (LEASE_LOST, nothing written), then applies the
//   ops, deletes the consumed changes and publishes "records". A leader paused past its lease
//   (SIGSTOP, a long GC) and resumed has a stale token: the server refuses its writes, so it
//   can neither record nor start a run.
// * Records that do not parse (or whose id is not their hash field) are returned by load() as
//   `corruptEntry('<hash key> <job id>', reason, id)` and left in the hash.
//
// ioredis is a peer dependency: pass `client` (an ioredis client you own; a duplicate of it
// carries the subscription) or `connection` (ioredis options or a redis:// URL: the store
// imports ioredis and opens its own connections, closed by close()).

import { errorText, invalid, isObjectNotArray, ownEntries, TickwerkError, unknownKey } from './errors.js';
import { CorruptEntry } from './store-types.js';

/** Default lease TTL in milliseconds. */
export const DEFAULT_LEASE_TTL = 10_000;

const OPTION_KEYS = ['client', 'connection', 'prefix', 'name', 'leaseTtl', 'renewInterval', 'holder'];

// KEYS: lease, token. ARGV: holder, ttl. Takes a free lease (or re-takes our own with a new
// token); returns the token, or false when another holder has it.
const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur and string.sub(cur, 1, #ARGV[1] + 1) ~= ARGV[1] .. ':' then return false end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. token, 'PX', ARGV[2])
return token`;

// KEYS: lease. ARGV: "<holder>:<token>", ttl. 1 when extended, 0 when the lease is not ours.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

// KEYS: lease. ARGV: "<holder>:<token>", channel, message. Deletes the lease if ours.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], ARGV[3])
  return 1
end
return 0`;

// KEYS: lease, jobs, changes. ARGV: "<holder>:<token>", channel, message, op count, then per
// op 'p' id record | 'r' id | 'c', then the consumed stream ids. Fenced: nothing is written
// unless the lease is ours.
const APPLY = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('LEASE_LOST')
end
local n = tonumber(ARGV[4])
local i = 5
for _ = 1, n do
  local kind = ARGV[i]
  if kind == 'p' then
    redis.call('HSET', KEYS[2], ARGV[i + 1], ARGV[i + 2])
    i = i + 3
  elseif kind == 'r' then
    redis.call('HDEL', KEYS[2], ARGV[i + 1])
    i = i + 2
  else
    redis.call('DEL', KEYS[2])
    i = i + 1
  end
end
local consumed = #ARGV - i + 1
for j = i, #ARGV, 500 do
  redis.call('XDEL', KEYS[3], unpack(ARGV, j, math.min(j + 499, #ARGV)))
end
if n > 0 or consumed > 0 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return n`;

/** The ioredis module, imported on first use (a peer dependency). */
async function ioredis(field) {
  try {
    const mod = await import('ioredis');
    return mod.Redis ?? mod.default;
  } catch (e) {
    throw new TickwerkError('STORE_FAILURE', `${field}: the Redis store needs the ioredis package (npm install ioredis): ${errorText(e)}`, { field, cause: e });
  }
}

const isClient = (x) => {
  try {
    return x !== null && typeof x === 'object' && typeof x.duplicate === 'function' && typeof x.defineCommand === 'function';
  } catch {
    return false;
  }
};

/** A positive whole number of milliseconds, or INVALID_ARGUMENT naming `field`. */
function millis(field, value, min) {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 2 ** 31 - 1) {
    throw invalid(field, value, `a whole number of milliseconds from ${min} to ${2 ** 31 - 1}`);
  }
  return value;
}

/** A key part without braces (they would move the store's cluster hash tag). */
function keyPart(field, value) {
  if (typeof value !== 'string' || /[{}]/.test(value)) throw invalid(field, value, 'a string without { or }');
  return value;
}

let holders = 0;
/** A holder id unique to this adapter: host, pid, a counter and a random part (no ':'). */
function newHolder() {
  const proc = globalThis.process;
  let host = 'host';
  try {
    host = proc.getBuiltinModule('node:os').hostname();
  } catch {
    // not Node: the random part keeps holders apart
  }
  host = host.replace(/[:\s]/g, '_');
  holders += 1;
  return `${host}/${proc?.pid ?? 0}/${holders}/${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * A shared job store in Redis (docs/shared-stores.md): one leader by lease (TTL `leaseTtl`,
 * renewed every `renewInterval`, fenced by a token checked on every write), followers queue
 * changes in a stream and are told of new records by pub/sub.
 */
export class RedisJobStore {
  /**
   * @param {object} options
   * @param {object} [options.client] an ioredis client (you close it; the store closes only the duplicate it subscribes on)
   * @param {object | string} [options.connection] ioredis options or a redis:// URL (the store opens and closes its connections)
   * @param {string} [options.prefix] key prefix (default `tickwerk:`)
   * @param {string} [options.name] the store's name in its keys (default: the alias it is registered under)
   * @param {number} [options.leaseTtl] lease TTL in ms (default 10,000)
   * @param {number} [options.renewInterval] renewal and follower retry period in ms (default leaseTtl / 3)
   * @param {string} [options.holder] this scheduler's id in the lease (default host/pid/n/random)
   * @param {string} [field] names the options in errors
   */
  constructor(options, field = 'redis') {
    if (!isObjectNotArray(options)) throw invalid(field, options, 'the Redis store takes an options object ({ client } or { connection }, …)');
    const opts = {};
    for (const [key, value] of ownEntries(field, options)) {
      if (!OPTION_KEYS.includes(key)) throw unknownKey(field, key, OPTION_KEYS);
      opts[key] = value;
    }
    if ((opts.client === undefined) === (opts.connection === undefined)) {
      throw invalid(field, opts.client === undefined ? 'neither' : 'both', 'give exactly one of client (an ioredis client) and connection (ioredis options or a redis:// URL)');
    }
    if (opts.client !== undefined && !isClient(opts.client)) throw invalid(`${field}.client`, opts.client, 'not an ioredis client (no duplicate() and defineCommand())');
    if (opts.connection !== undefined && typeof opts.connection !== 'string' && !isObjectNotArray(opts.connection)) {
      throw invalid(`${field}.connection`, opts.connection, 'ioredis options (an object) or a redis:// URL');
    }
    this.field = field;
    this.prefix = keyPart(`${field}.prefix`, opts.prefix ?? 'tickwerk:');
    this.name = opts.name === undefined ? undefined : keyPart(`${field}.name`, opts.name);
    if (this.name === '') throw invalid(`${field}.name`, '', 'a non-empty string');
    this.leaseTtl = millis(`${field}.leaseTtl`, opts.leaseTtl ?? DEFAULT_LEASE_TTL, 100);
    this.renewInterval = millis(`${field}.renewInterval`, opts.renewInterval ?? Math.floor(this.leaseTtl / 3), 10);
    if (this.renewInterval > this.leaseTtl / 2) {
      throw invalid(`${field}.renewInterval`, this.renewInterval, `at most half the lease TTL (${this.leaseTtl} ms), so a failed renewal is retried before the lease ends`);
    }
    this.holder = opts.holder === undefined ? newHolder() : opts.holder;
    if (typeof this.holder !== 'string' || this.holder === '' || this.holder.includes(':')) {
      throw invalid(`${field}.holder`, this.holder, 'a non-empty string without ":"');
    }
    this.alias = 'default';
    /** 'leader' | 'follower' | null (before coordinate() and after close()). */
    this.role = null;
    this._client = opts.client;
    this._connection = opts.connection;
    this._ownsClient = opts.client === undefined;
    this._redis = undefined;
    this._sub = undefined;
    this._handlers = undefined;
    this._lease = undefined;
    this._timer = undefined;
    this._deadline = undefined;
    this._closed = false;
    this._closing = undefined;
    this._step = undefined;
    this._reported = new Set();
  }

  /** @internal Called by the scheduler with the alias the store is registered under. */
  bind(alias) {
    this.alias = alias;
  }

  /** The store's keys and channel. */
  get keys() {
    const base = `${this.prefix}{${this.name ?? this.alias}}:`;
    return { jobs: `${base}jobs`, lease: `${base}lease`, token: `${base}token`, changes: `${base}changes`, notices: `${base}notices` };
  }

  _fail(what, cause) {
    return new TickwerkError('STORE_FAILURE', `job store ${JSON.stringify(this.alias)} (Redis ${this.keys.jobs}) ${what}${cause ? `: ${errorText(cause)}` : ''}`, {
      field: 'jobstore',
      value: this.alias,
      cause,
    });
  }

  _leaseLost(detail) {
    return new TickwerkError('LEASE_LOST', `job store ${JSON.stringify(this.alias)} (Redis ${this.keys.lease}): ${detail}; nothing written`, {
      field: 'jobstore',
      value: this.alias,
    });
  }

  /** The command connection (created or defined on first use). */
  async _conn() {
    if (this._closed) throw this._fail('is closed');
    if (!this._redis) {
      this._redis = (async () => {
        let redis = this._client;
        if (!redis) {
          const Redis = await ioredis(`${this.field}.connection`);
          redis = new Redis(this._connection);
          redis.on('error', () => {}); // ioredis reconnects; commands report failures.
        }
        for (const [name, lua, keys] of [['tickwerkAcquire1', ACQUIRE, 2], ['tickwerkRenew1', RENEW, 1], ['tickwerkRelease1', RELEASE, 1], ['tickwerkApply1', APPLY, 3]]) {
          if (typeof redis[name] !== 'function') redis.defineCommand(name, { numberOfKeys: keys, lua });
        }
        return redis;
      })();
      this._redis.catch(() => {
        this._redis = undefined;
      });
    }
    return this._redis;
  }

  /** Every record of the store; an unreadable one as a CorruptEntry (left in place). */
  async load() {
    let entries;
    try {
      entries = await (await this._conn()).hgetall(this.keys.jobs);
    } catch (e) {
      throw this._fail('load failed', e);
    }
    const out = [];
    for (const id of Object.keys(entries).sort()) {
      const key = `${this.keys.jobs} ${id}`;
      let record;
      try {
        record = JSON.parse(entries[id]);
      } catch (e) {
        out.push(new CorruptEntry(key, `not JSON: ${e.message}`, id));
        continue;
      }
      if (!isObjectNotArray(record)) out.push(new CorruptEntry(key, 'not a JSON object', id));
      else if (record.id !== id) out.push(new CorruptEntry(key, `its id ${JSON.stringify(record.id)} is not its key`, id));
      else out.push(record);
    }
    return out;
  }

  /**
   * Writes `ops` in order (all or none) and removes the `consumed` change keys, in one
   * script that first checks this scheduler still holds the lease; if not, nothing is
   * written and it rejects with code LEASE_LOST.
   */
  async apply(ops, consumed = []) {
    const args = [];
    for (const op of ops) {
      if (op.op === 'put') args.push('p', op.jobId, JSON.stringify(op.record));
      else if (op.op === 'remove') args.push('r', op.jobId);
      else if (op.op === 'clear') args.push('c');
      else throw invalid('ops.op', op.op, 'put, remove or clear');
    }
    if (!this._lease) throw this._leaseLost('this scheduler does not hold the lease');
    const k = this.keys;
    try {
      const redis = await this._conn();
      await redis.tickwerkApply1(k.lease, k.jobs, k.changes, this._lease, k.notices, `records ${this.holder}`, ops.length, ...args, ...consumed);
    } catch (e) {
      if (/LEASE_LOST/.test(e?.message)) {
        const lost = this._leaseLost(`the lease is no longer this scheduler's (token ${this._lease.slice(this._lease.lastIndexOf(':') + 1)} refused by the server)`);
        this._stepDown();
        throw lost;
      }
      throw this._fail('apply failed', e);
    }
  }

  /**
   * Joins the election: `handlers.role('leader' | 'follower')` before this resolves and on
   * every change; `handlers.notice('records' | 'changes')` when another scheduler changed
   * the store.
   */
  async coordinate(handlers) {
    if (!isObjectNotArray(handlers) || typeof handlers.role !== 'function' || typeof handlers.notice !== 'function') {
      throw invalid('handlers', handlers, 'coordinate() takes { role(role), notice(what) }');
    }
    this._handlers = handlers;
    try {
      await this._join();
    } catch (e) {
      await this._disconnect();
      throw e;
    }
  }

  async _join() {
    const redis = await this._conn();
    try {
      this._sub = redis.duplicate();
      this._sub.on('error', () => {});
      let ready = 0;
      this._sub.on('ready', () => {
        // After a reconnect, notices may have been missed: look again.
        ready += 1;
        if (ready > 1 && this.role) this._notice(this.role === 'leader' ? 'changes' : 'records');
      });
      this._sub.on('message', (channel, message) => this._onMessage(message));
      await this._sub.subscribe(this.keys.notices);
    } catch (e) {
      throw this._fail('cannot subscribe to its notices', e);
    }
    this.role = 'follower';
    await this._tryLead(true);
    if (this.role !== 'leader') this._handlers.role('follower');
    this._schedule();
  }

  /** Closes the subscriber and, when the store opened it, the command connection (after a
   *  failed coordinate(): ioredis would keep reconnecting, and the process alive). */
  async _disconnect() {
    this.role = null;
    this._sub?.disconnect();
    this._sub = undefined;
    const redis = this._redis ? await this._redis.catch(() => undefined) : undefined;
    this._redis = undefined;
    if (redis && this._ownsClient) redis.disconnect();
  }

  _onMessage(message) {
    const space = message.indexOf(' ');
    const what = message.slice(0, space);
    if (message.slice(space + 1) === this.holder || this._closed) return;
    if (what === 'released') {
      if (this.role === 'follower') this._tryLead();
    } else if (what === 'records' || what === 'changes') {
      this._notice(what);
    }
  }

  _notice(what) {
    try {
      this._handlers?.notice(what);
    } catch {
      // The scheduler's reaction is its own business.
    }
  }

  _setRole(role) {
    if (this.role === role || this._closed) return;
    this.role = role;
    try {
      this._handlers?.role(role);
    } catch {
      // As for notices.
    }
  }

  /** Runs the lease step `fn` (take or renew) unless one is in flight; close() waits for it. */
  _leaseStep(fn) {
    if (this._step || this._closed) return this._step;
    this._step = fn().finally(() => {
      this._step = undefined;
    });
    return this._step;
  }

  /** Follower: takes the lease if it is free. */
  _tryLead(first = false) {
    return this._leaseStep(async () => {
      const k = this.keys;
      try {
        const sent = Date.now();
        const token = await (await this._conn()).tickwerkAcquire1(k.lease, k.token, this.holder, this.leaseTtl);
        if (token === null) return;
        this._lease = `${this.holder}:${token}`; // also when closing: close() releases it
        if (this._closed) return;
        this._armDeadline(sent);
        this._setRole('leader');
      } catch (e) {
        if (first) throw this._fail('cannot join the election', e);
      }
    });
  }

  /** Leader: extends the lease, or steps down when it is gone. */
  _renew() {
    return this._leaseStep(async () => {
      const lease = this._lease;
      const sent = Date.now();
      let ok;
      try {
        ok = await (await this._conn()).tickwerkRenew1(this.keys.lease, lease, this.leaseTtl);
      } catch {
        return; // retried at the next period; the deadline steps down if none succeeds
      }
      if (lease !== this._lease || this.role !== 'leader') return;
      if (ok === 1) this._armDeadline(sent);
      else this._stepDown();
    });
  }

  /** Steps down at `sent` + TTL − TTL/5 unless a renewal sent later succeeds first. */
  _armDeadline(sent) {
    clearTimeout(this._deadline);
    const at = sent + this.leaseTtl - this.leaseTtl / 5;
    this._deadline = setTimeout(() => this._stepDown(), Math.max(0, at - Date.now()));
    this._deadline.unref?.();
  }

  /** This scheduler is no longer the leader. The lease value is kept: a late write is sent
   *  with it and refused by the server (it is someone else's lease by then). */
  _stepDown() {
    clearTimeout(this._deadline);
    this._setRole('follower');
  }

  /** Renew (leader) or try to take the lease (follower) every renewInterval. */
  _schedule() {
    this._timer = setInterval(() => {
      if (this.role === 'leader') this._renew();
      else this._tryLead();
    }, this.renewInterval);
    this._timer.unref?.();
  }

  /** Follower: appends `changes` to the store's change queue, then tells the leader. */
  async submit(changes) {
    const k = this.keys;
    try {
      const tx = (await this._conn()).multi();
      for (const change of changes) tx.xadd(k.changes, '*', 'change', JSON.stringify(change));
      tx.publish(k.notices, `changes ${this.holder}`);
      const results = await tx.exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw failed?.[0] ?? new Error('transaction aborted');
    } catch (e) {
      throw this._fail('cannot queue changes', e);
    }
  }

  /** Leader: the queued changes, oldest first, each with its stream id as `key`. A change
   *  that does not parse is left in the queue and reported once (console.warn). */
  async takeChanges() {
    let entries;
    try {
      entries = await (await this._conn()).xrange(this.keys.changes, '-', '+');
    } catch (e) {
      throw this._fail('cannot read its change queue', e);
    }
    const out = [];
    for (const [key, fields] of entries) {
      const at = fields.indexOf('change');
      try {
        out.push({ key, change: JSON.parse(fields[at + 1]) });
      } catch (e) {
        if (!this._reported.has(key)) {
          this._reported.add(key);
          console.warn(`tickwerk: job store ${JSON.stringify(this.alias)}: change ${key} in ${this.keys.changes} is not JSON (${errorText(e)}); left in the queue`);
        }
      }
    }
    return out;
  }

  /** Leaves the election (releases the lease if held) and closes the connections it opened.
   *  Every call returns the same promise. */
  close() {
    this._closing ??= this._close();
    return this._closing;
  }

  async _close() {
    this._closed = true; // no new lease steps, role changes or notices
    clearInterval(this._timer);
    clearTimeout(this._deadline);
    await this._step?.catch(() => {}); // a lease taken meanwhile is released below
    const lease = this._lease;
    this.role = null;
    this._lease = undefined;
    const redis = this._redis ? await this._redis.catch(() => undefined) : undefined;
    if (redis && lease) {
      // Deletes the lease only while it is still ours; followers take it at once.
      const k = this.keys;
      await redis.tickwerkRelease1(k.lease, lease, k.notices, `released ${this.holder}`).catch(() => {});
    }
    this._sub?.disconnect();
    if (redis && this._ownsClient) await redis.quit().catch(() => redis.disconnect());
  }
}

/** A Redis job store for `jobstores: { default: redisStore({ connection: 'redis://…' }) }`. */
export const redisStore = (options) => new RedisJobStore(options);
