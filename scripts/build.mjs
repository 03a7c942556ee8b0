#!/usr/bin/env node
// Builds the npm package into dist/:
//   1. cargo build --profile wasm-release --target wasm32-unknown-unknown --lib
//      (Cargo.toml: `release` with opt-level "z"; native builds and benches keep `release`)
//   2. wasm-bindgen --weak-refs --target web  -> dist/core/ (the JS glue) + a raw .wasm
//   3. wasm-opt -Oz (npm `binaryen`; Debian's binaryen 108 produces broken modules)
//      -> dist/tickwerk_bg.wasm
//   4. js/ copied to dist/ (the shared API module, one small loader per runtime, types)
//   5. esbuild bundles the CommonJS entry -> dist/node.cjs
// Usage: node scripts/build.mjs [--skip-cargo] [--no-opt]
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
//    default `init`; every runtime's loader calls one of them (see js/load-*.js).
rmSync(dist, { recursive: true, force: true });
const core = join(dist, 'core');
mkdirSync(core, { recursive: true });
run('wasm-bindgen', ['--weak-refs', '--target', 'web', '--out-name', 'tickwerk_core', '--out-dir', core, rawWasm]);

// 3. Optimise the module and move it next to the entry points.
const boundWasm = join(core, 'tickwerk_core_bg.wasm');
const finalWasm = join(dist, 'tickwerk_bg.wasm');
if (args.has('--no-opt')) {
  renameSync(boundWasm, finalWasm);
} else {
  // The features rustc's wasm32 target enables by default; wasm-opt must accept them.
  const features = ['--enable-bulk-memory', '--enable-mutable-globals', '--enable-sign-ext',
    '--enable-nontrapping-float-to-int', '--enable-reference-types', '--enable-multivalue'];
  run(bin('wasm-opt'), ['-Oz', ...features, '--strip-debug', '--strip-producers', boundWasm, '-o', finalWasm]);
  rmSync(boundWasm);
}
rmSync(join(core, 'tickwerk_core_bg.wasm.d.ts'), { force: true });

// 4. The JS layer: the whole js/ tree copied as-is (plain ES modules, hand-written .d.ts).
cpSync(join(root, 'js'), dist, { recursive: true });

// 4b. Types for `require` users: TypeScript reads a .d.ts in a `type: module` package as ESM,
//     so CommonJS consumers get a .d.cts twin of every top-level declaration file, with
//     relative imports pointing at the twins.
for (const name of readdirSync(dist)) {
  if (!name.endsWith('.d.ts')) continue;
  const text = readFileSync(join(dist, name), 'utf8').replace(/(from\s+'\.\/[\w.-]+)\.js'/g, "$1.cjs'");
  writeFileSync(join(dist, name.replace(/\.d\.ts$/, '.d.cts')), text);
}

// 5. CommonJS for `require('tickwerk')`: one bundle of the shared code with a sync loader.
//    (The glue's default async `init` mentions import.meta.url; the CJS loader never calls it.)
run(bin('esbuild'), [join(dist, 'node-cjs.js'), '--bundle', '--format=cjs', '--platform=node',
  '--target=node20', `--outfile=${join(dist, 'node.cjs')}`, '--log-override:empty-import-meta=silent',
  '--log-level=warning']);
rmSync(join(dist, 'node-cjs.js'));

const kb = (p) => (statSync(p).size / 1024).toFixed(1);
console.error(`[build] dist/tickwerk_bg.wasm ${kb(finalWasm)} KiB, dist/node.cjs ${kb(join(dist, 'node.cjs'))} KiB`);
