//! A faithful port of APScheduler 3.11's `CronTrigger.get_next_fire_time` field walk
//! ("engine A"), used only to reproduce what APScheduler does with wall times inside a
//! spring-forward gap.
//!
//! APScheduler walks the fields from year to second. When a field has no allowed value left
//! it increments the previous real field and adds the wall-clock difference **in UTC**
//! (`datetime_utc_add`), which normalizes the result; when a field has a higher allowed
//! value it builds `datetime(..., fold=previous.fold)` **without normalizing**, so a wall
//! time inside a gap survives and is returned with the pre-gap offset (PEP 495, fold 0).
//! `week` and `day_of_week` are derived fields: a change there increments the day.
//!
//! The port keeps wall times as calendar fields plus PEP 495's fold (a [`Side`]) and
//! resolves them to instants with [`CronZone::resolve`] exactly where Python would call
//! `timestamp()`.
//! Like APScheduler it compares with the end date by wall clock (Python compares two
//! datetimes of the same zone by their wall times), so a gap wall time before the end
//! date's wall time is returned even when its instant lies after the end date.
//! It is bounded: after [`MAX_STEPS`] steps it gives up (`None`) and the caller uses the
//! real answer of the segment search instead.

use crate::time::civil::{civil_from_days, days_from_civil, days_in_month, iso_week, split_wall, weekday, DAY};
use super::field::{DAY as F_DAY, DOW, HOUR, MAX_VALUES, MIN_VALUES, MINUTE, MONTH, SECOND, WEEK, YEAR};
use super::matcher::{next_bit, Schedule};
use super::zone::{CronZone, Side};

/// Steps after which the walk gives up.
pub(crate) const MAX_STEPS: usize = 20_000;

/// Whether each field is a real `datetime` attribute (`week`/`day_of_week` are derived).
const REAL: [bool; 8] = [true, true, true, false, false, true, true, true];

/// A Python `datetime` in the trigger zone: wall fields plus `fold` (PEP 495's attribute:
/// `fold=0` is [`Side::Before`]), not necessarily normalized (it may name a wall time
/// inside a gap).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Wall {
    v: [i64; 8],
    fold: Side,
}

impl Wall {
    /// `datetime.fromtimestamp(t, tz)`: normalized wall time and fold of instant `t` (seconds).
    fn from_instant(zone: &CronZone, t: i64) -> Wall {
        let (days, h, mi, s) = split_wall(zone.to_wall(t));
        let (y, m, d) = civil_from_days(days);
        let mut v = [0i64; 8];
        v[YEAR] = y;
        v[MONTH] = m as i64;
        v[F_DAY] = d as i64;
        v[HOUR] = h as i64;
        v[MINUTE] = mi as i64;
        v[SECOND] = s as i64;
        Wall { v, fold: zone.side_at(t) }
    }

    fn wall_secs(v: &[i64; 8]) -> i64 {
        days_from_civil(v[YEAR], v[MONTH] as u32, v[F_DAY] as u32) * DAY + v[HOUR] * 3600 + v[MINUTE] * 60 + v[SECOND]
    }

    /// `datetime.timestamp()`: the instant, PEP 495 style.
    fn instant(&self, zone: &CronZone) -> i64 {
        zone.resolve(Wall::wall_secs(&self.v), self.fold)
    }

    /// `field.get_value(dateval)`.
    fn get(&self, f: usize) -> i64 {
        let (y, m, d) = (self.v[YEAR], self.v[MONTH] as u32, self.v[F_DAY] as u32);
        match f {
            WEEK => iso_week(y, m, d) as i64,
            DOW => weekday(days_from_civil(y, m, d)) as i64,
            _ => self.v[f],
        }
    }

    /// `field.get_max(dateval)`.
    fn max(&self, f: usize) -> i64 {
        if f == F_DAY {
            days_in_month(self.v[YEAR], self.v[MONTH] as u32) as i64
        } else {
            MAX_VALUES[f] as i64
        }
    }
}

/// `field.get_next_value(dateval)`: the smallest allowed value `>=` the current one.
fn next_value(s: &Schedule, w: &Wall, f: usize) -> Option<i64> {
    let cur = w.get(f);
    let bit = |mask: u64| next_bit(mask, cur.clamp(0, 64) as u32).map(|v| v as i64);
    match f {
        YEAR => s.next_year(cur),
        MONTH => bit(s.p.months as u64),
        F_DAY => bit(s.dom_mask(w.v[YEAR], w.v[MONTH] as u32) as u64),
        WEEK => bit(s.p.week & ((1u64 << 54) - 2)),
        DOW => bit(s.p.dow as u64),
        HOUR => bit(s.p.hours as u64),
        MINUTE => bit(s.p.minutes),
        _ => bit(s.p.seconds),
    }
}

/// `_increment_field_value`: increments field `fieldnum` (carrying into more significant
/// fields), resets the less significant ones to their minimum, and adds the wall-clock
/// difference in UTC. `None` past the year 9999.
fn increment(zone: &CronZone, w: &Wall, mut fieldnum: i32) -> Option<(Wall, i32)> {
    let mut values = [0i64; 8];
    let mut i: i32 = 0;
    while i < 8 {
        if fieldnum < 0 || i < 0 {
            return None;
        }
        let f = i as usize;
        if !REAL[f] {
            if i == fieldnum {
                fieldnum -= 1;
                i -= 1;
            } else {
                i += 1;
            }
            continue;
        }
        if i < fieldnum {
            values[f] = w.get(f);
            i += 1;
        } else if i > fieldnum {
            values[f] = MIN_VALUES[f] as i64;
            i += 1;
        } else {
            let value = w.get(f);
            if value >= w.max(f) {
                fieldnum -= 1;
                i -= 1;
            } else {
                values[f] = value + 1;
                i += 1;
            }
        }
    }
    if values[YEAR] > 9999 {
        return None;
    }
    let difference = Wall::wall_secs(&values) - Wall::wall_secs(&w.v);
    Some((Wall::from_instant(zone, w.instant(zone) + difference), fieldnum))
}

/// `_set_field_value`: sets field `fieldnum`, resets the less significant real fields to
/// their minimum, keeps the fold, and does **not** normalize.
fn set_value(w: &Wall, fieldnum: usize, new_value: i64) -> Wall {
    let mut v = w.v;
    for f in 0..8 {
        if !REAL[f] {
            continue;
        }
        if f > fieldnum {
            v[f] = MIN_VALUES[f] as i64;
        } else if f == fieldnum {
            v[f] = new_value;
        }
    }
    Wall { v, fold: w.fold }
}

/// APScheduler's field walk from instant `start` (whole seconds), with its `end_date`
/// check (by wall clock, against the end date's wall time `end_wall`) after every step.
/// Returns the instant in seconds; `None`: no fire time, or the walk gave up.
pub(crate) fn next_fire_time(s: &Schedule, zone: &CronZone, start: i64, end_wall: Option<i64>) -> Option<i64> {
    let mut date = Wall::from_instant(zone, start);
    let mut fieldnum: i32 = 0;
    let mut steps = 0;
    while (0..8).contains(&fieldnum) {
        steps += 1;
        if steps > MAX_STEPS {
            return None;
        }
        let f = fieldnum as usize;
        let curr = date.get(f);
        match next_value(s, &date, f) {
            None => {
                let (d, n) = increment(zone, &date, fieldnum - 1)?;
                date = d;
                fieldnum = n;
            }
            Some(next) if next > curr => {
                if REAL[f] {
                    date = set_value(&date, f, next);
                    fieldnum += 1;
                } else {
                    let (d, n) = increment(zone, &date, fieldnum)?;
                    date = d;
                    fieldnum = n;
                }
            }
            Some(_) => fieldnum += 1,
        }
        if let Some(end) = end_wall {
            if Wall::wall_secs(&date.v) > end {
                return None;
            }
        }
    }
    (fieldnum >= 0).then(|| date.instant(zone))
}
