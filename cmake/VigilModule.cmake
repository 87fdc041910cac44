# vigil_add_module(NAME n SOURCES ... [DEPS ...] [PRIVATE_DEPS ...] [TESTS ...] [TEST_DEPS ...])
# Creates the static library vigil_<n> (alias vigil::<n>) with include root src/, and, when tests
# are on, the test executable vigil_<n>_test registered with CTest under the label `unit`.
function(vigil_add_module)
  cmake_parse_arguments(M "" "NAME" "SOURCES;DEPS;PRIVATE_DEPS;TESTS;TEST_DEPS" ${ARGN})
  set(target vigil_${M_NAME})
  add_library(${target} STATIC ${M_SOURCES})
  add_library(vigil::${M_NAME} ALIAS ${target})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${target} PUBLIC ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS} vigil_warnings vigil_sanitizers)
  vigil_lib_pch(${target})
  if(VIGIL_BUILD_TESTS AND M_TESTS)
    add_executable(${target}_test ${M_TESTS})
    target_include_directories(${target}_test PRIVATE ${PROJECT_SOURCE_DIR}/tests)
    target_link_libraries(${target}_test PRIVATE ${target} ${M_TEST_DEPS} GTest::gtest_main GTest::gmock
                          vigil_warnings vigil_sanitizers)
    target_compile_definitions(${target}_test PRIVATE
      VIGIL_SHARED_DIR="${VIGIL_SHARED_DIR}" VIGIL_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    vigil_speed_up(${target}_test TEST)
    gtest_discover_tests(${target}_test PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
  endif()
endfunction()

# Shared reference data (../shared beside the checkout); tests that need it skip when absent.
get_filename_component(_vigil_shared "${PROJECT_SOURCE_DIR}/../shared" ABSOLUTE)
set(VIGIL_SHARED_DIR "${_vigil_shared}" CACHE PATH "Directory holding the shared reference data")
