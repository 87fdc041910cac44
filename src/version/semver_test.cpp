#include "version/semver.hpp"

#include <gtest/gtest.h>
