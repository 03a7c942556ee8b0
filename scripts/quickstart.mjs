// Quickstart: the triggers of the npm package in Node. (The timer-driven `Scheduler` is
// being built; until it lands this shows what each job would run at.)
// Run: npm run quickstart   (builds dist/ first)
import { AndTrigger, CronTrigger, DateTrigger, IntervalTrigger, OrTrigger, TickwerkError } from 'tickwerk';

const now = new Date();
const fmt = (d) => (d === null ? 'never again' : d.toISOString());

function show(label, trigger, count = 3) {
  const times = [];
  for (let t = trigger.getNextFireTime(null, now); t !== null && times.length < count; t = trigger.getNextFireTime(t, t)) {
    times.push(t);
  }
  console.log(`${label.padEnd(26)} ${String(trigger).padEnd(44)} ${times.map(fmt).join('  ') || 'never'}`);
}

console.log(`now: ${now.toISOString()} (host zone: ${new CronTrigger({ hour: 0 }).timezone})\n`);
show('every 2 minutes', new IntervalTrigger({ minutes: 2 }));
show('weekdays 09:30 Berlin', new CronTrigger({ dayOfWeek: 'mon-fri', hour: 9, minute: 30, timezone: 'Europe/Berlin' }));
show('crontab */15, New York', CronTrigger.fromCrontab('*/15 * * * *', { timezone: 'America/New_York' }));
show('once, in 10 seconds', new DateTrigger({ runDate: new Date(now.getTime() + 10_000) }));
show('1st Monday or the 15th', new OrTrigger([
  new CronTrigger({ day: '1st mon', hour: 8, timezone: 'UTC' }),
  new CronTrigger({ day: 15, hour: 8, timezone: 'UTC' }),
]));
show('hourly AND on Fridays', new AndTrigger([
  new IntervalTrigger({ hours: 1, startDate: '2026-01-02 00:00:00', timezone: 'UTC' }),
  new CronTrigger({ dayOfWeek: 'fri', hour: '*', timezone: 'UTC' }),
]));
show('with 30 s jitter', new IntervalTrigger({ minutes: 5, jitter: 30 }));

try {
  new CronTrigger({ hour: '25' });
} catch (err) {
  if (!(err instanceof TickwerkError)) throw err;
  console.log(`\nbad input -> TickwerkError ${err.code} (field ${err.field}): ${err.message}`);
}
