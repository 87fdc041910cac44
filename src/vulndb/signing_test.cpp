#include "vulndb/signing.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/temp_dir.hpp"

namespace vigil::vulndb {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

TEST(SigningTest, Sha256MatchesFips180Vectors) {
  struct Case {
    std::string input;
    const char* digest;
  };
  const Case cases[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(sha256_hex(c.input), c.digest) << c.input;
    Sha256 incremental;
    for (char ch : c.input) {
      incremental.update(std::string_view(&ch, 1));
    }
    EXPECT_EQ(incremental.hex_digest(), c.digest) << c.input;
  }
  TempDir dir;
  EXPECT_EQ(sha256_file(dir.write("abc.txt", "abc")).value(), cases[1].digest);
  EXPECT_EQ(sha256_file(dir.path() / "missing").error().code, ErrorCode::kIo);
}

TEST(SigningTest, Base64RoundTripsAndRejectsMalformedText) {
  // RFC 4648 §10 test vectors.
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"},
                                                         {std::string("\x00\xff\x10", 3), "AP8Q"}};
  for (const auto& [raw, encoded] : vectors) {
    EXPECT_EQ(base64_encode(raw), encoded);
    EXPECT_EQ(base64_decode(encoded).value(), raw) << encoded;
  }
  for (const char* bad : {"Zg=", "Z===", "Zm9v!A==", "=Zm9", "Zg==Zg==", "Zm=v"}) {
    EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
  }
}

TEST(SigningTest, GeneratedKeysSignAndVerify) {
  TempDir dir;
  const auto private_path = dir.path() / "release.pem";
  const auto public_path = dir.path() / "release.pub.pem";
  const auto key_id = generate_key_pair(private_path, public_path);
  ASSERT_TRUE(key_id.has_value()) << key_id.error().message;
  EXPECT_EQ(key_id->size(), 16U);

  struct stat info {};
  ASSERT_EQ(::stat(private_path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);

  const auto private_key = PrivateKey::load(private_path);
  ASSERT_TRUE(private_key.has_value()) << private_key.error().message;
  const auto public_key = PublicKey::load(public_path);
  ASSERT_TRUE(public_key.has_value()) << public_key.error().message;
  EXPECT_EQ(public_key->id(), *key_id);
  EXPECT_EQ(private_key->public_key().id(), *key_id);

  const auto signature = private_key->sign("manifest bytes");
  ASSERT_TRUE(signature.has_value());
  EXPECT_EQ(signature->size(), 64U);
  EXPECT_TRUE(public_key->verify("manifest bytes", *signature));
  EXPECT_FALSE(public_key->verify("manifest byteS", *signature));
  auto flipped = *signature;
  flipped[10] = static_cast<char>(flipped[10] ^ 1);
  EXPECT_FALSE(public_key->verify("manifest bytes", flipped));
  EXPECT_FALSE(public_key->verify("manifest bytes", signature->substr(0, 63)));

  // A second key pair does not verify the first one's signatures.
  ASSERT_TRUE(
      generate_key_pair(dir.path() / "other.pem", dir.path() / "other.pub.pem").has_value());
  const auto other = PublicKey::load(dir.path() / "other.pub.pem").value();
  EXPECT_NE(other.id(), *key_id);
  EXPECT_FALSE(other.verify("manifest bytes", *signature));
}

TEST(SigningTest, KeygenRefusesToOverwrite) {
  TempDir dir;
  const auto existing = dir.write("k.pem", "keep me");
  const auto result = generate_key_pair(existing, dir.path() / "k.pub.pem");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kConflict);
  EXPECT_FALSE(fs::exists(dir.path() / "k.pub.pem"));
}

TEST(SigningTest, RejectsFilesThatAreNotEd25519Keys) {
  TempDir dir;
  ASSERT_TRUE(generate_key_pair(dir.path() / "k.pem", dir.path() / "k.pub.pem").has_value());
  struct Case {
    std::string content;
    bool as_private;
  };
  const Case cases[] = {
      {"not a key", false},
      {"not a key", true},
      {"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", false},
  };
  for (const auto& c : cases) {
    const auto path = dir.write("bad.pem", c.content);
    if (c.as_private) {
      EXPECT_EQ(PrivateKey::load(path).error().code, ErrorCode::kParse);
    } else {
      EXPECT_EQ(PublicKey::load(path).error().code, ErrorCode::kParse);
    }
  }
  // The halves are not interchangeable.
  EXPECT_FALSE(PublicKey::load(dir.path() / "k.pem").has_value());
  EXPECT_FALSE(PrivateKey::load(dir.path() / "k.pub.pem").has_value());
  EXPECT_EQ(PublicKey::load(dir.path() / "absent.pem").error().code, ErrorCode::kIo);
}

TEST(SigningTest, TrustedKeysComeFromFlagsAndTheTrustedDirectory) {
  TempDir dir;
  ASSERT_TRUE(generate_key_pair(dir.path() / "a.pem", dir.path() / "a.pub.pem").has_value());
  const auto trusted = dir.path() / "db" / "trusted-keys";
  fs::create_directories(trusted);
  ASSERT_TRUE(generate_key_pair(dir.path() / "b.pem", trusted / "b.pem").has_value());
  dir.write("db/trusted-keys/README", "not a key, not a .pem: ignored");

  const auto keys = load_trusted_keys({dir.path() / "a.pub.pem"}, trusted);
  ASSERT_TRUE(keys.has_value()) << keys.error().message;
  ASSERT_EQ(keys->size(), 2U);
  EXPECT_EQ((*keys)[0].id(), PublicKey::load(dir.path() / "a.pub.pem").value().id());

  EXPECT_TRUE(load_trusted_keys({}, dir.path() / "no-such-dir").value().empty());
  dir.write("db/trusted-keys/broken.pem", "garbage");
  const auto broken = load_trusted_keys({}, trusted);
  ASSERT_FALSE(broken.has_value());
  EXPECT_NE(broken.error().message.find("broken.pem"), std::string::npos);
}

}  // namespace
}  // namespace vigil::vulndb
