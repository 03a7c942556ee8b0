// What the job stores share with the runtime entry points: the CorruptEntry a store's
// load() returns for an entry it cannot parse, and the job store types an entry point
// registers for its runtime. The Node file store (js/file-store.js) is registered by the
// Node, Bun and Deno loaders only, so browser bundles never carry it.

/** A stored entry an adapter could not parse; reported, never deleted. */
export class CorruptEntry {
  constructor(key, reason, id) {
    this.key = key;
    this.reason = reason;
    /** The job id the entry is stored under, when the adapter knows it (`undefined` if not). */
    this.id = id;
  }
}

/**
 * Marks a stored entry as unreadable (for custom adapters' `load()`). Give the job `id` the
 * entry is stored under when you know it: the scheduler then refuses to add a job with that
 * id (CONFLICTING_ID) unless `replaceExisting` says to overwrite the entry.
 */
export const corruptEntry = (key, reason, id) => new CorruptEntry(key, reason, id);

/** Whether a loaded entry is a CorruptEntry (never throws, even for a revoked Proxy). */
export function isCorrupt(entry) {
  try {
    return entry instanceof CorruptEntry;
  } catch {
    return false;
  }
}

const types = new Map();

/** Makes `{ type: name, … }` job store specs build `new Store(options, field)`. */
export function registerStoreType(name, Store) {
  types.set(name, Store);
}

/** The store class registered under `name`, if any. */
export const storeType = (name) => types.get(name);
