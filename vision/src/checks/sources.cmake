target_sources(gw_vision PRIVATE ${CMAKE_CURRENT_LIST_DIR}/mrz_checks.cpp)
