#include "version/pep440.hpp"

#include <gtest/gtest.h>
