// The one source of the targets vigil_lib_pch and vigil_test_pch (cmake/VigilBuildSpeed.cmake),
// which build the precompiled headers the libraries and the GoogleTest executables reuse.
