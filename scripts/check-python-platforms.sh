#!/usr/bin/env bash
# The abi3 wheel on the Pythons and platforms it promises (CPython 3.9+, manylinux x86_64 and
# aarch64), on a machine that has neither: each check pip-installs the wheel into a CPython of
# another Debian release and runs the wheel's suite (bindings/python/tests: every conformance
# vector plus the API tests) with it, from outside the source tree.
#
#   x86_64        CPython 3.9.2 from Debian 11 (bullseye, glibc 2.31), run through bullseye's
#                 own ld.so, so the wheel is loaded against glibc 2.31, not this machine's.
#                 About half a minute once cached; a stage of scripts/test-python.sh.
#   aarch64       CPython 3.11.2 from Debian 12 (bookworm, arm64, glibc 2.36) under qemu-user
#                 (`qemu-aarch64 -L ROOT`).
#   aarch64-py39  CPython 3.9.2 from Debian 11 (bullseye, arm64, glibc 2.31) under qemu-user.
#   The aarch64 checks take minutes (a cross build, then pip and pytest emulated): by hand only.
#
# Usage: scripts/check-python-platforms.sh [x86_64] [aarch64] [aarch64-py39]   (default: all)
#   STEPSTONE_WHEEL_X86_64=PATH, STEPSTONE_WHEEL_AARCH64=PATH: check this wheel instead of
#   building one. Otherwise each wheel is built with `maturin build --release --zig
#   --compatibility manylinux2014 --target <arch>-unknown-linux-gnu` into target/wheels-<arch>/
#   (needs scripts/setup-python.sh; installs ziglang into the venv and adds the Rust target).
#   STEPSTONE_DEBIAN_MIRROR=URL: another Debian mirror (default http://deb.debian.org/debian; once
#   bullseye leaves it, http://archive.debian.org/debian).
#
# For each platform it prints the wheel's tags (WHEEL file, the extension's ELF machine and the
# newest glibc symbol it needs), `auditwheel show`, then pytest's summary; at the end one line per
# platform with its counts. Exit status is non-zero if a wheel does not install or a test fails.
#
# Idempotent. Everything it downloads is cached under target/platforms/ (Debian packages, checked
# against Debian's archive keyring and SHA-256 by scripts/debian-root.py; pip, pytest and numpy
# wheels for each target Python), so a second run needs no network. The system is not changed:
# no apt, no binfmt; qemu-aarch64 is used from PATH if present, else unpacked from Debian's
# qemu-user-static into target/platforms/qemu/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
py=${STEPSTONE_VENV:-$root/.venv}/bin/python
export PATH="$(dirname "$py"):$PATH"   # maturin finds zig as the venv's `python -m ziglang`
export PIP_ROOT_USER_ACTION=ignore     # the target Pythons' pip installs into a --target folder
plat=$root/target/platforms
mirror=${STEPSTONE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=$plat/cache
mkdir -p "$cache"
platforms=("$@")
[ ${#platforms[@]} -gt 0 ] || platforms=(x86_64 aarch64 aarch64-py39)
summary=()
status=0

# A CPython of the given Debian suite/arch, unpacked under target/platforms/<suite>-<arch>.
userland() { # suite arch packages...
  local suite=$1 arch=$2; shift 2
  python3 scripts/debian-root.py --mirror "$mirror" --suite "$suite" --arch "$arch" \
    --cache "$cache" --root "$plat/$suite-$arch" "$@"
}

wheel_for() { # arch -> path of the wheel to check (built unless given)
  local arch=$1 given
  given=$([ "$arch" = x86_64 ] && echo "${STEPSTONE_WHEEL_X86_64:-}" || echo "${STEPSTONE_WHEEL_AARCH64:-}")
  if [ -n "$given" ]; then echo "$given"; return; fi
  "$py" -c 'import ziglang' 2>/dev/null || "$py" -m pip install -q ziglang >&2
  rustup target add "$arch-unknown-linux-gnu" >&2
  rm -rf "target/wheels-$arch"
  "$py" -m maturin build --release --zig --compatibility manylinux2014 \
    --target "$arch-unknown-linux-gnu" -m bindings/python/Cargo.toml -o "target/wheels-$arch" >&2
  ls "target/wheels-$arch"/stepstone-*.whl
}

describe() { # wheel arch: tags, ELF machine, newest glibc symbol, auditwheel's verdict
  "$py" - "$1" "$2" <<'EOF'
import re, sys, zipfile
path, arch = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(path)
wheel = next(n for n in z.namelist() if n.endswith(".dist-info/WHEEL"))
tags = [l.split(": ", 1)[1] for l in z.read(wheel).decode().splitlines() if l.startswith("Tag: ")]
so = next(n for n in z.namelist() if n.endswith(".so"))
elf = z.read(so)
machine = {62: "x86_64", 183: "aarch64"}.get(int.from_bytes(elf[18:20], "little"), "?")
glibc = max((tuple(map(int, v.split("."))) for v in re.findall(rb"GLIBC_([0-9.]+)\x00", elf)
             for v in [v.decode()]), default=())
print(f"  wheel    {path.rsplit('/', 1)[-1]}")
print(f"  tags     {', '.join(tags)}")
print(f"  module   {so} ({len(elf) // 1024} KiB, ELF {machine}, "
      f"newest symbol GLIBC_{'.'.join(map(str, glibc))})")
ok = (machine == arch and bool(tags) and all(t.startswith("cp39-abi3-") for t in tags)
      and f"cp39-abi3-manylinux2014_{arch}" in tags and glibc <= (2, 17))
if not ok:
    sys.exit(f"  the wheel is not a cp39-abi3 manylinux2014 {arch} wheel")
EOF
  "$py" -c 'import auditwheel' 2>/dev/null || "$py" -m pip install -q auditwheel
  "$py" -m auditwheel show "$1" | sed '/In order to achieve/,$d; /^$/d; s/^/  auditwheel: /'
}

# pip-installs the wheel (and pytest, numpy) with the target Python's own pip into a fresh
# site-packages, then runs the suite from a temporary folder. $run is the target Python.
install_and_test() { # name wheel site wheelhouse pip-wheel run...
  local name=$1 wheel=$2 site=$3 house=$4 pipwhl=$5; shift 5
  local pip=("$@" "$pipwhl/pip" --disable-pip-version-check --no-input)
  if [ ! -f "$house/.complete" ]; then
    "${pip[@]}" download -q --only-binary=:all: -d "$house" pytest numpy
    touch "$house/.complete"
  fi
  rm -rf "$site"
  "${pip[@]}" install -q --no-index --find-links "$house" --target "$site" pytest numpy "$wheel"
  local tmp rc=0 out
  tmp=$(mktemp -d)
  out=$(cd "$tmp" && PYTHONPATH=$site PYTHONNOUSERSITE=1 PYTHONDONTWRITEBYTECODE=1 \
    "$@" -m pytest -q -p no:cacheprovider -rs "$root/bindings/python/tests" 2>&1) || rc=$?
  rm -rf "$tmp"
  echo "$out" | tail -n 25
  "$@" -c 'import sys, platform; print(f"  python {platform.python_version()} {platform.machine()} {platform.libc_ver()[0]} {platform.libc_ver()[1]}")'
  summary+=("$name: $(echo "$out" | tail -n 1 | sed 's/^=* *//; s/ *=*$//') (exit $rc)")
  [ $rc -eq 0 ] || status=1
}

pip_wheel() { # python-version -> a pip wheel that runs on it (run as `python PIP.whl/pip`)
  local d=$cache/pip-$1
  if ! ls "$d"/pip-*.whl >/dev/null 2>&1; then
    "$py" -m pip download -q --no-deps --only-binary=:all: --python-version "$1" -d "$d" pip
  fi
  ls "$d"/pip-*.whl
}

# One platform: the wheel for ARCH, a CPython VERSION from Debian SUITE.
check() { # name arch suite version
  local name=$1 arch=$2 suite=$3 ver=$4 deb r run qemu
  echo "::: $name: CPython $ver from Debian $suite, $arch"
  [ -n "${wheels[$arch]:-}" ] || wheels[$arch]=$(wheel_for "$arch")
  describe "${wheels[$arch]}" "$arch"
  deb=$([ "$arch" = x86_64 ] && echo amd64 || echo arm64)
  # libstdc++6: numpy's extension needs it (the stepstone wheel needs only libc). On 3.9 pip
  # needs distutils, which Debian ships apart from the standard library.
  local pkgs=("python$ver" libstdc++6)
  [ "$ver" != 3.9 ] || pkgs+=(python3-distutils)
  userland "$suite" "$deb" "${pkgs[@]}"
  r=$plat/$suite-$deb
  if [ "$arch" = x86_64 ]; then
    # The root's own ld.so and libraries: the wheel loads against the suite's glibc.
    run=("$r/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
         --library-path "$r/lib/x86_64-linux-gnu:$r/usr/lib/x86_64-linux-gnu" "$r/usr/bin/python$ver")
  else
    qemu=$(command -v qemu-aarch64 || command -v qemu-aarch64-static || true)
    if [ -z "$qemu" ]; then
      python3 scripts/debian-root.py --suite bookworm --arch amd64 --cache "$cache" \
        --root "$plat/qemu" --only ./usr/bin/qemu-aarch64-static qemu-user-static
      qemu=$plat/qemu/usr/bin/qemu-aarch64-static
    fi
    run=("$qemu" -L "$r" "$r/usr/bin/python$ver")
  fi
  install_and_test "CPython $ver $arch ($suite)" "${wheels[$arch]}" \
    "$plat/site-$name/site-packages" "$cache/wheels-cp${ver/./}-$arch" "$(pip_wheel "$ver")" "${run[@]}"
}

declare -A wheels=()
for p in "${platforms[@]}"; do
  t0=$SECONDS
  case $p in
    x86_64) check "$p" x86_64 bullseye 3.9 ;;
    aarch64) check "$p" aarch64 bookworm 3.11 ;;
    aarch64-py39) check "$p" aarch64 bullseye 3.9 ;;
    *) echo "unknown platform $p (x86_64, aarch64, aarch64-py39)" >&2; exit 2 ;;
  esac
  echo "::: $p: $((SECONDS - t0)) s"
done

echo "::: summary"
printf '  %s\n' "${summary[@]}"
exit $status
