#include "vulndb/internal/codec.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace vigil::vulndb::internal {
namespace {

TEST(CodecTest, RangesRoundTripWithEscapes) {
  const std::vector<model::AffectedRange> ranges = {
      {model::RangeType::kEcosystem, "", {{model::EventKind::kIntroduced, "0"},
                                          {model::EventKind::kFixed, "1:2.3-4~deb12u1"}}},
      {model::RangeType::kGit, "https://example.invalid/r\"e\\po", {{model::EventKind::kLimit, "*"}}},
      {model::RangeType::kSemver, "", {{model::EventKind::kLastAffected, "1.0.0\n\t\x01"}}},
  };
  const std::string encoded = encode_ranges(ranges);
  EXPECT_FALSE(nlohmann::json::parse(encoded, nullptr, false).is_discarded()) << encoded;
  const auto decoded = decode_ranges(encoded);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, ranges);
}

TEST(CodecTest, StringsAndExtraRoundTrip) {
  const std::vector<std::string> values = {"1.0", "2.0\"quoted\"", "back\\slash", ""};
  EXPECT_EQ(decode_strings(encode_strings(values)), values);
  model::Advisory advisory;
  advisory.references = {{"WEB", "https://example.invalid/?q=\"x\""}};
  advisory.related = {"CVE-1"};
  advisory.cwes = {"CWE-79"};
  model::Advisory decoded;
  decode_extra(encode_extra(advisory), decoded);
  EXPECT_EQ(decoded.references, advisory.references);
  EXPECT_EQ(decoded.related, advisory.related);
  EXPECT_EQ(decoded.cwes, advisory.cwes);
  EXPECT_TRUE(decoded.upstream.empty());
}

TEST(CodecTest, ContentHashChangesWithContent) {
  model::Advisory a;
  a.source = "osv";
  a.id = "X-1";
  a.raw = "{\"id\":\"X-1\"}";
  model::Advisory b = a;
  EXPECT_EQ(content_hash(a), content_hash(b));
  b.raw += " ";
  EXPECT_NE(content_hash(a), content_hash(b));
  EXPECT_EQ(content_hash(a).size(), 16U);
}

}  // namespace
}  // namespace vigil::vulndb::internal
