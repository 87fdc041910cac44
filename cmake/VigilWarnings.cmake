# First-party code links vigil_warnings; third-party targets never see these flags.
add_library(vigil_warnings INTERFACE)
target_compile_options(vigil_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual -Wformat=2
  -Wimplicit-fallthrough -Wconversion -Wsign-conversion)
if(VIGIL_WARNINGS_AS_ERRORS)
  target_compile_options(vigil_warnings INTERFACE -Werror)
endif()
