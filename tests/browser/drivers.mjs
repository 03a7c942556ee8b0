// One small page API over two drivers, so every browser scenario in tests/browser/ runs in
// headless Chromium (playwright-core, Debian's /usr/bin/chromium) and in headless Firefox ESR
// (puppeteer-core over WebDriver BiDi, Debian's /usr/bin/firefox-esr; playwright-core cannot
// drive Firefox ESR: its Juggler launch hangs and its BiDi mode lacks commands ESR has not got).
//
//   for (const browser of browsersUnderTest()) test(`… in ${browser}`, async () => {
//     const session = await launch(browser, { timezoneId: 'Europe/Berlin' });
//     const page = await session.newPage();
//     await page.goto(url); … page.evaluate(fn, arg) … page.reload() … page.errors …
//     await session.close();
//   });
//
// `session.newPage()` is a page on its own (Chromium: a fresh browser context each; Firefox:
// its one tab). `session.newTab()` opens one more tab of one shared profile: every tab it
// returns shares an origin's storage, Web Locks and BroadcastChannel with the others
// (Chromium: pages of one browser context; Firefox: new tabs of the default context).
// `tab.close()` closes it as a user would; `tab.crash()` makes it crash instead (Chromium: DevTools'
// Page.crash; Firefox: SIGKILL of its content process, as WebDriver BiDi has no crash command).
//
// TICKWERK_BROWSER=chromium|firefox (or a comma list) picks the browsers; by default both.
// CHROMIUM_PATH and FIREFOX_PATH point at other binaries. Neither browser makes a request
// beyond 127.0.0.1 (checked with strace: no DNS query, no connection off loopback): Chromium
// resolves every other host to nothing; Firefox gets FIREFOX_PREFS.
import { existsSync, readFileSync } from 'node:fs';
import { contentProcessOf, waitForExit } from './firefox-processes.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

const ALL = ['chromium', 'firefox'];
/** Names for test titles. */
export const LABEL = { chromium: 'Chromium', firefox: 'Firefox ESR' };

/** The browsers to run the scenarios in: TICKWERK_BROWSER (comma-separated), else both. */
export function browsersUnderTest() {
  const wanted = (process.env.TICKWERK_BROWSER ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  for (const name of wanted) {
    if (!ALL.includes(name)) throw new Error(`TICKWERK_BROWSER: unknown browser "${name}" (known: ${ALL.join(', ')})`);
  }
  return wanted.length ? wanted : ALL;
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'];

/**
 * Firefox preferences (on top of puppeteer's test profile) that keep it off the network, shared
 * with wasm-bindgen-test's geckodriver session (webdriver-firefox.json): every request to a
 * host other than 127.0.0.1/localhost goes to a proxy at 127.0.0.1:9, where nothing listens;
 * the hosts Firefox (or puppeteer's profile, whose dummy servers are on dummy.test) contacts at
 * start or in the background are `network.dns.localDomains`, answered locally, never by DNS;
 * remote settings, updates, telemetry, the captive-portal check, push, prefetching and DNS over
 * HTTPS are off.
 */
export const FIREFOX_PREFS = {
  ...JSON.parse(readFileSync(new URL('./webdriver-firefox.json', import.meta.url), 'utf8'))['moz:firefoxOptions'].prefs,
  // The page's locale, as Chromium's `locale` option sets it.
  'intl.accept_languages': 'en-GB,en',
};

/**
 * Starts a browser. `timezoneId` is the page's zone (Chromium: emulated; Firefox: BiDi's
 * timezone override, and the process's TZ for its workers); `viewport` as in Playwright;
 * `locale` the page's languages (Firefox keeps its en-US Intl locale).
 * @returns {Promise<Session>}
 */
export async function launch(name, { timezoneId, viewport, locale } = {}) {
  if (name === 'chromium') return launchChromium({ timezoneId, viewport, locale });
  if (name === 'firefox') return launchFirefox({ timezoneId, viewport, locale });
  throw new Error(`unknown browser ${name}`);
}

/**
 * @typedef {object} Session
 * @property {string} name 'chromium' or 'firefox'
 * @property {() => Promise<Page>} newPage a page with storage of its own (Chromium: a fresh
 *   context; Firefox: the browser's one starting tab, the same one at every call)
 * @property {() => Promise<Page>} newTab one more tab sharing storage, Web Locks and
 *   BroadcastChannel with every other tab newTab returned
 * @property {() => Promise<void>} close ends the browser
 */

async function launchChromium({ timezoneId, viewport, locale }) {
  const { chromium } = await import('playwright-core');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run scripts/setup.sh (or set CHROMIUM_PATH)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 60_000, args: CHROMIUM_ARGS });
  // The one context newTab's pages share (made at the first newTab).
  let shared;
  return {
    name: 'chromium',
    async newPage() {
      const page = await browser.newPage({ timezoneId, viewport, locale });
      return playwrightPage(page);
    },
    async newTab() {
      shared ??= browser.newContext({ timezoneId, viewport, locale });
      return playwrightPage(await (await shared).newPage(), { attach: true });
    },
    close: () => browser.close(),
  };
}

async function launchFirefox({ timezoneId, viewport, locale }) {
  const puppeteer = (await import('puppeteer-core')).default;
  if (!existsSync(FIREFOX)) throw new Error(`${FIREFOX} not found: run scripts/setup.sh (apt-get install firefox-esr), or set FIREFOX_PATH`);
  const env = { ...process.env };
  if (timezoneId) env.TZ = timezoneId;
  // No crash-reporter dialog or upload if it crashes.
  env.MOZ_CRASHREPORTER_DISABLE = '1';
  const prefs = { ...FIREFOX_PREFS };
  if (locale) prefs['intl.accept_languages'] = `${locale},${locale.split('-')[0]}`;
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    protocol: 'webDriverBiDi',
    timeout: 60_000,
    protocolTimeout: 60_000,
    env,
    extraPrefsFirefox: prefs,
    defaultViewport: viewport ?? { width: 800, height: 600 },
  });
  const browserPid = browser.process()?.pid;
  return {
    name: 'firefox',
    async newPage() {
      const pages = await browser.pages();
      const page = pages.length ? pages[0] : await browser.newPage();
      if (timezoneId) await page.emulateTimezone(timezoneId);
      return puppeteerPage(page, browserPid);
    },
    // New tabs of the default context (the starting tab stays open, so closing every tab
    // newTab returned never ends the browser).
    async newTab() {
      const page = await browser.newPage();
      if (timezoneId) await page.emulateTimezone(timezoneId);
      return puppeteerPage(page, browserPid);
    },
    close: () => browser.close(),
  };
}

/**
 * @typedef {object} Page
 * @property {string[]} errors the page's uncaught errors, in order
 * @property {string[]} consoleErrors its console.error messages, in order
 * @property {(url: string) => Promise<void>} goto
 * @property {() => Promise<void>} reload
 * @property {(fn: Function, arg?: any) => Promise<any>} evaluate runs `fn(arg)` in the page
 * @property {(fn: Function, arg?: any, timeout?: number) => Promise<void>} waitForFunction
 * @property {(sel: string, value: string) => Promise<void>} fill sets an input's value as typed (input events)
 * @property {(sel: string) => Promise<void>} click
 * @property {(sel: string) => Promise<void>} check a radio or checkbox
 * @property {(sel: string, value: string) => Promise<void>} selectOption
 * @property {(sel: string) => Promise<string|null>} textContent
 * @property {(sel: string, name: string) => Promise<string|null>} getAttribute
 * @property {(sel: string) => Promise<number>} count the elements matching
 * @property {(sel: string, fn: Function, arg?: any) => Promise<any>} evalAll `fn(elements, arg)` in the page
 * @property {(sel: string, timeout?: number) => Promise<void>} waitForSelector
 * @property {(ms: number) => Promise<void>} waitForTimeout
 * @property {(path: string) => Promise<void>} screenshot a full-page PNG
 * @property {() => Promise<void>} close closes the tab as a user would (unload, then gone)
 * @property {() => Promise<{ how: string, at: number }>} crash makes the tab's renderer
 *   (Chromium) or content process (Firefox) die without unloading, as in a crash; resolves
 *   once it is dead, with `how` it was done and `at`, the epoch ms the crash was caused (the
 *   command sent, the signal given). The page may be busy (hung) when called; Chromium only
 *   crashes a tab from newTab() at once while it is hung (its DevTools session is attached
 *   up front).
 */

/** @returns {Page} */
function playwrightPage(page, { attach = false } = {}) {
  // A tab's DevTools session is attached while the page is idle: attaching needs the
  // renderer's main thread, so a session first asked for by crash() on a hung page would wait
  // for the page to return.
  let session = attach ? page.context().newCDPSession(page) : undefined;
  session?.catch(() => {}); // a failure is reported to crash(), the one user
  const cdpSession = () => (session ??= page.context().newCDPSession(page));
  const { errors, consoleErrors } = recordErrors(page);
  return {
    errors,
    consoleErrors,
    raw: page,
    goto: async (url) => { await page.goto(url); },
    reload: async () => { await page.reload(); },
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    waitForFunction: async (fn, arg, timeout = 30_000) => { await page.waitForFunction(fn, arg, { timeout }); },
    fill: (sel, value) => page.fill(sel, value),
    click: (sel) => page.click(sel),
    check: (sel) => page.check(sel),
    selectOption: async (sel, value) => { await page.selectOption(sel, value); },
    textContent: (sel) => page.textContent(sel),
    getAttribute: (sel, name) => page.getAttribute(sel, name),
    count: (sel) => page.locator(sel).count(),
    evalAll: (sel, fn, arg) => page.$$eval(sel, fn, arg),
    waitForSelector: async (sel, timeout = 30_000) => { await page.waitForSelector(sel, { timeout }); },
    waitForTimeout: (ms) => page.waitForTimeout(ms),
    screenshot: async (path) => { await page.screenshot({ path, fullPage: true }); },
    close: () => page.close(),
    crash: () => crashChromiumTab(page, cdpSession),
  };
}

/**
 * Chromium: DevTools' `Page.crash` through a CDP session of the tab (the renderer crashes on
 * its IO thread, so a page whose main thread is busy crashes too). Resolves at Playwright's
 * 'crash' event for the page.
 */
async function crashChromiumTab(page, cdpSession) {
  const crashed = new Promise((resolve) => page.once('crash', resolve));
  const cdp = await cdpSession();
  const at = Date.now();
  // The reply never comes (the renderer is gone): the 'crash' event is the answer.
  cdp.send('Page.crash').catch(() => {});
  await withTimeout(crashed, 10_000, 'Chromium: no crash event 10 s after Page.crash');
  return { how: 'CDP Page.crash', at };
}

/**
 * Firefox: WebDriver BiDi has no command that crashes a tab, and it refuses to navigate to
 * about:crashcontent ("not allowed in this context"), so the tab's content process is killed
 * with SIGKILL, which is what a content-process crash is to the browser.
 * The process is found by the CPU it burns while the page spins (firefox-processes.mjs); a
 * page that is already busy is found the same way.
 */
async function crashFirefoxTab(page, browserPid) {
  if (!browserPid) throw new Error('Firefox: the browser process is unknown, cannot crash a tab');
  const pid = await contentProcessOf(browserPid, (ms) => {
    // Not awaited: a hung page never answers; a crashed one rejects.
    page.evaluate((spin) => {
      const end = Date.now() + spin;
      while (Date.now() < end);
    }, ms).catch(() => {});
  });
  const at = Date.now();
  process.kill(pid, 'SIGKILL');
  await waitForExit(pid, 10_000);
  return { how: `SIGKILL of its content process ${pid}`, at };
}

function withTimeout(promise, ms, message) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

/** A page's uncaught errors and console.error messages, in order, as they come (Playwright
 *  and puppeteer pages emit the same 'pageerror' and 'console' events). */
function recordErrors(page) {
  const errors = [];
  const consoleErrors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  return { errors, consoleErrors };
}

/** @returns {Page} */
function puppeteerPage(page, browserPid) {
  const { errors, consoleErrors } = recordErrors(page);
  const one = async (sel) => {
    const handle = await page.waitForSelector(sel, { timeout: 30_000 });
    if (!handle) throw new Error(`no element matches ${sel}`);
    return handle;
  };
  return {
    errors,
    consoleErrors,
    raw: page,
    goto: async (url) => { await page.goto(url); },
    reload: async () => { await page.reload(); },
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    waitForFunction: async (fn, arg, timeout = 30_000) => { await page.waitForFunction(fn, { timeout, polling: 50 }, arg); },
    // Typed for text inputs (a real keyboard: keydown, beforeinput, input, keyup); set with
    // input and change events for the others (date inputs), as Playwright's fill does.
    fill: async (sel, value) => {
      const el = await one(sel);
      const typed = await el.evaluate((e) => e.tagName === 'TEXTAREA' || (e.tagName === 'INPUT'
        && ['text', 'search', 'url', 'tel', 'email', 'password', ''].includes(e.getAttribute('type') ?? '')));
      if (typed) {
        await el.focus();
        await el.evaluate((e) => e.select());
        if (value === '') await page.keyboard.press('Backspace');
        else await page.keyboard.type(value);
      } else {
        await el.evaluate((e, v) => {
          e.focus();
          e.value = v;
          e.dispatchEvent(new Event('input', { bubbles: true }));
          e.dispatchEvent(new Event('change', { bubbles: true }));
        }, value);
      }
      const now = await el.evaluate((e) => e.value);
      if (now !== value) throw new Error(`fill ${sel}: the value is ${JSON.stringify(now)}, not ${JSON.stringify(value)}`);
    },
    click: async (sel) => { await (await one(sel)).click(); },
    check: async (sel) => {
      const el = await one(sel);
      if (!(await el.evaluate((e) => e.checked))) await el.click();
      if (!(await el.evaluate((e) => e.checked))) throw new Error(`check ${sel}: still unchecked`);
    },
    selectOption: async (sel, value) => { await one(sel); await page.select(sel, value); },
    textContent: async (sel) => (await one(sel)).evaluate((e) => e.textContent),
    getAttribute: async (sel, name) => (await one(sel)).evaluate((e, n) => e.getAttribute(n), name),
    count: (sel) => page.$$eval(sel, (els) => els.length),
    evalAll: (sel, fn, arg) => page.$$eval(sel, fn, arg),
    waitForSelector: async (sel, timeout = 30_000) => { await page.waitForSelector(sel, { timeout }); },
    waitForTimeout: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    screenshot: async (path) => { await page.screenshot({ path, fullPage: true }); },
    close: () => page.close(),
    crash: () => crashFirefoxTab(page, browserPid),
  };
}
