// Entry point for browsers and bundlers (the package's default). No top-level await: the
// wasm module loads in the background (load-browser.js); apps `await ready()` before using it.
import './load-browser.js';
export * from './tickwerk.js';
