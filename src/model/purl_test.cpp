#include "model/purl.hpp"

#include <gtest/gtest.h>

namespace vigil::model {
namespace {

TEST(PurlTest, Placeholder) { EXPECT_FALSE(parse_purl("pkg:npm/left-pad@1.0.0").has_value()); }

}  // namespace
}  // namespace vigil::model
