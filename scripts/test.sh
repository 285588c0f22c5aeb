#!/usr/bin/env bash
# Runs every test: the command README.md shows and .ci/run calls. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

bash scripts/setup.sh system

# The workspace's tests; core's AWS-LC-vs-p256 differential tests (core/tests/
# backend_differential.rs) hold tests only with feature aws-lc, which the CLI's default turns on
# for the whole workspace: they must have run here and passed (scripts/features.sh relies on it).
workspace_tests() {
  local log=target/ci-workspace-tests.log
  mkdir -p target
  cargo test --workspace 2>&1 | tee "$log"
  awk '/Running tests\/backend_differential\.rs/ { f = 1 } f && /^test result:/ { print; exit }' "$log" |
    grep -Eq '^test result: ok\. [1-9][0-9]* passed' ||
    { echo "FAIL: cargo test --workspace ran no test of core/tests/backend_differential.rs"; exit 1; }
}

# Three stages run in the background, beside the ones after them (scripts/lib.sh, stage_bg); each
# one's log is printed, in full, where it is joined. This clone's virtualenvs and npm packages
# (mostly waiting on the package indexes) beside clippy and the tests, joined before the first
# stage that needs them. The fuzz smoke (its own workspace and target directory, fuzz/) from the
# start, and the device port once the last foreground stage that builds the debug CLI (schemas)
# is done (the device port builds it too, and runs it); both are joined before the JS stage,
# whose Chromium checks hold a page to a time budget and so run with the machine to themselves.
stage_bg "setup: this clone's virtualenvs and npm packages" bash scripts/setup.sh clone
stage "fmt" cargo fmt --all --check
if [ -f fuzz/Cargo.toml ]; then
  stage_bg "fuzz smoke (seconds per target)" bash scripts/fuzz-smoke.sh
fi
stage "clippy (warnings denied)" cargo clippy --workspace --all-targets -- -D warnings
stage "cargo test --workspace" workspace_tests
stage_join "setup: this clone's virtualenvs and npm packages"
stage "schemas: every example, vector and CLI output validates" bash scripts/test-schemas.sh
stage_bg "device port: header, host C test, every Cortex-M profile on QEMU, sizes" bash scripts/test-device.sh
stage "core: no_std, no heap, thumbv7em-none-eabihf" \
  cargo build -p stepstone --no-default-features --target thumbv7em-none-eabihf
stage "core: no_std + alloc, thumbv7em-none-eabihf" \
  cargo build -p stepstone --no-default-features --features alloc --target thumbv7em-none-eabihf
stage "core: feature combinations" bash scripts/features.sh
stage "python: wheel, vectors, stubs, Lambdas" bash scripts/test-python.sh
stage "spark: stepstone.spark in local[2] against the core" bash scripts/test-spark.sh
stage "aws: template, zips in fresh Pythons, load test" bash scripts/test-aws.sh
stage_join
stage "JS packages: WASM + napi, node --test, console in Chromium" bash scripts/test-js.sh
echo "all stages passed"
