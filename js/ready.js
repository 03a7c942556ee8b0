// Whether the wasm module is loaded, and `ready()`, shared by every runtime. The synchronous
// loaders (Node, Bun, Deno, workerd, node.cjs) instantiate the module at import and then call
// `ready()`, which registers the error class; in those runtimes `ready()` resolves at once
// ever after. The browser loader registers an asynchronous `load` with `setLoader`: until it
// has finished, every call into wasm throws a `NOT_READY` TickwerkError (see the glue patch
// in scripts/build.mjs), and `ready(source)` is what apps await.
import { registerErrorClass, setNotReady } from './core/tickwerk_core.js';
import { TickwerkError } from './errors.js';

let loaded = false;
/** Browsers: `(source) => Promise` that instantiates the module from `source` (or the default URL). */
let load;
/** The load in flight (or done); cleared when it fails, so the next `ready()` tries again. */
let pending;
/** The last failed load's `LOAD_FAILED` error. */
let failure;

/** Installs the browser's asynchronous loader (load-browser.js). */
export function setLoader(fn) {
  load = fn;
  setNotReady(() => new TickwerkError('NOT_READY', `tickwerk's WebAssembly module ${failure
    ? `did not load: ${failure.message}`
    : 'is still loading: `await ready()` (exported by tickwerk) before using triggers or a Scheduler'}`, { cause: failure }));
}

/**
 * Resolves when the wasm module is instantiated and the API is usable; rejects with a
 * `LOAD_FAILED` TickwerkError. `source` (browsers): the module's URL, bytes, a Response or a
 * `WebAssembly.Module` to load instead of the default URL; it is tried after a default load
 * that has already started, if that fails. Node, Bun, Deno and workerd load at import:
 * there it resolves at once and ignores `source`.
 */
export function ready(source) {
  if (!load && !loaded) {
    registerErrorClass(TickwerkError);
    loaded = true;
  }
  if (loaded) return Promise.resolve();
  if (pending && source == null) return pending;
  const p = (pending ? pending.catch(() => load(source)) : load(source)).then(() => {
    registerErrorClass(TickwerkError);
    loaded = true;
  }, (e) => {
    failure = e;
    if (pending === p) pending = undefined;
    throw e;
  });
  pending = p;
  return p;
}
