// What tests/browser/tabs.test.mjs's scenarios share: a server for dist/ and a harness page,
// tabs opened through the driver (drivers.mjs newTab: one profile, so one origin's IndexedDB,
// Web Locks and BroadcastChannel), a scheduler started in a tab on the shared IndexedDB store
// whose events go to a collector tab over a BroadcastChannel (the shared log), and the check
// of a job's fire times in that log.
import { createServer } from 'node:http';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (dist/ is copied from there). */
export const root = fileURLToPath(new URL('../../', import.meta.url));
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
/** The interval of every job the scenarios add, ms. */
export const INTERVAL_MS = 1_000;

const HARNESS = `<!doctype html><meta charset="utf-8"><title>tickwerk tabs test</title>
<script type="module">
  window.tw = await import('/dist/browser.js');
  await window.tw.ready();
  window.ready = true;
</script>`;

/**
 * A copy of dist/ in a temp directory (its parent), so another engineer's rebuild cannot
 * take the package away in the middle of a run. scripts/build.mjs empties dist/ first and
 * writes dist/node.cjs last: the copy is taken while node.cjs is there and kept when node.cjs
 * is still the same file after it (no build began meanwhile); else it waits and copies
 * again, up to 3 min. Resolves with the directory that holds `dist/`.
 */
async function snapshotDist() {
  const dist = join(root, 'dist');
  const finished = () => {
    try {
      return statSync(join(dist, 'node.cjs')).mtimeMs;
    } catch {
      return null;
    }
  };
  const copy = await mkdtemp(join(tmpdir(), 'tickwerk-tabs-'));
  for (const deadline = Date.now() + 180_000; ;) {
    const before = finished();
    if (before !== null) {
      try {
        await rm(join(copy, 'dist'), { recursive: true, force: true });
        await cp(dist, join(copy, 'dist'), { recursive: true });
        if (finished() === before) return copy;
      } catch {
        // A build removed files while they were copied: try again.
      }
    }
    if (Date.now() > deadline) {
      await rm(copy, { recursive: true, force: true });
      throw new Error(`${dist} is incomplete (a build in progress, or none): run \`node scripts/build.mjs\``);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/**
 * Serves /harness.html and a snapshot of dist/ on 127.0.0.1; resolves with the
 * http.Server, whose close() also removes the snapshot.
 */
export async function serve() {
  const base = await snapshotDist();
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/harness.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(HARNESS);
      return;
    }
    const file = normalize(join(base, path));
    if (!file.startsWith(join(base, 'dist')) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(await readFile(file));
  });
  server.on('close', () => { rm(base, { recursive: true, force: true }).catch(() => {}); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** A new tab of the session's shared profile on the harness, once tickwerk is ready. */
export async function openTab(session, url) {
  const tab = await session.newTab();
  await tab.goto(url);
  try {
    await tab.waitForFunction(() => window.ready === true, null, 30_000);
  } catch (e) {
    throw new Error(`the harness never got ready: ${e.message}; page errors ${JSON.stringify(tab.errors)}, console errors ${JSON.stringify(tab.consoleErrors)}`);
  }
  return tab;
}

/** A collector tab: every message on the 'tabs-log' channel lands in its `window.entries`. */
export async function openCollector(session, url) {
  const tab = await openTab(session, url);
  await tab.evaluate(() => {
    window.entries = [];
    window.channel = new BroadcastChannel('tabs-log');
    window.channel.onmessage = (e) => window.entries.push(e.data);
  });
  return tab;
}

/**
 * In a tab (page function): a scheduler on the shared IndexedDB store 'tabs' whose runs,
 * missed runs, role changes and added jobs are posted to the log channel with the tab's
 * label and the time (`at`, epoch ms), as is the tab's pagehide; resolves with its starting
 * role.
 */
export async function startScheduler(label) {
  const { Scheduler, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, EVENT_JOB_ADDED, EVENT_ROLE_CHANGED } = window.tw;
  const log = new BroadcastChannel('tabs-log');
  const s = new Scheduler({
    timezone: 'UTC',
    jobstores: { default: { type: 'indexeddb', dbName: 'tabs' } },
    jobDefaults: { coalesce: false, misfireGraceTime: null },
    functions: { tick() {} },
    logger: { warn: (...a) => console.warn(...a), error: (...a) => console.error(...a) },
  });
  s.addListener((e) => {
    const at = Date.now();
    if (e.code === EVENT_JOB_EXECUTED) log.postMessage({ kind: 'run', tab: label, jobId: e.jobId, t: e.scheduledRunTime.getTime(), at });
    else if (e.code === EVENT_JOB_MISSED) log.postMessage({ kind: 'missed', tab: label, jobId: e.jobId, t: e.scheduledRunTime.getTime(), at });
    else if (e.code === EVENT_ROLE_CHANGED) log.postMessage({ kind: 'role', tab: label, role: e.role, at });
    else if (e.code === EVENT_JOB_ADDED) log.postMessage({ kind: 'added', tab: label, jobId: e.jobId, role: s.role, at });
  }, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_ADDED | EVENT_ROLE_CHANGED);
  // Unloading (a close does it, a crash does not): logged synchronously, before the page goes.
  addEventListener('pagehide', () => log.postMessage({ kind: 'pagehide', tab: label, at: Date.now() }));
  window.scheduler = s;
  await s.start();
  return s.role;
}

/** Opens three scheduler tabs t1, t2, t3 in order; resolves with [{ label, tab, role }]. */
export async function openSchedulerTabs(session, url) {
  const tabs = [];
  for (const label of ['t1', 't2', 't3']) {
    const tab = await openTab(session, url);
    tabs.push({ label, tab, role: await tab.evaluate(startScheduler, label) });
  }
  return tabs;
}

/** The collector's first 'leader' role entry at or after `since`, waited for up to 10 s. */
export async function nextLeader(collector, since) {
  await collector.waitForFunction((t) => window.entries.some((e) => e.kind === 'role' && e.role === 'leader' && e.at >= t), since, 10_000);
  return collector.evaluate((t) => window.entries.find((e) => e.kind === 'role' && e.role === 'leader' && e.at >= t), since);
}

/**
 * A job's fire times in the log: `ran` and `missed` (sorted scheduled times), `twice` (times
 * that ran twice, or ran and were reported missed), and `absent`: the times of its
 * INTERVAL_MS schedule between the first and the last logged one that are in neither.
 */
export function fireTimes(entries, jobId) {
  const ran = entries.filter((e) => e.kind === 'run' && e.jobId === jobId).map((e) => e.t).sort((x, y) => x - y);
  const missed = entries.filter((e) => e.kind === 'missed' && e.jobId === jobId).map((e) => e.t).sort((x, y) => x - y);
  const all = [...ran, ...missed].sort((x, y) => x - y);
  const twice = all.filter((t, i) => i > 0 && t === all[i - 1]);
  const absent = [];
  for (let i = 1; i < all.length; i++) {
    for (let t = all[i - 1] + INTERVAL_MS; t < all[i]; t += INTERVAL_MS) absent.push(t);
  }
  return { ran, missed, twice, absent };
}
