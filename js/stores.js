// Job stores. `memory` lives in the core; the others are *persistent*: the core decides,
// and emits an ordered outbox of operations (put record, remove, clear) that the adapter
// applies. Every adapter has the same small interface (like idb-keyval's):
//
//   load()      → Promise<Array<record | CorruptEntry>>   every record of this store
//   apply(ops)  → Promise<void>   ops applied in order, all or none (one batch)
//   lockName    (optional)        a Web Locks name: one scheduler (tab) drives the store
//
// A record is the core's versioned JSON job record. A stored entry the adapter cannot even
// parse is returned as `corruptEntry(key, reason)`: it is reported and left where it is.
//
// Single owner: a store is driven by one scheduler at a time (APScheduler's stores have no
// locking, and two schedulers on one store run every job twice — semantics §5.1). Where the
// runtime has Web Locks (browsers: tabs of one origin), `start()` takes the store's lock
// and refuses with STORE_FAILURE while another scheduler holds it. Elsewhere (Node, Deno
// without locks) keeping one scheduler per store is the application's rule.

import { camel, checkSafeKey, errorText, invalid, isObjectNotArray, ownEntries, TickwerkError, unknownKey } from './errors.js';
import { CorruptEntry, storeType } from './store-types.js';

export { CorruptEntry, corruptEntry } from './store-types.js';

function storeFailure(what, cause) {
  return new TickwerkError('STORE_FAILURE', `job store ${what} failed: ${errorText(cause)}`, { cause });
}

/** Records in `localStorage` (or any Web Storage object), one key per job:
 *  `<prefix>:<alias>:<job id>`. A batch is applied synchronously and rolled back whole if a
 *  write fails (quota). */
export class LocalStorageJobStore {
  /** @param {{ prefix?: string, storage?: Storage }} [options] */
  constructor(options = {}) {
    this.prefix = options.prefix ?? 'tickwerk';
    this.storage = options.storage ?? globalThis.localStorage;
    this.alias = 'default';
    if (!this.storage || typeof this.storage.getItem !== 'function') {
      throw invalid('jobstore.storage', this.storage, 'no localStorage in this runtime (pass { storage })');
    }
  }

  /** @internal Called by the scheduler with the alias the store is registered under. */
  bind(alias) {
    this.alias = alias;
    this.lockName = `tickwerk:localstorage:${this.prefix}:${alias}`;
  }

  _base() {
    return `${this.prefix}:${this.alias}:`;
  }

  _keys() {
    const base = this._base();
    const keys = [];
    for (let i = 0; i < this.storage.length; i += 1) {
      const k = this.storage.key(i);
      if (k !== null && k.startsWith(base)) keys.push(k);
    }
    return keys;
  }

  async load() {
    const out = [];
    for (const key of this._keys().sort()) {
      const text = this.storage.getItem(key);
      try {
        out.push(JSON.parse(text));
      } catch (e) {
        out.push(new CorruptEntry(key, `not JSON: ${e.message}`, key.slice(this._base().length)));
      }
    }
    return out;
  }

  async apply(ops) {
    const before = new Map();
    const remember = (k) => {
      if (!before.has(k)) before.set(k, this.storage.getItem(k));
    };
    try {
      for (const op of ops) {
        if (op.op === 'put') {
          const k = this._base() + op.jobId;
          remember(k);
          this.storage.setItem(k, JSON.stringify(op.record));
        } else if (op.op === 'remove') {
          const k = this._base() + op.jobId;
          remember(k);
          this.storage.removeItem(k);
        } else if (op.op === 'clear') {
          for (const k of this._keys()) {
            remember(k);
            this.storage.removeItem(k);
          }
        }
      }
    } catch (e) {
      for (const [k, v] of before) {
        try {
          if (v === null) this.storage.removeItem(k);
          else this.storage.setItem(k, v);
        } catch {
          // Restoring a value that fitted before cannot exceed the quota; nothing to do.
        }
      }
      throw storeFailure(`"${this.alias}" (localStorage)`, e);
    }
  }
}

const request = (req) =>
  new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });

/** Records in IndexedDB: database `dbName`, object store `jobs`, key `[alias, job id]`.
 *  A batch is one readwrite transaction (atomic). */
export class IndexedDBJobStore {
  /** @param {{ dbName?: string, indexedDB?: IDBFactory }} [options] */
  constructor(options = {}) {
    this.dbName = options.dbName ?? 'tickwerk';
    this.idb = options.indexedDB ?? globalThis.indexedDB;
    this.alias = 'default';
    this._db = undefined;
    if (!this.idb || typeof this.idb.open !== 'function') {
      throw invalid('jobstore.indexedDB', this.idb, 'no IndexedDB in this runtime (pass { indexedDB })');
    }
  }

  /** @internal */
  bind(alias) {
    this.alias = alias;
    this.lockName = `tickwerk:indexeddb:${this.dbName}:${alias}`;
  }

  _open() {
    if (!this._db) {
      const req = this.idb.open(this.dbName, 1);
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains('jobs')) req.result.createObjectStore('jobs');
      };
      this._db = request(req);
    }
    return this._db;
  }

  /** Every key `[alias, id]` of this store: `[alias]` sorts before them, `[alias, []]` after. */
  _range() {
    if (!globalThis.IDBKeyRange) throw new Error('IDBKeyRange is missing');
    return globalThis.IDBKeyRange.bound([this.alias], [this.alias, []]);
  }

  async load() {
    try {
      const db = await this._open();
      const tx = db.transaction('jobs', 'readonly');
      const values = await request(tx.objectStore('jobs').getAll(this._range()));
      return values;
    } catch (e) {
      throw storeFailure(`"${this.alias}" (IndexedDB) load`, e);
    }
  }

  async apply(ops) {
    try {
      const db = await this._open();
      const tx = db.transaction('jobs', 'readwrite');
      const store = tx.objectStore('jobs');
      const done = new Promise((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
      });
      for (const op of ops) {
        if (op.op === 'put') store.put(op.record, [this.alias, op.jobId]);
        else if (op.op === 'remove') store.delete([this.alias, op.jobId]);
        else if (op.op === 'clear') store.delete(this._range());
      }
      await done;
    } catch (e) {
      throw storeFailure(`"${this.alias}" (IndexedDB)`, e);
    }
  }

  /** Closes the database connection. */
  close() {
    const db = this._db;
    this._db = undefined;
    if (db) db.then((d) => d.close(), () => {});
  }
}

const isAdapter = (x) => {
  try {
    return x !== null && typeof x === 'object' && typeof x.load === 'function' && typeof x.apply === 'function';
  } catch {
    return false;
  }
};

/** Whether `spec` is a `{ type, … }` object (not an array; never throws). */
export const isSpecObject = isObjectNotArray;

/** The option keys of each store type (snake_case spellings are read as these). */
const STORE_KEYS = {
  memory: ['type'],
  localstorage: ['type', 'prefix', 'storage'],
  indexeddb: ['type', 'dbName', 'indexedDB'],
  custom: ['type', 'store'],
  file: ['type', 'path'],
};

/**
 * `{ type, … }` options of a store or executor spec as a plain object with camelCase keys;
 * `known(type)` lists the keys allowed for its type, and any other key is an error.
 */
export function readSpec(field, spec, known) {
  const opts = {};
  for (const [key, value] of ownEntries(field, spec)) {
    checkSafeKey(field, key);
    opts[camel(key)] = value;
  }
  const allowed = known(opts.type);
  if (allowed) {
    for (const key of Object.keys(opts)) if (!allowed.includes(key)) throw unknownKey(field, key, allowed);
  }
  return opts;
}

/**
 * The adapter for a job store configuration, or `null` for a memory store. `spec`: a type
 * name (`'memory'`, `'localstorage'`, `'indexeddb'`), `{ type, ...options }`, or an adapter
 * object (`{ load, apply }`, also as `{ type: 'custom', store }`).
 * @returns {{ kind: string, adapter: object | null }}
 */
export function createStore(field, alias, spec) {
  if (isAdapter(spec)) {
    bindTo(field, spec, alias);
    return { kind: 'custom', adapter: spec };
  }
  if (typeof spec !== 'string' && !isSpecObject(spec)) {
    throw invalid(field, spec, 'a job store is a type name, { type, … } or an object with load() and apply()');
  }
  const opts = typeof spec === 'string' ? { type: spec } : readSpec(field, spec, (t) => STORE_KEYS[typeof t === 'string' ? t.toLowerCase() : '']);
  const type = typeof opts.type === 'string' ? opts.type.toLowerCase() : '';
  let adapter;
  switch (type) {
    case 'memory':
      return { kind: 'memory', adapter: null };
    case 'localstorage':
      adapter = new LocalStorageJobStore(opts);
      break;
    case 'indexeddb':
      adapter = new IndexedDBJobStore(opts);
      break;
    case 'custom':
      if (!isAdapter(opts.store)) throw invalid(`${field}.store`, opts.store, 'a custom store needs load() and apply()');
      adapter = opts.store;
      break;
    default: {
      // Types a runtime's entry point registers (the Node file store: Node, Bun, Deno).
      const Registered = storeType(type);
      if (!Registered) throw invalid(`${field}.type`, opts.type, 'unknown job store type (memory, localstorage, indexeddb, custom; file in Node, Bun and Deno)');
      adapter = new Registered(opts, field);
    }
  }
  bindTo(field, adapter, alias);
  return { kind: type, adapter };
}

/** Calls an adapter's optional `bind(alias)`; whatever it throws is an INVALID_ARGUMENT. */
function bindTo(field, adapter, alias) {
  try {
    adapter.bind?.(alias);
  } catch (e) {
    throw invalid(`${field}.bind`, alias, `the store's bind() threw (${errorText(e)})`);
  }
}
