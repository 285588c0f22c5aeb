#!/usr/bin/env bash
# The device port: header is current, host C test over the vector subset and attacks.json,
# Cortex-M4 firmware under QEMU (mps2-an386) over the same vectors (each prints
# "GROUP: N passed, M failed" per group, "attacks: ..." among them, then "N passed, M failed"),
# the C example of the whole device flow (device-port/examples/device_flow.c) built and run on
# the host and on the Cortex-M4 under QEMU over fixtures the CLI makes here, then the size
# report, which fails when flash, static RAM or peak stack is over its budget.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/device-test
mkdir -p "$out"
arm_flags=(-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os -std=gnu11 -Wall -Wextra
  -ffunction-sections -fdata-sections -I device-port/include -I device-port/tests -I "$out")

echo "-- header is what cbindgen generates"
cbindgen --quiet --config device-port/cbindgen.toml --crate stepstone-device \
  --output device-port/include/stepstone.h device-port
git diff --exit-code -- device-port/include/stepstone.h

# The number of a status, from the header: status MANIFEST_DIGEST_MISMATCH -> 61.
status() { sed -n "s/^ *STEPSTONE_ERR_$1 = \([0-9]*\),\$/\1/p" device-port/include/stepstone.h; }

echo "-- vectors"
cargo build -q -p stepstone-cli
python3 device-port/tests/gen_vectors.py target/debug/stepstone "$out/vectors.h"

echo "-- host C test"
cargo build -q -p stepstone-device
host_lib=(target/debug/libstepstone_device.a -lpthread -ldl -lm)
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

echo "-- Cortex-M4 firmware under QEMU"
lib=$(bash scripts/device-lib.sh thumbv7em-none-eabihf)
arm-none-eabi-gcc "${arm_flags[@]}" device-port/firmware/startup.c device-port/firmware/main.c \
  "$lib" -T device-port/firmware/mps2-an386.ld \
  --specs=rdimon.specs -nostartfiles -Wl,--gc-sections -Wl,--no-warn-execstack -o "$out/app.elf"
timeout 300 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
  -semihosting-config enable=on,target=native -kernel "$out/app.elf" | tee "$out/qemu.log"
grep -q '^[0-9]* passed, 0 failed$' "$out/qemu.log"
attacks_ran "$out/qemu.log"

echo "-- C example: the whole device flow (device-port/examples/device_flow.c)"
bash device-port/examples/make-fixtures.sh target/debug/stepstone "$out/fixtures" 2>/dev/null
cc -std=c11 -Wall -Wextra -Werror -pedantic -I device-port/include \
  device-port/examples/device_flow.c "${host_lib[@]}" -o "$out/device_flow"
# The same program on the Cortex-M4: newlib's semihosting runtime gives it the host's files.
arm-none-eabi-gcc "${arm_flags[@]}" -std=c11 -Werror -pedantic -c device-port/examples/device_flow.c \
  -o "$out/device_flow.o"
arm-none-eabi-gcc "${arm_flags[@]}" -Werror device-port/examples/qemu-boot.c "$out/device_flow.o" \
  "$lib" -T device-port/firmware/mps2-an386.ld --specs=rdimon.specs -Wl,--gc-sections \
  -Wl,--no-warn-execstack -o "$out/device_flow.elf"
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

echo "-- size report (budgets)"
bash scripts/size-report.sh
