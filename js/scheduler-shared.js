// Shared job stores: the Scheduler's side of docs/shared-stores.md. Several schedulers open
// one store (tabs on one IndexedDB store, processes on one Postgres table); the store's
// adapter elects one leader (`coordinate`), and only the leader's core runs the store's jobs
// and writes its records. A follower keeps a *mirror* (loaded, never due); its commands on
// the store become changes (`submit`) that the leader takes (`takeChanges`), merges into its
// core three ways per record field, and writes with the changes consumed (`apply(ops,
// consumed)`, fenced: a leader that lost its place gets LEASE_LOST and steps down).
//
// Everything here is generic over an adapter with coordinate / submit / takeChanges; the
// tab election (Web Locks, BroadcastChannel) lives in the IndexedDB store (stores.js).
// Reactions to the adapter (role changes, notices) run one at a time per store.

import { errorText, isTickwerkError, TickwerkError } from './errors.js';
import { isCorrupt } from './store-types.js';

/** The scheduler leads the store: it runs the store's jobs and writes its records. */
export const ROLE_LEADER = 'leader';
/** The scheduler follows: it mirrors the store and queues its changes for the leader. */
export const ROLE_FOLLOWER = 'follower';

/** Whether `adapter` is a shared store (has `coordinate`; never throws). */
export function isSharedAdapter(adapter) {
  try {
    return typeof adapter.coordinate === 'function';
  } catch {
    return false;
  }
}

/** Whether an adapter's rejection says this scheduler is no longer the store's leader. */
export function isLeaseLost(error) {
  try {
    return error !== null && typeof error === 'object' && error.code === 'LEASE_LOST';
  } catch {
    return false;
  }
}

/** Structural equality of two JSON values (records come from JSON). */
export function sameJson(a, b) {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson(a[k], b[k]));
}

/**
 * The three-way merge of a follower's change into the leader's record, per top-level field:
 * a field the follower did not change (`mine[f]` equals `base[f]`, absent counting as a
 * value) keeps the leader's (`current[f]`), any other takes the follower's. So a rename
 * keeps the leader's `next_run_time`, while an explicit new next run time or trigger wins.
 */
export function mergeRecord(base, mine, current) {
  const out = {};
  for (const f of new Set([...Object.keys(current), ...Object.keys(mine)])) {
    const from = sameJson(mine[f], base[f]) ? current : mine;
    if (Object.prototype.hasOwnProperty.call(from, f)) out[f] = from[f];
  }
  return out;
}

/**
 * The shared stores of one Scheduler: each one's role, the records its follower mirror is
 * based on, and the chain its reactions run on. `host` is the Scheduler (its core, adapters,
 * logger, clock, loading, persist chain and event delivery).
 */
export class SharedStores {
  constructor(host) {
    this.host = host;
    /** alias → 'leader' | 'follower' */
    this.roles = new Map();
    /** alias → Map(job id → the stored record a follower's next change is based on) */
    this.bases = new Map();
    /** alias → Promise: the store's reactions, one after another */
    this.chains = new Map();
    /** alias → the adapter whose election this scheduler is in (stale handlers are ignored) */
    this.members = new Map();
  }

  /** Whether `alias` is a shared store this scheduler is in the election of. */
  has(alias) {
    return this.members.has(alias);
  }

  /** Whether the scheduler follows `alias` (its changes are submitted, not applied). */
  following(alias) {
    return this.roles.get(alias) === ROLE_FOLLOWER;
  }

  /**
   * Joins the election of a shared store; resolves with the starting role. Reactions to
   * later role changes and notices wait for `gate` (the end of `start()` / `addJobstore`).
   */
  async join(alias, adapter, gate) {
    let starting = true;
    let role;
    this.members.set(alias, adapter);
    this.chains.set(alias, gate.then(() => undefined, () => undefined));
    const current = () => this.members.get(alias) === adapter;
    const handlers = {
      role: (r) => {
        if (!current()) return;
        if (r !== ROLE_LEADER && r !== ROLE_FOLLOWER) {
          this.host._logger.error?.(`tickwerk: job store ${JSON.stringify(alias)}: coordinate's role() called with ${JSON.stringify(r)} (ignored)`);
          return;
        }
        if (starting) role = r;
        else this.react(alias, () => (r === ROLE_LEADER ? this.lead(alias) : this.follow(alias)));
      },
      notice: (what) => {
        if (!current() || starting) return;
        if (what === 'records') this.react(alias, () => (this.following(alias) ? this.reload(alias) : undefined));
        else if (what === 'changes') this.react(alias, () => (this.following(alias) ? undefined : this.takeChanges(alias)));
      },
    };
    try {
      await adapter.coordinate(handlers);
    } catch (e) {
      this.members.delete(alias);
      this.chains.delete(alias);
      throw isTickwerkError(e) ? e : new TickwerkError('STORE_FAILURE', `job store ${JSON.stringify(alias)}: coordinate failed: ${errorText(e)}`, { cause: e, field: 'jobstore', value: alias });
    }
    starting = false;
    if (role === undefined) {
      this.members.delete(alias);
      this.chains.delete(alias);
      throw new TickwerkError('STORE_FAILURE', `job store ${JSON.stringify(alias)}: coordinate() resolved without calling role('leader' | 'follower')`, { field: 'jobstore', value: alias });
    }
    this.roles.set(alias, role);
    return role;
  }

  /** Runs `step` after the store's earlier reactions; what it throws is logged. */
  react(alias, step) {
    const before = this.chains.get(alias);
    if (!before) return Promise.resolve();
    const next = before.then(async () => {
      if (!this.members.has(alias)) return;
      try {
        await step();
      } catch (e) {
        this.host._storeFailed(isTickwerkError(e) ? e : new TickwerkError('STORE_FAILURE', `job store ${JSON.stringify(alias)}: ${errorText(e)}`, { cause: e }));
      }
    });
    this.chains.set(alias, next);
    return next;
  }

  /** Records the records a follower's mirror holds (the bases of its next changes). An
   *  unreadable entry is no base: a change replacing it is a new job to the leader. */
  rememberBases(alias, entries) {
    const bases = new Map();
    for (const r of entries) if (r && typeof r === 'object' && typeof r.id === 'string' && !isCorrupt(r)) bases.set(r.id, r);
    this.bases.set(alias, bases);
  }

  /** Becoming leader: reload, lead, take the queued changes, then tick (misfire/coalesce
   *  apply to what fell due while nobody led). */
  async lead(alias) {
    if (this.roles.get(alias) === ROLE_LEADER) return;
    const { host } = this;
    const entries = await host._readEntries(alias, this.members.get(alias));
    host._loadInto(alias, entries, { replace: true });
    host._core.setStoreLeading(alias, true);
    this.setRole(alias, ROLE_LEADER);
    await this.takeChanges(alias);
    host._process();
  }

  /** Becoming follower (another scheduler leads, or the lease was lost): stop running the
   *  store's jobs and mirror what is stored. */
  async follow(alias) {
    if (this.roles.get(alias) === ROLE_FOLLOWER) return;
    this.host._core.setStoreLeading(alias, false);
    this.setRole(alias, ROLE_FOLLOWER);
    await this.reload(alias);
  }

  /** A follower reloads the stored records into its mirror. */
  async reload(alias) {
    const { host } = this;
    const entries = await host._readEntries(alias, this.members.get(alias));
    if (!this.following(alias)) return;
    host._loadInto(alias, entries, { replace: true });
    this.rememberBases(alias, entries);
    host._flush();
  }

  setRole(alias, role) {
    this.roles.set(alias, role);
    this.host._logger.info?.(`tickwerk: job store ${alias}: this scheduler is now the ${role}`);
    this.host._roleChanged(alias, role);
  }

  /** The leader takes the queued changes, applies them to its core and writes the result
   *  with the changes consumed (one atomic step in the store). */
  async takeChanges(alias) {
    const adapter = this.members.get(alias);
    if (!adapter || this.following(alias)) return;
    let queued;
    try {
      queued = await adapter.takeChanges();
    } catch (e) {
      throw isTickwerkError(e) ? e : new TickwerkError('STORE_FAILURE', `job store ${JSON.stringify(alias)}: takeChanges failed: ${errorText(e)}`, { cause: e });
    }
    if (!Array.isArray(queued) || queued.length === 0 || this.following(alias)) return;
    const keys = [];
    for (const item of queued) {
      keys.push(item.key);
      this.applyChange(alias, item.change);
    }
    await this.host._flush({ alias, consumed: keys });
  }

  /** One queued change, applied to the leader's core as a command. */
  applyChange(alias, change) {
    const { host } = this;
    const core = host._core;
    const log = host._logger;
    try {
      if (change?.op === 'remove') {
        if (core.getJob(change.jobId, alias)) core.removeJob(change.jobId, alias);
      } else if (change?.op === 'clear') {
        core.removeAllJobs(alias);
      } else if (change?.op === 'put') {
        const current = core.jobRecord(alias, change.jobId);
        const base = change.base ?? null;
        if (base !== null && current === undefined) {
          log.warn?.(`tickwerk: job store ${alias}: a follower's change of job ${JSON.stringify(change.jobId)} is dropped: the job is gone (it ran out or was removed)`);
          return;
        }
        const record = base !== null ? mergeRecord(base, change.record, current) : change.record;
        core.applyRecord(alias, record, host._now());
      } else {
        log.warn?.(`tickwerk: job store ${alias}: a queued change with op ${JSON.stringify(change?.op)} is dropped (put, remove or clear expected)`);
      }
    } catch (e) {
      log.warn?.(`tickwerk: job store ${alias}: a follower's ${change?.op} of job ${JSON.stringify(change?.jobId)} is dropped: ${errorText(e)}`);
    }
  }

  /**
   * A follower's store operations as changes for `submit`: each `put` carries the record it
   * was based on (`null` for a new job), and the bases move on with the follower's own view.
   */
  toChanges(alias, ops) {
    let bases = this.bases.get(alias);
    if (!bases) this.bases.set(alias, (bases = new Map()));
    return ops.map((op) => {
      if (op.op === 'put') {
        const base = bases.get(op.jobId) ?? null;
        bases.set(op.jobId, op.record);
        return { op: 'put', jobId: op.jobId, record: op.record, base };
      }
      if (op.op === 'remove') {
        bases.delete(op.jobId);
        return { op: 'remove', jobId: op.jobId };
      }
      bases.clear();
      return { op: 'clear' };
    });
  }

  /** A batch of the leader's was refused with LEASE_LOST: step down. */
  lost(alias) {
    this.react(alias, () => this.follow(alias));
  }

  /** Leaves the store's election state (its adapter's `close()` leaves the election). */
  forget(alias) {
    this.members.delete(alias);
    this.roles.delete(alias);
    this.bases.delete(alias);
    this.chains.delete(alias);
  }

  /** Every store's role, as a plain object. */
  snapshot() {
    return Object.fromEntries(this.roles);
  }
}
