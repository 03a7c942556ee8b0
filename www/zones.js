// Time-zone helpers of the demo page: UTC offsets and wall clocks from Intl, DST transitions
// between two instants, and the DST explorer's rows (fire times with their offsets, gaps and
// repeated hours). The fire times themselves always come from tickwerk.

const formatters = new Map();

function formatter(zone) {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, timeZoneName: 'longOffset', hourCycle: 'h23',
      year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Every zone the picker offers: UTC first, then the browser's IANA list. */
export function zoneNames() {
  const names = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...names.filter((z) => z !== 'UTC')];
}

/** The zone's wall clock at `ms`: `{ year, month, day, hour, minute, second, offset }` (offset in minutes). */
export function wallClock(ms, zone) {
  const parts = {};
  for (const p of formatter(zone).formatToParts(ms)) parts[p.type] = p.value;
  const m = /^GMT(?:([+\-\u2212])(\d{1,2})(?::(\d{2}))?)?$/.exec(parts.timeZoneName);
  const offset = m && m[1] ? (m[1] === '+' ? 1 : -1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
  const n = (k) => Number(parts[k]);
  return { year: n('year'), month: n('month'), day: n('day'), hour: n('hour') % 24, minute: n('minute'), second: n('second'), offset };
}

/** The UTC offset of `zone` at `ms`, in minutes (east positive). */
export const offsetAt = (ms, zone) => wallClock(ms, zone).offset;

/** `+05:30`-style text of an offset in minutes, as `UTC+05:30`. */
export function formatOffset(minutes) {
  const a = Math.abs(minutes);
  return `UTC${minutes < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

const pad = (n) => String(n).padStart(2, '0');
/** `YYYY-MM-DD` and `HH:MM:SS` of a wall clock. */
export const dateText = (w) => `${w.year}-${pad(w.month)}-${pad(w.day)}`;
export const timeText = (w) => `${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
/** A wall time kept as "UTC milliseconds" (no zone): handy for arithmetic on wall clocks. */
const wallMs = (ms, zone) => ms + offsetAt(ms, zone) * 60_000;
const wallOfMs = (w) => {
  const d = new Date(w);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
};

/** The offset changes of `zone` in (a, b]: `[{ at, before, after }]` (sampled, then bisected to the second). */
export function transitions(a, b, zone) {
  const found = [];
  const step = Math.max(6 * 3_600_000, (b - a) / 2000);
  let x = a;
  let ox = offsetAt(a, zone);
  while (x < b) {
    const y = Math.min(b, x + step);
    const oy = offsetAt(y, zone);
    if (oy !== ox) {
      let lo = x;
      let hi = y;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (offsetAt(mid, zone) === ox) lo = mid;
        else hi = mid;
      }
      found.push({ at: hi, before: ox, after: oy });
    }
    x = y;
    ox = oy;
  }
  return found;
}

/** Whether the wall time of `ms` in `zone` happens twice: `0` (no), `1` (first time) or `2` (second). */
export function repeatedWallTime(ms, zone) {
  const o = offsetAt(ms, zone);
  for (const other of new Set([offsetAt(ms - 3 * 3_600_000, zone), offsetAt(ms + 3 * 3_600_000, zone)])) {
    if (other === o) continue;
    const twin = ms + (o - other) * 60_000; // the instant showing the same wall time with the other offset
    if (offsetAt(twin, zone) === other) return twin > ms ? 1 : 2;
  }
  return 0;
}

/**
 * The DST explorer: the next `count` fire times of crontab line `expr` in `zone` from the
 * local midnight starting `fromDate` (`YYYY-MM-DD`), as rows
 * `{ kind: 'fire', ms, local, offset, utc, repeated, movedFrom }` with the zone's transitions
 * between them as `{ kind: 'gap' | 'fold', at, before, after, fromWall, toWall, notRun }`.
 * Throws tickwerk's errors (`field` = `expr`, `minute`, …, `timezone`, `run_date`).
 */
export function exploreDst(tw, expr, zone, fromDate, count = 20) {
  const trigger = tw.CronTrigger.fromCrontab(expr, { timezone: zone });
  // The same line read on a plain wall clock: does the expression match a given wall time?
  const plain = tw.CronTrigger.fromCrontab(expr, { timezone: 'UTC' });
  const matchesWall = (w) => plain.nextFireTimeMs(undefined, w) === w;
  const start = new tw.DateTrigger({ runDate: `${fromDate} 00:00:00`, timezone: zone }).nextFireTimeMs(undefined, 0);
  const fires = [];
  for (let t = trigger.nextFireTimeMs(undefined, start); t !== undefined && fires.length < count; t = trigger.nextFireTimeMs(t, t)) {
    fires.push(t);
  }
  const fireSet = new Set(fires);
  const rows = [];
  let from = start;
  for (const ms of fires) {
    for (const tr of transitions(from, ms, zone)) {
      const d = tr.after - tr.before;
      const edge = tr.at + tr.before * 60_000; // the wall clock reached at the transition
      if (d > 0) {
        // Spring forward: the wall times [edge, edge + d) do not exist. Which matching ones
        // were not run (APScheduler runs an explicit hour's time at the gap's end instead)?
        const notRun = [];
        for (let w = plain.nextFireTimeMs(undefined, edge); w !== undefined && w < edge + d * 60_000 && notRun.length < 6; w = plain.nextFireTimeMs(w, w)) {
          if (!fireSet.has(w - tr.before * 60_000)) notRun.push(timeText(wallOfMs(w)).slice(0, 5));
        }
        rows.push({ kind: 'gap', ...tr, fromWall: wallOfMs(edge), toWall: wallOfMs(edge + d * 60_000), notRun });
      } else {
        rows.push({ kind: 'fold', ...tr, fromWall: wallOfMs(edge + d * 60_000), toWall: wallOfMs(edge), notRun: [] });
      }
    }
    const w = wallMs(ms, zone);
    let movedFrom = null;
    if (!matchesWall(w)) {
      // Not the expression's own wall time: a time from a gap, run when the gap ends.
      const d = offsetAt(ms, zone) - offsetAt(ms - 3 * 3_600_000, zone);
      if (d > 0 && matchesWall(w - d * 60_000)) movedFrom = timeText(wallOfMs(w - d * 60_000)).slice(0, 5);
    }
    rows.push({
      kind: 'fire', ms, local: tw.formatInstant(ms, zone), offset: formatOffset(offsetAt(ms, zone)),
      utc: new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      repeated: repeatedWallTime(ms, zone), movedFrom,
    });
    from = ms;
  }
  return rows;
}
