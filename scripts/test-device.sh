#!/usr/bin/env bash
# The device port: header is current, MCUboot images made now by imgtool 2.5.0 (good and broken
# ones) through core and stepstone_mcuboot_check, host C test over the vector subset,
# attacks.json and those MCUboot images, the
# firmware library of every Cortex-M profile (scripts/device-profiles.sh: M0, M3, M4 soft and
# hard float, M33 soft and hard float), each run on its QEMU board over the same vectors (each
# image prints "GROUP: N passed, M failed" per group, "attacks: ..." among them, then
# "N passed, M failed"; each profile "NAME: N passed, 0 failed"), the C example of the whole
# device flow (device-port/examples/device_flow.c) built and run on the host and on the
# Cortex-M4F under QEMU over fixtures the CLI makes here, then the size report of every profile,
# which fails when flash, static RAM or peak stack is over its budget.
set -euo pipefail
cd "$(dirname "$0")/.."
# cargo's target directory, as cargo reads CARGO_TARGET_DIR (absolute here).
td=$(mkdir -p "${CARGO_TARGET_DIR:-target}" && cd "${CARGO_TARGET_DIR:-target}" && pwd -P)
export CARGO_TARGET_DIR=$td
out=target/device-test
mkdir -p "$out"
. scripts/device-profiles.sh
# The test firmware's flags besides the CPU's (each profile's are in device-profiles.sh).
fw_flags=(-Os -std=gnu11 -Wall -Wextra -Werror -ffunction-sections -fdata-sections
  -I device-port/include -I device-port/tests -I "$out")
profile m4f
# shellcheck disable=SC2206
arm_flags=($P_CFLAGS "${fw_flags[@]}")

echo "-- header is what cbindgen generates"
cbindgen --quiet --config device-port/cbindgen.toml --crate stepstone-device \
  --output device-port/include/stepstone.h device-port
git diff --exit-code -- device-port/include/stepstone.h

# The number of a status, from the header: status MANIFEST_DIGEST_MISMATCH -> 61.
status() { sed -n "s/^ *STEPSTONE_ERR_$1 = \([0-9]*\),\$/\1/p" device-port/include/stepstone.h; }

echo "-- vectors"
cargo build -q -p stepstone-cli
python3 device-port/tests/gen_vectors.py $td/debug/stepstone "$out/vectors.h"

echo "-- MCUboot images, made now by imgtool (device-port/tests/mcuboot_images.py)"
venv=${STEPSTONE_DEVICE_VENV:-$PWD/.venv-device}
echo "  imgtool $("$venv/bin/imgtool" version)"
[ "$("$venv/bin/imgtool" version)" = 2.5.0 ] || { echo "FAIL: imgtool is not 2.5.0"; exit 1; }
rm -rf "$out/mcuboot"
"$venv/bin/python" device-port/tests/mcuboot_images.py "$out/mcuboot" | sed 's/^/  /'
cp "$out/mcuboot/mcuboot_vectors.h" "$out/"
mcuboot_cases=$(wc -l <"$out/mcuboot/cases.tsv")
# Every MCUboot case ran, and none failed.
mcuboot_ran() {
  grep -qx "mcuboot: $mcuboot_cases passed, 0 failed" "$1" ||
    { echo "FAIL: $1: not all $mcuboot_cases MCUboot images checked and passed"; exit 1; }
}
echo "-- MCUboot images through core and stepstone_mcuboot_check (Rust)"
STEPSTONE_DEVICE_VENV=$venv cargo test -q -p stepstone-device --test mcuboot_imgtool -- --ignored 2>&1 |
  grep -E '^test result|MCUboot images|FAIL|panicked' | sed 's/^/  /'
[ "${PIPESTATUS[0]}" = 0 ] || { echo "FAIL: cargo test --test mcuboot_imgtool"; exit 1; }

echo "-- host C test"
cargo build -q -p stepstone-device
host_lib=($td/debug/libstepstone_device.a -lpthread -ldl -lm)
cc -std=c11 -Wall -Wextra -Werror -I device-port/include -I device-port/tests -I "$out" \
  device-port/tests/host_test.c "${host_lib[@]}" -o "$out/host_test"
"$out/host_test" | tee "$out/host.log"
# Every attack of attacks.json ran, and none failed (the Rust runner asserts at least 30).
attacks_ran() {
  local n
  n=$(sed -n 's/^attacks: \([0-9]*\) passed, 0 failed$/\1/p' "$1")
  [ -n "$n" ] && [ "$n" -ge 30 ] || { echo "FAIL: $1: attacks.json not all run and passed"; exit 1; }
}
attacks_ran "$out/host.log"
mcuboot_ran "$out/host.log"

# Feature test-panic's library (stepstone_test_panic() panics) for the panic hook check below;
# built before the product libraries, which the same cargo output path then holds again.
cargo rustc -q -p stepstone-device --crate-type staticlib --no-default-features \
  --features test-panic --target thumbv6m-none-eabi --profile device
cp "$td/thumbv6m-none-eabi/device/libstepstone_device.a" "$out/libstepstone_device-test-panic.a"

echo "-- firmware libraries, every profile (scripts/device-profiles.sh)"
# shellcheck disable=SC2046
mapfile -t libs < <(bash scripts/device-lib.sh $(device_targets))
dist=$(dirname "$(dirname "$(dirname "${libs[0]}")")")
lib_of() { echo "$dist/lib/$1/libstepstone_device.a"; }
for l in "${libs[@]}"; do echo "  $l"; done
# CARGO_TARGET_DIR as cargo reads it (relative to the current directory); the path printed is
# absolute.
rel=$(realpath --relative-to=device-port "$td")
got=$(cd device-port && CARGO_TARGET_DIR=$rel bash ../scripts/device-lib.sh thumbv7em-none-eabihf)
[ "$got" = "$(lib_of thumbv7em-none-eabihf)" ] && [ "${got#/}" != "$got" ] && [ -f "$got" ] ||
  { echo "FAIL: device-lib.sh with CARGO_TARGET_DIR=$rel from device-port/ printed $got"; exit 1; }

echo "-- link time: each library exports its API and nothing else (nm), the firmware keeps its libc"
# The global symbols an archive defines, "TYPE NAME" a line (T strong, W weak, ...).
exports() { arm-none-eabi-nm -g --defined-only "$1" | awk 'NF == 3 { print $2, $3 }' | LC_ALL=C sort -u; }
# The functions the header declares.
header_api=$(grep -o '^[a-zA-Z].*\bstepstone_[a-z0-9_]*(' device-port/include/stepstone.h |
  grep -o 'stepstone_[a-z0-9_]*($' | tr -d '(' | LC_ALL=C sort -u)
for target in $(device_targets); do
  lib=$(lib_of "$target")
  defined=$(exports "$lib")
  mem=$(awk '$2 ~ /^(memcpy|memset|memcmp|memmove)$/' <<<"$defined")
  [ -z "$mem" ] || { echo "FAIL: $target: the library defines the libc functions: $mem"; exit 1; }
  foreign=$(awk '$2 !~ /^(__)?stepstone_/' <<<"$defined")
  [ -z "$foreign" ] ||
    { echo "FAIL: $target: global symbols outside stepstone_ and __stepstone_:"; head <<<"$foreign"; exit 1; }
  api=$(awk '$2 ~ /^stepstone_/ { print $2 }' <<<"$defined" | LC_ALL=C sort -u)
  [ "$api" = "$header_api" ] ||
    { echo "FAIL: $target: the API symbols are not the header's functions"; diff <(echo "$api") <(echo "$header_api"); exit 1; }
  grep -qx 'W stepstone_panic_hook' <<<"$defined" ||
    { echo "FAIL: $target: stepstone_panic_hook is not a weak definition"; exit 1; }
  # Every symbol the archive refers to, it defines itself: it needs no libc.
  outside=$(arm-none-eabi-nm -u "$lib" | awk 'NF >= 2 { print $NF }' | LC_ALL=C sort -u |
    LC_ALL=C comm -23 - <(awk '{ print $2 }' <<<"$defined" | LC_ALL=C sort -u))
  [ -z "$outside" ] || { echo "FAIL: $target: the library needs from outside: $outside"; exit 1; }
  echo "  $target: $(wc -l <<<"$api") API functions (stepstone_panic_hook weak)," \
    "$(grep -c ' __stepstone_' <<<"$defined") private __stepstone_* symbols, no libc name, nothing needed from outside"
done
# Where the linker takes memcpy, memset, memcmp and memmove from, for a firmware that calls them
# and links library $1 (profile $2) before newlib: "NAME ARCHIVE" a line.
mem_from() {
  profile "$2"
  # shellcheck disable=SC2086
  arm-none-eabi-gcc $P_CFLAGS -Os -I device-port/include device-port/tests/link_order.c "$1" \
    -L device-port/firmware -T "$P_BOARD.ld" --specs=nosys.specs -Wl,-e,main -Wl,--gc-sections \
    -Wl,--no-warn-execstack -Wl,--trace-symbol=memcpy -Wl,--trace-symbol=memset \
    -Wl,--trace-symbol=memcmp -Wl,--trace-symbol=memmove -o "$out/link-order.elf" 2>&1 |
    sed -n 's/^.*[/ ]\([^/ ]*\.a\)(.*): definition of \(mem[a-z]*\)$/\2 \1/p' | LC_ALL=C sort
}
libc_mem=$'memcmp libc.a\nmemcpy libc.a\nmemmove libc.a\nmemset libc.a'
for p in $DEVICE_PROFILES; do
  profile "$p"
  got=$(mem_from "$(lib_of "$P_TARGET")" "$p")
  [ "$got" = "$libc_mem" ] ||
    { echo "FAIL: $p: with the library first, memory functions from: $got"; exit 1; }
done
echo "  every profile, library linked before newlib: memcpy, memset, memcmp, memmove from libc.a"
# The control: cargo's own archive, before packaging, does take them over (so the check above
# can fail).
got=$(mem_from "$td/thumbv6m-none-eabi/device/libstepstone_device.a" m0)
[ "$(awk '{ print $2 }' <<<"$got" | sort -u)" = libstepstone_device.a ] && [ "$(wc -l <<<"$got")" = 4 ] ||
  { echo "FAIL: control: cargo's archive was expected to supply all four, got: $got"; exit 1; }
echo "  control: cargo's unpackaged archive, same link: all four from libstepstone_device.a"

echo "-- panic: the firmware's stepstone_panic_hook is called, then the port halts (Cortex-M0)"
profile m0
for hook in with without; do
  # shellcheck disable=SC2086
  arm-none-eabi-gcc $P_CFLAGS "${fw_flags[@]}" $([ $hook = with ] && echo -DWITH_HOOK) \
    device-port/firmware/startup.c device-port/tests/panic_hook.c \
    "$out/libstepstone_device-test-panic.a" -L device-port/firmware -T "$P_BOARD.ld" \
    --specs=rdimon.specs -nostartfiles -Wl,--gc-sections -Wl,--no-warn-execstack \
    -o "$out/panic-$hook.elf"
  rc=0
  timeout 3 qemu-system-arm -machine "$P_BOARD" -nographic -icount shift=0 \
    -semihosting-config enable=on,target=native -kernel "$out/panic-$hook.elf" \
    >"$out/panic-$hook.log" 2>/dev/null || rc=$?
  if [ $hook = with ]; then
    [ $rc = 97 ] && grep -qx 'stepstone_panic_hook called' "$out/panic-$hook.log" ||
      { echo "FAIL: panic with a hook: exit $rc"; cat "$out/panic-$hook.log"; exit 1; }
    echo "  with the firmware's hook: called (exit 97)"
  else
    [ $rc = 124 ] && ! grep -q 'returned' "$out/panic-$hook.log" ||
      { echo "FAIL: panic without a hook: exit $rc, want a halt"; cat "$out/panic-$hook.log"; exit 1; }
    echo "  with the weak default: halted (still spinning when stopped after 3 s)"
  fi
done

echo "-- every profile on QEMU, the same vectors (-icount: instructions per call)"
# Builds the test firmware of profile $1 with VECTOR_GROUPS=$2 into $3.
firmware() {
  profile "$1"
  # shellcheck disable=SC2086
  arm-none-eabi-gcc $P_CFLAGS "${fw_flags[@]}" -DVECTOR_GROUPS="$2" -DBOARD="\"$P_BOARD\"" \
    device-port/firmware/startup.c device-port/firmware/main.c "$(lib_of "$P_TARGET")" \
    -L device-port/firmware -T "$P_BOARD.ld" --specs=rdimon.specs -nostartfiles \
    -Wl,--gc-sections -Wl,--no-warn-execstack -o "$3"
}
# Runs a test firmware on QEMU's machine $2 (-icount shift=0: one virtual ns per instruction,
# what main.c's instruction counts stand on); its output goes to $3.
qemu() {
  local rc=0
  timeout 300 qemu-system-arm -machine "$2" -nographic -icount shift=0 \
    -semihosting-config enable=on,target=native -kernel "$1" >"$3" || rc=$?
  return $rc
}
# Every image of every profile; a profile's images together must run what the M4F's one image
# runs (the reference: its count), each with 0 failed.
reference=
for p in m4f $(echo "$DEVICE_PROFILES" | tr ' ' '\n' | grep -vx m4f); do
  profile "$p"
  total=0
  for groups in $P_IMAGES; do
    elf="$out/fw-$p-$groups.elf" log="$out/qemu-$p-$groups.log"
    firmware "$p" "$groups" "$elf"
    rc=0
    qemu "$elf" "$P_BOARD" "$log" || rc=$?
    n=$(sed -n 's/^\([0-9]*\) passed, 0 failed$/\1/p' "$log")
    if [ "$rc" != 0 ] || [ -z "$n" ]; then
      grep -E '^(FAIL|FAULT)|passed' "$log" || tail -n 20 "$log"
      echo "FAIL: $p ($P_BOARD) image $groups: exit $rc"
      exit 1
    fi
    if [ $((groups & 16)) != 0 ]; then attacks_ran "$log"; fi
    if [ $((groups & 32)) != 0 ]; then mcuboot_ran "$log"; fi
    total=$((total + n))
  done
  reference=${reference:-$total}
  [ "$total" = "$reference" ] ||
    { echo "FAIL: $p ran $total checks, the M4F $reference"; exit 1; }
  verify=$(sed -n 's/^instructions per ECDSA verify: //p' "$out"/qemu-"$p"-*.log)
  stack=$(sed -n 's/^peak stack: \([0-9]*\) bytes$/\1/p' "$out"/qemu-"$p"-*.log | sort -n | tail -n 1)
  printf '  %-5s %-42s %-11s images %-5s peak stack %5s B, ECDSA verify %9s instructions\n' \
    "$p" "$P_CPU" "$P_BOARD" "$(echo $P_IMAGES | tr ' ' +)" "$stack" "$verify"
  echo "$p: $total passed, 0 failed"
done

echo "-- CMake: stepstone::device (device-port/cmake), the QEMU firmware for the M4F and the M0"
cmake -P device-port/cmake/tests/rust-target.cmake 2>&1 | sed 's/^/  rust-target: /'
rc=0
cmake -DFLAGS="-mcpu=cortex-m3 -mfloat-abi=hard" -P device-port/cmake/tests/rust-target.cmake \
  >"$out/cmake-m3-hard.log" 2>&1 || rc=$?
[ $rc != 0 ] && grep -q 'which has no FPU' "$out/cmake-m3-hard.log" ||
  { echo "FAIL: -mfloat-abi=hard on a Cortex-M3 was accepted"; exit 1; }
echo "  -mfloat-abi=hard on a Cortex-M3: refused at configure time"
for p in m4f m0; do
  profile "$p"
  build="$out/cmake-$p"
  rm -rf "$build"
  cmake -S device-port/firmware -B "$build" \
    -DCMAKE_TOOLCHAIN_FILE="$PWD/device-port/cmake/toolchains/arm-none-eabi.cmake" \
    -DARM_CPU_FLAGS="$P_CFLAGS" -DBOARD="$P_BOARD" -DVECTOR_IMAGES="${P_IMAGES// /;}" \
    -DVECTORS_DIR="$PWD/$out" -DSTEPSTONE_CARGO_TARGET_DIR="$td" >"$build.log"
  grep -q "^-- stepstone::device: $P_TARGET (from CMAKE_C_FLAGS: " "$build.log" ||
    { echo "FAIL: CMake $p: the toolchain's flags did not select $P_TARGET"; cat "$build.log"; exit 1; }
  cmake --build "$build" >>"$build.log" 2>&1 || { cat "$build.log"; exit 1; }
  grep -q "cargo: stepstone-device for $P_TARGET" "$build.log" ||
    { echo "FAIL: CMake $p: the library was not built through cargo"; exit 1; }
  total=0
  for groups in $P_IMAGES; do
    log="$out/qemu-cmake-$p-$groups.log"
    rc=0
    qemu "$build/fw-$groups.elf" "$P_BOARD" "$log" || rc=$?
    n=$(sed -n 's/^\([0-9]*\) passed, 0 failed$/\1/p' "$log")
    [ "$rc" = 0 ] && [ -n "$n" ] ||
      { grep -E '^(FAIL|FAULT)|passed' "$log"; echo "FAIL: CMake $p image $groups: exit $rc"; exit 1; }
    total=$((total + n))
  done
  [ "$total" = "$reference" ] || { echo "FAIL: CMake $p ran $total checks, want $reference"; exit 1; }
  echo "  $p: $P_TARGET chosen from ARM_CPU_FLAGS=\"$P_CFLAGS\", built by cargo, $P_BOARD"
  echo "cmake-$p: $total passed, 0 failed"
done
# The prebuilt layout (scripts/device-lib.sh's output, no cargo): the same M4F firmware, byte for
# byte.
build="$out/cmake-m4f-prebuilt"
rm -rf "$build"
profile m4f
cmake -S device-port/firmware -B "$build" \
  -DCMAKE_TOOLCHAIN_FILE="$PWD/device-port/cmake/toolchains/arm-none-eabi.cmake" \
  -DARM_CPU_FLAGS="$P_CFLAGS" -DBOARD="$P_BOARD" -DVECTORS_DIR="$PWD/$out" \
  -DSTEPSTONE_DEVICE_PREBUILT="$dist" >"$build.log"
cmake --build "$build" >>"$build.log" 2>&1 || { cat "$build.log"; exit 1; }
! grep -q "cargo: stepstone-device" "$build.log" || { echo "FAIL: the prebuilt build ran cargo"; exit 1; }
arm-none-eabi-objcopy -O binary "$build/fw-63.elf" "$out/fw-prebuilt.bin"
arm-none-eabi-objcopy -O binary "$out/cmake-m4f/fw-63.elf" "$out/fw-cargo.bin"
cmp -s "$out/fw-prebuilt.bin" "$out/fw-cargo.bin" ||
  { echo "FAIL: the M4F firmware differs between the prebuilt layout and cargo"; exit 1; }
echo "  m4f from the prebuilt layout ($dist): the same image as through cargo"

echo "-- C example: the whole device flow (device-port/examples/device_flow.c)"
bash device-port/examples/make-fixtures.sh $td/debug/stepstone "$out/fixtures" 2>/dev/null
cc -std=c11 -Wall -Wextra -Werror -pedantic -I device-port/include \
  device-port/examples/device_flow.c "${host_lib[@]}" -o "$out/device_flow"
# The same program on the Cortex-M4: newlib's semihosting runtime gives it the host's files.
arm-none-eabi-gcc "${arm_flags[@]}" -std=c11 -Werror -pedantic -c device-port/examples/device_flow.c \
  -o "$out/device_flow.o"
arm-none-eabi-gcc "${arm_flags[@]}" -Werror device-port/examples/qemu-boot.c "$out/device_flow.o" \
  "$(lib_of thumbv7em-none-eabihf)" -L device-port/firmware -T mps2-an386.ld --specs=rdimon.specs \
  -Wl,--gc-sections -Wl,--no-warn-execstack -o "$out/device_flow.elf"
flow_host() { "$out/device_flow" "$@"; }
flow_qemu() {
  timeout 120 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
    -semihosting-config "enable=on,target=native,arg=device_flow,arg=$1,arg=$2" \
    -kernel "$out/device_flow.elf"
}
flow() { # RUNNER DEVICE_DIR SERVER WANT_EXIT WANT_TEXT
  local rc=0
  "$1" "$2" "$out/fixtures/$3" >"$out/flow.log" 2>&1 || rc=$?
  sed 's/^/  /' "$out/flow.log"
  { [ "$rc" = "$4" ] && grep -qF "$5" "$out/flow.log"; } ||
    { echo "FAIL: $1 $3: exit $rc, want $4 and '$5'"; exit 1; }
}
for runner in flow_host flow_qemu; do
  dev="$out/flow-device-$runner"
  rm -rf "$dev" && mkdir -p "$dev" && cp "$out/fixtures/device/"*.der "$dev/"
  echo "$runner: an image changed after signing, then v66003, an older catalog, v67000, again"
  flow "$runner" "$dev" tampered 1 "refused at image: status $(status MANIFEST_DIGEST_MISMATCH) "
  [ ! -e "$dev/counter" ] && [ ! -e "$dev/slot.new" ] || { echo "FAIL: refused image kept"; exit 1; }
  flow "$runner" "$dev" server 0 "installed v66003;"
  flow "$runner" "$dev" older 1 "refused at catalog: status $(status CATALOG_ROLLBACK) "
  flow "$runner" "$dev" server 0 "installed v67000;"
  flow "$runner" "$dev" server 0 "up to date at v67000"
  [ "$(cat "$dev/counter")" = v67000 ] && cmp -s "$dev/slot.bin" "$out/fixtures/server/v67000.bin" ||
    { echo "FAIL: $runner: counter or slot not stored"; exit 1; }
done

echo "-- C example: an MCUboot image checked before the reboot (device-port/examples/mcuboot_check.c)"
cc -std=c11 -Wall -Wextra -Werror -pedantic -I device-port/include \
  device-port/examples/mcuboot_check.c "${host_lib[@]}" -o "$out/mcuboot_check"
mcuboot_example() { # IMAGE EXPECTED_VERSION WANT_EXIT WANT_TEXT
  local rc=0
  "$out/mcuboot_check" "$out/mcuboot/$1" "$out/mcuboot/key.der" "$2" >"$out/mcuboot_check.log" 2>&1 || rc=$?
  sed 's/^/  /' "$out/mcuboot_check.log"
  { [ "$rc" = "$3" ] && grep -qF "$4" "$out/mcuboot_check.log"; } ||
    { echo "FAIL: mcuboot_check $1 $2: exit $rc, want $3 and '$4'"; exit 1; }
}
mcuboot_example good.bin 1.2.3.4 0 "good: version 1.2.3.4, security counter 16908291 (0x01020003)"
mcuboot_example good.bin 1.2.3.5 1 "the manifest says version 1.2.3.5, the image is 1.2.3.4"
mcuboot_example tampered_body.bin 1.2.3.4 1 "refused: status $(status MCUBOOT_HASH_MISMATCH) "

echo "-- size report (budgets)"
bash scripts/size-report.sh
