// Node (ESM) and Bun: read the module from disk and instantiate it synchronously.
import { readFileSync } from 'node:fs';
import { initSync } from './core/tickwerk_core.js';
import { ready } from './ready.js';
import { FileJobStore } from './file-store.js';
import { registerStoreType } from './store-types.js';

initSync({ module: readFileSync(new URL('./tickwerk_bg.wasm', import.meta.url)) });
ready();
registerStoreType('file', FileJobStore); // { type: 'file', path } job stores (not in browser builds)
