# SPDX-License-Identifier: Apache-2.0
# Visible Digital Seals: ZXing reader, parser, OpenSSL verifier, checks and JSON of the seal.
target_sources(gw_vision PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/seal_codec.cpp
  ${CMAKE_CURRENT_LIST_DIR}/seal_parser.cpp
  ${CMAKE_CURRENT_LIST_DIR}/vds_nc.cpp
  ${CMAKE_CURRENT_LIST_DIR}/seal_verify.cpp
  ${CMAKE_CURRENT_LIST_DIR}/zxing_seal_reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/seal_checks.cpp)
target_link_libraries(gw_vision PRIVATE nlohmann_json::nlohmann_json)
