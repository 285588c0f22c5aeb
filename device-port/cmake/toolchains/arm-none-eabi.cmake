# A GNU Arm Embedded toolchain file, as firmware projects have them: the compilers, and the CPU
# flags in ARM_CPU_FLAGS (from a preset or the command line, -DARM_CPU_FLAGS="-mcpu=cortex-m0
# -mthumb -mfloat-abi=soft"), which end up in CMAKE_C_FLAGS, where stepstone-device.cmake reads
# the CPU. scripts/test-device.sh builds the QEMU firmware with it for the M4F and the M0.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(ARM_CPU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16" CACHE STRING
  "CPU flags for every compile and link")
set(CMAKE_C_FLAGS_INIT "${ARM_CPU_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${ARM_CPU_FLAGS}")
