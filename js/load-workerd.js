// workerd (Cloudflare Workers): the platform compiles imported .wasm files to modules.
import wasm from './tickwerk_bg.wasm';
import { initSync } from './core/tickwerk_core.js';
import { ready } from './ready.js';

initSync({ module: wasm });
ready();
