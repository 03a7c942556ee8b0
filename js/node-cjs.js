// Source of dist/node.cjs (bundled by esbuild): `require('tickwerk')` in Node.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync } from './core/tickwerk_core.js';
import { ready } from './ready.js';
import { FileJobStore } from './file-store.js';
import { registerStoreType } from './store-types.js';

// eslint-disable-next-line no-undef -- CommonJS after bundling
initSync({ module: readFileSync(join(__dirname, 'tickwerk_bg.wasm')) });
ready();
registerStoreType('file', FileJobStore); // { type: 'file', path } job stores (not in browser builds)
export * from './tickwerk.js';
