# SPDX-License-Identifier: Apache-2.0
# The CM4 carrier's drivers (V4L2 camera, libgpiod lights/sensor/indicator) as gw_board_rpi_cm4. Included by
# board.cmake when the board is selected, and by tests/firmware so that every build with libgpiod (the
# aarch64 sysroot has it) compiles the real board and runs its hardware tests (which skip without hardware).
if(TARGET gw_board_rpi_cm4)
  return()
endif()
find_path(GW_GPIOD_INCLUDE_DIR gpiod.h)
find_library(GW_GPIOD_LIBRARY gpiod)
if(NOT GW_GPIOD_INCLUDE_DIR OR NOT GW_GPIOD_LIBRARY)
  message(STATUS "boards/rpi_cm4: libgpiod not found (apt install libgpiod-dev): its drivers are not built")
  return()
endif()
add_library(gw_board_rpi_cm4
  ${CMAKE_CURRENT_LIST_DIR}/src/devices.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/gpio_devices.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/v4l2_camera.cpp)
add_library(gw::board_rpi_cm4 ALIAS gw_board_rpi_cm4)
target_include_directories(gw_board_rpi_cm4 PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
target_include_directories(gw_board_rpi_cm4 SYSTEM PRIVATE ${GW_GPIOD_INCLUDE_DIR})
target_link_libraries(gw_board_rpi_cm4
  PUBLIC gw::hal
  PRIVATE ${GW_GPIOD_LIBRARY} opencv_core opencv_imgproc nlohmann_json::nlohmann_json Threads::Threads)
gw_target_defaults(gw_board_rpi_cm4)
