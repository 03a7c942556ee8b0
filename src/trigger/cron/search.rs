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
///
/// In each segment the first matching wall time `w` at or after the current position is
/// looked up without a bound. If it falls inside the segment it is the answer. Otherwise no
/// wall time in between matches, so the walk jumps to `w - max_offset` (the segments in
/// between, and the gap at the segment's end unless `w` lies in it, hold no match), except
/// after a fall-back whose repeated wall times reach below the current position: those are
/// searched from the next segment's start.
///
/// The jump relies on offset changes being far apart (more than a day), as in every zone.
pub(crate) fn first_match(schedule: &Schedule, zone: &CronZone, from: i64, limit: i64) -> Found {
    let mut s = from;
    let mut gap = false;
    let none = |gap| Found { secs: None, crossed_matching_gap: gap };
    loop {
        let (o, end) = zone.segment(s);
        let first = schedule.next_match(s + o, WALL_MAX);
        let bound = end.map_or(WALL_MAX, |e| e + o);
        if let Some(w) = first.filter(|&w| w < bound) {
            return Found { secs: Some(w - o), crossed_matching_gap: gap };
        }
        let Some(e) = end else { return none(gap) };
        if e > limit || e + o >= WALL_MAX {
            return none(gap);
        }
        let next_offset = zone.offset_at(e);
        if next_offset < o && e + next_offset < s + o {
            // fall-back: repeated wall times below the position were not searched yet
            s = e;
            continue;
        }
        let Some(w) = first else { return none(gap) };
        if next_offset > o && w < e + next_offset {
            // `w` (>= e + o) is a wall time inside the spring-forward gap
            gap = true;
        }
        s = e.max(w - zone.max_offset());
    }
}
