#include "version/range.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace vigil::version {
namespace {

using model::EventKind;
using model::RangeEvent;

bool contains(const Range& range, const char* text) {
  return range.contains(parse(Scheme::kGeneric, text).value());
}

TEST(RangeTest, OsvIntroducedFixed) {
  const std::vector<RangeEvent> events = {{EventKind::kIntroduced, "1.0"},
                                          {EventKind::kFixed, "1.5"},
                                          {EventKind::kIntroduced, "2.0"},
                                          {EventKind::kFixed, "2.3"}};
  const auto range = Range::from_events(Scheme::kGeneric, events).value();
  EXPECT_FALSE(contains(range, "0.9"));
  EXPECT_TRUE(contains(range, "1.0"));
  EXPECT_TRUE(contains(range, "1.4.9"));
  EXPECT_FALSE(contains(range, "1.5"));
  EXPECT_FALSE(contains(range, "1.9"));
  EXPECT_TRUE(contains(range, "2.2"));
  EXPECT_FALSE(contains(range, "2.3"));
  EXPECT_FALSE(contains(range, "10.0"));
}

TEST(RangeTest, OsvEventsAreSortedBeforeEvaluation) {
  const std::vector<RangeEvent> events = {{EventKind::kFixed, "2.3"},
                                          {EventKind::kIntroduced, "2.0"},
                                          {EventKind::kFixed, "1.5"},
                                          {EventKind::kIntroduced, "0"}};
  const auto range = Range::from_events(Scheme::kGeneric, events).value();
  EXPECT_TRUE(contains(range, "0.1"));
  EXPECT_FALSE(contains(range, "1.7"));
  EXPECT_TRUE(contains(range, "2.1"));
}

TEST(RangeTest, OsvLastAffectedIsInclusive) {
  const std::vector<RangeEvent> events = {{EventKind::kIntroduced, "0"},
                                          {EventKind::kLastAffected, "3.1"}};
  const auto range = Range::from_events(Scheme::kGeneric, events).value();
  EXPECT_TRUE(contains(range, "3.1"));
  EXPECT_FALSE(contains(range, "3.1.1"));
}

TEST(RangeTest, OsvLimitCapsTheRange) {
  const std::vector<RangeEvent> events = {{EventKind::kIntroduced, "0"},
                                          {EventKind::kLimit, "2.0"}};
  const auto range = Range::from_events(Scheme::kGeneric, events).value();
  EXPECT_TRUE(contains(range, "1.9"));
  EXPECT_FALSE(contains(range, "2.0"));
  const std::vector<RangeEvent> star = {{EventKind::kIntroduced, "1.0"},
                                        {EventKind::kLimit, "*"}};
  EXPECT_TRUE(contains(Range::from_events(Scheme::kGeneric, star).value(), "99"));
}

TEST(RangeTest, OsvUnfixedIsOpenEnded) {
  const std::vector<RangeEvent> events = {{EventKind::kIntroduced, "1.2"}};
  const auto range = Range::from_events(Scheme::kGeneric, events).value();
  EXPECT_FALSE(contains(range, "1.1"));
  EXPECT_TRUE(contains(range, "1.2"));
  EXPECT_TRUE(contains(range, "900"));
}

TEST(RangeTest, OsvBadEventVersionNamesTheEvent) {
  const std::vector<RangeEvent> events = {{EventKind::kIntroduced, "0"},
                                          {EventKind::kFixed, "..."}};
  const auto range = Range::from_events(Scheme::kGeneric, events);
  ASSERT_FALSE(range.has_value());
  EXPECT_NE(range.error().message.find("fixed event"), std::string::npos);
}

TEST(RangeTest, ConstraintStrings) {
  const struct {
    const char* range;
    const char* version;
    bool want;
  } cases[] = {
      {">=1.0, <2.0", "1.5", true},   {">=1.0, <2.0", "2.0", false}, {">= 1.0 < 2.0", "1.0", true},
      {"<1.0 || >=3.0", "3.1", true}, {"<1.0 || >=3.0", "2.0", false}, {"=1.2.3", "1.2.3", true},
      {"1.2.3", "1.2.4", false},      {"!=1.2.3", "1.2.4", true},    {"<=1.2", "1.2", true},
      {">1.2", "1.2", false},         {"*", "0.0.1", true},          {"==4", "4.0", false},
  };
  for (const auto& c : cases) {
    const auto result = in_range(Scheme::kGeneric, c.version, c.range);
    ASSERT_TRUE(result.has_value()) << c.range << ": " << result.error().message;
    EXPECT_EQ(*result, c.want) << c.version << " in " << c.range;
  }
}

TEST(RangeTest, MalformedConstraintIsAnError) {
  EXPECT_FALSE(in_range(Scheme::kGeneric, "1.0", ">=").has_value());
  EXPECT_FALSE(in_range(Scheme::kGeneric, "1.0", ">=1.0, <").has_value());
  EXPECT_FALSE(in_range(Scheme::kGeneric, "...", ">=1.0").has_value());
}

}  // namespace
}  // namespace vigil::version
