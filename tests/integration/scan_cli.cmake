# End to end: import the bundled sample advisories, scan the bundled sample rootfs, check the
# findings, the gates, suppression and the errors bad input gets.
set(db "${WORK}/db")
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

include("${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake")

run(0 db import --db "${db}" "${SAMPLES}/advisories")
expect_contains("${last_out}" "7 added")
expect_contains("${last_out}" "2 KEV, 6 EPSS")

run(0 scan rootfs "${SAMPLES}/rootfs" --db "${db}")
expect_contains("${last_out}" "CVE-2023-38545")
expect_contains("${last_out}" "7.88.1-10+deb12u4")

run(1 scan rootfs "${SAMPLES}/rootfs" --db "${db}" --fail-on critical)
run(0 scan rootfs "${SAMPLES}/rootfs" --db "${db}" --severity low --fail-on high)

run(0 scan rootfs "${SAMPLES}/rootfs" --db "${db}" --format json)
expect_contains("${last_out}" "\"vulnerabilityId\": \"CVE-2023-38545\"")
expect_contains("${last_out}" "\"findingArn\": \"arn:vigil:inspector2:")

file(WRITE "${WORK}/ignore" "CVE-2023-38545 # accepted until the maintenance window\nCVE-2023-38546 exp:2000-01-01\n")
run(1 scan rootfs "${SAMPLES}/rootfs" --db "${db}" --ignore-file "${WORK}/ignore" --fail-on low)
expect_contains("${last_err}" "expired on 2000-01-01")
file(WRITE "${WORK}/vex.json" "{\"statements\":[{\"vulnerability\":{\"name\":\"CVE-2023-38546\"},\"status\":\"not_affected\",\"justification\":\"vulnerable_code_not_present\"}]}")
run(0 scan rootfs "${SAMPLES}/rootfs" --db "${db}" --ignore-file "${WORK}/ignore" --vex "${WORK}/vex.json" --severity critical,low --fail-on low)

# Bad input: exit 2 with a message naming the problem, database untouched.
run(2 scan rootfs "${SAMPLES}/rootfs" --db "${db}" --fail-on severe)
expect_contains("${last_err}" "unknown severity 'severe'")
run(2 scan rootfs "${SAMPLES}/rootfs" --db "${WORK}/no-such-db")
file(WRITE "${WORK}/broken/a.json" "{\"id\":\"X-1\",\"modified\":\"2024-01-01T00:00:00Z\",")
run(2 db import --db "${db}" "${WORK}/broken")
expect_contains("${last_err}" "a.json")
run(0 db status --db "${db}" --json)
expect_contains("${last_out}" "\"dbVersion\": 1")
run(2 db show CVE-1999-0000 --db "${db}")
