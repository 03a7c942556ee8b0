#!/usr/bin/env node
// `npm run demo`: builds the package when needed and serves the repository's demo page
// (www/, which imports ../dist/browser.js) on http://127.0.0.1:PORT/www/ until Ctrl-C.
//
//   node scripts/demo.mjs [--port N] [--no-build] [--full-build]
//
// Build: no dist/ → the full build (cargo + wasm-bindgen + wasm-opt + esbuild); dist/ present
// → `--skip-cargo` (re-bundles js/ around the compiled wasm) when cargo's output is there,
// else dist/ is served as it is. `--full-build` always builds fully, `--no-build` never builds.
// Port: --port, else $PORT, else 8080 (a free port when 8080 is taken); `--port 0` = any free port.
// The server is also a module: tests/browser/demo.test.mjs imports `startDemoServer`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

/** Top-level folders the server hands out (the page, the package, the screenshot). */
const SERVED = ['www', 'dist', 'docs'];

/** A static file server for the repository's www/, dist/ and docs/ (GET and HEAD only). */
export function createDemoServer({ dir = root } = {}) {
  return createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (path === '/' || path === '/www') {
      res.writeHead(302, { location: '/www/' }).end();
      return;
    }
    const file = resolve(dir, '.' + path);
    const top = file.slice(dir.length + 1).split(sep)[0];
    if (!file.startsWith(dir + sep) || !SERVED.includes(top) || path.includes('\0')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    try {
      let target = file;
      if ((await stat(target)).isDirectory()) {
        if (!path.endsWith('/')) {
          res.writeHead(302, { location: path + '/' }).end();
          return;
        }
        target = join(target, 'index.html');
      }
      const body = await readFile(target);
      res.writeHead(200, {
        'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
}

/** Listens on 127.0.0.1:`port` (0 = a free port); resolves to `{ server, url }`. */
export function startDemoServer({ port = 0, host = '127.0.0.1', dir = root } = {}) {
  const server = createDemoServer({ dir });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolvePromise({ server, url: `http://${host}:${server.address().port}/www/` });
    });
  });
}

function build(flags) {
  const dist = join(root, 'dist');
  const haveDist = existsSync(join(dist, 'browser.js')) && existsSync(join(dist, 'tickwerk_bg.wasm'));
  const targetDir = process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, 'target');
  const compiled = existsSync(join(targetDir, 'wasm32-unknown-unknown', 'wasm-release', 'tickwerk.wasm'));
  let argv;
  if (flags.has('--no-build')) argv = null;
  else if (!haveDist || flags.has('--full-build')) argv = [];
  else if (compiled) argv = ['--skip-cargo'];
  else argv = null;
  if (argv === null) {
    if (!haveDist) throw new Error('dist/ is missing: run without --no-build (or `npm run build`)');
    console.error('[demo] serving the existing dist/');
    return;
  }
  console.error(`[demo] node scripts/build.mjs ${argv.join(' ')}`.trimEnd());
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), ...argv], { cwd: root, stdio: 'inherit' });
}

async function main() {
  const argv = process.argv.slice(2);
  const flags = new Set(argv.filter((a) => a.startsWith('--') && a !== '--port'));
  const portAt = argv.indexOf('--port');
  const asked = portAt >= 0 ? argv[portAt + 1] : process.env.PORT;
  const port = asked === undefined ? 8080 : Number(asked);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad port ${JSON.stringify(asked)}`);
  build(flags);
  let started;
  try {
    started = await startDemoServer({ port });
  } catch (e) {
    if (e.code !== 'EADDRINUSE' || asked !== undefined) throw e;
    started = await startDemoServer({ port: 0 });
  }
  console.log(`tickwerk demo: ${started.url}  (Ctrl-C to stop)`);
  const stop = () => {
    started.server.close();
    started.server.closeAllConnections?.();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  main().catch((e) => {
    console.error(`[demo] ${e.message}`);
    process.exit(1);
  });
}
