// The package as users get it: `npm pack` the built dist/, install the tarball into a fresh
// temp project (no registry needed: the package has no dependencies), then use it from Node
// ESM (`import`) and CommonJS (`require`). Also checks what the tarball ships.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

// The same script in both module systems: prints what the API computes.
const body = (load) => `${load}
let early = 'not ready';
ready().then(() => { early = 'ready'; });
const t = new CronTrigger({ hour: 9, minute: 30, timezone: 'Europe/Berlin' });
const next = t.getNextFireTime(null, new Date('2026-05-01T00:00:00Z'));
let code;
try { new IntervalTrigger({ seconds: 0 }); } catch (e) { code = [e instanceof TickwerkError, e.code]; }
Promise.resolve().then(() => console.log(JSON.stringify({ next: next && next.toISOString(), str: String(t), code, early })));
`;

test('npm pack → install into a fresh project → import (ESM) and require (CJS)', { timeout: 120_000 }, () => {
  assert.ok(existsSync(join(root, 'dist', 'tickwerk_bg.wasm')), 'run `npm run build` first');
  const tmp = mkdtempSync(join(tmpdir(), 'tickwerk-pack-'));
  try {
    // --ignore-scripts: dist/ is already built (prepack would rebuild it).
    const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], root));
    const files = packed[0].files.map((f) => f.path).sort();
    assert.ok(files.includes('dist/tickwerk_bg.wasm') && files.includes('dist/node.cjs') && files.includes('dist/index.d.ts'));
    for (const f of files) assert.match(f, /^(dist\/|package\.json$|README\.md$|LICENSE)/, `unexpected file in the package: ${f}`);
    // Minified scripts ship their source maps (stack traces map back to the sources).
    for (const f of files.filter((f) => /\.c?js$/.test(f))) assert.ok(files.includes(`${f}.map`), `${f}.map is not in the package`);
    const tarball = join(tmp, packed[0].filename);

    const app = join(tmp, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    npm(['install', '--no-audit', '--no-fund', '--ignore-scripts', '--offline', tarball], app);
    assert.ok(readdirSync(join(app, 'node_modules', 'tickwerk', 'dist')).includes('tickwerk_bg.wasm'));

    writeFileSync(join(app, 'esm.mjs'), body("import { CronTrigger, IntervalTrigger, ready, TickwerkError } from 'tickwerk';"));
    writeFileSync(join(app, 'cjs.cjs'), body("const { CronTrigger, IntervalTrigger, ready, TickwerkError } = require('tickwerk');"));
    // Node loads the wasm at import: the API works at once and ready() is already resolved.
    const want = { next: '2026-05-01T07:30:00.000Z', str: "cron[hour='9', minute='30']", code: [true, 'INVALID_ARGUMENT'], early: 'ready' };
    for (const file of ['esm.mjs', 'cjs.cjs']) {
      const out = execFileSync(process.execPath, [file], { cwd: app, encoding: 'utf8' });
      assert.deepEqual(JSON.parse(out), want, file);
    }

    // TypeScript consumers, ESM and CommonJS (`node16`/`nodenext` resolution picks the
    // `types` of the matching `exports` branch).
    const ts = `const loaded: Promise<void> = ready();
const bytes: Promise<void> = ready(new Uint8Array(8));
const t = new CronTrigger({ hour: 9 });
const next: Date | null = t.getNextFireTime(null, new Date());
const e: TickwerkError = new TickwerkError('INVALID_ARGUMENT', 'm');
const code: TickwerkErrorCode = 'NOT_READY';
export const out = [next, e.code, new Scheduler({ timezone: 'UTC' }).state, loaded, bytes, code];
`;
    writeFileSync(join(app, 'esm.mts'), `import { CronTrigger, ready, Scheduler, TickwerkError, type TickwerkErrorCode } from 'tickwerk';\n${ts}`);
    writeFileSync(join(app, 'cjs.cts'), `import tw = require('tickwerk');\nconst { CronTrigger, ready, Scheduler } = tw;\ntype TickwerkError = import('tickwerk').TickwerkError;\ntype TickwerkErrorCode = import('tickwerk').TickwerkErrorCode;\nconst TickwerkError = tw.TickwerkError;\n${ts}`);
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--target', 'es2022', 'esm.mts', 'cjs.cts'], { cwd: app, encoding: 'utf8', stdio: 'pipe' });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
