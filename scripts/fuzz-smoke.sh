#!/usr/bin/env bash
# Runs every cargo-fuzz target for a few seconds (FUZZ_SECONDS or the first argument, default
# 10) from the committed seeds in fuzz/seeds/<target>/ (with fuzz/dict/<target>.dict when there
# is one), so CI catches a target that no longer builds or crashes at once. A crash fails the
# script; its input is left in fuzz/artifacts/<target>/ (turn it into a test in core/tests/).
# Long runs are by hand: `cd fuzz && cargo +nightly fuzz run -O TARGET corpus/TARGET -- -max_total_time=600`
# (`--features aws-lc` for the differential target). The device port's trust chain has two
# targets of its own: `compact_envelope` (the signed catalog envelope, core and C) and
# `device_chain` (the C entry points as a state machine); then the endless-data property test
# through the C entry points (fuzz/tests/c_image_check_props.rs) runs once.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-${FUZZ_SECONDS:-10}}
for target in $(cargo +nightly fuzz list); do
  corpus=$(mktemp -d)
  if [ -d "seeds/$target" ]; then cp -r "seeds/$target/." "$corpus/"; fi
  opts=(-max_total_time="$seconds" -rss_limit_mb=2048 -max_len=4096)
  if [ -f "dict/$target.dict" ]; then opts+=(-dict="dict/$target.dict"); fi
  # The differential target compares the aws-lc backend with p256: it needs the feature.
  features=()
  if [ "$target" = differential ]; then features=(--features aws-lc); fi
  echo "--- fuzz $target (${seconds}s)"
  cargo +nightly fuzz run -O "${features[@]}" "$target" "$corpus" -- "${opts[@]}" 2>&1 | tail -n 3
  rm -rf "$corpus"
done
echo "--- property: nothing past the declared size through the C entry points"
log=$(mktemp)
if ! cargo test -q --test c_image_check_props >"$log" 2>&1; then
  cat "$log"
  exit 1
fi
tail -n 3 "$log"
