//! How the property tests run their `proptest` properties (`tests/cron_properties.rs`,
//! `trigger_properties.rs`, `trigger_fuzz.rs`, `tzdb_equivalence.rs`,
//! `scheduler_properties.rs`).
//!
//! * **Deterministic by default.** Each property has its own fixed seed, so every run (and
//!   CI) checks the same cases; `PROPTEST_RNG_SEED=n` picks other cases for exploring.
//! * **Case counts.** Each property has a default count sized for CI; `PROPTEST_CASES=n`
//!   runs `n` cases of every property instead (a longer local run:
//!   `PROPTEST_CASES=100000 cargo test --release --test cron_properties`).
//! * **Shrinking.** A failure is shrunk to a minimal input, which the panic message prints
//!   (`{:#?}`), and its seed is appended to `proptest-regressions/<property>.txt`; commit
//!   that file: the seeds in it are replayed first on every later run.

use std::fmt::Debug;

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, FileFailurePersistence, RngSeed, TestCaseResult, TestError, TestRunner};

/// One property's run settings: its regression file, default case count and seed.
pub struct Property {
    /// The seeds file, relative to the crate root (cargo runs tests there), e.g.
    /// `"proptest-regressions/cron_properties/utc_cross_check.txt"`.
    pub regressions: &'static str,
    /// Cases run when `PROPTEST_CASES` is not set.
    pub cases: u32,
    /// The RNG seed when `PROPTEST_RNG_SEED` is not set.
    pub seed: u64,
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    Some(text.trim().parse().unwrap_or_else(|_| panic!("{name} must be a whole number, not {text:?}")))
}

impl Property {
    /// The `proptest` configuration: environment overrides, then this property's defaults.
    pub fn config(&self) -> Config {
        let cases = env_number("PROPTEST_CASES").map_or(self.cases, |n| n.min(u32::MAX as u64) as u32);
        let seed = env_number("PROPTEST_RNG_SEED").unwrap_or(self.seed);
        Config {
            cases,
            rng_seed: RngSeed::Fixed(seed),
            failure_persistence: Some(Box::new(FileFailurePersistence::Direct(self.regressions))),
            // a failing case is shrunk for at most a minute
            max_shrink_time: 60_000,
            ..Config::default()
        }
    }

    /// Runs `test` on values of `strategy`; on a failure, panics with the shrunk input.
    pub fn check<S>(&self, strategy: S, test: impl Fn(S::Value) -> TestCaseResult)
    where
        S: Strategy,
        S::Value: Debug,
    {
        let mut runner = TestRunner::new(self.config());
        match runner.run(&strategy, test) {
            Ok(()) => {}
            Err(TestError::Fail(reason, minimal)) => {
                panic!("property failed ({}): {reason}\nminimal failing input: {minimal:#?}", self.regressions)
            }
            Err(TestError::Abort(reason)) => panic!("property aborted ({}): {reason}", self.regressions),
        }
    }
}
