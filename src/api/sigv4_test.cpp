#include "api/sigv4.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/internal/crypto.hpp"
#include "api/internal/time.hpp"

namespace vigil::api {
namespace {

constexpr std::int64_t kSigNow = 1764000000;  // 2025-11-24T16:00:00Z

struct OwnedRequest {
  std::string method;
  std::string target;
  std::vector<Header> headers;
  std::string body;
  RequestParts parts() const { return {method, target, headers, body}; }
};

OwnedRequest signed_post(const SigningKey& key, std::int64_t when) {
  OwnedRequest request{"POST", "/findings/list",
                       {{"Content-Type", "application/json"},
                        {"Host", "127.0.0.1:8443"},
                        {"X-Amz-Date", internal::format_amz_date(when)}},
                       R"({"maxResults": 10})"};
  auto authorization = sign_request(request.parts(), key, when);
  EXPECT_TRUE(authorization.has_value()) << authorization.error().message;
  request.headers.push_back({"Authorization", authorization.value_or("")});
  return request;
}

Result<void> verify(const OwnedRequest& request, std::string_view secret, std::int64_t now) {
  std::string header;
  for (const Header& h : request.headers) {
    if (h.name == "Authorization") {
      header = h.value;
    }
  }
  VIGIL_ASSIGN_OR_RETURN(const Authorization auth, parse_authorization(header));
  VerifyOptions options;
  options.now_epoch_seconds = now;
  return verify_signature(request.parts(), auth, secret, options);
}

const SigningKey kKey{"AKIDVIGIL00000000001", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};

TEST(SigV4Test, SignedRequestVerifies) {
  const OwnedRequest request = signed_post(kKey, kSigNow);
  const auto result = verify(request, kKey.secret, kSigNow);
  EXPECT_TRUE(result.has_value()) << result.error().message;
}

TEST(SigV4Test, WrongSecretIsRejected) {
  const OwnedRequest request = signed_post(kKey, kSigNow);
  const auto result = verify(request, "not-the-secret", kSigNow);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("signature we calculated does not match"), std::string::npos);
}

TEST(SigV4Test, TamperedBodyIsRejected) {
  OwnedRequest request = signed_post(kKey, kSigNow);
  request.body = R"({"maxResults": 11})";
  EXPECT_FALSE(verify(request, kKey.secret, kSigNow).has_value());
}

TEST(SigV4Test, TamperedSignedHeaderIsRejected) {
  OwnedRequest request = signed_post(kKey, kSigNow);
  request.headers[1].value = "evil.example:8443";
  EXPECT_FALSE(verify(request, kKey.secret, kSigNow).has_value());
}

TEST(SigV4Test, ClockSkewWindowIsEnforced) {
  const OwnedRequest request = signed_post(kKey, kSigNow);
  EXPECT_TRUE(verify(request, kKey.secret, kSigNow + 299).has_value());
  EXPECT_TRUE(verify(request, kKey.secret, kSigNow - 300).has_value());
  const auto late = verify(request, kKey.secret, kSigNow + 301);
  ASSERT_FALSE(late.has_value());
  EXPECT_NE(late.error().message.find("Signature expired"), std::string::npos);
  EXPECT_FALSE(verify(request, kKey.secret, kSigNow - 301).has_value());
}

TEST(SigV4Test, WrongServiceIsRejected) {
  SigningKey key = kKey;
  key.service = "s3";
  const OwnedRequest request = signed_post(key, kSigNow);
  const auto result = verify(request, key.secret, kSigNow);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("inspector2"), std::string::npos);
}

TEST(SigV4Test, HostMustBeSigned) {
  OwnedRequest request{"POST", "/findings/list",
                       {{"X-Amz-Date", internal::format_amz_date(kSigNow)}},
                       "{}"};
  const auto authorization = sign_request(request.parts(), kKey, kSigNow);
  ASSERT_TRUE(authorization.has_value());
  request.headers.push_back({"Host", "127.0.0.1"});
  request.headers.push_back({"Authorization", *authorization});
  const auto result = verify(request, kKey.secret, kSigNow);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("'host'"), std::string::npos);
}

TEST(SigV4Test, ContentSha256HeaderMustMatchBody) {
  OwnedRequest request{"POST", "/findings/list",
                       {{"Host", "h"},
                        {"X-Amz-Content-Sha256", internal::sha256_hex("other")},
                        {"X-Amz-Date", internal::format_amz_date(kSigNow)}},
                       "{}"};
  const auto authorization = sign_request(request.parts(), kKey, kSigNow);
  ASSERT_TRUE(authorization.has_value());
  request.headers.push_back({"Authorization", *authorization});
  EXPECT_FALSE(verify(request, kKey.secret, kSigNow).has_value());
  request.headers[1].value = internal::sha256_hex("{}");
  const auto resigned = sign_request(
      RequestParts{request.method, request.target,
                   std::span<const Header>(request.headers.data(), 3), request.body},
      kKey, kSigNow);
  ASSERT_TRUE(resigned.has_value());
  request.headers[3].value = *resigned;
  EXPECT_TRUE(verify(request, kKey.secret, kSigNow).has_value());
}

struct MalformedCase {
  const char* header;
  const char* expected_fragment;
};

TEST(SigV4Test, MalformedAuthorizationHeadersAreRejected) {
  const std::vector<MalformedCase> cases = {
      {"", "AWS4-HMAC-SHA256"},
      {"AWS4-HMAC-SHA1 Credential=a/20250101/r/s/aws4_request", "AWS4-HMAC-SHA256"},
      {"AWS4-HMAC-SHA256 Credential=a/2025/r/s/aws4_request, SignedHeaders=host, "
       "Signature=0000000000000000000000000000000000000000000000000000000000000000",
       "Credential"},
      {"AWS4-HMAC-SHA256 Credential=a/20250101/r/s/aws4_request, SignedHeaders=host, Signature=zz",
       "Signature"},
      {"AWS4-HMAC-SHA256 Credential=a/20250101/r/s/aws4_request, SignedHeaders=x-amz-date;host, "
       "Signature=0000000000000000000000000000000000000000000000000000000000000000",
       "sorted"},
      {"AWS4-HMAC-SHA256 Credential=a/20250101/r/s/aws4_request, SignedHeaders=Host, "
       "Signature=0000000000000000000000000000000000000000000000000000000000000000",
       "lower-case"},
      {"AWS4-HMAC-SHA256 Credential=a/20250101/r/s/aws4_request", "must contain"},
      {"AWS4-HMAC-SHA256 Credential=a/20250101/r/s/other, SignedHeaders=host, "
       "Signature=0000000000000000000000000000000000000000000000000000000000000000",
       "Credential"},
  };
  for (const MalformedCase& row : cases) {
    const auto parsed = parse_authorization(row.header);
    ASSERT_FALSE(parsed.has_value()) << row.header;
    EXPECT_NE(parsed.error().message.find(row.expected_fragment), std::string::npos)
        << row.header << " -> " << parsed.error().message;
  }
}

TEST(SigV4Test, UriEncodingFollowsSigV4) {
  EXPECT_EQ(uri_encode("/tags/arn%3Aaws", true), "/tags/arn%253Aaws");
  EXPECT_EQ(uri_encode("a b~c/d", false), "a%20b~c%2Fd");
  EXPECT_EQ(uri_decode("a%3Ab%zz%4"), "a:b%zz%4");
}

// Runs the botocore vector generator with the first interpreter that has botocore.
std::optional<nlohmann::json> botocore_vectors() {
  const std::string script = std::string(VIGIL_SOURCE_DIR) + "/tests/api/botocore_sigv4_vectors.py";
  for (const char* python : {"python3", "/usr/bin/python3"}) {
    const std::string command = std::string(python) + " " + script + " 2>/dev/null";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    if (!pipe) {
      continue;
    }
    std::string output;
    std::array<char, 4096> buffer{};
    std::size_t read = 0;
    while ((read = fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0) {
      output.append(buffer.data(), read);
    }
    if (pclose(pipe.release()) == 0 && !output.empty()) {
      return nlohmann::json::parse(output);
    }
  }
  return std::nullopt;
}

TEST(SigV4Test, MatchesBotocoreVectors) {
  const auto vectors = botocore_vectors();
  if (!vectors) {
    if (const char* require = std::getenv("VIGIL_REQUIRE_REFERENCE"); require && *require == '1') {
      FAIL() << "botocore is not importable by python3 or /usr/bin/python3";
    }
    GTEST_SKIP() << "botocore not available";
  }
  ASSERT_GE(vectors->size(), 6U);
  for (const auto& vector : *vectors) {
    OwnedRequest request;
    request.method = vector.at("method").get<std::string>();
    request.target = vector.at("target").get<std::string>();
    request.body = vector.at("body").get<std::string>();
    std::string amz_date;
    for (const auto& header : vector.at("headers")) {
      request.headers.push_back({header.at(0).get<std::string>(), header.at(1).get<std::string>()});
      if (request.headers.back().name == "X-Amz-Date") {
        amz_date = request.headers.back().value;
      }
    }
    const auto when = internal::parse_amz_date(amz_date);
    ASSERT_TRUE(when.has_value()) << amz_date;
    const SigningKey key{vector.at("access_key").get<std::string>(),
                         vector.at("secret").get<std::string>(), "us-east-1", "inspector2"};
    const std::string expected = vector.at("authorization").get<std::string>();
    const auto ours = sign_request(request.parts(), key, *when);
    ASSERT_TRUE(ours.has_value()) << ours.error().message;
    EXPECT_EQ(*ours, expected) << request.method << " " << request.target;

    request.headers.push_back({"Authorization", expected});
    const auto verified = verify(request, key.secret, *when + 10);
    EXPECT_TRUE(verified.has_value())
        << request.target << ": " << (verified ? "" : verified.error().message);
    // One flipped signature digit must fail.
    std::string wrong = expected;
    wrong.back() = wrong.back() == '0' ? '1' : '0';
    request.headers.back().value = wrong;
    EXPECT_FALSE(verify(request, key.secret, *when).has_value()) << request.target;
  }
}

}  // namespace
}  // namespace vigil::api
