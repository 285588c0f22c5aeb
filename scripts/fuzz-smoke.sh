#!/usr/bin/env bash
# Runs every cargo-fuzz target for a few seconds (FUZZ_SECONDS or the first argument, default
# 6) from the committed seeds in fuzz/seeds/<target>/ (with fuzz/dict/<target>.dict when there
# is one), so CI catches a target that no longer builds or crashes at once. A crash fails the
# script; its input is left in fuzz/artifacts/<target>/ (turn it into a test in core/tests/).
# Long runs are by hand: `cd fuzz && cargo +nightly fuzz run -O TARGET corpus/TARGET -- -max_total_time=600`
# (`--features aws-lc` for the differential target). The device port's trust chain has two
# targets of its own: `compact_envelope` (the signed catalog envelope, core and C) and
# `device_chain` (the C entry points as a state machine); then the endless-data property test
# through the C entry points (fuzz/tests/c_image_check_props.rs) runs once.
#
# For time: every target is built first in one cargo call (the differential target, which needs
# the aws-lc feature, in a second call at the end, so the sanitized core is compiled once per
# feature set), then the built binaries run FUZZ_JOBS at a time (default 2: each libFuzzer run
# uses one core), each with its own log, printed in target order.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-${FUZZ_SECONDS:-6}}
jobs=${FUZZ_JOBS:-2}
triple=$(rustc +nightly -vV | sed -n 's/^host: //p')
bin=$PWD/target/$triple/release
targets=$(cargo +nightly fuzz list)

echo "--- build $(echo "$targets" | wc -w) targets (address sanitizer, -O)"
cargo +nightly fuzz build -O
# The differential target compares the aws-lc backend with p256: it needs the feature.
if echo "$targets" | grep -qx differential; then
  cargo +nightly fuzz build -O --features aws-lc differential
fi

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
run_one() { # target -> exit status of its libFuzzer run; output in $logs/<target>.log
  local target=$1 corpus
  corpus=$(mktemp -d)
  if [ -d "seeds/$target" ]; then cp -r "seeds/$target/." "$corpus/"; fi
  local opts=(-max_total_time="$seconds" -rss_limit_mb=2048 -max_len=4096
              -artifact_prefix="artifacts/$target/")
  if [ -f "dict/$target.dict" ]; then opts+=(-dict="dict/$target.dict"); fi
  mkdir -p "artifacts/$target"
  local rc=0
  "$bin/$target" "${opts[@]}" "$corpus" >"$logs/$target.log" 2>&1 || rc=$?
  rm -rf "$corpus"
  echo "$rc" >"$logs/$target.rc"
}
export -f run_one
export seconds bin logs
echo "--- run each for ${seconds}s, $jobs at a time"
echo "$targets" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {}
failed=0
for target in $targets; do
  rc=$(cat "$logs/$target.rc" 2>/dev/null || echo missing)
  if [ "$rc" = 0 ]; then
    echo "--- fuzz $target (${seconds}s): ok"
    tail -n 3 "$logs/$target.log"
  else
    echo "--- fuzz $target (${seconds}s): FAILED (exit $rc)"
    tail -n 60 "$logs/$target.log"
    failed=1
  fi
done
[ "$failed" = 0 ] || exit 1

echo "--- property: nothing past the declared size through the C entry points"
log=$(mktemp)
if ! cargo test -q --test c_image_check_props >"$log" 2>&1; then
  cat "$log"
  exit 1
fi
tail -n 3 "$log"
