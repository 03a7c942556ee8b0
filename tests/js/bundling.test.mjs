// The package through a bundler, as an app that installs it gets it: esbuild (the JS API of
// the pinned dev dependency) bundles a consumer of `import … from 'tickwerk'`, resolved through
// node_modules/tickwerk → this repository, so the repository's package.json (`exports`,
// `sideEffects`) is in effect. A bundler trusts `sideEffects`: if it lists the loaders as
// side-effect free, it drops `import './load-<runtime>.js'` and the app never loads the wasm.
// The Node bundles are executed in a child process and must compute fire times.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));
const wasm = join(root, 'dist', 'tickwerk_bg.wasm');

// The consumer app: what it prints is checked against WANT.
const APP = `
const t = new CronTrigger({ hour: 9, minute: 30, timezone: 'Europe/Berlin' });
const next = t.getNextFireTime(null, new Date('2026-05-01T00:00:00Z'));
let error;
try { new IntervalTrigger({ seconds: 0 }); } catch (e) { error = [e instanceof TickwerkError, e.name, e.code, e.constructor.name]; }
console.log(JSON.stringify({ next: next && next.toISOString(), str: String(t), error }));
`;
const WANT = {
  next: '2026-05-01T07:30:00.000Z',
  str: "cron[hour='9', minute='30']",
  // The class keeps its name through a second bundling (the package is built with keepNames;
  // a consumer's bundler may rename the binding, e.g. to `TickwerkError2`).
  error: [true, 'TickwerkError', 'INVALID_ARGUMENT', 'TickwerkError'],
};

let app;
before(() => {
  assert.ok(existsSync(wasm), 'run `npm run build` first');
  app = mkdtempSync(join(tmpdir(), 'tickwerk-bundle-'));
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(root, join(app, 'node_modules', 'tickwerk'), 'dir');
  writeFileSync(join(app, 'esm.js'), `import { CronTrigger, IntervalTrigger, TickwerkError } from 'tickwerk';\n${APP}`);
  writeFileSync(join(app, 'cjs.js'), `const { CronTrigger, IntervalTrigger, TickwerkError } = require('tickwerk');\n${APP}`);
});
after(() => rmSync(app, { recursive: true, force: true }));

/** Bundles `entry` of the app into `out/` with esbuild; returns the warnings and the output text. */
async function bundle(entry, options) {
  const outdir = join(app, `out-${options.platform}-${options.format}`);
  const result = await build({
    absWorkingDir: app,
    entryPoints: [join(app, entry)],
    bundle: true,
    outdir,
    write: true,
    logLevel: 'silent',
    metafile: true,
    ...options,
  });
  const file = join(outdir, entry);
  // Bytes each file of dist/ contributes to the output (tree-shaken modules contribute none).
  const [output] = Object.values(result.metafile.outputs);
  const kept = {};
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const at = input.lastIndexOf('dist/');
    if (at >= 0 && bytesInOutput > 0) kept[input.slice(at)] = bytesInOutput;
  }
  return { outdir, file, kept, warnings: result.warnings.map((w) => `${w.id}: ${w.text}`), text: readFileSync(file, 'utf8') };
}

test('browser bundle (platform browser, ESM): the wasm loader is kept, unused modules are shaken off', async () => {
  // Target es2020: esbuild refuses a top-level await there, as Vite 5's default build does.
  // The browser entry has none (a failed wasm load must be catchable, see `ready()`).
  const { warnings, text, kept } = await bundle('esm.js', { platform: 'browser', format: 'esm', target: 'es2020' });
  assert.deepEqual(warnings, [], 'esbuild warned (a dropped side-effect import?)');
  // load-browser.js: `init({ module_or_path: new URL('./tickwerk_bg.wasm', import.meta.url) })`.
  assert.match(text, /new URL\(\s*["']\.\/tickwerk_bg\.wasm["']\s*,\s*import\.meta\.url\s*\)/, 'the browser loader is missing');
  assert.match(text, /WebAssembly\.instantiate/, 'the wasm instantiation is missing');
  assert.ok(kept['dist/load-browser.js'] > 0 && kept['dist/ready.js'] > 0, `loader dropped; kept: ${Object.keys(kept)}`);
  // Tree-shaking still works for the side-effect-free rest: triggers only, no Scheduler.
  assert.ok(kept['dist/triggers.js'] > 0);
  // (dist/scheduler.js carries the Scheduler's private modules: stores, executors, driver, …)
  for (const unused of ['dist/scheduler.js', 'dist/load-node.js']) {
    assert.equal(kept[unused], undefined, `${unused} should be tree-shaken; kept: ${Object.keys(kept)}`);
  }
});

/** Bundles `entry` for Node in `format`, runs it beside the wasm, and checks what it prints. */
async function runNodeBundle(entry, format) {
  const { outdir, file, warnings } = await bundle(entry, { platform: 'node', format, target: 'node20' });
  // The bundle reads `new URL('./tickwerk_bg.wasm', import.meta.url)` (ESM) or
  // `__dirname/tickwerk_bg.wasm` (CJS): ship the asset beside it.
  copyFileSync(wasm, join(outdir, 'tickwerk_bg.wasm'));
  writeFileSync(join(outdir, 'package.json'), JSON.stringify({ type: format === 'esm' ? 'module' : 'commonjs' }));
  const out = execFileSync(process.execPath, [file], { cwd: outdir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.deepEqual(JSON.parse(out), WANT);
  assert.deepEqual(warnings, [], 'esbuild warned (a dropped side-effect import?)');
}

test('Node bundle (platform node, ESM) runs: the loader instantiates the wasm and fire times compute', async () => {
  await runNodeBundle('esm.js', 'esm');
});

test('Node bundle (platform node, CommonJS `require`) runs', async () => {
  await runNodeBundle('cjs.js', 'cjs');
});
