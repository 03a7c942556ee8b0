//! ISO 8601 text for civil dates and times (`2024-03-10`, `07:30:00`,
//! `2024-03-10T07:30:00.5`), written with plain integer formatting.
//!
//! These produce exactly what chrono's `format("%Y-%m-%d")`, `format("%H:%M:%S")` and
//! `format("%Y-%m-%dT%H:%M:%S%.f")` produce, without pulling chrono's strftime machinery
//! (its item parser and formatter, ~14 KB of wasm code) into the package.

use std::fmt;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use crate::message_text::push_int;

/// `%Y-%m-%d`: a four-digit year (sign and more digits outside 0000-9999, as chrono does).
pub struct IsoDate(pub NaiveDate);

/// `%H:%M:%S`: hour, minute and second, two digits each (fractions are not shown).
pub struct IsoTime(pub NaiveTime);

/// `%Y-%m-%dT%H:%M:%S%.f`: date, `T`, time, then the fraction of a second with 3, 6 or 9
/// digits (the fewest that show it exactly) and nothing when it is zero.
pub struct IsoDateTime(pub NaiveDateTime);

impl IsoDate {
    /// Appends the text to `out`.
    pub fn write(&self, out: &mut String) {
        let year = self.0.year();
        push_int(out, i64::from(year), if (0..=9999).contains(&year) { 4 } else { 5 }, !(0..=9999).contains(&year));
        out.push('-');
        push_int(out, i64::from(self.0.month()), 2, false);
        out.push('-');
        push_int(out, i64::from(self.0.day()), 2, false);
    }
}

impl IsoTime {
    /// Appends the text to `out`.
    pub fn write(&self, out: &mut String) {
        // A leap second (nanosecond >= 1e9) shows as second 60, as chrono does.
        let second = self.0.second() + u32::from(self.0.nanosecond() >= 1_000_000_000);
        for (i, n) in [self.0.hour(), self.0.minute(), second].into_iter().enumerate() {
            if i > 0 {
                out.push(':');
            }
            push_int(out, i64::from(n), 2, false);
        }
    }
}

impl IsoDateTime {
    /// Appends the text to `out`.
    pub fn write(&self, out: &mut String) {
        IsoDate(self.0.date()).write(out);
        out.push('T');
        IsoTime(self.0.time()).write(out);
        let nanos = self.0.nanosecond() % 1_000_000_000;
        let (fraction, digits) = if nanos % 1_000_000 == 0 {
            (nanos / 1_000_000, 3)
        } else if nanos % 1_000 == 0 {
            (nanos / 1_000, 6)
        } else {
            (nanos, 9)
        };
        if nanos != 0 {
            out.push('.');
            push_int(out, i64::from(fraction), digits, false);
        }
    }
}

/// `Display` by the types' `write` (no formatter code per field).
macro_rules! display_by_write {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut out = String::new();
                self.write(&mut out);
                f.write_str(&out)
            }
        }
    )*};
}

display_by_write!(IsoDate, IsoTime, IsoDateTime);

#[cfg(test)]
mod tests {
    use super::*;

    /// Dates across the whole supported range and its edges, each with several times of day.
    fn samples() -> Vec<NaiveDateTime> {
        let mut out = Vec::new();
        let years = [-12345, -1, 0, 1, 9, 99, 999, 1000, 1970, 2024, 9999, 10000, 123456];
        let nanos = [0, 1, 999, 1_000, 500_000, 1_000_000, 123_000_000, 123_456_000, 123_456_789, 999_999_999, 1_500_000_000];
        for (i, &y) in years.iter().enumerate() {
            for &(m, d) in &[(1, 1), (2, 29), (12, 31), (7, 4)] {
                let Some(date) = NaiveDate::from_ymd_opt(y, m, d) else { continue };
                for (j, &n) in nanos.iter().enumerate() {
                    let (h, mi, s) = ((i + j) as u32 % 24, (j * 7) as u32 % 60, if n >= 1_000_000_000 { 59 } else { (i * 11) as u32 % 60 });
                    if let Some(t) = NaiveTime::from_hms_nano_opt(h, mi, s, n) {
                        out.push(date.and_time(t));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn matches_chrono_strftime() {
        let samples = samples();
        assert!(samples.len() > 300, "{}", samples.len());
        for n in samples {
            assert_eq!(IsoDate(n.date()).to_string(), n.format("%Y-%m-%d").to_string(), "{n:?}");
            assert_eq!(IsoTime(n.time()).to_string(), n.format("%H:%M:%S").to_string(), "{n:?}");
            assert_eq!(IsoDateTime(n).to_string(), n.format("%Y-%m-%dT%H:%M:%S%.f").to_string(), "{n:?}");
        }
    }

    #[test]
    fn known_texts() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 10).unwrap();
        assert_eq!(IsoDate(d).to_string(), "2024-03-10");
        assert_eq!(IsoDateTime(d.and_hms_micro_opt(7, 5, 0, 500_000).unwrap()).to_string(), "2024-03-10T07:05:00.500");
        assert_eq!(IsoDateTime(d.and_hms_micro_opt(7, 5, 0, 1).unwrap()).to_string(), "2024-03-10T07:05:00.000001");
        assert_eq!(IsoDateTime(d.and_hms_opt(23, 59, 59).unwrap()).to_string(), "2024-03-10T23:59:59");
        assert_eq!(IsoDate(NaiveDate::from_ymd_opt(12, 1, 2).unwrap()).to_string(), "0012-01-02");
    }
}
