// Differential test of the semver ordering against its reference implementation.
#include <gtest/gtest.h>
