// Deno: read the module next to this file (needs --allow-read for it) synchronously.
import { initSync } from './core/tickwerk_core.js';
import { ready } from './ready.js';
import { FileJobStore } from './file-store.js';
import { registerStoreType } from './store-types.js';

initSync({ module: Deno.readFileSync(new URL('./tickwerk_bg.wasm', import.meta.url)) });
ready();
registerStoreType('file', FileJobStore); // { type: 'file', path } job stores (not in browser builds)
