#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a few seconds each (CI calls this; nightly and
# cargo-fuzz needed: `rustup toolchain install nightly`, `cargo install cargo-fuzz`).
#
#   scripts/fuzz-smoke.sh [SECONDS=5]
#
# Each target starts from its saved corpus (fuzz/corpus/NAME, not committed) and the seeds
# committed in fuzz/seeds/NAME, with fuzz/dict/NAME.dict when there is one. A crash fails the
# script; its input is left in fuzz/artifacts/NAME/ (turn it into a test in core/tests/).
set -euo pipefail
SECONDS_EACH=${1:-5}
cd "$(dirname "$0")/.."
. scripts/lib.sh
cd fuzz
targets=$(cargo +nightly fuzz list)
stage "fuzz build" cargo +nightly fuzz build
for t in $targets; do
  mkdir -p "corpus/$t"
  dirs=("corpus/$t")
  [ -d "seeds/$t" ] && dirs+=("seeds/$t")
  opts=("-max_total_time=$SECONDS_EACH" "-max_len=4096")
  [ -f "dict/$t.dict" ] && opts+=("-dict=dict/$t.dict")
  stage "fuzz $t (${SECONDS_EACH}s)" cargo +nightly fuzz run "$t" "${dirs[@]}" -- "${opts[@]}"
done
