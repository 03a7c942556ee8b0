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
// TICKWERK_BROWSER=chromium|firefox (or a comma list) picks the browsers; by default both.
// CHROMIUM_PATH and FIREFOX_PATH point at other binaries. Neither browser makes a request
// beyond 127.0.0.1 (checked with strace: no DNS query, no connection off loopback): Chromium
// resolves every other host to nothing; Firefox gets FIREFOX_PREFS.
import { existsSync, readFileSync } from 'node:fs';

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
 * @returns {Promise<{ name: string, newPage(): Promise<Page>, close(): Promise<void> }>}
 */
export async function launch(name, { timezoneId, viewport, locale } = {}) {
  if (name === 'chromium') return launchChromium({ timezoneId, viewport, locale });
  if (name === 'firefox') return launchFirefox({ timezoneId, viewport, locale });
  throw new Error(`unknown browser ${name}`);
}

async function launchChromium({ timezoneId, viewport, locale }) {
  const { chromium } = await import('playwright-core');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run scripts/setup.sh (or set CHROMIUM_PATH)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 60_000, args: CHROMIUM_ARGS });
  return {
    name: 'chromium',
    async newPage() {
      const page = await browser.newPage({ timezoneId, viewport, locale });
      return playwrightPage(page);
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
  return {
    name: 'firefox',
    async newPage() {
      const pages = await browser.pages();
      const page = pages.length ? pages[0] : await browser.newPage();
      if (timezoneId) await page.emulateTimezone(timezoneId);
      return puppeteerPage(page);
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
 */

/** @returns {Page} */
function playwrightPage(page) {
  const errors = [];
  const consoleErrors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
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
  };
}

/** @returns {Page} */
function puppeteerPage(page) {
  const errors = [];
  const consoleErrors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
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
  };
}
