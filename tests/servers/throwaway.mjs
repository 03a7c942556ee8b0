// Shared helper of the throwaway servers of the tests (postgres-server.mjs, redis-server.mjs):
// a fresh temp dir, a free 127.0.0.1 port, and the list of servers still running, stopped at
// process exit if a test forgot (each server's stopSync()).
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A new empty directory `<tmpdir>/tickwerk-<kind>-XXXXXX` for one server. */
export function tempDir(kind) {
  return mkdtempSync(join(tmpdir(), `tickwerk-${kind}-`));
}

/** A free TCP port on 127.0.0.1 (free when asked; the server binds it right after). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const running = new Set();
process.on('exit', () => {
  for (const server of running) server.stopSync();
});

/** Puts `server` (an object with `stopSync()`) on the list stopped at process exit. */
export function stopAtExit(server) {
  running.add(server);
}

/** Takes `server` off that list: true if it was on it (so only the first stop does the work). */
export function released(server) {
  return running.delete(server);
}
