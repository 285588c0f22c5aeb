#!/usr/bin/env bash
# Checks that core builds in each feature combination users pick (the default combination is
# tested by `cargo test --workspace`; the bare no_std one is built for Cortex-M by test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
for features in "" "messages" "alloc" "serde" "std"; do
  echo "--- core --no-default-features --features '$features'"
  cargo check -q -p stepstone --no-default-features --features "$features"
done

# Signature backends. `cargo test --workspace` (scripts/test.sh) builds core with `aws-lc`
# (the CLI enables it by default, and cargo unifies features across the workspace), so the
# public API runs on AWS-LC there, and so do the AWS-LC-vs-p256 differential tests
# (core/tests/backend_differential.rs, which hold no test without the feature): scripts/test.sh
# checks that they ran there and passed, so they are not built and run a second time here. Here:
# the signature, manifest and vector tests on the portable backend alone (core by itself: p256
# and sha2, as on the device and WASM).
echo "--- cli --no-default-features: the pure-Rust CLI (p256) still builds"
cargo check -q -p stepstone-cli --no-default-features
echo "--- core, portable backend (p256, sha2): unit tests, Wycheproof, OpenSSL interop, vectors"
cargo test -q -p stepstone --lib --test wycheproof --test openssl_interop --test signature_vectors --test cert_chain
