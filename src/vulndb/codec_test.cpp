#include "vulndb/internal/codec.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace vigil::vulndb::internal {
namespace {

TEST(CodecTest, RangesRoundTripWithEscapes) {
  const std::vector<model::AffectedRange> ranges = {
      {model::RangeType::kEcosystem,
       "",
       {{model::EventKind::kIntroduced, "0"}, {model::EventKind::kFixed, "1:2.3-4~deb12u1"}}},
      {model::RangeType::kGit,
       "https://example.invalid/r\"e\\po",
       {{model::EventKind::kLimit, "*"}}},
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

// The escaper's 8-byte fast path and its per-byte path agree with a JSON parser on every
// special character at every position of short and long strings.
TEST(CodecTest, StringsRoundTripWithEscapesAtEveryPosition) {
  const std::string specials[] = {
      "\"",       "\\", "\n", "\r", "\t", std::string(1, '\x01'), std::string(1, '\x1f'),
      "\xc3\xa9", "/",  " "};
  std::vector<std::string> values = {"", "plain", "exactly8", "longer-than-16-bytes-plain"};
  for (const auto& special : specials) {
    for (size_t pos = 0; pos <= 20; ++pos) {
      std::string value(20, 'v');
      value.insert(pos, special);
      values.push_back(value);
    }
  }
  EXPECT_EQ(decode_strings(encode_strings(values)), values);
  std::string appended = "prefix";
  append_strings(appended, {"a\"b"});
  EXPECT_EQ(appended, "prefix[\"a\\\"b\"]");
}

TEST(CodecTest, ContentHashDigitsMatchTheHexString) {
  model::Advisory a;
  a.source = "osv";
  a.id = "X-1";
  a.raw = "{}";
  const ContentHash digits = content_hash_digits(a);
  EXPECT_EQ(std::string(digits.data(), digits.size()), content_hash(a));
}

}  // namespace
}  // namespace vigil::vulndb::internal
