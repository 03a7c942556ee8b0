// The driver: one timer per scheduler, armed for the core's `nextWakeup()`.
//
// * Delays are capped at MAX_TIMER_DELAY (30 s) and simply re-armed when the capped timer
//   fires early: the wall clock is compared at least that often. Node's, Deno's and Bun's
//   timers do not count time the machine spent suspended, and no runtime's timers follow
//   a wall-clock jump, so without the cap a job due during a laptop's sleep could wait for
//   a timer armed days earlier; with it, a suspend or a clock jump is noticed within 30 s.
// * A timer that fires late (laptop asleep, background tab throttled, event loop blocked)
//   makes the scheduler tick with the real time, so the misfire and coalesce rules apply.
// * Nothing a timer callback throws escapes it: it is logged and the timer re-armed.
// * In browsers, `visibilitychange` (tab visible again) and `online` re-check at once.
// * The clock is injectable — `{ now, setTimer, clearTimer }` — so tests run on fake time.

/** The longest delay handed to a timer: the wall clock is re-read at least this often, so
 *  a suspend or clock jump is noticed within it (setTimeout itself overflows above
 *  2^31 − 1 ms). */
export const MAX_TIMER_DELAY = 30_000;

/** The real clock: `Date.now()` and `setTimeout`. */
export const systemClock = Object.freeze({
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle),
});

export class Driver {
  /**
   * @param {{ now(): number, setTimer(fn: () => void, ms: number, wakeAt?: number): unknown, clearTimer(h: unknown): void }} clock
   * @param {{ wakeup(): number | undefined, active(): boolean, due(): void, keepAlive: boolean,
   *   log: (msg: string) => void, fail: (error: unknown) => void }} host
   */
  constructor(clock, host) {
    this.clock = clock;
    this.host = host;
    this.handle = undefined;
    this.armedFor = undefined;
    this.onVisible = () => {
      const hidden = globalThis.document?.visibilityState === 'hidden';
      if (!hidden) this.safeCheck('the page became visible');
    };
    this.onOnline = () => this.safeCheck('the network came back');
    this.listening = false;
  }

  /** Starts listening to browser wake-up signals (no-op outside browsers). */
  listen() {
    if (this.listening) return;
    const doc = globalThis.document;
    if (doc && typeof doc.addEventListener === 'function') doc.addEventListener('visibilitychange', this.onVisible);
    if (typeof globalThis.addEventListener === 'function' && typeof globalThis.window === 'object') {
      globalThis.addEventListener('online', this.onOnline);
    }
    this.listening = true;
  }

  /** Stops the timer and the browser listeners. */
  stop() {
    this.disarm();
    if (!this.listening) return;
    const doc = globalThis.document;
    if (doc && typeof doc.removeEventListener === 'function') doc.removeEventListener('visibilitychange', this.onVisible);
    if (typeof globalThis.removeEventListener === 'function' && typeof globalThis.window === 'object') {
      globalThis.removeEventListener('online', this.onOnline);
    }
    this.listening = false;
  }

  disarm() {
    if (this.handle !== undefined) {
      this.clock.clearTimer(this.handle);
      this.handle = undefined;
      this.armedFor = undefined;
    }
  }

  /**
   * (Re-)arms the one timer for the core's next wakeup. With nothing to do, a running
   * scheduler that keeps the process alive still holds a long idle timer.
   */
  arm() {
    this.disarm();
    if (!this.host.active()) return;
    const wake = this.host.wakeup();
    if (wake === undefined && !this.host.keepAlive) {
      this.host.log('nothing scheduled; the timer is not armed');
      return;
    }
    const now = this.clock.now();
    const delay = wake === undefined ? MAX_TIMER_DELAY : Math.min(MAX_TIMER_DELAY, Math.max(0, Math.ceil(wake - now)));
    this.armedFor = wake;
    this.host.log(
      wake === undefined
        ? 'nothing scheduled; idle timer armed'
        : `next wakeup at ${new Date(Math.max(Math.floor(wake), -8.64e15)).toISOString()} (in ${delay} ms${delay === MAX_TIMER_DELAY ? ', capped' : ''})`,
    );
    // The wake time goes along: a clock whose timer is a wall-clock alarm (the Durable Object
    // clock) sets it at the real wakeup instead of re-checking every MAX_TIMER_DELAY.
    this.handle = this.clock.setTimer(() => {
      this.handle = undefined;
      this.safeCheck('timer fired');
    }, delay, wake);
    if (!this.host.keepAlive && this.handle && typeof this.handle.unref === 'function') this.handle.unref();
  }

  /**
   * `check` for callbacks nobody awaits (timers, browser events): whatever it throws is
   * logged and the timer re-armed for MAX_TIMER_DELAY, so the scheduler keeps running.
   */
  safeCheck(reason) {
    try {
      this.check(reason);
    } catch (e) {
      this.host.fail(e);
      let active = true;
      try {
        active = this.host.active();
      } catch {
        // Keep retrying: the failure is logged on every attempt.
      }
      if (this.handle === undefined && active) {
        this.handle = this.clock.setTimer(() => {
          this.handle = undefined;
          this.safeCheck('retry after a failed check');
        }, MAX_TIMER_DELAY);
        if (!this.host.keepAlive && typeof this.handle?.unref === 'function') this.handle.unref();
      }
    }
  }

  /** Ticks if the next wakeup has come (using the real current time), else re-arms. */
  check(reason) {
    if (!this.host.active()) return;
    const wake = this.host.wakeup();
    const now = this.clock.now();
    if (wake !== undefined && wake <= now) {
      const late = now - wake;
      this.host.log(`${reason}: ticking at ${new Date(now).toISOString()}${late > 1000 && wake > -8.64e15 ? ` (${Math.round(late)} ms late)` : ''}`);
      this.host.due();
    } else {
      this.arm();
    }
  }
}
