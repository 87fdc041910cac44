// Differential test of the rpm ordering against its reference implementation.
#include <gtest/gtest.h>
