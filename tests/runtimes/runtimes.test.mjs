// Smoke tests of the built package in Deno, Bun and workerd (miniflare). Deno and Bun load
// the package as users do — `npm pack`, installed into a temp project, `import 'tickwerk'` —
// so the `exports` map must send each to its entry (`deno` → dist/deno.js, Bun → `node` →
// dist/node.js). workerd (miniflare, no bundler) loads dist/workerd.js, whose `.wasm` import
// becomes a compiled module. The runtimes are pinned dev dependencies of
// tests/runtimes/package.json (scripts/setup.sh installs them). Run: node --test tests/runtimes/
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXPECTED } from './smoke.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name) => join(here, 'node_modules', '.bin', name);
const run = (cmd, args, cwd, env = {}) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

assert.ok(existsSync(join(root, 'dist', 'tickwerk_bg.wasm')), 'run `npm run build` first');
assert.ok(existsSync(bin('deno')), 'run `npm ci --prefix tests/runtimes` (scripts/setup.sh does)');

let app;
before(() => {
  app = mkdtempSync(join(tmpdir(), 'tickwerk-runtimes-'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const [{ filename }] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', app], root));
  run('npm', ['install', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', join(app, filename)], app);
  copyFileSync(join(here, 'smoke.js'), join(app, 'smoke.js'));
  writeFileSync(
    join(app, 'main.js'),
    "import * as tw from 'tickwerk';\nimport { smoke } from './smoke.js';\n" +
      "console.log(JSON.stringify({ ...smoke(tw), entry: import.meta.resolve('tickwerk').replace(/^.*\\/dist\\//, 'dist/') }));\n",
  );
});
after(() => rmSync(app, { recursive: true, force: true }));

test('Deno: `import "tickwerk"` resolves to the deno entry and works', () => {
  const out = run(bin('deno'), ['run', '--no-check', '--no-prompt', '--allow-read', '--allow-env', 'main.js'], app, {
    DENO_NO_UPDATE_CHECK: '1',
    NO_COLOR: '1',
  });
  assert.deepEqual(JSON.parse(out), { ...EXPECTED, entry: 'dist/deno.js' });
});

test('Bun: `import "tickwerk"` resolves to the node entry and works', () => {
  const out = run(bin('bun'), ['main.js'], app, { BUN_DISABLE_TELEMETRY: '1', DO_NOT_TRACK: '1' });
  assert.deepEqual(JSON.parse(out), { ...EXPECTED, entry: 'dist/node.js' });
});

test('workerd (miniflare): the workerd entry with a compiled .wasm import', { timeout: 60_000 }, async () => {
  const { Miniflare } = createRequire(join(here, 'package.json'))('miniflare');
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(here, 'worker.js'),
    modulesRoot: root,
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate: '2026-04-01',
    cf: false,
  });
  try {
    const res = await mf.dispatchFetch('http://localhost/');
    assert.deepEqual(await res.json(), EXPECTED);
  } finally {
    await mf.dispose();
  }
});
