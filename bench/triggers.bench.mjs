// Benchmark: the cost of one next-fire-time through the public API, tickwerk vs croner vs
// cron-parser, on the same crontab expressions in UTC and in a DST zone, in one Node run.
// Each library walks forward from the previous fire time, as a scheduler does:
//   tickwerk:    t = trigger.getNextFireTime(t, t)          (CronTrigger.fromCrontab)
//   croner:      d = cron.nextRun(d)
//   cron-parser: d = iterator.next()                         (CronExpressionParser.parse)
// Also: tickwerk's low-level `nextFireTimeMs` (numbers, no Date), how often the three
// libraries agree on the fire times, and the package size: what an app bundled with esbuild
// ships for the whole API (minified, gzipped, + the wasm), what a browser downloads without a
// bundler (the wasm + the JS modules reachable from dist/browser.js, each gzipped), the same
// for Node's ESM entry, and the npm tarball.
// Usage: npm run build && node bench/triggers.bench.mjs [--quick]
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { CronTrigger } from 'tickwerk';
import { bundledSize, GOAL } from '../scripts/size.mjs';
import { Cron } from 'croner';
import { CronExpressionParser } from 'cron-parser';

const quick = process.argv.includes('--quick');
const BUDGET_MS = quick ? 40 : 150; // per round, per library and expression
const ROUNDS = quick ? 3 : 5; // best of
const START = new Date('2026-01-01T00:00:07Z'); // not on a boundary: libraries differ on 'at or after'

const EXPRESSIONS = [
  '*/5 * * * *', // every 5 minutes
  '0 9 * * 1-5', // weekdays 09:00
  '30 2 * * *', // daily in the DST gap hour (New York, March)
  '0 0 1 * *', // monthly
  '15 14 1 1 *', // yearly
  '0 22 * * 0', // weekly, Sunday 22:00
  '0 */2 * * *', // every two hours
];
const ZONES = ['UTC', 'America/New_York'];

const WALK = 1_000; // consecutive fire times per walk (a yearly job stays far below year 9999)

/**
 * Best-of-ROUNDS microseconds per call. `walk()` makes WALK consecutive calls from START;
 * each round repeats it for about BUDGET_MS.
 */
function measure(walk) {
  walk(); // warm up (and JIT)
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r += 1) {
    let calls = 0;
    const t0 = process.hrtime.bigint();
    let elapsed = 0;
    do {
      calls += walk();
      elapsed = Number(process.hrtime.bigint() - t0) / 1e3;
    } while (elapsed < BUDGET_MS * 1e3);
    best = Math.min(best, elapsed / calls);
  }
  return best;
}

// Each factory returns walk(): WALK consecutive next-fire-time calls, returning how many it made.
const libs = {
  tickwerk(expr, zone) {
    const trigger = CronTrigger.fromCrontab(expr, { timezone: zone });
    return () => {
      let t = trigger.getNextFireTime(null, START);
      let i = 1;
      for (; i < WALK && t !== null; i += 1) t = trigger.getNextFireTime(t, t);
      return i;
    };
  },
  'tickwerk (ms API)'(expr, zone) {
    const trigger = CronTrigger.fromCrontab(expr, { timezone: zone });
    return () => {
      let t = trigger.nextFireTimeMs(undefined, START.getTime());
      let i = 1;
      for (; i < WALK && t !== undefined; i += 1) t = trigger.nextFireTimeMs(t, t);
      return i;
    };
  },
  croner(expr, zone) {
    const cron = new Cron(expr, { timezone: zone });
    return () => {
      let d = cron.nextRun(START);
      let i = 1;
      for (; i < WALK && d !== null; i += 1) d = cron.nextRun(d);
      return i;
    };
  },
  'cron-parser'(expr, zone) {
    return () => {
      const it = CronExpressionParser.parse(expr, { currentDate: START, tz: zone });
      for (let i = 0; i < WALK; i += 1) it.next();
      return WALK;
    };
  },
};

/** First `n` fire times (ISO) of each library, to report how often they agree. */
function firstTimes(expr, zone, n) {
  const t = CronTrigger.fromCrontab(expr, { timezone: zone });
  const ours = [];
  for (let d = t.getNextFireTime(null, START); ours.length < n && d; d = t.getNextFireTime(d, d)) ours.push(d.toISOString());
  const cron = new Cron(expr, { timezone: zone });
  const croner = [];
  for (let d = cron.nextRun(START); croner.length < n && d; d = cron.nextRun(d)) croner.push(d.toISOString());
  const it = CronExpressionParser.parse(expr, { currentDate: START, tz: zone });
  const parser = [];
  while (parser.length < n) parser.push(it.next().toDate().toISOString());
  return { ours, croner, parser };
}

/**
 * The ES module graph an entry loads: `entry` and every file reachable through static
 * `import … from './x.js'`, `import './x.js'` and `export … from './x.js'` (esbuild parses
 * the modules; dynamic imports, `node:` builtins and the .wasm are not followed).
 */
async function moduleGraph(entry) {
  const { build } = await import('esbuild');
  const cwd = dirname(entry);
  const { metafile } = await build({
    absWorkingDir: cwd, entryPoints: [entry], bundle: true, write: false, metafile: true, format: 'esm',
    platform: 'neutral', external: ['node:*', '*.wasm'], logLevel: 'silent',
  });
  const abs = (p) => resolve(cwd, p); // metafile paths are relative to absWorkingDir
  const byPath = new Map(Object.entries(metafile.inputs).map(([p, info]) => [abs(p), info]));
  const seen = new Set([resolve(entry)]);
  const queue = [resolve(entry)];
  while (queue.length > 0) {
    const info = byPath.get(queue.shift());
    for (const imp of info?.imports ?? []) {
      if (imp.kind !== 'import-statement' || imp.external) continue;
      const p = abs(imp.path);
      if (!seen.has(p)) {
        seen.add(p);
        queue.push(p);
      }
    }
  }
  return [...seen];
}

/**
 * What a runtime downloads or reads for one entry: the wasm and the entry's JS module graph,
 * each file gzipped at level 9 on its own (HTTP compresses per response).
 */
async function entrySize(dist, entry) {
  const gz = (p) => gzipSync(readFileSync(p), { level: 9 }).length;
  const js = await moduleGraph(join(dist, entry));
  const wasm = join(dist, 'tickwerk_bg.wasm');
  const sum = (list, f) => list.reduce((a, p) => a + f(p), 0);
  return {
    files: js.length,
    wasmRaw: statSync(wasm).size,
    wasmGz: gz(wasm),
    jsRaw: sum(js, (p) => statSync(p).size),
    jsGz: sum(js, gz),
  };
}

/** The npm tarball as `npm pack` makes it from the current dist/ (no build: --ignore-scripts). */
function tarballSize() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [{ size, unpackedSize, entryCount }] = JSON.parse(out);
  return { size, unpackedSize, entryCount };
}

async function packageSize() {
  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
  return {
    bundled: await bundledSize(),
    browser: await entrySize(dist, 'browser.js'),
    node: await entrySize(dist, 'node.js'),
    tarball: tarballSize(),
  };
}

const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;
const rows = [];
let minCronerRatio = Infinity;
for (const zone of ZONES) {
  for (const expr of EXPRESSIONS) {
    const us = {};
    for (const [name, make] of Object.entries(libs)) us[name] = measure(make(expr, zone));
    const ratioCroner = us.croner / us.tickwerk;
    minCronerRatio = Math.min(minCronerRatio, ratioCroner);
    const { ours, croner, parser } = firstTimes(expr, zone, 50);
    const agree = (other) => ours.filter((t, i) => other[i] === t).length;
    rows.push({
      zone,
      expr,
      'tickwerk µs': us.tickwerk.toFixed(3),
      'tickwerk ms-API µs': us['tickwerk (ms API)'].toFixed(3),
      'croner µs': us.croner.toFixed(2),
      'cron-parser µs': us['cron-parser'].toFixed(2),
      'croner/tickwerk': `${ratioCroner.toFixed(1)}×`,
      'cron-parser/tickwerk': `${(us['cron-parser'] / us.tickwerk).toFixed(1)}×`,
      'same first 50 (croner, cron-parser)': `${agree(croner)}, ${agree(parser)}`,
    });
  }
}
console.log(`Node ${process.version}; consecutive fire times from 2026-01-01, ~${BUDGET_MS} ms per round, best of ${ROUNDS}.`);
console.table(rows);
console.log(`Slowest expression: tickwerk is ${minCronerRatio.toFixed(1)}× croner's speed (goal: ≥ 20×).`);
const size = await packageSize();
const bytes = (b) => `${b.toLocaleString('en-US')} B = ${kib(b)}`;
for (const [label, entry, e] of [['Browser download', 'dist/browser.js', size.browser], ['Node ESM', 'dist/node.js', size.node]]) {
  console.log(
    `${label}: ${entry} + its static imports (${e.files} JS files) + tickwerk_bg.wasm, each file gzip -9: ` +
      `wasm ${bytes(e.wasmGz)} (raw ${e.wasmRaw.toLocaleString('en-US')} B), ` +
      `JS ${bytes(e.jsGz)} (raw ${e.jsRaw.toLocaleString('en-US')} B), total ${bytes(e.wasmGz + e.jsGz)}.`,
  );
}
console.log(`npm tarball (npm pack): ${bytes(size.tarball.size)}; unpacked ${bytes(size.tarball.unpackedSize)} in ${size.tarball.entryCount} files.`);
const b = size.bundled;
console.log(
  `Bundled app (export * from 'tickwerk', esbuild --minify, gzip -9): wasm ${bytes(b.wasmGz)}, ` +
    `JS ${bytes(b.jsGz)} (raw ${b.jsRaw.toLocaleString('en-US')} B), total ${bytes(b.wasmGz + b.jsGz)}.`,
);
const goal = (label, total) =>
  console.log(
    `Size goal (< ${bytes(GOAL)} gzipped), ${label}: ${bytes(total)}, ` +
      (total < GOAL ? `met, ${bytes(GOAL - total)} to spare.` : `NOT met, ${bytes(total - GOAL)} over.`),
  );
goal('bundled app', b.wasmGz + b.jsGz);
goal('unbundled browser download', size.browser.wasmGz + size.browser.jsGz);
