// Smoke tests of the built package in Deno, Bun and workerd (miniflare), each loading its
// own entry point. The runtimes are dev dependencies of tests/runtimes/package.json
// (pinned; installed by scripts/setup.sh). Run: node --test tests/runtimes/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { EXPECTED } from './smoke.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name) => `${here}node_modules/.bin/${name}`;
const run = (cmd, args, env = {}) =>
  execFileSync(cmd, args, { cwd: here, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

assert.ok(existsSync(`${root}dist/tickwerk_bg.wasm`), 'run `npm run build` first');
assert.ok(existsSync(bin('deno')), 'run `npm ci --prefix tests/runtimes` (scripts/setup.sh does)');

test('Deno: the deno entry', () => {
  const out = run(bin('deno'), ['run', '--no-check', '--no-prompt', `--allow-read=${root}dist`, 'deno-main.js'], {
    DENO_NO_UPDATE_CHECK: '1',
    NO_COLOR: '1',
  });
  assert.deepEqual(JSON.parse(out), EXPECTED);
});

test('Bun: the node entry', () => {
  const out = run(bin('bun'), ['bun-main.js'], { BUN_DISABLE_TELEMETRY: '1', DO_NOT_TRACK: '1' });
  assert.deepEqual(JSON.parse(out), EXPECTED);
});

test('workerd (miniflare): the workerd entry with a compiled .wasm import', { timeout: 60_000 }, async () => {
  const { Miniflare } = createRequire(`${here}package.json`)('miniflare');
  const mf = new Miniflare({
    modules: true,
    scriptPath: `${here}worker.js`,
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
