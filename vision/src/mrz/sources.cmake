target_sources(gw_vision PRIVATE ${CMAKE_CURRENT_LIST_DIR}/mrz_parser.cpp ${CMAKE_CURRENT_LIST_DIR}/country_codes.cpp)
