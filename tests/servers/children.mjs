// Shared helper of the server-backed store tests (tests/servers/): spawning Node child
// processes that print JSON lines, waiting for their lines, signalling and reaping them.
// Written first by the Postgres store's tests; the Redis store's tests are welcome to use it
// (change it only in ways that keep both working).
//
//   const kids = new Children();
//   const a = kids.spawn(SCRIPT, ['arg'], { env: { X: '1' } });
//   const ready = await a.waitFor((m) => m.event === 'ready', 'a ready', 10_000);
//   a.kill('SIGKILL'); await a.exited;
//   await kids.killAll();       // in `finally`: SIGKILL whatever is still running, reap it
//
// A command channel (option `commands: true`): the child's stdin is a pipe, `send(msg)` writes
// one JSON line to it, and `command(msg)` sends `{ ...msg, seq }` and resolves with the
// child's answer, the first message `{ reply: seq, ... }` (see readCommands for the child's
// side). Without the option the child's stdin stays 'ignore', as before.
import { spawn } from 'node:child_process';

/** One child process. Every stdout line that parses as JSON becomes a message in `messages`
 *  (each stamped with `at`: `Date.now()` when the parent read it); other lines and stderr are
 *  kept in `output` for failure messages. */
export class Child {
  constructor(script, args, options = {}) {
    this.name = options.name ?? script.split('/').pop();
    this.proc = spawn(process.execPath, [script, ...args], {
      stdio: [options.commands ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...(options.env ?? {}) },
      cwd: options.cwd,
    });
    this.pid = this.proc.pid;
    this.messages = [];
    this.output = '';
    this.exitCode = undefined;
    this.signal = undefined;
    this._waiters = new Set();
    this._seq = 0;
    // Writing to a child that died must not crash the test (EPIPE): send() checks `running`.
    this.proc.stdin?.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exitCode = code;
        this.signal = signal;
        for (const w of this._waiters) w.check();
        resolve({ code, signal });
      });
    });
    let pending = '';
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk) => {
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        this._line(line);
      }
    });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (chunk) => {
      this.output = (this.output + chunk).slice(-20_000);
    });
  }

  _line(line) {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      this.output = (this.output + line + '\n').slice(-20_000);
      return;
    }
    if (msg === null || typeof msg !== 'object') return;
    msg.at = Date.now();
    this.messages.push(msg);
    for (const w of this._waiters) w.check();
  }

  /** Whether the process has not exited yet. */
  get running() {
    return this.exitCode === undefined && this.signal === undefined;
  }

  /** The first message (from index `from` on) for which `match(msg)` holds; rejects after
   *  `ms` or when the child exits first, quoting its stderr. */
  waitFor(match, what, ms = 10_000, from = 0) {
    return new Promise((resolve, reject) => {
      const waiter = {
        check: () => {
          const hit = this.messages.slice(from).find(match);
          if (hit) done(() => resolve(hit));
          else if (!this.running) done(() => reject(new Error(`${this.name} (pid ${this.pid}) exited (${this.exitCode ?? this.signal}) before ${what}:\n${this.output}`)));
        },
      };
      const timer = setTimeout(() => done(() => reject(new Error(`timed out after ${ms} ms waiting for ${what} from ${this.name} (pid ${this.pid}):\n${this.output}`))), ms);
      const done = (settle) => {
        clearTimeout(timer);
        this._waiters.delete(waiter);
        settle();
      };
      this._waiters.add(waiter);
      waiter.check();
    });
  }

  /** Writes `msg` as one JSON line to the child's stdin (spawned with `commands: true`). */
  send(msg) {
    if (!this.proc.stdin) throw new Error(`${this.name} (pid ${this.pid}) has no command channel: spawn it with { commands: true }`);
    if (!this.running) throw new Error(`${this.name} (pid ${this.pid}) exited (${this.exitCode ?? this.signal}) before ${JSON.stringify(msg)}:\n${this.output}`);
    this.proc.stdin.write(`${JSON.stringify(msg)}\n`);
  }

  /** Sends `msg` with a fresh `seq` and resolves with the child's `{ reply: seq, ... }`
   *  (rejects after `ms`, or when the child exits first). */
  command(msg, ms = 10_000) {
    this._seq += 1;
    const seq = this._seq;
    const from = this.messages.length;
    this.send({ ...msg, seq });
    return this.waitFor((m) => m.reply === seq, `the reply to ${JSON.stringify(msg)}`, ms, from);
  }

  /** Sends `signal` (a no-op once the process has exited). */
  kill(signal = 'SIGTERM') {
    if (this.running) this.proc.kill(signal);
  }
}

/**
 * The child's side of the command channel: calls `handle(msg)` for every JSON line on stdin and
 * prints `{ reply: msg.seq, ...answer }` (the value `handle` returns or resolves to; on a throw,
 * `{ error: { code, message } }`). Calls `onEnd()` when stdin ends (the parent is gone).
 */
export function readCommands(handle, onEnd) {
  const reply = (answer) => process.stdout.write(`${JSON.stringify(answer)}\n`);
  let pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      let msg;
      try {
        msg = JSON.parse(line);
      } catch {
        reply({ reply: null, error: { code: 'BAD_COMMAND', message: `not JSON: ${line.slice(0, 200)}` } });
        continue;
      }
      Promise.resolve()
        .then(() => handle(msg))
        .then(
          (answer) => reply({ reply: msg?.seq ?? null, ...answer }),
          (e) => reply({ reply: msg?.seq ?? null, error: { code: e?.code, message: String(e?.message ?? e) } }),
        );
    }
  });
  process.stdin.on('end', () => onEnd?.());
}

/** The children of one test: `killAll()` in a `finally` leaves none behind. */
export class Children {
  constructor() {
    this.all = [];
  }

  /** Spawns `node <script> ...args` (see Child). */
  spawn(script, args = [], options = {}) {
    const child = new Child(script, args, options);
    this.all.push(child);
    return child;
  }

  /** The children still running. */
  get running() {
    return this.all.filter((c) => c.running);
  }

  /** SIGKILLs (which also ends a SIGSTOPped process) and reaps every child still running. */
  async killAll() {
    for (const c of this.running) c.kill('SIGKILL');
    await Promise.all(this.all.map((c) => c.exited));
  }
}
