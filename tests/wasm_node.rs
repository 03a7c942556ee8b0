//! The bindings' wasm-bindgen tests ([`wasm_common`]) in Node.
//!
//! ```sh
//! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!   cargo test --target wasm32-unknown-unknown --test wasm_node      # or: wasm-pack test --node
//! ```
#![cfg(target_arch = "wasm32")]

mod wasm_common;
