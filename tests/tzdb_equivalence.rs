//! tickwerk's compact zone database (the `tickwerk-tzdb` crate) against `chrono-tz`: the
//! committed table must be what the generator makes from the IANA release chrono-tz
//! bundles, and every zone must agree with chrono-tz.
//!
//! For every zone chrono-tz knows, offsets and abbreviations must agree:
//! * at every offset change of ours from 1900 to 2099, one second before, at and after;
//! * at every change chrono-tz shows at a weekly sampling of 1900–2099 (found by
//!   bisecting chrono-tz itself), one second before, at and after;
//! * at those weekly samples;
//! * at generated instants from 1800 to 2099 (`proptest`, 300 instants, each in every
//!   zone; a quarter within a day of a month's start), shrinking to the earliest failing
//!   instant found.
//!
//! From 2100 on chrono-tz holds each zone's last offset, while the database continues the
//! zone's yearly rule forever, as Python's `zoneinfo` does (the intended difference). There
//! the check, at 400 generated instants of 2100–2499 in every zone, is that a zone with a
//! rule, at an instant of year Y, has the offset chrono-tz has at the same wall moment of the
//! year in 2072–2099 with Y's calendar (same weekday of 1 January, same leap year), and that
//! a zone without one has chrono-tz's last offset.
//!
//! Run settings (fixed seeds, `PROPTEST_CASES`, `PROPTEST_RNG_SEED`, seeds files):
//! `tests/property_runner/mod.rs`.

mod property_runner;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Offset, TimeZone};
use chrono_tz::{OffsetName, Tz, TZ_VARIANTS};
use property_runner::Property;
use proptest::prelude::*;
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

/// Whole seconds in `[first_year, last_year]`: uniform (shrinking toward the start), or
/// within a day of a month's start, where most offset changes of the past fall.
fn second_in_years(first_year: i32, last_year: i32) -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => secs_of(first_year, 1, 1)..secs_of(last_year + 1, 1, 1),
        1 => (first_year..=last_year, 1..=12u32, -DAY..DAY).prop_map(|(y, m, d)| secs_of(y, m, 1) + d),
    ]
}

/// `s` as an instant with its UTC text (the shrunk input of a failure).
#[derive(Clone, Copy)]
struct Second(i64);

impl std::fmt::Debug for Second {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.0, Timestamp::from_secs(self.0))
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
    }
    assert!(checked > 5_000_000, "only {checked} checks");
}

#[test]
fn generated_instants_match_chrono_tz_in_every_zone() {
    let property = Property { regressions: "proptest-regressions/tzdb_equivalence/instants_1800_2099.txt", cases: 300, seed: 0x9e37_79b9_7f4a_7c15 };
    let zones: Vec<(Tz, Zone)> = TZ_VARIANTS.iter().map(|&tz| (tz, Zone::parse(tz.name()).unwrap())).collect();
    property.check(second_in_years(1800, 2099).prop_map(Second), |Second(s)| {
        for &(tz, zone) in &zones {
            prop_assert_eq!(ours_at(zone, s), chrono_at(tz, s), "{} at {}", tz.name(), Timestamp::from_secs(s));
        }
        Ok(())
    });
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
    let property = Property { regressions: "proptest-regressions/tzdb_equivalence/yearly_rule_after_2099.txt", cases: 400, seed: 0x2545_f491_4f6c_dd1d };
    // Per zone: chrono-tz's offset at the end of 2099, and whether it still observes DST
    // then (a zone that does keeps changing; one that does not is constant).
    let zones: Vec<(Tz, Zone, (i32, String), bool)> = TZ_VARIANTS
        .iter()
        .map(|&tz| {
            let has_rule = chrono_at(tz, secs_of(2099, 7, 1)).0 != chrono_at(tz, secs_of(2099, 1, 1)).0;
            (tz, Zone::parse(tz.name()).unwrap(), chrono_at(tz, secs_of(2099, 12, 31)), has_rule)
        })
        .collect();
    let with_rule = zones.iter().filter(|z| z.3).count();
    assert!(with_rule > 100 && zones.len() - with_rule > 300, "{with_rule} of {} zones with a rule", zones.len());
    // two_changes per (zone, twin year), computed once
    let regular: RefCell<HashMap<(usize, i32), bool>> = RefCell::default();
    let (compared, irregular_twin) = (Cell::new(0u64), Cell::new(0u64));
    property.check(second_in_years(2100, 2499).prop_map(Second), |Second(s)| {
        let date = DateTime::from_timestamp(s, 0).unwrap().date_naive();
        let twin = twin_year(date.year());
        let shift = secs_of(date.year(), 1, 1) - secs_of(twin, 1, 1);
        for (i, (tz, zone, last, has_rule)) in zones.iter().enumerate() {
            let ours = ours_at(*zone, s);
            if *has_rule {
                if !*regular.borrow_mut().entry((i, twin)).or_insert_with(|| two_changes(*tz, twin)) {
                    irregular_twin.set(irregular_twin.get() + 1);
                    continue;
                }
                prop_assert_eq!(&ours, &chrono_at(*tz, s - shift), "{} at {}", tz.name(), Timestamp::from_secs(s));
            } else {
                prop_assert_eq!(&ours, last, "{} at {}", tz.name(), Timestamp::from_secs(s));
            }
            compared.set(compared.get() + 1);
        }
        Ok(())
    });
    let (compared, irregular_twin) = (compared.get(), irregular_twin.get());
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
