// Entry point for browsers and bundlers (the package's default).
import './load-browser.js';
export * from './tickwerk.js';
