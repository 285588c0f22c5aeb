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
# public API runs on AWS-LC there. Here: the AWS-LC-vs-p256 differential tests with the feature
# named explicitly (they hold no test without it), then the signature, manifest and vector
# tests on the portable backend alone (core by itself: p256 and sha2, as on the device and WASM).
echo "--- cli --no-default-features: the pure-Rust CLI (p256) still builds"
cargo check -q -p stepstone-cli --no-default-features
echo "--- core --features aws-lc: backend_differential (p256 = aws-lc on every vector)"
cargo test -q -p stepstone --features aws-lc --test backend_differential
echo "--- core, portable backend (p256, sha2): unit tests, Wycheproof, OpenSSL interop, vectors"
cargo test -q -p stepstone --lib --test wycheproof --test openssl_interop --test signature_vectors --test cert_chain
