// A throwaway PostgreSQL server for the tests: initdb in a fresh temp dir, started with
// pg_ctl on a free 127.0.0.1 port (unix socket in the temp dir too, fsync off), stopped and
// removed by stop() — and at process exit if a test forgot. Debian's binaries live in
// /usr/lib/postgresql/<version>/bin (scripts/setup.sh installs them). initdb refuses to run
// as root: as root (here and in CI) the server runs as the `postgres` system user, with the
// temp dir chowned to it.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import pg from 'pg';
import { freePort, released, stopAtExit, tempDir } from './throwaway.mjs';

/** The newest /usr/lib/postgresql/<version>/bin (or $PG_BIN). */
export function postgresBin() {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0) throw new Error('no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (run scripts/setup.sh)');
  versions.sort((a, b) => Number(b) - Number(a));
  return join(base, versions[0], 'bin');
}

/** A running server: `url` (postgres://postgres@127.0.0.1:<port>/postgres), `port`, `stop()`. */
export class PostgresServer {
  constructor(dir, port, runAs) {
    this.dir = dir;
    this.data = join(dir, 'data');
    this.port = port;
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    this._runAs = runAs;
  }

  _run(tool, args) {
    const bin = join(postgresBin(), tool);
    const [cmd, argv] = this._runAs ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
    return execFileSync(cmd, argv, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  }

  /** Stops the server (immediate shutdown) and removes its directory. */
  async stop() {
    this.stopSync();
  }

  /** stop(), synchronously (also used at process exit). */
  stopSync() {
    if (!released(this)) return;
    try {
      this._run('pg_ctl', ['stop', '-D', this.data, '-m', 'immediate', '-w']);
    } catch {
      // Already stopped (or never fully started): the directory goes anyway.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** initdb + pg_ctl start of a fresh cluster; resolves once it accepts connections. */
export async function startPostgres() {
  const dir = tempDir('pg');
  const runAs = process.getuid?.() === 0;
  if (runAs) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const server = new PostgresServer(dir, await freePort(), runAs);
  stopAtExit(server);
  try {
    server._run('initdb', ['-D', server.data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    const opts = `-p ${server.port} -k ${dir} -c listen_addresses=127.0.0.1 -F -c full_page_writes=off -c synchronous_commit=off -c max_connections=100`;
    server._run('pg_ctl', ['start', '-D', server.data, '-l', join(dir, 'server.log'), '-o', opts, '-w', '-t', '30']);
  } catch (e) {
    const detail = `${e.stderr ?? ''}${e.stdout ?? ''}`;
    server.stopSync();
    throw new Error(`could not start PostgreSQL in ${dir}: ${e.message}\n${detail}`);
  }
  return server;
}

/**
 * One server for a test file: registers a `before` hook that starts it and connects an admin
 * client (pg.Client, for the test's own queries) and an `after` hook that ends both. Returns
 * the object the hooks fill: `{ server, admin }` (undefined until `before` has run).
 */
export function postgresForTests() {
  const db = { server: undefined, admin: undefined };
  before(async () => {
    db.server = await startPostgres();
    db.admin = new pg.Client(db.server.url);
    await db.admin.connect();
  });
  after(async () => {
    await db.admin?.end();
    await db.server?.stop();
  });
  return db;
}
