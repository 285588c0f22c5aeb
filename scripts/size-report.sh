#!/usr/bin/env bash
# Flash, static RAM and peak stack of the device port (device profile, thumbv7em-none-eabihf),
# with the biggest contributors. Fails when a budget is exceeded: flash <= 28 KiB,
# static RAM <= 256 B, peak stack <= 4 KiB. Run scripts/test-device.sh first (QEMU log).
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/device-test
cargo build -q -p stepstone-device --no-default-features --features panic-handler \
  --target thumbv7em-none-eabihf --profile device
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os \
  -I device-port/include device-port/firmware/probe.c \
  target/thumbv7em-none-eabihf/device/libstepstone_device.a -T device-port/firmware/mps2-an386.ld \
  -nostdlib -Wl,--gc-sections -Wl,--undefined=stepstone_entry_points -Wl,-e,0 -lgcc \
  -Wl,--no-warn-execstack -o "$out/probe.elf"
read -r text data bss _ < <(arm-none-eabi-size "$out/probe.elf" | tail -n 1)
flash=$((text + data)); ram=$((data + bss))
stack=$(sed -n 's/^peak stack: \([0-9]*\) bytes$/\1/p' "$out/qemu.log")
echo "biggest contributors (flash):"
arm-none-eabi-nm --size-sort -S -C "$out/probe.elf" | tail -n 12
echo "flash: $flash bytes (budget 28672)"
echo "static RAM: $ram bytes (budget 256)"
echo "peak stack: ${stack:-unknown} bytes (budget 4096)"
fail=0
[ "$flash" -le 28672 ] || { echo "FAIL: flash over budget"; fail=1; }
[ "$ram" -le 256 ] || { echo "FAIL: static RAM over budget"; fail=1; }
[ -n "$stack" ] && [ "$stack" -le 4096 ] || { echo "FAIL: peak stack over budget"; fail=1; }
exit $fail
