#include "reachability/cidr.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::reachability {
namespace {

Cidr cidr(const char* text) {
  auto parsed = parse_cidr(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(Cidr{});
}

CidrSet set(std::initializer_list<const char*> texts) {
  std::vector<Cidr> blocks;
  for (const char* text : texts) {
    blocks.push_back(cidr(text));
  }
  return CidrSet(std::move(blocks));
}

std::vector<std::string> texts(const CidrSet& cidrs) {
  std::vector<std::string> out;
  for (const auto& block : cidrs.blocks()) {
    out.push_back(format_cidr(block));
  }
  return out;
}

TEST(CidrTest, ParsesAndFormatsCanonically) {
  struct Case {
    const char* input;
    const char* want;
  };
  const Case cases[] = {
      {"0.0.0.0/0", "0.0.0.0/0"},
      {"10.0.0.0/16", "10.0.0.0/16"},
      {"10.0.1.5/24", "10.0.1.0/24"},  // host bits cleared, as AWS does
      {"203.0.113.7", "203.0.113.7/32"},
      {"255.255.255.255/32", "255.255.255.255/32"},
      {"::/0", "::/0"},
      {"2600:1f18:abcd:1200::/56", "2600:1f18:abcd:1200::/56"},
      {"2600:1F18:0:0:0:0:0:1", "2600:1f18::1/128"},
      {"2001:db8:0:0:1:0:0:1/128", "2001:db8::1:0:0:1/128"},  // first longest zero run
      {"::1", "::1/128"},
      {"fe80::/10", "fe80::/10"},
      {"1:2:3:4:5:6:7:8/64", "1:2:3:4::/64"},
  };
  for (const auto& test : cases) {
    const auto parsed = parse_cidr(test.input);
    ASSERT_TRUE(parsed.has_value()) << test.input << ": " << parsed.error().message;
    EXPECT_EQ(format_cidr(*parsed), test.want) << test.input;
  }
}

TEST(CidrTest, RejectsMalformedText) {
  for (const char* bad : {"", "10.0.0", "10.0.0.256/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1",
                          "1.2.3.4.5", "a.b.c.d", "10.0.0.0/8/8", "1::2::3", "1:2:3:4:5:6:7:8:9",
                          "12345::", "::/129", "::ffff:1.2.3.4", "fe80::1%eth0", "10..0.1",
                          " 10.0.0.0/8", "10.0.0.0/0008"}) {
    const auto parsed = parse_cidr(bad);
    EXPECT_FALSE(parsed.has_value()) << '"' << bad << '"';
    if (!parsed) {
      EXPECT_EQ(parsed.error().code, ErrorCode::kParse);
    }
  }
}

TEST(CidrTest, ContainmentRespectsFamilies) {
  EXPECT_TRUE(contains(cidr("10.0.0.0/8"), cidr("10.1.2.0/24")));
  EXPECT_FALSE(contains(cidr("10.1.2.0/24"), cidr("10.0.0.0/8")));
  EXPECT_TRUE(contains(cidr("0.0.0.0/0"), cidr("203.0.113.1")));
  EXPECT_FALSE(contains(cidr("::/0"), cidr("10.0.0.0/8")));
  EXPECT_FALSE(overlaps(cidr("0.0.0.0/0"), cidr("::/0")));
  EXPECT_TRUE(overlaps(cidr("2600::/16"), cidr("2600:1f18::/32")));
  EXPECT_FALSE(overlaps(cidr("10.0.0.0/9"), cidr("10.128.0.0/9")));
}

TEST(CidrSetTest, NormalizesToDisjointBlocks) {
  EXPECT_EQ(texts(set({"10.0.1.0/24", "10.0.0.0/16", "192.168.0.0/16", "10.0.0.0/16"})),
            (std::vector<std::string>{"10.0.0.0/16", "192.168.0.0/16"}));
}

TEST(CidrSetTest, SubtractsByHalving) {
  EXPECT_EQ(texts(set({"10.0.0.0/22"}).minus(cidr("10.0.1.0/24"))),
            (std::vector<std::string>{"10.0.0.0/24", "10.0.2.0/23"}));
  EXPECT_TRUE(set({"10.0.1.0/24"}).minus(cidr("10.0.0.0/16")).empty());
  EXPECT_EQ(texts(set({"10.0.0.0/24"}).minus(cidr("10.1.0.0/16"))),
            (std::vector<std::string>{"10.0.0.0/24"}));
  // 0.0.0.0/0 minus a /32 leaves 32 blocks covering everything else.
  const auto rest = set({"0.0.0.0/0"}).minus(cidr("203.0.113.9"));
  EXPECT_EQ(rest.blocks().size(), 32u);
  EXPECT_FALSE(rest.intersects(cidr("203.0.113.9")));
  EXPECT_TRUE(rest.intersects(cidr("203.0.113.8")));
  EXPECT_TRUE(rest.intersects(cidr("203.0.113.10")));
}

TEST(CidrSetTest, IntersectsAcrossNestedBlocks) {
  const auto lhs = set({"10.0.0.0/8", "172.16.0.0/12", "2600::/16"});
  const auto rhs = set({"10.1.0.0/16", "10.2.0.0/16", "172.31.5.0/24", "192.168.0.0/16", "::/0"});
  EXPECT_EQ(texts(lhs.intersected(rhs)),
            (std::vector<std::string>{"10.1.0.0/16", "10.2.0.0/16", "172.31.5.0/24", "2600::/16"}));
  EXPECT_EQ(lhs.intersected(rhs), rhs.intersected(lhs));
  EXPECT_TRUE(lhs.intersects(rhs));
  EXPECT_FALSE(set({"10.0.0.0/8"}).intersects(set({"11.0.0.0/8", "::/0"})));
  EXPECT_TRUE(set({"10.0.0.0/8", "11.0.0.0/8"}).intersects(cidr("11.2.3.4")));
  EXPECT_FALSE(set({"10.0.0.0/8", "12.0.0.0/8"}).intersects(cidr("11.2.3.4")));
}

TEST(CidrSetTest, UniteAndMinusAreConsistent) {
  const auto a = set({"10.0.0.0/16", "198.51.100.0/24"});
  const auto b = set({"10.0.128.0/17", "2001:db8::/32"});
  const auto all = a.united(b);
  EXPECT_EQ(all.minus(b).united(b), all);
  EXPECT_FALSE(all.minus(b).intersects(b));
  EXPECT_TRUE(a.minus(a).empty());
}

TEST(CidrSetTest, PublicInternetExcludesPrivateSpace) {
  const auto& internet = public_internet();
  EXPECT_TRUE(internet.intersects(cidr("8.8.8.8")));
  EXPECT_TRUE(internet.intersects(cidr("2600:1f18::1")));
  for (const char* private_block : {"10.1.2.3", "172.20.0.1", "192.168.1.1", "100.64.0.1",
                                    "127.0.0.1", "169.254.169.254", "fd00::1", "fe80::1", "::1",
                                    "224.0.0.1"}) {
    EXPECT_FALSE(internet.intersects(cidr(private_block))) << private_block;
  }
  EXPECT_TRUE(internet.has_family(IpFamily::kV4));
  EXPECT_TRUE(internet.has_family(IpFamily::kV6));
}

}  // namespace
}  // namespace vigil::reachability
