//! Integer calendar arithmetic (proleptic Gregorian, no allocation) for the cron engines.
//! The basics (days from and to dates, weekdays, month lengths) live in the zone table's
//! crate, `tickwerk_tzdb::civil`, shared with its reader and generator, and are re-exported
//! here; the ISO weeks and wall-second splitting are the cron engines' own.
//!
//! Wall-clock times are handled as *wall seconds*: seconds since 1970-01-01 00:00:00 of the
//! local calendar, i.e. the wall time read as if it were UTC. Days are counted the same way.

pub(crate) use tickwerk_tzdb::civil::{civil_from_days, days_from_civil, days_in_month, is_leap, weekday, DAY};

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
