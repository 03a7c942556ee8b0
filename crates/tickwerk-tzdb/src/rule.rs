//! A zone's recurring yearly rule, as the generator derives it and the reader applies it
//! (one implementation for both).
//!
//! A rule is two annual changes. Each falls on the first `weekday` on or after `day` of
//! `month` (`day == 0`: the last such weekday of the month), at `secs` after that local
//! midnight, read in the UTC offset in force before the change, and switches to the local
//! time type `to_type`. Before a year's first change the type of its second is in force.

use crate::civil::{self, DAY};

/// One of a yearly rule's two annual changes (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RuleChange {
    /// 1–12.
    pub month: u8,
    /// First day of the month the change can fall on; 0 = the last such weekday.
    pub day: u8,
    /// 0 = Sunday … 6 = Saturday ([`weekday`]).
    pub weekday: u8,
    /// Seconds after local midnight (may be negative or past 24 h).
    pub secs: i64,
    /// The local time type switched to.
    pub to_type: u8,
}

/// A yearly rule: its two changes.
pub type Rule = [RuleChange; 2];

impl RuleChange {
    /// The local day (days since 1970-01-01) the change falls on in `year`.
    pub fn day_in(&self, year: i64) -> i64 {
        let w = i64::from(self.weekday);
        if self.day == 0 {
            let (y, m) = if self.month == 12 { (year + 1, 1) } else { (year, u32::from(self.month) + 1) };
            let last = civil::days_from_civil(y, m, 1) - 1;
            last - (weekday(last) + 7 - w) % 7
        } else {
            let first = civil::days_from_civil(year, u32::from(self.month), u32::from(self.day));
            first + (w + 7 - weekday(first)) % 7
        }
    }
}

/// The two changes `rule` makes in `year`, in time order, as `(utc_secs, type)`;
/// `offset_of` gives a type's UTC offset in seconds.
pub fn changes_in(rule: &Rule, year: i64, offset_of: impl Fn(u8) -> i32) -> [(i64, u8); 2] {
    let one = |c: &RuleChange, before: u8| (c.day_in(year) * DAY + c.secs - i64::from(offset_of(before)), c.to_type);
    let (a, b) = (one(&rule[0], rule[1].to_type), one(&rule[1], rule[0].to_type));
    if a.0 <= b.0 {
        [a, b]
    } else {
        [b, a]
    }
}

/// Weekday of a day count since 1970-01-01 in the rules' numbering, 0 = Sunday … 6 = Saturday.
pub fn weekday(days: i64) -> i64 {
    i64::from((civil::weekday(days) + 1) % 7)
}
