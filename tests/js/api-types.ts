// Type test: compiled with `tsc --noEmit -p tsconfig.json` against dist/index.d.ts (through
// the package's own `exports` map). It must type-check; the `@ts-expect-error` lines must
// fail to, so wrong usage is caught by the types.
import {
  AndTrigger,
  BaseTrigger,
  CronTrigger,
  DateTrigger,
  IntervalTrigger,
  OrTrigger,
  TickwerkError,
  triggerFromSpec,
  hostTimezone,
  formatInstant,
  type TriggerSpecJson,
  type TickwerkErrorCode,
} from 'tickwerk';

const now = new Date('2026-05-01T08:00:00Z');
const cron = new CronTrigger({ hour: 9, minute: '0', dayOfWeek: 'mon-fri', timezone: 'Europe/Berlin' });
const crontab: CronTrigger = CronTrigger.fromCrontab('0 9 * * 1-5', { timezone: 'Europe/Berlin' });
const interval = new IntervalTrigger({ minutes: 2, startDate: now, jitter: 5 });
const once = new DateTrigger({ runDate: '2026-05-01 09:30:00', timezone: 'UTC' });
const both = new AndTrigger([cron, interval], { jitter: null });
const either: BaseTrigger = new OrTrigger([crontab, once]);

const next: Date | null = either.getNextFireTime(null, now);
const after: Date | null = both.getNextFireTime(next, Date.now());
const ms: number | undefined = cron.nextFireTimeMs(undefined, now.getTime());
const spec: TriggerSpecJson = cron.toSpec();
const rebuilt: BaseTrigger = triggerFromSpec(spec, { timezone: hostTimezone(), now });
const text: string = rebuilt.toString() + formatInstant(ms ?? 0, cron.timezone);

try {
  new CronTrigger({ hour: '25' });
} catch (err) {
  if (err instanceof TickwerkError) {
    const code: TickwerkErrorCode | string = err.code;
    const field: string | undefined = err.field;
    console.log(code, field, text, after);
  }
}

// @ts-expect-error: cron options are named, not positional
new CronTrigger('0 9 * * *');
// @ts-expect-error: `now` is required
cron.getNextFireTime(null);
// @ts-expect-error: unknown option
new IntervalTrigger({ minute: 2 });
// @ts-expect-error: combining triggers take trigger objects
new AndTrigger(['cron']);
