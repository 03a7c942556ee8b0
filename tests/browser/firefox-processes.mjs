// Which Firefox content process hosts a tab (Linux /proc), for crashing one tab the way a
// content-process crash does. WebDriver BiDi tells a client no process ids, so the tab is made
// to spin and the content process that burns the CPU meanwhile is the one: a busy page keeps
// its process's main thread at ~100 % while the other tabs' processes idle.
import { readFileSync, readdirSync } from 'node:fs';

/** Content processes' names (`/proc/<pid>/comm`, which Firefox sets per process type). */
const CONTENT = new Set(['Web Content', 'Isolated Web Co', 'file:// Content']);
/** The window CPU times are compared over, ms. */
const WINDOW_MS = 400;

/** Firefox's content processes below `browserPid` (its forkserver forks them): pid → name. */
export function contentProcesses(browserPid) {
  const table = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      table.push({ pid: entry, ppid, name: readFileSync(`/proc/${entry}/comm`, 'utf8').trim() });
    } catch {
      // Gone meanwhile.
    }
  }
  const below = new Set([String(browserPid)]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of table) {
      if (below.has(p.ppid) && !below.has(p.pid)) {
        below.add(p.pid);
        grew = true;
      }
    }
  }
  return new Map(table.filter((p) => p.pid !== String(browserPid) && below.has(p.pid) && CONTENT.has(p.name)).map((p) => [Number(p.pid), p.name]));
}

/** User + system CPU time of `pid` in clock ticks, or null when it is gone. */
function cpuTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/**
 * The pid of the content process that hosts a tab: `spin(ms)` must make the tab busy for
 * `ms` (or the tab is busy already); the process that burns at least a quarter of a core over
 * the window while every other content process burns under a third of that is it. Throws when
 * no single process stands out.
 */
export async function contentProcessOf(browserPid, spin) {
  const pids = [...contentProcesses(browserPid).keys()];
  if (pids.length === 0) throw new Error(`Firefox ${browserPid}: no content process found in /proc`);
  spin(WINDOW_MS + 400);
  await sleep(100);
  const before = new Map(pids.map((pid) => [pid, cpuTicks(pid)]));
  await sleep(WINDOW_MS);
  const burnt = pids.map((pid) => ({ pid, ticks: (cpuTicks(pid) ?? 0) - (before.get(pid) ?? 0) })).sort((a, b) => b.ticks - a.ticks);
  const [top, next = { ticks: 0 }] = burnt;
  // A quarter of a core at least (the machine may be busy with other work), and three times
  // the next process's share (idle tabs' processes burn a tick or two).
  const quarterCore = (WINDOW_MS / 1000) * 100 / 4; // ticks at USER_HZ 100
  if (top.ticks < quarterCore || next.ticks * 3 > top.ticks) {
    throw new Error(`Firefox: cannot tell which content process hosts the tab (CPU ticks over ${WINDOW_MS} ms: ${JSON.stringify(burnt)})`);
  }
  return top.pid;
}

/** Resolves once `pid` has exited (gone or a zombie); rejects after `timeoutMs`. */
export async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let state;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    } catch {
      return;
    }
    if (state === 'Z' || state === 'X') return;
    if (Date.now() > deadline) throw new Error(`process ${pid} still alive ${timeoutMs} ms after SIGKILL`);
    await sleep(10);
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
