//! The zone as the cron engines see it: constant-offset segments in whole seconds and
//! PEP 495 wall-time resolution.
//!
//! The zone database continues each zone's yearly rule forever, as Python's `zoneinfo`
//! keeps applying a zone's POSIX rule (APScheduler fire times in the year 2999 still
//! observe DST), so the segments need no special case for the far future.

use std::cell::RefCell;
use std::sync::Arc;

use crate::time::{resolve_wall_secs, Timestamp, Transitions, Zone};

/// Which side of a clock change an ambiguous wall time is read on: PEP 495's `fold`
/// attribute as a type (jiff calls the two offsets of an ambiguous wall time `before` and
/// `after` in its `AmbiguousOffset`). Applies to both kinds of ambiguity:
///
/// | | `Before` (`fold=0`) | `After` (`fold=1`) |
/// | --- | --- | --- |
/// | fall-back fold (wall time occurs twice) | the first occurrence, the earlier instant | the second occurrence, the later instant |
/// | spring-forward gap (wall time does not exist) | read with the pre-gap offset: an instant after the gap | read with the post-gap offset: an instant before the gap |
///
/// A wall time that occurs once is the same instant on either side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// The offset in force before the transition (PEP 495 `fold=0`).
    Before,
    /// The offset in force after the transition (PEP 495 `fold=1`).
    After,
}

/// Where an instant's wall time stands in a fall-back fold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Occurrence {
    /// The wall time occurs once.
    Only,
    /// The first of two occurrences; the clocks go back at `transition` (seconds), after
    /// which the second occurrences of the stretch follow.
    First {
        /// The instant of the fall-back.
        transition: i64,
    },
    /// The second of two occurrences; the repeated stretch ends at `stretch_end` (seconds,
    /// exclusive), the first instant whose wall time occurs once again.
    Second {
        /// The end of the repeated stretch.
        stretch_end: i64,
    },
}

/// A zone's offsets for the cron engines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CronZone {
    transitions: Transitions,
    /// The largest UTC offset the zone ever has.
    max_offset: i64,
    /// The smallest UTC offset the zone ever has.
    min_offset: i64,
}

impl CronZone {
    /// The offsets of `zone`, computed once per zone and shared by every trigger in it.
    pub fn shared(zone: Zone) -> Arc<CronZone> {
        // A list, not a hash map: a program uses a handful of zones, a scan of them is as
        // fast as hashing, and the wasm carries no hasher and table code for this cache.
        // Per thread (the wasm module has one): no `OnceLock`/`Mutex`, whose `Once`
        // machinery was ~4 KB of the wasm's code.
        thread_local! {
            static CACHE: RefCell<Vec<(Zone, Arc<CronZone>)>> = const { RefCell::new(Vec::new()) };
        }
        CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some((_, shared)) = cache.iter().find(|(z, _)| *z == zone) {
                return shared.clone();
            }
            let transitions = zone.transitions();
            let (min_offset, max_offset) = transitions.offset_range();
            let shared = Arc::new(CronZone { transitions, max_offset: max_offset as i64, min_offset: min_offset as i64 });
            cache.push((zone, shared.clone()));
            shared
        })
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
    /// (the first second with another offset; `None`: forever).
    #[inline]
    pub fn segment(&self, s: i64) -> (i64, Option<i64>) {
        let seg = self.transitions.segment_at(Timestamp::from_secs(s));
        (seg.offset as i64, seg.end.map(Timestamp::secs_floor))
    }

    /// The UTC offset in seconds at instant `s`.
    pub fn offset_at(&self, s: i64) -> i64 {
        self.segment(s).0
    }

    /// The wall time (wall seconds) at instant `s`.
    pub fn to_wall(&self, s: i64) -> i64 {
        s + self.offset_at(s)
    }

    /// The instant of wall time `wall` read on `side` of a transition (see [`Side`]).
    pub fn resolve(&self, wall: i64, side: Side) -> i64 {
        resolve_wall_secs(wall, side == Side::After, |s| self.offset_at(s))
    }

    /// Whether the wall time of instant `s` occurs twice, and which occurrence `s` is. A
    /// fall-back from offset `a` to `b < a` at `T` repeats the wall times of the instants
    /// `[T − (a − b), T)` (first occurrences) at `[T, T + (a − b))` (second ones).
    pub fn occurrence(&self, s: i64) -> Occurrence {
        let seg = self.transitions.segment_at(Timestamp::from_secs(s));
        let offset = seg.offset as i64;
        if let Some(end) = seg.end.map(Timestamp::secs_floor) {
            let next = self.offset_at(end);
            if next < offset && s >= end - (offset - next) {
                return Occurrence::First { transition: end };
            }
        }
        if let Some(start) = seg.start.map(Timestamp::secs_floor) {
            let previous = self.offset_at(start - 1);
            if previous > offset && s < start + (previous - offset) {
                return Occurrence::Second { stretch_end: start + (previous - offset) };
            }
        }
        Occurrence::Only
    }

    /// The side instant `s` reads its wall time on: [`Side::After`] for the second
    /// occurrence of a repeated wall time (PEP 495 `fold=1`), else [`Side::Before`].
    pub fn side_at(&self, s: i64) -> Side {
        if self.resolve(self.to_wall(s), Side::Before) != s {
            Side::After
        } else {
            Side::Before
        }
    }
}
