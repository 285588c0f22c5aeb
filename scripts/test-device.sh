#!/usr/bin/env bash
# The device port: header is current, host C test over the vector subset, Cortex-M4 firmware
# under QEMU (mps2-an386) over the same vectors (each prints "N passed, M failed"), then the
# size report, which fails when flash, static RAM or peak stack is over its budget.
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

echo "-- vectors"
cargo build -q -p stepstone-cli
python3 device-port/tests/gen_vectors.py target/debug/stepstone "$out/vectors.h"

echo "-- host C test"
cargo build -q -p stepstone-device
cc -std=c11 -Wall -Wextra -Werror -I device-port/include -I device-port/tests -I "$out" \
  device-port/tests/host_test.c target/debug/libstepstone_device.a -lpthread -ldl -lm \
  -o "$out/host_test"
"$out/host_test"

echo "-- Cortex-M4 firmware under QEMU"
lib=$(bash scripts/device-lib.sh thumbv7em-none-eabihf)
arm-none-eabi-gcc "${arm_flags[@]}" device-port/firmware/startup.c device-port/firmware/main.c \
  "$lib" -T device-port/firmware/mps2-an386.ld \
  --specs=rdimon.specs -nostartfiles -Wl,--gc-sections -Wl,--no-warn-execstack -o "$out/app.elf"
timeout 300 qemu-system-arm -cpu cortex-m4 -machine mps2-an386 -nographic \
  -semihosting-config enable=on,target=native -kernel "$out/app.elf" | tee "$out/qemu.log"
grep -q '^[0-9]* passed, 0 failed$' "$out/qemu.log"

echo "-- size report (budgets)"
bash scripts/size-report.sh
