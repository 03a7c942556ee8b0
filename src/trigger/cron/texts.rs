//! The texts a cron trigger keeps for [`CronTrigger::fields`](super::CronTrigger::fields),
//! `crontab()`, `str()` and `repr()`, packed into one allocation: the given field texts, the
//! crontab line and the `str()` text, one after the other, with their end offsets.

use super::CronFields;
use crate::error::{Error, Result};

/// Index of the crontab line among the parts (after the eight fields).
const CRONTAB: usize = 8;
/// Index of the `str()` text.
const DISPLAY: usize = 9;

/// Field texts, crontab line and `str()` of one trigger.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Texts {
    /// Every present part, concatenated.
    all: Box<str>,
    /// End offset in `all` of each part (year … second, crontab, display).
    ends: [u32; 10],
    /// Bit `i`: part `i` is present (an absent part has an empty range).
    present: u16,
}

impl Texts {
    /// Packs the given fields, the crontab line (if any) and the `str()` text.
    pub fn new(fields: &CronFields, crontab: Option<&str>, display: &str) -> Result<Texts> {
        let mut parts: [Option<&str>; 10] = [None; 10];
        parts[..8].copy_from_slice(&fields.in_order());
        parts[CRONTAB] = crontab;
        parts[DISPLAY] = Some(display);
        let mut all = String::with_capacity(parts.iter().flatten().map(|p| p.len()).sum());
        let (mut ends, mut present) = ([0u32; 10], 0u16);
        for (i, part) in parts.iter().enumerate() {
            if let Some(p) = part {
                all.push_str(p);
                present |= 1 << i;
            }
            ends[i] = u32::try_from(all.len()).map_err(|_| Error::invalid("fields", all.len(), "the expressions are too long"))?;
        }
        Ok(Texts { all: all.into_boxed_str(), ends, present })
    }

    /// Part `i`, if present.
    fn part(&self, i: usize) -> Option<&str> {
        if self.present & (1 << i) == 0 {
            return None;
        }
        let start = if i == 0 { 0 } else { *self.ends.get(i - 1)? as usize };
        self.all.get(start..*self.ends.get(i)? as usize)
    }

    /// The fields as given.
    pub fn fields(&self) -> CronFields {
        let f = |i: usize| self.part(i).map(str::to_string);
        CronFields {
            year: f(0),
            month: f(1),
            day: f(2),
            week: f(3),
            day_of_week: f(4),
            hour: f(5),
            minute: f(6),
            second: f(7),
        }
    }

    /// The crontab line, for a trigger built from one.
    pub fn crontab(&self) -> Option<&str> {
        self.part(CRONTAB)
    }

    /// `str()`.
    pub fn display(&self) -> &str {
        self.part(DISPLAY).unwrap_or_default()
    }

    /// The `name='expr'` list of `repr()`: `str()` without its `cron[…]` wrapper (an OR of
    /// crontab terms stays whole).
    pub fn field_list(&self) -> &str {
        let d = self.display();
        d.strip_prefix("cron[").and_then(|s| s.strip_suffix(']')).unwrap_or(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_round_trip_with_absent_and_empty_ones() {
        let fields = CronFields { month: Some("6-8".into()), hour: Some(String::new()), second: Some("*/5".into()), ..CronFields::default() };
        let t = Texts::new(&fields, None, "cron[month='6-8', second='*/5']").unwrap();
        assert_eq!(t.fields(), fields);
        assert_eq!(t.crontab(), None);
        assert_eq!(t.field_list(), "month='6-8', second='*/5'");
        let t = Texts::new(&CronFields::default(), Some("0 0 1 * 1"), "or[cron[a], cron[b]]").unwrap();
        assert_eq!(t.fields(), CronFields::default());
        assert_eq!(t.crontab(), Some("0 0 1 * 1"));
        assert_eq!(t.display(), "or[cron[a], cron[b]]");
        assert_eq!(t.field_list(), "or[cron[a], cron[b]]");
    }
}
