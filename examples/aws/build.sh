#!/usr/bin/env bash
# Builds the Lambda deployment zips of the signer and the scheduler, for x86_64 and arm64, from
# the manylinux2014 abi3 stepstone wheels: no compiler is needed on this machine, only Python 3
# with pip. One zip per function and architecture serves the python3.11, 3.12 and 3.13 runtimes
# (the wheel is cp39-abi3; pip is asked to accept it for each of the three).
#
#   examples/aws/build.sh [--arch x86_64|arm64|all] [--wheels DIR] [--out DIR] [--with-boto3]
#
#   --wheels DIR   where the stepstone wheels are: stepstone-*-manylinux2014_x86_64*.whl and/or
#                  stepstone-*-manylinux2014_aarch64*.whl (CI's wheels, or `pip download`ed).
#                  Also STEPSTONE_WHEEL_X86_64=PATH / STEPSTONE_WHEEL_AARCH64=PATH for one file.
#                  Default: dist/wheels/. With neither, and STEPSTONE_BUILD_WHEELS=1, the wheels
#                  are built here with maturin + zig (scripts/setup-python.sh installs both), as
#                  scripts/test-python.sh builds the x86_64 one.
#   --out DIR      default dist/aws/: signer-<arch>.zip, scheduler-<arch>.zip, SHA256SUMS
#   --with-boto3   bundle boto3 (the Lambda Python runtimes include one; bundle it to pin yours)
#
# Then upload the zips and deploy (examples/aws/README.md):
#   aws s3 cp dist/aws/ s3://ARTIFACT_BUCKET/stepstone-fota/ --recursive --exclude '*' --include '*.zip'
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
arch=all
wheels=${STEPSTONE_WHEELS:-$root/dist/wheels}
out=$root/dist/aws
boto3=0
while [ $# -gt 0 ]; do
  case $1 in
    --arch) arch=$2; shift 2 ;;
    --wheels) wheels=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --with-boto3) boto3=1; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case $arch in
  all) arches=(x86_64 arm64) ;;
  x86_64|arm64) arches=("$arch") ;;
  *) echo "build.sh: --arch is x86_64, arm64 or all" >&2; exit 2 ;;
esac
py=${PYTHON:-python3}
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

wheel_for() { # lambda-arch -> the stepstone wheel for it (found, given, or built)
  local m=$1 given found
  given=$([ "$m" = x86_64 ] && echo "${STEPSTONE_WHEEL_X86_64:-}" || echo "${STEPSTONE_WHEEL_AARCH64:-}")
  [ -n "$given" ] && { echo "$given"; return; }
  found=$(ls "$wheels"/stepstone-*-manylinux2014_"$m"*.whl 2>/dev/null | sort | tail -n 1 || true)
  [ -n "$found" ] && { echo "$found"; return; }
  if [ "${STEPSTONE_BUILD_WHEELS:-0}" = 1 ]; then
    rustup target add "$m-unknown-linux-gnu" >&2
    "$py" -m maturin build --release --zig --compatibility manylinux2014 --target "$m-unknown-linux-gnu" \
      -m "$root/bindings/python/Cargo.toml" -o "$wheels" >&2
    ls "$wheels"/stepstone-*-manylinux2014_"$m"*.whl | sort | tail -n 1
    return
  fi
  echo "build.sh: no manylinux2014 $m stepstone wheel in $wheels (give --wheels DIR, STEPSTONE_WHEEL_*=PATH," \
       "or STEPSTONE_BUILD_WHEELS=1 to build it with maturin)" >&2
  return 1
}

# A zip with sorted entries and fixed times: the same inputs give the same bytes.
zipdir() { # dir zip
  "$py" - "$1" "$2" <<'EOF'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    for base, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(".pyc") or "__pycache__" in base:
                continue
            path = os.path.join(base, f)
            info = zipfile.ZipInfo(os.path.relpath(path, src), date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as fh:
                z.writestr(info, fh.read())
EOF
}

for a in "${arches[@]}"; do
  m=$([ "$a" = x86_64 ] && echo x86_64 || echo aarch64)
  whl=$(wheel_for "$m")
  echo "::: $a: $(basename "$whl")"
  deps=$tmp/deps-$a
  # The line that matters: pip picks the manylinux2014 wheel for the Lambda platform, never a
  # source build. Done for each runtime's Python version; the abi3 wheel installs the same files.
  for v in 3.11 3.12 3.13; do
    rm -rf "$tmp/check"
    "$py" -m pip install -q --disable-pip-version-check --no-deps --no-compile \
      --platform "manylinux2014_$m" --implementation cp --python-version "$v" --abi abi3 \
      --only-binary=:all: --target "$tmp/check" "$whl"
  done
  mv "$tmp/check" "$deps"
  rm -f "$deps"/stepstone-*.dist-info/direct_url.json  # pip's note of the local wheel path
  if [ "$boto3" = 1 ]; then
    "$py" -m pip install -q --disable-pip-version-check --no-compile \
      --platform "manylinux2014_$m" --implementation cp --python-version 3.11 \
      --only-binary=:all: --target "$deps" boto3
  fi
  for fn in signer scheduler; do
    d=$tmp/$fn-$a
    mkdir -p "$d"
    cp -r "$deps"/. "$d"/
    cp "$here/$fn/handler.py" "$d/handler.py"
    rm -f "$out/$fn-$a.zip"
    zipdir "$d" "$out/$fn-$a.zip"
    echo "  $out/$fn-$a.zip ($(( $(wc -c < "$out/$fn-$a.zip") / 1024 )) KiB)"
  done
done
(cd "$out" && sha256sum ./*.zip | sed 's# \./# #' > SHA256SUMS)
echo "::: handler: handler.handler (both functions); runtimes python3.11, python3.12, python3.13"
