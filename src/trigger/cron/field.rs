//! Cron field expressions: parsing, validation and APScheduler's printed form.
//!
//! The grammar is APScheduler 3.11's, anchored at both ends (deviation `strict-parse`):
//! every comma-separated expression must match one of
//!
//! * `*`, `*/n`;
//! * `a`, `a-b`, `a-b/n`, `a/n` (numbers; `a/n` runs from `a` to the field maximum);
//! * month field: `jan`…`dec`, `jan-mar`, optionally followed by `/n` (honoured);
//! * day_of_week field: `mon`…`sun`, `mon-fri`, optionally followed by `/n` (honoured);
//! * day field: `last`, `1st`…`5th <weekday>`, `last <weekday>`.
//!
//! Names are case-insensitive. Validation follows APScheduler (step 0, step larger than
//! the range, first below the minimum, last above the maximum, first above last), but
//! every failure is an [`Error::InvalidArgument`] naming the field and the expression.

use std::fmt;

use crate::error::{Error, Result};
use crate::message_text::quoted;

/// Field names in APScheduler's order (most significant first).
pub(crate) const FIELD_NAMES: [&str; 8] = ["year", "month", "day", "week", "day_of_week", "hour", "minute", "second"];
/// Index of each field in [`FIELD_NAMES`].
pub(crate) const YEAR: usize = 0;
pub(crate) const MONTH: usize = 1;
pub(crate) const DAY: usize = 2;
pub(crate) const WEEK: usize = 3;
pub(crate) const DOW: usize = 4;
pub(crate) const HOUR: usize = 5;
pub(crate) const MINUTE: usize = 6;
pub(crate) const SECOND: usize = 7;
/// Smallest value of each field.
pub(crate) const MIN_VALUES: [u32; 8] = [1970, 1, 1, 1, 0, 0, 0, 0];
/// Largest value of each field (day: the longest month).
pub(crate) const MAX_VALUES: [u32; 8] = [9999, 12, 31, 53, 6, 23, 59, 59];
/// Value of an unset field to the right of the least significant given one (`None` = `*`).
pub(crate) const DEFAULT_VALUES: [Option<&str>; 8] = [None, Some("1"), Some("1"), None, None, Some("0"), Some("0"), Some("0")];

/// Month names, lower case (`jan` = 1).
pub(crate) const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
/// Weekday names, lower case, APScheduler numbering (`mon` = 0).
pub(crate) const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/// Day-field position words (`last` = 6).
const POSITIONS: [&str; 6] = ["1st", "2nd", "3rd", "4th", "5th", "last"];

/// Which names a range was written with (for printing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Names {
    /// `jan`…`dec`.
    Month,
    /// `mon`…`sun`.
    Weekday,
}

/// One parsed expression of a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Expr {
    /// `*` or `*/step`: every value from the field minimum, by `step`.
    All { step: Option<u32> },
    /// `first[-last][/step]`; `last = None` runs to the field maximum.
    Range { first: u32, last: Option<u32>, step: Option<u32>, names: Option<Names> },
    /// `last`: the last day of the month (day field).
    LastDay,
    /// `<nth> <weekday>`: `nth` 1–5, or 6 for `last` (day field); `weekday` 0 = Monday.
    Nth { nth: u8, weekday: u8 },
}

impl fmt::Display for Expr {
    /// APScheduler's `str()` of the expression.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::All { step: Some(s) } => write!(f, "*/{s}"),
            Expr::All { step: None } => f.write_str("*"),
            Expr::Range { first, last, step, names } => {
                let name = |v: u32| -> String {
                    match names {
                        Some(Names::Month) => MONTHS.get(v as usize - 1).copied().unwrap_or("?").to_string(),
                        Some(Names::Weekday) => WEEKDAYS.get(v as usize).copied().unwrap_or("?").to_string(),
                        None => v.to_string(),
                    }
                };
                match last {
                    Some(l) if l != first => write!(f, "{}-{}", name(*first), name(*l))?,
                    _ => f.write_str(&name(*first))?,
                }
                if let Some(s) = step {
                    write!(f, "/{s}")?;
                }
                Ok(())
            }
            Expr::LastDay => f.write_str("last"),
            Expr::Nth { nth, weekday } => {
                write!(f, "{} {}", POSITIONS[(*nth as usize - 1).min(5)], WEEKDAYS[(*weekday as usize).min(6)])
            }
        }
    }
}

/// A parsed field: its expressions and whether it was given (non-default).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Field {
    /// The expressions of the comma list, in order.
    pub exprs: Vec<Expr>,
    /// `false` for a field filled in by the defaults rule.
    pub given: bool,
}

impl fmt::Display for Field {
    /// APScheduler's `str()` of a field: the expressions joined by `,`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.exprs.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// Parses a whole field (`idx` into [`FIELD_NAMES`]): trims it, splits it on commas (with
/// optional spaces around them) and parses every expression.
pub(crate) fn parse_field(idx: usize, text: &str, given: bool) -> Result<Field> {
    let name = FIELD_NAMES[idx];
    let trimmed = text.trim();
    let mut exprs = Vec::new();
    for part in trimmed.split(',') {
        let part = part.trim_matches(' ');
        exprs.push(parse_expr(idx, part).map_err(|reason| Error::invalid(name, part, reason))?);
    }
    Ok(Field { exprs, given })
}

/// Parses one expression of field `idx`; the error is the reason text.
pub(crate) fn parse_expr(idx: usize, s: &str) -> std::result::Result<Expr, String> {
    let lower = s.to_ascii_lowercase();
    let s = lower.as_str();
    let (min, max) = (MIN_VALUES[idx], MAX_VALUES[idx]);
    if let Some(rest) = s.strip_prefix('*') {
        let step = match rest.strip_prefix('/') {
            None if rest.is_empty() => None,
            None => return Err(unrecognized()),
            Some(st) => Some(parse_step(st).ok_or_else(unrecognized)?),
        };
        check_step(step, max - min)?;
        return Ok(Expr::All { step });
    }
    if idx == DAY {
        if s == "last" {
            return Ok(Expr::LastDay);
        }
        if let Some(e) = parse_position(s)? {
            return Ok(e);
        }
    }
    let (body, step) = match s.split_once('/') {
        Some((b, st)) => (b, Some(parse_step(st).ok_or_else(unrecognized)?)),
        None => (s, None),
    };
    let (first_t, last_t) = match body.split_once('-') {
        Some((a, b)) => (a, Some(b)),
        None => (body, None),
    };
    let names = if is_digits(first_t) && last_t.map_or(true, is_digits) {
        None
    } else if is_letters(first_t) && last_t.map_or(true, is_letters) && (idx == MONTH || idx == DOW) {
        Some(if idx == MONTH { Names::Month } else { Names::Weekday })
    } else {
        return Err(unrecognized());
    };
    let value = |t: &str| -> std::result::Result<u32, String> {
        match names {
            None => t.parse::<u32>().map_err(|_| format!("the value {t} is out of range")),
            Some(Names::Month) => MONTHS
                .iter()
                .position(|m| *m == t)
                .map(|p| p as u32 + 1)
                .ok_or_else(|| format!("invalid month name {}", quoted(t))),
            Some(Names::Weekday) => WEEKDAYS
                .iter()
                .position(|m| *m == t)
                .map(|p| p as u32)
                .ok_or_else(|| format!("invalid weekday name {}", quoted(t))),
        }
    };
    let first = value(first_t)?;
    let mut last = last_t.map(value).transpose()?;
    if last.is_none() && step.is_none() {
        last = Some(first);
    }
    if let Some(l) = last {
        if first > l {
            return Err("the minimum value in a range must not be higher than the maximum".to_string());
        }
    }
    check_step(step, 0)?;
    if first < min {
        return Err(format!("the first value ({first}) is lower than the minimum value ({min})"));
    }
    if let Some(l) = last {
        if l > max {
            return Err(format!("the last value ({l}) is higher than the maximum value ({max})"));
        }
    }
    // APScheduler: `(self.last or MAX) - self.first` (a last of 0 counts as absent)
    let span = last.filter(|&l| l != 0).unwrap_or(max).saturating_sub(first);
    if let Some(st) = step {
        if st > span {
            return Err(format!("the step value ({st}) is higher than the total range of the expression ({span})"));
        }
    }
    Ok(Expr::Range { first, last, step, names })
}

fn unrecognized() -> String {
    "unrecognized expression".to_string()
}

fn is_digits(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
}

fn is_letters(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_lowercase())
}

/// A `/step` number (digits only).
fn parse_step(t: &str) -> Option<u32> {
    if !is_digits(t) {
        return None;
    }
    // Huge steps are always larger than any range: saturate instead of failing to parse.
    Some(t.parse::<u32>().unwrap_or(u32::MAX))
}

/// APScheduler's step checks: 0 is refused; above `span` is refused (when `span > 0`).
fn check_step(step: Option<u32>, span: u32) -> std::result::Result<(), String> {
    match step {
        Some(0) => Err("the step must be higher than 0".to_string()),
        Some(s) if span > 0 && s > span => {
            Err(format!("the step value ({s}) is higher than the total range of the expression ({span})"))
        }
        _ => Ok(()),
    }
}

/// `1st`…`5th`/`last` followed by spaces and a weekday name; `Ok(None)` if `s` does not
/// start with a position word and a space.
fn parse_position(s: &str) -> std::result::Result<Option<Expr>, String> {
    let Some((pos, rest)) = s.split_once(' ') else { return Ok(None) };
    let Some(p) = POSITIONS.iter().position(|x| *x == pos) else { return Ok(None) };
    let day = rest.trim_start_matches(' ');
    match WEEKDAYS.iter().position(|w| *w == day) {
        Some(w) => Ok(Some(Expr::Nth { nth: p as u8 + 1, weekday: w as u8 })),
        None if !day.is_empty() && day.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => {
            Err(format!("invalid weekday name {}", quoted(day)))
        }
        None => Err(unrecognized()),
    }
}

/// The set of values (bit `v` for value `v`) that the expressions allow within
/// `[min, max]`; `LastDay`/`Nth` are not part of it (they depend on the month).
pub(crate) fn value_bits(idx: usize, exprs: &[Expr]) -> u64 {
    let (min, max) = (MIN_VALUES[idx], MAX_VALUES[idx]);
    let mut bits = 0u64;
    for e in exprs {
        let (lo, hi, step) = match *e {
            Expr::All { step } => (min, max, step.unwrap_or(1)),
            Expr::Range { first, last, step, .. } => (first.max(min), last.unwrap_or(max).min(max), step.unwrap_or(1)),
            Expr::LastDay | Expr::Nth { .. } => continue,
        };
        let mut v = lo;
        while v <= hi && v < 64 {
            bits |= 1 << v;
            v = match v.checked_add(step.max(1)) {
                Some(n) => n,
                None => break,
            };
        }
    }
    bits
}

/// The smallest year `>= y` the year expressions allow (APScheduler's `get_next_value`).
pub(crate) fn next_year(exprs: &[Expr], y: i64) -> Option<i64> {
    let (min, max) = (MIN_VALUES[YEAR] as i64, MAX_VALUES[YEAR] as i64);
    let mut best: Option<i64> = None;
    for e in exprs {
        let (lo, hi, step) = match *e {
            Expr::All { step } => (min, max, step),
            Expr::Range { first, last, step, .. } => {
                (min.max(first as i64), last.map_or(max, |l| max.min(l as i64)), step)
            }
            _ => continue,
        };
        let mut v = lo.max(y);
        if let Some(s) = step {
            let s = s as i64;
            v += (s - (v - lo) % s) % s;
        }
        if v <= hi && best.map_or(true, |b| v < b) {
            best = Some(v);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(idx: usize, s: &str) -> std::result::Result<String, String> {
        parse_field(idx, s, true).map(|f| f.to_string()).map_err(|e| e.to_string())
    }

    #[test]
    fn prints_like_apscheduler() {
        assert_eq!(p(DAY, "1-2, 4-7").unwrap(), "1-2,4-7");
        assert_eq!(p(MONTH, "FEB-Dec").unwrap(), "feb-dec");
        assert_eq!(p(DAY, "4th WED").unwrap(), "4th wed");
        assert_eq!(p(DAY, "last").unwrap(), "last");
        assert_eq!(p(YEAR, "2009/2").unwrap(), "2009/2");
        assert_eq!(p(HOUR, "5-5").unwrap(), "5");
        assert_eq!(p(DOW, "mon-fri/2").unwrap(), "mon-fri/2");
        assert_eq!(p(MINUTE, " */5 ").unwrap(), "*/5");
    }

    #[test]
    fn refuses_what_apscheduler_refuses_and_trailing_text() {
        for (idx, bad) in [
            (DAY, "*/31"), (DAY, "4-6/3"), (HOUR, "0-24"), (DAY, "0-3"), (YEAR, "2009-fault"), (DOW, "sun-mon"),
            (DAY, "2nd 1"), (DAY, "lastly"), (DAY, "last-fri"), (DAY, "2nd mon-fri"), (DOW, "mon#2"), (MINUTE, "*/0"),
            (MONTH, "foo"), (HOUR, "mon"), (MINUTE, ""), (MINUTE, "1,"), (SECOND, "5/0"), (DOW, "7"),
        ] {
            assert!(p(idx, bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn bits_follow_the_step_origin() {
        let f = parse_field(DAY, "*/10", true).unwrap();
        assert_eq!(value_bits(DAY, &f.exprs), (1 << 1) | (1 << 11) | (1 << 21) | (1 << 31));
        let f = parse_field(DOW, "mon/2", true).unwrap();
        assert_eq!(value_bits(DOW, &f.exprs), 0b1010101);
        let f = parse_field(YEAR, "2009/2", true).unwrap();
        assert_eq!(next_year(&f.exprs, 2010), Some(2011));
        assert_eq!(next_year(&f.exprs, 1900), Some(2009));
    }
}
