add_library(vigil_sanitizers INTERFACE)
if(VIGIL_SANITIZE)
  target_compile_options(vigil_sanitizers INTERFACE
    -fsanitize=${VIGIL_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(vigil_sanitizers INTERFACE -fsanitize=${VIGIL_SANITIZE})
endif()
