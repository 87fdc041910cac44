// Differential test of the pep440 ordering against its reference implementation.
#include <gtest/gtest.h>
