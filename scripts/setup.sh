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

# 3. Headless Chromium and its WebDriver, for wasm-bindgen-test and the browser tests.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  log "installing chromium and chromium-driver"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends chromium chromium-driver
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
log "ok: $(rustc --version), wasm-bindgen $want, $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium ?'), node $(node --version)"
