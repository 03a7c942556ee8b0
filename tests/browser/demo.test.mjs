// The demo page (www/) in headless Chromium and headless Firefox ESR (drivers.mjs;
// TICKWERK_BROWSER picks one), served by scripts/demo.mjs's server on a free port, in a fresh
// profile: jobs added through the form (an interval job every second, a cron
// job), their runs in the event log and its filters, pause/resume from the job table, the
// timeline's marks, a bad crontab line's error at its input, the DST explorer's 20 New York
// times with November's repeated hour, and the jobs still there after a reload (IndexedDB).
// A screenshot is saved: TICKWERK_DEMO_SCREENSHOT=docs/demo.png refreshes the README's one
// (Chromium's; by default it goes to the temp folder, so a test run leaves the repository
// unchanged; Firefox's always goes to the temp folder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoServer } from '../../scripts/demo.mjs';
import { LABEL, browsersUnderTest, launch } from './drivers.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const screenshotPath = (browser) => (browser === 'chromium'
  ? resolve(root, process.env.TICKWERK_DEMO_SCREENSHOT ?? join(tmpdir(), 'tickwerk-demo.png'))
  : join(tmpdir(), `tickwerk-demo-${browser}.png`));

/** The visible event-log entries as `[type, job]` pairs. */
const visibleLog = (page) => page.evalAll('#log li', (lis) => lis.filter((li) => !li.hidden).map((li) => [li.dataset.type, li.dataset.job]));
const runsOf = (page, job) => page.evalAll('#log li', (lis, id) => lis.filter((li) => li.dataset.type === 'JOB_EXECUTED' && li.dataset.job === id).length, job);
const waitForRun = (page, job, after = 0) => page.waitForFunction(([id, n]) => [...document.querySelectorAll('#log li')]
  .filter((li) => li.dataset.type === 'JOB_EXECUTED' && li.dataset.job === id).length > n, [job, after], 10_000);

for (const browser of browsersUnderTest()) {
  test(`the demo page in ${LABEL[browser]}: form, live table, event log, timeline, DST explorer, IndexedDB across a reload`, { timeout: 90_000 }, async () => {
    assert.ok(existsSync(join(root, 'dist/browser.js')), 'run `npm run build` first');
    const { server, url } = await startDemoServer({ port: 0 });
    const session = await launch(browser, { viewport: { width: 1280, height: 900 }, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
    try {
      const page = await session.newPage();
      await page.goto(url);
      await page.waitForFunction(() => window.demoReady === true, null, 30_000);
      assert.equal(await page.textContent('#state'), 'running');
      assert.equal(await page.textContent('#problem'), '');
      // A fresh profile: the example jobs.
      assert.deepEqual(await page.evalAll('#jobs tr[data-id]', (trs) => trs.map((tr) => tr.dataset.id).sort()), ['every-2h', 'heartbeat', 'standup']);

      // An interval job every second, through the form (interval is the default kind).
      await page.fill('#interval-seconds', '1');
      await page.selectOption('#func', 'count');
      await page.fill('#job-id', 'tick');
      assert.match(await page.textContent('#preview'), /interval\[0:00:01\] →/);
      await page.click('#add-job');
      await page.waitForSelector('#jobs tr[data-id="tick"]');
      assert.equal(await page.textContent('#form-error'), '');
      // A cron job from the fields: every 2 seconds.
      await page.check('input[name="kind"][value="cron"]');
      await page.fill('#cron-dayOfWeek', 'xyz');
      assert.match(await page.textContent('#cron-dayOfWeek + small.err'), /invalid (dayOfWeek|day_of_week) "xyz"/);
      await page.fill('#cron-dayOfWeek', '');
      assert.equal(await page.textContent('#cron-dayOfWeek + small.err'), '');
      await page.fill('#cron-second', '*/2');
      await page.selectOption('#func', 'ping');
      await page.fill('#job-id', 'cron2');
      await page.click('#add-job');
      await page.waitForSelector('#jobs tr[data-id="cron2"]');
      assert.match(await page.textContent('#jobs tr[data-id="cron2"]'), /cron\[second='\*\/2'\]/);
      assert.match(await page.textContent('#jobs tr[data-id="cron2"] .zone'), /Europe\/Berlin/);
      // The same id again: CONFLICTING_ID, shown at the id input.
      await page.fill('#job-id', 'cron2');
      await page.click('#add-job');
      assert.match(await page.textContent('#job-id + small.err'), /already exists/);
      assert.equal(await page.getAttribute('#job-id', 'aria-invalid'), 'true');
      await page.fill('#job-id', '');

      // Both fire: their runs are in the event log.
      await waitForRun(page, 'tick');
      await waitForRun(page, 'cron2');
      assert.match(await page.textContent('#log'), /JOB_EXECUTED\s*tick\s*run \d\d:\d\d:\d\d → \d+/);
      assert.match(await page.textContent('#log'), /JOB_EXECUTED\s*cron2\s*run \d\d:\d\d:\d\d → "pong"/);
      // The filters: by job, then by type.
      await page.selectOption('#log-job', 'tick');
      const byJob = await visibleLog(page);
      assert.ok(byJob.length >= 2 && byJob.every(([, job]) => job === 'tick'), JSON.stringify(byJob));
      await page.selectOption('#log-type', 'JOB_EXECUTED');
      const byBoth = await visibleLog(page);
      assert.ok(byBoth.length >= 1 && byBoth.every(([type, job]) => type === 'JOB_EXECUTED' && job === 'tick'), JSON.stringify(byBoth));
      await page.selectOption('#log-job', '');
      assert.ok((await visibleLog(page)).some(([, job]) => job === 'cron2'));
      assert.match(await page.textContent('#log-count'), /of \d+ shown/);
      await page.selectOption('#log-type', '');

      // Pause the interval job from its row: no runs while paused; resume: it runs again.
      await page.click('#jobs tr[data-id="tick"] button.pause');
      await page.waitForSelector('#jobs tr[data-id="tick"].paused');
      assert.equal(await page.textContent('#jobs tr[data-id="tick"] .next'), 'paused');
      await page.waitForTimeout(300);
      const whilePaused = await runsOf(page, 'tick');
      await page.waitForTimeout(2200);
      assert.equal(await runsOf(page, 'tick'), whilePaused, 'a paused job does not run');
      await page.click('#jobs tr[data-id="tick"] button.resume');
      await page.waitForSelector('#jobs tr[data-id="tick"]:not(.paused)');
      await waitForRun(page, 'tick', whilePaused);
      assert.match(await page.textContent('#log'), /JOB_MODIFIED\s*tick/);

      // The timeline: a lane per job; the two-hourly job has its 12 marks, the per-second one a band.
      await page.waitForFunction(() => document.querySelectorAll('#timeline .lane').length === document.querySelectorAll('#jobs tr[data-id]').length);
      const marks = await page.evalAll('#timeline .lane', (lanes) => Object.fromEntries(lanes.map((g) => [g.dataset.id, [g.querySelectorAll('.mark').length, g.querySelectorAll('.band').length]])));
      assert.ok(marks['every-2h'][0] >= 12 && marks['every-2h'][0] <= 13, JSON.stringify(marks));
      assert.deepEqual(marks.tick, [0, 1]);
      assert.ok(marks.standup[0] <= 1);

      // The DST explorer: 20 New York times from late October, 01:30 twice on 1 November.
      await page.fill('#dst-zone', 'America/New_York');
      await page.fill('#dst-from', '2026-10-28');
      await page.fill('#dst-expr', '30 1 * * *');
      assert.equal(await page.count('#dst-rows tr.fire'), 20);
      const repeated = await page.evalAll('#dst-rows tr.fire.repeated', (trs) => trs.map((tr) => [tr.querySelector('.local').textContent,
        tr.cells[2].textContent, tr.cells[3].textContent, tr.querySelector('.note').textContent]));
      assert.deepEqual(repeated, [
        ['2026-11-01 01:30:00 EDT', 'UTC-04:00', '2026-11-01 05:30:00Z', 'repeated hour, 1st time'],
        ['2026-11-01 01:30:00 EST', 'UTC-05:00', '2026-11-01 06:30:00Z', 'repeated hour, 2nd time'],
      ]);
      assert.match(await page.textContent('#dst-rows tr.fold'), /2026-11-01: clocks go back UTC-04:00 → UTC-05:00\. 01:00–02:00 happens twice/);
      // Spring forward: 02:30 does not exist on 8 March; the run is at 03:30 EDT.
      await page.fill('#dst-from', '2026-03-06');
      await page.fill('#dst-expr', '30 2 * * *');
      assert.equal(await page.count('#dst-rows tr.fire'), 20);
      assert.match(await page.textContent('#dst-rows tr.gap'), /clocks go forward UTC-05:00 → UTC-04:00\. 02:00–03:00 does not exist/);
      assert.match(await page.textContent('#dst-rows tr.fire.moved'), /2026-03-08 03:30:00 EDT.*02:30 does not exist/);
      // An unknown zone: the error at the zone input.
      await page.fill('#dst-zone', 'Mars/Olympus');
      assert.match(await page.textContent('#dst-zone + small.err'), /unknown time zone "Mars\/Olympus"/);
      await page.click('#dst button[data-preset^="30 1 "]');
      assert.equal(await page.count('#dst-rows tr.fire.repeated'), 2);

      // A bad crontab line: the error at the input, as it is typed and on submit; nothing added.
      const jobCount = await page.count('#jobs tr[data-id]');
      await page.check('input[name="kind"][value="crontab"]');
      await page.fill('#crontab', '* * *');
      assert.match(await page.textContent('#crontab + small.err'), /wrong number of fields; got 3/);
      await page.fill('#crontab', '61 * * * *');
      assert.match(await page.textContent('#crontab + small.err'), /invalid minute "61"/);
      assert.equal(await page.getAttribute('#crontab', 'aria-invalid'), 'true');
      await page.click('#add-job');
      assert.match(await page.textContent('#crontab + small.err'), /invalid minute "61"/);
      assert.equal(await page.count('#jobs tr[data-id]'), jobCount);
      // An interval of zero: the interval's error (tickwerk's field 'interval').
      await page.check('input[name="kind"][value="interval"]');
      await page.fill('#interval-seconds', '0');
      assert.match(await page.textContent('[data-err="interval"]'), /the interval must be longer than zero/);
      await page.fill('#interval-seconds', '5');
      await page.check('input[name="kind"][value="crontab"]');
      await page.fill('#crontab', '61 * * * *');

      await page.screenshot(screenshotPath(browser));

      // Reload: the jobs come back from IndexedDB (tick resumed, still running).
      const ids = () => page.evalAll('#jobs tr[data-id]', (trs) => trs.map((tr) => tr.dataset.id).sort());
      const before = await ids();
      assert.deepEqual(before, ['cron2', 'every-2h', 'heartbeat', 'standup', 'tick']);
      await page.reload();
      await page.waitForFunction(() => window.demoReady === true, null, 30_000);
      assert.equal(await page.textContent('#state'), 'running');
      assert.deepEqual(await ids(), before);
      assert.equal(await page.count('#jobs tr.paused'), 0);
      await waitForRun(page, 'tick');
      assert.equal(await page.textContent('#problem'), '');
      assert.deepEqual(page.errors, []);
      assert.deepEqual(page.consoleErrors, []);
    } finally {
      await session.close();
      server.close();
    }
  });
}
