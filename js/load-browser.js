// Browsers and bundlers: the wasm module is fetched and compiled asynchronously, with no
// top-level await (a failed load must not take the importing app down, and some bundlers
// refuse top-level await). Loading starts once the importing code's synchronous part is done,
// from the file next to this module (`new URL('…', import.meta.url)`, which webpack, Vite
// and Parcel ship as an asset), unless the app called `ready(source)` before that.
import init from './core/tickwerk_core.js';
import { errorText, TickwerkError } from './errors.js';
import { ready, setLoader } from './ready.js';

/** The URL a load tried, or `undefined` when it was given something else. Never throws. */
function urlOf(from) {
  try {
    return typeof from === 'string' ? from : from instanceof URL ? from.href : undefined;
  } catch {
    return undefined;
  }
}

setLoader(async (source) => {
  let from = source;
  try {
    from ??= new URL('./tickwerk_bg.wasm', import.meta.url);
    await init({ module_or_path: from });
  } catch (e) {
    const url = urlOf(from);
    throw new TickwerkError('LOAD_FAILED', `tickwerk could not load its WebAssembly module from ${url ?? 'the source given to ready()'} (${errorText(e)}). ` +
      "Serve the package's dist/tickwerk_bg.wasm there (esbuild: copy it beside the bundle; Vite 5 dev server: optimizeDeps.exclude ['tickwerk']) " +
      'or pass its URL, bytes or WebAssembly.Module to ready(source); see "Bundlers" in the README.', { field: 'source', value: url, cause: e });
  }
});
setTimeout(() => ready().catch(() => {}));
