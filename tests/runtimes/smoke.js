// The smoke check every runtime runs against its own entry point of the package:
// build triggers, compute fire times, check the error class. Returns plain data.
export function smoke(tw) {
  const out = {};
  const cron = new tw.CronTrigger({ hour: 9, minute: 30, timezone: 'Europe/Berlin' });
  out.cron = [cron.getNextFireTime(null, new Date('2026-05-01T00:00:00Z')).toISOString(), String(cron)];
  const iv = new tw.IntervalTrigger({ minutes: 2, startDate: '2026-01-01 00:00:00', timezone: 'UTC' });
  const first = iv.getNextFireTime(null, Date.UTC(2026, 0, 1));
  out.interval = [first.toISOString(), iv.getNextFireTime(first, first).toISOString()];
  try {
    new tw.CronTrigger({ hour: '25' });
    out.error = 'no error';
  } catch (e) {
    out.error = [e instanceof tw.TickwerkError, e.code, e.field];
  }
  out.zone = typeof tw.hostTimezone();
  return out;
}

/** What `smoke` must return in every runtime. */
export const EXPECTED = {
  cron: ['2026-05-01T07:30:00.000Z', "cron[hour='9', minute='30']"],
  interval: ['2026-01-01T00:00:00.000Z', '2026-01-01T00:02:00.000Z'],
  error: [true, 'INVALID_ARGUMENT', 'hour'],
  zone: 'string',
};
