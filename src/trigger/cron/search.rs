//! The real answer ("engine B"): the first instant at or after a lower bound whose local
//! wall time matches every field.
//!
//! The search walks the zone's constant-offset segments. Inside a segment with offset `o`
//! the wall times `[start + o, end + o)` map one-to-one onto instants, so the first matching
//! wall time `w` there is the instant `w - o`. A repeated (fall-back) wall time is found once
//! in each of the two segments (it fires twice) and a wall time inside a spring-forward gap
//! is never produced: that is deviation `no-skip`. The search also reports whether it
//! stepped over a gap holding a matching wall time, the only case where APScheduler can
//! return something else (see [`super::apscheduler`]).

use super::matcher::{Schedule, WALL_MAX};
use super::zone::CronZone;

/// What the segment walk found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    /// The first matching instant in whole seconds since the epoch, if any.
    pub secs: Option<i64>,
    /// Whether the walk crossed a spring-forward gap whose wall interval holds a match.
    pub crossed_matching_gap: bool,
}

/// Searches from instant `from` (whole seconds) and gives up once past `limit` seconds.
pub(crate) fn first_match(schedule: &Schedule, zone: &CronZone, from: i64, limit: i64) -> Found {
    let mut s = from;
    let mut gap = false;
    loop {
        let (o, end) = zone.segment(s);
        let bound = end.map_or(WALL_MAX, |e| e + o);
        if let Some(w) = schedule.next_match(s + o, bound) {
            return Found { secs: Some(w - o), crossed_matching_gap: gap };
        }
        let Some(e) = end else {
            return Found { secs: None, crossed_matching_gap: gap };
        };
        if e > limit || e + o >= WALL_MAX {
            return Found { secs: None, crossed_matching_gap: gap };
        }
        let next_offset = zone.offset_at(e);
        if !gap && next_offset > o && schedule.next_match(e + o, e + next_offset).is_some() {
            gap = true;
        }
        s = skip_empty_stretch(schedule, e, next_offset);
    }
}

/// UTC offsets never reach a day; with a margin of two days, no instant earlier than
/// `w - SLACK` can have a wall time `>= w`.
const SLACK: i64 = 2 * 86_400;

/// From instant `s` (offset `o`), the latest instant at which the walk may resume without
/// passing a match: if no wall time from a day before `s`'s wall time up to `w` matches,
/// no instant before `w - SLACK` does either. The segments in between (and their gaps,
/// which hold no matching wall time then) can be skipped; a schedule that never matches
/// again ends the walk at once.
fn skip_empty_stretch(schedule: &Schedule, s: i64, o: i64) -> i64 {
    match schedule.next_match(s + o - 86_400, WALL_MAX) {
        Some(w) => s.max(w - SLACK),
        None => WALL_MAX,
    }
}
