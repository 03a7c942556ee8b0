// The shipped JS as scripts/build.mjs makes it: minified module by module, with the names users
// see kept (classes and functions), and linked source maps carrying the sources, so that
// `node --enable-source-maps` (and browser devtools) show stack traces in the readable code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esm from 'tickwerk';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = join(root, 'dist');
const cjs = createRequire(import.meta.url)('tickwerk');

/** Every .js / .cjs file under dist/. */
function shippedScripts(dir = dist) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? shippedScripts(join(dir, e.name)) : /\.c?js$/.test(e.name) ? [join(dir, e.name)] : []);
}

test('every shipped script is minified and links a source map that carries its sources', () => {
  const files = shippedScripts();
  assert.ok(files.length >= 15, `dist/ has only ${files.length} scripts: run \`npm run build\``);
  for (const file of files) {
    const name = relative(dist, file);
    const text = readFileSync(file, 'utf8');
    assert.equal(text.trimEnd().split('\n').at(-1), `//# sourceMappingURL=${name.split('/').at(-1)}.map`, `${name}: no source map link`);
    assert.ok(existsSync(`${file}.map`), `${name}.map missing`);
    const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
    assert.equal(map.version, 3);
    assert.ok(map.sources.length > 0 && map.sources.length === map.sourcesContent?.length, `${name}.map: sourcesContent`);
    map.sourcesContent.forEach((src, i) => assert.ok(typeof src === 'string' && src.length > 0, `${name}.map: no text for ${map.sources[i]}`));
    // Minified: well below its sources (tiny re-export modules aside: minifying cannot shrink them).
    const sources = map.sourcesContent.reduce((n, src) => n + src.length, 0);
    if (sources > 2000) assert.ok(text.length < 0.7 * sources, `${name} is not minified (${text.length} bytes from ${sources})`);
  }
});

test('exported classes and functions keep their names (ESM and CommonJS)', () => {
  for (const [label, api] of [['import', esm], ['require', cjs]]) {
    const exported = Object.entries(api).filter(([, v]) => typeof v === 'function');
    assert.ok(exported.length >= 20, label);
    for (const [key, value] of exported) assert.equal(value.name, key, `${label}: ${key}.name`);
    const s = new api.Scheduler({ timezone: 'UTC' });
    const job = s.addJob(function report() {}, 'interval', { minutes: 1, id: 'r' });
    assert.equal(job.constructor.name, 'Job', label);
    assert.equal(String(job), 'report (trigger: interval[0:01:00], pending)', label);
    assert.throws(() => new api.IntervalTrigger({ seconds: 0 }), api.TickwerkError);
    let caught;
    try {
      api.CronTrigger.fromCrontab(42);
    } catch (e) {
      caught = e;
    }
    assert.equal(caught.constructor.name, 'TickwerkError', label);
    assert.equal(caught.name, 'TickwerkError', label);
    assert.equal(caught.code, 'INVALID_ARGUMENT', label);
    assert.equal(String(caught), 'TickwerkError: invalid expr "42": expected a crontab line', label);
  }
});

test('with --enable-source-maps, a stack trace points into the readable sources (ESM and CommonJS)', () => {
  // The line of js/triggers.js that throws for a non-string crontab.
  const source = readFileSync(join(root, 'js', 'triggers.js'), 'utf8').split('\n');
  const line = source.findIndex((l) => l.includes("throw invalid('expr', expr")) + 1;
  assert.ok(line > 0, 'the throw site moved: update this test');
  const script = (load) => `${load}
try { CronTrigger.fromCrontab(42); } catch (e) { console.log(e.stack); }`;
  for (const [flag, load] of [
    ['--input-type=module', "import { CronTrigger } from 'tickwerk';"],
    ['--input-type=commonjs', "const { CronTrigger } = require('tickwerk');"],
  ]) {
    const stack = execFileSync(process.execPath, ['--enable-source-maps', flag, '-e', script(load)], { cwd: root, encoding: 'utf8' });
    assert.match(stack, /^TickwerkError: invalid expr "42"/, flag);
    assert.ok(stack.includes(`js/triggers.js:${line}:`), `${flag}: no frame at js/triggers.js:${line} in\n${stack}`);
    assert.match(stack, /at (Function\.)?fromCrontab /, `${flag}: the frame is not named fromCrontab:\n${stack}`);
  }
});

test('every `new URL(…, import.meta.url)` in the shipped modules names a file that ships', () => {
  // Bundlers (webpack 5, Vite) copy such assets and fail on a missing one.
  for (const file of shippedScripts().filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(file, 'utf8');
    for (const [, spec] of text.matchAll(/new URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url\s*\)/g)) {
      const target = join(file, '..', spec);
      assert.ok(existsSync(target), `${relative(dist, file)}: new URL('${spec}') -> missing ${relative(dist, target)}`);
    }
  }
});
