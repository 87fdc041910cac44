#include "api/internal/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <climits>
#include <memory>

namespace vigil::api::internal {
namespace {

constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;
constexpr std::size_t kKeySize = 32;

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char* bytes_of(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

bool fits_int(std::size_t size) { return size <= static_cast<std::size_t>(INT_MAX); }

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '-') {
    return 62;
  }
  if (c == '_') {
    return 63;
  }
  return -1;
}

}  // namespace

std::string sha256(std::string_view data) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(bytes_of(data), data.size(), reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

std::string sha256_hex(std::string_view data) { return to_hex(sha256(data)); }

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::string mac(EVP_MAX_MD_SIZE, '\0');
  unsigned int length = 0;
  // Keys here are at most a few hundred bytes (secret + "AWS4"), so the int cast is safe.
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes_of(data), data.size(),
       reinterpret_cast<unsigned char*>(mac.data()), &length);
  mac.resize(length);
  return mac;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const char byte : bytes) {
    const auto value = static_cast<unsigned char>(byte);
    hex.push_back(kDigits[value >> 4U]);
    hex.push_back(kDigits[value & 0xFU]);
  }
  return hex;
}

bool constant_time_equals(std::string_view lhs, std::string_view rhs) {
  if (lhs.size() != rhs.size()) {
    return false;
  }
  return CRYPTO_memcmp(lhs.data(), rhs.data(), lhs.size()) == 0;
}

Result<std::string> random_bytes(std::size_t count) {
  std::string bytes(count, '\0');
  if (!fits_int(count) ||
      RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
    return fail(Error::internal("random_bytes: OpenSSL RAND_bytes failed"));
  }
  return bytes;
}

std::string base64url_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t index = 0;
  while (index + 3 <= bytes.size()) {
    const std::uint32_t chunk = (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[index])) << 16U) |
                                (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[index + 1])) << 8U) |
                                static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[index + 2]));
    out.push_back(kAlphabet[(chunk >> 18U) & 63U]);
    out.push_back(kAlphabet[(chunk >> 12U) & 63U]);
    out.push_back(kAlphabet[(chunk >> 6U) & 63U]);
    out.push_back(kAlphabet[chunk & 63U]);
    index += 3;
  }
  const std::size_t rest = bytes.size() - index;
  if (rest > 0) {
    std::uint32_t chunk = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[index])) << 16U;
    if (rest == 2) {
      chunk |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[index + 1])) << 8U;
    }
    out.push_back(kAlphabet[(chunk >> 18U) & 63U]);
    out.push_back(kAlphabet[(chunk >> 12U) & 63U]);
    if (rest == 2) {
      out.push_back(kAlphabet[(chunk >> 6U) & 63U]);
    }
  }
  return out;
}

Result<std::string> base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
  }
  if (text.size() % 4 == 1) {
    return fail(Error::invalid_argument("base64url: invalid length {}", text.size()));
  }
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  unsigned bits = 0;
  for (const char c : text) {
    const int value = base64url_value(c);
    if (value < 0) {
      return fail(Error::invalid_argument("base64url: invalid character"));
    }
    buffer = (buffer << 6U) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFFU));
    }
  }
  return out;
}

Result<std::string> aes_gcm_seal(std::string_view key, std::string_view plaintext,
                                 std::string_view associated_data) {
  if (key.size() != kKeySize) {
    return fail(Error::invalid_argument("aes-gcm: key must be {} bytes", kKeySize));
  }
  if (!fits_int(plaintext.size()) || !fits_int(associated_data.size())) {
    return fail(Error::invalid_argument("aes-gcm: input too large"));
  }
  VIGIL_ASSIGN_OR_RETURN(std::string nonce, random_bytes(kNonceSize));
  CipherCtx ctx{EVP_CIPHER_CTX_new()};
  std::string out = nonce;
  out.resize(kNonceSize + plaintext.size() + kTagSize);
  auto* cipher_out = reinterpret_cast<unsigned char*>(out.data()) + kNonceSize;
  int length = 0;
  int final_length = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes_of(key),
                                 bytes_of(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &length, bytes_of(associated_data),
                        static_cast<int>(associated_data.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), cipher_out, &length, bytes_of(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), cipher_out + length, &final_length) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                          cipher_out + plaintext.size()) != 1) {
    return fail(Error::internal("aes-gcm: encryption failed"));
  }
  return out;
}

Result<std::string> aes_gcm_open(std::string_view key, std::string_view sealed,
                                 std::string_view associated_data) {
  if (key.size() != kKeySize) {
    return fail(Error::invalid_argument("aes-gcm: key must be {} bytes", kKeySize));
  }
  if (sealed.size() < kNonceSize + kTagSize || !fits_int(sealed.size()) ||
      !fits_int(associated_data.size())) {
    return fail(Error::invalid_argument("aes-gcm: sealed value has invalid length"));
  }
  const std::string_view nonce = sealed.substr(0, kNonceSize);
  const std::string_view cipher = sealed.substr(kNonceSize, sealed.size() - kNonceSize - kTagSize);
  std::array<unsigned char, kTagSize> tag{};
  const std::string_view tag_view = sealed.substr(sealed.size() - kTagSize);
  std::copy(tag_view.begin(), tag_view.end(), tag.begin());
  CipherCtx ctx{EVP_CIPHER_CTX_new()};
  std::string plain(cipher.size(), '\0');
  int length = 0;
  int final_length = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes_of(key), bytes_of(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &length, bytes_of(associated_data),
                        static_cast<int>(associated_data.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &length,
                        bytes_of(cipher), static_cast<int>(cipher.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize), tag.data()) != 1) {
    return fail(Error::internal("aes-gcm: decryption setup failed"));
  }
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + length,
                          &final_length) != 1) {
    return fail(Error::invalid_argument("aes-gcm: authentication tag mismatch (wrong master key?)"));
  }
  return plain;
}

}  // namespace vigil::api::internal
