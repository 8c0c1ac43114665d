target_sources(gw_vision PRIVATE ${CMAKE_CURRENT_LIST_DIR}/document_locator.cpp ${CMAKE_CURRENT_LIST_DIR}/mrz_finder.cpp)
