//! tickwerk's compact IANA time-zone database, generated at build time from `chrono-tz`.
//!
//! `build.rs` asks chrono-tz (a build dependency only) for every zone's UTC offsets and
//! abbreviations, and writes the blob this module embeds with `include_bytes!`. Every zone
//! chrono-tz knows is here, links (`US/Eastern`) included under their own names.
//!
//! # What a zone holds
//!
//! A zone's *table* is a short list of local-time *types* (UTC offset, abbreviation), the
//! type in force before any change, its explicit changes `(utc_seconds, type)` from 1800
//! on, and, for zones that still observe daylight saving time, the recurring *yearly rule*:
//! two annual changes, each "the first `weekday` on or after `day` of `month` (or the last
//! `weekday` of the month) at `secs` after that local midnight, read in the offset before
//! the change". The build derives the rule from the zone's 2099 changes and finds the
//! earliest year (not before 1970, at least five years before 2099) from which it
//! reproduces every change chrono-tz has through 2099 exactly; explicit changes are then
//! stored only before the rule's first change of that year, and the rule continues forever
//! (as Python's `zoneinfo` continues a zone's POSIX rule), while chrono-tz itself stops
//! changing after 2099. When a table is decoded (once per zone, on first use), its rule's
//! years up to 2037 are expanded into explicit changes, so that lookups in the present are
//! a binary search; the rule is computed only for later instants. Zones whose far future is irregular (Morocco's Ramadan changes)
//! keep their explicit changes through 2099 and hold the last type afterwards, as chrono-tz
//! does. Identical tables are stored once.
//!
//! # Blob layout
//!
//! Integers are LEB128 varints (`u`) or zigzag varints (`i`); `u8` is one byte. A table's
//! parts are spread over four sections (headers, yearly rules, days, and times and types),
//! each holding the tables in the same order: like data sits together, which compresses
//! better (the wasm is served gzipped). The blob avoids runs of zero bytes: wasm-opt
//! splits a data segment at them, and the segment headers compress badly.
//!
//! ```text
//! "TZDB2"
//! u  abbreviation count, then per abbreviation: u8 length, UTF-8 bytes
//! u  table count n, then n headers:
//!      u  type count, then per type: u offset (zigzag of offset_secs / 900, shifted left
//!         one bit, or zigzag of offset_secs shifted left one bit + 1), u8 abbreviation index;
//!         the first type is the one in force before any change
//!      u  change count << 1 | 1 if the table has a yearly rule
//! per table with a rule: u first year of the rule, then twice: u8 month, u8 day (0 = last),
//!      u8 weekday (0 = Sunday), i secs after local midnight, u type switched to
//! per table, per change: its local day (read in the offset in force before it) as a
//!      code: 1..=8 = 363 + code days after the day of the change two before (a yearly
//!      rule; for the second change, 1800-01-01 counts as the change two before, the
//!      first has none); else 9 + days since the previous change's day (the first: since
//!      1800-01-01); never 0. A code below 224 is one byte; below 224 + 28 * 256 two
//!      bytes, big-endian 224 * 256 + (code - 224); else three, big-endian 252 * 65536 +
//!      (code - 224 - 28 * 256)
//! per table, per change: u time of day of the change, read in the offset before it:
//!      (secs / 900) << 1, or secs << 1 | 1; u8 the type changed to
//! u  name count, then per name (sorted): u8 bytes shared with the previous name, the further
//!      bytes, 0; u table: 0 = the first table not named yet, else index + 1
//! ```
//!
//! Runs of years under earlier yearly rules (US 1987–2006, EU 1981–1995, ...) are not stored
//! as rules: measured, that made the gzipped blob larger, not smaller. Their changes cost
//! little as they are: the same bytes recur across zones, and their days are coded from
//! the change a year before.

use std::sync::{Arc, OnceLock};

use super::civil;

/// The generated database.
static BLOB: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/tzdb.bin"));

/// 1800-01-01T00:00:00Z in seconds: where the change deltas start.
const EPOCH_1800: i64 = -5_364_662_400;
/// The last year whose rule changes are expanded into explicit changes when a table is
/// decoded (the usual tzfile cutoff); the rule is computed for later years.
const EXPLICIT_UNTIL_YEAR: i32 = 2037;
/// Seconds in a day.
const DAY: i64 = 86_400;

/// An IANA zone of the database: a small index into its sorted list of names.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ZoneId(u16);

impl ZoneId {
    /// The zone with exactly this IANA name (links such as `US/Eastern` included).
    pub fn from_name(name: &str) -> Option<ZoneId> {
        let db = db();
        db.names.binary_search_by(|(n, _)| (**n).cmp(name)).ok().map(|i| ZoneId(i as u16))
    }

    /// The zone's IANA name.
    pub fn name(self) -> &'static str {
        db().names.get(self.0 as usize).map_or("", |(n, _)| n)
    }

    /// The zone's table, decoded on first use and shared.
    pub(crate) fn table(self) -> Arc<Table> {
        let db = db();
        let Some(&(_, index)) = db.names.get(self.0 as usize) else { return Arc::new(Table::empty()) };
        let Some(slot) = db.tables.get(index) else { return Arc::new(Table::empty()) };
        slot.get_or_init(|| Arc::new(db.places.get(index).and_then(Reader::table).unwrap_or_else(Table::empty)))
        .clone()
    }

    /// Every zone of the database, in name order.
    pub fn all() -> impl Iterator<Item = ZoneId> {
        (0..db().names.len()).map(|i| ZoneId(i as u16))
    }
}

/// The database's index: abbreviations, names and where each table starts in the blob.
struct Db {
    abbrs: Vec<&'static str>,
    places: Vec<TablePlace>,
    /// `(name, table index)`, sorted by name.
    names: Vec<(Box<str>, usize)>,
    tables: Vec<OnceLock<Arc<Table>>>,
}

fn db() -> &'static Db {
    static DB: OnceLock<Db> = OnceLock::new();
    DB.get_or_init(|| {
        let db = Reader { at: 0 }.index();
        debug_assert!(db.is_some(), "the embedded time-zone database is malformed");
        db.unwrap_or(Db { abbrs: Vec::new(), places: Vec::new(), names: Vec::new(), tables: Vec::new() })
    })
}

/// The abbreviation with this index (`""` if there is none).
pub(crate) fn abbreviation(index: u16) -> &'static str {
    db().abbrs.get(index as usize).copied().unwrap_or("")
}

/// One of a yearly rule's two annual changes (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct RuleChange {
    month: u8,
    /// First day of the month the change can fall on; 0 = the last such weekday.
    day: u8,
    /// 0 = Sunday.
    weekday: u8,
    secs: i64,
    to_type: u8,
}

/// A zone's decoded table (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Table {
    /// `(offset_secs, abbreviation index)`.
    types: Box<[(i32, u16)]>,
    initial: u8,
    /// Every explicit change of type, `(utc_secs, type)`, in time order.
    changes: Box<[(i64, u8)]>,
    /// The explicit changes of offset only, `(utc_secs, offset_after)`, in time order.
    offsets: Box<[(i64, i32)]>,
    rule: Option<[RuleChange; 2]>,
    /// The first year the rule generates changes for.
    rule_from_year: i32,
    /// The rule's first change (in `rule_from_year`), or `i64::MAX` without a rule.
    rule_start: i64,
}

/// A constant-offset stretch in seconds: offset, start, end (exclusive).
pub(crate) type RawSegment = (i32, Option<i64>, Option<i64>);

impl Table {
    fn empty() -> Table {
        Table {
            types: Box::new([(0, 0)]),
            initial: 0,
            changes: Box::new([]),
            offsets: Box::new([]),
            rule: None,
            rule_from_year: i32::MAX,
            rule_start: i64::MAX,
        }
    }

    /// Whether the offset never changes.
    pub fn is_fixed(&self) -> bool {
        self.offsets.is_empty() && self.rule.is_none()
    }

    /// The offset before any change.
    pub fn initial_offset(&self) -> i32 {
        self.offset_of(self.initial)
    }

    /// The smallest and largest offsets the zone ever has.
    pub fn offset_range(&self) -> (i32, i32) {
        let mut range = (self.initial_offset(), self.initial_offset());
        let rule_types = self.rule.iter().flat_map(|r| r.iter().map(|c| self.offset_of(c.to_type)));
        for off in self.offsets.iter().map(|&(_, o)| o).chain(rule_types) {
            range = (range.0.min(off), range.1.max(off));
        }
        range
    }

    fn offset_of(&self, ty: u8) -> i32 {
        self.types.get(ty as usize).map_or(0, |t| t.0)
    }

    /// The constant-offset stretch containing second `secs`.
    pub fn segment(&self, secs: i64) -> RawSegment {
        if secs >= self.rule_start {
            let (ty, start, end) = self.rule_span(secs);
            return (self.offset_of(ty), Some(start), Some(end));
        }
        let i = self.offsets.partition_point(|&(at, _)| at <= secs);
        let start = i.checked_sub(1).and_then(|j| self.offsets.get(j)).map(|&(at, _)| at);
        let offset = i.checked_sub(1).and_then(|j| self.offsets.get(j)).map_or(self.initial_offset(), |&(_, o)| o);
        let end = match self.offsets.get(i) {
            Some(&(at, _)) => Some(at),
            None if self.rule.is_some() => Some(self.rule_start),
            None => None,
        };
        (offset, start, end)
    }

    /// The UTC offset at second `secs`.
    pub fn offset_at(&self, secs: i64) -> i32 {
        self.segment(secs).0
    }

    /// The abbreviation index in force at second `secs`.
    pub fn abbreviation_at(&self, secs: i64) -> u16 {
        let ty = if secs >= self.rule_start {
            self.rule_span(secs).0
        } else {
            let i = self.changes.partition_point(|&(at, _)| at <= secs);
            i.checked_sub(1).and_then(|j| self.changes.get(j)).map_or(self.initial, |&(_, t)| t)
        };
        self.types.get(ty as usize).map_or(0, |t| t.1)
    }

    /// Under the yearly rule (`secs >= rule_start`): the type in force and the change
    /// instants that bound it. The rule's two changes come in the same order every year,
    /// so before a year's first change the second one's type is in force.
    fn rule_span(&self, secs: i64) -> (u8, i64, i64) {
        let Some(rule) = &self.rule else { return (self.initial, secs, secs + 1) };
        let year = civil::civil_from_days(secs.div_euclid(DAY)).0.max(i64::from(self.rule_from_year));
        let [first, second] = self.rule_changes(rule, year);
        if secs < first.0 {
            (second.1, self.rule_changes(rule, year - 1)[1].0, first.0)
        } else if secs < second.0 {
            (first.1, first.0, second.0)
        } else {
            (second.1, second.0, self.rule_changes(rule, year + 1)[0].0)
        }
    }

    /// The rule's two changes in `year`, in time order.
    fn rule_changes(&self, rule: &[RuleChange; 2], year: i64) -> [(i64, u8); 2] {
        rule_changes(&self.types, rule, year)
    }
}

/// The two changes `rule` makes in `year`, in time order, as `(utc_secs, type)`.
fn rule_changes(types: &[(i32, u16)], rule: &[RuleChange; 2], year: i64) -> [(i64, u8); 2] {
    let offset_of = |ty: u8| types.get(usize::from(ty)).map_or(0, |t| t.0);
    let one = |c: &RuleChange, before: u8| -> (i64, u8) {
        let day = if c.day == 0 {
            let (ny, nm) = if c.month == 12 { (year + 1, 1) } else { (year, c.month as u32 + 1) };
            let last = civil::days_from_civil(ny, nm, 1) - 1;
            last - (weekday(last) + 7 - c.weekday as i64) % 7
        } else {
            let first = civil::days_from_civil(year, c.month as u32, c.day as u32);
            first + (c.weekday as i64 + 7 - weekday(first)) % 7
        };
        (day * DAY + c.secs - offset_of(before) as i64, c.to_type)
    };
    let (a, b) = (one(&rule[0], rule[1].to_type), one(&rule[1], rule[0].to_type));
    if a.0 <= b.0 { [a, b] } else { [b, a] }
}

/// Weekday of a day number since the epoch, 0 = Sunday (the rules' numbering).
fn weekday(days: i64) -> i64 {
    i64::from((civil::weekday(days) + 1) % 7)
}

/// The signed number a zigzag code stands for (0, -1, 1, -2, … for 0, 1, 2, 3, …).
fn zigzag(u: u64) -> i64 {
    (u >> 1) as i64 ^ -((u & 1) as i64)
}

/// Reads the blob.
struct Reader {
    at: usize,
}

impl Reader {
    fn byte(&mut self) -> Option<u8> {
        let b = *BLOB.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn bytes(&mut self, n: usize) -> Option<&'static [u8]> {
        let s = BLOB.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }

    fn uvar(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn ivar(&mut self) -> Option<i64> {
        self.uvar().map(zigzag)
    }

    /// A day code (see the module docs).
    fn days(&mut self) -> Option<u64> {
        Some(match self.byte()? {
            b @ 0..224 => u64::from(b),
            b @ 224..252 => 224 + (u64::from(b - 224) << 8 | u64::from(self.byte()?)),
            b => 224 + 28 * 256 + (u64::from(b - 252) << 16 | u64::from(self.byte()?) << 8 | u64::from(self.byte()?)),
        })
    }

    /// A count of items that each take at least one byte of the blob: larger counts are
    /// malformed (and would make `Vec::with_capacity` abort instead of failing softly).
    fn count(&mut self) -> Option<usize> {
        usize::try_from(self.uvar()?).ok().filter(|&n| n <= BLOB.len())
    }

    fn small(&mut self) -> Option<u8> {
        u8::try_from(self.uvar()?).ok()
    }

    fn index(mut self) -> Option<Db> {
        if self.bytes(5)? != b"TZDB2" {
            return None;
        }
        let n = self.count()?;
        let mut abbrs = Vec::with_capacity(n);
        for _ in 0..n {
            let len = self.byte()? as usize;
            abbrs.push(std::str::from_utf8(self.bytes(len)?).ok()?);
        }
        let n = self.count()?;
        let mut places = Vec::with_capacity(n);
        let mut counts = Vec::with_capacity(n);
        for _ in 0..n {
            let header = self.at;
            let Header { count, has_rule, .. } = self.header()?;
            counts.push(count);
            places.push(TablePlace { header, rule: has_rule.then_some(0), days: 0, changes: 0 });
        }
        for rule in places.iter_mut().filter_map(|place| place.rule.as_mut()) {
            *rule = self.at;
            self.rule(usize::MAX)?;
        }
        for (place, &count) in places.iter_mut().zip(&counts) {
            place.days = self.at;
            for _ in 0..count {
                self.days()?;
            }
        }
        for (place, &count) in places.iter_mut().zip(&counts) {
            place.changes = self.at;
            for _ in 0..count {
                self.uvar()?;
                self.byte()?;
            }
        }
        let n = self.count()?;
        let mut names: Vec<(Box<str>, usize)> = Vec::with_capacity(n);
        let mut prev = String::new();
        let mut named = 0;
        for _ in 0..n {
            let common = self.byte()? as usize;
            let mut name = prev.get(..common)?.to_string();
            let len = BLOB.get(self.at..)?.iter().position(|&b| b == 0)?;
            name.push_str(std::str::from_utf8(self.bytes(len)?).ok()?);
            self.byte()?;
            let table = match self.uvar()? as usize {
                0 => {
                    named += 1;
                    named - 1
                }
                i => i - 1,
            };
            if table >= places.len() {
                return None;
            }
            names.push((name.clone().into_boxed_str(), table));
            prev = name;
        }
        // Every section was found where the previous one ends: the names end the blob.
        if self.at != BLOB.len() || names.len() > usize::from(u16::MAX) || !names.windows(2).all(|w| w[0].0 < w[1].0) {
            return None;
        }
        let tables = (0..places.len()).map(|_| OnceLock::new()).collect();
        Some(Db { abbrs, places, names, tables })
    }

    /// A table's header.
    fn header(&mut self) -> Option<Header> {
        let n = self.count()?;
        let mut types = Vec::with_capacity(n);
        for _ in 0..n {
            let code = self.uvar()?;
            let offset = zigzag(code >> 1);
            let offset = if code & 1 == 0 { offset * 900 } else { offset };
            types.push((i32::try_from(offset).ok()?, u16::from(self.byte()?)));
        }
        let code = self.uvar()?;
        (n > 0).then_some(Header { types, count: (code >> 1) as usize, has_rule: code & 1 == 1 })
    }

    /// A table's yearly rule and its first year, with types below `types`.
    fn rule(&mut self, types: usize) -> Option<(i64, [RuleChange; 2])> {
        let year = i64::try_from(self.uvar()?).ok()?;
        let mut change = || -> Option<RuleChange> {
            let (month, day, weekday) = (self.byte()?, self.byte()?, self.byte()?);
            let secs = self.ivar()?;
            let to_type = self.small()?;
            let valid = (1..=12).contains(&month) && day <= 31 && weekday < 7 && usize::from(to_type) < types;
            valid.then_some(RuleChange { month, day, weekday, secs, to_type })
        };
        Some((year, [change()?, change()?]))
    }

    /// Decodes the table at `place` (see the module docs).
    fn table(place: &TablePlace) -> Option<Table> {
        let Header { types, count, .. } = Reader { at: place.header }.header()?;
        let rule = match place.rule {
            Some(at) => Some(Reader { at }.rule(types.len())?),
            None => None,
        };
        let offset_of = |ty: u8| types.get(usize::from(ty)).map(|t| t.0);
        let (mut days, mut times) = (Reader { at: place.days }, Reader { at: place.changes });
        let mut changes = Vec::with_capacity(count.min(BLOB.len()));
        let (mut day, mut two_back, mut before) = (EPOCH_1800 / DAY, None, 0);
        for _ in 0..count {
            let code = i64::try_from(days.days()?).ok()?;
            let next = match two_back {
                Some(two_back) if code < 9 => two_back + 363 + code,
                _ => day.checked_add(code.checked_sub(9)?)?,
            };
            (day, two_back) = (next, Some(day));
            let code = times.uvar()?;
            let secs = if code & 1 == 0 { (code >> 1) * 900 } else { code >> 1 };
            let ty = times.byte()?;
            offset_of(ty)?;
            let wall = day.checked_mul(DAY)?.checked_add(i64::try_from(secs).ok()?)?;
            changes.push((wall - i64::from(offset_of(before)?), ty));
            before = ty;
        }
        let (mut rule_from_year, mut rule_start) = (i32::MAX, i64::MAX);
        if let Some((mut year, pair)) = rule {
            // The rule's years up to the cutoff become explicit changes: lookups in the
            // present are then a binary search, with no date arithmetic.
            while year <= i64::from(EXPLICIT_UNTIL_YEAR) {
                changes.extend(rule_changes(&types, &pair, year));
                year += 1;
            }
            rule_start = rule_changes(&types, &pair, year)[0].0;
            rule_from_year = i32::try_from(year).ok()?;
        }
        let mut offsets = Vec::new();
        let mut offset = offset_of(0)?;
        for &(at, ty) in &changes {
            let next = offset_of(ty)?;
            if next != offset {
                offsets.push((at, next));
                offset = next;
            }
        }
        Some(Table {
            types: types.into(),
            initial: 0,
            changes: changes.into(),
            offsets: offsets.into(),
            rule: rule.map(|r| r.1),
            rule_from_year,
            rule_start,
        })
    }
}

/// A table's header as stored.
struct Header {
    /// `(offset_secs, abbreviation index)`; the first is in force before any change.
    types: Vec<(i32, u16)>,
    /// The number of explicit changes.
    count: usize,
    has_rule: bool,
}

/// Where a table's parts start in the blob's sections.
struct TablePlace {
    header: usize,
    /// `None` for a table without a yearly rule.
    rule: Option<usize>,
    days: usize,
    changes: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_decodes() {
        let db = db();
        assert!(db.names.len() > 500 && db.abbrs.len() > 100);
        for id in ZoneId::all() {
            let table = id.table();
            assert!(!table.types.is_empty(), "{}", id.name());
            assert!(table.changes.windows(2).all(|w| w[0].0 < w[1].0), "{}", id.name());
        }
    }

    #[test]
    fn the_blob_has_no_long_runs_of_zero_bytes() {
        // wasm-opt would split the data segment there (see the module docs).
        let longest = BLOB.split(|&b| b != 0).map(<[u8]>::len).max().unwrap_or(0);
        assert!(longest < 4, "a run of {longest} zero bytes");
    }
}
