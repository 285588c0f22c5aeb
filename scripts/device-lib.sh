#!/usr/bin/env bash
# Builds the firmware static library and prints its path: crate stepstone-device for a
# bare-metal target (default thumbv7em-none-eabihf) with the device profile (opt-level z, fat
# LTO, one codegen unit, panic=abort), its own panic handler and no std. Target rustflags (sha2's
# compact backend, 32-bit bignum limbs) are in .cargo/config.toml.
#
# `cargo rustc --crate-type staticlib`, not `cargo build`: the crate is also an rlib (for the
# Rust tests and the fuzz target), and rustc does no cross-crate LTO for a build that emits both
# crate types; the library is then about 7 KB larger (35 KB against 28 KB).
# Usage: scripts/device-lib.sh [TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-thumbv7em-none-eabihf}
cargo rustc -q -p stepstone-device --crate-type staticlib --no-default-features \
  --features panic-handler --target "$target" --profile device
echo "target/$target/device/libstepstone_device.a"
