//! The blob's number codes (layout: the crate docs), written by the generator and read by
//! the reader: each code's two directions side by side. The writers that append to a `Vec`
//! are behind the `write` feature (the generator's): the reader's wasm does not carry them.

/// The blob's first bytes (the format's version).
pub const MAGIC: &[u8; 5] = b"TZDB2";

/// 1800-01-01 in days since 1970-01-01: the day change days are counted from.
pub const EPOCH_1800_DAYS: i64 = -62_091;

/// Zigzag code of a signed number (0, -1, 1, -2, … become 0, 1, 2, 3, …).
pub fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// The signed number a zigzag code stands for.
pub fn unzigzag(u: u64) -> i64 {
    (u >> 1) as i64 ^ -((u & 1) as i64)
}

/// A local time type's UTC offset: zigzag of `secs / 900` shifted left one bit when `secs`
/// is whole quarter hours, else zigzag of `secs` shifted left one bit, + 1.
pub fn offset_code(secs: i32) -> u64 {
    let secs = i64::from(secs);
    if secs % 900 == 0 {
        zigzag(secs / 900) << 1
    } else {
        zigzag(secs) << 1 | 1
    }
}

/// The offset (seconds) an [`offset_code`] stands for.
pub fn offset_of_code(code: u64) -> i64 {
    let offset = unzigzag(code >> 1);
    if code & 1 == 0 {
        offset * 900
    } else {
        offset
    }
}

/// A change's time of day (`0..86_400` seconds): `(secs / 900) << 1` in whole quarter hours,
/// else `secs << 1 | 1`.
pub fn time_code(secs: i64) -> u64 {
    if secs % 900 == 0 {
        (secs / 900) as u64 * 2
    } else {
        secs as u64 * 2 + 1
    }
}

/// The time of day (seconds) a [`time_code`] stands for.
pub fn time_of_code(code: u64) -> u64 {
    if code & 1 == 0 {
        (code >> 1) * 900
    } else {
        code >> 1
    }
}

/// The code of a change's local day `day`, after the previous change's day `prev_day` (for
/// the first change, [`EPOCH_1800_DAYS`]) and the day of the change two before, if any
/// (for the second change, `EPOCH_1800_DAYS`): 1..=8 when `day` is 363 + that many days
/// after the change two before (a yearly rule: the same weekday or date a year on), else 9
/// + the days since `prev_day`. Never 0. `None` if `day` is before `prev_day`.
pub fn day_code(day: i64, prev_day: i64, two_back: Option<i64>) -> Option<u64> {
    match two_back.map(|two_back| day - two_back - 363) {
        Some(ahead @ 1..=8) => Some(ahead as u64),
        _ => u64::try_from(day - prev_day).ok().map(|delta| delta + 9),
    }
}

/// The day a [`day_code`] stands for (`None` on overflow).
pub fn day_of_code(code: i64, prev_day: i64, two_back: Option<i64>) -> Option<i64> {
    match two_back {
        Some(two_back) if code < 9 => Some(two_back + 363 + code),
        _ => prev_day.checked_add(code.checked_sub(9)?),
    }
}

/// Day codes below this take one byte.
const DAY_ONE_BYTE: u64 = 224;
/// Day codes below this take two bytes (`224 + high`, low); above, three (`252 + high`,
/// middle, low, counted from here).
const DAY_TWO_BYTES: u64 = DAY_ONE_BYTE + 28 * 256;

/// Appends a LEB128 varint.
#[cfg(feature = "write")]
pub fn put_uvar(out: &mut Vec<u8>, mut v: u64) {
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

/// Appends a zigzag varint.
#[cfg(feature = "write")]
pub fn put_ivar(out: &mut Vec<u8>, v: i64) {
    put_uvar(out, zigzag(v));
}

/// Reads a LEB128 varint from `next` (`None` at the end of the bytes or past 64 bits).
pub fn read_uvar(mut next: impl FnMut() -> Option<u8>) -> Option<u64> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = next()?;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// Appends a [`day_code`]: below 224 one byte; below 224 + 28 * 256 two; else three.
/// (Most codes are about half a year: one byte, where a varint takes two.)
///
/// # Panics
/// If the code needs more than three bytes (a gap of more than 1,200 years).
#[cfg(feature = "write")]
pub fn put_day_code(out: &mut Vec<u8>, code: u64) {
    if code < DAY_ONE_BYTE {
        out.push(code as u8);
    } else if code < DAY_TWO_BYTES {
        let x = code - DAY_ONE_BYTE;
        out.extend([DAY_ONE_BYTE as u8 + (x >> 8) as u8, x as u8]);
    } else {
        let x = code - DAY_TWO_BYTES;
        assert!(x < 4 << 16, "day code {code} too large");
        out.extend([DAY_ONE_BYTE as u8 + 28 + (x >> 16) as u8, (x >> 8) as u8, x as u8]);
    }
}

/// Reads a day code written by [`put_day_code`].
pub fn read_day_code(mut next: impl FnMut() -> Option<u8>) -> Option<u64> {
    Some(match next()? {
        b @ 0..224 => u64::from(b),
        b @ 224..252 => DAY_ONE_BYTE + (u64::from(b - 224) << 8 | u64::from(next()?)),
        b => DAY_TWO_BYTES + (u64::from(b - 252) << 16 | u64::from(next()?) << 8 | u64::from(next()?)),
    })
}

#[cfg(all(test, feature = "write"))]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for v in [0i64, 1, -1, 63, -64, 1 << 40, i64::MIN, i64::MAX] {
            assert_eq!(unzigzag(zigzag(v)), v);
            let mut out = Vec::new();
            put_ivar(&mut out, v);
            let mut bytes = out.iter().copied();
            assert_eq!(read_uvar(|| bytes.next()).map(unzigzag), Some(v));
        }
        for secs in [0, 900, -3600, 19_800, -17_762, 50_400, 1] {
            assert_eq!(offset_of_code(offset_code(secs)), i64::from(secs));
        }
        for secs in [0, 900, 7_200, 86_399, 3_601] {
            assert_eq!(time_of_code(time_code(secs)), secs as u64);
        }
        for code in [1, 223, 224, 225, 480, DAY_TWO_BYTES - 1, DAY_TWO_BYTES, DAY_TWO_BYTES + (4 << 16) - 1] {
            let mut out = Vec::new();
            put_day_code(&mut out, code);
            let mut bytes = out.iter().copied();
            assert_eq!(read_day_code(|| bytes.next()), Some(code));
            assert_eq!(bytes.next(), None);
        }
        for (day, prev, two_back) in [(500, 300, Some(130)), (500, 300, Some(10)), (7, 7, None), (-62_000, EPOCH_1800_DAYS, None)] {
            let code = day_code(day, prev, two_back).unwrap();
            assert!(code > 0);
            assert_eq!(day_of_code(code as i64, prev, two_back), Some(day));
        }
        assert_eq!(day_code(5, 6, None), None);
    }
}
