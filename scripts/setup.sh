#!/usr/bin/env bash
# Installs everything scripts/test.sh needs on a fresh machine (Debian 12 with rustup).
# Idempotent: on a machine that has it all, it takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

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

stage "setup: rust targets and components" rust_targets
stage "setup: debian tools" debian_tools
stage "setup: cargo-fuzz" fuzz_tools
stage "setup: python (venv, maturin, pytest, moto)" bash scripts/setup-python.sh
stage "setup: JS packages (wasm-bindgen, chromium, npm tools)" bash scripts/setup-js.sh
stage "setup: device port (cbindgen, arm-none-eabi-gcc, qemu)" bash scripts/setup-device.sh
