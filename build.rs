//! Builds tickwerk's compact time-zone database from `chrono-tz` (a build dependency only).
//!
//! For every zone in `chrono_tz::TZ_VARIANTS` the script finds, through chrono-tz's public
//! API, every change of (UTC offset, abbreviation) from 1800 to 2100: it scans day by day
//! and bisects each change to the second. It then derives the zone's recurring yearly rule
//! from its 2099 changes, finds the earliest year (1970 or later) from which the rule
//! reproduces chrono-tz's changes through 2099 exactly, and stores explicit changes only
//! before that.
//! Identical tables (links such as `US/Eastern`) are stored once. The blob layout is
//! documented in `src/time/tzdb.rs`, which reads it.
//!
//! Next to the blob (`OUT_DIR/tzdb.bin`) the script writes `tzdb-summary.txt` (per zone:
//! types, explicit changes, rule) for inspection; with `TICKWERK_TZDB_DUMP` set it also
//! writes every zone's types and changes to `tzdb-dump.txt`.

use std::collections::HashMap;
use std::env;
use std::fs;
use std::path::PathBuf;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::{OffsetName, Tz, TZ_VARIANTS};

const DAY: i64 = 86_400;
/// The earliest year a yearly rule may take over from explicit changes.
const MIN_RULE_YEAR: i32 = 1970;
/// The last year chrono-tz has data for.
const DATA_UNTIL_YEAR: i32 = 2099;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=TICKWERK_TZDB_DUMP");
    let mut abbrs: Vec<String> = Vec::new();
    let mut abbr_index: HashMap<String, usize> = HashMap::new();
    let mut tables: Vec<Encoded> = Vec::new();
    let mut table_index: HashMap<Encoded, usize> = HashMap::new();
    let mut names: Vec<(&'static str, usize)> = Vec::new();
    let mut summary = String::new();
    let mut dump = String::new();
    // In name order, so that tables are numbered in order of their first name.
    let mut zones: Vec<Tz> = TZ_VARIANTS.to_vec();
    zones.sort_by_key(|tz| tz.name());
    for tz in zones {
        let zone = scan(tz);
        summary.push_str(&format!(
            "{} types={} changes={} rule={:?}\n",
            tz.name(),
            zone.types.len(),
            zone.changes.len(),
            zone.rule
        ));
        if env::var_os("TICKWERK_TZDB_DUMP").is_some() {
            dump.push_str(&format!("{}\t{:?}\t{}\t{:?}\n", tz.name(), zone.types, zone.initial, zone.changes));
        }
        let encoded = encode_table(&zone, &mut abbrs, &mut abbr_index);
        let next = tables.len();
        let idx = *table_index.entry(encoded.clone()).or_insert(next);
        if idx == next {
            tables.push(encoded);
        }
        names.push((tz.name(), idx));
    }
    assert!(abbrs.len() <= 256, "too many abbreviations");
    let mut blob = b"TZDB2".to_vec();
    put_uvar(&mut blob, abbrs.len() as u64);
    for a in &abbrs {
        blob.push(a.len() as u8);
        blob.extend_from_slice(a.as_bytes());
    }
    put_uvar(&mut blob, tables.len() as u64);
    for t in &tables {
        blob.extend_from_slice(&t.header);
    }
    for t in &tables {
        blob.extend_from_slice(&t.rule);
    }
    for t in &tables {
        blob.extend_from_slice(&t.days);
    }
    for t in &tables {
        blob.extend_from_slice(&t.changes);
    }
    put_uvar(&mut blob, names.len() as u64);
    let mut prev: &str = "";
    let mut named = 0;
    for &(name, idx) in &names {
        let common = prev.bytes().zip(name.bytes()).take_while(|(a, b)| a == b).count();
        assert!(!name.contains('\0'), "{name}");
        blob.push(common as u8);
        blob.extend_from_slice(&name.as_bytes()[common..]);
        blob.push(0);
        if idx == named {
            blob.push(0);
            named += 1;
        } else {
            assert!(idx < named, "tables are numbered in name order");
            put_uvar(&mut blob, idx as u64 + 1);
        }
        prev = name;
    }
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("tzdb.bin");
    fs::write(&out, &blob).expect("write tzdb.bin");
    summary.push_str(&format!("zones={} tables={} abbrs={} bytes={}\n", names.len(), tables.len(), abbrs.len(), blob.len()));
    fs::write(out.with_file_name("tzdb-summary.txt"), summary).expect("write tzdb-summary.txt");
    if !dump.is_empty() {
        fs::write(out.with_file_name("tzdb-dump.txt"), dump).expect("write tzdb-dump.txt");
    }
}

/// One zone as scanned: its local-time types, changes and yearly rule.
struct Scanned {
    /// `(offset_secs, abbreviation)`, in order of first use.
    types: Vec<(i32, String)>,
    /// The type in force before the first change.
    initial: usize,
    /// `(utc_secs, type)` explicit changes, in time order.
    changes: Vec<(i64, usize)>,
    /// The two yearly changes, and the year they take over, if the zone has a rule.
    rule: Option<([RuleChange; 2], i32)>,
}

/// One of a rule's two annual changes: on the first `weekday` on or after `day` of
/// `month` (`day == 0`: the last such weekday of the month), at `secs` after that local
/// midnight, read with the offset in force before the change; it switches to `to_type`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct RuleChange {
    month: u32,
    day: u32,
    weekday: u32,
    secs: i64,
    to_type: usize,
}

fn secs_of(y: i32, m: u32, d: u32) -> i64 {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date").and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp()
}

fn naive(secs: i64) -> NaiveDateTime {
    DateTime::from_timestamp(secs, 0).expect("in range").naive_utc()
}

fn scan(tz: Tz) -> Scanned {
    let at = |secs: i64| tz.offset_from_utc_datetime(&naive(secs));
    let (from, until) = (secs_of(1800, 1, 1), secs_of(DATA_UNTIL_YEAR + 2, 1, 1));
    // Nothing may change before the scan starts (the database holds the 1800 type there).
    assert!(at(secs_of(1, 1, 1)) == at(from), "{}: changes before 1800", tz.name());
    let mut types: Vec<(i32, String)> = Vec::new();
    let mut type_of = |off: chrono_tz::TzOffset| -> usize {
        let secs = off.fix().local_minus_utc();
        let abbr = match off.abbreviation() {
            Some(a) => a.to_string(),
            None => format_offset(secs),
        };
        match types.iter().position(|(o, a)| *o == secs && *a == abbr) {
            Some(i) => i,
            None => {
                types.push((secs, abbr));
                types.len() - 1
            }
        }
    };
    let mut cur = at(from);
    let initial = type_of(cur);
    let mut last_type = initial;
    let mut changes = Vec::new();
    let mut t = from;
    while t < until {
        let next = t + DAY;
        let next_off = at(next);
        if next_off != cur {
            let (mut lo, mut hi) = (t, next);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if at(mid) == cur {
                    lo = mid
                } else {
                    hi = mid
                }
            }
            let ty = type_of(next_off);
            if ty != last_type {
                changes.push((hi, ty));
                last_type = ty;
            }
            cur = next_off;
        }
        t = next;
    }
    let rule = derive_rule(&types, initial, &changes);
    if let Some((rule, year)) = rule {
        let first = rule_changes(&types, &rule, year)[0].0;
        changes.retain(|&(at, _)| at < first);
    }
    Scanned { types, initial, changes, rule }
}

/// The two changes `rule` makes in `year`, in time order, as `(utc_secs, type)`.
fn rule_changes(types: &[(i32, String)], rule: &[RuleChange; 2], year: i32) -> [(i64, usize); 2] {
    let one = |c: &RuleChange, before: usize| -> (i64, usize) {
        let day = if c.day == 0 {
            let next_month = if c.month == 12 { secs_of(year + 1, 1, 1) } else { secs_of(year, c.month + 1, 1) };
            let last = next_month / DAY - 1;
            last - (weekday(last) + 7 - c.weekday as i64) % 7
        } else {
            let first = secs_of(year, c.month, c.day) / DAY;
            first + (c.weekday as i64 + 7 - weekday(first)) % 7
        };
        (day * DAY + c.secs - types[before].0 as i64, c.to_type)
    };
    let mut out = [one(&rule[0], rule[1].to_type), one(&rule[1], rule[0].to_type)];
    out.sort();
    out
}

/// Weekday of a day number since the epoch, 0 = Sunday.
fn weekday(days: i64) -> i64 {
    (days + 4).rem_euclid(7)
}

/// Finds the yearly rule that reproduces every change from some year (at least five
/// years before `DATA_UNTIL_YEAR`, and not before `MIN_RULE_YEAR`) through
/// `DATA_UNTIL_YEAR` exactly, with the earliest such year; derived from the changes of
/// `DATA_UNTIL_YEAR`.
fn derive_rule(types: &[(i32, String)], initial: usize, changes: &[(i64, usize)]) -> Option<([RuleChange; 2], i32)> {
    let anchor = DATA_UNTIL_YEAR;
    let (from, until) = (secs_of(anchor, 1, 1), secs_of(anchor + 1, 1, 1));
    let last: Vec<usize> = (0..changes.len()).filter(|&i| (from..until).contains(&changes[i].0)).collect();
    if last.len() != 2 || changes.iter().any(|&(at, _)| at >= until) {
        return None;
    }
    let type_before = |i: usize| -> usize { if i == 0 { initial } else { changes[i - 1].1 } };
    let candidates = |i: usize| -> Vec<RuleChange> {
        let (at, to_type) = changes[i];
        let wall = at + types[type_before(i)].0 as i64;
        let (wall_day, wall_secs) = (wall.div_euclid(DAY), wall.rem_euclid(DAY));
        let mut out = Vec::new();
        for k in [0i64, 1, -1, 2] {
            let base = wall_day - k;
            let date = naive(base * DAY).date();
            if date.year() != anchor {
                continue;
            }
            let (m, d) = (date.month(), date.day());
            let dim = (secs_of(anchor, m, 1)..)
                .step_by(DAY as usize)
                .take_while(|&s| naive(s).month() == m)
                .count() as u32;
            let w = weekday(base) as u32;
            let secs = wall_secs + k * DAY;
            let mut days = vec![1 + 7 * ((d - 1) / 7), d];
            if d + 7 > dim {
                days.insert(0, 0);
            }
            for day in days {
                out.push(RuleChange { month: m, day, weekday: w, secs, to_type });
            }
        }
        out
    };
    // Whether the rule, from `year` on, reproduces the data exactly.
    let holds_from = |rule: &[RuleChange; 2], year: i32| -> bool {
        let generated: Vec<(i64, usize)> = (year..=DATA_UNTIL_YEAR).flat_map(|y| rule_changes(types, rule, y)).collect();
        let Some(pos) = changes.iter().position(|c| *c == generated[0]) else { return false };
        let other = if rule[0].to_type == generated[0].1 { rule[1].to_type } else { rule[0].to_type };
        changes[pos..] == generated[..] && type_before(pos) == other
    };
    let mut best: Option<([RuleChange; 2], i32)> = None;
    for a in candidates(last[0]) {
        for b in candidates(last[1]) {
            let rule = [a, b];
            if types[a.to_type].0 == types[b.to_type].0 || !holds_from(&rule, DATA_UNTIL_YEAR - 5) {
                continue;
            }
            let mut year = DATA_UNTIL_YEAR - 5;
            while year > MIN_RULE_YEAR && holds_from(&rule, year - 1) {
                year -= 1;
            }
            let better = match best {
                None => true,
                Some((_, y)) => year < y,
            };
            if better {
                best = Some((rule, year));
            }
        }
    }
    best
}

/// A table's parts, each stored in its own section of the blob (see `src/time/tzdb.rs`).
#[derive(Clone, PartialEq, Eq, Hash)]
struct Encoded {
    header: Vec<u8>,
    rule: Vec<u8>,
    days: Vec<u8>,
    changes: Vec<u8>,
}

fn encode_table(zone: &Scanned, abbrs: &mut Vec<String>, abbr_index: &mut HashMap<String, usize>) -> Encoded {
    let mut out = Encoded { header: Vec::new(), rule: Vec::new(), days: Vec::new(), changes: Vec::new() };
    let header = &mut out.header;
    assert!(zone.types.len() < 256, "too many types");
    put_uvar(header, zone.types.len() as u64);
    for (off, abbr) in &zone.types {
        let off = *off as i64;
        if off % 900 == 0 {
            put_uvar(header, zigzag(off / 900) << 1);
        } else {
            put_uvar(header, zigzag(off) << 1 | 1);
        }
        let next = abbrs.len();
        let idx = *abbr_index.entry(abbr.clone()).or_insert(next);
        if idx == next {
            abbrs.push(abbr.clone());
        }
        header.push(idx as u8);
    }
    // Types are numbered in order of first use, so the initial type is the first.
    assert!(zone.initial == 0, "the initial type is type 0");
    put_uvar(header, (zone.changes.len() as u64) << 1 | u64::from(zone.rule.is_some()));
    match &zone.rule {
        None => {}
        Some((rule, year)) => {
            put_uvar(&mut out.rule, *year as u64);
            for c in rule {
                out.rule.push(c.month as u8);
                out.rule.push(c.day as u8);
                out.rule.push(c.weekday as u8);
                put_ivar(&mut out.rule, c.secs);
                put_uvar(&mut out.rule, c.to_type as u64);
            }
        }
    }
    // Each change as the local day and time of day it happens at, read in the offset
    // before it. The day is coded as 1..=8 when it falls 363 + that many days after the
    // change two before (a yearly rule: same weekday or same date a year on), else as 9 +
    // the days since the previous change (the first: since 1800-01-01). No code is 0:
    // runs of zero bytes would make wasm-opt split the blob's data segment.
    let mut recent = [None, Some(secs_of(1800, 1, 1) / DAY)];
    let mut before = zone.initial;
    for &(at, ty) in &zone.changes {
        let wall = at + zone.types[before].0 as i64;
        let (day, secs) = (wall.div_euclid(DAY), wall.rem_euclid(DAY));
        let prev_day = recent[1].expect("set");
        // Holds unless two changes, hours apart, move the local day back across midnight.
        assert!(day >= prev_day, "a change on an earlier local day than the one before it");
        match recent[0].map(|two_back| day - two_back - 363) {
            Some(ahead @ 1..=8) => put_days(&mut out.days, ahead as u64),
            _ => put_days(&mut out.days, (day - prev_day) as u64 + 9),
        }
        recent = [recent[1], Some(day)];
        if secs % 900 == 0 {
            put_uvar(&mut out.changes, (secs / 900) as u64 * 2);
        } else {
            put_uvar(&mut out.changes, secs as u64 * 2 + 1);
        }
        out.changes.push(ty as u8);
        before = ty;
    }
    out
}

/// `+0530` style, as Python prints an offset-only abbreviation.
fn format_offset(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let (h, m, s) = (a / 3600, a % 3600 / 60, a % 60);
    if s != 0 {
        format!("{sign}{h:02}{m:02}{s:02}")
    } else {
        format!("{sign}{h:02}{m:02}")
    }
}

fn put_uvar(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A day code: below 224 one byte; below 224 + 28 * 256 two (`224 + high`, low); else
/// three (`252 + high`, middle, low) above that. (Most codes are about half a year: one
/// byte, where a varint takes two.)
fn put_days(out: &mut Vec<u8>, code: u64) {
    const TWO: u64 = 224 + 28 * 256;
    if code < 224 {
        out.push(code as u8);
    } else if code < TWO {
        out.extend([224 + ((code - 224) >> 8) as u8, (code - 224) as u8]);
    } else {
        let x = code - TWO;
        assert!(x < 4 << 16, "day code {code} too large");
        out.extend([252 + (x >> 16) as u8, (x >> 8) as u8, x as u8]);
    }
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn put_ivar(out: &mut Vec<u8>, v: i64) {
    put_uvar(out, zigzag(v));
}
