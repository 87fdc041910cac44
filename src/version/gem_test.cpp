#include "version/gem.hpp"

#include <gtest/gtest.h>
