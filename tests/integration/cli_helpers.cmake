# Shared by the CLI integration scripts (include()d; VIGIL names the binary).
#   run(EXPECTED_RC ARGS...)       runs vigil, fails unless it exits EXPECTED_RC; sets last_out/last_err
#   expect_contains(TEXT NEEDLE)   fails unless NEEDLE occurs in TEXT
function(run expected_rc)
  execute_process(COMMAND ${VIGIL} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL expected_rc)
    message(FATAL_ERROR "vigil ${ARGN}: exit ${rc}, wanted ${expected_rc}\nstdout: ${out}\nstderr: ${err}")
  endif()
  set(last_out "${out}" PARENT_SCOPE)
  set(last_err "${err}" PARENT_SCOPE)
endfunction()

function(expect_contains haystack needle)
  string(FIND "${haystack}" "${needle}" pos)
  if(pos EQUAL -1)
    message(FATAL_ERROR "expected to find '${needle}' in:\n${haystack}")
  endif()
endfunction()
