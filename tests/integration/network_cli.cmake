# Runs `vigil network analyze` on the alb-web-server and broken-bundle golden bundles and checks
# the JSON report against their expected.json, then `vigil network port` and the usage errors.
function(run_vigil out_var rc_var)
  execute_process(COMMAND ${VIGIL} ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(${out_var} "${out}" PARENT_SCOPE)
  set(${rc_var} "${rc}" PARENT_SCOPE)
  set(last_stderr "${err}" PARENT_SCOPE)
endfunction()

foreach(case alb-web-server broken-bundle)
  set(bundle "${CASES}/${case}")
  run_vigil(out rc network analyze "${bundle}" --format json)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "vigil network analyze ${case}: exit ${rc} (stderr: ${last_stderr})")
  endif()
  file(READ "${bundle}/expected.json" want)
  if(NOT out STREQUAL want)
    message(FATAL_ERROR "vigil network analyze ${case} --format json differs from expected.json:\n${out}")
  endif()
endforeach()

# The internet-reachable port of the web server, in the table and as a finding.
run_vigil(out rc network analyze "${CASES}/alb-web-server")
if(NOT rc EQUAL 0 OR NOT out MATCHES "TCP 8080 +INTERNET +from web-alb: igw-[0-9a-f]+ > web-alb > ")
  message(FATAL_ERROR "vigil network analyze alb-web-server: exit ${rc}, printed:\n${out}")
endif()
run_vigil(out rc network analyze "${CASES}/alb-web-server" --format json)
string(JSON title GET "${out}" findings 0 title)
if(NOT title STREQUAL "Port 8080 is reachable from an Internet Gateway through load balancer web-alb - TCP")
  message(FATAL_ERROR "unexpected finding title '${title}'")
endif()

function(expect_port want instance port)
  run_vigil(out rc network port "${CASES}/alb-web-server" --instance ${instance} --port ${port})
  string(STRIP "${out}" out)
  if(NOT rc EQUAL 0 OR NOT out STREQUAL want)
    message(FATAL_ERROR "vigil network port ${instance} ${port}: exit ${rc}, printed '${out}', wanted '${want}'")
  endif()
endfunction()
expect_port(INTERNET i-0a000000000000web 8080/tcp)
expect_port(VPC i-0a000000000000web 22)
expect_port(NONE i-0a000000000000web 8080/udp)
expect_port(VPC i-0a00000000000web2 8080)
expect_port(UNKNOWN i-0000000000000none 22)

# Bad input: exit 2 with a message, never a crash.
foreach(args "network;analyze;${CASES}/alb-web-server;--format;xml"
             "network;analyze;${CASES}/does-not-exist"
             "network;port;${CASES}/alb-web-server;--instance;i-1;--port;70000"
             "network;port;${CASES}/alb-web-server;--instance;i-1;--port;22/sctp")
  run_vigil(out rc ${args})
  if(NOT rc EQUAL 2 OR last_stderr STREQUAL "")
    message(FATAL_ERROR "vigil ${args}: exit ${rc}, wanted 2 with a message (stderr: ${last_stderr})")
  endif()
endforeach()
