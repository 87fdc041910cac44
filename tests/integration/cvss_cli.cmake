# Runs `vigil cvss score` on real vectors (NVD records, RedHat reference vectors) and checks the
# BASE<TAB>OVERALL lines and exit codes, for argument vectors and for --stdin batches.
function(expect_run expected_rc expected_out)
  execute_process(COMMAND ${VIGIL} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  string(STRIP "${out}" out)
  if(NOT rc EQUAL expected_rc)
    message(FATAL_ERROR "vigil ${ARGN}: exit ${rc}, wanted ${expected_rc} (stderr: ${err})")
  endif()
  if(NOT out STREQUAL expected_out)
    message(FATAL_ERROR "vigil ${ARGN}: printed '${out}', wanted '${expected_out}'")
  endif()
endfunction()

# CVE-2021-44228 (NVD v3.1), a v2 record, and a v4.0 vector with threat metric E:U.
expect_run(0 "10.0\t10.0" cvss score "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H")
expect_run(0 "9.8\t9.8\n7.5\t7.5"
  cvss score "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" "AV:N/AC:L/Au:N/C:P/I:P/A:P")
expect_run(0 "7.3\t4.1"
  cvss score "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:U")
expect_run(0 "9.3\t9.5" cvss score
  "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:N/E:H/RL:O/RC:C/CR:H/IR:H/AR:H/MAV:N/MAC:L/MPR:L/MUI:N/MS:C/MC:H/MI:H/MA:H")
expect_run(0 "2.9\t2.8" cvss score "AV:A/AC:H/Au:S/C:N/I:P/A:P/E:POC/RL:OF/RC:C/CDP:LM/TD:M/CR:M/IR:L/AR:L")

# A malformed argument vector prints its error on its own line and makes the exit code 2.
expect_run(2 "9.8\t9.8\nerror: CVSS v3.1 vector: duplicate metric AV"
  cvss score "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" "CVSS:3.1/AV:N/AV:N")
expect_run(2 "error: unsupported CVSS vector prefix \"CVSS:3.2\" (expected CVSS:2.0, CVSS:3.0, CVSS:3.1 or CVSS:4.0)"
  cvss score "CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
expect_run(2 "" cvss score)

# --stdin: one line out per line in, errors inline, exit 0.
set(input "${CMAKE_CURRENT_BINARY_DIR}/cvss_cli_stdin.txt")
file(WRITE "${input}" "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:N\r\nCVSS:4.0/AC:L/AV:N\n(AV:N/AC:M/Au:N/C:N/I:P/A:N)\n")
execute_process(COMMAND ${VIGIL} cvss score --stdin INPUT_FILE "${input}" RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(want "8.1\t8.1\nerror: CVSS v4.0 vector: metric AV is out of order (the specification requires it before AC)\n4.3\t4.3\n")
if(NOT rc EQUAL 0 OR NOT out STREQUAL want)
  message(FATAL_ERROR "vigil cvss score --stdin: exit ${rc}, printed '${out}', wanted '${want}' (stderr: ${err})")
endif()
file(REMOVE "${input}")
