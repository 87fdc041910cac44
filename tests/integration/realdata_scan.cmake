# End to end on real data: the shared Go vulndb, PyPA and RustSec OSV sets plus KEV and EPSS are
# imported, then `vigil scan rootfs` runs over
#   a. copies of Debian's Go programs (skopeo, umoci, docker-registry: built with go1.19.8),
#   b. Debian's own python3 dist-info/egg-info metadata,
#   c. the debootstrap --variant=minbase bookworm tree of scripts/install-deps.sh
#      ($ENV{VIGIL_BOOKWORM_ROOT}),
# and the findings are checked against facts of the data: advisory ids whose ranges include the
# embedded version, and advisories fixed at or before it that must not be reported.
# A missing input skips its part, or fails the test under VIGIL_REQUIRE_REFERENCE=1.
set(go_zip "${SHARED}/data/osv/go/go-vulndb-osv.zip")
set(pypa_zip "${SHARED}/data/osv/pypa/pypi-osv-json-converted.zip")
set(rustsec_zip "${SHARED}/data/osv/rustsec/rustsec-osv.zip")
set(kev "${SHARED}/data/kev/known_exploited_vulnerabilities.json")
set(epss "${SHARED}/data/epss/epss_scores-2026-08-16.derived.csv.gz")
if(NOT EXISTS "${go_zip}" OR NOT EXISTS "${pypa_zip}")
  message(STATUS "REALDATA-SKIPPED: shared data not found under ${SHARED}/data")
  return()
endif()
set(require "$ENV{VIGIL_REQUIRE_REFERENCE}")
set(db "${WORK}/db")
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

include("${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake")

# A part whose input is missing: fatal under VIGIL_REQUIRE_REFERENCE=1, else a note.
function(part_unavailable part why)
  if(require STREQUAL "1")
    message(FATAL_ERROR "${part}: ${why} (required: VIGIL_REQUIRE_REFERENCE=1)")
  endif()
  message(STATUS "${part}: not run: ${why}")
endfunction()

# Scans `dir` (JSON report) and sets `var` to one entry per finding:
#   " <vulnerabilityId> <related ids...> |<name>@<version>|<fixedInVersion>|<filePath>|"
# and `var`_report to the whole report.
function(scan_findings var dir)
  run(0 scan rootfs "${dir}" --db "${db}" --format json)
  string(JSON complete GET "${last_out}" complete)
  if(NOT complete)
    message(FATAL_ERROR "scan of ${dir} is incomplete:\n${last_err}")
  endif()
  string(JSON findings GET "${last_out}" findings)
  string(JSON count LENGTH "${findings}")
  set(entries "")
  if(count GREATER 0)
    math(EXPR last "${count} - 1")
    foreach(i RANGE ${last})
      string(JSON details GET "${findings}" ${i} packageVulnerabilityDetails)
      string(JSON id GET "${details}" vulnerabilityId)
      set(ids " ${id} ")
      string(JSON related_count LENGTH "${details}" relatedVulnerabilities)
      if(related_count GREATER 0)
        math(EXPR related_last "${related_count} - 1")
        foreach(r RANGE ${related_last})
          string(JSON related GET "${details}" relatedVulnerabilities ${r})
          string(APPEND ids "${related} ")
        endforeach()
      endif()
      string(JSON package GET "${details}" vulnerablePackages 0)
      string(JSON name GET "${package}" name)
      string(JSON version GET "${package}" version)
      string(JSON fixed GET "${package}" fixedInVersion)
      string(JSON path GET "${package}" filePath)
      list(APPEND entries "${ids}|${name}@${version}|${fixed}|${path}|")
    endforeach()
  endif()
  set(${var} "${entries}" PARENT_SCOPE)
  set(${var}_report "${last_out}" PARENT_SCOPE)
endfunction()

# Fails unless a finding carries advisory `id` (as its id or a related id) for `package` (the
# "|name@version|fixed|path|" part of an entry).
function(expect_finding entries id package)
  foreach(entry IN LISTS entries)
    string(FIND "${entry}" " ${id} " at_id)
    string(FIND "${entry}" "${package}" at_package)
    if(NOT at_id EQUAL -1 AND NOT at_package EQUAL -1)
      return()
    endif()
  endforeach()
  string(REPLACE ";" "\n" listing "${entries}")
  message(FATAL_ERROR "no finding ${id} for ${package}; findings:\n${listing}")
endfunction()

# Fails when any finding carries advisory `id`.
function(expect_no_finding entries id)
  foreach(entry IN LISTS entries)
    string(FIND "${entry}" " ${id} " at_id)
    if(NOT at_id EQUAL -1)
      message(FATAL_ERROR "unexpected finding ${id}: ${entry}")
    endif()
  endforeach()
endfunction()

run(0 db import --db "${db}" "${go_zip}" "${pypa_zip}" "${rustsec_zip}" "${kev}" "${epss}")
expect_contains("${last_out}" " KEV, ")
run(0 db show GO-2023-1751 --db "${db}")
run(0 db show RUSTSEC-2023-0060 --db "${db}")

# a. Debian's Go programs embed go1.19.8 (`go version -m`, the toolchain's own reader, says so).
#    Go vulndb facts for stdlib at 1.19.8:
#      GO-2023-1751 (CVE-2023-24539), GO-2023-1753 (CVE-2023-29400): introduced 0, fixed 1.19.9;
#      GO-2023-1840 (CVE-2023-29403): introduced 0, fixed 1.19.10;
#      GO-2024-2687 (CVE-2023-45288): introduced 0, fixed 1.21.9 (EPSS 0.91969 in the snapshot);
#      GO-2023-1705 (CVE-2023-24536): fixed in exactly 1.19.8, and GO-2023-1621 (CVE-2023-24532):
#      fixed in 1.19.7, so neither applies.
set(go_programs "")
foreach(program skopeo umoci docker-registry)
  if(EXISTS "/usr/bin/${program}")
    list(APPEND go_programs "${program}")
  endif()
endforeach()
find_program(go_tool NAMES go)
if(NOT go_programs)
  part_unavailable("Go binaries" "none of skopeo, umoci, docker-registry is installed")
elseif(NOT go_tool)
  part_unavailable("Go binaries" "the go tool (golang-go) is not installed")
else()
  file(MAKE_DIRECTORY "${WORK}/go/usr/bin")
  foreach(program IN LISTS go_programs)
    file(COPY "/usr/bin/${program}" DESTINATION "${WORK}/go/usr/bin")
    execute_process(COMMAND "${go_tool}" version "/usr/bin/${program}" OUTPUT_VARIABLE reference
                    RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT rc EQUAL 0 OR NOT reference STREQUAL "/usr/bin/${program}: go1.19.8")
      message(FATAL_ERROR "go version says '${reference}': Debian rebuilt ${program}; re-derive "
                          "the expected advisories from the Go vulndb for its Go version")
    endif()
  endforeach()
  scan_findings(go "${WORK}/go")
  foreach(program IN LISTS go_programs)
    expect_finding("${go}" GO-2023-1751 "|stdlib@go1.19.8|1.19.9|usr/bin/${program}|")
    expect_finding("${go}" CVE-2023-24539 "|stdlib@go1.19.8|1.19.9|usr/bin/${program}|")
    expect_finding("${go}" GO-2023-1753 "|stdlib@go1.19.8|1.19.9|usr/bin/${program}|")
    expect_finding("${go}" GO-2023-1840 "|stdlib@go1.19.8|1.19.10|usr/bin/${program}|")
    expect_finding("${go}" GO-2024-2687 "|stdlib@go1.19.8|1.21.9|usr/bin/${program}|")
  endforeach()
  expect_no_finding("${go}" GO-2023-1705)
  expect_no_finding("${go}" CVE-2023-24536)
  expect_no_finding("${go}" GO-2023-1621)
  expect_contains("${go_report}" "\"score\": 0.91969")
endif()

# b. Debian's python3 metadata (upstream versions in the directory names). PyPA facts:
#      certifi 2022.9.24: PYSEC-2022-42986 (CVE-2022-23491, introduced 2017.11.5, fixed 2022.12.7)
#                         and PYSEC-2023-135 (CVE-2023-37920, fixed 2023.7.22);
#      pip 23.0.1:        PYSEC-2023-228 (CVE-2023-5752, fixed 23.3), but not PYSEC-2021-437
#                         (CVE-2021-3572, fixed 21.1);
#      Pygments 2.14.0:   PYSEC-2023-117 (CVE-2022-40896, fixed 2.15.1);
#      requests 2.28.1:   PYSEC-2023-74 (CVE-2023-32681, introduced 2.3.0, fixed 2.31.0);
#      wheel 0.38.4:      not PYSEC-2022-43017 (CVE-2022-40898, fixed 0.38.1).
set(site "/usr/lib/python3/dist-packages")
set(python_metadata certifi-2022.9.24.egg-info pip-23.0.1.dist-info Pygments-2.14.0.egg-info
    requests-2.28.1.egg-info wheel-0.38.4.egg-info)
set(python_missing "")
foreach(entry IN LISTS python_metadata)
  if(NOT IS_DIRECTORY "${site}/${entry}")
    list(APPEND python_missing "${entry}")
  endif()
endforeach()
if(python_missing)
  part_unavailable("python3 metadata" "${site} lacks ${python_missing} (install-deps installs "
                   "python3-pip python3-requests python3-pygments; if Debian moved to new "
                   "upstream versions, re-derive the expected advisories from the PyPA data)")
else()
  file(MAKE_DIRECTORY "${WORK}/python/${site}")
  foreach(entry IN LISTS python_metadata)
    file(COPY "${site}/${entry}" DESTINATION "${WORK}/python/${site}")
  endforeach()
  scan_findings(python "${WORK}/python")
  set(dist "usr/lib/python3/dist-packages")
  expect_finding("${python}" PYSEC-2022-42986
                 "|certifi@2022.9.24|2022.12.7|${dist}/certifi-2022.9.24.egg-info/PKG-INFO|")
  expect_finding("${python}" CVE-2022-23491 "|certifi@2022.9.24|")
  expect_finding("${python}" PYSEC-2023-135 "|certifi@2022.9.24|2023.7.22|")
  expect_finding("${python}" PYSEC-2023-228 "|pip@23.0.1|23.3|${dist}/pip-23.0.1.dist-info/METADATA|")
  expect_finding("${python}" CVE-2023-5752 "|pip@23.0.1|")
  expect_finding("${python}" PYSEC-2023-117 "|Pygments@2.14.0|2.15.1|")
  expect_finding("${python}" PYSEC-2023-74 "|requests@2.28.1|2.31.0|")
  expect_no_finding("${python}" PYSEC-2021-437)
  expect_no_finding("${python}" CVE-2021-3572)
  expect_no_finding("${python}" PYSEC-2022-43017)
endif()

# c. The debootstrap tree: catalogued and scanned cleanly, one package per installed dpkg entry.
set(bookworm "$ENV{VIGIL_BOOKWORM_ROOT}")
if(bookworm STREQUAL "" OR NOT EXISTS "${bookworm}/var/lib/dpkg/status")
  part_unavailable("debootstrap tree" "VIGIL_BOOKWORM_ROOT='${bookworm}' holds no var/lib/dpkg/status")
else()
  execute_process(COMMAND dpkg-query "--admindir=${bookworm}/var/lib/dpkg" -W "-f=\${db:Status-Status}\\n"
                  OUTPUT_VARIABLE states RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "dpkg-query failed on ${bookworm}")
  endif()
  string(REGEX MATCHALL "(^|\n)installed" installed "${states}")
  list(LENGTH installed want)
  run(0 scan rootfs "${bookworm}" --db "${db}" --format json)
  string(JSON complete GET "${last_out}" complete)
  string(JSON packages GET "${last_out}" packages)
  string(JSON os_id GET "${last_out}" os id)
  string(JSON os_version GET "${last_out}" os versionId)
  if(NOT complete OR NOT packages EQUAL want OR NOT os_id STREQUAL "debian" OR NOT os_version STREQUAL "12")
    message(FATAL_ERROR "bookworm scan: complete=${complete} packages=${packages} (dpkg-query: "
                        "${want}) os=${os_id} ${os_version}\n${last_err}")
  endif()
  if(want LESS 50)
    message(FATAL_ERROR "dpkg-query lists only ${want} installed packages in ${bookworm}")
  endif()
  run(0 scan rootfs "${bookworm}" --db "${db}")
  expect_contains("${last_out}" "Debian GNU/Linux 12 (bookworm)")
endif()

# d. Alpine secdb "fixed 0" (never affected) on a real entry: db 5.3.28-r0 on Alpine 3.8 is named
#    by CVE-2016-0682 as not affected; the scan explains it instead of reporting it.
set(alpine_json "${SHARED}/data/alpine-secdb/json/v3.8-main.json")
if(NOT EXISTS "${alpine_json}")
  part_unavailable("alpine secdb" "${alpine_json} missing")
else()
  set(alpine_db "${WORK}/alpine-db")
  set(alpine_root "${WORK}/alpine-root")
  file(WRITE "${alpine_root}/etc/os-release" "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.8.5\n")
  file(WRITE "${alpine_root}/lib/apk/db/installed" "P:db\nV:5.3.28-r0\nA:x86_64\no:db\n\n")
  run(0 db import --db "${alpine_db}" "${alpine_json}")
  run(0 scan rootfs "${alpine_root}" --db "${alpine_db}" --format json)
  string(JSON count LENGTH "${last_out}" notAffected)
  set(listed "")
  math(EXPR last "${count} - 1")
  foreach(index RANGE ${last})
    string(JSON id GET "${last_out}" notAffected ${index} vulnerabilityId)
    string(JSON reason GET "${last_out}" notAffected ${index} reason)
    string(APPEND listed " ${id}:${reason}")
  endforeach()
  if(NOT listed MATCHES " CVE-2016-0682:distro: not affected")
    message(FATAL_ERROR "alpine: CVE-2016-0682 not explained as not affected:${listed}")
  endif()
  if(last_out MATCHES "\"vulnerabilityId\": \"CVE-2016-0682\",[^}]*\"findingArn\"")
    message(FATAL_ERROR "alpine: CVE-2016-0682 reported as a finding")
  endif()
  run(0 scan rootfs "${alpine_root}" --db "${alpine_db}")
  expect_contains("${last_out}" "not affected per distro")
endif()
