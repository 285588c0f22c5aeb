#!/usr/bin/env bash
# Flash, static RAM and peak stack of the device port on thumbv7em-none-eabihf with the device
# profile, each against its budget, and the biggest contributors to flash. Exits 1 when a
# budget is exceeded: flash <= 30 KiB, static RAM <= 256 B, peak stack <= 4 KiB.
#
# Flash and static RAM: the firmware library linked into a probe that keeps every C entry point
# and nothing else (device-port/firmware/probe.c: a two-word vector table, no libc), measured
# with arm-none-eabi-size (flash = text + data, static RAM = data + bss). Peak stack: the deepest
# stack any library call reached in the QEMU run of scripts/test-device.sh (stack painting in
# device-port/firmware/main.c), read from its log; run that script first (it calls this one).
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/device-test
flash_budget=30720 ram_budget=256 stack_budget=4096
lib=$(bash scripts/device-lib.sh thumbv7em-none-eabihf)
mkdir -p "$out"
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Os \
  -I device-port/include device-port/firmware/probe.c "$lib" -T device-port/firmware/mps2-an386.ld \
  -nostdlib -Wl,--gc-sections -Wl,--undefined=stepstone_entry_points -Wl,-e,0 -lgcc \
  -Wl,--no-warn-execstack -o "$out/probe.elf"
read -r text data bss _ < <(arm-none-eabi-size "$out/probe.elf" | tail -n 1)
flash=$((text + data)); ram=$((data + bss))
stack=$(sed -n 's/^peak stack: \([0-9]*\) bytes$/\1/p' "$out/qemu.log" 2>/dev/null || true)
echo "biggest contributors to flash (bytes, symbol):"
arm-none-eabi-nm --size-sort -S -C "$out/probe.elf" | tail -n 15 |
  while read -r _ size _ name; do printf '  %6d  %s\n' "$((16#$size))" "$name"; done
echo "flash:      $flash bytes (budget $flash_budget)"
echo "static RAM: $ram bytes (budget $ram_budget)"
echo "peak stack: ${stack:-unknown (run scripts/test-device.sh)} bytes (budget $stack_budget)"
fail=0
[ "$flash" -le "$flash_budget" ] || { echo "FAIL: flash over budget"; fail=1; }
[ "$ram" -le "$ram_budget" ] || { echo "FAIL: static RAM over budget"; fail=1; }
{ [ -n "$stack" ] && [ "$stack" -le "$stack_budget" ]; } || { echo "FAIL: peak stack over budget"; fail=1; }
exit $fail
