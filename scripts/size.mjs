#!/usr/bin/env node
// The package's size as the README measures it, and where the wasm's bytes go.
//
//   bundledSize()   what an app built with a bundler ships for the whole API (bundlephobia's
//                   "minified + gzipped"): `export * from 'tickwerk'` bundled by esbuild for the
//                   browser, minified, gzip -9 (Node's zlib), plus the gzipped dist wasm.
//   wasmBreakdown() the code bytes of the wasm per crate and the largest functions, read from
//                   the name section of cargo's output (target/…/wasm-release/tickwerk.wasm,
//                   before wasm-bindgen and wasm-opt strip the names): where to look when the
//                   size grows. Raw bytes, not gzipped; relative weights are what matter.
//
// Usage: node scripts/size.mjs [--budget BYTES]   (after `npm run build`); exits 1 over budget.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** The size goal from the README: a bundled app under 150,000 bytes gzipped. */
export const GOAL = 150_000;

/**
 * `{ jsRaw, jsGz, wasmRaw, wasmGz, total, jsModules }` of an app that bundles the whole API;
 * `jsModules` is `[[path, minified bytes]]` per module of the package in the app's bundle,
 * largest first (before gzip).
 */
export async function bundledSize() {
  const { build } = await import('esbuild');
  const app = mkdtempSync(join(tmpdir(), 'tickwerk-size-'));
  try {
    mkdirSync(join(app, 'node_modules'));
    symlinkSync(root, join(app, 'node_modules', 'tickwerk'), 'dir');
    writeFileSync(join(app, 'app.js'), "export * from 'tickwerk';\n");
    const { outputFiles, metafile } = await build({
      absWorkingDir: app, entryPoints: [join(app, 'app.js')], bundle: true, write: false, format: 'esm',
      platform: 'browser', target: 'es2022', minify: true, outfile: join(app, 'out.js'), logLevel: 'silent',
      metafile: true,
    });
    const js = outputFiles.find((f) => f.path.endsWith('.js')).contents;
    const [output] = Object.values(metafile.outputs).filter((o) => o.entryPoint);
    const jsModules = Object.entries(output.inputs)
      .map(([path, { bytesInOutput }]) => [relative(root, resolve(app, path)), bytesInOutput])
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1]);
    const wasm = readFileSync(join(root, 'dist', 'tickwerk_bg.wasm'));
    const jsGz = gzipSync(js, { level: 9 }).length;
    const wasmGz = gzipSync(wasm, { level: 9 }).length;
    return { jsRaw: js.length, jsGz, wasmRaw: wasm.length, wasmGz, total: jsGz + wasmGz, jsModules };
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
}

/** The crate a (legacy or v0) mangled Rust symbol belongs to, or a label for the rest. */
function crateOf(name) {
  if (!name) return '(unnamed)';
  let m = /^_ZN(\d+)/.exec(name);
  if (m) {
    const first = name.slice(m[0].length, m[0].length + Number(m[1]));
    // `<alloc::vec::Vec<T> as …>::…`: the crate of the type the impl is for.
    const impl = /^_\$LT\$(?:\$RF\$)?(?:mut\$u20\$)?([a-z_][a-z0-9_]*)\.\./.exec(first);
    return impl ? impl[1] : first;
  }
  m = /C(?:s[0-9a-zA-Z_]*_)?(\d+)([a-z_][a-z0-9_]*)/.exec(name);
  if (name.startsWith('_R') && m) return m[2].slice(0, Number(m[1]));
  m = /^_\$LT\$(?:\$RF\$)?(?:mut\$u20\$)?([a-z_][a-z0-9_]*)\.\./.exec(name);
  if (m) return m[1];
  return '(generic or runtime)';
}

/** wasm-bindgen's type-description functions (`WasmDescribe::describe`, `__wbindgen_describe_*`):
 *  in cargo's output, not in the shipped module. */
const DESCRIBE = /WasmDescribe|wbindgen_describe|describe\.\.WasmDescribe/;

/**
 * `{ sections, code, crates: [[crate, bytes]], functions: [[bytes, name]] }` of a wasm file
 * with a name section. Code bytes are function bodies, less wasm-bindgen's describe
 * functions (removed before shipping); data is listed under `sections`.
 */
export function wasmBreakdown(path) {
  const buf = readFileSync(path);
  let p = 8;
  const leb = () => {
    let r = 0;
    let s = 0;
    let b;
    do {
      b = buf[p++];
      r += (b & 0x7f) * 2 ** s;
      s += 7;
    } while (b & 0x80);
    return r;
  };
  const skipLimits = () => {
    const flags = buf[p++];
    leb();
    if (flags & 1) leb();
  };
  let imported = 0;
  const bodies = [];
  const names = new Map();
  const sections = {};
  const label = { 1: 'type', 2: 'import', 3: 'function', 4: 'table', 5: 'memory', 6: 'global', 7: 'export', 9: 'element', 10: 'code', 11: 'data', 12: 'datacount' };
  while (p < buf.length) {
    const id = buf[p++];
    const size = leb();
    const end = p + size;
    if (id === 2) {
      const skipName = () => {
        const len = leb();
        p += len;
      };
      for (let n = leb(), i = 0; i < n; i += 1) {
        skipName(); // module
        skipName(); // field
        const kind = buf[p++];
        if (kind === 0) {
          leb();
          imported += 1;
        } else if (kind === 1) {
          p += 1;
          skipLimits();
        } else if (kind === 2) skipLimits();
        else p += 2;
      }
    } else if (id === 10) {
      for (let n = leb(), i = 0; i < n; i += 1) {
        const len = leb();
        bodies.push(len);
        p += len;
      }
    } else if (id === 0) {
      const nameLen = leb();
      const custom = buf.subarray(p, p + nameLen).toString();
      p += nameLen;
      if (custom === 'name') {
        while (p < end) {
          const sub = buf[p++];
          const subLen = leb();
          const subEnd = p + subLen;
          if (sub === 1) {
            for (let n = leb(), i = 0; i < n; i += 1) {
              const index = leb();
              const len = leb();
              names.set(index, buf.subarray(p, p + len).toString());
              p += len;
            }
          }
          p = subEnd;
        }
      }
      sections[`custom:${custom}`] = size;
    }
    if (id !== 0) sections[label[id] ?? id] = size;
    p = end;
  }
  const crates = new Map();
  const functions = [];
  let code = 0;
  bodies.forEach((bytes, i) => {
    const name = names.get(imported + i);
    // wasm-bindgen reads the type descriptions these functions return and removes them.
    if (name && DESCRIBE.test(name)) return;
    const crate = crateOf(name);
    crates.set(crate, (crates.get(crate) ?? 0) + bytes);
    functions.push([bytes, name ?? `#${imported + i}`]);
    code += bytes;
  });
  return {
    sections,
    code,
    crates: [...crates].sort((a, b) => b[1] - a[1]),
    functions: functions.sort((a, b) => b[0] - a[0]),
  };
}

/** The JS part of a `bundledSize()` result as text: the modules by their minified bytes. */
export function jsBreakdownText(size, top = 15) {
  return [
    `JS in the bundled app by module (minified, before gzip; ${size.jsRaw.toLocaleString('en-US')} B in all):`,
    ...size.jsModules.slice(0, top).map(([path, n]) => `  ${n.toLocaleString('en-US').padStart(9)} B  ${path}`),
  ].join('\n');
}

/** The breakdown as text: sections, the top crates and the top functions. */
export function breakdownText(path, top = 15) {
  if (!existsSync(path)) return `(no ${path}: build with npm run build for a breakdown)`;
  const b = wasmBreakdown(path);
  const pct = (n) => `${((100 * n) / b.code).toFixed(1)}%`;
  return [
    `wasm before wasm-bindgen/wasm-opt (${path.replace(`${root}/`, '')}): code ${b.code.toLocaleString('en-US')} B, data ${(b.sections.data ?? 0).toLocaleString('en-US')} B`,
    'code by crate:',
    ...b.crates.slice(0, top).map(([c, n]) => `  ${n.toLocaleString('en-US').padStart(9)} B ${pct(n).padStart(6)}  ${c}`),
    'largest functions:',
    ...b.functions.slice(0, top).map(([n, f]) => `  ${n.toLocaleString('en-US').padStart(9)} B  ${f.slice(0, 110)}`),
  ].join('\n');
}

/** cargo's wasm for the package (the build's step 1). */
export const rawWasmPath = join(process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, 'target'), 'wasm32-unknown-unknown', 'wasm-release', 'tickwerk.wasm');

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--budget');
  const budget = i > 0 ? Number(process.argv[i + 1]) : GOAL;
  const s = await bundledSize();
  console.log(`bundled app: wasm ${s.wasmGz.toLocaleString('en-US')} B + JS ${s.jsGz.toLocaleString('en-US')} B gzipped = ${s.total.toLocaleString('en-US')} B (budget ${budget.toLocaleString('en-US')} B, goal ${GOAL.toLocaleString('en-US')} B)`);
  console.log(breakdownText(rawWasmPath));
  console.log(jsBreakdownText(s));
  if (s.total > budget) {
    console.error(`over budget by ${(s.total - budget).toLocaleString('en-US')} B`);
    process.exit(1);
  }
}
