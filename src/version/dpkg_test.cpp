#include "version/dpkg.hpp"

#include <gtest/gtest.h>
