#!/usr/bin/env bash
# Installs what scripts/test-device.sh needs: the Rust target of every Cortex-M profile
# (scripts/device-profiles.sh) and llvm-tools, cbindgen, arm-none-eabi-gcc with newlib, QEMU,
# CMake; imgtool in a virtualenv. Idempotent.
#   scripts/setup-device.sh [all|system|clone]   (scripts/lib.sh, setup_part; clone: the venv)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/device-profiles.sh
part=$(setup_part "${1:-}")
venv=${STEPSTONE_DEVICE_VENV:-$PWD/.venv-device}

if [ "$part" != clone ]; then
  # shellcheck disable=SC2046
  rustup target add $(device_targets) >/dev/null
  rustup component add llvm-tools >/dev/null
  command -v cbindgen >/dev/null || cargo install cbindgen --locked
  missing=()
  command -v cc >/dev/null || missing+=(gcc)
  command -v arm-none-eabi-gcc >/dev/null || missing+=(gcc-arm-none-eabi)
  [ -d /usr/lib/arm-none-eabi/newlib ] || missing+=(libnewlib-arm-none-eabi)
  command -v qemu-system-arm >/dev/null || missing+=(qemu-system-arm)
  command -v cmake >/dev/null || missing+=(cmake)
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    missing+=(python3-venv)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  fi
fi
[ "$part" != system ] || exit 0
# MCUboot's imgtool (pinned) makes the signed images the MCUboot tests check, in its own
# virtualenv (STEPSTONE_DEVICE_VENV, default .venv-device at the repository root, git-ignored):
# scripts/test-device.sh runs it from there.
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q 'imgtool==2.5.0'
"$venv/bin/imgtool" version
