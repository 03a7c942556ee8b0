// Shared helper of the server-backed scheduler tests (tests/servers/): a copy of the built
// package for child processes to import, so that a build started meanwhile by someone else
// (scripts/build.mjs empties dist/ first) cannot pull the package from under them.
//
//   const dir = await snapshotPackage({ needed: ['node.js', 'postgres-store.js'], link: ['pg'] });
//   // children import `${dir}/node_modules/tickwerk/dist/node.js` (see packageFile)
//   rmSync(dir, { recursive: true, force: true });   // in `after`
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The files of dist/ every Node entry needs (the loader, the API, the core and its wasm). */
const CORE_FILES = ['node.js', 'load-node.js', 'tickwerk.js', 'scheduler.js', 'store-types.js', 'errors.js', 'tickwerk_bg.wasm', 'core/tickwerk_core.js'];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Copies dist/ and package.json to `<temp dir>/node_modules/tickwerk` and symlinks the
 * packages named in `link` (the store's client library, e.g. 'pg') beside it, from the
 * repository's node_modules. `needed`: the dist/ files the children import besides
 * CORE_FILES; while one of them is missing (a build in progress) it waits and copies again,
 * up to `waitMs` (then throws, naming the build command). Resolves with the temp dir.
 */
export async function snapshotPackage({ needed = [], link = [], waitMs = 180_000 } = {}) {
  const files = [...CORE_FILES, ...needed];
  const dir = mkdtempSync(join(tmpdir(), 'tickwerk-pkg-'));
  const pkg = join(dir, 'node_modules', 'tickwerk');
  mkdirSync(join(dir, 'node_modules'));
  for (const name of link) symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
  const complete = (base) => files.every((f) => existsSync(join(base, f)));
  for (let waited = 0; ; waited += 2000) {
    if (complete(join(ROOT, 'dist'))) {
      try {
        rmSync(pkg, { recursive: true, force: true });
        cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
        cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
        // Complete before and after the copy: no build emptied dist/ in between.
        if (complete(join(pkg, 'dist')) && complete(join(ROOT, 'dist'))) return dir;
      } catch {
        // a build removed files while they were copied: try again
      }
    }
    if (waited >= waitMs) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`dist/ is incomplete (one of ${files.join(', ')} missing): run node scripts/build.mjs`);
    }
    await sleep(2000);
  }
}

/** The `file:` URL of `file` (e.g. 'node.js') in the dist/ of the copy at `dir`. */
export function packageFile(dir, file) {
  return pathToFileURL(join(dir, 'node_modules', 'tickwerk', 'dist', file)).href;
}
