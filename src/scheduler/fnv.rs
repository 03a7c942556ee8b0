//! FNV-1a: the fast, deterministic hasher of the scheduler's maps.

use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a over the bytes written. Deterministic (no random seed) and tiny in the wasm; the
/// maps it serves are keyed by a single host's own job ids and names, so collisions chosen
/// by an attacker are not a concern worth SipHash's cost.
#[derive(Default)]
pub(crate) struct Fnv(u64);

/// The `BuildHasher` of the scheduler's hash maps and sets.
pub(crate) type FnvBuild = BuildHasherDefault<Fnv>;

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h ^= *b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}
