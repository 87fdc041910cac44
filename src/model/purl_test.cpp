#include "model/purl.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace vigil::model {
namespace {

std::string describe(const Purl& purl) {
  std::string out = "type=" + purl.type + " namespace=" + purl.namespace_ + " name=" + purl.name +
                    " version=" + purl.version + " qualifiers={";
  for (const auto& [key, value] : purl.qualifiers) {
    out += key + ":" + value + ";";
  }
  return out + "} subpath=" + purl.subpath;
}

struct ParseCase {
  const char* input;
  Purl want;
};

TEST(PurlTest, ParsesAndNormalisesComponents) {
  const std::vector<ParseCase> cases = {
      {"pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie",
       {"deb", "debian", "curl", "7.50.3-1", {{"arch", "i386"}, {"distro", "jessie"}}, ""}},
      {"PKG://NPM/%40Angular/Core@12.0.0#/lib/./../x//",
       {"npm", "@angular", "core", "12.0.0", {}, "lib/x"}},
      {"pkg:pypi/Django_Allauth..Extra@1.0", {"pypi", "", "django-allauth-extra", "1.0", {}, ""}},
      {"pkg:golang/github.com/Sirupsen/Logrus@v1.0.0",
       {"golang", "github.com/Sirupsen", "Logrus", "v1.0.0", {}, ""}},
      {"pkg:maven/org.apache/Commons@1.0?Classifier=sources&type=",
       {"maven", "org.apache", "Commons", "1.0", {{"classifier", "sources"}}, ""}},
      {"pkg:brew/node@20@20.10.0", {"brew", "", "node@20", "20.10.0", {}, ""}},
      {"pkg:generic/a%20b%2Bc@1%3A2?x=%E2%82%AC",
       {"generic", "", "a b+c", "1:2", {{"x", "\u20ac"}}, ""}},
      {"pkg:git/codeberg.org/forgejo/Forgejo@abc",
       {"git", "codeberg.org", "forgejo/forgejo", "abc", {}, ""}},
      {"pkg:huggingface/EleutherAI/gpt-neo@ABC123",
       {"huggingface", "EleutherAI", "gpt-neo", "abc123", {}, ""}},
  };
  for (const auto& c : cases) {
    const auto parsed = parse_purl(c.input);
    ASSERT_TRUE(parsed.has_value()) << c.input << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, c.want) << c.input << "\n got  " << describe(*parsed) << "\n want "
                               << describe(c.want);
  }
}

struct PrintCase {
  Purl input;
  const char* want;
};

TEST(PurlTest, PrintsCanonicalForm) {
  const std::vector<PrintCase> cases = {
      {{"Maven", "/org.apache.commons/", "io", "1.3.4", {}, ""},
       "pkg:maven/org.apache.commons/io@1.3.4"},
      {{"generic", "", "openssl", "1.1.10g", {{"checksum", "sha1:ad,sha256:41"}, {"b", ""}}, ""},
       "pkg:generic/openssl@1.1.10g?checksum=sha1:ad%2Csha256:41"},
      {{"npm", "@babel", "core", "", {}, "/a/./b/../c/"}, "pkg:npm/%40babel/core#a/b/c"},
      {{"generic", "", "x", "1 final", {{"url", "https://h/p?q=1&r#f"}}, ""},
       "pkg:generic/x@1%20final?url=https:%2F%2Fh%2Fp%3Fq%3D1%26r%23f"},
      // Sorted by key, so "a=..." precedes "a-b=..." although '-' < '='.
      {{"generic", "", "x", "", {{"a-b", "2"}, {"a", "1"}}, ""}, "pkg:generic/x?a=1&a-b=2"},
      {{"git", "codeberg.org", "/forgejo/forgejo/", "a72d", {}, ""},
       "pkg:git/codeberg.org/forgejo/forgejo@a72d"},
  };
  for (const auto& c : cases) {
    const auto printed = to_string(c.input);
    ASSERT_TRUE(printed.has_value()) << describe(c.input) << ": " << printed.error().message;
    EXPECT_EQ(*printed, c.want);
    const auto reparsed = parse_purl(*printed);
    ASSERT_TRUE(reparsed.has_value()) << *printed;
    EXPECT_EQ(to_string(*reparsed).value(), *printed) << "round trip of " << *printed;
  }
}

TEST(PurlTest, RejectsInvalidPurls) {
  const char* const bad[] = {
      "",
      "npm/foo@1",
      "pkg:",
      "pkg:npm",
      "pkg:npm/",
      "pkg:npm/@1.0",
      "pkg:1npm/foo",
      "pkg:n_pm/foo",
      "pkg:npm/foo%zz",
      "pkg:npm/foo%4",
      "pkg:npm/foo%",
      "pkg:npm/foo%FF",        // not UTF-8
      "pkg:npm/foo%C0%80",     // overlong
      "pkg:npm/foo%ED%A0%80",  // surrogate
      "pkg:npm/foo\n",
      "pkg:npm/a%2Fb/foo",    // encoded '/' inside a namespace segment
      "pkg:npm/foo#a%2Fb",    // ... or a subpath segment
      "pkg:npm/foo?a=1&A=2",  // duplicate key once lower-cased
      "pkg:npm/foo?1a=1",
      "pkg:npm/foo?=1",
      "pkg:maven/io@1.0",    // maven needs a namespace
      "pkg:pypi/ns/django",  // pypi has none
      "pkg:julia/Dates",     // julia needs a uuid
  };
  for (const char* text : bad) {
    const auto parsed = parse_purl(text);
    ASSERT_FALSE(parsed.has_value()) << text << " parsed as " << describe(*parsed);
    EXPECT_EQ(parsed.error().code, ErrorCode::kParse) << text;
  }
  const auto unnamed = to_string(Purl{"npm", "", "", "1.0", {}, ""});
  ASSERT_FALSE(unnamed.has_value());
  EXPECT_EQ(unnamed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(to_string(Purl{"", "", "x", "", {}, ""}).has_value());
  EXPECT_FALSE(to_string(Purl{"npm", "", "x", "", {{"in production", "true"}}, ""}).has_value());
}

// --- The purl-spec test suite (tests/spec and tests/types, schema purl-test.schema-0.2). -------

Purl purl_from_json(const nlohmann::json& components) {
  const auto text = [&](const char* key) {
    const auto it = components.find(key);
    return it == components.end() || it->is_null() ? std::string() : it->get<std::string>();
  };
  Purl purl{text("type"), text("namespace"), text("name"), text("version"), {}, text("subpath")};
  if (const auto it = components.find("qualifiers"); it != components.end() && it->is_object()) {
    for (const auto& [key, value] : it->items()) {
      purl.qualifiers[key] = value.get<std::string>();
    }
  }
  return purl;
}

// Cases we do not follow, by file and input. Two "required" parse cases expect qualifier keys
// that are not lower-case to be rejected ("?Platform=java", "?Arch=i386"), while maven-test.json
// has a required parse case that must accept "?repositorY_url=..." and lower-case it, and the
// same gem and rpm inputs are "recommended" validate cases that must round-trip to lower-case
// keys. No parser can satisfy both; we follow how-to-parse ("the key is the lowercase left
// side") and the majority of the cases.
struct Skip {
  const char* file;
  const char* test_type;
  const char* input;
};
constexpr Skip kSkips[] = {
    {"gem-test.json", "parse", "pkg:gem/jruby-launcher@1.1.2?Platform=java"},
    {"rpm-test.json", "parse", "pkg:Rpm/fedora/curl@7.50.3-1.fc25?Arch=i386&Distro=fedora-25"},
};

bool skipped(const std::string& file, const nlohmann::json& test) {
  return std::any_of(std::begin(kSkips), std::end(kSkips), [&](const Skip& skip) {
    return file == skip.file && test.at("test_type") == skip.test_type &&
           test.at("input").is_string() && test.at("input") == skip.input;
  });
}

struct SuiteCounts {
  int run = 0;
  int skipped = 0;
};

void run_case(const std::string& file, const nlohmann::json& test, SuiteCounts& counts) {
  if (skipped(file, test)) {
    ++counts.skipped;
    return;
  }
  ++counts.run;
  const std::string type = test.at("test_type");
  const bool should_fail = test.value("expected_failure", false);
  const auto& input = test.at("input");
  const nlohmann::json expected = test.value("expected_output", nlohmann::json());
  const std::string label =
      file + ": " + test.at("description").get<std::string>() + ": " + input.dump();
  if (type == "parse") {
    const auto parsed = parse_purl(input.get<std::string>());
    if (should_fail) {
      EXPECT_FALSE(parsed.has_value()) << label << " parsed as " << describe(*parsed);
      return;
    }
    ASSERT_TRUE(parsed.has_value()) << label << ": " << parsed.error().message;
    const Purl want = purl_from_json(expected);
    EXPECT_EQ(*parsed, want) << label << "\n got  " << describe(*parsed) << "\n want "
                             << describe(want);
  } else if (type == "build") {
    const auto built = to_string(purl_from_json(input));
    if (should_fail) {
      EXPECT_FALSE(built.has_value()) << label << " built " << *built;
      return;
    }
    ASSERT_TRUE(built.has_value()) << label << ": " << built.error().message;
    EXPECT_EQ(*built, expected.get<std::string>()) << label;
  } else if (type == "validate") {
    const auto parsed = parse_purl(input.get<std::string>());
    const Result<std::string> printed =
        parsed ? to_string(*parsed) : Result<std::string>(fail(parsed.error()));
    if (should_fail) {
      EXPECT_FALSE(printed.has_value()) << label;
      return;
    }
    ASSERT_TRUE(printed.has_value()) << label << ": " << printed.error().message;
    EXPECT_EQ(*printed, expected.get<std::string>()) << label;
  } else {
    ADD_FAILURE() << label << ": unknown test_type " << type;
  }
}

TEST(PurlTest, PassesPurlSpecTestSuite) {
  const std::filesystem::path root = std::string(VIGIL_SHARED_DIR) + "/data/purl/tests";
  if (!std::filesystem::exists(root)) {
    GTEST_SKIP() << "shared purl test suite absent: " << root;
  }
  std::vector<std::filesystem::path> files = {root / "spec" / "specification-test.json"};
  std::vector<std::filesystem::path> types;
  for (const auto& entry : std::filesystem::directory_iterator(root / "types")) {
    if (entry.path().extension() == ".json") {
      types.push_back(entry.path());
    }
  }
  std::sort(types.begin(), types.end());
  files.insert(files.end(), types.begin(), types.end());

  SuiteCounts counts;
  for (const auto& path : files) {
    std::ifstream in(path);
    ASSERT_TRUE(in) << path;
    const auto suite = nlohmann::json::parse(in);
    for (const auto& test : suite.at("tests")) {
      run_case(path.filename().string(), test, counts);
    }
  }
  EXPECT_EQ(counts.skipped, static_cast<int>(std::size(kSkips)));
  EXPECT_GE(counts.run, 580) << "the suite should not shrink silently";
  std::cout << "purl-spec suite: " << counts.run << " cases run, " << counts.skipped
            << " skipped\n";
}

}  // namespace
}  // namespace vigil::model
