#include "version/maven.hpp"

#include <gtest/gtest.h>
