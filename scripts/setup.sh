#!/usr/bin/env bash
# Installs everything scripts/test.sh needs on a fresh machine (Debian 12 with rustup).
# Idempotent: on a machine that has it all, it takes a few seconds.
#   scripts/setup.sh [all|system|clone]
# system: the machine's toolchains, targets, Debian packages and cargo-installed tools; clone:
# this checkout's virtualenvs and npm packages (no apt: scripts/test.sh runs it in the
# background, beside clippy and the tests, once `system` is done); all (the default): both.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
part=$(setup_part "${1:-}")

rust_targets() {
  rustup target add thumbv7em-none-eabihf wasm32-unknown-unknown
  rustup component add clippy rustfmt llvm-tools
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
}

fuzz_tools() {
  command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
}

debian_tools() {
  local missing=()
  command -v openssl >/dev/null || missing+=(openssl)
  command -v python3 >/dev/null || missing+=(python3)
  # aws-lc-sys (core feature `aws-lc`, on in the CLI) compiles AWS-LC with the C compiler; it
  # needs no cmake, clang or bindgen on x86_64 / aarch64 Linux.
  command -v cc >/dev/null || missing+=(gcc)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq && apt-get install -y -qq "${missing[@]}"
  fi
}

if [ "$part" != clone ]; then
  stage "setup: rust targets and components" rust_targets
  stage "setup: debian tools" debian_tools
  stage "setup: cargo-fuzz" fuzz_tools
  stage "setup: python (python3-venv, Java 17)" bash scripts/setup-python.sh system
  stage "setup: JS (wasm-bindgen, chromium, node, aarch64 cross gcc)" bash scripts/setup-js.sh system
  stage "setup: device port (cbindgen, arm-none-eabi-gcc, qemu, cmake)" bash scripts/setup-device.sh system
fi
if [ "$part" != system ]; then
  stage "setup: python virtualenv (maturin, pytest, moto, pyspark)" bash scripts/setup-python.sh clone
  stage "setup: JS npm tools (bindings/js-tests)" bash scripts/setup-js.sh clone
  stage "setup: device port virtualenv (imgtool)" bash scripts/setup-device.sh clone
fi
