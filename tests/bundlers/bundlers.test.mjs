// The browser entry through real bundlers, in a real browser: the app in tests/bundlers/app/
// (`import … from 'tickwerk'`, with the built package copied to its node_modules/tickwerk,
// so the package.json `exports` and `sideEffects` apply) is built with esbuild, Vite 5,
// Vite 8 and webpack 5 (pinned dev dependencies), each build served on 127.0.0.1 and loaded in
// headless Chromium (playwright-core, /usr/bin/chromium). Every page awaits `ready()`, builds
// triggers, starts a Scheduler and sees its jobs run; the modes of app/main.js also check a
// wasm URL that 404s (a catchable LOAD_FAILED naming the URL; the app keeps running and
// recovers), explicit sources (a URL, bytes, a WebAssembly.Module) and that `ready(source)`
// called first keeps the default URL from being fetched at all. Vite's dev servers too:
// Vite 5's dependency pre-bundling moves the module away from its wasm (a catchable
// LOAD_FAILED; `optimizeDeps.exclude: ['tickwerk']` is the README's fix), Vite 8's does not.
// Run: node --test tests/bundlers/ (after `npm run build`).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const WASM = join(root, 'dist', 'tickwerk_bg.wasm');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const PAGE = '<!doctype html><meta charset="utf-8"><title>tickwerk bundled</title>\n';

let app;
let browser;
before(async () => {
  assert.ok(existsSync(WASM), 'run `npm run build` first');
  app = mkdtempSync(join(tmpdir(), 'tickwerk-bundlers-'));
  cpSync(join(here, 'app'), app, { recursive: true });
  // The package as npm installs it (a copy, not a link: Vite treats a linked package as
  // source and would not pre-bundle it in its dev server).
  const pkg = join(app, 'node_modules', 'tickwerk');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
  cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
  });
});
after(async () => {
  await browser?.close();
  if (app) rmSync(app, { recursive: true, force: true });
});

/**
 * Serves `dir` (a build) on 127.0.0.1, and the package's wasm at /alt/tickwerk.wasm (the copy
 * the explicit-source modes load). With `server.block`, every other .wasm answers 404.
 * `server.log` lists `[status, path]` of each request.
 */
async function serve(dir) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path === '/alt/tickwerk.wasm' ? WASM : normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path));
    let status = 200;
    if ((file !== WASM && !file.startsWith(dir)) || !existsSync(file) || (server.block && file !== WASM && file.endsWith('.wasm'))) status = 404;
    server.log.push([status, path]);
    if (status !== 200) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  server.log = [];
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** Loads the build's page in `mode` and returns the app's result, the requests and page errors. */
async function load(server, mode, block) {
  server.block = block;
  server.log = [];
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(`http://127.0.0.1:${server.address().port}/?mode=${mode}`);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 });
    const result = await page.evaluate(() => window.__result);
    const stillRunning = await page.evaluate(() => document.documentElement.dataset.stillRunning);
    return { result, stillRunning, errors, log: server.log };
  } finally {
    await page.close();
  }
}

/** What every successful page shows. */
function checkWorked(r, what) {
  assert.equal(r.result.fatal, undefined, `${what}: ${r.result.fatal}`);
  assert.deepEqual(r.errors, [], `${what}: uncaught errors`);
  assert.equal(r.result.before.code, 'NOT_READY', `${what}: a trigger built before ready()`);
  assert.equal(r.result.before.isTickwerk, true);
  assert.match(r.result.before.message, /await ready\(\)/);
  assert.deepEqual(r.result.cron, ["cron[hour='9', minute='30']", '2026-05-01T07:30:00.000Z'], what);
  assert.equal(r.result.error.isTickwerk, true, `${what}: instanceof TickwerkError`);
  assert.equal(r.result.error.code, 'UNKNOWN_TIMEZONE');
  assert.deepEqual(r.result.runs, ['once', 'tick'], `${what}: the jobs ran`);
  assert.equal(r.result.state, 'stopped');
}

const wasmRequests = (log) => log.filter(([, p]) => p.endsWith('.wasm') && p !== '/alt/tickwerk.wasm');

/** Runs every mode of app/main.js against one build. */
async function checkBuild(t, dir, name) {
  const server = await serve(dir);
  try {
    // The default URL, as the bundler shipped it.
    const plain = await load(server, 'default', false);
    checkWorked(plain, `${name} default`);
    const shipped = wasmRequests(plain.log);
    assert.equal(shipped.length, 1, `${name}: one wasm request: ${JSON.stringify(plain.log)}`);
    assert.equal(shipped[0][0], 200, `${name}: the bundler shipped the wasm at ${shipped[0][1]}`);
    assert.ok(!plain.log.some(([, p]) => p === '/alt/tickwerk.wasm'));
    t.diagnostic(`${name}: the wasm is served at ${shipped[0][1]}`);

    // That URL 404s: a catchable LOAD_FAILED naming it; the app goes on and recovers.
    const missing = await load(server, 'missing', true);
    checkWorked(missing, `${name} missing`);
    const e = missing.result.loadError;
    assert.equal(e.isTickwerk, true, `${name}: ${JSON.stringify(e)}`);
    assert.equal(e.code, 'LOAD_FAILED');
    assert.equal(e.name, 'TickwerkError');
    const url = `http://127.0.0.1:${server.address().port}${shipped[0][1]}`;
    assert.equal(e.value, url, 'the error names the URL tried');
    assert.ok(e.message.includes(url), e.message);
    assert.match(e.message, /404/);
    assert.match(e.message, /ready\(source\)/);
    assert.match(e.message, /Bundlers/);
    t.diagnostic(`${name}, wasm URL 404: ${e.message}`);
    assert.equal(missing.result.notReady.code, 'NOT_READY');
    assert.equal(missing.result.notReady.causeIsLoadError, true);
    assert.ok(missing.result.notReady.message.includes(url));
    assert.equal(missing.stillRunning, 'yes');
    assert.deepEqual(wasmRequests(missing.log).map(([s]) => s), [404]);

    // Explicit sources, with the default URL failing first.
    for (const mode of ['bytes', 'module']) {
      const r = await load(server, mode, true);
      checkWorked(r, `${name} ${mode}`);
      assert.ok(r.log.some(([s, p]) => s === 200 && p === '/alt/tickwerk.wasm'));
    }

    // ready(url) before the background load starts: the default URL is never fetched.
    const first = await load(server, 'first', false);
    checkWorked(first, `${name} first`);
    assert.deepEqual(wasmRequests(first.log), [], `${name}: the default URL was fetched`);
    assert.ok(first.log.some(([s, p]) => s === 200 && p === '/alt/tickwerk.wasm'));
  } finally {
    server.close();
  }
}

test('esbuild: the wasm copied beside the bundle (esbuild does not ship new URL() assets)', { timeout: 90_000 }, async (t) => {
  const { build } = await import('esbuild');
  const out = join(app, 'out-esbuild');
  const result = await build({ absWorkingDir: app, entryPoints: [join(app, 'entry.js')], bundle: true, format: 'esm',
    platform: 'browser', outdir: out, minify: true, logLevel: 'silent' });
  assert.deepEqual(result.warnings.map((w) => w.text), []);
  cpSync(WASM, join(out, 'tickwerk_bg.wasm'));
  writeFileSync(join(out, 'index.html'), `${PAGE}<script type="module" src="./entry.js"></script>\n`);
  await checkBuild(t, out, 'esbuild');
});

test('esbuild: the file loader and ready(url) (nothing copied by hand)', { timeout: 90_000 }, async (t) => {
  const { build } = await import('esbuild');
  const out = join(app, 'out-esbuild-file');
  const result = await build({ absWorkingDir: app, entryPoints: [join(app, 'entry-file-loader.js')], bundle: true, format: 'esm',
    platform: 'browser', outdir: out, minify: true, logLevel: 'silent', loader: { '.wasm': 'file' } });
  assert.deepEqual(result.warnings.map((w) => w.text), []);
  writeFileSync(join(out, 'index.html'), `${PAGE}<script type="module" src="./entry-file-loader.js"></script>\n`);
  const server = await serve(out);
  try {
    const r = await load(server, 'default', false);
    checkWorked(r, 'esbuild file loader');
    // Only the file loader's hashed copy is fetched, never the (absent) default URL.
    const fetched = wasmRequests(r.log);
    assert.equal(fetched.length, 1, JSON.stringify(r.log));
    assert.match(fetched[0][1], /^\/tickwerk_bg-\w+\.wasm$/);
    assert.equal(fetched[0][0], 200);
  } finally {
    server.close();
  }
});

/** Builds the app with Vite's `build()` (its default settings: no build.target change). */
async function viteBuild(pkg, out) {
  const vite = await import(pkg);
  await vite.build({ root: app, configFile: false, logLevel: 'silent', build: { outDir: out, emptyOutDir: true } });
  return vite.version;
}

test('Vite 5 (default build target: no top-level await allowed)', { timeout: 90_000 }, async (t) => {
  const out = join(app, 'out-vite5');
  const version = await viteBuild('vite5', out);
  assert.match(version, /^5\./);
  await checkBuild(t, out, `Vite ${version}`);
});

test('Vite 8', { timeout: 90_000 }, async (t) => {
  const out = join(app, 'out-vite8');
  const version = await viteBuild('vite', out);
  assert.match(version, /^8\./);
  await checkBuild(t, out, `Vite ${version}`);
});

test('webpack 5', { timeout: 90_000 }, async (t) => {
  const { default: webpack } = await import('webpack');
  const out = join(app, 'out-webpack');
  const stats = await new Promise((resolve, reject) => {
    webpack({ mode: 'production', context: app, entry: './entry.js', output: { path: out, filename: 'main.js' } }, (err, s) => (err ? reject(err) : resolve(s)));
  });
  const info = stats.toJson({ all: false, errors: true, warnings: true });
  assert.deepEqual(info.errors, []);
  // (webpack warns about the asset and entry sizes above 244 KiB: the wasm is 333 KiB.)
  assert.deepEqual(info.warnings.filter((w) => !/size limit|performance/i.test(w.message)).map((w) => w.message), []);
  writeFileSync(join(out, 'index.html'), `${PAGE}<script src="./main.js"></script>\n`);
  await checkBuild(t, out, `webpack ${webpack.version}`);
});

/** Loads the app from a Vite dev server (`pkg`: 'vite5' or 'vite') in `mode`. */
async function viteDev(pkg, mode, optimizeDeps = {}) {
  const vite = await import(pkg);
  const server = await vite.createServer({ root: app, configFile: false, logLevel: 'silent', optimizeDeps,
    cacheDir: join(app, 'node_modules', `.vite-${pkg}-${Object.keys(optimizeDeps).length}`),
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false } });
  await server.listen();
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(`${server.resolvedUrls.local[0]}?mode=${mode}`);
    await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 });
    return { result: await page.evaluate(() => window.__result), errors, version: vite.version };
  } finally {
    await page.close();
    await server.close();
  }
}

test('Vite dev servers: Vite 8 as is, Vite 5 with optimizeDeps.exclude (without it: a catchable LOAD_FAILED)', { timeout: 90_000 }, async (t) => {
  checkWorked(await viteDev('vite', 'default'), 'Vite 8 dev server');
  checkWorked(await viteDev('vite5', 'default', { exclude: ['tickwerk'] }), 'Vite 5 dev server, tickwerk excluded from optimizeDeps');
  const { result, errors } = await viteDev('vite5', 'missing');
  assert.deepEqual(errors, []);
  assert.equal(result.loadError.code, 'LOAD_FAILED');
  assert.match(result.loadError.value, /\/\.vite.*\/tickwerk_bg\.wasm$/);
  assert.match(result.loadError.message, /optimizeDeps\.exclude/);
  t.diagnostic(`Vite 5 dev server, pre-bundled: ${result.loadError.message}`);
});
