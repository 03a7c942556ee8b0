//! The zone as the cron engines see it: constant-offset segments in whole seconds, PEP 495
//! wall-time resolution, and the zone's rules carried on past 2099.
//!
//! `chrono-tz` (and so [`Transitions`]) has no offset changes after 2099, whereas Python's
//! `zoneinfo` keeps applying the zone's yearly rule forever (APScheduler fire times in the
//! year 2999 still observe DST). For an instant in 2100 or later the lookup therefore uses
//! the year in 2072–2099 with the same calendar (weekday of 1 January and leap year), where
//! the yearly rule is in the table, and shifts the answer back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::calendar::{civil_from_days, days_from_civil, is_leap, weekday, DAY};
use crate::time::{Timestamp, Transitions, Zone};

/// 2100-01-01T00:00:00Z in seconds.
const Y2100: i64 = 4_102_444_800;

/// A zone's offsets for the cron engines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CronZone {
    transitions: Transitions,
    /// The largest UTC offset the zone ever has.
    max_offset: i64,
    /// The smallest UTC offset the zone ever has.
    min_offset: i64,
}

/// The smallest and largest UTC offsets of a zone, found by walking its table.
fn offset_range(transitions: &Transitions) -> (i64, i64) {
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    let mut s = Timestamp::MIN.secs_floor();
    loop {
        let seg = transitions.segment_at(Timestamp::from_secs(s));
        lo = lo.min(seg.offset as i64);
        hi = hi.max(seg.offset as i64);
        match seg.end {
            Some(e) => s = e.secs_floor(),
            None => break,
        }
    }
    (lo, hi)
}

/// For (weekday of 1 January, leap year): a year of 2072–2099 with that calendar.
fn same_calendar() -> &'static [[i64; 2]; 7] {
    static TABLE: OnceLock<[[i64; 2]; 7]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [[2072i64; 2]; 7];
        for y in 2072..2100 {
            table[weekday(days_from_civil(y, 1, 1)) as usize][is_leap(y) as usize] = y;
        }
        table
    })
}

impl CronZone {
    /// The offsets of `zone`, computed once per zone and shared by every trigger in it.
    pub fn shared(zone: Zone) -> Arc<CronZone> {
        static CACHE: OnceLock<Mutex<HashMap<Zone, Arc<CronZone>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
        let mut guard = match cache.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        guard
            .entry(zone)
            .or_insert_with(|| {
                let transitions = zone.transitions();
                let (min_offset, max_offset) = offset_range(&transitions);
                Arc::new(CronZone { transitions, max_offset, min_offset })
            })
            .clone()
    }

    /// The smallest UTC offset the zone ever has (seconds).
    pub fn min_offset(&self) -> i64 {
        self.min_offset
    }

    /// The largest UTC offset the zone ever has (seconds).
    pub fn max_offset(&self) -> i64 {
        self.max_offset
    }

    /// The offset in force at instant `s` (seconds) and the end of its constant stretch
    /// (the first second with another offset, or an artificial boundary; `None`: forever).
    #[inline]
    pub fn segment(&self, s: i64) -> (i64, Option<i64>) {
        let fixed = self.transitions.is_fixed();
        if s < Y2100 || fixed {
            let seg = self.transitions.segment_at(Timestamp::from_secs(s));
            let end = match seg.end {
                Some(e) => Some(e.secs_floor()),
                None if !fixed && s < Y2100 => Some(Y2100),
                None => None,
            };
            return (seg.offset as i64, end);
        }
        let (y, _, _) = civil_from_days(s.div_euclid(DAY));
        let jan1 = days_from_civil(y, 1, 1);
        let twin = same_calendar()[weekday(jan1) as usize][is_leap(y) as usize];
        let delta = (jan1 - days_from_civil(twin, 1, 1)) * DAY;
        let seg = self.transitions.segment_at(Timestamp::from_secs(s - delta));
        let year_end = days_from_civil(y + 1, 1, 1) * DAY;
        let end = seg.end.map_or(year_end, |e| (e.secs_floor() + delta).min(year_end));
        (seg.offset as i64, Some(end))
    }

    /// The UTC offset in seconds at instant `s`.
    pub fn offset_at(&self, s: i64) -> i64 {
        self.segment(s).0
    }

    /// The wall time (wall seconds) at instant `s`.
    pub fn to_wall(&self, s: i64) -> i64 {
        s + self.offset_at(s)
    }

    /// The instant of wall time `wall`, PEP 495 style: for a repeated wall time `fold`
    /// picks the second occurrence; for a wall time inside a gap, `fold = false` uses the
    /// offset before the gap and `true` the one after.
    pub fn resolve(&self, wall: i64, fold: bool) -> i64 {
        let before = self.offset_at(wall - DAY);
        let after = self.offset_at(wall + DAY);
        let (t_before, t_after) = (wall - before, wall - after);
        let ok_before = self.offset_at(t_before) == before;
        let ok_after = self.offset_at(t_after) == after;
        match (ok_before, ok_after) {
            (true, true) if t_before != t_after => {
                if fold {
                    t_before.max(t_after)
                } else {
                    t_before.min(t_after)
                }
            }
            (true, _) => t_before,
            (false, true) => t_after,
            (false, false) => {
                if fold {
                    t_after
                } else {
                    t_before
                }
            }
        }
    }

    /// Whether instant `s` is the second occurrence of its wall time (PEP 495 `fold=1`).
    pub fn fold_at(&self, s: i64) -> bool {
        self.resolve(self.to_wall(s), false) != s
    }
}
