// A throwaway redis-server for the tests: a fresh temp dir, a free 127.0.0.1 port, no
// persistence (`--save '' --appendonly no`), started in the foreground as a child of the test
// process; stop() shuts it down (SHUTDOWN NOSAVE, then SIGKILL if it lingers) and removes the
// dir — and at process exit if a test forgot. scripts/setup.sh installs Debian's redis-server.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { freePort, released, stopAtExit, tempDir } from './throwaway.mjs';

/** A running redis-server: `port`, `url` (redis://127.0.0.1:<port>), `stop()`. */
export class RedisServer {
  constructor(dir, port, proc) {
    this.dir = dir;
    this.port = port;
    this.url = `redis://127.0.0.1:${port}`;
    this.proc = proc;
    this.exited = new Promise((resolve) => proc.once('exit', resolve));
  }

  /** Stops the server (no save) and removes its directory. */
  async stop() {
    if (!released(this)) return;
    spawnSync('redis-cli', ['-p', String(this.port), 'shutdown', 'nosave'], { stdio: 'ignore', timeout: 5000 });
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** At exit: SIGKILL and remove (no awaiting possible there). */
  stopSync() {
    released(this);
    try {
      this.proc.kill('SIGKILL');
    } catch {
      // gone
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts redis-server on a free port in a new temp dir; resolves once it accepts connections. */
export async function startRedis() {
  const dir = tempDir('redis');
  for (let attempt = 0; ; attempt += 1) {
    const port = await freePort();
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    proc.stdout.on('data', (d) => { output += d; });
    proc.stderr.on('data', (d) => { output += d; });
    const server = new RedisServer(dir, port, proc);
    stopAtExit(server);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && proc.exitCode === null) {
      const ping = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8', timeout: 2000 });
      if (ping.stdout?.trim() === 'PONG') return server;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    released(server);
    proc.kill('SIGKILL');
    await server.exited;
    if (attempt >= 2) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server did not start on port ${port}:\n${output}`);
    }
  }
}
