//! The compiled schedule: bitsets per field and the wall-clock "next matching time" search.
//!
//! A [`Schedule`] answers one question fast and without allocating: the first wall-clock
//! time (in wall seconds, see [`super::calendar`]) at or after a given one, and before a
//! bound, at which every field matches. It jumps field by field with `trailing_zeros` over
//! the bitsets; the day of the month is decided by a per-month 32-bit mask that folds in
//! the day-of-month field, `last`, the n-th/last weekdays, the day-of-week field and the ISO
//! week field.

use crate::time::civil::{civil_from_days, days_from_civil, days_in_month, iso_week, split_wall, weekday, DAY};
use super::field::{next_year, Expr};

/// The first wall second of the year 10000 (nothing matches from there on).
pub(crate) const WALL_MAX: i64 = 253_402_300_800;

/// Day rules that depend on the month: `last` and the n-th / last weekday of the month.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct DaySpecials {
    /// `last`: the last day of the month.
    pub last_day: bool,
    /// Per weekday (0 = Monday): bit `k-1` for the k-th (1–5) occurrence, bit 5 for the last.
    pub nth: [u8; 7],
}

impl DaySpecials {
    /// Whether no rule is set.
    pub fn is_empty(&self) -> bool {
        !self.last_day && self.nth.iter().all(|&b| b == 0)
    }

    /// The days (bit `d`) of a month whose 1st is weekday `first_wd` and which has `dim`
    /// days, selected by these rules (APScheduler's `WeekdayPositionExpression` arithmetic).
    pub fn mask(&self, first_wd: u32, dim: u32) -> u32 {
        let mut m = 0u32;
        if self.last_day {
            m |= 1 << dim;
        }
        for (w, &bits) in self.nth.iter().enumerate() {
            if bits == 0 {
                continue;
            }
            let first_hit = (w as u32 + 7 - first_wd) % 7 + 1;
            for k in 0..5 {
                let d = first_hit + 7 * k;
                if bits & (1 << k) != 0 && d <= dim {
                    m |= 1 << d;
                }
            }
            if bits & 32 != 0 {
                m |= 1 << (first_hit + (dim - first_hit) / 7 * 7);
            }
        }
        m
    }
}

/// Every field of a cron schedule, compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Schedule {
    /// The field sets as given to [`Schedule::new`].
    pub p: Parts,
    /// Whether the year field is plain `*`.
    pub years_all: bool,
    /// For each weekday of the 1st of a month, the days of a 31-day month on an allowed weekday.
    dow_pattern: [u32; 7],
    /// All 53 weeks allowed.
    week_all: bool,
    /// No day of any month can ever match (e.g. `day=30, month=2`): every search fails at once.
    never: bool,
}

/// The fields of a cron schedule as bit sets (the input of [`Schedule::new`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Parts {
    /// Year expressions (years are too many for a bitset); empty when the field is plain `*`
    /// once compiled.
    pub years: Vec<Expr>,
    /// Months, bit `m`.
    pub months: u16,
    /// Days of the month, bit `d`.
    pub dom: u32,
    /// `last` / n-th weekday rules of the day field.
    pub dom_special: DaySpecials,
    /// ISO weeks, bit `w`.
    pub week: u64,
    /// Weekdays, bit `w` (0 = Monday).
    pub dow: u8,
    /// n-th / last weekday rules of a crontab day-of-week field.
    pub dow_special: DaySpecials,
    /// OR instead of AND of the day fields.
    pub or_days: bool,
    /// Hours, bit `h`.
    pub hours: u32,
    /// Minutes, bit `m`.
    pub minutes: u64,
    /// Seconds, bit `s`.
    pub seconds: u64,
}

/// The smallest set bit `>= from` of `mask`.
#[inline]
pub(crate) fn next_bit(mask: u64, from: u32) -> Option<u32> {
    if from >= 64 {
        return None;
    }
    let m = mask >> from;
    (m != 0).then(|| from + m.trailing_zeros())
}

impl Schedule {
    /// Compiles the parts.
    pub fn new(mut p: Parts) -> Schedule {
        let mut dow_pattern = [0u32; 7];
        for (f, pat) in dow_pattern.iter_mut().enumerate() {
            for d in 1..=31u32 {
                if p.dow & (1 << ((f as u32 + d - 1) % 7)) != 0 {
                    *pat |= 1 << d;
                }
            }
        }
        let years_all = matches!(p.years.as_slice(), [Expr::All { step: None }]);
        let week_all = p.week & ((1u64 << 54) - 2) == (1u64 << 54) - 2;
        if years_all {
            // answered by `years_all` alone: no allocation kept for it
            p.years = Vec::new();
        } else {
            p.years.shrink_to_fit();
        }
        let mut s = Schedule { p, years_all, dow_pattern, week_all, never: false };
        s.never = !s.can_ever_match();
        s
    }

    /// Whether some day of some allowed month can match. Without a week rule the days of a
    /// month depend only on its length and the weekday of its 1st; with one, one whole
    /// 400-year Gregorian cycle is checked.
    fn can_ever_match(&self) -> bool {
        if self.p.hours == 0 || self.p.minutes == 0 || self.p.seconds == 0 || self.p.months & 0x1FFE == 0 {
            return false;
        }
        let months = (1..=12u32).filter(|m| self.p.months & (1 << m) != 0);
        if self.week_all {
            for m in months {
                let dims: &[u32] = match m {
                    2 => &[28, 29],
                    4 | 6 | 9 | 11 => &[30],
                    _ => &[31],
                };
                for &dim in dims {
                    if (0..7).any(|f| self.month_days(f, dim) != 0) {
                        return true;
                    }
                }
            }
            return false;
        }
        let months: Vec<u32> = months.collect();
        (2000..2400).any(|y| months.iter().any(|&m| self.day_mask(y, m) != 0))
    }

    /// The smallest allowed year `>= y`.
    #[inline]
    pub fn next_year(&self, y: i64) -> Option<i64> {
        if self.years_all {
            return (y <= 9999).then_some(y.max(1970));
        }
        next_year(&self.p.years, y)
    }

    /// Days of month `m` of year `y` allowed by the day-of-month field alone (APScheduler's
    /// `day` field, including `last` and n-th weekdays).
    pub fn dom_mask(&self, y: i64, m: u32) -> u32 {
        let dim = days_in_month(y, m);
        let first_wd = weekday(days_from_civil(y, m, 1));
        (self.p.dom | self.p.dom_special.mask(first_wd, dim)) & valid_days(dim)
    }

    /// Days of month `m` of year `y` on which the schedule may fire (every day rule).
    pub fn day_mask(&self, y: i64, m: u32) -> u32 {
        let dim = days_in_month(y, m);
        let f = weekday(days_from_civil(y, m, 1));
        let mut days = self.month_days(f, dim);
        if !self.week_all && days != 0 {
            let mut wk = iso_week(y, m, 1);
            let mut mask = 0u32;
            for d in 1..=dim {
                if d > 1 && (f + d - 1) % 7 == 0 {
                    wk = iso_week(y, m, d);
                }
                if self.p.week & (1 << wk) != 0 {
                    mask |= 1 << d;
                }
            }
            days &= mask;
        }
        days
    }

    /// The days allowed by the day-of-month and day-of-week rules in a month of `dim` days
    /// whose 1st is weekday `f` (the week rule aside).
    #[inline]
    fn month_days(&self, f: u32, dim: u32) -> u32 {
        let valid = valid_days(dim);
        let mut dom = self.p.dom;
        if self.p.dom_special.last_day || self.p.dom_special.nth != [0; 7] {
            dom |= self.p.dom_special.mask(f, dim);
        }
        let mut dow = self.dow_pattern[f as usize];
        if self.p.dow_special.nth != [0; 7] {
            dow |= self.p.dow_special.mask(f, dim);
        }
        if self.p.or_days {
            (dom | dow) & valid
        } else {
            dom & dow & valid
        }
    }

    /// The first wall time `>= wall` and `< bound` (wall seconds) matching every field.
    pub fn next_match(&self, wall: i64, bound: i64) -> Option<i64> {
        let bound = bound.min(WALL_MAX);
        if wall >= bound || self.never {
            return None;
        }
        let mut c = Cursor::at(wall);
        let limit = if bound == WALL_MAX { LIMIT_MAX } else { Cursor::at(bound).key() };
        // the day mask of (cached_y, cached_m)
        let (mut cached_y, mut cached_m, mut mask, mut dim) = (i64::MIN, 0u32, 0u32, 0u32);
        loop {
            if c.key() >= limit {
                return None;
            }
            let ny = self.next_year(c.y)?;
            if ny != c.y {
                c.set_date(ny, 1, 1);
            }
            match next_bit(self.p.months as u64, c.m) {
                None => {
                    c.set_date(c.y + 1, 1, 1);
                    continue;
                }
                Some(nm) if nm != c.m => {
                    c.set_date(c.y, nm, 1);
                    continue;
                }
                _ => {}
            }
            if cached_y != c.y || cached_m != c.m {
                mask = self.day_mask(c.y, c.m);
                dim = days_in_month(c.y, c.m);
                cached_y = c.y;
                cached_m = c.m;
            }
            match next_bit(mask as u64, c.d) {
                None => {
                    c.next_month();
                    continue;
                }
                Some(nd) if nd != c.d => {
                    c.set_date(c.y, c.m, nd);
                    continue;
                }
                _ => {}
            }
            match next_bit(self.p.hours as u64, c.h) {
                None => {
                    c.next_day(dim);
                    continue;
                }
                Some(nh) if nh != c.h => {
                    c.h = nh;
                    c.mi = 0;
                    c.s = 0;
                }
                _ => {}
            }
            match next_bit(self.p.minutes, c.mi) {
                None => {
                    c.next_hour(dim);
                    continue;
                }
                Some(n) if n != c.mi => {
                    c.mi = n;
                    c.s = 0;
                }
                _ => {}
            }
            match next_bit(self.p.seconds, c.s) {
                None => {
                    c.s = 0;
                    c.mi += 1;
                    if c.mi == 60 {
                        c.next_hour(dim);
                    }
                    continue;
                }
                Some(n) => c.s = n,
            }
            if c.key() >= limit {
                return None;
            }
            return Some(days_from_civil(c.y, c.m, c.d) * DAY + c.tod());
        }
    }
}

/// `Cursor::key` of [`WALL_MAX`] (10000-01-01 00:00:00).
const LIMIT_MAX: i64 = ((10_000 * 16 + 1) * 32 + 1) * 131_072;

/// Bits 1..=dim.
#[inline]
fn valid_days(dim: u32) -> u32 {
    (((1u64 << (dim + 1)) - 2) & 0xFFFF_FFFF) as u32
}

/// A wall-clock position during the search.
struct Cursor {
    y: i64,
    m: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
}

impl Cursor {
    /// The position of wall time `wall`.
    #[inline]
    fn at(wall: i64) -> Cursor {
        let (days, h, mi, s) = split_wall(wall);
        let (y, m, d) = civil_from_days(days);
        Cursor { y, m, d, h, mi, s }
    }

    /// A number that orders positions like time does (no calendar arithmetic).
    #[inline]
    fn key(&self) -> i64 {
        ((self.y * 16 + self.m as i64) * 32 + self.d as i64) * 131_072 + self.tod()
    }

    #[inline]
    fn tod(&self) -> i64 {
        (self.h * 3600 + self.mi * 60 + self.s) as i64
    }

    #[inline]
    fn set_date(&mut self, y: i64, m: u32, d: u32) {
        self.y = y;
        self.m = m;
        self.d = d;
        self.h = 0;
        self.mi = 0;
        self.s = 0;
    }

    #[inline]
    fn next_month(&mut self) {
        if self.m >= 12 {
            self.set_date(self.y + 1, 1, 1);
        } else {
            self.set_date(self.y, self.m + 1, 1);
        }
    }

    #[inline]
    fn next_day(&mut self, dim: u32) {
        if self.d >= dim {
            self.next_month();
        } else {
            self.set_date(self.y, self.m, self.d + 1);
        }
    }

    #[inline]
    fn next_hour(&mut self, dim: u32) {
        self.mi = 0;
        self.s = 0;
        self.h += 1;
        if self.h >= 24 {
            self.next_day(dim);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_max_is_the_key_of_wall_max() {
        assert_eq!(Cursor::at(WALL_MAX).key(), LIMIT_MAX);
        assert_eq!(civil_from_days(WALL_MAX / DAY), (10_000, 1, 1));
    }

    #[test]
    fn day_specials_follow_apscheduler_positions() {
        // January 2024: the 1st is a Monday (0), 31 days
        let mut s = DaySpecials::default();
        s.nth[4] = 0b10_0010; // 2nd and last Friday
        s.last_day = true;
        assert_eq!(s.mask(0, 31), (1 << 12) | (1 << 26) | (1 << 31));
    }
}
