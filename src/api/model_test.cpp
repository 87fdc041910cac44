#include "api/model.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "api/operations.hpp"

namespace vigil::api {
namespace {

TEST(ModelTablesTest, AreInternallyConsistent) {
  EXPECT_EQ(spec::operations().size(), 75U);
  for (const spec::Shape& shape : spec::all_shapes()) {
    for (const spec::Member& member : spec::members(shape)) {
      ASSERT_LT(member.shape, spec::all_shapes().size()) << shape.name << "." << member.name;
    }
    if (shape.type == spec::ShapeType::kList || shape.type == spec::ShapeType::kMap) {
      ASSERT_LT(shape.element, spec::all_shapes().size()) << shape.name;
    }
  }
  const spec::Operation* list = spec::find_operation("ListFindings");
  ASSERT_NE(list, nullptr);
  EXPECT_EQ(list->method, "POST");
  EXPECT_EQ(list->path, "/findings/list");
  const spec::Shape& input = spec::shape(list->input);
  ASSERT_NE(spec::find_member(input, "filterCriteria"), nullptr);
  EXPECT_EQ(spec::find_member(input, "bogus"), nullptr);
}

// The generated table must agree with Debian's botocore model (an older, smaller model) on every
// operation Debian knows: binding, input members and enum values.
TEST(ModelTablesTest, AgreesWithDebianModel) {
  const std::vector<std::filesystem::path> candidates = {
      "/usr/lib/python3/dist-packages/awscli/botocore/data/inspector2/2020-06-08/service-2.json",
      "/usr/lib/python3/dist-packages/botocore/data/inspector2/2020-06-08/service-2.json"};
  std::filesystem::path found;
  for (const auto& candidate : candidates) {
    if (std::filesystem::exists(candidate)) {
      found = candidate;
      break;
    }
  }
  if (found.empty()) {
    if (const char* require = std::getenv("VIGIL_REQUIRE_REFERENCE"); require && *require == '1') {
      FAIL() << "Debian's inspector2 model (awscli) is not installed";
    }
    GTEST_SKIP() << "Debian inspector2 model not installed";
  }
  std::ifstream in(found);
  const nlohmann::json debian = nlohmann::json::parse(in);
  const auto& shapes = debian.at("shapes");
  std::size_t checked = 0;
  for (const auto& [name, operation] : debian.at("operations").items()) {
    const spec::Operation* ours = spec::find_operation(name);
    ASSERT_NE(ours, nullptr) << name;
    EXPECT_EQ(ours->method, operation.at("http").at("method").get<std::string>()) << name;
    EXPECT_EQ(ours->path, operation.at("http").at("requestUri").get<std::string>()) << name;
    if (!operation.contains("input")) {
      continue;
    }
    // Walk Debian's input shapes; every member and enum value must exist in ours.
    std::vector<std::pair<std::string, std::uint16_t>> pending = {
        {operation["input"]["shape"].get<std::string>(), ours->input}};
    std::set<std::string> seen;
    while (!pending.empty()) {
      auto [shape_name, index] = pending.back();
      pending.pop_back();
      if (!seen.insert(shape_name).second) {
        continue;
      }
      const auto& theirs = shapes.at(shape_name);
      const spec::Shape& mine = spec::shape(index);
      for (const auto& value : theirs.value("enum", nlohmann::json::array())) {
        const auto values = spec::enum_values(mine);
        EXPECT_NE(std::find(values.begin(), values.end(), value.get<std::string>()), values.end())
            << shape_name << " lacks " << value;
      }
      if (theirs.at("type") == "structure") {
        for (const auto& [member_name, member] : theirs.at("members").items()) {
          const spec::Member* ours_member = spec::find_member(mine, member_name);
          ASSERT_NE(ours_member, nullptr) << shape_name << "." << member_name;
          pending.emplace_back(member.at("shape").get<std::string>(), ours_member->shape);
          ++checked;
        }
      } else if (theirs.at("type") == "list") {
        pending.emplace_back(theirs.at("member").at("shape").get<std::string>(), mine.element);
      }
    }
  }
  EXPECT_GT(checked, 100U);
}

TEST(RegistryTest, RoutesEveryModelOperation) {
  const Registry registry = default_registry();
  for (const spec::Operation& operation : spec::operations()) {
    std::string path(operation.path);
    if (const auto brace = path.find('{'); brace != std::string::npos) {
      path = path.substr(0, brace) + "arn%3Aaws%3Ainspector2%3Aus-east-1%3A111122223333%3Aowner%2Fx";
    }
    const auto match = registry.route(operation.method, path);
    ASSERT_TRUE(match.has_value()) << operation.name;
    EXPECT_EQ(match->spec->name, operation.name);
  }
  const auto tags = registry.route("GET", "/tags/arn%3Aaws%3Ainspector2%3Ax%2Ffilter%2Fab");
  ASSERT_TRUE(tags.has_value());
  EXPECT_EQ(tags->labels.at("resourceArn"), "arn:aws:inspector2:x/filter/ab");
  EXPECT_FALSE(registry.route("GET", "/findings/list").has_value());
  EXPECT_FALSE(registry.route("POST", "/findings/list/extra").has_value());
  const std::vector<std::string_view> missing = registry.unimplemented();
  EXPECT_EQ(std::find(missing.begin(), missing.end(), "ListFindings"), missing.end());
}

}  // namespace
}  // namespace vigil::api
