#!/usr/bin/env bash
# The Python package: builds the abi3 wheel, installs it, and runs from outside the source tree
# (so the installed wheel is what is tested): every conformance vector, the API tests, the same
# suite under CPython 3.9 (Debian 11, glibc 2.31; scripts/check-python-platforms.sh x86_64), the
# stub check (mypy.stubtest) and the two AWS Lambdas against moto's server mode.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
root=$PWD
py=${STEPSTONE_VENV:-$root/.venv}/bin/python
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export PATH="$(dirname "$py"):$PATH"   # maturin finds zig as the venv's `python -m ziglang`

# The wheel that ships: manylinux2014 (glibc 2.17), linked by zig. A plain `maturin build` is
# tagged for this machine's glibc (manylinux_2_34 on Debian 12), which pip refuses on Debian 11,
# Amazon Linux 2 (the Lambda runtimes for 3.9-3.11) and other glibc < 2.34 systems.
build() {
  bash bindings/python/java/build.sh "$py"   # stepstone.spark's UDF jar, packed into the wheel
  "$py" -m maturin build --release --zig --compatibility manylinux2014 \
    -m bindings/python/Cargo.toml -o "$work/wheels"
  "$py" -m pip install -q --force-reinstall --no-deps "$work"/wheels/stepstone-*.whl
}
pytest_api() { (cd "$work" && "$py" -m pytest -q -p no:cacheprovider "$root/bindings/python/tests"); }
py39() {
  STEPSTONE_WHEEL_X86_64=$(ls "$work"/wheels/stepstone-*.whl) bash scripts/check-python-platforms.sh x86_64
}
stubs() {
  (cd "$work" && "$py" -m mypy.stubtest stepstone --allowlist "$root/bindings/python/stubtest-allowlist.txt")
  # The stubs in use: the Lambdas and the benchmark type-check strictly against them.
  local f
  for f in examples/aws/scheduler/handler.py examples/aws/signer/handler.py benches/python/bench.py; do
    (cd "$work" && "$py" -m mypy --strict --ignore-missing-imports --no-incremental "$root/$f")
  done
}
lambdas() {
  (cd "$work" && "$py" -m pytest -q -p no:cacheprovider -p no:logging "$root/examples/aws/tests")
}

stage "python: build and install the abi3 wheel" build
stage "python: conformance vectors and API tests (installed wheel)" pytest_api
stage "python: the same wheel and suite on CPython 3.9 (Debian 11, glibc 2.31)" py39
stage "python: stubs (mypy.stubtest, mypy --strict on the examples)" stubs
stage "python: AWS Lambdas against moto server mode" lambdas
