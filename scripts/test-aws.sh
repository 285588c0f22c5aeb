#!/usr/bin/env bash
# The AWS application (examples/aws/), deployable: cfn-lint on the template; the Lambda zips
# built by examples/aws/build.sh from the manylinux2014 abi3 wheel; those zips unpacked and run in
# a fresh Python of each Lambda runtime found (3.11, 3.12, 3.13: a new venv with only boto3; a
# CPython 3.13 from Debian trixie if the machine has none), each handler importing from its zip
# and answering a smoke event against moto; and the concurrent load test at CI size.
# The moto suites (signer, scheduler, the stack deployed with create-stack) are
# examples/aws/tests, run by scripts/test-python.sh's last stage (STEPSTONE_AWS_PYTEST=1 runs
# them here too).
#
#   STEPSTONE_WHEEL_X86_64=PATH   use this wheel (else it is built as test-python.sh builds it;
#                                 cargo's cache makes that quick after test-python.sh)
#   STEPSTONE_AWS_ARM64=1         also the arm64 zips: the aarch64 wheel (STEPSTONE_WHEEL_AARCH64,
#                                 or cross-built: minutes) and their smoke run under qemu-aarch64
#                                 with Debian bookworm's arm64 CPython 3.11. By hand.
#   STEPSTONE_AWS_LOAD="ARGS"     the load test's arguments; default CI size (120 devices);
#                                 by hand: STEPSTONE_AWS_LOAD="--devices 1000" (>= 20,000 events)
#   STEPSTONE_DEBIAN_MIRROR=URL   another Debian mirror (scripts/debian-root.py)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
root=$PWD
py=${STEPSTONE_VENV:-$root/.venv}/bin/python
export PATH="$(dirname "$py"):$PATH"   # maturin finds zig as the venv's `python -m ziglang`
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
plat=$root/target/platforms
cache=$plat/cache
mirror=${STEPSTONE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
arches=(x86_64)
[ "${STEPSTONE_AWS_ARM64:-0}" != 1 ] || arches+=(arm64)

lint() {
  "$(dirname "$py")/cfn-lint" examples/aws/template.yaml
  echo "  cfn-lint $("$(dirname "$py")/cfn-lint" --version | awk '{print $2}'): examples/aws/template.yaml, no findings"
}

wheels() {
  mkdir -p "$work/wheels"
  if [ -n "${STEPSTONE_WHEEL_X86_64:-}" ]; then
    cp "$STEPSTONE_WHEEL_X86_64" "$work/wheels/"
  else
    "$py" -m maturin build --release --zig --compatibility manylinux2014 \
      -m bindings/python/Cargo.toml -o "$work/wheels"
  fi
  if [ "${STEPSTONE_AWS_ARM64:-0}" = 1 ]; then
    if [ -n "${STEPSTONE_WHEEL_AARCH64:-}" ]; then
      cp "$STEPSTONE_WHEEL_AARCH64" "$work/wheels/"
    else
      rustup target add aarch64-unknown-linux-gnu
      "$py" -m maturin build --release --zig --compatibility manylinux2014 \
        --target aarch64-unknown-linux-gnu -m bindings/python/Cargo.toml -o "$work/wheels"
    fi
  fi
  # The test drivers (smoke parent, load test) import stepstone too: the same wheel.
  "$py" -m pip install -q --force-reinstall --no-deps "$work"/wheels/stepstone-*x86_64*.whl
  ls "$work/wheels"
}

artifacts() {
  local a
  for a in "${arches[@]}"; do
    PYTHON=$py bash examples/aws/build.sh --arch "$a" --wheels "$work/wheels" --out "$work/dist"
  done
  cat "$work/dist/SHA256SUMS"
}

# boto3 (what the Lambda runtimes provide), downloaded once, installed offline into each Python.
boto3_house() {
  local house=$cache/aws-boto3
  if [ ! -f "$house/.complete" ]; then
    "$py" -m pip download -q --only-binary=:all: -d "$house" boto3
    touch "$house/.complete"
  fi
  echo "$house"
}

pip_wheel() { # python-version -> a pip wheel that runs on it (run as `python PIP.whl/pip`)
  local d=$cache/pip-$1
  ls "$d"/pip-*.whl >/dev/null 2>&1 ||
    "$py" -m pip download -q --no-deps --only-binary=:all: --python-version "$1" -d "$d" pip
  ls "$d"/pip-*.whl
}

find_python() { # version -> an interpreter of it on this machine, or nothing
  local v=$1 exe
  for exe in "$(command -v "python$v" 2>/dev/null || true)" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$v".*/bin/"python$v"; do
    [ -n "$exe" ] && [ -x "$exe" ] && "$exe" -c 'import venv, ensurepip' 2>/dev/null && { echo "$exe"; return; }
  done
}

fresh() {
  local house v exe args=() have313=0
  house=$(boto3_house)
  for v in 3.11 3.12 3.13; do
    exe=$(find_python "$v")
    if [ -z "$exe" ]; then echo "  (no CPython $v on this machine)"; continue; fi
    "$exe" -m venv "$work/venv$v"
    "$work/venv$v/bin/python" -m pip install -q --no-index --find-links "$house" boto3
    args+=(--python "$v=$work/venv$v/bin/python")
    [ "$v" != 3.13 ] || have313=1
  done
  if [ $have313 = 0 ]; then
    python3 scripts/debian-root.py --mirror "$mirror" --suite trixie --arch amd64 --cache "$cache" \
      --root "$plat/trixie-amd64" python3.13 >/dev/null
    local r=$plat/trixie-amd64
    local run="$r/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 --library-path $r/usr/lib/x86_64-linux-gnu $r/usr/bin/python3.13"
    $run "$(pip_wheel 3.13)/pip" install -q --no-index --find-links "$house" --target "$work/site3.13" boto3
    args+=(--python "3.13=$run" --site "3.13=$work/site3.13")
  fi
  (cd "$work" && "$py" "$root/examples/aws/tests/smoke_artifacts.py" --zips "$work/dist" --arch x86_64 "${args[@]}")
  if [ "${STEPSTONE_AWS_ARM64:-0}" = 1 ]; then
    python3 scripts/debian-root.py --mirror "$mirror" --suite bookworm --arch arm64 --cache "$cache" \
      --root "$plat/bookworm-arm64" python3.11 >/dev/null
    local qemu
    qemu=$(command -v qemu-aarch64 || command -v qemu-aarch64-static || true)
    if [ -z "$qemu" ]; then
      python3 scripts/debian-root.py --suite bookworm --arch amd64 --cache "$cache" \
        --root "$plat/qemu" --only ./usr/bin/qemu-aarch64-static qemu-user-static >/dev/null
      qemu=$plat/qemu/usr/bin/qemu-aarch64-static
    fi
    local arm="$qemu -L $plat/bookworm-arm64 $plat/bookworm-arm64/usr/bin/python3.11"
    $arm "$(pip_wheel 3.11)/pip" install -q --no-index --find-links "$house" --target "$work/site-arm64" boto3
    (cd "$work" && "$py" "$root/examples/aws/tests/smoke_artifacts.py" --zips "$work/dist" --arch arm64 \
      --python "3.11=$arm" --site "3.11=$work/site-arm64")
  fi
}

load() {
  # shellcheck disable=SC2086
  (cd "$work" && "$py" "$root/examples/aws/tests/loadtest.py" ${STEPSTONE_AWS_LOAD:---devices 120 --min-events 2400})
}

pytests() {
  (cd "$work" && "$py" -m pytest -q -p no:cacheprovider -p no:logging "$root/examples/aws/tests")
}

stage "aws: cfn-lint on the template" lint
stage "aws: the manylinux2014 abi3 wheel (${arches[*]})" wheels
stage "aws: deployment zips (examples/aws/build.sh)" artifacts
stage "aws: the zips in fresh Pythons (3.11-3.13), a smoke event each" fresh
[ "${STEPSTONE_AWS_PYTEST:-0}" != 1 ] || stage "aws: moto suites (signer, scheduler, stack)" pytests
stage "aws: load test (concurrent workers, duplicates, reordering, throttling)" load
