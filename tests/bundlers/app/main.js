// The app every bundler builds (tests/bundlers/bundlers.test.mjs). `run()` reads the mode
// from the page's query and leaves what happened in `window.__result`:
//   default  await ready() (the wasm from its default URL, as the bundler shipped it)
//   missing  the server 404s that URL: ready() rejects with LOAD_FAILED naming it, a trigger
//            built now throws NOT_READY, and the app recovers with ready(url of a copy)
//   bytes    the default URL 404s; ready(the copy's bytes as a Uint8Array)
//   module   the default URL 404s; ready(a WebAssembly.Module compiled from the copy)
//   first    ready(url of the copy) before the background load starts: the default URL is
//            never requested
// After a successful load every mode builds triggers, checks an error's class and code,
// starts a Scheduler and waits for its jobs to run.
import { CronTrigger, IntervalTrigger, ready, Scheduler, TickwerkError } from 'tickwerk';

const COPY = '/alt/tickwerk.wasm';

function describe(e) {
  return { isTickwerk: e instanceof TickwerkError, isError: e instanceof Error, name: e?.name, code: e?.code, field: e?.field, value: e?.value, message: String(e?.message ?? e) };
}

async function loaded(mode, out) {
  const copy = new URL(COPY, location.href);
  if (mode === 'missing') {
    try {
      await ready();
      out.loadError = 'none';
    } catch (e) {
      out.loadError = describe(e);
      try {
        new CronTrigger({ hour: 9 });
        out.notReady = 'none';
      } catch (e2) {
        out.notReady = { ...describe(e2), causeIsLoadError: e2.cause === e };
      }
    }
    document.documentElement.dataset.stillRunning = 'yes'; // <html>: exists even before <body> is parsed
    await ready(copy.href);
  } else if (mode === 'bytes') {
    const bytes = new Uint8Array(await (await fetch(copy)).arrayBuffer());
    await ready(bytes);
  } else if (mode === 'module') {
    await ready(await WebAssembly.compileStreaming(fetch(copy)));
  } else {
    await ready();
  }
}

export async function run(mode = new URL(location.href).searchParams.get('mode') ?? 'default') {
  const out = { mode };
  window.__result = undefined;
  try {
    // Before the module is loaded (the background load has not even started yet).
    try {
      new IntervalTrigger({ minutes: 1 });
      out.before = 'none';
    } catch (e) {
      out.before = describe(e);
    }
    const first = mode === 'first' ? ready(new URL(COPY, location.href)) : undefined;
    await first;
    await loaded(mode, out);
    const cron = new CronTrigger({ hour: 9, minute: 30, timezone: 'Europe/Berlin' });
    out.cron = [String(cron), cron.getNextFireTime(null, new Date('2026-05-01T00:00:00Z')).toISOString()];
    try {
      new IntervalTrigger({ seconds: 1, timezone: 'Mars/Base' });
    } catch (e) {
      out.error = describe(e);
    }
    const runs = [];
    const scheduler = new Scheduler({ timezone: 'UTC' });
    scheduler.addJob(() => runs.push('once'), 'date', {});
    scheduler.addJob(() => runs.push('tick'), 'interval', { seconds: 0.1, id: 'tick' });
    await scheduler.start();
    const until = Date.now() + 10_000;
    while (runs.filter((r) => r === 'tick').length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await scheduler.shutdown();
    out.runs = [...new Set(runs)].sort();
    out.state = scheduler.state;
  } catch (e) {
    out.fatal = String(e?.stack ?? e);
  }
  window.__result = out;
}
