#!/usr/bin/env bash
# Every test of the project (`npm test`; CI runs `bash scripts/setup.sh && npm test`):
#   1. Rust, native:            cargo test --all-targets
#   2. the npm package:         node scripts/build.mjs  (dist/)
#   3. wasm-bindgen-test:       the bindings in Node, then in headless Chromium (chromedriver),
#                               then in headless Firefox ESR (geckodriver)
#   4. the JS API:              node --test tests/js/   (API, errors, conformance replay, packaging)
#   5. types:                   tsc --noEmit over tests/js/*.ts (tsconfig.json)
#   6. real browsers:           node --test tests/browser/ (the page API, IndexedDB, Web Locks, the
#                               worker executor, the demo page), once in Chromium (playwright-core +
#                               Debian chromium), once in Firefox ESR (puppeteer-core over WebDriver
#                               BiDi + Debian firefox-esr): the same scenarios (TICKWERK_BROWSER=…)
#   7. bundlers:                node --test tests/bundlers/ (esbuild, Vite 5, Vite 8, webpack 5 builds
#                               of an app, each run in headless Chromium)
#   8. other runtimes:          node --test tests/runtimes/ (Deno, Bun, workerd via miniflare, the
#                               Durable Object driver)
#   9. shared stores:           node --test tests/servers/ (Postgres and Redis stores: several Node
#                               processes on throwaway servers started by the tests)
# Every suite runs even when an earlier one failed (except those that need the build); the
# exit status is non-zero if any failed. Needs what scripts/setup.sh installs.
set -uo pipefail
cd "$(dirname "$0")/.."

failed=()
passed=0
run() {
  local name=$1
  shift
  printf '\n=== %s\n' "$name"
  local started=$SECONDS
  if "$@"; then
    printf '=== %s: ok (%d s)\n' "$name" $((SECONDS - started))
    passed=$((passed + 1))
  else
    printf '=== %s: FAILED (%d s)\n' "$name" $((SECONDS - started))
    failed+=("$name")
  fi
}

run "cargo test --all-targets" cargo test --all-targets --no-fail-fast

run "build dist/" node scripts/build.mjs
if [ ! -f dist/tickwerk_bg.wasm ]; then
  echo "the build failed: the package tests cannot run" >&2
  exit 1
fi

# wasm-bindgen-test: the same cases (tests/wasm_common/) from two test files, one configured
# for Node (the runner's default) and one with `run_in_browser`, run twice: in Chromium via
# chromedriver and in Firefox ESR via geckodriver (the runner takes the driver its env names,
# GECKODRIVER before CHROMEDRIVER; the second run reuses the first one's build).
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
run "wasm-bindgen-test in Node" cargo test --target wasm32-unknown-unknown --test wasm_node
run "wasm-bindgen-test in headless Chromium" env -u GECKODRIVER CHROMEDRIVER=/usr/bin/chromedriver \
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/tests/browser/webdriver.json" WASM_BINDGEN_TEST_TIMEOUT=120 \
  cargo test --target wasm32-unknown-unknown --test wasm_browser
wasm_in_firefox() {
  local gecko
  gecko=$(command -v geckodriver) || { echo "geckodriver is not on PATH: run scripts/setup.sh" >&2; return 1; }
  env -u CHROMEDRIVER GECKODRIVER="$gecko" \
    WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/tests/browser/webdriver-firefox.json" WASM_BINDGEN_TEST_TIMEOUT=120 \
    cargo test --target wasm32-unknown-unknown --test wasm_browser
}
run "wasm-bindgen-test in headless Firefox ESR" wasm_in_firefox

run "node --test tests/js/" node --test --test-concurrency=1 tests/js/
run "tsc --noEmit (types)" node_modules/.bin/tsc --noEmit -p tsconfig.json
run "browser tests in Chromium (playwright-core)" env TICKWERK_BROWSER=chromium node --test tests/browser/
run "browser tests in Firefox ESR (puppeteer-core, WebDriver BiDi)" env TICKWERK_BROWSER=firefox node --test tests/browser/
run "bundlers (esbuild, Vite 5, Vite 8, webpack 5 in chromium)" node --test tests/bundlers/
run "Deno, Bun, workerd smoke tests and the Durable Object driver (miniflare)" node --test tests/runtimes/
run "shared stores on real servers (Postgres, Redis)" node --test --test-concurrency=1 tests/servers/

if [ ${#failed[@]} -gt 0 ]; then
  printf '\nFAILED suites: %s\n' "$(IFS=,; echo "${failed[*]}")"
  printf 'suites: %d passed, %d failed\n' "$passed" "${#failed[@]}"
  exit 1
fi
printf '\nall suites passed\n'
printf 'suites: %d passed, %d failed\n' "$passed" 0
