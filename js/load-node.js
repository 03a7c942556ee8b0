// Node (ESM) and Bun: read the module from disk and instantiate it synchronously.
import { readFileSync } from 'node:fs';
import { initSync } from './core/tickwerk_core.js';
import { ready } from './ready.js';

initSync({ module: readFileSync(new URL('./tickwerk_bg.wasm', import.meta.url)) });
ready();
