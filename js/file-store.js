// The file job store (Node): `{ type: 'file', path }`. One file holds one store:
//
//   {"tickwerk":"file-store","version":1}          line 1: the header
//   "<job id as JSON>"<TAB><the job's record JSON>   one line a job
//
// * Each batch rewrites the whole file: `<path>.tmp` written and fsynced, renamed over
//   `<path>`, the directory fsynced. A kill or power loss at any moment leaves the file as it
//   was before the batch or after it, never a mix (rename is atomic). An existing file keeps
//   its mode; a new one is created 0600.
// * A line that does not parse (not UTF-8, no tab, a key that is not a JSON string, a record
//   that is not a JSON object or whose id is not its key) is returned by load() as
//   `corruptEntry('<path>:<line>', reason, id)` and its bytes are written back unchanged by
//   every later batch; only a put or remove of its id (replaceExisting) replaces it.
// * Lock: `<path>.lock` holds `{pid, host, boot, ns, start, token, since}` and is created
//   atomically (hard link of a complete, fsynced temp file) by load(), or by apply() when
//   the store was not loaded. A live holder means refusal: STORE_FAILURE naming the path and
//   the holder's pid (no waiting). A dead holder's lock (its pid gone, a zombie, a pid reused
//   by a younger process, another boot) is removed by one process at a time (under
//   `<path>.lock.break`), after checking it is still the one seen. A holder whose pid cannot be checked from here (another host name, another pid
//   namespace: a container) counts as dead once its lock is older than LEASE (60 s): the
//   holder refreshes the lock file's time every 15 s. Before each batch the lock is checked
//   to still be this store's: a store that lost it refuses to write. close() (shutdown,
//   removeJobstore) and process exit release it; a crashed holder's lock is stale and taken
//   over by the next process.
//
// Node built-ins are reached through process.getBuiltinModule (Node >= 20.16, Bun, Deno), so
// browsers and bundlers never see an import of them.

import { errorText, invalid, TickwerkError } from './errors.js';
import { CorruptEntry } from './store-types.js';

const HEADER = '{"tickwerk":"file-store","version":1}';
const NL = 10;
const TAB = '\t';

let node;
/** `{ fs, fsp, path, os, url, proc }`, or `undefined` outside Node-compatible runtimes. */
function builtins() {
  if (node === undefined) {
    const get = globalThis.process?.getBuiltinModule;
    if (typeof get !== 'function') return undefined;
    const fs = get('node:fs');
    node = { fs, fsp: fs.promises, path: get('node:path'), os: get('node:os'), url: get('node:url'), proc: globalThis.process };
  }
  return node;
}

/** Lock files this process holds (lock path → its text), released at exit. */
const held = new Map();
let exitHooked = false;
function releaseAtExit() {
  for (const [lockPath, text] of held) releaseSync(lockPath, text);
}

/** Removes `lockPath` if it still holds `text` (ours). */
function releaseSync(lockPath, text) {
  held.delete(lockPath);
  const { fs } = node;
  try {
    if (fs.readFileSync(lockPath, 'utf8') === text) fs.unlinkSync(lockPath);
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
  }
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Milliseconds since `p` was modified (Infinity when it is gone). */
const ageOf = async (p) => Date.now() - ((await node.fsp.stat(p).catch(() => undefined))?.mtimeMs ?? -Infinity);
const readText = (p) => node.fsp.readFile(p, 'utf8').catch((e) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));

/** Linux: `{ state, start }` of process `pid` from /proc (`null`: no such process;
 *  `undefined`: no /proc here). `start` is its start time in clock ticks since boot. */
function procStat(pid) {
  let text;
  try {
    text = node.fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (e) {
    return e.code === 'ENOENT' && node.fs.existsSync('/proc/self/stat') ? null : undefined;
  }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: f[0], start: f[19] };
}

let bootId;
function boot() {
  if (bootId === undefined) {
    try {
      bootId = node.fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = null;
    }
  }
  return bootId;
}

/** Whether process `pid` (started at `start` ticks, when known) still runs on this host. */
function alive(pid, start) {
  const stat = procStat(pid);
  if (stat === null || (stat && (stat.state === 'Z' || stat.state === 'X' || (start && start !== stat.start)))) return false;
  if (stat) return true;
  try {
    node.proc.kill(pid, 0);
  } catch (e) {
    return e.code !== 'ESRCH';
  }
  return true;
}

let pidNs;
/** Linux: this process's pid namespace (`pid:[4026531836]`): pids mean something only inside it. */
function namespace() {
  if (pidNs === undefined) {
    try {
      pidNs = node.fs.readlinkSync('/proc/self/ns/pid');
    } catch {
      pidNs = null;
    }
  }
  return pidNs;
}

/** A lock holder `h`: 'alive', 'dead', 'self' (this process), or 'remote' when its pid cannot
 *  be checked from here (another host, another container's pid namespace). */
function holderState(h) {
  if (h.host !== node.os.hostname() || (h.ns && namespace() && h.ns !== namespace())) return 'remote';
  if ((h.boot && boot() && h.boot !== boot()) || !alive(h.pid, h.start)) return 'dead';
  return h.pid === node.proc.pid ? 'self' : 'alive';
}

/** The holder refreshes its lock file's time every LEASE / 4; a lock whose holder cannot be
 *  checked ('remote') is stale once older than LEASE. */
const LEASE = 60_000;

let utf8;
/** A line's text, or `undefined` when it is not UTF-8. */
function decode(bytes) {
  try {
    utf8 ??= new TextDecoder('utf-8', { fatal: true });
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

const utf8Bytes = (text) => new TextEncoder().encode(text);

/** The file: the header, then each line (bytes), each ended by a newline. */
function fileBytes(lines) {
  const header = utf8Bytes(`${HEADER}\n`);
  let size = header.length;
  for (const line of lines.values()) size += line.length + 1;
  const out = new Uint8Array(size);
  out.set(header);
  let at = header.length;
  for (const line of lines.values()) {
    out.set(line, at);
    out[at + line.length] = NL;
    at += line.length + 1;
  }
  return out;
}

/** Records in one file, written atomically, with an exclusive lock file beside it. */
export class FileJobStore {
  /** @param {{ path: string | URL }} options @param {string} [field] names the options in errors */
  constructor(options = {}, field = 'jobstore') {
    if (!builtins()) {
      throw invalid(`${field}.type`, 'file', 'the file store needs Node >= 20.16 (process.getBuiltinModule); browsers: use indexeddb or localstorage');
    }
    let path = options.path;
    try {
      if (path instanceof URL) path = node.url.fileURLToPath(path);
    } catch (e) {
      throw invalid(`${field}.path`, String(path), `not a file: URL (${errorText(e)})`);
    }
    if (typeof path !== 'string' || path === '' || path.includes('\0')) {
      throw invalid(`${field}.path`, path, 'the file store needs a path: a non-empty string or a file: URL');
    }
    this.path = node.path.resolve(path);
    this.lockPath = `${this.path}.lock`;
    this.alias = 'default';
    /** The file's lines: job id → bytes, or `{ id }` → bytes of an unreadable line. */
    this._lines = undefined;
    this._mode = 0o600;
    this._lock = undefined;
    this._queue = Promise.resolve();
    this._busy = 0;
    this._closing = false;
    this._beat = undefined;
  }

  /** @internal */
  bind(alias) {
    this.alias = alias;
  }

  _fail(what, cause, extra = '') {
    return new TickwerkError('STORE_FAILURE', `job store ${JSON.stringify(this.alias)} (file ${this.path}) ${what}${cause ? `: ${errorText(cause)}` : ''}${extra}`, {
      field: 'jobstore',
      value: this.alias,
      cause,
    });
  }

  /** Runs `fn` after every earlier load/apply of this store. */
  _serial(fn) {
    this._busy += 1;
    const run = this._queue.then(fn).finally(() => {
      this._busy -= 1;
      if (this._busy === 0 && this._closing) this.close();
    });
    this._queue = run.catch(() => {});
    return run;
  }

  /** Takes the lock file, or throws STORE_FAILURE naming its live holder. */
  async _acquire() {
    if (this._lock) return;
    const { fsp, path } = node;
    const token = Math.random().toString(36).slice(2) + Date.now().toString(36);
    const text = JSON.stringify({ pid: node.proc.pid, host: node.os.hostname(), boot: boot(), ns: namespace(), start: procStat(node.proc.pid)?.start, token, since: new Date().toISOString() });
    const tmp = `${this.lockPath}.${node.proc.pid}.${token}`;
    try {
      await fsp.writeFile(tmp, text, { flag: 'wx', flush: true });
    } catch (e) {
      throw e.code === 'ENOENT' ? this._fail(`cannot be locked: its directory ${path.dirname(this.path)} does not exist`) : this._fail('cannot be locked', e);
    }
    try {
      const deadline = Date.now() + 5000;
      while (!(await this._create(tmp, text, this.lockPath))) {
        if (Date.now() > deadline) throw this._fail(`cannot be locked: its lock file ${this.lockPath} keeps changing`);
        const seen = await readText(this.lockPath);
        if (seen === undefined) continue;
        let holder;
        try {
          holder = JSON.parse(seen);
          if (!Number.isInteger(holder?.pid)) holder = undefined;
        } catch {
          // below
        }
        const age = await ageOf(this.lockPath);
        if (!holder && age < 2000) {
          // Locks are created whole (a hard link), so an unreadable one is damaged (a power loss),
          // except on file systems without hard links, where it may be in the making.
          await pause(100);
          continue;
        }
        let state = holder ? holderState(holder) : 'dead';
        if (state === 'remote' && age > LEASE) state = 'dead';
        if (state !== 'dead') {
          const who = state === 'self'
            ? `this process (pid ${holder.pid}): another store or scheduler in it uses the file`
            : `process ${holder.pid}${state === 'remote' ? ` on host ${holder.host} (refreshed ${Math.round(age / 1000)} s ago; taken over when ${LEASE / 1000} s old)` : ''}, since ${holder.since}`;
          throw this._fail(`is locked by ${who}`, undefined, `; lock file ${this.lockPath}. One scheduler per store`);
        }
        await this._breakStale(seen, tmp, text);
      }
    } finally {
      await fsp.rm(tmp, { force: true });
    }
    this._lock = text;
    if (!exitHooked) node.proc.once('exit', releaseAtExit);
    exitHooked = true;
    held.set(this.lockPath, text);
    this._beat = setInterval(() => {
      const t = new Date();
      fsp.utimes(this.lockPath, t, t).catch(() => {});
    }, LEASE / 4);
    this._beat.unref?.();
    await this._sweep();
  }

  /** Creates `target` holding `text` unless it exists (then false): a hard link of the complete
   *  file `tmp`, or on file systems without hard links an exclusive create (O_EXCL). */
  async _create(tmp, text, target) {
    const { fsp } = node;
    try {
      await fsp.link(tmp, target);
      return true;
    } catch (e) {
      if (e.code === 'EEXIST') return false;
      if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(e.code)) throw this._fail('cannot be locked', e);
    }
    try {
      await fsp.writeFile(target, text, { flag: 'wx', flush: true });
      return true;
    } catch (e) {
      if (e.code === 'EEXIST') return false;
      throw this._fail('cannot be locked', e);
    }
  }

  /**
   * Removes a dead holder's lock (`seen`). One process at a time, under `<path>.lock.break`: it
   * reads the lock again and removes it only if it is still `seen` — no one else can replace
   * an existing lock, so it cannot be a live one. The others wait and try again. A break lock
   * whose process died (or older than 10 s) is removed.
   */
  async _breakStale(seen, tmp, text) {
    const { fsp } = node;
    const brk = `${this.lockPath}.break`;
    if (!(await this._create(tmp, text, brk))) {
      const other = await readText(brk);
      let h;
      try {
        h = JSON.parse(other);
      } catch {
        // damaged: its age decides
      }
      if (other !== undefined && ((await ageOf(brk)) > 10_000 || (h && holderState(h) === 'dead')) && (await readText(brk)) === other) {
        await fsp.rm(brk, { force: true });
      }
      await pause(5 + Math.random() * 20);
      return;
    }
    try {
      if ((await readText(this.lockPath)) === seen) await fsp.rm(this.lockPath, { force: true });
    } finally {
      if ((await readText(brk)) === text) await fsp.rm(brk, { force: true });
    }
  }

  /** Removes what processes killed while locking left: `<path>.lock.<pid>.<token>` of dead pids. */
  async _sweep() {
    const { fsp, path } = node;
    const base = `${path.basename(this.lockPath)}.`;
    const names = await fsp.readdir(path.dirname(this.lockPath)).catch(() => []);
    for (const name of names) {
      const m = name.startsWith(base) && /^(\d+)\.[a-z0-9]+$/.exec(name.slice(base.length));
      if (m && Number(m[1]) !== node.proc.pid && !alive(Number(m[1]))) await fsp.rm(path.join(path.dirname(this.lockPath), name), { force: true }).catch(() => {});
    }
  }

  /** Refuses to write when the lock file is no longer this store's. */
  async _checkLock() {
    const now = await readText(this.lockPath);
    if (now !== this._lock) {
      let pid;
      try {
        pid = JSON.parse(now).pid;
      } catch {
        // missing or unreadable
      }
      throw this._fail(`lost its lock (${this.lockPath} ${now === undefined ? 'was deleted' : `now names process ${pid}`}): not written`);
    }
  }

  /** Reads the file into `_lines`; returns its records and CorruptEntry objects. */
  async _read() {
    const { fsp } = node;
    let bytes;
    try {
      bytes = await fsp.readFile(this.path);
      this._mode = (await fsp.stat(this.path)).mode & 0o7777;
    } catch (e) {
      if (e.code !== 'ENOENT') throw this._fail('cannot be read', e);
      bytes = new Uint8Array(0);
    }
    await fsp.rm(`${this.path}.tmp`, { force: true }).catch(() => {});
    const lines = new Map();
    const out = [];
    let start = 0;
    let n = 0;
    while (start < bytes.length) {
      let end = bytes.indexOf(NL, start);
      if (end < 0) end = bytes.length;
      const raw = bytes.subarray(start, end);
      start = end + 1;
      n += 1;
      const text = decode(raw)?.replace(/\r$/, '');
      if (n === 1) {
        let header;
        try {
          header = JSON.parse(text);
        } catch {
          // not ours
        }
        if (header?.tickwerk !== 'file-store') throw this._fail(`is not a tickwerk job store file (line 1 is not its header ${HEADER}): refusing to use or change it`);
        if (header.version !== 1) throw this._fail(`has format version ${JSON.stringify(header.version)}, this tickwerk reads version 1: refusing to use or change it`);
        continue;
      }
      if (text === '') continue;
      // An unreadable line is kept under `{ id }`: a put or remove of that id replaces it.
      const corrupt = (reason, id, owner = id) => {
        out.push(new CorruptEntry(`${this.path}:${n}`, reason, id));
        lines.set({ id: owner }, raw);
      };
      if (text === undefined) {
        corrupt('not UTF-8');
        continue;
      }
      const tab = text.indexOf(TAB);
      let id;
      try {
        id = JSON.parse(text.slice(0, tab));
      } catch {
        // below
      }
      if (tab < 0 || typeof id !== 'string' || id === '') {
        corrupt('not a line of the file store (a JSON job id, a tab, the record)');
        continue;
      }
      if (lines.has(id)) {
        corrupt(`a second line for job id ${JSON.stringify(id)} (the first one is loaded)`, undefined, id);
        continue;
      }
      let record;
      try {
        record = JSON.parse(text.slice(tab + 1));
      } catch (e) {
        corrupt(`not JSON: ${e.message}`, id);
        continue;
      }
      if (record === null || typeof record !== 'object' || Array.isArray(record)) corrupt('the record is not a JSON object', id);
      else if (record.id !== id) corrupt(`the record's id ${JSON.stringify(record.id)} is not its key ${JSON.stringify(id)}`, id);
      else {
        lines.set(id, raw);
        out.push(record);
      }
    }
    this._lines = lines;
    return out;
  }

  /** Takes the lock and reads the file; a failed read releases the lock again. */
  async _open() {
    await this._acquire();
    try {
      return await this._read();
    } catch (e) {
      this._release();
      throw e;
    }
  }

  /** Locks the store (refused while another live process holds it) and reads every record. */
  load() {
    this._closing = false;
    return this._serial(() => this._open());
  }

  /** Applies the ops in order to a copy of the lines and writes the file atomically: all or none. */
  apply(ops) {
    return this._serial(async () => {
      // Not loaded (or closed since): lock and read first, so the batch applies to the file.
      if (!this._lock || !this._lines) await this._open();
      else await this._checkLock();
      const next = new Map(this._lines);
      // Ids that own unreadable lines (usually none): a put or remove of one drops them.
      const owners = new Set();
      for (const k of next.keys()) if (typeof k === 'object' && k.id !== undefined) owners.add(k.id);
      const dropUnreadable = (id) => {
        if (owners.has(id)) for (const k of next.keys()) if (typeof k === 'object' && k.id === id) next.delete(k);
      };
      try {
        for (const op of ops) {
          if (op.op === 'put') {
            if (op.record === null || typeof op.record !== 'object') throw new Error(`the record of job ${JSON.stringify(op.jobId)} is not an object`);
            const line = utf8Bytes(`${JSON.stringify(String(op.jobId))}${TAB}${JSON.stringify(op.record)}`);
            dropUnreadable(op.jobId);
            next.set(op.jobId, line);
          } else if (op.op === 'remove') {
            dropUnreadable(op.jobId);
            next.delete(op.jobId);
          } else if (op.op === 'clear') {
            // Unreadable lines stay (the core never clears a store that has them).
            for (const k of next.keys()) if (typeof k === 'string') next.delete(k);
          } else {
            throw new Error(`unknown store op ${JSON.stringify(op?.op)}`);
          }
        }
      } catch (e) {
        throw this._fail('failed (nothing written)', e);
      }
      await this._write(fileBytes(next), next);
    });
  }

  /** tmp file, fsync, rename, fsync the directory; `_lines` = `next` once renamed. */
  async _write(bytes, next) {
    const { fsp, path } = node;
    const tmp = `${this.path}.tmp`;
    let fh;
    try {
      fh = await fsp.open(tmp, 'w', this._mode);
      await fh.chmod(this._mode);
      await fh.writeFile(bytes);
      await fh.sync();
      await fh.close();
      fh = undefined;
      await fsp.rename(tmp, this.path);
    } catch (e) {
      await fh?.close().catch(() => {});
      await fsp.rm(tmp, { force: true }).catch(() => {});
      throw this._fail('write failed (the file is unchanged)', e);
    }
    this._lines = next;
    let dir;
    try {
      dir = await fsp.open(path.dirname(this.path), 'r');
      await dir.sync();
    } catch (e) {
      // Windows cannot open a directory; some file systems cannot sync one.
      if (!['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'ENOTSUP', 'EOPNOTSUPP'].includes(e.code)) {
        throw this._fail('written, but its directory could not be synced (the write may not survive a power loss)', e);
      }
    } finally {
      await dir?.close().catch(() => {});
    }
  }

  _release() {
    const text = this._lock;
    clearInterval(this._beat);
    this._lock = undefined;
    this._lines = undefined;
    if (text) releaseSync(this.lockPath, text);
  }

  /** Releases the lock (at once, or when the load/apply in progress ends). The records stay. */
  close() {
    this._closing = this._busy > 0;
    if (!this._closing) this._release();
  }
}
