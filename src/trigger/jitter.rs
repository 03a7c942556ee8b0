//! Seeded randomness for jitter. The core never draws entropy itself: the host passes a seed.

/// A small deterministic generator (SplitMix64) for jitter draws.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JitterRng {
    state: u64,
}

impl JitterRng {
    /// A generator seeded with `seed`; the same seed gives the same draws.
    pub fn new(seed: u64) -> JitterRng {
        JitterRng { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform draw in `[0, max_seconds]`, in whole microseconds
    /// (APScheduler's `random.uniform(0, jitter)`).
    pub fn uniform_micros(&mut self, max_seconds: f64) -> i64 {
        // also 0 for NaN
        if max_seconds.is_nan() || max_seconds <= 0.0 {
            return 0;
        }
        let max_us = (max_seconds * 1e6).round() as i64;
        (self.next_u64() % (max_us as u64 + 1)) as i64
    }
}
