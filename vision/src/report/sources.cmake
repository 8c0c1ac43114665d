target_sources(gw_vision PRIVATE ${CMAKE_CURRENT_LIST_DIR}/inspect.cpp ${CMAKE_CURRENT_LIST_DIR}/report_json.cpp
                                 ${CMAKE_CURRENT_LIST_DIR}/verdict_policy.cpp)
target_link_libraries(gw_vision PRIVATE nlohmann_json::nlohmann_json)
