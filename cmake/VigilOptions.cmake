option(VIGIL_BUILD_TESTS "Build the GoogleTest suites" ON)
option(VIGIL_BUILD_BENCH "Build the Google Benchmark programs in bench/" ON)
option(VIGIL_BUILD_FUZZ "Build libFuzzer targets (needs clang)" OFF)
option(VIGIL_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" ON)
set(VIGIL_SANITIZE "" CACHE STRING "Sanitizers to build with: '' | address,undefined | thread")

# -O2 for optimised builds, as the project standard asks (CMake's default Release is -O3).
set(CMAKE_CXX_FLAGS_RELEASE "-O2 -DNDEBUG" CACHE STRING "" FORCE)
set(CMAKE_CXX_FLAGS_RELWITHDEBINFO "-O2 -g" CACHE STRING "" FORCE)

find_program(VIGIL_CCACHE ccache)
if(VIGIL_CCACHE)
  # ccache hits on sources that use a precompiled header (cmake/VigilBuildSpeed.cmake) only with
  # this sloppiness; `env` sets it for the compiler launches of this build alone.
  set(CMAKE_CXX_COMPILER_LAUNCHER env CCACHE_SLOPPINESS=pch_defines,time_macros "${VIGIL_CCACHE}")
endif()
