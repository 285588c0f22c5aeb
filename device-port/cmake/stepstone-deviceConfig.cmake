# find_package(stepstone-device CONFIG PATHS path/to/stepstone/device-port/cmake): defines
# stepstone::device (stepstone-device.cmake says how it is built and which cache variables it
# reads).
include("${CMAKE_CURRENT_LIST_DIR}/stepstone-device.cmake")
set(stepstone-device_FOUND TRUE)
