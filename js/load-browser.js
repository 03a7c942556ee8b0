// Browsers and bundlers: fetch and compile the module next to this file (bundlers
// recognise `new URL('…', import.meta.url)` and ship the asset). Top-level await: the
// importer waits, so users never call an init function.
import init from './core/tickwerk_core.js';
import { ready } from './ready.js';

await init({ module_or_path: new URL('./tickwerk_bg.wasm', import.meta.url) });
ready();
