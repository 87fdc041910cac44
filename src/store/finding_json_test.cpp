// Differential test of the direct finding document writer (finding_to_json) against the
// tree-building original (finding_to_json_reference): byte equality over thousands of random
// findings whose strings carry escapes, control characters, valid and invalid UTF-8.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "store/internal/codec.hpp"
#include "store/internal/finding_json_writer.hpp"

namespace vigil::store::internal {
namespace {

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : random_(seed) {}

  // Invalid UTF-8 is replaced on the way out, so such findings do not round-trip field by field.
  bool allow_invalid_utf8 = true;

  std::uint64_t roll(std::uint64_t bound) { return random_() % bound; }
  bool chance(std::uint64_t one_in) { return roll(one_in) == 0; }

  std::string text(bool mostly_empty = false) {
    if (chance(mostly_empty ? 2 : 4)) {
      return {};
    }
    static const std::array<std::string, 34> kPieces = {"openssl",
                                                        "CVE-2024-12345",
                                                        "a b c",
                                                        "/usr/lib/x86_64-linux-gnu/libssl.so.3",
                                                        "\"",
                                                        "\\",
                                                        "\\\"",
                                                        "{\"k\":\"v\"}",
                                                        "\n",
                                                        "\r\n",
                                                        "\t",
                                                        "\b",
                                                        "\f",
                                                        std::string(1, '\0'),
                                                        "\x01",
                                                        "\x1f",
                                                        "\x7f",
                                                        "/",
                                                        "\xc3\xa9",          // é
                                                        "\xe2\x80\x99",      // right single quote
                                                        "\xf0\x9f\x98\x80",  // emoji (4 bytes)
                                                        "\xc2\x80",
                                                        "\xdf\xbf",
                                                        "\xe0\xa0\x80",
                                                        "\xed\x9f\xbf",
                                                        "\xee\x80\x80",
                                                        "\xef\xbf\xbf",
                                                        "\xf0\x90\x80\x80",
                                                        "\xf4\x8f\xbf\xbf",
                                                        "0",
                                                        "1.5",
                                                        " ",
                                                        "true",
                                                        "null"};
    static const std::array<std::string, 16> kInvalid = {
        "\x80",
        "\xbf",
        "\xc0\x80",
        "\xc1\xbf",
        "\xf5\x80\x80\x80",
        "\xff",
        "\xfe",
        "\xe2\x82",          // truncated 3-byte sequence
        "\xf0\x9f\x98",      // truncated 4-byte sequence
        "\xed\xa0\x80",      // surrogate
        "\xe0\x80\x80",      // overlong
        "\xf0\x80\x80\x80",  // overlong
        "\xf4\x90\x80\x80",  // above U+10FFFF
        "\xc3",              // lead byte alone
        "\xc3\x41",
        "\xe2\x28\xa1"};
    std::string out;
    const auto pieces = 1 + roll(6);
    for (std::uint64_t index = 0; index < pieces; ++index) {
      if (allow_invalid_utf8 && chance(12)) {
        out += kInvalid[roll(kInvalid.size())];
      } else if (chance(8)) {
        out += static_cast<char>(roll(0x20));  // any control character
      } else if (chance(3)) {
        out += static_cast<char>(0x20 + roll(0x60));  // printable ASCII and DEL
      } else {
        out += kPieces[roll(kPieces.size())];
      }
    }
    return out;
  }

  std::vector<std::string> texts() {
    std::vector<std::string> out(chance(2) ? 0 : roll(4));
    for (auto& value : out) {
      value = text();
    }
    return out;
  }

  double number() {
    static const std::array<double, 22> kNumbers = {0.0,
                                                    -0.0,
                                                    10.0,
                                                    7.5,
                                                    1e-7,
                                                    1e-5,
                                                    0.0001,
                                                    123456789.123,
                                                    -3.2,
                                                    0.1,
                                                    2.0 / 3.0,
                                                    9.8,
                                                    1e15,
                                                    1e16,
                                                    1e21,
                                                    1e22,
                                                    -1e300,
                                                    5e-324,
                                                    std::numeric_limits<double>::max(),
                                                    std::numeric_limits<double>::min(),
                                                    0.97531,
                                                    100.0};
    if (chance(3)) {
      return std::uniform_real_distribution<double>(-20.0, 20.0)(random_);
    }
    return kNumbers[roll(kNumbers.size())];
  }

  std::vector<model::ScoreAdjustment> adjustments() {
    std::vector<model::ScoreAdjustment> out(chance(2) ? 0 : roll(4));
    for (auto& step : out) {
      step = {text(true), text(true), text(true), text(true)};
    }
    return out;
  }

  StoredFinding finding() {
    StoredFinding stored;
    model::Finding& finding = stored.finding;
    finding.id = text();
    finding.resource_id = text();
    finding.account_id = text();
    model::Package& package = finding.package;
    package.ecosystem = static_cast<model::Ecosystem>(roll(8));
    package.name = text();
    package.version = text();
    package.arch = text();
    package.source_name = text();
    package.source_version = text();
    package.distro_release = text();
    package.locations = texts();
    package.purl = text();
    package.layer_digest = text();
    package.owner_purl = text();
    package.cpes = texts();
    finding.vulnerability_id = text();
    finding.aliases = texts();
    finding.sources = texts();
    finding.title = text();
    finding.description = text();
    finding.references = texts();
    finding.fixed_in = text();
    finding.remediation = text();
    finding.fix_available = static_cast<model::FixAvailable>(roll(3));
    finding.vendor_severity = text();
    finding.severity = static_cast<model::Severity>(roll(6));
    finding.cvss.resize(chance(2) ? 0 : roll(4));
    for (auto& record : finding.cvss) {
      record = {text(true), text(true), number(), text(true)};
    }
    finding.exploit_available = chance(2);
    finding.exploit_last_seen = text();
    finding.ransomware = chance(2);
    if (chance(2)) {
      finding.epss = number();
    }
    if (chance(2)) {
      finding.epss_percentile = number();
    }
    finding.inspector_score = number();
    finding.inspector_adjustments = adjustments();
    finding.vigil_risk = number();
    finding.risk_explanation = adjustments();
    finding.status = static_cast<model::FindingStatus>(roll(3));
    finding.suppression_reason = text();
    finding.first_observed_at = text();
    finding.last_observed_at = text();
    stored.type = chance(5) ? std::string() : text();
    stored.resource_type = text();
    stored.region = text();
    for (auto tags = chance(2) ? 0 : roll(5); tags > 0; --tags) {
      stored.resource_tags[text()] = text(true);
    }
    stored.resource_details_json =
        chance(3) ? std::string() : R"({"imageId":"ami-1","tags":{"a":")" + text() + "\"}}";
    stored.network_json = chance(2) ? std::string() : text();
    stored.first_observed_at = static_cast<Timestamp>(roll(1'000'000));
    stored.last_observed_at = static_cast<Timestamp>(roll(1'000'000));
    stored.updated_at = static_cast<Timestamp>(roll(1'000'000));
    stored.closed_at = static_cast<Timestamp>(roll(1'000'000));
    stored.stale = chance(2);
    return stored;
  }

 private:
  std::mt19937_64 random_;
};

// `stored` as finding_from_json gives it back: the document leaves lifecycle state out, drops
// tags whose value is empty, and an empty type reads back as the default one.
StoredFinding document_view(StoredFinding stored) {
  if (stored.type.empty()) {
    stored.type = StoredFinding{}.type;
  }
  stored.finding.status = model::FindingStatus::kActive;
  stored.finding.suppression_reason.clear();
  stored.first_observed_at = stored.last_observed_at = stored.updated_at = stored.closed_at = 0;
  stored.stale = false;
  std::erase_if(stored.resource_tags, [](const auto& tag) { return tag.second.empty(); });
  return stored;
}

TEST(FindingJsonTest, RandomFindingsMatchTheReferenceByteForByte) {
  Generator generator(20261125);
  for (int index = 0; index < 6000; ++index) {
    generator.allow_invalid_utf8 = index % 2 == 0;
    const StoredFinding stored = generator.finding();
    const std::string expected = finding_to_json_reference(stored);
    const std::string actual = finding_to_json(stored);
    ASSERT_EQ(actual, expected) << "finding " << index;

    // Read back, it is the same finding when it held valid UTF-8 only. (Invalid bytes come back
    // replaced, which can also reorder tag keys, so those are only checked against the reference
    // once more.)
    auto parsed = finding_from_json(actual);
    ASSERT_TRUE(parsed.has_value()) << "finding " << index << ": " << parsed.error().message;
    if (generator.allow_invalid_utf8) {
      ASSERT_EQ(finding_to_json(*parsed), finding_to_json_reference(*parsed))
          << "finding " << index;
    } else {
      ASSERT_EQ(*parsed, document_view(stored)) << "finding " << index << ": " << actual;
      ASSERT_EQ(finding_to_json(*parsed), finding_to_json(document_view(stored)))
          << "finding " << index;
    }
  }
}

TEST(FindingJsonTest, DefaultAndEmptyFindingsMatchTheReference) {
  StoredFinding stored;
  EXPECT_EQ(finding_to_json(stored), finding_to_json_reference(stored));
  stored.type.clear();
  EXPECT_EQ(finding_to_json(stored), finding_to_json_reference(stored));
  // Array items whose members are all pruned stay as {}.
  stored.finding.inspector_adjustments.resize(2);
  stored.finding.cvss.resize(1);
  stored.resource_tags = {{"empty", ""}};
  const std::string document = finding_to_json(stored);
  EXPECT_EQ(document, finding_to_json_reference(stored));
  EXPECT_NE(document.find(R"("inspectorAdjustments":[{},{}])"), std::string::npos) << document;
  EXPECT_NE(document.find(R"("cvss":[{"baseScore":0.0}])"), std::string::npos) << document;
  EXPECT_EQ(document.find("resourceTags"), std::string::npos) << document;
}

TEST(FindingJsonTest, NonFiniteScoresMatchTheReference) {
  StoredFinding stored;
  stored.finding.inspector_score = std::numeric_limits<double>::quiet_NaN();
  stored.finding.vigil_risk = std::numeric_limits<double>::infinity();
  stored.finding.epss = -std::numeric_limits<double>::infinity();
  stored.finding.cvss = {{"3.1", "", std::numeric_limits<double>::quiet_NaN(), ""}};
  const std::string document = finding_to_json(stored);
  EXPECT_EQ(document, finding_to_json_reference(stored));
  EXPECT_NE(document.find(R"("inspectorScore":null)"), std::string::npos) << document;
}

TEST(FindingJsonTest, StringsAndNumbersAreWrittenAsNlohmannDoes) {
  std::string out;
  append_json_string(out, std::string("a\"b\\c/\x01\x1f\x7f\n\xc3\xa9", 12));
  EXPECT_EQ(out, "\"a\\\"b\\\\c/\\u0001\\u001f\x7f\\n\xc3\xa9\"");
  out.clear();
  append_json_string(out,
                     "x\xff"
                     "y\xe2\x82");
  EXPECT_EQ(out, "\"x\xef\xbf\xbdy\xef\xbf\xbd\"");
  out.clear();
  for (const double value : {10.0, 7.5, 1e-7, 0.0, -0.0, 123456789.123}) {
    append_json_double(out, value);
    out += ' ';
  }
  EXPECT_EQ(out, "10.0 7.5 1e-07 0.0 -0.0 123456789.123 ");
}

}  // namespace
}  // namespace vigil::store::internal
