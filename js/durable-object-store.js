// A job store over a Cloudflare Durable Object's transactional storage (`ctx.storage`).
//
// Each job is one key, `<prefix>job:<alias, URI-encoded>:<job id>`, whose value is the
// core's record as JSON text. A batch of store operations is one `storage.transaction()`:
// the ops are folded into the final value of each key (put → text, remove / clear →
// deleted), then written with `put(entries)` and `delete(keys)` in chunks of at most 128
// keys (Cloudflare's limit per call), all inside the transaction, so any number of ops
// commits or rolls back as a whole. A value that is not a JSON object is returned by
// `load()` as a `CorruptEntry` (reported by the scheduler, left in place).

import { errorText, invalid, TickwerkError } from './errors.js';
import { CorruptEntry } from './store-types.js';

/** The most keys one `storage.put(entries)` or `storage.delete(keys)` call takes. */
export const MAX_KEYS_PER_CALL = 128;

/** The storage methods the store uses. */
const STORAGE_METHODS = ['list', 'put', 'delete', 'transaction'];

/** `items` cut into arrays of at most `size`. */
function chunks(items, size) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Job records in a Durable Object's storage (`ctx.storage`), one key per job. */
export class DurableObjectStore {
  /**
   * @param {DurableObjectStorage} storage the object's `ctx.storage`
   * @param {{ prefix?: string }} [options] `prefix` of every key this store writes
   *   (default `'tickwerk:'`); keep it apart from the keys your own code uses.
   */
  constructor(storage, options = {}) {
    for (const method of STORAGE_METHODS) {
      let fn;
      try {
        fn = storage?.[method];
      } catch {
        fn = undefined;
      }
      if (typeof fn !== 'function') {
        throw invalid('storage', storage, `expected a Durable Object's ctx.storage (no ${method}() method)`);
      }
    }
    const prefix = options.prefix ?? 'tickwerk:';
    if (typeof prefix !== 'string') throw invalid('prefix', prefix, 'must be a string');
    /** The Durable Object storage the records live in. */
    this.storage = storage;
    /** The prefix of every key this store writes. */
    this.prefix = prefix;
    this._inFlight = 0;
    this._idle = [];
    /** How many batches `apply` was given (for `settled()`). */
    this.batches = 0;
    this.bind('default');
  }

  /** @internal Called by the scheduler with the alias the store is registered under. */
  bind(alias) {
    /** The alias the scheduler registered this store under. */
    this.alias = alias;
    this._base = `${this.prefix}job:${encodeURIComponent(alias)}:`;
  }

  /** The storage key of job `jobId`. */
  keyOf(jobId) {
    return this._base + jobId;
  }

  /** Every record of this store; values that are not a JSON object come back as CorruptEntry. */
  async load() {
    let entries;
    try {
      entries = await this.storage.list({ prefix: this._base });
    } catch (e) {
      throw this._failure('load', e);
    }
    const out = [];
    for (const [key, value] of entries) out.push(this._decode(key, value));
    return out;
  }

  _decode(key, value) {
    const id = key.slice(this._base.length);
    if (typeof value !== 'string') return new CorruptEntry(key, `not JSON text (a stored ${value === null ? 'null' : typeof value})`, id);
    let record;
    try {
      record = JSON.parse(value);
    } catch (e) {
      return new CorruptEntry(key, `not JSON: ${e.message}`, id);
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      return new CorruptEntry(key, 'not a JSON object', id);
    }
    return record;
  }

  /** Applies `ops` in order as one storage transaction: all of them or none. */
  async apply(ops) {
    this.batches += 1;
    this._inFlight += 1;
    try {
      await this.storage.transaction(async (txn) => {
        const final = new Map();
        let stored;
        for (const op of ops) {
          if (op.op === 'put') final.set(this.keyOf(op.jobId), JSON.stringify(op.record));
          else if (op.op === 'remove') final.set(this.keyOf(op.jobId), undefined);
          else if (op.op === 'clear') {
            stored ??= [...(await txn.list({ prefix: this._base })).keys()];
            for (const key of stored) final.set(key, undefined);
            for (const key of final.keys()) final.set(key, undefined);
          }
        }
        const puts = [];
        const deletes = [];
        for (const [key, value] of final) {
          if (value === undefined) deletes.push(key);
          else puts.push([key, value]);
        }
        const writes = [];
        for (const part of chunks(puts, MAX_KEYS_PER_CALL)) writes.push(txn.put(Object.fromEntries(part)));
        for (const part of chunks(deletes, MAX_KEYS_PER_CALL)) writes.push(txn.delete(part));
        await Promise.all(writes);
      });
    } catch (e) {
      throw this._failure('write', e);
    } finally {
      this._inFlight -= 1;
      if (this._inFlight === 0) for (const resolve of this._idle.splice(0)) resolve();
    }
  }

  /** Resolves when no batch is being written. */
  idle() {
    return this._inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this._idle.push(resolve));
  }

  /** Whether a batch is being written. */
  get busy() {
    return this._inFlight > 0;
  }

  _failure(what, cause) {
    return new TickwerkError('STORE_FAILURE', `job store ${JSON.stringify(this.alias)} (Durable Object storage) ${what} failed: ${errorText(cause)}`, {
      cause,
      field: 'jobstore',
      value: this.alias,
    });
  }
}
