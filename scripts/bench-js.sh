#!/usr/bin/env bash
# Benchmarks the JS packages by hand (not in CI): napi vs WASM in Node vs WASM in Chromium.
# Needs the consumer project scripts/test-js.sh leaves in target/js/consumer.
set -euo pipefail
cd "$(dirname "$0")/.."
STEPSTONE_ROOT=$PWD STEPSTONE_CONSUMER=$PWD/target/js/consumer node bindings/js-tests/bench/bench.mjs
