// The Scheduler in a real browser (headless Chromium via playwright-core, headless Firefox ESR
// via puppeteer-core over WebDriver BiDi; drivers.mjs, TICKWERK_BROWSER picks one): real
// IndexedDB persistence across a page reload (no job lost or duplicated), a corrupted record
// reported and left in place, Web Locks electing one leader of a shared store (a second
// scheduler follows; with { shared: false } it is refused), the
// worker executor. (The demo page in www/ has its own test: demo.test.mjs.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LABEL, browsersUnderTest, launch } from './drivers.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.css': 'text/css' };

const HARNESS = `<!doctype html><meta charset="utf-8"><title>tickwerk scheduler test</title>
<script type="module">
  window.tw = await import('/dist/browser.js');
  await window.tw.ready();
  window.ready = true;
</script>`;

function serve() {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/' || path === '/harness.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(HARNESS);
      return;
    }
    const file = normalize(join(root, path));
    const allowed = [join(root, 'dist'), join(root, 'www')].some((dir) => file.startsWith(dir));
    if (!allowed || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(await readFile(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

for (const browserName of browsersUnderTest()) {
  test(`Scheduler in ${LABEL[browserName]}: IndexedDB persistence across reloads, corrupt records, Web Locks, worker executor`, { timeout: 120_000 }, async () => {
    assert.ok(existsSync(join(root, 'dist/browser.js')), 'run `npm run build` first');
    const server = await serve();
    const browser = await launch(browserName);
    try {
      const page = await browser.newPage();
      const url = `http://127.0.0.1:${server.address().port}/harness.html`;
      await page.goto(url);
      await page.waitForFunction(() => window.ready === true, null, 30_000);

      // First page life: three jobs, two runs of the interval job, shutdown.
      const first = await page.evaluate(async () => {
        const { Scheduler } = window.tw;
        const runs = [];
        const s = new Scheduler({ timezone: 'UTC', jobstores: { default: { type: 'indexeddb', dbName: 'persist' } }, functions: { f: (x) => runs.push(x) } });
        s.addJob('f', 'interval', { seconds: 1, id: 'a', args: ['a'] });
        s.addJob('f', 'date', { runDate: new Date(Date.now() + 3_600_000), id: 'b', args: ['b'] });
        s.addJob('f', 'interval', { minutes: 1, id: 'p', nextRunTime: null });
        await s.start();
        await new Promise((r) => setTimeout(r, 2300));
        const jobs = s.getJobs().map((j) => [j.id, j.nextRunTime && j.nextRunTime.getTime()]);
        await s.shutdown();
        return { runs, jobs, state: s.state };
      });
      assert.deepEqual(first.runs, ['a', 'a']);
      assert.equal(first.state, 'stopped');

      // A reload: a new scheduler over the same database finds the same jobs, once each.
      await page.reload();
      await page.waitForFunction(() => window.ready === true, null, 30_000);
      const second = await page.evaluate(async () => {
        const { Scheduler } = window.tw;
        const s = new Scheduler({ timezone: 'UTC', jobstores: { default: { type: 'indexeddb', dbName: 'persist' } }, functions: { f() {} } });
        await s.start({ paused: true });
        const jobs = s.getJobs().map((j) => [j.id, j.nextRunTime && j.nextRunTime.getTime(), String(j.trigger)]);
        const loadErrors = s.loadErrors.length;
        await s.shutdown();
        return { jobs, loadErrors };
      });
      assert.deepEqual(second.jobs.map((j) => j[0]), ['a', 'b', 'p']);
      assert.deepEqual(second.jobs.map((j) => j[1]), first.jobs.map((j) => j[1]), 'same next run times as stored');
      assert.equal(second.jobs[0][2], 'interval[0:00:01]');
      assert.equal(second.loadErrors, 0);

      // A corrupted record: reported with its id, left in place; the other jobs still load.
      const third = await page.evaluate(async () => {
        const put = () => new Promise((resolve, reject) => {
          const open = indexedDB.open('persist'); // its current version (2 since the change queue)
          open.onsuccess = () => {
            const tx = open.result.transaction('jobs', 'readwrite');
            tx.objectStore('jobs').put({ version: 7, id: 'bad', junk: true }, ['default', 'bad']);
            tx.oncomplete = () => { open.result.close(); resolve(); };
            tx.onerror = () => reject(tx.error);
          };
        });
        const get = () => new Promise((resolve) => {
          const open = indexedDB.open('persist'); // its current version (2 since the change queue)
          open.onsuccess = () => {
            const req = open.result.transaction('jobs').objectStore('jobs').get(['default', 'bad']);
            req.onsuccess = () => { open.result.close(); resolve(req.result); };
          };
        });
        await put();
        const { Scheduler } = window.tw;
        const s = new Scheduler({ timezone: 'UTC', jobstores: { default: { type: 'indexeddb', dbName: 'persist' } }, functions: { f() {} }, logger: {} });
        await s.start({ paused: true });
        const out = { ids: s.getJobs().map((j) => j.id), errors: s.loadErrors.map((e) => [e.code, e.value, e.message]) };
        s.removeJob('a');
        await s.shutdown();
        out.stillThere = await get();
        return out;
      });
      assert.deepEqual(third.ids, ['a', 'b', 'p']);
      assert.equal(third.errors.length, 1);
      assert.equal(third.errors[0][0], 'CORRUPT_RECORD');
      assert.equal(third.errors[0][1], 'bad');
      assert.match(third.errors[0][2], /unknown record version 7/);
      assert.deepEqual(third.stillThere, { version: 7, id: 'bad', junk: true });

      // Web Locks: a shared IndexedDB store (the default) is led by one scheduler; a second one
      // on it follows and leads once the first shuts down. `shared: false` keeps the single
      // owner: a second one is refused until the lock is released.
      const locks = await page.evaluate(async () => {
        const { Scheduler, EVENT_ROLE_CHANGED } = window.tw;
        const make = (shared) => new Scheduler({ timezone: 'UTC', jobstores: { default: { type: 'indexeddb', dbName: 'locks', shared } }, logger: {} });
        const one = make(true);
        const two = make(true);
        await one.start();
        await two.start();
        const roles = [one.role, two.role];
        const promoted = new Promise((resolve) => two.addListener((e) => e.role === 'leader' && resolve(e.role), EVENT_ROLE_CHANGED));
        await one.shutdown();
        const after = await promoted;
        await two.shutdown();
        const three = make(false);
        const four = make(false);
        await three.start();
        let refused = null;
        try {
          await four.start();
        } catch (e) {
          refused = [e.code, e instanceof window.tw.TickwerkError, e.message];
        }
        const stateFour = four.state;
        await three.shutdown();
        await four.start();
        const afterFour = four.state;
        await four.shutdown();
        return { hasLocks: Boolean(navigator.locks), roles, after, refused, stateFour, afterFour };
      });
      assert.equal(locks.hasLocks, true);
      assert.deepEqual(locks.roles, ['leader', 'follower']);
      assert.equal(locks.after, 'leader');
      assert.deepEqual(locks.refused.slice(0, 2), ['STORE_FAILURE', true]);
      assert.match(locks.refused[2], /another scheduler/);
      assert.equal(locks.stateFour, 'stopped');
      assert.equal(locks.afterFour, 'running');

      // The worker executor: a job named by module URL + export runs in a Web Worker.
      const worker = await page.evaluate(async () => {
        const { Scheduler, EVENT_JOB_EXECUTED, EVENT_JOB_ERROR } = window.tw;
        const mod = `data:text/javascript,${encodeURIComponent('export const triple = (x) => ({ x: x * 3, inWorker: typeof window === "undefined" });')}`;
        const s = new Scheduler({ timezone: 'UTC', executors: { pool: { type: 'worker', maxWorkers: 2, modules: [mod] } }, logger: {} });
        const events = [];
        s.addListener((e) => events.push(e), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR);
        await s.start();
        s.addJob(`${mod}#triple`, { executor: 'pool', args: [14], id: 'w' });
        for (let i = 0; i < 100 && events.length === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
        await s.shutdown();
        return events.map((e) => [e.name, e.retval, e.exception && String(e.exception)]);
      });
      assert.deepEqual(worker, [['EVENT_JOB_EXECUTED', { x: 42, inWorker: true }, undefined]]);
      assert.deepEqual(page.errors, []);
    } finally {
      await browser.close();
      server.close();
    }
  });
}
