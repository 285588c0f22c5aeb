#!/usr/bin/env bash
# Runs every cargo-fuzz target for a few seconds (FUZZ_SECONDS, default 10) from the committed
# seeds in fuzz/seeds/<target>/, so CI catches a target that no longer builds or crashes at once.
# Long runs are by hand: `cd fuzz && cargo +nightly fuzz run -O TARGET corpus/TARGET -- -max_total_time=600`.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${FUZZ_SECONDS:-10}
for target in $(cargo +nightly fuzz list); do
  corpus=$(mktemp -d)
  if [ -d "seeds/$target" ]; then cp -r "seeds/$target/." "$corpus/"; fi
  echo "--- fuzz $target (${seconds}s)"
  cargo +nightly fuzz run -O "$target" "$corpus" -- -max_total_time="$seconds" -rss_limit_mb=2048 2>&1 | tail -n 3
  rm -rf "$corpus"
done
