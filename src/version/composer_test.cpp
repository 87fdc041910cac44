#include "version/composer.hpp"

#include <gtest/gtest.h>
