//! Helpers shared by the integration tests that read the conformance vectors.
//!
//! The vectors live in the repository (`tests/conformance/`, copied from the project's
//! `shared/conformance/`; `tests/conformance_copy.rs` checks the copy is current when that
//! folder is beside the repository). `$TICKWERK_CONFORMANCE_DIR` points the tests at
//! another copy, for example a newer set of cases.

use std::path::PathBuf;

/// The directory holding `triggers.jsonl`, `scheduler.jsonl` and `apscheduler-tests.json`.
pub fn conformance_dir() -> PathBuf {
    match std::env::var_os("TICKWERK_CONFORMANCE_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("conformance"),
    }
}

/// The text of one conformance file; a missing file fails the test (it is never skipped).
pub fn read_conformance(name: &str) -> String {
    let path = conformance_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "conformance data {} cannot be read ({e}); set TICKWERK_CONFORMANCE_DIR to the directory holding {name}",
            path.display()
        )
    })
}

pub mod host;
pub mod split;

pub mod fixtures;
