#include "version/rpm.hpp"

#include <gtest/gtest.h>
