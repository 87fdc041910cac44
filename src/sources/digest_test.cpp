// SHA-256 against the FIPS 180-2 vectors, streaming equals one-shot, and the digest checker.
#include "sources/digest.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vigil::sources {
namespace {

TEST(DigestTest, KnownVectors) {
  EXPECT_EQ(sha256_digest(""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_digest("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DigestTest, StreamingMatchesOneShot) {
  std::string data;
  for (int idx = 0; idx < 100000; ++idx) {
    data.push_back(static_cast<char>(idx * 7));
  }
  Sha256 hasher;
  hasher.update(std::string_view(data).substr(0, 12345));
  hasher.update(std::string_view(data).substr(12345));
  EXPECT_EQ(hasher.finish(), sha256_digest(data));
  // finish() resets: the hasher can be used again.
  hasher.update("abc");
  EXPECT_EQ(hasher.finish(), sha256_digest("abc"));
}

TEST(DigestTest, CheckDigest) {
  const std::string good = "sha256:" + std::string(64, 'a');
  struct Case {
    std::string digest;
    bool ok;
    ErrorCode code;
  };
  const Case cases[] = {
      {good, true, ErrorCode::kParse},
      {"sha256:" + std::string(63, 'a'), false, ErrorCode::kParse},
      {"sha256:" + std::string(65, 'a'), false, ErrorCode::kParse},
      {"sha256:" + std::string(64, 'A'), false, ErrorCode::kParse},
      {"sha256:" + std::string(62, 'a') + "/.", false, ErrorCode::kParse},
      {"sha512:" + std::string(128, 'a'), false, ErrorCode::kUnsupported},
      {"md5:abc", false, ErrorCode::kParse},
      {"", false, ErrorCode::kParse},
      {"../../etc/passwd", false, ErrorCode::kParse},
  };
  for (const auto& c : cases) {
    const auto checked = check_sha256_digest(c.digest);
    EXPECT_EQ(checked.has_value(), c.ok) << c.digest;
    if (!c.ok && !checked) {
      EXPECT_EQ(checked.error().code, c.code) << c.digest;
    }
  }
}

}  // namespace
}  // namespace vigil::sources
