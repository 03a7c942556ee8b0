// The size of what ships, measured the way the README measures it (scripts/size.mjs): an app
// that bundles the whole API (esbuild --minify, gzip -9) plus the gzipped wasm, at most the
// 150,000 B goal (README, "Size and speed"). A failure prints where the wasm's and the JS's
// bytes go, so the change that grew it can be found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { breakdownText, bundledSize, GOAL, jsBreakdownText, rawWasmPath, wasmBreakdown } from '../../scripts/size.mjs';

/** Bytes: the goal. 149,663 B at 221259e (149,689 B at a62ef7c, the change that reached it). */
const CEILING = GOAL;

/** The bundled app, built once for this file's tests. */
const bundled = bundledSize();
bundled.catch(() => {}); // reported by the tests that await it

test(`bundled app: at most ${CEILING.toLocaleString('en-US')} B gzipped`, async () => {
  const size = await bundled;
  const report = `bundled app ${size.total.toLocaleString('en-US')} B (wasm ${size.wasmGz.toLocaleString('en-US')} + JS ${size.jsGz.toLocaleString('en-US')})\n${breakdownText(rawWasmPath, 10)}\n${jsBreakdownText(size, 10)}`;
  console.log(report);
  assert.ok(size.total <= CEILING, `the bundled app grew past its ceiling:\n${report}`);
});

test('the wasm breakdown reads the name section: tickwerk is among the largest crates', { skip: !existsSync(rawWasmPath) && 'no cargo wasm output' }, () => {
  const b = wasmBreakdown(rawWasmPath);
  assert.ok(b.code > 100_000, `code ${b.code}`);
  const crates = b.crates.map(([c]) => c);
  assert.ok(crates.slice(0, 3).includes('tickwerk'), crates.slice(0, 5).join(', '));
  assert.ok(b.functions.some(([, name]) => name.includes('tickwerk')), 'function names resolved');
  assert.ok(!b.functions.some(([, name]) => name.includes('WasmDescribe')), 'wasm-bindgen describe functions left out');
});

test('the JS breakdown names the package modules in the bundled app', async () => {
  const size = await bundled;
  const modules = size.jsModules.map(([path]) => path);
  assert.ok(modules.includes('dist/scheduler.js') && modules.includes('dist/core/tickwerk_core.js'), modules.join(', '));
  const attributed = size.jsModules.reduce((n, [, bytes]) => n + bytes, 0);
  assert.ok(attributed <= size.jsRaw && attributed >= 0.9 * size.jsRaw, `the modules account for ${attributed} of the bundle's ${size.jsRaw} B`);
});
