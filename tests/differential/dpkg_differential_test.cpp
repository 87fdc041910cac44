// Differential test of the dpkg ordering against its reference implementation.
#include <gtest/gtest.h>
