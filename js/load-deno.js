// Deno: read the module next to this file (needs --allow-read for it) synchronously.
import { initSync } from './core/tickwerk_core.js';
import { ready } from './ready.js';

initSync({ module: Deno.readFileSync(new URL('./tickwerk_bg.wasm', import.meta.url)) });
ready();
