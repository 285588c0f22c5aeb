#!/usr/bin/env bash
# Builds the firmware static library for one or more bare-metal targets (default
# thumbv7em-none-eabihf) and packages it; prints the absolute path of each packaged library.
#
#   scripts/device-lib.sh [TARGET...]
#
# Build: crate stepstone-device with the device profile (opt-level z, fat LTO, one codegen unit,
# panic=abort), its own panic handler and no std; the target rustflags (sha2's compact backend,
# 32-bit bignum limbs) come from .cargo/config.toml, which cargo reads because this script runs
# it from the repository. `cargo rustc --crate-type staticlib`, not `cargo build`: the crate is
# also an rlib (for the Rust tests and the fuzz target), and rustc does no cross-crate LTO for a
# build that emits both crate types; the library is then about 7 KB larger.
#
# Package (docs/device.md, "Linking: the library's own symbols"): every global symbol the
# archive defines, other than the stepstone_* API, is renamed to __stepstone_<name> in all its
# members (definitions and references alike), so the library keeps using its own memcpy,
# memset, memcmp, memmove, strlen, libm and __aeabi_* helpers (from Rust's compiler_builtins) but
# no longer offers them to the firmware: whatever the link order, the firmware's own libc and
# libgcc provide those names. The LLVM bitcode sections (.llvmbc, .llvmcmd) of the
# compiler_builtins members are dropped: a GCC link never reads them, and binutils' nm and ld
# hand such members to the LLVM plugin, which fails on a newer LLVM's bitcode.
#
# Output, a prebuilt layout a firmware project can use as it is (cmake/, docs/device.md):
#   $DIST/lib/<target>/libstepstone_device.a
#   $DIST/include/stepstone.h
# DIST is $STEPSTONE_DIST_DIR, by default $CARGO_TARGET_DIR/stepstone-device; CARGO_TARGET_DIR
# is honoured as cargo does (relative to the current directory; by default <repo>/target).
# NM and OBJCOPY name the binutils (default arm-none-eabi-nm and arm-none-eabi-objcopy), CARGO
# cargo (default: the one on PATH); device-port/cmake sets them from the CMake toolchain.
set -euo pipefail
here=$PWD
repo=$(cd "$(dirname "$0")/.." && pwd)
# A directory as an absolute path without . or .. (made if missing), relative to where the
# script was started.
absolute() { (cd "$here" && mkdir -p "$1" && cd "$1" && pwd -P); }
target_dir=$(absolute "${CARGO_TARGET_DIR:-$repo/target}")
dist=$(absolute "${STEPSTONE_DIST_DIR:-$target_dir/stepstone-device}")
nm=${NM:-arm-none-eabi-nm}
objcopy=${OBJCOPY:-arm-none-eabi-objcopy}
[ $# -gt 0 ] || set -- thumbv7em-none-eabihf
case $1 in -*) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;; esac
cd "$repo"
mkdir -p "$dist/include"
cp device-port/include/stepstone.h "$dist/include/stepstone.h"
for target in "$@"; do
  CARGO_TARGET_DIR="$target_dir" "${CARGO:-cargo}" rustc -q -p stepstone-device --crate-type staticlib \
    --no-default-features --features panic-handler --target "$target" --profile device
  raw="$target_dir/$target/device/libstepstone_device.a"
  out="$dist/lib/$target/libstepstone_device.a"
  mkdir -p "$(dirname "$out")"
  tmp=$(mktemp -d "$dist/.package.XXXXXX")
  "$objcopy" --remove-section=.llvmbc --remove-section=.llvmcmd "$raw" "$tmp/lib.a"
  "$nm" -g --defined-only "$tmp/lib.a" |
    awk 'NF == 3 && $3 !~ /^stepstone_/ { print $3 " __stepstone_" $3 }' | sort -u >"$tmp/renames"
  "$objcopy" --redefine-syms="$tmp/renames" "$tmp/lib.a" "$tmp/packaged.a"
  # Unchanged content keeps its file (and time stamp), so a build system does not relink.
  cmp -s "$tmp/packaged.a" "$out" || mv "$tmp/packaged.a" "$out"
  rm -rf "$tmp"
  echo "$out"
done
