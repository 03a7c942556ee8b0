//! `AndTrigger` and `OrTrigger`: combinations of triggers (APScheduler's `AndTrigger` /
//! `OrTrigger`).
//!
//! # AND: a bounded search (deviation `and-no-hang`)
//!
//! The next fire time of an AND is the earliest instant, at or after a lower bound, at
//! which **every** child fires. The lower bound is `now` for the first fire time and 1 µs
//! after the previous fire time for the next ones. The search asks every child for its
//! first fire time at or after a candidate ([`Trigger::first_at_or_after`]), moves the
//! candidate to the latest answer and repeats until all children agree. It gives up after
//! [`AND_MAX_ROUNDS`] rounds or past the year 9999 and then reports that there are no
//! more fire times (`None`). The rounds are counted over the whole query: an AND nested in
//! an AND (also through an OR) spends the same budget, so nesting cannot multiply the work
//! (10,000 rounds per level would be 10^8 for two levels). A child that is exhausted ends the AND. APScheduler's own loop
//! can spin forever here; this one always terminates.
//!
//! # OR
//!
//! The next fire time of an OR is the earliest of its children's
//! `next_fire_time(previous, now)`. As in APScheduler every child receives the
//! **combined** previous fire time, so an interval child restarts from whichever child
//! fired last. It is `None` only when every child is exhausted. Child answers at or before
//! `previous` are dropped, so fire times strictly increase.
//!
//! # Jitter
//!
//! A combination's own `jitter` is added to its fire times (`+uniform(0, jitter)` seconds
//! on the instant). Inside an AND the children's jitter is ignored: jittered children
//! would almost never agree on an instant. An OR also adds the jitter of the child that
//! produced the fire time (the first child, in order, whose `next_fire_time(previous,
//! now)` is that instant; [`OrTrigger::next_fire`] picks it while finding the time), then
//! its own; if that child's jitter would push the time past the child's end date, the
//! child's jitter is skipped.
//!
//! `str()` is `and[<child>, …]` / `or[<child>, …]`.

use std::fmt;

use crate::error::{Error, Result};
use chrono::NaiveDate;

use crate::time::Timestamp;
use crate::trigger::{check_jitter, format_jitter, jitter_with, Fire, JitterRng, Trigger};

/// The most rounds the AND search takes before it reports "no more fire times".
pub const AND_MAX_ROUNDS: usize = 10_000;

/// Fires when every child fires at the same instant.
#[derive(Clone, Debug, PartialEq)]
pub struct AndTrigger {
    triggers: Vec<Trigger>,
    jitter: Option<f64>,
}

/// Fires whenever any child fires.
#[derive(Clone, Debug, PartialEq)]
pub struct OrTrigger {
    triggers: Vec<Trigger>,
    jitter: Option<f64>,
}

fn check_children(triggers: &[Trigger], kind: &str) -> Result<()> {
    if triggers.is_empty() {
        return Err(Error::invalid("triggers", "[]", format!("an {kind} trigger needs at least one child trigger")));
    }
    Ok(())
}

impl AndTrigger {
    /// An AND of `triggers` (at least one) with its own optional `jitter` in seconds.
    pub fn new(triggers: Vec<Trigger>, jitter: Option<f64>) -> Result<AndTrigger> {
        check_children(&triggers, "and")?;
        Ok(AndTrigger { triggers, jitter: check_jitter(jitter)? })
    }

    /// The earliest instant at or after `now` (no previous) or after `previous` at which
    /// every child fires; `None` if there is none (or the bounded search gives up).
    pub fn next_fire_time(&self, previous: Option<Timestamp>, now: Timestamp) -> Option<Timestamp> {
        let lower = match previous {
            Some(prev) => prev.checked_add_micros(1)?,
            None => now,
        };
        self.first_at_or_after(lower)
    }

    /// The earliest instant at or after `t` at which every child fires (the bounded
    /// search described in the module docs).
    pub fn first_at_or_after(&self, t: Timestamp) -> Option<Timestamp> {
        self.search(t, &mut Vec::new(), &mut { AND_MAX_ROUNDS })
    }

    /// The search, with a cursor per child: the candidates only grow, so children that
    /// walk (calendar intervals) resume where the previous round stopped. `rounds` is what
    /// is left of the query's budget, shared with nested ANDs.
    fn search(&self, t: Timestamp, cursors: &mut Vec<Cursor>, rounds: &mut usize) -> Option<Timestamp> {
        cursors.resize_with(self.triggers.len(), Cursor::default);
        let mut candidate = t;
        while *rounds > 0 {
            *rounds -= 1;
            let mut latest = candidate;
            let mut agree = true;
            for (child, cursor) in self.triggers.iter().zip(cursors.iter_mut()) {
                let at = first_with_cursor(child, candidate, cursor, rounds)?;
                if at != candidate {
                    agree = false;
                }
                latest = latest.max(at);
            }
            if agree {
                return Some(candidate);
            }
            if latest == candidate {
                // A child answered before the candidate: it breaks its contract, and the
                // search could not advance. Report no further fire time rather than spin.
                return None;
            }
            candidate = latest;
        }
        None
    }

    /// `t` plus this trigger's own jitter.
    pub fn apply_jitter(&self, t: Timestamp, rng: &mut JitterRng) -> Timestamp {
        jitter_with(t, self.jitter, |j| rng.uniform_micros(j))
    }

    /// The child triggers.
    pub fn triggers(&self) -> &[Trigger] {
        &self.triggers
    }

    /// The combination's own jitter in seconds, if any.
    pub fn jitter(&self) -> Option<f64> {
        self.jitter
    }

    /// APScheduler's `repr()`: `<AndTrigger([<child reprs>][, jitter=N])>`.
    pub fn repr(&self) -> String {
        combination_repr("AndTrigger", &self.triggers, self.jitter)
    }
}

/// Search state of one child across the rounds of an AND search (see
/// [`crate::trigger::CalendarIntervalTrigger::first_at_or_after_resuming`]).
#[derive(Default)]
struct Cursor {
    calendar: Option<NaiveDate>,
    children: Vec<Cursor>,
}

/// [`Trigger::first_at_or_after`] for non-decreasing `t`, resuming from `cursor`; nested
/// ANDs spend `rounds`.
fn first_with_cursor(trigger: &Trigger, t: Timestamp, cursor: &mut Cursor, rounds: &mut usize) -> Option<Timestamp> {
    match trigger {
        Trigger::CalendarInterval(c) => c.first_at_or_after_resuming(t, &mut cursor.calendar),
        Trigger::And(a) => a.search(t, &mut cursor.children, rounds),
        Trigger::Or(o) => {
            cursor.children.resize_with(o.triggers.len(), Cursor::default);
            o.triggers.iter().zip(cursor.children.iter_mut()).filter_map(|(c, k)| first_with_cursor(c, t, k, rounds)).min()
        }
        other => other.first_at_or_after(t),
    }
}

impl OrTrigger {
    /// An OR of `triggers` (at least one) with its own optional `jitter` in seconds.
    pub fn new(triggers: Vec<Trigger>, jitter: Option<f64>) -> Result<OrTrigger> {
        check_children(&triggers, "or")?;
        Ok(OrTrigger { triggers, jitter: check_jitter(jitter)? })
    }

    /// The earliest of the children's `next_fire_time(previous, now)` that is after
    /// `previous`; `None` when every child is exhausted.
    pub fn next_fire_time(&self, previous: Option<Timestamp>, now: Timestamp) -> Option<Timestamp> {
        self.winner(previous, now).map(|(_, t)| t)
    }

    /// The next fire time with its `due_at` (the jittered instant): every child's next fire time is
    /// computed once, and the jitter added is that of the child that gave the earliest
    /// (the first in order among equals), then this trigger's own.
    pub fn next_fire(&self, previous: Option<Timestamp>, now: Timestamp, rng: &mut JitterRng) -> Option<Fire> {
        let (child, time) = self.winner(previous, now)?;
        Some(Fire { time, due_at: self.jitter_from(Some(child), time, previous, now, rng) })
    }

    /// The child that gives the OR's next fire time, with that time: the smallest answer
    /// after `previous`, the first child in order among equal answers.
    fn winner(&self, previous: Option<Timestamp>, now: Timestamp) -> Option<(usize, Timestamp)> {
        let mut best: Option<(usize, Timestamp)> = None;
        for (i, child) in self.triggers.iter().enumerate() {
            let Some(t) = child.next_fire_time(previous, now) else { continue };
            if previous.is_some_and(|p| t <= p) {
                continue;
            }
            if best.map_or(true, |(_, b)| t < b) {
                best = Some((i, t));
            }
        }
        best
    }

    /// `t`, a fire time this trigger gave as `next_fire_time(previous, now)`, plus the
    /// jitter of the child that produced it (found by the same call), plus this trigger's
    /// own jitter. Never `None`: the signature matches the other triggers.
    pub fn jitter_fire(&self, t: Timestamp, previous: Option<Timestamp>, now: Timestamp, rng: &mut JitterRng) -> Option<Timestamp> {
        let child = self.winner(previous, now).filter(|(_, w)| *w == t).map(|(i, _)| i);
        Some(self.jitter_from(child, t, previous, now, rng))
    }

    /// `t` plus the jitter of child `child` (skipped when it would pass that child's end
    /// date), plus this trigger's own jitter.
    fn jitter_from(&self, child: Option<usize>, t: Timestamp, previous: Option<Timestamp>, now: Timestamp, rng: &mut JitterRng) -> Timestamp {
        let after_child = match child.and_then(|i| self.triggers.get(i)) {
            Some(c) => c.jitter_fire(t, previous, now, rng).unwrap_or(t),
            None => t,
        };
        jitter_with(after_child, self.jitter, |j| rng.uniform_micros(j))
    }

    /// The earliest of the children's first fire times at or after `t`.
    pub fn first_at_or_after(&self, t: Timestamp) -> Option<Timestamp> {
        self.triggers.iter().filter_map(|c| c.first_at_or_after(t)).min()
    }

    /// `t` plus the jitter of a child that fires at `t`, plus this trigger's own jitter,
    /// when the previous fire time is not known: the producer is taken to be the first
    /// child whose own schedule has `t` ([`Trigger::first_at_or_after`]). An interval
    /// child restarted from another child's fire time is off its own grid and not found
    /// that way; [`OrTrigger::next_fire`] and [`OrTrigger::jitter_fire`] know the
    /// producer. Never `None`: the signature matches the other triggers.
    pub fn apply_jitter(&self, t: Timestamp, rng: &mut JitterRng) -> Option<Timestamp> {
        let producer = self.triggers.iter().find(|c| c.first_at_or_after(t) == Some(t));
        let after_child = match producer {
            Some(child) => child.apply_jitter(t, rng).unwrap_or(t),
            None => t,
        };
        Some(jitter_with(after_child, self.jitter, |j| rng.uniform_micros(j)))
    }

    /// The child triggers.
    pub fn triggers(&self) -> &[Trigger] {
        &self.triggers
    }

    /// The combination's own jitter in seconds, if any.
    pub fn jitter(&self) -> Option<f64> {
        self.jitter
    }

    /// APScheduler's `repr()`: `<OrTrigger([<child reprs>][, jitter=N])>`.
    pub fn repr(&self) -> String {
        combination_repr("OrTrigger", &self.triggers, self.jitter)
    }
}

fn combination_repr(name: &str, triggers: &[Trigger], jitter: Option<f64>) -> String {
    let children: Vec<String> = triggers.iter().map(Trigger::repr).collect();
    match jitter.filter(|j| *j != 0.0) {
        Some(j) => format!("<{name}([{}], jitter={})>", crate::message_text::joined(&children, ", "), format_jitter(j)),
        None => format!("<{name}([{}])>", crate::message_text::joined(&children, ", ")),
    }
}

fn join_children(f: &mut fmt::Formatter<'_>, name: &str, triggers: &[Trigger]) -> fmt::Result {
    write!(f, "{name}[")?;
    for (i, t) in triggers.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{t}")?;
    }
    f.write_str("]")
}

impl fmt::Display for AndTrigger {
    /// APScheduler's `str()`: `and[<child>, …]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        join_children(f, "and", &self.triggers)
    }
}

impl fmt::Display for OrTrigger {
    /// APScheduler's `str()`: `or[<child>, …]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        join_children(f, "or", &self.triggers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{Zone, MICROS_PER_SEC};
    use crate::trigger::{DateTrigger, IntervalTrigger};

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339("t", s).unwrap()
    }

    fn every(secs: i64, start: &str) -> Trigger {
        Trigger::Interval(IntervalTrigger::new(secs * MICROS_PER_SEC, ts(start), None, Zone::Utc, None).unwrap())
    }

    #[test]
    fn and_finds_the_common_grid_points() {
        let and = AndTrigger::new(vec![every(6, "2024-01-01T00:00:00Z"), every(4, "2024-01-01T00:00:00Z")], None).unwrap();
        let t1 = and.next_fire_time(None, ts("2024-01-01T00:00:01Z")).unwrap();
        assert_eq!(t1, ts("2024-01-01T00:00:12Z"));
        assert_eq!(and.next_fire_time(Some(t1), t1), Some(ts("2024-01-01T00:00:24Z")));
    }

    #[test]
    fn and_that_can_never_agree_terminates() {
        // Two grids of the same period, offset by one second: they never meet.
        let and = AndTrigger::new(vec![every(2, "2024-01-01T00:00:00Z"), every(2, "2024-01-01T00:00:01Z")], None).unwrap();
        assert_eq!(and.next_fire_time(None, ts("2024-01-01T00:00:00Z")), None);
        let date = Trigger::Date(DateTrigger::new(ts("2024-01-01T00:00:03Z"), Zone::Utc));
        let and = AndTrigger::new(vec![every(2, "2024-01-01T00:00:00Z"), date], None).unwrap();
        assert_eq!(and.next_fire_time(None, ts("2024-01-01T00:00:00Z")), None);
    }

    #[test]
    fn or_takes_the_earliest_and_shares_previous() {
        let d = Trigger::Date(DateTrigger::new(ts("2024-01-01T00:00:05Z"), Zone::Utc));
        let or = OrTrigger::new(vec![every(10, "2024-01-01T00:00:00Z"), d], None).unwrap();
        assert_eq!(or.next_fire_time(None, ts("2024-01-01T00:00:01Z")), Some(ts("2024-01-01T00:00:05Z")));
        // the interval child restarts from the combined previous fire time
        assert_eq!(or.next_fire_time(Some(ts("2024-01-01T00:00:05Z")), ts("2024-01-01T00:00:05Z")), Some(ts("2024-01-01T00:00:15Z")));
        assert_eq!(or.to_string(), "or[interval[0:00:10], date[2024-01-01 00:00:05 UTC]]");
    }

    #[test]
    fn empty_combinations_are_refused() {
        assert!(matches!(AndTrigger::new(vec![], None), Err(Error::InvalidArgument { field, .. }) if field == "triggers"));
        assert!(matches!(OrTrigger::new(vec![], None), Err(Error::InvalidArgument { field, .. }) if field == "triggers"));
    }
}
