# The Cortex-M profiles the device port is built, run and measured for (sourced by
# scripts/test-device.sh and scripts/size-report.sh; docs/device.md, "Profiles").
#
# profile NAME sets, for that profile:
#   P_CPU      what it is, for the reports
#   P_TARGET   the Rust target
#   P_CFLAGS   arm-none-eabi-gcc's flags for the firmware around the library (CPU, float ABI)
#   P_BOARD    the QEMU machine, and the linker script device-port/firmware/$P_BOARD.ld
#   P_IMAGES   the test firmware images, each a VECTOR_GROUPS mask (device-port/tests/
#              run_vectors.c): 63 is every vector; the micro:bit's 256 KiB of flash holds them in
#              three images, 7 (sampling, backoff, next hop, signatures), 24 (manifests,
#              attacks.json, the argument rules) and 32 (the MCUboot images imgtool made)
#   P_FLASH, P_RAM, P_STACK   budgets in bytes (docs/device.md says how they were set)
#   P_MCUBOOT_FLASH   budget of the flash stepstone_mcuboot_check adds to a firmware that calls
#              it (docs/device.md, "MCUboot")
# shellcheck disable=SC2034
DEVICE_PROFILES="m0 m3 m4 m4f m33 m33f"

profile() {
  P_RAM=256
  P_STACK=4096
  P_IMAGES=63
  P_MCUBOOT_FLASH=2560
  case $1 in
  m0)
    P_CPU="Cortex-M0/M0+ (ARMv6-M)"
    P_TARGET=thumbv6m-none-eabi
    P_CFLAGS="-mcpu=cortex-m0 -mthumb -mfloat-abi=soft"
    P_BOARD=microbit
    P_IMAGES="7 24 32"
    P_MCUBOOT_FLASH=3328
    P_FLASH=35840
    P_STACK=4352
    ;;
  m3)
    P_CPU="Cortex-M3 (ARMv7-M)"
    P_TARGET=thumbv7m-none-eabi
    P_CFLAGS="-mcpu=cortex-m3 -mthumb -mfloat-abi=soft"
    P_BOARD=mps2-an385
    P_FLASH=31232
    ;;
  m4)
    P_CPU="Cortex-M4/M7, soft float (ARMv7E-M)"
    P_TARGET=thumbv7em-none-eabi
    P_CFLAGS="-mcpu=cortex-m4 -mthumb -mfloat-abi=soft"
    P_BOARD=mps2-an386
    P_FLASH=30720
    ;;
  m4f)
    P_CPU="Cortex-M4F/M7F, hard float (ARMv7E-M)"
    P_TARGET=thumbv7em-none-eabihf
    P_CFLAGS="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
    P_BOARD=mps2-an386
    P_FLASH=30720
    ;;
  m33)
    P_CPU="Cortex-M33, soft float (ARMv8-M Mainline)"
    P_TARGET=thumbv8m.main-none-eabi
    P_CFLAGS="-mcpu=cortex-m33 -mthumb -mfloat-abi=soft"
    P_BOARD=mps2-an505
    P_FLASH=31232
    ;;
  m33f)
    P_CPU="Cortex-M33F, hard float (ARMv8-M Mainline)"
    P_TARGET=thumbv8m.main-none-eabihf
    P_CFLAGS="-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16"
    P_BOARD=mps2-an505
    P_FLASH=31232
    ;;
  *)
    echo "unknown device profile: $1" >&2
    return 1
    ;;
  esac
}

# The Rust targets of every profile.
device_targets() {
  local p
  for p in $DEVICE_PROFILES; do
    profile "$p"
    echo "$P_TARGET"
  done
}
