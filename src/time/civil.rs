//! Integer calendar arithmetic (proleptic Gregorian, no allocation), shared by the cron
//! engines and the zone database.
//!
//! Wall-clock times are handled as *wall seconds*: seconds since 1970-01-01 00:00:00 of the
//! local calendar, i.e. the wall time read as if it were UTC. Days are counted the same way.

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;

/// Days since 1970-01-01 of the date `y-m-d` (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `(year, month, day)` of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

/// Weekday of a day count, 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday).
pub(crate) fn weekday(days: i64) -> u32 {
    (days + 3).rem_euclid(7) as u32
}

/// Whether `y` is a Gregorian leap year.
pub(crate) fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in month `m` of year `y`.
pub(crate) fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Number of ISO weeks (52 or 53) in ISO year `y`.
fn iso_weeks_in_year(y: i64) -> u32 {
    let jan1 = weekday(days_from_civil(y, 1, 1));
    if jan1 == 3 || (jan1 == 2 && is_leap(y)) {
        53
    } else {
        52
    }
}

/// The ISO week number (1–53) of `y-m-d`, as Python's `isocalendar()[1]`.
pub(crate) fn iso_week(y: i64, m: u32, d: u32) -> u32 {
    let days = days_from_civil(y, m, d);
    let ordinal = days - days_from_civil(y, 1, 1) + 1;
    let wd = weekday(days) as i64 + 1;
    let w = (ordinal - wd + 10) / 7;
    if w < 1 {
        iso_weeks_in_year(y - 1)
    } else if w as u32 > iso_weeks_in_year(y) {
        1
    } else {
        w as u32
    }
}

/// Splits wall seconds into `(days, hour, minute, second)`.
pub(crate) fn split_wall(wall: i64) -> (i64, u32, u32, u32) {
    let days = wall.div_euclid(DAY);
    let tod = wall.rem_euclid(DAY) as u32;
    (days, tod / 3600, tod % 3600 / 60, tod % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, NaiveDate};

    #[test]
    fn every_day_of_0001_to_9999_matches_chrono() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        let mut date = NaiveDate::from_ymd_opt(1, 1, 1).unwrap();
        let end = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
        while date <= end {
            let days = (date - epoch).num_days();
            assert_eq!(days_from_civil(date.year() as i64, date.month(), date.day()), days, "{date}");
            assert_eq!(civil_from_days(days), (date.year() as i64, date.month(), date.day()), "{date}");
            date = date.succ_opt().unwrap();
        }
        // A day past the month's end runs on into the next month.
        assert_eq!(days_from_civil(2024, 2, 30), days_from_civil(2024, 3, 1));
    }

    #[test]
    fn civil_round_trips_and_matches_chrono() {
        for days in (-800_000..3_000_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
            let nd = NaiveDate::from_ymd_opt(y as i32, m, d).unwrap();
            assert_eq!(nd.weekday().num_days_from_monday(), weekday(days));
            assert_eq!(nd.iso_week().week(), iso_week(y, m, d), "{nd}");
            assert_eq!(days_in_month(y, m), NaiveDate::from_ymd_opt(y as i32, m, 1).unwrap().with_day(days_in_month(y, m)).unwrap().day());
        }
    }
}
