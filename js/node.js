// Entry point for Node (import) and Bun.
import './load-node.js';
export * from './tickwerk.js';
