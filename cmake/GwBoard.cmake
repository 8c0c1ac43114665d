# SPDX-License-Identifier: Apache-2.0
# Board selection: GW_BOARD names a folder under boards/ holding board.cmake and board.json.
file(GLOB _gw_board_files RELATIVE ${CMAKE_SOURCE_DIR}/boards ${CMAKE_SOURCE_DIR}/boards/*/board.cmake)
set(GW_VALID_BOARDS "")
foreach(_f IN LISTS _gw_board_files)
  get_filename_component(_d ${_f} DIRECTORY)
  list(APPEND GW_VALID_BOARDS ${_d})
endforeach()
list(SORT GW_VALID_BOARDS)

set(GW_BOARD "emulator" CACHE STRING "Board to build the firmware for (a folder under boards/)")
set_property(CACHE GW_BOARD PROPERTY STRINGS ${GW_VALID_BOARDS})
if(NOT GW_BOARD IN_LIST GW_VALID_BOARDS)
  string(REPLACE ";" ", " _valid "${GW_VALID_BOARDS}")
  message(FATAL_ERROR "GW_BOARD='${GW_BOARD}' is not a board; valid boards: ${_valid}")
endif()
set(GW_BOARD_DIR ${CMAKE_SOURCE_DIR}/boards/${GW_BOARD})

macro(gw_add_board)
  include(${GW_BOARD_DIR}/board.cmake)
endmacro()
