// Golden cases in tests/data/reachability/<case>/: load the bundle, analyze it, and compare the
// JSON report with expected.json (VIGIL_UPDATE_GOLDEN=1 rewrites it). A table below also pins
// the class and path of the ports each case exists to prove, so a rewrite cannot silently
// bless a wrong answer.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reachability/analyzer.hpp"
#include "reachability/bundle.hpp"
#include "reachability/report.hpp"

namespace vigil::reachability {

// Readable gtest messages ("INTERNET" rather than bytes).
void PrintTo(ReachabilityClass reachability, std::ostream* out) {
  *out << reachability_class_name(reachability);
}

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path cases_dir() { return fs::path(VIGIL_SOURCE_DIR) / "tests/data/reachability"; }

Environment load_case(const std::string& name) {
  auto tree = sources::open_directory(cases_dir() / name);
  EXPECT_TRUE(tree.has_value()) << name;
  if (!tree) {
    return {};
  }
  auto env = load_bundle(**tree);
  EXPECT_TRUE(env.has_value()) << name << ": " << env.error().message;
  return env ? std::move(*env) : Environment{};
}

TEST(ReachabilityGoldenTest, EveryCaseMatchesItsExpectedReport) {
  ASSERT_TRUE(fs::is_directory(cases_dir())) << cases_dir();
  const char* update_env = std::getenv("VIGIL_UPDATE_GOLDEN");
  const bool update = update_env != nullptr && std::string(update_env) == "1";
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(cases_dir())) {
    if (!entry.is_directory()) {
      continue;
    }
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    EXPECT_TRUE(fs::exists(entry.path() / "README.md")) << "every case explains itself";
    const auto env = load_case(name);
    const json got = json::parse(render_json(analyze(env)));
    const fs::path expected_path = entry.path() / "expected.json";
    if (update) {
      std::ofstream(expected_path) << got.dump(2) << '\n';
    }
    std::ifstream in(expected_path);
    ASSERT_TRUE(in.good()) << "missing " << expected_path << " (run with VIGIL_UPDATE_GOLDEN=1)";
    const json want = json::parse(in, nullptr, false);
    ASSERT_FALSE(want.is_discarded()) << expected_path << " is not JSON";
    EXPECT_EQ(got, want) << "got:\n" << got.dump(2);
    ++checked;
  }
  EXPECT_GE(checked, 9);
}

struct PortCase {
  const char* bundle;
  const char* instance;
  Protocol protocol;
  uint16_t port;
  ReachabilityClass want;
  // componentType of each path step, source side first; empty when no path is expected.
  std::vector<std::string> path_types;
};

const std::vector<std::string> kDirect = {
    "AWS::EC2::InternetGateway", "AWS::EC2::RouteTable",      "AWS::EC2::NetworkAcl",
    "AWS::EC2::SecurityGroup",   "AWS::EC2::NetworkInterface", "AWS::EC2::Instance"};
const std::vector<std::string> kThroughBalancer = {
    "AWS::EC2::InternetGateway",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::NetworkInterface",
    "AWS::EC2::Instance"};
const std::vector<std::string> kSameSubnet = {"AWS::EC2::Subnet", "AWS::EC2::SecurityGroup",
                                              "AWS::EC2::NetworkInterface", "AWS::EC2::Instance"};
const std::vector<std::string> kWithinVpc = {"AWS::EC2::VPC", "AWS::EC2::NetworkAcl",
                                             "AWS::EC2::SecurityGroup",
                                             "AWS::EC2::NetworkInterface", "AWS::EC2::Instance"};
const std::vector<std::string> kPeered = {
    "AWS::EC2::VPCPeeringConnection", "AWS::EC2::RouteTable",      "AWS::EC2::NetworkAcl",
    "AWS::EC2::SecurityGroup",        "AWS::EC2::NetworkInterface", "AWS::EC2::Instance"};

constexpr auto kTcp = Protocol::kTcp;
constexpr auto kUdp = Protocol::kUdp;
constexpr auto kInternet = ReachabilityClass::kInternet;
constexpr auto kVpc = ReachabilityClass::kVpc;
constexpr auto kNone = ReachabilityClass::kNone;
constexpr auto kUnknown = ReachabilityClass::kUnknown;

const PortCase kPortCases[] = {
    {"alb-web-server", "i-0a000000000000web", kTcp, 8080, kInternet, kThroughBalancer},
    {"alb-web-server", "i-0a000000000000web", kTcp, 22, kVpc, kSameSubnet},
    {"alb-web-server", "i-0a000000000000web", kTcp, 80, kNone, {}},
    {"alb-web-server", "i-0a00000000000web2", kTcp, 8080, kVpc, kWithinVpc},
    {"bastion-ssh", "i-0ba57100000000001", kTcp, 22, kInternet, kDirect},
    {"bastion-ssh", "i-0ba57100000000001", kTcp, 23, kNone, {}},
    {"bastion-ssh", "i-0ba57100000000001", kUdp, 22, kNone, {}},
    {"nacl-deny", "i-0aa00000000000003", kTcp, 22, kVpc, kSameSubnet},
    {"nacl-deny", "i-0aa00000000000003", kTcp, 80, kInternet, kDirect},
    {"nacl-deny", "i-0bb00000000000003", kTcp, 80, kVpc, kSameSubnet},
    {"private-nat", "i-0c000000000000p01", kTcp, 443, kVpc, kSameSubnet},
    {"private-nat", "i-0c000000000000p02", kTcp, 443, kVpc, kSameSubnet},
    {"private-nat", "i-0c000000000000p02", kUdp, 8125, kVpc, kSameSubnet},
    {"peered-vpc", "i-0db00000000000005", kTcp, 5432, kVpc, kPeered},
    {"peered-vpc", "i-0db00000000000005", kTcp, 6379, kNone, {}},
    {"peered-vpc", "i-0db20000000000005", kTcp, 5432, kNone, {}},
    {"sg-reference", "i-0a990000000000006", kTcp, 8080, kVpc, kWithinVpc},
    {"sg-reference", "i-0a990000000000006", kTcp, 9000, kNone, {}},
    {"sg-reference", "i-0a990000000000006", kUdp, 53, kNone, {}},
    {"ipv6-only", "i-0a600000000000007", kTcp, 443, kInternet, kDirect},
    {"ipv6-only", "i-0a600000000000007", kTcp, 22, kVpc, kSameSubnet},
    {"ipv6-only", "i-0a6e0000000000007", kTcp, 443, kVpc, kSameSubnet},
    {"no-igw-route", "i-0d000000000000008", kTcp, 3389, kVpc, kSameSubnet},
    {"no-igw-route", "i-0d000000000000008", kUdp, 3389, kVpc, kSameSubnet},
    {"prefix-list", "i-0c100000000000009", kTcp, 443, kInternet, kDirect},
    {"prefix-list", "i-0c100000000000009", kTcp, 22, kVpc, kSameSubnet},
    {"broken-bundle", "i-0a00000000000000a", kTcp, 443, kUnknown, {}},
    {"broken-bundle", "i-0a00000000000000a", kTcp, 9999, kUnknown, {}},
    {"broken-bundle", "i-0b00000000000000a", kTcp, 443, kUnknown, {}},
    {"broken-bundle", "i-0nonexistent00000", kTcp, 443, kUnknown, {}},
};

TEST(ReachabilityGoldenTest, KeyPortsHaveTheirExpectedClassAndPath) {
  for (const auto& test : kPortCases) {
    SCOPED_TRACE(fmt::format("{} {} {}/{}", test.bundle, test.instance,
                             protocol_name(test.protocol), test.port));
    const auto env = load_case(test.bundle);
    const Analyzer analyzer(env);
    EXPECT_EQ(analyzer.port_reachability(test.instance, test.protocol, test.port), test.want);
    const auto instance = analyzer.analyze_instance(test.instance);
    if (!instance) {
      continue;
    }
    std::vector<std::string> types;
    for (const auto& port : instance->ports) {
      if (port.protocol == test.protocol && port.port_range.begin <= test.port &&
          test.port <= port.port_range.end) {
        EXPECT_EQ(port.reachability, test.want);
        for (const auto& step : port.path) {
          types.push_back(std::string(component_type_name(step.component_type)));
        }
      }
    }
    EXPECT_EQ(types, test.path_types);
  }
}

struct SummaryCase {
  const char* bundle;
  const char* instance;
  ReachabilityClass want;
};

const SummaryCase kSummaryCases[] = {
    {"alb-web-server", "i-0a000000000000web", kInternet},
    {"alb-web-server", "i-0a00000000000web2", kVpc},
    {"bastion-ssh", "i-0ba57100000000001", kInternet},
    {"nacl-deny", "i-0aa00000000000003", kInternet},
    {"nacl-deny", "i-0bb00000000000003", kVpc},
    {"private-nat", "i-0c000000000000p02", kVpc},
    {"peered-vpc", "i-0db20000000000005", kNone},
    {"peered-vpc", "i-0db00000000000005", kVpc},
    {"sg-reference", "i-0a990000000000006", kVpc},
    {"ipv6-only", "i-0a600000000000007", kInternet},
    {"no-igw-route", "i-0d000000000000008", kVpc},
    {"broken-bundle", "i-0a00000000000000a", kUnknown},
};

TEST(ReachabilityGoldenTest, InstanceSummaryIsTheWidestClass) {
  for (const auto& test : kSummaryCases) {
    SCOPED_TRACE(fmt::format("{} {}", test.bundle, test.instance));
    const auto env = load_case(test.bundle);
    EXPECT_EQ(Analyzer(env).instance_reachability(test.instance), test.want);
  }
}

TEST(ReachabilityGoldenTest, BrokenBundleNamesEveryProblem) {
  const auto env = load_case("broken-bundle");
  const auto analysis = analyze(env);
  std::string all;
  for (const auto& diagnostic : analysis.diagnostics) {
    all += diagnostic.where + ": " + diagnostic.message + "\n";
  }
  for (const char* needle :
       {"describe-network-acls.json: missing from the bundle",
        "describe-nat-gateways.json: not valid JSON",
        "describe-instances.json: Reservations[2].Instances[0]: instance without InstanceId",
        "security group sg-0d3ad00000000000a, which is not in describe-security-groups.json",
        "subnet-0ffffffffffffff0a, which is not in describe-subnets.json",
        "internet gateway igw-0ffffffffffffff0a, which is not in describe-internet-gateways.json",
        "invalid port range 5000-4000", "prefix length must be 0-32",
        "describe-vpc-endpoints.json: not a command the analysis reads"}) {
    EXPECT_NE(all.find(needle), std::string::npos) << needle << "\nin:\n" << all;
  }
}

}  // namespace
}  // namespace vigil::reachability
