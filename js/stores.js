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
// Shared stores (docs/shared-stores.md) add coordinate / submit / takeChanges and take
// `consumed` in apply: the IndexedDB store is one by default — every tab of the origin may
// start a scheduler on it; one leads (Web Locks, tab-election.js), the others follow.
//
// Single owner otherwise: an unshared store is driven by one scheduler at a time
// (APScheduler's stores have no locking, and two schedulers on one store run every job
// twice — semantics §5.1). Where the runtime has Web Locks, `start()` takes the store's lock
// and refuses with STORE_FAILURE while another scheduler holds it (localStorage, and
// IndexedDB with `{ shared: false }`). Elsewhere keeping one scheduler per store is the
// application's rule.

import { camel, checkSafeKey, errorText, invalid, isObjectNotArray, ownEntries, TickwerkError, unknownKey } from './errors.js';
import { CorruptEntry, storeType } from './store-types.js';
import { canElect, noElection, TabElection } from './tab-election.js';

export { CorruptEntry, corruptEntry } from './store-types.js';

function storeFailure(what, cause) {
  return new TickwerkError('STORE_FAILURE', `job store ${what} failed: ${errorText(cause)}`, { cause });
}

/** Records in `localStorage` (or any Web Storage object), one key per job:
 *  `<prefix>:<alias>:<job id>`. A batch is applied synchronously and rolled back whole if a
 *  write fails (quota). */
export class LocalStorageJobStore {
  /** The class's name, kept when the bundle is minified (no keepNames). */
  static name = 'LocalStorageJobStore';

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

/** The IndexedDB database version: 1 had `jobs`; 2 adds `changes` (the change queue of a
 *  shared store) and keeps every record of version 1. */
const IDB_VERSION = 2;

/**
 * Records in IndexedDB: database `dbName`, object store `jobs`, key `[alias, job id]`. A
 * batch is one readwrite transaction (atomic).
 *
 * Shared (the default; docs/shared-stores.md): every tab or worker of the origin may start
 * a scheduler on the store. The leader holds the Web Lock `tickwerk:indexeddb:<dbName>:<alias>`
 * until it closes (the browser releases it when the tab closes or crashes, and the next
 * waiting tab leads); followers queue their changes in the object store `changes` (value `{
 * alias, change }`, auto-increment key, index `alias`) and tell the leader on the
 * BroadcastChannel of the same name; the leader writes records and consumes changes in one
 * transaction, after checking it still holds the lock. Where Web Locks or BroadcastChannel
 * are missing, the constructor refuses (INVALID_ARGUMENT naming `shared`): `{ shared: false
 * }` is the caller's promise that only one scheduler uses the store.
 */
export class IndexedDBJobStore {
  /** The class's name, kept when the bundle is minified (no keepNames). */
  static name = 'IndexedDBJobStore';

  /** @param {{ dbName?: string, indexedDB?: IDBFactory, shared?: boolean }} [options] */
  constructor(options = {}, field = 'jobstore') {
    this.dbName = options.dbName ?? 'tickwerk';
    this.idb = options.indexedDB ?? globalThis.indexedDB;
    this.alias = 'default';
    this._db = undefined;
    if (!this.idb || typeof this.idb.open !== 'function') {
      throw invalid(`${field}.indexedDB`, this.idb, 'no IndexedDB in this runtime (pass { indexedDB })');
    }
    const shared = options.shared ?? true;
    if (typeof shared !== 'boolean') throw invalid(`${field}.shared`, shared, 'must be true or false');
    if (shared && !canElect()) throw noElection(`${field}.shared`, 'an IndexedDB job store');
    /** Whether tabs share the store (leader election); `false`: one scheduler, by promise. */
    this.shared = shared;
    this._election = undefined;
    // Unshared: not in an election (the scheduler sees no coordinate()).
    if (!shared) this.coordinate = undefined;
  }

  /** @internal */
  bind(alias) {
    this.alias = alias;
    const name = `tickwerk:indexeddb:${this.dbName}:${alias}`;
    if (this.shared) this._name = name;
    else this.lockName = name;
  }

  _open() {
    if (!this._db) {
      const req = this.idb.open(this.dbName, IDB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains('jobs')) db.createObjectStore('jobs');
        if (!db.objectStoreNames.contains('changes')) db.createObjectStore('changes', { autoIncrement: true }).createIndex('alias', 'alias');
      };
      const opened = request(req).then((db) => {
        // A newer version opened elsewhere: let it upgrade, reopen on the next use.
        db.onversionchange = () => {
          db.close();
          if (this._db === opened) this._db = undefined;
        };
        return db;
      });
      opened.catch(() => {
        if (this._db === opened) this._db = undefined;
      });
      this._db = opened;
    }
    return this._db;
  }

  /** Joins the tabs' election (shared stores; see the class docs). */
  async coordinate(handlers) {
    this._election?.close();
    const election = new TabElection(this._name);
    this._election = election;
    await election.join(handlers);
  }

  /** Follower: appends `changes` to the queue (one transaction), then tells the leader. */
  async submit(changes) {
    try {
      const db = await this._open();
      const tx = db.transaction('changes', 'readwrite');
      const done = completion(tx);
      const queue = tx.objectStore('changes');
      for (const change of changes) queue.add({ alias: this.alias, change });
      await done;
    } catch (e) {
      throw storeFailure(`"${this.alias}" (IndexedDB) submit`, e);
    }
    this._election?.notify('changes');
  }

  /** Leader: the queued changes of this store, oldest first, with their keys. */
  async takeChanges() {
    try {
      const db = await this._open();
      const tx = db.transaction('changes', 'readonly');
      const out = [];
      await new Promise((resolve, reject) => {
        const req = tx.objectStore('changes').index('alias').openCursor(globalThis.IDBKeyRange.only(this.alias));
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const cursor = req.result;
          if (!cursor) return resolve();
          out.push({ key: cursor.primaryKey, change: cursor.value.change });
          cursor.continue();
          return undefined;
        };
      });
      return out.sort((a, b) => a.key - b.key);
    } catch (e) {
      throw storeFailure(`"${this.alias}" (IndexedDB) takeChanges`, e);
    }
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

  /** Applies `ops` in one transaction, removing the `consumed` queued changes in it; a
   *  shared store's leader that no longer holds the lock is refused with LEASE_LOST. */
  async apply(ops, consumed = []) {
    const fenced = this.shared && this._election !== undefined;
    try {
      const db = await this._open();
      if (fenced && !this._election.leading) throw leaseLost(this.alias);
      const tx = db.transaction(['jobs', 'changes'], 'readwrite');
      const store = tx.objectStore('jobs');
      const done = completion(tx);
      for (const op of ops) {
        if (op.op === 'put') store.put(op.record, [this.alias, op.jobId]);
        else if (op.op === 'remove') store.delete([this.alias, op.jobId]);
        else if (op.op === 'clear') store.delete(this._range());
      }
      const queue = tx.objectStore('changes');
      for (const k of consumed) queue.delete(k);
      await done;
    } catch (e) {
      if (e?.code === 'LEASE_LOST') throw e;
      throw storeFailure(`"${this.alias}" (IndexedDB)`, e);
    }
    if (fenced && ops.length > 0) this._election.notify('records');
  }

  /** Leaves the election (releases the lock: the next tab leads) and closes the database. */
  close() {
    this._election?.close();
    this._election = undefined;
    const db = this._db;
    this._db = undefined;
    if (db) db.then((d) => d.close(), () => {});
  }
}

/** A transaction's end as a promise (rejects when it errs or aborts). */
function completion(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

/** The refusal of a write by a scheduler that no longer leads the store. */
function leaseLost(alias) {
  return new TickwerkError('LEASE_LOST', `job store ${JSON.stringify(alias)}: this scheduler no longer leads it (its lock was released); nothing written`, { field: 'jobstore', value: alias });
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
  indexeddb: ['type', 'dbName', 'indexedDB', 'shared'],
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
      adapter = new IndexedDBJobStore(opts, field);
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
