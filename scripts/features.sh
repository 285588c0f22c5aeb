#!/usr/bin/env bash
# Checks that core builds in each feature combination users pick (the default combination is
# tested by `cargo test --workspace`; the bare no_std one is built for Cortex-M by test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
for features in "" "messages" "alloc" "serde" "std"; do
  echo "--- core --no-default-features --features '$features'"
  cargo check -q -p stepstone --no-default-features --features "$features"
done
