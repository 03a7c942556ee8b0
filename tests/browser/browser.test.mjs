// The package in a real browser: dist/ served on 127.0.0.1, imported by a page as
// `import … from '/dist/browser.js'` (the `browser` entry: the wasm loads in the background
// and the page awaits `ready()`), in headless Chromium (playwright-core) and headless Firefox ESR
// (puppeteer-core over WebDriver BiDi): see drivers.mjs; TICKWERK_BROWSER=chromium|firefox runs
// one of them. Checks the wasm loads from its
// `new URL(…, import.meta.url)`, triggers compute, errors carry codes, the host zone is the
// browser's, and microseconds survive a round trip. The same page again with the package
// bundled by esbuild (platform browser, `sideEffects` in effect): the app's bundle must still
// load the wasm (served beside the bundle, as bundlers ship `new URL(…)` assets).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { LABEL, browsersUnderTest, launch } from './drivers.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

const PAGE = (entry) => `<!doctype html><meta charset="utf-8"><title>tickwerk</title>
<script type="module">
  const out = {};
  try {
    const tw = await import('${entry}');
    await tw.ready();
    out.zone = tw.hostTimezone();
    out.intlZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const iv = new tw.IntervalTrigger({ minutes: 2, startDate: '2026-01-01 00:00:00', timezone: 'UTC' });
    let t = iv.getNextFireTime(null, Date.UTC(2026, 0, 1));
    out.interval = [t.toISOString(), iv.getNextFireTime(t, t).toISOString(), String(iv)];
    const d = new tw.DateTrigger({ runDate: '2026-05-01 09:30:00', timezone: 'Europe/Berlin' });
    out.date = [d.getNextFireTime(null, 0).toISOString(), d.toString()];
    const us = new tw.IntervalTrigger({ seconds: 0.0005, startDate: '2026-01-01 00:00:00.000250', timezone: 'UTC' });
    const base = Date.UTC(2026, 0, 1);
    const seq = [];
    for (let x = us.getNextFireTime(null, base), k = 0; k < 5; k += 1, x = us.getNextFireTime(x, x)) seq.push(x.getTime() - base);
    out.micros = seq;
    try { new tw.IntervalTrigger({ minutes: 1, timezone: 'Mars/Base' }); } catch (e) {
      out.error = { isTickwerk: e instanceof tw.TickwerkError, isError: e instanceof Error, code: e.code, field: e.field, message: e.message };
    }
  } catch (e) {
    out.fatal = String(e && e.stack || e);
  }
  window.__result = out;
</script>`;

/** Serves the page importing `entry`, dist/ at /dist/, and `bundleDir` (if any) at /bundle/. */
function serve(entry, bundleDir) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE(entry));
      return;
    }
    const file = bundleDir && path.startsWith('/bundle/') ? normalize(join(bundleDir, path.slice('/bundle/'.length))) : normalize(join(root, path));
    if (!(file.startsWith(join(root, 'dist')) || (bundleDir && file.startsWith(bundleDir))) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(await readFile(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function checkPage(browserName, entry, bundleDir) {
  const server = await serve(entry, bundleDir);
  const browser = await launch(browserName, { timezoneId: 'America/New_York' });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => window.__result !== undefined, null, 30_000);
    const r = await page.evaluate(() => window.__result);
    const errors = page.errors;
    assert.equal(r.fatal, undefined, r.fatal);
    assert.deepEqual(errors, []);
    assert.equal(r.intlZone, 'America/New_York');
    assert.equal(r.zone, 'America/New_York', 'default zone is the browser zone');
    assert.deepEqual(r.interval, ['2026-01-01T00:00:00.000Z', '2026-01-01T00:02:00.000Z', 'interval[0:02:00]']);
    assert.deepEqual(r.date, ['2026-05-01T07:30:00.000Z', 'date[2026-05-01 09:30:00 CEST]']);
    assert.deepEqual(r.micros, [0, 0, 1, 1, 2]);
    assert.equal(r.error.isTickwerk, true);
    assert.equal(r.error.isError, true);
    assert.equal(r.error.code, 'UNKNOWN_TIMEZONE');
    assert.equal(r.error.field, 'timezone');
    assert.match(r.error.message, /Mars\/Base/);
  } finally {
    await browser.close();
    server.close();
  }
}

for (const browser of browsersUnderTest()) {
  test(`the browser entry loads and works in headless ${LABEL[browser]}`, { timeout: 90_000 }, async () => {
    assert.ok(existsSync(join(root, 'dist/browser.js')), 'run `npm run build` first');
    await checkPage(browser, '/dist/browser.js');
  });

  test(`an app bundled with esbuild (platform browser) loads the wasm and works in ${LABEL[browser]}`, { timeout: 90_000 }, async () => {
    assert.ok(existsSync(join(root, 'dist/tickwerk_bg.wasm')), 'run `npm run build` first');
    const app = mkdtempSync(join(tmpdir(), 'tickwerk-browser-bundle-'));
    try {
      // node_modules/tickwerk → this repository: its package.json (`exports`, `sideEffects`) applies.
      mkdirSync(join(app, 'node_modules'));
      symlinkSync(root, join(app, 'node_modules', 'tickwerk'), 'dir');
      writeFileSync(join(app, 'app.js'), "export * from 'tickwerk';\n");
      const out = join(app, 'out');
      const result = await build({ absWorkingDir: app, entryPoints: [join(app, 'app.js')], bundle: true, format: 'esm',
        platform: 'browser', target: 'es2022', outdir: out, logLevel: 'silent' });
      copyFileSync(join(root, 'dist', 'tickwerk_bg.wasm'), join(out, 'tickwerk_bg.wasm'));
      await checkPage(browser, '/bundle/app.js', out);
      assert.deepEqual(result.warnings.map((w) => w.text), []);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });
}
