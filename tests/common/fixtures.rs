//! The moments and the trigger the scheduler API tests build their jobs from: seconds after
//! a fixed UTC epoch (`T0`, 2026-01-01T00:00:00Z) and an every-minute interval from it.
#![allow(dead_code)]

use serde_json::json;
use tickwerk::scheduler::TriggerInput;
use tickwerk::Timestamp;

/// 2026-01-01T00:00:00Z in epoch seconds: the tests' time zero.
pub const T0: i64 = 1_767_225_600;

/// The moment `secs` seconds after [`T0`].
pub fn at(secs: i64) -> Timestamp {
    Timestamp::from_secs(T0 + secs)
}

/// Seconds after [`T0`] of `t` (whole seconds, rounded toward zero): [`at`]'s inverse.
pub fn secs(t: Timestamp) -> i64 {
    t.as_micros() / 1_000_000 - T0
}

/// An interval trigger every 60 s from [`T0`] (2026-01-01 00:00:00 in the scheduler's zone).
pub fn every_minute() -> TriggerInput {
    TriggerInput::Json(json!({"type": "interval", "seconds": 60, "start_date": "2026-01-01 00:00:00"}))
}
