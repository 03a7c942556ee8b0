// Tabs on one IndexedDB store (issue 10), in Chromium and Firefox ESR: three tabs of one
// origin (drivers.mjs newTab: one profile) start a scheduler each on the same shared store.
// One leads (Web Locks), two follow. Per-second jobs run for a stretch; every run is posted on
// a BroadcastChannel to a fourth, collector tab (the shared log), which proves every fire time
// ran at most once across the tabs, and exactly once where a leader was alive.
//
// Closed: closing the leader's tab hands over to a follower (measured: close → the new
// leader's EVENT_ROLE_CHANGED); a job added in a follower tab reaches the leader at once
// (measured: addJob → the leader's EVENT_JOB_ADDED).
//
// Crashed: the leader's tab hangs (a busy loop: it holds the lock but runs nothing) and
// crashes in the middle of the hang (Chromium: DevTools' Page.crash; Firefox: its content
// process SIGKILLed, drivers.mjs crash()). A follower leads within 2 s of the crash and runs
// what fell due meanwhile per each job's misfire/coalesce settings: 'all' (coalesce off, no
// grace time) runs every missed fire time, 'once' (coalesce on) runs them as one, 'grace'
// (coalesce off, 1 s grace) reports the ones over 1 s late as EVENT_JOB_MISSED and runs the
// rest. At most one fire time per job, one the leader recorded just before it hung, may never
// run (it died with the tab). The numbers are printed per browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL, browsersUnderTest, launch } from './drivers.mjs';
import { INTERVAL_MS, fireTimes, nextLeader, openCollector, openSchedulerTabs, serve } from './tabs-harness.mjs';

/** Handover bound the issue sets (close or crash → a follower leads). */
const HANDOVER_MS = 2_000;
/** "At once": a follower's change reaches the leader within this. */
const CHANGE_MS = 500;
/** How long the crashing leader would hang, and when in the hang it crashes (Firefox's
 *  crash() takes ~0.5 s to find the process: the hang outlasts it). */
const HANG_MS = 6_000;
const CRASH_AFTER_MS = 3_000;

/** Launches the browser and serves the harness around `scenario(session, url)`. */
async function inBrowser(browserName, scenario) {
  const server = await serve();
  const session = await launch(browserName);
  try {
    await scenario(session, `http://127.0.0.1:${server.address().port}/harness.html`);
  } finally {
    await session.close();
    server.close();
  }
}

for (const browserName of browsersUnderTest()) {
  const name = LABEL[browserName];

  test(`Tabs in ${name}: 3 tabs on one IndexedDB store — every fire time once, the leader's tab closed, follower changes`, { timeout: 60_000 }, () => inBrowser(browserName, async (session, url) => {
    const collector = await openCollector(session, url);
    const tabs = await openSchedulerTabs(session, url);
    assert.deepEqual(tabs.map((t) => t.role), ['leader', 'follower', 'follower']);

    // The leader adds two per-second jobs; a stretch of runs.
    await tabs[0].tab.evaluate(() => {
      window.scheduler.addJob('tick', 'interval', { seconds: 1, id: 'a' });
      window.scheduler.addJob('tick', 'interval', { seconds: 1, id: 'b' });
    });
    await collector.waitForTimeout(5_000);

    // Close the leader's tab: a follower leads within HANDOVER_MS.
    const closedAt = Date.now();
    await tabs[0].tab.close();
    const promoted = await nextLeader(collector, closedAt);
    const handover = promoted.at - closedAt;
    console.log(`tabs (${name}): leader tab closed -> ${promoted.tab} leads after ${handover} ms (bound ${HANDOVER_MS} ms)`);
    assert.ok(handover < HANDOVER_MS, `handover took ${handover} ms`);
    await collector.waitForTimeout(3_000);
    assert.ok((await collector.evaluate(() => window.entries)).some((e) => e.kind === 'pagehide' && e.tab === 't1'), 'the closed tab unloaded (pagehide)');

    // A change in the remaining follower reaches the leader at once.
    const leader = tabs.find((t) => t.label === promoted.tab);
    const follower = tabs.find((t) => t !== tabs[0] && t !== leader);
    assert.equal(await follower.tab.evaluate(() => window.scheduler.role), 'follower');
    const addedAt = await follower.tab.evaluate(() => {
      const at = Date.now();
      window.scheduler.addJob('tick', 'interval', { seconds: 1, id: 'c' });
      return at;
    });
    const added = (e, tab) => e.kind === 'added' && e.jobId === 'c' && e.tab === tab;
    await collector.waitForFunction((tab) => window.entries.some((e) => e.kind === 'added' && e.jobId === 'c' && e.tab === tab), leader.label, 5_000);
    const reached = (await collector.evaluate(() => window.entries)).find((e) => added(e, leader.label));
    const changeMs = reached.at - addedAt;
    console.log(`tabs (${name}): job added in follower ${follower.label} -> leader ${leader.label} has it after ${changeMs} ms (bound ${CHANGE_MS} ms)`);
    assert.equal(reached.role, 'leader');
    assert.ok(changeMs < CHANGE_MS, `the change took ${changeMs} ms`);
    await collector.waitForTimeout(4_000);

    // Stop the schedulers (the follower first: a leader's shutdown hands over to it, which
    // would then run what falls due), then check the shared log.
    for (const t of [follower, leader]) await t.tab.evaluate(() => window.scheduler.shutdown());
    await collector.waitForTimeout(200);
    const entries = await collector.evaluate(() => window.entries);
    for (const jobId of ['a', 'b', 'c']) {
      const { ran, missed, twice, absent } = fireTimes(entries, jobId);
      assert.deepEqual(twice, [], `job ${jobId}: fire times run twice`);
      assert.deepEqual(missed, [], `job ${jobId}: fire times missed`);
      assert.deepEqual(absent, [], `job ${jobId}: fire times skipped`);
      assert.ok(ran.length >= (jobId === 'c' ? 3 : 10), `job ${jobId}: ${ran.length} runs`);
    }
    const runs = entries.filter((e) => e.kind === 'run');
    const byTab = {};
    for (const r of runs) byTab[r.tab] = (byTab[r.tab] ?? 0) + 1;
    const late = runs.filter((r) => r.at - r.t > INTERVAL_MS).length;
    console.log(`tabs (${name}): ${runs.length} runs of ${new Set(runs.map((r) => `${r.jobId}@${r.t}`)).size} fire times (a, b, c), each once; by tab ${JSON.stringify(byTab)}; ${late} ran over 1 s late`);
    assert.equal(byTab[follower.label] ?? 0, 0, 'a follower never ran a job');
    assert.ok(byTab.t1 > 0 && byTab[leader.label] > 0);
    for (const t of tabs.slice(1)) assert.deepEqual(t.tab.errors, [], `${t.label}: page errors`);
  }));

  test(`Tabs in ${name}: the leader's tab hangs and crashes — a follower leads within 2 s and runs what was missed per misfire/coalesce`, { timeout: 60_000 }, () => inBrowser(browserName, async (session, url) => {
    const collector = await openCollector(session, url);
    const tabs = await openSchedulerTabs(session, url);
    assert.deepEqual(tabs.map((t) => t.role), ['leader', 'follower', 'follower']);
    await tabs[0].tab.evaluate(() => {
      window.scheduler.addJob('tick', 'interval', { seconds: 1, id: 'all' });
      window.scheduler.addJob('tick', 'interval', { seconds: 1, id: 'once', coalesce: true });
      window.scheduler.addJob('tick', 'interval', { seconds: 1, id: 'grace', misfireGraceTime: 1 });
    });
    await collector.waitForTimeout(3_500);

    // The leader hangs (it keeps the lock and runs nothing), and crashes in the hang.
    const hungAt = await tabs[0].tab.evaluate((ms) => {
      const at = Date.now();
      setTimeout(() => {
        const end = Date.now() + ms;
        while (Date.now() < end);
      }, 0);
      return at;
    }, HANG_MS);
    await collector.waitForTimeout(CRASH_AFTER_MS);
    const crash = await tabs[0].tab.crash();
    const promoted = await nextLeader(collector, hungAt);
    const handover = promoted.at - crash.at;
    console.log(`tabs (${name}): leader tab hung ${crash.at - hungAt} ms, then crashed (${crash.how}) -> ${promoted.tab} leads after ${handover} ms (bound ${HANDOVER_MS} ms)`);
    assert.ok(promoted.at >= crash.at, `${promoted.tab} led before the crash, while the hung leader held the lock`);
    assert.ok(handover < HANDOVER_MS, `handover took ${handover} ms`);
    await collector.waitForTimeout(3_500);

    const leader = tabs.find((t) => t.label === promoted.tab);
    const follower = tabs.find((t) => t !== tabs[0] && t !== leader);
    await follower.tab.evaluate(() => window.scheduler.shutdown());
    await leader.tab.evaluate(() => window.scheduler.shutdown());
    await collector.waitForTimeout(200);
    const entries = await collector.evaluate(() => window.entries);
    assert.deepEqual(entries.filter((e) => e.kind === 'pagehide' && e.tab === 't1'), [], 'the crashed tab never unloaded (a crash, not a close)');

    // Fire times that fell due while nobody ran them: (hungAt, promoted.at]. Before the hang
    // at most one may be lost: recorded by the leader, its run not yet reported when it hung.
    const inGap = (t) => t > hungAt && t <= promoted.at;
    const byNewLeader = (jobId) => entries.filter((e) => (e.kind === 'run' || e.kind === 'missed') && e.jobId === jobId && e.tab === leader.label);
    const report = [];
    for (const jobId of ['all', 'once', 'grace']) {
      const { ran, missed, twice, absent } = fireTimes(entries, jobId);
      assert.deepEqual(twice, [], `${jobId}: fire times run twice (or run and missed)`);
      const lostBeforeHang = absent.filter((t) => !inGap(t));
      assert.ok(lostBeforeHang.length <= 1 && lostBeforeHang.every((t) => t <= hungAt && t > hungAt - INTERVAL_MS),
        `${jobId}: fire times neither run nor missed outside the crash window: ${lostBeforeHang.map((t) => t - hungAt)} ms after the hang`);
      const gapDue = [...ran, ...missed, ...absent].filter(inGap).sort((x, y) => x - y);
      assert.ok(gapDue.length >= 2, `${jobId}: ${gapDue.length} fire times fell due in the ${promoted.at - hungAt} ms without a leader`);
      const first = byNewLeader(jobId)[0];
      assert.ok(first, `${jobId}: the new leader never ran it`);
      const caughtUp = first.at - promoted.at;
      if (jobId === 'all') {
        assert.deepEqual(absent.filter(inGap), [], 'all: every fire time of the gap runs');
        assert.deepEqual(missed, [], 'all: nothing missed (no grace time)');
      } else if (jobId === 'once') {
        // Coalesced: one run (the new leader's first) stands for every fire time due before
        // it started; the others never run.
        const dueAtCatchUp = [...ran, ...absent].filter((t) => t > hungAt && t <= first.at);
        const caughtUpRuns = ran.filter((t) => t > hungAt && t <= first.at);
        assert.ok(dueAtCatchUp.length >= 2, `once: ${dueAtCatchUp.length} fire times due when the new leader caught up`);
        assert.deepEqual(caughtUpRuns, [first.t], `once: the ${dueAtCatchUp.length} fire times due at the catch-up run once (${caughtUpRuns.length} runs)`);
        assert.deepEqual(missed, [], 'once: nothing missed (no grace time)');
      } else {
        assert.deepEqual(absent.filter(inGap), [], 'grace: every fire time of the gap is run or reported missed');
        const late = missed.filter(inGap);
        assert.ok(late.length >= 1, 'grace: the fire times over 1 s late are reported missed');
        assert.deepEqual(missed.filter((t) => !inGap(t)), [], 'grace: nothing missed outside the gap');
        assert.ok(late.every((t) => promoted.at - t > 1_000 - 50), `grace: missed ones were over 1 s late at the takeover (${late.map((t) => promoted.at - t)} ms)`);
      }
      report.push(`${jobId}: ${gapDue.length} due in the gap -> ${ran.filter(inGap).length} run, ${missed.filter(inGap).length} missed, first caught up ${caughtUp} ms after the takeover; ${lostBeforeHang.length} lost at the hang`);
    }
    console.log(`tabs (${name}): ${report.join('; ')}`);
    const runs = entries.filter((e) => e.kind === 'run');
    const byTab = {};
    for (const r of runs) byTab[r.tab] = (byTab[r.tab] ?? 0) + 1;
    console.log(`tabs (${name}): ${runs.length} runs, by tab ${JSON.stringify(byTab)}; no fire time twice`);
    assert.equal(byTab[follower.label] ?? 0, 0, 'a follower never ran a job');
    assert.ok(byTab.t1 > 0 && byTab[leader.label] > 0);
    for (const t of [leader, follower]) assert.deepEqual(t.tab.errors, [], `${t.label}: page errors`);
  }));
}
