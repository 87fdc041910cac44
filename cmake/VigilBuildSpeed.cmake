# Cold-build speed (the project standard: a clean -O2 build plus tests within 15 minutes on 2
# cores; CI starts with an empty ccache). Nothing here changes optimisation, warnings or
# behaviour; each part can be switched off for comparison:
# - VIGIL_UNITY_BUILD: unity (jumbo) translation units for the test executables and the CLI, so
#   GoogleTest, nlohmann/json, CLI11 and fmt are parsed and their inline code generated once per
#   batch of VIGIL_UNITY_BATCH_SIZE files instead of once per file;
# - VIGIL_PCH / VIGIL_LIB_PCH: one shared precompiled header for all GoogleTest executables and
#   one for all vigil_<module> libraries (GCC only);
# - VIGIL_LINKER: lld, else gold, when the toolchain accepts it (faster links than ld.bfd).
option(VIGIL_UNITY_BUILD "Compile test executables and the CLI as unity translation units" ON)
set(VIGIL_UNITY_BATCH_SIZE 8 CACHE STRING "Source files per unity translation unit")

# vigil_speed_up(TARGET [TEST] [NO_UNITY]): unity batches for a test executable or the CLI;
# TEST targets also reuse the shared GoogleTest precompiled header (vigil_test_pch below).
# Files of one target share translation units, so their file-local helpers (anonymous
# namespace) need distinct names; NO_UNITY keeps one translation unit per file.
function(vigil_speed_up target)
  cmake_parse_arguments(S "TEST;NO_UNITY" "" "" ${ARGN})
  if(S_TEST)
    vigil_test_pch(${target})
  endif()
  if(VIGIL_UNITY_BUILD AND NOT S_NO_UNITY)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON
                          UNITY_BUILD_BATCH_SIZE ${VIGIL_UNITY_BATCH_SIZE})
  endif()
endfunction()

set(VIGIL_LINKER "auto" CACHE STRING "Linker for -fuse-ld: auto (lld, else gold, else the default) | lld | gold | bfd | default")
if(NOT VIGIL_LINKER STREQUAL "default")
  include(CheckLinkerFlag)
  if(VIGIL_LINKER STREQUAL "auto")
    set(_vigil_linkers lld gold)
  else()
    set(_vigil_linkers ${VIGIL_LINKER})
  endif()
  foreach(_ld IN LISTS _vigil_linkers)
    check_linker_flag(CXX "-fuse-ld=${_ld}" VIGIL_HAS_LD_${_ld})
    if(VIGIL_HAS_LD_${_ld})
      add_link_options("-fuse-ld=${_ld}")
      message(STATUS "Linker: ${_ld}")
      break()
    endif()
  endforeach()
endif()

# One precompiled header for every GoogleTest executable: the target vigil_test_pch builds it
# with exactly the compile flags and definitions of the test executables (vigil_add_module), and
# each test target reuses it (REUSE_FROM; -Winvalid-pch with -Werror turns a mismatch into an
# error rather than a silent slow build). ccache caches PCH users only with
# sloppiness=pch_defines,time_macros, which the launcher (VigilOptions.cmake) sets.
# GCC only: it accepts a shared PCH when a target adds definitions the headers never look at
# (CPPHTTPLIB_*, VIGIL_VERSION); clang refuses such a PCH, and its builds (fuzz) are small.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  set(_vigil_pch_default ON)
else()
  set(_vigil_pch_default OFF)
endif()
option(VIGIL_PCH "Shared precompiled headers (tests; libraries too unless VIGIL_LIB_PCH=OFF)" ${_vigil_pch_default})
function(vigil_test_pch target)
  if(NOT VIGIL_PCH)
    return()
  endif()
  if(NOT TARGET vigil_test_pch)
    add_library(vigil_test_pch OBJECT ${PROJECT_SOURCE_DIR}/cmake/pch_anchor.cpp)
    target_link_libraries(vigil_test_pch PRIVATE GTest::gtest GTest::gmock tl::expected fmt::fmt
                          nlohmann_json::nlohmann_json vigil_warnings vigil_sanitizers)
    target_compile_definitions(vigil_test_pch PRIVATE
      VIGIL_SHARED_DIR="${VIGIL_SHARED_DIR}" VIGIL_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    target_precompile_headers(vigil_test_pch PRIVATE
      <gtest/gtest.h> <nlohmann/json.hpp> <fmt/format.h> <tl/expected.hpp>
      <algorithm> <filesystem> <fstream> <map> <optional> <set> <sstream> <string>
      <string_view> <utility> <vector>)
  endif()
  target_precompile_headers(${target} REUSE_FROM vigil_test_pch)
endfunction()

# The same for the libraries: one precompiled header of the third-party and standard headers
# most of their sources include, built by vigil_lib_pch with the libraries' flags and reused by
# every vigil_<module> library.
option(VIGIL_LIB_PCH "Precompile the third-party headers the libraries share" ON)
function(vigil_lib_pch target)
  if(NOT VIGIL_PCH OR NOT VIGIL_LIB_PCH)
    return()
  endif()
  if(NOT TARGET vigil_lib_pch)
    add_library(vigil_lib_pch OBJECT ${PROJECT_SOURCE_DIR}/cmake/pch_anchor.cpp)
    target_link_libraries(vigil_lib_pch PRIVATE tl::expected fmt::fmt nlohmann_json::nlohmann_json
                          vigil_warnings vigil_sanitizers)
    target_precompile_headers(vigil_lib_pch PRIVATE
      <nlohmann/json.hpp> <fmt/format.h> <tl/expected.hpp>
      <algorithm> <array> <map> <optional> <set> <string> <string_view> <utility> <vector>)
  endif()
  target_precompile_headers(${target} REUSE_FROM vigil_lib_pch)
endfunction()
