// Shared helper of the server-backed store tests (tests/servers/): waiting (every test), and
// for the adapter tests (postgres-store.test.mjs, redis-store.test.mjs) joining an election
// with a log of what the adapter was told, the records and roles they compare, and the check
// of a bad option's typed error.
//
//   const a = await joined(new RedisJobStore({ connection: url }));
//   await until(() => roles(a).includes('follower'), 'a stepping down');
import { TickwerkError } from '../../js/errors.js';
import { invalidArgOf } from '../js/invalid-argument.mjs';

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `cond()` (sync or async) holds and resolves with its value; fails after `ms`,
 *  naming `what`. Polls every `every` ms. */
export async function until(cond, what, ms = 5000, every = 5) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await cond();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

/** Binds `store` to `alias` and joins its election, recording every role change and notice
 *  in `store.log` ({ role, at } / { notice, at }, at: Date.now()); resolves with the store. */
export async function joined(store, alias = 'default') {
  store.bind(alias);
  store.log = [];
  await store.coordinate({
    role: (role) => store.log.push({ role, at: Date.now() }),
    notice: (what) => store.log.push({ notice: what, at: Date.now() }),
  });
  return store;
}

/** The roles a joined store was told, in order. */
export const roles = (store) => store.log.filter((e) => e.role).map((e) => e.role);

/** How many `what` notices ('records' | 'changes') a joined store was told. */
export const notices = (store, what) => store.log.filter((e) => e.notice === what).length;

/** A put op of record `{ version: 1, id, ...extra }` into store `default`. */
export const put = (id, extra = {}) => ({ op: 'put', jobstore: 'default', jobId: id, record: { version: 1, id, ...extra } });

/** Asserts an INVALID_ARGUMENT TickwerkError (js/errors.js) naming `field`, its message
 *  matching `pattern` (see invalid-argument.mjs). */
export const invalidArg = invalidArgOf(TickwerkError);
