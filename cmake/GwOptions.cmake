# SPDX-License-Identifier: Apache-2.0
# Project options (all GW_*), validated, and the warning/sanitizer interface targets.
option(GW_BUILD_TESTS "Build the Catch2 test suites" ON)
option(GW_BUILD_HOST "Build the host station (not part of the scanner image)" ON)
option(GW_BUILD_TOOLS "Build the lab tools (docinspect, specimen)" ON)
option(GW_WERROR "Treat compiler warnings as errors" ON)
option(GW_CLANG_TIDY "Run clang-tidy (allow-list in .clang-tidy) while compiling" OFF)
option(GW_FUZZ "Build libFuzzer targets (needs clang)" OFF)

set(GW_SANITIZE "" CACHE STRING "Sanitizers: empty, 'address,undefined' or 'thread'")
set_property(CACHE GW_SANITIZE PROPERTY STRINGS "" "address,undefined" "thread")
if(NOT GW_SANITIZE IN_LIST "" AND NOT GW_SANITIZE STREQUAL ""
   AND NOT GW_SANITIZE STREQUAL "address,undefined" AND NOT GW_SANITIZE STREQUAL "thread")
  message(FATAL_ERROR "GW_SANITIZE='${GW_SANITIZE}' is not one of: '' 'address,undefined' 'thread'")
endif()
if(GW_FUZZ AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "GW_FUZZ needs clang (libFuzzer); configure with the 'fuzz' preset")
endif()

# Warnings apply to our own targets only (PRIVATE), never to third-party headers.
add_library(gw_warnings INTERFACE)
add_library(gw::warnings ALIAS gw_warnings)
target_compile_options(gw_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual
  -Wpedantic -Wconversion -Wno-sign-conversion -Wnull-dereference -Wformat=2 -Wimplicit-fallthrough
  $<$<BOOL:${GW_WERROR}>:-Werror>)

if(GW_SANITIZE)
  add_compile_options(-fsanitize=${GW_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${GW_SANITIZE})
endif()

if(GW_CLANG_TIDY)
  find_program(GW_CLANG_TIDY_EXE NAMES clang-tidy-14 clang-tidy REQUIRED)
  set(GW_CLANG_TIDY_COMMAND ${GW_CLANG_TIDY_EXE} --quiet)
endif()

# Applies the project's compile settings to one of our own targets.
function(gw_target_defaults target)
  target_link_libraries(${target} PRIVATE gw_warnings)
  if(GW_CLANG_TIDY)
    set_target_properties(${target} PROPERTIES CXX_CLANG_TIDY "${GW_CLANG_TIDY_COMMAND}")
  endif()
endfunction()

if(CMAKE_CXX_COMPILER_ID MATCHES "Clang" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 19)
  # libstdc++ 12 offers <expected> only when __cpp_concepts >= 202002L; clang before 19 reports
  # 201907L although it compiles libstdc++'s <expected> correctly (checked with clang 16; clang 14 lacks std::source_location).
  add_compile_options(-D__cpp_concepts=202002L -Wno-macro-redefined)
endif()

if(GW_FUZZ)
  # Coverage instrumentation for everything the fuzz targets link; the targets add -fsanitize=fuzzer.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
