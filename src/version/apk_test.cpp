#include "version/apk.hpp"

#include <gtest/gtest.h>
