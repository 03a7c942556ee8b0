//! Generates `tickwerk-tzdb`'s table (`tzdb.bin`) from IANA tz source files.
//!
//! The source files (`africa`, `europe`, … `backward`) are read with `parse-zoneinfo`, the
//! parser chrono-tz's build uses, which computes every zone's transitions from 1800 to 2099
//! (the same ones chrono-tz has for that release). For each zone and link the generator
//! lists its local time types (UTC offset, abbreviation; `%z` abbreviations are written as
//! `+0530` or `-0330`) and every change of type; derives the zone's recurring yearly rule
//! from its 2099 changes and finds the earliest year (1970 or later) from which the rule
//! reproduces the changes through 2099 exactly, keeping explicit changes only before that;
//! and encodes the tables (identical tables, such as links', once) in the layout the
//! `tickwerk-tzdb` crate docs describe. Rules, calendar arithmetic and the number codes are
//! the reader's own modules ([`tickwerk_tzdb::rule`], [`tickwerk_tzdb::civil`],
//! [`tickwerk_tzdb::format`](mod@tickwerk_tzdb::format)).

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use parse_zoneinfo::line::Line;
use parse_zoneinfo::table::TableBuilder;
use parse_zoneinfo::transitions::{FixedTimespan, TableTransitions};
use tickwerk_tzdb::civil::{civil_from_days, days_from_civil, days_in_month, DAY};
use tickwerk_tzdb::format::{self, put_day_code, put_ivar, put_uvar, EPOCH_1800_DAYS};
use tickwerk_tzdb::rule::{self, Rule, RuleChange};

/// The earliest year a yearly rule may take over from explicit changes.
const MIN_RULE_YEAR: i32 = 1970;
/// The last year `parse-zoneinfo` (and so chrono-tz) computes transitions for.
const DATA_UNTIL_YEAR: i32 = 2099;

/// What [`generate`] makes.
pub struct Generated {
    /// The table, for `tzdb.bin`.
    pub blob: Vec<u8>,
    /// The IANA release, for `tzdb.version` (e.g. `2025b`).
    pub version: String,
    pub zones: usize,
    pub tables: usize,
    pub abbreviations: usize,
    /// One line per zone: its type count, explicit change count and yearly rule.
    pub summary: String,
    /// One line per zone: its types, initial type and explicit changes.
    pub dump: String,
}

/// The table for the IANA source files in `dir`.
pub fn generate(dir: &Path) -> Result<Generated, String> {
    let (version, zones) = read_sources(dir)?;
    let mut abbrs: Vec<String> = Vec::new();
    let mut abbr_index: HashMap<String, usize> = HashMap::new();
    let mut tables: Vec<Encoded> = Vec::new();
    let mut table_index: HashMap<Encoded, usize> = HashMap::new();
    let mut names: Vec<(&str, usize)> = Vec::new();
    let (mut summary, mut dump) = (String::new(), String::new());
    // In name order, so that tables are numbered in order of their first name.
    for (name, spans) in &zones {
        let zone = scan(name, spans)?;
        let _ = writeln!(summary, "{name} types={} changes={} rule={:?}", zone.types.len(), zone.changes.len(), zone.rule);
        let _ = writeln!(dump, "{name}\t{:?}\t{}\t{:?}", zone.types, zone.initial, zone.changes);
        let encoded = encode_table(&zone, &mut abbrs, &mut abbr_index);
        let next = tables.len();
        let idx = *table_index.entry(encoded.clone()).or_insert(next);
        if idx == next {
            tables.push(encoded);
        }
        names.push((name, idx));
    }
    if abbrs.len() > 256 {
        return Err(format!("{} abbreviations: at most 256 fit the format", abbrs.len()));
    }
    let mut blob = format::MAGIC.to_vec();
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
        if name.contains('\0') || common > 255 {
            return Err(format!("zone name {name:?} does not fit the format"));
        }
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
    let _ = writeln!(summary, "zones={} tables={} abbrs={} bytes={}", names.len(), tables.len(), abbrs.len(), blob.len());
    Ok(Generated { blob, version, zones: names.len(), tables: tables.len(), abbreviations: abbrs.len(), summary, dump })
}

/// The `tz/` folder of the chrono-tz crate in the workspace's `Cargo.lock` (found with
/// `cargo metadata`): the IANA release chrono-tz bundles, which tests/tzdb_equivalence.rs
/// checks the table against.
pub fn chrono_tz_sources() -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(&manifest)
        .output()
        .map_err(|e| format!("cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let found: Vec<&str> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["name"] == "chrono-tz")
        .filter_map(|p| p["manifest_path"].as_str())
        .collect();
    match found[..] {
        [manifest] => Ok(Path::new(manifest).with_file_name("tz")),
        [] => Err("no chrono-tz crate in Cargo.lock: name a TZDATA_DIR".into()),
        _ => Err(format!("several chrono-tz crates in Cargo.lock ({}): name a TZDATA_DIR", found.join(", "))),
    }
}

/// A zone's local time type: `(utc_offset_secs, abbreviation)`.
type Type = (i32, String);

/// A zone's timespans as `parse-zoneinfo` computes them: the first, and each later one with
/// the instant (UTC seconds) it starts.
type Spans = (FixedTimespan, Vec<(i64, FixedTimespan)>);

/// The IANA release and, in name order, every zone's and link's timespans.
fn read_sources(dir: &Path) -> Result<(String, Vec<(String, Spans)>), String> {
    let mut builder = TableBuilder::new();
    let mut texts = Vec::new();
    for name in parse_zoneinfo::FILES {
        let path = dir.join(name);
        texts.push((path.clone(), fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?));
    }
    for (path, text) in &texts {
        for (n, line) in text.lines().enumerate() {
            // No `#` occurs inside a quoted field in the tz files (as chrono-tz's build assumes).
            let line = line.split('#').next().unwrap_or("");
            let parsed = Line::new(line).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
            builder.add_line(parsed).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))?;
        }
    }
    let table = builder.build();
    let names: BTreeSet<&String> = table.zonesets.keys().chain(table.links.keys()).collect();
    let mut zones = Vec::with_capacity(names.len());
    for name in names {
        let spans = table.timespans(name).ok_or_else(|| format!("{name}: no timespans (a link to a link?)"))?;
        zones.push((name.clone(), (spans.first, spans.rest)));
    }
    Ok((version(dir)?, zones))
}

/// The release named by `dir/version` (IANA's tarballs have it), else by the first
/// `Release …` line of `dir/NEWS` (chrono-tz bundles only that).
fn version(dir: &Path) -> Result<String, String> {
    if let Ok(text) = fs::read_to_string(dir.join("version")) {
        return Ok(text.trim().to_string());
    }
    let news = fs::read_to_string(dir.join("NEWS")).map_err(|e| format!("{}: neither version nor NEWS ({e})", dir.display()))?;
    news.lines()
        .find_map(|line| line.strip_prefix("Release ")?.split_whitespace().next().map(str::to_string))
        .ok_or_else(|| format!("{}: no release named in NEWS", dir.display()))
}

/// One zone as read: its local-time types, changes and yearly rule.
struct Scanned {
    /// In order of first use.
    types: Vec<Type>,
    /// The type in force before the first change.
    initial: u8,
    /// `(utc_secs, type)` explicit changes, in time order.
    changes: Vec<(i64, u8)>,
    /// The two yearly changes, and the year they take over, if the zone has a rule.
    rule: Option<(Rule, i32)>,
}

fn secs_of(y: i32, m: u32, d: u32) -> i64 {
    days_from_civil(i64::from(y), m, d) * DAY
}

/// The zone's types and changes of type (a transition that keeps offset and abbreviation,
/// e.g. one that moves hours between standard time and saving, is none), and its rule.
fn scan(name: &str, (first, rest): &Spans) -> Result<Scanned, String> {
    let mut types: Vec<Type> = Vec::new();
    let mut type_of = |span: &FixedTimespan| -> Result<u8, String> {
        let secs = i32::try_from(span.total_offset()).map_err(|_| format!("{name}: offset {}", span.total_offset()))?;
        // chrono-tz (built with parse-zoneinfo 0.4) has no abbreviation for `%z`; tickwerk
        // prints the offset, as Python's %Z does for a zone without one.
        let abbr = if span.name == "%z" { format_offset(secs) } else { span.name.clone() };
        let i = match types.iter().position(|(o, a)| *o == secs && *a == abbr) {
            Some(i) => i,
            None => {
                types.push((secs, abbr));
                types.len() - 1
            }
        };
        u8::try_from(i).map_err(|_| format!("{name}: more than 256 types"))
    };
    let initial = type_of(first)?;
    let mut last_type = initial;
    let mut changes = Vec::new();
    for (at, span) in rest {
        let ty = type_of(span)?;
        if ty != last_type {
            if *at < secs_of(1800, 1, 1) || changes.last().is_some_and(|&(prev, _)| prev >= *at) {
                return Err(format!("{name}: a change at {at} (before 1800 or out of order)"));
            }
            changes.push((*at, ty));
            last_type = ty;
        }
    }
    let rule = derive_rule(&types, initial, &changes);
    if let Some((rule, year)) = rule {
        let first = rule_changes(&types, &rule, year)[0].0;
        changes.retain(|&(at, _)| at < first);
    }
    Ok(Scanned { types, initial, changes, rule })
}

/// The two changes `rule` makes in `year`, in time order, as `(utc_secs, type)`.
fn rule_changes(types: &[Type], rule: &Rule, year: i32) -> [(i64, u8); 2] {
    rule::changes_in(rule, i64::from(year), |ty| types[usize::from(ty)].0)
}

/// Finds the yearly rule that reproduces every change from some year (at least five
/// years before `DATA_UNTIL_YEAR`, and not before `MIN_RULE_YEAR`) through
/// `DATA_UNTIL_YEAR` exactly, with the earliest such year; derived from the changes of
/// `DATA_UNTIL_YEAR`.
fn derive_rule(types: &[Type], initial: u8, changes: &[(i64, u8)]) -> Option<(Rule, i32)> {
    let anchor = DATA_UNTIL_YEAR;
    let (from, until) = (secs_of(anchor, 1, 1), secs_of(anchor + 1, 1, 1));
    let last: Vec<usize> = (0..changes.len()).filter(|&i| (from..until).contains(&changes[i].0)).collect();
    if last.len() != 2 || changes.iter().any(|&(at, _)| at >= until) {
        return None;
    }
    let type_before = |i: usize| -> u8 {
        if i == 0 {
            initial
        } else {
            changes[i - 1].1
        }
    };
    // Every rule change that puts change `i` where it is: its local day read as a nearby
    // day (the change may be written as 24:00 or later of the day before) and as the n-th
    // or last such weekday of the month.
    let candidates = |i: usize| -> Vec<RuleChange> {
        let (at, to_type) = changes[i];
        let wall = at + i64::from(types[usize::from(type_before(i))].0);
        let (wall_day, wall_secs) = (wall.div_euclid(DAY), wall.rem_euclid(DAY));
        let mut out = Vec::new();
        for k in [0i64, 1, -1, 2] {
            let base = wall_day - k;
            let (year, month, d) = civil_from_days(base);
            if year != i64::from(anchor) {
                continue;
            }
            let weekday = rule::weekday(base) as u8;
            let secs = wall_secs + k * DAY;
            let mut days = vec![1 + 7 * ((d - 1) / 7), d];
            if d + 7 > days_in_month(year, month) {
                days.insert(0, 0);
            }
            for day in days {
                out.push(RuleChange { month: month as u8, day: day as u8, weekday, secs, to_type });
            }
        }
        out
    };
    // Whether the rule, from `year` on, reproduces the data exactly.
    let holds_from = |rule: &Rule, year: i32| -> bool {
        let generated: Vec<(i64, u8)> = (year..=DATA_UNTIL_YEAR).flat_map(|y| rule_changes(types, rule, y)).collect();
        let Some(pos) = changes.iter().position(|c| *c == generated[0]) else { return false };
        let other = if rule[0].to_type == generated[0].1 { rule[1].to_type } else { rule[0].to_type };
        changes[pos..] == generated[..] && type_before(pos) == other
    };
    let mut best: Option<(Rule, i32)> = None;
    for a in candidates(last[0]) {
        for b in candidates(last[1]) {
            let rule = [a, b];
            let offset = |c: RuleChange| types[usize::from(c.to_type)].0;
            if offset(a) == offset(b) || !holds_from(&rule, DATA_UNTIL_YEAR - 5) {
                continue;
            }
            let mut year = DATA_UNTIL_YEAR - 5;
            while year > MIN_RULE_YEAR && holds_from(&rule, year - 1) {
                year -= 1;
            }
            if best.map_or(true, |(_, y)| year < y) {
                best = Some((rule, year));
            }
        }
    }
    best
}

/// A table's parts, each stored in its own section of the blob.
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
    put_uvar(header, zone.types.len() as u64);
    for (off, abbr) in &zone.types {
        put_uvar(header, format::offset_code(*off));
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
    if let Some((rule, year)) = &zone.rule {
        put_uvar(&mut out.rule, *year as u64);
        for c in rule {
            out.rule.extend([c.month, c.day, c.weekday]);
            put_ivar(&mut out.rule, c.secs);
            put_uvar(&mut out.rule, u64::from(c.to_type));
        }
    }
    // Each change as the local day and time of day it happens at, read in the offset
    // before it (day codes: `format::day_code`; no code is 0: runs of zero bytes would
    // make wasm-opt split the blob's data segment).
    let (mut prev_day, mut two_back) = (EPOCH_1800_DAYS, None);
    let mut before = zone.initial;
    for &(at, ty) in &zone.changes {
        let wall = at + i64::from(zone.types[usize::from(before)].0);
        let (day, secs) = (wall.div_euclid(DAY), wall.rem_euclid(DAY));
        // Holds unless two changes, hours apart, move the local day back across midnight.
        let code = format::day_code(day, prev_day, two_back).expect("a change on an earlier local day than the one before it");
        put_day_code(&mut out.days, code);
        (prev_day, two_back) = (day, Some(prev_day));
        put_uvar(&mut out.changes, format::time_code(secs));
        out.changes.push(ty);
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
