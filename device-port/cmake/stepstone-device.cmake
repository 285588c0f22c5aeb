# stepstone::device for a CMake firmware project (docs/device.md, "CMake").
#
#   add_subdirectory(path/to/stepstone/device-port/cmake stepstone)   # or
#   find_package(stepstone-device REQUIRED CONFIG PATHS path/to/stepstone/device-port/cmake)
#   target_link_libraries(app PRIVATE stepstone::device)
#
# stepstone::device is an IMPORTED static library with the header's directory. It is built by
# cargo for the Rust target that matches the toolchain's CPU, through scripts/device-lib.sh (the
# same build and packaging as CI's: device profile, size flags, only stepstone_* exported), on
# every build of a target that links it (cargo itself decides whether anything changed).
#
# Cache variables:
#   STEPSTONE_RUST_TARGET       the Rust target; empty (the default): chosen from the compiler
#                               flags (CMAKE_C_FLAGS, as the toolchain file sets them, then
#                               CMAKE_SYSTEM_PROCESSOR): -mcpu or -march, and -mfloat-abi
#   STEPSTONE_DEVICE_PREBUILT   a prebuilt layout (lib/<target>/libstepstone_device.a and
#                               include/stepstone.h, what scripts/device-lib.sh writes): use it,
#                               no cargo, no Rust toolchain needed
#   STEPSTONE_CARGO_TARGET_DIR  cargo's target directory (default: in the build tree)
#   STEPSTONE_CARGO             cargo (default: found on PATH or in ~/.cargo/bin)
# Needs: bash, cargo (rustup with the target added), and the toolchain's nm and objcopy
# (CMAKE_NM, CMAKE_OBJCOPY: arm-none-eabi-nm and -objcopy with a GNU Arm toolchain).
cmake_minimum_required(VERSION 3.20)
include_guard(GLOBAL)

get_filename_component(_stepstone_repo "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)

set(STEPSTONE_RUST_TARGET "" CACHE STRING "Rust target of stepstone::device (empty: from the CPU flags)")
set(STEPSTONE_DEVICE_PREBUILT "" CACHE PATH "Prebuilt stepstone-device layout (lib/<target>/, include/)")
set(STEPSTONE_CARGO_TARGET_DIR "${CMAKE_BINARY_DIR}/stepstone-cargo" CACHE PATH "cargo's target directory")

include("${CMAKE_CURRENT_LIST_DIR}/stepstone-rust-target.cmake")

if(STEPSTONE_RUST_TARGET)
  set(_stepstone_target "${STEPSTONE_RUST_TARGET}")
  set(_stepstone_why "STEPSTONE_RUST_TARGET")
else()
  string(TOUPPER "${CMAKE_BUILD_TYPE}" _stepstone_config)
  set(_stepstone_flags "${CMAKE_C_FLAGS} ${CMAKE_C_FLAGS_${_stepstone_config}}")
  stepstone_rust_target_from_flags("${_stepstone_flags}" _stepstone_target)
  set(_stepstone_why "CMAKE_C_FLAGS: ${_stepstone_flags}")
  if(NOT _stepstone_target AND CMAKE_SYSTEM_PROCESSOR)
    stepstone_rust_target_from_flags("-mcpu=${CMAKE_SYSTEM_PROCESSOR} ${_stepstone_flags}" _stepstone_target)
    set(_stepstone_why "CMAKE_SYSTEM_PROCESSOR ${CMAKE_SYSTEM_PROCESSOR}")
  endif()
  if(NOT _stepstone_target)
    message(FATAL_ERROR "stepstone::device: no Cortex-M CPU in the compiler flags "
      "(${_stepstone_flags}) nor in CMAKE_SYSTEM_PROCESSOR (${CMAKE_SYSTEM_PROCESSOR}); "
      "set -mcpu in the toolchain file, or STEPSTONE_RUST_TARGET")
  endif()
endif()
string(STRIP "${_stepstone_why}" _stepstone_why)
message(STATUS "stepstone::device: ${_stepstone_target} (from ${_stepstone_why})")
set(STEPSTONE_DEVICE_RUST_TARGET "${_stepstone_target}" CACHE INTERNAL "")

add_library(stepstone::device STATIC IMPORTED GLOBAL)
if(STEPSTONE_DEVICE_PREBUILT)
  set(_stepstone_lib "${STEPSTONE_DEVICE_PREBUILT}/lib/${_stepstone_target}/libstepstone_device.a")
  set(_stepstone_include "${STEPSTONE_DEVICE_PREBUILT}/include")
  if(NOT EXISTS "${_stepstone_lib}" OR NOT EXISTS "${_stepstone_include}/stepstone.h")
    message(FATAL_ERROR "stepstone::device: ${STEPSTONE_DEVICE_PREBUILT} has no "
      "lib/${_stepstone_target}/libstepstone_device.a or include/stepstone.h")
  endif()
else()
  find_program(STEPSTONE_BASH bash REQUIRED)
  find_program(STEPSTONE_CARGO cargo HINTS "$ENV{CARGO_HOME}/bin" "$ENV{HOME}/.cargo/bin" REQUIRED)
  foreach(_tool CMAKE_NM CMAKE_OBJCOPY)
    if(NOT ${_tool})
      message(FATAL_ERROR "stepstone::device: the toolchain has no ${_tool} (nm and objcopy package the library)")
    endif()
  endforeach()
  set(_stepstone_dist "${CMAKE_CURRENT_BINARY_DIR}/stepstone-device")
  set(_stepstone_lib "${_stepstone_dist}/lib/${_stepstone_target}/libstepstone_device.a")
  set(_stepstone_include "${_stepstone_repo}/device-port/include")
  # Runs on every build: cargo's own check of what changed is the dependency scan.
  add_custom_target(stepstone_device_cargo
    COMMAND ${CMAKE_COMMAND} -E env
      "CARGO=${STEPSTONE_CARGO}"
      "CARGO_TARGET_DIR=${STEPSTONE_CARGO_TARGET_DIR}"
      "STEPSTONE_DIST_DIR=${_stepstone_dist}"
      "NM=${CMAKE_NM}" "OBJCOPY=${CMAKE_OBJCOPY}"
      "${STEPSTONE_BASH}" "${_stepstone_repo}/scripts/device-lib.sh" "${_stepstone_target}"
    BYPRODUCTS "${_stepstone_lib}"
    WORKING_DIRECTORY "${_stepstone_repo}"
    COMMENT "cargo: stepstone-device for ${_stepstone_target}"
    USES_TERMINAL
    VERBATIM)
  add_dependencies(stepstone::device stepstone_device_cargo)
endif()
set_target_properties(stepstone::device PROPERTIES
  IMPORTED_LOCATION "${_stepstone_lib}"
  INTERFACE_INCLUDE_DIRECTORIES "${_stepstone_include}")
