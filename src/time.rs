//! Instants, time zones and APScheduler's date text.
//!
//! The core keeps time as [`Timestamp`]: microseconds since the Unix epoch, UTC, the
//! precision APScheduler keeps. Wall-clock reasoning happens in a [`Zone`]: `UTC`, a fixed
//! offset such as `+05:30`, or an IANA zone from tickwerk's own compact database
//! ([`tzdb`], which reads the table of the workspace crate `tickwerk-tzdb`, generated from the
//! IANA data by `tickwerk-tzdb-gen`).
//!
//! Local times that do not exist (a spring-forward gap) or exist twice (a fall-back fold)
//! are resolved as Python's `zoneinfo` does (PEP 495), because APScheduler's results are
//! defined by it:
//!
//! * [`Zone::resolve_local`] with `fold = false` gives, for an ambiguous time, the first
//!   occurrence (the pre-transition offset); for a time inside a gap, the pre-transition
//!   offset too, so the instant lands *after* the gap (02:30 in New York on spring-forward
//!   day is 07:30Z, which reads 03:30 EDT).
//! * `fold = true` picks the second occurrence, or for a gap the post-transition offset.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::message_text::push_int;

pub(crate) mod civil;
pub mod iso_text;
pub mod tzdb;

pub use tzdb::ZoneId;

/// Microseconds in one second.
pub const MICROS_PER_SEC: i64 = 1_000_000;

/// An instant in time: microseconds since 1970-01-01T00:00:00Z.
///
/// Valid instants lie in the years 0001–9999 (Python's `datetime` range).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The earliest valid instant, 0001-01-01T00:00:00Z.
    pub const MIN: Timestamp = Timestamp(-62_135_596_800 * MICROS_PER_SEC);
    /// The latest valid instant, 9999-12-31T23:59:59.999999Z.
    pub const MAX: Timestamp = Timestamp(253_402_300_800 * MICROS_PER_SEC - 1);

    /// The instant `micros` microseconds after the epoch (not range-checked).
    pub const fn from_micros(micros: i64) -> Timestamp {
        Timestamp(micros)
    }

    /// The instant `secs` whole seconds after the epoch (not range-checked).
    pub const fn from_secs(secs: i64) -> Timestamp {
        Timestamp(secs * MICROS_PER_SEC)
    }

    /// Microseconds since the epoch.
    pub const fn as_micros(self) -> i64 {
        self.0
    }

    /// Epoch milliseconds (fractions carry the microseconds), for the JS boundary.
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// Reads epoch milliseconds (a JS `Date` value; fractions are microseconds).
    /// `field` names the input in the error.
    pub fn from_millis_f64(field: &str, ms: f64) -> Result<Timestamp> {
        if !ms.is_finite() {
            return Err(Error::invalid(field, ms, "not a finite number of milliseconds"));
        }
        let micros = (ms * 1000.0).round();
        if micros < Timestamp::MIN.0 as f64 || micros > Timestamp::MAX.0 as f64 {
            return Err(Error::invalid(field, ms, "outside the years 0001-9999"));
        }
        Ok(Timestamp(micros as i64))
    }

    /// The instant `micros` later, or `None` past the valid range.
    pub fn checked_add_micros(self, micros: i64) -> Option<Timestamp> {
        let t = self.0.checked_add(micros)?;
        (Timestamp::MIN.0..=Timestamp::MAX.0).contains(&t).then_some(Timestamp(t))
    }

    /// Whole seconds since the epoch, rounded down.
    pub fn secs_floor(self) -> i64 {
        self.0.div_euclid(MICROS_PER_SEC)
    }

    /// This instant rounded up to a whole second (APScheduler's `datetime_ceil`).
    pub fn ceil_to_second(self) -> Timestamp {
        let rem = self.0.rem_euclid(MICROS_PER_SEC);
        if rem == 0 {
            self
        } else {
            Timestamp(self.0 - rem + MICROS_PER_SEC)
        }
    }

    /// The UTC calendar date and time of this instant.
    pub fn to_utc_naive(self) -> NaiveDateTime {
        DateTime::from_timestamp_micros(self.0).map(|d| d.naive_utc()).unwrap_or(NaiveDateTime::MIN)
    }

    /// The instant of a UTC calendar date and time.
    pub fn from_utc_naive(naive: NaiveDateTime) -> Timestamp {
        Timestamp(naive.and_utc().timestamp_micros())
    }

    /// Parses RFC 3339 / ISO 8601 text with an offset (`2024-03-10T03:00:00-04:00`,
    /// `…Z`, fractions up to microseconds). Used for stored data and test vectors.
    pub fn parse_rfc3339(field: &str, text: &str) -> Result<Timestamp> {
        DateTime::parse_from_rfc3339(text)
            .map(|d| Timestamp(d.timestamp_micros()))
            .map_err(|e| Error::invalid(field, text, e.to_string()))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl Timestamp {
    /// The `Display` text: `2024-03-10T07:30:00Z`, `.ffffff` only with microseconds.
    pub fn text(self) -> String {
        let n = self.to_utc_naive();
        let mut out = String::new();
        iso_text::IsoDate(n.date()).write(&mut out);
        out.push('T');
        iso_text::IsoTime(n.time()).write(&mut out);
        if n.nanosecond() != 0 {
            out.push('.');
            push_int(&mut out, i64::from(n.nanosecond() / 1000), 6, false);
        }
        out.push('Z');
        out
    }
}

impl fmt::Display for Timestamp {
    /// `2024-03-10T07:30:00Z`, with `.ffffff` only when there are microseconds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// A time zone: UTC, a fixed offset, or an IANA zone.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum Zone {
    /// Coordinated Universal Time (`"UTC"`).
    Utc,
    /// A fixed offset in seconds east of UTC (`"+05:30"`).
    Fixed(i32),
    /// An IANA zone (`"Europe/Berlin"`).
    Named(ZoneId),
}

/// A stretch of time in which a zone's UTC offset does not change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// The UTC offset in seconds in force throughout the segment.
    pub offset: i32,
    /// The first instant of the segment (`None`: since forever).
    pub start: Option<Timestamp>,
    /// The first instant after the segment, where the next offset starts (`None`: forever).
    pub end: Option<Timestamp>,
}

impl Zone {
    /// Parses a zone name: `"UTC"` (also `"Z"`), a fixed offset `±HH:MM` (or `±HHMM`,
    /// `±HH`), or an IANA name (exact spelling).
    pub fn parse(name: &str) -> Result<Zone> {
        let unknown = || Error::UnknownTimezone { name: name.to_string() };
        if name == "UTC" || name == "Z" || name.eq_ignore_ascii_case("utc") {
            return Ok(Zone::Utc);
        }
        if let Some(rest) = name.strip_prefix('+').map(|r| (1, r)).or_else(|| name.strip_prefix('-').map(|r| (-1, r))) {
            let (sign, digits) = rest;
            // Bytes, not `str` slices: a non-ASCII character must be refused, not split.
            let (h, m): (&[u8], &[u8]) = match *digits.as_bytes() {
                [h1, h2] => (&[h1, h2], b"00"),
                [h1, h2, m1, m2] | [h1, h2, b':', m1, m2] => (&[h1, h2], &[m1, m2]),
                _ => return Err(unknown()),
            };
            let (h, m) = (two_digits(h).ok_or_else(unknown)?, two_digits(m).ok_or_else(unknown)?);
            if h > 23 || m > 59 {
                return Err(unknown());
            }
            return Ok(Zone::Fixed(sign * (h * 3600 + m * 60)));
        }
        ZoneId::from_name(name).map(Zone::Named).ok_or_else(unknown)
    }

    /// The zone's name as it parses back: `UTC`, `+05:30`, `Europe/Berlin`.
    pub fn name(&self) -> String {
        match self {
            Zone::Utc => "UTC".to_string(),
            Zone::Fixed(secs) => format_offset(*secs, true),
            Zone::Named(id) => id.name().to_string(),
        }
    }

    /// The UTC offset in seconds at instant `t`.
    pub fn offset_at(&self, t: Timestamp) -> i32 {
        match self {
            Zone::Utc => 0,
            Zone::Fixed(secs) => *secs,
            Zone::Named(id) => id.table().offset_at(t.secs_floor()),
        }
    }

    /// The zone abbreviation at `t`, as Python's `%Z` prints it (`CEST`, `UTC`, `UTC+05:30`).
    pub fn abbreviation_at(&self, t: Timestamp) -> String {
        match self {
            Zone::Utc => "UTC".to_string(),
            Zone::Fixed(secs) => format!("UTC{}", format_offset(*secs, true)),
            Zone::Named(id) => tzdb::abbreviation(id.table().abbreviation_at(t.secs_floor())).to_string(),
        }
    }

    /// The wall-clock date and time at instant `t` in this zone.
    pub fn to_local(&self, t: Timestamp) -> NaiveDateTime {
        let off = self.offset_at(t) as i64;
        Timestamp(t.0 + off * MICROS_PER_SEC).to_utc_naive()
    }

    /// Whether the instant `t` is the second occurrence of its wall time (PEP 495 `fold=1`).
    pub fn fold_at(&self, t: Timestamp) -> bool {
        let local = self.to_local(t);
        self.resolve_local(local, false) != t
    }

    /// The instant of a wall-clock time, PEP 495 style (see the module docs): `fold`
    /// picks the second occurrence of an ambiguous time, or the post-transition offset
    /// for a time inside a gap.
    pub fn resolve_local(&self, local: NaiveDateTime, fold: bool) -> Timestamp {
        let wall = Timestamp::from_utc_naive(local);
        match self {
            Zone::Utc => wall,
            Zone::Fixed(secs) => Timestamp(wall.0 - *secs as i64 * MICROS_PER_SEC),
            Zone::Named(_) => {
                // Offsets are whole seconds and change on whole seconds: resolve the
                // second, keep the sub-second part.
                let secs = wall.secs_floor();
                let sub = wall.0 - secs * MICROS_PER_SEC;
                let t = resolve_wall_secs(secs, fold, |s| i64::from(self.offset_at(Timestamp::from_secs(s))));
                Timestamp(t * MICROS_PER_SEC + sub)
            }
        }
    }

    /// Whether a wall-clock time exists in this zone (is not inside a gap).
    pub fn local_exists(&self, local: NaiveDateTime) -> bool {
        let t = self.resolve_local(local, false);
        self.to_local(t) == local
    }

    /// The stretch of constant offset that contains `t`.
    ///
    /// For a hot loop, fetch [`Zone::transitions`] once and call
    /// [`Transitions::segment_at`] on it instead: this looks the table up in a shared cache
    /// on every call.
    pub fn segment_at(&self, t: Timestamp) -> Segment {
        self.transitions().segment_at(t)
    }

    /// The zone's offset changes (none for UTC and fixed offsets): the zone's table,
    /// decoded once per zone and shared, with its yearly rule continued forever.
    pub fn transitions(&self) -> Transitions {
        match self {
            Zone::Utc => Transitions { fixed: 0, table: None },
            Zone::Fixed(secs) => Transitions { fixed: *secs, table: None },
            Zone::Named(id) => {
                let table = id.table();
                let fixed = table.initial_offset();
                Transitions { fixed, table: (!table.is_fixed()).then_some(table) }
            }
        }
    }
}

/// A zone's offset changes, for fast [`Segment`] lookups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transitions {
    /// The offset before the first transition (the only offset when `table` is `None`).
    fixed: i32,
    /// The zone's table (`None`: the offset never changes).
    table: Option<Arc<tzdb::Table>>,
}

impl Transitions {
    /// The stretch of constant offset that contains `t` (a binary search, or the yearly
    /// rule from 2038 on).
    pub fn segment_at(&self, t: Timestamp) -> Segment {
        let Some(table) = &self.table else {
            return Segment { offset: self.fixed, start: None, end: None };
        };
        let (offset, start, end) = table.segment(t.secs_floor());
        Segment { offset, start: start.map(Timestamp::from_secs), end: end.map(Timestamp::from_secs) }
    }

    /// Whether the offset never changes (UTC, a fixed offset).
    pub fn is_fixed(&self) -> bool {
        self.table.is_none()
    }

    /// The smallest and largest UTC offsets (seconds) the zone ever has.
    pub fn offset_range(&self) -> (i32, i32) {
        self.table.as_ref().map_or((self.fixed, self.fixed), |t| t.offset_range())
    }
}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Zone({})", self.name())
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for Zone {
    type Err = Error;
    fn from_str(s: &str) -> Result<Zone> {
        Zone::parse(s)
    }
}

impl Serialize for Zone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Zone, D::Error> {
        let name = String::deserialize(d)?;
        Zone::parse(&name).map_err(serde::de::Error::custom)
    }
}

/// PEP 495 resolution of a wall time `wall` (wall seconds: the local time read as if it
/// were UTC) given the zone's offset at any instant (seconds): `fold` picks the second
/// occurrence of a repeated wall time; inside a gap, `fold = false` takes the offset before
/// the gap (the instant lands after it) and `true` the one after. Assumes at most one offset
/// change within a day of `wall`. Shared by [`Zone::resolve_local`] and the cron engines.
pub(crate) fn resolve_wall_secs(wall: i64, fold: bool, offset_at: impl Fn(i64) -> i64) -> i64 {
    const DAY: i64 = 86_400;
    let (before, after) = (offset_at(wall - DAY), offset_at(wall + DAY));
    let (t_before, t_after) = (wall - before, wall - after);
    let ok_before = offset_at(t_before) == before;
    let ok_after = offset_at(t_after) == after;
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
        (false, false) if fold => t_after,
        (false, false) => t_before,
    }
}

/// `+05:30` (with colon) or `+0530`.
fn format_offset(secs: i32, colon: bool) -> String {
    let a = i64::from(secs.unsigned_abs());
    let mut out = String::from(if secs < 0 { "-" } else { "+" });
    let parts = [a / 3600, a % 3600 / 60, a % 60];
    for (i, n) in parts.into_iter().enumerate().take(if parts[2] != 0 { 3 } else { 2 }) {
        if i > 0 && colon {
            out.push(':');
        }
        push_int(&mut out, n, 2, false);
    }
    out
}

/// A date given by a caller: an instant (with the zone it was written in, if any), or
/// APScheduler's text form, or a wall time to read in the trigger's zone.
#[derive(Clone, Debug, PartialEq)]
pub enum DateInput {
    /// An exact instant with no zone of its own (a JS `Date`, epoch milliseconds).
    Instant(Timestamp),
    /// An exact instant written in a zone (an aware Python datetime); the zone can become
    /// the trigger's zone when none is given.
    Zoned(Timestamp, Zone),
    /// A wall-clock time, read in the trigger's zone (fold 0: a gap time moves forward).
    Local(NaiveDateTime),
    /// APScheduler's text: `YYYY-M-D[( |T)H:M:S[.ffffff][Z|±HH:MM]]`.
    Text(String),
}

impl DateInput {
    /// The zone this input carries, if any (`Zoned`, or text with an offset).
    pub fn own_zone(&self, field: &str) -> Result<Option<Zone>> {
        Ok(match self {
            DateInput::Zoned(_, z) => Some(*z),
            DateInput::Text(s) => parse_date_text(field, s)?.offset.map(Zone::Fixed),
            _ => None,
        })
    }

    /// The instant this input means in `zone`.
    pub fn resolve(&self, field: &str, zone: Zone) -> Result<Timestamp> {
        match self {
            DateInput::Instant(t) | DateInput::Zoned(t, _) => Ok(*t),
            DateInput::Local(n) => Ok(zone.resolve_local(*n, false)),
            DateInput::Text(s) => {
                let p = parse_date_text(field, s)?;
                Ok(match p.offset {
                    Some(off) => Timestamp(Timestamp::from_utc_naive(p.local).0 - off as i64 * MICROS_PER_SEC),
                    None => zone.resolve_local(p.local, false),
                })
            }
        }
    }
}

/// APScheduler's date text, split into its wall time and optional offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParsedDateText {
    /// The wall-clock date and time written.
    pub local: NaiveDateTime,
    /// The offset written (`Z` is 0), in seconds east of UTC.
    pub offset: Option<i32>,
}

/// The number two ASCII digits spell, if they are digits.
fn two_digits(b: &[u8]) -> Option<i32> {
    match *b {
        [t @ b'0'..=b'9', u @ b'0'..=b'9'] => Some(i32::from(t - b'0') * 10 + i32::from(u - b'0')),
        _ => None,
    }
}

/// Parses `YYYY-M-D[( |T)H:M:S[.f{1,6}][Z|±HH:MM]]` strictly (the whole text must match);
/// an impossible date or time is an error naming `field`.
pub fn parse_date_text(field: &str, text: &str) -> Result<ParsedDateText> {
    let bad = |why: &str| Error::invalid(field, text, why.to_string());
    let fmt_err = || bad("expected YYYY-M-D[ H:M:S[.ffffff][Z|+HH:MM]]");
    let b = text.as_bytes();
    let mut i = 0;
    // `min..=max` ASCII digits (at most 6, so no overflow), read from the bytes.
    let digits = |i: &mut usize, min: usize, max: usize| -> Option<u32> {
        let s = *i;
        let mut n = 0u32;
        while *i - s < max {
            let Some(d @ b'0'..=b'9') = b.get(*i).copied() else { break };
            n = n * 10 + u32::from(d - b'0');
            *i += 1;
        }
        (*i - s >= min).then_some(n)
    };
    let expect = |i: &mut usize, c: u8| -> bool {
        if *i < b.len() && b[*i] == c {
            *i += 1;
            true
        } else {
            false
        }
    };
    let year = digits(&mut i, 4, 4).ok_or_else(fmt_err)?;
    if !expect(&mut i, b'-') { return Err(fmt_err()); }
    let month = digits(&mut i, 1, 2).ok_or_else(fmt_err)?;
    if !expect(&mut i, b'-') { return Err(fmt_err()); }
    let day = digits(&mut i, 1, 2).ok_or_else(fmt_err)?;
    let date = NaiveDate::from_ymd_opt(year as i32, month, day).filter(|_| year >= 1).ok_or_else(|| bad("no such date"))?;
    let (mut h, mut m, mut s, mut us, mut offset) = (0, 0, 0, 0, None);
    if i < b.len() {
        if !(expect(&mut i, b' ') || expect(&mut i, b'T')) { return Err(fmt_err()); }
        h = digits(&mut i, 1, 2).ok_or_else(fmt_err)?;
        if !expect(&mut i, b':') { return Err(fmt_err()); }
        m = digits(&mut i, 1, 2).ok_or_else(fmt_err)?;
        if !expect(&mut i, b':') { return Err(fmt_err()); }
        s = digits(&mut i, 1, 2).ok_or_else(fmt_err)?;
        if expect(&mut i, b'.') {
            let start = i;
            let frac = digits(&mut i, 1, 6).ok_or_else(fmt_err)?;
            us = frac * 10u32.pow(6 - (i - start) as u32);
        }
        if expect(&mut i, b'Z') {
            offset = Some(0);
        } else if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            let sign = if b[i] == b'-' { -1 } else { 1 };
            i += 1;
            let oh = digits(&mut i, 2, 2).ok_or_else(fmt_err)?;
            if !expect(&mut i, b':') { return Err(fmt_err()); }
            let om = digits(&mut i, 2, 2).ok_or_else(fmt_err)?;
            if oh > 23 || om > 59 { return Err(bad("offset out of range")); }
            offset = Some(sign * (oh as i32 * 3600 + om as i32 * 60));
        }
        if i != b.len() { return Err(fmt_err()); }
    }
    let time = chrono::NaiveTime::from_hms_micro_opt(h, m, s, us).ok_or_else(|| bad("no such time of day"))?;
    Ok(ParsedDateText { local: date.and_time(time), offset })
}

/// Days in `month` of `year` (Gregorian).
pub fn days_in_month(year: i32, month: u32) -> u32 {
    civil::days_in_month(i64::from(year), month)
}

/// Formats `t` in `zone` as Python's `%Y-%m-%d %H:%M:%S %Z` (what `print_jobs` and the
/// triggers' `str()` show).
pub fn format_in_zone(t: Timestamp, zone: Zone) -> String {
    let local = zone.to_local(t);
    let mut out = String::new();
    push_int(&mut out, i64::from(local.year()), 4, false);
    for (sep, n) in [('-', local.month()), ('-', local.day()), (' ', local.hour()), (':', local.minute()), (':', local.second())] {
        out.push(sep);
        push_int(&mut out, i64::from(n), 2, false);
    }
    out.push(' ');
    out.push_str(&zone.abbreviation_at(t));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse_rfc3339("t", s).unwrap()
    }

    #[test]
    fn zone_names_with_non_ascii_characters_are_refused_not_split() {
        for name in ["+1é4", "-é30", "+0é:3", "+05:3é", "+é", "+05é", "+٠٥:٣٠"] {
            assert_eq!(Zone::parse(name), Err(Error::UnknownTimezone { name: name.to_string() }), "{name}");
        }
        assert_eq!(Zone::parse("+0530"), Ok(Zone::Fixed(5 * 3600 + 30 * 60)));
        assert_eq!(Zone::parse("-05:30"), Ok(Zone::Fixed(-(5 * 3600 + 30 * 60))));
        assert_eq!(Zone::parse("+09"), Ok(Zone::Fixed(9 * 3600)));
        assert!(Zone::parse("+05:3").is_err());
        assert!(Zone::parse("+24:00").is_err());
        assert!(Zone::parse("+05:60").is_err());
    }

    #[test]
    fn date_text_with_non_ascii_characters_is_refused() {
        for text in ["2024-0é-01", "2024-01-01 1é:00:00", "２０２４-01-01", "2024-01-01 10:00:00.5é", "2024-01-01 10:00:00+0é:00"] {
            assert!(matches!(parse_date_text("run_date", text), Err(Error::InvalidArgument { .. })), "{text}");
        }
        let p = parse_date_text("run_date", "2024-3-9 7:05:01.25+05:30").unwrap();
        assert_eq!(p.local, NaiveDate::from_ymd_opt(2024, 3, 9).unwrap().and_hms_micro_opt(7, 5, 1, 250_000).unwrap());
        assert_eq!(p.offset, Some(5 * 3600 + 30 * 60));
        assert!(parse_date_text("run_date", "2024-01-01 10:00:00.1234567").is_err());
        assert!(parse_date_text("run_date", "02024-01-01").is_err());
    }

    #[test]
    fn gap_and_fold_follow_pep495() {
        let ny = Zone::parse("America/New_York").unwrap();
        let gap = NaiveDate::from_ymd_opt(2024, 3, 10).unwrap().and_hms_opt(2, 30, 0).unwrap();
        assert_eq!(ny.resolve_local(gap, false), ts("2024-03-10T07:30:00Z"));
        assert_eq!(ny.resolve_local(gap, true), ts("2024-03-10T06:30:00Z"));
        assert!(!ny.local_exists(gap));
        let fold = NaiveDate::from_ymd_opt(2024, 11, 3).unwrap().and_hms_opt(1, 30, 0).unwrap();
        assert_eq!(ny.resolve_local(fold, false), ts("2024-11-03T05:30:00Z"));
        assert_eq!(ny.resolve_local(fold, true), ts("2024-11-03T06:30:00Z"));
        assert!(ny.fold_at(ts("2024-11-03T06:30:00Z")));
        assert!(!ny.fold_at(ts("2024-11-03T05:30:00Z")));
    }

    #[test]
    fn segments_bound_constant_offsets() {
        let ny = Zone::parse("America/New_York").unwrap();
        let seg = ny.segment_at(ts("2024-06-01T00:00:00Z"));
        assert_eq!(seg.offset, -4 * 3600);
        assert_eq!(seg.start, Some(ts("2024-03-10T07:00:00Z")));
        assert_eq!(seg.end, Some(ts("2024-11-03T06:00:00Z")));
        let lh = Zone::parse("Australia/Lord_Howe").unwrap();
        let seg = lh.segment_at(ts("2024-07-01T00:00:00Z"));
        assert_eq!(seg.offset, 10 * 3600 + 1800);
    }

    #[test]
    fn date_text_is_strict() {
        let p = parse_date_text("run_date", "2024-3-5 7:08:09.5+05:30").unwrap();
        assert_eq!(p.offset, Some(5 * 3600 + 1800));
        assert_eq!(p.local.nanosecond(), 500_000_000);
        for bad in ["2024-02-30", "24-1-1", "2024-01-01 10:00", "2024-01-01x", "2024-01-01 25:00:00", "2024-01-01T00:00:00+5:00"] {
            assert!(parse_date_text("run_date", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn zone_names() {
        assert_eq!(Zone::parse("UTC").unwrap(), Zone::Utc);
        assert_eq!(Zone::parse("+05:30").unwrap(), Zone::Fixed(19800));
        assert_eq!(Zone::parse("-10:00").unwrap().name(), "-10:00");
        assert!(matches!(Zone::parse("Mars/Base"), Err(Error::UnknownTimezone { .. })));
        assert_eq!(format_in_zone(ts("2024-07-01T12:00:00Z"), Zone::parse("Europe/Berlin").unwrap()), "2024-07-01 14:00:00 CEST");
    }
}
