// The scheduler's clock inside a Cloudflare Durable Object: its one timer is the object's
// alarm (`ctx.storage.setAlarm`), which survives eviction and restarts and wakes the object
// up by calling its `alarm()` handler.
//
// * `setTimer(fn, ms, wakeAt)` sets the alarm at the scheduler's next wakeup `wakeAt`, which
//   the driver passes as the third argument (now + ms without it; one alarm per object: the
//   driver has one timer, so a new timer replaces the old alarm). The driver caps delays at
//   MAX_TIMER_DELAY (30 s) to re-read wall clocks that stop during a suspend; an alarm is a
//   wall-clock time already, so it is set at the real wakeup (no alarm every 30 s for a job
//   due in a day).
// * `clearTimer` deletes the alarm unless a new timer is set in the same turn (the driver
//   re-arms by clearing and setting: that is one `setAlarm`, not a delete and a set).
// * `fire()` — called by `alarm()` — runs the armed timer's callback.
// * While the object is awake handling an alarm (`wake()` … `sleep()`), timers are also
//   in-memory `setTimeout`s: a run time that falls due while earlier jobs still run starts on
//   time instead of waiting for the alarm handler to return (workerd never overlaps two
//   `alarm()` calls). Outside an alarm only the alarm exists, so runs happen inside
//   `alarm()`, where the runtime keeps the object alive until they settled.

import { errorText } from './errors.js';
import { MAX_TIMER_DELAY } from './scheduler.js';

/** The scheduler's clock over a Durable Object's alarm. */
export class AlarmClock {
  /**
   * @param {DurableObjectStorage} storage the object's `ctx.storage`
   * @param {{ wakeAt?: () => number | undefined, onError?: (message: string) => void }} [hooks]
   *   `wakeAt`: the scheduler's next wakeup (epoch ms), for a driver that does not pass it
   *   to `setTimer`; `onError`: told when setting or deleting the alarm failed.
   */
  constructor(storage, hooks = {}) {
    this.storage = storage;
    this.wakeAt = hooks.wakeAt;
    this.onError = hooks.onError ?? (() => {});
    /** The armed timer (`{ fn, at }`), if any. */
    this.current = undefined;
    /** The alarm time this instance last set (undefined: none set, or it fired). */
    this.alarmAt = undefined;
    /** Whether the object is handling an alarm (timers are also in-memory then). */
    this.awake = false;
    /** How many timer callbacks ran (for `settled()`). */
    this.fired = 0;
  }

  /** Epoch milliseconds (workerd advances it at I/O, not during synchronous code). */
  now() {
    return Date.now();
  }

  /** Arms the one timer: the alarm at `wakeAt`, the scheduler's real next wakeup in epoch ms
   *  (not before now; a capped delay is so lengthened to it), else at now + `ms`. The delay
   *  was computed from the driver's reading of the clock, which may be a millisecond older
   *  than this one: the alarm is set at the wakeup itself, not a millisecond after it. */
  setTimer(fn, ms, wakeAt) {
    const now = this.now();
    const wake = wakeAt ?? (ms >= MAX_TIMER_DELAY ? this.wakeAt?.() : undefined);
    const at = typeof wake === 'number' && Number.isFinite(wake) ? Math.max(now, Math.ceil(wake)) : now + ms;
    const timer = { fn, at, done: false, memory: undefined };
    this.current = timer;
    this._setAlarm(at);
    if (this.awake) timer.memory = setTimeout(() => this._run(timer), ms);
    return timer;
  }

  /** Disarms `timer`; the alarm is deleted unless another timer is armed in this turn. */
  clearTimer(timer) {
    if (!timer || timer.done) return;
    timer.done = true;
    if (timer.memory !== undefined) clearTimeout(timer.memory);
    if (this.current !== timer) return;
    this.current = undefined;
    queueMicrotask(() => {
      if (this.current === undefined && this.alarmAt !== undefined) {
        this.alarmAt = undefined;
        this._alarmOp('deleteAlarm', () => this.storage.deleteAlarm());
      }
    });
  }

  /** The alarm went off: runs the armed timer's callback (the driver ticks if due, else re-arms). */
  fire() {
    this.alarmAt = undefined;
    const timer = this.current;
    if (timer && !timer.done) this._run(timer);
  }

  /** Alarm handling begins: timers armed from now on are also in-memory timers. */
  wake() {
    this.awake = true;
  }

  /** Alarm handling ends: in-memory timers stop; the alarm stays set. */
  sleep() {
    this.awake = false;
    const timer = this.current;
    if (timer?.memory !== undefined) {
      clearTimeout(timer.memory);
      timer.memory = undefined;
    }
  }

  _run(timer) {
    if (timer.done) return;
    timer.done = true;
    if (timer.memory !== undefined) clearTimeout(timer.memory);
    if (this.current === timer) this.current = undefined;
    this.fired += 1;
    timer.fn();
  }

  _setAlarm(at) {
    if (this.alarmAt === at) return;
    this.alarmAt = at;
    this._alarmOp('setAlarm', () => this.storage.setAlarm(at));
  }

  /** Runs a storage alarm call; a failure (sync or async) is reported, never thrown. */
  _alarmOp(name, call) {
    try {
      Promise.resolve(call()).catch((e) => this.onError(`${name} failed: ${errorText(e)}`));
    } catch (e) {
      this.onError(`${name} failed: ${errorText(e)}`);
    }
  }
}
