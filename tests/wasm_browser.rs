//! The bindings' wasm-bindgen tests ([`wasm_common`]) in a headless browser (Chromium through chromedriver).
//!
//! ```sh
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=/usr/bin/chromedriver \
//!   WASM_BINDGEN_TEST_WEBDRIVER_JSON=$PWD/tests/browser/webdriver.json \
//!   cargo test --target wasm32-unknown-unknown --test wasm_browser
//! # or: WASM_BINDGEN_TEST_WEBDRIVER_JSON=$PWD/tests/browser/webdriver.json \
//! #       wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver
//! ```
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod wasm_common;
