# SPDX-License-Identifier: Apache-2.0
# Emulator board: the real firmware on a PC, replaying capture folders with a scripted document sensor.
add_library(gw_board INTERFACE)
add_library(gw::board ALIAS gw_board)
target_compile_definitions(gw_board INTERFACE GW_BOARD_NAME="emulator"
                                              GW_BOARD_JSON="${CMAKE_CURRENT_LIST_DIR}/board.json")
