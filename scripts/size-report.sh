#!/usr/bin/env bash
# Flash, static RAM and peak stack of the device port for every Cortex-M profile
# (scripts/device-profiles.sh), each against its budget, with the instructions of one ECDSA
# verification, and the biggest contributors to flash on the Cortex-M4F. Exits 1 when a budget
# is exceeded or a figure is missing. Budgets: docs/device.md, "Budgets, and how they are
# measured".
#
# Flash and static RAM: the profile's packaged library (scripts/device-lib.sh) linked into a
# probe that keeps every C entry point and nothing else (device-port/firmware/probe.c: a
# two-word vector table, no libc), measured with arm-none-eabi-size (flash = text + data, static
# RAM = data + bss). Peak stack and instructions: read from the QEMU runs of
# scripts/test-device.sh (stack painting and SysTick under -icount in
# device-port/firmware/main.c; the deepest over all the profile's images). Run that script first
# (it calls this one). The flash that stepstone_mcuboot_check adds (the same probe with it kept
# too) is reported apart, against its own budget P_MCUBOOT_FLASH: a firmware that does not call
# it does not link it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/device-profiles.sh
out=target/device-test
mkdir -p "$out"
# shellcheck disable=SC2046
mapfile -t libs < <(bash scripts/device-lib.sh $(device_targets))
dist=$(dirname "$(dirname "$(dirname "${libs[0]}")")")
fail=0
mcuboot_lines=()
printf '%-5s %-43s %18s %13s %15s %14s\n' profile cpu "flash (budget)" "RAM (budget)" \
  "stack (budget)" "ECDSA verify"
for p in $DEVICE_PROFILES; do
  profile "$p"
  # shellcheck disable=SC2086
  arm-none-eabi-gcc $P_CFLAGS -Os -I device-port/include device-port/firmware/probe.c \
    "$dist/lib/$P_TARGET/libstepstone_device.a" -L device-port/firmware -T "$P_BOARD.ld" \
    -nostdlib -Wl,--gc-sections -Wl,--undefined=stepstone_entry_points -Wl,-e,0 -lgcc \
    -Wl,--no-warn-execstack -o "$out/probe-$p.elf"
  read -r text data bss _ < <(arm-none-eabi-size "$out/probe-$p.elf" | tail -n 1)
  flash=$((text + data)) ram=$((data + bss))
  # The same probe with stepstone_mcuboot_check kept too: its cost, apart.
  # shellcheck disable=SC2086
  arm-none-eabi-gcc $P_CFLAGS -Os -DPROBE_MCUBOOT -I device-port/include device-port/firmware/probe.c \
    "$dist/lib/$P_TARGET/libstepstone_device.a" -L device-port/firmware -T "$P_BOARD.ld" \
    -nostdlib -Wl,--gc-sections -Wl,--undefined=stepstone_entry_points -Wl,-e,0 -lgcc \
    -Wl,--no-warn-execstack -o "$out/probe-mcuboot-$p.elf"
  read -r text data bss _ < <(arm-none-eabi-size "$out/probe-mcuboot-$p.elf" | tail -n 1)
  mcuboot_flash=$((text + data - flash)) mcuboot_ram=$((data + bss - ram))
  stack=$(cat "$out"/qemu-"$p"-*.log 2>/dev/null | sed -n 's/^peak stack: \([0-9]*\) bytes$/\1/p' |
    sort -n | tail -n 1)
  verify=$(cat "$out"/qemu-"$p"-*.log 2>/dev/null | sed -n 's/^instructions per ECDSA verify: //p')
  printf '%-5s %-43s %7d B (%6d) %5d B (%4d) %6s B (%5d) %14s\n' "$p" "$P_CPU" "$flash" \
    "$P_FLASH" "$ram" "$P_RAM" "${stack:-?}" "$P_STACK" "${verify:-?}"
  [ "$flash" -le "$P_FLASH" ] || { echo "FAIL: $p: flash over budget"; fail=1; }
  [ "$ram" -le "$P_RAM" ] || { echo "FAIL: $p: static RAM over budget"; fail=1; }
  { [ -n "$stack" ] && [ "$stack" -le "$P_STACK" ]; } ||
    { echo "FAIL: $p: peak stack ${stack:-unknown (run scripts/test-device.sh)} over budget"; fail=1; }
  [ -n "$verify" ] || { echo "FAIL: $p: no ECDSA instruction count (run scripts/test-device.sh)"; fail=1; }
  mcuboot_calls=$(cat "$out"/qemu-"$p"-*.log 2>/dev/null |
    sed -n 's/^instructions of stepstone_mcuboot_check: //p' | tail -n 1)
  mcuboot_lines+=("$(printf '%-5s +%5d B flash (budget +%5d), +%d B static RAM, at most %s instructions a call' \
    "$p" "$mcuboot_flash" "$P_MCUBOOT_FLASH" "$mcuboot_ram" "${mcuboot_calls:-?}")")
  [ "$mcuboot_flash" -le "$P_MCUBOOT_FLASH" ] && [ "$mcuboot_ram" = 0 ] ||
    { echo "FAIL: $p: stepstone_mcuboot_check adds $mcuboot_flash B of flash (budget $P_MCUBOOT_FLASH), $mcuboot_ram B of RAM"; fail=1; }
  [ -n "$mcuboot_calls" ] || { echo "FAIL: $p: no instruction count of stepstone_mcuboot_check (run scripts/test-device.sh)"; fail=1; }
done
echo "stepstone_mcuboot_check, linked only by a firmware that calls it (probe.c -DPROBE_MCUBOOT):"
printf '  %s\n' "${mcuboot_lines[@]}"
echo "biggest contributors to flash on the Cortex-M4F (bytes, symbol):"
arm-none-eabi-nm --size-sort -S -C "$out/probe-m4f.elf" | tail -n 15 |
  while read -r _ size _ name; do printf '  %6d  %s\n' "$((16#$size))" "$name"; done
exit $fail
