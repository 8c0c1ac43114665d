# SPDX-License-Identifier: Apache-2.0
# gw_add_test(<name> <layer> SOURCES ... LIBS ...): one Catch2 executable test_<layer>_<name>, its test
# cases discovered into CTest as "<layer>.<case>" with the label <layer> (vision|firmware|host|e2e).
include(CTest)
include(Catch)

set(GW_TEST_LAYERS vision firmware host e2e)
function(gw_add_test name layer)
  if(NOT layer IN_LIST GW_TEST_LAYERS)
    message(FATAL_ERROR "gw_add_test(${name}): layer '${layer}' is not one of ${GW_TEST_LAYERS}")
  endif()
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  set(exe test_${layer}_${name})
  add_executable(${exe} ${T_SOURCES})
  target_link_libraries(${exe} PRIVATE ${T_LIBS} Catch2::Catch2WithMain)
  gw_target_defaults(${exe})
  target_compile_definitions(${exe} PRIVATE GW_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                            GW_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  # Catch2 2.13 discovers after the build; under cross compiling it runs the binary through
  # CMAKE_CROSSCOMPILING_EMULATOR (qemu-aarch64).
  catch_discover_tests(${exe} TEST_PREFIX "${layer}." PROPERTIES LABELS ${layer}
                       SKIP_RETURN_CODE 4)
endfunction()

# gw_add_bench(<name> SOURCES ... LIBS ...): a benchmark program bench_<name> that prints figures;
# `make bench` (scripts/bench.sh) runs every one. Benchmarks never assert on time.
function(gw_add_bench name)
  cmake_parse_arguments(B "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(bench_${name} ${B_SOURCES})
  target_link_libraries(bench_${name} PRIVATE ${B_LIBS})
  gw_target_defaults(bench_${name})
  target_compile_definitions(bench_${name} PRIVATE GW_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                                   GW_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
endfunction()
