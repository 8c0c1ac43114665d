# SPDX-License-Identifier: Apache-2.0
# vizocr: the visual zone's text, read with Tesseract (VizTextReader) and matched to the MRZ's fields.
target_sources(gw_vision PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/viz_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/viz_lines.cpp
  ${CMAKE_CURRENT_LIST_DIR}/viz_fields.cpp)
# Tesseract's LSTM uses OpenMP; the reader switches it to one thread per call (see viz_reader.cpp).
find_package(OpenMP QUIET COMPONENTS CXX)
if(OpenMP_CXX_FOUND)
  set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/viz_reader.cpp PROPERTIES
                              COMPILE_DEFINITIONS GW_VIZ_HAVE_OPENMP=1)
  # Only the runtime (libgomp, already loaded by Tesseract): -fopenmp would switch on pragmas elsewhere.
  target_link_libraries(gw_vision PRIVATE ${OpenMP_CXX_LIBRARIES})
endif()
