#!/usr/bin/env node
// Builds the npm package into dist/:
//   1. cargo build --profile wasm-release --target wasm32-unknown-unknown --lib
//      (Cargo.toml: `release` with opt-level "z"; native builds and benches keep `release`)
//   2. wasm-bindgen --weak-refs --target web  -> target/npm-stage/ (the JS glue) + a raw .wasm
//   3. wasm-opt -Oz with --flatten --rereloop rounds (npm `binaryen`; Debian's binaryen 108 produces broken modules)
//      -> dist/tickwerk_bg.wasm
//   4. esbuild minifies every ES module — js/*.js (the shared API, one small loader per
//      runtime) and the glue -> dist/core/ — file by file: same module layout and relative
//      imports (the per-runtime entries and package.json's `sideEffects` rely on it),
//      `keepNames` (users see class and function names: TickwerkError, triggers, Job…),
//      linked source maps with the sources inside. The hand-written .d.ts are copied as-is.
//   5. esbuild bundles the CommonJS entry -> dist/node.cjs (minified the same way)
// Usage: node scripts/build.mjs [--skip-cargo] [--no-opt]
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const args = new Set(process.argv.slice(2));

function run(cmd, argv, opts = {}) {
  const started = Date.now();
  execFileSync(cmd, argv, { cwd: root, stdio: 'inherit', ...opts });
  console.error(`[build] ${cmd} ${argv[0] ?? ''} … ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// 1. The wasm library.
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, 'target');
if (!args.has('--skip-cargo')) {
  run('cargo', ['build', '--profile', 'wasm-release', '--target', 'wasm32-unknown-unknown', '--lib']);
}
const rawWasm = join(targetDir, 'wasm32-unknown-unknown', 'wasm-release', 'tickwerk.wasm');
if (!existsSync(rawWasm)) throw new Error(`missing ${rawWasm}: cargo build failed?`);

// 2. JS glue. `--target web` gives an ES module with `initSync({ module })` and an async
//    default `init`; every runtime's loader calls one of them (see js/load-*.js). It goes to
//    a staging folder (named in the source maps, so a fixed path inside the repository).
const stage = join(root, 'target', 'npm-stage');
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
rmSync(dist, { recursive: true, force: true });
const core = join(dist, 'core');
mkdirSync(core, { recursive: true });
run('wasm-bindgen', ['--weak-refs', '--target', 'web', '--out-name', 'tickwerk_core', '--out-dir', stage, rawWasm]);
const glue = join(stage, 'tickwerk_core.js');
// The glue's default `init()` names `tickwerk_core_bg.wasm` beside itself, which does not ship
// (the module ships as dist/tickwerk_bg.wasm). Our loaders always pass the URL, but bundlers
// that collect `new URL('…', import.meta.url)` assets (webpack 5, Vite) would fail on the
// missing file: point it at the real one.
// And until the module is instantiated (browsers load it asynchronously), `wasm` is a Proxy
// whose every property read throws the error `setNotReady` installs (js/ready.js: a
// TickwerkError `NOT_READY` telling to `await ready()`), instead of "cannot read properties
// of undefined" from deep inside the glue.
{
  let text = readFileSync(glue, 'utf8');
  const patch = (from, to, count = 1) => {
    const parts = text.split(from);
    if (parts.length !== count + 1) throw new Error(`wasm-bindgen glue: ${JSON.stringify(from)} found ${parts.length - 1} times, expected ${count} (did the glue change?)`);
    text = parts.join(to);
  };
  patch("new URL('tickwerk_core_bg.wasm', import.meta.url)", "new URL('../tickwerk_bg.wasm', import.meta.url)");
  patch('let wasmModule, wasmInstance, wasm;',
    'let notReady = () => new Error("the WebAssembly module is not loaded");\n' +
    'export function setNotReady(make) { notReady = make; }\n' +
    'const unloaded = new Proxy({}, { get() { throw notReady(); } });\n' +
    'let wasmModule, wasmInstance, wasm = unloaded;');
  patch('if (wasm !== undefined) return wasm;', 'if (wasm !== unloaded) return wasm;', 2);
  // Only our loaders call `init`/`initSync` (the package does not export them), always with
  // `{ module_or_path }` / `{ module }`: the warnings about older call forms go, and the one
  // about a server without `application/wasm` is shorter (-77 B gzipped in the bundled app).
  patch(" else {\n            console.warn('using deprecated parameters for `initSync()`; pass a single object instead')\n        }", '');
  patch(" else {\n            console.warn('using deprecated parameters for the initialization function; pass a single object instead')\n        }", '');
  patch('"`WebAssembly.instantiateStreaming` failed because your server does not serve Wasm with `application/wasm` MIME type. Falling back to `WebAssembly.instantiate` which is slower. Original error:\\n"',
    '"tickwerk: the wasm is not served as application/wasm; compiling it from its bytes instead (slower):"');
  // The bindings' one JS snippet is js/error-text.js (the message formats, src/wasm/error.rs):
  // the glue imports the package's own copy (dist/error-text.js), not a second one under
  // snippets/, so the app ships the formats once.
  const snippet = /'\.\/snippets\/tickwerk-[0-9a-f]+\/js\/error-text\.js'/g;
  if ((text.match(snippet) ?? []).length !== 1) throw new Error('wasm-bindgen glue: the import of js/error-text.js not found once (did the glue change?)');
  text = text.replace(snippet, "'../error-text.js'");
  const snippets = readdirSync(join(stage, 'snippets'), { recursive: true }).filter((f) => f.endsWith('.js'));
  if (snippets.length !== 1) throw new Error(`wasm-bindgen snippets: ${snippets.join(', ')} (expected only js/error-text.js)`);
  writeFileSync(glue, text);
}

// 3. Optimise the module and move it next to the entry points.
const boundWasm = join(stage, 'tickwerk_core_bg.wasm');
const finalWasm = join(dist, 'tickwerk_bg.wasm');
if (args.has('--no-opt')) {
  renameSync(boundWasm, finalWasm);
} else {
  // The features rustc's wasm32 target enables by default; wasm-opt must accept them.
  const features = ['--enable-bulk-memory', '--enable-mutable-globals', '--enable-sign-ext',
    '--enable-nontrapping-float-to-int', '--enable-reference-types', '--enable-multivalue'];
  // -Oz until nothing changes (--converge: 137,141 -> 136,856 B gzipped), and
  // --low-memory-unused (-> 135,835 B): lets wasm-opt fold `p + C` into a load's offset,
  // which differs only when the sum wraps past 4 GiB into the lowest KiB; rustc puts the
  // 1 MiB stack first (data starts at 1 MiB), so nothing is ever addressed that way.
  // Twice `--flatten --rereloop -Oz` first (binaryen rebuilds each function's control flow
  // from a flat form, then shrinks it again): 127,971 -> 127,241 B gzipped, for ~25 s more.
  run(bin('wasm-opt'), ['-Oz', '--low-memory-unused', '--flatten', '--rereloop', '-Oz', '--flatten', '--rereloop',
    '-Oz', '--converge', ...features, '--strip-debug', '--strip-producers', '--strip-target-features', boundWasm,
    '-o', finalWasm]);
  rmSync(boundWasm);
}
cpSync(join(stage, 'tickwerk_core.d.ts'), join(core, 'tickwerk_core.d.ts'));

// 4. The JS layer: every module minified on its own (imports stay `./x.js`, `./core/…`,
//    `node:fs`, and `./tickwerk_bg.wasm` for workerd), except that the Scheduler's private
//    modules (only scheduler.js imports them) are bundled into dist/scheduler.js: whoever
//    loads one loads all, and one file compresses better than seven (a browser without a
//    bundler fetches and gunzips each file on its own). The modules shared with the triggers
//    stay separate, so a trigger-only app still skips the Scheduler. Source maps name the
//    sources by their repository paths (`../js/scheduler.js`,
//    `../target/npm-stage/tickwerk_core.js`) and carry their text.
const esm = {
  bundle: false,
  format: 'esm',
  target: 'es2022',
  minify: true,
  keepNames: true,
  sourcemap: 'linked',
  sourcesContent: true,
  logLevel: 'warning',
};
// Private members (`this._core`, `_flush`, …: 84 names, ~500 uses) are renamed to short names
// in every build below, through one shared cache so a name is the same in every module and in
// dist/node.cjs (objects cross modules: a trigger's `_wasm`, a store's `_shared`): -430 B
// gzipped in the bundled app. Kept: the names the tests reach into (a trigger's `_core`,
// `_spec`, `_wasm`; the Redis store's `_sub`, `_redis`, `_tryLead`). The wasm-bindgen glue
// has no single-underscore members, and no message text or stored record holds one.
const mangle = { mangleProps: /^_[a-zA-Z]/, reserveProps: /^_(core|spec|wasm|sub|redis|tryLead)$/, mangleCache: {} };
/** esbuild's build() with the shared private-name cache, which it then updates. */
async function build(options) {
  const result = await esbuild({ ...options, ...mangle });
  mangle.mangleCache = result.mangleCache;
  return result;
}
const jsDir = join(root, 'js');
const scripts = readdirSync(jsDir).filter((n) => n.endsWith('.js') && n !== 'node-cjs.js');
const schedulerParts = ['scheduler-config.js', 'scheduler-driver.js', 'scheduler-events.js',
  'scheduler-executors.js', 'scheduler-jobs.js', 'scheduler-shared.js', 'stores.js', 'tab-election.js'];
const modules = scripts.filter((n) => n !== 'scheduler.js' && !schedulerParts.includes(n));
for (const name of modules) {
  // Only scheduler.js and the parts themselves may import the parts (they ship inside
  // dist/scheduler.js, not as files).
  const imports = [...readFileSync(join(jsDir, name), 'utf8').matchAll(/from\s+'\.\/([\w.-]+)'/g)].map((m) => m[1]);
  const part = imports.find((i) => schedulerParts.includes(i));
  if (part) throw new Error(`js/${name} imports ${part}, which ships only inside dist/scheduler.js`);
}
// Without `format`, esbuild keeps each module's top-level names (every exported class and
// function, the only named ones in these modules) and shortens the local ones, so keepNames'
// __name() calls are not needed: 496 B gzipped less in the bundled app.
await build({ ...esm, format: undefined, keepNames: false, entryPoints: modules.map((n) => join(jsDir, n)), outdir: dist, outbase: jsDir });
const sharedModules = {
  name: 'shared-modules',
  setup(b) {
    // Every relative import that is not one of the Scheduler's parts stays an import.
    b.onResolve({ filter: /^\.\// }, (a) =>
      (schedulerParts.includes(a.path.slice(2)) ? undefined : { path: a.path, external: true }));
  },
};
await build({ ...esm, keepNames: false, bundle: true, platform: 'neutral', entryPoints: [join(jsDir, 'scheduler.js')],
  outdir: dist, outbase: jsDir, plugins: [sharedModules] });
// The glue without keepNames (its __name() calls cost 466 B gzipped in the bundled app):
// with no `format`, esbuild keeps the module's top-level names (the exported SchedulerCore,
// WasmTrigger, parseDate… keep their `.name`) and shortens only the local ones.
await build({ ...esm, format: undefined, keepNames: false, entryPoints: [glue], outdir: core, outbase: stage });
for (const name of readdirSync(jsDir)) {
  if (name.endsWith('.d.ts')) cpSync(join(jsDir, name), join(dist, name));
}

// 4b. Types for `require` users: TypeScript reads a .d.ts in a `type: module` package as ESM,
//     so CommonJS consumers get a .d.cts twin of every top-level declaration file, with
//     relative imports pointing at the twins.
for (const name of readdirSync(dist)) {
  if (!name.endsWith('.d.ts')) continue;
  const text = readFileSync(join(dist, name), 'utf8').replace(/(from\s+'\.\/[\w.-]+)\.js'/g, "$1.cjs'");
  writeFileSync(join(dist, name.replace(/\.d\.ts$/, '.d.cts')), text);
}

// 5. CommonJS for `require('tickwerk')`: one bundle of the shared code with a sync loader,
//    from js/ and the staged glue. (The glue's default async `init` mentions
//    import.meta.url; the CJS loader never calls it.)
const stagedGlue = {
  name: 'staged-glue',
  setup(b) {
    b.onResolve({ filter: /\/core\/tickwerk_core\.js$/ }, () => ({ path: glue }));
    // The glue's import of the message formats (dist/error-text.js beside dist/core/).
    b.onResolve({ filter: /^\.\.\/error-text\.js$/ }, (a) => (a.importer === glue ? { path: join(jsDir, 'error-text.js') } : undefined));
  },
};
await build({
  ...esm,
  entryPoints: [join(jsDir, 'node-cjs.js')],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: join(dist, 'node.cjs'),
  plugins: [stagedGlue],
  logOverride: { 'empty-import-meta': 'silent' },
});

const kb = (p) => (statSync(p).size / 1024).toFixed(1);
console.error(`[build] dist/tickwerk_bg.wasm ${kb(finalWasm)} KiB, dist/node.cjs ${kb(join(dist, 'node.cjs'))} KiB` +
  `, dist/core/tickwerk_core.js ${kb(join(core, 'tickwerk_core.js'))} KiB (JS minified)`);
