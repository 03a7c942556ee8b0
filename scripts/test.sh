#!/usr/bin/env bash
# Every test of the project, in order (`npm test`; CI runs `bash scripts/setup.sh && npm test`):
#   1. Rust, native:            cargo test --all-targets
#   2. the npm package:         node scripts/build.mjs  (dist/)
#   3. wasm-bindgen-test:       the bindings in Node, then in headless Chromium
#   4. the JS API:              node --test tests/js/   (API, errors, conformance replay, packaging)
#   5. types:                   tsc --noEmit over tests/js/*.ts (tsconfig.json)
#   6. a real browser:          node --test tests/browser/ (playwright-core + Debian chromium)
#   7. other runtimes:          node --test tests/runtimes/ (Deno, Bun, workerd via miniflare)
# Needs what scripts/setup.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

step "cargo test --all-targets"
cargo test --all-targets

step "build dist/"
node scripts/build.mjs

# wasm-bindgen-test: the same cases (tests/wasm_common/) from two test files, one configured
# for Node (the runner's default) and one with `run_in_browser` (Chromium via chromedriver).
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
step "wasm-bindgen-test in Node"
cargo test --target wasm32-unknown-unknown --test wasm_node

step "wasm-bindgen-test in headless Chromium"
CHROMEDRIVER=/usr/bin/chromedriver \
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/tests/browser/webdriver.json" \
  WASM_BINDGEN_TEST_TIMEOUT=120 \
  cargo test --target wasm32-unknown-unknown --test wasm_browser

step "node --test tests/js/"
node --test --test-concurrency=1 tests/js/

step "tsc --noEmit (types)"
node_modules/.bin/tsc --noEmit -p tsconfig.json
echo "types: 1 passed, 0 failed"

step "browser test (playwright-core + chromium)"
node --test tests/browser/

step "Deno, Bun, workerd smoke tests"
node --test tests/runtimes/
