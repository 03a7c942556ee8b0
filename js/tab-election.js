// The election of the browser stores (IndexedDB, localStorage) between the tabs and workers
// of one origin: the leader holds the Web Lock named after the store until it closes, and
// the browser releases it when the tab closes or crashes — the next waiting request is
// granted at once, and that scheduler leads. Notices go on a BroadcastChannel of the same
// name ('records': the leader wrote; 'changes': a follower queued changes).
//
// The starting role is decided at once by an `ifAvailable` probe; a follower then waits in
// the lock's queue with a plain (waiting) `navigator.locks.request`, so a handover needs no
// polling and no timeout.

import { invalid } from './errors.js';

/** Whether this runtime has what the election needs (Web Locks and BroadcastChannel). */
export function canElect() {
  try {
    return typeof globalThis.navigator?.locks?.request === 'function' && typeof globalThis.BroadcastChannel === 'function';
  } catch {
    return false;
  }
}

/** The refusal where Web Locks (or BroadcastChannel) are missing: names the fix. */
export function noElection(field, what) {
  return invalid(
    field,
    true,
    `${what} is shared between tabs through Web Locks (navigator.locks) and BroadcastChannel, which this runtime lacks; ` +
      'pass { shared: false } when this is the only scheduler on the store (a second one would run every job again)',
  );
}

/** One scheduler's place in a store's election (Web Lock + BroadcastChannel `name`). */
export class TabElection {
  constructor(name) {
    this.name = name;
    /** Whether this member holds the lock (leads). */
    this.leading = false;
    this.closed = false;
    this.channel = undefined;
    this.abort = undefined;
    this.release = undefined;
  }

  /**
   * Joins: `handlers.role('leader' | 'follower')` before this resolves and at every change,
   * `handlers.notice(what)` for the other members' notices.
   */
  async join(handlers) {
    this.closed = false;
    const locks = globalThis.navigator.locks;
    this.channel = new globalThis.BroadcastChannel(this.name);
    this.channel.onmessage = (e) => {
      const what = e?.data?.what;
      if (!this.closed && (what === 'records' || what === 'changes')) handlers.notice(what);
    };
    const held = new Promise((resolve) => {
      this.release = resolve;
    });
    const hold = () => {
      if (this.closed) return undefined;
      this.leading = true;
      handlers.role('leader');
      return held;
    };
    const first = await new Promise((resolve, reject) => {
      locks
        .request(this.name, { ifAvailable: true }, (lock) => {
          resolve(Boolean(lock));
          return lock ? hold() : undefined;
        })
        .catch(reject);
    });
    if (first) return;
    handlers.role('follower');
    this.abort = new AbortController();
    locks.request(this.name, { signal: this.abort.signal }, hold).catch(() => {
      // Aborted by close() while waiting: nothing held, nothing to do.
    });
  }

  /** Tells the other members: 'records' (the leader wrote) or 'changes' (queued). */
  notify(what) {
    try {
      this.channel?.postMessage({ what });
    } catch {
      // A closed channel (the scheduler is shutting down): nobody left to tell from here.
    }
  }

  /** Leaves: releases the lock (the next waiter leads) or stops waiting for it. */
  close() {
    this.closed = true;
    this.leading = false;
    this.release?.();
    this.abort?.abort();
    this.channel?.close();
    this.channel = undefined;
    this.release = undefined;
    this.abort = undefined;
  }
}
