#include "version/nuget.hpp"

#include <gtest/gtest.h>
