// Entry point for Deno.
import './load-deno.js';
export * from './tickwerk.js';
