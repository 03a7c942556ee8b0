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

use super::fold::Fold;
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
/// wall time in between matches, so the walk jumps to `w - max_offset` (any upper bound of
/// the offsets will do): the segments in between, and the gap at the segment's end unless
/// `w` lies in it, hold no match. The exception is a fall-back whose repeated wall times
/// reach below the current position: those are searched from the next segment's start.
///
/// The jump relies on offset changes being far apart (more than a day), as in every zone.
pub(crate) fn first_match(schedule: &Schedule, zone: &CronZone, from: i64, limit: i64) -> Found {
    let mut s = from;
    let mut seg = zone.segment(s);
    let mut gap = false;
    // after a jump: the first matching wall time, known to have no match before it from
    // the wall time the jump started at
    let mut known: Option<i64> = None;
    let none = |gap| Found { secs: None, crossed_matching_gap: gap };
    loop {
        let (o, end) = seg;
        let first = match known.take() {
            Some(w) if s + o <= w => Some(w),
            _ => schedule.next_match(s + o, WALL_MAX),
        };
        let bound = end.map_or(WALL_MAX, |e| e + o);
        if let Some(w) = first.filter(|&w| w < bound) {
            return Found { secs: Some(w - o), crossed_matching_gap: gap };
        }
        let Some(e) = end else { return none(gap) };
        if e > limit || e + o >= WALL_MAX {
            return none(gap);
        }
        if e + zone.min_offset() < s + o {
            let next = zone.segment(e);
            if next.0 < o && e + next.0 < s + o {
                // fall-back: repeated wall times below the position were not searched yet
                s = e;
                seg = next;
                continue;
            }
        }
        let Some(w) = first else { return none(gap) };
        let resume = e.max(w - zone.max_offset());
        let resume_seg = zone.segment(resume);
        if w < e + zone.max_offset() {
            // `w` (>= e + o) may be a wall time inside a spring-forward gap at `e`
            let next_offset = if resume == e { resume_seg.0 } else { zone.offset_at(e) };
            if next_offset > o && w < e + next_offset {
                gap = true;
            }
        }
        s = resume;
        seg = resume_seg;
        known = Some(w);
    }
}

/// [`first_match`] keeping only the occurrences of repeated wall times that `fold` selects
/// (with [`Fold::Both`], exactly `first_match`). A match on a dropped occurrence restarts
/// the search where the dropped stretch ends: for `First`, a second occurrence resumes at
/// the end of the repeated stretch; for `Last`, a first occurrence resumes at the
/// fall-back instant, where the second occurrences begin. Each restart moves past one
/// fold, so a search restarts at most once per fold it meets (a trigger firing every
/// second does not step through the dropped hour). The set of fire times stays a fixed set
/// of instants: whether one is kept depends on the instant alone.
pub(crate) fn first_kept_match(schedule: &Schedule, zone: &CronZone, from: i64, limit: i64, fold: Fold) -> Found {
    let mut found = first_match(schedule, zone, from, limit);
    if fold == Fold::Both {
        return found;
    }
    let mut gap = found.crossed_matching_gap;
    while let Some(s) = found.secs {
        let Some(resume) = fold.resume_after(zone.occurrence(s)) else { break };
        found = first_match(schedule, zone, resume, limit);
        gap |= found.crossed_matching_gap;
    }
    Found { secs: found.secs, crossed_matching_gap: gap }
}
