# SPDX-License-Identifier: Apache-2.0
# Emulator board: the real firmware on a PC, replaying capture folders with a scripted document sensor.
# gw_board_emulator holds the sim devices (tests link it directly); gw_board is what gw-firmware links.
add_library(gw_board_emulator
  ${CMAKE_CURRENT_LIST_DIR}/src/capture_folder.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/emulator.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/loopback.cpp
  ${CMAKE_CURRENT_LIST_DIR}/src/scenario.cpp)
add_library(gw::board_emulator ALIAS gw_board_emulator)
target_include_directories(gw_board_emulator PUBLIC ${CMAKE_CURRENT_LIST_DIR}/include)
target_link_libraries(gw_board_emulator
  PUBLIC gw::hal gw::link
  PRIVATE opencv_core opencv_imgproc opencv_imgcodecs nlohmann_json::nlohmann_json)
gw_target_defaults(gw_board_emulator)

add_library(gw_board INTERFACE)
add_library(gw::board ALIAS gw_board)
target_link_libraries(gw_board INTERFACE gw_board_emulator)
target_compile_definitions(gw_board INTERFACE GW_BOARD_NAME="emulator"
                                              GW_BOARD_JSON="${CMAKE_CURRENT_LIST_DIR}/board.json")
