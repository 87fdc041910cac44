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
vigil_require_config(simdjson libsimdjson-dev)
vigil_require_config(pugixml libpugixml-dev)
find_package(LibArchive REQUIRED)
find_package(OpenSSL REQUIRED)
# Image layers: gzip/zstd decompression and registry pulls (sources module).
find_package(ZLIB REQUIRED)
vigil_require_config(zstd libzstd-dev)
# Vulnerability-feed zips (vulndb module): whole-buffer inflate and CRC-32, about twice zlib's speed.
pkg_check_modules(LIBDEFLATE IMPORTED_TARGET libdeflate)
if(NOT LIBDEFLATE_FOUND)
  message(FATAL_ERROR "libdeflate not found: install the Debian package 'libdeflate-dev' (scripts/install-deps.sh)")
endif()
find_package(CURL REQUIRED)
# cpp-httplib: Debian ships a compiled library whose .pc sets the matching CPPHTTPLIB_* defines.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# libext2fs (e2fsprogs): raw ext4 snapshot images read without mounting (sources module).
pkg_check_modules(EXT2FS REQUIRED IMPORTED_TARGET ext2fs com_err)
pkg_check_modules(RPM IMPORTED_TARGET rpm)
if(NOT RPM_FOUND)
  message(FATAL_ERROR "librpm not found: install the Debian package 'librpm-dev' (scripts/install-deps.sh)")
endif()

if(VIGIL_BUILD_TESTS)
  vigil_require_config(GTest libgtest-dev)
endif()
if(VIGIL_BUILD_BENCH)
  vigil_require_config(benchmark libbenchmark-dev)
endif()
