# SPDX-License-Identifier: Apache-2.0
# Raspberry Pi CM4 carrier: V4L2 camera, LED banks and sensors on GPIO (libgpiod), USB gadget via gw::link.
include(${CMAKE_CURRENT_LIST_DIR}/drivers.cmake)
if(NOT TARGET gw_board_rpi_cm4)
  message(FATAL_ERROR "GW_BOARD=rpi_cm4 needs libgpiod (Debian: libgpiod-dev; in the arm64 sysroot already)")
endif()
add_library(gw_board STATIC ${CMAKE_CURRENT_LIST_DIR}/src/board.cpp)
add_library(gw::board ALIAS gw_board)
target_link_libraries(gw_board PUBLIC gw_board_rpi_cm4)
target_compile_definitions(gw_board PUBLIC GW_BOARD_NAME="rpi_cm4"
                                           GW_BOARD_JSON="${CMAKE_CURRENT_LIST_DIR}/board.json")
gw_target_defaults(gw_board)
