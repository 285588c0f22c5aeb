#!/usr/bin/env bash
# Installs what scripts/test-device.sh needs: the Cortex-M target and llvm-tools, cbindgen,
# arm-none-eabi-gcc with newlib, QEMU. Idempotent.
set -euo pipefail
rustup target add thumbv7em-none-eabihf >/dev/null
rustup component add llvm-tools >/dev/null
command -v cbindgen >/dev/null || cargo install cbindgen --locked
missing=()
command -v cc >/dev/null || missing+=(gcc)
command -v arm-none-eabi-gcc >/dev/null || missing+=(gcc-arm-none-eabi)
[ -d /usr/lib/arm-none-eabi/newlib ] || missing+=(libnewlib-arm-none-eabi)
command -v qemu-system-arm >/dev/null || missing+=(qemu-system-arm)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
