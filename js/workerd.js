// Entry point for workerd (Cloudflare Workers, wrangler, miniflare).
import './load-workerd.js';
export * from './tickwerk.js';
