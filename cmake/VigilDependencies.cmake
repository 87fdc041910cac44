# Every third-party dependency is found here; scripts/install-deps.sh installs the same list.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

macro(vigil_require_config pkg debian)
  find_package(${pkg} CONFIG QUIET)
  if(NOT ${pkg}_FOUND)
    message(FATAL_ERROR "${pkg} not found: install the Debian package '${debian}' (scripts/install-deps.sh)")
  endif()
endmacro()

vigil_require_config(tl-expected libexpected-dev)
vigil_require_config(fmt libfmt-dev)
vigil_require_config(nlohmann_json nlohmann-json3-dev)
vigil_require_config(CLI11 libcli11-dev)
find_package(SQLite3 REQUIRED)

if(VIGIL_BUILD_TESTS)
  vigil_require_config(GTest libgtest-dev)
endif()
if(VIGIL_BUILD_BENCH)
  vigil_require_config(benchmark libbenchmark-dev)
endif()
