// Child process of file-store.test.mjs. Usage: node file-store-child.mjs <mode> <path> [log]
//
//   race <path>          the file store's load(): prints "won" or "refused", stays alive
//   hold <path>          a Scheduler (the package) on `{ type: 'file', path }` with one job;
//                        prints "ready" once started and stays alive until killed
//   exit <path>          the same, then process.exit(0) without shutdown (the lock must go)
//   writer <path> <log>  the file store itself (js/file-store.js) writing batch after batch
//                        (`batch(n)` below) as fast as it can; before each apply it appends
//                        "begin <n>" to <log>, after it "done <n>" (page cache is enough:
//                        SIGKILL does not lose written data, only the process)
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { prng } from './support.mjs';

/** The ops of batch `n` (deterministic): the meta record (`n`), puts of 1-8 of 40 jobs with
 *  records of up to 6 KB, sometimes a remove, every 13th batch a clear first. */
export function batch(n) {
  const r = prng(n * 7919);
  const ops = [];
  if (n % 13 === 0) ops.push({ op: 'clear', jobstore: 'default' });
  ops.push({ op: 'put', jobstore: 'default', jobId: 'meta', record: { version: 1, id: 'meta', n } });
  const puts = 1 + Math.floor(r() * 8);
  for (let i = 0; i < puts; i += 1) {
    const id = `job-${Math.floor(r() * 40)}`;
    ops.push({ op: 'put', jobstore: 'default', jobId: id, record: { version: 1, id, n, i, pad: 'x'.repeat(Math.floor(r() * 6000)) } });
  }
  if (r() < 0.4) ops.push({ op: 'remove', jobstore: 'default', jobId: `job-${Math.floor(r() * 40)}` });
  return ops;
}

/** The records after batches 1..n, applied to `records` (a Map id → record). */
export function stateAfter(n, records = new Map()) {
  const s = new Map(records);
  for (let k = 1; k <= n; k += 1) {
    for (const op of batch(k)) {
      if (op.op === 'clear') s.clear();
      else if (op.op === 'put') s.set(op.jobId, op.record);
      else s.delete(op.jobId);
    }
  }
  return s;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [mode, path, log] = process.argv.slice(2);
  if (mode === 'race') {
    // Many of these start at once on one stale lock: prints "won" or "refused", then waits.
    const { FileJobStore } = await import('../../js/file-store.js');
    try {
      await new FileJobStore({ path }).load();
      process.stdout.write('won\n');
    } catch (e) {
      process.stdout.write(e.code === 'STORE_FAILURE' && /is locked by process/.test(e.message) ? 'refused\n' : `error ${e.message}\n`);
    }
    setInterval(() => {}, 1000);
  } else if (mode === 'writer') {
    const { FileJobStore } = await import('../../js/file-store.js');
    const store = new FileJobStore({ path });
    const loaded = await store.load();
    let n = loaded.find((r) => r.id === 'meta')?.n ?? 0;
    appendFileSync(log, `loaded ${n}\n`);
    for (;;) {
      n += 1;
      appendFileSync(log, `begin ${n}\n`);
      await store.apply(batch(n));
      appendFileSync(log, `done ${n}\n`);
    }
  } else {
    const { Scheduler } = await import('tickwerk');
    const scheduler = new Scheduler({ timezone: 'UTC', jobstores: { default: { type: 'file', path } }, functions: { noop() {} } });
    scheduler.addJob('noop', 'interval', { hours: 1, id: `held-${process.pid}` });
    await scheduler.start();
    // Until the job's record is in the file (the store's first batch was written).
    const stored = () => {
      try {
        return readFileSync(path, 'utf8').includes(`"held-${process.pid}"`);
      } catch {
        return false;
      }
    };
    while (!stored()) await new Promise((resolve) => setTimeout(resolve, 5));
    if (mode === 'exit') process.exit(0);
    process.stdout.write('ready\n');
  }
}
