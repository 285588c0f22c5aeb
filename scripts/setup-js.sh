#!/usr/bin/env bash
# Installs what scripts/test-js.sh needs: the wasm target, nightly's rust-src (when nightly is
# there), wasm-bindgen-cli matching the pinned wasm-bindgen, Chromium from Debian, and the npm
# tools (wasm-opt, tsc, dagre, playwright-core) in bindings/js-tests; for the Node addon's arm64
# package, the aarch64 Rust target and Debian's cross gcc. Idempotent.
#   scripts/setup-js.sh [all|system|clone]   (scripts/lib.sh, setup_part; clone: the npm tools)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
part=$(setup_part "${1:-}")

if [ "$part" != clone ]; then
  rustup target add wasm32-unknown-unknown
  # The smaller WASM build (scripts/test-js.sh) rebuilds std on nightly: it needs its source.
  if rustup run nightly rustc --version >/dev/null 2>&1; then
    rustup component add rust-src --toolchain nightly
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen 0.2.130" ]; then
    cargo install wasm-bindgen-cli --version 0.2.130
  fi
  command -v node >/dev/null && command -v npm >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
  command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }
  # The Node addon's linux-arm64-gnu package is cross-compiled (scripts/test-js.sh, build_node):
  # rustup's target, linked by Debian's cross gcc (it brings the arm64 C library). Its suite runs
  # under qemu-user, which scripts/test-js.sh takes from PATH or unpacks itself.
  rustup target add aarch64-unknown-linux-gnu
  command -v aarch64-linux-gnu-gcc >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq gcc-aarch64-linux-gnu; }
fi
[ "$part" != system ] || exit 0
(cd bindings/js-tests && npm ci --no-audit --no-fund)
