#!/usr/bin/env bash
# Installs what the build and the tests need. Idempotent: every step checks first and
# does nothing when the tool is already there at the right version. Safe with CI=true and
# no stdin.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }

# 1. The wasm target for the Rust toolchain.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen-cli at exactly the version Cargo.lock pins (the CLI and the crate must
#    match). No --locked: it fails against this registry.
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ -z "$want" ]; then
  echo "[setup] cannot read the wasm-bindgen version from Cargo.lock" >&2
  exit 1
fi
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  log "installing wasm-bindgen-cli $want (found: ${have:-none})"
  cargo install wasm-bindgen-cli --version "$want" --no-default-features --force
fi

# 3. Headless Chromium and its WebDriver, and Firefox ESR, for wasm-bindgen-test and the
#    browser tests, and the database servers (tests/browser/: Chromium through playwright-core, Firefox through
#    puppeteer-core over WebDriver BiDi). One apt-get update, only when something is missing;
#    firefox-esr takes ~15 s (120 MB).
apt_missing=()
[ -x /usr/bin/chromium ] || apt_missing+=(chromium)
[ -x /usr/bin/chromedriver ] || apt_missing+=(chromium-driver)
[ -x /usr/bin/firefox-esr ] || apt_missing+=(firefox-esr)
# PostgreSQL and Redis servers for the shared-store tests (tests/servers/ starts throwaway
# instances on free ports in temp directories; nothing is left running).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || apt_missing+=(postgresql)
command -v redis-server >/dev/null || apt_missing+=(redis-server)
if [ ${#apt_missing[@]} -gt 0 ]; then
  log "installing ${apt_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${apt_missing[@]}"
  # Debian starts the packaged servers as services where it can; the tests use their own.
  service redis-server stop >/dev/null 2>&1 || true
  service postgresql stop >/dev/null 2>&1 || true
fi

# 3b. geckodriver, the WebDriver server wasm-bindgen-test-runner drives Firefox with (Debian has
#     no package; npm's geckodriver downloads its binary from GitHub at first run, which this
#     machine cannot reach): built from crates.io into cargo's bin with the crate's own
#     Cargo.lock, 3-4 min on 2 cores, once per machine.
gecko_want=0.37.1
gecko_have=$(geckodriver --version 2>/dev/null | awk 'NR == 1 { print $2 }' || true)
if [ "$gecko_have" != "$gecko_want" ]; then
  log "installing geckodriver $gecko_want (found: ${gecko_have:-none}; a few minutes)"
  cargo install geckodriver --version "$gecko_want" --locked --force
fi

# 4. JS dev dependencies, exactly as package-lock.json says (wasm-opt comes from the npm
#    binaryen package: Debian's binaryen produces broken modules).
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.package-lock.json.src 2>/dev/null; then
  log "npm ci"
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.package-lock.json.src
fi
# 5. Deno, Bun and workerd (miniflare) for the runtime smoke tests: their own small npm
#    project, so the root `npm ci` stays fast. Pinned: newer releases need Node 22.
if [ ! -f tests/runtimes/node_modules/.package-lock.json ] || ! cmp -s tests/runtimes/package-lock.json tests/runtimes/node_modules/.package-lock.json.src 2>/dev/null; then
  log "npm ci (tests/runtimes: deno, bun, miniflare)"
  npm ci --prefix tests/runtimes --no-audit --no-fund
  cp tests/runtimes/package-lock.json tests/runtimes/node_modules/.package-lock.json.src
fi
log "ok: $(rustc --version), wasm-bindgen $want, $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium ?'), $(/usr/bin/firefox-esr --version 2>/dev/null || echo 'firefox-esr ?'), geckodriver $gecko_want, node $(node --version)"
