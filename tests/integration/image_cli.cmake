# End to end: `vigil scan image` on an OCI layout built by umoci from the sample rootfs (two
# layers: the OS, then the application), the same image as a docker-archive (skopeo), and
# `vigil scan function` on a bundle zipped here. Checks findings and the layer each vulnerable
# package came from. Skips (exit 0 with a message) when umoci or skopeo is missing, unless
# VIGIL_REQUIRE_REFERENCE=1.
set(db "${WORK}/db")
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")

include("${CMAKE_CURRENT_LIST_DIR}/cli_helpers.cmake")

function(tool)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${ARGN}: exit ${rc}\n${err}")
  endif()
endfunction()

run(0 db import --db "${db}" "${SAMPLES}/advisories")

# A function bundle: requests in a layer zip, the lockfile in the code zip.
file(MAKE_DIRECTORY "${WORK}/layer/python/lib/python3.12/site-packages" "${WORK}/code")
file(COPY "${SAMPLES}/rootfs/usr/lib/python3/dist-packages/requests-2.28.1.dist-info"
     DESTINATION "${WORK}/layer/python/lib/python3.12/site-packages")
file(COPY "${SAMPLES}/rootfs/srv/app/package-lock.json" DESTINATION "${WORK}/code")
file(WRITE "${WORK}/code/app.py" "def handler(event, context):\n    return 1\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E tar cf "${WORK}/layer.zip" --format=zip python
                WORKING_DIRECTORY "${WORK}/layer")
execute_process(COMMAND ${CMAKE_COMMAND} -E tar cf "${WORK}/code.zip" --format=zip app.py package-lock.json
                WORKING_DIRECTORY "${WORK}/code")
file(WRITE "${WORK}/fn.json" [=[{"FunctionName":"orders","FunctionArn":"arn:aws:lambda:eu-west-1:123456789012:function:orders","Runtime":"python3.12","Handler":"app.handler","PackageType":"Zip","Architectures":["x86_64"],"Layers":[{"Arn":"arn:aws:lambda:eu-west-1:123456789012:layer:deps:1","CodeSize":1}]}]=])
file(SHA256 "${WORK}/layer.zip" layer_sha)
run(0 scan function --config "${WORK}/fn.json" --code "${WORK}/code.zip" --layer "${WORK}/layer.zip"
    --db "${db}" --cache "${WORK}/cache" --format json)
expect_contains("${last_out}" "CVE-2023-32681")
expect_contains("${last_out}" "\"sourceLayerHash\": \"sha256:${layer_sha}\"")
expect_contains("${last_out}" "CVE-2021-23337")
expect_contains("${last_out}" "var/task/package-lock.json")
run(2 scan function --config "${WORK}/fn.json" --code "${WORK}/code.zip" --db "${db}" --no-cache)
expect_contains("${last_err}" "lists 1 layers but 0 layer zips")

# Images need umoci and skopeo.
find_program(UMOCI umoci)
find_program(SKOPEO skopeo)
if(NOT UMOCI OR NOT SKOPEO)
  if("$ENV{VIGIL_REQUIRE_REFERENCE}" STREQUAL "1")
    message(FATAL_ERROR "umoci and skopeo are required (VIGIL_REQUIRE_REFERENCE=1)")
  endif()
  message(STATUS "SKIPPED image scans: umoci or skopeo missing")
  return()
endif()
set(layout "${WORK}/layout")
tool(${UMOCI} init --layout "${layout}")
tool(${UMOCI} new --image "${layout}:app")
tool(${UMOCI} unpack --rootless --image "${layout}:app" "${WORK}/b1")
file(COPY "${SAMPLES}/rootfs/etc" "${SAMPLES}/rootfs/var" "${SAMPLES}/rootfs/usr"
     DESTINATION "${WORK}/b1/rootfs")
tool(${UMOCI} repack --history.created_by "ADD debian /" --image "${layout}:app" "${WORK}/b1")
tool(${UMOCI} unpack --rootless --image "${layout}:app" "${WORK}/b2")
file(COPY "${SAMPLES}/rootfs/srv" DESTINATION "${WORK}/b2/rootfs")
tool(${UMOCI} repack --history.created_by "COPY app /srv/app" --image "${layout}:app" "${WORK}/b2")

run(0 scan image "oci:${layout}:app" --db "${db}" --cache "${WORK}/cache")
expect_contains("${last_out}" "CVE-2023-38545")
expect_contains("${last_out}" "CVE-2021-23337")
run(1 scan image "oci:${layout}:app" --db "${db}" --cache "${WORK}/cache" --fail-on critical)
run(0 scan image "oci:${layout}:app" --db "${db}" --no-cache --format json)
expect_contains("${last_out}" "\"sourceLayerHash\": \"sha256:")
expect_contains("${last_out}" "srv/app/package-lock.json")

tool(${SKOPEO} copy "oci:${layout}:app" "docker-archive:${WORK}/app.tar:team/app:1")
run(0 scan image "docker-archive:${WORK}/app.tar" --db "${db}" --no-cache)
expect_contains("${last_out}" "CVE-2023-38545")

# Bad targets: exit 2 naming the problem.
run(2 scan image "oci:${WORK}/nope" --db "${db}" --no-cache)
expect_contains("${last_err}" "oci-layout")
run(2 scan image "ftp://x" --db "${db}" --no-cache)
expect_contains("${last_err}" "expected oci:DIR")
run(2 scan image "oci:${layout}:app" --db "${db}" --no-cache --platform linux)
expect_contains("${last_err}" "os/arch")
