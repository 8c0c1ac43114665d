# The checks: MRZ text, print, IR, UV, portrait, visual zone; and the thresholds they decide by.
set(_gw_thresholds ${CMAKE_CURRENT_SOURCE_DIR}/config/thresholds.json)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_gw_thresholds})
file(READ ${_gw_thresholds} GW_THRESHOLDS_JSON)
configure_file(${CMAKE_CURRENT_LIST_DIR}/thresholds_default.inc.in
               ${CMAKE_CURRENT_BINARY_DIR}/generated/thresholds_default.inc @ONLY)
target_include_directories(gw_vision PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/generated)
target_sources(gw_vision PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/mrz_checks.cpp
  ${CMAKE_CURRENT_LIST_DIR}/thresholds.cpp
  ${CMAKE_CURRENT_LIST_DIR}/check_context.cpp
  ${CMAKE_CURRENT_LIST_DIR}/page_zones.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mrz_print.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ir_checks.cpp
  ${CMAKE_CURRENT_LIST_DIR}/photo_check.cpp
  ${CMAKE_CURRENT_LIST_DIR}/uv_checks.cpp
  ${CMAKE_CURRENT_LIST_DIR}/viz_consistency.cpp)
