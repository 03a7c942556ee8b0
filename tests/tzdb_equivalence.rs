//! tickwerk's compact zone database (the `tickwerk-tzdb` crate) against `chrono-tz`: the
//! committed table must be what the generator makes from the IANA release chrono-tz
//! bundles, and every zone must agree with chrono-tz.
//!
//! For every zone chrono-tz knows, offsets and abbreviations must agree:
//! * at every offset change of ours from 1900 to 2099, one second before, at and after;
//! * at every change chrono-tz shows at a weekly sampling of 1900–2099 (found by
//!   bisecting chrono-tz itself), one second before, at and after;
//! * at those weekly samples and at pseudo-random instants from 1800 to 2099.
//!
//! From 2100 on chrono-tz holds each zone's last offset, while the database continues the
//! zone's yearly rule forever, as Python's `zoneinfo` does (the intended difference). There
//! the check is that a zone with a rule, at an instant of year Y, has the offset chrono-tz
//! has at the same wall moment of the year in 2072–2099 with Y's calendar (same weekday of
//! 1 January, same leap year), and that a zone without one has chrono-tz's last offset.

use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeZone};
use chrono_tz::{OffsetName, Tz, TZ_VARIANTS};
use tickwerk::time::{Timestamp, Zone};

const DAY: i64 = 86_400;

fn secs_of(y: i32, m: u32, d: u32) -> i64 {
    NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp()
}

/// chrono-tz's offset and abbreviation (Python's `%Z`: an offset without a name prints as
/// `+0530`) at second `s`.
fn chrono_at(tz: Tz, s: i64) -> (i32, String) {
    let off = tz.offset_from_utc_datetime(&DateTime::from_timestamp(s, 0).unwrap().naive_utc());
    let secs = off.fix().local_minus_utc();
    let abbr = off.abbreviation().map(str::to_string).unwrap_or_else(|| {
        let sign = if secs < 0 { '-' } else { '+' };
        let a = secs.unsigned_abs();
        if a % 60 != 0 {
            format!("{sign}{:02}{:02}{:02}", a / 3600, a % 3600 / 60, a % 60)
        } else {
            format!("{sign}{:02}{:02}", a / 3600, a % 3600 / 60)
        }
    });
    (secs, abbr)
}

fn ours_at(zone: Zone, s: i64) -> (i32, String) {
    let t = Timestamp::from_secs(s);
    (zone.offset_at(t), zone.abbreviation_at(t))
}

/// A small deterministic generator (xorshift).
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn the_committed_table_is_what_the_generator_makes_from_chrono_tzs_release() {
    assert_eq!(
        tickwerk_tzdb::IANA_VERSION,
        chrono_tz::IANA_TZDB_VERSION,
        "the table's IANA release differs from chrono-tz's: update chrono-tz to a release with the same data (README, Time zone data)"
    );
    let dir = tickwerk_tzdb_gen::chrono_tz_sources().unwrap();
    let generated = tickwerk_tzdb_gen::generate(&dir).unwrap();
    assert_eq!(generated.version, chrono_tz::IANA_TZDB_VERSION);
    assert!(
        generated.blob == tickwerk_tzdb::BLOB,
        "crates/tickwerk-tzdb/src/tzdb.bin is not what `cargo run -p tickwerk-tzdb-gen --release` makes from {}",
        dir.display()
    );
}

#[test]
fn every_zone_name_parses_back() {
    for tz in TZ_VARIANTS.iter() {
        let zone = Zone::parse(tz.name()).unwrap_or_else(|e| panic!("{}: {e}", tz.name()));
        // "UTC" itself is Zone::Utc; everything else keeps its exact IANA name.
        if tz.name() != "UTC" {
            assert_eq!(zone.name(), tz.name());
            assert!(matches!(zone, Zone::Named(_)));
        }
        let json = serde_json::to_string(&zone).unwrap();
        assert_eq!(serde_json::from_str::<Zone>(&json).unwrap(), zone);
    }
    assert_eq!(tickwerk::time::ZoneId::all().count(), TZ_VARIANTS.len());
    for bad in ["us/eastern", "Europe/Berlin ", "Mars/Base", "", "Europe/"] {
        assert!(Zone::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(Zone::parse("US/Eastern").unwrap().name(), "US/Eastern");
}

#[test]
fn offsets_and_abbreviations_match_chrono_tz_through_2099() {
    let (from, until) = (secs_of(1900, 1, 1), secs_of(2100, 1, 1));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut checked = 0u64;
    for tz in TZ_VARIANTS.iter().copied() {
        let zone = Zone::parse(tz.name()).unwrap();
        let mut check = |s: i64| {
            assert_eq!(ours_at(zone, s), chrono_at(tz, s), "{} at {}", tz.name(), Timestamp::from_secs(s));
            checked += 1;
        };
        // Our changes, ±1 s.
        let transitions = zone.transitions();
        let mut s = from;
        while let Some(end) = transitions.segment_at(Timestamp::from_secs(s)).end {
            let e = end.secs_floor();
            if e >= until {
                break;
            }
            for d in [-1, 0, 1] {
                check(e + d);
            }
            s = e;
        }
        // chrono-tz's changes seen at weekly sampling, ±1 s, and the samples themselves.
        let mut prev = chrono_at(tz, from);
        let mut t = from;
        while t < until {
            let next = t + 7 * DAY;
            let now = chrono_at(tz, next.min(until));
            check(t);
            if now != prev {
                let (mut lo, mut hi) = (t, next.min(until));
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if chrono_at(tz, mid) == prev { lo = mid } else { hi = mid }
                }
                for d in [-1, 0, 1] {
                    check(hi + d);
                }
            }
            prev = now;
            t = next;
        }
        // Pseudo-random instants 1800–2099.
        let span = (until - secs_of(1800, 1, 1)) as u64;
        for _ in 0..300 {
            check(secs_of(1800, 1, 1) + rng.below(span) as i64);
        }
    }
    assert!(checked > 5_000_000, "only {checked} checks");
}

/// The latest year of 2072–2099 with `year`'s calendar.
fn twin_year(year: i32) -> i32 {
    let leap = |y: i32| NaiveDate::from_ymd_opt(y, 2, 29).is_some();
    let jan1 = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).unwrap().weekday();
    (2072..2100).rev().find(|&y| leap(y) == leap(year) && jan1(y) == jan1(year)).unwrap()
}

/// Whether chrono-tz shows `tz` changing offset exactly twice in `year` (sampled weekly;
/// Gaza's data, for one, has extra Ramadan changes until 2086, which no yearly rule has).
fn two_changes(tz: Tz, year: i32) -> bool {
    let (from, until) = (secs_of(year, 1, 1), secs_of(year + 1, 1, 1));
    let samples: Vec<i32> = (from..=until).step_by(7 * DAY as usize).map(|s| chrono_at(tz, s).0).collect();
    samples.windows(2).filter(|w| w[0] != w[1]).count() == 2
}

#[test]
fn after_2099_the_yearly_rule_continues() {
    let (from, until) = (secs_of(2100, 1, 1), secs_of(2500, 1, 1));
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let (mut with_rule, mut without, mut compared, mut irregular_twin) = (0, 0, 0, 0);
    for tz in TZ_VARIANTS.iter().copied() {
        let zone = Zone::parse(tz.name()).unwrap();
        let last = chrono_at(tz, secs_of(2099, 12, 31));
        // A zone observing DST in 2099 keeps changing; one that does not is constant.
        let has_rule = chrono_at(tz, secs_of(2099, 7, 1)).0 != chrono_at(tz, secs_of(2099, 1, 1)).0;
        for _ in 0..400 {
            let s = from + rng.below((until - from) as u64) as i64;
            let ours = ours_at(zone, s);
            if has_rule {
                let date = DateTime::from_timestamp(s, 0).unwrap().date_naive();
                let twin = twin_year(date.year());
                if !two_changes(tz, twin) {
                    irregular_twin += 1;
                    continue;
                }
                let shift = secs_of(date.year(), 1, 1) - secs_of(twin, 1, 1);
                assert_eq!(ours, chrono_at(tz, s - shift), "{} at {}", tz.name(), Timestamp::from_secs(s));
            } else {
                assert_eq!(ours, last, "{} at {}", tz.name(), Timestamp::from_secs(s));
            }
            compared += 1;
        }
        if has_rule { with_rule += 1 } else { without += 1 }
    }
    assert!(with_rule > 100 && without > 300, "{with_rule} with a rule, {without} without");
    assert!(irregular_twin * 100 < compared, "{irregular_twin} skipped of {compared}");
}

#[test]
fn far_future_and_far_past_segments() {
    let ny = Zone::parse("America/New_York").unwrap();
    // 2999: second Sunday of March (the 10th) at 02:00 EST, first Sunday of November (the 3rd) at 02:00 EDT.
    let seg = ny.segment_at(Timestamp::from_secs(secs_of(2999, 6, 1)));
    assert_eq!(seg.offset, -4 * 3600);
    assert_eq!(seg.start, Some(Timestamp::from_secs(secs_of(2999, 3, 10) + 7 * 3600)));
    assert_eq!(seg.end, Some(Timestamp::from_secs(secs_of(2999, 11, 3) + 6 * 3600)));
    let syd = Zone::parse("Australia/Sydney").unwrap();
    let seg = syd.segment_at(Timestamp::from_secs(secs_of(9999, 12, 31)));
    assert_eq!(seg.offset, 11 * 3600);
    assert_eq!(ny.transitions().offset_range(), (-5 * 3600, -4 * 3600));
    // Before any change: local mean time, as chrono-tz has it.
    let early = secs_of(1000, 1, 1);
    assert_eq!(ours_at(ny, early), chrono_at(chrono_tz::America::New_York, early));
    assert!(ny.segment_at(Timestamp::from_secs(early)).start.is_none());
}
